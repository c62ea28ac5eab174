//! Accounts at work: registration with an activation code, sign-in with a
//! captcha and throttling, server-side sessions, password change and reset.

use rand::Rng;
use sha2::{Digest, Sha256};
use surrealdb::types::{RecordId, SurrealValue};

use super::accounts::{hash_password, verify_password};
use super::db::{classify, tx_check, Db, Failure};
use super::outbox::{self, Channel, Note, SECRET_MARK};
use super::Settings;
use crate::domain::account::{check_contact_name, check_new_password, check_registration, fields, mask_contact, Registration};
use crate::domain::contact::{parse_email, parse_mobile};
use crate::domain::workflow::Role;
use crate::domain::{FieldErrors, Message, Problem};
use crate::error::AppError;
use crate::models::{Captcha, CodeSent, UserInfo};

pub const SESSION_COOKIE: &str = "beian_session";
/// Wrong activation codes in all (re-sending a code does not reset the
/// count); past it the account cannot be activated and is purged.
pub const MAX_CODE_ATTEMPTS: i64 = 10;
/// How long an activation code works.
pub const CODE_HOURS: i64 = 24;
/// The longest a failed sign-in is held back (progressive delay).
pub const MAX_DELAY_MS: u64 = 4000;

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
    /// Someone else chose the password (代为录入, 重置密码): nothing but
    /// changing it is allowed until it is changed.
    pub must_change: bool,
}

impl CurrentUser {
    pub fn info(&self) -> UserInfo {
        UserInfo {
            username: self.username.clone(),
            role: self.role,
            contact_name: self.contact_name.clone(),
            mobile: self.mobile.clone(),
            email: self.email.clone(),
            must_change: self.must_change,
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
    must_change: bool,
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
            must_change: self.must_change,
        })
    }
}

const USER_FIELDS: &str = "id, record::id(id) AS key, username, role, contact_name, mobile, email, province, must_change_password ?? false AS must_change";

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
    let mut rng = rand::rngs::OsRng;
    let answer: String = (0..4).map(|_| GLYPHS[rng.gen_range(0..GLYPHS.len())].0).collect();
    let id = random_token()[..24].to_string();
    db.query("CREATE type::record('challenge', $id) SET purpose = 'captcha', secret_hash = $h, expires_at = time::now() + 10m RETURN NONE")
        .bind(("id", id.clone()))
        .bind(("h", sha256_hex(&answer)))
        .await?
        .check()?;
    Ok(Captcha { id, svg: captcha_svg(&answer, &mut rng) })
}

