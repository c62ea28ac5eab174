//! The translation layer. Every piece of text a person reads is a [`Text`]
//! pair from the catalogue below (or a domain message, also a pair); the
//! current language is a signal provided at the root. Chinese is the
//! default; the choice is kept in the `beian_lang` cookie, which the server
//! reads, so the first paint is already in the right language.

use leptos::prelude::*;

pub use crate::domain::text::{Lang, Text};

pub const LANG_COOKIE: &str = "beian_lang";

#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The text in the current language (reactive when called in a closure).
    pub fn t(&self, text: Text) -> &'static str {
        text.get(self.lang.get())
    }

    /// The text in the current language as a view or an attribute value
    /// that follows the language switch. Every text shares this one closure
    /// type, so the browser bundle holds one copy of the code that renders
    /// and updates a text; a `move || i18n.t(…)` written in place is a type
    /// of its own, and each brought its own copy (374 of them: 35 KB of the
    /// release wasm, 5 KB brotli).
    pub fn tr(self, text: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || text.get(self.lang.get())
    }

    pub fn lang(&self) -> Lang {
        self.lang.get()
    }
}

pub fn provide_i18n(initial: Lang) -> I18n {
    let i18n = I18n { lang: RwSignal::new(initial) };
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| provide_i18n(Lang::Zh))
}

/// The language of this request: the cookie on the server; on the client,
/// the `lang` attribute the server rendered (so hydration matches).
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| lang_from_cookie_header(parts.headers.get(http::header::COOKIE)?.to_str().ok()?))
            .unwrap_or_default()
    }
    #[cfg(all(not(feature = "ssr"), feature = "hydrate"))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

/// Read `beian_lang=…` from a Cookie header.
pub fn lang_from_cookie_header(header: &str) -> Option<Lang> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| Lang::from_code(v))
}

/// Switch language in the browser without a reload: remember it in the
/// cookie and update the page's `lang`.
pub fn switch_lang(i18n: I18n, lang: Lang) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Ok(html) = doc.clone().dyn_into::<web_sys::HtmlDocument>() {
                let _ = html.set_cookie(&format!("{LANG_COOKIE}={}; path=/; max-age=31536000; SameSite=Lax", lang.code()));
            }
            if let Some(root) = doc.document_element() {
                let _ = root.set_attribute("lang", lang.html_lang());
            }
            let mut title = doc.title();
            for text in t::TITLES {
                title = title.replace(text.get(lang.other()), text.get(lang));
            }
            doc.set_title(&title);
        }
    }
    i18n.lang.set(lang);
}

/// The catalogue of interface text.
pub mod t {
    use super::Text;

    pub const SITE_NAME: Text = Text::new("ICP备案管理系统", "ICP Filing System");
    /// Texts used in page titles: the language switch swaps them in place
    /// (titles are rendered once, never from a signal).
    pub const TITLES: [Text; 3] = [SITE_NAME, QUERY_TITLE, NOT_FOUND_TITLE];
    pub const SITE_TAGLINE: Text = Text::new("接入服务商备案平台", "Access provider filing platform");
    pub const SWITCH_LANG: Text = Text::new("English", "中文");
    pub const SWITCH_LANG_TITLE: Text = Text::new("Switch to English", "切换到中文");
    pub const NAV_HOME: Text = Text::new("首页", "Home");
    pub const NAV_QUERY: Text = Text::new("公共查询", "Public query");
    pub const NAV_FILINGS: Text = Text::new("我的备案", "My filings");
    pub const NAV_LOGIN: Text = Text::new("登录", "Sign in");
    pub const NAV_REGISTER: Text = Text::new("注册", "Register");
    pub const NAV_OUTBOX: Text = Text::new("发件箱", "Outbox");
    pub const SKIP_TO_CONTENT: Text = Text::new("跳到正文", "Skip to content");

    pub const HOME_TITLE: Text = Text::new("网站备案，一站办理", "Website filing in one place");
    pub const HOME_LEAD: Text = Text::new(
        "在中国大陆提供服务的网站都需要备案。网站主办者在这里填写主体、网站和接入信息，接入服务商核实后报送管局审核，审核通过即取得备案号。",
        "Every website served from mainland China must be filed. Sponsors enter their entity, websites and hosting here; the access provider verifies the filing and passes it to the provincial administration, which issues the filing number.",
    );
    pub const HOME_STEPS_TITLE: Text = Text::new("备案流程", "How filing works");
    pub const HOME_STEP_1: Text = Text::new("网站主办者填写并提交备案信息", "The sponsor fills in and submits the filing");
    pub const HOME_STEP_2: Text = Text::new("接入服务商核实信息与材料", "The access provider verifies the details and materials");
    pub const HOME_STEP_3: Text = Text::new("管局审核，通过后发放备案号", "The administration reviews it and issues the number");
    pub const HOME_QUERY_TITLE: Text = Text::new("查询备案信息", "Look up a filing");

