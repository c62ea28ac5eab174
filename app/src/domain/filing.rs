//! The filing form (备案信息) as the wizard holds it, and its rules
//! (domain.md §1–2). Every value is kept as typed, so a draft can hold
//! anything a person entered; validation turns it into field errors, keyed by
//! the field's path, with the field's Chinese name from domain.md.

use serde::{Deserialize, Serialize};

use super::chars;
use super::codes::{self, NATURE_PERSONAL};
use super::contact::{parse_email, parse_landline, parse_mobile};
use super::date::Date;
use super::error::{required, Field, FieldError, FieldErrors, Problem};
use super::net::{parse_home_url, parse_public_ip, parse_site_domain, DomainName};
use super::personal_id::check_certificate;
use super::site_name::check_site_name;

/// The wizard's steps: ① 主体信息 ② 网站信息 ③ 接入信息 ④ 材料 ⑤ 确认.
pub const STEPS: u8 = 5;
pub const STEP_ENTITY: u8 = 1;
pub const STEP_WEBSITES: u8 = 2;
pub const STEP_ACCESS: u8 = 3;
pub const STEP_MATERIALS: u8 = 4;
pub const STEP_CONFIRM: u8 = 5;

pub const MAX_WEBSITES: usize = 10;
pub const MAX_DOMAINS: usize = 10;
pub const MAX_IPS: usize = 20;
pub const MAX_CONTENT_TYPES: usize = 5;
pub const REMARK_MIN_PERSONAL: usize = 20;
pub const REMARK_MAX: usize = 200;

/// A 负责人 (主体负责人 or 网站负责人).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    pub name: String,
    /// 证件类型 id as typed ("" until chosen).
    pub cert_type: String,
    pub cert_number: String,
    /// 证件有效期: YYYYMMDD, and the end date or 长期.
    pub valid_from: String,
    pub valid_to: String,
    pub long_term: bool,
    pub mobile: String,
    /// 办公电话
    pub phone: String,
    /// 应急联系电话
    pub emergency_phone: String,
    pub email: String,
}

/// 主体信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntityForm {
    pub unit_name: String,
    pub nature: String,
    pub cert_type: String,
    pub cert_number: String,
    pub cert_address: String,
    /// 通信地址: province code and the street address.
    pub province: String,
    pub address: String,
    pub investor: String,
    pub leader: PersonForm,
    pub remark: String,
}

/// 接入信息 of one website.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessForm {
    pub provider_name: String,
    pub method: String,
    /// One IP address per line.
    pub ips: String,
    pub server_province: String,
}

/// 网站信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebsiteForm {
    pub name: String,
    /// One domain per line.
    pub domains: String,
    /// One 首页URL per line.
    pub home_urls: String,
    pub content_types: Vec<u8>,
    pub pre_approvals: Vec<u8>,
    /// "以上都不涉及", chosen explicitly.
    pub no_pre_approval: bool,
    /// 前置审批文号
    pub pre_approval_number: String,
    pub language: String,
    /// The 网站负责人 is the 主体负责人.
    pub same_leader: bool,
    pub leader: PersonForm,
    pub remark: String,
    pub access: AccessForm,
    /// What this service is: `""` or `"website"` a 网站, `"app"` an APP
    /// (drafts saved before APPs existed are websites).
    pub kind: String,
    /// An APP's platforms (empty for a website).
    pub platforms: Vec<super::app::PlatformForm>,
    /// An APP's icon: the key of its uploaded [`MaterialKind::AppIcon`].
    pub icon: String,
}

/// The kind code of an APP service ([`WebsiteForm::kind`]).
pub const KIND_APP: &str = "app";

impl WebsiteForm {
    pub fn is_app(&self) -> bool {
        self.kind.trim() == KIND_APP
    }
}

/// Everything the registrant files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilingForm {
    pub entity: EntityForm,
    pub websites: Vec<WebsiteForm>,
}

/// The most one text field of a draft may hold, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The most items any list in a draft may hold.
pub const MAX_LIST_ITEMS: usize = 100;
/// The most a whole draft may weigh, as JSON, in bytes.
pub const MAX_FORM_BYTES: usize = 200 * 1024;

/// Size limits on a form before anything else looks at it: no text field
/// longer than [`MAX_TEXT_CHARS`], no list longer than [`MAX_LIST_ITEMS`],
/// the whole no heavier than [`MAX_FORM_BYTES`]. Far above anything a
/// person types, so they only stop scripts.
pub fn bound(form: &FilingForm) -> Result<(), FieldErrors> {
    fn walk(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.len() > MAX_TEXT_CHARS && s.chars().count() > MAX_TEXT_CHARS => out.push(path.to_string()),
            serde_json::Value::Array(items) => {
                if items.len() > MAX_LIST_ITEMS {
                    out.push(path.to_string());
                }
                for (i, item) in items.iter().enumerate().take(MAX_LIST_ITEMS) {
                    walk(item, &format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(item, &p, out);
                }
            }
            _ => {}
        }
    }
    let mut errors = FieldErrors::new();
    let too_big = || {
        Problem::new(
            "form.too_large",
            format!("填写的内容过长（每项最多{MAX_TEXT_CHARS}字，列表最多{MAX_LIST_ITEMS}项），请删减后再保存"),
            format!("too much text (at most {MAX_TEXT_CHARS} characters a field, {MAX_LIST_ITEMS} items a list): shorten it and save again"),
        )
    };
    let Ok(json) = serde_json::to_value(form) else {
        errors.push(too_big().at(Field::new("form", "备案信息", "filing")));
        return errors.into_result();
    };
    let mut paths = Vec::new();
    walk(&json, "", &mut paths);
    if paths.is_empty() && json.to_string().len() > MAX_FORM_BYTES {
        paths.push("form".to_string());
    }
    for path in paths.into_iter().take(20) {
        let mut e = too_big().at(Field::new("form", "备案信息", "filing"));
        e.path = path;
        errors.push(e);
    }
    errors.into_result()
}

/// Kinds of uploaded material (材料).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    /// 主办单位证件扫描件 (for 个人, the ID card)
    EntityCert,
    /// 负责人照片 (photo taken against a plain background)
    LeaderPhoto,
    /// 前置审批文件
    PreApproval,
    /// 授权书 (when the 负责人 is not the legal representative)
    Authorisation,
    /// 其他材料
    Other,
    /// 当面核验照片: the 负责人 photographed by the provider at verification.
    VerificationPhoto,
    /// 网站备案信息真实性核验单, filled in and signed at verification.
    VerificationForm,
    /// An APP's icon (one per APP, named by [`WebsiteForm::icon`]).
    AppIcon,
}

impl MaterialKind {
    pub const ALL: [MaterialKind; 5] = [
        MaterialKind::EntityCert,
        MaterialKind::LeaderPhoto,
        MaterialKind::PreApproval,
        MaterialKind::Authorisation,
        MaterialKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MaterialKind::EntityCert => "entity_cert",
            MaterialKind::LeaderPhoto => "leader_photo",
            MaterialKind::PreApproval => "pre_approval",
            MaterialKind::Authorisation => "authorisation",
            MaterialKind::Other => "other",
            MaterialKind::VerificationPhoto => "verification_photo",
            MaterialKind::VerificationForm => "verification_form",
            MaterialKind::AppIcon => "app_icon",
        }
    }

    /// What the provider's staff upload at verification (核验).
    pub const STAFF: [MaterialKind; 2] = [MaterialKind::VerificationPhoto, MaterialKind::VerificationForm];

    pub fn from_code(s: &str) -> Option<MaterialKind> {
        Self::ALL.into_iter().chain(Self::STAFF).chain([MaterialKind::AppIcon]).find(|k| k.code() == s)
    }

    /// Uploaded by the provider at verification, not by the registrant.
    pub fn is_staff(self) -> bool {
        Self::STAFF.contains(&self)
    }

    pub fn field(self) -> Field {
        match self {
            MaterialKind::EntityCert => Field::new("materials.entity_cert", "主办单位证件扫描件", "Scan of the sponsor's certificate"),
            MaterialKind::LeaderPhoto => Field::new("materials.leader_photo", "负责人照片", "Photo of the responsible person"),
            MaterialKind::PreApproval => Field::new("materials.pre_approval", "前置审批文件", "Pre-approval documents"),
            MaterialKind::Authorisation => Field::new("materials.authorisation", "授权书", "Letter of authorisation"),
            MaterialKind::Other => Field::new("materials.other", "其他材料", "Other documents"),
            MaterialKind::VerificationPhoto => Field::new("materials.verification_photo", "当面核验照片", "Photo taken at verification"),
            MaterialKind::VerificationForm => Field::new("materials.verification_form", "网站备案信息真实性核验单", "Verification form (真实性核验单)"),
            MaterialKind::AppIcon => fields::APP_ICON,
        }
    }

    /// Photos must be pictures; certificates and letters may be PDF too.
    pub fn photo_only(self) -> bool {
        matches!(self, MaterialKind::LeaderPhoto | MaterialKind::VerificationPhoto | MaterialKind::AppIcon)
    }

    /// Several files of this kind may belong to one filing (a new one
    /// does not replace the last): 其他材料, and one icon per APP.
    pub fn many(self) -> bool {
        matches!(self, MaterialKind::Other | MaterialKind::AppIcon)
    }

    pub fn accepts(self, mime: &str) -> bool {
        !self.photo_only() || mime.starts_with("image/")
    }

    /// The file chooser's `accept`.
    pub fn accept_attr(self) -> &'static str {
        if self.photo_only() { "image/jpeg,image/png" } else { "image/jpeg,image/png,application/pdf" }
    }

    /// What the slot takes, in words (its hint, and every upload message).
    pub fn accepted(self) -> super::text::Text {
        if self == MaterialKind::AppIcon {
            super::text::Text::new("PNG 或 JPEG 图片，不超过 100 KB", "a PNG or JPEG picture of at most 100 KB")
        } else if self.photo_only() {
            super::text::Text::new("JPG 或 PNG 图片，不超过 5 MB", "a JPG or PNG picture of at most 5 MB")
        } else {
            super::text::Text::new("JPG、PNG 图片或 PDF 文件，不超过 5 MB", "a JPG or PNG picture or a PDF file of at most 5 MB")
        }
    }

    /// A file over [`MAX_MATERIAL_BYTES`], told before it is sent (in the
    /// browser) and when it arrives (on the server).
    pub fn too_large(self) -> Problem {
        let (label, ok) = (self.field().label, self.accepted());
        Problem::new(
            "material.too_large",
            format!("文件太大。“{}”只接受{}，请压缩后重新上传", label.zh, ok.zh),
            format!("The file is too large: {} takes {}; compress it and upload again", label.en, ok.en),
        )
    }
}

