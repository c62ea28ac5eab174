//! 意见反馈 (seed 001 §1.13): a provider's clerk files an opinion or a
//! question to a 管局; the 管局 answers and closes it.

use serde::{Deserialize, Serialize};

use super::error::{Field, FieldErrors, Problem};
use super::text::Text;

pub const MAX_SUBJECT: usize = 50;
pub const MAX_BODY: usize = 2000;

pub mod fields {
    use super::Field;
    pub const PROVINCE: Field = Field::new("province", "提交给（管局）", "To (administration)");
    pub const SUBJECT: Field = Field::new("subject", "主题", "Subject");
    pub const BODY: Field = Field::new("body", "意见内容", "Your opinion");
    pub const ANSWER: Field = Field::new("answer", "答复", "Answer");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    /// Filed, not answered yet: the 管局 acts.
    Open,
    /// Answered: the clerk reads it; the 管局 may add to it or close it.
    Answered,
    /// Closed by the 管局: nothing more happens.
    Closed,
}

impl FeedbackStatus {
    pub fn code(self) -> &'static str {
        match self {
            FeedbackStatus::Open => "open",
            FeedbackStatus::Answered => "answered",
            FeedbackStatus::Closed => "closed",
        }
    }

    pub fn from_code(s: &str) -> Option<FeedbackStatus> {
        [FeedbackStatus::Open, FeedbackStatus::Answered, FeedbackStatus::Closed].into_iter().find(|x| x.code() == s)
    }

    pub fn label(self) -> Text {
        match self {
            FeedbackStatus::Open => Text::new("待答复", "Waiting for an answer"),
            FeedbackStatus::Answered => Text::new("已答复", "Answered"),
            FeedbackStatus::Closed => Text::new("已关闭", "Closed"),
        }
    }

    /// What happens next, and who acts.
    pub fn next(self) -> Text {
        match self {
            FeedbackStatus::Open => Text::new("管局将阅处并答复。", "The administration reads it and answers."),
            FeedbackStatus::Answered => Text::new("请阅读答复；管局确认无需再处理后关闭。", "Read the answer; the administration closes it when nothing more is needed."),
            FeedbackStatus::Closed => Text::new("已办结。", "Done."),
        }
    }
}

fn text(input: &str, max: usize) -> Result<String, Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Err(super::error::required());
    }
    if t.chars().count() > max {
        return Err(Problem::new("text.long", format!("不能超过{max}字"), format!("at most {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(Problem::new("text.chars", "含有不可见的控制字符，请删除", "contains invisible control characters; remove them"));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// A new opinion: to which 管局 (a province code), a subject and the text.
pub fn check_new(province: &str, subject: &str, body: &str) -> Result<(u8, String, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let p = errors.check(
        fields::PROVINCE,
        province.trim().parse::<u8>().ok().and_then(super::codes::province_by_code).map(|p| p.code).ok_or_else(|| Problem::new("feedback.province", "请选择管局", "choose the administration")),
    );
    let s = errors.check(fields::SUBJECT, text(subject, MAX_SUBJECT));
    let b = errors.check(fields::BODY, text(body, MAX_BODY));
    errors.into_result()?;
    Ok((p.unwrap_or_default(), s.unwrap_or_default(), b.unwrap_or_default()))
}

pub fn check_answer(answer: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let a = errors.check(fields::ANSWER, text(answer, MAX_BODY));
    errors.into_result()?;
    Ok(a.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_opinion_needs_an_administration_a_subject_and_text() {
        let (p, s, b) = check_new("11", " 关于核验 ", "第一行\r\n第二行").unwrap();
        assert_eq!((p, s.as_str(), b.as_str()), (11, "关于核验", "第一行\n第二行"));
        let e = check_new("99", "", &"字".repeat(MAX_BODY + 1)).unwrap_err();
        assert_eq!(e.0.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["province", "subject", "body"]);
        assert!(check_new("11", &"题".repeat(MAX_SUBJECT + 1), "x").is_err());
        assert!(check_new("11", "a\u{7}b", "x").is_err());
    }

    #[test]
    fn an_answer_is_text() {
        assert_eq!(check_answer(" 已收到 ").unwrap(), "已收到");
        assert!(check_answer("   ").is_err());
    }

    #[test]
    fn statuses_round_trip_and_say_what_is_next() {
        for s in [FeedbackStatus::Open, FeedbackStatus::Answered, FeedbackStatus::Closed] {
            assert_eq!(FeedbackStatus::from_code(s.code()), Some(s));
            assert!(!s.next().zh.is_empty());
        }
        assert_eq!(FeedbackStatus::from_code("x"), None);
    }
}
