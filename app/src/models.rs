//! Wire types: what the browser and the JSON API receive. Plain data with
//! string ids and nothing secret; database rows stay on the server.

use serde::{Deserialize, Serialize};

use crate::domain::workflow::{Action, ApplicationStatus, BusinessKind, Role};
#[cfg(feature = "ssr")]
use surrealdb::types::SurrealValue;

/// One filed website as the public query shows it, with the field names of
/// MIIT's `icpAbbreviateInfo/queryByCondition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicRecord {
    /// 主办单位名称
    pub unit_name: String,
    /// 主办单位性质 (Chinese, as MIIT returns it)
    pub nature_name: String,
    /// 主办单位性质 id, for showing the name in another language
    pub nature_id: u8,
    /// 主体备案号
    pub main_licence: String,
    /// 网站备案号
    pub service_licence: String,
    /// 网站名称
    pub service_name: String,
    /// 首页地址
    pub home_url: String,
    /// The main 网站域名 (Unicode for IDN)
    pub domain: String,
    /// Every domain of the website
    pub domains: Vec<String>,
    /// 网站服务内容
    pub content_type_name: String,
    /// 限制接入: "是" or "否"
    pub limit_access: String,
    /// 审核通过时间 (Beijing time), "2021-08-16 13:55:56"
    pub update_record_time: String,
    /// MIIT's serviceType: 1 网站, 6 APP (an APP has no homeUrl or domain).
    #[serde(default = "website_type")]
    pub service_type: u8,
    /// An APP's package names.
    #[serde(default)]
    pub package_names: Vec<String>,
}

fn website_type() -> u8 {
    1
}

impl PublicRecord {
    pub fn is_app(&self) -> bool {
        self.service_type == 6
    }
}

/// A page of public query results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordPage {
    /// Matching records, counted up to [`crate::domain::lookup::MAX_COUNT`].
    pub total: u64,
    /// False when there are more than `total` matches (a broad name search).
    #[serde(rename = "totalExact")]
    pub total_exact: bool,
    pub page: u32,
    pub size: u32,
    pub items: Vec<PublicRecord>,
}

impl RecordPage {
    pub fn pages(&self) -> u32 {
        if self.size == 0 {
            return 0;
        }
        self.total.div_ceil(u64::from(self.size)).min(u64::from(crate::domain::lookup::MAX_PAGE)) as u32
    }
}

/// The signed-in person, as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub username: String,
    pub role: Role,
    pub contact_name: String,
    pub mobile: String,
    pub email: String,
    /// The password was chosen by someone else: change it first.
    #[serde(default)]
    pub must_change: bool,
}

impl UserInfo {
    pub fn is_staff(&self) -> bool {
        self.role != Role::Registrant
    }
}

/// Who is signed in, as the page header shows it: found by the server
/// before the page is rendered (a request extension), and handed to the
/// browser in the page itself, so the header needs no `<Suspense>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub role: Role,
}

impl Me {
    pub fn is_staff(&self) -> bool {
        self.role != Role::Registrant
    }
}

impl From<UserInfo> for Me {
    fn from(u: UserInfo) -> Self {
        Me { username: u.username, role: u.role }
    }
}

/// The request extension the server sets for a signed-in request.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Me);

/// A captcha picture and the id its answer is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captcha {
    pub id: String,
    /// An SVG document.
    pub svg: String,
}

/// What registration (or re-sending the code) tells the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    pub username: String,
    /// Masked mobile and e-mail the code went to.
    pub mobile: String,
    pub email: String,
    /// The code itself, shown on screen when no SMS/e-mail gateway is set up.
    pub shown_code: Option<String>,
}

/// One domain's finding in the filing type check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFinding {
    pub domain: String,
    /// new | filed_here | filed_elsewhere | other_entity | in_review | other_draft | own_draft
    pub finding: String,
    pub message: crate::domain::Message,
}

