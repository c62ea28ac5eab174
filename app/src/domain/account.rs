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

#[cfg(test)]
mod tests {
    use super::*;

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
}
