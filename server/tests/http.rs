//! The server through HTTP, against an in-memory database: the JSON API, the
//! server function, the server-rendered query page, the language switch and
//! the rate limit.

use std::net::SocketAddr;
use std::sync::Arc;

use app::ssr::{db, seed, Settings};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

async fn site(records: u64, rate_limit: u32) -> Router {
    let (leptos, _) = server::config::built_in().unwrap();
    let database = db::open_memory().await.unwrap();
    if records > 0 {
        seed::seed(&database, records, 42, "测试接入商", 2026, |_| {}).await.unwrap();
    }
    let settings = Settings { public_rate_limit: rate_limit, ..Settings::default() };
    server::router(leptos, database, Arc::new(settings))
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let uri = req.uri().clone();
    // A request that never ends fails the test with its address and what
    // had arrived, instead of holding CI until its limit.
    let got = std::sync::Arc::new(std::sync::Mutex::new((false, Vec::<u8>::new())));
    let sink = got.clone();
    let answer = async move {
        let resp = app.clone().oneshot(req).await.unwrap();
        sink.lock().unwrap().0 = true;
        let status = resp.status();
        let headers = resp.headers().clone();
        let mut body = resp.into_body();
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.unwrap().into_data() {
                sink.lock().unwrap().1.extend_from_slice(&data);
            }
        }
        let bytes = std::mem::take(&mut sink.lock().unwrap().1);
        (status, headers, String::from_utf8_lossy(&bytes).into_owned())
    };
    match tokio::time::timeout(std::time::Duration::from_secs(120), answer).await {
        Ok(a) => a,
        Err(_) => {
            let (head, body) = &*got.lock().unwrap();
            panic!("{uri} gave no complete answer in 120 s (head sent: {head}; {} bytes of body): {}", body.len(), String::from_utf8_lossy(body))
        }
    }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn enc(s: &str) -> String {
    app::components::layout::encode_component(s)
}

