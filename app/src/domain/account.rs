//! Account rules: usernames and passwords (seed 000/001: 密码不能全为数字，
//! 且不能少于6位; we ask for 8).

use super::error::Problem;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// 用户名: 4–32 letters, digits, `_`, `-` or `.`, starting with a letter.
pub fn check_username(input: &str) -> Result<String, Problem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(super::error::required());
    }
    let ok = (4..=32).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(Problem::new(
            "username.shape",
            "用户名为4至32位字母、数字、下划线、连字符或点，以字母开头",
            "a username has 4 to 32 letters, digits, _, - or ., starting with a letter",
        ))
    }
}

/// 密码: at least 8 characters, not all digits, not the username.
pub fn check_password(password: &str, username: &str) -> Result<(), Problem> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Problem::new(
            "password.short",
            format!("密码至少{MIN_PASSWORD_CHARS}位"),
            format!("the password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Problem::new(
            "password.long",
            format!("密码不能超过{MAX_PASSWORD_CHARS}位"),
            format!("the password can have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::new("password.digits", "密码不能全为数字，请加入字母或符号", "the password cannot be only digits; add letters or symbols"));
    }
    if password.eq_ignore_ascii_case(username.trim()) {
        return Err(Problem::new("password.username", "密码不能与用户名相同", "the password cannot be the same as the username"));
    }
    Ok(())
}

pub mod fields {
    use super::super::Field;
    pub const USERNAME: Field = Field::new("username", "用户名", "Username");
    pub const PASSWORD: Field = Field::new("password", "密码", "Password");
    pub const PASSWORD2: Field = Field::new("password2", "确认密码", "Repeat the password");
    pub const OLD_PASSWORD: Field = Field::new("old_password", "原密码", "Current password");
    pub const CONTACT_NAME: Field = Field::new("contact_name", "联系人姓名", "Contact name");
    pub const MOBILE: Field = Field::new("mobile", "手机号码", "Mobile");
    pub const EMAIL: Field = Field::new("email", "电子邮箱", "E-mail");
    pub const CODE: Field = Field::new("code", "验证码", "Verification code");
    pub const CAPTCHA: Field = Field::new("captcha", "图形验证码", "Picture code");
}

/// The 网站主办者用户注册 form.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    pub username: String,
    pub password: String,
    pub password2: String,
    pub contact_name: String,
    pub mobile: String,
    pub email: String,
}

/// A registration's normalised values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRegistration {
    pub username: String,
    pub contact_name: String,
    pub mobile: String,
    pub email: String,
}

/// 联系人姓名: 2–30 characters, a person's name by the one rule for names.
pub fn check_contact_name(input: &str) -> Result<String, Problem> {
    let folded = super::chars::fold_person_name(input.trim());
    let s = folded.trim();
    let n = s.chars().count();
    if n == 0 {
        Err(super::error::required())
    } else if !(2..=30).contains(&n) {
        Err(Problem::new("contact_name.length", "姓名为2至30个字", "a name has 2 to 30 characters"))
    } else {
        super::chars::PERSON_NAME.check(s)?;
        Ok(s.to_string())
    }
}

/// A new password typed twice: the rules, then the repeat. Errors go on
/// `password` and `password2`.
pub fn check_new_password(errors: &mut super::FieldErrors, username: &str, password: &str, password2: &str) {
    errors.check(fields::PASSWORD, check_password(password, username.trim()));
    if password2 != password {
        errors.push(Problem::new("password.mismatch", "两次输入的密码不一致", "the two passwords differ").at(fields::PASSWORD2));
    }
}

/// Every field of the registration form at once.
pub fn check_registration(r: &Registration) -> Result<CheckedRegistration, super::FieldErrors> {
    let mut errors = super::FieldErrors::new();
    let username = errors.check(fields::USERNAME, check_username(&r.username));
    check_new_password(&mut errors, &r.username, &r.password, &r.password2);
    let contact_name = errors.check(fields::CONTACT_NAME, check_contact_name(&r.contact_name));
    let mobile = errors.check(fields::MOBILE, super::contact::parse_mobile(&r.mobile));
    let email = errors.check(fields::EMAIL, super::contact::parse_email(&r.email));
    match (username, contact_name, mobile, email) {
        (Some(username), Some(contact_name), Some(mobile), Some(email)) if errors.is_empty() => {
            Ok(CheckedRegistration { username, contact_name, mobile, email })
        }
        _ => Err(errors),
    }
}

