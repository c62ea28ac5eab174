//! The provider's back office against `mem://`: 组合查询 of approved
//! filings with every kind of condition, one filing in full, exports.

mod common;

use app::domain::search::{Conditions, FiledQuery};
use app::domain::workflow::Role;
use app::error::AppError;
use app::ssr::auth::CurrentUser;
use app::ssr::guard::Need;
use app::ssr::{office, sheets};
use common::{uscc, World};

fn q(pairs: &[(&str, &str)]) -> FiledQuery {
    FiledQuery::from_pairs(pairs.iter().copied())
}

async fn search(w: &World, who: &CurrentUser, pairs: &[(&str, &str)]) -> Result<app::models::FiledPage, AppError> {
    let cx = w.cx(Some(who), Need::Role(&[Role::Provider])).await?;
    office::search(&cx, &q(pairs)).await
}

async fn licences(w: &World, who: &CurrentUser, pairs: &[(&str, &str)]) -> Vec<String> {
    let mut l: Vec<String> = search(w, who, pairs).await.unwrap().rows.into_iter().map(|r| r.licence).collect();
    l.sort();
    l
}

#[tokio::test]
async fn the_combined_search_finds_approved_filings_by_any_condition() {
    let w = World::new().await;
    let a = w.registrant("office_a", "13800000101").await;
    let b = w.registrant("office_b", "13800000102").await;
    let c = w.registrant("office_c", "13800000103").await;
    let clerk = w.staff("office_clerk", Role::Provider, "13700000101", None).await;
    let bureau = w.staff("office_bureau", Role::Bureau, "13600000101", Some(11)).await;
    let (_, da) = w.approved(&a, &clerk, &bureau, &uscc(101), "alpha-office.cn").await;
    let (_, db) = w.approved(&b, &clerk, &bureau, &uscc(102), "beta-office.com").await;
    // Submitted but not approved: not a filed website yet.
    w.submitted(&c, &uscc(103), "gamma-office.net", false).await;
    let la = da.website_licences[0].clone();
    let lb = db.website_licences[0].clone();
    assert!(!la.is_empty() && !lb.is_empty());
    let mut both = vec![la.clone(), lb.clone()];
    both.sort();

    // No conditions: every approved filing of this provider (seed §1.7.2).
    let all = search(&w, &clerk, &[]).await.unwrap();
    assert_eq!((all.total, all.page, all.pages), (2, 1, 1));
    assert_eq!(licences(&w, &clerk, &[]).await, both);
    let row = all.rows.iter().find(|r| r.licence == la).unwrap();
    assert_eq!(row.unit_name, "北京星河网络科技有限公司");
    assert_eq!(row.domains, ["alpha-office.cn"]);
    assert_eq!(row.ips, ["1.2.4.8"]);
    assert_eq!((row.province, row.nature, row.method), (11, 4, 2));
    assert_eq!(row.cert_number, uscc(101));
    assert_eq!(row.approved.len(), 10);

    // Each condition narrows; combined they must all hold.
    assert_eq!(licences(&w, &clerk, &[("domain", "ALPHA")]).await, [la.clone()]);
    assert_eq!(licences(&w, &clerk, &[("cert", &uscc(102).to_lowercase())]).await, [lb.clone()]);
    assert_eq!(licences(&w, &clerk, &[("licence", &la)]).await, [la.clone()]);
    assert_eq!(licences(&w, &clerk, &[("licence", da.entity_licence.as_deref().unwrap())]).await, [la.clone()]);
    assert_eq!(licences(&w, &clerk, &[("name", "星河网络")]).await, both);
    assert_eq!(licences(&w, &clerk, &[("name", "星河网络"), ("domain", "beta")]).await, [lb.clone()]);
    assert_eq!(licences(&w, &clerk, &[("ip", "1.2.4.")]).await, both);
    assert!(licences(&w, &clerk, &[("ip", "2.4.8")]).await.is_empty(), "an IP matches from its beginning only");
    assert_eq!(licences(&w, &clerk, &[("province", "11"), ("nature", "4"), ("method", "2"), ("content", "4")]).await, both);
    assert!(licences(&w, &clerk, &[("province", "31")]).await.is_empty());
    assert!(licences(&w, &clerk, &[("method", "1")]).await.is_empty());
    assert!(licences(&w, &clerk, &[("content", "9")]).await.is_empty());
    let today = &row.approved;
    assert_eq!(licences(&w, &clerk, &[("from", today), ("to", today)]).await, both);
    assert!(licences(&w, &clerk, &[("to", "2000-01-01")]).await.is_empty());
    assert!(licences(&w, &clerk, &[("from", "2999-01-01")]).await.is_empty());

    // A page past the end is empty, with the total.
    let far = search(&w, &clerk, &[("page", "7")]).await.unwrap();
    assert_eq!((far.rows.len(), far.total, far.page), (0, 2, 7));

    // Bad conditions are refused field by field, never run.
    match search(&w, &clerk, &[("province", "99"), ("from", "2026-13-01")]).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.0.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["province", "from"]),
        other => panic!("{other:?}"),
    }

    // Only the provider's staff.
    assert!(matches!(search(&w, &a, &[]).await, Err(AppError::Forbidden)));
    assert!(matches!(search(&w, &bureau, &[]).await, Err(AppError::Forbidden)));

    // One in full: entity, website and access, field by field.
    let cx = w.cx(Some(&clerk), Need::Role(&[Role::Provider])).await.unwrap();
    let d = office::detail(&cx, &row.website).await.unwrap();
    assert_eq!((d.licence.as_str(), d.unit_name.as_str()), (la.as_str(), "北京星河网络科技有限公司"));
    let value = |path: &str| d.rows.iter().find(|r| r.path == path).map(|r| r.value.zh.clone());
    assert_eq!(value("entity.cert_number"), Some(uscc(101)));
    assert_eq!(value("websites[0].domains").as_deref(), Some("alpha-office.cn"));
    assert_eq!(value("websites[0].access.ips").as_deref(), Some("1.2.4.8"));
    assert_eq!(value("websites[0].access.method").as_deref(), Some("主机托管"));
    assert!(matches!(office::detail(&cx, "nosuchsite").await, Err(AppError::NotFound)));
    assert!(matches!(office::detail(&cx, "../x").await, Err(AppError::NotFound)));

    // The export carries the same rows; the CSV opens in Excel (BOM) with the columns.
    let (rows, more) = office::export_rows(&cx, &q(&[("domain", "beta")])).await.unwrap();
    assert!(!more);
    assert_eq!(rows.len(), 1);
    let cells = sheets::filed_cells(&rows[0]);
    assert_eq!(cells[5], lb);
    assert_eq!(cells[1], app::domain::codes::nature(4).unwrap().name.zh);
    assert_eq!(cells[9], "主机托管");
    let csv = String::from_utf8(sheets::csv(&sheets::FILED_COLUMNS, rows.iter().map(|r| sheets::filed_cells(r).to_vec()), None).unwrap()).unwrap();
    assert!(csv.starts_with("\u{feff}主办单位名称,主办单位性质"), "{csv}");
    assert!(csv.contains(&lb) && csv.contains("beta-office.com") && !csv.contains("alpha-office.cn"), "{csv}");
    let xlsx = sheets::xlsx("备案信息", &sheets::FILED_COLUMNS, rows.iter().map(|r| sheets::filed_cells(r).to_vec()), None).unwrap();
    assert_eq!(&xlsx[..2], b"PK");
}

