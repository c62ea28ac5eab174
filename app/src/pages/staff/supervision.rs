//! Supervision pages: 未备案检测结果查询 and 处理 (seed 001 §1.8.1),
//! 未备案检测结果统计 (§1.8.2), 黑名单查询 (§1.9) for the provider, the
//! 管局's blacklist, and the administrator's shipper tokens.
//!
//! Lists and statistics are GET forms (their conditions live in the URL,
//! and work without JavaScript); 处理 posts plainly without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::layout::encode_component;
use crate::components::pager::Pager;
use crate::domain::blacklist::{self as bl, BlacklistKind, EntryInput};
use crate::domain::codes;
use crate::domain::detect::{self, DetectionQuery, DetectionState, Finding, Reason, StatGroup};
use crate::domain::workflow::Role;
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::supervision::*;
use crate::i18n::use_i18n;
use crate::models::{BlacklistEntry, UnfiledItem};
use crate::pages::staff::review::{sign_in, ConsoleNav};

pub const UNFILED_TITLE: Text = Text::new("未备案检测", "Unfiled sites");
pub const UNFILED_STATS_TITLE: Text = Text::new("未备案统计", "Unfiled statistics");
pub const BLACKLIST_TITLE: Text = Text::new("黑名单查询", "Blacklists");
pub const BLACKLIST_KEEP_TITLE: Text = Text::new("备案黑名单", "Filing blacklist");
pub const TOKENS_TITLE: Text = Text::new("日志接入令牌", "Log shipper tokens");

fn query_of(q: &leptos_router::params::ParamsMap) -> DetectionQuery {
    let get = |k: &str| q.get(k).unwrap_or_default();
    DetectionQuery { state: get("state"), finding: get("finding"), province: get("province"), domain: get("domain"), from: get("from"), to: get("to"), page: get("page").parse().unwrap_or(1) }
}

