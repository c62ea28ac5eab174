//! The public suffix list: which ending of a domain is a public suffix
//! (`com.cn`, `中国`, `github.io`), so that the registrable domain is the
//! suffix and one more label.
//!
//! The list is `psl.bin`, the compact trie image of the
//! `structured-public-domains` crate (version 0.0.46, Apache-2.0, its
//! `src/psl.bin`: ICANN and private rules, 114 KB, 44 KB brotli). To update
//! it, copy that file from a newer release of the crate; the tests below
//! hold the reader to known answers.
//!
//! Why a reader of our own instead of the crate: the crate compiles the image
//! into the code, so in the browser it sat in the main wasm part that every
//! page downloads, /login included (44 KB of its 273). Here the server
//! embeds the file and the browser fetches it as `/pkg/psl.bin` with the
//! parts that check domains (`app.rs` loads it beside them, before their
//! pages hydrate), so pages that never check a domain never download it.
//! The reader follows the crate's format and lookup rules (its
//! `src/trie.rs`): a node is a header byte (bit 7: a rule ends here,
//! bit 6: the children have an offset index, bit 5: a `*` child exists,
//! bits 0–4: the number of children, 31 meaning a u16 follows), then its
//! children in ascending label order, each a length-prefixed label, then
//! (unindexed nodes only) a LEB128 subtree length, then the child node;
//! an indexed node has a table of u24 offsets of its children instead.

/// The header of the node at `at`: (rule ends here, indexed, has a `*`
/// child, number of children, where its body begins).
fn header(image: &[u8], at: usize) -> Option<(bool, bool, bool, usize, usize)> {
    let byte = *image.get(at)?;
    let (children, body) = if byte & 0x1F == 0x1F {
        let lo = usize::from(*image.get(at + 1)?);
        let hi = usize::from(*image.get(at + 2)?);
        (lo | (hi << 8), at + 3)
    } else {
        (usize::from(byte & 0x1F), at + 1)
    };
    Some((byte & 0x80 != 0, byte & 0x40 != 0, byte & 0x20 != 0, children, body))
}

/// A LEB128 length at `at` (at most five bytes), and the offset after it.
fn varint(image: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for step in 0..5 {
        let byte = *image.get(at + step)?;
        value |= usize::from(byte & 0x7F) << (7 * step);
        if byte & 0x80 == 0 {
            return Some((value, at + step + 1));
        }
    }
    None
}

/// The child of the node at `at` labelled `label`, by where it begins.
fn child(image: &[u8], at: usize, label: &[u8]) -> Option<usize> {
    let (_, indexed, _, children, body) = header(image, at)?;
    // An entry: its label, where its node begins, where the next entry begins.
    let entry = |e: usize, skippable: bool| -> Option<(&[u8], usize, usize)> {
        let len = usize::from(*image.get(e)?);
        let end = e.checked_add(1 + len)?;
        let found = image.get(e + 1..end)?;
        if !skippable {
            return Some((found, end, end));
        }
        let (subtree, node) = varint(image, end)?;
        let next = node.checked_add(subtree)?;
        (next <= image.len()).then_some((found, node, next))
    };
    if indexed {
        let (mut lo, mut hi) = (0, children);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let slot = body.checked_add(mid.checked_mul(3)?)?;
            let b = image.get(slot..slot + 3)?;
            let e = at.checked_add(usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16)?;
            let (found, node, _) = entry(e, false)?;
            match found.cmp(label) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(node),
            }
        }
        return None;
    }
    let mut e = body;
    for _ in 0..children {
        let (found, node, next) = entry(e, true)?;
        match found.cmp(label) {
            std::cmp::Ordering::Less => e = next,
            std::cmp::Ordering::Greater => return None,
            std::cmp::Ordering::Equal => return Some(node),
        }
    }
    None
}

/// The public suffix of a domain given as its labels in lower case, the
/// top-level one first (`["cn", "com", "example"]`): how many labels it
/// has, and whether a rule of the list matched (`false`: only the implicit
/// `*` rule, an unknown top-level domain). `None` for an empty label or a
/// damaged image.
pub fn suffix(image: &[u8], labels: &[&str]) -> Option<(usize, bool)> {
    if labels.is_empty() || labels.iter().any(|l| l.is_empty() || *l == "*" || l.starts_with('!')) {
        return None;
    }
    let (mut node, mut depth_found, mut known) = (0usize, 0usize, false);
    for (depth, label) in labels.iter().enumerate() {
        let (_, _, wildcard, _, _) = header(image, node)?;
        // A `*` rule is recorded before the exact child is tried, so that a
        // deeper label without a rule of its own does not hide it; a `!`
        // rule is an exception to the `*`.
        if wildcard {
            known = true;
            depth_found = if child(image, node, format!("!{label}").as_bytes()).is_some() { depth } else { depth + 1 };
        }
        let Some(next) = child(image, node, label.as_bytes()) else { break };
        if header(image, next)?.0 {
            depth_found = depth + 1;
            known = true;
        }
        node = next;
    }
    Some(if depth_found == 0 { (1, false) } else { (depth_found, known) })
}

