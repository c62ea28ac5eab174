//! 未备案检测 (seed 001 §1.8): what the provider's web servers served, read
//! from their access logs or reported by log shippers, and what a clerk
//! decides about each domain found unfiled.
//!
//! Pure: the log-line reader, the states of a detection and the rule that
//! reopens one, the checks of a handling, of the list's conditions and of
//! a shipper's observation. The database side is `ssr::detect`.

use serde::{Deserialize, Serialize};

use super::date::Date;
use super::error::{Field, FieldErrors, Problem};
use super::text::Text;

// ---------------------------------------------------------------------------
// Access-log lines

/// What one access-log line says: the host name the server answered for,
/// the server's own address when the line carries it, and when (Unix
/// seconds, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLine<'a> {
    pub host: &'a [u8],
    pub server_ip: Option<&'a [u8]>,
    pub at: i64,
}

/// Why a line was skipped (counted, with a sample, never fatal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BadLine {
    /// No `[…]` time, or one that is not `10/Oct/2026:13:55:36 +0800`.
    Time,
    /// No quoted request after the time.
    Request,
    /// No host name where the format has it.
    NoHost,
    /// Answered 4xx or 5xx (444, 400 of a default server): nothing was
    /// served for that host, whatever the client put in its `Host`.
    NotServed,
}

impl BadLine {
    pub fn label(self) -> Text {
        match self {
            BadLine::Time => Text::new("时间无法识别", "no readable time"),
            BadLine::Request => Text::new("缺少请求行", "no request"),
            BadLine::NoHost => Text::new("没有主机名（Host）", "no host name"),
            BadLine::NotServed => Text::new("未成功响应（4xx/5xx），不计入", "not served (4xx/5xx), not counted"),
        }
    }
}

/// Where a log has the host name. Named by whoever runs the reader, never
/// guessed: a field the client controls (`X-Forwarded-For` in nginx's
/// default `main` format) must not be read as the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// nginx `combined` with `"$host"` (and optionally `$server_addr`)
    /// after the user agent:
    /// `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host" $server_addr`.
    #[default]
    NginxHost,
    /// Apache `vhost_combined`: `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`
    /// (the virtual host that answered, and its port, first).
    Vhost,
    /// Plain `combined` of a proxy: the host of an absolute request URI
    /// (`GET http://example.com/ HTTP/1.1`).
    AbsoluteUri,
}

impl LogFormat {
    pub fn parse(s: &str) -> Option<LogFormat> {
        match s {
            "nginx-host" => Some(LogFormat::NginxHost),
            "vhost" => Some(LogFormat::Vhost),
            "uri" => Some(LogFormat::AbsoluteUri),
            _ => None,
        }
    }
}

/// Read one access-log line in `format`. Only lines answered 1xx–3xx count:
/// a host the server refused (a default server's 444, a 404 for every
/// path) was not served. Bytes, not text: a log may hold anything, and
/// only the host is read.
pub fn parse_line(line: &[u8], format: LogFormat) -> Result<LogLine<'_>, BadLine> {
    // The time's `[`, not an IPv6 virtual host's: `[dd/`.
    let open = (0..line.len()).find(|&i| line[i] == b'[' && line.get(i + 3) == Some(&b'/')).ok_or(BadLine::Time)?;
    let close = open + line[open..].iter().position(|&b| b == b']').ok_or(BadLine::Time)?;
    let at = parse_log_time(&line[open + 1..close]).ok_or(BadLine::Time)?;
    let mut rest = &line[close + 1..];
    let request = match next_field(&mut rest) {
        Some((r, true)) => r,
        _ => return Err(BadLine::Request),
    };
    // status, bytes, referer, user agent, then the extras.
    let mut fields = [None::<&[u8]>; 6];
    for f in fields.iter_mut() {
        match next_field(&mut rest) {
            Some((v, _)) => *f = Some(v),
            None => break,
        }
    }
    if let Some(status) = fields[0].and_then(|s| std::str::from_utf8(s).ok()).and_then(|s| s.parse::<u16>().ok()) {
        if status >= 400 {
            return Err(BadLine::NotServed);
        }
    }
    let (host, server_ip) = match format {
        LogFormat::NginxHost => {
            let ip = fields[5].filter(|ip| std::str::from_utf8(ip).ok().and_then(|s| s.parse::<std::net::IpAddr>().ok()).is_some());
            (fields[4], ip)
        }
        LogFormat::Vhost => {
            // `%v:%p %h …`: four or more fields before the time.
            let mut leading = line[..open].split(|b| b.is_ascii_whitespace()).filter(|t| !t.is_empty());
            let first = leading.next();
            ((leading.count() >= 3).then_some(first).flatten().map(strip_port), None)
        }
        LogFormat::AbsoluteUri => (absolute_uri_host(request), None),
    };
    let host = host.filter(|h| !h.is_empty() && *h != b"-").ok_or(BadLine::NoHost)?;
    Ok(LogLine { host, server_ip, at })
}

