//! Who may call what. Every server function starts with one call to
//! [`serve`], naming what it needs ([`Need`]); that call authenticates the
//! caller, authorises role, ownership and province (for a filing, by the
//! state machine `workflow::TRANSITIONS`), runs the function and sets the
//! HTTP status once. The operations in `ssr::*` take the [`Ctx`] it
//! produces, which nothing else can make: an operation cannot be reached
//! without its check.

use std::future::Future;
use std::sync::Arc;

use surrealdb::types::{RecordId, SurrealValue};

use super::application::{self, app_id, key_ok, AppRow};
use super::auth::CurrentUser;
use super::db::Db;
use super::Settings;
use crate::domain::filing::MaterialKind;
use crate::domain::workflow::{role_may, transition, Action, Role};
use crate::domain::Message;
use crate::error::AppError;

/// What a server function needs of its caller.
#[derive(Debug, Clone, Copy)]
pub enum Need<'a> {
    /// Anyone, signed in or not: the public query, sign-in, registration.
    Anyone,
    /// A signed-in user of one of these roles (any role when empty).
    Role(&'a [Role]),
    /// The signed-in user's own account (changing the password, the
    /// profile): the only need met while the password must be changed.
    Account,
    /// A filing application: to read it, or to act on it (the state
    /// machine decides who may do which action in which state).
    Filing(&'a str, Intent),
    /// An uploaded file: to read it (whoever may read its filing) or to
    /// remove it (whoever may edit its filing, staff files by staff only).
    Material(&'a str, Intent),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Read,
    Act(Action),
}

/// Everything an operation may use, made only by [`authorize`].
pub struct Ctx {
    pub db: Db,
    pub settings: Arc<Settings>,
    user: Option<CurrentUser>,
    filing: Option<AppRow>,
    material: Option<RecordId>,
}

impl Ctx {
    /// The signed-in caller (every need but [`Need::Anyone`] has one).
    pub fn me(&self) -> Result<&CurrentUser, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }

    pub fn user(&self) -> Option<&CurrentUser> {
        self.user.as_ref()
    }

    /// The filing the need named, as loaded by the check.
    pub fn filing(&self) -> Result<&AppRow, AppError> {
        self.filing.as_ref().ok_or(AppError::Internal)
    }

    pub fn material(&self) -> Result<&RecordId, AppError> {
        self.material.as_ref().ok_or(AppError::Internal)
    }

    /// A second, narrower check inside a function whose first need was a
    /// role (an upload names its filing only in its body).
    pub async fn narrow(self, need: Need<'_>) -> Result<Ctx, AppError> {
        authorize(&self.db, &self.settings, self.user, need).await
    }
}

fn forbidden(user: &CurrentUser, what: &str) -> AppError {
    tracing::warn!(user = %user.username, role = user.role.code(), what, "refused");
    AppError::Forbidden
}

/// The answer when the state machine has no such move from this state.
pub fn wrong_state(row: &AppRow, action: Action) -> AppError {
    let (from, what) = (row.status.label(), action.label());
    AppError::Conflict(Message::new(
        format!("该备案申请当前状态为“{}”，不能执行“{}”", from.zh, what.zh),
        format!("This filing is {}: “{}” is not possible now", from.en.to_lowercase(), what.en.to_lowercase()),
    ))
}

/// 代为办理: the provider takes some actions only on what it started for
/// its client (`workflow::on_behalf_only`).
pub fn owns(user: &CurrentUser, row: &AppRow, action: Action) -> bool {
    !(user.role == Role::Provider && crate::domain::workflow::on_behalf_only(action, row.status) && row.on_behalf.is_none())
}

/// Check a need for a caller; the only way to get a [`Ctx`].
pub async fn authorize(db: &Db, settings: &Arc<Settings>, user: Option<CurrentUser>, need: Need<'_>) -> Result<Ctx, AppError> {
    let mut cx = Ctx { db: db.clone(), settings: settings.clone(), user, filing: None, material: None };
    if matches!(need, Need::Anyone) {
        return Ok(cx);
    }
    let Some(user) = cx.user.as_ref() else {
        return Err(AppError::Unauthenticated);
    };
    // A password someone else chose is changed before anything else.
    if user.must_change && !matches!(need, Need::Account) {
        return Err(AppError::MustChangePassword);
    }
    match need {
        Need::Anyone | Need::Account => {}
        Need::Role(roles) => {
            if !roles.is_empty() && !roles.contains(&user.role) {
                return Err(forbidden(user, "role"));
            }
        }
        Need::Filing(id, intent) => {
            if let Intent::Act(action) = intent {
                // A role that never takes this action learns nothing about the filing.
                if !role_may(action, user.role) {
                    return Err(forbidden(user, action.code()));
                }
            }
            let row = application::load(db, &app_id(id)?).await?.ok_or(AppError::NotFound)?;
            if !application::may_read(user, &row) {
                return Err(forbidden(user, "filing"));
            }
            if let Intent::Act(action) = intent {
                // 代为办理: the provider edits, submits or drops only a draft it started for its client.
                if !owns(user, &row, action) {
                    return Err(forbidden(user, "not on behalf"));
                }
                if transition(row.status, action, user.role, row.kind).is_none() {
                    return Err(wrong_state(&row, action));
                }
            }
            cx.filing = Some(row);
        }
        Need::Material(id, intent) => {
            if !key_ok(id) {
                return Err(AppError::NotFound);
            }
            #[derive(SurrealValue)]
            struct Owner {
                app: String,
                kind: String,
            }
            let mid = RecordId::new("material", id);
            let mut res = db.query("SELECT record::id(application) AS app, kind FROM ONLY $m").bind(("m", mid.clone())).await?.check()?;
            let owner: Option<Owner> = res.take(0)?;
            let owner = owner.ok_or(AppError::NotFound)?;
            let action = match intent {
                Intent::Read => None,
                // Removing a staff file is the provider's 核验 work; the registrant's own files are edits.
                Intent::Act(_) => Some(MaterialKind::from_code(&owner.kind).map(super::materials::action_for).unwrap_or(Action::Save)),
            };
            let filing_intent = action.map(Intent::Act).unwrap_or(Intent::Read);
            let mut inner = Box::pin(authorize(db, settings, cx.user.take(), Need::Filing(&owner.app, filing_intent))).await?;
            // A 新增接入's entity documents stay hidden from a provider new to the entity.
            if let (Some(k), Some(user), Some(row)) = (MaterialKind::from_code(&owner.kind), inner.user.as_ref(), inner.filing.as_ref()) {
                if crate::domain::business::hidden_with_entity(k) && super::business::hides_entity(db, &settings.provider_name, user, row).await? {
                    return Err(forbidden(user, "hidden entity material"));
                }
            }
            inner.material = Some(mid);
            return Ok(inner);
        }
    }
    Ok(cx)
}

/// Run a server function: authenticate, authorise `need`, run `f`, and set
/// the response's status from the error, if any (once, here).
pub async fn serve<T, F, Fut>(need: Need<'_>, f: F) -> Result<T, AppError>
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async {
        let state = super::app_state()?;
        let user = super::current_user(&state).await?;
        if user.is_some() {
            // Signed-in answers are never kept by shared caches.
            super::set_header(http::header::CACHE_CONTROL, "private, no-store");
        }
        let cx = authorize(&state.db, &state.settings, user, need).await?;
        f(cx).await
    }
    .await;
    if let Err(e) = &result {
        super::set_status(e.status());
        if matches!(e, AppError::Internal) {
            tracing::error!("server function failed");
        }
    }
    result
}
