//! The review of a submitted filing (seed 002 §2, seed 001 §1.3.4): the
//! fields a clerk can mark wrong and what they are called, the 核实意见 and
//! the reasons that must be given, what a returned filing must change before
//! it goes back, and the typed records an approval writes. Pure, like the
//! rest of the domain: the consoles and the server use the same rules.

use serde::{Deserialize, Serialize};

use super::codes;
use super::error::{required, Problem};
use super::filing::{fields, flag_of, ids_of, lines, parse_id, parsed_domains, site_path as split_site, text_of, FilingForm, MaterialKind};
use super::net::DomainName;
use super::text::Message;

pub const MAX_COMMENT: usize = 200;
pub const MAX_OPINION: usize = 500;
pub const MAX_MARKS: usize = 50;

/// A field the clerk marks wrong, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub path: String,
    pub comment: String,
}

/// A correction made by the provider on the registrant's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub path: String,
    pub value: String,
}

/// One line of the review screen: where the value lives, its name, its value
/// (code ids shown by name), the part of the filing it belongs to, and
/// whether the provider may correct it as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub path: String,
    pub section: Message,
    pub label: Message,
    pub value: Message,
    pub editable: bool,
}

const ENTITY_SECTION: (&str, &str) = ("主体信息", "Entity");
const ENTITY_LEADER: (&str, &str) = ("主体负责人", "Entity's responsible person");
const SITE_LEADER: (&str, &str) = ("网站负责人", "Website's responsible person");

fn entity_fields() -> [super::Field; 9] {
    [
        fields::UNIT_NAME,
        fields::NATURE,
        fields::CERT_TYPE,
        fields::CERT_NUMBER,
        fields::CERT_ADDRESS,
        fields::PROVINCE,
        fields::ADDRESS,
        fields::INVESTOR,
        fields::ENTITY_REMARK,
    ]
}

fn site_fields() -> [super::Field; 8] {
    [
        fields::SITE_NAME,
        fields::DOMAINS,
        fields::HOME_URLS,
        fields::CONTENT_TYPES,
        fields::PRE_APPROVALS,
        fields::PRE_APPROVAL_NUMBER,
        fields::LANGUAGE,
        fields::SITE_REMARK,
    ]
}

fn access_fields() -> [super::Field; 4] {
    [fields::PROVIDER_NAME, fields::METHOD, fields::IPS, fields::SERVER_PROVINCE]
}

/// Paths whose value is a code (shown by name, corrected only by the registrant).
fn is_code_path(rest: &str) -> bool {
    matches!(
        rest,
        "nature" | "cert_type" | "province" | "content_types" | "pre_approvals" | "language" | "access.method" | "access.server_province" | "leader.cert_type" | "kind" | "icon"
    ) || super::filing::platform_path(rest).is_some_and(|(_, key)| key == "platform")
}

/// The label of an APP's own field (`kind`, `icon`, `platforms[j].…`).
fn app_label(rest: &str) -> Option<(String, String)> {
    match rest {
        "kind" => return Some((fields::KIND.label.zh.into(), fields::KIND.label.en.into())),
        "icon" => return Some((fields::APP_ICON.label.zh.into(), fields::APP_ICON.label.en.into())),
        _ => {}
    }
    let (j, key) = super::filing::platform_path(rest)?;
    let (zh, en) = match key {
        "platform" => ("平台", "platform"),
        "package" => ("包名", "package name"),
        "fingerprint" => ("签名证书指纹", "certificate fingerprint"),
        "public_key" => ("公钥", "public key"),
        _ => return None,
    };
    Some((format!("APP平台{} · {zh}", j + 1), format!("Platform {} · {en}", j + 1)))
}

fn person_label(key: &str) -> Option<(&'static str, &'static str)> {
    fields::PERSON.iter().find(|(k, _, _)| *k == key).map(|(_, zh, en)| (*zh, *en))
}

