//! 批量导入 (seed 001 §1.3.2): the template, reading an uploaded workbook,
//! and importing the filings that pass as 待核实, each with a new client
//! account, as if a clerk had entered them one by one (代为录入).
//!
//! - The template (rust_xlsxwriter): a help sheet, one sheet per part with
//!   every coded column a drop-down list drawn from a hidden sheet of the
//!   code tables the validators use, and every column stored as text (an
//!   18-digit certificate number typed into a number cell loses digits).
//! - Reading (calamine): the file must be a zip archive whose entries
//!   unpack to at most `MAX_UNPACKED_BYTES`, measured by unpacking them
//!   (the sizes an archive declares can lie), before calamine reads it.
//! - Rules: `domain::import::check_book` (the wizard's rules, row by row),
//!   then what only the database knows: a sponsor already filed (its new
//!   websites are a 新增网站), a domain filed or in another filing.
//! - Writing: the filings that pass, a hundred to a transaction; each
//!   filing's account, application, domain claims, audit events and
//!   messages commit together. When a transaction is refused (a domain
//!   claimed meanwhile by somebody else, through the UNIQUE index), its
//!   filings are written again one by one, so only the one in conflict
//!   is refused.
//! - First passwords: generated (69 bits), to be changed at the first
//!   sign-in, and hashed with argon2id at light settings (the hash records
//!   its settings, so sign-in verifies it unchanged; the password the
//!   client then chooses gets the full settings). A memory-hard hash of a
//!   person's chosen password protects a guessable secret; a random 69-bit
//!   one is not guessable, and 10 000 full hashes would take minutes.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use base64::Engine;
use calamine::{DataRef, Reader, Xlsx};
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Formula, Workbook};
use surrealdb::types::{Datetime, RecordId, SurrealValue};

use super::application::{new_key, today};
use super::db::{retrying, tx_check};
use super::guard::Ctx;
use super::outbox::{self, Note};
use crate::domain::date::Date;
use crate::domain::import::{self, Book, Candidate, Column, Kind, List, Part, Row, RowError, MAX_SHEET_ROWS, MAX_UNPACKED_BYTES};
use crate::domain::workflow::{transition, Action, ApplicationStatus, BusinessKind, Role};
use crate::domain::Message;
use crate::error::AppError;
use crate::models::{ImportOutcome, ImportProblem};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Filings written in one transaction.
const CHUNK: usize = 200;
/// Transactions written at once (one per core of these machines).
const WRITERS: usize = 2;
const HELP_SHEET: &str = "填写说明";
const CODE_SHEET: &str = "代码";

fn failed(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "writing a spreadsheet failed");
    AppError::Internal
}

fn bad(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::BadRequest(Message::new(zh, en))
}

pub fn mime() -> &'static str {
    XLSX
}

// ---------------------------------------------------------------- template

/// The template: 填写说明, 主体, 网站, 接入 and the hidden 代码 sheet.
pub fn template(provider_name: &str) -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let text = Format::new().set_num_format("@");
    let head = Format::new().set_bold().set_background_color("#DDEBF7").set_num_format("@");

    // 填写说明 first, so it is what opens.
    let help = book.add_worksheet();
    help.set_name(HELP_SHEET).map_err(failed)?;
    help.set_column_width(0, 16).map_err(failed)?;
    help.set_column_width(1, 26).map_err(failed)?;
    help.set_column_width(2, 70).map_err(failed)?;
    let intro = [
        "ICP备案批量导入模板".to_string(),
        format!("接入服务商：{provider_name}。每份备案由“主体”表的一行、“网站”表中主体序号指向它的各行、以及每个网站在“接入”表的一行组成。"),
        "导入后每份备案为“待核实”，并为每个主办单位新建备案系统账户；结果文件给出用户名和初始密码（只提供一次），主办者首次登录须修改密码。".to_string(),
        "证件、负责人照片等材料在核实时收集：核实时缺少的材料请标注后退回主办者上传。".to_string(),
        "一份备案中任何一格有误，该份备案不导入，其他备案照常导入；有误的行在结果文件中逐行逐列列出原因，改正后可只导入这些备案。".to_string(),
        format!("每个工作表最多 {MAX_SHEET_ROWS} 行，文件最大 {} MB。编码列请从下拉列表选择；多选列（服务内容、前置审批项目）多项用“、”分隔。", import::MAX_IMPORT_BYTES / 1024 / 1024),
        "请勿修改表头、工作表名称，勿删除隐藏的“代码”工作表。".to_string(),
    ];
    help.write_string_with_format(0, 0, &intro[0], &bold).map_err(failed)?;
    for (i, line) in intro.iter().enumerate().skip(1) {
        help.write_string(i as u32, 0, line).map_err(failed)?;
    }
    let mut r = intro.len() as u32 + 1;
    for (c, h) in ["工作表", "列", "填写要求"].iter().enumerate() {
        help.write_string_with_format(r, c as u16, *h, &bold).map_err(failed)?;
    }
    r += 1;
    for part in Part::ALL {
        for c in part.columns() {
            help.write_string(r, 0, part.sheet()).map_err(failed)?;
            help.write_string(r, 1, c.header).map_err(failed)?;
            help.write_string_with_format(r, 2, c.help, &wrap).map_err(failed)?;
            r += 1;
        }
    }

    // The code lists, one column each, in a hidden sheet the drop-downs refer to.
    let lists: Vec<(List, Vec<String>)> = List::ALL.iter().map(|l| (*l, l.entries().iter().map(|(_, t)| t.zh.to_string()).collect())).collect();
    for part in Part::ALL {
        let ws = book.add_worksheet();
        ws.set_name(part.sheet()).map_err(failed)?;
        for (i, c) in part.columns().iter().enumerate() {
            let i = i as u16;
            ws.write_string_with_format(0, i, c.header, &head).map_err(failed)?;
            ws.set_column_format(i, &text).map_err(failed)?;
            ws.set_column_width(i, (crate::ssr::sheets::display_width(c.header) as f64 + 4.0).max(12.0)).map_err(failed)?;
            if let Some(v) = validation(c, &lists)? {
                ws.add_data_validation(1, i, MAX_SHEET_ROWS as u32, i, &v).map_err(failed)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(failed)?;
    }
    let codes = book.add_worksheet();
    codes.set_name(CODE_SHEET).map_err(failed)?;
    for (c, (list, values)) in lists.iter().enumerate() {
        codes.write_string_with_format(0, c as u16, list.label().zh, &bold).map_err(failed)?;
        for (r, v) in values.iter().enumerate() {
            codes.write_string(r as u32 + 1, c as u16, v).map_err(failed)?;
        }
    }
    codes.set_hidden(true);
    book.save_to_buffer().map_err(failed)
}

/// The drop-down of a coded column: the list's range in the 代码 sheet.
/// A one-value column refuses anything else; a several-values column only
/// warns (Excel's lists hold one value, and "企业展示、网络视频" is two).
fn validation(c: &Column, lists: &[(List, Vec<String>)]) -> Result<Option<DataValidation>, AppError> {
    let (list, many) = match c.kind {
        Kind::One(l) => (l, false),
        Kind::Many(l) => (l, true),
        _ => return Ok(None),
    };
    let Some(col) = lists.iter().position(|(l, _)| *l == list) else { return Ok(None) };
    let letter = char::from(b'A' + col as u8);
    let rows = lists[col].1.len() + 1;
    let v = DataValidation::new()
        .allow_list_formula(Formula::new(format!("={CODE_SHEET}!${letter}$2:${letter}${rows}")))
        .ignore_blank(true)
        .set_input_message(c.help)
        .map_err(failed)?
        .set_error_message(if many { "请从列表选择；多项用“、”分隔" } else { "请从下拉列表中选择" })
        .map_err(failed)?
        .set_error_style(if many { DataValidationErrorStyle::Information } else { DataValidationErrorStyle::Stop });
    Ok(Some(v))
}

// ---------------------------------------------------------------- reading

fn not_xlsx() -> AppError {
    bad(
        "无法读取该文件：它不是 .xlsx 工作簿（或已损坏）。请下载模板，按模板填写后保存为 Excel 工作簿（*.xlsx）再导入。",
        "This file cannot be read: it is not an .xlsx workbook (or it is damaged). Download the template, fill it in, save it as an Excel workbook (*.xlsx) and import that.",
    )
}

fn too_big_unpacked(limit: u64) -> AppError {
    AppError::TooLarge(Message::new(
        format!("文件解压后超过 {} MB，不像是按模板填写的备案信息，未导入任何内容。请分成几个文件导入。", limit / 1024 / 1024),
        format!("The file unpacks to more than {} MB, which no filled-in template does; nothing was imported. Split it into several files.", limit / 1024 / 1024),
    ))
}

fn measure(bytes: &[u8]) -> Result<(), AppError> {
    measure_with(bytes, MAX_UNPACKED_BYTES)
}

/// Unpack every entry of the archive into nothing, counting, and stop at
/// `limit`: what calamine will unpack is then known to be bounded, whatever
/// sizes the archive declares.
fn measure_with(bytes: &[u8], limit: u64) -> Result<(), AppError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(bad(
            "这是旧版 Excel 97-2003 文件（.xls）。请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后再导入。",
            "This is an old Excel 97-2003 file (.xls). Save it as an Excel workbook (*.xlsx) and import that.",
        ));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(not_xlsx());
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    if archive.len() > 500 {
        return Err(not_xlsx());
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| not_xlsx())?;
        let left = limit - total;
        if entry.size() > left {
            return Err(too_big_unpacked(limit));
        }
        // The shared-string table declares how many strings it holds, and
        // calamine reserves that many at once: the count is checked first.
        let n = if entry.name().is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml")) {
            let mut text = Vec::new();
            (&mut entry).take(left + 1).read_to_end(&mut text).map_err(|_| not_xlsx())?;
            if declared_strings(&text).is_some_and(|c| c > import::MAX_SHARED_STRINGS) {
                return Err(too_big_unpacked(limit));
            }
            text.len() as u64
        } else {
            std::io::copy(&mut (&mut entry).take(left + 1), &mut std::io::sink()).map_err(|_| not_xlsx())?
        };
        total += n;
        if total > limit {
            return Err(too_big_unpacked(limit));
        }
    }
    Ok(())
}

