//! `/provider/export?format=xlsx|csv&…`: the 组合查询's result as a file
//! (seed 001 §1.7.3), for the provider's staff only. The conditions are the
//! search page's, checked by the same rules.

use app::domain::search::{Conditions, FiledQuery, MAX_EXPORT};
use app::domain::workflow::Role;
use app::error::AppError;
use app::ssr::guard::{authorize, Need};
use app::ssr::{office, sheets, AppState};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// A file download: never cached, never sniffed, with its name in UTF-8.
pub fn attachment(mime: &'static str, filename: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = filename.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let encoded = app::components::layout::encode_component(filename);
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}

/// An error as a short page in both languages.
pub fn refused(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = match e {
        AppError::Invalid(errors) => errors.0.iter().map(|e| format!("{}\n{}", e.describe(app::domain::Lang::Zh), e.describe(app::domain::Lang::En))).collect::<Vec<_>>().join("\n"),
        e => format!("{}\n{}", e.message(app::domain::Lang::Zh), e.message(app::domain::Lang::En)),
    };
    (status, [(header::CACHE_CONTROL, "no-store"), (header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

pub async fn filed(State(state): State<AppState>, Query(params): Query<Vec<(String, String)>>, headers: HeaderMap) -> Response {
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let user = app::ssr::auth::user_from_cookies(&state.db, cookies).await.ok().flatten();
    let format = params.iter().find(|(k, _)| k == "format").map(|(_, v)| v.as_str()).unwrap_or("xlsx").to_string();
    let query = FiledQuery::from_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let answer = async {
        let cx = authorize(&state.db, &state.settings, user, Need::Role(&[Role::Provider])).await?;
        if format != "xlsx" && format != "csv" {
            return Err(AppError::BadRequest(app::domain::Message::new("导出格式只能是 xlsx 或 csv", "The export format is xlsx or csv")));
        }
        let (rows, more) = office::export_rows(&cx, &query).await?;
        let note = more.then(|| format!("结果超过 {MAX_EXPORT} 条，只导出了前 {MAX_EXPORT} 条，请缩小查询条件。 More than {MAX_EXPORT} rows matched; only the first {MAX_EXPORT} are here."));
        let cells = rows.iter().map(|r| sheets::filed_cells(r).to_vec());
        let today = app::ssr::application::today().compact();
        if format == "csv" {
            Ok(attachment("text/csv; charset=utf-8", &format!("备案信息-{today}.csv"), sheets::csv(&sheets::FILED_COLUMNS, cells, note.as_deref())?))
        } else {
            Ok(attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("备案信息-{today}.xlsx"),
                sheets::xlsx("备案信息", &sheets::FILED_COLUMNS, cells, note.as_deref())?,
            ))
        }
    };
    match answer.await {
        Ok(r) => r,
        Err(e) => refused(&e),
    }
}

/// `/provider/stats/export?format=xlsx|csv&group=…&until=…`: the statistics table as a file.
pub async fn stats(State(state): State<AppState>, Query(params): Query<Vec<(String, String)>>, headers: HeaderMap) -> Response {
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let user = app::ssr::auth::user_from_cookies(&state.db, cookies).await.ok().flatten();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (format, group, until) = (get("format"), get("group"), get("until"));
    let answer = async {
        let cx = authorize(&state.db, &state.settings, user, Need::Role(&[Role::Provider])).await?;
        if format != "xlsx" && format != "csv" {
            return Err(AppError::BadRequest(app::domain::Message::new("导出格式只能是 xlsx 或 csv", "The export format is xlsx or csv")));
        }
        let a = app::ssr::stats::compute(&cx, &group, &until, app::domain::Lang::Zh).await?;
        let t = &a.table;
        let note = format!("统计截止 {}；同比基准 {}；环比基准 {}。", t.cutoff, t.year_before, t.period_before);
        let mut header = sheets::STATS_COLUMNS.to_vec();
        let first = format!("{}", t.group.label().zh);
        header[0] = &first;
        let cells = t.lines.iter().chain(std::iter::once(&t.total)).map(sheets::stats_cells);
        let name = format!("备案统计-{}-{}", t.group.code(), t.cutoff);
        if format == "csv" {
            Ok(attachment("text/csv; charset=utf-8", &format!("{name}.csv"), sheets::csv(&header, cells, Some(&note))?))
        } else {
            Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &format!("{name}.xlsx"), sheets::xlsx("统计", &header, cells, Some(&note))?))
        }
    };
    match answer.await {
        Ok(r) => r,
        Err(e) => refused(&e),
    }
}

/// `/provider/certificate/{entity}`: the 电子证书 of one of this provider's filed entities, as a PDF.
pub async fn certificate(State(state): State<AppState>, axum::extract::Path(entity): axum::extract::Path<String>, headers: HeaderMap) -> Response {
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let user = app::ssr::auth::user_from_cookies(&state.db, cookies).await.ok().flatten();
    let answer = async {
        let cx = authorize(&state.db, &state.settings, user, Need::Role(&[Role::Provider])).await?;
        app::ssr::certificate::issue(&cx, &entity).await
    };
    match answer.await {
        Ok((pdf, name, code)) => {
            let mut r = attachment("application/pdf", &name, pdf);
            // The code printed on it, for the clerk's tools (and tests).
            if let Ok(v) = axum::http::HeaderValue::from_str(&code) {
                r.headers_mut().insert("x-certificate-code", v);
            }
            r
        }
        Err(e) => refused(&e),
    }
}

/// `/provider/import/template`: the 批量导入 template (seed 001 §1.3.2).
pub async fn import_template(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let user = app::ssr::auth::user_from_cookies(&state.db, cookies).await.ok().flatten();
    let answer = async {
        authorize(&state.db, &state.settings, user, Need::Role(&[Role::Provider])).await?;
        app::ssr::import::template(&state.settings.provider_name)
    };
    match answer.await {
        Ok(bytes) => attachment(app::ssr::import::mime(), app::domain::import::TEMPLATE_NAME, bytes),
        Err(e) => refused(&e),
    }
}

/// `/provider/unfiled/stats/export?format=xlsx|csv&group=…&<the list's conditions>`:
/// 未备案检测结果统计 as a file.
pub async fn unfiled_stats(State(state): State<AppState>, Query(params): Query<Vec<(String, String)>>, headers: HeaderMap) -> Response {
    use app::domain::detect::{DetectionQuery, DetectionState};
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let user = app::ssr::auth::user_from_cookies(&state.db, cookies).await.ok().flatten();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let format = get("format");
    let query = DetectionQuery { state: get("state"), finding: get("finding"), province: get("province"), domain: get("domain"), from: get("from"), to: get("to"), page: 1 };
    let answer = async {
        let cx = authorize(&state.db, &state.settings, user, Need::Role(&[Role::Provider])).await?;
        if format != "xlsx" && format != "csv" {
            return Err(AppError::BadRequest(app::domain::Message::new("导出格式只能是 xlsx 或 csv", "The export format is xlsx or csv")));
        }
        let s = app::ssr::detect::stats(&cx, &get("group"), &query, app::domain::Lang::Zh).await?;
        let mut header: Vec<String> = vec![s.group.label().zh.to_string(), "合计".into()];
        header.extend(DetectionState::ALL.iter().map(|st| st.label().zh.to_string()));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let cells = s.lines.iter().chain(std::iter::once(&s.total)).map(|l| {
            let mut row = vec![l.label.zh.clone(), l.total.to_string()];
            row.extend(l.by_state.iter().map(u64::to_string));
            row
        });
        let today = app::ssr::application::today().compact();
        let name = format!("未备案检测统计-{}-{today}", s.group.code());
        if format == "csv" {
            Ok(attachment("text/csv; charset=utf-8", &format!("{name}.csv"), sheets::csv(&header, cells, None)?))
        } else {
            Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &format!("{name}.xlsx"), sheets::xlsx("未备案检测统计", &header, cells, None)?))
        }
    };
    match answer.await {
        Ok(r) => r,
        Err(e) => refused(&e),
    }
}
