import { expect, test } from "@playwright/test";
import { expectNoHorizontalScroll, jsEnabled, open, search } from "./helpers";
import { BUREAU, BUREAU_PASSWORD, CLERK, CLERK_PASSWORD } from "./filing";

// Issue 10: what a person meets. One test per defect fixed.

test("staff land where they work after signing in", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "checked with JavaScript; the plain form lands the same way (HTTP tests)");
  await open(page, info, "/login");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("用户登录");
  await page.getByLabel("用户名").fill(CLERK);
  await page.getByLabel("密码", { exact: true }).fill(CLERK_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/provider$/);
  await expect(page.getByText("您没有权限进行此操作")).toHaveCount(0);
  const other = await (await page.context().browser()!.newContext({ viewport: page.viewportSize()! })).newPage();
  await open(other, info, "/login");
  await other.getByLabel("用户名").fill(BUREAU);
  await other.getByLabel("密码", { exact: true }).fill(BUREAU_PASSWORD);
  await other.getByRole("button", { name: "登录", exact: true }).click();
  await expect(other).toHaveURL(/\/bureau$/);
});

test("the language switch after a search keeps the search", async ({ page }, info) => {
  await open(page, info, "/query");
  await search(page, "有限公司");
  await expect(page).toHaveURL(/\/query\?q=/);
  expect(page.url(), "no stray empty field in the address").not.toContain("&=");
  const href = await page.getByTestId("lang-switch").getAttribute("href");
  expect(href).toContain("next=/query%3Fq%3D");
  if (jsEnabled(info)) {
    await page.getByTestId("lang-switch").click();
  } else {
    await page.goto(href!);
  }
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Public ICP filing query");
  await expect(page).toHaveURL(/\/query\?q=/);
  await expect(page.getByTestId("query-total")).toBeVisible();
});

test("a punctuation-only query and a page past the last say what is wrong", async ({ page }, info) => {
  await open(page, info, "/query?q=" + encodeURIComponent("、、——"));
  await expect(page.getByTestId("query-error")).toContainText("不含文字或数字");
  await open(page, info, "/query?q=" + encodeURIComponent("有限公司") + "&page=99");
  await expect(page.getByTestId("query-past-end")).toContainText("共");
  await page.getByTestId("query-past-end").getByRole("link").click();
  await expect(page.getByTestId("query-total")).toBeVisible();
});

test("without JavaScript, registration goes past the 接受 screens and script pages say they need it", async ({ page }, info) => {
  test.skip(jsEnabled(info), "the no-JavaScript projects");
  await open(page, info, "/register");
  await page.getByTestId("accept").click();
  await expect(page).toHaveURL(/stage=1/);
  await page.getByTestId("accept").click();
  await expect(page).toHaveURL(/stage=2/);
  await expect(page.getByLabel("用户名")).toBeVisible();
  for (const path of ["/filings/new", "/filings", "/provider"]) {
    await open(page, info, path);
    await expect(page.getByTestId("needs-script")).toContainText("需要启用 JavaScript");
  }
});

test("two tabs on one draft: the older page's save is refused and nothing typed is lost silently", async ({ page, context }, info) => {
  test.skip(!jsEnabled(info), "the wizard needs JavaScript");
  const { register, detectAndStart, freshUscc, unique } = await import("./filing");
  await register(page, info);
  const cert = freshUscc();
  await detectAndStart(page, info, `${unique(info, "tabs")}.cn`, cert);
  const other = await context.newPage();
  await open(other, info, "/filings/new");
  await other.getByTestId("continue").click();
  await expect(other.locator(".stepper__step--current")).toContainText("主体信息");
  // The first tab saves.
  await page.getByLabel("投资者或上级主管单位").fill("第一个窗口");
  await page.getByTestId("save-exit").click();
  await expect(page).toHaveURL(/\/filings$/);
  // The second, opened before that save, is refused with a plain message.
  await other.getByLabel("投资者或上级主管单位").fill("第二个窗口");
  await other.getByTestId("save-exit").click();
  await expect(other.getByRole("alert").filter({ hasText: "已在其他窗口或设备修改" })).toBeVisible();
  // Leaving with unsaved typing asks first.
  let asked = false;
  other.on("dialog", async (d) => {
    asked = d.type() === "beforeunload";
    await d.dismiss();
  });
  await other.getByLabel("投资者或上级主管单位").fill("第二个窗口，再改一次");
  await other.close({ runBeforeUnload: true });
  await expect.poll(() => asked).toBe(true);
  // The newer data was kept.
  await open(page, info, "/filings/new");
  await page.getByTestId("continue").click();
  await expect(page.getByLabel("投资者或上级主管单位")).toHaveValue("第一个窗口");
});

