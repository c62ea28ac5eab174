//! The staff consoles: the provider's 核实 queue (/provider), its 备案进度查询
//! (/provider/progress), the 管局's queue (/bureau), and the review of one
//! filing (/provider/filings/:id, /bureau/filings/:id) with field marks,
//! the 核验 record, corrections and decisions. Dense tables, plain buttons
//! and inputs in reading order, so the keyboard goes through them in turn.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::layout::encode_component;

use crate::domain::codes;
use crate::domain::filing::MaterialKind;
use crate::domain::review::{needs_pre_approval, review_rows, Edit, Mark};
use crate::domain::workflow::{self, ApplicationStatus, BusinessKind, Queue, Role};
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::business::confirm_business;
use crate::functions::filing::get_filing;
use crate::functions::review::{approve_filing, correct_filing, keep_marks, pass_filing, pre_approval_filing, reissue_filing_password, reject_filing, return_filing, review_queue};
use crate::i18n::use_i18n;
use crate::models::{FilingDetail, FilingSummary, QueueFilter};
use crate::pages::registrant::filings::{kind_label, status_label, Timeline};

const PROVIDER_TITLE: Text = Text::new("核实备案", "Verification queue");
const PROGRESS_TITLE: Text = Text::new("备案进度查询", "Filing progress");
const BUREAU_TITLE: Text = Text::new("管局审核", "Administration review");
const REVIEW_TITLE: Text = Text::new("备案核实与审核", "Review a filing");
const SEARCH: Text = Text::new("查询", "Search");
const NONE_FOUND: Text = Text::new("没有符合条件的备案。", "No filings match.");
const OPEN: Text = Text::new("办理", "Open");
const MARK: Text = Text::new("标注有误", "Mark wrong");
const UNMARK: Text = Text::new("取消标注", "Unmark");
const MARK_COMMENT: Text = Text::new("问题说明", "What is wrong");
const EDIT: Text = Text::new("代为修改", "Correct");
const DONE: Text = Text::new("已办理。", "Done.");

pub(crate) fn sign_in(next: String) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="notice notice--error" role="alert">{i18n.tr(crate::pages::account::SIGN_IN_FIRST)} " " <a href=format!("/login?next={next}")>"登录 / Sign in"</a></p> }
}

/// The tabs of a console.
#[component]
pub(crate) fn ConsoleNav(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let links: Vec<(&'static str, Text)> = match role {
        Role::Bureau => vec![("/bureau", BUREAU_TITLE), ("/bureau/empty", crate::pages::staff::records::EMPTY_TITLE), ("/bureau/blacklist", crate::pages::staff::supervision::BLACKLIST_KEEP_TITLE), ("/bureau/feedback", crate::pages::staff::feedback::FEEDBACK_TITLE)],
        Role::Admin => vec![("/admin/tokens", crate::pages::staff::supervision::TOKENS_TITLE), ("/bureau/blacklist", crate::pages::staff::supervision::BLACKLIST_KEEP_TITLE)],
        _ => vec![("/provider", PROVIDER_TITLE), ("/provider/progress", PROGRESS_TITLE), ("/provider/sites", crate::pages::staff::records::SITES_TITLE), ("/provider/new", crate::pages::registrant::wizard::STAFF_TITLE), ("/provider/import", crate::pages::staff::import::IMPORT_TITLE), ("/provider/search", crate::pages::staff::office::SEARCH_TITLE), ("/provider/stats", crate::pages::staff::stats::STATS_TITLE), ("/provider/certificates", crate::pages::staff::office::CERTIFICATES_TITLE), ("/provider/accounts", crate::pages::staff::clients::CLIENTS_TITLE), ("/provider/unfiled", crate::pages::staff::supervision::UNFILED_TITLE), ("/provider/unfiled-stats", crate::pages::staff::supervision::UNFILED_STATS_TITLE), ("/provider/blacklist", crate::pages::staff::supervision::BLACKLIST_TITLE), ("/provider/feedback", crate::pages::staff::feedback::FEEDBACK_TITLE)],
    };
    view! {
        <nav class="console-nav" aria-label="console">
            {links.into_iter().map(|(href, t)| view! { <a href=href>{i18n.tr(t)}</a> }).collect_view()}
            <crate::pages::staff::office::PrintButton />
        </nav>
    }
}

#[component]
pub fn ProviderPage() -> impl IntoView {
    view! { <QueuePage which=Queue::Verify title=PROVIDER_TITLE role=Role::Provider base="/provider" /> }
}

#[component]
pub fn ProgressPage() -> impl IntoView {
    view! { <QueuePage which=Queue::Progress title=PROGRESS_TITLE role=Role::Provider base="/provider" /> }
}

