// Several Beian servers on one SurrealDB server: the checks and the fault
// tests of scripts/cluster.sh (which builds the binaries and sets the
// environment). Prints what it did and what it found; exits 1 if any check
// failed.
//   node perf/cluster.mjs [check|kill|restart-db|numbers|all]
// Environment: BEIAN_BIN, SURREAL_BIN, CLUSTER_DIR (a scratch folder),
// LEPTOS_SITE_ROOT; CLUSTER_KILLS (20), CLUSTER_APPROVALS (1000).
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import { usccFrom } from "./ids.mjs";

const BIN = process.env.BEIAN_BIN;
const SURREAL = process.env.SURREAL_BIN;
const WORK = process.env.CLUSTER_DIR;
const SITE = process.env.LEPTOS_SITE_ROOT;
const KILLS = Number(process.env.CLUSTER_KILLS ?? 20);
const APPROVALS = Number(process.env.CLUSTER_APPROVALS ?? 1000);
const ROOT_PASS = `root-${crypto.randomBytes(9).toString("hex")}`;
const PASSWORD = `Cluster-${crypto.randomBytes(6).toString("hex")}`;

let failures = 0;
function found(ok, what) {
  console.log(`${ok ? "  ok  " : "  FAIL"} ${what}`);
  if (!ok) failures++;
}
const say = (s) => console.log(`\n== ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------ processes

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const children = new Set();
process.on("exit", () => {
  for (const c of children) try { c.kill("SIGKILL"); } catch {}
});

function run(cmd, args, env, logName) {
  const log = fs.openSync(path.join(WORK, logName), "a");
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", log, log] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

async function waitFor(url, child, seconds = 120) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not answer in ${seconds} s`);
}

function kill9(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

class Surreal {
  constructor(dir) {
    this.dir = dir;
  }
  async start() {
    this.port ??= await freePort();
    this.child = run(SURREAL, ["start", "--bind", `127.0.0.1:${this.port}`, `surrealkv://${this.dir}`], {
      SURREAL_USER: "root", SURREAL_PASS: ROOT_PASS, SURREAL_NO_BANNER: "true", SURREAL_LOG: "warn", SURREAL_ONLINE_VERSION_CHECK: "false",
    }, "surreal.log");
    await waitFor(`http://127.0.0.1:${this.port}/health`, this.child, 60);
    return this;
  }
  get url() {
    return `ws://127.0.0.1:${this.port}`;
  }
  // SurrealQL as root over SurrealDB's HTTP endpoint: what the checks read.
  async sql(query) {
    const r = await fetch(`http://127.0.0.1:${this.port}/sql`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`root:${ROOT_PASS}`).toString("base64")}`, "surreal-ns": "beian", "surreal-db": "beian", accept: "application/json" },
      body: query,
    });
    const out = await r.json();
    if (!Array.isArray(out)) throw new Error(`sql: ${JSON.stringify(out).slice(0, 300)}`);
    for (const s of out) if (s.status !== "OK") throw new Error(`sql: ${JSON.stringify(s).slice(0, 300)}`);
    return out.map((s) => s.result);
  }
}

function beianEnv(db, extra = {}) {
  return {
    BEIAN_DB: db.url, BEIAN_DB_USER: "root", BEIAN_DB_PASS: ROOT_PASS, BEIAN_DEMO_DATA: "false",
    LEPTOS_SITE_ROOT: SITE, BEIAN_LOG: "warn", BEIAN_PUBLIC_RATE_LIMIT: "0", ...extra,
  };
}

class Beian {
  constructor(name, db, env = {}) {
    Object.assign(this, { name, db, env });
  }
  async start() {
    this.port ??= await freePort();
    this.child = run(BIN, ["serve"], beianEnv(this.db, { LEPTOS_SITE_ADDR: `127.0.0.1:${this.port}`, BEIAN_MAIL_DIR: path.join(WORK, `mail-${this.name}`), ...this.env }), `beian-${this.name}.log`);
    await waitFor(`${this.base}/healthz`, this.child, 120);
    return this;
  }
  get base() {
    return `http://127.0.0.1:${this.port}`;
  }
  async stop() {
    if (this.child) {
      this.child.kill("SIGTERM");
      await new Promise((r) => (this.child.exitCode !== null ? r() : this.child.once("exit", r)));
    }
  }
}

