//! Findings: what the reader found wrong (or worth a word) in a return, cell by cell, with a
//! stable rule code and a message in fi, sv and en that tells the school what to fix.

use serde::{Deserialize, Serialize};

use crate::domain::Lang;

/// How serious a finding is: an error quarantines the return, a warning does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The return cannot be used until it is fixed.
    Error,
    /// Read, but someone should look.
    Warning,
}

/// The rules, with stable codes (`Rule::code`) that users and tests can rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The file is not a readable spreadsheet.
    UnreadableFile,
    /// A required sheet is not found by its headers.
    MissingSheet,
    /// A required column is not found.
    MissingColumn,
    /// A column the contract does not know.
    UnknownHeader,
    /// A required detail (Y-tunnus, year…) is missing.
    MissingDetail,
    /// The Y-tunnus is malformed or its check digit fails.
    BadYtunnus,
    /// The Y-tunnus is not a member's provider id.
    UnknownMember,
    /// The school name does not match the registry for the Y-tunnus.
    NameMismatch,
    /// The return's statistical year is not the run's.
    WrongYear,
    /// A count is not a whole number ≥ 0.
    BadCount,
    /// A count is marked missing (`-`, `..`, `ei tietoa`).
    MissingValue,
    /// The status columns do not add up to the graduates.
    SumMismatch,
    /// More first-choice applicants than applicants.
    FirstChoiceExceedsApplicants,
    /// The qualification is not one of the contract's.
    UnknownQualification,
    /// The orientation is not in the vocabulary.
    UnknownOrientation,
    /// The orientation does not belong to the qualification.
    PairNotAllowed,
    /// A graduation year outside tilastovuosi − 5 … tilastovuosi, or not a year.
    YearOutOfRange,
    /// A date where a year belongs: the year is taken.
    DateAsYear,
    /// The same qualification × orientation (× year) twice.
    DuplicateRow,
    /// A spreadsheet error value (`#DIV/0!`, `#REF!`).
    ErrorCell,
    /// A totals row that does not equal the sum of the rows above.
    TotalsRowMismatch,
    /// A henkilötunnus (personal identity code) in the workbook.
    HetuPresent,
    /// Two returns for the same member.
    DuplicateReturn,
    /// A table has no rows at all.
    NoRows,
    /// The file is larger than a return may be.
    FileTooLarge,
    /// A part of the workbook (a zip member) would inflate past its limit.
    PartTooLarge,
    /// More sheets than the reader looks at.
    TooManySheets,
    /// More filled cells (or text) than a return can hold.
    TooManyCells,
    /// A value outside the area a return may use (a stray value far from the table).
    ValueOutsideArea,
    /// Reading the file took longer than its time budget.
    ReadTimeout,
}

