//! Business types and the states of a filing application and of the records
//! it produces (domain.md §4). Every status says what happens next and who acts.

use serde::{Deserialize, Serialize};

use super::text::Text;

/// 备案业务类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessKind {
    /// 首次备案: neither the entity nor the domain is filed.
    FirstFiling,
    /// 新增网站: the entity is filed; a new website joins it.
    NewWebsite,
    /// 新增接入: the website is filed with another provider.
    NewAccess,
    ChangeEntity,
    ChangeWebsite,
    ChangeAccess,
    CancelAccess,
    CancelWebsite,
    CancelEntity,
}

impl BusinessKind {
    pub const ALL: [BusinessKind; 9] = [
        BusinessKind::FirstFiling,
        BusinessKind::NewWebsite,
        BusinessKind::NewAccess,
        BusinessKind::ChangeEntity,
        BusinessKind::ChangeWebsite,
        BusinessKind::ChangeAccess,
        BusinessKind::CancelAccess,
        BusinessKind::CancelWebsite,
        BusinessKind::CancelEntity,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BusinessKind::FirstFiling => "first_filing",
            BusinessKind::NewWebsite => "new_website",
            BusinessKind::NewAccess => "new_access",
            BusinessKind::ChangeEntity => "change_entity",
            BusinessKind::ChangeWebsite => "change_website",
            BusinessKind::ChangeAccess => "change_access",
            BusinessKind::CancelAccess => "cancel_access",
            BusinessKind::CancelWebsite => "cancel_website",
            BusinessKind::CancelEntity => "cancel_entity",
        }
    }

    pub fn from_code(s: &str) -> Option<BusinessKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            BusinessKind::FirstFiling => Text::new("首次备案", "First filing"),
            BusinessKind::NewWebsite => Text::new("新增网站", "New website"),
            BusinessKind::NewAccess => Text::new("新增接入", "New access"),
            BusinessKind::ChangeEntity => Text::new("变更主体", "Change entity"),
            BusinessKind::ChangeWebsite => Text::new("变更网站", "Change website"),
            BusinessKind::ChangeAccess => Text::new("变更接入", "Change access"),
            BusinessKind::CancelAccess => Text::new("取消接入", "Cancel access"),
            BusinessKind::CancelWebsite => Text::new("注销网站", "Cancel website"),
            BusinessKind::CancelEntity => Text::new("注销主体", "Cancel entity"),
        }
    }

    /// Whether the seeds' 备案密码 is required (取消接入 needs none).
    pub fn needs_filing_password(self) -> bool {
        !matches!(self, BusinessKind::FirstFiling | BusinessKind::CancelAccess)
    }
}

/// The state of a filing application (备案申请).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 草稿: the registrant is filling it in.
    Draft,
    /// 待核实: submitted, waiting for the provider.
    PendingVerification,
    /// 退回修改: the provider returned it with marked fields.
    Returned,
    /// 待管局审核: passed by the provider to the 管局.
    PendingBureau,
    /// 前置审批中: waiting for the pre-approval documents.
    PreApproval,
    /// 管局驳回: back with the provider.
    BureauRejected,
    /// 已通过: numbers issued.
    Approved,
    /// 已放弃: discarded by the registrant.
    Abandoned,
}

