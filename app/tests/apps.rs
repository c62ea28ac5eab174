//! APP filings against `mem://` (issue 14): a website and an APP filed
//! together are numbered …号-1 and …号-2A; later services continue the
//! entity's one sequence, also when approved at the same moment; the public
//! query finds an APP by its name and package and says it is an APP; what
//! only the server can check (its icon, the domains it uses) is refused with
//! a message; the type check knows an APP already filed.

mod common;

use app::domain::app::PlatformForm;
use app::domain::filing::{FilingForm, MaterialKind, WebsiteForm, KIND_APP, STEP_CONFIRM};
use app::domain::licence::parse_service_licence;
use app::domain::lookup::{parse_lookup, ServiceKind};
use app::domain::workflow::Role;
use app::error::AppError;
use app::ssr::auth::CurrentUser;
use common::{form, png, uscc, World};

const FINGERPRINT: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

/// An APP using `uses` (one domain per line), its icon uploaded as `icon`.
fn app_service(site: &WebsiteForm, name: &str, package: &str, uses: &str, icon: &str) -> WebsiteForm {
    WebsiteForm {
        kind: KIND_APP.into(),
        name: name.into(),
        domains: uses.into(),
        home_urls: String::new(),
        platforms: vec![
            PlatformForm { platform: "android".into(), package: package.into(), fingerprint: FINGERPRINT.into(), public_key: String::new() },
            PlatformForm { platform: "ios".into(), package: package.into(), fingerprint: "0123456789abcdef0123456789abcdef01234567".into(), public_key: String::new() },
        ],
        icon: icon.into(),
        ..site.clone()
    }
}

struct Staff {
    clerk: CurrentUser,
    bureau: CurrentUser,
}

async fn staff(w: &World, n: u32) -> Staff {
    Staff {
        clerk: w.staff(&format!("clerk{n}"), Role::Provider, &format!("137002{n:05}"), None).await,
        bureau: w.staff(&format!("bureau{n}"), Role::Bureau, &format!("136002{n:05}"), Some(11)).await,
    }
}

/// Start a filing (type check `input`), upload its documents and an icon,
/// let `shape` fill in the form (given the icon's key), save and submit.
async fn file(w: &World, who: &CurrentUser, cert: &str, input: &str, proof: &str, shape: impl FnOnce(FilingForm, &str) -> FilingForm) -> Result<String, AppError> {
    let draft = w.start_with(who, cert, input, proof).await?;
    for kind in [MaterialKind::EntityCert, MaterialKind::LeaderPhoto] {
        w.upload(who, &draft.id, kind.code(), "a.png", png()).await?;
    }
    let icon = w.upload(who, &draft.id, MaterialKind::AppIcon.code(), "icon.png", png()).await?;
    let domain = input.lines().next().unwrap_or_default();
    let mut f = form(cert, domain, false);
    if !draft.form.entity.unit_name.is_empty() {
        f.entity = draft.form.entity.clone();
    }
    let f = shape(f, &icon.id);
    w.save(who, &draft.id, STEP_CONFIRM, f).await?;
    w.submit(who, &draft.id).await?;
    Ok(draft.id)
}

