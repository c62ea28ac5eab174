//! 网站备案信息统计 (seed 001 §1.7.4): counts of this provider's filed
//! entities and websites grouped by one item, as of a cut-off date that
//! must be given, each beside 同比 (the same date a year before) and 环比
//! (the end of the previous month). Grouped by month, the figure is the
//! websites and entities approved in each of the twelve months up to the
//! cut-off, beside the same month a year before and the month before.
//! Pure arithmetic over rows the server reads; tested on known data.

use serde::{Deserialize, Serialize};

use super::codes;
use super::date::{days_in_month, Date};
use super::error::{Field, FieldErrors, Problem};
use super::text::{Message, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Province,
    Nature,
    Content,
    Method,
    Month,
}

impl Group {
    pub const ALL: [Group; 5] = [Group::Province, Group::Nature, Group::Content, Group::Method, Group::Month];

    pub fn code(self) -> &'static str {
        match self {
            Group::Province => "province",
            Group::Nature => "nature",
            Group::Content => "content",
            Group::Method => "method",
            Group::Month => "month",
        }
    }

    pub fn from_code(s: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Group::Province => Text::new("主体所在省", "Province"),
            Group::Nature => Text::new("主办单位性质", "Sponsor type"),
            Group::Content => Text::new("网站服务内容", "Service content"),
            Group::Method => Text::new("接入方式", "Access method"),
            Group::Month => Text::new("审核通过月份", "Month approved"),
        }
    }
}

/// One filed website with this provider's access, as the statistics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub entity: String,
    pub approved: Date,
    /// When it stopped being filed (注销), if it did.
    pub ended: Option<Date>,
    pub province: u8,
    pub nature: u8,
    pub content: Vec<u8>,
    pub method: u8,
}

impl StatRow {
    /// Filed on `day` (approved by then, not yet ended).
    fn filed_on(&self, day: Date) -> bool {
        self.approved <= day && self.ended.is_none_or(|e| e > day)
    }

    /// The group keys it counts under (several for 服务内容).
    fn keys(&self, g: Group) -> Vec<String> {
        match g {
            Group::Province => vec![format!("{:02}", self.province)],
            Group::Nature => vec![self.nature.to_string()],
            Group::Method => vec![self.method.to_string()],
            Group::Content if self.content.is_empty() => vec!["0".into()],
            Group::Content => self.content.iter().map(|c| c.to_string()).collect(),
            Group::Month => vec![month_key(self.approved)],
        }
    }
}

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year, d.month)
}

/// The same day a year before (29 February becomes the 28th).
pub fn year_before(d: Date) -> Date {
    let y = d.year.saturating_sub(1).max(1);
    Date { year: y, month: d.month, day: d.day.min(days_in_month(y, d.month)) }
}

/// The last day of the month before.
pub fn end_of_previous_month(d: Date) -> Date {
    let (y, m) = if d.month == 1 { (d.year.saturating_sub(1).max(1), 12) } else { (d.year, d.month - 1) };
    Date { year: y, month: m, day: days_in_month(y, m) }
}

fn previous_month(y: u16, m: u8) -> (u16, u8) {
    if m == 1 { (y.saturating_sub(1), 12) } else { (y, m - 1) }
}

/// A count beside its base: the change in percent, or none when the base
/// is zero (growth from nothing has no percentage).
pub fn change(now: u64, base: u64) -> Option<f64> {
    (base > 0).then(|| (now as f64 - base as f64) / base as f64 * 100.0)
}

/// "+12.5%", "-3.0%", "—" (no base).
pub fn change_text(now: u64, base: u64) -> String {
    match change(now, base) {
        Some(c) if c > 0.0 => format!("+{c:.1}%"),
        Some(c) => format!("{c:.1}%"),
        None => "—".into(),
    }
}

/// One line of the table: a group's figures now, a year before, a period before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatLine {
    pub key: String,
    pub label: Message,
    pub websites: u64,
    pub websites_year_before: u64,
    pub websites_period_before: u64,
    pub entities: u64,
    pub entities_year_before: u64,
    pub entities_period_before: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatTable {
    pub group: Group,
    pub cutoff: String,
    /// The day each base was counted on (for categories), or a note (months).
    pub year_before: String,
    pub period_before: String,
    pub lines: Vec<StatLine>,
    /// Every website and entity once (a website in two 服务内容 lines counts once here).
    pub total: StatLine,
}