/// Who acts on a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Registrant,
    Provider,
    Bureau,
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Registrant => "registrant",
            Role::Provider => "provider",
            Role::Bureau => "bureau",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        [Role::Registrant, Role::Provider, Role::Bureau, Role::Admin].into_iter().find(|r| r.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Role::Registrant => Text::new("网站主办者", "Registrant"),
            Role::Provider => Text::new("接入服务商", "Access provider"),
            Role::Bureau => Text::new("管局", "Communications administration"),
            Role::Admin => Text::new("系统管理员", "Administrator"),
        }
    }
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 8] = [
        ApplicationStatus::Draft,
        ApplicationStatus::PendingVerification,
        ApplicationStatus::Returned,
        ApplicationStatus::PendingBureau,
        ApplicationStatus::PreApproval,
        ApplicationStatus::BureauRejected,
        ApplicationStatus::Approved,
        ApplicationStatus::Abandoned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::PendingVerification => "pending_verification",
            ApplicationStatus::Returned => "returned",
            ApplicationStatus::PendingBureau => "pending_bureau",
            ApplicationStatus::PreApproval => "pre_approval",
            ApplicationStatus::BureauRejected => "bureau_rejected",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Abandoned => "abandoned",
        }
    }

    pub fn from_code(s: &str) -> Option<ApplicationStatus> {
        Self::ALL.into_iter().find(|st| st.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            ApplicationStatus::Draft => Text::new("草稿", "Draft"),
            ApplicationStatus::PendingVerification => Text::new("待核实", "Awaiting verification"),
            ApplicationStatus::Returned => Text::new("退回修改", "Returned for changes"),
            ApplicationStatus::PendingBureau => Text::new("待管局审核", "With the administration"),
            ApplicationStatus::PreApproval => Text::new("前置审批中", "Awaiting pre-approval"),
            ApplicationStatus::BureauRejected => Text::new("管局驳回", "Rejected by the administration"),
            ApplicationStatus::Approved => Text::new("已通过", "Approved"),
            ApplicationStatus::Abandoned => Text::new("已放弃", "Abandoned"),
        }
    }

    /// What happens next and who acts, in plain words.
    pub fn next_step(self) -> Text {
        match self {
            ApplicationStatus::Draft => Text::new(
                "尚未提交。请完成各步骤并提交，提交后由接入服务商核实。",
                "Not submitted yet. Complete every step and submit; the access provider then verifies it.",
            ),
            ApplicationStatus::PendingVerification => Text::new(
                "等待接入服务商核实（通常1至2个工作日）。您现在无需操作。",
                "Waiting for the access provider to verify it (usually 1–2 working days). Nothing to do for now.",
            ),
            ApplicationStatus::Returned => Text::new(
                "接入服务商已退回，请按标注修改有问题的字段后重新提交。",
                "The provider returned it. Correct the marked fields and submit again.",
            ),
            ApplicationStatus::PendingBureau => Text::new(
                "已提交至管局审核（最长20个工作日）。您现在无需操作。",
                "Passed to the communications administration (up to 20 working days). Nothing to do for now.",
            ),
            ApplicationStatus::PreApproval => Text::new(
                "网站内容涉及前置审批，等待审批文件核对。",
                "The content needs pre-approval; the approval documents are being checked.",
            ),
            ApplicationStatus::BureauRejected => Text::new(
                "管局已驳回，接入服务商将修改或退回给您修改。",
                "The administration rejected it; the provider will correct it or return it to you.",
            ),
            ApplicationStatus::Approved => Text::new(
                "备案已通过。请将备案号放在网站首页底部中间，并链接到 beian.miit.gov.cn。",
                "Approved. Put the filing number at the bottom centre of the home page, linked to beian.miit.gov.cn.",
            ),
            ApplicationStatus::Abandoned => Text::new("已放弃，无需操作。", "Abandoned; nothing to do."),
        }
    }

    /// What the staff member looking at it must do now (or that nothing is
    /// theirs to do), in plain words.
    pub fn staff_step(self, role: Role) -> Text {
        match (role, self) {
            (Role::Provider, ApplicationStatus::PendingVerification) => Text::new(
                "请您核实：核对信息与材料并上传核验照片和核验单；无误则填写核实意见后报送管局，有误则标注字段后退回主办者修改。",
                "Your turn: check the details and documents and upload the verification photo and form; then pass it to the administration with your opinion, or mark the wrong fields and return it.",
            ),
            (Role::Provider, ApplicationStatus::BureauRejected) => Text::new(
                "管局已驳回，请您处理：可代为修改文字字段后重新报送，或标注后退回主办者修改。",
                "Rejected by the administration, your turn: correct text fields and pass it again, or mark fields and return it to the registrant.",
            ),
            (Role::Provider, ApplicationStatus::Returned) => Text::new("已退回主办者修改，等待其重新提交；您暂无需操作。", "Returned to the registrant; waiting for them to resubmit. Nothing for you to do now."),
            (Role::Provider, ApplicationStatus::PendingBureau | ApplicationStatus::PreApproval) => {
                Text::new("已报送管局，等待管局审核；您暂无需操作。", "With the administration for review. Nothing for you to do now.")
            }
            (Role::Bureau, ApplicationStatus::PendingBureau) => Text::new(
                "请您审核：无误则审核通过并下发备案号；有问题则填写原因驳回；内容涉及前置审批的，先转入前置审批。",
                "Your turn: approve and issue the numbers, or reject with a reason; content that needs pre-approval goes to pre-approval first.",
            ),
            (Role::Bureau, ApplicationStatus::PreApproval) => Text::new(
                "请您核对前置审批文件：核对无误后审核通过，否则驳回。",
                "Your turn: check the pre-approval documents, then approve or reject.",
            ),
            (_, ApplicationStatus::Approved) => Text::new("已审核通过，备案号已下发；无需操作。", "Approved and numbered. Nothing to do."),
            (_, ApplicationStatus::Abandoned) => Text::new("主办者已放弃该申请；无需操作。", "Abandoned by the registrant. Nothing to do."),
            (_, ApplicationStatus::Draft) => Text::new("主办者尚未提交；无需操作。", "Not submitted yet. Nothing to do."),
            _ => Text::new("不在您的处理环节；无需操作。", "Not at your step. Nothing for you to do."),
        }
    }

    /// Whether the registrant may edit the application in this state.
    pub fn editable_by_registrant(self) -> bool {
        matches!(self, ApplicationStatus::Draft | ApplicationStatus::Returned)
    }

    /// Whether the application still holds its domains (a live filing).
    pub fn is_live(self) -> bool {
        !matches!(self, ApplicationStatus::Abandoned | ApplicationStatus::Approved)
    }
}

