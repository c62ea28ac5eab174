//! A filing application (备案申请) as stored: its row, how it is loaded,
//! its summary for lists, and who may read it. Both the registrant's side
//! (`filings`) and the staff side (`review`) build on this module; neither
//! imports the other.

use surrealdb::types::{RecordId, SurrealValue};

use super::auth::CurrentUser;
use super::db::Db;
use super::outbox::Note;
use crate::domain::date::Date;
use crate::domain::filing::{filing_domains, FilingForm};
use crate::domain::workflow::{ApplicationStatus, BusinessKind, Role};
use crate::domain::{Field, FieldErrors, Message, Problem};
use crate::error::AppError;
use crate::models::FilingSummary;

/// Today in Beijing (UTC+8), for certificate dates and numbers.
pub fn today() -> Date {
    Date::from_days_since_epoch((now_secs() + 8 * 3600).div_euclid(86_400))
}

/// Unix seconds now.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64
}

/// One field error as an [`AppError`].
pub fn invalid(field: Field, p: Problem) -> AppError {
    let mut e = FieldErrors::new();
    e.push(p.at(field));
    AppError::Invalid(e)
}

/// Whether a record key from a URL or a form has the shape ours have.
pub fn key_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The record id of an application key, or 404 for anything malformed.
pub fn app_id(id: &str) -> Result<RecordId, AppError> {
    if key_ok(id) {
        Ok(RecordId::new("application", id))
    } else {
        Err(AppError::NotFound)
    }
}

/// A fresh random record key.
pub fn new_key() -> String {
    super::auth::random_token()[..20].to_string()
}

#[derive(SurrealValue)]
struct Row {
    key: String,
    kind: String,
    status: String,
    registrant: RecordId,
    draft: String,
    step: i64,
    domains: Vec<String>,
    updated: String,
    submitted: Option<String>,
    version: i64,
    province: Option<i64>,
    entity_licence: Option<String>,
    website_licences: Vec<String>,
    reject_reason: Option<String>,
    entity: Option<RecordId>,
    websites: Vec<RecordId>,
    before: Option<String>,
    cancel_reason: Option<i64>,
    cancel_note: String,
    on_behalf: Option<RecordId>,
    marks: i64,
}

/// An application as the server works with it. Its status and kind are
/// the domain's enums: a row with a status or kind this code does not know
/// is refused when loaded, never taken for a draft.
#[derive(Debug, Clone)]
pub struct AppRow {
    pub key: String,
    pub kind: BusinessKind,
    pub status: ApplicationStatus,
    pub registrant: RecordId,
    draft: String,
    pub step: i64,
    pub domains: Vec<String>,
    pub updated: String,
    pub submitted: Option<String>,
    pub version: i64,
    pub province: Option<i64>,
    pub entity_licence: Option<String>,
    pub website_licences: Vec<String>,
    pub reject_reason: Option<String>,
    pub entity: Option<RecordId>,
    pub websites: Vec<RecordId>,
    /// The filed data a 变更 or 注销 started from (JSON of the form).
    before: Option<String>,
    pub cancel_reason: Option<i64>,
    pub cancel_note: String,
    /// The provider's clerk who started it for the client (代为办理).
    pub on_behalf: Option<RecordId>,
    /// How many fields the provider marked (the annotations are read only when there are some).
    pub marks: i64,
}

pub const APP_FIELDS: &str = "record::id(id) AS key, kind, status, registrant, draft, step, domains, version, province, entity_licence, website_licences, reject_reason, entity, websites, before, cancel_reason, cancel_note, on_behalf, array::len(annotations) AS marks, \
    time::format(updated_at + 8h, '%Y-%m-%d %H:%M') AS updated, \
    IF submitted_at != NONE THEN time::format(submitted_at + 8h, '%Y-%m-%d %H:%M') ELSE NONE END AS submitted";

fn unreadable() -> AppError {
    AppError::Conflict(Message::new(
        "该备案申请的数据无法读取，未做任何修改。请联系接入服务商处理。",
        "This filing's data cannot be read; nothing was changed. Please contact the access provider.",
    ))
}

impl Row {
    fn into_app(self) -> Result<AppRow, AppError> {
        let (Some(status), Some(kind)) = (ApplicationStatus::from_code(&self.status), BusinessKind::from_code(&self.kind)) else {
            tracing::error!(application = %self.key, status = %self.status, kind = %self.kind, "application with an unknown status or kind");
            return Err(unreadable());
        };
        Ok(AppRow {
            key: self.key,
            kind,
            status,
            registrant: self.registrant,
            draft: self.draft,
            step: self.step,
            domains: self.domains,
            updated: self.updated,
            submitted: self.submitted,
            version: self.version,
            province: self.province,
            entity_licence: self.entity_licence,
            website_licences: self.website_licences,
            reject_reason: self.reject_reason,
            entity: self.entity,
            websites: self.websites,
            before: self.before,
            cancel_reason: self.cancel_reason,
            cancel_note: self.cancel_note,
            on_behalf: self.on_behalf,
            marks: self.marks,
        })
    }
}

