//! Life after approval: 我的备案, starting a 变更 / 注销 / 取消接入 with the
//! proof, the provider's confirmation and its own 取消接入, and the 管局's
//! list of 空壳网站. Each starts with `serve(need, …)`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{EmptySite, FiledRecord, FilingSummary, Started};

/// 我的备案: the registrant's filed entities and websites as they stand.
#[server(endpoint = "business/records")]
pub async fn my_records() -> Result<Vec<FiledRecord>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Registrant]), |cx| async move { crate::ssr::business::records(&cx).await }).await
}

/// Start a business on a filed entity (and website): `kind` is a business
/// code, `proof` the 备案密码 or code, `reason` a 注销 reason's code. The
/// provider acts for a client (代为办理) named by `client`, its username.
#[server(endpoint = "business/begin")]
#[allow(clippy::too_many_arguments)]
pub async fn begin_business(
    kind: String,
    entity: String,
    #[server(default)] website: String,
    #[server(default)] client: String,
    #[server(default)] proof: String,
    #[server(default)] reason: String,
    #[server(default)] note: String,
) -> Result<Started, AppError> {
    use crate::domain::workflow::{BusinessKind, Role};
    use crate::domain::Message;
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    use super::{answer_plain, enc, plain_form_post};
    use std::sync::atomic::{AtomicBool, Ordering};
    let plain = plain_form_post();
    let query = format!("?kind={}&entity={}&website={}&failed=1", enc(&kind), enc(&entity), enc(&website));
    let staff = std::sync::Arc::new(AtomicBool::new(false));
    let seen = staff.clone();
    let result = serve(Need::Role(&[Role::Registrant, Role::Provider]), |cx| async move {
        seen.store(cx.me()?.role == Role::Provider, Ordering::Relaxed);
        let kind = BusinessKind::from_code(kind.trim()).ok_or_else(|| AppError::BadRequest(Message::new("业务类型无效", "Unknown business type")))?;
        if kind.needs_filing_password() {
            cx.settings.limits.check(Door::Proof, crate::ssr::client_ip(), Some(&entity))?;
        }
        crate::ssr::business::begin(&cx, kind, &entity, &website, &client, &proof, &reason, &note).await
    })
    .await;
    let staff = staff.load(Ordering::Relaxed);
    // Without JavaScript a failure comes back to the same form, which says so.
    let failed = format!("{}{query}", if staff { "/provider/act" } else { "/filings/act" });
    answer_plain(plain, &result, |s| started_at(s, staff), &failed);
    result
}

/// Where a started business continues: a 变更 in the wizard; a submitted
/// one on its page (the provider's 核实 page when the provider filed it).
pub fn started_at(s: &Started, staff: bool) -> String {
    match (s.submitted, staff) {
        (false, _) => format!("/filings/new?id={}&go=1", s.id),
        (true, true) => format!("/provider/filings/{}", s.id),
        (true, false) => format!("/filings/{}", s.id),
    }
}

/// Send a one-time code to the entity's 主体负责人 (proof by code).
#[server(endpoint = "business/code")]
pub async fn send_business_code(entity: String) -> Result<String, AppError> {
    use crate::domain::workflow::Role;
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    serve(Need::Role(&[Role::Registrant, Role::Provider]), |cx| async move {
        cx.settings.limits.check(Door::Proof, crate::ssr::client_ip(), Some(&entity))?;
        crate::ssr::business::send_code(&cx, &entity).await
    })
    .await
}

/// 确认取消接入: the provider confirms a registrant's 取消接入 request.
#[server(endpoint = "business/confirm")]
pub async fn confirm_business(id: String, version: i64) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Confirm)), |cx| async move {
        crate::ssr::business::decide(&cx, version, Action::Confirm).await?;
        let row = crate::ssr::application::load(&cx.db, &cx.filing()?.record_id()).await?.ok_or(AppError::Internal)?;
        Ok(crate::ssr::application::summary(&row))
    })
    .await
}

/// 修改注销申请: a new reason (and note) for an undecided 注销.
#[server(endpoint = "business/amend")]
pub async fn amend_cancel(id: String, version: i64, reason: String, #[server(default)] note: String) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Amend)), |cx| async move {
        crate::ssr::business::amend(&cx, version, &reason, &note).await?;
        let row = crate::ssr::application::load(&cx.db, &cx.filing()?.record_id()).await?.ok_or(AppError::Internal)?;
        Ok(crate::ssr::application::summary(&row))
    })
    .await
}

/// 删除注销申请: the provider takes back a 注销 it filed for its client.
#[server(endpoint = "business/delete")]
pub async fn delete_cancel(id: String, version: i64) -> Result<(), AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Delete)), |cx| async move { crate::ssr::business::delete(&cx, version).await }).await
}

/// The filed websites with this provider's access (the console's 已接入网站).
#[server(endpoint = "business/sites")]
pub async fn provider_sites(#[server(default)] q: String) -> Result<Vec<FiledRecord>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::business::provider_sites(&cx, &q).await }).await
}

/// 取消接入 by the provider, with a reason (no 备案密码).
#[server(endpoint = "business/cancel_access")]
pub async fn cancel_access(access: String, reason: String) -> Result<(), AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::business::cancel_access(&cx, &access, &reason).await }).await
}

/// 空壳网站 of the 管局's province.
#[server(endpoint = "business/empty")]
pub async fn empty_sites() -> Result<Vec<EmptySite>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Bureau]), |cx| async move { crate::ssr::business::empty_sites(&cx).await }).await
}

/// A filed website's history: the registrant's own, the provider's
/// clients', the 管局's province's (the check is on the record, in
/// `business::history`).
#[server(endpoint = "business/history")]
pub async fn site_history(website: String) -> Result<crate::models::SiteHistory, AppError> {
    use crate::domain::workflow::Role;
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[Role::Registrant, Role::Provider, Role::Bureau]), |cx| async move { crate::ssr::business::history(&cx, &website).await }).await
}
