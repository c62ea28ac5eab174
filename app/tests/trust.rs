//! Regression tests for the trust audit (issue 9), one or more per finding,
//! against `mem://`. Each failed on the code before the fix.
#![cfg(feature = "ssr")]

mod common;

use std::net::{IpAddr, Ipv4Addr};

use app::domain::filing::{MaterialKind, STEP_CONFIRM};
use app::domain::review::{Edit, Mark};
use app::domain::workflow::{Action, ApplicationStatus, BusinessKind, Role};
use app::error::AppError;
use app::ssr::auth::{self, LoginOutcome};
use app::ssr::limits::{Door, Limits};
use app::ssr::{entity_proof, outbox, purge};
use common::{conflict, form, png, registration, uscc, World, PASSWORD};

// ------------------------------------------------------------ sign-in

/// Wrong passwords sent in parallel all count (one statement each), every
/// answer is the same as for an unknown name, and nobody is locked out for
/// good: the right password still works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_all_count_and_lock_nobody_out() {
    let w = World::new().await;
    w.registrant("lisi", "13700137000").await;
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let db = w.db.clone();
            tokio::spawn(async move { auth::login(&db, "lisi", "wrong-password").await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tries {
        outcomes.push(t.await.unwrap());
    }
    assert!(outcomes.iter().all(|o| matches!(o, Ok(LoginOutcome::Bad))));
    let mut res = w.db.query("SELECT VALUE count FROM login_failure").await.unwrap();
    let counts: Vec<i64> = res.take(0).unwrap();
    assert_eq!(counts, vec![8], "every parallel failure counted");
    assert!(matches!(auth::login(&w.db, "nobody-at-all", "wrong-password").await.unwrap(), LoginOutcome::Bad), "unknown names get the same answer");
    assert!(matches!(auth::login(&w.db, "lisi", PASSWORD).await.unwrap(), LoginOutcome::Ok(_)), "no permanent lockout");
    // Success clears the count; the delay grows with failures and is bounded.
    let mut res = w.db.query("SELECT VALUE count FROM login_failure").await.unwrap();
    assert_eq!(res.take::<Vec<i64>>(0).unwrap().len(), 1, "the unknown name's count stays");
    assert!(auth::failure_delay(1) < auth::failure_delay(4));
    assert_eq!(auth::failure_delay(1000), auth::failure_delay(100));
}

/// Every account door answers 429 past its limit, per address and per name.
#[test]
fn account_doors_are_rate_limited() {
    let limits = Limits::default();
    let ip = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 9));
    for door in [Door::Login, Door::Register, Door::Activate, Door::Resend, Door::Forgot, Door::Reset, Door::Captcha, Door::Proof] {
        let mut refused = None;
        for i in 0..200 {
            if let Err(e) = limits.check(door, ip, Some("someone")) {
                refused = Some((i, e));
                break;
            }
        }
        let (i, e) = refused.unwrap_or_else(|| panic!("{door:?} never refused"));
        assert!(matches!(e, AppError::TooMany(_)) && e.status() == 429, "{door:?}: {e:?}");
        assert!(i >= 1, "{door:?} refused the first request");
    }
    // Per name: another address does not reset a name's budget.
    let limits = Limits::default();
    let mut refused = false;
    for i in 0..50u8 {
        if limits.check(Door::Login, IpAddr::V4(Ipv4Addr::new(203, 0, 113, i)), Some("target")).is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused, "guessing one name from many addresses is limited");
    assert!(Limits::off().check(Door::Login, ip, Some("x")).is_ok());
}

