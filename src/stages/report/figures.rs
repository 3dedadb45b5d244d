//! The charts' data: each chart is built from the very frame its table is written from, so
//! every figure drawn is a figure of the table.

use polars::prelude::*;

use crate::charts::enrolment::{EnrolmentChart, Line};
use crate::charts::labels::{self, Key};
use crate::charts::placement::{Bar, PlacementChart};
use crate::charts::Frame;
use crate::charts::card::{Card, Figure as CardFigure};
use crate::charts::grouped::{Group, GroupedBars, Scale, Series};
use crate::config::Config;
use crate::domain::{Lang, PlacementClass};
use crate::stages::transform::{ALL, NATIONAL};

/// A member's name; the association as whom its survey figures cover (`who`, see
/// [`crate::collection::publish::partial_label`]), "All members" when every member is in.
pub(super) fn member_label(config: &Config, id: &str, lang: Lang, who: Option<&str>) -> String {
    if id == ALL {
        who.unwrap_or(labels::text(lang, Key::AllMembers)).to_owned()
    } else {
        config.registry.get(id).map(|m| m.name.clone()).unwrap_or_else(|| id.to_owned())
    }
}

/// Keeps the association and the first [`MAX_BARS`] members of rows already in order, when
/// there are more members than a page holds.
fn keep_largest<T>(rows: &mut Vec<T>, members: usize) {
    if members > MAX_BARS {
        rows.truncate(MAX_BARS + 1);
    }
}

/// A subtitle of survey figures, with whom they cover when not every member is in.
fn with_who(subtitle: String, who: Option<&str>) -> String {
    match who {
        Some(w) => format!("{subtitle}. {w}"),
        None => subtitle,
    }
}

/// A subtitle, with the note that only the [`MAX_BARS`] largest of `members` are shown when so.
fn with_cap_note(lang: Lang, subtitle: String, members: usize) -> String {
    if members <= MAX_BARS {
        return subtitle;
    }
    let note = labels::text(lang, Key::LargestShown).replace("{shown}", &MAX_BARS.to_string()).replace("{total}", &labels::int(lang, members as i64));
    format!("{subtitle}. {note}")
}

/// The most member bars a placement chart holds (a report page; the association has 16).
pub const MAX_BARS: usize = 40;

/// Placement one year after graduation (or the latest graduation year surveyed) from the
/// member-level table: a bar per member and one for the association on top.
pub(super) fn placement_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, flag: &str, who: Option<&str>) -> PolarsResult<PlacementChart> {
    let years: Vec<i32> = df.column("graduation_year")?.i32()?.into_no_null_iter().collect();
    let gy = if years.contains(&(config.year - 1)) { config.year - 1 } else { years.iter().copied().max().unwrap_or(config.year) };
    let rows = df.clone().lazy().filter(col("graduation_year").eq(lit(gy))).collect()?;
    let member = rows.column("member_id")?.str()?;
    let class = rows.column("class")?.str()?;
    let share = rows.column("share")?.f64()?;
    let graduates = rows.column("graduates")?.i64()?;
    let n_flag = rows.column("graduates_flag")?.str()?;
    let mut bars: Vec<(String, Bar)> = Vec::new();
    for i in 0..rows.height() {
        let id = member.get(i).unwrap_or_default();
        if bars.last().is_none_or(|b| b.0 != id) {
            let n_hidden = n_flag.get(i).filter(|f| !f.is_empty()).map(str::to_owned);
            let bar = Bar { label: member_label(config, id, lang, who), n: graduates.get(i).unwrap_or(0), n_hidden, shares: [None; 4] };
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
        keep_largest(&mut bars, members);
    }
    // The association first, then members by their share in further studies (the first
    // segment, so the bars' left parts line up in order), hidden shares last, then by name.
    let key = |b: &(String, Bar)| (b.0 != ALL, b.1.shares[0].is_none(), -(b.1.shares[0].unwrap_or(0.0) * 1e6).round() as i64);
    bars.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.1.label.cmp(&b.1.label)));
    let n = bars.iter().find(|b| b.0 == ALL).map(|b| b.1.n_text(lang)).unwrap_or_default();
    let subtitle = labels::text(lang, Key::PlacementSubtitle)
        .replace("{gy}", &gy.to_string())
        .replace("{year}", &config.year.to_string())
        .replace("{n}", &n);
    let subtitle = with_cap_note(lang, with_who(subtitle, who), members);
    Ok(PlacementChart {
        name: "placement_by_member",
        lang,
        frame: Frame {
            title: labels::text(lang, Key::PlacementTitle).into(),
            subtitle,
            sources: vec![labels::text(lang, Key::SourceSurvey).replace("{year}", &config.year.to_string())],
            note,
        },
        bars: bars.into_iter().map(|b| b.1).collect(),
        flag: flag.to_owned(),
        first_is_total: true,
    })
}

