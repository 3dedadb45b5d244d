//! Enrolment trend: students, new students and graduates per year, the members together (solid
//! lines with markers) beside the whole country (dashed), each line labelled at its end.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels::{self, Key};
use super::{Chart, DataTable, FONT, Frame, MIN_FONT, MUTED, OKABE_ITO, draw_frame, text_width};
use crate::domain::Lang;

/// One line of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Label at the line's end.
    pub label: String,
    /// Colour index in the palette (the measure).
    pub color: usize,
    /// Dashed (the whole country) or solid (members).
    pub dashed: bool,
    /// `(year, value)`, suppressed years left out.
    pub points: Vec<(i32, i64)>,
}

/// The enrolment trend chart.
#[derive(Clone, Debug, PartialEq)]
pub struct EnrolmentChart {
    /// File name without the language (`enrolment_trend`, `students_by_field`).
    pub name: &'static str,
    /// Language of the labels.
    pub lang: Lang,
    /// The frame texts.
    pub frame: Frame,
    /// The lines (at most seven).
    pub lines: Vec<Line>,
}

impl Chart for EnrolmentChart {
    fn name(&self) -> String {
        format!("{}-{}", self.name, self.lang.code())
    }

    fn frame(&self) -> &Frame {
        &self.frame
    }

    fn alt(&self) -> String {
        let lines: Vec<String> = self
            .lines
            .iter()
            .filter_map(|l| {
                let (first, last) = (l.points.first()?, l.points.last()?);
                // "2018: 123, 2025: 150", not an arrow: a screen reader says it, and the pages' font has it.
                Some(format!("{} {}: {}, {}: {}", l.label, first.0, labels::int(self.lang, first.1), last.0, labels::int(self.lang, last.1)))
            })
            .collect();
        format!("{}: {}. {}. {}.", labels::text(self.lang, Key::AltLines), self.frame.title, self.frame.subtitle, lines.join("; "))
    }

    fn data(&self) -> DataTable {
        let mut years: Vec<i32> = self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)).collect();
        years.sort_unstable();
        years.dedup();
        let mut header = vec![labels::text(self.lang, Key::Year).to_owned()];
        header.extend(self.lines.iter().map(|l| l.label.clone()));
        let rows = years
            .iter()
            .map(|y| {
                let mut row = vec![y.to_string()];
                row.extend(self.lines.iter().map(|l| {
                    l.points.iter().find(|p| p.0 == *y).map(|p| labels::int(self.lang, p.1)).unwrap_or_else(|| super::SUPPRESSED_CELL.to_owned())
                }));
                row
            })
            .collect();
        DataTable { header, rows }
    }

    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: f64,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let px = |v: f64| (v * s).round() as i32;
        let body = draw_frame(area, &self.frame, s)?;
        let years = self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
        let (y_min, y_max) = (years.clone().min().unwrap_or(2018), years.max().unwrap_or(2025));
        let top = self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).max().unwrap_or(10);
        let v_max = nice_ceiling(top as f64 * 1.08);
        let lang = self.lang;
        let tick = (FONT, MIN_FONT * s).into_font().color(&MUTED);
        // Room at the right for the longest line label, in a wide fallback font.
        let label_room = self.lines.iter().map(|l| text_width(&l.label, MIN_FONT, true)).fold(0.0, f64::max) + 24.0;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(px(12.0))
            .margin_right(px(label_room.clamp(150.0, 340.0)))
            .margin_top(px(34.0))
            .x_label_area_size(px(32.0))
            .y_label_area_size(px(64.0))
            .build_cartesian_2d(y_min..y_max, 0f64..v_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 225, 225))
            .axis_style(MUTED)
            .x_labels((y_max - y_min + 1) as usize)
            .y_labels(6)
            .x_label_formatter(&|y| y.to_string())
            .y_label_formatter(&|v| labels::int(lang, *v as i64))
            .x_label_style(tick.clone())
            .y_label_style(tick.clone())
            .draw()?;
        // The unit above the value axis, horizontal.
        let (ux, uy) = chart.backend_coord(&(y_min, v_max));
        let (bx0, by0) = body.get_base_pixel();
        let unit = (FONT, MIN_FONT * s).into_font().color(&MUTED).pos(Pos::new(HPos::Left, VPos::Bottom));
        body.draw_text(labels::text(lang, Key::Persons), &unit, (ux - bx0 - px(60.0), uy - by0 - px(14.0)))?;
        for line in &self.lines {
            let color = OKABE_ITO[line.color];
            let style = color.stroke_width(px(2.5).max(1) as u32);
            let pts: Vec<(i32, f64)> = line.points.iter().map(|(x, y)| (*x, *y as f64)).collect();
            if line.dashed {
                chart.draw_series(DashedLineSeries::new(pts.clone(), px(7.0), px(5.0), style))?;
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), style))?;
                chart.draw_series(pts.iter().map(|p| Circle::new(*p, px(3.5), color.filled())))?;
            }
        }
        // Direct labels at the right end, nudged apart so they never overlap.
        let mut ends: Vec<(i32, &Line)> = self
            .lines
            .iter()
            .filter_map(|l| l.points.last().map(|p| (chart.backend_coord(&(p.0, p.1 as f64)).1, l)))
            .collect();
        ends.sort_by_key(|(y, _)| *y);
        let gap = px(MIN_FONT + 5.0);
        for i in 1..ends.len() {
            if ends[i].0 - ends[i - 1].0 < gap {
                ends[i].0 = ends[i - 1].0 + gap;
            }
        }
        let x_end = chart.backend_coord(&(y_max, 0.0)).0 + px(10.0);
        let (bx, by) = body.get_base_pixel();
        for (y, line) in ends {
            // Text in a darker shade of the line's colour, so it reads on white.
            let color = super::text_shade(&OKABE_ITO[line.color]);
            let font = (FONT, MIN_FONT * s, FontStyle::Bold).into_font().color(&color).pos(Pos::new(HPos::Left, VPos::Center));
            // Backend coordinates are absolute; the body's are relative to its corner.
            body.draw_text(&line.label, &font, (x_end - bx, y - by))?;
        }
        Ok(())
    }
}

/// A round number at or above `v` for the axis top (1, 2, 2.5 or 5 times a power of ten).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 10.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|c| *c >= v).unwrap_or(10.0 * p)
}
