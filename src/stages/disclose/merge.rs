//! Merging instead of hiding (global recoding): before suppression, the orientations of a
//! qualification that are too small or taught by too few members are published together as
//! "other orientations", so that the association's detail stays informative and no row of it
//! is one school in disguise.
//!
//! An orientation is merged when fewer than `min_members` members have graduates in it (any
//! graduation year of the table) — a reader who knows which schools teach it would read those
//! schools' figures in its row — or when one of its graduation years has 1 to `threshold − 1`
//! graduates. The merged row must itself hold at least two orientations, `min_members`
//! members and no small year: the smallest remaining orientations are added until it does.
//! When every orientation of a qualification ends up merged (always so for a qualification
//! of one orientation, whose row only repeats the qualification's), its orientation rows are
//! left out and the qualification's row stands for them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use polars::prelude::*;

use super::strings;
use crate::domain::PlacementStatus;
use crate::stages::transform::ALL;

/// The orientation code of the merged row.
pub const OTHER_ORIENTATIONS: &str = "other_orientations";

/// Why an orientation was merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeReason {
    /// Fewer than `min_members` members have graduates in it.
    FewMembers,
    /// A graduation year with 1 to `threshold − 1` graduates.
    SmallGroup,
    /// Added so that the merged row is not one orientation, nor too few members or graduates.
    Company,
}

impl MergeReason {
    /// The code written in the run record and the tables' notes.
    pub fn code(self) -> &'static str {
        match self {
            MergeReason::FewMembers => "few_members",
            MergeReason::SmallGroup => "small_group",
            MergeReason::Company => "company",
        }
    }
}

/// One merged orientation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Merged {
    /// Its qualification.
    pub qualification: String,
    /// The orientation's code.
    pub orientation: String,
    /// Why.
    pub reason: MergeReason,
    /// Members with graduates in it.
    pub members: usize,
    /// Where it is published: `other_orientations`, or `all` when the qualification's row stands
    /// for every orientation of it.
    pub into: &'static str,
}

/// Per orientation: members with graduates, graduates per graduation year.
#[derive(Default)]
struct Offering {
    members: BTreeSet<String>,
    n: BTreeMap<i64, i64>,
}

/// The association's rows of transform's placement table with the merged orientations recoded;
/// and which were merged. `detail` is transform's table (members' rows and the association's).
pub fn merge_orientations(detail: &DataFrame, threshold: u32, min_members: u32) -> PolarsResult<(DataFrame, Vec<Merged>)> {
    let t = i64::from(threshold);
    let min_members = min_members as usize;
    let member = strings(detail, "member_id")?;
    let qual = strings(detail, "qualification_code")?;
    let orient = strings(detail, "orientation")?;
    let status = strings(detail, "status")?;
    let int = |c: &str| -> PolarsResult<Vec<i64>> { Ok(detail.column(c)?.cast(&DataType::Int64)?.i64()?.iter().map(|v| v.unwrap_or(0)).collect()) };
    let (year, gy, count, graduates) = (int("year")?, int("graduation_year")?, int("count")?, int("graduates")?);
    // The offering, as a reader knows it: who teaches what, and the association's group sizes.
    let mut offering: BTreeMap<(&str, &str), Offering> = BTreeMap::new();
    for i in 0..detail.height() {
        if qual[i] == ALL || orient[i] == ALL {
            continue;
        }
        let o = offering.entry((qual[i], orient[i])).or_default();
        if member[i] == ALL {
            o.n.insert(gy[i], graduates[i]);
        } else if graduates[i] > 0 {
            o.members.insert(member[i].to_owned());
        }
    }
    let small = |n: &BTreeMap<i64, i64>| n.values().any(|v| *v >= 1 && *v < t);
    let mut by_qual: BTreeMap<&str, Vec<(&str, &Offering)>> = BTreeMap::new();
    for ((q, o), off) in &offering {
        by_qual.entry(q).or_default().push((o, off));
    }
    let mut merged: Vec<Merged> = Vec::new();
    // (qualification, orientation) → where it goes.
    let mut recode: HashMap<(&str, &str), &'static str> = HashMap::new();
    for (q, orientations) in &by_qual {
        let mut chosen: Vec<(&str, MergeReason)> = Vec::new();
        for (o, off) in orientations {
            if off.members.len() < min_members {
                chosen.push((o, MergeReason::FewMembers));
            } else if small(&off.n) {
                chosen.push((o, MergeReason::SmallGroup));
            }
        }
        if chosen.is_empty() {
            continue;
        }
        loop {
            let mut members: BTreeSet<&str> = BTreeSet::new();
            let mut n: BTreeMap<i64, i64> = BTreeMap::new();
            for (o, _) in &chosen {
                let off = &offering[&(*q, *o)];
                members.extend(off.members.iter().map(String::as_str));
                for (g, v) in &off.n {
                    *n.entry(*g).or_default() += v;
                }
            }
            let enough = chosen.len() >= 2 && members.len() >= min_members && !small(&n);
            if enough || chosen.len() == orientations.len() {
                break;
            }
            // The smallest orientation not merged yet keeps the merged row company.
            let next = orientations
                .iter()
                .filter(|(o, _)| !chosen.iter().any(|(c, _)| c == o))
                .min_by_key(|(o, off)| (off.n.values().sum::<i64>(), *o))
                .map(|(o, _)| *o);
            match next {
                Some(o) => chosen.push((o, MergeReason::Company)),
                None => break,
            }
        }
        let into = if chosen.len() == orientations.len() { ALL } else { OTHER_ORIENTATIONS };
        for (o, reason) in chosen {
            recode.insert((q, o), into);
            merged.push(Merged {
                qualification: (*q).to_owned(),
                orientation: o.to_owned(),
                reason,
                members: offering[&(*q, o)].members.len(),
                into,
            });
        }
    }
    merged.sort_by(|a, b| (&a.qualification, &a.orientation).cmp(&(&b.qualification, &b.orientation)));

    // The association's rows, in transform's order, the merged ones summed into one row per
    // graduation year and status just before their qualification's total.
    let rank = |s: &str| PlacementStatus::ALL.iter().position(|x| x.code() == s).unwrap_or(usize::MAX);
    let mut rows = Rows::default();
    // qualification → (graduation year, status rank) → (year, status, count, graduates)
    let mut pending: BTreeMap<&str, BTreeMap<(i64, usize), (i64, &str, i64, i64)>> = BTreeMap::new();
    for i in (0..detail.height()).filter(|i| member[*i] == ALL) {
        match recode.get(&(qual[i], orient[i])) {
            Some(&into) => {
                if into == OTHER_ORIENTATIONS {
                    let e = pending.entry(qual[i]).or_default().entry((gy[i], rank(status[i]))).or_insert((year[i], status[i], 0, 0));
                    e.2 += count[i];
                    e.3 += graduates[i];
                }
            }
            None => {
                if orient[i] == ALL
                    && let Some(block) = pending.remove(qual[i])
                {
                    rows.merged(qual[i], block);
                }
                let share = (graduates[i] > 0).then(|| count[i] as f64 / graduates[i] as f64);
                rows.push(year[i], qual[i], orient[i], gy[i], status[i], count[i], graduates[i], share, None);
                rows.coverage_from.push(Some(i));
            }
        }
    }
    for (q, block) in std::mem::take(&mut pending) {
        rows.merged(q, block);
    }
    let coverage: Vec<Option<f64>> = detail.column("coverage")?.f64()?.iter().collect();
    rows.frame(detail, &coverage).map(|df| (df, merged))
}

