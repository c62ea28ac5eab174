//! Domains, home-page addresses and IP addresses (domain.md §2.5).
//!
//! A 网站域名 is written without a scheme, without `www.` and without a path.
//! IDN (中文域名) are accepted and kept in both forms; the registrable domain is
//! found with the public suffix list.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::error::Problem;

/// A checked domain name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainName {
    /// The ASCII (punycode) form, lower case: `xn--fiqs8s.xn--fiqs8s`.
    pub ascii: String,
    /// The Unicode form for display: `中国.中国`.
    pub unicode: String,
    /// The registrable domain (public suffix + one label), ASCII.
    pub registrable: String,
}

fn problem(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::new(code, zh, en)
}

/// UTS 46 processing of a host name (mapping, normalisation, Punycode, the
/// bidi and joiner rules), with nothing denied and no hyphen or length rule:
/// `to_ascii` applies those itself, so that both sides below give the same
/// answers and the same messages.
///
/// The browser has UTS 46 built in (the WHATWG URL parser's domain-to-ASCII,
/// the same processing as the idna crate), so the browser bundle carries
/// none of its Unicode tables (108 KB of data and 38 KB of code); the server
/// uses the idna crate.
#[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
fn uts46_to_ascii(host: &str) -> Option<String> {
    use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
    Uts46::new().to_ascii(host.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow, DnsLength::Ignore).ok().map(|a| a.into_owned())
}

#[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
fn uts46_to_ascii(host: &str) -> Option<String> {
    // The caller has refused every ASCII character a URL would read as
    // something other than a host (`/`, `%`, `@`, `:` …) and hosts that
    // end in a number (an IPv4 address to a URL parser).
    web_sys::Url::new(&format!("http://{host}/")).ok().map(|u| u.hostname())
}

/// The Unicode form of an ASCII domain for display: each `xn--` label
/// decoded from Punycode.
pub fn to_unicode(ascii: &str) -> String {
    ascii
        .split('.')
        .map(|label| match label.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("xn--") => {
                idna::punycode::decode_to_string(&label[4..]).filter(|u| !u.is_empty()).unwrap_or_else(|| label.to_string())
            }
            _ => label.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether a label ends the host in a number (`1`, `0x1f`): a URL parser
/// reads such a host as an IPv4 address.
fn is_numeric_label(label: &str) -> bool {
    let hex = label.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) && label[2..].bytes().all(|b| b.is_ascii_hexdigit());
    hex || (!label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()))
}

fn not_an_ip() -> Problem {
    problem("domain.shape", "请填写域名，而不是IP地址", "enter a domain name, not an IP address")
}

fn bad_chars() -> Problem {
    problem(
        "domain.chars",
        "域名含有不允许的字符；只能使用字母、数字、连字符和中文，各段之间用点分隔",
        "the domain has characters that are not allowed; use letters, digits, hyphens or Chinese, with dots between labels",
    )
}

/// Convert to ASCII and check the shape of every label, without looking at
/// what the user may or may not have typed around it.
fn to_ascii(host: &str) -> Result<String, Problem> {
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        return Err(super::error::required());
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(problem("domain.chars", "域名中不能有空格", "a domain cannot contain spaces"));
    }
    // Full-width dots (。．) are common when typing Chinese domains.
    let host: String = host.chars().map(|c| if matches!(c, '。' | '．' | '｡') { '.' } else { c }).collect();
    // ASCII is letters, digits, hyphens and dots (STD3); anything else
    // typed in ASCII is refused here, before UTS 46.
    if host.chars().any(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '-' || c == '.')) {
        return Err(bad_chars());
    }
    if host.rsplit('.').next().is_some_and(is_numeric_label) {
        return Err(not_an_ip());
    }
    let ascii = uts46_to_ascii(&host).ok_or_else(bad_chars)?;
    // What UTS 46 mapped to ASCII (a full-width ＿, say) obeys STD3 too.
    if !ascii.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.') {
        return Err(bad_chars());
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return Err(problem("domain.shape", "域名应至少包含两段，例如 example.com", "a domain has at least two labels, e.g. example.com"));
    }
    if ascii.len() > 253 || labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return Err(problem("domain.length", "域名过长：每段不超过63个字符，总长不超过253个字符", "the domain is too long: at most 63 characters a label and 253 in all"));
    }
    // UTS 46's hyphen rule, on each label as a person reads it: no hyphen
    // first or last, none in both the third and fourth place.
    let hyphens = |l: &str| {
        let c: Vec<char> = to_unicode(l).chars().collect();
        c.first() == Some(&'-') || c.last() == Some(&'-') || (c.get(2) == Some(&'-') && c.get(3) == Some(&'-'))
    };
    if labels.iter().any(|l| hyphens(l)) {
        return Err(problem(
            "domain.chars",
            "域名各段不能以连字符开头或结尾，也不能在第三、四位连用两个连字符",
            "a label cannot start or end with a hyphen, nor have two hyphens in its third and fourth places",
        ));
    }
    if labels.last().is_some_and(|tld| is_numeric_label(tld)) {
        return Err(not_an_ip());
    }
    Ok(ascii)
}

