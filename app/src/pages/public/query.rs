//! 公共查询: one search box; results in a table on a desktop and as cards on
//! a phone. A plain GET form, so it works before hydration; after it, the
//! router handles the submit and only the results are fetched.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::encode_component;
use crate::components::pager::Pager;
use crate::domain::codes::nature;
use crate::domain::lookup::{parse_lookup, ServiceKind, MAX_QUERY_CHARS};
use crate::domain::Text;

const KIND_LABEL: Text = Text::new("类型", "Kind");
const PACKAGES: Text = Text::new("APP包名", "Package names");
use crate::error::AppError;
use crate::functions::public::{search_records, verify_certificate};
use crate::i18n::{t, use_i18n, Lang};
use crate::models::{PublicRecord, RecordPage};

/// The search form, shared by the home page and the query page.
#[component]
pub fn QueryForm(value: String, #[prop(optional)] kind: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = leptos_router::hooks::use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    let select = NodeRef::<leptos::html::Select>::new();
    let kind = kind.unwrap_or_default();
    // With JavaScript the router goes to the clean address (`/query?q=…`,
    // and `&type=…` when one kind is asked for); without it the browser
    // submits the plain GET form.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(el) = input.get() {
            ev.prevent_default();
            let kind = select.get().map(|s| s.value()).unwrap_or_default();
            let kind = if kind.is_empty() { String::new() } else { format!("&type={}", encode_component(&kind)) };
            navigate(&format!("/query?q={}{kind}", encode_component(&el.value())), Default::default());
        }
    };
    let chosen = move |k: &str| kind == k;
    let kinds = view! {
        <label class="query-form__kind">
            <span class="visually-hidden">{i18n.tr(KIND_LABEL)}</span>
            <select node_ref=select name="type" class="query-form__select" data-testid="query-kind">
                <option value="" selected=chosen("")>{i18n.tr(crate::domain::Text::new("全部", "All"))}</option>
                <option value="web" selected=chosen("web")>{i18n.tr(crate::domain::Text::new("网站", "Websites"))}</option>
                <option value="app" selected=chosen("app")>{i18n.tr(crate::domain::Text::new("APP", "APPs"))}</option>
            </select>
        </label>
    };
    view! {
        <form method="get" action="/query" class="query-form" role="search" on:submit=on_submit>
            <label class="query-form__label" for="q">{i18n.tr(t::QUERY_LABEL)}</label>
            <div class="query-form__row">
                <input
                    node_ref=input
                    class="query-form__input"
                    id="q"
                    name="q"
                    type="search"
                    value=value
                    maxlength=MAX_QUERY_CHARS
                    autocomplete="off"
                    enterkeyhint="search"
                    placeholder=i18n.tr(t::QUERY_PLACEHOLDER)
                />
                {kinds}
                <button class="button button--primary query-form__submit" type="submit">
                    {i18n.tr(t::QUERY_SUBMIT)}
                </button>
            </div>
        </form>
    }
}

/// What the query page shows: the search's answer and the certificate
/// check's, each absent when not asked for.
type Found = Result<Option<RecordPage>, AppError>;
type Checked = Result<Option<(String, Option<crate::models::CertificateCheck>)>, AppError>;

