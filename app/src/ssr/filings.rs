//! The registrant's filings on the server: the type check, drafts saved at
//! every step, submission, and what the list and detail pages read. Every
//! function takes the [`Ctx`] its server function's check produced.

use surrealdb::types::{RecordId, SurrealValue};

use super::application::{self, app_id, new_key, summary, today, AppRow, APP_FIELDS};
use super::db::{classify, Db, Failure};
use super::entity_proof;
use super::guard::Ctx;
use super::materials;
use super::transition::{self, Bind, Change};
use super::Settings;
use crate::domain::business::{check_until, keep_filed};
use crate::domain::filing::{self, MaterialKind, check_type_inputs, filing_domains, new_website, normalise, step_of, EntityForm, FilingForm, PersonForm, STEPS, STEP_CONFIRM};
use crate::domain::review::{changed_fields, labels_of};
use crate::domain::workflow::{Action, ApplicationStatus, BusinessKind, Role};
use crate::domain::Message;
use crate::error::AppError;
use crate::models::{Annotation, Detection, DomainFinding, DraftView, FilingDetail, FilingSummary, TimelineEvent, Verification};

// ---------------------------------------------------------------- type check

#[derive(SurrealValue)]
struct EntityHit {
    id: RecordId,
    licence: Option<String>,
}

#[derive(SurrealValue)]
struct ClaimHit {
    website: Option<RecordId>,
    application: Option<RecordId>,
    entity: Option<RecordId>,
    licence: Option<String>,
    registrant: Option<RecordId>,
    providers: Vec<String>,
}