/// Hide most of a mobile number or e-mail address: 138****8000, z***@example.com.
pub fn mask_contact(s: &str) -> String {
    if let Some((user, host)) = s.split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{host}");
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() == 11 {
        return format!("{}****{}", chars[..3].iter().collect::<String>(), chars[7..].iter().collect::<String>());
    }
    "***".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_any_text_without_panicking() {
        assert_eq!(mask_contact("13800138000"), "138****8000");
        assert_eq!(mask_contact("zhang@example.com"), "z***@example.com");
        assert_eq!(mask_contact("8X\u{301}4７\u{301}2abcd"), "8X\u{301}****abcd");
        assert_eq!(mask_contact("短"), "***");
    }

    #[test]
    fn usernames() {
        assert_eq!(check_username(" Zhang_San ").unwrap(), "zhang_san");
        assert!(check_username("abc").is_err());
        assert!(check_username("1abc").is_err());
        assert!(check_username("张三abcd").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("s3cret-pass", "zhangsan").is_ok());
        assert_eq!(check_password("short1", "zhangsan").unwrap_err().code, "password.short");
        assert_eq!(check_password("1234567890", "zhangsan").unwrap_err().code, "password.digits");
        assert_eq!(check_password("ZhangSan01", "zhangsan01").unwrap_err().code, "password.username");
    }

    #[test]
    fn registration_reports_every_field() {
        let ok = Registration {
            username: "Zhangsan".into(),
            password: "s3cret-pass".into(),
            password2: "s3cret-pass".into(),
            contact_name: "张三".into(),
            mobile: "138 0013 8000".into(),
            email: "Zhang@Example.com".into(),
        };
        let c = check_registration(&ok).unwrap();
        assert_eq!((c.username.as_str(), c.mobile.as_str()), ("zhangsan", "13800138000"));
        let bad = Registration { password: "12345678".into(), password2: "x".into(), mobile: "1234".into(), ..ok };
        let e = check_registration(&bad).unwrap_err();
        let paths: Vec<_> = e.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, vec!["password", "password2", "mobile"]);
        assert_eq!(mask_contact("13800138000"), "138****8000");
        assert_eq!(mask_contact("zhang@example.com"), "z***@example.com");
    }
}

/// 重置密码 (seed 001 §1.6.1): the clerk's list of its clients' accounts,
/// by conditions kept in the address, and what a reset asks for.
pub mod clients {
    use serde::{Deserialize, Serialize};

    use super::super::error::{Field, FieldErrors, Problem};
    pub use super::super::search::Conditions;