/// What a person calls the field at `path`, with the website it is in:
/// "网站1 · 网站负责人 · 手机号码". None for a path that names no field.
pub fn field_label(path: &str) -> Option<Message> {
    if let Some(kind) = path.strip_prefix("materials.") {
        return MaterialKind::from_code(kind).map(|k| k.field().label.into());
    }
    if let Some(rest) = path.strip_prefix("entity.") {
        if let Some(key) = rest.strip_prefix("leader.") {
            let (zh, en) = person_label(key)?;
            return Some(Message::new(format!("{} · {zh}", ENTITY_LEADER.0), format!("{} · {en}", ENTITY_LEADER.1)));
        }
        return entity_fields().into_iter().find(|f| f.path == path).map(|f| f.label.into());
    }
    let (i, rest) = split_site(path)?;
    let (zh, en) = if let Some(key) = rest.strip_prefix("leader.") {
        let (zh, en) = person_label(key)?;
        (format!("{} · {zh}", SITE_LEADER.0), format!("{} · {en}", SITE_LEADER.1))
    } else if let Some(label) = app_label(rest) {
        label
    } else {
        let f = site_fields().into_iter().chain(access_fields()).find(|f| f.path.strip_prefix("websites[].") == Some(rest))?;
        (f.label.zh.to_string(), f.label.en.to_string())
    };
    Some(Message::new(format!("网站{} · {zh}", i + 1), format!("Website {} · {en}", i + 1)))
}

/// The value at `path` as one string, to tell whether it changed: text as
/// typed, yes/no, chosen ids, or for `materials.<kind>` the ids of the files
/// of that kind (`materials` is (kind code, file id) of every upload).
pub fn value_of(form: &FilingForm, path: &str, materials: &[(String, String)]) -> Option<String> {
    if let Some(kind) = path.strip_prefix("materials.") {
        MaterialKind::from_code(kind)?;
        let mut ids: Vec<&str> = materials.iter().filter(|(k, _)| k == kind).map(|(_, id)| id.as_str()).collect();
        ids.sort_unstable();
        return Some(ids.join(","));
    }
    if let Some(t) = text_of(form, path) {
        return Some(t.trim().to_string());
    }
    if let Some(f) = flag_of(form, path) {
        return Some(f.to_string());
    }
    ids_of(form, path).map(|ids| ids.iter().map(u8::to_string).collect::<Vec<_>>().join(","))
}

fn text_len(s: &str) -> usize {
    s.trim().chars().count()
}

/// Check the clerk's marks: at least one, each on a field of this filing,
/// each with a comment of at most 200 characters; a field marked twice keeps
/// the last comment.
pub fn check_marks(form: &FilingForm, marks: &[Mark]) -> Result<Vec<Mark>, Problem> {
    if marks.is_empty() {
        return Err(Problem::new("marks.none", "请至少标注一个有误的字段并写明原因", "mark at least one wrong field and say what is wrong"));
    }
    let out = check_draft_marks(form, marks)?;
    if let Some(m) = out.iter().find(|m| m.comment.is_empty()) {
        let label = field_label(&m.path).unwrap_or_else(|| Message::new("", ""));
        return Err(Problem::new("marks.comment", format!("请写明“{}”有什么问题", label.zh), format!("say what is wrong with '{}'", label.en)));
    }
    Ok(out)
}

/// Marks as the clerk makes them, kept before 退回修改 sends them: the same
/// fields and lengths as [`check_marks`], but none at all is fine and a mark
/// may still be waiting for its note. Trimmed; a field marked twice keeps
/// the later note.
pub fn check_draft_marks(form: &FilingForm, marks: &[Mark]) -> Result<Vec<Mark>, Problem> {
    if marks.len() > MAX_MARKS {
        return Err(Problem::new("marks.many", format!("一次最多标注{MAX_MARKS}个字段"), format!("at most {MAX_MARKS} marked fields")));
    }
    let mut out: Vec<Mark> = Vec::new();
    for m in marks {
        let label = field_label(&m.path).filter(|_| value_of(form, &m.path, &[]).is_some());
        let Some(label) = label else {
            return Err(Problem::new("marks.path", format!("标注的字段“{}”不存在", m.path), format!("the marked field '{}' does not exist", m.path)));
        };
        let comment = m.comment.trim();
        if text_len(comment) > MAX_COMMENT {
            return Err(Problem::new("marks.long", format!("“{}”的说明不能超过{MAX_COMMENT}字", label.zh), format!("the note on '{}' must be at most {MAX_COMMENT} characters", label.en)));
        }
        out.retain(|o| o.path != m.path);
        out.push(Mark { path: m.path.clone(), comment: comment.to_string() });
    }
    Ok(out)
}