/// 备案类型检查: what filing this is (首次备案, 新增网站, 新增接入), or what
/// stops it and what to do.
pub async fn detect(cx: &Ctx, cert_input: &str, domains_input: &str) -> Result<(Detection, Option<RecordId>, Option<RecordId>), AppError> {
    let (db, settings, user) = (&cx.db, &cx.settings, cx.me()?);
    let (cert, domains, packages) = check_type_inputs(cert_input, domains_input, Some(today())).map_err(AppError::Invalid)?;
    // 备案信息黑名单: a listed sponsor or domain goes no further.
    let listed = super::blacklist::problems(db, &cert, "", &domains.iter().map(|d| d.ascii.clone()).collect::<Vec<_>>()).await?;
    if !listed.is_empty() {
        let on_form = |path: &str| if path == "entity.cert_number" { crate::domain::filing::fields::TYPE_CERT.path } else { crate::domain::filing::fields::TYPE_DOMAINS.path };
        return Err(AppError::Invalid(crate::domain::FieldErrors(listed.into_iter().map(|mut e| { e.path = on_form(&e.path).to_string(); e }).collect())));
    }

    let mut res = db
        .query("SELECT id, licence FROM entity WHERE cert_number = $c AND status != 'cancelled' LIMIT 1")
        .bind(("c", cert.clone()))
        .await?
        .check()?;
    let entity: Option<EntityHit> = res.take::<Vec<EntityHit>>(0)?.into_iter().next();

    let mut findings = Vec::new();
    let mut access_website: Option<RecordId> = None;
    let mut blocking = false;
    let (mut new_count, mut elsewhere_count) = (0, 0);
    for d in &domains {
        let mut res = db
            .query(
                "SELECT website, application, website.entity AS entity, website.licence AS licence, application.registrant AS registrant, \
                 (IF website != NONE THEN (SELECT VALUE provider_name FROM access WHERE website = $parent.website AND status != 'cancelled') ELSE [] END) AS providers \
                 FROM domain_claim WHERE domain = $d;
                 SELECT VALUE registrant FROM application WHERE status = 'draft' AND domains CONTAINS $d AND registrant != $me;",
            )
            .bind(("d", d.ascii.clone()))
            .bind(("me", user.id.clone()))
            .await?
            .check()?;
        let claim: Option<ClaimHit> = res.take::<Vec<ClaimHit>>(0)?.into_iter().next();
        let other_drafts: Vec<RecordId> = res.take(1)?;
        let name = d.unicode.clone();
        let (finding, zh, en) = match claim {
            Some(c) if c.website.is_some() => {
                let licence = c.licence.clone().unwrap_or_default();
                let same_entity = entity.as_ref().is_some_and(|e| Some(&e.id) == c.entity.as_ref());
                if !same_entity {
                    blocking = true;
                    ("other_entity", format!("域名 {name} 已由其他主办单位备案（{licence}），不能再次备案。如域名已转让，请原主办单位先注销该网站或办理变更；如有异议请联系所属省通信管理局。"), format!("{name} is filed by another sponsor ({licence}). If the domain changed hands, the previous sponsor must first cancel or change that website; otherwise contact the provincial administration."))
                } else if c.providers.iter().any(|p| *p == settings.provider_name) {
                    blocking = true;
                    ("filed_here", format!("域名 {name} 已在本接入商备案（{licence}），无需再次备案。如需修改信息，请办理变更备案。"), format!("{name} is already filed with us ({licence}); to change its details, file a change instead."))
                } else {
                    elsewhere_count += 1;
                    if access_website.is_none() {
                        access_website = c.website.clone();
                    }
                    ("filed_elsewhere", format!("域名 {name} 已在其他接入服务商备案（{licence}），在本接入商办理“新增接入”。"), format!("{name} is filed with another provider ({licence}); file a new access with us."))
                }
            }
            Some(c) => {
                blocking = true;
                if c.registrant.as_ref() == Some(&user.id) {
                    ("own_in_review", format!("域名 {name} 在您已提交的备案申请中，正在审核，请在“我的备案”查看进度。"), format!("{name} is in a filing you submitted, now under review; follow it under My filings."))
                } else {
                    ("in_review", format!("域名 {name} 已在另一份正在审核的备案申请中，暂时不能备案。如域名属于您，请联系接入服务商核实。"), format!("{name} is in another filing under review. If the domain is yours, contact the access provider."))
                }
            }
            // (Another user's unsubmitted draft is a registrant's warning, not the provider's business.)
            None if !other_drafts.is_empty() && user.role == Role::Registrant => {
                new_count += 1;
                ("other_draft", format!("注意：域名 {name} 出现在另一位用户尚未提交的备案申请中。请确认域名属于您；先提交的申请占用该域名。"), format!("Note: {name} is in another user's unsubmitted application. Make sure the domain is yours; the first filing submitted holds it."))
            }
            None => {
                new_count += 1;
                ("new", format!("域名 {name} 尚未备案。"), format!("{name} is not filed yet."))
            }
        };
        findings.push(DomainFinding { domain: name, finding: finding.to_string(), message: Message::new(zh, en) });
    }
    // APPs, by package name: one filed already is changed, not filed again.
    for p in &packages {
        let mut res = db
            .query("SELECT entity, licence FROM website WHERE platforms[*].package CONTAINS $p AND status != 'cancelled' LIMIT 1")
            .bind(("p", p.clone()))
            .await?
            .check()?;
        let hit: Option<AppHit> = res.take::<Vec<AppHit>>(0)?.into_iter().next();
        let (finding, zh, en) = match hit {
            Some(h) => {
                blocking = true;
                let licence = h.licence.unwrap_or_default();
                if entity.as_ref().is_some_and(|e| e.id == h.entity) {
                    ("app_filed", format!("APP {p} 已备案（{licence}），无需再次备案。如需修改APP信息，请办理变更备案；如签名密钥已更换，也请办理变更。"), format!("The APP {p} is already filed ({licence}); to change its details or its signing key, file a change instead."))
                } else {
                    ("other_entity", format!("APP {p} 已由其他主办单位备案（{licence}），不能再次备案。如APP已转让，请原主办单位先注销或办理变更。"), format!("The APP {p} is filed by another sponsor ({licence}). If it changed hands, the previous sponsor must first cancel or change it."))
                }
            }
            None => {
                new_count += 1;
                ("new", format!("APP {p} 尚未备案。"), format!("The APP {p} is not filed yet."))
            }
        };
        findings.push(DomainFinding { domain: p.clone(), finding: finding.to_string(), message: Message::new(zh, en) });
    }

    let (kind, message) = if blocking {
        (None, Message::new("存在冲突，不能按此信息开始备案。请按各域名下的说明处理后再试。", "There is a conflict: see what to do under each domain, then try again."))
    } else if elsewhere_count > 0 && new_count > 0 {
        (
            None,
            Message::new(
                "已在其他接入商备案的域名办理“新增接入”，未备案的域名办理备案，两者需分别提交。请先只填写同一类的域名。",
                "Domains filed elsewhere need a new access, unfiled ones a filing; submit them separately. Enter only one kind of domain at a time.",
            ),
        )
    } else if elsewhere_count > 0 {
        (
            Some(BusinessKind::NewAccess),
            Message::new("备案类型：新增接入。该网站已在其他接入服务商备案。请先验证备案密码，验证后带出已备案的主体和网站信息，再填写本接入商的接入信息。", "Filing type: new access. The website is filed with another provider. First prove the filing password; the filed entity and website are then filled in for you to add the access with us."),
        )
    } else if entity.as_ref().is_some_and(|e| e.licence.is_some()) {
        (
            Some(BusinessKind::NewWebsite),
            Message::new(
                "备案类型：新增网站。该证件号码的主办单位已备案。为保护主办单位的信息，请先验证备案密码（主体负责人邮箱收到的备案密码），验证后带出已备案的主体信息。",
                "Filing type: new website. The sponsor with this certificate is already filed. To protect its details, first prove the filing password (e-mailed to the entity's contact); its details are then filled in.",
            ),
        )
    } else {
        (Some(BusinessKind::FirstFiling), Message::new("备案类型：首次备案。主办单位和域名均未备案，请依次填写主体、网站和接入信息。", "Filing type: first filing. Neither the sponsor nor the domains are filed; fill in the entity, websites and access."))
    };
    let detection = Detection {
        cert_number: cert,
        kind,
        message,
        needs_proof: matches!(kind, Some(BusinessKind::NewWebsite | BusinessKind::NewAccess)),
        proof_by_code: settings.entity_verify == entity_proof::Method::Code,
        domains: findings,
    };
    let entity_id = entity.filter(|e| e.licence.is_some()).map(|e| e.id);
    Ok((detection, entity_id, access_website))
}

// ---------------------------------------------------------------- prefill

#[derive(SurrealValue)]
struct AppHit {
    entity: RecordId,
    licence: Option<String>,
}

#[derive(SurrealValue)]
struct PersonRow {
    name: String,
    cert_type: i64,
    cert_number: String,
    valid_from: String,
    valid_to: String,
    mobile: String,
    phone: String,
    emergency_phone: String,
    email: String,
}

impl PersonRow {
    fn form(self) -> PersonForm {
        let long_term = self.valid_to.is_empty() || self.valid_to == "长期";
        PersonForm {
            name: self.name,
            cert_type: self.cert_type.to_string(),
            cert_number: self.cert_number,
            valid_from: self.valid_from,
            valid_to: if long_term { String::new() } else { self.valid_to },
            long_term,
            mobile: self.mobile,
            phone: self.phone,
            emergency_phone: self.emergency_phone,
            email: self.email,
        }
    }
}

#[derive(SurrealValue)]
struct EntityRow {
    unit_name: String,
    nature: i64,
    cert_type: i64,
    cert_number: String,
    cert_address: String,
    province: i64,
    address: String,
    investor: String,
    leader: PersonRow,
    remark: String,
}

