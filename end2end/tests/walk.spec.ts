import { expect, test } from "@playwright/test";
import { jsEnabled, open, search } from "./helpers";
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
