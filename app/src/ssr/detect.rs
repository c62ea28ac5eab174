//! 未备案检测 (seed 001 §1.8): host names our web servers answered for,
//! tallied from access logs (`beian detect`) or shippers' batches
//! (`POST /api/v1/detections`), reduced to the domains that are filed,
//! matched against live filings and their access rows, and recorded as
//! detections with their history; the clerk's list, handling and
//! statistics.

use std::collections::{BTreeMap, HashMap, HashSet};

use surrealdb::types::{Datetime, RecordId, SurrealValue};

use super::db::{classify as classify_failure, tx_check, Db, Failure};
use super::guard::Ctx;
use crate::domain::detect::{self, after_sighting, BadLine, Conditions, DetectionState, Finding, LogFormat, Reason, Standing, StatGroup};
use crate::domain::net::parse_served_host;
use crate::domain::workflow::Role;
use crate::domain::{Lang, Message};
use crate::error::AppError;
use crate::models::{RunReport, UnfiledDetail, UnfiledHandling, UnfiledItem, UnfiledPage, UnfiledSeen, UnfiledStatLine, UnfiledStats};

/// IPs and host names kept per domain.
const KEEP: usize = 20;
/// Host names remembered with their domain (a cache: cleared when full, so
/// a run's memory is bounded by its distinct domains, not its hosts).
const HOST_CACHE: usize = 500_000;
/// Server IPs told apart in one run (a provider has hundreds; a shipper
/// sending junk addresses gets the first ones kept).
const MAX_IPS: usize = 100_000;
/// The longest host read: a domain (253) with a port and brackets.
const MAX_HOST_BYTES: usize = 262;
/// Samples of bad lines and odd hosts kept for the report.
const SAMPLES: usize = 10;
/// Domains looked up per query (see `classify`), queries under way at
/// once, and domains recorded per transaction.
const LOOKUP_CHUNK: usize = super::db::IN_LIST_MAX;
const LOOKUPS_AT_ONCE: usize = 8;
const WRITE_CHUNK: usize = 500;

// ---------------------------------------------------------------------------
// Tallying

/// What was seen under one domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub domain: String,
    pub unicode: String,
    pub hosts: Vec<String>,
    pub ips: Vec<String>,
    pub first: i64,
    pub last: i64,
    pub hits: u64,
}

/// Adds `v` to a kept list (at most KEEP, no repeats).
fn keep(list: &mut Vec<String>, v: &str) {
    if list.len() < KEEP && !list.iter().any(|x| x == v) {
        list.push(v.to_string());
    }
}

/// A domain while the lines are read: IPs by their number in the run.
struct DomainTally {
    seen: Seen,
    ips: Vec<u32>,
}

/// A run's tally: lines read, bad lines with samples, and what each
/// domain was seen doing. Each new host name is reduced to its domain once
/// (then found in a cache); memory grows with the distinct domains, not
/// the lines or the hosts. Hosts and IPs are kept in the order first seen,
/// so the same lines always give the same result.
#[derive(Default)]
pub struct Tally {
    /// Host (lower-cased bytes as written) → its domain's place in
    /// `domains`, or None when it is no public domain.
    host_cache: HashMap<Vec<u8>, Option<u32>>,
    domain_index: HashMap<String, u32>,
    domains: Vec<DomainTally>,
    /// Server IP as written → its number (None: not an IP).
    ip_cache: HashMap<Vec<u8>, Option<u32>>,
    ip_index: HashMap<String, u32>,
    /// Each IP in one spelling (`2001:DB8::1` is `2001:db8::1`), as access rows hold it.
    ip_names: Vec<String>,
    /// The servers' address when the lines do not carry one (`--server-ip`).
    default_ip: Option<u32>,
    format: LogFormat,
    pub lines: u64,
    pub bad: u64,
    bad_by: BTreeMap<BadLine, u64>,
    bad_samples: Vec<String>,
    hosts: u64,
    not_domains: u64,
    not_domain_samples: Vec<String>,
    lower: Vec<u8>,
}

impl Tally {
    pub fn new(default_ip: Option<&str>, format: LogFormat) -> Tally {
        let mut t = Tally { format, ..Tally::default() };
        t.default_ip = default_ip.and_then(|ip| t.ip_id(ip.trim().as_bytes()));
        t
    }

    fn not_a_domain(&mut self, host: &[u8]) {
        self.not_domains += 1;
        if self.not_domain_samples.len() < SAMPLES {
            self.not_domain_samples.push(String::from_utf8_lossy(host).chars().take(100).collect());
        }
    }

    /// The run's number for an IP as written (parsed once per spelling).
    fn ip_id(&mut self, raw: &[u8]) -> Option<u32> {
        if let Some(id) = self.ip_cache.get(raw) {
            return *id;
        }
        if self.ip_cache.len() >= MAX_IPS {
            self.ip_cache.clear();
        }
        let canonical = std::str::from_utf8(raw).ok().and_then(|s| s.parse::<std::net::IpAddr>().ok()).map(|a| a.to_string());
        let id = match canonical {
            Some(c) => match self.ip_index.get(&c) {
                Some(id) => Some(*id),
                None if self.ip_names.len() < MAX_IPS => {
                    let id = self.ip_names.len() as u32;
                    self.ip_index.insert(c.clone(), id);
                    self.ip_names.push(c);
                    Some(id)
                }
                None => None,
            },
            None => None,
        };
        self.ip_cache.insert(raw.to_vec(), id);
        id
    }