/// The largest count an `uniqueCount` or `count` attribute declares in a
/// shared-string table (wherever it is, with either quote).
fn declared_strings(xml: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(xml);
    let mut most = None;
    for key in ["uniqueCount=", "count="] {
        for (at, _) in text.match_indices(key) {
            let rest = &text[at + key.len()..];
            let digits: String = rest.chars().skip(1).take_while(|c| c.is_ascii_digit()).take(20).collect();
            if let Ok(n) = digits.parse::<u64>() {
                most = Some(most.map_or(n, |m: u64| m.max(n)));
            } else if !digits.is_empty() {
                most = Some(u64::MAX);
            }
        }
    }
    most
}

/// A cell as read, before its column (and so its kind) is known.
enum Raw {
    Text(String),
    Int(i64),
    Float(f64),
    /// An Excel date: days since 1899-12-30.
    Date(f64),
}

impl Raw {
    fn of(d: DataRef<'_>) -> Option<Raw> {
        let cap = |s: &str| s.chars().take(import::MAX_CELL_CHARS).collect::<String>();
        Some(match d {
            DataRef::Empty => return None,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Raw::Text(cap(&s)),
            DataRef::SharedString(s) => Raw::Text(cap(s)),
            DataRef::Int(i) => Raw::Int(i),
            DataRef::Float(f) => Raw::Float(f),
            DataRef::Bool(b) => Raw::Text(if b { "是" } else { "否" }.to_string()),
            DataRef::DateTime(dt) => Raw::Date(dt.as_f64()),
            DataRef::Error(e) => Raw::Text(format!("#{e:?}")),
        })
    }

    fn len(&self) -> usize {
        match self {
            Raw::Text(s) => s.len(),
            _ => 16,
        }
    }

    /// As the text a person typed: whole numbers without ".0", dates of
    /// date columns as YYYYMMDD.
    fn text(self, kind: Kind) -> String {
        match self {
            Raw::Text(s) => s,
            Raw::Int(i) => i.to_string(),
            Raw::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            Raw::Float(f) => f.to_string(),
            Raw::Date(serial) if matches!(kind, Kind::Date | Kind::DateOrLongTerm) => {
                // Excel's day 25569 is 1970-01-01.
                let days = serial.floor() as i64 - 25_569;
                if (-25_000..100_000).contains(&days) {
                    Date::from_days_since_epoch(days).compact()
                } else {
                    serial.to_string()
                }
            }
            Raw::Date(serial) => serial.to_string(),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Raw::Text(s) if s.trim().is_empty())
    }
}

fn too_wide(sheet: &str) -> AppError {
    bad(
        format!("“{sheet}”工作表超出模板的范围（最多 {} 列、{} 行）：请只在模板的列中填写，或分成几个文件导入。", import::MAX_COLUMNS, import::MAX_ROW_INDEX),
        format!("Sheet “{sheet}” goes beyond the template ({} columns, {} rows at most): fill in only the template's columns, or split the file.", import::MAX_COLUMNS, import::MAX_ROW_INDEX),
    )
}

