//! What the store tests share: a `mem://` database with its settings and a
//! memory transport, users of every role, valid forms, and one call per
//! server function that makes the same check (`guard::authorize` with the
//! same `Need`) and the same operation as the function itself.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use app::domain::account::Registration;
use app::domain::filing::{FilingForm, MaterialKind, STEP_CONFIRM};
use app::domain::org_id::{org_check_char, uscc_check_char};
use app::domain::review::{Edit, Mark};
use app::domain::workflow::{Action, BusinessKind, Queue, Role};
use app::error::AppError;
use app::domain::lookup::parse_lookup;
use app::models::{RecordPage, DraftView, FilingDetail, FilingSummary, MaterialInfo, QueueFilter};
use app::ssr::accounts::{create_user, NewUser};
use app::ssr::auth::{self, CurrentUser, LoginOutcome};
use app::ssr::db::{open_memory, Db};
use app::ssr::guard::{authorize, Ctx, Intent, Need};
use app::ssr::outbox::{self, Delivered, Transport};
use app::ssr::read_model::PublicIndex;
use app::ssr::{business, filings, limits::Limits, materials, review, Settings};

pub const PASSWORD: &str = "s3cret-pass";

#[derive(Clone)]
pub struct World {
    pub db: Db,
    pub s: Arc<Settings>,
    pub sink: Arc<Mutex<Vec<Delivered>>>,
    /// The public query's in-memory index, following the database as another
    /// server's would (see [`World::public`]).
    pub index: PublicIndex,
}

impl World {
    pub async fn new() -> World {
        World::with(|_| {}).await
    }

    pub async fn with(tune: impl FnOnce(&mut Settings)) -> World {
        let (transport, sink) = Transport::memory();
        let mut s = Settings { transport, limits: Arc::new(Limits::off()), captcha: false, ..Settings::default() };
        tune(&mut s);
        let db = open_memory().await.unwrap();
        let index = PublicIndex::follow(db.clone());
        World { db, s: Arc::new(s), sink, index }
    }