/// Largest upload accepted.
pub const MAX_MATERIAL_BYTES: usize = 5 * 1024 * 1024;
/// Smaller than this is not a readable scan.
pub const MIN_MATERIAL_BYTES: usize = 100;

/// The type of a file from its first bytes, not from its name or what the
/// browser claims: JPEG, PNG or PDF.
pub fn sniff_material(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Check an upload: size, then type. Returns its MIME type.
pub fn check_material(kind: MaterialKind, bytes: &[u8]) -> Result<&'static str, Problem> {
    let (label, ok) = (kind.field().label, kind.accepted());
    if kind == MaterialKind::AppIcon {
        return super::app::check_icon(bytes);
    }
    if bytes.len() > MAX_MATERIAL_BYTES {
        return Err(kind.too_large());
    }
    if bytes.len() < MIN_MATERIAL_BYTES {
        return Err(Problem::new(
            "material.too_small",
            format!("文件为空或已损坏。“{}”只接受{}，请重新选择", label.zh, ok.zh),
            format!("The file is empty or damaged: {} takes {}; choose it again", label.en, ok.en),
        ));
    }
    let Some(mime) = sniff_material(bytes) else {
        return Err(Problem::new(
            "material.type",
            format!("不是可用的文件。“{}”只接受{}", label.zh, ok.zh),
            format!("This file cannot be used: {} takes {}", label.en, ok.en),
        ));
    };
    if !kind.accepts(mime) {
        return Err(Problem::new("material.photo_type", format!("“{}”只接受{}，不接受 PDF", label.zh, ok.zh), format!("{} takes {}, not a PDF", label.en, ok.en)));
    }
    Ok(mime)
}

/// Field names and paths, with their Chinese names from domain.md.
pub mod fields {
    use super::Field;

    pub const UNIT_NAME: Field = Field::new("entity.unit_name", "主办单位名称", "Sponsor name");
    pub const NATURE: Field = Field::new("entity.nature", "主办单位性质", "Sponsor type");
    pub const CERT_TYPE: Field = Field::new("entity.cert_type", "主办单位证件类型", "Sponsor certificate type");
    pub const CERT_NUMBER: Field = Field::new("entity.cert_number", "主办单位证件号码", "Sponsor certificate number");
    pub const CERT_ADDRESS: Field = Field::new("entity.cert_address", "证件住所", "Address on the certificate");
    pub const PROVINCE: Field = Field::new("entity.province", "通信地址（省份）", "Postal address: province");
    pub const ADDRESS: Field = Field::new("entity.address", "通信地址（详细地址）", "Postal address: street");
    pub const INVESTOR: Field = Field::new("entity.investor", "投资者或上级主管单位", "Investor or supervising body");
    pub const ENTITY_REMARK: Field = Field::new("entity.remark", "备注", "Remarks");

    pub const SITE_NAME: Field = Field::new("websites[].name", "网站名称", "Website name");
    pub const DOMAINS: Field = Field::new("websites[].domains", "网站域名", "Domains");
    pub const HOME_URLS: Field = Field::new("websites[].home_urls", "网站首页URL", "Home page URL");
    pub const CONTENT_TYPES: Field = Field::new("websites[].content_types", "网站服务内容", "Service content");
    pub const PRE_APPROVALS: Field = Field::new("websites[].pre_approvals", "前置审批项", "Pre-approval items");
    pub const PRE_APPROVAL_NUMBER: Field = Field::new("websites[].pre_approval_number", "前置审批文号", "Pre-approval number");
    pub const LANGUAGE: Field = Field::new("websites[].language", "网站语言", "Website language");
    pub const SITE_REMARK: Field = Field::new("websites[].remark", "备注", "Remarks");

    pub const PROVIDER_NAME: Field = Field::new("websites[].access.provider_name", "接入服务商", "Access provider");
    pub const METHOD: Field = Field::new("websites[].access.method", "接入方式", "Access method");
    pub const IPS: Field = Field::new("websites[].access.ips", "网站IP地址", "IP addresses");
    pub const SERVER_PROVINCE: Field = Field::new("websites[].access.server_province", "服务器放置地", "Server location");

    pub const WEBSITES: Field = Field::new("websites", "网站信息", "Websites");

    /// An APP's own fields (its name, domains and the rest share the website's paths).
    pub const APP_NAME: Field = Field::new("websites[].name", "APP名称", "APP name");
    pub const APP_DOMAINS: Field = Field::new("websites[].domains", "APP使用的域名", "Domains the APP uses");
    pub const PLATFORMS: Field = Field::new("websites[].platforms", "APP平台", "Platforms");
    pub const APP_ICON: Field = Field::new("websites[].icon", "APP图标", "APP icon");
    pub const KIND: Field = Field::new("websites[].kind", "服务类型", "Kind of service");

    /// The type check before the wizard.
    pub const TYPE_CERT: Field = Field::new("cert_number", "主办单位证件号码", "Sponsor certificate number");
    pub const TYPE_DOMAINS: Field = Field::new("domains", "网站域名", "Domains");

    /// The fields of a 负责人, relative to its prefix (`entity.leader.` or
    /// `websites[].leader.`).
    pub const PERSON: [(&str, &str, &str); 9] = [
        ("name", "姓名", "Name"),
        ("cert_type", "证件类型", "ID type"),
        ("cert_number", "证件号码", "ID number"),
        ("valid_from", "证件有效期起", "ID valid from"),
        ("valid_to", "证件有效期止", "ID valid until"),
        ("mobile", "手机号码", "Mobile"),
        ("phone", "办公电话", "Office phone"),
        ("emergency_phone", "应急联系电话", "Emergency phone"),
        ("email", "电子邮箱", "E-mail"),
    ];
}

/// The path of a field inside the `index`-th website.
pub fn indexed(field: Field, index: usize) -> String {
    field.path.replacen("[]", &format!("[{index}]"), 1)
}

/// Where errors go: a prefix for a 负责人 (`entity.leader` or `websites[0].leader`).
fn person_error(errors: &mut FieldErrors, prefix: &str, leader_zh: &str, leader_en: &str, key: &str, problem: Problem) {
    let (zh, en) = fields::PERSON.iter().find(|(k, _, _)| *k == key).map(|(_, zh, en)| (*zh, *en)).unwrap_or((key, key));
    errors.push(FieldError {
        path: format!("{prefix}.{key}"),
        label: super::Message::new(format!("{leader_zh}{zh}"), format!("{leader_en} {}", en.to_lowercase())),
        code: problem.code.to_string(),
        message: problem.message,
    });
}

fn at(errors: &mut FieldErrors, field: Field, index: Option<usize>, problem: Problem) {
    errors.push(match index {
        Some(i) => problem.at_index(field, i),
        None => problem.at(field),
    });
}

/// A problem with one value of a list, naming the value: "b.con：……".
fn naming(value: &str, mut pr: Problem) -> Problem {
    pr.message.zh = format!("{value}：{}", pr.message.zh);
    pr.message.en = format!("{value}: {}", pr.message.en);
    pr
}

pub(crate) fn parse_id(s: &str) -> Option<u8> {
    s.trim().parse().ok()
}

pub(crate) fn lines(s: &str) -> Vec<&str> {
    s.lines().flat_map(|l| l.split([';', '；', ','])).map(str::trim).filter(|l| !l.is_empty()).collect()
}

fn chars(s: &str) -> usize {
    s.trim().chars().count()
}

fn text_between(s: &str, min: usize, max: usize) -> Result<(), Problem> {
    let n = chars(s);
    if n == 0 {
        Err(required())
    } else if n < min {
        Err(Problem::new("text.short", format!("请至少填写{min}个字"), format!("write at least {min} characters")))
    } else if n > max {
        Err(Problem::new("text.long", format!("最多{max}个字"), format!("at most {max} characters")))
    } else {
        Ok(())
    }
}

/// The same value with formatting removed, for comparing phone numbers.
fn digits(s: &str) -> String {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    d.trim_start_matches("0086").trim_start_matches("086").trim_start_matches("86").to_string()
}

