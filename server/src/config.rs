//! Settings: `Leptos.toml` (Leptos' own section plus `[beian]`), overridden
//! by environment variables (`LEPTOS_*` for Leptos, `BEIAN_*` for ours).

use std::path::{Path, PathBuf};

use app::ssr::Settings;
use leptos::config::{get_config_from_str, LeptosOptions};
use serde::Deserialize;

/// The repository's Leptos.toml, built in: the binary runs from anywhere,
/// even with no file beside it.
const BUILT_IN: &str = include_str!("../../Leptos.toml");

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct BeianSection {
    db: Option<String>,
    public_rate_limit: Option<u32>,
    demo_data: Option<bool>,
    demo_records: Option<u32>,
    site_licence: Option<String>,
    provider_name: Option<String>,
    captcha: Option<bool>,
    session_hours: Option<u32>,
    secure_cookies: Option<bool>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    mail_dir: Option<String>,
    dev: Option<bool>,
    entity_verify: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    beian: BeianSection,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Parse(String, String),
    #[error("environment variable {0}: {1}")]
    Env(&'static str, String),
    #[error("{0}")]
    Unsafe(String),
}

/// Which file: `BEIAN_CONFIG`, else `./Leptos.toml`, else the built-in one.
fn locate() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("BEIAN_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let here = Path::new("Leptos.toml");
    here.exists().then(|| here.to_path_buf())
}

fn env_var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_bool(name: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Env(name, format!("expected true or false, got {v:?}"))),
    }
}

/// The settings of the built-in file, without environment overrides of ours
/// (for tests).
pub fn built_in() -> Result<(LeptosOptions, Settings), ConfigError> {
    load_from("built-in Leptos.toml", BUILT_IN)
}

pub fn load() -> Result<(LeptosOptions, Settings), ConfigError> {
    let (source, text) = match locate() {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read(path.clone(), e))?;
            (path.display().to_string(), text)
        }
        None => ("built-in Leptos.toml".to_string(), BUILT_IN.to_string()),
    };
    load_from(&source, &text)
}

pub fn load_from(source: &str, text: &str) -> Result<(LeptosOptions, Settings), ConfigError> {
    let leptos = get_config_from_str(text).map_err(|e| ConfigError::Parse(source.to_string(), e.to_string()))?;
    let file: File = toml::from_str(text).map_err(|e| ConfigError::Parse(source.to_string(), e.to_string()))?;
    let b = file.beian;
    let mut s = Settings::default();
    if let Some(v) = b.db { s.db = v; }
    if let Some(v) = b.public_rate_limit { s.public_rate_limit = v; }
    if let Some(v) = b.demo_data { s.demo_data = v; }
    if let Some(v) = b.demo_records { s.demo_records = v; }
    if let Some(v) = b.site_licence { s.site_licence = v; }
    if let Some(v) = b.provider_name { s.provider_name = v; }
    if let Some(v) = b.captcha { s.captcha = v; }
    if let Some(v) = b.session_hours { s.session_hours = v; }
    if let Some(v) = b.secure_cookies { s.secure_cookies = v; }
    if let Some(v) = b.public_url { s.public_url = v; }
    let mut smtp_url = b.smtp_url;
    let mut smtp_from = b.smtp_from.unwrap_or_else(|| "noreply@localhost".into());
    let mut mail_dir = b.mail_dir;
    if let Some(v) = b.dev { s.dev = v; }
    let mut entity_verify = b.entity_verify;

    if let Some(v) = env_var("BEIAN_DB") { s.db = v; }
    s.db_user = env_var("BEIAN_DB_USER");
    s.db_pass = env_var("BEIAN_DB_PASS");
    if let Some(v) = env_var("BEIAN_PUBLIC_RATE_LIMIT") {
        s.public_rate_limit = v.trim().parse().map_err(|_| ConfigError::Env("BEIAN_PUBLIC_RATE_LIMIT", format!("expected a whole number, got {v:?}")))?;
    }
    if let Some(v) = env_var("BEIAN_DEMO_DATA") { s.demo_data = parse_bool("BEIAN_DEMO_DATA", &v)?; }
    if let Some(v) = env_var("BEIAN_DEMO_RECORDS") {
        s.demo_records = v.trim().parse().map_err(|_| ConfigError::Env("BEIAN_DEMO_RECORDS", format!("expected a whole number, got {v:?}")))?;
    }
    if let Some(v) = env_var("BEIAN_SITE_LICENCE") { s.site_licence = v; }
    if let Some(v) = env_var("BEIAN_PROVIDER_NAME") { s.provider_name = v; }
    if let Some(v) = env_var("BEIAN_CAPTCHA") { s.captcha = parse_bool("BEIAN_CAPTCHA", &v)?; }
    if let Some(v) = env_var("BEIAN_SESSION_HOURS") {
        s.session_hours = v.trim().parse().ok().filter(|h| *h > 0).ok_or_else(|| ConfigError::Env("BEIAN_SESSION_HOURS", format!("expected a whole number of hours, got {v:?}")))?;
    }
    if let Some(v) = env_var("BEIAN_SECURE_COOKIES") { s.secure_cookies = parse_bool("BEIAN_SECURE_COOKIES", &v)?; }
    if let Some(v) = env_var("BEIAN_PUBLIC_URL") { s.public_url = v; }
    if let Some(v) = env_var("BEIAN_SMTP_URL") { smtp_url = Some(v); }
    if let Some(v) = env_var("BEIAN_SMTP_FROM") { smtp_from = v; }
    if let Some(v) = env_var("BEIAN_MAIL_DIR") { mail_dir = Some(v); }
    if let Some(v) = env_var("BEIAN_DEV") { s.dev = parse_bool("BEIAN_DEV", &v)?; }
    if let Some(v) = env_var("BEIAN_ENTITY_VERIFY") { entity_verify = Some(v); }
    if let Some(v) = env_var("BEIAN_RATE_LIMITS") {
        match v.trim() {
            "off" => s.limits = std::sync::Arc::new(app::ssr::limits::Limits::off()),
            "on" => {}
            _ => return Err(ConfigError::Env("BEIAN_RATE_LIMITS", format!("expected on or off, got {v:?}"))),
        }
    }
    if let Some(v) = entity_verify {
        s.entity_verify = app::ssr::entity_proof::Method::parse(&v).ok_or_else(|| ConfigError::Env("BEIAN_ENTITY_VERIFY", format!("expected password or code, got {v:?}")))?;
    }
    if let Some(url) = smtp_url.filter(|u| !u.trim().is_empty()) {
        s.transport = app::ssr::outbox::Transport::smtp(&url, &smtp_from)
            .map_err(|e| ConfigError::Env("BEIAN_SMTP_URL", format!("expected smtp://user:pass@host:587?tls=required or smtps://…: {e}")))?;
        s.smtp_configured = true;
    } else if let Some(dir) = mail_dir.filter(|d| !d.trim().is_empty()) {
        s.transport = app::ssr::outbox::Transport::Dir(PathBuf::from(dir));
    }
    Ok((leptos, s))
}