/// The list, on the server: compiled in.
#[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
pub fn image() -> Option<&'static [u8]> {
    Some(include_bytes!("psl.bin"))
}

/// Nothing to load on the server.
#[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
pub async fn load() {}

#[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
static IMAGE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// The list, in the browser: once `load` has fetched it. Until then (or if
/// the fetch failed) the browser does not check suffixes; the server
/// always does.
#[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
pub fn image() -> Option<&'static [u8]> {
    IMAGE.get().map(Vec::as_slice)
}

/// Fetch `/pkg/psl.bin` once (brotli on the wire, 44 KB).
#[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
pub async fn load() {
    if IMAGE.get().is_some() {
        return;
    }
    match gloo_net::http::Request::get("/pkg/psl.bin").send().await {
        Ok(r) if r.ok() => match r.binary().await {
            Ok(bytes) if !bytes.is_empty() => {
                let _ = IMAGE.set(bytes);
            }
            _ => leptos::logging::warn!("the public suffix list could not be read; suffixes are checked on saving"),
        },
        _ => leptos::logging::warn!("the public suffix list could not be fetched; suffixes are checked on saving"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(domain: &str) -> Option<(usize, bool)> {
        let labels: Vec<&str> = domain.rsplit('.').collect();
        suffix(image().unwrap(), &labels)
    }

    #[test]
    fn known_suffixes() {
        assert_eq!(of("example.com"), Some((1, true)));
        assert_eq!(of("example.com.cn"), Some((2, true)));
        assert_eq!(of("www.example.com.cn"), Some((2, true)));
        assert_eq!(of("a.b.gov.cn"), Some((2, true)));
        assert_eq!(of("example.co.uk"), Some((2, true)));
        assert_eq!(of("com.cn"), Some((2, true)));
        assert_eq!(of("example.中国"), Some((1, true)));
        assert_eq!(of("example.公司.cn"), Some((2, true)));
        // Private rules: github.io is a suffix of its own.
        assert_eq!(of("someone.github.io"), Some((2, true)));
        assert_eq!(of("example.bj.cn"), Some((2, true)));
    }

    #[test]
    fn wildcards_and_exceptions() {
        // *.ck with !www.ck: www.ck is registrable, anything else under ck is a suffix.
        assert_eq!(of("a.b.ck"), Some((2, true)));
        assert_eq!(of("www.ck"), Some((1, true)));
        // *.kawasaki.jp with !city.kawasaki.jp.
        assert_eq!(of("x.y.kawasaki.jp"), Some((3, true)));
        assert_eq!(of("city.kawasaki.jp"), Some((2, true)));
    }

    /// Our reader and our copy of the image answer as the crate does (a
    /// newer crate with a newer list fails this until psl.bin is copied).
    fn same_as_crate(domain: &str) {
        let ours = of(domain);
        let theirs = structured_public_domains::lookup(domain);
        match (ours, theirs) {
            (None, None) => {}
            (Some((depth, known)), Some(info)) => {
                assert_eq!(known, info.is_known(), "{domain}");
                assert_eq!(depth, info.suffix().split('.').count(), "{domain}");
            }
            (o, t) => panic!("{domain}: ours {o:?}, the crate's {t:?}"),
        }
    }

    #[test]
    fn answers_as_the_crate_does() {
        let pieces = [
            "com", "cn", "net", "org", "gov", "edu", "bj", "sh", "中国", "公司", "网络", "uk", "co", "jp", "kawasaki", "city", "ck", "www",
            "github", "io", "example", "a", "xn--fiqs8s", "blogspot", "appspot", "s3", "amazonaws", "hk", "tw", "mo", "zz", "top", "xyz",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let n = 1 + (seed % 5) as usize;
            let labels: Vec<&str> = (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    pieces[(seed % pieces.len() as u64) as usize]
                })
                .collect();
            same_as_crate(&labels.join("."));
        }
        for d in ["example.com.cn", "中国.中国", "a.b.c.d.e.f.gov.cn", "x.kyoto.jp", "foo.bar.ck", "www.ck", "example"] {
            same_as_crate(d);
        }
    }

    #[test]
    fn unknown_and_malformed() {
        assert_eq!(of("example.notatld"), Some((1, false)));
        assert_eq!(of("example..com"), None);
        assert_eq!(of(""), None);
        assert_eq!(of("*.com"), None);
        assert_eq!(suffix(&[], &["com"]), None);
        assert_eq!(suffix(&[0x1F], &["com"]), None);
        // A damaged image answers, never panics.
        let cut = &image().unwrap()[..1000];
        let _ = suffix(cut, &["cn", "com", "example"]);
    }
}