impl AppRow {
    /// The filed form. A draft that does not parse (a bug or schema drift)
    /// is refused with a message: it is never opened empty and then saved
    /// over the registrant's data.
    pub fn form(&self) -> Result<FilingForm, AppError> {
        serde_json::from_str(&self.draft).map_err(|e| {
            tracing::error!(error = %e, application = %self.key, "draft JSON does not parse");
            unreadable()
        })
    }

    /// The filed data a 变更 or 注销 started from; None for new filings.
    pub fn before(&self) -> Result<Option<FilingForm>, AppError> {
        self.before
            .as_deref()
            .map(|b| {
                serde_json::from_str(b).map_err(|e| {
                    tracing::error!(error = %e, application = %self.key, "filed data JSON does not parse");
                    unreadable()
                })
            })
            .transpose()
    }

    pub fn record_id(&self) -> RecordId {
        RecordId::new("application", self.key.as_str())
    }
}

/// The application, or None when there is no such record.
pub async fn load(db: &Db, id: &RecordId) -> Result<Option<AppRow>, AppError> {
    let mut res = db.query(format!("SELECT {APP_FIELDS} FROM ONLY $id")).bind(("id", id.clone())).await?.check()?;
    take_one(&mut res, 0)
}

/// The one row a statement selected (`SELECT {APP_FIELDS} FROM ONLY …`).
pub fn take_one(res: &mut surrealdb::IndexedResults, index: usize) -> Result<Option<AppRow>, AppError> {
    let row: Option<Row> = res.take(index)?;
    row.map(Row::into_app).transpose()
}

/// Rows of a list query (anything that selects [`APP_FIELDS`]); rows that
/// cannot be read are left out of lists (and logged).
pub fn rows(res: &mut surrealdb::IndexedResults, index: usize) -> Result<Vec<AppRow>, AppError> {
    let rows: Vec<Row> = res.take(index)?;
    Ok(rows.into_iter().filter_map(|r| r.into_app().ok()).collect())
}

/// Whether this user may read this application at all: its registrant; the
/// provider's staff once it was submitted; the 管局 once it reached it, in
/// the reviewer's province.
pub fn may_read(user: &CurrentUser, row: &AppRow) -> bool {
    match user.role {
        Role::Registrant => row.registrant == user.id,
        // A client's draft is the provider's only when the provider started it (代为办理).
        Role::Provider => (row.status != ApplicationStatus::Draft && row.submitted.is_some()) || row.on_behalf.is_some(),
        Role::Bureau => {
            matches!(row.status, ApplicationStatus::PendingBureau | ApplicationStatus::PreApproval | ApplicationStatus::BureauRejected | ApplicationStatus::Approved)
                && row.submitted.is_some()
                && user.province.is_none_or(|p| row.province == Some(i64::from(p)))
        }
        // The administrator runs the system; filings are the provider's and the 管局's business.
        Role::Admin => false,
    }
}

/// One line of a list.
pub fn summary(row: &AppRow) -> FilingSummary {
    let form = row.form().unwrap_or_default();
    FilingSummary {
        id: row.key.clone(),
        kind: row.kind,
        status: row.status,
        unit_name: form.entity.unit_name.clone(),
        domains: if row.domains.is_empty() { filing_domains(&form) } else { row.domains.clone() },
        updated: row.updated.clone(),
        submitted: row.submitted.clone(),
        province: row.province.and_then(|p| u8::try_from(p).ok()),
        entity_licence: row.entity_licence.clone(),
        website_licences: row.website_licences.clone(),
        version: row.version,
        new_account: None,
    }
}

/// SMS and e-mail to the registrant of a filing, recorded with the change.
pub async fn to_registrant(db: &Db, row: &AppRow, subject: &str, body: &str) -> Result<Vec<Note>, AppError> {
    #[derive(SurrealValue)]
    struct Contact {
        mobile: String,
        email: String,
    }
    let mut res = db.query("SELECT mobile, email FROM ONLY $a").bind(("a", row.registrant.clone())).await?.check()?;
    let Some(c): Option<Contact> = res.take(0)? else { return Ok(Vec::new()) };
    let rid = row.record_id();
    Ok(Note::both(&c.mobile, &c.email, subject, body).into_iter().map(|n| n.for_account(&row.registrant).about(&rid)).collect())
}

/// The answer when somebody else acted first.
pub async fn stale(db: &Db, rid: &RecordId) -> AppError {
    let label = load(db, rid).await.ok().flatten().map(|r| r.status.label()).unwrap_or(ApplicationStatus::Draft.label());
    AppError::Conflict(Message::new(
        format!("该备案申请已被他人处理或在其他窗口修改，当前状态为“{}”。请刷新后查看。", label.zh),
        format!("Somebody else has already handled or changed this filing; it is now {}. Refresh to see it.", label.en.to_lowercase()),
    ))
}

/// (unit name, domains) for messages.
pub fn unit_and_domains(row: &AppRow) -> (String, String) {
    let s = summary(row);
    (if s.unit_name.is_empty() { "—".into() } else { s.unit_name }, s.domains.join("、"))
}
