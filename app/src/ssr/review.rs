//! The review workflow on the server (seed 002 §2): the provider's 核实
//! queue, returns with marked fields, passing to the 管局 with a 核验 record,
//! corrections on the registrant's behalf after a rejection; the 管局's
//! approval (numbers, filing password, records and the public read model in
//! one transaction), rejection and 前置审批. Every action checks the caller's
//! role, the state machine (`workflow::transition`) and the version the
//! caller saw: of two reviewers acting at once, one wins.

use std::future::Future;

use surrealdb::types::{RecordId, SurrealValue};

use super::auth::CurrentUser;
use super::db::{is_unique_violation, tx_check, Db};
use super::filings::{invalid, load_app, material_values, materials, readable, summary, today, uploaded_kinds, AppRow, APP_FIELDS};
use super::notify::{self, Channel, Notification};
use super::Settings;
use crate::domain::codes;
use crate::domain::filing::{check_through, normalise, MaterialKind, STEP_CONFIRM};
use crate::domain::review::{self, Edit, Mark};
use crate::domain::workflow::{action_label, transition, ApplicationStatus, BusinessKind, Role, Transition};
use crate::domain::{Field, FieldErrors, Message, Problem};
use crate::error::AppError;
use crate::models::{FilingSummary, QueueFilter};

/// Fields of the review forms, for their error messages.
pub const OPINION: Field = Field::new("opinion", "核实意见", "Verification opinion");
pub const REASON: Field = Field::new("reason", "驳回原因", "Reason for rejection");
pub const MARKS: Field = Field::new("marks", "标注", "Marked fields");
pub const NOTE: Field = Field::new("note", "前置审批核对意见", "Pre-approval note");

/// Whether this user may read this application at all.
pub(crate) fn may_read(user: &CurrentUser, row: &AppRow) -> bool {
    let status = row.status();
    match user.role {
        Role::Registrant => row.registrant == user.id,
        // The provider sees what was submitted to it, not drafts being typed.
        Role::Provider | Role::Admin => status != ApplicationStatus::Draft && row.submitted.is_some(),
        // The 管局 sees what reached it, in its own province.
        Role::Bureau => {
            matches!(status, ApplicationStatus::PendingBureau | ApplicationStatus::PreApproval | ApplicationStatus::BureauRejected | ApplicationStatus::Approved)
                && user.province.is_none_or(|p| row.province == Some(i64::from(p)))
        }
    }
}

/// The answer when somebody else acted first.
pub async fn stale(db: &Db, rid: &RecordId) -> AppError {
    let now = load_app(db, rid).await.ok().flatten().map(|r| r.status().label());
    let label = now.unwrap_or(ApplicationStatus::Draft.label());
    AppError::Conflict(Message::new(
        format!("该备案申请已被他人处理，当前状态为“{}”。请刷新后查看。", label.zh),
        format!("Somebody else has already handled this filing; it is now {}. Refresh to see it.", label.en.to_lowercase()),
    ))
}

/// The row, if `action` is allowed to this user from its state and the
/// caller saw its current version.
async fn guard(db: &Db, user: &CurrentUser, id: &str, version: i64, action: &str) -> Result<(RecordId, AppRow, Transition), AppError> {
    let (rid, row) = readable(db, user, id).await?;
    let from = row.status();
    let Some(t) = transition(from, action, user.role) else {
        if !crate::domain::workflow::TRANSITIONS.iter().any(|t| t.action == action && t.actor == user.role) {
            return Err(AppError::Forbidden);
        }
        let what = action_label(action);
        return Err(AppError::Conflict(Message::new(
            format!("该备案申请当前状态为“{}”，不能执行“{}”", from.label().zh, what.zh),
            format!("This filing is {}: it cannot be {}", from.label().en.to_lowercase(), what.en.to_lowercase()),
        )));
    };
    if row.version != version {
        return Err(stale(db, &rid).await);
    }
    Ok((rid, row, t))
}

