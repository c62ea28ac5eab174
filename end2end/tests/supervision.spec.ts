// Supervision (issue 15): a log shipper reports what our servers served; a
// clerk finds the unfiled domain, handles it as 已关停 and sees the
// statistics change (also without JavaScript: the lists are GET forms and
// 处理 posts plainly); the 管局 blacklists a domain, the type check refuses
// it, the provider finds it, and a stranger on a phone finds it with
// 违法违规查询.
import { expect, test, type TestInfo } from "@playwright/test";
import { expectNoHorizontalScroll, jsEnabled, open } from "./helpers";
import { ADMIN, ADMIN_PASSWORD, CLERK, CLERK_PASSWORD, freshUscc, register, signIn, staffPage, unique } from "./filing";

/** The same test's info, as a project that runs JavaScript (for a helper page the test opens beside its own). */
const withScript = (info: TestInfo) => ({ ...info, project: { ...info.project, name: "desktop" } }) as TestInfo;

test("a shipper's report becomes a detection the clerk handles as shut down, and the statistics change", async ({ page, browser, request }, info) => {
  test.setTimeout(120_000);
  // The administrator makes a token for the shipper (a page that needs JavaScript).
  const admin = await (await browser.newContext({ locale: "zh-CN", javaScriptEnabled: true, viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false })).newPage();
  await signIn(admin, withScript(info), ADMIN, "/login?next=/admin/tokens", ADMIN_PASSWORD);
  await open(admin, withScript(info), "/admin/tokens");
  const tokenName = `e2e ${unique(info, "token")}`;
  await admin.getByLabel("名称").fill(tokenName);
  await admin.getByRole("button", { name: "创建令牌" }).click();
  const token = (await admin.getByTestId("token-value").textContent())!.trim();
  expect(token).toMatch(/^bk_/);

  // The shipper reports a host our server at 1.2.4.8 served, and one bad observation.
  const domain = `${unique(info, "unfiled")}.cn`;
  const now = Math.floor(Date.now() / 1000);
  const observations = [
    { serverIp: "1.2.4.8", host: `WWW.${domain.toUpperCase()}:443`, firstSeen: now - 3600, lastSeen: new Date((now - 60) * 1000).toISOString(), hits: 42 },
    { serverIp: "not an ip", host: "x.cn", firstSeen: now, lastSeen: now },
  ];
  const sent = await request.post("/api/v1/detections", { headers: { Authorization: `Bearer ${token}` }, data: { observations } });
  expect(sent.status()).toBe(200);
  const report = await sent.json();
  expect(report.newDetections).toBe(1);
  expect(report.rejected).toBe(1);
  expect((await request.post("/api/v1/detections", { headers: { Authorization: "Bearer bk_wrong" }, data: { observations } })).status()).toBe(401);

  // The clerk, in this project's browser (with or without JavaScript).
  await signIn(page, info, CLERK, "/login?next=/provider/unfiled", CLERK_PASSWORD);
  await open(page, info, `/provider/unfiled-stats?group=state&domain=${domain}`);
  await expect(page.locator("[data-testid=unfiled-stats-row][data-key=open] [data-testid=unfiled-stats-total]")).toHaveText("1");
  await expect(page.locator("[data-testid=unfiled-stats-row][data-key=closed]")).toHaveCount(0);

  await open(page, info, "/provider/unfiled");
  await page.getByTestId("unfiled-domain").fill(domain);
  await page.getByTestId("unfiled-go").click();
  await expect(page).toHaveURL(new RegExp(`domain=${domain}`));
  const row = page.locator(`[data-testid=unfiled-row][data-domain="${domain}"]`);
  await expect(row).toContainText("未备案");
  await expect(row).toContainText("1.2.4.8");
  await expect(row).toContainText("待处理");
  await expectNoHorizontalScroll(page);
  await row.getByTestId("unfiled-handle-link").click();
  await expect(page.getByTestId("unfiled-domain-title")).toHaveText(domain);
  await expect(page.getByTestId("unfiled-history")).toContainText("日志采集");
  // 误报 needs a reason: told before anything is sent (with JavaScript), or by the answer (without).
  if (jsEnabled(info)) {
    await page.getByTestId("result-false_positive").check();
    await page.getByTestId("handle-submit").click();
    await expect(page.getByText("误报请说明原因")).toBeVisible();
  }
  await page.getByTestId("result-closed").check();
  await page.getByTestId("handle-comment").fill("已通知客户，服务器上的站点已关停");
  await page.getByTestId("handle-submit").click();
  await expect(page.getByTestId("handled")).toBeVisible();
  await expect(page.getByTestId("unfiled-state-now")).toHaveText("已关停");
  await expect(page.getByTestId("unfiled-handlings")).toContainText("已通知客户");
  await expectNoHorizontalScroll(page);

  // The statistics changed; 浏览 goes down to the records.
  await open(page, info, `/provider/unfiled-stats?group=state&domain=${domain}`);
  await expect(page.locator("[data-testid=unfiled-stats-row][data-key=closed] [data-testid=unfiled-stats-total]")).toHaveText("1");
  await expect(page.locator("[data-testid=unfiled-stats-row][data-key=open]")).toHaveCount(0);
  await expect(page.getByTestId("unfiled-chart").locator("svg")).toBeVisible();
  await page.locator("[data-testid=unfiled-stats-row][data-key=closed]").getByTestId("unfiled-browse").click();
  await expect(page).toHaveURL(/state=closed/);
  await expect(page.locator(`[data-testid=unfiled-row][data-domain="${domain}"]`)).toContainText("已关停");

  // The token is revoked; the shipper is refused from then on.
  await open(admin, withScript(info), "/admin/tokens");
  const mine = admin.getByTestId("token-row").filter({ hasText: tokenName });
  await expect(mine).toContainText("bk_");
  await mine.getByTestId("token-revoke").click();
  await expect(mine).toContainText("已吊销");
  expect((await request.post("/api/v1/detections", { headers: { Authorization: `Bearer ${token}` }, data: { observations } })).status()).toBe(401);
});

