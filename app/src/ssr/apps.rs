//! What only the server can check of an APP (issue 14): that its icon is an
//! icon uploaded to this filing (or the one already filed, for a 变更), and
//! that every domain it uses is filed by the same entity or filed in this
//! filing too (domain.md §1.2: "用到哪级备哪级"). The field rules themselves
//! are in `domain::app` and `domain::filing`, run in the browser and again
//! here by `check_until`.

use surrealdb::types::{RecordId, SurrealValue};

use super::application::AppRow;
use super::db::Db;
use crate::domain::app::{check_package, Platform, MAX_PLATFORMS};
use crate::domain::filing::{fields, filing_domains, parsed_domains, FilingForm, MaterialKind, MAX_DOMAINS, MAX_WEBSITES};
use crate::domain::{FieldErrors, Problem};
use crate::error::AppError;
use crate::models::MaterialInfo;

#[derive(SurrealValue)]
struct Owner {
    entity: Option<RecordId>,
    status: Option<String>,
}

/// The errors of this filing's APPs that need the database (none for a
/// filing without APPs, without a query).
pub async fn check(db: &Db, row: &AppRow, form: &FilingForm, files: &[MaterialInfo]) -> Result<FieldErrors, AppError> {
    let mut errors = FieldErrors::new();
    if !form.websites.iter().any(|w| w.is_app()) {
        return Ok(errors);
    }
    let here = filing_domains(form);
    let before = row.before().ok().flatten();
    // The icons of the filed services this filing is about (a 新增接入 or a 变更 keeps its APP's).
    let mut res = db.query("SELECT VALUE record::id(icon) FROM $ws WHERE icon != NONE").bind(("ws", row.websites.clone())).await?.check()?;
    let filed_icons: Vec<String> = res.take(0)?;
    // More services than a filing holds are refused by the field rules; none are looked up.
    for (i, w) in form.websites.iter().enumerate().take(MAX_WEBSITES).filter(|(_, w)| w.is_app()) {
        let icon = w.icon.trim();
        let uploaded = files.iter().any(|m| m.id == icon && m.kind == MaterialKind::AppIcon.code());
        let filed = !icon.is_empty() && (before.as_ref().and_then(|b| b.websites.get(i)).is_some_and(|b| b.icon.trim() == icon) || filed_icons.iter().any(|f| f == icon));
        if !icon.is_empty() && !uploaded && !filed {
            errors.push(Problem::new("app.icon.missing", "APP图标已失效，请重新上传", "the APP's icon is gone; upload it again").at_index(fields::APP_ICON, i));
        }
        // A package filed already (by anyone, as another service) is not filed again.
        let mut packages: Vec<String> = w.platforms.iter().take(MAX_PLATFORMS).filter_map(|p| {
            let platform = Platform::from_code(&p.platform)?;
            check_package(platform, &p.package).ok().map(|x| x.to_ascii_lowercase())
        }).collect();
        packages.sort();
        packages.dedup();
        for p in packages {
            let mut res = db
                .query("SELECT VALUE licence FROM website WHERE platforms[*].package CONTAINS $p AND status != 'cancelled' AND id NOT IN $ws LIMIT 1")
                .bind(("p", p.clone()))
                .bind(("ws", row.websites.clone()))
                .await?
                .check()?;
            let taken: Vec<Option<String>> = res.take(0)?;
            if let Some(licence) = taken.into_iter().next() {
                let licence = licence.unwrap_or_default();
                errors.push(crate::domain::FieldError {
                    path: format!("websites[{i}].platforms"),
                    label: crate::domain::Message::new("APP平台", "Platforms"),
                    code: "app.package.filed".into(),
                    message: crate::domain::Message::new(
                        format!("包名 {p} 的APP已备案（{licence}），不能再次备案；如需修改请办理变更"),
                        format!("An APP with the package {p} is filed already ({licence}); file a change instead"),
                    ),
                });
                break;
            }
        }
        let mut used = parsed_domains(w);
        used.dedup_by(|a, b| a.ascii == b.ascii);
        for d in used.into_iter().take(MAX_DOMAINS) {
            if here.contains(&d.ascii) {
                continue;
            }
            let mut res = db
                .query("SELECT website.entity AS entity, website.status AS status FROM domain_claim WHERE domain = $d AND website != NONE LIMIT 1")
                .bind(("d", d.ascii.clone()))
                .await?
                .check()?;
            let owner: Vec<Owner> = res.take(0)?;
            let ours = owner.first().is_some_and(|o| o.entity.is_some() && o.entity == row.entity && o.status.as_deref() != Some("cancelled"));
            if !ours {
                errors.push(
                    Problem::new(
                        "app.domain.unfiled",
                        format!("域名 {} 不是本主体已备案的域名。APP使用的域名须已由本主体备案，或作为网站在本次一并备案", d.unicode),
                        format!("{} is not a domain this entity has filed. An APP's domains must be filed by the same entity, or filed as a website in this filing", d.unicode),
                    )
                    .at_index(fields::APP_DOMAINS, i),
                );
                break;
            }
        }
    }
    Ok(errors)
}
