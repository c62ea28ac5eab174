//! APP filings (domain.md §1.2, the MIIT rules in force since 2023-09-01):
//! the fields an APP adds to a service — the platforms it ships on, each
//! with its 包名/Bundle ID and its signing key (公钥, or the certificate's
//! MD5/SHA-1 fingerprint) — and the icon. Pure: the wizard runs these in the
//! browser, the server again.

use serde::{Deserialize, Serialize};

use super::error::Problem;
use super::text::Text;

/// The largest APP icon (domain.md §1.2: ≤100 KB).
pub const MAX_ICON_BYTES: usize = 100 * 1024;
/// The most platforms one APP lists.
pub const MAX_PLATFORMS: usize = 4;
pub const APP_NAME_MIN: usize = 2;
pub const APP_NAME_MAX: usize = 30;

/// Where an APP ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Android,
    Ios,
    Harmony,
    Other,
}

impl Platform {
    pub const ALL: [Platform; 4] = [Platform::Android, Platform::Ios, Platform::Harmony, Platform::Other];

    pub fn code(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Harmony => "harmony",
            Platform::Other => "other",
        }
    }

    pub fn from_code(s: &str) -> Option<Platform> {
        Self::ALL.into_iter().find(|p| p.code() == s.trim())
    }

    pub fn label(self) -> Text {
        match self {
            Platform::Android => Text::new("安卓（Android）", "Android"),
            Platform::Ios => Text::new("苹果（iOS）", "iOS"),
            Platform::Harmony => Text::new("鸿蒙（HarmonyOS）", "HarmonyOS"),
            Platform::Other => Text::new("其他平台", "Other"),
        }
    }

    /// What the package is called on this platform.
    pub fn package_label(self) -> Text {
        match self {
            Platform::Ios => Text::new("Bundle ID", "Bundle ID"),
            Platform::Harmony => Text::new("包名（bundleName）", "Bundle name"),
            _ => Text::new("包名", "Package name"),
        }
    }

    /// The fingerprint MIIT asks for: MD5 of the signing certificate on
    /// Android, SHA-1 on iOS (domain.md §1.2); either elsewhere.
    pub fn fingerprint_lengths(self) -> &'static [usize] {
        match self {
            Platform::Android => &[32],
            Platform::Ios => &[40],
            _ => &[32, 40, 64],
        }
    }
}

/// One platform of an APP as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformForm {
    /// [`Platform::code`], "" until chosen.
    pub platform: String,
    pub package: String,
    /// The signing certificate's fingerprint (hex, colons allowed).
    pub fingerprint: String,
    /// The signing key's public key (PEM, base64 or hex of its DER).
    pub public_key: String,
}

/// A package name: reverse-DNS segments (`com.example.app`). Android and
/// HarmonyOS: each segment starts with a letter and holds letters, digits
/// and `_` (HarmonyOS: 7–128 characters in all); iOS Bundle IDs allow `-`
/// and segments starting with a digit (Apple's rule). Returns it trimmed.
pub fn check_package(platform: Platform, input: &str) -> Result<String, Problem> {
    let p = input.trim();
    if p.is_empty() {
        return Err(super::error::required());
    }
    let shape = || {
        Problem::new(
            "app.package.shape",
            match platform {
                Platform::Ios => "Bundle ID 应为反向域名形式，如 com.example.app：由点分隔的字母、数字和“-”组成，至少两段",
                _ => "包名应为反向域名形式，如 com.example.app：每段以字母开头，由字母、数字和下划线组成，至少两段",
            },
            match platform {
                Platform::Ios => "a Bundle ID is reverse-DNS like com.example.app: letters, digits and '-' in at least two dot-separated parts",
                _ => "a package name is reverse-DNS like com.example.app: at least two dot-separated parts, each starting with a letter, of letters, digits and '_'",
            },
        )
    };
    let max = if platform == Platform::Harmony { 128 } else { 255 };
    let min = if platform == Platform::Harmony { 7 } else { 3 };
    let n = p.chars().count();
    if n > max || n < min {
        return Err(Problem::new("app.package.length", format!("长度应为{min}至{max}个字符"), format!("it must be {min} to {max} characters long")));
    }
    let segments: Vec<&str> = p.split('.').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return Err(shape());
    }
    let ok = segments.iter().all(|s| match platform {
        Platform::Ios => s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        _ => s.starts_with(|c: char| c.is_ascii_alphabetic()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
    });
    if !ok {
        return Err(shape());
    }
    Ok(p.to_string())
}