/// The association's placement one year after graduation, cohort by cohort, from the disclosed
/// `placement_by_member_trend` (its `all` rows): a bar per cohort, oldest on top, drawn like
/// the member chart (suppressed classes as one grey segment).
pub(super) fn placement_trend_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, flag: &str, who: Option<&str>) -> PolarsResult<PlacementChart> {
    let rows = df.clone().lazy().filter(col("member_id").eq(lit(ALL))).sort(["graduation_year"], SortMultipleOptions::default()).collect()?;
    let gy = rows.column("graduation_year")?.i32()?;
    let class = rows.column("class")?.str()?;
    let share = rows.column("share")?.f64()?;
    let graduates = rows.column("graduates")?.i64()?;
    let n_flag = rows.column("graduates_flag")?.str()?;
    let mut bars: Vec<(i32, Bar)> = Vec::new();
    for i in 0..rows.height() {
        let g = gy.get(i).unwrap_or_default();
        if bars.last().is_none_or(|b| b.0 != g) {
            let n_hidden = n_flag.get(i).filter(|f| !f.is_empty()).map(str::to_owned);
            bars.push((g, Bar { label: g.to_string(), n: graduates.get(i).unwrap_or(0), n_hidden, shares: [None; 4] }));
        }
        let k = PlacementClass::ALL.iter().position(|c| Some(c.code()) == class.get(i));
        if let (Some(k), Some(bar)) = (k, bars.last_mut()) {
            bar.1.shares[k] = share.get(i);
        }
    }
    let title = lang.pick(&("Sijoittuminen vuosittain", "Placering över åren", "Placement over the years"));
    let subtitle = lang
        .pick(&(
            "Tilanne vuosi valmistumisen jälkeen, valmistumisvuodet {from}–{to}",
            "Situationen ett år efter examen, examensår {from}–{to}",
            "Status one year after graduation, graduation years {from}–{to}",
        ))
        .replace("{from}", &bars.first().map(|b| b.0.to_string()).unwrap_or_default())
        .replace("{to}", &bars.last().map(|b| b.0.to_string()).unwrap_or_default());
    Ok(PlacementChart {
        name: "placement_trend",
        lang,
        frame: Frame {
            title: title.into(),
            subtitle: with_who(subtitle, who),
            sources: vec![labels::text(lang, Key::SourceSurvey).replace("{year}", &config.year.to_string())],
            note,
        },
        bars: bars.into_iter().map(|b| b.1).collect(),
        flag: flag.to_owned(),
        first_is_total: false,
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
        name: "enrolment_trend",
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


/// Adds the legend of the symbol `..` to a grouped chart's source lines when a value of it is
/// hidden.
fn explain_hidden(mut chart: GroupedBars) -> GroupedBars {
    if chart.groups.iter().any(|g| g.values.iter().any(Option::is_none)) {
        chart.frame.sources.push(labels::text(chart.lang, Key::LegendSecondary).into());
    }
    chart
}

/// A cell of a published (string) table.
fn cell(df: &DataFrame, c: &str, i: usize) -> String {
    df.column(c).ok().and_then(|s| s.get(i).ok()).map(|v| v.str_value().to_string()).unwrap_or_default()
}

/// The association one year after graduation beside the whole country, from the published
/// benchmark table (classes of Statistics Finland).
pub(super) fn benchmark_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, who: Option<&str>) -> Option<GroupedBars> {
    if df.height() == 0 {
        return None;
    }
    let gy = cell(df, "graduation_year", 0);
    let byear = cell(df, "benchmark_year", 0);
    let groups = (0..df.height())
        .map(|i| Group {
            label: crate::stages::report::localized::label(config, lang, "placement_benchmark", "class", &cell(df, "class", i)),
            values: ["share", "field02_share", "all_fields_share"].iter().map(|c| cell(df, c, i).parse::<f64>().ok()).collect(),
        })
        .collect();
    Some(explain_hidden(GroupedBars {
        name: format!("placement_benchmark-{}", lang.code()),
        lang,
        frame: Frame {
            title: labels::text(lang, Key::BenchmarkTitle).into(),
            subtitle: with_who(labels::text(lang, Key::BenchmarkSubtitle).replace("{gy}", &gy).replace("{byear}", &byear), who),
            sources: vec![
                labels::text(lang, Key::SourceSurvey).replace("{year}", &config.year.to_string()),
                labels::text(lang, Key::SourceStatfin).replace("{table}", "sijk/111l"),
            ],
            note,
        },
        series: vec![
            Series { label: labels::text(lang, Key::Association).into(), color: 0 },
            Series { label: labels::text(lang, Key::Field02).into(), color: 3 },
            Series { label: labels::text(lang, Key::AllFields).into(), color: 1 },
        ],
        groups,
        scale: Scale::Percent,
        group_header: labels::column(lang, "class").into(),
    }))
}

/// Applicants per start place by member (the survey, all qualifications), largest first, the
/// association on top.
pub(super) fn applicants_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, who: Option<&str>) -> GroupedBars {
    let year = config.year.to_string();
    let mut rows: Vec<(bool, String, Option<f64>)> = (0..df.height())
        .filter(|i| cell(df, "source", *i) == "survey" && cell(df, "qualification_code", *i) == ALL && cell(df, "year", *i) == year)
        .filter(|i| ![NATIONAL, crate::stages::transform::NON_MEMBERS].contains(&cell(df, "member_id", *i).as_str()))
        .map(|i| {
            let id = cell(df, "member_id", i);
            (id != ALL, member_label(config, &id, lang, who), cell(df, "applicants_per_place", i).parse::<f64>().ok())
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.unwrap_or(-1.0).total_cmp(&a.2.unwrap_or(-1.0))).then(a.1.cmp(&b.1)));
    let members = rows.iter().filter(|r| r.0).count();
    keep_largest(&mut rows, members);
    let subtitle = with_cap_note(lang, with_who(labels::text(lang, Key::ApplicantsSubtitle).replace("{year}", &year), who), members);
    explain_hidden(GroupedBars {
        name: format!("applicants_per_place-{}", lang.code()),
        lang,
        frame: Frame {
            title: labels::text(lang, Key::ApplicantsTitle).into(),
            subtitle,
            sources: vec![labels::text(lang, Key::SourceSurvey).replace("{year}", &year)],
            note,
        },
        series: vec![Series { label: labels::text(lang, Key::ApplicantsTitle).into(), color: 0 }],
        groups: rows.into_iter().map(|(_, label, v)| Group { label, values: vec![v] }).collect(),
        scale: Scale::Ratio,
        group_header: labels::column(lang, "member_id").into(),
    })
}

/// The key-figures card of the statistical year from the published key figures: students,
/// graduates and providers in music and dance, members' figures with their share of the
/// country and the change from the year before.
pub(super) fn key_figures_card(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, social: bool, date: &str) -> Card {
    let find = |year: i32, field: &str, measure: &str| {
        (0..df.height()).find(|i| cell(df, "year", *i) == year.to_string() && cell(df, "field", *i) == field && cell(df, "measure", *i) == measure)
    };
    let mut figures = Vec::new();
    for field in ["music", "dance"] {
        for measure in ["students", "graduates", "providers"] {
            let now = find(config.year, field, measure);
            let before = find(config.year - 1, field, measure);
            figures.push(CardFigure {
                label: format!("{} · {}", labels::code(lang, measure).unwrap_or(measure), labels::code(lang, field).unwrap_or(field).to_lowercase()),
                value: now.and_then(|i| cell(df, "members", i).parse().ok()),
                previous: before.and_then(|i| cell(df, "members", i).parse().ok()),
                share: now.and_then(|i| cell(df, "members_share", i).parse().ok()),
            });
        }
    }
    let (name, size) = if social { ("key_figures_social", (1200, 675)) } else { ("key_figures", (900, 600)) };
    let mut sources = vec![labels::text(lang, Key::SourceVipunen).replace("{date}", date)];
    // A hidden figure, or a share hidden with the country's figure, says why.
    if figures.iter().any(|f: &CardFigure| f.value.is_none() || (f.value.is_some() && f.share.is_none())) {
        sources.push(labels::text(lang, Key::LegendSecondary).into());
    }
    Card {
        name: format!("{name}-{}", lang.code()),
        lang,
        frame: Frame {
            title: labels::text(lang, Key::CardTitle).replace("{year}", &config.year.to_string()),
            subtitle: labels::text(lang, Key::CardSubtitle).into(),
            sources,
            note,
        },
        figures,
        share_word: labels::text(lang, Key::ShareOfCountry).into(),
        change_word: labels::text(lang, Key::ChangeFrom).replace("{year}", &(config.year - 1).to_string()),
        size,
        social,
    }
}

/// Placement of the association's graduates by qualification and orientation, in the four
/// classes, from the disclosed detailed table (a class is hidden when one of its statuses is).
pub(super) fn orientation_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, flag: &str, who: Option<&str>) -> PolarsResult<PlacementChart> {
    let all = who.unwrap_or(labels::text(lang, Key::AllMembers));
    let years: Vec<i32> = df.column("graduation_year")?.i32()?.into_no_null_iter().collect();
    let gy = if years.contains(&(config.year - 1)) { config.year - 1 } else { years.iter().copied().max().unwrap_or(config.year) };
    let rows = df.clone().lazy().filter(col("graduation_year").eq(lit(gy)).and(col("member_id").eq(lit(ALL)))).collect()?;
    let (q, o, st) = (rows.column("qualification_code")?.str()?, rows.column("orientation")?.str()?, rows.column("status")?.str()?);
    let share = rows.column("share")?.f64()?;
    let graduates = rows.column("graduates")?.i64()?;
    let n_flag = rows.column("graduates_flag")?.str()?;
    // (qualification, orientation) → (n, its symbol if hidden, sum of shares per class, any hidden per class)
    let mut groups: Vec<((String, String), i64, Option<String>, [f64; 4], [bool; 4])> = Vec::new();
    // A qualification whose orientations were all merged into it is drawn as its own bar.
    let with_orientations: std::collections::HashSet<&str> =
        (0..rows.height()).filter(|i| o.get(*i) != Some(ALL)).filter_map(|i| q.get(i)).collect();
    for i in 0..rows.height() {
        let key = (q.get(i).unwrap_or_default().to_owned(), o.get(i).unwrap_or_default().to_owned());
        if key.0 != ALL && key.1 == ALL && with_orientations.contains(key.0.as_str()) {
            continue;
        }
        let Some(status) = crate::domain::PlacementStatus::ALL.iter().find(|s| Some(s.code()) == st.get(i)) else { continue };
        let k = PlacementClass::ALL.iter().position(|c| *c == PlacementClass::of(*status)).unwrap_or(0);
        if groups.last().is_none_or(|g| g.0 != key) {
            let hidden_n = n_flag.get(i).filter(|f| !f.is_empty()).map(str::to_owned);
            groups.push((key.clone(), graduates.get(i).unwrap_or(0), hidden_n, [0.0; 4], [false; 4]));
        }
        let g = groups.last_mut().expect("pushed");
        match share.get(i) {
            Some(v) => g.3[k] += v,
            None => g.4[k] = true,
        }
    }
    let mut bars: Vec<(bool, Bar)> = groups
        .into_iter()
        .map(|((qc, oc), n, n_hidden, sums, hidden)| {
            let label = if qc == ALL {
                all.to_owned()
            } else if oc == ALL {
                crate::stages::report::localized::label(config, lang, "placement", "qualification_code", &qc)
            } else {
                crate::stages::report::localized::label(config, lang, "placement", "orientation", &oc)
            };
            let shares = std::array::from_fn(|k| (!hidden[k]).then_some(sums[k]));
            (qc != ALL, Bar { label, n, n_hidden, shares })
        })
        .collect();
    // Largest first; groups whose n is hidden last, by name (their order would hint at n).
    bars.sort_by(|a, b| {
        (a.0, a.1.n_hidden.is_some()).cmp(&(b.0, b.1.n_hidden.is_some())).then(if a.1.n_hidden.is_some() { a.1.label.cmp(&b.1.label) } else { b.1.n.cmp(&a.1.n) })
    });
    let n = bars.iter().find(|b| !b.0).map(|b| b.1.n_text(lang)).unwrap_or_default();
    Ok(PlacementChart {
        name: "placement_by_orientation",
        lang,
        frame: Frame {
            title: labels::text(lang, Key::OrientationTitle).into(),
            subtitle: labels::text(lang, Key::OrientationSubtitle)
                .replace("{who}", all)
                .replace("{gy}", &gy.to_string())
                .replace("{year}", &config.year.to_string())
                .replace("{n}", &n),
            sources: vec![labels::text(lang, Key::SourceSurvey).replace("{year}", &config.year.to_string())],
            note,
        },
        bars: bars.into_iter().map(|b| b.1).collect(),
        flag: flag.to_owned(),
        first_is_total: true,
    })
}

