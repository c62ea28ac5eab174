//! The notification outbox: every e-mail and SMS the system sends is a row
//! of `outbox` first. With no SMTP/SMS gateway configured it is only
//! recorded (status `recorded`), which is what the dev page will list.

use surrealdb::types::{RecordId, SurrealValue};

use super::db::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Notification {
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub account: Option<RecordId>,
    pub application: Option<RecordId>,
}

#[derive(SurrealValue)]
struct OutboxRow {
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    account: Option<RecordId>,
    application: Option<RecordId>,
    status: String,
}

/// A row of the outbox as staff see it.
pub type OutboxEntry = crate::models::OutboxItem;

/// Record a notification. Call it inside the transaction of the change it
/// reports when there is one; sending (when a gateway exists) reads the rows.
pub async fn record(db: &Db, n: Notification) -> Result<RecordId, surrealdb::Error> {
    let row = OutboxRow {
        channel: n.channel.code().to_string(),
        recipient: n.recipient,
        subject: n.subject,
        body: n.body,
        account: n.account,
        application: n.application,
        status: "recorded".into(),
    };
    let mut res = db.query("CREATE outbox CONTENT $row RETURN VALUE id").bind(("row", row)).await?.check()?;
    let id: Option<RecordId> = res.take(0)?;
    id.ok_or_else(|| surrealdb::Error::internal("outbox row not created".into()))
}

/// The newest `limit` messages, newest first (Beijing time).
pub async fn latest(db: &Db, limit: u32) -> Result<Vec<OutboxEntry>, surrealdb::Error> {
    let mut res = db
        .query(
            "SELECT channel, recipient, subject, body, status, \
             time::format(created_at + 8h, '%Y-%m-%d %H:%M:%S') AS created \
             FROM outbox ORDER BY created_at DESC LIMIT $limit",
        )
        .bind(("limit", i64::from(limit)))
        .await?
        .check()?;
    res.take(0)
}
