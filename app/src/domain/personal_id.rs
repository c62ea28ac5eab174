//! Personal certificate numbers (domain.md §2.1): 居民身份证 with its GB 11643
//! check digit, the 15-digit legacy form, 港澳台居民居住证, travel permits and
//! passports by shape.

use super::codes::{is_resident_id_region, CertCheck};
use super::date::Date;
use super::error::Problem;

/// Weights W_i = 2^(17−i) mod 11.
pub const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The check character for the first 17 digits of an 18-digit ID.
/// Panics only if given something other than 17 ASCII digits (callers check).
pub fn id_check_char(first17: &str) -> char {
    debug_assert!(first17.len() == 17 && first17.bytes().all(|b| b.is_ascii_digit()));
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    ID_CHECK_CHARS[(sum % 11) as usize] as char
}

/// A checked 居民身份证 number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentId {
    /// The 18-character form (a 15-digit input is converted).
    pub number: String,
    pub birth: Date,
    /// Two-digit region code (11 = 北京 …).
    pub region: u8,
    pub male: bool,
    /// True when the input was the 15-digit legacy form.
    pub converted: bool,
}

fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Convert a 15-digit legacy ID (YYMMDD, born 19YY) to 18 digits.
pub fn convert_15_to_18(id15: &str) -> Option<String> {
    if id15.len() != 15 || !id15.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let first17 = format!("{}19{}", &id15[..6], &id15[6..]);
    let check = id_check_char(&first17);
    Some(format!("{first17}{check}"))
}

fn check_birth(digits8: &str, today: Option<Date>) -> Result<Date, Problem> {
    let birth = Date::parse_compact(digits8).ok_or_else(|| {
        Problem::new(
            "id.birth_date",
            format!("第7至14位出生日期“{digits8}”不是真实的日期，请核对证件"),
            format!("digits 7–14 ({digits8}) are not a real birth date; check the card"),
        )
    })?;
    let too_old = birth.year < 1850;
    let in_future = today.is_some_and(|t| birth > t);
    if too_old || in_future {
        return Err(Problem::new(
            "id.birth_date",
            format!("出生日期 {birth} 不可能，请核对证件"),
            format!("the birth date {birth} is impossible; check the card"),
        ));
    }
    Ok(birth)
}

/// Check a 居民身份证 number: 18 characters with a valid check character, a
/// real birth date and a known region; or the 15-digit legacy form.
pub fn parse_resident_id(input: &str, today: Option<Date>) -> Result<ResidentId, Problem> {
    let s = normalize(input);
    if s.is_empty() {
        return Err(super::error::required());
    }
    // Byte positions below are only character positions for ASCII: any
    // other character (16 digits and "é" are 18 bytes) is a shape error.
    if !s.is_ascii() {
        return Err(shape_problem());
    }
    let (number, converted) = match s.len() {
        18 => {
            let (body, last) = s.split_at(17);
            if !body.bytes().all(|b| b.is_ascii_digit()) || !(last == "X" || last.bytes().all(|b| b.is_ascii_digit())) {
                return Err(shape_problem());
            }
            (s.clone(), false)
        }
        15 => match convert_15_to_18(&s) {
            Some(n) => (n, true),
            None => return Err(shape_problem()),
        },
        _ => return Err(shape_problem()),
    };
    let region: u8 = number[0..2].parse().map_err(|_| shape_problem())?;
    if !is_resident_id_region(region) {
        return Err(Problem::new(
            "id.region",
            format!("前两位“{region:02}”不是有效的省级行政区划代码，请核对证件"),
            format!("the first two digits ({region:02}) are not a valid province code; check the card"),
        ));
    }
    let birth = check_birth(&number[6..14], today)?;
    let expected = id_check_char(&number[..17]);
    let actual = number.as_bytes()[17] as char;
    if expected != actual {
        return Err(Problem::new(
            "id.check_digit",
            "号码有误，请与证件逐位核对",
            "The number is wrong: compare it with the certificate, character by character",
        ));
    }
    let male = (number.as_bytes()[16] - b'0') % 2 == 1;
    Ok(ResidentId { number, birth, region, male, converted })
}

