//! Writes survive `kill -9`: the real binary on an embedded SurrealKV folder
//! is killed with SIGKILL after seeding, and the data is there on restart.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(dir: &std::path::Path, port: u16, demo: bool) -> Child {
    start_with(dir, port, demo, &[])
}

fn start_with(dir: &std::path::Path, port: u16, demo: bool, env: &[(&str, String)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_beian"))
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (*k, v.clone())))
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

fn post_form(port: u16, path: &str, body: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split(' ').nth(1)?.parse().ok()?;
    Some((status, buf.split_once("\r\n\r\n")?.1.to_string()))
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

/// A message acknowledged to the user is never lost: the activation code's
/// SMS and e-mail are committed with the registration; the relay is down
/// (retries), the server is killed with SIGKILL, and after a restart with a
/// working transport both go out.
#[test]
fn messages_committed_before_sigkill_are_sent_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    // A "mail folder" that is a file: every send fails and is retried.
    let broken = dir.path().join("not-a-folder");
    std::fs::write(&broken, b"x").unwrap();
    let port = free_port();
    let mut server = start_with(dir.path(), port, false, &[("BEIAN_MAIL_DIR", broken.display().to_string())]);
    wait_ready(port);
    let (status, body) = post_form(
        port,
        "/api/account/register",
        "username=crashtest&password=s3cret-pass&password2=s3cret-pass&contact_name=%E5%BC%A0%E4%B8%89&mobile=13800138000&email=crash%40example.com",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    std::thread::sleep(Duration::from_secs(2));
    server.kill().unwrap();
    server.wait().unwrap();

    let mail = dir.path().join("mail");
    let port = free_port();
    let mut server = start_with(dir.path(), port, false, &[("BEIAN_MAIL_DIR", mail.display().to_string())]);
    wait_ready(port);
    let deadline = Instant::now() + Duration::from_secs(60);
    let files = loop {
        let files: Vec<String> = std::fs::read_dir(&mail).map(|d| d.filter_map(|e| e.ok()).map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).collect()).unwrap_or_default();
        if files.len() >= 2 || Instant::now() > deadline {
            break files;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(files.len(), 2, "the SMS and the e-mail went out after the restart");
    assert!(files.iter().any(|f| f.contains("13800138000")));
    assert!(files.iter().any(|f| f.contains("crash@example.com")));
    assert!(files.iter().any(|f| f.contains("crashtest")), "the SMS names the account");
}

/// SIGTERM: the server says so at /readyz at once (503, "draining") while
/// it still answers, then stops and exits cleanly, well within its grace.
#[test]
fn sigterm_drains_then_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port, false);
    wait_ready(port);
    let (status, body) = get(port, "/readyz").unwrap();
    assert_eq!(status, 200, "{body}");
    // The shell's own kill: no procps needed.
    let sent = Command::new("sh").arg("-c").arg(format!("kill -TERM {}", server.id())).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(3);
    let draining = loop {
        match get(port, "/readyz") {
            Some((503, body)) => break body,
            _ if Instant::now() > deadline => panic!("/readyz did not turn 503 within 3 s of SIGTERM"),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    assert!(draining.contains("draining"), "{draining}");
    assert_eq!(get(port, "/healthz").map(|(s, _)| s), Some(200), "still serving while it drains");
    let deadline = Instant::now() + Duration::from_secs(45);
    let exit = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 45 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "exit status {exit:?}");
}
