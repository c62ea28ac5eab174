//! The Beian server: configuration, the axum router and the command line.

pub mod api;
pub mod config;
pub mod detect;
pub mod export;
pub mod ops;
pub mod ratelimit;
pub mod security;

use std::sync::Arc;

use app::i18n::LANG_COOKIE;
use app::ssr::{AppState, Db, Settings};
use app::{shell, App};
use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::services::ServeDir;

pub use ratelimit::RateLimiter;

/// Build the whole site: pages, server functions, the JSON API, static
/// files, the language switch and the rate limit.
pub fn router(leptos_options: LeptosOptions, db: Db, settings: Arc<Settings>) -> Router {
    site(leptos_options, db, settings).0
}

/// [`router`] and the state it serves with (for the metrics listener).
pub fn site(leptos_options: LeptosOptions, db: Db, settings: Arc<Settings>) -> (Router, AppState) {
    // Whether the database answers, asked every second (see app::ssr::health).
    let health = app::ssr::health::DbHealth::monitor(db.clone(), &settings.db);
    site_with_health(leptos_options, db, settings, health)
}

/// [`site`] with the database's health told by the caller (tests).
pub fn site_with_health(leptos_options: LeptosOptions, db: Db, settings: Arc<Settings>, health: app::ssr::health::DbHealth) -> (Router, AppState) {
    let limiter = RateLimiter::new(settings.public_rate_limit);
    // The public query's records, loaded in the background and kept current
    // by a LIVE query; the database answers until they are loaded.
    let public = app::ssr::read_model::PublicIndex::follow_with(db.clone(), Some(health.recoveries()));
    let state = AppState { leptos_options, db, settings, public, health };
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let returned_state = state.clone();
    let secure = state.settings.secure_cookies;
    // The browser bundle, served with the .br/.gz files the build scripts
    // write beside it when the client accepts them.
    let pkg = std::path::Path::new(&*state.leptos_options.site_root).join(&*state.leptos_options.site_pkg_dir);
    let pkg_route = format!("/{}", state.leptos_options.site_pkg_dir);
    let router = Router::new()
        .nest_service(&pkg_route, ServeDir::new(pkg).precompressed_br().precompressed_gzip())
        .route("/api/v1/records", get(api::records))
        .route("/api/v1/detections", axum::routing::post(detect::ingest))
        .route("/provider/unfiled/stats/export", get(export::unfiled_stats))
        .route("/lang/{code}", get(set_lang))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ops::ready))
        .route("/files/{id}", get(material_file))
        .route("/provider/export", get(export::filed))
        .route("/provider/stats/export", get(export::stats))
        .route("/provider/certificate/{entity}", get(export::certificate))
        .route("/provider/import/template", get(export::import_template))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                security::page_policy();
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), query_answers))
        .layer(axum::middleware::from_fn_with_state(state.db.clone(), signed_in))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::guard_database))
        .layer(axum::middleware::from_fn_with_state(limiter, ratelimit::limit_public_query))
        .layer(axum::middleware::from_fn_with_state(state.settings.public_url.clone(), security::same_site_writes))
        .layer(axum::middleware::from_fn_with_state(secure, security::headers))
        // Pages and JSON go out brotli/gzip-compressed when the client asks
        // (quality 4: most of the saving for little CPU); the bundle in /pkg
        // is already compressed and passes through untouched; nothing for a
        // signed-in session is compressed (BREACH, see security.rs).
        .layer(tower_http::compression::CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(4)))
        .layer(axum::middleware::from_fn(security::no_compression_for_sessions))
        .layer(axum::middleware::from_fn(security::body_limit))
        .layer(axum::extract::DefaultBodyLimit::max(security::MAX_IMPORT_BODY))
        .layer(axum::middleware::from_fn(ops::measure))
        .with_state(state);
    (router, returned_state)
}

/// Who is signed in, looked up before a page is rendered and handed to it
/// as a request extension ([`app::models::SignedIn`]): the page header then
/// needs no `<Suspense>` (see `app::components::layout::UserMenu`). Only
/// requests with a session cookie, and not for the bundle.
async fn signed_in(axum::extract::State(db): axum::extract::State<app::ssr::db::Db>, mut req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    if req.method() == axum::http::Method::GET && !path.starts_with("/pkg/") && !path.starts_with("/api/") {
        let cookies = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok());
        if cookies.and_then(app::ssr::auth::token_from_cookie_header).is_some() {
            if let Ok(Some(user)) = app::ssr::auth::user_from_cookies(&db, cookies).await {
                req.extensions_mut().insert(app::models::SignedIn(user.info().into()));
            }
        }
    }
    next.run(req).await
}

/// The public query page's answers, found before the page is rendered and
/// handed to it as a request extension ([`app::ssr::public::QueryAnswers`]):
/// the page then needs no `<Suspense>` (see `app::pages::public::query`).
/// After the rate limit, which is outside this layer.
async fn query_answers(axum::extract::State(state): axum::extract::State<AppState>, mut req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if req.method() == axum::http::Method::GET && req.uri().path() == "/query" {
        let params = Query::<std::collections::HashMap<String, String>>::try_from_uri(req.uri()).map(|Query(p)| p).unwrap_or_default();
        let get = |k: &str| params.get(k).map(String::as_str);
        let answers = app::ssr::public::answers(&state, get("q"), get("page"), get("type"), get("cert"), get("bl")).await;
        req.extensions_mut().insert(answers);
    }
    next.run(req).await
}

#[derive(serde::Deserialize)]
struct Next {
    next: Option<String>,
}

/// `/lang/en?next=/query` — the language switch without JavaScript.
async fn set_lang(Path(code): Path<String>, Query(next): Query<Next>) -> Response {
    let Some(lang) = app::domain::Lang::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "unknown language / 未知语言").into_response();
    };
    // Only paths on this site: never an open redirect.
    let target = next.next.filter(|n| app::domain::net::is_local_path(n)).unwrap_or_else(|| "/".into());
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    let mut resp = Redirect::to(&target).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// `/files/<id>`: an uploaded material, for whoever may read its filing.
/// Never cached; pictures shown inline inside a sandbox that runs nothing,
/// PDFs as attachments.
async fn material_file(axum::extract::State(state): axum::extract::State<AppState>, Path(id): Path<String>, headers: axum::http::HeaderMap) -> Response {
    use app::error::AppError;
    use app::ssr::guard::{authorize, Intent, Need};
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let user = app::ssr::auth::user_from_cookies(&state.db, cookies).await.ok().flatten();
    let answer = async {
        let cx = authorize(&state.db, &state.settings, user, Need::Material(&id, Intent::Read)).await?;
        app::ssr::materials::file(&cx).await
    };
    match answer.await {
        Ok((mime, filename, bytes)) => {
            let ascii: String = filename.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '_' }).collect();
            let disposition = if mime == "application/pdf" { "attachment" } else { "inline" };
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                    (header::CONTENT_SECURITY_POLICY, "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'".to_string()),
                    (header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{ascii}\"")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden | AppError::NotFound)) => {
            (StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND), [(header::CACHE_CONTROL, "no-store")], e.message(app::domain::Lang::Zh)).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.message(app::domain::Lang::Zh)).into_response(),
    }
}

/// Today's year (UTC) for generated data.
pub fn current_year() -> u16 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    app::domain::date::Date::from_days_since_epoch(days as i64).year
}
