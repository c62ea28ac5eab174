//! The one error type every server function returns. It travels to the
//! browser as JSON and carries a message in both languages.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::{FieldErrors, Lang, Message, Problem};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong (bad query, bad page number…): 400.
    #[error("{0}")]
    BadRequest(Message),
    /// Form fields failed validation: 422, each error beside its field.
    #[error("{} field error(s)", .0.0.len())]
    Invalid(FieldErrors),
    /// Nobody is signed in: 401.
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in, but not allowed to touch this: 403.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Somebody else got there first, or a uniqueness rule: 409.
    #[error("{0}")]
    Conflict(Message),
    /// Too many requests from this address: 429.
    #[error("rate limited")]
    RateLimited,
    /// The body is too large: 413.
    #[error("{0}")]
    TooLarge(Message),
    /// Too many attempts at an account door: 429, with what to do.
    #[error("{0}")]
    TooMany(Message),
    /// Signed in with a password someone else chose (代为录入, 重置密码):
    /// it must be changed before anything else: 403.
    #[error("password must be changed")]
    MustChangePassword,
    /// Something broke on our side (details are in the server log): 500.
    #[error("internal error")]
    Internal,
    /// The database cannot be reached (it is down or restarting), or the
    /// request ran past its time limit: 503. Whether it took effect is
    /// unknown to the caller (a commit may have been under way).
    #[error("database unavailable")]
    Unavailable,
    /// The request did not reach the function (network, encoding).
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Invalid(_) => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::MustChangePassword => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited | AppError::TooMany(_) => 429,
            AppError::TooLarge(_) => 413,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable => 503,
        }
    }

    /// What to tell the person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        let m = match self {
            AppError::BadRequest(m) | AppError::Conflict(m) | AppError::TooMany(m) | AppError::TooLarge(m) => m.clone(),
            AppError::Invalid(errors) => {
                return errors.0.iter().map(|e| e.describe(lang)).collect::<Vec<_>>().join("；");
            }
            AppError::Unauthenticated => Message::new("请先登录", "Please sign in first"),
            AppError::Forbidden => Message::new("您没有权限进行此操作", "You are not allowed to do this"),
            AppError::MustChangePassword => Message::new(
                "您的密码由他人设定（接入服务商代为录入或重置），请先在“账户设置”中修改密码，再办理其他事项。",
                "Your password was set by someone else (the provider filed for you or reset it): change it under Account settings first.",
            ),
            AppError::NotFound => Message::new("未找到相关记录", "Nothing was found"),
            AppError::RateLimited => Message::new("查询过于频繁，请稍后再试", "Too many requests; please wait a minute and try again"),
            AppError::Internal => Message::new("系统暂时出现问题，请稍后再试；已保存的内容不会丢失", "Something went wrong on our side; please try again shortly. Nothing saved is lost"),
            AppError::Unavailable => unavailable(),
            AppError::Transport(_) => Message::new("网络连接出现问题，请检查网络后重试", "The connection failed; check your network and try again"),
        };
        m.get(lang).to_string()
    }
}

/// What a person is told while the database cannot be reached.
pub fn unavailable() -> Message {
    Message::new(
        "系统暂时无法连接数据库，请稍后再试。已保存的内容不会丢失；如不确定刚才的操作是否已完成，请刷新页面查看后再决定是否重试。",
        "The system cannot reach its database just now; please try again in a moment. Nothing saved is lost; if you are not sure whether what you just did went through, reload the page to see before trying again.",
    )
}

impl From<Problem> for AppError {
    fn from(p: Problem) -> Self {
        AppError::BadRequest(p.message)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<surrealdb::Error> for AppError {
    fn from(e: surrealdb::Error) -> Self {
        if e.is_connection() {
            tracing::warn!(error = %e, "database unreachable");
            return AppError::Unavailable;
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}
