//! 备案信息黑名单 (seed 001 §1.9): entities (by name and 证件号码) and
//! domains that may not be filed. The 管局 (or an administrator) keeps the
//! list; the type check and every submission refuse what is on it; the
//! provider queries it; anyone may ask whether a domain or a name is on
//! it (违法违规查询), and learns only that, the date and a short reason.

use serde::{Deserialize, Serialize};

use super::error::{Field, FieldErrors, Problem};
use super::net::{parse_lookup_domain, parse_site_domain};
use super::text::Text;

pub const MAX_NAME: usize = 100;
pub const MAX_REASON: usize = 500;
pub const MAX_PUBLIC_REASON: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlacklistKind {
    /// A 主办单位 (by 证件号码, and by name).
    Entity,
    /// A domain (registrable).
    Domain,
}

impl BlacklistKind {
    pub fn code(self) -> &'static str {
        match self {
            BlacklistKind::Entity => "entity",
            BlacklistKind::Domain => "domain",
        }
    }

    pub fn from_code(s: &str) -> Option<BlacklistKind> {
        [BlacklistKind::Entity, BlacklistKind::Domain].into_iter().find(|k| k.code() == s.trim())
    }

    pub fn label(self) -> Text {
        match self {
            BlacklistKind::Entity => Text::new("主体", "Entity"),
            BlacklistKind::Domain => Text::new("网站（域名）", "Website (domain)"),
        }
    }
}

pub mod fields {
    use super::Field;
    pub const KIND: Field = Field::new("kind", "类别", "Kind");
    pub const UNIT_NAME: Field = Field::new("unit_name", "主办单位名称", "Sponsor name");
    pub const CERT_NUMBER: Field = Field::new("cert_number", "证件号码", "Certificate number");
    pub const DOMAIN: Field = Field::new("domain", "域名", "Domain");
    pub const REASON: Field = Field::new("reason", "列入原因", "Reason");
    pub const PUBLIC_REASON: Field = Field::new("public_reason", "公开原因", "Public reason");
    pub const BY: Field = Field::new("by", "查询条件", "Search by");
    pub const VALUE: Field = Field::new("value", "查询内容", "Search for");
}

/// A new entry as typed by the 管局.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryInput {
    pub kind: String,
    #[serde(default)]
    pub unit_name: String,
    #[serde(default)]
    pub cert_number: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub public_reason: String,
}

/// An entry, checked and normalised as it is stored and matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: BlacklistKind,
    /// Normalised with [`normalise_name`]; empty for a domain.
    pub unit_name: String,
    /// As stored on filings (upper case, 15-digit IDs as 18); empty for a domain.
    pub cert_number: String,
    /// ASCII registrable domain and its Unicode form; empty for an entity.
    pub domain: String,
    pub domain_unicode: String,
    pub reason: String,
    pub public_reason: String,
}