function createUser(db, role, username, extra = []) {
  const r = spawnSync(BIN, ["user", "create", "--role", role, "--username", username, "--contact-name", `集群${username}`, "--email", `${username}@example.com`, "--mobile", `138${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`, ...extra], {
    env: { ...process.env, ...beianEnv(db), BEIAN_USER_PASSWORD: PASSWORD }, encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`user create ${username}: ${r.stderr}`);
}

// ------------------------------------------------------------ HTTP

async function call(base, cookie, endpoint, body, { json = false, timeout = 30000 } = {}) {
  const headers = { origin: base };
  if (cookie) headers.cookie = cookie;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (json) { headers["content-type"] = "application/json"; payload = JSON.stringify(body); }
  else { headers["content-type"] = "application/x-www-form-urlencoded"; payload = new URLSearchParams(body ?? {}); }
  const r = await fetch(`${base}/api/${endpoint}`, { method: "POST", headers, body: payload, signal: AbortSignal.timeout(timeout) });
  const text = await r.text();
  let value = null;
  try { value = text ? JSON.parse(text) : null; } catch { value = text; }
  return { status: r.status, value, headers: r.headers };
}

async function ok(base, cookie, endpoint, body, opts) {
  const r = await call(base, cookie, endpoint, body, opts);
  if (r.status !== 200) throw new Error(`${endpoint} at ${base}: ${r.status} ${JSON.stringify(r.value).slice(0, 300)}`);
  return r.value;
}

async function signIn(base, username, password = PASSWORD, captcha = {}) {
  const r = await call(base, null, "account/login", { username, password, ...captcha });
  const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).find((c) => c.startsWith("beian_session="));
  if (!cookie) throw new Error(`sign-in of ${username} at ${base}: ${r.status} ${JSON.stringify(r.value).slice(0, 200)}`);
  return cookie;
}

// ------------------------------------------------------------ filings

let usccSerial = Math.floor(Math.random() * 1e6) * 50;
const uscc = () => usccFrom(usccSerial++);

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2040, 7)]);
let domainSerial = 0;
const runTag = crypto.randomBytes(3).toString("hex");

function filled(form, cert, domain) {
  Object.assign(form.entity, {
    unit_name: `北京集群测试${domain.split(".")[0].slice(-6)}科技有限公司`, nature: "4", cert_type: "12", cert_number: cert,
    cert_address: "北京市海淀区上地十街10号", province: "11", address: "北京市海淀区上地十街10号", investor: "集群集团",
  });
  Object.assign(form.entity.leader, {
    name: "张三", cert_type: "1", cert_number: "11010519491231002X", valid_from: "20200101", long_term: true,
    mobile: "13800138000", phone: "010-12345678", emergency_phone: "13900139000", email: "zhang@example.com",
  });
  Object.assign(form.websites[0], {
    name: "集群测试服务网", domains: domain, home_urls: `www.${domain}`, content_types: [4], no_pre_approval: true, language: "1", same_leader: true,
  });
  Object.assign(form.websites[0].access, { method: "2", ips: "1.2.4.8", server_province: "11" });
  return form;
}