/// Read an uploaded workbook into rows, with each part's header map. The
/// sheets are read cell by cell (calamine's cell reader, never a whole
/// range: a file naming cell XFD1048576 would make a range of 17 billion
/// cells), within [`import::MAX_COLUMNS`] columns, [`import::MAX_ROW_INDEX`]
/// rows and [`import::MAX_TEXT_BYTES`] of text.
pub fn read(bytes: &[u8]) -> Result<(Book, [Vec<Option<usize>>; 3]), AppError> {
    measure(bytes)?;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let names = wb.sheet_names();
    let missing: Vec<&str> = Part::ALL.iter().map(|p| p.sheet()).filter(|s| !names.iter().any(|n| n.trim() == *s)).collect();
    if !missing.is_empty() {
        return Err(bad(
            format!("文件中缺少工作表：{}。请使用最新模板（含“主体”“网站”“接入”三个工作表）填写后再导入。", missing.join("、")),
            format!("The file lacks the sheets {}. Use the current template (sheets 主体, 网站 and 接入).", missing.join(", ")),
        ));
    }
    let mut book = Book::default();
    let mut maps: [Vec<Option<usize>>; 3] = Default::default();
    let mut text_bytes = 0usize;
    for part in Part::ALL {
        let sheet = part.sheet();
        let name = names.iter().find(|n| n.trim() == sheet).cloned().unwrap_or_default();
        // Every non-empty cell: (row, column) → value.
        let mut rows: std::collections::BTreeMap<u32, Vec<(u32, Raw)>> = std::collections::BTreeMap::new();
        {
            let mut reader = wb.worksheet_cells_reader(&name).map_err(|_| not_xlsx())?;
            loop {
                let cell = match reader.next_cell() {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(_) => return Err(not_xlsx()),
                };
                let (row, col) = cell.get_position();
                let Some(raw) = Raw::of(cell.get_value().clone()) else { continue };
                if col >= import::MAX_COLUMNS || row >= import::MAX_ROW_INDEX {
                    if raw.is_blank() {
                        continue;
                    }
                    return Err(too_wide(sheet));
                }
                text_bytes += raw.len();
                if text_bytes > import::MAX_TEXT_BYTES {
                    return Err(AppError::TooLarge(Message::new(
                        format!("文件中的文字超过 {} MB，不像是按模板填写的备案信息，未导入任何内容。", import::MAX_TEXT_BYTES / 1024 / 1024),
                        format!("The file holds more than {} MB of text, which no filled-in template does; nothing was imported.", import::MAX_TEXT_BYTES / 1024 / 1024),
                    )));
                }
                rows.entry(row).or_default().push((col, raw));
            }
        }
        rows.retain(|_, cells| cells.iter().any(|(_, r)| !r.is_blank()));
        // The header is the first row with anything in it.
        let Some(header_row) = rows.keys().next().copied() else {
            return Err(bad(format!("“{sheet}”工作表没有表头"), format!("Sheet “{sheet}” has no header row")));
        };
        let header_cells = rows.remove(&header_row).unwrap_or_default();
        let width = header_cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
        let mut header = vec![String::new(); width];
        for (c, raw) in header_cells {
            header[c as usize] = raw.text(Kind::Text);
        }
        let map = import::map_header(part, &header).map_err(AppError::BadRequest)?;
        let kind_of: HashMap<usize, Kind> = map.iter().zip(part.columns()).filter_map(|(at, c)| at.map(|i| (i, c.kind))).collect();
        if rows.len() > MAX_SHEET_ROWS {
            return Err(bad(
                format!("“{sheet}”工作表超过 {MAX_SHEET_ROWS} 行，请分成几个文件导入"),
                format!("Sheet “{sheet}” has more than {MAX_SHEET_ROWS} rows; split it into several files"),
            ));
        }
        let mut out = Vec::with_capacity(rows.len());
        for (r, cells) in rows {
            let mut row = vec![String::new(); header.len()];
            for (c, raw) in cells {
                match kind_of.get(&(c as usize)) {
                    Some(kind) => row[c as usize] = raw.text(*kind),
                    // Nothing typed is dropped silently: a value under no heading is refused.
                    None if !raw.is_blank() => {
                        return Err(bad(
                            format!("“{sheet}”工作表第 {} 行第 {} 列有内容，但这一列没有表头：请把内容填到模板的列中。", r + 1, c + 1),
                            format!("Sheet “{sheet}”, row {} column {}: a value under no heading; put it in one of the template's columns.", r + 1, c + 1),
                        ));
                    }
                    None => {}
                }
            }
            out.push(Row { line: r + 1, cells: row });
        }
        match part {
            Part::Entity => book.entities = out,
            Part::Website => book.websites = out,
            Part::Access => book.access = out,
        }
        maps[part as usize] = map;
    }
    if book.entities.is_empty() {
        return Err(bad("“主体”工作表没有数据行：请在表头下方每行填写一个主办单位", "Sheet “主体” has no rows under its header: one sponsor per row"));
    }
    Ok((book, maps))
}

// ---------------------------------------------------------------- importing

/// A filing ready to write, with its new account.
struct Ready {
    candidate: Candidate,
    app_key: String,
    account_key: String,
    username: String,
    password: String,
    hash: String,
}

#[derive(SurrealValue)]
struct FiledEntity {
    cert_number: String,
    licence: Option<String>,
}

#[derive(SurrealValue)]
struct Claim {
    domain: String,
    licence: Option<String>,
}

/// Where an import's time went (the benchmark prints it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub read_and_check: std::time::Duration,
    pub lookups: std::time::Duration,
    pub hashing: std::time::Duration,
    pub writing: std::time::Duration,
    pub result_files: std::time::Duration,
}

/// Import a workbook: every check, then the filings that pass.
pub async fn run(cx: &Ctx, file_name: &str, bytes: Vec<u8>) -> Result<ImportOutcome, AppError> {
    Ok(run_timed(cx, file_name, bytes).await?.0)
}

/// What an import works with (taken from the caller's [`Ctx`], so that the
/// import can run on a task of its own).
struct Importer {
    db: super::db::Db,
    settings: std::sync::Arc<super::Settings>,
    me: super::auth::CurrentUser,
}

/// One import at a time on a server: each uses both cores while it checks
/// and hashes, and up to a few hundred MB of memory for a large file.
fn one_at_a_time() -> std::sync::Arc<tokio::sync::Semaphore> {
    static PERMIT: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> = std::sync::OnceLock::new();
    PERMIT.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1))).clone()
}