/// 核实意见 (provider) or 驳回原因 (管局): required, 2 to 500 characters.
pub fn check_opinion(text: &str) -> Result<String, Problem> {
    let t = check_note(text)?;
    if t.is_empty() {
        return Err(required());
    }
    if text_len(&t) < 2 {
        return Err(Problem::new("opinion.short", "请写得具体一些（至少2个字）", "be more specific (at least 2 characters)"));
    }
    Ok(t)
}

/// 退回说明: optional, at most 500 characters; trimmed.
pub fn check_note(text: &str) -> Result<String, Problem> {
    let t = text.trim();
    if text_len(t) > MAX_OPINION {
        return Err(Problem::new("opinion.long", format!("不能超过{MAX_OPINION}字"), format!("at most {MAX_OPINION} characters")));
    }
    Ok(t.to_string())
}

/// The marked paths whose value is still what it was when marked:
/// `marked` is (path, value at marking).
pub fn unchanged_marks(marked: &[(String, String)], form: &FilingForm, materials: &[(String, String)]) -> Vec<String> {
    marked
        .iter()
        .filter(|(path, before)| value_of(form, path, materials).is_some_and(|now| now == *before))
        .map(|(path, _)| path.clone())
        .collect()
}

fn code_text(path_rest: &str, value: &str) -> Option<Message> {
    let names = |ids: Vec<Option<super::Text>>| {
        let ids: Vec<super::Text> = ids.into_iter().flatten().collect();
        Message::new(ids.iter().map(|t| t.zh).collect::<Vec<_>>().join("、"), ids.iter().map(|t| t.en).collect::<Vec<_>>().join(", "))
    };
    let id = parse_id(value);
    Some(match path_rest {
        "nature" => codes::nature(id?).map(|n| n.name)?.into(),
        "cert_type" | "leader.cert_type" => codes::cert_type(id?).map(|c| c.name)?.into(),
        "province" | "access.server_province" => codes::province_by_code(id?).map(|p| p.name)?.into(),
        "access.method" => codes::access_method(id?)?.into(),
        "language" => codes::LANGUAGES.iter().find(|(i, _)| Some(*i) == id).map(|(_, t)| *t)?.into(),
        "content_types" => names(value.split(',').filter_map(|v| parse_id(v)).map(codes::content_type).collect()),
        "pre_approvals" => names(value.split(',').filter_map(|v| parse_id(v)).map(|v| codes::pre_approval_type(v).map(|t| t.name)).collect()),
        "kind" => if value == super::filing::KIND_APP { Message::new("APP", "APP") } else { Message::new("网站", "Website") },
        // The icon is shown as a picture by the page; its key as text.
        "icon" => Message::new(value, value),
        _ if rest_is_platform(path_rest) => super::app::Platform::from_code(value).map(|p| p.label())?.into(),
        _ => return None,
    })
}

fn row(form: &FilingForm, path: String, section: &Message) -> Option<ReviewRow> {
    let label = field_label(&path)?;
    let raw = value_of(form, &path, &[])?;
    let rest = path.strip_prefix("entity.").or_else(|| split_site(&path).map(|(_, r)| r)).unwrap_or("");
    let coded = is_code_path(rest);
    let long_term = rest.ends_with("leader.valid_to") && flag_of(form, &path.replace("valid_to", "long_term")).copied().unwrap_or(false);
    let value = if coded {
        code_text(rest, &raw).unwrap_or_else(|| Message::new(raw.clone(), raw.clone()))
    } else if long_term {
        Message::new("长期", "No expiry")
    } else {
        Message::new(raw.clone(), raw)
    };
    Some(ReviewRow { path, section: section.clone(), label, value, editable: !coded })
}