async fn clients(w: &World, who: &CurrentUser, pairs: &[(&str, &str)]) -> Result<Vec<String>, AppError> {
    use app::domain::account::clients::ClientQuery;
    let cx = w.cx(Some(who), Need::Role(&[Role::Provider])).await?;
    let page = app::ssr::clients::list(&cx, &ClientQuery::from_pairs(pairs.iter().copied())).await?;
    Ok(page.rows.into_iter().map(|r| r.username).collect())
}

async fn reset(w: &World, who: &CurrentUser, sel: app::domain::account::clients::Selection, new: app::domain::account::clients::NewPassword) -> Result<Vec<app::models::NewCredential>, AppError> {
    let cx = w.cx(Some(who), Need::Role(&[Role::Provider])).await?;
    app::ssr::clients::reset(&cx, &sel, &new).await
}

#[tokio::test]
async fn the_provider_resets_its_clients_passwords_and_only_theirs() {
    use app::domain::account::clients::{is_generated_shape, ClientQuery, NewPassword, Selection};
    use app::ssr::auth::{self, LoginOutcome};
    let w = World::new().await;
    let a = w.registrant("reset_a", "13800000201").await;
    let b = w.registrant("reset_b", "13800000202").await;
    let stranger = w.registrant("reset_stranger", "13800000203").await;
    let clerk = w.staff("reset_clerk", Role::Provider, "13700000201", None).await;
    let bureau = w.staff("reset_bureau", Role::Bureau, "13600000201", Some(11)).await;
    w.approved(&a, &clerk, &bureau, &uscc(201), "reset-alpha.cn").await;
    w.approved(&b, &clerk, &bureau, &uscc(202), "reset-beta.cn").await;

    // The list: the owners of entities this provider serves, not anyone else.
    assert_eq!(clients(&w, &clerk, &[]).await.unwrap(), ["reset_a", "reset_b"]);
    assert_eq!(clients(&w, &clerk, &[("username", "RESET_B")]).await.unwrap(), ["reset_b"]);
    assert_eq!(clients(&w, &clerk, &[("name", "星河")]).await.unwrap(), ["reset_a", "reset_b"]);
    assert_eq!(clients(&w, &clerk, &[("email", "reset_a@")]).await.unwrap(), ["reset_a"]);
    assert!(matches!(clients(&w, &a, &[]).await, Err(AppError::Forbidden)));

    // A session of a's that the reset must end.
    let LoginOutcome::Ok(aid) = auth::login(&w.db, "reset_a", common::PASSWORD).await.unwrap() else { panic!() };
    let token = auth::create_session(&w.db, &aid, 1).await.unwrap();
    assert!(auth::session_user(&w.db, &token).await.unwrap().is_some());

    // One account, a generated password.
    let creds = reset(&w, &clerk, Selection::Accounts(vec!["reset_a".into()]), NewPassword::Generate).await.unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].username, "reset_a");
    let new = creds[0].password.clone();
    assert!(is_generated_shape(&new), "{new}");
    assert!(auth::session_user(&w.db, &token).await.unwrap().is_none(), "every session of the client ended");
    assert!(matches!(auth::login(&w.db, "reset_a", common::PASSWORD).await.unwrap(), LoginOutcome::Bad));
    let a2 = w.sign_in("reset_a", &new).await;
    assert!(a2.must_change);
    // Until it is changed, nothing but the account itself.
    assert!(matches!(w.cx(Some(&a2), Need::Role(&[Role::Registrant])).await, Err(AppError::MustChangePassword)));
    assert!(w.cx(Some(&a2), Need::Account).await.is_ok());
    // Told by e-mail, without the password.
    let sent = w.sent().await;
    let mail = sent.iter().rev().find(|m| m.recipient == "reset_a@example.com" && m.body.contains("重置")).expect("an e-mail to the client");
    assert!(!mail.body.contains(&new), "the e-mail never carries the password");
    // Audited.
    let mut res = w.db.query("SELECT VALUE comment FROM audit_event WHERE account = $a AND action = 'password_reset'").bind(("a", aid.clone())).await.unwrap();
    let audit: Vec<String> = res.take(0).unwrap();
    assert_eq!(audit.len(), 1);
    // Changing it lifts the mark.
    auth::change_password(&w.db, &a2, &new, "Mine-0nly-pw", "Mine-0nly-pw").await.unwrap();
    let a3 = w.sign_in("reset_a", "Mine-0nly-pw").await;
    assert!(!a3.must_change);
    assert!(w.cx(Some(&a3), Need::Role(&[Role::Registrant])).await.is_ok());

    // Not a client: refused, and nothing changes.
    assert!(matches!(reset(&w, &clerk, Selection::Accounts(vec!["reset_stranger".into()]), NewPassword::Generate).await, Err(AppError::NotFound)));
    assert!(matches!(reset(&w, &clerk, Selection::Accounts(vec!["reset_b".into(), "reset_stranger".into()]), NewPassword::Generate).await, Err(AppError::NotFound)));
    assert!(matches!(auth::login(&w.db, "reset_stranger", common::PASSWORD).await.unwrap(), LoginOutcome::Ok(_)));
    assert!(matches!(auth::login(&w.db, "reset_b", common::PASSWORD).await.unwrap(), LoginOutcome::Ok(_)));
    let _ = stranger;

    // Every match of the conditions, one typed password; the rules hold for each username.
    let set = |p: &str| NewPassword::Set { password: p.into(), password2: p.into() };
    match reset(&w, &clerk, Selection::AllMatching(ClientQuery::from_pairs([("username", "reset_")])), set("12345678")).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.0[0].code, "password.digits"),
        other => panic!("{other:?}"),
    }
    let creds = reset(&w, &clerk, Selection::AllMatching(ClientQuery::from_pairs([("username", "reset_")])), set("Shared-pass-9")).await.unwrap();
    assert_eq!(creds.iter().map(|c| c.username.as_str()).collect::<Vec<_>>(), ["reset_a", "reset_b"]);
    assert!(creds.iter().all(|c| c.password == "Shared-pass-9"));
    assert!(w.sign_in("reset_b", "Shared-pass-9").await.must_change);
    // Only staff of the provider.
    assert!(matches!(reset(&w, &bureau, Selection::Accounts(vec!["reset_b".into()]), NewPassword::Generate).await, Err(AppError::Forbidden)));
}

