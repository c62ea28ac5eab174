//! Rate limits on the account doors (sign-in, registration, activation,
//! re-sending codes, password recovery, captchas), per client address and
//! per username, with governor's keyed GCRA limiters. They are kept per
//! process: a limit N per server is at most N × servers in all, and the
//! per-account protections that matter across servers (failure counters,
//! one-time codes and captchas) live in the database.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::domain::Message;
use crate::error::AppError;

/// Which door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Login,
    Register,
    Activate,
    Resend,
    Forgot,
    Reset,
    Captcha,
    /// 备案密码 / code proofs for a filed entity.
    Proof,
}

pub struct Limits {
    by_address: Vec<(Door, DefaultKeyedRateLimiter<IpAddr>)>,
    by_name: Vec<(Door, DefaultKeyedRateLimiter<String>)>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Limits({} doors)", self.by_address.len())
    }
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(60) / per.get()).unwrap_or_else(|| Quota::per_minute(per)).allow_burst(burst)
}

impl Default for Limits {
    /// The production limits: generous for a person, tight for a script.
    fn default() -> Self {
        let address = [
            (Door::Login, 20, 10),
            (Door::Register, 5, 5),
            (Door::Activate, 10, 10),
            (Door::Resend, 3, 3),
            (Door::Forgot, 3, 3),
            (Door::Reset, 10, 5),
            (Door::Captcha, 30, 20),
            (Door::Proof, 10, 5),
        ];
        let name = [(Door::Login, 10, 10), (Door::Activate, 5, 10), (Door::Resend, 1, 2), (Door::Forgot, 1, 2), (Door::Proof, 5, 5)];
        Limits {
            by_address: address.into_iter().map(|(d, per, burst)| (d, RateLimiter::keyed(quota(per, burst)))).collect(),
            by_name: name.into_iter().map(|(d, per, burst)| (d, RateLimiter::keyed(quota(per, burst)))).collect(),
        }
    }
}

impl Limits {
    /// No limits at all (tests that make many accounts from one address).
    pub fn off() -> Self {
        Limits { by_address: Vec::new(), by_name: Vec::new() }
    }

    /// Whether every door is open (tests, or BEIAN_RATE_LIMITS=off with the development switch).
    pub fn is_off(&self) -> bool {
        self.by_address.is_empty() && self.by_name.is_empty()
    }

    /// One request at `door` from `ip` for `name` (if any): 429 when over.
    pub fn check(&self, door: Door, ip: IpAddr, name: Option<&str>) -> Result<(), AppError> {
        if let Some((_, l)) = self.by_address.iter().find(|(d, _)| *d == door) {
            l.check_key(&ip).map_err(|_| too_many())?;
        }
        if let (Some(name), Some((_, l))) = (name, self.by_name.iter().find(|(d, _)| *d == door)) {
            let key: String = name.trim().to_lowercase().chars().take(64).collect();
            l.check_key(&key).map_err(|_| too_many())?;
        }
        Ok(())
    }

    /// Forget keys whose buckets are full again (called by the purge job).
    pub fn shrink(&self) {
        for (_, l) in &self.by_address {
            l.retain_recent();
        }
        for (_, l) in &self.by_name {
            l.retain_recent();
        }
    }
}

fn too_many() -> AppError {
    AppError::TooMany(Message::new("操作过于频繁，请稍等一分钟后再试", "Too many attempts; please wait a minute and try again"))
}