/// The next field: a quoted string (backslash escapes kept) or a run of
/// non-blanks; `true` when it was quoted.
fn next_field<'a>(rest: &mut &'a [u8]) -> Option<(&'a [u8], bool)> {
    let s = *rest;
    let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
    let s = &s[start..];
    if s[0] == b'"' {
        let mut i = 1;
        while i < s.len() {
            match s[i] {
                b'\\' => i += 2,
                b'"' => {
                    *rest = &s[i + 1..];
                    return Some((&s[1..i], true));
                }
                _ => i += 1,
            }
        }
        // An unclosed quote: the line was cut.
        *rest = &[];
        None
    } else {
        let end = s.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(s.len());
        *rest = &s[end..];
        Some((&s[..end], false))
    }
}

/// `example.com:443` → `example.com` (an IPv6 `[::1]:80` is left whole).
fn strip_port(v: &[u8]) -> &[u8] {
    if v.first() == Some(&b'[') {
        return v;
    }
    match v.iter().rposition(|&b| b == b':') {
        Some(i) if v[i + 1..].iter().all(u8::is_ascii_digit) && !v[..i].contains(&b':') => &v[..i],
        _ => v,
    }
}

/// The host of `GET http://host:port/path HTTP/1.1`.
fn absolute_uri_host(request: &[u8]) -> Option<&[u8]> {
    let target = request.split(|&b| b == b' ').nth(1)?;
    let lower = |p: &[u8]| target.len() > p.len() && target[..p.len()].eq_ignore_ascii_case(p);
    let after = if lower(b"http://") {
        &target[7..]
    } else if lower(b"https://") {
        &target[8..]
    } else {
        return None;
    };
    let end = after.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(after.len());
    let authority = &after[..end];
    let authority = match authority.iter().rposition(|&b| b == b'@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    Some(strip_port(authority))
}

const MONTHS: [&[u8; 3]; 12] = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// `10/Oct/2026:13:55:36 +0800` → Unix seconds (UTC).
pub fn parse_log_time(t: &[u8]) -> Option<i64> {
    if t.len() != 26 || t[2] != b'/' || t[6] != b'/' || t[11] != b':' || t[14] != b':' || t[17] != b':' || t[20] != b' ' {
        return None;
    }
    let num = |s: &[u8]| -> Option<i64> {
        s.iter().try_fold(0i64, |n, &b| if b.is_ascii_digit() { Some(n * 10 + i64::from(b - b'0')) } else { None })
    };
    let day = num(&t[0..2])?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(&t[3..6]))? as i64 + 1;
    let year = num(&t[7..11])?;
    let (h, mi, s) = (num(&t[12..14])?, num(&t[15..17])?, num(&t[18..20])?);
    let sign = match t[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (zh, zm) = (num(&t[22..24])?, num(&t[24..26])?);
    let max_day = i64::from(super::date::days_in_month(u16::try_from(year).ok()?, month as u8));
    if !(1..=max_day).contains(&day) || h > 23 || mi > 59 || s > 60 || zh > 14 || zm > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + h * 3600 + mi * 60 + s - sign * (zh * 3600 + zm * 60))
}

pub use super::date::days_from_civil;

/// Unix seconds as an access log writes them, in Beijing time (+0800).
pub fn format_log_time(secs: i64) -> String {
    let local = secs + 8 * 3600;
    let d = super::date::Date::from_days_since_epoch(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    let month = std::str::from_utf8(MONTHS[usize::from(d.month.clamp(1, 12) - 1)]).unwrap_or("Jan");
    format!("{:02}/{month}/{}:{:02}:{:02}:{:02} +0800", d.day, d.year, s / 3600, s % 3600 / 60, s % 60)
}

/// `2026-12-03T10:00:00Z`, `2026-12-03T10:00:00.123+08:00` (RFC 3339) → Unix seconds.
pub fn parse_rfc3339(t: &str) -> Option<i64> {
    let b = t.trim().as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |s: &[u8]| -> Option<i64> { s.iter().try_fold(0i64, |n, &c| if c.is_ascii_digit() { Some(n * 10 + i64::from(c - b'0')) } else { None }) };
    let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let (h, mi, s) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        rest = &rest[1 + digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let v = num(&[*h1, *h2])? * 3600 + num(&[*m1, *m2])? * 60;
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    let max_day = i64::from(super::date::days_in_month(u16::try_from(y).ok()?, u8::try_from(m).ok().filter(|m| (1..=12).contains(m))?));
    if !(1..=max_day).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

// ---------------------------------------------------------------------------
// What a detection is and where it stands

/// What matching found about a served domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// 未备案: no live filing has the domain (never filed, 注销, or still
    /// under review).
    Unfiled,
    /// 非本接入: filed, but not with this provider as its 接入服务商.
    NotOurs,
}

impl Finding {
    pub const ALL: [Finding; 2] = [Finding::Unfiled, Finding::NotOurs];

    pub fn code(self) -> &'static str {
        match self {
            Finding::Unfiled => "unfiled",
            Finding::NotOurs => "not_ours",
        }
    }

    pub fn from_code(s: &str) -> Option<Finding> {
        Finding::ALL.into_iter().find(|f| f.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Finding::Unfiled => Text::new("未备案", "Not filed"),
            Finding::NotOurs => Text::new("非本接入", "Filed, not with us"),
        }
    }
}

/// Why: the detail behind a [`Finding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No filing has ever had the domain.
    NeverFiled,
    /// Its filing was cancelled (注销).
    Cancelled,
    /// A filing is under way (submitted, not approved): not filed yet.
    Pending,
    /// Filed, with another 接入服务商 (or none active).
    OtherProvider,
}