#[derive(SurrealValue)]
struct DomainRow {
    unicode: String,
}

#[derive(SurrealValue)]
struct WebsiteRow {
    name: String,
    domains: Vec<DomainRow>,
    home_urls: Vec<String>,
    content_types: Vec<i64>,
    languages: Vec<i64>,
    leader: PersonRow,
    remark: String,
    kind: String,
    uses_domains: Vec<String>,
    platforms: Vec<PlatformRow>,
    icon: Option<String>,
}

#[derive(SurrealValue)]
struct PlatformRow {
    platform: String,
    package: String,
    fingerprint: String,
    public_key: String,
}

pub(crate) async fn entity_form(db: &Db, id: &RecordId) -> Result<Option<EntityForm>, AppError> {
    let mut res = db
        .query("SELECT unit_name, nature, cert_type, cert_number, cert_address, province, address, investor, leader, remark FROM ONLY $id")
        .bind(("id", id.clone()))
        .await?
        .check()?;
    let row: Option<EntityRow> = res.take(0)?;
    Ok(row.map(|e| EntityForm {
        unit_name: e.unit_name,
        nature: e.nature.to_string(),
        cert_type: e.cert_type.to_string(),
        cert_number: e.cert_number,
        cert_address: e.cert_address,
        province: e.province.to_string(),
        address: e.address,
        investor: e.investor,
        leader: e.leader.form(),
        remark: e.remark,
    }))
}

pub(crate) async fn website_form(db: &Db, id: &RecordId, settings: &Settings, entity_leader: &PersonForm) -> Result<Option<filing::WebsiteForm>, AppError> {
    let mut res = db
        .query("SELECT name, domains, home_urls, content_types, languages, leader, remark, kind ?? 'website' AS kind, uses_domains ?? [] AS uses_domains, platforms ?? [] AS platforms, IF icon THEN record::id(icon) ELSE NONE END AS icon FROM ONLY $id")
        .bind(("id", id.clone()))
        .await?
        .check()?;
    let row: Option<WebsiteRow> = res.take(0)?;
    Ok(row.map(|w| {
        let leader = w.leader.form();
        let mut site = new_website(&settings.provider_name, "");
        site.same_leader = leader.cert_number == entity_leader.cert_number && leader.mobile == entity_leader.mobile;
        site.name = w.name;
        site.domains = w.domains.into_iter().map(|d| d.unicode).collect::<Vec<_>>().join("\n");
        site.home_urls = w.home_urls.join("\n");
        site.content_types = w.content_types.into_iter().filter_map(|c| u8::try_from(c).ok()).collect();
        site.no_pre_approval = true;
        site.language = w.languages.first().map(|l| l.to_string()).unwrap_or_else(|| "1".into());
        site.leader = leader;
        site.remark = w.remark;
        if w.kind == filing::KIND_APP {
            // An APP: the domains it uses, its platforms and its icon.
            site.kind = w.kind;
            site.domains = w.uses_domains.iter().map(|d| crate::domain::net::parse_site_domain(d).map(|d| d.unicode).unwrap_or_else(|_| d.clone())).collect::<Vec<_>>().join("\n");
            site.home_urls = String::new();
            site.platforms = w
                .platforms
                .into_iter()
                .map(|p| crate::domain::app::PlatformForm { platform: p.platform, package: p.package, fingerprint: p.fingerprint, public_key: p.public_key })
                .collect();
            site.icon = w.icon.unwrap_or_default();
        }
        site
    }))
}

// ---------------------------------------------------------------- drafts

fn view(settings: &Settings, row: &AppRow, form: FilingForm, materials: Vec<crate::models::MaterialInfo>, annotations: Vec<Annotation>) -> DraftView {
    DraftView {
        status: row.status,
        annotations,
        id: row.key.clone(),
        kind: row.kind,
        step: u8::try_from(row.step.clamp(1, i64::from(STEPS))).unwrap_or(1),
        form,
        materials,
        updated: row.updated.clone(),
        provider_name: settings.provider_name.clone(),
        today: today().compact(),
        version: row.version,
        before: row.before().ok().flatten(),
        for_staff: false,
    }
}

async fn draft_view(db: &Db, settings: &Settings, row: &AppRow) -> Result<DraftView, AppError> {
    let rid = row.record_id();
    Ok(view(settings, row, row.form()?, materials::list(db, &rid).await?, marks_of(db, row).await?))
}

/// The marks the registrant sees (none without a query when there are none).
async fn marks_of(db: &Db, row: &AppRow) -> Result<Vec<Annotation>, AppError> {
    if row.marks == 0 {
        return Ok(Vec::new());
    }
    annotations(db, &row.record_id(), false).await
}

/// The registrant's unfinished filing, if any.
pub async fn current_draft(cx: &Ctx) -> Result<Option<DraftView>, AppError> {
    let me = cx.me()?;
    let mut res = cx.db.query("SELECT VALUE application FROM ONLY type::record('draft_slot', $k)").bind(("k", me.key.clone())).await?.check()?;
    let Some(rid): Option<RecordId> = res.take(0)? else {
        return Ok(None);
    };
    let Some(row) = application::load(&cx.db, &rid).await? else {
        return Ok(None);
    };
    if row.registrant != me.id {
        return Err(AppError::Forbidden);
    }
    Ok(Some(draft_view(&cx.db, &cx.settings, &row).await?))
}

/// The filing the context may save (a draft, or one returned for changes),
/// with the provider's marks, for the wizard.
pub async fn open(cx: &Ctx) -> Result<DraftView, AppError> {
    let mut d = draft_view(&cx.db, &cx.settings, cx.filing()?).await?;
    d.for_staff = cx.me()?.role == Role::Provider;
    Ok(d)
}

