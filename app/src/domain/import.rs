//! 批量导入 (seed 001 §1.3.2): the template's sheets and columns, and how
//! the rows of an uploaded workbook become filing forms checked by the very
//! rules the wizard uses (`filing::check_through`). Pure: the server reads
//! the .xlsx into [`Book`] and looks up what only the database knows
//! (filed entities, claimed domains); everything else is decided here.
//!
//! One filing is one row of 主体, the rows of 网站 that name its 序号, and
//! for each website one row of 接入. A filing is imported whole or not at
//! all (a sponsor never gets half of what it asked to file); filings are
//! independent of each other, so one bad row never holds back the rest.

use super::codes;
use super::date::Date;
use super::error::FieldError;
use super::filing::{self, FilingForm, WebsiteForm, STEP_ACCESS};
use super::text::{Message, Text};

/// The largest file the import takes (10 000 filings fill about 2 MB).
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// The most rows one sheet may have.
pub const MAX_SHEET_ROWS: usize = 20_000;
/// The most an unpacked workbook may weigh (a zip bomb stops here): a full
/// template of 20 000 rows a sheet unpacks to about 60 MB.
pub const MAX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;
/// The most columns a sheet may use (the template has at most 20).
pub const MAX_COLUMNS: u32 = 64;
/// The lowest row a sheet may use (rows of data, blank rows and the header).
pub const MAX_ROW_INDEX: u32 = 100_000;
/// The most characters kept of one cell (one more than any field takes, so
/// that the rules still say it is too long).
pub const MAX_CELL_CHARS: usize = super::filing::MAX_TEXT_CHARS + 1;
/// The most text all cells of a file may hold, in bytes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// The most distinct strings a workbook's shared-string table may declare.
pub const MAX_SHARED_STRINGS: u64 = 2_000_000;
/// The most problems reported for one file (the rest are counted).
pub const MAX_PROBLEMS: usize = 10_000;
/// The name the template is handed out under.
pub const TEMPLATE_NAME: &str = "批量导入模板.xlsx";

/// The three parts of a filing, one sheet each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Entity,
    Website,
    Access,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Entity, Part::Website, Part::Access];

    /// The sheet's name in the template (and in an uploaded file).
    pub fn sheet(self) -> &'static str {
        match self {
            Part::Entity => "主体",
            Part::Website => "网站",
            Part::Access => "接入",
        }
    }

    pub fn name(self) -> Text {
        match self {
            Part::Entity => Text::new("主体", "Entity"),
            Part::Website => Text::new("网站", "Website"),
            Part::Access => Text::new("接入", "Access"),
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Part::Entity => &ENTITY_COLUMNS,
            Part::Website => &WEBSITE_COLUMNS,
            Part::Access => &ACCESS_COLUMNS,
        }
    }
}

/// The code lists a column draws from (the template's drop-downs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Nature,
    CertType,
    PersonCert,
    Province,
    PreApproval,
    Method,
    Content,
    Language,
    YesNo,
}

impl List {
    pub const ALL: [List; 9] = [List::Nature, List::CertType, List::PersonCert, List::Province, List::PreApproval, List::Method, List::Content, List::Language, List::YesNo];

    /// The entries: the id the form keeps and the name a person picks.
    pub fn entries(self) -> Vec<(u8, Text)> {
        match self {
            List::Nature => codes::NATURES.iter().map(|n| (n.id, n.name)).collect(),
            List::CertType => codes::CERT_TYPES.iter().map(|c| (c.id, c.name)).collect(),
            List::PersonCert => codes::CERT_TYPES.iter().filter(|c| c.personal).map(|c| (c.id, c.name)).collect(),
            List::Province => codes::PROVINCES.iter().map(|p| (p.code, p.name)).collect(),
            List::PreApproval => {
                let mut v: Vec<(u8, Text)> = codes::PRE_APPROVAL_TYPES.iter().map(|t| (t.id, t.name)).collect();
                v.push((0, NONE_OF_THESE));
                v
            }
            List::Method => codes::ACCESS_METHODS.to_vec(),
            List::Content => codes::CONTENT_TYPES.to_vec(),
            List::Language => codes::LANGUAGES.to_vec(),
            List::YesNo => vec![(1, Text::new("是", "Yes")), (0, Text::new("否", "No"))],
        }
    }

    /// What the list is, for messages.
    pub fn label(self) -> Text {
        match self {
            List::Nature => Text::new("主办单位性质", "sponsor type"),
            List::CertType => Text::new("证件类型", "certificate type"),
            List::PersonCert => Text::new("负责人证件类型", "personal certificate type"),
            List::Province => Text::new("省份", "province"),
            List::PreApproval => Text::new("前置审批项目", "pre-approval item"),
            List::Method => Text::new("接入方式", "access method"),
            List::Content => Text::new("服务内容", "service content"),
            List::Language => Text::new("网站语言", "language"),
            List::YesNo => Text::new("是或否", "yes or no"),
        }
    }

    /// The id of a value as typed: the Chinese or English name (as in the
    /// drop-down, case and spaces aside) or the code itself.
    pub fn find(self, value: &str) -> Option<u8> {
        let v = value.trim();
        let entries = self.entries();
        if let Some((id, _)) = entries.iter().find(|(_, t)| t.zh == v || t.en.eq_ignore_ascii_case(v)) {
            return Some(*id);
        }
        if self == List::YesNo {
            return match v.to_ascii_lowercase().as_str() {
                "y" | "true" | "1" | "√" => Some(1),
                "n" | "false" | "0" | "×" => Some(0),
                _ => None,
            };
        }
        let n: u8 = v.parse().ok()?;
        entries.iter().any(|(id, _)| *id == n).then_some(n)
    }
}

