//! Stage 4, disclose: disclosure control, so that no small group of graduates can be
//! identified from anything published. Nothing reaches the report without passing here.
//!
//! In: `stages/transform/{placement,placement_by_member,enrolment,key_figures}.parquet`. Out:
//! `stages/disclose/{placement,placement_by_member,enrolment,key_figures,
//! placement_benchmark}.parquet` — the published rows, with hidden values set to null and a
//! flag column saying why (`1-4`: a small count; `..`: hidden so that a small count cannot be
//! recovered) — and `output/<year>/suppressions.csv`, every hidden cell with its table and rule.
//!
//! Table design comes first: placement is published in detail (eight statuses by qualification
//! and orientation) for the association only, and per member in four classes. The tables
//! published together are one problem ([`crate::disclosure`]): a group's statuses add up to its
//! graduates, orientations to their qualification, qualifications to the association's total;
//! a member's classes add up to its graduates, members to the association's class, and the
//! association's statuses to its classes. In the enrolment table qualifications add up to a
//! member's total and members to the association. A share is hidden with its count.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use polars::prelude::*;
use serde_json::json;

use super::transform::ALL;
use super::{Stage, StageReport, load, persist};
use crate::config::Config;
use crate::disclosure::{Flag, Problem, Total, suppress};
use crate::domain::{PlacementClass, PlacementStatus};
use crate::files;
use crate::{FrameContext, Result};

/// The suppression log's rule for a hidden count that the published figures still give away.
pub const EXPOSED: &str = "exposed";

/// The flag of a secondarily suppressed cell.
pub const SECONDARY: &str = "..";

/// The flag of a primarily suppressed cell for a threshold: `1-4` for 5.
pub fn primary_flag(threshold: u32) -> String {
    if threshold <= 2 { "1".into() } else { format!("1-{}", threshold - 1) }
}

/// One hidden cell, for the suppression log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Suppression {
    /// The table.
    pub table: &'static str,
    /// The cell's key, `column=value` pairs joined by `;`.
    pub cell: String,
    /// `primary` or `secondary`.
    pub rule: &'static str,
}

/// How many cells were hidden, by rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suppressed {
    /// Small counts.
    pub primary: usize,
    /// Cells hidden to protect a small count.
    pub secondary: usize,
}

impl Suppressed {
    fn of(flags: &[Flag]) -> Self {
        Self {
            primary: flags.iter().filter(|f| **f == Flag::Primary).count(),
            secondary: flags.iter().filter(|f| **f == Flag::Secondary).count(),
        }
    }
}

/// Applies disclosure control to the tables.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Disclose);
    let threshold = config.pipeline.disclosure.threshold;
    let placement = load(config, &mut report, Stage::Transform, "placement")?;
    let by_member = load(config, &mut report, Stage::Transform, "placement_by_member")?;
    let enrolment = load(config, &mut report, Stage::Transform, "enrolment")?;
    let Placement { detail: mut placement, mut by_member, suppressed: p, mut log } =
        placement_tables(placement, by_member, threshold).ctx("placement disclosure")?;
    let (mut enrolment, e, log2) = enrolment_table(enrolment, threshold).ctx("enrolment disclosure")?;
    log.extend(log2);
    let figures = load(config, &mut report, Stage::Transform, "key_figures")?;
    let fields: Vec<(String, String)> = config
        .pipeline
        .publish_qualifications
        .iter()
        .filter_map(|q| config.catalogue.get(*q).map(|x| (x.field.clone(), q.as_string())))
        .collect();
    let mut figures = key_figures_table(figures, threshold, &enrolment, &fields).ctx("key figures disclosure")?;
    let round_to = config.pipeline.disclosure.round_to;
    if round_to > 1 {
        let r = Rounding { base: i64::from(round_to), threshold: i64::from(threshold) };
        placement = r.placement(placement).ctx("rounding placement")?;
        by_member = r.by_member(by_member).ctx("rounding placement by member")?;
        enrolment = r.enrolment(enrolment).ctx("rounding enrolment")?;
        figures = r.key_figures(figures).ctx("rounding key figures")?;
    }
    tracing::info!(primary = p.primary + e.primary, secondary = p.secondary + e.secondary, "Cells suppressed.");
    persist(config, &mut report, "placement", &mut placement)?;
    persist(config, &mut report, "placement_by_member", &mut by_member)?;
    persist(config, &mut report, "enrolment", &mut enrolment)?;
    persist(config, &mut report, "key_figures", &mut figures)?;
    // The benchmark is built from the association's disclosed rows: a hidden status stays
    // hidden in its class.
    if config.pipeline.sources.contains_key("placement_benchmark") {
        let statfin = load(config, &mut report, Stage::Fetch, "placement_benchmark")?;
        let mut bench = super::transform::placement_benchmark(&placement, &statfin, config.year).ctx("placement benchmark")?;
        persist(config, &mut report, "placement_benchmark", &mut bench)?;
    }
    let log_path = config.year_dir().join("suppressions.csv");
    write_log(&log_path, &log)?;
    report.output(&log_path)?;
    report.rows.insert("suppressions".into(), log.len());
    report.details.insert(
        "suppressed".into(),
        json!({
            "threshold": threshold,
            "round_to": round_to,
            "placement": { "primary": p.primary, "secondary": p.secondary,
                           "exposed": log.iter().filter(|l| l.rule == EXPOSED).count() },
            "enrolment": { "primary": e.primary, "secondary": e.secondary },
            "log": log_path.display().to_string(),
            "legend": { primary_flag(threshold): format!("a count from 1 to {}", threshold - 1),
                        SECONDARY: "hidden so that a small count cannot be recovered from the totals" },
        }),
    );
    Ok(report)
}

