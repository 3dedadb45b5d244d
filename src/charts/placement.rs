//! Placement by member: one 100 % stacked horizontal bar per member (and the association as a
//! whole), a segment per class (further studies, employed, unemployed or other, unknown), n at the end of each bar. Suppressed statuses are drawn as
//! one grey segment, so the bar still adds up to 100 % and nothing hidden can be read off.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels::{self, Key};
use super::{Chart, DataTable, FONT, Frame, HIDDEN, INK, MIN_FONT, MUTED, OKABE_ITO, draw_frame, light_text_on, text_width};
use crate::domain::{Lang, PlacementClass};

/// One bar: a member (or the association) and its published shares.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Member name or "All members".
    pub label: String,
    /// Graduates in the group.
    pub n: i64,
    /// The symbol shown instead of n when the group itself is small (`1-4`).
    pub n_hidden: Option<String>,
    /// Share of each class in [`PlacementClass::ALL`] order; `None` where suppressed.
    pub shares: [Option<f64>; 4],
}

impl Bar {
    /// n as printed: the number, or its suppression symbol.
    pub fn n_text(&self, lang: Lang) -> String {
        self.n_hidden.clone().unwrap_or_else(|| labels::int(lang, self.n))
    }

    /// The share of the bar that is suppressed: 1 minus the published shares.
    pub fn hidden(&self) -> f64 {
        if self.shares.iter().all(Option::is_some) {
            0.0
        } else {
            (1.0 - self.shares.iter().flatten().sum::<f64>()).max(0.0)
        }
    }
}

/// The placement-by-member chart.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementChart {
    /// File name without the language (`placement_by_member`, `placement_by_orientation`).
    pub name: &'static str,
    /// Language of the labels.
    pub lang: Lang,
    /// The frame texts.
    pub frame: Frame,
    /// Bars from top to bottom.
    pub bars: Vec<Bar>,
    /// The symbol of suppressed cells, for the legend.
    pub flag: String,
    /// Whether the first bar is the total of the others (drawn in bold): not in a time series.
    pub first_is_total: bool,
}

/// The classes' colours: blue, bluish green, orange and reddish purple of Okabe–Ito, apart
/// from the grey of the suppressed part.
const CLASS_COLOURS: [usize; 4] = [0, 2, 3, 6];

const ROW: f64 = 28.0;
const N_W: f64 = 84.0;
const LEGEND_ROW: f64 = 24.0;

impl PlacementChart {
    /// Legend rows: the four classes and the suppression symbol, three to a row.
    fn legend_rows(&self) -> u32 {
        2
    }
}

impl PlacementChart {
    fn class_labels(&self) -> Vec<&'static str> {
        PlacementClass::ALL.iter().map(|c| self.lang.pick(&c.labels())).collect()
    }

    /// Room for the bar labels: the longest, in a wide fallback font, within limits.
    fn label_w(&self) -> f64 {
        let widest = self.bars.iter().enumerate().map(|(i, b)| text_width(&b.label, MIN_FONT, i == 0 && self.first_is_total)).fold(0.0, f64::max);
        (widest + 14.0).clamp(150.0, 390.0)
    }

    fn suppressed_label(&self) -> String {
        labels::text(self.lang, Key::Suppressed).replace("{flag}", &self.flag)
    }
}

impl Chart for PlacementChart {
    fn name(&self) -> String {
        format!("{}-{}", self.name, self.lang.code())
    }

    fn frame(&self) -> &Frame {
        &self.frame
    }

    fn alt(&self) -> String {
        let classes = self.class_labels();
        let bars: Vec<String> = self
            .bars
            .iter()
            .map(|b| {
                let mut parts: Vec<String> =
                    b.shares.iter().zip(&classes).filter_map(|(s, c)| s.map(|s| format!("{c} {}", labels::percent(self.lang, s)))).collect();
                if b.hidden() > 0.0 {
                    parts.push(format!("{} {}", self.suppressed_label(), labels::percent(self.lang, b.hidden())));
                }
                format!("{} (n = {}): {}", b.label, b.n_text(self.lang), parts.join(", "))
            })
            .collect();
        format!("{}: {}. {}. {}.", labels::text(self.lang, Key::AltBars), self.frame.title, self.frame.subtitle, bars.join("; "))
    }

    fn data(&self) -> DataTable {
        // The first column names what the bars are: members, or orientations.
        let what = if self.name.contains("orientation") { "orientation" } else { "member_id" };
        let mut header = vec![labels::column(self.lang, what).to_owned(), "n".to_owned()];
        header.extend(self.class_labels().iter().map(|c| format!("{c}, %")));
        let rows = self
            .bars
            .iter()
            .map(|b| {
                let mut row = vec![b.label.clone(), b.n_text(self.lang)];
                row.extend(b.shares.iter().map(|s| match s {
                    Some(s) => labels::percent(self.lang, *s).trim_end_matches('%').trim_end_matches('\u{a0}').to_owned(),
                    None => super::SUPPRESSED_CELL.to_owned(),
                }));
                row
            })
            .collect();
        DataTable { header, rows }
    }

