//! The review workflow on the server (seed 002 §2): the provider's 核实
//! queue, returns with marked fields, passing to the 管局 with a 核验 record,
//! corrections on the registrant's behalf after a rejection; the 管局's
//! approval (numbers, filing password, records and the public read model in
//! one transaction), rejection and 前置审批. Each function takes the [`Ctx`]
//! its server function's check produced (role, province, state) and moves
//! the filing with `transition::apply` (version, audit event, messages).

use surrealdb::types::{RecordId, SurrealValue};

use super::application::{self, invalid, summary, to_registrant, today, unit_and_domains, APP_FIELDS};
use super::db::Db;
use super::guard::Ctx;
use super::materials;
use super::outbox::{self, Channel, Note, SECRET_MARK};
use super::transition::{self, Bind, Change};
use crate::domain::codes;
use crate::domain::business::check_until;
use crate::domain::filing::{filing_domains, normalise, MaterialKind, STEP_CONFIRM};
use crate::domain::review::{self, labels_of, Edit, Mark};
use crate::domain::workflow::{Action, ApplicationStatus, BusinessKind, Queue, Role};
use crate::domain::{Field, FieldErrors, Message, Problem};
use crate::error::AppError;
use crate::models::{FilingSummary, QueueFilter};

/// Fields of the review forms, for their error messages.
pub const OPINION: Field = Field::new("opinion", "核实意见", "Verification opinion");
pub const REASON: Field = Field::new("reason", "驳回原因", "Reason for rejection");
pub const MARKS: Field = Field::new("marks", "标注", "Marked fields");
pub const NOTE: Field = Field::new("note", "前置审批核对意见", "Pre-approval note");

async fn reload(db: &Db, rid: &RecordId) -> Result<FilingSummary, AppError> {
    let row = application::load(db, rid).await?.ok_or(AppError::Internal)?;
    Ok(summary(&row))
}

// ---------------------------------------------------------------- queues

fn date_bound(input: &str, end: bool, field: Field) -> Result<Option<String>, AppError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let compact: String = t.chars().filter(|c| *c != '-').collect();
    let Some(d) = crate::domain::date::Date::parse_compact(&compact) else {
        return Err(invalid(field, Problem::new("date.shape", "日期请按 YYYY-MM-DD 填写", "write the date as YYYY-MM-DD")));
    };
    let time = if end { "23:59:59" } else { "00:00:00" };
    Ok(Some(format!("{:04}-{:02}-{:02}T{time}+08:00", d.year, d.month, d.day)))
}

