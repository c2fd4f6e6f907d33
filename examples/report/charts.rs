//! The charts of the report, drawn by plotters' SVG backend into strings.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use topictally::TimeBucket;

use crate::analysis::{short_label, Buckets, TopicReport};
use crate::numbers::thousands;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// The width of every chart, in CSS pixels: the width of the page's column.
pub const WIDTH: u32 = 840;
const FONT: &str = "sans-serif";
/// Axis labels and values.
const INK: RGBColor = RGBColor(0x4a, 0x55, 0x63);
const GRID: RGBColor = RGBColor(0xe8, 0xea, 0xee);
const AXIS: RGBColor = RGBColor(0xc3, 0xc8, 0xcf);
/// Spike markers.
pub const SPIKE: RGBColor = RGBColor(0xc2, 0x3b, 0x3b);
/// The normal range (trailing mean to threshold) under a topic's line.
const BAND: RGBColor = RGBColor(0x9a, 0xa5, 0xb1);

/// One color per topic, by its position in the dictionary (Tableau 10, then two more).
const TOPIC_COLORS: [RGBColor; 12] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
    RGBColor(0x3f, 0x4f, 0x7f),
    RGBColor(0x8c, 0xb3, 0x6b),
];

/// One color per source, by overall volume (ColorBrewer Set2); `unknown` is grey.
const SOURCE_COLORS: [RGBColor; 7] = [
    RGBColor(0x66, 0xc2, 0xa5),
    RGBColor(0xfc, 0x8d, 0x62),
    RGBColor(0x8d, 0xa0, 0xcb),
    RGBColor(0xe7, 0x8a, 0xc3),
    RGBColor(0xa6, 0xd8, 0x54),
    RGBColor(0xff, 0xd9, 0x2f),
    RGBColor(0xe5, 0xc4, 0x94),
];
const UNKNOWN_COLOR: RGBColor = RGBColor(0xc4, 0xc4, 0xc4);

pub fn topic_color(order: usize) -> RGBColor {
    TOPIC_COLORS[order % TOPIC_COLORS.len()]
}

/// The color of the source at `rank` in the report's sources (most messages first).
pub fn source_color(label: &str, rank: usize) -> RGBColor {
    if label == topictally::UNKNOWN_SOURCE {
        UNKNOWN_COLOR
    } else {
        SOURCE_COLORS[rank % SOURCE_COLORS.len()]
    }
}

/// `#4E79A7`.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// A linear `f64` axis whose ticks are given, not computed (plotters' `with_key_points` has no
/// label formatter for floats).
struct Axis {
    range: std::ops::Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Axis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span <= 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let share = (value - self.range.start) / span;
        limit.0 + (f64::from(limit.1 - limit.0) * share + 1e-3).floor() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.max_num_points() == 0 {
            return Vec::new();
        }
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

/// Text of `px` CSS pixels (plotters' SVG backend writes a font size of `size / 1.24`).
fn font(px: u32) -> TextStyle<'static> {
    (FONT, f64::from(px) * 1.24).into_font().color(&INK)
}