/// Fill in what a person does not type: for 个人 the 主办单位名称 is the
/// 负责人's name, the 负责人's ID is the entity's, and the investor is the
/// person; a 网站负责人 marked "同主体负责人" is a copy. Run before validating
/// and before saving, in the browser and on the server alike.
pub fn normalise(form: &mut FilingForm) {
    fold_texts(form);
    let e = &mut form.entity;
    if parse_id(&e.nature) == Some(NATURE_PERSONAL) {
        e.unit_name = e.leader.name.trim().to_string();
        e.leader.cert_type = e.cert_type.clone();
        e.leader.cert_number = e.cert_number.clone();
        e.investor = e.unit_name.clone();
    }
    let leader = form.entity.leader.clone();
    for w in &mut form.websites {
        if w.same_leader {
            w.leader = leader.clone();
        }
        if w.no_pre_approval {
            w.pre_approvals.clear();
            w.pre_approval_number.clear();
        }
    }
}

/// Every text field folded as its kind wants (full-width letters and
/// digits, lookalikes in codes: see `chars`), and pasted web addresses in
/// the domain fields reduced to the domain: never stored as typed.
fn fold_texts(form: &mut FilingForm) {
    fn fold(key: &str, v: &mut String) {
        if let Some(f) = chars::fold_field(key, v) {
            *v = f;
        }
    }
    fn person(p: &mut PersonForm) {
        let PersonForm { name, cert_number, valid_from, valid_to, mobile, phone, emergency_phone, email, .. } = p;
        for (key, v) in [
            ("leader.name", name),
            ("leader.cert_number", cert_number),
            ("leader.valid_from", valid_from),
            ("leader.valid_to", valid_to),
            ("leader.mobile", mobile),
            ("leader.phone", phone),
            ("leader.emergency_phone", emergency_phone),
            ("leader.email", email),
        ] {
            fold(key, v);
        }
    }
    let EntityForm { unit_name, cert_number, cert_address, address, investor, remark, leader, .. } = &mut form.entity;
    for (key, v) in [("unit_name", unit_name), ("cert_number", cert_number), ("cert_address", cert_address), ("address", address), ("investor", investor), ("remark", remark)] {
        fold(key, v);
    }
    person(leader);
    for w in &mut form.websites {
        let WebsiteForm { name, domains, home_urls, pre_approval_number, remark, leader, access, .. } = w;
        for (key, v) in [("name", name), ("domains", &mut *domains), ("home_urls", home_urls), ("pre_approval_number", pre_approval_number), ("remark", remark), ("access.ips", &mut access.ips)] {
            fold(key, v);
        }
        if let Some(clean) = clean_domain_lines(domains) {
            *domains = clean.text;
        }
        person(leader);
    }
}

/// A domain list with pasted web addresses reduced to their domains
/// (`https://www.example.com/a` → `example.com`), and what was changed, for
/// the notice; `None` when nothing was.
pub struct CleanedDomains {
    pub text: String,
    /// (as typed, as kept)
    pub changed: Vec<(String, String)>,
}

pub fn clean_domain_lines(text: &str) -> Option<CleanedDomains> {
    let folded = chars::fold_code(text);
    let items = lines(&folded);
    let mut changed = Vec::new();
    let kept: Vec<String> = items
        .iter()
        .map(|item| match super::net::clean_pasted_domain(item) {
            Some(clean) => {
                changed.push((item.to_string(), clean.clone()));
                clean
            }
            None => item.to_string(),
        })
        .collect();
    if changed.is_empty() {
        return None;
    }
    Some(CleanedDomains { text: kept.join("\n"), changed })
}

fn check_person(errors: &mut FieldErrors, p: &PersonForm, prefix: &str, who: (&str, &str), unit: bool, today: Option<Date>) {
    let (wz, we) = who;
    let mut err = |key: &str, problem: Problem| person_error(errors, prefix, wz, we, key, problem);
    if let Err(pr) = text_between(&p.name, 2, 30).and_then(|()| chars::PERSON_NAME.check(p.name.trim())) {
        err("name", pr);
    }
    match parse_id(&p.cert_type).and_then(codes::cert_type) {
        None => err("cert_type", Problem::new("cert_type.missing", "请选择证件类型", "choose the ID type")),
        Some(c) if !c.personal => err("cert_type", Problem::new("cert_type.personal", "负责人须使用个人证件", "a responsible person uses a personal ID")),
        Some(c) => {
            if let Err(pr) = check_certificate(c.check, &p.cert_number, today) {
                err("cert_number", pr);
            }
        }
    }
    let from = if p.valid_from.trim().is_empty() {
        err("valid_from", required());
        None
    } else {
        let d = Date::parse_compact(p.valid_from.trim());
        if d.is_none() {
            err("valid_from", date_problem());
        }
        d
    };
    if !p.long_term {
        if p.valid_to.trim().is_empty() {
            err("valid_to", Problem::new("valid_to.missing", "请填写证件有效期截止日期，或选择“长期”", "enter the expiry date, or tick 'no expiry'"));
        } else {
            match Date::parse_compact(p.valid_to.trim()) {
                None => err("valid_to", date_problem()),
                Some(to) => {
                    if from.is_some_and(|f| to <= f) {
                        err("valid_to", Problem::new("valid_to.order", "截止日期应晚于起始日期", "the expiry date must be after the start date"));
                    } else if today.is_some_and(|t| to < t) {
                        err("valid_to", Problem::new("valid_to.expired", "证件已过期，请使用有效证件", "the ID has expired; use a valid one"));
                    }
                }
            }
        }
    }
    let mobile = match parse_mobile(&p.mobile) {
        Ok(m) => Some(m),
        Err(pr) => {
            err("mobile", pr);
            None
        }
    };
    if p.phone.trim().is_empty() {
        if unit {
            err("phone", required());
        }
    } else if let Err(pr) = parse_landline(&p.phone) {
        err("phone", pr);
    }
    if p.emergency_phone.trim().is_empty() {
        err("emergency_phone", required());
    } else if parse_mobile(&p.emergency_phone).is_err() && parse_landline(&p.emergency_phone).is_err() {
        err("emergency_phone", Problem::new("emergency.shape", "请填写手机号码或“区号-号码”形式的固定电话", "enter a mobile number or a landline as area-number"));
    } else if mobile.is_some_and(|m| digits(&p.emergency_phone) == m) {
        err("emergency_phone", Problem::new("emergency.same", "应急联系电话不能与负责人手机号码相同", "the emergency phone must differ from the person's mobile"));
    }
    if let Err(pr) = parse_email(&p.email) {
        err("email", pr);
    }
}

fn date_problem() -> Problem {
    Problem::new("date.shape", "日期请按 YYYYMMDD 填写，例如 20200131", "write the date as YYYYMMDD, e.g. 20200131")
}

/// ① 主体信息.
pub fn check_entity(form: &FilingForm, today: Option<Date>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let e = &form.entity;
    let nature = parse_id(&e.nature).and_then(codes::nature);
    let personal = nature.is_some_and(|n| n.id == NATURE_PERSONAL);
    match nature {
        None => at(&mut errors, fields::NATURE, None, Problem::new("nature.missing", "请选择主办单位性质", "choose the sponsor type")),
        Some(n) => match parse_id(&e.cert_type).and_then(codes::cert_type) {
            None => at(&mut errors, fields::CERT_TYPE, None, Problem::new("cert_type.missing", "请选择证件类型", "choose the certificate type")),
            Some(c) if !n.cert_types.contains(&c.id) => at(
                &mut errors,
                fields::CERT_TYPE,
                None,
                Problem::new(
                    "cert_type.nature",
                    format!("主办单位性质为“{}”时不能使用“{}”", n.name.zh, c.name.zh),
                    format!("a {} cannot file with a {}", n.name.en.to_lowercase(), c.name.en),
                ),
            ),
            Some(c) => {
                if let Err(pr) = check_certificate(c.check, &e.cert_number, today) {
                    at(&mut errors, fields::CERT_NUMBER, None, pr);
                }
            }
        },
    }
    if !personal {
        let name = e.unit_name.trim();
        if let Err(pr) = text_between(name, 2, 100) {
            at(&mut errors, fields::UNIT_NAME, None, pr);
        } else if name.chars().all(|c| c.is_ascii_digit()) || (name.contains('.') && parse_site_domain(name).is_ok()) {
            at(
                &mut errors,
                fields::UNIT_NAME,
                None,
                Problem::new("unit_name.shape", "请填写证件上的单位全称，不能是域名或数字", "enter the full legal name on the certificate, not a domain or a number"),
            );
        } else if let Err(pr) = chars::ORG_NAME.check(name) {
            at(&mut errors, fields::UNIT_NAME, None, pr);
        }
        if let Err(pr) = text_between(&e.investor, 2, 100).and_then(|()| chars::ORG_NAME.check(e.investor.trim())) {
            at(&mut errors, fields::INVESTOR, None, pr);
        }
    }
    if let Err(pr) = text_between(&e.cert_address, 5, 200).and_then(|()| chars::ADDRESS.check(e.cert_address.trim())) {
        at(&mut errors, fields::CERT_ADDRESS, None, pr);
    }
    if parse_id(&e.province).and_then(codes::province_by_code).is_none() {
        at(&mut errors, fields::PROVINCE, None, Problem::new("province.missing", "请选择省份", "choose the province"));
    }
    if let Err(pr) = text_between(&e.address, 5, 200).and_then(|()| chars::ADDRESS.check(e.address.trim())) {
        at(&mut errors, fields::ADDRESS, None, pr);
    }
    let remark = e.remark.trim();
    if personal {
        if chars(remark) < REMARK_MIN_PERSONAL || chars(remark) > REMARK_MAX {
            at(
                &mut errors,
                fields::ENTITY_REMARK,
                None,
                Problem::new(
                    "remark.personal",
                    format!("个人备案请用{REMARK_MIN_PERSONAL}至{REMARK_MAX}字说明网站的具体内容"),
                    format!("a personal filing describes the site's content in {REMARK_MIN_PERSONAL} to {REMARK_MAX} characters"),
                ),
            );
        }
    } else if chars(remark) > REMARK_MAX {
        at(&mut errors, fields::ENTITY_REMARK, None, Problem::new("text.long", format!("最多{REMARK_MAX}个字"), format!("at most {REMARK_MAX} characters")));
    }
    check_person(&mut errors, &e.leader, "entity.leader", ("主体负责人", "Entity leader"), !personal, today);
    errors
}