/// A certificate fingerprint: 32 (MD5), 40 (SHA-1) or 64 (SHA-256) hex
/// digits, as the platform asks, with or without colons or spaces
/// (keytool prints `AB:CD:…`). Returns it as upper-case hex without
/// separators.
pub fn check_fingerprint(platform: Platform, input: &str) -> Result<String, Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Err(super::error::required());
    }
    let hex: String = t.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Problem::new("app.fingerprint.hex", "指纹只能由十六进制字符（0-9、A-F）组成，可用冒号分隔", "a fingerprint is hexadecimal (0-9, A-F), colons allowed"));
    }
    let lengths = platform.fingerprint_lengths();
    if !lengths.contains(&hex.len()) {
        let (zh, en) = match platform {
            Platform::Android => ("安卓应用请填写签名证书的 MD5 指纹（32位十六进制）".to_string(), "for Android, enter the signing certificate's MD5 fingerprint (32 hex digits)".to_string()),
            Platform::Ios => ("iOS 应用请填写签名证书的 SHA-1 指纹（40位十六进制）".to_string(), "for iOS, enter the signing certificate's SHA-1 fingerprint (40 hex digits)".to_string()),
            _ => (
                format!("指纹应为 MD5（32位）、SHA-1（40位）或 SHA-256（64位）十六进制，当前为{}位", hex.len()),
                format!("a fingerprint is MD5 (32), SHA-1 (40) or SHA-256 (64) hex digits, not {}", hex.len()),
            ),
        };
        return Err(Problem::new("app.fingerprint.length", zh, en));
    }
    Ok(hex.to_ascii_uppercase())
}

/// The most characters a public key field may hold (a 4096-bit RSA key in
/// PEM is about 800).
pub const MAX_PUBLIC_KEY_CHARS: usize = 4096;

/// A signing key's public key: PEM (`-----BEGIN PUBLIC KEY-----`, or an
/// RSA PUBLIC KEY or a CERTIFICATE), bare base64, or hex of the DER. Only
/// the shape is checked: a DER SEQUENCE (first byte 0x30) of at least 64
/// bytes — what every RSA or EC key of a real signing certificate is.
/// Returns it with whitespace removed inside the body.
pub fn check_public_key(input: &str) -> Result<String, Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Err(super::error::required());
    }
    if t.chars().count() > MAX_PUBLIC_KEY_CHARS {
        return Err(Problem::new("app.key.long", format!("公钥过长（最多{MAX_PUBLIC_KEY_CHARS}个字符）"), format!("the key is too long (at most {MAX_PUBLIC_KEY_CHARS} characters)")));
    }
    let bad = || Problem::new(
        "app.key.shape",
        "公钥格式不正确：请粘贴 PEM 格式（以“-----BEGIN PUBLIC KEY-----”开头）、Base64 或十六进制的公钥",
        "the public key is not in a known form: paste it as PEM (starting '-----BEGIN PUBLIC KEY-----'), base64 or hex",
    );
    // PEM: the body between the BEGIN and END lines.
    let body: String = if let Some(rest) = t.strip_prefix("-----BEGIN ") {
        let Some((label, rest)) = rest.split_once("-----") else { return Err(bad()) };
        if !matches!(label, "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" | "EC PUBLIC KEY") {
            return Err(bad());
        }
        let end = format!("-----END {label}-----");
        let Some(inner) = rest.trim_end().strip_suffix(end.as_str()) else { return Err(bad()) };
        inner.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        t.chars().filter(|c| !c.is_whitespace()).collect()
    };
    let der_start_and_len = if body.len() % 2 == 0 && body.len() >= 128 && body.chars().all(|c| c.is_ascii_hexdigit()) {
        // Hex of the DER.
        Some((u8::from_str_radix(&body[..2], 16).unwrap_or(0), body.len() / 2))
    } else {
        base64_shape(&body)
    };
    match der_start_and_len {
        Some((0x30, len)) if len >= 64 => Ok(if t.starts_with("-----BEGIN ") { t.to_string() } else { body }),
        _ => Err(bad()),
    }
}

