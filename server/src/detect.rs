//! 未备案检测's two ways in: access logs read by `beian detect --log …`
//! (plain or gzip, streamed a line at a time, any size) and batches from
//! the provider's log shippers at `POST /api/v1/detections` (a token an
//! administrator made). Both fill an [`app::ssr::detect::Tally`], which
//! `app::ssr::detect::record` matches and records.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use app::domain::detect::{check_observation, MAX_BATCH};
use app::ssr::detect::{record, Source, Tally};
use app::ssr::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

/// Read buffer per file: large sequential reads.
const BUFFER: usize = 1 << 20;

/// Tally the lines of access logs into `tally`; a `.gz` file (or any file
/// starting with gzip's magic bytes) is decompressed as it is read.
pub fn tally_file(path: &Path, tally: &mut Tally) -> std::io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic)?;
    let head = std::io::Cursor::new(magic[..n].to_vec()).chain(file);
    let reader: Box<dyn Read> = if n == 2 && magic == [0x1f, 0x8b] { Box::new(flate2::read::MultiGzDecoder::new(head)) } else { Box::new(head) };
    tally_reader(BufReader::with_capacity(BUFFER, reader), tally)
}

pub fn tally_reader(mut reader: impl BufRead, tally: &mut Tally) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        // A line longer than 64 KB is garbage: read on to its end, keep its start.
        let n = (&mut reader).take(64 * 1024).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(());
        }
        if line.last() != Some(&b'\n') && n == 64 * 1024 {
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest)?;
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        tally.add_line(&line);
    }
}

/// A time as shippers send it: Unix seconds, or RFC 3339.
#[derive(Deserialize)]
#[serde(untagged)]
enum When {
    Secs(i64),
    Text(String),
}