#[tokio::test]
async fn a_website_and_an_app_are_numbered_1_and_2a_and_later_services_continue_the_sequence() {
    let w = World::new().await;
    let s = staff(&w, 1).await;
    let owner = w.registrant("app_owner", "13800150001").await;
    let cert = uscc(1401);
    let id = file(&w, &owner, &cert, "xingchen-app.cn", "", |mut f, icon| {
        let app = app_service(&f.websites[0], "星辰记账", "com.xingchen.jizhang", "xingchen-app.cn", icon);
        f.websites.push(app);
        f
    })
    .await
    .unwrap();
    // The clerk and the 管局 see the APP's fields and its icon.
    let d = w.detail(&s.clerk, &id).await.unwrap();
    let all = app::domain::review::review_rows(&d.form);
    let rows: Vec<(String, String)> = all.iter().map(|r| (r.path.clone(), r.value.zh.clone())).collect();
    assert!(rows.iter().any(|(p, v)| p == "websites[1].platforms[0].package" && v == "com.xingchen.jizhang"), "{rows:?}");
    assert!(rows.iter().any(|(p, v)| p == "websites[1].platforms[0].platform" && v.contains("安卓")), "{rows:?}");
    assert!(rows.iter().any(|(p, v)| p == "websites[1].icon" && !v.is_empty()));
    assert!(all.iter().any(|r| r.label.zh.contains("APP名称") && r.value.zh == "星辰记账"));
    assert!(d.materials.iter().any(|m| m.kind == "app_icon"));

    let done = w.through(&s.clerk, &s.bureau, &id).await;
    let main = done.entity_licence.clone().unwrap();
    assert_eq!(done.website_licences, vec![format!("{main}-1"), format!("{main}-2A")]);
    let app_no = parse_service_licence(&done.website_licences[1]).unwrap();
    assert_eq!(app_no.format(), format!("{main}-2A"));

    // The public query: by the APP's name, by its package, by its number;
    // it is an APP (serviceType 6) with packages and no home page or domain.
    let by_name = w.public("星辰记账").await;
    assert_eq!(by_name.items.len(), 1, "{by_name:?}");
    let r = &by_name.items[0];
    assert_eq!((r.service_type, r.service_licence.as_str(), r.service_name.as_str()), (6, format!("{main}-2A").as_str(), "星辰记账"));
    assert_eq!(r.package_names, vec!["com.xingchen.jizhang".to_string()]);
    assert!(r.home_url.is_empty() && r.domain.is_empty());
    assert_eq!(w.public("com.XingChen.jizhang").await.items.len(), 1);
    assert_eq!(w.public(&format!("{main}-2A")).await.items[0].service_type, 6);
    // The entity's name finds both; the filter keeps one kind.
    let both = w.public("北京星河网络科技").await;
    assert_eq!(both.items.len(), 2);
    let lookup = parse_lookup("北京星河网络科技").unwrap();
    for (kind, want) in [(ServiceKind::App, format!("{main}-2A")), (ServiceKind::Website, format!("{main}-1"))] {
        let from_db = app::ssr::public::search(&w.db, &lookup, Some(kind), 1, 10).await.unwrap();
        assert_eq!(from_db.items.iter().map(|r| r.service_licence.clone()).collect::<Vec<_>>(), vec![want.clone()]);
        let held = w.index.search(&lookup, Some(kind), 1, 10).unwrap();
        assert_eq!(held.items.iter().map(|r| r.service_licence.clone()).collect::<Vec<_>>(), vec![want]);
    }
    // The APP claims no domain: the website still holds its own.
    assert_eq!(w.public("xingchen-app.cn").await.items[0].service_licence, format!("{main}-1"));

    // The type check knows the APP by its package.
    let found = w.detect(&owner, &cert, "com.xingchen.jizhang").await.unwrap();
    assert!(found.kind.is_none());
    assert_eq!(found.domains[0].finding, "app_filed");
    assert!(found.domains[0].message.zh.contains(&format!("{main}-2A")), "{:?}", found.domains[0]);

    // Then a new website, then a new APP alone (named by its package in the
    // type check): -3, then -4A. (One open application per entity, so an
    // entity's numbers are never issued at the same moment; different
    // entities' are: see the next test.)
    let password = w.secret_to("zhang@example.com", "备案密码：", 10).await;
    let web = file(&w, &owner, &cert, "xingchen-three.cn", &password, |f, _| f).await.unwrap();
    w.verify_and_pass(&s.clerk, &web).await;
    let v = w.version(&s.bureau, &web).await;
    let third = w.approve(&s.bureau, &web, v).await.unwrap();
    let app2 = file(&w, &owner, &cert, "com.xingchen.weather", &password, |mut f, icon| {
        let app = app_service(&f.websites[0], "星辰天气", "com.xingchen.weather", "xingchen-three.cn", icon);
        f.websites = vec![app];
        f
    })
    .await
    .unwrap();
    let fourth = w.through(&s.clerk, &s.bureau, &app2).await;
    assert_eq!(third.website_licences, vec![format!("{main}-3")]);
    assert_eq!(fourth.website_licences, vec![format!("{main}-4A")]);
}