fn shape_problem() -> Problem {
    Problem::new(
        "id.shape",
        "应为18位（最后一位可以是X）或15位旧号码，只含数字",
        "must be 18 characters (the last may be X) or a 15-digit legacy number, digits only",
    )
}

/// 港澳台居民居住证: the ID algorithm with prefix 810000, 820000 or 830000.
pub fn parse_residence_permit(input: &str, today: Option<Date>) -> Result<String, Problem> {
    let s = normalize(input);
    if !s.is_ascii() || s.len() != 18 || !["810000", "820000", "830000"].iter().any(|p| s.starts_with(p)) {
        return Err(Problem::new(
            "permit.shape",
            "港澳台居民居住证号码应为18位，以810000（香港）、820000（澳门）或830000（台湾）开头",
            "a residence permit number has 18 characters and starts with 810000 (HK), 820000 (Macau) or 830000 (Taiwan)",
        ));
    }
    let body = &s[..17];
    if !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(shape_problem());
    }
    check_birth(&s[6..14], today)?;
    let expected = id_check_char(body);
    if s.as_bytes()[17] as char != expected {
        return Err(Problem::new(
            "id.check_digit",
            "号码有误，请与证件逐位核对",
            "The number is wrong: compare it with the certificate, character by character",
        ));
    }
    Ok(s)
}

/// 港澳居民来往内地通行证: H (Hong Kong) or M (Macau) and 10 digits.
pub fn parse_hk_macau_permit(input: &str) -> Result<String, Problem> {
    let s = normalize(input);
    let ok = s.len() == 11 && matches!(s.as_bytes()[0], b'H' | b'M') && s[1..].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(s)
    } else {
        Err(Problem::new(
            "permit.shape",
            "港澳居民来往内地通行证号码为 H 或 M 加10位数字，例如 H0123456789",
            "the permit number is H or M followed by 10 digits, e.g. H0123456789",
        ))
    }
}

/// 台湾居民来往大陆通行证: 8 digits on current cards.
pub fn parse_taiwan_permit(input: &str) -> Result<String, Problem> {
    let s = normalize(input);
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(Problem::new(
            "permit.shape",
            "台湾居民来往大陆通行证号码为8位数字",
            "the permit number has 8 digits",
        ))
    }
}

/// 护照: 5–17 letters and digits with at least one digit (Chinese passports
/// are E, EA or G followed by digits; foreign passports vary).
pub fn parse_passport(input: &str) -> Result<String, Problem> {
    let s = normalize(input);
    let ok = (5..=17).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && s.bytes().any(|b| b.is_ascii_digit());
    if ok {
        Ok(s)
    } else {
        Err(Problem::new(
            "passport.shape",
            "护照号码应为5至17位字母和数字，例如 E12345678",
            "a passport number has 5 to 17 letters and digits, e.g. E12345678",
        ))
    }
}

/// 外国人永久居留身份证: the 2017 form (3 letters + 12 digits) or the 2023
/// form (18 digits starting with 9, ID check digit).
pub fn parse_foreign_permanent_resident(input: &str) -> Result<String, Problem> {
    let s = normalize(input);
    if !s.is_ascii() {
        return Err(Problem::new("permanent.shape", "外国人永久居留身份证号码只含字母和数字", "a permanent residence ID has only letters and digits"));
    }
    let legacy = s.len() == 15 && s[..3].bytes().all(|b| b.is_ascii_uppercase()) && s[3..].bytes().all(|b| b.is_ascii_digit());
    let new_form = s.len() == 18
        && s.starts_with('9')
        && s[..17].bytes().all(|b| b.is_ascii_digit())
        && id_check_char(&s[..17]) == s.as_bytes()[17] as char;
    if legacy || new_form {
        Ok(s)
    } else {
        Err(Problem::new(
            "permit.shape",
            "外国人永久居留身份证号码应为3位字母加12位数字，或以9开头的18位号码（校验位正确）",
            "the card number is 3 letters and 12 digits, or 18 characters starting with 9 with a valid check digit",
        ))
    }
}

