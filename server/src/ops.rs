//! What an operator needs to run several servers: liveness (`/healthz`),
//! readiness (`/readyz`), requests refused at once with 503 while the
//! database does not answer, a time limit on every request, draining on
//! shutdown, and metrics in Prometheus' text format (served on a listener
//! of their own, `BEIAN_METRICS_ADDR`, never on the public site).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use app::ssr::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// A request that takes longer than this is answered with 503 (its work
/// may still finish: a transaction either commits or does not).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Imports and exports of large files get longer.
pub const LONG_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a shutting-down server keeps serving (while `/readyz` says
/// 503, so the load balancer stops sending) before it stops accepting.
pub const DRAIN: Duration = Duration::from_secs(5);
/// After which in-flight requests are abandoned on shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

static DRAINING: AtomicBool = AtomicBool::new(false);

/// From now on `/readyz` answers 503 (shutdown has begun).
pub fn start_draining() {
    DRAINING.store(true, Ordering::Release);
}

fn draining() -> bool {
    DRAINING.load(Ordering::Acquire)
}

/// `/readyz`: 200 while this server can serve (not shutting down, and the
/// database answers or at least the public query's index is loaded), else
/// 503; says which in JSON. A database outage alone does not make a server
/// unready: it hits every server alike, and a load balancer that took them
/// all out would serve nothing, not even the public query from memory or
/// the message saying what is going on (alert on `beian_database_up`).
pub async fn ready(State(state): State<AppState>) -> Response {
    let database = state.health.is_up();
    let public_index = state.public.is_ready();
    let ok = !draining() && (database || public_index);
    let body = serde_json::json!({
        "status": if draining() { "draining" } else if !ok { "unavailable" } else if database { "ready" } else { "degraded: the database does not answer; the public query answers from memory" },
        "database": if database { "up" } else { "down" },
        "publicIndex": if public_index { "loaded" } else { "loading" },
    });
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// Paths answered without the database: probes, the bundle and the files
/// at the top of the site (favicon, robots.txt).
fn needs_no_database(path: &str) -> bool {
    path == "/healthz" || path == "/readyz" || path.starts_with("/pkg/") || (path.rfind('/') == Some(0) && path.contains('.'))
}

/// A public lookup the in-memory index answers by itself: the JSON API, the
/// search function, and the query page without a certificate or
/// blacklist question and without a session (whose lookup needs the database).
fn answered_from_memory(req: &Request) -> bool {
    let path = req.uri().path();
    if path == "/api/v1/records" || path == "/api/public/search" {
        return true;
    }
    let query = req.uri().query().unwrap_or("");
    let signed_in = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).is_some_and(|c| app::ssr::auth::token_from_cookie_header(c).is_some());
    path == "/query" && !signed_in && !query.split('&').any(|kv| kv.starts_with("cert=") || kv.starts_with("bl="))
}

fn long_running(path: &str) -> bool {
    path == "/api/provider/import" || path == "/api/filing/upload" || path.ends_with("/export") || path.starts_with("/provider/certificate/") || path == "/api/v1/detections"
}

/// A 503 in the form the caller reads: JSON (an [`app::error::AppError`],
/// which the browser's code shows as it shows any error) for server
/// functions and the API, a small page otherwise.
pub fn unavailable(path: &str) -> Response {
    let message = app::error::unavailable();
    let mut resp = if path.starts_with("/api/v1/") {
        // The JSON API's own error shape (see api.rs, detect.rs).
        let body = serde_json::json!({ "code": 503, "error": "unavailable", "msg": message.zh, "msgEn": message.en });
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
    } else if path.starts_with("/api/") {
        let body = serde_json::to_string(&app::error::AppError::Unavailable).unwrap_or_default();
        (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    } else {
        let page = format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>暂时无法访问 · Temporarily unavailable</title><style>body{{font:16px/1.6 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2933}}</style></head>\
             <body><h1>暂时无法访问</h1><p>{}</p><p lang=\"en\">{}</p><p><a href=\"\">重试 / Try again</a></p></body></html>",
            message.zh, message.en
        );
        (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
    };
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// While the database does not answer, requests that need it get 503 at
/// once instead of waiting for the reconnection (the public query still
/// answers from memory when its index is loaded); every request gets 503
/// past its time limit instead of hanging.
pub async fn guard_database(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if needs_no_database(&path) {
        return next.run(req).await;
    }
    let from_memory = state.public.is_ready() && answered_from_memory(&req);
    if !state.health.is_up() && !from_memory {
        metrics().refused.inc();
        return unavailable(&path);
    }
    let limit = if long_running(&path) { LONG_REQUEST_TIMEOUT } else { REQUEST_TIMEOUT };
    // A request waiting on the database when it stops answering is told so
    // as soon as the monitor notices, not when the connection comes back.
    // (Its statement may still run once it does: the message says to check.)
    let work = tokio::time::timeout(limit, next.run(req));
    let outage = async {
        if from_memory {
            std::future::pending::<()>().await
        } else {
            state.health.went_down().await
        }
    };
    tokio::select! {
        done = work => match done {
            Ok(resp) => resp,
            Err(_) => {
                tracing::warn!(path = %path, seconds = limit.as_secs(), "request timed out");
                metrics().timed_out.inc();
                unavailable(&path)
            }
        },
        _ = outage => {
            metrics().refused.inc();
            unavailable(&path)
        }
    }
}

// ---------------------------------------------------------------- metrics

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    refused: Counter,
    timed_out: Counter,
    db_up: Gauge,
    index_ready: Gauge,
    index_records: Gauge,
    outbox: Family<StatusLabels, Gauge>,
    outbox_oldest: Gauge,
    queues: Family<StatusLabels, Gauge>,
}

fn latency_histogram() -> Histogram {
    Histogram::new([0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0])
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("beian");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let in_flight = Gauge::default();
        let refused = Counter::default();
        let timed_out = Counter::default();
        let db_up = Gauge::default();
        let index_ready = Gauge::default();
        let index_records = Gauge::default();
        let outbox = Family::<StatusLabels, Gauge>::default();
        let outbox_oldest = Gauge::default();
        let queues = Family::<StatusLabels, Gauge>::default();
        registry.register("http_requests", "Requests answered, by method, route and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to the response's head, by route", latency.clone());
        registry.register("http_requests_in_flight", "Requests being answered now", in_flight.clone());
        registry.register("requests_refused_database_down", "Requests answered 503 because the database did not answer", refused.clone());
        registry.register("requests_timed_out", "Requests answered 503 past their time limit", timed_out.clone());
        registry.register("database_up", "1 while the database answers this server's pings", db_up.clone());
        registry.register("public_index_ready", "1 while the public query answers from memory", index_ready.clone());
        registry.register("public_index_records", "Public records held in memory", index_records.clone());
        registry.register("outbox_messages", "Messages in the outbox by status (pending: the backlog)", outbox.clone());
        registry.register("outbox_oldest_pending_seconds", "Age of the oldest message not yet sent", outbox_oldest.clone());
        registry.register("applications", "Applications waiting, by status (the review queues)", queues.clone());
        Metrics { registry, requests, latency, in_flight, refused, timed_out, db_up, index_ready, index_records, outbox, outbox_oldest, queues }
    })
}

