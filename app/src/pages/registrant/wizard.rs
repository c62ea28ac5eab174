//! /filings/new: the type check, then the five-step wizard. Every field is
//! checked in the browser by the domain rules (WASM) when it is left and
//! when the step is submitted; the server checks again when the step is
//! saved. A draft is saved whenever a step is left; on return the
//! registrant is asked to continue or discard it.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::form::{general_message, ErrorNotice, Input};
use crate::domain::codes::{self, NATURE_PERSONAL};
use crate::domain::date::Date;
use crate::domain::filing::{
    self, check_step, fields, flag_at, flag_of, ids_at, ids_of, indexed, new_website, normalise, required_materials, text_at, text_of, FilingForm, MaterialKind, STEPS, STEP_ACCESS, STEP_CONFIRM,
    STEP_ENTITY, STEP_MATERIALS, STEP_WEBSITES,
};
use crate::domain::business::check_until;
use crate::domain::workflow::BusinessKind;
use crate::domain::{FieldErrors, Text};
use crate::error::AppError;
use crate::functions::filing::{current_draft, detect_filing_type, discard_draft, remove_material, save_draft, send_entity_code, start_filing, submit_filing};
use crate::functions::filing::open_filing;
use crate::models::Annotation;
use crate::i18n::use_i18n;
use crate::models::{Detection, DraftView, MaterialInfo};
use crate::pages::account::SIGN_IN_FIRST;
use crate::pages::registrant::filings::kind_label;

const PROOF_PASSWORD: Text = Text::new("备案密码", "Filing password");
const PROOF_PASSWORD_HINT: Text = Text::new(
    "该主体已备案：请输入管局审核通过时发给主体负责人的备案密码。遗失可请接入服务商重新发送。",
    "This entity is already filed: enter the filing password sent to its responsible person on approval. If it is lost, ask the provider to issue a new one.",
);
const PROOF_CODE: Text = Text::new("验证码", "Code");
const PROOF_CODE_HINT: Text = Text::new("10分钟内有效。", "Valid for 10 minutes.");
const PROOF_CODE_LEAD: Text = Text::new(
    "该主体已备案：验证码将发送至备案时登记的主体负责人，请输入收到的验证码。",
    "This entity is already filed: a code goes to its registered responsible person; enter it here.",
);
const PROOF_SEND: Text = Text::new("发送验证码", "Send the code");
const PROOF_SENT: Text = Text::new("验证码已发送至", "The code was sent to");
const TITLE: Text = Text::new("新增备案", "New filing");
const STEP_NAMES: [Text; 5] = [
    Text::new("主体信息", "Entity"),
    Text::new("网站信息", "Websites"),
    Text::new("接入信息", "Access"),
    Text::new("材料", "Documents"),
    Text::new("确认", "Review"),
];
const DETECT_TITLE: Text = Text::new("备案类型检查", "Filing type check");
const DETECT_LEAD: Text = Text::new(
    "请先输入主办单位证件号码和要备案的域名，系统判断本次是首次备案、新增网站还是新增接入。",
    "Enter the sponsor's certificate number and the domains to file; we tell you whether this is a first filing, a new website or a new access.",
);
const DETECT_CERT_HINT: Text = Text::new("统一社会信用代码或个人的身份证号码等", "Unified social credit code, or a person's ID number");
const DETECT_DOMAINS_HINT: Text = Text::new(
    "每行一个，不加 www，例如 example.com；备案APP请填写其包名，例如 com.example.app",
    "One per line, without www, e.g. example.com; for an APP, its package name, e.g. com.example.app",
);
const DETECT_BUTTON: Text = Text::new("检查备案类型", "Check the filing type");
const START_BUTTON: Text = Text::new("开始填写", "Start filling in");
const RESUME_TITLE: Text = Text::new("您有一份未完成的备案", "You have an unfinished filing");
const RESUME_CONTINUE: Text = Text::new("继续填写", "Continue");
const RESUME_DISCARD: Text = Text::new("放弃并重新开始", "Discard and start again");
const DISCARD_CONFIRM: Text = Text::new("确定放弃这份备案吗？已填写的内容和上传的材料将被删除，且不能恢复。", "Discard this filing? What you entered and uploaded is deleted and cannot be recovered.");
const DISCARD_YES: Text = Text::new("确认放弃", "Yes, discard it");
const CANCEL: Text = Text::new("取消", "Cancel");
const NEXT: Text = Text::new("保存并下一步", "Save and continue");
const PREV: Text = Text::new("上一步", "Back");
const SAVE_EXIT: Text = Text::new("保存并退出", "Save and leave");
const SUBMIT: Text = Text::new("提交备案", "Submit the filing");
const RESUBMIT: Text = Text::new("重新提交", "Submit again");
const RETURNED_LEAD: Text = Text::new("接入服务商退回了此备案，请修改以下标注的字段后重新提交（未标注的内容无需修改）：", "The provider returned this filing. Correct the marked fields below and submit again (nothing else needs changing):");
const MARKED: Text = Text::new("接入服务商标注", "Marked by the provider");
const SAVING: Text = Text::new("正在保存…", "Saving…");
const FIX_ERRORS: Text = Text::new("本步骤有需要修改的内容，请按红色提示修改后再继续。", "Some fields on this step need correcting; see the messages in red.");
const SESSION_EXPIRED: Text = Text::new(
    "登录已过期。您填写的内容已保存在本浏览器中，请重新登录，回来后会恢复到这一步。",
    "Your sign-in has expired. What you typed is kept in this browser: sign in again and you will come back to this step.",
);
const SIGN_IN_AGAIN: Text = Text::new("重新登录", "Sign in again");
const ADD_WEBSITE: Text = Text::new("添加网站", "Add a website");
const REMOVE_WEBSITE: Text = Text::new("删除此网站", "Remove this website");
const REMOVE_APP: Text = Text::new("删除此APP", "Remove this APP");
const WEBSITE_N: Text = Text::new("网站", "Website");
const SAME_LEADER: Text = Text::new("网站负责人同主体负责人", "The website's responsible person is the entity's");
const LONG_TERM: Text = Text::new("长期有效", "No expiry");
const NO_PRE_APPROVAL: Text = Text::new("以上都不涉及", "None of the above");
const ENTITY_LEADER: Text = Text::new("主体负责人", "Entity's responsible person");
const SITE_LEADER: Text = Text::new("网站负责人", "Website's responsible person");
const CHOOSE: Text = Text::new("请选择", "Choose");
const UPLOAD: Text = Text::new("选择文件上传", "Choose a file to upload");
const UPLOAD_HINT: Text = Text::new("JPG、PNG 或 PDF，不超过 5 MB；照片须为 JPG 或 PNG", "JPG, PNG or PDF up to 5 MB; photos as JPG or PNG");
const REQUIRED: Text = Text::new("必传", "required");
const OPTIONAL: Text = Text::new("选传", "optional");
const REMOVE: Text = Text::new("删除", "Remove");
const EDIT: Text = Text::new("修改", "Edit");
const CONFIRM_LEAD: Text = Text::new("请核对以下全部信息，确认无误后提交。提交后将由接入服务商核实，核实期间不能修改。", "Check everything below, then submit. The access provider then verifies it; it cannot be changed meanwhile.");
const SUBMITTED: Text = Text::new("备案已提交，等待接入服务商核实。", "Submitted; the access provider will verify it.");
const KIND: Text = Text::new("备案类型", "Filing type");
const PERSONAL_NAME_NOTE: Text = Text::new("个人备案的主办单位名称即负责人姓名。", "For an individual, the sponsor name is the person's name.");

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PENDING_KEY: &str = "beian_unsaved_draft";

/// The wizard's state, shared by its parts through context.
#[derive(Clone, Copy)]
struct Wizard {
    id: StoredValue<String>,
    form: RwSignal<FilingForm>,
    step: RwSignal<u8>,
    materials: RwSignal<Vec<MaterialInfo>>,
    /// Errors of the current step, from the browser's check or the server's.
    errors: RwSignal<FieldErrors>,
    /// Fields left at least once (their errors show).
    touched: RwSignal<HashSet<String>>,
    /// The step was submitted: every error shows.
    submitted: RwSignal<bool>,
    today: StoredValue<Option<Date>>,
    /// A problem that is not about a field (network, session, conflict).
    notice: RwSignal<Option<AppError>>,
    expired: RwSignal<bool>,
    /// The version the last save (or the load) left on the server: a save
    /// from an older one is refused (another tab or device saved since).
    version: RwSignal<i64>,
    /// What the server holds, to tell unsaved typing.
    saved: RwSignal<FilingForm>,
    /// The provider's marks when the filing was returned (path → comment).
    marks: StoredValue<Vec<Annotation>>,
    /// Web addresses reduced to their domains, per field (as typed, as kept), for the notice.
    cleaned: RwSignal<Vec<(String, Vec<(String, String)>)>>,
    /// The business: a 变更 shows only the steps it may change.
    kind: BusinessKind,
    /// The filed data a 变更 started from.
    before: StoredValue<Option<FilingForm>>,
}

impl Wizard {
    fn uploaded(&self) -> Vec<MaterialKind> {
        self.materials.try_with_untracked(|m| m.iter().filter_map(|m| MaterialKind::from_code(&m.kind)).collect()).unwrap_or_default()
    }

    fn normalised(&self) -> FilingForm {
        let mut f = self.form.try_get_untracked().unwrap_or_default();
        normalise(&mut f);
        f
    }

    /// Check the current step in the browser (the domain rules, compiled to WASM).
    /// Whether the wizard is still on the page. Leaving it (a link, the
    /// browser's Back) disposes its signals while the browser may still
    /// deliver an event (the focused input's blur) or run a pending
    /// update: those then do nothing instead of panicking.
    fn alive(&self) -> bool {
        !self.form.is_disposed() && !self.errors.is_disposed() && !self.touched.is_disposed()
    }