impl When {
    fn secs(&self) -> Option<i64> {
        match self {
            When::Secs(s) => Some(*s),
            When::Text(t) => app::domain::detect::parse_rfc3339(t),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Observation {
    #[serde(default)]
    server_ip: String,
    #[serde(default)]
    host: String,
    first_seen: Option<When>,
    last_seen: Option<When>,
    #[serde(default = "one")]
    hits: i64,
}

fn one() -> i64 {
    1
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    /// The shipper's name for the batch: sent again under the same name, it
    /// is not counted again (a retry after a lost answer).
    #[serde(default)]
    batch_id: Option<String>,
    observations: Vec<serde_json::Value>,
}

/// What a batch's name may be: 1 to 100 printable characters.
fn batch_id_ok(id: &str) -> bool {
    let n = id.chars().count();
    (1..=100).contains(&n) && !id.chars().any(char::is_control)
}

fn error(status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    let body = serde_json::json!({ "code": status.as_u16(), "error": code, "msg": zh, "msgEn": en });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// `POST /api/v1/detections` with `Authorization: Bearer bk_…` and
/// `{"observations": [{"serverIp", "host", "firstSeen", "lastSeen", "hits"}, …]}`
/// (at most [`MAX_BATCH`]); observations that are not usable are counted
/// and named in the answer, the rest recorded as one detection run.
pub async fn ingest(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let presented = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    let token = match app::ssr::detect::token_of(&state.db, presented).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            let mut r = error(StatusCode::UNAUTHORIZED, "token", "令牌无效或已吊销", "The token is wrong or revoked");
            r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            return r;
        }
        Err(e) => {
            tracing::error!(error = ?e, "checking an ingestion token failed");
            return error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "暂时无法处理，请稍后重试", "Not available now; try again later");
        }
    };
    let batch: Batch = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(_) => return error(StatusCode::BAD_REQUEST, "json", "请求体应为 {\"observations\": [...]} 形式的 JSON", "The body must be JSON: {\"observations\": [...]}"),
    };
    if batch.batch_id.as_deref().is_some_and(|b| !batch_id_ok(b)) {
        return error(StatusCode::BAD_REQUEST, "batchId", "batchId 应为 1 到 100 个可见字符", "batchId must be 1 to 100 printable characters");
    }
    if batch.observations.len() > MAX_BATCH {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch",
            &format!("一批最多 {MAX_BATCH} 条，请分批发送"),
            &format!("At most {MAX_BATCH} observations a batch; send them in parts"),
        );
    }
    let mut tally = Tally::default();
    let mut rejected = Vec::new();
    let mut rejected_count = 0u64;
    for (i, value) in batch.observations.into_iter().enumerate() {
        let checked = serde_json::from_value::<Observation>(value).map_err(|_| app::domain::Text::new("字段类型不对", "a field has the wrong type")).and_then(|o| {
            let (first, last) = (o.first_seen.as_ref().and_then(When::secs).unwrap_or(0), o.last_seen.as_ref().and_then(When::secs).unwrap_or(0));
            check_observation(&o.server_ip, &o.host, first, last, o.hits, app::ssr::application::now_secs()).map(|()| (o, first, last))
        });
        match checked {
            Ok((o, first, last)) => tally.add_observation(&o.host, &o.server_ip, first, last, o.hits as u64),
            Err(why) => {
                rejected_count += 1;
                if rejected.len() < 20 {
                    rejected.push(serde_json::json!({ "index": i, "msg": why.zh, "msgEn": why.en }));
                }
            }
        }
    }
    match record(&state.db, &state.settings.provider_name, Source::Api { token: token.0, name: token.1, batch: batch.batch_id }, tally, None).await {
        Ok(report) => {
            let mut body = serde_json::to_value(&report).unwrap_or_default();
            body["rejected"] = serde_json::json!(rejected_count);
            body["rejectedSamples"] = serde_json::Value::Array(rejected);
            (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
        }
        Err(e) => {
            tracing::error!(error = ?e, "recording a shipper's batch failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "暂时无法记录，请稍后重试", "Could not record it now; try again later")
        }
    }
}

/// Write a sample access log of about `bytes` bytes for the benchmark, in
/// nginx's format with the host: IPv4 and IPv6 clients, `hosts` distinct
/// host names over `hosts / 3` domains, one line in 500 garbage and one in
/// 50 a 404.
pub fn write_sample_log(path: &Path, bytes: u64, hosts: usize, seed: u64) -> std::io::Result<u64> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(BUFFER, std::fs::File::create(path)?);
    let mut x = seed.max(1);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (mut written, mut lines) = (0u64, 0u64);
    let agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "curl/8.5.0"];
    let paths = ["/", "/index.html", "/static/app.js?v=3", "/api/items?page=2&size=20", "/images/logo.png"];
    let domains = (hosts / 3).max(1);
    while written < bytes {
        let r = next();
        let d = (r % domains as u64) as usize;
        let sub = ["www.", "", "m."][(r >> 20) as usize % 3];
        let host = format!("{sub}site{d}-{}.cn", d % 7);
        let client = if r % 11 == 0 { format!("2001:db8::{:x}", r % 65_535) } else { format!("{}.{}.{}.{}", 1 + r % 223, (r >> 8) % 256, (r >> 16) % 256, 1 + (r >> 24) % 254) };
        let (h, m, s) = ((r >> 30) % 24, (r >> 35) % 60, (r >> 41) % 60);
        let time = format!("{:02}/Dec/2026:{h:02}:{m:02}:{s:02} +0800", 1 + (r >> 47) % 3);
        let path = paths[(r >> 5) as usize % paths.len()];
        let agent = agents[(r >> 9) as usize % agents.len()];
        let server = format!("192.0.2.{}", 1 + (d % 8));
        let status = if r % 50 == 7 { 404 } else { 200 };
        let line = match r % 500 {
            0 => "\u{0}\u{1}garbage \u{7f}not a log line at all\n".to_string(),
            1..=200 => format!("{client} - - [{time}] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"{agent}\" {host}\n", r % 50_000),
            _ => format!("{client} - - [{time}] \"GET {path} HTTP/2.0\" {status} {} \"https://{host}/\" \"{agent}\" \"{host}\" {server}\n", r % 50_000),
        };
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        lines += 1;
    }
    out.flush()?;
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::detect::LogFormat;

    #[test]
    fn a_gzip_log_and_a_plain_one_tally_alike() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("access.log");
        write_sample_log(&plain, 200_000, 300, 7).unwrap();
        let gz = dir.path().join("access.log.gz");
        {
            let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
            std::io::copy(&mut std::fs::File::open(&plain).unwrap(), &mut enc).unwrap();
            enc.finish().unwrap();
        }
        let (mut a, mut b) = (Tally::new(None, LogFormat::NginxHost), Tally::new(None, LogFormat::NginxHost));
        tally_file(&plain, &mut a).unwrap();
        tally_file(&gz, &mut b).unwrap();
        let (sa, ra) = a.finish();
        let (sb, rb) = b.finish();
        assert!(ra.lines > 1000 && ra.lines == rb.lines, "{} {}", ra.lines, rb.lines);
        assert_eq!(ra.bad_lines, rb.bad_lines);
        assert_eq!(sa, sb);
        assert!(ra.bad_lines > 0 && !ra.bad_samples.is_empty(), "the sample has garbage lines");
        assert!(sa.iter().all(|s| s.domain.ends_with(".cn")), "subdomains fold into their domains");
        // 300 host names over 100 domains, about 1 000 lines drawn at random
        // (this seed leaves two domains out), one in 50 a 404 that counts for nothing.
        assert!((95..=100).contains(&sa.len()), "{} domains", sa.len());
        for s in &sa {
            let d: usize = s.domain["site".len()..s.domain.find('-').unwrap()].parse().unwrap();
            assert_eq!(s.domain, format!("site{d}-{}.cn", d % 7));
            assert!(s.hosts.iter().all(|h| h.ends_with(&s.domain)) && !s.hosts.is_empty() && s.hosts.len() <= 3);
            assert!(s.ips.iter().all(|ip| ip.starts_with("192.0.2.")));
        }
    }

    #[test]
    fn a_huge_line_is_one_bad_line() {
        let mut text = b"x".repeat(200_000);
        text.extend_from_slice(b"\n1.2.3.4 - - [03/Dec/2026:10:00:00 +0800] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" \"ok.example.com\"\n");
        let mut t = Tally::new(None, LogFormat::NginxHost);
        tally_reader(std::io::Cursor::new(text), &mut t).unwrap();
        let (seen, report) = t.finish();
        assert_eq!((report.lines, report.bad_lines), (2, 1));
        assert_eq!(seen.len(), 1);
    }
}
