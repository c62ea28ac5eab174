//! 重置密码 (seed 001 §1.6.1): /provider/accounts?… lists this provider's
//! client accounts by conditions; the clerk ticks one, several, the whole
//! page or every match, sets a password or has one generated for each, and
//! sees the new passwords once. The list works without JavaScript (a GET
//! form); the reset needs it (the passwords are shown in the page's answer,
//! never in an address or a redirect).

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::encode_component;
use crate::components::pager::Pager;
use crate::domain::account::clients::{self, ClientQuery, Conditions, NewPassword, Selection};
use crate::domain::workflow::Role;
use crate::domain::{FieldErrors, Text};
use crate::error::AppError;
use crate::functions::office::{client_accounts, reset_client_passwords};
use crate::i18n::use_i18n;
use crate::models::NewCredential;
use crate::pages::staff::review::{sign_in, ConsoleNav};

pub const CLIENTS_TITLE: Text = Text::new("重置密码", "Reset passwords");

#[component]
pub fn ClientsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = leptos_router::hooks::use_navigate();
    let current = Memo::new(move |_| {
        let q = query.read();
        ClientQuery::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v)))
    });
    let [username, name, mobile, email] = [(); 4].map(|_| RwSignal::new(String::new()));
    let show = move |q: &ClientQuery| {
        username.set(q.username.clone());
        name.set(q.name.clone());
        mobile.set(q.mobile.clone());
        email.set(q.email.clone());
    };
    show(&current.get_untracked());
    Effect::new(move |_| show(&current.get()));
    let list = Resource::new(move || current.get(), client_accounts);
    // What is ticked, by username; cleared when the conditions change.
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let all_matching = RwSignal::new(false);
    Effect::new(move |_| {
        current.track();
        chosen.set(BTreeSet::new());
        all_matching.set(false);
    });
    let generate = RwSignal::new(true);
    let (password, password2) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let confirming = RwSignal::new(false);
    let local_errors = RwSignal::new(None::<FieldErrors>);
    let done = RwSignal::new(None::<Vec<NewCredential>>);
    let selection = move || if all_matching.get_untracked() { Selection::AllMatching(current.get_untracked()) } else { Selection::Accounts(chosen.get_untracked().into_iter().collect()) };
    let new_password = move || if generate.get_untracked() { NewPassword::Generate } else { NewPassword::Set { password: password.get_untracked(), password2: password2.get_untracked() } };
    let reset = Action::new(move |(s, n): &(Selection, NewPassword)| {
        let (s, n) = (s.clone(), n.clone());
        async move { reset_client_passwords(s, n).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(creds)) = reset.value().get() {
            done.set(Some(creds));
            confirming.set(false);
            password.set(String::new());
            password2.set(String::new());
            list.refetch();
        }
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = ClientQuery { username: username.get_untracked(), name: name.get_untracked(), mobile: mobile.get_untracked(), email: email.get_untracked(), page: String::new() };
        let qs = q.to_query(false, encode_component);
        navigate(&if qs.is_empty() { "/provider/accounts".to_string() } else { format!("/provider/accounts?{qs}") }, Default::default());
    };
    let ask = move |_| {
        done.set(None);
        // The same rules as the server's, before any request.
        match clients::check_reset(&selection(), &new_password()) {
            Err(e) => {
                local_errors.set(Some(e));
                confirming.set(false);
            }
            Ok(()) => {
                local_errors.set(None);
                confirming.set(true);
            }
        }
    };
    let error_at = move |path: &'static str| {
        move || {
            local_errors
                .with(|e| e.as_ref().and_then(|e| e.get(path)).map(|e| e.message.get(i18n.lang()).to_string()))
                .or_else(|| match reset.value().get() {
                    Some(Err(AppError::Invalid(e))) => e.get(path).map(|e| e.message.get(i18n.lang()).to_string()),
                    _ => None,
                })
        }
    };
    let filter = move |label: Text, sig: RwSignal<String>, key: &'static str| {
        let id = format!("a-{key}");
        let for_id = id.clone();
        view! {
            <label class="filter" for=for_id>
                <span>{i18n.tr(label)}</span>
                <input id=id name=key type="search" maxlength="100" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
            </label>
        }
    };
    let count = move || if all_matching.get() { list.get().and_then(|r| r.ok()).map(|p| p.total as usize).unwrap_or(0) } else { chosen.with(|c| c.len()) };
    view! {
        <Title text=CLIENTS_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(CLIENTS_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "本接入商代为备案或接入的网站主办者用户。选择用户后设定新密码或自动生成；新密码只显示一次，请告知用户。用户的所有登录随即失效，登录后须先修改密码；系统会以电子邮件通知用户（邮件中不含密码）。",
                "Accounts of the sponsors we filed for or host. Choose accounts, then set a new password or have one generated; the new passwords are shown once, for you to pass on. Every session of the account ends, the client must change the password at the next sign-in, and is told by e-mail (without the password).",
            ))}</p>
            <crate::components::form::NeedsScript />
            <form class="filters" method="get" action="/provider/accounts" on:submit=search data-testid="client-filters">
                {filter(Text::new("用户名", "Username"), username, "username")}
                {filter(Text::new("主办单位名称", "Sponsor name"), name, "name")}
                {filter(Text::new("手机号码", "Mobile"), mobile, "mobile")}
                {filter(Text::new("电子邮箱", "E-mail"), email, "email")}
                <div class="filters__actions">
                    <button class="button button--primary" type="submit">{i18n.tr(Text::new("查询", "Search"))}</button>
                </div>
            </form>
            {move || done.get().map(|creds| view! {
                <section class="notice notice--ok" role="status" data-testid="reset-done">
                    <p><strong>{i18n.tr(Text::new("密码已重置。", "Passwords reset."))}</strong> " "
                        {i18n.tr(Text::new("新密码只在此显示一次，请记录后告知用户。", "The new passwords are shown only here, once: note them down for the clients."))}
                    </p>
                    <table class="dense" data-testid="reset-result">
                        <thead><tr><th scope="col">{i18n.tr(Text::new("用户名", "Username"))}</th><th scope="col">{i18n.tr(Text::new("新密码", "New password"))}</th></tr></thead>
                        <tbody>
                            {creds.into_iter().map(|c| view! { <tr data-testid="reset-row"><td>{c.username}</td><td class="mono" data-testid="new-password">{c.password}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                    <p class="no-print"><crate::pages::staff::office::PrintButton /> " · "
                        <button type="button" class="link-button" on:click=move |_| done.set(None)>{i18n.tr(Text::new("已记录，关闭", "Noted, close"))}</button>
                    </p>
                </section>
            })}
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in(encode_component("/provider/accounts")).into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! { <p class="notice" data-testid="clients-none">{i18n.tr(Text::new("没有符合条件的用户。", "No accounts match."))}</p> }.into_any(),
                    Ok(page) => {
                        let on_page: Vec<String> = page.rows.iter().map(|r| r.username.clone()).collect();
                        let page_names = on_page.clone();
                        let whole_page = move || page_names.iter().all(|u| chosen.with(|c| c.contains(u)));
                        let total = page.total;
                        view! {
                            <p class="result-bar__count" data-testid="clients-total">{move || match i18n.lang() {
                                crate::domain::Lang::Zh => format!("共 {total} 个用户"),
                                crate::domain::Lang::En => format!("{total} accounts"),
                            }}</p>
                            <div class="table-wrap">
                                <table class="dense" data-testid="clients">
                                    <thead><tr>
                                        <th scope="col" class="no-print">
                                            <label class="check">
                                                <input type="checkbox" data-testid="choose-page" prop:checked=whole_page disabled=move || all_matching.get()
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        chosen.update(|c| for u in &on_page { if on { c.insert(u.clone()); } else { c.remove(u); } });
                                                    } />
                                                <span>{i18n.tr(Text::new("全选", "All"))}</span>
                                            </label>
                                        </th>
                                        <th scope="col">{i18n.tr(Text::new("用户名", "Username"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("联系人", "Contact"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("主办单位", "Sponsor"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("手机号码", "Mobile"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("电子邮箱", "E-mail"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("注册日期", "Since"))}</th>
                                        <th scope="col">{i18n.tr(Text::new("状态", "State"))}</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|r| {
                                            let u = r.username.clone();
                                            let (u1, u2) = (u.clone(), u.clone());
                                            let id = format!("c-{u}");
                                            let for_id = id.clone();
                                            let state = if r.status != "active" { Text::new("未激活", "Not activated") } else if r.must_change { Text::new("待修改密码", "Must change password") } else { Text::new("正常", "Active") };
                                            view! {
                                                <tr data-testid="client-row">
                                                    <td class="no-print"><input type="checkbox" id=id data-testid="choose" aria-label=u.clone() disabled=move || all_matching.get()
                                                        prop:checked=move || all_matching.get() || chosen.with(|c| c.contains(&u1))
                                                        on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { if on { c.insert(u2.clone()); } else { c.remove(&u2); } }); } /></td>
                                                    <td><label for=for_id>{r.username}</label></td>
                                                    <td>{r.contact_name}</td>
                                                    <td>{r.units.join("、")}</td>
                                                    <td class="nowrap">{r.mobile}</td>
                                                    <td>{r.email}</td>
                                                    <td class="nowrap">{r.created}</td>
                                                    <td>{i18n.tr(state)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager page=page.page pages=page.pages href=move |p| {
                                let mut q = current.get_untracked();
                                q.page = if p <= 1 { String::new() } else { p.to_string() };
                                let qs = q.to_query(true, encode_component);
                                if qs.is_empty() { "/provider/accounts".to_string() } else { format!("/provider/accounts?{qs}") }
                            } />
                            <label class="check no-print">
                                <input type="checkbox" data-testid="choose-all" prop:checked=move || all_matching.get() on:change=move |ev| all_matching.set(event_target_checked(&ev)) />
                                <span>{move || match i18n.lang() {
                                    crate::domain::Lang::Zh => format!("选择全部 {total} 个符合条件的用户（所有页）"),
                                    crate::domain::Lang::En => format!("Choose all {total} matching accounts (every page)"),
                                }}</span>
                            </label>
                        }.into_any()
                    }
                })}
            </Transition>
            <fieldset class="reset-panel no-print" data-testid="reset-panel">
                <legend>{i18n.tr(Text::new("重置所选用户的密码", "Reset the chosen accounts' passwords"))}</legend>
                <p class="muted" data-testid="chosen-count">{move || match i18n.lang() {
                    crate::domain::Lang::Zh => format!("已选择 {} 个用户", count()),
                    crate::domain::Lang::En => format!("{} accounts chosen", count()),
                }}</p>
                {move || error_at("username")().map(|m| view! { <p class="field__error" role="alert">{m}</p> })}
                <label class="check"><input type="radio" name="mode" data-testid="mode-generate" prop:checked=move || generate.get() on:change=move |_| generate.set(true) />
                    <span>{i18n.tr(Text::new("自动生成（每个用户不同）", "Generate one for each account"))}</span></label>
                <label class="check"><input type="radio" name="mode" data-testid="mode-set" prop:checked=move || !generate.get() on:change=move |_| generate.set(false) />
                    <span>{i18n.tr(Text::new("设定新密码（所选用户相同）", "Set one password for all chosen"))}</span></label>
                <Show when=move || !generate.get()>
                    <div class="reset-panel__passwords">
                        <label class="filter" for="r-password"><span>{i18n.tr(clients::PASSWORD.label)}</span>
                            <input id="r-password" type="password" autocomplete="new-password" data-testid="reset-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                            {move || error_at("password")().map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                        </label>
                        <label class="filter" for="r-password2"><span>{i18n.tr(clients::PASSWORD2.label)}</span>
                            <input id="r-password2" type="password" autocomplete="new-password" data-testid="reset-password2" prop:value=move || password2.get() on:input=move |ev| password2.set(event_target_value(&ev)) />
                            {move || error_at("password2")().map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                        </label>
                        <p class="muted">{i18n.tr(crate::pages::account::PASSWORD_HINT)}</p>
                    </div>
                </Show>
                <Show when=move || confirming.get() fallback=move || view! {
                    <button class="button button--primary" type="button" data-testid="reset-go" on:click=ask>{i18n.tr(Text::new("重置密码", "Reset passwords"))}</button>
                }>
                    <div class="confirm" role="alertdialog" data-testid="reset-confirm">
                        <p>{move || match i18n.lang() {
                            crate::domain::Lang::Zh => format!("确认重置 {} 个用户的密码？他们的所有登录将立即失效。", count()),
                            crate::domain::Lang::En => format!("Reset the passwords of {} accounts? All their sessions end at once.", count()),
                        }}</p>
                        <div class="form__actions">
                            <button class="button" type="button" on:click=move |_| confirming.set(false)>{i18n.tr(Text::new("取消", "Cancel"))}</button>
                            <button class="button button--primary" type="button" data-testid="reset-confirm-go" disabled=move || reset.pending().get()
                                on:click=move |_| { reset.dispatch((selection(), new_password())); }>{i18n.tr(Text::new("确认重置", "Reset"))}</button>
                        </div>
                    </div>
                </Show>
                {move || match reset.value().get() {
                    Some(Err(AppError::Invalid(_))) | None | Some(Ok(_)) => None,
                    Some(Err(e)) => Some(view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }),
                }}
            </fieldset>
        </section>
    }
}
