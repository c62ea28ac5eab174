//! The registrant's filings on the server: the type check, drafts saved at
//! every step, materials, submission, and what the list and detail pages read.
//! Every function takes the signed-in user and refuses what is not theirs.

use surrealdb::types::{Bytes, RecordId, SurrealValue};

use super::auth::CurrentUser;
use super::db::{is_unique_violation, tx_check, Db};
use super::Settings;
use crate::domain::date::Date;
use crate::domain::filing::{
    self, check_material, check_through, check_type_inputs, filing_domains, new_website, normalise, step_of, EntityForm, FilingForm, MaterialKind,
    PersonForm, STEPS, STEP_CONFIRM,
};
use crate::domain::workflow::{ApplicationStatus, BusinessKind, Role};
use crate::domain::{Field, FieldErrors, Message, Problem};
use crate::error::AppError;
use crate::models::{Annotation, Detection, DomainFinding, DraftView, FilingDetail, FilingSummary, MaterialInfo, TimelineEvent, Verification};


/// Today in Beijing (UTC+8), for certificate dates.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    Date::from_days_since_epoch((secs + 8 * 3600).div_euclid(86_400))
}

pub(crate) fn invalid(field: Field, p: Problem) -> AppError {
    let mut e = FieldErrors::new();
    e.push(p.at(field));
    AppError::Invalid(e)
}

fn key_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn app_id(id: &str) -> Result<RecordId, AppError> {
    if key_ok(id) {
        Ok(RecordId::new("application", id))
    } else {
        Err(AppError::NotFound)
    }
}

// ---------------------------------------------------------------- type check

#[derive(SurrealValue)]
struct EntityHit {
    id: RecordId,
    unit_name: String,
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
pub async fn detect(db: &Db, settings: &Settings, user: &CurrentUser, cert_input: &str, domains_input: &str) -> Result<(Detection, Option<RecordId>, Option<RecordId>), AppError> {
    let (cert, domains) = check_type_inputs(cert_input, domains_input, Some(today())).map_err(AppError::Invalid)?;

    let mut res = db
        .query("SELECT id, unit_name, licence FROM entity WHERE cert_number = $c AND status != 'cancelled' LIMIT 1")
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
            None if !other_drafts.is_empty() => {
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
            Message::new("备案类型：新增接入。该网站已在其他接入服务商备案，主体和网站信息已带出，请核对并填写本接入商的接入信息。", "Filing type: new access. The website is filed with another provider; its details are filled in for you to check, then add the access with us."),
        )
    } else if let Some(e) = entity.as_ref().filter(|e| e.licence.is_some()) {
        (
            Some(BusinessKind::NewWebsite),
            Message::new(
                format!("备案类型：新增网站。主办单位“{}”已备案（{}），主体信息已带出，请添加新网站。", e.unit_name, e.licence.clone().unwrap_or_default()),
                format!("Filing type: new website. {} is already filed ({}); its details are filled in, add the new website.", e.unit_name, e.licence.clone().unwrap_or_default()),
            ),
        )
    } else {
        (Some(BusinessKind::FirstFiling), Message::new("备案类型：首次备案。主办单位和域名均未备案，请依次填写主体、网站和接入信息。", "Filing type: first filing. Neither the sponsor nor the domains are filed; fill in the entity, websites and access."))
    };
    let detection = Detection {
        cert_number: cert,
        kind: kind.map(|k| k.code().to_string()),
        message,
        entity_licence: entity.as_ref().and_then(|e| e.licence.clone()),
        entity_name: entity.as_ref().map(|e| e.unit_name.clone()),
        domains: findings,
    };
    let entity_id = entity.filter(|e| e.licence.is_some()).map(|e| e.id);
    Ok((detection, entity_id, access_website))
}

// ---------------------------------------------------------------- prefill

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
}

async fn entity_form(db: &Db, id: &RecordId) -> Result<Option<EntityForm>, surrealdb::Error> {
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

async fn website_form(db: &Db, id: &RecordId, settings: &Settings, entity_leader: &PersonForm) -> Result<Option<filing::WebsiteForm>, surrealdb::Error> {
    let mut res = db
        .query("SELECT name, domains, home_urls, content_types, languages, leader, remark FROM ONLY $id")
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
        site
    }))
}

