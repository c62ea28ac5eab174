//! Life after approval on the server: 我的备案 (the filed records as they
//! stand, with the businesses each allows), starting a 变更 or 注销 with
//! the proof, the provider's 取消接入, and what approval writes for each
//! business. Every function takes the [`Ctx`] its server function's check
//! produced; every change of an application goes through
//! [`transition::apply`].

use surrealdb::types::{RecordId, SurrealValue};

use super::application::{self, key_ok, new_key, AppRow};
use super::db::{classify, Failure};
use super::entity_proof;
use super::filings::{entity_form, website_form};
use super::guard::{Ctx, Intent, Need};
use super::outbox::{self, Note};
use super::transition::{self, Bind, Change};
use crate::domain::business::{check_cancel_reason, keep_filed, offers, OpenApplication, Scope, NOTE, REASON};
use crate::domain::filing::{filing_domains, normalise, FilingForm, MaterialKind};
use crate::domain::review::{check_note, filed};
use crate::domain::workflow::{Action, ApplicationStatus, BusinessKind, Role};
use crate::domain::Message;
use crate::error::AppError;
use crate::models::{AccessView, EmptySite, FiledRecord, FiledSite, OpenRef, Started};

// ---------------------------------------------------------------- 我的备案

#[derive(SurrealValue)]
struct AccessRow {
    key: String,
    provider_name: String,
    status: String,
    ips: Vec<String>,
}

#[derive(SurrealValue)]
struct SiteRow {
    key: String,
    licence: String,
    name: String,
    domains: Vec<String>,
    status: String,
    access: Vec<AccessRow>,
}

#[derive(SurrealValue)]
struct OpenRow {
    id: String,
    kind: String,
    status: String,
    by_provider: bool,
}

#[derive(SurrealValue)]
struct RecordRow {
    key: String,
    licence: String,
    unit_name: String,
    cert_number: String,
    status: String,
    approved: String,
    websites: Vec<SiteRow>,
    open: Option<OpenRow>,
}

/// The entities a registrant may act for: those it filed, and those it
/// filed a website or access under (after approval).
const MINE: &str = "LET $mine = array::union((SELECT VALUE id FROM entity WHERE owner = $me), \
     (SELECT VALUE entity FROM application WHERE registrant = $me AND status = 'approved' AND entity != NONE));";

const RECORD_FIELDS: &str = "record::id(id) AS key, licence ?? '' AS licence, unit_name, cert_number, status, \
     time::format((approved_at ?? created_at) + 8h, '%Y-%m-%d') AS approved, \
     (SELECT record::id(id) AS key, licence ?? '' AS licence, name, domains.*.unicode AS domains, status, service_no, \
        (SELECT record::id(id) AS key, provider_name, status, ips, created_at FROM access WHERE website = $parent.id ORDER BY created_at) AS access \
      FROM website WHERE entity = $parent.id ORDER BY service_no) AS websites, \
     (SELECT record::id(application) AS id, kind, application.status AS status, application.on_behalf != NONE AS by_provider FROM type::record('entity_lock', record::id($parent.id)))[0] AS open";

fn record_view(r: RecordRow, provider: &str, proof_by_code: bool) -> FiledRecord {
    let open = r.open.and_then(|o| Some(OpenRef { id: o.id, kind: BusinessKind::from_code(&o.kind)?, status: ApplicationStatus::from_code(&o.status)?, by_provider: o.by_provider }));
    let open_app = open.as_ref().map(|o| OpenApplication { kind: o.kind, status: o.status });
    let entity_cancelled = r.status == "cancelled";
    let websites = r
        .websites
        .into_iter()
        .map(|w| {
            let access: Vec<AccessView> = w
                .access
                .into_iter()
                .map(|a| AccessView { here: a.provider_name == provider, key: a.key, provider_name: a.provider_name, status: a.status, ips: a.ips })
                .collect();
            let here = access.iter().any(|a| a.here && a.status == "active");
            FiledSite { offers: offers(Some((w.status == "cancelled", here)), entity_cancelled, open_app), key: w.key, licence: w.licence, name: w.name, domains: w.domains, status: w.status, access }
        })
        .collect();
    FiledRecord { proof_by_code, offers: offers(None, entity_cancelled, open_app), key: r.key, licence: r.licence, unit_name: r.unit_name, cert_number: r.cert_number, status: r.status, approved: r.approved, websites, open }
}

/// 我的备案: the registrant's filed entities with their websites and
/// accesses as they stand now, newest first, with the businesses each
/// allows now (or why not).
pub async fn records(cx: &Ctx) -> Result<Vec<FiledRecord>, AppError> {
    let me = cx.me()?;
    let mut res = cx
        .db
        .query(format!("{MINE} SELECT {RECORD_FIELDS}, approved_at FROM $mine WHERE licence != NONE ORDER BY approved_at DESC LIMIT 200;"))
        .bind(("me", me.id.clone()))
        .await?
        .check()?;
    let rows: Vec<RecordRow> = res.take(1)?;
    Ok(rows.into_iter().map(|r| record_view(r, &cx.settings.provider_name, cx.settings.entity_verify == entity_proof::Method::Code)).collect())
}

// ---------------------------------------------------------------- starting

