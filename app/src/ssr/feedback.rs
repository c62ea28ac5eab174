//! 意见反馈 (seed 001 §1.13): the provider's clerks file opinions to a
//! 管局 and read the answers; the 管局 of that province (or one without a
//! province) lists, answers and closes them. Each step is one transaction
//! with its audit event; an answer is e-mailed to the clerk who asked.

use surrealdb::types::{RecordId, SurrealValue};

use super::application::key_ok;
use super::db::{classify, tx_check, Failure};
use super::guard::Ctx;
use super::outbox::{self, Channel, Note};
use crate::domain::feedback::{check_answer, check_new, FeedbackStatus};
use crate::domain::workflow::Role;
use crate::domain::Message;
use crate::error::AppError;
use crate::models::FeedbackItem;

const FIELDS: &str = "record::id(id) AS key, author.username AS author, province, subject, body, status, answer, \
     time::format(created_at + 8h, '%Y-%m-%d %H:%M') AS created, \
     IF answered_at != NONE THEN time::format(answered_at + 8h, '%Y-%m-%d %H:%M') ELSE NONE END AS answered, version, created_at";

/// The provider's own (all its clerks'), or the 管局's province's, newest first.
pub async fn list(cx: &Ctx, status: &str) -> Result<Vec<FeedbackItem>, AppError> {
    let me = cx.me()?;
    let status = status.trim();
    if !status.is_empty() && FeedbackStatus::from_code(status).is_none() {
        return Err(AppError::BadRequest(Message::new("状态筛选无效", "Unknown status filter")));
    }
    let (cond, province) = match me.role {
        Role::Provider => ("provider_name = $p", None),
        Role::Bureau => ("($province = NONE OR province = $province)", me.province.map(i64::from)),
        _ => return Err(AppError::Forbidden),
    };
    let mut res = cx
        .db
        .query(format!("SELECT {FIELDS} FROM feedback WHERE {cond} AND ($status = '' OR status = $status) ORDER BY created_at DESC LIMIT 500"))
        .bind(("p", cx.settings.provider_name.clone()))
        .bind(("province", province))
        .bind(("status", status.to_string()))
        .await?
        .check()?;
    Ok(res.take(0)?)
}

/// A clerk files a new opinion.
pub async fn submit(cx: &Ctx, province: &str, subject: &str, body: &str) -> Result<FeedbackItem, AppError> {
    let me = cx.me()?;
    if me.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let (province, subject, body) = check_new(province, subject, body).map_err(AppError::Invalid)?;
    let id = RecordId::new("feedback", super::application::new_key().as_str());
    cx.db
        .query(
            "BEGIN;
             CREATE $id SET author = $me, provider_name = $p, province = $province, subject = $subject, body = $body RETURN NONE;
             CREATE audit_event SET feedback = $id, actor = $me, role = 'provider', action = 'feedback_submit', comment = $subject RETURN NONE;
             COMMIT;",
        )
        .bind(("id", id.clone()))
        .bind(("me", me.id.clone()))
        .bind(("p", cx.settings.provider_name.clone()))
        .bind(("province", i64::from(province)))
        .bind(("subject", subject))
        .bind(("body", body))
        .await
        .and_then(tx_check)?;
    one(cx, &id).await
}

async fn one(cx: &Ctx, id: &RecordId) -> Result<FeedbackItem, AppError> {
    let mut res = cx.db.query(format!("SELECT {FIELDS} FROM ONLY $id")).bind(("id", id.clone())).await?.check()?;
    let item: Option<FeedbackItem> = res.take(0)?;
    item.ok_or(AppError::NotFound)
}

/// The 管局 answers (again, if it wants to add to an answer) or closes an
/// opinion of its province, from the version it saw.
pub async fn answer(cx: &Ctx, key: &str, version: i64, text: &str, close: bool) -> Result<FeedbackItem, AppError> {
    let me = cx.me()?;
    if me.role != Role::Bureau {
        return Err(AppError::Forbidden);
    }
    if !key_ok(key) {
        return Err(AppError::NotFound);
    }
    let id = RecordId::new("feedback", key);
    let item = one(cx, &id).await?;
    if me.province.is_some_and(|p| i64::from(p) != item.province) {
        return Err(AppError::Forbidden);
    }
    if item.status == FeedbackStatus::Closed.code() {
        return Err(AppError::Conflict(Message::new("该意见已关闭", "This opinion is closed")));
    }
    // Closing needs no text once answered; anything else is an answer.
    let answer = if close && text.trim().is_empty() && item.answer.is_some() { None } else { Some(check_answer(text).map_err(AppError::Invalid)?) };
    #[derive(SurrealValue)]
    struct Author {
        email: String,
    }
    let mut res = cx.db.query("SELECT author.email AS email FROM ONLY $id").bind(("id", id.clone())).await?.check()?;
    let author: Option<Author> = res.take(0)?;
    let notes: Vec<Note> = match (&answer, author) {
        (Some(a), Some(au)) if !au.email.is_empty() => vec![Note::new(
            Channel::Email,
            au.email,
            format!("管局答复：{} / The administration answered", item.subject),
            format!("您提交的意见“{}”已有答复：\n{a}\n\nYour opinion “{}” has an answer (above).", item.subject, item.subject),
        )],
        _ => Vec::new(),
    };
    let status = if close { FeedbackStatus::Closed } else { FeedbackStatus::Answered };
    let res = cx
        .db
        .query(format!(
            "BEGIN;
             LET $done = (UPDATE $id SET status = $status, answer = $answer ?? answer, answered_by = IF $answer != NONE THEN $me ELSE answered_by END,
                 answered_at = IF $answer != NONE THEN time::now() ELSE answered_at END, closed_at = IF $status = 'closed' THEN time::now() ELSE NONE END,
                 version += 1 WHERE version = $v AND status != 'closed' RETURN VALUE id);
             IF array::len($done) = 0 {{ THROW 'stale' }};
             CREATE audit_event SET feedback = $id, actor = $me, role = 'bureau', action = $action, comment = $answer ?? '' RETURN NONE;
             {}
             COMMIT;",
            outbox::insert_all()
        ))
        .bind(("id", id.clone()))
        .bind(("status", status.code()))
        .bind(("answer", answer))
        .bind(("me", me.id.clone()))
        .bind(("v", version))
        .bind(("action", if close { "feedback_close" } else { "feedback_answer" }))
        .bind(("notes", outbox::notes_value(&notes)))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => {}
        Err(e) if matches!(classify(&e), Failure::Stale | Failure::Conflict) => {
            return Err(AppError::Conflict(Message::new("该意见已被他人处理，请刷新后再看", "Someone else has just handled it; reload and look again")));
        }
        Err(e) => return Err(e.into()),
    }
    outbox::wake();
    one(cx, &id).await
}
