//! The return template a school fills in: the contract's three sheets in the school's language,
//! with drop-down lists for qualification, orientation and years, whole-number validation on
//! counts, input messages, the member's details filled in and, where public data has it, last
//! year's graduates per qualification from Vipunen as a hint.
//!
//! In: a [`TemplateSpec`]. Out: `.xlsx` bytes. The same writer makes the bundled sample's
//! returns (a template with rows filled in), so "a filled template reads back with no findings"
//! is tested on every run of the sample.

use rust_xlsxwriter::{Color, DataValidation, DataValidationRule, Format, FormatAlign, Formula, Note, Worksheet, XlsxError};

use super::contract::{Col, DetailKey, SheetKind};
use super::{PlacementRow, StudentRow};
use crate::domain::{Lang, Orientation, QualificationCode};
use crate::files;

/// Rows of each table that get validation (a return has a few dozen at most).
pub const TEMPLATE_ROWS: u32 = 200;

/// What a template holds.
#[derive(Clone, Debug)]
pub struct TemplateSpec {
    /// Language of sheet names, headers, lists and messages.
    pub lang: Lang,
    /// Statistical year collected.
    pub year: i32,
    /// School name, when the member is known.
    pub school: Option<String>,
    /// Provider id, when the member is known.
    pub ytunnus: Option<String>,
    /// Contact person (left empty in a blank template).
    pub contact: Option<String>,
    /// Qualifications offered in the list: code and name in `lang`.
    pub qualifications: Vec<(QualificationCode, String)>,
    /// Hints: graduates per qualification in `hint_year` from public statistics.
    pub hints: Vec<(QualificationCode, String, i64)>,
    /// The year of the hints.
    pub hint_year: i32,
    /// Placement rows already filled in (none in a blank template).
    pub placement: Vec<PlacementRow>,
    /// Students rows already filled in.
    pub students: Vec<StudentRow>,
}

/// Texts of the template that are not in the contract.
fn text(lang: Lang, key: &str) -> &'static str {
    let t = match key {
        "lists" => ("Listat", "Listor", "Lists"),
        "hint_title" => (
            "Vipunen: valmistuneet vuonna {year} (vertailuksi, ei täytetä)",
            "Vipunen: utexaminerade år {year} (för jämförelse, fylls inte i)",
            "Vipunen: graduates in {year} (for comparison, not to be filled in)",
        ),
        "qualification_msg" => (
            "Valitse tutkinto listasta.",
            "Välj examen i listan.",
            "Choose the qualification from the list.",
        ),
        "orientation_msg" => (
            "Valitse suuntautuminen listasta. Tanssi kuuluu tanssialan ja musiikkituotanto musiikkituotannon tutkintoon.",
            "Välj inriktning i listan. Dans hör till examen i dans och musikproduktion till examen i musikproduktion.",
            "Choose the orientation from the list. Dance belongs to the dance and music production to the music production qualification.",
        ),
        "year_msg" => (
            "Valmistumisvuosi: {from}–{to}.",
            "Examensår: {from}–{to}.",
            "Graduation year: {from}–{to}.",
        ),
        "count_msg" => (
            "Kokonaisluku 0 tai suurempi. Tyhjä solu = 0, jos rivillä on muita lukuja.",
            "Ett heltal 0 eller större. Tom cell = 0 om raden har andra tal.",
            "A whole number, 0 or more. An empty cell is 0 when the row has other numbers.",
        ),
        "sum_msg" => (
            "Sijoittumissarakkeiden summan on oltava sama kuin valmistuneiden määrä.",
            "Placeringskolumnernas summa ska vara lika med antalet utexaminerade.",
            "The status columns must add up to the number of graduates.",
        ),
        "ytunnus_msg" => ("Muodossa 1234567-8.", "I formen 1234567-8.", "As 1234567-8."),
        _ => ("", "", ""),
    };
    lang.pick(&t)
}

/// The label a qualification has in the template's list: `321204 Musiikkialan perustutkinto`.
pub fn qualification_label(code: QualificationCode, name: &str) -> String {
    format!("{code} {name}")
}

