//! Form pieces: a labelled input with its message beside it, and helpers to
//! read field errors out of an [`AppError`].

use leptos::prelude::*;

use crate::domain::{Lang, Text};
use crate::error::AppError;
use crate::i18n::use_i18n;

/// The message for one field in an error, if the error is about fields.
pub fn field_message(error: Option<&AppError>, path: &str, lang: Lang) -> Option<String> {
    match error {
        Some(AppError::Invalid(errors)) => errors.get(path).map(|e| e.message.get(lang).to_string()),
        _ => None,
    }
}

/// The message of an error that is not about one field (shown above the form).
pub fn general_message(error: Option<&AppError>, lang: Lang) -> Option<String> {
    match error {
        None | Some(AppError::Invalid(_)) => None,
        Some(e) => Some(e.message(lang)),
    }
}

/// Binds an `<input>`'s value to a signal (`use:typed=signal`) and keeps what
/// the person typed before the page hydrated. A phone on a slow network shows
/// the server's form seconds before the code arrives; `prop:value` would then
/// set the still-empty signal over the typed text (and over what a password
/// manager filled in). Here the typed text wins and goes into the signal; from
/// then on the signal sets the input.
pub fn typed(el: leptos::tachys::renderer::types::Element, value: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Ok(input) = el.dyn_into::<web_sys::HtmlInputElement>() else { return };
        let now = input.value();
        if !now.is_empty() && now != value.get_untracked() {
            value.set(now);
        }
        Effect::new(move |_| {
            let wanted = value.get();
            if input.value() != wanted {
                input.set_value(&wanted);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (el, value);
}

/// A labelled text input bound to a signal; `error` is shown under it and
/// linked for screen readers.
#[component]
pub fn Input(
    label: Text,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<Text>,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let err_id = format!("{name}-error");
    let err_id2 = err_id.clone();
    view! {
        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
            <label class="field__label" for=name>{i18n.tr(label)}</label>
            {hint.map(|h| view! { <p class="field__hint">{i18n.tr(h)}</p> })}
            <input
                class="field__input"
                id=name
                name=name
                type=kind.unwrap_or("text")
                autocomplete=autocomplete.unwrap_or("off")
                inputmode=inputmode
                maxlength=crate::domain::chars::max_chars(name)
                use:typed=value
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=err_id.clone()
            />
            <p class="field__error" id=err_id2 role="alert" data-testid=format!("error-{name}")>
                {move || error.get()}
            </p>
        </div>
    }
}

/// A notice for what is not about one field (network, conflicts, permissions).
#[component]
pub fn ErrorNotice(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.with(Option::is_some)>
            <p class="notice notice--error" role="alert" data-testid="form-error">{move || message.get()}</p>
        </Show>
    }
}

/// Said in plain words where a page needs JavaScript and the browser has it off.
#[component]
pub fn NeedsScript() -> impl IntoView {
    view! {
        <noscript>
            <p class="notice notice--warn" data-testid="needs-script">
                "此页面需要启用 JavaScript 才能使用：请在浏览器设置中启用后刷新本页。公共查询、登录和注册无需 JavaScript。"
                <br />
                "This page needs JavaScript: turn it on in the browser's settings and reload. The public query, sign-in and registration work without it."
            </p>
        </noscript>
    }
}
