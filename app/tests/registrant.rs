//! The registrant side against `mem://`: registration, activation, sign-in
//! with throttling, sessions, password reset; the type check, drafts,
//! materials, submission; and one registrant refused another's filing.
#![cfg(feature = "ssr")]

use app::domain::account::Registration;
use app::domain::filing::{FilingForm, MaterialKind, STEP_ACCESS, STEP_CONFIRM, STEP_MATERIALS, STEP_WEBSITES};
use app::error::AppError;
use app::ssr::auth::{self, CurrentUser, LoginOutcome};
use app::ssr::db::{open_memory, Db};
use app::ssr::{filings, outbox, Settings};

fn settings() -> Settings {
    Settings::default()
}

fn registration(username: &str, mobile: &str) -> Registration {
    Registration {
        username: username.into(),
        password: "s3cret-pass".into(),
        password2: "s3cret-pass".into(),
        contact_name: "张三".into(),
        mobile: mobile.into(),
        email: format!("{username}@example.com"),
    }
}

/// Register, activate with the code shown on screen, sign in: a session user.
async fn registrant(db: &Db, username: &str, mobile: &str) -> CurrentUser {
    let sent = auth::register(db, &settings(), &registration(username, mobile)).await.unwrap();
    let code = sent.shown_code.expect("no gateway: the code is shown");
    auth::activate(db, username, &code).await.unwrap();
    let LoginOutcome::Ok(id) = auth::login(db, username, "s3cret-pass").await.unwrap() else { panic!("sign-in failed") };
    let token = auth::create_session(db, &id, 1).await.unwrap();
    auth::session_user(db, &token).await.unwrap().expect("session works")
}

fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.resize(2048, 7);
    b
}

/// A complete, valid first filing for example.com.
fn form(domain: &str) -> FilingForm {
    let mut f: FilingForm = serde_json::from_value(serde_json::json!({
        "entity": {
            "unit_name": "北京百度网讯科技有限公司", "nature": "4", "cert_type": "12", "cert_number": "91110108717743469K",
            "cert_address": "北京市海淀区上地十街10号", "province": "11", "address": "北京市海淀区上地十街10号百度大厦",
            "investor": "北京百度网讯科技有限公司",
            "leader": { "name": "张三", "cert_type": "1", "cert_number": "11010519491231002X", "valid_from": "20200101", "long_term": true,
                        "mobile": "13800138000", "phone": "010-12345678", "emergency_phone": "13900139000", "email": "zhang@example.com" }
        },
        "websites": [{
            "name": "百度搜索服务网", "domains": domain, "home_urls": format!("www.{domain}"), "content_types": [4],
            "no_pre_approval": true, "language": "1", "same_leader": true,
            "access": { "provider_name": "北京示例云计算有限公司", "method": "2", "ips": "1.2.3.4", "server_province": "11" }
        }]
    }))
    .unwrap();
    f.websites[0].domains = domain.into();
    f
}

#[tokio::test]
async fn registration_activation_and_sign_in() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let sent = auth::register(&db, &s, &registration("zhangsan", "13800138000")).await.unwrap();
    assert_eq!(sent.mobile, "138****8000");
    let code = sent.shown_code.clone().unwrap();
    assert_eq!(code.len(), 6);
    // The code went out by SMS and e-mail (recorded: no gateway).
    let rows = outbox::latest(&db, 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.body.contains(&code) && r.status == "recorded"));
    // The username is taken now.
    match auth::register(&db, &s, &registration("ZhangSan", "13800138001")).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.0[0].code, "username.taken"),
        other => panic!("{other:?}"),
    }
    // Not active yet: sign-in asks for the code; a wrong code is refused.
    assert!(matches!(auth::login(&db, "zhangsan", "s3cret-pass").await.unwrap(), LoginOutcome::Pending));
    assert!(matches!(auth::activate(&db, "zhangsan", "000000").await, Err(AppError::Invalid(_))) || code == "000000");
    // Re-sending within a minute is refused.
    assert!(matches!(auth::resend_code(&db, &s, "zhangsan").await, Err(AppError::Conflict(_))));
    auth::activate(&db, "zhangsan", &code).await.unwrap();
    let LoginOutcome::Ok(id) = auth::login(&db, "ZhangSan", "s3cret-pass").await.unwrap() else { panic!() };
    let token = auth::create_session(&db, &id, 1).await.unwrap();
    let user = auth::session_user(&db, &token).await.unwrap().unwrap();
    assert_eq!(user.username, "zhangsan");
    // Signing out ends the session; a made-up token is nobody.
    auth::end_session(&db, &token).await.unwrap();
    assert!(auth::session_user(&db, &token).await.unwrap().is_none());
    assert!(auth::session_user(&db, &"0".repeat(64)).await.unwrap().is_none());
}