impl Reason {
    pub const ALL: [Reason; 4] = [Reason::NeverFiled, Reason::Cancelled, Reason::Pending, Reason::OtherProvider];

    pub fn code(self) -> &'static str {
        match self {
            Reason::NeverFiled => "never_filed",
            Reason::Cancelled => "cancelled",
            Reason::Pending => "pending",
            Reason::OtherProvider => "other_provider",
        }
    }

    pub fn from_code(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|f| f.code() == s)
    }

    pub fn finding(self) -> Finding {
        if self == Reason::OtherProvider { Finding::NotOurs } else { Finding::Unfiled }
    }

    pub fn label(self) -> Text {
        match self {
            Reason::NeverFiled => Text::new("从未备案", "never filed"),
            Reason::Cancelled => Text::new("备案已注销", "its filing was cancelled"),
            Reason::Pending => Text::new("备案申请审核中，尚未通过", "a filing is under review, not approved yet"),
            Reason::OtherProvider => Text::new("已备案，但接入服务商不是本单位", "filed, but with another access provider"),
        }
    }
}

/// 处理结果: where a detection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectionState {
    /// 待处理: found, nobody has handled it yet (or it came back).
    Open,
    /// 已关停: the site was shut down on our servers.
    Closed,
    /// 已备案: filed since (linked to the filing).
    Filed,
    /// 误报: the detection was wrong (e.g. a redirect-only host).
    FalsePositive,
    /// 整改中: the client has until a deadline to file or leave.
    Rectifying,
}

impl DetectionState {
    pub const ALL: [DetectionState; 5] =
        [DetectionState::Open, DetectionState::Closed, DetectionState::Filed, DetectionState::FalsePositive, DetectionState::Rectifying];
    /// What a clerk may choose.
    pub const RESULTS: [DetectionState; 4] = [DetectionState::Closed, DetectionState::Filed, DetectionState::FalsePositive, DetectionState::Rectifying];

    pub fn code(self) -> &'static str {
        match self {
            DetectionState::Open => "open",
            DetectionState::Closed => "closed",
            DetectionState::Filed => "filed",
            DetectionState::FalsePositive => "false_positive",
            DetectionState::Rectifying => "rectifying",
        }
    }

    pub fn from_code(s: &str) -> Option<DetectionState> {
        DetectionState::ALL.into_iter().find(|f| f.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            DetectionState::Open => Text::new("待处理", "To handle"),
            DetectionState::Closed => Text::new("已关停", "Shut down"),
            DetectionState::Filed => Text::new("已备案", "Filed since"),
            DetectionState::FalsePositive => Text::new("误报", "False positive"),
            DetectionState::Rectifying => Text::new("整改中", "Being put right"),
        }
    }

    /// What happens next, and who acts.
    pub fn next(self) -> Text {
        match self {
            DetectionState::Open => Text::new("接入服务商应核实并处理：关停网站，或督促客户备案。", "The provider checks and acts: shut the site down or have the client file it."),
            DetectionState::Closed => Text::new("已关停；若再次检测到该域名，将自动重新列为待处理。", "Shut down; if the domain is served again it is reopened by itself."),
            DetectionState::Filed => Text::new("已备案，无需再处理；若仍检测为未备案，将重新列为待处理。", "Filed; nothing more to do. Reopened if it is found unfiled again."),
            DetectionState::FalsePositive => Text::new("已确认为误报，不再提示。", "Confirmed as a false positive; no more reminders."),
            DetectionState::Rectifying => Text::new("客户须在整改期限前完成备案或关停；期满后仍检测到将重新列为待处理。", "The client must file or shut down by the deadline; seen after it, it is reopened."),
        }
    }
}