/// Filings for a staff list, oldest submission first (the 核实 and 管局
/// queues) or newest first (progress), filtered.
pub async fn queue(cx: &Ctx, which: Queue, f: &QueueFilter) -> Result<Vec<FilingSummary>, AppError> {
    let (db, user) = (&cx.db, cx.me()?);
    if user.role != which.role() {
        return Err(AppError::Forbidden);
    }
    let allowed = which.statuses();
    let statuses: Vec<String> = if f.status.trim().is_empty() {
        allowed.iter().map(|s| s.code().to_string()).collect()
    } else {
        match ApplicationStatus::from_code(f.status.trim()).filter(|s| allowed.contains(s)) {
            Some(s) => vec![s.code().to_string()],
            None => return Err(AppError::BadRequest(Message::new("状态筛选无效", "Unknown status filter"))),
        }
    };
    let from = date_bound(&f.from, false, Field::new("from", "提交日期起", "Submitted from"))?;
    let to = date_bound(&f.to, true, Field::new("to", "提交日期止", "Submitted until"))?;
    let mut province: Option<i64> = None;
    if !f.province.trim().is_empty() {
        match f.province.trim().parse::<u8>().ok().and_then(codes::province_by_code) {
            Some(p) => province = Some(i64::from(p.code)),
            None => return Err(AppError::BadRequest(Message::new("省份筛选无效", "Unknown province filter"))),
        }
    }
    if which == Queue::Bureau {
        if let Some(p) = user.province {
            province = Some(i64::from(p));
        }
    }
    let name = f.name.trim().to_string();
    let domain = f.domain.trim().to_lowercase();
    if name.chars().count() > 100 || domain.len() > 253 {
        return Err(AppError::BadRequest(Message::new("筛选条件过长", "Filter too long")));
    }
    // Only what was submitted (a draft discarded before submission is the registrant's own).
    let mut cond = vec!["status IN $statuses".to_string(), "submitted_at != NONE".to_string()];
    if from.is_some() {
        cond.push("submitted_at >= type::datetime($from)".into());
    }
    if to.is_some() {
        cond.push("submitted_at <= type::datetime($to)".into());
    }
    if province.is_some() {
        cond.push("province = $province".into());
    }
    if !name.is_empty() {
        cond.push("string::contains(string::lowercase(unit_name), string::lowercase($name))".into());
    }
    if !domain.is_empty() {
        cond.push("string::contains(array::join(domains, ' '), $domain)".into());
    }
    let kind = f.kind.trim();
    if !kind.is_empty() {
        if BusinessKind::from_code(kind).is_none() {
            return Err(AppError::BadRequest(Message::new("业务类型筛选无效", "Unknown business type filter")));
        }
        cond.push("kind = $kind".into());
    }
    let order = if which == Queue::Progress { "DESC" } else { "ASC" };
    let q = format!("SELECT {APP_FIELDS}, submitted_at FROM application WHERE {} ORDER BY submitted_at {order} LIMIT 500", cond.join(" AND "));
    let mut res = db
        .query(q)
        .bind(("statuses", statuses))
        .bind(("from", from))
        .bind(("to", to))
        .bind(("province", province))
        .bind(("name", name))
        .bind(("domain", domain))
        .bind(("kind", kind.to_string()))
        .await?
        .check()?;
    Ok(application::rows(&mut res, 0)?.iter().map(summary).collect())
}

// ---------------------------------------------------------------- provider

/// 退回修改: the marked fields (each with what is wrong) go back to the
/// registrant, who may edit the filing again.
pub async fn return_filing(cx: &Ctx, version: i64, marks: &[Mark], comment: &str) -> Result<FilingSummary, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    let form = row.form()?;
    let marks = review::check_marks(&form, marks).map_err(|p| invalid(MARKS, p))?;
    // A mark the registrant could not act on would block the resubmission.
    if let Some(m) = marks.iter().find(|m| !crate::domain::business::markable(row.kind, &m.path)) {
        let label = review::field_label(&m.path).map(|l| l.zh).unwrap_or_default();
        return Err(invalid(
            MARKS,
            Problem::new("marks.fixed", format!("“{label}”不在本次{}的修改范围内，主办者无法修改，请不要标注", row.kind.label().zh), format!("the registrant cannot change this field in a {}", row.kind.label().en.to_lowercase())),
        ));
    }
    let comment = review::check_note(comment).map_err(|p| invalid(OPINION, p))?;
    let files = materials::values(&materials::list(db, &rid).await?);
    let annotations: Vec<serde_json::Value> = marks
        .iter()
        .map(|m| serde_json::json!({ "path": m.path, "comment": m.comment, "value": review::value_of(&form, &m.path, &files).unwrap_or_default() }))
        .collect();
    let paths: Vec<String> = marks.iter().map(|m| m.path.clone()).collect();
    let reasons: Vec<String> = marks.iter().map(|m| format!("{}：{}", review::field_label(&m.path).map(|l| l.zh).unwrap_or_default(), m.comment)).collect();
    let audit = if comment.is_empty() { reasons.join("；") } else { format!("{comment}（{}）", reasons.join("；")) };
    let (unit, domains) = unit_and_domains(row);
    let body = format!(
        "【ICP备案】您的备案申请（{unit}，{domains}）被接入服务商退回修改：{}。请登录后按标注修改并重新提交。Your filing was returned by the provider: correct the marked fields and submit it again.",
        reasons.join("；")
    );
    let notes = to_registrant(db, row, "备案申请被退回修改 / Filing returned for changes", &body).await?;
    let change = Change::new(Action::Return, version)
        .set(", annotations = (SELECT path, comment, value, $me AS by, time::now() AS at FROM $marks), returns += 1, step = $first_step, draft_marks = [], draft_note = ''")
        .bind("marks", Bind::Json(serde_json::json!(annotations)))
        .bind("first_step", Bind::Int(i64::from(row.kind.steps()[0])))
        .comment(audit)
        .fields(paths)
        .notes(notes);
    transition::apply(db, me, row, change, &[], None).await?;
    reload(db, &rid).await
}