/// Content types a personal (个人) site may not have: it must be non-commercial.
pub const PERSONAL_FORBIDDEN_CONTENT: [u8; 3] = [5, 6, 13];

/// The domains of every website, parsed, for cross-website checks.
pub(crate) fn parsed_domains(w: &WebsiteForm) -> Vec<DomainName> {
    lines(&w.domains).into_iter().filter_map(|d| parse_site_domain(d).ok()).collect()
}

/// ② 网站信息 (all websites).
pub fn check_websites(form: &FilingForm, today: Option<Date>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let nature = parse_id(&form.entity.nature).unwrap_or(0);
    let personal = nature == NATURE_PERSONAL;
    if form.websites.is_empty() {
        at(&mut errors, fields::WEBSITES, None, Problem::new("websites.none", "请至少添加一个网站", "add at least one website"));
    }
    if form.websites.len() > MAX_WEBSITES {
        at(&mut errors, fields::WEBSITES, None, Problem::new("websites.many", format!("一次最多备案{MAX_WEBSITES}个网站"), format!("at most {MAX_WEBSITES} websites per filing")));
    }
    let mut seen_domains: Vec<(String, usize)> = Vec::new();
    let leader = &form.entity.leader;
    let mut seen_apps: Vec<(super::app::Platform, String, usize)> = Vec::new();
    for (i, w) in form.websites.iter().enumerate() {
        let ix = Some(i);
        if w.is_app() {
            check_app(&mut errors, i, w, &mut seen_apps);
        }
        // 网站名称, with the 前置审批 it holds.
        match if w.is_app() { Ok(w.name.trim().to_string()) } else { check_site_name(&w.name, nature, &w.pre_approvals) } {
            Err(pr) => at(&mut errors, fields::SITE_NAME, ix, pr),
            Ok(name) if !form.entity.unit_name.trim().is_empty() && name == form.entity.unit_name.trim() && !personal => at(
                &mut errors,
                fields::SITE_NAME,
                ix,
                Problem::new("site_name.unit", "网站名称不能与主办单位名称相同，请填写网站的名称", "the website name must not be the sponsor's name"),
            ),
            Ok(_) => {}
        }
        // 网站域名 (an APP's are checked by `check_app`)
        let raw = if w.is_app() { Vec::new() } else { lines(&w.domains) };
        let mut domains = Vec::new();
        if w.is_app() {
        } else if raw.is_empty() {
            at(&mut errors, fields::DOMAINS, ix, required());
        } else if raw.len() > MAX_DOMAINS {
            at(&mut errors, fields::DOMAINS, ix, Problem::new("domains.many", format!("一个网站最多{MAX_DOMAINS}个域名"), format!("at most {MAX_DOMAINS} domains per website")));
        } else {
            for d in raw {
                match parse_site_domain(d) {
                    Err(pr) => {
                        at(&mut errors, fields::DOMAINS, ix, naming(d, pr));
                        break;
                    }
                    Ok(dn) => {
                        if let Some((_, j)) = seen_domains.iter().find(|(a, _)| *a == dn.ascii) {
                            let (zh, en) = if *j == i {
                                (format!("域名 {} 重复填写", dn.unicode), format!("{} is listed twice", dn.unicode))
                            } else {
                                (format!("域名 {} 已在第{}个网站中填写，一个域名只能属于一个网站", dn.unicode, j + 1), format!("{} is already listed under website {}", dn.unicode, j + 1))
                            };
                            at(&mut errors, fields::DOMAINS, ix, Problem::new("domains.duplicate", zh, en));
                            break;
                        }
                        seen_domains.push((dn.ascii.clone(), i));
                        domains.push(dn);
                    }
                }
            }
        }
        // 首页URL: only checked once the domains are right (an APP has none).
        let urls = lines(&w.home_urls);
        if w.is_app() {
        } else if urls.is_empty() {
            at(&mut errors, fields::HOME_URLS, ix, required());
        } else if !domains.is_empty() {
            for u in urls {
                if let Err(pr) = parse_home_url(u, &domains) {
                    at(&mut errors, fields::HOME_URLS, ix, pr);
                    break;
                }
            }
        }
        // 网站服务内容
        if w.content_types.is_empty() {
            at(&mut errors, fields::CONTENT_TYPES, ix, Problem::new("content.none", "请至少选择一项服务内容", "choose at least one kind of content"));
        } else if w.content_types.len() > MAX_CONTENT_TYPES {
            at(&mut errors, fields::CONTENT_TYPES, ix, Problem::new("content.many", format!("最多选择{MAX_CONTENT_TYPES}项"), format!("choose at most {MAX_CONTENT_TYPES}")));
        } else if w.content_types.iter().any(|c| codes::content_type(*c).is_none()) {
            at(&mut errors, fields::CONTENT_TYPES, ix, Problem::new("content.unknown", "服务内容无效，请重新选择", "unknown content type; choose again"));
        } else if personal {
            if let Some(c) = w.content_types.iter().find(|c| PERSONAL_FORBIDDEN_CONTENT.contains(c)).and_then(|c| codes::content_type(*c)) {
                at(
                    &mut errors,
                    fields::CONTENT_TYPES,
                    ix,
                    Problem::new("content.personal", format!("个人网站不能从事经营活动，不能选择“{}”", c.zh), format!("a personal site must be non-commercial: remove \"{}\"", c.en)),
                );
            }
        }
        // 前置审批: chosen explicitly, one way or the other.
        if w.pre_approvals.is_empty() && !w.no_pre_approval {
            at(&mut errors, fields::PRE_APPROVALS, ix, Problem::new("pre_approval.choose", "请选择涉及的前置审批项，或选择“以上都不涉及”", "choose the pre-approval items, or 'none of the above'"));
        } else if w.pre_approvals.iter().any(|a| codes::pre_approval_type(*a).is_none()) {
            at(&mut errors, fields::PRE_APPROVALS, ix, Problem::new("pre_approval.unknown", "前置审批项无效，请重新选择", "unknown pre-approval item; choose again"));
        } else if personal && !w.pre_approvals.is_empty() {
            at(&mut errors, fields::PRE_APPROVALS, ix, Problem::new("pre_approval.personal", "个人网站不能开办需要前置审批的内容", "a personal site cannot offer content that needs pre-approval"));
        } else if !w.pre_approvals.is_empty() {
            if let Err(pr) = text_between(&w.pre_approval_number, 4, 60) {
                at(&mut errors, fields::PRE_APPROVAL_NUMBER, ix, pr);
            }
        }
        if parse_id(&w.language).and_then(|l| codes::LANGUAGES.iter().find(|(id, _)| *id == l)).is_none() {
            at(&mut errors, fields::LANGUAGE, ix, Problem::new("language.missing", "请选择网站语言", "choose the website's language"));
        }
        if chars(&w.remark) > REMARK_MAX {
            at(&mut errors, fields::SITE_REMARK, ix, Problem::new("text.long", format!("最多{REMARK_MAX}个字"), format!("at most {REMARK_MAX} characters")));
        }
        // 网站负责人
        let prefix = format!("websites[{i}].leader");
        if !w.same_leader {
            check_person(&mut errors, &w.leader, &prefix, ("网站负责人", "Website leader"), false, today);
            let different_person = !w.leader.cert_number.trim().eq_ignore_ascii_case(leader.cert_number.trim());
            if different_person {
                if !w.leader.mobile.trim().is_empty() && digits(&w.leader.mobile) == digits(&leader.mobile) {
                    person_error(
                        &mut errors,
                        &prefix,
                        "网站负责人",
                        "Website leader",
                        "mobile",
                        Problem::new("leader.same_mobile", "网站负责人与主体负责人不是同一人时，手机号码不能相同", "when the website leader is a different person, the mobile must differ from the entity leader's"),
                    );
                }
                if !w.leader.email.trim().is_empty() && w.leader.email.trim().eq_ignore_ascii_case(leader.email.trim()) {
                    person_error(
                        &mut errors,
                        &prefix,
                        "网站负责人",
                        "Website leader",
                        "email",
                        Problem::new("leader.same_email", "网站负责人与主体负责人不是同一人时，电子邮箱不能相同", "when the website leader is a different person, the e-mail must differ from the entity leader's"),
                    );
                }
            }
            if !w.leader.emergency_phone.trim().is_empty() && digits(&w.leader.emergency_phone) == digits(&leader.mobile) {
                person_error(
                    &mut errors,
                    &prefix,
                    "网站负责人",
                    "Website leader",
                    "emergency_phone",
                    Problem::new("emergency.leader", "应急联系电话不能与负责人的手机号码重复", "the emergency phone must not repeat a responsible person's mobile"),
                );
            }
        }
    }
    errors
}

