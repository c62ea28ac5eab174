//! Sending notifications: every message is first a row of the outbox; an
//! e-mail is then sent through SMTP when a server is configured (the row
//! becomes `sent` or `failed`). No SMS gateway exists yet, so SMS rows stay
//! `recorded` and the dev page shows them.

use std::time::Duration;

use surrealdb::types::RecordId;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::db::Db;
pub use super::outbox::{Channel, Notification};
use super::Settings;
use crate::error::AppError;

/// An SMTP relay: `smtp://user:pass@host:port` (plain SMTP with AUTH PLAIN;
/// point it at a local relay such as postfix, which handles TLS onward).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub pass: Option<String>,
    pub from: String,
}

impl SmtpSettings {
    /// Parse `smtp://[user:pass@]host[:port]`.
    pub fn parse(url: &str, from: &str) -> Option<SmtpSettings> {
        let rest = url.trim().strip_prefix("smtp://")?;
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (hostport, 25),
        };
        if host.is_empty() {
            return None;
        }
        let (user, pass) = match auth.and_then(|a| a.split_once(':')) {
            Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
            None => (None, None),
        };
        Some(SmtpSettings { host: host.to_string(), port, user, pass, from: from.to_string() })
    }
}

/// Record a notification and send it when a gateway for its channel exists.
pub async fn send(db: &Db, settings: &Settings, n: Notification) -> Result<(), AppError> {
    let email = (n.channel == Channel::Email).then(|| (n.recipient.clone(), n.subject.clone(), n.body.clone()));
    let id = super::outbox::record(db, n).await?;
    if let (Some(smtp), Some((to, subject, body))) = (settings.smtp.clone(), email) {
        let db = db.clone();
        // Sending never holds up the person's request; the row says how it went.
        tokio::spawn(async move {
            let outcome = tokio::time::timeout(Duration::from_secs(30), send_mail(&smtp, &to, &subject, &body)).await;
            let status = match outcome {
                Ok(Ok(())) => "sent",
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "SMTP send failed");
                    "failed"
                }
                Err(_) => {
                    tracing::warn!("SMTP send timed out");
                    "failed"
                }
            };
            mark(&db, id, status).await;
        });
    }
    Ok(())
}

async fn mark(db: &Db, id: RecordId, status: &'static str) {
    let q = db.query("UPDATE $id SET status = $s, sent_at = IF $s = 'sent' THEN time::now() ELSE NONE END RETURN NONE").bind(("id", id)).bind(("s", status));
    if let Err(e) = q.await.and_then(|r| r.check()) {
        tracing::warn!(error = %e, "could not mark an outbox row");
    }
}

fn base64(input: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One message over SMTP: EHLO, AUTH PLAIN when credentials are set, MAIL,
/// RCPT, DATA with a UTF-8 subject and a base64 body.
pub async fn send_mail(s: &SmtpSettings, to: &str, subject: &str, body: &str) -> std::io::Result<()> {
    let stream = TcpStream::connect((s.host.as_str(), s.port)).await?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);

    async fn reply(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, expect: &str) -> std::io::Result<()> {
        loop {
            let mut line = String::new();
            if read.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "SMTP server closed the connection"));
            }
            if line.len() >= 4 && line.as_bytes()[3] == b'-' {
                continue;
            }
            return if line.starts_with(expect) {
                Ok(())
            } else {
                Err(std::io::Error::other(format!("SMTP: expected {expect}, got {}", line.trim_end())))
            };
        }
    }

    reply(&mut read, "220").await?;
    write.write_all(b"EHLO beian\r\n").await?;
    reply(&mut read, "250").await?;
    if let (Some(u), Some(p)) = (&s.user, &s.pass) {
        let token = base64(format!("\0{u}\0{p}").as_bytes());
        write.write_all(format!("AUTH PLAIN {token}\r\n").as_bytes()).await?;
        reply(&mut read, "235").await?;
    }
    write.write_all(format!("MAIL FROM:<{}>\r\n", s.from).as_bytes()).await?;
    reply(&mut read, "250").await?;
    write.write_all(format!("RCPT TO:<{to}>\r\n").as_bytes()).await?;
    reply(&mut read, "250").await?;
    write.write_all(b"DATA\r\n").await?;
    reply(&mut read, "354").await?;
    let encoded: Vec<String> = base64(body.as_bytes()).as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let message = format!(
        "From: <{}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{}?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n.\r\n",
        s.from,
        base64(subject.as_bytes()),
        encoded.join("\r\n")
    );
    write.write_all(message.as_bytes()).await?;
    reply(&mut read, "250").await?;
    write.write_all(b"QUIT\r\n").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64("备案".as_bytes()), "5aSH5qGI");
    }

    #[test]
    fn smtp_urls() {
        let s = SmtpSettings::parse("smtp://u:p@mail.example.com:2525", "noreply@example.com").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.user.as_deref()), ("mail.example.com", 2525, Some("u")));
        assert_eq!(SmtpSettings::parse("smtp://localhost", "a@b.c").unwrap().port, 25);
        assert!(SmtpSettings::parse("http://x", "a@b.c").is_none());
    }

    /// A scripted SMTP server on loopback receives the message.
    #[tokio::test]
    async fn sends_through_an_smtp_server() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (r, mut w) = stream.into_split();
            let mut r = BufReader::new(r);
            let mut transcript = String::new();
            w.write_all(b"220 test\r\n").await.unwrap();
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).await.unwrap() == 0 {
                    break;
                }
                transcript.push_str(&line);
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    }
                    continue;
                }
                let answer: &[u8] = match &line[..4] {
                    "EHLO" => b"250-test\r\n250 AUTH PLAIN\r\n",
                    "AUTH" => b"235 ok\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go\r\n"
                    }
                    "QUIT" => {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                w.write_all(answer).await.unwrap();
            }
            transcript
        });
        let s = SmtpSettings::parse(&format!("smtp://user:pw@127.0.0.1:{port}"), "noreply@example.com").unwrap();
        send_mail(&s, "zhang@example.com", "验证码", "您的验证码为 123456").await.unwrap();
        let t = server.await.unwrap();
        assert!(t.contains("AUTH PLAIN AHVzZXIAcHc=\r\n"), "{t}");
        assert!(t.contains("RCPT TO:<zhang@example.com>"));
        assert!(t.contains(&format!("Subject: =?UTF-8?B?{}?=", base64("验证码".as_bytes()))));
        assert!(t.contains(&base64("您的验证码为 123456".as_bytes())));
    }
}