/// A shared field's label as an APP's: `网站2 · 网站负责人 · 姓名` →
/// `APP2 · APP负责人 · 姓名`.
fn app_wording(label: &Message, i: usize) -> Message {
    let mut zh = label.zh.replacen(&format!("网站{} · ", i + 1), &format!("APP{} · ", i + 1), 1);
    for (from, to) in [("网站负责人", "APP负责人"), ("网站服务内容", "服务内容"), ("网站语言", "语言"), ("网站IP地址", "服务器IP地址"), ("网站备注", "备注")] {
        zh = zh.replace(from, to);
    }
    let en = label.en.replacen(&format!("Website {} · ", i + 1), &format!("APP {} · ", i + 1), 1).replace("Website's", "APP's");
    Message::new(zh, en)
}

fn rest_is_platform(rest: &str) -> bool {
    super::filing::platform_path(rest).is_some_and(|(_, key)| key == "platform")
}

/// Every field of the filing in the order of the wizard, for the review screen.
pub fn review_rows(form: &FilingForm) -> Vec<ReviewRow> {
    let mut out = Vec::new();
    let entity = Message::new(ENTITY_SECTION.0, ENTITY_SECTION.1);
    for f in entity_fields() {
        out.extend(row(form, f.path.to_string(), &entity));
    }
    for (key, _, _) in fields::PERSON {
        out.extend(row(form, format!("entity.leader.{key}"), &entity));
    }
    for (i, w) in form.websites.iter().enumerate() {
        if w.is_app() {
            // An APP: its name and domains under their APP labels, its
            // platforms and icon, then what it shares with a website.
            let section = Message::new(format!("APP{}：{}", i + 1, w.name), format!("APP {}: {}", i + 1, w.name));
            out.extend(row(form, format!("websites[{i}].kind"), &section));
            for (f, as_app) in [(fields::SITE_NAME, fields::APP_NAME), (fields::DOMAINS, fields::APP_DOMAINS)] {
                if let Some(mut r) = row(form, f.path.replace("[]", &format!("[{i}]")), &section) {
                    r.label = Message::new(format!("APP{} · {}", i + 1, as_app.label.zh), format!("APP {} · {}", i + 1, as_app.label.en));
                    out.push(r);
                }
            }
            for j in 0..w.platforms.len() {
                for key in ["platform", "package", "fingerprint", "public_key"] {
                    out.extend(row(form, format!("websites[{i}].platforms[{j}].{key}"), &section));
                }
            }
            out.extend(row(form, format!("websites[{i}].icon"), &section));
            for f in [fields::CONTENT_TYPES, fields::PRE_APPROVALS, fields::PRE_APPROVAL_NUMBER, fields::LANGUAGE, fields::SITE_REMARK] {
                out.extend(row(form, f.path.replace("[]", &format!("[{i}]")), &section));
            }
            for (key, _, _) in fields::PERSON {
                out.extend(row(form, format!("websites[{i}].leader.{key}"), &section));
            }
            let access = Message::new(format!("APP{} 接入信息", i + 1), format!("APP {} access", i + 1));
            for f in access_fields() {
                out.extend(row(form, f.path.replace("[]", &format!("[{i}]")), &access));
            }
            // The labels say APP where the shared fields say 网站.
            for r in out.iter_mut().filter(|r| r.path.starts_with(&format!("websites[{i}]."))) {
                r.label = app_wording(&r.label, i);
            }
            continue;
        }
        let site = Message::new(format!("网站{}：{}", i + 1, w.name), format!("Website {}: {}", i + 1, w.name));
        for f in site_fields() {
            out.extend(row(form, f.path.replace("[]", &format!("[{i}]")), &site));
        }
        for (key, _, _) in fields::PERSON {
            out.extend(row(form, format!("websites[{i}].leader.{key}"), &site));
        }
        let access = Message::new(format!("网站{} 接入信息", i + 1), format!("Website {} access", i + 1));
        for f in access_fields() {
            out.extend(row(form, f.path.replace("[]", &format!("[{i}]")), &access));
        }
    }
    out
}