/// Every move a person makes on a filing application: the state machine's
/// transitions and the edits that keep the state (保存, 核验, 代为修改).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 创建备案申请 (after the type check).
    Create,
    /// 保存 a draft or a returned filing.
    Save,
    Submit,
    Resubmit,
    Discard,
    /// 核验: the provider's marks and verification uploads.
    Verify,
    Return,
    Pass,
    /// 代为修改 after a 管局 rejection.
    Correct,
    RequirePreApproval,
    Approve,
    Reject,
    SubmitOnBehalf,
    /// 确认取消接入: the provider confirms a registrant's 取消接入 request,
    /// which takes effect at once (no 管局, seed 002 §3(5)).
    Confirm,
    /// 修改注销申请: a new reason for a 注销 not yet decided (seed 001 §1.5.2).
    Amend,
    /// 删除注销申请: the provider takes back a 注销 it filed for its client
    /// before anyone passed it (seed 001 §1.5.2 二 2).
    Delete,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::Create,
        Action::Save,
        Action::Submit,
        Action::Resubmit,
        Action::Discard,
        Action::Verify,
        Action::Return,
        Action::Pass,
        Action::Correct,
        Action::RequirePreApproval,
        Action::Approve,
        Action::Reject,
        Action::SubmitOnBehalf,
        Action::Confirm,
        Action::Amend,
        Action::Delete,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Save => "edit",
            Action::Submit => "submit",
            Action::Resubmit => "resubmit",
            Action::Discard => "discard",
            Action::Verify => "verify",
            Action::Return => "return",
            Action::Pass => "pass",
            Action::Correct => "correct",
            Action::RequirePreApproval => "require_pre_approval",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::SubmitOnBehalf => "submit_on_behalf",
            Action::Confirm => "confirm",
            Action::Amend => "amend",
            Action::Delete => "delete",
        }
    }

    pub fn from_code(s: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }

    /// What the action is called, for timelines, buttons and messages.
    pub fn label(self) -> Text {
        match self {
            Action::Create => Text::new("创建备案申请", "Filing started"),
            Action::Save => Text::new("修改备案信息", "Details changed"),
            Action::Submit => Text::new("提交备案", "Submitted"),
            Action::Resubmit => Text::new("重新提交", "Resubmitted"),
            Action::Discard => Text::new("放弃备案", "Discarded"),
            Action::Verify => Text::new("核验", "Verification"),
            Action::Return => Text::new("退回修改", "Returned for changes"),
            Action::Pass => Text::new("核实通过，报送管局", "Verified and passed to the administration"),
            Action::Correct => Text::new("接入服务商代为修改", "Corrected by the provider"),
            Action::RequirePreApproval => Text::new("转入前置审批", "Sent to pre-approval check"),
            Action::Approve => Text::new("审核通过", "Approved"),
            Action::Reject => Text::new("驳回", "Rejected"),
            Action::SubmitOnBehalf => Text::new("代为提交", "Submitted on the sponsor's behalf"),
            Action::Confirm => Text::new("确认取消接入", "Access cancellation confirmed"),
            Action::Amend => Text::new("修改注销申请", "Cancellation amended"),
            Action::Delete => Text::new("删除注销申请", "Cancellation deleted"),
        }
    }
}

