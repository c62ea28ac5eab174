//! What characters each kind of text may hold, as data, and how what people
//! type is folded before it is checked or stored: one rule per kind of name
//! (主办单位名称, addresses, a person's name, 网站名称), the same in the
//! wizard, the server, the review pages and the account forms.
//!
//! Folding is only done where it is unambiguous: full-width letters and
//! digits (Ｋ, １２３) become ASCII everywhere; in codes (证件号码, phones,
//! e-mail, domains, IPs, dates) full-width punctuation too, and in 证件号码
//! the lookalikes of X (Ⅹ, ×). A person's name takes the usual middle dot
//! for the dots people type between the parts of a name. Anything else that
//! does not belong (emoji, Cyrillic, Roman numerals in a name …) is refused
//! by the kind's rule with a message naming the character.

use std::borrow::Cow;

use super::error::Problem;
use super::text::Text;

/// A kind of name or address and the characters it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRule {
    /// The code of the problem its check reports.
    pub code: &'static str,
    /// Chinese characters (CJK ideographs, 〇).
    pub han: bool,
    /// The Latin letters A–Z and a–z.
    pub latin: bool,
    pub digits: bool,
    /// Other characters allowed, besides these.
    pub marks: &'static str,
    /// What the rule allows, in words, for the message.
    pub allowed: Text,
}

/// 主办单位名称 and 投资人或主管单位: as on the certificate, which may be a
/// foreign company's name ("微软（中国）有限公司", "Apple Inc.").
pub const ORG_NAME: NameRule = NameRule {
    code: "org_name.chars",
    han: true,
    latin: true,
    digits: true,
    marks: "（）()·-－—&＆.,，、' ",
    allowed: Text::new("只能使用汉字、字母、数字和（）·-&.,、等符号", "may use Chinese characters, letters, digits and ( ) · - & . , only"),
};

/// 证件住所 and 通信地址.
pub const ADDRESS: NameRule = NameRule {
    code: "address.chars",
    han: true,
    latin: true,
    digits: true,
    marks: "（）()·-－—#＃、,，.。/／ ",
    allowed: Text::new("只能使用汉字、字母、数字和（）-#、,./等符号", "may use Chinese characters, letters, digits and ( ) - # , . / only"),
};

/// A person's name (负责人, 联系人): Chinese with the middle dot of minority
/// and foreign names ("阿卜杜拉·买买提"), or Latin letters as in a passport.
pub const PERSON_NAME: NameRule = NameRule {
    code: "person_name.chars",
    han: true,
    latin: true,
    digits: false,
    marks: "·.-' ",
    allowed: Text::new("只能使用汉字或字母（少数民族、外国人姓名可用“·”分隔）", "may use Chinese characters or letters only (a middle dot may separate the parts of a name)"),
};

/// 网站名称: Chinese characters, letters and digits (domain.md §2.6).
pub const SITE_NAME: NameRule = NameRule {
    code: "site_name.chars",
    han: true,
    latin: true,
    digits: true,
    marks: "",
    allowed: Text::new("只能使用汉字、字母和数字", "may use Chinese characters, letters and digits only"),
};

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F | 0xF900..=0xFAFF | 0x3007)
}

impl NameRule {
    pub fn allows(&self, c: char) -> bool {
        (self.han && is_han(c)) || (self.latin && c.is_ascii_alphabetic()) || (self.digits && c.is_ascii_digit()) || self.marks.contains(c)
    }

    /// The first character the rule does not allow, if any.
    pub fn first_bad(&self, s: &str) -> Option<char> {
        s.chars().find(|c| !self.allows(*c))
    }

    /// Every character allowed; otherwise a message naming the first that is not.
    pub fn check(&self, s: &str) -> Result<(), Problem> {
        match self.first_bad(s) {
            None => Ok(()),
            Some(c) => Err(Problem::new(
                self.code,
                format!("不能含有“{}”：{}", shown(c), self.allowed.zh),
                format!("Cannot contain \"{}\": {}", shown(c), self.allowed.en),
            )),
        }
    }
}

