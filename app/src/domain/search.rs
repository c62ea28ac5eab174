//! The provider's 网站备案信息查询 / 组合查询 (seed 001 §1.7.2–1.7.3): any
//! combination of conditions over its approved filings. The conditions
//! live in the page's address (`?province=11&name=…`), so a result can be
//! bookmarked, shared and exported; this module reads them from there,
//! checks them (in the browser before any request, and again on the
//! server) and writes them back.

use serde::{Deserialize, Serialize};

use super::codes;
use super::date::Date;
use super::error::{Field, FieldErrors, Problem};

/// Rows on one page of results.
pub const PAGE_SIZE: u32 = 50;
/// Pages beyond this are not served: narrow the conditions (or export).
pub const MAX_PAGE: u32 = 2_000;
/// An export carries at most this many rows.
pub const MAX_EXPORT: usize = 100_000;
/// The longest text condition, in characters.
pub const MAX_TEXT: usize = 100;

/// The conditions as typed (every field as text, empty when unused), in
/// the order of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct FiledQuery {
    /// 主体所在省 (GB/T 2260 code, "11").
    pub province: String,
    /// 主办单位性质 code.
    pub nature: String,
    /// Part of the 主办单位名称.
    pub name: String,
    /// 主办单位证件号码, whole.
    pub cert: String,
    /// Part of a domain.
    pub domain: String,
    /// A 备案号: a 主体备案号 finds all its websites; a 网站备案号 one.
    pub licence: String,
    /// An IP address or its beginning ("203.0.113.").
    pub ip: String,
    /// 接入方式 code.
    pub method: String,
    /// 网站服务内容 code.
    pub content: String,
    /// Approved on or after / on or before, YYYY-MM-DD (Beijing).
    pub from: String,
    pub to: String,
    /// 1-based page.
    pub page: String,
}

/// The URL keys, in the form's order.
pub const KEYS: [&str; 12] = ["province", "nature", "name", "cert", "domain", "licence", "ip", "method", "content", "from", "to", "page"];

/// Conditions kept in a page's address (`?key=value&…`): read from its
/// pairs and written back, for every search form of the back office.
pub trait Conditions: Default {
    /// The keys, in the form's order; `page` among them when it pages.
    const KEYS: &'static [&'static str];

    fn get(&self, key: &str) -> &str;

    /// Set one condition by its key (unknown keys are ignored).
    fn set(&mut self, key: &str, value: &str);

    /// From the address's pairs (decoded).
    fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (k, v) in pairs {
            q.set(k, v);
        }
        q
    }

    /// The conditions that are set, as `key=value` pairs for an address
    /// (values percent-encoded by `enc`); the page only when `with_page`.
    fn to_query(&self, with_page: bool, enc: impl Fn(&str) -> String) -> String {
        Self::KEYS
            .iter()
            .filter(|k| with_page || **k != "page")
            .filter_map(|k| {
                let v = self.get(k).trim();
                (!v.is_empty()).then(|| format!("{k}={}", enc(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Whether no condition is set (the page aside).
    fn is_empty(&self) -> bool {
        Self::KEYS.iter().filter(|k| **k != "page").all(|k| self.get(k).trim().is_empty())
    }
}

impl FiledQuery {
    fn slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "province" => &mut self.province,
            "nature" => &mut self.nature,
            "name" => &mut self.name,
            "cert" => &mut self.cert,
            "domain" => &mut self.domain,
            "licence" => &mut self.licence,
            "ip" => &mut self.ip,
            "method" => &mut self.method,
            "content" => &mut self.content,
            "from" => &mut self.from,
            "to" => &mut self.to,
            "page" => &mut self.page,
            _ => return None,
        })
    }

    /// The same conditions on another page.
    pub fn with_page(&self, page: u32) -> FiledQuery {
        FiledQuery { page: if page <= 1 { String::new() } else { page.to_string() }, ..self.clone() }
    }
}

impl Conditions for FiledQuery {
    const KEYS: &'static [&'static str] = &KEYS;

    fn get(&self, key: &str) -> &str {
        match key {
            "province" => &self.province,
            "nature" => &self.nature,
            "name" => &self.name,
            "cert" => &self.cert,
            "domain" => &self.domain,
            "licence" => &self.licence,
            "ip" => &self.ip,
            "method" => &self.method,
            "content" => &self.content,
            "from" => &self.from,
            "to" => &self.to,
            "page" => &self.page,
            _ => "",
        }
    }

    fn set(&mut self, key: &str, value: &str) {
        if let Some(s) = self.slot(key) {
            *s = value.to_string();
        }
    }
}

/// The conditions, checked and in the form the query uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiledFilter {
    pub province: Option<u8>,
    pub nature: Option<u8>,
    /// Lower-cased.
    pub name: Option<String>,
    /// Upper-cased (an X check digit typed as x).
    pub cert: Option<String>,
    /// Lower-cased.
    pub domain: Option<String>,
    pub licence: Option<String>,
    pub ip: Option<String>,
    pub method: Option<u8>,
    pub content: Option<u8>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub page: u32,
}

