//! Charts for publication, drawn with plotters: the embedded font, the colour-blind-safe
//! palette, the frame every chart shares (title, subtitle, source, synthetic-data note) and
//! rendering to SVG and PNG with atomic writes.
//!
//! In: chart data built by the report stage from the disclosed tables. Out: `<name>.svg` (with
//! alt text), `<name>.png` (print: twice the SVG's size, 300 dpi) and `<name>-web.png` (at most
//! 800 pixels wide) per chart and language.

pub mod card;
pub mod enrolment;
pub mod grouped;
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
/// binary so the PNGs look the same on any machine, with no system fonts. (plotters registers
/// the embedded font under this name; the SVGs name Noto Sans, see [`SVG_FONT`].)
pub const FONT: &str = "sans-serif";

/// The font the SVGs ask for: Noto Sans, which the HTML report embeds; elsewhere a viewer
/// without it falls back to its sans-serif.
pub const SVG_FONT: &str = "'Noto Sans', sans-serif";

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

/// Whether white text reads better than black on a colour (the higher WCAG contrast).
pub fn light_text_on(c: &RGBColor) -> bool {
    contrast(c, &WHITE) > contrast(c, &BLACK)
}

/// WCAG 2 relative luminance of a colour.
pub fn luminance(c: &RGBColor) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG 2 contrast ratio of two colours (1 to 21).
pub fn contrast(a: &RGBColor, b: &RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The contrast text needs on white (WCAG 2 AA for normal text).
pub const TEXT_CONTRAST: f64 = 4.5;

/// A palette colour as text on white: the colour itself when it reaches [`TEXT_CONTRAST`],
/// else the lightest darker shade of it (the same hue) that does. Areas keep the palette.
pub fn text_shade(c: &RGBColor) -> RGBColor {
    let mut k = 1.0;
    loop {
        let shade = RGBColor((f64::from(c.0) * k).round() as u8, (f64::from(c.1) * k).round() as u8, (f64::from(c.2) * k).round() as u8);
        if contrast(&shade, &WHITE) >= TEXT_CONTRAST || k <= 0.0 {
            return shade;
        }
        k -= 0.01;
    }
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

/// Space taken by the frame at the top (with a one-line subtitle) and bottom, in pixels at
/// scale 1.
pub const TOP: u32 = 78;

/// The subtitle's font size.
const SUBTITLE: f64 = 15.0;

/// The subtitle in lines that fit the chart's width (`w` at scale 1) in a wide fallback font.
pub fn subtitle_lines(frame: &Frame, w: u32) -> Vec<String> {
    let room = f64::from(w) - 40.0;
    let mut lines: Vec<String> = Vec::new();
    for word in frame.subtitle.split(' ') {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), SUBTITLE, false) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// Space taken by the frame at the top of a chart `w` wide: [`TOP`] and a line more for each
/// line the subtitle wraps to.
pub fn top(frame: &Frame, w: u32) -> u32 {
    TOP + 20 * (subtitle_lines(frame, w).len().max(1) as u32 - 1)
}
/// See [`TOP`].
pub fn bottom(frame: &Frame) -> u32 {
    14 + 20 * (frame.sources.len() as u32 + u32::from(frame.note.is_some()))
}

/// A generous estimate of a text's width in pixels at a font size: the advances of DejaVu Sans
/// (among the widest sans-serifs a viewer falls back to where Noto Sans is missing), so a
/// layout made with it has room in any font. Bold is a tenth wider.
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | 'I' | 'J' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' => 0.30,
            ' ' | '\u{a0}' | '(' | ')' | '[' | ']' | '-' | '–' => 0.36,
            'f' | 't' | 'r' => 0.42,
            'm' | 'w' | 'M' | 'W' | '%' => 0.98,
            c if c.is_ascii_digit() => 0.64,
            c if c.is_uppercase() => 0.74,
            _ => 0.63,
        })
        .sum();
    em * size * if bold { 1.1 } else { 1.0 }
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
    let sub = (FONT, SUBTITLE * s).into_font().color(&MUTED);
    area.draw_text(&frame.title, &title, (px(20.0), px(14.0)))?;
    let width = (f64::from(w) / s).round() as u32;
    for (i, line) in subtitle_lines(frame, width).iter().enumerate() {
        area.draw_text(line, &sub, (px(20.0), px(46.0 + 20.0 * i as f64)))?;
    }
    let small = (FONT, MIN_FONT * s).into_font().color(&MUTED);
    let mut y = h as i32 - px(bottom(frame) as f64) + px(6.0);
    for line in &frame.sources {
        area.draw_text(line, &small, (px(20.0), y))?;
        y += px(20.0);
    }
    if let Some(note) = &frame.note {
        let red = (FONT, MIN_FONT * s, FontStyle::Bold).into_font().color(&RGBColor(180, 30, 30));
        area.draw_text(note, &red, (px(20.0), y))?;
    }
    Ok(area.margin(px(top(frame, width) as f64), px(bottom(frame) as f64), 0, 0))
}

