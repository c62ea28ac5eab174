//! The registrant side against `mem://`: registration, activation, sign-in,
//! sessions, password reset; the type check, drafts, materials, submission;
//! and one registrant refused another's filing.
#![cfg(feature = "ssr")]

mod common;

use app::domain::filing::{MaterialKind, STEP_ACCESS, STEP_CONFIRM, STEP_MATERIALS, STEP_WEBSITES};
use app::domain::workflow::{Action, ApplicationStatus, BusinessKind};
use app::error::AppError;
use app::ssr::auth::{self, LoginOutcome};
use app::ssr::outbox;
use common::{form, png, registration, World, PASSWORD};

const CERT: &str = "91110108717743469K";

#[tokio::test]
async fn registration_activation_and_sign_in() {
    let w = World::new().await;
    let (db, s) = (&w.db, &w.s);
    let sent = auth::register(db, s, &registration("zhangsan", "13800138000")).await.unwrap();
    assert_eq!(sent.mobile, "138****8000");
    assert!(sent.shown_code.is_none(), "codes are never shown on screen outside development");
    // The code went out by SMS and e-mail: in the outbox (masked) and delivered.
    let rows = outbox::latest(db, 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    let code = w.secret_to("13800138000", "验证码为", 6).await;
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert!(w.sent().await.iter().any(|m| m.recipient == "zhangsan@example.com" && m.body.contains(&code)));
    let rows = outbox::latest(db, 10).await.unwrap();
    assert!(rows.iter().all(|r| !r.body.contains(&code) && r.status == "sent"), "{rows:?}");
    // The username is taken now.
    match auth::register(db, s, &registration("ZhangSan", "13800138001")).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.0[0].code, "username.taken"),
        other => panic!("{other:?}"),
    }
    // Not active yet: sign-in asks for the code; a wrong code is refused.
    assert!(matches!(auth::login(db, "zhangsan", PASSWORD).await.unwrap(), LoginOutcome::Pending));
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert!(matches!(auth::activate(db, "zhangsan", wrong).await, Err(AppError::Invalid(_))));
    // Re-sending within a minute is refused.
    assert!(matches!(auth::resend_code(db, s, "zhangsan").await, Err(AppError::Conflict(_))));
    auth::activate(db, "zhangsan", &code).await.unwrap();
    let LoginOutcome::Ok(id) = auth::login(db, "ZhangSan", PASSWORD).await.unwrap() else { panic!() };
    let token = auth::create_session(db, &id, 1).await.unwrap();
    let user = auth::session_user(db, &token).await.unwrap().unwrap();
    assert_eq!(user.username, "zhangsan");
    // Signing out ends the session; a made-up token is nobody.
    auth::end_session(db, &token).await.unwrap();
    assert!(auth::session_user(db, &token).await.unwrap().is_none());
    assert!(auth::session_user(db, &"0".repeat(64)).await.unwrap().is_none());
}

#[tokio::test]
async fn captcha_answers_are_single_use() {
    let w = World::new().await;
    let db = &w.db;
    let c = auth::new_captcha(db).await.unwrap();
    assert!(c.svg.starts_with("<svg"));
    assert!(!c.svg.contains("<text"), "drawn as paths, not as text a script reads");
    assert!(!auth::check_captcha(db, &c.id, "????").await.unwrap());
    db.query("CREATE challenge:known SET purpose = 'captcha', secret_hash = $h, expires_at = time::now() + 10m")
        .bind(("h", auth::sha256_hex("AB12")))
        .await
        .unwrap()
        .check()
        .unwrap();
    assert!(auth::check_captcha(db, "known", "ab12").await.unwrap());
    assert!(!auth::check_captcha(db, "known", "ab12").await.unwrap(), "used once only");
    assert!(!auth::check_captcha(db, "no'; DELETE account; --", "x").await.unwrap());
}

