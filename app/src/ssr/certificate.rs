//! 电子证书 (seed 001 §1.5.1): the provider's filed entities by the
//! combined search, and a PDF certificate for each: the entity, its filed
//! websites and numbers, dates, the provider, a verification code and a QR
//! code that opens the public query on it. The PDF is made with krilla
//! (the Chinese font embedded as a subset of the glyphs used) and the QR
//! code with the qrcode crate (drawn as squares, no image). Each
//! certificate handed out is recorded with what it certified, so the
//! public query can say whether it is genuine and still current.

use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use rand::Rng;
use surrealdb::types::{RecordId, SurrealValue};

use super::application::key_ok;
use super::db::{Db, tx_check};
use super::guard::Ctx;
use super::office::{bind, conditions};
use crate::domain::Message;
use crate::domain::certificate::{ALPHABET, GROUPS, Standing, normalise_code};
use crate::domain::codes;
use crate::domain::search::{self, FiledQuery, PAGE_SIZE};
use crate::domain::workflow::Role;
use crate::error::AppError;
use crate::models::{CertificateCheck, EntityPage, FiledEntity};

/// Fonts tried for the certificate's Chinese text, first found wins
/// (`BEIAN_PDF_FONT` names another; a .ttc's first face is used).
pub const FONT_PATHS: [&str; 3] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

fn font() -> Result<Font, AppError> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let paths: Vec<String> = std::env::var("BEIAN_PDF_FONT").ok().into_iter().chain(FONT_PATHS.iter().map(|s| s.to_string())).collect();
        let found = paths.iter().find_map(|p| std::fs::read(p).ok().map(|b| (p.clone(), b)));
        match found {
            Some((path, bytes)) => {
                let f = Font::new(Arc::new(bytes).into(), 0);
                if f.is_none() {
                    tracing::error!(%path, "the certificate font could not be read");
                }
                f
            }
            None => {
                tracing::error!("no Chinese font for certificates: install fonts-wqy-microhei or set BEIAN_PDF_FONT");
                None
            }
        }
    })
    .clone()
    .ok_or_else(|| AppError::Conflict(Message::new("服务器未安装证书所需的中文字体，请联系系统管理员（fonts-wqy-microhei）", "The server has no Chinese font for certificates; ask the administrator (fonts-wqy-microhei)")))
}

// ---------------------------------------------------------------- the list

/// Filed entities of this provider matching the combined search's
/// conditions (none: every one), newest approval first.
pub async fn entities(cx: &Ctx, q: &FiledQuery) -> Result<EntityPage, AppError> {
    if cx.me()?.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let f = search::check(q).map_err(AppError::Invalid)?;
    let query = format!(
        "LET $ents = array::distinct((SELECT VALUE website.entity FROM access WHERE {}));
         SELECT record::id(id) AS key, unit_name, licence ?? '' AS main_licence, nature, province,
             (SELECT VALUE licence FROM website WHERE entity = $parent.id AND status IN ['normal', 'limited'] AND licence != NONE ORDER BY service_no) AS websites,
             time::format((approved_at ?? created_at) + 8h, '%Y-%m-%d') AS approved, approved_at
         FROM $ents WHERE status != 'cancelled' AND licence != NONE ORDER BY approved_at DESC LIMIT {PAGE_SIZE} START {};
         array::len((SELECT VALUE id FROM $ents WHERE status != 'cancelled' AND licence != NONE));",
        conditions(&f),
        f.offset()
    );
    let mut res = bind(cx.db.query(query), cx, &f).await?.check()?;
    let rows: Vec<FiledEntity> = res.take(1)?;
    let total: Option<u64> = res.take(2)?;
    let total = total.unwrap_or(0);
    Ok(EntityPage {
        rows,
        total,
        page: f.page,
        pages: u32::try_from(total.div_ceil(u64::from(PAGE_SIZE)))
            .unwrap_or(u32::MAX)
            .max(1),
    })
}

// ---------------------------------------------------------------- issuing

#[derive(SurrealValue, serde::Serialize)]
struct SiteLine {
    licence: String,
    name: String,
    domains: Vec<String>,
}

#[derive(SurrealValue)]
struct EntityLine {
    unit_name: String,
    main_licence: String,
    nature: i64,
    province: i64,
    approved: String,
    status: String,
    websites: Vec<SiteLine>,
}

