//! Server-only code: settings, the database handle and its queries, seeding.
//! Server functions reach it through [`app_state`].

pub mod accounts;
pub mod application;
pub mod apps;
pub mod auth;
pub mod business;
pub mod certificate;
pub mod clients;
pub mod blacklist;
pub mod db;
pub mod detect;
pub mod entity_proof;
pub mod feedback;
pub mod filings;
pub mod guard;
pub mod health;
pub mod import;
pub mod limits;
pub mod materials;
pub mod office;
pub mod outbox;
pub mod public;
pub mod purge;
pub mod read_model;
pub mod review;
pub mod seed;
pub mod sheets;
pub mod stats;
pub mod transition;

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::error::AppError;
pub use db::Db;

/// Runtime settings beyond Leptos' own (from `Leptos.toml`, overridden by
/// environment variables).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Database endpoint: `surrealkv://data/beian.db`, `mem://` or `ws://host:8000`.
    pub db: String,
    /// Root credentials for a `ws://` server.
    pub db_user: Option<String>,
    pub db_pass: Option<String>,
    /// Public query requests per minute per address; 0 turns the limit off.
    pub public_rate_limit: u32,
    /// Seed demo filings and demo staff accounts into an empty database at
    /// start-up. Off unless asked for (`--demo`, `BEIAN_DEMO_DATA=true`).
    pub demo_data: bool,
    /// Development switch (`BEIAN_DEV`): the outbox page for admins, and
    /// activation codes shown on screen when no gateway delivers them.
    pub dev: bool,
    /// How many demo filings to seed.
    pub demo_records: u32,
    /// The site's own 网站备案号, shown in the footer.
    pub site_licence: String,
    /// This system's 接入服务商.
    pub provider_name: String,
    /// Ask for a picture code at sign-in (`BEIAN_CAPTCHA=off` for automated tests).
    pub captcha: bool,
    /// Hours a session lasts.
    pub session_hours: u32,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// The site's address as people reach it, for links in e-mails.
    pub public_url: String,
    /// Where the outbox worker sends messages: an SMTP relay, a folder
    /// (development), memory (tests), or nowhere.
    pub transport: outbox::Transport,
    /// Whether an SMTP relay is configured (demo data is then refused).
    pub smtp_configured: bool,
    /// How a sponsor proves the right to act for a filed entity.
    pub entity_verify: entity_proof::Method,
    /// Rate limits on the account doors.
    pub limits: Arc<limits::Limits>,
}

impl Settings {
    /// Whether an activation code is shown on screen: only in development,
    /// and only when no gateway reaches a person (a development mail folder
    /// reaches nobody's phone).
    pub fn show_codes(&self) -> bool {
        self.dev && !matches!(self.transport, outbox::Transport::Smtp { .. } | outbox::Transport::Memory(_))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            db: "mem://".into(),
            db_user: None,
            db_pass: None,
            public_rate_limit: 0,
            demo_data: false,
            dev: false,
            demo_records: 200,
            site_licence: "京ICP备2026000001号-1".into(),
            provider_name: "北京示例云计算有限公司".into(),
            captcha: true,
            session_hours: 12,
            secure_cookies: false,
            public_url: "http://127.0.0.1:3000".into(),
            transport: outbox::Transport::None,
            smtp_configured: false,
            entity_verify: entity_proof::Method::Password,
            limits: Arc::new(limits::Limits::default()),
        }
    }
}

/// Everything a request handler or server function needs.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    /// The public query's records in memory (see [`read_model`]).
    pub public: read_model::PublicIndex,
    /// Whether the database answers (see [`health`]).
    pub health: health::DbHealth,
}

/// The state provided to server functions through context.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

/// Set the HTTP status of the response a server function (or SSR page) answers with.
pub fn set_status(status: u16) {
    if let (Some(opts), Ok(code)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status)) {
        opts.set_status(code);
    }
}

/// The session token of this request, from its cookie.
pub fn session_token() -> Option<String> {
    use_context::<http::request::Parts>()
        .and_then(|parts| auth::token_from_cookie_header(parts.headers.get(http::header::COOKIE)?.to_str().ok()?))
}

/// The signed-in user of this request, if any.
pub async fn current_user(state: &AppState) -> Result<Option<auth::CurrentUser>, AppError> {
    let parts = use_context::<http::request::Parts>();
    let cookies = parts.as_ref().and_then(|p| p.headers.get(http::header::COOKIE)?.to_str().ok());
    Ok(auth::user_from_cookies(&state.db, cookies).await?)
}

/// Set a response header.
pub fn set_header(name: http::header::HeaderName, value: &'static str) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.insert_header(name, http::HeaderValue::from_static(value));
    }
}

/// The client's address (for rate limits), from the connection.
pub fn client_ip() -> std::net::IpAddr {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip()))
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// Add a `Set-Cookie` header to the response.
pub fn set_cookie(value: String) {
    if let (Some(opts), Ok(v)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&value)) {
        opts.append_header(http::header::SET_COOKIE, v);
    }
}