/// The provider's filing in a state where it verifies (核实/核验) it.
pub(crate) async fn verifiable(db: &Db, user: &CurrentUser, id: &str) -> Result<(RecordId, AppRow), AppError> {
    if user.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let (rid, row) = readable(db, user, id).await?;
    if !matches!(row.status(), ApplicationStatus::PendingVerification | ApplicationStatus::BureauRejected) {
        return Err(AppError::Conflict(Message::new(
            format!("该备案申请当前状态为“{}”，不在核实中", row.status().label().zh),
            format!("This filing is {}, not being verified", row.status().label().en.to_lowercase()),
        )));
    }
    Ok((rid, row))
}

fn is_conflict(e: &surrealdb::Error) -> bool {
    let s = e.to_string().to_lowercase();
    s.contains("conflict") || s.contains("can be retried")
}

/// Run a transaction, again when the store reports a write conflict with a
/// concurrent one (they are retried until one of them sees the new state).
async fn retrying<F, Fut>(mut run: F) -> Result<(), surrealdb::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), surrealdb::Error>>,
{
    let mut attempt = 0u32;
    loop {
        match run().await {
            Err(e) if is_conflict(&e) && attempt < 60 => {
                attempt += 1;
                let jitter = u64::from(rand::random::<u8>() % 20);
                tokio::time::sleep(std::time::Duration::from_millis(2 + jitter + u64::from(attempt.min(10)) * 3)).await;
            }
            other => return other,
        }
    }
}

/// Tell the registrant by SMS and e-mail (through the outbox).
pub async fn tell(db: &Db, settings: &Settings, account: &RecordId, app: &RecordId, subject: &str, body: &str) -> Result<(), AppError> {
    #[derive(SurrealValue)]
    struct Contact {
        mobile: String,
        email: String,
    }
    let mut res = db.query("SELECT mobile, email FROM ONLY $a").bind(("a", account.clone())).await?.check()?;
    let Some(c): Option<Contact> = res.take(0)? else { return Ok(()) };
    for (channel, recipient) in [(Channel::Sms, c.mobile), (Channel::Email, c.email)] {
        if !recipient.is_empty() {
            notify::send(db, settings, Notification { channel, recipient, subject: subject.into(), body: body.into(), account: Some(account.clone()), application: Some(app.clone()) }).await?;
        }
    }
    Ok(())
}

fn unit_and_domains(row: &AppRow) -> (String, String) {
    let s = summary(row);
    (if s.unit_name.is_empty() { "—".into() } else { s.unit_name }, s.domains.join("、"))
}

/// A transition with its audit event, in one transaction: refused if the
/// state or version moved meanwhile. `set` adds assignments to the UPDATE,
/// `extra` statements before the audit event.
#[allow(clippy::too_many_arguments)]
async fn move_to(db: &Db, user: &CurrentUser, rid: &RecordId, row: &AppRow, t: Transition, set: &str, comment: &str, fields: Vec<String>, binds: serde_json::Value, ids: Vec<RecordId>) -> Result<(), AppError> {
    let q = format!(
        "BEGIN;
         LET $done = (UPDATE $app SET status = $to, version += 1, updated_at = time::now(){set} WHERE status = $from AND version = $v RETURN VALUE id);
         IF array::len($done) = 0 {{ THROW 'stale_version' }};
         CREATE audit_event SET application = $app, actor = $me, role = $role, action = $action, from_status = $from, to_status = $to, comment = $comment, fields = $fields RETURN NONE;
         COMMIT;"
    );
    let res = retrying(|| async {
        db.query(q.as_str())
            .bind(("app", rid.clone()))
            .bind(("to", t.to.code().to_string()))
            .bind(("from", t.from.code().to_string()))
            .bind(("v", row.version))
            .bind(("me", user.id.clone()))
            .bind(("role", user.role.code().to_string()))
            .bind(("action", t.action.to_string()))
            .bind(("comment", comment.to_string()))
            .bind(("fields", fields.clone()))
            .bind(("x", binds.clone()))
            .bind(("ids", ids.clone()))
            .await
            .and_then(tx_check)?;
        Ok(())
    })
    .await;
    match res {
        Ok(()) => Ok(()),
        Err(e) if e.to_string().contains("stale_version") || is_conflict(&e) => Err(stale(db, rid).await),
        Err(e) => {
            tracing::error!(error = %e, "transition failed");
            Err(e.into())
        }
    }
}

// ---------------------------------------------------------------- queues

