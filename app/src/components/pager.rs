//! Previous/next paging as plain links, so it works before hydration too.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{t, use_i18n};

#[component]
pub fn Pager(
    /// The current page, from 1.
    page: u32,
    /// The number of pages.
    pages: u32,
    /// Builds the link to a page.
    href: impl Fn(u32) -> String + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let prev = (page > 1).then(|| href(page - 1));
    let next = (page < pages).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label=i18n.tr(t::PAGING)>
            {prev.map(|h| view! { <A href=h attr:class="pager__link" attr:rel="prev">{i18n.tr(t::PAGE_PREV)}</A> })}
            <span class="pager__status">
                {move || crate::i18n::fmt::page_status(i18n.lang(), page, pages)}
            </span>
            {next.map(|h| view! { <A href=h attr:class="pager__link" attr:rel="next">{i18n.tr(t::PAGE_NEXT)}</A> })}
        </nav>
    }
}
