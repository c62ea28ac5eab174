//! Life after approval against `mem://`: 变更, 注销, 取消接入 and 新增网站,
//! each from start to approval (or rejection), and every refusal.

mod common;

use app::domain::filing::STEP_CONFIRM;
use app::domain::workflow::{ApplicationStatus, BusinessKind, Queue, Role};
use app::error::AppError;
use app::models::{FiledRecord, QueueFilter};
use app::ssr::auth::CurrentUser;
use common::{conflict, uscc, World};

struct Filed {
    w: World,
    owner: CurrentUser,
    clerk: CurrentUser,
    bureau: CurrentUser,
    cert: String,
    main: String,
    password: String,
}

async fn filed(n: u32, domain: &str) -> Filed {
    let w = World::new().await;
    let owner = w.registrant(&format!("owner{n}"), &format!("138001{n:05}")).await;
    let clerk = w.staff(&format!("clerk{n}"), Role::Provider, &format!("137001{n:05}"), None).await;
    let bureau = w.staff(&format!("bureau{n}"), Role::Bureau, &format!("136001{n:05}"), Some(11)).await;
    let cert = uscc(n);
    let (_, done) = w.approved(&owner, &clerk, &bureau, &cert, domain).await;
    let password = w.secret_to("zhang@example.com", "备案密码：", 10).await;
    Filed { w, owner, clerk, bureau, cert, main: done.entity_licence.unwrap(), password }
}

async fn record(w: &World, who: &CurrentUser) -> FiledRecord {
    let mut r = w.records(who).await.unwrap();
    assert_eq!(r.len(), 1, "{r:?}");
    r.remove(0)
}

async fn public_names(w: &World, q: &str) -> Vec<(String, String, String)> {
    let page = w.public(q).await;
    page.items.into_iter().map(|r| (r.unit_name, r.service_name, r.service_licence)).collect()
}

#[tokio::test]
async fn a_website_change_is_seen_only_once_approved_and_keeps_its_number() {
    let f = filed(301, "change-site.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    assert_eq!(r.licence, f.main);
    let site = &r.websites[0];
    assert_eq!((site.licence.as_str(), site.domains.clone()), (format!("{}-1", f.main).as_str(), vec!["change-site.cn".to_string()]));
    assert!(site.offers.iter().all(|o| o.blocked.is_none()), "{:?}", site.offers);
    assert!(site.access[0].here && site.access[0].status == "active");

    // The 备案密码 is needed; a wrong one is a field error.
    let wrong = w.begin(&f.owner, BusinessKind::ChangeWebsite, &r.key, &site.key, "Wrong-pass1", "").await;
    assert!(matches!(wrong, Err(AppError::Invalid(e)) if e.0[0].path == "proof"));
    let started = w.begin(&f.owner, BusinessKind::ChangeWebsite, &r.key, &site.key, &f.password, "").await.unwrap();
    assert!(!started.submitted);
    // One open application per entity: everything else waits, with the reason.
    let m = conflict(w.begin(&f.owner, BusinessKind::CancelEntity, &r.key, "", &f.password, "1").await);
    assert!(m.contains("未完结"), "{m}");
    let r = record(w, &f.owner).await;
    assert_eq!(r.open.as_ref().map(|o| (o.id.clone(), o.kind)), Some((started.id.clone(), BusinessKind::ChangeWebsite)));
    assert!(r.offers.iter().chain(&r.websites[0].offers).all(|o| o.blocked.as_ref().is_some_and(|m| m.zh.contains("变更网站"))));
    // 新增网站 through the type check waits too.
    assert!(conflict(w.start_with(&f.owner, &f.cert, "another-site.cn", &f.password).await).contains("未完结"));

    // The draft holds the filed website; nothing changed is not a change.
    let draft = w.open(&f.owner, &started.id).await.unwrap();
    assert_eq!(draft.kind, BusinessKind::ChangeWebsite);
    assert_eq!(draft.step, 2, "a website change opens at the website step");
    assert!(draft.materials.len() >= 2, "the filed documents come along: {:?}", draft.materials);
    let mut form = draft.form.clone();
    w.save(&f.owner, &started.id, STEP_CONFIRM, form.clone()).await.unwrap();
    let e = w.submit(&f.owner, &started.id).await.unwrap_err();
    assert!(matches!(&e, AppError::Invalid(x) if x.0[0].code == "change.none"), "{e:?}");
    // A new name and a second domain; an edit of the entity is ignored.
    form.websites[0].name = "星河资讯服务网".into();
    form.websites[0].domains = "change-site.cn\nchange-site-new.cn".into();
    form.entity.unit_name = "偷改的名称有限公司".into();
    w.save(&f.owner, &started.id, STEP_CONFIRM, form).await.unwrap();
    w.submit(&f.owner, &started.id).await.unwrap();

    // Staff see the change field by field; the public query still shows the old data.
    let d = w.detail(&f.clerk, &started.id).await.unwrap();
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, vec!["websites[0].name", "websites[0].domains"], "{:?}", d.changes);
    assert_eq!(d.changes[0].old, "星河搜索服务网");
    assert_eq!(d.changes[0].new, "星河资讯服务网");
    assert_eq!(public_names(w, "change-site.cn").await[0].1, "星河搜索服务网");
    assert!(public_names(w, "change-site-new.cn").await.is_empty());
    // The queue filters by business type.
    let q = w.queue(&f.clerk, Queue::Verify, &QueueFilter { kind: "change_website".into(), ..QueueFilter::default() }).await.unwrap();
    assert_eq!(q.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), vec![started.id.as_str()]);
    assert!(w.queue(&f.clerk, Queue::Verify, &QueueFilter { kind: "first_filing".into(), ..QueueFilter::default() }).await.unwrap().is_empty());
    assert!(matches!(w.queue(&f.clerk, Queue::Verify, &QueueFilter { kind: "bogus".into(), ..QueueFilter::default() }).await, Err(AppError::BadRequest(_))));

    let done = w.through(&f.clerk, &f.bureau, &started.id).await;
    assert_eq!(done.status, ApplicationStatus::Approved);
    let now = public_names(w, "change-site-new.cn").await;
    assert_eq!(now, vec![("北京星河网络科技有限公司".to_string(), "星河资讯服务网".to_string(), format!("{}-1", f.main))], "number unchanged");
    assert_eq!(public_names(w, "change-site.cn").await.len(), 1);
    // Free again; the history keeps the old version.
    let r = record(w, &f.owner).await;
    assert!(r.open.is_none() && r.offers.iter().all(|o| o.blocked.is_none()));
    assert_eq!(r.websites[0].name, "星河资讯服务网");
    let d = w.detail(&f.owner, &started.id).await.unwrap();
    assert_eq!(d.changes[0].old, "星河搜索服务网");
    // The registrant was told.
    let sent = w.sent().await;
    assert!(sent.iter().any(|m| m.recipient == f.owner.mobile && m.body.contains("变更网站申请")));
}

