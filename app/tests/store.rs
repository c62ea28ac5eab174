//! The store against `mem://`: the schema, uniqueness, numbering and accounts.
#![cfg(feature = "ssr")]

use app::domain::licence::{parse_entity_licence, parse_service_licence};
use app::domain::workflow::Role;
use app::ssr::accounts::{create_user, verify_password, CreateUserError, NewUser};
use app::ssr::db::{apply_schema, classify, open_memory, Failure};
use app::ssr::seed;
use surrealdb::types::SurrealValue;

#[derive(SurrealValue)]
struct Licences {
    main_licence: String,
    service_licence: String,
    province: i64,
}

#[tokio::test]
async fn schema_applies_again_without_change() {
    let db = open_memory().await.unwrap();
    apply_schema(&db).await.unwrap();
    apply_schema(&db).await.unwrap();
    // The applied schema is recorded, so a restart does not rebuild indexes.
    let mut res = db.query("SELECT VALUE hash FROM ONLY schema_meta:current").await.unwrap();
    let hash: Option<String> = res.take(0).unwrap();
    assert_eq!(hash.as_deref(), Some(app::ssr::db::schema_hash().as_str()));
    // Every table is defined, so selecting from an empty one is not an error.
    for table in ["account", "session", "challenge", "entity", "website", "access", "domain_claim", "counter", "application", "material", "audit_event", "outbox", "public_record", "schema_meta"] {
        db.query(format!("SELECT * FROM {table} LIMIT 1")).await.unwrap().check().unwrap();
    }
}

#[tokio::test]
async fn schemafull_tables_refuse_bad_rows() {
    let db = open_memory().await.unwrap();
    let r = db.query("CREATE account CONTENT { username: 'x', password_hash: 'h', role: 'superuser' }").await.unwrap().check();
    assert!(r.is_err(), "an unknown role is refused");
    let r = db.query("CREATE application CONTENT { kind: 'first_filing', status: 'flying', registrant: account:a }").await.unwrap().check();
    assert!(r.is_err(), "an unknown status is refused");
}

#[tokio::test]
async fn a_domain_sits_in_one_live_filing() {
    let db = open_memory().await.unwrap();
    db.query("CREATE domain_claim CONTENT { domain: 'example.com', website: website:a }").await.unwrap().check().unwrap();
    let err = db.query("CREATE domain_claim CONTENT { domain: 'example.com', website: website:b }").await.unwrap().check().unwrap_err();
    assert!(matches!(classify(&err), Failure::Unique(ref i) if i.contains("domain")), "{err}");
}

#[tokio::test]
async fn seeded_numbers_are_valid_unique_and_continue_per_province() {
    let db = open_memory().await.unwrap();
    let w1 = seed::seed(&db, 300, 1, "P", 2026, |_| {}).await.unwrap();
    let w2 = seed::seed(&db, 300, 2, "P", 2026, |_| {}).await.unwrap();
    let mut res = db.query("SELECT main_licence, service_licence, province FROM public_record").await.unwrap();
    let rows: Vec<Licences> = res.take(0).unwrap();
    assert_eq!(rows.len() as u64, w1 + w2);
    let mut services = std::collections::HashSet::new();
    let mut entity_seqs = std::collections::HashMap::new();
    for r in &rows {
        let main = parse_entity_licence(&r.main_licence).expect("valid entity number");
        let service = parse_service_licence(&r.service_licence).expect("valid website number");
        assert_eq!(service.entity, main);
        assert_eq!(i64::from(main.province), r.province);
        assert!(services.insert(r.service_licence.clone()), "duplicate {}", r.service_licence);
        entity_seqs.entry(main.province).or_insert_with(std::collections::HashSet::new).insert(main.seq);
    }
    // Each province's sequence runs 1..=n without gaps across both runs.
    for (province, seqs) in entity_seqs {
        let n = seqs.len() as u32;
        assert!((1..=n).all(|s| seqs.contains(&s)), "province {province} has a gap");
    }
    // Every province is there.
    let provinces: std::collections::HashSet<i64> = rows.iter().map(|r| r.province).collect();
    assert_eq!(provinces.len(), 31);
}