    fn check(&self) -> FieldErrors {
        if !self.alive() {
            return FieldErrors::new();
        }
        let (form, step, today) = (self.normalised(), self.step.try_get_untracked().unwrap_or(STEP_ENTITY), self.today.try_get_value().flatten());
        let errors = if step == STEP_CONFIRM { check_until(self.kind, &form, STEP_CONFIRM, &self.uploaded(), today) } else { check_step(&form, step, &self.uploaded(), today) };
        self.errors.try_set(errors.clone());
        errors
    }

    fn touch(&self, path: &str) {
        if !self.alive() {
            return;
        }
        self.fold(path);
        self.touched.try_update(|t| {
            t.insert(path.to_string());
        });
        self.check();
    }

    /// Fold what was typed into a field as it will be stored (full-width
    /// letters and digits, lookalikes in codes, a pasted web address in a
    /// domain field), so the person sees it before saving; a cleaned web
    /// address is said in a notice under the field.
    fn fold(&self, path: &str) {
        let key = crate::domain::chars::key_of(path);
        let Some(typed) = self.form.try_with_untracked(|f| text_of(f, path).cloned()).flatten() else { return };
        let mut value = crate::domain::chars::fold_field(key, &typed).unwrap_or_else(|| typed.clone());
        let mut changed = Vec::new();
        if key == "domains" {
            if let Some(c) = filing::clean_domain_lines(&value) {
                value = c.text;
                changed = c.changed;
            }
        }
        self.cleaned.try_update(|list| {
            list.retain(|(p, _)| p != path);
            if !changed.is_empty() {
                list.push((path.to_string(), changed));
            }
        });
        if value != typed {
            self.form.try_update(|f| {
                if let Some(slot) = text_at(f, path) {
                    *slot = value;
                }
            });
        }
    }

    /// The message to show for a field, if any (reactive).
    fn message(&self, path: &str) -> Option<String> {
        let lang = use_i18n().lang();
        let show = self.submitted.try_get().unwrap_or(false) || self.touched.try_with(|t| t.contains(path)).unwrap_or(false);
        if !show {
            return None;
        }
        self.errors.try_with(|e| e.get(path).map(|e| e.message.get(lang).to_string())).flatten()
    }

    /// The provider's note on a marked field, if any.
    fn mark(&self, path: &str) -> Option<String> {
        self.marks.with_value(|m| m.iter().find(|a| a.path == path).map(|a| a.comment.clone()))
    }

    fn personal(&self) -> bool {
        self.form.with(|f| f.entity.nature == NATURE_PERSONAL.to_string())
    }
}

fn use_wizard() -> Wizard {
    expect_context::<Wizard>()
}

/// Keep what was typed in this browser when the server could not take it.
fn stash(id: &str, version: i64, step: u8, form: &FilingForm) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let value = serde_json::json!({ "id": id, "version": version, "step": step, "form": form }).to_string();
        let _ = storage.set_item(PENDING_KEY, &value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, version, step, form);
}

/// What this browser kept for this draft, if anything: only when it was
/// typed on the version the server still has (a newer save elsewhere wins).
fn unstash(id: &str, version: i64) -> Option<(u8, FilingForm)> {
    #[cfg(feature = "hydrate")]
    {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten())?;
        let raw = storage.get_item(PENDING_KEY).ok().flatten()?;
        let v: serde_json::Value = serde_json::from_str(&raw).ok()?;
        if v.get("id")?.as_str()? != id || v.get("version").and_then(|v| v.as_i64()) != Some(version) {
            return None;
        }
        let step = u8::try_from(v.get("step")?.as_u64()?).ok()?;
        let form = serde_json::from_value(v.get("form")?.clone()).ok()?;
        Some((step, form))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (id, version);
        None
    }
}

fn forget_stash() {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(PENDING_KEY);
    }
}

#[component]
pub fn NewFilingPage(#[prop(optional)] staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    // /filings/new?id=… opens that filing (one returned for changes);
    // otherwise the unfinished draft, if any. /provider/new is the type
    // check for the provider adding a website or access for a client.
    let query = leptos_router::hooks::use_query_map();
    let draft = Resource::new(
        move || query.read().get("id").unwrap_or_default(),
        move |id| async move {
            match (id.is_empty(), staff) {
                // The clerk's unfinished 代为录入, or the registrant's own draft.
                (true, _) => current_draft().await,
                (false, _) => open_filing(id).await.map(Some),
            }
        },
    );
    // None: not chosen yet; Some(view): the wizard is open on this draft.
    let open = RwSignal::new(None::<DraftView>);
    view! {
        <Title text=(if staff { STAFF_TITLE } else { TITLE }).get(i18n.lang.get_untracked()) />
        <section class="page page--wizard">
            {staff.then(|| view! { <p><a href="/provider/sites">"← " {i18n.tr(crate::pages::staff::records::SITES_TITLE)}</a></p> })}
            <h1>{i18n.tr(if staff { STAFF_TITLE } else { TITLE })}</h1>
            <crate::components::form::NeedsScript />
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || {
                    if let Some(d) = open.get() {
                        return view! { <WizardView draft=d /> }.into_any();
                    }
                    draft.get().map(|r| match r {
                        Err(AppError::Unauthenticated) => view! {
                            <p class="notice">{i18n.tr(SIGN_IN_FIRST)} " " <a href="/login?next=/filings/new">{i18n.tr(SIGN_IN_AGAIN)}</a></p>
                        }.into_any(),
                        Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                        Ok(Some(d)) if d.status == crate::domain::workflow::ApplicationStatus::Returned => view! { <WizardView draft=d /> }.into_any(),
                        // A 变更 just started (from 我的备案) opens at once.
                        Ok(Some(d)) if query.with_untracked(|q| q.get("go").is_some()) => view! { <WizardView draft=d /> }.into_any(),
                        Ok(Some(d)) => view! { <Resume draft=d open /> }.into_any(),
                        Ok(None) => view! { <Detect open staff /> }.into_any(),
                    })
                    .unwrap_or_else(|| ().into_any())
                }}
            </Transition>
        </section>
    }
}

/// Continue the unfinished filing, or discard it (with a confirmation).
#[component]
fn Resume(draft: DraftView, open: RwSignal<Option<DraftView>>) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let id = draft.id.clone();
    let kind = draft.kind;
    let staff = draft.for_staff;
    let discard = Action::new(move |_: &()| {
        let id = id.clone();
        async move { discard_draft(id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = discard.value().get() {
            forget_stash();
            crate::pages::account::go(if staff { "/provider/sites" } else if kind.is_change() { "/filings" } else { "/filings/new" });
        }
    });
    let step = draft.step;
    let domains = filing::filing_domains(&draft.form).join("、");
    let (unit, updated) = (draft.form.entity.unit_name.clone(), draft.updated.clone());
    let d = StoredValue::new(draft);
    view! {
        <div class="resume" data-testid="resume">
            <h2>{i18n.tr(RESUME_TITLE)}</h2>
            <dl class="facts">
                <dt>{i18n.tr(KIND)}</dt><dd>{i18n.tr(kind_label(kind))}</dd>
                <dt>{i18n.tr(fields::UNIT_NAME.label)}</dt><dd>{unit}</dd>
                <dt>{i18n.tr(fields::DOMAINS.label)}</dt><dd>{domains}</dd>
                <dt>{i18n.tr(Text::new("上次保存", "Last saved"))}</dt>
                <dd>{updated} " · " {i18n.tr(STEP_NAMES[usize::from(step.clamp(1, STEPS)) - 1])}</dd>
            </dl>
            <ErrorNotice message=Signal::derive(move || discard.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err()).map(|e| e.message(i18n.lang())))) />
            <Show when=move || !confirming.get() fallback=move || view! {
                <div class="confirm" role="alertdialog" aria-labelledby="discard-q">
                    <p id="discard-q">{i18n.tr(DISCARD_CONFIRM)}</p>
                    <div class="form__actions">
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>{i18n.tr(CANCEL)}</button>
                        <button class="button button--danger" type="button" data-testid="discard-yes" on:click=move |_| { discard.dispatch(()); }>{i18n.tr(DISCARD_YES)}</button>
                    </div>
                </div>
            }>
                <div class="form__actions">
                    <button class="button" type="button" data-testid="discard" on:click=move |_| confirming.set(true)>{i18n.tr(RESUME_DISCARD)}</button>
                    <button class="button button--primary" type="button" data-testid="continue" on:click=move |_| open.set(Some(d.get_value()))>{i18n.tr(RESUME_CONTINUE)}</button>
                </div>
            </Show>
        </div>
    }
}

/// 备案类型检查 before the wizard.
pub(crate) const STAFF_TITLE: Text = Text::new("代为录入", "File for a client");
const STAFF_LEAD: Text = Text::new(
    "输入主办单位证件号码和网站域名检查备案类型。首次备案：按同样的步骤代为录入，提交时系统为主办者创建账户并显示用户名和初始密码。新增网站、新增接入：再输入主办者提供的用户名和备案密码，申请记入主办者名下。每一步都会保存，可随时离开后继续。",
    "Enter the sponsor's certificate number and the domains to check the filing type. A first filing: enter it through the same steps; on submission the sponsor gets an account, and you see its username and first password. A new website or access: then the username and filing password the client gave you; the application is the client's. Every step is saved; leave and continue any time.",
);

