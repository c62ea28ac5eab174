//! 网站备案信息统计 (seed 001 §1.7.4): the rows the arithmetic in
//! `domain::stats` needs, read once, and a horizontal bar chart of the
//! result drawn as SVG by plotters (on the server: the browser downloads
//! the picture, not a charting library).
//!
//! The history this counts from: a website counts from its approval, and
//! stops counting when it was cancelled (its `updated_at` then) or when
//! this provider's access ended (the access row's `updated_at`); later
//! changes of province, type or content are counted as they are now.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use surrealdb::types::SurrealValue;

use super::guard::Ctx;
use crate::domain::date::Date;
use crate::domain::stats::{self, StatLine, StatRow};
use crate::domain::workflow::Role;
use crate::domain::Lang;
use crate::error::AppError;
use crate::models::StatsAnswer;

#[derive(SurrealValue)]
struct Row {
    entity: String,
    approved: String,
    ended: Option<String>,
    province: i64,
    nature: i64,
    content: Vec<i64>,
    method: i64,
}

async fn rows(cx: &Ctx) -> Result<Vec<StatRow>, AppError> {
    let mut res = cx
        .db
        .query(
            "SELECT record::id(website.entity) AS entity, time::format(website.approved_at + 8h, '%Y-%m-%d') AS approved,
                 IF status = 'cancelled' THEN time::format(updated_at + 8h, '%Y-%m-%d')
                 ELSE IF website.status = 'cancelled' THEN time::format(website.updated_at + 8h, '%Y-%m-%d') ELSE NONE END AS ended,
                 website.entity.province AS province, website.entity.nature AS nature, website.content_types AS content, method
             FROM access WHERE provider_name = $p AND status IN ['active', 'cancelled'] AND website.approved_at != NONE",
        )
        .bind(("p", cx.settings.provider_name.clone()))
        .await?
        .check()?;
    let rows: Vec<Row> = res.take(0)?;
    let small = |v: i64| u8::try_from(v).unwrap_or(0);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(StatRow {
                entity: r.entity,
                approved: Date::parse_compact(&r.approved)?,
                ended: r.ended.as_deref().and_then(Date::parse_compact),
                province: small(r.province),
                nature: small(r.nature),
                content: r.content.into_iter().map(small).collect(),
                method: small(r.method),
            })
        })
        .collect())
}

/// The statistics for the form's group and cut-off, with the chart.
pub async fn compute(cx: &Ctx, group: &str, until: &str, lang: Lang) -> Result<StatsAnswer, AppError> {
    if cx.me()?.role != Role::Provider {
        return Err(AppError::Forbidden);
    }
    let (group, cutoff) = stats::check(group, until, super::application::today()).map_err(AppError::Invalid)?;
    let table = stats::compute(&rows(cx).await?, group, cutoff);
    let chart = bar_chart(&table.lines, lang, group == stats::Group::Month).map_err(|e| {
        tracing::error!(error = %e, "drawing the statistics chart failed");
        AppError::Internal
    })?;
    Ok(StatsAnswer { table, chart })
}

/// Websites per line now (bars) and a year before (thin dark marks),
/// largest at the top; months in order.
pub fn bar_chart(lines: &[StatLine], lang: Lang, months: bool) -> Result<String, Box<dyn std::error::Error>> {
    // The y axis counts upwards: reversed, the first line is drawn at the top.
    let mut shown: Vec<&StatLine> = lines.iter().take(40).collect();
    shown.reverse();
    let n = shown.len().max(1);
    // Narrow, so that on a phone (about 340 px) the text stays readable.
    let (width, height) = (440u32, 48 + 26 * n as u32);
    let max = shown.iter().map(|l| l.websites.max(l.websites_year_before)).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let label_font = ("sans-serif", 14).into_font();
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(if months { 70 } else { 96 })
            .build_cartesian_2d(0u64..(max + max / 8 + 1), (0..n).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(235, 238, 242))
            .bold_line_style(RGBColor(216, 222, 230))
            .y_labels(n)
            .y_label_style(label_font.clone())
            .x_label_style(("sans-serif", 13).into_font())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => shown.get(*i).map(|l| l.label.get(lang).to_string()).unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| v.to_string())
            .draw()?;
        let brand = RGBColor(31, 78, 140);
        chart.draw_series(
            Histogram::horizontal(&chart).style(brand.mix(0.85).filled()).margin(5).data(shown.iter().enumerate().map(|(i, l)| (i, l.websites))),
        )?;
        // A year before: a dark mark across the bar.
        chart.draw_series(shown.iter().enumerate().filter(|(_, l)| l.websites_year_before > 0).map(|(i, l)| {
            PathElement::new(
                vec![(l.websites_year_before, SegmentValue::Exact(i)), (l.websites_year_before, SegmentValue::Exact(i + 1))],
                ShapeStyle { color: RGBColor(154, 91, 0).to_rgba(), filled: false, stroke_width: 3 },
            )
        }))?;
        // The figure at the end of each bar.
        chart.draw_series(shown.iter().enumerate().map(|(i, l)| {
            Text::new(format!(" {}", l.websites), (l.websites, SegmentValue::CenterOf(i)), ("sans-serif", 13).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center)))
        }))?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Message;

    #[test]
    fn the_chart_is_an_svg_with_every_label_escaped() {
        let line = |key: &str, zh: &str, w: u64, wy: u64| StatLine {
            key: key.into(),
            label: Message::new(zh, key),
            websites: w,
            websites_year_before: wy,
            websites_period_before: 0,
            entities: 0,
            entities_year_before: 0,
            entities_period_before: 0,
        };
        let svg = bar_chart(&[line("11", "北京", 30, 12), line("31", "上海<&>", 7, 0)], Lang::Zh, false).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("viewBox"), "{}", &svg[..80]);
        assert!(svg.contains("北京"));
        assert!(svg.contains("上海&lt;&amp;&gt;"), "labels are escaped");
        assert!(!svg.contains("<script"));
        // Nothing to show still draws.
        assert!(bar_chart(&[], Lang::En, true).unwrap().contains("</svg>"));
    }
}
