//! Filing numbers (domain.md §3): the entity number 京ICP备2026000123号 and the
//! website numbers 京ICP备2026000123号-3 (APP -3A, 小程序 -3X, 快应用 -3K).

use serde::{Deserialize, Serialize};

use super::codes::{province_by_prefix, Province};
use super::error::Problem;

/// How the year is written: two digits before 2019, four from 2019 on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum YearStyle {
    TwoDigit,
    FourDigit,
}

/// A 主体备案号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityLicence {
    /// Province code (GB/T 2260 first two digits).
    pub province: u8,
    /// The full year of first filing, e.g. 2026 (or 2010 for "10").
    pub year: u16,
    /// The six-digit sequence within the province.
    pub seq: u32,
    pub style: YearStyle,
}

/// The kind of service numbered under an entity; they share one sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceKind {
    Website,
    App,
    MiniProgram,
    QuickApp,
}

impl ServiceKind {
    pub fn suffix(self) -> &'static str {
        match self {
            ServiceKind::Website => "",
            ServiceKind::App => "A",
            ServiceKind::MiniProgram => "X",
            ServiceKind::QuickApp => "K",
        }
    }
}

/// A 网站备案号 (or APP/小程序/快应用 number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLicence {
    pub entity: EntityLicence,
    pub n: u32,
    pub kind: ServiceKind,
}

pub const MAX_SEQ: u32 = 999_999;

impl EntityLicence {
    /// The number issued from today on: four-digit year.
    pub fn new(province: u8, year: u16, seq: u32) -> EntityLicence {
        let style = if year >= 2019 { YearStyle::FourDigit } else { YearStyle::TwoDigit };
        EntityLicence { province, year, seq, style }
    }

    pub fn province(&self) -> Option<&'static Province> {
        super::codes::province_by_code(self.province)
    }

    pub fn format(&self) -> String {
        let prefix = self.province().map(|p| p.icp_prefix).unwrap_or("?");
        match self.style {
            YearStyle::FourDigit => format!("{prefix}ICP备{:04}{:06}号", self.year, self.seq),
            YearStyle::TwoDigit => format!("{prefix}ICP备{:02}{:06}号", self.year % 100, self.seq),
        }
    }

    pub fn website(&self, n: u32) -> ServiceLicence {
        ServiceLicence { entity: self.clone(), n, kind: ServiceKind::Website }
    }

    /// An APP's number: the entity's shared sequence `n` with the suffix A
    /// (陕ICP备2024026116号-1A; a website -1 then an APP gives -2A).
    pub fn app(&self, n: u32) -> ServiceLicence {
        ServiceLicence { entity: self.clone(), n, kind: ServiceKind::App }
    }
}

impl std::fmt::Display for EntityLicence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

impl ServiceLicence {
    pub fn format(&self) -> String {
        format!("{}-{}{}", self.entity.format(), self.n, self.kind.suffix())
    }
}

impl std::fmt::Display for ServiceLicence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

fn licence_problem() -> Problem {
    Problem::new(
        "licence.shape",
        "备案号格式不正确，应类似 京ICP备2026000123号 或 京ICP备2026000123号-1",
        "not a filing number; it looks like 京ICP备2026000123号 or 京ICP备2026000123号-1",
    )
}

/// Two-digit years are of first filings from 2004 to 2018 (the system opened
/// in 2004; a few older numbers read 9x).
fn full_year(two: u16) -> u16 {
    if two >= 90 { 1900 + two } else { 2000 + two }
}

/// Parse a 主体备案号; spaces are ignored.
pub fn parse_entity_licence(input: &str) -> Result<EntityLicence, Problem> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let prefix: String = s.chars().take(1).collect();
    let province = province_by_prefix(&prefix).ok_or_else(|| {
        if ["川", "贵", "云", "甘"].contains(&prefix.as_str()) {
            Problem::new(
                "licence.prefix",
                "四川、贵州、云南、甘肃的备案号分别以“蜀”“黔”“滇”“陇”开头，请核对",
                "Sichuan, Guizhou, Yunnan and Gansu numbers start with 蜀, 黔, 滇 and 陇; check the number",
            )
        } else {
            licence_problem()
        }
    })?;
    let rest = s[prefix.len()..].strip_prefix("ICP备").ok_or_else(licence_problem)?;
    let digits = rest.strip_suffix('号').ok_or_else(licence_problem)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(licence_problem());
    }
    let (year, seq_digits, style) = match digits.len() {
        10 => (digits[..4].parse::<u16>().map_err(|_| licence_problem())?, &digits[4..], YearStyle::FourDigit),
        8 => (full_year(digits[..2].parse::<u16>().map_err(|_| licence_problem())?), &digits[2..], YearStyle::TwoDigit),
        _ => return Err(licence_problem()),
    };
    if style == YearStyle::FourDigit && !(2019..=2099).contains(&year) {
        return Err(licence_problem());
    }
    let seq = seq_digits.parse().map_err(|_| licence_problem())?;
    Ok(EntityLicence { province: province.code, year, seq, style })
}