#[tokio::test]
async fn password_change_and_reset() {
    let w = World::new().await;
    let (db, s) = (&w.db, &w.s);
    let user = w.registrant("wangwu", "13600136000").await;
    assert!(matches!(auth::change_password(db, &user, "bad-old-pass", "n3w-password", "n3w-password").await, Err(AppError::Invalid(_))));
    assert!(matches!(auth::change_password(db, &user, PASSWORD, "12345678", "12345678").await, Err(AppError::Invalid(_))));
    auth::change_password(db, &user, PASSWORD, "n3w-password", "n3w-password").await.unwrap();
    assert!(matches!(auth::login(db, "wangwu", "n3w-password").await.unwrap(), LoginOutcome::Ok(_)));
    // Reset: wrong details send nothing; right ones e-mail a link.
    let before = w.sent().await.len();
    auth::request_reset(db, s, "wangwu", "李四", "wangwu@example.com").await.unwrap();
    assert_eq!(w.sent().await.len(), before);
    auth::request_reset(db, s, "wangwu", "张三", "WANGWU@example.com").await.unwrap();
    let token = w.secret_to("wangwu@example.com", "token=", 64).await;
    assert!(outbox::latest(db, 1).await.unwrap()[0].body.contains(&format!("token={}", outbox::MASK)), "the outbox page shows no link");
    auth::reset_password(db, &token, "an0ther-pass", "an0ther-pass").await.unwrap();
    assert!(matches!(auth::login(db, "wangwu", "an0ther-pass").await.unwrap(), LoginOutcome::Ok(_)));
    assert!(matches!(auth::reset_password(db, &token, "y3t-another", "y3t-another").await, Err(AppError::BadRequest(_))), "a link works once");
    let profile = auth::update_profile(db, &user, "王五", "13600136001", "ww@example.com").await.unwrap();
    assert_eq!(profile.mobile, "13600136001");
    assert!(matches!(auth::update_profile(db, &user, "王五", "123", "x").await, Err(AppError::Invalid(e)) if e.0.len() == 2));
}

