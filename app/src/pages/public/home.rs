use leptos::prelude::*;
use leptos_meta::Title;

use super::query::QueryForm;
use crate::i18n::{t, use_i18n};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text="" />
        <section class="hero">
            <h1 class="hero__title">{i18n.tr(t::HOME_TITLE)}</h1>
            <p class="hero__lead">{i18n.tr(t::HOME_LEAD)}</p>
            // A sponsor's two ways in, on the first screen of a phone too.
            <div class="hero__actions" data-testid="home-actions">
                <a class="button button--primary" href="/filings/new" data-testid="home-start">{i18n.tr(crate::domain::Text::new("开始备案", "Start a filing"))}</a>
                <a class="button hero__button" href="/register" data-testid="home-register">{i18n.tr(crate::domain::Text::new("注册账户", "Register"))}</a>
            </div>
        </section>
        <section class="page">
            <h2>{i18n.tr(t::HOME_QUERY_TITLE)}</h2>
            <QueryForm value=String::new() />
            <h2>{i18n.tr(t::HOME_STEPS_TITLE)}</h2>
            <ol class="steps">
                <li class="steps__item">{i18n.tr(t::HOME_STEP_1)}</li>
                <li class="steps__item">{i18n.tr(t::HOME_STEP_2)}</li>
                <li class="steps__item">{i18n.tr(t::HOME_STEP_3)}</li>
            </ol>
        </section>
    }
}