/// The result of the type check before the wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detection {
    pub cert_number: String,
    /// 首次备案, 新增网站 or 新增接入; None when a conflict stops it.
    pub kind: Option<BusinessKind>,
    /// Plain words: what this filing is, or what stops it and what to do.
    /// Never another sponsor's name or details.
    pub message: crate::domain::Message,
    /// The filing acts for a filed entity: the 备案密码 (or a code sent to
    /// its 主体负责人) must be proved before anything of it is shown.
    pub needs_proof: bool,
    /// Proof by a code sent to the 主体负责人 rather than the 备案密码.
    pub proof_by_code: bool,
    pub domains: Vec<DomainFinding>,
}

/// An uploaded material, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialInfo {
    pub id: String,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

/// The registrant's unfinished filing, as the wizard needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    pub id: String,
    pub kind: BusinessKind,
    pub step: u8,
    pub form: crate::domain::filing::FilingForm,
    pub materials: Vec<MaterialInfo>,
    /// Beijing time of the last save, `2026-11-22 10:31`.
    pub updated: String,
    pub provider_name: String,
    /// Today in Beijing, YYYYMMDD: the browser checks dates against the server's day.
    pub today: String,
    /// Draft, or returned (then `annotations` says what to correct).
    pub status: ApplicationStatus,
    pub annotations: Vec<Annotation>,
    /// The version saved: a save based on an older one is refused.
    pub version: i64,
    /// A 变更: the filed data it started from (for what changes).
    pub before: Option<crate::domain::filing::FilingForm>,
    /// Opened by the provider's clerk filling it in for the client (代为办理).
    #[serde(default)]
    pub for_staff: bool,
}

/// A field the provider marked wrong when returning the filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub path: String,
    pub label: crate::domain::Message,
    pub comment: String,
    pub at: String,
    /// Who marked it: shown to staff only, empty for registrants.
    pub by: String,
}

/// The provider's 核验 record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Shown to staff only.
    pub by: String,
    pub at: String,
    pub opinion: String,
    pub photo: Option<String>,
    pub form: Option<String>,
}

/// The staff queues' and the progress query's filters; empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    /// A status code, or empty for every state the list covers.
    pub status: String,
    /// Submitted on or after / on or before, YYYY-MM-DD (Beijing).
    pub from: String,
    pub to: String,
    /// Province code of the entity, e.g. "11".
    pub province: String,
    /// Part of the 主办单位名称.
    pub name: String,
    /// Part of a domain.
    pub domain: String,
    /// A business type code (首次备案, 变更网站, …), or empty for all.
    pub kind: String,
}

/// One line of /filings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingSummary {
    pub id: String,
    pub kind: BusinessKind,
    pub status: ApplicationStatus,
    pub unit_name: String,
    pub domains: Vec<String>,
    pub updated: String,
    pub submitted: Option<String>,
    /// The entity's province (通信地址), once submitted.
    pub province: Option<u8>,
    /// Numbers issued on approval.
    pub entity_licence: Option<String>,
    pub website_licences: Vec<String>,
    /// Bumped by every change: staff actions send the one they saw.
    pub version: i64,
    /// 代为录入: the client's new account, in the answer to the clerk's
    /// submission only (shown once, never stored in the clear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_account: Option<NewAccount>,
}

/// 代为录入 第五步 (seed 001 §1.3.1): the 主办单位名称, the username and the
/// initial password of the client's new account, and the 前置审批
/// departments to contact when the websites need approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub unit_name: String,
    pub username: String,
    pub password: String,
    pub departments: Vec<crate::domain::Message>,
}

/// One event of a filing's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: String,
    /// None for an event this version does not know.
    pub action: Option<Action>,
    /// Whoever acted.
    pub role: Option<Role>,
    /// Shown to staff only; empty for registrants.
    pub actor: String,
    pub from_status: Option<ApplicationStatus>,
    pub to_status: Option<ApplicationStatus>,
    pub comment: String,
}