/// The clerk's marks and 退回说明 as they are made, kept on the filing (not
/// a change of state: no version, no audit event) until 退回修改 sends them
/// or the filing is passed. Only whoever may return the filing now may keep
/// them, and only they read them back.
pub async fn keep_marks(cx: &Ctx, marks: &[Mark], comment: &str) -> Result<(), AppError> {
    let (db, row) = (&cx.db, cx.filing()?);
    let form = row.form()?;
    let marks = review::check_draft_marks(&form, marks).map_err(|p| invalid(MARKS, p))?;
    let comment = review::check_note(comment).map_err(|p| invalid(OPINION, p))?;
    let marks: Vec<serde_json::Value> = marks.iter().map(|m| serde_json::json!({ "path": m.path, "comment": m.comment })).collect();
    // Only while the filing is still where the check found it.
    db.query("UPDATE $app SET draft_marks = $marks, draft_note = $note WHERE status = $status AND version = $version RETURN NONE")
        .bind(("app", row.record_id()))
        .bind(("marks", serde_json::Value::Array(marks)))
        .bind(("note", comment))
        .bind(("status", row.status.code()))
        .bind(("version", row.version))
        .await?
        .check()?;
    Ok(())
}

/// 核实通过，报送管局: the 核验 record (who, when, the photo taken at
/// verification and the signed 核验单) and the 核实意见 are required.
pub async fn pass(cx: &Ctx, version: i64, opinion: &str) -> Result<FilingSummary, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    let opinion = review::check_opinion(opinion).map_err(|p| invalid(OPINION, p))?;
    let files = materials::list(db, &rid).await?;
    let mut errors = FieldErrors::new();
    for kind in MaterialKind::STAFF.into_iter().filter(|_| row.kind.needs_verification()) {
        if !files.iter().any(|m| m.kind == kind.code()) {
            errors.push(Problem::new("verification.missing", "核验时须上传此材料", "upload this at verification").at(kind.field()));
        }
    }
    // The filing itself must still pass every rule (a correction may have broken it).
    let mut form = row.form()?;
    normalise(&mut form);
    errors.0.extend(check_until(row.kind, &form, STEP_CONFIRM, &materials::kinds(&files), Some(today())).0);
    errors.0.extend(super::apps::check(db, row, &form, &files).await?.0);
    if !row.kind.is_cancel() {
        errors.0.extend(super::blacklist::problems(db, form.entity.cert_number.trim(), &form.entity.unit_name, &crate::domain::filing::filing_domains(&form)).await?);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // The latest photo and form (the list is oldest first).
    let latest = |kind: MaterialKind| files.iter().rev().find(|m| m.kind == kind.code()).map(|m| RecordId::new("material", m.id.as_str()));
    let ids: Vec<RecordId> = [latest(MaterialKind::VerificationPhoto), latest(MaterialKind::VerificationForm)].into_iter().flatten().collect();
    let (unit, domains) = unit_and_domains(row);
    let body = format!("【ICP备案】您的备案申请（{unit}，{domains}）已由接入服务商核实通过，已提交至管局审核（最长20个工作日）。Your filing was verified and passed to the communications administration.");
    let notes = to_registrant(db, row, "备案已提交管局审核 / Filing passed to the administration", &body).await?;
    let change = Change::new(Action::Pass, version)
        .set(", verification = { by: $me, at: time::now(), opinion: $comment, photo: $ids[0], form: $ids[1] }, reject_reason = NONE, draft_marks = [], draft_note = ''")
        .bind("ids", Bind::Ids(ids))
        .comment(opinion)
        .notes(notes);
    transition::apply(db, me, row, change, &[], None).await?;
    reload(db, &rid).await
}