/// One allowed move of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ApplicationStatus,
    pub to: ApplicationStatus,
    pub actor: Role,
    pub action: Action,
}

const fn t(from: ApplicationStatus, to: ApplicationStatus, actor: Role, action: Action) -> Transition {
    Transition { from, to, actor, action }
}

use ApplicationStatus as S;

/// The whole state machine, and the only place that says who may do what
/// to a filing in which state: anything not listed is refused. Edits that
/// keep the state (save, verify, correct) are listed as moves to itself.
pub const TRANSITIONS: [Transition; 27] = [
    t(S::Draft, S::Draft, Role::Registrant, Action::Save),
    t(S::Draft, S::PendingVerification, Role::Registrant, Action::Submit),
    t(S::Draft, S::Abandoned, Role::Registrant, Action::Discard),
    t(S::Returned, S::Returned, Role::Registrant, Action::Save),
    t(S::Returned, S::PendingVerification, Role::Registrant, Action::Resubmit),
    t(S::Returned, S::Abandoned, Role::Registrant, Action::Discard),
    t(S::PendingVerification, S::PendingVerification, Role::Provider, Action::Verify),
    t(S::PendingVerification, S::Returned, Role::Provider, Action::Return),
    t(S::PendingVerification, S::PendingBureau, Role::Provider, Action::Pass),
    t(S::BureauRejected, S::BureauRejected, Role::Provider, Action::Verify),
    t(S::BureauRejected, S::BureauRejected, Role::Provider, Action::Correct),
    t(S::BureauRejected, S::Returned, Role::Provider, Action::Return),
    t(S::BureauRejected, S::PendingBureau, Role::Provider, Action::Pass),
    t(S::PendingBureau, S::Approved, Role::Bureau, Action::Approve),
    t(S::PendingBureau, S::BureauRejected, Role::Bureau, Action::Reject),
    t(S::PendingBureau, S::PreApproval, Role::Bureau, Action::RequirePreApproval),
    t(S::PreApproval, S::Approved, Role::Bureau, Action::Approve),
    t(S::PreApproval, S::BureauRejected, Role::Bureau, Action::Reject),
    // 代为办理: a draft the provider started for its client (the guard lets
    // the provider near only those) is the provider's to fill in, submit or drop.
    t(S::Draft, S::Draft, Role::Provider, Action::Save),
    t(S::Draft, S::PendingVerification, Role::Provider, Action::SubmitOnBehalf),
    t(S::Draft, S::Abandoned, Role::Provider, Action::Discard),
    // 撤回: the registrant withdraws a submitted application before the provider acts.
    t(S::PendingVerification, S::Abandoned, Role::Registrant, Action::Discard),
    t(S::PendingVerification, S::Approved, Role::Provider, Action::Confirm),
    // 注销 (seed 001 §1.5.2 二): modified while not yet passed on, by the
    // registrant (whose application it is) or by the provider when it filed
    // it for its client (which it may also delete), and by the provider after
    // a 管局 rejection, before filing it again (Pass).
    t(S::PendingVerification, S::PendingVerification, Role::Registrant, Action::Amend),
    t(S::PendingVerification, S::PendingVerification, Role::Provider, Action::Amend),
    t(S::BureauRejected, S::BureauRejected, Role::Provider, Action::Amend),
    t(S::PendingVerification, S::Abandoned, Role::Provider, Action::Delete),
];

/// Whether the provider may take this action on this application only
/// when it started it for its client (代为办理): its drafts, and what it
/// filed that nobody has acted on yet. Ownership, like a registrant's of
/// its own applications; the table above says which moves exist.
pub fn on_behalf_only(action: Action, from: ApplicationStatus) -> bool {
    match action {
        Action::Save | Action::Submit | Action::SubmitOnBehalf | Action::Discard | Action::Delete => true,
        Action::Amend => from == ApplicationStatus::PendingVerification,
        _ => false,
    }
}