/// How a data table shows a figure the chart leaves grey (suppressed, or hidden with one).
pub const SUPPRESSED_CELL: &str = "..";

/// A chart's figures as a table: what screen readers and the report show beside the chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataTable {
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of formatted cells.
    pub rows: Vec<Vec<String>>,
}

/// A chart that can be drawn at any scale on any backend.
pub trait Chart {
    /// File name without extension.
    fn name(&self) -> String;
    /// The title, subtitle and source lines.
    fn frame(&self) -> &Frame;
    /// A text alternative generated from the data (the SVG's `<desc>`).
    fn alt(&self) -> String;
    /// The figures drawn, as a table.
    fn data(&self) -> DataTable;
    /// For a chart made for one pixel size (a social-media image): that size, and only that
    /// PNG is drawn. `None`: print and web PNGs.
    fn pixel_size(&self) -> Option<(u32, u32)> {
        None
    }
    /// Size at scale 1 (the SVG's size).
    fn size(&self) -> (u32, u32);
    /// Draws the chart.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: f64,
    ) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>>;
}

/// Escapes text for XML and HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A rendered chart: the SVG written, its text (for inlining), and the PNGs still to draw.
pub struct Rendered {
    /// `<name>.svg`.
    pub paths: Vec<PathBuf>,
    /// The SVG document.
    pub svg: String,
    /// The PNGs to rasterise from it ([`rasterize`]), kept apart so a caller can draw many
    /// charts' PNGs on every core.
    pub raster: Raster,
}

/// A chart's PNGs to draw: `<name>.png` (print: twice the size, 300 dpi) and `<name>-web.png`
/// (at most [`WEB_WIDTH`] wide).
pub struct Raster {
    name: String,
    svg: String,
    dir: PathBuf,
    size: (u32, u32),
    scales: Vec<(String, f32)>,
}

/// The print PNG's resolution: twice the SVG's pixels at 280 dpi place a 900-pixel chart
/// 16.3 cm wide (an A4 page's text width), where the smallest chart text (14 px) is 7.2 pt.
pub const PRINT_DPI: f64 = 280.0;

/// The smallest font size of chart text, in SVG pixels (see [`PRINT_DPI`]).
pub const MIN_FONT: f64 = 14.0;

/// Widest web PNG, in pixels.
pub const WEB_WIDTH: u32 = 800;

/// Renders a chart as SVG (with `<title>` and `<desc>` alt text), written atomically; the
/// PNGs follow with [`rasterize`].
pub fn render(chart: &impl Chart, dir: &Path) -> Result<Rendered> {
    init_fonts();
    let name = chart.name();
    let err = |message: String| Error::Chart { name: name.clone(), message };
    let (w, h) = chart.size();
    let mut raw = String::new();
    {
        let area = SVGBackend::with_string(&mut raw, (w, h)).into_drawing_area();
        chart.draw(&area, 1.0).map_err(|e| err(e.to_string()))?;
        area.present().map_err(|e| err(e.to_string()))?;
    }
    let svg = accessible_svg(&raw, &name, &chart.frame().title, &chart.alt());
    let svg_path = dir.join(format!("{name}.svg"));
    files::write_bytes(&svg_path, svg.as_bytes())?;
    let scales = match chart.pixel_size() {
        // A chart made for one pixel size (the social-media card) gets that one PNG.
        Some(_) => vec![(format!("{name}.png"), 1.0)],
        None => vec![(format!("{name}.png"), 2.0), (format!("{name}-web.png"), WEB_WIDTH.min(w) as f32 / w as f32)],
    };
    let raster = Raster { name: name.clone(), svg: svg.clone(), dir: dir.to_owned(), size: (w, h), scales };
    Ok(Rendered { paths: vec![svg_path], svg, raster })
}

