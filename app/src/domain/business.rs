//! Life after approval (seed 001 §1.4–1.5, seed 002 §3, seed 004): which
//! business a filed entity or website allows now, what a change may touch,
//! why a 注销 is filed, and what changed between the filed data and an
//! application. Pure: the 我的备案 page and the server decide the same.

use serde::{Deserialize, Serialize};

use super::date::Date;
use super::error::{Field, FieldErrors};
use super::filing::{check_step, FilingForm, MaterialKind, STEP_ACCESS, STEP_CONFIRM, STEP_ENTITY, STEP_MATERIALS, STEP_WEBSITES};
use super::review::{changed_fields, field_label, value_of};
use super::text::{Message, Text};
use super::workflow::{ApplicationStatus, BusinessKind};

/// What an application concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// A new filing (首次备案, or 新增网站 / 新增接入 found by the type check).
    New,
    /// The filed entity as a whole (变更主体, 注销主体).
    Entity,
    /// One filed website (变更网站, 变更接入, 取消接入, 注销网站).
    Website,
}

impl BusinessKind {
    pub fn scope(self) -> Scope {
        match self {
            BusinessKind::FirstFiling | BusinessKind::NewWebsite | BusinessKind::NewAccess => Scope::New,
            BusinessKind::ChangeEntity | BusinessKind::CancelEntity => Scope::Entity,
            BusinessKind::ChangeWebsite | BusinessKind::ChangeAccess | BusinessKind::CancelAccess | BusinessKind::CancelWebsite => Scope::Website,
        }
    }

    /// 变更: the registrant edits a copy of the filed data.
    pub fn is_change(self) -> bool {
        matches!(self, BusinessKind::ChangeEntity | BusinessKind::ChangeWebsite | BusinessKind::ChangeAccess)
    }

    /// 注销 (and the registrant's 取消接入 request): nothing is edited but the reason.
    pub fn is_cancel(self) -> bool {
        matches!(self, BusinessKind::CancelEntity | BusinessKind::CancelWebsite | BusinessKind::CancelAccess)
    }

    /// Whether it goes to the 管局 after 核实 (取消接入 takes effect when
    /// the provider confirms it, seed 002 §3(5)).
    pub fn goes_to_bureau(self) -> bool {
        self != BusinessKind::CancelAccess
    }

    /// Whether the provider must do the 核验 (photo and signed form) before
    /// passing it: whenever a 负责人 or what is filed may change; not for a
    /// 注销, a 取消接入 or a 变更接入 (domain.md §4.1).
    pub fn needs_verification(self) -> bool {
        !self.is_cancel() && self != BusinessKind::ChangeAccess
    }

