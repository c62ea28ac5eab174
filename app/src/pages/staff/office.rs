//! The provider's 网站备案信息查询 / 组合查询 (seed 001 §1.7.2–1.7.3):
//! /provider/search?… lists its approved filings by any combination of
//! conditions, with the same result as .xlsx or .csv, and
//! /provider/records/:website shows one in full (详细信息). The conditions
//! are the address: a result can be bookmarked, shared and printed, and the
//! form works without JavaScript (a plain GET).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::layout::encode_component;
use crate::components::pager::Pager;
use crate::domain::codes;
use crate::domain::search::{self, Conditions, FiledQuery};
use crate::domain::workflow::Role;
use crate::domain::{FieldErrors, Text};
use crate::error::AppError;
use crate::functions::office::{filed_website, search_entities, search_filed};
use crate::i18n::use_i18n;
use crate::models::{EntityPage, FiledDetail, FiledPage};
use crate::pages::staff::review::{sign_in, ConsoleNav};

pub const SEARCH_TITLE: Text = Text::new("备案信息查询", "Filed websites");
pub const CERTIFICATES_TITLE: Text = Text::new("电子证书下载", "Certificates");

/// What a search found: websites (组合查询) or entities (电子证书下载).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Found {
    Sites(FiledPage),
    Entities(EntityPage),
}
const DETAIL_TITLE: Text = Text::new("备案详细信息", "Filing details");
const ALL: Text = Text::new("全部", "All");

fn code_options(items: Vec<(String, Text)>, sig: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <option value="">{i18n.tr(ALL)}</option>
        {items.into_iter().map(|(code, name)| {
            let c2 = code.clone();
            view! { <option value=code selected=move || sig.get() == c2>{i18n.tr(name)}</option> }
        }).collect_view()}
    }
}

fn provinces() -> Vec<(String, Text)> {
    codes::PROVINCES.iter().map(|p| (p.code.to_string(), p.name)).collect()
}

fn natures() -> Vec<(String, Text)> {
    codes::NATURES.iter().map(|n| (n.id.to_string(), n.name)).collect()
}

fn table(t: &[(u8, Text)]) -> Vec<(String, Text)> {
    t.iter().map(|(i, n)| (i.to_string(), *n)).collect()
}