/// A filing with everything filed and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingDetail {
    pub summary: FilingSummary,
    pub form: crate::domain::filing::FilingForm,
    pub materials: Vec<MaterialInfo>,
    pub timeline: Vec<TimelineEvent>,
    /// The marks of the last return.
    pub annotations: Vec<Annotation>,
    pub verification: Option<Verification>,
    /// The 管局's reason, when it rejected the filing.
    pub reject_reason: Option<String>,
    /// What the reader may do now (the state machine's table for their role).
    pub actions: Vec<Action>,
    /// The clerk's marks and 退回说明 not yet sent, for whoever may return
    /// the filing now (empty for everyone else).
    pub draft_marks: Vec<crate::domain::review::Mark>,
    pub draft_note: String,
    /// A 变更: what it changes, field by field (old → new).
    pub changes: Vec<crate::domain::business::DiffRow>,
    /// A 注销 or 取消接入: the reason chosen, and the note.
    pub cancel_reason: Option<crate::domain::Message>,
    pub cancel_note: String,
    /// A 新增接入 seen by a provider new to the entity: its filed details
    /// are shown only once the 管局 approves (seed 002 §3(3)).
    #[serde(default)]
    pub entity_hidden: bool,
}

/// A row of the notification outbox (development page for admins), secrets masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct OutboxItem {
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub created: String,
}

/// A live application on a filed entity (one at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenRef {
    pub id: String,
    pub kind: BusinessKind,
    pub status: ApplicationStatus,
    /// Started by the provider for the client (代为办理).
    #[serde(default)]
    pub by_provider: bool,
}

/// One access of a filed website.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessView {
    pub key: String,
    pub provider_name: String,
    /// active | pending | cancelled
    pub status: String,
    pub ips: Vec<String>,
    /// This system's provider.
    pub here: bool,
}

/// A filed website as it stands now, with what may be done to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledSite {
    pub key: String,
    pub licence: String,
    pub name: String,
    pub domains: Vec<String>,
    /// normal | limited | empty | cancelled
    pub status: String,
    pub access: Vec<AccessView>,
    pub offers: Vec<crate::domain::business::Offer>,
}

/// A filed entity (主体) with its websites: one card of 我的备案.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledRecord {
    pub key: String,
    pub licence: String,
    pub unit_name: String,
    /// 主办单位证件号码: 新增网站 starts the type check with it.
    pub cert_number: String,
    /// normal | empty | cancelled
    pub status: String,
    pub approved: String,
    pub websites: Vec<FiledSite>,
    pub open: Option<OpenRef>,
    pub offers: Vec<crate::domain::business::Offer>,
    /// The proof is a code sent to the 主体负责人 (not the 备案密码).
    pub proof_by_code: bool,
}

/// What starting a business on a filed record produced: an application to
/// edit in the wizard (变更), or one already submitted (注销, 取消接入).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub id: String,
    pub kind: BusinessKind,
    pub submitted: bool,
}

/// A website left with no access (空壳网站), for the 管局.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct EmptySite {
    /// The website's key, for its history page.
    pub key: String,
    pub licence: String,
    pub name: String,
    pub unit_name: String,
    pub domains: Vec<String>,
    pub province: i64,
    /// When its last access ended.
    pub since: String,
}

/// A filed website's whole life, for its history page: each application
/// that made or changed it (and its entity), each access added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteHistory {
    pub licence: String,
    pub name: String,
    pub unit_name: String,
    pub domains: Vec<String>,
    pub status: String,
    /// Oldest first.
    pub entries: Vec<HistoryEntry>,
}

/// One application in a website's life (or an event outside any, such as
/// the provider's own 取消接入).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it was submitted (or happened), Beijing time.
    pub at: String,
    /// The business; none for an event outside an application.
    pub kind: Option<BusinessKind>,
    pub status: Option<ApplicationStatus>,
    /// Where the viewer may open the application, if anywhere.
    pub link: Option<String>,
    /// What a 变更 changed (old → new).
    pub changes: Vec<crate::domain::business::DiffRow>,
    /// A 注销's or 取消接入's reason.
    pub reason: Option<crate::domain::Message>,
    /// Who did what when (staff names for staff only).
    pub events: Vec<TimelineEvent>,
}

