//! Accounts: registration and activation, sign-in, profile, recovery. Each
//! function starts with `serve(need, …)` (see `ssr::guard`); the account
//! doors are rate-limited per address and per username.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{Captcha, CodeSent, UserInfo};
#[cfg(feature = "ssr")]
use super::{answer_plain, enc, plain_form_post};

/// Where a person lands after signing in: the page asked for (on this site
/// only), else where their work is: the clerk's 核实 queue, the 管局's
/// queue, the registrant's filings.
pub fn landing(role: crate::domain::workflow::Role, next: &str) -> String {
    use crate::domain::workflow::Role;
    if crate::domain::net::is_local_path(next) {
        return next.to_string();
    }
    match role {
        Role::Provider => "/provider".into(),
        Role::Bureau => "/bureau".into(),
        Role::Admin => "/account".into(),
        Role::Registrant => "/filings".into(),
    }
}

#[cfg(feature = "ssr")]
fn limit(cx: &crate::ssr::guard::Ctx, door: crate::ssr::limits::Door, name: Option<&str>) -> Result<(), AppError> {
    cx.settings.limits.check(door, crate::ssr::client_ip(), name)
}

#[server(endpoint = "account/me")]
pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    use crate::ssr::guard::{serve, Need};
    serve(Need::Anyone, |cx| async move { Ok(cx.user().map(|u| u.info())) }).await
}

/// A captcha for the sign-in form, or none when captchas are switched off.
#[server(endpoint = "account/captcha")]
pub async fn new_captcha() -> Result<Option<Captcha>, AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    serve(Need::Anyone, |cx| async move {
        if !cx.settings.captcha {
            return Ok(None);
        }
        limit(&cx, Door::Captcha, None)?;
        Ok(Some(crate::ssr::auth::new_captcha(&cx.db).await?))
    })
    .await
}

#[server(endpoint = "account/register")]
pub async fn register(username: String, password: String, password2: String, contact_name: String, mobile: String, email: String) -> Result<CodeSent, AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    let plain = plain_form_post();
    let result = serve(Need::Anyone, |cx| async move {
        limit(&cx, Door::Register, None)?;
        let form = crate::domain::account::Registration { username, password, password2, contact_name, mobile, email };
        crate::ssr::auth::register(&cx.db, &cx.settings, &form).await
    })
    .await;
    answer_plain(plain, &result, |s| format!("/activate?username={}&sent=1", enc(&s.username)), "/register?failed=1");
    result
}

/// Enter the activation code; the account is active and signed in.
#[server(endpoint = "account/activate")]
pub async fn activate(username: String, code: String) -> Result<(), AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    use crate::ssr::{auth, set_cookie};
    let plain = plain_form_post();
    let failed = format!("/activate?failed=1&username={}", enc(&username));
    let result = serve(Need::Anyone, |cx| async move {
        limit(&cx, Door::Activate, Some(&username))?;
        let id = auth::activate(&cx.db, &username, &code).await?;
        let token = auth::create_session(&cx.db, &id, cx.settings.session_hours).await?;
        set_cookie(auth::session_cookie(&token, cx.settings.session_hours, cx.settings.secure_cookies));
        Ok(())
    })
    .await;
    answer_plain(plain, &result, |_| "/filings/new".to_string(), &failed);
    result
}

#[server(endpoint = "account/resend")]
pub async fn resend_code(username: String) -> Result<CodeSent, AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    serve(Need::Anyone, |cx| async move {
        limit(&cx, Door::Resend, Some(&username))?;
        crate::ssr::auth::resend_code(&cx.db, &cx.settings, &username).await
    })
    .await
}

/// What sign-in tells the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoginResult {
    /// Signed in: where to go now.
    SignedIn(String),
    /// The account waits for its activation code.
    NeedsActivation(String),
}