/// Apply the provider's corrections: only text fields that are not codes.
pub fn apply_edits(form: &mut FilingForm, edits: &[Edit]) -> Result<Vec<String>, Problem> {
    let mut changed = Vec::new();
    for e in edits {
        let rest = e.path.strip_prefix("entity.").or_else(|| split_site(&e.path).map(|(_, r)| r)).unwrap_or("");
        let Some(slot) = super::filing::text_at(form, &e.path).filter(|_| !is_code_path(rest)) else {
            return Err(Problem::new("edit.path", format!("字段“{}”不能由接入服务商代为修改，请退回主办者修改", e.path), format!("the field '{}' cannot be corrected by the provider; return the filing instead", e.path)));
        };
        if slot.trim() != e.value.trim() {
            *slot = e.value.trim().to_string();
            changed.push(e.path.clone());
        }
    }
    Ok(changed)
}

// ---------------------------------------------------------------- approval

/// A 负责人 as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledPerson {
    pub name: String,
    pub cert_type: u8,
    pub cert_number: String,
    pub valid_from: String,
    pub valid_to: String,
    pub mobile: String,
    pub phone: String,
    pub emergency_phone: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledEntity {
    pub unit_name: String,
    pub nature: u8,
    pub cert_type: u8,
    pub cert_number: String,
    pub cert_address: String,
    pub province: u8,
    pub address: String,
    pub investor: String,
    pub leader: FiledPerson,
    pub remark: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledWebsite {
    pub name: String,
    pub domains: Vec<DomainName>,
    pub home_urls: Vec<String>,
    pub content_types: Vec<u8>,
    pub pre_approvals: Vec<u8>,
    pub pre_approval_number: String,
    pub language: u8,
    pub leader: FiledPerson,
    pub remark: String,
    pub provider_name: String,
    pub method: u8,
    pub ips: Vec<String>,
    pub server_province: u8,
    /// An APP (then `domains` is empty: an APP claims no domain) with its
    /// platforms, icon and the domains it uses.
    #[serde(default)]
    pub app: Option<FiledApp>,
}

/// An APP's own filed fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledApp {
    pub platforms: Vec<FiledPlatform>,
    /// The key of its icon (a material of the filing).
    pub icon: String,
    /// The domains it uses (filed websites' or this filing's), ASCII.
    pub uses_domains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledPlatform {
    /// [`super::app::Platform::code`]
    pub platform: String,
    pub package: String,
    /// Upper-case hex, or "".
    pub fingerprint: String,
    /// Whitespace removed, or "".
    pub public_key: String,
}

impl FiledApp {
    /// The package names, lower-case (what the public query finds).
    pub fn packages(&self) -> Vec<String> {
        let mut out: Vec<String> = self.platforms.iter().map(|p| p.package.to_ascii_lowercase()).collect();
        out.sort();
        out.dedup();
        out
    }
}

fn filed_app(w: &super::filing::WebsiteForm) -> Option<FiledApp> {
    use super::app::{check_fingerprint, check_package, check_public_key, Platform};
    if !w.is_app() {
        return None;
    }
    let platforms = w
        .platforms
        .iter()
        .filter_map(|p| {
            let platform = Platform::from_code(&p.platform)?;
            Some(FiledPlatform {
                platform: platform.code().to_string(),
                // Lower-case: the type check and the public query find it so.
                package: check_package(platform, &p.package).unwrap_or_else(|_| p.package.trim().to_string()).to_ascii_lowercase(),
                fingerprint: if p.fingerprint.trim().is_empty() { String::new() } else { check_fingerprint(platform, &p.fingerprint).unwrap_or_default() },
                public_key: if p.public_key.trim().is_empty() { String::new() } else { check_public_key(&p.public_key).unwrap_or_default() },
            })
        })
        .collect();
    let mut uses_domains: Vec<String> = Vec::new();
    for d in super::filing::parsed_domains(w) {
        if !uses_domains.contains(&d.ascii) {
            uses_domains.push(d.ascii);
        }
    }
    Some(FiledApp { platforms, icon: w.icon.trim().to_string(), uses_domains })
}

/// What an approval writes, typed from a form that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filed {
    pub entity: FiledEntity,
    pub websites: Vec<FiledWebsite>,
}