/// One approved website of this provider, as the 组合查询 lists it (seed
/// 001 §1.7.2–1.7.3) and exports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct FiledRow {
    /// The website's key, for its detail page.
    pub website: String,
    pub unit_name: String,
    /// 主办单位性质 code.
    pub nature: i64,
    pub cert_number: String,
    /// 主体所在省 code.
    pub province: i64,
    /// 主体备案号.
    pub main_licence: String,
    /// 网站备案号.
    pub licence: String,
    pub name: String,
    /// Unicode, as a person reads them.
    pub domains: Vec<String>,
    /// This provider's addresses for it.
    pub ips: Vec<String>,
    /// 接入方式 code.
    pub method: i64,
    pub content_types: Vec<i64>,
    /// 审核通过日期, Beijing, YYYY-MM-DD.
    pub approved: String,
}

/// A page of the 组合查询.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledPage {
    pub rows: Vec<FiledRow>,
    /// Every match, on all pages.
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// One approved website in full (备案详细信息), for the provider's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledDetail {
    pub website: String,
    pub licence: String,
    pub main_licence: String,
    pub unit_name: String,
    pub approved: String,
    /// normal | limited
    pub status: String,
    /// Entity, website and this provider's access, field by field.
    pub rows: Vec<crate::domain::review::ReviewRow>,
}

/// One client account in the provider's 重置密码 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct ClientAccount {
    pub username: String,
    pub contact_name: String,
    pub mobile: String,
    pub email: String,
    /// pending | active | disabled
    pub status: String,
    /// Still on a password someone else chose.
    pub must_change: bool,
    /// Created by this provider's clerks (代为录入, 批量导入).
    pub ours: bool,
    pub created: String,
    /// The entities it owns (a few).
    pub units: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPage {
    pub rows: Vec<ClientAccount>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// A username with the password just given to it, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCredential {
    pub username: String,
    pub password: String,
}

/// One 意见反馈 with its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct FeedbackItem {
    pub key: String,
    /// The clerk who filed it (staff names are for staff).
    pub author: String,
    pub province: i64,
    pub subject: String,
    pub body: String,
    /// open | answered | closed
    pub status: String,
    pub answer: Option<String>,
    pub created: String,
    pub answered: Option<String>,
    pub version: i64,
}

/// 统计: the table and its chart (an SVG drawn on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsAnswer {
    pub table: crate::domain::stats::StatTable,
    pub chart: String,
}

/// One filed entity of this provider, for the 电子证书 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct FiledEntity {
    pub key: String,
    pub unit_name: String,
    pub main_licence: String,
    pub nature: i64,
    pub province: i64,
    pub websites: Vec<String>,
    pub approved: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityPage {
    pub rows: Vec<FiledEntity>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// What the public query says of a certificate's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateCheck {
    pub code: String,
    pub standing: crate::domain::certificate::Standing,
    pub unit_name: String,
    pub main_licence: String,
    /// The websites' numbers as the certificate shows them.
    pub certified: Vec<String>,
    pub issued: String,
    pub provider_name: String,
}

/// One problem of a 批量导入 file: where (sheet, row, column) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub sheet: String,
    pub line: u32,
    pub column: String,
    /// The 主体 序号 of the filing it holds back ("" when none).
    pub filing: String,
    pub message: crate::domain::Message,
}

/// What a 批量导入 did: how many filings were imported (now 待核实) and how
/// many refused, the problems (the first [`ImportOutcome::SHOWN`] of them;
/// all are in the errors file), and the files to download, base64-encoded:
/// the problems, and the new accounts' usernames and passwords (given once,
/// kept nowhere).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub file_name: String,
    pub imported: usize,
    pub refused: usize,
    pub problem_count: usize,
    pub problems: Vec<ImportProblem>,
    pub problems_xlsx: Option<String>,
    pub accounts_xlsx: Option<String>,
    /// The new filings' application keys, for the 核实 list.
    pub applications: Vec<String>,
}

impl ImportOutcome {
    pub const SHOWN: usize = 200;
}

// ---------------------------------------------------------------------------
// Supervision (issue 15): 未备案检测, 黑名单, ingestion tokens.