/// What a detection looks like to the reopening rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub state: DetectionState,
    /// When it was last handled (Unix seconds).
    pub handled_at: Option<i64>,
    /// 整改期限, end of that day in Beijing (Unix seconds).
    pub deadline: Option<i64>,
}

/// The state after the domain was seen unfiled (or not ours) again, last
/// at `seen_last`: a shut-down site that is served after it was shut, a
/// site said to be filed that is still unfiled, a deadline that passed —
/// each is open again. A false positive stays one.
pub fn after_sighting(s: Standing, seen_last: i64) -> DetectionState {
    let after_handling = s.handled_at.is_none_or(|h| seen_last > h);
    match s.state {
        DetectionState::Open | DetectionState::FalsePositive => s.state,
        DetectionState::Closed | DetectionState::Filed if after_handling => DetectionState::Open,
        DetectionState::Rectifying if s.deadline.is_some_and(|d| seen_last > d) => DetectionState::Open,
        other => other,
    }
}

pub const MAX_COMMENT: usize = 500;
/// The longest 整改期限 a clerk may give.
pub const MAX_DEADLINE_DAYS: i64 = 180;

pub mod fields {
    use super::Field;
    pub const RESULT: Field = Field::new("result", "处理结果", "Result");
    pub const COMMENT: Field = Field::new("comment", "处理意见", "Comment");
    pub const LICENCE: Field = Field::new("licence", "网站备案号", "Website filing number");
    pub const DEADLINE: Field = Field::new("deadline", "整改期限", "Deadline");
    pub const DOMAIN: Field = Field::new("domain", "域名", "Domain");
    pub const FROM: Field = Field::new("from", "最近发现起", "Last seen from");
    pub const TO: Field = Field::new("to", "最近发现止", "Last seen until");
    pub const PROVINCE: Field = Field::new("province", "省份", "Province");
    pub const STATE: Field = Field::new("state", "处理状态", "State");
    pub const FINDING: Field = Field::new("finding", "检测结果", "Finding");
}

/// A clerk's handling, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    pub result: DetectionState,
    pub comment: String,
    /// 已备案: the website's filing number (…号-n), normalised.
    pub licence: Option<String>,
    /// 整改中: the last day.
    pub deadline: Option<Date>,
}

/// Check a handling as typed; `today` is Beijing's date.
pub fn check_handling(result: &str, comment: &str, licence: &str, deadline: &str, today: Date) -> Result<Handling, FieldErrors> {
    let mut errors = FieldErrors::new();
    let state = DetectionState::from_code(result.trim()).filter(|s| DetectionState::RESULTS.contains(s));
    let state = errors.check(fields::RESULT, state.ok_or_else(|| Problem::new("detect.result", "请选择处理结果", "choose a result")));
    let comment = comment.trim().replace("\r\n", "\n");
    if comment.chars().count() > MAX_COMMENT {
        errors.push(Problem::new("text.long", format!("不能超过{MAX_COMMENT}字"), format!("at most {MAX_COMMENT} characters")).at(fields::COMMENT));
    } else if comment.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errors.push(Problem::new("text.chars", "含有不可见的控制字符，请删除", "contains invisible control characters; remove them").at(fields::COMMENT));
    }
    let mut out_licence = None;
    let mut out_deadline = None;
    match state {
        Some(DetectionState::FalsePositive) if comment.is_empty() => {
            errors.push(Problem::new("detect.why", "误报请说明原因", "say why it is a false positive").at(fields::COMMENT));
        }
        Some(DetectionState::Filed) => {
            out_licence = errors.check(fields::LICENCE, super::licence::parse_service_licence(licence).map(|l| l.format()));
        }
        Some(DetectionState::Rectifying) => {
            let d = deadline.trim().replace('-', "");
            let parsed = if d.is_empty() {
                Err(super::error::required())
            } else {
                Date::parse_compact(&d).ok_or_else(|| Problem::new("date.format", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"))
            };
            out_deadline = errors.check(
                fields::DEADLINE,
                parsed.and_then(|day| {
                    let ahead = day.days_since_epoch() - today.days_since_epoch();
                    if ahead < 1 {
                        Err(Problem::new("detect.deadline_past", "整改期限应晚于今天", "the deadline must be after today"))
                    } else if ahead > MAX_DEADLINE_DAYS {
                        Err(Problem::new("detect.deadline_far", format!("整改期限不能超过{MAX_DEADLINE_DAYS}天"), format!("at most {MAX_DEADLINE_DAYS} days ahead")))
                    } else {
                        Ok(day)
                    }
                }),
            );
        }
        _ => {}
    }
    errors.into_result()?;
    Ok(Handling { result: state.unwrap_or(DetectionState::Closed), comment, licence: out_licence, deadline: out_deadline })
}

// ---------------------------------------------------------------------------
// The list's conditions (组合查询, kept in the URL)

pub const PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectionQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub finding: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub domain: String,
    /// Last seen from/until, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: u32,
}