    /// The wizard's steps for this business: a change shows only the part
    /// it may touch, then the materials and the confirmation.
    pub fn steps(self) -> &'static [u8] {
        match self {
            BusinessKind::ChangeEntity => &[STEP_ENTITY, STEP_MATERIALS, STEP_CONFIRM],
            BusinessKind::ChangeWebsite => &[STEP_WEBSITES, STEP_MATERIALS, STEP_CONFIRM],
            BusinessKind::ChangeAccess => &[STEP_ACCESS, STEP_CONFIRM],
            _ => &[STEP_ENTITY, STEP_WEBSITES, STEP_ACCESS, STEP_MATERIALS, STEP_CONFIRM],
        }
    }

    /// The step this business shows at or after `step` (the last when none).
    pub fn step_at(self, step: u8) -> u8 {
        let steps = self.steps();
        steps.iter().copied().find(|s| *s >= step).unwrap_or(steps[steps.len() - 1])
    }

    /// What the application does, in one sentence for the registrant.
    pub fn explain(self) -> Text {
        match self {
            BusinessKind::ChangeEntity => Text::new(
                "变更主体：修改主办单位名称、地址、负责人等信息；证件类型、证件号码和所在省份不能变更。备案号不变。",
                "Change entity: the sponsor's name, address and contact; the certificate and the province cannot change. The numbers stay.",
            ),
            BusinessKind::ChangeWebsite => Text::new(
                "变更网站：修改网站名称、域名、首页网址、服务内容、网站负责人等信息。网站备案号不变。",
                "Change website: its name, domains, home page, content and contact. The number stays.",
            ),
            BusinessKind::ChangeAccess => Text::new("变更接入：修改接入方式、服务器IP地址和放置地。", "Change access: the access method, server addresses and location."),
            BusinessKind::CancelAccess => Text::new(
                "取消接入：网站不再使用本接入商的服务器。接入商确认后立即生效；网站没有其他接入商时成为空壳网站。",
                "Cancel access: the website no longer uses our servers. It takes effect when the provider confirms; a website left with no provider becomes an empty shell.",
            ),
            BusinessKind::CancelWebsite => Text::new(
                "注销网站：该网站的备案被注销，域名可以重新备案；主体和其他网站不受影响。网站备案号不再使用。",
                "Cancel website: its filing ends and its domains are free; the entity and its other websites stay. The number is never reused.",
            ),
            BusinessKind::CancelEntity => Text::new(
                "注销主体：主体备案号及其下所有网站的备案一并注销，不可恢复。",
                "Cancel entity: the entity number and every website under it are cancelled, for good.",
            ),
            _ => self.label(),
        }
    }
}

/// The checks of every step before `step` that this business shows (a
/// 注销 edits nothing, so nothing is checked but its reason): the same
/// rules as a first filing, on the parts the business may change.
pub fn check_until(kind: BusinessKind, form: &FilingForm, step: u8, uploaded: &[MaterialKind], today: Option<Date>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if kind.is_cancel() {
        return errors;
    }
    for &s in kind.steps().iter().filter(|s| **s < step && **s != STEP_CONFIRM) {
        errors.0.extend(check_step(form, s, uploaded, today).0);
    }
    errors
}

/// Whether the provider may mark a field wrong in this business (and so
/// return it): only what the registrant can change in it.
pub fn markable(kind: BusinessKind, path: &str) -> bool {
    if kind.is_cancel() {
        return false;
    }
    kind.steps().contains(&super::filing::step_of(path))
}

impl ApplicationStatus {
    /// What happens next and who acts, for this business: a 变更 or 注销
    /// issues no number, and a 取消接入 is the provider's to confirm.
    pub fn next_step_for(self, kind: BusinessKind) -> Text {
        match (self, kind) {
            (ApplicationStatus::Approved, k) if k.is_change() => Text::new("变更已生效，公共查询已按新信息显示；备案号不变。无需操作。", "The change is in force and the public query shows it; the numbers stay. Nothing to do."),
            (ApplicationStatus::Approved, BusinessKind::CancelAccess) => Text::new(
                "已取消本接入商的接入。网站如仍开办，请在新的接入商办理新增接入，否则将成为空壳网站。",
                "Our access is cancelled. If the website carries on, file a new access with its new provider; otherwise it becomes an empty shell.",
            ),
            (ApplicationStatus::Approved, BusinessKind::CancelWebsite | BusinessKind::CancelEntity) => {
                Text::new("已注销，公共查询不再显示；域名可以重新备案，原备案号不再使用。请撤下网站上的备案号。", "Cancelled: no longer on the public query; the domains are free and the numbers are never reused. Take the number off the website.")
            }
            (ApplicationStatus::PendingVerification, BusinessKind::CancelAccess) => {
                Text::new("等待接入服务商确认，确认后立即生效。确认前您可以撤回。", "Waiting for the provider to confirm; it takes effect at once. You may withdraw it until then.")
            }
            (ApplicationStatus::PendingVerification, k) if k.scope() != Scope::New => Text::new(
                "等待接入服务商核实（通常1至2个工作日），核实后报送管局。核实前您可以撤回。",
                "Waiting for the provider to verify it (usually 1–2 working days), then the administration. You may withdraw it until then.",
            ),
            (s, _) => s.next_step(),
        }
    }
}

