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
