//! The root: the HTML shell, the router and the page frame.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::{path, Lazy, LazyRoute, SsrMode};

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

    view! {
        <Stylesheet id="leptos" href="/pkg/beian.css" />
        // The formatter may run after the reactive owner is gone (the 404
        // handler renders the title last), so it reads no signal.
        <Title formatter=move |page: String| {
            if page.is_empty() { site_name.to_string() } else { format!("{page} - {site_name}") }
        } />
        <Router>
            <a class="skip-link" href="#main">{i18n.tr(t::SKIP_TO_CONTENT)}</a>
            <Header />
            <main id="main" class="main">
                <FlatRoutes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/query") view=QueryPage ssr=SsrMode::Async />
                    <Route path=path!("/codes") view={part::<{ page::CODES }>()} />
                    <Route path=path!("/login") view={part::<{ page::LOGIN }>()} />
                    <Route path=path!("/register") view={part::<{ page::REGISTER }>()} />
                    <Route path=path!("/activate") view={part::<{ page::ACTIVATE }>()} />
                    <Route path=path!("/forgot") view={part::<{ page::FORGOT }>()} />
                    <Route path=path!("/reset") view={part::<{ page::RESET }>()} />
                    <Route path=path!("/account") view={part::<{ page::ACCOUNT }>()} />
                    <Route path=path!("/filings") view={part::<{ page::FILINGS }>()} ssr=SsrMode::Async />
                    <Route path=path!("/filings/new") view={part::<{ page::NEW_FILING }>()} />
                    <Route path=path!("/filings/act") view={part::<{ page::BUSINESS }>()} ssr=SsrMode::Async />
                    <Route path=path!("/filings/:id") view={part::<{ page::FILING }>()} ssr=SsrMode::Async />
                    <Route path=path!("/sites/:id") view={part::<{ page::SITE_HISTORY }>()} ssr=SsrMode::Async />
                    <Route path=path!("/dev/outbox") view={part::<{ page::OUTBOX }>()} />
                    <Route path=path!("/provider") view={part::<{ page::PROVIDER }>()} />
                    <Route path=path!("/provider/progress") view={part::<{ page::PROGRESS }>()} />
                    <Route path=path!("/provider/sites") view={part::<{ page::PROVIDER_SITES }>()} />
                    <Route path=path!("/provider/act") view={part::<{ page::STAFF_BUSINESS }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/new") view={part::<{ page::STAFF_NEW_FILING }>()} />
                    <Route path=path!("/provider/import") view={part::<{ page::IMPORT }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/filings/:id") view={part::<{ page::PROVIDER_REVIEW }>()} />
                    <Route path=path!("/provider/search") view={part::<{ page::FILED_SEARCH }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/records/:website") view={part::<{ page::FILED_DETAIL }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/accounts") view={part::<{ page::CLIENTS }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/feedback") view={part::<{ page::PROVIDER_FEEDBACK }>()} />
                    <Route path=path!("/bureau/feedback") view={part::<{ page::BUREAU_FEEDBACK }>()} />
                    <Route path=path!("/provider/stats") view={part::<{ page::STATS }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/certificates") view={part::<{ page::CERTIFICATES }>()} ssr=SsrMode::Async />
                    <Route path=path!("/bureau") view={part::<{ page::BUREAU }>()} />
                    <Route path=path!("/bureau/empty") view={part::<{ page::EMPTY_SITES }>()} />
                    <Route path=path!("/bureau/filings/:id") view={part::<{ page::BUREAU_REVIEW }>()} />
                    <Route path=path!("/provider/unfiled") view={part::<{ page::UNFILED }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/unfiled/:key") view={part::<{ page::UNFILED_DETAIL }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/unfiled-stats") view={part::<{ page::UNFILED_STATS }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/blacklist") view={part::<{ page::PROVIDER_BLACKLIST }>()} ssr=SsrMode::Async />
                    <Route path=path!("/bureau/blacklist") view={part::<{ page::BUREAU_BLACKLIST }>()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/tokens") view={part::<{ page::TOKENS }>()} ssr=SsrMode::Async />
                </FlatRoutes>
            </main>
            <Footer licence />
        </Router>
    }
}

/// The pages whose code the browser loads with their audience's part of the
/// bundle (`cargo leptos build --split`): the account pages, the
/// registrant's pages (with the wizard and the 变更/注销 form, also when a
/// clerk files for a client) and the staff consoles are three lazily loaded
/// parts, so signing in does not download the wizard and a clerk's console
/// does not download it either. The public pages stay in the main part
/// (they are small, and / and /query are served without any application
/// code). Code two parts share is split into parts of its own, loaded by
/// whichever needs it first; the server names each page's parts in its
/// `<head>` (`modulepreload`/`preload`), so they download beside the main
/// part instead of after it.
///
/// Each such page, by number (a const generic cannot be an enum).
pub mod page {
    pub const LOGIN: u8 = 0;
    pub const REGISTER: u8 = 1;
    pub const ACTIVATE: u8 = 2;
    pub const FORGOT: u8 = 3;
    pub const RESET: u8 = 4;
    pub const ACCOUNT: u8 = 5;
    pub const FILINGS: u8 = 6;
    pub const NEW_FILING: u8 = 7;
    pub const BUSINESS: u8 = 8;
    pub const FILING: u8 = 9;
    pub const SITE_HISTORY: u8 = 10;
    pub const OUTBOX: u8 = 11;
    pub const PROVIDER: u8 = 12;
    pub const PROGRESS: u8 = 13;
    pub const PROVIDER_SITES: u8 = 14;
    pub const STAFF_BUSINESS: u8 = 15;
    pub const STAFF_NEW_FILING: u8 = 16;
    pub const PROVIDER_REVIEW: u8 = 17;
    pub const BUREAU: u8 = 18;
    pub const EMPTY_SITES: u8 = 19;
    pub const BUREAU_REVIEW: u8 = 20;
    pub const FILED_SEARCH: u8 = 21;
    pub const FILED_DETAIL: u8 = 22;
    pub const CODES: u8 = 23;
    pub const CLIENTS: u8 = 24;
    pub const PROVIDER_FEEDBACK: u8 = 25;
    pub const BUREAU_FEEDBACK: u8 = 26;
    pub const STATS: u8 = 27;
    pub const CERTIFICATES: u8 = 28;
    pub const IMPORT: u8 = 29;
    pub const UNFILED: u8 = 30;
    pub const UNFILED_DETAIL: u8 = 31;
    pub const UNFILED_STATS: u8 = 32;
    pub const PROVIDER_BLACKLIST: u8 = 33;
    pub const BUREAU_BLACKLIST: u8 = 34;
    pub const TOKENS: u8 = 35;
}

/// A route whose view is in a lazily loaded part (`P` is one of [`page`]).
#[derive(Clone, Copy)]
struct Part<const P: u8>;

impl<const P: u8> LazyRoute for Part<P> {
    fn data() -> Self {
        Part
    }

    async fn view(_: Self) -> AnyView {
        match P {
            page::LOGIN
            | page::REGISTER
            | page::ACTIVATE
            | page::FORGOT
            | page::RESET
            | page::ACCOUNT
            | page::CODES => account_part(P).await,
            page::FILINGS
            | page::NEW_FILING
            | page::BUSINESS
            | page::FILING
            | page::SITE_HISTORY
            | page::STAFF_BUSINESS
            | page::STAFF_NEW_FILING => with_suffix_list(registrant_part(P)).await,
            _ => with_suffix_list(staff_part(P)).await,
        }
    }
}

/// A part whose pages check domains, loaded together with the public
/// suffix list (`domain::psl`, fetched in the browser, compiled in on the
/// server), so that the browser's checks have it before the page hydrates.
async fn with_suffix_list(part: impl std::future::Future<Output = AnyView>) -> AnyView {
    futures::future::join(part, crate::domain::psl::load()).await.0
}

fn part<const P: u8>() -> Lazy<Part<P>> {
    Lazy::new()
}

#[lazy]
fn account_part(p: u8) -> AnyView {
    match p {
        page::LOGIN => view! { <LoginPage /> }.into_any(),
        page::REGISTER => view! { <RegisterPage /> }.into_any(),
        page::ACTIVATE => view! { <ActivatePage /> }.into_any(),
        page::FORGOT => view! { <ForgotPage /> }.into_any(),
        page::RESET => view! { <ResetPage /> }.into_any(),
        page::CODES => view! { <crate::pages::public::codes::CodesPage /> }.into_any(),
        _ => view! { <AccountPage /> }.into_any(),
    }
}

#[lazy]
fn registrant_part(p: u8) -> AnyView {
    match p {
        page::FILINGS => view! { <FilingsPage /> }.into_any(),
        page::NEW_FILING => view! { <NewFilingPage /> }.into_any(),
        page::BUSINESS => view! { <BusinessPage /> }.into_any(),
        page::FILING => view! { <FilingPage /> }.into_any(),
        page::STAFF_BUSINESS => view! { <BusinessPage staff=true /> }.into_any(),
        page::STAFF_NEW_FILING => view! { <NewFilingPage staff=true /> }.into_any(),
        _ => view! { <SiteHistoryPage /> }.into_any(),
    }
}

#[lazy]
fn staff_part(p: u8) -> AnyView {
    match p {
        page::OUTBOX => view! { <OutboxPage /> }.into_any(),
        page::PROVIDER => view! { <ProviderPage /> }.into_any(),
        page::PROGRESS => view! { <ProgressPage /> }.into_any(),
        page::PROVIDER_SITES => view! { <ProviderSitesPage /> }.into_any(),
        page::PROVIDER_REVIEW => view! { <ProviderReviewPage /> }.into_any(),
        page::BUREAU => view! { <BureauPage /> }.into_any(),
        page::EMPTY_SITES => view! { <EmptySitesPage /> }.into_any(),
        page::FILED_SEARCH => view! { <crate::pages::staff::office::FiledSearchPage /> }.into_any(),
        page::FILED_DETAIL => view! { <crate::pages::staff::office::FiledDetailPage /> }.into_any(),
        page::CLIENTS => view! { <crate::pages::staff::clients::ClientsPage /> }.into_any(),
        page::STATS => view! { <crate::pages::staff::stats::StatsPage /> }.into_any(),
        page::CERTIFICATES => view! { <crate::pages::staff::office::FiledSearchPage certificates=true /> }.into_any(),
        page::PROVIDER_FEEDBACK => view! { <crate::pages::staff::feedback::ProviderFeedbackPage /> }.into_any(),
        page::IMPORT => view! { <crate::pages::staff::import::ImportPage /> }.into_any(),
        page::BUREAU_FEEDBACK => view! { <crate::pages::staff::feedback::BureauFeedbackPage /> }.into_any(),
        page::UNFILED => view! { <crate::pages::staff::supervision::UnfiledPage /> }.into_any(),
        page::UNFILED_DETAIL => view! { <crate::pages::staff::supervision::UnfiledDetailPage /> }.into_any(),
        page::UNFILED_STATS => view! { <crate::pages::staff::supervision::UnfiledStatsPage /> }.into_any(),
        page::PROVIDER_BLACKLIST => view! { <crate::pages::staff::supervision::ProviderBlacklistPage /> }.into_any(),
        page::BUREAU_BLACKLIST => view! { <crate::pages::staff::supervision::BureauBlacklistPage /> }.into_any(),
        page::TOKENS => view! { <crate::pages::staff::supervision::TokensPage /> }.into_any(),
        _ => view! { <BureauReviewPage /> }.into_any(),
    }
}
