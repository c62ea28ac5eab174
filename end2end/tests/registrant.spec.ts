import { expect, test } from "@playwright/test";
import { expectNoHorizontalScroll, jsEnabled, open } from "./helpers";
import { detectAndStart, next, png, register, signIn, unique } from "./filing";

// The registrant's side needs JavaScript (the wizard checks fields in the
// browser); the no-JavaScript projects skip it.
test.beforeEach(async ({}, info) => {
  test.skip(!jsEnabled(info), "the filing wizard needs JavaScript");
});

test("register, sign in, file all five steps, leave and come back, submit", async ({ page, context }, info) => {
  const username = await register(page, info);
  // Sign out and in again, through the account page and the sign-in form.
  await open(page, info, "/account");
  await page.getByTestId("logout").click();
  await expect(page).toHaveURL(/\/$/);
  await signIn(page, info, username);

  const domain = `${unique(info, "site")}.cn`;
  await detectAndStart(page, info, domain);
  if (info.project.name === "phone") await expectNoHorizontalScroll(page);

  // ① 主体信息. Wrong check digits are caught in the browser, before any request.
  const requests: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/")) requests.push(r.url());
  });
  await page.getByLabel("主办单位性质").selectOption({ label: "企业" });
  await page.getByLabel("主办单位证件类型").selectOption({ label: "营业执照（个人或企业）" });
  const uscc = page.getByLabel("主办单位证件号码");
  await uscc.fill("91110108717743469A");
  await uscc.blur();
  await expect(page.getByTestId("error-entity.cert_number")).toContainText("号码有误，请与证件逐位核对");
  await page.locator("#entity_leader_cert_type").selectOption({ label: "居民身份证" });
  const id = page.locator("#entity_leader_cert_number");
  await id.fill("110105194912310021");
  await id.blur();
  await expect(page.getByTestId("error-entity.leader.cert_number")).toContainText("号码有误，请与证件逐位核对");
  // Submitting the step with errors does not advance and sends nothing.
  await page.getByTestId("next").click();
  await expect(page.getByTestId("step-errors")).toBeVisible();
  await expect(page.locator(".stepper__step--current")).toContainText("主体信息");
  expect(requests, "no request while the browser finds errors").toEqual([]);
  if (info.project.name === "phone") await expectNoHorizontalScroll(page);

  await uscc.fill("91110108717743469K");
  await id.fill("11010519491231002X");
  await expect(page.getByTestId("error-entity.cert_number")).toBeEmpty();
  await page.getByLabel("主办单位名称").fill("北京百度网讯科技有限公司");
  await page.getByLabel("证件住所").fill("北京市海淀区上地十街10号");
  await page.getByLabel("通信地址（省份）").selectOption({ label: "北京" });
  await page.getByLabel("通信地址（详细地址）").fill("北京市海淀区上地十街10号百度大厦");
  await page.getByLabel("投资者或上级主管单位").fill("北京百度网讯科技有限公司");
  await page.locator("#entity_leader_name").fill("张三");
  await page.locator("#entity_leader_valid_from").fill("20200101");
  await page.locator("#entity_leader_mobile").fill("13800138000");
  await page.locator("#entity_leader_phone").fill("086-010-12345678");
  await page.locator("#entity_leader_emergency_phone").fill("13900139000");
  await page.locator("#entity_leader_email").fill("zhang@example.com");
  await next(page, "网站信息");

  // ② 网站信息: the domain from the type check is filled in.
  await expect(page.getByLabel("网站域名")).toHaveValue(domain);
  await expect(page.getByLabel("网站首页URL")).toHaveValue(`www.${domain}`);
  await page.getByLabel("网站名称").fill("百度搜索服务网");
  await page.getByRole("checkbox", { name: "搜索引擎" }).check();
  await page.getByRole("checkbox", { name: "以上都不涉及" }).check();
  if (info.project.name === "phone") await expectNoHorizontalScroll(page);
  await next(page, "接入信息");

  // ③ 接入信息: this provider is the default.
  await expect(page.getByLabel("接入服务商")).toHaveValue(/有限公司/);
  await page.getByLabel("网站IP地址").fill("10.0.0.1");
  await page.getByLabel("网站IP地址").blur();
  await expect(page.getByTestId("error-websites[0].access.ips")).toContainText("10.0.0.1");
  await page.getByLabel("网站IP地址").fill("1.2.4.8");
  await page.getByLabel("服务器放置地").selectOption({ label: "北京" });
  await next(page, "材料");

  // ④ 材料: uploads are checked, stored and previewed.
  await page.locator("#file-entity_cert").setInputFiles({ name: "licence.pdf", mimeType: "application/pdf", buffer: Buffer.from("not really a pdf, just text") });
  await expect(page.getByTestId("error-materials.entity_cert")).toContainText(/JPG|PDF|损坏/);
  await page.locator("#file-entity_cert").setInputFiles({ name: "licence.png", mimeType: "image/png", buffer: png() });
  await expect(page.getByTestId("material-entity_cert").locator("img.material__preview")).toBeVisible();
  await page.locator("#file-leader_photo").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: png() });
  await expect(page.getByTestId("material-leader_photo").getByRole("link", { name: "photo.png" })).toBeVisible();
  if (info.project.name === "phone") await expectNoHorizontalScroll(page);

  // Close the page mid-wizard; come back in a new one.
  await page.close();
  const again = await context.newPage();
  await open(again, info, "/filings/new");
  await expect(again.getByTestId("resume")).toContainText(domain);
  await again.getByTestId("continue").click();
  await expect(again.locator(".stepper__step--current")).toContainText("材料");
  await expect(again.getByTestId("material-entity_cert").getByRole("link", { name: "licence.png" })).toBeVisible();
  await next(again, "确认");

  // ⑤ 确认: everything on one page, with edit links.
  await expect(again.getByTestId("review-entity")).toContainText("北京百度网讯科技有限公司");
  await expect(again.getByTestId("review-website-0")).toContainText(domain);
  // Every field that will be filed is there, the 负责人 in full (issue 10).
  for (const v of ["12345678", "13900139000", "20200101", "居民身份证"]) {
    await expect(again.getByTestId("review-entity")).toContainText(v);
  }
  // A completed step is one click away in the step indicator, and back again.
  await again.getByTestId("goto-step-2").click();
  await expect(again.locator(".stepper__step--current")).toContainText("网站信息");
  await again.getByTestId("goto-step-5").click();
  await expect(again.locator(".stepper__step--current")).toContainText("确认");
  if (info.project.name === "phone") {
    // The sticky buttons take at most 15 % of the screen; the header's words never break.
    const bar = await again.locator(".wizard__actions").boundingBox();
    expect(bar!.height / again.viewportSize()!.height).toBeLessThanOrEqual(0.15);
    for (const link of await again.locator(".site-header__link:visible").all()) {
      expect((await link.boundingBox())!.height).toBeLessThanOrEqual(50);
    }
  }
  await again.getByTestId("edit-2").click();
  await expect(again.locator(".stepper__step--current")).toContainText("网站信息");
  await next(again, "接入信息");
  await next(again, "材料");
  await next(again, "确认");
  if (info.project.name === "phone") await expectNoHorizontalScroll(again);
  await again.getByTestId("submit").click();
  await expect(again.getByTestId("submitted")).toContainText("等待接入服务商核实");

  // The list shows it, waiting for the provider; the detail page has the timeline.
  await open(again, info, "/filings");
  const item = again.getByTestId("filing").filter({ hasText: domain });
  await expect(item).toHaveAttribute("data-status", "pending_verification");
  await expect(item).toContainText("待核实");
  await item.getByRole("link").click();
  await expect(again.getByTestId("filing-status")).toContainText("待核实");
  await expect(again.getByTestId("timeline")).toContainText("提交备案");
  if (info.project.name === "phone") await expectNoHorizontalScroll(again);
});