#[tokio::test]
async fn a_clerk_files_feedback_and_the_administration_of_that_province_answers_and_closes_it() {
    use app::ssr::feedback;
    let w = World::new().await;
    let clerk = w.staff("fb_clerk", Role::Provider, "13700000301", None).await;
    let clerk2 = w.staff("fb_clerk2", Role::Provider, "13700000302", None).await;
    let bj = w.staff("fb_bj", Role::Bureau, "13600000301", Some(11)).await;
    let sh = w.staff("fb_sh", Role::Bureau, "13600000302", Some(31)).await;
    let reg = w.registrant("fb_reg", "13800000301").await;
    let cx = |u: &CurrentUser| {
        let (w, u) = (w.clone(), u.clone());
        async move { w.cx(Some(&u), Need::Role(&[Role::Provider, Role::Bureau, Role::Registrant])).await.unwrap() }
    };

    // Bad input is refused field by field; a good one is filed.
    match feedback::submit(&cx(&clerk).await, "99", "", "x").await {
        Err(AppError::Invalid(e)) => assert_eq!(e.0.len(), 2),
        other => panic!("{other:?}"),
    }
    let f = feedback::submit(&cx(&clerk).await, "11", "关于核验照片", "核验照片的要求是什么？").await.unwrap();
    assert_eq!((f.status.as_str(), f.author.as_str(), f.province), ("open", "fb_clerk", 11));
    assert!(matches!(feedback::submit(&cx(&bj).await, "11", "x", "y").await, Err(AppError::Forbidden)));
    assert!(matches!(feedback::list(&cx(&reg).await, "").await, Err(AppError::Forbidden)));

    // Every clerk of the provider sees it; the 管局 of 北京 does, 上海's does not.
    assert_eq!(feedback::list(&cx(&clerk2).await, "").await.unwrap().len(), 1);
    assert_eq!(feedback::list(&cx(&bj).await, "open").await.unwrap().len(), 1);
    assert!(feedback::list(&cx(&sh).await, "").await.unwrap().is_empty());
    assert!(matches!(feedback::answer(&cx(&sh).await, &f.key, f.version, "不是我们的", false).await, Err(AppError::Forbidden)));

    // Answered: the clerk reads it and is e-mailed.
    assert!(matches!(feedback::answer(&cx(&bj).await, &f.key, f.version, "  ", false).await, Err(AppError::Invalid(_))));
    let a = feedback::answer(&cx(&bj).await, &f.key, f.version, "请上传正面免冠照片。", false).await.unwrap();
    assert_eq!((a.status.as_str(), a.answer.as_deref()), ("answered", Some("请上传正面免冠照片。")));
    let sent = w.sent().await;
    assert!(sent.iter().any(|m| m.recipient == "fb_clerk@example.com" && m.body.contains("请上传正面免冠照片")), "{sent:?}");
    // A stale version is refused; closing keeps the answer.
    assert!(matches!(feedback::answer(&cx(&bj).await, &f.key, f.version, "再答", false).await, Err(AppError::Conflict(_))));
    let c = feedback::answer(&cx(&bj).await, &a.key, a.version, "", true).await.unwrap();
    assert_eq!((c.status.as_str(), c.answer.as_deref()), ("closed", Some("请上传正面免冠照片。")));
    assert!(matches!(feedback::answer(&cx(&bj).await, &c.key, c.version, "再答", false).await, Err(AppError::Conflict(_))));
    assert_eq!(feedback::list(&cx(&clerk).await, "closed").await.unwrap()[0].answer.as_deref(), Some("请上传正面免冠照片。"));
    // Audited, each step.
    let mut res = w.db.query("SELECT VALUE action FROM audit_event WHERE feedback = type::record('feedback', $k) ORDER BY at").bind(("k", f.key.clone())).await.unwrap();
    let actions: Vec<String> = res.take(0).unwrap();
    assert_eq!(actions, ["feedback_submit", "feedback_answer", "feedback_close"]);
}

