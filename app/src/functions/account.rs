//! Accounts: registration and activation, sign-in, profile, recovery.

use leptos::prelude::*;

use crate::domain::account::Registration;
use crate::error::AppError;
use crate::models::{Captcha, CodeSent, UserInfo};

/// Where to go after signing in: a path on this site only (no open redirect).
pub fn safe_next(next: &str) -> String {
    if crate::domain::net::is_local_path(next) { next.to_string() } else { "/filings".to_string() }
}

#[server(endpoint = "account/me")]
pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    let state = crate::ssr::app_state()?;
    Ok(crate::ssr::current_user(&state).await?.map(|u| u.info()))
}

/// A captcha for the sign-in form, or none when captchas are switched off.
#[server(endpoint = "account/captcha")]
pub async fn new_captcha() -> Result<Option<Captcha>, AppError> {
    let state = crate::ssr::app_state()?;
    if !state.settings.captcha {
        return Ok(None);
    }
    Ok(Some(crate::ssr::auth::new_captcha(&state.db).await?))
}

#[server(endpoint = "account/register")]
pub async fn register(form: Registration) -> Result<CodeSent, AppError> {
    let state = crate::ssr::app_state()?;
    crate::ssr::auth::register(&state.db, &state.settings, &form).await.or_else(crate::ssr::fail)
}

/// Enter the activation code; the account is active and signed in.
#[server(endpoint = "account/activate")]
pub async fn activate(username: String, code: String) -> Result<(), AppError> {
    use crate::ssr::{app_state, auth, fail, set_cookie};
    let state = app_state()?;
    let id = match auth::activate(&state.db, &username, &code).await {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    let token = auth::create_session(&state.db, &id, state.settings.session_hours).await?;
    set_cookie(auth::session_cookie(&token, state.settings.session_hours, state.settings.secure_cookies));
    Ok(())
}

#[server(endpoint = "account/resend")]
pub async fn resend_code(username: String) -> Result<CodeSent, AppError> {
    let state = crate::ssr::app_state()?;
    crate::ssr::auth::resend_code(&state.db, &state.settings, &username).await.or_else(crate::ssr::fail)
}

/// What sign-in tells the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoginResult {
    SignedIn,
    /// The account waits for its activation code.
    NeedsActivation(String),
}

#[server(endpoint = "account/login")]
pub async fn login(username: String, password: String, captcha_id: String, captcha: String) -> Result<LoginResult, AppError> {
    use crate::domain::account::fields;
    use crate::domain::{FieldErrors, Message, Problem};
    use crate::ssr::auth::{self, LoginOutcome};
    use crate::ssr::{app_state, fail, set_cookie};
    let state = app_state()?;
    let mut errors = FieldErrors::new();
    if username.trim().is_empty() {
        errors.push(crate::domain::error::required().at(fields::USERNAME));
    }
    if password.is_empty() {
        errors.push(crate::domain::error::required().at(fields::PASSWORD));
    }
    if state.settings.captcha && !auth::check_captcha(&state.db, &captcha_id, &captcha).await? {
        errors.push(Problem::new("captcha.wrong", "图形验证码不正确，请看清新图片后重新输入", "the picture code is wrong; read the new picture and try again").at(fields::CAPTCHA));
    }
    if !errors.is_empty() {
        return fail(AppError::Invalid(errors));
    }
    match auth::login(&state.db, &username, &password).await? {
        LoginOutcome::Ok(id) => {
            let token = auth::create_session(&state.db, &id, state.settings.session_hours).await?;
            set_cookie(auth::session_cookie(&token, state.settings.session_hours, state.settings.secure_cookies));
            Ok(LoginResult::SignedIn)
        }
        LoginOutcome::Pending => Ok(LoginResult::NeedsActivation(username.trim().to_ascii_lowercase())),
        LoginOutcome::Locked { minutes: 0 } => fail(AppError::Conflict(Message::new("该账户已停用，请联系接入服务商", "This account is disabled; contact the access provider"))),
        LoginOutcome::Locked { minutes } => fail(AppError::Conflict(Message::new(
            format!("密码错误次数过多，账户已锁定，请 {minutes} 分钟后再试，或找回密码"),
            format!("Too many wrong passwords: the account is locked; try again in {minutes} minutes, or reset the password"),
        ))),
        LoginOutcome::Bad { left } => fail(AppError::Conflict(Message::new(
            format!("用户名或密码不正确（再错 {left} 次将锁定 {} 分钟）", auth::LOCK_MINUTES),
            format!("Wrong username or password ({left} more tries before a {}-minute lock)", auth::LOCK_MINUTES),
        ))),
    }
}

#[server(endpoint = "account/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{app_state, auth, session_token, set_cookie};
    let state = app_state()?;
    if let Some(token) = session_token() {
        auth::end_session(&state.db, &token).await?;
    }
    set_cookie(auth::clear_session_cookie(state.settings.secure_cookies));
    Ok(())
}

#[server(endpoint = "account/password")]
pub async fn change_password(old_password: String, password: String, password2: String) -> Result<(), AppError> {
    use crate::ssr::{app_state, auth, fail, require_user, set_cookie};
    let state = app_state()?;
    let user = require_user(&state).await?;
    if let Err(e) = auth::change_password(&state.db, &user, &old_password, &password, &password2).await {
        return fail(e);
    }
    // Every session ended with the change; this one starts again.
    let token = auth::create_session(&state.db, &user.id, state.settings.session_hours).await?;
    set_cookie(auth::session_cookie(&token, state.settings.session_hours, state.settings.secure_cookies));
    Ok(())
}

#[server(endpoint = "account/profile")]
pub async fn update_profile(contact_name: String, mobile: String, email: String) -> Result<UserInfo, AppError> {
    use crate::ssr::{app_state, auth, fail, require_user};
    let state = app_state()?;
    let user = require_user(&state).await?;
    auth::update_profile(&state.db, &user, &contact_name, &mobile, &email).await.or_else(fail)
}

#[server(endpoint = "account/forgot")]
pub async fn request_reset(username: String, contact_name: String, email: String) -> Result<(), AppError> {
    let state = crate::ssr::app_state()?;
    crate::ssr::auth::request_reset(&state.db, &state.settings, &username, &contact_name, &email).await.or_else(crate::ssr::fail)
}

#[server(endpoint = "account/reset")]
pub async fn reset_password(token: String, password: String, password2: String) -> Result<(), AppError> {
    let state = crate::ssr::app_state()?;
    crate::ssr::auth::reset_password(&state.db, &token, &password, &password2).await.or_else(crate::ssr::fail)
}

/// The notification outbox, newest first: staff only (a development aid
/// while no SMS gateway exists).
#[server(endpoint = "dev/outbox")]
pub async fn list_outbox() -> Result<Vec<crate::models::OutboxItem>, AppError> {
    use crate::ssr::{app_state, fail, outbox, require_user};
    let state = app_state()?;
    let user = require_user(&state).await?;
    if user.role == crate::domain::workflow::Role::Registrant {
        return fail(AppError::Forbidden);
    }
    Ok(outbox::latest(&state.db, 200).await?)
}