/// The captcha's letters, drawn as strokes on a 4 × 6 grid (no text in the
/// picture: a script reading the SVG finds only jittered paths).
const GLYPHS: &[(char, &[&[(f32, f32)]])] = &[
    ('2', &[&[(0.0, 1.0), (1.0, 0.0), (3.0, 0.0), (4.0, 1.0), (4.0, 2.0), (0.0, 6.0), (4.0, 6.0)]]),
    ('3', &[&[(0.0, 0.0), (4.0, 0.0), (2.0, 2.5), (4.0, 3.5), (4.0, 5.0), (3.0, 6.0), (1.0, 6.0), (0.0, 5.0)]]),
    ('4', &[&[(3.0, 6.0), (3.0, 0.0), (0.0, 4.0), (4.0, 4.0)]]),
    ('5', &[&[(4.0, 0.0), (0.0, 0.0), (0.0, 3.0), (3.0, 2.5), (4.0, 3.5), (4.0, 5.0), (3.0, 6.0), (0.0, 6.0)]]),
    ('6', &[&[(4.0, 0.0), (1.0, 0.0), (0.0, 2.0), (0.0, 5.0), (1.0, 6.0), (3.0, 6.0), (4.0, 5.0), (4.0, 4.0), (3.0, 3.0), (0.0, 3.0)]]),
    ('7', &[&[(0.0, 0.0), (4.0, 0.0), (1.5, 6.0)]]),
    ('8', &[&[(1.0, 3.0), (0.0, 2.0), (0.0, 1.0), (1.0, 0.0), (3.0, 0.0), (4.0, 1.0), (4.0, 2.0), (3.0, 3.0), (1.0, 3.0), (0.0, 4.0), (0.0, 5.0), (1.0, 6.0), (3.0, 6.0), (4.0, 5.0), (4.0, 4.0), (3.0, 3.0)]]),
    ('A', &[&[(0.0, 6.0), (2.0, 0.0), (4.0, 6.0)], &[(1.0, 4.0), (3.0, 4.0)]]),
    ('C', &[&[(4.0, 1.0), (3.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 5.0), (1.0, 6.0), (3.0, 6.0), (4.0, 5.0)]]),
    ('E', &[&[(4.0, 0.0), (0.0, 0.0), (0.0, 6.0), (4.0, 6.0)], &[(0.0, 3.0), (3.0, 3.0)]]),
    ('F', &[&[(4.0, 0.0), (0.0, 0.0), (0.0, 6.0)], &[(0.0, 3.0), (3.0, 3.0)]]),
    ('H', &[&[(0.0, 0.0), (0.0, 6.0)], &[(4.0, 0.0), (4.0, 6.0)], &[(0.0, 3.0), (4.0, 3.0)]]),
    ('K', &[&[(0.0, 0.0), (0.0, 6.0)], &[(4.0, 0.0), (0.0, 3.5)], &[(1.2, 2.8), (4.0, 6.0)]]),
    ('M', &[&[(0.0, 6.0), (0.0, 0.0), (2.0, 3.0), (4.0, 0.0), (4.0, 6.0)]]),
    ('N', &[&[(0.0, 6.0), (0.0, 0.0), (4.0, 6.0), (4.0, 0.0)]]),
    ('P', &[&[(0.0, 6.0), (0.0, 0.0), (3.0, 0.0), (4.0, 1.0), (4.0, 2.0), (3.0, 3.0), (0.0, 3.0)]]),
    ('R', &[&[(0.0, 6.0), (0.0, 0.0), (3.0, 0.0), (4.0, 1.0), (4.0, 2.0), (3.0, 3.0), (0.0, 3.0)], &[(2.0, 3.0), (4.0, 6.0)]]),
    ('T', &[&[(0.0, 0.0), (4.0, 0.0)], &[(2.0, 0.0), (2.0, 6.0)]]),
    ('U', &[&[(0.0, 0.0), (0.0, 5.0), (1.0, 6.0), (3.0, 6.0), (4.0, 5.0), (4.0, 0.0)]]),
    ('V', &[&[(0.0, 0.0), (2.0, 6.0), (4.0, 0.0)]]),
    ('W', &[&[(0.0, 0.0), (1.0, 6.0), (2.0, 2.0), (3.0, 6.0), (4.0, 0.0)]]),
    ('X', &[&[(0.0, 0.0), (4.0, 6.0)], &[(4.0, 0.0), (0.0, 6.0)]]),
    ('Y', &[&[(0.0, 0.0), (2.0, 3.0), (4.0, 0.0)], &[(2.0, 3.0), (2.0, 6.0)]]),
];

