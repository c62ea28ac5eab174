//! No input panics a rule. Every validator and every form check is given
//! arbitrary strings (any Unicode, any length, mutations of valid values):
//! it must answer, Ok or a Problem with words in both languages.
//!
//! `properties` runs a few thousand cases in every test run; the ignored
//! `fuzz_every_rule` runs as many as `BEIAN_FUZZ_COUNT` says (1 000 000 by
//! default) and prints how many it checked: `scripts/beian.sh fuzz`.

use app::domain::account::{check_contact_name, check_password, check_registration, check_username, mask_contact, Registration};
use app::domain::codes::CertCheck;
use app::domain::contact::{parse_email, parse_landline, parse_mobile};
use app::domain::date::Date;
use app::domain::filing::{self, FilingForm, STEPS};
use app::domain::licence::{parse_entity_licence, parse_service_licence};
use app::domain::lookup::{name_bigrams, parse_lookup};
use app::domain::net::{is_local_path, parse_home_url, parse_lookup_domain, parse_public_ip, parse_site_domain};
use app::domain::org_id::{parse_org_code, parse_uscc};
use app::domain::personal_id::check_certificate;
use app::domain::chars;
use app::domain::review::{apply_edits, changed_fields, check_marks, check_opinion, field_label, review_rows, Edit, Mark};
use app::domain::site_name::check_site_name;
use app::domain::Problem;
use proptest::prelude::*;

fn problem_is_worded<T>(r: Result<T, Problem>) {
    if let Err(p) = r {
        assert!(!p.message.zh.is_empty() && !p.message.en.is_empty(), "{}: a problem without words", p.code);
    }
}

/// Every rule that reads a string, on this one.
pub fn every_rule(s: &str) {
    let today = Date::new(2026, 11, 23);
    problem_is_worded(parse_mobile(s));
    problem_is_worded(parse_landline(s));
    problem_is_worded(parse_email(s));
    let domain = parse_site_domain(s);
    let domains: Vec<_> = domain.iter().cloned().collect();
    problem_is_worded(domain);
    problem_is_worded(parse_lookup_domain(s));
    problem_is_worded(parse_home_url(s, &domains));
    problem_is_worded(parse_public_ip(s));
    let _ = is_local_path(s);
    for check in [
        CertCheck::ResidentId,
        CertCheck::ResidencePermit,
        CertCheck::HkMacauPermit,
        CertCheck::TaiwanPermit,
        CertCheck::Passport,
        CertCheck::ForeignPermanentResident,
        CertCheck::Uscc,
        CertCheck::OrgCode,
        CertCheck::Generic,
    ] {
        problem_is_worded(check_certificate(check, s, today));
    }
    problem_is_worded(parse_uscc(s));
    problem_is_worded(parse_org_code(s));
    problem_is_worded(parse_entity_licence(s));
    problem_is_worded(parse_service_licence(s));
    problem_is_worded(parse_lookup(s));
    let _ = name_bigrams(s);
    problem_is_worded(check_username(s));
    problem_is_worded(check_password(s, s));
    problem_is_worded(check_contact_name(s));
    let _ = mask_contact(s);
    for nature in [1u8, 4, 5, 255] {
        problem_is_worded(check_site_name(s, nature, &[1]));
    }
    problem_is_worded(check_opinion(s));
    let _ = field_label(s);
    let _ = Date::parse_compact(s);
    problem_is_worded(filing::normalise_cert_number(s, today));
    let _ = filing::check_type_inputs(s, s, today);
    problem_is_worded(filing::parse_domain_list(s));
    let _ = filing::step_of(s);
    let _ = check_registration(&Registration {
        username: s.into(),
        password: s.into(),
        password2: s.into(),
        contact_name: s.into(),
        mobile: s.into(),
        email: s.into(),
    });
}

/// The whole filing form with `s` in every text field (and the same string
/// as a mark, an edit and an edit's path): normalised, checked step by
/// step, shown for review, compared and edited.
pub fn every_form_rule(s: &str) {
    let today = Date::new(2026, 11, 23);
    let mut v = serde_json::to_value(FilingForm { websites: vec![Default::default(), Default::default()], ..Default::default() }).unwrap();
    fill(&mut v, s);
    let mut form: FilingForm = serde_json::from_value(v).unwrap();
    let original = form.clone();
    let _ = filing::bound(&form);
    filing::normalise(&mut form);
    // Normalising is idempotent: the browser and the server, each
    // normalising what the other sent, agree.
    let mut again = form.clone();
    filing::normalise(&mut again);
    assert_eq!(again, form, "normalise is not idempotent on {s:?}");
    for step in 0..=STEPS + 1 {
        let _ = filing::check_step(&form, step, &[], today);
    }
    let _ = filing::check_through(&form, STEPS, &[], today);
    let _ = filing::filing_domains(&form);
    let rows = review_rows(&form);
    let _ = changed_fields(&original, &form);
    let mut edited = form.clone();
    let _ = apply_edits(&mut edited, &[Edit { path: s.into(), value: s.into() }]);
    for r in rows.iter().take(40) {
        let mut edited = form.clone();
        let _ = apply_edits(&mut edited, &[Edit { path: r.path.clone(), value: s.into() }]);
    }
    let _ = check_marks(&form, &[Mark { path: s.into(), comment: s.into() }]);
    let _ = app::domain::review::check_draft_marks(&form, &[Mark { path: s.into(), comment: s.into() }]);
    for rule in [chars::ORG_NAME, chars::ADDRESS, chars::PERSON_NAME, chars::SITE_NAME] {
        let _ = rule.check(s);
    }
    let _ = (chars::fold_cert_number(s), chars::fold_person_name(s), chars::max_chars(s), app::domain::net::clean_pasted_domain(s), filing::clean_domain_lines(s));
    let _ = filing::sniff_material(s.as_bytes());
    for kind in [filing::MaterialKind::EntityCert, filing::MaterialKind::Other] {
        let _ = filing::check_material(kind, s.as_bytes());
    }
}