pub(crate) struct MarkRow {
    pub(crate) path: String,
    pub(crate) comment: String,
    pub(crate) value: String,
    at: String,
    by: Option<String>,
}

pub(crate) async fn mark_rows(db: &Db, app: &RecordId) -> Result<Vec<MarkRow>, AppError> {
    #[derive(SurrealValue)]
    struct Columns {
        paths: Vec<String>,
        comments: Vec<String>,
        values: Vec<String>,
        ats: Vec<String>,
        bys: Vec<Option<String>>,
    }
    let mut res = db
        .query(
            "SELECT annotations.*.path AS paths, annotations.*.comment AS comments, annotations.*.value AS values, \
             array::map(annotations.*.at, |$t| time::format($t + 8h, '%Y-%m-%d %H:%M')) AS ats, annotations.*.by.contact_name AS bys FROM ONLY $app",
        )
        .bind(("app", app.clone()))
        .await?
        .check()?;
    let Some(c): Option<Columns> = res.take(0)? else { return Ok(Vec::new()) };
    Ok(c.paths
        .into_iter()
        .enumerate()
        .map(|(i, path)| MarkRow {
            path,
            comment: c.comments.get(i).cloned().unwrap_or_default(),
            value: c.values.get(i).cloned().unwrap_or_default(),
            at: c.ats.get(i).cloned().unwrap_or_default(),
            by: c.bys.get(i).cloned().flatten(),
        })
        .collect())
}

/// The marks of the last return; `staff` shows who marked them.
pub(crate) async fn annotations(db: &Db, app: &RecordId, staff: bool) -> Result<Vec<Annotation>, AppError> {
    Ok(mark_rows(db, app)
        .await?
        .into_iter()
        .map(|m| Annotation {
            label: crate::domain::review::field_label(&m.path).unwrap_or_else(|| Message::new(m.path.clone(), m.path.clone())),
            path: m.path,
            comment: m.comment,
            at: m.at,
            by: if staff { m.by.unwrap_or_default() } else { String::new() },
        })
        .collect())
}

/// Ask for a one-time code for the entity behind a certificate number
/// (when proof is by code): it goes to the entity's registered 主体负责人.
pub async fn send_entity_code(cx: &Ctx, cert_input: &str, domains_input: &str) -> Result<String, AppError> {
    let (_, entity, _) = detect(cx, cert_input, domains_input).await?;
    let entity = entity.ok_or_else(|| AppError::BadRequest(Message::new("该证件号码没有已备案的主体", "No filed entity has this certificate number")))?;
    entity_proof::send_code(&cx.db, &entity).await
}

