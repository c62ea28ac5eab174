//! Accounts at work: registration with an activation code, sign-in with a
//! captcha and throttling, server-side sessions, password change and reset.

use rand::Rng;
use sha2::{Digest, Sha256};
use surrealdb::types::{RecordId, SurrealValue};

use super::accounts::{hash_password, verify_password};
use super::db::{is_unique_violation, Db};
use super::notify::{self, Channel, Notification};
use super::Settings;
use crate::domain::account::{check_contact_name, check_new_password, check_registration, fields, mask_contact, Registration};
use crate::domain::contact::{parse_email, parse_mobile};
use crate::domain::workflow::Role;
use crate::domain::{FieldErrors, Message, Problem};
use crate::error::AppError;
use crate::models::{Captcha, CodeSent, UserInfo};

pub const SESSION_COOKIE: &str = "beian_session";
/// Wrong passwords in a row before the account locks.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
/// Wrong activation codes before a new one must be requested.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

/// The person behind a valid session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: RecordId,
    /// The account's key (its id without the table).
    pub key: String,
    pub username: String,
    pub role: Role,
    pub contact_name: String,
    pub mobile: String,
    pub email: String,
    pub province: Option<u8>,
}

impl CurrentUser {
    pub fn info(&self) -> UserInfo {
        UserInfo {
            username: self.username.clone(),
            role: self.role.code().to_string(),
            contact_name: self.contact_name.clone(),
            mobile: self.mobile.clone(),
            email: self.email.clone(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 as hex: stored in place of tokens and codes, and for uploads.
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    hex(&Sha256::digest(data.as_ref()))
}

/// 32 random bytes as hex: a session token or a reset link's secret.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rngs::OsRng.gen();
    hex(&bytes)
}

/// A numeric code of `n` digits.
pub fn random_digits(n: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..n).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

#[derive(SurrealValue)]
struct UserRow {
    id: RecordId,
    key: String,
    username: String,
    role: String,
    contact_name: String,
    mobile: String,
    email: String,
    province: Option<i64>,
}

impl UserRow {
    fn into_user(self) -> Option<CurrentUser> {
        Some(CurrentUser {
            role: Role::from_code(&self.role)?,
            id: self.id,
            key: self.key,
            username: self.username,
            contact_name: self.contact_name,
            mobile: self.mobile,
            email: self.email,
            province: self.province.and_then(|p| u8::try_from(p).ok()),
        })
    }
}

const USER_FIELDS: &str = "id, record::id(id) AS key, username, role, contact_name, mobile, email, province";

// ---------------------------------------------------------------- sessions

/// Start a session; returns the token for the cookie (only its hash is stored).
pub async fn create_session(db: &Db, account: &RecordId, hours: u32) -> Result<String, surrealdb::Error> {
    let token = random_token();
    db.query("CREATE session SET token_hash = $h, account = $a, expires_at = time::now() + duration::from_secs($s) RETURN NONE")
        .bind(("h", sha256_hex(&token)))
        .bind(("a", account.clone()))
        .bind(("s", i64::from(hours) * 3600))
        .await?
        .check()?;
    Ok(token)
}

/// The user of a session token, if the session exists, has not expired and
/// the account is active.
pub async fn session_user(db: &Db, token: &str) -> Result<Option<CurrentUser>, surrealdb::Error> {
    if token.len() != 64 {
        return Ok(None);
    }
    let mut res = db
        .query(format!(
            "LET $acc = (SELECT VALUE account FROM session WHERE token_hash = $h AND expires_at > time::now() LIMIT 1)[0];
             SELECT {USER_FIELDS} FROM account WHERE id = $acc AND status = 'active'"
        ))
        .bind(("h", sha256_hex(token)))
        .await?
        .check()?;
    let rows: Vec<UserRow> = res.take(1)?;
    Ok(rows.into_iter().next().and_then(UserRow::into_user))
}

/// The signed-in user of a request with this `Cookie` header, if any.
pub async fn user_from_cookies(db: &Db, cookie_header: Option<&str>) -> Result<Option<CurrentUser>, surrealdb::Error> {
    match cookie_header.and_then(token_from_cookie_header) {
        Some(token) => session_user(db, &token).await,
        None => Ok(None),
    }
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), surrealdb::Error> {
    db.query("DELETE session WHERE token_hash = $h").bind(("h", sha256_hex(token))).await?.check()?;
    Ok(())
}

/// The session token from a Cookie header.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax (never sent with a
/// cross-site POST), Secure when the site is served over HTTPS.
pub fn session_cookie(token: &str, hours: u32, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        u64::from(hours) * 3600,
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", if secure { "; Secure" } else { "" })
}

// ---------------------------------------------------------------- captcha

/// A new captcha: four characters drawn as an SVG with noise; the answer's
/// hash is kept for 10 minutes and can be used once.
pub async fn new_captcha(db: &Db) -> Result<Captcha, surrealdb::Error> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let answer: String = (0..4).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    let id = random_token()[..24].to_string();
    db.query("CREATE type::record('challenge', $id) SET purpose = 'captcha', secret_hash = $h, expires_at = time::now() + 10m RETURN NONE")
        .bind(("id", id.clone()))
        .bind(("h", sha256_hex(&answer)))
        .await?
        .check()?;
    Ok(Captcha { id, svg: captcha_svg(&answer, &mut rng) })
}

fn captcha_svg(answer: &str, rng: &mut impl Rng) -> String {
    let mut svg = String::from(r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="44" viewBox="0 0 120 44"><rect width="120" height="44" fill="#eef2f7"/>"##);
    for _ in 0..6 {
        svg.push_str(&format!(
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#8aa0bd" stroke-width="1"/>"##,
            rng.gen_range(0..120),
            rng.gen_range(0..44),
            rng.gen_range(0..120),
            rng.gen_range(0..44)
        ));
    }
    for (i, c) in answer.chars().enumerate() {
        let x = 14 + i * 26 + rng.gen_range(0..6);
        let y = 30 + rng.gen_range(0..6);
        let r: i32 = rng.gen_range(-20..20);
        svg.push_str(&format!(
            r##"<text x="{x}" y="{y}" transform="rotate({r} {x} {y})" font-family="monospace" font-size="26" font-weight="bold" fill="#1f4e8c">{c}</text>"##
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Check and use up a captcha answer (case-insensitive).
pub async fn check_captcha(db: &Db, id: &str, answer: &str) -> Result<bool, surrealdb::Error> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(false);
    }
    // One statement marks it used and reads it: two requests with the same
    // captcha cannot both see it unused.
    let mut res = db
        .query(
            "UPDATE type::record('challenge', $id) SET used = true \
             WHERE purpose = 'captcha' AND used = false AND expires_at > time::now() RETURN VALUE $before.secret_hash",
        )
        .bind(("id", id.to_string()))
        .await?
        .check()?;
    let hashes: Vec<String> = res.take(0)?;
    let hash = hashes.into_iter().next();
    Ok(hash.is_some_and(|h| h == sha256_hex(&answer.trim().to_uppercase())))
}

// ---------------------------------------------------------------- registration

/// Register a pending account and send its activation code by SMS and e-mail.
pub async fn register(db: &Db, settings: &Settings, form: &Registration) -> Result<CodeSent, AppError> {
    let r = check_registration(form).map_err(AppError::Invalid)?;
    let hash = hash_blocking(form.password.clone()).await?;
    let code = random_digits(6);
    let res = db
        .query(
            "CREATE account SET username = $u, password_hash = $p, role = 'registrant', contact_name = $n, mobile = $m, email = $e, \
             status = 'pending', activation_code = $c, code_sent_at = time::now() RETURN VALUE id",
        )
        .bind(("u", r.username.clone()))
        .bind(("p", hash))
        .bind(("n", r.contact_name.clone()))
        .bind(("m", r.mobile.clone()))
        .bind(("e", r.email.clone()))
        .bind(("c", sha256_hex(&code)))
        .await
        .and_then(|r| r.check());
    let mut res = match res {
        Ok(res) => res,
        Err(e) if is_unique_violation(&e) => {
            let mut errors = FieldErrors::new();
            errors.push(
                Problem::new("username.taken", "该用户名已被注册，请换一个；如是您本人注册，请直接登录或找回密码", "this username is taken; choose another, or sign in if it is yours")
                    .at(fields::USERNAME),
            );
            return Err(AppError::Invalid(errors));
        }
        Err(e) => return Err(e.into()),
    };
    let id: Option<RecordId> = res.take(0)?;
    send_code(db, settings, id, &r.username, &r.mobile, &r.email, &code).await
}

async fn send_code(db: &Db, settings: &Settings, account: Option<RecordId>, username: &str, mobile: &str, email: &str, code: &str) -> Result<CodeSent, AppError> {
    let text = format!("【ICP备案】您的注册验证码为 {code}，用户名 {username}，24小时内有效。Your activation code is {code}.");
    notify::send(db, settings, Notification { channel: Channel::Sms, recipient: mobile.to_string(), subject: String::new(), body: text.clone(), account: account.clone(), application: None }).await?;
    notify::send(db, settings, Notification { channel: Channel::Email, recipient: email.to_string(), subject: "ICP备案系统注册验证码 / Activation code".into(), body: text, account, application: None }).await?;
    Ok(CodeSent {
        username: username.to_string(),
        mobile: mask_contact(mobile),
        email: mask_contact(email),
        shown_code: (!settings.has_gateway()).then(|| code.to_string()),
    })
}

#[derive(SurrealValue)]
struct PendingRow {
    id: RecordId,
    status: String,
    activation_code: Option<String>,
    failed_logins: i64,
    mobile: String,
    email: String,
    recent: bool,
}

async fn pending_account(db: &Db, username: &str) -> Result<Option<PendingRow>, surrealdb::Error> {
    let mut res = db
        .query(
            "SELECT id, status, activation_code, failed_logins, mobile, email, \
             (code_sent_at != NONE AND code_sent_at > time::now() - 1m) AS recent FROM account WHERE username = $u",
        )
        .bind(("u", username.trim().to_ascii_lowercase()))
        .await?
        .check()?;
    let rows: Vec<PendingRow> = res.take(0)?;
    Ok(rows.into_iter().next())
}

fn code_problem() -> AppError {
    let mut errors = FieldErrors::new();
    errors.push(Problem::new("code.wrong", "验证码不正确，请核对短信或邮件中的6位数字", "the code is wrong; check the six digits in the SMS or e-mail").at(fields::CODE));
    AppError::Invalid(errors)
}

/// Enter the activation code: the account becomes active. Returns its id.
pub async fn activate(db: &Db, username: &str, code: &str) -> Result<RecordId, AppError> {
    let Some(row) = pending_account(db, username).await? else {
        return Err(code_problem());
    };
    if row.status == "active" {
        return Err(AppError::Conflict(Message::new("该账户已激活，请直接登录", "This account is already active; please sign in")));
    }
    if row.status != "pending" {
        return Err(AppError::Forbidden);
    }
    if row.failed_logins >= MAX_CODE_ATTEMPTS {
        return Err(AppError::Conflict(Message::new("验证码错误次数过多，请重新获取验证码", "Too many wrong codes; ask for a new one")));
    }
    let good = row.activation_code.is_some_and(|h| h == sha256_hex(code.trim()));
    if !good {
        db.query("UPDATE $id SET failed_logins += 1 RETURN NONE").bind(("id", row.id)).await?.check()?;
        return Err(code_problem());
    }
    db.query("UPDATE $id SET status = 'active', activation_code = NONE, failed_logins = 0, updated_at = time::now() RETURN NONE")
        .bind(("id", row.id.clone()))
        .await?
        .check()?;
    Ok(row.id)
}

/// Send a new activation code to the mobile and e-mail given at registration
/// (seed 000 §5–6: 重新找回验证码). At most one a minute.
pub async fn resend_code(db: &Db, settings: &Settings, username: &str) -> Result<CodeSent, AppError> {
    let Some(row) = pending_account(db, username).await?.filter(|r| r.status == "pending") else {
        return Err(AppError::BadRequest(Message::new("没有待激活的该用户名，请检查用户名或直接登录", "No account waiting for activation has this username; check it, or sign in")));
    };
    if row.recent {
        return Err(AppError::Conflict(Message::new("验证码刚刚发送过，请一分钟后再试", "A code was sent a moment ago; try again in a minute")));
    }
    let code = random_digits(6);
    db.query("UPDATE $id SET activation_code = $c, code_sent_at = time::now(), failed_logins = 0 RETURN NONE")
        .bind(("id", row.id.clone()))
        .bind(("c", sha256_hex(&code)))
        .await?
        .check()?;
    send_code(db, settings, Some(row.id), &username.trim().to_ascii_lowercase(), &row.mobile, &row.email, &code).await
}

// ---------------------------------------------------------------- sign-in

#[derive(Debug)]
pub enum LoginOutcome {
    Ok(RecordId),
    /// Registered but the code was never entered.
    Pending,
    Locked { minutes: i64 },
    Bad { left: i64 },
}

#[derive(SurrealValue)]
struct LoginRow {
    id: RecordId,
    password_hash: String,
    status: String,
    failed_logins: i64,
    locked_minutes: Option<i64>,
}

pub(crate) async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|_| AppError::Internal)?.map_err(|_| AppError::Internal)
}

/// A real hash to verify against when the username is unknown, made once,
/// so that answer costs an argon2 verification like any other.
async fn unknown_user_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = HASH.get() {
        return h.clone();
    }
    let h = hash_blocking(random_token()).await.unwrap_or_default();
    HASH.get_or_init(|| h).clone()
}

async fn verify_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

/// Check a username and password. Wrong passwords slow the answer down
/// (half a second per failure in a row) and the fifth locks the account
/// for 15 minutes.
pub async fn login(db: &Db, username: &str, password: &str) -> Result<LoginOutcome, surrealdb::Error> {
    let mut res = db
        .query(
            "SELECT id, password_hash, status, failed_logins, \
             IF locked_until != NONE AND locked_until > time::now() THEN math::ceil(duration::mins(locked_until - time::now()) + 1) ELSE NONE END AS locked_minutes \
             FROM account WHERE username = $u",
        )
        .bind(("u", username.trim().to_ascii_lowercase()))
        .await?
        .check()?;
    let rows: Vec<LoginRow> = res.take(0)?;
    let Some(row) = rows.into_iter().next() else {
        // Same work and delay as a wrong password: the answer does not tell
        // whether the username exists.
        let _ = verify_blocking(password.to_string(), unknown_user_hash().await).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        return Ok(LoginOutcome::Bad { left: MAX_FAILED_LOGINS });
    };
    if let Some(minutes) = row.locked_minutes {
        return Ok(LoginOutcome::Locked { minutes: minutes.max(1) });
    }
    if !verify_blocking(password.to_string(), row.password_hash).await {
        let failed = row.failed_logins + 1;
        if failed >= MAX_FAILED_LOGINS {
            db.query("UPDATE $id SET failed_logins = 0, locked_until = time::now() + duration::from_mins($m) RETURN NONE")
                .bind(("id", row.id))
                .bind(("m", LOCK_MINUTES))
                .await?
                .check()?;
            return Ok(LoginOutcome::Locked { minutes: LOCK_MINUTES });
        }
        db.query("UPDATE $id SET failed_logins = $f RETURN NONE").bind(("id", row.id)).bind(("f", failed)).await?.check()?;
        tokio::time::sleep(std::time::Duration::from_millis(500 * failed as u64)).await;
        return Ok(LoginOutcome::Bad { left: MAX_FAILED_LOGINS - failed });
    }
    if row.status == "pending" {
        return Ok(LoginOutcome::Pending);
    }
    if row.status != "active" {
        return Ok(LoginOutcome::Locked { minutes: 0 });
    }
    db.query("UPDATE $id SET failed_logins = 0, locked_until = NONE RETURN NONE").bind(("id", row.id.clone())).await?.check()?;
    Ok(LoginOutcome::Ok(row.id))
}

// ---------------------------------------------------------------- profile

pub async fn change_password(db: &Db, user: &CurrentUser, old: &str, new: &str, new2: &str) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    check_new_password(&mut errors, &user.username, new, new2);
    let mut res = db.query("SELECT VALUE password_hash FROM ONLY $id").bind(("id", user.id.clone())).await?.check()?;
    let hash: Option<String> = res.take(0)?;
    if !verify_blocking(old.to_string(), hash.unwrap_or_default()).await {
        errors.push(Problem::new("password.old", "原密码不正确", "the current password is wrong").at(fields::OLD_PASSWORD));
    }
    errors.into_result().map_err(AppError::Invalid)?;
    let hash = hash_blocking(new.to_string()).await?;
    // A new password ends every other session.
    db.query("UPDATE $id SET password_hash = $h, updated_at = time::now() RETURN NONE; DELETE session WHERE account = $id;")
        .bind(("id", user.id.clone()))
        .bind(("h", hash))
        .await?
        .check()?;
    Ok(())
}

