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

use std::sync::{Arc, Mutex};
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
    /// Whether the last pings were answered; requests waiting on the
    /// database watch it (see [`DbHealth::went_down`]).
    up: watch::Sender<bool>,
    /// When the database stopped answering (for the log line when it answers again).
    down_since: Mutex<Option<Instant>>,
    /// Bumped each time the database answers again after an outage.
    recoveries: watch::Sender<u64>,
}

impl Default for DbHealth {
    /// Reachable (the database was just opened), not watched.
    fn default() -> Self {
        DbHealth(Arc::new(Inner { up: watch::Sender::new(true), down_since: Mutex::new(None), recoveries: watch::Sender::new(0) }))
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
        let was_up = self.0.up.send_replace(answered);
        let mut down_since = self.0.down_since.lock().unwrap_or_else(|p| p.into_inner());
        match (was_up, answered) {
            (true, false) => {
                *down_since = Some(Instant::now());
                tracing::error!("the database does not answer: requests that need it get 503 until it does");
            }
            (false, true) => {
                let down_ms = down_since.take().map(|t| t.elapsed().as_millis() as u64).unwrap_or(0);
                tracing::warn!(down_ms, "the database answers again");
                self.0.recoveries.send_modify(|n| *n += 1);
            }
            _ => {}
        }
    }

    /// Whether the last pings were answered.
    pub fn is_up(&self) -> bool {
        *self.0.up.borrow()
    }

    /// Resolves when the database stops answering (at once if it does not
    /// answer now): a request waiting on it can then be told so instead of
    /// waiting for the reconnection.
    pub async fn went_down(&self) {
        let mut rx = self.0.up.subscribe();
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
