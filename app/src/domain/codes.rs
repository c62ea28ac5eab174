//! Code tables, kept as data (domain.md §1, §3): provinces with their GB/T 2260
//! codes and ICP prefixes, 主办单位性质 with the 证件类型 each allows,
//! 前置审批 types, 接入方式 and 网站服务内容.

use super::text::Text;

/// A provincial-level division (省级行政区).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    /// Two-digit GB/T 2260 prefix, e.g. 11 for 北京.
    pub code: u8,
    pub name: Text,
    /// The one-character prefix of ICP filing numbers (蜀, not 川).
    pub icp_prefix: &'static str,
}

const fn p(code: u8, zh: &'static str, en: &'static str, icp_prefix: &'static str) -> Province {
    Province { code, name: Text::new(zh, en), icp_prefix }
}

/// The 31 provinces whose 管局 issue ICP numbers.
pub const PROVINCES: [Province; 31] = [
    p(11, "北京", "Beijing", "京"),
    p(12, "天津", "Tianjin", "津"),
    p(13, "河北", "Hebei", "冀"),
    p(14, "山西", "Shanxi", "晋"),
    p(15, "内蒙古", "Inner Mongolia", "蒙"),
    p(21, "辽宁", "Liaoning", "辽"),
    p(22, "吉林", "Jilin", "吉"),
    p(23, "黑龙江", "Heilongjiang", "黑"),
    p(31, "上海", "Shanghai", "沪"),
    p(32, "江苏", "Jiangsu", "苏"),
    p(33, "浙江", "Zhejiang", "浙"),
    p(34, "安徽", "Anhui", "皖"),
    p(35, "福建", "Fujian", "闽"),
    p(36, "江西", "Jiangxi", "赣"),
    p(37, "山东", "Shandong", "鲁"),
    p(41, "河南", "Henan", "豫"),
    p(42, "湖北", "Hubei", "鄂"),
    p(43, "湖南", "Hunan", "湘"),
    p(44, "广东", "Guangdong", "粤"),
    p(45, "广西", "Guangxi", "桂"),
    p(46, "海南", "Hainan", "琼"),
    p(50, "重庆", "Chongqing", "渝"),
    p(51, "四川", "Sichuan", "蜀"),
    p(52, "贵州", "Guizhou", "黔"),
    p(53, "云南", "Yunnan", "滇"),
    p(54, "西藏", "Tibet", "藏"),
    p(61, "陕西", "Shaanxi", "陕"),
    p(62, "甘肃", "Gansu", "陇"),
    p(63, "青海", "Qinghai", "青"),
    p(64, "宁夏", "Ningxia", "宁"),
    p(65, "新疆", "Xinjiang", "新"),
];

pub fn province_by_code(code: u8) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

pub fn province_by_prefix(prefix: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.icp_prefix == prefix)
}

/// Province of a six-digit GB/T 2260 division code such as 110105.
pub fn province_of_division(division: &str) -> Option<&'static Province> {
    if division.len() != 6 || !division.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    province_by_code(division[0..2].parse().ok()?)
}

/// Address-code prefixes a 居民身份证 may start with: the 31 provinces and 台湾 (71).
pub fn is_resident_id_region(code: u8) -> bool {
    province_by_code(code).is_some() || code == 71
}

/// 证件类型: how a certificate number is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertCheck {
    /// 居民身份证 (GB 11643, 18 digits or the 15-digit legacy form).
    ResidentId,
    /// 港澳台居民居住证: 18 digits, prefix 810000/820000/830000.
    ResidencePermit,
    /// 港澳居民来往内地通行证: H or M and 10 digits.
    HkMacauPermit,
    /// 台湾居民来往大陆通行证: 8 digits.
    TaiwanPermit,
    /// 护照: letters and digits by shape.
    Passport,
    /// 外国人永久居留身份证: 15-character legacy or 18-digit new form.
    ForeignPermanentResident,
    /// 统一社会信用代码 (GB 32100).
    Uscc,
    /// 组织机构代码 (GB 11714).
    OrgCode,
    /// Other certificates: a plausible number, no check digit known.
    Generic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertType {
    pub id: u8,
    pub name: Text,
    pub check: CertCheck,
    /// True for certificates of a person (used for 负责人 fields).
    pub personal: bool,
}