    pub const QUERY_TITLE: Text = Text::new("ICP备案信息公共查询", "Public ICP filing query");
    pub const QUERY_LEAD: Text = Text::new(
        "可按域名、主体或网站备案号、主办单位名称查询已通过审核的备案信息。",
        "Search approved filings by domain, entity or website filing number, or sponsor name.",
    );
    pub const QUERY_LABEL: Text = Text::new("域名、备案号或主办单位名称", "Domain, filing number or sponsor name");
    pub const QUERY_PLACEHOLDER: Text = Text::new("例如 example.com", "e.g. example.com");
    pub const QUERY_SUBMIT: Text = Text::new("查询", "Search");
    pub const QUERY_SEARCHING: Text = Text::new("正在查询…", "Searching…");
    pub const QUERY_NONE: Text = Text::new(
        "没有找到匹配的备案信息。请检查输入，或换用域名、备案号查询。",
        "No approved filing matches. Check the spelling, or search by domain or filing number.",
    );
    pub const QUERY_HINT: Text = Text::new(
        "输入完整域名（如 example.com）、备案号（如 京ICP备2026000123号-1）或单位名称中的至少两个字。",
        "Enter a full domain (example.com), a filing number (京ICP备2026000123号-1) or at least two characters of a sponsor name.",
    );
    pub const QUERY_RESULTS: Text = Text::new("查询结果", "Results");
    pub const PAGE_PREV: Text = Text::new("上一页", "Previous");
    pub const PAGE_NEXT: Text = Text::new("下一页", "Next");
    pub const PAGE_OF: Text = Text::new("页", "page");
    pub const PAGING: Text = Text::new("分页", "Pages");

    pub const COL_UNIT_NAME: Text = Text::new("主办单位名称", "Sponsor");
    pub const COL_NATURE: Text = Text::new("主办单位性质", "Sponsor type");
    pub const COL_MAIN_LICENCE: Text = Text::new("主体备案号", "Entity filing no.");
    pub const COL_SERVICE_LICENCE: Text = Text::new("网站备案号", "Website filing no.");
    pub const COL_SERVICE_NAME: Text = Text::new("网站名称", "Website name");
    pub const COL_HOME_URL: Text = Text::new("首页地址", "Home page");
    pub const COL_APPROVED: Text = Text::new("审核通过日期", "Approved on");
    pub const LIMIT_ACCESS: Text = Text::new("限制接入", "Access restricted");

    pub const FOOTER_FILED: Text = Text::new("备案号", "Filing number");
    pub const FOOTER_COPYRIGHT: Text = Text::new("接入服务商备案平台 · 数据以管局审核结果为准", "Access provider filing platform · the administration's decision is authoritative");
    pub const NOT_FOUND_TITLE: Text = Text::new("页面不存在", "Page not found");
    pub const NOT_FOUND_BODY: Text = Text::new("您访问的页面不存在或已移动。", "The page you asked for does not exist or has moved.");
    pub const BACK_HOME: Text = Text::new("返回首页", "Back to the home page");
}

/// Messages that carry values, in both languages.
pub mod fmt {
    use super::Lang;

    /// "共 123 条" / "123 results"; a capped count reads "1000 条以上".
    pub fn total(lang: Lang, total: u64, exact: bool) -> String {
        match (lang, exact) {
            (Lang::Zh, true) => format!("共 {total} 条"),
            (Lang::Zh, false) => format!("{total} 条以上，请输入更完整的名称缩小范围"),
            (Lang::En, true) => format!("{total} result{}", if total == 1 { "" } else { "s" }),
            (Lang::En, false) => format!("over {total} results; type more of the name to narrow them down"),
        }
    }

    /// "第 2 / 5 页" / "Page 2 of 5".
    pub fn page_status(lang: Lang, page: u32, pages: u32) -> String {
        match lang {
            Lang::Zh => format!("第 {page} / {pages} 页"),
            Lang::En => format!("Page {page} of {pages}"),
        }
    }
}