test("back and forward after typing never break the app", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "history navigation inside the app needs JavaScript");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (process.env.DEBUG_E2E) console.log("CONSOLE", m.text().slice(0, 400)); });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const { register, freshUscc, unique, next, fillEntityStep } = await import("./filing");
  await register(page, info);
  const cert = freshUscc();
  // Into the wizard inside the app (client-side), as a person clicks.
  await page.getByRole("link", { name: "我的备案" }).first().click();
  await expect(page).toHaveURL(/\/filings$/);
  await page.locator('a[href="/filings/new"]').first().click();
  await expect(page).toHaveURL(/\/filings\/new$/);
  const domain = `${unique(info, "back")}.cn`;
  await page.getByLabel("主办单位证件号码").fill(cert);
  await page.getByLabel("网站域名").fill(domain);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await page.getByTestId("start").click();
  await expect(page.locator(".stepper__step--current")).toContainText("主体信息");
  await fillEntityStep(page, cert);
  await next(page, "网站信息");
  // Typing on step 2, then the browser's Back and Forward.
  await page.getByLabel("网站名称").fill("星河搜索服务网");
  await page.goBack();
  await page.goForward();
  await page.goBack();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // The app still works: the list, then the wizard again with what was typed.
  await page.getByRole("link", { name: "我的备案" }).first().click();
  await expect(page).toHaveURL(/\/filings$/);
  await expect(page.getByTestId("filing").first()).toBeVisible();
  // What was typed on step 2 is kept.
  await page.locator('a[href="/filings/new"]').first().click();
  await page.getByTestId("continue").click();
  await expect(page.getByTestId("restored")).toBeVisible();
  await expect(page.getByLabel("网站名称")).toHaveValue("星河搜索服务网");
  await page.goBack();
  await page.goForward();
  // Every link still works.
  await page.getByRole("link", { name: "公共查询" }).click();
  await expect(page).toHaveURL(/\/query$/);
  await page.getByLabel("域名、备案号或主办单位名称").fill("有限公司");
  await page.getByRole("button", { name: "查询", exact: true }).click();
  await expect(page.getByTestId("query-total")).toBeVisible();
  await page.goBack();
  await page.goBack();
  await page.goForward();
  await page.goForward();
  await expect(page.getByTestId("query-total")).toBeVisible();
  expect(errors.filter((e) => /panicked|unreachable|disposed/i.test(e))).toEqual([]);
});

test("a USCC with a wrong check character is told so, without the character that would pass", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "the type check needs JavaScript");
  const { register } = await import("./filing");
  await register(page, info);
  await open(page, info, "/filings/new");
  await page.getByLabel("主办单位证件号码").fill("911101087177434690");
  await page.getByLabel("网站域名").fill("uscc-check.cn");
  await page.getByRole("button", { name: "检查备案类型" }).click();
  const error = page.getByTestId("error-cert_number");
  await expect(error).toContainText("号码有误，请与证件逐位核对");
  await expect(error).not.toContainText("只含数字");
  await expect(error).not.toContainText("应为");
});

test("注册 and 开始备案 are on the home page's first screen", async ({ page }, info) => {
  await open(page, info, "/");
  for (const id of ["home-start", "home-register"]) {
    const box = await page.getByTestId(id).boundingBox();
    expect(box, id).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(page.viewportSize()!.height);
  }
  await page.getByTestId("home-register").click();
  await expect(page).toHaveURL(/\/register$/);
});