/// Parse a 网站备案号 (or APP/小程序/快应用 number).
pub fn parse_service_licence(input: &str) -> Result<ServiceLicence, Problem> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let (entity, tail) = s.rsplit_once("号-").ok_or_else(licence_problem)?;
    let entity = parse_entity_licence(&format!("{entity}号"))?;
    let (digits, kind) = match tail.chars().last() {
        Some('A' | 'a') => (&tail[..tail.len() - 1], ServiceKind::App),
        Some('X' | 'x') => (&tail[..tail.len() - 1], ServiceKind::MiniProgram),
        Some('K' | 'k') => (&tail[..tail.len() - 1], ServiceKind::QuickApp),
        _ => (tail, ServiceKind::Website),
    };
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(licence_problem());
    }
    let n: u32 = digits.parse().map_err(|_| licence_problem())?;
    if n == 0 {
        return Err(licence_problem());
    }
    Ok(ServiceLicence { entity, n, kind })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entity_numbers() {
        let l = EntityLicence::new(11, 2026, 123);
        assert_eq!(l.format(), "京ICP备2026000123号");
        assert_eq!(parse_entity_licence("京ICP备2026000123号").unwrap(), l);
        let old = parse_entity_licence("京ICP备10046444号").unwrap();
        assert_eq!((old.year, old.seq, old.style), (2010, 46444, YearStyle::TwoDigit));
        assert_eq!(old.format(), "京ICP备10046444号");
        assert_eq!(parse_entity_licence("京ICP备04000001号").unwrap().year, 2004);
        assert_eq!(EntityLicence::new(51, 2026, 33844).format(), "蜀ICP备2026033844号");
        assert_eq!(EntityLicence::new(62, 2021, 3158).format(), "陇ICP备2021003158号");
        assert_eq!(parse_entity_licence("川ICP备2026033844号").unwrap_err().code, "licence.prefix");
        for bad in ["京ICP备2026000123", "京ICP2026000123号", "京ICP备202600012号", "X ICP备2026000123号", "京ICP备1899000123号", ""] {
            assert!(parse_entity_licence(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn service_numbers() {
        let l = parse_service_licence("京ICP备10046444号-9").unwrap();
        assert_eq!((l.n, l.kind), (9, ServiceKind::Website));
        assert_eq!(l.format(), "京ICP备10046444号-9");
        let app = parse_service_licence("陕ICP备2024026116号-1A").unwrap();
        assert_eq!((app.n, app.kind, app.entity.province), (1, ServiceKind::App, 61));
        assert_eq!(app.format(), "陕ICP备2024026116号-1A");
        assert_eq!(EntityLicence::new(11, 2026, 123).website(3).format(), "京ICP备2026000123号-3");
        // One shared sequence: a website -1, then an APP -2A.
        let e = EntityLicence::new(11, 2026, 123);
        assert_eq!((e.website(1).format(), e.app(2).format()), ("京ICP备2026000123号-1".to_string(), "京ICP备2026000123号-2A".to_string()));
        assert_eq!(parse_service_licence(&e.app(2).format()).unwrap(), e.app(2));
        assert!(parse_service_licence("京ICP备2026000123号").is_err());
        assert!(parse_service_licence("京ICP备2026000123号-0").is_err());
        assert!(parse_service_licence("京ICP备2026000123号-").is_err());
    }

    proptest! {
        #[test]
        fn format_and_parse_round_trip(pi in 0usize..31, year in 2004u16..2099, seq in 0u32..=MAX_SEQ, n in 1u32..500) {
            let province = super::super::codes::PROVINCES[pi].code;
            let l = EntityLicence::new(province, year, seq);
            prop_assert_eq!(parse_entity_licence(&l.format()).unwrap(), l.clone());
            let w = l.website(n);
            prop_assert_eq!(parse_service_licence(&w.format()).unwrap(), w);
        }
    }
}
