//! The review workflow's server functions: the provider's 核实 (queue,
//! return with marks, pass, corrections after a rejection, progress query)
//! and the 管局's decisions. Each checks the caller's role, the state and
//! the version the caller saw (in crate::ssr::review).

use leptos::prelude::*;

use crate::domain::review::{Edit, Mark};
use crate::error::AppError;
use crate::models::{DraftView, FilingSummary, QueueFilter};

#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::ssr::AppState, crate::ssr::auth::CurrentUser), AppError> {
    let state = crate::ssr::app_state()?;
    let user = crate::ssr::require_user(&state).await?;
    Ok((state, user))
}

/// A staff list: `which` is verify (核实 queue), progress (备案进度查询) or bureau (管局 queue).
#[server(endpoint = "review/queue", input = server_fn::codec::Json)]
pub async fn review_queue(which: String, filter: QueueFilter) -> Result<Vec<FilingSummary>, AppError> {
    use crate::ssr::review::Queue;
    let (state, user) = signed_in().await?;
    let which = match which.as_str() {
        "verify" => Queue::Verify,
        "progress" => Queue::Progress,
        "bureau" => Queue::Bureau,
        _ => return crate::ssr::fail(AppError::NotFound),
    };
    crate::ssr::review::queue(&state.db, &user, which, &filter).await.or_else(crate::ssr::fail)
}

/// 退回修改 with the marked fields.
#[server(endpoint = "review/return", input = server_fn::codec::Json)]
pub async fn return_filing(id: String, version: i64, marks: Vec<Mark>, comment: String) -> Result<FilingSummary, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::review::return_filing(&state.db, &state.settings, &user, &id, version, &marks, &comment).await.or_else(crate::ssr::fail)
}

/// 核实通过，报送管局.
#[server(endpoint = "review/pass")]
pub async fn pass_filing(id: String, version: i64, opinion: String) -> Result<FilingSummary, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::review::pass(&state.db, &state.settings, &user, &id, version, &opinion).await.or_else(crate::ssr::fail)
}

/// 代为修改 after the 管局 rejected it.
#[server(endpoint = "review/correct", input = server_fn::codec::Json)]
pub async fn correct_filing(id: String, version: i64, edits: Vec<Edit>) -> Result<FilingSummary, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::review::correct(&state.db, &user, &id, version, &edits).await.or_else(crate::ssr::fail)
}

/// 管局驳回.
#[server(endpoint = "review/reject")]
pub async fn reject_filing(id: String, version: i64, reason: String) -> Result<FilingSummary, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::review::reject(&state.db, &state.settings, &user, &id, version, &reason).await.or_else(crate::ssr::fail)
}

/// 转入前置审批.
#[server(endpoint = "review/pre_approval")]
pub async fn pre_approval_filing(id: String, version: i64, note: String) -> Result<FilingSummary, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::review::require_pre_approval(&state.db, &state.settings, &user, &id, version, &note).await.or_else(crate::ssr::fail)
}

/// 管局审核通过: numbers, filing password, public records.
#[server(endpoint = "review/approve")]
pub async fn approve_filing(id: String, version: i64) -> Result<FilingSummary, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::review::approve(&state.db, &state.settings, &user, &id, version).await.or_else(crate::ssr::fail)
}

/// A returned filing (or the draft) opened in the wizard by the registrant.
#[server(endpoint = "filing/open")]
pub async fn open_filing(id: String) -> Result<DraftView, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::open_filing(&state.db, &state.settings, &user, &id).await.or_else(crate::ssr::fail)
}
