// What the registrant does, shared by the registrant and review tests.
import { expect, type Browser, type Page, type TestInfo } from "@playwright/test";
import { open } from "./helpers";

export const PASSWORD = "s3cret-pass";

/** The demo staff accounts and the passwords the server printed for them. */
export const CLERK = "jieru";
export const BUREAU = "guanju";
export const CLERK_PASSWORD = process.env.BEIAN_E2E_CLERK_PASSWORD ?? "";
export const BUREAU_PASSWORD = process.env.BEIAN_E2E_BUREAU_PASSWORD ?? "";
export const ADMIN = "guanli";
export const ADMIN_PASSWORD = process.env.BEIAN_E2E_ADMIN_PASSWORD ?? "";

export function unique(info: TestInfo, prefix: string) {
  const n = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  return `${prefix}${info.project.name.replace(/[^a-z]/g, "")}${n}`.slice(0, 30);
}

/** A 1×1 PNG, padded so it is not mistaken for an empty file. */
export function png(): Buffer {
  const base = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    "base64",
  );
  return Buffer.concat([base, Buffer.alloc(400)]);
}

/** Register through the two 接受 screens and the form, activate with the code shown on screen: signed in. */
export async function register(page: Page, info: TestInfo): Promise<string> {
  const username = unique(info, "u");
  await open(page, info, "/register");
  await page.getByTestId("accept").click(); // 使用声明
  await expect(page.getByRole("heading", { name: "ICP信息备案流程" })).toBeVisible();
  await page.getByTestId("accept").click(); // 备案流程
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByLabel("确认密码").fill(PASSWORD);
  await page.getByLabel("联系人姓名").fill("张三");
  await page.getByLabel("手机号码").fill("13800138000");
  await page.getByLabel("电子邮箱").fill(`${username}@example.com`);
  await page.getByRole("button", { name: "注册", exact: true }).click();
  const code = (await page.getByTestId("shown-code").textContent())!.trim();
  expect(code).toMatch(/^\d{6}$/);
  await page.getByRole("link", { name: "输入验证码激活账户" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByLabel("用户名")).toHaveValue(username);
  await page.getByLabel("验证码", { exact: true }).fill(code);
  await page.getByRole("button", { name: "激活并登录" }).click();
  await expect(page).toHaveURL(/\/filings\/new$/);
  await expect(page.getByTestId("me")).toHaveText(username);
  return username;
}

export async function signIn(page: Page, info: TestInfo, username: string, path = "/login", password = PASSWORD) {
  await open(page, info, path);
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByTestId("me")).toHaveText(username);
}

export async function detectAndStart(page: Page, info: TestInfo, domain: string, cert = "91110108717743469K") {
  await open(page, info, "/filings/new");
  await page.getByLabel("主办单位证件号码").fill(cert);
  await page.getByLabel("网站域名").fill(domain);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await expect(page.getByTestId("detection")).toContainText("备案类型：首次备案");
  await expect(page.locator('[data-finding="new"]')).toContainText(domain);
  await page.getByTestId("start").click();
  await expect(page.locator(".stepper__step--current")).toContainText("主体信息");
}

export async function next(page: Page, stepName: string) {
  await page.getByTestId("next").click();
  await expect(page.locator(".stepper__step--current")).toContainText(stepName);
}

/** A valid 统一社会信用代码 for 北京 that no other run uses (GB 32100 and GB 11714 check characters). */
export function freshUscc(): string {
  const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (;;) {
    const body = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    const w = [3, 7, 9, 10, 5, 8, 4, 2];
    const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0);
    const c9 = 11 - (sum % 11);
    const org = body + (c9 === 10 ? "X" : c9 === 11 ? "0" : String(c9));
    const first17 = `91110108${org}`;
    const w18 = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    const s18 = [...first17].reduce((a, c, i) => a + alphabet.indexOf(c) * w18[i], 0);
    const c18 = (31 - (s18 % 31)) % 31;
    return first17 + alphabet[c18];
  }
}

/** Fill the five steps of a first filing for `domain` and submit it. */
/** Fill ① 主体信息 of a company with a valid 负责人. */
export async function fillEntityStep(page: Page, cert: string) {
  await page.getByLabel("主办单位性质").selectOption({ label: "企业" });
  await page.getByLabel("主办单位证件类型").selectOption({ label: "营业执照（个人或企业）" });
  await page.getByLabel("主办单位证件号码").fill(cert);
  await page.getByLabel("主办单位名称").fill("北京星河网络科技有限公司");
  await page.getByLabel("证件住所").fill("北京市海淀区上地十街10号");
  await page.getByLabel("通信地址（省份）").selectOption({ label: "北京" });
  await page.getByLabel("通信地址（详细地址）").fill("北京市海淀区上地十街");
  await page.getByLabel("投资者或上级主管单位").fill("星河集团");
  await page.locator("#entity_leader_cert_type").selectOption({ label: "居民身份证" });
  await page.locator("#entity_leader_cert_number").fill("11010519491231002X");
  await page.locator("#entity_leader_name").fill("张三");
  await page.locator("#entity_leader_valid_from").fill("20200101");
  await page.locator("#entity_leader_mobile").fill("13800138000");
  await page.locator("#entity_leader_phone").fill("010-12345678");
  await page.locator("#entity_leader_emergency_phone").fill("13900139000");
  await page.locator("#entity_leader_email").fill("zhang@example.com");
}

/** Fill ② 网站信息 (a search site, no 前置审批), go on and fill ③ 接入信息. */
export async function fillWebsiteAndAccess(page: Page) {
  await page.getByLabel("网站名称").fill("星河搜索服务网");
  await page.getByRole("checkbox", { name: "搜索引擎" }).check();
  await page.getByRole("checkbox", { name: "以上都不涉及" }).check();
  await next(page, "接入信息");
  await page.getByLabel("网站IP地址").fill("1.2.4.8");
  await page.getByLabel("服务器放置地").selectOption({ label: "北京" });
}