/// The conditions, checked: what the database query binds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    pub state: Option<DetectionState>,
    pub finding: Option<Finding>,
    /// A province code, or 0 for 未知 (no placement known).
    pub province: Option<u8>,
    /// Lower case; a part of the domain (ASCII or Unicode).
    pub domain: String,
    /// Days since the epoch, inclusive.
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub page: u32,
}

impl DetectionQuery {
    pub fn check(&self) -> Result<Conditions, FieldErrors> {
        let mut errors = FieldErrors::new();
        let pick = |s: &str| -> Option<String> { Some(s.trim().to_string()).filter(|s| !s.is_empty()) };
        let state = pick(&self.state).map(|s| DetectionState::from_code(&s).ok_or_else(|| Problem::new("detect.state", "处理状态无效", "unknown state")));
        let state = state.and_then(|r| errors.check(fields::STATE, r));
        let finding = pick(&self.finding).map(|s| Finding::from_code(&s).ok_or_else(|| Problem::new("detect.finding", "检测结果无效", "unknown finding")));
        let finding = finding.and_then(|r| errors.check(fields::FINDING, r));
        let province = pick(&self.province).map(|p| match p.parse::<u8>() {
            Ok(0) => Ok(0),
            Ok(c) if super::codes::province_by_code(c).is_some() => Ok(c),
            _ => Err(Problem::new("detect.province", "省份无效", "unknown province")),
        });
        let province = province.and_then(|r| errors.check(fields::PROVINCE, r));
        let domain = self.domain.trim().to_lowercase();
        if domain.chars().count() > 100 || domain.chars().any(char::is_control) {
            errors.push(Problem::new("detect.domain", "域名条件不超过100个字符", "at most 100 characters").at(fields::DOMAIN));
        }
        let date = |field: Field, s: &str, errors: &mut FieldErrors| -> Option<Date> {
            let s = s.trim().replace('-', "");
            if s.is_empty() {
                return None;
            }
            errors.check(field, Date::parse_compact(&s).ok_or_else(|| Problem::new("date.format", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD")))
        };
        let from = date(fields::FROM, &self.from, &mut errors);
        let to = date(fields::TO, &self.to, &mut errors);
        if let (Some(f), Some(t)) = (from, to) {
            if f.days_since_epoch() > t.days_since_epoch() {
                errors.push(Problem::new("date.order", "起始日期不能晚于截止日期", "the first date is after the last").at(fields::TO));
            }
        }
        errors.into_result()?;
        Ok(Conditions { state, finding, province, domain, from, to, page: self.page.clamp(1, 10_000) })
    }

    /// The list's address with these conditions (the filters live in the URL).
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [("state", &self.state), ("finding", &self.finding), ("province", &self.province), ("domain", &self.domain), ("from", &self.from), ("to", &self.to)] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", super::text::encode_component(v.trim())));
            }
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }
}

/// 统计分组项 (seed 001 §1.8.2): by province (the default), state or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatGroup {
    Province,
    State,
    Month,
}

impl StatGroup {
    pub const ALL: [StatGroup; 3] = [StatGroup::Province, StatGroup::State, StatGroup::Month];

    pub fn code(self) -> &'static str {
        match self {
            StatGroup::Province => "province",
            StatGroup::State => "state",
            StatGroup::Month => "month",
        }
    }

    /// Empty is the default (province); anything unknown is refused.
    pub fn parse(s: &str) -> Option<StatGroup> {
        let s = s.trim();
        if s.is_empty() {
            return Some(StatGroup::Province);
        }
        StatGroup::ALL.into_iter().find(|g| g.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            StatGroup::Province => Text::new("按省份（服务器放置地）", "By province (server placement)"),
            StatGroup::State => Text::new("按处理状态", "By state"),
            StatGroup::Month => Text::new("按月份（首次发现）", "By month (first seen)"),
        }
    }
}

/// The label of province code 0 in the statistics: no placement known.
pub const UNKNOWN_PROVINCE: Text = Text::new("未知", "Unknown");

// ---------------------------------------------------------------------------
// Log shippers' observations (the ingestion endpoint)

/// The most observations one request may carry.
pub const MAX_BATCH: usize = 10_000;
/// The longest host name read (a DNS name is at most 253; room for a port and Unicode).
pub const MAX_HOST_CHARS: usize = 300;