/// After a rejection, the provider corrects text fields on the registrant's
/// behalf; every rule is checked again, the domain claims are rebuilt in the
/// same transaction (a domain filed elsewhere is refused by the UNIQUE
/// index) and the edit is in the history.
pub async fn correct(cx: &Ctx, version: i64, edits: &[Edit]) -> Result<FilingSummary, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    let mut form = row.form()?;
    let mut changed = review::apply_edits(&mut form, edits).map_err(|p| invalid(MARKS, p))?;
    // A 变更 or 注销 changes only its own part, whoever edits it.
    if let Some(before) = row.before()? {
        let edited = form.clone();
        crate::domain::business::keep_filed(row.kind, &before, &mut form);
        changed.retain(|p| review::value_of(&edited, p, &[]) == review::value_of(&form, p, &[]));
    }
    if changed.is_empty() {
        return Err(AppError::BadRequest(Message::new("没有修改任何内容", "Nothing was changed")));
    }
    normalise(&mut form);
    let errors = check_until(row.kind, &form, STEP_CONFIRM, &materials::kinds(&materials::list(db, &rid).await?), Some(today()));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let domains = filing_domains(&form);
    let claims = super::filings::claims_of(row, &form)?;
    let change = Change::new(Action::Correct, version)
        .set(", draft = $draft, domains = $domains, unit_name = $unit")
        .then(
            "DELETE domain_claim WHERE application = $app;
             FOR $d IN $claims { CREATE domain_claim SET domain = $d, application = $app RETURN NONE; };",
        )
        .bind("draft", Bind::Text(serde_json::to_string(&form).map_err(|_| AppError::Internal)?))
        .bind("domains", Bind::Json(serde_json::json!(domains)))
        .bind("claims", Bind::Json(serde_json::json!(claims)))
        .bind("unit", Bind::Text(form.entity.unit_name.trim().to_string()))
        .comment(labels_of(&changed))
        .fields(changed);
    let taken = Message::new("修改后的域名已在另一份备案中，未作修改", "A corrected domain is already in another filing; nothing was changed");
    transition::apply(db, me, row, change, &[], Some(taken)).await?;
    reload(db, &rid).await
}

// ---------------------------------------------------------------- 管局

/// 驳回: back to the provider, with the reason.
pub async fn reject(cx: &Ctx, version: i64, reason: &str) -> Result<FilingSummary, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let reason = review::check_opinion(reason).map_err(|p| invalid(REASON, p))?;
    let (unit, domains) = unit_and_domains(row);
    let body = format!("【ICP备案】您的备案申请（{unit}，{domains}）被管局驳回，原因：{reason}。接入服务商将代为修改或退回给您修改。Your filing was rejected by the administration: {reason}");
    let notes = to_registrant(db, row, "备案被管局驳回 / Filing rejected", &body).await?;
    let change = Change::new(Action::Reject, version).set(", reject_reason = $comment, decided_at = time::now()").comment(reason).notes(notes);
    transition::apply(db, me, row, change, &[], None).await?;
    reload(db, &row.record_id()).await
}

/// 前置审批: the 管局 checks the approval documents before approving.
pub async fn require_pre_approval(cx: &Ctx, version: i64, note: &str) -> Result<FilingSummary, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    let note = review::check_opinion(note).map_err(|p| invalid(NOTE, p))?;
    if !review::needs_pre_approval(&row.form()?) {
        return Err(AppError::Conflict(Message::new("该备案不涉及前置审批", "This filing needs no pre-approval")));
    }
    let documents: Vec<RecordId> =
        materials::list(db, &rid).await?.into_iter().filter(|m| m.kind == MaterialKind::PreApproval.code()).map(|m| RecordId::new("material", m.id.as_str())).collect();
    let (unit, domains) = unit_and_domains(row);
    let body = format!("【ICP备案】您的备案申请（{unit}，{domains}）涉及前置审批，管局正在核对审批文件。Your filing needs pre-approval; the administration is checking the approval documents.");
    let notes = to_registrant(db, row, "备案进入前置审批 / Pre-approval check", &body).await?;
    let change = Change::new(Action::RequirePreApproval, version)
        .set(", pre_approval = { by: $me, at: time::now(), note: $comment, documents: $ids }")
        .bind("ids", Bind::Ids(documents))
        .comment(note)
        .notes(notes);
    transition::apply(db, me, row, change, &[], None).await?;
    reload(db, &rid).await
}