export async function fileFirstFiling(page: Page, info: TestInfo, domain: string, cert: string) {
  await detectAndStart(page, info, domain, cert);
  await fillEntityStep(page, cert);
  await websiteToSubmit(page);
  await expect(page.getByTestId("submitted")).toContainText("等待接入服务商核实");
}

/** From the entity step on: the website and access, the materials, confirm, submit. */
export async function websiteToSubmit(page: Page) {
  await next(page, "网站信息");
  await fillWebsiteAndAccess(page);
  await next(page, "材料");
  await uploadMaterials(page);
  await next(page, "确认");
  await page.getByTestId("submit").click();
}

/** ④ 材料: the certificate scan and the 负责人 photo. */
export async function uploadMaterials(page: Page) {
  await page.locator("#file-entity_cert").setInputFiles({ name: "licence.png", mimeType: "image/png", buffer: png() });
  await expect(page.getByTestId("material-entity_cert").getByRole("link", { name: "licence.png" })).toBeVisible();
  await page.locator("#file-leader_photo").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: png() });
  await expect(page.getByTestId("material-leader_photo").getByRole("link", { name: "photo.png" })).toBeVisible();
}

/** The text of the newest e-mail to `recipient` that contains `needle`, from
 * the folder the test server writes e-mails to (BEIAN_E2E_MAIL_DIR). */
export async function mailTo(recipient: string, needle: string): Promise<string> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const dir = process.env.BEIAN_E2E_MAIL_DIR ?? "";
  expect(dir, "BEIAN_E2E_MAIL_DIR names the test server's mail folder").not.toBe("");
  const decode = (raw: string) => {
    const split = raw.indexOf("\r\n\r\n") >= 0 ? raw.indexOf("\r\n\r\n") : raw.indexOf("\n\n");
    const head = raw.slice(0, split);
    const body = raw.slice(split).trim();
    if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    }
    return body;
  };
  for (let i = 0; i < 40; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".eml")) : [];
    const mails = files
      .map((f) => ({ t: fs.statSync(path.join(dir, f)).mtimeMs, raw: fs.readFileSync(path.join(dir, f), "utf8") }))
      .filter((m) => m.raw.includes(`To: ${recipient}`))
      .sort((a, b) => b.t - a.t)
      .map((m) => decode(m.raw))
      .filter((text) => text.includes(needle));
    if (mails.length > 0) return mails[0];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${recipient} containing ${needle} in ${dir}`);
}

// The staff's side of a filing, shared by the life-after-approval and back-office tests.

export const staffPage = async (browser: Browser, page: Page, info: TestInfo, who: "clerk" | "bureau") => {
  const p = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  if (who === "clerk") await signIn(p, info, CLERK, "/login?next=/provider", CLERK_PASSWORD);
  else await signIn(p, info, BUREAU, "/login?next=/bureau", BUREAU_PASSWORD);
  return p;
};

/** The clerk opens the newest application for `domain` and passes it (with the 核验 uploads when asked). */
export async function clerkPasses(clerk: Page, info: TestInfo, domain: string, kind: string, verify: boolean) {
  await open(clerk, info, `/provider?kind=${kind}&domain=${domain}`);
  await clerk.getByTestId("queue-row").filter({ hasText: domain }).first().getByRole("link", { name: "办理" }).click();
  await expect(clerk.getByTestId("review-status")).toContainText("待核实");
  if (verify) {
    await clerk.locator("#file-verification_photo").setInputFiles({ name: "face.png", mimeType: "image/png", buffer: png() });
    await expect(clerk.getByTestId("staff-upload-verification_photo").getByRole("link", { name: "face.png" })).toBeVisible();
    await clerk.locator("#file-verification_form").setInputFiles({ name: "form.png", mimeType: "image/png", buffer: png() });
    await expect(clerk.getByTestId("staff-upload-verification_form").getByRole("link", { name: "form.png" })).toBeVisible();
  } else {
    await expect(clerk.getByTestId("no-verification")).toBeVisible();
  }
  await clerk.locator("#opinion").fill("已核实，信息真实");
  await clerk.getByTestId("pass").click();
  await expect(clerk.getByTestId("status")).toHaveText("待管局审核");
}

/** The 管局 approves the newest application for `domain`; returns what the page shows as issued. */
export async function bureauApproves(bureau: Page, info: TestInfo, domain: string, kind: string) {
  await open(bureau, info, `/bureau?kind=${kind}&domain=${domain}`);
  await bureau.getByTestId("queue-row").filter({ hasText: domain }).first().getByRole("link", { name: "办理" }).click();
  await bureau.getByTestId("approve").click();
  await bureau.getByTestId("approve-confirm").click();
  await expect(bureau.getByTestId("status")).toHaveText("已通过");
  return (await bureau.getByTestId("review-status").textContent()) ?? "";
}

/** A first filing, passed and approved: its entity number and 备案密码. */
export async function filed(page: Page, browser: Browser, info: TestInfo, domain: string, cert: string) {
  await fileFirstFiling(page, info, domain, cert);
  const clerk = await staffPage(browser, page, info, "clerk");
  await clerkPasses(clerk, info, domain, "first_filing", true);
  const bureau = await staffPage(browser, page, info, "bureau");
  const shown = await bureauApproves(bureau, info, domain, "first_filing");
  const main = shown.match(/京ICP备\d{10}号/)![0];
  const mail = await mailTo("zhang@example.com", main);
  const password = mail.match(/备案密码：(\S{10})/)![1];
  return { main, password, clerk, bureau };
}