/// Students in music and in dance, members and the whole country, from the published key
/// figures.
pub(super) fn field_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, date: &str) -> EnrolmentChart {
    let mut lines = Vec::new();
    for (field, color) in [("music", 0usize), ("dance", 5)] {
        for (who, dashed, key) in [("members", false, Key::Members), ("national", true, Key::National)] {
            let mut points: Vec<(i32, i64)> = (0..df.height())
                .filter(|i| cell(df, "field", *i) == field && cell(df, "measure", *i) == "students")
                .filter_map(|i| Some((cell(df, "year", i).parse().ok()?, cell(df, who, i).parse().ok()?)))
                .collect();
            points.sort_unstable();
            let label = format!("{}: {}", labels::text(lang, key), labels::code(lang, field).unwrap_or(field).to_lowercase());
            lines.push(Line { label, color, dashed, points });
        }
    }
    let years: Vec<i32> = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)).collect();
    let (from, to) = (years.iter().min().copied().unwrap_or(config.pipeline.first_year), years.iter().max().copied().unwrap_or(config.year));
    EnrolmentChart {
        name: "students_by_field",
        lang,
        frame: Frame {
            title: labels::text(lang, Key::FieldTitle).into(),
            subtitle: labels::text(lang, Key::FieldSubtitle).replace("{from}", &from.to_string()).replace("{to}", &to.to_string()),
            sources: vec![labels::text(lang, Key::SourceVipunen).replace("{date}", date)],
            note,
        },
        lines,
    }
}