    /// Accounts on one page of the list.
    pub const PAGE_SIZE: u32 = 50;
    /// The most accounts one reset changes (each password is hashed with
    /// argon2, about a tenth of a second of one core).
    pub const MAX_RESET: usize = 200;
    /// Length of a generated password.
    pub const GENERATED_CHARS: usize = 12;
    /// Characters of a generated password: no 0/O, 1/l/I that a person
    /// reading it to a client could confuse.
    pub const GENERATED_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(default)]
    pub struct ClientQuery {
        pub username: String,
        /// Part of a 主办单位名称 the account owns.
        pub name: String,
        pub mobile: String,
        pub email: String,
        pub page: String,
    }

    pub const KEYS: [&str; 5] = ["username", "name", "mobile", "email", "page"];

    impl Conditions for ClientQuery {
        const KEYS: &'static [&'static str] = &KEYS;

        fn get(&self, key: &str) -> &str {
            match key {
                "username" => &self.username,
                "name" => &self.name,
                "mobile" => &self.mobile,
                "email" => &self.email,
                "page" => &self.page,
                _ => "",
            }
        }

        fn set(&mut self, key: &str, value: &str) {
            let slot = match key {
                "username" => &mut self.username,
                "name" => &mut self.name,
                "mobile" => &mut self.mobile,
                "email" => &mut self.email,
                "page" => &mut self.page,
                _ => return,
            };
            *slot = value.to_string();
        }
    }

    /// The checked conditions: lower-cased text, or none.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ClientFilter {
        pub username: Option<String>,
        pub name: Option<String>,
        pub mobile: Option<String>,
        pub email: Option<String>,
        pub page: u32,
    }

    pub mod fields {
        use super::Field;
        pub const USERNAME: Field = Field::new("username", "用户名", "Username");
        pub const NAME: Field = Field::new("name", "主办单位名称", "Sponsor name");
        pub const MOBILE: Field = Field::new("mobile", "手机号码", "Mobile");
        pub const EMAIL: Field = Field::new("email", "电子邮箱", "E-mail");
        pub const PAGE: Field = Field::new("page", "页码", "Page");
    }

    fn text(input: &str, max: usize) -> Result<Option<String>, Problem> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.chars().count() > max {
            return Err(Problem::new("search.long", format!("最多{max}个字符"), format!("at most {max} characters")));
        }
        if t.chars().any(char::is_control) {
            return Err(Problem::new("search.chars", "含有不可见的控制字符，请删除", "contains invisible control characters; remove them"));
        }
        Ok(Some(t.to_lowercase()))
    }

    pub fn check(q: &ClientQuery) -> Result<ClientFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut f = ClientFilter {
            username: errors.check(fields::USERNAME, text(&q.username, 32)).flatten(),
            name: errors.check(fields::NAME, text(&q.name, 100)).flatten(),
            mobile: errors.check(fields::MOBILE, text(&q.mobile, 20)).flatten(),
            email: errors.check(fields::EMAIL, text(&q.email, 100)).flatten(),
            page: 1,
        };
        let page = q.page.trim();
        if !page.is_empty() {
            match page.parse::<u32>() {
                Ok(p) if (1..=10_000).contains(&p) => f.page = p,
                _ => errors.push(Problem::new("search.page", "页码应为 1 到 10000 之间的整数", "the page is a whole number from 1 to 10000").at(fields::PAGE)),
            }
        }
        errors.into_result().map(|_| f)
    }

    /// Which accounts a reset changes: the ones ticked, or every one the
    /// conditions find.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Selection {
        Accounts(Vec<String>),
        AllMatching(ClientQuery),
    }

    /// The new password: one the clerk typed (the same for every account
    /// chosen), or a different generated one for each.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub enum NewPassword {
        Set { password: String, password2: String },
        Generate,
    }

    pub const PASSWORD: Field = Field::new("password", "新密码", "New password");
    pub const PASSWORD2: Field = Field::new("password2", "确认新密码", "Repeat the new password");

    /// Check a reset before anything is sent: something chosen, not too
    /// many, a typed password that meets the account rules for every
    /// username it will be given to, and typed twice alike.
    pub fn check_reset(selection: &Selection, new: &NewPassword) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Selection::Accounts(names) = selection {
            if names.is_empty() {
                errors.push(Problem::new("reset.none", "请先选择要重置密码的用户", "choose the accounts to reset first").at(fields::USERNAME));
            } else if names.len() > MAX_RESET {
                errors.push(Problem::new("reset.many", format!("一次最多重置{MAX_RESET}个用户的密码"), format!("at most {MAX_RESET} accounts at a time")).at(fields::USERNAME));
            }
        }
        if let NewPassword::Set { password, password2 } = new {
            let names: &[String] = match selection {
                Selection::Accounts(n) => n,
                Selection::AllMatching(_) => &[],
            };
            let problem = names.iter().find_map(|u| super::check_password(password, u).err()).or_else(|| super::check_password(password, "").err());
            if let Some(p) = problem {
                errors.push(p.at(PASSWORD));
            } else if password != password2 {
                errors.push(Problem::new("password.mismatch", "两次输入的密码不一致", "the two passwords differ").at(PASSWORD2));
            }
        }
        errors.into_result()
    }

    /// Whether a generated password is one: the right length, from the
    /// alphabet, with a letter and a digit (so it meets the account rules).
    pub fn is_generated_shape(p: &str) -> bool {
        p.len() == GENERATED_CHARS
            && p.bytes().all(|b| GENERATED_ALPHABET.contains(&b))
            && p.bytes().any(|b| b.is_ascii_digit())
            && p.bytes().any(|b| b.is_ascii_alphabetic())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn conditions_are_checked_and_lowered() {
            let q = ClientQuery::from_pairs([("username", " Zhang "), ("name", "星河"), ("page", "2")]);
            let f = check(&q).unwrap();
            assert_eq!((f.username.as_deref(), f.name.as_deref(), f.page), (Some("zhang"), Some("星河"), 2));
            assert_eq!(q.to_query(false, |s| s.to_string()), "username=Zhang&name=星河");
            let long = "a".repeat(33);
            let bad = ClientQuery::from_pairs([("username", long.as_str()), ("page", "0")]);
            let e = check(&bad).unwrap_err();
            assert_eq!(e.0.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["username", "page"]);
        }

        #[test]
        fn a_reset_needs_a_choice_and_a_good_password() {
            let some = Selection::Accounts(vec!["zhangsan".into()]);
            let set = |p: &str, p2: &str| NewPassword::Set { password: p.into(), password2: p2.into() };
            assert!(check_reset(&some, &NewPassword::Generate).is_ok());
            assert!(check_reset(&some, &set("Str0ng-pass", "Str0ng-pass")).is_ok());
            assert_eq!(check_reset(&Selection::Accounts(vec![]), &NewPassword::Generate).unwrap_err().0[0].code, "reset.none");
            let many = Selection::Accounts((0..=MAX_RESET).map(|i| format!("user{i}")).collect());
            assert_eq!(check_reset(&many, &NewPassword::Generate).unwrap_err().0[0].code, "reset.many");
            assert_eq!(check_reset(&some, &set("12345678", "12345678")).unwrap_err().0[0].code, "password.digits");
            assert_eq!(check_reset(&some, &set("short", "short")).unwrap_err().0[0].code, "password.short");
            assert_eq!(check_reset(&some, &set("zhangsan", "zhangsan")).unwrap_err().0[0].code, "password.username");
            assert_eq!(check_reset(&some, &set("Str0ng-pass", "Str0ng-pasS")).unwrap_err().0[0].code, "password.mismatch");
            assert!(check_reset(&Selection::AllMatching(ClientQuery::default()), &set("Str0ng-pass", "Str0ng-pass")).is_ok());
        }

        #[test]
        fn generated_shape() {
            assert!(is_generated_shape("Ab3defGh7kmn"));
            assert!(!is_generated_shape("Ab0defGh7kmn"), "0 is not in the alphabet");
            assert!(!is_generated_shape("abcdefghjkmn"), "needs a digit");
            assert!(!is_generated_shape("Ab3"));
        }
    }
}