fn person(p: &super::filing::PersonForm) -> FiledPerson {
    FiledPerson {
        name: p.name.trim().to_string(),
        cert_type: parse_id(&p.cert_type).unwrap_or(0),
        cert_number: p.cert_number.trim().to_uppercase(),
        valid_from: p.valid_from.trim().to_string(),
        valid_to: if p.long_term { "长期".into() } else { p.valid_to.trim().to_string() },
        mobile: p.mobile.trim().to_string(),
        phone: p.phone.trim().to_string(),
        emergency_phone: p.emergency_phone.trim().to_string(),
        email: p.email.trim().to_string(),
    }
}

/// The records of a checked form (call after `check_through` found nothing).
pub fn filed(form: &FilingForm) -> Filed {
    let e = &form.entity;
    let entity = FiledEntity {
        unit_name: e.unit_name.trim().to_string(),
        nature: parse_id(&e.nature).unwrap_or(0),
        cert_type: parse_id(&e.cert_type).unwrap_or(0),
        cert_number: e.cert_number.trim().to_uppercase(),
        cert_address: e.cert_address.trim().to_string(),
        province: parse_id(&e.province).unwrap_or(0),
        address: e.address.trim().to_string(),
        investor: e.investor.trim().to_string(),
        leader: person(&e.leader),
        remark: e.remark.trim().to_string(),
    };
    let websites = form
        .websites
        .iter()
        .map(|w| FiledWebsite {
            name: w.name.trim().to_string(),
            domains: if w.is_app() { Vec::new() } else { parsed_domains(w) },
            home_urls: if w.is_app() { Vec::new() } else { lines(&w.home_urls).into_iter().map(str::to_string).collect() },
            app: filed_app(w),
            content_types: w.content_types.clone(),
            pre_approvals: w.pre_approvals.clone(),
            pre_approval_number: w.pre_approval_number.trim().to_string(),
            language: parse_id(&w.language).unwrap_or(1),
            leader: person(&w.leader),
            remark: w.remark.trim().to_string(),
            provider_name: w.access.provider_name.trim().to_string(),
            method: parse_id(&w.access.method).unwrap_or(0),
            ips: lines(&w.access.ips).into_iter().map(str::to_string).collect(),
            server_province: parse_id(&w.access.server_province).unwrap_or(0),
        })
        .collect();
    Filed { entity, websites }
}

/// Whether the filing's content needs 前置审批 (then the 管局 checks the
/// approval documents in the 前置审批中 state before approving).
pub fn needs_pre_approval(form: &FilingForm) -> bool {
    form.websites.iter().any(|w| !w.pre_approvals.is_empty())
}