/// 公共查询. The server renders it from answers found before rendering
/// (`server::query_answers`, a request extension): no `<Suspense>`, which
/// under load sometimes never resolved and left the page unfinished
/// (leptos 0.8.23; reproduced with parallel HTTP tests). The page carries no
/// application code; reached by a link inside the application, the browser
/// renders it with resources instead.
#[component]
pub fn QueryPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.read().get("q");
    let page = move || query.read().get("page").and_then(|p| p.parse::<u32>().ok());
    let kind = move || query.read().get("type").filter(|k| !k.is_empty());
    let cert = move || query.read().get("cert");
    let bl = move || query.read().get("bl");
    let head = move || {
        view! {
            <Title text=t::QUERY_TITLE.get(i18n.lang.get_untracked()) />
            <h1>{i18n.tr(t::QUERY_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(t::QUERY_LEAD)}</p>
            {move || view! { <QueryForm value=q().unwrap_or_default() kind=kind().unwrap_or_default() /> }}
        }
    };
    let cert_form = move || {
        view! {
            <details class="cert-check" open=move || cert().is_some()>
                <summary>{i18n.tr(crate::domain::Text::new("核验备案证书", "Check a filing certificate"))}</summary>
                <form method="get" action="/query" class="query-form">
                    <label class="query-form__label" for="cert">{i18n.tr(crate::domain::Text::new("证书验证码", "Certificate code"))}</label>
                    <div class="query-form__row">
                        <input class="query-form__input" id="cert" name="cert" type="text" maxlength="32" autocomplete="off" placeholder="XXXX-XXXX-XXXX-XXXX" value=move || cert().unwrap_or_default() />
                        <button class="button query-form__submit" type="submit">{i18n.tr(crate::domain::Text::new("核验", "Check"))}</button>
                    </div>
                </form>
            </details>
        }
    };
    let violation_form = move || {
        view! {
            <details class="cert-check" open=move || bl().is_some() data-testid="violation-box">
                <summary>{i18n.tr(crate::domain::Text::new("违法违规查询", "Blacklist lookup"))}</summary>
                <form method="get" action="/query" class="query-form">
                    <label class="query-form__label" for="bl">{i18n.tr(crate::domain::Text::new("域名或主办单位名称", "A domain or a sponsor's name"))}</label>
                    <div class="query-form__row">
                        <input class="query-form__input" id="bl" name="bl" type="search" maxlength="100" autocomplete="off" placeholder="example.com" value=move || bl().unwrap_or_default() data-testid="violation-input" />
                        <button class="button query-form__submit" type="submit" data-testid="violation-go">{i18n.tr(crate::domain::Text::new("查黑名单", "Look up"))}</button>
                    </div>
                </form>
            </details>
        }
    };
    let kind_param = move || kind().map(|k| format!("&type={}", encode_component(&k))).unwrap_or_default();

    #[cfg(feature = "ssr")]
    if let Some(answers) = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<crate::ssr::public::QueryAnswers>().cloned()) {
        if answers.status != 200 {
            crate::ssr::set_status(answers.status);
        }
        let found = found_view(answers.found, q().unwrap_or_default(), kind_param());
        return view! {
            <section class="page">
                {head()}
                {checked_view(answers.checked)}
                {violation_view(answers.violation)}
                {cert_form()}
                {violation_form()}
                <div class="query-results" aria-live="polite">{found}</div>
            </section>
        }
        .into_any();
    }

    let results = Resource::new(
        move || (q(), page(), kind()),
        |(q, page, kind)| async move {
            match q {
                None => Ok(None),
                Some(q) => {
                    // Checked in the browser first: a bad query never leaves it.
                    if let Err(problem) = parse_lookup(&q).and_then(|_| ServiceKind::parse_filter(kind.as_deref())) {
                        return Err(AppError::from(problem));
                    }
                    search_records(q, page, kind).await.map(Some)
                }
            }
        },
    );
    // 证书核验: /query?cert=… (what a certificate's QR code opens).
    let checked = Resource::new(cert, |c| async move {
        match c {
            None => Ok(None),
            Some(c) => verify_certificate(c.clone()).await.map(|found| Some((c, found))),
        }
    });
    let violation = Resource::new(bl, |v| async move {
        match v {
            None => Ok(None),
            Some(v) => crate::functions::supervision::violation_lookup(v).await.map(Some),
        }
    });
    view! {
        <section class="page">
            {head()}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move { checked_view(checked.await) })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move { violation_view(violation.await) })}
            </Transition>
            {cert_form()}
            {violation_form()}
            <div class="query-results" aria-live="polite">
                <Transition fallback=move || view! { <p class="query-results__status">{i18n.tr(t::QUERY_SEARCHING)}</p> }>
                    {move || Suspend::new(async move {
                        let (q, kind) = (q().unwrap_or_default(), kind_param());
                        found_view(results.await, q, kind)
                    })}
                </Transition>
            </div>
        </section>
    }
    .into_any()
}