/// A plausible number for certificates without a known algorithm.
pub fn parse_generic_certificate(input: &str) -> Result<String, Problem> {
    let s: String = input.trim().to_string();
    let len = s.chars().count();
    let ok = (4..=40).contains(&len) && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '(' | ')' | '（' | '）' | '第' | '号'));
    if ok {
        Ok(s)
    } else {
        Err(Problem::new(
            "cert.shape",
            "证件号码应为4至40位，只含文字、字母、数字和连字符，请照证件填写",
            "the number must be 4 to 40 letters, digits or hyphens, exactly as on the certificate",
        ))
    }
}

/// Check a certificate number by its type's rule; returns the normalised number.
pub fn check_certificate(check: CertCheck, input: &str, today: Option<Date>) -> Result<String, Problem> {
    if input.trim().is_empty() {
        return Err(super::error::required());
    }
    match check {
        CertCheck::ResidentId => parse_resident_id(input, today).map(|id| id.number),
        CertCheck::ResidencePermit => parse_residence_permit(input, today),
        CertCheck::HkMacauPermit => parse_hk_macau_permit(input),
        CertCheck::TaiwanPermit => parse_taiwan_permit(input),
        CertCheck::Passport => parse_passport(input),
        CertCheck::ForeignPermanentResident => parse_foreign_permanent_resident(input),
        CertCheck::Uscc => super::org_id::parse_uscc(input),
        CertCheck::OrgCode => super::org_id::parse_org_code(input),
        CertCheck::Generic => parse_generic_certificate(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> Option<Date> {
        Date::new(2026, 11, 22)
    }

    #[test]
    fn sixteen_digits_and_an_accent_is_a_shape_error_not_a_panic() {
        // 18 bytes, 17 characters: was a slice inside "é".
        let input = "1101051949123100é";
        assert!(parse_resident_id(input, None).is_err());
        assert!(parse_residence_permit("8100001990010112é", None).is_err());
        assert!(parse_foreign_permanent_resident("11010519491231é").is_err());
        for check in [CertCheck::ResidentId, CertCheck::ResidencePermit, CertCheck::ForeignPermanentResident, CertCheck::Uscc, CertCheck::OrgCode] {
            assert!(check_certificate(check, input, None).is_err());
        }
    }

    #[test]
    fn worked_examples() {
        // domain.md §2.1 example 1: S = 167, r = 2, check X.
        let id = parse_resident_id("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth, Date::new(1949, 12, 31).unwrap());
        assert_eq!(id.region, 11);
        assert!(!id.male);
        assert_eq!(id_check_char("11010519491231002"), 'X');
        // Example 2: S = 195, r = 8, check 4.
        assert_eq!(id_check_char("44052418800101001"), '4');
        assert!(parse_resident_id("440524188001010014", today()).is_ok());
        // Lower-case x is accepted and normalised.
        assert_eq!(parse_resident_id("11010519491231002x", today()).unwrap().number, "11010519491231002X");
    }

    #[test]
    fn legacy_15_digit() {
        assert_eq!(convert_15_to_18("110105491231002").as_deref(), Some("11010519491231002X"));
        let id = parse_resident_id("110105491231002", today()).unwrap();
        assert_eq!(id.number, "11010519491231002X");
        assert!(id.converted);
    }

    #[test]
    fn refusals_name_the_reason() {
        assert_eq!(parse_resident_id("110105194912310021", today()).unwrap_err().code, "id.check_digit");
        assert_eq!(parse_resident_id("110105194902300029", today()).unwrap_err().code, "id.birth_date");
        assert_eq!(parse_resident_id("990105194912310020", today()).unwrap_err().code, "id.region");
        assert_eq!(parse_resident_id("1101051949123100", today()).unwrap_err().code, "id.shape");
        assert_eq!(parse_resident_id("11010519491231002Y", today()).unwrap_err().code, "id.shape");
        assert_eq!(parse_resident_id("", today()).unwrap_err().code, "required");
        // A birth date after today.
        let future = "11010520301231002";
        let n = format!("{future}{}", id_check_char(&future));
        assert_eq!(parse_resident_id(&n, today()).unwrap_err().code, "id.birth_date");
        // A wrong check digit never names the one that would pass: a typo
        // elsewhere plus a "corrected" last digit is a valid but wrong number.
        let msg = parse_resident_id("110105194912310021", today()).unwrap_err().message;
        assert_eq!(msg.zh, "号码有误，请与证件逐位核对");
        assert!(!msg.zh.contains('X') && !msg.en.contains('X'), "{msg}");
    }

    #[test]
    fn residence_permits_and_travel_documents() {
        let body = "81000019900101003";
        let permit = format!("{body}{}", id_check_char(body));
        assert!(parse_residence_permit(&permit, today()).is_ok());
        assert!(parse_residence_permit("11010519491231002X", today()).is_err());
        assert!(parse_hk_macau_permit("H0123456789").is_ok());
        assert!(parse_hk_macau_permit("m0123456789").is_ok());
        assert!(parse_hk_macau_permit("A0123456789").is_err());
        assert!(parse_hk_macau_permit("H012345678").is_err());
        assert!(parse_taiwan_permit("01234567").is_ok());
        assert!(parse_taiwan_permit("0123456").is_err());
        assert!(parse_passport("E12345678").is_ok());
        assert!(parse_passport("EA1234567").is_ok());
        assert!(parse_passport("ABCDEFG").is_err());
        assert!(parse_passport("E1").is_err());
        assert!(parse_foreign_permanent_resident("USA110012345678").is_ok());
        let fp = "93110019900101003";
        assert!(parse_foreign_permanent_resident(&format!("{fp}{}", id_check_char(fp))).is_ok());
    }

    proptest! {
        /// Any 17 digits with a real date complete to an ID that passes, and
        /// changing any single digit of it makes it fail (the check catches
        /// every single-digit error).
        #[test]
        fn check_digit_catches_single_digit_errors(
            region in prop::sample::select(vec![11u8, 31, 44, 51, 65]),
            rest4 in 0u32..10_000,
            year in 1900u16..2020, month in 1u8..=12, day in 1u8..=28,
            seq in 0u32..1000,
            pos in 0usize..17, delta in 1u8..10,
        ) {
            let first17 = format!("{region:02}{rest4:04}{year:04}{month:02}{day:02}{seq:03}");
            let id = format!("{first17}{}", id_check_char(&first17));
            prop_assert!(parse_resident_id(&id, today()).is_ok());
            let mut bytes = id.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let altered = String::from_utf8(bytes).unwrap();
            prop_assert!(parse_resident_id(&altered, today()).is_err());
        }

        /// The 15-digit form converts to an 18-digit ID that validates and keeps the date.
        #[test]
        fn legacy_conversion_round_trips(rest4 in 0u32..10_000, yy in 0u8..100, month in 1u8..=12, day in 1u8..=28, seq in 0u32..1000) {
            let id15 = format!("11{rest4:04}{yy:02}{month:02}{day:02}{seq:03}");
            let id18 = convert_15_to_18(&id15).unwrap();
            let parsed = parse_resident_id(&id18, today()).unwrap();
            prop_assert_eq!(parsed.birth.year, 1900 + u16::from(yy));
            prop_assert_eq!(&id18[..6], &id15[..6]);
        }
    }
}
