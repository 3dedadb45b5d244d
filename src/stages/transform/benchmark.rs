//! The placement benchmark: the association's graduates one year after graduation in the
//! Statistics Finland classes, beside StatFin `sijk/111l` for the whole vocational level and for
//! field 02 (humanities and arts, where music and dance sit).
//!
//! Crosswalk from the survey's statuses: `university`, `uas`, `other_studies` → **students**;
//! `employed_in_field`, `employed_outside_field` → **employed**; `unemployed` → **unemployed**;
//! `other` → **other**; `unknown` is left out, so shares are of graduates with a known status.
//! The StatFin classes are found by their labels (fi, sv or en), the field by its code, the
//! dimensions by their code prefixes: the table's codes change between versions.

use polars::prelude::*;

/// The four classes, in publishing order, with the survey statuses each takes and the words
/// that find it among StatFin's labels.
pub const CLASSES: [(&str, &[&str], &[&str]); 4] = [
    ("employed", &["employed_in_field", "employed_outside_field"], &["työllis", "sysselsatt", "employed"]),
    ("students", &["university", "uas", "other_studies"], &["opiskelij", "studerande", "student"]),
    ("unemployed", &["unemployed"], &["työttöm", "arbetslös", "unemployed"]),
    ("other", &["other"], &["muu", "övrig", "other"]),
];

/// The class of a StatFin activity label.
fn class_of(label: &str) -> Option<&'static str> {
    let l = label.to_lowercase();
    // "unemployed" contains "employed": test the unemployed class first.
    [2usize, 0, 1, 3].into_iter().map(|i| CLASSES[i]).find(|(_, _, words)| words.iter().any(|w| l.contains(w))).map(|(c, _, _)| c)
}

/// Builds the benchmark table from the disclosed placement table's association rows (for the
/// graduates of `year − 1`) and the decoded `sijk/111l` frame.
///
/// Columns: `graduation_year, class, count, share, benchmark_year, field02_share, all_fields_share`.
pub fn placement_benchmark(placement: &DataFrame, statfin: &DataFrame, year: i32) -> PolarsResult<DataFrame> {
    let gy = year - 1;
    let rows = placement
        .clone()
        .lazy()
        .filter(
            col("member_id")
                .eq(lit("all"))
                .and(col("qualification_code").eq(lit("all")))
                .and(col("orientation").eq(lit("all")))
                .and(col("graduation_year").eq(lit(gy))),
        )
        .collect()?;
    let status = rows.column("status")?.str()?.clone();
    let count = rows.column("count")?.i64()?.clone();
    let value = |s: &str| -> Option<Option<i64>> {
        (0..rows.height()).find(|i| status.get(*i) == Some(s)).map(|i| count.get(i))
    };
    // A class is hidden when any of its statuses is: its sum would otherwise give it away.
    let counts: Vec<Option<i64>> = CLASSES
        .iter()
        .map(|(_, statuses, _)| statuses.iter().map(|s| value(s).flatten()).sum::<Option<i64>>())
        .collect();
    let known: Option<i64> = counts.iter().copied().sum();
    let shares: Vec<Option<f64>> =
        counts.iter().map(|c| match (c, known) { (Some(c), Some(k)) if k > 0 => Some(*c as f64 / k as f64), _ => None }).collect();
    let (bench_year, field02, all_fields) = statfin_shares(statfin, year)?;
    df!(
        "graduation_year" => vec![gy; CLASSES.len()],
        "class" => CLASSES.iter().map(|c| c.0).collect::<Vec<_>>(),
        "count" => counts,
        "share" => shares.iter().map(|s| s.map(|x| (x * 10_000.0).round() / 10_000.0)).collect::<Vec<_>>(),
        "benchmark_year" => vec![bench_year; CLASSES.len()],
        "field02_share" => CLASSES.iter().map(|c| field02.iter().find(|(k, _)| *k == c.0).and_then(|(_, v)| *v)).collect::<Vec<_>>(),
        "all_fields_share" => CLASSES.iter().map(|c| all_fields.iter().find(|(k, _)| *k == c.0).and_then(|(_, v)| *v)).collect::<Vec<_>>(),
    )
}

/// StatFin shares per class for field 02 and for all fields, in the latest year up to
/// `year`, as fractions. Counts are turned into shares of the four classes when the table has
/// no share measure.
type ClassShares = Vec<(&'static str, Option<f64>)>;

fn statfin_shares(df: &DataFrame, year: i32) -> PolarsResult<(Option<i32>, ClassShares, ClassShares)> {
    let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    let find = |prefix: &str| names.iter().find(|n| n.starts_with(prefix) && !n.ends_with("_label")).cloned();
    let (Some(field), Some(time)) = (find("koulutusala"), find("timeperiod")) else {
        return Ok((None, Vec::new(), Vec::new()));
    };
    let content = find("contentscode");
    // The activity dimension: the one whose labels name the classes.
    let activity = names.iter().filter(|n| n.ends_with("_label")).find(|n| {
        df.column(n).ok().and_then(|c| c.str().ok().cloned()).is_some_and(|c| c.iter().flatten().filter(|l| class_of(l).is_some()).count() >= 3)
    });
    let Some(activity) = activity.cloned() else { return Ok((None, Vec::new(), Vec::new())) };
    let years: Vec<i32> = df.column(&time)?.str()?.iter().flatten().filter_map(|y| y.parse().ok()).filter(|y| *y <= year).collect();
    let Some(latest) = years.iter().copied().max() else { return Ok((None, Vec::new(), Vec::new())) };
    let f = df.column(&field)?.str()?.clone();
    let t = df.column(&time)?.str()?.clone();
    let a = df.column(&activity)?.str()?.clone();
    let v = df.column("value")?.f64()?.clone();
    let c = match &content {
        Some(c) => Some(df.column(c)?.str()?.clone()),
        None => None,
    };
    let shares_for = |code: &str| -> ClassShares {
        // Prefer counts (then shares are exact); the published shares are rounded.
        let mut sums: Vec<(&'static str, f64)> = Vec::new();
        for i in 0..df.height() {
            let is_count = c.as_ref().is_none_or(|c| c.get(i).is_some_and(|x| !x.contains("osuus") && !x.contains("pros")));
            if f.get(i) == Some(code) && t.get(i) == Some(latest.to_string().as_str()) && is_count
                && let (Some(class), Some(val)) = (a.get(i).and_then(class_of), v.get(i))
            {
                match sums.iter_mut().find(|(k, _)| *k == class) {
                    Some((_, s)) => *s += val,
                    None => sums.push((class, val)),
                }
            }
        }
        let total: f64 = sums.iter().map(|(_, s)| s).sum();
        CLASSES
            .iter()
            .map(|(k, _, _)| (*k, sums.iter().find(|(c, _)| c == k).filter(|_| total > 0.0).map(|(_, s)| (s / total * 10_000.0).round() / 10_000.0)))
            .collect()
    };
    Ok((Some(latest), shares_for("02"), shares_for("SSS")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statfin_labels_find_their_class() {
        assert_eq!(class_of("Työlliset"), Some("employed"));
        assert_eq!(class_of("Työttömät"), Some("unemployed"));
        assert_eq!(class_of("Unemployed"), Some("unemployed"), "not 'employed'");
        assert_eq!(class_of("Päätoimiset opiskelijat"), Some("students"));
        assert_eq!(class_of("Muut"), Some("other"));
        assert_eq!(class_of("Yhteensä"), None);
    }
}