/// Rounding of published counts to a multiple of `base` (Vipunen: 3), applied after
/// suppression: counts from `threshold` up are rounded half up, smaller ones are hidden or 0
/// already. Shares and ratios are recomputed from the rounded figures, or they would give the
/// exact counts back.
#[derive(Clone, Copy, Debug)]
pub struct Rounding {
    /// The multiple.
    pub base: i64,
    /// The suppression threshold.
    pub threshold: i64,
}

impl Rounding {
    /// A count column, rounded.
    fn round(&self, c: &str) -> Expr {
        when(col(c).gt_eq(lit(self.threshold)))
            .then(((col(c) + lit(self.base / 2)).floor_div(lit(self.base)) * lit(self.base)).cast(DataType::Int64))
            .otherwise(col(c))
            .alias(c)
    }

    fn ratio(a: &str, b: &str, decimals: u32) -> Expr {
        when(col(a).is_not_null().and(col(b).gt(lit(0))))
            .then((col(a).cast(DataType::Float64) / col(b).cast(DataType::Float64)).round(decimals, RoundMode::HalfToEven))
            .otherwise(lit(NULL).cast(DataType::Float64))
    }

    /// The association's placement table: counts, graduates, shares and coverage.
    pub fn placement(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        let group = [col("qualification_code"), col("orientation"), col("graduation_year")];
        let unknown = col("count").filter(col("status").eq(lit("unknown"))).sum().over(group)?;
        df.lazy()
            .with_columns([self.round("count"), self.round("graduates")])
            .with_columns([
                Self::ratio("count", "graduates", 6).alias("share"),
                when(col("coverage").is_not_null().and(col("graduates").gt(lit(0))))
                    .then(
                        ((col("graduates") - unknown).cast(DataType::Float64) / col("graduates").cast(DataType::Float64))
                            .round(4, RoundMode::HalfToEven),
                    )
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("coverage"),
            ])
            .collect()
    }

    /// The member-level placement table.
    pub fn by_member(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        df.lazy()
            .with_columns([self.round("count"), self.round("graduates")])
            .with_column(Self::ratio("count", "graduates", 6).alias("share"))
            .collect()
    }

    /// The enrolment table: persons rounded, start places as they are.
    pub fn enrolment(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        df.lazy()
            .with_columns(["new_students", "students", "graduates", "applicants", "first_choice_applicants"].map(|c| self.round(c)))
            .with_column(Self::ratio("applicants", "start_places", 2).alias("applicants_per_place"))
            .collect()
    }

