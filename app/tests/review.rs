//! The review workflow against `mem://`: every transition and refusal, the
//! numbers (format, uniqueness under concurrent approvals), notifications,
//! the audit trail, and who may do what.
#![cfg(feature = "ssr")]

mod common;

use app::domain::filing::STEP_CONFIRM;
use app::domain::licence::{parse_entity_licence, parse_service_licence};
use app::domain::review::{Edit, Mark};
use app::domain::workflow::{Action, ApplicationStatus, BusinessKind, Queue, Role};
use app::error::AppError;
use app::models::QueueFilter;
use app::ssr::outbox;
use common::{conflict, forbidden, png, uscc, World};

#[tokio::test]
async fn return_fix_resubmit_pass_approve() {
    let w = World::new().await;
    let reg = w.registrant("owner", "13800138000").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137000", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let cert = uscc(1);
    let id = w.submitted(&reg, &cert, "xinghe-review.cn", false).await;

    // The 核实 queue has it; the 管局's does not yet.
    let q = w.queue(&clerk, Queue::Verify, &QueueFilter::default()).await.unwrap();
    assert_eq!(q.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), vec![id.as_str()]);
    assert!(w.queue(&bureau, Queue::Bureau, &QueueFilter::default()).await.unwrap().is_empty());
    // The 管局 cannot even read it before it is passed.
    forbidden(w.detail(&bureau, &id).await);

    // Return with one field marked; a stale version or no mark is refused.
    let v = w.version(&clerk, &id).await;
    let mark = vec![Mark { path: "entity.address".into(), comment: "与证件住所不一致，请按营业执照填写".into() }];
    assert!(matches!(w.return_filing(&clerk, &id, v, &[], "").await, Err(AppError::Invalid(_))));
    conflict(w.return_filing(&clerk, &id, v - 1, &mark, "").await);
    let r = w.return_filing(&clerk, &id, v, &mark, "请修改").await.unwrap();
    assert_eq!(r.status, ApplicationStatus::Returned);
    // Passing now is refused: it is with the registrant.
    assert!(conflict(w.pass(&clerk, &id, r.version, "核实通过了").await).contains("退回修改"));

    // The registrant sees the mark (without the clerk's name) in the wizard.
    let first_submission = || async {
        let mut res = w.db.query("SELECT VALUE <string> submitted_at FROM ONLY type::record('application', $k)").bind(("k", id.clone())).await.unwrap();
        res.take::<Option<String>>(0).unwrap().unwrap()
    };
    let submitted_at = first_submission().await;
    let opened = w.open(&reg, &id).await.unwrap();
    assert_eq!(opened.status, ApplicationStatus::Returned);
    assert_eq!(opened.annotations.len(), 1);
    assert_eq!(opened.annotations[0].path, "entity.address");
    assert!(opened.annotations[0].by.is_empty());
    // The e-mail and SMS say why.
    let sent = outbox::latest(&w.db, 20).await.unwrap();
    assert!(sent.iter().filter(|m| m.body.contains("退回修改") && m.body.contains("与证件住所不一致")).count() >= 2);

    // Resubmitting without changing the marked field is refused, on that field.
    match w.submit(&reg, &id).await {
        Err(AppError::Invalid(e)) => assert_eq!((e.0.len(), e.0[0].path.as_str(), e.0[0].code.as_str()), (1, "entity.address", "marks.unchanged")),
        other => panic!("{other:?}"),
    }
    let mut f = opened.form.clone();
    f.entity.address = "北京市海淀区上地十街10号百度大厦2层".into();
    w.save(&reg, &id, STEP_CONFIRM, f).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let again = w.submit(&reg, &id).await.unwrap();
    assert_eq!(first_submission().await, submitted_at, "the first 提交时间 is kept; the resubmission is in the timeline");
    assert_eq!(again.status, ApplicationStatus::PendingVerification);
    // Resubmitting while in review is refused.
    conflict(w.submit(&reg, &id).await);

    // Pass needs the 核验 photo and form, and an opinion.
    let v = w.version(&clerk, &id).await;
    assert!(matches!(w.pass(&clerk, &id, v, "").await, Err(AppError::Invalid(_))));
    match w.pass(&clerk, &id, v, "已当面核验").await {
        Err(AppError::Invalid(e)) => assert!(e.0.iter().any(|e| e.path == "materials.verification_photo")),
        other => panic!("{other:?}"),
    }
    // Registrants cannot upload the 核验 files.
    forbidden(w.upload(&reg, &id, "verification_photo", "v.png", png()).await);
    w.verify_and_pass(&clerk, &id).await;
    let detail = w.detail(&clerk, &id).await.unwrap();
    assert_eq!(detail.summary.status, ApplicationStatus::PendingBureau);
    let ver = detail.verification.clone().unwrap();
    assert_eq!(ver.by, "clerk经办人");
    assert!(ver.photo.is_some() && ver.form.is_some());
    // The registrant's view hides the clerk's name.
    assert!(w.detail(&reg, &id).await.unwrap().verification.unwrap().by.is_empty());

    // A registrant cannot approve; a 管局 of another province cannot see it.
    let v = w.version(&bureau, &id).await;
    forbidden(w.approve(&reg, &id, v).await);
    let sh = w.staff("bureau_sh", Role::Bureau, "13500135000", Some(31)).await;
    forbidden(w.approve(&sh, &id, v).await);
    assert!(w.queue(&sh, Queue::Bureau, &QueueFilter::default()).await.unwrap().is_empty());

    let done = w.approve(&bureau, &id, v).await.unwrap();
    assert_eq!(done.status, ApplicationStatus::Approved);
    let main = done.entity_licence.clone().unwrap();
    let parsed = parse_entity_licence(&main).unwrap();
    assert_eq!((parsed.province, parsed.seq), (11, 1));
    assert!(main.starts_with("京ICP备20") && main.ends_with("000001号"), "{main}");
    assert_eq!(done.website_licences, vec![format!("{main}-1")]);
    assert!(parse_service_licence(&done.website_licences[0]).is_ok());
    // Approving twice: it is approved already.
    assert!(conflict(w.approve(&bureau, &id, v).await).contains("已通过"));

    // The public query finds it by domain at once.
    let found = w.public("xinghe-review.cn").await;
    assert_eq!(found.items[0].service_licence, format!("{main}-1"));
    // The filing password went to the 主体负责人, the numbers to the registrant.
    let sent = outbox::latest(&w.db, 40).await.unwrap();
    assert!(sent.iter().any(|m| m.recipient == "zhang@example.com" && m.body.contains("备案密码")));
    assert!(sent.iter().any(|m| m.recipient == reg.email && m.body.contains(&main)));
    assert!(sent.iter().any(|m| m.recipient == reg.mobile && m.body.contains(&main)));

    // The timeline has every step; registrants see roles only.
    let t = w.detail(&reg, &id).await.unwrap().timeline;
    let actions: Vec<&str> = t.iter().map(|e| e.action.map(Action::code).unwrap_or("?")).collect();
    assert_eq!(actions, vec!["create", "submit", "return", "edit", "resubmit", "verify", "verify", "pass", "approve"]);
    assert!(t.iter().all(|e| e.actor.is_empty()));
    let staff_view = w.detail(&clerk, &id).await.unwrap().timeline;
    assert_eq!(staff_view[2].actor, "clerk经办人");
    assert_eq!(staff_view[2].from_status, Some(ApplicationStatus::PendingVerification));
    assert!(staff_view[3].comment.contains("通信地址"), "{:?}", staff_view[3]);

    // Audit events cannot be changed or removed, even by a direct query.
    assert!(w.db.query("UPDATE audit_event SET comment = 'x'").await.unwrap().check().is_err());
    assert!(w.db.query("DELETE audit_event").await.unwrap().check().is_err());
    assert_eq!(w.detail(&clerk, &id).await.unwrap().timeline.len(), 9);

    // A new website for the same entity continues its sequence: …号-2.
    // It needs the 备案密码 the 主体负责人 received on approval.
    let password = w.secret_to("zhang@example.com", "备案密码：", 10).await;
    let id2 = w.submitted_with(&reg, &cert, "xinghe-second.cn", false, &password).await;
    assert_eq!(w.detail(&reg, &id2).await.unwrap().summary.kind, BusinessKind::NewWebsite);
    w.verify_and_pass(&clerk, &id2).await;
    let v = w.version(&bureau, &id2).await;
    let second = w.approve(&bureau, &id2, v).await.unwrap();
    assert_eq!(second.entity_licence.as_deref(), Some(main.as_str()));
    assert_eq!(second.website_licences, vec![format!("{main}-2")]);
}