async fn api(app: &Router, query: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(app, get(&format!("/api/v1/records?{query}"))).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn sample(app: &Router) -> Value {
    let (status, body) = api(app, &format!("q={}&size=3", enc("有限公司"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"][2].clone()
}

#[tokio::test]
async fn json_api_finds_by_domain_numbers_and_name() {
    let app = site(200, 0).await;
    let rec = sample(&app).await;
    let domain = rec["domain"].as_str().unwrap();
    let service = rec["serviceLicence"].as_str().unwrap();
    let main = rec["mainLicence"].as_str().unwrap();
    let unit = rec["unitName"].as_str().unwrap();

    // MIIT's field names.
    for key in ["unitName", "natureName", "mainLicence", "serviceLicence", "serviceName", "homeUrl", "domain", "contentTypeName", "limitAccess", "updateRecordTime"] {
        assert!(rec.get(key).is_some(), "missing {key}");
    }
    assert_eq!(rec["limitAccess"], "否");

    let (s, by_domain) = api(&app, &format!("q={}", enc(&format!("https://www.{domain}/a/b")))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(by_domain["total"], 1);
    assert_eq!(by_domain["items"][0]["serviceLicence"], service);

    let (_, by_service) = api(&app, &format!("q={}", enc(service))).await;
    assert_eq!(by_service["total"], 1);
    assert_eq!(by_service["items"][0]["domain"], domain);

    let (_, by_main) = api(&app, &format!("q={}", enc(main))).await;
    assert!(by_main["total"].as_u64().unwrap() >= 1);
    for item in by_main["items"].as_array().unwrap() {
        assert_eq!(item["mainLicence"], main);
        assert_eq!(item["unitName"], unit);
    }

    let part: String = unit.chars().skip(2).take(4).collect();
    let (_, by_name) = api(&app, &format!("q={}&size=50", enc(&part))).await;
    let items = by_name["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["unitName"].as_str().unwrap().contains(&part)), "every hit contains {part}");
    assert!(items.iter().any(|i| i["serviceLicence"] == service));

    let (_, nothing) = api(&app, &format!("q={}", enc("不存在的单位名称"))).await;
    assert_eq!(nothing["total"], 0);
    assert_eq!(nothing["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn json_api_pages() {
    let app = site(120, 0).await;
    let (_, p1) = api(&app, &format!("q={}&size=5&page=1", enc("有限公司"))).await;
    let (_, p2) = api(&app, &format!("q={}&size=5&page=2", enc("有限公司"))).await;
    assert_eq!(p1["size"], 5);
    assert_eq!(p2["page"], 2);
    assert_eq!(p1["total"], p2["total"]);
    assert!(p1["total"].as_u64().unwrap() > 10);
    assert_eq!(p1["items"].as_array().unwrap().len(), 5);
    assert_ne!(p1["items"][0]["serviceLicence"], p2["items"][0]["serviceLicence"]);
}

#[tokio::test]
async fn json_api_answers_bad_queries_with_400_and_a_message() {
    let app = site(5, 0).await;
    let long = "字".repeat(200);
    let cases = [
        ("q=".to_string(), "query.empty"),
        ("".to_string(), "query.empty"),
        (format!("q={}", enc(&long)), "query.too_long"),
        (format!("q={}", enc("京ICP备12号")), "licence.shape"),
        (format!("q={}", enc("<script>alert(1)</script>")), "query.chars"),
        (format!("q={}&page=0", enc("有限公司")), "query.page"),
        (format!("q={}&page=abc", enc("有限公司")), "query.number"),
        (format!("q={}&size=1000", enc("有限公司")), "query.size"),
        (format!("q={}&size=-1", enc("有限公司")), "query.number"),
        (format!("q={}", enc("foo.notatld")), "domain.suffix"),
    ];
    for (query, code) in cases {
        let (status, body) = api(&app, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"], code, "{query}");
        assert!(!body["msg"].as_str().unwrap().is_empty());
        assert!(!body["msgEn"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn server_function_searches_and_refuses_bad_input() {
    let app = site(50, 0).await;
    let rec = sample(&app).await;
    let form = |q: &str| {
        Request::post("/api/public/search")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(format!("q={}", enc(q))))
            .unwrap()
    };
    let (status, _, body) = send(&app, form(rec["domain"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["items"][0]["serviceLicence"], rec["serviceLicence"]);

    let (status, _, body) = send(&app, form("")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("请输入域名"), "{body}");
}

#[tokio::test]
async fn query_page_is_complete_without_javascript() {
    let app = site(30, 0).await;
    let rec = sample(&app).await;
    let (status, _, html) = send(&app, get(&format!("/query?q={}", enc(rec["domain"].as_str().unwrap())))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(rec["serviceLicence"].as_str().unwrap()), "results are in the HTML itself");
    assert!(html.contains(r#"name="q""#));
    assert!(html.contains("京ICP备2026000001号-1"), "the footer carries the site's number");

    let (status, _, html) = send(&app, get("/query?q=")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("请输入域名、备案号或主办单位名称"));

    let (status, _, _) = send(&app, get("/no-such-page")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn public_pages_load_no_application_code_and_sessions_get_nothing_compressed() {
    let app = site(30, 0).await;
    for path in ["/", "/query", "/query?q=abc.cn"] {
        let (_, _, html) = send(&app, get(path)).await;
        assert!(html.contains("/pkg/beian.css"), "{path} has its style");
        assert!(!html.contains("/pkg/beian.wasm") && !html.contains(r#"type="module""#), "{path} loads no application code");
    }
    let (_, _, html) = send(&app, get("/login")).await;
    assert!(html.contains("/pkg/beian.wasm"), "the sign-in page loads the application");

    let with = |cookie: Option<&str>| {
        let mut req = Request::get("/query?q=abc.cn").header("accept-encoding", "br, gzip");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.body(Body::empty()).unwrap()
    };
    let (_, headers, _) = send(&app, with(None)).await;
    assert_eq!(headers.get("content-encoding").and_then(|v| v.to_str().ok()), Some("br"), "a public page is compressed");
    let (_, headers, _) = send(&app, with(Some("beian_lang=zh; beian_session=whatever"))).await;
    assert!(headers.get("content-encoding").is_none(), "nothing is compressed for a session (BREACH)");
    let (_, headers, _) = send(&app, with(Some("beian_lang=zh; not_beian_session=x"))).await;
    assert_eq!(headers.get("content-encoding").and_then(|v| v.to_str().ok()), Some("br"), "only the session cookie counts");
}

#[tokio::test]
async fn english_is_a_remembered_switch() {
    let app = site(0, 0).await;
    let (status, headers, _) = send(&app, get("/lang/en?next=/query%3Fq%3Dabc")).await;
    assert!(status.is_redirection());
    assert_eq!(headers[header::LOCATION], "/query?q=abc");
    assert!(headers[header::SET_COOKIE].to_str().unwrap().starts_with("beian_lang=en"));

    let req = Request::get("/query").header(header::COOKIE, "beian_lang=en").body(Body::empty()).unwrap();
    let (_, _, html) = send(&app, req).await;
    assert!(html.contains(r#"lang="en""#));
    assert!(html.contains("Public ICP filing query"));
    let (_, _, html) = send(&app, get("/query")).await;
    assert!(html.contains(r#"lang="zh-CN""#));
    assert!(html.contains("ICP备案信息公共查询"));

    // Never an open redirect.
    let (_, headers, _) = send(&app, get("/lang/zh?next=//evil.example/")).await;
    assert_eq!(headers[header::LOCATION], "/");
}

#[tokio::test]
async fn public_query_is_rate_limited_per_address() {
    let app = site(3, 3).await;
    let from = |ip: &str, uri: &str| {
        let mut req = get(uri);
        req.extensions_mut().insert(ConnectInfo(SocketAddr::new(ip.parse().unwrap(), 40000)));
        req
    };
    let uri = format!("/api/v1/records?q={}", enc("有限公司"));
    for _ in 0..3 {
        assert_eq!(send(&app, from("198.51.100.7", &uri)).await.0, StatusCode::OK);
    }
    let (status, headers, body) = send(&app, from("198.51.100.7", &uri)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(body.contains("查询过于频繁"));
    // The page shares the budget; another address and other routes do not.
    assert_eq!(send(&app, from("198.51.100.7", "/query")).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(send(&app, from("198.51.100.8", &uri)).await.0, StatusCode::OK);
    assert_eq!(send(&app, from("198.51.100.7", "/healthz")).await.0, StatusCode::OK);
}

/// Every server function of the review answers an anonymous caller with 401
/// and does nothing (signed-in callers of each role: app/tests/review.rs).
#[tokio::test]
async fn review_functions_refuse_anonymous_callers() {
    let app = site(0, 0).await;
    let forms = [
        ("/api/review/pass", "id=abc&version=0&opinion=ok"),
        ("/api/review/reject", "id=abc&version=0&reason=no"),
        ("/api/review/pre_approval", "id=abc&version=0&note=check"),
        ("/api/review/approve", "id=abc&version=0"),
        ("/api/filing/open", "id=abc"),
        ("/api/filing/detail", "id=abc"),
    ];
    for (uri, body) in forms {
        let req = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap();
        let (status, _, text) = send(&app, req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}: {text}");
        assert!(text.contains("Unauthenticated"), "{uri}: {text}");
    }
    let json = [
        ("/api/review/queue", r#"{"which":"verify","filter":{}}"#),
        ("/api/review/return", r#"{"id":"abc","version":0,"marks":[{"path":"entity.address","comment":"x"}],"comment":""}"#),
        ("/api/review/correct", r#"{"id":"abc","version":0,"edits":[{"path":"entity.address","value":"x"}]}"#),
    ];
    for (uri, body) in json {
        let req = Request::post(uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
        let (status, _, text) = send(&app, req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}: {text}");
    }
}

async fn site_with(tune: impl FnOnce(&mut Settings)) -> Router {
    let (leptos, _) = server::config::built_in().unwrap();
    let database = db::open_memory().await.unwrap();
    let mut settings = Settings { captcha: false, limits: Arc::new(app::ssr::limits::Limits::off()), ..Settings::default() };
    tune(&mut settings);
    server::router(leptos, database, Arc::new(settings))
}

/// Pages carry a policy with a fresh nonce that the hydration scripts
/// carry too; every answer carries the other headers; HSTS with HTTPS only.
#[tokio::test]
async fn security_headers_on_pages_and_answers() {
    let app = site_with(|_| {}).await;
    let (status, h, body) = send(&app, get("/login")).await;
    assert_eq!(status, StatusCode::OK);
    let csp = h.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_string();
    for part in ["default-src 'self'", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"] {
        assert!(csp.contains(part), "{csp}");
    }
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    assert!(nonce.len() >= 16);
    assert!(body.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the page's nonce");
    let (_, h2, _) = send(&app, get("/login")).await;
    assert_ne!(h2.get(header::CONTENT_SECURITY_POLICY), h.get(header::CONTENT_SECURITY_POLICY), "a new nonce per answer");
    assert_eq!(h.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let (_, h, _) = send(&app, get("/api/v1/records?q=example.com")).await;
    assert!(h.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().starts_with("default-src 'none'"));
    let secure = site_with(|s| s.secure_cookies = true).await;
    let (_, h, _) = send(&secure, get("/query")).await;
    assert!(h.get(header::STRICT_TRANSPORT_SECURITY).unwrap().to_str().unwrap().contains("max-age="));
}

/// A write from another site is refused before it reaches a function.
#[tokio::test]
async fn cross_site_writes_are_refused() {
    let app = site_with(|_| {}).await;
    let post = |extra: (&'static str, &'static str)| {
        Request::post("/api/account/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:3000")
            .header(extra.0, extra.1)
            .body(Body::from("username=a&password=b&captcha_id=&captcha="))
            .unwrap()
    };
    assert_eq!(send(&app, post(("origin", "https://evil.example"))).await.0, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, post(("sec-fetch-site", "cross-site"))).await.0, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, post(("sec-fetch-site", "same-site"))).await.0, StatusCode::FORBIDDEN, "a sibling subdomain is another site");
    assert_ne!(send(&app, post(("origin", "http://127.0.0.1:3000"))).await.0, StatusCode::FORBIDDEN);
    assert_ne!(send(&app, post(("sec-fetch-site", "same-origin"))).await.0, StatusCode::FORBIDDEN);
}

/// Sign-in from a plain form (no JavaScript): a redirect, never the
/// password in an address, and `next` only ever to this site.
#[tokio::test]
async fn plain_sign_in_redirects_only_to_this_site() {
    let app = site_with(|_| {}).await;
    let vectors = [
        "//evil.example/",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "/\t/evil.example",
        "/ /evil.example",
        "javascript:alert(1)",
        "/filings\r\nSet-Cookie: x=1",
    ];
    for v in vectors {
        let body = format!("username=nobody&password=hunter2-secret&captcha_id=&captcha=&next={}", enc(v));
        let req = Request::post("/api/account/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .body(Body::from(body))
            .unwrap();
        let (status, h, _) = send(&app, req).await;
        assert!(status.is_redirection(), "{v:?}: {status}");
        let to = h.get(header::LOCATION).unwrap().to_str().unwrap();
        assert!(to.starts_with("/login?failed=1"), "{v:?} → {to}");
        assert!(!to.contains("hunter2"), "the password is never in an address");
        assert!(!to.contains("next="), "a foreign next is dropped: {v:?} → {to}");
        // The language switch follows the same rule.
        let (status, h, _) = send(&app, get(&format!("/lang/en?next={}", enc(v)))).await;
        assert!(status.is_redirection());
        assert_eq!(h.get(header::LOCATION).unwrap(), "/", "{v:?}");
    }
    let (_, h, _) = send(&app, get(&format!("/lang/en?next={}", enc("/query?q=a")))).await;
    assert_eq!(h.get(header::LOCATION).unwrap(), "/query?q=a");
}

/// Without a picture code (captchas off) the plain form has no captcha
/// fields: it still signs in, or says why not.
#[tokio::test]
async fn plain_sign_in_without_captcha_fields() {
    let app = site_with(|_| {}).await;
    let req = Request::post("/api/account/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .body(Body::from("next=%2Fprovider&username=nobody&password=wrong-pass-1"))
        .unwrap();
    let (status, h, _) = send(&app, req).await;
    assert!(status.is_redirection(), "{status}");
    assert!(h.get(header::LOCATION).unwrap().to_str().unwrap().starts_with("/login?failed=1&next=/provider"), "{:?}", h.get(header::LOCATION));
}

/// While the database does not answer: server functions get 503 with the
/// error the browser shows, pages a short page saying so, `/readyz` says
/// the database is down, `/healthz` 200, the public query answers from memory; all at once, not
/// after a wait. When it answers again, so does everything.
#[tokio::test]
async fn database_down_is_a_503_at_once_and_up_again_is_served() {
    let (leptos, _) = server::config::built_in().unwrap();
    let database = db::open_memory().await.unwrap();
    seed::seed(&database, 20, 42, "测试接入商", 2026, |_| {}).await.unwrap();
    let health = app::ssr::health::DbHealth::default();
    let (app, state) = server::site_with_health(leptos, database, Arc::new(Settings { public_rate_limit: 0, ..Settings::default() }), health.clone());
    let domain = sample(&app).await["domain"].as_str().unwrap().to_string();
    // Wait for the in-memory index.
    for _ in 0..200 {
        if state.public.is_ready() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(send(&app, get("/readyz")).await.0, StatusCode::OK);

    health.record(false);
    let started = std::time::Instant::now();
    let call = Request::post("/api/filing/list").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::empty()).unwrap();
    let (status, h, body) = send(&app, call).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h[header::RETRY_AFTER], "5");
    let error: app::error::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(error, app::error::AppError::Unavailable);
    assert!(error.message(app::domain::Lang::Zh).contains("稍后再试"));
    let (status, _, page) = send(&app, get("/login")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("暂时无法访问") && page.contains("Nothing saved is lost"), "{page}");
    // Still ready (it serves the public query and says what is going on),
    // and it says the database is down.
    let (status, _, ready) = send(&app, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ready.contains("\"database\":\"down\"") && ready.contains("degraded"), "{ready}");
    assert_eq!(send(&app, get("/healthz")).await.0, StatusCode::OK);
    let (status, _, found) = send(&app, get(&format!("/api/v1/records?q={}", enc(&domain)))).await;
    assert_eq!(status, StatusCode::OK, "the public query answers from memory: {found}");
    assert!(found.contains(&domain));
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "answered at once, not after a wait");

    health.record(true);
    assert_eq!(send(&app, get("/readyz")).await.0, StatusCode::OK);
    assert_eq!(send(&app, get("/login")).await.0, StatusCode::OK);
}

/// The metrics listener's page: Prometheus text with the requests counted
/// by route pattern (never the path sent), and the gauges read on demand.
#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let (leptos, _) = server::config::built_in().unwrap();
    let database = db::open_memory().await.unwrap();
    let (app, state) = server::site(leptos, database, Arc::new(Settings { public_rate_limit: 0, ..Settings::default() }));
    assert_eq!(send(&app, get("/readyz")).await.0, StatusCode::OK);
    assert_eq!(send(&app, get("/no/such/page-with-a-token-xyz123")).await.0, StatusCode::NOT_FOUND);
    let metrics = server::ops::metrics_router(state);
    let (status, h, text) = send(&metrics, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("openmetrics-text"));
    assert!(text.contains("beian_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"}"), "{text}");
    assert!(text.contains("beian_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("beian_database_up 1"), "{text}");
    assert!(text.contains("beian_outbox_messages{status=\"pending\"} 0"), "{text}");
    assert!(!text.contains("xyz123"), "an unknown path is counted as other, never by its text");
    assert!(text.ends_with("# EOF\n"));
}
