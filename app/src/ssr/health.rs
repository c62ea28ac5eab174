//! Whether the database answers, watched in the background.
//!
//! Against a SurrealDB server (`ws://`) the connection can drop: the server
//! restarts, the network between them fails. SurrealDB's client then
//! reconnects by itself (and signs in and selects the namespace again), but
//! while it does, a query waits instead of failing. So a monitor asks the
//! database a trivial question every second with a short timeout; while it
//! gets no answer, requests that need the database are answered at once with
//! 503 and a message (see `server::ops`), and when answers come back the
//! monitor says so (the public index then loads again, in case it missed
//! changes while the connection was down).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::db::Db;

/// How long a ping may take before it counts as unanswered.
const PING_TIMEOUT: Duration = Duration::from_millis(1000);
/// How often the monitor asks.
const PING_EVERY: Duration = Duration::from_millis(500);
/// Unanswered pings in a row before the database counts as down (one slow
/// answer is not an outage): an outage is noticed within about 2–3 s.
const DOWN_AFTER: u32 = 2;

/// The database's reachability, shared by every request; cheap to clone.
#[derive(Clone)]
pub struct DbHealth(Arc<Inner>);

struct Inner {
    up: AtomicBool,
    /// Milliseconds since `started` at which the database stopped answering.
    down_at_ms: AtomicU64,
    started: Instant,
    /// Bumped each time the database answers again after an outage.
    recoveries: watch::Sender<u64>,
    /// Whether it answers, for requests waiting on it (see [`DbHealth::went_down`]).
    up_now: watch::Sender<bool>,
}

impl Default for DbHealth {
    /// Reachable (the database was just opened), not watched.
    fn default() -> Self {
        DbHealth(Arc::new(Inner { up: AtomicBool::new(true), down_at_ms: AtomicU64::new(0), started: Instant::now(), recoveries: watch::Sender::new(0), up_now: watch::Sender::new(true) }))
    }
}

impl DbHealth {
    /// Watch `db` in the background when it is a server (`ws://`, `wss://`,
    /// `http(s)://`); an embedded database is in this process and cannot be
    /// cut off from it. The task ends when the last clone is dropped.
    pub fn monitor(db: Db, endpoint: &str) -> DbHealth {
        let health = DbHealth::default();
        if !is_remote(endpoint) {
            return health;
        }
        let weak = Arc::downgrade(&health.0);
        tokio::spawn(async move {
            let mut missed = 0u32;
            loop {
                tokio::time::sleep(PING_EVERY).await;
                missed = if ping(&db).await { 0 } else { missed + 1 };
                let Some(inner) = weak.upgrade() else { return };
                let health = DbHealth(inner);
                if missed == 0 {
                    health.record(true);
                } else if missed >= DOWN_AFTER {
                    health.record(false);
                }
            }
        });
        health
    }

    /// Note the outcome of one ping.
    pub fn record(&self, answered: bool) {
        let was_up = self.0.up.swap(answered, Ordering::AcqRel);
        self.0.up_now.send_if_modified(|up| std::mem::replace(up, answered) != answered);
        match (was_up, answered) {
            (true, false) => {
                self.0.down_at_ms.store(self.0.started.elapsed().as_millis() as u64, Ordering::Release);
                tracing::error!("the database does not answer: requests that need it get 503 until it does");
            }
            (false, true) => {
                let down_for = self.0.started.elapsed().as_millis() as u64 - self.0.down_at_ms.load(Ordering::Acquire);
                tracing::warn!(down_ms = down_for, "the database answers again");
                self.0.recoveries.send_modify(|n| *n += 1);
            }
            _ => {}
        }
    }

    /// Whether the last ping was answered.
    pub fn is_up(&self) -> bool {
        self.0.up.load(Ordering::Acquire)
    }

    /// Resolves when the database stops answering (at once if it does not
    /// answer now): a request waiting on it can then be told so instead of
    /// waiting for the reconnection.
    pub async fn went_down(&self) {
        let mut rx = self.0.up_now.subscribe();
        let _ = rx.wait_for(|up| !*up).await;
    }

    /// Changes each time the database answers again after an outage.
    pub fn recoveries(&self) -> watch::Receiver<u64> {
        self.0.recoveries.subscribe()
    }
}

/// Whether an endpoint is a database server (reached over the network).
pub fn is_remote(endpoint: &str) -> bool {
    ["ws://", "wss://", "http://", "https://"].iter().any(|p| endpoint.starts_with(p))
}

/// One trivial query, answered within [`PING_TIMEOUT`].
pub async fn ping(db: &Db) -> bool {
    match tokio::time::timeout(PING_TIMEOUT, db.query("RETURN 1")).await {
        Ok(Ok(res)) => res.check().is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_outage_and_a_recovery_are_told_once_each() {
        let health = DbHealth::default();
        let mut rx = health.recoveries();
        assert!(health.is_up());
        health.record(true);
        assert!(!rx.has_changed().unwrap(), "no outage, no recovery");
        health.record(false);
        health.record(false);
        assert!(!health.is_up());
        assert!(!rx.has_changed().unwrap());
        health.record(true);
        assert!(health.is_up());
        assert!(rx.has_changed().unwrap());
        assert_eq!(*rx.borrow_and_update(), 1);
        health.record(true);
        assert!(!rx.has_changed().unwrap());
        // A request waiting on the database hears of the outage.
        let waiting = tokio::spawn({
            let health = health.clone();
            async move { health.went_down().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        health.record(false);
        tokio::time::timeout(Duration::from_secs(1), waiting).await.unwrap().unwrap();
    }

    #[test]
    fn only_a_server_is_watched() {
        assert!(is_remote("ws://10.0.0.5:8000"));
        assert!(is_remote("wss://db.example.cn"));
        assert!(!is_remote("surrealkv://data/beian.db"));
        assert!(!is_remote("mem://"));
    }

    #[tokio::test]
    async fn an_open_database_answers_a_ping() {
        let db = super::super::db::open_memory().await.unwrap();
        assert!(ping(&db).await);
    }
}