/// The survey's graduates of the statistical year beside Vipunen's, member by member, from
/// the published (disclosed) enrolment table: the association's check that the returns are
/// complete, as far as it can be published.
pub(super) fn coverage_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, date: &str, who: Option<&str>) -> GroupedBars {
    let year = config.year.to_string();
    let mut members: Vec<String> = (0..df.height())
        .filter(|i| cell(df, "year", *i) == year && cell(df, "qualification_code", *i) == ALL && cell(df, "source", *i) == "survey")
        .map(|i| cell(df, "member_id", i))
        .filter(|m| ![NATIONAL, crate::stages::transform::NON_MEMBERS].contains(&m.as_str()))
        .collect();
    members.sort_by_key(|m| (m != ALL, member_label(config, m, lang, who)));
    // One pass: (member, source) → graduates of the year, all qualifications.
    let mut graduates: std::collections::HashMap<(String, String), Option<f64>> = std::collections::HashMap::new();
    for i in 0..df.height() {
        if cell(df, "year", i) == year && cell(df, "qualification_code", i) == ALL {
            graduates.insert((cell(df, "member_id", i), cell(df, "source", i)), cell(df, "graduates", i).parse::<f64>().ok());
        }
    }
    let value = |m: &str, source: &str| graduates.get(&(m.to_owned(), source.to_owned())).copied().flatten();
    let total = members.iter().filter(|m| *m != ALL).count();
    keep_largest(&mut members, total);
    let subtitle = with_cap_note(lang, with_who(labels::text(lang, Key::CoverageSubtitle).replace("{year}", &year), who), total);
    let groups = members.iter().map(|m| Group { label: member_label(config, m, lang, who), values: vec![value(m, "survey"), value(m, "vipunen")] }).collect();
    survey_beside_vipunen("survey_coverage", Key::CoverageTitle, subtitle, config, lang, note, date, groups)
}