/// The clerk's marks are kept as they are made (leaving the page loses
/// nothing), read back only by whoever may send them, and cleared when
/// 退回修改 sends them; keeping them moves nothing.
#[tokio::test]
async fn marks_are_kept_until_the_return_sends_them() {
    let w = World::new().await;
    let reg = w.registrant("owner", "13800138000").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137000", None).await;
    let id = w.submitted(&reg, &uscc(1), "kept-marks.cn", false).await;
    let v = w.version(&clerk, &id).await;
    let marks = vec![
        Mark { path: "entity.address".into(), comment: " 与证件住所不一致 ".into() },
        // Marked, its note not written yet.
        Mark { path: "entity.leader.mobile".into(), comment: String::new() },
    ];
    w.keep_marks(&clerk, &id, &marks, "请核对").await.unwrap();
    let d = w.detail(&clerk, &id).await.unwrap();
    assert_eq!(d.draft_marks.len(), 2);
    assert_eq!(d.draft_marks[0].comment, "与证件住所不一致");
    assert_eq!(d.draft_note, "请核对");
    // Nothing moved, and the registrant sees none of it.
    assert_eq!(w.version(&clerk, &id).await, v);
    let mine = w.detail(&reg, &id).await.unwrap();
    assert!(mine.draft_marks.is_empty() && mine.draft_note.is_empty());
    // Only a clerk may keep them; a field that does not exist is refused.
    forbidden(w.keep_marks(&reg, &id, &marks, "").await);
    assert!(matches!(w.keep_marks(&clerk, &id, &[Mark { path: "entity.nothing".into(), comment: String::new() }], "").await, Err(AppError::Invalid(_))));
    // Unmarking is kept too.
    w.keep_marks(&clerk, &id, &marks[..1], "请核对").await.unwrap();
    assert_eq!(w.detail(&clerk, &id).await.unwrap().draft_marks.len(), 1);
    // 退回修改 sends them and clears what was kept.
    w.return_filing(&clerk, &id, v, &marks[..1], "请核对").await.unwrap();
    let d = w.detail(&clerk, &id).await.unwrap();
    assert!(d.draft_marks.is_empty() && d.draft_note.is_empty());
    assert_eq!(d.annotations.len(), 1);
    // With the registrant now, nothing more can be kept.
    assert!(w.keep_marks(&clerk, &id, &marks, "").await.is_err());
}

