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

/// Take the scheduled job `name` for `secs` seconds unless another server
/// holds it: with several servers on one database, one of them runs it.
/// A conflict with a server taking it at the same moment counts as held.
pub async fn claim_job(db: &Db, name: &str, secs: i64) -> Result<bool, surrealdb::Error> {
    let res = db
        .query(
            "UPSERT type::record('job_lease', $name) SET until = time::now() + duration::from_secs($secs), taken_at = time::now()
             WHERE until = NONE OR until < time::now() RETURN VALUE id",
        )
        .bind(("name", name.to_string()))
        .bind(("secs", secs))
        .await;
    match res.and_then(|r| r.check()) {
        Ok(mut r) => Ok(!r.take::<Vec<surrealdb::types::RecordId>>(0)?.is_empty()),
        Err(e) if super::db::classify(&e) == super::db::Failure::Conflict => Ok(false),
        Err(e) => Err(e),
    }
}

/// Every ten minutes, the purge (on one server of several: see
/// [`claim_job`]) and this process's limiter shrink.
pub fn spawn(db: Db, limits: std::sync::Arc<Limits>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let purge = async {
                if claim_job(&db, "purge", 540).await? {
                    purge_once(&db).await
                } else {
                    Ok(0)
                }
            };
            match purge.await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "purged expired rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge failed"),
            }
            limits.shrink();
            tokio::time::sleep(Duration::from_secs(600)).await;
        }
    })
}
