// Life after approval (issue 11): a registrant changes a filed website, adds a
// website, cancels one; the provider passes, the 管局 approves, and the public
// query follows — on a desktop and a phone.
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { expectNoHorizontalScroll, jsEnabled, open } from "./helpers";
import {
  bureauApproves,
  clerkPasses,
  fileFirstFiling,
  filed,
  staffPage,
  freshUscc,
  mailTo,
  next,
  png,
  register,
  signIn,
  unique,
  websiteToSubmit,
} from "./filing";

test.beforeEach(async ({}, info) => {
  test.skip(!jsEnabled(info), "the wizard and the consoles need JavaScript");
});

async function publicName(p: Page, info: TestInfo, domain: string) {
  await open(p, info, `/query?q=${domain}`);
  return (await p.locator("main").textContent()) ?? "";
}

test("a filed website changes its name; the public query shows the new name once the 管局 approves; a new website gets …号-2", async ({ page, browser }, info) => {
  test.setTimeout(240_000);
  const phone = info.project.name === "phone";
  await register(page, info);
  const domain = `${unique(info, "lc")}.cn`;
  const cert = freshUscc();
  const { main, password, clerk, bureau } = await filed(page, browser, info, domain, cert);

  // 我的备案 shows the filed entity and website with what each allows.
  await open(page, info, "/filings");
  const record = page.getByTestId("record").filter({ hasText: main });
  await expect(record.getByTestId("entity-licence")).toHaveText(main);
  const site = record.getByTestId("record-site").filter({ hasText: domain });
  await expect(site.getByTestId("site-licence")).toHaveText(`${main}-1`);
  if (phone) await expectNoHorizontalScroll(page);
  await site.getByTestId("act-change_website").click();
  await expect(page.getByTestId("act-explain")).toContainText("变更网站");
  // A wrong 备案密码 is refused on the field.
  await page.getByLabel("备案密码").fill("Wrong-pass1");
  await page.getByTestId("act-submit").click();
  await expect(page.getByTestId("error-proof")).toContainText("不正确");
  await page.getByLabel("备案密码").fill(password);
  await page.getByTestId("act-submit").click();
  // The same wizard, at the website step, holding the filed data.
  await expect(page.locator(".stepper__step--current")).toContainText("网站信息");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("kind")).toHaveText("变更网站");
  await expect(page.getByLabel("网站名称")).toHaveValue("星河搜索服务网");
  await page.getByLabel("网站名称").fill("星河资讯服务网");
  await next(page, "材料");
  await next(page, "确认");
  const change = page.getByTestId("change").filter({ hasText: "网站名称" });
  await expect(change.locator(".diff__old")).toHaveText("星河搜索服务网");
  await expect(change.locator(".diff__new")).toHaveText("星河资讯服务网");
  if (phone) await expectNoHorizontalScroll(page);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("submitted")).toBeVisible();

  // Until it is approved the public query shows the old name; meanwhile nothing else can start.
  const stranger = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  expect(await publicName(stranger, info, domain)).toContain("星河搜索服务网");
  await open(page, info, "/filings");
  await expect(page.getByTestId("record").filter({ hasText: main }).getByTestId("record-open")).toContainText("变更网站");
  await expect(page.getByTestId("record").filter({ hasText: main }).getByTestId("act-cancel_entity")).toBeDisabled();

  // The clerk sees old → new and passes it; the 管局 approves it.
  await open(clerk, info, `/provider?kind=change_website&domain=${domain}`);
  await clerk.getByTestId("queue-row").filter({ hasText: domain }).first().getByRole("link", { name: "办理" }).click();
  await expect(clerk.getByTestId("changes")).toContainText("星河资讯服务网");
  await clerkPasses(clerk, info, domain, "change_website", true);
  const shown = await bureauApproves(bureau, info, domain, "change_website");
  expect(shown).toContain(`${main}-1`);
  const now = await publicName(stranger, info, domain);
  expect(now).toContain("星河资讯服务网");
  expect(now).toContain(`${main}-1`);

  // 新增网站: the type check finds the filed entity; with the 备案密码 the new website is numbered -2.
  const domain2 = `${unique(info, "lc2")}.cn`;
  await open(page, info, "/filings/new");
  await page.getByLabel("主办单位证件号码").fill(cert);
  await page.getByLabel("网站域名").fill(domain2);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await expect(page.getByTestId("detection")).toContainText("新增网站");
  await page.getByLabel("备案密码").fill(password);
  await page.getByTestId("start").click();
  await expect(page.locator(".stepper__step--current")).toContainText("主体信息");
  await websiteToSubmit(page);
  await expect(page.getByTestId("submitted")).toBeVisible();
  await clerkPasses(clerk, info, domain2, "new_website", true);
  expect(await bureauApproves(bureau, info, domain2, "new_website")).toContain(`${main}-2`);
  await open(page, info, "/filings");
  await expect(page.getByTestId("record").filter({ hasText: main }).getByTestId("site-licence")).toHaveText([`${main}-1`, `${main}-2`]);
});