const fn c(id: u8, zh: &'static str, en: &'static str, check: CertCheck, personal: bool) -> CertType {
    CertType { id, name: Text::new(zh, en), check, personal }
}

pub const CERT_TYPES: [CertType; 27] = [
    c(1, "居民身份证", "Resident Identity Card", CertCheck::ResidentId, true),
    c(2, "护照", "Passport", CertCheck::Passport, true),
    c(3, "港澳居民来往内地通行证", "Mainland Travel Permit for HK/Macau Residents", CertCheck::HkMacauPermit, true),
    c(4, "台湾居民来往大陆通行证", "Mainland Travel Permit for Taiwan Residents", CertCheck::TaiwanPermit, true),
    c(5, "外国人永久居留身份证", "Foreign Permanent Resident ID Card", CertCheck::ForeignPermanentResident, true),
    c(6, "港澳台居民居住证", "Residence Permit for HK/Macau/Taiwan Residents", CertCheck::ResidencePermit, true),
    c(10, "统一社会信用代码证书", "Unified Social Credit Code Certificate", CertCheck::Uscc, false),
    c(11, "组织机构代码证", "Organization Code Certificate", CertCheck::OrgCode, false),
    c(12, "营业执照（个人或企业）", "Business Licence (individual or enterprise)", CertCheck::Uscc, false),
    c(13, "外国企业常驻代表机构登记证", "Registration Certificate of Resident Office of Foreign Enterprise", CertCheck::Generic, false),
    c(14, "部队代号", "Military Unit Designation", CertCheck::Generic, false),
    c(15, "军队单位对外有偿服务许可证", "Military Paid External Service Licence", CertCheck::Generic, false),
    c(16, "事业单位法人证书", "Public Institution Legal Person Certificate", CertCheck::Uscc, false),
    c(17, "社会团体法人登记证书", "Social Organization Legal Person Registration Certificate", CertCheck::Uscc, false),
    c(18, "民办非企业单位登记证书", "Private Non-enterprise Unit Registration Certificate", CertCheck::Uscc, false),
    c(19, "社会服务机构登记证书", "Social Service Organization Registration Certificate", CertCheck::Uscc, false),
    c(20, "民办学校办学许可证", "Private School Operating Licence", CertCheck::Generic, false),
    c(21, "基金会法人登记证书", "Foundation Legal Person Registration Certificate", CertCheck::Uscc, false),
    c(22, "律师事务所执业许可证", "Law Firm Practice Licence", CertCheck::Uscc, false),
    c(23, "外国在华文化中心登记证", "Registration Certificate of Foreign Cultural Centre in China", CertCheck::Generic, false),
    c(24, "司法鉴定许可证", "Judicial Expertise Licence", CertCheck::Uscc, false),
    c(25, "宗教活动场所登记证", "Religious Venue Registration Certificate", CertCheck::Uscc, false),
    c(26, "境外机构证件", "Overseas Institution Certificate", CertCheck::Generic, false),
    c(27, "外国政府旅游部门常驻代表机构批准登记证", "Registration of Resident Office of Foreign Government Tourism Department", CertCheck::Generic, false),
    c(28, "医疗机构执业许可证", "Medical Institution Practice Licence", CertCheck::Generic, false),
    c(29, "公证机构执业证", "Notary Institution Practice Certificate", CertCheck::Uscc, false),
    c(30, "基层群众性自治组织特别法人统一社会信用代码证", "Grassroots Mass Autonomous Organization USCC Certificate", CertCheck::Uscc, false),
];

pub fn cert_type(id: u8) -> Option<&'static CertType> {
    CERT_TYPES.iter().find(|c| c.id == id)
}

/// 主办单位性质.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nature {
    pub id: u8,
    pub name: Text,
    /// 证件类型 ids this nature may use, the usual one first.
    pub cert_types: &'static [u8],
}