    /// One access-log line (without its line ending).
    pub fn add_line(&mut self, line: &[u8]) {
        self.lines += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        match detect::parse_line(line, self.format) {
            Err(why) => {
                self.bad += 1;
                *self.bad_by.entry(why).or_default() += 1;
                if self.bad_samples.len() < SAMPLES {
                    let text: String = String::from_utf8_lossy(line).chars().take(200).collect();
                    self.bad_samples.push(format!("{}: {text}", self.lines));
                }
            }
            // Longer than any domain (253) with a port: never kept, whatever its bytes.
            Ok(l) if l.host.len() > MAX_HOST_BYTES => self.not_a_domain(l.host),
            Ok(l) => {
                self.lower.clear();
                self.lower.extend(l.host.iter().map(u8::to_ascii_lowercase));
                let ip = match l.server_ip {
                    Some(raw) => self.ip_id(raw),
                    None => self.default_ip,
                };
                self.count_host(ip, l.at, l.at, 1);
            }
        }
    }

    /// One observation from a shipper (already checked).
    pub fn add_observation(&mut self, host: &str, ip: &str, first: i64, last: i64, hits: u64) {
        if host.len() > MAX_HOST_BYTES {
            self.not_a_domain(host.as_bytes());
            return;
        }
        self.lower.clear();
        self.lower.extend(host.trim().bytes().map(|b| b.to_ascii_lowercase()));
        let ip = self.ip_id(ip.trim().as_bytes());
        self.count_host(ip, first, last, hits);
    }

    /// The domain of the host in `self.lower`: from the cache, or reduced
    /// now (a public-suffix lookup) and remembered.
    fn domain_of_lower(&mut self) -> Option<u32> {
        if let Some(d) = self.host_cache.get(self.lower.as_slice()) {
            return *d;
        }
        if self.host_cache.len() >= HOST_CACHE {
            self.host_cache.clear();
        }
        self.hosts += 1;
        let host = String::from_utf8_lossy(&self.lower).into_owned();
        let d = match parse_served_host(&host) {
            Ok(p) => {
                let i = match self.domain_index.get(&p.ascii) {
                    Some(i) => *i,
                    None => {
                        let i = self.domains.len() as u32;
                        self.domain_index.insert(p.ascii.clone(), i);
                        self.domains.push(DomainTally { seen: Seen { domain: p.ascii, unicode: p.unicode, first: i64::MAX, last: i64::MIN, ..Seen::default() }, ips: Vec::new() });
                        i
                    }
                };
                let hosts = &mut self.domains[i as usize].seen.hosts;
                if hosts.len() < KEEP && !hosts.contains(&host) {
                    hosts.push(host);
                }
                Some(i)
            }
            Err(_) => {
                self.not_a_domain(host.as_bytes());
                None
            }
        };
        self.host_cache.insert(self.lower.clone(), d);
        d
    }

    fn count_host(&mut self, ip: Option<u32>, first: i64, last: i64, hits: u64) {
        let Some(d) = self.domain_of_lower() else { return };
        let t = &mut self.domains[d as usize];
        if let Some(ip) = ip {
            if t.ips.len() < KEEP && !t.ips.contains(&ip) {
                t.ips.push(ip);
            }
        }
        t.seen.first = t.seen.first.min(first);
        t.seen.last = t.seen.last.max(last);
        t.seen.hits += hits;
    }

    /// The domains seen, and the report's counts so far.
    pub fn finish(self) -> (Vec<Seen>, RunReport) {
        let names = self.ip_names;
        let mut seen: Vec<Seen> = self
            .domains
            .into_iter()
            .map(|t| Seen { ips: t.ips.iter().map(|i| names[*i as usize].clone()).collect(), ..t.seen })
            .collect();
        seen.sort_by(|a, b| a.domain.cmp(&b.domain));
        let report = RunReport {
            lines: self.lines,
            bad_lines: self.bad,
            bad_by_reason: self.bad_by.into_iter().map(|(k, n)| (k.label().zh.to_string(), n)).collect(),
            bad_samples: self.bad_samples,
            hosts: self.hosts,
            not_domains: self.not_domains,
            not_domain_samples: self.not_domain_samples,
            domains: seen.len() as u64,
            ..RunReport::default()
        };
        (seen, report)
    }
}

// ---------------------------------------------------------------------------
// Matching

/// What a served domain is, as the filings say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Filed, with an active access row of ours: nothing to record.
    Ours,
    /// Not filed, or not with us; the filing found, if any.
    Found(Reason, Option<String>),
}

#[derive(SurrealValue)]
struct ClaimRow {
    domain: String,
    website: Option<RecordId>,
    licence: Option<String>,
}

#[derive(SurrealValue)]
struct CancelledRow {
    domains: Vec<String>,
    licence: Option<String>,
    status: String,
}

/// The verdict on each domain (ASCII, as filings store them): claimed by
/// an approved website (ours or not, by its active access rows), by an
/// application under way, once filed and cancelled, or never filed.
///
/// Every lookup goes through an index, one entry per domain or website
/// (domain_claim's UNIQUE domain, access by website, website by domain),
/// LOOKUP_CHUNK at a time and LOOKUPS_AT_ONCE chunks at once. The chunk is
/// small on purpose (db::IN_LIST_MAX: longer lists scan the table); a second
/// condition on another indexed field makes it intersect with that index
/// instead, which for `provider_name` is every access row of ours. So
/// status and provider are checked here, on the few rows found. Plans read
/// with EXPLAIN; figures in docs/performance.md.
pub async fn classify(db: &Db, provider: &str, domains: &[String]) -> Result<HashMap<String, Verdict>, AppError> {
    use futures::{StreamExt, TryStreamExt};
    // Each lookup owns what it uses (borrowed closures make the handler's
    // future not `Send` for axum).
    let parts: Vec<Vec<(String, Verdict)>> = futures::stream::iter(domains.chunks(LOOKUP_CHUNK).map(<[String]>::to_vec))
        .map(|chunk| {
            let (db, provider) = (db.clone(), provider.to_string());
            async move { classify_chunk(&db, &provider, &chunk).await }
        })
        .buffer_unordered(LOOKUPS_AT_ONCE)
        .try_collect()
        .await?;
    Ok(parts.into_iter().flatten().collect())
}