fn captcha_svg(answer: &str, rng: &mut impl Rng) -> String {
    let mut svg = String::from(r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="44" viewBox="0 0 120 44" role="img" aria-label="图形验证码 / picture code"><rect width="120" height="44" fill="#eef2f7"/>"##);
    for _ in 0..5 {
        svg.push_str(&format!(
            r##"<path d="M{} {} Q{} {} {} {}" stroke="#8aa0bd" stroke-width="1.2" fill="none"/>"##,
            rng.gen_range(0..30),
            rng.gen_range(0..44),
            rng.gen_range(30..90),
            rng.gen_range(0..44),
            rng.gen_range(90..120),
            rng.gen_range(0..44)
        ));
    }
    for (i, c) in answer.chars().enumerate() {
        let Some((_, strokes)) = GLYPHS.iter().find(|(g, _)| *g == c) else { continue };
        // Each letter: its own size, slant and rotation, every point jittered.
        let (sx, sy) = (rng.gen_range(4.2..5.4f32), rng.gen_range(4.4..5.2f32));
        let slant = rng.gen_range(-0.35..0.35f32);
        let angle = rng.gen_range(-0.3..0.3f32);
        let (ox, oy) = (10.0 + i as f32 * 26.0 + rng.gen_range(0.0..4.0f32), rng.gen_range(5.0..10.0f32));
        let (sin, cos) = angle.sin_cos();
        for stroke in strokes.iter() {
            let mut d = String::new();
            for (k, (x, y)) in stroke.iter().enumerate() {
                let (mut px, py) = ((x - 2.0) * sx, (y - 3.0) * sy);
                px += slant * py;
                let (rx, ry) = (px * cos - py * sin, px * sin + py * cos);
                let (fx, fy) = (ox + 10.0 + rx + rng.gen_range(-0.7..0.7f32), oy + 15.0 + ry + rng.gen_range(-0.7..0.7f32));
                d.push_str(&format!("{}{fx:.1} {fy:.1}", if k == 0 { "M" } else { " L" }));
            }
            svg.push_str(&format!(r##"<path d="{d}" stroke="#1f4e8c" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" fill="none"/>"##));
        }
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

fn taken() -> AppError {
    let mut errors = FieldErrors::new();
    errors.push(
        Problem::new("username.taken", "该用户名已被注册，请换一个；如是您本人注册，请直接登录或找回密码", "this username is taken; choose another, or sign in if it is yours")
            .at(fields::USERNAME),
    );
    AppError::Invalid(errors)
}

fn code_notes(account: &RecordId, username: &str, mobile: &str, email: &str, code: &str) -> Vec<Note> {
    let text = format!("【ICP备案】您的注册验证码为 {SECRET_MARK}，用户名 {username}，{CODE_HOURS}小时内有效。Your activation code is {SECRET_MARK}.");
    Note::both(mobile, email, "ICP备案系统注册验证码 / Activation code", &text).into_iter().map(|n| n.with_secret(code).for_account(account)).collect()
}

fn code_sent(settings: &Settings, username: &str, mobile: &str, email: &str, code: &str) -> CodeSent {
    CodeSent {
        username: username.to_string(),
        mobile: mask_contact(mobile),
        email: mask_contact(email),
        shown_code: settings.show_codes().then(|| code.to_string()),
    }
}

/// Register a pending account; its activation code goes by SMS and e-mail
/// (recorded in the same transaction). The username is checked before any
/// password is hashed.
pub async fn register(db: &Db, settings: &Settings, form: &Registration) -> Result<CodeSent, AppError> {
    let r = check_registration(form).map_err(AppError::Invalid)?;
    if account_id(db, &r.username).await?.is_some() {
        return Err(taken());
    }
    let hash = hash_blocking(form.password.clone()).await?;
    let code = random_digits(6);
    let id = RecordId::new("account", random_token()[..20].to_string());
    let notes = code_notes(&id, &r.username, &r.mobile, &r.email, &code);
    let res = db
        .query(format!(
            "BEGIN;
             CREATE $id SET username = $u, password_hash = $p, role = 'registrant', contact_name = $n, mobile = $m, email = $e,
                 status = 'pending', activation_code = $c, code_sent_at = time::now(), activation_expires_at = time::now() + duration::from_hours($hours) RETURN NONE;
             {}
             COMMIT;",
            outbox::insert_all()
        ))
        .bind(("id", id.clone()))
        .bind(("u", r.username.clone()))
        .bind(("p", hash))
        .bind(("n", r.contact_name.clone()))
        .bind(("m", r.mobile.clone()))
        .bind(("e", r.email.clone()))
        .bind(("c", sha256_hex(&code)))
        .bind(("hours", CODE_HOURS))
        .bind(("notes", outbox::notes_value(&notes)))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => {}
        Err(e) if matches!(classify(&e), Failure::Unique(_)) => return Err(taken()),
        Err(e) => return Err(e.into()),
    }
    outbox::wake();
    Ok(code_sent(settings, &r.username, &r.mobile, &r.email, &code))
}

#[derive(SurrealValue)]
struct PendingRow {
    id: RecordId,
    status: String,
    activation_code: Option<String>,
    code_attempts: i64,
    mobile: String,
    email: String,
    recent: bool,
    expired: bool,
}

async fn pending_account(db: &Db, username: &str) -> Result<Option<PendingRow>, surrealdb::Error> {
    let mut res = db
        .query(
            "SELECT id, status, activation_code, code_attempts, mobile, email, \
             (code_sent_at != NONE AND code_sent_at > time::now() - 1m) AS recent, \
             (activation_expires_at != NONE AND activation_expires_at < time::now()) AS expired FROM account WHERE username = $u",
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

fn too_many_codes() -> AppError {
    AppError::Conflict(Message::new(
        "验证码错误次数过多，该注册已不能激活，将在48小时内自动清除；之后可用同一用户名重新注册",
        "Too many wrong codes: this registration can no longer be activated and is removed within 48 hours; then register again",
    ))
}

/// Enter the activation code: the account becomes active. Returns its id.
/// Every wrong code counts (atomically), across re-sent codes.
pub async fn activate(db: &Db, username: &str, code: &str) -> Result<RecordId, AppError> {
    let Some(row) = pending_account(db, username).await? else {
        return Err(code_problem());
    };
    if row.status == "active" {
        return Err(AppError::Conflict(Message::new("该账户已激活，请直接登录", "This account is already active; please sign in")));
    }
    if row.status != "pending" {
        return Err(code_problem());
    }
    if row.code_attempts >= MAX_CODE_ATTEMPTS {
        return Err(too_many_codes());
    }
    if row.expired {
        return Err(AppError::Conflict(Message::new("验证码已过期，请重新发送验证码", "The code has expired; ask for a new one")));
    }
    let code = code.trim();
    let good = code.len() == 6 && row.activation_code.as_deref().is_some_and(|h| h == sha256_hex(code));
    if !good {
        let mut res = db.query("UPDATE $id SET code_attempts += 1 RETURN VALUE code_attempts").bind(("id", row.id)).await?.check()?;
        let n: Vec<i64> = res.take(0)?;
        return Err(if n.first().copied().unwrap_or(0) >= MAX_CODE_ATTEMPTS { too_many_codes() } else { code_problem() });
    }
    // Conditional: a code used once (or a parallel request) cannot activate twice.
    let mut res = db
        .query("UPDATE $id SET status = 'active', activation_code = NONE, activation_expires_at = NONE, updated_at = time::now() WHERE status = 'pending' AND activation_code = $h RETURN VALUE id")
        .bind(("id", row.id.clone()))
        .bind(("h", sha256_hex(code)))
        .await?
        .check()?;
    let done: Vec<RecordId> = res.take(0)?;
    if done.is_empty() {
        return Err(code_problem());
    }
    Ok(row.id)
}

/// Send a new activation code to the mobile and e-mail given at registration
/// (seed 000 §5–6: 重新找回验证码). At most one a minute; the count of wrong
/// codes carries over.
pub async fn resend_code(db: &Db, settings: &Settings, username: &str) -> Result<CodeSent, AppError> {
    let Some(row) = pending_account(db, username).await?.filter(|r| r.status == "pending") else {
        return Err(AppError::BadRequest(Message::new("没有待激活的该用户名，请检查用户名或直接登录", "No account waiting for activation has this username; check it, or sign in")));
    };
    if row.code_attempts >= MAX_CODE_ATTEMPTS {
        return Err(too_many_codes());
    }
    if row.recent {
        return Err(AppError::Conflict(Message::new("验证码刚刚发送过，请一分钟后再试", "A code was sent a moment ago; try again in a minute")));
    }
    let code = random_digits(6);
    let username = username.trim().to_ascii_lowercase();
    let notes = code_notes(&row.id, &username, &row.mobile, &row.email, &code);
    db.query(format!(
        "BEGIN;
         UPDATE $id SET activation_code = $c, code_sent_at = time::now(), activation_expires_at = time::now() + duration::from_hours($hours) RETURN NONE;
         {}
         COMMIT;",
        outbox::insert_all()
    ))
    .bind(("id", row.id.clone()))
    .bind(("c", sha256_hex(&code)))
    .bind(("hours", CODE_HOURS))
    .bind(("notes", outbox::notes_value(&notes)))
    .await
    .and_then(tx_check)?;
    outbox::wake();
    Ok(code_sent(settings, &username, &row.mobile, &row.email, &code))
}

// ---------------------------------------------------------------- sign-in

#[derive(Debug)]
pub enum LoginOutcome {
    Ok(RecordId),
    /// Registered but the code was never entered (told only to whoever knows the password).
    Pending,
    /// Unknown username, wrong password or a disabled account: one answer.
    Bad,
}

#[derive(SurrealValue)]
struct LoginRow {
    id: RecordId,
    password_hash: String,
    status: String,
}

/// Argon2 runs on the blocking pool, at most two at a time (the machine's
/// cores): a burst of sign-ins or registrations queues instead of
/// exhausting memory and threads.
fn hashing() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(2))
}

pub(crate) async fn hash_blocking(password: String) -> Result<String, AppError> {
    let _permit = hashing().acquire().await.map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|_| AppError::Internal)?.map_err(|_| AppError::Internal)
}

/// A real hash to verify against when the username is unknown, made once,
/// so that answer costs an argon2 verification like any other.
pub(crate) async fn unknown_user_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = HASH.get() {
        return h.clone();
    }
    let h = hash_blocking(random_token()).await.unwrap_or_default();
    HASH.get_or_init(|| h).clone()
}

pub(crate) async fn verify_blocking(password: String, hash: String) -> bool {
    let Ok(_permit) = hashing().acquire().await else { return false };
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

/// Count a failed sign-in for a username (known or not) in one statement,
/// so parallel failures all count; returns the count.
async fn count_failure(db: &Db, username: &str) -> Result<i64, surrealdb::Error> {
    let mut res = db
        .query("UPSERT type::record('login_failure', $k) SET count += 1, last_at = time::now() RETURN VALUE count")
        .bind(("k", sha256_hex(username)[..32].to_string()))
        .await?
        .check()?;
    let n: Vec<i64> = res.take(0)?;
    Ok(n.first().copied().unwrap_or(1))
}

/// How long a failed sign-in is held back: half a second per recent
/// failure of that username, at most four seconds. The same for known and
/// unknown usernames; nobody is locked out.
pub fn failure_delay(failures: i64) -> std::time::Duration {
    std::time::Duration::from_millis((500 * failures.max(1) as u64).min(MAX_DELAY_MS))
}

/// Check a username and password. Failures (wrong password, unknown user,
/// disabled account) all get the same answer after the same work and the
/// same progressive delay.
pub async fn login(db: &Db, username: &str, password: &str) -> Result<LoginOutcome, surrealdb::Error> {
    let name = username.trim().to_ascii_lowercase();
    let mut res = db.query("SELECT id, password_hash, status FROM account WHERE username = $u").bind(("u", name.clone())).await?.check()?;
    let rows: Vec<LoginRow> = res.take(0)?;
    let row = rows.into_iter().next();
    let hash = match &row {
        Some(r) => r.password_hash.clone(),
        None => unknown_user_hash().await,
    };
    let good = verify_blocking(password.to_string(), hash).await && row.is_some();
    match row {
        Some(r) if good && r.status == "active" => {
            db.query("DELETE type::record('login_failure', $k); UPDATE $id SET failed_logins = 0 RETURN NONE;")
                .bind(("k", sha256_hex(&name)[..32].to_string()))
                .bind(("id", r.id.clone()))
                .await?
                .check()?;
            Ok(LoginOutcome::Ok(r.id))
        }
        Some(r) if good && r.status == "pending" => Ok(LoginOutcome::Pending),
        other => {
            let failures = count_failure(db, &name).await?;
            if let Some(r) = other {
                db.query("UPDATE $id SET failed_logins += 1 RETURN NONE").bind(("id", r.id)).await?.check()?;
            }
            tokio::time::sleep(failure_delay(failures)).await;
            Ok(LoginOutcome::Bad)
        }
    }
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
    db.query("UPDATE $id SET password_hash = $h, must_change_password = false, updated_at = time::now() RETURN NONE; DELETE session WHERE account = $id;")
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

/// Whose one-time secret a challenge holds.
pub(crate) enum Holder<'a> {
    Account(&'a RecordId),
    Entity(&'a RecordId),
}

/// A new one-time secret (reset link, entity code) for its holder, in one
/// transaction: earlier unused ones of the same purpose are void, the hash
/// is stored with its expiry, and the messages that carry it are written.
pub(crate) async fn issue_challenge(db: &Db, holder: Holder<'_>, purpose: &str, secret: &str, minutes: i64, notes: &[Note]) -> Result<(), AppError> {
    let (field, id) = match holder {
        Holder::Account(id) => ("account", id),
        Holder::Entity(id) => ("entity", id),
    };
    db.query(format!(
        "BEGIN;
         UPDATE challenge SET used = true WHERE {field} = $holder AND purpose = $purpose AND used = false RETURN NONE;
         CREATE challenge SET purpose = $purpose, {field} = $holder, secret_hash = $h, expires_at = time::now() + duration::from_mins($minutes) RETURN NONE;
         {}
         COMMIT;",
        outbox::insert_all()
    ))
    .bind(("holder", id.clone()))
    .bind(("purpose", purpose.to_string()))
    .bind(("h", sha256_hex(secret)))
    .bind(("minutes", minutes))
    .bind(("notes", outbox::notes_value(notes)))
    .await
    .and_then(tx_check)?;
    outbox::wake();
    Ok(())
}

/// 找回密码: when username, contact name and e-mail match, e-mail a reset
/// link valid for an hour; earlier links of the account stop working. The
/// answer is the same either way, so it does not reveal which accounts exist.
pub async fn request_reset(db: &Db, settings: &Settings, username: &str, contact_name: &str, email: &str) -> Result<(), AppError> {
    let mut res = db
        .query("SELECT id, email FROM account WHERE username = $u AND contact_name = $n AND status = 'active'")
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
    let link = format!("{}/reset?token={SECRET_MARK}", settings.public_url.trim_end_matches('/'));
    let note = Note::new(
        Channel::Email,
        row.email,
        "ICP备案系统找回密码 / Reset your password",
        format!("请在1小时内打开以下链接设置新密码（如非本人操作请忽略）：\n{link}\n\nOpen this link within an hour to choose a new password:\n{link}"),
    )
    .with_secret(token.clone())
    .for_account(&row.id);
    issue_challenge(db, Holder::Account(&row.id), "reset", &token, 60, &[note]).await
}

/// Set a new password with a reset link's token (once, within the hour):
/// the token is used up by one conditional update in the transaction that
/// changes the password, so two requests with it cannot both succeed.
pub async fn reset_password(db: &Db, token: &str, new: &str, new2: &str) -> Result<(), AppError> {
    let bad_link = || AppError::BadRequest(Message::new("链接无效或已过期，请重新找回密码", "The link is invalid or has expired; ask for a new one"));
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad_link());
    }
    #[derive(SurrealValue)]
    struct Row {
        account: RecordId,
        username: String,
    }
    let mut res = db
        .query("SELECT account, account.username AS username FROM challenge WHERE secret_hash = $h AND purpose = 'reset' AND used = false AND expires_at > time::now()")
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
    let res = db
        .query(
            "BEGIN;
             LET $used = (UPDATE challenge SET used = true WHERE secret_hash = $t AND purpose = 'reset' AND used = false AND expires_at > time::now() RETURN VALUE account);
             IF array::len($used) = 0 { THROW 'stale' };
             UPDATE $a SET password_hash = $h, failed_logins = 0, locked_until = NONE, updated_at = time::now() RETURN NONE;
             DELETE session WHERE account = $a;
             COMMIT;",
        )
        .bind(("t", sha256_hex(token)))
        .bind(("a", row.account))
        .bind(("h", hash))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => Ok(()),
        Err(e) if matches!(classify(&e), Failure::Stale | Failure::Conflict) => Err(bad_link()),
        Err(e) => Err(e.into()),
    }
}

/// The account record of a username (tests and the CLI).
pub async fn account_id(db: &Db, username: &str) -> Result<Option<RecordId>, surrealdb::Error> {
    let mut res = db.query("SELECT VALUE id FROM account WHERE username = $u").bind(("u", username.trim().to_ascii_lowercase())).await?.check()?;
    let ids: Vec<RecordId> = res.take(0)?;
    Ok(ids.into_iter().next())
}
