// Manual look at pages (not a test): node shots.mjs BASE PASSWORD
import { chromium } from "@playwright/test";
const [base, pw] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless", "--disable-gpu"] });
async function ctx(width, height, mobile) {
  const c = await browser.newContext({ viewport: { width, height }, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1, baseURL: base });
  return c;
}
const paths = (process.env.PATHS || "/provider/search").split(",");
for (const [name, w, h, m] of [["desk", 1280, 900, false], ["phone", 390, 844, true]]) {
  const c = await ctx(w, h, m);
  const p = await c.newPage();
  p.on("pageerror", (e) => console.log("pageerror", e.message));
  if (pw) {
    await p.goto("/login");
    await p.locator("body[data-hydrated=true]").waitFor({ timeout: 60000 });
    await p.getByLabel("用户名").fill(process.env.USER_NAME || "jieru");
    await p.getByLabel("密码", { exact: true }).fill(pw);
    await p.getByRole("button", { name: "登录", exact: true }).click();
    await p.getByTestId("me").waitFor({ state: "attached" });
  }
  let i = 0;
  for (const path of paths) {
    await p.goto(path);
    await p.waitForTimeout(1500);
    const file = `/tmp/shots/${name}-${i++}.png`;
    await p.screenshot({ path: file, fullPage: process.env.FULL === "1" });
    console.log(file, path);
    if (process.env.PDF === "1" && name === "desk") {
      await p.pdf({ path: `/tmp/shots/print-${i - 1}.pdf`, format: "A4" });
    }
  }
  await c.close();
}
await browser.close();