/// 审核通过, in one transaction: the entity number from the province's
/// counter (unless the entity has one), website numbers …号-n from the
/// entity's sequence, the entity, website and access records, the domain
/// claims moved to the websites (a missing one is created, and the UNIQUE
/// index refuses a domain filed elsewhere), the public read model, the
/// audit event, the registrant's messages and the 备案密码 e-mail.
pub async fn approve(cx: &Ctx, version: i64) -> Result<FilingSummary, AppError> {
    let (db, me, row) = (&cx.db, cx.me()?, cx.filing()?);
    let rid = row.record_id();
    if row.kind.scope() != crate::domain::business::Scope::New {
        // 变更 and 注销 change the filed records; no number is issued.
        super::business::decide(cx, version, Action::Approve).await?;
        return reload(db, &rid).await;
    }
    let mut form = row.form()?;
    normalise(&mut form);
    if row.status == ApplicationStatus::PendingBureau && review::needs_pre_approval(&form) {
        return Err(AppError::Conflict(Message::new(
            "该网站涉及前置审批，请先转入“前置审批中”核对审批文件后再审核通过",
            "This website needs pre-approval: check the approval documents (pre-approval state) before approving",
        )));
    }
    let files = materials::list(db, &rid).await?;
    let mut errors = check_until(row.kind, &form, STEP_CONFIRM, &materials::kinds(&files), Some(today()));
    errors.0.extend(super::apps::check(db, row, &form, &files).await?.0);
    // Listed while it was under review: not approved.
    let listed = super::blacklist::problems(db, form.entity.cert_number.trim(), &form.entity.unit_name, &crate::domain::filing::filing_domains(&form)).await?;
    if let Some(l) = listed.first() {
        return Err(AppError::Conflict(Message::new(format!("{} 请驳回。", l.message.zh), format!("{} Reject it.", l.message.en))));
    }
    if !errors.is_empty() {
        return Err(AppError::Conflict(Message::new("备案信息未通过校验，不能审核通过，请驳回", "The filing does not pass the checks; reject it instead")));
    }
    let filed = review::filed(&form);
    let kind = row.kind;
    let province = codes::province_by_code(filed.entity.province).ok_or(AppError::Internal)?;
    let year = today().year;
    let head = format!("{}ICP备{year:04}", province.icp_prefix);

    // A new entity gets a 备案密码; an entity already filed keeps its own.
    let (entity_id, password) = match (kind, row.entity.clone()) {
        (BusinessKind::FirstFiling, _) => {
            let bytes: [u8; 16] = rand::random();
            (RecordId::new("entity", row.key.as_str()), Some(review::filing_password(&bytes)))
        }
        (_, Some(e)) => (e, None),
        (_, None) => return Err(AppError::Conflict(Message::new("找不到已备案的主体，请驳回", "The filed entity is missing; reject the filing"))),
    };
    let hash = match &password {
        Some(p) => Some(super::auth::hash_blocking(p.clone()).await?),
        None => None,
    };
    let sites: Vec<serde_json::Value> = filed
        .websites
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut site = website_fields(w);
            site["key"] = serde_json::json!(format!("{}_{}", row.key, i + 1));
            site["offset"] = serde_json::json!(i);
            site
        })
        .collect();

    let entity_part = match kind {
        BusinessKind::FirstFiling => {
            "LET $seq = (UPSERT ONLY $counter SET last = (last ?? 0) + 1 RETURN AFTER).last;
             IF $seq > 999999 { THROW 'licence_exhausted' };
             LET $main = string::concat($head, string::slice(<string>(1000000 + $seq), 1), '号');
             LET $e = $x.entity;
             CREATE $eid SET unit_name = $e.unit_name, nature = $e.nature, cert_type = $e.cert_type, cert_number = $e.cert_number, cert_address = $e.cert_address,
                 province = $e.province, address = $e.address, investor = $e.investor, leader = $e.leader, remark = $e.remark,
                 licence = $main, licence_year = $year, licence_seq = $seq, next_service_no = 1 + array::len($x.sites), filing_password_hash = $hash,
                 owner = $owner, approved_at = time::now() RETURN NONE;
             LET $base = 1;
             LET $ent = { unit_name: $e.unit_name, nature: $e.nature, province: $e.province };"
        }
        _ => {
            "LET $before = (UPDATE ONLY $eid SET next_service_no += array::len($x.sites), updated_at = time::now(), status = IF status = 'empty' THEN 'normal' ELSE status END RETURN BEFORE);
             IF $before.licence = NONE OR $before.status = 'cancelled' { THROW 'entity_unfiled' };
             LET $main = $before.licence;
             LET $base = $before.next_service_no;
             LET $ent = { unit_name: $before.unit_name, nature: $before.nature, province: $before.province };"
        }
    };
    let sites_part = if kind == BusinessKind::NewAccess {
        // 新增接入: the website is filed; it gains this provider's access.
        "IF $website = NONE { THROW 'entity_unfiled' };
         FOR $s IN $x.sites {
             CREATE access SET website = $website, provider_name = $s.access.provider_name, method = $s.access.method, ips = $s.access.ips, server_province = $s.access.server_province RETURN NONE;
             UPDATE type::record('public_record', record::id($website)) SET updated_at = time::now() RETURN NONE;
             -- A 空壳 website has an access again.
             UPDATE $website SET status = 'normal', updated_at = time::now() WHERE status = 'empty' RETURN NONE;
         };
         LET $wids = [$website];"
    } else {
        "FOR $s IN $x.sites {
             LET $w = type::record('website', $s.key);
             LET $n = $base + $s.offset;
             LET $lic = string::concat($main, '-', <string>$n, $s.suffix);
             LET $site = $s.site;
             CREATE $w SET entity = $eid, name = $site.name, domains = $site.domains, home_urls = $site.home_urls, content_types = $site.content_types,
                 languages = $site.languages, pre_approvals = $site.pre_approvals, leader = $site.leader, remark = $site.remark,
                 kind = $site.kind, uses_domains = $site.uses_domains, platforms = $site.platforms,
                 icon = IF $site.icon THEN type::record('material', $site.icon) ELSE NONE END,
                 licence = $lic, service_no = $n, status = 'normal', approved_at = time::now() RETURN NONE;
             CREATE access SET website = $w, provider_name = $s.access.provider_name, method = $s.access.method, ips = $s.access.ips, server_province = $s.access.server_province RETURN NONE;
             DELETE domain_claim WHERE application = $app AND domain IN $s.ascii;
             FOR $d IN $s.ascii { CREATE domain_claim SET domain = $d, website = $w RETURN NONE; };
             CREATE type::record('public_record', $s.key) SET website = $w, entity = $eid, unit_name = $ent.unit_name, nature = $ent.nature, main_licence = $main,
                 service_licence = $lic, service_name = $s.site.name, home_url = $s.home, domains = $s.ascii, domains_unicode = $s.unicode,
                 content_types = $s.site.content_types, limit_access = false, province = $ent.province, approved_at = time::now(), updated_at = time::now(),
                 service_type = $s.service_type, packages = $s.packages, app_name = $s.app_name RETURN NONE;
         };
         LET $wids = $x.sites.map(|$s| type::record('website', $s.key));"
    };
    let binds = serde_json::json!({
        "entity": filed.entity,
        "sites": sites,
        "unit_name": filed.entity.unit_name,
        "nature": filed.entity.nature,
        "province": filed.entity.province,
    });
    let counter = super::seed::licence_counter(filed.entity.province);
    let (unit, domains) = unit_and_domains(row);
    // The numbers are known only inside the transaction: the messages are
    // written there, from its $main and website numbers.
    let mut notes = to_registrant(db, row, "备案已通过 / Filing approved", &format!(
        "【ICP备案】您的备案申请（{unit}，{domains}）已通过管局审核。主体备案号：{{main}}；网站备案号：{{numbers}}。请将网站备案号放在网站首页底部并链接到 https://beian.miit.gov.cn 。Approved: entity number {{main}}, website numbers {{numbers}}."
    ))
    .await?;
    if let Some(p) = &password {
        notes.push(
            Note::new(
                Channel::Email,
                filed.entity.leader.email.clone(),
                "ICP备案密码 / ICP filing password",
                format!(
                    "{} 您好：主办单位“{unit}”的备案已通过，主体备案号 {{main}}。备案密码：{SECRET_MARK}\n今后办理变更、注销、新增网站等业务时需要此密码，请妥善保管，不要告诉他人。\nThe filing of {unit} was approved ({{main}}). Filing password: {SECRET_MARK} — keep it safe; changes and cancellations need it.",
                    filed.entity.leader.name
                ),
            )
            .with_secret(p.clone())
            .for_account(&row.registrant)
            .about(&rid),
        );
    }
    let change = Change::new(Action::Approve, version)
        .set(", decided_at = time::now()")
        .then(entity_part)
        .then(sites_part)
        .then(
            "UPDATE $app SET entity = $eid, websites = $wids, entity_licence = $main, website_licences = (SELECT VALUE licence FROM $wids) RETURN NONE;
             LET $numbers = array::join((SELECT VALUE licence FROM $wids), '、');
             LET $numbers = IF $numbers = '' THEN $main ELSE $numbers END;",
        )
        .then(&outbox::insert_notes("$approved", "string::replace(string::replace($n.body, '{main}', $main), '{numbers}', $numbers)"))
        .bind("eid", Bind::Id(entity_id.clone()))
        .bind("counter", Bind::Id(counter))
        .bind("head", Bind::Text(head.clone()))
        .bind("year", Bind::Int(i64::from(year)))
        .bind("hash", Bind::Json(serde_json::json!(hash)))
        .bind("owner", Bind::Id(row.registrant.clone()))
        .bind("x", Bind::Json(binds))
        .bind("website", Bind::OptId(row.websites.first().cloned()))
        .comment("")
        .bind("approved", Bind::Json(outbox::notes_value(&notes)))
        .entity(entity_id);
    let rules = [
        ("entity_unfiled", Message::new("该主体已注销或尚未备案，不能新增网站或接入，请驳回", "The entity is cancelled or not filed; reject the filing")),
        ("licence_exhausted", Message::new("本省备案号序号已用尽", "The province's number sequence is exhausted")),
    ];
    let clash = Message::new(
        "该主办单位已有主体备案号，或网站域名已在其他备案中：未能审核通过。已备案的主办单位应按“新增网站”办理，请驳回。",
        "The sponsor already has an entity number, or a domain is in another filing: nothing was approved. A filed sponsor must file a new website; reject it.",
    );
    // One approval of a province at a time in this process: they all
    // increment the province's counter, and dozens at once would make each
    // other's transactions conflict and retry (seconds each under load).
    // Across servers the counter's transaction still decides.
    let turn = province_turn(filed.entity.province);
    let _turn = turn.lock().await;
    transition::apply(db, me, row, change, &rules, Some(clash)).await?;
    reload(db, &rid).await
}

