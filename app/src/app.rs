//! The root: the HTML shell, the router and the page frame.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::{Footer, Header};
use crate::i18n::{initial_lang, provide_i18n, t};
use crate::pages::account::{AccountPage, ActivatePage, ForgotPage, LoginPage, RegisterPage, ResetPage};
use crate::pages::public::{home::HomePage, not_found::NotFound, query::QueryPage};
use crate::pages::registrant::{filings::{FilingPage, FilingsPage}, records::{BusinessPage, SiteHistoryPage}, wizard::NewFilingPage};
use crate::pages::staff::outbox::OutboxPage;
use crate::pages::staff::records::{EmptySitesPage, ProviderSitesPage};
use crate::pages::staff::review::{BureauPage, BureauReviewPage, ProgressPage, ProviderPage, ProviderReviewPage};

/// Pages that need nothing in the browser: the home page and the public
/// query are plain HTML and CSS (a GET form and links), so they are served
/// without the application's script and wasm. A phone looking a filing up
/// downloads only the page; the next page that needs the application (登录,
/// 注册, the wizard) loads it. From a page that has it, the router still
/// shows these pages without a reload.
pub const WITHOUT_BROWSER_CODE: [&str; 2] = ["/", "/query"];

/// Whether the page being rendered loads the wasm (server side: its path).
fn loads_browser_code() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().map_or(true, |p| !WITHOUT_BROWSER_CODE.contains(&p.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        true
    }
}

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_lang();
    let hydrate = loads_browser_code().then(|| view! { <HydrationScripts options=options.clone() /> });
    view! {
        <!DOCTYPE html>
        <html lang=lang.html_lang()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1f4e8c" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options />
                {hydrate}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The site's own 网站备案号 for the footer: from the settings on the server,
/// from the rendered page in the browser (so both render the same).
fn site_licence() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::ssr::AppState>().map(|s| s.settings.site_licence.clone()).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector("[data-site-licence]").ok().flatten())
                .and_then(|e| e.get_attribute("data-site-licence"))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            String::new()
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n(initial_lang());
    let licence = site_licence();
    let site_name = t::SITE_NAME.get(i18n.lang.get_untracked());

    // Set once the browser has taken over the page: end-to-end tests wait for it.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/beian.css" />
        // The formatter may run after the reactive owner is gone (the 404
        // handler renders the title last), so it reads no signal.
        <Title formatter=move |page: String| {
            if page.is_empty() { site_name.to_string() } else { format!("{page} - {site_name}") }
        } />
        <Router>
            <a class="skip-link" href="#main">{move || i18n.t(t::SKIP_TO_CONTENT)}</a>
            <Header />
            <main id="main" class="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/query") view=QueryPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/register") view=RegisterPage />
                    <Route path=path!("/activate") view=ActivatePage />
                    <Route path=path!("/forgot") view=ForgotPage />
                    <Route path=path!("/reset") view=ResetPage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/filings") view=FilingsPage ssr=SsrMode::Async />
                    <Route path=path!("/filings/new") view=|| view! { <NewFilingPage /> } />
                    <Route path=path!("/filings/act") view=|| view! { <BusinessPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/filings/:id") view=FilingPage ssr=SsrMode::Async />
                    <Route path=path!("/dev/outbox") view=OutboxPage />
                    <Route path=path!("/provider") view=ProviderPage />
                    <Route path=path!("/provider/progress") view=ProgressPage />
                    <Route path=path!("/provider/sites") view=ProviderSitesPage />
                    <Route path=path!("/provider/act") view=|| view! { <BusinessPage staff=true /> } ssr=SsrMode::Async />
                    <Route path=path!("/provider/new") view=|| view! { <NewFilingPage staff=true /> } />
                    <Route path=path!("/sites/:id") view=SiteHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/bureau/empty") view=EmptySitesPage />
                    <Route path=path!("/provider/filings/:id") view=ProviderReviewPage />
                    <Route path=path!("/bureau") view=BureauPage />
                    <Route path=path!("/bureau/filings/:id") view=BureauReviewPage />
                </Routes>
            </main>
            <Footer licence />
        </Router>
    }
}