/// Start a filing after the type check. A first filing starts empty but
/// for the certificate number and domains; a 新增网站 or 新增接入 needs the
/// proof of the right to act for the filed entity (备案密码 or code) before
/// anything of it is shown or used.
pub async fn start(cx: &Ctx, cert_input: &str, domains_input: &str, proof: &str, client: &str) -> Result<DraftView, AppError> {
    let (db, settings, me) = (&cx.db, &cx.settings, cx.me()?);
    let staff = me.role == Role::Provider;
    let (detection, entity, website) = detect(cx, cert_input, domains_input).await?;
    let Some(kind) = detection.kind else {
        return Err(AppError::Conflict(detection.message));
    };
    // 代为办理 (seed 001 §1.4.1–1.4.2): the provider adds a website or an
    // access for a filed client; 代为录入 (§1.3.1): it files a first filing
    // for a new client, whose account is made when it is submitted. Until
    // then the draft is the clerk's (its one unfinished 代为录入).
    let new_client = staff && kind == BusinessKind::FirstFiling;
    let mut form = FilingForm::default();
    // The type check's findings are the domains, then the APPs' packages.
    let (packages, _) = filing::split_packages(domains_input);
    let domains: Vec<String> = detection.domains.iter().map(|d| d.domain.clone()).filter(|d| !packages.contains(d)).collect();
    let mut registrant = me.id.clone();
    match (&entity, kind) {
        (Some(eid), BusinessKind::NewWebsite | BusinessKind::NewAccess) => {
            // A provider new to the entity sees it only once the 管局 approves the
            // access (seed 002 §3(3)): the sponsor files that 新增接入 itself.
            if staff && kind == BusinessKind::NewAccess && !super::business::serves(db, &settings.provider_name, eid).await? {
                return Err(AppError::Conflict(Message::new(
                    "该主体尚未在本接入商接入。新增接入请由主办者本人在本系统提交；管局审核通过后本接入商才能看到主体信息。",
                    "This entity has no access with us yet: the sponsor files this new access itself; we see the entity's details once the administration approves it.",
                )));
            }
            let client = if staff { super::business::member(cx, eid, client).await? } else { Some(me.id.clone()) };
            registrant = super::business::prove(cx, eid, client, proof).await?;
            form.entity = entity_form(db, eid).await?.ok_or(AppError::NotFound)?;
        }
        (None, BusinessKind::NewWebsite | BusinessKind::NewAccess) => return Err(AppError::NotFound),
        _ => {
            form.entity.cert_number = detection.cert_number.clone();
            form.entity.leader.long_term = true;
        }
    }
    let province = form.entity.province.clone();
    let mut site = None;
    if let (Some(wid), BusinessKind::NewAccess) = (&website, kind) {
        site = website_form(db, wid, settings, &form.entity.leader).await?;
    }
    let mut site = site.unwrap_or_else(|| {
        let mut s = new_website(&settings.provider_name, &province);
        s.domains = domains.join("\n");
        s.home_urls = domains.first().map(|d| format!("www.{d}")).unwrap_or_default();
        s
    });
    site.access.server_province = province.clone();
    if !domains.is_empty() || packages.is_empty() {
        form.websites.push(site);
    }
    // An APP named by its package in the type check: its card, started.
    for p in &packages {
        let mut app = new_website(&settings.provider_name, &province);
        app.kind = filing::KIND_APP.to_string();
        app.platforms.push(crate::domain::app::PlatformForm { package: p.clone(), ..Default::default() });
        form.websites.push(app);
    }

    let key = new_key();
    let rid = RecordId::new("application", key.as_str());
    let res = db
        .query(
            "BEGIN;
             IF $slot != NONE { CREATE type::record('draft_slot', $slot) SET application = $app RETURN NONE; };
             IF $entity != NONE {
                 IF type::record('entity_lock', record::id($entity)).application != NONE { THROW 'entity_busy' };
                 CREATE type::record('entity_lock', record::id($entity)) SET application = $app, kind = $kind RETURN NONE;
             };
             CREATE $app SET kind = $kind, status = 'draft', registrant = $registrant, draft = $draft, step = 1, domains = $domains, cert_number = $cert, entity = $entity,
                 websites = $websites, on_behalf = $agent RETURN NONE;
             CREATE audit_event SET application = $app, actor = $me, role = $role, action = 'create', to_status = 'draft', comment = $comment RETURN NONE;
             COMMIT;",
        )
        // The one unfinished filing a registrant has is its own; what the
        // provider starts for a filed client is not that; a clerk's 代为录入
        // is the clerk's one unfinished entry.
        .bind(("slot", (!staff || new_client).then(|| me.key.clone())))
        .bind(("app", rid.clone()))
        .bind(("kind", kind.code().to_string()))
        .bind(("me", me.id.clone()))
        .bind(("registrant", registrant))
        .bind(("agent", staff.then(|| me.id.clone())))
        .bind(("role", me.role.code().to_string()))
        .bind(("draft", serde_json::to_string(&form).map_err(|_| AppError::Internal)?))
        .bind(("domains", filing_domains(&form)))
        .bind(("cert", detection.cert_number.clone()))
        .bind(("entity", entity.clone().filter(|_| kind != BusinessKind::FirstFiling)))
        .bind(("websites", website.clone().filter(|_| kind == BusinessKind::NewAccess).into_iter().collect::<Vec<_>>()))
        .bind(("comment", if staff { format!("{}（接入服务商代为办理）", kind.label().zh) } else { kind.label().zh.to_string() }))
        .await
        .and_then(super::db::tx_check);
    match res {
        Ok(_) => {}
        Err(e) if classify(&e) == Failure::Thrown("entity_busy".into()) => {
            return Err(AppError::Conflict(Message::new(
                "该主体已有一份未完结的申请（变更、注销或新增），办结、撤回或放弃后才能新增网站或接入。",
                "This entity already has an open application (a change, cancellation or addition); it must end, be withdrawn or be discarded first.",
            )));
        }
        Err(e) if classify(&e) == Failure::Exists => {
            return Err(AppError::Conflict(if staff {
                Message::new("您有一份未完成的代为录入，请先继续录入或删除它", "You have an unfinished filing for a new client; continue or delete it first")
            } else {
                Message::new("您已有一份未完成的备案，请先继续或放弃它", "You already have an unfinished filing; continue or discard it first")
            }));
        }
        Err(e) => return Err(e.into()),
    }
    let row = application::load(db, &rid).await?.ok_or(AppError::Internal)?;
    // A new draft has no materials or marks yet.
    let mut v = view(settings, &row, form, Vec::new(), Vec::new());
    v.for_staff = staff;
    Ok(v)
}

/// For filings under a filed entity the entity's details are the filed
/// ones, whatever the form says: a draft cannot rename somebody's entity.
/// A 变更 or 注销 keeps everything but the part it may change.
async fn keep_filed_entity(db: &Db, row: &AppRow, form: &mut FilingForm) -> Result<(), AppError> {
    if let Some(before) = row.before()? {
        keep_filed(row.kind, &before, form);
        return Ok(());
    }
    if row.kind == BusinessKind::FirstFiling {
        return Ok(());
    }
    let eid = row.entity.as_ref().ok_or(AppError::Internal)?;
    form.entity = entity_form(db, eid).await?.ok_or(AppError::NotFound)?;
    Ok(())
}

/// Another tab or device saved this draft since this page loaded it.
fn edited_elsewhere() -> AppError {
    AppError::Conflict(crate::domain::Message::new(
        "已在其他窗口或设备修改，请刷新后再改",
        "Changed in another window or device since you opened it: refresh, then make your changes",
    ))
}

/// Save the wizard's data and move to `step`. The data is always kept (a
/// draft holds whatever was typed); moving forward needs every earlier step
/// valid, otherwise the draft stays at the first step with errors and the
/// errors come back, checked by the same rules as in the browser. A save
/// never touches a filing that was submitted meanwhile.
pub async fn save(cx: &Ctx, step: u8, mut form: FilingForm, version: i64) -> Result<DraftView, AppError> {
    let (db, me, before) = (&cx.db, cx.me()?, cx.filing()?);
    if version != before.version {
        return Err(edited_elsewhere());
    }
    filing::bound(&form).map_err(AppError::Invalid)?;
    normalise(&mut form);
    keep_filed_entity(db, before, &mut form).await?;
    let step = before.kind.step_at(step.clamp(1, STEPS));
    // Edits of a returned filing go into its history (drafts are the registrant's own business).
    // A stored draft that cannot be read is never written over blindly.
    let old = before.form()?;
    let changed = if before.status == ApplicationStatus::Returned { changed_fields(&old, &form) } else { Vec::new() };
    let rid = before.record_id();
    let files = materials::list(db, &rid).await?;
    let uploaded = materials::kinds(&files);
    let mut errors = check_until(before.kind, &form, step, &uploaded, Some(today()));
    if step > crate::domain::filing::STEP_WEBSITES {
        errors.0.extend(super::apps::check(db, before, &form, &files).await?.0);
    }
    let saved_step = errors.0.iter().map(|e| step_of(&e.path)).min().unwrap_or(step);
    let draft = serde_json::to_string(&form).map_err(|_| AppError::Internal)?;
    let mut change = Change::new(Action::Save, version)
        .set(", draft = $draft, step = $step, domains = $domains")
        .bind("draft", Bind::Text(draft))
        .bind("step", Bind::Int(i64::from(saved_step)))
        .bind("domains", Bind::Json(serde_json::json!(filing_domains(&form))));
    if !changed.is_empty() {
        change = change.comment(labels_of(&changed)).fields(changed);
    } else if before.status == ApplicationStatus::Draft {
        change = change.comment("保存草稿");
    }
    let row = transition::apply_and_load(db, me, before, change, &[], None).await?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // A save changes no material: the list read above is the current one.
    let marks = marks_of(db, &row).await?;
    Ok(view(&cx.settings, &row, form, files, marks))
}