/// /provider/search, and /provider/certificates (the same conditions, the
/// entities they find, each with its certificate).
#[component]
pub fn FiledSearchPage(#[prop(optional)] certificates: bool) -> impl IntoView {
    let i18n = use_i18n();
    let base = if certificates { "/provider/certificates" } else { "/provider/search" };
    let title = if certificates { CERTIFICATES_TITLE } else { SEARCH_TITLE };
    let query = use_query_map();
    let navigate = leptos_router::hooks::use_navigate();
    let current = Memo::new(move |_| {
        let q = query.read();
        FiledQuery::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v)))
    });
    // One signal per condition, showing what the address says (also after Back).
    let sigs: Vec<(&'static str, RwSignal<String>)> = search::KEYS.iter().filter(|k| **k != "page").map(|k| (*k, RwSignal::new(String::new()))).collect();
    let sig = {
        let sigs = sigs.clone();
        move |k: &str| sigs.iter().find(|(n, _)| *n == k).map(|(_, s)| *s).unwrap_or_else(|| RwSignal::new(String::new()))
    };
    let show = {
        let sigs = sigs.clone();
        move |q: &FiledQuery| {
            for (k, s) in &sigs {
                s.set(q.get(k).to_string());
            }
        }
    };
    show(&current.get_untracked());
    {
        let show = show.clone();
        Effect::new(move |_| show(&current.get()));
    }
    let errors = RwSignal::new(None::<FieldErrors>);
    let results = Resource::new(move || current.get(), move |q| async move {
        if certificates { search_entities(q).await.map(Found::Entities) } else { search_filed(q).await.map(Found::Sites) }
    });
    let submit = {
        let sigs = sigs.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mut q = FiledQuery::default();
            for (k, s) in &sigs {
                q.set(k, &s.get_untracked());
            }
            // The same check as the server's, before any request.
            match search::check(&q) {
                Err(e) => errors.set(Some(e)),
                Ok(_) => {
                    errors.set(None);
                    let qs = q.to_query(false, encode_component);
                    navigate(&if qs.is_empty() { base.to_string() } else { format!("{base}?{qs}") }, Default::default());
                }
            }
        }
    };
    // The browser's own check, beside each field (the server's answer to
    // an address typed by hand is listed with the results).
    let error_of = move |path: &'static str| move || errors.with(|e| e.as_ref().and_then(|e| e.get(path)).map(|e| e.message.get(i18n.lang()).to_string()));
    let text = {
        let sig = sig.clone();
        move |field: crate::domain::Field, kind: &'static str, hint: Option<Text>| {
            let s = sig(field.path);
            let id = format!("s-{}", field.path);
            let for_id = id.clone();
            let err = error_of(field.path);
            view! {
                <label class="filter" for=for_id>
                    <span>{i18n.tr(field.label)}</span>
                    <input id=id name=field.path type=kind maxlength="100" placeholder=hint.map(|h| i18n.t(h)).unwrap_or("")
                        prop:value=move || s.get() on:input=move |ev| s.set(event_target_value(&ev)) />
                    {move || err().map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                </label>
            }
        }
    };
    let select = {
        let sig = sig.clone();
        move |field: crate::domain::Field, items: Vec<(String, Text)>| {
            let s = sig(field.path);
            let id = format!("s-{}", field.path);
            let for_id = id.clone();
            let err = error_of(field.path);
            view! {
                <label class="filter" for=for_id>
                    <span>{i18n.tr(field.label)}</span>
                    <select id=id name=field.path prop:value=move || s.get() on:change=move |ev| s.set(event_target_value(&ev))>
                        {code_options(items, s)}
                    </select>
                    {move || err().map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                </label>
            }
        }
    };
    use search::fields as f;
    let export = move |format: &'static str| {
        move || {
            let qs = current.with(|q| q.to_query(false, encode_component));
            if qs.is_empty() { format!("/provider/export?format={format}") } else { format!("/provider/export?format={format}&{qs}") }
        }
    };
    view! {
        <Title text=title.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(title)}</h1>
            <p class="page__lead">{i18n.tr(if certificates { Text::new(
                "本接入商接入的、已取得备案号的主体。条件可任意组合，不填条件则列出全部；点击“下载备案证书”得到带验证码和二维码的PDF证书。",
                "Entities with our access that have a filing number. Combine any conditions, or none for all of them; “Download certificate” gives a PDF with a verification code and a QR code.",
            ) } else { Text::new(
                "本接入商接入的、已取得备案号的网站。条件可任意组合，不填条件则列出全部；结果可导出为 Excel 或 CSV。",
                "Websites with our access that have a filing number. Combine any conditions, or none for all of them; export the result as Excel or CSV.",
            ) })}</p>
            <form class="filters filters--wide" method="get" action=base on:submit=submit data-testid="filed-filters" novalidate>
                {select(f::PROVINCE, provinces())}
                {select(f::NATURE, natures())}
                {text(f::NAME, "search", None)}
                {text(f::CERT, "search", None)}
                {text(f::DOMAIN, "search", None)}
                {text(f::LICENCE, "search", Some(Text::new("京ICP备2026000123号", "京ICP备2026000123号")))}
                {text(f::IP, "search", Some(Text::new("可只填开头", "or its beginning")))}
                {select(f::METHOD, table(&codes::ACCESS_METHODS))}
                {select(f::CONTENT, table(&codes::CONTENT_TYPES))}
                {text(f::FROM, "date", None)}
                {text(f::TO, "date", None)}
                <div class="filters__actions">
                    <button class="button button--primary" type="submit" data-testid="filed-search">{i18n.tr(Text::new("查询", "Search"))}</button>
                    <a class="button" href=base>{i18n.tr(Text::new("清空条件", "Clear"))}</a>
                </div>
            </form>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || results.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in(encode_component(base)).into_any(),
                    Err(AppError::Invalid(e)) => view! {
                        <div class="notice notice--error" role="alert" data-testid="filed-invalid">
                            <p>{i18n.tr(Text::new("请先改正这些条件：", "Correct these conditions first:"))}</p>
                            <ul>{e.0.into_iter().map(|e| view! { <li>{move || e.describe(i18n.lang())}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(Found::Entities(page)) => view! {
                        <p class="result-bar__count" data-testid="filed-total">{move || match i18n.lang() {
                            crate::domain::Lang::Zh => format!("共 {} 个主体", page.total),
                            crate::domain::Lang::En => format!("{} entities", page.total),
                        }}</p>
                        <EntityTable page=page.clone() />
                        <Pager page=page.page pages=page.pages href=move |p| {
                            let qs = current.with_untracked(|q| q.with_page(p).to_query(true, encode_component));
                            if qs.is_empty() { base.to_string() } else { format!("{base}?{qs}") }
                        } />
                    }.into_any(),
                    Ok(Found::Sites(page)) => view! {
                        <div class="result-bar">
                            <p class="result-bar__count" data-testid="filed-total">{move || match i18n.lang() {
                                crate::domain::Lang::Zh => format!("共 {} 个网站", page.total),
                                crate::domain::Lang::En => format!("{} websites", page.total),
                            }}</p>
                            <p class="result-bar__export no-print">
                                {i18n.tr(Text::new("导出：", "Export: "))}
                                <a href=export("xlsx") data-testid="export-xlsx" download>"Excel (.xlsx)"</a> " · "
                                <a href=export("csv") data-testid="export-csv" download>"CSV"</a>
                                " · " <PrintButton />
                            </p>
                        </div>
                        <FiledTable page=page.clone() />
                        <Pager page=page.page pages=page.pages href=move |p| {
                            let qs = current.with_untracked(|q| q.with_page(p).to_query(true, encode_component));
                            if qs.is_empty() { base.to_string() } else { format!("{base}?{qs}") }
                        } />
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FiledTable(page: FiledPage) -> impl IntoView {
    let i18n = use_i18n();
    if page.rows.is_empty() {
        return view! { <p class="notice" data-testid="filed-none">{i18n.tr(Text::new("没有符合条件的网站。", "No websites match."))}</p> }.into_any();
    }
    let name_of = |table: &[(u8, Text)], id: i64| u8::try_from(id).ok().and_then(|i| table.iter().find(|(c, _)| *c == i)).map(|(_, t)| *t);
    view! {
        <div class="table-wrap">
            <table class="dense" data-testid="filed-rows">
                <thead><tr>
                    <th scope="col">{i18n.tr(Text::new("主办单位名称", "Sponsor"))}</th>
                    <th scope="col">{i18n.tr(Text::new("性质", "Type"))}</th>
                    <th scope="col">{i18n.tr(Text::new("网站备案号", "Number"))}</th>
                    <th scope="col">{i18n.tr(Text::new("网站名称", "Website"))}</th>
                    <th scope="col">{i18n.tr(Text::new("域名", "Domains"))}</th>
                    <th scope="col">{i18n.tr(Text::new("IP地址", "IP addresses"))}</th>
                    <th scope="col">{i18n.tr(Text::new("接入方式", "Access"))}</th>
                    <th scope="col">{i18n.tr(Text::new("省份", "Province"))}</th>
                    <th scope="col">{i18n.tr(Text::new("审核通过日期", "Approved"))}</th>
                    <th scope="col" class="no-print"></th>
                </tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|r| {
                        let nature = u8::try_from(r.nature).ok().and_then(codes::nature).map(|n| n.name);
                        let province = u8::try_from(r.province).ok().and_then(codes::province_by_code).map(|p| p.name);
                        let method = name_of(&codes::ACCESS_METHODS, r.method);
                        let href = format!("/provider/records/{}", r.website);
                        view! {
                            <tr data-testid="filed-row">
                                <td>{r.unit_name}</td>
                                <td>{move || nature.map(|n| i18n.t(n)).unwrap_or("")}</td>
                                <td class="nowrap">{r.licence}</td>
                                <td>{r.name}</td>
                                <td>{r.domains.join(" ")}</td>
                                <td>{r.ips.join(" ")}</td>
                                <td>{move || method.map(|m| i18n.t(m)).unwrap_or("")}</td>
                                <td>{move || province.map(|p| i18n.t(p)).unwrap_or("")}</td>
                                <td class="nowrap">{r.approved}</td>
                                <td class="no-print nowrap"><a href=href data-testid="filed-detail">{i18n.tr(Text::new("详细信息", "Details"))}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// /provider/records/:website
#[component]
pub fn FiledDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("website").unwrap_or_default());
    let detail = Resource::new(move || id.get(), filed_website);
    view! {
        <Title text=DETAIL_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <p class="no-print"><a href="/provider/search">"← " {i18n.tr(SEARCH_TITLE)}</a></p>
            <h1>{i18n.tr(DETAIL_TITLE)}</h1>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || detail.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in(encode_component(&format!("/provider/records/{}", id.get_untracked()))).into_any(),
                    Err(AppError::NotFound) => view! { <p class="notice notice--error" role="alert">{i18n.tr(Text::new("没有这个网站的备案，或它不在本接入商接入。", "No such filed website with our access."))}</p> }.into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(d) => view! { <DetailView d /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DetailView(d: FiledDetail) -> impl IntoView {
    let i18n = use_i18n();
    let limited = d.status == "limited";
    let mut sections: Vec<(crate::domain::Message, Vec<crate::domain::review::ReviewRow>)> = Vec::new();
    for r in d.rows {
        match sections.last_mut() {
            Some((s, rows)) if *s == r.section => rows.push(r),
            _ => sections.push((r.section.clone(), vec![r])),
        }
    }
    view! {
        <dl class="facts" data-testid="filed-head">
            <dt>{i18n.tr(Text::new("主办单位名称", "Sponsor"))}</dt><dd>{d.unit_name}</dd>
            <dt>{i18n.tr(Text::new("主体备案号", "Entity number"))}</dt><dd>{d.main_licence}</dd>
            <dt>{i18n.tr(Text::new("网站备案号", "Website number"))}</dt><dd data-testid="filed-licence">{d.licence}</dd>
            <dt>{i18n.tr(Text::new("审核通过日期", "Approved"))}</dt><dd>{d.approved}</dd>
            {limited.then(|| view! { <dt>{i18n.tr(Text::new("状态", "Status"))}</dt><dd>{i18n.tr(Text::new("限制接入", "Access limited"))}</dd> })}
        </dl>
        <p class="no-print">
            <a href=format!("/sites/{}", d.website)>{i18n.tr(crate::pages::registrant::records::HISTORY)}</a>
            " · " <PrintButton />
        </p>
        {sections.into_iter().map(|(section, rows)| view! {
            <h2 class="section-title">{move || section.get(i18n.lang()).to_string()}</h2>
            <table class="dense facts-table">
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr><th scope="row">{move || r.label.get(i18n.lang()).to_string()}</th><td>{move || r.value.get(i18n.lang()).to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }).collect_view()}
    }
}

/// 页面打印 (seed 001 §1.14): the browser's print dialog, with the print
/// stylesheet (no navigation, no buttons). Without JavaScript the
/// browser's own Print does the same.
#[component]
pub fn PrintButton() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="button" class="link-button no-print" data-testid="print" on:click=|_| {
            let _ = window().print();
        }>{i18n.tr(Text::new("打印本页", "Print this page"))}</button>
    }
}

#[component]
fn EntityTable(page: EntityPage) -> impl IntoView {
    let i18n = use_i18n();
    if page.rows.is_empty() {
        return view! { <p class="notice" data-testid="filed-none">{i18n.tr(Text::new("没有符合条件的主体。", "No entities match."))}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="dense" data-testid="entity-rows">
                <thead><tr>
                    <th scope="col">{i18n.tr(Text::new("主办单位名称", "Sponsor"))}</th>
                    <th scope="col">{i18n.tr(Text::new("性质", "Type"))}</th>
                    <th scope="col">{i18n.tr(Text::new("主体备案号", "Entity number"))}</th>
                    <th scope="col">{i18n.tr(Text::new("网站备案号", "Website numbers"))}</th>
                    <th scope="col">{i18n.tr(Text::new("审核通过日期", "Approved"))}</th>
                    <th scope="col" class="no-print"></th>
                </tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|r| {
                        let nature = u8::try_from(r.nature).ok().and_then(codes::nature).map(|n| n.name);
                        view! {
                            <tr data-testid="entity-row">
                                <td>{r.unit_name}</td>
                                <td>{move || nature.map(|n| i18n.t(n)).unwrap_or("")}</td>
                                <td class="nowrap">{r.main_licence}</td>
                                <td>{r.websites.join(" ")}</td>
                                <td class="nowrap">{r.approved}</td>
                                <td class="no-print nowrap"><a href=format!("/provider/certificate/{}", r.key) data-testid="certificate" download rel="external">{i18n.tr(Text::new("下载备案证书", "Download certificate"))}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
