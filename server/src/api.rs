//! The JSON API: `GET /api/v1/records?q=…&page=…&size=…`.

use std::collections::HashMap;

use app::domain::lookup::{page_window, parse_lookup, ServiceKind};
use app::domain::Problem;
use app::ssr::{public, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

fn bad_request(p: Problem) -> Response {
    let body = serde_json::json!({
        "code": 400,
        "error": p.code,
        "msg": p.message.zh,
        "msgEn": p.message.en,
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn number(params: &HashMap<String, String>, key: &str) -> Result<Option<u32>, Problem> {
    match params.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            Problem::new("query.number", format!("参数 {key} 应为正整数"), format!("the parameter {key} must be a positive whole number"))
        }),
    }
}

pub async fn records(State(state): State<AppState>, Query(params): Query<HashMap<String, String>>) -> Response {
    let q = params.get("q").map(String::as_str).unwrap_or("");
    let lookup = match parse_lookup(q) {
        Ok(l) => l,
        Err(p) => return bad_request(p),
    };
    let window = || page_window(number(&params, "page")?, number(&params, "size")?);
    let (page, size) = match window() {
        Ok(w) => w,
        Err(p) => return bad_request(p),
    };
    // MIIT's serviceType: 1 网站, 6 APP; absent for both.
    let kind = match ServiceKind::parse_filter(params.get("serviceType").map(String::as_str)) {
        Ok(k) => k,
        Err(p) => return bad_request(p),
    };
    match public::find(&state.public, &state.db, &lookup, kind, page, size).await {
        Ok(found) => Json(found).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "public search failed");
            let body = serde_json::json!({
                "code": 500, "error": "internal",
                "msg": "系统暂时出现问题，请稍后再试", "msgEn": "Something went wrong on our side; please try again shortly",
            });
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }
    }
}