#[tokio::test]
async fn users_are_created_with_hashed_passwords() {
    let db = open_memory().await.unwrap();
    let user = |name: &str, password: &str| NewUser {
        username: name.into(),
        password: password.into(),
        role: Role::Provider,
        contact_name: "核验员".into(),
        email: "clerk@example.com".into(),
        mobile: "13800138000".into(),
        province: None,
    };
    assert_eq!(create_user(&db, user("clerk01", "s3cret-pass")).await.unwrap(), "clerk01");
    assert!(matches!(create_user(&db, user("clerk01", "an0ther-pass")).await, Err(CreateUserError::Taken(_))));
    assert!(matches!(create_user(&db, user("clerk02", "12345678")).await, Err(CreateUserError::Invalid(_))));
    assert!(matches!(create_user(&db, user("clerk02", "clerk02")).await, Err(CreateUserError::Invalid(_))));
    let mut res = db.query("SELECT VALUE password_hash FROM account WHERE username = 'clerk01'").await.unwrap();
    let hashes: Vec<String> = res.take(0).unwrap();
    assert!(verify_password("s3cret-pass", &hashes[0]));
    assert!(!hashes[0].contains("s3cret"));
}

#[tokio::test]
async fn messages_are_sent_by_the_worker_and_lose_their_secret() {
    use app::ssr::outbox::{deliver_due, latest, record, Channel, Note, Transport, MASK, SECRET_MARK};
    let db = open_memory().await.unwrap();
    let notes = Note::both("13800138000", "a@example.com", "验证码", &format!("您的验证码为 {SECRET_MARK}。")).into_iter().map(|n| n.with_secret("482913")).collect();
    record(&db, notes).await.unwrap();
    // Waiting, and the outbox page never shows the code.
    let rows = latest(&db, 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.status == "pending" && !r.body.contains("482913") && r.body.contains(MASK)), "{rows:?}");
    assert!(rows.iter().any(|r| r.channel == "sms" && r.recipient == "13800138000"));
    // Delivered: with the code, and afterwards the row holds no secret.
    let (transport, sink) = Transport::memory();
    assert_eq!(deliver_due(&db, &transport, 10).await.unwrap(), 2);
    assert_eq!(deliver_due(&db, &transport, 10).await.unwrap(), 0, "each message goes once");
    let sent = sink.lock().unwrap().clone();
    assert!(sent.iter().all(|m| m.body == "您的验证码为 482913。"));
    assert!(sent.iter().any(|m| m.channel == Channel::Email && m.recipient == "a@example.com"));
    let mut res = db.query("SELECT VALUE secret FROM outbox WHERE secret != NONE").await.unwrap();
    assert!(res.take::<Vec<String>>(0).unwrap().is_empty());
    assert!(latest(&db, 10).await.unwrap().iter().all(|r| r.status == "sent"));
}

#[tokio::test]
async fn a_failing_relay_is_retried_with_backoff_then_given_up() {
    use app::ssr::outbox::{deliver_due, record, Note, Transport, MAX_ATTEMPTS};
    let db = open_memory().await.unwrap();
    record(&db, vec![Note::new(app::ssr::outbox::Channel::Email, "a@example.com", "s", "b {{secret}}").with_secret("x1")]).await.unwrap();
    // Nothing listens on port 1: every attempt fails.
    let relay = Transport::smtp("smtp://127.0.0.1:1", "beian@example.com").unwrap();
    assert_eq!(deliver_due(&db, &relay, 10).await.unwrap(), 1);
    #[derive(SurrealValue)]
    struct Row {
        status: String,
        attempts: i64,
        waits: bool,
        secret: Option<String>,
        last_error: Option<String>,
    }
    let row = || async {
        let mut res = db.query("SELECT status, attempts, next_attempt_at > time::now() AS waits, secret, last_error FROM outbox").await.unwrap();
        res.take::<Vec<Row>>(0).unwrap().remove(0)
    };
    let r = row().await;
    assert_eq!((r.status.as_str(), r.attempts, r.waits, r.secret.as_deref()), ("pending", 1, true, Some("x1")));
    assert!(r.last_error.is_some());
    // Not due again until its backoff has passed.
    assert_eq!(deliver_due(&db, &relay, 10).await.unwrap(), 0);
    // The last attempt fails for good, and the secret is dropped.
    db.query("UPDATE outbox SET attempts = $n, next_attempt_at = time::now() - 1s").bind(("n", MAX_ATTEMPTS - 1)).await.unwrap().check().unwrap();
    assert_eq!(deliver_due(&db, &relay, 10).await.unwrap(), 1);
    let r = row().await;
    assert_eq!((r.status.as_str(), r.secret), ("failed", None));
}
