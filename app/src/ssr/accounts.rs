//! Accounts on the server: password hashing and creation.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use surrealdb::types::SurrealValue;

use super::db::{classify, Db, Failure};
use crate::domain::account::{check_password, check_username};
use crate::domain::contact::{parse_email, parse_mobile};
use crate::domain::workflow::Role;
use crate::domain::{Message, Problem};

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// The hash of a password the system generated (a client's first password,
/// 69 random bits, to be changed at the first sign-in): argon2id at light
/// settings (256 KiB, one pass), about a hundred times cheaper than
/// [`hash_password`]'s, so that a 批量导入 of 10 000 clients takes seconds.
/// Stretching protects guessable secrets; a random 69-bit one is not
/// guessable even at a billion guesses a second. The hash records its
/// settings, so [`verify_password`] checks it like any other.
pub fn hash_generated(password: &str) -> Result<String, argon2::password_hash::Error> {
    let params = argon2::Params::new(256, 1, 1, None)?;
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params).hash_password(password.as_bytes(), &salt)?.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub contact_name: String,
    pub email: String,
    pub mobile: String,
    /// For 管局 reviewers: their province (GB/T 2260 two digits).
    pub province: Option<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("{0}")]
    Invalid(Problem),
    #[error("{0}")]
    Taken(Message),
    #[error(transparent)]
    Db(#[from] surrealdb::Error),
    #[error("could not hash the password")]
    Hash,
}

#[derive(SurrealValue)]
struct AccountRow {
    username: String,
    password_hash: String,
    role: String,
    contact_name: String,
    mobile: String,
    email: String,
    status: String,
    province: Option<i64>,
}

/// Create an active account (the CLI's `user create`); returns its username.
pub async fn create_user(db: &Db, user: NewUser) -> Result<String, CreateUserError> {
    let username = check_username(&user.username).map_err(CreateUserError::Invalid)?;
    check_password(&user.password, &username).map_err(CreateUserError::Invalid)?;
    let email = if user.email.trim().is_empty() { String::new() } else { parse_email(&user.email).map_err(CreateUserError::Invalid)? };
    let mobile = if user.mobile.trim().is_empty() { String::new() } else { parse_mobile(&user.mobile).map_err(CreateUserError::Invalid)? };
    if let Some(p) = user.province {
        if crate::domain::codes::province_by_code(p).is_none() {
            return Err(CreateUserError::Invalid(Problem::new("province", "省份代码无效", "unknown province code")));
        }
    }
    let hash = hash_password(&user.password).map_err(|_| CreateUserError::Hash)?;
    let row = AccountRow {
        username: username.clone(),
        password_hash: hash,
        role: user.role.code().to_string(),
        contact_name: user.contact_name,
        mobile,
        email,
        status: "active".into(),
        province: user.province.map(i64::from),
    };
    match db.query("CREATE account CONTENT $row RETURN NONE").bind(("row", row)).await.and_then(|r| r.check()) {
        Ok(_) => Ok(username),
        Err(e) if matches!(classify(&e), Failure::Unique(_) | Failure::Exists) => Err(CreateUserError::Taken(Message::new(
            format!("用户名 {username} 已被使用"),
            format!("the username {username} is taken"),
        ))),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify() {
        let h = hash_password("s3cret-pass").unwrap();
        assert!(h.starts_with("$argon2"));
        assert!(verify_password("s3cret-pass", &h));
        assert!(!verify_password("s3cret-pasS", &h));
    }
}