fn error_view(e: AppError, back: &str) -> AnyView {
    let i18n = use_i18n();
    match e {
        AppError::Unauthenticated | AppError::Forbidden => sign_in(encode_component(back)).into_any(),
        AppError::Invalid(errors) => view! {
            <div class="notice notice--error" role="alert" data-testid="invalid">
                <ul>{errors.0.into_iter().map(|e| view! { <li>{move || e.describe(i18n.lang())}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any(),
        e => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
    }
}

fn province_name(p: Option<i64>) -> Text {
    p.and_then(|p| u8::try_from(p).ok()).and_then(codes::province_by_code).map(|p| p.name).unwrap_or(detect::UNKNOWN_PROVINCE)
}

/// The conditions shared by the list and the statistics (a GET form).
#[component]
fn DetectionFilters(action: &'static str, q: DetectionQuery, #[prop(optional)] group: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let (state, finding, province) = (q.state.clone(), q.finding.clone(), q.province.clone());
    view! {
        <form class="filters" method="get" action=action data-testid="unfiled-filters">
            {group.map(|g| view! {
                <label class="filter" for="uf-group"><span>{i18n.tr(Text::new("统计分组项", "Group by"))}</span>
                    <select id="uf-group" name="group" data-testid="unfiled-group">
                        {StatGroup::ALL.into_iter().map(|s| { let sel = g == s.code() || (g.is_empty() && s == StatGroup::Province); view! { <option value=s.code() selected=sel>{i18n.tr(s.label())}</option> } }).collect_view()}
                    </select>
                </label>
            })}
            <label class="filter" for="uf-domain"><span>{i18n.tr(detect::fields::DOMAIN.label)}</span>
                <input id="uf-domain" name="domain" type="search" maxlength="100" value=q.domain.clone() data-testid="unfiled-domain" />
            </label>
            <label class="filter" for="uf-state"><span>{i18n.tr(detect::fields::STATE.label)}</span>
                <select id="uf-state" name="state" data-testid="unfiled-state">
                    <option value="">{i18n.tr(Text::new("全部", "All"))}</option>
                    {DetectionState::ALL.into_iter().map(|s| view! { <option value=s.code() selected=state == s.code()>{i18n.tr(s.label())}</option> }).collect_view()}
                </select>
            </label>
            <label class="filter" for="uf-finding"><span>{i18n.tr(detect::fields::FINDING.label)}</span>
                <select id="uf-finding" name="finding">
                    <option value="">{i18n.tr(Text::new("全部", "All"))}</option>
                    {Finding::ALL.into_iter().map(|f| view! { <option value=f.code() selected=finding == f.code()>{i18n.tr(f.label())}</option> }).collect_view()}
                </select>
            </label>
            <label class="filter" for="uf-province"><span>{i18n.tr(detect::fields::PROVINCE.label)}</span>
                <select id="uf-province" name="province">
                    <option value="">{i18n.tr(Text::new("全部", "All"))}</option>
                    {codes::PROVINCES.iter().map(|p| { let c = p.code.to_string(); let sel = province == c; view! { <option value=c selected=sel>{i18n.tr(p.name)}</option> } }).collect_view()}
                    <option value="0" selected=province == "0">{i18n.tr(detect::UNKNOWN_PROVINCE)}</option>
                </select>
            </label>
            <label class="filter" for="uf-from"><span>{i18n.tr(detect::fields::FROM.label)}</span>
                <input id="uf-from" name="from" type="date" value=q.from.clone() />
            </label>
            <label class="filter" for="uf-to"><span>{i18n.tr(detect::fields::TO.label)}</span>
                <input id="uf-to" name="to" type="date" value=q.to.clone() />
            </label>
            <div class="filters__actions">
                <button class="button button--primary" type="submit" data-testid="unfiled-go">{i18n.tr(Text::new("查询", "Search"))}</button>
                <a class="button" href=action>{i18n.tr(Text::new("清除条件", "Clear"))}</a>
            </div>
        </form>
    }
}

/// 未备案检测结果查询 (seed 001 §1.8.1).
#[component]
pub fn UnfiledPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let current = Memo::new(move |_| query_of(&query.read()));
    let list = Resource::new(move || current.get(), unfiled_list);
    view! {
        <Title text=UNFILED_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(Text::new("未备案检测结果", "Unfiled sites found on our servers"))}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "本接入商服务器实际服务的域名中，未备案或备案的接入服务商不是本单位的网站。来源：服务器访问日志（beian detect）和日志采集程序（/api/v1/detections）。不输入条件则列出全部。",
                "Domains our servers actually serve that are not filed, or filed without us as their provider. From the servers' access logs (beian detect) and log shippers (/api/v1/detections). With no conditions, all are listed.",
            ))}</p>
            <p><a href="/provider/unfiled-stats" data-testid="unfiled-stats-link">{i18n.tr(UNFILED_STATS_TITLE)} " →"</a></p>
            {move || view! { <DetectionFilters action="/provider/unfiled" q=current.get() /> }}
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => error_view(e, "/provider/unfiled"),
                    Ok(p) if p.items.is_empty() => view! { <p class="notice" data-testid="unfiled-none">{i18n.tr(Text::new("没有符合条件的检测结果。", "No detections match."))}</p> }.into_any(),
                    Ok(p) => {
                        let (page, pages, total) = (p.page, p.pages, p.total);
                        let base = DetectionQuery { page: 1, ..current.get_untracked() }.to_query_string();
                        let href = move |n: u32| if base.is_empty() { format!("/provider/unfiled?page={n}") } else { format!("/provider/unfiled?{base}&page={n}") };
                        view! {
                            <p class="result-bar__count" data-testid="unfiled-total">{move || if i18n.lang() == crate::i18n::Lang::Zh { format!("共 {total} 个域名") } else { format!("{total} domains") }}</p>
                            <div class="table-wrap">
                                <table class="dense cards unfiled-table" data-testid="unfiled-table">
                                    <thead><tr>
                                        <th scope="col">{i18n.tr(Text::new("域名", "Domain"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("检测结果", "Finding"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("服务器IP", "Server IP"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("放置地", "Placed in"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("首次发现", "First seen"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("最近发现", "Last seen"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("访问次数", "Hits"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("检测次数", "Times found"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("状态", "State"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("操作", "Action"))}</th>
                                    </tr></thead>
                                    <tbody>{p.items.into_iter().map(|it| view! { <UnfiledRow it /> }).collect_view()}</tbody>
                                </table>
                            </div>
                            <Show when=move || { pages > 1 }><Pager page pages href=href.clone() /></Show>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UnfiledRow(it: UnfiledItem) -> impl IntoView {
    let i18n = use_i18n();
    let state = DetectionState::from_code(&it.state).unwrap_or(DetectionState::Open);
    let finding = Finding::from_code(&it.finding).unwrap_or(Finding::Unfiled);
    let reason = Reason::from_code(&it.reason).unwrap_or(Reason::NeverFiled);
    let href = format!("/provider/unfiled/{}", encode_component(&it.key));
    let shown = if it.domain_unicode != it.domain { format!("{} ({})", it.domain_unicode, it.domain) } else { it.domain.clone() };
    view! {
        <tr data-testid="unfiled-row" data-domain=it.domain.clone()>
            <td data-label=i18n.tr(Text::new("域名", "Domain"))><a href=href.clone()>{shown}</a></td>
            <td data-label=i18n.tr(Text::new("检测结果", "Finding"))>
                <span class=format!("badge badge--{}", finding.code())>{i18n.tr(finding.label())}</span>
                " " <span class="muted">{i18n.tr(reason.label())}</span>
            </td>
            <td data-label=i18n.tr(Text::new("服务器IP", "Server IP"))>{it.ips.join(" ")}</td>
            <td data-label=i18n.tr(Text::new("放置地", "Placed in"))>{i18n.tr(province_name(it.province))}</td>
            <td data-label=i18n.tr(Text::new("首次发现", "First seen"))>{it.first_seen.clone()}</td>
            <td data-label=i18n.tr(Text::new("最近发现", "Last seen"))>{it.last_seen.clone()}</td>
            <td class="num" data-label=i18n.tr(Text::new("访问次数", "Hits"))>{it.hits}</td>
            <td class="num" data-label=i18n.tr(Text::new("检测次数", "Times found"))><a href=format!("{href}#history") data-testid="unfiled-times">{it.times}</a></td>
            <td data-label=i18n.tr(Text::new("状态", "State"))><span class=format!("status status--detect-{}", state.code()) data-testid="unfiled-state-label">{i18n.tr(state.label())}</span></td>
            <td data-label=i18n.tr(Text::new("操作", "Action"))><a href=format!("{href}#handle") data-testid="unfiled-handle-link">{i18n.tr(Text::new("处理", "Handle"))}</a></td>
        </tr>
    }
}

/// One detection: its facts, 处理, 检测次数's history and the handlings.
#[component]
pub fn UnfiledDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| params.read().get("key").unwrap_or_default());
    let detail = Resource::new(move || key.get(), unfiled_one);
    let (result, comment, licence, deadline) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let local = RwSignal::new(None::<AppError>);
    let handle = Action::new(move |(k, v): &(String, i64)| {
        let (k, v) = (k.clone(), *v);
        let (r, c, l, d) = (result.get_untracked(), comment.get_untracked(), licence.get_untracked(), deadline.get_untracked());
        async move { unfiled_handle(k, v, r, c, l, d).await }
    });
    let done = RwSignal::new(false);
    Effect::new(move |_| match handle.value().get() {
        Some(Ok(_)) => {
            local.set(None);
            done.set(true);
            comment.set(String::new());
            detail.refetch();
        }
        Some(Err(e)) => local.set(Some(e)),
        None => {}
    });
    let err = move |path: &'static str| move || crate::components::form::field_message(local.get().as_ref(), path, i18n.lang()).map(|m| view! { <span class="field__error" role="alert">{m}</span> });
    let plain_note = move || {
        let q = query.read();
        if q.get("handled").is_some() {
            Some(view! { <p class="notice notice--ok" role="status" data-testid="handled">{i18n.tr(Text::new("处理结果已保存。", "The handling was saved."))}</p> }.into_any())
        } else if q.get("failed").is_some() {
            Some(view! { <p class="notice notice--error" role="alert">{i18n.tr(Text::new("未能保存：请检查处理结果和所需的备案号或整改期限，或刷新后重试。", "Not saved: check the result and the number or deadline it needs, or reload and try again."))}</p> }.into_any())
        } else {
            None
        }
    };
    view! {
        <Title text=UNFILED_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <p><a href="/provider/unfiled">"← " {i18n.tr(UNFILED_TITLE)}</a></p>
            {plain_note}
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || detail.get().map(|r| match r {
                    Err(e) => error_view(e, &format!("/provider/unfiled/{}", key.get_untracked())),
                    Ok(d) => {
                        let it = d.item.clone();
                        let state = DetectionState::from_code(&it.state).unwrap_or(DetectionState::Open);
                        let finding = Finding::from_code(&it.finding).unwrap_or(Finding::Unfiled);
                        let reason = Reason::from_code(&it.reason).unwrap_or(Reason::NeverFiled);
                        let (k, v) = (it.key.clone(), it.version);
                        let submit = {
                            let k = k.clone();
                            move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                done.set(false);
                                let today = crate::domain::date::Date::parse_compact(&crate::pages::staff::stats::today_text()).unwrap_or(crate::domain::date::Date { year: 2000, month: 1, day: 1 });
                                match detect::check_handling(&result.get_untracked(), &comment.get_untracked(), &licence.get_untracked(), &deadline.get_untracked(), today) {
                                    Err(e) => local.set(Some(AppError::Invalid(e))),
                                    Ok(_) => {
                                        local.set(None);
                                        handle.dispatch((k.clone(), v));
                                    }
                                }
                            }
                        };
                        let chosen = move |s: DetectionState| result.get() == s.code();
                        view! {
                            <h1 data-testid="unfiled-domain-title">{it.domain_unicode.clone()}</h1>
                            <p class="record__meta">
                                <span class=format!("status status--detect-{}", state.code()) data-testid="unfiled-state-now">{i18n.tr(state.label())}</span>
                                " " <span class=format!("badge badge--{}", finding.code())>{i18n.tr(finding.label())}</span>
                                " " {i18n.tr(reason.label())}
                            </p>
                            <p class="muted">{i18n.tr(state.next())}</p>
                            <dl class="facts">
                                <dt>{i18n.tr(Text::new("主机名", "Host names"))}</dt><dd>{it.hosts.join(" ")}</dd>
                                <dt>{i18n.tr(Text::new("服务器IP", "Server IPs"))}</dt><dd>{it.ips.join(" ")}</dd>
                                <dt>{i18n.tr(Text::new("服务器放置地", "Placed in"))}</dt><dd>{i18n.tr(province_name(it.province))}</dd>
                                <dt>{i18n.tr(Text::new("首次/最近发现", "First / last seen"))}</dt><dd>{it.first_seen.clone()} " — " {it.last_seen.clone()}</dd>
                                <dt>{i18n.tr(Text::new("访问次数", "Hits"))}</dt><dd>{it.hits}</dd>
                                <dt>{i18n.tr(Text::new("检测次数", "Times found"))}</dt><dd data-testid="unfiled-times-now">{it.times}</dd>
                                {it.found_licence.clone().map(|l| view! { <dt>{i18n.tr(Text::new("查到的备案", "Filing found"))}</dt><dd><a href=format!("/query?q={}", encode_component(&l))>{l.clone()}</a></dd> })}
                                {it.licence.clone().map(|l| view! { <dt>{i18n.tr(Text::new("已备案备案号", "Filed as"))}</dt><dd>{l}</dd> })}
                                {it.deadline.clone().map(|l| view! { <dt>{i18n.tr(detect::fields::DEADLINE.label)}</dt><dd>{l}</dd> })}
                                {(!it.comment.is_empty()).then(|| view! { <dt>{i18n.tr(detect::fields::COMMENT.label)}</dt><dd>{it.comment.clone()}</dd> })}
                                {it.handled_by.clone().map(|h| view! { <dt>{i18n.tr(Text::new("处理人", "Handled by"))}</dt><dd>{h} " · " {it.handled_at.clone().unwrap_or_default()}</dd> })}
                            </dl>
                            <h2 id="handle">{i18n.tr(Text::new("处理", "Handle"))}</h2>
                            <form class="form" method="post" action="/api/supervision/unfiled/handle" on:submit=submit novalidate data-testid="handle-form">
                                <input type="hidden" name="key" value=k.clone() />
                                <input type="hidden" name="version" value=v.to_string() />
                                <fieldset class="field">
                                    <legend>{i18n.tr(detect::fields::RESULT.label)} " *"</legend>
                                    <div class="choices__list">
                                        {DetectionState::RESULTS.into_iter().map(|s| view! {
                                            <label class="check">
                                                <input type="radio" name="result" value=s.code() prop:checked=move || chosen(s) on:change=move |_| result.set(s.code().to_string()) data-testid=format!("result-{}", s.code()) />
                                                " " {i18n.tr(s.label())}
                                            </label>
                                        }).collect_view()}
                                    </div>
                                    {err("result")}
                                </fieldset>
                                <label class="filter" for="h-licence"><span>{i18n.tr(detect::fields::LICENCE.label)} {i18n.tr(Text::new("（已备案时填写）", " (when filed since)"))}</span>
                                    <input id="h-licence" name="licence" maxlength="40" placeholder="京ICP备2026000123号-1" prop:value=move || licence.get() on:input=move |ev| licence.set(event_target_value(&ev)) />
                                    {err("licence")}
                                </label>
                                <label class="filter" for="h-deadline"><span>{i18n.tr(detect::fields::DEADLINE.label)} {i18n.tr(Text::new("（整改中时填写）", " (when being put right)"))}</span>
                                    <input id="h-deadline" name="deadline" type="date" prop:value=move || deadline.get() on:input=move |ev| deadline.set(event_target_value(&ev)) />
                                    {err("deadline")}
                                </label>
                                <label class="filter" for="h-comment"><span>{i18n.tr(detect::fields::COMMENT.label)} {i18n.tr(Text::new("（误报时必填）", " (required for a false positive)"))}</span>
                                    <textarea id="h-comment" name="comment" rows="3" maxlength=detect::MAX_COMMENT prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev)) data-testid="handle-comment"></textarea>
                                    {err("comment")}
                                </label>
                                {move || crate::components::form::general_message(local.get().as_ref(), i18n.lang()).map(|m| view! { <p class="notice notice--error" role="alert">{m}</p> })}
                                {move || done.get().then(|| view! { <p class="notice notice--ok" role="status" data-testid="handled">{i18n.tr(Text::new("处理结果已保存。", "The handling was saved."))}</p> })}
                                <div class="form__actions">
                                    <button class="button button--primary" type="submit" data-testid="handle-submit" disabled=move || handle.pending().get()>{i18n.tr(Text::new("提交", "Submit"))}</button>
                                </div>
                            </form>
                            <h2 id="history">{i18n.tr(Text::new("检测历史", "Detection history"))} " (" {d.seen.len()} ")"</h2>
                            <div class="table-wrap">
                                <table class="dense" data-testid="unfiled-history">
                                    <thead><tr>
                                        <th scope="col">{i18n.tr(Text::new("检测时间", "Run at"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("来源", "Source"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("发现时段", "Seen"))}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("访问次数", "Hits"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("服务器IP", "Server IPs"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("结果", "Finding"))}</th>
                                    </tr></thead>
                                    <tbody>
                                        {d.seen.into_iter().map(|s| {
                                            let f = Finding::from_code(&s.finding).unwrap_or(Finding::Unfiled);
                                            let src = if s.source == "api" { Text::new("日志采集", "Shipper") } else { Text::new("访问日志", "Access log") };
                                            view! {
                                                <tr data-testid="history-row">
                                                    <td>{s.at}</td>
                                                    <td>{i18n.tr(src)} " " <span class="muted">{s.label}</span></td>
                                                    <td>{s.first_seen} " — " {s.last_seen}</td>
                                                    <td class="num">{s.hits}</td>
                                                    <td>{s.ips.join(" ")}</td>
                                                    <td>{i18n.tr(f.label())} {s.reopened.then(|| view! { " " <span class="badge badge--warn">{i18n.tr(Text::new("重新列为待处理", "reopened"))}</span> })}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <h2>{i18n.tr(Text::new("处理记录", "Handlings"))}</h2>
                            {if d.handlings.is_empty() {
                                view! { <p class="muted">{i18n.tr(Text::new("尚未处理。", "Not handled yet."))}</p> }.into_any()
                            } else {
                                view! {
                                    <ol class="timeline" data-testid="unfiled-handlings">
                                        {d.handlings.into_iter().map(|h| {
                                            let to = h.to_status.as_deref().and_then(DetectionState::from_code).map(|s| s.label()).unwrap_or(Text::new("", ""));
                                            let what = if h.action == "detection_reopened" { Text::new("再次检测到，重新列为待处理", "Seen again: reopened") } else { Text::new("处理为", "Handled as") };
                                            view! { <li>{h.at} " · " {h.actor.unwrap_or_else(|| "系统 / system".into())} " · " {i18n.tr(what)} " " <strong>{i18n.tr(to)}</strong> {(!h.comment.is_empty()).then(|| view! { " — " {h.comment.clone()} })}</li> }
                                        }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// 未备案检测结果统计 (seed 001 §1.8.2): by province (default), state or
/// month, each with 浏览 down to the records; chart, table, export.
#[component]
pub fn UnfiledStatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let current = Memo::new(move |_| (query.read().get("group").unwrap_or_default(), query_of(&query.read())));
    let stats = Resource::new(move || (current.get(), i18n.lang()), |((g, q), lang)| unfiled_statistics(g, q, lang.code().to_string()));
    view! {
        <Title text=UNFILED_STATS_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(Text::new("未备案检测结果统计", "Unfiled detections: statistics"))}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "按省份（服务器放置地）、处理状态或首次发现的月份统计检测到的域名；点击“浏览”查看该组的检测结果。",
                "Detected domains by province (where the servers are placed), state or month first seen; “Browse” lists a group's detections.",
            ))}</p>
            {move || { let (g, q) = current.get(); view! { <DetectionFilters action="/provider/unfiled-stats" q group=g /> } }}
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || stats.get().map(|r| match r {
                    Err(e) => error_view(e, "/provider/unfiled-stats"),
                    Ok(s) => {
                        let (g, q) = current.get_untracked();
                        let base = DetectionQuery { page: 1, ..q.clone() };
                        let export = move |format: &str| {
                            let qs = base.to_query_string();
                            format!("/provider/unfiled/stats/export?format={format}&group={}{}{qs}", encode_component(&g), if qs.is_empty() { "" } else { "&" })
                        };
                        let group = s.group;
                        let browse = move |key: &str| {
                            let mut q = DetectionQuery { page: 1, ..q.clone() };
                            match group {
                                StatGroup::Province => q.province = key.to_string(),
                                StatGroup::State => q.state = key.to_string(),
                                StatGroup::Month => {
                                    let (y, m) = key.split_once('-').and_then(|(y, m)| Some((y.parse::<u16>().ok()?, m.parse::<u8>().ok()?))).unwrap_or((2000, 1));
                                    q.from = format!("{key}-01");
                                    q.to = format!("{key}-{:02}", crate::domain::date::days_in_month(y, m));
                                }
                            }
                            format!("/provider/unfiled?{}", q.to_query_string())
                        };
                        let states = DetectionState::ALL;
                        view! {
                            <p class="result-bar__export no-print">
                                {i18n.tr(Text::new("导出：", "Export: "))}
                                <a href=export("xlsx") data-testid="unfiled-xlsx" download>"Excel (.xlsx)"</a> " · "
                                <a href=export("csv") data-testid="unfiled-csv" download>"CSV"</a>
                            </p>
                            <figure class="chart" data-testid="unfiled-chart">
                                <div class="chart__svg" inner_html=s.chart.clone()></div>
                                <figcaption class="muted">{i18n.tr(Text::new("条形为检测到的域名数。", "Bars: domains detected."))}</figcaption>
                            </figure>
                            <div class="table-wrap">
                                <table class="dense stats-table" data-testid="unfiled-stats-table">
                                    <thead><tr>
                                        <th scope="col">{i18n.tr(s.group.label())}</th>
                                        <th scope="col" class="num">{i18n.tr(Text::new("合计", "Total"))}</th>
                                        {states.into_iter().map(|st| view! { <th scope="col" class="num">{i18n.tr(st.label())}</th> }).collect_view()}
                                        <th scope="col">{i18n.tr(Text::new("操作", "Action"))}</th>
                                    </tr></thead>
                                    <tbody>
                                        {s.lines.into_iter().map(|l| {
                                            let label = l.label.clone();
                                            view! {
                                                <tr data-testid="unfiled-stats-row" data-key=l.key.clone()>
                                                    <th scope="row">{move || label.get(i18n.lang()).to_string()}</th>
                                                    <td class="num" data-testid="unfiled-stats-total">{l.total}</td>
                                                    {l.by_state.iter().map(|n| view! { <td class="num">{*n}</td> }).collect_view()}
                                                    <td><a href=browse(&l.key) data-testid="unfiled-browse">{i18n.tr(Text::new("浏览", "Browse"))}</a></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                    <tfoot><tr>
                                        <th scope="row">{i18n.tr(Text::new("合计", "Total"))}</th>
                                        <td class="num" data-testid="unfiled-stats-sum">{s.total.total}</td>
                                        {s.total.by_state.iter().map(|n| view! { <td class="num">{*n}</td> }).collect_view()}
                                        <td></td>
                                    </tr></tfoot>
                                </table>
                            </div>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// 黑名单查询 (seed 001 §1.9): 备案信息黑名单 by one condition, and 非法接入黑名单.
#[component]
pub fn ProviderBlacklistPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tab = Memo::new(move |_| query.read().get("tab").unwrap_or_default());
    let asked = Memo::new(move |_| {
        let q = query.read();
        (q.get("by"), q.get("value").unwrap_or_default(), q.get("name").unwrap_or_default(), q.get("domain").unwrap_or_default(), q.get("licence").unwrap_or_default())
    });
    let entries = Resource::new(move || asked.get(), |(by, value, ..)| async move {
        match by {
            None => None,
            Some(by) => Some(blacklist_list(by, value).await),
        }
    });
    let illegal = Resource::new(move || (tab.get(), asked.get()), |(tab, (_, _, n, d, l))| async move { if tab == "illegal" { Some(illegal_access_list(n, d, l).await) } else { None } });
    let by_now = move || asked.get().0.unwrap_or_else(|| "name".into());
    view! {
        <Title text=BLACKLIST_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(BLACKLIST_TITLE)}</h1>
            <nav class="toc" aria-label=move || i18n.t(Text::new("黑名单", "Blacklists"))>
                <a href="/provider/blacklist" aria-current=move || (tab.get() != "illegal").then_some("page")>{i18n.tr(Text::new("备案信息黑名单查询", "Filing blacklist"))}</a>
                <a href="/provider/blacklist?tab=illegal" aria-current=move || (tab.get() == "illegal").then_some("page") data-testid="tab-illegal">{i18n.tr(Text::new("非法接入黑名单查询", "Blacklisted filings we host"))}</a>
            </nav>
            <Show when=move || tab.get() != "illegal" fallback=move || view! {
                <p class="page__lead">{i18n.tr(Text::new("已列入黑名单、但仍由本接入商接入的备案（其域名或主办单位证件在黑名单中）。不输入条件则列出全部。请尽快取消接入。", "Filings on the blacklist (their domain or their sponsor's certificate) that we still host. With no conditions, all are listed. Cancel their access soon."))}</p>
                <form class="filters" method="get" action="/provider/blacklist">
                    <input type="hidden" name="tab" value="illegal" />
                    <label class="filter" for="il-name"><span>{i18n.tr(Text::new("主办单位名称", "Sponsor name"))}</span><input id="il-name" name="name" type="search" maxlength="100" value=move || asked.get().2 /></label>
                    <label class="filter" for="il-domain"><span>{i18n.tr(Text::new("域名", "Domain"))}</span><input id="il-domain" name="domain" type="search" maxlength="100" value=move || asked.get().3 /></label>
                    <label class="filter" for="il-licence"><span>{i18n.tr(Text::new("备案号", "Filing number"))}</span><input id="il-licence" name="licence" type="search" maxlength="40" value=move || asked.get().4 /></label>
                    <div class="filters__actions"><button class="button button--primary" type="submit">{i18n.tr(Text::new("查询", "Search"))}</button></div>
                </form>
                <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                    {move || illegal.get().flatten().map(|r| match r {
                        Err(e) => error_view(e, "/provider/blacklist?tab=illegal"),
                        Ok(rows) if rows.is_empty() => view! { <p class="notice notice--ok" data-testid="illegal-none">{i18n.tr(Text::new("没有黑名单中的备案仍由本接入商接入。", "We host no blacklisted filing."))}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap"><table class="dense" data-testid="illegal-table">
                                <thead><tr>
                                    <th scope="col">{i18n.tr(Text::new("主办单位", "Sponsor"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("网站备案号", "Website number"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("网站名称", "Website"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("域名", "Domains"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("接入IP", "IPs"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("列入黑名单", "Listed"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("操作", "Action"))}</th>
                                </tr></thead>
                                <tbody>{rows.into_iter().map(|r| view! {
                                    <tr data-testid="illegal-row">
                                        <td>{r.unit_name} <br /> <span class="muted">{r.main_licence.unwrap_or_default()}</span></td>
                                        <td>{r.licence.unwrap_or_default()}</td>
                                        <td>{r.site_name}</td>
                                        <td>{r.domains.join(" ")}</td>
                                        <td>{r.ips.join(" ")}</td>
                                        <td>{i18n.tr(BlacklistKind::from_code(&r.listed_as).unwrap_or(BlacklistKind::Domain).label())} " · " {r.listed_reason} " · " {r.listed}</td>
                                        <td><a href=format!("/provider/records/{}", r.website)>{i18n.tr(Text::new("详细", "Details"))}</a></td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table></div>
                        }.into_any(),
                    })}
                </Transition>
            }>
                <p class="page__lead">{i18n.tr(Text::new("只能选择主办单位名称或域名之一作为查询条件；内容为空时列出黑名单中的全部主体或全部网站。", "Search by the sponsor's name or by domain (one of them); left empty, every listed entity or every listed website is shown."))}</p>
                <form class="filters" method="get" action="/provider/blacklist" data-testid="blacklist-form">
                    <fieldset class="filter">
                        <legend>{i18n.tr(bl::fields::BY.label)}</legend>
                        <label class="check"><input type="radio" name="by" value="name" checked=move || by_now() == "name" /> " " {i18n.tr(Text::new("主办单位名称", "Sponsor name"))}</label>
                        <label class="check"><input type="radio" name="by" value="domain" checked=move || by_now() == "domain" data-testid="by-domain" /> " " {i18n.tr(Text::new("域名", "Domain"))}</label>
                    </fieldset>
                    <label class="filter" for="bl-value"><span>{i18n.tr(bl::fields::VALUE.label)}</span><input id="bl-value" name="value" type="search" maxlength="100" value=move || asked.get().1 data-testid="blacklist-value" /></label>
                    <div class="filters__actions"><button class="button button--primary" type="submit" data-testid="blacklist-go">{i18n.tr(Text::new("查询", "Search"))}</button></div>
                </form>
                <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                    {move || entries.get().map(|r| match r {
                        None => ().into_any(),
                        Some(Err(e)) => error_view(e, "/provider/blacklist"),
                        Some(Ok(rows)) if rows.is_empty() => view! { <p class="notice" data-testid="blacklist-none">{i18n.tr(Text::new("黑名单中没有符合条件的记录。", "Nothing on the blacklist matches."))}</p> }.into_any(),
                        Some(Ok(rows)) => view! { <BlacklistTable rows keeper=false /> }.into_any(),
                    })}
                </Transition>
            </Show>
        </section>
    }
}

/// The entries, with their details (详细) in a disclosure; a keeper may take one off.
#[component]
fn BlacklistTable(rows: Vec<BlacklistEntry>, keeper: bool, #[prop(optional)] refetch: Option<Callback<()>>) -> impl IntoView {
    let i18n = use_i18n();
    let remove = Action::new(move |(k, v): &(String, i64)| {
        let (k, v) = (k.clone(), *v);
        async move { blacklist_remove(k, v).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = remove.value().get() {
            if let Some(r) = refetch {
                r.run(());
            }
        }
    });
    view! {
        {move || remove.value().get().and_then(|r| r.err()).map(|e| view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> })}
        <div class="table-wrap"><table class="dense cards" data-testid="blacklist-table">
            <thead><tr>
                <th scope="col">{i18n.tr(Text::new("类别", "Kind"))}</th>
                <th scope="col">{i18n.tr(Text::new("主办单位名称 / 域名", "Sponsor / domain"))}</th>
                <th scope="col">{i18n.tr(Text::new("公开原因", "Public reason"))}</th>
                <th scope="col">{i18n.tr(Text::new("列入日期", "Listed on"))}</th>
                <th scope="col">{i18n.tr(Text::new("详细", "Details"))}</th>
            </tr></thead>
            <tbody>{rows.into_iter().map(|e| {
                let kind = BlacklistKind::from_code(&e.kind).unwrap_or(BlacklistKind::Domain);
                let what = if kind == BlacklistKind::Entity { e.unit_name.clone() } else { e.domain_unicode.clone() };
                let province = province_name(e.province);
                let (k, v) = (e.key.clone(), e.version);
                let removed = e.removed.clone();
                view! {
                    <tr data-testid="blacklist-row" class:muted=removed.is_some()>
                        <td data-label=i18n.tr(Text::new("类别", "Kind"))>{i18n.tr(kind.label())}</td>
                        <td data-testid="blacklist-what" data-label=i18n.tr(Text::new("主办单位名称 / 域名", "Sponsor / domain"))>{what}</td>
                        <td data-label=i18n.tr(Text::new("公开原因", "Public reason"))>{e.public_reason.clone()}</td>
                        <td data-label=i18n.tr(Text::new("列入日期", "Listed on"))>{e.listed.clone()} {removed.clone().map(|r| view! { <br /> <span class="badge">{i18n.tr(Text::new("已移出", "Removed"))} " " {r}</span> })}</td>
                        <td>
                            <details data-testid="blacklist-details">
                                <summary>{i18n.tr(Text::new("详细", "Details"))}</summary>
                                <dl class="facts">
                                    {(kind == BlacklistKind::Entity).then(|| view! { <dt>{i18n.tr(Text::new("证件号码", "Certificate"))}</dt><dd>{e.cert_number.clone()}</dd> })}
                                    {(kind == BlacklistKind::Domain).then(|| view! { <dt>{i18n.tr(Text::new("域名", "Domain"))}</dt><dd>{e.domain.clone()}</dd> })}
                                    <dt>{i18n.tr(Text::new("列入原因", "Reason"))}</dt><dd>{e.reason.clone()}</dd>
                                    <dt>{i18n.tr(Text::new("列入单位", "Listed by"))}</dt><dd>{i18n.tr(province)} " " {e.listed_by.clone().unwrap_or_default()}</dd>
                                </dl>
                                {(keeper && removed.is_none()).then(|| view! {
                                    <button class="button" type="button" data-testid="blacklist-remove" on:click=move |_| { remove.dispatch((k.clone(), v)); }>{i18n.tr(Text::new("移出黑名单", "Take off the list"))}</button>
                                })}
                            </details>
                        </td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table></div>
    }
}

/// The 管局's (and an administrator's) blacklist: add and take off.
#[component]
pub fn BureauBlacklistPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let by = Memo::new(move |_| query.read().get("by").filter(|b| b == "name").unwrap_or_else(|| "domain".into()));
    let list = Resource::new(move || by.get(), |by| blacklist_list(by, String::new()));
    let input = RwSignal::new(EntryInput { kind: "domain".into(), ..Default::default() });
    let local = RwSignal::new(None::<AppError>);
    let add = Action::new(move |e: &EntryInput| {
        let e = e.clone();
        async move { blacklist_add(e).await }
    });
    Effect::new(move |_| match add.value().get() {
        Some(Ok(_)) => {
            local.set(None);
            input.set(EntryInput { kind: input.get_untracked().kind, ..Default::default() });
            list.refetch();
        }
        Some(Err(e)) => local.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match bl::check_entry(&input.get_untracked()) {
            Err(e) => local.set(Some(AppError::Invalid(e))),
            Ok(_) => {
                local.set(None);
                add.dispatch(input.get_untracked());
            }
        }
    };
    let err = move |path: &'static str| move || crate::components::form::field_message(local.get().as_ref(), path, i18n.lang()).map(|m| view! { <span class="field__error" role="alert">{m}</span> });
    let text = move |id: &'static str, label: Text, get: fn(&EntryInput) -> String, set: fn(&mut EntryInput, String), max: usize| {
        view! {
            <label class="filter" for=id><span>{i18n.tr(label)} " *"</span>
                <input id=id maxlength=max prop:value=move || input.with(get) on:input=move |ev| input.update(|i| set(i, event_target_value(&ev))) data-testid=id />
                {err(match id { "bk-name" => "unit_name", "bk-cert" => "cert_number", "bk-domain" => "domain", "bk-public" => "public_reason", _ => "reason" })}
            </label>
        }
    };
    let entity = move || input.with(|i| i.kind == "entity");
    view! {
        <Title text=BLACKLIST_KEEP_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Bureau />
            <h1>{i18n.tr(Text::new("备案信息黑名单", "The filing blacklist"))}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "列入黑名单的主体（按证件号码和名称）和域名不能通过备案类型检查，也不能提交备案或被批量导入；公众可在公共查询的“违法违规查询”中看到是否列入、列入日期和公开原因。",
                "Listed entities (by certificate number and name) and domains fail the type check and cannot be submitted or imported; the public query's violation lookup shows whether something is listed, since when and the public reason.",
            ))}</p>
            <crate::components::form::NeedsScript />
            <form class="form" on:submit=submit novalidate data-testid="blacklist-add">
                <fieldset class="field">
                    <legend>{i18n.tr(bl::fields::KIND.label)}</legend>
                    <label class="check"><input type="radio" name="kind" value="domain" prop:checked=move || !entity() on:change=move |_| input.update(|i| i.kind = "domain".into()) /> " " {i18n.tr(BlacklistKind::Domain.label())}</label>
                    <label class="check"><input type="radio" name="kind" value="entity" prop:checked=entity on:change=move |_| input.update(|i| i.kind = "entity".into()) data-testid="bk-kind-entity" /> " " {i18n.tr(BlacklistKind::Entity.label())}</label>
                </fieldset>
                <Show when=entity fallback=move || text("bk-domain", bl::fields::DOMAIN.label, |i| i.domain.clone(), |i, v| i.domain = v, 253)>
                    {text("bk-name", bl::fields::UNIT_NAME.label, |i| i.unit_name.clone(), |i, v| i.unit_name = v, bl::MAX_NAME)}
                    {text("bk-cert", bl::fields::CERT_NUMBER.label, |i| i.cert_number.clone(), |i, v| i.cert_number = v, 40)}
                </Show>
                {text("bk-public", bl::fields::PUBLIC_REASON.label, |i| i.public_reason.clone(), |i, v| i.public_reason = v, bl::MAX_PUBLIC_REASON)}
                <label class="filter" for="bk-reason"><span>{i18n.tr(bl::fields::REASON.label)} " *"</span>
                    <textarea id="bk-reason" rows="3" maxlength=bl::MAX_REASON prop:value=move || input.with(|i| i.reason.clone()) on:input=move |ev| input.update(|i| i.reason = event_target_value(&ev)) data-testid="bk-reason"></textarea>
                    {err("reason")}
                </label>
                {move || crate::components::form::general_message(local.get().as_ref(), i18n.lang()).map(|m| view! { <p class="notice notice--error" role="alert">{m}</p> })}
                <div class="form__actions"><button class="button button--primary" type="submit" data-testid="bk-submit" disabled=move || add.pending().get()>{i18n.tr(Text::new("列入黑名单", "Add to the list"))}</button></div>
            </form>
            <nav class="toc">
                <a href="/bureau/blacklist" aria-current=move || (by.get() == "domain").then_some("page")>{i18n.tr(Text::new("网站（域名）", "Websites"))}</a>
                <a href="/bureau/blacklist?by=name" aria-current=move || (by.get() == "name").then_some("page")>{i18n.tr(Text::new("主体", "Entities"))}</a>
            </nav>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => error_view(e, "/bureau/blacklist"),
                    Ok(rows) if rows.is_empty() => view! { <p class="notice">{i18n.tr(Text::new("黑名单为空。", "The list is empty."))}</p> }.into_any(),
                    Ok(rows) => view! { <BlacklistTable rows keeper=true refetch=Callback::new(move |_| list.refetch()) /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// The administrator's tokens for log shippers.
#[component]
pub fn TokensPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| ingest_tokens());
    let name = RwSignal::new(String::new());
    let create = Action::new(move |n: &String| {
        let n = n.clone();
        async move { ingest_token_create(n).await }
    });
    let revoke = Action::new(move |k: &String| {
        let k = k.clone();
        async move { ingest_token_revoke(k).await }
    });
    Effect::new(move |_| {
        if create.value().get().is_some_and(|r| r.is_ok()) || revoke.value().get().is_some_and(|r| r.is_ok()) {
            list.refetch();
        }
    });
    view! {
        <Title text=TOKENS_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Admin />
            <h1>{i18n.tr(TOKENS_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "日志采集程序用令牌向 POST /api/v1/detections 报送服务器实际服务的主机名（Authorization: Bearer 令牌）。令牌只在创建时显示一次；系统只保存其摘要。不再使用的令牌请吊销。",
                "Log shippers send the host names our servers served to POST /api/v1/detections with a token (Authorization: Bearer …). A token is shown once, when made; only its digest is kept. Revoke tokens no longer used.",
            ))}</p>
            <crate::components::form::NeedsScript />
            <form class="filters" on:submit=move |ev| { ev.prevent_default(); create.dispatch(name.get_untracked()); } data-testid="token-form">
                <label class="filter" for="tk-name"><span>{i18n.tr(Text::new("名称", "Name"))}</span>
                    <input id="tk-name" maxlength="50" placeholder=move || i18n.t(Text::new("例如：日志服务器 A", "e.g. log server A")) prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <div class="filters__actions"><button class="button button--primary" type="submit" disabled=move || create.pending().get()>{i18n.tr(Text::new("创建令牌", "Make a token"))}</button></div>
            </form>
            {move || create.value().get().map(|r| match r {
                Ok(t) => view! {
                    <div class="notice notice--ok" role="status" data-testid="token-new">
                        <p><strong>{i18n.tr(Text::new("令牌已创建，只显示这一次：", "The token, shown this once:"))}</strong></p>
                        <p><code class="secret" data-testid="token-value">{t.token}</code></p>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="notice notice--error" role="alert">{move || match &e { AppError::Invalid(x) => x.0.first().map(|f| f.message.get(i18n.lang()).to_string()).unwrap_or_default(), e => e.message(i18n.lang()) }}</p> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => error_view(e, "/admin/tokens"),
                    Ok(rows) if rows.is_empty() => view! { <p class="notice">{i18n.tr(Text::new("还没有令牌。", "No tokens yet."))}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap"><table class="dense" data-testid="token-table">
                            <thead><tr>
                                <th scope="col">{i18n.tr(Text::new("名称", "Name"))}</th>
                                <th scope="col">{i18n.tr(Text::new("前缀", "Prefix"))}</th>
                                <th scope="col">{i18n.tr(Text::new("创建", "Made"))}</th>
                                <th scope="col">{i18n.tr(Text::new("最近使用", "Last used"))}</th>
                                <th scope="col">{i18n.tr(Text::new("状态", "State"))}</th>
                            </tr></thead>
                            <tbody>{rows.into_iter().map(|t| {
                                let k = t.key.clone();
                                view! {
                                    <tr data-testid="token-row">
                                        <td>{t.name}</td>
                                        <td><code>{t.prefix} "…"</code></td>
                                        <td>{t.created} " · " {t.created_by.unwrap_or_default()}</td>
                                        <td>{t.last_used.unwrap_or_else(|| "—".into())}</td>
                                        <td>{match t.revoked {
                                            Some(r) => view! { <span class="badge">{i18n.tr(Text::new("已吊销", "Revoked"))} " " {r}</span> }.into_any(),
                                            None => view! { <button class="button" type="button" data-testid="token-revoke" on:click=move |_| { revoke.dispatch(k.clone()); }>{i18n.tr(Text::new("吊销", "Revoke"))}</button> }.into_any(),
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