fn label(g: Group, key: &str) -> Message {
    let t = |t: Option<Text>| t.map(|t| Message::new(t.zh, t.en)).unwrap_or_else(|| Message::new(key, key));
    match g {
        Group::Province => t(key.parse().ok().and_then(codes::province_by_code).map(|p| p.name)),
        Group::Nature => t(key.parse().ok().and_then(codes::nature).map(|n| n.name)),
        Group::Content if key == "0" => Message::new("未填", "Not given"),
        Group::Content => t(key.parse().ok().and_then(codes::content_type)),
        Group::Method => t(key.parse().ok().and_then(codes::access_method)),
        Group::Month => Message::new(key, key),
    }
}

#[derive(Default)]
struct Tally {
    websites: u64,
    entities: std::collections::BTreeSet<String>,
}

fn count(rows: &[StatRow], g: Group, keep: impl Fn(&StatRow) -> bool) -> std::collections::BTreeMap<String, Tally> {
    let mut out: std::collections::BTreeMap<String, Tally> = Default::default();
    for r in rows.iter().filter(|r| keep(r)) {
        for k in r.keys(g) {
            let t = out.entry(k).or_default();
            t.websites += 1;
            t.entities.insert(r.entity.clone());
        }
    }
    out
}

fn total(rows: &[StatRow], keep: impl Fn(&StatRow) -> bool) -> (u64, u64) {
    let mut entities = std::collections::BTreeSet::new();
    let mut websites = 0;
    for r in rows.iter().filter(|r| keep(r)) {
        websites += 1;
        entities.insert(r.entity.as_str());
    }
    (websites, entities.len() as u64)
}

/// The statistics for a group as of a cut-off date.
pub fn compute(rows: &[StatRow], group: Group, cutoff: Date) -> StatTable {
    if group == Group::Month {
        return by_month(rows, cutoff);
    }
    let (yb, pb) = (year_before(cutoff), end_of_previous_month(cutoff));
    let now = count(rows, group, |r| r.filed_on(cutoff));
    let a_year = count(rows, group, |r| r.filed_on(yb));
    let a_period = count(rows, group, |r| r.filed_on(pb));
    let mut keys: Vec<&String> = now.keys().chain(a_year.keys()).chain(a_period.keys()).collect();
    keys.sort();
    keys.dedup();
    let get = |m: &std::collections::BTreeMap<String, Tally>, k: &str| m.get(k).map(|t| (t.websites, t.entities.len() as u64)).unwrap_or((0, 0));
    let mut lines: Vec<StatLine> = keys
        .into_iter()
        .map(|k| {
            let ((w, e), (wy, ey), (wp, ep)) = (get(&now, k), get(&a_year, k), get(&a_period, k));
            StatLine { key: k.clone(), label: label(group, k), websites: w, websites_year_before: wy, websites_period_before: wp, entities: e, entities_year_before: ey, entities_period_before: ep }
        })
        .collect();
    // Largest first, as a person reads a table of counts.
    lines.sort_by(|a, b| b.websites.cmp(&a.websites).then_with(|| a.key.cmp(&b.key)));
    let ((w, e), (wy, ey), (wp, ep)) = (total(rows, |r| r.filed_on(cutoff)), total(rows, |r| r.filed_on(yb)), total(rows, |r| r.filed_on(pb)));
    StatTable {
        group,
        cutoff: cutoff.to_string(),
        year_before: yb.to_string(),
        period_before: pb.to_string(),
        lines,
        total: StatLine { key: String::new(), label: Message::new("合计", "Total"), websites: w, websites_year_before: wy, websites_period_before: wp, entities: e, entities_year_before: ey, entities_period_before: ep },
    }
}