    /// The key figures: persons rounded (not the number of providers), the share recomputed.
    pub fn key_figures(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        let persons = col("measure").neq(lit("providers"));
        df.lazy()
            .with_columns(["national", "members"].map(|c| when(persons.clone()).then(self.round(c)).otherwise(col(c)).alias(c)))
            .with_column(Self::ratio("members", "national", 4).alias("members_share"))
            .collect()
    }
}

fn write_log(path: &Path, log: &[Suppression]) -> Result<()> {
    files::write_atomic(path, |w| {
        let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        csv.write_record(["table", "cell", "rule"])?;
        for s in log {
            csv.serialize(s).map_err(std::io::Error::other)?;
        }
        csv.flush()
    })?;
    Ok(())
}

fn strings<'a>(df: &'a DataFrame, c: &str) -> PolarsResult<Vec<&'a str>> {
    Ok(df.column(c)?.str()?.iter().map(|v| v.unwrap_or("")).collect())
}

fn flag_text(f: Flag, primary: &str) -> &str {
    match f {
        Flag::Visible => "",
        Flag::Primary => primary,
        Flag::Secondary => SECONDARY,
    }
}

fn rule(f: Flag) -> &'static str {
    if f == Flag::Primary { "primary" } else { "secondary" }
}

/// The placement tables after disclosure control, and what was hidden.
pub struct Placement {
    /// The association's table: qualification × orientation × graduation year × status.
    pub detail: DataFrame,
    /// The member-level table: member × graduation year × class.
    pub by_member: DataFrame,
    /// Counts by rule, both tables together.
    pub suppressed: Suppressed,
    /// Every hidden cell.
    pub log: Vec<Suppression>,
}

