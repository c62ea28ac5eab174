//! Validation errors. A rule returns a [`Problem`] (what is wrong and what to
//! do); the form that called it attaches the field, giving a [`FieldError`].

use serde::{Deserialize, Serialize};

use super::text::{Lang, Message, Text};

/// What is wrong with a value, without saying which field it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A stable machine-readable code, e.g. `id.check_digit`.
    pub code: &'static str,
    pub message: Message,
}

impl Problem {
    pub fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Problem { code, message: Message::new(zh, en) }
    }

    /// Attach the field this value was typed into.
    pub fn at(self, field: Field) -> FieldError {
        FieldError {
            path: field.path.to_string(),
            label: field.label.into(),
            code: self.code.to_string(),
            message: self.message,
        }
    }

    /// Attach a field inside a list, e.g. the second website's domain.
    pub fn at_index(self, field: Field, index: usize) -> FieldError {
        let mut e = self.at(field);
        e.path = field.path.replacen("[]", &format!("[{index}]"), 1);
        e
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)
    }
}

/// A form field: where its value lives and what a person calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Dotted path in the form data, `[]` standing for a list index.
    pub path: &'static str,
    pub label: Text,
}

impl Field {
    pub const fn new(path: &'static str, zh: &'static str, en: &'static str) -> Self {
        Field { path, label: Text::new(zh, en) }
    }
}

/// A problem with one field, ready to show beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub path: String,
    pub label: Message,
    pub code: String,
    pub message: Message,
}

impl FieldError {
    /// "主办单位证件号码：……" — the field's name, then what to do.
    pub fn describe(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!("{}：{}", self.label.zh, self.message.zh),
            Lang::En => format!("{}: {}", self.label.en, self.message.en),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.describe(Lang::Zh), self.describe(Lang::En))
    }
}

/// Every field error of one form, collected rather than stopping at the first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        FieldErrors(Vec::new())
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// Run one rule and keep its error, if any; returns the value when valid.
    pub fn check<T>(&mut self, field: Field, result: Result<T, Problem>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(p.at(field));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, path: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.path == path)
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// The problem for a required field left empty.
pub fn required() -> Problem {
    Problem::new("required", "必填，请填写", "is required; please fill it in")
}

/// Trim a value and fail with [`required`] when nothing is left.
pub fn non_empty(value: &str) -> Result<&str, Problem> {
    let v = value.trim();
    if v.is_empty() { Err(required()) } else { Ok(v) }
}