// ---------------------------------------------------------------- drafts

#[derive(SurrealValue)]
pub(crate) struct AppRow {
    pub(crate) key: String,
    pub(crate) kind: String,
    pub(crate) status: String,
    pub(crate) registrant: RecordId,
    draft: String,
    step: i64,
    domains: Vec<String>,
    updated: String,
    pub(crate) submitted: Option<String>,
    pub(crate) version: i64,
    pub(crate) province: Option<i64>,
    entity_licence: Option<String>,
    website_licences: Vec<String>,
    reject_reason: Option<String>,
    pub(crate) entity: Option<RecordId>,
    pub(crate) websites: Vec<RecordId>,
}

pub(crate) const APP_FIELDS: &str = "record::id(id) AS key, kind, status, registrant, draft, step, domains, version, province, entity_licence, website_licences, reject_reason, entity, websites, \
    time::format(updated_at + 8h, '%Y-%m-%d %H:%M') AS updated, \
    IF submitted_at != NONE THEN time::format(submitted_at + 8h, '%Y-%m-%d %H:%M') ELSE NONE END AS submitted";

impl AppRow {
    pub(crate) fn form(&self) -> FilingForm {
        // A draft that no longer parses (schema drift) opens empty rather than failing.
        serde_json::from_str(&self.draft).unwrap_or_else(|e| {
            tracing::error!(error = %e, application = %self.key, "draft JSON does not parse");
            FilingForm::default()
        })
    }

    pub(crate) fn status(&self) -> ApplicationStatus {
        ApplicationStatus::from_code(&self.status).unwrap_or(ApplicationStatus::Draft)
    }
}

pub(crate) async fn load_app(db: &Db, id: &RecordId) -> Result<Option<AppRow>, surrealdb::Error> {
    let mut res = db.query(format!("SELECT {APP_FIELDS} FROM ONLY $id")).bind(("id", id.clone())).await?.check()?;
    res.take(0)
}

/// The application if this user may read it: its registrant, or staff.
pub(crate) async fn readable(db: &Db, user: &CurrentUser, id: &str) -> Result<(RecordId, AppRow), AppError> {
    let rid = app_id(id)?;
    let row = load_app(db, &rid).await?.ok_or(AppError::NotFound)?;
    if !super::review::may_read(user, &row) {
        tracing::warn!(user = %user.username, application = id, "refused: not this user's application");
        return Err(AppError::Forbidden);
    }
    Ok((rid, row))
}

/// The application if this registrant owns it and may still edit it.
async fn editable(db: &Db, user: &CurrentUser, id: &str) -> Result<(RecordId, AppRow), AppError> {
    if user.role != Role::Registrant {
        return Err(AppError::Forbidden);
    }
    let (rid, row) = readable(db, user, id).await?;
    if !row.status().editable_by_registrant() {
        return Err(AppError::Conflict(Message::new(
            format!("该备案申请当前状态为“{}”，不能修改", row.status().label().zh),
            format!("This filing is {} and cannot be edited", row.status().label().en.to_lowercase()),
        )));
    }
    Ok((rid, row))
}

pub async fn materials(db: &Db, app: &RecordId) -> Result<Vec<MaterialInfo>, surrealdb::Error> {
    #[derive(SurrealValue)]
    struct Row {
        key: String,
        kind: String,
        filename: String,
        content_type: String,
        size: i64,
    }
    let mut res = db
        .query("SELECT record::id(id) AS key, kind, filename, content_type, size, created_at FROM material WHERE application = $a ORDER BY created_at")
        .bind(("a", app.clone()))
        .await?
        .check()?;
    let rows: Vec<Row> = res.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| MaterialInfo { id: r.key, kind: r.kind, filename: r.filename, content_type: r.content_type, size: r.size.max(0) as u64 })
        .collect())
}

pub(crate) fn uploaded_kinds(list: &[MaterialInfo]) -> Vec<MaterialKind> {
    list.iter().filter_map(|m| MaterialKind::from_code(&m.kind)).collect()
}

