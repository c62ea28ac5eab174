import { expect, test } from "@playwright/test";
import { expectNoHorizontalScroll, jsEnabled, open } from "./helpers";
import { fileFirstFiling, freshUscc, next, register, signIn, unique } from "./filing";

// The consoles and the wizard need JavaScript; the no-JavaScript projects skip them.
test.beforeEach(async ({}, info) => {
  test.skip(!jsEnabled(info), "the consoles need JavaScript");
});

// Demo staff accounts: created with the demo data, each with a random
// password the server prints once at start; scripts/beian.sh passes them on.
import { BUREAU, BUREAU_PASSWORD, CLERK, CLERK_PASSWORD } from "./filing";

test("submit, return with a marked field, fix it, resubmit, pass, approve, find the number", async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const phone = info.project.name === "phone";
  const newPage = async () => (await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" })).newPage();

  // The registrant submits a first filing.
  await register(page, info);
  const domain = `${unique(info, "rv")}.cn`;
  await fileFirstFiling(page, info, domain, freshUscc());

  // The provider's clerk finds it in the 核实 queue and returns it with one field marked.
  const clerk = await newPage();
  await signIn(clerk, info, CLERK, "/login?next=/provider", CLERK_PASSWORD);
  await open(clerk, info, "/provider");
  const row = clerk.getByTestId("queue-row").filter({ hasText: domain });
  await expect(row).toHaveAttribute("data-status", "pending_verification");
  if (phone) await expectNoHorizontalScroll(clerk);
  await row.getByRole("link", { name: "办理" }).click();
  await expect(clerk.getByTestId("review-status")).toContainText("待核实");
  await expect(clerk.getByTestId("row-entity.address")).toContainText("北京市海淀区上地十街");
  // Returning with nothing marked is refused with a message.
  await clerk.getByTestId("return").click();
  await expect(clerk.getByTestId("act-error")).toContainText("至少标注一个");
  const errors: string[] = [];
  clerk.on("pageerror", (e) => errors.push(String(e)));
  await clerk.getByTestId("mark-entity.address").click();
  // Marks are kept on the server as they are made: leaving the page, even
  // with the browser's back button, and coming back keeps them.
  const kept = clerk.waitForResponse((r) => r.url().includes("/api/review/marks") && (r.request().postData() ?? "").includes("门牌号"));
  await clerk.getByTestId("mark-entity.address-comment").fill("地址不完整，请填写门牌号");
  expect((await kept).status()).toBe(200);
  await expect(clerk.getByTestId("marks-kept")).toBeVisible();
  await clerk.goBack();
  await expect(clerk.getByTestId("queue-row").filter({ hasText: domain })).toBeVisible();
  await clerk.goForward();
  await expect(clerk.getByTestId("mark-entity.address-comment")).toHaveValue("地址不完整，请填写门牌号");
  await expect(clerk.getByTestId("marks-count")).toContainText("1");
  await clerk.reload();
  await expect(clerk.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(clerk.getByTestId("mark-entity.address-comment")).toHaveValue("地址不完整，请填写门牌号");
  await expect(clerk.getByTestId("row-entity.address")).toHaveClass(/marked/);
  expect(errors).toEqual([]);
  await clerk.getByTestId("return").click();
  await expect(clerk.getByTestId("status")).toHaveText("退回修改");
  if (phone) await expectNoHorizontalScroll(clerk);

  // The registrant sees the mark and the comment, fixes only that field and resubmits.
  await open(page, info, "/filings");
  const item = page.getByTestId("filing").filter({ hasText: domain });
  await expect(item).toHaveAttribute("data-status", "returned");
  await item.getByRole("link").click();
  await expect(page.getByTestId("marks")).toContainText("地址不完整，请填写门牌号");
  await expect(page.getByTestId("mark-entity.address")).toContainText("地址不完整");
  await expect(page.locator(".field--marked")).toHaveCount(1);
  if (phone) await expectNoHorizontalScroll(page);
  // Resubmitting unchanged is refused on the marked field.
  await page.getByLabel("通信地址（详细地址）").fill("北京市海淀区上地十街10号");
  await next(page, "网站信息");
  await next(page, "接入信息");
  await next(page, "材料");
  await next(page, "确认");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("submitted")).toContainText("等待接入服务商核实");

  // The clerk verifies (photo and 核验单), writes the 核实意见 and passes it to the 管局.
  await open(clerk, info, "/provider");
  await clerk.getByTestId("queue-row").filter({ hasText: domain }).getByRole("link", { name: "办理" }).click();
  await expect(clerk.getByTestId("review-status")).toContainText("待核实");
  await clerk.getByTestId("pass").click();
  await expect(clerk.getByTestId("act-error")).toContainText("核实意见");
  const png = Buffer.concat([
    Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"),
    Buffer.alloc(400),
  ]);
  // What the clerk typed and marked survives the uploads (it used to be wiped).
  await clerk.locator("#opinion").fill("已当面核验负责人身份及证件，信息真实");
  await clerk.locator("#return-comment").fill("备用说明");
  await clerk.getByTestId("mark-entity.address").click();
  await expect(clerk.getByText("已标注字段：1")).toBeVisible();
  await clerk.locator("#file-verification_photo").setInputFiles({ name: "face.png", mimeType: "image/png", buffer: png });
  await expect(clerk.getByTestId("staff-upload-verification_photo").getByRole("link", { name: "face.png" })).toBeVisible();
  await expect(clerk.getByTestId("staff-upload-verification_photo")).toContainText("更换文件");
  await clerk.locator("#file-verification_form").setInputFiles({ name: "form.png", mimeType: "image/png", buffer: png });
  await expect(clerk.getByTestId("staff-upload-verification_form").getByRole("link", { name: "form.png" })).toBeVisible();
  await expect(clerk.locator("#opinion")).toHaveValue("已当面核验负责人身份及证件，信息真实");
  await expect(clerk.locator("#return-comment")).toHaveValue("备用说明");
  await expect(clerk.getByText("已标注字段：1")).toBeVisible();
  await clerk.getByTestId("mark-entity.address").click();
  await clerk.getByTestId("pass").click();
  await expect(clerk.getByTestId("status")).toHaveText("待管局审核");
  await expect(clerk.getByTestId("verification")).toContainText("信息真实");

  // The 管局 approves: numbers are issued.
  const bureau = await newPage();
  await signIn(bureau, info, BUREAU, "/login?next=/bureau", BUREAU_PASSWORD);
  await open(bureau, info, "/bureau");
  await bureau.getByTestId("queue-row").filter({ hasText: domain }).getByRole("link", { name: "办理" }).click();
  await expect(bureau.getByTestId("timeline")).toContainText("退回修改");
  await expect(bureau.getByTestId("staff-step")).toContainText("请您审核");
  // Approval asks first and says what it will issue.
  await bureau.getByTestId("approve").click();
  await expect(bureau.getByTestId("confirm-approve")).toContainText("主体备案号");
  await expect(bureau.getByTestId("confirm-approve")).toContainText("1个网站");
  await bureau.getByTestId("approve-cancel").click();
  await expect(bureau.getByTestId("status")).toHaveText("待管局审核");
  await bureau.getByTestId("approve").click();
  await bureau.getByTestId("approve-confirm").click();
  await expect(bureau.getByTestId("status")).toHaveText("已通过");
  const licences = (await bureau.getByTestId("licences").textContent()) ?? "";
  const number = licences.match(/京ICP备\d{10}号-1/)?.[0];
  expect(number, licences).toBeTruthy();
  if (phone) await expectNoHorizontalScroll(bureau);

  // The registrant sees the numbers; the timeline hides staff names.
  await open(page, info, "/filings");
  await page.getByTestId("filing").filter({ hasText: domain }).getByRole("link").click();
  await expect(page.getByTestId("filing-status")).toContainText("已通过");
  await expect(page.getByTestId("website-numbers")).toHaveText(number!);
  await expect(page.getByTestId("timeline")).not.toContainText("接入商核实员");
  if (phone) await expectNoHorizontalScroll(page);

  // Anyone finds the new number by domain on the public query page.
  const stranger = await newPage();
  await open(stranger, info, `/query?q=${domain}`);
  await expect(stranger.locator("body")).toContainText(number!);
});

test("a registrant opens neither console", async ({ page }, info) => {
  await register(page, info);
  for (const path of ["/provider", "/bureau", "/provider/progress"]) {
    await open(page, info, path);
    await expect(page.getByRole("alert")).toContainText(/没有权限|登录/);
    await expect(page.getByTestId("queue")).toHaveCount(0);
  }
});