impl Rule {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Rule::UnreadableFile => "unreadable_file",
            Rule::MissingSheet => "missing_sheet",
            Rule::MissingColumn => "missing_column",
            Rule::UnknownHeader => "unknown_header",
            Rule::MissingDetail => "missing_detail",
            Rule::BadYtunnus => "bad_ytunnus",
            Rule::UnknownMember => "unknown_member",
            Rule::NameMismatch => "name_mismatch",
            Rule::WrongYear => "wrong_year",
            Rule::BadCount => "bad_count",
            Rule::MissingValue => "missing_value",
            Rule::SumMismatch => "sum_mismatch",
            Rule::FirstChoiceExceedsApplicants => "first_choice_exceeds_applicants",
            Rule::UnknownQualification => "unknown_qualification",
            Rule::UnknownOrientation => "unknown_orientation",
            Rule::PairNotAllowed => "pair_not_allowed",
            Rule::YearOutOfRange => "year_out_of_range",
            Rule::DateAsYear => "date_as_year",
            Rule::DuplicateRow => "duplicate_row",
            Rule::ErrorCell => "error_cell",
            Rule::TotalsRowMismatch => "totals_row_mismatch",
            Rule::HetuPresent => "hetu_present",
            Rule::DuplicateReturn => "duplicate_return",
            Rule::NoRows => "no_rows",
            Rule::FileTooLarge => "file_too_large",
            Rule::PartTooLarge => "part_too_large",
            Rule::TooManySheets => "too_many_sheets",
            Rule::TooManyCells => "too_many_cells",
            Rule::ValueOutsideArea => "value_outside_area",
            Rule::ReadTimeout => "read_timeout",
        }
    }

    /// The severity this rule always has.
    pub fn severity(self) -> Severity {
        match self {
            Rule::UnknownHeader | Rule::NameMismatch | Rule::DateAsYear | Rule::NoRows => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What the rule says, in fi / sv / en; `{value}` and `{expected}` are filled in, and
    /// `{cell}` once the finding is placed (only rules that are always placed use it).
    fn template(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Rule::UnreadableFile => (
                "Tiedostoa ei voi lukea taulukkona: {value}. Tallenna se Excel-muodossa (.xlsx) ja lähetä uudelleen.",
                "Filen kan inte läsas som ett kalkylblad: {value}. Spara den i Excel-format (.xlsx) och skicka på nytt.",
                "The file cannot be read as a spreadsheet: {value}. Save it as Excel (.xlsx) and send it again.",
            ),
            Rule::MissingSheet => (
                "Välilehteä {expected} ei löydy. Käytä lomakepohjaa.",
                "Fliken {expected} saknas. Använd blankettmallen.",
                "Sheet {expected} is missing. Use the template.",
            ),
            Rule::MissingColumn => (
                "Sarake {expected} puuttuu.",
                "Kolumnen {expected} saknas.",
                "Column {expected} is missing.",
            ),
            Rule::UnknownHeader => (
                "Tuntematon sarake {value} ohitettiin.",
                "Okänd kolumn {value} hoppades över.",
                "Unknown column {value} was ignored.",
            ),
            Rule::MissingDetail => (
                "Tieto {expected} puuttuu Tiedot-välilehdeltä.",
                "Uppgiften {expected} saknas på fliken Uppgifter.",
                "{expected} is missing from the Details sheet.",
            ),
            Rule::BadYtunnus => (
                "Y-tunnus {value} ei ole kelvollinen: odotettiin muotoa {expected}.",
                "FO-numret {value} är inte giltigt: formen {expected} väntades.",
                "Business ID {value} is not valid: expected {expected}.",
            ),
            Rule::UnknownMember => (
                "Y-tunnus {value} ei kuulu yhdellekään jäsenelle vuonna {expected}.",
                "FO-numret {value} hör inte till någon medlem år {expected}.",
                "Business ID {value} is not a member's in {expected}.",
            ),
            Rule::NameMismatch => (
                "Oppilaitoksen nimi {value} poikkeaa rekisteristä ({expected}).",
                "Läroanstaltens namn {value} avviker från registret ({expected}).",
                "School name {value} differs from the registry ({expected}).",
            ),
            Rule::WrongYear => (
                "Tilastovuosi on {value}, odotettiin {expected}.",
                "Statistikåret är {value}, väntat {expected}.",
                "Statistical year is {value}, expected {expected}.",
            ),
            Rule::BadCount => (
                "Arvo {value} ei ole kokonaisluku 0 tai suurempi.",
                "Värdet {value} är inte ett heltal 0 eller större.",
                "Value {value} is not a whole number, 0 or more.",
            ),
            Rule::MissingValue => (
                "Arvo puuttuu ({value}). Merkitse lukumäärä; 0 jos ei yhtään.",
                "Värdet saknas ({value}). Ange antalet; 0 om inga.",
                "Value missing ({value}). Enter the count; 0 if none.",
            ),
            Rule::SumMismatch => (
                "Sijoittumissarakkeiden summa on {value}, mutta valmistuneita on {expected}.",
                "Summan av placeringskolumnerna är {value}, men antalet utexaminerade är {expected}.",
                "The status columns add up to {value}, but graduates are {expected}.",
            ),
            Rule::FirstChoiceExceedsApplicants => (
                "Ensisijaisia hakijoita {value} on enemmän kuin hakijoita {expected}.",
                "Sökande i första hand {value} är fler än sökande {expected}.",
                "First-choice applicants {value} exceed applicants {expected}.",
            ),
            Rule::UnknownQualification => (
                "Tutkintoa {value} ei tunneta. Käytä koodia tai nimeä: {expected}.",
                "Examen {value} är okänd. Använd kod eller namn: {expected}.",
                "Qualification {value} is unknown. Use a code or name: {expected}.",
            ),
            Rule::UnknownOrientation => (
                "Suuntautumista {value} ei tunneta. Sallitut: {expected}.",
                "Inriktningen {value} är okänd. Tillåtna: {expected}.",
                "Orientation {value} is unknown. Allowed: {expected}.",
            ),
            Rule::PairNotAllowed => (
                "Suuntautuminen {value} ei kuulu tähän tutkintoon ({expected}).",
                "Inriktningen {value} hör inte till denna examen ({expected}).",
                "Orientation {value} does not belong to this qualification ({expected}).",
            ),
            Rule::YearOutOfRange => (
                "Vuosi {value} ei ole sallittu ({expected}).",
                "Året {value} är inte tillåtet ({expected}).",
                "Year {value} is not allowed ({expected}).",
            ),
            Rule::DateAsYear => (
                "Vuoden paikalla on päivämäärä {value}; käytettiin vuotta {expected}.",
                "Ett datum {value} står i stället för ett år; året {expected} användes.",
                "A date {value} stands where a year belongs; year {expected} was used.",
            ),
            Rule::DuplicateRow => (
                "Sama rivi on jo rivillä {expected}.",
                "Samma rad finns redan på rad {expected}.",
                "The same row is already on row {expected}.",
            ),
            Rule::ErrorCell => (
                "Solussa on virhearvo {value}. Korjaa kaava tai kirjoita luku.",
                "Cellen innehåller felvärdet {value}. Rätta formeln eller skriv ett tal.",
                "The cell holds the error value {value}. Fix the formula or type a number.",
            ),
            Rule::TotalsRowMismatch => (
                "Yhteensä-rivi {value} ei vastaa rivien summaa {expected}.",
                "Totalraden {value} motsvarar inte radernas summa {expected}.",
                "The totals row {value} does not equal the sum of the rows {expected}.",
            ),
            Rule::HetuPresent => (
                "Solussa on henkilötunnus. Poista kaikki henkilötiedot ja lähetä uudelleen.",
                "Cellen innehåller en personbeteckning. Ta bort alla personuppgifter och skicka på nytt.",
                "The cell holds a personal identity code. Remove all personal data and send again.",
            ),
            Rule::DuplicateReturn => (
                "Jäseneltä on useampi palautus: {expected}.",
                "Medlemmen har flera svar: {expected}.",
                "The member has more than one return: {expected}.",
            ),
            Rule::NoRows => (
                "Taulukossa ei ole yhtään riviä. Jos valmistuneita tai opiskelijoita ei ollut, kirjoita 0.",
                "Tabellen har inga rader. Om det inte fanns några utexaminerade eller studerande, skriv 0.",
                "The table has no rows. If there were no graduates or students, enter 0.",
            ),
            Rule::FileTooLarge => (
                "Tiedosto on liian suuri ({value}; enintään {expected}). Poista kuvat ja ylimääräiset välilehdet, tallenna tiedosto Excel-muodossa (.xlsx) ja lähetä uudelleen.",
                "Filen är för stor ({value}; högst {expected}). Ta bort bilder och extra flikar, spara filen i Excel-format (.xlsx) och skicka på nytt.",
                "The file is too large ({value}; at most {expected}). Remove pictures and extra sheets, save the file as Excel (.xlsx) and send it again.",
            ),
            Rule::PartTooLarge => (
                "Työkirjan osa {cell} purkautuisi liian suureksi ({value}; enintään {expected}). Poista taulukon alapuolelta ja oikealta muotoillut tyhjät rivit ja sarakkeet, tallenna tiedosto uudelleen Excel-muodossa (.xlsx) ja lähetä uudelleen.",
                "Arbetsbokens del {cell} skulle packas upp till för stor storlek ({value}; högst {expected}). Ta bort formaterade tomma rader och kolumner under och till höger om tabellen, spara filen på nytt i Excel-format (.xlsx) och skicka på nytt.",
                "Part {cell} of the workbook would inflate too far ({value}; at most {expected}). Remove formatted empty rows and columns below and right of the table, save the file again as Excel (.xlsx) and send it again.",
            ),
            Rule::TooManySheets => (
                "Työkirjassa on {value} välilehteä; enintään {expected} luetaan. Poista ylimääräiset välilehdet (palautukseen kuuluu kolme) ja lähetä uudelleen.",
                "Arbetsboken har {value} flikar; högst {expected} läses. Ta bort de extra flikarna (svaret har tre) och skicka på nytt.",
                "The workbook has {value} sheets; at most {expected} are read. Delete the extra sheets (a return has three) and send it again.",
            ),
            Rule::TooManyCells => (
                "Työkirjassa on enemmän tietoa kuin palautuksessa voi olla ({value}; enintään {expected}); lukeminen pysähtyi soluun {cell}. Poista taulukoiden ulkopuoliset tiedot ja lähetä uudelleen.",
                "Arbetsboken innehåller mer data än ett svar kan ha ({value}; högst {expected}); läsningen stannade i cell {cell}. Ta bort uppgifterna utanför tabellerna och skicka på nytt.",
                "The workbook holds more data than a return can ({value}; at most {expected}); reading stopped at cell {cell}. Remove what lies outside the tables and send it again.",
            ),
            Rule::ValueOutsideArea => (
                "Solussa {cell} on arvo {value} kaukana taulukosta (palautus saa käyttää alueen {expected}). Poista arvo solusta {cell} ja lähetä tiedosto uudelleen.",
                "Cell {cell} innehåller värdet {value} långt från tabellen (svaret får använda området {expected}). Ta bort värdet i {cell} och skicka filen på nytt.",
                "Cell {cell} holds the value {value} far from the table (a return may use {expected}). Remove the value in {cell} and send the file again.",
            ),
            Rule::ReadTimeout => (
                "Tiedoston lukeminen kesti yli {expected}, ja se keskeytettiin. Tallenna tiedosto uudelleen Excel-muodossa (.xlsx), poista taulukoiden ulkopuoliset tiedot ja lähetä uudelleen.",
                "Läsningen av filen tog mer än {expected} och avbröts. Spara filen på nytt i Excel-format (.xlsx), ta bort uppgifterna utanför tabellerna och skicka på nytt.",
                "Reading the file took longer than {expected} and was stopped. Save the file again as Excel (.xlsx), remove what lies outside the tables and send it again.",
            ),
        }
    }
}

