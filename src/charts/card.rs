//! The key-figures card: the association's figures of the year in big numbers — students,
//! new students and graduates in music and dance, and providers — each with the members' share
//! of the country and the change from the year before. One layout, two sizes: a report page
//! (900 × 600) and social media (1200 × 675).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels;
use super::{Chart, DataTable, FONT, Frame, INK, MUTED, OKABE_ITO, SUPPRESSED_CELL};
use crate::domain::Lang;

/// One figure of the card.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// What it counts ("Opiskelijat, musiikki").
    pub label: String,
    /// The members' figure; `None` where suppressed.
    pub value: Option<i64>,
    /// The same a year before.
    pub previous: Option<i64>,
    /// The members' share of the country.
    pub share: Option<f64>,
}

/// The card.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    /// `key_figures` or `key_figures_social`, with the language.
    pub name: String,
    /// Language.
    pub lang: Lang,
    /// Title, subtitle (what and when), source and note.
    pub frame: Frame,
    /// The figures, in reading order (three to a row).
    pub figures: Vec<Figure>,
    /// "of the country" / "koko maasta", after the share.
    pub share_word: String,
    /// "from {year}" / "vuodesta {year}", after the change.
    pub change_word: String,
    /// Size in pixels at scale 1.
    pub size: (u32, u32),
    /// Made for exactly this many pixels (social media): one PNG, no print version.
    pub social: bool,
}

impl Card {
    fn change(&self, f: &Figure) -> Option<String> {
        let (v, p) = (f.value?, f.previous?);
        let d = v - p;
        // An en dash for minus: Noto Sans has it (not U+2212).
        let sign = if d > 0 { "+" } else if d < 0 { "–" } else { "±" };
        Some(format!("{sign}{} {}", labels::int(self.lang, d.abs()), self.change_word))
    }
}

impl Chart for Card {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn frame(&self) -> &Frame {
        &self.frame
    }

    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn pixel_size(&self) -> Option<(u32, u32)> {
        self.social.then_some(self.size)
    }

    fn alt(&self) -> String {
        let items: Vec<String> = self
            .figures
            .iter()
            .map(|f| {
                let v = f.value.map(|v| labels::int(self.lang, v)).unwrap_or_else(|| SUPPRESSED_CELL.into());
                let share = f.share.map(|s| format!(", {} {}", labels::percent(self.lang, s), self.share_word)).unwrap_or_default();
                let change = self.change(f).map(|c| format!(", {c}")).unwrap_or_default();
                format!("{} {v}{share}{change}", f.label)
            })
            .collect();
        format!("{}. {}. {}.", self.frame.title, self.frame.subtitle, items.join("; "))
    }

    fn data(&self) -> DataTable {
        DataTable {
            header: vec![
                labels::column(self.lang, "measure").to_owned(),
                labels::column(self.lang, "members").to_owned(),
                format!("%, {}", self.share_word),
                self.change_word.clone(),
            ],
            rows: self
                .figures
                .iter()
                .map(|f| {
                    vec![
                        f.label.clone(),
                        f.value.map(|v| labels::int(self.lang, v)).unwrap_or_else(|| SUPPRESSED_CELL.into()),
                        f.share.map(|s| labels::percent(self.lang, s)).unwrap_or_else(|| SUPPRESSED_CELL.into()),
                        self.change(f).map(|c| c.replace(&format!(" {}", self.change_word), "")).unwrap_or_default(),
                    ]
                })
                .collect(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, s: f64) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let px = |v: f64| (v * s).round() as i32;
        let body = super::draw_frame(area, &self.frame, s)?;
        let (w, h) = body.dim_in_pixel();
        let cols = 3;
        let rows = self.figures.len().div_ceil(cols).max(1);
        let (cw, ch) = ((w as i32 - px(40.0)) / cols as i32, h as i32 / rows as i32);
        let accent = [OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[5]];
        for (i, f) in self.figures.iter().enumerate() {
            let (c, r) = ((i % cols) as i32, (i / cols) as i32);
            let (x, y) = (px(20.0) + c * cw, r * ch + px(6.0));
            let color = accent[c as usize % accent.len()];
            body.draw(&Rectangle::new([(x, y), (x + px(5.0), y + ch - px(18.0))], color.filled()))?;
            let left = |size: f64, bold: bool, col: &RGBColor| {
                let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
                (FONT, size * s, style).into_font().color(col).pos(Pos::new(HPos::Left, VPos::Top))
            };
            let big = (ch as f64 / s * 0.40).clamp(28.0, 96.0);
            let v = f.value.map(|v| labels::int(self.lang, v)).unwrap_or_else(|| SUPPRESSED_CELL.into());
            let small = (big * 0.2).clamp(super::MIN_FONT, 17.0);
            // The label wraps (at its last space that fits) when a wide fallback font would run
            // it into the next column; the big number gives the line room.
            let room = f64::from(cw) / s - 28.0;
            let lines = wrap(&f.label, small + 1.0, room);
            let extra = (small + 1.0) * 1.3 * (lines.len() as f64 - 1.0);
            let big = (big - extra / 1.05).max(28.0);
            for (k, line) in lines.iter().enumerate() {
                body.draw_text(line, &left(small + 1.0, false, &INK), (x + px(16.0), y + px(2.0 + (small + 1.0) * 1.3 * k as f64)))?;
            }
            let y = y + px(extra);
            body.draw_text(&v, &left(big, true, &super::text_shade(&color)), (x + px(14.0), y + px(small + 20.0)))?;
            let mut line_y = y + px(small + 24.0 + big * 1.05);
            if let Some(sh) = f.share {
                body.draw_text(&format!("{} {}", labels::percent(self.lang, sh), self.share_word), &left(small, false, &MUTED), (x + px(16.0), line_y))?;
                line_y += px(small * 1.45);
            }
            if let Some(c) = self.change(f) {
                body.draw_text(&c, &left(small, false, &MUTED), (x + px(16.0), line_y))?;
            }
        }
        Ok(())
    }
}

/// Words of `text` in lines at most `room` wide at `size` (by [`super::text_width`]).
fn wrap(text: &str, size: f64, room: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if super::text_width(&format!("{line} {word}"), size, false) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}
