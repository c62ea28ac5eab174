//! 备案信息黑名单 (seed 001 §1.9): kept by the 管局 (or an administrator),
//! checked at the type check, at every submission and at 批量导入, queried
//! by the provider (备案信息黑名单查询, 非法接入黑名单查询) and, for whether
//! something is listed, by anyone (违法违规查询).

use std::collections::HashMap;

use surrealdb::types::{RecordId, SurrealValue};

use super::application::key_ok;
use super::db::{classify, tx_check, Db, Failure};
use super::guard::Ctx;
use crate::domain::blacklist::{check_entry, check_list_query, parse_public_query, BlacklistKind, EntryInput, ListQuery, PublicQuery};
use crate::domain::workflow::Role;
use crate::domain::{FieldError, FieldErrors, Message};
use crate::error::AppError;
use crate::models::{BlacklistEntry, IllegalAccess, ViolationAnswer};

const FIELDS: &str = "record::id(id) AS key, kind, unit_name, cert_number, domain, domain_unicode, reason, public_reason, province,
     listed_by.username AS listed_by, time::format(listed_at + 8h, '%Y-%m-%d') AS listed,
     IF removed_at != NONE THEN time::format(removed_at + 8h, '%Y-%m-%d') ELSE NONE END AS removed, version";

/// The most entries a list answers with.
const MAX_LIST: i64 = 1_000;

#[derive(Debug, Clone, SurrealValue)]
struct Hit {
    kind: String,
    unit_name: String,
    cert_number: String,
    domain: String,
    domain_unicode: String,
    public_reason: String,
    listed: String,
}

fn refusal(h: &Hit) -> FieldError {
    let (path, label, zh, en) = if h.kind == BlacklistKind::Entity.code() {
        (
            "entity.cert_number",
            Message::new("主办单位", "Sponsor"),
            // The number was typed by the caller; the listed name is not shown (it would tell who holds an ID number).
            format!("该证件号码的主办单位已被列入备案信息黑名单（{}，{}），不能办理备案。如有异议，请联系所属省通信管理局。", h.public_reason, h.listed),
            format!("The sponsor with this certificate number is on the filing blacklist ({}, {}) and cannot file. If you disagree, contact the provincial communications administration.", h.public_reason, h.listed),
        )
    } else {
        (
            "domains",
            Message::new("域名", "Domain"),
            format!("域名 {} 已被列入备案信息黑名单（{}，{}），不能备案。如有异议，请联系所属省通信管理局。", h.domain_unicode, h.public_reason, h.listed),
            format!("The domain {} is on the filing blacklist ({}, {}) and cannot be filed. If you disagree, contact the provincial communications administration.", h.domain_unicode, h.public_reason, h.listed),
        )
    };
    FieldError { path: path.into(), label, code: "blacklist.listed".into(), message: Message::new(zh, en) }
}

const HIT_FIELDS: &str = "kind, unit_name, cert_number, domain, domain_unicode, public_reason, time::format(listed_at + 8h, '%Y-%m-%d') AS listed";

/// The refusals for a filing's sponsor (证件号码, or the exact name) and
/// domains (ASCII), if any is listed: one error each, in both languages.
pub async fn problems(db: &Db, cert_number: &str, unit_name: &str, domains: &[String]) -> Result<Vec<FieldError>, AppError> {
    let name = crate::domain::blacklist::normalise_name(unit_name);
    let mut res = db
        .query(format!(
            "SELECT {HIT_FIELDS} FROM blacklist WHERE cert_number = $c AND $c != '' AND kind = 'entity' AND removed_at = NONE;
             SELECT {HIT_FIELDS} FROM blacklist WHERE unit_name = $n AND $n != '' AND kind = 'entity' AND removed_at = NONE;
             SELECT {HIT_FIELDS} FROM blacklist WHERE domain IN $d AND kind = 'domain' AND removed_at = NONE;"
        ))
        .bind(("c", crate::domain::blacklist::normalise_cert(cert_number)))
        .bind(("n", name))
        .bind(("d", domains.to_vec()))
        .await?
        .check()?;
    let mut hits: Vec<Hit> = res.take(0)?;
    let by_name: Vec<Hit> = res.take(1)?;
    let by_domain: Vec<Hit> = res.take(2)?;
    if hits.is_empty() {
        hits.extend(by_name.into_iter().take(1));
    }
    hits.extend(by_domain);
    Ok(hits.iter().map(refusal).collect())
}

