//! Writes survive `kill -9`: the real binary on an embedded SurrealKV folder
//! is killed with SIGKILL after seeding, and the data is there on restart.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(dir: &std::path::Path, port: u16, demo: bool) -> Child {
    Command::new(env!("CARGO_BIN_EXE_beian"))
        .arg("serve")
        .env("BEIAN_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"))
        .env("BEIAN_DB", format!("surrealkv://{}/db", dir.display()))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", dir.join("site"))
        .env("BEIAN_DEMO_DATA", demo.to_string())
        .env("BEIAN_DEMO_RECORDS", "40")
        .env("BEIAN_PUBLIC_RATE_LIMIT", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

fn get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split(' ').nth(1)?.parse().ok()?;
    let body = buf.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if matches!(get(port, "/healthz"), Some((200, _))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the server did not start");
}

#[test]
fn committed_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port, true);
    wait_ready(port);
    let (status, before) = get(port, "/api/v1/records?q=%E6%9C%89%E9%99%90&size=50").unwrap();
    assert_eq!(status, 200, "{before}");
    assert!(before.contains("serviceLicence"));

    // SIGKILL: no shutdown hook, no flush.
    server.kill().unwrap();
    server.wait().unwrap();

    let port = free_port();
    let mut server = start(dir.path(), port, false);
    wait_ready(port);
    let (status, after) = get(port, "/api/v1/records?q=%E6%9C%89%E9%99%90&size=50").unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(status, 200);
    // Chunked encoding aside, the same records come back.
    let licences = |body: &str| -> Vec<String> {
        body.match_indices("\"serviceLicence\":\"").map(|(i, m)| body[i + m.len()..].split('"').next().unwrap().to_string()).collect()
    };
    assert!(!licences(&before).is_empty());
    assert_eq!(licences(&before), licences(&after));
}
