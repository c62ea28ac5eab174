//! The public query against the `public_record` read model.

use surrealdb::types::SurrealValue;

use super::db::Db;
use crate::domain::codes::{content_type, nature};
use crate::domain::lookup::{Lookup, MAX_COUNT};
use crate::models::{PublicRecord, RecordPage};

/// The columns the query shows; times in Beijing time (UTC+8).
const COLUMNS: &str = "unit_name, nature, main_licence, service_licence, service_name, home_url, \
     domains_unicode, content_types, limit_access, \
     time::format(approved_at + 8h, '%Y-%m-%d %H:%M:%S') AS approved";

#[derive(Debug, SurrealValue)]
struct Row {
    unit_name: String,
    nature: i64,
    main_licence: String,
    service_licence: String,
    service_name: String,
    home_url: String,
    domains_unicode: Vec<String>,
    content_types: Vec<i64>,
    limit_access: bool,
    approved: String,
}

#[derive(Debug, SurrealValue)]
pub struct CountRow {
    pub count: i64,
}

impl From<Row> for PublicRecord {
    fn from(r: Row) -> Self {
        let nature_id = u8::try_from(r.nature).unwrap_or(0);
        let content = r
            .content_types
            .iter()
            .filter_map(|id| u8::try_from(*id).ok().and_then(content_type))
            .map(|t| t.zh)
            .collect::<Vec<_>>()
            .join("、");
        PublicRecord {
            unit_name: r.unit_name,
            nature_name: nature(nature_id).map(|n| n.name.zh.to_string()).unwrap_or_default(),
            nature_id,
            main_licence: r.main_licence,
            service_licence: r.service_licence,
            service_name: r.service_name,
            home_url: r.home_url,
            domain: r.domains_unicode.first().cloned().unwrap_or_default(),
            domains: r.domains_unicode,
            content_type_name: content,
            limit_access: if r.limit_access { "是" } else { "否" }.to_string(),
            update_record_time: r.approved,
        }
    }
}

/// Find filed websites. Exact lookups (domain, numbers) use their indexes;
/// a name uses the full-text index (bigrams) and then an exact substring
/// check, counted up to [`MAX_COUNT`].
pub async fn search(db: &Db, lookup: &Lookup, page: u32, size: u32) -> Result<RecordPage, surrealdb::Error> {
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
        Lookup::Name(n) => (
            "",
            "public_record",
            "unit_name @@ $grams AND string::contains(string::lowercase(unit_name), string::lowercase($v))",
            n.clone(),
        ),
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
