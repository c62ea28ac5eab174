//! The notification outbox. Every e-mail and SMS is a row of `outbox`,
//! written in the same transaction as the change that causes it (see
//! [`insert_notes`]); a background worker sends the rows, with retries and
//! backoff, and marks each sent or failed. A restart resumes what was not
//! sent; a row is claimed with a lease, so two servers never send it twice.
//!
//! A message that carries a secret (a code, a reset link, a 备案密码) keeps
//! the secret in its own column, never in the body, which has the
//! [`SECRET_MARK`] in its place; the worker puts it in only when sending and
//! drops it from the row as soon as the message is sent or has finally
//! failed. Nobody reading the table (or the outbox page) sees it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as MailMessage, Tokio1Executor};
use serde::Serialize;
use surrealdb::types::{RecordId, SurrealValue};
use tokio::sync::Notify;

use super::db::Db;
use crate::models::OutboxItem;

/// Where a secret goes in a message body.
pub const SECRET_MARK: &str = "{{secret}}";
/// What the outbox page shows in its place.
pub const MASK: &str = "******";
/// Attempts before a message is given up as failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long one message may take to send before it counts as failed.
const SEND_TIMEOUT_SECS: i64 = 45;
/// Rows a worker claims at a time.
const WORKER_BATCH: u32 = 5;

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

/// One message to record, bound into a transaction as part of `$notes`.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    /// Key of the account it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<String>,
    /// Key of the application it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    application: Option<String>,
}

fn key_of(id: &RecordId) -> Option<String> {
    match &id.key {
        surrealdb::types::RecordIdKey::String(s) => Some(s.clone()),
        _ => None,
    }
}

impl Note {
    pub fn new(channel: Channel, recipient: impl Into<String>, subject: impl Into<String>, body: impl Into<String>) -> Note {
        Note { channel: channel.code(), recipient: recipient.into(), subject: subject.into(), body: body.into(), secret: None, account: None, application: None }
    }

    /// The body holds [`SECRET_MARK`] where `secret` goes.
    pub fn with_secret(mut self, secret: impl Into<String>) -> Note {
        self.secret = Some(secret.into());
        self
    }

    pub fn for_account(mut self, account: &RecordId) -> Note {
        self.account = key_of(account);
        self
    }

    pub fn about(mut self, application: &RecordId) -> Note {
        self.application = key_of(application);
        self
    }

    /// The same text by SMS to a mobile and by e-mail, skipping empty addresses.
    pub fn both(mobile: &str, email: &str, subject: &str, body: &str) -> Vec<Note> {
        let mut out = Vec::new();
        if !mobile.is_empty() {
            out.push(Note::new(Channel::Sms, mobile, "", body));
        }
        if !email.is_empty() {
            out.push(Note::new(Channel::Email, email, subject, body));
        }
        out
    }
}

/// Statements that record the notes bound to `var` (a list of [`Note`]),
/// with `body` as the body expression (`$n.body`, or one that fills in
/// values known only inside the transaction); put them inside the
/// transaction of the change the messages report.
pub fn insert_notes(var: &str, body: &str) -> String {
    format!(
        "FOR $n IN {var} {{
    CREATE outbox SET channel = $n.channel, recipient = $n.recipient, subject = $n.subject, body = {body}, secret = $n.secret,
        account = IF $n.account != NONE THEN type::record('account', $n.account) ELSE NONE END,
        application = IF $n.application != NONE THEN type::record('application', $n.application) ELSE NONE END,
        status = 'pending', attempts = 0, next_attempt_at = time::now() RETURN NONE;
}};"
    )
}

/// [`insert_notes`] for `$notes` as they are.
pub fn insert_all() -> String {
    insert_notes("$notes", "$n.body")
}

/// Notes as the value bound to `$notes`.
pub fn notes_value(notes: &[Note]) -> serde_json::Value {
    serde_json::to_value(notes).unwrap_or(serde_json::Value::Array(Vec::new()))
}

/// Record notes in a transaction of their own (when no other change goes with them).
pub async fn record(db: &Db, notes: Vec<Note>) -> Result<(), surrealdb::Error> {
    db.query(format!("BEGIN; {} COMMIT;", insert_all())).bind(("notes", notes_value(&notes))).await.and_then(super::db::tx_check)?;
    wake();
    Ok(())
}

fn signal() -> &'static Notify {
    static NOTIFY: OnceLock<Notify> = OnceLock::new();
    NOTIFY.get_or_init(Notify::new)
}

