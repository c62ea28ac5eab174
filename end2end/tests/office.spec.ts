// The provider's back office (issue 13): 组合查询 with export, 详细信息,
// 重置密码 and the client's first sign-in after it, the public 代码表 and
// 页面打印 — on a desktop and a phone, the lists also without JavaScript.
import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { expectNoHorizontalScroll, jsEnabled, open } from "./helpers";
import { CLERK, CLERK_PASSWORD, filed, freshUscc, PASSWORD, register, signIn, unique } from "./filing";

test("a filed website is found by the combined search, shown in full and exported; the clerk resets its owner's password and the client must change it", async ({ page, browser }, info) => {
  test.skip(!jsEnabled(info), "filing and resetting need JavaScript");
  test.setTimeout(240_000);
  const username = await register(page, info);
  const domain = `${unique(info, "office")}.cn`;
  const { main, clerk } = await filed(page, browser, info, domain, freshUscc());

  // 组合查询: by domain and province together, kept in the address.
  await open(clerk, info, "/provider/search");
  await clerk.getByLabel("域名").fill(domain.toUpperCase());
  await clerk.getByLabel("主体所在省").selectOption({ label: "北京" });
  await clerk.getByTestId("filed-search").click();
  await expect(clerk).toHaveURL(/province=11/);
  await expect(clerk.getByTestId("filed-total")).toHaveText("共 1 个网站");
  const row = clerk.getByTestId("filed-row");
  await expect(row).toContainText(`${main}-1`);
  await expect(row).toContainText(domain);
  await expectNoHorizontalScroll(clerk);
  // A bad condition is caught in the browser, beside its field, before any request.
  await clerk.getByLabel("审核通过日期起").fill("2026-06-02");
  await clerk.getByLabel("审核通过日期止").fill("2026-06-01");
  await clerk.getByTestId("filed-search").click();
  await expect(clerk.getByText("起始日期不能晚于截止日期")).toBeVisible();
  await expect(clerk).not.toHaveURL(/from=/);

  // The export is the same result as a file.
  const [csv] = await Promise.all([clerk.waitForEvent("download"), clerk.getByTestId("export-csv").click()]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  const text = (await (await import("node:fs")).promises.readFile((await csv.path())!, "utf8")).replace(/^\uFEFF/, "");
  expect(text.split("\n")[0]).toContain("主办单位名称,主办单位性质");
  expect(text).toContain(`${main}-1`);
  const [xlsx] = await Promise.all([clerk.waitForEvent("download"), clerk.getByTestId("export-xlsx").click()]);
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
  const head = (await (await import("node:fs")).promises.readFile((await xlsx.path())!)).subarray(0, 2).toString("latin1");
  expect(head).toBe("PK");

  // 详细信息.
  await row.getByTestId("filed-detail").click();
  await expect(clerk.getByTestId("filed-licence")).toHaveText(`${main}-1`);
  await expect(clerk.locator("main")).toContainText("1.2.4.8");

  // 重置密码: find the owner, tick it, generate.
  await open(clerk, info, `/provider/accounts?username=${username}`);
  await expect(clerk.getByTestId("clients-total")).toHaveText("共 1 个用户");
  await clerk.getByTestId("client-row").getByTestId("choose").check();
  await expect(clerk.getByTestId("chosen-count")).toHaveText("已选择 1 个用户");
  await clerk.getByTestId("reset-go").click();
  await clerk.getByTestId("reset-confirm-go").click();
  await expect(clerk.getByTestId("reset-done")).toBeVisible();
  const fresh = (await clerk.getByTestId("new-password").textContent())!.trim();
  expect(fresh).toMatch(/^[A-Za-z2-9]{12}$/);

  // The client: the old password no longer works; the new one leads to changing it first.
  const client = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  await open(client, info, "/login");
  await client.getByLabel("用户名").fill(username);
  await client.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await client.getByRole("button", { name: "登录", exact: true }).click();
  await expect(client.getByText("用户名或密码不正确")).toBeVisible();
  await client.getByLabel("密码", { exact: true }).fill(fresh);
  await client.getByRole("button", { name: "登录", exact: true }).click();
  await expect(client).toHaveURL(/\/account\?must=1/);
  await expect(client.getByTestId("must-change")).toBeVisible();
  await client.getByLabel("原密码").fill(fresh);
  await client.getByLabel("密码", { exact: true }).fill("Mine-0nly-pass");
  await client.getByLabel("确认密码").fill("Mine-0nly-pass");
  await client.getByRole("button", { name: "保存" }).nth(1).click();
  await expect(client).toHaveURL(/\/filings$/);
  await expect(client.getByText(domain).first()).toBeVisible();
});

test("anyone reads the code tables, searching in either language, also without JavaScript", async ({ page }, info) => {
  await open(page, info, "/codes");
  await expect(page.getByTestId("code-table")).toHaveCount(7);
  await page.getByLabel("查找").fill("蜀");
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByTestId("code-table")).toHaveCount(1);
  await expect(page.getByTestId("code-table")).toContainText("四川");
  await expect(page.getByTestId("code-table")).toContainText("蜀ICP备");
  await open(page, info, "/codes?t=nature&q=individual");
  await expect(page.getByTestId("code-table")).toContainText("居民身份证");
  await expectNoHorizontalScroll(page);
});