/// Approvals of several entities' mixed filings at once: every entity gets
/// -1 and -2A, whatever the order the transactions commit in.
#[tokio::test]
async fn concurrent_approvals_of_mixed_filings_number_each_entity_from_1() {
    const N: u32 = 6;
    let w = World::new().await;
    let s = staff(&w, 2).await;
    let mut ids = Vec::new();
    for i in 0..N {
        let owner = w.registrant(&format!("mixed{i}"), &format!("1380016{:04}", i)).await;
        let domain = format!("mixed-{i}.cn");
        let id = file(&w, &owner, &uscc(1500 + i), &domain, "", |mut f, icon| {
            let app = app_service(&f.websites[0], &format!("混合应用{i}号"), &format!("cn.mixed.app{i}"), &domain, icon);
            f.websites.push(app);
            f
        })
        .await
        .unwrap();
        w.verify_and_pass(&s.clerk, &id).await;
        ids.push(id);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let (w, b) = (w.clone(), s.bureau.clone());
        tasks.push(tokio::spawn(async move {
            let v = w.version(&b, &id).await;
            w.approve(&b, &id, v).await
        }));
    }
    let mut mains = Vec::new();
    for t in tasks {
        let done = t.await.unwrap().unwrap();
        let main = done.entity_licence.unwrap();
        assert_eq!(done.website_licences, vec![format!("{main}-1"), format!("{main}-2A")]);
        mains.push(main);
    }
    mains.sort();
    mains.dedup();
    assert_eq!(mains.len(), N as usize, "every entity its own number");
}

#[tokio::test]
async fn what_only_the_server_knows_is_refused_with_a_message() {
    let w = World::new().await;
    let owner = w.registrant("app_refused", "13800170001").await;
    let cert = uscc(1601);
    // A domain nobody filed, not in this filing either.
    let r = file(&w, &owner, &cert, "refused-site.cn", "", |mut f, icon| {
        let app = app_service(&f.websites[0], "拒绝测试", "com.refused.app", "unfiled-elsewhere.cn", icon);
        f.websites.push(app);
        f
    })
    .await;
    match r {
        Err(AppError::Invalid(e)) => {
            let found = e.0.iter().find(|x| x.code == "app.domain.unfiled").expect("the unfiled domain is named");
            assert_eq!(found.path, "websites[1].domains");
            assert!(found.message.zh.contains("unfiled-elsewhere.cn"));
        }
        other => panic!("expected the domain to be refused, got {other:?}"),
    }
    // An icon that is not this filing's.
    let draft = w.current_draft(&owner).await.unwrap().unwrap();
    let mut f = draft.form.clone();
    f.websites[1].domains = "refused-site.cn".into();
    f.websites[1].icon = "not-an-upload".into();
    let r = w.save(&owner, &draft.id, STEP_CONFIRM, f).await;
    match r {
        Err(AppError::Invalid(e)) => assert!(e.0.iter().any(|x| x.code == "app.icon.missing" && x.path == "websites[1].icon"), "{e:?}"),
        other => panic!("expected the icon to be refused, got {other:?}"),
    }
    // A package twice in one filing, and a bad fingerprint: the domain rules, on the server too.
    let mut f = w.current_draft(&owner).await.unwrap().unwrap().form;
    f.websites[1].platforms[1].package = "com.refused.app".into();
    f.websites[1].platforms[1].platform = "android".into();
    f.websites[1].platforms[0].fingerprint = "XYZ".into();
    let r = w.save(&owner, &draft.id, STEP_CONFIRM, f).await;
    match r {
        Err(AppError::Invalid(e)) => {
            assert!(e.0.iter().any(|x| x.code == "app.platform.twice"), "{e:?}");
            assert!(e.0.iter().any(|x| x.code == "app.fingerprint.hex" && x.path == "websites[1].platforms[0].fingerprint"), "{e:?}");
        }
        other => panic!("expected the rules to refuse, got {other:?}"),
    }
}

