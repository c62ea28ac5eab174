// Page weight: what a phone downloads for each key page with a cold cache,
// as the server sends it (brotli where the browser asks for it), by kind.
//   node perf/weight.mjs   (BEIAN_URL, BEIAN_CLERK_PASSWORD, BEIAN_BUREAU_PASSWORD)
// Signs a registrant up (the development switch shows the code on screen) and
// the two demo staff accounts in, then opens every page in a new browser
// context that carries only the session cookie: nothing cached. Then follows
// a few links inside one context, to show what a next page adds.
// Writes the registrant's cookie to $BEIAN_COOKIE_FILE for Lighthouse.
import { chromium, devices } from "@playwright/test";
import { writeFileSync } from "node:fs";

const base = process.env.BEIAN_URL ?? "http://127.0.0.1:3000";
const launchOptions = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};
const phone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent: devices["iPhone 13"].userAgent,
  locale: "zh-CN",
};
const browser = await chromium.launch(launchOptions);

/** Bytes on the wire per kind while `action` runs in `page`. */
async function transferred(context, page, action) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const kinds = new Map();
  const bytes = { html: 0, css: 0, js: 0, wasm: 0, other: 0, requests: 0 };
  cdp.on("Network.responseReceived", (e) => {
    const mime = e.response.mimeType ?? "";
    const kind = e.type === "Document" ? "html"
      : mime.includes("css") ? "css"
      : mime.includes("wasm") ? "wasm"
      : mime.includes("javascript") ? "js"
      : "other";
    kinds.set(e.requestId, kind);
  });
  cdp.on("Network.loadingFinished", (e) => {
    const kind = kinds.get(e.requestId) ?? "other";
    bytes[kind] += e.encodedDataLength;
    bytes.requests += 1;
  });
  await action();
  await page.waitForLoadState("networkidle");
  await cdp.detach();
  bytes.total = bytes.html + bytes.css + bytes.js + bytes.wasm + bytes.other;
  return bytes;
}

/** Waits until the page is ready: hydrated when it loads the application. */
async function settled(page) {
  await page.waitForLoadState("load");
  const loadsWasm = await page.evaluate(() => !!document.querySelector('link[rel="modulepreload"], script[type="module"]'));
  if (loadsWasm) await page.waitForSelector("body[data-hydrated=true]", { timeout: 60_000 });
  return loadsWasm;
}

async function signedIn(username, password) {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByTestId("me").waitFor({ state: "attached" });
  const cookies = await context.cookies();
  await context.close();
  return cookies;
}

async function registrant() {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const username = `weight${Date.now().toString(36)}`;
  const password = "Weight-2026-pass";
  await page.goto(`${base}/register`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByTestId("accept").click();
  await page.getByTestId("accept").click();
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByLabel("确认密码").fill(password);
  await page.getByLabel("联系人姓名").fill("张三");
  await page.getByLabel("手机号码").fill("13800138000");
  await page.getByLabel("电子邮箱").fill(`${username}@example.com`);
  await page.getByRole("button", { name: "注册", exact: true }).click();
  const code = (await page.getByTestId("shown-code").textContent()).trim();
  await page.getByRole("link", { name: "输入验证码激活账户" }).click();
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByLabel("验证码", { exact: true }).fill(code);
  await page.getByRole("button", { name: "激活并登录" }).click();
  await page.getByTestId("me").waitFor({ state: "attached" });
  const cookies = await context.cookies();
  await context.close();
  return cookies;
}

const sponsor = await registrant();
const clerk = await signedIn("jieru", process.env.BEIAN_CLERK_PASSWORD ?? "");
const bureau = await signedIn("guanju", process.env.BEIAN_BUREAU_PASSWORD ?? "");
if (process.env.BEIAN_COOKIE_FILE) {
  writeFileSync(process.env.BEIAN_COOKIE_FILE, sponsor.map((c) => `${c.name}=${c.value}`).join("; "));
}

// A domain that is filed, for a query with an answer.
const sample = await (await fetch(`${base}/api/v1/records?q=${encodeURIComponent("有限公司")}&size=1`)).json();
const domain = sample.items?.[0]?.domain ?? "example.cn";

const pages = [
  ["/query", "/query", null],
  [`/query?q=<domain>`, `/query?q=${encodeURIComponent(domain)}`, null],
  ["/", "/", null],
  ["/login", "/login", null],
  ["/register", "/register", null],
  ["/filings/new (step 1)", "/filings/new", sponsor],
  ["/provider", "/provider", clerk],
  ["/bureau", "/bureau", bureau],
];

const kb = (n) => (n / 1000).toFixed(1);
const row = (label, b, extra = "") =>
  console.log(`${label.padEnd(30)}${kb(b.html).padStart(8)}${kb(b.css).padStart(8)}${kb(b.js).padStart(8)}${kb(b.wasm).padStart(9)}${kb(b.other).padStart(8)}${kb(b.total).padStart(9)}${String(b.requests).padStart(6)}  ${extra}`);
console.log(`\nPage weight, phone (390×844), cold cache, bytes on the wire in KB (1 KB = 1000 bytes), ${base}`);
console.log(`${"page".padEnd(30)}${"HTML".padStart(8)}${"CSS".padStart(8)}${"JS".padStart(8)}${"wasm".padStart(9)}${"other".padStart(8)}${"total".padStart(9)}${"reqs".padStart(6)}`);
for (const [label, path, cookies] of pages) {
  const context = await browser.newContext(phone);
  if (cookies) await context.addCookies(cookies);
  const page = await context.newPage();
  let app = false;
  const b = await transferred(context, page, async () => {
    await page.goto(`${base}${path}`);
    app = await settled(page);
  });
  row(label, b, app ? "application loaded" : "no application code");
  await context.close();
}

// Later navigation: what following a link adds once a page is loaded.
console.log("\nNext page, in the same tab after the first (what the link adds):");
const walks = [
  ["/login → 注册 (link)", "/login", null, async (page) => page.locator("a[href='/register']:visible").first().click()],
  ["/query → 登录 (link)", "/query", null, async (page) => page.locator("a[href='/login']:visible").first().click()],
  ["/filings/new → 我的备案", "/filings/new", sponsor, async (page) => page.locator("a[href='/filings']:visible").first().click()],
  ["/provider/sites → 代为新增", "/provider/sites", clerk, async (page) => page.getByTestId("add-for-client").click()],
];
for (const [label, start, cookies, go] of walks) {
  const context = await browser.newContext(phone);
  if (cookies) await context.addCookies(cookies);
  const page = await context.newPage();
  await page.goto(`${base}${start}`);
  await settled(page);
  const b = await transferred(context, page, async () => {
    await go(page);
    await page.waitForLoadState("load");
    await page.waitForTimeout(300);
  });
  row(label, b);
  await context.close();
}
await browser.close();
