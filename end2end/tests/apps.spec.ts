// APP filings (issue 14), the way people do them: a registrant files one
// website and one APP together, the provider's clerk passes it, the 管局
// approves (…号-1 and …号-2A), and a stranger finds the APP by its name on
// the public query and can keep to APPs or websites. Desktop and phone.
import { expect, test } from "@playwright/test";
import { expectNoHorizontalScroll, open, search } from "./helpers";
import { detectAndStart, fillEntityStep, freshUscc, next, png, register, staffPage, clerkPasses, unique, uploadMaterials } from "./filing";

const FINGERPRINT = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

test("a website and an APP filed together: the APP is approved as …号-2A and found by its name", async ({ page, browser }, info) => {
  test.skip(info.project.name.includes("nojs"), "the wizard needs JavaScript");
  test.setTimeout(180_000);
  await register(page, info);
  const domain = `${unique(info, "app").toLowerCase()}.cn`;
  const cert = freshUscc();
  const n = Math.floor(Math.random() * 1e6);
  const appName = `星河记账${n}`;
  const pkg = `com.xinghe.jizhang${n}`;
  await detectAndStart(page, info, domain, cert);
  await fillEntityStep(page, cert);
  await next(page, "网站信息");

  const site = page.getByTestId("website-0");
  await site.getByLabel("网站名称").fill("星河搜索服务网");
  await site.getByRole("checkbox", { name: "搜索引擎" }).check();
  await site.getByRole("checkbox", { name: "以上都不涉及" }).check();

  await page.getByTestId("add-app").click();
  const app = page.getByTestId("website-1");
  await expect(app.getByRole("heading")).toContainText("APP");
  await app.getByLabel("APP名称").fill(appName);
  await app.getByLabel("APP使用的域名").fill(domain);
  const platform = app.getByTestId("platform-1-0");
  await platform.getByLabel("平台", { exact: true }).selectOption("android");
  await platform.getByLabel("包名", { exact: true }).fill(pkg);
  // A wrong fingerprint is told before anything is sent.
  await platform.getByLabel("签名证书指纹").fill("12:34");
  await page.getByTestId("next").click();
  await expect(platform.locator("#websites_1__platforms_0__fingerprint-error")).toContainText("MD5");
  await platform.getByLabel("签名证书指纹").fill(FINGERPRINT);
  await app.getByTestId("icon-1-input").setInputFiles({ name: "icon.png", mimeType: "image/png", buffer: png() });
  await expect(app.getByTestId("icon-1-preview")).toBeVisible();
  await app.getByRole("checkbox", { name: "搜索引擎" }).check();
  await app.getByRole("checkbox", { name: "以上都不涉及" }).check();
  await expectNoHorizontalScroll(page);
  await next(page, "接入信息");
  for (const i of [0, 1]) {
    const a = page.getByTestId(`access-${i}`);
    await a.getByLabel("网站IP地址").fill("1.2.4.8");
    await a.getByLabel("服务器放置地").selectOption({ label: "北京" });
  }
  await next(page, "材料");
  await uploadMaterials(page);
  await next(page, "确认");
  await expect(page.getByTestId("review-website-1")).toContainText(appName);
  await expect(page.getByTestId("review-website-1")).toContainText(pkg);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("submitted")).toContainText("等待接入服务商核实");

  const clerk = await staffPage(browser, page, info, "clerk");
  await clerkPasses(clerk, info, domain, "first_filing", true);

  // The 管局 sees the APP's platform and icon, and approves.
  const bureau = await staffPage(browser, page, info, "bureau");
  await open(bureau, info, `/bureau?kind=first_filing&domain=${domain}`);
  await bureau.getByTestId("queue-row").filter({ hasText: domain }).first().getByRole("link", { name: "办理" }).click();
  await expect(bureau.getByTestId("row-websites[1].platforms[0].package")).toContainText(pkg);
  await expect(bureau.getByTestId("review-app-icon")).toBeVisible();
  await bureau.getByTestId("approve").click();
  await bureau.getByTestId("approve-confirm").click();
  await expect(bureau.getByTestId("status")).toHaveText("已通过");
  const shown = (await bureau.getByTestId("review-status").textContent()) ?? "";
  const main = shown.match(/京ICP备\d{10}号/)![0];
  expect(shown).toContain(`${main}-2A`);

  // A stranger on the public query: the APP by its name, marked as an APP.
  const stranger = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  await open(stranger, info, "/query");
  await search(stranger, appName);
  const row = stranger.getByTestId("record").filter({ hasText: appName });
  await expect(row).toContainText(`${main}-2A`);
  await expect(row.getByTestId("record-app")).toBeVisible();
  await expect(row.getByTestId("record-packages")).toContainText(pkg);
  await expectNoHorizontalScroll(stranger);
  // By its package name, too; and the filter keeps to one kind.
  await search(stranger, pkg);
  await expect(stranger.getByTestId("record")).toHaveCount(1);
  await stranger.getByLabel("域名、备案号或主办单位名称").fill(main);
  await stranger.getByTestId("query-kind").selectOption("app");
  await stranger.getByRole("button", { name: "查询", exact: true }).click();
  await expect(stranger).toHaveURL(/type=app/);
  await expect(stranger.getByTestId("record")).toHaveCount(1);
  await expect(stranger.getByTestId("record")).toHaveAttribute("data-kind", "app");
  await stranger.getByTestId("query-kind").selectOption("web");
  await stranger.getByRole("button", { name: "查询", exact: true }).click();
  await expect(stranger.getByTestId("record")).toHaveCount(1);
  await expect(stranger.getByTestId("record")).toHaveAttribute("data-kind", "web");
  await expect(stranger.getByTestId("record")).toContainText(`${main}-1`);
});
