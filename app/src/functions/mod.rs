//! Server functions, grouped by area. Each authenticates, authorises and
//! validates before it acts: the pages' guards are a convenience only.

pub mod account;
pub mod business;
pub mod filing;
pub mod office;
pub mod public;
pub mod review;
pub mod supervision;

#[cfg(feature = "ssr")]
use crate::error::AppError;
#[cfg(feature = "ssr")]
use leptos::prelude::use_context;

/// Whether the request came from a plain HTML form (no JavaScript): then
/// the answer is a redirect, never data.
#[cfg(feature = "ssr")]
pub(crate) fn plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
            && p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}

/// A plain form post (JavaScript off or not loaded yet) gets a redirect: to
/// `ok` on success, to `failed` otherwise (the page then says what to do).
#[cfg(feature = "ssr")]
pub(crate) fn answer_plain<T>(plain: bool, result: &Result<T, AppError>, ok: impl FnOnce(&T) -> String, failed: &str) {
    if plain {
        let target = match result {
            Ok(v) => ok(v),
            Err(_) => failed.to_string(),
        };
        leptos_axum::redirect(&target);
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn enc(s: &str) -> String {
    crate::components::layout::encode_component(s)
}