/// classify's lookups ($d: up to LOOKUP_CHUNK domains, $w: websites);
/// public so a test can read their plans.
pub const Q_CLAIMS: &str = "SELECT domain, website, website.licence AS licence FROM domain_claim WHERE domain IN $d";
pub const Q_ACCESS: &str = "SELECT website, provider_name, status FROM access WHERE website IN $w";
pub const Q_WEBSITES: &str = "SELECT domains.ascii AS domains, licence, status FROM website WHERE domains[*].ascii CONTAINSANY $d";

#[derive(SurrealValue)]
struct AccessRow {
    website: RecordId,
    provider_name: String,
    status: String,
}

async fn classify_chunk(db: &Db, provider: &str, chunk: &[String]) -> Result<Vec<(String, Verdict)>, AppError> {
    let mut out: HashMap<String, Verdict> = HashMap::with_capacity(chunk.len());
    let mut res = db
        .query(Q_CLAIMS)
        .bind(("d", chunk.to_vec()))
        .await?
        .check()?;
    let claims: Vec<ClaimRow> = res.take(0)?;
    let websites: Vec<RecordId> = claims.iter().filter_map(|c| c.website.clone()).collect();
    let ours: HashSet<RecordId> = if websites.is_empty() {
        HashSet::new()
    } else {
        let mut res = db.query(Q_ACCESS).bind(("w", websites)).await?.check()?;
        let rows: Vec<AccessRow> = res.take(0)?;
        rows.into_iter().filter(|a| a.provider_name == provider && a.status == "active").map(|a| a.website).collect()
    };
    for c in claims {
        let verdict = match c.website {
            Some(w) if ours.contains(&w) => Verdict::Ours,
            Some(_) => Verdict::Found(Reason::OtherProvider, c.licence),
            None => Verdict::Found(Reason::Pending, None),
        };
        out.insert(c.domain, verdict);
    }
    let rest: HashSet<&String> = chunk.iter().filter(|d| !out.contains_key(*d)).collect();
    if !rest.is_empty() {
        let mut res = db
            .query(Q_WEBSITES)
            .bind(("d", rest.iter().map(|d| d.to_string()).collect::<Vec<_>>()))
            .await?
            .check()?;
        let found: Vec<CancelledRow> = res.take(0)?;
        for c in found.into_iter().filter(|c| c.status == "cancelled") {
            for d in c.domains {
                if rest.contains(&d) {
                    out.insert(d, Verdict::Found(Reason::Cancelled, c.licence.clone()));
                }
            }
        }
        for d in rest {
            out.entry(d.clone()).or_insert(Verdict::Found(Reason::NeverFiled, None));
        }
    }
    Ok(out.into_iter().collect())
}

