//! The review workflow against `mem://`: every transition and refusal, the
//! numbers (format, uniqueness under concurrent approvals), notifications,
//! the audit trail, and who may call what.
#![cfg(feature = "ssr")]

use app::domain::filing::{FilingForm, MaterialKind, STEP_CONFIRM};
use app::domain::licence::{parse_entity_licence, parse_service_licence};
use app::domain::org_id::{org_check_char, uscc_check_char};
use app::domain::review::{Edit, Mark};
use app::domain::workflow::Role;
use app::error::AppError;
use app::models::QueueFilter;
use app::ssr::accounts::{create_user, NewUser};
use app::ssr::auth::{self, CurrentUser, LoginOutcome};
use app::ssr::db::{open_memory, Db};
use app::ssr::review::{self, Queue};
use app::ssr::{filings, outbox, Settings};

fn settings() -> Settings {
    Settings::default()
}

async fn user(db: &Db, username: &str, role: Role, mobile: &str, province: Option<u8>) -> CurrentUser {
    create_user(
        db,
        NewUser {
            username: username.into(),
            password: "s3cret-pass".into(),
            role,
            contact_name: format!("{username}经办人"),
            email: format!("{username}@example.com"),
            mobile: mobile.into(),
            province,
        },
    )
    .await
    .unwrap();
    let LoginOutcome::Ok(id) = auth::login(db, username, "s3cret-pass").await.unwrap() else { panic!("sign-in failed") };
    let token = auth::create_session(db, &id, 1).await.unwrap();
    auth::session_user(db, &token).await.unwrap().unwrap()
}

fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.resize(2048, 7);
    b
}

/// A valid USCC for Beijing from a number (distinct numbers, distinct codes).
fn uscc(n: u32) -> String {
    let mut i = n;
    loop {
        let body = format!("{:08}", 10_000_000 + i);
        if let Some(check) = org_check_char(&body) {
            let first17 = format!("91110108{body}{check}");
            if let Some(c) = uscc_check_char(&first17) {
                return format!("{first17}{c}");
            }
        }
        i += 100_000;
    }
}

fn form(cert: &str, domain: &str, pre_approval: bool) -> FilingForm {
    let mut f: FilingForm = serde_json::from_value(serde_json::json!({
        "entity": {
            "unit_name": "北京星河网络科技有限公司", "nature": "4", "cert_type": "12", "cert_number": cert,
            "cert_address": "北京市海淀区上地十街10号", "province": "11", "address": "北京市海淀区上地十街10号",
            "investor": "星河集团",
            "leader": { "name": "张三", "cert_type": "1", "cert_number": "11010519491231002X", "valid_from": "20200101", "long_term": true,
                        "mobile": "13800138000", "phone": "010-12345678", "emergency_phone": "13900139000", "email": "zhang@example.com" }
        },
        "websites": [{
            "name": "星河搜索服务网", "domains": domain, "home_urls": format!("www.{domain}"), "content_types": [4],
            "no_pre_approval": !pre_approval, "language": "1", "same_leader": true,
            "access": { "provider_name": "北京示例云计算有限公司", "method": "2", "ips": "1.2.4.8", "server_province": "11" }
        }]
    }))
    .unwrap();
    if pre_approval {
        f.websites[0].pre_approvals = vec![1];
        f.websites[0].pre_approval_number = "京新出审字2026第001号".into();
    }
    f
}

/// A submitted first filing: returns its id.
async fn submitted(db: &Db, who: &CurrentUser, cert: &str, domain: &str, pre_approval: bool) -> String {
    let s = settings();
    let draft = filings::start_draft(db, &s, who, cert, domain).await.unwrap();
    for kind in [MaterialKind::EntityCert, MaterialKind::LeaderPhoto] {
        filings::add_material(db, who, &draft.id, kind.code(), "a.png", png()).await.unwrap();
    }
    if pre_approval {
        filings::add_material(db, who, &draft.id, MaterialKind::PreApproval.code(), "p.png", png()).await.unwrap();
    }
    filings::save_draft(db, &s, who, &draft.id, STEP_CONFIRM, form(cert, domain, pre_approval)).await.unwrap();
    filings::submit(db, &s, who, &draft.id).await.unwrap();
    draft.id
}

