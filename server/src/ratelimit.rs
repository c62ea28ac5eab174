//! Per-address rate limiting of the public query: a fixed one-minute window
//! per client address. 0 requests per minute turns it off.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked addresses, finished windows are dropped.
const PRUNE_AT: usize = 50_000;

#[derive(Clone)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute, windows: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Count a request; `Err(seconds to wait)` once the address is over its limit.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > PRUNE_AT {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let wait = WINDOW.saturating_sub(now.duration_since(entry.0)).as_secs().max(1);
            return Err(wait);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Paths of the public query: the page, its server function and the JSON API.
pub fn is_public_query(path: &str) -> bool {
    path == "/query" || path == "/api/v1/records" || path.starts_with("/api/public/")
}

pub async fn limit_public_query(State(limiter): State<RateLimiter>, req: Request, next: Next) -> Response {
    if !is_public_query(req.uri().path()) {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match limiter.check(ip, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let body = serde_json::json!({
                "code": 429,
                "error": "rate_limited",
                "msg": format!("查询过于频繁，请{wait}秒后再试"),
                "msgEn": format!("Too many requests; try again in {wait} seconds"),
            });
            let mut resp = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_per_address() {
        let limiter = RateLimiter::new(3);
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(a, t0).is_ok());
        }
        assert!(limiter.check(a, t0 + Duration::from_secs(1)).is_err());
        assert!(limiter.check(b, t0).is_ok(), "another address has its own budget");
        assert!(limiter.check(a, t0 + Duration::from_secs(61)).is_ok(), "a new window starts");
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = RateLimiter::new(0);
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        for _ in 0..1000 {
            assert!(limiter.check(a, Instant::now()).is_ok());
        }
    }
}