/// Wrong activation codes count across re-sent codes; a code expires.
#[tokio::test]
async fn activation_attempts_survive_resend_and_codes_expire() {
    let w = World::new().await;
    auth::register(&w.db, &w.s, &registration("zhouba", "13900139000")).await.unwrap();
    for _ in 0..9 {
        assert!(matches!(auth::activate(&w.db, "zhouba", "999999x").await, Err(AppError::Invalid(_))));
    }
    // A new code does not reset the count.
    w.db.query("UPDATE account SET code_sent_at = time::now() - 2m").await.unwrap().check().unwrap();
    auth::resend_code(&w.db, &w.s, "zhouba").await.unwrap();
    let code = w.secret_to("13900139000", "验证码为", 6).await;
    assert!(matches!(auth::activate(&w.db, "zhouba", "999999x").await, Err(AppError::Conflict(_))));
    assert!(matches!(auth::activate(&w.db, "zhouba", &code).await, Err(AppError::Conflict(_))), "ten wrong codes end it");
    // Another registration: its code expires after a day.
    auth::register(&w.db, &w.s, &registration("wujiu", "13900139001")).await.unwrap();
    let code = w.secret_to("13900139001", "验证码为", 6).await;
    w.db.query("UPDATE account SET activation_expires_at = time::now() - 1s WHERE username = 'wujiu'").await.unwrap().check().unwrap();
    assert!(conflict(auth::activate(&w.db, "wujiu", &code).await).contains("过期"));
}

/// A new reset request voids the earlier link; one link, used twice at once, works once.
#[tokio::test]
async fn reset_links_are_single_and_single_use() {
    let w = World::new().await;
    w.registrant("zhengshi", "13900139002").await;
    auth::request_reset(&w.db, &w.s, "zhengshi", "张三", "zhengshi@example.com").await.unwrap();
    let first = w.secret_to("zhengshi@example.com", "token=", 64).await;
    auth::request_reset(&w.db, &w.s, "zhengshi", "张三", "zhengshi@example.com").await.unwrap();
    let second = w.secret_to("zhengshi@example.com", "token=", 64).await;
    assert_ne!(first, second);
    assert!(matches!(auth::reset_password(&w.db, &first, "n3w-password", "n3w-password").await, Err(AppError::BadRequest(_))), "the earlier link is void");
    let (a, b) = tokio::join!(
        auth::reset_password(&w.db, &second, "first-pass-1", "first-pass-1"),
        auth::reset_password(&w.db, &second, "second-pass-2", "second-pass-2")
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|x| **x).count(), 1, "{a:?} {b:?}");
}

/// Expired captchas and sessions, never-activated accounts and old failure
/// counts are purged.
#[tokio::test]
async fn expired_rows_are_purged() {
    let w = World::new().await;
    let user = w.registrant("purgeme", "13900139003").await;
    auth::new_captcha(&w.db).await.unwrap();
    auth::register(&w.db, &w.s, &registration("neveractive", "13900139004")).await.unwrap();
    auth::login(&w.db, "ghost", "wrong-password").await.unwrap();
    auth::create_session(&w.db, &user.id, 1).await.unwrap();
    w.db.query(
        "UPDATE challenge SET expires_at = time::now() - 2h; UPDATE session SET expires_at = time::now() - 1s;
         UPDATE account SET created_at = time::now() - 3d WHERE status = 'pending'; UPDATE login_failure SET last_at = time::now() - 2d;",
    )
    .await
    .unwrap()
    .check()
    .unwrap();
    assert!(purge::purge_once(&w.db).await.unwrap() >= 4);
    let mut res = w.db.query("SELECT VALUE username FROM account; SELECT VALUE id FROM challenge; SELECT VALUE id FROM session; SELECT VALUE id FROM login_failure;").await.unwrap();
    assert_eq!(res.take::<Vec<String>>(0).unwrap(), vec!["purgeme".to_string()], "the active account stays");
    for i in 1..4 {
        assert!(res.take::<Vec<surrealdb::types::RecordId>>(i).unwrap().is_empty());
    }
}

// ------------------------------------------------------------ secrets

