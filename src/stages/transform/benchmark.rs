//! The placement benchmark: the association's graduates one year after graduation in the
//! Statistics Finland classes, beside StatFin `sijk/111l` for vocational upper secondary
//! qualifications, the whole country, both sexes: field 02 (humanities and arts, where music
//! and dance sit) and all fields.
//!
//! Crosswalk from the survey's statuses: `university`, `uas`, `other_studies` → **students**;
//! `employed_in_field`, `employed_outside_field` → **employed**; `unemployed` → **unemployed**;
//! `other` → **other**; `unknown` is left out, so shares are of graduates with a known status.
//!
//! `sijk/111l` has no activity variable: the activities are its content codes, a count and a
//! share each ([`CONTENTS`]). The national shares are the table's own shares (`…osuus`, in
//! per cent, so they read back exactly as Statistics Finland publishes them), or the count over
//! the graduates where a share is missing. The snapshot must hold one level of education, one
//! sex and one region (what the fetch selected: vocational, total, whole country), and two
//! fields, 02 and the total: anything else is an error that names the variable and the values
//! found, because a table summed over levels is not the vocational benchmark. Codes are matched
//! exactly or after a prefix (`KA_02`), as the table's codes change between versions.

use polars::prelude::*;

/// The four classes, in publishing order, with the survey statuses each takes.
pub const CLASSES: [(&str, &[&str]); 4] = [
    ("employed", &["employed_in_field", "employed_outside_field"]),
    ("students", &["university", "uas", "other_studies"]),
    ("unemployed", &["unemployed"]),
    ("other", &["other"]),
];

/// The `sijk/111l` content codes of each class: its share (%) and its count, where the table
/// has one (it has none for "other").
pub const CONTENTS: [(&str, &str, Option<&str>); 4] = [
    ("employed", "tyollinen1vpaastayhtosuus", Some("tyollinen1vpaastayht")),
    ("students", "opiskelija1vpaastaosuus", Some("opiskelija1vpaasta")),
    ("unemployed", "tyoton1vpaastaosuus", Some("tyoton1vpaasta")),
    ("other", "muu1vpaastaosuus", None),
];

/// The content code of the graduates of the previous year (the shares' denominator).
pub const GRADUATES: &str = "tutkinto1vaiemmin";

/// The variables (by the start of their code) that must hold exactly one value, and what it
/// should be.
const ONE_VALUE: [(&str, &str); 3] =
    [("koulutusaste", "the vocational upper secondary level"), ("sukupuoli", "both sexes"), ("maakunta", "the whole country")];

/// Whether a code of the table is `code`, possibly after a prefix (`KA_02` for `02`).
fn is_code(c: &str, code: &str) -> bool {
    c == code || c.strip_suffix(code).is_some_and(|p| p.ends_with('_'))
}

fn bad(message: String) -> PolarsError {
    PolarsError::ComputeError(format!("StatFin sijk/111l snapshot: {message}").into())
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
        .map(|(_, statuses)| statuses.iter().map(|s| value(s).flatten()).sum::<Option<i64>>())
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

/// National shares per class, as fractions.
type ClassShares = Vec<(&'static str, Option<f64>)>;

/// The values of one dimension of the decoded table, distinct, in order, with their labels.
fn distinct(df: &DataFrame, column: &str) -> PolarsResult<Vec<(String, String)>> {
    let codes = df.column(column)?.str()?;
    let labels = df.column(&format!("{column}_label"))?.str()?;
    let mut out: Vec<(String, String)> = Vec::new();
    for (c, l) in codes.iter().zip(labels.iter()) {
        if let Some(c) = c
            && !out.iter().any(|(x, _)| x == c)
        {
            out.push((c.to_owned(), l.unwrap_or(c).to_owned()));
        }
    }
    Ok(out)
}

fn listed(values: &[(String, String)]) -> String {
    values.iter().map(|(c, l)| format!("{c} '{l}'")).collect::<Vec<_>>().join(", ")
}

/// StatFin shares per class for field 02 and for all fields, in the latest year up to `year`.
fn statfin_shares(df: &DataFrame, year: i32) -> PolarsResult<(Option<i32>, ClassShares, ClassShares)> {
    let names: Vec<String> =
        df.get_column_names().iter().map(|n| n.to_string()).filter(|n| !n.ends_with("_label") && n != "value").collect();
    let find = |prefix: &str| -> PolarsResult<String> {
        let found: Vec<&String> = names.iter().filter(|n| n.starts_with(prefix)).collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(bad(format!(
                "no variable '{prefix}…' (it has {}): a variable left out of the query is summed over all its values",
                names.join(", ")
            ))),
            many => Err(bad(format!("several variables '{prefix}…': {}", many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")))),
        }
    };
    for (prefix, meant) in ONE_VALUE {
        let var = find(prefix)?;
        let values = distinct(df, &var)?;
        if values.len() != 1 {
            return Err(bad(format!("variable {var} holds {} values ({}) where one is meant ({meant})", values.len(), listed(&values))));
        }
    }
    let field = find("koulutusala")?;
    let fields = distinct(df, &field)?;
    let (f02, total): (Vec<_>, Vec<_>) = fields.iter().cloned().partition(|(c, _)| is_code(c, "02"));
    let ([(f02, _)], [(total, _)]) = (f02.as_slice(), total.as_slice()) else {
        return Err(bad(format!("variable {field} holds {} where field 02 and the total of all fields are meant", listed(&fields))));
    };
    let time = find("timeperiod")?;
    let content = find("contentscode")?;
    let years: Vec<i32> = df.column(&time)?.str()?.iter().flatten().filter_map(|y| y.parse().ok()).filter(|y| *y <= year).collect();
    let Some(latest) = years.iter().copied().max() else { return Ok((None, Vec::new(), Vec::new())) };
    let latest_text = latest.to_string();
    let (f, t, c) = (df.column(&field)?.str()?, df.column(&time)?.str()?, df.column(&content)?.str()?);
    let v = df.column("value")?.f64()?;
    let at = |field: &str, code: &str| -> Option<f64> {
        (0..df.height())
            .find(|i| f.get(*i) == Some(field) && t.get(*i) == Some(latest_text.as_str()) && c.get(*i).is_some_and(|x| is_code(x, code)))
            .and_then(|i| v.get(i))
    };
    let shares_for = |field: &str| -> ClassShares {
        let graduates = at(field, GRADUATES).filter(|g| *g > 0.0);
        CONTENTS
            .iter()
            .map(|(class, share, count)| {
                let s = at(field, share).map(|p| p / 100.0).or_else(|| Some(count.and_then(|k| at(field, k))? / graduates?));
                (*class, s.map(|x| (x * 10_000.0).round() / 10_000.0))
            })
            .collect()
    };
    Ok((Some(latest), shares_for(f02), shares_for(total)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_exactly_or_after_a_prefix() {
        assert!(is_code("02", "02"));
        assert!(is_code("KA_02", "02"));
        assert!(!is_code("102", "02"));
        assert!(is_code("tyoton1vpaastaosuus", "tyoton1vpaastaosuus"));
        assert!(!is_code("tyollinenopiskelija1vpaastaosuus", "opiskelija1vpaastaosuus"), "employed students are not students");
    }
}