/// An APP's own fields: its name, its platforms (each with a package name
/// and a fingerprint or public key, no platform twice, no package twice in
/// the filing) and the domains it uses, which must be valid (whether each
/// is filed, or a website of this filing, is for the server to check: not
/// built yet, issue 14).
fn check_app(errors: &mut FieldErrors, i: usize, w: &WebsiteForm, seen: &mut Vec<(super::app::Platform, String, usize)>) {
    use super::app::{check_app_name, check_fingerprint, check_package, check_public_key, Platform, MAX_PLATFORMS};
    let ix = Some(i);
    if let Err(pr) = check_app_name(&w.name) {
        at(errors, fields::APP_NAME, ix, pr);
    }
    for d in lines(&w.domains).into_iter().take(MAX_DOMAINS + 1) {
        if let Err(pr) = parse_site_domain(d) {
            at(errors, fields::APP_DOMAINS, ix, naming(d, pr));
            break;
        }
    }
    if lines(&w.domains).len() > MAX_DOMAINS {
        at(errors, fields::APP_DOMAINS, ix, Problem::new("domains.many", format!("最多{MAX_DOMAINS}个域名"), format!("at most {MAX_DOMAINS} domains")));
    }
    if w.icon.trim().is_empty() {
        at(errors, fields::APP_ICON, ix, Problem::new("app.icon.missing", "请上传APP图标（PNG或JPEG，不超过100KB）", "upload the APP's icon (PNG or JPEG, at most 100 KB)"));
    }
    if w.platforms.is_empty() {
        at(errors, fields::PLATFORMS, ix, Problem::new("app.platforms.none", "请至少填写一个平台（安卓、iOS、鸿蒙或其他）的包名和签名信息", "add at least one platform (Android, iOS, HarmonyOS or other) with its package and signing key"));
    }
    if w.platforms.len() > MAX_PLATFORMS {
        at(errors, fields::PLATFORMS, ix, Problem::new("app.platforms.many", format!("最多{MAX_PLATFORMS}个平台"), format!("at most {MAX_PLATFORMS} platforms")));
    }
    let mut platforms_here: Vec<Platform> = Vec::new();
    for (j, p) in w.platforms.iter().enumerate().take(MAX_PLATFORMS) {
        let path = |key: &str| format!("websites[{i}].platforms[{j}].{key}");
        let mut push = |key: &str, zh: &str, en: &str, pr: Problem| {
            errors.push(super::error::FieldError { path: path(key), label: super::Message::new(zh, en), code: pr.code.to_string(), message: pr.message });
        };
        let Some(platform) = Platform::from_code(&p.platform) else {
            push("platform", "平台", "Platform", Problem::new("app.platform.missing", "请选择平台", "choose the platform"));
            continue;
        };
        if platforms_here.contains(&platform) {
            push("platform", "平台", "Platform", Problem::new("app.platform.twice", format!("“{}”已填写过，每个平台填写一次", platform.label().zh), format!("{} is listed twice; once per platform", platform.label().en)));
        }
        platforms_here.push(platform);
        let pl = platform.package_label();
        match check_package(platform, &p.package) {
            Err(pr) => push("package", pl.zh, pl.en, pr),
            Ok(pkg) => {
                let key = pkg.to_ascii_lowercase();
                if let Some((_, _, k)) = seen.iter().find(|(q, s, _)| *q == platform && *s == key) {
                    push("package", pl.zh, pl.en, Problem::new("app.package.twice", format!("该包名已在第{}项服务中填写", k + 1), format!("this package is already in service {}", k + 1)));
                } else {
                    seen.push((platform, key, i));
                }
            }
        }
        let (fp, pk) = (p.fingerprint.trim(), p.public_key.trim());
        if fp.is_empty() && pk.is_empty() {
            push("fingerprint", "签名证书指纹", "Certificate fingerprint", Problem::new("app.key.none", "请填写签名证书的指纹（安卓 MD5、iOS SHA-1）或公钥", "enter the signing certificate's fingerprint (Android MD5, iOS SHA-1) or its public key"));
        }
        if !fp.is_empty() {
            if let Err(pr) = check_fingerprint(platform, fp) {
                push("fingerprint", "签名证书指纹", "Certificate fingerprint", pr);
            }
        }
        if !pk.is_empty() {
            if let Err(pr) = check_public_key(pk) {
                push("public_key", "公钥", "Public key", pr);
            }
        }
    }
}

/// ③ 接入信息 of every website.
pub fn check_access(form: &FilingForm) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (i, w) in form.websites.iter().enumerate() {
        let ix = Some(i);
        let a = &w.access;
        if let Err(pr) = text_between(&a.provider_name, 2, 100) {
            at(&mut errors, fields::PROVIDER_NAME, ix, pr);
        }
        if parse_id(&a.method).and_then(codes::access_method).is_none() {
            at(&mut errors, fields::METHOD, ix, Problem::new("method.missing", "请选择接入方式", "choose the access method"));
        }
        let ips = lines(&a.ips);
        if ips.is_empty() {
            at(&mut errors, fields::IPS, ix, required());
        } else if ips.len() > MAX_IPS {
            at(&mut errors, fields::IPS, ix, Problem::new("ips.many", format!("最多{MAX_IPS}个IP地址"), format!("at most {MAX_IPS} IP addresses")));
        } else {
            let mut seen = Vec::new();
            for ip in ips {
                match parse_public_ip(ip) {
                    Err(pr) => {
                        at(&mut errors, fields::IPS, ix, naming(ip, pr));
                        break;
                    }
                    Ok(addr) if seen.contains(&addr) => {
                        at(&mut errors, fields::IPS, ix, Problem::new("ips.duplicate", format!("IP地址 {addr} 重复填写"), format!("{addr} is listed twice")));
                        break;
                    }
                    Ok(addr) => seen.push(addr),
                }
            }
        }
        if parse_id(&a.server_province).and_then(codes::province_by_code).is_none() {
            at(&mut errors, fields::SERVER_PROVINCE, ix, Problem::new("province.missing", "请选择服务器放置地", "choose where the servers are"));
        }
    }
    errors
}

/// The material kinds this filing needs.
pub fn required_materials(form: &FilingForm) -> Vec<MaterialKind> {
    let mut kinds = vec![MaterialKind::EntityCert, MaterialKind::LeaderPhoto];
    if form.websites.iter().any(|w| !w.pre_approvals.is_empty()) {
        kinds.push(MaterialKind::PreApproval);
    }
    kinds
}

/// ④ 材料: every required kind uploaded (`uploaded` lists what is there).
pub fn check_materials(form: &FilingForm, uploaded: &[MaterialKind]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for kind in required_materials(form) {
        if !uploaded.contains(&kind) {
            errors.push(Problem::new("material.missing", "请上传此材料", "upload this document").at(kind.field()));
        }
    }
    errors
}

/// Check steps `1..=step` (a later step relies on the earlier ones).
pub fn check_through(form: &FilingForm, step: u8, uploaded: &[MaterialKind], today: Option<Date>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let mut add = |e: FieldErrors| errors.0.extend(e.0);
    if step >= STEP_ENTITY {
        add(check_entity(form, today));
    }
    if step >= STEP_WEBSITES {
        add(check_websites(form, today));
    }
    if step >= STEP_ACCESS {
        add(check_access(form));
    }
    if step >= STEP_MATERIALS {
        add(check_materials(form, uploaded));
    }
    errors
}

/// Only the errors of one step (what the step's screen shows).
pub fn check_step(form: &FilingForm, step: u8, uploaded: &[MaterialKind], today: Option<Date>) -> FieldErrors {
    match step {
        STEP_ENTITY => check_entity(form, today),
        STEP_WEBSITES => check_websites(form, today),
        STEP_ACCESS => check_access(form),
        STEP_MATERIALS => check_materials(form, uploaded),
        _ => check_through(form, STEP_MATERIALS, uploaded, today),
    }
}

/// The step a field error belongs to.
pub fn step_of(path: &str) -> u8 {
    if path.starts_with("entity.") {
        STEP_ENTITY
    } else if path.starts_with("materials.") {
        STEP_MATERIALS
    } else if path.contains(".access.") {
        STEP_ACCESS
    } else {
        STEP_WEBSITES
    }
}

/// The checked domains of the whole filing (ASCII), in order.
pub fn filing_domains(form: &FilingForm) -> Vec<String> {
    form.websites.iter().filter(|w| !w.is_app()).flat_map(parsed_domains).map(|d| d.ascii).collect()
}

/// A new website with this provider's defaults filled in.
pub fn new_website(provider_name: &str, province: &str) -> WebsiteForm {
    WebsiteForm {
        language: "1".into(),
        same_leader: true,
        access: AccessForm { provider_name: provider_name.to_string(), method: "3".into(), ips: String::new(), server_province: province.to_string() },
        ..WebsiteForm::default()
    }
}

