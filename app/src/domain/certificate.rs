//! 电子证书 (seed 001 §1.5.1): the verification code printed on a
//! certificate (and in its QR code), and what the public query says when
//! someone checks one.

use serde::{Deserialize, Serialize};

use super::text::Text;

/// Characters of a code: no 0/O, 1/I/L, which a person copying it from
/// paper could confuse.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Groups of four, four of them: `7KQ3-M9XD-2HPA-W4TN` (80 bits).
pub const GROUPS: usize = 4;

/// A code as typed (any case, spaces or dashes anywhere), in its printed
/// form; none when it is not a code's shape.
pub fn normalise_code(input: &str) -> Option<String> {
    let chars: Vec<char> = input.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() != GROUPS * 4 || !chars.iter().all(|c| c.is_ascii() && ALPHABET.contains(&(*c as u8))) {
        return None;
    }
    Some(chars.chunks(4).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

/// What a certified filing is now, against what its certificate says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Genuine, and the filing is as the certificate shows it.
    Current,
    /// Genuine, but the filing changed since (a website added, changed or
    /// cancelled, the entity changed): a newer certificate shows it.
    Changed,
    /// Genuine, but the entity's filing was cancelled (注销).
    Cancelled,
}

impl Standing {
    pub fn label(self) -> Text {
        match self {
            Standing::Current => Text::new("证书真实有效，内容与当前备案信息一致。", "Genuine and current: it matches the filing as it stands."),
            Standing::Changed => Text::new(
                "证书真实，但签发后备案信息已有变更（新增、变更或注销了网站），请以下方当前备案信息为准。",
                "Genuine, but the filing changed after it was issued (a website was added, changed or cancelled): the filing as it stands is below.",
            ),
            Standing::Cancelled => Text::new("证书真实，但该主体的备案已注销，证书不再有效。", "Genuine, but the entity's filing was cancelled: the certificate is no longer valid."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(normalise_code("7kq3 m9xd-2hpa w4tn").as_deref(), Some("7KQ3-M9XD-2HPA-W4TN"));
        assert_eq!(normalise_code("7KQ3M9XD2HPAW4TN").as_deref(), Some("7KQ3-M9XD-2HPA-W4TN"));
        assert_eq!(normalise_code("7KQ3-M9XD-2HPA-W4T"), None, "too short");
        assert_eq!(normalise_code("0KQ3-M9XD-2HPA-W4TN"), None, "0 is not in the alphabet");
        assert_eq!(normalise_code("７KQ3-M9XD-2HPA-W4TN"), None, "full-width");
        assert_eq!(normalise_code(""), None);
    }

    #[test]
    fn every_standing_says_what_it_means() {
        for s in [Standing::Current, Standing::Changed, Standing::Cancelled] {
            assert!(s.label().zh.contains("证书真实"));
        }
    }
}