/// Draws into an SVG document of `width` × `height` and returns it.
fn render(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Round ticks for a value axis from 0 to at least `max`: (ticks, top of the axis).
fn value_ticks(max: f64, count: usize) -> (Vec<f64>, f64) {
    let max = max.max(1.0);
    let raw = max / count as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let top = (max / step).ceil() * step;
    let ticks = (0..=((top / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    (ticks, top)
}

/// The buckets that get a label on a time axis: every `step`-th, aligned to whole days,
/// weeks or years where it makes sense, at most about `max` of them.
fn time_ticks(buckets: &Buckets, max: usize) -> Vec<f64> {
    let n = buckets.len();
    let steps: &[usize] = match buckets.width {
        TimeBucket::Hour => &[1, 2, 3, 6, 12, 24, 48, 168, 336, 720, 1440, 2880, 8760],
        TimeBucket::Month => &[1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200],
        _ => &[1, 2, 7, 14, 28, 56, 91, 182, 364, 728, 1820, 3640, 7280],
    };
    let step = steps
        .iter()
        .copied()
        .find(|&s| n.div_ceil(s) <= max)
        .unwrap_or_else(|| n.div_ceil(max).max(1));
    let aligned = |i: usize| -> bool {
        let start = buckets.starts[i];
        match buckets.width {
            TimeBucket::Hour if 24 % step == 0 => start.rem_euclid(3600 * step as i64) == 0,
            TimeBucket::Month if 12 % step == 0 => {
                let month: usize = buckets.labels[i][5..7].parse().unwrap_or(1);
                (month - 1) % step == 0
            }
            _ => i % step == 0,
        }
    };
    (0..n).filter(|&i| aligned(i)).map(|i| i as f64).collect()
}

fn time_label(buckets: &Buckets, x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 || i as usize >= buckets.len() {
        return String::new();
    }
    let start = buckets.starts[i as usize];
    match buckets.width {
        TimeBucket::Hour if start.rem_euclid(86_400) != 0 => {
            format!("{:02}:00", start.rem_euclid(86_400) / 3600)
        }
        TimeBucket::Hour => short_label(TimeBucket::Day, start),
        width => short_label(width, start),
    }
}

fn count_label(y: f64) -> String {
    if (y - y.round()).abs() < 1e-6 {
        thousands(y.round() as u64)
    } else {
        format!("{y:.1}")
    }
}

/// What a time chart shows.
enum Lines<'a> {
    /// One line per topic, spikes marked in the topic's color.
    All(&'a [TopicReport]),
    /// One topic, with its normal range and spikes marked and labelled.
    One(&'a TopicReport),
}

/// Messages per bucket, one line per topic, spikes marked.
pub fn volume_all(buckets: &Buckets, topics: &[TopicReport]) -> Result<String, String> {
    time_chart(buckets, Lines::All(topics), 320)
}

/// Messages per bucket of one topic, with its normal range and spikes.
pub fn volume_one(buckets: &Buckets, topic: &TopicReport) -> Result<String, String> {
    time_chart(buckets, Lines::One(topic), 210)
}

fn time_chart(buckets: &Buckets, lines: Lines<'_>, height: u32) -> Result<String, String> {
    let topics: &[TopicReport] = match &lines {
        Lines::All(topics) => topics,
        Lines::One(topic) => std::slice::from_ref(*topic),
    };
    let mut max = topics
        .iter()
        .flat_map(|t| t.series.iter())
        .copied()
        .max()
        .unwrap_or(0) as f64;
    if let Lines::One(t) = &lines {
        for (_, threshold) in t.bands.iter().flatten() {
            max = max.max(*threshold);
        }
    }
    let (y_ticks, top) = value_ticks(max * 1.08, 4);
    let n = buckets.len().max(1) as f64;
    let x_ticks = time_ticks(buckets, 9);
    render(WIDTH, height, |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .margin_top(16)
            .margin_right(24)
            .margin_left(4)
            .margin_bottom(4)
            .x_label_area_size(28)
            .y_label_area_size(52)
            .build_cartesian_2d(
                Axis {
                    range: -0.5..n - 0.5,
                    ticks: x_ticks,
                },
                Axis {
                    range: 0.0..top,
                    ticks: y_ticks,
                },
            )?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS)
            .x_label_formatter(&|x| time_label(buckets, *x))
            .y_label_formatter(&|y| count_label(*y))
            .label_style(font(12))
            .draw()?;
        let point = |i: usize, v: u64| (i as f64, v as f64);
        match lines {
            Lines::All(topics) => {
                // The quietest topics first, so the busiest are drawn on top.
                for t in topics.iter().rev() {
                    let color = topic_color(t.order);
                    let series = t.series.iter().enumerate().map(|(i, &v)| point(i, v));
                    if buckets.len() == 1 {
                        chart.draw_series(series.map(|p| Circle::new(p, 4, color.filled())))?;
                    } else {
                        chart.draw_series(LineSeries::new(series, color.stroke_width(2)))?;
                    }
                }
                for t in topics {
                    let color = topic_color(t.order);
                    chart.draw_series(
                        t.spikes
                            .iter()
                            .map(|s| Circle::new(point(s.index, s.messages), 5, color.filled())),
                    )?;
                    chart.draw_series(t.spikes.iter().map(|s| {
                        Circle::new(point(s.index, s.messages), 7, SPIKE.stroke_width(2))
                    }))?;
                }
            }
            Lines::One(t) => {
                let color = topic_color(t.order);
                // The normal range: from the trailing mean to the threshold, in runs of buckets
                // that have enough history.
                let mut run: Vec<(usize, f64, f64)> = Vec::new();
                let mut runs = Vec::new();
                for (i, band) in t.bands.iter().enumerate() {
                    match band {
                        Some((mean, threshold)) => run.push((i, *mean, *threshold)),
                        None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                        None => {}
                    }
                }
                if !run.is_empty() {
                    runs.push(run);
                }
                for run in runs {
                    let mut outline: Vec<(f64, f64)> =
                        run.iter().map(|&(i, _, hi)| (i as f64, hi)).collect();
                    outline.extend(run.iter().rev().map(|&(i, lo, _)| (i as f64, lo)));
                    chart.draw_series(std::iter::once(Polygon::new(
                        outline,
                        BAND.mix(0.14).filled(),
                    )))?;
                }
                let series: Vec<(f64, f64)> = t
                    .series
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| point(i, v))
                    .collect();
                if buckets.len() == 1 {
                    chart.draw_series(series.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
                } else {
                    chart.draw_series(AreaSeries::new(
                        series.iter().copied(),
                        0.0,
                        color.mix(0.12),
                    ))?;
                    chart.draw_series(LineSeries::new(series, color.stroke_width(2)))?;
                }
                let spike_font = font(12)
                    .color(&SPIKE)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                chart.draw_series(t.spikes.iter().map(|s| {
                    EmptyElement::at(point(s.index, s.messages))
                        + Circle::new((0, 0), 5, SPIKE.filled())
                        + Circle::new((0, 0), 5, WHITE.stroke_width(1))
                        + Text::new(
                            short_label(buckets.width, buckets.starts[s.index]),
                            (0, -9),
                            spike_font.clone(),
                        )
                }))?;
            }
        }
        Ok(())
    })
}

/// One horizontal bar.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub color: RGBColor,
    /// Written at the end of the bar.
    pub note: String,
}

/// Horizontal bars, the first on top, labelled on the left and annotated on the right.
pub fn bars(rows: &[Bar]) -> Result<String, String> {
    let k = rows.len().max(1);
    let row = 26u32;
    let height = 20 + row * k as u32;
    let label_width = label_area(rows.iter().map(|r| r.label.as_str()));
    let note_width = rows
        .iter()
        .map(|r| r.note.chars().count())
        .max()
        .unwrap_or(0) as f64
        * 7.5
        + 12.0;
    let max = rows.iter().map(|r| r.value).fold(0.0, f64::max).max(1e-9);
    // Room on the right for the notes: the plot is about WIDTH - labels wide.
    let plot = (WIDTH - label_width - 16) as f64;
    let top = max * plot / (plot - note_width).max(plot * 0.5);
    render(WIDTH, height, |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .margin_top(10)
            .margin_right(16)
            .margin_bottom(10)
            .y_label_area_size(label_width)
            .build_cartesian_2d(0.0..top, 0.0..k as f64)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(0)
            .axis_style(AXIS)
            .draw()?;
        let y = |i: usize| (k - 1 - i) as f64;
        chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
            Rectangle::new(
                [(0.0, y(i) + 0.18), (r.value, y(i) + 0.82)],
                r.color.filled(),
            )
        }))?;
        let note_font = font(12).pos(Pos::new(HPos::Left, VPos::Center));
        chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
            EmptyElement::at((r.value, y(i) + 0.5))
                + Text::new(r.note.clone(), (6, 0), note_font.clone())
        }))?;
        row_labels(root, &chart, rows.iter().map(|r| r.label.as_str()), k)?;
        Ok(())
    })
}