test("discard an unfinished filing and start again", async ({ page }, info) => {
  await register(page, info);
  const first = `${unique(info, "old")}.cn`;
  await detectAndStart(page, info, first);
  await page.getByLabel("主办单位名称").fill("写了一半的单位名称");
  await page.getByTestId("save-exit").click();
  await expect(page).toHaveURL(/\/filings$/);
  await expect(page.getByTestId("filing").filter({ hasText: first })).toHaveAttribute("data-status", "draft");

  await open(page, info, "/filings/new");
  await expect(page.getByTestId("resume")).toContainText(first);
  await page.getByTestId("discard").click();
  // Discarding asks first; cancelling keeps it.
  await expect(page.getByRole("alertdialog")).toContainText("不能恢复");
  await page.getByTestId("discard-yes").click();
  await expect(page.getByRole("button", { name: "检查备案类型" })).toBeVisible();

  const second = `${unique(info, "new")}.cn`;
  await detectAndStart(page, info, second);
  await expect(page.getByLabel("主办单位名称")).toHaveValue("");
  await open(page, info, "/filings");
  await expect(page.getByTestId("filing").filter({ hasText: first })).toHaveCount(0);
});

test("an expired session loses nothing typed", async ({ page, context }, info) => {
  const username = await register(page, info);
  const domain = `${unique(info, "exp")}.cn`;
  await detectAndStart(page, info, domain);
  await page.getByLabel("主办单位名称").fill("会话过期时正在填写的单位");
  await page.getByLabel("证件住所").fill("上海市浦东新区世纪大道100号");
  // The session ends (expiry is simulated by dropping the cookie).
  await context.clearCookies();
  await page.getByTestId("save-exit").click();
  await expect(page.getByTestId("session-expired")).toBeVisible();
  await page.getByTestId("session-expired").getByRole("link").click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await signIn(page, info, username, page.url().replace(/^https?:\/\/[^/]+/, ""));
  await expect(page).toHaveURL(/\/filings\/new$/);
  // The wizard is a page that needs its script (it says so without one):
  // its buttons act once it has hydrated.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByTestId("continue").click();
  await expect(page.getByLabel("主办单位名称")).toHaveValue("会话过期时正在填写的单位");
  await expect(page.getByLabel("证件住所")).toHaveValue("上海市浦东新区世纪大道100号");
});