#[component]
pub fn BureauPage() -> impl IntoView {
    view! { <QueuePage which=Queue::Bureau title=BUREAU_TITLE role=Role::Bureau base="/bureau" /> }
}

#[component]
fn QueuePage(which: Queue, title: Text, role: Role, base: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    // The filters live in the address (`?status=…&name=…`): a search can be
    // bookmarked and shared, and Back and Forward step through searches.
    let query = use_query_map();
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    let filter = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        QueueFilter { status: get("status"), from: get("from"), to: get("to"), province: get("province"), name: get("name"), domain: get("domain"), kind: get("kind") }
    });
    let (status, from, to, province, name, domain, kind) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    // The inputs show the search in the address, also after Back or Forward.
    let show = move |f: &QueueFilter| {
        for (sig, v) in [(status, &f.status), (from, &f.from), (to, &f.to), (province, &f.province), (name, &f.name), (domain, &f.domain), (kind, &f.kind)] {
            sig.set(v.clone());
        }
    };
    show(&filter.get_untracked());
    Effect::new(move |_| show(&filter.get()));
    let rows = Resource::new(move || filter.get(), move |f| review_queue(which, f));
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pairs = [("status", status), ("kind", kind), ("from", from), ("to", to), ("province", province), ("name", name), ("domain", domain)];
        let qs: Vec<String> = pairs
            .iter()
            .filter_map(|(k, sig)| {
                let v = sig.get_untracked();
                let v = v.trim();
                (!v.is_empty()).then(|| format!("{k}={}", encode_component(v)))
            })
            .collect();
        let path = location.pathname.get_untracked();
        navigate(&if qs.is_empty() { path } else { format!("{path}?{}", qs.join("&")) }, Default::default());
    };
    let text = move |label: Text, sig: RwSignal<String>, id: &'static str, key: &'static str, kind: &'static str| {
        view! {
            <label class="filter" for=id>
                <span>{i18n.tr(label)}</span>
                <input id=id name=key type=kind maxlength="100" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <Title text=title.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role />
            <h1>{i18n.tr(title)}</h1>
            <crate::components::form::NeedsScript />
            <form class="filters" method="get" on:submit=search data-testid="filters">
                <label class="filter" for="f-status">
                    <span>{i18n.tr(Text::new("状态", "Status"))}</span>
                    <select id="f-status" name="status" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="">{i18n.tr(Text::new("全部", "All"))}</option>
                        {which.statuses().into_iter().map(|s| view! { <option value=s.code() selected=move || status.get() == s.code()>{i18n.tr(s.label())}</option> }).collect_view()}
                    </select>
                </label>
                <label class="filter" for="f-kind">
                    <span>{i18n.tr(Text::new("业务类型", "Business"))}</span>
                    <select id="f-kind" name="kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">{i18n.tr(Text::new("全部", "All"))}</option>
                        {BusinessKind::ALL.into_iter().map(|k| view! { <option value=k.code() selected=move || kind.get() == k.code()>{i18n.tr(k.label())}</option> }).collect_view()}
                    </select>
                </label>
                {text(Text::new("提交日期起", "Submitted from"), from, "f-from", "from", "date")}
                {text(Text::new("提交日期止", "Submitted until"), to, "f-to", "to", "date")}
                <label class="filter" for="f-province">
                    <span>{i18n.tr(Text::new("省份", "Province"))}</span>
                    <select id="f-province" name="province" prop:value=move || province.get() on:change=move |ev| province.set(event_target_value(&ev))>
                        <option value="">{i18n.tr(Text::new("全部", "All"))}</option>
                        {codes::PROVINCES.iter().map(|p| { let code = p.code.to_string(); let c2 = code.clone(); view! { <option value=code selected=move || province.get() == c2>{i18n.tr(p.name)}</option> } }).collect_view()}
                    </select>
                </label>
                {text(Text::new("主办单位名称", "Sponsor name"), name, "f-name", "name", "search")}
                {text(Text::new("域名", "Domain"), domain, "f-domain", "domain", "search")}
                <button class="button button--primary" type="submit">{i18n.tr(SEARCH)}</button>
            </form>
            <Transition fallback=|| ()>
                {move || rows.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in(base.to_string()).into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="notice">{i18n.tr(NONE_FOUND)}</p> }.into_any(),
                    Ok(items) => view! { <QueueTable items base /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn QueueTable(items: Vec<FilingSummary>, base: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let th = move |t: Text| view! { <th scope="col">{i18n.tr(t)}</th> };
    view! {
        <div class="table-wrap">
            <table class="dense" data-testid="queue">
                <thead><tr>
                    {th(Text::new("提交时间", "Submitted"))}
                    {th(Text::new("主办单位", "Sponsor"))}
                    {th(Text::new("域名", "Domains"))}
                    {th(Text::new("省份", "Province"))}
                    {th(Text::new("类型", "Type"))}
                    {th(Text::new("状态", "Status"))}
                    {th(Text::new("备案号", "Number"))}
                    <th></th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|f| {
                        let province = f.province.and_then(codes::province_by_code).map(|p| p.name);
                        let (kind, status) = (f.kind, f.status);
                        view! {
                            <tr data-testid="queue-row" data-status=f.status.code()>
                                <td>{f.submitted.clone().unwrap_or_default()}</td>
                                <td>{f.unit_name.clone()}</td>
                                <td>{f.domains.join(" ")}</td>
                                <td>{move || province.map(|p| i18n.t(p)).unwrap_or("")}</td>
                                <td>{i18n.tr(kind_label(kind))}</td>
                                <td><span class=format!("status status--{}", status.code())>{i18n.tr(status_label(status))}</span></td>
                                <td>{f.website_licences.first().cloned().or(f.entity_licence.clone()).unwrap_or_default()}</td>
                                <td><a class="button button--small" href=format!("{base}/filings/{}", f.id)>{i18n.tr(OPEN)}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ProviderReviewPage() -> impl IntoView {
    view! { <ReviewPage role=Role::Provider base="/provider" /> }
}

#[component]
pub fn BureauReviewPage() -> impl IntoView {
    view! { <ReviewPage role=Role::Bureau base="/bureau" /> }
}

#[component]
fn ReviewPage(role: Role, base: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let detail = Resource::new(move || id.get(), get_filing);
    view! {
        <Title text=REVIEW_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role />
            <p><a href=base>"← " {i18n.tr(if role == Role::Bureau { BUREAU_TITLE } else { PROVIDER_TITLE })}</a></p>
            <h1>{i18n.tr(REVIEW_TITLE)}</h1>
            <crate::components::form::NeedsScript />
            <Transition fallback=|| ()>
                {move || detail.get().map(|r| match r {
                    Err(AppError::Unauthenticated) => sign_in(format!("{base}/filings/{}", id.get_untracked())).into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(d) => view! { <Review d role refetch=Callback::new(move |_| detail.refetch()) /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Review(d: FilingDetail, role: Role, refetch: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    // What this person may do now comes from the server, which reads it off
    // the state machine's table (the same one every action is checked against).
    let status = d.summary.status;
    let may = |a: workflow::Action| d.actions.contains(&a);
    let verifying = may(workflow::Action::Verify) && (may(workflow::Action::Pass) || may(workflow::Action::Return));
    let correcting = may(workflow::Action::Correct);
    let deciding = may(workflow::Action::Approve) || may(workflow::Action::Reject);
    let may_pre = may(workflow::Action::RequirePreApproval);
    let (may_pass, may_confirm) = (may(workflow::Action::Pass), may(workflow::Action::Confirm));
    let reissue = role == Role::Provider && status == ApplicationStatus::Approved;
    let licence = StoredValue::new(d.summary.entity_licence.clone().unwrap_or_default());
    let (id, version) = (StoredValue::new(d.summary.id.clone()), d.summary.version);
    // The marks and 退回说明 kept from an earlier visit (until 退回修改 sends them).
    let marks = RwSignal::new(d.draft_marks.clone());
    let edits = RwSignal::new(Vec::<Edit>::new());
    let (comment, opinion, reason, note) = (RwSignal::new(d.draft_note.clone()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let result = RwSignal::new(None::<Result<(), AppError>>);
    // Marks are kept on the server as they are made: half a second after the
    // last change (a newer change or an action cancels a pending save; a
    // pending save still goes out if the clerk leaves the page meanwhile).
    let round = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let kept = RwSignal::new(None::<Result<(), AppError>>);
    if verifying {
        let round = round.clone();
        Effect::new(move |prev: Option<()>| {
            let (m, c) = (marks.get(), comment.get());
            if prev.is_none() {
                return;
            }
            let mine = round.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let (round, id) = (round.clone(), id.get_value());
            set_timeout(
                move || {
                    if round.load(std::sync::atomic::Ordering::SeqCst) == mine {
                        leptos::task::spawn_local(async move {
                            let r = keep_marks(id, m, c).await;
                            let _ = kept.try_set(Some(r));
                        });
                    }
                },
                std::time::Duration::from_millis(500),
            );
        });
    }
    let act = Action::new(move |what: &&'static str| {
        round.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let (what, id) = (*what, id.get_value());
        let (m, e, c, o, r, n) = (marks.get_untracked(), edits.get_untracked(), comment.get_untracked(), opinion.get_untracked(), reason.get_untracked(), note.get_untracked());
        async move {
            match what {
                "return" => return_filing(id, version, m, c).await,
                "pass" => pass_filing(id, version, o).await,
                "correct" => correct_filing(id, version, e).await,
                "approve" => approve_filing(id, version).await,
                "confirm" => confirm_business(id, version).await,
                "reject" => reject_filing(id, version, r).await,
                _ => pre_approval_filing(id, version, n).await,
            }
            .map(|_| ())
        }
    });
    Effect::new(move |_| {
        if let Some(r) = act.value().get() {
            let ok = r.is_ok();
            result.set(Some(r));
            if ok {
                edits.set(Vec::new());
                refetch.run(());
            }
        }
    });
    let busy = move || act.pending().get();
    let province = d.summary.province.and_then(codes::province_by_code).map(|p| p.name);
    let rows = review_rows(&d.form);
    let mut sections: Vec<(String, String, Vec<crate::domain::review::ReviewRow>)> = Vec::new();
    for r in rows {
        match sections.last_mut() {
            Some((zh, _, list)) if *zh == r.section.zh => list.push(r),
            _ => sections.push((r.section.zh.clone(), r.section.en.clone(), vec![r])),
        }
    }
    // The files, kept here: an upload adds to them without reloading the
    // page, so nothing typed (opinion, note, marks) is lost.
    let files = RwSignal::new(d.materials.clone());
    let pre = needs_pre_approval(&d.form);
    // What approval will issue, said before it is done.
    let confirming = RwSignal::new(false);
    let (sites, existing) = (d.form.websites.len(), StoredValue::new(d.summary.entity_licence.clone().unwrap_or_default()));
    let first = d.summary.kind == crate::domain::workflow::BusinessKind::FirstFiling;
    let business = d.summary.kind;
    let numbers = business.scope() == crate::domain::business::Scope::New;
    let issue_text = move || {
        if !numbers {
            let (label, explain) = (business.label(), business.explain());
            return if i18n.lang() == crate::domain::Lang::Zh {
                format!("将办结该{}申请：{}公共查询立即按此更新，并通知主办者。此操作不能撤回。", label.zh, explain.zh)
            } else {
                format!("This completes the {} application: {} The public query changes at once and the registrant is told. It cannot be undone.", label.en.to_lowercase(), explain.en)
            };
        }
        let zh_main = if first { "分配新的主体备案号（本省当年顺序号）".to_string() } else { format!("沿用该主体已有的主体备案号{}", existing.get_value()) };
        let en_main = if first { "a new entity number (the province's next for this year)".to_string() } else { format!("the entity's existing number {}", existing.get_value()) };
        if i18n.lang() == crate::domain::Lang::Zh {
            format!("将{zh_main}，并为{sites}个网站各下发网站备案号（…号-n），备案密码发送至主体负责人邮箱，公共查询立即可查。此操作不能撤回。")
        } else {
            format!("This issues {en_main} and a website number (…-n) for each of the {sites} website(s), e-mails the filing password to the entity's responsible person and publishes the records at once. It cannot be undone.")
        }
    };
    let code = d.summary.status.code();
    let reissued = RwSignal::new(None::<Result<String, AppError>>);
    let reissue_act = Action::new(move |_: &()| {
        let licence = licence.get_value();
        async move { reissue_filing_password(licence).await }
    });
    Effect::new(move |_| {
        if let Some(r) = reissue_act.value().get() {
            reissued.set(Some(r));
        }
    });
    view! {
        <div class="status-box" data-testid="review-status">
            <p>
                <strong>{i18n.tr(Text::new("状态", "Status"))} "："</strong>
                <span class=format!("status status--{code}") data-testid="status">{i18n.tr(status_label(status))}</span>
                " · " {let k = d.summary.kind; i18n.tr(kind_label(k))}
                " · " {move || province.map(|p| i18n.t(p)).unwrap_or("")}
                " · " {i18n.tr(Text::new("提交", "Submitted"))} " " {d.summary.submitted.clone().unwrap_or_default()}
            </p>
            <p data-testid="staff-step">{i18n.tr(status.staff_step(role))}</p>
            {d.summary.entity_licence.clone().map(|l| view! { <p data-testid="licences"><strong>{l}</strong> " " {d.summary.website_licences.join("、")}</p> })}
            {d.reject_reason.clone().map(|r| view! { <p class="notice notice--error">{i18n.tr(Text::new("管局驳回原因", "Rejected because"))} "：" {r.clone()}</p> })}
            <crate::pages::registrant::filings::CancelReason reason=d.cancel_reason.clone() note=d.cancel_note.clone() />
        </div>
        {may(workflow::Action::Amend).then(|| view! {
            <crate::pages::registrant::filings::AmendCancel id=d.summary.id.clone() version=d.summary.version note=d.cancel_note.clone() on_done=refetch
                deleted=may(workflow::Action::Delete).then_some("/provider") />
        })}
        <crate::pages::registrant::filings::Changes changes=d.changes.clone() />
        {d.entity_hidden.then(|| view! {
            <p class="notice" data-testid="entity-hidden">{i18n.tr(Text::new(
                "新增接入：该主体在其他接入商备案，主体信息在管局审核通过后才向本接入商显示。审核通过后请核对，不准确的及时办理变更。",
                "New access: this entity is filed with another provider; its details are shown to us once the administration approves. Check them then and file a change where they are wrong.",
            ))}</p>
        })}
        <Show when=move || result.with(Option::is_some)>
            {move || result.get().map(|r| match r {
                Ok(()) => view! { <p class="notice notice--ok" role="status" data-testid="act-ok">{i18n.tr(DONE)}</p> }.into_any(),
                Err(e) => view! { <p class="notice notice--error" role="alert" data-testid="act-error">{move || e.message(i18n.lang())}</p> }.into_any(),
            })}
        </Show>
        {(!d.annotations.is_empty()).then(|| view! {
            <section class="card">
                <h2 class="card__title">{i18n.tr(Text::new("上次退回的标注", "Marks of the last return"))}</h2>
                <ul>{d.annotations.iter().map(|a| { let l = a.label.clone(); view! { <li>{move || l.get(i18n.lang()).to_string()} "：" {a.comment.clone()} <span class="muted">" " {a.by.clone()} " " {a.at.clone()}</span></li> } }).collect_view()}</ul>
            </section>
        })}
        {sections.into_iter().map(|(zh, en, list)| view! {
            <section class="card">
                <h2 class="card__title">{move || if i18n.lang() == crate::domain::Lang::Zh { zh.clone() } else { en.clone() }}</h2>
                <table class="dense review-table">
                    <tbody>
                        {list.into_iter().map(|r| {
                            // Only what the registrant can change in this business is marked.
                            let verifying = verifying && crate::domain::business::markable(business, &r.path);
                            view! { <FieldRow r verifying correcting marks edits /> }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }).collect_view()}
        <section class="card">
            <h2 class="card__title">{i18n.tr(Text::new("材料", "Documents"))}</h2>
            <table class="dense review-table">
                <tbody>
                    {move || files.get().into_iter().map(|m| {
                        let kind = MaterialKind::from_code(&m.kind);
                        let label = kind.map(|k| k.field().label);
                        let path = kind.map(|k| k.field().path.to_string()).unwrap_or_default();
                        let markable = verifying && kind.is_some_and(|k| !k.is_staff()) && crate::domain::business::markable(business, &path);
                        view! {
                            <tr>
                                <th scope="row">{move || label.map(|l| i18n.t(l)).unwrap_or("")}</th>
                                <td><a href=format!("/files/{}", m.id) target="_blank" rel="noopener">{m.filename.clone()}</a></td>
                                <td>{markable.then(|| view! { <MarkToggle path=path.clone() marks /> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {d.verification.clone().map(|v| view! {
            <section class="card" data-testid="verification">
                <h2 class="card__title">{i18n.tr(Text::new("核验记录", "Verification record"))}</h2>
                <p>{v.at.clone()} " · " {v.by.clone()}</p>
                <p>{i18n.tr(Text::new("核实意见", "Opinion"))} "：" {v.opinion.clone()}</p>
            </section>
        })}
        {verifying.then(|| view! {
            <section class="card actions" data-testid="provider-actions">
                <h2 class="card__title">{i18n.tr(Text::new("核验与核实", "Verify"))}</h2>
                {(!business.needs_verification()).then(|| view! { <p class="muted" data-testid="no-verification">{i18n.tr(Text::new("本业务无需当面核验，核验照片和核验单可不上传。", "This business needs no face-to-face verification; the photo and form are optional."))}</p> })}
                <VerificationUploads id=id.get_value() files />
                <div class="action">
                    <label class="field__label" for="return-comment">{i18n.tr(Text::new("退回说明（可选）", "Note to the registrant (optional)"))}</label>
                    <textarea id="return-comment" class="field__input" rows="2" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <p class="muted" data-testid="marks-count">{i18n.tr(Text::new("已标注字段：", "Marked fields: "))} {move || marks.with(Vec::len)}</p>
                    {move || kept.get().map(|r| match r {
                        Ok(()) => view! { <p class="muted" role="status" data-testid="marks-kept">{i18n.tr(Text::new("标注已保存，点击“退回修改”后发送给主办者", "Marks saved; they reach the registrant when you return the filing"))}</p> }.into_any(),
                        Err(e) => view! { <p class="field__error" role="alert" data-testid="marks-kept-error">{move || e.message(i18n.lang())}</p> }.into_any(),
                    })}
                    <button class="button" type="button" data-testid="return" disabled=busy on:click=move |_| { act.dispatch("return"); }>{i18n.tr(Text::new("退回修改", "Return for changes"))}</button>
                </div>
                <div class="action">
                    <label class="field__label" for="opinion">{i18n.tr(Text::new("核实意见（必填）", "Verification opinion (required)"))}</label>
                    <textarea id="opinion" class="field__input" rows="2" prop:value=move || opinion.get() on:input=move |ev| opinion.set(event_target_value(&ev))></textarea>
                    {may_pass.then(|| view! {
                        <button class="button button--primary" type="button" data-testid="pass" disabled=busy on:click=move |_| { act.dispatch("pass"); }>{i18n.tr(Text::new("核实通过，报送管局", "Verified: pass to the administration"))}</button>
                    })}
                    {may_confirm.then(|| view! {
                        <button class="button button--primary" type="button" data-testid="confirm" disabled=busy on:click=move |_| { act.dispatch("confirm"); }>{i18n.tr(Text::new("确认取消接入（立即生效）", "Confirm: cancel the access now"))}</button>
                    })}
                </div>
                {correcting.then(|| view! {
                    <div class="action">
                        <p class="muted">{i18n.tr(Text::new("管局驳回后，可在上方各字段“代为修改”，保存后再报送；编码类字段（性质、证件类型等）请退回主办者修改。", "After a rejection, correct fields above, save, then pass again; coded fields (type, ID type …) must be returned to the registrant."))}</p>
                        <button class="button" type="button" data-testid="correct" disabled=move || busy() || edits.with(Vec::is_empty) on:click=move |_| { act.dispatch("correct"); }>{i18n.tr(Text::new("保存代为修改", "Save corrections"))}</button>
                    </div>
                })}
            </section>
        })}
        {deciding.then(|| view! {
            <section class="card actions" data-testid="bureau-actions">
                <h2 class="card__title">{i18n.tr(Text::new("审核", "Decide"))}</h2>
                {(pre && may_pre).then(|| view! {
                    <div class="action">
                        <label class="field__label" for="pre-note">{i18n.tr(Text::new("前置审批核对意见", "Pre-approval note"))}</label>
                        <textarea id="pre-note" class="field__input" rows="2" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                        <button class="button" type="button" data-testid="pre-approval" disabled=busy on:click=move |_| { act.dispatch("pre"); }>{i18n.tr(Text::new("转入前置审批", "Check pre-approval documents"))}</button>
                    </div>
                })}
                <div class="action">
                    <Show when=move || !confirming.get() fallback=move || view! {
                        <div class="confirm" role="alertdialog" aria-labelledby="confirm-approve" data-testid="confirm-approve">
                            <p id="confirm-approve"><strong>{i18n.tr(Text::new("确认审核通过？", "Approve this filing?"))}</strong></p>
                            <p>{move || issue_text()}</p>
                            <div class="form__actions">
                                <button class="button" type="button" data-testid="approve-cancel" on:click=move |_| confirming.set(false)>{i18n.tr(Text::new("取消", "Cancel"))}</button>
                                <button class="button button--primary" type="button" data-testid="approve-confirm" disabled=busy on:click=move |_| { confirming.set(false); act.dispatch("approve"); }>{i18n.tr(if numbers { Text::new("确认通过并下发", "Approve and issue") } else { Text::new("确认通过", "Approve") })}</button>
                            </div>
                        </div>
                    }>
                        <button class="button button--primary" type="button" data-testid="approve" disabled=busy on:click=move |_| confirming.set(true)>{i18n.tr(if numbers { Text::new("审核通过，下发备案号", "Approve and issue numbers") } else { Text::new("审核通过", "Approve") })}</button>
                    </Show>
                </div>
                <div class="action">
                    <label class="field__label" for="reason">{i18n.tr(Text::new("驳回原因（必填）", "Reason for rejection (required)"))}</label>
                    <textarea id="reason" class="field__input" rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <button class="button button--danger" type="button" data-testid="reject" disabled=busy on:click=move |_| { act.dispatch("reject"); }>{i18n.tr(Text::new("驳回", "Reject"))}</button>
                </div>
            </section>
        })}
        {reissue.then(|| view! {
            <section class="card actions" data-testid="reissue">
                <h2 class="card__title">{i18n.tr(Text::new("备案密码", "Filing password"))}</h2>
                <p class="muted">{i18n.tr(Text::new("主办者遗失备案密码时，可重新生成并发送至主体负责人的电子邮箱；原密码随即失效。此操作记入办理记录。", "If the sponsor lost the filing password, issue a new one to the entity's responsible person by e-mail; the old one stops working. This is recorded."))}</p>
                <button class="button" type="button" data-testid="reissue-password" disabled=move || reissue_act.pending().get() on:click=move |_| { reissue_act.dispatch(()); }>{i18n.tr(Text::new("重新发送备案密码", "Issue a new filing password"))}</button>
                {move || reissued.get().map(|r| match r {
                    Ok(to) => view! { <p class="notice notice--ok" role="status" data-testid="reissued">{i18n.tr(Text::new("新的备案密码已发送至 ", "A new filing password was sent to "))} {to.clone()}</p> }.into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                })}
            </section>
        })}
        <section class="card">
            <h2 class="card__title">{i18n.tr(Text::new("办理记录", "History"))}</h2>
            <Timeline events=d.timeline.clone() />
        </section>
    }
}

/// One field: its name, its value, and (while verifying) a mark toggle, and
/// (after a rejection) a correction input.
#[component]
fn FieldRow(r: crate::domain::review::ReviewRow, verifying: bool, correcting: bool, marks: RwSignal<Vec<Mark>>, edits: RwSignal<Vec<Edit>>) -> impl IntoView {
    let i18n = use_i18n();
    let (label, value) = (r.label.clone(), r.value.clone());
    let path = StoredValue::new(r.path.clone());
    let editing = RwSignal::new(false);
    let input_id = format!("edit-{}", r.path.replace(['[', ']', '.'], "_"));
    let original = r.value.zh.clone();
    let max_len = crate::domain::chars::max_chars(&r.path);
    // An APP's icon is shown as the picture it is.
    let icon = (r.path.ends_with("].icon") && !r.value.zh.is_empty()).then(|| format!("/files/{}", r.value.zh));
    let fields_icon_alt = r.label.zh.clone();
    view! {
        <tr data-testid=format!("row-{}", r.path) class:marked=move || marks.with(|m| m.iter().any(|x| x.path == path.get_value()))>
            <th scope="row">{move || label.get(i18n.lang()).to_string()}</th>
            <td class="review-table__value">
                {match icon {
                    Some(src) => view! { <img class="app-icon" src=src alt=fields_icon_alt width="64" height="64" data-testid="review-app-icon" /> }.into_any(),
                    None => view! { {move || value.get(i18n.lang()).to_string()} }.into_any(),
                }}
                <Show when=move || editing.get()>
                    <input class="field__input" id=input_id.clone() aria-label=i18n.tr(EDIT) value=original.clone() maxlength=max_len
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            edits.update(|list| {
                                list.retain(|e| e.path != path.get_value());
                                list.push(Edit { path: path.get_value(), value: v });
                            });
                        } />
                </Show>
            </td>
            <td class="review-table__act">
                {verifying.then(|| view! { <MarkToggle path=path.get_value() marks /> })}
                {(correcting && r.editable).then(|| view! {
                    <button class="button button--link" type="button" on:click=move |_| editing.update(|e| *e = !*e)>{i18n.tr(EDIT)}</button>
                })}
            </td>
        </tr>
    }
}

#[component]
fn MarkToggle(path: String, marks: RwSignal<Vec<Mark>>) -> impl IntoView {
    let i18n = use_i18n();
    let p = StoredValue::new(path.clone());
    let marked = move || marks.with(|m| m.iter().any(|x| x.path == p.get_value()));
    let comment = move || marks.with(|m| m.iter().find(|x| x.path == p.get_value()).map(|x| x.comment.clone()).unwrap_or_default());
    let toggle = move |_| {
        marks.update(|m| {
            if m.iter().any(|x| x.path == p.get_value()) {
                m.retain(|x| x.path != p.get_value());
            } else {
                m.push(Mark { path: p.get_value(), comment: String::new() });
            }
        });
    };
    let testid = format!("mark-{path}");
    view! {
        <button class="button button--link" type="button" data-testid=testid.clone() aria-pressed=move || marked().to_string() on:click=toggle>
            {move || if marked() { i18n.t(UNMARK) } else { i18n.t(MARK) }}
        </button>
        <Show when=marked>
            <input class="field__input mark-comment" type="text" data-testid=format!("{testid}-comment") aria-label=i18n.tr(MARK_COMMENT)
                placeholder=i18n.tr(MARK_COMMENT) prop:value=comment
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    marks.update(|m| if let Some(x) = m.iter_mut().find(|x| x.path == p.get_value()) { x.comment = v; });
                } />
        </Show>
    }
}

/// The 核验 uploads: the photo taken at verification and the signed 核验单.
#[component]
fn VerificationUploads(id: String, files: RwSignal<Vec<crate::models::MaterialInfo>>) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(None::<MaterialKind>);
    let slot = move |kind: MaterialKind| {
        let app = id.clone();
        let field = kind.field();
        let input_id = format!("file-{}", kind.code());
        let on_change = move |ev: leptos::ev::Event| {
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
                let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
                input.set_value("");
                if file.size() as usize > crate::domain::filing::MAX_MATERIAL_BYTES {
                    error.set(Some(kind.too_large().message.get(i18n.lang.get_untracked()).to_string()));
                    return;
                }
                let Ok(data) = web_sys::FormData::new() else { return };
                let _ = data.append_with_str("application", &app);
                let _ = data.append_with_str("kind", kind.code());
                let _ = data.append_with_blob_and_filename("file", &file, &file.name());
                uploading.set(Some(kind));
                leptos::task::spawn_local(async move {
                    match crate::functions::filing::upload_material(data.into()).await {
                        Ok(info) => {
                            error.set(None);
                            // One file per kind: the new one replaces the old.
                            files.update(|list| {
                                list.retain(|m| m.kind != info.kind);
                                list.push(info);
                            });
                        }
                        Err(AppError::Invalid(errs)) => error.set(errs.0.first().map(|x| x.message.get(i18n.lang.get_untracked()).to_string())),
                        Err(e) => error.set(Some(e.message(i18n.lang.get_untracked()))),
                    }
                    uploading.set(None);
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (ev, &app, kind);
        };
        let (accepts, hint) = (kind.accept_attr(), kind.accepted());
        let current = move || files.with(|list| list.iter().find(|m| m.kind == kind.code()).cloned());
        view! {
            <div class="field material" data-testid=format!("staff-upload-{}", kind.code())>
                <div class="material__head">
                    <span class="field__label">{i18n.tr(field.label)}</span>
                </div>
                <p class="field__hint">{i18n.tr(hint)}</p>
                <ul class="material__files">
                    {move || current().map(|m| {
                        let href = format!("/files/{}", m.id);
                        let mid = m.id.clone();
                        let image = m.content_type.starts_with("image/");
                        let remove = move |_| {
                            let mid = mid.clone();
                            leptos::task::spawn_local(async move {
                                match crate::functions::filing::remove_material(mid.clone()).await {
                                    Ok(()) => files.update(|list| list.retain(|x| x.id != mid)),
                                    Err(e) => error.set(Some(e.message(i18n.lang.get_untracked()))),
                                }
                            });
                        };
                        view! {
                            <li class="material__file" data-testid="uploaded">
                                {image.then(|| view! { <img class="material__preview" src=href.clone() alt=m.filename.clone() width="96" height="72" loading="lazy" /> })}
                                <a href=href target="_blank" rel="noopener">{m.filename.clone()}</a>
                                <span class="muted">" " {crate::pages::registrant::wizard::human_size(m.size)}</span>
                                <button class="button button--link" type="button" on:click=remove>{i18n.tr(Text::new("删除", "Remove"))}</button>
                            </li>
                        }
                    })}
                </ul>
                <label class="button upload" for=input_id.clone()>
                    {move || if uploading.get() == Some(kind) {
                        i18n.t(Text::new("正在上传…", "Uploading…"))
                    } else if current().is_some() {
                        i18n.t(Text::new("更换文件", "Replace the file"))
                    } else {
                        i18n.t(Text::new("选择文件上传", "Choose a file to upload"))
                    }}
                </label>
                <input class="upload__input" id=input_id type="file" accept=accepts on:change=on_change />
            </div>
        }
    };
    view! {
        <div class="verification-uploads">
            {slot(MaterialKind::VerificationPhoto)}
            {slot(MaterialKind::VerificationForm)}
            <p class="field__error" role="alert" data-testid="upload-error">{move || error.get()}</p>
        </div>
    }
}