/// Discard the unfinished filing (it is kept as 已放弃 with its history).
/// The registrant's own uploads go; the provider's 核验 evidence of a
/// returned filing stays.
pub async fn discard(cx: &Ctx) -> Result<(), AppError> {
    let (me, row) = (cx.me()?, cx.filing()?);
    let staff_kinds: Vec<String> = crate::domain::filing::MaterialKind::STAFF.iter().map(|k| k.code().to_string()).collect();
    let change = Change::new(Action::Discard, row.version)
        .then(
            "LET $slot = type::record('draft_slot', $slot_key);
             IF $slot.application = $app { DELETE $slot };
             DELETE domain_claim WHERE application = $app;
             DELETE material WHERE application = $app AND kind NOT IN $staff;",
        )
        .bind("slot_key", Bind::Text(me.key.clone()))
        .bind("staff", Bind::Json(serde_json::json!(staff_kinds)));
    transition::apply(&cx.db, me, row, change, &[], None).await
}

/// 提交 (or 重新提交 after a return): check everything again; the filing
/// moves to 待核实 and is locked, its domains are claimed (one live filing per
/// domain), and the registrant is told by SMS and e-mail in the same
/// transaction. A returned filing goes back only when every marked field
/// was changed.
pub async fn submit(cx: &Ctx) -> Result<FilingSummary, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    let from = row.status;
    let mut form = row.form()?;
    normalise(&mut form);
    keep_filed_entity(db, row, &mut form).await?;
    let files = materials::list(db, &rid).await?;
    let mut errors = check_until(row.kind, &form, STEP_CONFIRM, &materials::kinds(&files), Some(today()));
    errors.0.extend(super::apps::check(db, row, &form, &files).await?.0);
    let before = row.before()?;
    if let (Some(b), true) = (&before, row.kind.is_change()) {
        if crate::domain::business::diff(b, &form).is_empty() {
            errors.push(crate::domain::FieldError {
                path: "change".into(),
                label: Message::new("变更内容", "Changes"),
                code: "change.none".into(),
                message: Message::new("您还没有修改任何信息。请修改要变更的内容后再提交，或放弃这次变更。", "Nothing was changed. Change what needs changing, or discard this application."),
            });
        }
    }
    let mut comment = String::new();
    if from == ApplicationStatus::Returned && !row.kind.is_cancel() {
        let marked: Vec<(String, String)> = mark_rows(db, &rid).await?.into_iter().map(|m| (m.path, m.value)).collect();
        for path in crate::domain::review::unchanged_marks(&marked, &form, &materials::values(&files)) {
            let label = crate::domain::review::field_label(&path).unwrap_or_else(|| Message::new(path.clone(), path.clone()));
            errors.push(crate::domain::FieldError {
                path,
                label,
                code: "marks.unchanged".into(),
                message: Message::new("接入服务商标注了此项有误，请修改后再提交", "The provider marked this as wrong; change it before submitting"),
            });
        }
        comment = labels_of(&marked.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
    }
    if !row.kind.is_cancel() {
        errors.0.extend(super::blacklist::problems(db, form.entity.cert_number.trim(), &form.entity.unit_name, &filing_domains(&form)).await?);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let domains = filing_domains(&form);
    let claims = claims_of(row, &form)?;
    let action = if from == ApplicationStatus::Returned { Action::Resubmit } else { Action::Submit };
    let province = form.entity.province.trim().parse::<i64>().ok();
    let unit = form.entity.unit_name.trim().to_string();
    let (zh, en) = match (action, me.role) {
        (Action::Resubmit, _) => ("已重新提交", "was resubmitted"),
        (_, Role::Provider) => ("已由接入服务商代为提交", "was submitted for you by the provider"),
        _ => ("已提交", "was submitted"),
    };
    let text = format!(
        "【ICP备案】您的备案申请（{unit}，{}）{zh}，等待接入服务商核实，通常需1至2个工作日。Your filing for {} {en} and awaits the provider's verification.",
        domains.join("、"),
        domains.join(", ")
    );
    // 代为录入 (seed 001 §1.3.1): a first filing the clerk entered for a new
    // client makes the client's account now, in the same transaction.
    let new_client = row.kind == BusinessKind::FirstFiling && me.role == Role::Provider && row.registrant == me.id;
    let mut new_account = None;
    // To the registrant, also when the provider submitted for them (代为提交).
    let notes = if new_client {
        let (username, password) = (new_client_username(), super::clients::generate_password());
        let hash = super::auth::hash_blocking(password.clone()).await?;
        let leader = &form.entity.leader;
        let notes = crate::ssr::outbox::Note::both(
            leader.mobile.trim(),
            leader.email.trim(),
            "ICP备案系统账户已创建 / Your filing account",
            &format!(
                "【ICP备案】接入服务商（{p}）已为{unit}代为录入备案（{d}），并为您创建了备案系统账户，用户名：{username}。初始密码由接入服务商告知，首次登录须修改密码。The provider {p} filed for {unit} and made you an account, username {username}; it gives you the first password, which you change at the first sign-in.",
                p = cx.settings.provider_name,
                d = domains.join("、"),
            ),
        );
        let departments = form
            .websites
            .iter()
            .flat_map(|w| w.pre_approvals.iter().copied())
            .collect::<std::collections::BTreeSet<u8>>()
            .into_iter()
            .filter_map(|k| Some((crate::domain::codes::pre_approval_type(k)?.name, crate::domain::codes::pre_approval_department(k)?)))
            .map(|(what, dept)| {
                let place = province.and_then(|p| u8::try_from(p).ok()).and_then(crate::domain::codes::province_by_code).map(|p| p.name);
                Message::new(
                    format!("{}：{}{}", what.zh, place.map(|p| p.zh).unwrap_or(""), dept.zh),
                    format!("{}: {}{}", what.en, place.map(|p| format!("{} ", p.en)).unwrap_or_default(), dept.en),
                )
            })
            .collect();
        new_account = Some((crate::models::NewAccount { unit_name: unit.clone(), username: username.clone(), password, departments }, hash, leader.clone()));
        notes
    } else {
        application::to_registrant(db, row, &format!("备案申请{zh} / Filing {en}"), &text).await?
    };
    let draft = serde_json::to_string(&form).map_err(|_| AppError::Internal)?;
    let mut change = Change::new(action, row.version)
        .set(", submitted_at = submitted_at ?? time::now(), step = 5, unit_name = $unit, province = $province, domains = $domains, draft = $draft")
        .then(
            "DELETE domain_claim WHERE application = $app;
             FOR $d IN $claims { CREATE domain_claim SET domain = $d, application = $app RETURN NONE; };
             LET $slot = type::record('draft_slot', $slot_key);
             IF $slot.application = $app { DELETE $slot };",
        )
        .bind("claims", Bind::Json(serde_json::json!(claims)))
        .bind("domains", Bind::Json(serde_json::json!(domains)))
        .bind("unit", Bind::Text(unit))
        .bind("province", Bind::Json(serde_json::json!(province)))
        .bind("draft", Bind::Text(draft))
        .bind("slot_key", Bind::Text(me.key.clone()))
        .comment(comment)
        .notes(notes);
    if let Some((a, hash, leader)) = &new_account {
        let key = super::application::new_key();
        change = change
            .set(", registrant = type::record('account', $client_key)")
            .then(
                "CREATE type::record('account', $client_key) SET username = $client_name, password_hash = $client_hash, role = 'registrant',
                     contact_name = $client_contact, mobile = $client_mobile, email = $client_email, status = 'active',
                     must_change_password = true, created_by = $clerk RETURN NONE;
                 CREATE audit_event SET account = type::record('account', $client_key), application = $app, actor = $clerk, role = 'provider',
                     action = 'account_created', comment = '代为录入：为主办者创建备案系统账户' RETURN NONE;",
            )
            .bind("client_key", Bind::Text(key))
            .bind("client_name", Bind::Text(a.username.clone()))
            .bind("client_hash", Bind::Text(hash.clone()))
            .bind("client_contact", Bind::Text(leader.name.trim().to_string()))
            .bind("client_mobile", Bind::Text(leader.mobile.trim().to_string()))
            .bind("client_email", Bind::Text(leader.email.trim().to_string()))
            .bind("clerk", Bind::Id(me.id.clone()));
    }
    let taken = Message::new(
        "网站域名已在另一份备案中（可能刚刚被提交），不能提交。请在“备案类型检查”中重新检查域名。",
        "A domain is already in another filing (perhaps just submitted). Check the domains again in the type check.",
    );
    transition::apply(db, me, row, change, &[], Some(taken)).await?;
    let row = application::load(db, &rid).await?.ok_or(AppError::Internal)?;
    let mut s = summary(&row);
    s.new_account = new_account.map(|(a, _, _)| a);
    if let Some(a) = &s.new_account {
        tracing::info!(clerk = %me.username, client = %a.username, "account created for a client (代为录入)");
    }
    Ok(s)
}

/// A username for a client's new account: `kh` (客户) and eight letters
/// and digits.
pub(crate) fn new_client_username() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..8).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    format!("kh{tail}")
}

