//! The public area: no sign-in; the query is validated and rate-limited.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::RecordPage;

/// 公共查询: search approved filings. Anyone may call it; the server checks
/// the query with the same rules as the page and answers 400 when it is bad.
#[server(endpoint = "public/search")]
pub async fn search_records(q: String, page: Option<u32>, kind: Option<String>) -> Result<RecordPage, AppError> {
    use crate::domain::lookup::{page_window, parse_lookup, ServiceKind, DEFAULT_PAGE_SIZE};
    use crate::ssr::{app_state, public, set_status};

    let state = app_state()?;
    let checked = parse_lookup(&q).and_then(|lookup| Ok((lookup, page_window(page, Some(DEFAULT_PAGE_SIZE))?, ServiceKind::parse_filter(kind.as_deref())?)));
    let (lookup, (page, size), kind) = match checked {
        Ok(v) => v,
        Err(problem) => {
            set_status(400);
            return Err(problem.into());
        }
    };
    public::find(&state.public, &state.db, &lookup, kind, page, size).await.map_err(|e| {
        set_status(500);
        AppError::from(e)
    })
}

/// 证书核验: whether a certificate's verification code is genuine, and
/// whether its filing is as it shows (anyone, rate-limited like the query).
#[server(endpoint = "public/certificate")]
pub async fn verify_certificate(code: String) -> Result<Option<crate::models::CertificateCheck>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Anyone, |cx| async move {
        if code.chars().count() > 64 {
            return Err(AppError::BadRequest(crate::domain::Message::new("验证码过长", "The code is too long")));
        }
        crate::ssr::certificate::verify(&cx.db, &code).await
    })
    .await
}
