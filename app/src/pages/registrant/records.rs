//! 我的备案's filed records (the entity with its websites as they stand,
//! and what each allows now) and /filings/act, where a 变更, 注销 or 取消接入
//! is started with the 备案密码 (or code) and, for a 注销, a reason.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::form::{general_message, ErrorNotice, Input};
use crate::domain::business::{check_cancel_reason, Offer, CANCEL_REASONS};
use crate::domain::workflow::BusinessKind;
use crate::domain::Text;
use crate::error::AppError;
use crate::functions::business::{begin_business, my_records, provider_sites, send_business_code, site_history, started_at};
use crate::i18n::use_i18n;
use crate::models::{FiledRecord, SiteHistory, Started};

const FILED: Text = Text::new("已备案的主体和网站", "Filed entities and websites");
const ENTITY_NO: Text = Text::new("主体备案号", "Entity number");
const SITE_NO: Text = Text::new("网站备案号", "Website number");
const ACCESS: Text = Text::new("接入", "Access");
const OPEN: Text = Text::new("办理中", "In progress");
const SEE: Text = Text::new("查看", "See it");
pub const HISTORY: Text = Text::new("备案历史", "History");

fn record_status(code: &str) -> Text {
    match code {
        "normal" => Text::new("正常", "Filed"),
        "limited" => Text::new("限制接入", "Access limited"),
        "empty" => Text::new("空壳（无接入）", "Empty (no access)"),
        "cancelled" => Text::new("已注销", "Cancelled"),
        _ => Text::new("未知", "Unknown"),
    }
}

fn access_status(code: &str) -> Text {
    match code {
        "active" => Text::new("已接入", "Active"),
        "pending" => Text::new("接入中", "Pending"),
        _ => Text::new("已取消", "Cancelled"),
    }
}

/// The registrant's filed records, with the businesses each allows.
#[component]
pub fn FiledRecords() -> impl IntoView {
    let i18n = use_i18n();
    let records = Resource::new(|| (), |_| my_records());
    view! {
        <Transition fallback=|| ()>
            {move || records.get().and_then(Result::ok).filter(|r| !r.is_empty()).map(|r| view! {
                <h2>{i18n.tr(FILED)}</h2>
                <div class="records" data-testid="records">{r.into_iter().map(|r| view! { <RecordCard r /> }).collect_view()}</div>
            })}
        </Transition>
    }
}

fn offer_links(offers: Vec<Offer>, cert: &str, entity: String, website: Option<String>) -> impl IntoView {
    act_links(("/filings/act", "/filings/new"), offers, cert, entity, website)
}