/// The registrable domain of an ASCII host, if its suffix is a known one
/// (the public suffix list, [`super::psl`]). In the browser, before the
/// list has arrived, the host is taken as it is: the server checks again.
fn registrable_of(ascii: &str) -> Result<String, Problem> {
    let Some(image) = super::psl::image() else {
        return Ok(ascii.to_string());
    };
    // The list holds internationalised suffixes in Unicode (中国, not xn--fiqs8s).
    let unicode = to_unicode(ascii).to_lowercase();
    let labels: Vec<&str> = unicode.rsplit('.').collect();
    match super::psl::suffix(image, &labels) {
        Some((depth, true)) if labels.len() > depth => {
            // The same last labels of the ASCII form: `to_unicode` maps
            // label by label, so nothing needs converting again.
            let ascii_labels: Vec<&str> = ascii.split('.').collect();
            Ok(ascii_labels[ascii_labels.len().saturating_sub(depth + 1)..].join("."))
        }
        Some((_, true)) => Err(problem(
            "domain.suffix_only",
            "只填写了后缀，请填写完整的域名，例如 example.com.cn",
            "that is only a public suffix; enter the full domain, e.g. example.com.cn",
        )),
        _ => Err(problem("domain.suffix", "域名后缀不是已知的顶级域，请核对域名", "the domain does not end in a known top-level domain; check it")),
    }
}

fn with_unicode(ascii: String, registrable: String) -> DomainName {
    DomainName { unicode: to_unicode(&ascii), ascii, registrable }
}

/// Check a 网站域名 as the filing form wants it: the registrable domain itself
/// (a subdomain only under gov.cn, which must be filed separately), no scheme,
/// no `www.`, no path.
pub fn parse_site_domain(input: &str) -> Result<DomainName, Problem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(super::error::required());
    }
    if s.contains("://") {
        return Err(problem("domain.scheme", "请去掉“http://”或“https://”，只填写域名，例如 example.com", "remove http:// or https:// and enter the domain only, e.g. example.com"));
    }
    if s.contains(['/', '?', '#', ':', '@']) {
        return Err(problem("domain.path", "只填写域名，不要带路径、端口或参数", "enter the domain only, without a path, port or parameters"));
    }
    let ascii = to_ascii(s)?;
    if ascii.starts_with("www.") {
        return Err(problem("domain.www", format!("不要加“www.”，请填写 {}", &ascii[4..]), format!("leave out \"www.\": enter {}", &ascii[4..])));
    }
    let registrable = registrable_of(&ascii)?;
    let gov_subdomain = ascii.ends_with(".gov.cn");
    if ascii != registrable && !gov_subdomain {
        let reg_unicode = to_unicode(&registrable);
        return Err(problem(
            "domain.subdomain",
            format!("请填写主域名 {reg_unicode}；使用同一接入服务商的子域名无需单独备案"),
            format!("enter the registered domain {reg_unicode}; subdomains at the same provider need no separate filing"),
        ));
    }
    Ok(with_unicode(ascii, registrable))
}

/// The host of a web address as typed: a scheme, a user, a port and a
/// path, query or fragment dropped.
fn host_of(input: &str) -> &str {
    let mut s = input.trim();
    if let Some((_, rest)) = s.split_once("://") {
        s = rest;
    }
    let end = s.find(['/', '?', '#']).unwrap_or(s.len());
    s = &s[..end];
    if let Some((_, host)) = s.rsplit_once('@') {
        s = host;
    }
    if let Some((host, port)) = s.rsplit_once(':') {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            s = host;
        }
    }
    s
}