/// Refuse settings that would expose a real deployment: demo accounts and
/// data on a site served over HTTPS or sending real mail.
pub fn check_safe(s: &Settings) -> Result<(), ConfigError> {
    if s.demo_data && (s.secure_cookies || s.smtp_configured) {
        return Err(ConfigError::Unsafe(
            "demo data (BEIAN_DEMO_DATA / --demo) is refused with secure cookies or an SMTP relay configured: that looks like a real deployment".into(),
        ));
    }
    if s.limits.is_off() && !s.dev {
        return Err(ConfigError::Unsafe("the account doors' rate limits may be switched off (BEIAN_RATE_LIMITS=off) only with the development switch (BEIAN_DEV=true)".into()));
    }
    if s.dev && (s.secure_cookies || s.smtp_configured) {
        return Err(ConfigError::Unsafe("the development switch (BEIAN_DEV) is refused with secure cookies or an SMTP relay configured".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_off_only_in_development() {
        let mut s = Settings { limits: std::sync::Arc::new(app::ssr::limits::Limits::off()), ..Settings::default() };
        assert!(check_safe(&s).is_err());
        s.dev = true;
        assert!(check_safe(&s).is_ok());
        s.secure_cookies = true;
        assert!(check_safe(&s).is_err());
    }

    #[test]
    fn built_in_file_parses() {
        let (leptos, s) = load_from("built-in", BUILT_IN).unwrap();
        assert_eq!(&*leptos.output_name, "beian");
        assert!(s.db.starts_with("surrealkv://"));
        // Safe by default: no demo data, no development switch.
        assert!(!s.demo_data);
        assert!(!s.dev);
    }
}

#[cfg(test)]
mod safety {
    use super::*;

    #[test]
    fn demo_data_is_refused_on_a_real_deployment() {
        let mut s = Settings { demo_data: true, ..Settings::default() };
        assert!(check_safe(&s).is_ok());
        s.secure_cookies = true;
        assert!(check_safe(&s).is_err());
        s.secure_cookies = false;
        s.smtp_configured = true;
        assert!(check_safe(&s).is_err());
    }
}