#[tokio::test]
async fn statistics_count_the_providers_filings_as_of_the_cutoff() {
    let w = World::new().await;
    let a = w.registrant("stats_a", "13800000401").await;
    let b = w.registrant("stats_b", "13800000402").await;
    let clerk = w.staff("stats_clerk", Role::Provider, "13700000401", None).await;
    let bureau = w.staff("stats_bureau", Role::Bureau, "13600000401", Some(11)).await;
    w.approved(&a, &clerk, &bureau, &uscc(401), "stats-alpha.cn").await;
    w.approved(&b, &clerk, &bureau, &uscc(402), "stats-beta.cn").await;
    let cx = w.cx(Some(&clerk), Need::Role(&[Role::Provider])).await.unwrap();
    let today = app::ssr::application::today().to_string();
    let s = app::ssr::stats::compute(&cx, "province", &today, app::domain::Lang::Zh).await.unwrap();
    let bj = s.table.lines.iter().find(|l| l.key == "11").expect("北京");
    assert_eq!((bj.websites, bj.entities, bj.websites_year_before, bj.websites_period_before), (2, 2, 0, 0));
    assert_eq!(s.table.total.websites, 2);
    assert!(s.chart.contains("<svg") && s.chart.contains("北京"));
    let m = app::ssr::stats::compute(&cx, "month", &today, app::domain::Lang::Zh).await.unwrap();
    assert_eq!(m.table.lines.last().unwrap().websites, 2, "both approved this month");
    // A cut-off before any approval counts nothing; a missing one is refused.
    let none = app::ssr::stats::compute(&cx, "nature", "2020-01-01", app::domain::Lang::Zh).await.unwrap();
    assert_eq!(none.table.total.websites, 0);
    assert!(matches!(app::ssr::stats::compute(&cx, "nature", "", app::domain::Lang::Zh).await, Err(AppError::Invalid(_))));
    let reg = w.cx(Some(&a), Need::Role(&[Role::Registrant])).await.unwrap();
    assert!(matches!(app::ssr::stats::compute(&reg, "province", &today, app::domain::Lang::Zh).await, Err(AppError::Forbidden)));
}

