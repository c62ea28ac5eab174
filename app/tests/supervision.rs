//! Supervision against `mem://`: 未备案检测 (matching, recording, handling,
//! reopening, statistics), the blacklist at every door, the public
//! 违法违规查询 and the shippers' tokens.

mod common;

use app::domain::blacklist::EntryInput;
use app::domain::detect::DetectionQuery;
use app::domain::workflow::Role;
use app::error::AppError;
use app::ssr::auth::CurrentUser;
use app::ssr::detect::{self, Source, Tally};
use app::ssr::guard::Need;
use app::ssr::blacklist;
use common::{forbidden, uscc, World};

fn line(host: &str, server: &str, when: &str) -> String {
    format!(r#"203.0.113.7 - - [{when}] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0" "{host}" {server}"#)
}

async fn run(w: &World, lines: &[String], default_province: Option<u8>) -> app::models::RunReport {
    let mut t = Tally::new(Some("198.51.100.1"), app::domain::detect::LogFormat::NginxHost);
    for l in lines {
        t.add_line(l.as_bytes());
    }
    detect::record(&w.db, &w.s.provider_name, Source::Log("test.log".into()), t, default_province).await.unwrap()
}

async fn list(w: &World, clerk: &CurrentUser, q: DetectionQuery) -> app::models::UnfiledPage {
    let cx = w.cx(Some(clerk), Need::Role(&[Role::Provider])).await.unwrap();
    detect::list(&cx, &q).await.unwrap()
}

struct Fixture {
    w: World,
    reg: CurrentUser,
    clerk: CurrentUser,
    bureau: CurrentUser,
}

async fn fixture() -> Fixture {
    let w = World::new().await;
    let reg = w.registrant("owner01", "13800138000").await;
    let clerk = w.staff("clerk01", Role::Provider, "13700137000", None).await;
    let bureau = w.staff("bureau_bj", Role::Bureau, "13600136000", Some(11)).await;
    Fixture { w, reg, clerk, bureau }
}

/// Every kind of served domain is told apart: ours, filed elsewhere, under
/// review, cancelled, never filed; IPs, ports, case, trailing dots and
/// subdomains fold into one domain; IP hosts and unknown suffixes are no
/// domains; garbage lines are counted with a sample.
#[tokio::test]
async fn served_domains_are_matched_against_filings_and_recorded() {
    let f = fixture().await;
    let w = &f.w;
    let (_, ours) = w.approved(&f.reg, &f.clerk, &f.bureau, &uscc(1), "ours-site.cn").await;
    let other_owner = w.registrant("owner02", "13800138002").await;
    let (_, elsewhere) = w.approved(&other_owner, &f.clerk, &f.bureau, &uscc(2), "elsewhere-site.cn").await;
    // Its access moves to another provider (filed, not with us).
    w.db.query("UPDATE access SET provider_name = '上海别家云有限公司' WHERE website.domains[0].ascii = 'elsewhere-site.cn'").await.unwrap().check().unwrap();
    let third = w.registrant("owner03", "13800138003").await;
    w.submitted(&third, &uscc(3), "pending-site.cn", false).await;
    let fourth = w.registrant("owner04", "13800138004").await;
    w.approved(&fourth, &f.clerk, &f.bureau, &uscc(4), "gone-site.cn").await;
    // 注销: the website is cancelled and its domain free again.
    w.db.query("UPDATE website SET status = 'cancelled' WHERE domains[0].ascii = 'gone-site.cn'; DELETE domain_claim WHERE domain = 'gone-site.cn';").await.unwrap().check().unwrap();

    let t = "03/Dec/2026:10:00:00 +0800";
    let lines = vec![
        line("www.ours-site.cn", "1.2.4.8", t),
        line("OURS-SITE.CN.", "1.2.4.8", t),
        line("elsewhere-site.cn:443", "1.2.4.8", t),
        line("m.elsewhere-site.cn", "1.2.4.8", t),
        line("pending-site.cn", "1.2.4.8", t),
        line("www.gone-site.cn", "198.51.100.9", t),
        line("shop.never-filed.cn", "1.2.4.8", "03/Dec/2026:11:00:00 +0800"),
        line("www.never-filed.cn", "1.2.4.8", "03/Dec/2026:09:00:00 +0800"),
        line("192.0.2.1", "1.2.4.8", t),
        line("intranet.local", "1.2.4.8", t),
        "garbage \u{0} line".to_string(),
        String::new(),
    ];
    let r = run(w, &lines, Some(44)).await;
    assert_eq!((r.lines, r.bad_lines), (12, 1), "{r:?}");
    assert_eq!(r.bad_samples.len(), 1);
    assert_eq!(r.not_domains, 2, "an IP and an unknown suffix: {:?}", r.not_domain_samples);
    assert_eq!(r.domains, 5);
    assert_eq!((r.filed_with_us, r.unfiled, r.not_ours, r.new_detections), (1, 3, 1, 4), "{r:?}");
    assert!(!ours.website_licences.is_empty());

    let page = list(w, &f.clerk, DetectionQuery::default()).await;
    assert_eq!(page.total, 4);
    let get = |d: &str| page.items.iter().find(|i| i.domain == d).unwrap_or_else(|| panic!("{d} not found: {:?}", page.items));
    let never = get("never-filed.cn");
    assert_eq!((never.finding.as_str(), never.reason.as_str(), never.state.as_str(), never.times, never.hits), ("unfiled", "never_filed", "open", 1, 2));
    assert_eq!(never.first_seen, "2026-12-03 09:00");
    assert_eq!(never.last_seen, "2026-12-03 11:00");
    assert_eq!(never.ips, vec!["1.2.4.8".to_string()]);
    assert!(never.hosts.contains(&"shop.never-filed.cn".to_string()));
    // Placed by our access row with that IP (北京), not the default.
    assert_eq!(never.province, Some(11));
    let e = get("elsewhere-site.cn");
    assert_eq!((e.finding.as_str(), e.reason.as_str()), ("not_ours", "other_provider"));
    assert_eq!(e.found_licence.as_ref(), elsewhere.website_licences.first());
    assert_eq!(get("pending-site.cn").reason, "pending");
    let gone = get("gone-site.cn");
    assert_eq!(gone.reason, "cancelled");
    assert!(gone.found_licence.is_some());
    // An IP no access row lists: the default province.
    assert_eq!(gone.province, Some(44));
    assert!(page.items.iter().all(|i| i.domain != "ours-site.cn"));

    // Filters, kept as the URL has them.
    let q = |s: &str| DetectionQuery { finding: s.into(), ..Default::default() };
    assert_eq!(list(w, &f.clerk, q("not_ours")).await.total, 1);
    assert_eq!(list(w, &f.clerk, DetectionQuery { domain: "NEVER".into(), ..Default::default() }).await.total, 1);
    assert_eq!(list(w, &f.clerk, DetectionQuery { province: "44".into(), ..Default::default() }).await.total, 1);
    assert_eq!(list(w, &f.clerk, DetectionQuery { from: "2026-12-04".into(), ..Default::default() }).await.total, 0);
    assert_eq!(list(w, &f.clerk, DetectionQuery { to: "2026-12-03".into(), ..Default::default() }).await.total, 4);

    // Only the provider's staff.
    let cx = w.cx(Some(&f.reg), Need::Anyone).await.unwrap();
    forbidden(detect::list(&cx, &DetectionQuery::default()).await);
    let cx = w.cx(Some(&f.bureau), Need::Anyone).await.unwrap();
    forbidden(detect::detail(&cx, "never-filed.cn").await);
}

/// 处理 and its audit; a shut-down site served again reopens with 检测次数
/// 2 and its history; a stale version is refused; 已备案 must name a
/// website that has the domain.
#[tokio::test]
async fn handling_is_audited_and_a_domain_back_after_shutdown_reopens() {
    let f = fixture().await;
    let w = &f.w;
    let (_, filed) = w.approved(&f.reg, &f.clerk, &f.bureau, &uscc(1), "filed-later.cn").await;
    run(w, &[line("www.unfiled-shop.cn", "1.2.4.8", "03/Dec/2026:10:00:00 +0800")], None).await;
    let cx = w.cx(Some(&f.clerk), Need::Role(&[Role::Provider])).await.unwrap();
    let item = detect::detail(&cx, "unfiled-shop.cn").await.unwrap().item;

    // What each result needs.
    assert!(matches!(detect::handle(&cx, "unfiled-shop.cn", item.version, "false_positive", "", "", "").await, Err(AppError::Invalid(_))));
    let site_licence = filed.website_licences[0].clone();
    let err = detect::handle(&cx, "unfiled-shop.cn", item.version, "filed", "", &site_licence, "").await;
    match err {
        Err(AppError::Invalid(e)) => assert!(e.0[0].message.zh.contains("不含域名"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(detect::handle(&cx, "no-such.cn", 1, "closed", "", "", "").await, Err(AppError::Conflict(_) | AppError::NotFound)));
    assert!(matches!(detect::handle(&cx, "../x", 1, "closed", "", "", "").await, Err(AppError::NotFound)));

    let done = detect::handle(&cx, "unfiled-shop.cn", item.version, "closed", "已通知客户并关停", "", "").await.unwrap();
    assert_eq!((done.state.as_str(), done.handled_by.as_deref()), ("closed", Some("clerk01")));
    assert!(common::conflict(detect::handle(&cx, "unfiled-shop.cn", item.version, "closed", "", "", "").await).contains("已被他人处理"));

    // Seen again before the shutdown (an old log): stays shut.
    let r = run(w, &[line("unfiled-shop.cn", "1.2.4.8", "03/Dec/2020:10:00:00 +0800")], None).await;
    assert_eq!(r.reopened, 0);
    let d = detect::detail(&cx, "unfiled-shop.cn").await.unwrap();
    assert_eq!((d.item.state.as_str(), d.item.times), ("closed", 2));
    assert_eq!(d.item.first_seen, "2020-12-03 10:00");
    // Served again after it: open again, 检测次数 3, the history says so.
    // (A time in the future is taken as now: wait for a second to pass.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = run(w, &[line("unfiled-shop.cn", "1.2.4.9", "03/Dec/2030:10:00:00 +0800")], None).await;
    assert_eq!((r.reopened, r.new_detections), (1, 0));
    let d = detect::detail(&cx, "unfiled-shop.cn").await.unwrap();
    assert_eq!((d.item.state.as_str(), d.item.times, d.item.hits), ("open", 3, 3));
    assert_eq!(d.item.ips, vec!["1.2.4.8".to_string(), "1.2.4.9".to_string()]);
    assert_eq!(d.seen.len(), 3);
    assert!(d.seen[0].reopened && !d.seen[1].reopened);
    assert_eq!(d.seen[0].source, "log");
    let actions: Vec<&str> = d.handlings.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, vec!["detection_reopened", "detection_handle"]);
    assert_eq!(d.handlings[1].comment, "已通知客户并关停");
    assert_eq!(d.handlings[1].actor.as_deref(), Some("clerk01"));

    // 整改中 until a date; 已备案 with the right number.
    let t = detect::handle(&cx, "unfiled-shop.cn", d.item.version, "rectifying", "", "", "2026-12-31").await;
    // (Today is the server's: the deadline must be after it and within 180 days.)
    if let Ok(t) = &t {
        assert_eq!(t.deadline.as_deref(), Some("2026-12-31"));
    }
    run(w, &[line("filed-later.cn", "1.2.4.8", "03/Dec/2026:10:00:00 +0800")], None).await;
    // Ours: nothing recorded for it.
    assert!(matches!(detect::detail(&cx, "filed-later.cn").await, Err(AppError::NotFound)));
}

/// 统计 by province, state and month agree with the list.
#[tokio::test]
async fn statistics_count_what_the_list_holds() {
    let f = fixture().await;
    let w = &f.w;
    let t = "03/Dec/2026:10:00:00 +0800";
    run(w, &[line("a-one.cn", "1.2.4.8", t), line("a-two.cn", "1.2.4.8", t), line("a-three.cn", "9.9.9.9", "03/Nov/2026:10:00:00 +0800")], Some(31)).await;
    let cx = w.cx(Some(&f.clerk), Need::Role(&[Role::Provider])).await.unwrap();
    let item = detect::detail(&cx, "a-one.cn").await.unwrap().item;
    detect::handle(&cx, "a-one.cn", item.version, "closed", "", "", "").await.unwrap();
    let s = detect::stats(&cx, "", &DetectionQuery::default(), app::domain::Lang::Zh).await.unwrap();
    assert_eq!(s.total.total, 3);
    // No access row of ours lists 1.2.4.8 here: the default province (上海) for all.
    assert_eq!(s.lines.len(), 1);
    assert_eq!((s.lines[0].key.as_str(), s.lines[0].label.zh.as_str(), s.lines[0].total), ("31", "上海", 3));
    assert_eq!(s.lines[0].by_state, vec![2, 1, 0, 0, 0]);
    assert!(s.chart.starts_with("<svg"));
    let s = detect::stats(&cx, "month", &DetectionQuery::default(), app::domain::Lang::En).await.unwrap();
    let months: Vec<(&str, u64)> = s.lines.iter().map(|l| (l.key.as_str(), l.total)).collect();
    assert_eq!(months, vec![("2026-11", 1), ("2026-12", 2)]);
    let s = detect::stats(&cx, "state", &DetectionQuery { finding: "unfiled".into(), ..Default::default() }, app::domain::Lang::Zh).await.unwrap();
    assert_eq!(s.lines.iter().map(|l| (l.key.as_str(), l.total)).collect::<Vec<_>>(), vec![("open", 2), ("closed", 1)]);
    assert!(matches!(detect::stats(&cx, "nonsense", &DetectionQuery::default(), app::domain::Lang::Zh).await, Err(AppError::BadRequest(_))));
}

fn domain_entry(domain: &str) -> EntryInput {
    EntryInput { kind: "domain".into(), domain: domain.into(), reason: "传播违法信息，管局通报".into(), public_reason: "违法违规网站".into(), ..Default::default() }
}

/// The 管局 lists a domain and an entity; the type check and the
/// submission refuse them; the provider finds them and the filings it still
/// hosts; anyone learns only whether they are listed; taken off, they are
/// allowed again.
#[tokio::test]
async fn the_blacklist_is_checked_at_every_door() {
    let f = fixture().await;
    let w = &f.w;
    // A filing of ours whose domain is listed later: 非法接入.
    w.approved(&f.reg, &f.clerk, &f.bureau, &uscc(1), "hosted-bad.cn").await;
    // A filing verified before the listing, approved after it.
    let waiting_owner = w.registrant("owner07", "13800138007").await;
    let waiting = w.submitted(&waiting_owner, &uscc(7), "approved-late.cn", false).await;
    w.verify_and_pass(&f.clerk, &waiting).await;
    // A draft started before the listing.
    let late = w.registrant("owner05", "13800138005").await;
    let draft = w.start(&late, &uscc(5), "listed-later.cn").await.unwrap();

    let bcx = w.cx(Some(&f.bureau), Need::Role(&[Role::Bureau])).await.unwrap();
    let ccx = w.cx(Some(&f.clerk), Need::Role(&[Role::Provider])).await.unwrap();
    forbidden(blacklist::add(&ccx, &domain_entry("bad-domain.cn")).await);
    assert!(matches!(blacklist::add(&bcx, &domain_entry("www.bad-domain.cn")).await, Err(AppError::Invalid(_))));
    let listed = blacklist::add(&bcx, &domain_entry("bad-domain.cn")).await.unwrap();
    assert_eq!((listed.kind.as_str(), listed.domain.as_str(), listed.listed_by.as_deref()), ("domain", "bad-domain.cn", Some("bureau_bj")));
    assert!(common::conflict(blacklist::add(&bcx, &domain_entry("bad-domain.cn")).await).contains("已在黑名单"));
    blacklist::add(&bcx, &domain_entry("hosted-bad.cn")).await.unwrap();
    blacklist::add(&bcx, &domain_entry("listed-later.cn")).await.unwrap();
    blacklist::add(&bcx, &domain_entry("approved-late.cn")).await.unwrap();
    let v = w.version(&f.bureau, &waiting).await;
    assert!(common::conflict(w.approve(&f.bureau, &waiting, v).await).contains("黑名单"));
    let entity = EntryInput {
        kind: "entity".into(),
        unit_name: "北京黑名单科技（集团）有限公司".into(),
        cert_number: uscc(9),
        reason: "提交虚假材料".into(),
        public_reason: "虚假备案".into(),
        ..Default::default()
    };
    blacklist::add(&bcx, &entity).await.unwrap();

    // The type check refuses a listed domain and a listed certificate.
    let someone = w.registrant("owner06", "13800138006").await;
    match w.detect(&someone, &uscc(6), "ok-domain.cn\nbad-domain.cn").await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.0.len(), 1);
            assert_eq!(e.0[0].path, "domains");
            assert!(e.0[0].message.zh.contains("黑名单") && e.0[0].message.zh.contains("违法违规网站"), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
    match w.detect(&someone, &uscc(9), "fine-domain.cn").await {
        Err(AppError::Invalid(e)) => assert_eq!(e.0[0].path, "cert_number"),
        other => panic!("{other:?}"),
    }
    assert!(w.detect(&someone, &uscc(6), "fine-domain.cn").await.unwrap().kind.is_some());
    // The submission of a draft whose domain was listed meanwhile (its
    // other gaps are told too; the listing is among them).
    match w.submit(&late, &draft.id).await {
        Err(AppError::Invalid(e)) => assert!(e.0.iter().any(|e| e.code == "blacklist.listed"), "{e:?}"),
        other => panic!("expected the blacklist to refuse the submission: {other:?}"),
    }

    // 备案信息黑名单查询: exactly one condition; empty lists that kind.
    assert_eq!(blacklist::list(&ccx, "domain", "").await.unwrap().len(), 4);
    assert_eq!(blacklist::list(&ccx, "name", "").await.unwrap().len(), 1);
    // The provider recognises a listed sponsor; the number is masked and who listed it is left out.
    let seen_by_clerk = &blacklist::list(&ccx, "name", "黑名单科技").await.unwrap()[0];
    assert_eq!(seen_by_clerk.cert_number, format!("{}********{}", &uscc(9)[..6], &uscc(9)[14..]));
    assert_eq!(seen_by_clerk.listed_by, None);
    assert_eq!(blacklist::list(&bcx, "name", "黑名单科技").await.unwrap()[0].cert_number, uscc(9));
    assert_eq!(blacklist::list(&ccx, "domain", "bad-").await.unwrap().len(), 1);
    assert!(matches!(blacklist::list(&ccx, "", "x").await, Err(AppError::Invalid(_))));
    let rcx = w.cx(Some(&f.reg), Need::Anyone).await.unwrap();
    forbidden(blacklist::list(&rcx, "domain", "").await);

    // 非法接入黑名单: our filing whose domain is listed.
    let illegal = blacklist::illegal_access(&ccx, "", "", "").await.unwrap();
    assert_eq!(illegal.len(), 1, "{illegal:?}");
    assert_eq!((illegal[0].domains[0].as_str(), illegal[0].listed_as.as_str()), ("hosted-bad.cn", "domain"));
    assert!(blacklist::illegal_access(&ccx, "不存在的名称", "", "").await.unwrap().is_empty());
    forbidden(blacklist::illegal_access(&bcx, "", "", "").await);

    // 违法违规查询: whether, when, why — nothing more.
    let a = blacklist::public_lookup(&w.db, "https://www.bad-domain.cn/page").await.unwrap();
    assert!(a.listed && a.reason.as_deref() == Some("违法违规网站") && a.listed_on.is_some());
    let a = blacklist::public_lookup(&w.db, "北京黑名单科技(集团)有限公司").await.unwrap();
    assert!(a.listed && a.reason.as_deref() == Some("虚假备案"));
    assert!(!blacklist::public_lookup(&w.db, "fine-domain.cn").await.unwrap().listed);
    assert!(matches!(blacklist::public_lookup(&w.db, "").await, Err(AppError::BadRequest(_))));
    let json = serde_json::to_string(&blacklist::public_lookup(&w.db, "bad-domain.cn").await.unwrap()).unwrap();
    assert!(!json.contains("管局通报") && !json.contains("bureau_bj"), "{json}");

    // Taken off by another province's 管局: no; by its own: yes, and the domain may be filed.
    let sh = w.staff("bureau_sh", Role::Bureau, "13600136001", Some(31)).await;
    let shcx = w.cx(Some(&sh), Need::Role(&[Role::Bureau])).await.unwrap();
    forbidden(blacklist::remove(&shcx, &listed.key, listed.version).await);
    let removed = blacklist::remove(&bcx, &listed.key, listed.version).await.unwrap();
    assert!(removed.removed.is_some());
    assert!(common::conflict(blacklist::remove(&bcx, &listed.key, listed.version).await).contains("刷新"));
    assert!(w.detect(&someone, &uscc(6), "bad-domain.cn").await.unwrap().kind.is_some());
    assert!(!blacklist::public_lookup(&w.db, "bad-domain.cn").await.unwrap().listed);
    // The provider no longer sees it; the 管局 sees it, marked removed.
    assert_eq!(blacklist::list(&ccx, "domain", "").await.unwrap().len(), 3);
    assert_eq!(blacklist::list(&bcx, "domain", "").await.unwrap().len(), 4);
    // What an administrator listed, only an administrator takes off.
    let admin = w.staff("admin01", Role::Admin, "13500135000", None).await;
    let acx = w.cx(Some(&admin), Need::Role(&[Role::Admin])).await.unwrap();
    let by_admin = blacklist::add(&acx, &domain_entry("admin-listed.cn")).await.unwrap();
    forbidden(blacklist::remove(&bcx, &by_admin.key, by_admin.version).await);
    blacklist::remove(&acx, &by_admin.key, by_admin.version).await.unwrap();
}

/// Shippers' tokens: an administrator's; a revoked one no longer works.
#[tokio::test]
async fn ingestion_tokens_are_an_administrators_and_can_be_revoked() {
    let f = fixture().await;
    let w = &f.w;
    let admin = w.staff("admin01", Role::Admin, "13500135000", None).await;
    let acx = w.cx(Some(&admin), Need::Role(&[Role::Admin])).await.unwrap();
    let ccx = w.cx(Some(&f.clerk), Need::Role(&[Role::Provider])).await.unwrap();
    forbidden(detect::create_token(&ccx, "x").await);
    assert!(matches!(detect::create_token(&acx, " ").await, Err(AppError::Invalid(_))));
    let t = detect::create_token(&acx, "日志服务器 A").await.unwrap();
    assert!(t.token.starts_with("bk_") && t.token.len() > 40);
    assert_eq!(t.info.prefix, &t.token[..8]);
    let (id, name) = detect::token_of(&w.db, &t.token).await.unwrap().expect("a live token");
    assert_eq!(name, "日志服务器 A");
    assert!(detect::token_of(&w.db, "bk_wrong").await.unwrap().is_none());
    assert!(detect::token_of(&w.db, "").await.unwrap().is_none());
    // The list never shows the token or its hash.
    let listed = detect::tokens(&acx).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used.is_some());
    assert!(!serde_json::to_string(&listed).unwrap().contains(&t.token[8..]));
    // A batch through it.
    let mut tally = Tally::default();
    tally.add_observation("WWW.Shipped.cn", "1.2.4.8", 1_764_800_000, 1_764_800_100, 5);
    let r = detect::record(&w.db, &w.s.provider_name, Source::Api { token: id.clone(), name: name.clone(), batch: None }, tally, None).await.unwrap();
    assert_eq!(r.new_detections, 1);
    let d = detect::detail(&ccx, "shipped.cn").await.unwrap();
    assert_eq!((d.item.hits, d.seen[0].source.as_str(), d.seen[0].label.as_str()), (5, "api", "日志服务器 A"));

    // A named batch that arrives again (the shipper lost our answer) is
    // recorded once, also when the two arrive at the same moment; another
    // name is another run.
    let batch = |host: &str| {
        let mut t = Tally::default();
        t.add_observation(host, "1.2.4.8", 1_764_800_000, 1_764_800_100, 7);
        t.add_observation("again.cn", "1.2.4.8", 1_764_800_000, 1_764_800_100, 2);
        t
    };
    let api = |b: &str| Source::Api { token: id.clone(), name: name.clone(), batch: Some(b.to_string()) };
    let first = detect::record(&w.db, &w.s.provider_name, api("2026-12-04T02/a"), batch("www.twice.cn"), None).await.unwrap();
    assert_eq!((first.new_detections, first.repeated), (2, false));
    let second = detect::record(&w.db, &w.s.provider_name, api("2026-12-04T02/a"), batch("www.twice.cn"), None).await.unwrap();
    assert_eq!((second.new_detections, second.repeated, second.run.as_str()), (0, true, first.run.as_str()));
    let d = detect::detail(&ccx, "twice.cn").await.unwrap();
    assert_eq!((d.item.times, d.item.hits, d.seen.len()), (1, 7, 1));
    let (x, y) = tokio::join!(
        detect::record(&w.db, &w.s.provider_name, api("2026-12-04T03/b"), batch("www.twice.cn"), None),
        detect::record(&w.db, &w.s.provider_name, api("2026-12-04T03/b"), batch("www.twice.cn"), None),
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    assert!(x.repeated != y.repeated, "one of the two came first");
    let d = detect::detail(&ccx, "twice.cn").await.unwrap();
    assert_eq!((d.item.times, d.item.hits, d.seen.len()), (2, 14, 2));
    let d = detect::detail(&ccx, "again.cn").await.unwrap();
    assert_eq!((d.item.times, d.item.hits), (2, 4));
    // The same name from another token is that token's own batch.
    let other = detect::create_token(&acx, "日志服务器 B").await.unwrap();
    let (id_b, name_b) = detect::token_of(&w.db, &other.token).await.unwrap().unwrap();
    let r = detect::record(&w.db, &w.s.provider_name, Source::Api { token: id_b, name: name_b, batch: Some("2026-12-04T02/a".into()) }, batch("www.twice.cn"), None)
        .await
        .unwrap();
    assert!(!r.repeated);
    assert_eq!(detect::detail(&ccx, "twice.cn").await.unwrap().item.times, 3);
    detect::revoke_token(&acx, &t.info.key).await.unwrap();
    assert!(detect::token_of(&w.db, &t.token).await.unwrap().is_none());
    assert!(detect::tokens(&acx).await.unwrap().iter().any(|t| t.name == "日志服务器 A" && t.revoked.is_some()));
    assert!(matches!(detect::revoke_token(&acx, "nosuch").await, Err(AppError::NotFound)));
}

/// Matching looks every domain up through an index, however many are
/// matched: each of classify's queries, at its chunk size, is planned as
/// index lookups (a table scan would take minutes against a million
/// filings), and a run of more domains than one chunk still tells each
/// kind apart.
#[tokio::test]
async fn matching_goes_through_indexes_in_chunks() {
    let f = fixture().await;
    let w = &f.w;
    w.approved(&f.reg, &f.clerk, &f.bureau, &uscc(1), "chunk-ours.cn").await;
    let domains: Vec<String> = (0..app::ssr::db::IN_LIST_MAX).map(|i| format!("plan-{i}.cn")).collect();
    let websites: Vec<surrealdb::types::RecordId> = (0..app::ssr::db::IN_LIST_MAX).map(|i| surrealdb::types::RecordId::new("website", format!("w{i}").as_str())).collect();
    for q in [detect::Q_CLAIMS, detect::Q_ACCESS, detect::Q_WEBSITES] {
        let mut res = w.db.query(format!("{q} EXPLAIN")).bind(("d", domains.clone())).bind(("w", websites.clone())).await.unwrap();
        let plan: surrealdb::types::Value = res.take(0).unwrap();
        let plan = format!("{plan:?}");
        assert!(plan.contains("IndexScan") && !plan.contains("TableScan"), "{q}: {plan}");
    }
    // One more than the chunk: the table scan the planner would choose.
    let mut longer = domains.clone();
    longer.push("plan-last.cn".into());
    let mut res = w.db.query(format!("{} EXPLAIN", detect::Q_CLAIMS)).bind(("d", longer)).await.unwrap();
    let plan: surrealdb::types::Value = res.take(0).unwrap();
    assert!(format!("{plan:?}").contains("TableScan"), "if SurrealDB now expands longer lists, IN_LIST_MAX can grow");

    // 200 domains over seven chunks: ours in the middle, the rest never filed.
    let mut many: Vec<String> = (0..200).map(|i| format!("never-{i}.cn")).collect();
    many[100] = "chunk-ours.cn".into();
    let verdicts = detect::classify(&w.db, &w.s.provider_name, &many).await.unwrap();
    assert_eq!(verdicts.len(), 200);
    assert_eq!(verdicts["chunk-ours.cn"], detect::Verdict::Ours);
    assert_eq!(verdicts["never-0.cn"], detect::Verdict::Found(app::domain::detect::Reason::NeverFiled, None));
    assert_eq!(verdicts.values().filter(|v| **v == detect::Verdict::Ours).count(), 1);
}
