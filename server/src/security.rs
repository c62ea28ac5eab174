//! Security headers on every answer, a Content-Security-Policy with a
//! per-response nonce on pages (the hydration scripts carry it), and the
//! same-site check on every state-changing request.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body: a 5 MB upload and its multipart framing.
pub const MAX_BODY: usize = 6 * 1024 * 1024;
/// The largest body of the 批量导入 upload: the file and its framing.
pub const MAX_IMPORT_BODY: usize = app::domain::import::MAX_IMPORT_BYTES + 1024 * 1024;
/// The one path that takes [`MAX_IMPORT_BODY`].
pub const IMPORT_PATH: &str = "/api/provider/import";

/// Every request body is bounded: [`MAX_IMPORT_BODY`] for the import,
/// [`MAX_BODY`] for the rest. A declared length over the bound is refused
/// at once with a message in both languages; an undeclared one is cut off
/// at the bound (the reader then fails and says the upload did not complete).
pub async fn body_limit(req: Request, next: Next) -> Response {
    let limit = if req.uri().path() == IMPORT_PATH { MAX_IMPORT_BODY } else { MAX_BODY };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let mb = (limit - 1024 * 1024) / 1024 / 1024;
        let text = format!("上传的内容超过 {mb} MB，未处理。请缩小文件或分成几个文件。\nThe upload exceeds {mb} MB and was not processed: make the file smaller or split it.");
        return (StatusCode::PAYLOAD_TOO_LARGE, [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], text).into_response();
    }
    let req = req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

/// The policy of everything that is not a page (API answers, files, errors).
const STRICT: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The page's policy, with the nonce Leptos puts on its inline scripts:
/// scripts only from this site or with the nonce, the wasm compiled by the
/// browser ('wasm-unsafe-eval'), no plugins, no framing.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Called in every page's (and server function's) context: a fresh nonce
/// for the hydration scripts and the policy that names it.
pub fn page_policy() {
    leptos::nonce::provide_nonce();
    if let (Some(nonce), Some(opts)) = (leptos::nonce::use_nonce(), leptos::prelude::use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(v) = HeaderValue::from_str(&page_csp(&nonce)) {
            opts.insert_header(header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

/// Headers every answer carries (`secure`: the site is served over HTTPS).
pub async fn headers(State(secure): State<bool>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, STRICT);
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=()");
    if secure {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    resp
}

/// Whether a request that changes something comes from this site: the
/// browser's `Sec-Fetch-Site`, else `Origin` against the request's host
/// and the configured public address. Requests without either (not from a
/// browser, so not a forged cross-site request) pass.
pub fn same_site(method: &Method, headers: &axum::http::HeaderMap, public_url: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    let public_host = public_url.split_once("://").map(|(_, h)| h.trim_end_matches('/')).unwrap_or("");
    !origin_host.is_empty() && (origin_host == host || origin_host == public_host)
}

pub async fn same_site_writes(State(public_url): State<String>, req: Request, next: Next) -> Response {
    if same_site(req.method(), req.headers(), &public_url) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    (StatusCode::FORBIDDEN, "跨站请求已拒绝 / Cross-site request refused").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn cross_site_writes_are_refused() {
        let url = "https://beian.example.com";
        assert!(same_site(&Method::GET, &h(&[("sec-fetch-site", "cross-site")]), url));
        assert!(!same_site(&Method::POST, &h(&[("sec-fetch-site", "cross-site")]), url));
        assert!(!same_site(&Method::POST, &h(&[("sec-fetch-site", "same-site")]), url));
        assert!(same_site(&Method::POST, &h(&[("sec-fetch-site", "same-origin")]), url));
        assert!(!same_site(&Method::POST, &h(&[("origin", "https://evil.example"), ("host", "beian.example.com")]), url));
        assert!(same_site(&Method::POST, &h(&[("origin", "https://beian.example.com"), ("host", "10.0.0.1:3000")]), url));
        assert!(same_site(&Method::POST, &h(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), url));
        assert!(!same_site(&Method::POST, &h(&[("origin", "null"), ("host", "127.0.0.1:3000")]), url));
        assert!(same_site(&Method::POST, &h(&[]), url), "no browser, no forgery");
    }
}

/// BREACH: a signed-in page holds its owner's data and may echo what a link
/// put in its address, so the size of its compressed form could tell an
/// observer of the traffic something. Answers to a request that carries a
/// session are therefore sent uncompressed (pages, server functions, JSON);
/// the bundle in /pkg is the same for everyone and stays compressed, as do
/// the public pages.
pub async fn no_compression_for_sessions(mut req: Request, next: Next) -> Response {
    let signed_in = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .any(|v| v.to_str().ok().and_then(app::ssr::auth::token_from_cookie_header).is_some());
    if signed_in && !req.uri().path().starts_with("/pkg/") {
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.run(req).await
}