/// Sign in. Posted by the page's script, or, before the script has loaded,
/// by the plain form (then the answer is a redirect: to `next` when signed
/// in, back to the sign-in page with a message otherwise). The password is
/// never in a URL.
#[server(endpoint = "account/login")]
pub async fn login(username: String, password: String, #[server(default)] captcha_id: String, #[server(default)] captcha: String, #[server(default)] next: String) -> Result<LoginResult, AppError> {
    use crate::domain::account::fields;
    use crate::domain::{FieldErrors, Message, Problem};
    use crate::ssr::auth::{self, LoginOutcome};
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    use crate::ssr::set_cookie;
    let plain = plain_form_post();
    let asked = next.clone();
    let result = serve(Need::Anyone, |cx| async move {
        limit(&cx, Door::Login, Some(&username))?;
        let mut errors = FieldErrors::new();
        if username.trim().is_empty() {
            errors.push(crate::domain::error::required().at(fields::USERNAME));
        }
        if password.is_empty() {
            errors.push(crate::domain::error::required().at(fields::PASSWORD));
        }
        if cx.settings.captcha && !auth::check_captcha(&cx.db, &captcha_id, &captcha).await? {
            errors.push(Problem::new("captcha.wrong", "图形验证码不正确，请看清新图片后重新输入", "the picture code is wrong; read the new picture and try again").at(fields::CAPTCHA));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        match auth::login(&cx.db, &username, &password).await? {
            LoginOutcome::Ok(id) => {
                let token = auth::create_session(&cx.db, &id, cx.settings.session_hours).await?;
                set_cookie(auth::session_cookie(&token, cx.settings.session_hours, cx.settings.secure_cookies));
                let user = auth::session_user(&cx.db, &token).await?;
                // A password someone else chose: straight to changing it.
                if user.as_ref().is_some_and(|u| u.must_change) {
                    return Ok(LoginResult::SignedIn("/account?must=1".into()));
                }
                let role = user.map(|u| u.role).unwrap_or(crate::domain::workflow::Role::Registrant);
                Ok(LoginResult::SignedIn(landing(role, &next)))
            }
            LoginOutcome::Pending => Ok(LoginResult::NeedsActivation(username.trim().to_ascii_lowercase())),
            LoginOutcome::Bad => Err(AppError::Conflict(Message::new(
                "用户名或密码不正确。忘记密码可通过“忘记密码？”找回。",
                "Wrong username or password. Use “Forgotten your password?” to reset it.",
            ))),
        }
    })
    .await;
    let failed = if crate::domain::net::is_local_path(&asked) { format!("/login?failed=1&next={}", enc(&asked)) } else { "/login?failed=1".to_string() };
    answer_plain(
        plain,
        &result,
        |r| match r {
            LoginResult::SignedIn(to) => to.clone(),
            LoginResult::NeedsActivation(u) => format!("/activate?username={}", enc(u)),
        },
        &failed,
    );
    result
}

#[server(endpoint = "account/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::{auth, session_token, set_cookie};
    serve(Need::Anyone, |cx| async move {
        if let Some(token) = session_token() {
            auth::end_session(&cx.db, &token).await?;
        }
        set_cookie(auth::clear_session_cookie(cx.settings.secure_cookies));
        Ok(())
    })
    .await
}

#[server(endpoint = "account/password")]
pub async fn change_password(old_password: String, password: String, password2: String) -> Result<(), AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::{auth, set_cookie};
    let plain = plain_form_post();
    let result = serve(Need::Account, |cx| async move {
        let me = cx.me()?;
        auth::change_password(&cx.db, me, &old_password, &password, &password2).await?;
        // Every session ended with the change; this one starts again.
        let token = auth::create_session(&cx.db, &me.id, cx.settings.session_hours).await?;
        set_cookie(auth::session_cookie(&token, cx.settings.session_hours, cx.settings.secure_cookies));
        // A password someone else chose, now changed: on to the person's work
        // (the page does the same with JavaScript).
        Ok(if me.must_change { landing(me.role, "") } else { "/account?saved=1".to_string() })
    })
    .await;
    answer_plain(plain, &result, String::clone, "/account?failed=1");
    result.map(|_| ())
}

#[server(endpoint = "account/profile")]
pub async fn update_profile(contact_name: String, mobile: String, email: String) -> Result<UserInfo, AppError> {
    use crate::ssr::guard::{serve, Need};
    let plain = plain_form_post();
    let result = serve(Need::Account, |cx| async move { crate::ssr::auth::update_profile(&cx.db, cx.me()?, &contact_name, &mobile, &email).await }).await;
    answer_plain(plain, &result, |_| "/account?saved=1".to_string(), "/account?failed=1");
    result
}

#[server(endpoint = "account/forgot")]
pub async fn request_reset(username: String, contact_name: String, email: String) -> Result<(), AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    let plain = plain_form_post();
    let result = serve(Need::Anyone, |cx| async move {
        limit(&cx, Door::Forgot, Some(&username))?;
        crate::ssr::auth::request_reset(&cx.db, &cx.settings, &username, &contact_name, &email).await
    })
    .await;
    answer_plain(plain, &result, |_| "/forgot?sent=1".to_string(), "/forgot?failed=1");
    result
}

#[server(endpoint = "account/reset")]
pub async fn reset_password(token: String, password: String, password2: String) -> Result<(), AppError> {
    use crate::ssr::guard::{serve, Need};
    use crate::ssr::limits::Door;
    let plain = plain_form_post();
    let failed = format!("/reset?failed=1&token={}", enc(&token));
    let result = serve(Need::Anyone, |cx| async move {
        limit(&cx, Door::Reset, None)?;
        crate::ssr::auth::reset_password(&cx.db, &token, &password, &password2).await
    })
    .await;
    answer_plain(plain, &result, |_| "/login?reset=1".to_string(), &failed);
    result
}

/// The notification outbox, newest first, with every secret masked: for
/// administrators, and only with the development switch on.
#[server(endpoint = "dev/outbox")]
pub async fn list_outbox() -> Result<Vec<crate::models::OutboxItem>, AppError> {
    use crate::domain::workflow::Role;
    use crate::ssr::guard::{serve, Need};
    serve(Need::Role(&[Role::Admin]), |cx| async move {
        if !cx.settings.dev {
            return Err(AppError::NotFound);
        }
        Ok(crate::ssr::outbox::latest(&cx.db, 200).await?)
    })
    .await
}