// A first filing, started, with its documents and every step saved: the draft.
async function draft(base, cookie) {
  let cert = uscc();
  let domain = `c${runTag}${++domainSerial}${crypto.randomBytes(2).toString("hex")}.cn`;
  const started = await call(base, cookie, "filing/start", { cert_number: cert, domains: domain });
  let d = started.value;
  if (started.status === 409) {
    // One unfinished filing per registrant: an earlier attempt was cut off
    // (its server killed); carry on with it, as a person would.
    d = await ok(base, cookie, "filing/draft", {});
    if (!d) throw new Error("filing/start: 409 and no unfinished filing");
    cert = d.form.entity.cert_number || cert;
    domain = (d.form.websites[0]?.domains || domain).split(/\s+/)[0];
  } else if (started.status !== 200) {
    throw new Error(`filing/start at ${base}: ${started.status} ${JSON.stringify(d).slice(0, 200)}`);
  }
  for (const kind of ["entity_cert", "leader_photo"]) {
    if (!(d.materials ?? []).some((m) => m.kind === kind)) await upload(base, cookie, d.id, kind);
  }
  const saved = await ok(base, cookie, "filing/save", { id: d.id, step: 5, form: filled(d.form, cert, domain), version: d.version }, { json: true });
  return { id: d.id, domain, cert, draft: saved };
}

async function upload(base, cookie, id, kind) {
  const fd = new FormData();
  fd.append("application", id);
  fd.append("kind", kind);
  fd.append("file", new Blob([PNG], { type: "image/png" }), "a.png");
  return ok(base, cookie, "filing/upload", fd);
}

// 核实: the clerk uploads the photo and form of the face-to-face check, then passes.
async function verifyAndPass(base, cookie, id) {
  for (const kind of ["verification_photo", "verification_form"]) await upload(base, cookie, id, kind);
  const detail = await ok(base, cookie, "filing/detail", { id });
  return call(base, cookie, "review/pass", { id, version: detail.summary.version, opinion: "已当面核验，信息真实" });
}

// ------------------------------------------------------------ checks