/// The association's rows being rebuilt.
#[derive(Default)]
struct Rows {
    year: Vec<i64>,
    qual: Vec<String>,
    orient: Vec<String>,
    gy: Vec<i64>,
    status: Vec<String>,
    count: Vec<i64>,
    graduates: Vec<i64>,
    share: Vec<Option<f64>>,
    /// The coverage of a merged row, computed here.
    coverage: Vec<Option<f64>>,
    /// For a row kept as it was, the source row whose coverage it keeps.
    coverage_from: Vec<Option<usize>>,
}

impl Rows {
    #[allow(clippy::too_many_arguments)]
    fn push(&mut self, year: i64, q: &str, o: &str, gy: i64, status: &str, count: i64, graduates: i64, share: Option<f64>, coverage: Option<f64>) {
        self.year.push(year);
        self.qual.push(q.to_owned());
        self.orient.push(o.to_owned());
        self.gy.push(gy);
        self.status.push(status.to_owned());
        self.count.push(count);
        self.graduates.push(graduates);
        self.share.push(share);
        self.coverage.push(coverage);
    }

    /// The merged rows of one qualification.
    fn merged(&mut self, q: &str, block: BTreeMap<(i64, usize), (i64, &str, i64, i64)>) {
        let unknown: BTreeMap<i64, i64> = block.iter().filter(|(_, v)| v.1 == "unknown").map(|((g, _), v)| (*g, v.2)).collect();
        for ((g, _), (year, status, count, graduates)) in &block {
            let share = (*graduates > 0).then(|| *count as f64 / *graduates as f64);
            let known = graduates - unknown.get(g).copied().unwrap_or(0);
            let coverage = (*graduates > 0).then(|| (known as f64 / *graduates as f64 * 1e4).round() / 1e4);
            self.push(*year, q, OTHER_ORIENTATIONS, *g, status, *count, *graduates, share, coverage);
            self.coverage_from.push(None);
        }
    }

    /// The frame, in the source's column types.
    fn frame(self, source: &DataFrame, coverage: &[Option<f64>]) -> PolarsResult<DataFrame> {
        let n = self.year.len();
        let cov: Vec<Option<f64>> = (0..n).map(|i| match self.coverage_from[i] { Some(j) => coverage[j], None => self.coverage[i] }).collect();
        let lag: Vec<i64> = (0..n).map(|i| self.year[i] - self.gy[i]).collect();
        let columns = vec![
            Column::new("year".into(), self.year),
            Column::new("member_id".into(), vec![ALL; n]),
            Column::new("qualification_code".into(), self.qual),
            Column::new("orientation".into(), self.orient),
            Column::new("graduation_year".into(), self.gy),
            Column::new("status".into(), self.status),
            Column::new("count".into(), self.count),
            Column::new("graduates".into(), self.graduates),
            Column::new("share".into(), self.share),
            Column::new("lag".into(), lag),
            Column::new("coverage".into(), cov),
        ];
        let columns = columns
            .into_iter()
            .map(|c| match source.column(c.name()) {
                Ok(s) => c.cast(s.dtype()),
                Err(_) => Ok(c),
            })
            .collect::<PolarsResult<Vec<_>>>()?;
        DataFrame::new(n, columns)
    }
}