/// The 违法违规查询's answer: listed or not, since when, why.
fn violation_view(v: Result<Option<crate::models::ViolationAnswer>, AppError>) -> AnyView {
    let i18n = use_i18n();
    match v {
        Ok(None) => ().into_any(),
        Ok(Some(a)) if a.listed => {
            let (q, on, why) = (a.query, a.listed_on.unwrap_or_default(), a.reason.unwrap_or_default());
            view! {
                <p class="notice notice--warn" role="status" data-testid="violation-listed">
                    {move || match i18n.lang() {
                        Lang::Zh => format!("“{q}”已于 {on} 列入备案信息黑名单：{why}。"),
                        Lang::En => format!("“{q}” has been on the filing blacklist since {on}: {why}."),
                    }}
                </p>
            }
            .into_any()
        }
        Ok(Some(a)) => {
            let q = a.query;
            view! {
                <p class="notice notice--ok" role="status" data-testid="violation-clear">
                    {move || match i18n.lang() {
                        Lang::Zh => format!("“{q}”不在备案信息黑名单中。"),
                        Lang::En => format!("“{q}” is not on the filing blacklist."),
                    }}
                </p>
            }
            .into_any()
        }
        Err(e) => view! { <p class="notice notice--error" role="alert" data-testid="violation-error">{move || e.message(i18n.lang())}</p> }.into_any(),
    }
}

fn checked_view(checked: Checked) -> AnyView {
    let i18n = use_i18n();
    match checked {
        Ok(None) => ().into_any(),
        Ok(Some((_, Some(c)))) => view! { <CertificateResult c /> }.into_any(),
        Ok(Some((code, None))) => view! {
            <p class="notice notice--error" role="alert" data-testid="cert-unknown">
                {move || match i18n.lang() {
                    Lang::Zh => format!("没有验证码为“{code}”的备案证书。请核对验证码；证书可能是伪造的。"),
                    Lang::En => format!("No filing certificate has the code “{code}”. Check the code; the certificate may be forged."),
                }}
            </p>
        }
        .into_any(),
        Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
    }
}

fn found_view(found: Found, q: String, kind: String) -> AnyView {
    let i18n = use_i18n();
    match found {
        Ok(None) => view! { <p class="query-results__hint">{i18n.tr(t::QUERY_HINT)}</p> }.into_any(),
        Ok(Some(found)) => view! { <Results found q kind /> }.into_any(),
        Err(e) => view! {
            <p class="notice notice--error" role="alert" data-testid="query-error">
                {move || e.message(i18n.lang())}
            </p>
        }
        .into_any(),
    }
}

#[component]
fn Results(found: RecordPage, q: String, kind: String) -> impl IntoView {
    let i18n = use_i18n();
    if found.items.is_empty() && found.total > 0 {
        // Past the last page (an old link, or a typed page number): say how many there are.
        let (pages, href) = (found.pages(), format!("/query?q={}{kind}&page={}", encode_component(&q), found.pages()));
        return view! {
            <p class="notice" data-testid="query-past-end">
                {move || if i18n.lang() == Lang::Zh { format!("本页没有结果：共{pages}页。") } else { format!("No results on this page: there are {pages} pages.") }}
                " " <a href=href>{move || if i18n.lang() == Lang::Zh { "查看最后一页".to_string() } else { "Go to the last page".to_string() }}</a>
            </p>
        }
        .into_any();
    }
    if found.items.is_empty() {
        return view! { <p class="notice" data-testid="query-empty">{i18n.tr(t::QUERY_NONE)}</p> }.into_any();
    }
    let (total, exact, page, pages) = (found.total, found.total_exact, found.page, found.pages());
    let any_app = found.items.iter().any(|r| r.is_app());
    let href = move |p: u32| format!("/query?q={}{kind}&page={p}", encode_component(&q));
    view! {
        <h2 class="query-results__title">
            {i18n.tr(t::QUERY_RESULTS)}
            <span class="query-results__count" data-testid="query-total">
                {move || crate::i18n::fmt::total(i18n.lang(), total, exact)}
            </span>
        </h2>
        <table class="records">
            <thead>
                <tr>
                    <th scope="col">{i18n.tr(t::COL_UNIT_NAME)}</th>
                    <th scope="col">{i18n.tr(t::COL_NATURE)}</th>
                    <th scope="col">{i18n.tr(t::COL_MAIN_LICENCE)}</th>
                    <th scope="col">{i18n.tr(t::COL_SERVICE_LICENCE)}</th>
                    <th scope="col">{i18n.tr(t::COL_SERVICE_NAME)}</th>
                    <th scope="col">{move || if any_app { format!("{} / {}", i18n.t(t::COL_HOME_URL), i18n.t(PACKAGES)) } else { i18n.t(t::COL_HOME_URL).to_string() }}</th>
                    <th scope="col">{i18n.tr(t::COL_APPROVED)}</th>
                </tr>
            </thead>
            <tbody>
                {found.items.into_iter().map(|r| view! { <RecordRow r /> }).collect_view()}
            </tbody>
        </table>
        <Show when=move || { pages > 1 }>
            <Pager page pages href=href.clone() />
        </Show>
    }
    .into_any()
}