async fn entity_line(db: &Db, id: &RecordId) -> Result<Option<EntityLine>, AppError> {
    let mut res = db
        .query(
            "SELECT unit_name, licence ?? '' AS main_licence, nature, province, status,
                 time::format((approved_at ?? created_at) + 8h, '%Y-%m-%d') AS approved,
                 (SELECT licence, name, domains.*.unicode AS domains FROM website WHERE entity = $parent.id AND status IN ['normal', 'limited'] AND licence != NONE ORDER BY service_no) AS websites
             FROM ONLY $id",
        )
        .bind(("id", id.clone()))
        .await?
        .check()?;
    Ok(res.take(0)?)
}

/// What a certificate certifies, as text compared later: the entity's name
/// and number and each filed website's number, name and domains.
fn snapshot(e: &EntityLine) -> String {
    serde_json::json!({ "unit": e.unit_name, "licence": e.main_licence, "websites": e.websites })
        .to_string()
}

fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let raw: String = (0..GROUPS * 4)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    normalise_code(&raw).unwrap_or(raw)
}

/// A certificate for one of this provider's filed entities: the newest one
/// issued for it when nothing changed since, otherwise a new one (recorded
/// and audited). Answers the PDF, its file name and its code.
pub async fn issue(cx: &Ctx, entity_key: &str) -> Result<(Vec<u8>, String, String), AppError> {
    let me = cx.me()?;
    if me.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    if !key_ok(entity_key) {
        return Err(AppError::NotFound);
    }
    let eid = RecordId::new("entity", entity_key);
    if !super::business::serves(&cx.db, &cx.settings.provider_name, &eid).await? {
        return Err(AppError::NotFound);
    }
    let e = entity_line(&cx.db, &eid).await?.ok_or(AppError::NotFound)?;
    if e.status == "cancelled" || e.main_licence.is_empty() {
        return Err(AppError::Conflict(Message::new(
            "该主体未取得备案号或已注销，不能下载证书",
            "This entity has no filing number or was cancelled: no certificate",
        )));
    }
    let snap = snapshot(&e);
    #[derive(SurrealValue)]
    struct Issued {
        code: String,
        issued: String,
    }
    let mut res = cx
        .db
        .query("SELECT code, time::format(issued_at + 8h, '%Y-%m-%d') AS issued, issued_at FROM certificate WHERE entity = $e AND snapshot = $s ORDER BY issued_at DESC LIMIT 1")
        .bind(("e", eid.clone()))
        .bind(("s", snap.clone()))
        .await?
        .check()?;
    let found: Vec<Issued> = res.take(0)?;
    let issued = match found.into_iter().next() {
        Some(i) => i,
        None => {
            let code = new_code();
            let cid = RecordId::new("certificate", super::application::new_key().as_str());
            cx.db
                .query(
                    "BEGIN;
                     CREATE $c SET code = $code, entity = $e, snapshot = $s, provider_name = $p, issued_by = $me RETURN NONE;
                     CREATE audit_event SET certificate = $c, entity = $e, actor = $me, role = 'provider', action = 'certificate_issued', comment = $code RETURN NONE;
                     COMMIT;",
                )
                .bind(("c", cid))
                .bind(("code", code.clone()))
                .bind(("e", eid.clone()))
                .bind(("s", snap))
                .bind(("p", cx.settings.provider_name.clone()))
                .bind(("me", me.id.clone()))
                .await
                .and_then(tx_check)?;
            Issued {
                code,
                issued: super::application::today().to_string(),
            }
        }
    };
    let url = format!(
        "{}/query?cert={}",
        cx.settings.public_url.trim_end_matches('/'),
        issued.code
    );
    let pdf = render(
        &e,
        &cx.settings.provider_name,
        &issued.issued,
        &issued.code,
        &url,
    )?;
    Ok((pdf, format!("备案证书-{}.pdf", e.main_licence), issued.code))
}

// ---------------------------------------------------------------- checking