/// Send a one-time code to the 主体负责人 of one of the caller's filed
/// entities, or of an entity the provider serves (proof by code).
pub async fn send_code(cx: &Ctx, entity_key: &str) -> Result<String, AppError> {
    let me = cx.me()?;
    if !key_ok(entity_key) {
        return Err(AppError::NotFound);
    }
    let eid = RecordId::new("entity", entity_key);
    // The registrant's own entity, or (代为办理) one this provider serves
    // (which is never cancelled: cancelling ends every access).
    let allowed = if me.role == Role::Provider {
        serves(&cx.db, &cx.settings.provider_name, &eid).await?
    } else {
        let mut res = cx.db.query(format!("{MINE} RETURN $e.status != 'cancelled' AND $e IN $mine;")).bind(("me", me.id.clone())).bind(("e", eid.clone())).await?.check()?;
        res.take::<Option<bool>>(1)? == Some(true)
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    entity_proof::send_code(&cx.db, &eid).await
}

fn gone() -> AppError {
    AppError::Conflict(Message::new("该备案已注销，不能再办理业务", "This filing is cancelled; nothing more can be done to it"))
}

fn busy() -> AppError {
    AppError::Conflict(Message::new(
        "该主体已有一份未完结的申请，办结、撤回或放弃后才能办理其他业务。请在“我的备案”查看。",
        "This entity already has an open application; it must end, be withdrawn or be discarded first. See My filings.",
    ))
}

/// The filed data of an entity (all its live websites) or of one website,
/// as a form: what a 变更 starts from and a 注销 shows.
async fn filed_form(cx: &Ctx, entity: &RecordId, website: Option<&RecordId>) -> Result<FilingForm, AppError> {
    let (db, settings) = (&cx.db, &cx.settings);
    let mut form = FilingForm { entity: entity_form(db, entity).await?.ok_or(AppError::NotFound)?, websites: Vec::new() };
    let ids: Vec<RecordId> = match website {
        Some(w) => vec![w.clone()],
        None => {
            let mut res = db
                .query("SELECT VALUE id FROM (SELECT id, service_no FROM website WHERE entity = $e AND status != 'cancelled' ORDER BY service_no)")
                .bind(("e", entity.clone()))
                .await?
                .check()?;
            res.take(0)?
        }
    };
    #[derive(SurrealValue)]
    struct Acc {
        provider_name: String,
        method: i64,
        ips: Vec<String>,
        server_province: i64,
    }
    for id in ids {
        let Some(mut site) = website_form(db, &id, settings, &form.entity.leader).await? else { continue };
        let mut res = db
            .query("SELECT provider_name, method, ips, server_province, provider_name = $p AS here, created_at FROM access WHERE website = $w AND status = 'active' ORDER BY here DESC, created_at")
            .bind(("w", id.clone()))
            .bind(("p", settings.provider_name.clone()))
            .await?
            .check()?;
        let acc: Option<Acc> = res.take::<Vec<Acc>>(0)?.into_iter().next();
        if let Some(a) = acc {
            site.access.provider_name = a.provider_name;
            site.access.method = a.method.to_string();
            site.access.ips = a.ips.join("\n");
            site.access.server_province = a.server_province.to_string();
        }
        form.websites.push(site);
    }
    Ok(form)
}

#[derive(SurrealValue)]
struct EntityCheck {
    status: String,
    licence: Option<String>,
    mine: bool,
    unit_name: String,
    province: i64,
}

#[derive(SurrealValue)]
struct SiteCheck {
    entity: RecordId,
    status: String,
    here: bool,
}

/// The account a business is for. A registrant acts for itself; the
/// provider acts for a client (代为办理, seed 001 §1.4) named by username,
/// on an entity it serves (else not found): `None` when the username is not
/// one the entity's filings belong to, which [`prove`] answers exactly like
/// a wrong 备案密码.
async fn client_of(cx: &Ctx, eid: &RecordId, username: &str) -> Result<Option<RecordId>, AppError> {
    let me = cx.me()?;
    match me.role {
        Role::Registrant => Ok(Some(me.id.clone())),
        // An entity this provider does not serve is not its to see.
        Role::Provider if !serves(&cx.db, &cx.settings.provider_name, eid).await? => Err(AppError::NotFound),
        Role::Provider => member(cx, eid, username).await,
        _ => Err(AppError::Forbidden),
    }
}

/// The registrant account with this username, if it is one the entity's
/// filings belong to (it filed the entity, or a website or access under it).
pub(crate) async fn member(cx: &Ctx, eid: &RecordId, username: &str) -> Result<Option<RecordId>, AppError> {
    let username = crate::domain::account::check_username(username).map_err(|p| application::invalid(crate::domain::business::CLIENT, p))?;
    let mut res = cx
        .db
        .query(format!(
            "LET $me = (SELECT VALUE id FROM account WHERE username = $u AND role = 'registrant')[0];
             {MINE}
             RETURN IF $me != NONE AND $e IN $mine THEN $me ELSE NONE END;"
        ))
        .bind(("u", username))
        .bind(("e", eid.clone()))
        .await?
        .check()?;
    Ok(res.take(2)?)
}

/// Prove the right to act for an entity with the 备案密码 (or code). For
/// the provider, `client` is [`member`]'s answer: a username that is not
/// the entity's fails like a wrong password, whatever the password (which
/// is then not even tried), counted towards the lock, with one message for
/// either, so nobody learns who files what.
pub(crate) async fn prove(cx: &Ctx, eid: &RecordId, client: Option<RecordId>, proof: &str) -> Result<RecordId, AppError> {
    let staff = cx.me()?.role == Role::Provider;
    let checked = match &client {
        Some(_) => entity_proof::verify(&cx.db, cx.settings.entity_verify, eid, proof).await,
        None => entity_proof::refuse(&cx.db, cx.settings.entity_verify, eid, proof).await,
    };
    match (checked, staff) {
        (Err(AppError::Invalid(_)), true) => Err(wrong_client()),
        (Err(e), _) => Err(e),
        (Ok(()), _) => client.ok_or_else(wrong_client),
    }
}

/// The one answer to a provider's wrong username or 备案密码.
fn wrong_client() -> AppError {
    application::invalid(crate::domain::business::PROOF, crate::domain::Problem::new("proof.wrong", "用户名或备案密码不正确", "the username or filing password is wrong"))
}

/// Start a 变更, 注销 or 取消接入 on a filed entity (and one of its
/// websites): the caller must be one the entity's filings belong to (or
/// the provider acting for such a client, [`client_of`], on a website it
/// hosts) and prove the right with the 备案密码 or code (取消接入 needs
/// none, seed 002 §3(5), and the provider does its own on 已接入网站); the
/// entity takes one open application at a time. A 变更 opens as a draft
/// holding a copy of the filed data (and the filed documents); a 注销 or
/// 取消接入 is submitted at once with its reason. What the provider starts
/// is audited as the provider's and marked 代为办理.
#[allow(clippy::too_many_arguments)]
pub async fn begin(cx: &Ctx, kind: BusinessKind, entity_key: &str, website_key: &str, client: &str, proof: &str, reason: &str, note: &str) -> Result<Started, AppError> {
    let (db, settings, me) = (&cx.db, &cx.settings, cx.me()?);
    if kind.scope() == Scope::New {
        return Err(AppError::BadRequest(Message::new("新增网站和新增接入请从“备案类型检查”开始", "Start a new website or access from the type check")));
    }
    let staff = me.role == Role::Provider;
    if staff && !kind.needs_filing_password() {
        return Err(AppError::BadRequest(Message::new("取消接入请在“已接入网站”中直接办理", "Cancel our access directly in Hosted websites")));
    }
    if !key_ok(entity_key) || (kind.scope() == Scope::Website && !key_ok(website_key)) {
        return Err(AppError::NotFound);
    }
    let eid = RecordId::new("entity", entity_key);
    let client = client_of(cx, &eid, client).await?;
    let agent = staff.then(|| me.id.clone());
    let mut res = db
        .query(format!(
            "{MINE} SELECT status, licence, unit_name, province, id IN $mine AS mine FROM ONLY $e;"
        ))
        .bind(("me", client.clone()))
        .bind(("e", eid.clone()))
        .await?
        .check()?;
    let ent: Option<EntityCheck> = res.take(1)?;
    // Another sponsor's entity is not found, whatever it is (the provider's
    // client is checked with the password, below).
    let ent = ent.filter(|e| e.mine || staff).ok_or(AppError::NotFound)?;
    if ent.status == "cancelled" || ent.licence.is_none() {
        return Err(gone());
    }
    let wid = (kind.scope() == Scope::Website).then(|| RecordId::new("website", website_key));
    if let Some(w) = &wid {
        let mut res = db
            .query("SELECT entity, status, count(SELECT id FROM access WHERE website = $parent.id AND provider_name = $p AND status = 'active') > 0 AS here FROM ONLY $w")
            .bind(("w", w.clone()))
            .bind(("p", settings.provider_name.clone()))
            .await?
            .check()?;
        let site: Option<SiteCheck> = res.take(0)?;
        let site = site.filter(|s| s.entity == eid).ok_or(AppError::NotFound)?;
        if site.status == "cancelled" {
            return Err(gone());
        }
        // The provider acts only on websites it hosts.
        if (staff || matches!(kind, BusinessKind::ChangeAccess | BusinessKind::CancelAccess)) && !site.here {
            return Err(AppError::Conflict(Message::new("该网站没有在本接入商的接入", "This website has no access with us")));
        }
    }
    let reason = if kind.is_cancel() { Some(check_cancel_reason(reason).map_err(|p| application::invalid(REASON, p))?) } else { None };
    let note = check_note(note).map_err(|p| application::invalid(NOTE, p))?;
    let registrant = if kind.needs_filing_password() {
        prove(cx, &eid, client, proof).await?
    } else {
        // Only the registrant starts a business without the password (取消接入), for itself.
        client.ok_or(AppError::NotFound)?
    };

    let mut before = filed_form(cx, &eid, wid.as_ref()).await?;
    normalise(&mut before);
    let json = serde_json::to_string(&before).map_err(|_| AppError::Internal)?;
    let key = new_key();
    let app = RecordId::new("application", key.as_str());
    let staff: Vec<String> = MaterialKind::STAFF.iter().map(|k| k.code().to_string()).collect();
    let res = db
        .query(
            "BEGIN;
             IF $eid.status = 'cancelled' { THROW 'record_gone' };
             CREATE type::record('entity_lock', record::id($eid)) SET application = $app, kind = $kind RETURN NONE;
             CREATE $app SET kind = $kind, status = 'draft', registrant = $me, draft = $draft, before = $draft, step = $step, domains = $domains,
                 cert_number = $cert, entity = $eid, websites = $websites, unit_name = $unit, province = $province,
                 cancel_reason = $reason, cancel_note = $note, on_behalf = $agent RETURN NONE;
             CREATE audit_event SET application = $app, entity = $eid, website = $website, actor = $actor, role = $role, action = 'create', to_status = 'draft', comment = $comment RETURN NONE;
             IF $copy {
                 LET $src = (SELECT id, decided_at FROM application WHERE entity = $eid AND registrant = $me AND status = 'approved' AND kind IN ['first_filing', 'new_website', 'change_entity', 'change_website'] ORDER BY decided_at DESC LIMIT 1)[0].id;
                 IF $src != NONE {
                     FOR $m IN (SELECT * FROM material WHERE application = $src AND kind NOT IN $staff) {
                         CREATE material SET application = $app, kind = $m.kind, filename = $m.filename, content_type = $m.content_type, size = $m.size,
                             sha256 = $m.sha256, data = $m.data, uploaded_by = $m.uploaded_by RETURN NONE;
                     };
                 };
             };
             COMMIT;",
        )
        .bind(("eid", eid.clone()))
        .bind(("app", app.clone()))
        .bind(("kind", kind.code().to_string()))
        .bind(("me", registrant))
        .bind(("actor", me.id.clone()))
        .bind(("agent", agent.clone()))
        .bind(("role", me.role.code().to_string()))
        .bind(("draft", json))
        .bind(("step", i64::from(kind.steps()[0])))
        .bind(("domains", filing_domains(&before)))
        .bind(("cert", before.entity.cert_number.clone()))
        .bind(("websites", wid.clone().into_iter().collect::<Vec<_>>()))
        .bind(("website", wid.clone()))
        .bind(("unit", ent.unit_name.clone()))
        .bind(("province", ent.province))
        .bind(("reason", reason.map(i64::from)))
        .bind(("note", note))
        .bind(("comment", if agent.is_some() { format!("{}（接入服务商代为办理）", kind.label().zh) } else { kind.label().zh.to_string() }))
        .bind(("copy", kind.is_change()))
        .bind(("staff", staff))
        .await
        .and_then(super::db::tx_check);
    match res {
        Ok(_) => {}
        Err(e) if matches!(classify(&e), Failure::Exists | Failure::Unique(_) | Failure::Conflict) => return Err(busy()),
        Err(e) if classify(&e) == Failure::Thrown("record_gone".into()) => return Err(gone()),
        Err(e) => return Err(e.into()),
    }
    if kind.is_cancel() {
        // Filed with its reason: submitted at once, through the same check and transition.
        let inner = super::guard::authorize(db, settings, Some(me.clone()), Need::Filing(&key, Intent::Act(Action::Submit))).await?;
        super::filings::submit(&inner).await?;
    }
    Ok(Started { id: key, kind, submitted: kind.is_cancel() })
}

/// The reason of an application, for its pages.
pub fn reason_of(row: &AppRow) -> Option<Message> {
    crate::domain::business::cancel_reason(u8::try_from(row.cancel_reason?).ok()?).map(Message::from)
}

/// 修改注销申请 (seed 001 §1.5.2 二): a new reason and note for a 注销 not
/// yet passed to the 管局 (by whoever filed it), or rejected by it (by the
/// provider, before filing it again); the transition table says which.
pub async fn amend(cx: &Ctx, version: i64, reason: &str, note: &str) -> Result<(), AppError> {
    let (me, row) = (cx.me()?, cx.filing()?);
    let reason = check_cancel_reason(reason).map_err(|p| application::invalid(REASON, p))?;
    let note = check_note(note).map_err(|p| application::invalid(NOTE, p))?;
    let why = crate::domain::business::cancel_reason(reason).map(|t| t.zh).unwrap_or_default();
    let change = Change::new(Action::Amend, version)
        .set(", cancel_reason = $reason, cancel_note = $note")
        .bind("reason", Bind::Int(i64::from(reason)))
        .bind("note", Bind::Text(note))
        .comment(format!("注销理由：{why}"));
    transition::apply(&cx.db, me, row, change, &[], None).await
}

/// 删除注销申请: the provider takes back a 注销 it filed for its client,
/// before anyone passed it; the entity is free again.
pub async fn delete(cx: &Ctx, version: i64) -> Result<(), AppError> {
    let (me, row) = (cx.me()?, cx.filing()?);
    transition::apply(&cx.db, me, row, Change::new(Action::Delete, version).comment("接入服务商删除代为提出的注销申请"), &[], None).await
}

// ---------------------------------------------------------------- approval

/// What approving (or, for 取消接入, confirming) a business writes, as
/// statements of the one transaction [`transition::apply`] runs: the
/// records changed or cancelled, the public read model, the domain claims
/// and the entity's lock released. Numbers never change and are never
/// reused (a cancelled website keeps its number on its row).
pub async fn decide(cx: &Ctx, version: i64, action: Action) -> Result<(), AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    let kind = row.kind;
    let eid = row.entity.clone().ok_or(AppError::Internal)?;
    let before = row.before()?.ok_or(AppError::Internal)?;
    let mut form = row.form()?;
    normalise(&mut form);
    keep_filed(kind, &before, &mut form);
    if kind.is_change() {
        let uploaded = super::materials::kinds(&super::materials::list(db, &rid).await?);
        let errors = crate::domain::business::check_until(kind, &form, crate::domain::filing::STEP_CONFIRM, &uploaded, Some(application::today()));
        if !errors.is_empty() {
            return Err(AppError::Conflict(Message::new("备案信息未通过校验，不能审核通过，请驳回", "The filing does not pass the checks; reject it instead")));
        }
        if action == Action::Approve && row.status == ApplicationStatus::PendingBureau && crate::domain::review::needs_pre_approval(&form) && kind == BusinessKind::ChangeWebsite {
            let added = form.websites.iter().zip(&before.websites).any(|(n, o)| !n.pre_approvals.is_empty() && (n.pre_approvals != o.pre_approvals || n.pre_approval_number.trim() != o.pre_approval_number.trim()));
            if added {
                return Err(AppError::Conflict(Message::new(
                    "变更后的网站涉及新的前置审批，请先转入“前置审批中”核对审批文件后再审核通过",
                    "The changed website needs new pre-approval: check the documents (pre-approval state) first",
                )));
            }
        }
    }
    let f = filed(&form);
    // A whole 负责人 object replaces the stored one: its defaulted field too.
    let mut entity = serde_json::json!(f.entity);
    entity["leader"]["phone_e164"] = serde_json::json!("");
    let x = serde_json::json!({ "entity": entity, "site": f.websites.first().map(super::review::website_fields) });
    let website = row.websites.first().cloned();
    let body = match kind {
        BusinessKind::ChangeEntity => {
            "LET $e = $x.entity;
             IF $eid.status = 'cancelled' { THROW 'record_gone' };
             UPDATE $eid SET unit_name = $e.unit_name, nature = $e.nature, cert_address = $e.cert_address, address = $e.address, investor = $e.investor,
                 leader = $e.leader, remark = $e.remark, updated_at = time::now() RETURN NONE;
             UPDATE public_record SET unit_name = $e.unit_name, nature = $e.nature, updated_at = time::now() WHERE entity = $eid RETURN NONE;"
        }
        BusinessKind::ChangeWebsite => {
            "LET $s = $x.site;
             LET $w = $s.site;
             IF $website.status = 'cancelled' { THROW 'record_gone' };
             UPDATE $website SET name = $w.name, domains = $w.domains, home_urls = $w.home_urls, content_types = $w.content_types, languages = $w.languages,
                 pre_approvals = $w.pre_approvals, leader = $w.leader, remark = $w.remark, uses_domains = $w.uses_domains, platforms = $w.platforms,
                 icon = IF $w.icon THEN type::record('material', $w.icon) ELSE NONE END, updated_at = time::now() RETURN NONE;
             DELETE domain_claim WHERE website = $website AND domain NOT IN $s.ascii;
             DELETE domain_claim WHERE application = $app;
             FOR $d IN $s.ascii {
                 IF count(SELECT id FROM domain_claim WHERE domain = $d AND website = $website) = 0 { CREATE domain_claim SET domain = $d, website = $website RETURN NONE; };
             };
             UPDATE type::record('public_record', record::id($website)) SET service_name = $w.name, home_url = $s.home, domains = $s.ascii,
                 domains_unicode = $s.unicode, content_types = $w.content_types, packages = $s.packages, app_name = $s.app_name, updated_at = time::now() RETURN NONE;"
        }
        BusinessKind::ChangeAccess => {
            "LET $a = $x.site.access;
             LET $done = (UPDATE access SET method = $a.method, ips = $a.ips, server_province = $a.server_province, updated_at = time::now()
                 WHERE website = $website AND provider_name = $provider AND status = 'active' RETURN VALUE id);
             IF array::len($done) = 0 { THROW 'record_gone' };"
        }
        BusinessKind::CancelAccess => {
            "LET $done = (UPDATE access SET status = 'cancelled', cancelled_at = time::now(), cancelled_by = $me, updated_at = time::now()
                 WHERE website = $website AND provider_name = $provider AND status = 'active' RETURN VALUE id);
             IF array::len($done) = 0 { THROW 'record_gone' };
             IF count(SELECT id FROM access WHERE website = $website AND status = 'active') = 0 {
                 UPDATE $website SET status = 'empty', updated_at = time::now() RETURN NONE;
             };"
        }
        BusinessKind::CancelWebsite => {
            "IF $website.status = 'cancelled' { THROW 'record_gone' };
             UPDATE $website SET status = 'cancelled', cancelled_at = time::now(), updated_at = time::now() RETURN NONE;
             UPDATE access SET status = 'cancelled', cancelled_at = time::now(), cancelled_by = $me, updated_at = time::now() WHERE website = $website AND status != 'cancelled' RETURN NONE;
             DELETE domain_claim WHERE website = $website;
             DELETE type::record('public_record', record::id($website));
             IF count(SELECT id FROM website WHERE entity = $eid AND status != 'cancelled') = 0 {
                 UPDATE $eid SET status = 'empty', updated_at = time::now() RETURN NONE;
             };"
        }
        BusinessKind::CancelEntity => {
            "IF $eid.status = 'cancelled' { THROW 'record_gone' };
             LET $sites = (SELECT VALUE id FROM website WHERE entity = $eid AND status != 'cancelled');
             UPDATE website SET status = 'cancelled', cancelled_at = time::now(), updated_at = time::now() WHERE entity = $eid AND status != 'cancelled' RETURN NONE;
             UPDATE access SET status = 'cancelled', cancelled_at = time::now(), cancelled_by = $me, updated_at = time::now() WHERE website IN $sites AND status != 'cancelled' RETURN NONE;
             DELETE domain_claim WHERE website IN $sites;
             DELETE public_record WHERE entity = $eid;
             UPDATE $eid SET status = 'cancelled', cancelled_at = time::now(), updated_at = time::now() RETURN NONE;"
        }
        BusinessKind::FirstFiling | BusinessKind::NewWebsite | BusinessKind::NewAccess => return Err(AppError::Internal),
    };
    let (unit, _) = application::unit_and_domains(row);
    let what = kind.label();
    let text = format!(
        "【ICP备案】您的{}申请（{unit}）已{}，已生效。Your {} application for {unit} was {}.",
        what.zh,
        if action == Action::Confirm { "由接入服务商确认" } else { "通过管局审核" },
        what.en.to_lowercase(),
        if action == Action::Confirm { "confirmed by the provider" } else { "approved" }
    );
    let notes = application::to_registrant(db, row, &format!("{}已生效 / {} done", what.zh, what.en), &text).await?;
    let change = Change::new(action, version)
        .set(", decided_at = time::now()")
        .then(body)
        .then(
            "UPDATE $app SET entity_licence = $eid.licence, website_licences = (SELECT VALUE licence FROM $app.websites) RETURN NONE;",
        )
        .bind("eid", Bind::Id(eid.clone()))
        .bind("website", Bind::OptId(website))
        .bind("provider", Bind::Text(cx.settings.provider_name.clone()))
        .bind("x", Bind::Json(x))
        .entity(eid)
        .notes(notes);
    let rules = [("record_gone", Message::new("该备案或接入已注销或取消，不能再办理，请驳回", "The filing or access no longer exists; reject this application"))];
    let clash = Message::new("变更后的域名已在其他备案中，不能审核通过，请驳回", "A new domain is already in another filing; reject this application");
    transition::apply(db, me, row, change, &rules, Some(clash)).await
}