/// Which list: the provider's 核实 queue, its 备案进度查询, the 管局's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Verify,
    Progress,
    Bureau,
}

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
pub async fn queue(db: &Db, user: &CurrentUser, which: Queue, f: &QueueFilter) -> Result<Vec<FilingSummary>, AppError> {
    let role = if which == Queue::Bureau { Role::Bureau } else { Role::Provider };
    if user.role != role {
        return Err(AppError::Forbidden);
    }
    let allowed: Vec<ApplicationStatus> = match which {
        Queue::Verify => vec![ApplicationStatus::PendingVerification, ApplicationStatus::BureauRejected],
        Queue::Bureau => vec![ApplicationStatus::PendingBureau, ApplicationStatus::PreApproval],
        Queue::Progress => ApplicationStatus::ALL.into_iter().filter(|s| !matches!(s, ApplicationStatus::Draft)).collect(),
    };
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
        .await?
        .check()?;
    let rows: Vec<AppRow> = res.take(0)?;
    Ok(rows.iter().map(summary).collect())
}

// ---------------------------------------------------------------- provider

/// 退回修改: the marked fields (each with what is wrong) go back to the
/// registrant, who may edit the filing again.
pub async fn return_filing(db: &Db, settings: &Settings, user: &CurrentUser, id: &str, version: i64, marks: &[Mark], comment: &str) -> Result<FilingSummary, AppError> {
    let (rid, row, t) = guard(db, user, id, version, "return").await?;
    let form = row.form();
    let marks = review::check_marks(&form, marks).map_err(|p| invalid(MARKS, p))?;
    let comment = comment.trim();
    if comment.chars().count() > review::MAX_OPINION {
        return Err(invalid(OPINION, Problem::new("opinion.long", format!("不能超过{}字", review::MAX_OPINION), format!("at most {} characters", review::MAX_OPINION))));
    }
    let files = material_values(&materials(db, &rid).await?);
    let annotations: Vec<serde_json::Value> = marks
        .iter()
        .map(|m| serde_json::json!({ "path": m.path, "comment": m.comment, "value": review::value_of(&form, &m.path, &files).unwrap_or_default() }))
        .collect();
    let paths: Vec<String> = marks.iter().map(|m| m.path.clone()).collect();
    let reasons: Vec<String> = marks.iter().map(|m| format!("{}：{}", review::field_label(&m.path).map(|l| l.zh).unwrap_or_default(), m.comment)).collect();
    let audit = if comment.is_empty() { reasons.join("；") } else { format!("{comment}（{}）", reasons.join("；")) };
    move_to(
        db,
        user,
        &rid,
        &row,
        t,
        ", annotations = (SELECT path, comment, value, $me AS by, time::now() AS at FROM $x.marks), returns += 1, step = 1",
        &audit,
        paths,
        serde_json::json!({ "marks": annotations }),
        Vec::new(),
    )
    .await?;
    let (unit, domains) = unit_and_domains(&row);
    let body = format!(
        "【ICP备案】您的备案申请（{unit}，{domains}）被接入服务商退回修改：{}。请登录后按标注修改并重新提交。Your filing was returned by the provider: correct the marked fields and submit it again.",
        reasons.join("；")
    );
    tell(db, settings, &row.registrant, &rid, "备案申请被退回修改 / Filing returned for changes", &body).await?;
    reload(db, &rid).await
}

async fn reload(db: &Db, rid: &RecordId) -> Result<FilingSummary, AppError> {
    let row = load_app(db, rid).await?.ok_or(AppError::Internal)?;
    Ok(summary(&row))
}

