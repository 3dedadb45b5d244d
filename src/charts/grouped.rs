//! Grouped horizontal bars: a group per category (a placement class, a member), a bar per
//! series (the association, the country…), each labelled with its value at its end — the
//! second cue besides colour. A value that is suppressed is drawn as a hatched stub with its
//! symbol, so a missing bar never reads as zero.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels;
use super::{Chart, DataTable, FONT, Frame, HIDDEN, INK, MIN_FONT, MUTED, OKABE_ITO, SUPPRESSED_CELL, draw_frame, text_width};
use crate::domain::Lang;

/// How values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Shares in [0, 1], shown as whole percents.
    Percent,
    /// Ratios, shown with two decimals.
    Ratio,
    /// Counts of persons.
    Count,
}

/// One series: a label and a palette colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Index into the Okabe–Ito palette.
    pub color: usize,
}

/// One group of bars.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Group label.
    pub label: String,
    /// A value per series; `None` where suppressed.
    pub values: Vec<Option<f64>>,
}

/// A grouped bar chart.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupedBars {
    /// File name (with the language).
    pub name: String,
    /// Language of the numbers.
    pub lang: Lang,
    /// The frame texts.
    pub frame: Frame,
    /// The series (at most seven).
    pub series: Vec<Series>,
    /// The groups, top to bottom.
    pub groups: Vec<Group>,
    /// How values read.
    pub scale: Scale,
    /// The header of the group column in the data table.
    pub group_header: String,
}

/// Width at scale 1.
const WIDTH: u32 = 900;
const BAR: f64 = 20.0;
const GAP: f64 = 14.0;

impl GroupedBars {
    fn format(&self, v: f64) -> String {
        match self.scale {
            Scale::Percent => labels::percent(self.lang, v),
            Scale::Ratio => {
                let s = format!("{v:.2}");
                if self.lang == Lang::En { s } else { s.replace('.', ",") }
            }
            Scale::Count => labels::int(self.lang, v.round() as i64),
        }
    }

    /// Room for the group labels: the longest, in a wide fallback font, within limits.
    fn label_w(&self) -> f64 {
        let widest = self.groups.iter().map(|g| text_width(&g.label, MIN_FONT, false)).fold(0.0, f64::max);
        (widest + 16.0).clamp(120.0, 330.0)
    }

    /// Room for the value labels after the longest bar.
    fn value_w(&self) -> f64 {
        let widest = self.groups.iter().flat_map(|g| g.values.iter().flatten()).map(|v| text_width(&self.format(*v), MIN_FONT, false)).fold(0.0, f64::max);
        widest + 16.0
    }

    fn group_h(&self) -> f64 {
        BAR * self.series.len() as f64 + GAP
    }

    /// Where each legend item goes, at scale 1: `(x, row)`, wrapping before the right edge.
    /// Widths are estimated generously ([`text_width`]), as the SVG's text is laid out by
    /// whatever renders it.
    fn legend_layout(&self) -> Vec<(f64, u32)> {
        let width = WIDTH;
        let mut out = Vec::new();
        let (mut x, mut row) = (20.0, 0);
        for series in &self.series {
            let w = 20.0 + text_width(&series.label, MIN_FONT, false) + 26.0;
            if x > 20.0 && x + w > f64::from(width) - 20.0 {
                (x, row) = (20.0, row + 1);
            }
            out.push((x, row));
            x += w;
        }
        out
    }

    fn legend_h(&self) -> f64 {
        if self.series.len() > 1 { 30.0 + 22.0 * f64::from(self.legend_layout().last().map(|l| l.1).unwrap_or(0)) } else { 0.0 }
    }

    fn max(&self) -> f64 {
        let m = self.groups.iter().flat_map(|g| g.values.iter().flatten()).copied().fold(0.0, f64::max);
        match self.scale {
            Scale::Percent => ((m * 10.0).ceil() / 10.0).clamp(0.1, 1.0),
            Scale::Ratio | Scale::Count => (m * 1.1).max(1.0),
        }
    }
}

impl Chart for GroupedBars {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn frame(&self) -> &Frame {
        &self.frame
    }