#[tokio::test]
async fn a_clerk_files_for_a_new_client_who_gets_an_account_and_must_change_its_password() {
    use app::domain::filing::{MaterialKind, STEP_CONFIRM};
    use app::domain::workflow::BusinessKind;
    use app::ssr::auth::{self, LoginOutcome};
    let w = World::new().await;
    let clerk = w.staff("entry_clerk", Role::Provider, "13700000501", None).await;
    let bureau = w.staff("entry_bureau", Role::Bureau, "13600000501", Some(11)).await;
    let cert = uscc(501);

    // 代为录入: the same type check and wizard; the draft is the clerk's one unfinished entry.
    let d = w.start_for(&clerk, "", &cert, "new-client-501.cn", "").await.unwrap();
    assert_eq!(d.kind, BusinessKind::FirstFiling);
    assert!(d.for_staff);
    assert_eq!(w.current_draft(&clerk).await.unwrap().map(|c| c.id), Some(d.id.clone()), "resumable");
    assert!(common::conflict(w.start_for(&clerk, "", &uscc(502), "other-502.cn", "").await).contains("未完成的代为录入"));
    for kind in [MaterialKind::EntityCert, MaterialKind::LeaderPhoto, MaterialKind::PreApproval] {
        w.upload(&clerk, &d.id, kind.code(), "a.png", common::png()).await.unwrap();
    }
    w.save(&clerk, &d.id, STEP_CONFIRM, common::form(&cert, "new-client-501.cn", true)).await.unwrap();
    let s = w.submit(&clerk, &d.id).await.unwrap();

    // 第五步: the sponsor's name, a username and a first password, once; the approval department.
    let a = s.new_account.expect("a new account for the client");
    assert_eq!(a.unit_name, "北京星河网络科技有限公司");
    assert!(a.username.starts_with("kh") && app::domain::account::check_username(&a.username).is_ok(), "{}", a.username);
    assert!(app::domain::account::clients::is_generated_shape(&a.password));
    assert_eq!(a.departments.len(), 1);
    assert!(a.departments[0].zh.starts_with("新闻：北京网信办"), "{:?}", a.departments);
    assert!(w.current_draft(&clerk).await.unwrap().is_none(), "the clerk may enter the next one");

    // The client is told its username, never the password.
    let sent = w.sent().await;
    let mail = sent.iter().rev().find(|m| m.recipient == "zhang@example.com" && m.body.contains(&a.username)).expect("the client is told");
    assert!(!mail.body.contains(&a.password));

    // The client signs in with it and must change the password first; then the filing is its own.
    assert!(matches!(auth::login(&w.db, &a.username, "wrong-password-1").await.unwrap(), LoginOutcome::Bad));
    let client = w.sign_in(&a.username, &a.password).await;
    assert!(client.must_change);
    assert!(matches!(w.list(&client).await, Err(AppError::MustChangePassword)));
    auth::change_password(&w.db, &client, &a.password, "Client-0wn-pass", "Client-0wn-pass").await.unwrap();
    let client = w.sign_in(&a.username, "Client-0wn-pass").await;
    let mine = w.list(&client).await.unwrap();
    assert_eq!(mine.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), [d.id.as_str()]);
    assert_eq!(client.contact_name, "张三");

    // Through 核实 and the 管局 like any filing; the account is this provider's client.
    w.verify_and_pass(&clerk, &d.id).await;
    let v = w.version(&bureau, &d.id).await;
    w.pre_approval(&bureau, &d.id, v, "核对前置审批文件").await.unwrap();
    let v = w.version(&bureau, &d.id).await;
    let done = w.approve(&bureau, &d.id, v).await.unwrap();
    assert_eq!(done.website_licences.len(), 1);
    assert_eq!(clients(&w, &clerk, &[("username", &a.username)]).await.unwrap(), [a.username.clone()]);
    let mut res = w.db.query("SELECT VALUE action FROM audit_event WHERE account.username = $u").bind(("u", a.username.clone())).await.unwrap();
    let audit: Vec<String> = res.take(0).unwrap();
    assert_eq!(audit, ["account_created"]);
}