/// 新增接入 (seed 002 §3(3)): until the 管局 approves it, a provider new to
/// the entity sees it by name, nature and province only, not its filed
/// details (certificate, addresses, 负责人).
pub fn hide_entity(form: &mut FilingForm) {
    let e = std::mem::take(&mut form.entity);
    form.entity = crate::domain::filing::EntityForm { unit_name: e.unit_name, nature: e.nature, province: e.province, ..Default::default() };
    // A website whose 负责人 is the entity's shows nobody either.
    for w in &mut form.websites {
        if w.same_leader {
            w.leader = crate::domain::filing::PersonForm::default();
        }
    }
}

/// The uploads hidden with the entity: its documents and photos; the
/// 前置审批 papers and the provider's own 核验 files stay.
pub fn hidden_with_entity(kind: crate::domain::filing::MaterialKind) -> bool {
    use crate::domain::filing::MaterialKind as K;
    !matches!(kind, K::PreApproval | K::VerificationPhoto | K::VerificationForm)
}

/// The fields of starting a business on a filed record.
pub const PROOF: Field = Field::new("proof", "备案密码或验证码", "Filing password or code");
/// The client's username, when the provider acts for it (代为办理).
pub const CLIENT: Field = Field::new("client", "主办者用户名", "Client's username");
pub const REASON: Field = Field::new("reason", "注销理由", "Reason");
pub const NOTE: Field = Field::new("note", "补充说明", "Note");

/// 注销申请理由 (seed 001 §1.5.2: the reason is chosen from a list).
pub const CANCEL_REASONS: [(u8, Text); 6] = [
    (1, Text::new("网站已停办", "The website has closed")),
    (2, Text::new("域名已到期或不再使用", "The domain expired or is no longer used")),
    (3, Text::new("主办单位已注销或撤销", "The sponsor has been dissolved")),
    (4, Text::new("网站转由其他主办单位开办", "Another sponsor now runs the website")),
    (5, Text::new("备案信息有误，需重新备案", "The filing is wrong and will be filed again")),
    (9, Text::new("其他", "Other")),
];

pub fn cancel_reason(id: u8) -> Option<Text> {
    CANCEL_REASONS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// The reason of a 注销 (or 取消接入) application, checked.
pub fn check_cancel_reason(input: &str) -> Result<u8, super::Problem> {
    input.trim().parse::<u8>().ok().filter(|id| cancel_reason(*id).is_some()).ok_or_else(|| super::Problem::new("cancel.reason", "请选择注销理由", "choose a reason"))
}

/// Make `form` hold only what the business may change: everything else is
/// the filed data (`before`), whatever was sent. The certificate and the
/// province of the entity never change (the numbers belong to them).
pub fn keep_filed(kind: BusinessKind, before: &FilingForm, form: &mut FilingForm) {
    match kind {
        BusinessKind::ChangeEntity => {
            form.websites = before.websites.clone();
            form.entity.cert_type = before.entity.cert_type.clone();
            form.entity.cert_number = before.entity.cert_number.clone();
            form.entity.province = before.entity.province.clone();
        }
        BusinessKind::ChangeWebsite => {
            form.entity = before.entity.clone();
            form.websites.truncate(before.websites.len());
            for (site, old) in form.websites.iter_mut().zip(&before.websites) {
                site.access = old.access.clone();
                // A website stays a website and an APP an APP.
                site.kind = old.kind.clone();
                if !site.is_app() {
                    site.platforms.clear();
                    site.icon.clear();
                }
            }
            if form.websites.len() < before.websites.len() {
                *form = before.clone();
            }
        }
        BusinessKind::ChangeAccess => {
            let access: Vec<_> = form.websites.iter().map(|w| w.access.clone()).collect();
            *form = before.clone();
            for (site, a) in form.websites.iter_mut().zip(access) {
                site.access = a;
                // The provider of this access is this system's provider.
                site.access.provider_name = before.websites.first().map(|w| w.access.provider_name.clone()).unwrap_or_default();
            }
        }
        BusinessKind::CancelAccess | BusinessKind::CancelWebsite | BusinessKind::CancelEntity => *form = before.clone(),
        BusinessKind::FirstFiling | BusinessKind::NewWebsite | BusinessKind::NewAccess => {}
    }
}

/// One changed field: its label, the filed value and the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    pub path: String,
    pub label: Message,
    pub old: String,
    pub new: String,
}