/// The domains typed into the type check (one per line, or separated by
/// commas or spaces), checked and de-duplicated.
pub fn parse_domain_list(input: &str) -> Result<Vec<DomainName>, Problem> {
    let mut out: Vec<DomainName> = Vec::new();
    for d in input.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | ';' | '；')).filter(|d| !d.is_empty()) {
        let dn = parse_site_domain(d).map_err(|pr| naming(d, pr))?;
        if !out.iter().any(|o| o.ascii == dn.ascii) {
            out.push(dn);
        }
    }
    if out.is_empty() {
        return Err(required());
    }
    if out.len() > MAX_DOMAINS {
        return Err(Problem::new("domains.many", format!("一次最多检查{MAX_DOMAINS}个域名"), format!("at most {MAX_DOMAINS} domains at once")));
    }
    Ok(out)
}

/// The two inputs of the type check, each error on its field: the
/// normalised 主办单位证件号码 and the checked domains.
pub fn check_type_inputs(cert: &str, domains: &str, today: Option<Date>) -> Result<(String, Vec<DomainName>, Vec<String>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let cert = errors.check(fields::TYPE_CERT, normalise_cert_number(cert, today));
    // An APP's package name (com.example.app) names the APP; the rest are
    // domains, and a pasted web address counts as its domain, as in the form.
    let (packages, rest) = split_packages(domains);
    if packages.len() > MAX_WEBSITES {
        errors.push(Problem::new("type.packages.many", format!("一次最多备案{MAX_WEBSITES}个网站或APP"), format!("at most {MAX_WEBSITES} websites or APPs at a time")).at(fields::TYPE_DOMAINS));
        return Err(errors);
    }
    let cleaned = clean_domain_lines(&rest);
    let domains = if rest.trim().is_empty() && !packages.is_empty() {
        Some(Vec::new())
    } else {
        errors.check(fields::TYPE_DOMAINS, parse_domain_list(cleaned.as_ref().map_or(rest.as_str(), |c| c.text.as_str())))
    };
    match (cert, domains) {
        (Some(c), Some(d)) => Ok((c, d, packages)),
        _ => Err(errors),
    }
}

/// The package names (lower-case, once each) among the type check's lines,
/// and the other lines.
pub fn split_packages(input: &str) -> (Vec<String>, String) {
    let mut packages: Vec<String> = Vec::new();
    let mut rest = Vec::new();
    for token in input.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | ';' | '；')).filter(|t| !t.is_empty()) {
        // More than a filing can hold is refused by the caller: stop counting.
        if packages.len() > MAX_WEBSITES {
            break;
        }
        match super::lookup::package_query(token) {
            Some(p) if !packages.contains(&p) => packages.push(p),
            Some(_) => {}
            None => rest.push(token),
        }
    }
    (packages, rest.join("\n"))
}

/// The 主办单位证件号码 typed into the type check: any certificate shape we
/// know, normalised the way it is stored (upper case, 15-digit IDs as 18).
pub fn normalise_cert_number(input: &str, today: Option<Date>) -> Result<String, Problem> {
    use super::codes::CertCheck;
    let folded = chars::fold_cert_number(input);
    let s = folded.trim();
    if s.is_empty() {
        return Err(required());
    }
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let looks_like_id = compact.len() == 15 && compact.bytes().all(|b| b.is_ascii_digit())
        || compact.len() == 18 && compact.bytes().take(17).all(|b| b.is_ascii_digit());
    // 18 digits can be either: the answer names the one the number looks
    // like (an ID card starts with a region code; a USCC, e.g. 91…, does not).
    let id_region = compact.get(..2).and_then(|r| r.parse::<u8>().ok()).is_some_and(super::codes::is_resident_id_region);
    let checked = if looks_like_id {
        let (likely, other) = if id_region { (CertCheck::ResidentId, CertCheck::Uscc) } else { (CertCheck::Uscc, CertCheck::ResidentId) };
        check_certificate(likely, &compact, today).or_else(|e| check_certificate(other, &compact, today).map_err(|_| e))
    } else if compact.len() == 18 {
        check_certificate(CertCheck::Uscc, &compact, today)
    } else {
        check_certificate(CertCheck::Generic, &compact, today)
    };
    checked
}

/// Split `websites[3].rest` into (3, "rest").
pub(crate) fn site_path(path: &str) -> Option<(usize, &str)> {
    let rest = path.strip_prefix("websites[")?;
    let (i, rest) = rest.split_once("].")?;
    Some((i.parse().ok()?, rest))
}

/// `platforms[j].key` (after [`site_path`]) → (j, key).
pub(crate) fn platform_path(rest: &str) -> Option<(usize, &str)> {
    let rest = rest.strip_prefix("platforms[")?;
    let (j, key) = rest.split_once("].")?;
    Some((j.parse().ok()?, key))
}

// The paths of the form, written once for both borrows: `text_at` (to set a
// value) and `text_of` (to read one without copying the form). `$m` is
// `mut` or nothing.
macro_rules! person_text {
    ($p:expr, $key:expr $(, $m:tt)?) => {
        match $key {
            "name" => Some(&$($m)? $p.name),
            "cert_type" => Some(&$($m)? $p.cert_type),
            "cert_number" => Some(&$($m)? $p.cert_number),
            "valid_from" => Some(&$($m)? $p.valid_from),
            "valid_to" => Some(&$($m)? $p.valid_to),
            "mobile" => Some(&$($m)? $p.mobile),
            "phone" => Some(&$($m)? $p.phone),
            "emergency_phone" => Some(&$($m)? $p.emergency_phone),
            "email" => Some(&$($m)? $p.email),
            _ => None,
        }
    };
}

macro_rules! text_field {
    ($form:ident, $path:ident $(, $m:tt)?) => {{
        if let Some(rest) = $path.strip_prefix("entity.") {
            if let Some(key) = rest.strip_prefix("leader.") {
                return person_text!($form.entity.leader, key $(, $m)?);
            }
            let e = &$($m)? $form.entity;
            return match rest {
                "unit_name" => Some(&$($m)? e.unit_name),
                "nature" => Some(&$($m)? e.nature),
                "cert_type" => Some(&$($m)? e.cert_type),
                "cert_number" => Some(&$($m)? e.cert_number),
                "cert_address" => Some(&$($m)? e.cert_address),
                "province" => Some(&$($m)? e.province),
                "address" => Some(&$($m)? e.address),
                "investor" => Some(&$($m)? e.investor),
                "remark" => Some(&$($m)? e.remark),
                _ => None,
            };
        }
        let (i, rest) = site_path($path)?;
        if i >= $form.websites.len() {
            return None;
        }
        let w = &$($m)? $form.websites[i];
        if let Some(key) = rest.strip_prefix("leader.") {
            return person_text!(w.leader, key $(, $m)?);
        }
        if let Some((j, key)) = platform_path(rest) {
            if j >= w.platforms.len() {
                return None;
            }
            let p = &$($m)? w.platforms[j];
            return match key {
                "platform" => Some(&$($m)? p.platform),
                "package" => Some(&$($m)? p.package),
                "fingerprint" => Some(&$($m)? p.fingerprint),
                "public_key" => Some(&$($m)? p.public_key),
                _ => None,
            };
        }
        match rest {
            "kind" => Some(&$($m)? w.kind),
            "icon" => Some(&$($m)? w.icon),
            "name" => Some(&$($m)? w.name),
            "domains" => Some(&$($m)? w.domains),
            "home_urls" => Some(&$($m)? w.home_urls),
            "pre_approval_number" => Some(&$($m)? w.pre_approval_number),
            "language" => Some(&$($m)? w.language),
            "remark" => Some(&$($m)? w.remark),
            "access.provider_name" => Some(&$($m)? w.access.provider_name),
            "access.method" => Some(&$($m)? w.access.method),
            "access.ips" => Some(&$($m)? w.access.ips),
            "access.server_province" => Some(&$($m)? w.access.server_province),
            _ => None,
        }
    }};
}

macro_rules! flag_field {
    ($form:ident, $path:ident $(, $m:tt)?) => {{
        if $path == "entity.leader.long_term" {
            return Some(&$($m)? $form.entity.leader.long_term);
        }
        let (i, rest) = site_path($path)?;
        if i >= $form.websites.len() {
            return None;
        }
        let w = &$($m)? $form.websites[i];
        match rest {
            "leader.long_term" => Some(&$($m)? w.leader.long_term),
            "same_leader" => Some(&$($m)? w.same_leader),
            "no_pre_approval" => Some(&$($m)? w.no_pre_approval),
            _ => None,
        }
    }};
}

macro_rules! ids_field {
    ($form:ident, $path:ident $(, $m:tt)?) => {{
        let (i, rest) = site_path($path)?;
        if i >= $form.websites.len() {
            return None;
        }
        let w = &$($m)? $form.websites[i];
        match rest {
            "content_types" => Some(&$($m)? w.content_types),
            "pre_approvals" => Some(&$($m)? w.pre_approvals),
            _ => None,
        }
    }};
}

/// The text value at a field path (`entity.leader.mobile`,
/// `websites[0].access.ips`), for forms that bind inputs by path.
pub fn text_at<'a>(form: &'a mut FilingForm, path: &str) -> Option<&'a mut String> {
    text_field!(form, path, mut)
}

pub fn text_of<'a>(form: &'a FilingForm, path: &str) -> Option<&'a String> {
    text_field!(form, path)
}

/// The yes/no value at a field path (长期, 同主体负责人, 以上都不涉及).
pub fn flag_at<'a>(form: &'a mut FilingForm, path: &str) -> Option<&'a mut bool> {
    flag_field!(form, path, mut)
}

pub fn flag_of<'a>(form: &'a FilingForm, path: &str) -> Option<&'a bool> {
    flag_field!(form, path)
}