/// A character as a message can show it (controls and spaces by name).
fn shown(c: char) -> String {
    if c.is_control() || c.is_whitespace() || matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x206F | 0xFEFF | 0xFE00..=0xFE0F) {
        format!("U+{:04X}", c as u32)
    } else {
        c.to_string()
    }
}

/// Full-width letters and digits as ASCII, the ideographic space as a
/// space; everything else as typed (（）and 、 belong in Chinese text).
pub fn fold_width(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| matches!(c as u32, 0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A | 0x3000)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c as u32 {
                0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                0x3000 => ' ',
                _ => c,
            })
            .collect(),
    )
}

/// A code as ASCII: all full-width ASCII forms (＠, －, ．), the
/// ideographic full stop as a dot (as IDNA reads it in domains).
pub fn fold_code(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                0x3000 => ' ',
                0x3002 | 0xFF61 => '.',
                _ => c,
            })
            .collect(),
    )
}

/// A 证件号码: a code, and the lookalikes of the check character X.
pub fn fold_cert_number(s: &str) -> Cow<'_, str> {
    let s = fold_code(s);
    if !s.contains(['Ⅹ', 'ⅹ', '×', 'χ', 'Χ', 'х', 'Х']) {
        return s;
    }
    Cow::Owned(s.chars().map(|c| if matches!(c, 'Ⅹ' | 'ⅹ' | '×' | 'χ' | 'Χ' | 'х' | 'Х') { 'X' } else { c }).collect())
}