/// 核实通过，报送管局: the 核验 record (who, when, the photo taken at
/// verification and the signed 核验单) and the 核实意见 are required.
pub async fn pass(db: &Db, settings: &Settings, user: &CurrentUser, id: &str, version: i64, opinion: &str) -> Result<FilingSummary, AppError> {
    let (rid, row, t) = guard(db, user, id, version, "pass").await?;
    let opinion = review::check_opinion(opinion).map_err(|p| invalid(OPINION, p))?;
    let files = materials(db, &rid).await?;
    let mut errors = FieldErrors::new();
    for kind in MaterialKind::STAFF {
        if !files.iter().any(|m| m.kind == kind.code()) {
            errors.push(Problem::new("verification.missing", "核验时须上传此材料", "upload this at verification").at(kind.field()));
        }
    }
    // The filing itself must still pass every rule (a correction may have broken it).
    let mut form = row.form();
    normalise(&mut form);
    errors.0.extend(check_through(&form, STEP_CONFIRM, &uploaded_kinds(&files), Some(today())).0);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // The latest photo and form (the list is oldest first).
    let latest = |kind: MaterialKind| files.iter().rev().find(|m| m.kind == kind.code()).map(|m| RecordId::new("material", m.id.as_str()));
    let ids: Vec<RecordId> = [latest(MaterialKind::VerificationPhoto), latest(MaterialKind::VerificationForm)].into_iter().flatten().collect();
    move_to(
        db,
        user,
        &rid,
        &row,
        t,
        ", verification = { by: $me, at: time::now(), opinion: $comment, photo: $ids[0], form: $ids[1] }, reject_reason = NONE",
        &opinion,
        Vec::new(),
        serde_json::Value::Null,
        ids,
    )
    .await?;
    let (unit, domains) = unit_and_domains(&row);
    let body = format!("【ICP备案】您的备案申请（{unit}，{domains}）已由接入服务商核实通过，已提交至管局审核（最长20个工作日）。Your filing was verified and passed to the communications administration.");
    tell(db, settings, &row.registrant, &rid, "备案已提交管局审核 / Filing passed to the administration", &body).await?;
    reload(db, &rid).await
}

