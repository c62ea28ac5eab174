//! Account pages: 注册 (使用声明 → 备案流程 → form → code), 激活, 登录,
//! 找回密码, 重设密码, and 账户 (profile, password, sign out).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::form::{field_message, general_message, ErrorNotice, Input};
use crate::domain::account::{check_registration, fields, Registration};
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::account::{
    activate, change_password, current_user, login, logout, new_captcha, register, request_reset, resend_code, reset_password, update_profile, LoginResult,
};
use crate::i18n::use_i18n;
use crate::models::CodeSent;

const LOGIN_TITLE: Text = Text::new("用户登录", "Sign in");
const REGISTER_TITLE: Text = Text::new("网站主办者用户注册", "Register as a website sponsor");
const ACTIVATE_TITLE: Text = Text::new("激活账户", "Activate your account");
const FORGOT_TITLE: Text = Text::new("找回密码", "Forgotten password");
const RESET_TITLE: Text = Text::new("设置新密码", "Choose a new password");
const ACCOUNT_TITLE: Text = Text::new("账户设置", "Account");
const SUBMIT_LOGIN: Text = Text::new("登录", "Sign in");
const NEW_CAPTCHA: Text = Text::new("看不清，换一张", "New picture");
const NO_ACCOUNT: Text = Text::new("还没有账户？注册", "No account yet? Register");
const FORGOT_LINK: Text = Text::new("忘记密码？", "Forgotten your password?");
const ACTIVATE_LINK: Text = Text::new("已注册但未激活？输入验证码", "Registered but not activated? Enter your code");
const ACCEPT: Text = Text::new("接受", "Accept");
const DECLINE: Text = Text::new("不接受", "Decline");
const DECLARATION_TITLE: Text = Text::new("使用声明", "Terms of use");
const DECLARATION: [Text; 4] = [
    Text::new("本系统供网站主办者向接入服务商提交ICP备案信息使用。", "This system is for website sponsors to submit ICP filings to their access provider."),
    Text::new("您应保证所填写的主体、网站、负责人等信息真实、准确、完整，并与证件一致；虚假信息将导致备案被驳回或注销。", "The entity, website and contact details you enter must be true, accurate, complete and match the certificates; false details lead to rejection or cancellation."),
    Text::new("备案信息将提交接入服务商核实，并报送所属省通信管理局审核；审核通过后方可开通网站服务。", "Filings are verified by the access provider and reviewed by the provincial administration; the website may open only after approval."),
    Text::new("您的手机号码和电子邮箱用于接收验证码和备案进度通知。", "Your mobile number and e-mail receive codes and progress notices."),
];
const FLOW_TITLE: Text = Text::new("ICP信息备案流程", "How ICP filing works");
const FLOW: [Text; 5] = [
    Text::new("注册并激活账户（手机验证码）", "Register and activate the account (code by SMS)"),
    Text::new("填写主体信息、网站信息、接入信息，上传材料并提交", "Enter the entity, websites and access, upload the materials and submit"),
    Text::new("接入服务商核实信息与材料（1至2个工作日），有误则退回修改", "The access provider verifies it (1–2 working days) and returns it if anything is wrong"),
    Text::new("接入服务商报送管局，管局审核（最长20个工作日）", "The provider passes it to the administration, which reviews it (up to 20 working days)"),
    Text::new("审核通过，取得备案号，将备案号放在网站首页底部", "Once approved, put the filing number at the bottom of the home page"),
];
const SUBMIT_REGISTER: Text = Text::new("注册", "Register");
const CODE_SENT: Text = Text::new("注册成功，验证码已发送至", "Registered. The code was sent to");
const CODE_SHOWN: Text = Text::new("短信/邮件网关未开通，您的验证码是", "No SMS/e-mail gateway is set up; your code is");
const GO_ACTIVATE: Text = Text::new("输入验证码激活账户", "Enter the code to activate");
const SUBMIT_ACTIVATE: Text = Text::new("激活并登录", "Activate and sign in");
const RESEND: Text = Text::new("重新发送验证码", "Send the code again");
const SUBMIT_FORGOT: Text = Text::new("发送重设链接", "Send the reset link");
const FORGOT_LEAD: Text = Text::new("请输入注册时的用户名、联系人姓名和电子邮箱，我们将发送设置新密码的链接。", "Enter the username, contact name and e-mail you registered with; we will send a link to choose a new password.");
const FORGOT_DONE: Text = Text::new("如信息与注册时一致，设置新密码的链接已发送到该邮箱，1小时内有效。", "If the details match, a link to choose a new password has been e-mailed; it works for one hour.");
const SUBMIT_RESET: Text = Text::new("保存新密码", "Save the new password");
const RESET_DONE: Text = Text::new("密码已更新，请使用新密码登录。", "Password changed; sign in with the new one.");
const PROFILE_TITLE: Text = Text::new("联系信息", "Contact details");
const PASSWORD_TITLE: Text = Text::new("修改密码", "Change password");
const SAVE: Text = Text::new("保存", "Save");
const SAVED: Text = Text::new("已保存", "Saved");
const LOGOUT: Text = Text::new("退出登录", "Sign out");
pub const PASSWORD_HINT: Text = Text::new("至少8位，不能全为数字，不能与用户名相同", "At least 8 characters, not only digits, not the username");
const PLAIN_FAILED: Text = Text::new(
    "未成功：填写的内容有误，或用户名、密码、验证码不正确。请检查后重试。",
    "That did not work: something was wrong, or the username, password or picture code did not match. Check and try again.",
);
const PLAIN_SENT: Text = Text::new("验证码已发送，请查收短信或邮件。", "The code was sent: check your messages.");
pub const SIGN_IN_FIRST: Text = Text::new("请先登录。", "Please sign in first.");

