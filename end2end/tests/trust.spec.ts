import { expect, test } from "@playwright/test";
import { jsEnabled, open, withoutAppCode } from "./helpers";
import { CLERK, CLERK_PASSWORD } from "./filing";

// Signing in before (or without) the page's script: the form posts, the
// server redirects, and the password never appears in an address.
test("sign-in without JavaScript never puts the password in the address bar", async ({ page, context }, info) => {
  test.skip(jsEnabled(info), "the no-JavaScript projects check the plain form");
  expect(CLERK_PASSWORD, "scripts/beian.sh passes the printed demo password").not.toBe("");
  const seen: string[] = [];
  page.on("framenavigated", (f) => seen.push(f.url()));

  await open(page, info, "/login?next=/provider");
  await page.getByLabel("用户名").fill(CLERK);
  await page.getByLabel("密码", { exact: true }).fill("wrong-Password-123");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?failed=1/);
  await expect(page.getByTestId("plain-failed")).toBeVisible();

  await page.getByLabel("用户名").fill(CLERK);
  await page.getByLabel("密码", { exact: true }).fill(CLERK_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/provider$/);
  // Signed in: the session cookie is set (the header's account menu streams in with JavaScript only).
  const cookies = await context.cookies();
  expect(cookies.some((c) => c.name === "beian_session" && c.httpOnly && c.value.length >= 32)).toBe(true);
  await page.screenshot({ path: info.outputPath("signed-in-without-js.png"), fullPage: true });

  expect(seen.length).toBeGreaterThan(2);
  for (const url of seen) {
    expect(url).not.toContain("Password");
    expect(url).not.toContain(encodeURIComponent(CLERK_PASSWORD));
    expect(url).not.toContain("password=");
  }
});

// The pages hydrate under the Content-Security-Policy: nothing is blocked.
test("pages hydrate under the security policy", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "hydration needs JavaScript");
  const problems: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  for (const path of ["/query", "/login", "/register", "/"]) {
    const response = await page.goto(path);
    const csp = response!.headers()["content-security-policy"];
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response!.headers()["referrer-policy"]).toBe("no-referrer");
    if (withoutAppCode(path)) {
      // The public pages are HTML and CSS only: no script file, no wasm.
      expect(await page.locator("script[src], link[rel=modulepreload], link[as=fetch]").count()).toBe(0);
      await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
    } else {
      await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    }
  }
  expect(problems).toEqual([]);
});

// A phone on a slow network shows the server's form before the page's code
// arrives: what the person types meanwhile survives hydration and is what
// the application sends.
test("what is typed before the page's code arrives is kept and signs in", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "hydration needs JavaScript");
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\.wasm(\?|$)/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/login?next=/provider", { waitUntil: "commit" });
  await page.getByLabel("用户名").fill(CLERK);
  await page.getByLabel("密码", { exact: true }).fill(CLERK_PASSWORD);
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  release();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
  await expect(page.getByLabel("用户名")).toHaveValue(CLERK);
  await expect(page.getByLabel("密码", { exact: true })).toHaveValue(CLERK_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/provider$/);
  await expect(page.getByTestId("me")).toHaveText(CLERK);
});