#[tokio::test]
async fn rejection_correction_and_pre_approval() {
    let w = World::new().await;
    let reg = w.registrant("owner", "13800138000").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137000", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let id = w.submitted(&reg, &uscc(2), "news-site.cn", true).await;
    w.verify_and_pass(&clerk, &id).await;

    // Content needing 前置审批 cannot be approved straight away.
    let v = w.version(&bureau, &id).await;
    assert!(conflict(w.approve(&bureau, &id, v).await).contains("前置审批"));
    // Reject needs a reason; the provider gets it back.
    assert!(matches!(w.reject(&bureau, &id, v, " ").await, Err(AppError::Invalid(_))));
    let r = w.reject(&bureau, &id, v, "网站名称与内容不符").await.unwrap();
    assert_eq!(r.status, ApplicationStatus::BureauRejected);
    let q = w.queue(&clerk, Queue::Verify, &QueueFilter::default()).await.unwrap();
    assert_eq!(q[0].id, id);
    assert_eq!(w.detail(&reg, &id).await.unwrap().reject_reason.as_deref(), Some("网站名称与内容不符"));
    // The registrant cannot edit it (it is with the provider).
    conflict(w.open(&reg, &id).await);

    // The provider corrects a text field on the registrant's behalf: checked by the same rules.
    let v = w.version(&clerk, &id).await;
    assert!(matches!(w.correct(&clerk, &id, v, &[Edit { path: "websites[0].name".into(), value: "中国".into() }]).await, Err(AppError::Invalid(_))));
    assert!(matches!(w.correct(&clerk, &id, v, &[Edit { path: "entity.nature".into(), value: "5".into() }]).await, Err(AppError::Invalid(_))));
    forbidden(w.correct(&reg, &id, v, &[Edit { path: "websites[0].name".into(), value: "星河新闻网".into() }]).await);
    w.correct(&clerk, &id, v, &[Edit { path: "websites[0].name".into(), value: "星河新闻资讯网".into() }]).await.unwrap();
    let detail = w.detail(&clerk, &id).await.unwrap();
    assert_eq!(detail.form.websites[0].name, "星河新闻资讯网");
    let last = detail.timeline.last().unwrap();
    assert_eq!((last.action, last.role), (Some(Action::Correct), Some(Role::Provider)));
    // Pass again; the 管局 checks the approval documents, then approves.
    let v = detail.summary.version;
    w.pass(&clerk, &id, v, "已按管局意见修改网站名称").await.unwrap();
    let v = w.version(&bureau, &id).await;
    let pre = w.pre_approval(&bureau, &id, v, "核对新闻出版前置审批文件").await.unwrap();
    assert_eq!(pre.status, ApplicationStatus::PreApproval);
    let done = w.approve(&bureau, &id, pre.version).await.unwrap();
    assert_eq!(done.status, ApplicationStatus::Approved);
    let mut res = w.db.query("SELECT VALUE pre_approvals[0].number FROM ONLY type::record('website', $k)").bind(("k", format!("{id}_1"))).await.unwrap();
    let number: Option<String> = res.take(0).unwrap();
    assert_eq!(number.as_deref(), Some("京新出审字2026第001号"));

    // The whole state machine's refusals: nothing moves an approved filing.
    conflict(w.reject(&bureau, &id, done.version, "再驳回一次").await);
    conflict(w.return_filing(&clerk, &id, done.version, &[Mark { path: "entity.address".into(), comment: "x".into() }], "").await);
    // A draft cannot be approved (the 管局 cannot even see it).
    let draft = w.start(&reg, &uscc(3), "draft-only.cn").await.unwrap();
    forbidden(w.approve(&bureau, &draft.id, 0).await);
    forbidden(w.pass(&clerk, &draft.id, 0, "核实通过了").await);
}