const fn n(id: u8, zh: &'static str, en: &'static str, cert_types: &'static [u8]) -> Nature {
    Nature { id, name: Text::new(zh, en), cert_types }
}

/// The id of 个人 (individual), which fills fewer fields and has extra name rules.
pub const NATURE_PERSONAL: u8 = 5;

pub const NATURES: [Nature; 16] = [
    n(1, "国防机构", "National defence body", &[14, 15]),
    n(2, "政府机关", "Government agency", &[10, 11]),
    n(3, "事业单位", "Public institution", &[16, 10]),
    n(4, "企业", "Enterprise", &[12, 11, 13]),
    n(5, "个人", "Individual", &[1, 2, 3, 4, 5, 6]),
    n(6, "社会团体", "Social organization", &[17]),
    n(7, "民办非企业单位", "Private non-enterprise unit", &[18, 19, 20]),
    n(8, "基金会", "Foundation", &[21]),
    n(9, "律师执业机构", "Law firm", &[22]),
    n(10, "外国在华文化中心", "Foreign cultural centre in China", &[23]),
    n(11, "群众性团体组织", "Mass organization", &[30, 10]),
    n(12, "司法鉴定机构", "Judicial expertise institution", &[24]),
    n(13, "宗教团体", "Religious organization", &[25]),
    n(14, "境外机构", "Overseas institution", &[26, 27]),
    n(15, "医疗机构", "Medical institution", &[28]),
    n(16, "公证机构", "Notary institution", &[29]),
];

pub fn nature(id: u8) -> Option<&'static Nature> {
    NATURES.iter().find(|n| n.id == id)
}

/// The first two characters of a 统一社会信用代码 (登记管理部门 and 机构类别,
/// GB 32100-2015 appendix A) and the 主办单位性质 they mean, where the
/// meaning is unambiguous: 11 机关, 12 事业单位, 31 律师执业机构, 32 公证处,
/// 34 司法鉴定机构, 51 社会团体, 52 民办非企业单位, 53 基金会, 71 宗教活动场所,
/// 91 企业, 92 个体工商户, 93 农民专业合作社. The rest (编办 "其他", 外交, 文化,
/// 工会, 农业, Y …) are left to the person.
pub const USCC_NATURES: [(&str, u8); 12] = [
    ("11", 2),
    ("12", 3),
    ("31", 9),
    ("32", 16),
    ("34", 12),
    ("51", 6),
    ("52", 7),
    ("53", 8),
    ("71", 13),
    ("91", 4),
    ("92", 4),
    ("93", 4),
];

/// The 主办单位性质 a 统一社会信用代码 says, and the 证件类型 to file it with,
/// when it is unambiguous (the code is checked, not only its shape).
pub fn nature_of_uscc(code: &str) -> Option<(&'static Nature, &'static CertType)> {
    let code = super::org_id::parse_uscc(code).ok()?;
    let id = USCC_NATURES.iter().find(|(p, _)| code.starts_with(p))?.1;
    let n = nature(id)?;
    // The nature's first certificate checked as a USCC.
    let c = n.cert_types.iter().filter_map(|c| cert_type(*c)).find(|c| c.check == CertCheck::Uscc)?;
    Some((n, c))
}

/// Natures allowed to use national words (中国, 国家 …) in website names.
pub fn may_use_national_words(nature_id: u8) -> bool {
    matches!(nature_id, 1..=3)
}

/// 前置审批 (pre-approval) areas; the key word is what a website name may not
/// use without that approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreApprovalType {
    pub id: u8,
    pub name: Text,
    /// Words in a website name that need this approval.
    pub name_words: &'static [&'static str],
}

const fn a(id: u8, zh: &'static str, en: &'static str, name_words: &'static [&'static str]) -> PreApprovalType {
    PreApprovalType { id, name: Text::new(zh, en), name_words }
}