/// One horizontal stacked bar: a label and its segments (value, color, text written inside
/// when it fits).
pub struct Stack {
    pub label: String,
    pub segments: Vec<(f64, RGBColor, String)>,
    pub note: String,
}

/// Horizontal 100% stacked bars, the first on top.
pub fn stacks(rows: &[Stack]) -> Result<String, String> {
    let k = rows.len().max(1);
    let row = 28u32;
    let height = 20 + row * k as u32;
    let label_width = label_area(rows.iter().map(|r| r.label.as_str()));
    let note_width = 12
        + 8 * rows
            .iter()
            .map(|r| r.note.chars().count())
            .max()
            .unwrap_or(0) as u32;
    render(WIDTH, height, |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .margin_top(10)
            .margin_right(note_width)
            .margin_bottom(10)
            .y_label_area_size(label_width)
            .build_cartesian_2d(0.0..1.0, 0.0..k as f64)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(0)
            .axis_style(AXIS)
            .draw()?;
        let y = |i: usize| (k - 1 - i) as f64;
        let inside = font(11)
            .color(&RGBColor(0x1f, 0x29, 0x33))
            .pos(Pos::new(HPos::Center, VPos::Center));
        let px_per_unit = (WIDTH - label_width - note_width) as f64;
        for (i, r) in rows.iter().enumerate() {
            let total: f64 = r.segments.iter().map(|s| s.0).sum();
            if total <= 0.0 {
                continue;
            }
            let mut x = 0.0;
            for (value, color, text) in &r.segments {
                let w = value / total;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y(i) + 0.16), (x + w, y(i) + 0.84)],
                    color.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y(i) + 0.16), (x + w, y(i) + 0.84)],
                    WHITE.stroke_width(1),
                )))?;
                if (text.chars().count() as f64 * 6.5 + 8.0) < w * px_per_unit {
                    chart.draw_series(std::iter::once(Text::new(
                        text.clone(),
                        (x + w / 2.0, y(i) + 0.5),
                        inside.clone(),
                    )))?;
                }
                x += w;
            }
        }
        let note_font = font(12).pos(Pos::new(HPos::Left, VPos::Center));
        chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
            EmptyElement::at((1.0, y(i) + 0.5))
                + Text::new(r.note.clone(), (8, 0), note_font.clone())
        }))?;
        row_labels(root, &chart, rows.iter().map(|r| r.label.as_str()), k)?;
        Ok(())
    })
}

/// The width of the label area for these row labels.
fn label_area<'a>(labels: impl Iterator<Item = &'a str>) -> u32 {
    let widest = labels
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 7.2 } else { 13.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    if widest == 0.0 {
        return 4;
    }
    (widest as u32 + 16).clamp(60, 280)
}

/// Writes each row's label to the left of the plot, right-aligned, centered on its row.
fn row_labels<'a, 'b>(
    root: &Area<'b>,
    chart: &ChartContext<
        '_,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    labels: impl Iterator<Item = &'a str>,
    k: usize,
) -> DrawResult {
    let style = font(13)
        .color(&RGBColor(0x1f, 0x29, 0x33))
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (i, label) in labels.enumerate() {
        let (px, py) = chart.backend_coord(&(0.0, (k - 1 - i) as f64 + 0.5));
        root.draw(&Text::new(label.to_string(), (px - 8, py), style.clone()))?;
    }
    Ok(())
}