/// Two reviewers act on the same filing at the same moment: one wins.
#[tokio::test]
async fn one_of_two_concurrent_reviewers_wins() {
    let w = World::new().await;
    let reg = w.registrant("owner", "13800138000").await;
    let a = w.staff("clerk_a", Role::Provider, "13700137000", None).await;
    let b = w.staff("clerk_b", Role::Provider, "13700137001", None).await;
    let id = w.submitted(&reg, &uscc(4), "race.cn", false).await;
    let v = w.version(&a, &id).await;
    let mark = vec![Mark { path: "entity.address".into(), comment: "地址不全".into() }];
    let (ra, rb) = tokio::join!(w.return_filing(&a, &id, v, &mark, ""), w.return_filing(&b, &id, v, &mark, ""));
    let wins = [ra.is_ok(), rb.is_ok()].iter().filter(|w| **w).count();
    assert_eq!(wins, 1, "{ra:?} {rb:?}");
    let loser = if ra.is_ok() { rb } else { ra };
    assert!(conflict(loser).contains("已被他人处理"));
    let t = w.detail(&a, &id).await.unwrap().timeline;
    assert_eq!(t.iter().filter(|e| e.action == Some(Action::Return)).count(), 1);
}

/// Many approvals at once in one province: numbers are unique and none skipped.
#[tokio::test]
async fn concurrent_approvals_number_without_gaps() {
    const N: u32 = 16;
    let w = World::new().await;
    let clerk = w.staff("clerk", Role::Provider, "13700137000", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let mut ids = Vec::new();
    for i in 0..N {
        let reg = w.registrant(&format!("owner{i}"), &format!("1380013{:04}", 8000 + i)).await;
        let id = w.submitted(&reg, &uscc(100 + i), &format!("site{i}.cn"), false).await;
        w.verify_and_pass(&clerk, &id).await;
        ids.push(id);
    }
    let mut tasks = Vec::new();
    for id in ids.clone() {
        let (w, bureau) = (w.clone(), bureau.clone());
        tasks.push(tokio::spawn(async move {
            let v = w.detail(&bureau, &id).await.unwrap().summary.version;
            w.approve(&bureau, &id, v).await
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
    let mut res = w.db.query("SELECT VALUE last FROM ONLY counter:licence_11").await.unwrap();
    let last: Option<i64> = res.take(0).unwrap();
    assert_eq!(last, Some(i64::from(N)));
}

/// Every server function of the review × every kind of caller.
#[tokio::test]
async fn authorisation_matrix() {
    let w = World::new().await;
    let owner = w.registrant("owner", "13800138000").await;
    let other = w.registrant("other", "13800138001").await;
    let clerk = w.staff("clerk", Role::Provider, "13700137000", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    let id = w.submitted(&owner, &uscc(5), "matrix.cn", false).await;
    let v = w.version(&clerk, &id).await;
    let mark = vec![Mark { path: "entity.address".into(), comment: "地址不全".into() }];
    let edit = vec![Edit { path: "entity.address".into(), value: "北京市海淀区1号".into() }];
    let f = QueueFilter::default();

    // Registrants (the owner too) and the 管局 may not do the provider's work.
    for who in [&owner, &other, &bureau] {
        forbidden(w.queue(who, Queue::Verify, &f).await);
        forbidden(w.queue(who, Queue::Progress, &f).await);
        forbidden(w.correct(who, &id, v, &edit).await);
        forbidden(w.upload(who, &id, "verification_form", "v.png", png()).await);
    }
    for who in [&owner, &other] {
        forbidden(w.return_filing(who, &id, v, &mark, "").await);
        forbidden(w.pass(who, &id, v, "核实通过了").await);
    }
    // The 管局 cannot read a filing still at the provider.
    forbidden(w.return_filing(&bureau, &id, v, &mark, "").await);
    forbidden(w.pass(&bureau, &id, v, "核实通过了").await);
    // Nobody but the 管局 decides.
    for who in [&owner, &other, &clerk] {
        forbidden(w.queue(who, Queue::Bureau, &f).await);
        forbidden(w.approve(who, &id, v).await);
        forbidden(w.reject(who, &id, v, "不通过的原因").await);
        forbidden(w.pre_approval(who, &id, v, "核对审批文件").await);
    }
    // Another registrant cannot read, open or download it; staff open no wizard.
    forbidden(w.detail(&other, &id).await);
    forbidden(w.open(&other, &id).await);
    forbidden(w.open(&clerk, &id).await);
    let m = w.detail(&owner, &id).await.unwrap().materials[0].id.clone();
    forbidden(w.file(&other, &m).await);
    assert!(w.file(&clerk, &m).await.is_ok());
    forbidden(w.file(&bureau, &m).await);
    // Nothing moved.
    assert_eq!(w.version(&clerk, &id).await, v);
    // The provider may.
    assert!(w.queue(&clerk, Queue::Progress, &f).await.unwrap().iter().any(|x| x.id == id));
    w.return_filing(&clerk, &id, v, &mark, "").await.unwrap();
}

#[tokio::test]
async fn progress_query_filters() {
    let w = World::new().await;
    let clerk = w.staff("clerk", Role::Provider, "13700137000", None).await;
    let reg = w.registrant("owner", "13800138000").await;
    let a = w.submitted(&reg, &uscc(6), "alpha-progress.cn", false).await;
    let b = w.submitted(&reg, &uscc(7), "beta-progress.cn", false).await;
    w.verify_and_pass(&clerk, &b).await;
    let q = |f: QueueFilter| {
        let (w, clerk) = (w.clone(), clerk.clone());
        async move { w.queue(&clerk, Queue::Progress, &f).await.map(|v| v.into_iter().map(|x| x.id).collect::<Vec<_>>()) }
    };
    assert_eq!(q(QueueFilter::default()).await.unwrap().len(), 2);
    assert_eq!(q(QueueFilter { status: "pending_bureau".into(), ..Default::default() }).await.unwrap(), vec![b.clone()]);
    assert_eq!(q(QueueFilter { domain: "alpha".into(), ..Default::default() }).await.unwrap(), vec![a.clone()]);
    assert_eq!(q(QueueFilter { name: "星河".into(), ..Default::default() }).await.unwrap().len(), 2);
    assert!(q(QueueFilter { name: "不存在的单位".into(), ..Default::default() }).await.unwrap().is_empty());
    assert_eq!(q(QueueFilter { province: "11".into(), ..Default::default() }).await.unwrap().len(), 2);
    assert!(q(QueueFilter { province: "31".into(), ..Default::default() }).await.unwrap().is_empty());
    let today = app::ssr::application::today();
    let d = format!("{:04}-{:02}-{:02}", today.year, today.month, today.day);
    assert_eq!(q(QueueFilter { from: d.clone(), to: d, ..Default::default() }).await.unwrap().len(), 2);
    assert!(q(QueueFilter { to: "2020-01-01".into(), ..Default::default() }).await.unwrap().is_empty());
    assert!(matches!(q(QueueFilter { from: "yesterday".into(), ..Default::default() }).await, Err(AppError::Invalid(_))));
    assert!(matches!(q(QueueFilter { status: "draft".into(), ..Default::default() }).await, Err(AppError::BadRequest(_))));
    assert!(matches!(q(QueueFilter { province: "99".into(), ..Default::default() }).await, Err(AppError::BadRequest(_))));
}