test("the combined search works as a plain form and says which condition is wrong; printing leaves out the controls", async ({ page }, info) => {
  await signIn(page, info, CLERK, "/login?next=/provider/search", CLERK_PASSWORD);
  await open(page, info, "/provider/search?province=99");
  await expect(page.getByTestId("filed-invalid")).toContainText("主体所在省：请从列表中选择");
  await open(page, info, "/provider/search?method=2");
  await expect(page.getByTestId("filed-total")).toContainText("个网站");
  await expect(page.getByTestId("filed-row").first()).toContainText("主机托管");
  await page.emulateMedia({ media: "print" });
  await expect(page.getByTestId("filed-filters")).toBeHidden();
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByTestId("filed-rows")).toBeVisible();
});

test("a clerk files feedback to the 管局, which answers and closes it; the clerk reads the answer", async ({ page, browser }, info) => {
  test.skip(!jsEnabled(info), "the feedback forms need JavaScript");
  const { BUREAU, BUREAU_PASSWORD } = await import("./filing");
  const subject = unique(info, "意见");
  await signIn(page, info, CLERK, "/login?next=/provider/feedback", CLERK_PASSWORD);
  await open(page, info, "/provider/feedback");
  await page.getByTestId("feedback-new").click();
  await page.getByTestId("feedback-send").click();
  await expect(page.getByText("必填，请填写").first()).toBeVisible();
  await page.getByLabel("提交给（管局）").selectOption({ label: "北京通信管理局" });
  await page.getByLabel("主题").fill(subject);
  await page.getByLabel("意见内容").fill("核验照片是否可以使用手机拍摄？");
  await page.getByTestId("feedback-send").click();
  const mine = page.getByTestId("feedback").filter({ hasText: subject });
  await expect(mine.getByTestId("feedback-status")).toHaveText("待答复");

  const bureau = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  await signIn(bureau, info, BUREAU, "/login?next=/bureau/feedback", BUREAU_PASSWORD);
  await open(bureau, info, "/bureau/feedback");
  const theirs = bureau.getByTestId("feedback").filter({ hasText: subject });
  await theirs.getByTestId("feedback-answer-text").fill("可以，须清晰、无遮挡。");
  await theirs.getByTestId("feedback-answer-go").click();
  await expect(theirs.getByTestId("feedback-status")).toHaveText("已答复");
  await theirs.getByTestId("feedback-close").click();
  await expect(theirs.getByTestId("feedback-status")).toHaveText("已关闭");
  await expectNoHorizontalScroll(bureau);

  await open(page, info, "/provider/feedback?status=closed");
  await expect(mine.getByTestId("feedback-answer")).toContainText("可以，须清晰、无遮挡。");
});

test("statistics need a cut-off date and show 同比 and 环比 with a chart and an export, also without JavaScript", async ({ page }, info) => {
  await signIn(page, info, CLERK, "/login?next=/provider/stats", CLERK_PASSWORD);
  await open(page, info, "/provider/stats?group=nature&until=");
  await expect(page.getByTestId("stats-invalid")).toContainText("统计截止日期不能为空");
  await open(page, info, "/provider/stats?group=nature&until=2026-12-01");
  await expect(page.getByTestId("stats-chart").locator("svg")).toBeVisible();
  const total = page.getByTestId("stats-table").locator("tfoot").getByTestId("stats-row");
  await expect(total).toContainText("合计");
  await expect(total.getByTestId("yoy")).toHaveText(/^([+-]?\d+\.\d%|—)$/);
  await expect(total.getByTestId("mom")).toHaveText(/^([+-]?\d+\.\d%|—)$/);
  await expectNoHorizontalScroll(page);
  if (jsEnabled(info)) {
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("stats-csv").click()]);
    const text = (await (await import("node:fs")).promises.readFile((await csv.path())!, "utf8")).replace(/^\uFEFF/, "");
    expect(text.split("\n")[0]).toBe("主办单位性质,网站数,上年同期,同比,上期,环比,主体数,主体同比,主体环比");
    expect(text).toContain("合计");
  }
});