async function checkTwoServers() {
  say("two Beian servers on one SurrealDB server: one filing through both");
  const db = await new Surreal(path.join(WORK, "db-check")).start();
  createUser(db, "registrant", "reg1");
  createUser(db, "provider", "clerk1");
  createUser(db, "bureau", "bureau1", ["--province", "11"]);
  const a = await new Beian("a", db, { BEIAN_CAPTCHA: "on", BEIAN_PUBLIC_RATE_LIMIT: "30" }).start();
  const b = await new Beian("b", db, { BEIAN_CAPTCHA: "on", BEIAN_PUBLIC_RATE_LIMIT: "30" }).start();
  console.log(`SurrealDB ${db.url}; Beian A ${a.base}, B ${b.base}`);

  // The captcha: issued by A, answered at B, then refused at A (used up).
  const solve = async (id) => {
    const [[hash]] = await db.sql(`SELECT VALUE secret_hash FROM challenge WHERE id = type::record('challenge', '${id}')`);
    const glyphs = "2345678ACEFHKMNPRTUVWXY";
    for (const x of glyphs) for (const y of glyphs) for (const z of glyphs) for (const w of glyphs) {
      const s = x + y + z + w;
      if (crypto.createHash("sha256").update(s).digest("hex") === hash) return s;
    }
    throw new Error("no answer");
  };
  const c = (await ok(a.base, null, "account/captcha", {}));
  const answer = await solve(c.id);
  const regCookie = await signIn(b.base, "reg1", PASSWORD, { captcha_id: c.id, captcha: answer });
  found(!!regCookie, "a captcha made by A is answered at B (it lives in the database)");
  const again = await call(a.base, null, "account/login", { username: "reg1", password: PASSWORD, captcha_id: c.id, captcha: answer });
  found(again.status === 422, `the same captcha is refused at A afterwards (${again.status}): used once across servers`);

  // The session: made at B, valid at A; signed out at A, gone at B.
  const meA = await ok(a.base, regCookie, "account/me", {});
  found(meA?.username === "reg1", "a session made at B is valid at A");

  const signInSolved = async (server, user) => {
    const cap = await ok(server.base, null, "account/captcha", {});
    return signIn(server.base, user, PASSWORD, { captcha_id: cap.id, captcha: await solve(cap.id) });
  };
  // The filing: drafted and submitted at A, 核实 at B, approved at A.
  const f = await draft(a.base, regCookie);
  const submitted = await ok(a.base, regCookie, "filing/submit", { id: f.id });
  found(submitted.status === "pending_verification", `submitted at A: ${submitted.status}`);
  const clerk = await signInSolved(b, "clerk1");
  const passedAnswer = await verifyAndPass(b.base, clerk, f.id);
  const passed = passedAnswer.value;
  found(passed.status === "pending_bureau", `核实通过 at B: ${passed.status}`);
  const bureau = await signInSolved(a, "bureau1");
  const approved = await ok(a.base, bureau, "review/approve", { id: f.id, version: passed.version });
  const licence = approved.website_licences?.[0];
  found(approved.status === "approved" && /^京ICP备\d+号-1$/.test(licence ?? ""), `approved at A: ${licence}`);
  // The public query at B (its in-memory index follows the database).
  let seen = false;
  const started = Date.now();
  while (!seen && Date.now() - started < 5000) {
    const r = await fetch(`${b.base}/api/v1/records?q=${encodeURIComponent(f.domain)}`);
    const j = await r.json();
    seen = (j.list ?? j.items ?? j.data ?? []).some?.((x) => JSON.stringify(x).includes(licence)) || JSON.stringify(j).includes(licence);
    if (!seen) await sleep(50);
  }
  found(seen, `B's public query shows ${licence} after ${Date.now() - started} ms`);
  const logout = await call(a.base, regCookie, "account/logout", {});
  const meB = await call(b.base, regCookie, "account/me", {});
  found(logout.status === 200 && meB.status === 200 && meB.value === null, "signed out at A, the session is gone at B too");

  // Sign-in failures: counted in the database, so each server holds back
  // the next failure longer, whichever server the earlier ones went to.
  const failAt = async (server) => {
    const cap = await ok(server.base, null, "account/captcha", {});
    const t = Date.now();
    await call(server.base, null, "account/login", { username: "clerk1", password: "wrong-password", captcha_id: cap.id, captcha: await solve(cap.id) });
    return Date.now() - t;
  };
  const delays = [];
  for (const s of [a, b, a, b, a, b]) delays.push(await failAt(s));
  found(delays[5] >= 2500, `wrong passwords alternating A and B are held back longer each time (ms: ${delays.join(", ")}): the count is shared`);

  // The public query's rate limit is per server (see docs/deployment.md).
  const statuses = [];
  for (let i = 0; i < 31; i++) statuses.push((await fetch(`${a.base}/api/v1/records?q=${encodeURIComponent(f.domain)}`)).status);
  const atB = (await fetch(`${b.base}/api/v1/records?q=${encodeURIComponent(f.domain)}`)).status;
  found(statuses.filter((s) => s === 429).length >= 1, `the public query limit (30 a minute) holds at A (${statuses.filter((s) => s === 200).length} answered, then 429)`);
  console.log(`  note B answers the same address (${atB}): the public query's limit is per server; behind a load balancer that hashes the client's address, a client meets one server's limit`);

  // Messages: each outbox row sent by exactly one of the two servers.
  await sleep(6000);
  const [sent, pending] = await db.sql("(SELECT count() AS n FROM outbox WHERE status = 'sent' GROUP ALL)[0].n ?? 0; (SELECT count() AS n FROM outbox WHERE status = 'pending' GROUP ALL)[0].n ?? 0;");
  const files = ["a", "b"].map((n) => { try { return fs.readdirSync(path.join(WORK, `mail-${n}`)).length; } catch { return 0; } });
  found(sent > 0 && files[0] + files[1] === sent && pending === 0, `${sent} messages sent, written once in all (A wrote ${files[0]}, B ${files[1]}), none pending`);

  await a.stop();
  await b.stop();
  await kill9(db.child);
}

