//! Stage 5, report: the disclosed tables → published tables and charts.
//!
//! In: `stages/disclose/*.parquet`, `stages/transform/reconciliation.parquet`, the returns'
//! summary and findings from ingest, and the Vipunen snapshot's provenance (for the source
//! lines). Out, for machines: `output/<year>/tables/<table>.csv` and `tables.xlsx` (codes, the
//! contract's columns) and `checks/reconciliation.csv`; for people, per language,
//! `output/<year>/<lang>/`: `tables.xlsx` (formatted, localised), `<table>.csv` (localised),
//! `charts/<chart>-<lang>.{svg,png}` (+ `-web.png`) and `report.html`. Charts are drawn from
//! the very frames the tables are written from, so every figure in a chart is in its table.

use super::disclose::{SECONDARY, primary_flag};
use super::{Stage, StageReport, load};
use crate::charts::labels::{self, Key};
use crate::charts;
use crate::config::Config;
use crate::files;
use crate::record::{Quarantined, ReturnsSummary};
use crate::sources::Snapshot;
use crate::{FrameContext, Result};
mod figures;
mod html;
pub mod localized;
pub mod member;
mod tables;

use figures::{placement_trend_chart, applicants_chart, applicants_check_chart, benchmark_chart, coverage_chart, enrolment_chart, field_chart, key_figures_card, orientation_chart, placement_chart};
pub use tables::*;

