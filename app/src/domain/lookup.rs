//! The public query (公共查询): one box that takes a domain, an entity or
//! website filing number, or part of an entity name (like MIIT's `unitName`).

use super::error::Problem;
use super::licence::{parse_entity_licence, parse_service_licence};
use super::net::parse_lookup_domain;

pub const MAX_QUERY_CHARS: usize = 64;
pub const MIN_NAME_CHARS: usize = 2;
pub const DEFAULT_PAGE_SIZE: u32 = 10;
pub const MAX_PAGE_SIZE: u32 = 50;
/// Broad name searches are counted up to this many matches.
pub const MAX_COUNT: u64 = 1_000;
/// Deep pages of a broad name search are not served (ask for a narrower query).
pub const MAX_PAGE: u32 = 100;

/// What the query box was understood as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A registrable domain (ASCII).
    Domain(String),
    /// A 主体备案号, formatted canonically.
    EntityLicence(String),
    /// A 网站备案号, formatted canonically.
    ServiceLicence(String),
    /// Part of a 主办单位名称, or of an APP's name.
    Name(String),
    /// An APP's package name (lower-case), e.g. `com.example.app`.
    Package(String),
}

/// What kind of filed service a query asks for (MIIT's `serviceType`:
/// 1 网站, 6 APP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    Website,
    App,
}

impl ServiceKind {
    pub fn service_type(self) -> u8 {
        match self {
            ServiceKind::Website => 1,
            ServiceKind::App => 6,
        }
    }

    pub fn from_service_type(t: u8) -> Option<ServiceKind> {
        match t {
            1 => Some(ServiceKind::Website),
            6 => Some(ServiceKind::App),
            _ => None,
        }
    }

    /// The page's and the API's filter: `1`/`web`/`website` or `6`/`app`;
    /// empty means both. Anything else is a clear error.
    pub fn parse_filter(input: Option<&str>) -> Result<Option<ServiceKind>, Problem> {
        match input.map(str::trim).unwrap_or("") {
            "" | "all" => Ok(None),
            "1" | "web" | "website" => Ok(Some(ServiceKind::Website)),
            "6" | "app" => Ok(Some(ServiceKind::App)),
            _ => Err(Problem::new("query.type", "类型只能是网站（1）或APP（6）", "the type is 1 (website) or 6 (APP)")),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ServiceKind::Website => "web",
            ServiceKind::App => "app",
        }
    }
}

/// The first labels of reverse-DNS package names (`com.example.app`): a
/// dotted query starting with one of them and having three labels or more
/// is read as a package name, not a domain (`www.example.com` starts with
/// `www`). A host literally named `com.…` is not a website anyone files.
const PACKAGE_HEADS: &[&str] = &["com", "cn", "net", "org", "io", "gov", "edu", "co", "cc", "hk", "mo", "tw"];

/// Second-level suffixes under a country (`example.com.cn`): a name ending
/// in one is a domain, whatever it starts with.
const SECOND_LEVEL: &[&str] = &["com", "net", "org", "gov", "edu", "ac"];

pub fn package_query(q: &str) -> Option<String> {
    let lower = q.to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.len() < 3 || !PACKAGE_HEADS.contains(&labels[0]) {
        return None;
    }
    let n = labels.len();
    if labels[n - 1].len() == 2 && SECOND_LEVEL.contains(&labels[n - 2]) {
        return None;
    }
    let ok = labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    ok.then_some(lower)
}

