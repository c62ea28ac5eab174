//! The one way a filing application changes: [`apply`] moves it by an
//! [`Action`] allowed by the state machine, from the state and version the
//! caller saw, and writes the change, its audit event and its messages in
//! one transaction. When the row moved on meanwhile, the guarded UPDATE
//! matches nothing and the transaction THROWs: nothing is written.

use surrealdb::types::RecordId;

use super::application::{stale, AppRow};
use super::auth::CurrentUser;
use super::db::{classify, retrying, tx_check, Db, Failure, STALE};
use super::outbox::{self, Note};
use crate::domain::workflow::{transition, Action, ApplicationStatus};
use crate::domain::Message;
use crate::error::AppError;

/// A value bound into the transaction under a name.
#[derive(Debug, Clone)]
pub enum Bind {
    Json(serde_json::Value),
    Id(RecordId),
    OptId(Option<RecordId>),
    Ids(Vec<RecordId>),
    Text(String),
    Int(i64),
}

/// One move: what the caller asks, with everything written alongside.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: Action,
    /// The version of the row the caller saw.
    pub version: i64,
    /// Extra assignments of the guarded UPDATE (SurrealQL written in code,
    /// never user input), starting with a comma.
    pub set: String,
    /// Statements run after the guarded UPDATE and before the audit event
    /// (SurrealQL written in code); they may THROW a rule's code.
    pub then: String,
    pub binds: Vec<(&'static str, Bind)>,
    /// The audit event's comment and changed fields.
    pub comment: String,
    pub fields: Vec<String>,
    /// The entity the audit event also belongs to.
    pub entity: Option<RecordId>,
    /// Messages caused by the change, recorded in the same transaction.
    pub notes: Vec<Note>,
}

impl Change {
    pub fn new(action: Action, version: i64) -> Change {
        Change { action, version, set: String::new(), then: String::new(), binds: Vec::new(), comment: String::new(), fields: Vec::new(), entity: None, notes: Vec::new() }
    }

    pub fn set(mut self, assignments: &str) -> Change {
        self.set.push_str(assignments);
        self
    }

    pub fn then(mut self, statements: &str) -> Change {
        self.then.push_str(statements);
        self.then.push('\n');
        self
    }

    pub fn bind(mut self, name: &'static str, value: Bind) -> Change {
        self.binds.push((name, value));
        self
    }

    pub fn comment(mut self, comment: impl Into<String>) -> Change {
        self.comment = comment.into();
        self
    }

    pub fn fields(mut self, fields: Vec<String>) -> Change {
        self.fields = fields;
        self
    }

    pub fn entity(mut self, entity: RecordId) -> Change {
        self.entity = Some(entity);
        self
    }

    pub fn notes(mut self, notes: Vec<Note>) -> Change {
        self.notes.extend(notes);
        self
    }
}

/// A rule the transaction THROWs by code, and what to answer.
pub type Rules<'a> = &'a [(&'a str, Message)];

/// Apply a change to a filing: actor, state and version checked by the
/// state machine and inside the transaction; the change, the audit event
/// and the messages commit together or not at all. `rules` maps codes the
/// change's own statements may THROW to what the caller is told; a UNIQUE
/// index refusing a row is answered with `unique` (when given).
pub async fn apply(db: &Db, actor: &CurrentUser, row: &AppRow, change: Change, rules: Rules<'_>, unique: Option<Message>) -> Result<(), AppError> {
    run(db, actor, row, change, rules, unique, false).await.map(|_| ())
}

/// [`apply`], answering with the row as the transaction left it (read inside
/// the transaction: one round trip instead of a second query after it).
pub async fn apply_and_load(db: &Db, actor: &CurrentUser, row: &AppRow, change: Change, rules: Rules<'_>, unique: Option<Message>) -> Result<AppRow, AppError> {
    run(db, actor, row, change, rules, unique, true).await?.ok_or(AppError::Internal)
}

async fn run(db: &Db, actor: &CurrentUser, row: &AppRow, change: Change, rules: Rules<'_>, unique: Option<Message>, load: bool) -> Result<Option<AppRow>, AppError> {
    let Some(t) = transition(row.status, change.action, actor.role, row.kind) else {
        return Err(super::guard::wrong_state(row, change.action));
    };
    let rid = row.record_id();
    let q = format!(
        "BEGIN;
         LET $done = (UPDATE $app SET status = $to, version += 1, updated_at = time::now(){set} WHERE status = $from AND version = $v RETURN VALUE id);
         IF array::len($done) = 0 {{ THROW '{STALE}' }};
         {then}
         {release}
         CREATE audit_event SET application = $app, entity = $audit_entity, actor = $me, role = $role, action = $action, from_status = $from, to_status = $to,
             comment = $comment, fields = $fields RETURN NONE;
         {notes}
         {load}
         COMMIT;",
        set = change.set,
        then = change.then,
        // An application that ends frees its entity for the next one.
        release = if matches!(t.to, ApplicationStatus::Approved | ApplicationStatus::Abandoned) { "DELETE entity_lock WHERE application = $app;" } else { "" },
        notes = outbox::insert_all(),
        load = if load { format!("SELECT {} FROM ONLY $app;", super::application::APP_FIELDS) } else { String::new() },
    );
    let notes = outbox::notes_value(&change.notes);
    let res = retrying(|| async {
        let mut query = db
            .query(q.as_str())
            .bind(("app", rid.clone()))
            .bind(("to", t.to.code().to_string()))
            .bind(("from", t.from.code().to_string()))
            .bind(("v", change.version))
            .bind(("me", actor.id.clone()))
            .bind(("role", actor.role.code().to_string()))
            .bind(("action", t.action.code().to_string()))
            .bind(("comment", change.comment.clone()))
            .bind(("fields", change.fields.clone()))
            .bind(("audit_entity", change.entity.clone()))
            .bind(("notes", notes.clone()));
        for (name, value) in &change.binds {
            query = match value.clone() {
                Bind::Json(v) => query.bind((*name, v)),
                Bind::Id(v) => query.bind((*name, v)),
                Bind::OptId(v) => query.bind((*name, v)),
                Bind::Ids(v) => query.bind((*name, v)),
                Bind::Text(v) => query.bind((*name, v)),
                Bind::Int(v) => query.bind((*name, v)),
            };
        }
        query.await.and_then(tx_check)
    })
    .await;
    match res {
        Ok(mut results) => {
            outbox::wake();
            // The SELECT is the statement before COMMIT (which answers NONE).
            let select = results.num_statements().saturating_sub(2);
            if load { super::application::take_one(&mut results, select) } else { Ok(None) }
        }
        Err(e) => Err(answer(db, &rid, &e, rules, unique).await),
    }
}

/// What to tell the caller about a failed transaction.
pub async fn answer(db: &Db, rid: &RecordId, e: &surrealdb::Error, rules: Rules<'_>, unique: Option<Message>) -> AppError {
    match classify(e) {
        Failure::Stale | Failure::Conflict => stale(db, rid).await,
        Failure::Thrown(code) => match rules.iter().find(|(c, _)| *c == code) {
            Some((_, m)) => AppError::Conflict(m.clone()),
            None => {
                tracing::error!(code, "unexpected THROW");
                AppError::Internal
            }
        },
        Failure::Unique(index) => match unique {
            Some(m) => AppError::Conflict(m),
            None => {
                tracing::error!(index, "unexpected unique index violation");
                AppError::Internal
            }
        },
        Failure::Exists | Failure::Other => {
            tracing::error!(error = %e, "transition failed");
            AppError::Internal
        }
    }
}