/// Writes the tables and charts.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Report);
    let placement = load(config, &mut report, Stage::Disclose, "placement")?;
    let by_member = load(config, &mut report, Stage::Disclose, "placement_by_member")?;
    let enrolment = load(config, &mut report, Stage::Disclose, "enrolment")?;
    let dir = config.year_dir();
    let tables = dir.join("tables");
    let figures = load(config, &mut report, Stage::Disclose, "key_figures")?;
    let mut published = vec![
        ("placement", published_placement(&placement).ctx("published placement")?),
        ("placement_by_member", published_by_member(&by_member).ctx("published placement by member")?),
        ("enrolment", published_enrolment(&enrolment).ctx("published enrolment")?),
        ("key_figures", published_key_figures(&figures).ctx("published key figures")?),
    ];
    if config.pipeline.sources.contains_key("placement_benchmark") {
        let bench = load(config, &mut report, Stage::Disclose, "placement_benchmark")?;
        published.push(("placement_benchmark", published_benchmark(&bench).ctx("published benchmark")?));
    }
    if config.pipeline.sources.contains_key("applicants") {
        let table = load(config, &mut report, Stage::Disclose, "applicants")?;
        published.push(("applicants", published_applicants(&table).ctx("published applicants")?));
    }
    // The trend tables: every survey year, beside the year's own.
    let t = load(config, &mut report, Stage::Disclose, "placement_trend")?;
    published.push(("placement_trend", tables::published_trend(&t, &tables::PLACEMENT_TREND_COLUMNS).ctx("published placement trend")?));
    let member_trend = load(config, &mut report, Stage::Disclose, "placement_by_member_trend")?;
    let t = &member_trend;
    published.push(("placement_by_member_trend", tables::published_trend(t, &tables::PLACEMENT_BY_MEMBER_TREND_COLUMNS).ctx("published members' trend")?));
    let t = load(config, &mut report, Stage::Disclose, "intake_trend")?;
    published.push(("intake_trend", tables::published_intake_trend(&t).ctx("published intake trend")?));
    for (name, df) in published.iter_mut() {
        let path = tables.join(format!("{name}.csv"));
        files::write_csv(&path, df)?;
        report.rows.insert((*name).into(), df.height());
        report.output(&path)?;
    }
    let xlsx = tables.join("tables.xlsx");
    write_workbook(&xlsx, &published.iter().map(|(n, d)| (*n, d)).collect::<Vec<_>>())?;
    report.output(&xlsx)?;
    // The reconciliation is the association's own check, not a published table: it goes to
    // checks/, straight from transform.
    let mut check = load(config, &mut report, Stage::Transform, "reconciliation")?;
    let flagged = check.column("flagged").ctx("reconciliation")?.bool().ctx("reconciliation")?.sum().unwrap_or(0);
    if flagged > 0 {
        tracing::warn!(flagged, "Returns whose graduates differ from Vipunen's beyond the tolerance (checks/reconciliation.csv).");
    }
    let check_path = dir.join("checks").join("reconciliation.csv");
    files::write_csv(&check_path, &mut check)?;
    report.output(&check_path)?;
    if config.pipeline.sources.contains_key("applicants") {
        // The applicants reconciliation in full, unsuppressed, beside the published one.
        let mut check = load(config, &mut report, Stage::Transform, "applicants")?;
        let flagged = check.column("flagged").ctx("applicants")?.bool().ctx("applicants")?.sum().unwrap_or(0);
        if flagged > 0 {
            tracing::warn!(flagged, "Returns whose intake differs from Vipunen's beyond the tolerance (checks/applicants.csv).");
        }
        let path = dir.join("checks").join("applicants.csv");
        files::write_csv(&path, &mut check)?;
        report.output(&path)?;
    }

    let vipunen_date = match config.pipeline.sources.get("enrolment") {
        Some(spec) => {
            let snapshot = config.raw.join(spec.snapshot_path());
            let sidecar = Snapshot::sidecar_path(&snapshot);
            let date = Snapshot::load_provenance(&snapshot).ok().and_then(|p| p.dataset_updated).unwrap_or_default();
            if sidecar.is_file() {
                report.input(&sidecar)?;
            }
            date
        }
        None => String::new(),
    };
    let returns = returns_summary(config, &mut report)?;
    let coverage = crate::collection::publish::load(config, &mut report)?;
    // The grey segment holds small counts and the cells hidden to protect them.
    let primary = primary_flag(config.pipeline.disclosure.threshold);
    let flag = format!("{primary}, {SECONDARY}");
    let merged = localized::MergedNote::of(&load(config, &mut report, Stage::Disclose, "merged_orientations")?).ctx("merged orientations")?;
    let localized = localized::Localized { config, tables: &published, primary, vipunen_date: vipunen_date.clone(), merged, coverage: coverage.as_ref() };
    let t0 = std::time::Instant::now();
    // The languages are independent: drawn on every core.
    let people = People { config, member_trend: &member_trend, by_member: &by_member, enrolment: &enrolment, placement: &placement, published: &published, localized: &localized, returns: &returns, flag: &flag, vipunen_date: &vipunen_date, coverage: coverage.as_ref() };
    let results: Vec<Result<(Vec<std::path::PathBuf>, Vec<charts::Raster>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = config.pipeline.languages.iter().map(|&lang| { let people = &people; s.spawn(move || people.write(lang)) }).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    tracing::debug!(ms = t0.elapsed().as_millis() as u64, "Tables, localised tables, SVGs and pages written.");
    let mut rasters = Vec::new();
    for r in results {
        let (paths, r) = r?;
        for path in paths {
            report.output(&path)?;
        }
        rasters.extend(r);
    }
    // The PNGs, every chart's on every core; a chart whose SVG did not change keeps its PNGs.
    let cache = charts::PngCache::load(&dir, &config.stage_dir("report").join("png-cache.json"));
    for paths in super::par_map(&rasters, |r| charts::rasterize(r, &cache)) {
        for path in paths? {
            report.output(&path)?;
        }
    }
    report.output(&cache.save()?)?;
    tracing::debug!(ms = t0.elapsed().as_millis() as u64, pngs = rasters.len() * 2, "PNGs drawn.");
    write_members(config, &mut report, &published, &localized, &vipunen_date)?;
    Ok(report)
}

/// What one language's folder is made from.
struct People<'a> {
    config: &'a Config,
    /// The disclosed `placement_by_member_trend`.
    member_trend: &'a polars::prelude::DataFrame,
    by_member: &'a polars::prelude::DataFrame,
    enrolment: &'a polars::prelude::DataFrame,
    placement: &'a polars::prelude::DataFrame,
    published: &'a [(&'static str, polars::prelude::DataFrame)],
    localized: &'a localized::Localized<'a>,
    returns: &'a ReturnsSummary,
    flag: &'a str,
    vipunen_date: &'a str,
    /// Whom the survey figures cover (from ingest).
    coverage: Option<&'a crate::collection::Coverage>,
}

