//! Spreadsheet and CSV files the back office hands out: the 组合查询's
//! result (seed 001 §1.7.3). `.xlsx` through rust_xlsxwriter (every cell
//! written as text, so nothing in a cell is ever a formula); `.csv` through
//! the csv crate, UTF-8 with a byte-order mark (Excel on Windows reads
//! Chinese correctly only with it) and with cells that a spreadsheet would
//! take for a formula neutralised (CSV injection).

use rust_xlsxwriter::{Format, Workbook};

use crate::domain::codes;
use crate::domain::Text;
use crate::error::AppError;
use crate::models::FiledRow;

/// The columns of an export of filed websites, Chinese first.
pub const FILED_COLUMNS: [&str; 12] =
    ["主办单位名称", "主办单位性质", "主办单位证件号码", "主体所在省", "主体备案号", "网站备案号", "网站名称", "域名", "IP地址", "接入方式", "网站服务内容", "审核通过日期"];

fn name(t: Option<Text>) -> String {
    t.map(|t| t.zh.to_string()).unwrap_or_default()
}

fn code_name(table: &[(u8, Text)], id: i64) -> Option<Text> {
    u8::try_from(id).ok().and_then(|i| table.iter().find(|(c, _)| *c == i)).map(|(_, t)| *t)
}

/// One row of an export, as text in the order of [`FILED_COLUMNS`].
pub fn filed_cells(r: &FiledRow) -> [String; 12] {
    [
        r.unit_name.clone(),
        name(u8::try_from(r.nature).ok().and_then(codes::nature).map(|n| n.name)),
        r.cert_number.clone(),
        name(u8::try_from(r.province).ok().and_then(codes::province_by_code).map(|p| p.name)),
        r.main_licence.clone(),
        r.licence.clone(),
        r.name.clone(),
        r.domains.join(" "),
        r.ips.join(" "),
        name(code_name(&codes::ACCESS_METHODS, r.method)),
        r.content_types.iter().filter_map(|c| code_name(&codes::CONTENT_TYPES, *c)).map(|t| t.zh).collect::<Vec<_>>().join("、"),
        r.approved.clone(),
    ]
}

fn failed(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "writing a spreadsheet failed");
    AppError::Internal
}

/// A workbook of one sheet: a bold header row kept in view, an autofilter,
/// and every cell as text.
pub fn xlsx(sheet: &str, header: &[&str], rows: impl Iterator<Item = Vec<String>>, note: Option<&str>) -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(failed)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(failed)?;
    }
    let mut last = 0u32;
    for (i, row) in rows.enumerate() {
        let r = i as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r, c as u16, v).map_err(failed)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(display_width(v)).min(60);
            }
        }
        last = r;
    }
    if let Some(note) = note {
        ws.write_string(last + 2, 0, note).map_err(failed)?;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64) + 2.0).map_err(failed)?;
    }
    ws.set_freeze_panes(1, 0).map_err(failed)?;
    if last > 0 && !header.is_empty() {
        ws.autofilter(0, 0, last, header.len() as u16 - 1).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// A column's width in Excel's units: a CJK character takes two.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum()
}

/// A cell a spreadsheet program would run as a formula gets a leading `'`.
pub fn csv_safe(v: &str) -> std::borrow::Cow<'_, str> {
    match v.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{v}").into(),
        _ => v.into(),
    }
}

/// CSV with a header, UTF-8 with a byte-order mark.
pub fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>, note: Option<&str>) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::from(*b"\xEF\xBB\xBF");
    {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
        w.write_record(header).map_err(failed)?;
        for row in rows {
            w.write_record(row.iter().map(|v| csv_safe(v).into_owned())).map_err(failed)?;
        }
        if let Some(note) = note {
            w.write_record([note]).map_err(failed)?;
        }
        w.flush().map_err(failed)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_csv_are_neutralised() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe("北京某某有限公司"), "北京某某有限公司");
        let bytes = csv(&["a", "b"], vec![vec!["=1+1".to_string(), "x,y".to_string()]].into_iter(), None).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "\u{feff}a,b\n'=1+1,\"x,y\"\n");
    }

    #[test]
    fn a_workbook_is_a_zip_with_the_sheet() {
        let bytes = xlsx("结果", &["名称"], vec![vec!["北京".to_string()]].into_iter(), Some("共 1 条")).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}

/// The columns of a statistics export.
pub const STATS_COLUMNS: [&str; 9] = ["分组", "网站数", "上年同期", "同比", "上期", "环比", "主体数", "主体同比", "主体环比"];

/// One line of a statistics export.
pub fn stats_cells(l: &crate::domain::stats::StatLine) -> Vec<String> {
    use crate::domain::stats::change_text;
    vec![
        l.label.zh.clone(),
        l.websites.to_string(),
        l.websites_year_before.to_string(),
        change_text(l.websites, l.websites_year_before),
        l.websites_period_before.to_string(),
        change_text(l.websites, l.websites_period_before),
        l.entities.to_string(),
        change_text(l.entities, l.entities_year_before),
        change_text(l.entities, l.entities_period_before),
    ]
}