#[component]
fn Detect(open: RwSignal<Option<DraftView>>, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let client = RwSignal::new(String::new());
    // 新增网站 from a filed record arrives with its certificate number.
    let cert = RwSignal::new(leptos_router::hooks::use_query_map().with_untracked(|q| q.get("cert").unwrap_or_default()));
    let domains = RwSignal::new(String::new());
    let detect_cleaned = RwSignal::new(None::<Vec<(String, String)>>);
    let error = RwSignal::new(None::<AppError>);
    let result = RwSignal::new(None::<Detection>);
    let proof = RwSignal::new(String::new());
    let code_sent = RwSignal::new(None::<Result<String, AppError>>);
    let send_code = Action::new(move |_: &()| {
        let (c, d) = (cert.get_untracked(), domains.get_untracked());
        async move { send_entity_code(c, d).await }
    });
    Effect::new(move |_| {
        if let Some(r) = send_code.value().get() {
            code_sent.set(Some(r));
        }
    });
    let check = Action::new(move |_: &()| {
        let (c, d) = (cert.get_untracked(), domains.get_untracked());
        async move { detect_filing_type(c, d).await }
    });
    let start = Action::new(move |_: &()| {
        let (c, d, p, u) = (cert.get_untracked(), domains.get_untracked(), proof.get_untracked(), client.get_untracked());
        async move { start_filing(c, d, p, u).await }
    });
    Effect::new(move |_| match check.value().get() {
        Some(Ok(d)) => {
            error.set(None);
            result.set(Some(d));
        }
        Some(Err(e)) => {
            result.set(None);
            error.set(Some(e));
        }
        None => {}
    });
    Effect::new(move |_| match start.value().get() {
        Some(Ok(d)) => open.set(Some(d)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let field_err = move |path: &'static str| Signal::derive(move || error.with(|e| crate::components::form::field_message(e.as_ref(), path, i18n.lang())));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The same checks as the server, before any request.
        match filing::check_type_inputs(&cert.get_untracked(), &domains.get_untracked(), None) {
            Ok(_) => {
                check.dispatch(());
            }
            Err(errors) => {
                result.set(None);
                error.set(Some(AppError::Invalid(errors)));
            }
        }
    };
    view! {
        <h2>{i18n.tr(DETECT_TITLE)}</h2>
        <p class="page__lead">{i18n.tr(if staff { STAFF_LEAD } else { DETECT_LEAD })}</p>
        <ErrorNotice message=Signal::derive(move || error.with(|e| general_message(e.as_ref(), i18n.lang()))) />
        <form class="form" novalidate on:submit=on_submit>
            <Input label=fields::TYPE_CERT.label name="cert_number" value=cert error=field_err("cert_number") hint=DETECT_CERT_HINT />
            <div class="field" class:field--invalid=move || field_err("domains").with(Option::is_some)>
                <label class="field__label" for="domains">{i18n.tr(fields::DOMAINS.label)}</label>
                <p class="field__hint">{i18n.tr(DETECT_DOMAINS_HINT)}</p>
                <textarea class="field__input" id="domains" name="domains" rows="3" maxlength=crate::domain::chars::max_chars("domains")
                    prop:value=move || domains.get() on:input=move |ev| domains.set(event_target_value(&ev))
                    on:blur=move |_| {
                        let typed = domains.get_untracked();
                        match filing::clean_domain_lines(&typed) {
                            Some(c) => {
                                let _ = domains.try_set(c.text);
                                let _ = detect_cleaned.try_set(Some(c.changed));
                            }
                            None => {
                                let _ = detect_cleaned.try_set(None);
                            }
                        }
                    }></textarea>
                {move || detect_cleaned.get().map(|changed| view! { <CleanedNotice changed /> })}
                <p class="field__error" role="alert" data-testid="error-domains">{move || field_err("domains").get()}</p>
            </div>
            <button class="button button--primary button--block" type="submit" disabled=move || check.pending().get()>{i18n.tr(DETECT_BUTTON)}</button>
        </form>
        {move || result.get().map(|d| {
            let ok = d.kind.is_some();
            let (needs_proof, by_code) = (d.needs_proof, d.proof_by_code);
            let message = d.message.clone();
            view! {
                <div class=if ok { "detect detect--ok" } else { "detect detect--conflict" } data-testid="detection" role="status">
                    <p class="detect__verdict">{move || message.get(i18n.lang()).to_string()}</p>
                    <ul class="detect__domains">
                        {d.domains.into_iter().map(|f| {
                            let m = f.message.clone();
                            view! { <li class=format!("detect__domain detect__domain--{}", f.finding) data-finding=f.finding.clone()>{move || m.get(i18n.lang()).to_string()}</li> }
                        }).collect_view()}
                    </ul>
                    {(ok && needs_proof).then(|| view! {
                        <div class="detect__proof" data-testid="proof">
                            {staff.then(|| view! {
                                <Input label=crate::domain::business::CLIENT.label name="client" value=client error=field_err("client") hint=crate::pages::registrant::records::CLIENT_HINT autocomplete="off" />
                            })}
                            {by_code.then(|| view! {
                                <p class="field__hint">{i18n.tr(PROOF_CODE_LEAD)}</p>
                                <button class="button" type="button" data-testid="send-entity-code" on:click=move |_| { send_code.dispatch(()); } disabled=move || send_code.pending().get()>{i18n.tr(PROOF_SEND)}</button>
                                {move || code_sent.get().map(|r| match r {
                                    Ok(to) => view! { <p class="notice notice--ok" role="status">{i18n.tr(PROOF_SENT)} " " {to.clone()}</p> }.into_any(),
                                    Err(e) => view! { <p class="notice notice--error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                                })}
                            })}
                            <Input label=if by_code { PROOF_CODE } else { PROOF_PASSWORD } name="proof" value=proof error=field_err("proof") kind=if by_code { "text" } else { "password" } autocomplete="off" hint=if by_code { PROOF_CODE_HINT } else { PROOF_PASSWORD_HINT } />
                        </div>
                    })}
                    <Show when=move || ok>
                        <button class="button button--primary button--block" type="button" data-testid="start" on:click=move |_| { start.dispatch(()); } disabled=move || start.pending().get()>{i18n.tr(START_BUTTON)}</button>
                    </Show>
                </div>
            }
        })}
    }
}

#[component]
fn StepIndicator(goto: Callback<u8>) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    // A step can be opened directly once every step before it is complete
    // (the same check as 保存并下一步; the server checks again on the save).
    // One check of the whole form per change: the first step with an error.
    let first_incomplete = Memo::new(move |_| {
        w.form.track();
        w.materials.track();
        let errors = check_until(w.kind, &w.normalised(), STEP_CONFIRM, &w.uploaded(), w.today.try_get_value().flatten());
        errors.0.iter().map(|e| filing::step_of(&e.path)).min().unwrap_or(STEP_CONFIRM)
    });
    let reachable = move |n: u8| n != w.step.get() && n <= first_incomplete.get();
    view! {
        <ol class="stepper" aria-label=i18n.tr(Text::new("备案步骤", "Filing steps"))>
            {w.kind.steps().iter().copied().enumerate().map(|(i, n)| {
                let name = STEP_NAMES[usize::from(n) - 1];
                let shown = i + 1;
                view! {
                    <li
                        class="stepper__step"
                        class:stepper__step--done={move || w.step.get() > n}
                        class:stepper__step--current=move || w.step.get() == n
                        aria-current=move || (w.step.get() == n).then_some("step")
                    >
                        <Show when=move || reachable(n) fallback=move || view! {
                            <span class="stepper__number">{shown}</span>
                            <span class="stepper__name">{i18n.tr(name)}</span>
                        }>
                            <button class="stepper__link" type="button" data-testid=format!("goto-step-{n}") on:click=move |_| goto.run(n)>
                                <span class="stepper__number">{shown}</span>
                                <span class="stepper__name">{i18n.tr(name)}</span>
                            </button>
                        </Show>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn WizardView(draft: DraftView) -> impl IntoView {
    let i18n = use_i18n();
    // The provider's clerk filling it in for the client goes on to 核实 it.
    let done_at = if draft.for_staff { format!("/provider/filings/{}", draft.id) } else { "/filings".to_string() };
    let leave_to = if draft.for_staff { "/provider/sites" } else { "/filings" };
    let done_label = if draft.for_staff { Text::new("去核实", "Verify it") } else { Text::new("查看我的备案", "See my filings") };
    let (mut form, mut step) = (draft.form.clone(), draft.step);
    // Typed while the session had expired: restore it.
    let restored = if let Some((s, f)) = unstash(&draft.id, draft.version) {
        form = f;
        step = s;
        true
    } else {
        false
    };
    let w = Wizard {
        id: StoredValue::new(draft.id.clone()),
        form: RwSignal::new(form),
        step: RwSignal::new(step),
        materials: RwSignal::new(draft.materials.clone()),
        errors: RwSignal::new(FieldErrors::new()),
        touched: RwSignal::new(HashSet::new()),
        submitted: RwSignal::new(false),
        today: StoredValue::new(Date::parse_compact(&draft.today)),
        notice: RwSignal::new(None),
        expired: RwSignal::new(false),
        version: RwSignal::new(draft.version),
        saved: RwSignal::new(draft.form.clone()),
        marks: StoredValue::new(draft.annotations.clone()),
        cleaned: RwSignal::new(Vec::new()),
        kind: draft.kind,
        before: StoredValue::new(draft.before.clone()),
    };
    // Unsaved typing is kept in this browser until it is saved, and leaving
    // the page with it asks first.
    Effect::new(move |_| {
        let f = w.form.get();
        if w.saved.with_untracked(|s| *s != f) {
            stash(&w.id.get_value(), w.version.get_untracked(), w.step.get_untracked(), &f);
        }
    });
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handler = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(move |ev: web_sys::BeforeUnloadEvent| {
            let dirty = w.form.try_with_untracked(|f| w.saved.try_with_untracked(|s| s != f).unwrap_or(false)).unwrap_or(false);
            if dirty {
                ev.prevent_default();
                ev.set_return_value("unsaved");
            }
        });
        if let Some(win) = web_sys::window() {
            let _ = win.add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref());
        }
        let handler = StoredValue::new_local(Some(handler));
        on_cleanup(move || {
            if let Some(h) = handler.try_update_value(|h| h.take()).flatten() {
                if let Some(win) = web_sys::window() {
                    let _ = win.remove_event_listener_with_callback("beforeunload", h.as_ref().unchecked_ref());
                }
            }
        });
    }
    provide_context(w);
    let returned = draft.status == crate::domain::workflow::ApplicationStatus::Returned;
    let marks = draft.annotations.clone();
    let provider = StoredValue::new(draft.provider_name.clone());
    let kind = draft.kind;

    // Save the form and go to `target`: the server checks again.
    let save = Action::new(move |target: &u8| {
        let (id, target, f, v) = (w.id.get_value(), *target, w.normalised(), w.version.get_untracked());
        async move { (target, save_draft(id, target, f, v).await) }
    });
    let submit = Action::new(move |_: &()| {
        let id = w.id.get_value();
        async move { submit_filing(id).await }
    });
    let done = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some((target, result)) = save.value().get() {
            match result {
                Ok(view) => {
                    forget_stash();
                    w.version.set(view.version);
                    w.saved.set(view.form.clone());
                    w.form.set(view.form);
                    w.materials.set(view.materials);
                    w.notice.set(None);
                    w.expired.set(false);
                    w.submitted.set(false);
                    w.touched.set(HashSet::new());
                    w.errors.set(FieldErrors::new());
                    if target == 0 {
                        crate::pages::account::go(leave_to);
                    } else {
                        w.step.set(view.step);
                        scroll_top();
                    }
                }
                Err(AppError::Unauthenticated) => {
                    stash(&w.id.get_value(), w.version.get_untracked(), w.step.get_untracked(), &w.form.get_untracked());
                    w.expired.set(true);
                }
                Err(AppError::Invalid(errors)) => {
                    // The server found what the browser did not (or an older
                    // step): show that step with its errors.
                    w.step.set(first_error_step(w.kind, &errors));
                    w.submitted.set(true);
                    w.errors.set(errors);
                }
                Err(e) => w.notice.set(Some(e)),
            }
        }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(_)) => {
            forget_stash();
            done.set(true);
        }
        Some(Err(AppError::Unauthenticated)) => {
            stash(&w.id.get_value(), w.version.get_untracked(), w.step.get_untracked(), &w.form.get_untracked());
            w.expired.set(true);
        }
        Some(Err(AppError::Invalid(errors))) => {
            w.step.set(first_error_step(w.kind, &errors));
            w.submitted.set(true);
            w.errors.set(errors);
        }
        Some(Err(e)) => w.notice.set(Some(e)),
        None => {}
    });

    let next = move |_| {
        let step = w.step.get_untracked();
        if !w.check().is_empty() {
            w.submitted.set(true);
            focus_first_error();
            return;
        }
        save.dispatch(next_step(w.kind, step));
    };
    let back = move |_| {
        // Going back keeps what was typed on this step, checked or not.
        let step = w.step.get_untracked();
        save.dispatch(previous_step(w.kind, step));
    };
    let save_exit = move |_| {
        save.dispatch(0);
    };

    view! {
        <Show when=move || !done.get() fallback=move || view! {
            <div class="notice notice--ok" role="status" data-testid="submitted">
                <p>{i18n.tr(SUBMITTED)}</p>
                <p>{i18n.tr(crate::domain::workflow::ApplicationStatus::PendingVerification.next_step_for(kind))}</p>
                {move || submit.value().get().and_then(|r| r.ok()).and_then(|s| s.new_account).map(|a| view! { <NewAccountPanel a /> })}
                <a class="button button--primary" href=done_at.clone() data-testid="submitted-next">{i18n.tr(done_label)}</a>
            </div>
        }>
            <p class="wizard__kind">{i18n.tr(KIND)} "：" <strong data-testid="kind">{i18n.tr(kind_label(kind))}</strong></p>
            {kind.is_change().then(|| view! { <p class="notice" data-testid="change-explain">{i18n.tr(kind.explain())}</p> })}
            {returned.then(|| view! {
                <div class="notice notice--warn marks" role="note" data-testid="marks">
                    <p><strong>{i18n.tr(RETURNED_LEAD)}</strong></p>
                    <ul>
                        {marks.iter().map(|a| {
                            let step = filing::step_of(&a.path);
                            let label = a.label.clone();
                            view! {
                                <li>
                                    <button class="button button--link" type="button" on:click=move |_| { save.dispatch(step); }>
                                        {move || label.get(i18n.lang()).to_string()}
                                    </button>
                                    "：" {a.comment.clone()}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <StepIndicator goto=Callback::new(move |n: u8| { save.dispatch(n); }) />
            {restored.then(|| view! {
                <p class="notice" role="status" data-testid="restored">{i18n.tr(Text::new("已恢复您在本机上次未保存的填写内容，请检查后保存。", "What you typed here last time and did not save is back: check it and save."))}</p>
            })}
            <Show when=move || w.expired.get()>
                <p class="notice notice--error" role="alert" data-testid="session-expired">
                    {i18n.tr(SESSION_EXPIRED)} " "
                    <a href="/login?next=/filings/new">{i18n.tr(SIGN_IN_AGAIN)}</a>
                </p>
            </Show>
            <ErrorNotice message=Signal::derive(move || w.notice.with(|e| general_message(e.as_ref(), i18n.lang()))) />
            <Show when=move || w.submitted.get() && !w.errors.with(FieldErrors::is_empty)>
                <p class="notice notice--error" role="alert" data-testid="step-errors">{i18n.tr(FIX_ERRORS)}</p>
            </Show>
            <form class="form wizard" novalidate on:submit=|ev| ev.prevent_default()>
                {move || match w.step.get() {
                    STEP_ENTITY => view! { <EntityStep /> }.into_any(),
                    STEP_WEBSITES => view! { <WebsitesStep provider=provider.get_value() /> }.into_any(),
                    STEP_ACCESS => view! { <AccessStep /> }.into_any(),
                    STEP_MATERIALS => view! { <MaterialsStep /> }.into_any(),
                    _ => view! { <ConfirmStep /> }.into_any(),
                }}
                <div class="wizard__actions">
                    <Show when=move || { w.step.get() > w.kind.steps()[0] }>
                        <button class="button" type="button" on:click=back disabled=move || save.pending().get()>{i18n.tr(PREV)}</button>
                    </Show>
                    <button class="button" type="button" data-testid="save-exit" on:click=save_exit disabled=move || save.pending().get()>{i18n.tr(SAVE_EXIT)}</button>
                    <Show when=move || { w.step.get() < STEP_CONFIRM } fallback=move || view! {
                        <button class="button button--primary" type="button" data-testid="submit" on:click=move |_| { submit.dispatch(()); } disabled=move || submit.pending().get()>{i18n.tr(if returned { RESUBMIT } else { SUBMIT })}</button>
                    }>
                        <button class="button button--primary" type="button" data-testid="next" on:click=next disabled=move || save.pending().get()>
                            {move || if save.pending().get() { i18n.t(SAVING) } else { i18n.t(NEXT) }}
                        </button>
                    </Show>
                </div>
            </form>
        </Show>
    }
}

/// The first step this business shows that has an error (the confirmation
/// for "nothing was changed").
fn first_error_step(kind: BusinessKind, errors: &FieldErrors) -> u8 {
    let first = errors.0.iter().filter(|e| e.path != "change").map(|e| filing::step_of(&e.path)).min().unwrap_or(STEP_CONFIRM);
    kind.step_at(first)
}

/// The step after `step` that this business shows.
fn next_step(kind: BusinessKind, step: u8) -> u8 {
    kind.steps().iter().copied().find(|s| *s > step).unwrap_or(STEP_CONFIRM)
}

/// The step before `step` that this business shows (its first at the start).
fn previous_step(kind: BusinessKind, step: u8) -> u8 {
    kind.steps().iter().copied().rev().find(|s| *s < step).unwrap_or(kind.steps()[0])
}

fn scroll_top() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

fn focus_first_error() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // After the messages render.
        request_animation_frame(|| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(".field--invalid input, .field--invalid select, .field--invalid textarea").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        });
    }
}

/// A text input, select or text area bound to a field path of the form.
#[component]
fn F(
    path: String,
    label: Text,
    #[prop(optional)] hint: Option<Text>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] options: Option<Signal<Vec<(String, Text)>>>,
    #[prop(optional)] rows: Option<u32>,
    #[prop(optional)] prefix: Option<Text>,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let p = StoredValue::new(path.clone());
    let id = path.replace(['[', ']', '.'], "_");
    let err_id = format!("{id}-error");
    let value = move || p.try_get_value().and_then(|p| w.form.try_with(|f| text_of(f, &p).cloned())).flatten().unwrap_or_default();
    let set = move |v: String| {
        let Some(path) = p.try_get_value() else { return };
        if !w.alive() {
            return;
        }
        w.form.update(|f| {
            if let Some(slot) = text_at(f, &path) {
                *slot = v;
            }
        });
        // A field already showing an error is re-checked as it is corrected.
        if w.submitted.get_untracked() || w.touched.with_untracked(|t| t.contains(&path)) {
            w.check();
        }
    };
    let message = move || p.try_get_value().and_then(|p| w.message(&p));
    let invalid = move || message().is_some();
    let mark = w.mark(&path);
    let marked = mark.is_some();
    // The input takes no more than the field's rule allows.
    let max_len = crate::domain::chars::max_chars(&path);
    let cleaned = move || {
        let p = p.try_get_value()?;
        w.cleaned.try_with(|list| list.iter().find(|(x, _)| *x == p).map(|(_, c)| c.clone())).flatten()
    };
    let control = match (options, rows) {
        (Some(opts), _) => view! {
            <select
                class="field__input"
                id=id.clone()
                name=path.clone()
                aria-invalid=move || invalid().to_string()
                aria-describedby=err_id.clone()
                on:change=move |ev| { set(event_target_value(&ev)); if let Some(p) = p.try_get_value() { w.touch(&p) }; }
                prop:value=value
            >
                <option value="">{i18n.tr(CHOOSE)}</option>
                {move || opts.get().into_iter().map(|(v, t)| {
                    let v2 = v.clone();
                    view! { <option value=v selected=move || value() == v2>{i18n.tr(t)}</option> }
                }).collect_view()}
            </select>
        }.into_any(),
        (None, Some(rows)) => view! {
            <textarea
                class="field__input"
                id=id.clone()
                name=path.clone()
                rows=rows
                maxlength=max_len
                aria-invalid=move || invalid().to_string()
                aria-describedby=err_id.clone()
                prop:value=value
                on:input=move |ev| set(event_target_value(&ev))
                on:blur=move |_| if let Some(p) = p.try_get_value() { w.touch(&p) }
            ></textarea>
        }.into_any(),
        _ => view! {
            <input
                class="field__input"
                id=id.clone()
                name=path.clone()
                type=kind.unwrap_or("text")
                inputmode=inputmode
                autocomplete="off"
                maxlength=max_len
                aria-invalid=move || invalid().to_string()
                aria-describedby=err_id.clone()
                prop:value=value
                on:input=move |ev| set(event_target_value(&ev))
                on:blur=move |_| if let Some(p) = p.try_get_value() { w.touch(&p) }
            />
        }.into_any(),
    };
    view! {
        <div class="field" class:field--invalid=invalid class:field--marked=marked>
            <label class="field__label" for=id.clone()>
                {prefix.map(|t| i18n.tr(t))}
                {i18n.tr(label)}
            </label>
            {hint.map(|h| view! { <p class="field__hint">{i18n.tr(h)}</p> })}
            {mark.map(|c| view! { <p class="field__mark" data-testid=format!("mark-{path}")>{i18n.tr(MARKED)} "：" {c.clone()}</p> })}
            {control}
            {move || cleaned().map(|changed| view! { <CleanedNotice changed /> })}
            <p class="field__error" id=format!("{id}-error") role="alert" data-testid=format!("error-{path}")>{move || message()}</p>
        </div>
    }
}

/// While 主办单位性质 is not chosen (or differs from what the code says):
/// the nature and 证件类型 the 统一社会信用代码 says, offered in one click.
#[component]
fn NatureFromCode() -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let offer = Memo::new(move |_| {
        w.form
            .try_with(|f| {
                let (n, c) = codes::nature_of_uscc(&f.entity.cert_number)?;
                let same = f.entity.nature == n.id.to_string() && f.entity.cert_type == c.id.to_string();
                (!same).then_some((n.id, n.name, c.id))
            })
            .flatten()
    });
    move || {
        offer.get().map(|(nature, name, cert)| {
            let take = move |_| {
                w.form.update(|f| {
                    f.entity.nature = nature.to_string();
                    f.entity.cert_type = cert.to_string();
                });
                w.touch("entity.nature");
            };
            view! {
                <p class="field__notice" data-testid="nature-offer">
                    {i18n.tr(Text::new("统一社会信用代码表明主办单位性质为：", "The unified social credit code says the sponsor type is: "))}
                    <strong>{i18n.tr(name)}</strong> " "
                    <button class="button button--small" type="button" data-testid="nature-take" on:click=take>{i18n.tr(Text::new("选用", "Use it"))}</button>
                </p>
            }
        })
    }
}

/// Under a domain field: the web addresses that were reduced to domains.
#[component]
fn CleanedNotice(changed: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="field__notice" role="status" data-testid="domains-cleaned">
            {move || {
                let zh = i18n.lang() == crate::domain::Lang::Zh;
                changed
                    .iter()
                    .map(|(typed, kept)| if zh { format!("已将“{typed}”改为“{kept}”：只需填写域名，不带 http://、www. 和路径。") } else { format!("\"{typed}\" was changed to \"{kept}\": enter the domain only, without http://, www. or a path.") })
                    .collect::<Vec<_>>()
                    .join(" ")
            }}
        </p>
    }
}

/// A checkbox bound to a yes/no field.
#[component]
fn Flag(path: String, label: Text) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let p = StoredValue::new(path.clone());
    let checked = move || p.try_get_value().and_then(|p| w.form.try_with(|f| flag_of(f, &p).copied())).flatten().unwrap_or(false);
    let id = path.replace(['[', ']', '.'], "_");
    let for_id = id.clone();
    view! {
        <label class="check" for=for_id>
            <input
                type="checkbox"
                id=id
                name=path
                prop:checked=checked
                on:change=move |ev| {
                    let v = event_target_checked(&ev);
                    w.form.update(|f| if let Some(slot) = flag_at(f, &p.get_value()) { *slot = v; });
                    w.check();
                }
            />
            <span>{i18n.tr(label)}</span>
        </label>
    }
}

/// A group of checkboxes bound to a list of ids.
#[component]
fn Choices(path: String, label: Text, choices: Vec<(u8, Text)>, #[prop(optional)] hint: Option<Text>, #[prop(optional)] extra: Option<AnyView>) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let p = StoredValue::new(path.clone());
    let message = move || p.try_get_value().and_then(|p| w.message(&p));
    let mark = use_wizard().mark(&path);
    let marked = mark.is_some();
    view! {
        <fieldset class="field choices" class:field--invalid=move || message().is_some() class:field--marked=marked>
            <legend class="field__label">{i18n.tr(label)}</legend>
            {hint.map(|h| view! { <p class="field__hint">{i18n.tr(h)}</p> })}
            {mark.map(|c| view! { <p class="field__mark" data-testid=format!("mark-{path}")>{i18n.tr(MARKED)} "：" {c.clone()}</p> })}
            <div class="choices__list">
                {choices.into_iter().map(|(id, text)| {
                    let has = move || p.try_get_value().and_then(|p| w.form.try_with(|f| ids_of(f, &p).is_some_and(|v| v.contains(&id)))).unwrap_or(false);
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked=has
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    w.form.update(|f| {
                                        if let Some(v) = ids_at(f, &p.get_value()) {
                                            v.retain(|x| *x != id);
                                            if on { v.push(id); }
                                        }
                                        // Choosing an item undoes "none of the above".
                                        if on && p.get_value().ends_with("pre_approvals") {
                                            let flag = p.get_value().replace("pre_approvals", "no_pre_approval");
                                            if let Some(b) = flag_at(f, &flag) { *b = false; }
                                        }
                                    });
                                    if let Some(p) = p.try_get_value() { w.touch(&p) };
                                }
                            />
                            <span>{i18n.tr(text)}</span>
                        </label>
                    }
                }).collect_view()}
                {extra}
            </div>
            <p class="field__error" role="alert" data-testid=format!("error-{path}")>{move || message()}</p>
        </fieldset>
    }
}

fn province_options() -> Signal<Vec<(String, Text)>> {
    Signal::derive(|| codes::PROVINCES.iter().map(|p| (p.code.to_string(), p.name)).collect())
}

/// The fields of a 负责人.
#[component]
fn PersonFields(prefix: String, who: Text, with_cert: bool, unit: bool) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let labels = |key: &str| {
        let (_, zh, en) = fields::PERSON.iter().find(|(k, _, _)| *k == key).copied().unwrap_or(("", "", ""));
        Text::new(zh, en)
    };
    let personal_types = Signal::derive(|| codes::CERT_TYPES.iter().filter(|c| c.personal).map(|c| (c.id.to_string(), c.name)).collect());
    let p = |key: &str| format!("{prefix}.{key}");
    let long_term_path = p("long_term");
    let lt = StoredValue::new(long_term_path.clone());
    let long_term = move || w.form.with(|f| flag_of(f, &lt.get_value()).copied().unwrap_or(false));
    let valid_to = p("valid_to");
    view! {
        <fieldset class="group">
            <legend class="group__title">{i18n.tr(who)}</legend>
            <F path=p("name") label=labels("name") />
            {with_cert.then(|| view! {
                <F path=p("cert_type") label=labels("cert_type") options=personal_types />
                <F path=p("cert_number") label=labels("cert_number") />
            })}
            <div class="field-row">
                <F path=p("valid_from") label=labels("valid_from") hint=Text::new("YYYYMMDD", "YYYYMMDD") inputmode="numeric" />
                <Show when=move || !long_term()>
                    <F path=valid_to.clone() label=labels("valid_to") hint=Text::new("YYYYMMDD", "YYYYMMDD") inputmode="numeric" />
                </Show>
            </div>
            <Flag path=long_term_path label=LONG_TERM />
            <F path=p("mobile") label=labels("mobile") kind="tel" inputmode="tel" />
            <F
                path=p("phone")
                label=labels("phone")
                kind="tel"
                hint=if unit { Text::new("如 086-010-12345678 或 010-12345678", "e.g. 086-010-12345678 or 010-12345678") } else { Text::new("选填，如 010-12345678", "Optional, e.g. 010-12345678") }
            />
            <F path=p("emergency_phone") label=labels("emergency_phone") kind="tel" hint=Text::new("不能与负责人手机号码相同", "Must differ from the person's mobile") />
            <F path=p("email") label=labels("email") kind="email" />
        </fieldset>
    }
}

#[component]
fn EntityStep() -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let natures = Signal::derive(|| codes::NATURES.iter().map(|n| (n.id.to_string(), n.name)).collect());
    // 证件类型 offered depend on 主办单位性质.
    let cert_types = Signal::derive(move || {
        let nature = w.form.with(|f| f.entity.nature.parse::<u8>().ok());
        nature
            .and_then(codes::nature)
            .map(|n| n.cert_types.iter().filter_map(|id| codes::cert_type(*id)).map(|c| (c.id.to_string(), c.name)).collect())
            .unwrap_or_default()
    });
    let personal = move || w.personal();
    view! {
        <h2 class="wizard__title">{i18n.tr(STEP_NAMES[0])}</h2>
        <fieldset class="group">
            <legend class="group__title">{i18n.tr(Text::new("主办单位", "Sponsor"))}</legend>
            <F path="entity.nature".into() label=fields::NATURE.label options=natures />
            <NatureFromCode />
            <Show when=personal fallback=move || view! { <F path="entity.unit_name".into() label=fields::UNIT_NAME.label hint=Text::new("与证件上的名称完全一致", "Exactly as on the certificate") /> }>
                <p class="field__hint">{i18n.tr(PERSONAL_NAME_NOTE)}</p>
            </Show>
            <F path="entity.cert_type".into() label=fields::CERT_TYPE.label options=cert_types />
            <F path="entity.cert_number".into() label=fields::CERT_NUMBER.label />
            <F path="entity.cert_address".into() label=fields::CERT_ADDRESS.label hint=Text::new("与证件上的住所一致", "As printed on the certificate") />
            <F path="entity.province".into() label=fields::PROVINCE.label options=province_options() />
            <F path="entity.address".into() label=fields::ADDRESS.label hint=Text::new("市、区县、街道门牌；个人请填写到房间号", "City, district, street and number; individuals down to the room") />
            <Show when=move || !personal()>
                <F path="entity.investor".into() label=fields::INVESTOR.label hint=Text::new("没有时填写主办单位名称", "If none, repeat the sponsor name") />
            </Show>
        </fieldset>
        {move || {
            let personal = personal();
            view! { <PersonFields prefix="entity.leader".into() who=ENTITY_LEADER with_cert=!personal unit=!personal /> }
        }}
        <F
            path="entity.remark".into()
            label=fields::ENTITY_REMARK.label
            rows=3
            hint=Text::new("个人备案请用20至200字说明网站的具体内容", "Individuals: describe the site's content in 20–200 characters")
        />
    }
}

#[component]
fn WebsitesStep(provider: String) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let count = Memo::new(move |_| w.form.with(|f| f.websites.len()));
    let provider = StoredValue::new(provider);
    let add = move |_| {
        w.form.update(|f| {
            let province = f.entity.province.clone();
            f.websites.push(new_website(&provider.get_value(), &province));
        });
    };
    let add_app = move |_| {
        w.form.update(|f| {
            let province = f.entity.province.clone();
            let mut app = new_website(&provider.get_value(), &province);
            app.kind = filing::KIND_APP.to_string();
            app.platforms.push(crate::domain::app::PlatformForm::default());
            f.websites.push(app);
        });
    };
    let websites_error = move || w.message("websites");
    view! {
        <h2 class="wizard__title">{i18n.tr(STEP_NAMES[1])}</h2>
        <p class="field__hint">{i18n.tr(SERVICES_LEAD)}</p>
        <p class="field__error" role="alert">{move || websites_error()}</p>
        {move || (0..count.get()).map(|i| view! { <WebsiteCard i /> }).collect_view()}
        <div class="wizard__adds">
            <button class="button button--block" type="button" data-testid="add-website" on:click=add>{i18n.tr(ADD_WEBSITE)}</button>
            <button class="button button--block" type="button" data-testid="add-app" on:click=add_app>{i18n.tr(ADD_APP)}</button>
        </div>
    }
}

const SERVICES_LEAD: Text = Text::new(
    "可同时备案网站和APP。APP使用的域名须已由本主体备案，或在本次一并备案（用到哪级备哪级）。",
    "Websites and APPs can be filed together. The domains an APP uses must be filed by this entity already, or filed in this filing too.",
);
const ADD_APP: Text = Text::new("添加APP", "Add an APP");
const APP_N: Text = Text::new("APP", "APP");
const KIND_WEBSITE: Text = Text::new("网站", "Website");
const KIND_APP: Text = Text::new("APP", "APP");
const ADD_PLATFORM: Text = Text::new("添加平台", "Add a platform");
const REMOVE_PLATFORM: Text = Text::new("删除此平台", "Remove this platform");
const PLATFORM_N: Text = Text::new("平台", "Platform");

/// 网站 or APP: switching keeps what both have (name, content, 负责人…).
#[component]
fn KindSwitch(i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let is_app = move || w.form.with(|f| f.websites.get(i).is_some_and(|s| s.is_app()));
    let set = move |app: bool| {
        w.form.update(|f| {
            if let Some(s) = f.websites.get_mut(i) {
                s.kind = if app { filing::KIND_APP.to_string() } else { String::new() };
                if app && s.platforms.is_empty() {
                    s.platforms.push(crate::domain::app::PlatformForm::default());
                }
            }
        });
        if w.submitted.get_untracked() {
            w.check();
        }
    };
    let name = format!("websites_{i}_kind");
    view! {
        <fieldset class="field kind-switch" data-testid=format!("kind-{i}")>
            <legend class="field__label">{i18n.tr(fields::KIND.label)}</legend>
            <label class="kind-switch__option">
                <input type="radio" name=name.clone() value="website" prop:checked=move || !is_app() on:change=move |_| set(false) />
                {i18n.tr(KIND_WEBSITE)}
            </label>
            <label class="kind-switch__option">
                <input type="radio" name=name value="app" prop:checked=is_app on:change=move |_| set(true) data-testid=format!("kind-{i}-app") />
                {i18n.tr(KIND_APP)}
            </label>
        </fieldset>
    }
}

/// An APP's own fields: its name, the domains it uses, its platforms and its icon.
#[component]
fn AppFields(i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let at = move |field: crate::domain::Field| indexed(field, i);
    let count = Memo::new(move |_| w.form.with(|f| f.websites.get(i).map(|s| s.platforms.len()).unwrap_or(0)));
    let add = move |_| {
        w.form.update(|f| {
            if let Some(s) = f.websites.get_mut(i) {
                if s.platforms.len() < crate::domain::app::MAX_PLATFORMS {
                    s.platforms.push(crate::domain::app::PlatformForm::default());
                }
            }
        });
    };
    let platforms_error = move || w.message(&format!("websites[{i}].platforms"));
    view! {
        <F path=at(fields::APP_NAME) label=fields::APP_NAME.label hint=Text::new("2至30个字，与应用商店中的名称一致", "2–30 characters, as in the app stores") />
        <F path=at(fields::APP_DOMAINS) label=fields::APP_DOMAINS.label rows=2 hint=Text::new("每行一个；APP不使用域名可不填", "One per line; leave empty if the APP uses none") />
        <fieldset class="field platforms" data-testid=format!("platforms-{i}")>
            <legend class="field__label">{i18n.tr(fields::PLATFORMS.label)}</legend>
            <p class="field__hint">{i18n.tr(Text::new(
                "每个平台填写包名和签名信息：安卓填签名证书 MD5 指纹，iOS 填 SHA-1 指纹，也可填公钥",
                "For each platform, the package name and signing key: Android the certificate's MD5 fingerprint, iOS its SHA-1, or the public key",
            ))}</p>
            <p class="field__error" role="alert">{platforms_error}</p>
            {move || (0..count.get()).map(|j| view! { <PlatformRow i j /> }).collect_view()}
            <Show when=move || { count.get() < crate::domain::app::MAX_PLATFORMS }>
                <button class="button" type="button" data-testid=format!("add-platform-{i}") on:click=add>{i18n.tr(ADD_PLATFORM)}</button>
            </Show>
        </fieldset>
        <IconSlot i />
    }
}

#[component]
fn PlatformRow(i: usize, j: usize) -> impl IntoView {
    use crate::domain::app::Platform;
    let i18n = use_i18n();
    let w = use_wizard();
    let path = move |key: &str| format!("websites[{i}].platforms[{j}].{key}");
    let options = Signal::derive(|| Platform::ALL.iter().map(|p| (p.code().to_string(), p.label())).collect());
    let package_label = Signal::derive(move || {
        w.form.with(|f| f.websites.get(i).and_then(|s| s.platforms.get(j)).and_then(|p| Platform::from_code(&p.platform)).map(|p| p.package_label()))
    });
    let remove = move |_| {
        w.form.update(|f| {
            if let Some(s) = f.websites.get_mut(i) {
                if j < s.platforms.len() {
                    s.platforms.remove(j);
                }
            }
        });
        w.check();
    };
    view! {
        <div class="platform" data-testid=format!("platform-{i}-{j}")>
            <div class="platform__head">
                <span class="platform__title">{i18n.tr(PLATFORM_N)} " " {j + 1}</span>
                <button class="button button--link" type="button" on:click=remove>{i18n.tr(REMOVE_PLATFORM)}</button>
            </div>
            <F path=path("platform") label=Text::new("平台", "Platform") options=options />
            {move || {
                let label = package_label.get().unwrap_or(Text::new("包名", "Package name"));
                view! { <F path=path("package") label=label hint=Text::new("例如 com.example.app", "e.g. com.example.app") /> }
            }}
            <F path=path("fingerprint") label=Text::new("签名证书指纹", "Certificate fingerprint") hint=Text::new("十六进制，可带冒号，例如 keytool 输出的 MD5/SHA1", "Hex, colons allowed, as keytool prints MD5/SHA1") />
            <F path=path("public_key") label=Text::new("公钥（选填）", "Public key (optional)") rows=3 hint=Text::new("PEM 或 base64，填写指纹时可不填", "PEM or base64; not needed with a fingerprint") />
        </div>
    }
}

/// The APP's icon: uploaded at once (PNG/JPEG ≤ 100 KB, checked from its
/// bytes on the server), shown, and named in the form by its key.
#[component]
fn IconSlot(i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let kind = MaterialKind::AppIcon;
    let path = format!("websites[{i}].icon");
    let p = StoredValue::new(path.clone());
    let uploading = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<String>);
    let icon = move || w.form.with(|f| f.websites.get(i).map(|s| s.icon.clone()).unwrap_or_default());
    let message = move || upload_error.try_get().flatten().or_else(|| p.try_get_value().and_then(|p| w.message(&p)));
    let input_id = format!("icon-{i}");
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
            // The size is told here before any upload; the type from the bytes on the server.
            if file.size() as usize > crate::domain::app::MAX_ICON_BYTES {
                upload_error.set(Some(crate::domain::app::check_icon(&vec![0u8; crate::domain::app::MAX_ICON_BYTES + 1]).err().map(|p| p.message.get(i18n.lang.get_untracked()).to_string()).unwrap_or_default()));
                input.set_value("");
                return;
            }
            let old = icon();
            send_upload(w, i18n, kind, &input, file, uploading, upload_error, move |info| async move {
                let id = info.id.clone();
                w.materials.update(|m| m.push(info));
                w.form.update(|f| {
                    if let Some(s) = f.websites.get_mut(i) {
                        s.icon = id;
                    }
                });
                if !old.is_empty() {
                    // The icon it replaces is no longer needed.
                    let _ = remove_material(old.clone()).await;
                    w.materials.update(|m| m.retain(|x| x.id != old));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="field material" class:field--invalid=move || message().is_some() data-testid=format!("icon-{i}")>
            <label class="field__label" for=input_id.clone()>{i18n.tr(fields::APP_ICON.label)}</label>
            <p class="field__hint">{i18n.tr(kind.accepted())}</p>
            {move || {
                let id = icon();
                (!id.is_empty()).then(|| view! { <img class="material__preview app-icon" src=format!("/files/{id}") alt=i18n.t(fields::APP_ICON.label) width="64" height="64" data-testid=format!("icon-{i}-preview") /> })
            }}
            <label class="button upload" for=input_id.clone()>
                {move || if uploading.get() { i18n.t(SAVING) } else { i18n.t(UPLOAD) }}
            </label>
            <input class="upload__input" type="file" id=input_id name=path accept="image/png,image/jpeg" on:change=on_change data-testid=format!("icon-{i}-input") />
            <p class="field__error" role="alert" data-testid=format!("error-websites[{i}].icon")>{move || message()}</p>
        </div>
    }
}

#[component]
fn WebsiteCard(i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let at = move |field: crate::domain::Field| indexed(field, i);
    let same = move || w.form.with(|f| f.websites.get(i).is_some_and(|s| s.same_leader));
    let approvals = move || w.form.with(|f| f.websites.get(i).is_some_and(|s| !s.pre_approvals.is_empty()));
    let many = move || w.form.with(|f| f.websites.len() > 1);
    let is_app = move || w.form.with(|f| f.websites.get(i).is_some_and(|s| s.is_app()));
    let remove = move |_| {
        w.form.update(|f| {
            if i < f.websites.len() {
                f.websites.remove(i);
            }
        });
        w.check();
    };
    let contents: Vec<(u8, Text)> = codes::CONTENT_TYPES.to_vec();
    let pre: Vec<(u8, Text)> = codes::PRE_APPROVAL_TYPES.iter().map(|t| (t.id, t.name)).collect();
    let languages = Signal::derive(|| codes::LANGUAGES.iter().map(|(id, t)| (id.to_string(), *t)).collect());
    let none_flag = format!("websites[{i}].no_pre_approval");
    view! {
        <section class="card" data-testid=format!("website-{i}")>
            <header class="card__header">
                <h3 class="card__title">{move || if is_app() { i18n.t(APP_N) } else { i18n.t(WEBSITE_N) }} " " {i + 1}</h3>
                <Show when=many>
                    <button class="button button--link" type="button" on:click=remove>{move || i18n.t(if is_app() { REMOVE_APP } else { REMOVE_WEBSITE })}</button>
                </Show>
            </header>
            <KindSwitch i />
            <Show
                when=is_app
                fallback=move || view! {
                    <F path=at(fields::SITE_NAME) label=fields::SITE_NAME.label hint=Text::new("至少3个汉字，与网站内容相符", "At least 3 Chinese characters, matching the content") />
                    <F path=at(fields::DOMAINS) label=fields::DOMAINS.label rows=2 hint=Text::new("每行一个，不加 www，例如 example.com", "One per line, without www, e.g. example.com") />
                    <F path=at(fields::HOME_URLS) label=fields::HOME_URLS.label rows=2 hint=Text::new("每行一个，例如 www.example.com", "One per line, e.g. www.example.com") />
                }
            >
                <AppFields i />
            </Show>
            <Choices path=at(fields::CONTENT_TYPES) label=fields::CONTENT_TYPES.label choices=contents hint=Text::new("最多选择5项", "Choose up to 5") />
            <Choices
                path=at(fields::PRE_APPROVALS)
                label=fields::PRE_APPROVALS.label
                choices=pre
                hint=Text::new("涉及的请选择并填写审批文号；都不涉及请选择“以上都不涉及”", "Choose those that apply and give the approval number, or 'none of the above'")
                extra=view! { <Flag path=none_flag label=NO_PRE_APPROVAL /> }.into_any()
            />
            <Show when=approvals>
                <F path=at(fields::PRE_APPROVAL_NUMBER) label=fields::PRE_APPROVAL_NUMBER.label />
            </Show>
            <F path=at(fields::LANGUAGE) label=fields::LANGUAGE.label options=languages />
            <Flag path=format!("websites[{i}].same_leader") label=SAME_LEADER />
            <Show when=move || !same()>
                <PersonFields prefix=format!("websites[{i}].leader") who=SITE_LEADER with_cert=true unit=false />
            </Show>
            <F path=at(fields::SITE_REMARK) label=fields::SITE_REMARK.label rows=2 />
        </section>
    }
}

#[component]
fn AccessStep() -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let sites = Memo::new(move |_| w.form.with(|f| f.websites.iter().map(|s| (s.name.clone(), s.domains.clone())).collect::<Vec<_>>()));
    let methods = Signal::derive(|| codes::ACCESS_METHODS.iter().map(|(id, t)| (id.to_string(), *t)).collect());
    view! {
        <h2 class="wizard__title">{i18n.tr(STEP_NAMES[2])}</h2>
        {move || sites.get().into_iter().enumerate().map(|(i, (name, domains))| {
            let at = move |field: crate::domain::Field| indexed(field, i);
            view! {
                <section class="card" data-testid=format!("access-{i}")>
                    <header class="card__header">
                        <h3 class="card__title">{name} <span class="muted">" " {domains.replace('\n', "、")}</span></h3>
                    </header>
                    <F path=at(fields::PROVIDER_NAME) label=fields::PROVIDER_NAME.label />
                    <F path=at(fields::METHOD) label=fields::METHOD.label options=methods />
                    <F path=at(fields::IPS) label=fields::IPS.label rows=2 hint=Text::new("每行一个公网IP地址", "One public IP address per line") />
                    <F path=at(fields::SERVER_PROVINCE) label=fields::SERVER_PROVINCE.label options=province_options() />
                </section>
            }
        }).collect_view()}
    }
}

pub(crate) fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[component]
fn MaterialsStep() -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let required = Memo::new(move |_| w.form.with(required_materials));
    view! {
        <h2 class="wizard__title">{i18n.tr(STEP_NAMES[3])}</h2>
        <p class="field__hint">{i18n.tr(UPLOAD_HINT)}</p>
        {MaterialKind::ALL.into_iter().map(|kind| view! { <MaterialSlot kind required=Signal::derive(move || required.with(|r| r.contains(&kind))) /> }).collect_view()}
    }
}

/// Send a chosen file as a material of this filing; `stored` is given what
/// the server kept, then the form is checked again. A refusal is shown in
/// `upload_error`, an ended session as the wizard's notice.
#[cfg(feature = "hydrate")]
#[allow(clippy::too_many_arguments)]
fn send_upload<F, Fut>(
    w: Wizard,
    i18n: crate::i18n::I18n,
    kind: MaterialKind,
    input: &web_sys::HtmlInputElement,
    file: web_sys::File,
    uploading: RwSignal<bool>,
    upload_error: RwSignal<Option<String>>,
    stored: F,
) where
    F: FnOnce(MaterialInfo) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let Ok(data) = web_sys::FormData::new() else { return };
    let _ = data.append_with_str("application", &w.id.get_value());
    let _ = data.append_with_str("kind", kind.code());
    let _ = data.append_with_blob_and_filename("file", &file, &file.name());
    uploading.set(true);
    upload_error.set(None);
    input.set_value("");
    leptos::task::spawn_local(async move {
        match crate::functions::filing::upload_material(data.into()).await {
            Ok(info) => {
                stored(info).await;
                w.check();
            }
            Err(AppError::Unauthenticated) => w.expired.set(true),
            Err(e) => upload_error.set(Some(match &e {
                AppError::Invalid(errs) => errs.0.first().map(|x| x.message.get(i18n.lang.get_untracked()).to_string()).unwrap_or_default(),
                other => other.message(i18n.lang.get_untracked()),
            })),
        }
        uploading.set(false);
    });
}