/// "以上都不涉及": a website that needs no 前置审批, said explicitly.
pub const NONE_OF_THESE: Text = Text::new("以上都不涉及", "None of these");

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The row's own 序号 (unique in its sheet).
    Key,
    /// The 序号 of the row it belongs to (网站 → 主体, 接入 → 网站).
    Parent,
    Text,
    /// Several values (domains, URLs, IPs), one per line or separated by ；、，
    Lines,
    One(List),
    Many(List),
    /// A date as YYYYMMDD; the end date may be 长期.
    Date,
    DateOrLongTerm,
}

/// One column of a sheet: its header, the form field it fills (relative to
/// its part: `leader.mobile`, `access.ips`), what it holds and a line of help.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub en: &'static str,
    pub path: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

const fn col(header: &'static str, en: &'static str, path: &'static str, kind: Kind, help: &'static str) -> Column {
    Column { header, en, path, kind, help }
}

const LEADER_HELP: &str = "主体负责人：单位为法定代表人或主要负责人，个人为本人";

pub const ENTITY_COLUMNS: [Column; 19] = [
    col("序号", "No.", "", Kind::Key, "本表内唯一，网站表的“主体序号”引用它，如 1、2、3"),
    col("主办单位名称", "Sponsor name", "unit_name", Kind::Text, "与证件上的名称一致；个人填写本人姓名"),
    col("主办单位性质", "Sponsor type", "nature", Kind::One(List::Nature), "从下拉列表选择"),
    col("主办单位证件类型", "Certificate type", "cert_type", Kind::One(List::CertType), "须与主办单位性质相符，如企业选“营业执照（个人或企业）”"),
    col("主办单位证件号码", "Certificate number", "cert_number", Kind::Text, "统一社会信用代码18位；个人为身份证号"),
    col("证件住所", "Certificate address", "cert_address", Kind::Text, "证件上的地址"),
    col("通信地址省份", "Mailing address province", "province", Kind::One(List::Province), "从下拉列表选择；决定由哪个省通信管理局审核"),
    col("通信地址", "Mailing address", "address", Kind::Text, "详细到门牌号"),
    col("投资者或上级主管单位", "Investor or parent body", "investor", Kind::Text, "单位必填；个人可空"),
    col("负责人姓名", "Leader name", "leader.name", Kind::Text, LEADER_HELP),
    col("负责人证件类型", "Leader certificate type", "leader.cert_type", Kind::One(List::PersonCert), "单位的负责人必填；个人可空（即主办单位证件）"),
    col("负责人证件号码", "Leader certificate number", "leader.cert_number", Kind::Text, "单位的负责人必填；个人可空"),
    col("证件有效期起", "Valid from", "leader.valid_from", Kind::Date, "YYYYMMDD，如 20200101"),
    col("证件有效期止", "Valid to", "leader.valid_to", Kind::DateOrLongTerm, "YYYYMMDD，或填“长期”"),
    col("手机号码", "Mobile", "leader.mobile", Kind::Text, "11位手机号码；账户通知发往此号码"),
    col("办公电话", "Office phone", "leader.phone", Kind::Text, "带区号，如 010-12345678"),
    col("应急联系电话", "Emergency phone", "leader.emergency_phone", Kind::Text, "与手机号码不同的号码"),
    col("电子邮箱", "E-mail", "leader.email", Kind::Text, "账户通知发往此邮箱"),
    col("备注", "Remark", "remark", Kind::Text, "个人备案须用20至200字说明网站内容"),
];

pub const WEBSITE_COLUMNS: [Column; 20] = [
    col("网站序号", "Website No.", "", Kind::Key, "本表内唯一，接入表的“网站序号”引用它"),
    col("主体序号", "Entity No.", "", Kind::Parent, "该网站所属主体在“主体”表中的序号"),
    col("网站名称", "Website name", "name", Kind::Text, "4至30个字，不能是域名或纯数字"),
    col("网站域名", "Domains", "domains", Kind::Lines, "不带 www 的域名，多个用换行或“；”分隔，最多10个"),
    col("首页URL", "Home page URLs", "home_urls", Kind::Lines, "如 www.example.com，须在上面的域名下"),
    col("服务内容", "Service content", "content_types", Kind::Many(List::Content), "从下拉列表选择；多项用“、”分隔，最多5项"),
    col("前置审批项目", "Pre-approval items", "pre_approvals", Kind::Many(List::PreApproval), "不涉及请选“以上都不涉及”；多项用“、”分隔"),
    col("前置审批文号", "Pre-approval number", "pre_approval_number", Kind::Text, "涉及前置审批时必填"),
    col("网站语言", "Language", "language", Kind::One(List::Language), "从下拉列表选择"),
    col("网站负责人同主体负责人", "Same leader as entity", "same_leader", Kind::One(List::YesNo), "选“是”时以下负责人各列留空"),
    col("网站负责人姓名", "Site leader name", "leader.name", Kind::Text, "选“否”时必填"),
    col("网站负责人证件类型", "Site leader certificate type", "leader.cert_type", Kind::One(List::PersonCert), "选“否”时必填"),
    col("网站负责人证件号码", "Site leader certificate number", "leader.cert_number", Kind::Text, "选“否”时必填"),
    col("网站负责人证件有效期起", "Site leader valid from", "leader.valid_from", Kind::Date, "YYYYMMDD"),
    col("网站负责人证件有效期止", "Site leader valid to", "leader.valid_to", Kind::DateOrLongTerm, "YYYYMMDD，或填“长期”"),
    col("网站负责人手机号码", "Site leader mobile", "leader.mobile", Kind::Text, "11位手机号码"),
    col("网站负责人办公电话", "Site leader office phone", "leader.phone", Kind::Text, "带区号"),
    col("网站负责人应急联系电话", "Site leader emergency phone", "leader.emergency_phone", Kind::Text, "与手机号码不同"),
    col("网站负责人电子邮箱", "Site leader e-mail", "leader.email", Kind::Text, ""),
    col("网站备注", "Website remark", "remark", Kind::Text, "个人网站须用20至200字说明网站内容"),
];