/// Tell the worker that new rows were committed.
pub fn wake() {
    signal().notify_one();
}

// ---------------------------------------------------------------- transports

/// A message as handed to a transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Where messages go.
#[derive(Clone, Default)]
pub enum Transport {
    /// Nothing configured: rows are closed as `skipped` (and lose their secret).
    #[default]
    None,
    /// E-mail through an SMTP relay (lettre: STARTTLS or TLS as the URL says); no SMS gateway.
    Smtp { mailer: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    /// Development: each e-mail as an .eml file (lettre's file transport), each SMS as a .txt file.
    Dir(PathBuf),
    /// Tests: kept in memory.
    Memory(Arc<Mutex<Vec<Delivered>>>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::None => "none",
            Transport::Smtp { .. } => "smtp",
            Transport::Dir(_) => "dir",
            Transport::Memory(_) => "memory",
        })
    }
}

impl Transport {
    /// An SMTP relay from a URL: `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS), `smtp://host:25` (a local relay).
    pub fn smtp(url: &str, from: &str) -> Result<Transport, String> {
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| e.to_string())?.timeout(Some(Duration::from_secs(30))).build();
        let from: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| format!("sender {from:?}: {e}"))?;
        Ok(Transport::Smtp { mailer, from })
    }

    pub fn memory() -> (Transport, Arc<Mutex<Vec<Delivered>>>) {
        let sink = Arc::new(Mutex::new(Vec::new()));
        (Transport::Memory(sink.clone()), sink)
    }

    /// Whether messages leave the system (so codes need not be shown on screen).
    pub fn delivers(&self) -> bool {
        !matches!(self, Transport::None)
    }

    /// Send one message. `Ok(false)`: this transport has no gateway for the channel.
    async fn send(&self, m: &Delivered) -> Result<bool, String> {
        match self {
            Transport::None => Ok(false),
            Transport::Memory(sink) => {
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(m.clone());
                Ok(true)
            }
            Transport::Smtp { mailer, from } => {
                if m.channel != Channel::Email {
                    return Ok(false);
                }
                let mail = mail(from.clone(), m)?;
                mailer.send(mail).await.map(|_| true).map_err(|e| e.to_string())
            }
            Transport::Dir(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
                match m.channel {
                    Channel::Email => {
                        let from: Mailbox = "beian@localhost".parse().map_err(|e: lettre::address::AddressError| e.to_string())?;
                        let files = lettre::AsyncFileTransport::<Tokio1Executor>::new(dir);
                        files.send(mail(from, m)?).await.map(|_| true).map_err(|e| e.to_string())
                    }
                    Channel::Sms => {
                        let name = format!("sms-{}-{}.txt", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0), m.recipient.replace(['/', '\\', '.'], "_"));
                        tokio::fs::write(dir.join(name), format!("To: {}\n\n{}\n", m.recipient, m.body)).await.map(|_| true).map_err(|e| e.to_string())
                    }
                }
            }
        }
    }
}