    fn size(&self) -> (u32, u32) {
        let body = ROW * self.bars.len() as f64 + 16.0 + LEGEND_ROW * f64::from(self.legend_rows());
        (900, super::top(&self.frame, 900) + super::bottom(&self.frame) + body.ceil() as u32 + 12)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: f64,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let px = |v: f64| (v * s).round() as i32;
        let body = draw_frame(area, &self.frame, s)?;
        let (w, _) = body.dim_in_pixel();
        let x0 = px(20.0 + self.label_w());
        let x1 = w as i32 - px(N_W + 20.0);
        let bar_w = f64::from(x1 - x0);
        let label_font = (FONT, MIN_FONT * s).into_font().color(&INK);
        let bold = (FONT, MIN_FONT * s, FontStyle::Bold).into_font().color(&INK);
        let right = Pos::new(HPos::Right, VPos::Center);
        let left = Pos::new(HPos::Left, VPos::Center);
        let center = Pos::new(HPos::Center, VPos::Center);
        for (i, bar) in self.bars.iter().enumerate() {
            let y0 = px(ROW * i as f64 + 5.0);
            let y1 = px(ROW * (i + 1) as f64 - 3.0);
            let yc = (y0 + y1) / 2;
            let font = if i == 0 && self.first_is_total { &bold } else { &label_font };
            body.draw_text(&bar.label, &font.pos(right), (x0 - px(8.0), yc))?;
            let mut x = f64::from(x0);
            let segments = bar
                .shares
                .iter()
                .enumerate()
                .filter_map(|(k, v)| v.map(|v| (Some(k), v)))
                .chain(std::iter::once((None, bar.hidden())));
            for (k, share) in segments {
                if share <= 0.0 {
                    continue;
                }
                let wseg = share * bar_w;
                let color = k.map(|k| OKABE_ITO[CLASS_COLOURS[k]]).unwrap_or(HIDDEN);
                let (a, b) = (x.round() as i32, (x + wseg).round() as i32);
                body.draw(&Rectangle::new([(a, y0), (b, y1)], color.filled()))?;
                if k.is_none() {
                    // Hatching: a second cue besides colour for the suppressed part.
                    let step = px(6.0).max(3);
                    let mut hx = a - (y1 - y0);
                    while hx < b {
                        let (sx, ex) = (hx.max(a), (hx + (y1 - y0)).min(b));
                        let (sy, ey) = (y1 - (sx - hx), y1 - (ex - hx));
                        // A line clipped to a point is not drawn (a rasteriser warns about it).
                        if ex > sx {
                            body.draw(&PathElement::new(vec![(sx, sy), (ex, ey)], MUTED.stroke_width(1)))?;
                        }
                        hx += step;
                    }
                } else if wseg >= (text_width(&labels::percent(self.lang, share), MIN_FONT, false) + 6.0) * s {
                    let ink = if light_text_on(&color) { WHITE } else { BLACK };
                    let t = (FONT, MIN_FONT * s).into_font().color(&ink).pos(center);
                    body.draw_text(&labels::percent(self.lang, share), &t, (((a + b) / 2), yc))?;
                }
                x += wseg;
            }
            let n = format!("n = {}", bar.n_text(self.lang));
            body.draw_text(&n, &(FONT, MIN_FONT * s).into_font().color(&MUTED).pos(left), (x1 + px(8.0), yc))?;
        }
        // Legend: the classes in bar order, then the suppressed symbol, two rows of three.
        let ly = px(ROW * self.bars.len() as f64 + 16.0);
        let items: Vec<(RGBColor, String)> = PlacementClass::ALL
            .iter()
            .enumerate()
            .map(|(k, c)| (OKABE_ITO[CLASS_COLOURS[k]], self.lang.pick(&c.labels()).to_owned()))
            .chain(std::iter::once((HIDDEN, self.suppressed_label())))
            .collect();
        let col_w = (f64::from(w as i32 - px(40.0)) / 3.0) as i32;
        for (i, (color, text)) in items.iter().enumerate() {
            let (r, c) = ((i / 3) as i32, (i % 3) as i32);
            let lx = px(20.0) + c * col_w;
            let y = ly + r * px(LEGEND_ROW);
            body.draw(&Rectangle::new([(lx, y), (lx + px(14.0), y + px(14.0))], color.filled()))?;
            body.draw_text(text, &label_font.pos(left), (lx + px(20.0), y + px(7.0)))?;
        }
        Ok(())
    }
}
