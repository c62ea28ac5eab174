//! Organisation identifiers (domain.md §2.2–2.3): 统一社会信用代码 (GB 32100)
//! and 组织机构代码 (GB 11714), with their check characters.

use super::error::Problem;

/// The 31 characters of the USCC alphabet (no I, O, S, V, Z), valued 0–30.
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// W_i = 3^(i−1) mod 31.
pub const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
pub const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Registration authorities (登记管理部门代码, position 1).
const USCC_AUTHORITIES: &str = "123456789ANY";

fn uscc_value(c: u8) -> Option<u32> {
    USCC_ALPHABET.bytes().position(|a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters of a USCC, or `None`
/// when a character is outside the alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in first17.bytes().zip(USCC_WEIGHTS) {
        sum += uscc_value(b)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_ALPHABET.as_bytes()[check as usize] as char)
}

fn org_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// The check character for the 8 body characters of an 组织机构代码.
pub fn org_check_char(body: &str) -> Option<char> {
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in body.bytes().zip(ORG_WEIGHTS) {
        sum += org_value(b)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from(b'0' + c as u8),
    })
}

fn clean(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Check a 统一社会信用代码; returns it in upper case.
pub fn parse_uscc(input: &str) -> Result<String, Problem> {
    let s = clean(input);
    if s.is_empty() {
        return Err(super::error::required());
    }
    if s.len() != 18 {
        return Err(Problem::new(
            "uscc.length",
            format!("统一社会信用代码应为18位，填写的是{}位", s.chars().count()),
            format!("a unified social credit code has 18 characters, not {}", s.chars().count()),
        ));
    }
    if let Some(bad) = s.chars().find(|c| !USCC_ALPHABET.contains(*c)) {
        return Err(Problem::new(
            "uscc.alphabet",
            format!("含有不允许的字符“{bad}”（代码中不使用 I、O、S、V、Z），请照营业执照核对"),
            format!("contains \"{bad}\", which is not used in these codes (no I, O, S, V, Z); copy it from the licence"),
        ));
    }
    let first = s.as_bytes()[0];
    if !USCC_AUTHORITIES.as_bytes().contains(&first) || !s[2..8].bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::new(
            "uscc.shape",
            "格式不正确：第1位为登记管理部门代码，第3至8位为行政区划代码（数字），请照证件核对",
            "the layout is wrong: position 1 is the registration authority and positions 3–8 are a division code (digits); copy it from the certificate",
        ));
    }
    let expected = uscc_check_char(&s[..17]).ok_or_else(|| Problem::new("uscc.alphabet", "含有不允许的字符", "contains a character that is not allowed"))?;
    let actual = s.as_bytes()[17] as char;
    if expected != actual {
        return Err(Problem::new(
            "uscc.check_digit",
            "号码有误，请与证件逐位核对",
            "The number is wrong: compare it with the certificate, character by character",
        ));
    }
    // Positions 9–17 are the organisation code, which carries its own check.
    let org = &s[8..17];
    if org_check_char(&org[..8]) != Some(org.as_bytes()[8] as char) {
        return Err(Problem::new(
            "uscc.org_code",
            "第9至17位（组织机构代码部分）的校验位不正确，请逐位核对",
            "positions 9–17 (the organisation code inside it) fail their own check; check each character",
        ));
    }
    Ok(s)
}

