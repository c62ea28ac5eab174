//! The public query's in-memory index against `mem://`: it gives the
//! database's answers, and a change made through one server reaches the
//! index of another within a second (the LIVE query).

mod common;

use std::time::{Duration, Instant};

use app::domain::lookup::{parse_lookup, MAX_COUNT};
use app::domain::workflow::Role;
use app::models::RecordPage;
use app::ssr::read_model::PublicIndex;
use app::ssr::{public, seed};
use common::{same_page, uscc, World};

async fn ready(index: &PublicIndex) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !index.is_ready() {
        assert!(Instant::now() < deadline, "the index did not load");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Poll `index` until `check` holds, for at most a second.
async fn within_a_second(index: &PublicIndex, q: &str, check: impl Fn(&RecordPage) -> bool) -> Duration {
    let lookup = parse_lookup(q).unwrap();
    let started = Instant::now();
    loop {
        if let Some(page) = index.search(&lookup, None, 1, 10) {
            if check(&page) {
                return started.elapsed();
            }
        }
        assert!(started.elapsed() < Duration::from_secs(1), "{q:?} not as expected after a second: {:?}", index.search(&lookup, None, 1, 10));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn the_index_answers_as_the_database_does() {
    let w = World::new().await;
    seed::seed(&w.db, 400, 7, "测试接入商", 2026, |_| {}).await.unwrap();
    // Loaded after the seed (this one) and followed during it (the World's).
    let late = PublicIndex::follow(w.db.clone());
    ready(&late).await;
    // Every record, once.
    let mut res = w.db.query("SELECT count() FROM public_record GROUP ALL").await.unwrap();
    let counted: Option<i64> = res.take((0, "count")).unwrap();
    assert_eq!(late.len() as i64, counted.unwrap());
    ready(&w.index).await;
    // The one that followed the seed's 500 notifications has caught up
    // within a second.
    let started = Instant::now();
    while w.index.len() != late.len() {
        assert!(started.elapsed() < Duration::from_secs(1), "followed {} loaded {}", w.index.len(), late.len());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(late.len() > 400, "{}", late.len());

    let all = public::search(&w.db, &parse_lookup("有限公司").unwrap(), None, 1, 50).await.unwrap();
    assert!(all.items.len() == 50, "{all:?}");
    let mut queries: Vec<String> = Vec::new();
    for r in &all.items {
        queries.push(r.domain.clone());
        queries.push(r.domains.last().unwrap().to_uppercase());
        queries.push(r.main_licence.clone());
        queries.push(r.service_licence.clone());
        let name: Vec<char> = r.unit_name.chars().collect();
        queries.push(name[..name.len().min(6)].iter().collect());
        queries.push(name[name.len().saturating_sub(8)..].iter().collect());
    }
    queries.extend(["no-such-site.cn", "京ICP备2026999999号", "京ICP备2026999999号-1", "完全不存在的名称", "有限公司", "北京", "文化传媒"].map(String::from));
    let mut names = 0;
    for q in &queries {
        let lookup = parse_lookup(q).unwrap();
        let db = public::search(&w.db, &lookup, None, 1, 50).await.unwrap();
        for (which, index) in [("loaded after", &late), ("followed during", &w.index)] {
            let held = index.search(&lookup, None, 1, 50).unwrap();
            if matches!(lookup, app::domain::lookup::Lookup::Name(_)) && db.total > 50 {
                // A broad name: the same count, each item a match.
                assert_eq!((held.total, held.total_exact, held.items.len()), (db.total, db.total_exact, db.items.len()), "{q} ({which} the seed)");
                names += 1;
            } else {
                assert!(same_page(&held, &db), "{q} ({which} the seed):\nindex {held:?}\ndatabase {db:?}");
            }
        }
    }
    assert!(names > 0, "some names were broad");

    // A broad name counts to MAX_COUNT at most, and a far page still has items.
    let lookup = parse_lookup("有限").unwrap();
    let first = late.search(&lookup, None, 1, 10).unwrap();
    let db = public::search(&w.db, &lookup, None, 1, 10).await.unwrap();
    assert_eq!((first.total, first.total_exact), (db.total, db.total_exact));
    assert!(first.total <= MAX_COUNT);
    let pages: Vec<String> = (1..=3).flat_map(|p| late.search(&lookup, None, p, 10).unwrap().items).map(|r| r.service_licence).collect();
    let mut unique = pages.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), pages.len(), "pages do not overlap");
}

#[tokio::test]
async fn a_change_through_one_server_reaches_another_within_a_second() {
    let w = World::new().await;
    // Two servers on one datastore, each with its own index.
    let a = PublicIndex::follow(w.db.clone());
    let b = PublicIndex::follow(w.db.clone());
    ready(&a).await;
    ready(&b).await;
    assert!(b.search(&parse_lookup("two-servers.cn").unwrap(), None, 1, 10).unwrap().items.is_empty());

    // The 管局 approves through the server functions.
    let owner = w.registrant("owner1", "13800000001").await;
    let clerk = w.staff("clerk1", Role::Provider, "13700000001", None).await;
    let bureau = w.staff("bureau1", Role::Bureau, "13600000001", Some(11)).await;
    let (_, done) = w.approved(&owner, &clerk, &bureau, &uscc(1), "two-servers.cn").await;
    let number = done.website_licences[0].clone();
    for index in [&a, &b] {
        let took = within_a_second(index, "two-servers.cn", |p| p.items.len() == 1 && p.items[0].service_licence == number).await;
        println!("seen after {took:?}");
        within_a_second(index, &number, |p| p.total == 1).await;
        within_a_second(index, &done.entity_licence.clone().unwrap(), |p| p.total == 1).await;
    }

    // Another server renames and removes public records in its own transactions.
    w.db.query("UPDATE public_record SET unit_name = 'XingHe改名后的星河有限公司' WHERE service_licence = $n").bind(("n", number.clone())).await.unwrap().check().unwrap();
    // Names are found whatever their case.
    within_a_second(&b, "xinghe改名后", |p| p.total == 1).await;
    within_a_second(&b, "XINGHE", |p| p.total == 1).await;
    within_a_second(&b, "two-servers.cn", |p| p.items.first().map(|r| r.unit_name.as_str()) == Some("XingHe改名后的星河有限公司")).await;
    w.db.query("DELETE public_record WHERE service_licence = $n").bind(("n", number.clone())).await.unwrap().check().unwrap();
    within_a_second(&b, "two-servers.cn", |p| p.total == 0 && p.items.is_empty()).await;
    within_a_second(&b, "xinghe改名后", |p| p.total == 0).await;
    within_a_second(&b, &number, |p| p.total == 0).await;
}