fn view(settings: &Settings, row: &AppRow, materials: Vec<MaterialInfo>, annotations: Vec<Annotation>) -> DraftView {
    DraftView {
        status: row.status.clone(),
        annotations,
        id: row.key.clone(),
        kind: row.kind.clone(),
        step: u8::try_from(row.step.clamp(1, i64::from(STEPS))).unwrap_or(1),
        form: row.form(),
        materials,
        updated: row.updated.clone(),
        provider_name: settings.provider_name.clone(),
        today: today().compact(),
    }
}

/// The registrant's unfinished filing, if any.
pub async fn current_draft(db: &Db, settings: &Settings, user: &CurrentUser) -> Result<Option<DraftView>, AppError> {
    if user.role != Role::Registrant {
        return Ok(None);
    }
    let mut res = db.query("SELECT VALUE application FROM ONLY type::record('draft_slot', $k)").bind(("k", user.key.clone())).await?.check()?;
    let Some(rid): Option<RecordId> = res.take(0)? else {
        return Ok(None);
    };
    let Some(row) = load_app(db, &rid).await? else {
        return Ok(None);
    };
    let marks = annotations(db, &rid, false).await?;
    Ok(Some(view(settings, &row, materials(db, &rid).await?, marks)))
}

/// A filing the registrant may edit (a draft, or one returned for changes),
/// with the provider's marks, for the wizard.
pub async fn open_filing(db: &Db, settings: &Settings, user: &CurrentUser, id: &str) -> Result<DraftView, AppError> {
    let (rid, row) = editable(db, user, id).await?;
    let marks = annotations(db, &rid, false).await?;
    Ok(view(settings, &row, materials(db, &rid).await?, marks))
}

pub(crate) struct MarkRow {
    pub(crate) path: String,
    pub(crate) comment: String,
    pub(crate) value: String,
    at: String,
    by: Option<String>,
}