/// The chosen ids at a field path (服务内容, 前置审批).
pub fn ids_at<'a>(form: &'a mut FilingForm, path: &str) -> Option<&'a mut Vec<u8>> {
    ids_field!(form, path, mut)
}

pub fn ids_of<'a>(form: &'a FilingForm, path: &str) -> Option<&'a Vec<u8>> {
    ids_field!(form, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Option<Date> {
        Date::new(2026, 11, 22)
    }

    fn person(name: &str, id: &str, mobile: &str, email: &str) -> PersonForm {
        PersonForm {
            name: name.into(),
            cert_type: "1".into(),
            cert_number: id.into(),
            valid_from: "20200101".into(),
            valid_to: String::new(),
            long_term: true,
            mobile: mobile.into(),
            phone: "010-12345678".into(),
            emergency_phone: "13900139000".into(),
            email: email.into(),
        }
    }

    /// A valid enterprise filing with one website.
    pub(crate) fn company() -> FilingForm {
        FilingForm {
            entity: EntityForm {
                unit_name: "北京百度网讯科技有限公司".into(),
                nature: "4".into(),
                cert_type: "12".into(),
                cert_number: "91110108717743469K".into(),
                cert_address: "北京市海淀区上地十街10号".into(),
                province: "11".into(),
                address: "北京市海淀区上地十街10号百度大厦".into(),
                investor: "北京百度网讯科技有限公司".into(),
                leader: person("张三", "11010519491231002X", "13800138000", "zhang@example.com"),
                remark: String::new(),
            },
            websites: vec![WebsiteForm {
                name: "百度搜索服务网".into(),
                domains: "example.com".into(),
                home_urls: "www.example.com".into(),
                content_types: vec![4],
                no_pre_approval: true,
                language: "1".into(),
                same_leader: true,
                access: AccessForm { provider_name: "北京示例云计算有限公司".into(), method: "2".into(), ips: "1.2.3.4".into(), server_province: "11".into() },
                ..WebsiteForm::default()
            }],
        }
    }

    fn paths(e: &FieldErrors) -> Vec<&str> {
        e.0.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn a_uscc_with_a_wrong_check_character_gets_the_uscc_message() {
        let e = normalise_cert_number("911101087177434690", None).unwrap_err();
        assert!(e.code.starts_with("uscc."), "{e:?}");
        assert_eq!(e.message.zh, "号码有误，请与证件逐位核对");
        assert!(!e.message.zh.contains('应'), "never names the character that would pass");
        let e = normalise_cert_number("110105194912310021", None).unwrap_err();
        assert_eq!(e.code, "id.check_digit");
        assert_eq!(normalise_cert_number("91110108717743469K", None).unwrap(), "91110108717743469K");
    }

    #[test]
    fn strange_input_gets_an_answer() {
        // 18 bytes with a multi-byte character at byte 17: was a panic.
        assert!(normalise_cert_number("８.X七丅丄ÉÉ", None).is_err());
        assert!(normalise_cert_number("1101051949123100é", None).is_err());
    }

    #[test]
    fn forms_are_bounded() {
        let mut f = FilingForm::default();
        assert!(bound(&f).is_ok());
        f.entity.remark = "长".repeat(MAX_TEXT_CHARS);
        assert!(bound(&f).is_ok(), "the limit itself is allowed");
        f.entity.remark.push('长');
        assert_eq!(bound(&f).unwrap_err().0[0].path, "entity.remark");
        let mut f = FilingForm::default();
        f.websites = vec![WebsiteForm::default(); MAX_LIST_ITEMS + 1];
        assert_eq!(bound(&f).unwrap_err().0[0].path, "websites");
        let mut f = FilingForm::default();
        f.websites = vec![WebsiteForm { remark: "x".repeat(MAX_TEXT_CHARS), ..Default::default() }; 60];
        assert_eq!(bound(&f).unwrap_err().0[0].path, "form", "the whole is bounded too");
    }

    #[test]
    fn a_valid_company_filing_passes_every_step() {
        let mut f = company();
        normalise(&mut f);
        let errors = check_through(&f, STEP_MATERIALS, &[MaterialKind::EntityCert, MaterialKind::LeaderPhoto], today());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(filing_domains(&f), vec!["example.com"]);
    }

    #[test]
    fn check_digits_are_reported_on_their_fields() {
        let mut f = company();
        f.entity.cert_number = "91110108717743469A".into(); // wrong USCC check char (K)
        f.entity.leader.cert_number = "110105194912310021".into(); // wrong ID check char (X)
        let e = check_entity(&f, today());
        assert_eq!(paths(&e), vec!["entity.cert_number", "entity.leader.cert_number"]);
        assert_eq!(e.get("entity.leader.cert_number").unwrap().label.zh, "主体负责人证件号码");
    }

    #[test]
    fn names_and_addresses_follow_their_kind_s_rule() {
        let mut f = company();
        f.entity.unit_name = "北京星辰😀科技有限公司".into();
        f.entity.address = "Москва, улица Ленина 1号".into();
        f.entity.cert_address = "北京市海淀区上地十街10号".into();
        f.entity.leader.name = "Иван".into();
        let e = check_entity(&f, today());
        assert_eq!(e.get("entity.unit_name").unwrap().code, "org_name.chars");
        assert!(e.get("entity.unit_name").unwrap().message.zh.contains('😀'));
        assert_eq!(e.get("entity.address").unwrap().code, "address.chars");
        assert_eq!(e.get("entity.leader.name").unwrap().code, "person_name.chars");
        assert!(e.get("entity.cert_address").is_none());
        // The website's 负责人 has the same rule.
        let mut f = company();
        f.websites[0].same_leader = false;
        f.websites[0].leader = person("Иван", "11010519491231002X", "13800138001", "ivan@example.com");
        let e = check_websites(&f, today());
        assert_eq!(e.get("websites[0].leader.name").unwrap().code, "person_name.chars");
    }

    #[test]
    fn full_width_and_pasted_addresses_are_never_stored_as_typed() {
        let mut f = company();
        f.entity.cert_number = "９１１１０１０８７１７７４３４６９Ｋ".into();
        f.entity.leader.cert_number = "11010519491231002Ⅹ".into();
        f.entity.leader.mobile = "１３８００１３８０００".into();
        f.entity.unit_name = "北京ＡＢＣ科技有限公司".into();
        f.entity.leader.name = "阿卜杜拉・买买提".into();
        f.websites[0].domains = "https://www.example.com/\nｅｘａｍｐｌｅ．ｎｅｔ".into();
        normalise(&mut f);
        assert_eq!(f.entity.cert_number, "91110108717743469K");
        assert_eq!(f.entity.leader.cert_number, "11010519491231002X");
        assert_eq!(f.entity.leader.mobile, "13800138000");
        assert_eq!(f.entity.unit_name, "北京ABC科技有限公司");
        assert_eq!(f.entity.leader.name, "阿卜杜拉·买买提");
        assert_eq!(f.websites[0].domains, "example.com\nexample.net");
        assert!(check_entity(&f, today()).is_empty(), "{:?}", check_entity(&f, today()));
        assert!(check_websites(&f, today()).get("websites[0].domains").is_none());
        // The type check reads them the same way.
        let (cert, domains, _) = check_type_inputs("９１１１０１０８７１７７４３４６９Ｋ", "https://www.new-site.cn/index.html", None).unwrap();
        // Package names name APPs; an APP alone needs no domain.
        let (_, domains2, packages) = check_type_inputs("91110108717743469K", "com.Example.jizhang\nnew-site.cn", None).unwrap();
        assert_eq!((domains2.len(), packages), (1, vec!["com.example.jizhang".to_string()]));
        assert!(check_type_inputs("91110108717743469K", "com.example.jizhang", None).unwrap().1.is_empty());
        assert!(check_type_inputs("91110108717743469K", "  ", None).is_err());
        assert_eq!(cert, "91110108717743469K");
        assert_eq!(domains[0].ascii, "new-site.cn");
        // What was cleaned is told.
        let c = clean_domain_lines("http://a-site.cn/x\nb-site.cn").unwrap();
        assert_eq!(c.text, "a-site.cn\nb-site.cn");
        assert_eq!(c.changed, vec![("http://a-site.cn/x".to_string(), "a-site.cn".to_string())]);
        assert!(clean_domain_lines("a-site.cn").is_none());
    }

    #[test]
    fn cert_type_must_match_the_nature() {
        let mut f = company();
        f.entity.cert_type = "1".into(); // an enterprise with an ID card
        let e = check_entity(&f, today());
        assert_eq!(e.get("entity.cert_type").unwrap().code, "cert_type.nature");
    }

    #[test]
    fn personal_filings_fill_the_name_and_need_a_remark() {
        let mut f = company();
        f.entity.nature = "5".into();
        f.entity.cert_type = "1".into();
        f.entity.cert_number = "110105491231002".into(); // 15-digit legacy form
        f.entity.unit_name = "ignored".into();
        f.websites[0].name = "张三的读书笔记".into();
        f.websites[0].content_types = vec![3];
        normalise(&mut f);
        assert_eq!(f.entity.unit_name, "张三");
        assert_eq!(f.entity.leader.cert_number, "110105491231002");
        let e = check_entity(&f, today());
        assert_eq!(paths(&e), vec!["entity.remark"]);
        f.entity.remark = "个人读书笔记，记录读过的书和感想，不涉及经营活动和评论功能。".into();
        assert!(check_entity(&f, today()).is_empty());
        // A personal site cannot sell things.
        f.websites[0].content_types = vec![5];
        assert_eq!(check_websites(&f, today()).get("websites[0].content_types").unwrap().code, "content.personal");
    }

    #[test]
    fn different_leaders_need_different_phones_and_emails() {
        let mut f = company();
        f.websites[0].same_leader = false;
        f.websites[0].leader = person("李四", "440524188001010014", "13800138000", "ZHANG@example.com");
        let e = check_websites(&f, today());
        assert_eq!(e.get("websites[0].leader.mobile").unwrap().code, "leader.same_mobile");
        assert_eq!(e.get("websites[0].leader.email").unwrap().code, "leader.same_email");
        // The same person (same ID) may repeat them.
        f.websites[0].leader.cert_number = "11010519491231002X".into();
        assert!(check_websites(&f, today()).get("websites[0].leader.mobile").is_none());
        // The emergency phone never repeats a leader's mobile.
        f.websites[0].leader = person("李四", "440524188001010014", "13700137000", "li@example.com");
        f.websites[0].leader.emergency_phone = "138 0013 8000".into();
        assert_eq!(check_websites(&f, today()).get("websites[0].leader.emergency_phone").unwrap().code, "emergency.leader");
    }

    #[test]
    fn own_emergency_phone_differs_from_own_mobile() {
        let mut f = company();
        f.entity.leader.emergency_phone = "+86 13800138000".into();
        assert_eq!(check_entity(&f, today()).get("entity.leader.emergency_phone").unwrap().code, "emergency.same");
    }

    #[test]
    fn validity_dates() {
        let mut f = company();
        f.entity.leader.long_term = false;
        assert_eq!(check_entity(&f, today()).get("entity.leader.valid_to").unwrap().code, "valid_to.missing");
        f.entity.leader.valid_to = "20191231".into();
        assert_eq!(check_entity(&f, today()).get("entity.leader.valid_to").unwrap().code, "valid_to.order");
        f.entity.leader.valid_from = "20100101".into();
        assert_eq!(check_entity(&f, today()).get("entity.leader.valid_to").unwrap().code, "valid_to.expired");
        f.entity.leader.valid_to = "20300101".into();
        assert!(check_entity(&f, today()).is_empty());
        f.entity.leader.valid_from = "20101301".into();
        assert_eq!(check_entity(&f, today()).get("entity.leader.valid_from").unwrap().code, "date.shape");
    }

    #[test]
    fn domains_are_unique_across_websites_and_urls_belong_to_them() {
        let mut f = company();
        let mut second = f.websites[0].clone();
        second.name = "百度地图服务网".into();
        second.domains = "b.com\nEXAMPLE.com".into();
        second.home_urls = "www.b.com".into();
        f.websites.push(second);
        let e = check_websites(&f, today());
        assert_eq!(e.get("websites[1].domains").unwrap().code, "domains.duplicate");
        f.websites[1].domains = "b.com".into();
        f.websites[1].home_urls = "www.example.com".into();
        assert!(check_websites(&f, today()).get("websites[1].home_urls").is_some());
        f.websites[1].home_urls = "www.b.com/index.html".into();
        assert!(check_websites(&f, today()).is_empty());
        assert_eq!(filing_domains(&f), vec!["example.com", "b.com"]);
    }

    #[test]
    fn pre_approval_must_be_chosen_explicitly() {
        let mut f = company();
        f.websites[0].no_pre_approval = false;
        assert_eq!(check_websites(&f, today()).get("websites[0].pre_approvals").unwrap().code, "pre_approval.choose");
        f.websites[0].pre_approvals = vec![1];
        f.websites[0].name = "百度新闻资讯网".into();
        assert!(check_websites(&f, today()).get("websites[0].pre_approval_number").is_some());
        f.websites[0].pre_approval_number = "京新审字2026第001号".into();
        assert!(check_websites(&f, today()).is_empty(), "{:?}", check_websites(&f, today()));
        assert_eq!(required_materials(&f), vec![MaterialKind::EntityCert, MaterialKind::LeaderPhoto, MaterialKind::PreApproval]);
        assert_eq!(paths(&check_materials(&f, &[MaterialKind::EntityCert, MaterialKind::LeaderPhoto])), vec!["materials.pre_approval"]);
        // Choosing 以上都不涉及 clears the items.
        f.websites[0].no_pre_approval = true;
        normalise(&mut f);
        assert!(f.websites[0].pre_approvals.is_empty());
    }

    #[test]
    fn access_needs_public_ips() {
        let mut f = company();
        f.websites[0].access.ips = "1.2.3.4\n192.168.1.1".into();
        assert_eq!(check_access(&f).get("websites[0].access.ips").unwrap().code, "ip.not_public");
        f.websites[0].access.ips = "1.2.3.4; 1.2.3.4".into();
        assert_eq!(check_access(&f).get("websites[0].access.ips").unwrap().code, "ips.duplicate");
        f.websites[0].access.ips = "1.2.3.4\n2400:3200::1".into();
        f.websites[0].access.method = "9".into();
        assert_eq!(paths(&check_access(&f)), vec!["websites[0].access.method"]);
    }

    #[test]
    fn steps_and_paths() {
        assert_eq!(step_of("entity.leader.mobile"), STEP_ENTITY);
        assert_eq!(step_of("websites[2].name"), STEP_WEBSITES);
        assert_eq!(step_of("websites[0].access.ips"), STEP_ACCESS);
        assert_eq!(step_of("materials.leader_photo"), STEP_MATERIALS);
        assert_eq!(indexed(fields::IPS, 3), "websites[3].access.ips");
        let f = FilingForm::default();
        assert_eq!(check_step(&f, STEP_WEBSITES, &[], today()).get("websites").unwrap().code, "websites.none");
    }

    #[test]
    fn materials_are_sniffed_not_trusted() {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.resize(500, 0);
        assert_eq!(check_material(MaterialKind::LeaderPhoto, &png), Ok("image/png"));
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.resize(500, b' ');
        assert_eq!(check_material(MaterialKind::EntityCert, &pdf), Ok("application/pdf"));
        assert_eq!(check_material(MaterialKind::LeaderPhoto, &pdf).unwrap_err().code, "material.photo_type");
        let mut exe = b"MZ\x90\x00".to_vec();
        exe.resize(500, 0);
        assert_eq!(check_material(MaterialKind::Other, &exe).unwrap_err().code, "material.type");
        // Every upload message names the slot and what it takes.
        let photo = check_material(MaterialKind::LeaderPhoto, &exe).unwrap_err().message.zh;
        assert!(photo.contains("负责人") && photo.contains("JPG 或 PNG"), "{photo}");
        let cert = check_material(MaterialKind::EntityCert, &exe).unwrap_err().message.zh;
        assert!(cert.contains("PDF") && cert.contains("5 MB"), "{cert}");
        assert_eq!(check_material(MaterialKind::Other, &png[..50]).unwrap_err().code, "material.too_small");
        let mut big = png.clone();
        big.resize(MAX_MATERIAL_BYTES + 1, 0);
        assert_eq!(check_material(MaterialKind::Other, &big).unwrap_err().code, "material.too_large");
    }

    #[test]
    fn type_check_inputs() {
        assert_eq!(normalise_cert_number(" 91110108717743469k ", today()), Ok("91110108717743469K".into()));
        assert_eq!(normalise_cert_number("110105491231002", today()), Ok("11010519491231002X".into()));
        assert!(normalise_cert_number("91110108717743469A", today()).is_err());
        let d = parse_domain_list("example.com, b.com\nexample.com").unwrap();
        assert_eq!(d.iter().map(|d| d.ascii.as_str()).collect::<Vec<_>>(), vec!["example.com", "b.com"]);
        assert!(parse_domain_list("www.example.com").is_err());
        assert!(parse_domain_list("  ").is_err());
    }

    #[test]
    fn fields_by_path() {
        let mut f = company();
        *text_at(&mut f, "entity.leader.mobile").unwrap() = "13700137000".into();
        *text_at(&mut f, "websites[0].access.ips").unwrap() = "5.6.7.8".into();
        *flag_at(&mut f, "websites[0].same_leader").unwrap() = false;
        ids_at(&mut f, "websites[0].content_types").unwrap().push(1);
        assert_eq!(f.entity.leader.mobile, "13700137000");
        assert_eq!(f.websites[0].access.ips, "5.6.7.8");
        assert!(!f.websites[0].same_leader);
        assert_eq!(f.websites[0].content_types, vec![4, 1]);
        assert_eq!(text_of(&f, "websites[0].access.ips").map(String::as_str), Some("5.6.7.8"));
        assert_eq!(flag_of(&f, "websites[0].same_leader"), Some(&false));
        assert_eq!(ids_of(&f, "websites[0].content_types"), Some(&vec![4, 1]));
        assert!(text_at(&mut f, "websites[5].name").is_none());
        assert!(text_at(&mut f, "entity.nothing").is_none());
        // Every path validation reports can be edited by path.
        let mut bad = FilingForm { websites: vec![WebsiteForm { same_leader: false, ..WebsiteForm::default() }], ..FilingForm::default() };
        for e in check_through(&bad.clone(), STEP_ACCESS, &[], today()).0 {
            let p = e.path.as_str();
            assert!(p == "websites" || text_at(&mut bad, p).is_some() || ids_at(&mut bad, p).is_some(), "{p}");
        }
    }
}
