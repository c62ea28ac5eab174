//! The public query against the `public_record` read model.

use surrealdb::types::SurrealValue;

use super::db::Db;
use crate::domain::codes::{content_type, nature};
use crate::domain::lookup::{Lookup, ServiceKind, MAX_COUNT};
use crate::models::{PublicRecord, RecordPage};

/// The columns the query shows, with the record's key and ASCII domains for
/// the in-memory index; times in Beijing time (UTC+8).
pub(crate) const COLUMNS: &str = "record::id(id) AS key, unit_name, nature, main_licence, service_licence, service_name, home_url, \
     domains, domains_unicode, content_types, limit_access, service_type ?? 1 AS service_type, packages ?? [] AS packages, app_name ?? '' AS app_name, \
     time::format(approved_at + 8h, '%Y-%m-%d %H:%M:%S') AS approved";

#[derive(Debug, SurrealValue)]
pub(crate) struct Row {
    pub key: String,
    unit_name: String,
    nature: i64,
    main_licence: String,
    service_licence: String,
    service_name: String,
    home_url: String,
    pub domains: Vec<String>,
    domains_unicode: Vec<String>,
    content_types: Vec<i64>,
    limit_access: bool,
    service_type: i64,
    pub packages: Vec<String>,
    pub app_name: String,
    approved: String,
}

#[derive(Debug, SurrealValue)]
pub struct CountRow {
    pub count: i64,
}

/// A public record as held in memory (see [`super::read_model`]): compact,
/// turned into the answer's shape on the way out.
#[derive(Debug)]
pub(crate) struct Entry {
    pub unit_name: Box<str>,
    nature: u8,
    pub main_licence: Box<str>,
    pub service_licence: Box<str>,
    service_name: Box<str>,
    home_url: Box<str>,
    /// Unicode, the main one first.
    domains: Box<[Box<str>]>,
    content_types: Box<[u8]>,
    limit_access: bool,
    /// MIIT's serviceType: 1 网站, 6 APP.
    pub service_type: u8,
    /// An APP's package names (lower-case).
    pub packages: Box<[Box<str>]>,
    approved: Box<str>,
}

impl From<Row> for Entry {
    fn from(r: Row) -> Self {
        Entry {
            unit_name: r.unit_name.into(),
            nature: u8::try_from(r.nature).unwrap_or(0),
            main_licence: r.main_licence.into(),
            service_licence: r.service_licence.into(),
            service_name: r.service_name.into(),
            home_url: r.home_url.into(),
            domains: r.domains_unicode.into_iter().map(String::into_boxed_str).collect(),
            content_types: r.content_types.iter().filter_map(|id| u8::try_from(*id).ok()).collect(),
            limit_access: r.limit_access,
            service_type: u8::try_from(r.service_type).unwrap_or(1),
            packages: r.packages.into_iter().map(String::into_boxed_str).collect(),
            approved: r.approved.into(),
        }
    }
}

impl Entry {
    pub(crate) fn to_public(&self) -> PublicRecord {
        let content = self.content_types.iter().filter_map(|id| content_type(*id)).map(|t| t.zh).collect::<Vec<_>>().join("、");
        PublicRecord {
            unit_name: self.unit_name.to_string(),
            nature_name: nature(self.nature).map(|n| n.name.zh.to_string()).unwrap_or_default(),
            nature_id: self.nature,
            main_licence: self.main_licence.to_string(),
            service_licence: self.service_licence.to_string(),
            service_name: self.service_name.to_string(),
            home_url: self.home_url.to_string(),
            domain: self.domains.first().map(|d| d.to_string()).unwrap_or_default(),
            domains: self.domains.iter().map(|d| d.to_string()).collect(),
            content_type_name: content,
            limit_access: if self.limit_access { "是" } else { "否" }.to_string(),
            update_record_time: self.approved.to_string(),
            service_type: self.service_type,
            package_names: self.packages.iter().map(|p| p.to_string()).collect(),
        }
    }
}

impl From<Row> for PublicRecord {
    fn from(r: Row) -> Self {
        Entry::from(r).to_public()
    }
}

/// Find filed websites: from the in-memory index when it is loaded,
/// otherwise from the database (same answers).
pub async fn find(index: &super::read_model::PublicIndex, db: &Db, lookup: &Lookup, kind: Option<ServiceKind>, page: u32, size: u32) -> Result<RecordPage, surrealdb::Error> {
    match index.search(lookup, kind, page, size) {
        Some(found) => Ok(found),
        None => search(db, lookup, kind, page, size).await,
    }
}