impl People<'_> {
    /// Writes `output/<year>/<lang>/`: tables, charts and the report page. Returns the paths.
    fn write(&self, lang: crate::domain::Lang) -> Result<(Vec<std::path::PathBuf>, Vec<charts::Raster>)> {
        let (config, flag, vipunen_date) = (self.config, self.flag, self.vipunen_date);
        let (by_member, enrolment, placement, published, localized, returns) =
            (self.by_member, self.enrolment, self.placement, self.published, self.localized, self.returns);
        let mut written: Vec<std::path::PathBuf> = Vec::new();
        let mut rasters: Vec<charts::Raster> = Vec::new();
        let report = &mut (&mut written, &mut rasters);
        let lang_dir = config.year_dir().join(lang.code());
        report.0.extend(localized.write(lang, &lang_dir)?);
        let chart_dir = lang_dir.join("charts");
        let note = config.synthetic().then(|| labels::text(lang, Key::SyntheticNote).to_owned());
        // The survey charts say whom they cover when not every member is in.
        let who = crate::collection::publish::partial_label(self.coverage, lang);
        let who = who.as_deref();
        let placement_chart = placement_chart(config, by_member, lang, note.clone(), flag, who).ctx("placement chart")?;
        let enrolment_chart = enrolment_chart(config, enrolment, lang, note.clone(), vipunen_date).ctx("enrolment chart")?;
        let table = |name: &str| published.iter().find(|(n, _)| *n == name).map(|(_, d)| d);
        let mut figures = Vec::new();
        if let Some(kf) = table("key_figures") {
            figures.push(figure(&key_figures_card(config, kf, lang, note.clone(), false, vipunen_date), &chart_dir, report)?);
            // The social-media size is a file only.
            let social = key_figures_card(config, kf, lang, note.clone(), true, vipunen_date);
            figure(&social, &chart_dir, report)?;
        }
        figures.push(figure(&placement_chart, &chart_dir, report)?);
        let trend = placement_trend_chart(config, self.member_trend, lang, note.clone(), flag, who).ctx("placement trend chart")?;
        figures.push(figure(&trend, &chart_dir, report)?);
        let by_orientation = orientation_chart(config, placement, lang, note.clone(), flag, who).ctx("placement by orientation chart")?;
        figures.push(figure(&by_orientation, &chart_dir, report)?);
        if let Some(chart) = table("placement_benchmark").and_then(|b| benchmark_chart(config, b, lang, note.clone(), who)) {
            figures.push(figure(&chart, &chart_dir, report)?);
        }
        figures.push(figure(&enrolment_chart, &chart_dir, report)?);
        if let Some(kf) = table("key_figures") {
            figures.push(figure(&field_chart(config, kf, lang, note.clone(), vipunen_date), &chart_dir, report)?);
        }
        if let Some(e) = table("enrolment") {
            figures.push(figure(&applicants_chart(config, e, lang, note.clone(), who), &chart_dir, report)?);
            figures.push(figure(&coverage_chart(config, e, lang, note.clone(), vipunen_date, who), &chart_dir, report)?);
        }
        if let Some(a) = table("applicants") {
            figures.push(figure(&applicants_check_chart(config, a, lang, note.clone(), vipunen_date, who), &chart_dir, report)?);
        }
        let mut sources: Vec<String> = Vec::new();
        for t in ["placement", "enrolment", "placement_benchmark", "applicants"] {
            for s in localized::sources(lang, t, config.year, vipunen_date) {
                if !sources.contains(&s) {
                    sources.push(s);
                }
            }
        }
        let page = html::Page {
            lang,
            year: config.year,
            run_id: &config.run_id,
            figures,
            returns,
            legend: localized.legend(lang).into_iter().chain(localized.merged_notes(lang)).collect(),
            sources,
            note,
            coverage: self.coverage.map(|c| (crate::collection::publish::lines(config, c, lang), crate::collection::publish::table(config, c, lang))),
        };
        let path = lang_dir.join("report.html");
        files::write_bytes(&path, html::render(&page).as_bytes())?;
        written.push(path);
        Ok((written, rasters))
    }
}


