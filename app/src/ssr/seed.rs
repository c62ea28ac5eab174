//! Realistic approved filings for demos and benchmarks: valid check digits,
//! every province, entity numbers from each province's counter, websites
//! numbered …号-1, -2, and the public read model, all in batched transactions.

use std::collections::HashMap;

use surrealdb::types::{Datetime, RecordId, SurrealValue};

use super::db::Db;
use crate::domain::codes::{NATURE_PERSONAL, PROVINCES};
use crate::domain::licence::EntityLicence;
use crate::domain::org_id::{org_check_char, uscc_check_char};
use crate::domain::personal_id::id_check_char;

/// A small, fast, deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub(crate) const BRAND: [&str; 40] = [
    "星河", "云帆", "远景", "蓝海", "新锐", "华信", "恒通", "智源", "博达", "天润", "泰和", "明德", "长风", "青禾", "锦程",
    "众合", "启航", "鸿运", "卓越", "瑞丰", "宏图", "盛世", "金桥", "银河", "东升", "凯旋", "鼎新", "思远", "嘉禾", "润泽",
    "汇智", "优创", "睿思", "天工", "安信", "和光", "朗悦", "清源", "晨曦", "向阳",
];
pub(crate) const BRAND_PINYIN: [&str; 40] = [
    "xinghe", "yunfan", "yuanjing", "lanhai", "xinrui", "huaxin", "hengtong", "zhiyuan", "boda", "tianrun", "taihe",
    "mingde", "changfeng", "qinghe", "jincheng", "zhonghe", "qihang", "hongyun", "zhuoyue", "ruifeng", "hongtu",
    "shengshi", "jinqiao", "yinhe", "dongsheng", "kaixuan", "dingxin", "siyuan", "jiahe", "runze", "huizhi", "youchuang",
    "ruisi", "tiangong", "anxin", "heguang", "langyue", "qingyuan", "chenxi", "xiangyang",
];
pub(crate) const TRADE: [(&str, &str); 10] = [
    ("网络科技", "官网"),
    ("信息技术", "官方网站"),
    ("科技", "官网"),
    ("文化传媒", "官网"),
    ("电子商务", "商城"),
    ("软件", "产品中心"),
    ("数据服务", "官网"),
    ("智能设备", "官方商城"),
    ("餐饮管理", "官网"),
    ("物流", "服务平台"),
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "志强", "晓东", "雨桐",
    "子涵", "浩然", "思琪", "俊杰", "欣怡",
];
const PERSONAL_TOPICS: [&str; 8] = ["摄影日记", "读书笔记", "旅行手记", "美食记录", "技术笔记", "学习札记", "生活随笔", "编程手记"];
const TLDS: [&str; 6] = ["com", "cn", "com.cn", "net", "net.cn", "org.cn"];

#[derive(Debug, Clone, SurrealValue)]
struct LeaderRow {
    name: String,
    cert_type: i64,
    cert_number: String,
    mobile: String,
    email: String,
}

#[derive(Debug, Clone, SurrealValue)]
struct EntityRow {
    id: RecordId,
    unit_name: String,
    nature: i64,
    cert_type: i64,
    cert_number: String,
    province: i64,
    city: String,
    county: String,
    address: String,
    investor: String,
    leader: LeaderRow,
    licence: String,
    licence_year: i64,
    licence_seq: i64,
    next_service_no: i64,
    status: String,
    approved_at: Datetime,
}

#[derive(Debug, Clone, SurrealValue)]
struct DomainRow {
    ascii: String,
    unicode: String,
}

#[derive(Debug, Clone, SurrealValue)]
struct WebsiteRow {
    id: RecordId,
    entity: RecordId,
    name: String,
    domains: Vec<DomainRow>,
    home_urls: Vec<String>,
    content_types: Vec<i64>,
    leader: LeaderRow,
    licence: String,
    service_no: i64,
    status: String,
    approved_at: Datetime,
}

#[derive(Debug, Clone, SurrealValue)]
struct AccessRow {
    website: RecordId,
    provider_name: String,
    method: i64,
    ips: Vec<String>,
    server_province: i64,
    status: String,
}

#[derive(Debug, Clone, SurrealValue)]
struct ClaimRow {
    domain: String,
    website: RecordId,
}

#[derive(Debug, Clone, SurrealValue)]
struct PublicRow {
    id: RecordId,
    website: RecordId,
    entity: RecordId,
    unit_name: String,
    nature: i64,
    main_licence: String,
    service_licence: String,
    service_name: String,
    home_url: String,
    domains: Vec<String>,
    domains_unicode: Vec<String>,
    content_types: Vec<i64>,
    limit_access: bool,
    province: i64,
    approved_at: Datetime,
    updated_at: Datetime,
}