/// Go to a page with a full load (the header then shows who is signed in).
const LOGIN_FORM: &str = "login-form";

/// Whether the sign-in form shows a captcha: the server's setting; in the
/// browser, what the page the server sent says (a page reached by a link
/// inside the application asks the server, which answers none when off).
fn captcha_enabled() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::ssr::AppState>().map(|s| s.settings.captcha).unwrap_or(true)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let flag = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(LOGIN_FORM)).and_then(|e| e.get_attribute("data-captcha"));
        flag.as_deref() != Some("off")
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        true
    }
}

pub fn go(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

fn err_signal(error: RwSignal<Option<AppError>>, path: &'static str) -> Signal<Option<String>> {
    let i18n = use_i18n();
    Signal::derive(move || error.with(|e| field_message(e.as_ref(), path, i18n.lang())))
}

/// What a plain form post (before the page's script runs) came back with:
/// `?failed=1`, `?saved=1`, `?sent=1` or `?reset=1` in the address.
#[component]
pub(crate) fn PlainNotices() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let has = move |k: &str| query.read().get(k).is_some();
    view! {
        <Show when=move || has("failed")>
            <p class="notice notice--error" role="alert" data-testid="plain-failed">{i18n.tr(PLAIN_FAILED)}</p>
        </Show>
        <Show when=move || has("saved")>
            <p class="notice notice--ok" role="status">{i18n.tr(SAVED)}</p>
        </Show>
        <Show when=move || has("sent")>
            <p class="notice notice--ok" role="status">{i18n.tr(PLAIN_SENT)}</p>
        </Show>
        <Show when=move || has("reset")>
            <p class="notice notice--ok" role="status">{i18n.tr(RESET_DONE)}</p>
        </Show>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // Only a path on this site; empty means "where my work is" (the server decides by role).
    let next = move || query.read().get("next").filter(|n| crate::domain::net::is_local_path(n)).unwrap_or_default();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let captcha = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let captcha_version = RwSignal::new(0u32);
    // Without captchas (switched off by the operator) the form has no
    // resource to wait for: no <Suspense> that could be left unresolved.
    let with_captcha = captcha_enabled();
    let picture = Resource::new(move || captcha_version.get(), move |_| async move { if with_captcha { new_captcha().await } else { Ok(None) } });
    let action = Action::new(move |_: &()| {
        let (u, p, c) = (username.get_untracked(), password.get_untracked(), captcha.get_untracked());
        let id = picture.get_untracked().and_then(|r| r.ok()).flatten().map(|c| c.id).unwrap_or_default();
        let n = next();
        async move { login(u, p, id, c, n).await }
    });
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            match result {
                Ok(LoginResult::SignedIn(to)) => go(&to),
                Ok(LoginResult::NeedsActivation(u)) => go(&format!("/activate?username={u}")),
                Err(e) => {
                    error.set(Some(e));
                    captcha.set(String::new());
                    captcha_version.update(|v| *v += 1);
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        action.dispatch(());
    };
    view! {
        <Title text=LOGIN_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            <h1>{i18n.tr(LOGIN_TITLE)}</h1>
            <PlainNotices />
            <ErrorNotice message=Signal::derive(move || error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
            <form class="form" id=LOGIN_FORM data-captcha=if with_captcha { "on" } else { "off" } method="post" action="/api/account/login" on:submit=on_submit novalidate>
                <input type="hidden" name="next" value=next />
                <Input label=fields::USERNAME.label name="username" value=username error=err_signal(error, "username") autocomplete="username" />
                <Input label=fields::PASSWORD.label name="password" value=password error=err_signal(error, "password") kind="password" autocomplete="current-password" />
                <Show when=move || with_captcha>
                <Transition fallback=|| ()>
                    {move || picture.get().and_then(|r| r.ok()).flatten().map(|c| view! {
                        <div class="captcha">
                            <input type="hidden" name="captcha_id" value=c.id.clone() />
                            <Input label=fields::CAPTCHA.label name="captcha" value=captcha error=err_signal(error, "captcha") autocomplete="off" />
                            <div class="captcha__picture" inner_html=c.svg data-testid="captcha-picture"></div>
                            <button type="button" class="button button--link" on:click=move |_| captcha_version.update(|v| *v += 1)>{i18n.tr(NEW_CAPTCHA)}</button>
                        </div>
                    })}
                </Transition>
                </Show>
                <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>{i18n.tr(SUBMIT_LOGIN)}</button>
            </form>
            <p class="form__links">
                <a href="/register">{i18n.tr(NO_ACCOUNT)}</a>
                <a href="/forgot">{i18n.tr(FORGOT_LINK)}</a>
                <a href="/activate">{i18n.tr(ACTIVATE_LINK)}</a>
            </p>
        </section>
    }
}

#[component]
fn CodeSentNotice(sent: CodeSent) -> impl IntoView {
    let i18n = use_i18n();
    let code = sent.shown_code.clone();
    view! {
        <div class="notice notice--ok" role="status" data-testid="code-sent">
            <p>{i18n.tr(CODE_SENT)} " " {sent.mobile.clone()} " / " {sent.email.clone()}</p>
            {code.map(|c| view! { <p>{i18n.tr(CODE_SHOWN)} " " <strong class="code" data-testid="shown-code">{c}</strong></p> })}
        </div>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    // 0: 使用声明, 1: 备案流程, 2: the form (seed 000: 接受 twice first).
    let query = use_query_map();
    // Without JavaScript the 接受 buttons are links to ?stage=1 and ?stage=2.
    let from_query = query.read_untracked().get("stage").and_then(|s| s.parse::<u8>().ok()).unwrap_or(0).min(2);
    let stage = RwSignal::new(if query.read_untracked().get("failed").is_some() { 2u8 } else { from_query });
    let form = [(); 6].map(|_| RwSignal::new(String::new()));
    let [username, password, password2, contact_name, mobile, email] = form;
    let error = RwSignal::new(None::<AppError>);
    let sent = RwSignal::new(None::<CodeSent>);
    let action = Action::new(move |r: &Registration| {
        let r = r.clone();
        async move { register(r.username, r.password, r.password2, r.contact_name, r.mobile, r.email).await }
    });
    Effect::new(move |_| match action.value().get() {
        Some(Ok(s)) => sent.set(Some(s)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = Registration {
            username: username.get_untracked(),
            password: password.get_untracked(),
            password2: password2.get_untracked(),
            contact_name: contact_name.get_untracked(),
            mobile: mobile.get_untracked(),
            email: email.get_untracked(),
        };
        // The same rules as the server, before any request.
        match check_registration(&r) {
            Err(errors) => error.set(Some(AppError::Invalid(errors))),
            Ok(_) => {
                error.set(None);
                action.dispatch(r);
            }
        }
    };
    view! {
        <Title text=REGISTER_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            <h1>{i18n.tr(REGISTER_TITLE)}</h1>
            {move || match (stage.get(), sent.get()) {
                (_, Some(s)) => {
                    let href = format!("/activate?username={}", s.username);
                    view! {
                        <CodeSentNotice sent=s />
                        <a class="button button--primary button--block" href=href>{i18n.tr(GO_ACTIVATE)}</a>
                    }.into_any()
                }
                (0, None) => view! {
                    <h2>{i18n.tr(DECLARATION_TITLE)}</h2>
                    <ol class="terms">{DECLARATION.into_iter().map(|d| view! { <li>{i18n.tr(d)}</li> }).collect_view()}</ol>
                    <div class="form__actions">
                        <a class="button" href="/">{i18n.tr(DECLINE)}</a>
                        <a class="button button--primary" href="/register?stage=1" data-testid="accept" on:click=move |ev| { ev.prevent_default(); stage.set(1); }>{i18n.tr(ACCEPT)}</a>
                    </div>
                }.into_any(),
                (1, None) => view! {
                    <h2>{i18n.tr(FLOW_TITLE)}</h2>
                    <ol class="flow">{FLOW.into_iter().map(|d| view! { <li class="flow__step">{i18n.tr(d)}</li> }).collect_view()}</ol>
                    <div class="form__actions">
                        <a class="button" href="/">{i18n.tr(DECLINE)}</a>
                        <a class="button button--primary" href="/register?stage=2" data-testid="accept" on:click=move |ev| { ev.prevent_default(); stage.set(2); }>{i18n.tr(ACCEPT)}</a>
                    </div>
                }.into_any(),
                _ => view! {
                    <PlainNotices />
                    <ErrorNotice message=Signal::derive(move || error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
                    <form class="form" method="post" action="/api/account/register" on:submit=on_submit novalidate>
                        <Input label=fields::USERNAME.label name="username" value=username error=err_signal(error, "username") autocomplete="username" />
                        <Input label=fields::PASSWORD.label name="password" value=password error=err_signal(error, "password") kind="password" autocomplete="new-password" hint=PASSWORD_HINT />
                        <Input label=fields::PASSWORD2.label name="password2" value=password2 error=err_signal(error, "password2") kind="password" autocomplete="new-password" />
                        <Input label=fields::CONTACT_NAME.label name="contact_name" value=contact_name error=err_signal(error, "contact_name") autocomplete="name" />
                        <Input label=fields::MOBILE.label name="mobile" value=mobile error=err_signal(error, "mobile") kind="tel" autocomplete="tel" inputmode="tel" />
                        <Input label=fields::EMAIL.label name="email" value=email error=err_signal(error, "email") kind="email" autocomplete="email" />
                        <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>{i18n.tr(SUBMIT_REGISTER)}</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub fn ActivatePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let username = RwSignal::new(query.read_untracked().get("username").unwrap_or_default());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let sent = RwSignal::new(None::<CodeSent>);
    let submit = Action::new(move |_: &()| {
        let (u, c) = (username.get_untracked(), code.get_untracked());
        async move { activate(u, c).await }
    });
    let resend = Action::new(move |_: &()| {
        let u = username.get_untracked();
        async move { resend_code(u).await }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(())) => go("/filings/new"),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    Effect::new(move |_| match resend.value().get() {
        Some(Ok(s)) => {
            error.set(None);
            sent.set(Some(s));
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <Title text=ACTIVATE_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            <h1>{i18n.tr(ACTIVATE_TITLE)}</h1>
            {move || sent.get().map(|s| view! { <CodeSentNotice sent=s /> })}
            <PlainNotices />
            <ErrorNotice message=Signal::derive(move || error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
            <form class="form" method="post" action="/api/account/activate" novalidate on:submit=move |ev| { ev.prevent_default(); error.set(None); submit.dispatch(()); }>
                <Input label=fields::USERNAME.label name="username" value=username error=err_signal(error, "username") autocomplete="username" />
                <Input label=fields::CODE.label name="code" value=code error=err_signal(error, "code") inputmode="numeric" autocomplete="one-time-code" />
                <button class="button button--primary button--block" type="submit" disabled=move || submit.pending().get()>{i18n.tr(SUBMIT_ACTIVATE)}</button>
                <button class="button button--block" type="button" on:click=move |_| { resend.dispatch(()); } disabled=move || resend.pending().get()>{i18n.tr(RESEND)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn ForgotPage() -> impl IntoView {
    let i18n = use_i18n();
    let [username, contact_name, email] = [(); 3].map(|_| RwSignal::new(String::new()));
    let error = RwSignal::new(None::<AppError>);
    let action = Action::new(move |_: &()| {
        let (u, n, e) = (username.get_untracked(), contact_name.get_untracked(), email.get_untracked());
        async move { request_reset(u, n, e).await }
    });
    let query = use_query_map();
    let done = move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("sent").is_some();
    Effect::new(move |_| {
        if let Some(Err(e)) = action.value().get() {
            error.set(Some(e));
        }
    });
    view! {
        <Title text=FORGOT_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            <h1>{i18n.tr(FORGOT_TITLE)}</h1>
            <Show when=done fallback=move || view! {
                <p class="page__lead">{i18n.tr(FORGOT_LEAD)}</p>
                <PlainNotices />
                <ErrorNotice message=Signal::derive(move || error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
                <form class="form" method="post" action="/api/account/forgot" novalidate on:submit=move |ev| { ev.prevent_default(); action.dispatch(()); }>
                    <Input label=fields::USERNAME.label name="username" value=username error=err_signal(error, "username") autocomplete="username" />
                    <Input label=fields::CONTACT_NAME.label name="contact_name" value=contact_name error=err_signal(error, "contact_name") autocomplete="name" />
                    <Input label=fields::EMAIL.label name="email" value=email error=err_signal(error, "email") kind="email" autocomplete="email" />
                    <button class="button button--primary button--block" type="submit">{i18n.tr(SUBMIT_FORGOT)}</button>
                </form>
            }>
                <p class="notice notice--ok" role="status">{i18n.tr(FORGOT_DONE)}</p>
            </Show>
        </section>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let [password, password2] = [(); 2].map(|_| RwSignal::new(String::new()));
    let error = RwSignal::new(None::<AppError>);
    let action = Action::new(move |_: &()| {
        let token = query.read_untracked().get("token").unwrap_or_default();
        let (p, p2) = (password.get_untracked(), password2.get_untracked());
        async move { reset_password(token, p, p2).await }
    });
    let done = move || matches!(action.value().get(), Some(Ok(())));
    Effect::new(move |_| {
        if let Some(Err(e)) = action.value().get() {
            error.set(Some(e));
        }
    });
    view! {
        <Title text=RESET_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            <h1>{i18n.tr(RESET_TITLE)}</h1>
            <Show when=done fallback=move || view! {
                <PlainNotices />
                <ErrorNotice message=Signal::derive(move || error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
                <form class="form" method="post" action="/api/account/reset" novalidate on:submit=move |ev| { ev.prevent_default(); action.dispatch(()); }>
                    <input type="hidden" name="token" value=query.read_untracked().get("token").unwrap_or_default() />
                    <Input label=fields::PASSWORD.label name="password" value=password error=err_signal(error, "password") kind="password" autocomplete="new-password" hint=PASSWORD_HINT />
                    <Input label=fields::PASSWORD2.label name="password2" value=password2 error=err_signal(error, "password2") kind="password" autocomplete="new-password" />
                    <button class="button button--primary button--block" type="submit">{i18n.tr(SUBMIT_RESET)}</button>
                </form>
            }>
                <p class="notice notice--ok" role="status">{i18n.tr(RESET_DONE)} " " <a href="/login">{i18n.tr(SUBMIT_LOGIN)}</a></p>
            </Show>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| current_user());
    let [contact_name, mobile, email, old_password, password, password2] = [(); 6].map(|_| RwSignal::new(String::new()));
    Effect::new(move |_| {
        if let Some(Ok(Some(u))) = me.get() {
            contact_name.set(u.contact_name);
            mobile.set(u.mobile);
            email.set(u.email);
        }
    });
    let profile_error = RwSignal::new(None::<AppError>);
    let password_error = RwSignal::new(None::<AppError>);
    let save_profile = Action::new(move |_: &()| {
        let (n, m, e) = (contact_name.get_untracked(), mobile.get_untracked(), email.get_untracked());
        async move { update_profile(n, m, e).await }
    });
    let save_password = Action::new(move |_: &()| {
        let (o, p, p2) = (old_password.get_untracked(), password.get_untracked(), password2.get_untracked());
        async move { change_password(o, p, p2).await }
    });
    let sign_out = Action::new(|_: &()| async move { logout().await });
    Effect::new(move |_| profile_error.set(save_profile.value().get().and_then(|r| r.err())));
    Effect::new(move |_| password_error.set(save_password.value().get().and_then(|r| r.err())));
    // A password someone else chose, now changed: on to the person's work.
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(Ok(Some(u)))) = (save_password.value().get(), me.get_untracked()) {
            if u.must_change {
                go(&crate::functions::account::landing(u.role, ""));
            }
        }
    });
    Effect::new(move |_| {
        if sign_out.value().get().is_some() {
            go("/");
        }
    });
    view! {
        <Title text=ACCOUNT_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            <h1>{i18n.tr(ACCOUNT_TITLE)}</h1>
            <crate::components::form::NeedsScript />
            <Transition fallback=|| ()>
                {move || me.get().map(|r| match r {
                    Ok(Some(u)) => view! {
                        <p class="page__lead">{i18n.tr(fields::USERNAME.label)} "：" <strong>{u.username.clone()}</strong></p>
                        {u.must_change.then(|| view! {
                            <p class="notice notice--warn" role="alert" data-testid="must-change">{i18n.tr(crate::domain::Text::new(
                                "您的密码由接入服务商设定（代为录入或重置密码）。请先在下方“修改密码”中设定只有您知道的新密码，之后才能办理备案。",
                                "Your password was set by your access provider (it filed for you or reset the password). Choose a new one only you know under “Change password” below before anything else.",
                            ))}</p>
                        })}
                    }.into_any(),
                    _ => view! { <p class="notice">{i18n.tr(SIGN_IN_FIRST)} " " <a href="/login?next=/account">{i18n.tr(SUBMIT_LOGIN)}</a></p> }.into_any(),
                })}
            </Transition>
            <h2>{i18n.tr(PROFILE_TITLE)}</h2>
            <ErrorNotice message=Signal::derive(move || profile_error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
            <PlainNotices />
            <form class="form" method="post" action="/api/account/profile" novalidate on:submit=move |ev| { ev.prevent_default(); save_profile.dispatch(()); }>
                <Input label=fields::CONTACT_NAME.label name="contact_name" value=contact_name error=err_signal(profile_error, "contact_name") autocomplete="name" />
                <Input label=fields::MOBILE.label name="mobile" value=mobile error=err_signal(profile_error, "mobile") kind="tel" autocomplete="tel" />
                <Input label=fields::EMAIL.label name="email" value=email error=err_signal(profile_error, "email") kind="email" autocomplete="email" />
                <button class="button button--primary" type="submit">{i18n.tr(SAVE)}</button>
                <Show when=move || matches!(save_profile.value().get(), Some(Ok(_)))><span class="form__saved" role="status">{i18n.tr(SAVED)}</span></Show>
            </form>
            <h2>{i18n.tr(PASSWORD_TITLE)}</h2>
            <ErrorNotice message=Signal::derive(move || password_error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
            <form class="form" method="post" action="/api/account/password" novalidate on:submit=move |ev| { ev.prevent_default(); save_password.dispatch(()); }>
                <Input label=fields::OLD_PASSWORD.label name="old_password" value=old_password error=err_signal(password_error, "old_password") kind="password" autocomplete="current-password" />
                <Input label=fields::PASSWORD.label name="password" value=password error=err_signal(password_error, "password") kind="password" autocomplete="new-password" hint=PASSWORD_HINT />
                <Input label=fields::PASSWORD2.label name="password2" value=password2 error=err_signal(password_error, "password2") kind="password" autocomplete="new-password" />
                <button class="button button--primary" type="submit">{i18n.tr(SAVE)}</button>
                <Show when=move || matches!(save_password.value().get(), Some(Ok(_)))><span class="form__saved" role="status">{i18n.tr(SAVED)}</span></Show>
            </form>
            <button class="button" type="button" data-testid="logout" on:click=move |_| { sign_out.dispatch(()); }>{i18n.tr(LOGOUT)}</button>
        </section>
    }
}