/// One thing found in one return.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The return's file name.
    pub file: String,
    /// The sheet, where the finding is about one.
    pub sheet: Option<String>,
    /// The A1 cell (or `A5:L5` for a row), where it is about one.
    pub cell: Option<String>,
    /// The member, once known.
    pub member: Option<String>,
    /// The rule.
    pub rule: Rule,
    /// Its severity.
    pub severity: Severity,
    /// The value seen (never for personal data).
    pub value: Option<String>,
    /// What was expected.
    pub expected: Option<String>,
    /// Message in Finnish.
    pub message_fi: String,
    /// Message in Swedish.
    pub message_sv: String,
    /// Message in English.
    pub message_en: String,
}

impl Finding {
    /// A finding with messages filled in from the rule's templates. A value holding a
    /// henkilötunnus is never kept: whatever rule a cell breaks, its personal data stays in
    /// `raw/`.
    pub fn new(file: &str, rule: Rule, value: Option<String>, expected: Option<String>) -> Self {
        // A value is shown as far as a person reads it: a cell may hold megabytes.
        let scrub = |v: Option<String>| v.map(|v| if super::hetu::contains_hetu(&v) { REMOVED.to_owned() } else { shorten(v) });
        let (value, expected) = (scrub(value), scrub(expected));
        // The placeholder of personal data is said in the message's own language.
        let fill = |t: &str, lang: Lang| {
            let shown = |v: &Option<String>| match v.as_deref() {
                Some(REMOVED) => lang.pick(&REMOVED_IN).to_owned(),
                v => v.unwrap_or("").to_owned(),
            };
            t.replace("{value}", &format!("'{}'", shown(&value))).replace("{expected}", &shown(&expected))
        };
        let (fi, sv, en) = rule.template();
        let (message_fi, message_sv, message_en) = (fill(fi, Lang::Fi), fill(sv, Lang::Sv), fill(en, Lang::En));
        Self {
            file: file.to_owned(),
            sheet: None,
            cell: None,
            member: None,
            rule,
            severity: rule.severity(),
            value,
            expected,
            message_fi,
            message_sv,
            message_en,
        }
    }