/// Approvals per month for the twelve months up to the cut-off (the last
/// month only up to the cut-off day), beside the same month a year before
/// and the month before.
fn by_month(rows: &[StatRow], cutoff: Date) -> StatTable {
    // Approvals on or before the cut-off only: a later one is not known yet on that day.
    let upto: Vec<&StatRow> = rows.iter().filter(|r| r.approved <= cutoff).collect();
    let in_month = |y: u16, m: u8| {
        let mut ents = std::collections::BTreeSet::new();
        let mut w = 0;
        for r in &upto {
            if (r.approved.year, r.approved.month) == (y, m) {
                w += 1;
                ents.insert(r.entity.as_str());
            }
        }
        (w, ents.len() as u64)
    };
    let mut months = Vec::new();
    let (mut y, mut m) = (cutoff.year, cutoff.month);
    for _ in 0..12 {
        months.push((y, m));
        (y, m) = previous_month(y, m);
    }
    months.reverse();
    let lines: Vec<StatLine> = months
        .into_iter()
        .map(|(y, m)| {
            let key = format!("{y:04}-{m:02}");
            let (w, e) = in_month(y, m);
            let (wy, ey) = in_month(y.saturating_sub(1), m);
            let (py, pm) = previous_month(y, m);
            let (wp, ep) = in_month(py, pm);
            StatLine { label: Message::new(key.clone(), key.clone()), key, websites: w, websites_year_before: wy, websites_period_before: wp, entities: e, entities_year_before: ey, entities_period_before: ep }
        })
        .collect();
    let sum = |f: fn(&StatLine) -> u64| lines.iter().map(f).sum::<u64>();
    let total = StatLine {
        key: String::new(),
        label: Message::new("十二个月合计", "Twelve months"),
        websites: sum(|l| l.websites),
        websites_year_before: sum(|l| l.websites_year_before),
        websites_period_before: sum(|l| l.websites_period_before),
        entities: sum(|l| l.entities),
        entities_year_before: sum(|l| l.entities_year_before),
        entities_period_before: sum(|l| l.entities_period_before),
    };
    StatTable {
        group: Group::Month,
        cutoff: cutoff.to_string(),
        year_before: "上年同月 / same month a year before".into(),
        period_before: "上月 / the month before".into(),
        lines,
        total,
    }
}

pub const CUTOFF: Field = Field::new("until", "统计截止日期", "Counted up to");
pub const GROUP: Field = Field::new("group", "统计分组项", "Group by");

