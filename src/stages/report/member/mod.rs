//! Each member's own report, `output/<year>/members/<member>/`: confidential, kept apart from
//! the public outputs. `report.html` (self-contained, in the member's language from the
//! registry), `charts/<chart>-<lang>.{svg,png}` (+ `-web.png`) and `tables.xlsx`.
//!
//! The member's own figures are exact (it is the school's own data, from the unsuppressed
//! transform tables); the association's and the country's are the public tables' cells, as
//! published ([`model`]). A member's report is written again only when what it shows changed:
//! its model's sha256 (with the kooste version) is kept in `stages/report/members-state.json`
//! beside the sha256 of each file written; a member whose model and files are unchanged is
//! left as it is, so a one-member edit re-renders that member's report alone.

mod book;
pub mod model;
mod page;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::html::Figure;
use crate::charts::grouped::{Group, GroupedBars, Scale, Series};
use crate::charts::labels::{self, Key};
use crate::charts::{self, Chart, Frame};
use crate::config::Config;
use crate::files;
use crate::Result;
use model::{Cell, Inputs, Model};

/// What the member reports' step did.
#[derive(Default)]
pub struct Written {
    /// Every file of every member report (rendered now or kept), for the stage's outputs.
    pub files: Vec<PathBuf>,
    /// The PNGs still to draw.
    pub rasters: Vec<charts::Raster>,
    /// The members whose report was rendered in this run.
    pub rendered: Vec<String>,
    /// The members whose report was unchanged and kept.
    pub unchanged: Vec<String>,
    /// The state file.
    pub state: PathBuf,
}

#[derive(Default, Serialize, Deserialize)]
struct State {
    members: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    /// sha256 of the model and the kooste version.
    model: String,
    /// Files written (relative to the year folder) → sha256. PNGs are recorded once drawn.
    files: BTreeMap<String, String>,
}

/// The members' folder.
pub fn dir(config: &Config) -> PathBuf {
    config.year_dir().join("members")
}

fn state_path(config: &Config) -> PathBuf {
    config.stage_dir("report").join("members-state.json")
}

/// Writes (or keeps) every member's report.
pub fn write_all(config: &Config, inputs: &Inputs<'_>) -> Result<Written> {
    let year_dir = config.year_dir();
    let state_path = state_path(config);
    let old: State = std::fs::read(&state_path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let mut new = State::default();
    let mut out = Written { state: state_path.clone(), ..Written::default() };
    let members: Vec<&crate::registry::Member> = config.registry.members().iter().filter(|m| m.ytunnus_in(config.year).is_some()).collect();
    let mut jobs = Vec::new();
    for m in &members {
        let model = model::build(config, &m.id, inputs);
        let hash = files::sha256_hex(format!("{}\n{}", env!("CARGO_PKG_VERSION"), serde_json::to_string(&model).unwrap_or_default()).as_bytes());
        let kept = old.members.get(&m.id).filter(|e| {
            e.model == hash
                && !e.files.is_empty()
                && e.files.iter().all(|(rel, sha)| files::sha256_file(&year_dir.join(rel)).is_ok_and(|s| &s == sha))
        });
        if let Some(e) = kept {
            out.files.extend(e.files.keys().map(|rel| year_dir.join(rel)));
            out.unchanged.push(m.id.clone());
            new.members.insert(m.id.clone(), Entry { model: hash, files: e.files.clone() });
            continue;
        }
        jobs.push((m.id.clone(), model, hash));
    }
    // The reports to draw again, on every core.
    let drawn = crate::stages::par_map(&jobs, |(id, model, _)| -> Result<(Vec<PathBuf>, Vec<charts::Raster>, BTreeMap<String, String>)> {
        let member_dir = dir(config).join(id);
        let (paths, rasters) = render(config, model, &member_dir)?;
        // What the member's folder held and this render did not write goes.
        let expected: Vec<PathBuf> = paths.iter().cloned().chain(rasters.iter().flat_map(charts::Raster::paths)).collect();
        sweep(&member_dir, &expected)?;
        let mut files_of = BTreeMap::new();
        for p in &paths {
            files_of.insert(rel(&year_dir, p), files::sha256_file(p)?);
        }
        // PNG hashes are filled in after they are drawn (see [`finish`]).
        for p in rasters.iter().flat_map(charts::Raster::paths) {
            files_of.insert(rel(&year_dir, &p), String::new());
        }
        Ok((paths, rasters, files_of))
    });
    for ((id, _, hash), drawn) in jobs.into_iter().zip(drawn) {
        let (paths, rasters, files_of) = drawn?;
        out.files.extend(paths);
        out.rasters.extend(rasters);
        out.rendered.push(id.clone());
        new.members.insert(id, Entry { model: hash, files: files_of });
    }
    // A member no longer in the registry keeps no report.
    if let Ok(entries) = std::fs::read_dir(dir(config)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if e.path().is_dir() && !members.iter().any(|m| m.id == name) {
                std::fs::remove_dir_all(e.path()).map_err(|source| crate::Error::File(files::FileError::Io { path: e.path(), source }))?;
            }
        }
    }
    let bytes = serde_json::to_vec_pretty(&new).unwrap_or_default();
    files::write_bytes(&state_path, &bytes)?;
    Ok(out)
}

/// After the PNGs are drawn: records their sha256 in the state, so a kept report is checked
/// whole next time.
pub fn finish(config: &Config) -> Result<()> {
    let year_dir = config.year_dir();
    let path = state_path(config);
    let Ok(bytes) = std::fs::read(&path) else { return Ok(()) };
    let mut state: State = serde_json::from_slice(&bytes).unwrap_or_default();
    for e in state.members.values_mut() {
        for (rel, sha) in e.files.iter_mut() {
            if sha.is_empty() {
                *sha = files::sha256_file(&year_dir.join(rel.as_str()))?;
            }
        }
    }
    files::write_bytes(&path, &serde_json::to_vec_pretty(&state).unwrap_or_default())?;
    Ok(())
}