    fn size(&self) -> (u32, u32) {
        let body = self.group_h() * self.groups.len() as f64 + 10.0 + self.legend_h();
        (WIDTH, super::top(&self.frame, WIDTH) + super::bottom(&self.frame) + body.ceil() as u32 + 8)
    }

    fn alt(&self) -> String {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let values: Vec<String> = self
                    .series
                    .iter()
                    .zip(&g.values)
                    .map(|(s, v)| format!("{} {}", s.label, v.map(|v| self.format(v)).unwrap_or_else(|| SUPPRESSED_CELL.into())))
                    .collect();
                format!("{}: {}", g.label, values.join(", "))
            })
            .collect();
        format!("{}. {}. {}.", self.frame.title, self.frame.subtitle, groups.join("; "))
    }

    fn data(&self) -> DataTable {
        let mut header = vec![self.group_header.clone()];
        header.extend(self.series.iter().map(|s| s.label.clone()));
        let rows = self
            .groups
            .iter()
            .map(|g| {
                let mut row = vec![g.label.clone()];
                row.extend(g.values.iter().map(|v| v.map(|v| self.format(v)).unwrap_or_else(|| SUPPRESSED_CELL.into())));
                row
            })
            .collect();
        DataTable { header, rows }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, s: f64) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let px = |v: f64| (v * s).round() as i32;
        let body = draw_frame(area, &self.frame, s)?;
        let (w, _) = body.dim_in_pixel();
        let x0 = px(20.0 + self.label_w());
        let x1 = w as i32 - px(20.0 + self.value_w());
        let span = f64::from(x1 - x0);
        let max = self.max();
        let label = (FONT, MIN_FONT * s).into_font().color(&INK).pos(Pos::new(HPos::Right, VPos::Center));
        let value = (FONT, MIN_FONT * s).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
        // A light baseline.
        let total_h = px(self.group_h() * self.groups.len() as f64);
        body.draw(&PathElement::new(vec![(x0, px(2.0)), (x0, total_h)], MUTED.stroke_width(1)))?;
        for (i, g) in self.groups.iter().enumerate() {
            let gy = self.group_h() * i as f64 + 4.0;
            let mid = px(gy + BAR * self.series.len() as f64 / 2.0);
            body.draw_text(&g.label, &label, (x0 - px(10.0), mid))?;
            for (k, (series, v)) in self.series.iter().zip(&g.values).enumerate() {
                let y0 = px(gy + BAR * k as f64 + 1.0);
                let y1 = px(gy + BAR * (k + 1) as f64 - 2.0);
                let yc = (y0 + y1) / 2;
                match v {
                    Some(v) => {
                        let xe = x0 + (v / max * span).round() as i32;
                        body.draw(&Rectangle::new([(x0, y0), (xe.max(x0 + 1), y1)], OKABE_ITO[series.color].filled()))?;
                        body.draw_text(&self.format(*v), &value, (xe + px(6.0), yc))?;
                    }
                    None => {
                        let xe = x0 + px(24.0);
                        body.draw(&Rectangle::new([(x0, y0), (xe, y1)], HIDDEN.filled()))?;
                        for hx in (x0..xe).step_by(px(6.0).max(3) as usize) {
                            body.draw(&PathElement::new(vec![(hx, y1), ((hx + (y1 - y0)).min(xe), y0)], MUTED.stroke_width(1)))?;
                        }
                        body.draw_text(SUPPRESSED_CELL, &value, (xe + px(6.0), yc))?;
                    }
                }
            }
        }
        if self.series.len() > 1 {
            for (series, (x, row)) in self.series.iter().zip(self.legend_layout()) {
                let (lx, ly) = (px(x), total_h + px(14.0 + 22.0 * f64::from(row)));
                body.draw(&Rectangle::new([(lx, ly), (lx + px(14.0), ly + px(14.0))], OKABE_ITO[series.color].filled()))?;
                let t = (FONT, MIN_FONT * s).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
                body.draw_text(&series.label, &t, (lx + px(20.0), ly + px(7.0)))?;
            }
        }
        Ok(())
    }
}