test("注销网站: approved, the public query no longer finds the domain and somebody else may file it", async ({ page, browser }, info) => {
  test.setTimeout(180_000);
  const phone = info.project.name === "phone";
  await register(page, info);
  const domain = `${unique(info, "zx")}.cn`;
  const { main, password, clerk, bureau } = await filed(page, browser, info, domain, freshUscc());

  await open(page, info, "/filings");
  const site = page.getByTestId("record").filter({ hasText: main }).getByTestId("record-site").filter({ hasText: domain });
  await site.getByTestId("act-cancel_website").click();
  await expect(page.getByTestId("act-explain")).toContainText("域名可以重新备案");
  await page.getByLabel("备案密码").fill(password);
  // A reason is needed, checked before any request.
  await page.getByTestId("act-submit").click();
  await expect(page.getByTestId("error-reason")).toContainText("请选择注销理由");
  await page.getByLabel("注销理由").selectOption({ label: "网站已停办" });
  if (phone) await expectNoHorizontalScroll(page);
  await page.getByTestId("act-submit").click();
  await expect(page.getByTestId("act-done")).toContainText("等待接入服务商核实");
  // Until the provider passes it, the reason can be changed (修改注销申请).
  await page.getByTestId("act-see").click();
  await expect(page.getByTestId("cancel-reason")).toContainText("网站已停办");
  await page.getByTestId("amend").locator("summary").click();
  await page.getByTestId("amend-go").click();
  await expect(page.getByTestId("error-amend-reason")).toContainText("请选择注销理由");
  await page.locator("#amend-reason").selectOption({ label: "域名已到期或不再使用" });
  await page.getByTestId("amend-go").click();
  await expect(page.getByTestId("cancel-reason")).toContainText("域名已到期或不再使用");
  if (phone) await expectNoHorizontalScroll(page);

  // No 核验 for a 注销: the clerk passes it, the 管局 approves it.
  await clerkPasses(clerk, info, domain, "cancel_website", false);
  await expect(clerk.getByTestId("cancel-reason")).toContainText("域名已到期或不再使用");
  await bureauApproves(bureau, info, domain, "cancel_website");

  const stranger = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  await open(stranger, info, `/query?q=${domain}`);
  await expect(stranger.locator("main")).not.toContainText(main);
  await open(page, info, "/filings");
  await expect(page.getByTestId("record").filter({ hasText: main }).getByTestId("record-site").filter({ hasText: domain })).toHaveAttribute("data-status", "cancelled");
  await expect(page.getByTestId("filing").filter({ hasText: "注销网站" }).first()).toContainText("已注销，公共查询不再显示");

  // Somebody else may now file the domain: the type check says 首次备案.
  await register(stranger, info);
  await open(stranger, info, "/filings/new");
  await stranger.getByLabel("主办单位证件号码").fill(freshUscc());
  await stranger.getByLabel("网站域名").fill(domain);
  await stranger.getByRole("button", { name: "检查备案类型" }).click();
  await expect(stranger.getByTestId("detection")).toContainText("备案类型：首次备案");
});

