import { expect, test } from "@playwright/test";
import { expectNoHorizontalScroll, expectNoReload, jsEnabled, open, sampleRecord, search } from "./helpers";

test.describe("公共查询 (public query)", () => {
  test("finds a filing by its domain", async ({ page, request }, info) => {
    const rec = await sampleRecord(request);
    await open(page, info, "/query");
    await search(page, rec.domain);
    const rows = page.getByTestId("record");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(rec.serviceLicence);
    await expect(rows.first()).toContainText(rec.unitName);
    await expect(page).toHaveURL(/\/query\?q=/);
    await expectNoReload(page, info);
    await expectNoHorizontalScroll(page);
  });

  test("finds a filing by what people paste: scheme, www and path", async ({ page, request }, info) => {
    const rec = await sampleRecord(request);
    await open(page, info, "/query");
    await search(page, `https://www.${rec.domain}/index.html`);
    await expect(page.getByTestId("record").first()).toContainText(rec.serviceLicence);
  });

  test("finds a website by its website filing number", async ({ page, request }, info) => {
    const rec = await sampleRecord(request);
    await open(page, info, "/query");
    await search(page, rec.serviceLicence);
    await expect(page.getByTestId("record")).toHaveCount(1);
    await expect(page.getByTestId("record").first()).toContainText(rec.domain);
    await expectNoReload(page, info);
  });

  test("finds every website of an entity by its entity filing number", async ({ page, request }, info) => {
    const rec = await sampleRecord(request);
    await open(page, info, "/query");
    await search(page, rec.mainLicence);
    const rows = page.getByTestId("record");
    await expect(rows.first()).toBeVisible();
    const n = await rows.count();
    expect(n).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < n; i++) await expect(rows.nth(i)).toContainText(rec.mainLicence);
  });

  test("finds filings by part of the entity name", async ({ page, request }, info) => {
    const rec = await sampleRecord(request);
    // The middle of the name: e.g. 远景科技 out of 西藏远景科技有限公司.
    const part = rec.unitName.slice(2, 6);
    await open(page, info, "/query");
    await search(page, part);
    await expect(page.getByTestId("record").first()).toContainText(part);
    await expect(page.getByTestId("query-total")).toContainText("共");
    await expectNoReload(page, info);
    await expectNoHorizontalScroll(page);
  });

  test("pages through a broad name search", async ({ page }, info) => {
    await open(page, info, "/query?q=" + encodeURIComponent("有限公司"));
    const first = await page.getByTestId("record").first().innerText();
    await page.getByRole("link", { name: "下一页" }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByTestId("record").first()).not.toHaveText(first);
    await expect(page.getByText(/第 2 \/ \d+ 页/)).toBeVisible();
  });

  test("an empty or malformed query gets a clear message, not an error page", async ({ page }, info) => {
    await open(page, info, "/query");
    await search(page, "");
    await expect(page.getByTestId("query-error")).toContainText("请输入域名、备案号或主办单位名称");
    await search(page, "京ICP备123号");
    await expect(page.getByTestId("query-error")).toContainText("备案号格式不正确");
    await search(page, "找不到的单位名称");
    await expect(page.getByTestId("query-empty")).toBeVisible();
  });

  test("the public pages load no application code, and the application still shows them without a reload", async ({ page }, info) => {
    const loaded: string[] = [];
    page.on("request", (r) => loaded.push(new URL(r.url()).pathname));
    for (const path of ["/", "/query", "/query?q=" + encodeURIComponent("有限公司")]) {
      await open(page, info, path);
      await expect(page.locator("link[rel=stylesheet]")).toHaveCount(1);
      await expect(page.locator('script[type="module"], link[rel="modulepreload"]')).toHaveCount(0);
    }
    expect(loaded.filter((p) => p.endsWith(".wasm") || p.endsWith(".js")), "no script or wasm requested").toEqual([]);
    expect(loaded).toContain("/pkg/beian.css");
    // From a page that runs the application, the header's 查询 link is followed by the router.
    await open(page, info, "/login");
    await page.locator("header a[href='/query']").click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("ICP备案信息公共查询");
    await expectNoReload(page, info);
  });

  test("the footer shows the site's filing number linked to the MIIT system", async ({ page }, info) => {
    await open(page, info, "/");
    const link = page.locator(".site-footer__licence a");
    await expect(link).toHaveText(/^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝蜀黔滇藏陕陇青宁新]ICP备\d{8,10}号(-\d+)?$/);
    await expect(link).toHaveAttribute("href", "https://beian.miit.gov.cn/");
    // Bottom centre of the page.
    const box = await link.boundingBox();
    const width = page.viewportSize()!.width;
    expect(box).not.toBeNull();
    expect(Math.abs(box!.x + box!.width / 2 - width / 2)).toBeLessThan(4);
  });

  test("the language switch changes the page and is remembered", async ({ page, context }, info) => {
    await open(page, info, "/query");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("ICP备案信息公共查询");
    await page.getByTestId("lang-switch").click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Public ICP filing query");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    if (jsEnabled(info)) await expectNoReload(page, info);
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Public ICP filing query");
    await page.getByTestId("lang-switch").click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("ICP备案信息公共查询");
    await context.clearCookies();
  });
});