test("代为录入: a clerk files a first filing for a new client, sees its username and first password once, and the client signs in with them and must change the password", async ({ page, browser }, info) => {
  test.skip(!jsEnabled(info), "the wizard needs JavaScript");
  test.setTimeout(180_000);
  const { fillEntityStep, websiteToSubmit } = await import("./filing");
  await signIn(page, info, CLERK, "/login?next=/provider/new", CLERK_PASSWORD);
  await open(page, info, "/provider/new");
  await expect(page.getByRole("heading", { name: "代为录入" })).toBeVisible();
  const cert = freshUscc();
  const domain = `${unique(info, "entry")}.cn`;
  await page.getByLabel("主办单位证件号码").fill(cert);
  await page.getByLabel("网站域名").fill(domain);
  await page.getByRole("button", { name: "检查备案类型" }).click();
  await expect(page.getByTestId("detection")).toContainText("首次备案");
  await page.getByTestId("start").click();
  await fillEntityStep(page, cert);
  await websiteToSubmit(page);
  await expect(page.getByTestId("new-account")).toBeVisible();
  await expect(page.getByTestId("new-account-unit")).not.toBeEmpty();
  const username = (await page.getByTestId("new-account-username").textContent())!.trim();
  const password = (await page.getByTestId("new-account-password").textContent())!.trim();
  expect(username).toMatch(/^kh[a-z0-9]{8}$/);
  expect(password).toMatch(/^[A-Za-z2-9]{12}$/);
  await expectNoHorizontalScroll(page);

  const client = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  await open(client, info, "/login");
  await client.getByLabel("用户名").fill(username);
  await client.getByLabel("密码", { exact: true }).fill(password);
  await client.getByRole("button", { name: "登录", exact: true }).click();
  await expect(client.getByTestId("must-change")).toBeVisible();
  // Nothing else until it is changed.
  await open(client, info, "/filings");
  await expect(client.getByText("请先在“账户设置”中修改密码")).toBeVisible();
  await open(client, info, "/account");
  await client.getByLabel("原密码").fill(password);
  await client.getByLabel("密码", { exact: true }).fill("Client-0wn-pass");
  await client.getByLabel("确认密码").fill("Client-0wn-pass");
  await client.getByRole("button", { name: "保存" }).nth(1).click();
  await expect(client).toHaveURL(/\/filings$/);
  await expect(client.getByText(domain).first()).toBeVisible();
});

test("the clerk downloads a filed entity's certificate; anyone checks its code on the public query", async ({ page, browser }, info) => {
  test.skip(!jsEnabled(info), "filing needs JavaScript");
  test.setTimeout(240_000);
  await register(page, info);
  const domain = `${unique(info, "cert")}.cn`;
  const { main, clerk } = await filed(page, browser, info, domain, freshUscc());
  await open(clerk, info, "/provider/certificates");
  await expect(clerk.getByTestId("filed-total")).toContainText("个主体");
  await clerk.getByLabel("域名").fill(domain);
  await clerk.getByTestId("filed-search").click();
  const row = clerk.getByTestId("entity-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(main);
  const [pdf] = await Promise.all([clerk.waitForEvent("download"), row.getByTestId("certificate").click()]);
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
  const bytes = await (await import("node:fs")).promises.readFile((await pdf.path())!);
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const href = (await row.getByTestId("certificate").getAttribute("href"))!;
  const again = await clerk.request.get(href);
  expect(again.status()).toBe(200);
  const code = again.headers()["x-certificate-code"];
  expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);

  // A stranger on the public query, as the QR code opens it.
  const stranger = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  await stranger.goto(`/query?cert=${code.toLowerCase()}`);
  await expect(stranger.getByTestId("cert-check")).toContainText("证书真实有效");
  await expect(stranger.getByTestId("cert-check")).toContainText(main);
  await stranger.goto("/query?cert=2345-6789-ABCD-EFGH");
  await expect(stranger.getByTestId("cert-unknown")).toBeVisible();
  await expectNoHorizontalScroll(stranger);
});

