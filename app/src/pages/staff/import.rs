//! 批量导入 (seed 001 §1.3.2): /provider/import. Download the template,
//! fill it in, upload it; the page then says how many filings were
//! imported (now 待核实), lists every problem by sheet, row and column, and
//! offers the result files: the problems, and the new accounts' usernames
//! and first passwords (given once, in this answer only).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::import::{check_upload, MAX_IMPORT_BYTES, MAX_SHEET_ROWS};
use crate::domain::workflow::Role;
use crate::domain::Text;
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::models::ImportOutcome;
use crate::pages::staff::review::{sign_in, ConsoleNav};

pub const IMPORT_TITLE: Text = Text::new("批量导入", "Batch import");

/// A download link for base64 bytes the answer carried (a blob in the
/// browser's memory: nothing of it is kept on the server).
#[component]
fn Download(b64: String, name: String, label: Text, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let href = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    {
        use web_sys::js_sys;
        let url = (|| {
            let bin = web_sys::window()?.atob(&b64).ok()?;
            let bytes: Vec<u8> = bin.chars().map(|c| c as u32 as u8).collect();
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
            let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
            web_sys::Url::create_object_url_with_blob(&blob).ok()
        })();
        href.set(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = &b64;
    view! { <a class="button" href=move || href.get() download=name data-testid=testid>{i18n.tr(label)}</a> }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    // The upload is sent by the page's script: until it runs (and with
    // scripts off, when the notice above the steps says so) the button is
    // disabled. The attribute is removed on the element itself as well:
    // hydration keeps the server's attributes as they are, so a signal set
    // before this part of the page hydrated would leave it disabled.
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        ready.set(true);
        #[cfg(feature = "hydrate")]
        if let Some(b) = document().get_element_by_id("import-submit") {
            let _ = b.remove_attribute("disabled");
        }
    });
    let chosen = RwSignal::new(None::<String>);
    let local = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<ImportOutcome, AppError>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let lang = i18n.lang.get_untracked();
            let Some(input) = document().get_element_by_id("import-file").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|l| l.get(0)) else {
                local.set(Some(i18n.t(Text::new("请先选择要导入的 .xlsx 文件", "Choose the .xlsx file first")).to_string()));
                return;
            };
            // The server's rules, first: no request for a file it would refuse.
            if let Err(m) = check_upload(&file.name(), file.size() as usize) {
                local.set(Some(m.get(lang).to_string()));
                return;
            }
            let Ok(data) = web_sys::FormData::new() else { return };
            let _ = data.append_with_blob_and_filename("file", &file, &file.name());
            local.set(None);
            outcome.set(None);
            busy.set(true);
            leptos::task::spawn_local(async move {
                let r = crate::functions::office::import_filings(data.into()).await;
                busy.set(false);
                outcome.set(Some(r));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&local, &busy, &outcome);
    };
    let on_change = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let name = v.rsplit(['\\', '/']).next().unwrap_or_default().to_string();
        local.set(check_upload(&name, 1).err().map(|m| m.get(i18n.lang.get_untracked()).to_string()));
        chosen.set((!name.is_empty()).then_some(name));
    };
    view! {
        <Title text=IMPORT_TITLE.get(i18n.lang.get_untracked()) />
        <section class="page page--console">
            <ConsoleNav role=Role::Provider />
            <h1>{i18n.tr(IMPORT_TITLE)}</h1>
            <p class="page__lead">{i18n.tr(Text::new(
                "一次录入多份备案：每份备案导入后为“待核实”，并为每个主办单位新建备案系统账户。证件、照片等材料在核实时收集。",
                "File many filings at once: each imported filing waits for verification, and each sponsor gets a new account. Documents are collected at verification.",
            ))}</p>
            <crate::components::form::NeedsScript />
            <ol class="import-steps">
                <li>
                    <strong>{i18n.tr(Text::new("下载模板", "Download the template"))}</strong>
                    " "
                    <a class="button" href="/provider/import/template" download data-testid="import-template">{i18n.tr(Text::new("下载导入模板（.xlsx）", "Template (.xlsx)"))}</a>
                    <p class="field__hint">{i18n.tr(Text::new(
                        "模板有“填写说明”和“主体”“网站”“接入”三个工作表；编码列可从下拉列表选择。",
                        "The template has a help sheet and the sheets 主体, 网站 and 接入; coded columns have drop-down lists.",
                    ))}</p>
                </li>
                <li>
                    <strong>{i18n.tr(Text::new("按模板填写", "Fill it in"))}</strong>
                    <p class="field__hint">{move || match i18n.lang.get() {
                        crate::domain::Lang::Zh => format!("每个工作表最多 {MAX_SHEET_ROWS} 行，文件最大 {} MB。一份备案有误时只有这一份不导入。", MAX_IMPORT_BYTES / 1024 / 1024),
                        crate::domain::Lang::En => format!("At most {MAX_SHEET_ROWS} rows a sheet and {} MB a file. A filing with a mistake is left out alone; the rest are imported.", MAX_IMPORT_BYTES / 1024 / 1024),
                    }}</p>
                </li>
                <li>
                    <strong>{i18n.tr(Text::new("上传导入", "Upload"))}</strong>
                    <form class="form import-form" on:submit=submit data-testid="import-form" novalidate>
                        <label class="field" for="import-file">
                            <span class="field__label">{i18n.tr(Text::new("导入文件", "File"))}</span>
                            <input id="import-file" name="file" type="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" on:change=on_change data-testid="import-file" />
                        </label>
                        {move || local.get().map(|m| view! { <p class="field__error" role="alert" data-testid="import-local-error">{m}</p> })}
                        <p>
                            <button id="import-submit" class="button button--primary" type="submit" disabled=move || !ready.get() || busy.get() data-testid="import-submit">
                                {move || if busy.get() { i18n.t(Text::new("正在导入，请稍候…", "Importing…")) } else { i18n.t(Text::new("导入", "Import")) }}
                            </button>
                        </p>
                    </form>
                </li>
            </ol>
            <div aria-live="polite">
                {move || outcome.get().map(|r| match r {
                    Err(AppError::Unauthenticated | AppError::Forbidden) => sign_in("/provider/import".to_string()).into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert" data-testid="import-error">{move || e.message(i18n.lang())}</p> }.into_any(),
                    Ok(o) => view! { <Outcome o /> }.into_any(),
                })}
            </div>
        </section>
    }
}