/// [`run`], with where the time went. The import runs to its end on a task
/// of its own, holding the permit: a request cut off midway (a proxy's
/// timeout, a closed tab) leaves whole filings, never half of one, and the
/// batch audited; the accounts it made can be given new passwords under
/// 重置密码.
pub async fn run_timed(cx: &Ctx, file_name: &str, bytes: Vec<u8>) -> Result<(ImportOutcome, Timings), AppError> {
    let me = cx.me()?.clone();
    if me.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let permit = one_at_a_time().acquire_owned().await.map_err(|_| AppError::Internal)?;
    let im = std::sync::Arc::new(Importer { db: cx.db.clone(), settings: cx.settings.clone(), me });
    let name = file_name.to_string();
    tokio::spawn(async move {
        let _permit = permit;
        import_all(im, &name, bytes).await
    })
    .await
    .map_err(|_| AppError::Internal)?
}

async fn import_all(im: std::sync::Arc<Importer>, file_name: &str, bytes: Vec<u8>) -> Result<(ImportOutcome, Timings), AppError> {
    let mut timings = Timings::default();
    let mut clock = std::time::Instant::now();
    let mut lap = |slot: &mut std::time::Duration| {
        *slot = clock.elapsed();
        clock = std::time::Instant::now();
    };
    let me = &im.me;
    // The state machine says where a filing entered by the provider goes.
    let submit = transition(ApplicationStatus::Draft, Action::Submit, Role::Provider, BusinessKind::FirstFiling).ok_or(AppError::Forbidden)?;
    let provider = im.settings.provider_name.clone();
    let checked = tokio::task::spawn_blocking(move || -> Result<import::Checked, AppError> {
        let (book, maps) = read(&bytes)?;
        Ok(import::check_book(&book, &maps, &provider, Some(today())))
    })
    .await
    .map_err(|_| AppError::Internal)??;
    let mut errors = checked.errors;
    let mut refused = checked.refused;
    lap(&mut timings.read_and_check);

    // What the database knows: sponsors already filed or being filed, domains taken.
    let ready = known_conflicts(&im, checked.ready, &mut errors, &mut refused).await?;
    lap(&mut timings.lookups);

    // Accounts: usernames and first passwords, hashed on both cores.
    let mut with_accounts = Vec::with_capacity(ready.len());
    let passwords: Vec<String> = ready.iter().map(|_| super::clients::generate_password()).collect();
    let hashes = hash_all(passwords.clone()).await?;
    for ((candidate, password), hash) in ready.into_iter().zip(passwords).zip(hashes) {
        with_accounts.push(Ready { candidate, app_key: new_key(), account_key: new_key(), username: super::filings::new_client_username(), password, hash });
    }
    lap(&mut timings.hashing);

    // Write, a chunk to a transaction; a refused chunk again one by one.
    let batch = format!("批量导入（{}）", file_name.chars().take(80).collect::<String>());
    let mut imported: Vec<Ready> = Vec::new();
    let mut failed: Vec<Vec<Ready>> = Vec::new();
    let mut rest = with_accounts.into_iter().peekable();
    while rest.peek().is_some() {
        // Chunks share no key (accounts, applications and domains are all
        // new and distinct), so two are written at once, one per core: the
        // embedded engine runs a query on the task that awaits it.
        let mut tasks = Vec::new();
        for _ in 0..WRITERS {
            let chunk: Vec<Ready> = rest.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let (im, batch) = (im.clone(), batch.clone());
            tasks.push(tokio::spawn(async move {
                let r = write(&im, &chunk, &batch, submit.to, submit.action).await;
                (chunk, r.is_ok())
            }));
        }
        for t in tasks {
            let (chunk, ok) = t.await.map_err(|_| AppError::Internal)?;
            if ok {
                imported.extend(chunk);
            } else {
                failed.push(chunk);
            }
        }
    }
    for mut one in failed.into_iter().flatten() {
        {
            let im = &im;
            let mut result = write(im, std::slice::from_ref(&one), &batch, submit.to, submit.action).await;
            if matches!(result, Err(Refusal::Username)) {
                // A generated username taken meanwhile: another one.
                one.username = super::filings::new_client_username();
                result = write(im, std::slice::from_ref(&one), &batch, submit.to, submit.action).await;
            }
            if matches!(result, Err(Refusal::Exists)) && written(im, &one.app_key).await {
                // Committed, though the answer was lost on the way back.
                result = Ok(());
            }
            match result {
                Ok(()) => imported.push(one),
                Err(e) => {
                    refused += 1;
                    let m = match e {
                        Refusal::Domain => Message::new("网站域名已在另一份备案中（可能刚刚被提交），未导入", "A domain is already in another filing (perhaps just submitted); not imported"),
                        _ => Message::new("写入数据库失败，未导入：请稍后只把这份备案重新导入", "Could not be written; import this filing again later"),
                    };
                    errors.push(one.candidate.error_at("websites[0].domains", m));
                }
            }
        }
    }
    outbox::wake();
    lap(&mut timings.writing);
    tracing::info!(clerk = %me.username, imported = imported.len(), refused, "批量导入");
    // The batch itself, for the audit trail.
    im.db
        .query("CREATE audit_event SET actor = $me, role = 'provider', action = 'batch_import', comment = $c RETURN NONE")
        .bind(("me", me.id.clone()))
        .bind(("c", format!("{batch}：导入{}份，未导入{}份", imported.len(), refused)))
        .await?
        .check()?;

    errors.sort_by_key(|e| (e.part as u8, e.line));
    let problem_count = errors.len() + checked.dropped;
    let problems: Vec<ImportProblem> = errors.iter().take(import::MAX_PROBLEMS).map(problem).collect();
    let b64 = |v: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(v);
    let problems_xlsx = if problems.is_empty() { None } else { Some(b64(problems_file(&problems, problem_count)?)) };
    let accounts_xlsx = if imported.is_empty() { None } else { Some(b64(accounts_file(&imported)?)) };
    lap(&mut timings.result_files);
    let outcome = ImportOutcome {
        file_name: file_name.to_string(),
        imported: imported.len(),
        refused,
        problem_count,
        problems: problems.into_iter().take(ImportOutcome::SHOWN).collect(),
        problems_xlsx,
        accounts_xlsx,
        applications: imported.iter().map(|r| r.app_key.clone()).collect(),
    };
    Ok((outcome, timings))
}

/// Whether an application of this key is in the database.
async fn written(im: &Importer, key: &str) -> bool {
    let res = im.db.query("RETURN record::exists(type::record('application', $k))").bind(("k", key.to_string())).await;
    match res {
        Ok(mut r) => r.take::<Option<bool>>(0).ok().flatten().unwrap_or(false),
        Err(_) => false,
    }
}

fn problem(e: &RowError) -> ImportProblem {
    ImportProblem { sheet: e.part.sheet().to_string(), line: e.line, column: e.column.unwrap_or("").to_string(), filing: e.filing.clone(), message: e.message.clone() }
}