pub async fn update_profile(db: &Db, user: &CurrentUser, contact_name: &str, mobile: &str, email: &str) -> Result<UserInfo, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check(fields::CONTACT_NAME, check_contact_name(contact_name));
    let mobile = errors.check(fields::MOBILE, parse_mobile(mobile));
    let email = errors.check(fields::EMAIL, parse_email(email));
    errors.into_result().map_err(AppError::Invalid)?;
    let (name, mobile, email) = (name.unwrap_or_default(), mobile.unwrap_or_default(), email.unwrap_or_default());
    db.query("UPDATE $id SET contact_name = $n, mobile = $m, email = $e, updated_at = time::now() RETURN NONE")
        .bind(("id", user.id.clone()))
        .bind(("n", name.clone()))
        .bind(("m", mobile.clone()))
        .bind(("e", email.clone()))
        .await?
        .check()?;
    Ok(UserInfo { contact_name: name, mobile, email, ..user.info() })
}

// ---------------------------------------------------------------- recovery

/// 找回密码: when username, contact name and e-mail match, e-mail a reset
/// link valid for an hour. The answer is the same either way, so it does
/// not reveal which accounts exist.
pub async fn request_reset(db: &Db, settings: &Settings, username: &str, contact_name: &str, email: &str) -> Result<(), AppError> {
    let mut res = db
        .query("SELECT id, email FROM account WHERE username = $u AND contact_name = $n AND status != 'disabled'")
        .bind(("u", username.trim().to_ascii_lowercase()))
        .bind(("n", contact_name.trim().to_string()))
        .await?
        .check()?;
    #[derive(SurrealValue)]
    struct Row {
        id: RecordId,
        email: String,
    }
    let rows: Vec<Row> = res.take(0)?;
    let Some(row) = rows.into_iter().find(|r| r.email.eq_ignore_ascii_case(email.trim())) else {
        tracing::info!("password reset asked for with details that match no account");
        return Ok(());
    };
    let token = random_token();
    db.query("CREATE challenge SET purpose = 'reset', account = $a, secret_hash = $h, expires_at = time::now() + 1h RETURN NONE")
        .bind(("a", row.id.clone()))
        .bind(("h", sha256_hex(&token)))
        .await?
        .check()?;
    let link = format!("{}/reset?token={token}", settings.public_url.trim_end_matches('/'));
    notify::send(
        db,
        settings,
        Notification {
            channel: Channel::Email,
            recipient: row.email,
            subject: "ICP备案系统找回密码 / Reset your password".into(),
            body: format!("请在1小时内打开以下链接设置新密码（如非本人操作请忽略）：\n{link}\n\nOpen this link within an hour to choose a new password:\n{link}"),
            account: Some(row.id),
            application: None,
        },
    )
    .await?;
    Ok(())
}

