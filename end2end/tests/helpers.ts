import { expect, type APIRequestContext, type ConsoleMessage, type Page, type TestInfo } from "@playwright/test";

export type PublicRecord = {
  unitName: string;
  natureName: string;
  mainLicence: string;
  serviceLicence: string;
  serviceName: string;
  homeUrl: string;
  domain: string;
};

/** A seeded record to look for, picked through the JSON API (never hard-coded). */
export async function sampleRecord(request: APIRequestContext, q = "有限公司"): Promise<PublicRecord> {
  const r = await request.get(`/api/v1/records?q=${encodeURIComponent(q)}&size=5&page=2`);
  expect(r.status()).toBe(200);
  const body = await r.json();
  expect(body.items.length).toBeGreaterThan(0);
  return body.items[body.items.length - 1];
}

export const jsEnabled = (info: TestInfo) => !info.project.name.endsWith("-nojs");

/** Pages served as HTML and CSS only, without the application's code
 * (`WITHOUT_BROWSER_CODE` in app/src/app.rs): the home page and the public query. */
export const withoutAppCode = (path: string) => ["/", "/query"].includes(new URL(path, "http://x").pathname);

/** Open a page; with JavaScript, wait until the browser has hydrated it (checked, not assumed). */
export async function open(page: Page, info: TestInfo, path: string) {
  // What the browser reported while loading: named if the page does not hydrate.
  const problems: string[] = [];
  const onError = (e: Error) => problems.push(String(e));
  const onConsole = (m: ConsoleMessage) => {
    if (m.type() === "error") problems.push(m.text());
  };
  page.on("pageerror", onError);
  page.on("console", onConsole);
  try {
    await page.goto(path);
    if (jsEnabled(info) && !withoutAppCode(path)) {
      try {
        // The debug bundle is 16 MB: compiling it on a busy machine can take a while.
        await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
      } catch (e) {
        throw new Error(`${path} did not hydrate; the browser said: ${JSON.stringify(problems)}\n${e}`);
      }
      // Marks this document: a full page load would lose it.
      await page.evaluate(() => ((window as any).__sameDocument = true));
    } else {
      await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
    }
  } finally {
    page.off("pageerror", onError);
    page.off("console", onConsole);
  }
}

/** After a search on a page the application runs: it was not reloaded.
 * (The public pages without the application's code are plain forms.) */
export async function expectNoReload(page: Page, info: TestInfo) {
  if (!jsEnabled(info)) return;
  const [hydrated, same] = await page.evaluate(() => [document.body.dataset.hydrated === "true", (window as any).__sameDocument === true]);
  if (hydrated) expect(same).toBe(true);
}

export async function search(page: Page, text: string) {
  const box = page.getByLabel("域名、备案号或主办单位名称");
  await box.fill(text);
  await page.getByRole("button", { name: "查询", exact: true }).click();
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
export async function expectNoHorizontalScroll(page: Page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll).toBeLessThanOrEqual(width);
}
