//! The page frame: header with navigation and the language switch, and the
//! footer with the site's filing number.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::i18n::{switch_lang, t, use_i18n};

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    // Without JavaScript the switch is a link the server answers by setting
    // the cookie and sending the person back; with it, no reload happens.
    let switch_href = move || {
        let search = location.search.get();
        let search = if search.is_empty() || search.starts_with('?') { search } else { format!("?{search}") };
        let next = format!("{}{}", location.pathname.get(), search);
        format!("/lang/{}?next={}", i18n.lang().other().code(), encode_component(&next))
    };
    let on_switch = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        switch_lang(i18n, i18n.lang().other());
    };
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                // On a phone only the logo shows: the link keeps its name for screen readers.
                <A href="/" attr:class="site-header__brand" attr:aria-label=i18n.tr(t::SITE_NAME)>
                    <span class="site-header__logo" aria-hidden="true">"ICP"</span>
                    <span class="site-header__name">{i18n.tr(t::SITE_NAME)}</span>
                </A>
                <nav class="site-header__nav" aria-label=i18n.tr(t::SITE_NAME)>
                    <A href="/query" attr:class="site-header__link">{i18n.tr(t::NAV_QUERY)}</A>
                    <UserMenu />
                    <a
                        class="site-header__lang"
                        href=switch_href
                        hreflang=move || i18n.lang().other().code()
                        title=i18n.tr(t::SWITCH_LANG_TITLE)
                        on:click=on_switch
                        data-testid="lang-switch"
                    >
                        {i18n.tr(t::SWITCH_LANG)}
                    </a>
                </nav>
            </div>
        </header>
    }
}

/// Who signed in, when the page was rendered: on the server from the
/// request (the session was looked up before rendering, see
/// `server::signed_in`), in the browser from the page the server sent.
fn initial_me() -> Option<crate::models::Me> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<crate::models::SignedIn>().map(|s| s.0.clone()))
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let doc = web_sys::window()?.document()?;
        let raw = doc.get_element_by_id(ME_DATA)?.get_attribute("data-me")?;
        serde_json::from_str(&raw).ok()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        None
    }
}

const ME_DATA: &str = "me-data";

/// Who is signed in: 我的备案 and 账户, or 登录 and 注册. Known when the
/// page is rendered, with no `<Suspense>`: a header Transition reading a
/// resource sometimes never resolved under load, so the whole page never
/// finished (leptos 0.8.23; seen in CI and reproduced with 13 parallel HTTP
/// tests). In the browser it is read again after every navigation, so it
/// follows sign-in and sign-out.
#[component]
fn UserMenu() -> impl IntoView {
    let i18n = use_i18n();
    let initial = initial_me();
    let data = serde_json::to_string(&initial).unwrap_or_else(|_| "null".into());
    let me = RwSignal::new(initial);
    #[cfg(feature = "hydrate")]
    {
        let location = use_location();
        Effect::new(move |prev: Option<String>| {
            let path = location.pathname.get();
            if prev.is_some_and(|p| p != path) {
                leptos::task::spawn_local(async move {
                    if let Ok(u) = crate::functions::account::current_user().await {
                        me.set(u.map(crate::models::Me::from));
                    }
                });
            }
            path
        });
    }
    view! {
        <span id=ME_DATA data-me=data hidden></span>
        {move || { match me.get() {
                Some(u) if u.is_staff() => { let name = u.username.clone(); view! {
                    {(u.role == crate::domain::workflow::Role::Bureau).then(|| view! { <A href="/bureau" attr:class="site-header__link" attr:data-testid="nav-console">{i18n.tr(crate::domain::Text::new("管局审核", "Review"))}</A> })}
                    {(u.role == crate::domain::workflow::Role::Provider).then(|| view! { <A href="/provider" attr:class="site-header__link" attr:data-testid="nav-console">{i18n.tr(crate::domain::Text::new("核实备案", "Verify"))}</A> })}
                    {(u.role == crate::domain::workflow::Role::Admin).then(|| view! { <A href="/dev/outbox" attr:class="site-header__link site-header__link--hide-narrow">{i18n.tr(t::NAV_OUTBOX)}</A> })}
                    <A href="/account" attr:class="site-header__link site-header__me" attr:data-testid="me">{u.username.clone()}</A>
                    <AccountMenu username=name />
                }.into_any() }
                Some(u) => { let name = u.username.clone(); view! {
                    <A href="/filings" attr:class="site-header__link">{i18n.tr(t::NAV_FILINGS)}</A>
                    <A href="/account" attr:class="site-header__link site-header__me" attr:data-testid="me">{u.username.clone()}</A>
                    <AccountMenu username=name />
                }.into_any() }
                None => view! {
                    <A href="/login" attr:class="site-header__link">{i18n.tr(t::NAV_LOGIN)}</A>
                    <A href="/register" attr:class="site-header__link site-header__link--hide-narrow">{i18n.tr(t::NAV_REGISTER)}</A>
                }.into_any(),
            }}}
    }
}

/// On a narrow screen the user's name does not fit the header: a menu
/// button opens a panel with the whole name and the account's page.
#[component]
fn AccountMenu(username: String) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    view! {
        <details class="user-menu" data-testid="user-menu" prop:open=move || open.get()
            on:toggle=move |ev| {
                #[cfg(feature = "hydrate")]
                {
                    use wasm_bindgen::JsCast;
                    if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                        open.set(d.open());
                    }
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }>
            <summary class="site-header__link user-menu__button" data-testid="user-menu-button" aria-label=i18n.tr(crate::domain::Text::new("账户菜单", "Account menu"))>
                <span class="user-menu__icon" aria-hidden="true"></span>
            </summary>
            <div class="user-menu__panel">
                <p class="user-menu__name" data-testid="user-menu-name">{username}</p>
                <A href="/account" attr:class="user-menu__link" on:click=move |_| open.set(false)>{i18n.tr(crate::domain::Text::new("账户设置", "Account settings"))}</A>
            </div>
        </details>
    }
}

/// The footer. Rule (办法 Art. 13): the filing number sits at the bottom
/// centre of the home page and links to the MIIT filing system.
#[component]
pub fn Footer(licence: String) -> impl IntoView {
    let i18n = use_i18n();
    let number = (!licence.is_empty()).then(|| {
        let text = licence.clone();
        view! {
            <p class="site-footer__licence">
                <a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener noreferrer">{text}</a>
            </p>
        }
    });
    view! {
        <footer class="site-footer" data-site-licence=licence>
            <p class="site-footer__line">{i18n.tr(t::FOOTER_COPYRIGHT)}</p>
            <p class="site-footer__line no-print"><a href="/codes" data-testid="footer-codes">{i18n.tr(crate::pages::public::codes::TITLE)}</a></p>
            {number}
        </footer>
    }
}

pub use crate::domain::text::encode_component;