/// The first byte and decoded length of standard base64 (padding allowed),
/// without decoding it all; `None` when it is not base64.
fn base64_shape(s: &str) -> Option<(u8, usize)> {
    fn value(c: u8) -> Option<u8> {
        match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let bytes = s.trim_end_matches('=').as_bytes();
    let pad = s.len() - bytes.len();
    if bytes.len() < 2 || pad > 2 || (pad > 0 && s.len() % 4 != 0) || bytes.len() % 4 == 1 {
        return None;
    }
    if !bytes.iter().all(|c| value(*c).is_some()) {
        return None;
    }
    let first = (value(bytes[0])? << 2) | (value(bytes[1])? >> 4);
    Some((first, bytes.len() * 3 / 4))
}

/// An APP icon: a PNG or JPEG (sniffed from its bytes, never from its
/// name) of at most [`MAX_ICON_BYTES`]. Returns its MIME type.
pub fn check_icon(bytes: &[u8]) -> Result<&'static str, Problem> {
    if bytes.len() > MAX_ICON_BYTES {
        return Err(Problem::new(
            "app.icon.large",
            format!("APP图标不能超过 {} KB，请压缩后重新上传", MAX_ICON_BYTES / 1024),
            format!("the icon must not exceed {} KB; compress it and upload again", MAX_ICON_BYTES / 1024),
        ));
    }
    if bytes.len() < 67 {
        return Err(Problem::new("app.icon.empty", "文件为空或已损坏，请重新选择图标", "the file is empty or damaged; choose the icon again"));
    }
    match super::filing::sniff_material(bytes) {
        Some(m @ ("image/png" | "image/jpeg")) => Ok(m),
        _ => Err(Problem::new("app.icon.type", "APP图标只接受 PNG 或 JPEG 图片", "the icon must be a PNG or JPEG picture")),
    }
}

/// APP名称: 2–30 characters, not a domain, not only digits or symbols.
pub fn check_app_name(input: &str) -> Result<String, Problem> {
    let n = input.trim();
    let count = n.chars().count();
    if count == 0 {
        return Err(super::error::required());
    }
    if count < APP_NAME_MIN || count > APP_NAME_MAX {
        return Err(Problem::new("app.name.length", format!("APP名称应为{APP_NAME_MIN}至{APP_NAME_MAX}个字"), format!("an APP name is {APP_NAME_MIN} to {APP_NAME_MAX} characters")));
    }
    if !n.chars().any(|c| c.is_alphabetic()) || (n.contains('.') && super::net::parse_site_domain(n).is_ok()) {
        return Err(Problem::new("app.name.shape", "请填写APP在应用商店中显示的名称，不能是域名或纯数字、符号", "enter the APP's name as the stores show it, not a domain or only digits and symbols"));
    }
    if n.chars().any(|c| c.is_control()) {
        return Err(Problem::new("app.name.chars", "APP名称不能含有控制字符", "the name must not contain control characters"));
    }
    Ok(n.to_string())
}