fn rel(base: &Path, p: &Path) -> String {
    p.strip_prefix(base).unwrap_or(p).to_string_lossy().replace('\\', "/")
}

/// Removes files under `dir` that are not in `keep`.
fn sweep(dir: &Path, keep: &[PathBuf]) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sweep(&p, keep)?;
        } else if !keep.contains(&p) {
            std::fs::remove_file(&p).map_err(|source| crate::Error::File(files::FileError::Io { path: p.clone(), source }))?;
        }
    }
    Ok(())
}

/// Renders one member's report: the charts' SVGs, the page and the workbook. Returns the
/// files written and the PNGs to draw.
fn render(config: &Config, model: &Model, dir: &Path) -> Result<(Vec<PathBuf>, Vec<charts::Raster>)> {
    let chart_dir = dir.join("charts");
    let mut paths = Vec::new();
    let mut rasters = Vec::new();
    let mut figures = Vec::new();
    for (chart, table) in charts_of(model) {
        let rendered = charts::render(&chart, &chart_dir)?;
        paths.extend(rendered.paths.iter().cloned());
        rasters.push(rendered.raster);
        figures.push((Figure { id: chart.name(), title: chart.frame().title.clone(), alt: chart.alt(), svg: rendered.svg, data: chart.data() }, table));
    }
    let html = page::render(model, &figures, &config.run_id);
    let page_path = dir.join("report.html");
    files::write_bytes(&page_path, html.as_bytes())?;
    paths.push(page_path);
    let xlsx = dir.join("tables.xlsx");
    book::write(model, &xlsx)?;
    paths.push(xlsx);
    Ok((paths, rasters))
}

fn share(c: &Cell) -> Option<f64> {
    match c {
        Cell::Share(v) => Some(*v),
        _ => None,
    }
}

fn number(c: &Cell) -> Option<f64> {
    match c {
        Cell::Int(n) => Some(*n as f64),
        Cell::Ratio(v) | Cell::Share(v) => Some(*v),
        _ => None,
    }
}

fn text_of(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Year(y) => y.to_string(),
        _ => String::new(),
    }
}

/// The member report's charts, each drawn from the cells of the table named beside it.
pub fn charts_of(model: &Model) -> Vec<(GroupedBars, &'static str)> {
    let lang = model.lang;
    let frame = |id: &str, subtitle: String, sources: Vec<String>| Frame { title: text::chart_title(lang, id).to_owned(), subtitle, sources, note: model.note.clone() };
    let survey = labels::text(lang, Key::SourceSurvey).replace("{year}", &model.year.to_string());
    let mut out = Vec::new();
    if let Some(t) = &model.classes {
        // The own shares (column 2), then the association's and the country's where the table
        // has them (columns 3–5; not without the benchmark table).
        let compared = t.header.len() > 3;
        let mut series = vec![Series { label: model.name.clone(), color: 5 }];
        let mut sources = vec![survey.clone()];
        if compared {
            series.extend([
                Series { label: labels::text(lang, Key::Association).into(), color: 0 },
                Series { label: labels::text(lang, Key::Field02).into(), color: 3 },
                Series { label: labels::text(lang, Key::AllFields).into(), color: 1 },
            ]);
            sources.push(labels::text(lang, Key::SourceStatfin).replace("{table}", "sijk/111l"));
        }
        let columns = 2..2 + series.len();
        out.push((
            GroupedBars {
                name: format!("placement-{}", lang.code()),
                lang,
                frame: frame(if compared { "placement" } else { "placement_own" }, t.note.split(". ").next().unwrap_or("").to_owned(), sources),
                series,
                groups: t.rows.iter().map(|r| Group { label: text_of(&r[0]), values: r[columns.clone()].iter().map(share).collect() }).collect(),
                scale: Scale::Percent,
                group_header: t.header[0].clone(),
            },
            "classes",
        ));
    }
    if let Some(t) = &model.enrolment {
        out.push((
            GroupedBars {
                name: format!("enrolment-{}", lang.code()),
                lang,
                frame: frame("enrolment", model.name.clone(), model.sources.iter().filter(|s| s.contains("Vipunen")).cloned().collect()),
                series: (1..4).map(|c| Series { label: labels::code(lang, crate::stages::transform::COUNTS[c - 1]).unwrap_or("").to_owned(), color: [2, 0, 3][c - 1] }).collect(),
                groups: t.rows.iter().map(|r| Group { label: text_of(&r[0]), values: (1..4).map(|c| number(&r[c])).collect() }).collect(),
                scale: Scale::Count,
                group_header: t.header[0].clone(),
            },
            "enrolment",
        ));
    }
    if let Some(t) = &model.intake {
        // The table alternates own and association rows by qualification.
        let groups = t.rows.chunks(2).map(|pair| Group { label: text_of(&pair[0][0]), values: pair.iter().map(|r| number(&r[5])).collect() }).collect();
        out.push((
            GroupedBars {
                name: format!("intake-{}", lang.code()),
                lang,
                frame: frame("intake", labels::column(lang, "applicants_per_place").to_owned(), vec![survey]),
                series: vec![Series { label: model.name.clone(), color: 5 }, Series { label: labels::text(lang, Key::Association).into(), color: 0 }],
                groups,
                scale: Scale::Ratio,
                group_header: t.header[0].clone(),
            },
            "intake",
        ));
    }
    out
}
