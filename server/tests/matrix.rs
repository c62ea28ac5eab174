//! The authorisation matrix: every server function and every route that
//! reads private data, called over HTTP by each kind of caller, against the
//! answer it must get. The table is checked against the registry of server
//! functions: a function without a row fails this test.
//!
//! Acting rows send version -1 (or a state the action does not fit), so an
//! allowed caller is told "conflict" (409) or "invalid" (422) and nothing
//! moves; what matters is 401/403 versus anything else, and never a 500.

#[path = "../../app/tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;

use app::domain::workflow::Role;
use app::ssr::auth::{self, CurrentUser};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use common::{png, uscc, World};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Owner,
    OtherRegistrant,
    Provider,
    BureauSame,
    BureauOther,
    Admin,
}

const EVERYONE: [Who; 7] = [Who::Anonymous, Who::Owner, Who::OtherRegistrant, Who::Provider, Who::BureauSame, Who::BureauOther, Who::Admin];

/// What a caller must get: let through (any answer but 401/403, never 5xx),
/// or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Through,
    Unauthenticated,
    Forbidden,
}
use Expect::{Forbidden as F, Through as T, Unauthenticated as U};

enum Body_ {
    Form(String),
    Json(String),
    Multipart(Vec<u8>, &'static str),
    Get,
}

struct Row {
    path: String,
    body: Body_,
    /// Anonymous, owner, another registrant, provider, 管局 (same province), 管局 (other province), admin.
    expect: [Expect; 7],
}

fn row(path: &str, body: Body_, expect: [Expect; 7]) -> Row {
    Row { path: path.to_string(), body, expect }
}

fn form(s: &str) -> Body_ {
    Body_::Form(s.to_string())
}

fn json(s: String) -> Body_ {
    Body_::Json(s)
}

struct Fixture {
    w: World,
    app: Router,
    users: Vec<(Who, CurrentUser)>,
    /// Waiting for 核实 (provider side).
    at_provider: String,
    /// Passed to the 管局 of Beijing.
    at_bureau: String,
    /// A material of each.
    material_provider: String,
    material_bureau: String,
}

async fn fixture() -> Fixture {
    let w = World::with(|s| s.dev = true).await;
    let (leptos, _) = server::config::built_in().unwrap();
    let app = server::router(leptos, w.db.clone(), w.s.clone());
    let owner = w.registrant("owner01", "13800138000").await;
    let other = w.registrant("other01", "13800138001").await;
    let clerk = w.staff("clerk01", Role::Provider, "13700137000", None).await;
    let bj = w.staff("bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let sh = w.staff("bureau_sh", Role::Bureau, "13600136001", Some(31)).await;
    let admin = w.staff("admin01", Role::Admin, "13500135000", None).await;
    let at_provider = w.submitted(&owner, &uscc(1), "matrix-one.cn", false).await;
    let at_bureau = w.submitted(&owner, &uscc(2), "matrix-two.cn", false).await;
    w.verify_and_pass(&clerk, &at_bureau).await;
    let material_provider = w.detail(&owner, &at_provider).await.unwrap().materials[0].id.clone();
    let material_bureau = w.detail(&owner, &at_bureau).await.unwrap().materials[0].id.clone();
    let users = vec![(Who::Owner, owner), (Who::OtherRegistrant, other), (Who::Provider, clerk), (Who::BureauSame, bj), (Who::BureauOther, sh), (Who::Admin, admin)];
    Fixture { w, app, users, at_provider, at_bureau, material_provider, material_bureau }
}

fn multipart(application: &str, kind: &str) -> Body_ {
    let b = "----matrixboundary";
    let mut body = Vec::new();
    for (name, value) in [("application", application), ("kind", kind)] {
        body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend_from_slice(&png());
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    Body_::Multipart(body, b)
}

/// A 批量导入 upload of these bytes as `a.xlsx`.
fn import_upload(bytes: &[u8]) -> Body_ {
    let b = "----importboundary";
    let mut body = format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    Body_::Multipart(body, b)
}

fn table(fx: &Fixture) -> Vec<Row> {
    let (p, b) = (&fx.at_provider, &fx.at_bureau);
    let (mp, mb) = (&fx.material_provider, &fx.material_bureau);
    let registrants = [U, T, T, F, F, F, F];
    let signed_in = [U, T, T, T, T, T, T];
    let anyone = [T; 7];
    vec![
        // Accounts: the doors are open to anyone; the rest needs a session.
        row("/api/account/me", form(""), anyone),
        row("/api/account/captcha", form(""), anyone),
        row("/api/account/register", form("username=x&password=1&password2=2&contact_name=&mobile=1&email=x"), anyone),
        row("/api/account/activate", form("username=nobody&code=000000"), anyone),
        row("/api/account/resend", form("username=nobody"), anyone),
        row("/api/account/login", form("username=nobody&password=wrong-pass&captcha_id=&captcha="), anyone),
        row("/api/account/forgot", form("username=nobody&contact_name=x&email=x%40example.com"), anyone),
        row("/api/account/reset", form("token=00&password=x&password2=x"), anyone),
        row("/api/account/password", form("old_password=wrong-old-pass&password=n3w-password&password2=n3w-password"), signed_in),
        row("/api/account/profile", form("contact_name=&mobile=1&email=x"), signed_in),
        row("/api/account/logout", form(""), anyone),
        // The outbox: administrators only (and only with the development switch).
        row("/api/dev/outbox", form(""), [U, F, F, F, F, F, T]),
        // The registrant's filings.
        // The type check and start: also the provider adding a website or access for a client (代为办理).
        row("/api/filing/detect", form("cert_number=91110108717743469K&domains=new-one.cn"), [U, T, T, T, F, F, F]),
        row("/api/filing/entity_code", form(&format!("cert_number={}&domains=matrix-one.cn", uscc(1))), [U, T, T, T, F, F, F]),
        row("/api/filing/draft", form(""), [U, T, T, T, F, F, F]),
        row("/api/filing/start", form("cert_number=bad&domains=bad"), [U, T, T, T, F, F, F]),
        row("/api/filing/list", form(""), registrants),
        row("/api/filing/save", json(format!(r#"{{"id":"{p}","step":1,"form":{{}},"version":-1}}"#)), [U, T, F, F, F, F, F]),
        // (A filing with the 管局: a withdrawal of one waiting for 核实 would go through.)
        row("/api/filing/discard", form(&format!("id={b}")), [U, T, F, F, F, F, F]),
        row("/api/filing/submit", form(&format!("id={p}")), [U, T, F, F, F, F, F]),
        row("/api/filing/open", form(&format!("id={p}")), [U, T, F, F, F, F, F]),
        row("/api/filing/upload", multipart(p, "other"), [U, T, F, F, F, F, F]),
        row("/api/filing/material/remove", form(&format!("id={mp}")), [U, T, F, F, F, F, F]),
        // Reading a filing: its owner, the provider, the 管局 of its province once passed to it.
        row("/api/filing/detail", form(&format!("id={b}")), [U, T, F, T, T, F, F]),
        row(&format!("/files/{mb}"), Body_::Get, [U, T, F, T, T, F, F]),
        row(&format!("/files/{mp}"), Body_::Get, [U, T, F, T, F, F, F]),
        // The public query.
        row("/api/public/search", form("q=example.com&page=1"), anyone),
        row("/api/v1/records?q=example.com", Body_::Get, anyone),
        // Probes: public, and they say nothing private.
        row("/healthz", Body_::Get, anyone),
        row("/readyz", Body_::Get, anyone),
        // The provider's 核实.
        row("/api/review/queue", json(r#"{"which":"verify","filter":{}}"#.into()), [U, F, F, T, F, F, F]),
        row("/api/review/return", json(format!(r#"{{"id":"{p}","version":-1,"marks":[{{"path":"entity.address","comment":"x"}}],"comment":""}}"#)), [U, F, F, T, F, F, F]),
        row("/api/review/marks", json(format!(r#"{{"id":"{p}","marks":[],"comment":""}}"#)), [U, F, F, T, F, F, F]),
        row("/api/review/pass", form(&format!("id={p}&version=-1&opinion=ok")), [U, F, F, T, F, F, F]),
        row("/api/review/correct", json(format!(r#"{{"id":"{p}","version":-1,"edits":[{{"path":"entity.address","value":"x"}}]}}"#)), [U, F, F, T, F, F, F]),
        row("/api/review/reissue_password", form("licence=%E4%BA%ACICP%E5%A4%872026000999%E5%8F%B7"), [U, F, F, T, F, F, F]),
        // Life after approval: 我的备案 and starting a business are the registrant's;
        // 取消接入 and its confirmation the provider's; 空壳网站 the 管局's.
        row("/api/business/records", form(""), registrants),
        // The provider starts a client's business for it (代为办理).
        row("/api/business/begin", form("kind=change_entity&entity=nosuchentity&proof=x"), [U, T, T, T, F, F, F]),
        row("/api/business/code", form("entity=nosuchentity"), [U, T, T, T, F, F, F]),
        row("/api/business/confirm", form(&format!("id={p}&version=-1")), [U, F, F, T, F, F, F]),
        row("/api/business/sites", form("q="), [U, F, F, T, F, F, F]),
        // The back office's 组合查询, its export and one filing in full: the provider's.
        row("/api/office/search", json(r#"{"query":{"name":"x"}}"#.into()), [U, F, F, T, F, F, F]),
        row("/api/office/detail", form("website=nosuchsite"), [U, F, F, T, F, F, F]),
        row("/provider/export?format=csv&name=x", Body_::Get, [U, F, F, T, F, F, F]),
        row("/provider/export?format=xlsx", Body_::Get, [U, F, F, T, F, F, F]),
        row("/api/office/clients", json(r#"{"query":{}}"#.into()), [U, F, F, T, F, F, F]),
        row("/api/office/reset", json(r#"{"selection":{"Accounts":["nosuchclient"]},"new":"Generate"}"#.into()), [U, F, F, T, F, F, F]),
        row("/api/office/feedback", form(""), [U, F, F, T, T, T, F]),
        row("/api/office/feedback/new", form("province=11&subject=x&body=y"), [U, F, F, T, F, F, F]),
        row("/api/office/feedback/answer", form("id=nosuchfeedback&version=1&answer=x"), [U, F, F, F, T, T, F]),
        row("/api/office/stats", form("group=province&until=2026-01-01"), [U, F, F, T, F, F, F]),
        row("/provider/stats/export?format=csv&group=month&until=2026-01-01", Body_::Get, [U, F, F, T, F, F, F]),
        row("/api/office/entities", json(r#"{"query":{}}"#.into()), [U, F, F, T, F, F, F]),
        row("/provider/certificate/nosuchentity", Body_::Get, [U, F, F, T, F, F, F]),
        // 批量导入: the template and the upload, the provider's staff only.
        row("/provider/import/template", Body_::Get, [U, F, F, T, F, F, F]),
        row("/api/provider/import", import_upload(b"not a workbook"), [U, F, F, T, F, F, F]),
        row("/api/public/certificate", form("code=7KQ3-M9XD-2HPA-W4TN"), anyone),
        row("/api/business/cancel_access", form("access=nosuchaccess&reason=1"), [U, F, F, T, F, F, F]),
        row("/api/business/empty", form(""), [U, F, F, F, T, T, F]),
        row("/api/business/amend", form(&format!("id={p}&version=-1&reason=1")), [U, T, F, F, F, F, F]),
        row("/api/business/delete", form(&format!("id={p}&version=-1")), [U, F, F, F, F, F, F]),
        row("/api/business/history", form("website=nosuchsite"), [U, T, T, T, T, T, F]),
        // Supervision: 未备案检测 and its statistics, the provider's; the
        // blacklist kept by the 管局 and administrators, read by staff;
        // shippers' tokens, an administrator's; 违法违规查询, anyone's.
        row("/api/supervision/unfiled", json(r#"{"query":{}}"#.into()), [U, F, F, T, F, F, F]),
        row("/api/supervision/unfiled/detail", form("key=nosuch-site.cn"), [U, F, F, T, F, F, F]),
        row("/api/supervision/unfiled/handle", form("key=nosuch-site.cn&version=-1&result=closed"), [U, F, F, T, F, F, F]),
        row("/api/supervision/unfiled/stats", json(r#"{"group":"province","query":{},"lang":"zh"}"#.into()), [U, F, F, T, F, F, F]),
        row("/provider/unfiled/stats/export?format=csv&group=state", Body_::Get, [U, F, F, T, F, F, F]),
        row("/api/supervision/blacklist", form("by=domain&value="), [U, F, F, T, T, T, T]),
        row("/api/supervision/blacklist/add", json(r#"{"entry":{"kind":"domain"}}"#.into()), [U, F, F, F, T, T, T]),
        row("/api/supervision/blacklist/remove", form("key=nosuchentry&version=1"), [U, F, F, F, T, T, T]),
        row("/api/supervision/illegal", form(""), [U, F, F, T, F, F, F]),
        row("/api/admin/tokens", form(""), [U, F, F, F, F, F, T]),
        row("/api/admin/tokens/new", form("name="), [U, F, F, F, F, F, T]),
        row("/api/admin/tokens/revoke", form("key=nosuchtoken"), [U, F, F, F, F, F, T]),
        row("/api/public/violation", form("q=nosuch-site.cn"), anyone),
        // The 管局's decisions, in its own province only.
        row("/api/review/approve", form(&format!("id={b}&version=-1")), [U, F, F, F, T, F, F]),
        row("/api/review/reject", form(&format!("id={b}&version=-1&reason=no")), [U, F, F, F, T, F, F]),
        row("/api/review/pre_approval", form(&format!("id={b}&version=-1&note=check")), [U, F, F, F, T, F, F]),
    ]
}

async fn call(fx: &Fixture, who: Who, r: &Row) -> (StatusCode, String) {
    let mut req = match &r.body {
        Body_::Get => Request::get(&r.path).body(Body::empty()).unwrap(),
        Body_::Form(s) => Request::post(&r.path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(s.clone())).unwrap(),
        Body_::Json(s) => Request::post(&r.path).header(header::CONTENT_TYPE, "application/json").body(Body::from(s.clone())).unwrap(),
        Body_::Multipart(bytes, boundary) => Request::post(&r.path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(bytes.clone()))
            .unwrap(),
    };
    if let Some((_, user)) = fx.users.iter().find(|(w, _)| *w == who) {
        // A session of its own for every call (a row signs out).
        let token = auth::create_session(&fx.w.db, &user.id, 1).await.unwrap();
        let cookie = auth::session_cookie(&token, 1, false);
        req.headers_mut().insert(header::COOKIE, cookie.split(';').next().unwrap().parse().unwrap());
    }
    let resp = fx.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).chars().take(300).collect())
}

#[tokio::test]
async fn every_function_and_route_answers_each_caller_as_the_table_says() {
    let fx = fixture().await;
    let rows = table(&fx);

    // Every registered server function has a row.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).collect();
    assert!(registered.len() >= 30, "the registry lists the server functions: {registered:?}");
    let covered: BTreeSet<String> = rows.iter().map(|r| r.path.clone()).collect();
    let missing: Vec<&String> = registered.difference(&covered).collect();
    assert!(missing.is_empty(), "server functions without a row in the authorisation matrix: {missing:?}");

    let versions_before: Vec<i64> = vec![fx.w.version(&fx.users[0].1, &fx.at_provider).await, fx.w.version(&fx.users[0].1, &fx.at_bureau).await];
    let mut failures = Vec::new();
    for r in &rows {
        for (i, who) in EVERYONE.iter().enumerate() {
            let (status, body) = call(&fx, *who, r).await;
            let got = match status {
                StatusCode::UNAUTHORIZED => U,
                StatusCode::FORBIDDEN => F,
                s if s.is_server_error() => {
                    failures.push(format!("{} as {who:?}: {s} {body}", r.path));
                    continue;
                }
                _ => T,
            };
            if got != r.expect[i] {
                failures.push(format!("{} as {who:?}: expected {:?}, got {status} {body}", r.path, r.expect[i]));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    // Nothing moved.
    let versions_after: Vec<i64> = vec![fx.w.version(&fx.users[0].1, &fx.at_provider).await, fx.w.version(&fx.users[0].1, &fx.at_bureau).await];
    assert_eq!(versions_before, versions_after);
}

/// An upload cut off in the middle is an error, and stores nothing.
#[tokio::test]
async fn a_cut_off_upload_is_an_error() {
    let fx = fixture().await;
    let owner = fx.users[0].1.clone();
    let draft = fx.w.start(&owner, &uscc(3), "cut-off.cn").await.unwrap();
    let Body_::Multipart(mut bytes, boundary) = multipart(&draft.id, "entity_cert") else { unreachable!() };
    bytes.truncate(bytes.len() - 900);
    let r = row("/api/filing/upload", Body_::Multipart(bytes, boundary), [T; 7]);
    let (status, body) = call(&fx, Who::Owner, &r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("上传未完成"), "{body}");
    assert!(fx.w.current_draft(&owner).await.unwrap().unwrap().materials.is_empty());
    // The whole file goes in.
    let (status, body) = call(&fx, Who::Owner, &row("/api/filing/upload", multipart(&draft.id, "entity_cert"), [T; 7])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let materials = fx.w.current_draft(&owner).await.unwrap().unwrap().materials;
    assert_eq!(materials.len(), 1);
    // Served to its owner never cached, inside a sandbox that runs nothing.
    let token = auth::create_session(&fx.w.db, &owner.id, 1).await.unwrap();
    let cookie = auth::session_cookie(&token, 1, false);
    let req = Request::get(format!("/files/{}", materials[0].id)).header(header::COOKIE, cookie.split(';').next().unwrap()).body(Body::empty()).unwrap();
    let resp = fx.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let csp = h.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("sandbox") && csp.starts_with("default-src 'none'"), "{csp}");
    assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert!(h.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().starts_with("inline"));
}

/// 批量导入 over HTTP: a 100 MB upload is refused before it is read, with a
/// message; a real file is imported and the answer carries the result.
#[tokio::test]
async fn an_import_over_http_is_bounded_and_answers_with_its_result() {
    let fx = fixture().await;
    let clerk = fx.users.iter().find(|(w, _)| *w == Who::Provider).unwrap().1.clone();
    let token = auth::create_session(&fx.w.db, &clerk.id, 1).await.unwrap();
    let cookie = auth::session_cookie(&token, 1, false).split(';').next().unwrap().to_string();
    let post = |body: Body, len: Option<usize>| {
        let mut r = Request::post("/api/provider/import").header(header::CONTENT_TYPE, "multipart/form-data; boundary=----importboundary").header(header::COOKIE, cookie.clone());
        if let Some(n) = len {
            r = r.header(header::CONTENT_LENGTH, n);
        }
        r.body(body).unwrap()
    };
    let resp = fx.app.clone().oneshot(post(Body::from("x"), Some(100 * 1024 * 1024))).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let text = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(text.contains("超过 20 MB"), "{text}");
    // Elsewhere the bound is the usual one.
    let resp = fx.app.clone().oneshot(Request::post("/api/filing/upload").header(header::CONTENT_LENGTH, 7 * 1024 * 1024).body(Body::from("x")).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A sample of two filings, imported.
    let sample = app::ssr::import::sample(2, 77, &fx.w.s.provider_name, 0).unwrap();
    let Body_::Multipart(bytes, _) = import_upload(&sample) else { unreachable!() };
    let n = bytes.len();
    let resp = fx.app.clone().oneshot(post(Body::from(bytes), Some(n))).await.unwrap();
    let status = resp.status();
    let text = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    let o: app::models::ImportOutcome = serde_json::from_str(&text).unwrap();
    assert_eq!((o.imported, o.refused), (2, 0));
    assert!(o.accounts_xlsx.is_some());
}

/// The shippers' endpoint: no token, a wrong one, a revoked one are 401
/// (a session cookie is no token); too many observations are 413; a good
/// batch is recorded and bad observations are counted, not fatal.
#[tokio::test]
async fn the_ingestion_endpoint_takes_only_live_tokens_and_bounded_batches() {
    let fx = fixture().await;
    let admin = fx.users.iter().find(|(w, _)| *w == Who::Admin).unwrap().1.clone();
    let acx = fx.w.cx(Some(&admin), app::ssr::guard::Need::Role(&[Role::Admin])).await.unwrap();
    let t = app::ssr::detect::create_token(&acx, "shipper").await.unwrap();
    let post = |token: Option<&str>, body: String| {
        let mut r = Request::post("/api/v1/detections").header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        r.body(Body::from(body)).unwrap()
    };
    let send = |req: Request<Body>| async {
        let resp = fx.app.clone().oneshot(req).await.unwrap();
        let s = resp.status();
        let b = resp.into_body().collect().await.unwrap().to_bytes();
        (s, String::from_utf8_lossy(&b).to_string())
    };
    let one = r#"{"observations":[{"serverIp":"1.2.4.8","host":"Shipped-Site.cn:443","firstSeen":"2026-12-03T01:00:00Z","lastSeen":1796263200,"hits":7},{"serverIp":"nope","host":"x.cn","firstSeen":1,"lastSeen":2}]}"#;
    let (s, b) = send(post(None, one.into())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert!(b.contains("令牌无效"));
    let (s, _) = send(post(Some("bk_wrongwrongwrong"), one.into())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A staff session is not a token.
    let token = app::ssr::auth::create_session(&fx.w.db, &admin.id, 1).await.unwrap();
    let cookie = app::ssr::auth::session_cookie(&token, 1, false).split(';').next().unwrap().to_string();
    let mut req = post(None, one.into());
    req.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
    assert_eq!(send(req).await.0, StatusCode::UNAUTHORIZED);

    let (s, b) = send(post(Some(&t.token), one.into())).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!((v["newDetections"].as_u64(), v["rejected"].as_u64()), (Some(1), Some(1)), "{v}");
    assert_eq!(v["rejectedSamples"][0]["index"], 1);
    assert!(matches!(fx.w.cx(None, app::ssr::guard::Need::Anyone).await, Ok(_)));

    let (s, b): (StatusCode, String) = send(post(Some(&t.token), "not json".into())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let many = format!(r#"{{"observations":[{}]}}"#, vec![r#"{"serverIp":"1.2.4.8","host":"a.cn","firstSeen":1764730000,"lastSeen":1764730000}"#; 10_001].join(","));
    let (s, b) = send(post(Some(&t.token), many)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert!(b.contains("10000"));

    // A named batch sent twice is recorded once; a bad name is a 400.
    let named = one.replacen('{', r#"{"batchId":"shipper-a/2026-12-04T02:00/17","#, 1).replace("Shipped-Site.cn", "named-batch.cn");
    let (s, b) = send(post(Some(&t.token), named.clone())).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!((v["newDetections"].as_u64(), v["repeated"].as_bool()), (Some(1), Some(false)), "{v}");
    let (s, b) = send(post(Some(&t.token), named)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let again: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!((again["newDetections"].as_u64(), again["repeated"].as_bool(), &again["run"]), (Some(0), Some(true), &v["run"]), "{again}");
    let times: Vec<i64> = fx.w.db.query("SELECT VALUE times FROM detection WHERE domain = 'named-batch.cn'").await.unwrap().take(0).unwrap();
    assert_eq!(times, vec![1]);
    let long = one.replacen('{', &format!(r#"{{"batchId":"{}","#, "x".repeat(101)), 1);
    let (s, b) = send(post(Some(&t.token), long)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("batchId"));

    app::ssr::detect::revoke_token(&acx, &t.info.key).await.unwrap();
    assert_eq!(send(post(Some(&t.token), one.into())).await.0, StatusCode::UNAUTHORIZED);
}
