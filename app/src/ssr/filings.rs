//! The registrant's filings on the server: the type check, drafts saved at
//! every step, materials, submission, and what the list and detail pages read.
//! Every function takes the signed-in user and refuses what is not theirs.

use surrealdb::types::{Bytes, RecordId, SurrealValue};

use super::auth::CurrentUser;
use super::db::{is_unique_violation, Db};
use super::notify::{self, Channel, Notification};
use super::Settings;
use crate::domain::date::Date;
use crate::domain::filing::{
    self, check_material, check_through, check_type_inputs, filing_domains, new_website, normalise, step_of, EntityForm, FilingForm, MaterialKind,
    PersonForm, STEPS, STEP_CONFIRM,
};
use crate::domain::workflow::{ApplicationStatus, BusinessKind, Role};
use crate::domain::{Field, FieldErrors, Message, Problem};
use crate::error::AppError;
use crate::models::{Detection, DomainFinding, DraftView, FilingDetail, FilingSummary, MaterialInfo, TimelineEvent};


/// Today in Beijing (UTC+8), for certificate dates.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    Date::from_days_since_epoch((secs + 8 * 3600).div_euclid(86_400))
}

fn invalid(field: Field, p: Problem) -> AppError {
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
struct AppRow {
    key: String,
    kind: String,
    status: String,
    registrant: RecordId,
    draft: String,
    step: i64,
    domains: Vec<String>,
    updated: String,
    submitted: Option<String>,
}

const APP_FIELDS: &str = "record::id(id) AS key, kind, status, registrant, draft, step, domains, \
    time::format(updated_at + 8h, '%Y-%m-%d %H:%M') AS updated, \
    IF submitted_at != NONE THEN time::format(submitted_at + 8h, '%Y-%m-%d %H:%M') ELSE NONE END AS submitted";

impl AppRow {
    fn form(&self) -> FilingForm {
        // A draft that no longer parses (schema drift) opens empty rather than failing.
        serde_json::from_str(&self.draft).unwrap_or_else(|e| {
            tracing::error!(error = %e, application = %self.key, "draft JSON does not parse");
            FilingForm::default()
        })
    }

    fn status(&self) -> ApplicationStatus {
        ApplicationStatus::from_code(&self.status).unwrap_or(ApplicationStatus::Draft)
    }
}

async fn load_app(db: &Db, id: &RecordId) -> Result<Option<AppRow>, surrealdb::Error> {
    let mut res = db.query(format!("SELECT {APP_FIELDS} FROM ONLY $id")).bind(("id", id.clone())).await?.check()?;
    res.take(0)
}

/// The application if this user may read it: its registrant, or staff.
async fn readable(db: &Db, user: &CurrentUser, id: &str) -> Result<(RecordId, AppRow), AppError> {
    let rid = app_id(id)?;
    let row = load_app(db, &rid).await?.ok_or(AppError::NotFound)?;
    if user.role == Role::Registrant && row.registrant != user.id {
        tracing::warn!(user = %user.username, application = id, "refused: not the registrant's application");
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
    if row.status() != ApplicationStatus::Draft {
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

fn uploaded_kinds(list: &[MaterialInfo]) -> Vec<MaterialKind> {
    list.iter().filter_map(|m| MaterialKind::from_code(&m.kind)).collect()
}

fn view(settings: &Settings, row: &AppRow, materials: Vec<MaterialInfo>) -> DraftView {
    DraftView {
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
    Ok(Some(view(settings, &row, materials(db, &rid).await?)))
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
             CREATE $app SET kind = $kind, status = 'draft', registrant = $me, draft = $draft, step = 1, domains = $domains, cert_number = $cert RETURN NONE;
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
    // A new draft has no materials yet.
    Ok(view(settings, &row, Vec::new()))
}

/// Save the wizard's data and move to `step`. The data is always kept (a
/// draft holds whatever was typed); moving forward needs every earlier step
/// valid, otherwise the draft stays at the first step with errors and the
/// errors come back, checked by the same rules as in the browser.
pub async fn save_draft(db: &Db, settings: &Settings, user: &CurrentUser, id: &str, step: u8, mut form: FilingForm) -> Result<DraftView, AppError> {
    let (rid, _) = editable(db, user, id).await?;
    normalise(&mut form);
    let step = step.clamp(1, STEPS);
    let uploaded_files = materials(db, &rid).await?;
    let uploaded = uploaded_kinds(&uploaded_files);
    let errors = if step > 1 { check_through(&form, step - 1, &uploaded, Some(today())) } else { FieldErrors::new() };
    let saved_step = errors.0.iter().map(|e| step_of(&e.path)).min().unwrap_or(step);
    db.query("UPDATE $app SET draft = $draft, step = $step, domains = $domains, updated_at = time::now(), version += 1 RETURN NONE")
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
    Ok(view(settings, &row, uploaded_files))
}

/// Discard the unfinished filing (it is kept as 已放弃 with its history).
pub async fn discard_draft(db: &Db, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let (rid, _) = editable(db, user, id).await?;
    db.query(
        "BEGIN;
         UPDATE $app SET status = 'abandoned', updated_at = time::now(), version += 1 RETURN NONE;
         DELETE type::record('draft_slot', $slot);
         DELETE material WHERE application = $app;
         CREATE audit_event SET application = $app, actor = $me, role = 'registrant', action = 'discard', from_status = 'draft', to_status = 'abandoned' RETURN NONE;
         COMMIT;",
    )
    .bind(("app", rid))
    .bind(("slot", user.key.clone()))
    .bind(("me", user.id.clone()))
    .await?
    .check()?;
    Ok(())
}

/// 提交: check everything again; the filing moves to 待核实 and is locked,
/// its domains are claimed (one live filing per domain), and the registrant
/// is told by SMS and e-mail.
pub async fn submit(db: &Db, settings: &Settings, user: &CurrentUser, id: &str) -> Result<FilingSummary, AppError> {
    let (rid, row) = editable(db, user, id).await?;
    let mut form = row.form();
    normalise(&mut form);
    let uploaded = uploaded_kinds(&materials(db, &rid).await?);
    let errors = check_through(&form, STEP_CONFIRM, &uploaded, Some(today()));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let domains = filing_domains(&form);
    let res = db
        .query(
            "BEGIN;
             UPDATE $app SET status = 'pending_verification', submitted_at = time::now(), updated_at = time::now(), step = 5, version += 1 WHERE status = 'draft' RETURN NONE;
             FOR $d IN $domains { CREATE domain_claim SET domain = $d, application = $app RETURN NONE; };
             DELETE type::record('draft_slot', $slot);
             CREATE audit_event SET application = $app, actor = $me, role = 'registrant', action = 'submit', from_status = 'draft', to_status = 'pending_verification' RETURN NONE;
             COMMIT;",
        )
        .bind(("app", rid.clone()))
        .bind(("domains", domains.clone()))
        .bind(("slot", user.key.clone()))
        .bind(("me", user.id.clone()))
        .await
        .and_then(|r| r.check());
    match res {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(Message::new(
                "网站域名已在另一份备案中（可能刚刚被提交），不能提交。请在“备案类型检查”中重新检查域名。",
                "A domain is already in another filing (perhaps just submitted). Check the domains again in the type check.",
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let unit = form.entity.unit_name.clone();
    let text = format!(
        "【ICP备案】您的备案申请（{unit}，{}）已提交，等待接入服务商核实，通常需1至2个工作日。Your filing for {} was submitted and awaits the provider's verification.",
        domains.join("、"),
        domains.join(", ")
    );
    for (channel, recipient) in [(Channel::Sms, user.mobile.clone()), (Channel::Email, user.email.clone())] {
        if !recipient.is_empty() {
            notify::send(db, settings, Notification { channel, recipient, subject: "备案申请已提交 / Filing submitted".into(), body: text.clone(), account: Some(user.id.clone()), application: Some(rid.clone()) }).await?;
        }
    }
    let row = load_app(db, &rid).await?.ok_or(AppError::Internal)?;
    Ok(summary(&row))
}

// ---------------------------------------------------------------- materials

/// Store an upload for the registrant's draft: size and type checked from
/// the bytes themselves; one file per kind (a new one replaces the old),
/// except 其他材料.
pub async fn add_material(db: &Db, user: &CurrentUser, id: &str, kind: &str, filename: &str, bytes: Vec<u8>) -> Result<MaterialInfo, AppError> {
    let (rid, _) = editable(db, user, id).await?;
    let kind = MaterialKind::from_code(kind).ok_or_else(|| AppError::BadRequest(Message::new("材料类型无效", "Unknown document type")))?;
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
    db.query("DELETE $m").bind(("m", mid)).await?.check()?;
    Ok(())
}

/// A material's bytes for its registrant or staff: (MIME type, file name, bytes).
pub async fn material_file(db: &Db, user: &CurrentUser, material: &str) -> Result<(String, String, Vec<u8>), AppError> {
    if !key_ok(material) {
        return Err(AppError::NotFound);
    }
    #[derive(SurrealValue)]
    struct Row {
        registrant: RecordId,
        content_type: String,
        filename: String,
        data: Bytes,
    }
    let mut res = db
        .query("SELECT application.registrant AS registrant, content_type, filename, data FROM ONLY $m")
        .bind(("m", RecordId::new("material", material)))
        .await?
        .check()?;
    let row: Option<Row> = res.take(0)?;
    let row = row.ok_or(AppError::NotFound)?;
    if user.role == Role::Registrant && row.registrant != user.id {
        return Err(AppError::Forbidden);
    }
    Ok((row.content_type, row.filename, row.data.into_inner().to_vec()))
}

// ---------------------------------------------------------------- reading

fn summary(row: &AppRow) -> FilingSummary {
    let form = row.form();
    FilingSummary {
        id: row.key.clone(),
        kind: row.kind.clone(),
        status: row.status.clone(),
        unit_name: form.entity.unit_name.clone(),
        domains: if row.domains.is_empty() { filing_domains(&form) } else { row.domains.clone() },
        updated: row.updated.clone(),
        submitted: row.submitted.clone(),
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
    Ok(FilingDetail { summary: summary(&row), form: row.form(), materials: materials(db, &rid).await?, timeline })
}