// ---------------------------------------------------------------- provider

/// 取消接入 by the provider (seed 002 §3(5): no 备案密码): this provider's
/// access to a website ends at once, audited on the entity and website;
/// a website left with no access becomes 空壳 and is listed for the 管局.
/// The registrant is told.
pub async fn cancel_access(cx: &Ctx, access_key: &str, reason: &str) -> Result<(), AppError> {
    let (db, me) = (&cx.db, cx.me()?);
    if me.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    if !key_ok(access_key) {
        return Err(AppError::NotFound);
    }
    let reason = check_cancel_reason(reason).map_err(|p| application::invalid(REASON, p))?;
    #[derive(SurrealValue)]
    struct Acc {
        website: RecordId,
        entity: RecordId,
        provider_name: String,
        status: String,
        licence: String,
        domains: Vec<String>,
        owner: Option<RecordId>,
        mobile: Option<String>,
        email: Option<String>,
    }
    let aid = RecordId::new("access", access_key);
    let mut res = db
        .query(
            "SELECT website, website.entity AS entity, provider_name, status, website.licence ?? '' AS licence, website.domains.*.unicode AS domains, \
             website.entity.owner AS owner, website.entity.owner.mobile AS mobile, website.entity.owner.email AS email FROM ONLY $a",
        )
        .bind(("a", aid.clone()))
        .await?
        .check()?;
    let acc: Option<Acc> = res.take(0)?;
    // Another provider's access is not this provider's to see.
    let acc = acc.filter(|a| a.provider_name == cx.settings.provider_name).ok_or(AppError::NotFound)?;
    if acc.status != "active" {
        return Err(AppError::Conflict(Message::new("该接入已取消", "This access was already cancelled")));
    }
    let why = crate::domain::business::cancel_reason(reason).map(|t| t.zh).unwrap_or_default();
    let text = format!(
        "【ICP备案】接入服务商已取消网站（{}，{}）在本接入商的接入，理由：{why}。如网站仍需开办，请在新的接入商办理新增接入，否则该网站将成为空壳网站。Our access to your website {} was cancelled.",
        acc.licence,
        acc.domains.join("、"),
        acc.licence
    );
    let notes: Vec<Note> = match (&acc.owner, &acc.mobile, &acc.email) {
        (Some(o), Some(m), Some(e)) => Note::both(m, e, "取消接入 / Access cancelled", &text).into_iter().map(|n| n.for_account(o)).collect(),
        _ => Vec::new(),
    };
    let q = format!(
        "BEGIN;
         IF array::len(SELECT VALUE id FROM entity_lock WHERE kind = 'cancel_access' AND application.websites CONTAINS $w) > 0 {{ THROW 'requested' }};
         LET $done = (UPDATE $a SET status = 'cancelled', cancelled_at = time::now(), cancelled_by = $me, updated_at = time::now() WHERE status = 'active' RETURN VALUE id);
         IF array::len($done) = 0 {{ THROW '{}' }};
         IF count(SELECT id FROM access WHERE website = $w AND status = 'active') = 0 {{
             UPDATE $w SET status = 'empty', updated_at = time::now() WHERE status != 'cancelled' RETURN NONE;
         }};
         CREATE audit_event SET entity = $e, website = $w, actor = $me, role = 'provider', action = 'cancel_access', comment = $c RETURN NONE;
         {}
         COMMIT;",
        super::db::STALE,
        outbox::insert_all()
    );
    let res = db
        .query(q)
        .bind(("a", aid))
        .bind(("w", acc.website))
        .bind(("e", acc.entity))
        .bind(("me", me.id.clone()))
        .bind(("c", format!("取消接入（{}）：{why}", cx.settings.provider_name)))
        .bind(("notes", outbox::notes_value(&notes)))
        .await
        .and_then(super::db::tx_check);
    match res {
        Ok(_) => {
            outbox::wake();
            Ok(())
        }
        Err(e) if matches!(classify(&e), Failure::Stale | Failure::Conflict) => Err(AppError::Conflict(Message::new("该接入已取消", "This access was already cancelled"))),
        Err(e) if classify(&e) == Failure::Thrown("requested".into()) => Err(AppError::Conflict(Message::new(
            "主办者已提出该网站的取消接入申请，请在“核实备案”中打开该申请并确认",
            "The registrant asked for this cancellation: confirm their application in the verification queue",
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The filed websites this provider has an access to, for its console
/// (取消接入 and the businesses done for a client), filtered by part of the
/// 主办单位名称, a domain, a number or the entity's key (the 代为办理 page).
pub async fn provider_sites(cx: &Ctx, q: &str) -> Result<Vec<FiledRecord>, AppError> {
    let db = &cx.db;
    let q = q.trim();
    if q.chars().count() > 100 {
        return Err(AppError::BadRequest(Message::new("查询条件过长", "Query too long")));
    }
    let mut res = db
        .query(format!(
            "LET $sites = (SELECT VALUE website FROM access WHERE provider_name = $p AND status = 'active');
             LET $ents = array::distinct((SELECT VALUE entity FROM $sites WHERE $q = '' OR string::contains(string::lowercase(entity.unit_name), string::lowercase($q))
                 OR string::contains(array::join(domains.*.ascii, ' '), string::lowercase($q)) OR string::contains(licence ?? '', $q) OR record::id(entity) = $q));
             SELECT {RECORD_FIELDS}, approved_at FROM $ents WHERE status != 'cancelled' ORDER BY approved_at DESC LIMIT 100;"
        ))
        .bind(("p", cx.settings.provider_name.clone()))
        .bind(("q", q.to_string()))
        .await?
        .check()?;
    let rows: Vec<RecordRow> = res.take(2)?;
    // Only this provider's websites and access rows: another provider's
    // servers are not this one's business.
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut v = record_view(r, &cx.settings.provider_name, false);
            v.websites.retain(|w| w.access.iter().any(|a| a.here && a.status == "active"));
            for w in &mut v.websites {
                w.access.retain(|a| a.here);
            }
            v
        })
        .collect())
}

/// 空壳网站 of the 管局's province: filed websites with no access left,
/// longest first; the sponsor must file a new access or cancel them.
pub async fn empty_sites(cx: &Ctx) -> Result<Vec<EmptySite>, AppError> {
    let me = cx.me()?;
    let mut res = cx
        .db
        .query(
            "SELECT record::id(id) AS key, licence ?? '' AS licence, name, entity.unit_name AS unit_name, domains.*.unicode AS domains, entity.province AS province,
                 time::format(updated_at + 8h, '%Y-%m-%d') AS since, updated_at FROM website
             WHERE status = 'empty' AND ($province = NONE OR entity.province = $province) ORDER BY updated_at LIMIT 500",
        )
        .bind(("province", me.province.map(i64::from)))
        .await?
        .check()?;
    Ok(res.take(0)?)
}

/// Whether a 新增接入 is shown to this caller with its entity hidden: a
/// provider with no access to the entity sees its details only once the
/// 管局 approves (seed 002 §3(3)); its documents likewise.
pub async fn hides_entity(db: &super::db::Db, provider: &str, me: &super::auth::CurrentUser, row: &AppRow) -> Result<bool, AppError> {
    if me.role != Role::Provider || row.kind != BusinessKind::NewAccess || row.status == ApplicationStatus::Approved {
        return Ok(false);
    }
    Ok(match &row.entity {
        Some(e) => !serves(db, provider, e).await?,
        None => true,
    })
}

/// Whether this provider has an active access to any website of the entity.
pub async fn serves(db: &super::db::Db, provider: &str, entity: &RecordId) -> Result<bool, AppError> {
    let mut res = db
        .query("RETURN count(SELECT id FROM access WHERE website.entity = $e AND provider_name = $p AND status = 'active') > 0")
        .bind(("e", entity.clone()))
        .bind(("p", provider.to_string()))
        .await?
        .check()?;
    Ok(res.take::<Option<bool>>(0)?.unwrap_or(false))
}

// ---------------------------------------------------------------- history

/// A filed website's whole life (point 8 of seed 004's 浏览): every
/// submitted application that made or changed it or its entity (first
/// filing, 新增网站, 变更, 新增接入, 注销), each with what it changed and who
/// did what when, and the provider's own 取消接入; oldest first. The
/// registrant sees its own records' history (its own applications only)
/// with staff names hidden; the provider, websites it serves or served; the
/// 管局, its province's; each sees only applications it may read.
pub async fn history(cx: &Ctx, website_key: &str) -> Result<crate::models::SiteHistory, AppError> {
    use super::filings::{changes_of, timeline, EventRow, EVENT_FIELDS};
    use crate::models::{HistoryEntry, SiteHistory};
    let (db, me) = (&cx.db, cx.me()?);
    if !key_ok(website_key) {
        return Err(AppError::NotFound);
    }
    #[derive(SurrealValue)]
    struct Head {
        licence: String,
        name: String,
        unit_name: String,
        domains: Vec<String>,
        status: String,
        entity: RecordId,
        province: i64,
        mine: bool,
        served: bool,
    }
    let wid = RecordId::new("website", website_key);
    let mut res = db
        .query(format!(
            "{MINE} SELECT licence ?? '' AS licence, name, entity.unit_name AS unit_name, domains.*.unicode AS domains, status, entity, entity.province AS province,
                 entity IN $mine AS mine, count(SELECT id FROM access WHERE website = $parent.id AND provider_name = $p) > 0 AS served FROM ONLY $w;"
        ))
        .bind(("me", me.id.clone()))
        .bind(("w", wid.clone()))
        .bind(("p", cx.settings.provider_name.clone()))
        .await?
        .check()?;
    let head: Option<Head> = res.take(1)?;
    let head = head.ok_or(AppError::NotFound)?;
    let allowed = match me.role {
        Role::Registrant => head.mine,
        Role::Provider => head.served,
        Role::Bureau => me.province.is_none_or(|p| i64::from(p) == head.province),
        Role::Admin => false,
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let mut res = db
        .query(format!(
            "LET $apps = (SELECT {} , submitted_at FROM application WHERE entity = $e AND submitted_at != NONE
                 AND (websites CONTAINS $w OR kind IN ['change_entity', 'cancel_entity']) ORDER BY submitted_at LIMIT 500);
             RETURN $apps;
             SELECT {EVENT_FIELDS} FROM audit_event WHERE application IN (SELECT VALUE type::record('application', key) FROM $apps) ORDER BY t;
             SELECT {EVENT_FIELDS} FROM audit_event WHERE website = $w AND application = NONE ORDER BY t;",
            application::APP_FIELDS
        ))
        .bind(("e", head.entity.clone()))
        .bind(("w", wid))
        .await?
        .check()?;
    // Only the applications the viewer may read: a registrant its own (not
    // another sponsor's who filed under the same entity), the 管局 those that
    // reached it.
    let rows: Vec<AppRow> = application::rows(&mut res, 1)?.into_iter().filter(|r| application::may_read(me, r)).collect();
    let events: Vec<EventRow> = res.take(2)?;
    let outside: Vec<EventRow> = res.take(3)?;
    let staff = me.role != Role::Registrant;
    let mut by_app: std::collections::HashMap<String, Vec<EventRow>> = std::collections::HashMap::new();
    for e in events {
        if let Some(a) = e.app.clone() {
            by_app.entry(a).or_default().push(e);
        }
    }
    let mut entries: Vec<HistoryEntry> = Vec::with_capacity(rows.len() + outside.len());
    for row in &rows {
        let link = match me.role {
            Role::Registrant => Some(format!("/filings/{}", row.key)),
            Role::Provider => Some(format!("/provider/filings/{}", row.key)),
            Role::Bureau => Some(format!("/bureau/filings/{}", row.key)),
            Role::Admin => None,
        };
        entries.push(HistoryEntry {
            at: row.submitted.clone().unwrap_or_default(),
            kind: Some(row.kind),
            status: Some(row.status),
            link,
            changes: changes_of(row).unwrap_or_default(),
            reason: reason_of(row),
            events: timeline(by_app.remove(&row.key).unwrap_or_default(), staff),
        });
    }
    for e in outside {
        let tl = timeline(vec![e], staff);
        let Some(first) = tl.first() else { continue };
        entries.push(HistoryEntry {
            at: first.at.clone(),
            kind: Some(BusinessKind::CancelAccess),
            status: None,
            link: None,
            changes: Vec::new(),
            reason: None,
            events: tl,
        });
    }
    entries.sort_by(|a, b| a.at.cmp(&b.at));
    Ok(SiteHistory { licence: head.licence, name: head.name, unit_name: head.unit_name, domains: head.domains, status: head.status, entries })
}