/// [`problems`] as the refusal of a request.
pub async fn refuse(db: &Db, cert_number: &str, unit_name: &str, domains: &[String]) -> Result<(), AppError> {
    let p = problems(db, cert_number, unit_name, domains).await?;
    if p.is_empty() { Ok(()) } else { Err(AppError::Invalid(FieldErrors(p))) }
}

/// The whole active list in memory, for checking many filings at once (批量导入).
#[derive(Default)]
pub struct Blocklist {
    certs: HashMap<String, Hit>,
    names: HashMap<String, Hit>,
    domains: HashMap<String, Hit>,
}

impl Blocklist {
    pub async fn load(db: &Db) -> Result<Blocklist, AppError> {
        let mut res = db.query(format!("SELECT {HIT_FIELDS} FROM blacklist WHERE removed_at = NONE")).await?.check()?;
        let hits: Vec<Hit> = res.take(0)?;
        let mut b = Blocklist::default();
        for h in hits {
            if h.kind == BlacklistKind::Entity.code() {
                b.certs.insert(h.cert_number.clone(), h.clone());
                b.names.insert(h.unit_name.clone(), h);
            } else {
                b.domains.insert(h.domain.clone(), h);
            }
        }
        Ok(b)
    }

    /// The refusals for one filing, like [`problems`].
    pub fn problems(&self, cert_number: &str, unit_name: &str, domains: &[String]) -> Vec<FieldError> {
        let mut out = Vec::new();
        let name = crate::domain::blacklist::normalise_name(unit_name);
        if let Some(h) = self.certs.get(&crate::domain::blacklist::normalise_cert(cert_number)).or_else(|| self.names.get(&name)) {
            out.push(refusal(h));
        }
        out.extend(domains.iter().filter_map(|d| self.domains.get(d)).map(refusal));
        out
    }
}