pub mod fields {
    use super::Field;
    pub const PROVINCE: Field = Field::new("province", "主体所在省", "Province");
    pub const NATURE: Field = Field::new("nature", "主办单位性质", "Sponsor type");
    pub const NAME: Field = Field::new("name", "主办单位名称", "Sponsor name");
    pub const CERT: Field = Field::new("cert", "主办单位证件号码", "Sponsor's certificate number");
    pub const DOMAIN: Field = Field::new("domain", "域名", "Domain");
    pub const LICENCE: Field = Field::new("licence", "备案号", "Filing number");
    pub const IP: Field = Field::new("ip", "IP地址", "IP address");
    pub const METHOD: Field = Field::new("method", "接入方式", "Access method");
    pub const CONTENT: Field = Field::new("content", "网站服务内容", "Service content");
    pub const FROM: Field = Field::new("from", "审核通过日期起", "Approved from");
    pub const TO: Field = Field::new("to", "审核通过日期止", "Approved until");
    pub const PAGE: Field = Field::new("page", "页码", "Page");
}

fn unknown_code() -> Problem {
    Problem::new("search.code", "请从列表中选择", "choose one from the list")
}

fn code(input: &str, known: impl Fn(u8) -> bool) -> Result<Option<u8>, Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u8>() {
        Ok(c) if known(c) => Ok(Some(c)),
        _ => Err(unknown_code()),
    }
}

/// A text condition: trimmed, at most [`MAX_TEXT`] characters, no control
/// characters. Empty is "not set".
fn text(input: &str) -> Result<Option<String>, Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Problem::new("search.long", format!("最多{MAX_TEXT}个字符"), format!("at most {MAX_TEXT} characters")));
    }
    if t.chars().any(char::is_control) {
        return Err(Problem::new("search.chars", "含有不可见的控制字符，请删除", "contains invisible control characters; remove them"));
    }
    Ok(Some(t.to_string()))
}

fn date(input: &str) -> Result<Option<Date>, Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Date::parse_compact(t).map(Some).ok_or_else(|| Problem::new("date.shape", "日期请按 YYYY-MM-DD 填写，且须是存在的日期", "write an existing date as YYYY-MM-DD"))
}

/// An IP address or its beginning: digits, hex letters, dots and colons.
fn ip(input: &str) -> Result<Option<String>, Problem> {
    let Some(t) = text(input)? else { return Ok(None) };
    if t.len() > 45 || !t.chars().all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':') {
        return Err(Problem::new("search.ip", "IP地址只含数字、点（IPv4）或十六进制数字、冒号（IPv6），可只填开头部分", "an IP address has only digits and dots (IPv4) or hex digits and colons (IPv6); its beginning is enough"));
    }
    Ok(Some(t.to_ascii_lowercase()))
}

/// Check every condition, collecting every problem.
pub fn check(q: &FiledQuery) -> Result<FiledFilter, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut f = FiledFilter {
        province: errors.check(fields::PROVINCE, code(&q.province, |c| codes::province_by_code(c).is_some())).flatten(),
        nature: errors.check(fields::NATURE, code(&q.nature, |c| codes::nature(c).is_some())).flatten(),
        name: errors.check(fields::NAME, text(&q.name)).flatten().map(|s| s.to_lowercase()),
        cert: errors.check(fields::CERT, text(&q.cert)).flatten().map(|s| s.to_uppercase()),
        domain: errors.check(fields::DOMAIN, text(&q.domain)).flatten().map(|s| s.to_lowercase()),
        licence: errors.check(fields::LICENCE, text(&q.licence)).flatten(),
        ip: errors.check(fields::IP, ip(&q.ip)).flatten(),
        method: errors.check(fields::METHOD, code(&q.method, |c| codes::access_method(c).is_some())).flatten(),
        content: errors.check(fields::CONTENT, code(&q.content, |c| codes::content_type(c).is_some())).flatten(),
        from: errors.check(fields::FROM, date(&q.from)).flatten(),
        to: errors.check(fields::TO, date(&q.to)).flatten(),
        page: 1,
    };
    let page = q.page.trim();
    if !page.is_empty() {
        match page.parse::<u32>() {
            Ok(p) if (1..=MAX_PAGE).contains(&p) => f.page = p,
            _ => errors.push(Problem::new("search.page", format!("页码应为 1 到 {MAX_PAGE} 之间的整数"), format!("the page is a whole number from 1 to {MAX_PAGE}")).at(fields::PAGE)),
        }
    }
    if let (Some(a), Some(b)) = (f.from, f.to) {
        if a > b {
            errors.push(Problem::new("search.range", "起始日期不能晚于截止日期", "the start date cannot be after the end date").at(fields::TO));
        }
    }
    errors.into_result().map(|_| f)
}

