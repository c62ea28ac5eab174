//! 网站名称 rules (domain.md §2.6).

use super::codes::{may_use_national_words, PRE_APPROVAL_TYPES, PROVINCES, NATURE_PERSONAL};
use super::error::Problem;

/// Words only national-level bodies may use.
pub const NATIONAL_WORDS: [&str; 7] = ["中国", "中华", "中央", "国家", "人民", "人大", "全国"];
/// Words nobody may use.
pub const FORBIDDEN_WORDS: [&str; 6] = ["反腐", "纪检", "监察", "信访", "维权", "投诉"];
/// Words a 个人 (individual) website may not use.
pub const PERSONAL_BANNED_WORDS: [&str; 20] = [
    "博客", "论坛", "社区", "在线", "交流", "导航", "工作室", "平台", "热线", "社团", "网络", "网站", "网址", "主页", "资讯",
    "作品展示", "爱好者", "个人空间", "企业", "公司",
];

pub const MAX_SITE_NAME_CHARS: usize = 50;

use super::chars::{is_han, SITE_NAME};

/// Check a website name for an entity of the given nature (主办单位性质 id),
/// with the 前置审批 type ids the website holds.
pub fn check_site_name(input: &str, nature_id: u8, approvals: &[u8]) -> Result<String, Problem> {
    let name = input.trim();
    if name.is_empty() {
        return Err(super::error::required());
    }
    if name.chars().count() > MAX_SITE_NAME_CHARS {
        return Err(Problem::new(
            "site_name.length",
            format!("网站名称不能超过{MAX_SITE_NAME_CHARS}个字"),
            format!("a website name has at most {MAX_SITE_NAME_CHARS} characters"),
        ));
    }
    if name.contains('.') && super::net::parse_lookup_domain(name).is_ok() {
        return Err(Problem::new("site_name.domain", "网站名称不能是域名，请用中文概括网站内容", "a website name cannot be a domain; describe the site in Chinese"));
    }
    if let Some(c) = SITE_NAME.first_bad(name) {
        return Err(Problem::new(
            "site_name.symbols",
            format!("网站名称不能含有特殊符号或空格（“{c}”），只能使用汉字、字母和数字"),
            format!("a website name may use Chinese characters, letters and digits only, not \"{c}\""),
        ));
    }
    if name.chars().filter(|c| is_han(*c)).count() < 3 {
        return Err(Problem::new(
            "site_name.han",
            "网站名称至少要有3个汉字，不能全是数字或字母",
            "a website name needs at least 3 Chinese characters; it cannot be only digits or letters",
        ));
    }
    if let Some(w) = FORBIDDEN_WORDS.iter().find(|w| name.contains(**w)) {
        return Err(Problem::new("site_name.forbidden", format!("网站名称不能使用“{w}”"), format!("a website name may not use \"{w}\"")));
    }
    if !may_use_national_words(nature_id) {
        if let Some(w) = NATIONAL_WORDS.iter().find(|w| name.contains(**w)) {
            return Err(Problem::new(
                "site_name.national",
                format!("非国家级单位的网站名称不能使用“{w}”"),
                format!("only national bodies may use \"{w}\" in a website name"),
            ));
        }
    }
    if nature_id == NATURE_PERSONAL {
        if let Some(w) = PERSONAL_BANNED_WORDS.iter().find(|w| name.contains(**w)) {
            return Err(Problem::new(
                "site_name.personal",
                format!("个人网站名称不能使用“{w}”，也不能含有企业、行业、产品名称或地名；请用能反映网站内容的名称，例如“张三的摄影日记”"),
                format!("a personal website name may not use \"{w}\", nor company, industry, product or place names; use a name that describes the content"),
            ));
        }
        if let Some(p) = PROVINCES.iter().find(|p| name.contains(p.name.zh)) {
            return Err(Problem::new(
                "site_name.place",
                format!("个人网站名称不能含有地名（“{}”）", p.name.zh),
                format!("a personal website name may not contain a place name ({})", p.name.en),
            ));
        }
    }
    for t in PRE_APPROVAL_TYPES.iter().filter(|t| !approvals.contains(&t.id)) {
        if let Some(w) = t.name_words.iter().find(|w| name.contains(**w)) {
            return Err(Problem::new(
                "site_name.pre_approval",
                format!("网站名称含有“{w}”，需要先取得“{}”前置审批并在网站信息中填写", t.name.zh),
                format!("the name contains \"{w}\", which needs the {} pre-approval first; add it to the website", t.name.en),
            ));
        }
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTERPRISE: u8 = 4;
    const GOVERNMENT: u8 = 2;

    #[test]
    fn accepted_names() {
        assert!(check_site_name("小米科技官网", ENTERPRISE, &[]).is_ok());
        assert!(check_site_name("张三的摄影日记", NATURE_PERSONAL, &[]).is_ok());
        assert!(check_site_name("ABC科技公司官网", ENTERPRISE, &[]).is_ok());
        assert!(check_site_name("中国政府网", GOVERNMENT, &[]).is_ok());
        assert!(check_site_name("每日新闻速递", ENTERPRISE, &[1]).is_ok());
    }

    #[test]
    fn refused_names() {
        let code = |name: &str, nature: u8| check_site_name(name, nature, &[]).unwrap_err().code;
        assert_eq!(code("", ENTERPRISE), "required");
        assert_eq!(code("123456", ENTERPRISE), "site_name.han");
        assert_eq!(code("abcdef", ENTERPRISE), "site_name.han");
        assert_eq!(code("小米", ENTERPRISE), "site_name.han");
        assert_eq!(code("Mi小米", ENTERPRISE), "site_name.han");
        assert_eq!(code("example.com", ENTERPRISE), "site_name.domain");
        assert_eq!(code("小米★科技", ENTERPRISE), "site_name.symbols");
        assert_eq!(code("小米 科技", ENTERPRISE), "site_name.symbols");
        assert_eq!(code("反腐倡廉网站", GOVERNMENT), "site_name.forbidden");
        assert_eq!(code("中国科技有限公司官网", ENTERPRISE), "site_name.national");
        assert_eq!(code("全国招聘信息", ENTERPRISE), "site_name.national");
        assert_eq!(code("张三的博客", NATURE_PERSONAL), "site_name.personal");
        assert_eq!(code("李四的技术论坛", NATURE_PERSONAL), "site_name.personal");
        assert_eq!(code("王五的公司主页", NATURE_PERSONAL), "site_name.personal");
        assert_eq!(code("北京美食日记", NATURE_PERSONAL), "site_name.place");
        assert_eq!(code("每日新闻速递", ENTERPRISE), "site_name.pre_approval");
        assert_eq!(code("快乐游戏天地", ENTERPRISE), "site_name.pre_approval");
    }

    #[test]
    fn messages_name_the_word() {
        let p = check_site_name("张三的博客", NATURE_PERSONAL, &[]).unwrap_err();
        assert!(p.message.zh.contains("博客"));
        assert!(p.message.en.contains("博客"));
    }
}