fn keeper(cx: &Ctx) -> Result<(), AppError> {
    match cx.me()?.role {
        Role::Bureau | Role::Admin => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// 备案信息黑名单查询: by name or by domain (exactly one); empty lists all
/// of that kind. Staff of the provider, the 管局 and administrators; the
/// 管局 and administrators also see entries taken off the list.
pub async fn list(cx: &Ctx, by: &str, value: &str) -> Result<Vec<BlacklistEntry>, AppError> {
    let role = cx.me()?.role;
    if !matches!(role, Role::Provider | Role::Bureau | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let q = check_list_query(by, value).map_err(AppError::Invalid)?;
    let (kind, v) = match q {
        ListQuery::Name(v) => ("entity", v),
        ListQuery::Domain(v) => ("domain", v),
    };
    let field = if kind == "entity" { "unit_name" } else { "domain" };
    let removed = if role == Role::Provider { "AND removed_at = NONE" } else { "" };
    let mut res = cx
        .db
        .query(format!(
            "SELECT {FIELDS}, listed_at AS t FROM blacklist WHERE kind = $k AND ($v = '' OR string::contains({field}, $v) OR string::contains(domain_unicode, $v)) {removed}
             ORDER BY t DESC LIMIT $max"
        ))
        .bind(("k", kind))
        .bind(("v", v))
        .bind(("max", MAX_LIST))
        .await?
        .check()?;
    let mut rows: Vec<BlacklistEntry> = res.take(0)?;
    if role == Role::Provider {
        // The provider needs to recognise a listed sponsor, not to hold its ID number or who listed it.
        for r in &mut rows {
            r.cert_number = mask(&r.cert_number);
            r.listed_by = None;
        }
    }
    Ok(rows)
}

/// `110101********4514`: the first six and last four characters.
fn mask(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    if c.len() <= 10 {
        return "*".repeat(c.len());
    }
    c.iter().enumerate().map(|(i, ch)| if i < 6 || i >= c.len() - 4 { *ch } else { '*' }).collect()
}

/// The 管局 (or an administrator) lists an entity or a domain.
pub async fn add(cx: &Ctx, input: &EntryInput) -> Result<BlacklistEntry, AppError> {
    keeper(cx)?;
    let me = cx.me()?;
    let e = check_entry(input).map_err(AppError::Invalid)?;
    let id = RecordId::new("blacklist", super::application::new_key().as_str());
    let res = cx
        .db
        .query(
            "BEGIN;
             IF $kind = 'domain' AND (SELECT VALUE id FROM blacklist WHERE domain = $domain AND kind = 'domain' AND removed_at = NONE LIMIT 1)[0] != NONE { THROW 'listed' };
             IF $kind = 'entity' AND (SELECT VALUE id FROM blacklist WHERE cert_number = $cert AND kind = 'entity' AND removed_at = NONE LIMIT 1)[0] != NONE { THROW 'listed' };
             CREATE $id SET kind = $kind, unit_name = $name, cert_number = $cert, domain = $domain, domain_unicode = $unicode, reason = $reason,
                 public_reason = $public, province = $province, listed_by = $me RETURN NONE;
             CREATE audit_event SET blacklist = $id, actor = $me, role = $role, action = 'blacklist_add', comment = $reason RETURN NONE;
             COMMIT;",
        )
        .bind(("id", id.clone()))
        .bind(("kind", e.kind.code()))
        .bind(("name", e.unit_name.clone()))
        .bind(("cert", e.cert_number.clone()))
        .bind(("domain", e.domain.clone()))
        .bind(("unicode", e.domain_unicode.clone()))
        .bind(("reason", e.reason.clone()))
        .bind(("public", e.public_reason.clone()))
        .bind(("province", me.province.map(i64::from)))
        .bind(("me", me.id.clone()))
        .bind(("role", me.role.code()))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => {}
        Err(e) if matches!(classify(&e), Failure::Thrown(ref c) if c == "listed") => {
            return Err(AppError::Conflict(Message::new("该主体或域名已在黑名单中", "It is on the blacklist already")));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(by = %me.username, kind = e.kind.code(), "blacklist entry added");
    one(cx, &id).await
}

async fn one(cx: &Ctx, id: &RecordId) -> Result<BlacklistEntry, AppError> {
    let mut res = cx.db.query(format!("SELECT {FIELDS} FROM ONLY $id")).bind(("id", id.clone())).await?.check()?;
    let e: Option<BlacklistEntry> = res.take(0)?;
    e.ok_or(AppError::NotFound)
}

/// Take an entry off the list (kept, marked removed): the 管局 of the
/// province that listed it, or an administrator.
pub async fn remove(cx: &Ctx, key: &str, version: i64) -> Result<BlacklistEntry, AppError> {
    keeper(cx)?;
    let me = cx.me()?;
    if !key_ok(key) {
        return Err(AppError::NotFound);
    }
    let id = RecordId::new("blacklist", key);
    let entry = one(cx, &id).await?;
    // A 管局 takes off only what its own province listed; what an
    // administrator listed (no province), only an administrator.
    if me.role == Role::Bureau && (entry.province.is_none() || me.province.map(i64::from) != entry.province) {
        return Err(AppError::Forbidden);
    }
    let res = cx
        .db
        .query(
            "BEGIN;
             LET $done = (UPDATE $id SET removed_at = time::now(), removed_by = $me, version += 1 WHERE version = $v AND removed_at = NONE RETURN VALUE id);
             IF array::len($done) = 0 { THROW 'stale' };
             CREATE audit_event SET blacklist = $id, actor = $me, role = $role, action = 'blacklist_remove' RETURN NONE;
             COMMIT;",
        )
        .bind(("id", id.clone()))
        .bind(("me", me.id.clone()))
        .bind(("role", me.role.code()))
        .bind(("v", version))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => {}
        Err(e) if matches!(classify(&e), Failure::Stale | Failure::Conflict) => {
            return Err(AppError::Conflict(Message::new("该条目已被移出或修改，请刷新", "It was removed or changed meanwhile; reload")));
        }
        Err(e) => return Err(e.into()),
    }
    one(cx, &id).await
}

#[derive(SurrealValue)]
struct ListedRow {
    kind: String,
    cert_number: String,
    domain: String,
    public_reason: String,
    listed: String,
}

/// 非法接入黑名单查询: blacklisted filings (their domain, or their
/// sponsor's 证件号码, is listed) that still have an active access row of
/// ours; narrowed by a part of the name, the domain or the number.
pub async fn illegal_access(cx: &Ctx, name: &str, domain: &str, licence: &str) -> Result<Vec<IllegalAccess>, AppError> {
    if cx.me()?.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let cut = |s: &str| s.trim().chars().take(100).collect::<String>();
    let (name, domain, licence) = (cut(name), cut(domain).to_lowercase(), cut(licence));
    let mut res = cx
        .db
        .query("SELECT kind, cert_number, domain, public_reason, time::format(listed_at + 8h, '%Y-%m-%d') AS listed FROM blacklist WHERE removed_at = NONE")
        .await?
        .check()?;
    let listed: Vec<ListedRow> = res.take(0)?;
    let domains: Vec<String> = listed.iter().filter(|l| l.kind == "domain").map(|l| l.domain.clone()).collect();
    let certs: Vec<String> = listed.iter().filter(|l| l.kind == "entity").map(|l| l.cert_number.clone()).collect();
    let mut res = cx
        .db
        .query(
            "LET $by_domain = (SELECT VALUE website FROM domain_claim WHERE domain IN $d AND website != NONE);
             LET $entities = (SELECT VALUE id FROM entity WHERE cert_number IN $c);
             LET $by_entity = (SELECT VALUE id FROM website WHERE entity IN $entities AND status != 'cancelled');
             SELECT record::id(website) AS website, website.entity.unit_name AS unit_name, website.entity.licence AS main_licence, website.licence AS licence,
                 website.name AS site_name, website.domains.ascii AS domains, ips, server_province, website.entity.cert_number AS cert
                 FROM access WHERE website IN array::union($by_domain, $by_entity) AND provider_name = $p AND status = 'active' LIMIT 2000;",
        )
        .bind(("d", domains))
        .bind(("c", certs))
        .bind(("p", cx.settings.provider_name.clone()))
        .await?
        .check()?;
    #[derive(SurrealValue)]
    struct Row {
        website: String,
        unit_name: String,
        main_licence: Option<String>,
        licence: Option<String>,
        site_name: String,
        domains: Vec<String>,
        ips: Vec<String>,
        server_province: i64,
        cert: String,
    }
    let rows: Vec<Row> = res.take(3)?;
    let mut out = Vec::new();
    for r in rows {
        let entry = listed.iter().find(|l| (l.kind == "entity" && l.cert_number == r.cert) || (l.kind == "domain" && r.domains.contains(&l.domain)));
        let Some(entry) = entry else { continue };
        let matches = (name.is_empty() || r.unit_name.contains(&name))
            && (domain.is_empty() || r.domains.iter().any(|d| d.contains(&domain)))
            && (licence.is_empty() || r.licence.as_deref().is_some_and(|l| l.contains(&licence)) || r.main_licence.as_deref().is_some_and(|l| l.contains(&licence)));
        if matches && !out.iter().any(|o: &IllegalAccess| o.website == r.website) {
            out.push(IllegalAccess {
                website: r.website,
                unit_name: r.unit_name,
                main_licence: r.main_licence,
                licence: r.licence,
                site_name: r.site_name,
                domains: r.domains,
                ips: r.ips,
                server_province: r.server_province,
                listed_as: entry.kind.clone(),
                listed_reason: entry.public_reason.clone(),
                listed: entry.listed.clone(),
            });
        }
    }
    Ok(out)
}

/// 违法违规查询 (anyone): whether a domain or a name is listed, when, and
/// the public reason — nothing else of the entry.
pub async fn public_lookup(db: &Db, input: &str) -> Result<ViolationAnswer, AppError> {
    let q = parse_public_query(input).map_err(|p| AppError::BadRequest(p.message))?;
    let (field, value) = match &q {
        PublicQuery::Domain(d) => ("domain", d.clone()),
        PublicQuery::Name(n) => ("unit_name", n.clone()),
    };
    #[derive(SurrealValue)]
    struct Found {
        listed: String,
        public_reason: String,
    }
    let mut res = db
        .query(format!(
            "SELECT time::format(listed_at + 8h, '%Y-%m-%d') AS listed, public_reason, listed_at AS t FROM blacklist WHERE {field} = $v AND removed_at = NONE ORDER BY t DESC LIMIT 1"
        ))
        .bind(("v", value.clone()))
        .await?
        .check()?;
    let found: Option<Found> = res.take::<Vec<Found>>(0)?.into_iter().next();
    let shown = match q {
        PublicQuery::Domain(d) => crate::domain::net::to_unicode(&d),
        PublicQuery::Name(n) => n,
    };
    Ok(match found {
        Some(f) => ViolationAnswer { query: shown, listed: true, listed_on: Some(f.listed), reason: Some(f.public_reason) },
        None => ViolationAnswer { query: shown, listed: false, listed_on: None, reason: None },
    })
}