/// The domains an application claims while it lives: all of a new
/// filing's; none for a 新增接入, 变更 or 注销 (the filed website holds them),
/// but for the domains a 变更网站 adds.
pub(crate) fn claims_of(row: &AppRow, form: &FilingForm) -> Result<Vec<String>, AppError> {
    let domains = filing_domains(form);
    Ok(match (row.kind, row.before()?) {
        (BusinessKind::FirstFiling | BusinessKind::NewWebsite, _) => domains,
        (BusinessKind::ChangeWebsite, Some(b)) => {
            let old = filing_domains(&b);
            domains.into_iter().filter(|d| !old.contains(d)).collect()
        }
        _ => Vec::new(),
    })
}

// ---------------------------------------------------------------- reading

/// An audit event as timelines read it (`at AS t` orders them).
pub(crate) const EVENT_FIELDS: &str = "time::format(at + 8h, '%Y-%m-%d %H:%M') AS at, action, role, actor.contact_name AS actor, from_status, to_status, comment, \
     IF application != NONE THEN record::id(application) ELSE NONE END AS app, at AS t";

#[derive(SurrealValue)]
pub(crate) struct EventRow {
    at: String,
    action: String,
    role: String,
    actor: Option<String>,
    from_status: Option<String>,
    to_status: Option<String>,
    comment: String,
    pub(crate) app: Option<String>,
}