/// The lock approvals of one province take in turn (see [`approve`]).
fn province_turn(province: u8) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static TURNS: OnceLock<Mutex<HashMap<u8, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut turns = TURNS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    turns.entry(province).or_default().clone()
}

/// A filed website as the approvals write it: `site` (the website row's
/// fields), `access` (its access row), and the domains (`ascii`,
/// `unicode`) and main home page (`home`) for the claims and the public
/// record. A 负责人 object replaces the stored one whole, so its defaulted
/// field is set too.
pub(crate) fn website_fields(w: &review::FiledWebsite) -> serde_json::Value {
    let mut leader = serde_json::json!(w.leader);
    leader["phone_e164"] = serde_json::json!("");
    let app = w.app.as_ref();
    serde_json::json!({
        "site": {
            "kind": if app.is_some() { "app" } else { "website" },
            "uses_domains": app.map(|a| a.uses_domains.clone()).unwrap_or_default(),
            "platforms": app.map(|a| serde_json::json!(a.platforms)).unwrap_or_else(|| serde_json::json!([])),
            "icon": app.map(|a| a.icon.clone()).filter(|i| !i.is_empty()),
            "name": w.name,
            "domains": w.domains.iter().map(|d| serde_json::json!({ "ascii": d.ascii, "unicode": d.unicode })).collect::<Vec<_>>(),
            "home_urls": w.home_urls,
            "content_types": w.content_types,
            "languages": [w.language],
            "pre_approvals": w.pre_approvals.iter().map(|k| serde_json::json!({ "kind": k, "number": w.pre_approval_number })).collect::<Vec<_>>(),
            "leader": leader,
            "remark": w.remark,
        },
        "access": { "provider_name": w.provider_name, "method": w.method, "ips": w.ips, "server_province": w.server_province },
        "ascii": w.domains.iter().map(|d| d.ascii.clone()).collect::<Vec<_>>(),
        "unicode": w.domains.iter().map(|d| d.unicode.clone()).collect::<Vec<_>>(),
        "home": w.home_urls.first().cloned().unwrap_or_default(),
        // …号-nA for an APP; MIIT's serviceType 1 网站, 6 APP.
        "suffix": if app.is_some() { "A" } else { "" },
        "service_type": if app.is_some() { 6 } else { 1 },
        "packages": app.map(|a| a.packages()).unwrap_or_default(),
        "app_name": if app.is_some() { w.name.as_str() } else { "" },
    })
}

