//! The registrant's filings: type check, draft, materials, submission, list.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::domain::filing::FilingForm;
use crate::error::AppError;
use crate::models::{Detection, DraftView, FilingDetail, FilingSummary, MaterialInfo};

#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::ssr::AppState, crate::ssr::auth::CurrentUser), AppError> {
    let state = crate::ssr::app_state()?;
    let user = crate::ssr::require_user(&state).await?;
    Ok((state, user))
}

/// 备案类型检查.
#[server(endpoint = "filing/detect")]
pub async fn detect_filing_type(cert_number: String, domains: String) -> Result<Detection, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::detect(&state.db, &state.settings, &user, &cert_number, &domains).await.map(|(d, _, _)| d).or_else(crate::ssr::fail)
}

/// The unfinished filing, if any.
#[server(endpoint = "filing/draft")]
pub async fn current_draft() -> Result<Option<DraftView>, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::current_draft(&state.db, &state.settings, &user).await.or_else(crate::ssr::fail)
}

#[server(endpoint = "filing/start")]
pub async fn start_filing(cert_number: String, domains: String) -> Result<DraftView, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::start_draft(&state.db, &state.settings, &user, &cert_number, &domains).await.or_else(crate::ssr::fail)
}

/// Save the form and move to `step` (validated again on the server).
#[server(endpoint = "filing/save", input = server_fn::codec::Json)]
pub async fn save_draft(id: String, step: u8, form: FilingForm) -> Result<DraftView, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::save_draft(&state.db, &state.settings, &user, &id, step, form).await.or_else(crate::ssr::fail)
}

#[server(endpoint = "filing/discard")]
pub async fn discard_draft(id: String) -> Result<(), AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::discard_draft(&state.db, &user, &id).await.or_else(crate::ssr::fail)
}

#[server(endpoint = "filing/submit")]
pub async fn submit_filing(id: String) -> Result<FilingSummary, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::submit(&state.db, &state.settings, &user, &id).await.or_else(crate::ssr::fail)
}

/// Upload one material: a multipart form with `application`, `kind` and `file`.
#[server(endpoint = "filing/upload", input = MultipartFormData)]
pub async fn upload_material(data: MultipartData) -> Result<MaterialInfo, AppError> {
    use crate::domain::filing::MAX_MATERIAL_BYTES;
    use crate::domain::Message;
    let (state, user) = signed_in().await?;
    let bad = |zh: &str, en: &str| AppError::BadRequest(Message::new(zh, en));
    let mut multipart = data.into_inner().ok_or_else(|| bad("上传格式不正确", "Malformed upload"))?;
    let (mut application, mut kind, mut file) = (String::new(), String::new(), None);
    while let Ok(Some(mut field)) = multipart.next_field().await {
        match field.name().unwrap_or_default() {
            "application" => application = field.text().await.unwrap_or_default(),
            "kind" => kind = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or_default().to_string();
                let mut bytes = Vec::new();
                // Read in chunks and stop as soon as it is too big.
                while let Ok(Some(chunk)) = field.chunk().await {
                    if bytes.len() + chunk.len() > MAX_MATERIAL_BYTES {
                        crate::ssr::set_status(413);
                        return Err(AppError::BadRequest(Message::new(
                            format!("文件不能超过 {} MB，请压缩后重新上传", MAX_MATERIAL_BYTES / 1024 / 1024),
                            format!("The file must not exceed {} MB; compress it and upload again", MAX_MATERIAL_BYTES / 1024 / 1024),
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let Some((name, bytes)) = file else {
        return crate::ssr::fail(bad("请选择要上传的文件", "Choose a file to upload"));
    };
    crate::ssr::filings::add_material(&state.db, &user, &application, &kind, &name, bytes).await.or_else(crate::ssr::fail)
}

#[server(endpoint = "filing/material/remove")]
pub async fn remove_material(id: String) -> Result<(), AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::remove_material(&state.db, &user, &id).await.or_else(crate::ssr::fail)
}

#[server(endpoint = "filing/list")]
pub async fn list_filings() -> Result<Vec<FilingSummary>, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::list_filings(&state.db, &user).await.or_else(crate::ssr::fail)
}

#[server(endpoint = "filing/detail")]
pub async fn get_filing(id: String) -> Result<FilingDetail, AppError> {
    let (state, user) = signed_in().await?;
    crate::ssr::filings::filing_detail(&state.db, &user, &id).await.or_else(crate::ssr::fail)
}