/// What a change application changes, field by field (old → new).
pub fn diff(before: &FilingForm, after: &FilingForm) -> Vec<DiffRow> {
    changed_fields(before, after)
        .into_iter()
        .map(|path| DiffRow {
            label: field_label(&path).unwrap_or_else(|| Message::new(path.clone(), path.clone())),
            old: value_of(before, &path, &[]).unwrap_or_default(),
            new: value_of(after, &path, &[]).unwrap_or_default(),
            path,
        })
        .collect()
}

/// What a filed record looks like to the 我的备案 page's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenApplication {
    pub kind: BusinessKind,
    pub status: ApplicationStatus,
}

/// One business offered on a filed record: allowed now, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub kind: BusinessKind,
    /// None when it may be started now.
    pub blocked: Option<Message>,
}

fn busy(open: OpenApplication) -> Message {
    let (k, s) = (open.kind.label(), open.status.label());
    Message::new(
        format!("该主体已有一份未完结的“{}”申请（{}），办结、撤回或放弃后才能办理其他业务", k.zh, s.zh),
        format!("A “{}” application for this entity is still open ({}); it must end, be withdrawn or be discarded first", k.en.to_lowercase(), s.en.to_lowercase()),
    )
}

/// The businesses a registrant is offered on a filed entity (`website`
/// None) or on one of its websites: one open application per filed entity
/// at a time (the 管局 takes one application per 主体, domain.md §4.2),
/// nothing on a cancelled record, and 取消接入 only where this provider
/// has an access.
pub fn offers(website: Option<(bool, bool)>, entity_cancelled: bool, open: Option<OpenApplication>) -> Vec<Offer> {
    let kinds: &[BusinessKind] = match website {
        None => &[BusinessKind::NewWebsite, BusinessKind::ChangeEntity, BusinessKind::CancelEntity],
        Some(_) => &[BusinessKind::ChangeWebsite, BusinessKind::ChangeAccess, BusinessKind::CancelAccess, BusinessKind::CancelWebsite],
    };
    kinds
        .iter()
        .map(|&kind| {
            let blocked = match website {
                _ if entity_cancelled => Some(Message::new("该主体已注销", "This entity is cancelled")),
                Some((true, _)) => Some(Message::new("该网站已注销", "This website is cancelled")),
                Some((false, false)) if matches!(kind, BusinessKind::ChangeAccess | BusinessKind::CancelAccess) => {
                    Some(Message::new("该网站没有在本接入商的接入，请在“新增接入”中办理", "This website has no access with us; file a new access instead"))
                }
                _ => open.map(busy),
            };
            Offer { kind, blocked }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::filing::{check_through, new_website};

    fn filed() -> FilingForm {
        let mut f = FilingForm::default();
        f.entity.unit_name = "北京星河网络科技有限公司".into();
        f.entity.cert_type = "12".into();
        f.entity.cert_number = "91110108717743469K".into();
        f.entity.province = "11".into();
        let mut w = new_website("本接入商", "11");
        w.name = "星河官网".into();
        w.domains = "xinghe.cn".into();
        w.access.ips = "203.0.113.5".into();
        f.websites.push(w);
        f
    }

    #[test]
    fn a_change_touches_only_its_part() {
        let before = filed();
        // 变更主体: the name may change; the certificate, province and websites may not.
        let mut f = before.clone();
        f.entity.unit_name = "北京星河科技有限公司".into();
        f.entity.cert_number = "91110000000000000X".into();
        f.entity.province = "31".into();
        f.websites[0].name = "偷改的网站".into();
        keep_filed(BusinessKind::ChangeEntity, &before, &mut f);
        assert_eq!(f.entity.unit_name, "北京星河科技有限公司");
        assert_eq!(f.entity.cert_number, before.entity.cert_number);
        assert_eq!(f.entity.province, "11");
        assert_eq!(f.websites, before.websites);
        // 变更网站: the website may change, its access and the entity may not.
        let mut f = before.clone();
        f.websites[0].name = "星河新站".into();
        f.websites[0].access.ips = "198.51.100.1".into();
        f.entity.unit_name = "x".into();
        f.websites.push(new_website("p", "11"));
        keep_filed(BusinessKind::ChangeWebsite, &before, &mut f);
        assert_eq!(f.websites.len(), 1);
        assert_eq!(f.websites[0].name, "星河新站");
        assert_eq!(f.websites[0].access, before.websites[0].access);
        assert_eq!(f.entity, before.entity);
        // A website removed from the form is not a change: the filed data stays.
        let mut f = before.clone();
        f.websites.clear();
        keep_filed(BusinessKind::ChangeWebsite, &before, &mut f);
        assert_eq!(f, before);
        // 变更接入: only the access, and the provider stays this one.
        let mut f = before.clone();
        f.websites[0].access.ips = "198.51.100.1".into();
        f.websites[0].access.provider_name = "别家".into();
        f.websites[0].name = "x".into();
        keep_filed(BusinessKind::ChangeAccess, &before, &mut f);
        assert_eq!(f.websites[0].access.ips, "198.51.100.1");
        assert_eq!(f.websites[0].access.provider_name, "本接入商");
        assert_eq!(f.websites[0].name, "星河官网");
        // 注销: nothing changes.
        let mut f = FilingForm::default();
        keep_filed(BusinessKind::CancelWebsite, &before, &mut f);
        assert_eq!(f, before);
    }

    #[test]
    fn the_diff_says_old_and_new() {
        let before = filed();
        let mut after = before.clone();
        after.websites[0].name = "星河新站".into();
        let d = diff(&before, &after);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "websites[0].name");
        assert_eq!((d[0].old.as_str(), d[0].new.as_str()), ("星河官网", "星河新站"));
        assert_eq!(d[0].label.zh, field_label("websites[0].name").unwrap().zh);
        assert!(diff(&before, &before).is_empty());
    }

    #[test]
    fn one_open_application_per_entity() {
        let open = OpenApplication { kind: BusinessKind::ChangeWebsite, status: ApplicationStatus::PendingVerification };
        let entity = offers(None, false, Some(open));
        assert_eq!(entity.len(), 3);
        assert!(entity.iter().all(|o| o.blocked.as_ref().is_some_and(|m| m.zh.contains("变更网站") && m.zh.contains("待核实"))));
        let free = offers(Some((false, true)), false, None);
        assert!(free.iter().all(|o| o.blocked.is_none()));
        // No access here: 变更接入 and 取消接入 are not this provider's.
        let elsewhere = offers(Some((false, false)), false, None);
        let blocked: Vec<_> = elsewhere.iter().filter(|o| o.blocked.is_some()).map(|o| o.kind).collect();
        assert_eq!(blocked, vec![BusinessKind::ChangeAccess, BusinessKind::CancelAccess]);
        assert!(offers(Some((false, true)), true, None).iter().all(|o| o.blocked.is_some()));
        assert!(offers(Some((true, true)), false, None).iter().all(|o| o.blocked.as_ref().unwrap().zh.contains("网站已注销")));
    }

    #[test]
    fn a_first_filing_is_checked_as_before_and_a_change_only_where_it_may_change() {
        let mut f = filed();
        for step in 1..=STEP_CONFIRM {
            assert_eq!(check_until(BusinessKind::FirstFiling, &f, step, &[], None), check_through(&f, step - 1, &[], None), "step {step}");
        }
        // A website the registrant cannot touch in a 变更主体 does not stop it.
        f.websites[0].name.clear();
        let entity_errors = check_step(&f, STEP_ENTITY, &[], None);
        assert_eq!(check_until(BusinessKind::ChangeEntity, &f, STEP_MATERIALS, &[], None), entity_errors);
        assert!(check_until(BusinessKind::ChangeWebsite, &f, STEP_MATERIALS, &[], None).get("websites[0].name").is_some());
        assert!(check_until(BusinessKind::CancelWebsite, &FilingForm::default(), STEP_CONFIRM, &[], None).is_empty());
    }

    #[test]
    fn only_what_the_registrant_can_change_is_marked() {
        assert!(markable(BusinessKind::FirstFiling, "entity.unit_name"));
        assert!(markable(BusinessKind::ChangeWebsite, "websites[0].name") && markable(BusinessKind::ChangeWebsite, "materials.leader_photo"));
        assert!(!markable(BusinessKind::ChangeWebsite, "entity.unit_name"));
        assert!(!markable(BusinessKind::ChangeAccess, "materials.leader_photo") && markable(BusinessKind::ChangeAccess, "websites[0].access.ips"));
        assert!(!markable(BusinessKind::CancelWebsite, "websites[0].name"));
    }

    #[test]
    fn next_steps_say_what_this_business_does() {
        let approved = ApplicationStatus::Approved;
        assert_eq!(approved.next_step_for(BusinessKind::FirstFiling), approved.next_step());
        assert!(approved.next_step_for(BusinessKind::CancelWebsite).zh.contains("已注销"));
        assert!(approved.next_step_for(BusinessKind::ChangeEntity).zh.contains("备案号不变"));
        assert!(ApplicationStatus::PendingVerification.next_step_for(BusinessKind::CancelAccess).zh.contains("确认"));
        for s in ApplicationStatus::ALL {
            for k in BusinessKind::ALL {
                assert!(!s.next_step_for(k).zh.is_empty());
            }
        }
    }

    #[test]
    fn reasons_and_steps() {
        assert_eq!(check_cancel_reason(" 1 "), Ok(1));
        assert!(check_cancel_reason("7").is_err() && check_cancel_reason("").is_err() && check_cancel_reason("１").is_err());
        assert_eq!(BusinessKind::ChangeAccess.steps(), &[STEP_ACCESS, STEP_CONFIRM]);
        assert_eq!(BusinessKind::FirstFiling.steps().len(), 5);
        assert!(!BusinessKind::CancelAccess.goes_to_bureau() && BusinessKind::CancelWebsite.goes_to_bureau());
        for k in BusinessKind::ALL {
            assert_eq!(k.is_change() || k.is_cancel(), k.scope() != Scope::New, "{k:?}");
        }
    }

    #[test]
    fn a_new_access_shows_a_new_provider_the_entity_by_name_only() {
        let mut f = FilingForm::default();
        f.entity.unit_name = "北京星河网络科技有限公司".into();
        f.entity.cert_number = "91110108717743469K".into();
        f.entity.province = "11".into();
        f.entity.leader.name = "张三".into();
        f.entity.leader.cert_number = "110101199003077777".into();
        let mut site = crate::domain::filing::WebsiteForm { same_leader: true, ..Default::default() };
        site.leader.cert_number = "110101199003077777".into();
        f.websites.push(site);
        hide_entity(&mut f);
        assert!(f.websites[0].leader.cert_number.is_empty());
        assert!(hidden_with_entity(crate::domain::filing::MaterialKind::EntityCert) && !hidden_with_entity(crate::domain::filing::MaterialKind::VerificationPhoto));
        assert_eq!((f.entity.unit_name.as_str(), f.entity.province.as_str()), ("北京星河网络科技有限公司", "11"));
        assert!(f.entity.cert_number.is_empty() && f.entity.leader.name.is_empty() && f.entity.leader.cert_number.is_empty());
    }

}