/// The route a request is counted under: the router's pattern (every page
/// and every server function is a route of its own), `/pkg` for the bundle,
/// else `other`. Never the path a client sent, which would let anyone add
/// label values (and memory) at will.
fn route_label(matched: Option<&str>) -> String {
    match matched {
        Some(m) if m.starts_with("/pkg") => "/pkg".into(),
        Some(m) if !m.contains("{*") => m.chars().take(80).collect(),
        _ => "other".into(),
    }
}

/// The standard methods by name, anything else as `OTHER`.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

/// Counts a request in flight until dropped: also when the client goes
/// away and the request's future is dropped unfinished.
struct InFlight;

impl InFlight {
    fn start() -> InFlight {
        metrics().in_flight.inc();
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics().in_flight.dec();
    }
}

/// Count and time every request.
pub async fn measure(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = route_label(req.extensions().get::<MatchedPath>().map(|m| m.as_str()));
    let m = metrics();
    let in_flight = InFlight::start();
    let resp = next.run(req).await;
    drop(in_flight);
    let status = resp.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    m.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(seconds);
    m.requests.get_or_create(&RequestLabels { method: method.to_string(), route: route.clone(), status }).inc();
    // The access log: the route, never the query string (which can carry
    // a reset link's token) or the client's address.
    tracing::debug!(target: "beian::access", method, %route, status, ms = (seconds * 1000.0) as u64, "request");
    resp
}

/// The statuses in which an application waits for someone.
const QUEUES: [&str; 4] = ["pending_verification", "returned", "pending_bureau", "pre_approval"];