/// Renders a chart into `dir`, records its files, and returns it for the HTML page.
fn figure(
    chart: &impl charts::Chart,
    dir: &std::path::Path,
    out: &mut (&mut Vec<std::path::PathBuf>, &mut Vec<charts::Raster>),
) -> Result<html::Figure> {
    let rendered = charts::render(chart, dir)?;
    out.0.extend(rendered.paths.iter().cloned());
    out.1.push(rendered.raster);
    Ok(html::Figure { id: chart.name(), title: chart.frame().title.clone(), alt: chart.alt(), svg: rendered.svg, data: chart.data() })
}

/// The returns as ingest left them, for the report page: from `stages/ingest/returns.parquet`
/// and the first error of each quarantined return from `findings.json`.
fn returns_summary(config: &Config, report: &mut StageReport) -> Result<ReturnsSummary> {
    let df = load(config, report, Stage::Ingest, "returns")?;
    let findings_path = config.year_dir().join("findings.json");
    let findings: Vec<crate::survey::Finding> = match std::fs::read(&findings_path) {
        Ok(bytes) => {
            report.input(&findings_path)?;
            serde_json::from_slice(&bytes).unwrap_or_default()
        }
        Err(_) => Vec::new(),
    };
    let text = |c: &str, i: usize| df.column(c).ok().and_then(|s| s.get(i).ok()).map(|v| v.str_value().to_string()).unwrap_or_default();
    let mut summary = ReturnsSummary::default();
    for i in 0..df.height() {
        let errors: usize = text("errors", i).parse().unwrap_or(0);
        summary.errors += errors;
        summary.warnings += text("warnings", i).parse::<usize>().unwrap_or(0);
        if text("accepted", i) == "true" {
            summary.accepted += 1;
        } else {
            let file = text("file", i);
            let first_error = findings.iter().find(|f| f.file == file && f.is_error()).map(|f| {
                let place = [f.sheet.as_deref(), f.cell.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("!");
                format!("{place} {}: {}", f.rule.code(), f.message_en).trim().to_owned()
            });
            let member = Some(text("member_id", i)).filter(|m| !m.is_empty() && m != "null");
            summary.quarantined.push(Quarantined { file, member, errors, first_error });
        }
    }
    Ok(summary)
}

/// Each member's own report (`members/<member>/`), written again only where its figures
/// changed ([`member`]).
fn write_members(
    config: &Config,
    report: &mut StageReport,
    published: &[(&'static str, polars::prelude::DataFrame)],
    localized: &localized::Localized<'_>,
    vipunen_date: &str,
) -> Result<()> {
    let own_placement = load(config, report, Stage::Transform, "placement")?;
    let own_enrolment = load(config, report, Stage::Transform, "enrolment")?;
    let reconciliation = load(config, report, Stage::Transform, "reconciliation")?;
    let applicants = if config.pipeline.sources.contains_key("applicants") { Some(load(config, report, Stage::Transform, "applicants")?) } else { None };
    let returns = load(config, report, Stage::Ingest, "returns")?;
    let findings: Vec<crate::survey::Finding> =
        std::fs::read(config.year_dir().join("findings.json")).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let legend = |lang| localized.legend(lang);
    let inputs = member::model::Inputs {
        own_placement: &own_placement,
        own_enrolment: &own_enrolment,
        reconciliation: &reconciliation,
        applicants: applicants.as_ref(),
        published,
        findings: &findings,
        returns: &returns,
        legend: &legend,
        vipunen_date,
        coverage: localized.coverage,
        rows: Default::default(),
    };
    let written = member::write_all(config, &inputs)?;
    let cache = charts::PngCache::load(&config.year_dir(), &config.stage_dir("report").join("members-png-cache.json"));
    for kept in written.files.iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
        cache.keep(kept);
    }
    for paths in super::par_map(&written.rasters, |r| charts::rasterize(r, &cache)) {
        paths?;
    }
    report.output(&cache.save()?)?;
    member::finish(config)?;
    for path in &written.files {
        report.output(path)?;
    }
    for raster in &written.rasters {
        for path in raster.paths() {
            report.output(&path)?;
        }
    }
    report.output(&written.state)?;
    report.details.insert("members".into(), serde_json::json!({ "rendered": written.rendered, "unchanged": written.unchanged }));
    Ok(())
}
