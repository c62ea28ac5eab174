//! 手机, 固话 and e-mail (domain.md §2.4).

use super::error::Problem;

/// A checked mobile number: 11 digits starting 13–19.
pub fn parse_mobile(input: &str) -> Result<String, Problem> {
    let mut s: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if s.is_empty() {
        return Err(super::error::required());
    }
    for prefix in ["+86", "0086"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    if s.len() == 13 && s.starts_with("86") {
        s = s[2..].to_string();
    }
    let b = s.as_bytes();
    let ok = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(s)
    } else {
        Err(Problem::new(
            "mobile.shape",
            "手机号码应为11位数字，以13至19开头，例如 13800138000",
            "a mobile number has 11 digits starting with 13 to 19, e.g. 13800138000",
        ))
    }
}

/// A checked landline number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landline {
    /// Area code with its leading 0, e.g. `010`.
    pub area: String,
    pub number: String,
    pub extension: Option<String>,
}

impl Landline {
    /// The seeds' form: `086-010-12345678`.
    pub fn display(&self) -> String {
        match &self.extension {
            Some(ext) => format!("086-{}-{}-{}", self.area, self.number, ext),
            None => format!("086-{}-{}", self.area, self.number),
        }
    }

    /// E.164, stored beside the display form: `+861012345678`.
    pub fn e164(&self) -> String {
        format!("+86{}{}", &self.area[1..], self.number)
    }
}

fn landline_problem() -> Problem {
    Problem::new(
        "phone.shape",
        "固定电话请按“086-区号-号码”或“区号-号码”填写，例如 086-010-12345678 或 0755-87654321",
        "write the landline as 086-area-number or area-number, e.g. 086-010-12345678 or 0755-87654321",
    )
}

/// Split a run of digits that starts with the area code: 010 and 02x are
/// three digits long, every other area code four.
fn split_area(digits: &str) -> Option<(String, String)> {
    if !digits.starts_with('0') || digits.len() < 10 {
        return None;
    }
    let area_len = if digits.starts_with("01") || digits.starts_with("02") { 3 } else { 4 };
    Some((digits[..area_len].to_string(), digits[area_len..].to_string()))
}

/// Check a 固话: `086-区号-号码`, `+86-区号-号码` or `区号-号码`, optionally with
/// an extension; the area code is 0 and 2–3 digits, the number 7–8 digits.
pub fn parse_landline(input: &str) -> Result<Landline, Problem> {
    let s: String = input.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Err(super::error::required());
    }
    let s = s.replace(['－', '—', '–'], "-");
    let mut parts: Vec<&str> = s.split('-').collect();
    if parts.iter().any(|p| p.is_empty() || !p.trim_start_matches('+').bytes().all(|b| b.is_ascii_digit())) {
        return Err(landline_problem());
    }
    // Country code first: 086, 86 or +86.
    if matches!(parts[0], "086" | "86" | "+86" | "0086") && parts.len() >= 2 {
        parts.remove(0);
    } else if parts[0].starts_with('+') {
        return Err(landline_problem());
    }
    let (area, number, extension) = match parts.as_slice() {
        [area, number] => (area.to_string(), number.to_string(), None),
        [area, number, ext] if ext.len() <= 6 => (area.to_string(), number.to_string(), Some(ext.to_string())),
        [joined] => split_area(joined).map(|(a, n)| (a, n, None)).ok_or_else(landline_problem)?,
        _ => return Err(landline_problem()),
    };
    // Area codes are written with their leading 0; accept "10" after 086 too.
    let area = if area.starts_with('0') { area } else { format!("0{area}") };
    let area_ok = (3..=4).contains(&area.len()) && area.as_bytes()[1] != b'0';
    let number_ok = (7..=8).contains(&number.len()) && !number.starts_with('0');
    if area_ok && number_ok {
        Ok(Landline { area, number, extension })
    } else {
        Err(landline_problem())
    }
}

/// Check an e-mail address; returns it with the domain part in lower case.
pub fn parse_email(input: &str) -> Result<String, Problem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(super::error::required());
    }
    let problem = || {
        Problem::new(
            "email.shape",
            "电子邮箱格式不正确，应类似 name@example.com",
            "the e-mail address is not valid; it should look like name@example.com",
        )
    };
    let (local, domain) = s.rsplit_once('@').ok_or_else(problem)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic() || c == '-') || tld.starts_with("xn--"));
    if local_ok && domain_ok && s.len() <= 254 {
        Ok(format!("{local}@{domain}"))
    } else {
        Err(problem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles() {
        assert_eq!(parse_mobile("13800138000").unwrap(), "13800138000");
        assert_eq!(parse_mobile("+86 138-0013-8000").unwrap(), "13800138000");
        assert_eq!(parse_mobile("8613800138000").unwrap(), "13800138000");
        assert!(parse_mobile("12800138000").is_err());
        assert!(parse_mobile("1380013800").is_err());
        assert!(parse_mobile("138001380001").is_err());
        assert_eq!(parse_mobile("").unwrap_err().code, "required");
    }

    #[test]
    fn landlines_in_the_seeds_form() {
        // Seed 000: "086-区号-电话号码".
        let l = parse_landline("086-010-12345678").unwrap();
        assert_eq!((l.area.as_str(), l.number.as_str()), ("010", "12345678"));
        assert_eq!(l.display(), "086-010-12345678");
        assert_eq!(l.e164(), "+861012345678");
        assert_eq!(parse_landline("010-12345678").unwrap(), l);
        assert_eq!(parse_landline("+86-10-12345678").unwrap(), l);
        assert_eq!(parse_landline("01012345678").unwrap(), l);
        let sz = parse_landline("0755-8765432").unwrap();
        assert_eq!(sz.e164(), "+867558765432");
        assert_eq!(parse_landline("075587654321").unwrap().area, "0755");
        assert_eq!(parse_landline("0411-84610600-603").unwrap().extension.as_deref(), Some("603"));
        assert!(parse_landline("12345678").is_err());
        assert!(parse_landline("010-123456").is_err());
        assert!(parse_landline("010-012345678").is_err());
        assert!(parse_landline("abc-12345678").is_err());
        assert!(parse_landline("001-12345678").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(parse_email(" Zhang.San@Example.COM ").unwrap(), "Zhang.San@example.com");
        assert!(parse_email("a@b.cn").is_ok());
        assert!(parse_email("a@xn--fiqs8s.xn--fiqs8s").is_ok());
        for bad in ["abc", "a@b", "a@@b.com", "@b.com", "a@.com", "a b@c.com", "a@b.c", "a..b@c.com", "a@-b.com"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