/// Sponsors already filed and domains already taken, looked up through
/// their indexes (db::IN_LIST_MAX at a time: a longer list scans the
/// table); the filings they hit are refused.
async fn known_conflicts(im: &Importer, ready: Vec<Candidate>, errors: &mut Vec<RowError>, refused: &mut usize) -> Result<Vec<Candidate>, AppError> {
    let certs: Vec<String> = ready.iter().map(|c| c.form.entity.cert_number.trim().to_string()).collect();
    let domains: Vec<String> = ready.iter().flat_map(|c| crate::domain::filing::filing_domains(&c.form)).collect();
    let mut filed: HashMap<String, String> = HashMap::new();
    for part in certs.chunks(super::db::IN_LIST_MAX) {
        let rows: Vec<FiledEntity> = im
            .db
            .query("SELECT cert_number, licence FROM entity WHERE cert_number IN $c AND status != 'cancelled'")
            .bind(("c", part.to_vec()))
            .await?
            .check()?
            .take(0)?;
        filed.extend(rows.into_iter().map(|r| (r.cert_number, r.licence.unwrap_or_default())));
    }
    // A first filing of the same sponsor already under way (submitted, not yet decided).
    let mut pending: std::collections::HashSet<String> = std::collections::HashSet::new();
    for part in certs.chunks(super::db::IN_LIST_MAX) {
        let rows: Vec<String> = im
            .db
            .query("SELECT VALUE cert_number FROM application WHERE cert_number IN $c AND kind = $k AND status NOT IN ['draft', 'approved', 'abandoned']")
            .bind(("c", part.to_vec()))
            .bind(("k", BusinessKind::FirstFiling.code().to_string()))
            .await?
            .check()?
            .take(0)?;
        pending.extend(rows);
    }
    let mut taken: HashMap<String, Option<String>> = HashMap::new();
    for part in domains.chunks(super::db::IN_LIST_MAX) {
        let rows: Vec<Claim> = im
            .db
            .query("SELECT domain, website.licence AS licence FROM domain_claim WHERE domain IN $d")
            .bind(("d", part.to_vec()))
            .await?
            .check()?
            .take(0)?;
        taken.extend(rows.into_iter().map(|r| (r.domain, r.licence)));
    }
    let blocklist = super::blacklist::Blocklist::load(&im.db).await?;
    let mut out = Vec::with_capacity(ready.len());
    for c in ready {
        let mut bad = Vec::new();
        let domains = crate::domain::filing::filing_domains(&c.form);
        for e in blocklist.problems(c.form.entity.cert_number.trim(), &c.form.entity.unit_name, &domains) {
            let path = if e.path == "domains" { "websites[0].domains" } else { "entity.cert_number" };
            bad.push(c.error_at(path, e.message));
        }
        if let Some(licence) = filed.get(c.form.entity.cert_number.trim()) {
            let (zh, en) = if licence.is_empty() { (String::new(), String::new()) } else { (format!("（{licence}）"), format!(" ({licence})")) };
            bad.push(c.error_at(
                "entity.cert_number",
                Message::new(
                    format!("该主办单位已备案{zh}：它的新网站请用“代为录入”办理新增网站，不能批量导入"),
                    format!("This sponsor is already filed{en}: file its new websites as a new website, not by import"),
                ),
            ));
        }
        if !filed.contains_key(c.form.entity.cert_number.trim()) && pending.contains(c.form.entity.cert_number.trim()) {
            bad.push(c.error_at(
                "entity.cert_number",
                Message::new(
                    "该证件号码的主办单位已有一份正在办理的首次备案：请等它办结后，再为新网站办理新增网站",
                    "A first filing of this sponsor is already under way: once it is decided, file new websites as a new website",
                ),
            ));
        }
        for (w, site) in c.form.websites.iter().enumerate() {
            for d in crate::domain::filing::parsed_domains(site) {
                if let Some(l) = taken.get(&d.ascii) {
                    let m = match l {
                        Some(l) => Message::new(format!("域名 {} 已备案（{l}），不能再次备案", d.unicode), format!("{} is already filed ({l})", d.unicode)),
                        None => Message::new(format!("域名 {} 已在另一份正在审核的备案申请中", d.unicode), format!("{} is in another filing under review", d.unicode)),
                    };
                    bad.push(c.error_at(&format!("websites[{w}].domains"), m));
                }
            }
        }
        if bad.is_empty() {
            out.push(c);
        } else {
            *refused += 1;
            errors.extend(bad);
        }
    }
    Ok(out)
}

/// First passwords hashed on two blocking threads (the machine's cores).
async fn hash_all(passwords: Vec<String>) -> Result<Vec<String>, AppError> {
    let half = passwords.len().div_ceil(2).max(1);
    let mut tasks = Vec::new();
    for part in passwords.chunks(half) {
        let part = part.to_vec();
        tasks.push(tokio::task::spawn_blocking(move || part.iter().map(|p| super::accounts::hash_generated(p)).collect::<Result<Vec<_>, _>>()));
    }
    let mut out = Vec::with_capacity(passwords.len());
    for t in tasks {
        out.extend(t.await.map_err(|_| AppError::Internal)?.map_err(|_| AppError::Internal)?);
    }
    Ok(out)
}

/// Write filings in one transaction: for each, the client's account, the
/// application at 待核实 with its domain claims, the audit events of its
/// making (submitted by the provider, account made) and the messages to
/// its 负责人.
#[derive(Debug, Clone, SurrealValue)]
struct AccountRow {
    id: RecordId,
    username: String,
    password_hash: String,
    role: String,
    contact_name: String,
    mobile: String,
    email: String,
    status: String,
    must_change_password: bool,
    created_by: RecordId,
}

#[derive(Debug, Clone, SurrealValue)]
struct ApplicationRow {
    id: RecordId,
    kind: String,
    status: String,
    registrant: RecordId,
    on_behalf: RecordId,
    draft: String,
    step: i64,
    domains: Vec<String>,
    cert_number: String,
    unit_name: String,
    province: Option<i64>,
    submitted_at: Datetime,
    version: i64,
}

#[derive(Debug, Clone, SurrealValue)]
struct ClaimRow {
    domain: String,
    application: RecordId,
}

#[derive(Debug, Clone, SurrealValue)]
struct AuditRow {
    application: RecordId,
    account: Option<RecordId>,
    actor: RecordId,
    role: String,
    action: String,
    from_status: Option<String>,
    to_status: Option<String>,
    comment: String,
}

/// Why a transaction of [`write`] was refused.
enum Refusal {
    /// A domain claimed by another filing (the UNIQUE index on domain claims).
    Domain,
    /// A generated username taken (the UNIQUE index on usernames).
    Username,
    /// A fixed record id taken: the same rows written before.
    Exists,
    Other,
}