/// Codes, links and passwords never appear on the outbox page, nor stay in
/// a row once sent; codes are never on screen outside development.
#[tokio::test]
async fn secrets_are_masked_and_dropped() {
    let w = World::new().await;
    let sent = auth::register(&w.db, &w.s, &registration("qianliu", "13900139005")).await.unwrap();
    assert!(sent.shown_code.is_none());
    let code = w.secret_to("13900139005", "验证码为", 6).await;
    let page = outbox::latest(&w.db, 10).await.unwrap();
    assert!(page.iter().all(|m| !m.body.contains(&code)));
    let mut res = w.db.query("SELECT VALUE body FROM outbox; SELECT VALUE secret FROM outbox WHERE secret != NONE").await.unwrap();
    assert!(res.take::<Vec<String>>(0).unwrap().iter().all(|b| !b.contains(&code)), "bodies never hold the secret");
    assert!(res.take::<Vec<String>>(1).unwrap().is_empty(), "sent: the secret is gone");
    // Development shows the code only when nothing delivers it.
    let dev = World::with(|s| {
        s.dev = true;
        s.transport = app::ssr::outbox::Transport::None;
    })
    .await;
    assert!(auth::register(&dev.db, &dev.s, &registration("devuser", "13900139006")).await.unwrap().shown_code.is_some());
}

// ------------------------------------------------------------ other sponsors' data

/// The type check names nobody; 新增网站 needs the 备案密码; five wrong
/// guesses lock it; the provider re-issues it (audited).
#[tokio::test]
async fn filed_entities_need_their_password_and_name_nobody() {
    let w = World::new().await;
    let owner = w.registrant("filedowner", "13800138100").await;
    let stranger = w.registrant("stranger", "13800138101").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137100", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136100", Some(11)).await;
    let cert = uscc(21);
    let (_, done) = w.approved(&owner, &clerk, &bureau, &cert, "filed-one.cn").await;
    let licence = done.entity_licence.unwrap();

    let d = w.detect(&stranger, &cert, "stranger-new.cn").await.unwrap();
    assert_eq!((d.kind, d.needs_proof), (Some(BusinessKind::NewWebsite), true));
    let shown = format!("{d:?}");
    for private in ["星河", "张三", "13800138000", "zhang@example.com", licence.as_str()] {
        assert!(!shown.contains(private), "the type check shows {private:?}: {shown}");
    }
    assert!(matches!(w.start(&stranger, &cert, "stranger-new.cn").await, Err(AppError::Invalid(e)) if e.0[0].path == "proof"));
    for _ in 0..entity_proof::MAX_FAILURES - 1 {
        assert!(matches!(w.start_with(&stranger, &cert, "stranger-new.cn", "Guess-1234").await, Err(AppError::Invalid(_))));
    }
    assert!(conflict(w.start_with(&stranger, &cert, "stranger-new.cn", "Guess-1234").await).contains("分钟"), "locked after five");
    let password = w.secret_to("zhang@example.com", "备案密码：", 10).await;
    assert!(matches!(w.start_with(&owner, &cert, "filed-two.cn", &password).await, Err(AppError::Conflict(_))), "locked: even the right password waits");
    // The clerk issues a new one: audited, the old one void, the lock gone.
    let to = w.reissue(&clerk, &licence).await.unwrap();
    assert!(to.contains('*'), "{to}");
    let fresh = w.secret_to("zhang@example.com", "重新生成了备案密码：", 10).await;
    assert_ne!(fresh, password);
    assert!(matches!(w.start_with(&owner, &cert, "filed-two.cn", &password).await, Err(AppError::Invalid(_))));
    let draft = w.start_with(&owner, &cert, "filed-two.cn", &fresh).await.unwrap();
    assert_eq!(draft.kind, BusinessKind::NewWebsite);
    assert_eq!(draft.form.entity.cert_number, cert, "proved: the filed entity is filled in");
    let mut res = w.db.query("SELECT VALUE action FROM audit_event WHERE action = 'reissue_password'").await.unwrap();
    assert_eq!(res.take::<Vec<String>>(0).unwrap().len(), 1);
    // Only the provider re-issues.
    let cx = w.cx(Some(&owner), app::ssr::guard::Need::Role(&[Role::Registrant])).await.unwrap();
    assert!(matches!(app::ssr::review::reissue_password(&cx, &licence).await, Err(AppError::Forbidden)));
}