// Invariants read straight from the database after a fault test.
async function consistent(db, acknowledged) {
  const [noAudit] = await db.sql(`SELECT VALUE record::id(id) FROM application WHERE status != 'draft' AND array::len((SELECT VALUE id FROM audit_event WHERE application = $parent.id AND to_status = $parent.status LIMIT 1)) = 0`);
  found(noAudit.length === 0, `every application out of draft has the audit event of its state (${noAudit.length} without)`);
  const [noPublic] = await db.sql(`SELECT VALUE licence FROM website WHERE licence != NONE AND status = 'normal' AND !record::exists(type::record('public_record', record::id(id)))`);
  found(noPublic.length === 0, `every filed website number has its public record (${noPublic.length} without)`);
  const [dupes] = await db.sql(`SELECT licence, count() AS n FROM website WHERE licence != NONE GROUP BY licence`);
  found(dupes.every((d) => d.n === 1), `no website number issued twice (${dupes.length} numbers)`);
  const [apps] = await db.sql(`SELECT record::id(id) AS id, status, version, draft FROM application`);
  const byId = new Map(apps.map((x) => {
    let address = null;
    try { address = JSON.parse(x.draft)?.entity?.address ?? null; } catch {}
    return [x.id, { id: x.id, status: x.status, version: x.version, address }];
  }));
  let lost = 0;
  const lostSamples = [];
  for (const ack of acknowledged) {
    const row = byId.get(ack.id);
    const rank = { draft: 0, pending_verification: 1, pending_bureau: 2, approved: 3 };
    let good = !!row;
    if (good && ack.kind === "save") good = row.version > ack.version || (row.version === ack.version && row.address === ack.address);
    if (good && ack.kind !== "save") good = (rank[row.status] ?? -1) >= rank[ack.status];
    if (!good) { lost++; if (lostSamples.length < 3) lostSamples.push({ ack, row }); }
  }
  found(lost === 0, `every acknowledged request is in the database (${acknowledged.length} acknowledged, ${lost} missing${lost ? `: ${JSON.stringify(lostSamples)}` : ""})`);
}

