//! The one SurrealDB handle, opened from the configured endpoint, and the
//! schema, kept in `app/schema/*.surql` and applied at every start-up.

use surrealdb::engine::any::{connect, Any};
use surrealdb::opt::auth::Root;
use surrealdb::Surreal;

/// One handle shared by every task. An `Arc`, not clones of `Surreal`:
/// each clone of a `Surreal` opens a session of its own on the server
/// (`attach`, then the sign-in and `use` replayed: a password check on a
/// SurrealDB server for every clone), which under load made thousands of
/// sessions a second.
pub type Db = std::sync::Arc<Surreal<Any>>;

pub const NAMESPACE: &str = "beian";
pub const DATABASE: &str = "beian";

/// The longest list a query should test with `field IN $list` (or
/// CONTAINSANY): SurrealDB 3 turns it into one index lookup per element up
/// to 32 elements (MAX_IN_EXPANSION_SIZE in surrealdb-core's planner) and
/// scans the whole table beyond. Longer lists are looked up in chunks.
pub const IN_LIST_MAX: usize = 32;

/// Schema files in the order they are applied. Each is idempotent
/// (`DEFINE … OVERWRITE`), so applying them again changes nothing.
pub const SCHEMA: [(&str, &str); 12] = [
    ("001_accounts", include_str!("../../schema/001_accounts.surql")),
    ("002_records", include_str!("../../schema/002_records.surql")),
    ("003_applications", include_str!("../../schema/003_applications.surql")),
    ("004_public", include_str!("../../schema/004_public.surql")),
    ("005_review", include_str!("../../schema/005_review.surql")),
    ("006_trust", include_str!("../../schema/006_trust.surql")),
    ("007_business", include_str!("../../schema/007_business.surql")),
    ("008_office", include_str!("../../schema/008_office.surql")),
    ("009_import", include_str!("../../schema/009_import.surql")),
    ("010_apps", include_str!("../../schema/010_apps.surql")),
    ("011_supervision", include_str!("../../schema/011_supervision.surql")),
    ("012_operations", include_str!("../../schema/012_operations.surql")),
];

/// Open the database and apply the schema.
pub async fn open(endpoint: &str, user: Option<&str>, pass: Option<&str>) -> Result<Db, surrealdb::Error> {
    if let Some(path) = endpoint.strip_prefix("surrealkv://") {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                if let Err(e) = std::fs::create_dir_all(parent) {
                    tracing::warn!(error = %e, ?parent, "could not create the database folder");
                }
            }
        }
    }
    let db = std::sync::Arc::new(connect(endpoint).await?);
    if let (Some(username), Some(password)) = (user, pass) {
        db.signin(Root { username: username.to_string(), password: password.to_string() }).await?;
    }
    db.use_ns(NAMESPACE).use_db(DATABASE).await?;
    apply_schema(&db).await?;
    Ok(db)
}

/// A fresh in-memory database with the schema: for tests.
pub async fn open_memory() -> Result<Db, surrealdb::Error> {
    open("mem://", None, None).await
}

/// Apply the schema files unless this exact schema was applied already.
///
/// `DEFINE INDEX … OVERWRITE` rebuilds the index over every row, which on a
/// million filings takes minutes, so a hash of the files is kept in
/// `schema_meta:current` and the files run only when they changed.
pub async fn apply_schema(db: &Db) -> Result<(), surrealdb::Error> {
    let hash = schema_hash();
    db.query(
        "DEFINE TABLE IF NOT EXISTS schema_meta SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS hash ON schema_meta TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON schema_meta TYPE datetime;",
    )
    .await?
    .check()?;
    let mut res = db.query("SELECT VALUE hash FROM ONLY schema_meta:current").await?;
    let applied: Option<String> = res.take(0)?;
    if applied.as_deref() == Some(hash.as_str()) {
        tracing::debug!(%hash, "schema is up to date");
        return Ok(());
    }
    for (name, sql) in SCHEMA {
        tracing::info!(schema = name, "applying schema");
        db.query(sql).await?.check()?;
    }
    db.query("UPSERT schema_meta:current SET hash = $hash, applied_at = time::now()")
        .bind(("hash", hash))
        .await?
        .check()?;
    Ok(())
}

/// FNV-1a over the schema files: changes whenever any file does.
pub fn schema_hash() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, sql) in SCHEMA {
        for b in name.bytes().chain(sql.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// What a failed query means for the caller, decided once here rather than
/// by matching error text at every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Our own `THROW 'stale'`: the row moved on (state or version) since the
    /// caller read it.
    Stale,
    /// A UNIQUE index refused a duplicate; the index's name.
    Unique(String),
    /// A record with this id exists already (CREATE of a fixed id).
    Exists,
    /// Our own `THROW '<code>'` for a business rule.
    Thrown(String),
    /// A concurrent transaction wrote the same keys: run it again.
    Conflict,
    /// Anything else: a bug or an outage (logged, answered with 500).
    Other,
}

/// The text our transactions THROW when their guarded UPDATE matched nothing.
pub const STALE: &str = "stale";

pub fn classify(e: &surrealdb::Error) -> Failure {
    let text = e.to_string();
    if e.is_thrown() || text.contains("An error occurred: ") {
        let code = text.rsplit("An error occurred: ").next().unwrap_or(&text).trim().trim_matches('\'').to_string();
        return if code == STALE { Failure::Stale } else { Failure::Thrown(code) };
    }
    if matches!(e.query_details(), Some(surrealdb::types::QueryError::TransactionConflict)) {
        return Failure::Conflict;
    }
    let lower = text.to_lowercase();
    if lower.contains("transaction conflict") || lower.contains("can be retried") || lower.contains("resource busy") {
        return Failure::Conflict;
    }
    if let Some(rest) = text.split("Database index `").nth(1) {
        if text.contains("already contains") {
            return Failure::Unique(rest.split('`').next().unwrap_or_default().to_string());
        }
    }
    if e.is_already_exists() || (text.contains("Database record `") && text.contains("already exists")) {
        return Failure::Exists;
    }
    Failure::Other
}

/// Run a transaction again while the store reports a write conflict with a
/// concurrent one (each retry sees the other's result, so the version check
/// then decides who won).
pub async fn retrying<T, F, Fut>(mut run: F) -> Result<T, surrealdb::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, surrealdb::Error>>,
{
    let mut attempt = 0u32;
    loop {
        match run().await {
            Err(e) if classify(&e) == Failure::Conflict && attempt < 60 => {
                attempt += 1;
                let jitter = u64::from(rand::random::<u8>() % 20);
                tokio::time::sleep(std::time::Duration::from_millis(2 + jitter + u64::from(attempt.min(10)) * 3)).await;
            }
            other => return other,
        }
    }
}

/// Check a transaction's results and return the error that failed it: every
/// other statement of a failed transaction only reports that it did not run.
pub fn tx_check(mut res: surrealdb::IndexedResults) -> Result<surrealdb::IndexedResults, surrealdb::Error> {
    let mut errors: Vec<(usize, surrealdb::Error)> = res.take_errors().into_iter().collect();
    if errors.is_empty() {
        return Ok(res);
    }
    errors.sort_by_key(|(i, _)| *i);
    let cause = errors.iter().position(|(_, e)| !e.to_string().contains("not executed due to a failed transaction")).unwrap_or(0);
    Err(errors.swap_remove(cause).1)
}