/// Check a 组织机构代码 given as `XXXXXXXX-C` or `XXXXXXXXC`; returns `XXXXXXXX-C`.
pub fn parse_org_code(input: &str) -> Result<String, Problem> {
    let s: String = clean(input).chars().filter(|c| *c != '-').collect();
    if s.is_empty() {
        return Err(super::error::required());
    }
    if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Problem::new(
            "org.shape",
            "组织机构代码应为8位字母或数字加1位校验码，例如 71774346-9",
            "an organisation code is 8 letters or digits and a check character, e.g. 71774346-9",
        ));
    }
    let expected = org_check_char(&s[..8]).ok_or_else(|| Problem::new("org.shape", "含有不允许的字符", "contains a character that is not allowed"))?;
    let actual = s.as_bytes()[8] as char;
    if expected != actual {
        return Err(Problem::new(
            "org.check_digit",
            "号码有误，请与证件逐位核对",
            "The number is wrong: compare it with the certificate, character by character",
        ));
    }
    Ok(format!("{}-{}", &s[..8], actual))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uscc_worked_examples() {
        // domain.md §2.2: Baidu, S = 1221 → K.
        assert_eq!(uscc_check_char("91110108717743469"), Some('K'));
        assert_eq!(parse_uscc("91110108717743469K").unwrap(), "91110108717743469K");
        // S = 1640 → 3.
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
        assert!(parse_uscc("91350100M000100Y43").is_ok());
        // Tencent Shenzhen → T.
        assert!(parse_uscc("91440300708461136t").is_ok());
    }

    #[test]
    fn uscc_refusals() {
        assert_eq!(parse_uscc("91110108717743469A").unwrap_err().code, "uscc.check_digit");
        assert_eq!(parse_uscc("91110108717743469").unwrap_err().code, "uscc.length");
        assert_eq!(parse_uscc("91110108717743469I").unwrap_err().code, "uscc.alphabet");
        assert_eq!(parse_uscc("").unwrap_err().code, "required");
        // Position 1 must be a registration authority.
        let body = "B1110108717743469";
        let code = format!("{body}{}", uscc_check_char(body).unwrap());
        assert_eq!(parse_uscc(&code).unwrap_err().code, "uscc.shape");
        // A valid outer check but a broken inner organisation code.
        let body = "91110108717743468";
        let code = format!("{body}{}", uscc_check_char(body).unwrap());
        assert_eq!(parse_uscc(&code).unwrap_err().code, "uscc.org_code");
    }

    #[test]
    fn org_code_worked_examples() {
        // S = 233 → 9.
        assert_eq!(org_check_char("71774346"), Some('9'));
        assert_eq!(parse_org_code("71774346-9").unwrap(), "71774346-9");
        assert_eq!(parse_org_code("717743469").unwrap(), "71774346-9");
        // S = 199 → X.
        assert_eq!(org_check_char("D2143569"), Some('X'));
        assert_eq!(parse_org_code("d2143569-x").unwrap(), "D2143569-X");
        assert_eq!(parse_org_code("71774346-8").unwrap_err().code, "org.check_digit");
        assert_eq!(parse_org_code("7177434-9").unwrap_err().code, "org.shape");
    }

    fn uscc_char() -> impl Strategy<Value = char> {
        prop::sample::select(USCC_ALPHABET.chars().collect::<Vec<_>>())
    }

    proptest! {
        /// A code built with both check characters passes; replacing any
        /// single character with another of the alphabet makes it fail.
        #[test]
        fn uscc_catches_single_substitutions(
            auth in prop::sample::select(vec!['1', '5', '9', 'Y']),
            cat in uscc_char(),
            division in 110000u32..660000,
            org in prop::collection::vec(prop::sample::select("0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect::<Vec<_>>()), 8),
            pos in 0usize..18,
            replacement in uscc_char(),
        ) {
            let org: String = org.into_iter().collect();
            let org_check = org_check_char(&org).unwrap();
            prop_assume!(USCC_ALPHABET.contains(org_check));
            let first17 = format!("{auth}{cat}{division:06}{org}{org_check}");
            let code = format!("{first17}{}", uscc_check_char(&first17).unwrap());
            prop_assert!(parse_uscc(&code).is_ok(), "{}", code);
            let mut chars: Vec<char> = code.chars().collect();
            prop_assume!(chars[pos] != replacement);
            chars[pos] = replacement;
            let altered: String = chars.into_iter().collect();
            prop_assert!(parse_uscc(&altered).is_err(), "{} passed", altered);
        }

        #[test]
        fn org_code_catches_single_substitutions(body in "[0-9A-Z]{8}", pos in 0usize..8, delta in 1u8..10) {
            let check = org_check_char(&body).unwrap();
            let code = format!("{body}-{check}");
            prop_assert!(parse_org_code(&code).is_ok());
            let mut bytes = body.into_bytes();
            if bytes[pos].is_ascii_digit() {
                bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
                let altered = format!("{}-{check}", String::from_utf8(bytes).unwrap());
                prop_assert!(parse_org_code(&altered).is_err());
            }
        }
    }
}