test("without JavaScript the 注销 form posts, never puts the 备案密码 in an address, and says when it failed", async ({ page, browser }, info) => {
  test.setTimeout(180_000);
  await register(page, info);
  const domain = `${unique(info, "nj")}.cn`;
  const { main, password } = await filed(page, browser, info, domain, freshUscc());
  await open(page, info, "/filings");
  const href = await page.getByTestId("record").filter({ hasText: main }).getByTestId("act-cancel_website").getAttribute("href");
  // The same session in a browser with JavaScript off.
  const ctx = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState(), viewport: page.viewportSize()!, locale: "zh-CN" });
  const nojs = await ctx.newPage();
  const addresses: string[] = [];
  nojs.on("request", (r) => addresses.push(r.url()));
  await nojs.goto(href!);
  await nojs.getByLabel("备案密码").fill("Wrong-pass1");
  await nojs.getByLabel("注销理由").selectOption({ label: "网站已停办" });
  await nojs.getByTestId("act-submit").click();
  await expect(nojs).toHaveURL(/\/filings\/act\?.*failed=1/);
  await expect(nojs.getByTestId("plain-failed")).toBeVisible();
  await nojs.getByLabel("备案密码").fill(password);
  await nojs.getByLabel("注销理由").selectOption({ label: "网站已停办" });
  await nojs.getByTestId("act-submit").click();
  await expect(nojs).toHaveURL(/\/filings\/[a-z0-9]{20}$/);
  await expect(nojs.getByTestId("filing-status")).toContainText("待核实");
  expect(addresses.filter((a) => a.includes(password) || a.includes("Wrong-pass1"))).toEqual([]);
});

test("the provider changes a client's website for it with the client's username and 备案密码; the website's history shows who did what", async ({ page, browser }, info) => {
  test.setTimeout(240_000);
  const phone = info.project.name === "phone";
  const username = await register(page, info);
  const domain = `${unique(info, "db")}.cn`;
  const cert = freshUscc();
  const { main, password, clerk, bureau } = await filed(page, browser, info, domain, cert);

  // The clerk finds the client's website in 已接入网站 and starts 变更网站 for it.
  await open(clerk, info, `/provider/sites?q=${domain}`);
  const row = clerk.getByTestId("site-row").filter({ hasText: domain });
  await row.getByTestId("on-behalf-menu").locator("summary").click();
  await row.getByTestId("act-change_website").click();
  await expect(clerk.getByTestId("on-behalf")).toContainText("代为办理");
  await expect(clerk.getByTestId("act-target")).toContainText(domain);
  // Both the username and the 备案密码 are needed; a wrong one is refused without saying which.
  await clerk.getByLabel("备案密码").fill(password);
  await clerk.getByTestId("act-submit").click();
  await expect(clerk.getByTestId("error-client")).not.toBeEmpty();
  await clerk.getByLabel("主办者用户名").fill(`${username}x`);
  await clerk.getByTestId("act-submit").click();
  await expect(clerk.getByTestId("error-proof")).toContainText("用户名或备案密码不正确");
  await clerk.getByLabel("主办者用户名").fill(username);
  if (phone) await expectNoHorizontalScroll(clerk);
  await clerk.getByTestId("act-submit").click();
  // The same wizard, for the clerk (once it is interactive).
  await expect(clerk.locator(".stepper__step--current")).toContainText("网站信息");
  await expect(clerk.locator("body")).toHaveAttribute("data-hydrated", "true");
  await clerk.getByLabel("网站名称").fill("代办资讯服务网");
  await next(clerk, "材料");
  await next(clerk, "确认");
  await clerk.getByTestId("submit").click();
  await expect(clerk.getByTestId("submitted")).toBeVisible();
  await clerk.getByTestId("submitted-next").click();
  await expect(clerk.getByTestId("review-status")).toContainText("待核实");
  await clerkPasses(clerk, info, domain, "change_website", true);
  await bureauApproves(bureau, info, domain, "change_website");

  // The client was told, and sees it as its own, done by the provider.
  await mailTo(`${username}@example.com`, "代为提交");
  await open(page, info, "/filings");
  const site = page.getByTestId("record").filter({ hasText: main }).getByTestId("record-site").filter({ hasText: domain });
  await expect(site).toContainText("代办资讯服务网");
  await site.getByTestId("site-history").click();
  await expect(page.getByTestId("history-licence")).toHaveText(`${main}-1`);
  const entries = page.getByTestId("history-entry");
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toHaveAttribute("data-kind", "first_filing");
  const change = entries.nth(1);
  await expect(change).toHaveAttribute("data-kind", "change_website");
  await expect(change.getByTestId("change").filter({ hasText: "网站名称" }).locator(".diff__new")).toHaveText("代办资讯服务网");
  await expect(change.getByTestId("timeline")).toContainText("接入服务商代为办理");
  await expect(change.getByTestId("timeline")).toContainText("管局");
  // Staff names are for staff.
  await expect(page.getByTestId("history")).not.toContainText("接入商核实员");
  if (phone) await expectNoHorizontalScroll(page);
  await open(clerk, info, `/provider/sites?q=${domain}`);
  await clerk.getByTestId("site-row").filter({ hasText: domain }).getByTestId("site-history").click();
  await expect(clerk.getByTestId("history")).toContainText("接入商核实员");

  // 新增网站 for the client, from the console's type check: the same proof, the same wizard, …号-2.
  const domain2 = `${unique(info, "db2")}.cn`;
  await open(clerk, info, "/provider/sites");
  await clerk.getByTestId("add-for-client").click();
  await clerk.getByLabel("主办单位证件号码").fill(cert);
  await clerk.getByLabel("网站域名").fill(domain2);
  await clerk.getByRole("button", { name: "检查备案类型" }).click();
  await expect(clerk.getByTestId("detection")).toContainText("新增网站");
  await clerk.getByLabel("主办者用户名").fill(username);
  await clerk.getByLabel("备案密码").fill(password);
  if (phone) await expectNoHorizontalScroll(clerk);
  await clerk.getByTestId("start").click();
  await expect(clerk.locator(".stepper__step--current")).toContainText("主体信息");
  await websiteToSubmit(clerk);
  await clerk.getByTestId("submitted-next").click();
  await expect(clerk.getByTestId("review-status")).toContainText("待核实");
  await clerkPasses(clerk, info, domain2, "new_website", true);
  expect(await bureauApproves(bureau, info, domain2, "new_website")).toContain(`${main}-2`);
});