    /// Places the finding at a sheet and cell.
    pub fn at(mut self, sheet: &str, cell: impl Into<String>) -> Self {
        self.sheet = Some(sheet.to_owned());
        self.at_cell(cell)
    }

    /// Places the finding at a cell (or a part of the workbook), with or without a sheet.
    pub fn at_cell(mut self, cell: impl Into<String>) -> Self {
        let cell = cell.into();
        for m in [&mut self.message_fi, &mut self.message_sv, &mut self.message_en] {
            if m.contains("{cell}") {
                *m = m.replace("{cell}", &cell);
            }
        }
        self.cell = Some(cell);
        self
    }

    /// Places the finding on a sheet as a whole.
    pub fn on_sheet(mut self, sheet: &str) -> Self {
        self.sheet = Some(sheet.to_owned());
        self
    }

    /// The message in one language.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fi => &self.message_fi,
            Lang::Sv => &self.message_sv,
            Lang::En => &self.message_en,
        }
    }

    /// Whether this finding quarantines the return.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How many characters of a value a finding keeps.
const SHOWN_CHARS: usize = 200;

fn shorten(v: String) -> String {
    match v.char_indices().nth(SHOWN_CHARS) {
        Some((i, _)) => format!("{}…", &v[..i]),
        None => v,
    }
}

/// What stands in a finding where the value held personal data.
pub const REMOVED: &str = "(removed: personal data)";

/// [`REMOVED`] as the messages say it, in Finnish, Swedish and English.
pub const REMOVED_IN: (&str, &str, &str) = ("(poistettu: henkilötieto)", "(borttaget: personuppgift)", REMOVED);

/// A1 name of a zero-based cell: `(0, 0)` → `A1`.
pub fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8(letters).expect("ASCII"), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(4, 11), "L5");
        assert_eq!(a1(9, 26), "AA10");
        assert_eq!(a1(0, 701), "ZZ1");
        assert_eq!(a1(0, 702), "AAA1");
    }
}