// ---------------------------------------------------------------- 备案密码

/// 重新发送备案密码: the provider's clerk sends a new 备案密码 to the filed
/// entity's 主体负责人 e-mail (the old one stops working; the lock is
/// cleared), audited on the entity, in one transaction.
pub async fn reissue_password(cx: &Ctx, licence: &str) -> Result<String, AppError> {
    let (db, me) = (&cx.db, cx.me()?);
    if me.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let licence = licence.trim();
    if licence.is_empty() || licence.chars().count() > 40 {
        return Err(AppError::NotFound);
    }
    #[derive(SurrealValue)]
    struct Ent {
        id: RecordId,
        unit_name: String,
        leader_name: String,
        email: String,
    }
    let mut res = db
        .query("SELECT id, unit_name, leader.name AS leader_name, leader.email AS email FROM entity WHERE licence = $l AND status != 'cancelled' LIMIT 1")
        .bind(("l", licence.to_string()))
        .await?
        .check()?;
    let ent: Ent = res.take::<Vec<Ent>>(0)?.into_iter().next().ok_or(AppError::NotFound)?;
    let bytes: [u8; 16] = rand::random();
    let password = review::filing_password(&bytes);
    let hash = super::auth::hash_blocking(password.clone()).await?;
    let note = Note::new(
        Channel::Email,
        ent.email.clone(),
        "ICP备案密码（重新发送） / New ICP filing password",
        format!(
            "{} 您好：应您的申请，接入服务商为主办单位“{}”（{licence}）重新生成了备案密码：{SECRET_MARK}\n原备案密码已失效。请妥善保管，不要告诉他人。\nA new filing password for {} ({licence}): {SECRET_MARK} — the old one no longer works.",
            ent.leader_name, ent.unit_name, ent.unit_name
        ),
    )
    .with_secret(password);
    db.query(format!(
        "BEGIN;
         UPDATE $e SET filing_password_hash = $h, password_failures = 0, password_locked_until = NONE, updated_at = time::now() RETURN NONE;
         CREATE audit_event SET entity = $e, actor = $me, role = 'provider', action = 'reissue_password', comment = $c RETURN NONE;
         {}
         COMMIT;",
        outbox::insert_all()
    ))
    .bind(("e", ent.id))
    .bind(("h", hash))
    .bind(("me", me.id.clone()))
    .bind(("c", format!("备案密码重新发送至主体负责人邮箱 {}", crate::domain::account::mask_contact(&ent.email))))
    .bind(("notes", outbox::notes_value(&[note])))
    .await
    .and_then(super::db::tx_check)?;
    outbox::wake();
    Ok(crate::domain::account::mask_contact(&ent.email))
}
