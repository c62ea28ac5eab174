//! 意见反馈 (seed 001 §1.13): /provider/feedback (the clerk's opinions to
//! the 管局, their answers, 提出新意见) and /bureau/feedback (the 管局
//! answers and closes them).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::codes;
use crate::domain::feedback::{fields, FeedbackStatus, MAX_BODY, MAX_SUBJECT};
use crate::domain::workflow::Role;
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::office::{feedback_answer, feedback_list, feedback_submit};
use crate::i18n::use_i18n;
use crate::models::FeedbackItem;
use crate::pages::staff::review::{sign_in, ConsoleNav};

pub const FEEDBACK_TITLE: Text = Text::new("意见反馈", "Feedback");

fn field_error(e: Option<AppError>, path: &str, lang: crate::domain::Lang) -> Option<String> {
    crate::components::form::field_message(e.as_ref(), path, lang)
}

#[component]
pub fn ProviderFeedbackPage() -> impl IntoView {
    view! { <FeedbackPage role=Role::Provider /> }
}

#[component]
pub fn BureauFeedbackPage() -> impl IntoView {
    view! { <FeedbackPage role=Role::Bureau /> }
}

#[component]
fn FeedbackPage(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let status = Memo::new(move |_| query.read().get("status").unwrap_or_default());
    let list = Resource::new(move || status.get(), feedback_list);
    let base = if role == Role::Bureau { "/bureau/feedback" } else { "/provider/feedback" };
    view! {
        <Title text=FEEDBACK_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role />
            <h1>{i18n.tr(FEEDBACK_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(if role == Role::Bureau {
                Text::new("接入服务商提交给本管局的意见和建议。答复后对方会收到电子邮件；无需再处理的请关闭。", "Opinions and questions providers sent to this administration. The clerk is e-mailed the answer; close what needs nothing more.")
            } else {
                Text::new("向管局提出的意见和建议，以及管局的答复。", "Opinions and questions sent to the administrations, with their answers.")
            })}</p>
            <crate::components::form::NeedsScript />
            <nav class="toc" aria-label=move || i18n.t(Text::new("按状态", "By state"))>
                <a href=base>{i18n.tr(Text::new("全部", "All"))}</a>
                {[FeedbackStatus::Open, FeedbackStatus::Answered, FeedbackStatus::Closed].into_iter().map(|s| view! { <a href=format!("{base}?status={}", s.code())>{i18n.tr(s.label())}</a> }).collect_view()}
            </nav>
            {(role == Role::Provider).then(|| view! { <NewFeedback refetch=Callback::new(move |_| list.refetch()) /> })}
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in(base.to_string()).into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="notice" data-testid="feedback-none">{i18n.tr(Text::new("还没有意见。", "No opinions yet."))}</p> }.into_any(),
                    Ok(items) => view! {
                        <ol class="feedback-list" data-testid="feedback-list">
                            {items.into_iter().map(|f| view! { <FeedbackEntry f role refetch=Callback::new(move |_| list.refetch()) /> }).collect_view()}
                        </ol>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NewFeedback(refetch: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let (province, subject, body) = (RwSignal::new("11".to_string()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let local = RwSignal::new(None::<AppError>);
    let send = Action::new(move |_: &()| {
        let (p, s, b) = (province.get_untracked(), subject.get_untracked(), body.get_untracked());
        async move { feedback_submit(p, s, b).await }
    });
    Effect::new(move |_| match send.value().get() {
        Some(Ok(_)) => {
            subject.set(String::new());
            body.set(String::new());
            open.set(false);
            local.set(None);
            refetch.run(());
        }
        Some(Err(e)) => local.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The same rules as the server's, first.
        match crate::domain::feedback::check_new(&province.get_untracked(), &subject.get_untracked(), &body.get_untracked()) {
            Err(e) => local.set(Some(AppError::Invalid(e))),
            Ok(_) => {
                local.set(None);
                send.dispatch(());
            }
        }
    };
    let err = move |path: &'static str| move || field_error(local.get(), path, i18n.lang()).map(|m| view! { <span class="field__error" role="alert">{m}</span> });
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <p><button class="button button--primary" type="button" data-testid="feedback-new" on:click=move |_| open.set(true)>{i18n.tr(Text::new("提出新意见", "New opinion"))}</button></p>
        }>
            <form class="form feedback-form" on:submit=submit data-testid="feedback-form" novalidate>
                <label class="filter" for="fb-province"><span>{i18n.tr(fields::PROVINCE.label)}</span>
                    <select id="fb-province" prop:value=move || province.get() on:change=move |ev| province.set(event_target_value(&ev))>
                        {codes::PROVINCES.iter().map(|p| { let c = p.code.to_string(); let c2 = c.clone(); view! { <option value=c selected=move || province.get() == c2>{i18n.tr(p.name)} {i18n.tr(Text::new("通信管理局", " administration"))}</option> } }).collect_view()}
                    </select>
                    {err("province")}
                </label>
                <label class="filter" for="fb-subject"><span>{i18n.tr(fields::SUBJECT.label)}</span>
                    <input id="fb-subject" maxlength=MAX_SUBJECT prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev)) />
                    {err("subject")}
                </label>
                <label class="filter" for="fb-body"><span>{i18n.tr(fields::BODY.label)}</span>
                    <textarea id="fb-body" rows="6" maxlength=MAX_BODY prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                    {err("body")}
                </label>
                {move || local.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| view! { <p class="notice notice--error" role="alert">{e.message(i18n.lang())}</p> })}
                <div class="form__actions">
                    <button class="button" type="button" on:click=move |_| open.set(false)>{i18n.tr(Text::new("取消", "Cancel"))}</button>
                    <button class="button button--primary" type="submit" data-testid="feedback-send" disabled=move || send.pending().get()>{i18n.tr(Text::new("提交", "Send"))}</button>
                </div>
            </form>
        </Show>
    }
}

#[component]
fn FeedbackEntry(f: FeedbackItem, role: Role, refetch: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let status = FeedbackStatus::from_code(&f.status).unwrap_or(FeedbackStatus::Open);
    let province = u8::try_from(f.province).ok().and_then(codes::province_by_code).map(|p| p.name);
    let answer = RwSignal::new(String::new());
    let (key, version) = (f.key.clone(), f.version);
    let act = Action::new(move |close: &bool| {
        let (k, a, c) = (key.clone(), answer.get_untracked(), *close);
        async move { feedback_answer(k, version, a, c).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            refetch.run(());
        }
    });
    let may_answer = role == Role::Bureau && status != FeedbackStatus::Closed;
    let answered = f.answer.is_some();
    let id = format!("fb-answer-{}", f.key);
    let for_id = id.clone();
    view! {
        <li class="feedback" data-testid="feedback">
            <h2 class="feedback__subject">{f.subject.clone()}</h2>
            <p class="record__meta">
                <span class=format!("status status--feedback-{}", status.code()) data-testid="feedback-status">{i18n.tr(status.label())}</span> " "
                {f.created.clone()} " · " {f.author.clone()} " → " {move || province.map(|p| i18n.t(p)).unwrap_or("")} {i18n.tr(Text::new("管局", " administration"))}
            </p>
            <p class="feedback__body">{f.body.clone()}</p>
            {f.answer.clone().map(|a| view! {
                <div class="feedback__answer" data-testid="feedback-answer">
                    <p class="record__meta">{i18n.tr(Text::new("管局答复", "Answer"))} " · " {f.answered.clone().unwrap_or_default()}</p>
                    <p>{a}</p>
                </div>
            })}
            <p class="muted">{i18n.tr(status.next())}</p>
            {may_answer.then(|| view! {
                <div class="feedback__act no-print">
                    <label class="field__label" for=for_id>{i18n.tr(if answered { Text::new("补充答复", "Add to the answer") } else { Text::new("答复", "Answer") })}</label>
                    <textarea id=id class="field__input" rows="3" maxlength=MAX_BODY data-testid="feedback-answer-text" prop:value=move || answer.get() on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
                    {move || act.value().get().and_then(Result::err).map(|e| view! { <p class="field__error" role="alert">{e.message(i18n.lang())}</p> })}
                    <div class="form__actions">
                        <button class="button button--primary button--small" type="button" data-testid="feedback-answer-go" disabled=move || act.pending().get() on:click=move |_| { act.dispatch(false); }>{i18n.tr(Text::new("答复", "Answer"))}</button>
                        <button class="button button--small" type="button" data-testid="feedback-close" disabled=move || act.pending().get() on:click=move |_| { act.dispatch(true); }>{i18n.tr(if answered { Text::new("关闭", "Close") } else { Text::new("答复并关闭", "Answer and close") })}</button>
                    </div>
                </div>
            })}
        </li>
    }
}