/// 变更 and 注销 of an APP take the paths a website's take: the change keeps
/// its number and its platforms, the public query follows; the cancelled
/// APP is no longer found and its number is never reused.
#[tokio::test]
async fn an_app_is_changed_and_cancelled_like_a_website() {
    use app::domain::workflow::BusinessKind;
    let w = World::new().await;
    let s = staff(&w, 3).await;
    let owner = w.registrant("app_life", "13800180001").await;
    let cert = uscc(1701);
    let id = file(&w, &owner, &cert, "life-app.cn", "", |mut f, icon| {
        let app = app_service(&f.websites[0], "生活助手", "com.life.helper", "life-app.cn", icon);
        f.websites.push(app);
        f
    })
    .await
    .unwrap();
    let done = w.through(&s.clerk, &s.bureau, &id).await;
    let main = done.entity_licence.unwrap();
    let password = w.secret_to("zhang@example.com", "备案密码：", 10).await;
    let mut records = w.records(&owner).await.unwrap();
    let r = records.remove(0);
    let app_site = r.websites.iter().find(|x| x.licence.ends_with("-2A")).expect("the APP is among the filed services").clone();

    // 变更: a new name; the platforms and icon come along.
    let started = w.begin(&owner, BusinessKind::ChangeWebsite, &r.key, &app_site.key, &password, "").await.unwrap();
    let mut form = w.open(&owner, &started.id).await.unwrap().form;
    assert!(form.websites[0].is_app(), "{:?}", form.websites[0]);
    assert_eq!(form.websites[0].platforms.len(), 2);
    assert!(!form.websites[0].icon.is_empty());
    form.websites[0].name = "生活小助手".into();
    w.save(&owner, &started.id, STEP_CONFIRM, form).await.unwrap();
    w.submit(&owner, &started.id).await.unwrap();
    w.through(&s.clerk, &s.bureau, &started.id).await;
    let found = w.public("生活小助手").await;
    assert_eq!(found.items.len(), 1);
    assert_eq!((found.items[0].service_licence.clone(), found.items[0].service_type), (format!("{main}-2A"), 6));
    assert!(w.public("com.life.helper").await.items.iter().all(|r| r.service_name == "生活小助手"));

    // 注销 the APP: gone from the public query; the website stays.
    let cancel = w.begin(&owner, BusinessKind::CancelWebsite, &r.key, &app_site.key, &password, "1").await.unwrap();
    w.through(&s.clerk, &s.bureau, &cancel.id).await;
    assert!(w.public("com.life.helper").await.items.is_empty());
    assert!(w.public("生活小助手").await.items.is_empty());
    assert_eq!(w.public("life-app.cn").await.items[0].service_licence, format!("{main}-1"));
}

/// A package another filing holds is refused, whatever the type check was
/// told; a 变更 cannot turn a website into an APP.
#[tokio::test]
async fn a_filed_package_is_not_filed_again_and_a_website_stays_a_website() {
    use app::domain::workflow::BusinessKind;
    let w = World::new().await;
    let s = staff(&w, 4).await;
    let first = w.registrant("pkg_first", "13800190001").await;
    let id = file(&w, &first, &uscc(1801), "pkg-first.cn", "", |mut f, icon| {
        let app = app_service(&f.websites[0], "包名测试", "com.Taken.App", "pkg-first.cn", icon);
        f.websites.push(app);
        f
    })
    .await
    .unwrap();
    w.through(&s.clerk, &s.bureau, &id).await;
    // Stored and found in lower case.
    assert_eq!(w.public("com.taken.app").await.items.len(), 1);
    let other = w.registrant("pkg_second", "13800190002").await;
    let r = file(&w, &other, &uscc(1802), "pkg-second.cn", "", |mut f, icon| {
        let app = app_service(&f.websites[0], "冒用包名", "com.taken.app", "pkg-second.cn", icon);
        f.websites.push(app);
        f
    })
    .await;
    match r {
        Err(AppError::Invalid(e)) => assert!(e.0.iter().any(|x| x.code == "app.package.filed" && x.path == "websites[1].platforms"), "{e:?}"),
        other => panic!("expected the package to be refused, got {other:?}"),
    }

    // A website changed into an "APP": the kind stays as filed.
    let password = w.secret_to("zhang@example.com", "备案密码：", 10).await;
    let rec = w.records(&first).await.unwrap().remove(0);
    let site = rec.websites.iter().find(|x| x.licence.ends_with("-1")).unwrap().clone();
    let started = w.begin(&first, BusinessKind::ChangeWebsite, &rec.key, &site.key, &password, "").await.unwrap();
    let mut form = w.open(&first, &started.id).await.unwrap().form;
    form.websites[0] = app_service(&form.websites[0], "改成APP", "com.sneaky.app", "", "x");
    form.websites[0].name = "星河搜索新网".into();
    let kept = w.save(&first, &started.id, STEP_CONFIRM, form).await;
    let form = match kept {
        Ok(d) => d.form,
        Err(_) => w.open(&first, &started.id).await.unwrap().form,
    };
    assert!(!form.websites[0].is_app() && form.websites[0].platforms.is_empty(), "{:?}", form.websites[0]);
}
