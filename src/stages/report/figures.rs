//! The charts' data: each chart is built from the very frame its table is written from, so
//! every figure drawn is a figure of the table.

use polars::prelude::*;

use crate::charts::enrolment::{EnrolmentChart, Line};
use crate::charts::labels::{self, Key};
use crate::charts::placement::{Bar, PlacementChart};
use crate::charts::Frame;
use crate::config::Config;
use crate::domain::{Lang, PlacementClass};
use crate::stages::transform::{ALL, NATIONAL};

pub(super) fn member_label(config: &Config, id: &str, lang: Lang) -> String {
    if id == ALL {
        labels::text(lang, Key::AllMembers).to_owned()
    } else {
        config.registry.get(id).map(|m| m.name.clone()).unwrap_or_else(|| id.to_owned())
    }
}

/// The most member bars a placement chart holds (a report page; the association has 16).
pub const MAX_BARS: usize = 40;

/// Placement one year after graduation (or the latest graduation year surveyed) from the
/// member-level table: a bar per member and one for the association on top.
pub(super) fn placement_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, flag: &str) -> PolarsResult<PlacementChart> {
    let years: Vec<i32> = df.column("graduation_year")?.i32()?.into_no_null_iter().collect();
    let gy = if years.contains(&(config.year - 1)) { config.year - 1 } else { years.iter().copied().max().unwrap_or(config.year) };
    let rows = df.clone().lazy().filter(col("graduation_year").eq(lit(gy))).collect()?;
    let member = rows.column("member_id")?.str()?;
    let class = rows.column("class")?.str()?;
    let share = rows.column("share")?.f64()?;
    let graduates = rows.column("graduates")?.i64()?;
    let mut bars: Vec<(String, Bar)> = Vec::new();
    for i in 0..rows.height() {
        let id = member.get(i).unwrap_or_default();
        if bars.last().is_none_or(|b| b.0 != id) {
            let bar = Bar { label: member_label(config, id, lang), n: graduates.get(i).unwrap_or(0), shares: [None; 4] };
            bars.push((id.to_owned(), bar));
        }
        let k = PlacementClass::ALL.iter().position(|c| Some(c.code()) == class.get(i));
        if let (Some(k), Some(bar)) = (k, bars.last_mut()) {
            bar.1.shares[k] = share.get(i);
        }
    }
    // A chart for a page holds at most MAX_BARS members: the largest, when there are more.
    let members = bars.iter().filter(|b| b.0 != ALL).count();
    if members > MAX_BARS {
        bars.sort_by(|a, b| (a.0 != ALL, std::cmp::Reverse(a.1.n), &a.1.label).cmp(&(b.0 != ALL, std::cmp::Reverse(b.1.n), &b.1.label)));
        bars.truncate(MAX_BARS + 1);
    }
    // The association first, then members by name.
    bars.sort_by(|a, b| (a.0 != ALL, &a.1.label).cmp(&(b.0 != ALL, &b.1.label)));
    let n = bars.iter().find(|b| b.0 == ALL).map(|b| b.1.n).unwrap_or(0);
    let mut subtitle = labels::text(lang, Key::PlacementSubtitle)
        .replace("{gy}", &gy.to_string())
        .replace("{year}", &config.year.to_string())
        .replace("{n}", &labels::int(lang, n));
    if members > MAX_BARS {
        let shown = labels::text(lang, Key::LargestShown).replace("{shown}", &MAX_BARS.to_string()).replace("{total}", &labels::int(lang, members as i64));
        subtitle = format!("{subtitle}. {shown}");
    }
    Ok(PlacementChart {
        lang,
        frame: Frame {
            title: labels::text(lang, Key::PlacementTitle).into(),
            subtitle,
            sources: vec![labels::text(lang, Key::SourceSurvey).replace("{year}", &config.year.to_string())],
            note,
        },
        bars: bars.into_iter().map(|b| b.1).collect(),
        flag: flag.to_owned(),
    })
}

/// Students, new students and graduates of all published qualifications, members together and
/// the whole country, from Vipunen.
pub(super) fn enrolment_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, date: &str) -> PolarsResult<EnrolmentChart> {
    let rows = df
        .clone()
        .lazy()
        .filter(col("source").eq(lit("vipunen")).and(col("qualification_code").eq(lit(ALL))))
        .sort(["year"], SortMultipleOptions::default())
        .collect()?;
    let year = rows.column("year")?.i32()?;
    let member = rows.column("member_id")?.str()?;
    let mut lines = Vec::new();
    for (m, dashed, who) in [(ALL, false, Key::Members), (NATIONAL, true, Key::National)] {
        for (c, key, color) in [("students", Key::Students, 0), ("new_students", Key::NewStudents, 3), ("graduates", Key::Graduates, 2)] {
            let v = rows.column(c)?.i64()?;
            let points = (0..rows.height())
                .filter(|i| member.get(*i) == Some(m))
                .filter_map(|i| Some((year.get(i)?, v.get(i)?)))
                .collect();
            let label = format!("{}: {}", labels::text(lang, who), labels::text(lang, key).to_lowercase());
            lines.push(Line { label, color, dashed, points });
        }
    }
    let from = year.into_no_null_iter().min().unwrap_or(config.pipeline.first_year);
    let to = year.into_no_null_iter().max().unwrap_or(config.year);
    Ok(EnrolmentChart {
        lang,
        frame: Frame {
            title: labels::text(lang, Key::EnrolmentTitle).into(),
            subtitle: labels::text(lang, Key::EnrolmentSubtitle)
                .replace("{from}", &from.to_string())
                .replace("{to}", &to.to_string()),
            sources: vec![labels::text(lang, Key::SourceVipunen).replace("{date}", date)],
            note,
        },
        lines,
    })
}

