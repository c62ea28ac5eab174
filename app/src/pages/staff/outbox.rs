//! /dev/outbox: every e-mail and SMS the system sent (or only recorded,
//! with no gateway), newest first. Staff only.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::Text;
use crate::error::AppError;
use crate::functions::account::list_outbox;
use crate::i18n::use_i18n;

const TITLE: Text = Text::new("通知发件箱", "Notification outbox");
const LEAD: Text = Text::new("系统发出的全部短信和邮件。未配置网关时仅记录（recorded）。", "Every SMS and e-mail the system sends. Without a gateway they are only recorded.");

#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let rows = Resource::new(|| (), |_| list_outbox());
    view! {
        <Title text=TITLE.get(i18n.lang.get_untracked()) />
        <section class="page">
            <h1>{i18n.tr(TITLE)}</h1>
            <crate::components::form::NeedsScript />
            <p class="page__lead">{i18n.tr(LEAD)}</p>
            <Transition fallback=|| ()>
                {move || rows.get().map(|r| match r {
                    Err(e @ (AppError::Unauthenticated | AppError::Forbidden)) => view! {
                        <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())} " " <a href="/login?next=/dev/outbox">"登录 / Sign in"</a></p>
                    }.into_any(),
                    Err(e) => view! { <p class="notice notice--error">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(items) => view! {
                        <table class="dense">
                            <thead><tr><th>"时间"</th><th>"渠道"</th><th>"收件人"</th><th>"主题"</th><th>"内容"</th><th>"状态"</th></tr></thead>
                            <tbody>
                                {items.into_iter().map(|m| view! {
                                    <tr data-testid="outbox-row"><td>{m.created}</td><td>{m.channel}</td><td>{m.recipient}</td><td>{m.subject}</td><td class="dense__body">{m.body}</td><td>{m.status}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
