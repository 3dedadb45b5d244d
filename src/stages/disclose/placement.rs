//! The placement tables as one disclosure problem: the association's detailed table and the
//! members' classes, tied by their sums.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::merge::{Merged, merge_orientations};
use super::{EXPOSED, Interval, SECONDARY, Suppressed, Suppression, flag_text, primary_flag, rule, strings};
use crate::config::DisclosureRule;
use crate::disclosure::{Cost, Flag, Problem, Total, suppress};
use crate::domain::{PlacementClass, PlacementStatus};
use crate::stages::transform::ALL;

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
    /// The orientations published merged.
    pub merged: Vec<Merged>,
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
///
/// Orientations too small or taught by too few members are merged first
/// ([`merge_orientations`]). Every count from 1 to `threshold − 1` is hidden; companions are
/// taken from the detail (orientations, members) before the association's totals.
pub fn placement_tables(detail: DataFrame, by_member: DataFrame, settings: &DisclosureRule) -> PolarsResult<Placement> {
    let threshold = settings.threshold;
    let t = i64::from(threshold);
    let (df, merged) = merge_orientations(&detail, threshold, settings.min_members)?;
    let qual = strings(&df, "qualification_code")?;
    let orient = strings(&df, "orientation")?;
    let status = strings(&df, "status")?;
    let gy: Vec<i32> = df.column("graduation_year")?.i32()?.iter().map(|v| v.unwrap_or(0)).collect();
    let count: Vec<i64> = df.column("count")?.i64()?.iter().map(|v| v.unwrap_or(0)).collect();
    let graduates: Vec<i64> = df.column("graduates")?.i64()?.iter().map(|v| v.unwrap_or(0)).collect();
    let n = df.height();

    let mut p = Problem::default();
    // The association's totals (a qualification, all) cost more to hide than an orientation.
    let cost = |q: &str, o: &str| if q == ALL || o == ALL { Cost::Total } else { Cost::Detail };
    for i in 0..n {
        p.cell(count[i], cost(qual[i], orient[i]));
    }
    // A group's statuses add up to its graduates.
    let mut groups: BTreeMap<(&str, &str, i32), Vec<usize>> = BTreeMap::new();
    let mut at: HashMap<(&str, &str, i32, &str), usize> = HashMap::with_capacity(n);
    for i in 0..n {
        groups.entry((qual[i], orient[i], gy[i])).or_default().push(i);
        at.insert((qual[i], orient[i], gy[i], status[i]), i);
    }
    // Each group's graduates are a cell too: a group of 1 to threshold − 1 graduates is itself
    // a small count, and group totals add up (orientations to their qualification,
    // qualifications to all), so a hidden one must not follow from the others.
    let mut n_cell: HashMap<(&str, &str, i32), usize> = HashMap::new();
    for (key, rows) in &groups {
        let g = graduates[rows[0]];
        let cell = p.cell(g, cost(key.0, key.1));
        n_cell.insert(*key, cell);
        p.constrain(Total::Cell(cell), rows.clone());
    }
    let mut n_by_qual: BTreeMap<(&str, i32), Vec<usize>> = BTreeMap::new();
    let mut n_by_all: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (&(q, o, g), &c) in &n_cell {
        if q != ALL && o != ALL {
            n_by_qual.entry((q, g)).or_default().push(c);
        } else if q != ALL {
            n_by_all.entry(g).or_default().push(c);
        }
    }
    for ((q, g), mut parts) in n_by_qual {
        parts.sort_unstable();
        if let Some(&total) = n_cell.get(&(q, ALL, g)) {
            p.constrain(Total::Cell(total), parts);
        }
    }
    for (g, mut parts) in n_by_all {
        parts.sort_unstable();
        if let Some(&total) = n_cell.get(&(ALL, ALL, g)) {
            p.constrain(Total::Cell(total), parts);
        }
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
    let m_cost = |member: &str| if member == ALL { Cost::Total } else { Cost::Detail };
    let cells: Vec<usize> = (0..m).map(|j| p.cell(m_count[j], m_cost(m_member[j]))).collect();
    let first_member_cell = cells.first().copied().unwrap_or(p.values.len());
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
    // Members' graduates: cells that add up to the association's; a member's may be hidden to
    // protect another's.
    let mut m_n_cell: HashMap<(&str, i32), usize> = HashMap::new();
    for (key, parts) in &m_groups {
        let g = m_graduates[parts[0] - first_member_cell];
        let cell = p.cell(g, m_cost(key.0));
        m_n_cell.insert(*key, cell);
        p.constrain(Total::Cell(cell), parts.clone());
        // The association's graduates are printed in both tables: one number.
        if key.0 == ALL
            && let Some(&detail_n) = n_cell.get(&(ALL, ALL, key.1))
        {
            p.constrain(Total::Cell(cell), vec![detail_n]);
        }
    }
    let mut n_by_year: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (&(mm, g), &c) in &m_n_cell {
        if mm != ALL {
            n_by_year.entry(g).or_default().push(c);
        }
    }
    for (g, mut parts) in n_by_year {
        parts.sort_unstable();
        if let Some(&total) = m_n_cell.get(&(ALL, g)) {
            p.constrain(Total::Cell(total), parts);
        }
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

    let outcome = suppress(&p, t, i64::from(settings.protection));
    let flags = outcome.flags;
    if !outcome.exposed.is_empty() {
        tracing::warn!(
            cells = outcome.exposed.len(),
            "Hidden placement counts still follow from the published totals (see suppressions.csv, rule 'exposed')."
        );
    }
    let primary = primary_flag(threshold);
    let exposed: std::collections::HashSet<usize> = outcome.exposed.into_iter().collect();
    let bounds = outcome.bounds;
    let interval = |i: usize| Interval::of(bounds[i]);
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
            interval: interval(i),
        })
        .collect();
    log.extend((0..m).filter(|j| flags[cells[*j]] != Flag::Visible).map(|j| Suppression {
        table: "placement_by_member",
        cell: format!("member_id={};graduation_year={};class={}", m_member[j], m_gy[j], m_class[j]),
        rule: rule_of(cells[j]),
        interval: interval(cells[j]),
    }));
    // Hidden group totals.
    let mut small: Vec<Suppression> = n_cell
        .iter()
        .filter(|(_, c)| flags[**c] != Flag::Visible)
        .map(|((q, o, g), c)| Suppression {
            table: "placement",
            cell: format!("member_id={ALL};qualification_code={q};orientation={o};graduation_year={g};column=graduates"),
            rule: rule_of(*c),
            interval: interval(*c),
        })
        .chain(m_n_cell.iter().filter(|(_, c)| flags[**c] != Flag::Visible).map(|((mm, g), c)| Suppression {
            table: "placement_by_member",
            cell: format!("member_id={mm};graduation_year={g};column=graduates"),
            rule: rule_of(*c),
            interval: interval(*c),
        }))
        .collect();
    small.sort_by(|a, b| (a.table, &a.cell).cmp(&(b.table, &b.cell)));
    log.extend(small);

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
    let n_flag = |c: Option<&usize>| c.map(|c| flag_text(flags[*c], &primary).to_owned()).unwrap_or_default();
    let d_flags: Vec<String> = (0..n).map(|i| n_flag(n_cell.get(&(qual[i], orient[i], gy[i])))).collect();
    out.with_column(Column::new("graduates".into(), (0..n).map(|i| d_flags[i].is_empty().then_some(graduates[i])).collect::<Vec<_>>()))?;
    out.with_column(Column::new("graduates_flag".into(), d_flags))?;

    let m_share: Vec<Option<f64>> = bm.column("share")?.f64()?.iter().collect();
    let mut members = bm.clone();
    members.with_column(Column::new("count".into(), (0..m).map(|j| (!hidden(cells[j])).then_some(m_count[j])).collect::<Vec<_>>()))?;
    members.with_column(Column::new("share".into(), (0..m).map(|j| if hidden(cells[j]) { None } else { m_share[j] }).collect::<Vec<_>>()))?;
    members.with_column(Column::new("flag".into(), (0..m).map(|j| flag_text(flags[cells[j]], &primary)).collect::<Vec<_>>()))?;
    let m_flags: Vec<String> = (0..m).map(|j| n_flag(m_n_cell.get(&(m_member[j], m_gy[j])))).collect();
    members.with_column(Column::new("graduates".into(), (0..m).map(|j| m_flags[j].is_empty().then_some(m_graduates[j])).collect::<Vec<_>>()))?;
    members.with_column(Column::new("graduates_flag".into(), m_flags))?;
    Ok(Placement { detail: out, by_member: members, suppressed: Suppressed::of(&flags), log, merged })
}

