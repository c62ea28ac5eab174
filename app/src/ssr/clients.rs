//! 重置密码 (seed 001 §1.6.1): the provider's client accounts, and new
//! passwords for them. A client account is a registrant's that owns an
//! entity with this provider's access, or one this provider's clerks
//! created (代为录入, 批量导入). A reset sets each chosen account's password,
//! marks it to be changed at the next sign-in, ends every session of it,
//! tells the client by e-mail (never the password) and audits it, all in
//! one transaction; the clerk sees the new passwords once, in the answer.

use rand::Rng;
use surrealdb::types::{RecordId, SurrealValue};

use super::auth::hash_blocking;
use super::db::tx_check;
use super::guard::Ctx;
use super::outbox::{self, Channel, Note};
use crate::domain::account::clients::{self, ClientFilter, ClientQuery, NewPassword, Selection, GENERATED_ALPHABET, GENERATED_CHARS, MAX_RESET, PAGE_SIZE};
use crate::domain::workflow::Role;
use crate::domain::Message;
use crate::error::AppError;
use crate::models::{ClientAccount, ClientPage, NewCredential};

const CLIENT_FIELDS: &str = "username, contact_name, mobile, email, status, must_change_password ?? false AS must_change, created_by != NONE AS ours, \
     time::format(created_at + 8h, '%Y-%m-%d') AS created, \
     (SELECT VALUE unit_name FROM entity WHERE owner = $parent.id AND status != 'cancelled' LIMIT 5) AS units";

/// The accounts that are this provider's clients, as a statement that sets
/// `$owners` (the owners of entities it serves).
const OWNERS: &str = "LET $owners = array::distinct((SELECT VALUE website.entity.owner FROM access WHERE provider_name = $p AND status = 'active' AND website.entity.owner != NONE));";

fn conditions(f: &ClientFilter) -> String {
    let mut c = vec!["role = 'registrant'".to_string(), "(id IN $owners OR created_by != NONE)".into()];
    if f.username.is_some() {
        c.push("string::contains(username, $username)".into());
    }
    if f.name.is_some() {
        c.push("array::len((SELECT VALUE id FROM entity WHERE owner = $parent.id AND string::contains(string::lowercase(unit_name), $name))) > 0".into());
    }
    if f.mobile.is_some() {
        c.push("string::contains(mobile, $mobile)".into());
    }
    if f.email.is_some() {
        c.push("string::contains(string::lowercase(email), $email)".into());
    }
    c.join(" AND ")
}

fn bind<'a>(q: surrealdb::method::Query<'a, surrealdb::engine::any::Any>, cx: &Ctx, f: &ClientFilter) -> surrealdb::method::Query<'a, surrealdb::engine::any::Any> {
    q.bind(("p", cx.settings.provider_name.clone()))
        .bind(("username", f.username.clone()))
        .bind(("name", f.name.clone()))
        .bind(("mobile", f.mobile.clone()))
        .bind(("email", f.email.clone()))
}