async fn version(db: &Db, who: &CurrentUser, id: &str) -> i64 {
    filings::filing_detail(db, who, id).await.unwrap().summary.version
}

/// Upload the 核验 photo and form, then pass with an opinion.
async fn verify_and_pass(db: &Db, clerk: &CurrentUser, id: &str) {
    for kind in MaterialKind::STAFF {
        filings::add_material(db, clerk, id, kind.code(), "v.png", png()).await.unwrap();
    }
    let v = version(db, clerk, id).await;
    review::pass(db, &settings(), clerk, id, v, "已当面核验，信息真实").await.unwrap();
}

fn conflict<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Conflict(m)) => m.zh,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>) {
    assert!(matches!(r, Err(AppError::Forbidden)), "expected 403, got {r:?}");
}

#[tokio::test]
async fn return_fix_resubmit_pass_approve() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let reg = user(&db, "owner", Role::Registrant, "13800138000", None).await;
    let clerk = user(&db, "clerk", Role::Provider, "13700137000", None).await;
    let bureau = user(&db, "bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let cert = uscc(1);
    let id = submitted(&db, &reg, &cert, "xinghe-review.cn", false).await;

    // The 核实 queue has it; the 管局's does not yet.
    let q = review::queue(&db, &clerk, Queue::Verify, &QueueFilter::default()).await.unwrap();
    assert_eq!(q.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), vec![id.as_str()]);
    assert!(review::queue(&db, &bureau, Queue::Bureau, &QueueFilter::default()).await.unwrap().is_empty());
    // The 管局 cannot even read it before it is passed.
    forbidden(filings::filing_detail(&db, &bureau, &id).await);

    // Return with one field marked; a stale version or no mark is refused.
    let v = version(&db, &clerk, &id).await;
    let mark = vec![Mark { path: "entity.address".into(), comment: "与证件住所不一致，请按营业执照填写".into() }];
    assert!(matches!(review::return_filing(&db, &s, &clerk, &id, v, &[], "").await, Err(AppError::Invalid(_))));
    conflict(review::return_filing(&db, &s, &clerk, &id, v - 1, &mark, "").await);
    let r = review::return_filing(&db, &s, &clerk, &id, v, &mark, "请修改").await.unwrap();
    assert_eq!(r.status, "returned");
    // Passing now is refused: it is with the registrant.
    assert!(conflict(review::pass(&db, &s, &clerk, &id, r.version, "核实通过了").await).contains("退回修改"));

    // The registrant sees the mark (without the clerk's name) in the wizard.
    let opened = filings::open_filing(&db, &s, &reg, &id).await.unwrap();
    assert_eq!(opened.status, "returned");
    assert_eq!(opened.annotations.len(), 1);
    assert_eq!(opened.annotations[0].path, "entity.address");
    assert!(opened.annotations[0].by.is_empty());
    // The e-mail and SMS say why.
    let sent = outbox::latest(&db, 20).await.unwrap();
    assert!(sent.iter().filter(|m| m.body.contains("退回修改") && m.body.contains("与证件住所不一致")).count() >= 2);

    // Resubmitting without changing the marked field is refused, on that field.
    match filings::submit(&db, &s, &reg, &id).await {
        Err(AppError::Invalid(e)) => assert_eq!((e.0.len(), e.0[0].path.as_str(), e.0[0].code.as_str()), (1, "entity.address", "marks.unchanged")),
        other => panic!("{other:?}"),
    }
    let mut f = opened.form.clone();
    f.entity.address = "北京市海淀区上地十街10号百度大厦2层".into();
    filings::save_draft(&db, &s, &reg, &id, STEP_CONFIRM, f).await.unwrap();
    let again = filings::submit(&db, &s, &reg, &id).await.unwrap();
    assert_eq!(again.status, "pending_verification");
    // Resubmitting while in review is refused.
    conflict(filings::submit(&db, &s, &reg, &id).await);

    // Pass needs the 核验 photo and form, and an opinion.
    let v = version(&db, &clerk, &id).await;
    assert!(matches!(review::pass(&db, &s, &clerk, &id, v, "").await, Err(AppError::Invalid(_))));
    match review::pass(&db, &s, &clerk, &id, v, "已当面核验").await {
        Err(AppError::Invalid(e)) => assert!(e.0.iter().any(|e| e.path == "materials.verification_photo")),
        other => panic!("{other:?}"),
    }
    // Registrants cannot upload the 核验 files.
    forbidden(filings::add_material(&db, &reg, &id, "verification_photo", "v.png", png()).await);
    verify_and_pass(&db, &clerk, &id).await;
    let detail = filings::filing_detail(&db, &clerk, &id).await.unwrap();
    assert_eq!(detail.summary.status, "pending_bureau");
    let ver = detail.verification.clone().unwrap();
    assert_eq!(ver.by, "clerk经办人");
    assert!(ver.photo.is_some() && ver.form.is_some());
    // The registrant's view hides the clerk's name.
    assert!(filings::filing_detail(&db, &reg, &id).await.unwrap().verification.unwrap().by.is_empty());

    // A registrant cannot approve; a 管局 of another province cannot see it.
    let v = version(&db, &bureau, &id).await;
    forbidden(review::approve(&db, &s, &reg, &id, v).await);
    let sh = user(&db, "bureau_sh", Role::Bureau, "13500135000", Some(31)).await;
    forbidden(review::approve(&db, &s, &sh, &id, v).await);
    assert!(review::queue(&db, &sh, Queue::Bureau, &QueueFilter::default()).await.unwrap().is_empty());

    let done = review::approve(&db, &s, &bureau, &id, v).await.unwrap();
    assert_eq!(done.status, "approved");
    let main = done.entity_licence.clone().unwrap();
    let parsed = parse_entity_licence(&main).unwrap();
    assert_eq!((parsed.province, parsed.seq), (11, 1));
    assert!(main.starts_with("京ICP备20") && main.ends_with("000001号"), "{main}");
    assert_eq!(done.website_licences, vec![format!("{main}-1")]);
    assert!(parse_service_licence(&done.website_licences[0]).is_ok());
    // Approving twice: it is approved already.
    assert!(conflict(review::approve(&db, &s, &bureau, &id, v).await).contains("已通过"));

    // The public query finds it by domain at once.
    let lookup = app::domain::lookup::parse_lookup("xinghe-review.cn").unwrap();
    let found = app::ssr::public::search(&db, &lookup, 1, 10).await.unwrap();
    assert_eq!(found.items[0].service_licence, format!("{main}-1"));
    // The filing password went to the 主体负责人, the numbers to the registrant.
    let sent = outbox::latest(&db, 40).await.unwrap();
    assert!(sent.iter().any(|m| m.recipient == "zhang@example.com" && m.body.contains("备案密码")));
    assert!(sent.iter().any(|m| m.recipient == reg.email && m.body.contains(&main)));
    assert!(sent.iter().any(|m| m.recipient == reg.mobile && m.body.contains(&main)));

    // The timeline has every step; registrants see roles only.
    let t = filings::filing_detail(&db, &reg, &id).await.unwrap().timeline;
    let actions: Vec<&str> = t.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "submit", "return", "edit", "resubmit", "pass", "approve"]);
    assert!(t.iter().all(|e| e.actor.is_empty()));
    let staff_view = filings::filing_detail(&db, &clerk, &id).await.unwrap().timeline;
    assert_eq!(staff_view[2].actor, "clerk经办人");
    assert_eq!(staff_view[2].from_status.as_deref(), Some("pending_verification"));
    assert!(staff_view[3].comment.contains("通信地址"), "{:?}", staff_view[3]);

    // Audit events cannot be changed or removed, even by a direct query.
    assert!(db.query("UPDATE audit_event SET comment = 'x'").await.unwrap().check().is_err());
    assert!(db.query("DELETE audit_event").await.unwrap().check().is_err());
    assert_eq!(filings::filing_detail(&db, &clerk, &id).await.unwrap().timeline.len(), 7);

    // A new website for the same entity continues its sequence: …号-2.
    let id2 = submitted(&db, &reg, &cert, "xinghe-second.cn", false).await;
    assert_eq!(filings::filing_detail(&db, &reg, &id2).await.unwrap().summary.kind, "new_website");
    verify_and_pass(&db, &clerk, &id2).await;
    let v = version(&db, &bureau, &id2).await;
    let second = review::approve(&db, &s, &bureau, &id2, v).await.unwrap();
    assert_eq!(second.entity_licence.as_deref(), Some(main.as_str()));
    assert_eq!(second.website_licences, vec![format!("{main}-2")]);
}