#[tokio::test]
async fn wrong_passwords_lock_the_account() {
    let db = open_memory().await.unwrap();
    registrant(&db, "lisi", "13700137000").await;
    let mut last = None;
    for _ in 0..auth::MAX_FAILED_LOGINS {
        last = Some(auth::login(&db, "lisi", "wrong-password").await.unwrap());
    }
    assert!(matches!(last, Some(LoginOutcome::Locked { minutes: 15 })), "{last:?}");
    // Locked: even the right password waits.
    assert!(matches!(auth::login(&db, "lisi", "s3cret-pass").await.unwrap(), LoginOutcome::Locked { .. }));
}

#[tokio::test]
async fn captcha_answers_are_single_use() {
    let db = open_memory().await.unwrap();
    let c = auth::new_captcha(&db).await.unwrap();
    assert!(c.svg.starts_with("<svg"));
    // The answer is only in the picture: read it back from the stored hash by brute force is not possible,
    // so check the refusal paths and the one-time use with a known challenge.
    assert!(!auth::check_captcha(&db, &c.id, "????").await.unwrap());
    db.query("CREATE challenge:known SET purpose = 'captcha', secret_hash = $h, expires_at = time::now() + 10m")
        .bind(("h", auth::sha256_hex("AB12")))
        .await
        .unwrap()
        .check()
        .unwrap();
    assert!(auth::check_captcha(&db, "known", "ab12").await.unwrap());
    assert!(!auth::check_captcha(&db, "known", "ab12").await.unwrap(), "used once only");
    assert!(!auth::check_captcha(&db, "no'; DELETE account; --", "x").await.unwrap());
}

#[tokio::test]
async fn password_change_and_reset() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let user = registrant(&db, "wangwu", "13600136000").await;
    assert!(matches!(auth::change_password(&db, &user, "bad-old-pass", "n3w-password", "n3w-password").await, Err(AppError::Invalid(_))));
    assert!(matches!(auth::change_password(&db, &user, "s3cret-pass", "12345678", "12345678").await, Err(AppError::Invalid(_))));
    auth::change_password(&db, &user, "s3cret-pass", "n3w-password", "n3w-password").await.unwrap();
    assert!(matches!(auth::login(&db, "wangwu", "n3w-password").await.unwrap(), LoginOutcome::Ok(_)));
    // Reset: wrong details send nothing; right ones e-mail a link.
    let before = outbox::latest(&db, 50).await.unwrap().len();
    auth::request_reset(&db, &s, "wangwu", "李四", "wangwu@example.com").await.unwrap();
    assert_eq!(outbox::latest(&db, 50).await.unwrap().len(), before);
    auth::request_reset(&db, &s, "wangwu", "张三", "WANGWU@example.com").await.unwrap();
    let mail = outbox::latest(&db, 1).await.unwrap().remove(0);
    let token = mail.body.split("token=").nth(1).unwrap()[..64].to_string();
    auth::reset_password(&db, &token, "an0ther-pass", "an0ther-pass").await.unwrap();
    assert!(matches!(auth::login(&db, "wangwu", "an0ther-pass").await.unwrap(), LoginOutcome::Ok(_)));
    assert!(matches!(auth::reset_password(&db, &token, "y3t-another", "y3t-another").await, Err(AppError::BadRequest(_))), "a link works once");
    let profile = auth::update_profile(&db, &user, "王五", "13600136001", "ww@example.com").await.unwrap();
    assert_eq!(profile.mobile, "13600136001");
    assert!(matches!(auth::update_profile(&db, &user, "王五", "123", "x").await, Err(AppError::Invalid(e)) if e.0.len() == 2));
}

