//! 网站备案信息统计 (seed 001 §1.7.4): /provider/stats?group=…&until=…:
//! the counts by the chosen group as of a cut-off date (required), with
//! 同比 and 环比 beside each figure, a chart and a table, and the table
//! as .xlsx or .csv. A plain GET form: it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::encode_component;
use crate::domain::stats::{self, change_text, Group, StatLine};
use crate::domain::workflow::Role;
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::office::filing_stats;
use crate::i18n::use_i18n;
use crate::pages::staff::review::{sign_in, ConsoleNav};

pub const STATS_TITLE: Text = Text::new("备案统计", "Statistics");

#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = leptos_router::hooks::use_navigate();
    let asked = Memo::new(move |_| {
        let q = query.read();
        (q.get("group").unwrap_or_default(), q.get("until").unwrap_or_default())
    });
    let (group, until) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let show = move |(g, u): &(String, String)| {
        group.set(g.clone());
        until.set(u.clone());
    };
    show(&asked.get_untracked());
    Effect::new(move |_| show(&asked.get()));
    let local = RwSignal::new(None::<crate::domain::FieldErrors>);
    let result = Resource::new(
        move || (asked.get(), i18n.lang()),
        |((g, u), lang)| async move { if u.is_empty() && g.is_empty() { None } else { Some(filing_stats(g, u, lang.code().to_string()).await) } },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (g, u) = (group.get_untracked(), until.get_untracked());
        // The same check as the server's; "today" is the browser's here, the server's there.
        let today = crate::domain::date::Date::parse_compact(&today_text()).unwrap_or(crate::domain::date::Date { year: 9999, month: 12, day: 31 });
        match stats::check(&g, &u, today) {
            Err(e) => local.set(Some(e)),
            Ok(_) => {
                local.set(None);
                navigate(&format!("/provider/stats?group={}&until={}", encode_component(&g), encode_component(&u)), Default::default());
            }
        }
    };
    let err = move |path: &'static str| move || local.with(|e| e.as_ref().and_then(|e| e.get(path)).map(|e| e.message.get(i18n.lang()).to_string())).map(|m| view! { <span class="field__error" role="alert">{m}</span> });
    let export = move |format: &'static str| move || {
        let (g, u) = asked.get();
        format!("/provider/stats/export?format={format}&group={}&until={}", encode_component(&g), encode_component(&u))
    };
    view! {
        <Title text=STATS_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(STATS_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "本接入商接入的已备案网站和主体的数量。按所选分组项统计到截止日期；同比为上年同一日期，环比为上月末。按月份统计时为截止日期前十二个月每月审核通过的数量。",
                "Our filed websites and entities, grouped, as of the cut-off date; 同比 compares with the same date a year before, 环比 with the end of the month before. By month: the approvals in each of the twelve months up to the cut-off.",
            ))}</p>
            <form class="filters" method="get" action="/provider/stats" on:submit=submit data-testid="stats-form" novalidate>
                <label class="filter" for="st-group"><span>{i18n.tr(stats::GROUP.label)}</span>
                    <select id="st-group" name="group" prop:value=move || group.get() on:change=move |ev| group.set(event_target_value(&ev))>
                        {Group::ALL.into_iter().map(|g| view! { <option value=g.code() selected=move || group.get() == g.code() || (group.get().is_empty() && g == Group::Province)>{i18n.tr(g.label())}</option> }).collect_view()}
                    </select>
                    {err("group")}
                </label>
                <label class="filter" for="st-until"><span>{i18n.tr(stats::CUTOFF.label)} " *"</span>
                    <input id="st-until" name="until" type="date" required prop:value=move || until.get() on:input=move |ev| until.set(event_target_value(&ev)) />
                    {err("until")}
                </label>
                <div class="filters__actions"><button class="button button--primary" type="submit" data-testid="stats-go">{i18n.tr(Text::new("统计", "Count"))}</button></div>
            </form>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || result.get().map(|r| match r {
                    None => view! { <p class="notice">{i18n.tr(Text::new("请选择分组项并填写统计截止日期。", "Choose a group and the cut-off date."))}</p> }.into_any(),
                    Some(Err(AppError::Unauthenticated | AppError::Forbidden)) => sign_in(encode_component("/provider/stats")).into_any(),
                    Some(Err(AppError::Invalid(e))) => view! {
                        <div class="notice notice--error" role="alert" data-testid="stats-invalid">
                            <ul>{e.0.into_iter().map(|e| view! { <li>{move || e.describe(i18n.lang())}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any(),
                    Some(Err(e)) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Some(Ok(a)) => {
                        let t = a.table;
                        let months = t.group == Group::Month;
                        view! {
                            <p class="result-bar__count">
                                {i18n.tr(t.group.label())} " · " {i18n.tr(Text::new("截止", "as of"))} " " {t.cutoff.clone()}
                                {(!months).then(|| view! { " · " {i18n.tr(Text::new("同比基准", "year before"))} " " {t.year_before.clone()} " · " {i18n.tr(Text::new("环比基准", "month before"))} " " {t.period_before.clone()} })}
                            </p>
                            <p class="result-bar__export no-print">
                                {i18n.tr(Text::new("导出：", "Export: "))}
                                <a href=export("xlsx") data-testid="stats-xlsx" download>"Excel (.xlsx)"</a> " · "
                                <a href=export("csv") data-testid="stats-csv" download>"CSV"</a>
                            </p>
                            <figure class="chart" data-testid="stats-chart">
                                <div class="chart__svg" inner_html=a.chart></div>
                                <figcaption class="muted">{i18n.tr(Text::new("条形为网站数；深色竖线为上年同期。", "Bars: websites; dark marks: a year before."))}</figcaption>
                            </figure>
                            <div class="table-wrap">
                                <table class="dense stats-table" data-testid="stats-table">
                                    <thead><tr>
                                        <th scope="col">{i18n.tr(t.group.label())}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("网站数", "Websites"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("上年同期", "Year before"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("同比", "YoY"))}</th>
                                        <th scope="col" class="num">{i18n.tr(if months { Text::new("上月", "Month before") } else { Text::new("上月末", "Month end before") })}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("环比", "MoM"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("主体数", "Entities"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("同比", "YoY"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("环比", "MoM"))}</th>
                                    </tr></thead>
                                    <tbody>
                                        {t.lines.into_iter().map(|l| view! { <StatRowView l /> }).collect_view()}
                                    </tbody>
                                    <tfoot><StatRowView l=t.total /></tfoot>
                                </table>
                            </div>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn StatRowView(l: StatLine) -> impl IntoView {
    let i18n = use_i18n();
    let label = l.label.clone();
    view! {
        <tr data-testid="stats-row">
            <th scope="row">{move || label.get(i18n.lang()).to_string()}</th>
            <td class="num">{l.websites}</td>
            <td class="num">{l.websites_year_before}</td>
            <td class="num" data-testid="yoy">{change_text(l.websites, l.websites_year_before)}</td>
            <td class="num">{l.websites_period_before}</td>
            <td class="num" data-testid="mom">{change_text(l.websites, l.websites_period_before)}</td>
            <td class="num">{l.entities}</td>
            <td class="num">{change_text(l.entities, l.entities_year_before)}</td>
            <td class="num">{change_text(l.entities, l.entities_period_before)}</td>
        </tr>
    }
}

/// Today in Beijing as the browser's clock has it (for the browser's check only).
pub fn today_text() -> String {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys_now();
        let days = ((ms / 1000.0) as i64 + 8 * 3600).div_euclid(86_400);
        crate::domain::date::Date::from_days_since_epoch(days).to_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        crate::ssr::application::today().to_string()
    }
}

#[cfg(feature = "hydrate")]
fn js_sys_now() -> f64 {
    #[wasm_bindgen::prelude::wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Date, js_name = now)]
        fn date_now() -> f64;
    }
    date_now()
}