/// With BEIAN_ENTITY_VERIFY=code the proof is a code sent to the 主体负责人.
#[tokio::test]
async fn proof_by_code_goes_to_the_filed_leader() {
    let w = World::with(|s| s.entity_verify = entity_proof::Method::Code).await;
    let owner = w.registrant("codeowner", "13800138200").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137200", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136200", Some(11)).await;
    let cert = uscc(22);
    w.approved(&owner, &clerk, &bureau, &cert, "code-one.cn").await;
    let d = w.detect(&owner, &cert, "code-two.cn").await.unwrap();
    assert!(d.needs_proof && d.proof_by_code);
    let to = w.send_entity_code(&owner, &cert, "code-two.cn").await.unwrap();
    assert!(to.contains('*'));
    let code = w.secret_to("13800138000", "验证码", 8).await;
    let code: String = code.chars().filter(char::is_ascii_digit).take(6).collect();
    assert!(matches!(w.start_with(&owner, &cert, "code-two.cn", "000000x").await, Err(AppError::Invalid(_))));
    w.start_with(&owner, &cert, "code-two.cn", &code).await.unwrap();
}

// ------------------------------------------------------------ one path

/// A save racing a submit: the submitted filing is exactly what was
/// checked; a save that lost the race is refused, never applied after.
#[tokio::test]
async fn save_racing_submit_never_changes_a_submitted_filing() {
    let w = World::new().await;
    let reg = w.registrant("racer", "13800138300").await;
    let cert = uscc(31);
    let draft = w.start(&reg, &cert, "race-save.cn").await.unwrap();
    for kind in [MaterialKind::EntityCert, MaterialKind::LeaderPhoto] {
        w.upload(&reg, &draft.id, kind.code(), "a.png", png()).await.unwrap();
    }
    let good = form(&cert, "race-save.cn", false);
    w.save(&reg, &draft.id, STEP_CONFIRM, good.clone()).await.unwrap();
    let mut changed = good.clone();
    changed.websites[0].name = "改过的名字网".into();
    let (saved, submitted) = tokio::join!(w.save(&reg, &draft.id, STEP_CONFIRM, changed), w.submit(&reg, &draft.id));
    let detail = w.detail(&reg, &draft.id).await.unwrap();
    match (&saved, &submitted) {
        (Ok(_), Ok(_)) => {
            // The save came first: the submission carried it.
            let actions: Vec<_> = detail.timeline.iter().filter_map(|e| e.action).collect();
            assert_eq!(actions.last(), Some(&Action::Submit));
        }
        (Err(e), Ok(_)) => {
            assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
            assert_eq!(detail.form.websites[0].name, good.websites[0].name, "the late save changed nothing");
        }
        (Ok(_), Err(e)) => {
            // The save won: the submission saw a newer version and was refused, nothing lost.
            assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
            assert_eq!((detail.summary.status, detail.form.websites[0].name.as_str()), (ApplicationStatus::Draft, "改过的名字网"));
            return;
        }
        other => panic!("one of them must go through: {other:?}"),
    }
    assert_eq!(detail.summary.status, ApplicationStatus::PendingVerification);
}

/// A correction to a domain that another live filing holds is refused in
/// the same transaction (the claims are rebuilt there).
#[tokio::test]
async fn a_corrected_domain_filed_elsewhere_is_refused() {
    let w = World::new().await;
    let reg = w.registrant("corrector", "13800138400").await;
    let other = w.registrant("holder", "13800138401").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137400", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136400", Some(11)).await;
    w.submitted(&other, &uscc(41), "taken-elsewhere.cn", false).await;
    let id = w.submitted(&reg, &uscc(42), "mine-to-fix.cn", false).await;
    w.verify_and_pass(&clerk, &id).await;
    let v = w.version(&bureau, &id).await;
    w.reject(&bureau, &id, v, "域名有误").await.unwrap();
    let v = w.version(&clerk, &id).await;
    let to = |d: &str| vec![Edit { path: "websites[0].domains".into(), value: d.into() }, Edit { path: "websites[0].home_urls".into(), value: format!("www.{d}") }];
    let r = w.correct(&clerk, &id, v, &to("taken-elsewhere.cn")).await;
    conflict(r);
    let d = w.detail(&clerk, &id).await.unwrap();
    assert_eq!(d.form.websites[0].domains, "mine-to-fix.cn", "nothing changed");
    // A free domain is fine, and the claims follow it.
    w.correct(&clerk, &id, d.summary.version, &to("fixed-domain.cn")).await.unwrap();
    let mut res = w.db.query("SELECT VALUE domain FROM domain_claim WHERE application = type::record('application', $k)").bind(("k", id.clone())).await.unwrap();
    assert_eq!(res.take::<Vec<String>>(0).unwrap(), vec!["fixed-domain.cn".to_string()]);
}