#[tokio::test]
async fn an_entity_change_renames_every_public_record_and_a_new_website_continues_the_sequence() {
    let f = filed(302, "entity-one.cn").await;
    let w = &f.w;
    // 新增网站 through the type check: …号-2.
    let id = w.submitted_with(&f.owner, &f.cert, "entity-two.cn", false, &f.password).await;
    let done = w.through(&f.clerk, &f.bureau, &id).await;
    assert_eq!(done.website_licences, vec![format!("{}-2", f.main)]);
    let r = record(w, &f.owner).await;
    assert_eq!(r.websites.len(), 2);
    assert!(r.open.is_none(), "the approval freed the entity");

    let started = w.begin(&f.owner, BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await.unwrap();
    let mut form = w.open(&f.owner, &started.id).await.unwrap().form;
    assert_eq!(form.websites.len(), 2, "the websites come along, unchanged");
    form.entity.unit_name = "北京星河数字科技有限公司".into();
    form.entity.cert_number = uscc(999);
    w.save(&f.owner, &started.id, STEP_CONFIRM, form).await.unwrap();
    w.submit(&f.owner, &started.id).await.unwrap();
    let changes = w.detail(&f.clerk, &started.id).await.unwrap().changes;
    assert_eq!(changes.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(), vec!["entity.unit_name"], "the certificate edit was dropped");
    w.through(&f.clerk, &f.bureau, &started.id).await;
    let names: Vec<String> = public_names(w, &f.main).await.into_iter().map(|(u, _, _)| u).collect();
    assert_eq!(names, vec!["北京星河数字科技有限公司".to_string(); 2]);
    // The certificate never changes.
    let mut res = w.db.query("SELECT VALUE cert_number FROM entity").await.unwrap();
    assert_eq!(res.take::<Vec<String>>(0).unwrap(), vec![f.cert.clone()]);
}

#[tokio::test]
async fn a_cancelled_website_frees_its_domain_and_its_number_is_never_reused() {
    let f = filed(303, "cancel-site.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let site = r.websites[0].key.clone();
    // A reason from the list is needed.
    assert!(matches!(w.begin(&f.owner, BusinessKind::CancelWebsite, &r.key, &site, &f.password, "").await, Err(AppError::Invalid(e)) if e.0[0].path == "reason"));
    let s = w.begin(&f.owner, BusinessKind::CancelWebsite, &r.key, &site, &f.password, "1").await.unwrap();
    assert!(s.submitted);
    let d = w.detail(&f.clerk, &s.id).await.unwrap();
    assert_eq!(d.cancel_reason.map(|m| m.zh), Some("网站已停办".to_string()));
    // Withdrawn while undecided, then filed again.
    w.discard(&f.owner, &s.id).await.unwrap();
    assert_eq!(w.detail(&f.owner, &s.id).await.unwrap().summary.status, ApplicationStatus::Abandoned);
    let s = w.begin(&f.owner, BusinessKind::CancelWebsite, &r.key, &site, &f.password, "2").await.unwrap();
    // No 核验 for a 注销: passed straight to the 管局, which rejects it; the provider files it again.
    let v = w.version(&f.clerk, &s.id).await;
    w.pass(&f.clerk, &s.id, v, "主办者申请注销").await.unwrap();
    let v = w.version(&f.bureau, &s.id).await;
    w.reject(&f.bureau, &s.id, v, "请主体负责人确认").await.unwrap();
    assert_eq!(public_names(w, "cancel-site.cn").await.len(), 1, "still filed");
    let v = w.version(&f.clerk, &s.id).await;
    w.pass(&f.clerk, &s.id, v, "已确认").await.unwrap();
    let v = w.version(&f.bureau, &s.id).await;
    w.approve(&f.bureau, &s.id, v).await.unwrap();

    assert!(public_names(w, "cancel-site.cn").await.is_empty(), "the public query no longer finds it");
    let r = record(w, &f.owner).await;
    assert_eq!((r.status.as_str(), r.websites[0].status.as_str()), ("empty", "cancelled"));
    assert_eq!(r.websites[0].access[0].status, "cancelled");
    // The domain is free for somebody else.
    let other = w.registrant("someoneelse", "13800138399").await;
    let d = w.detect(&other, &uscc(3031), "cancel-site.cn").await.unwrap();
    assert_eq!(d.kind, Some(BusinessKind::FirstFiling));
    // A new website of the same entity gets -2: -1 is never reused.
    let id = w.submitted_with(&f.owner, &f.cert, "cancel-site-next.cn", false, &f.password).await;
    assert_eq!(w.through(&f.clerk, &f.bureau, &id).await.website_licences, vec![format!("{}-2", f.main)]);
}

#[tokio::test]
async fn a_cancelled_entity_takes_every_website_and_waits_for_an_open_change() {
    let f = filed(304, "cancel-entity.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let change = w.begin(&f.owner, BusinessKind::ChangeWebsite, &r.key, &r.websites[0].key, &f.password, "").await.unwrap();
    assert!(conflict(w.begin(&f.owner, BusinessKind::CancelEntity, &r.key, "", &f.password, "3").await).contains("未完结"));
    w.discard(&f.owner, &change.id).await.unwrap();
    let s = w.begin(&f.owner, BusinessKind::CancelEntity, &r.key, "", &f.password, "3").await.unwrap();
    w.through(&f.clerk, &f.bureau, &s.id).await;
    assert!(public_names(w, "cancel-entity.cn").await.is_empty());
    assert!(public_names(w, &f.main).await.is_empty());
    let r = record(w, &f.owner).await;
    assert_eq!(r.status, "cancelled");
    assert!(r.offers.iter().all(|o| o.blocked.as_ref().is_some_and(|m| m.zh.contains("已注销"))));
    assert!(conflict(w.begin(&f.owner, BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await).contains("已注销"));
    // The certificate may file again, as a first filing with a new number.
    let d = w.detect(&f.owner, &f.cert, "cancel-entity.cn").await.unwrap();
    assert_eq!(d.kind, Some(BusinessKind::FirstFiling));
}

#[tokio::test]
async fn access_is_cancelled_by_the_provider_or_on_request_and_an_empty_site_is_listed() {
    let f = filed(305, "access-one.cn").await;
    let w = &f.w;
    let id = w.submitted_with(&f.owner, &f.cert, "access-two.cn", false, &f.password).await;
    w.through(&f.clerk, &f.bureau, &id).await;
    let r = record(w, &f.owner).await;
    let (one, two) = (&r.websites[0], &r.websites[1]);

    // Another provider's access is not this provider's to cancel.
    w.db.query("CREATE access:elsewhere SET website = type::record('website', $w), provider_name = '别家云', method = 2, ips = ['1.1.1.1'], server_province = 11")
        .bind(("w", one.key.clone()))
        .await
        .unwrap()
        .check()
        .unwrap();
    assert!(matches!(w.cancel_access(&f.clerk, "elsewhere", "1").await, Err(AppError::NotFound)));
    // Only the provider; a reason is needed.
    assert!(matches!(w.cancel_access(&f.owner, &one.access[0].key, "1").await, Err(AppError::Forbidden)));
    assert!(matches!(w.cancel_access(&f.clerk, &one.access[0].key, "").await, Err(AppError::Invalid(_))));
    // The provider cancels its access at once; the other provider's stays, so no 空壳.
    w.cancel_access(&f.clerk, &one.access[0].key, "1").await.unwrap();
    assert!(conflict(w.cancel_access(&f.clerk, &one.access[0].key, "1").await).contains("已取消"));
    let listed = w.provider_sites(&f.clerk, "access-one").await.unwrap();
    assert!(listed.is_empty(), "the website left this provider's list: {listed:?}");
    assert!(w.empty_sites(&f.bureau).await.unwrap().is_empty());
    let mut res = w.db.query("SELECT VALUE action FROM audit_event WHERE action = 'cancel_access' AND website != NONE").await.unwrap();
    assert_eq!(res.take::<Vec<String>>(0).unwrap().len(), 1, "audited");

    // The registrant asks for the other website (no 备案密码); the provider confirms.
    let s = w.begin(&f.owner, BusinessKind::CancelAccess, &r.key, &two.key, "", "2").await.unwrap();
    assert!(s.submitted);
    let v = w.version(&f.clerk, &s.id).await;
    assert!(matches!(w.pass(&f.clerk, &s.id, v, "x").await, Err(AppError::Conflict(_))), "取消接入 is not passed to the 管局");
    w.confirm(&f.clerk, &s.id, v).await.unwrap();
    assert_eq!(w.detail(&f.owner, &s.id).await.unwrap().summary.status, ApplicationStatus::Approved);
    let empty = w.empty_sites(&f.bureau).await.unwrap();
    assert_eq!(empty.iter().map(|e| e.licence.clone()).collect::<Vec<_>>(), vec![two.licence.clone()]);
    let r = record(w, &f.owner).await;
    assert_eq!(r.websites[1].status, "empty");
    // Still filed: the public query still finds it (the record stays at MIIT).
    assert_eq!(public_names(w, "access-two.cn").await.len(), 1);
    // Another 管局 sees nothing of Beijing's.
    let sh = w.staff("bureau_sh305", Role::Bureau, "13600136305", Some(31)).await;
    assert!(w.empty_sites(&sh).await.unwrap().is_empty());

    // The empty website comes back with a 新增接入 (type check, 备案密码, 核实, 管局) and leaves the list.
    let d = w.detect(&f.owner, &f.cert, "access-two.cn").await.unwrap();
    assert_eq!(d.kind, Some(BusinessKind::NewAccess), "{d:?}");
    let id = w.submitted_with(&f.owner, &f.cert, "access-two.cn", false, &f.password).await;
    w.through(&f.clerk, &f.bureau, &id).await;
    assert!(w.empty_sites(&f.bureau).await.unwrap().is_empty());
    let r = record(w, &f.owner).await;
    assert_eq!(r.websites[1].status, "normal");
    // A direct 取消接入 waits for the registrant's pending request to be confirmed.
    let two = &r.websites[1];
    let s = w.begin(&f.owner, BusinessKind::CancelAccess, &r.key, &two.key, "", "2").await.unwrap();
    let here = two.access.iter().find(|a| a.here && a.status == "active").unwrap().key.clone();
    assert!(conflict(w.cancel_access(&f.clerk, &here, "1").await).contains("确认"));
    // The provider's list shows only its own websites and access rows.
    let listed = w.provider_sites(&f.clerk, "").await.unwrap();
    assert!(listed.iter().flat_map(|r| &r.websites).all(|w| w.access.iter().all(|a| a.here)), "{listed:?}");
    w.discard(&f.owner, &s.id).await.unwrap();
}

#[tokio::test]
async fn a_rejected_change_is_corrected_by_the_provider_and_only_changeable_fields_are_marked() {
    let f = filed(307, "correct-site.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let s = w.begin(&f.owner, BusinessKind::ChangeWebsite, &r.key, &r.websites[0].key, &f.password, "").await.unwrap();
    let mut form = w.open(&f.owner, &s.id).await.unwrap().form;
    form.websites[0].name = "星河资讯服务网".into();
    w.save(&f.owner, &s.id, STEP_CONFIRM, form).await.unwrap();
    w.submit(&f.owner, &s.id).await.unwrap();
    // The entity is not the registrant's to change here: it cannot be marked.
    let v = w.version(&f.clerk, &s.id).await;
    let bad = [app::domain::review::Mark { path: "entity.address".into(), comment: "门牌号".into() }];
    assert!(matches!(w.return_filing(&f.clerk, &s.id, v, &bad, "").await, Err(AppError::Invalid(e)) if e.0[0].message.zh.contains("不在本次变更网站")));
    w.verify_and_pass(&f.clerk, &s.id).await;
    let v = w.version(&f.bureau, &s.id).await;
    w.reject(&f.bureau, &s.id, v, "网站名称与内容不符").await.unwrap();
    // 代为修改 of the website's name works (the filed domain stays the website's).
    let v = w.version(&f.clerk, &s.id).await;
    let edit = [app::domain::review::Edit { path: "websites[0].name".into(), value: "星河资讯网".into() }];
    w.correct(&f.clerk, &s.id, v, &edit).await.unwrap();
    let v = w.version(&f.clerk, &s.id).await;
    w.pass(&f.clerk, &s.id, v, "已代为修改").await.unwrap();
    let v = w.version(&f.bureau, &s.id).await;
    w.approve(&f.bureau, &s.id, v).await.unwrap();
    assert_eq!(public_names(w, "correct-site.cn").await[0].1, "星河资讯网");
}

#[tokio::test]
async fn a_stranger_neither_sees_nor_starts_anything_on_somebody_elses_filing() {
    let f = filed(306, "private-one.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let stranger = w.registrant("stranger306", "13800138306").await;
    assert!(w.records(&stranger).await.unwrap().is_empty());
    // Even with the right password, an entity that is not theirs is not found.
    let r2 = w.begin(&stranger, BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await;
    assert!(matches!(r2, Err(AppError::NotFound)), "{r2:?}");
    // A website of another entity under this entity's key is not found either.
    assert!(matches!(w.begin(&f.owner, BusinessKind::CancelWebsite, &r.key, "nosuchsite", &f.password, "1").await, Err(AppError::NotFound)));
    assert!(matches!(w.begin(&f.owner, BusinessKind::ChangeWebsite, &r.key, "bad key!", &f.password, "").await, Err(AppError::NotFound)));
    // New filings are not begun here.
    assert!(matches!(w.begin(&f.owner, BusinessKind::NewWebsite, &r.key, "", &f.password, "").await, Err(AppError::BadRequest(_))));
}

#[tokio::test]
async fn the_provider_acts_for_its_client_and_the_website_history_shows_every_step() {
    let f = filed(311, "behalf-site.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let site = r.websites[0].clone();
    let user = f.owner.username.clone();

    // The client's username and 备案密码 are both needed; which one is wrong is not said.
    let wrong_user = w.begin_for(&f.clerk, "somebody_else", BusinessKind::ChangeWebsite, &r.key, &site.key, &f.password, "").await;
    assert!(matches!(&wrong_user, Err(AppError::Invalid(e)) if e.0[0].path == "proof" && e.0[0].message.zh.contains("用户名或备案密码")), "{wrong_user:?}");
    let wrong_pass = w.begin_for(&f.clerk, &user, BusinessKind::ChangeWebsite, &r.key, &site.key, "Wrong-pass1", "").await;
    assert_eq!(format!("{wrong_user:?}"), format!("{wrong_pass:?}"), "one answer for either");
    // 取消接入 is the provider's own, on 已接入网站: never in the client's name without proof.
    assert!(matches!(w.begin_for(&f.clerk, &user, BusinessKind::CancelAccess, &r.key, &site.key, "", "1").await, Err(AppError::BadRequest(_))));
    let bad_user = w.begin_for(&f.clerk, "", BusinessKind::ChangeWebsite, &r.key, &site.key, &f.password, "").await;
    assert!(matches!(&bad_user, Err(AppError::Invalid(e)) if e.0[0].path == "client"), "{bad_user:?}");
    // The 管局 does not start businesses.
    assert!(matches!(w.cx(Some(&f.bureau), app::ssr::guard::Need::Role(&[Role::Registrant, Role::Provider])).await, Err(AppError::Forbidden)));

    // 变更网站 for the client: the clerk fills in the same wizard and submits it.
    let started = w.begin_for(&f.clerk, &user, BusinessKind::ChangeWebsite, &r.key, &site.key, &f.password, "").await.unwrap();
    assert!(!started.submitted);
    let draft = w.open(&f.clerk, &started.id).await.unwrap();
    assert!(draft.for_staff);
    // It is the client's application: listed for the client, the entity is busy.
    assert!(w.list(&f.owner).await.unwrap().iter().any(|s| s.id == started.id));
    assert!(record(w, &f.owner).await.open.is_some());
    // Another client's draft is not the provider's to open.
    let other = w.registrant("other311", "13800311999").await;
    let own = w.start(&other, &uscc(312), "someone-else311.cn").await.unwrap();
    assert!(matches!(w.open(&f.clerk, &own.id).await, Err(AppError::Forbidden)));
    let mut form = draft.form.clone();
    form.websites[0].name = "代办资讯服务网".into();
    w.save(&f.clerk, &started.id, STEP_CONFIRM, form).await.unwrap();
    let s = w.submit(&f.clerk, &started.id).await.unwrap();
    assert_eq!(s.status, ApplicationStatus::PendingVerification);
    let told = w.sent().await;
    assert!(told.iter().any(|m| m.recipient == f.owner.mobile && m.body.contains("代为提交")), "the client is told");
    // Audited as the provider's.
    let d = w.detail(&f.clerk, &started.id).await.unwrap();
    let who: Vec<(Option<Role>, Option<app::domain::workflow::Action>)> = d.timeline.iter().map(|e| (e.role, e.action)).collect();
    assert!(who.contains(&(Some(Role::Provider), Some(app::domain::workflow::Action::Create))), "{who:?}");
    assert!(who.contains(&(Some(Role::Provider), Some(app::domain::workflow::Action::SubmitOnBehalf))), "{who:?}");
    assert_eq!(w.through(&f.clerk, &f.bureau, &started.id).await.status, ApplicationStatus::Approved);
    assert_eq!(public_names(w, "behalf-site.cn").await[0].1, "代办资讯服务网");

    // 注销网站 for the client: filed with its reason at once.
    let cancel = w.begin_for(&f.clerk, &user, BusinessKind::CancelWebsite, &r.key, &site.key, &f.password, "2").await.unwrap();
    assert!(cancel.submitted);
    assert_eq!(w.through(&f.clerk, &f.bureau, &cancel.id).await.status, ApplicationStatus::Approved);
    assert!(public_names(w, "behalf-site.cn").await.is_empty());
    // No longer served: the provider cannot act for the entity any more.
    let gone = w.begin_for(&f.clerk, &user, BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await;
    assert!(matches!(gone, Err(AppError::NotFound)), "{gone:?}");

    // The history: first filing, the change with its diff, the 注销; oldest first.
    let h = w.history(&f.owner, &site.key).await.unwrap();
    let kinds: Vec<Option<BusinessKind>> = h.entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![Some(BusinessKind::FirstFiling), Some(BusinessKind::ChangeWebsite), Some(BusinessKind::CancelWebsite)]);
    assert_eq!(h.status, "cancelled");
    assert_eq!(h.entries[1].changes.iter().map(|c| (c.old.as_str(), c.new.as_str())).collect::<Vec<_>>(), vec![("星河搜索服务网", "代办资讯服务网")]);
    assert!(h.entries[2].reason.is_some());
    assert!(h.entries.iter().all(|e| e.link.is_some()), "the client opens its own applications");
    // Staff names are for staff only.
    let staff_named = |h: &app::models::SiteHistory| h.entries.iter().flat_map(|e| &e.events).any(|e| e.role == Some(Role::Provider) && !e.actor.is_empty());
    assert!(!staff_named(&h));
    let hc = w.history(&f.clerk, &site.key).await.unwrap();
    assert!(staff_named(&hc));
    assert_eq!(hc.entries.len(), 3);
    let hb = w.history(&f.bureau, &site.key).await.unwrap();
    assert_eq!(hb.entries.len(), 3);
    // Nobody else: another registrant, a 管局 of another province.
    assert!(matches!(w.history(&other, &site.key).await, Err(AppError::NotFound)));
    let far = w.staff("bureau_sh311", Role::Bureau, "13600311999", Some(31)).await;
    assert!(matches!(w.history(&far, &site.key).await, Err(AppError::NotFound)));
    assert!(matches!(w.history(&f.owner, "no such!").await, Err(AppError::NotFound)));
}

#[tokio::test]
async fn the_providers_own_access_cancellation_is_in_the_history() {
    let f = filed(313, "history-access.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let site = r.websites[0].clone();
    w.cancel_access(&f.clerk, &site.access[0].key, "1").await.unwrap();
    let h = w.history(&f.owner, &site.key).await.unwrap();
    let last = h.entries.last().unwrap();
    assert_eq!((last.kind, last.status, last.link.clone()), (Some(BusinessKind::CancelAccess), None, None));
    assert!(last.events[0].comment.contains("取消接入"), "{:?}", last.events);
    assert_eq!(h.status, "empty");
    // The provider still reads the history of a website it served.
    assert_eq!(w.history(&f.clerk, &site.key).await.unwrap().entries.len(), 2);
}

#[tokio::test]
async fn a_provider_new_to_an_entity_sees_its_details_only_once_the_new_access_is_approved() {
    let f = filed(314, "new-access-hidden.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    // The website moves away: no access here any more.
    w.cancel_access(&f.clerk, &r.websites[0].access[0].key, "1").await.unwrap();
    // Coming back, the 新增接入 is the sponsor's to file: the provider does not see the entity before approval.
    let user = f.owner.username.clone();
    assert!(conflict(w.start_for(&f.clerk, &user, &f.cert, "new-access-hidden.cn", &f.password).await).contains("主办者本人"));
    let id = w.submitted_with(&f.owner, &f.cert, "new-access-hidden.cn", false, &f.password).await;
    let d = w.detail(&f.clerk, &id).await.unwrap();
    assert_eq!(d.summary.kind, BusinessKind::NewAccess);
    assert!(d.entity_hidden);
    // Its documents too: neither listed nor readable.
    assert!(d.materials.iter().all(|m| m.kind != "entity_cert" && m.kind != "leader_photo"), "{:?}", d.materials);
    let cert_scan = w.detail(&f.owner, &id).await.unwrap().materials.into_iter().find(|m| m.kind == "entity_cert").unwrap();
    assert!(matches!(w.file(&f.clerk, &cert_scan.id).await, Err(AppError::Forbidden)));
    assert!(w.file(&f.owner, &cert_scan.id).await.is_ok());
    assert!(d.form.entity.cert_number.is_empty() && d.form.entity.leader.cert_number.is_empty() && d.form.entity.address.is_empty(), "{:?}", d.form.entity);
    assert_eq!(d.form.entity.unit_name, "北京星河网络科技有限公司");
    // The registrant sees its own data.
    assert_eq!(w.detail(&f.owner, &id).await.unwrap().form.entity.cert_number, f.cert);
    assert_eq!(w.through(&f.clerk, &f.bureau, &id).await.status, ApplicationStatus::Approved);
    let d = w.detail(&f.clerk, &id).await.unwrap();
    assert!(!d.entity_hidden);
    assert_eq!(d.form.entity.cert_number, f.cert);
}

#[tokio::test]
async fn wrong_client_usernames_count_towards_the_lock_and_a_co_filer_sees_only_its_own_history() {
    let f = filed(315, "lock-names.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let site = r.websites[0].clone();
    // Another sponsor files a second website under the entity with the 备案密码.
    let co = w.registrant("cofiler315", "13800315000").await;
    let id = w.submitted_with(&co, &f.cert, "lock-names-two.cn", false, &f.password).await;
    w.through(&f.clerk, &f.bureau, &id).await;
    // The co-filer may read the entity's first website's history, but not the owner's applications.
    let h = w.history(&co, &site.key).await.unwrap();
    assert!(h.entries.is_empty(), "{:?}", h.entries);
    assert_eq!(w.history(&f.owner, &site.key).await.unwrap().entries.len(), 1);

    // Guessing usernames with the right password locks the proof like wrong passwords do.
    for i in 0..4 {
        let r2 = w.begin_for(&f.clerk, &format!("guess_{i}"), BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await;
        assert!(matches!(r2, Err(AppError::Invalid(_))), "{r2:?}");
    }
    let fifth = w.begin_for(&f.clerk, "guess_5", BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await;
    assert!(conflict(fifth).contains("次数过多"));
    // Locked for everyone, the right username too.
    let user = f.owner.username.clone();
    assert!(conflict(w.begin_for(&f.clerk, &user, BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await).contains("次数过多"));
    assert!(conflict(w.begin_for(&f.clerk, "guess_6", BusinessKind::ChangeEntity, &r.key, "", &f.password, "").await).contains("次数过多"));
}

#[tokio::test]
async fn an_undecided_cancellation_is_amended_or_deleted_and_a_rejected_one_is_amended_and_filed_again() {
    let f = filed(316, "amend-cancel.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let site = r.websites[0].clone();
    let s = w.begin(&f.owner, BusinessKind::CancelWebsite, &r.key, &site.key, &f.password, "1").await.unwrap();
    // Modified by the registrant before the provider passes it.
    let v = w.version(&f.owner, &s.id).await;
    assert!(matches!(w.amend(&f.owner, &s.id, v, "7", "").await, Err(AppError::Invalid(_))), "an unknown reason");
    w.amend(&f.owner, &s.id, v, "2", "域名不再续费").await.unwrap();
    let d = w.detail(&f.clerk, &s.id).await.unwrap();
    assert_eq!(d.cancel_reason.map(|m| m.zh), Some("域名已到期或不再使用".to_string()));
    assert_eq!(d.cancel_note, "域名不再续费");
    // The provider does not change what the registrant filed (it may return it).
    assert!(!d.actions.contains(&app::domain::workflow::Action::Amend));
    let v = w.version(&f.clerk, &s.id).await;
    assert!(matches!(w.amend(&f.clerk, &s.id, v, "1", "").await, Err(AppError::Forbidden)));
    w.pass(&f.clerk, &s.id, v, "已核实").await.unwrap();
    // Passed: too late for the registrant.
    let v = w.version(&f.owner, &s.id).await;
    assert!(matches!(w.amend(&f.owner, &s.id, v, "1", "").await, Err(AppError::Conflict(_))));
    // Rejected by the 管局: the provider amends it and files it again (再次提出).
    let v = w.version(&f.bureau, &s.id).await;
    w.reject(&f.bureau, &s.id, v, "注销理由与实际不符").await.unwrap();
    let v = w.version(&f.clerk, &s.id).await;
    w.amend(&f.clerk, &s.id, v, "1", "网站已关闭").await.unwrap();
    let v = w.version(&f.clerk, &s.id).await;
    w.pass(&f.clerk, &s.id, v, "再次提出").await.unwrap();
    let v = w.version(&f.bureau, &s.id).await;
    assert_eq!(w.approve(&f.bureau, &s.id, v).await.unwrap().status, ApplicationStatus::Approved);
    assert!(public_names(w, "amend-cancel.cn").await.is_empty());
    let h = w.history(&f.owner, &site.key).await.unwrap();
    let amended = h.entries.last().unwrap().events.iter().filter(|e| e.action == Some(app::domain::workflow::Action::Amend)).count();
    assert_eq!(amended, 2);
}

#[tokio::test]
async fn the_provider_deletes_a_cancellation_it_filed_for_its_client() {
    let f = filed(317, "delete-cancel.cn").await;
    let w = &f.w;
    let r = record(w, &f.owner).await;
    let user = f.owner.username.clone();
    let s = w.begin_for(&f.clerk, &user, BusinessKind::CancelEntity, &r.key, "", &f.password, "3").await.unwrap();
    assert!(s.submitted);
    let d = w.detail(&f.clerk, &s.id).await.unwrap();
    assert!(d.actions.contains(&app::domain::workflow::Action::Amend) && d.actions.contains(&app::domain::workflow::Action::Delete), "{:?}", d.actions);
    let v = w.version(&f.clerk, &s.id).await;
    w.amend(&f.clerk, &s.id, v, "9", "客户改变主意").await.unwrap();
    // An old version is refused (somebody changed it meanwhile).
    assert!(matches!(w.delete_cancel(&f.clerk, &s.id, v).await, Err(AppError::Conflict(_))));
    w.delete_cancel(&f.clerk, &s.id, v + 1).await.unwrap();
    assert_eq!(w.detail(&f.owner, &s.id).await.unwrap().summary.status, ApplicationStatus::Abandoned);
    // The entity is free again.
    assert!(record(w, &f.owner).await.open.is_none());
    // What the registrant filed is not the provider's to delete.
    let mine = w.begin(&f.owner, BusinessKind::CancelEntity, &r.key, "", &f.password, "3").await.unwrap();
    let v = w.version(&f.clerk, &mine.id).await;
    assert!(matches!(w.delete_cancel(&f.clerk, &mine.id, v).await, Err(AppError::Forbidden)));
    assert!(!w.detail(&f.clerk, &mine.id).await.unwrap().actions.contains(&app::domain::workflow::Action::Delete));
    // Nor does it withdraw it (撤回 is the registrant's).
    assert!(matches!(w.discard(&f.clerk, &mine.id).await, Err(AppError::Forbidden)));
}

#[tokio::test]
async fn the_provider_adds_a_website_for_its_client() {
    let f = filed(318, "add-for-client.cn").await;
    let w = &f.w;
    let user = f.owner.username.clone();
    // One answer for a wrong username or password.
    let a = w.start_for(&f.clerk, "not_the_client", &f.cert, "second-318.cn", &f.password).await;
    let b = w.start_for(&f.clerk, &user, &f.cert, "second-318.cn", "Wrong-pass1").await;
    assert!(matches!(&a, Err(AppError::Invalid(e)) if e.0[0].path == "proof"), "{a:?}");
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    // 新增网站 for the client: the clerk fills in the same wizard and submits it.
    let d = w.start_for(&f.clerk, &user, &f.cert, "second-318.cn", &f.password).await.unwrap();
    assert_eq!(d.kind, BusinessKind::NewWebsite);
    assert!(d.for_staff);
    // Not the client's own unfinished filing: it may still start its own.
    assert!(w.current_draft(&f.owner).await.unwrap().is_none());
    for kind in ["entity_cert", "leader_photo"] {
        w.upload(&f.clerk, &d.id, kind, "a.png", common::png()).await.unwrap();
    }
    let mut form = common::form(&f.cert, "second-318.cn", false);
    form.entity = d.form.entity.clone();
    w.save(&f.clerk, &d.id, STEP_CONFIRM, form).await.unwrap();
    w.submit(&f.clerk, &d.id).await.unwrap();
    let done = w.through(&f.clerk, &f.bureau, &d.id).await;
    assert_eq!(done.website_licences, vec![format!("{}-2", f.main)]);
    // The client's application, in its list; audited as the provider's.
    assert!(w.list(&f.owner).await.unwrap().iter().any(|s| s.id == d.id));
    let t = w.detail(&f.owner, &d.id).await.unwrap().timeline;
    assert_eq!(t[0].role, Some(Role::Provider));
    assert!(t[0].comment.contains("代为办理"));
}

#[tokio::test]
async fn each_business_rejected_by_the_bureau_changes_nothing_filed_and_keeps_the_entity_busy() {
    use app::domain::business::Scope;
    for (n, kind) in [(320, BusinessKind::ChangeEntity), (321, BusinessKind::ChangeAccess), (322, BusinessKind::CancelEntity), (323, BusinessKind::NewWebsite), (324, BusinessKind::NewAccess)] {
        let domain = format!("reject-{n}.cn");
        let f = filed(n, &domain).await;
        let w = &f.w;
        let r = record(w, &f.owner).await;
        let site = r.websites[0].clone();
        let public = public_names(w, &domain).await;
        let id = if kind == BusinessKind::NewWebsite {
            w.submitted_with(&f.owner, &f.cert, &format!("reject-new-{n}.cn"), false, &f.password).await
        } else if kind == BusinessKind::NewAccess {
            // The website moved away and comes back.
            w.cancel_access(&f.clerk, &site.access[0].key, "1").await.unwrap();
            w.submitted_with(&f.owner, &f.cert, &domain, false, &f.password).await
        } else {
            let s = w.begin(&f.owner, kind, &r.key, if kind.scope() == Scope::Website { &site.key } else { "" }, &f.password, "1").await.unwrap();
            if !s.submitted {
                let mut form = w.open(&f.owner, &s.id).await.unwrap().form;
                match kind {
                    BusinessKind::ChangeEntity => form.entity.address = "北京市海淀区新地址1号".into(),
                    _ => form.websites[0].access.ips = "1.2.4.9".into(),
                }
                w.save(&f.owner, &s.id, STEP_CONFIRM, form).await.unwrap();
                w.submit(&f.owner, &s.id).await.unwrap();
            }
            s.id
        };
        if kind.needs_verification() {
            w.verify_and_pass(&f.clerk, &id).await;
        } else {
            let v = w.version(&f.clerk, &id).await;
            w.pass(&f.clerk, &id, v, "已核实").await.unwrap();
        }
        let v = w.version(&f.bureau, &id).await;
        let done = w.reject(&f.bureau, &id, v, "材料与实际不符").await.unwrap();
        assert_eq!(done.status, ApplicationStatus::BureauRejected, "{kind:?}");
        // Nothing filed changed; the entity stays busy until the application ends; the registrant was told why.
        assert_eq!(public_names(w, &domain).await, public, "{kind:?}");
        let now = record(w, &f.owner).await;
        assert_eq!((now.status.as_str(), now.websites.len()), ("normal", 1), "{kind:?}");
        assert_eq!(now.websites[0].access[0].ips, site.access[0].ips, "{kind:?}");
        assert_eq!(now.open.map(|o| o.id), Some(id.clone()), "{kind:?}");
        assert!(w.sent().await.iter().any(|m| m.recipient == f.owner.mobile && m.body.contains("材料与实际不符")), "{kind:?}");
    }
}
