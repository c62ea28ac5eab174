// Writes: registrants saving wizard steps at once, through the real server
// functions (session cookie, authorisation, validation, one transaction with
// its audit event per save).
//   node perf/writes.mjs   (BEIAN_URL, BEIAN_WRITERS=64, BEIAN_SECONDS=20, BEIAN_PASSWORD)
// The accounts w001…w064 must exist (scripts/bench-writes.sh creates them).
// Each registrant signs in, starts a filing of its own, then saves step ①
// with a changed address again and again. Two runs:
//  - people: every registrant saves, waits 0.5–1.5 s (a person typing; the
//    wizard saves when a step is left), and saves again; all 64 at once, each
//    starting at a random moment of the first 1.5 s (people do not press
//    their buttons in the same millisecond; a start in lockstep would measure
//    64 saves queued behind each other once, not the load);
//  - flat out: every registrant saves again as soon as its answer arrives.
// Prints saves/s, p50, p99 and the slowest save of each run.
import { usccFrom } from "./ids.mjs";

const base = process.env.BEIAN_URL ?? "http://127.0.0.1:3000";
const writers = Number(process.env.BEIAN_WRITERS ?? 64);
const seconds = Number(process.env.BEIAN_SECONDS ?? 20);
const password = process.env.BEIAN_PASSWORD;

const uscc = () => usccFrom(Math.floor(Math.random() * 89_999_999));

async function call(cookie, path, body, json) {
  const headers = { cookie, origin: base };
  if (json) headers["content-type"] = "application/json";
  else headers["content-type"] = "application/x-www-form-urlencoded";
  const r = await fetch(`${base}/api/${path}`, { method: "POST", headers, body: json ? JSON.stringify(body) : new URLSearchParams(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${text.slice(0, 300)}`);
  return { r, value: text ? JSON.parse(text) : null };
}

async function signIn(i) {
  const username = `w${String(i + 1).padStart(3, "0")}`;
  const r = await fetch(`${base}/api/account/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams({ username, password }),
  });
  const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).find((c) => c.startsWith("beian_session="));
  if (!cookie) throw new Error(`sign-in of ${username}: ${r.status} ${(await r.text()).slice(0, 300)}`);
  const { value: draft } = await call(cookie, "filing/start", { cert_number: uscc(), domains: `${username}-${Date.now().toString(36)}.cn` });
  return { cookie, draft };
}

const writer = async (w, until, think, times) => {
  let n = 0;
  if (think) await new Promise((r) => setTimeout(r, Math.random() * 1500));
  while (Date.now() < until) {
    const form = structuredClone(w.draft.form);
    form.entity.address = `北京市海淀区上地十街${(n++ % 200) + 1}号`;
    const started = performance.now();
    const { value } = await call(w.cookie, "filing/save", { id: w.draft.id, step: 1, form, version: w.draft.version }, true);
    times.push(performance.now() - started);
    w.draft = value;
    if (think) await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
  }
};

function report(label, times, secs) {
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
  console.log(`${label.padEnd(36)}${String(times.length).padStart(8)}${(times.length / secs).toFixed(0).padStart(10)}${q(0.5).padStart(9)}${q(0.99).padStart(9)}${times[times.length - 1].toFixed(1).padStart(9)}`);
}

const ws = [];
for (let i = 0; i < writers; i++) ws.push(await signIn(i));
console.log(`${writers} registrants signed in, each with a filing of its own; ${seconds} s per run`);
console.log(`${"run".padEnd(36)}${"saves".padStart(8)}${"saves/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}`);
// A short warm-up, not counted.
await Promise.all(ws.map((w) => writer(w, Date.now() + 2000, false, [])));
for (const [label, think] of [[`people (${writers}, 0.5–1.5 s between saves)`, true], [`flat out (${writers} at once)`, false]]) {
  const times = [];
  const started = Date.now();
  await Promise.all(ws.map((w) => writer(w, started + seconds * 1000, think, times)));
  report(label, times, (Date.now() - started) / 1000);
}