    /// The public query's first page for `q`, from the database; the
    /// in-memory index, kept current by the LIVE query, must give the same
    /// answer within a second.
    pub async fn public(&self, q: &str) -> RecordPage {
        let lookup = parse_lookup(q).unwrap();
        let from_db = app::ssr::public::search(&self.db, &lookup, None, 1, 10).await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        loop {
            let held = self.index.search(&lookup, None, 1, 10);
            if held.as_ref().map(|h| same_page(h, &from_db)) == Some(true) {
                return from_db;
            }
            assert!(std::time::Instant::now() < deadline, "the in-memory index does not agree for {q:?} after a second:\nindex {held:?}\ndatabase {from_db:?}");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Send what is due and return everything sent so far.
    pub async fn sent(&self) -> Vec<Delivered> {
        while outbox::deliver_due(&self.db, &self.s.transport, 50).await.unwrap() > 0 {}
        self.sink.lock().unwrap().clone()
    }

    /// The secret that follows `after` in the newest message to `recipient`.
    pub async fn secret_to(&self, recipient: &str, after: &str, len: usize) -> String {
        let sent = self.sent().await;
        let m = sent.iter().rev().find(|m| m.recipient == recipient && m.body.contains(after)).unwrap_or_else(|| panic!("nothing to {recipient} with {after:?}: {sent:?}"));
        let rest = m.body.split(after).nth(1).unwrap().trim_start();
        rest.chars().take(len).collect()
    }

    pub async fn cx(&self, who: Option<&CurrentUser>, need: Need<'_>) -> Result<Ctx, AppError> {
        authorize(&self.db, &self.s, who.cloned(), need).await
    }

    // ------------------------------------------------------------ people

    /// Register, activate with the code from the SMS, sign in.
    pub async fn registrant(&self, username: &str, mobile: &str) -> CurrentUser {
        auth::register(&self.db, &self.s, &registration(username, mobile)).await.unwrap();
        let code = self.secret_to(mobile, "验证码为", 6).await;
        auth::activate(&self.db, username, &code).await.unwrap();
        self.sign_in(username, PASSWORD).await
    }

    pub async fn staff(&self, username: &str, role: Role, mobile: &str, province: Option<u8>) -> CurrentUser {
        create_user(
            &self.db,
            NewUser {
                username: username.into(),
                password: PASSWORD.into(),
                role,
                contact_name: format!("{username}经办人"),
                email: format!("{username}@example.com"),
                mobile: mobile.into(),
                province,
            },
        )
        .await
        .unwrap();
        self.sign_in(username, PASSWORD).await
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> CurrentUser {
        let LoginOutcome::Ok(id) = auth::login(&self.db, username, password).await.unwrap() else { panic!("sign-in failed for {username}") };
        let token = auth::create_session(&self.db, &id, 1).await.unwrap();
        auth::session_user(&self.db, &token).await.unwrap().expect("session works")
    }

    // ------------------------------------------------------------ the registrant's functions

    pub async fn detect(&self, who: &CurrentUser, cert: &str, domains: &str) -> Result<app::models::Detection, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Registrant])).await?;
        filings::detect(&cx, cert, domains).await.map(|(d, _, _)| d)
    }

    pub async fn start(&self, who: &CurrentUser, cert: &str, domains: &str) -> Result<DraftView, AppError> {
        self.start_with(who, cert, domains, "").await
    }

    pub async fn start_with(&self, who: &CurrentUser, cert: &str, domains: &str, proof: &str) -> Result<DraftView, AppError> {
        let cx = self.cx(Some(who), Need::Role(app::functions::filing::STARTERS)).await?;
        filings::start(&cx, cert, domains, proof, "").await
    }

    /// The provider adds a website or access for its client (代为办理).
    pub async fn start_for(&self, clerk: &CurrentUser, client: &str, cert: &str, domains: &str, proof: &str) -> Result<DraftView, AppError> {
        let cx = self.cx(Some(clerk), Need::Role(app::functions::filing::STARTERS)).await?;
        filings::start(&cx, cert, domains, proof, client).await
    }

    pub async fn send_entity_code(&self, who: &CurrentUser, cert: &str, domains: &str) -> Result<String, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Registrant])).await?;
        filings::send_entity_code(&cx, cert, domains).await
    }

    pub async fn current_draft(&self, who: &CurrentUser) -> Result<Option<DraftView>, AppError> {
        let cx = self.cx(Some(who), Need::Role(app::functions::filing::STARTERS)).await?;
        filings::current_draft(&cx).await
    }

    pub async fn save(&self, who: &CurrentUser, id: &str, step: u8, form: FilingForm) -> Result<DraftView, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Save))).await?;
        let version = cx.filing()?.version;
        filings::save(&cx, step, form, version).await
    }

    /// A save from a page that loaded `version`.
    pub async fn save_from(&self, who: &CurrentUser, id: &str, step: u8, form: FilingForm, version: i64) -> Result<DraftView, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Save))).await?;
        filings::save(&cx, step, form, version).await
    }

    pub async fn discard(&self, who: &CurrentUser, id: &str) -> Result<(), AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Discard))).await?;
        filings::discard(&cx).await
    }

    pub async fn submit(&self, who: &CurrentUser, id: &str) -> Result<FilingSummary, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Submit))).await?;
        filings::submit(&cx).await
    }

    pub async fn upload(&self, who: &CurrentUser, id: &str, kind: &str, name: &str, bytes: Vec<u8>) -> Result<MaterialInfo, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Registrant, Role::Provider])).await?;
        let kind = MaterialKind::from_code(kind).ok_or(AppError::NotFound)?;
        let cx = cx.narrow(Need::Filing(id, Intent::Act(materials::action_for(kind)))).await?;
        materials::add(&cx, kind, name, bytes).await
    }

    pub async fn remove_material(&self, who: &CurrentUser, mid: &str) -> Result<(), AppError> {
        let cx = self.cx(Some(who), Need::Material(mid, Intent::Act(Action::Save))).await?;
        materials::remove(&cx).await
    }

    pub async fn file(&self, who: &CurrentUser, mid: &str) -> Result<(String, String, Vec<u8>), AppError> {
        let cx = self.cx(Some(who), Need::Material(mid, Intent::Read)).await?;
        materials::file(&cx).await
    }

    pub async fn list(&self, who: &CurrentUser) -> Result<Vec<FilingSummary>, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Registrant])).await?;
        filings::list(&cx).await
    }

    pub async fn detail(&self, who: &CurrentUser, id: &str) -> Result<FilingDetail, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Read)).await?;
        filings::detail(&cx).await
    }

    pub async fn open(&self, who: &CurrentUser, id: &str) -> Result<DraftView, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Save))).await?;
        filings::open(&cx).await
    }

    pub async fn version(&self, who: &CurrentUser, id: &str) -> i64 {
        self.detail(who, id).await.unwrap().summary.version
    }

    /// A submitted first filing (or 新增网站 with `proof`): its id.
    pub async fn submitted(&self, who: &CurrentUser, cert: &str, domain: &str, pre_approval: bool) -> String {
        self.submitted_with(who, cert, domain, pre_approval, "").await
    }

    pub async fn submitted_with(&self, who: &CurrentUser, cert: &str, domain: &str, pre_approval: bool, proof: &str) -> String {
        let draft = self.start_with(who, cert, domain, proof).await.unwrap();
        for kind in [MaterialKind::EntityCert, MaterialKind::LeaderPhoto] {
            self.upload(who, &draft.id, kind.code(), "a.png", png()).await.unwrap();
        }
        if pre_approval {
            self.upload(who, &draft.id, MaterialKind::PreApproval.code(), "p.png", png()).await.unwrap();
        }
        let mut f = form(cert, domain, pre_approval);
        // A filed entity keeps its filed details (the draft holds them).
        if draft.form.entity.unit_name != f.entity.unit_name && !draft.form.entity.unit_name.is_empty() {
            f.entity = draft.form.entity.clone();
        }
        self.save(who, &draft.id, STEP_CONFIRM, f).await.unwrap();
        self.submit(who, &draft.id).await.unwrap();
        draft.id
    }

    // ------------------------------------------------------------ the staff's functions

    pub async fn queue(&self, who: &CurrentUser, which: Queue, f: &QueueFilter) -> Result<Vec<FilingSummary>, AppError> {
        let role = [which.role()];
        let cx = self.cx(Some(who), Need::Role(&role)).await?;
        review::queue(&cx, which, f).await
    }

    pub async fn return_filing(&self, who: &CurrentUser, id: &str, v: i64, marks: &[Mark], comment: &str) -> Result<FilingSummary, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Return))).await?;
        review::return_filing(&cx, v, marks, comment).await
    }

    pub async fn keep_marks(&self, who: &CurrentUser, id: &str, marks: &[Mark], comment: &str) -> Result<(), AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Return))).await?;
        review::keep_marks(&cx, marks, comment).await
    }

    pub async fn pass(&self, who: &CurrentUser, id: &str, v: i64, opinion: &str) -> Result<FilingSummary, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Pass))).await?;
        review::pass(&cx, v, opinion).await
    }

    pub async fn correct(&self, who: &CurrentUser, id: &str, v: i64, edits: &[Edit]) -> Result<FilingSummary, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Correct))).await?;
        review::correct(&cx, v, edits).await
    }

    pub async fn reject(&self, who: &CurrentUser, id: &str, v: i64, reason: &str) -> Result<FilingSummary, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Reject))).await?;
        review::reject(&cx, v, reason).await
    }

    pub async fn pre_approval(&self, who: &CurrentUser, id: &str, v: i64, note: &str) -> Result<FilingSummary, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::RequirePreApproval))).await?;
        review::require_pre_approval(&cx, v, note).await
    }

    pub async fn approve(&self, who: &CurrentUser, id: &str, v: i64) -> Result<FilingSummary, AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Approve))).await?;
        review::approve(&cx, v).await
    }

    pub async fn reissue(&self, who: &CurrentUser, licence: &str) -> Result<String, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Provider])).await?;
        review::reissue_password(&cx, licence).await
    }

    // ------------------------------------------------------------ life after approval

    pub async fn records(&self, who: &CurrentUser) -> Result<Vec<app::models::FiledRecord>, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Registrant])).await?;
        business::records(&cx).await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn begin(&self, who: &CurrentUser, kind: BusinessKind, entity: &str, website: &str, proof: &str, reason: &str) -> Result<app::models::Started, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Registrant])).await?;
        business::begin(&cx, kind, entity, website, "", proof, reason, "").await
    }

    /// The provider's clerk starts a business for its client (代为办理).
    #[allow(clippy::too_many_arguments)]
    pub async fn begin_for(&self, clerk: &CurrentUser, client: &str, kind: BusinessKind, entity: &str, website: &str, proof: &str, reason: &str) -> Result<app::models::Started, AppError> {
        let cx = self.cx(Some(clerk), Need::Role(&[Role::Registrant, Role::Provider])).await?;
        business::begin(&cx, kind, entity, website, client, proof, reason, "").await
    }

    pub async fn amend(&self, who: &CurrentUser, id: &str, v: i64, reason: &str, note: &str) -> Result<(), AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Amend))).await?;
        business::amend(&cx, v, reason, note).await
    }

    pub async fn delete_cancel(&self, who: &CurrentUser, id: &str, v: i64) -> Result<(), AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Delete))).await?;
        business::delete(&cx, v).await
    }

    pub async fn history(&self, who: &CurrentUser, website: &str) -> Result<app::models::SiteHistory, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Registrant, Role::Provider, Role::Bureau])).await?;
        business::history(&cx, website).await
    }

    pub async fn confirm(&self, who: &CurrentUser, id: &str, v: i64) -> Result<(), AppError> {
        let cx = self.cx(Some(who), Need::Filing(id, Intent::Act(Action::Confirm))).await?;
        business::decide(&cx, v, Action::Confirm).await
    }

    pub async fn provider_sites(&self, who: &CurrentUser, q: &str) -> Result<Vec<app::models::FiledRecord>, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Provider])).await?;
        business::provider_sites(&cx, q).await
    }

    pub async fn cancel_access(&self, who: &CurrentUser, access: &str, reason: &str) -> Result<(), AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Provider])).await?;
        business::cancel_access(&cx, access, reason).await
    }

    pub async fn empty_sites(&self, who: &CurrentUser) -> Result<Vec<app::models::EmptySite>, AppError> {
        let cx = self.cx(Some(who), Need::Role(&[Role::Bureau])).await?;
        business::empty_sites(&cx).await
    }

    /// Passed by the clerk (with the 核验 where the business needs it) and
    /// approved by the 管局.
    pub async fn through(&self, clerk: &CurrentUser, bureau: &CurrentUser, id: &str) -> FilingSummary {
        let kind = self.detail(clerk, id).await.unwrap().summary.kind;
        if kind.needs_verification() {
            self.verify_and_pass(clerk, id).await;
        } else {
            let v = self.version(clerk, id).await;
            self.pass(clerk, id, v, "已核实").await.unwrap();
        }
        let v = self.version(bureau, id).await;
        self.approve(bureau, id, v).await.unwrap()
    }

    /// Upload the 核验 photo and form, then pass with an opinion.
    pub async fn verify_and_pass(&self, clerk: &CurrentUser, id: &str) {
        for kind in MaterialKind::STAFF {
            self.upload(clerk, id, kind.code(), "v.png", png()).await.unwrap();
        }
        let v = self.version(clerk, id).await;
        self.pass(clerk, id, v, "已当面核验，信息真实").await.unwrap();
    }

    /// Submitted, verified, passed and approved: the entity's number.
    pub async fn approved(&self, reg: &CurrentUser, clerk: &CurrentUser, bureau: &CurrentUser, cert: &str, domain: &str) -> (String, FilingSummary) {
        let id = self.submitted(reg, cert, domain, false).await;
        self.verify_and_pass(clerk, &id).await;
        let v = self.version(bureau, &id).await;
        let done = self.approve(bureau, &id, v).await.unwrap();
        (id, done)
    }
}

