//! SurrealDB's own server, from the `surrealdb-server` crate at the version
//! of the `surrealdb` client Beian uses, with only SurrealKV storage.
//!
//!     surreal start --user root --pass '…' surrealkv:///var/lib/beian/surreal
//!
//! listens on 127.0.0.1:8000 unless `--bind` or SURREAL_BIND says otherwise;
//! the credentials may come from SURREAL_USER and SURREAL_PASS.
// SurrealDB's futures are deep: computing their layout needs more than
// the default query depth (rustc asks for 256).
#![recursion_limit = "256"]

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