/// Approval creates any claim that is missing; a second first filing of an
/// entity filed meanwhile is refused by the UNIQUE index on its certificate.
#[tokio::test]
async fn approval_claims_domains_and_an_entity_is_filed_once() {
    let w = World::new().await;
    let a = w.registrant("firsta", "13800138500").await;
    let b = w.registrant("firstb", "13800138501").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137500", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136500", Some(11)).await;
    let cert = uscc(51);
    let ida = w.submitted(&a, &cert, "same-entity-a.cn", false).await;
    let idb = w.submitted(&b, &cert, "same-entity-b.cn", false).await;
    for id in [&ida, &idb] {
        w.verify_and_pass(&clerk, id).await;
    }
    w.db.query("DELETE domain_claim WHERE domain = 'same-entity-a.cn'").await.unwrap().check().unwrap();
    let v = w.version(&bureau, &ida).await;
    w.approve(&bureau, &ida, v).await.unwrap();
    let mut res = w.db.query("SELECT VALUE domain FROM domain_claim WHERE domain = 'same-entity-a.cn'").await.unwrap();
    assert_eq!(res.take::<Vec<String>>(0).unwrap().len(), 1, "the claim is back");
    let v = w.version(&bureau, &idb).await;
    let m = conflict(w.approve(&bureau, &idb, v).await);
    assert!(m.contains("已备案") || m.contains("新增网站"), "{m}");
    assert_eq!(w.detail(&bureau, &idb).await.unwrap().summary.status, ApplicationStatus::PendingBureau);
}

/// Discarding a returned filing keeps the provider's 核验 evidence.
#[tokio::test]
async fn discarding_a_returned_filing_keeps_the_verification_evidence() {
    let w = World::new().await;
    let reg = w.registrant("discarder", "13800138600").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137600", None).await;
    let id = w.submitted(&reg, &uscc(61), "discard-me.cn", false).await;
    for kind in MaterialKind::STAFF {
        w.upload(&clerk, &id, kind.code(), "v.png", png()).await.unwrap();
    }
    let v = w.version(&clerk, &id).await;
    w.return_filing(&clerk, &id, v, &[Mark { path: "entity.address".into(), comment: "地址不全".into() }], "").await.unwrap();
    w.discard(&reg, &id).await.unwrap();
    let mut res = w.db.query("SELECT VALUE kind FROM material WHERE application = type::record('application', $k)").bind(("k", id.clone())).await.unwrap();
    let mut kinds = res.take::<Vec<String>>(0).unwrap();
    kinds.sort();
    assert_eq!(kinds, vec!["verification_form".to_string(), "verification_photo".to_string()]);
    assert_eq!(w.detail(&clerk, &id).await.unwrap().summary.status, ApplicationStatus::Abandoned);
}

/// A draft that cannot be read, or a status this version does not know,
/// is an error, never an empty draft.
#[tokio::test]
async fn unreadable_rows_are_refused_not_emptied() {
    let w = World::new().await;
    let reg = w.registrant("broken", "13800138700").await;
    let draft = w.start(&reg, &uscc(71), "broken-draft.cn").await.unwrap();
    w.db.query("UPDATE type::record('application', $k) SET draft = '{not json'").bind(("k", draft.id.clone())).await.unwrap().check().unwrap();
    assert!(matches!(w.current_draft(&reg).await, Err(AppError::Conflict(_))));
    assert!(matches!(w.save(&reg, &draft.id, 1, form(&uscc(71), "broken-draft.cn", false)).await, Err(AppError::Conflict(_))), "no save over it");
    let bad = w.db.query("UPDATE type::record('application', $k) SET draft = '{}', status = 'someday'").bind(("k", draft.id.clone())).await.unwrap().check();
    // An unknown status cannot even be stored (the schema's ASSERT); the
    // loader refuses one anyway (application::AppRow), never a draft.
    assert!(bad.is_err(), "the schema refuses a status it does not know");
    assert!(!matches!(w.current_draft(&reg).await, Ok(Some(d)) if d.form == Default::default()));
}