/// What the public query says of a code: none when no certificate has it.
pub async fn verify(db: &Db, input: &str) -> Result<Option<CertificateCheck>, AppError> {
    let Some(code) = normalise_code(input) else {
        return Ok(None);
    };
    #[derive(SurrealValue)]
    struct Row {
        entity: RecordId,
        snapshot: String,
        provider_name: String,
        issued: String,
    }
    let mut res = db
        .query("SELECT entity, snapshot, provider_name, time::format(issued_at + 8h, '%Y-%m-%d') AS issued FROM certificate WHERE code = $c LIMIT 1")
        .bind(("c", code.clone()))
        .await?
        .check()?;
    let rows: Vec<Row> = res.take(0)?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let then: serde_json::Value = serde_json::from_str(&row.snapshot).unwrap_or_default();
    let certified: Vec<String> = then["websites"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w["licence"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let now = entity_line(db, &row.entity).await?;
    let standing = match &now {
        None => Standing::Cancelled,
        Some(e) if e.status == "cancelled" => Standing::Cancelled,
        Some(e) if snapshot(e) == row.snapshot => Standing::Current,
        Some(_) => Standing::Changed,
    };
    Ok(Some(CertificateCheck {
        code,
        standing,
        unit_name: then["unit"].as_str().unwrap_or_default().to_string(),
        main_licence: then["licence"].as_str().unwrap_or_default().to_string(),
        certified,
        issued: row.issued,
        provider_name: row.provider_name,
    }))
}

// ---------------------------------------------------------------- the PDF

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 48.0;

/// A rough width of text at a size: CJK and full-width characters are
/// square, others about half (enough to centre and wrap lines).
fn width(s: &str, size: f32) -> f32 {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x2E80 {
                size
            } else {
                size * 0.55
            }
        })
        .sum()
}

/// Lines no wider than `max`, broken between characters.
fn wrap(s: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = vec![String::new()];
    for c in s.chars() {
        let last = lines.last_mut().expect("one line");
        if width(&format!("{last}{c}"), size) > max && !last.is_empty() {
            lines.push(c.to_string());
        } else {
            last.push(c);
        }
    }
    lines
}

struct Pen<'a> {
    surface: krilla::surface::Surface<'a>,
    font: Font,
}

