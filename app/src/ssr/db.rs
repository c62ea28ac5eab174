//! The one SurrealDB handle, opened from the configured endpoint, and the
//! schema, kept in `app/schema/*.surql` and applied at every start-up.

use surrealdb::engine::any::{connect, Any};
use surrealdb::opt::auth::Root;
use surrealdb::Surreal;

pub type Db = Surreal<Any>;

pub const NAMESPACE: &str = "beian";
pub const DATABASE: &str = "beian";

/// Schema files in the order they are applied. Each is idempotent
/// (`DEFINE … OVERWRITE`), so applying them again changes nothing.
pub const SCHEMA: [(&str, &str); 5] = [
    ("001_accounts", include_str!("../../schema/001_accounts.surql")),
    ("002_records", include_str!("../../schema/002_records.surql")),
    ("003_applications", include_str!("../../schema/003_applications.surql")),
    ("004_public", include_str!("../../schema/004_public.surql")),
    ("005_review", include_str!("../../schema/005_review.surql")),
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
    let db = connect(endpoint).await?;
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

/// Whether an error is a UNIQUE index refusing a duplicate.
pub fn is_unique_violation(e: &surrealdb::Error) -> bool {
    let s = e.to_string();
    s.contains("already contains")
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