/// After a rejection, the provider corrects text fields on the registrant's
/// behalf; every rule is checked again and the edit is in the history.
pub async fn correct(db: &Db, user: &CurrentUser, id: &str, version: i64, edits: &[Edit]) -> Result<FilingSummary, AppError> {
    if user.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let (rid, row) = readable(db, user, id).await?;
    if row.status() != ApplicationStatus::BureauRejected {
        return Err(AppError::Conflict(Message::new(
            format!("只有管局驳回的备案可由接入服务商代为修改；当前状态为“{}”", row.status().label().zh),
            format!("Only a filing rejected by the administration can be corrected by the provider; this one is {}", row.status().label().en.to_lowercase()),
        )));
    }
    if row.version != version {
        return Err(stale(db, &rid).await);
    }
    let mut form = row.form();
    let changed = review::apply_edits(&mut form, edits).map_err(|p| invalid(MARKS, p))?;
    if changed.is_empty() {
        return Err(AppError::BadRequest(Message::new("没有修改任何内容", "Nothing was changed")));
    }
    normalise(&mut form);
    let errors = check_through(&form, STEP_CONFIRM, &uploaded_kinds(&materials(db, &rid).await?), Some(today()));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let comment = super::filings::labels_of(&changed);
    let draft = serde_json::to_string(&form).map_err(|_| AppError::Internal)?;
    let q = "BEGIN;
         LET $done = (UPDATE $app SET draft = $draft, domains = $domains, unit_name = $unit, version += 1, updated_at = time::now() WHERE status = 'bureau_rejected' AND version = $v RETURN VALUE id);
         IF array::len($done) = 0 { THROW 'stale_version' };
         CREATE audit_event SET application = $app, actor = $me, role = 'provider', action = 'correct', from_status = 'bureau_rejected', to_status = 'bureau_rejected', comment = $comment, fields = $fields RETURN NONE;
         COMMIT;";
    let res = db
        .query(q)
        .bind(("app", rid.clone()))
        .bind(("draft", draft))
        .bind(("domains", crate::domain::filing::filing_domains(&form)))
        .bind(("unit", form.entity.unit_name.trim().to_string()))
        .bind(("v", version))
        .bind(("me", user.id.clone()))
        .bind(("comment", comment))
        .bind(("fields", changed))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => reload(db, &rid).await,
        Err(e) if e.to_string().contains("stale_version") || is_conflict(&e) => Err(stale(db, &rid).await),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- 管局

/// 驳回: back to the provider, with the reason.
pub async fn reject(db: &Db, settings: &Settings, user: &CurrentUser, id: &str, version: i64, reason: &str) -> Result<FilingSummary, AppError> {
    let (rid, row, t) = guard(db, user, id, version, "reject").await?;
    let reason = review::check_opinion(reason).map_err(|p| invalid(REASON, p))?;
    move_to(db, user, &rid, &row, t, ", reject_reason = $comment, decided_at = time::now()", &reason, Vec::new(), serde_json::Value::Null, Vec::new()).await?;
    let (unit, domains) = unit_and_domains(&row);
    let body = format!("【ICP备案】您的备案申请（{unit}，{domains}）被管局驳回，原因：{reason}。接入服务商将代为修改或退回给您修改。Your filing was rejected by the administration: {reason}");
    tell(db, settings, &row.registrant, &rid, "备案被管局驳回 / Filing rejected", &body).await?;
    reload(db, &rid).await
}

/// 前置审批: the 管局 checks the approval documents before approving.
pub async fn require_pre_approval(db: &Db, settings: &Settings, user: &CurrentUser, id: &str, version: i64, note: &str) -> Result<FilingSummary, AppError> {
    let (rid, row, t) = guard(db, user, id, version, "require_pre_approval").await?;
    let note = review::check_opinion(note).map_err(|p| invalid(NOTE, p))?;
    if !review::needs_pre_approval(&row.form()) {
        return Err(AppError::Conflict(Message::new("该备案不涉及前置审批", "This filing needs no pre-approval")));
    }
    let documents: Vec<RecordId> =
        materials(db, &rid).await?.into_iter().filter(|m| m.kind == MaterialKind::PreApproval.code()).map(|m| RecordId::new("material", m.id.as_str())).collect();
    move_to(db, user, &rid, &row, t, ", pre_approval = { by: $me, at: time::now(), note: $comment, documents: $ids }", &note, Vec::new(), serde_json::Value::Null, documents)
    .await?;
    let (unit, domains) = unit_and_domains(&row);
    let body = format!("【ICP备案】您的备案申请（{unit}，{domains}）涉及前置审批，管局正在核对审批文件。Your filing needs pre-approval; the administration is checking the approval documents.");
    tell(db, settings, &row.registrant, &rid, "备案进入前置审批 / Pre-approval check", &body).await?;
    reload(db, &rid).await
}

/// 审核通过, in one transaction: the entity number from the province's
/// counter (unless the entity has one), website numbers …号-n from the
/// entity's sequence, the entity, website and access records, the domains
/// moved from the application to the websites, and the public read model.
/// Then the 备案密码 goes to the 主体负责人's e-mail, the numbers to the registrant.
pub async fn approve(db: &Db, settings: &Settings, user: &CurrentUser, id: &str, version: i64) -> Result<FilingSummary, AppError> {
    let (rid, row, t) = guard(db, user, id, version, "approve").await?;
    let mut form = row.form();
    normalise(&mut form);
    if t.from == ApplicationStatus::PendingBureau && review::needs_pre_approval(&form) {
        return Err(AppError::Conflict(Message::new(
            "该网站涉及前置审批，请先转入“前置审批中”核对审批文件后再审核通过",
            "This website needs pre-approval: check the approval documents (pre-approval state) before approving",
        )));
    }
    let errors = check_through(&form, STEP_CONFIRM, &uploaded_kinds(&materials(db, &rid).await?), Some(today()));
    if !errors.is_empty() {
        return Err(AppError::Conflict(Message::new("备案信息未通过校验，不能审核通过，请驳回", "The filing does not pass the checks; reject it instead")));
    }
    let filed = review::filed(&form);
    let kind = BusinessKind::from_code(&row.kind).unwrap_or(BusinessKind::FirstFiling);
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
            serde_json::json!({
                "key": format!("{}_{}", row.key, i + 1),
                "offset": i,
                "site": {
                    "name": w.name,
                    "domains": w.domains.iter().map(|d| serde_json::json!({ "ascii": d.ascii, "unicode": d.unicode })).collect::<Vec<_>>(),
                    "home_urls": w.home_urls,
                    "content_types": w.content_types,
                    "languages": [w.language],
                    "pre_approvals": w.pre_approvals.iter().map(|k| serde_json::json!({ "kind": k, "number": w.pre_approval_number })).collect::<Vec<_>>(),
                    "leader": w.leader,
                    "remark": w.remark,
                },
                "access": { "provider_name": w.provider_name, "method": w.method, "ips": w.ips, "server_province": w.server_province },
                "ascii": w.domains.iter().map(|d| d.ascii.clone()).collect::<Vec<_>>(),
                "unicode": w.domains.iter().map(|d| d.unicode.clone()).collect::<Vec<_>>(),
                "home": w.home_urls.first().cloned().unwrap_or_default(),
            })
        })
        .collect();

    let entity_part = match kind {
        BusinessKind::FirstFiling => {
            "IF array::len(SELECT VALUE id FROM entity WHERE cert_number = $x.entity.cert_number AND licence != NONE AND status != 'cancelled') > 0 { THROW 'entity_filed' };
             LET $seq = (UPSERT ONLY $counter SET last = (last ?? 0) + 1 RETURN AFTER).last;
             IF $seq > 999999 { THROW 'licence_exhausted' };
             LET $main = string::concat($head, string::slice(<string>(1000000 + $seq), 1), '号');
             LET $e = $x.entity;
             CREATE $eid SET unit_name = $e.unit_name, nature = $e.nature, cert_type = $e.cert_type, cert_number = $e.cert_number, cert_address = $e.cert_address,
                 province = $e.province, address = $e.address, investor = $e.investor, leader = $e.leader, remark = $e.remark,
                 licence = $main, licence_year = $year, licence_seq = $seq, next_service_no = 1 + array::len($x.sites), filing_password_hash = $hash,
                 owner = $owner, approved_at = time::now() RETURN NONE;
             LET $base = 1;"
        }
        _ => {
            "LET $before = (UPDATE ONLY $eid SET next_service_no += array::len($x.sites), updated_at = time::now() RETURN BEFORE);
             IF $before.licence = NONE OR $before.status = 'cancelled' { THROW 'entity_unfiled' };
             LET $main = $before.licence;
             LET $base = $before.next_service_no;"
        }
    };
    let sites_part = if kind == BusinessKind::NewAccess {
        // 新增接入: the website is filed; it gains this provider's access.
        "IF $website = NONE { THROW 'entity_unfiled' };
         FOR $s IN $x.sites {
             CREATE access SET website = $website, provider_name = $s.access.provider_name, method = $s.access.method, ips = $s.access.ips, server_province = $s.access.server_province RETURN NONE;
             UPDATE type::record('public_record', record::id($website)) SET updated_at = time::now() RETURN NONE;
         };
         LET $wids = [$website];"
    } else {
        "FOR $s IN $x.sites {
             LET $w = type::record('website', $s.key);
             LET $n = $base + $s.offset;
             LET $lic = string::concat($main, '-', <string>$n);
             LET $site = $s.site;
             CREATE $w SET entity = $eid, name = $site.name, domains = $site.domains, home_urls = $site.home_urls, content_types = $site.content_types,
                 languages = $site.languages, pre_approvals = $site.pre_approvals, leader = $site.leader, remark = $site.remark,
                 licence = $lic, service_no = $n, status = 'normal', approved_at = time::now() RETURN NONE;
             CREATE access SET website = $w, provider_name = $s.access.provider_name, method = $s.access.method, ips = $s.access.ips, server_province = $s.access.server_province RETURN NONE;
             UPDATE domain_claim SET website = $w, application = NONE WHERE application = $app AND domain IN $s.ascii RETURN NONE;
             CREATE type::record('public_record', $s.key) SET website = $w, entity = $eid, unit_name = $x.unit_name, nature = $x.nature, main_licence = $main,
                 service_licence = $lic, service_name = $s.site.name, home_url = $s.home, domains = $s.ascii, domains_unicode = $s.unicode,
                 content_types = $s.site.content_types, limit_access = false, province = $x.province, approved_at = time::now(), updated_at = time::now() RETURN NONE;
         };
         LET $wids = $x.sites.map(|$s| type::record('website', $s.key));"
    };
    let q = format!(
        "BEGIN;
         LET $done = (UPDATE $app SET status = 'approved', version += 1, updated_at = time::now(), decided_at = time::now() WHERE status = $from AND version = $v RETURN VALUE id);
         IF array::len($done) = 0 {{ THROW 'stale_version' }};
         {entity_part}
         {sites_part}
         UPDATE $app SET entity = $eid, websites = $wids, entity_licence = $main,
             website_licences = (SELECT VALUE licence FROM $wids) RETURN NONE;
         CREATE audit_event SET application = $app, entity = $eid, actor = $me, role = 'bureau', action = 'approve', from_status = $from, to_status = 'approved', comment = $main RETURN NONE;
         COMMIT;"
    );
    let binds = serde_json::json!({
        "entity": filed.entity,
        "sites": sites,
        "unit_name": filed.entity.unit_name,
        "nature": filed.entity.nature,
        "province": filed.entity.province,
    });
    let counter = super::seed::licence_counter(filed.entity.province);
    let website_rid = row.websites.first().cloned();
    let res = retrying(|| async {
        db.query(q.as_str())
            .bind(("app", rid.clone()))
            .bind(("from", t.from.code().to_string()))
            .bind(("v", row.version))
            .bind(("eid", entity_id.clone()))
            .bind(("counter", counter.clone()))
            .bind(("head", head.clone()))
            .bind(("year", i64::from(year)))
            .bind(("hash", hash.clone()))
            .bind(("owner", row.registrant.clone()))
            .bind(("me", user.id.clone()))
            .bind(("x", binds.clone()))
            .bind(("website", website_rid.clone()))
            .await
            .and_then(tx_check)?;
        Ok(())
    })
    .await;
    match res {
        Ok(()) => {}
        Err(e) if e.to_string().contains("stale_version") || is_conflict(&e) => return Err(stale(db, &rid).await),
        Err(e) if e.to_string().contains("entity_unfiled") => {
            return Err(AppError::Conflict(Message::new("该主体已注销或尚未备案，不能新增网站或接入，请驳回", "The entity is cancelled or not filed; reject the filing")));
        }
        Err(e) if e.to_string().contains("entity_filed") => {
            return Err(AppError::Conflict(Message::new(
                "该主办单位已有主体备案号，应按“新增网站”办理，不能再次首次备案，请驳回",
                "This sponsor already has an entity number: this must be a new-website filing; reject it",
            )));
        }
        Err(e) if e.to_string().contains("licence_exhausted") => {
            return Err(AppError::Conflict(Message::new("本省备案号序号已用尽", "The province's number sequence is exhausted")));
        }
        Err(e) if is_unique_violation(&e) => {
            tracing::error!(error = %e, "approval hit a unique index");
            return Err(AppError::Conflict(Message::new("备案号或域名冲突，未能审核通过，请重试", "A number or domain clashed; nothing was approved, try again")));
        }
        Err(e) => return Err(e.into()),
    }
    let done = reload(db, &rid).await?;
    let main = done.entity_licence.clone().unwrap_or_default();
    let numbers = if done.website_licences.is_empty() { main.clone() } else { done.website_licences.join("、") };
    let (unit, domains) = unit_and_domains(&row);
    let body = format!(
        "【ICP备案】您的备案申请（{unit}，{domains}）已通过管局审核。主体备案号：{main}；网站备案号：{numbers}。请将网站备案号放在网站首页底部并链接到 https://beian.miit.gov.cn 。Approved: entity number {main}, website numbers {numbers}."
    );
    tell(db, settings, &row.registrant, &rid, "备案已通过 / Filing approved", &body).await?;
    if let Some(p) = password {
        let email = filed.entity.leader.email.clone();
        notify::send(
            db,
            settings,
            Notification {
                channel: Channel::Email,
                recipient: email,
                subject: "ICP备案密码 / ICP filing password".into(),
                body: format!(
                    "{} 您好：主办单位“{unit}”的备案已通过，主体备案号 {main}。备案密码：{p}\n今后办理变更、注销、新增网站等业务时需要此密码，请妥善保管，不要告诉他人。\nThe filing of {unit} was approved ({main}). Filing password: {p} — keep it safe; changes and cancellations need it.",
                    filed.entity.leader.name
                ),
                account: Some(row.registrant.clone()),
                application: Some(rid.clone()),
            },
        )
        .await?;
    }
    Ok(done)
}