impl Pen<'_> {
    fn text(&mut self, x: f32, y: f32, size: f32, s: &str, color: (u8, u8, u8)) {
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::new(color.0, color.1, color.2).into(),
            ..Default::default()
        }));
        self.surface.draw_text(
            Point::from_xy(x, y),
            self.font.clone(),
            size,
            s,
            false,
            TextDirection::Auto,
        );
    }

    fn centred(&mut self, y: f32, size: f32, s: &str, color: (u8, u8, u8)) {
        let x = (A4.0 - width(s, size)) / 2.0;
        self.text(x, y, size, s, color);
    }

    fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<(u8, u8, u8)>,
        stroke: Option<((u8, u8, u8), f32)>,
    ) {
        let Some(r) = Rect::from_xywh(x, y, w, h) else {
            return;
        };
        let mut pb = PathBuilder::new();
        pb.push_rect(r);
        let Some(path) = pb.finish() else { return };
        self.surface.set_fill(fill.map(|c| Fill {
            paint: rgb::Color::new(c.0, c.1, c.2).into(),
            ..Default::default()
        }));
        self.surface.set_stroke(stroke.map(|(c, w)| Stroke {
            paint: rgb::Color::new(c.0, c.1, c.2).into(),
            width: w,
            ..Default::default()
        }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }

    fn hline(&mut self, x: f32, y: f32, w: f32, color: (u8, u8, u8)) {
        self.rect(x, y, w, 0.6, Some(color), None);
    }
}

const BRAND: (u8, u8, u8) = (31, 78, 140);
const TEXT: (u8, u8, u8) = (29, 39, 51);
const MUTED: (u8, u8, u8) = (91, 103, 118);
const LINE: (u8, u8, u8) = (190, 200, 212);

/// The certificate, one A4 page (more when the websites do not fit).
fn render(
    e: &EntityLine,
    provider: &str,
    issued: &str,
    code: &str,
    url: &str,
) -> Result<Vec<u8>, AppError> {
    let font = font()?;
    let nature = u8::try_from(e.nature)
        .ok()
        .and_then(codes::nature)
        .map(|n| n.name.zh)
        .unwrap_or("");
    let province = u8::try_from(e.province)
        .ok()
        .and_then(codes::province_by_code)
        .map(|p| p.name.zh)
        .unwrap_or("");
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| AppError::Internal)?;
    let mut doc = Document::new();
    let inner = A4.0 - 2.0 * MARGIN;
    let cols = [
        (MARGIN + 12.0, 150.0),
        (MARGIN + 168.0, 130.0),
        (MARGIN + 304.0, inner - 316.0),
    ];
    let mut sites = e.websites.iter().peekable();
    let mut first = true;
    while first || sites.peek().is_some() {
        let mut page =
            doc.start_page_with(PageSettings::from_wh(A4.0, A4.1).ok_or(AppError::Internal)?);
        {
            let mut pen = Pen {
                surface: page.surface(),
                font: font.clone(),
            };
            // A double frame.
            pen.rect(
                MARGIN - 14.0,
                MARGIN - 14.0,
                A4.0 - 2.0 * (MARGIN - 14.0),
                A4.1 - 2.0 * (MARGIN - 14.0),
                None,
                Some((BRAND, 2.0)),
            );
            pen.rect(
                MARGIN - 8.0,
                MARGIN - 8.0,
                A4.0 - 2.0 * (MARGIN - 8.0),
                A4.1 - 2.0 * (MARGIN - 8.0),
                None,
                Some((BRAND, 0.6)),
            );
            pen.centred(MARGIN + 48.0, 26.0, "ICP备案电子证书", BRAND);
            pen.centred(MARGIN + 72.0, 11.0, "ICP Filing Certificate", MUTED);
            let mut y = MARGIN + 112.0;
            if first {
                for (label, value) in [
                    ("主办单位名称", e.unit_name.as_str()),
                    ("主办单位性质", nature),
                    ("主体所在省", province),
                    ("主体备案号", e.main_licence.as_str()),
                    ("审核通过日期", e.approved.as_str()),
                ] {
                    pen.text(MARGIN + 12.0, y, 12.0, label, MUTED);
                    for (i, line) in wrap(value, 13.0, inner - 120.0).iter().enumerate() {
                        pen.text(MARGIN + 112.0, y + i as f32 * 18.0, 13.0, line, TEXT);
                        if i > 0 {
                            y += 18.0;
                        }
                    }
                    y += 26.0;
                }
                y += 8.0;
            }
            pen.text(MARGIN + 12.0, y, 13.0, "已备案网站", BRAND);
            y += 10.0;
            pen.rect(
                MARGIN + 4.0,
                y,
                inner - 8.0,
                22.0,
                Some((232, 238, 247)),
                None,
            );
            for ((x, _), h) in cols.iter().zip(["网站备案号", "网站名称", "网站域名"])
            {
                pen.text(*x, y + 15.0, 11.0, h, MUTED);
            }
            y += 22.0;
            // Leave room at the bottom of the first page for the signature block.
            let bottom = if first {
                A4.1 - MARGIN - 190.0
            } else {
                A4.1 - MARGIN - 40.0
            };
            while let Some(s) = sites.peek() {
                let cells = [
                    wrap(&s.licence, 11.0, cols[0].1),
                    wrap(&s.name, 11.0, cols[1].1),
                    wrap(&s.domains.join(" "), 11.0, cols[2].1),
                ];
                let lines = cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
                let h = 8.0 + 15.0 * lines;
                if y + h > bottom {
                    break;
                }
                for ((x, _), cell) in cols.iter().zip(cells.iter()) {
                    for (i, line) in cell.iter().enumerate() {
                        pen.text(*x, y + 15.0 + i as f32 * 15.0, 11.0, line, TEXT);
                    }
                }
                y += h;
                pen.hline(MARGIN + 4.0, y, inner - 8.0, LINE);
                sites.next();
            }
            if sites.peek().is_some() {
                pen.text(MARGIN + 12.0, y + 20.0, 10.0, "（续下页）", MUTED);
            }
            if first {
                // The signature block: provider, date, code, QR code.
                let top = A4.1 - MARGIN - 170.0;
                pen.hline(MARGIN + 4.0, top - 12.0, inner - 8.0, BRAND);
                pen.text(MARGIN + 12.0, top + 10.0, 12.0, "接入服务商", MUTED);
                for (i, line) in wrap(provider, 13.0, inner - 260.0).iter().enumerate() {
                    pen.text(
                        MARGIN + 92.0,
                        top + 10.0 + i as f32 * 18.0,
                        13.0,
                        line,
                        TEXT,
                    );
                }
                pen.text(MARGIN + 12.0, top + 44.0, 12.0, "证书签发日期", MUTED);
                pen.text(MARGIN + 92.0, top + 44.0, 13.0, issued, TEXT);
                pen.text(MARGIN + 12.0, top + 78.0, 12.0, "验证码", MUTED);
                pen.text(MARGIN + 92.0, top + 78.0, 15.0, code, BRAND);
                for (i, line) in [
                    "扫描右侧二维码，或在公共查询页面输入验证码，",
                    "可核验本证书的真伪及是否与当前备案信息一致。",
                    "备案信息以通信管理局审核结果为准。",
                ]
                .iter()
                .enumerate()
                {
                    pen.text(
                        MARGIN + 12.0,
                        top + 108.0 + i as f32 * 15.0,
                        9.5,
                        line,
                        MUTED,
                    );
                }
                // The QR code, 120 pt square with a quiet zone, at the bottom right.
                let n = qr.width();
                let side = 120.0;
                let module = side / (n as f32 + 8.0);
                let (qx, qy) = (A4.0 - MARGIN - side - 4.0, top - 4.0);
                pen.rect(qx, qy, side, side, Some((255, 255, 255)), None);
                let colors = qr.to_colors();
                let mut pb = PathBuilder::new();
                for (i, c) in colors.iter().enumerate() {
                    if *c == qrcode::Color::Dark {
                        let (cx, cy) = ((i % n) as f32, (i / n) as f32);
                        if let Some(r) = Rect::from_xywh(
                            qx + (cx + 4.0) * module,
                            qy + (cy + 4.0) * module,
                            module + 0.05,
                            module + 0.05,
                        ) {
                            pb.push_rect(r);
                        }
                    }
                }
                if let Some(path) = pb.finish() {
                    pen.surface.set_fill(Some(Fill {
                        paint: rgb::Color::new(0, 0, 0).into(),
                        ..Default::default()
                    }));
                    pen.surface.draw_path(&path);
                }
            }
            let Pen { surface, .. } = pen;
            surface.finish();
        }
        page.finish();
        first = false;
    }
    doc.finish().map_err(|e| {
        tracing::error!(error = ?e, "writing a certificate PDF failed");
        AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_long_text() {
        assert_eq!(wrap("北京星河", 10.0, 100.0), ["北京星河"]);
        let lines = wrap(&"星".repeat(25), 10.0, 100.0);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| width(l, 10.0) <= 100.0));
    }

    #[test]
    fn codes_have_the_printed_shape() {
        let c = new_code();
        assert_eq!(normalise_code(&c).as_deref(), Some(c.as_str()));
        assert_ne!(new_code(), c);
    }

    #[test]
    fn a_certificate_renders_with_many_websites_over_pages() {
        if font().is_err() {
            eprintln!(
                "no Chinese font installed: skipped (the README's commands install fonts-wqy-microhei)"
            );
            return;
        }
        let e = EntityLine {
            unit_name: "北京星河网络科技有限公司".into(),
            main_licence: "京ICP备2026000123号".into(),
            nature: 4,
            province: 11,
            approved: "2026-12-01".into(),
            status: "normal".into(),
            websites: (1..=40)
                .map(|i| SiteLine {
                    licence: format!("京ICP备2026000123号-{i}"),
                    name: format!("星河网站{i}"),
                    domains: vec![format!("site{i}.example.cn")],
                })
                .collect(),
        };
        let pdf = render(
            &e,
            "北京示例云计算有限公司",
            "2026-12-03",
            "7KQ3-M9XD-2HPA-W4TN",
            "https://beian.example.cn/query?cert=7KQ3-M9XD-2HPA-W4TN",
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.matches("/Type /Page\n").count()
                + text.matches("/Type /Page ").count()
                + text.matches("/Type/Page").count()
                >= 1
        );
        // The font is a subset: far smaller than the 5 MB font file.
        assert!(pdf.len() < 400_000, "{} bytes", pdf.len());
    }
}