/// A link (or, when not allowed now, a disabled button saying why) for
/// each business offered; `pages` are the registrant's or the provider's
/// (代为办理) forms: the one for 变更 and 注销, and the type check where a
/// 新增网站 starts with the entity's certificate number.
pub(crate) fn act_links(pages: (&'static str, &'static str), offers: Vec<Offer>, cert: &str, entity: String, website: Option<String>) -> impl IntoView {
    let (page, new_page) = pages;
    let cert = crate::components::layout::encode_component(cert);
    let i18n = use_i18n();
    view! {
        <div class="record__actions">
            {offers.into_iter().map(|o| {
                let label = o.kind.label();
                match o.blocked {
                    None => {
                        // 新增网站 starts at the type check, with this entity's certificate.
                        let href = if o.kind == BusinessKind::NewWebsite {
                            format!("{new_page}?cert={cert}")
                        } else {
                            format!("{page}?kind={}&entity={}{}", o.kind.code(), entity, website.as_ref().map(|w| format!("&website={w}")).unwrap_or_default())
                        };
                        view! { <a class="button button--small" href=href data-testid=format!("act-{}", o.kind.code())>{i18n.tr(label)}</a> }.into_any()
                    }
                    Some(why) => view! {
                        <button class="button button--small" type="button" disabled=true title=why.zh.clone() data-testid=format!("act-{}", o.kind.code())>{i18n.tr(label)}</button>
                    }.into_any(),
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn RecordCard(r: FiledRecord) -> impl IntoView {
    let i18n = use_i18n();
    let status = record_status(&r.status);
    let why = r.offers.iter().find_map(|o| o.blocked.clone());
    view! {
        <section class="card record" data-testid="record" data-status=r.status.clone()>
            <h3 class="card__title">{r.unit_name.clone()}</h3>
            <p class="record__meta">
                {i18n.tr(ENTITY_NO)} "：" <strong data-testid="entity-licence">{r.licence.clone()}</strong>
                " · " <span class=format!("status status--record-{}", r.status)>{i18n.tr(status)}</span>
            </p>
            {r.open.clone().map(|o| {
                let (k, s) = (o.kind.label(), o.status.label());
                view! {
                    <p class="notice" data-testid="record-open">
                        {i18n.tr(OPEN)} "：" {i18n.tr(k)} "（" {i18n.tr(s)} "） "
                        <a href=format!("/filings/{}", o.id)>{i18n.tr(SEE)}</a>
                    </p>
                }
            })}
            {why.filter(|_| r.open.is_none()).map(|m| view! { <p class="field__hint">{move || m.get(i18n.lang()).to_string()}</p> })}
            {offer_links(r.offers.clone(), &r.cert_number, r.key.clone(), None)}
            <ul class="record__sites">
                {r.websites.into_iter().map(|w| {
                    let st = record_status(&w.status);
                    let (entity, cert) = (r.key.clone(), r.cert_number.clone());
                    view! {
                        <li class="record__site" data-testid="record-site" data-status=w.status.clone()>
                            <p class="record__site-head"><strong>{w.name.clone()}</strong> " " <span class=format!("status status--record-{}", w.status)>{i18n.tr(st)}</span></p>
                            <p class="record__meta">{i18n.tr(SITE_NO)} "：" <span data-testid="site-licence">{w.licence.clone()}</span></p>
                            <p class="record__meta" data-testid="site-domains">{w.domains.join("、")}</p>
                            <p class="record__meta">{i18n.tr(ACCESS)} "："
                                {w.access.iter().map(|a| { let s = access_status(&a.status); view! { <span class="record__access">{a.provider_name.clone()} "（" {i18n.tr(s)} "）"</span> } }).collect_view()}
                            </p>
                            {(w.status != "cancelled").then(|| offer_links(w.offers.clone(), &cert, entity.clone(), Some(w.key.clone())))}
                            <p class="record__meta"><a href=format!("/sites/{}", w.key) data-testid="site-history">{i18n.tr(HISTORY)}</a></p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The choices of a 注销 or 取消接入 reason (CANCEL_REASONS), after a
/// "请选择" that is no choice.
pub(crate) fn reason_options() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <option value="">{i18n.tr(CHOOSE)}</option>
        {CANCEL_REASONS.iter().map(|(id, t)| { let t = *t; view! { <option value=id.to_string()>{i18n.tr(t)}</option> } }).collect_view()}
    }
}

/// A 注销's reason and note, as filed (/filings/act) and as amended (the
/// filing's page): ids and error test ids start with `prefix`; the fields'
/// names are those the plain (no-JavaScript) post sends.
#[component]
pub(crate) fn CancelFields(prefix: &'static str, reason: RwSignal<String>, note: RwSignal<String>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let err = move |path: &'static str| Signal::derive(move || error.with(|e| crate::components::form::field_message(e.as_ref(), path, i18n.lang())));
    let (reason_error, note_error) = (err("reason"), err("note"));
    view! {
        <div class="field" class:field--invalid=move || reason_error.with(Option::is_some)>
            <label class="field__label" for=format!("{prefix}reason")>{i18n.tr(REASON)}</label>
            <select class="field__input" id=format!("{prefix}reason") name="reason" prop:value=move || reason.get() on:change=move |ev| reason.set(event_target_value(&ev))>
                {reason_options()}
            </select>
            <p class="field__error" role="alert" data-testid=format!("error-{prefix}reason")>{move || reason_error.get()}</p>
        </div>
        <div class="field" class:field--invalid=move || note_error.with(Option::is_some)>
            <label class="field__label" for=format!("{prefix}note")>{i18n.tr(NOTE)}</label>
            <textarea class="field__input" id=format!("{prefix}note") name="note" rows="2" maxlength="500" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            <p class="field__error" role="alert">{move || note_error.get()}</p>
        </div>
    }
}

const ACT_TITLE: Text = Text::new("办理备案业务", "File a change or cancellation");
const PROOF: Text = Text::new("备案密码", "Filing password");
const PROOF_HINT: Text = Text::new("备案通过时发送到主体负责人邮箱的备案密码。忘记了可请接入服务商重新发送。", "The filing password e-mailed to the entity's contact at approval. The provider can send a new one.");
const CODE: Text = Text::new("验证码", "Code");
const CODE_HINT: Text = Text::new("点击“发送验证码”，验证码发送到已备案的主体负责人手机和邮箱。", "Send a code: it goes to the filed contact's mobile and e-mail.");
const SEND_CODE: Text = Text::new("发送验证码", "Send a code");
const REASON: Text = Text::new("注销理由", "Reason");
const NOTE: Text = Text::new("补充说明（选填）", "Note (optional)");
const CHOOSE: Text = Text::new("请选择", "Choose");
const GO_CHANGE: Text = Text::new("验证并开始变更", "Verify and start the change");
const GO_CANCEL: Text = Text::new("提交申请", "Submit the application");
const ON_BEHALF: Text = Text::new(
    "代为办理：请输入主办者提供的用户名和备案密码（或发送到主体负责人的验证码）。申请记入主办者名下，操作记录为接入服务商代为办理。",
    "On the client's behalf: enter the username and filing password the client gave you (or the code sent to the entity's contact). The application is the client's; the history records that the provider did it.",
);
pub(crate) const CLIENT_HINT: Text = Text::new("主办者在本系统的登录用户名", "The username the client signs in with");
const FILED_FOR: Text = Text::new("已代为提交，待核实。请打开申请核实后报送管局。", "Submitted for the client; verify it next and pass it to the administration.");
const FILED_OK: Text = Text::new("申请已提交，等待接入服务商核实。核实前您可以在申请详情中撤回。", "Submitted; the provider verifies it next. You can withdraw it from its page until then.");

/// /filings/act?kind=…&entity=…&website=…: prove the right, choose the
/// reason (注销, 取消接入), and start. A 变更 continues in the wizard.
/// /provider/act is the same form for the provider's clerk acting for a
/// client (代为办理, seed 001 §1.4): it asks for the client's username too.
#[component]
pub fn BusinessPage(#[prop(optional)] staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.with_untracked(|q| q.get(k).unwrap_or_default());
    let kind = BusinessKind::from_code(&get("kind"));
    let (entity, website) = (get("entity"), get("website"));
    let key = entity.clone();
    let records = Resource::new(|| (), move |_| {
        let key = key.clone();
        async move { if staff { provider_sites(key).await } else { my_records().await } }
    });
    let client = RwSignal::new(String::new());
    // Whether the proof is a code (a server setting, sent with the records);
    // read inside the Transition below, never outside one (hydration).
    let by_code = move || records.get().and_then(Result::ok).and_then(|l| l.first().map(|r| r.proof_by_code)).unwrap_or(false);
    let proof = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<Started>);
    let (e2, w2) = (entity.clone(), website.clone());
    let begin = Action::new(move |_: &()| {
        let (k, e, w) = (kind.map(|k| k.code().to_string()).unwrap_or_default(), e2.clone(), w2.clone());
        let (c, p, r, n) = (client.get_untracked(), proof.get_untracked(), reason.get_untracked(), note.get_untracked());
        async move { begin_business(k, e, w, c, p, r, n).await }
    });
    let e3 = entity.clone();
    let send = Action::new(move |_: &()| {
        let e = e3.clone();
        async move { send_business_code(e).await }
    });
    Effect::new(move |_| match begin.value().get() {
        Some(Ok(s)) if !s.submitted => crate::pages::account::go(&started_at(&s, staff)),
        Some(Ok(s)) => done.set(Some(s)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let field_err = move |path: &'static str| Signal::derive(move || error.with(|e| crate::components::form::field_message(e.as_ref(), path, i18n.lang())));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(k) = kind else { return };
        // The same checks as the server, before any request.
        let mut errors = crate::domain::FieldErrors::new();
        if staff {
            if let Err(p) = crate::domain::account::check_username(&client.get_untracked()) {
                errors.push(p.at(crate::domain::business::CLIENT));
            }
        }
        if k.needs_filing_password() && proof.get_untracked().trim().is_empty() {
            errors.push(crate::domain::Problem::new("proof.required", "请输入备案密码或验证码", "enter the filing password or code").at(crate::domain::business::PROOF));
        }
        if k.is_cancel() {
            if let Err(p) = check_cancel_reason(&reason.get_untracked()) {
                errors.push(p.at(crate::domain::business::REASON));
            }
        }
        if errors.is_empty() {
            begin.dispatch(());
        } else {
            error.set(Some(AppError::Invalid(errors)));
        }
    };
    let (entity_key, website_key) = (entity.clone(), website.clone());
    view! {
        <Title text=ACT_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--narrow">
            {if staff {
                view! { <p><a href="/provider/sites">"← " {i18n.tr(crate::pages::staff::records::SITES_TITLE)}</a></p> }.into_any()
            } else {
                view! { <p><a href="/filings">"← " {i18n.tr(Text::new("我的备案", "My filings"))}</a></p> }.into_any()
            }}
            <h1>{move || kind.map(|k| i18n.t(k.label())).unwrap_or_else(|| i18n.t(ACT_TITLE))}</h1>
            <crate::components::form::NeedsScript />
            {staff.then(|| view! { <p class="notice" data-testid="on-behalf">{i18n.tr(ON_BEHALF)}</p> })}
            {match kind.filter(|k| k.is_change() || k.is_cancel()).filter(|k| !(staff && *k == BusinessKind::CancelAccess)) {
                None => view! { <p class="notice notice--error" role="alert">{i18n.tr(Text::new("业务类型无效", "Unknown business type"))}</p> }.into_any(),
                Some(k) => view! {
                    <p class="page__lead" data-testid="act-explain">{i18n.tr(k.explain())}</p>
                    <Transition fallback=|| ()>
                        {
                            let (entity_key, website_key) = (entity_key.clone(), website_key.clone());
                            move || records.get().map(|r| match r {
                                Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                                Ok(list) => {
                                    let rec = list.into_iter().find(|r| r.key == entity_key);
                                    let site = rec.as_ref().and_then(|r| r.websites.iter().find(|w| w.key == website_key).cloned());
                                    view! {
                                        <dl class="facts" data-testid="act-target">
                                            {rec.map(|r| view! { <dt>{i18n.tr(Text::new("主办单位", "Sponsor"))}</dt><dd>{r.unit_name.clone()} " · " {r.licence.clone()}</dd> })}
                                            {site.map(|w| view! { <dt>{i18n.tr(Text::new("网站", "Website"))}</dt><dd>{w.name.clone()} " · " {w.licence.clone()} " · " {w.domains.join("、")}</dd> })}
                                        </dl>
                                    }.into_any()
                                }
                            })
                        }
                    </Transition>
                    <Show when=move || done.with(Option::is_none) fallback=move || view! {
                        <div class="notice notice--ok" role="status" data-testid="act-done">
                            <p>{i18n.tr(if staff { FILED_FOR } else { FILED_OK })}</p>
                            {move || done.get().map(|s| view! { <a class="button button--primary" href=started_at(&s, staff) data-testid="act-see">{i18n.tr(SEE)}</a> })}
                        </div>
                    }>
                        <crate::pages::account::PlainNotices />
                        <ErrorNotice message=Signal::derive(move || error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
                        // Posts (never a GET with the password in the address) before the page is interactive.
                        <form class="form" method="post" action="/api/business/begin" novalidate on:submit=on_submit data-testid="act-form">
                            <input type="hidden" name="kind" value=k.code() />
                            <input type="hidden" name="entity" value=entity.clone() />
                            <input type="hidden" name="website" value=website.clone() />
                            {staff.then(|| view! { <Input label=crate::domain::business::CLIENT.label name="client" value=client error=field_err("client") hint=CLIENT_HINT /> })}
                            {k.needs_filing_password().then(|| view! {
                                <Transition fallback=|| ()>
                                <Show when=by_code fallback=move || view! {
                                    <Input label=PROOF name="proof" value=proof error=field_err("proof") kind="password" hint=PROOF_HINT />
                                }>
                                    <p class="field__hint">{i18n.tr(CODE_HINT)}</p>
                                    <button class="button button--small" type="button" data-testid="send-code" on:click=move |_| { send.dispatch(()); } disabled=move || send.pending().get()>{i18n.tr(SEND_CODE)}</button>
                                    {move || send.value().get().map(|r| match r {
                                        Ok(to) => view! { <p class="notice notice--ok" role="status">{to}</p> }.into_any(),
                                        Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                                    })}
                                    <Input label=CODE name="proof" value=proof error=field_err("proof") inputmode="numeric" />
                                </Show>
                                </Transition>
                            })}
                            {k.is_cancel().then(|| view! { <CancelFields prefix="" reason note error=error.into() /> })}
                            <button class="button button--primary button--block" type="submit" data-testid="act-submit" disabled=move || begin.pending().get()>
                                {i18n.tr(if k.is_change() { GO_CHANGE } else { GO_CANCEL })}
                            </button>
                        </form>
                    </Show>
                }.into_any(),
            }}
        </section>
    }
}

const HISTORY_LEAD: Text = Text::new(
    "该网站从首次备案起的每一次业务：变更了什么、何时、由谁办理（主办者、接入服务商或管局）。",
    "Every business on this website since it was first filed: what changed, when, and who acted (sponsor, provider or administration).",
);

/// /sites/:id: a filed website's whole life, oldest first.
#[component]
pub fn SiteHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = leptos_router::hooks::use_params_map();
    let history = Resource::new(move || params.read().get("id").unwrap_or_default(), site_history);
    view! {
        <Title text=HISTORY.get(i18n.lang.get_untracked()) />
        <section class="page">
            <h1>{i18n.tr(Text::new("网站备案历史", "Website history"))}</h1>
            <p class="page__lead">{i18n.tr(HISTORY_LEAD)}</p>
            <Transition fallback=|| ()>
                {move || history.get().map(|r| match r {
                    Err(AppError::Unauthenticated) => crate::pages::registrant::filings::sign_in_notice("/filings").into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(h) => history_view(h).into_any(),
                })}
            </Transition>
        </section>
    }
}

fn history_view(h: SiteHistory) -> impl IntoView {
    use crate::pages::registrant::filings::{CancelReason, Changes, Timeline};
    let i18n = use_i18n();
    let st = record_status(&h.status);
    view! {
        <dl class="facts" data-testid="history-head">
            <dt>{i18n.tr(Text::new("网站名称", "Website"))}</dt><dd>{h.name.clone()}</dd>
            <dt>{i18n.tr(SITE_NO)}</dt><dd data-testid="history-licence">{h.licence.clone()}</dd>
            <dt>{i18n.tr(Text::new("主办单位", "Sponsor"))}</dt><dd>{h.unit_name.clone()}</dd>
            <dt>{i18n.tr(Text::new("域名", "Domains"))}</dt><dd>{h.domains.join("、")}</dd>
            <dt>{i18n.tr(Text::new("状态", "Status"))}</dt><dd><span class=format!("status status--record-{}", h.status)>{i18n.tr(st)}</span></dd>
        </dl>
        <ol class="history" data-testid="history">
            {h.entries.into_iter().map(|e| {
                let kind = e.kind.map(|k| k.label());
                let status = e.status.map(|s| (s, crate::pages::registrant::filings::status_label(s)));
                view! {
                    <li class="card history__entry" data-testid="history-entry" data-kind=e.kind.map(|k| k.code()).unwrap_or_default()>
                        <h2 class="card__title">
                            {move || kind.map(|k| i18n.t(k)).unwrap_or("")}
                            {status.map(|(s, l)| view! { " " <span class=format!("status status--{}", s.code())>{i18n.tr(l)}</span> })}
                        </h2>
                        <p class="record__meta">{e.at.clone()} {e.link.clone().map(|l| view! { " · " <a href=l>{i18n.tr(SEE)}</a> })}</p>
                        <CancelReason reason=e.reason.clone() note=String::new() />
                        <Changes changes=e.changes.clone() />
                        <Timeline events=e.events.clone() />
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
