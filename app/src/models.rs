//! Wire types: what the browser and the JSON API receive. Plain data with
//! string ids and nothing secret; database rows stay on the server.

use serde::{Deserialize, Serialize};

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