/// Suppresses the placement tables as transform writes them — `placement` (member ×
/// qualification × orientation × graduation year × status, with `all` totals) and
/// `placement_by_member` (member × graduation year × class) — as one problem, since they are
/// published together.
///
/// Only the association's rows of the detailed table are published: a member's eight
/// statuses by qualification and orientation are too small to publish (nearly every cell of a
/// school with 10–50 graduates is 1–4). Members are published in four classes, which add up
/// to the member's graduates and, over members, to the association's class — which is the sum
/// of the association's statuses in it.
pub fn placement_tables(detail: DataFrame, by_member: DataFrame, threshold: u32) -> PolarsResult<Placement> {
    let t = i64::from(threshold);
    let df = detail.lazy().filter(col("member_id").eq(lit(ALL))).collect()?;
    let qual = strings(&df, "qualification_code")?;
    let orient = strings(&df, "orientation")?;
    let status = strings(&df, "status")?;
    let gy: Vec<i32> = df.column("graduation_year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let count: Vec<i64> = df.column("count")?.i64()?.iter().map(|v| v.unwrap_or(0)).collect();
    let graduates: Vec<i64> = df.column("graduates")?.i64()?.iter().map(|v| v.unwrap_or(0)).collect();
    let n = df.height();

    let mut p = Problem::default();
    for i in 0..n {
        p.cell(count[i], graduates[i] >= t);
    }
    // A group's statuses add up to its graduates.
    let mut groups: BTreeMap<(&str, &str, i32), Vec<usize>> = BTreeMap::new();
    let mut at: HashMap<(&str, &str, i32, &str), usize> = HashMap::with_capacity(n);
    for i in 0..n {
        groups.entry((qual[i], orient[i], gy[i])).or_default().push(i);
        at.insert((qual[i], orient[i], gy[i], status[i]), i);
    }
    for rows in groups.values() {
        p.constrain(Total::Known(graduates[rows[0]]), rows.clone());
    }
    // Orientations add up to their qualification, qualifications to all.
    let mut by_qual: BTreeMap<(&str, i32, &str), Vec<usize>> = BTreeMap::new();
    let mut by_all: BTreeMap<(i32, &str), Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        if qual[i] != ALL && orient[i] != ALL {
            by_qual.entry((qual[i], gy[i], status[i])).or_default().push(i);
        }
        if qual[i] != ALL && orient[i] == ALL {
            by_all.entry((gy[i], status[i])).or_default().push(i);
        }
    }
    for ((q, g, s), parts) in by_qual {
        if let Some(&total) = at.get(&(q, ALL, g, s)) {
            p.constrain(Total::Cell(total), parts);
        }
    }
    for ((g, s), parts) in by_all {
        if let Some(&total) = at.get(&(ALL, ALL, g, s)) {
            p.constrain(Total::Cell(total), parts);
        }
    }

    // The member-level table.
    let bm = &by_member;
    let (m_member, m_class) = (strings(bm, "member_id")?, strings(bm, "class")?);
    let m_gy: Vec<i32> = bm.column("graduation_year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let m_count: Vec<i64> = bm.column("count")?.i64()?.iter().map(|v| v.unwrap_or(0)).collect();
    let m_graduates: Vec<i64> = bm.column("graduates")?.i64()?.iter().map(|v| v.unwrap_or(0)).collect();
    let m = bm.height();
    let cells: Vec<usize> = (0..m).map(|j| p.cell(m_count[j], m_member[j] == ALL && m_graduates[j] >= t)).collect();
    let mut m_groups: BTreeMap<(&str, i32), Vec<usize>> = BTreeMap::new();
    let mut m_columns: BTreeMap<(i32, &str), Vec<usize>> = BTreeMap::new();
    let mut m_at: HashMap<(&str, i32, &str), usize> = HashMap::with_capacity(m);
    for j in 0..m {
        m_groups.entry((m_member[j], m_gy[j])).or_default().push(cells[j]);
        m_at.insert((m_member[j], m_gy[j], m_class[j]), cells[j]);
        if m_member[j] != ALL {
            m_columns.entry((m_gy[j], m_class[j])).or_default().push(cells[j]);
        }
    }
    for ((_, _), parts) in &m_groups {
        p.constrain(Total::Known(m_graduates[parts[0] - n]), parts.clone());
    }
    for ((g, c), parts) in m_columns {
        if let Some(&total) = m_at.get(&(ALL, g, c)) {
            p.constrain(Total::Cell(total), parts);
        }
    }
    // The association's class is the sum of its statuses in the detailed table.
    for ((g, c), &total) in m_at.iter().filter(|((m, _, _), _)| *m == ALL).map(|((_, g, c), t)| ((*g, *c), t)).collect::<BTreeMap<_, _>>() {
        let parts: Vec<usize> = PlacementStatus::ALL
            .iter()
            .filter(|s| PlacementClass::of(**s).code() == c)
            .filter_map(|s| at.get(&(ALL, ALL, g, s.code())).copied())
            .collect();
        if !parts.is_empty() {
            p.constrain(Total::Cell(total), parts);
        }
    }

    let outcome = suppress(&p, t);
    let flags = outcome.flags;
    if !outcome.exposed.is_empty() {
        tracing::warn!(
            cells = outcome.exposed.len(),
            "Hidden placement counts still follow from the published totals (see suppressions.csv, rule 'exposed')."
        );
    }
    let primary = primary_flag(threshold);
    let exposed: std::collections::HashSet<usize> = outcome.exposed.into_iter().collect();
    let rule_of = |i: usize| match (flags[i], exposed.contains(&i)) {
        (_, true) => EXPOSED,
        (f, false) => rule(f),
    };
    let mut log: Vec<Suppression> = (0..n)
        .filter(|i| flags[*i] != Flag::Visible)
        .map(|i| Suppression {
            table: "placement",
            cell: format!(
                "member_id={ALL};qualification_code={};orientation={};graduation_year={};status={}",
                qual[i], orient[i], gy[i], status[i]
            ),
            rule: rule_of(i),
        })
        .collect();
    log.extend((0..m).filter(|j| flags[cells[*j]] != Flag::Visible).map(|j| Suppression {
        table: "placement_by_member",
        cell: format!("member_id={};graduation_year={};class={}", m_member[j], m_gy[j], m_class[j]),
        rule: rule_of(cells[j]),
    }));

    let hidden = |i: usize| flags[i] != Flag::Visible;
    let share: Vec<Option<f64>> = df.column("share")?.f64()?.iter().collect();
    let coverage: Vec<Option<f64>> = df.column("coverage")?.f64()?.iter().collect();
    let mut out = df.clone();
    out.with_column(Column::new("count".into(), (0..n).map(|i| (!hidden(i)).then_some(count[i])).collect::<Vec<_>>()))?;
    out.with_column(Column::new("share".into(), (0..n).map(|i| if hidden(i) { None } else { share[i] }).collect::<Vec<_>>()))?;
    out.with_column(Column::new("flag".into(), flags[..n].iter().map(|f| flag_text(*f, &primary)).collect::<Vec<_>>()))?;
    // Coverage gives the group's unknown count away: hidden with it.
    let unknown_hidden = |i: usize| at.get(&(qual[i], orient[i], gy[i], "unknown")).is_some_and(|u| hidden(*u));
    out.with_column(Column::new("coverage".into(), (0..n).map(|i| if unknown_hidden(i) { None } else { coverage[i] }).collect::<Vec<_>>()))?;
    out.with_column(Column::new("coverage_flag".into(), (0..n).map(|i| if unknown_hidden(i) { SECONDARY } else { "" }).collect::<Vec<_>>()))?;

    let m_share: Vec<Option<f64>> = bm.column("share")?.f64()?.iter().collect();
    let mut members = bm.clone();
    members.with_column(Column::new("count".into(), (0..m).map(|j| (!hidden(cells[j])).then_some(m_count[j])).collect::<Vec<_>>()))?;
    members.with_column(Column::new("share".into(), (0..m).map(|j| if hidden(cells[j]) { None } else { m_share[j] }).collect::<Vec<_>>()))?;
    members.with_column(Column::new("flag".into(), (0..m).map(|j| flag_text(flags[cells[j]], &primary)).collect::<Vec<_>>()))?;
    Ok(Placement { detail: out, by_member: members, suppressed: Suppressed::of(&flags), log })
}

/// The key figures are national and association totals from Vipunen, published with the
/// enrolment table: a person count from 1 to `threshold − 1` is hidden, and so is a field's
/// figure whose qualifications' figure is hidden in the enrolment table (a field of one
/// qualification would otherwise repeat it; of two, give it away by subtraction).
pub fn key_figures_table(df: DataFrame, threshold: u32, enrolment: &DataFrame, fields: &[(String, String)]) -> PolarsResult<DataFrame> {
    let t = i64::from(threshold);
    let primary = primary_flag(threshold);
    // (year, member_id, qualification, column) hidden in the disclosed enrolment table.
    let mut hidden: std::collections::HashSet<(i32, String, String, String)> = Default::default();
    let (em, eq, es) = (strings(enrolment, "member_id")?, strings(enrolment, "qualification_code")?, strings(enrolment, "source")?);
    let ey: Vec<i32> = enrolment.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    for c in super::transform::COUNTS {
        let flags = strings(enrolment, &format!("{c}_flag"))?;
        for i in 0..enrolment.height() {
            if !flags[i].is_empty() && es[i] == "vipunen" {
                hidden.insert((ey[i], em[i].to_owned(), eq[i].to_owned(), c.to_owned()));
            }
        }
    }
    let (year, field, measure) = (df.column("year")?.i32()?.clone(), strings(&df, "field")?, strings(&df, "measure")?);
    let n = df.height();
    let mut out = df.clone();
    let mut share: Vec<Option<f64>> = df.column("members_share")?.f64()?.iter().collect();
    for (c, who) in [("national", super::transform::NATIONAL), ("members", ALL)] {
        let values: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        let mut flag: Vec<&str> = vec![""; n];
        for i in 0..n {
            if measure[i] == "providers" {
                continue;
            }
            let y = year.get(i).unwrap_or(0);
            let derived = fields
                .iter()
                .filter(|(f, _)| f == field[i])
                .any(|(_, q)| hidden.contains(&(y, who.to_owned(), q.clone(), measure[i].to_owned())));
            if matches!(values[i], Some(v) if v >= 1 && v < t) {
                flag[i] = &primary;
            } else if derived {
                flag[i] = SECONDARY;
            }
            if !flag[i].is_empty() {
                share[i] = None;
            }
        }
        out.with_column(Column::new(c.into(), (0..n).map(|i| if flag[i].is_empty() { values[i] } else { None }).collect::<Vec<_>>()))?;
        out.with_column(Column::new(format!("{c}_flag").into(), flag))?;
    }
    out.with_column(Column::new("members_share".into(), share))?;
    Ok(out)
}

/// Suppresses the enrolment table: each count column on its own, with a `<col>_flag`.
pub fn enrolment_table(df: DataFrame, threshold: u32) -> PolarsResult<(DataFrame, Suppressed, Vec<Suppression>)> {
    let t = i64::from(threshold);
    let member = strings(&df, "member_id")?;
    let qual = strings(&df, "qualification_code")?;
    let source = strings(&df, "source")?;
    let year: Vec<i32> = df.column("year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let n = df.height();
    let primary = primary_flag(threshold);
    let mut out = df.clone();
    let mut stats = Suppressed::default();
    let mut log = Vec::new();
    let mut at: HashMap<(i32, &str, &str, &str), usize> = HashMap::with_capacity(n);
    for i in 0..n {
        at.insert((year[i], member[i], qual[i], source[i]), i);
    }
    // Persons: the counts, and the survey's applicants (start places are not persons).
    for c in ["new_students", "students", "graduates", "applicants", "first_choice_applicants"] {
        let values: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        let mut p = Problem::default();
        for v in &values {
            // The whole country's figures are Vipunen's own totals, published as they are
            // unless small; members together likewise.
            p.cell(v.unwrap_or(0), false);
        }
        let mut by_member: BTreeMap<(i32, &str, &str), Vec<usize>> = BTreeMap::new();
        let mut by_assoc: BTreeMap<(i32, &str, &str), Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            let aggregate = [ALL, super::transform::NATIONAL, super::transform::NON_MEMBERS].contains(&member[i]);
            if !aggregate && qual[i] != ALL {
                by_member.entry((year[i], member[i], source[i])).or_default().push(i);
            }
            if !aggregate {
                by_assoc.entry((year[i], qual[i], source[i])).or_default().push(i);
            }
        }
        for ((y, m, s), parts) in by_member {
            if let Some(&total) = at.get(&(y, m, ALL, s)) {
                p.constrain(Total::Cell(total), parts);
            }
        }
        for ((y, q, s), parts) in by_assoc {
            if let Some(&total) = at.get(&(y, ALL, q, s)) {
                p.constrain(Total::Cell(total), parts);
            }
        }
        // The whole country = the members together + the other providers together.
        for i in (0..n).filter(|i| member[*i] == super::transform::NATIONAL) {
            let parts: Vec<usize> = [ALL, super::transform::NON_MEMBERS]
                .iter()
                .filter_map(|m| at.get(&(year[i], *m, qual[i], source[i])).copied())
                .collect();
            if parts.len() == 2 {
                p.constrain(Total::Cell(i), parts);
            }
        }
        let outcome = suppress(&p, t);
        let exposed: std::collections::HashSet<usize> = outcome.exposed.iter().copied().collect();
        if !exposed.is_empty() {
            tracing::warn!(cells = exposed.len(), column = c, "Hidden enrolment counts still follow from the published totals.");
        }
        let flags = outcome.flags;
        let s = Suppressed::of(&flags);
        stats.primary += s.primary;
        stats.secondary += s.secondary;
        for i in (0..n).filter(|i| flags[*i] != Flag::Visible) {
            log.push(Suppression {
                table: "enrolment",
                cell: format!("year={};member_id={};qualification_code={};source={};column={c}", year[i], member[i], qual[i], source[i]),
                rule: if exposed.contains(&i) { EXPOSED } else { rule(flags[i]) },
            });
        }
        let kept: Vec<Option<i64>> = (0..n).map(|i| if flags[i] == Flag::Visible { values[i] } else { None }).collect();
        out.with_column(Column::new(c.into(), kept))?;
        out.with_column(Column::new(format!("{c}_flag").into(), flags.iter().map(|f| flag_text(*f, &primary)).collect::<Vec<_>>()))?;
    }
    // Applicants per place gives the applicants away: hidden with them.
    let hidden_applicants: Vec<bool> = strings(&out, "applicants_flag")?.iter().map(|f| !f.is_empty()).collect();
    let ratio: Vec<Option<f64>> = out.column("applicants_per_place")?.f64()?.iter().collect();
    out.with_column(Column::new(
        "applicants_per_place".into(),
        ratio.iter().zip(&hidden_applicants).map(|(r, h)| if *h { None } else { *r }).collect::<Vec<_>>(),
    ))?;
    Ok((out, stats, log))
}
