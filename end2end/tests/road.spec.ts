// The whole road (register → file → return → fix → resubmit → verify and
// pass → approve → public query) with the browser's Back and Forward
// pressed at every step, by the registrant, the clerk, the 管局 reviewer and
// a stranger. Any page error, a panic in the app or a page that no longer
// works after coming back fails it; what was typed is still there.
import { expect, test, type Page } from "@playwright/test";
import { expectNoHorizontalScroll, jsEnabled, open } from "./helpers";
import { BUREAU, BUREAU_PASSWORD, CLERK, CLERK_PASSWORD, fillEntityStep, freshUscc, next, png, register, signIn, unique } from "./filing";

test.beforeEach(async ({}, info) => {
  test.skip(!jsEnabled(info), "history navigation inside the app needs JavaScript");
});

/** Errors a person would meet: uncaught exceptions and the app's panics. */
function watch(page: Page, errors: string[]) {
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${String(e)}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /panicked|unreachable|disposed|RuntimeError/i.test(m.text())) errors.push(`${page.url()}: ${m.text().slice(0, 300)}`);
  });
}

/** Back, then Forward: the same page again, still working (`ready` says how to tell). */
async function backAndForth(page: Page, ready: () => Promise<void>) {
  const url = page.url();
  await page.goBack();
  await expect(page).not.toHaveURL(url);
  await page.goForward();
  await expect(page).toHaveURL(url);
  await ready();
}

/** Back on /filings/new: the offer to continue the draft, or the wizard itself. */
async function resume(page: Page) {
  await expect(page.getByTestId("continue").or(page.locator(".stepper"))).toBeVisible();
  if (await page.getByTestId("continue").isVisible()) await page.getByTestId("continue").click();
  await expect(page.locator(".stepper")).toBeVisible();
}