test("names refuse what does not belong, full-width is folded, a pasted web address becomes its domain, and every input has its length", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "the wizard needs JavaScript");
  test.setTimeout(90_000);
  const { register, freshUscc, unique, fillEntityStep, fillWebsiteAndAccess, next } = await import("./filing");
  await register(page, info);
  await open(page, info, "/filings/new");
  const wide = (s: string) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
  const cert = freshUscc();
  const domain = `${unique(info, "clean")}.cn`;
  // The type check: a full-width code and a pasted web address.
  await page.getByLabel("主办单位证件号码").fill(wide(cert));
  await page.getByLabel("网站域名").fill(`https://www.${domain}/index.html`);
  await page.getByLabel("网站域名").blur();
  await expect(page.getByLabel("网站域名")).toHaveValue(domain);
  await expect(page.getByTestId("domains-cleaned")).toContainText(`改为“${domain}”`);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await expect(page.getByTestId("detection")).toContainText("备案类型：首次备案");
  await page.getByTestId("start").click();
  await expect(page.locator(".stepper__step--current")).toContainText("主体信息");
  await fillEntityStep(page, cert);
  // One rule per kind of name: emoji and Cyrillic are refused, naming the character.
  const unit = page.getByLabel("主办单位名称");
  await unit.fill("北京星辰😀科技有限公司");
  await unit.blur();
  await expect(page.getByTestId("error-entity.unit_name")).toContainText("不能含有“😀”");
  await page.getByLabel("通信地址（详细地址）").fill("Москва, улица 1号");
  await page.getByLabel("通信地址（详细地址）").blur();
  await expect(page.getByTestId("error-entity.address")).toContainText("不能含有“М”");
  await page.locator("#entity_leader_name").fill("Иван");
  await page.locator("#entity_leader_name").blur();
  await expect(page.getByTestId("error-entity.leader.name")).toContainText("只能使用汉字或字母");
  // Fixed, with full-width letters and digits and a Japanese middle dot: folded as they are left.
  await unit.fill("北京ＡＢＣ科技有限公司");
  await unit.blur();
  await expect(unit).toHaveValue("北京ABC科技有限公司");
  await expect(page.getByTestId("error-entity.unit_name")).toBeEmpty();
  await page.getByLabel("通信地址（详细地址）").fill("北京市海淀区上地十街１０号");
  await page.getByLabel("通信地址（详细地址）").blur();
  await expect(page.getByLabel("通信地址（详细地址）")).toHaveValue("北京市海淀区上地十街10号");
  await page.locator("#entity_leader_name").fill("阿卜杜拉・买买提");
  await page.locator("#entity_leader_name").blur();
  await expect(page.locator("#entity_leader_name")).toHaveValue("阿卜杜拉·买买提");
  await page.locator("#entity_leader_mobile").fill(wide("13800138000"));
  await page.locator("#entity_leader_mobile").blur();
  await expect(page.locator("#entity_leader_mobile")).toHaveValue("13800138000");
  // Inputs take no more than their rules allow.
  await expect(unit).toHaveAttribute("maxlength", "100");
  await expect(page.locator("#entity_leader_name")).toHaveAttribute("maxlength", "30");
  await expect(page.locator("#entity_leader_mobile")).toHaveAttribute("maxlength", "20");
  await expect(page.locator("#entity_remark")).toHaveAttribute("maxlength", "200");
  await next(page, "网站信息");
  await expect(page.getByLabel("网站名称")).toHaveAttribute("maxlength", "50");
  // A pasted web address in the website's domains is cleaned with a notice too.
  const domains = page.locator("#websites_0__domains");
  await domains.fill(`http://${domain}/about`);
  await domains.blur();
  await expect(domains).toHaveValue(domain);
  await expect(page.getByTestId("domains-cleaned")).toBeVisible();
  if (info.project.name === "phone") await expectNoHorizontalScroll(page);
  await fillWebsiteAndAccess(page);
  await next(page, "材料");
  // Each slot says what it takes, and a wrong file is told so in those words.
  await expect(page.getByTestId("material-leader_photo")).toContainText("JPG 或 PNG 图片，不超过 5 MB");
  await expect(page.getByTestId("material-entity_cert")).toContainText("JPG、PNG 图片或 PDF 文件");
  await page.locator("#file-leader_photo").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("x".repeat(500)) });
  await expect(page.getByTestId("error-materials.leader_photo")).toContainText("只接受JPG 或 PNG 图片");
});

test("the signed-in header never cuts the name: a menu on a phone; the USCC offers its 主办单位性质", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "the wizard needs JavaScript");
  const { register, freshUscc, unique } = await import("./filing");
  const username = await register(page, info);
  const phone = info.project.name === "phone";
  if (phone) {
    await expect(page.getByTestId("me")).toBeHidden();
    await page.getByTestId("user-menu-button").click();
    const name = page.getByTestId("user-menu-name");
    await expect(name).toHaveText(username);
    // The whole name, on the screen, not cut.
    const box = (await name.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
    expect(await name.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    await page.getByTestId("user-menu").getByRole("link", { name: "账户设置" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByTestId("user-menu-name")).toBeHidden();
    await expectNoHorizontalScroll(page);
  } else {
    await expect(page.getByTestId("me")).toBeVisible();
    await expect(page.getByTestId("user-menu")).toBeHidden();
  }
  // Every header link on one line.
  for (const link of await page.locator(".site-header__nav a:visible").all()) {
    expect(await link.evaluate((e) => e.getBoundingClientRect().height), await link.textContent() ?? "").toBeLessThan(60);
  }
  // The wizard offers the 主办单位性质 the USCC says, in one click.
  await open(page, info, "/filings/new");
  await page.getByLabel("主办单位证件号码").fill(freshUscc());
  await page.getByLabel("网站域名").fill(`${unique(info, "nat")}.cn`);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await page.getByTestId("start").click();
  await expect(page.getByTestId("nature-offer")).toContainText("企业");
  await page.getByTestId("nature-take").click();
  await expect(page.getByLabel("主办单位性质")).toHaveValue("4");
  await expect(page.getByLabel("主办单位证件类型")).toHaveValue("12");
  await expect(page.getByTestId("nature-offer")).toHaveCount(0);
});
