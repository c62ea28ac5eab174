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
pub const SCHEMA: [(&str, &str); 4] = [
    ("001_accounts", include_str!("../../schema/001_accounts.surql")),
    ("002_records", include_str!("../../schema/002_records.surql")),
    ("003_applications", include_str!("../../schema/003_applications.surql")),
    ("004_public", include_str!("../../schema/004_public.surql")),
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

pub async fn apply_schema(db: &Db) -> Result<(), surrealdb::Error> {
    for (name, sql) in SCHEMA {
        tracing::debug!(schema = name, "applying schema");
        db.query(sql).await?.check()?;
    }
    Ok(())
}

/// Whether an error is a UNIQUE index refusing a duplicate.
pub fn is_unique_violation(e: &surrealdb::Error) -> bool {
    let s = e.to_string();
    s.contains("already contains")
}