async fn write(im: &Importer, chunk: &[Ready], batch: &str, to: ApplicationStatus, action: Action) -> Result<(), Refusal> {
    let me = &im.me;
    let now = {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Datetime::from_timestamp(d.as_secs() as i64, d.subsec_nanos()).unwrap_or_default()
    };
    let (mut accounts, mut applications, mut claims, mut events) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut notes: Vec<Note> = Vec::new();
    for r in chunk {
        let form = &r.candidate.form;
        let leader = &form.entity.leader;
        let unit = form.entity.unit_name.trim().to_string();
        let domains = crate::domain::filing::filing_domains(form);
        notes.extend(Note::both(
            leader.mobile.trim(),
            leader.email.trim(),
            "ICP备案系统账户已创建 / Your filing account",
            &format!(
                "【ICP备案】接入服务商（{p}）已为{unit}录入备案（{d}），并为您创建了备案系统账户，用户名：{u}。初始密码由接入服务商告知，首次登录须修改密码。备案等待接入服务商核实。The provider {p} filed for {unit} and made you an account, username {u}; it gives you the first password, which you change at the first sign-in. The filing now awaits the provider's verification.",
                p = im.settings.provider_name,
                d = domains.join("、"),
                u = r.username,
            ),
        ));
        let (acc, app) = (RecordId::new("account", r.account_key.as_str()), RecordId::new("application", r.app_key.as_str()));
        accounts.push(AccountRow {
            id: acc.clone(),
            username: r.username.clone(),
            password_hash: r.hash.clone(),
            role: "registrant".into(),
            contact_name: leader.name.trim().to_string(),
            mobile: leader.mobile.trim().to_string(),
            email: leader.email.trim().to_string(),
            status: "active".into(),
            must_change_password: true,
            created_by: me.id.clone(),
        });
        claims.extend(domains.iter().map(|d| ClaimRow { domain: d.clone(), application: app.clone() }));
        applications.push(ApplicationRow {
            id: app.clone(),
            kind: BusinessKind::FirstFiling.code().to_string(),
            status: to.code().to_string(),
            registrant: acc.clone(),
            on_behalf: me.id.clone(),
            draft: serde_json::to_string(form).map_err(|_| Refusal::Other)?,
            step: 5,
            domains,
            cert_number: form.entity.cert_number.trim().to_string(),
            unit_name: unit,
            province: form.entity.province.trim().parse::<i64>().ok(),
            submitted_at: now.clone(),
            version: 1,
        });
        let event = |action: &str, from: Option<&str>, to: Option<&str>, account: Option<RecordId>, comment: &str| AuditRow {
            application: app.clone(),
            account,
            actor: me.id.clone(),
            role: "provider".into(),
            action: action.to_string(),
            from_status: from.map(str::to_string),
            to_status: to.map(str::to_string),
            comment: comment.to_string(),
        };
        // One event for the filing's making and submission (it was never a
        // draft anyone could see), one for the account.
        events.push(event(action.code(), Some("draft"), Some(to.code()), None, batch));
        events.push(event("account_created", None, None, Some(acc), "批量导入：为主办者创建备案系统账户"));
    }
    // Bulk inserts, one statement a table: the same rows a FOR loop of
    // CREATEs would make, several times faster.
    let q = "BEGIN;
         INSERT INTO account $accounts RETURN NONE;
         INSERT INTO application $applications RETURN NONE;
         INSERT INTO domain_claim $claims RETURN NONE;
         INSERT INTO audit_event $events RETURN NONE;
         INSERT INTO outbox $notes RETURN NONE;
         COMMIT;";
    let notes = outbox::notes_value(&notes);
    let res = retrying(|| async {
        im.db
            .query(q)
            .bind(("accounts", accounts.clone()))
            .bind(("applications", applications.clone()))
            .bind(("claims", claims.clone()))
            .bind(("events", events.clone()))
            .bind(("notes", notes.clone()))
            .await
            .and_then(tx_check)
    })
    .await;
    match res {
        Ok(_) => Ok(()),
        Err(e) => Err(match super::db::classify(&e) {
            super::db::Failure::Unique(index) if index.contains("username") => Refusal::Username,
            super::db::Failure::Unique(_) => Refusal::Domain,
            super::db::Failure::Exists => Refusal::Exists,
            _ => {
                tracing::error!(error = %e, "import write failed");
                Refusal::Other
            }
        }),
    }
}

/// The problems as a workbook: sheet, row, column, filing, reason.
pub fn problems_file(problems: &[ImportProblem], total: usize) -> Result<Vec<u8>, AppError> {
    let header = ["工作表", "行号", "列", "主体序号", "错误原因", "Reason"];
    let rows = problems.iter().map(|p| vec![p.sheet.clone(), p.line.to_string(), p.column.clone(), p.filing.clone(), p.message.zh.clone(), p.message.en.clone()]);
    let mut note = "改正以上各行后，可只把这些备案重新导入；已导入的备案不要重复导入。".to_string();
    if total > problems.len() {
        note.push_str(&format!("共 {total} 个问题，此处列出前 {} 个。", problems.len()));
    }
    super::sheets::xlsx("导入失败原因", &header, rows, Some(&note))
}

fn accounts_file(imported: &[Ready]) -> Result<Vec<u8>, AppError> {
    let header = ["主体序号", "主办单位名称", "网站域名", "用户名", "初始密码", "申请编号"];
    let rows = imported.iter().map(|r| {
        vec![
            r.candidate.key.clone(),
            r.candidate.form.entity.unit_name.clone(),
            crate::domain::filing::filing_domains(&r.candidate.form).join(" "),
            r.username.clone(),
            r.password.clone(),
            r.app_key.clone(),
        ]
    });
    super::sheets::xlsx("新建账户", &header, rows, Some("初始密码只在此文件中提供一次，请妥善保管并分别告知各主办者；首次登录须修改密码。"))
}

// ---------------------------------------------------------------- sample files