/// Applicants by member (all qualifications) as the return counts them and as Vipunen does,
/// from the published applicants reconciliation; the association first.
pub(super) fn applicants_check_chart(config: &Config, df: &DataFrame, lang: Lang, note: Option<String>, date: &str, who: Option<&str>) -> GroupedBars {
    let year = config.year.to_string();
    let mut rows: Vec<(String, Option<f64>, Option<f64>)> = (0..df.height())
        .filter(|i| cell(df, "year", *i) == year && cell(df, "qualification_code", *i) == ALL)
        .map(|i| (cell(df, "member_id", i), cell(df, "survey_applicants", i).parse().ok(), cell(df, "vipunen_applicants", i).parse().ok()))
        .collect();
    rows.sort_by_key(|r| (r.0 != ALL, member_label(config, &r.0, lang, who)));
    let total = rows.iter().filter(|r| r.0 != ALL).count();
    keep_largest(&mut rows, total);
    let subtitle = with_cap_note(lang, labels::text(lang, Key::ApplicantsCheckSubtitle).replace("{year}", &year), total);
    let groups = rows.into_iter().map(|(m, survey, vipunen)| Group { label: member_label(config, &m, lang, who), values: vec![survey, vipunen] }).collect();
    survey_beside_vipunen("applicants_check", Key::ApplicantsCheckTitle, subtitle, config, lang, note, date, groups)
}

/// A member-by-member chart of a survey figure beside Vipunen's (coverage, applicants check):
/// the survey's series first, both sources named.
#[allow(clippy::too_many_arguments)]
fn survey_beside_vipunen(name: &str, title: Key, subtitle: String, config: &Config, lang: Lang, note: Option<String>, date: &str, groups: Vec<Group>) -> GroupedBars {
    let year = config.year.to_string();
    explain_hidden(GroupedBars {
        name: format!("{name}-{}", lang.code()),
        lang,
        frame: Frame {
            title: labels::text(lang, title).into(),
            subtitle,
            sources: vec![
                labels::text(lang, Key::SourceSurvey).replace("{year}", &year),
                labels::text(lang, Key::SourceVipunen).replace("{date}", date),
            ],
            note,
        },
        series: vec![
            Series { label: labels::text(lang, Key::SurveyGraduates).into(), color: 0 },
            Series { label: labels::text(lang, Key::VipunenGraduates).into(), color: 3 },
        ],
        groups,
        scale: Scale::Count,
        group_header: labels::column(lang, "member_id").into(),
    })
}
