//! The registrant's filings: type check, draft, materials, submission, list.
//! Each function starts with `serve(need, …)`: the filing functions name
//! the filing and the action, and the state machine decides.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::domain::filing::FilingForm;
use crate::domain::workflow::Role;
use crate::error::AppError;
use crate::models::{Detection, DraftView, FilingDetail, FilingSummary, MaterialInfo};

/// Registrants only: their unfinished filing and their list.
pub const REGISTRANT: &[Role] = &[Role::Registrant];
/// The type check and starting a filing: the registrant, or the provider
/// adding a website or access for a filed client (代为办理).
pub const STARTERS: &[Role] = &[Role::Registrant, Role::Provider];

/// 备案类型检查.
#[server(endpoint = "filing/detect")]
pub async fn detect_filing_type(cert_number: String, domains: String) -> Result<Detection, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(STARTERS), |cx| async move { crate::ssr::filings::detect(&cx, &cert_number, &domains).await.map(|(d, _, _)| d) }).await
}

/// Send a one-time code to the filed entity's 主体负责人 (proof by code).
#[server(endpoint = "filing/entity_code")]
pub async fn send_entity_code(cert_number: String, domains: String) -> Result<String, AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    serve(Need::Role(STARTERS), |cx| async move {
        cx.settings.limits.check(Door::Proof, crate::ssr::client_ip(), Some(&cert_number))?;
        crate::ssr::filings::send_entity_code(&cx, &cert_number, &domains).await
    })
    .await
}

/// The unfinished filing, if any.
#[server(endpoint = "filing/draft")]
pub async fn current_draft() -> Result<Option<DraftView>, AppError> {
    use crate::ssr::guard::{serve, Need};
    // The registrant's own, or a clerk's unfinished 代为录入.
    serve(Need::Role(STARTERS), |cx| async move { crate::ssr::filings::current_draft(&cx).await }).await
}

/// Start a filing after the type check; `proof` is the 备案密码 (or the
/// code sent to the 主体负责人) for a filing under a filed entity; `client`
/// the username of the sponsor the provider acts for.
#[server(endpoint = "filing/start")]
pub async fn start_filing(cert_number: String, domains: String, #[server(default)] proof: String, #[server(default)] client: String) -> Result<DraftView, AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    serve(Need::Role(STARTERS), |cx| async move {
        if !proof.is_empty() || !client.is_empty() {
            cx.settings.limits.check(Door::Proof, crate::ssr::client_ip(), Some(&cert_number))?;
        }
        crate::ssr::filings::start(&cx, &cert_number, &domains, &proof, &client).await
    })
    .await
}

/// Save the form and move to `step` (validated again on the server).
/// `version` is the one the page loaded or last saved: an older one is refused.
#[server(endpoint = "filing/save", input = server_fn::codec::Json)]
pub async fn save_draft(id: String, step: u8, form: FilingForm, version: i64) -> Result<DraftView, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Save)), |cx| async move { crate::ssr::filings::save(&cx, step, form, version).await }).await
}

#[server(endpoint = "filing/discard")]
pub async fn discard_draft(id: String) -> Result<(), AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Discard)), |cx| async move { crate::ssr::filings::discard(&cx).await }).await
}

#[server(endpoint = "filing/submit")]
pub async fn submit_filing(id: String) -> Result<FilingSummary, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    // From 退回修改 this is 重新提交 (the state machine resolves it).
    serve(Need::Filing(&id, Intent::Act(Action::Submit)), |cx| async move { crate::ssr::filings::submit(&cx).await }).await
}

/// Upload one material: a multipart form with `application`, `kind` and
/// `file`. The caller is checked before the body is read; the filing and
/// the kind (registrant's document or 核验 file) once it is.
#[server(endpoint = "filing/upload", input = MultipartFormData)]
pub async fn upload_material(data: MultipartData) -> Result<MaterialInfo, AppError> {
    use crate::domain::filing::{MaterialKind, MAX_MATERIAL_BYTES};
    use crate::domain::Message;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Role(&[Role::Registrant, Role::Provider]), |cx| async move {
        let bad = |zh: &str, en: &str| AppError::BadRequest(Message::new(zh, en));
        let mut multipart = data.into_inner().ok_or_else(|| bad("上传格式不正确", "Malformed upload"))?;
        let (mut application, mut kind, mut file) = (String::new(), String::new(), None);
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(bad("上传未完成（连接中断或格式不正确），请重新上传", "The upload did not complete (connection cut or malformed); upload again")),
            };
            let mut field = field;
            match field.name().unwrap_or_default() {
                "application" => application = field.text().await.unwrap_or_default().chars().take(64).collect(),
                "kind" => kind = field.text().await.unwrap_or_default().chars().take(64).collect(),
                "file" => {
                    let name = field.file_name().unwrap_or_default().chars().take(255).collect::<String>();
                    let mut bytes = Vec::new();
                    // Read in chunks and stop as soon as it is too big; a cut-off upload is an error.
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => {
                                if bytes.len() + chunk.len() > MAX_MATERIAL_BYTES {
                                    return Err(AppError::TooLarge(Message::new(
                                        format!("文件不能超过 {} MB，请压缩后重新上传", MAX_MATERIAL_BYTES / 1024 / 1024),
                                        format!("The file must not exceed {} MB; compress it and upload again", MAX_MATERIAL_BYTES / 1024 / 1024),
                                    )));
                                }
                                bytes.extend_from_slice(&chunk);
                            }
                            Ok(None) => break,
                            Err(_) => return Err(bad("上传未完成（连接中断），请重新上传", "The upload was cut off; upload again")),
                        }
                    }
                    file = Some((name, bytes));
                }
                _ => {}
            }
        }
        let kind = MaterialKind::from_code(&kind).ok_or_else(|| bad("材料类型无效", "Unknown document type"))?;
        let Some((name, bytes)) = file else {
            return Err(bad("请选择要上传的文件", "Choose a file to upload"));
        };
        // The registrant uploads the filing's documents while editing it; the
        // provider uploads the 核验 photo and form while verifying it.
        let cx = cx.narrow(Need::Filing(&application, Intent::Act(crate::ssr::materials::action_for(kind)))).await?;
        crate::ssr::materials::add(&cx, kind, &name, bytes).await
    })
    .await
}

#[server(endpoint = "filing/material/remove")]
pub async fn remove_material(id: String) -> Result<(), AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Material(&id, Intent::Act(Action::Save)), |cx| async move { crate::ssr::materials::remove(&cx).await }).await
}

#[server(endpoint = "filing/list")]
pub async fn list_filings() -> Result<Vec<FilingSummary>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(REGISTRANT), |cx| async move { crate::ssr::filings::list(&cx).await }).await
}

#[server(endpoint = "filing/detail")]
pub async fn get_filing(id: String) -> Result<FilingDetail, AppError> {
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Read), |cx| async move { crate::ssr::filings::detail(&cx).await }).await
}

/// A returned filing (or the draft) opened in the wizard by the registrant.
#[server(endpoint = "filing/open")]
pub async fn open_filing(id: String) -> Result<DraftView, AppError> {
    use crate::domain::workflow::Action;
    use crate::ssr::guard::{serve, Intent, Need};
    serve(Need::Filing(&id, Intent::Act(Action::Save)), |cx| async move { crate::ssr::filings::open(&cx).await }).await
}
