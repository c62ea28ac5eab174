use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::i18n::{t, use_i18n};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(404);
    let i18n = use_i18n();
    view! {
        <Title text=t::NOT_FOUND_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            <h1>{i18n.tr(t::NOT_FOUND_TITLE)}</h1>
            <p>{i18n.tr(t::NOT_FOUND_BODY)}</p>
            <p><A href="/">{i18n.tr(t::BACK_HOME)}</A></p>
        </section>
    }
}