/// The form: a group (default 主体所在省) and a cut-off date, which must be
/// given and cannot be after today.
pub fn check(group: &str, until: &str, today: Date) -> Result<(Group, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let g = if group.trim().is_empty() { Some(Group::Province) } else { errors.check(GROUP, Group::from_code(group.trim()).ok_or_else(|| Problem::new("search.code", "请从列表中选择", "choose one from the list"))) };
    let d = errors.check(
        CUTOFF,
        if until.trim().is_empty() {
            Err(Problem::new("stats.cutoff", "统计截止日期不能为空", "the cut-off date is required"))
        } else {
            match Date::parse_compact(until.trim()) {
                None => Err(Problem::new("date.shape", "日期请按 YYYY-MM-DD 填写，且须是存在的日期", "write an existing date as YYYY-MM-DD")),
                Some(d) if d > today => Err(Problem::new("stats.future", "截止日期不能晚于今天", "the cut-off cannot be after today")),
                Some(d) => Ok(d),
            }
        },
    );
    errors.into_result()?;
    Ok((g.unwrap_or(Group::Province), d.unwrap_or(today)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_compact(s).unwrap()
    }

    fn row(entity: &str, approved: &str, ended: Option<&str>, province: u8, content: &[u8]) -> StatRow {
        StatRow { entity: entity.into(), approved: d(approved), ended: ended.map(d), province, nature: 4, content: content.to_vec(), method: 2 }
    }

    fn known() -> Vec<StatRow> {
        vec![
            // 北京: two entities, three websites by 2026-06-30; one a year before; two a month before.
            row("a", "2025-03-01", None, 11, &[14]),
            row("a", "2026-06-10", None, 11, &[5, 14]),
            row("b", "2026-05-20", None, 11, &[1]),
            // 上海: filed in 2024, cancelled 2026-06-05.
            row("c", "2024-01-01", Some("2026-06-05"), 31, &[14]),
            // Approved after the cut-off: not counted anywhere.
            row("d", "2026-07-02", None, 31, &[14]),
        ]
    }

    #[test]
    fn dates_a_year_and_a_month_before() {
        assert_eq!(year_before(d("2024-02-29")), d("2023-02-28"));
        assert_eq!(year_before(d("2026-06-30")), d("2025-06-30"));
        assert_eq!(end_of_previous_month(d("2026-03-15")), d("2026-02-28"));
        assert_eq!(end_of_previous_month(d("2024-03-01")), d("2024-02-29"));
        assert_eq!(end_of_previous_month(d("2026-01-10")), d("2025-12-31"));
    }

    #[test]
    fn changes_in_percent() {
        assert_eq!(change_text(3, 2), "+50.0%");
        assert_eq!(change_text(1, 2), "-50.0%");
        assert_eq!(change_text(2, 2), "0.0%");
        assert_eq!(change_text(5, 0), "—");
        assert_eq!(change(0, 4), Some(-100.0));
    }

    #[test]
    fn by_province_as_of_the_cutoff_with_year_and_month_before() {
        let t = compute(&known(), Group::Province, d("2026-06-30"));
        assert_eq!((t.year_before.as_str(), t.period_before.as_str()), ("2025-06-30", "2026-05-31"));
        let bj = t.lines.iter().find(|l| l.key == "11").unwrap();
        assert_eq!(bj.label.zh, "北京");
        assert_eq!((bj.websites, bj.websites_year_before, bj.websites_period_before), (3, 1, 2));
        assert_eq!((bj.entities, bj.entities_year_before, bj.entities_period_before), (2, 1, 2));
        let sh = t.lines.iter().find(|l| l.key == "31").unwrap();
        // Cancelled on 5 June: gone at the cut-off, there a month and a year before.
        assert_eq!((sh.websites, sh.websites_year_before, sh.websites_period_before), (0, 1, 1));
        assert_eq!(t.lines[0].key, "11", "largest first");
        assert_eq!((t.total.websites, t.total.websites_year_before, t.total.websites_period_before), (3, 2, 3));
        assert_eq!((t.total.entities, t.total.entities_year_before, t.total.entities_period_before), (2, 2, 3));
    }

    #[test]
    fn by_content_counts_a_website_under_each_of_its_contents_but_once_in_the_total() {
        let t = compute(&known(), Group::Content, d("2026-06-30"));
        let showcase = t.lines.iter().find(|l| l.key == "14").unwrap();
        assert_eq!(showcase.websites, 2);
        assert_eq!(showcase.label.zh, "企业展示");
        assert_eq!(t.total.websites, 3);
    }

    #[test]
    fn by_month_counts_approvals_per_month() {
        let t = compute(&known(), Group::Month, d("2026-06-30"));
        assert_eq!(t.lines.len(), 12);
        assert_eq!(t.lines.first().unwrap().key, "2025-07");
        let june = t.lines.last().unwrap();
        assert_eq!(june.key, "2026-06");
        assert_eq!((june.websites, june.websites_year_before, june.websites_period_before), (1, 0, 1));
        let march = t.lines.iter().find(|l| l.key == "2026-03").unwrap();
        assert_eq!(march.websites_year_before, 1, "2025-03 had one");
        // The July 2026 approval is after the cut-off.
        assert_eq!(t.total.websites, 2);
    }

    #[test]
    fn the_form_needs_a_cutoff_not_in_the_future() {
        let today = d("2026-12-03");
        assert_eq!(check("", "2026-12-03", today).unwrap(), (Group::Province, today));
        assert_eq!(check("month", "20261101", today).unwrap().0, Group::Month);
        assert_eq!(check("", "", today).unwrap_err().0[0].code, "stats.cutoff");
        assert_eq!(check("", "2026-12-04", today).unwrap_err().0[0].code, "stats.future");
        assert_eq!(check("x", "2026-02-30", today).unwrap_err().0.len(), 2);
    }
}
