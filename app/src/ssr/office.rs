//! The provider's back office (seed 001 §1.7.2–1.7.3): its approved
//! filings by any combination of conditions, one in full, and the same
//! result as a spreadsheet or CSV. Only websites with an active access of
//! this provider; another provider's servers are not this one's business.

use surrealdb::types::{RecordId, SurrealValue};

use super::guard::Ctx;
use crate::domain::review::review_rows;
use crate::domain::search::{self, day_end, day_start, FiledFilter, MAX_EXPORT, PAGE_SIZE};
use crate::domain::workflow::Role;
use crate::domain::filing::FilingForm;
use crate::error::AppError;
use crate::models::{FiledDetail, FiledPage, FiledRow};

const ROW_FIELDS: &str = "record::id(website) AS website, website.entity.unit_name AS unit_name, website.entity.nature AS nature, \
     website.entity.cert_number AS cert_number, website.entity.province AS province, website.entity.licence ?? '' AS main_licence, \
     website.licence ?? '' AS licence, website.name AS name, website.domains.*.unicode AS domains, ips, method, \
     website.content_types AS content_types, time::format(website.approved_at + 8h, '%Y-%m-%d') AS approved, website.approved_at AS approved_at";

/// The WHERE clause for a filter (values bound, never spliced in).
pub(crate) fn conditions(f: &FiledFilter) -> String {
    let mut c = vec![
        "provider_name = $p".to_string(),
        "status = 'active'".into(),
        "website.licence != NONE".into(),
        "website.status IN ['normal', 'limited']".into(),
    ];
    let mut add = |on: bool, s: &str| {
        if on {
            c.push(s.to_string());
        }
    };
    add(f.province.is_some(), "website.entity.province = $province");
    add(f.nature.is_some(), "website.entity.nature = $nature");
    add(f.name.is_some(), "string::contains(string::lowercase(website.entity.unit_name), $name)");
    add(f.cert.is_some(), "website.entity.cert_number = $cert");
    add(f.domain.is_some(), "string::contains(array::join(website.domains.*.ascii, ' ') + ' ' + string::lowercase(array::join(website.domains.*.unicode, ' ')), $domain)");
    // A 主体备案号 is the beginning of each of its websites' numbers.
    add(f.licence.is_some(), "string::contains(website.licence, $licence)");
    add(f.ip.is_some(), "string::contains(' ' + string::lowercase(array::join(ips, ' ')), ' ' + $ip)");
    add(f.method.is_some(), "method = $method");
    add(f.content.is_some(), "$content IN website.content_types");
    add(f.from.is_some(), "website.approved_at >= type::datetime($from)");
    add(f.to.is_some(), "website.approved_at <= type::datetime($to)");
    c.join(" AND ")
}

pub(crate) fn bind<'a>(q: surrealdb::method::Query<'a, surrealdb::engine::any::Any>, cx: &Ctx, f: &FiledFilter) -> surrealdb::method::Query<'a, surrealdb::engine::any::Any> {
    q.bind(("p", cx.settings.provider_name.clone()))
        .bind(("province", f.province.map(i64::from)))
        .bind(("nature", f.nature.map(i64::from)))
        .bind(("name", f.name.clone()))
        .bind(("cert", f.cert.clone()))
        .bind(("domain", f.domain.clone()))
        .bind(("licence", f.licence.clone()))
        .bind(("ip", f.ip.clone()))
        .bind(("method", f.method.map(i64::from)))
        .bind(("content", f.content.map(i64::from)))
        .bind(("from", f.from.map(day_start)))
        .bind(("to", f.to.map(day_end)))
}

fn staff_only(cx: &Ctx) -> Result<(), AppError> {
    if cx.me()?.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// One page of approved filings matching the conditions, newest approval first.
pub async fn search(cx: &Ctx, q: &search::FiledQuery) -> Result<FiledPage, AppError> {
    staff_only(cx)?;
    let f = search::check(q).map_err(AppError::Invalid)?;
    let cond = conditions(&f);
    let query = format!(
        "SELECT {ROW_FIELDS} FROM access WHERE {cond} ORDER BY approved_at DESC LIMIT {PAGE_SIZE} START {};
         (SELECT count() AS n FROM access WHERE {cond} GROUP ALL)[0].n ?? 0;",
        f.offset()
    );
    let mut res = bind(cx.db.query(query), cx, &f).await?.check()?;
    let rows: Vec<FiledRow> = res.take(0)?;
    let total: Option<u64> = res.take(1)?;
    let total = total.unwrap_or(0);
    let pages = u32::try_from(total.div_ceil(u64::from(PAGE_SIZE))).unwrap_or(u32::MAX).max(1);
    Ok(FiledPage { rows, total, page: f.page, pages })
}

/// Every match (at most [`MAX_EXPORT`]), for an export; the second value
/// says whether there were more.
pub async fn export_rows(cx: &Ctx, q: &search::FiledQuery) -> Result<(Vec<FiledRow>, bool), AppError> {
    staff_only(cx)?;
    let f = search::check(q).map_err(AppError::Invalid)?;
    let query = format!("SELECT {ROW_FIELDS} FROM access WHERE {} ORDER BY approved_at DESC LIMIT {};", conditions(&f), MAX_EXPORT + 1);
    let mut res = bind(cx.db.query(query), cx, &f).await?.check()?;
    let mut rows: Vec<FiledRow> = res.take(0)?;
    let more = rows.len() > MAX_EXPORT;
    rows.truncate(MAX_EXPORT);
    Ok((rows, more))
}

#[derive(SurrealValue)]
struct DetailHead {
    entity: RecordId,
    licence: String,
    main_licence: String,
    unit_name: String,
    approved: String,
    status: String,
    method: i64,
    ips: Vec<String>,
    server_province: i64,
}

/// One approved website of this provider in full: its entity, itself and
/// this provider's access.
pub async fn detail(cx: &Ctx, website: &str) -> Result<FiledDetail, AppError> {
    staff_only(cx)?;
    if !super::application::key_ok(website) {
        return Err(AppError::NotFound);
    }
    let wid = RecordId::new("website", website);
    let mut res = cx
        .db
        .query(
            "SELECT website.entity AS entity, website.licence ?? '' AS licence, website.entity.licence ?? '' AS main_licence, website.entity.unit_name AS unit_name,
                 time::format(website.approved_at + 8h, '%Y-%m-%d') AS approved, website.status AS status, method, ips, server_province
             FROM access WHERE website = $w AND provider_name = $p AND status = 'active' AND website.licence != NONE AND website.status IN ['normal', 'limited'] LIMIT 1",
        )
        .bind(("w", wid.clone()))
        .bind(("p", cx.settings.provider_name.clone()))
        .await?
        .check()?;
    let head: Option<DetailHead> = res.take(0)?;
    let Some(head) = head else { return Err(AppError::NotFound) };
    let entity = super::filings::entity_form(&cx.db, &head.entity).await?.ok_or(AppError::NotFound)?;
    let mut site = super::filings::website_form(&cx.db, &wid, &cx.settings, &entity.leader).await?.ok_or(AppError::NotFound)?;
    site.access.method = head.method.to_string();
    site.access.ips = head.ips.join("\n");
    site.access.server_province = head.server_province.to_string();
    let form = FilingForm { entity, websites: vec![site] };
    Ok(FiledDetail {
        website: website.to_string(),
        licence: head.licence,
        main_licence: head.main_licence,
        unit_name: head.unit_name,
        approved: head.approved,
        status: head.status,
        rows: review_rows(&form),
    })
}