/// Understand a query. Filing numbers first (they are unambiguous), then
/// domains (anything with a dot that parses as one), then names.
pub fn parse_lookup(input: &str) -> Result<Lookup, Problem> {
    let q = input.trim();
    if q.is_empty() {
        return Err(Problem::new(
            "query.empty",
            "请输入域名、备案号或主办单位名称",
            "enter a domain, a filing number or a sponsor name",
        ));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Problem::new(
            "query.too_long",
            format!("查询内容过长，最多{MAX_QUERY_CHARS}个字符"),
            format!("the query is too long; at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if q.chars().any(|c| c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | '`' | '\\' | ';' | '{' | '}' | '*' | '%')) {
        return Err(Problem::new(
            "query.chars",
            "查询内容含有不允许的字符，请只输入域名、备案号或单位名称",
            "the query has characters that are not allowed; enter a domain, a filing number or a name only",
        ));
    }
    if !q.chars().any(char::is_alphanumeric) {
        return Err(Problem::new(
            "query.no_text",
            "查询内容不含文字或数字，请输入域名、备案号或主办单位名称",
            "the query has no letters or digits to search for; enter a domain, a filing number or a sponsor name",
        ));
    }
    if q.contains("ICP") || q.contains("icp") {
        let upper = q.replace("icp", "ICP");
        if let Ok(l) = parse_service_licence(&upper) {
            return Ok(Lookup::ServiceLicence(l.format()));
        }
        return match parse_entity_licence(&upper) {
            Ok(l) => Ok(Lookup::EntityLicence(l.format())),
            Err(p) => Err(p),
        };
    }
    if let Some(p) = package_query(q) {
        return Ok(Lookup::Package(p));
    }
    if q.contains(['.', '。', '．']) && !q.chars().any(char::is_whitespace) {
        return match parse_lookup_domain(q) {
            Ok(d) => Ok(Lookup::Domain(d.ascii)),
            Err(p) => Err(p),
        };
    }
    if q.chars().count() < MIN_NAME_CHARS || name_bigrams(q).is_empty() {
        return Err(Problem::new(
            "query.too_short",
            format!("按名称查询请至少输入{MIN_NAME_CHARS}个连续的字"),
            format!("a name search needs at least {MIN_NAME_CHARS} characters in a row"),
        ));
    }
    Ok(Lookup::Name(q.to_string()))
}

#[derive(PartialEq, Clone, Copy)]
enum CharClass {
    Digit,
    Latin,
    Other,
}

fn class(c: char) -> Option<CharClass> {
    if c.is_ascii_digit() {
        Some(CharClass::Digit)
    } else if c.is_ascii_alphabetic() {
        Some(CharClass::Latin)
    } else if c.is_alphanumeric() {
        Some(CharClass::Other)
    } else {
        None
    }
}

/// The bigrams of a name query, as the full-text index holds them.
///
/// SurrealDB applies `ngram` filters when indexing but not to the query, so
/// the query is cut into bigrams here. Only pairs of one character class are
/// kept: they are bigrams of the index whatever its tokenizer made of mixed
/// runs (an exact substring check follows anyway).
pub fn name_bigrams(query: &str) -> Vec<String> {
    let chars: Vec<char> = query.to_lowercase().chars().collect();
    let mut grams: Vec<String> = Vec::new();
    for pair in chars.windows(2) {
        if let (Some(a), Some(b)) = (class(pair[0]), class(pair[1])) {
            if a == b {
                let g: String = pair.iter().collect();
                if !grams.contains(&g) {
                    grams.push(g);
                }
            }
        }
    }
    grams
}

/// Page and size from the request, clamped to what is served.
pub fn page_window(page: Option<u32>, size: Option<u32>) -> Result<(u32, u32), Problem> {
    let page = page.unwrap_or(1);
    let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
    if page == 0 || page > MAX_PAGE {
        return Err(Problem::new(
            "query.page",
            format!("页码应在1至{MAX_PAGE}之间"),
            format!("the page must be between 1 and {MAX_PAGE}"),
        ));
    }
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(Problem::new(
            "query.size",
            format!("每页条数应在1至{MAX_PAGE_SIZE}之间"),
            format!("the page size must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    Ok((page, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_only_is_told_so() {
        assert_eq!(parse_lookup("、、——!!").unwrap_err().code, "query.no_text");
        assert_eq!(parse_lookup("-").unwrap_err().code, "query.no_text");
        assert!(parse_lookup("-").unwrap_err().message.en.starts_with("The query"));
        assert_eq!(parse_lookup("有").unwrap_err().code, "query.too_short");
    }

    #[test]
    fn kinds_of_query() {
        assert_eq!(parse_lookup(" www.Mi.cn ").unwrap(), Lookup::Domain("mi.cn".into()));
        assert_eq!(parse_lookup("https://中国移动.中国/").unwrap(), Lookup::Domain("xn--fiq02ib9d179b.xn--fiqs8s".into()));
        assert_eq!(parse_lookup("京ICP备10046444号").unwrap(), Lookup::EntityLicence("京ICP备10046444号".into()));
        assert_eq!(parse_lookup("京icp备10046444号-9").unwrap(), Lookup::ServiceLicence("京ICP备10046444号-9".into()));
        assert_eq!(parse_lookup("小米科技").unwrap(), Lookup::Name("小米科技".into()));
        assert_eq!(parse_lookup("Example Tech Ltd").unwrap(), Lookup::Name("Example Tech Ltd".into()));
        // Reverse-DNS package names of APPs, not domains.
        assert_eq!(parse_lookup("com.Tencent.mm").unwrap(), Lookup::Package("com.tencent.mm".into()));
        assert_eq!(parse_lookup("cn.gov.beijing.zwfw").unwrap(), Lookup::Package("cn.gov.beijing.zwfw".into()));
        assert_eq!(parse_lookup("www.example.com").unwrap(), Lookup::Domain("example.com".into()));
        assert!(!matches!(parse_lookup("com.cn"), Ok(Lookup::Package(_))));
        // Domains that happen to start like a package stay domains.
        for d in ["vip.com.cn", "app.example.com", "shop.net.cn", "cn.gov.cn"] {
            assert!(!matches!(parse_lookup(d), Ok(Lookup::Package(_))), "{d}");
        }
    }

    #[test]
    fn the_type_filter() {
        assert_eq!(ServiceKind::parse_filter(None).unwrap(), None);
        assert_eq!(ServiceKind::parse_filter(Some("6")).unwrap(), Some(ServiceKind::App));
        assert_eq!(ServiceKind::parse_filter(Some("web")).unwrap(), Some(ServiceKind::Website));
        assert_eq!(ServiceKind::parse_filter(Some("7")).unwrap_err().code, "query.type");
        assert_eq!(ServiceKind::from_service_type(ServiceKind::App.service_type()), Some(ServiceKind::App));
    }

    #[test]
    fn bad_queries_say_why() {
        assert_eq!(parse_lookup("  ").unwrap_err().code, "query.empty");
        assert_eq!(parse_lookup(&"字".repeat(65)).unwrap_err().code, "query.too_long");
        assert_eq!(parse_lookup("<script>").unwrap_err().code, "query.chars");
        assert_eq!(parse_lookup("a\u{0}b").unwrap_err().code, "query.chars");
        assert_eq!(parse_lookup("米").unwrap_err().code, "query.too_short");
        assert_eq!(parse_lookup("京ICP备123号").unwrap_err().code, "licence.shape");
        assert_eq!(parse_lookup("foo.notatld").unwrap_err().code, "domain.suffix");
    }

    #[test]
    fn bigrams_follow_the_index() {
        assert_eq!(name_bigrams("有限公司"), vec!["有限", "限公", "公司"]);
        assert_eq!(name_bigrams("ABC科技"), vec!["ab", "bc", "科技"]);
        assert_eq!(name_bigrams("a b"), Vec::<String>::new());
        assert_eq!(name_bigrams("公司公司"), vec!["公司", "司公"]);
        assert_eq!(parse_lookup("a b").unwrap_err().code, "query.too_short");
    }

    #[test]
    fn paging() {
        assert_eq!(page_window(None, None).unwrap(), (1, DEFAULT_PAGE_SIZE));
        assert_eq!(page_window(Some(3), Some(50)).unwrap(), (3, 50));
        assert!(page_window(Some(0), None).is_err());
        assert!(page_window(None, Some(51)).is_err());
        assert!(page_window(Some(MAX_PAGE + 1), None).is_err());
    }
}