#[tokio::test]
async fn rejection_correction_and_pre_approval() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let reg = user(&db, "owner", Role::Registrant, "13800138000", None).await;
    let clerk = user(&db, "clerk", Role::Provider, "13700137000", None).await;
    let bureau = user(&db, "bureau_bj", Role::Bureau, "13600136000", None).await;
    let id = submitted(&db, &reg, &uscc(2), "news-site.cn", true).await;
    verify_and_pass(&db, &clerk, &id).await;

    // Content needing 前置审批 cannot be approved straight away.
    let v = version(&db, &bureau, &id).await;
    assert!(conflict(review::approve(&db, &s, &bureau, &id, v).await).contains("前置审批"));
    // Reject needs a reason; the provider gets it back.
    assert!(matches!(review::reject(&db, &s, &bureau, &id, v, " ").await, Err(AppError::Invalid(_))));
    let r = review::reject(&db, &s, &bureau, &id, v, "网站名称与内容不符").await.unwrap();
    assert_eq!(r.status, "bureau_rejected");
    let q = review::queue(&db, &clerk, Queue::Verify, &QueueFilter::default()).await.unwrap();
    assert_eq!(q[0].id, id);
    assert_eq!(filings::filing_detail(&db, &reg, &id).await.unwrap().reject_reason.as_deref(), Some("网站名称与内容不符"));
    // The registrant cannot edit it (it is with the provider).
    conflict(filings::open_filing(&db, &s, &reg, &id).await);

    // The provider corrects a text field on the registrant's behalf: checked by the same rules.
    let v = version(&db, &clerk, &id).await;
    assert!(matches!(review::correct(&db, &clerk, &id, v, &[Edit { path: "websites[0].name".into(), value: "中国".into() }]).await, Err(AppError::Invalid(_))));
    assert!(matches!(review::correct(&db, &clerk, &id, v, &[Edit { path: "entity.nature".into(), value: "5".into() }]).await, Err(AppError::Invalid(_))));
    forbidden(review::correct(&db, &reg, &id, v, &[Edit { path: "websites[0].name".into(), value: "星河新闻网".into() }]).await);
    review::correct(&db, &clerk, &id, v, &[Edit { path: "websites[0].name".into(), value: "星河新闻资讯网".into() }]).await.unwrap();
    let detail = filings::filing_detail(&db, &clerk, &id).await.unwrap();
    assert_eq!(detail.form.websites[0].name, "星河新闻资讯网");
    let last = detail.timeline.last().unwrap();
    assert_eq!((last.action.as_str(), last.role.as_str()), ("correct", "provider"));
    // Pass again; the 管局 checks the approval documents, then approves.
    let v = detail.summary.version;
    review::pass(&db, &s, &clerk, &id, v, "已按管局意见修改网站名称").await.unwrap();
    let v = version(&db, &bureau, &id).await;
    let pre = review::require_pre_approval(&db, &s, &bureau, &id, v, "核对新闻出版前置审批文件").await.unwrap();
    assert_eq!(pre.status, "pre_approval");
    let done = review::approve(&db, &s, &bureau, &id, pre.version).await.unwrap();
    assert_eq!(done.status, "approved");
    let mut res = db.query("SELECT VALUE pre_approvals[0].number FROM ONLY type::record('website', $k)").bind(("k", format!("{id}_1"))).await.unwrap();
    let number: Option<String> = res.take(0).unwrap();
    assert_eq!(number.as_deref(), Some("京新出审字2026第001号"));

    // The whole state machine's refusals: nothing moves an approved filing.
    conflict(review::reject(&db, &s, &bureau, &id, done.version, "再驳回一次").await);
    conflict(review::return_filing(&db, &s, &clerk, &id, done.version, &[Mark { path: "entity.address".into(), comment: "x".into() }], "").await);
    // A draft cannot be approved (the 管局 cannot even see it).
    let draft = filings::start_draft(&db, &s, &reg, &uscc(3), "draft-only.cn").await.unwrap();
    forbidden(review::approve(&db, &s, &bureau, &draft.id, 0).await);
    forbidden(review::pass(&db, &s, &clerk, &draft.id, 0, "核实通过了").await);
}