#[derive(Debug, SurrealValue)]
struct CounterRow {
    last: i64,
}

#[derive(Default)]
struct Batch {
    entities: Vec<EntityRow>,
    websites: Vec<WebsiteRow>,
    access: Vec<AccessRow>,
    claims: Vec<ClaimRow>,
    public: Vec<PublicRow>,
}

pub(crate) fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

pub(crate) fn uscc(rng: &mut Rng, province: u8) -> String {
    const ALPHA: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    loop {
        let body: String = (0..8).map(|_| ALPHA[rng.below(31) as usize] as char).collect();
        let Some(org_check) = org_check_char(&body) else { continue };
        let first17 = format!("91{province:02}{:02}{:02}{body}{org_check}", 1 + rng.below(9), 1 + rng.below(15));
        if let Some(check) = uscc_check_char(&first17) {
            return format!("{first17}{check}");
        }
    }
}

pub(crate) fn resident_id(rng: &mut Rng, province: u8) -> String {
    let year = 1960 + rng.below(45);
    let first17 = format!(
        "{province:02}{:02}{:02}{year:04}{:02}{:02}{:03}",
        1 + rng.below(9),
        1 + rng.below(15),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(1000)
    );
    format!("{first17}{}", id_check_char(&first17))
}

pub(crate) fn mobile(rng: &mut Rng) -> String {
    format!("1{}{:09}", 3 + rng.below(7), rng.below(1_000_000_000))
}

pub(crate) fn public_ip(rng: &mut Rng) -> String {
    // Inside 1.0.0.0–99.255.255.255 minus the private 10/8: always public.
    let first = loop {
        let f = 1 + rng.below(99);
        if f != 10 {
            break f;
        }
    };
    format!("{first}.{}.{}.{}", rng.below(256), rng.below(256), 1 + rng.below(254))
}