#[tokio::test]
async fn certificates_are_issued_for_filed_entities_and_verified_by_their_code() {
    use app::domain::certificate::Standing;
    use app::ssr::certificate;
    let w = World::new().await;
    let a = w.registrant("cert_a", "13800000601").await;
    let clerk = w.staff("cert_clerk", Role::Provider, "13700000601", None).await;
    let bureau = w.staff("cert_bureau", Role::Bureau, "13600000601", Some(11)).await;
    let (_, done) = w.approved(&a, &clerk, &bureau, &uscc(601), "cert-alpha.cn").await;
    let main = done.entity_licence.clone().unwrap();
    let cx = w.cx(Some(&clerk), Need::Role(&[Role::Provider])).await.unwrap();

    // The combined search with no conditions lists every filed entity.
    let page = certificate::entities(&cx, &FiledQuery::default()).await.unwrap();
    assert_eq!(page.total, 1);
    let e = &page.rows[0];
    assert_eq!((e.main_licence.as_str(), e.websites.clone()), (main.as_str(), done.website_licences.clone()));
    assert_eq!(certificate::entities(&cx, &q(&[("name", "没有这个单位")])).await.unwrap().total, 0);

    // A PDF (when the machine has the Chinese font), recorded with a code; again unchanged: the same code.
    let code_of = |w: &World| {
        let db = w.db.clone();
        async move {
            let mut res = db.query("SELECT VALUE code FROM certificate ORDER BY issued_at").await.unwrap();
            let codes: Vec<String> = res.take(0).unwrap();
            codes
        }
    };
    match certificate::issue(&cx, &e.key).await {
        Ok((pdf, name, _)) => {
            assert!(pdf.starts_with(b"%PDF-"));
            assert_eq!(name, format!("备案证书-{main}.pdf"));
            certificate::issue(&cx, &e.key).await.unwrap();
            let codes = code_of(&w).await;
            assert_eq!(codes.len(), 1, "nothing changed: the same certificate");
            let code = codes[0].clone();
            let check = certificate::verify(&w.db, &code.to_lowercase().replace('-', " ")).await.unwrap().expect("genuine");
            assert_eq!((check.standing, check.main_licence.as_str(), check.certified.clone()), (Standing::Current, main.as_str(), done.website_licences.clone()));
            // A change of the filing: genuine, but not current; a new certificate gets a new code.
            w.db.query("UPDATE website SET name = '星河新名字' WHERE licence = $l").bind(("l", done.website_licences[0].clone())).await.unwrap().check().unwrap();
            assert_eq!(certificate::verify(&w.db, &code).await.unwrap().unwrap().standing, Standing::Changed);
            certificate::issue(&cx, &e.key).await.unwrap();
            assert_eq!(code_of(&w).await.len(), 2);
            // Cancelled: the certificate says so.
            w.db.query("UPDATE entity SET status = 'cancelled' WHERE licence = $l").bind(("l", main.clone())).await.unwrap().check().unwrap();
            assert_eq!(certificate::verify(&w.db, &code).await.unwrap().unwrap().standing, Standing::Cancelled);
            assert!(matches!(certificate::issue(&cx, &e.key).await, Err(AppError::Conflict(_))));
        }
        Err(AppError::Conflict(m)) if m.zh.contains("字体") => eprintln!("no Chinese font installed: the PDF part is skipped"),
        Err(other) => panic!("{other:?}"),
    }
    // Unknown and malformed codes are not certificates.
    assert!(certificate::verify(&w.db, "2345-6789-ABCD-EFGH").await.unwrap().is_none());
    assert!(certificate::verify(&w.db, "<script>").await.unwrap().is_none());
    // Only the provider's staff, only its own clients' entities.
    let reg = w.cx(Some(&a), Need::Role(&[Role::Registrant])).await.unwrap();
    assert!(matches!(certificate::issue(&reg, &e.key).await, Err(AppError::Forbidden)));
    assert!(matches!(certificate::issue(&cx, "nosuchentity").await, Err(AppError::NotFound)));
}