/// Two answers are the same page: a name search's order is its index's own,
/// so its items are compared as sets.
pub fn same_page(a: &RecordPage, b: &RecordPage) -> bool {
    let sorted = |p: &RecordPage| {
        let mut items = p.items.clone();
        items.sort_by(|x, y| x.service_licence.cmp(&y.service_licence));
        items
    };
    (a.total, a.total_exact, a.page, a.size) == (b.total, b.total_exact, b.page, b.size) && sorted(a) == sorted(b)
}

pub fn registration(username: &str, mobile: &str) -> Registration {
    Registration {
        username: username.into(),
        password: PASSWORD.into(),
        password2: PASSWORD.into(),
        contact_name: "张三".into(),
        mobile: mobile.into(),
        email: format!("{username}@example.com"),
    }
}

pub fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.resize(2048, 7);
    b
}

/// A valid USCC for Beijing from a number (distinct numbers, distinct codes).
pub fn uscc(n: u32) -> String {
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

/// A complete, valid first filing.
pub fn form(cert: &str, domain: &str, pre_approval: bool) -> FilingForm {
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

pub fn conflict<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Conflict(m)) => m.zh,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

pub fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>) {
    assert!(matches!(r, Err(AppError::Forbidden)), "expected 403, got {r:?}");
}