/// What the PNGs on disk were drawn from, so a chart whose figures did not change is not drawn
/// again: per PNG (by its path under the year's folder), the sha256 of what it is drawn from
/// (the SVG, the scale, the kooste version) and of the PNG written. A PNG is reused only when
/// both still match, so an edited or damaged PNG is drawn anew.
#[derive(Debug, Default)]
pub struct PngCache {
    base: PathBuf,
    path: PathBuf,
    entries: std::sync::Mutex<std::collections::BTreeMap<String, PngEntry>>,
    /// The PNGs of this run: only they are saved.
    used: std::sync::Mutex<std::collections::BTreeMap<String, PngEntry>>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct PngEntry {
    source: String,
    png: String,
}

impl PngCache {
    /// The cache kept in `path`, for PNGs under `base`; empty when the file is missing or
    /// unreadable (everything is drawn).
    pub fn load(base: &Path, path: &Path) -> Self {
        let entries = std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        PngCache { base: base.to_owned(), path: path.to_owned(), entries: std::sync::Mutex::new(entries), used: Default::default() }
    }

    /// Writes the cache (atomically); returns its path.
    pub fn save(&self) -> Result<PathBuf> {
        let entries = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let json = serde_json::to_vec_pretty(&*entries).unwrap_or_default();
        files::write_bytes(&self.path, &json)?;
        Ok(self.path.clone())
    }

    fn key(&self, path: &Path) -> String {
        path.strip_prefix(&self.base).unwrap_or(path).to_string_lossy().replace('\\', "/")
    }

    /// Whether the PNG at `path` is the one drawn from `source`.
    fn fresh(&self, path: &Path, source: &str) -> bool {
        let key = self.key(path);
        let entry = self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        match entry {
            Some(e) if e.source == source && files::sha256_file(path).is_ok_and(|h| h == e.png) => {
                self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(key, e);
                true
            }
            _ => false,
        }
    }

    /// Keeps the entry of a PNG that is not drawn this run but stays (a member report kept
    /// whole, its files checked by their sha256): without it, the next change would draw it
    /// again for nothing.
    pub fn keep(&self, path: &Path) {
        let key = self.key(path);
        if let Some(e) = self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned() {
            self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(key, e);
        }
    }

    fn record(&self, path: &Path, source: String, png: &[u8]) {
        let entry = PngEntry { source, png: files::sha256_hex(png) };
        self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(self.key(path), entry);
    }
}

/// Draws a chart's PNGs from its SVG with the embedded font: what the SVG shows, pixel for
/// pixel; a PNG whose SVG did not change is kept as it is ([`PngCache`]). Returns the paths.
pub fn rasterize(r: &Raster, cache: &PngCache) -> Result<Vec<PathBuf>> {
    let err = |message: String| Error::Chart { name: r.name.clone(), message };
    let (w, h) = r.size;
    let t0 = std::time::Instant::now();
    let sources: Vec<String> = r
        .scales
        .iter()
        .map(|(_, scale)| files::sha256_hex(format!("{} {scale}\n{}", env!("CARGO_PKG_VERSION"), r.svg).as_bytes()))
        .collect();
    let stale: Vec<bool> = r.scales.iter().zip(&sources).map(|((file, _), src)| !cache.fresh(&r.dir.join(file), src)).collect();
    if !stale.contains(&true) {
        tracing::trace!(chart = %r.name, "PNGs up to date");
        return Ok(r.scales.iter().map(|(file, _)| r.dir.join(file)).collect());
    }
    let tree = resvg::usvg::Tree::from_str(&r.svg, &svg_options()).map_err(|e| err(e.to_string()))?;
    let parsed = t0.elapsed().as_micros();
    let mut paths = Vec::new();
    for (((file, scale), source), stale) in r.scales.iter().cloned().zip(sources).zip(stale) {
        if !stale {
            paths.push(r.dir.join(file));
            continue;
        }
        let (pw, ph) = ((w as f32 * scale).round() as u32, (h as f32 * scale).round() as u32);
        let mut pixmap = resvg::tiny_skia::Pixmap::new(pw, ph).ok_or_else(|| err(format!("no {pw}×{ph} image")))?;
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        let dpi = if scale >= 2.0 { PRINT_DPI } else { 96.0 };
        // Opaque on white: the premultiplied RGBA is plain RGB (a quarter less to compress).
        let data = pixmap.data();
        let mut rgb = Vec::with_capacity(data.len() / 4 * 3);
        for p in data.chunks_exact(4) {
            rgb.extend_from_slice(&p[..3]);
        }
        let drawn = t0.elapsed().as_micros();
        let png = encode_png(&rgb, pw, ph, dpi).map_err(|e| err(e.to_string()))?;
        let encoded = t0.elapsed().as_micros();
        let path = r.dir.join(file);
        files::write_bytes(&path, &png)?;
        cache.record(&path, source, &png);
        tracing::trace!(chart = %r.name, parsed, drawn, encoded, written = t0.elapsed().as_micros() as u64, "PNG");
        paths.push(path);
    }
    Ok(paths)
}

/// How the SVGs are read for rasterising: the embedded fonts only, never the system's.
fn svg_options() -> resvg::usvg::Options<'static> {
    static FONTS: std::sync::OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> = std::sync::OnceLock::new();
    let fontdb = FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_font_data(FONT_REGULAR.to_vec());
            db.load_font_data(FONT_BOLD.to_vec());
            db.set_sans_serif_family("Noto Sans");
            std::sync::Arc::new(db)
        })
        .clone();
    resvg::usvg::Options { font_family: "Noto Sans".into(), fontdb, ..Default::default() }
}