/// Whether a shipper's observation is usable: a server IP, a host, first
/// seen not after last seen, at least one hit; `None` says what is wrong.
pub fn check_observation(server_ip: &str, host: &str, first_seen: i64, last_seen: i64, hits: i64, now: i64) -> Result<(), Text> {
    if server_ip.trim().parse::<std::net::IpAddr>().is_err() {
        return Err(Text::new("serverIp 不是IP地址", "serverIp is not an IP address"));
    }
    if host.trim().is_empty() || host.chars().count() > MAX_HOST_CHARS {
        return Err(Text::new("host 为空或过长", "host is empty or too long"));
    }
    // 2000-01-01 to 2100-01-01: anything else is a unit mistake (milliseconds).
    let sane = 946_684_800..4_102_444_800;
    if !sane.contains(&first_seen) || !sane.contains(&last_seen) || first_seen > last_seen || last_seen > now + 3600 {
        return Err(Text::new("firstSeen/lastSeen 无效（Unix 秒或 RFC 3339；firstSeen 不晚于 lastSeen，lastSeen 不在将来）", "firstSeen/lastSeen invalid (Unix seconds or RFC 3339; firstSeen not after lastSeen, lastSeen not in the future)"));
    }
    if hits < 1 || hits > 1_000_000_000_000 {
        return Err(Text::new("hits 应为正整数", "hits must be a positive number"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_as(line: &str, f: LogFormat) -> Result<String, BadLine> {
        parse_line(line.as_bytes(), f).map(|l| String::from_utf8_lossy(l.host).into_owned())
    }

    fn host(line: &str) -> Result<String, BadLine> {
        host_as(line, LogFormat::NginxHost)
    }

    #[test]
    fn the_host_is_read_where_each_format_has_it() {
        // Apache vhost_combined, with a port.
        let vhost = r#"www.Example.com:443 203.0.113.9 - - [03/Dec/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 512 "-" "curl/8""#;
        assert_eq!(host_as(vhost, LogFormat::Vhost).unwrap(), "www.Example.com");
        assert_eq!(host(vhost), Err(BadLine::NoHost), "nginx-host reads the field after the user agent only");
        // nginx with "$host" $server_addr after the user agent.
        let l = parse_line(br#"198.51.100.7 - - [03/Dec/2026:10:00:01 +0800] "GET /a?b=1 HTTP/2.0" 200 99 "https://r.example/" "Mozilla/5.0 (X11; Linux)" "shop.example.cn" 192.0.2.10"#, LogFormat::NginxHost).unwrap();
        assert_eq!(l.host, b"shop.example.cn");
        assert_eq!(l.server_ip, Some(&b"192.0.2.10"[..]));
        // Unquoted host, no server address.
        let l = parse_line(br#"198.51.100.7 - - [03/Dec/2026:10:00:01 +0800] "GET / HTTP/1.1" 301 0 "-" "-" blog.example.org"#, LogFormat::NginxHost).unwrap();
        assert_eq!((l.host, l.server_ip), (&b"blog.example.org"[..], None));
        // IPv6 client, absolute URI in the request (a proxy's log).
        let proxy = r#"2001:db8::1 - - [03/Dec/2026:10:00:02 +0000] "GET http://user@proxy.example.net:8080/x HTTP/1.1" 200 1 "-" "ua""#;
        assert_eq!(host_as(proxy, LogFormat::AbsoluteUri).unwrap(), "proxy.example.net");
        assert_eq!(host_as(r#"1.2.3.4 - - [03/Dec/2026:10:00:02 +0000] "GET /x HTTP/1.1" 200 1 "-" "ua""#, LogFormat::AbsoluteUri), Err(BadLine::NoHost));
        // A quote escaped inside the user agent does not end it.
        assert_eq!(host(r#"1.2.3.4 - - [03/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 1 "-" "a \"quoted\" agent" "q.example.com""#).unwrap(), "q.example.com");
        // An IPv6 virtual host keeps its brackets for the host rule to refuse.
        assert_eq!(host_as(r#"[2001:db8::2]:80 1.2.3.4 - - [03/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 1 "-" "ua""#, LogFormat::Vhost).unwrap(), "[2001:db8::2]:80");
        // A host the server refused (a default server's 444, a 404) was not served.
        assert_eq!(host(r#"1.2.3.4 - - [03/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 444 0 "-" "ua" "rival.example.cn""#), Err(BadLine::NotServed));
        assert_eq!(host(r#"1.2.3.4 - - [03/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 404 0 "-" "ua" "rival.example.cn""#), Err(BadLine::NotServed));
        assert!(host(r#"1.2.3.4 - - [03/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 304 0 "-" "ua" "ok.example.cn""#).is_ok());
        assert_eq!(LogFormat::parse("vhost"), Some(LogFormat::Vhost));
        assert_eq!(LogFormat::parse("guess"), None);
    }

    #[test]
    fn garbage_is_a_reason_never_a_panic() {
        assert_eq!(host(""), Err(BadLine::Time));
        assert_eq!(host("hello world"), Err(BadLine::Time));
        assert_eq!(host("1.2.3.4 - - [not a time] \"GET / HTTP/1.1\""), Err(BadLine::Time));
        assert_eq!(host("1.2.3.4 - - [03/Dec/2026:10:00:00 +0800]"), Err(BadLine::Request));
        assert_eq!(host("1.2.3.4 - - [03/Dec/2026:10:00:00 +0800] \"GET / HTT"), Err(BadLine::Request));
        // nginx's default `main` format ends with X-Forwarded-For: "-" is no host.
        assert_eq!(host(r#"1.2.3.4 - - [03/Dec/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 1 "-" "ua""#), Err(BadLine::NoHost));
        assert_eq!(host(r#"1.2.3.4 - - [03/Dec/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" "-""#), Err(BadLine::NoHost));
        for f in [LogFormat::NginxHost, LogFormat::Vhost, LogFormat::AbsoluteUri] {
            for junk in ["[", "[]", "[00/", "\"", "[03/Dec/2026:10:00:00 +0800] \"", "é[03/Dec/2026:10:00:00 +0800] \"\\\"", "a b c d [03/Dec/2026:10:00:00 +0800] \"GET http:// HTTP/1.1\" 200"] {
                let _ = parse_line(junk.as_bytes(), f);
            }
        }
        // Bytes that are not UTF-8.
        let mut bytes = br#"1.2.3.4 - - [03/Dec/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" "#.to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, b'.', b'c', b'n']);
        assert!(parse_line(&bytes, LogFormat::NginxHost).is_ok());
    }

    #[test]
    fn log_times_are_read_with_their_zone() {
        assert_eq!(parse_log_time(b"01/Jan/1970:08:00:00 +0800"), Some(0));
        assert_eq!(parse_log_time(b"03/Dec/2026:10:00:00 +0000"), Some(days_from_civil(2026, 12, 3) * 86_400 + 36_000));
        assert_eq!(parse_log_time(b"29/Feb/2024:00:00:00 -0130"), Some(days_from_civil(2024, 2, 29) * 86_400 + 5_400));
        assert_eq!(parse_log_time(b"29/Feb/2026:00:00:00 +0000"), None);
        assert_eq!(parse_log_time(b"03/Foo/2026:10:00:00 +0000"), None);
        assert_eq!(parse_log_time(b"03/Dec/2026:24:00:00 +0000"), None);
        assert_eq!(parse_log_time(b"03/Dec/2026 10:00:00 +0000"), None);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        for t in [0, 1_764_800_000, 1_796_259_599] {
            assert_eq!(parse_log_time(format_log_time(t).as_bytes()), Some(t));
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn served_hosts_become_the_domain_to_look_up() {
        use crate::domain::net::parse_served_host;
        let key = |h: &str| parse_served_host(h).map(|d| d.ascii).map_err(|p| p.code);
        assert_eq!(key("WWW.Example.COM.").unwrap(), "example.com");
        assert_eq!(key("shop.example.com.cn:8443").unwrap(), "example.com.cn");
        assert_eq!(key("例子.中国").unwrap(), "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(key("www.xn--fsqu00a.xn--fiqs8s").unwrap(), "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(key("www.beijing.gov.cn").unwrap(), "beijing.gov.cn");
        assert_eq!(key("192.0.2.1:80"), Err("domain.ip"));
        assert_eq!(key("[2001:db8::1]:80"), Err("domain.ip"));
        assert_eq!(key("2001:db8::1"), Err("domain.ip"));
        assert!(key("localhost").is_err());
        assert!(key("intranet.corp").is_err());
        assert!(key("a b.com").is_err());
        assert!(key("com").is_err());
        assert!(key("").is_err());
    }

    #[test]
    fn a_detection_reopens_when_the_site_comes_back() {
        let s = |state, handled_at, deadline| Standing { state, handled_at, deadline };
        use DetectionState::*;
        assert_eq!(after_sighting(s(Closed, Some(100), None), 150), Open);
        // Seen only before it was shut: stays shut.
        assert_eq!(after_sighting(s(Closed, Some(100), None), 90), Closed);
        assert_eq!(after_sighting(s(Filed, Some(100), None), 150), Open);
        assert_eq!(after_sighting(s(Rectifying, Some(100), Some(500)), 400), Rectifying);
        assert_eq!(after_sighting(s(Rectifying, Some(100), Some(500)), 600), Open);
        assert_eq!(after_sighting(s(FalsePositive, Some(100), None), 600), FalsePositive);
        assert_eq!(after_sighting(s(Open, None, None), 600), Open);
    }

    #[test]
    fn a_handling_says_what_each_result_needs() {
        let today = Date { year: 2026, month: 12, day: 3 };
        let h = check_handling("closed", " 已关停 ", "", "", today).unwrap();
        assert_eq!((h.result, h.comment.as_str()), (DetectionState::Closed, "已关停"));
        assert!(check_handling("open", "", "", "", today).unwrap_err().get("result").is_some());
        assert!(check_handling("nonsense", "", "", "", today).unwrap_err().get("result").is_some());
        assert!(check_handling("false_positive", "", "", "", today).unwrap_err().get("comment").is_some());
        assert!(check_handling("filed", "", "", "", today).unwrap_err().get("licence").is_some());
        assert!(check_handling("filed", "", "京ICP备2026000123号", "", today).unwrap_err().get("licence").is_some(), "an entity number is not a website's");
        assert_eq!(check_handling("filed", "", "京ICP备2026000123号-1", "", today).unwrap().licence.as_deref(), Some("京ICP备2026000123号-1"));
        assert!(check_handling("rectifying", "", "", "", today).unwrap_err().get("deadline").is_some());
        assert!(check_handling("rectifying", "", "", "2026-12-03", today).unwrap_err().get("deadline").is_some());
        assert!(check_handling("rectifying", "", "", "2027-12-03", today).unwrap_err().get("deadline").is_some());
        assert_eq!(check_handling("rectifying", "", "", "2026-12-31", today).unwrap().deadline, Some(Date { year: 2026, month: 12, day: 31 }));
        assert!(check_handling("closed", &"长".repeat(501), "", "", today).unwrap_err().get("comment").is_some());
        assert!(check_handling("closed", "a\u{0}b", "", "", today).unwrap_err().get("comment").is_some());
    }

    #[test]
    fn list_conditions_are_checked_and_kept_in_the_address() {
        let q = DetectionQuery { state: "closed".into(), province: "44".into(), domain: " Example ".into(), from: "2026-12-01".into(), ..Default::default() };
        let c = q.check().unwrap();
        assert_eq!((c.state, c.province, c.domain.as_str(), c.page), (Some(DetectionState::Closed), Some(44), "example", 1));
        assert_eq!(q.to_query_string(), "state=closed&province=44&domain=Example&from=2026-12-01");
        assert_eq!(DetectionQuery { province: "0".into(), ..Default::default() }.check().unwrap().province, Some(0));
        for bad in [
            DetectionQuery { state: "x".into(), ..Default::default() },
            DetectionQuery { province: "99".into(), ..Default::default() },
            DetectionQuery { from: "2026-13-01".into(), ..Default::default() },
            DetectionQuery { from: "2026-12-02".into(), to: "2026-12-01".into(), ..Default::default() },
            DetectionQuery { domain: "x".repeat(101), ..Default::default() },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
        assert_eq!(StatGroup::parse(""), Some(StatGroup::Province));
        assert_eq!(StatGroup::parse("x"), None);
    }

    #[test]
    fn shippers_times_are_read() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T08:00:00.123+08:00"), Some(0));
        assert_eq!(parse_rfc3339("2026-12-03T01:00:00Z"), Some(days_from_civil(2026, 12, 3) * 86_400 + 3600));
        assert_eq!(parse_rfc3339("2026-02-30T01:00:00Z"), None);
        assert_eq!(parse_rfc3339("2026-12-03"), None);
        assert_eq!(parse_rfc3339("2026-12-03T01:00:00"), None, "a zone is required");
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    const NOW: i64 = 1_764_900_000;

    #[test]
    fn observations_are_checked() {
        assert!(check_observation("192.0.2.1", "a.example.com", 1_764_800_000, 1_764_800_100, 3, NOW).is_ok());
        assert!(check_observation("2001:db8::1", "a.example.com", 1_764_800_000, 1_764_800_000, 1, NOW).is_ok());
        assert!(check_observation("not-ip", "a.example.com", 1_764_800_000, 1_764_800_100, 3, NOW).is_err());
        assert!(check_observation("192.0.2.1", "", 1_764_800_000, 1_764_800_100, 3, NOW).is_err());
        assert!(check_observation("192.0.2.1", &"a".repeat(301), 1_764_800_000, 1_764_800_100, 3, NOW).is_err());
        assert!(check_observation("192.0.2.1", "a.example.com", 1_764_800_000_000, 1_764_800_000_100, 3, NOW).is_err(), "milliseconds");
        assert!(check_observation("192.0.2.1", "a.example.com", 1_764_800_100, 1_764_800_000, 3, NOW).is_err());
        assert!(check_observation("192.0.2.1", "a.example.com", 1_764_800_000, 1_764_800_100, 0, NOW).is_err());
        assert!(check_observation("192.0.2.1", "a.example.com", 1_764_800_000, NOW + 86_400, 1, NOW).is_err(), "in the future");
    }
}