test("the 管局 blacklists a domain: the type check refuses it, the provider finds it, a stranger looks it up", async ({ page, browser }, info) => {
  test.skip(!jsEnabled(info), "the blacklist form and the type check need JavaScript");
  test.setTimeout(120_000);
  const domain = `${unique(info, "listed")}.cn`;
  const bureau = await staffPage(browser, page, info, "bureau");
  await open(bureau, info, "/bureau/blacklist");
  // Checked in the browser first.
  await bureau.getByTestId("bk-submit").click();
  await expect(bureau.getByTestId("blacklist-add")).toContainText("必填");
  await bureau.getByTestId("bk-domain").fill(domain);
  await bureau.getByTestId("bk-public").fill("违法违规网站");
  await bureau.getByTestId("bk-reason").fill("e2e：传播违法信息");
  await bureau.getByTestId("bk-submit").click();
  await expect(bureau.getByTestId("blacklist-table")).toContainText(domain);

  // A registrant's type check refuses the domain.
  await register(page, info);
  await open(page, info, "/filings/new");
  await page.getByLabel("主办单位证件号码").fill(freshUscc());
  await page.getByLabel("网站域名").fill(domain);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await expect(page.getByText("已被列入备案信息黑名单").first()).toBeVisible();
  await expect(page.getByTestId("start")).toHaveCount(0);

  // The provider's 黑名单查询, by domain.
  const clerk = await staffPage(browser, page, info, "clerk");
  await open(clerk, info, "/provider/blacklist");
  await clerk.getByTestId("by-domain").check();
  await clerk.getByTestId("blacklist-value").fill(domain);
  await clerk.getByTestId("blacklist-go").click();
  await expect(clerk.getByTestId("blacklist-what")).toHaveText(domain);
  await clerk.getByTestId("blacklist-details").locator("summary").click();
  await expect(clerk.getByTestId("blacklist-details")).toContainText("e2e：传播违法信息");

  // A stranger on the public query, without JavaScript.
  const stranger = await (await browser.newContext({ viewport: page.viewportSize()!, isMobile: info.project.name.startsWith("phone"), locale: "zh-CN", javaScriptEnabled: false })).newPage();
  await stranger.goto("/query");
  await stranger.getByTestId("violation-box").locator("summary").click();
  await stranger.getByTestId("violation-input").fill(`https://www.${domain}/`);
  await stranger.getByTestId("violation-go").click();
  await expect(stranger.getByTestId("violation-listed")).toContainText("违法违规网站");
  await expect(stranger.getByTestId("violation-listed")).not.toContainText("e2e");
  await expectNoHorizontalScroll(stranger);
  await stranger.getByTestId("violation-input").fill("surely-not-listed-example.cn");
  await stranger.getByTestId("violation-go").click();
  await expect(stranger.getByTestId("violation-clear")).toBeVisible();
});
