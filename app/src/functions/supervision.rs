//! Supervision (issue 15): 未备案检测结果 and its handling and statistics
//! (seed 001 §1.8), 黑名单 (§1.9), the log shippers' tokens, and the public
//! 违法违规查询.

use leptos::prelude::*;

use crate::domain::blacklist::EntryInput;
use crate::domain::detect::DetectionQuery;
use crate::error::AppError;
use crate::models::{BlacklistEntry, IllegalAccess, IngestTokenInfo, NewIngestToken, UnfiledDetail, UnfiledItem, UnfiledPage, UnfiledStats, ViolationAnswer};

/// 未备案检测结果查询: this provider's detections by the combined conditions.
#[server(endpoint = "supervision/unfiled", input = server_fn::codec::Json)]
pub async fn unfiled_list(query: DetectionQuery) -> Result<UnfiledPage, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::detect::list(&cx, &query).await }).await
}

/// One detection: 检测次数's history and the handlings.
#[server(endpoint = "supervision/unfiled/detail")]
pub async fn unfiled_one(key: String) -> Result<UnfiledDetail, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::detect::detail(&cx, &key).await }).await
}

/// 处理: 已关停, 已备案 (with the website's number), 误报 (why) or 整改中
/// (until a date). A plain form post (no JavaScript) is answered with a
/// redirect back to the detection.
#[server(endpoint = "supervision/unfiled/handle")]
pub async fn unfiled_handle(
    key: String,
    version: i64,
    result: String,
    #[server(default)] comment: String,
    #[server(default)] licence: String,
    #[server(default)] deadline: String,
) -> Result<UnfiledItem, AppError> {
    use crate::ssr::guard::{serve, Need};
    let plain = super::plain_form_post();
    let back = format!("/provider/unfiled/{}", super::enc(&key));
    let result = serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move {
        crate::ssr::detect::handle(&cx, &key, version, &result, &comment, &licence, &deadline).await
    })
    .await;
    super::answer_plain(plain, &result, |_| format!("{back}?handled=1"), &format!("{back}?failed=1"));
    result
}

/// 未备案检测结果统计: by province, state or month, under the list's conditions.
#[server(endpoint = "supervision/unfiled/stats", input = server_fn::codec::Json)]
pub async fn unfiled_statistics(group: String, query: DetectionQuery, lang: String) -> Result<UnfiledStats, AppError> {
    use crate::ssr::guard::{serve, Need};
    let lang = crate::domain::Lang::from_code(&lang).unwrap_or(crate::domain::Lang::Zh);
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::detect::stats(&cx, &group, &query, lang).await }).await
}

/// 备案信息黑名单查询: by name or by domain (one of them); empty lists all of that kind.
#[server(endpoint = "supervision/blacklist")]
pub async fn blacklist_list(by: String, #[server(default)] value: String) -> Result<Vec<BlacklistEntry>, AppError> {
    use crate::domain::workflow::Role;
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[Role::Provider, Role::Bureau, Role::Admin]), |cx| async move { crate::ssr::blacklist::list(&cx, &by, &value).await }).await
}

/// The 管局 (or an administrator) lists an entity or a domain.
#[server(endpoint = "supervision/blacklist/add", input = server_fn::codec::Json)]
pub async fn blacklist_add(entry: EntryInput) -> Result<BlacklistEntry, AppError> {
    use crate::domain::workflow::Role;
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[Role::Bureau, Role::Admin]), |cx| async move { crate::ssr::blacklist::add(&cx, &entry).await }).await
}

/// Take an entry off the list (it stays on record, marked removed).
#[server(endpoint = "supervision/blacklist/remove")]
pub async fn blacklist_remove(key: String, version: i64) -> Result<BlacklistEntry, AppError> {
    use crate::domain::workflow::Role;
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[Role::Bureau, Role::Admin]), |cx| async move { crate::ssr::blacklist::remove(&cx, &key, version).await }).await
}

/// 非法接入黑名单查询: blacklisted filings this provider still has access rows for.
#[server(endpoint = "supervision/illegal")]
pub async fn illegal_access_list(#[server(default)] name: String, #[server(default)] domain: String, #[server(default)] licence: String) -> Result<Vec<IllegalAccess>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::blacklist::illegal_access(&cx, &name, &domain, &licence).await }).await
}

/// The log shippers' tokens (an administrator's).
#[server(endpoint = "admin/tokens")]
pub async fn ingest_tokens() -> Result<Vec<IngestTokenInfo>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Admin]), |cx| async move { crate::ssr::detect::tokens(&cx).await }).await
}

/// A new token, shown this once.
#[server(endpoint = "admin/tokens/new")]
pub async fn ingest_token_create(name: String) -> Result<NewIngestToken, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Admin]), |cx| async move { crate::ssr::detect::create_token(&cx, &name).await }).await
}

#[server(endpoint = "admin/tokens/revoke")]
pub async fn ingest_token_revoke(key: String) -> Result<(), AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Admin]), |cx| async move { crate::ssr::detect::revoke_token(&cx, &key).await }).await
}

/// 违法违规查询 (anyone, rate-limited like the query): whether a domain or
/// a sponsor's name is on the blacklist, when and why — nothing else.
#[server(endpoint = "public/violation")]
pub async fn violation_lookup(q: String) -> Result<ViolationAnswer, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Anyone, |cx| async move { crate::ssr::blacklist::public_lookup(&cx.db, &q).await }).await
}
