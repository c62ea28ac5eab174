//! Proof of the right to act for a filed entity (主体), needed before a
//! 新增网站 or 新增接入 (and later 变更 and 注销) shows or changes anything of
//! it: the 备案密码 (argon2-checked; five failures lock it for a while), or,
//! with `BEIAN_ENTITY_VERIFY=code`, a one-time code sent to the entity's
//! registered 主体负责人 mobile and e-mail (the 2020 rule).

use surrealdb::types::{RecordId, SurrealValue};

use super::auth::{random_digits, sha256_hex};
use super::db::Db;
use super::outbox::{Note, SECRET_MARK};
use crate::domain::account::mask_contact;
use crate::domain::{Message, Problem};
use crate::error::AppError;

pub use crate::domain::business::PROOF;
/// Wrong passwords (or codes) in a row before the entity's proof locks.
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 30;
/// The minutes an entity's proof stays locked, or NONE.
const LOCKED_MINUTES: &str = "IF password_locked_until != NONE AND password_locked_until > time::now() \
     THEN math::ceil(duration::mins(password_locked_until - time::now()) + 1) ELSE NONE END";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Method {
    /// 备案密码, e-mailed to the 主体负责人 at approval.
    Password,
    /// A code sent to the 主体负责人's mobile and e-mail.
    Code,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        match s.trim().to_ascii_lowercase().as_str() {
            "password" => Some(Method::Password),
            "code" => Some(Method::Code),
            _ => None,
        }
    }
}

#[derive(SurrealValue)]
struct Secrets {
    hash: Option<String>,
    locked_minutes: Option<i64>,
}

fn wrong() -> AppError {
    super::application::invalid(PROOF, Problem::new("proof.wrong", "备案密码或验证码不正确", "the filing password or code is wrong"))
}

fn locked(minutes: i64) -> AppError {
    AppError::Conflict(Message::new(
        format!("备案密码错误次数过多，请 {minutes} 分钟后再试，或请接入服务商将备案密码重新发送至主体负责人邮箱"),
        format!("Too many wrong attempts; try again in {minutes} minutes, or ask the provider to send the filing password to the entity's contact again"),
    ))
}

/// Check a proof for an entity: the 备案密码, or the last code sent (by
/// `method`). Failures are counted atomically; the fifth locks the proof.
pub async fn verify(db: &Db, method: Method, entity: &RecordId, proof: &str) -> Result<(), AppError> {
    let proof = proof.trim();
    if proof.is_empty() || proof.chars().count() > 64 {
        return Err(wrong());
    }
    let field = if method == Method::Password { "filing_password_hash" } else { "proof_code_hash" };
    let mut res = db
        .query(format!(
            "SELECT {field} AS hash, {LOCKED_MINUTES} AS locked_minutes FROM ONLY $e"
        ))
        .bind(("e", entity.clone()))
        .await?
        .check()?;
    let secrets: Option<Secrets> = res.take(0)?;
    let secrets = secrets.ok_or(AppError::NotFound)?;
    if let Some(m) = secrets.locked_minutes {
        return Err(locked(m.max(1)));
    }
    let good = match (method, secrets.hash) {
        (Method::Password, Some(hash)) => super::auth::verify_blocking(proof.to_string(), hash).await,
        // Codes expire: the hash is kept with its expiry in the challenge table.
        (Method::Code, _) => {
            let mut res = db
                .query("UPDATE challenge SET used = true WHERE entity = $e AND purpose = 'entity' AND used = false AND expires_at > time::now() AND secret_hash = $h RETURN VALUE id")
                .bind(("e", entity.clone()))
                .bind(("h", sha256_hex(proof)))
                .await?
                .check()?;
            let used: Vec<RecordId> = res.take(0)?;
            !used.is_empty()
        }
        (Method::Password, None) => false,
    };
    if good {
        db.query("UPDATE $e SET password_failures = 0, password_locked_until = NONE RETURN NONE").bind(("e", entity.clone())).await?.check()?;
        return Ok(());
    }
    count_failure(db, entity).await?;
    Err(wrong())
}