fn datetime(year: u16, rng: &mut Rng) -> Datetime {
    // Seconds from 1970 to 1 January of `year`, then a random moment in the year.
    let days = (1970..year).map(|y| if crate::domain::date::is_leap_year(y) { 366 } else { 365 }).sum::<i64>();
    // Never in the future: this year's filings fall between 1 January and now.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(i64::MAX);
    let span = (now - days * 86_400).clamp(86_400, 360 * 86_400);
    let secs = days * 86_400 + rng.below(span as u64) as i64;
    Datetime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Generate one filing (entity, its websites, their access) into the batch.
fn generate(rng: &mut Rng, run: &str, index: u64, seq: u32, province: u8, provider: &str, now_year: u16, batch: &mut Batch) {
    let key = format!("{run}{}", base36(index));
    let entity_id = RecordId::new("entity", key.clone());
    let roll = rng.below(100);
    let nature_id: u8 = match roll {
        0..=59 => 4,
        60..=89 => NATURE_PERSONAL,
        90..=94 => 3,
        95..=97 => 6,
        _ => 7,
    };
    let brand_index = rng.below(BRAND.len() as u64) as usize;
    let (brand, pinyin) = (BRAND[brand_index], BRAND_PINYIN[brand_index]);
    let (trade, site_suffix) = *rng.pick(&TRADE);
    let province_info = PROVINCES.iter().find(|p| p.code == province).copied().unwrap_or(PROVINCES[0]);
    let city = province_info.name.zh;
    let person = format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
    let (unit_name, cert_type, cert_number) = match nature_id {
        NATURE_PERSONAL => (person.clone(), 1, resident_id(rng, province)),
        3 => (format!("{city}市{brand}信息中心"), 16, uscc(rng, province)),
        6 => (format!("{city}{brand}协会"), 17, uscc(rng, province)),
        7 => (format!("{city}{brand}研究院"), 18, uscc(rng, province)),
        _ => (format!("{city}{brand}{trade}有限公司"), 12, uscc(rng, province)),
    };
    let year = 2005 + rng.below(u64::from(now_year - 2005) + 1) as u16;
    let licence = EntityLicence::new(province, year, seq);
    let approved = datetime(year, rng);
    let leader = LeaderRow {
        name: person.clone(),
        cert_type: 1,
        cert_number: resident_id(rng, province),
        mobile: mobile(rng),
        email: format!("{pinyin}{}@example.com", base36(index)),
    };
    let sites = match rng.below(100) {
        0..=79 => 1,
        80..=94 => 2,
        _ => 3,
    };
    for n in 1..=sites {
        let website_id = RecordId::new("website", format!("{key}_{n}"));
        let tld = rng.pick(&TLDS);
        let domain = format!("{pinyin}{run}{}{}.{tld}", base36(index), if n > 1 { format!("-{n}") } else { String::new() });
        let name = if nature_id == NATURE_PERSONAL {
            format!("{person}的{}", rng.pick(&PERSONAL_TOPICS))
        } else if n == 1 {
            format!("{brand}{site_suffix}")
        } else {
            format!("{brand}{}", ["客户服务中心", "产品展示中心", "招聘中心"][(n as usize) % 3])
        };
        let content_types = if nature_id == NATURE_PERSONAL { vec![3] } else { vec![*rng.pick(&[1i64, 2, 5, 14])] };
        let service_licence = licence.website(n).format();
        let home = format!("www.{domain}");
        batch.websites.push(WebsiteRow {
            id: website_id.clone(),
            entity: entity_id.clone(),
            name: name.clone(),
            domains: vec![DomainRow { ascii: domain.clone(), unicode: domain.clone() }],
            home_urls: vec![home.clone()],
            content_types: content_types.clone(),
            leader: leader.clone(),
            licence: service_licence.clone(),
            service_no: i64::from(n),
            status: "normal".into(),
            approved_at: approved.clone(),
        });
        batch.access.push(AccessRow {
            website: website_id.clone(),
            provider_name: provider.to_string(),
            method: *rng.pick(&[2i64, 3]),
            ips: vec![public_ip(rng)],
            server_province: i64::from(province),
            status: "active".into(),
        });
        batch.claims.push(ClaimRow { domain: domain.clone(), website: website_id.clone() });
        batch.public.push(PublicRow {
            id: RecordId::new("public_record", format!("{key}_{n}")),
            website: website_id,
            entity: entity_id.clone(),
            unit_name: unit_name.clone(),
            nature: i64::from(nature_id),
            main_licence: licence.format(),
            service_licence,
            service_name: name,
            home_url: home,
            domains: vec![domain.clone()],
            domains_unicode: vec![domain],
            content_types,
            limit_access: false,
            province: i64::from(province),
            approved_at: approved.clone(),
            updated_at: approved.clone(),
        });
    }
    batch.entities.push(EntityRow {
        id: entity_id,
        unit_name,
        nature: i64::from(nature_id),
        cert_type,
        cert_number,
        province: i64::from(province),
        city: format!("{province:02}0100"),
        county: format!("{province:02}0102"),
        address: format!("{city}{}路{}号", brand, 1 + rng.below(300)),
        investor: person,
        leader,
        licence: licence.format(),
        licence_year: i64::from(year),
        licence_seq: i64::from(seq),
        next_service_no: i64::from(sites + 1),
        status: "normal".into(),
        approved_at: approved,
    });
}

/// The counter key of a province's 主体 sequence.
pub fn licence_counter(province: u8) -> RecordId {
    RecordId::new("counter", format!("licence_{province:02}"))
}

async fn read_counters(db: &Db) -> Result<HashMap<u8, u32>, surrealdb::Error> {
    let mut counters = HashMap::new();
    for p in PROVINCES {
        let mut res = db.query("SELECT last FROM ONLY $id").bind(("id", licence_counter(p.code))).await?;
        let row: Option<CounterRow> = res.take(0)?;
        counters.insert(p.code, row.map(|r| r.last.max(0) as u32).unwrap_or(0));
    }
    Ok(counters)
}

async fn write_batch(db: Db, batch: Batch) -> Result<u64, surrealdb::Error> {
    let websites = batch.websites.len() as u64;
    db.query("BEGIN TRANSACTION")
        .query("INSERT INTO entity $entities RETURN NONE")
        .query("INSERT INTO website $websites RETURN NONE")
        .query("INSERT INTO access $access_rows RETURN NONE")
        .query("INSERT INTO domain_claim $claims RETURN NONE")
        .query("INSERT INTO public_record $public RETURN NONE")
        .query("COMMIT TRANSACTION")
        .bind(("entities", batch.entities))
        .bind(("websites", batch.websites))
        .bind(("access_rows", batch.access))
        .bind(("claims", batch.claims))
        .bind(("public", batch.public))
        .await?
        .check()?;
    Ok(websites)
}

/// Filings per transaction.
pub const BATCH: u64 = 1000;
/// Transactions written at once (batches share no key: the numbers are
/// reserved first). Two, one per core of these machines: 20 000 filings in
/// 12.5–16.7 s instead of 27–28 s; three or four are slower (docs/performance.md).
pub const WRITERS: usize = 2;

/// Seed `count` approved filings; returns how many websites were written.
/// `progress` is called after each batch with the number of filings done.
///
/// Every province's 主体 numbers are reserved first, in one transaction: a
/// seed stopped half-way leaves a gap in the numbers, never a number given
/// twice.
pub async fn seed(db: &Db, count: u64, seed: u64, provider: &str, now_year: u16, progress: impl FnMut(u64)) -> Result<u64, surrealdb::Error> {
    seed_in_batches(db, count, seed, provider, now_year, BATCH, WRITERS, progress).await
}

/// [`seed`] with `batch` filings to a transaction and `writers` transactions at once.
#[allow(clippy::too_many_arguments)]
pub async fn seed_in_batches(db: &Db, count: u64, seed: u64, provider: &str, now_year: u16, batch: u64, writers: usize, mut progress: impl FnMut(u64)) -> Result<u64, surrealdb::Error> {
    use futures::stream::{self, StreamExt};
    let per = batch.max(1);

    let mut rng = Rng::new(seed);
    // A per-run tag keeps domains and ids of separate runs apart.
    let run = base36(rng.below(36u64.pow(3)) + 36u64.pow(3) * (1 + rng.below(25)));
    let mut provinces_rng = Rng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let provinces: Vec<u8> = (0..count).map(|_| PROVINCES[provinces_rng.below(PROVINCES.len() as u64) as usize].code).collect();
    let mut counters = read_counters(db).await?;
    let mut reserved = counters.clone();
    for p in &provinces {
        *reserved.entry(*p).or_insert(0) += 1;
    }
    let mut q = db.query("BEGIN TRANSACTION");
    for (province, value) in &reserved {
        q = q.query(format!("UPSERT counter:licence_{province:02} SET last = math::max([last ?? 0, {value}]) RETURN NONE"));
    }
    q.query("COMMIT TRANSACTION").await?.check()?;

    let batches = (0..count).step_by(per as usize).map(move |from| {
        let mut batch = Batch::default();
        for i in from..(from + per).min(count) {
            let province = provinces[i as usize];
            let seq = counters.entry(province).or_insert(0);
            *seq += 1;
            generate(&mut rng, &run, i, *seq, province, provider, now_year, &mut batch);
        }
        (batch.entities.len() as u64, batch)
    });
    let mut done = 0;
    let mut websites = 0;
    let mut written = stream::iter(batches)
        // Spawned: the embedded engine runs a query on the task that awaits
        // it, so writers polled by this one task would take turns on one core.
        .map(|(filings, batch)| {
            let db = db.clone();
            tokio::spawn(async move { write_batch(db, batch).await.map(|w| (filings, w)) })
        })
        .buffer_unordered(writers.max(1));
    while let Some(joined) = written.next().await {
        let (filings, w) = joined.map_err(|e| surrealdb::Error::internal(format!("a seed writer ended: {e}")))??;
        done += filings;
        websites += w;
        progress(done);
    }
    Ok(websites)
}

/// Seed demo filings if the database has no public record yet.
pub async fn seed_demo_if_empty(db: &Db, count: u32, provider: &str, now_year: u16) -> Result<Option<u64>, surrealdb::Error> {
    let mut res = db.query("SELECT VALUE id FROM public_record LIMIT 1").await?;
    let any: Vec<RecordId> = res.take(0)?;
    if !any.is_empty() {
        return Ok(None);
    }
    seed(db, u64::from(count), 20_261_122, provider, now_year, |_| {}).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org_id::parse_uscc;
    use crate::domain::personal_id::parse_resident_id;

    #[test]
    fn generated_identifiers_are_valid() {
        let mut rng = Rng::new(7);
        for p in PROVINCES {
            for _ in 0..50 {
                assert!(parse_uscc(&uscc(&mut rng, p.code)).is_ok());
                assert!(parse_resident_id(&resident_id(&mut rng, p.code), None).is_ok());
                assert!(crate::domain::net::parse_public_ip(&public_ip(&mut rng)).is_ok());
                assert!(crate::domain::contact::parse_mobile(&mobile(&mut rng)).is_ok());
            }
        }
    }

    #[test]
    fn generated_names_and_domains_pass_the_rules() {
        let mut rng = Rng::new(11);
        let mut batch = Batch::default();
        for i in 0..300 {
            generate(&mut rng, "t1", i, i as u32 + 1, PROVINCES[(i % 31) as usize].code, "P", 2026, &mut batch);
        }
        for (w, p) in batch.websites.iter().zip(&batch.public) {
            let nature = p.nature as u8;
            assert!(crate::domain::site_name::check_site_name(&w.name, nature, &[]).is_ok(), "{}", w.name);
            assert!(crate::domain::net::parse_site_domain(&w.domains[0].ascii).is_ok(), "{}", w.domains[0].ascii);
            assert!(crate::domain::licence::parse_service_licence(&w.licence).is_ok());
        }
    }
}