#[component]
fn Outcome(o: ImportOutcome) -> impl IntoView {
    let i18n = use_i18n();
    let (imported, refused, count) = (o.imported, o.refused, o.problem_count);
    let stem = o.file_name.trim_end_matches(".xlsx").trim_end_matches(".XLSX").to_string();
    let shown = o.problems.len();
    view! {
        <section class="import-result" data-testid="import-result">
            <h2>{i18n.tr(Text::new("导入结果", "Result"))}</h2>
            <p class=if refused == 0 { "notice notice--ok" } else { "notice notice--warn" } data-testid="import-summary">
                {move || match i18n.lang.get() {
                    crate::domain::Lang::Zh => format!("成功导入 {imported} 份备案，等待核实；{refused} 份未导入。"),
                    crate::domain::Lang::En => format!("{imported} filings imported and waiting for verification; {refused} not imported."),
                }}
            </p>
            {o.accounts_xlsx.map(|b64| view! {
                <p class="notice" data-testid="import-accounts">
                    {i18n.tr(Text::new(
                        "新建账户的用户名和初始密码只在下面的文件中提供一次，离开本页后无法再次下载：请立即下载，妥善保管并分别告知各主办者（首次登录须修改密码）。忘记时可在“重置密码”中重新设置。",
                        "The new accounts' usernames and first passwords are in this file only, once: download it now, keep it safe and tell each sponsor theirs (they change it at the first sign-in). If it is lost, use Reset passwords.",
                    ))}
                    " "
                    <Download b64 name=format!("{stem}-新建账户.xlsx") label=Text::new("下载用户名和初始密码（.xlsx）", "Usernames and passwords (.xlsx)") testid="import-accounts-file" />
                    " "
                    <a href="/provider">{i18n.tr(Text::new("去核实", "Verify them"))}</a>
                </p>
            })}
            {o.problems_xlsx.map(|b64| view! {
                <p>
                    <Download b64 name=format!("{stem}-导入失败原因.xlsx") label=Text::new("下载失败原因（.xlsx）", "Problems (.xlsx)") testid="import-problems-file" />
                    {move || (count > shown).then(|| match i18n.lang.get() {
                        crate::domain::Lang::Zh => format!(" 共 {count} 条，下表列出前 {shown} 条，全部见文件。"),
                        crate::domain::Lang::En => format!(" {count} in all; the first {shown} are below, all are in the file."),
                    })}
                </p>
            })}
            {(!o.problems.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="dense import-problems" data-testid="import-problems">
                        <thead><tr>
                            <th scope="col">{i18n.tr(Text::new("工作表", "Sheet"))}</th>
                            <th scope="col">{i18n.tr(Text::new("行", "Row"))}</th>
                            <th scope="col">{i18n.tr(Text::new("列", "Column"))}</th>
                            <th scope="col">{i18n.tr(Text::new("主体序号", "Entity No."))}</th>
                            <th scope="col">{i18n.tr(Text::new("原因", "Reason"))}</th>
                        </tr></thead>
                        <tbody>
                            {o.problems.into_iter().map(|p| { let m = p.message.clone(); view! {
                                <tr>
                                    <td data-label=move || i18n.t(Text::new("工作表", "Sheet"))>{p.sheet}</td>
                                    <td class="num" data-label=move || i18n.t(Text::new("行", "Row"))>{p.line}</td>
                                    <td data-label=move || i18n.t(Text::new("列", "Column"))>{p.column}</td>
                                    <td data-label=move || i18n.t(Text::new("主体序号", "Entity No."))>{p.filing}</td>
                                    <td>{move || m.get(i18n.lang()).to_string()}</td>
                                </tr>
                            } }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