test("the whole road with Back and Forward at every step", async ({ page, browser }, info) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  watch(page, errors);
  const newPage = async () => {
    const p = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
    watch(p, errors);
    return p;
  };
  const stepper = page.locator(".stepper__step--current");

  // The registrant: register, the type check, then every step of the wizard.
  await register(page, info);
  const cert = freshUscc();
  const domain = `${unique(info, "road")}.cn`;
  await page.getByRole("link", { name: "我的备案" }).first().click();
  await expect(page).toHaveURL(/\/filings$/);
  await backAndForth(page, () => expect(page.locator('a[href="/filings/new"]').first()).toBeVisible());
  await page.locator('a[href="/filings/new"]').first().click();
  await page.getByLabel("主办单位证件号码").fill(cert);
  await page.getByLabel("网站域名").fill(domain);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await expect(page.getByTestId("detection")).toContainText("首次备案");
  await page.getByTestId("start").click();
  await expect(stepper).toContainText("主体信息");
  await fillEntityStep(page, cert);
  // Typed, not saved yet: Back and Forward keep it.
  await backAndForth(page, async () => {
    await resume(page);
    await expect(page.getByLabel("主办单位名称")).toHaveValue("北京星河网络科技有限公司");
  });
  await next(page, "网站信息");
  await page.getByLabel("网站名称").fill("星河搜索服务网");
  await backAndForth(page, async () => {
    await resume(page);
    await expect(page.getByLabel("网站名称")).toHaveValue("星河搜索服务网");
  });
  await page.getByRole("checkbox", { name: "搜索引擎" }).check();
  await page.getByRole("checkbox", { name: "以上都不涉及" }).check();
  await next(page, "接入信息");
  await page.getByLabel("网站IP地址").fill("1.2.4.8");
  await page.getByLabel("服务器放置地").selectOption({ label: "北京" });
  await backAndForth(page, async () => {
    await resume(page);
    await expect(page.getByLabel("网站IP地址")).toHaveValue("1.2.4.8");
  });
  await next(page, "材料");
  await page.locator("#file-entity_cert").setInputFiles({ name: "licence.png", mimeType: "image/png", buffer: png() });
  await expect(page.getByTestId("material-entity_cert").getByRole("link", { name: "licence.png" })).toBeVisible();
  await page.locator("#file-leader_photo").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: png() });
  await expect(page.getByTestId("material-leader_photo").getByRole("link", { name: "photo.png" })).toBeVisible();
  await backAndForth(page, async () => {
    await resume(page);
    await expect(page.getByTestId("material-leader_photo").getByRole("link", { name: "photo.png" })).toBeVisible();
  });
  await next(page, "确认");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("submitted")).toContainText("等待接入服务商核实");
  await page.getByRole("link", { name: "我的备案" }).first().click();
  const item = page.getByTestId("filing").filter({ hasText: domain });
  await expect(item).toHaveAttribute("data-status", "pending_verification");
  await item.getByRole("link").click();
  await expect(page.getByTestId("filing-status")).toContainText("待核实");
  await backAndForth(page, () => expect(page.getByTestId("filing-status")).toContainText("待核实"));

  // The clerk: the queue searched by domain (the search is in the address:
  // Back and Forward step through searches), the filing, marks, the return.
  const clerk = await newPage();
  await signIn(clerk, info, CLERK, "/login?next=/provider", CLERK_PASSWORD);
  await open(clerk, info, "/provider");
  await clerk.locator("#f-domain").fill(domain);
  await clerk.getByTestId("filters").getByRole("button").click();
  await expect(clerk).toHaveURL(new RegExp(`/provider\\?domain=${domain.replace(/\./g, "\\.")}$`));
  await expect(clerk.getByTestId("queue-row")).toHaveCount(1);
  await clerk.locator("#f-name").fill("没有这个单位");
  await clerk.getByTestId("filters").getByRole("button").click();
  await expect(clerk.getByTestId("queue-row")).toHaveCount(0);
  await clerk.goBack();
  await expect(clerk.locator("#f-name")).toHaveValue("");
  await expect(clerk.locator("#f-domain")).toHaveValue(domain);
  await expect(clerk.getByTestId("queue-row")).toHaveCount(1);
  await clerk.goForward();
  await expect(clerk.locator("#f-name")).toHaveValue("没有这个单位");
  await expect(clerk.getByTestId("queue-row")).toHaveCount(0);
  await clerk.goBack();
  const row = clerk.getByTestId("queue-row").filter({ hasText: domain });
  await row.getByRole("link", { name: "办理" }).click();
  await expect(clerk.getByTestId("review-status")).toContainText("待核实");
  await backAndForth(clerk, () => expect(clerk.getByTestId("review-status")).toContainText("待核实"));
  await clerk.getByTestId("mark-entity.address").click();
  const kept = clerk.waitForResponse((r) => r.url().includes("/api/review/marks") && (r.request().postData() ?? "").includes("门牌号"));
  await clerk.getByTestId("mark-entity.address-comment").fill("请填写门牌号");
  await kept;
  await backAndForth(clerk, () => expect(clerk.getByTestId("mark-entity.address-comment")).toHaveValue("请填写门牌号"));
  await clerk.getByTestId("return").click();
  await expect(clerk.getByTestId("status")).toHaveText("退回修改");
  await backAndForth(clerk, () => expect(clerk.getByTestId("review-status")).toContainText("退回修改"));

  // The registrant fixes the marked field and resubmits.
  await page.getByRole("link", { name: "我的备案" }).first().click();
  await expect(page.getByTestId("filing").filter({ hasText: domain })).toHaveAttribute("data-status", "returned");
  await page.getByTestId("filing").filter({ hasText: domain }).getByRole("link").click();
  await expect(page.getByTestId("marks")).toContainText("请填写门牌号");
  await page.getByLabel("通信地址（详细地址）").fill("北京市海淀区上地十街10号");
  await backAndForth(page, async () => {
    await resume(page);
    await expect(page.getByLabel("通信地址（详细地址）")).toHaveValue("北京市海淀区上地十街10号");
  });
  await page.getByTestId("goto-step-5").click();
  await expect(stepper).toContainText("确认");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("submitted")).toContainText("等待接入服务商核实");

  // The clerk verifies and passes it, after a look at 备案进度查询 and back.
  await open(clerk, info, "/provider");
  await clerk.getByRole("navigation", { name: "console" }).getByRole("link", { name: "备案进度查询" }).click();
  await expect(clerk).toHaveURL(/\/provider\/progress$/);
  await expect(clerk.getByTestId("queue-row").first()).toBeVisible();
  await backAndForth(clerk, () => expect(clerk.getByTestId("queue-row").first()).toBeVisible());
  await clerk.goBack();
  await clerk.getByTestId("queue-row").filter({ hasText: domain }).getByRole("link", { name: "办理" }).click();
  await expect(clerk.getByTestId("review-status")).toContainText("待核实");
  await clerk.locator("#file-verification_photo").setInputFiles({ name: "face.png", mimeType: "image/png", buffer: png() });
  await expect(clerk.getByTestId("staff-upload-verification_photo").getByRole("link", { name: "face.png" })).toBeVisible();
  await clerk.locator("#file-verification_form").setInputFiles({ name: "form.png", mimeType: "image/png", buffer: png() });
  await expect(clerk.getByTestId("staff-upload-verification_form").getByRole("link", { name: "form.png" })).toBeVisible();
  await backAndForth(clerk, () => expect(clerk.getByTestId("staff-upload-verification_form").getByRole("link", { name: "form.png" })).toBeVisible());
  await clerk.locator("#opinion").fill("已当面核验，信息真实");
  await clerk.getByTestId("pass").click();
  await expect(clerk.getByTestId("status")).toHaveText("待管局审核");

  // The 管局 reviewer approves.
  const bureau = await newPage();
  await signIn(bureau, info, BUREAU, "/login?next=/bureau", BUREAU_PASSWORD);
  await open(bureau, info, "/bureau");
  await expect(bureau.getByTestId("queue-row").filter({ hasText: domain })).toBeVisible();
  await bureau.getByTestId("queue-row").filter({ hasText: domain }).getByRole("link", { name: "办理" }).click();
  await expect(bureau.getByTestId("staff-step")).toContainText("请您审核");
  await backAndForth(bureau, () => expect(bureau.getByTestId("staff-step")).toContainText("请您审核"));
  await bureau.getByTestId("approve").click();
  await bureau.getByTestId("approve-confirm").click();
  await expect(bureau.getByTestId("status")).toHaveText("已通过");
  const number = ((await bureau.getByTestId("licences").textContent()) ?? "").match(/京ICP备\d{10}号-1/)?.[0];
  expect(number).toBeTruthy();
  await backAndForth(bureau, () => expect(bureau.getByTestId("status")).toHaveText("已通过"));
  if (info.project.name === "phone") await expectNoHorizontalScroll(bureau);

  // The registrant sees the number; a stranger finds it, with Back and Forward between searches.
  await page.getByRole("link", { name: "我的备案" }).first().click();
  // Both lists in place (the filed records load beside the applications) before the next click.
  await expect(page.getByTestId("records")).toBeVisible();
  await page.getByTestId("filing").filter({ hasText: domain }).getByRole("link").click();
  await expect(page.getByTestId("website-numbers")).toHaveText(number!);
  const stranger = await newPage();
  await open(stranger, info, "/query");
  await stranger.getByLabel("域名、备案号或主办单位名称").fill(domain);
  await stranger.getByRole("button", { name: "查询", exact: true }).click();
  await expect(stranger.locator("main")).toContainText(number!);
  await stranger.getByLabel("域名、备案号或主办单位名称").fill("有限公司");
  await stranger.getByRole("button", { name: "查询", exact: true }).click();
  await expect(stranger.getByTestId("query-total")).toBeVisible();
  await stranger.goBack();
  await expect(stranger.locator("main")).toContainText(number!);
  await stranger.goForward();
  await expect(stranger.getByTestId("query-total")).toBeVisible();

  expect(errors).toEqual([]);
});