#[tokio::test]
async fn draft_to_submission() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let user = registrant(&db, "zhaoliu", "13500135000").await;
    // Type check: nothing is filed, so it is a first filing.
    let (d, _, _) = filings::detect(&db, &s, &user, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!(d.kind.as_deref(), Some("first_filing"));
    assert!(matches!(filings::detect(&db, &s, &user, "91110108717743469A", "example.com").await, Err(AppError::Invalid(e)) if e.0[0].path == "cert_number"));

    let draft = filings::start_draft(&db, &s, &user, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!(draft.form.entity.cert_number, "91110108717743469K");
    assert_eq!(draft.form.websites[0].home_urls, "www.example.com");
    // One unfinished filing at a time.
    assert!(matches!(filings::start_draft(&db, &s, &user, "91110108717743469K", "b.com").await, Err(AppError::Conflict(_))));

    // Moving on with errors keeps the data but stays on the step with errors.
    let mut f = form("example.com");
    f.entity.leader.cert_number = "110105194912310021".into();
    match filings::save_draft(&db, &s, &user, &draft.id, STEP_ACCESS, f.clone()).await {
        Err(AppError::Invalid(e)) => assert!(e.0.iter().any(|e| e.path == "entity.leader.cert_number")),
        other => panic!("{other:?}"),
    }
    let back = filings::current_draft(&db, &s, &user).await.unwrap().unwrap();
    assert_eq!(back.step, 1);
    assert_eq!(back.form.entity.leader.cert_number, "110105194912310021", "what was typed is kept");

    let f = form("example.com");
    let saved = filings::save_draft(&db, &s, &user, &draft.id, STEP_MATERIALS, f.clone()).await.unwrap();
    assert_eq!(saved.step, STEP_MATERIALS);
    // Materials are needed before the confirmation step.
    assert!(matches!(filings::save_draft(&db, &s, &user, &draft.id, STEP_CONFIRM, f.clone()).await, Err(AppError::Invalid(e)) if e.0.iter().all(|e| e.path.starts_with("materials."))));
    assert!(matches!(filings::add_material(&db, &user, &draft.id, "entity_cert", "x.exe", b"MZ".repeat(100)).await, Err(AppError::Invalid(_))));
    let m = filings::add_material(&db, &user, &draft.id, MaterialKind::EntityCert.code(), "licence.png", png()).await.unwrap();
    assert_eq!(m.content_type, "image/png");
    filings::add_material(&db, &user, &draft.id, MaterialKind::LeaderPhoto.code(), "me.png", png()).await.unwrap();
    let (mime, _, bytes) = filings::material_file(&db, &user, &m.id).await.unwrap();
    assert_eq!((mime.as_str(), bytes.len()), ("image/png", 2048));
    filings::save_draft(&db, &s, &user, &draft.id, STEP_CONFIRM, f).await.unwrap();

    let done = filings::submit(&db, &s, &user, &draft.id).await.unwrap();
    assert_eq!(done.status, "pending_verification");
    assert!(filings::current_draft(&db, &s, &user).await.unwrap().is_none());
    // Locked: no more saving, uploading or submitting.
    assert!(matches!(filings::save_draft(&db, &s, &user, &draft.id, STEP_WEBSITES, form("example.com")).await, Err(AppError::Conflict(_))));
    assert!(matches!(filings::add_material(&db, &user, &draft.id, "other", "a.png", png()).await, Err(AppError::Conflict(_))));
    let list = filings::list_filings(&db, &user).await.unwrap();
    assert_eq!((list.len(), list[0].domains.clone()), (1, vec!["example.com".to_string()]));
    let detail = filings::filing_detail(&db, &user, &draft.id).await.unwrap();
    let actions: Vec<_> = detail.timeline.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "submit"]);
    assert!(detail.timeline.iter().all(|e| e.actor.is_empty()), "staff names are hidden from registrants");
    assert!(outbox::latest(&db, 2).await.unwrap().iter().all(|r| r.body.contains("已提交")));

    // Now the domain is in a filing under review: the type check says so,
    // for its owner and for anybody else.
    let (d, _, _) = filings::detect(&db, &s, &user, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!((d.kind, d.domains[0].finding.as_str()), (None, "own_in_review"));
    let other = registrant(&db, "sunqi", "13400134000").await;
    let (d, _, _) = filings::detect(&db, &s, &other, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!(d.domains[0].finding, "in_review");
}

#[tokio::test]
async fn other_drafts_are_flagged_and_discard_frees_the_slot() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let a = registrant(&db, "userone", "13300133000").await;
    let b = registrant(&db, "usertwo", "13300133001").await;
    let draft = filings::start_draft(&db, &s, &a, "91110108717743469K", "shared.cn").await.unwrap();
    let (d, _, _) = filings::detect(&db, &s, &b, "91440300708461136T", "shared.cn").await.unwrap();
    assert_eq!(d.domains[0].finding, "other_draft");
    assert_eq!(d.kind.as_deref(), Some("first_filing"), "a draft holds no domain: the first to submit does");
    filings::discard_draft(&db, &a, &draft.id).await.unwrap();
    assert!(filings::current_draft(&db, &s, &a).await.unwrap().is_none());
    let (d, _, _) = filings::detect(&db, &s, &b, "91440300708461136T", "shared.cn").await.unwrap();
    assert_eq!(d.domains[0].finding, "new");
    filings::start_draft(&db, &s, &a, "91110108717743469K", "shared.cn").await.unwrap();
}