/// Find filed websites in the database. Exact lookups (domain, numbers) use their indexes;
/// a name uses the full-text index (bigrams) and then an exact substring
/// check, counted up to [`MAX_COUNT`].
pub async fn search(db: &Db, lookup: &Lookup, kind: Option<ServiceKind>, page: u32, size: u32) -> Result<RecordPage, surrealdb::Error> {
    // A domain goes through `domain_claim` (one UNIQUE index entry per
    // domain) to the website's public record, which shares its key.
    let (prelude, source, condition, value) = match lookup {
        Lookup::Domain(d) => (
            "LET $ids = (SELECT VALUE type::record('public_record', record::id(website)) FROM domain_claim WHERE domain = $v AND website != NONE);",
            "$ids",
            "true",
            d.clone(),
        ),
        Lookup::EntityLicence(l) => ("", "public_record", "main_licence = $v", l.clone()),
        Lookup::ServiceLicence(l) => ("", "public_record", "service_licence = $v", l.clone()),
        // A name is the entity's or an APP's (each full-text indexed).
        Lookup::Name(n) => (
            "",
            "public_record",
            "((unit_name @1@ $grams AND string::contains(string::lowercase(unit_name), string::lowercase($v))) OR (app_name @2@ $grams AND string::contains(string::lowercase(app_name), string::lowercase($v))))",
            n.clone(),
        ),
        Lookup::Package(p) => ("", "public_record", "packages CONTAINS $v", p.clone()),
    };
    let condition = match kind {
        // Rows written before schema 010 have no service_type: websites.
        Some(k) => format!("{condition} AND (service_type ?? 1) = {}", k.service_type()),
        None => condition.to_string(),
    };
    let grams = match lookup {
        Lookup::Name(n) => crate::domain::lookup::name_bigrams(n).join(" "),
        _ => String::new(),
    };
    let start = (page.saturating_sub(1) as u64) * u64::from(size);
    // Exact lookups are ordered by number; a broad name search is returned in
    // index order so that a page never has to sort every match.
    let order = match lookup {
        Lookup::Name(_) => "",
        _ => "ORDER BY service_licence",
    };
    let sql = format!(
        "{prelude}
         SELECT count() FROM (SELECT id FROM {source} WHERE {condition} LIMIT $cap) GROUP ALL;
         SELECT {COLUMNS} FROM {source} WHERE {condition} {order} LIMIT $size START $start;"
    );
    let first = usize::from(!prelude.is_empty());
    let mut res = db
        .query(sql)
        .bind(("v", value))
        .bind(("grams", grams))
        .bind(("cap", (MAX_COUNT + 1) as i64))
        .bind(("size", i64::from(size)))
        .bind(("start", start as i64))
        .await?
        .check()?;
    let counts: Vec<CountRow> = res.take(first)?;
    let rows: Vec<Row> = res.take(first + 1)?;
    let counted = counts.first().map(|c| c.count.max(0) as u64).unwrap_or(0);
    Ok(RecordPage {
        total: counted.min(MAX_COUNT),
        total_exact: counted <= MAX_COUNT,
        page,
        size,
        items: rows.into_iter().map(PublicRecord::from).collect(),
    })
}

/// What the public query page shows, found before it is rendered (see
/// `app::pages::public::query::QueryPage`): the search's answer and the
/// certificate check's, with the HTTP status the page answers with.
#[derive(Debug, Clone)]
pub struct QueryAnswers {
    pub found: Result<Option<RecordPage>, crate::error::AppError>,
    pub checked: Result<Option<(String, Option<crate::models::CertificateCheck>)>, crate::error::AppError>,
    /// 违法违规查询 (`bl=`).
    pub violation: Result<Option<crate::models::ViolationAnswer>, crate::error::AppError>,
    pub status: u16,
}

/// The answers for `/query?q=…&page=…&type=…&cert=…`, checked by the same
/// rules as the server functions behind the page (`search_records`,
/// `verify_certificate`).
pub async fn answers(state: &super::AppState, q: Option<&str>, page: Option<&str>, kind: Option<&str>, cert: Option<&str>, bl: Option<&str>) -> QueryAnswers {
    use crate::domain::lookup::{page_window, parse_lookup, DEFAULT_PAGE_SIZE};
    use crate::error::AppError;
    let mut status = 200;
    let found = match q {
        None => Ok(None),
        Some(q) => {
            let page = page.and_then(|p| p.parse::<u32>().ok());
            let kind = kind.filter(|k| !k.is_empty());
            match parse_lookup(q).and_then(|lookup| Ok((lookup, page_window(page, Some(DEFAULT_PAGE_SIZE))?, ServiceKind::parse_filter(kind)?))) {
                Err(problem) => {
                    status = 400;
                    Err(AppError::from(problem))
                }
                Ok((lookup, (page, size), kind)) => match find(&state.public, &state.db, &lookup, kind, page, size).await {
                    Ok(found) => Ok(Some(found)),
                    Err(e) => {
                        status = 500;
                        tracing::error!(error = %e, "public search failed");
                        Err(AppError::from(e))
                    }
                },
            }
        }
    };
    let checked = match cert {
        None => Ok(None),
        Some(c) if c.chars().count() > 64 => Err(AppError::BadRequest(crate::domain::Message::new("验证码过长", "The code is too long"))),
        Some(c) => super::certificate::verify(&state.db, c).await.map(|found| Some((c.to_string(), found))),
    };
    let violation = match bl {
        None => Ok(None),
        Some(v) => super::blacklist::public_lookup(&state.db, v).await.map(Some),
    };
    if matches!(violation, Err(AppError::BadRequest(_))) && status == 200 {
        status = 400;
    }
    QueryAnswers { found, checked, violation, status }
}
