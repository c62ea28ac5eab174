//! The review workflow's server functions: the provider's 核实 (queue,
//! return with marks, pass, corrections after a rejection, progress query,
//! 备案密码 re-issue) and the 管局's decisions. Each names its action; the
//! state machine (`workflow::TRANSITIONS`) says who may take it from which
//! state, and the version the caller saw must still be current.

use leptos::prelude::*;

use crate::domain::review::{Edit, Mark};
use crate::domain::workflow::Queue;
use crate::error::AppError;
use crate::models::{FilingSummary, QueueFilter};

/// A staff list: the 核实 queue, 备案进度查询, or the 管局 queue.
#[server(endpoint = "review/queue", input = server_fn::codec::Json)]
pub async fn review_queue(which: Queue, filter: QueueFilter) -> Result<Vec<FilingSummary>, AppError> {
    use crate::ssr::guard::{serve, Need};
    let role = [which.role()];
    serve(Need::Role(&role), |cx| async move { crate::ssr::review::queue(&cx, which, &filter).await }).await
}

/// 退回修改 with the marked fields.
#[server(endpoint = "review/return", input = server_fn::codec::Json)]
pub async fn return_filing(id: String, version: i64, marks: Vec<Mark>, comment: String) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Return)), |cx| async move { crate::ssr::review::return_filing(&cx, version, &marks, &comment).await }).await
}

/// Keep the marks and 退回说明 as the clerk makes them (until 退回修改 sends them).
#[server(endpoint = "review/marks", input = server_fn::codec::Json)]
pub async fn keep_marks(id: String, marks: Vec<Mark>, comment: String) -> Result<(), AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Return)), |cx| async move { crate::ssr::review::keep_marks(&cx, &marks, &comment).await }).await
}

/// 核实通过，报送管局.
#[server(endpoint = "review/pass")]
pub async fn pass_filing(id: String, version: i64, opinion: String) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Pass)), |cx| async move { crate::ssr::review::pass(&cx, version, &opinion).await }).await
}

/// 代为修改 after the 管局 rejected it.
#[server(endpoint = "review/correct", input = server_fn::codec::Json)]
pub async fn correct_filing(id: String, version: i64, edits: Vec<Edit>) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Correct)), |cx| async move { crate::ssr::review::correct(&cx, version, &edits).await }).await
}

/// 管局驳回.
#[server(endpoint = "review/reject")]
pub async fn reject_filing(id: String, version: i64, reason: String) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Reject)), |cx| async move { crate::ssr::review::reject(&cx, version, &reason).await }).await
}

/// 转入前置审批.
#[server(endpoint = "review/pre_approval")]
pub async fn pre_approval_filing(id: String, version: i64, note: String) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::RequirePreApproval)), |cx| async move { crate::ssr::review::require_pre_approval(&cx, version, &note).await }).await
}

/// 管局审核通过: numbers, filing password, public records.
#[server(endpoint = "review/approve")]
pub async fn approve_filing(id: String, version: i64) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Approve)), |cx| async move { crate::ssr::review::approve(&cx, version).await }).await
}

/// 重新发送备案密码 to the filed entity's 主体负责人 (provider's clerk, audited).
/// Returns the masked address it went to.
#[server(endpoint = "review/reissue_password")]
pub async fn reissue_filing_password(licence: String) -> Result<String, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::review::reissue_password(&cx, &licence).await }).await
}