/// A timeline from audit events; who acted is named to staff only, and a
/// draft's saves (the registrant's own business) are left out.
pub(crate) fn timeline(events: Vec<EventRow>, staff: bool) -> Vec<TimelineEvent> {
    events
        .into_iter()
        .filter(|e| !(e.action == Action::Save.code() && e.from_status.as_deref() == Some("draft")))
        .map(|e| TimelineEvent {
            at: e.at,
            action: Action::from_code(&e.action),
            actor: if staff { e.actor.unwrap_or_default() } else { String::new() },
            role: Role::from_code(&e.role),
            from_status: e.from_status.as_deref().and_then(ApplicationStatus::from_code),
            to_status: e.to_status.as_deref().and_then(ApplicationStatus::from_code),
            comment: e.comment,
        })
        .collect()
}

/// What a 变更 changes (or changed), field by field; nothing for other kinds.
pub(crate) fn changes_of(row: &AppRow) -> Result<Vec<crate::domain::business::DiffRow>, AppError> {
    Ok(match row.before()? {
        Some(b) if row.kind.is_change() => {
            let mut now = row.form()?;
            keep_filed(row.kind, &b, &mut now);
            crate::domain::business::diff(&b, &now)
        }
        _ => Vec::new(),
    })
}

/// The registrant's filings, newest first (abandoned drafts are left out).
pub async fn list(cx: &Ctx) -> Result<Vec<FilingSummary>, AppError> {
    let me = cx.me()?;
    if me.role != Role::Registrant {
        return Err(AppError::Forbidden);
    }
    let mut res = cx
        .db
        .query(format!("SELECT {APP_FIELDS}, updated_at FROM application WHERE registrant = $me AND status != 'abandoned' ORDER BY updated_at DESC LIMIT 200"))
        .bind(("me", me.id.clone()))
        .await?
        .check()?;
    Ok(application::rows(&mut res, 0)?.iter().map(summary).collect())
}

/// Everything filed and the timeline. Registrants see who acted by role only.
pub async fn detail(cx: &Ctx) -> Result<FilingDetail, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    let mut res = db.query(format!("SELECT {EVENT_FIELDS} FROM audit_event WHERE application = $app ORDER BY t")).bind(("app", rid.clone())).await?.check()?;
    let staff = me.role != Role::Registrant;
    let timeline = timeline(res.take(0)?, staff);
    #[derive(SurrealValue)]
    struct VerificationRow {
        by: Option<String>,
        at: String,
        opinion: String,
        photo: Option<String>,
        form: Option<String>,
    }
    let mut res = db
        .query(
            "SELECT VALUE IF verification != NONE THEN { by: verification.by.contact_name, at: time::format(verification.at + 8h, '%Y-%m-%d %H:%M'), \
             opinion: verification.opinion, photo: IF verification.photo != NONE THEN record::id(verification.photo) ELSE NONE END, form: IF verification.form != NONE THEN record::id(verification.form) ELSE NONE END } ELSE NONE END FROM ONLY $app",
        )
        .bind(("app", rid.clone()))
        .await?
        .check()?;
    let verification: Option<VerificationRow> = res.take(0)?;
    let verification = verification.map(|v| Verification { by: if staff { v.by.unwrap_or_default() } else { String::new() }, at: v.at, opinion: v.opinion, photo: v.photo, form: v.form });
    let actions: Vec<Action> = crate::domain::workflow::allowed_actions(row.status, me.role, row.kind).into_iter().filter(|a| super::guard::owns(me, row, *a)).collect();
    let mut form = row.form()?;
    let entity_hidden = super::business::hides_entity(db, &cx.settings.provider_name, me, row).await?;
    let mut files = materials::list(db, &rid).await?;
    if entity_hidden {
        crate::domain::business::hide_entity(&mut form);
        files.retain(|m| MaterialKind::from_code(&m.kind).is_some_and(|k| !crate::domain::business::hidden_with_entity(k)));
    }
    // The clerk's unsent marks: only for whoever may send them.
    let (draft_marks, draft_note) = if actions.contains(&Action::Return) { draft_marks(db, &rid).await? } else { (Vec::new(), String::new()) };
    Ok(FilingDetail {
        summary: summary(row),
        form,
        entity_hidden,
        materials: files,
        timeline,
        annotations: annotations(db, &rid, staff).await?,
        verification,
        reject_reason: row.reject_reason.clone(),
        actions,
        draft_marks,
        draft_note,
        changes: changes_of(row)?,
        cancel_reason: super::business::reason_of(row),
        cancel_note: row.cancel_note.clone(),
    })
}

async fn draft_marks(db: &Db, app: &RecordId) -> Result<(Vec<crate::domain::review::Mark>, String), AppError> {
    #[derive(SurrealValue)]
    struct Kept {
        paths: Vec<String>,
        comments: Vec<String>,
        note: String,
    }
    let mut res = db
        .query("SELECT draft_marks.*.path AS paths, draft_marks.*.comment AS comments, draft_note AS note FROM ONLY $app")
        .bind(("app", app.clone()))
        .await?
        .check()?;
    let kept: Option<Kept> = res.take(0)?;
    let Some(k) = kept else { return Ok((Vec::new(), String::new())) };
    let marks = k.paths.into_iter().zip(k.comments).map(|(path, comment)| crate::domain::review::Mark { path, comment }).collect();
    Ok((marks, k.note))
}

/// The application record of a key, for callers outside a check (tests, CLI).
pub fn record_of(key: &str) -> Result<RecordId, AppError> {
    app_id(key)
}