/// The 备案密码 sent to the 主体负责人: 10 characters from an alphabet
/// without look-alikes, taken from `random` bytes.
pub fn filing_password(random: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    random.iter().take(10).map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

/// The paths whose value differs between two versions of a form.
pub fn changed_fields(before: &FilingForm, after: &FilingForm) -> Vec<String> {
    let mut paths: Vec<String> = review_rows(after).into_iter().map(|r| r.path).collect();
    for r in review_rows(before) {
        if !paths.contains(&r.path) {
            paths.push(r.path);
        }
    }
    paths.into_iter().filter(|p| value_of(before, p, &[]) != value_of(after, p, &[])).collect()
}

/// "主办单位名称、网站1 · 网站域名": the Chinese names of fields, for the history.
pub fn labels_of(paths: &[String]) -> String {
    paths.iter().map(|p| field_label(p).map(|l| l.zh).unwrap_or_else(|| p.clone())).collect::<Vec<_>>().join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::filing::{new_website, PersonForm};

    fn form() -> FilingForm {
        let mut f = FilingForm::default();
        f.entity.unit_name = "北京星河网络科技有限公司".into();
        f.entity.nature = "4".into();
        f.entity.cert_type = "12".into();
        f.entity.province = "11".into();
        f.entity.leader = PersonForm { name: "王伟".into(), cert_type: "1".into(), mobile: "13800138000".into(), long_term: true, ..PersonForm::default() };
        let mut w = new_website("星云接入", "11");
        w.name = "星河官网".into();
        w.domains = "xinghe.cn\nxinghe.com.cn".into();
        w.home_urls = "www.xinghe.cn".into();
        w.content_types = vec![1, 5];
        w.access.ips = "1.2.4.8\n1.2.4.9".into();
        f.websites.push(w);
        f
    }

    #[test]
    fn labels_name_the_field_and_the_website() {
        assert_eq!(field_label("entity.unit_name").unwrap().zh, "主办单位名称");
        assert_eq!(field_label("entity.leader.mobile").unwrap().zh, "主体负责人 · 手机号码");
        assert_eq!(field_label("websites[1].leader.email").unwrap().zh, "网站2 · 网站负责人 · 电子邮箱");
        assert_eq!(field_label("websites[0].access.ips").unwrap().en, "Website 1 · IP addresses");
        assert_eq!(field_label("materials.leader_photo").unwrap().zh, "负责人照片");
        assert!(field_label("entity.password").is_none());
        assert!(field_label("websites[x].name").is_none());
        assert!(field_label("materials.cv").is_none());
    }

    #[test]
    fn marks_must_name_fields_of_this_filing_with_a_comment() {
        let f = form();
        let ok = check_marks(&f, &[Mark { path: "entity.leader.mobile".into(), comment: " 号码与证件不符 ".into() }]).unwrap();
        assert_eq!(ok, vec![Mark { path: "entity.leader.mobile".into(), comment: "号码与证件不符".into() }]);
        assert_eq!(check_marks(&f, &[]).unwrap_err().code, "marks.none");
        // A second website does not exist in this filing.
        assert_eq!(check_marks(&f, &[Mark { path: "websites[1].name".into(), comment: "x".into() }]).unwrap_err().code, "marks.path");
        assert_eq!(check_marks(&f, &[Mark { path: "entity.unit_name".into(), comment: "  ".into() }]).unwrap_err().code, "marks.comment");
        let long = "错".repeat(MAX_COMMENT + 1);
        assert_eq!(check_marks(&f, &[Mark { path: "entity.unit_name".into(), comment: long }]).unwrap_err().code, "marks.long");
        // Marking a field twice keeps the last comment.
        let twice = check_marks(&f, &[Mark { path: "entity.address".into(), comment: "一".into() }, Mark { path: "entity.address".into(), comment: "二".into() }]).unwrap();
        assert_eq!(twice.len(), 1);
        assert_eq!(twice[0].comment, "二");
        // Materials can be marked too.
        assert!(check_marks(&f, &[Mark { path: "materials.entity_cert".into(), comment: "模糊".into() }]).is_ok());
        // Kept as made: none, or one still waiting for its note, is fine; the paths and lengths are not.
        assert_eq!(check_draft_marks(&f, &[]).unwrap(), vec![]);
        assert_eq!(check_draft_marks(&f, &[Mark { path: "entity.address".into(), comment: "  ".into() }]).unwrap()[0].comment, "");
        assert_eq!(check_draft_marks(&f, &[Mark { path: "websites[1].name".into(), comment: String::new() }]).unwrap_err().code, "marks.path");
        assert_eq!(check_draft_marks(&f, &[Mark { path: "entity.address".into(), comment: "长".repeat(MAX_COMMENT + 1) }]).unwrap_err().code, "marks.long");
    }

    #[test]
    fn opinion_is_required_and_bounded() {
        assert_eq!(check_opinion("  ").unwrap_err().code, "required");
        assert_eq!(check_opinion("好").unwrap_err().code, "opinion.short");
        assert_eq!(check_opinion(" 已当面核验，信息属实 ").unwrap(), "已当面核验，信息属实");
        assert_eq!(check_opinion(&"长".repeat(MAX_OPINION + 1)).unwrap_err().code, "opinion.long");
    }

    #[test]
    fn a_marked_field_must_change_before_resubmission() {
        let mut f = form();
        let files = vec![("entity_cert".to_string(), "m1".to_string())];
        let marked = vec![
            ("entity.leader.mobile".to_string(), value_of(&f, "entity.leader.mobile", &files).unwrap()),
            ("materials.entity_cert".to_string(), value_of(&f, "materials.entity_cert", &files).unwrap()),
            ("websites[0].content_types".to_string(), value_of(&f, "websites[0].content_types", &files).unwrap()),
        ];
        assert_eq!(unchanged_marks(&marked, &f, &files).len(), 3);
        f.entity.leader.mobile = "13900139000".into();
        f.websites[0].content_types = vec![1];
        let new_files = vec![("entity_cert".to_string(), "m2".to_string())];
        assert!(unchanged_marks(&marked, &f, &new_files).is_empty());
        // Whitespace alone is no change.
        f.entity.leader.mobile = " 13800138000 ".into();
        assert_eq!(unchanged_marks(&marked, &f, &new_files), vec!["entity.leader.mobile".to_string()]);
    }

    #[test]
    fn review_rows_show_codes_by_name_and_only_text_is_editable() {
        let rows = review_rows(&form());
        let get = |p: &str| rows.iter().find(|r| r.path == p).unwrap();
        assert_eq!(get("entity.nature").value.zh, "企业");
        assert!(!get("entity.nature").editable);
        assert_eq!(get("entity.province").value.zh, "北京");
        assert_eq!(get("websites[0].content_types").value.zh.split('、').count(), 2);
        assert_eq!(get("websites[0].access.ips").value.zh, "1.2.4.8\n1.2.4.9");
        assert!(get("websites[0].access.ips").editable);
        assert_eq!(get("websites[0].name").section.zh, "网站1：星河官网");
        assert_eq!(get("entity.leader.valid_to").value.zh, "长期");
        // 9 entity fields + 9 of its leader, 8 + 9 + 4 per website.
        assert_eq!(rows.len(), 18 + 21);
    }

    #[test]
    fn the_provider_corrects_text_but_not_codes() {
        let mut f = form();
        let changed = apply_edits(&mut f, &[Edit { path: "entity.address".into(), value: " 北京市海淀区1号 ".into() }, Edit { path: "entity.unit_name".into(), value: "北京星河网络科技有限公司".into() }]).unwrap();
        assert_eq!(changed, vec!["entity.address".to_string()]);
        assert_eq!(f.entity.address, "北京市海淀区1号");
        assert_eq!(apply_edits(&mut f, &[Edit { path: "entity.nature".into(), value: "5".into() }]).unwrap_err().code, "edit.path");
        assert_eq!(apply_edits(&mut f, &[Edit { path: "entity.nope".into(), value: "x".into() }]).unwrap_err().code, "edit.path");
    }

    #[test]
    fn filed_records_are_typed() {
        let filed = filed(&form());
        assert_eq!(filed.entity.province, 11);
        assert_eq!(filed.entity.leader.valid_to, "长期");
        assert_eq!(filed.websites[0].domains.len(), 2);
        assert_eq!(filed.websites[0].ips, vec!["1.2.4.8", "1.2.4.9"]);
        assert_eq!(filed.websites[0].method, 3);
        assert!(!needs_pre_approval(&form()));
    }

    #[test]
    fn filing_passwords_avoid_look_alikes() {
        let p = filing_password(&[0, 1, 2, 255, 254, 100, 50, 8, 14, 33, 99]);
        assert_eq!(p.chars().count(), 10);
        assert!(!p.contains(['0', 'O', 'I', 'l', '1']));
    }
}