/// Where each of our server IPs is placed (服务器放置地 of an active access
/// row of ours that lists it); IPs no row lists are left out.
pub async fn ip_provinces(db: &Db, provider: &str, ips: &HashSet<String>) -> Result<HashMap<String, i64>, AppError> {
    let mut out = HashMap::new();
    // A provider has a few hundred servers; a run naming more (a shipper
    // gone wrong) looks up the first thousand. One query an IP, LIMIT 1: a
    // shared server's IP is on thousands of access rows; one is enough.
    for ip in ips.iter().take(1_000) {
        let mut res = db
            .query("SELECT VALUE server_province FROM access WITH INDEX access_ips WHERE ips CONTAINS $ip AND provider_name = $p AND status = 'active' LIMIT 1")
            .bind(("ip", ip.clone()))
            .bind(("p", provider.to_string()))
            .await?
            .check()?;
        let v: Vec<i64> = res.take(0)?;
        if let Some(p) = v.first() {
            out.insert(ip.clone(), *p);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Recording

/// Where a run's observations came from.
pub enum Source {
    /// `beian detect --log …`: the files read.
    Log(String),
    /// A shipper's batch, by its token; `batch` is the shipper's own name
    /// for the batch (`batchId`), which makes sending it again harmless.
    Api { token: RecordId, name: String, batch: Option<String> },
}

#[derive(SurrealValue)]
struct Current {
    key: String,
    state: String,
    version: i64,
    handled_at: Option<i64>,
    deadline: Option<i64>,
    ips: Vec<String>,
    hosts: Vec<String>,
    first_seen: i64,
    last_seen: i64,
    hits: i64,
    province: Option<i64>,
}

#[derive(SurrealValue, Clone)]
struct WriteRow {
    key: String,
    unicode: String,
    /// 0: create.
    version: i64,
    state: String,
    from_state: String,
    reopened: bool,
    finding: String,
    reason: String,
    found_licence: Option<String>,
    province: Option<i64>,
    hosts: Vec<String>,
    ips: Vec<String>,
    first: Datetime,
    last: Datetime,
    hits: i64,
    run_hosts: Vec<String>,
    run_ips: Vec<String>,
    run_first: Datetime,
    run_last: Datetime,
    run_hits: i64,
}

fn at(secs: i64) -> Datetime {
    Datetime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Match a finished tally and record what it found: one run row, and per
/// unfiled (or not ours) domain its detection created or updated (检测次数
/// + 1, reopened by `detect::after_sighting`) with a history row, in
/// transactions of [`WRITE_CHUNK`]. `default_province` places domains
/// whose IPs no access row of ours lists.
pub async fn record(db: &Db, provider: &str, source: Source, tally: Tally, default_province: Option<u8>) -> Result<RunReport, AppError> {
    let (mut seen, mut report) = tally.finish();
    // Never later than now: a wrong clock must not keep a handled detection reopening.
    let now = super::application::now_secs();
    for s in &mut seen {
        s.last = s.last.min(now);
        s.first = s.first.min(s.last);
    }
    let names: Vec<String> = seen.iter().map(|s| s.domain.clone()).collect();
    let verdicts = classify(db, provider, &names).await?;
    let all_ips: HashSet<String> = seen.iter().flat_map(|s| s.ips.iter().cloned()).collect();
    let provinces = ip_provinces(db, provider, &all_ips).await?;
    // A named batch is one run whatever how often it arrives: a shipper
    // that lost our answer sends it again, and 检测次数 must not count it twice.
    let (run_key, named) = match &source {
        Source::Api { token, batch: Some(b), .. } => (batch_run_key(token, b), true),
        _ => (super::application::new_key(), false),
    };
    let run = RecordId::new("detection_run", run_key.as_str());
    let mut found = Vec::new();
    for s in seen {
        match verdicts.get(&s.domain) {
            Some(Verdict::Ours) | None => report.filed_with_us += 1,
            Some(Verdict::Found(reason, licence)) => {
                if reason.finding() == Finding::Unfiled {
                    report.unfiled += 1;
                } else {
                    report.not_ours += 1;
                }
                let province = s.ips.iter().find_map(|ip| provinces.get(ip).copied()).or(default_province.map(i64::from));
                found.push((s, *reason, licence.clone(), province));
            }
        }
    }
    let (source_code, label, token) = match &source {
        Source::Log(files) => ("log", files.chars().take(500).collect::<String>(), None),
        Source::Api { token, name, .. } => ("api", name.clone(), Some(token.clone())),
    };
    let created = db
        .query("CREATE $run SET source = $source, label = $label, token = $ingest, lines = $lines, bad = $bad, hosts = $hosts, found = $found RETURN NONE")
        .bind(("run", run.clone()))
        .bind(("source", source_code))
        .bind(("label", label))
        .bind(("ingest", token))
        .bind(("lines", report.lines as i64))
        .bind(("bad", report.bad_lines as i64))
        .bind(("hosts", report.hosts as i64))
        .bind(("found", found.len() as i64))
        .await
        .and_then(|r| r.check());
    match created {
        Ok(_) => {}
        // The batch came before: what it recorded then is not recorded again
        // (the rest is, if that attempt stopped half-way).
        Err(e) if named && classify_failure(&e) == Failure::Exists => {
            report.repeated = true;
            let mut res = db.query("SELECT VALUE record::id(detection) FROM detection_seen WHERE run = $run").bind(("run", run.clone())).await?.check()?;
            let done: Vec<String> = res.take(0)?;
            let done: HashSet<String> = done.into_iter().collect();
            found.retain(|(s, ..)| !done.contains(&s.domain));
        }
        Err(e) => return Err(e.into()),
    }
    for chunk in found.chunks(WRITE_CHUNK) {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match write_chunk(db, &run, named, chunk).await {
                Ok((new, reopened)) => {
                    report.new_detections += new;
                    report.reopened += reopened;
                    break;
                }
                // Another run (another server, a shipper's batch) wrote the same domains: read them again.
                Err(e) if attempt < 5 && matches!(classify_failure(&e), Failure::Stale | Failure::Exists | Failure::Conflict | Failure::Unique(_)) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    report.run = run_key;
    tracing::info!(lines = report.lines, bad = report.bad_lines, domains = report.domains, unfiled = report.unfiled, not_ours = report.not_ours, new = report.new_detections, reopened = report.reopened, "detection run recorded");
    Ok(report)
}

/// The run of a shipper's named batch: the same token and name, the same run.
fn batch_run_key(token: &RecordId, batch: &str) -> String {
    let digest = super::auth::sha256_hex(format!("{:?}\n{batch}", token.key));
    format!("b{}", &digest[..40])
}

async fn write_chunk(db: &Db, run: &RecordId, named: bool, chunk: &[(Seen, Reason, Option<String>, Option<i64>)]) -> Result<(u64, u64), surrealdb::Error> {
    let ids: Vec<RecordId> = chunk.iter().map(|(s, ..)| RecordId::new("detection", s.domain.as_str())).collect();
    let mut res = db
        .query(
            "SELECT record::id(id) AS key, state, version, IF handled_at != NONE THEN time::unix(handled_at) END AS handled_at, IF deadline != NONE THEN time::unix(deadline) END AS deadline, ips, hosts,
                    time::unix(first_seen) AS first_seen, time::unix(last_seen) AS last_seen, hits, province FROM $ids",
        )
        .bind(("ids", ids))
        .await?
        .check()?;
    let current: Vec<Current> = res.take(0)?;
    let current: HashMap<String, Current> = current.into_iter().map(|c| (c.key.clone(), c)).collect();
    let (mut new, mut reopened) = (0, 0);
    let rows: Vec<WriteRow> = chunk
        .iter()
        .map(|(s, reason, licence, province)| {
            let base = WriteRow {
                key: s.domain.clone(),
                unicode: s.unicode.clone(),
                version: 0,
                state: DetectionState::Open.code().to_string(),
                from_state: String::new(),
                reopened: false,
                finding: reason.finding().code().to_string(),
                reason: reason.code().to_string(),
                found_licence: licence.clone(),
                province: *province,
                hosts: s.hosts.clone(),
                ips: s.ips.clone(),
                first: at(s.first),
                last: at(s.last),
                hits: s.hits as i64,
                run_hosts: s.hosts.clone(),
                run_ips: s.ips.clone(),
                run_first: at(s.first),
                run_last: at(s.last),
                run_hits: s.hits as i64,
            };
            match current.get(&s.domain) {
                None => {
                    new += 1;
                    base
                }
                Some(c) => {
                    let state = DetectionState::from_code(&c.state).unwrap_or(DetectionState::Open);
                    let next = after_sighting(Standing { state, handled_at: c.handled_at, deadline: c.deadline }, s.last);
                    let opened = next != state;
                    reopened += u64::from(opened);
                    let mut hosts = c.hosts.clone();
                    let mut ips = c.ips.clone();
                    for h in &s.hosts {
                        keep(&mut hosts, h);
                    }
                    for ip in &s.ips {
                        keep(&mut ips, ip);
                    }
                    WriteRow {
                        version: c.version,
                        state: next.code().to_string(),
                        from_state: c.state.clone(),
                        reopened: opened,
                        province: province.or(c.province),
                        hosts,
                        ips,
                        first: at(c.first_seen.min(s.first)),
                        last: at(c.last_seen.max(s.last)),
                        hits: c.hits.saturating_add(s.hits as i64),
                        ..base
                    }
                }
            }
        })
        .collect();
    db.query(
        "BEGIN;
         FOR $r IN $rows {
             LET $id = type::record('detection', $r.key);
             -- A named batch sent twice at once: the second skips what the first wrote.
             IF $named AND (SELECT VALUE id FROM detection_seen WHERE run = $run AND detection = $id LIMIT 1) != [] {
                 CONTINUE;
             };
             IF $r.version = 0 {
                 CREATE $id SET domain = $r.key, domain_unicode = $r.unicode, hosts = $r.hosts, ips = $r.ips, finding = $r.finding, reason = $r.reason,
                     found_licence = $r.found_licence, province = $r.province, first_seen = $r.first, last_seen = $r.last, hits = $r.hits, times = 1 RETURN NONE;
             } ELSE {
                 LET $u = (UPDATE $id SET hosts = $r.hosts, ips = $r.ips, finding = $r.finding, reason = $r.reason, found_licence = $r.found_licence,
                     province = $r.province, first_seen = $r.first, last_seen = $r.last, hits = $r.hits, times += 1, state = $r.state,
                     version += 1, updated_at = time::now() WHERE version = $r.version RETURN VALUE id);
                 IF array::len($u) = 0 { THROW 'stale' };
             };
             CREATE detection_seen SET detection = $id, run = $run, finding = $r.finding, reason = $r.reason, ips = $r.run_ips, hosts = $r.run_hosts,
                 first_seen = $r.run_first, last_seen = $r.run_last, hits = $r.run_hits, reopened = $r.reopened RETURN NONE;
             IF $r.reopened {
                 CREATE audit_event SET detection = $id, role = 'system', action = 'detection_reopened', from_status = $r.from_state, to_status = $r.state,
                     comment = '再次检测到 / seen again' RETURN NONE;
             };
         };
         COMMIT;",
    )
    .bind(("rows", rows))
    .bind(("run", run.clone()))
    .bind(("named", named))
    .await
    .and_then(tx_check)?;
    Ok((new, reopened))
}

// ---------------------------------------------------------------------------
// The clerk's list, detail, handling and statistics

const ITEM_FIELDS: &str = "record::id(id) AS key, domain, domain_unicode, hosts, ips, finding, reason, found_licence, province,
     time::format(first_seen + 8h, '%Y-%m-%d %H:%M') AS first_seen, time::format(last_seen + 8h, '%Y-%m-%d %H:%M') AS last_seen,
     hits, times, state, IF deadline != NONE THEN time::format(deadline + 8h, '%Y-%m-%d') ELSE NONE END AS deadline, licence, comment,
     handled_by.username AS handled_by, IF handled_at != NONE THEN time::format(handled_at + 8h, '%Y-%m-%d %H:%M') ELSE NONE END AS handled_at, version";

const WHERE: &str = "($state = NONE OR state = $state) AND ($finding = NONE OR finding = $finding)
     AND ($province = NONE OR ($province = 0 AND province = NONE) OR province = $province)
     AND ($domain = '' OR string::contains(domain, $domain) OR string::contains(domain_unicode, $domain))
     AND ($from = NONE OR last_seen >= $from) AND ($to = NONE OR last_seen < $to)";

/// The start of a Beijing day, as UTC.
fn day_start(d: crate::domain::date::Date) -> Datetime {
    at(d.days_since_epoch() * 86_400 - 8 * 3600)
}

fn bind_conditions<'a>(q: surrealdb::method::Query<'a, surrealdb::engine::any::Any>, c: &Conditions) -> surrealdb::method::Query<'a, surrealdb::engine::any::Any> {
    q.bind(("state", c.state.map(|s| s.code())))
        .bind(("finding", c.finding.map(|f| f.code())))
        .bind(("province", c.province.map(i64::from)))
        .bind(("domain", c.domain.clone()))
        .bind(("from", c.from.map(day_start)))
        .bind(("to", c.to.map(|d| day_start(crate::domain::date::Date::from_days_since_epoch(d.days_since_epoch() + 1)))))
}

fn staff(cx: &Ctx) -> Result<(), AppError> {
    match cx.me()?.role {
        Role::Provider => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(SurrealValue)]
struct Count {
    n: i64,
}

/// 未备案检测结果查询: the detections matching the conditions, most recently seen first.
pub async fn list(cx: &Ctx, query: &detect::DetectionQuery) -> Result<UnfiledPage, AppError> {
    staff(cx)?;
    let c = query.check().map_err(AppError::Invalid)?;
    let size = detect::PAGE_SIZE;
    let q = cx.db.query(format!(
        "SELECT {ITEM_FIELDS}, last_seen AS t FROM detection WHERE {WHERE} ORDER BY t DESC LIMIT $size START $start;
         SELECT count() AS n FROM detection WHERE {WHERE} GROUP ALL;"
    ));
    let mut res = bind_conditions(q, &c).bind(("size", i64::from(size))).bind(("start", i64::from((c.page - 1) * size))).await?.check()?;
    let items: Vec<UnfiledItem> = res.take(0)?;
    let count: Option<Count> = res.take(1)?;
    let total = count.map_or(0, |c| c.n.max(0) as u64);
    Ok(UnfiledPage { items, total, page: c.page, pages: total.div_ceil(u64::from(size)).max(1) as u32 })
}

fn detection_id(key: &str) -> Result<RecordId, AppError> {
    // Keys are domains (ASCII, as detections store them).
    if key.is_empty() || key.len() > 253 || !key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.') {
        return Err(AppError::NotFound);
    }
    Ok(RecordId::new("detection", key))
}

/// One detection with its 检测次数 history and its handlings.
pub async fn detail(cx: &Ctx, key: &str) -> Result<UnfiledDetail, AppError> {
    staff(cx)?;
    let id = detection_id(key)?;
    let mut res = cx
        .db
        .query(format!(
            "SELECT {ITEM_FIELDS} FROM ONLY $id;
             SELECT time::format(at + 8h, '%Y-%m-%d %H:%M') AS at, run.source AS source, run.label AS label, finding, reason, ips, hosts,
                 time::format(first_seen + 8h, '%Y-%m-%d %H:%M') AS first_seen, time::format(last_seen + 8h, '%Y-%m-%d %H:%M') AS last_seen,
                 hits, reopened, at AS t FROM detection_seen WHERE detection = $id ORDER BY t DESC LIMIT 200;
             SELECT time::format(at + 8h, '%Y-%m-%d %H:%M') AS at, actor.username AS actor, action, from_status, to_status, comment, at AS t
                 FROM audit_event WHERE detection = $id ORDER BY t DESC LIMIT 200;"
        ))
        .bind(("id", id))
        .await?
        .check()?;
    let item: Option<UnfiledItem> = res.take(0)?;
    let item = item.ok_or(AppError::NotFound)?;
    let seen: Vec<UnfiledSeen> = res.take(1)?;
    let handlings: Vec<UnfiledHandling> = res.take(2)?;
    Ok(UnfiledDetail { item, seen, handlings })
}

#[derive(SurrealValue)]
struct FiledSite {
    id: RecordId,
    domains: Vec<String>,
    status: String,
}

/// 处理: the clerk's result for one detection, from the version it saw;
/// audited in the same transaction.
pub async fn handle(cx: &Ctx, key: &str, version: i64, result: &str, comment: &str, licence: &str, deadline: &str) -> Result<UnfiledItem, AppError> {
    staff(cx)?;
    let me = cx.me()?;
    let id = detection_id(key)?;
    let h = detect::check_handling(result, comment, licence, deadline, super::application::today()).map_err(AppError::Invalid)?;
    // 已备案: the website filed with that number, holding this domain.
    let mut website = None;
    if let Some(l) = &h.licence {
        let mut res = cx.db.query("SELECT id, domains.ascii AS domains, status FROM website WHERE licence = $l LIMIT 1").bind(("l", l.clone())).await?.check()?;
        let site: Option<FiledSite> = res.take(0)?;
        let problem = |zh: String, en: String| AppError::Invalid(crate::domain::FieldErrors(vec![crate::domain::Problem::new("detect.licence", zh, en).at(detect::fields::LICENCE)]));
        match site {
            None => return Err(problem(format!("没有备案号为 {l} 的网站"), format!("no website has the number {l}"))),
            Some(s) if s.status == "cancelled" => return Err(problem(format!("{l} 已注销"), format!("{l} has been cancelled"))),
            Some(s) if !s.domains.iter().any(|d| d == key) => {
                return Err(problem(format!("备案号 {l} 的网站不含域名 {key}"), format!("the website {l} does not have the domain {key}")))
            }
            Some(s) => website = Some(s.id),
        }
    }
    let deadline = h.deadline.map(|d| at((d.days_since_epoch() + 1) * 86_400 - 8 * 3600 - 1));
    let res = cx
        .db
        .query(
            "BEGIN;
             LET $before = (SELECT VALUE state FROM ONLY $id);
             LET $done = (UPDATE $id SET state = $state, comment = $comment, licence = $licence, website = $website, deadline = $deadline,
                 handled_by = $me, handled_at = time::now(), version += 1, updated_at = time::now() WHERE version = $v RETURN VALUE id);
             IF array::len($done) = 0 { THROW 'stale' };
             CREATE audit_event SET detection = $id, actor = $me, role = 'provider', action = 'detection_handle', from_status = $before, to_status = $state,
                 comment = $comment RETURN NONE;
             COMMIT;",
        )
        .bind(("id", id.clone()))
        .bind(("state", h.result.code()))
        .bind(("comment", h.comment.clone()))
        .bind(("licence", h.licence.clone()))
        .bind(("website", website))
        .bind(("deadline", deadline))
        .bind(("me", me.id.clone()))
        .bind(("v", version))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => {}
        Err(e) if matches!(classify_failure(&e), Failure::Stale | Failure::Conflict) => {
            return Err(AppError::Conflict(Message::new("该检测结果已被他人处理或再次检测到，请刷新后再处理", "Someone else handled it, or it was seen again; reload and look again")));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(clerk = %me.username, domain = key, result = h.result.code(), "detection handled");
    let mut res = cx.db.query(format!("SELECT {ITEM_FIELDS} FROM ONLY $id")).bind(("id", id)).await?.check()?;
    let item: Option<UnfiledItem> = res.take(0)?;
    item.ok_or(AppError::NotFound)
}

#[derive(SurrealValue)]
struct StatRow {
    g: Option<String>,
    state: String,
    n: i64,
}

/// 未备案检测结果统计: counts by province (of the servers), state or month
/// (first seen), each by state, under the list's conditions; with a chart.
pub async fn stats(cx: &Ctx, group: &str, query: &detect::DetectionQuery, lang: Lang) -> Result<UnfiledStats, AppError> {
    staff(cx)?;
    let group = StatGroup::parse(group).ok_or_else(|| AppError::BadRequest(Message::new("统计分组项无效", "Unknown grouping")))?;
    let c = query.check().map_err(AppError::Invalid)?;
    let g = match group {
        StatGroup::Province => "IF province = NONE THEN '0' ELSE <string> province END",
        StatGroup::State => "state",
        StatGroup::Month => "time::format(first_seen + 8h, '%Y-%m')",
    };
    let q = cx.db.query(format!("SELECT {g} AS g, state, count() AS n FROM detection WHERE {WHERE} GROUP BY g, state"));
    let mut res = bind_conditions(q, &c).await?.check()?;
    let rows: Vec<StatRow> = res.take(0)?;
    let mut lines: BTreeMap<String, UnfiledStatLine> = BTreeMap::new();
    let states = DetectionState::ALL;
    let mut total = UnfiledStatLine { key: String::new(), label: Message::new("合计", "Total"), total: 0, by_state: vec![0; states.len()] };
    for r in rows {
        let key = r.g.unwrap_or_default();
        let line = lines.entry(key.clone()).or_insert_with(|| UnfiledStatLine { label: stat_label(group, &key), key, total: 0, by_state: vec![0; states.len()] });
        let n = r.n.max(0) as u64;
        if let Some(i) = states.iter().position(|s| s.code() == r.state) {
            line.by_state[i] += n;
            total.by_state[i] += n;
        }
        line.total += n;
        total.total += n;
    }
    let mut lines: Vec<UnfiledStatLine> = lines.into_values().collect();
    match group {
        // Most first; months in order.
        StatGroup::Province => lines.sort_by(|a, b| b.total.cmp(&a.total).then(a.key.cmp(&b.key))),
        StatGroup::State => lines.sort_by_key(|l| states.iter().position(|s| s.code() == l.key)),
        StatGroup::Month => {}
    }
    let chart = chart(&lines, lang).map_err(|e| {
        tracing::error!(error = %e, "drawing the detection chart failed");
        AppError::Internal
    })?;
    Ok(UnfiledStats { group, lines, total, chart })
}

fn stat_label(group: StatGroup, key: &str) -> Message {
    match group {
        StatGroup::Province => match key.parse::<u8>().ok().and_then(crate::domain::codes::province_by_code) {
            Some(p) => Message::new(p.name.zh, p.name.en),
            None => Message::new(detect::UNKNOWN_PROVINCE.zh, detect::UNKNOWN_PROVINCE.en),
        },
        StatGroup::State => match DetectionState::from_code(key) {
            Some(s) => Message::new(s.label().zh, s.label().en),
            None => Message::new(key, key),
        },
        StatGroup::Month => Message::new(key, key),
    }
}

/// The statistics' bars, drawn like the filing statistics' (`ssr::stats`).
fn chart(lines: &[UnfiledStatLine], lang: Lang) -> Result<String, Box<dyn std::error::Error>> {
    let as_stat: Vec<crate::domain::stats::StatLine> = lines
        .iter()
        .map(|l| crate::domain::stats::StatLine {
            key: l.key.clone(),
            label: l.label.clone(),
            websites: l.total,
            websites_year_before: 0,
            websites_period_before: 0,
            entities: 0,
            entities_year_before: 0,
            entities_period_before: 0,
        })
        .collect();
    super::stats::bar_chart(&as_stat, lang, false)
}

// ---------------------------------------------------------------------------
// Ingestion tokens (an administrator's)

const TOKEN_FIELDS: &str = "record::id(id) AS key, name, prefix, created_by.username AS created_by, time::format(created_at + 8h, '%Y-%m-%d %H:%M') AS created,
     IF revoked_at != NONE THEN time::format(revoked_at + 8h, '%Y-%m-%d %H:%M') ELSE NONE END AS revoked,
     IF last_used_at != NONE THEN time::format(last_used_at + 8h, '%Y-%m-%d %H:%M') ELSE NONE END AS last_used";

fn admin(cx: &Ctx) -> Result<(), AppError> {
    if cx.me()?.role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden) }
}

pub async fn tokens(cx: &Ctx) -> Result<Vec<crate::models::IngestTokenInfo>, AppError> {
    admin(cx)?;
    let mut res = cx.db.query(format!("SELECT {TOKEN_FIELDS}, created_at AS t FROM ingest_token ORDER BY t DESC LIMIT 200")).await?.check()?;
    Ok(res.take(0)?)
}

/// A new token for a log shipper: `bk_` and 43 random characters, shown
/// once; only its SHA-256 is kept (a random 256-bit secret needs no
/// stretching).
pub async fn create_token(cx: &Ctx, name: &str) -> Result<crate::models::NewIngestToken, AppError> {
    admin(cx)?;
    let me = cx.me()?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 || name.chars().any(char::is_control) {
        return Err(AppError::Invalid(crate::domain::FieldErrors(vec![crate::domain::Problem::new("token.name", "请填写名称（不超过50个字），例如“日志服务器 A”", "give it a name of at most 50 characters, e.g. \"log server A\"")
            .at(crate::domain::Field::new("name", "名称", "Name"))])));
    }
    let token = format!("bk_{}", super::auth::random_token());
    let key = super::application::new_key();
    let id = RecordId::new("ingest_token", key.as_str());
    cx.db
        .query(
            "BEGIN;
             CREATE $id SET name = $name, token_hash = $hash, prefix = $prefix, created_by = $me RETURN NONE;
             CREATE audit_event SET ingest_token = $id, actor = $me, role = 'admin', action = 'token_create', comment = $name RETURN NONE;
             COMMIT;",
        )
        .bind(("id", id.clone()))
        .bind(("name", name.to_string()))
        .bind(("hash", super::auth::sha256_hex(&token)))
        .bind(("prefix", token.chars().take(8).collect::<String>()))
        .bind(("me", me.id.clone()))
        .await
        .and_then(tx_check)?;
    let mut res = cx.db.query(format!("SELECT {TOKEN_FIELDS} FROM ONLY $id")).bind(("id", id)).await?.check()?;
    let info: Option<crate::models::IngestTokenInfo> = res.take(0)?;
    Ok(crate::models::NewIngestToken { info: info.ok_or(AppError::Internal)?, token })
}

pub async fn revoke_token(cx: &Ctx, key: &str) -> Result<(), AppError> {
    admin(cx)?;
    let me = cx.me()?;
    if !super::application::key_ok(key) {
        return Err(AppError::NotFound);
    }
    let id = RecordId::new("ingest_token", key);
    let mut res = cx.db.query("SELECT VALUE id FROM ONLY $id").bind(("id", id.clone())).await?.check()?;
    let found: Option<RecordId> = res.take(0)?;
    if found.is_none() {
        return Err(AppError::NotFound);
    }
    cx.db
        .query(
            "BEGIN;
             LET $done = (UPDATE $id SET revoked_at = time::now(), revoked_by = $me WHERE revoked_at = NONE RETURN VALUE id);
             IF array::len($done) > 0 { CREATE audit_event SET ingest_token = $id, actor = $me, role = 'admin', action = 'token_revoke' RETURN NONE; };
             COMMIT;",
        )
        .bind(("id", id))
        .bind(("me", me.id.clone()))
        .await
        .and_then(tx_check)?;
    Ok(())
}

/// The live token a shipper presented (`Authorization: Bearer bk_…`), or `None`.
pub async fn token_of(db: &Db, presented: &str) -> Result<Option<(RecordId, String)>, AppError> {
    let presented = presented.trim();
    if !presented.starts_with("bk_") || presented.len() > 100 {
        return Ok(None);
    }
    #[derive(SurrealValue)]
    struct Live {
        id: RecordId,
        name: String,
    }
    let mut res = db
        .query("UPDATE ingest_token SET last_used_at = time::now() WHERE token_hash = $h AND revoked_at = NONE RETURN id, name")
        .bind(("h", super::auth::sha256_hex(presented)))
        .await?
        .check()?;
    let live: Vec<Live> = res.take(0)?;
    Ok(live.into_iter().next().map(|l| (l.id, l.name)))
}

/// Demo data (`serve --demo`, into an empty database only): a day of access
/// log from two of our servers, through the same reader and matching as
/// `beian detect`, so the 未备案 pages have something to show.
pub async fn seed_demo(db: &Db, provider: &str) -> Result<RunReport, AppError> {
    let mut res = db
        .query("SELECT VALUE ips[0] FROM access WHERE provider_name = $p AND status = 'active' LIMIT 2; SELECT VALUE domain FROM domain_claim WHERE website != NONE LIMIT 3;")
        .bind(("p", provider.to_string()))
        .await?
        .check()?;
    let ips: Vec<Option<String>> = res.take(0)?;
    let filed: Vec<String> = res.take(1)?;
    let ips: Vec<String> = ips.into_iter().flatten().collect();
    let ip = |i: usize| ips.get(i % ips.len().max(1)).cloned().unwrap_or_else(|| "192.0.2.10".into());
    let now = super::application::now_secs();
    let mut t = Tally::default();
    let hosts = ["www.demo-unfiled-shop.cn", "m.demo-unfiled-shop.cn", "game.demo-nofiling.com", "bbs.demo-nofiling.net", "www.例子演示.中国", "10.0.0.8"];
    for (i, host) in hosts.iter().chain(filed.iter().map(String::as_str).collect::<Vec<_>>().iter()).enumerate() {
        for k in 0..3 {
            let at = now - 86_400 + (i as i64) * 600 + k * 60;
            let when = detect::format_log_time(at);
            t.add_line(format!(r#"203.0.113.{} - - [{when}] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0" "{host}" {}"#, 10 + k, ip(i)).as_bytes());
        }
    }
    t.add_line(b"\x00garbage line from a broken logger");
    record(db, provider, Source::Log("demo access.log".into()), t, Some(11)).await
}
