import { defineConfig, devices } from "@playwright/test";

// The server is started by ../scripts/beian.sh (BEIAN_E2E_URL tells where).
const baseURL = process.env.BEIAN_E2E_URL ?? "http://127.0.0.1:3000";

// Debian's Chromium, never a downloaded browser; flags keep it off the network.
const launchOptions = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

const desktop = { viewport: { width: 1280, height: 800 }, launchOptions };
const phone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent: devices["iPhone 13"].userAgent,
  launchOptions,
};

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: { baseURL, locale: "zh-CN", trace: "off" },
  projects: [
    { name: "desktop", use: { ...desktop } },
    { name: "phone", use: { ...phone } },
    { name: "desktop-nojs", use: { ...desktop, javaScriptEnabled: false } },
    { name: "phone-nojs", use: { ...phone, javaScriptEnabled: false } },
  ],
});