#[component]
fn MaterialSlot(kind: MaterialKind, required: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let field = kind.field();
    let uploading = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<String>);
    let files = Memo::new(move |_| w.materials.with(|m| m.iter().filter(|x| x.kind == kind.code()).cloned().collect::<Vec<_>>()));
    let message = move || upload_error.try_get().flatten().or_else(|| w.message(field.path));
    let input_id = format!("file-{}", kind.code());
    let mark = w.mark(field.path);
    let marked = mark.is_some();
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
            // Size is checked here before any upload; the type from the bytes on the server.
            if file.size() as usize > filing::MAX_MATERIAL_BYTES {
                upload_error.set(Some(kind.too_large().message.get(i18n.lang.get_untracked()).to_string()));
                input.set_value("");
                return;
            }
            send_upload(w, i18n, kind, &input, file, uploading, upload_error, move |info| async move {
                w.materials.update(|m| {
                    if !kind.many() {
                        m.retain(|x| x.kind != info.kind);
                    }
                    m.push(info);
                });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let accept = kind.accept_attr();
    let takes = kind.accepted();
    view! {
        <div class="field material" class:field--invalid=move || message().is_some() class:field--marked=marked data-testid=format!("material-{}", kind.code())>
            <div class="material__head">
                <label class="field__label" for=input_id.clone()>{i18n.tr(field.label)}</label>
                <span class=move || if required.get() { "badge badge--req" } else { "badge" }>{move || if required.get() { i18n.t(REQUIRED) } else { i18n.t(OPTIONAL) }}</span>
            </div>
            <p class="field__hint">{i18n.tr(takes)}</p>
            {mark.map(|c| view! { <p class="field__mark" data-testid=format!("mark-{}", field.path)>{i18n.tr(MARKED)} "：" {c.clone()}</p> })}
            <ul class="material__files">
                {move || files.get().into_iter().map(|m| {
                    let id = m.id.clone();
                    let href = format!("/files/{}", m.id);
                    let image = m.content_type.starts_with("image/");
                    let remove = move |_| {
                        let id = id.clone();
                        leptos::task::spawn_local(async move {
                            if remove_material(id.clone()).await.is_ok() {
                                w.materials.update(|list| list.retain(|x| x.id != id));
                            }
                        });
                    };
                    view! {
                        <li class="material__file">
                            {image.then(|| view! { <img class="material__preview" src=href.clone() alt=m.filename.clone() width="96" height="72" loading="lazy" /> })}
                            <a href=href target="_blank" rel="noopener">{m.filename.clone()}</a>
                            <span class="muted">" " {human_size(m.size)}</span>
                            <button class="button button--link" type="button" on:click=remove>{i18n.tr(REMOVE)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label class="button upload" for=input_id.clone()>
                {move || if uploading.get() { i18n.t(SAVING) } else { i18n.t(UPLOAD) }}
            </label>
            <input class="upload__input" type="file" id=input_id name=kind.code() accept=accept on:change=on_change />
            <p class="field__error" role="alert" data-testid=format!("error-{}", field.path)>{move || message()}</p>
        </div>
    }
}

fn code_name(table: &[(u8, Text)], id: &str) -> Option<Text> {
    let id: u8 = id.parse().ok()?;
    table.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// ⑤ 确认: everything on one page, each part with an edit link.
#[component]
fn ConfirmStep() -> impl IntoView {
    let i18n = use_i18n();
    let w = use_wizard();
    let f = w.normalised();
    let edit = move |step: u8| {
        w.kind.steps().contains(&step).then(|| view! { <button class="button button--link" type="button" data-testid=format!("edit-{step}") on:click=move |_| w.step.set(step)>{i18n.tr(EDIT)}</button> })
    };
    let e = f.entity.clone();
    let nature = e.nature.parse().ok().and_then(codes::nature).map(|n| n.name);
    let cert = e.cert_type.parse().ok().and_then(codes::cert_type).map(|c| c.name);
    let province = e.province.parse().ok().and_then(codes::province_by_code).map(|p| p.name);
    let row = move |label: Text, value: String| view! { <dt>{i18n.tr(label)}</dt><dd>{value}</dd> };
    let text_row = move |label: Text, value: Option<Text>| view! { <dt>{i18n.tr(label)}</dt><dd>{move || value.map(|v| i18n.t(v)).unwrap_or("")}</dd> };
    let materials = w.materials.get_untracked();
    let changes = w.before.with_value(|b| b.as_ref().filter(|_| w.kind.is_change()).map(|b| crate::domain::business::diff(b, &f))).unwrap_or_default();
    // A 负责人 in full: everything that will be filed, nothing left out.
    let person = move |who: Text, p: &crate::domain::filing::PersonForm| {
        let cert = p.cert_type.parse().ok().and_then(codes::cert_type).map(|c| c.name);
        let validity = if p.long_term { format!("{} – {}", p.valid_from, Text::new("长期", "long-term").get(i18n.lang.get_untracked())) } else { format!("{} – {}", p.valid_from, p.valid_to) };
        view! {
            <dt class="facts__group" data-testid="person">{i18n.tr(who)}</dt><dd>{p.name.clone()}</dd>
            {text_row(Text::new("证件类型", "ID type"), cert)}
            {row(Text::new("证件号码", "ID number"), p.cert_number.clone())}
            {row(Text::new("证件有效期", "ID valid"), validity)}
            {row(Text::new("手机号码", "Mobile"), p.mobile.clone())}
            {row(Text::new("办公电话", "Office phone"), p.phone.clone())}
            {row(Text::new("应急联系电话", "Emergency phone"), p.emergency_phone.clone())}
            {row(Text::new("电子邮箱", "E-mail"), p.email.clone())}
        }
    };
    view! {
        <h2 class="wizard__title">{i18n.tr(STEP_NAMES[4])}</h2>
        <p class="page__lead">{i18n.tr(CONFIRM_LEAD)}</p>
        <crate::pages::registrant::filings::Changes changes />
        {move || w.errors.with(|e| e.get("change").map(|e| e.message.get(i18n.lang()).to_string())).map(|m| view! { <p class="notice notice--error" role="alert" data-testid="no-change">{m}</p> })}
        <section class="review" data-testid="review-entity">
            <header class="review__header"><h3>{i18n.tr(STEP_NAMES[0])}</h3>{edit(STEP_ENTITY)}</header>
            <dl class="facts">
                {row(fields::UNIT_NAME.label, e.unit_name.clone())}
                {text_row(fields::NATURE.label, nature)}
                {text_row(fields::CERT_TYPE.label, cert)}
                {row(fields::CERT_NUMBER.label, e.cert_number.clone())}
                {row(fields::CERT_ADDRESS.label, e.cert_address.clone())}
                {text_row(fields::PROVINCE.label, province)}
                {row(fields::ADDRESS.label, e.address.clone())}
                {row(fields::INVESTOR.label, e.investor.clone())}
                {person(ENTITY_LEADER, &e.leader)}
                {row(fields::ENTITY_REMARK.label, e.remark.clone())}
            </dl>
        </section>
        {f.websites.iter().enumerate().map(|(i, s)| {
            let language = code_name(&codes::LANGUAGES, &s.language);
            let method = code_name(&codes::ACCESS_METHODS, &s.access.method);
            let server = s.access.server_province.parse().ok().and_then(codes::province_by_code).map(|p| p.name);
            let contents = s.content_types.iter().filter_map(|c| codes::content_type(*c)).collect::<Vec<_>>();
            let pre = s.pre_approvals.iter().filter_map(|c| codes::pre_approval_type(*c)).map(|t| t.name).collect::<Vec<_>>();
            view! {
                <section class="review" data-testid=format!("review-website-{i}")>
                    <header class="review__header"><h3>{i18n.tr(if s.is_app() { APP_N } else { WEBSITE_N })} " " {i + 1} "：" {s.name.clone()}</h3>{edit(STEP_WEBSITES)}</header>
                    <dl class="facts">
                        {if s.is_app() {
                            let platforms = s.platforms.iter().map(|p| {
                                let label = crate::domain::app::Platform::from_code(&p.platform).map(|x| x.label()).unwrap_or(Text::new("", ""));
                                let key = if p.fingerprint.trim().is_empty() { i18n.t(Text::new("公钥", "public key")).to_string() } else { p.fingerprint.trim().to_string() };
                                format!("{}：{} · {}", label.get(i18n.lang.get_untracked()), p.package.trim(), key)
                            }).collect::<Vec<_>>().join("；");
                            let icon = s.icon.clone();
                            view! {
                                {row(fields::APP_DOMAINS.label, s.domains.replace('\n', "、"))}
                                {row(fields::PLATFORMS.label, platforms)}
                                <dt>{i18n.tr(fields::APP_ICON.label)}</dt>
                                <dd>{(!icon.is_empty()).then(|| view! { <img class="app-icon" src=format!("/files/{icon}") alt="" width="64" height="64" /> })}</dd>
                            }.into_any()
                        } else {
                            view! {
                                {row(fields::DOMAINS.label, s.domains.replace('\n', "、"))}
                                {row(fields::HOME_URLS.label, s.home_urls.replace('\n', "、"))}
                            }.into_any()
                        }}
                        <dt>{i18n.tr(fields::CONTENT_TYPES.label)}</dt>
                        <dd>{move || contents.iter().map(|c| i18n.t(*c)).collect::<Vec<_>>().join("、")}</dd>
                        <dt>{i18n.tr(fields::PRE_APPROVALS.label)}</dt>
                        <dd>{move || if pre.is_empty() { i18n.t(NO_PRE_APPROVAL).to_string() } else { pre.iter().map(|c| i18n.t(*c)).collect::<Vec<_>>().join("、") }}</dd>
                        {text_row(fields::LANGUAGE.label, language)}
                        {if s.same_leader { row(SITE_LEADER, Text::new("同主体负责人", "The entity's responsible person").get(i18n.lang.get_untracked()).to_string()).into_any() } else { person(SITE_LEADER, &s.leader).into_any() }}
                    </dl>
                    <header class="review__header"><h4>{i18n.tr(STEP_NAMES[2])}</h4>{edit(STEP_ACCESS)}</header>
                    <dl class="facts">
                        {row(fields::PROVIDER_NAME.label, s.access.provider_name.clone())}
                        {text_row(fields::METHOD.label, method)}
                        {row(fields::IPS.label, s.access.ips.replace('\n', "、"))}
                        {text_row(fields::SERVER_PROVINCE.label, server)}
                    </dl>
                </section>
            }
        }).collect_view()}
        <section class="review" data-testid="review-materials">
            <header class="review__header"><h3>{i18n.tr(STEP_NAMES[3])}</h3>{edit(STEP_MATERIALS)}</header>
            <ul class="material__files">
                {materials.into_iter().map(|m| {
                    let label = MaterialKind::from_code(&m.kind).map(|k| k.field().label);
                    view! { <li>{move || label.map(|l| i18n.t(l)).unwrap_or("")} "：" <a href=format!("/files/{}", m.id) target="_blank" rel="noopener">{m.filename.clone()}</a></li> }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// 代为录入 第五步 (seed 001 §1.3.1): the client's new account, shown once
/// to the clerk: 主办单位名称, 用户名, 初始密码, and the 前置审批
/// departments to contact when the websites need approval.
#[component]
fn NewAccountPanel(a: crate::models::NewAccount) -> impl IntoView {
    let i18n = use_i18n();
    let departments = a.departments.clone();
    view! {
        <section class="new-account" data-testid="new-account">
            <h2>{i18n.tr(Text::new("备案信息录入完成", "Entered"))}</h2>
            <p>{i18n.tr(Text::new(
                "已为主办者创建备案系统账户。请将用户名和初始密码告知主办者；初始密码只在此显示一次，主办者首次登录须修改密码。",
                "An account was made for the sponsor. Give it the username and first password; the password is shown only here, once, and must be changed at the first sign-in.",
            ))}</p>
            <dl class="facts">
                <dt>{i18n.tr(Text::new("主办单位名称", "Sponsor"))}</dt><dd data-testid="new-account-unit">{a.unit_name}</dd>
                <dt>{i18n.tr(Text::new("用户名", "Username"))}</dt><dd class="mono" data-testid="new-account-username">{a.username}</dd>
                <dt>{i18n.tr(Text::new("初始密码", "First password"))}</dt><dd class="mono" data-testid="new-account-password">{a.password}</dd>
            </dl>
            {(!departments.is_empty()).then(|| view! {
                <p>{i18n.tr(Text::new("网站涉及前置审批，请主办者联系：", "The websites need prior approval; the sponsor contacts:"))}</p>
                <ul data-testid="new-account-departments">{departments.into_iter().map(|d| view! { <li>{move || d.get(i18n.lang()).to_string()}</li> }).collect_view()}</ul>
            })}
            <p class="no-print"><crate::pages::staff::office::PrintButton /></p>
        </section>
    }
}