/// Writes a template (blank, or with the rows of `spec` filled in).
pub fn write(spec: &TemplateSpec) -> Result<Vec<u8>, XlsxError> {
    let lang = spec.lang;
    let mut book = files::workbook();
    let bold = Format::new().set_bold();
    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top).set_background_color(Color::RGB(0xE8F1F8));
    let muted = Format::new().set_font_color(Color::RGB(0x606060)).set_italic();

    // Sheet 1: details.
    let details = book.add_worksheet();
    details.set_name(SheetKind::Details.name(lang))?;
    for (r, key) in DetailKey::ALL.iter().enumerate() {
        let r = r as u32;
        details.write_string_with_format(r, 0, lang.pick(&key.labels()), &bold)?;
        match key {
            DetailKey::School => write_opt(details, r, spec.school.as_deref())?,
            DetailKey::Ytunnus => {
                write_opt(details, r, spec.ytunnus.as_deref())?;
                let dv = DataValidation::new().allow_any_value().set_input_message(text(lang, "ytunnus_msg"))?;
                details.add_data_validation(r, 1, r, 1, &dv)?;
            }
            DetailKey::Year => {
                details.write_number(r, 1, f64::from(spec.year))?;
            }
            DetailKey::Version => {
                details.write_number(r, 1, 1.0)?;
            }
            DetailKey::Contact => write_opt(details, r, spec.contact.as_deref())?,
        }
    }
    if !spec.hints.is_empty() {
        let title = text(lang, "hint_title").replace("{year}", &spec.hint_year.to_string());
        details.write_string_with_format(7, 0, &title, &muted)?;
        for (i, (code, name, graduates)) in spec.hints.iter().enumerate() {
            let r = 8 + i as u32;
            details.write_string_with_format(r, 0, qualification_label(*code, name), &muted)?;
            details.write_number_with_format(r, 1, *graduates as f64, &muted)?;
        }
    }
    details.set_column_width(0, 34)?;
    details.set_column_width(1, 40)?;

    // Sheet 4 (hidden): the lists the drop-downs point at.
    let lists_name = text(lang, "lists");
    let quals: Vec<String> = spec.qualifications.iter().map(|(c, n)| qualification_label(*c, n)).collect();
    let orientations: Vec<&str> = Orientation::ALL.iter().map(|o| lang.pick(&o.labels())).collect();
    let years: Vec<i32> = ((spec.year - 5)..=spec.year).collect();

    // Sheets 2 and 3: the tables.
    let quals_ref = Formula::new(format!("='{lists_name}'!$A$1:$A${}", quals.len().max(1)));
    let orient_ref = Formula::new(format!("='{lists_name}'!$B$1:$B${}", orientations.len()));
    for kind in [SheetKind::Placement, SheetKind::Students] {
        let sheet = book.add_worksheet();
        sheet.set_name(kind.name(lang))?;
        let cols = Col::of(kind);
        for (c, col) in cols.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, lang.pick(&col.labels()), &header)?;
            sheet.set_column_width(c, if c < 2 { 30 } else { 14 })?;
            let dv = match col {
                Col::Qualification => DataValidation::new()
                    .allow_list_formula(quals_ref.clone())
                    .set_input_message(text(lang, "qualification_msg"))?,
                Col::Orientation => DataValidation::new()
                    .allow_list_formula(orient_ref.clone())
                    .set_input_message(text(lang, "orientation_msg"))?,
                Col::GraduationYear => DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(spec.year - 5, spec.year))
                    .set_input_message(
                        text(lang, "year_msg")
                            .replace("{from}", &(spec.year - 5).to_string())
                            .replace("{to}", &spec.year.to_string()),
                    )?,
                _ => {
                    let msg = if matches!(col, Col::Status(_)) || *col == Col::Graduates {
                        format!("{} {}", text(lang, "count_msg"), text(lang, "sum_msg"))
                    } else {
                        text(lang, "count_msg").to_owned()
                    };
                    DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)).set_input_message(msg)?
                }
            };
            sheet.add_data_validation(1, c, TEMPLATE_ROWS, c, &dv)?;
        }
        sheet.set_row_height(0, 45)?;
        sheet.set_freeze_panes(1, 0)?;
        let label = |q: QualificationCode| {
            spec.qualifications.iter().find(|(c, _)| *c == q).map(|(c, n)| qualification_label(*c, n)).unwrap_or_else(|| q.to_string())
        };
        match kind {
            SheetKind::Placement => {
                for (i, p) in spec.placement.iter().enumerate() {
                    let r = i as u32 + 1;
                    sheet.write_string(r, 0, label(p.qualification))?;
                    sheet.write_string(r, 1, lang.pick(&p.orientation.labels()))?;
                    sheet.write_number(r, 2, f64::from(p.graduation_year))?;
                    sheet.write_number(r, 3, p.graduates as f64)?;
                    for (k, v) in p.statuses.iter().enumerate() {
                        sheet.write_number(r, 4 + k as u16, *v as f64)?;
                    }
                }
                if let Some(note) = hint_note(spec) {
                    sheet.insert_note(0, 3, &Note::new(note).set_author("kooste"))?;
                }
            }
            _ => {
                for (i, s) in spec.students.iter().enumerate() {
                    let r = i as u32 + 1;
                    sheet.write_string(r, 0, label(s.qualification))?;
                    sheet.write_string(r, 1, lang.pick(&s.orientation.labels()))?;
                    let v = [s.start_places, s.applicants, s.first_choice, s.new_students, s.students];
                    for (k, x) in v.iter().enumerate() {
                        sheet.write_number(r, 2 + k as u16, *x as f64)?;
                    }
                }
            }
        }
    }

    let lists = book.add_worksheet();
    lists.set_name(lists_name)?;
    for (i, q) in quals.iter().enumerate() {
        lists.write_string(i as u32, 0, q)?;
    }
    for (i, o) in orientations.iter().enumerate() {
        lists.write_string(i as u32, 1, *o)?;
    }
    for (i, y) in years.iter().enumerate() {
        lists.write_number(i as u32, 2, f64::from(*y))?;
    }
    lists.set_hidden(true);
    book.save_to_buffer()
}