/// Whether an action fits a business: 取消接入 is confirmed by the
/// provider and never goes to the 管局; everything else is passed to the
/// 管局 and never merely confirmed.
pub fn fits(action: Action, kind: BusinessKind) -> bool {
    match action {
        Action::Confirm => !kind.goes_to_bureau(),
        Action::Pass | Action::Approve | Action::Reject | Action::RequirePreApproval | Action::Correct => kind.goes_to_bureau(),
        Action::Amend | Action::Delete => matches!(kind, BusinessKind::CancelWebsite | BusinessKind::CancelEntity),
        _ => true,
    }
}

/// The transition for this action by this actor from this state, if
/// allowed. Submitting a returned filing is resubmitting it.
pub fn transition(from: ApplicationStatus, action: Action, actor: Role, kind: BusinessKind) -> Option<Transition> {
    let action = match (action, from) {
        (Action::Submit, ApplicationStatus::Returned) => Action::Resubmit,
        _ => by(action, actor),
    };
    if !fits(action, kind) {
        return None;
    }
    TRANSITIONS.into_iter().find(|t| t.from == from && t.action == action && t.actor == actor)
}

/// Whether this role ever performs this action (in some state): when not,
/// the answer is 403; when only the state is wrong, 409.
pub fn role_may(action: Action, actor: Role) -> bool {
    let action = by(action, actor);
    TRANSITIONS.iter().any(|t| t.action == action && t.actor == actor)
}

/// Submitting, when the provider does it, is 代为提交 (for its client).
fn by(action: Action, actor: Role) -> Action {
    if action == Action::Submit && actor == Role::Provider {
        Action::SubmitOnBehalf
    } else {
        action
    }
}

/// The actions this role may take on a filing in this state, in table
/// order: what the staff pages offer.
pub fn allowed_actions(from: ApplicationStatus, actor: Role, kind: BusinessKind) -> Vec<Action> {
    let mut out = Vec::new();
    for t in TRANSITIONS {
        if t.from == from && t.actor == actor && fits(t.action, kind) && !out.contains(&t.action) {
            out.push(t.action);
        }
    }
    out
}

/// The staff lists: the provider's 核实 queue and 备案进度查询, the 管局's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    Verify,
    Progress,
    Bureau,
}

impl Queue {
    /// Who reads the list.
    pub fn role(self) -> Role {
        match self {
            Queue::Bureau => Role::Bureau,
            Queue::Verify | Queue::Progress => Role::Provider,
        }
    }

    /// The states the list covers.
    pub fn statuses(self) -> Vec<ApplicationStatus> {
        match self {
            Queue::Verify => vec![ApplicationStatus::PendingVerification, ApplicationStatus::BureauRejected],
            Queue::Bureau => vec![ApplicationStatus::PendingBureau, ApplicationStatus::PreApproval],
            Queue::Progress => ApplicationStatus::ALL.into_iter().filter(|s| *s != ApplicationStatus::Draft).collect(),
        }
    }
}

/// Record states (domain.md §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// 正常
    Normal,
    /// 限制接入 (websites only)
    Limited,
    /// 空壳 (no website / no access left)
    Empty,
    /// 已注销
    Cancelled,
}

impl RecordStatus {
    pub fn code(self) -> &'static str {
        match self {
            RecordStatus::Normal => "normal",
            RecordStatus::Limited => "limited",
            RecordStatus::Empty => "empty",
            RecordStatus::Cancelled => "cancelled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_never_read_the_registrants_words() {
        for status in ApplicationStatus::ALL {
            for role in [Role::Provider, Role::Bureau] {
                let t = status.staff_step(role);
                assert!(!t.zh.contains("您现在无需操作"), "{status:?} {role:?}");
                assert_ne!(t.zh, status.next_step().zh);
            }
        }
        assert!(ApplicationStatus::PendingVerification.staff_step(Role::Provider).zh.starts_with("请您核实"));
        assert!(ApplicationStatus::PendingBureau.staff_step(Role::Bureau).zh.starts_with("请您审核"));
    }