// ---------------------------------------------------------------- 批量导入

mod import_tests {
    use super::common::{uscc, World};
    use app::domain::workflow::{Queue, Role};
    use app::error::AppError;
    use app::models::{ImportOutcome, QueueFilter};
    use app::ssr::auth::CurrentUser;
    use app::ssr::guard::Need;
    use app::ssr::import;
    use base64::Engine;
    use calamine::Reader;

    async fn run(w: &World, clerk: &CurrentUser, bytes: Vec<u8>) -> Result<ImportOutcome, AppError> {
        let cx = w.cx(Some(clerk), Need::Role(&[Role::Provider])).await?;
        import::run(&cx, "客户.xlsx", bytes).await
    }

    /// The rows of the first sheet of a base64 workbook, as text.
    fn rows_of(b64: &str) -> Vec<Vec<String>> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let name = wb.sheet_names()[0].clone();
        wb.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[tokio::test]
    async fn an_import_files_every_good_filing_for_verification_with_a_new_account_and_names_every_bad_cell() {
        let w = World::new().await;
        let clerk = w.staff("import_clerk", Role::Provider, "13700000301", None).await;
        // 12 filings, every 4th with mistakes: #4 (mobile, 性质), #8 (a domain of #7), #12 (no 接入 row).
        let bytes = import::sample(12, 31, &w.s.provider_name, 4).unwrap();
        let o = run(&w, &clerk, bytes.clone()).await.unwrap();
        assert_eq!((o.imported, o.refused), (9, 3), "{:?}", o.problems);
        let at = |sheet: &str, line: u32, column: &str| o.problems.iter().find(|p| p.sheet == sheet && p.line == line && p.column == column).map(|p| p.message.zh.clone());
        assert!(at("主体", 5, "手机号码").is_some(), "{:?}", o.problems);
        assert!(at("主体", 5, "主办单位性质").unwrap().contains("“公司”不是有效的主办单位性质"));
        assert!(at("网站", 9, "网站域名").unwrap().contains("已在“网站”第8行出现"), "{:?}", o.problems);
        assert!(o.problems.iter().any(|p| p.sheet == "网站" && p.line == 13 && p.message.zh.contains("缺少接入信息")), "{:?}", o.problems);
        assert!(o.problems.iter().all(|p| ["4", "8", "12"].contains(&p.filing.as_str())));
        // The problems file lists the same, one row each, after its header.
        let problems = rows_of(o.problems_xlsx.as_deref().unwrap());
        assert_eq!(problems[0][..5], ["工作表", "行号", "列", "主体序号", "错误原因"].map(String::from));
        assert!(problems.iter().any(|r| r[0] == "主体" && r[1] == "5" && r[2] == "手机号码"));
        // The accounts file: one row per imported filing, with a first password that works once.
        let accounts = rows_of(o.accounts_xlsx.as_deref().unwrap());
        let data: Vec<&Vec<String>> = accounts.iter().skip(1).filter(|r| r.len() >= 5 && r[3].starts_with("kh")).collect();
        assert_eq!(data.len(), 9);
        assert_eq!(o.applications.len(), 9);
        let (username, password) = (data[0][3].clone(), data[0][4].clone());
        let client = w.sign_in(&username, &password).await;
        assert!(client.must_change, "a first password must be changed");
        assert!(matches!(w.list(&client).await, Err(AppError::MustChangePassword)));
        // Every imported filing waits for 核实 in the clerk's queue, entered by the clerk.
        let queue = w.queue(&clerk, Queue::Verify, &QueueFilter::default()).await.unwrap();
        for id in &o.applications {
            let s = queue.iter().find(|s| &s.id == id).expect("in the 核实 queue");
            assert_eq!(s.status.code(), "pending_verification");
        }
        // Audited (made, submitted, account made) and the 负责人 told, without the password.
        let mut res = w.db.query("SELECT VALUE action FROM audit_event WHERE application = type::record('application', $a) ORDER BY at").bind(("a", o.applications[0].clone())).await.unwrap();
        let actions: Vec<String> = res.take(0).unwrap();
        assert_eq!(actions.len(), 2, "{actions:?}");
        assert!(actions.contains(&"submit_on_behalf".to_string()) && actions.contains(&"account_created".to_string()), "{actions:?}");
        let sent = w.sent().await;
        assert!(sent.iter().any(|m| m.body.contains(&username)));
        assert!(!sent.iter().any(|m| m.body.contains(&password)), "the password is never sent");
        let mut res = w.db.query("SELECT count() AS n FROM audit_event WHERE action = 'batch_import' GROUP ALL").await.unwrap();
        let n: Option<i64> = res.take((0, "n")).unwrap();
        assert_eq!(n, Some(1));

        // The same file again: every filing's domains are taken now; nothing is imported twice.
        let again = run(&w, &clerk, bytes).await.unwrap();
        assert_eq!(again.imported, 0);
        assert!(again.problems.iter().any(|p| p.message.zh.contains("已在另一份正在审核的备案申请中")), "{:?}", again.problems);
        assert!(again.accounts_xlsx.is_none());
        let mut res = w.db.query("SELECT count() AS n FROM application GROUP ALL").await.unwrap();
        let n: Option<i64> = res.take((0, "n")).unwrap();
        assert_eq!(n, Some(9));
    }

