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
                    <Route path=path!("/login") view={part::<{ Page::Login as u8 }>()} />
                    <Route path=path!("/register") view={part::<{ Page::Register as u8 }>()} />
                    <Route path=path!("/activate") view={part::<{ Page::Activate as u8 }>()} />
                    <Route path=path!("/forgot") view={part::<{ Page::Forgot as u8 }>()} />
                    <Route path=path!("/reset") view={part::<{ Page::Reset as u8 }>()} />
                    <Route path=path!("/account") view={part::<{ Page::Account as u8 }>()} />
                    <Route path=path!("/filings") view={part::<{ Page::Filings as u8 }>()} ssr=SsrMode::Async />
                    <Route path=path!("/filings/new") view={part::<{ Page::NewFiling as u8 }>()} />
                    <Route path=path!("/filings/act") view={part::<{ Page::Business as u8 }>()} ssr=SsrMode::Async />
                    <Route path=path!("/filings/:id") view={part::<{ Page::Filing as u8 }>()} ssr=SsrMode::Async />
                    <Route path=path!("/sites/:id") view={part::<{ Page::SiteHistory as u8 }>()} ssr=SsrMode::Async />
                    <Route path=path!("/dev/outbox") view={part::<{ Page::Outbox as u8 }>()} />
                    <Route path=path!("/provider") view={part::<{ Page::Provider as u8 }>()} />
                    <Route path=path!("/provider/progress") view={part::<{ Page::Progress as u8 }>()} />
                    <Route path=path!("/provider/sites") view={part::<{ Page::ProviderSites as u8 }>()} />
                    <Route path=path!("/provider/act") view={part::<{ Page::StaffBusiness as u8 }>()} ssr=SsrMode::Async />
                    <Route path=path!("/provider/new") view={part::<{ Page::StaffNewFiling as u8 }>()} />
                    <Route path=path!("/provider/filings/:id") view={part::<{ Page::ProviderReview as u8 }>()} />
                    <Route path=path!("/bureau") view={part::<{ Page::Bureau as u8 }>()} />
                    <Route path=path!("/bureau/empty") view={part::<{ Page::EmptySites as u8 }>()} />
                    <Route path=path!("/bureau/filings/:id") view={part::<{ Page::BureauReview as u8 }>()} />
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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Page {
    Login,
    Register,
    Activate,
    Forgot,
    Reset,
    Account,
    Filings,
    NewFiling,
    Business,
    Filing,
    SiteHistory,
    Outbox,
    Provider,
    Progress,
    ProviderSites,
    StaffBusiness,
    StaffNewFiling,
    ProviderReview,
    Bureau,
    EmptySites,
    BureauReview,
}

impl Page {
    const ALL: [Page; 21] = [
        Page::Login,
        Page::Register,
        Page::Activate,
        Page::Forgot,
        Page::Reset,
        Page::Account,
        Page::Filings,
        Page::NewFiling,
        Page::Business,
        Page::Filing,
        Page::SiteHistory,
        Page::Outbox,
        Page::Provider,
        Page::Progress,
        Page::ProviderSites,
        Page::StaffBusiness,
        Page::StaffNewFiling,
        Page::ProviderReview,
        Page::Bureau,
        Page::EmptySites,
        Page::BureauReview,
    ];

    fn from_u8(n: u8) -> Page {
        Page::ALL[usize::from(n).min(Page::ALL.len() - 1)]
    }
}

/// A route whose view is in a lazily loaded part (`P` is a [`Page`]).
#[derive(Clone, Copy)]
struct Part<const P: u8>;

impl<const P: u8> LazyRoute for Part<P> {
    fn data() -> Self {
        Part
    }

    async fn view(_: Self) -> AnyView {
        let page = Page::from_u8(P);
        match page {
            Page::Login
            | Page::Register
            | Page::Activate
            | Page::Forgot
            | Page::Reset
            | Page::Account => account_part(page).await,
            Page::Filings
            | Page::NewFiling
            | Page::Business
            | Page::Filing
            | Page::SiteHistory
            | Page::StaffBusiness
            | Page::StaffNewFiling => registrant_part(page).await,
            _ => staff_part(page).await,
        }
    }
}

fn part<const P: u8>() -> Lazy<Part<P>> {
    Lazy::new()
}

#[lazy]
fn account_part(page: Page) -> AnyView {
    match page {
        Page::Login => view! { <LoginPage /> }.into_any(),
        Page::Register => view! { <RegisterPage /> }.into_any(),
        Page::Activate => view! { <ActivatePage /> }.into_any(),
        Page::Forgot => view! { <ForgotPage /> }.into_any(),
        Page::Reset => view! { <ResetPage /> }.into_any(),
        _ => view! { <AccountPage /> }.into_any(),
    }
}

#[lazy]
fn registrant_part(page: Page) -> AnyView {
    match page {
        Page::Filings => view! { <FilingsPage /> }.into_any(),
        Page::NewFiling => view! { <NewFilingPage /> }.into_any(),
        Page::Business => view! { <BusinessPage /> }.into_any(),
        Page::Filing => view! { <FilingPage /> }.into_any(),
        Page::StaffBusiness => view! { <BusinessPage staff=true /> }.into_any(),
        Page::StaffNewFiling => view! { <NewFilingPage staff=true /> }.into_any(),
        _ => view! { <SiteHistoryPage /> }.into_any(),
    }
}

#[lazy]
fn staff_part(page: Page) -> AnyView {
    match page {
        Page::Outbox => view! { <OutboxPage /> }.into_any(),
        Page::Provider => view! { <ProviderPage /> }.into_any(),
        Page::Progress => view! { <ProgressPage /> }.into_any(),
        Page::ProviderSites => view! { <ProviderSitesPage /> }.into_any(),
        Page::ProviderReview => view! { <ProviderReviewPage /> }.into_any(),
        Page::Bureau => view! { <BureauPage /> }.into_any(),
        Page::EmptySites => view! { <EmptySitesPage /> }.into_any(),
        _ => view! { <BureauReviewPage /> }.into_any(),
    }
}
