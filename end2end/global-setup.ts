// Our script starts the server and then the tests:
// wait until the site answers before any test runs.
export default async function globalSetup() {
  const base = process.env.BEIAN_E2E_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server at ${base} did not answer within 120 s (${last})`);
}
