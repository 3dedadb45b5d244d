//! Charts for publication, drawn with plotters: the embedded font, the colour-blind-safe
//! palette, the frame every chart shares (title, subtitle, source, synthetic-data note) and
//! rendering to SVG and PNG with atomic writes.
//!
//! In: chart data built by the report stage from the disclosed tables. Out: `<name>.svg` and
//! `<name>.png` (twice the SVG's size) per chart and language.

pub mod enrolment;
pub mod labels;
pub mod placement;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::files;
use crate::{Error, Result};

/// The font family every chart uses: Noto Sans (SIL Open Font License), embedded in the
/// binary so charts look the same on any machine, with no system fonts.
pub const FONT: &str = "sans-serif";

static FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// Registers the embedded fonts with plotters (once per process).
pub fn init_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The fonts are compiled in: failure here is a build defect, caught by every chart test.
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_REGULAR).unwrap_or_else(|_| panic!("embedded Noto Sans Regular is not a valid font"));
        plotters::style::register_font(FONT, FontStyle::Bold, FONT_BOLD).unwrap_or_else(|_| panic!("embedded Noto Sans Bold is not a valid font"));
    });
}

/// The Okabe–Ito palette: distinguishable with every common colour-vision deficiency.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(230, 159, 0),   // orange
    RGBColor(240, 228, 66),  // yellow
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(0, 0, 0),       // black
];

/// Ink for text and axes.
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Secondary text.
pub const MUTED: RGBColor = RGBColor(96, 96, 96);
/// Suppressed segments.
pub const HIDDEN: RGBColor = RGBColor(210, 210, 210);

/// Whether white text reads better than black on a colour.
pub fn light_text_on(c: &RGBColor) -> bool {
    let l = 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    l < 120.0
}

/// The texts around a chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    /// Headline.
    pub title: String,
    /// What, who, when, n.
    pub subtitle: String,
    /// Source lines.
    pub sources: Vec<String>,
    /// Shown in red when the data is synthetic.
    pub note: Option<String>,
}

/// Space taken by the frame at the top and bottom, in pixels at scale 1.
pub const TOP: u32 = 78;
/// See [`TOP`].
pub fn bottom(frame: &Frame) -> u32 {
    14 + 18 * (frame.sources.len() as u32 + u32::from(frame.note.is_some()))
}

/// Draws the title, subtitle, sources and note; returns the area left for the chart.
pub fn draw_frame<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    s: f64,
) -> std::result::Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |v: f64| (v * s).round() as i32;
    area.fill(&WHITE)?;
    let (w, h) = area.dim_in_pixel();
    let title = (FONT, 22.0 * s, FontStyle::Bold).into_font().color(&INK);
    let sub = (FONT, 13.5 * s).into_font().color(&MUTED);
    area.draw_text(&frame.title, &title, (px(20.0), px(14.0)))?;
    area.draw_text(&frame.subtitle, &sub, (px(20.0), px(46.0)))?;
    let small = (FONT, 11.5 * s).into_font().color(&MUTED);
    let mut y = h as i32 - px(bottom(frame) as f64) + px(6.0);
    for line in &frame.sources {
        area.draw_text(line, &small, (px(20.0), y))?;
        y += px(18.0);
    }
    if let Some(note) = &frame.note {
        let red = (FONT, 11.5 * s, FontStyle::Bold).into_font().color(&RGBColor(180, 30, 30));
        area.draw_text(note, &red, (px(20.0), y))?;
    }
    let _ = w;
    Ok(area.margin(px(TOP as f64), px(bottom(frame) as f64), 0, 0))
}

/// A chart that can be drawn at any scale on any backend.
pub trait Chart {
    /// File name without extension.
    fn name(&self) -> String;
    /// Size at scale 1 (the SVG's size).
    fn size(&self) -> (u32, u32);
    /// Draws the chart.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: f64,
    ) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>>;
}

/// Renders a chart as `<dir>/<name>.svg` and `<dir>/<name>.png` (at twice the size), both
/// written atomically. Returns the two paths.
pub fn render(chart: &impl Chart, dir: &Path) -> Result<Vec<PathBuf>> {
    init_fonts();
    let name = chart.name();
    let err = |message: String| Error::Chart { name: name.clone(), message };
    let (w, h) = chart.size();
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        chart.draw(&area, 1.0).map_err(|e| err(e.to_string()))?;
        area.present().map_err(|e| err(e.to_string()))?;
    }
    let svg_path = dir.join(format!("{name}.svg"));
    files::write_bytes(&svg_path, svg.as_bytes())?;
    let png_path = dir.join(format!("{name}.png"));
    let scale = 2u32;
    let mut pixels = vec![0u8; (w * scale * h * scale * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (w * scale, h * scale)).into_drawing_area();
        chart.draw(&area, f64::from(scale)).map_err(|e| err(e.to_string()))?;
        area.present().map_err(|e| err(e.to_string()))?;
    }
    let png = encode_png(&pixels, w * scale, h * scale).map_err(|e| err(e.to_string()))?;
    files::write_bytes(&png_path, &png)?;
    Ok(vec![svg_path, png_path])
}

/// Encodes RGB pixels as PNG (deterministic: no timestamps).
fn encode_png(rgb: &[u8], w: u32, h: u32) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // 300 dpi in pixels per metre, so a print layout places it at its intended size.
        enc.set_pixel_dims(Some(png::PixelDimensions { xppu: 11811, yppu: 11811, unit: png::Unit::Meter }));
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}