/// A web address pasted where a domain is wanted, reduced to the domain:
/// the scheme, user, port, path, query and a leading `www.` dropped
/// (`https://www.example.com/a?b` → `example.com`). Other subdomains are
/// kept for the domain rule to explain. `None` when nothing was dropped.
pub fn clean_pasted_domain(input: &str) -> Option<String> {
    let t = input.trim();
    // Until nothing more comes off ("a.cn.:80" loses the port, then the dot):
    // cleaning what was cleaned changes nothing.
    let mut s = t;
    loop {
        let mut next = host_of(s).trim_end_matches('.');
        while next.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) && next[4..].contains('.') {
            next = &next[4..];
        }
        let next = next.trim();
        if next == s {
            break;
        }
        s = next;
    }
    (!s.is_empty() && s != t).then(|| s.to_string())
}

/// The domain a web server answered for, as an access log or a log
/// shipper reports its `Host` (未备案检测): any case, a port, a trailing
/// dot, brackets around an IPv6 address, Unicode or Punycode. An IP
/// address is not a domain (`Err` with `domain.ip`); the domain looked up
/// is the registrable one, or under gov.cn the host itself less `www.`
/// (each such subdomain is filed on its own).
pub fn parse_served_host(raw: &str) -> Result<DomainName, Problem> {
    let mut h = raw.trim();
    if h.starts_with('[') {
        return Err(problem("domain.ip", "这是IP地址，不是域名", "an IP address, not a domain"));
    }
    if let Some((host, port)) = h.rsplit_once(':') {
        if port.bytes().all(|b| b.is_ascii_digit()) && !host.contains(':') {
            h = host;
        } else if h.contains(':') {
            return Err(problem("domain.ip", "这是IP地址，不是域名", "an IP address, not a domain"));
        }
    }
    let h = h.trim_end_matches('.');
    if h.parse::<IpAddr>().is_ok() {
        return Err(problem("domain.ip", "这是IP地址，不是域名", "an IP address, not a domain"));
    }
    let ascii = to_ascii(&h.to_lowercase())?;
    let registrable = registrable_of(&ascii)?;
    let keep = if ascii.ends_with(".gov.cn") && ascii != registrable { ascii.trim_start_matches("www.").to_string() } else { registrable.clone() };
    Ok(with_unicode(keep, registrable))
}

/// Read a domain the way a person pastes it into a search box: a scheme,
/// `www.`, a path or a port are dropped, and the registrable domain is kept.
pub fn parse_lookup_domain(input: &str) -> Result<DomainName, Problem> {
    let ascii = to_ascii(host_of(input))?;
    let registrable = registrable_of(&ascii)?;
    let keep = if ascii.ends_with(".gov.cn") { ascii.trim_start_matches("www.").to_string() } else { registrable.clone() };
    Ok(with_unicode(keep, registrable))
}

/// Whether a redirect target is a path on this site (never an open
/// redirect to another host: no `//host`, no scheme, no backslash).
pub fn is_local_path(next: &str) -> bool {
    // Browsers drop tabs and newlines and read a backslash as a slash, so
    // "/\t/evil.example" or "/\\evil.example" would leave the site: only
    // plain printable ASCII, one leading slash, no backslash, no scheme.
    next.len() <= 512
        && next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic())
        && !next.contains('\\')
        && !next.contains("://")
        && !next.to_ascii_lowercase().contains("%5c")
        && !next[1..].to_ascii_lowercase().starts_with("%2f")
}

/// Check a 首页URL: a host inside one of the website's domains, optionally with
/// a path; `http(s)://` is accepted and dropped. Returns the normalised URL.
pub fn parse_home_url(input: &str, domains: &[DomainName]) -> Result<String, Problem> {
    let mut s = input.trim();
    if s.is_empty() {
        return Err(super::error::required());
    }
    for scheme in ["http://", "https://"] {
        // `get` rather than slicing: the input may have a multi-byte character there.
        if s.get(..scheme.len()).is_some_and(|head| head.eq_ignore_ascii_case(scheme)) {
            s = &s[scheme.len()..];
        }
    }
    let split = s.find('/').unwrap_or(s.len());
    let (host, path) = s.split_at(split);
    let ascii = to_ascii(host)?;
    let inside = domains.iter().any(|d| ascii == d.ascii || ascii.ends_with(&format!(".{}", d.ascii)));
    if !inside {
        return Err(problem(
            "home_url.domain",
            "首页地址必须属于本网站填写的域名，例如 www.example.com",
            "the home page must be on one of this website's domains, e.g. www.example.com",
        ));
    }
    if path.chars().any(|c| c.is_whitespace()) {
        return Err(problem("home_url.path", "首页地址中不能有空格", "the home page address cannot contain spaces"));
    }
    Ok(format!("{ascii}{path}"))
}