pub const PRE_APPROVAL_TYPES: [PreApprovalType; 12] = [
    a(1, "新闻", "News", &["新闻"]),
    a(2, "出版", "Publishing", &["出版"]),
    a(3, "教育", "Education", &["教育", "学校", "培训"]),
    a(4, "医疗保健", "Healthcare", &["医疗", "医院", "保健"]),
    a(5, "药品和医疗器械", "Drugs and medical devices", &["药品", "医药", "医疗器械"]),
    a(6, "文化", "Culture", &["文化"]),
    a(7, "广播电影电视节目", "Radio, film and TV programmes", &["广播", "电影", "电视", "视频"]),
    a(8, "电子公告", "Bulletin board (BBS)", &["论坛", "社区", "BBS", "bbs"]),
    a(9, "网络预约车", "Online car-hailing", &["约车", "打车"]),
    a(10, "互联网金融", "Internet finance", &["金融", "理财", "贷款", "支付"]),
    a(11, "宗教", "Religion", &["宗教"]),
    a(12, "游戏", "Games", &["游戏"]),
];

/// The provincial department that gives each 前置审批 (what a sponsor is
/// told to contact).
pub fn pre_approval_department(id: u8) -> Option<Text> {
    Some(match id {
        1 => Text::new("网信办（互联网新闻信息服务）", "Cyberspace Administration (online news)"),
        2 | 12 => Text::new("新闻出版局", "Press and Publication Administration"),
        3 => Text::new("教育厅（教委）", "Education Department"),
        4 => Text::new("卫生健康委员会", "Health Commission"),
        5 => Text::new("药品监督管理局", "Medical Products Administration"),
        6 => Text::new("文化和旅游厅", "Culture and Tourism Department"),
        7 => Text::new("广播电视局", "Radio and Television Administration"),
        8 => Text::new("通信管理局", "Communications Administration"),
        9 => Text::new("交通运输厅", "Transport Department"),
        10 => Text::new("地方金融监督管理局", "Local Financial Regulatory Bureau"),
        11 => Text::new("民族宗教事务委员会", "Ethnic and Religious Affairs Commission"),
        _ => return None,
    })
}

pub fn pre_approval_type(id: u8) -> Option<&'static PreApprovalType> {
    PRE_APPROVAL_TYPES.iter().find(|t| t.id == id)
}

/// 接入方式 (legacy MIIT options).
pub const ACCESS_METHODS: [(u8, Text); 4] = [
    (1, Text::new("专线", "Leased line")),
    (2, Text::new("主机托管", "Server colocation")),
    (3, Text::new("虚拟主机", "Virtual hosting")),
    (4, Text::new("其他", "Other")),
];