#[component]
fn RecordRow(r: PublicRecord) -> impl IntoView {
    let i18n = use_i18n();
    let nature_id = r.nature_id;
    let nature_zh = r.nature_name.clone();
    let nature_name = move || match i18n.lang() {
        Lang::Zh => nature_zh.clone(),
        Lang::En => nature(nature_id).map(|n| n.name.en.to_string()).unwrap_or_else(|| nature_zh.clone()),
    };
    let date = r.update_record_time.split(' ').next().unwrap_or_default().to_string();
    let limited = r.limit_access == "是";
    let url = format!("http://{}", r.home_url);
    let app = r.is_app();
    // An APP has no home page: its package names take the column.
    let address = if app {
        view! {
            <td class="records__cell" data-label=i18n.tr(PACKAGES) data-testid="record-packages">
                <span class="records__packages">{r.package_names.join(" ")}</span>
            </td>
        }
        .into_any()
    } else {
        view! {
            <td class="records__cell" data-label=i18n.tr(t::COL_HOME_URL)>
                <a href=url rel="nofollow noopener" target="_blank">{r.home_url}</a>
            </td>
        }
        .into_any()
    };
    view! {
        <tr class="records__row" data-testid="record" data-kind=if app { "app" } else { "web" }>
            <td class="records__cell records__cell--title" data-label=i18n.tr(t::COL_UNIT_NAME)>{r.unit_name}</td>
            <td class="records__cell" data-label=i18n.tr(t::COL_NATURE)>{nature_name}</td>
            <td class="records__cell" data-label=i18n.tr(t::COL_MAIN_LICENCE)>{r.main_licence}</td>
            <td class="records__cell records__cell--licence" data-label=i18n.tr(t::COL_SERVICE_LICENCE)>
                {r.service_licence}
                <Show when=move || limited>
                    <span class="badge badge--warn">{i18n.tr(t::LIMIT_ACCESS)}</span>
                </Show>
            </td>
            <td class="records__cell" data-label=i18n.tr(t::COL_SERVICE_NAME)>
                <span>
                    {r.service_name}
                    <Show when=move || app>
                        <span class="badge" data-testid="record-app">"APP"</span>
                    </Show>
                </span>
            </td>
            {address}
            <td class="records__cell" data-label=i18n.tr(t::COL_APPROVED)>{date}</td>
        </tr>
    }
}

/// What a certificate's code says: genuine or not, and whether its filing
/// is still as it shows.
#[component]
fn CertificateResult(c: crate::models::CertificateCheck) -> impl IntoView {
    use crate::domain::certificate::Standing;
    let i18n = use_i18n();
    let class = match c.standing {
        Standing::Current => "notice notice--ok",
        _ => "notice notice--warn",
    };
    view! {
        <div class=class role="status" data-testid="cert-check" data-standing=format!("{:?}", c.standing).to_lowercase()>
            <p><strong>{i18n.tr(c.standing.label())}</strong></p>
            <dl class="facts">
                <dt>{i18n.tr(crate::domain::Text::new("证书验证码", "Code"))}</dt><dd>{c.code}</dd>
                <dt>{i18n.tr(t::COL_UNIT_NAME)}</dt><dd>{c.unit_name}</dd>
                <dt>{i18n.tr(t::COL_MAIN_LICENCE)}</dt><dd>{c.main_licence.clone()}</dd>
                <dt>{i18n.tr(crate::domain::Text::new("证书所列网站", "Websites on it"))}</dt><dd>{c.certified.join(" ")}</dd>
                <dt>{i18n.tr(crate::domain::Text::new("签发", "Issued"))}</dt><dd>{c.issued} " · " {c.provider_name}</dd>
            </dl>
            <p><a href=format!("/query?q={}", encode_component(&c.main_licence))>{i18n.tr(crate::domain::Text::new("查看当前备案信息", "See the filing as it stands"))}</a></p>
        </div>
    }
}
