//! The scheduled purge: expired captchas, codes and reset links, expired
//! sessions, accounts never activated, stale sign-in failure counters, and
//! the rate limiters' idle keys.

use std::time::Duration;

use super::db::Db;
use super::limits::Limits;

/// How long an account may stay unactivated before it is removed (its
/// username is then free again).
pub const PENDING_HOURS: i64 = 48;

/// One pass; returns how many rows went.
pub async fn purge_once(db: &Db) -> Result<u64, surrealdb::Error> {
    let mut res = db
        .query(
            "(DELETE challenge WHERE expires_at < time::now() - 1h RETURN BEFORE).len();
             (DELETE session WHERE expires_at < time::now() RETURN BEFORE).len();
             (DELETE account WHERE status = 'pending' AND created_at < time::now() - duration::from_hours($h) RETURN BEFORE).len();
             (DELETE login_failure WHERE last_at < time::now() - 1d RETURN BEFORE).len();",
        )
        .bind(("h", PENDING_HOURS))
        .await?
        .check()?;
    let mut total = 0u64;
    for i in 0..4 {
        let n: Option<i64> = res.take(i)?;
        total += n.unwrap_or(0).max(0) as u64;
    }
    Ok(total)
}

/// Run the purge every ten minutes.
pub fn spawn(db: Db, limits: std::sync::Arc<Limits>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match purge_once(&db).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "purged expired rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge failed"),
            }
            limits.shrink();
            tokio::time::sleep(Duration::from_secs(600)).await;
        }
    })
}