/// Filings as a workbook in the template's layout: the inverse of reading
/// (each column's value taken from the form the way `check_book` puts it
/// there). `skip_access` leaves out the 接入 rows of those filings.
pub fn workbook_of(filings: &[(String, crate::domain::filing::FilingForm)], skip_access: &[usize]) -> Result<Vec<u8>, AppError> {
    use crate::domain::filing::{flag_of, ids_of, text_of};
    let mut book = Workbook::new();
    let mut sheets: Vec<(Part, Vec<Vec<String>>)> = Part::ALL.iter().map(|p| (*p, Vec::new())).collect();
    let cell = |form: &crate::domain::filing::FilingForm, c: &Column, path: &str| -> String {
        match c.kind {
            Kind::Key | Kind::Parent => String::new(),
            Kind::Text | Kind::Date => text_of(form, path).cloned().unwrap_or_default(),
            Kind::Lines => text_of(form, path).map(|t| t.lines().collect::<Vec<_>>().join("；")).unwrap_or_default(),
            Kind::DateOrLongTerm => {
                if flag_of(form, &path.replace("valid_to", "long_term")).copied().unwrap_or(false) {
                    "长期".into()
                } else {
                    text_of(form, path).cloned().unwrap_or_default()
                }
            }
            Kind::One(List::YesNo) => if flag_of(form, path).copied().unwrap_or(false) { "是" } else { "否" }.into(),
            Kind::One(list) => {
                // A value outside the list is written as it is (sample mistakes).
                let raw = text_of(form, path).cloned().unwrap_or_default();
                let id = raw.trim().parse::<u8>().ok();
                list.entries().iter().find(|(i, _)| Some(*i) == id).map(|(_, t)| t.zh.to_string()).unwrap_or(raw)
            }
            Kind::Many(list) => {
                let ids = ids_of(form, path).cloned().unwrap_or_default();
                let mut names: Vec<String> = ids.iter().filter_map(|i| list.entries().iter().find(|(e, _)| e == i).map(|(_, t)| t.zh.to_string())).collect();
                if list == List::PreApproval && flag_of(form, &path.replace("pre_approvals", "no_pre_approval")).copied().unwrap_or(false) {
                    names.push(import::NONE_OF_THESE.zh.to_string());
                }
                names.join("、")
            }
        }
    };
    let mut site_no = 0usize;
    for (n, (key, form)) in filings.iter().enumerate() {
        let row: Vec<String> = Part::Entity.columns().iter().map(|c| if c.kind == Kind::Key { key.clone() } else { cell(form, c, &format!("entity.{}", c.path)) }).collect();
        sheets[0].1.push(row);
        for (w, site) in form.websites.iter().enumerate() {
            site_no += 1;
            let skey = site_no.to_string();
            let prefix = format!("websites[{w}].");
            let same = site.same_leader;
            let row = Part::Website
                .columns()
                .iter()
                .map(|c| match c.kind {
                    Kind::Key => skey.clone(),
                    Kind::Parent => key.clone(),
                    // A leader "同主体负责人" leaves the leader's columns empty.
                    _ if same && c.path.starts_with("leader.") => String::new(),
                    _ => cell(form, c, &format!("{prefix}{}", c.path)),
                })
                .collect();
            sheets[1].1.push(row);
            if !skip_access.contains(&n) {
                let row = Part::Access.columns().iter().map(|c| if c.kind == Kind::Parent { skey.clone() } else { cell(form, c, &format!("{prefix}{}", c.path)) }).collect();
                sheets[2].1.push(row);
            }
        }
    }
    let head = Format::new().set_bold();
    for (part, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(part.sheet()).map_err(failed)?;
        for (i, c) in part.columns().iter().enumerate() {
            ws.write_string_with_format(0, i as u16, c.header, &head).map_err(failed)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, i as u16, v).map_err(failed)?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(failed)
}

/// A sample import of `filings` new enterprise filings (one website each,
/// valid check digits, domains unique to `seed`), every `bad_every`-th one
/// with mistakes of three kinds in turn: a mobile number one digit short
/// and a 主办单位性质 not in its list; a domain repeated from the filing
/// before; no 接入 row. For tests, the benchmark and trying the page.
pub fn sample(filings: usize, seed: u64, provider: &str, bad_every: usize) -> Result<Vec<u8>, AppError> {
    use super::seed::{base36, mobile, public_ip, resident_id, uscc, Rng, BRAND, BRAND_PINYIN, TRADE};
    let mut rng = Rng::new(seed);
    let run = base36(seed);
    let mut out: Vec<(String, crate::domain::filing::FilingForm)> = Vec::with_capacity(filings);
    let mut skip = Vec::new();
    let mut bad_kind = 0;
    for i in 0..filings {
        let b = rng.below(BRAND.len() as u64) as usize;
        let (trade, suffix) = *rng.pick(&TRADE);
        let province = *rng.pick(&[11u8, 31, 44, 51, 33]);
        let pname = crate::domain::codes::province_by_code(province).map(|p| p.name.zh).unwrap_or("北京");
        let domain = format!("{}{run}x{}.cn", BRAND_PINYIN[b], base36(i as u64));
        let mut form: crate::domain::filing::FilingForm = serde_json::from_value(serde_json::json!({
            "entity": {
                "unit_name": format!("{pname}{}{trade}有限公司", BRAND[b]), "nature": "4", "cert_type": "12", "cert_number": uscc(&mut rng, province),
                "cert_address": format!("{pname}市中心大道{}号", 1 + rng.below(999)), "province": province.to_string(),
                "address": format!("{pname}市中心大道{}号", 1 + rng.below(999)), "investor": format!("{}控股集团", BRAND[b]),
                "leader": { "name": "李明", "cert_type": "1", "cert_number": resident_id(&mut rng, province), "valid_from": "20200101", "long_term": true,
                            "mobile": mobile(&mut rng), "phone": "010-62345678", "emergency_phone": mobile(&mut rng), "email": format!("{}{run}{}@example.com", BRAND_PINYIN[b], base36(i as u64)) }
            },
            "websites": [{
                "name": format!("{}{suffix}", BRAND[b]), "domains": domain, "home_urls": format!("www.{domain}"), "content_types": [14],
                "no_pre_approval": true, "language": "1", "same_leader": true,
                "access": { "provider_name": provider, "method": "3", "ips": public_ip(&mut rng), "server_province": province.to_string() }
            }]
        }))
        .map_err(|_| AppError::Internal)?;
        if bad_every > 0 && (i + 1) % bad_every == 0 {
            match bad_kind % 3 {
                0 => {
                    form.entity.leader.mobile.pop();
                    form.entity.nature = "公司".into();
                }
                1 if i > 0 => {
                    let before: &crate::domain::filing::FilingForm = &out[i - 1].1;
                    form.websites[0].domains = before.websites[0].domains.clone();
                    form.websites[0].home_urls = before.websites[0].home_urls.clone();
                }
                _ => skip.push(i),
            }
            bad_kind += 1;
        }
        out.push(((i + 1).to_string(), form));
    }
    workbook_of(&out, &skip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn an_archive_that_unpacks_past_the_limit_is_refused_by_what_it_unpacks_to() {
        // 3 MB of zeros packs into a few KB: over a 2 MB limit.
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", vec![0u8; 3 * 1024 * 1024])]);
        assert!(bomb.len() < 20 * 1024, "{}", bomb.len());
        let e = measure_with(&bomb, 2 * 1024 * 1024).unwrap_err();
        assert!(matches!(&e, AppError::TooLarge(m) if m.zh.contains("解压后超过 2 MB")), "{e:?}");
        // Declared sizes that lie: the same archive with every size field
        // patched to say 1 KB is still measured by what it unpacks to.
        let mut liar = bomb.clone();
        let real = (3 * 1024 * 1024u32).to_le_bytes();
        let mut i = 0;
        while let Some(at) = liar[i..].windows(4).position(|w| w == real) {
            liar[i + at..i + at + 4].copy_from_slice(&1024u32.to_le_bytes());
            i += at + 4;
        }
        assert!(i > 0, "patched the declared sizes");
        assert!(measure_with(&liar, 2 * 1024 * 1024).is_err());
        // Several entries add up.
        let two = zip_of(&[("a.xml", vec![b' '; 1024 * 1024 + 10]), ("b.xml", vec![b' '; 1024 * 1024])]);
        assert!(measure_with(&two, 2 * 1024 * 1024).is_err());
        assert!(measure_with(&two, 3 * 1024 * 1024).is_ok());
    }

    #[test]
    fn a_shared_string_table_declaring_too_many_strings_is_refused_before_calamine_reserves_them() {
        let sst = br#"<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount="10000000000000"><si><t>a</t></si></sst>"#.to_vec();
        let bomb = zip_of(&[("xl/SharedStrings.xml", sst)]);
        assert!(matches!(measure(&bomb), Err(AppError::TooLarge(_))));
        let fine = zip_of(&[("xl/sharedStrings.xml", br#"<sst count='3' uniqueCount='2'><si><t>count="7"</t></si></sst>"#.to_vec())]);
        assert!(measure(&fine).is_ok());
        assert_eq!(declared_strings(b"<sst uniqueCount=\"99999999999999999999999\">"), Some(u64::MAX));
    }

    fn book_with(tune: impl Fn(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut book = Workbook::new();
        for part in Part::ALL {
            let ws = book.add_worksheet();
            ws.set_name(part.sheet()).unwrap();
            for (i, c) in part.columns().iter().enumerate() {
                ws.write_string(0, i as u16, c.header).unwrap();
            }
            if part == Part::Entity {
                ws.write_string(1, 0, "1").unwrap();
                tune(ws);
            }
        }
        book.save_to_buffer().unwrap()
    }

    fn refusal(bytes: &[u8]) -> String {
        match read(bytes) {
            Err(AppError::BadRequest(m)) | Err(AppError::TooLarge(m)) => m.zh,
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn cells_far_away_under_no_heading_or_under_a_repeated_heading_are_refused() {
        // The last cell of a sheet: read cell by cell, never as a range.
        assert!(refusal(&book_with(|ws| { ws.write_string(1_048_575, 16_383, "x").unwrap(); })).contains("超出模板的范围"));
        assert!(refusal(&book_with(|ws| { ws.write_string(5, 30, "x").unwrap(); })).contains("这一列没有表头"));
        assert!(refusal(&book_with(|ws| { ws.write_string(0, 19, "手机号码").unwrap(); })).contains("出现了不止一次"));
        // A blank far away is nothing.
        let (book, _) = read(&book_with(|ws| { ws.write_string(90_000, 2, " ").unwrap(); })).unwrap();
        assert_eq!(book.entities.len(), 1);
        // A stray space above the header is not the header.
        let mut b = Workbook::new();
        for part in Part::ALL {
            let ws = b.add_worksheet();
            ws.set_name(part.sheet()).unwrap();
            ws.write_string(0, 0, " ").unwrap();
            for (i, c) in part.columns().iter().enumerate() {
                ws.write_string(2, i as u16, c.header).unwrap();
            }
            ws.write_string(3, 0, "1").unwrap();
        }
        let (book, _) = read(&b.save_to_buffer().unwrap()).unwrap();
        assert_eq!(book.entities[0].line, 4, "rows are numbered as Excel shows them");
    }

    #[test]
    fn files_that_are_not_xlsx_are_told_so() {
        let msg = |bytes: &[u8]| match read(bytes) {
            Err(AppError::BadRequest(m)) => m.zh,
            other => panic!("{:?}", other.map(|_| ())),
        };
        assert!(msg(b"%PDF-1.7 hello").contains("不是 .xlsx"));
        assert!(msg(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0]).contains("另存为"));
        assert!(msg(&zip_of(&[("hello.txt", b"hi".to_vec())])).contains("不是 .xlsx"));
        let mut cut = sample(3, 1, "p", 0).unwrap();
        cut.truncate(cut.len() / 2);
        assert!(msg(&cut).contains("不是 .xlsx"));
    }

    #[test]
    fn the_template_has_every_sheet_and_column_and_reads_back_empty() {
        let t = template("示例云").unwrap();
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(t.clone())).unwrap();
        assert_eq!(wb.sheet_names(), vec![HELP_SHEET, "主体", "网站", "接入", CODE_SHEET]);
        let hidden: Vec<_> = wb.sheets_metadata().iter().filter(|s| s.visible != calamine::SheetVisible::Visible).map(|s| s.name.clone()).collect();
        assert_eq!(hidden, vec![CODE_SHEET.to_string()]);
        for part in Part::ALL {
            let r = wb.worksheet_range(part.sheet()).unwrap();
            let header: Vec<String> = r.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
            assert_eq!(header, part.columns().iter().map(|c| c.header.to_string()).collect::<Vec<_>>());
        }
        let codes = wb.worksheet_range(CODE_SHEET).unwrap();
        let natures: Vec<String> = codes.rows().skip(1).filter_map(|r| r.first().map(|c| c.to_string())).filter(|s| !s.is_empty()).collect();
        assert_eq!(natures.len(), crate::domain::codes::NATURES.len());
        match read(&t) {
            Err(AppError::BadRequest(m)) => assert!(m.zh.contains("没有数据行"), "{}", m.zh),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_sample_reads_back_into_the_forms_it_was_made_from() {
        let bytes = sample(30, 5, "示例云", 0).unwrap();
        let (book, maps) = read(&bytes).unwrap();
        assert_eq!((book.entities.len(), book.websites.len(), book.access.len()), (30, 30, 30));
        let checked = crate::domain::import::check_book(&book, &maps, "示例云", Some(today()));
        assert!(checked.errors.is_empty(), "{:?}", &checked.errors[..checked.errors.len().min(5)]);
        assert_eq!(checked.ready.len(), 30);
        // With mistakes: every 3rd of 30 is bad, in three kinds.
        let (book, maps) = read(&sample(30, 5, "示例云", 3).unwrap()).unwrap();
        let checked = crate::domain::import::check_book(&book, &maps, "示例云", Some(today()));
        assert_eq!((checked.ready.len(), checked.refused), (20, 10));
    }
}