/// The hint as a note on the graduates header: last year's public graduate counts.
fn hint_note(spec: &TemplateSpec) -> Option<String> {
    if spec.hints.is_empty() {
        return None;
    }
    let title = text(spec.lang, "hint_title").replace("{year}", &spec.hint_year.to_string());
    let lines: Vec<String> = spec.hints.iter().map(|(c, n, g)| format!("{c} {n}: {g}")).collect();
    Some(format!("{title}\n{}", lines.join("\n")))
}

fn write_opt(sheet: &mut Worksheet, row: u32, value: Option<&str>) -> Result<(), XlsxError> {
    if let Some(v) = value {
        sheet.write_string(row, 1, v)?;
    }
    Ok(())
}

/// Why a template could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// `--member` names no member of the registry.
    #[error("no member '{0}' in the registry (see pipelines/members.csv)")]
    UnknownMember(String),
    /// The member has no provider id valid in the year.
    #[error("member '{member}' has no Y-tunnus valid in {year}")]
    NoProvider {
        /// The member.
        member: String,
        /// The year.
        year: i32,
    },
}

/// The template for a year, blank or for one member (details and Vipunen hints filled in).
/// The hints come from the enrolment snapshot in `raw/` when there is one.
pub fn template_for(
    config: &crate::Config,
    year: i32,
    member: Option<&str>,
    lang: Option<Lang>,
) -> Result<TemplateSpec, TemplateError> {
    let m = match member {
        Some(id) => Some(config.registry.get(id).ok_or_else(|| TemplateError::UnknownMember(id.to_owned()))?),
        None => None,
    };
    let lang = lang.or(m.map(|m| m.lang)).unwrap_or(Lang::Fi);
    let ytunnus = match m {
        Some(m) => Some(m.ytunnus_in(year).ok_or_else(|| TemplateError::NoProvider { member: m.id.clone(), year })?.to_string()),
        None => None,
    };
    let qualifications: Vec<(QualificationCode, String)> = config
        .pipeline
        .publish_qualifications
        .iter()
        .filter_map(|q| config.catalogue.get(*q).map(|x| (*q, x.name(lang).to_owned())))
        .collect();
    let hint_year = year - 1;
    let hints = m
        .and_then(|m| m.ytunnus_in(hint_year))
        .map(|yt| graduate_hints(config, yt.as_str(), hint_year, &qualifications))
        .unwrap_or_default();
    Ok(TemplateSpec {
        lang,
        year,
        school: m.map(|m| m.name.clone()),
        ytunnus,
        contact: None,
        qualifications,
        hints,
        hint_year,
        placement: Vec::new(),
        students: Vec::new(),
    })
}

/// Graduates per qualification of one provider in one year, from the Vipunen enrolment
/// snapshot; empty when there is no snapshot or no such rows (a hint is optional).
fn graduate_hints(
    config: &crate::Config,
    ytunnus: &str,
    year: i32,
    qualifications: &[(QualificationCode, String)],
) -> Vec<(QualificationCode, String, i64)> {
    use polars::prelude::*;
    let Some(spec) = config.pipeline.sources.get("enrolment") else { return Vec::new() };
    let path = config.raw.join(spec.snapshot_path());
    let frame = crate::sources::Snapshot::load(&path)
        .ok()
        .and_then(|s| crate::sources::vipunen::decode_enrolment(&path, &s.bytes).ok());
    let Some(df) = frame else {
        tracing::info!(snapshot = %path.display(), "No Vipunen snapshot: the template has no graduate hints.");
        return Vec::new();
    };
    let sums = df
        .lazy()
        .filter(col("provider_id").eq(lit(ytunnus)).and(col("year").eq(lit(year))))
        .group_by([col("qualification_code")])
        .agg([col("graduates").sum()])
        .collect();
    let Ok(sums) = sums else { return Vec::new() };
    let (Ok(codes), Ok(grads)) = (sums.column("qualification_code"), sums.column("graduates")) else { return Vec::new() };
    let (Ok(codes), Ok(grads)) = (codes.str(), grads.i64()) else { return Vec::new() };
    qualifications
        .iter()
        .filter_map(|(q, name)| {
            let i = codes.iter().position(|c| c == Some(q.as_string().as_str()))?;
            Some((*q, name.clone(), grads.get(i)?))
        })
        .collect()
}