#[tokio::test]
async fn draft_to_submission() {
    let w = World::new().await;
    let user = w.registrant("zhaoliu", "13500135000").await;
    // Type check: nothing is filed, so it is a first filing.
    let d = w.detect(&user, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!(d.kind, Some(BusinessKind::FirstFiling));
    assert!(matches!(w.detect(&user, "91110108717743469A", "example.com").await, Err(AppError::Invalid(e)) if e.0[0].path == "cert_number"));

    let draft = w.start(&user, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!(draft.form.entity.cert_number, "91110108717743469K");
    assert_eq!(draft.form.websites[0].home_urls, "www.example.com");
    // One unfinished filing at a time.
    assert!(matches!(w.start(&user, "91110108717743469K", "b.com").await, Err(AppError::Conflict(_))));

    // Moving on with errors keeps the data but stays on the step with errors.
    let mut f = form(CERT, "example.com", false);
    f.entity.leader.cert_number = "110105194912310021".into();
    match w.save(&user, &draft.id, STEP_ACCESS, f.clone()).await {
        Err(AppError::Invalid(e)) => assert!(e.0.iter().any(|e| e.path == "entity.leader.cert_number")),
        other => panic!("{other:?}"),
    }
    let back = w.current_draft(&user).await.unwrap().unwrap();
    assert_eq!(back.step, 1);
    assert_eq!(back.form.entity.leader.cert_number, "110105194912310021", "what was typed is kept");

    let f = form(CERT, "example.com", false);
    let saved = w.save(&user, &draft.id, STEP_MATERIALS, f.clone()).await.unwrap();
    assert_eq!(saved.step, STEP_MATERIALS);
    // Materials are needed before the confirmation step.
    assert!(matches!(w.save(&user, &draft.id, STEP_CONFIRM, f.clone()).await, Err(AppError::Invalid(e)) if e.0.iter().all(|e| e.path.starts_with("materials."))));
    assert!(matches!(w.upload(&user, &draft.id, "entity_cert", "x.exe", b"MZ".repeat(100)).await, Err(AppError::Invalid(_))));
    let m = w.upload(&user, &draft.id, MaterialKind::EntityCert.code(), "licence.png", png()).await.unwrap();
    assert_eq!(m.content_type, "image/png");
    w.upload(&user, &draft.id, MaterialKind::LeaderPhoto.code(), "me.png", png()).await.unwrap();
    let (mime, _, bytes) = w.file(&user, &m.id).await.unwrap();
    assert_eq!((mime.as_str(), bytes.len()), ("image/png", 2048));
    w.save(&user, &draft.id, STEP_CONFIRM, f).await.unwrap();

    let done = w.submit(&user, &draft.id).await.unwrap();
    assert_eq!(done.status, ApplicationStatus::PendingVerification);
    assert!(w.current_draft(&user).await.unwrap().is_none());
    // Locked: no more saving, uploading or submitting.
    assert!(matches!(w.save(&user, &draft.id, STEP_WEBSITES, form(CERT, "example.com", false)).await, Err(AppError::Conflict(_))));
    assert!(matches!(w.upload(&user, &draft.id, "other", "a.png", png()).await, Err(AppError::Conflict(_))));
    let list = w.list(&user).await.unwrap();
    assert_eq!((list.len(), list[0].domains.clone()), (1, vec!["example.com".to_string()]));
    let detail = w.detail(&user, &draft.id).await.unwrap();
    let actions: Vec<_> = detail.timeline.iter().map(|e| e.action).collect();
    assert_eq!(actions, vec![Some(Action::Create), Some(Action::Submit)]);
    assert!(detail.timeline.iter().all(|e| e.actor.is_empty()), "staff names are hidden from registrants");
    assert!(outbox::latest(&w.db, 2).await.unwrap().iter().all(|r| r.body.contains("已提交")));

    // Now the domain is in a filing under review: the type check says so,
    // for its owner and for anybody else.
    let d = w.detect(&user, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!((d.kind, d.domains[0].finding.as_str()), (None, "own_in_review"));
    let other = w.registrant("sunqi", "13400134000").await;
    let d = w.detect(&other, "91110108717743469K", "example.com").await.unwrap();
    assert_eq!(d.domains[0].finding, "in_review");
}

#[tokio::test]
async fn other_drafts_are_flagged_and_discard_frees_the_slot() {
    let w = World::new().await;
    let a = w.registrant("userone", "13300133000").await;
    let b = w.registrant("usertwo", "13300133001").await;
    let draft = w.start(&a, "91110108717743469K", "shared.cn").await.unwrap();
    let d = w.detect(&b, "91440300708461136T", "shared.cn").await.unwrap();
    assert_eq!(d.domains[0].finding, "other_draft");
    assert_eq!(d.kind, Some(BusinessKind::FirstFiling), "a draft holds no domain: the first to submit does");
    w.discard(&a, &draft.id).await.unwrap();
    assert!(w.current_draft(&a).await.unwrap().is_none());
    let d = w.detect(&b, "91440300708461136T", "shared.cn").await.unwrap();
    assert_eq!(d.domains[0].finding, "new");
    w.start(&a, "91110108717743469K", "shared.cn").await.unwrap();
}

#[tokio::test]
async fn a_registrant_cannot_touch_another_registrants_filing() {
    let w = World::new().await;
    let owner = w.registrant("owner01", "13200132000").await;
    let intruder = w.registrant("intruder", "13200132001").await;
    let draft = w.start(&owner, "91110108717743469K", "mine.cn").await.unwrap();
    let m = w.upload(&owner, &draft.id, "entity_cert", "c.png", png()).await.unwrap();

    let forbidden = |r: Result<(), AppError>| assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
    forbidden(w.save(&intruder, &draft.id, 2, form(CERT, "mine.cn", false)).await.map(|_| ()));
    forbidden(w.discard(&intruder, &draft.id).await);
    forbidden(w.submit(&intruder, &draft.id).await.map(|_| ()));
    forbidden(w.detail(&intruder, &draft.id).await.map(|_| ()));
    forbidden(w.upload(&intruder, &draft.id, "other", "x.png", png()).await.map(|_| ()));
    forbidden(w.file(&intruder, &m.id).await.map(|_| ()));
    forbidden(w.remove_material(&intruder, &m.id).await);
    assert!(w.list(&intruder).await.unwrap().is_empty());
    assert!(w.current_draft(&intruder).await.unwrap().is_none());
    // Nothing changed for the owner.
    let still = w.current_draft(&owner).await.unwrap().unwrap();
    assert_eq!((still.id, still.materials.len()), (draft.id.clone(), 1));
    // Made-up ids are simply not found.
    assert!(matches!(w.detail(&owner, "nope'; DELETE application; --").await, Err(AppError::NotFound)));
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
    let w = World::new().await;
    app::ssr::seed::seed(&w.db, 3, 7, "另一家云计算有限公司", 2026, |_| {}).await.unwrap();
    let user = w.registrant("detector", "13100131000").await;
    let mut res = w.db
        .query("SELECT entity.cert_number AS cert_number, domains[0].ascii AS domain FROM website ORDER BY domain LIMIT 2")
        .await
        .unwrap();
    let filed: Vec<Filed> = res.take(0).unwrap();
    let (a, b) = (&filed[0], &filed[1]);

    // The entity is filed, the domain is new: 新增网站, with the entity filled in.
    let d = w.detect(&user, &a.cert_number, "brand-new-site.cn").await.unwrap();
    assert_eq!(d.kind, Some(BusinessKind::NewWebsite), "{:?}", d.message);
    assert!(d.needs_proof, "acting for a filed entity needs its 备案密码");
    // The website is filed with another provider: 新增接入.
    let d = w.detect(&user, &a.cert_number, &a.domain).await.unwrap();
    assert_eq!((d.kind, d.domains[0].finding.as_str()), (Some(BusinessKind::NewAccess), "filed_elsewhere"));
    // Nothing of the filed entity is shown, or started, without its 备案密码.
    assert!(!format!("{d:?}").contains("有限公司") || !d.message.zh.contains(&a.cert_number));
    assert!(matches!(w.start(&user, &a.cert_number, &a.domain).await, Err(AppError::Invalid(e)) if e.0[0].path == "proof"));
    let hash = app::ssr::accounts::hash_password("Filed-Pass-123").unwrap();
    w.db.query("UPDATE entity SET filing_password_hash = $h WHERE cert_number = $c").bind(("h", hash)).bind(("c", a.cert_number.clone())).await.unwrap().check().unwrap();
    assert!(matches!(w.start_with(&user, &a.cert_number, &a.domain, "wrong-guess").await, Err(AppError::Invalid(_))));
    let draft = w.start_with(&user, &a.cert_number, &a.domain, "Filed-Pass-123").await.unwrap();
    assert_eq!(draft.kind, BusinessKind::NewAccess);
    assert!(!draft.form.entity.unit_name.is_empty(), "the filed entity is filled in");
    assert!(draft.form.websites[0].domains.contains(&a.domain));
    assert_eq!(draft.form.websites[0].access.provider_name, w.s.provider_name);
    w.discard(&user, &draft.id).await.unwrap();
    // Somebody else's domain: a conflict that says what to do.
    let d = w.detect(&user, &a.cert_number, &b.domain).await.unwrap();
    assert_eq!((d.kind, d.domains[0].finding.as_str()), (None, "other_entity"));
    assert!(d.domains[0].message.zh.contains("注销") || d.domains[0].message.zh.contains("变更"));
    // Filed and new domains together must be filed separately.
    let d = w.detect(&user, &a.cert_number, &format!("{}\nanother-new.cn", a.domain)).await.unwrap();
    assert_eq!(d.kind, None);
    // Already filed with this provider: nothing to file.
    let here = std::sync::Arc::new(app::ssr::Settings { provider_name: "另一家云计算有限公司".into(), ..app::ssr::Settings::default() });
    let cx = app::ssr::guard::authorize(&w.db, &here, Some(user.clone()), app::ssr::guard::Need::Role(&[app::domain::workflow::Role::Registrant])).await.unwrap();
    let (d, _, _) = app::ssr::filings::detect(&cx, &a.cert_number, &a.domain).await.unwrap();
    assert_eq!((d.kind, d.domains[0].finding.as_str()), (None, "filed_here"));
}