/// The platform's own identity of an APP: its package and key, compared
/// case-insensitively (the type check recognises an APP already filed by it).
pub fn identity(p: &PlatformForm) -> Option<(Platform, String, String)> {
    let platform = Platform::from_code(&p.platform)?;
    let package = check_package(platform, &p.package).ok()?.to_ascii_lowercase();
    let key = if p.fingerprint.trim().is_empty() {
        check_public_key(&p.public_key).ok()?.chars().filter(|c| !c.is_whitespace()).collect::<String>()
    } else {
        check_fingerprint(platform, &p.fingerprint).ok()?
    };
    Some((platform, package, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_are_reverse_dns_by_each_platforms_rule() {
        for good in ["com.example.app", "cn.gov.beijing.zwfw", "com.tencent.mm", "a.b_c.d9"] {
            assert_eq!(check_package(Platform::Android, good).unwrap(), good);
        }
        assert_eq!(check_package(Platform::Android, "  com.example.app ").unwrap(), "com.example.app");
        for bad in ["example", "com..app", ".com.app", "com.app.", "com.1app", "com.ex-ample", "com.例子.app", "com/example"] {
            assert!(check_package(Platform::Android, bad).is_err(), "{bad}");
        }
        // iOS allows hyphens and leading digits.
        assert!(check_package(Platform::Ios, "com.ex-ample.App2").is_ok());
        assert!(check_package(Platform::Ios, "com.1password.ios").is_ok());
        assert!(check_package(Platform::Ios, "com.ex_ample").is_err());
        // HarmonyOS: 7 to 128 characters.
        assert!(check_package(Platform::Harmony, "com.a.b").is_ok());
        assert!(check_package(Platform::Harmony, "a.b").is_err());
        assert!(check_package(Platform::Harmony, &format!("com.{}", "a".repeat(130))).is_err());
        assert_eq!(check_package(Platform::Android, "").unwrap_err().code, "required");
    }

    #[test]
    fn fingerprints_are_the_platforms_hash_in_hex() {
        let md5 = "9e:10:7d:9d:37:2b:b6:82:6b:d8:1d:35:42:a4:19:d6";
        assert_eq!(check_fingerprint(Platform::Android, md5).unwrap(), "9E107D9D372BB6826BD81D3542A419D6");
        let sha1 = "2FD4E1C67A2D28FCED849EE1BB76E7391B93EB12";
        assert_eq!(check_fingerprint(Platform::Ios, &sha1.to_lowercase()).unwrap(), sha1);
        assert!(check_fingerprint(Platform::Android, sha1).unwrap_err().message.zh.contains("MD5"));
        assert!(check_fingerprint(Platform::Ios, md5).unwrap_err().message.zh.contains("SHA-1"));
        assert!(check_fingerprint(Platform::Harmony, sha1).is_ok());
        assert!(check_fingerprint(Platform::Other, &"ab".repeat(32)).is_ok());
        assert_eq!(check_fingerprint(Platform::Android, "9E107D9D372BB6826BD81D3542A419DZ").unwrap_err().code, "app.fingerprint.hex");
        assert!(check_fingerprint(Platform::Other, "abc").is_err());
    }

    /// A real 1024-bit RSA SubjectPublicKeyInfo (162 bytes of DER).
    const KEY_B64: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB";

    #[test]
    fn public_keys_are_pem_base64_or_hex_of_a_der_sequence() {
        assert_eq!(check_public_key(KEY_B64).unwrap(), KEY_B64);
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n", &KEY_B64[..64], &KEY_B64[64..]);
        assert!(check_public_key(&pem).is_ok());
        let hex: String = "30819f300d06092a864886f70d010101050003818d00".chars().chain(std::iter::repeat('a').take(300)).collect();
        assert!(check_public_key(&hex).is_ok());
        // Not a DER sequence, too short, mismatched PEM, not base64.
        assert!(check_public_key(&"QUJD".repeat(40)).is_err());
        assert!(check_public_key("MIGfMA0=").is_err());
        assert!(check_public_key(&pem.replace("END PUBLIC KEY", "END CERTIFICATE")).is_err());
        assert!(check_public_key("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----").is_err());
        assert!(check_public_key("这不是公钥").is_err());
        assert!(check_public_key(&"A".repeat(5000)).unwrap_err().code == "app.key.long");
    }

    #[test]
    fn icons_are_small_png_or_jpeg_by_their_bytes() {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.resize(500, 0);
        assert_eq!(check_icon(&png).unwrap(), "image/png");
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0];
        jpg.resize(500, 0);
        assert_eq!(check_icon(&jpg).unwrap(), "image/jpeg");
        let mut big = png.clone();
        big.resize(MAX_ICON_BYTES + 1, 0);
        assert_eq!(check_icon(&big).unwrap_err().code, "app.icon.large");
        let mut pdf = b"%PDF-1.7".to_vec();
        pdf.resize(500, 0);
        assert_eq!(check_icon(&pdf).unwrap_err().code, "app.icon.type");
        assert_eq!(check_icon(&png[..10]).unwrap_err().code, "app.icon.empty");
    }

    #[test]
    fn app_names_are_store_names() {
        assert_eq!(check_app_name(" 示例出行 ").unwrap(), "示例出行");
        assert!(check_app_name("WeChat").is_ok());
        assert!(check_app_name("a").is_err());
        assert!(check_app_name("12345").is_err());
        assert!(check_app_name("example.com").is_err());
        assert!(check_app_name(&"长".repeat(31)).is_err());
        assert!(check_app_name("示例\u{0}出行").is_err());
    }

    fn app_service(platforms: Vec<PlatformForm>) -> super::super::filing::WebsiteForm {
        super::super::filing::WebsiteForm {
            kind: super::super::filing::KIND_APP.into(),
            name: "示例出行".into(),
            domains: "api-example.cn".into(),
            content_types: vec![15],
            no_pre_approval: true,
            language: "1".into(),
            same_leader: true,
            platforms,
            icon: "icon-key".into(),
            ..Default::default()
        }
    }

    fn android(package: &str, fingerprint: &str) -> PlatformForm {
        PlatformForm { platform: "android".into(), package: package.into(), fingerprint: fingerprint.into(), public_key: String::new() }
    }

    #[test]
    fn an_app_in_a_filing_is_checked_by_its_own_rules_and_claims_no_domain() {
        use super::super::filing::{check_websites, filing_domains, FilingForm};
        let fp = "9E107D9D372BB6826BD81D3542A419D6";
        let mut form = FilingForm::default();
        form.entity.nature = "4".into();
        form.websites.push(app_service(vec![android("com.example.app", fp), PlatformForm { platform: "ios".into(), package: "com.example.app".into(), fingerprint: String::new(), public_key: KEY_B64.into() }]));
        let errors = check_websites(&form, None);
        assert!(errors.0.is_empty(), "{:?}", errors.0);
        // An APP claims no domain: it uses them.
        assert!(filing_domains(&form).is_empty());
        // Its icon is required.
        form.websites[0].icon.clear();
        assert!(check_websites(&form, None).0.iter().any(|e| e.path == "websites[0].icon" && e.code == "app.icon.missing"));
        form.websites[0].icon = "icon-key".into();
        // No platform; then a platform twice, a bad package, no key.
        form.websites[0].platforms.clear();
        assert!(check_websites(&form, None).0.iter().any(|e| e.path == "websites[0].platforms" && e.code == "app.platforms.none"));
        form.websites[0].platforms = vec![android("com.example.app", fp), android("example", ""), PlatformForm { platform: "symbian".into(), ..Default::default() }];
        let paths: Vec<(String, String)> = check_websites(&form, None).0.into_iter().map(|e| (e.path, e.code)).collect();
        assert!(paths.contains(&("websites[0].platforms[1].platform".into(), "app.platform.twice".into())), "{paths:?}");
        assert!(paths.contains(&("websites[0].platforms[1].package".into(), "app.package.shape".into())), "{paths:?}");
        assert!(paths.contains(&("websites[0].platforms[1].fingerprint".into(), "app.key.none".into())), "{paths:?}");
        assert!(paths.contains(&("websites[0].platforms[2].platform".into(), "app.platform.missing".into())), "{paths:?}");
        // The same package in two APPs of one filing.
        form.websites = vec![app_service(vec![android("com.example.app", fp)]), app_service(vec![android("COM.example.app", fp)])];
        assert!(check_websites(&form, None).0.iter().any(|e| e.path == "websites[1].platforms[0].package" && e.code == "app.package.twice"));
        // An APP's name by the APP rule, labelled as such.
        form.websites.truncate(1);
        form.websites[0].name = "1".into();
        let e = check_websites(&form, None).0.into_iter().find(|e| e.path == "websites[0].name").unwrap();
        assert_eq!(e.label.zh, "APP名称");
    }

    #[test]
    fn an_app_is_known_by_its_package_and_key_whatever_the_case() {
        let a = PlatformForm { platform: "android".into(), package: "Com.Example.App".into(), fingerprint: "9e107d9d372bb6826bd81d3542a419d6".into(), public_key: String::new() };
        let b = PlatformForm { package: "com.example.app".into(), fingerprint: "9E:10:7D:9D:37:2B:B6:82:6B:D8:1D:35:42:A4:19:D6".into(), ..a.clone() };
        assert_eq!(identity(&a), identity(&b));
        assert!(identity(&a).is_some());
        assert!(identity(&PlatformForm { platform: "symbian".into(), ..a }).is_none());
    }
}