fn staff_only(cx: &Ctx) -> Result<(), AppError> {
    if cx.me()?.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// One page of client accounts matching the conditions, by username.
pub async fn list(cx: &Ctx, q: &ClientQuery) -> Result<ClientPage, AppError> {
    staff_only(cx)?;
    let f = clients::check(q).map_err(AppError::Invalid)?;
    let cond = conditions(&f);
    let query = format!(
        "{OWNERS}
         SELECT {CLIENT_FIELDS} FROM account WHERE {cond} ORDER BY username LIMIT {PAGE_SIZE} START {};
         (SELECT count() AS n FROM account WHERE {cond} GROUP ALL)[0].n ?? 0;",
        (f.page - 1) * PAGE_SIZE
    );
    let mut res = bind(cx.db.query(query), cx, &f).await?.check()?;
    let rows: Vec<ClientAccount> = res.take(1)?;
    let total: Option<u64> = res.take(2)?;
    let total = total.unwrap_or(0);
    let pages = u32::try_from(total.div_ceil(u64::from(PAGE_SIZE))).unwrap_or(u32::MAX).max(1);
    Ok(ClientPage { rows, total, page: f.page, pages })
}

#[derive(SurrealValue)]
struct Target {
    id: RecordId,
    username: String,
    email: String,
}

/// A password from [`GENERATED_ALPHABET`] with a letter and a digit.
pub fn generate_password() -> String {
    let mut rng = rand::rngs::OsRng;
    loop {
        let p: String = (0..GENERATED_CHARS).map(|_| char::from(GENERATED_ALPHABET[rng.gen_range(0..GENERATED_ALPHABET.len())])).collect();
        if clients::is_generated_shape(&p) {
            return p;
        }
    }
}

/// Reset the chosen client accounts' passwords; the new ones, once.
pub async fn reset(cx: &Ctx, selection: &Selection, new: &NewPassword) -> Result<Vec<NewCredential>, AppError> {
    staff_only(cx)?;
    let me = cx.me()?;
    clients::check_reset(selection, new).map_err(AppError::Invalid)?;
    // Resolve the choice to client accounts, never anyone else's.
    let (cond, f, names) = match selection {
        Selection::Accounts(names) => {
            let names: Vec<String> = names.iter().map(|n| n.trim().to_ascii_lowercase()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            (format!("{} AND username IN $names", conditions(&ClientFilter::default())), ClientFilter::default(), names)
        }
        Selection::AllMatching(q) => {
            let f = clients::check(q).map_err(AppError::Invalid)?;
            (conditions(&f), f, Vec::new())
        }
    };
    let query = format!("{OWNERS} SELECT id, username, email FROM account WHERE {cond} ORDER BY username LIMIT {};", MAX_RESET + 1);
    let mut res = bind(cx.db.query(query), cx, &f).bind(("names", names.clone())).await?.check()?;
    let targets: Vec<Target> = res.take(1)?;
    if let Selection::Accounts(_) = selection {
        if targets.len() != names.len() {
            // A name that is not one of this provider's clients (or no
            // account at all: the answer does not say which): nothing changes.
            return Err(AppError::NotFound);
        }
    }
    if targets.is_empty() {
        return Err(AppError::NotFound);
    }
    if targets.len() > MAX_RESET {
        return Err(AppError::BadRequest(Message::new(
            format!("符合条件的用户超过{MAX_RESET}个，请缩小查询条件后分批重置"),
            format!("More than {MAX_RESET} accounts match; narrow the conditions and reset them in batches"),
        )));
    }
    // The typed password must also meet the rules for every account found.
    if let NewPassword::Set { .. } = new {
        clients::check_reset(&Selection::Accounts(targets.iter().map(|t| t.username.clone()).collect()), new).map_err(AppError::Invalid)?;
    }
    let mut creds = Vec::with_capacity(targets.len());
    let mut rows = Vec::with_capacity(targets.len());
    let mut notes = Vec::new();
    for t in &targets {
        let password = match new {
            NewPassword::Set { password, .. } => password.clone(),
            NewPassword::Generate => generate_password(),
        };
        let hash = hash_blocking(password.clone()).await?;
        rows.push(serde_json::json!({ "key": key_of(&t.id), "hash": hash }));
        if !t.email.is_empty() {
            notes.push(
                Note::new(
                    Channel::Email,
                    t.email.clone(),
                    "ICP备案系统密码已重置 / Your password was reset",
                    format!(
                        "您好，{u}：\n您在ICP备案系统的账户密码已由接入服务商（{p}）重置，原有登录均已失效。请使用接入服务商告知您的新密码登录，登录后须先修改密码。如非您本人要求，请联系接入服务商。\n\nThe password of your account {u} was reset by your access provider ({p}); every session of it has ended. Sign in with the new password the provider gives you; you will be asked to change it first. If you did not ask for this, contact the provider.",
                        u = t.username,
                        p = cx.settings.provider_name
                    ),
                )
                .for_account(&t.id),
            );
        }
        creds.push(NewCredential { username: t.username.clone(), password });
    }
    let comment = match new {
        NewPassword::Set { .. } => "接入服务商重置密码（设定）",
        NewPassword::Generate => "接入服务商重置密码（自动生成）",
    };
    cx.db
        .query(format!(
            "BEGIN;
             FOR $r IN $rows {{
                 LET $a = type::record('account', $r.key);
                 UPDATE $a SET password_hash = $r.hash, must_change_password = true, failed_logins = 0, locked_until = NONE, updated_at = time::now() RETURN NONE;
                 DELETE session WHERE account = $a;
                 UPDATE challenge SET used = true WHERE account = $a AND purpose = 'reset' AND used = false RETURN NONE;
                 CREATE audit_event SET account = $a, actor = $me, role = 'provider', action = 'password_reset', comment = $comment RETURN NONE;
             }};
             {}
             COMMIT;",
            outbox::insert_all()
        ))
        .bind(("rows", rows))
        .bind(("me", me.id.clone()))
        .bind(("comment", comment))
        .bind(("notes", outbox::notes_value(&notes)))
        .await
        .and_then(tx_check)?;
    outbox::wake();
    tracing::info!(clerk = %me.username, accounts = creds.len(), "client passwords reset");
    Ok(creds)
}

fn key_of(id: &RecordId) -> String {
    match &id.key {
        surrealdb::types::RecordIdKey::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}