#[tokio::test]
async fn a_registrant_cannot_touch_another_registrants_filing() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let owner = registrant(&db, "owner01", "13200132000").await;
    let intruder = registrant(&db, "intruder", "13200132001").await;
    let draft = filings::start_draft(&db, &s, &owner, "91110108717743469K", "mine.cn").await.unwrap();
    let m = filings::add_material(&db, &owner, &draft.id, "entity_cert", "c.png", png()).await.unwrap();

    let forbidden = |r: Result<(), AppError>| assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
    forbidden(filings::save_draft(&db, &s, &intruder, &draft.id, 2, form("mine.cn")).await.map(|_| ()));
    forbidden(filings::discard_draft(&db, &intruder, &draft.id).await);
    forbidden(filings::submit(&db, &s, &intruder, &draft.id).await.map(|_| ()));
    forbidden(filings::filing_detail(&db, &intruder, &draft.id).await.map(|_| ()));
    forbidden(filings::add_material(&db, &intruder, &draft.id, "other", "x.png", png()).await.map(|_| ()));
    forbidden(filings::material_file(&db, &intruder, &m.id).await.map(|_| ()));
    forbidden(filings::remove_material(&db, &intruder, &m.id).await);
    assert!(filings::list_filings(&db, &intruder).await.unwrap().is_empty());
    assert!(filings::current_draft(&db, &s, &intruder).await.unwrap().is_none());
    // Nothing changed for the owner.
    let still = filings::current_draft(&db, &s, &owner).await.unwrap().unwrap();
    assert_eq!((still.id, still.materials.len()), (draft.id.clone(), 1));
    // Made-up ids are simply not found.
    assert!(matches!(filings::filing_detail(&db, &owner, "nope'; DELETE application; --").await, Err(AppError::NotFound)));
}

/// 新增网站 and 新增接入 against filed records: the seed files every
/// website with the provider it is given.
#[tokio::test]
async fn type_check_finds_new_websites_new_access_and_conflicts() {
    use surrealdb::types::SurrealValue;
    #[derive(SurrealValue)]
    struct Filed {
        cert_number: String,
        domain: String,
    }
    let db = open_memory().await.unwrap();
    let s = settings();
    app::ssr::seed::seed(&db, 3, 7, "另一家云计算有限公司", 2026, |_| {}).await.unwrap();
    let user = registrant(&db, "detector", "13100131000").await;
    let mut res = db
        .query("SELECT entity.cert_number AS cert_number, domains[0].ascii AS domain FROM website ORDER BY domain LIMIT 2")
        .await
        .unwrap();
    let filed: Vec<Filed> = res.take(0).unwrap();
    let (a, b) = (&filed[0], &filed[1]);

    // The entity is filed, the domain is new: 新增网站, with the entity filled in.
    let (d, _, _) = filings::detect(&db, &s, &user, &a.cert_number, "brand-new-site.cn").await.unwrap();
    assert_eq!(d.kind.as_deref(), Some("new_website"), "{:?}", d.message);
    assert!(d.entity_licence.is_some());
    // The website is filed with another provider: 新增接入.
    let (d, _, _) = filings::detect(&db, &s, &user, &a.cert_number, &a.domain).await.unwrap();
    assert_eq!((d.kind.as_deref(), d.domains[0].finding.as_str()), (Some("new_access"), "filed_elsewhere"));
    let draft = filings::start_draft(&db, &s, &user, &a.cert_number, &a.domain).await.unwrap();
    assert_eq!(draft.kind, "new_access");
    assert!(!draft.form.entity.unit_name.is_empty(), "the filed entity is filled in");
    assert!(draft.form.websites[0].domains.contains(&a.domain));
    assert_eq!(draft.form.websites[0].access.provider_name, s.provider_name);
    filings::discard_draft(&db, &user, &draft.id).await.unwrap();
    // Somebody else's domain: a conflict that says what to do.
    let (d, _, _) = filings::detect(&db, &s, &user, &a.cert_number, &b.domain).await.unwrap();
    assert_eq!((d.kind, d.domains[0].finding.as_str()), (None, "other_entity"));
    assert!(d.domains[0].message.zh.contains("注销") || d.domains[0].message.zh.contains("变更"));
    // Filed and new domains together must be filed separately.
    let (d, _, _) = filings::detect(&db, &s, &user, &a.cert_number, &format!("{}\nanother-new.cn", a.domain)).await.unwrap();
    assert_eq!(d.kind, None);
    // Already filed with this provider: nothing to file.
    let here = Settings { provider_name: "另一家云计算有限公司".into(), ..settings() };
    let (d, _, _) = filings::detect(&db, &here, &user, &a.cert_number, &a.domain).await.unwrap();
    assert_eq!((d.kind, d.domains[0].finding.as_str()), (None, "filed_here"));
}