    #[test]
    fn codes_round_trip() {
        for s in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::from_code(s.code()), Some(s));
            assert!(!s.next_step().zh.is_empty() && !s.next_step().en.is_empty());
        }
        assert_eq!(Role::from_code("bureau"), Some(Role::Bureau));
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn only_listed_moves_are_allowed() {
        const F: BusinessKind = BusinessKind::FirstFiling;
        assert!(transition(S::Draft, Action::Submit, Role::Registrant, F).is_some());
        // Approving a draft, a registrant passing their own filing, resubmitting in review.
        assert!(transition(S::Draft, Action::Approve, Role::Bureau, F).is_none());
        assert!(transition(S::PendingVerification, Action::Pass, Role::Registrant, F).is_none());
        assert!(transition(S::PendingBureau, Action::Resubmit, Role::Registrant, F).is_none());
        assert!(transition(S::Approved, Action::Reject, Role::Bureau, F).is_none());
        // Saving a submitted filing (the race with submit) is not a move.
        assert!(transition(S::PendingVerification, Action::Save, Role::Registrant, F).is_none());
        assert!(role_may(Action::Save, Role::Registrant) && !role_may(Action::Save, Role::Bureau));
        // 代为办理: the provider saves and submits a draft (its client's, which the guard checks), never a returned one.
        assert_eq!(transition(S::Draft, Action::Submit, Role::Provider, BusinessKind::ChangeWebsite).map(|t| t.action), Some(Action::SubmitOnBehalf));
        assert!(transition(S::Returned, Action::Save, Role::Provider, F).is_none());
        assert!(transition(S::Returned, Action::Submit, Role::Provider, F).is_none());
        assert_eq!(allowed_actions(S::BureauRejected, Role::Provider, F), vec![Action::Verify, Action::Correct, Action::Return, Action::Pass]);
        assert!(allowed_actions(S::Approved, Role::Bureau, F).is_empty());
        // 取消接入 is confirmed by the provider, never passed; nothing else is confirmed.
        assert_eq!(allowed_actions(S::PendingVerification, Role::Provider, BusinessKind::CancelAccess), vec![Action::Verify, Action::Return, Action::Confirm]);
        // The provider deletes only a 注销 (one it filed: the guard), never another business.
        assert!(transition(S::PendingVerification, Action::Delete, Role::Provider, BusinessKind::CancelEntity).is_some());
        assert!(transition(S::PendingVerification, Action::Delete, Role::Provider, BusinessKind::NewWebsite).is_none());
        assert!(transition(S::PendingVerification, Action::Discard, Role::Provider, BusinessKind::CancelEntity).is_none());
        // A 注销's reason is amended before it is passed (or by the provider after a rejection); nothing else is.
        assert!(transition(S::PendingVerification, Action::Amend, Role::Registrant, BusinessKind::CancelWebsite).is_some());
        assert!(transition(S::PendingBureau, Action::Amend, Role::Registrant, BusinessKind::CancelWebsite).is_none());
        assert!(transition(S::BureauRejected, Action::Amend, Role::Provider, BusinessKind::CancelEntity).is_some());
        assert!(transition(S::PendingVerification, Action::Amend, Role::Registrant, BusinessKind::ChangeWebsite).is_none());
        assert!(on_behalf_only(Action::Amend, S::PendingVerification) && !on_behalf_only(Action::Amend, S::BureauRejected) && !on_behalf_only(Action::Pass, S::PendingVerification));
        assert!(!allowed_actions(S::PendingVerification, Role::Provider, BusinessKind::ChangeWebsite).contains(&Action::Confirm));
        assert!(transition(S::PendingVerification, Action::Confirm, Role::Provider, F).is_none());
        // The registrant may withdraw a submitted application before the provider acts.
        assert_eq!(transition(S::PendingVerification, Action::Discard, Role::Registrant, F).map(|t| t.to), Some(S::Abandoned));
        assert!(transition(S::PendingBureau, Action::Discard, Role::Registrant, F).is_none());
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
        }
        // Every state but the two final ones can be left.
        for s in ApplicationStatus::ALL {
            let leaves = TRANSITIONS.iter().any(|t| t.from == s && t.to != s);
            assert_eq!(leaves, !matches!(s, S::Approved | S::Abandoned), "{s:?}");
        }
    }

    #[test]
    fn filing_password_rules() {
        assert!(!BusinessKind::CancelAccess.needs_filing_password());
        assert!(BusinessKind::ChangeEntity.needs_filing_password());
        assert!(BusinessKind::NewAccess.needs_filing_password());
    }
}