/// One domain found served by our servers while unfiled (or not ours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct UnfiledItem {
    pub key: String,
    pub domain: String,
    pub domain_unicode: String,
    pub hosts: Vec<String>,
    pub ips: Vec<String>,
    /// unfiled | not_ours
    pub finding: String,
    /// never_filed | cancelled | pending | other_provider
    pub reason: String,
    pub found_licence: Option<String>,
    pub province: Option<i64>,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub first_seen: String,
    pub last_seen: String,
    pub hits: i64,
    /// 检测次数
    pub times: i64,
    /// open | closed | filed | false_positive | rectifying
    pub state: String,
    pub deadline: Option<String>,
    pub licence: Option<String>,
    pub comment: String,
    pub handled_by: Option<String>,
    pub handled_at: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfiledPage {
    pub items: Vec<UnfiledItem>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// One run that found the domain (检测次数's history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct UnfiledSeen {
    pub at: String,
    /// log | api, and the files or the token's name.
    pub source: String,
    pub label: String,
    pub finding: String,
    pub reason: String,
    pub ips: Vec<String>,
    pub hosts: Vec<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub hits: i64,
    pub reopened: bool,
}

/// A handling (or a reopening), from the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct UnfiledHandling {
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfiledDetail {
    pub item: UnfiledItem,
    pub seen: Vec<UnfiledSeen>,
    pub handlings: Vec<UnfiledHandling>,
}

/// A line of the statistics: a group's detections by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfiledStatLine {
    /// The group's value as the list's filter takes it (province code, state, `YYYY-MM`).
    pub key: String,
    pub label: crate::domain::Message,
    pub total: u64,
    /// In the order of `detect::DetectionState::ALL`.
    pub by_state: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfiledStats {
    pub group: crate::domain::detect::StatGroup,
    pub lines: Vec<UnfiledStatLine>,
    pub total: UnfiledStatLine,
    /// An SVG bar chart drawn on the server.
    pub chart: String,
}

/// What a detection run found (the CLI prints it; the endpoint answers it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub run: String,
    pub lines: u64,
    pub bad_lines: u64,
    /// Bad lines by reason, with up to ten samples (line number and text).
    pub bad_by_reason: Vec<(String, u64)>,
    pub bad_samples: Vec<String>,
    pub hosts: u64,
    /// Host names that are no public domain (an IP address, an unknown suffix).
    pub not_domains: u64,
    pub not_domain_samples: Vec<String>,
    pub domains: u64,
    pub filed_with_us: u64,
    pub unfiled: u64,
    pub not_ours: u64,
    pub new_detections: u64,
    pub reopened: u64,
    /// A shipper's named batch that had come before: only what that
    /// attempt had not recorded was recorded now.
    #[serde(default)]
    pub repeated: bool,
}

/// An ingestion token as the administrator's list shows it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct IngestTokenInfo {
    pub key: String,
    pub name: String,
    pub prefix: String,
    pub created_by: Option<String>,
    pub created: String,
    pub revoked: Option<String>,
    pub last_used: Option<String>,
}

/// A token just made: shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIngestToken {
    pub info: IngestTokenInfo,
    pub token: String,
}

/// A 黑名单 entry as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct BlacklistEntry {
    pub key: String,
    /// entity | domain
    pub kind: String,
    pub unit_name: String,
    pub cert_number: String,
    pub domain: String,
    pub domain_unicode: String,
    pub reason: String,
    pub public_reason: String,
    pub province: Option<i64>,
    pub listed_by: Option<String>,
    pub listed: String,
    pub removed: Option<String>,
    pub version: i64,
}

/// 非法接入黑名单: a blacklisted filing we still have an access row for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue))]
pub struct IllegalAccess {
    pub website: String,
    pub unit_name: String,
    pub main_licence: Option<String>,
    pub licence: Option<String>,
    pub site_name: String,
    pub domains: Vec<String>,
    pub ips: Vec<String>,
    pub server_province: i64,
    /// The entry that lists it: entity | domain, and its public reason.
    pub listed_as: String,
    pub listed_reason: String,
    pub listed: String,
}

/// The public 违法违规查询's answer: whether it is listed, when and why, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViolationAnswer {
    /// What was looked up, as read (a registrable domain or a name).
    pub query: String,
    pub listed: bool,
    /// `YYYY-MM-DD`
    pub listed_on: Option<String>,
    pub reason: Option<String>,
}