/// plotters writes SVG font sizes divided by 1.24 (its bitmap text is measured differently);
/// the charts are designed at the sizes they ask for.
const SVG_FONT_SCALE: f64 = 1.24;

/// Adds `<title>` and `<desc>` (and the ARIA role that makes screen readers use them) to
/// plotters' SVG, and names the embedded font.
fn accessible_svg(raw: &str, id: &str, title: &str, alt: &str) -> String {
    let Some(end) = raw.find("<svg").and_then(|i| raw[i..].find('>').map(|j| i + j)) else { return raw.to_owned() };
    let mut out = String::with_capacity(raw.len() + alt.len() + 200);
    out.push_str(&raw[..end]);
    // Named by the title alone, described by the text alternative (a name of a few words, the
    // figures once).
    out.push_str(&format!(" role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\">"));
    out.push_str(&format!("<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>", escape(title), escape(alt)));
    let body = raw[end + 1..].replace("font-family=\"sans-serif\"", &format!("font-family=\"{SVG_FONT}\""));
    // Font sizes at the size the charts ask for, rounded so the files stay short and stable.
    let mut rest = body.as_str();
    while let Some(i) = rest.find("font-size=\"") {
        let start = i + "font-size=\"".len();
        out.push_str(&rest[..start]);
        let len = rest[start..].find('"').unwrap_or(0);
        match rest[start..start + len].parse::<f64>() {
            Ok(v) => out.push_str(&format!("{:.2}", v * SVG_FONT_SCALE)),
            Err(_) => out.push_str(&rest[start..start + len]),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// Encodes RGB pixels as PNG (deterministic: no timestamps).
fn encode_png(rgb: &[u8], w: u32, h: u32, dpi: f64) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Fast compression: a chart is flat colour, and the larger file is no concern.
        enc.set_compression(png::Compression::Fast);
        // dpi in pixels per metre, so a print layout places it at its intended size.
        let ppm = (dpi / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_colours_reach_the_contrast_on_white_and_on_their_bars() {
        // WCAG's own examples: black on white 21:1, Okabe–Ito orange 2.25:1 on white.
        assert!((contrast(&BLACK, &WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(&OKABE_ITO[3], &WHITE) - 2.25).abs() < 0.01, "{}", contrast(&OKABE_ITO[3], &WHITE));
        for c in OKABE_ITO {
            let shade = text_shade(&c);
            assert!(contrast(&shade, &WHITE) >= TEXT_CONTRAST, "{c:?} → {shade:?}");
            // The same hue: the channels keep their order.
            assert!(shade.0 <= c.0 && shade.1 <= c.1 && shade.2 <= c.2);
            // A label inside a bar of the colour: black or white, whichever reads.
            let ink = if light_text_on(&c) { WHITE } else { BLACK };
            assert!(contrast(&ink, &c) >= TEXT_CONTRAST, "{c:?}: {}", contrast(&ink, &c));
        }
        // Blue reaches it as it is; orange needs a much darker shade.
        assert_eq!(text_shade(&OKABE_ITO[0]), OKABE_ITO[0]);
        assert!(text_shade(&OKABE_ITO[3]).0 < 160);
        for grey in [INK, MUTED] {
            assert!(contrast(&grey, &WHITE) >= TEXT_CONTRAST);
        }
    }
}

impl Raster {
    /// The PNG files this raster writes.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.scales.iter().map(|(file, _)| self.dir.join(file)).collect()
    }
}
