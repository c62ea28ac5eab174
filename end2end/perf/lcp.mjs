// The real largest contentful paint of a page in Chromium (not Lighthouse's
// simulation): a phone viewport, the CPU slowed four times; prints each LCP
// entry (ms, element, class, size, text) and the DOM insertions after 200 ms.
//   node perf/lcp.mjs http://127.0.0.1:3000/login   (a running server)
import { chromium } from "@playwright/test";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const ctx = await b.newContext({ viewport: { width: 390, height: 844 } });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
await page.addInitScript(() => {
  window.__lcp = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lcp.push([Math.round(e.startTime), e.element?.tagName, e.element?.className, e.size, (e.element?.textContent||'').slice(0,20)]); }).observe({ type: "largest-contentful-paint", buffered: true });
  window.__mut = [];
  new MutationObserver((ms) => { for (const m of ms) if (m.addedNodes.length) window.__mut.push([Math.round(performance.now()), m.target.tagName, m.target.className, m.addedNodes.length]); }).observe(document, { childList: true, subtree: true });
});
await page.goto(process.argv[2], { waitUntil: "networkidle" });
await page.waitForTimeout(1500);
console.log(JSON.stringify(await page.evaluate(() => window.__lcp)));
const muts = await page.evaluate(() => window.__mut);
console.log(muts.length, JSON.stringify(muts.filter(m=>m[0]>200).slice(0,30)));
await b.close();