/// Two reviewers act on the same filing at the same moment: one wins.
#[tokio::test]
async fn one_of_two_concurrent_reviewers_wins() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let reg = user(&db, "owner", Role::Registrant, "13800138000", None).await;
    let a = user(&db, "clerk_a", Role::Provider, "13700137000", None).await;
    let b = user(&db, "clerk_b", Role::Provider, "13700137001", None).await;
    let id = submitted(&db, &reg, &uscc(4), "race.cn", false).await;
    let v = version(&db, &a, &id).await;
    let mark = vec![Mark { path: "entity.address".into(), comment: "地址不全".into() }];
    let (ra, rb) = tokio::join!(review::return_filing(&db, &s, &a, &id, v, &mark, ""), review::return_filing(&db, &s, &b, &id, v, &mark, ""));
    let wins = [ra.is_ok(), rb.is_ok()].iter().filter(|w| **w).count();
    assert_eq!(wins, 1, "{ra:?} {rb:?}");
    let loser = if ra.is_ok() { rb } else { ra };
    assert!(conflict(loser).contains("已被他人处理"));
    let t = filings::filing_detail(&db, &a, &id).await.unwrap().timeline;
    assert_eq!(t.iter().filter(|e| e.action == "return").count(), 1);
}

/// Many approvals at once in one province: numbers are unique and none skipped.
#[tokio::test]
async fn concurrent_approvals_number_without_gaps() {
    const N: u32 = 16;
    let db = open_memory().await.unwrap();
    let s = settings();
    let clerk = user(&db, "clerk", Role::Provider, "13700137000", None).await;
    let bureau = user(&db, "bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let mut ids = Vec::new();
    for i in 0..N {
        let reg = user(&db, &format!("owner{i}"), Role::Registrant, &format!("1380013{:04}", 8000 + i), None).await;
        let id = submitted(&db, &reg, &uscc(100 + i), &format!("site{i}.cn"), false).await;
        verify_and_pass(&db, &clerk, &id).await;
        ids.push(id);
    }
    let mut tasks = Vec::new();
    for id in ids.clone() {
        let (db, s, bureau) = (db.clone(), s.clone(), bureau.clone());
        tasks.push(tokio::spawn(async move {
            let v = filings::filing_detail(&db, &bureau, &id).await.unwrap().summary.version;
            review::approve(&db, &s, &bureau, &id, v).await
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        let done = t.await.unwrap().unwrap();
        let main = done.entity_licence.unwrap();
        seqs.push(parse_entity_licence(&main).unwrap().seq);
        assert_eq!(done.website_licences, vec![format!("{main}-1")]);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=N).collect::<Vec<_>>());
    let mut res = db.query("SELECT VALUE last FROM ONLY counter:licence_11").await.unwrap();
    let last: Option<i64> = res.take(0).unwrap();
    assert_eq!(last, Some(i64::from(N)));
}

/// Every server function of the review × every kind of caller.
#[tokio::test]
async fn authorisation_matrix() {
    let db = open_memory().await.unwrap();
    let s = settings();
    let owner = user(&db, "owner", Role::Registrant, "13800138000", None).await;
    let other = user(&db, "other", Role::Registrant, "13800138001", None).await;
    let clerk = user(&db, "clerk", Role::Provider, "13700137000", None).await;
    let bureau = user(&db, "bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let id = submitted(&db, &owner, &uscc(5), "matrix.cn", false).await;
    let v = version(&db, &clerk, &id).await;
    let mark = vec![Mark { path: "entity.address".into(), comment: "地址不全".into() }];
    let edit = vec![Edit { path: "entity.address".into(), value: "北京市海淀区1号".into() }];
    let f = QueueFilter::default();

    // Registrants (the owner too) and the 管局 may not do the provider's work.
    for who in [&owner, &other, &bureau] {
        forbidden(review::queue(&db, who, Queue::Verify, &f).await);
        forbidden(review::queue(&db, who, Queue::Progress, &f).await);
        forbidden(review::correct(&db, who, &id, v, &edit).await);
        forbidden(filings::add_material(&db, who, &id, "verification_form", "v.png", png()).await);
    }
    for who in [&owner, &other] {
        forbidden(review::return_filing(&db, &s, who, &id, v, &mark, "").await);
        forbidden(review::pass(&db, &s, who, &id, v, "核实通过了").await);
    }
    // The 管局 cannot read a filing still at the provider.
    forbidden(review::return_filing(&db, &s, &bureau, &id, v, &mark, "").await);
    forbidden(review::pass(&db, &s, &bureau, &id, v, "核实通过了").await);
    // Nobody but the 管局 decides.
    for who in [&owner, &other, &clerk] {
        forbidden(review::queue(&db, who, Queue::Bureau, &f).await);
        forbidden(review::approve(&db, &s, who, &id, v).await);
        forbidden(review::reject(&db, &s, who, &id, v, "不通过的原因").await);
        forbidden(review::require_pre_approval(&db, &s, who, &id, v, "核对审批文件").await);
    }
    // Another registrant cannot read, open or download it; staff open no wizard.
    forbidden(filings::filing_detail(&db, &other, &id).await);
    forbidden(filings::open_filing(&db, &s, &other, &id).await);
    forbidden(filings::open_filing(&db, &s, &clerk, &id).await);
    let m = filings::filing_detail(&db, &owner, &id).await.unwrap().materials[0].id.clone();
    forbidden(filings::material_file(&db, &other, &m).await);
    assert!(filings::material_file(&db, &clerk, &m).await.is_ok());
    forbidden(filings::material_file(&db, &bureau, &m).await);
    // Nothing moved.
    assert_eq!(version(&db, &clerk, &id).await, v);
    // The provider may.
    assert!(review::queue(&db, &clerk, Queue::Progress, &f).await.unwrap().iter().any(|x| x.id == id));
    review::return_filing(&db, &s, &clerk, &id, v, &mark, "").await.unwrap();
}

#[tokio::test]
async fn progress_query_filters() {
    let db = open_memory().await.unwrap();
    let clerk = user(&db, "clerk", Role::Provider, "13700137000", None).await;
    let reg = user(&db, "owner", Role::Registrant, "13800138000", None).await;
    let a = submitted(&db, &reg, &uscc(6), "alpha-progress.cn", false).await;
    let b = submitted(&db, &reg, &uscc(7), "beta-progress.cn", false).await;
    verify_and_pass(&db, &clerk, &b).await;
    let q = |f: QueueFilter| {
        let (db, clerk) = (db.clone(), clerk.clone());
        async move { review::queue(&db, &clerk, Queue::Progress, &f).await.map(|v| v.into_iter().map(|x| x.id).collect::<Vec<_>>()) }
    };
    assert_eq!(q(QueueFilter::default()).await.unwrap().len(), 2);
    assert_eq!(q(QueueFilter { status: "pending_bureau".into(), ..Default::default() }).await.unwrap(), vec![b.clone()]);
    assert_eq!(q(QueueFilter { domain: "alpha".into(), ..Default::default() }).await.unwrap(), vec![a.clone()]);
    assert_eq!(q(QueueFilter { name: "星河".into(), ..Default::default() }).await.unwrap().len(), 2);
    assert!(q(QueueFilter { name: "不存在的单位".into(), ..Default::default() }).await.unwrap().is_empty());
    assert_eq!(q(QueueFilter { province: "11".into(), ..Default::default() }).await.unwrap().len(), 2);
    assert!(q(QueueFilter { province: "31".into(), ..Default::default() }).await.unwrap().is_empty());
    let today = filings::today();
    let d = format!("{:04}-{:02}-{:02}", today.year, today.month, today.day);
    assert_eq!(q(QueueFilter { from: d.clone(), to: d, ..Default::default() }).await.unwrap().len(), 2);
    assert!(q(QueueFilter { to: "2020-01-01".into(), ..Default::default() }).await.unwrap().is_empty());
    assert!(matches!(q(QueueFilter { from: "yesterday".into(), ..Default::default() }).await, Err(AppError::Invalid(_))));
    assert!(matches!(q(QueueFilter { status: "draft".into(), ..Default::default() }).await, Err(AppError::BadRequest(_))));
    assert!(matches!(q(QueueFilter { province: "99".into(), ..Default::default() }).await, Err(AppError::BadRequest(_))));
}