pub fn access_method(id: u8) -> Option<Text> {
    ACCESS_METHODS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// 网站服务内容.
pub const CONTENT_TYPES: [(u8, Text); 15] = [
    (1, Text::new("综合门户", "General portal")),
    (2, Text::new("单位门户网站", "Organization portal")),
    (3, Text::new("博客/个人空间", "Blog / personal space")),
    (4, Text::new("搜索引擎", "Search engine")),
    (5, Text::new("网上购物", "Online shopping")),
    (6, Text::new("网络广告", "Online advertising")),
    (7, Text::new("即时通信", "Instant messaging")),
    (8, Text::new("电子邮箱", "E-mail")),
    (9, Text::new("网络游戏", "Online games")),
    (10, Text::new("网络视频", "Online video")),
    (11, Text::new("网络音乐", "Online music")),
    (12, Text::new("网络教育", "Online education")),
    (13, Text::new("软件下载", "Software downloads")),
    (14, Text::new("企业展示", "Company showcase")),
    (15, Text::new("其他", "Other")),
];

pub fn content_type(id: u8) -> Option<Text> {
    CONTENT_TYPES.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// 网站语言.
pub const LANGUAGES: [(u8, Text); 6] = [
    (1, Text::new("中文简体", "Simplified Chinese")),
    (2, Text::new("中文繁体", "Traditional Chinese")),
    (3, Text::new("英语", "English")),
    (4, Text::new("少数民族语言", "Minority language")),
    (5, Text::new("日语", "Japanese")),
    (6, Text::new("其他", "Other")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_prefixes() {
        assert_eq!(province_by_code(51).unwrap().icp_prefix, "蜀");
        assert_eq!(province_by_code(52).unwrap().icp_prefix, "黔");
        assert_eq!(province_by_code(53).unwrap().icp_prefix, "滇");
        assert_eq!(province_by_code(62).unwrap().icp_prefix, "陇");
        assert_eq!(province_by_code(11).unwrap().icp_prefix, "京");
        assert!(province_by_prefix("川").is_none());
        assert!(province_by_prefix("贵").is_none());
        assert!(province_by_prefix("云").is_none());
        assert!(province_by_prefix("甘").is_none());
        assert_eq!(province_of_division("110105").unwrap().name.zh, "北京");
    }

    #[test]
    fn tables_are_consistent() {
        // Codes and prefixes are unique.
        for (i, a) in PROVINCES.iter().enumerate() {
            for b in &PROVINCES[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.icp_prefix, b.icp_prefix);
            }
        }
        // Every nature names existing certificate types; 个人 only personal ones,
        // the others never a personal one (an enterprise must not use an ID card).
        for n in NATURES {
            assert!(!n.cert_types.is_empty());
            for id in n.cert_types {
                let c = cert_type(*id).expect("cert type exists");
                assert_eq!(c.personal, n.id == NATURE_PERSONAL, "{} / {}", n.name.zh, c.name.zh);
            }
        }
        assert_eq!(nature(2).unwrap().cert_types, &[10, 11]);
        assert_eq!(nature(NATURE_PERSONAL).unwrap().name.zh, "个人");
    }

    #[test]
    fn a_uscc_says_its_nature_where_unambiguous() {
        let (n, c) = nature_of_uscc("91110108717743469K").unwrap();
        assert_eq!((n.name.zh, c.name.zh), ("企业", "营业执照（个人或企业）"));
        // Every entry names a nature that can file with a USCC certificate.
        for (prefix, id) in USCC_NATURES {
            let n = nature(id).unwrap();
            assert!(n.cert_types.iter().any(|c| cert_type(*c).unwrap().check == CertCheck::Uscc), "{prefix}");
        }
        // A wrong check character, or a code whose category is ambiguous, offers nothing.
        assert!(nature_of_uscc("911101087177434690").is_none());
        let body = "19110108717743469";
        let other = format!("{body}{}", super::super::org_id::uscc_check_char(body).unwrap());
        assert!(super::super::org_id::parse_uscc(&other).is_ok());
        assert!(nature_of_uscc(&other).is_none());
    }
}

/// The code tables as the public 代码表 page shows them (seed 001 §1.10):
/// each row is the code and what it stands for, in both languages, from
/// the very tables the validators use.
pub mod tables {
    use super::super::text::{Message, Text};
    use super::*;

    pub struct Table {
        /// The address's anchor and `t=` value.
        pub key: &'static str,
        pub title: Text,
        pub columns: Vec<Text>,
        pub rows: Vec<Vec<Message>>,
    }

    fn m(t: Text) -> Message {
        Message::new(t.zh, t.en)
    }

    fn plain(s: impl Into<String>) -> Message {
        let s = s.into();
        Message::new(s.clone(), s)
    }

    fn list(items: impl Iterator<Item = Text>) -> Message {
        let items: Vec<Text> = items.collect();
        Message::new(items.iter().map(|t| t.zh).collect::<Vec<_>>().join("、"), items.iter().map(|t| t.en).collect::<Vec<_>>().join("; "))
    }

    const CODE: Text = Text::new("代码", "Code");
    const NAME: Text = Text::new("名称", "Name");

    fn simple(key: &'static str, title: Text, items: &[(u8, Text)]) -> Table {
        Table { key, title, columns: vec![CODE, NAME], rows: items.iter().map(|(c, t)| vec![plain(c.to_string()), m(*t)]).collect() }
    }

    /// Every table, in the order of the page.
    pub fn all() -> Vec<Table> {
        vec![
            Table {
                key: "province",
                title: Text::new("省、自治区、直辖市", "Provinces"),
                columns: vec![CODE, NAME, Text::new("备案号简称", "Number prefix")],
                rows: PROVINCES.iter().map(|p| vec![plain(format!("{:02}", p.code)), m(p.name), plain(format!("{}ICP备", p.icp_prefix))]).collect(),
            },
            Table {
                key: "nature",
                title: Text::new("主办单位性质", "Sponsor types"),
                columns: vec![CODE, NAME, Text::new("可用证件类型", "Certificates it may use")],
                rows: NATURES.iter().map(|n| vec![plain(n.id.to_string()), m(n.name), list(n.cert_types.iter().filter_map(|c| cert_type(*c)).map(|c| c.name))]).collect(),
            },
            Table {
                key: "cert",
                title: Text::new("证件类型", "Certificate types"),
                columns: vec![CODE, NAME, Text::new("适用于", "For")],
                rows: CERT_TYPES
                    .iter()
                    .map(|c| vec![plain(c.id.to_string()), m(c.name), m(if c.personal { Text::new("个人、负责人", "Persons, responsible persons") } else { Text::new("单位", "Organisations") })])
                    .collect(),
            },
            Table {
                key: "pre_approval",
                title: Text::new("前置审批类型", "Prior approval types"),
                columns: vec![CODE, NAME, Text::new("网站名称含这些词时需要", "Needed when a website's name has")],
                rows: PRE_APPROVAL_TYPES.iter().map(|a| vec![plain(a.id.to_string()), m(a.name), plain(a.name_words.join("、"))]).collect(),
            },
            simple("method", Text::new("接入方式", "Access methods"), &ACCESS_METHODS),
            simple("content", Text::new("网站服务内容", "Service content"), &CONTENT_TYPES),
            simple("language", Text::new("网站语言", "Website languages"), &LANGUAGES),
        ]
    }

    /// Fold a search term and a cell the same way: case and width.
    fn fold(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// The tables (all, or the one `key` names) with only the rows in which
    /// some cell, in either language, contains `q`; tables left empty are
    /// dropped. An empty `q` keeps every row.
    pub fn search(key: &str, q: &str) -> Vec<Table> {
        let q = fold(q.trim());
        all()
            .into_iter()
            .filter(|t| key.is_empty() || t.key == key)
            .map(|mut t| {
                if !q.is_empty() {
                    t.rows.retain(|r| r.iter().any(|c| fold(&c.zh).contains(&q) || fold(&c.en).contains(&q)));
                }
                t
            })
            .filter(|t| !t.rows.is_empty())
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_table_has_every_code_of_its_source() {
            let all = all();
            let rows = |k: &str| all.iter().find(|t| t.key == k).unwrap().rows.len();
            assert_eq!(rows("province"), PROVINCES.len());
            assert_eq!(rows("nature"), NATURES.len());
            assert_eq!(rows("cert"), CERT_TYPES.len());
            assert_eq!(rows("pre_approval"), PRE_APPROVAL_TYPES.len());
            assert_eq!(rows("method"), ACCESS_METHODS.len());
            assert_eq!(rows("content"), CONTENT_TYPES.len());
            assert_eq!(rows("language"), LANGUAGES.len());
            assert!(all.iter().all(|t| t.rows.iter().all(|r| r.len() == t.columns.len())));
        }

        #[test]
        fn search_matches_either_language_and_any_width() {
            let found = search("", "蜀");
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].rows[0][1].zh, "四川");
            let found = search("province", "ＳＨＡＮＧ");
            assert_eq!(found[0].rows.iter().map(|r| r[1].zh.as_str()).collect::<Vec<_>>(), ["上海"]);
            assert!(search("", "居民身份证").iter().any(|t| t.key == "cert"));
            assert!(search("", "居民身份证").iter().any(|t| t.key == "nature"), "个人 may use it");
            assert_eq!(search("method", "").len(), 1);
            assert!(search("", "no such thing at all").is_empty());
            assert_eq!(search("", "").len(), 7);
        }
    }
}
