// Manual screenshots (not a test): node shots.mjs BASE CLERK_PASSWORD; PATHS=a,b FULL=1
import { chromium } from "@playwright/test";
const [base, password] = process.argv.slice(2);
const paths = (process.env.PATHS ?? "/provider/import").split(",");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  const ctx = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/provider`);
  await page.getByLabel("用户名").fill("jieru");
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.waitForURL(/provider/);
  for (const p of paths) {
    await page.goto(base + p);
    await page.waitForTimeout(1500);
    if (process.env.FILE) {
      await page.getByTestId("import-file").setInputFiles(process.env.FILE);
      await page.getByTestId("import-submit").click();
      await page.getByTestId("import-summary").waitFor({ timeout: 60000 });
    }
    const file = `/tmp/shot-${name}${p.replace(/[^a-z]/g, "-")}.png`;
    await page.screenshot({ path: file, fullPage: !!process.env.FULL });
    console.log(file);
  }
  await ctx.close();
}
await browser.close();