    #[tokio::test]
    async fn a_filed_sponsor_a_wrong_header_and_strangers_are_refused() {
        let w = World::new().await;
        let a = w.registrant("import_a", "13800000311").await;
        let clerk = w.staff("import_clerk2", Role::Provider, "13700000311", None).await;
        let bureau = w.staff("import_bureau", Role::Bureau, "13600000311", Some(11)).await;
        w.approved(&a, &clerk, &bureau, &uscc(311), "filed-import.cn").await;
        // A new website of a filed sponsor is a 新增网站, not an import (its
        // number typed in lower case with spaces is the same number).
        let typed = format!(" {} {} ", &uscc(311)[..9], &uscc(311)[9..]).to_lowercase();
        let mut f = super::common::form(&typed, "new-site-import.cn", false);
        f.websites[0].access.provider_name = w.s.provider_name.clone();
        let o = run(&w, &clerk, import::workbook_of(&[("1".into(), f)], &[]).unwrap()).await.unwrap();
        assert_eq!(o.imported, 0);
        assert!(o.problems[0].message.zh.contains("该主办单位已备案"), "{:?}", o.problems);
        assert_eq!(o.problems[0].column, "主办单位证件号码");
        // A filed domain.
        let g = super::common::form(&uscc(312), "filed-import.cn", false);
        let o = run(&w, &clerk, import::workbook_of(&[("1".into(), g)], &[]).unwrap()).await.unwrap();
        assert!(o.problems[0].message.zh.contains("已备案"), "{:?}", o.problems);
        // A sponsor whose first filing is under way: a second one is refused.
        let h = super::common::form(&uscc(313), "first-import.cn", false);
        assert_eq!(run(&w, &clerk, import::workbook_of(&[("1".into(), h)], &[]).unwrap()).await.unwrap().imported, 1);
        let i = super::common::form(&uscc(313), "second-import.cn", false);
        let o = run(&w, &clerk, import::workbook_of(&[("1".into(), i)], &[]).unwrap()).await.unwrap();
        assert!(o.problems[0].message.zh.contains("正在办理的首次备案"), "{:?}", o.problems);
        // Anyone but the provider's staff.
        let cx = w.cx(Some(&a), Need::Anyone).await.unwrap();
        assert!(matches!(import::run(&cx, "a.xlsx", import::sample(1, 1, "p", 0).unwrap()).await, Err(AppError::Forbidden)));
        // A zip that is an .xlsx of something else.
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().set_name("主体").unwrap().write_string(0, 0, "序号").unwrap();
        book.add_worksheet().set_name("网站").unwrap();
        book.add_worksheet().set_name("接入").unwrap();
        match run(&w, &clerk, book.save_to_buffer().unwrap()).await {
            Err(AppError::BadRequest(m)) => assert!(m.zh.contains("缺少列") || m.zh.contains("没有表头"), "{}", m.zh),
            other => panic!("{:?}", other.map(|_| ())),
        }
        let mut res = w.db.query("SELECT count() AS n FROM application WHERE status = 'pending_verification' GROUP ALL").await.unwrap();
        let n: Option<i64> = res.take((0, "n")).unwrap();
        assert_eq!(n.unwrap_or(0), 1, "only the one first filing");
    }
}