pub const ACCESS_COLUMNS: [Column; 4] = [
    col("网站序号", "Website No.", "", Kind::Parent, "该接入所属网站在“网站”表中的序号，每个网站一行"),
    col("接入方式", "Access method", "access.method", Kind::One(List::Method), "从下拉列表选择"),
    col("IP地址", "IP addresses", "access.ips", Kind::Lines, "服务器的公网IP，多个用换行或“；”分隔"),
    col("服务器放置地", "Server location", "access.server_province", Kind::One(List::Province), "从下拉列表选择"),
];

/// One data row of a sheet: its row number in the workbook (as Excel shows
/// it) and its cells as text, in the template's column order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub line: u32,
    pub cells: Vec<String>,
}

impl Row {
    fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(|s| s.trim()).unwrap_or("")
    }
}

/// The rows of an uploaded workbook, sheet by sheet.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub entities: Vec<Row>,
    pub websites: Vec<Row>,
    pub access: Vec<Row>,
}

/// Where each template column is in an uploaded sheet's header row, or what
/// is wrong with the header (a missing column; one nobody knows). Columns
/// may come in any order; an unknown column is refused rather than ignored,
/// so that nothing typed is silently dropped.
pub fn map_header(part: Part, header: &[String]) -> Result<Vec<Option<usize>>, Message> {
    let clean = |s: &str| s.trim().trim_end_matches(['*', '＊']).trim().to_string();
    let found: Vec<String> = header.iter().map(|h| clean(h)).collect();
    let cols = part.columns();
    let mut missing = Vec::new();
    let mut map = Vec::with_capacity(cols.len());
    for c in cols {
        let at = found.iter().position(|h| h == c.header);
        if at.is_none() {
            missing.push(c.header);
        }
        map.push(at);
    }
    let unknown: Vec<&str> = found.iter().filter(|h| !h.is_empty() && !cols.iter().any(|c| c.header == h.as_str())).map(String::as_str).take(5).collect();
    let twice: Vec<&str> = cols.iter().filter(|c| found.iter().filter(|h| h.as_str() == c.header).count() > 1).map(|c| c.header).collect();
    if !twice.is_empty() {
        return Err(Message::new(
            format!("“{}”工作表的表头中这些列出现了不止一次：{}。请删除重复的列后重新导入。", part.sheet(), twice.join("、")),
            format!("In sheet “{}” these columns appear more than once: {}. Remove the repeats and import again.", part.sheet(), twice.join(", ")),
        ));
    }
    if missing.is_empty() && unknown.is_empty() {
        return Ok(map);
    }
    let sheet = part.sheet();
    let mut zh = format!("“{sheet}”工作表的表头与模板不一致");
    let mut en = format!("The header of sheet “{sheet}” does not match the template");
    if !missing.is_empty() {
        zh.push_str(&format!("，缺少列：{}", missing.join("、")));
        en.push_str(&format!("; missing: {}", missing.join(", ")));
    }
    if !unknown.is_empty() {
        zh.push_str(&format!("，无法识别的列：{}", unknown.join("、")));
        en.push_str(&format!("; unknown: {}", unknown.join(", ")));
    }
    zh.push_str("。请下载最新模板，按模板填写后重新导入。");
    en.push_str(". Download the current template, fill it in and import again.");
    Err(Message::new(zh, en))
}

/// A problem found in a row: the sheet, the row number, the column (when
/// one cell is at fault) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub part: Part,
    pub line: u32,
    pub column: Option<&'static str>,
    /// The 序号 of the filing (the 主体 row's) it belongs to.
    pub filing: String,
    pub message: Message,
}

/// Where each part of a candidate came from, to point errors at cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLines {
    pub website: u32,
    pub access: Option<u32>,
}

/// A filing assembled from rows that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The 主体 row's 序号.
    pub key: String,
    pub line: u32,
    pub form: FilingForm,
    pub sites: Vec<SiteLines>,
}

impl Candidate {
    /// The sheet, row and column of a field path of this filing's form
    /// (`entity.leader.mobile`, `websites[1].access.ips`), as an error there.
    pub fn error_at(&self, path: &str, message: Message) -> RowError {
        let (part, line, column) = locate(self.line, &self.sites, path);
        RowError { part, line, column, filing: self.key.clone(), message }
    }
}

fn locate(entity_line: u32, sites: &[SiteLines], path: &str) -> (Part, u32, Option<&'static str>) {
    let header = |part: Part, rel: &str| {
        // The leader's 长期 flag is the valid_to column's.
        let rel = if rel.ends_with("leader.long_term") { rel.trim_end_matches("long_term").to_string() + "valid_to" } else { rel.to_string() };
        part.columns().iter().find(|c| !c.path.is_empty() && c.path == rel).map(|c| c.header)
    };
    if let Some(rel) = path.strip_prefix("entity.") {
        return (Part::Entity, entity_line, header(Part::Entity, rel));
    }
    if let Some(rest) = path.strip_prefix("websites[") {
        if let Some((i, rel)) = rest.split_once("].") {
            if let Some(site) = i.parse::<usize>().ok().and_then(|i| sites.get(i)) {
                if rel.starts_with("access.") {
                    if let Some(a) = site.access {
                        return (Part::Access, a, header(Part::Access, rel));
                    }
                }
                return (Part::Website, site.website, header(Part::Website, rel));
            }
        }
    }
    (Part::Entity, entity_line, None)
}