fn fill(v: &mut serde_json::Value, s: &str) {
    match v {
        serde_json::Value::String(x) => *x = s.to_string(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| fill(i, s)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| fill(i, s)),
        _ => {}
    }
}

/// Characters that break naive code: combining marks, RTL and zero-width
/// marks, full-width digits and letters, the IDNA troublemakers, emoji and
/// the characters that matter to the rules (digits, X, dots, hyphens).
const TRICKY: &[char] = &[
    '0', '1', '9', 'X', 'x', '.', '-', '@', '/', '\\', ':', '%', ' ', '\t', '\n', '\r', '\0', '\u{301}', '\u{200B}', '\u{200D}', '\u{202E}', '\u{FEFF}', '０', '９',
    'Ｘ', '。', '．', '－', 'ß', 'ς', 'İ', 'ı', 'é', '北', '京', '号', 'Ⅻ', '𝟘', '🇨', '🇳', '\u{10FFFF}', '\u{E000}', 'ﬀ', '㍿',
];

/// Valid values to mutate, so the fuzz reaches deep into each rule.
const SEEDS: &[&str] = &[
    "11010519491231002X",
    "110105491231002",
    "91110108717743469K",
    "717743469",
    "13800138000",
    "010-12345678",
    "zhang@example.com",
    "www.example.com",
    "例子.中国",
    "xn--fsqu00a.xn--fiqs8s",
    "1.2.4.8",
    "2001:db8::1",
    "京ICP备2026000123号",
    "京ICP备2026000123号-1",
    "京ICP备2026000123号-2A",
    "H1234567890",
    "810000199001011234",
    "北京百度网讯科技有限公司",
    "/filings?id=1",
    "20260101",
];

/// A small, fast, seedable generator (xorshift64*): the fuzz needs volume
/// and repeatability, not cryptographic quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn char(&mut self) -> char {
        match self.below(4) {
            0 => TRICKY[self.below(TRICKY.len() as u64) as usize],
            1 => char::from(b' ' + self.below(95) as u8),
            2 => char::from_u32(0x4E00 + self.below(0x5000) as u32).unwrap_or('中'),
            _ => loop {
                if let Some(c) = char::from_u32(self.below(0x11_0000) as u32) {
                    break c;
                }
            },
        }
    }

    fn input(&mut self) -> String {
        match self.below(3) {
            // A valid value with a few characters changed, inserted or removed.
            0 => {
                let mut chars: Vec<char> = SEEDS[self.below(SEEDS.len() as u64) as usize].chars().collect();
                for _ in 0..=self.below(3) {
                    let at = self.below(chars.len() as u64 + 1) as usize;
                    match self.below(3) {
                        0 if at < chars.len() => chars[at] = self.char(),
                        1 if at < chars.len() => {
                            chars.remove(at);
                        }
                        _ => chars.insert(at, self.char()),
                    }
                }
                chars.into_iter().collect()
            }
            // Random characters, short or long.
            1 => {
                let len = if self.below(50) == 0 { self.below(5000) } else { self.below(40) };
                (0..len).map(|_| self.char()).collect()
            }
            // Valid values glued together.
            _ => (0..=self.below(3)).map(|_| SEEDS[self.below(SEEDS.len() as u64) as usize]).collect::<Vec<_>>().join(["", " ", "\n", "、"][self.below(4) as usize]),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_string_panics_a_rule(s in any::<String>()) {
        every_rule(&s);
    }

    #[test]
    fn no_string_panics_a_form_check(s in "\\PC{0,60}") {
        every_form_rule(&s);
    }

    #[test]
    fn digits_and_unicode_mixed_never_panic(s in "[0-9Xx\u{00e9}\u{4e00}-\u{4e10}\u{0301}\u{ff10}-\u{ff19}.\\-]{0,40}") {
        every_rule(&s);
    }
}

/// The same generator as the fuzz, a few thousand inputs, in every run.
#[test]
fn mutated_valid_values_never_panic() {
    let mut rng = Rng(0x5EED_0001);
    for _ in 0..3000 {
        let s = rng.input();
        every_rule(&s);
    }
    for _ in 0..150 {
        let s = rng.input();
        every_form_rule(&s);
    }
}

/// `scripts/beian.sh fuzz [N]`: N inputs (default 1 000 000) through every
/// rule, one in 50 through every form check too; prints the count and the
/// first input that panicked, if any.
#[test]
#[ignore = "long: run with scripts/beian.sh fuzz"]
fn fuzz_every_rule() {
    let count: u64 = std::env::var("BEIAN_FUZZ_COUNT").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = std::env::var("BEIAN_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5EED_2026);
    let mut rng = Rng(seed | 1);
    std::panic::set_hook(Box::new(|_| {}));
    let started = std::time::Instant::now();
    let (mut forms, mut panics, mut first) = (0u64, 0u64, None);
    for i in 0..count {
        let s = rng.input();
        let deep = i % 50 == 0;
        let result = std::panic::catch_unwind(|| {
            every_rule(&s);
            if deep {
                every_form_rule(&s);
            }
        });
        forms += u64::from(deep);
        if result.is_err() {
            panics += 1;
            first.get_or_insert(s);
        }
        if (i + 1) % 100_000 == 0 {
            println!("{} inputs …", i + 1);
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "fuzz: {count} inputs through every rule ({forms} also through every form check), seed {seed}, {:.1} s, {panics} panics",
        started.elapsed().as_secs_f64()
    );
    assert!(first.is_none(), "{panics} inputs panicked; the first: {:?}", first);
}