/// The metrics page: counters as they stand, gauges read now (each
/// database count within two seconds, else left as it was).
pub async fn render(state: &AppState) -> String {
    let m = metrics();
    m.db_up.set(i64::from(state.health.is_up()));
    m.index_ready.set(i64::from(state.public.is_ready()));
    m.index_records.set(state.public.len() as i64);
    if state.health.is_up() {
        let counts = state.db.query(
            "(SELECT count() AS n FROM outbox WHERE status = 'pending' GROUP ALL)[0].n ?? 0;
             (SELECT count() AS n FROM outbox WHERE status = 'failed' GROUP ALL)[0].n ?? 0;
             (SELECT VALUE duration::secs(time::now() - created_at) FROM outbox WHERE status = 'pending' ORDER BY created_at LIMIT 1)[0] ?? 0;
             (SELECT status, count() AS n FROM application WHERE status IN $queues GROUP BY status);",
        ).bind(("queues", QUEUES.map(String::from).to_vec()));
        if let Ok(Ok(mut res)) = tokio::time::timeout(Duration::from_secs(2), counts).await {
            if let Ok(Some(n)) = res.take::<Option<i64>>(0) {
                m.outbox.get_or_create(&StatusLabels { status: "pending".into() }).set(n);
            }
            if let Ok(Some(n)) = res.take::<Option<i64>>(1) {
                m.outbox.get_or_create(&StatusLabels { status: "failed".into() }).set(n);
            }
            if let Ok(Some(age)) = res.take::<Option<i64>>(2) {
                m.outbox_oldest.set(age);
            }
            use surrealdb::types::SurrealValue;
            #[derive(SurrealValue)]
            struct Row {
                status: String,
                n: i64,
            }
            if let Ok(rows) = res.take::<Vec<Row>>(3) {
                for s in QUEUES {
                    let n = rows.iter().find(|r| r.status == s).map(|r| r.n).unwrap_or(0);
                    m.queues.get_or_create(&StatusLabels { status: s.into() }).set(n);
                }
            }
        }
    }
    let mut out = String::new();
    if prometheus_client::encoding::text::encode(&mut out, &m.registry).is_err() {
        out.clear();
    }
    out
}

/// The metrics listener's router (`GET /metrics`).
pub fn metrics_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(|State(state): State<AppState>| async move {
                ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], render(&state).await)
            }),
        )
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_labels_are_bounded() {
        assert_eq!(route_label(Some("/provider/unfiled/{key}")), "/provider/unfiled/{key}");
        assert_eq!(route_label(Some("/api/filing/save")), "/api/filing/save");
        assert_eq!(route_label(None), "other", "an unknown path, whatever it is");
        assert_eq!(route_label(Some("/pkg/{*__private__axum_nest_tail_param}")), "/pkg");
        assert_eq!(route_label(Some("/{*rest}")), "other");
        assert_eq!(method_label(&axum::http::Method::from_bytes(b"FOO123").unwrap()), "OTHER");
        assert_eq!(method_label(&axum::http::Method::POST), "POST");
    }

    #[test]
    fn public_lookups_from_memory_but_not_certificates_or_sessions() {
        let req = |uri: &str, cookie: Option<&str>| {
            let mut b = axum::http::Request::get(uri);
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            b.body(axum::body::Body::empty()).unwrap()
        };
        assert!(answered_from_memory(&req("/api/v1/records?q=a.cn", None)));
        assert!(answered_from_memory(&req("/query?q=a.cn", None)));
        assert!(!answered_from_memory(&req("/query?cert=abc", None)));
        assert!(!answered_from_memory(&req("/query?bl=a.cn", None)));
        assert!(!answered_from_memory(&req("/api/public/certificate", None)));
        assert!(!answered_from_memory(&req("/api/filing/list", None)));
    }

    #[test]
    fn probes_and_files_need_no_database() {
        assert!(needs_no_database("/healthz"));
        assert!(needs_no_database("/readyz"));
        assert!(needs_no_database("/pkg/beian.js"));
        assert!(needs_no_database("/favicon.ico"));
        assert!(!needs_no_database("/provider/records/example.com"), "a dot in a page's address is not a file");
        assert!(!needs_no_database("/query"));
        assert!(!needs_no_database("/api/filing/save"));
    }

    #[test]
    fn a_server_function_caller_gets_the_error_as_json() {
        let resp = unavailable("/api/filing/save");
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(resp.headers()[header::RETRY_AFTER], "5");
        assert_eq!(unavailable("/api/v1/records").headers()[header::CONTENT_TYPE], "application/json");
        let page = unavailable("/query");
        assert!(page.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    }
}