/// Set a new password with a reset link's token (once, within the hour).
pub async fn reset_password(db: &Db, token: &str, new: &str, new2: &str) -> Result<(), AppError> {
    let bad_link = || AppError::BadRequest(Message::new("链接无效或已过期，请重新找回密码", "The link is invalid or has expired; ask for a new one"));
    if token.len() != 64 {
        return Err(bad_link());
    }
    #[derive(SurrealValue)]
    struct Row {
        id: RecordId,
        account: RecordId,
        username: String,
    }
    let mut res = db
        .query("SELECT id, account, account.username AS username FROM challenge WHERE secret_hash = $h AND purpose = 'reset' AND used = false AND expires_at > time::now()")
        .bind(("h", sha256_hex(token)))
        .await?
        .check()?;
    let rows: Vec<Row> = res.take(0)?;
    let Some(row) = rows.into_iter().next() else {
        return Err(bad_link());
    };
    let mut errors = FieldErrors::new();
    check_new_password(&mut errors, &row.username, new, new2);
    errors.into_result().map_err(AppError::Invalid)?;
    let hash = hash_blocking(new.to_string()).await?;
    db.query(
        "BEGIN;
         UPDATE $c SET used = true RETURN NONE;
         UPDATE $a SET password_hash = $h, failed_logins = 0, locked_until = NONE, updated_at = time::now() RETURN NONE;
         DELETE session WHERE account = $a;
         COMMIT;",
    )
    .bind(("c", row.id))
    .bind(("a", row.account))
    .bind(("h", hash))
    .await?
    .check()?;
    Ok(())
}

/// The account record of a username (tests and the CLI).
pub async fn account_id(db: &Db, username: &str) -> Result<Option<RecordId>, surrealdb::Error> {
    let mut res = db.query("SELECT VALUE id FROM account WHERE username = $u").bind(("u", username.trim().to_ascii_lowercase())).await?.check()?;
    let ids: Vec<RecordId> = res.take(0)?;
    Ok(ids.into_iter().next())
}
