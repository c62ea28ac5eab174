//! The provider's 已接入网站 (its clients' filed websites, where it cancels
//! its access: seed 001 §1.4.5, no 备案密码, and starts a client's 变更 or
//! 注销 for it: §1.4, §1.5.2–1.5.3) and the 管局's 空壳网站 list.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::encode_component;
use crate::domain::business::Offer;
use crate::domain::codes;
use crate::domain::workflow::{ApplicationStatus, BusinessKind, Role};
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::business::{cancel_access, empty_sites, provider_sites};
use crate::i18n::use_i18n;
use crate::models::{FiledSite, OpenRef};
use crate::pages::staff::review::{sign_in, ConsoleNav};

pub const SITES_TITLE: Text = Text::new("已接入网站", "Hosted websites");
pub const EMPTY_TITLE: Text = Text::new("空壳网站", "Websites without access");
const SEARCH: Text = Text::new("查询", "Search");
const NONE: Text = Text::new("没有符合条件的记录", "Nothing matches");
const CANCEL: Text = Text::new("取消接入", "Cancel access");
const CONFIRM: Text = Text::new("确认取消接入", "Confirm");
const REASON: Text = Text::new("理由", "Reason");

/// /provider/sites?q=…: the filed websites with this provider's access.
#[component]
pub fn ProviderSitesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let input = RwSignal::new(q.get_untracked());
    Effect::new(move |_| input.set(q.get()));
    let list = Resource::new(move || q.get(), provider_sites);
    let navigate = leptos_router::hooks::use_navigate();
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = input.get_untracked();
        let v = v.trim();
        navigate(&if v.is_empty() { "/provider/sites".to_string() } else { format!("/provider/sites?q={}", encode_component(v)) }, Default::default());
    };
    view! {
        <Title text=SITES_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(SITES_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "在“代为办理”中为客户办理变更或注销（需客户提供的用户名和备案密码）。服务器或空间已转走的网站，在此取消本接入商的接入（无需备案密码，立即生效）；网站没有其他接入时成为空壳网站，由管局处理。点击备案号查看网站的备案历史。",
                "Under “For the client” file a change or cancellation for a client (with the username and filing password the client gives you). Where a website moved its servers away, cancel our access here (no filing password; at once); a website left with no access becomes an empty shell for the administration. Click a number for the website's history.",
            ))}</p>
            <p><a class="button" href="/provider/new" data-testid="add-for-client">{i18n.tr(crate::pages::registrant::wizard::STAFF_TITLE)}</a></p>
            <p class="muted">{i18n.tr(Text::new("已提出的注销申请（可查看进度，驳回的可修改后再次报送）：", "Cancellations filed (see progress; a rejected one can be corrected and passed again): "))}
                <a href="/provider/progress?kind=cancel_website">{i18n.tr(BusinessKind::CancelWebsite.label())}</a> " · "
                <a href="/provider/progress?kind=cancel_entity">{i18n.tr(BusinessKind::CancelEntity.label())}</a>
            </p>
            <crate::components::form::NeedsScript />
            <form class="filters" method="get" on:submit=search data-testid="site-filters">
                <label class="filter" for="f-q">
                    <span>{i18n.tr(Text::new("主办单位名称、域名或备案号", "Sponsor, domain or number"))}</span>
                    <input id="f-q" name="q" type="search" maxlength="100" prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev)) />
                </label>
                <button class="button button--primary" type="submit">{i18n.tr(SEARCH)}</button>
            </form>
            <Transition fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in("/provider/sites".into()).into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="notice">{i18n.tr(NONE)}</p> }.into_any(),
                    Ok(items) => view! {
                        <div class="table-wrap">
                            <table class="dense" data-testid="sites">
                                <thead><tr>
                                    <th scope="col">{i18n.tr(Text::new("主办单位", "Sponsor"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("网站备案号", "Number"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("网站名称", "Website"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("域名", "Domains"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("IP地址", "IP addresses"))}</th>
                                    <th scope="col"></th>
                                </tr></thead>
                                <tbody>
                                    {items.into_iter().flat_map(|r| {
                                        let (unit, entity, offers, cert, open) = (r.unit_name.clone(), r.key.clone(), r.offers.clone(), r.cert_number.clone(), r.open.clone());
                                        r.websites.into_iter().filter(|w| w.access.iter().any(|a| a.here && a.status == "active")).map(move |w| view! {
                                            <SiteRow unit=unit.clone() cert=cert.clone() entity=entity.clone() entity_offers=offers.clone() open=open.clone() w refetch=Callback::new(move |_| list.refetch()) />
                                        })
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SiteRow(unit: String, cert: String, entity: String, entity_offers: Vec<Offer>, open: Option<OpenRef>, w: FiledSite, refetch: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    // The entity's open application: where the provider continues what it
    // started for the client, or reads what was submitted.
    let busy = open.map(|o| {
        let (k, s) = (o.kind.label(), o.status.label());
        let href = match (o.status, o.by_provider) {
            (ApplicationStatus::Draft, true) => Some(format!("/filings/new?id={}&go=1", o.id)),
            (ApplicationStatus::Draft, false) => None,
            _ => Some(format!("/provider/filings/{}", o.id)),
        };
        view! {
            <p class="record__meta" data-testid="site-open">
                {i18n.tr(Text::new("办理中", "In progress"))} "：" {i18n.tr(k)} "（" {i18n.tr(s)} "）"
                {href.map(|h| view! { " " <a href=h>{i18n.tr(Text::new("查看", "Open"))}</a> })}
            </p>
        }
    });
    // 代为办理 (seed 001 §1.4): the client's businesses, done here with its
    // username and 备案密码 (新增网站 through the console's type check); 取消接入
    // is the button beside.
    let for_client = |offers: &[Offer]| offers.iter().filter(|o| o.kind != BusinessKind::CancelAccess).cloned().collect::<Vec<_>>();
    let pages = ("/provider/act", "/provider/new");
    let site_links = crate::pages::registrant::records::act_links(pages, for_client(&w.offers), &cert, entity.clone(), Some(w.key.clone()));
    let entity_links = crate::pages::registrant::records::act_links(pages, for_client(&entity_offers), &cert, entity, None);
    let history = format!("/sites/{}", w.key);
    let access = w.access.iter().find(|a| a.here && a.status == "active").cloned();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let key = access.as_ref().map(|a| a.key.clone()).unwrap_or_default();
    let act = Action::new(move |_: &()| {
        let (k, r) = (key.clone(), reason.get_untracked());
        async move { cancel_access(k, r).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = act.value().get() {
            refetch.run(());
        }
    });
    view! {
        <tr data-testid="site-row">
            <td>{unit} {busy}</td>
            <td><a href=history data-testid="site-history" title=i18n.tr(crate::pages::registrant::records::HISTORY)>{w.licence.clone()}</a></td>
            <td>{w.name.clone()}</td>
            <td>{w.domains.join(" ")}</td>
            <td>{access.map(|a| a.ips.join(" ")).unwrap_or_default()}</td>
            <td>
                <details class="menu" data-testid="on-behalf-menu">
                    <summary>{i18n.tr(Text::new("代为办理", "For the client"))}</summary>
                    {site_links}
                    {entity_links}
                </details>
                <Show when=move || open.get() fallback=move || view! {
                    <button class="button button--small" type="button" data-testid="cancel-access" on:click=move |_| open.set(true)>{i18n.tr(CANCEL)}</button>
                }>
                    <div class="confirm" role="alertdialog" data-testid="cancel-access-confirm">
                        <label class="field__label" for=format!("reason-{}", w.key)>{i18n.tr(REASON)}</label>
                        <select class="field__input" id=format!("reason-{}", w.key) data-testid="cancel-reason-select" prop:value=move || reason.get() on:change=move |ev| reason.set(event_target_value(&ev))>
                            {crate::pages::registrant::records::reason_options()}
                        </select>
                        {move || act.value().get().and_then(Result::err).map(|e| view! { <p class="field__error" role="alert">{move || e.message(i18n.lang())}</p> })}
                        <div class="form__actions">
                            <button class="button button--small" type="button" on:click=move |_| open.set(false)>{i18n.tr(Text::new("取消", "Cancel"))}</button>
                            <button class="button button--small button--primary" type="button" data-testid="cancel-access-go" disabled=move || act.pending().get() on:click=move |_| { act.dispatch(()); }>{i18n.tr(CONFIRM)}</button>
                        </div>
                    </div>
                </Show>
            </td>
        </tr>
    }
}

/// /bureau/empty: filed websites with no access left, and what happens next.
#[component]
pub fn EmptySitesPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| empty_sites());
    view! {
        <Title text=EMPTY_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Bureau />
            <h1>{i18n.tr(EMPTY_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(Text::new("这些网站已没有任何接入服务商。请通知主办者在新的接入商办理“新增接入”，或办理“注销网站”；逾期未处理的按空壳网站清理（注销）。", "These websites have no access provider left. Tell the sponsor to file a new access with a provider or to cancel the website; shells left unresolved are cancelled."))}</p>
            <Transition fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in("/bureau/empty".into()).into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="notice">{i18n.tr(NONE)}</p> }.into_any(),
                    Ok(items) => view! {
                        <div class="table-wrap">
                            <table class="dense" data-testid="empty-sites">
                                <thead><tr>
                                    <th scope="col">{i18n.tr(Text::new("网站备案号", "Number"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("网站名称", "Website"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("主办单位", "Sponsor"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("域名", "Domains"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("省份", "Province"))}</th>
                                    <th scope="col">{i18n.tr(Text::new("无接入起", "Since"))}</th>
                                </tr></thead>
                                <tbody>
                                    {items.into_iter().map(|e| {
                                        let p = u8::try_from(e.province).ok().and_then(codes::province_by_code).map(|p| p.name);
                                        view! {
                                            <tr data-testid="empty-row">
                                                <td><a href=format!("/sites/{}", e.key)>{e.licence}</a></td><td>{e.name}</td><td>{e.unit_name}</td><td>{e.domains.join(" ")}</td>
                                                <td>{move || p.map(|p| i18n.t(p)).unwrap_or("")}</td><td>{e.since}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