test("without JavaScript the provider's 代为办理 form posts, keeps the password and username out of every address, and says when it failed", async ({ page, browser }, info) => {
  test.setTimeout(180_000);
  const username = await register(page, info);
  const domain = `${unique(info, "pj")}.cn`;
  const { password, clerk } = await filed(page, browser, info, domain, freshUscc());
  await open(clerk, info, `/provider/sites?q=${domain}`);
  const href = await clerk.getByTestId("site-row").filter({ hasText: domain }).getByTestId("act-cancel_website").getAttribute("href");
  // The clerk's session in a browser with JavaScript off.
  const ctx = await browser.newContext({ javaScriptEnabled: false, storageState: await clerk.context().storageState(), viewport: page.viewportSize()!, locale: "zh-CN" });
  const nojs = await ctx.newPage();
  const addresses: string[] = [];
  nojs.on("request", (r) => addresses.push(r.url()));
  await nojs.goto(href!);
  await nojs.getByLabel("主办者用户名").fill(username);
  await nojs.getByLabel("备案密码").fill("Wrong-pass1");
  await nojs.getByLabel("注销理由").selectOption({ label: "网站已停办" });
  await nojs.getByTestId("act-submit").click();
  await expect(nojs).toHaveURL(/\/provider\/act\?.*failed=1/);
  await expect(nojs.getByTestId("plain-failed")).toBeVisible();
  await nojs.getByLabel("主办者用户名").fill(username);
  await nojs.getByLabel("备案密码").fill(password);
  await nojs.getByLabel("注销理由").selectOption({ label: "网站已停办" });
  await nojs.getByTestId("act-submit").click();
  // Filed for the client at once: the clerk lands on its 核实 page.
  await expect(nojs).toHaveURL(/\/provider\/filings\/[a-z0-9]{20}$/);
  expect(addresses.filter((a) => a.includes(password) || a.includes("Wrong-pass1") || a.includes(username))).toEqual([]);
});
