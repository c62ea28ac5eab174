//! 公共查询 · 代码表 (seed 001 §1.10): every code table the forms use
//! (provinces with their number prefixes, 主办单位性质 with the 证件类型
//! each may use, 前置审批, 接入方式, 服务内容, languages), for anyone,
//! searchable in either language. The tables are `domain::codes`, the
//! validators' own; nothing is fetched. A plain GET form: it works
//! without JavaScript, and the search is in the address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::encode_component;
use crate::domain::codes::tables;
use crate::domain::Text;
use crate::i18n::use_i18n;

pub const TITLE: Text = Text::new("代码表", "Code tables");

#[component]
pub fn CodesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = leptos_router::hooks::use_navigate();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let t = Memo::new(move |_| query.read().get("t").unwrap_or_default());
    let (input, which) = (RwSignal::new(q.get_untracked()), RwSignal::new(t.get_untracked()));
    Effect::new(move |_| input.set(q.get()));
    Effect::new(move |_| which.set(t.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut parts = Vec::new();
        let (v, k) = (input.get_untracked(), which.get_untracked());
        if !k.is_empty() {
            parts.push(format!("t={}", encode_component(&k)));
        }
        if !v.trim().is_empty() {
            parts.push(format!("q={}", encode_component(v.trim())));
        }
        navigate(&if parts.is_empty() { "/codes".to_string() } else { format!("/codes?{}", parts.join("&")) }, Default::default());
    };
    let all = tables::all();
    let choices: Vec<(&'static str, Text)> = all.iter().map(|t| (t.key, t.title)).collect();
    view! {
        <Title text=TITLE.get(i18n.lang.get_untracked()) />
        <section class="page">
            <h1>{i18n.tr(TITLE)}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "备案表单中各项代码的含义，与系统校验所用的代码表相同。可按名称、代码或英文查找。",
                "What each code in the filing forms stands for: the same tables the checks use. Search by name, code or English.",
            ))}</p>
            <form class="filters" method="get" action="/codes" role="search" on:submit=submit data-testid="code-search">
                <label class="filter" for="c-t">
                    <span>{i18n.tr(Text::new("代码表", "Table"))}</span>
                    <select id="c-t" name="t" prop:value=move || which.get() on:change=move |ev| which.set(event_target_value(&ev))>
                        <option value="">{i18n.tr(Text::new("全部", "All"))}</option>
                        {choices.iter().map(|(k, title)| { let k = *k; view! { <option value=k selected=move || which.get() == k>{i18n.tr(*title)}</option> } }).collect_view()}
                    </select>
                </label>
                <label class="filter" for="c-q">
                    <span>{i18n.tr(Text::new("查找", "Find"))}</span>
                    <input id="c-q" name="q" type="search" maxlength="50" autocomplete="off" prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev)) />
                </label>
                <button class="button button--primary" type="submit">{i18n.tr(Text::new("查询", "Search"))}</button>
            </form>
            <nav class="toc no-print" aria-label=move || i18n.t(TITLE)>
                {choices.iter().map(|(k, title)| view! { <a href=format!("#code-{k}")>{i18n.tr(*title)}</a> }).collect_view()}
            </nav>
            {move || {
                let found = tables::search(&t.get(), &q.get().chars().take(50).collect::<String>());
                if found.is_empty() {
                    return view! { <p class="notice" data-testid="codes-none">{i18n.tr(Text::new("没有找到。", "Nothing found."))}</p> }.into_any();
                }
                found.into_iter().map(|table| view! {
                    <section class="code-table" id=format!("code-{}", table.key) data-testid="code-table">
                        <h2 class="section-title">{i18n.tr(table.title)}</h2>
                        <div class="table-wrap">
                            <table class="dense">
                                <thead><tr>{table.columns.iter().map(|c| view! { <th scope="col">{i18n.tr(*c)}</th> }).collect_view()}</tr></thead>
                                <tbody>
                                    {table.rows.into_iter().map(|row| view! {
                                        <tr>{row.into_iter().map(|cell| view! { <td>{move || cell.get(i18n.lang()).to_string()}</td> }).collect_view()}</tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }).collect_view().into_any()
            }}
        </section>
    }
}
