//! /filings (the registrant's filings with their status) and /filings/:id
//! (everything filed and a timeline of events).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::domain::codes;
use crate::domain::filing::{fields, MaterialKind};
use crate::domain::workflow::{ApplicationStatus, BusinessKind};
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::filing::{get_filing, list_filings};
use crate::i18n::use_i18n;
use crate::models::FilingSummary;
use crate::pages::account::SIGN_IN_FIRST;

const LIST_TITLE: Text = Text::new("我的备案", "My filings");
const NEW: Text = Text::new("新增备案", "New filing");
const APPLICATIONS: Text = Text::new("备案申请", "Applications");
const WITHDRAW: Text = Text::new("撤回申请", "Withdraw the application");
const WITHDRAW_LEAD: Text = Text::new("接入服务商核实之前可以撤回。撤回后该申请结束，可以重新提出。", "Until the provider verifies it you may withdraw it; it then ends and can be filed again.");
const CHANGES: Text = Text::new("变更内容", "Changes");
const OLD: Text = Text::new("原内容", "Before");
const NEW_VALUE: Text = Text::new("变更后", "After");
const EMPTY: Text = Text::new("您还没有备案申请。点击“新增备案”开始。", "You have no filings yet. Choose New filing to start.");
const DETAIL_TITLE: Text = Text::new("备案详情", "Filing");
const TIMELINE: Text = Text::new("办理记录", "History");
const SUBMITTED_AT: Text = Text::new("提交时间", "Submitted");
const UPDATED_AT: Text = Text::new("更新时间", "Updated");
const STATUS: Text = Text::new("状态", "Status");
const NEXT: Text = Text::new("下一步", "What happens next");
const CONTINUE: Text = Text::new("继续填写", "Continue");
const SIGN_IN: Text = Text::new("登录", "Sign in");
const FIX: Text = Text::new("修改并重新提交", "Correct and resubmit");

pub fn status_label(status: ApplicationStatus) -> Text {
    status.label()
}

/// 备案类型 of an application, from its code.
pub fn kind_label(kind: BusinessKind) -> Text {
    kind.label()
}


pub(crate) fn sign_in_notice(next: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="notice">{i18n.tr(SIGN_IN_FIRST)} " " <a href=format!("/login?next={next}")>{i18n.tr(SIGN_IN)}</a></p> }
}