// Clients drafting, saving, submitting and approving against the servers,
// recording every answer they were given.
// What went wrong, by kind (the address and ids taken out), most frequent first.
function summary(errors) {
  const kinds = new Map();
  for (const e of errors) {
    const k = e.replace(/http:\/\/127\.0\.0\.1:\d+/g, "").replace(/[0-9a-f]{20}/g, "…").slice(0, 110);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${n}× ${k}`).join("\n    ");
}

function clients(servers, n, control, acknowledged, errors) {
  return Array.from({ length: n }, async (_, i) => {
    const pick = () => servers[Math.floor(Math.random() * servers.length)];
    const role = i % 4;
    let cookie = null;
    const user = role === 3 ? "bureau1" : role === 2 ? "clerk1" : `reg${i + 1}`;
    while (!control.stop) {
      const s = pick();
      try {
        cookie ??= await signIn(s.base, user);
        if (role === 3 || role === 2) {
          const queue = role === 3 ? "bureau" : "verify";
          const list = await ok(s.base, cookie, "review/queue", { which: queue, filter: {} }, { json: true });
          const item = list[Math.floor(Math.random() * Math.min(list.length, 5))];
          if (!item) { await sleep(200); continue; }
          const r = role === 3
            ? await call(s.base, cookie, "review/approve", { id: item.id, version: item.version })
            : await verifyAndPass(s.base, cookie, item.id);
          if (r.status === 200) acknowledged.push({ kind: role === 3 ? "approve" : "pass", id: item.id, status: r.value.status });
          else if (r.status !== 409) errors.push(`${r.status} ${JSON.stringify(r.value).slice(0, 120)}`);
        } else {
          const f = await draft(s.base, cookie);
          acknowledged.push({ kind: "save", id: f.id, version: f.draft.version, address: f.draft.form.entity.address });
          const form = f.draft.form;
          form.entity.address = `北京市海淀区上地十街${Math.floor(Math.random() * 200) + 1}号`;
          const saved = await ok(pick().base, cookie, "filing/save", { id: f.id, step: 5, form, version: f.draft.version }, { json: true });
          acknowledged.push({ kind: "save", id: f.id, version: saved.version, address: form.entity.address });
          const sub = await ok(pick().base, cookie, "filing/submit", { id: f.id });
          acknowledged.push({ kind: "submit", id: f.id, status: sub.status });
        }
      } catch (e) {
        // A connection cut by the kill, or a 503 while a server restarts:
        // not acknowledged, so nothing is owed. Sessions live in the
        // database, so the cookie stays good.
        errors.push(String(e.message ?? e).slice(0, 160));
        await sleep(100);
      }
    }
  });
}

// The accounts every fault test uses: 16 registrants, a clerk, a 北京 管局 reviewer.
function accounts(db) {
  for (let i = 1; i <= 16; i++) createUser(db, "registrant", `reg${i}`);
  createUser(db, "provider", "clerk1");
  createUser(db, "bureau", "bureau1", ["--province", "11"]);
}

// Sign-in helpers off (no picture code, no limits) for the clients.
const FAULT_ENV = { BEIAN_CAPTCHA: "off", BEIAN_RATE_LIMITS: "off", BEIAN_DEV: "true" };

// A SurrealDB server in WORK/dir, two Beian servers on it, and 16 clients at work.
async function underLoad(dir) {
  const db = await new Surreal(path.join(WORK, dir)).start();
  accounts(db);
  const a = await new Beian("a", db, FAULT_ENV).start();
  const b = await new Beian("b", db, FAULT_ENV).start();
  const acknowledged = [];
  const errors = [];
  const control = { stop: false };
  const load = clients([a, b], 16, control, acknowledged, errors);
  return { db, a, b, acknowledged, errors, control, load };
}

async function killBeian() {
  say(`kill -9 a Beian server ${KILLS} times while clients submit, save drafts, pass and approve`);
  const { db, a, b, acknowledged, errors, control, load } = await underLoad("db-kill");
  const started = Date.now();
  for (let k = 1; k <= KILLS; k++) {
    await sleep(1500 + Math.random() * 1500);
    const victim = k % 2 ? a : b;
    const before = acknowledged.length;
    await kill9(victim.child);
    const t = Date.now();
    await victim.start();
    process.stdout.write(`  kill ${k}: Beian ${victim.name} killed and back in ${Date.now() - t} ms (${before} acknowledged so far)\n`);
  }
  await sleep(2000);
  control.stop = true;
  await Promise.all(load);
  console.log(`  ${acknowledged.length} requests acknowledged in ${((Date.now() - started) / 1000).toFixed(0)} s; ${errors.length} refused or cut off:\n    ${summary(errors)}`);
  await a.stop();
  await b.stop();
  await consistent(db, acknowledged);
  await kill9(db.child);
}


async function restartDatabase() {
  const rounds = Number(process.env.CLUSTER_DB_RESTARTS ?? 3);
  say(`kill -9 the SurrealDB server ${rounds} times under load, start it again after 5 s`);
  const { db, a, b, acknowledged, errors, control, load } = await underLoad("db-restart");
  // A prober: a signed-in request and a page at each server every 200 ms.
  const probeCookie = await signIn(a.base, "reg1");
  const samples = [];
  const prober = (async () => {
    while (!control.stop) {
      for (const s of [a, b]) {
        for (const [what, go] of [
          ["filing/list", () => fetch(`${s.base}/api/filing/list`, { method: "POST", headers: { cookie: probeCookie, origin: s.base, "content-type": "application/x-www-form-urlencoded" }, body: "", signal: AbortSignal.timeout(60000) })],
          ["/filings page", () => fetch(`${s.base}/filings`, { headers: { cookie: probeCookie }, signal: AbortSignal.timeout(60000) })],
        ]) {
          const t = Date.now();
          try {
            const r = await go();
            const body = await r.text();
            samples.push({ t, ms: Date.now() - t, status: r.status, what, body: r.status >= 500 ? body.slice(0, 200) : "" });
          } catch (e) {
            samples.push({ t, ms: Date.now() - t, status: 0, what, body: String(e) });
          }
        }
      }
      await sleep(200);
    }
  })();
  const outages = [];
  for (let k = 1; k <= rounds; k++) {
    await sleep(4000);
    const before = acknowledged.length;
    await kill9(db.child);
    const down = Date.now();
    await sleep(5000);
    await db.start();
    const up = Date.now();
    for (const s of [a, b]) {
      // /readyz says "database": "up" again (it stays 200 while the public
      // query can be served from memory; see docs/deployment.md).
      while ((await fetch(`${s.base}/readyz`).then((r) => r.json()).catch(() => ({}))).database !== "up") await sleep(50);
    }
    const ready = Date.now();
    outages.push({ down, up, ready, before });
    console.log(`  restart ${k}: SurrealDB down ${((up - down) / 1000).toFixed(1)} s; both Beian servers saw it answer again ${ready - up} ms after it was back`);
  }
  await sleep(4000);
  const afterLast = acknowledged.length - outages[outages.length - 1].before;
  control.stop = true;
  await Promise.all([...load, prober]);
  // Requests made from 3 s after the kill (the servers notice within 2–3 s)
  // until it was back.
  const during = samples.filter((x) => outages.some((o) => x.t >= o.down + 3000 && x.t + x.ms <= o.up));
  const firstRefusal = outages.map((o) => {
    const first = samples.find((x) => x.status === 503 && x.t + x.ms >= o.down);
    return first ? first.t + first.ms - o.down : null;
  });
  console.log(`  the first 503 came ${firstRefusal.map((ms) => (ms === null ? "never" : `${ms} ms`)).join(", ")} after each kill`);
  const kinds = {};
  for (const x of during) kinds[x.status] = (kinds[x.status] ?? 0) + 1;
  const slowest = Math.max(0, ...during.map((x) => x.ms));
  found(during.length > 0 && during.every((x) => x.status === 503), `while SurrealDB was down, Beian answered ${JSON.stringify(kinds)} (status: count), slowest ${slowest} ms`);
  const example = during.find((x) => x.what === "filing/list" && x.status === 503);
  if (example) console.log(`  what a caller was told: ${example.body}`);
  found(slowest < 5000, `no request hung while it was down (slowest ${slowest} ms)`);
  found(afterLast > 0, `clients were served again after the last restart (${afterLast} acknowledged since)`);
  const panics = ["a", "b"].map((n) => (fs.readFileSync(path.join(WORK, `beian-${n}.log`), "utf8").match(/panicked/g) ?? []).length);
  found(panics[0] + panics[1] === 0, `no panic in the Beian servers' logs (${panics.join(", ")})`);
  console.log(`  ${acknowledged.length} requests acknowledged; ${errors.length} refused or cut off:\n    ${summary(errors)}`);
  await a.stop();
  await b.stop();
  await consistent(db, acknowledged);
  await kill9(db.child);
}

async function numbers() {
  say(`${APPROVALS} approvals at once across two Beian servers: unique, gap-free numbers`);
  const db = await new Surreal(path.join(WORK, "db-numbers")).start();
  accounts(db);
  const servers = [await new Beian("a", db, FAULT_ENV).start(), await new Beian("b", db, FAULT_ENV).start()];
  const cookies = new Map();
  const cookie = async (s, user) => {
    const key = `${s.name}/${user}`;
    if (!cookies.has(key)) cookies.set(key, await signIn(s.base, user));
    return cookies.get(key);
  };
  const ready = [];
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 16 }, async (_, w) => {
    while (next < APPROVALS) {
      next++;
      const s = servers[w % 2];
      const user = `reg${w + 1}`;
      const f = await draft(s.base, await cookie(s, user));
      const sub = await ok(s.base, await cookie(s, user), "filing/submit", { id: f.id });
      const other = servers[(w + 1) % 2];
      const answer = await verifyAndPass(other.base, await cookie(other, "clerk1"), f.id);
      if (answer.status !== 200) throw new Error(`核实 of ${f.id}: ${answer.status} ${JSON.stringify(answer.value).slice(0, 200)}`);
      const p = answer.value;
      ready.push({ id: f.id, version: p.version });
      if (ready.length % 100 === 0) process.stdout.write(`  ${ready.length} filings with the 管局 (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  }));
  let i = 0;
  const approved = [];
  const retried = { n: 0 };
  const t1 = Date.now();
  await Promise.all(Array.from({ length: 64 }, async (_, w) => {
    while (i < ready.length) {
      const item = ready[i++];
      const s = servers[w % 2];
      for (let attempt = 0; ; attempt++) {
        const r = await call(s.base, await cookie(s, "bureau1"), "review/approve", { id: item.id, version: item.version }, { timeout: 120000 });
        if (r.status === 200) { approved.push(r.value); break; }
        if (attempt > 0 && r.status === 409) {
          // Approved by the earlier attempt after all (it answered 503 past
          // its time limit, and the transaction committed): read it back.
          const d = await ok(s.base, await cookie(s, "bureau1"), "filing/detail", { id: item.id });
          if (d.summary.status === "approved") { approved.push(d.summary); break; }
        }
        if (attempt >= 5) throw new Error(`approval of ${item.id}: ${r.status} ${JSON.stringify(r.value).slice(0, 200)}`);
        retried.n++;
        await sleep(100);
      }
    }
  }));
  const secs = (Date.now() - t1) / 1000;
  console.log(`  ${approved.length} approved in ${secs.toFixed(1)} s (${(approved.length / secs).toFixed(0)}/s, 64 at once over two servers; ${retried.n} answers other than 200 tried again)`);
  const entityNumbers = approved.map((x) => x.entity_licence);
  const seq = entityNumbers.map((n) => /^京ICP备(\d{4})(\d{6})号$/.exec(n ?? "")).map((m) => (m ? Number(m[2]) : NaN)).sort((x, y) => x - y);
  const unique = new Set(entityNumbers).size === entityNumbers.length;
  const gapFree = seq.every((v, k) => k === 0 || v === seq[k - 1] + 1) && !seq.some(Number.isNaN);
  found(approved.length === APPROVALS && unique, `${new Set(entityNumbers).size} distinct 主体备案号 for ${approved.length} approvals`);
  found(gapFree, `gap-free: 京ICP备…${String(seq[0]).padStart(6, "0")}号 to …${String(seq[seq.length - 1]).padStart(6, "0")}号`);
  found(approved.every((x) => x.website_licences?.[0] === x.entity_licence.replace(/号$/, "号-1")), "each website numbered …号-1 under its entity's number");
  for (const s of servers) await s.stop();
  await consistent(db, approved.map((x) => ({ kind: "approve", id: x.id, status: "approved" })));
  await kill9(db.child);
}

export { checkTwoServers, restartDatabase, numbers, killBeian, consistent, clients, draft, signIn, ok, call, Surreal, Beian, createUser, found, say, sleep, PASSWORD };

const mode = process.argv[2] ?? "all";
if (import.meta.url === `file://${process.argv[1]}`) {
  fs.mkdirSync(WORK, { recursive: true });
  try {
    if (mode === "check" || mode === "all") await checkTwoServers();
    if (mode === "kill" || mode === "all") await killBeian();
    if (mode === "restart-db" || mode === "all") await restartDatabase();
    if (mode === "numbers" || mode === "all") await numbers();
  } catch (e) {
    console.log(`  FAIL ${e.stack ?? e}`);
    failures++;
  }
  console.log(failures ? `\n${failures} check(s) failed; logs in ${WORK}` : `\nall checks passed; logs in ${WORK}`);
  process.exit(failures ? 1 : 0);
}