pub(crate) async fn mark_rows(db: &Db, app: &RecordId) -> Result<Vec<MarkRow>, surrealdb::Error> {
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
pub(crate) async fn annotations(db: &Db, app: &RecordId, staff: bool) -> Result<Vec<Annotation>, surrealdb::Error> {
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

/// (kind, id) of every upload, to tell whether a marked document was replaced.
pub(crate) fn material_values(list: &[MaterialInfo]) -> Vec<(String, String)> {
    list.iter().map(|m| (m.kind.clone(), m.id.clone())).collect()
}

fn new_key() -> String {
    super::auth::random_token()[..20].to_string()
}

/// Start a filing after the type check: the draft is created with what is
/// already known (the certificate number, the domains, and for 新增网站 or
/// 新增接入 the filed entity and website).
pub async fn start_draft(db: &Db, settings: &Settings, user: &CurrentUser, cert_input: &str, domains_input: &str) -> Result<DraftView, AppError> {
    if user.role != Role::Registrant {
        return Err(AppError::Forbidden);
    }
    let (detection, entity, website) = detect(db, settings, user, cert_input, domains_input).await?;
    let Some(kind) = detection.kind.as_deref().and_then(BusinessKind::from_code) else {
        return Err(AppError::Conflict(detection.message));
    };
    let mut form = FilingForm::default();
    let domains: Vec<String> = detection.domains.iter().map(|d| d.domain.clone()).collect();
    match (&entity, kind) {
        (Some(eid), BusinessKind::NewWebsite | BusinessKind::NewAccess) => {
            if let Some(e) = entity_form(db, eid).await? {
                form.entity = e;
            }
        }
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
    site.access.server_province = province;
    form.websites.push(site);

    let key = new_key();
    let rid = RecordId::new("application", key.as_str());
    let res = db
        .query(
            "BEGIN;
             CREATE type::record('draft_slot', $slot) SET application = $app RETURN NONE;
             CREATE $app SET kind = $kind, status = 'draft', registrant = $me, draft = $draft, step = 1, domains = $domains, cert_number = $cert, entity = $entity, websites = $websites RETURN NONE;
             CREATE audit_event SET application = $app, actor = $me, role = 'registrant', action = 'create', to_status = 'draft', comment = $comment RETURN NONE;
             COMMIT;",
        )
        .bind(("slot", user.key.clone()))
        .bind(("app", rid.clone()))
        .bind(("kind", kind.code().to_string()))
        .bind(("me", user.id.clone()))
        .bind(("draft", serde_json::to_string(&form).map_err(|_| AppError::Internal)?))
        .bind(("domains", filing_domains(&form)))
        .bind(("cert", detection.cert_number.clone()))
        .bind(("entity", entity.clone().filter(|_| kind != BusinessKind::FirstFiling)))
        .bind(("websites", website.clone().filter(|_| kind == BusinessKind::NewAccess).into_iter().collect::<Vec<_>>()))
        .bind(("comment", kind.label().zh.to_string()))
        .await
        .and_then(|r| r.check());
    match res {
        Ok(_) => {}
        Err(e) if e.to_string().contains("already exists") => {
            return Err(AppError::Conflict(Message::new("您已有一份未完成的备案，请先继续或放弃它", "You already have an unfinished filing; continue or discard it first")));
        }
        Err(e) => return Err(e.into()),
    }
    let row = load_app(db, &rid).await?.ok_or(AppError::Internal)?;
    // A new draft has no materials or marks yet.
    Ok(view(settings, &row, Vec::new(), Vec::new()))
}

/// Save the wizard's data and move to `step`. The data is always kept (a
/// draft holds whatever was typed); moving forward needs every earlier step
/// valid, otherwise the draft stays at the first step with errors and the
/// errors come back, checked by the same rules as in the browser.
pub async fn save_draft(db: &Db, settings: &Settings, user: &CurrentUser, id: &str, step: u8, mut form: FilingForm) -> Result<DraftView, AppError> {
    let (rid, before) = editable(db, user, id).await?;
    normalise(&mut form);
    let step = step.clamp(1, STEPS);
    // Edits of a returned filing go into its history (drafts are the registrant's own business).
    let changed = if before.status() == ApplicationStatus::Returned { changed_fields(&before.form(), &form) } else { Vec::new() };
    let uploaded_files = materials(db, &rid).await?;
    let uploaded = uploaded_kinds(&uploaded_files);
    let errors = if step > 1 { check_through(&form, step - 1, &uploaded, Some(today())) } else { FieldErrors::new() };
    let saved_step = errors.0.iter().map(|e| step_of(&e.path)).min().unwrap_or(step);
    db.query(
        "BEGIN;
         UPDATE $app SET draft = $draft, step = $step, domains = $domains, updated_at = time::now(), version += 1 RETURN NONE;
         IF array::len($changed) > 0 {
             CREATE audit_event SET application = $app, actor = $me, role = 'registrant', action = 'edit', from_status = 'returned', to_status = 'returned', fields = $changed, comment = $comment RETURN NONE;
         };
         COMMIT;",
    )
    .bind(("changed", changed.clone()))
    .bind(("me", user.id.clone()))
    .bind(("comment", labels_of(&changed)))
    .bind(("app", rid.clone()))
    .bind(("draft", serde_json::to_string(&form).map_err(|_| AppError::Internal)?))
    .bind(("step", i64::from(saved_step)))
    .bind(("domains", filing_domains(&form)))
    .await?
    .check()?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let row = load_app(db, &rid).await?.ok_or(AppError::Internal)?;
    let marks = annotations(db, &rid, false).await?;
    Ok(view(settings, &row, uploaded_files, marks))
}

/// The paths whose value differs between two versions of a form.
pub(crate) fn changed_fields(before: &FilingForm, after: &FilingForm) -> Vec<String> {
    use crate::domain::review::{review_rows, value_of};
    let mut paths: Vec<String> = review_rows(after).into_iter().map(|r| r.path).collect();
    for r in review_rows(before) {
        if !paths.contains(&r.path) {
            paths.push(r.path);
        }
    }
    paths.into_iter().filter(|p| value_of(before, p, &[]) != value_of(after, p, &[])).collect()
}

/// "主办单位名称、网站1 · 网站域名": the Chinese names of changed fields.
pub(crate) fn labels_of(paths: &[String]) -> String {
    paths.iter().map(|p| crate::domain::review::field_label(p).map(|l| l.zh).unwrap_or_else(|| p.clone())).collect::<Vec<_>>().join("、")
}

/// Discard the unfinished filing (it is kept as 已放弃 with its history).
pub async fn discard_draft(db: &Db, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let (rid, row) = editable(db, user, id).await?;
    let from = row.status();
    // A returned filing frees its domains; only a draft holds the draft slot.
    db.query(
        "BEGIN;
         UPDATE $app SET status = 'abandoned', updated_at = time::now(), version += 1 WHERE status = $from RETURN NONE;
         IF $from = 'draft' { DELETE type::record('draft_slot', $slot) };
         DELETE domain_claim WHERE application = $app;
         DELETE material WHERE application = $app;
         CREATE audit_event SET application = $app, actor = $me, role = 'registrant', action = 'discard', from_status = $from, to_status = 'abandoned' RETURN NONE;
         COMMIT;",
    )
    .bind(("app", rid))
    .bind(("from", from.code().to_string()))
    .bind(("slot", user.key.clone()))
    .bind(("me", user.id.clone()))
    .await?
    .check()?;
    Ok(())
}

/// 提交 (or 重新提交 after a return): check everything again; the filing
/// moves to 待核实 and is locked, its domains are claimed (one live filing per
/// domain), and the registrant is told by SMS and e-mail. A returned filing
/// goes back only when every marked field was changed.
pub async fn submit(db: &Db, settings: &Settings, user: &CurrentUser, id: &str) -> Result<FilingSummary, AppError> {
    let (rid, row) = editable(db, user, id).await?;
    let from = row.status();
    let mut form = row.form();
    normalise(&mut form);
    let files = materials(db, &rid).await?;
    let uploaded = uploaded_kinds(&files);
    let mut errors = check_through(&form, STEP_CONFIRM, &uploaded, Some(today()));
    let mut comment = String::new();
    if from == ApplicationStatus::Returned {
        let marked: Vec<(String, String)> = mark_rows(db, &rid).await?.into_iter().map(|m| (m.path, m.value)).collect();
        for path in crate::domain::review::unchanged_marks(&marked, &form, &material_values(&files)) {
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
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let kind = BusinessKind::from_code(&row.kind).unwrap_or(BusinessKind::FirstFiling);
    // 新增接入: the filed website already holds its domains.
    let domains = filing_domains(&form);
    let claims = if kind == BusinessKind::NewAccess { Vec::new() } else { domains.clone() };
    let action = if from == ApplicationStatus::Returned { "resubmit" } else { "submit" };
    let province = form.entity.province.trim().parse::<i64>().ok();
    let res = db
        .query(
            "BEGIN;
             LET $done = (UPDATE $app SET status = 'pending_verification', submitted_at = time::now(), updated_at = time::now(), step = 5, version += 1,
                 unit_name = $unit, province = $province, domains = $domains WHERE status = $from RETURN VALUE id);
             IF array::len($done) = 0 { THROW 'stale_version' };
             DELETE domain_claim WHERE application = $app;
             FOR $d IN $claims { CREATE domain_claim SET domain = $d, application = $app RETURN NONE; };
             IF $from = 'draft' { DELETE type::record('draft_slot', $slot) };
             CREATE audit_event SET application = $app, actor = $me, role = 'registrant', action = $action, from_status = $from, to_status = 'pending_verification', comment = $comment RETURN NONE;
             COMMIT;",
        )
        .bind(("app", rid.clone()))
        .bind(("claims", claims))
        .bind(("domains", domains.clone()))
        .bind(("unit", form.entity.unit_name.trim().to_string()))
        .bind(("province", province))
        .bind(("from", from.code().to_string()))
        .bind(("action", action.to_string()))
        .bind(("comment", comment))
        .bind(("slot", user.key.clone()))
        .bind(("me", user.id.clone()))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(Message::new(
                "网站域名已在另一份备案中（可能刚刚被提交），不能提交。请在“备案类型检查”中重新检查域名。",
                "A domain is already in another filing (perhaps just submitted). Check the domains again in the type check.",
            )));
        }
        Err(e) if e.to_string().contains("stale_version") => return Err(super::review::stale(db, &rid).await),
        Err(e) => return Err(e.into()),
    }
    let unit = form.entity.unit_name.clone();
    let (zh, en) = if action == "resubmit" { ("已重新提交", "was resubmitted") } else { ("已提交", "was submitted") };
    let text = format!(
        "【ICP备案】您的备案申请（{unit}，{}）{zh}，等待接入服务商核实，通常需1至2个工作日。Your filing for {} {en} and awaits the provider's verification.",
        domains.join("、"),
        domains.join(", ")
    );
    super::review::tell(db, settings, &user.id, &rid, &format!("备案申请{zh} / Filing {en}"), &text).await?;
    let row = load_app(db, &rid).await?.ok_or(AppError::Internal)?;
    Ok(summary(&row))
}

// ---------------------------------------------------------------- materials

/// Store an upload for the registrant's draft: size and type checked from
/// the bytes themselves; one file per kind (a new one replaces the old),
/// except 其他材料.
pub async fn add_material(db: &Db, user: &CurrentUser, id: &str, kind: &str, filename: &str, bytes: Vec<u8>) -> Result<MaterialInfo, AppError> {
    let kind = MaterialKind::from_code(kind).ok_or_else(|| AppError::BadRequest(Message::new("材料类型无效", "Unknown document type")))?;
    // The registrant uploads the filing's documents while editing it; the
    // provider uploads the 核验 photo and form while verifying it.
    let rid = if kind.is_staff() { super::review::verifiable(db, user, id).await?.0 } else { editable(db, user, id).await?.0 };
    let mime = check_material(kind, &bytes).map_err(|p| invalid(kind.field(), p))?;
    let filename: String = filename.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"')).take(120).collect();
    let filename = if filename.trim().is_empty() { format!("{}.bin", kind.code()) } else { filename };
    let sha = super::auth::sha256_hex(&bytes);
    let key = new_key();
    let size = bytes.len() as i64;
    let replace = if kind == MaterialKind::Other { "" } else { "DELETE material WHERE application = $app AND kind = $kind;" };
    db.query(format!(
        "BEGIN;
         {replace}
         CREATE type::record('material', $key) SET application = $app, kind = $kind, filename = $name, content_type = $mime, size = $size, sha256 = $sha, data = $data, uploaded_by = $me RETURN NONE;
         UPDATE $app SET updated_at = time::now() RETURN NONE;
         COMMIT;"
    ))
    .bind(("key", key.clone()))
    .bind(("app", rid))
    .bind(("kind", kind.code().to_string()))
    .bind(("name", filename.clone()))
    .bind(("mime", mime.to_string()))
    .bind(("size", size))
    .bind(("sha", sha))
    .bind(("data", Bytes::from(bytes)))
    .bind(("me", user.id.clone()))
    .await?
    .check()?;
    Ok(MaterialInfo { id: key, kind: kind.code().to_string(), filename, content_type: mime.to_string(), size: size as u64 })
}

#[derive(SurrealValue)]
struct MaterialOwner {
    application: RecordId,
}

pub async fn remove_material(db: &Db, user: &CurrentUser, material: &str) -> Result<(), AppError> {
    if !key_ok(material) {
        return Err(AppError::NotFound);
    }
    let mid = RecordId::new("material", material);
    let mut res = db.query("SELECT application FROM ONLY $m").bind(("m", mid.clone())).await?.check()?;
    let owner: Option<MaterialOwner> = res.take(0)?;
    let owner = owner.ok_or(AppError::NotFound)?;
    let key = match &owner.application.key {
        surrealdb::types::RecordIdKey::String(s) => s.clone(),
        _ => return Err(AppError::NotFound),
    };
    editable(db, user, &key).await?;
    db.query("DELETE $m WHERE kind NOT IN $staff").bind(("m", mid)).bind(("staff", MaterialKind::STAFF.map(|k| k.code().to_string()).to_vec())).await?.check()?;
    Ok(())
}

/// A material's bytes for its registrant or staff: (MIME type, file name, bytes).
pub async fn material_file(db: &Db, user: &CurrentUser, material: &str) -> Result<(String, String, Vec<u8>), AppError> {
    if !key_ok(material) {
        return Err(AppError::NotFound);
    }
    #[derive(SurrealValue)]
    struct Row {
        app: String,
        content_type: String,
        filename: String,
        data: Bytes,
    }
    let mut res = db
        .query("SELECT record::id(application) AS app, content_type, filename, data FROM ONLY $m")
        .bind(("m", RecordId::new("material", material)))
        .await?
        .check()?;
    let row: Option<Row> = res.take(0)?;
    let row = row.ok_or(AppError::NotFound)?;
    // Whoever may read the filing may read its documents.
    readable(db, user, &row.app).await?;
    Ok((row.content_type, row.filename, row.data.into_inner().to_vec()))
}

// ---------------------------------------------------------------- reading

pub(crate) fn summary(row: &AppRow) -> FilingSummary {
    let form = row.form();
    FilingSummary {
        id: row.key.clone(),
        kind: row.kind.clone(),
        status: row.status.clone(),
        unit_name: form.entity.unit_name.clone(),
        domains: if row.domains.is_empty() { filing_domains(&form) } else { row.domains.clone() },
        updated: row.updated.clone(),
        submitted: row.submitted.clone(),
        province: row.province.and_then(|p| u8::try_from(p).ok()),
        entity_licence: row.entity_licence.clone(),
        website_licences: row.website_licences.clone(),
        version: row.version,
    }
}

/// The registrant's filings, newest first (abandoned drafts are left out).
pub async fn list_filings(db: &Db, user: &CurrentUser) -> Result<Vec<FilingSummary>, AppError> {
    if user.role != Role::Registrant {
        return Err(AppError::Forbidden);
    }
    let mut res = db
        .query(format!("SELECT {APP_FIELDS}, updated_at FROM application WHERE registrant = $me AND status != 'abandoned' ORDER BY updated_at DESC LIMIT 200"))
        .bind(("me", user.id.clone()))
        .await?
        .check()?;
    let rows: Vec<AppRow> = res.take(0)?;
    Ok(rows.iter().map(summary).collect())
}

/// Everything filed and the timeline. Registrants see who acted by role only.
pub async fn filing_detail(db: &Db, user: &CurrentUser, id: &str) -> Result<FilingDetail, AppError> {
    let (rid, row) = readable(db, user, id).await?;
    #[derive(SurrealValue)]
    struct Event {
        at: String,
        action: String,
        role: String,
        actor: Option<String>,
        from_status: Option<String>,
        to_status: Option<String>,
        comment: String,
    }
    let mut res = db
        .query(
            "SELECT time::format(at + 8h, '%Y-%m-%d %H:%M') AS at, action, role, actor.contact_name AS actor, from_status, to_status, comment, at AS t \
             FROM audit_event WHERE application = $app ORDER BY t",
        )
        .bind(("app", rid.clone()))
        .await?
        .check()?;
    let events: Vec<Event> = res.take(0)?;
    let staff = user.role != Role::Registrant;
    let timeline = events
        .into_iter()
        .map(|e| TimelineEvent {
            at: e.at,
            action: e.action,
            actor: if staff { e.actor.unwrap_or_default() } else { String::new() },
            role: e.role,
            from_status: e.from_status,
            to_status: e.to_status,
            comment: e.comment,
        })
        .collect();
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
             opinion: verification.opinion, photo: record::id(verification.photo), form: record::id(verification.form) } ELSE NONE END FROM ONLY $app",
        )
        .bind(("app", rid.clone()))
        .await?
        .check()?;
    let verification: Option<VerificationRow> = res.take(0)?;
    let verification = verification.map(|v| Verification { by: if staff { v.by.unwrap_or_default() } else { String::new() }, at: v.at, opinion: v.opinion, photo: v.photo, form: v.form });
    Ok(FilingDetail {
        summary: summary(&row),
        form: row.form(),
        materials: materials(db, &rid).await?,
        timeline,
        annotations: annotations(db, &rid, staff).await?,
        verification,
        reject_reason: row.reject_reason.clone(),
    })
}
