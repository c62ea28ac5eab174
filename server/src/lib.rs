//! The Beian server: configuration, the axum router and the command line.

pub mod api;
pub mod config;
pub mod ratelimit;

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
use tower_http::set_header::SetResponseHeaderLayer;

pub use ratelimit::RateLimiter;

/// Build the whole site: pages, server functions, the JSON API, static
/// files, the language switch and the rate limit.
pub fn router(leptos_options: LeptosOptions, db: Db, settings: Arc<Settings>) -> Router {
    let limiter = RateLimiter::new(settings.public_rate_limit);
    let state = AppState { leptos_options, db, settings };
    let routes = generate_route_list(App);
    let context_state = state.clone();
    // The browser bundle, served with the .br/.gz files the build scripts
    // write beside it when the client accepts them.
    let pkg = std::path::Path::new(&*state.leptos_options.site_root).join(&*state.leptos_options.site_pkg_dir);
    let pkg_route = format!("/{}", state.leptos_options.site_pkg_dir);
    Router::new()
        .nest_service(&pkg_route, ServeDir::new(pkg).precompressed_br().precompressed_gzip())
        .route("/api/v1/records", get(api::records))
        .route("/lang/{code}", get(set_lang))
        .route("/healthz", get(|| async { "ok" }))
        .route("/files/{id}", get(material_file))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(limiter, ratelimit::limit_public_query))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
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

/// `/files/<id>`: an uploaded material, for its registrant or staff. Never
/// cached by shared caches; shown inline (pictures and PDFs only are stored).
async fn material_file(axum::extract::State(state): axum::extract::State<AppState>, Path(id): Path<String>, headers: axum::http::HeaderMap) -> Response {
    use app::error::AppError;
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let Some(user) = app::ssr::auth::user_from_cookies(&state.db, cookies).await.ok().flatten() else {
        return (StatusCode::UNAUTHORIZED, "请先登录 / Please sign in").into_response();
    };
    match app::ssr::filings::material_file(&state.db, &user, &id).await {
        Ok((mime, filename, bytes)) => {
            let ascii: String = filename.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '_' }).collect();
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{ascii}\"")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e @ (AppError::Forbidden | AppError::NotFound)) => (StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND), e.message(app::domain::Lang::Zh)).into_response(),
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