#[component]
pub fn FilingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| list_filings());
    view! {
        <Title text=LIST_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page">
            <div class="page__head">
                <h1>{i18n.tr(LIST_TITLE)}</h1>
                <crate::components::form::NeedsScript />
                <a class="button button--primary" href="/filings/new" data-testid="new-filing">{i18n.tr(NEW)}</a>
            </div>
            <crate::pages::registrant::records::FiledRecords />
            <h2>{i18n.tr(APPLICATIONS)}</h2>
            <Transition fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Err(AppError::Unauthenticated) => sign_in_notice("/filings").into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="notice">{i18n.tr(EMPTY)}</p> }.into_any(),
                    Ok(items) => view! { <ul class="filings">{items.into_iter().map(|f| view! { <FilingItem f /> }).collect_view()}</ul> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FilingItem(f: FilingSummary) -> impl IntoView {
    let i18n = use_i18n();
    let status = Some(f.status);
    let href = match f.status {
        ApplicationStatus::Draft if f.kind.is_change() => format!("/filings/new?id={}", f.id),
        ApplicationStatus::Draft => "/filings/new".to_string(),
        ApplicationStatus::Returned => format!("/filings/new?id={}", f.id),
        _ => format!("/filings/{}", f.id),
    };
    let (kind, code) = (kind_label(f.kind), f.status.code());
    let when = f.submitted.clone().unwrap_or(f.updated.clone());
    view! {
        <li class="filings__item" data-testid="filing" data-status=f.status.code()>
            <a class="filings__link" href=href>
                <span class="filings__title">{if f.unit_name.is_empty() { "—".to_string() } else { f.unit_name.clone() }}</span>
                <span class=format!("status status--{code}")>{let c = f.status; i18n.tr(status_label(c))}</span>
                <span class="filings__meta">{i18n.tr(kind)} " · " {f.domains.join("、")} " · " {when.clone()}</span>
                {status.map(|s| { let k = f.kind; view! { <span class="filings__next">{i18n.tr(s.next_step_for(k))}</span> } })}
                {f.website_licences.first().cloned().map(|l| view! { <span class="filings__licence" data-testid="licence">{l}</span> })}
                {(status == Some(ApplicationStatus::Draft)).then(|| view! { <span class="filings__continue">{i18n.tr(CONTINUE)} " →"</span> })}
                {(status == Some(ApplicationStatus::Returned)).then(|| view! { <span class="filings__continue">{i18n.tr(FIX)} " →"</span> })}
            </a>
        </li>
    }
}

#[component]
pub fn FilingPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("id").unwrap_or_default(), get_filing);
    view! {
        <Title text=DETAIL_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page">
            <p><a href="/filings">"← " {i18n.tr(LIST_TITLE)}</a></p>
            <h1>{i18n.tr(DETAIL_TITLE)}</h1>
            <crate::components::form::NeedsScript />
            <Transition fallback=|| ()>
                {move || detail.get().map(|r| match r {
                    Err(AppError::Unauthenticated) => sign_in_notice("/filings").into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(d) => {
                        let status = Some(d.summary.status);
                        let code = d.summary.status.code();
                        let f = d.form.clone();
                        view! {
                            <div class="status-box" data-testid="filing-status">
                                <p><strong>{i18n.tr(STATUS)} "："</strong> <span class=format!("status status--{code}")>{let c = d.summary.status; i18n.tr(status_label(c))}</span></p>
                                {status.map(|s| { let k = d.summary.kind; view! { <p><strong>{i18n.tr(NEXT)} "："</strong> {i18n.tr(s.next_step_for(k))}</p> } })}
                                {d.summary.entity_licence.clone().map(|l| view! {
                                    <p data-testid="numbers"><strong>{i18n.tr(Text::new("主体备案号", "Entity number"))} "："</strong> {l.clone()}</p>
                                    <p><strong>{i18n.tr(Text::new("网站备案号", "Website numbers"))} "："</strong> <span data-testid="website-numbers">{d.summary.website_licences.join("、")}</span></p>
                                })}
                                {d.reject_reason.clone().filter(|_| status == Some(ApplicationStatus::BureauRejected)).map(|r| view! { <p><strong>{i18n.tr(Text::new("驳回原因", "Reason"))} "："</strong> {r.clone()}</p> })}
                                {(status == Some(ApplicationStatus::Returned)).then(|| {
                                    let marks = d.annotations.clone();
                                    view! {
                                        <ul class="marks" data-testid="marks">
                                            {marks.into_iter().map(|a| { let l = a.label.clone(); view! { <li><strong>{move || l.get(i18n.lang()).to_string()}</strong> "：" {a.comment.clone()}</li> } }).collect_view()}
                                        </ul>
                                        <a class="button button--primary" href=format!("/filings/new?id={}", d.summary.id) data-testid="fix">{i18n.tr(FIX)}</a>
                                    }
                                })}
                            </div>
                            <CancelReason reason=d.cancel_reason.clone() note=d.cancel_note.clone() />
                            {d.actions.contains(&crate::domain::workflow::Action::Amend).then(|| view! {
                                <AmendCancel id=d.summary.id.clone() version=d.summary.version note=d.cancel_note.clone() on_done=Callback::new(move |_| detail.refetch()) deleted=None />
                            })}
                            <Changes changes=d.changes.clone() />
                            {(status == Some(ApplicationStatus::PendingVerification) && d.actions.contains(&crate::domain::workflow::Action::Discard)).then(|| view! {
                                <Withdraw id=d.summary.id.clone() />
                            })}
                            <dl class="facts">
                                <dt>{i18n.tr(Text::new("备案类型", "Filing type"))}</dt><dd>{let k = d.summary.kind; i18n.tr(kind_label(k))}</dd>
                                <dt>{i18n.tr(SUBMITTED_AT)}</dt><dd>{d.summary.submitted.clone().unwrap_or_default()}</dd>
                                <dt>{i18n.tr(UPDATED_AT)}</dt><dd>{d.summary.updated.clone()}</dd>
                                <dt>{i18n.tr(fields::UNIT_NAME.label)}</dt><dd>{f.entity.unit_name.clone()}</dd>
                                <dt>{i18n.tr(fields::NATURE.label)}</dt><dd>{let n = f.entity.nature.parse().ok().and_then(codes::nature).map(|n| n.name); move || n.map(|n| i18n.t(n)).unwrap_or("")}</dd>
                                <dt>{i18n.tr(fields::CERT_NUMBER.label)}</dt><dd>{f.entity.cert_number.clone()}</dd>
                                <dt>{i18n.tr(fields::ADDRESS.label)}</dt><dd>{f.entity.address.clone()}</dd>
                                <dt>{i18n.tr(Text::new("主体负责人", "Entity's responsible person"))}</dt><dd>{format!("{} · {} · {}", f.entity.leader.name, f.entity.leader.mobile, f.entity.leader.email)}</dd>
                            </dl>
                            {f.websites.iter().map(|s| view! {
                                <section class="card">
                                    <h2 class="card__title">{s.name.clone()}</h2>
                                    <dl class="facts">
                                        <dt>{i18n.tr(fields::DOMAINS.label)}</dt><dd>{s.domains.replace('\n', "、")}</dd>
                                        <dt>{i18n.tr(fields::HOME_URLS.label)}</dt><dd>{s.home_urls.replace('\n', "、")}</dd>
                                        <dt>{i18n.tr(fields::PROVIDER_NAME.label)}</dt><dd>{s.access.provider_name.clone()}</dd>
                                        <dt>{i18n.tr(fields::IPS.label)}</dt><dd>{s.access.ips.replace('\n', "、")}</dd>
                                    </dl>
                                </section>
                            }).collect_view()}
                            <h2>{i18n.tr(Text::new("材料", "Documents"))}</h2>
                            <ul class="material__files">
                                {d.materials.iter().map(|m| {
                                    let label = MaterialKind::from_code(&m.kind).map(|k| k.field().label);
                                    view! { <li>{move || label.map(|l| i18n.t(l)).unwrap_or("")} "：" <a href=format!("/files/{}", m.id) target="_blank" rel="noopener">{m.filename.clone()}</a></li> }
                                }).collect_view()}
                            </ul>
                            <h2>{i18n.tr(TIMELINE)}</h2>
                            <Timeline events=d.timeline.clone() />
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// What a 变更 changes, field by field (old → new).
#[component]
pub fn Changes(changes: Vec<crate::domain::business::DiffRow>) -> impl IntoView {
    let i18n = use_i18n();
    (!changes.is_empty()).then(|| view! {
        <h2>{i18n.tr(CHANGES)}</h2>
        <div class="table-wrap">
            <table class="dense diff" data-testid="changes">
                <thead><tr><th scope="col"></th><th scope="col">{i18n.tr(OLD)}</th><th scope="col">{i18n.tr(NEW_VALUE)}</th></tr></thead>
                <tbody>
                    {changes.into_iter().map(|c| {
                        let l = c.label.clone();
                        view! {
                            <tr data-testid="change" data-path=c.path.clone()>
                                <th scope="row">{move || l.get(i18n.lang()).to_string()}</th>
                                <td class="diff__old"><del>{c.old.clone()}</del></td>
                                <td class="diff__new"><ins>{c.new.clone()}</ins></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    })
}

/// 修改注销申请: choose the reason again (and the note), while the state
/// allows it (the server says so in the filing's actions); `deleted`, when
/// set, is where 删除注销申请 (the provider's, for what it filed) leads.
#[component]
pub fn AmendCancel(id: String, version: i64, note: String, on_done: Callback<()>, deleted: Option<&'static str>) -> impl IntoView {
    use crate::domain::business::check_cancel_reason;
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(note);
    let error = RwSignal::new(None::<AppError>);
    let id = StoredValue::new(id);
    let amend = Action::new(move |_: &()| {
        let (r, n) = (reason.get_untracked(), note.get_untracked());
        async move { crate::functions::business::amend_cancel(id.get_value(), version, r, n).await }
    });
    let delete = Action::new(move |_: &()| crate::functions::business::delete_cancel(id.get_value(), version));
    let confirming = RwSignal::new(false);
    Effect::new(move |_| match amend.value().get() {
        Some(Ok(_)) => on_done.run(()),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => crate::pages::account::go(deleted.unwrap_or("/")),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let go = move |_| match check_cancel_reason(&reason.get_untracked()) {
        Ok(_) => {
            amend.dispatch(());
        }
        Err(p) => {
            let mut errors = crate::domain::FieldErrors::new();
            errors.push(p.at(crate::domain::business::REASON));
            error.set(Some(AppError::Invalid(errors)));
        }
    };
    view! {
        <details class="card amend" data-testid="amend">
            <summary>{i18n.tr(Text::new("修改注销申请", "Amend the cancellation"))}</summary>
            <crate::pages::registrant::records::CancelFields prefix="amend-" reason note error=error.into() />
            <crate::components::form::ErrorNotice message=Signal::derive(move || error.with(|e| crate::components::form::general_message(e.as_ref(), i18n.lang()))) />
            <div class="form__actions">
                <button class="button button--primary" type="button" data-testid="amend-go" on:click=go disabled=move || amend.pending().get()>{i18n.tr(Text::new("保存修改", "Save"))}</button>
                {deleted.map(|_| view! {
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button class="button" type="button" data-testid="amend-delete" on:click=move |_| confirming.set(true)>{i18n.tr(Text::new("删除注销申请", "Delete the cancellation"))}</button>
                    }>
                        <span role="alertdialog">{i18n.tr(Text::new("删除后该注销申请结束，不能恢复。", "Deleted, the cancellation ends for good."))}</span>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>{i18n.tr(Text::new("取消", "Cancel"))}</button>
                        <button class="button button--primary" type="button" data-testid="amend-delete-confirm" on:click=move |_| { delete.dispatch(()); } disabled=move || delete.pending().get()>{i18n.tr(Text::new("确定删除", "Delete"))}</button>
                    </Show>
                })}
            </div>
        </details>
    }
}

/// The reason a 注销 or 取消接入 was filed with, and its note.
#[component]
pub fn CancelReason(reason: Option<crate::domain::Message>, note: String) -> impl IntoView {
    let i18n = use_i18n();
    reason.map(|m| view! {
        <p data-testid="cancel-reason">
            <strong>{i18n.tr(Text::new("申请理由", "Reason"))} "："</strong> {move || m.get(i18n.lang()).to_string()}
            {(!note.is_empty()).then(|| format!("（{note}）"))}
        </p>
    })
}

/// 撤回: the registrant withdraws an application the provider has not verified yet.
#[component]
fn Withdraw(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let go = Action::new(move |id: &String| crate::functions::filing::discard_draft(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = go.value().get() {
            crate::pages::account::go("/filings");
        }
    });
    view! {
        <div class="notice" data-testid="withdraw">
            <p>{i18n.tr(WITHDRAW_LEAD)}</p>
            {move || go.value().get().and_then(Result::err).map(|e| view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> })}
            <button class="button" type="button" data-testid="withdraw-button" on:click=move |_| { go.dispatch(id.clone()); } disabled=move || go.pending().get()>{i18n.tr(WITHDRAW)}</button>
        </div>
    }
}

/// A filing's history: when, what, who (role; the name for staff), the state
/// it led to and the comment.
#[component]
pub fn Timeline(events: Vec<crate::models::TimelineEvent>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="timeline" data-testid="timeline">
            {events.into_iter().map(|e| {
                // An event outside the state machine (the provider's own 取消接入) says itself in its comment.
                let known = e.action.is_some();
                let action = e.action.map(|a| a.label()).unwrap_or(Text::new("", ""));
                let role = e.role.map(|r| r.label());
                view! {
                    <li class="timeline__event">
                        <span class="timeline__time">{e.at.clone()}</span>
                        <span class="timeline__what">{let c = e.comment.clone(); move || if known { i18n.t(action).to_string() } else { c.clone() }}</span>
                        <span class="muted">{move || role.map(|r| i18n.t(r)).unwrap_or("")} {(!e.actor.is_empty()).then(|| format!(" {}", e.actor))}</span>
                        {e.to_status.map(|t| view! { <span class=format!("status status--{}", t.code())>{i18n.tr(status_label(t))}</span> })}
                        {(known && !e.comment.is_empty()).then(|| view! { <p class="timeline__comment">{e.comment.clone()}</p> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