/// A 主办单位名称 as it is compared: trimmed, inner runs of blanks as one,
/// full-width parentheses as ASCII (both are common in company names).
pub fn normalise_name(s: &str) -> String {
    let folded = super::chars::fold_width(s);
    let mapped: String = folded
        .chars()
        // Zero-width and other invisible format characters (category Cf) would let a listed name pass.
        .filter(|c| !matches!(*c as u32, 0x00AD | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '·' | '•' | '・' | '．' => '·',
            c => c,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A 证件号码 as filings store it (`filing::normalise_cert_number`), or as
/// typed (upper case, no blanks) when it is no certificate shape we know.
pub fn normalise_cert(s: &str) -> String {
    super::filing::normalise_cert_number(s, None)
        .unwrap_or_else(|_| super::chars::fold_cert_number(s).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase())
}

fn text(value: &str, max: usize, required: bool) -> Result<String, Problem> {
    let t = value.trim().replace("\r\n", "\n");
    if t.is_empty() && required {
        return Err(super::error::required());
    }
    if t.chars().count() > max {
        return Err(Problem::new("text.long", format!("不能超过{max}字"), format!("at most {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Problem::new("text.chars", "含有不可见的控制字符，请删除", "contains invisible control characters; remove them"));
    }
    Ok(t)
}

pub fn check_entry(input: &EntryInput) -> Result<Entry, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = errors.check(fields::KIND, BlacklistKind::from_code(&input.kind).ok_or_else(|| Problem::new("blacklist.kind", "请选择类别（主体或网站）", "choose entity or website")));
    let reason = errors.check(fields::REASON, text(&input.reason, MAX_REASON, true));
    let public_reason = errors.check(fields::PUBLIC_REASON, text(&input.public_reason, MAX_PUBLIC_REASON, true));
    let mut entry = Entry {
        kind: kind.unwrap_or(BlacklistKind::Domain),
        unit_name: String::new(),
        cert_number: String::new(),
        domain: String::new(),
        domain_unicode: String::new(),
        reason: reason.unwrap_or_default(),
        public_reason: public_reason.unwrap_or_default(),
    };
    match kind {
        Some(BlacklistKind::Entity) => {
            let name = errors.check(fields::UNIT_NAME, text(&input.unit_name, MAX_NAME, true).map(|n| normalise_name(&n)));
            if name.as_ref().is_some_and(|n| n.chars().count() < 2) {
                errors.push(Problem::new("blacklist.name", "名称至少2个字", "at least 2 characters").at(fields::UNIT_NAME));
            }
            let cert = errors.check(fields::CERT_NUMBER, super::filing::normalise_cert_number(&input.cert_number, None));
            entry.unit_name = name.unwrap_or_default();
            entry.cert_number = cert.unwrap_or_default();
        }
        Some(BlacklistKind::Domain) => {
            if let Some(d) = errors.check(fields::DOMAIN, parse_site_domain(&input.domain)) {
                entry.domain = d.ascii;
                entry.domain_unicode = d.unicode;
            }
        }
        None => {}
    }
    errors.into_result()?;
    Ok(entry)
}

/// 备案信息黑名单查询: exactly one condition, name or domain; an empty
/// value lists every entry of that kind (as the seed says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListQuery {
    /// Entities whose name contains this (empty: all entities).
    Name(String),
    /// Domains containing this (empty: all domains).
    Domain(String),
}

pub fn check_list_query(by: &str, value: &str) -> Result<ListQuery, FieldErrors> {
    let mut errors = FieldErrors::new();
    let value = errors.check(fields::VALUE, text(value, MAX_NAME, false));
    let q = match (by.trim(), value) {
        ("name", Some(v)) => Some(ListQuery::Name(normalise_name(&v))),
        ("domain", Some(v)) => Some(ListQuery::Domain(v.to_lowercase().trim_start_matches("www.").to_string())),
        (_, Some(_)) => {
            errors.push(Problem::new("blacklist.by", "请选择按主办单位名称或按域名查询（只能选一个）", "choose one: by sponsor name or by domain").at(fields::BY));
            None
        }
        _ => None,
    };
    errors.into_result()?;
    q.ok_or_else(FieldErrors::new)
}

/// What the public 违法违规查询 looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicQuery {
    /// A registrable domain, ASCII (what is stored).
    Domain(String),
    /// A 主办单位名称, normalised; matched exactly.
    Name(String),
}

/// A domain (or web address) when it reads as one, else a name of 2 to
/// 100 characters; anything else says what to type.
pub fn parse_public_query(input: &str) -> Result<PublicQuery, Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Err(Problem::new("blacklist.empty", "请输入域名或主办单位名称", "enter a domain or a sponsor's name"));
    }
    if t.chars().count() > MAX_NAME {
        return Err(Problem::new("blacklist.long", format!("不能超过{MAX_NAME}个字符"), format!("at most {MAX_NAME} characters")));
    }
    if t.chars().any(char::is_control) {
        return Err(Problem::new("text.chars", "含有不可见的控制字符，请删除", "contains invisible control characters; remove them"));
    }
    let domainish = t.contains('.') && !t.chars().any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '（' | '）'));
    if domainish {
        return parse_lookup_domain(t).map(|d| PublicQuery::Domain(d.registrable));
    }
    let name = normalise_name(t);
    if name.chars().count() < 2 {
        return Err(Problem::new("blacklist.short", "名称至少2个字", "a name has at least 2 characters"));
    }
    Ok(PublicQuery::Name(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> EntryInput {
        EntryInput { kind: kind.into(), reason: "传播违法信息".into(), public_reason: "违法违规".into(), ..Default::default() }
    }

    #[test]
    fn an_entry_needs_what_its_kind_needs() {
        let mut d = input("domain");
        d.domain = "Bad-Site.cn".into();
        let e = check_entry(&d).unwrap();
        assert_eq!((e.kind, e.domain.as_str(), e.unit_name.as_str()), (BlacklistKind::Domain, "bad-site.cn", ""));
        d.domain = "www.bad-site.cn".into();
        assert!(check_entry(&d).unwrap_err().get("domain").is_some(), "the registrable domain is listed");
        let mut n = input("entity");
        n.unit_name = " 北京某某  科技（集团）有限公司 ".into();
        n.cert_number = String::new();
        assert!(check_entry(&n).unwrap_err().get("cert_number").is_some());
        n.cert_number = "110101199003074514".into();
        let e = check_entry(&n).unwrap();
        assert_eq!(e.unit_name, "北京某某 科技(集团)有限公司");
        assert_eq!(normalise_name("ＡＢＣ\u{200B}科技（北京）"), normalise_name("ABC科技(北京)"));
        // A 15-digit ID is matched as its 18-digit form.
        assert_eq!(normalise_cert("110101900307451"), "110101199003074514");
        assert_eq!(normalise_cert(" abc 123 "), "ABC123");
        assert_eq!(e.cert_number, "110101199003074514");
        let mut bad = input("x");
        bad.reason = String::new();
        let err = check_entry(&bad).unwrap_err();
        assert!(err.get("kind").is_some() && err.get("reason").is_some());
        let mut long = input("domain");
        long.domain = "a.cn".into();
        long.public_reason = "长".repeat(61);
        assert!(check_entry(&long).unwrap_err().get("public_reason").is_some());
    }

    #[test]
    fn the_list_takes_exactly_one_condition() {
        assert_eq!(check_list_query("name", "").unwrap(), ListQuery::Name(String::new()));
        assert_eq!(check_list_query("domain", " WWW.Bad.cn ").unwrap(), ListQuery::Domain("bad.cn".into()));
        assert!(check_list_query("", "x").unwrap_err().get("by").is_some());
        assert!(check_list_query("both", "x").is_err());
        assert!(check_list_query("name", &"x".repeat(101)).is_err());
    }

    #[test]
    fn the_public_lookup_reads_a_domain_or_a_name() {
        assert_eq!(parse_public_query("https://www.Bad-Site.cn/x").unwrap(), PublicQuery::Domain("bad-site.cn".into()));
        assert_eq!(parse_public_query("北京某某科技（集团）有限公司").unwrap(), PublicQuery::Name("北京某某科技(集团)有限公司".into()));
        assert!(parse_public_query("").is_err());
        assert!(parse_public_query("x").is_err());
        assert!(parse_public_query(&"名".repeat(101)).is_err());
        assert!(parse_public_query("a\u{0}b").is_err());
        assert!(parse_public_query("not a.domain").is_ok(), "with a blank it is a name");
    }
}