fn ip_problem(code: &'static str, zh: &str, en: &str) -> Problem {
    Problem::new(code, zh.to_string(), en.to_string())
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
        || o[0] >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let seg = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local
        || (seg[0] & 0xffc0) == 0xfe80 // link local
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        || (seg[0] == 0x0100 && seg[1] == 0 && seg[2] == 0 && seg[3] == 0) // discard
        || (seg[0] & 0xe000) != 0x2000) // only global unicast 2000::/3 is assigned
}

/// Check a server IP address: IPv4 or IPv6, public addresses only.
pub fn parse_public_ip(input: &str) -> Result<IpAddr, Problem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(super::error::required());
    }
    let ip: IpAddr = s.parse().map_err(|_| {
        ip_problem("ip.shape", "IP地址格式不正确，例如 203.0.113.10 或 2400:da00::1", "not a valid IP address, e.g. 203.0.113.10 or 2400:da00::1")
    })?;
    let public = match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    };
    if public {
        Ok(ip)
    } else {
        Err(ip_problem(
            "ip.not_public",
            "这是内网、保留或本机地址，请填写服务器的公网IP地址",
            "this is a private, reserved or local address; enter the server's public IP address",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_address_is_reduced_to_its_domain() {
        assert_eq!(clean_pasted_domain("https://www.example.com/"), Some("example.com".into()));
        assert_eq!(clean_pasted_domain("http://user@example.com:8080/a?b#c"), Some("example.com".into()));
        assert_eq!(clean_pasted_domain("WWW.Example.com"), Some("Example.com".into()));
        assert_eq!(clean_pasted_domain("example.com/"), Some("example.com".into()));
        assert_eq!(clean_pasted_domain("https://中国移动.中国"), Some("中国移动.中国".into()));
        // Other subdomains stay, for the rule to explain; a clean domain is left alone.
        assert_eq!(clean_pasted_domain("https://blog.example.com"), Some("blog.example.com".into()));
        assert_eq!(clean_pasted_domain("example.com"), None);
        assert_eq!(clean_pasted_domain("www.com"), None);
        assert_eq!(clean_pasted_domain("www.www.example.com"), Some("example.com".into()));
        // Cleaning what was cleaned changes nothing.
        for typed in ["a-site.cn.:80", "2001:ld::1", "x:.", "https://www.中国移动.中国:8080/"] {
            let once = clean_pasted_domain(typed).unwrap_or_else(|| typed.to_string());
            assert_eq!(clean_pasted_domain(&once), None, "{typed}");
        }
        assert_eq!(clean_pasted_domain("://"), None);
        assert_eq!(clean_pasted_domain("https://"), None);
    }

    #[test]
    fn site_domains() {
        let d = parse_site_domain("Example.COM").unwrap();
        assert_eq!((d.ascii.as_str(), d.registrable.as_str()), ("example.com", "example.com"));
        assert_eq!(parse_site_domain("example.com.cn").unwrap().registrable, "example.com.cn");
        assert_eq!(parse_site_domain("http://example.com").unwrap_err().code, "domain.scheme");
        assert_eq!(parse_site_domain("www.example.com").unwrap_err().code, "domain.www");
        assert_eq!(parse_site_domain("example.com/index.html").unwrap_err().code, "domain.path");
        assert_eq!(parse_site_domain("blog.example.com").unwrap_err().code, "domain.subdomain");
        assert_eq!(parse_site_domain("com.cn").unwrap_err().code, "domain.suffix_only");
        assert_eq!(parse_site_domain("example.notatld").unwrap_err().code, "domain.suffix");
        assert_eq!(parse_site_domain("exa mple.com").unwrap_err().code, "domain.chars");
        assert_eq!(parse_site_domain("-a.com").unwrap_err().code, "domain.chars");
        assert_eq!(parse_site_domain("localhost").unwrap_err().code, "domain.shape");
        assert_eq!(parse_site_domain("").unwrap_err().code, "required");
        // gov.cn subdomains are filed on their own.
        assert_eq!(parse_site_domain("beijing.gov.cn").unwrap().ascii, "beijing.gov.cn");
        assert_eq!(parse_site_domain("jw.beijing.gov.cn").unwrap().ascii, "jw.beijing.gov.cn");
    }

    #[test]
    fn idn_is_stored_with_its_punycode() {
        let d = parse_site_domain("中国移动.中国").unwrap();
        assert_eq!(d.ascii, "xn--fiq02ib9d179b.xn--fiqs8s");
        assert_eq!(d.unicode, "中国移动.中国");
        assert_eq!(d.registrable, d.ascii);
        // Full-width dots are read as dots.
        assert_eq!(parse_site_domain("中国移动。中国").unwrap().ascii, d.ascii);
        assert_eq!(parse_site_domain("例子.com").unwrap().ascii, "xn--fsqu00a.com");
    }

    #[test]
    fn the_rules_after_uts46_are_the_same_on_both_sides() {
        // STD3: ASCII other than letters, digits and hyphens, typed or mapped.
        for bad in ["a_b.com", "a%2eb.com", "a!b.cn", "例子＿网.com", "a<b.cn"] {
            assert_eq!(parse_site_domain(bad).unwrap_err().code, "domain.chars", "{bad}");
        }
        // UTS 46's hyphen rule, on the label as read (Punycode decoded).
        for bad in ["ab--cd.com", "-ab.com", "ab-.cn", "xn--ab--c-9o8h.com"] {
            assert_eq!(parse_site_domain(bad).unwrap_err().code, "domain.chars", "{bad}");
        }
        assert!(parse_site_domain("a--b.com").is_ok());
        // A host that ends in a number is an address to a URL parser.
        for ip in ["1.2.3.4", "example.0x1f", "例子.123"] {
            assert_eq!(parse_site_domain(ip).unwrap_err().code, "domain.shape", "{ip}");
        }
        assert_eq!(parse_site_domain("a..com").unwrap_err().code, "domain.length");
        assert_eq!(parse_site_domain(&format!("{}.com", "a".repeat(64))).unwrap_err().code, "domain.length");
        // Mapping: full-width letters, upper case, an invalid Punycode label.
        assert_eq!(parse_site_domain("ＥＸＡＭＰＬＥ.com").unwrap().ascii, "example.com");
        assert_eq!(parse_site_domain("xn--zz-.com").unwrap_err().code, "domain.chars");
    }

    #[test]
    fn unicode_form_decodes_each_punycode_label() {
        assert_eq!(to_unicode("xn--fiq02ib9d179b.xn--fiqs8s"), "中国移动.中国");
        assert_eq!(to_unicode("example.com"), "example.com");
        assert_eq!(to_unicode("XN--fsqu00a.com"), "例子.com");
        // Not Punycode after all: shown as it is.
        assert_eq!(to_unicode("xn--.com"), "xn--.com");
    }

    #[test]
    fn lookup_domains_forgive_what_people_paste() {
        assert_eq!(parse_lookup_domain("https://www.mi.cn/about?x=1").unwrap().ascii, "mi.cn");
        assert_eq!(parse_lookup_domain("blog.example.com.cn:8080").unwrap().ascii, "example.com.cn");
        assert_eq!(parse_lookup_domain("WWW.中国移动.中国").unwrap().unicode, "中国移动.中国");
        assert!(parse_lookup_domain("not a domain").is_err());
    }

    #[test]
    fn home_urls() {
        let d = vec![parse_site_domain("example.com").unwrap()];
        assert_eq!(parse_home_url("www.example.com", &d).unwrap(), "www.example.com");
        assert_eq!(parse_home_url("https://Example.com/index.html", &d).unwrap(), "example.com/index.html");
        assert_eq!(parse_home_url("www.other.com", &d).unwrap_err().code, "home_url.domain");
        assert_eq!(parse_home_url("www.notexample.com", &d).unwrap_err().code, "home_url.domain");
        // A multi-byte character where a scheme would end: an answer, not a panic.
        assert!(parse_home_url("京ICP备2026000123号", &d).is_err());
        assert!(parse_home_url("6́é.-é", &d).is_err());
    }

    #[test]
    fn ips_must_be_public() {
        assert!(parse_public_ip("203.119.0.1").is_ok());
        assert!(parse_public_ip("2400:da00::6666").is_ok());
        for bad in ["10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "0.0.0.0", "169.254.1.1", "100.64.0.1", "224.0.0.1", "255.255.255.255", "203.0.113.5", "198.18.0.1", "240.0.0.1", "::1", "fe80::1", "fd00::1", "2001:db8::1", "::ffff:192.168.1.1"] {
            assert_eq!(parse_public_ip(bad).unwrap_err().code, "ip.not_public", "{bad}");
        }
        assert_eq!(parse_public_ip("256.1.1.1").unwrap_err().code, "ip.shape");
        assert_eq!(parse_public_ip("1.2.3").unwrap_err().code, "ip.shape");
    }
}