/// A person's name: width folded, the dots people type between the parts
/// of a name as the middle dot, runs of spaces as one.
pub fn fold_person_name(s: &str) -> Cow<'_, str> {
    let s = fold_width(s);
    if !s.contains(['・', '•', '‧', '∙', '⋅', '･', '．']) && !s.contains("  ") {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if matches!(c, '・' | '•' | '‧' | '∙' | '⋅' | '･' | '．') { '·' } else { c };
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How a field of the filing form is folded, by its key (the path without
/// `entity.` or `websites[n].`).
pub fn fold_field(key: &str, value: &str) -> Option<String> {
    let folded = match key {
        "cert_number" | "leader.cert_number" => fold_cert_number(value),
        "leader.name" => fold_person_name(value),
        "leader.mobile" | "leader.phone" | "leader.emergency_phone" | "leader.email" | "leader.valid_from" | "leader.valid_to" | "domains" | "home_urls" | "access.ips" => {
            fold_code(value)
        }
        _ => fold_width(value),
    };
    match folded {
        Cow::Borrowed(_) => None,
        Cow::Owned(s) => Some(s),
    }
}

/// The most characters a field's input takes (its `maxlength`), by key:
/// what its rule allows, or for codes the longest way a valid value may be
/// typed (with spaces, a country code, an extension). Fields not listed
/// take what [`super::filing::MAX_TEXT_CHARS`] allows.
pub const MAX_CHARS: [(&str, usize); 26] = [
    ("unit_name", 100),
    ("investor", 100),
    ("cert_number", 30),
    ("cert_address", 200),
    ("address", 200),
    ("remark", 200),
    ("leader.name", 30),
    ("leader.cert_number", 30),
    ("leader.valid_from", 10),
    ("leader.valid_to", 10),
    ("leader.mobile", 20),
    ("leader.phone", 24),
    ("leader.emergency_phone", 24),
    ("leader.email", 254),
    ("name", 50),
    ("domains", 2600),
    ("home_urls", 4000),
    ("pre_approval_number", 100),
    ("access.ips", 1000),
    // The account forms.
    ("username", 32),
    ("password", 128),
    ("contact_name", 30),
    ("mobile", 20),
    ("email", 254),
    ("code", 6),
    ("captcha", 8),
];

/// The key of a form path: `entity.leader.mobile` → `leader.mobile`,
/// `websites[2].access.ips` → `access.ips`.
pub fn key_of(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("entity.") {
        return rest;
    }
    if let Some(rest) = path.strip_prefix("websites[") {
        if let Some((_, key)) = rest.split_once("].") {
            return key;
        }
    }
    path
}

/// The `maxlength` of a field by its path or name.
pub fn max_chars(path: &str) -> Option<usize> {
    let key = key_of(path);
    MAX_CHARS.iter().find(|(k, _)| *k == key).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_name_has_one_rule() {
        // Emoji and scripts that do not belong are refused, naming the character.
        for rule in [ORG_NAME, ADDRESS, PERSON_NAME, SITE_NAME] {
            let e = rule.check("北京星辰😀科技").unwrap_err();
            assert_eq!(e.code, rule.code);
            assert!(e.message.zh.contains('😀'), "{}", e.message.zh);
            assert!(rule.check("Зенит").is_err());
            assert!(rule.check("第Ⅻ分部").is_err());
            assert!(e.message.en.starts_with("Cannot"));
        }
        assert!(ORG_NAME.check("微软（中国）有限公司").is_ok());
        assert!(ORG_NAME.check("Apple Inc.").is_ok());
        assert!(ORG_NAME.check("北京3M&Co有限公司").is_ok());
        assert!(ADDRESS.check("北京市海淀区上地十街10号B座3层#301").is_ok());
        assert!(ADDRESS.check("上海市\u{200B}浦东新区").unwrap_err().message.zh.contains("U+200B"));
        assert!(PERSON_NAME.check("阿卜杜拉·买买提").is_ok());
        assert!(PERSON_NAME.check("John O'Neil-Smith").is_ok());
        assert!(PERSON_NAME.check("张三3").is_err());
        assert!(PERSON_NAME.check("Иван").is_err());
        assert!(SITE_NAME.check("张三的摄影日记").is_ok());
        assert!(SITE_NAME.check("张三 的日记").is_err());
        // 〇 and the CJK extensions are Chinese characters.
        assert!(PERSON_NAME.check("李〇").is_ok());
        assert!(PERSON_NAME.check("𠀀𪚥").is_ok());
    }

    #[test]
    fn full_width_and_lookalikes_are_folded_where_unambiguous() {
        assert_eq!(fold_width("ＡＢＣ科技１２３"), "ABC科技123");
        // Chinese punctuation stays as typed in text.
        assert_eq!(fold_width("华为（深圳）有限公司、"), "华为（深圳）有限公司、");
        assert!(matches!(fold_width("plain"), Cow::Borrowed(_)));
        assert_eq!(fold_code("１３８－００１３－８０００"), "138-0013-8000");
        assert_eq!(fold_code("ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"), "info@example.com");
        assert_eq!(fold_code("example。com"), "example.com");
        assert_eq!(fold_cert_number("11010519491231002Ⅹ"), "11010519491231002X");
        assert_eq!(fold_cert_number("１１０１０５１９４９１２３１００２×"), "11010519491231002X");
        assert_eq!(fold_person_name("阿卜杜拉・买买提"), "阿卜杜拉·买买提");
        assert_eq!(fold_person_name("Ｊｏｈｎ  Smith"), "John Smith");
        assert_eq!(fold_field("leader.cert_number", "１１０"), Some("110".into()));
        assert_eq!(fold_field("unit_name", "北京ＫＫ科技"), Some("北京KK科技".into()));
        assert_eq!(fold_field("unit_name", "北京科技"), None);
        // A Roman numeral in a name is not folded: the rule refuses it.
        assert_eq!(fold_field("unit_name", "第Ⅹ分公司"), None);
    }

    #[test]
    fn every_field_has_its_maxlength() {
        assert_eq!(max_chars("entity.unit_name"), Some(100));
        assert_eq!(max_chars("entity.leader.name"), Some(30));
        assert_eq!(max_chars("websites[3].leader.mobile"), Some(20));
        assert_eq!(max_chars("websites[0].name"), Some(50));
        assert_eq!(max_chars("websites[0].access.ips"), Some(1000));
        assert_eq!(max_chars("contact_name"), Some(30));
        assert_eq!(max_chars("websites[0].language"), None);
        // No maxlength is shorter than what its rule accepts.
        assert!(max_chars("name").unwrap() >= super::super::site_name::MAX_SITE_NAME_CHARS);
        assert!(max_chars("remark").unwrap() >= super::super::filing::REMARK_MAX);
        assert!(max_chars("password").unwrap() >= super::super::account::MAX_PASSWORD_CHARS);
    }
}