/// Sizes are bounded before anything else reads a form.
#[tokio::test]
async fn oversized_drafts_are_refused() {
    let w = World::new().await;
    let reg = w.registrant("bigone", "13800138800").await;
    let draft = w.start(&reg, &uscc(81), "big-draft.cn").await.unwrap();
    let mut f = form(&uscc(81), "big-draft.cn", false);
    f.entity.remark = "长".repeat(5000);
    assert!(matches!(w.save(&reg, &draft.id, 1, f).await, Err(AppError::Invalid(e)) if e.0[0].path == "entity.remark"));
    let mut f = form(&uscc(81), "big-draft.cn", false);
    f.websites = vec![f.websites[0].clone(); 101];
    assert!(matches!(w.save(&reg, &draft.id, 1, f).await, Err(AppError::Invalid(_))));
    for i in 0..app::ssr::materials::MAX_PER_FILING {
        w.upload(&reg, &draft.id, "other", &format!("{i}.png"), png()).await.unwrap();
    }
    assert!(w.upload(&reg, &draft.id, "other", "one-more.png", png()).await.is_err(), "materials per filing are bounded");
}

// ------------------------------------------------------------ messages

/// A "crash" between the commit and the send: the rows wait in the outbox
/// (pending, or leased by a worker that died) and a new worker sends them.
#[tokio::test]
async fn messages_committed_before_a_crash_are_sent_after_restart() {
    let w = World::new().await;
    let reg = w.registrant("crashy", "13800138900").await;
    let before = w.sent().await.len();
    // Submit commits its notices with the state change; nobody sends them yet.
    w.submitted(&reg, &uscc(91), "crash-send.cn", false).await;
    let mut res = w.db.query("SELECT VALUE id FROM outbox WHERE status = 'pending'").await.unwrap();
    let pending = res.take::<Vec<surrealdb::types::RecordId>>(0).unwrap().len();
    assert!(pending >= 2, "the notices are in the outbox");
    // A worker claimed them and died: its lease runs out, then they go.
    let (dead, dead_sink) = app::ssr::outbox::Transport::memory();
    w.db.query("UPDATE outbox SET lease_until = time::now() + 1h WHERE status = 'pending'").await.unwrap().check().unwrap();
    assert_eq!(outbox::deliver_due(&w.db, &dead, 50).await.unwrap(), 0, "leased rows are not taken twice");
    assert!(dead_sink.lock().unwrap().is_empty());
    w.db.query("UPDATE outbox SET lease_until = time::now() - 1s WHERE status = 'pending'").await.unwrap().check().unwrap();
    let sent = w.sent().await;
    assert_eq!(sent.len(), before + pending);
    assert!(sent.iter().any(|m| m.body.contains("已提交")));
}

/// Two tabs on one draft: the save from the older page is refused and the
/// newer data is kept (issue 10).
#[tokio::test]
async fn a_save_from_an_older_page_is_refused() {
    let w = World::new().await;
    let reg = w.registrant("twotabs", "13800138990").await;
    let cert = uscc(99);
    let draft = w.start(&reg, &cert, "two-tabs.cn").await.unwrap();
    let mut a = form(&cert, "two-tabs.cn", false);
    a.entity.address = "北京市海淀区一号".into();
    let saved = w.save_from(&reg, &draft.id, 1, a.clone(), draft.version).await.unwrap();
    assert!(saved.version > draft.version);
    let mut b = form(&cert, "two-tabs.cn", false);
    b.entity.address = "北京市朝阳区二号".into();
    let refused = conflict(w.save_from(&reg, &draft.id, 1, b, draft.version).await);
    assert!(refused.contains("已在其他窗口或设备修改"), "{refused}");
    assert_eq!(w.current_draft(&reg).await.unwrap().unwrap().form.entity.address, "北京市海淀区一号");
}