/// What checking a book found: the filings ready for the database's checks,
/// and every problem of the others.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub ready: Vec<Candidate>,
    pub errors: Vec<RowError>,
    /// How many filings (主体 rows) were refused.
    pub refused: usize,
    /// Problems left out of `errors` past [`MAX_PROBLEMS`] (counted, not kept).
    pub dropped: usize,
}

fn msg_list(value: &str, list: List) -> Message {
    let value = if value.chars().count() > 40 { format!("{}…", value.chars().take(40).collect::<String>()) } else { value.to_string() };
    let l = list.label();
    Message::new(format!("“{value}”不是有效的{}，请从下拉列表中选择", l.zh), format!("“{value}” is not a valid {}; pick one from the drop-down list", l.en))
}

/// Split a cell of several values (domains, IPs): lines, ；;、，, and spaces.
fn values(cell: &str) -> Vec<&str> {
    cell.split(['\n', '\r', ';', '；', '、', ',', '，', ' ', '\u{3000}']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// Split a cell of several names from a list: as [`values`], but not on
/// spaces (English names have them: "Company showcase").
fn names(cell: &str) -> Vec<&str> {
    cell.split(['\n', '\r', ';', '；', '、', ',', '，']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// At most three values of a cell, each shortened, for a message.
fn quoted(values: &[&str]) -> String {
    let short = |v: &&str| if v.chars().count() > 20 { format!("{}…", v.chars().take(20).collect::<String>()) } else { v.to_string() };
    let mut s: Vec<String> = values.iter().take(3).map(short).collect();
    if values.len() > 3 {
        s.push("…".into());
    }
    s.join("、")
}

/// Put one row's cells into the form (`prefix` is `entity.` or
/// `websites[i].`); a value that is not in its code list is an error of
/// that cell, and the field stays empty (so the rules do not repeat it).
fn fill(form: &mut FilingForm, prefix: &str, part: Part, map: &[Option<usize>], row: &Row, errors: &mut Vec<(Option<&'static str>, Message)>) {
    for (c, at) in part.columns().iter().zip(map) {
        let value = at.map(|i| row.cell(i)).unwrap_or("");
        if c.path.is_empty() {
            continue;
        }
        let path = format!("{prefix}{}", c.path);
        match c.kind {
            Kind::Key | Kind::Parent => {}
            Kind::Text | Kind::Date => {
                if let Some(t) = filing::text_at(form, &path) {
                    *t = value.to_string();
                }
            }
            Kind::Lines => {
                if let Some(t) = filing::text_at(form, &path) {
                    *t = values(value).join("\n");
                }
            }
            Kind::DateOrLongTerm => {
                let long = matches!(value, "长期" | "长期有效" | "long-term" | "Long-term" | "long term");
                if let Some(f) = filing::flag_at(form, &path.replace("valid_to", "long_term")) {
                    *f = long;
                }
                if let Some(t) = filing::text_at(form, &path) {
                    *t = if long { String::new() } else { value.to_string() };
                }
            }
            Kind::One(list) => {
                if value.is_empty() {
                    continue;
                }
                match list.find(value) {
                    Some(id) if list == List::YesNo => {
                        if let Some(f) = filing::flag_at(form, &path) {
                            *f = id == 1;
                        }
                    }
                    Some(id) => {
                        if let Some(t) = filing::text_at(form, &path) {
                            *t = id.to_string();
                        }
                    }
                    None => errors.push((Some(c.header), msg_list(value, list))),
                }
            }
            Kind::Many(list) => {
                let mut ids = Vec::new();
                let mut unknown = Vec::new();
                for v in names(value) {
                    match list.find(v) {
                        Some(0) if list == List::PreApproval => {
                            if let Some(f) = filing::flag_at(form, &path.replace("pre_approvals", "no_pre_approval")) {
                                *f = true;
                            }
                        }
                        Some(id) if !ids.contains(&id) => ids.push(id),
                        Some(_) => {}
                        None => unknown.push(v),
                    }
                }
                // One problem per cell, however many values it holds.
                if !unknown.is_empty() {
                    errors.push((Some(c.header), msg_list(&quoted(&unknown), list)));
                }
                if let Some(l) = filing::ids_at(form, &path) {
                    *l = ids;
                }
            }
        }
    }
}

/// Check every row of a book with the wizard's rules (steps ① to ③: the
/// documents of step ④ are collected at 核实), and across rows: 序号 unique
/// and referred to, one 接入 row per website, no certificate number or
/// domain in two filings of the file. The provider's name fills every
/// 接入服务商名称. `maps` are the header maps of [`map_header`] per part.
pub fn check_book(book: &Book, maps: &[Vec<Option<usize>>; 3], provider_name: &str, today: Option<Date>) -> Checked {
    let mut out = Checked::default();
    let key_at = |part: Part, kind: Kind| -> Option<usize> {
        let i = part.columns().iter().position(|c| c.kind == kind)?;
        maps[part as usize].get(i).copied().flatten()
    };
    let key = |part: Part, kind: Kind, row: &Row| key_at(part, kind).map(|i| row.cell(i).to_string()).unwrap_or_default();
    let err = |part: Part, row: &Row, column: Option<&'static str>, filing: &str, zh: String, en: String| RowError {
        part,
        line: row.line,
        column,
        filing: filing.to_string(),
        message: Message::new(zh, en),
    };
    let header_of = |part: Part, kind: Kind| part.columns().iter().find(|c| c.kind == kind).map(|c| c.header);

    // 主体: one filing each, keyed by 序号.
    struct Draft<'a> {
        row: &'a Row,
        key: String,
        websites: Vec<(&'a Row, String)>,
        errors: Vec<RowError>,
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_key: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in &book.entities {
        let k = key(Part::Entity, Kind::Key, row);
        if k.is_empty() {
            out.errors.push(err(Part::Entity, row, header_of(Part::Entity, Kind::Key), "", "序号不能为空".into(), "the No. is required".into()));
            out.refused += 1;
            continue;
        }
        if let Some(&first) = by_key.get(&k) {
            let line = drafts[first].row.line;
            out.errors.push(err(Part::Entity, row, header_of(Part::Entity, Kind::Key), &k, format!("序号“{k}”与第{line}行重复"), format!("No. “{k}” repeats row {line}")));
            out.refused += 1;
            continue;
        }
        by_key.insert(k.clone(), drafts.len());
        drafts.push(Draft { row, key: k, websites: Vec::new(), errors: Vec::new() });
    }

    // 网站: each names its 主体.
    let mut site_keys: std::collections::HashMap<String, (usize, usize)> = std::collections::HashMap::new();
    for row in &book.websites {
        let (k, parent) = (key(Part::Website, Kind::Key, row), key(Part::Website, Kind::Parent, row));
        let Some(&d) = by_key.get(&parent) else {
            let (zh, en) = if parent.is_empty() {
                ("主体序号不能为空".to_string(), "the entity No. is required".to_string())
            } else {
                (format!("主体序号“{parent}”在“主体”工作表中不存在"), format!("entity No. “{parent}” is not in sheet “主体”"))
            };
            out.errors.push(err(Part::Website, row, header_of(Part::Website, Kind::Parent), &parent, zh, en));
            continue;
        };
        if k.is_empty() || site_keys.contains_key(&k) {
            let (zh, en) = if k.is_empty() { ("网站序号不能为空".to_string(), "the website No. is required".to_string()) } else { (format!("网站序号“{k}”重复"), format!("website No. “{k}” repeats")) };
            let e = err(Part::Website, row, header_of(Part::Website, Kind::Key), &drafts[d].key, zh, en);
            drafts[d].errors.push(e);
            continue;
        }
        site_keys.insert(k.clone(), (d, drafts[d].websites.len()));
        drafts[d].websites.push((row, k));
    }

    // 接入: one row per website.
    let mut access_of: std::collections::HashMap<(usize, usize), &Row> = std::collections::HashMap::new();
    for row in &book.access {
        let parent = key(Part::Access, Kind::Parent, row);
        let Some(&(d, w)) = site_keys.get(&parent) else {
            let (zh, en) = if parent.is_empty() {
                ("网站序号不能为空".to_string(), "the website No. is required".to_string())
            } else {
                (format!("网站序号“{parent}”在“网站”工作表中不存在"), format!("website No. “{parent}” is not in sheet “网站”"))
            };
            out.errors.push(err(Part::Access, row, header_of(Part::Access, Kind::Parent), "", zh, en));
            continue;
        };
        if let Some(first) = access_of.get(&(d, w)) {
            let line = first.line;
            let e = err(Part::Access, row, header_of(Part::Access, Kind::Parent), &drafts[d].key, format!("该网站的接入信息已在第{line}行填写，每个网站只填一行"), format!("this website's access is already on row {line}; one row per website"));
            drafts[d].errors.push(e);
            continue;
        }
        access_of.insert((d, w), row);
    }

    // Each filing: the form, the wizard's rules, then what the file itself repeats.
    let mut certs: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut domains: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for (d, draft) in drafts.into_iter().enumerate() {
        let mut errors = draft.errors;
        let mut cells = Vec::new();
        let mut form = FilingForm::default();
        fill(&mut form, "entity.", Part::Entity, &maps[0], draft.row, &mut cells);
        errors.extend(cells.drain(..).map(|(c, m)| RowError { part: Part::Entity, line: draft.row.line, column: c, filing: draft.key.clone(), message: m }));
        let mut sites = Vec::new();
        for (w, (row, _)) in draft.websites.iter().enumerate() {
            let mut site = WebsiteForm { same_leader: true, ..filing::new_website(provider_name, "") };
            site.language.clear();
            site.access.method.clear();
            form.websites.push(site);
            let prefix = format!("websites[{w}].");
            fill(&mut form, &prefix, Part::Website, &maps[1], row, &mut cells);
            // 同主体负责人 left empty with a leader of its own filled in: that leader.
            let same_at = Part::Website.columns().iter().position(|c| c.path == "same_leader").and_then(|i| maps[1].get(i).copied().flatten());
            if same_at.is_none_or(|i| row.cell(i).is_empty()) && !form.websites[w].leader.name.trim().is_empty() {
                form.websites[w].same_leader = false;
            }
            errors.extend(cells.drain(..).map(|(c, m)| RowError { part: Part::Website, line: row.line, column: c, filing: draft.key.clone(), message: m }));
            let access = access_of.get(&(d, w)).copied();
            match access {
                Some(a) => {
                    fill(&mut form, &prefix, Part::Access, &maps[2], a, &mut cells);
                    errors.extend(cells.drain(..).map(|(c, m)| RowError { part: Part::Access, line: a.line, column: c, filing: draft.key.clone(), message: m }));
                }
                None => errors.push(err(
                    Part::Website,
                    row,
                    None,
                    &draft.key,
                    format!("缺少接入信息：请在“接入”工作表填写网站序号为“{}”的一行", draft.websites[w].1),
                    format!("no access row: add one for website No. “{}” in sheet “接入”", draft.websites[w].1),
                )),
            }
            form.websites[w].access.provider_name = provider_name.to_string();
            sites.push(SiteLines { website: row.line, access: access.map(|a| a.line) });
        }
        // Certificate numbers as the type check stores them (upper case,
        // 15-digit IDs as 18, spaces out): the same sponsor is the same
        // number, here, in the database and at approval.
        if let Ok(n) = filing::normalise_cert_number(&form.entity.cert_number, today) {
            form.entity.cert_number = n;
        }
        filing::normalise(&mut form);
        let candidate = Candidate { key: draft.key.clone(), line: draft.row.line, form, sites };
        let bound = filing::bound(&candidate.form).err().map(|e| e.0).unwrap_or_default();
        let rules: Vec<FieldError> = if bound.is_empty() { filing::check_through(&candidate.form, STEP_ACCESS, &[], today).0 } else { bound };
        let no_access: Vec<String> = candidate.sites.iter().enumerate().filter(|(_, s)| s.access.is_none()).map(|(w, _)| format!("websites[{w}].access.")).collect();
        for e in rules {
            // A missing 接入 row is said once, not once per field of it.
            if no_access.iter().any(|p| e.path.starts_with(p.as_str())) {
                continue;
            }
            // A cell already reported as not in its list is not reported again.
            let located = candidate.error_at(&e.path, Message::new(e.describe(super::Lang::Zh), e.describe(super::Lang::En)));
            if !errors.iter().any(|x| x.line == located.line && x.part == located.part && x.column.is_some() && x.column == located.column) {
                errors.push(located);
            }
        }
        // The same sponsor or domain twice in one file (the first one holds
        // them, whether or not it has mistakes of its own).
        {
            let cert = candidate.form.entity.cert_number.trim().to_uppercase();
            if let Some(line) = certs.get(&cert).filter(|_| !cert.is_empty()) {
                errors.push(candidate.error_at(
                    "entity.cert_number",
                    Message::new(
                        format!("证件号码与“主体”第{line}行相同：同一主办单位的多个网站请写在同一个主体序号下"),
                        format!("the same certificate as row {line} of “主体”: put one sponsor's websites under one entity No."),
                    ),
                ));
            }
            for (w, site) in candidate.form.websites.iter().enumerate() {
                for dname in filing::parsed_domains(site) {
                    if let Some(line) = domains.get(&dname.ascii) {
                        errors.push(candidate.error_at(
                            &format!("websites[{w}].domains"),
                            Message::new(format!("域名 {} 已在“网站”第{line}行出现", dname.unicode), format!("{} is already on row {line} of “网站”", dname.unicode)),
                        ));
                    }
                }
            }
        }
        certs.entry(candidate.form.entity.cert_number.trim().to_uppercase()).or_insert(candidate.line);
        for (w, site) in candidate.form.websites.iter().enumerate() {
            for dname in filing::parsed_domains(site) {
                domains.entry(dname.ascii).or_insert(candidate.sites[w].website);
            }
        }
        if errors.is_empty() {
            out.ready.push(candidate);
        } else {
            out.refused += 1;
            let room = MAX_PROBLEMS.saturating_sub(out.errors.len());
            out.dropped += errors.len().saturating_sub(room);
            out.errors.extend(errors.into_iter().take(room));
        }
    }
    out.errors.sort_by_key(|e| (e.part as u8, e.line));
    out.dropped += out.errors.len().saturating_sub(MAX_PROBLEMS);
    out.errors.truncate(MAX_PROBLEMS);
    out
}

/// The file as chosen, checked before it is sent (in the browser) and
/// again when it arrives: an .xlsx of at most [`MAX_IMPORT_BYTES`].
pub fn check_upload(name: &str, size: usize) -> Result<(), Message> {
    let lower = name.trim().to_lowercase();
    if lower.ends_with(".xls") || lower.ends_with(".et") || lower.ends_with(".csv") || lower.ends_with(".ods") {
        return Err(Message::new("请使用模板的 .xlsx 格式：在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后再导入", "Use the template's .xlsx format: save as an Excel workbook (*.xlsx) and import that"));
    }
    if !lower.ends_with(".xlsx") {
        return Err(Message::new("只能导入按模板填写的 .xlsx 文件", "Only .xlsx files filled in from the template can be imported"));
    }
    if size == 0 {
        return Err(Message::new("文件是空的", "The file is empty"));
    }
    if size > MAX_IMPORT_BYTES {
        let mb = MAX_IMPORT_BYTES / 1024 / 1024;
        return Err(Message::new(
            format!("文件超过 {mb} MB：请分成几个文件分别导入（每个文件最多 {MAX_SHEET_ROWS} 行）"),
            format!("The file is over {mb} MB: split it into several files (at most {MAX_SHEET_ROWS} rows each)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(part: Part) -> Vec<String> {
        part.columns().iter().map(|c| c.header.to_string()).collect()
    }

    fn maps() -> [Vec<Option<usize>>; 3] {
        Part::ALL.map(|p| map_header(p, &header(p)).unwrap())
    }

    fn row(line: u32, cells: &[&str]) -> Row {
        Row { line, cells: cells.iter().map(|s| s.to_string()).collect() }
    }

    const USCC: &str = "91110108551385082Q";

    fn entity(line: u32, key: &str, cert: &str) -> Row {
        row(
            line,
            &[
                key,
                "北京示例科技有限公司",
                "企业",
                "营业执照（个人或企业）",
                cert,
                "北京市海淀区中关村大街1号",
                "北京",
                "北京市海淀区中关村大街1号",
                "北京示例控股有限公司",
                "张三",
                "居民身份证",
                "11010519491231002X",
                "20200101",
                "长期",
                "13800138000",
                "010-12345678",
                "13900139000",
                "zhang@example.com",
                "",
            ],
        )
    }

    fn website(line: u32, key: &str, parent: &str, domain: &str) -> Row {
        row(line, &[key, parent, "示例科技官网", domain, &format!("www.{domain}"), "企业展示", "以上都不涉及", "", "中文简体", "是"])
    }

    fn access(line: u32, site: &str) -> Row {
        row(line, &[site, "虚拟主机", "1.2.4.8", "北京"])
    }

    fn today() -> Option<Date> {
        Date::parse_compact("20261203")
    }

    #[test]
    fn a_good_filing_passes_with_every_field_where_the_wizard_puts_it() {
        let book = Book { entities: vec![entity(2, "1", USCC)], websites: vec![website(2, "1", "1", "example.com")], access: vec![access(2, "1")] };
        let c = check_book(&book, &maps(), "示例云", today());
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let f = &c.ready[0].form;
        assert_eq!(f.entity.nature, "4");
        assert_eq!(f.entity.cert_type, "12");
        assert_eq!(f.entity.province, "11");
        assert!(f.entity.leader.long_term);
        let w = &f.websites[0];
        assert_eq!(w.content_types, vec![14]);
        assert!(w.no_pre_approval);
        assert!(w.same_leader);
        assert_eq!(w.leader.name, "张三");
        assert_eq!(w.access.method, "3");
        assert_eq!(w.access.provider_name, "示例云");
        assert_eq!(w.access.server_province, "11");
    }

    #[test]
    fn a_wrong_cell_is_named_by_sheet_row_and_column_and_holds_back_only_its_filing() {
        let mut bad = entity(3, "2", "91110108551385082X");
        bad.cells[14] = "1380013800".into();
        let book = Book {
            entities: vec![entity(2, "1", USCC), bad],
            websites: vec![website(2, "1", "1", "example.com"), website(3, "2", "2", "example.net")],
            access: vec![access(2, "1"), access(3, "2")],
        };
        let c = check_book(&book, &maps(), "示例云", today());
        assert_eq!(c.ready.len(), 1);
        assert_eq!(c.refused, 1);
        let cols: Vec<_> = c.errors.iter().map(|e| (e.part, e.line, e.column)).collect();
        assert!(cols.contains(&(Part::Entity, 3, Some("主办单位证件号码"))), "{cols:?}");
        assert!(cols.contains(&(Part::Entity, 3, Some("手机号码"))), "{cols:?}");
        assert!(c.errors.iter().all(|e| e.filing == "2"));
    }

    #[test]
    fn a_value_outside_its_list_is_an_error_of_that_cell() {
        let mut e = entity(2, "1", USCC);
        e.cells[2] = "公司".into();
        let mut w = website(2, "1", "1", "example.com");
        w.cells[5] = "企业展示、卖菜".into();
        let book = Book { entities: vec![e], websites: vec![w], access: vec![access(2, "1")] };
        let c = check_book(&book, &maps(), "p", today());
        assert!(c.ready.is_empty());
        let nature: Vec<_> = c.errors.iter().filter(|e| e.column == Some("主办单位性质")).collect();
        assert_eq!(nature.len(), 1, "{:?}", c.errors);
        assert!(nature[0].message.zh.contains("“公司”不是有效的主办单位性质"));
        assert!(c.errors.iter().any(|e| e.part == Part::Website && e.column == Some("服务内容") && e.message.zh.contains("卖菜")));
    }

    #[test]
    fn references_keys_and_repeats_across_the_file() {
        let other = "91110000MA01ABCD1X";
        let book = Book {
            entities: vec![entity(2, "1", USCC), entity(3, "1", USCC), entity(4, "3", USCC), entity(5, "4", other)],
            websites: vec![website(2, "1", "1", "example.com"), website(3, "2", "9", "example.org"), website(4, "3", "3", "example.com"), website(5, "4", "4", "example.net")],
            access: vec![access(2, "1"), access(3, "4"), access(4, "7"), access(5, "4")],
        };
        let c = check_book(&book, &maps(), "示例云", today());
        assert_eq!(c.ready.len(), 1, "{:?}", c.errors);
        let text: Vec<String> = c.errors.iter().map(|e| format!("{}:{}:{}", e.part.sheet(), e.line, e.message.zh)).collect();
        let has = |s: &str| text.iter().any(|t| t.contains(s));
        assert!(has("主体:3:序号“1”与第2行重复"), "{text:?}");
        assert!(has("网站:3:主体序号“9”在“主体”工作表中不存在"), "{text:?}");
        assert!(has("接入:5:该网站的接入信息已在第3行填写"), "{text:?}");
        assert!(has("接入:4:网站序号“7”在“网站”工作表中不存在"), "{text:?}");
        assert!(has("缺少接入信息"), "{text:?}");
        // Entity 3 repeats entity 1's certificate and domain.
        assert!(has("主体:4:主办单位证件号码：证件号码与“主体”第2行相同") || has("主体:4:证件号码与“主体”第2行相同"), "{text:?}");
        assert!(has("网站:4:域名 example.com 已在“网站”第2行出现"), "{text:?}");
    }

    #[test]
    fn every_column_fills_a_field_the_wizard_checks_and_every_field_has_a_column() {
        let mut form = FilingForm { websites: vec![WebsiteForm::default()], ..FilingForm::default() };
        let mut seen = Vec::new();
        for part in Part::ALL {
            let prefix = if part == Part::Entity { "entity." } else { "websites[0]." };
            for c in part.columns().iter().filter(|c| !c.path.is_empty()) {
                let path = format!("{prefix}{}", c.path);
                let found = match c.kind {
                    Kind::One(List::YesNo) => filing::flag_at(&mut form, &path).is_some(),
                    Kind::Many(_) => filing::ids_at(&mut form, &path).is_some(),
                    _ => filing::text_at(&mut form, &path).is_some(),
                };
                assert!(found, "{} ({}) names no field of the form", c.header, path);
                assert!(!c.help.is_empty() || c.header.contains("邮箱"), "{} has help", c.header);
                seen.push(path);
            }
        }
        // Every field a person types in the wizard's steps ① to ③ has a column
        // (the provider's own name is filled in, never typed).
        let empty = FilingForm { websites: vec![WebsiteForm::default()], ..FilingForm::default() };
        for e in filing::check_through(&empty, STEP_ACCESS, &[], None).0 {
            let path = e.path.replace("long_term", "valid_to");
            if path == "websites[0].access.provider_name" || !path.contains('.') {
                continue;
            }
            assert!(seen.contains(&path), "{path} ({}) has no column in the template", e.label.zh);
        }
        // Headers are unique within a sheet, and every coded column's list is a code table.
        for part in Part::ALL {
            let mut h: Vec<&str> = part.columns().iter().map(|c| c.header).collect();
            h.sort();
            h.dedup();
            assert_eq!(h.len(), part.columns().len());
        }
        assert_eq!(List::Nature.entries().len(), codes::NATURES.len());
        assert_eq!(List::Content.entries().len(), codes::CONTENT_TYPES.len());
        assert!(List::PersonCert.entries().iter().all(|(id, _)| codes::cert_type(*id).is_some_and(|c| c.personal)));
    }

    #[test]
    fn headers_in_any_order_but_none_missing_or_unknown() {
        let mut h = header(Part::Access);
        h.reverse();
        let map = map_header(Part::Access, &h).unwrap();
        assert_eq!(map, vec![Some(3), Some(2), Some(1), Some(0)]);
        let mut starred = header(Part::Access);
        starred[1] = "接入方式*".into();
        assert!(map_header(Part::Access, &starred).is_ok());
        let mut wrong = header(Part::Access);
        wrong[2] = "IP".into();
        let m = map_header(Part::Access, &wrong).unwrap_err();
        assert!(m.zh.contains("缺少列：IP地址") && m.zh.contains("无法识别的列：IP"), "{}", m.zh);
    }

    #[test]
    fn lists_take_names_in_either_language_or_codes() {
        assert_eq!(List::Nature.find("企业"), Some(4));
        assert_eq!(List::Nature.find("enterprise"), Some(4));
        assert_eq!(List::Nature.find("4"), Some(4));
        assert_eq!(List::Nature.find("99"), None);
        assert_eq!(List::PersonCert.find("营业执照（个人或企业）"), None);
        assert_eq!(List::YesNo.find("否"), Some(0));
        assert_eq!(List::PreApproval.find("以上都不涉及"), Some(0));
        assert_eq!(List::Province.find("四川"), Some(51));
    }

    #[test]
    fn a_personal_filing_takes_the_persons_name_and_id() {
        let mut e = entity(2, "1", "11010519491231002X");
        e.cells[1] = "张三".into();
        e.cells[2] = "个人".into();
        e.cells[3] = "居民身份证".into();
        e.cells[8] = "".into();
        e.cells[10] = "".into();
        e.cells[11] = "".into();
        e.cells[18] = "个人技术博客，记录学习编程与开源软件使用心得的非经营性网站。".into();
        let mut w = website(2, "1", "1", "zhangsan.cn");
        w.cells[2] = "张三的技术笔记".into();
        w.cells[5] = "博客/个人空间".into();
        w.cells.resize(20, String::new());
        w.cells[19] = "个人技术博客，记录学习编程与开源软件使用心得的非经营性网站。".into();
        let book = Book { entities: vec![e], websites: vec![w], access: vec![access(2, "1")] };
        let c = check_book(&book, &maps(), "示例云", today());
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.ready[0].form.entity.leader.cert_number, "11010519491231002X");
    }

    #[test]
    fn strange_input_never_panics() {
        let junk = ["", "\u{0}", "🙂🙂", &"长".repeat(5000), "=cmd|' /C calc'!A0", "\u{202e}abc", "１２３"];
        for j in junk {
            let cells: Vec<&str> = std::iter::repeat(j).take(25).collect();
            let book = Book { entities: vec![row(2, &cells)], websites: vec![row(2, &cells)], access: vec![row(2, &cells)] };
            let c = check_book(&book, &maps(), "p", today());
            assert!(c.ready.is_empty());
        }
    }

    #[test]
    fn uploads_are_xlsx_of_bounded_size() {
        assert!(check_upload("a.xlsx", 10).is_ok());
        assert!(check_upload("A.XLSX", 10).is_ok());
        assert!(check_upload("a.xls", 10).unwrap_err().zh.contains("另存为"));
        assert!(check_upload("a.pdf", 10).is_err());
        assert!(check_upload("a.xlsx", 0).is_err());
        assert!(check_upload("a.xlsx", 100 * 1024 * 1024).unwrap_err().zh.contains("MB"));
    }
}