/// Refuse a proof without looking at it (the provider named a username
/// that is not the entity's): answered and counted exactly like a wrong
/// password, the lock included.
pub async fn refuse(db: &Db, method: Method, entity: &RecordId, proof: &str) -> Result<(), AppError> {
    let proof = proof.trim();
    // What a wrong password answers early, this answers alike (uncounted).
    if proof.is_empty() || proof.chars().count() > 64 {
        return Err(wrong());
    }
    let mut res = db
        .query(format!("SELECT VALUE {LOCKED_MINUTES} FROM ONLY $e"))
        .bind(("e", entity.clone()))
        .await?
        .check()?;
    let minutes: Option<i64> = res.take(0)?;
    if let Some(m) = minutes {
        return Err(locked(m.max(1)));
    }
    // The same work as checking a password, so the time says nothing either.
    if method == Method::Password {
        let _ = super::auth::verify_blocking(proof.to_string(), super::auth::unknown_user_hash().await).await;
    }
    count_failure(db, entity).await?;
    Err(wrong())
}

/// Count one failed proof for an entity (a wrong password or code, or the
/// provider's wrong client username); the fifth in a row locks the proof
/// and is answered with the lock.
pub async fn count_failure(db: &Db, entity: &RecordId) -> Result<(), AppError> {
    // One statement counts the failure, so parallel guesses all count.
    let mut res = db
        .query(
            "UPDATE $e SET password_failures += 1, \
             password_locked_until = IF password_failures + 1 >= $max THEN time::now() + duration::from_mins($mins) ELSE password_locked_until END \
             RETURN VALUE password_failures",
        )
        .bind(("e", entity.clone()))
        .bind(("max", MAX_FAILURES))
        .bind(("mins", LOCK_MINUTES))
        .await?
        .check()?;
    let failures: Option<i64> = res.take::<Vec<i64>>(0)?.into_iter().next();
    if failures.unwrap_or(0) >= MAX_FAILURES {
        // The lock starts now; reset the count so the next window starts afresh.
        db.query("UPDATE $e SET password_failures = 0 RETURN NONE").bind(("e", entity.clone())).await?.check()?;
        return Err(locked(LOCK_MINUTES));
    }
    Ok(())
}

/// Send a one-time code (10 minutes) to the entity's 主体负责人 mobile and
/// e-mail; returns where it went, masked. At most one a minute.
pub async fn send_code(db: &Db, entity: &RecordId) -> Result<String, AppError> {
    #[derive(SurrealValue)]
    struct Leader {
        mobile: String,
        email: String,
        recent: bool,
    }
    let mut res = db
        .query(
            "SELECT leader.mobile AS mobile, leader.email AS email, \
             count(SELECT id FROM challenge WHERE entity = $parent.id AND purpose = 'entity' AND created_at > time::now() - 1m) > 0 AS recent FROM ONLY $e",
        )
        .bind(("e", entity.clone()))
        .await?
        .check()?;
    let leader: Option<Leader> = res.take(0)?;
    let leader = leader.ok_or(AppError::NotFound)?;
    if leader.recent {
        return Err(AppError::Conflict(Message::new("验证码刚刚发送过，请一分钟后再试", "A code was sent a moment ago; try again in a minute")));
    }
    let code = random_digits(6);
    let body = format!("【ICP备案】您正在办理备案业务，验证码 {SECRET_MARK}，10分钟内有效；如非本人或本单位操作，请忽略。Your ICP filing code is {SECRET_MARK} (10 minutes).");
    let notes: Vec<Note> = Note::both(&leader.mobile, &leader.email, "ICP备案业务验证码 / Filing code", &body).into_iter().map(|n| n.with_secret(code.clone())).collect();
    super::auth::issue_challenge(db, super::auth::Holder::Entity(entity), "entity", &code, 10, &notes).await?;
    Ok(format!("{} / {}", mask_contact(&leader.mobile), mask_contact(&leader.email)))
}