/** A sample 批量导入 file made by the server's own binary (`beian import-sample`). */
function sampleImport(filings: number, badEvery: number): string {
  const bin = process.env.BEIAN_E2E_BIN;
  if (!bin) throw new Error("BEIAN_E2E_BIN (the beian binary) is not set");
  const out = path.join(os.tmpdir(), `import-${Date.now()}-${Math.floor(Math.random() * 1e6)}.xlsx`);
  const seed = String(Date.now() % 1_000_000_000 + Math.floor(Math.random() * 1000));
  execFileSync(bin, ["import-sample", "--filings", String(filings), "--seed", seed, "--bad-every", String(badEvery), "--out", out], { cwd: path.resolve(__dirname, "../..") });
  return out;
}

/** The strings of an .xlsx's shared-strings table, in order (python3's zipfile reads it). */
function xlsxStrings(file: string): string[] {
  const script = "import sys,zipfile,re,html,json; x=zipfile.ZipFile(sys.argv[1]).read('xl/sharedStrings.xml').decode(); print(json.dumps([html.unescape(t) for t in re.findall(r'<t[^>]*>([^<]*)</t>', x)]))";
  return JSON.parse(execFileSync("python3", ["-c", script, file]).toString());
}

test("批量导入: the clerk downloads the template, imports a file with mistakes, sees each wrong cell, downloads the problems and the new accounts; a new client signs in with its first password", async ({ page, browser }, info) => {
  test.setTimeout(180_000);
  await signIn(page, info, CLERK, "/login?next=/provider/import", CLERK_PASSWORD);
  await open(page, info, "/provider/import");
  await expect(page.getByRole("heading", { name: "批量导入" })).toBeVisible();
  if (!jsEnabled(info)) {
    // Without JavaScript the template still downloads; the upload says it needs a script, and sending the form imports nothing.
    await expect(page.getByTestId("needs-script")).toBeVisible();
    await expect(page.getByTestId("import-submit")).toBeDisabled();
    const resp = await page.request.get("/provider/import/template");
    expect(resp.status()).toBe(200);
    expect((await resp.body()).subarray(0, 2).toString("latin1")).toBe("PK");
    return;
  }
  const [template] = await Promise.all([page.waitForEvent("download"), page.getByTestId("import-template").click()]);
  expect(template.suggestedFilename()).toBe("批量导入模板.xlsx");
  expect(xlsxStrings((await template.path())!)).toContain("主办单位证件号码");

  // The browser refuses what the server would, before sending it.
  await page.getByTestId("import-file").setInputFiles({ name: "客户.csv", mimeType: "text/csv", buffer: Buffer.from("a,b\n") });
  await expect(page.getByTestId("import-local-error")).toContainText("另存为");

  // Six filings, the 3rd and 6th with mistakes.
  await page.getByTestId("import-file").setInputFiles(sampleImport(6, 3));
  await expect(page.getByTestId("import-local-error")).toHaveCount(0);
  await page.getByTestId("import-submit").click();
  await expect(page.getByTestId("import-summary")).toHaveText("成功导入 4 份备案，等待核实；2 份未导入。", { timeout: 60_000 });
  const problems = page.getByTestId("import-problems");
  await expect(problems).toContainText("手机号码");
  await expect(problems).toContainText("“公司”不是有效的主办单位性质");
  await expect(problems).toContainText("已在“网站”第6行出现");
  await expectNoHorizontalScroll(page);
  const [bad] = await Promise.all([page.waitForEvent("download"), page.getByTestId("import-problems-file").click()]);
  expect(bad.suggestedFilename()).toMatch(/导入失败原因\.xlsx$/);
  expect(xlsxStrings((await bad.path())!)).toContain("手机号码");
  const [accounts] = await Promise.all([page.waitForEvent("download"), page.getByTestId("import-accounts-file").click()]);
  const strings = xlsxStrings((await accounts.path())!);
  const usernames = strings.filter((s) => /^kh[a-z0-9]{8}$/.test(s));
  expect(usernames).toHaveLength(4);
  const username = usernames[0];
  const password = strings[strings.indexOf(username) + 1];
  expect(password).toMatch(/^[A-Za-z2-9]{12}$/);
  const domain = strings[strings.indexOf(username) - 1];
  expect(domain).toMatch(/\.cn$/);

  // The imported filings wait in the clerk's 核实 list.
  await open(page, info, `/provider?domain=${domain}`);
  await expect(page.getByText(domain).first()).toBeVisible();

  // The new client signs in with the first password and must change it first.
  const client = await (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();
  await open(client, info, "/login");
  await client.getByLabel("用户名").fill(username);
  await client.getByLabel("密码", { exact: true }).fill(password);
  await client.getByRole("button", { name: "登录", exact: true }).click();
  await expect(client.getByTestId("must-change")).toBeVisible();
});
