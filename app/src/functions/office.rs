//! The provider's back office: 组合查询 of its approved filings and one
//! filing in full (seed 001 §1.7.2–1.7.3). The export of the same result is
//! a route (`/provider/export`), since it answers with a file.

use leptos::prelude::*;

use crate::domain::search::FiledQuery;
use crate::error::AppError;
use crate::models::{FiledDetail, FiledPage};

/// One page of this provider's approved filings matching the conditions.
#[server(endpoint = "office/search", input = server_fn::codec::Json)]
pub async fn search_filed(query: FiledQuery) -> Result<FiledPage, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::office::search(&cx, &query).await }).await
}

/// 详细信息: one approved website of this provider, with its entity and access.
#[server(endpoint = "office/detail")]
pub async fn filed_website(website: String) -> Result<FiledDetail, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::office::detail(&cx, &website).await }).await
}

/// 重置密码: this provider's client accounts matching the conditions.
#[server(endpoint = "office/clients", input = server_fn::codec::Json)]
pub async fn client_accounts(query: crate::domain::account::clients::ClientQuery) -> Result<crate::models::ClientPage, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::clients::list(&cx, &query).await }).await
}

/// 重置密码: new passwords for the chosen client accounts, shown once.
#[server(endpoint = "office/reset", input = server_fn::codec::Json)]
pub async fn reset_client_passwords(
    selection: crate::domain::account::clients::Selection,
    new: crate::domain::account::clients::NewPassword,
) -> Result<Vec<crate::models::NewCredential>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::clients::reset(&cx, &selection, &new).await }).await
}

/// 意见反馈: the provider's opinions, or those sent to the 管局's province.
#[server(endpoint = "office/feedback")]
pub async fn feedback_list(#[server(default)] status: String) -> Result<Vec<crate::models::FeedbackItem>, AppError> {
    use crate::domain::workflow::Role;
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[Role::Provider, Role::Bureau]), |cx| async move { crate::ssr::feedback::list(&cx, &status).await }).await
}

/// 提出新意见.
#[server(endpoint = "office/feedback/new")]
pub async fn feedback_submit(province: String, subject: String, body: String) -> Result<crate::models::FeedbackItem, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::feedback::submit(&cx, &province, &subject, &body).await }).await
}

/// The 管局 answers an opinion, or closes it.
#[server(endpoint = "office/feedback/answer")]
pub async fn feedback_answer(id: String, version: i64, #[server(default)] answer: String, #[server(default)] close: bool) -> Result<crate::models::FeedbackItem, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Bureau]), |cx| async move { crate::ssr::feedback::answer(&cx, &id, version, &answer, close).await }).await
}

/// 网站备案信息统计: counts by the chosen group as of a cut-off date, with 同比/环比.
#[server(endpoint = "office/stats")]
pub async fn filing_stats(#[server(default)] group: String, #[server(default)] until: String, #[server(default)] lang: String) -> Result<crate::models::StatsAnswer, AppError> {
    use crate::ssr::guard::{serve, Need};
    let lang = crate::domain::Lang::from_code(&lang).unwrap_or(crate::domain::Lang::Zh);
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::stats::compute(&cx, &group, &until, lang).await }).await
}

/// 电子证书下载: this provider's filed entities by the combined search's conditions.
#[server(endpoint = "office/entities", input = server_fn::codec::Json)]
pub async fn search_entities(query: FiledQuery) -> Result<crate::models::EntityPage, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move { crate::ssr::certificate::entities(&cx, &query).await }).await
}

/// 批量导入 (seed 001 §1.3.2): a multipart form with the `.xlsx` as `file`.
/// The caller is checked before the body is read; the file is read in
/// chunks and refused as soon as it is too large.
#[server(endpoint = "provider/import", input = server_fn::codec::MultipartFormData)]
pub async fn import_filings(data: server_fn::codec::MultipartData) -> Result<crate::models::ImportOutcome, AppError> {
    use crate::domain::import::{check_upload, MAX_IMPORT_BYTES};
    use crate::domain::Message;
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[crate::domain::workflow::Role::Provider]), |cx| async move {
        let bad = |zh: &str, en: &str| AppError::BadRequest(Message::new(zh, en));
        let mut multipart = data.into_inner().ok_or_else(|| bad("上传格式不正确", "Malformed upload"))?;
        let mut file = None;
        loop {
            let mut field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(bad("上传未完成（连接中断或格式不正确），请重新上传", "The upload did not complete (connection cut or malformed); upload again")),
            };
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or_default().chars().take(255).collect::<String>();
            let mut bytes = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if bytes.len() + chunk.len() > MAX_IMPORT_BYTES {
                            return Err(AppError::TooLarge(check_upload(&name, MAX_IMPORT_BYTES + 1).unwrap_err()));
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(_) => return Err(bad("上传未完成（连接中断），请重新上传", "The upload was cut off; upload again")),
                }
            }
            file = Some((name, bytes));
        }
        let Some((name, bytes)) = file else {
            return Err(bad("请选择要导入的 .xlsx 文件", "Choose the .xlsx file to import"));
        };
        check_upload(&name, bytes.len()).map_err(AppError::BadRequest)?;
        crate::ssr::import::run(&cx, &name, bytes).await
    })
    .await
}