impl FiledFilter {
    /// The first row of the page (0-based).
    pub fn offset(&self) -> u32 {
        (self.page.max(1) - 1) * PAGE_SIZE
    }
}

/// Beijing-time bounds of a date range as RFC 3339 instants, for the query.
pub fn day_start(d: Date) -> String {
    format!("{:04}-{:02}-{:02}T00:00:00+08:00", d.year, d.month, d.day)
}

pub fn day_end(d: Date) -> String {
    format!("{:04}-{:02}-{:02}T23:59:59.999+08:00", d.year, d.month, d.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> FiledQuery {
        FiledQuery::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn nothing_set_is_every_filing_on_page_one() {
        let f = check(&FiledQuery::default()).unwrap();
        assert_eq!(f, FiledFilter { page: 1, ..Default::default() });
        assert!(FiledQuery::default().is_empty());
        assert!(q(&[("page", "3")]).is_empty());
        assert!(!q(&[("ip", "1.2")]).is_empty());
    }

    #[test]
    fn every_condition_is_read_and_normalised() {
        let f = check(&q(&[
            ("province", "11"),
            ("nature", "5"),
            ("name", "  北京Example "),
            ("cert", "11010519491231002x"),
            ("domain", "Example.COM"),
            ("licence", "京ICP备2026000123号"),
            ("ip", "203.0.113."),
            ("method", "3"),
            ("content", "14"),
            ("from", "2026-01-01"),
            ("to", "20261231"),
            ("page", "2"),
        ]))
        .unwrap();
        assert_eq!(f.province, Some(11));
        assert_eq!(f.nature, Some(5));
        assert_eq!(f.name.as_deref(), Some("北京example"));
        assert_eq!(f.cert.as_deref(), Some("11010519491231002X"));
        assert_eq!(f.domain.as_deref(), Some("example.com"));
        assert_eq!(f.licence.as_deref(), Some("京ICP备2026000123号"));
        assert_eq!(f.ip.as_deref(), Some("203.0.113."));
        assert_eq!((f.method, f.content), (Some(3), Some(14)));
        assert_eq!(f.from, Date::new(2026, 1, 1));
        assert_eq!(f.to, Date::new(2026, 12, 31));
        assert_eq!((f.page, f.offset()), (2, PAGE_SIZE));
    }

    #[test]
    fn bad_conditions_are_each_named() {
        let e = check(&q(&[
            ("province", "99"),
            ("nature", "x"),
            ("name", &"名".repeat(101)),
            ("cert", "a\u{0}b"),
            ("ip", "10.0.0.1; DROP"),
            ("method", "0"),
            ("content", "300"),
            ("from", "2026-02-30"),
            ("page", "0"),
        ]))
        .unwrap_err();
        let paths: Vec<&str> = e.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["province", "nature", "name", "cert", "ip", "method", "content", "from", "page"]);
        assert!(e.get("name").unwrap().message.zh.contains("100"));
    }

    #[test]
    fn a_range_must_not_run_backwards() {
        let e = check(&q(&[("from", "2026-06-02"), ("to", "2026-06-01")])).unwrap_err();
        assert_eq!(e.0[0].path, "to");
        assert!(check(&q(&[("from", "2026-06-01"), ("to", "2026-06-01")])).is_ok());
    }

    #[test]
    fn pages_are_bounded() {
        assert!(check(&q(&[("page", &MAX_PAGE.to_string())])).is_ok());
        assert!(check(&q(&[("page", &(MAX_PAGE + 1).to_string())])).is_err());
        assert!(check(&q(&[("page", "-1")])).is_err());
    }

    #[test]
    fn the_address_round_trips() {
        let a = q(&[("name", "有限 公司"), ("province", "11"), ("page", "4")]);
        let enc = |s: &str| s.replace(' ', "%20");
        assert_eq!(a.to_query(false, enc), "province=11&name=有限%20公司");
        assert_eq!(a.to_query(true, enc), "province=11&name=有限%20公司&page=4");
        assert_eq!(a.with_page(1).page, "");
        assert_eq!(a.with_page(5).page, "5");
        let pairs = [("province", "11"), ("name", "有限 公司"), ("unknown", "x")];
        assert_eq!(FiledQuery::from_pairs(pairs), FiledQuery { province: "11".into(), name: "有限 公司".into(), ..Default::default() });
    }

    #[test]
    fn date_bounds_are_beijing_days() {
        let d = Date::new(2026, 3, 9).unwrap();
        assert_eq!(day_start(d), "2026-03-09T00:00:00+08:00");
        assert_eq!(day_end(d), "2026-03-09T23:59:59.999+08:00");
    }
}