fn mail(from: Mailbox, m: &Delivered) -> Result<MailMessage, String> {
    let to: Mailbox = m.recipient.parse().map_err(|e: lettre::address::AddressError| format!("recipient: {e}"))?;
    MailMessage::builder().from(from).to(to).subject(m.subject.clone()).header(ContentType::TEXT_PLAIN).body(m.body.clone()).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------- the worker

#[derive(SurrealValue)]
struct Claimed {
    id: RecordId,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    secret: Option<String>,
    attempts: i64,
}

/// Claim up to `batch` due rows for `lease_secs`: one statement, so two
/// workers (in this process or on other servers) never claim the same row;
/// a worker that dies holding rows leaves them to be claimed again when
/// the lease ends.
async fn claim(db: &Db, batch: u32, lease_secs: i64, holder: &str) -> Result<Vec<Claimed>, surrealdb::Error> {
    let mut res = db
        .query(
            "UPDATE (SELECT VALUE id FROM outbox WHERE status = 'pending' AND next_attempt_at <= time::now() AND (lease_until = NONE OR lease_until < time::now()) LIMIT $batch)
             SET lease_until = time::now() + duration::from_secs($lease), lease_holder = $holder, attempts += 1
             WHERE status = 'pending' AND (lease_until = NONE OR lease_until < time::now())
             RETURN id, channel, recipient, subject, body, secret, attempts",
        )
        .bind(("batch", i64::from(batch)))
        .bind(("lease", lease_secs))
        .bind(("holder", holder.to_string()))
        .await?
        .check()?;
    res.take(0)
}

/// Claim rows and send nothing: what a worker killed right after claiming
/// leaves behind (for the tests of the lease). Returns how many it took.
pub async fn claim_and_abandon(db: &Db, batch: u32, lease_secs: i64) -> Result<usize, surrealdb::Error> {
    Ok(claim(db, batch, lease_secs, "abandoned").await?.len())
}

/// Claim up to `batch` due rows (a lease, so no other worker takes them),
/// send them and record how it went. Returns how many were handled.
pub async fn deliver_due(db: &Db, transport: &Transport, batch: u32) -> Result<usize, surrealdb::Error> {
    // The lease covers sending the whole batch one by one, each within its
    // time limit, so no row's lease ends while it waits its turn here.
    let lease = i64::from(batch) * SEND_TIMEOUT_SECS + 60;
    let holder = super::auth::random_token();
    let rows = claim(db, batch, lease, &holder).await?;
    let n = rows.len();
    for row in rows {
        let channel = if row.channel == "sms" { Channel::Sms } else { Channel::Email };
        let body = match &row.secret {
            Some(s) => row.body.replace(SECRET_MARK, s),
            None => row.body.clone(),
        };
        let message = Delivered { channel, recipient: row.recipient.clone(), subject: row.subject.clone(), body };
        let outcome = tokio::time::timeout(Duration::from_secs(SEND_TIMEOUT_SECS as u64), transport.send(&message)).await.unwrap_or_else(|_| Err("timed out".into()));
        // What to record: the statement, the error text and the wait.
        let (sql, error, wait) = match outcome {
            Ok(true) => ("UPDATE $id SET status = 'sent', sent_at = time::now(), secret = NONE, lease_until = NONE, last_error = NONE WHERE lease_holder = $holder RETURN NONE", None, 0),
            Ok(false) => (
                "UPDATE $id SET status = 'skipped', secret = NONE, lease_until = NONE, last_error = $e WHERE lease_holder = $holder RETURN NONE",
                Some(format!("no gateway for {}", channel.code())),
                0,
            ),
            Err(e) if row.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(error = %e, "message failed for good");
                ("UPDATE $id SET status = 'failed', secret = NONE, lease_until = NONE, last_error = $e WHERE lease_holder = $holder RETURN NONE", Some(e), 0)
            }
            Err(e) => {
                tracing::warn!(error = %e, attempt = row.attempts, "message not sent; will retry");
                // 2, 4, 8 … seconds, at most an hour.
                let wait = 2i64.saturating_pow(u32::try_from(row.attempts.clamp(1, 12)).unwrap_or(12)).min(3600);
                ("UPDATE $id SET lease_until = NONE, last_error = $e, next_attempt_at = time::now() + duration::from_secs($w) WHERE lease_holder = $holder RETURN NONE", Some(e), wait)
            }
        };
        // Only while this worker still holds the row: one whose lease ran out
        // and was taken by another worker is that worker's to record. Tried
        // again on a write conflict with another worker's claim: a message
        // sent and not recorded would be sent again when the lease ends.
        super::db::retrying(|| async {
            db.query(sql).bind(("id", row.id.clone())).bind(("e", error.clone())).bind(("w", wait)).bind(("holder", holder.clone())).await.and_then(|r| r.check())
        })
        .await?;
    }
    Ok(n)
}

/// The worker: sends due rows whenever woken, and every few seconds.
pub fn spawn_worker(db: Db, transport: Transport) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_due(&db, &transport, WORKER_BATCH).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox worker: database error"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(5), signal().notified()).await;
        }
    })
}

/// The newest `limit` messages, newest first (Beijing time), with every
/// secret masked: what the development outbox page shows.
pub async fn latest(db: &Db, limit: u32) -> Result<Vec<OutboxItem>, surrealdb::Error> {
    let mut res = db
        .query(
            "SELECT channel, recipient, subject, body, status, \
             time::format(created_at + 8h, '%Y-%m-%d %H:%M:%S') AS created, created_at \
             FROM outbox ORDER BY created_at DESC LIMIT $limit",
        )
        .bind(("limit", i64::from(limit)))
        .await?
        .check()?;
    let mut rows: Vec<OutboxItem> = res.take(0)?;
    for r in &mut rows {
        r.body = r.body.replace(SECRET_MARK, MASK);
    }
    Ok(rows)
}
