//! The survey return contract (`shared/spec/survey-return.md`, version 1) as data: the sheet
//! names and column headers in fi / sv / en, so the reader, the template writer and the sample
//! generator share one vocabulary.

use crate::domain::{Lang, PlacementStatus};

/// A label in fi, sv and en.
pub type Labels = (&'static str, &'static str, &'static str);

/// The three sheets of a return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SheetKind {
    /// Key–value details of the school.
    Details,
    /// One row per qualification × orientation × graduation year.
    Placement,
    /// One row per qualification × orientation for the statistical year.
    Students,
}

impl SheetKind {
    /// All sheets in the contract's order.
    pub const ALL: [SheetKind; 3] = [SheetKind::Details, SheetKind::Placement, SheetKind::Students];

    /// The sheet's name in fi, sv, en.
    pub fn names(self) -> Labels {
        match self {
            SheetKind::Details => ("Tiedot", "Uppgifter", "Details"),
            SheetKind::Placement => ("Sijoittuminen", "Placering", "Placement"),
            SheetKind::Students => ("Opiskelijat", "Studerande", "Students"),
        }
    }

    /// The name in one language.
    pub fn name(self, lang: Lang) -> &'static str {
        lang.pick(&self.names())
    }
}

/// Keys of the details sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DetailKey {
    /// Member name.
    School,
    /// Provider's Y-tunnus.
    Ytunnus,
    /// Statistical year.
    Year,
    /// Template version.
    Version,
    /// Contact person: personal data, never copied anywhere.
    Contact,
}

impl DetailKey {
    /// All keys in the contract's order.
    pub const ALL: [DetailKey; 5] =
        [DetailKey::School, DetailKey::Ytunnus, DetailKey::Year, DetailKey::Version, DetailKey::Contact];

    /// The key in fi, sv, en.
    pub fn labels(self) -> Labels {
        match self {
            DetailKey::School => ("Oppilaitos", "Läroanstalt", "School"),
            DetailKey::Ytunnus => ("Y-tunnus", "FO-nummer", "Business ID"),
            DetailKey::Year => ("Tilastovuosi", "Statistikår", "Statistical year"),
            DetailKey::Version => ("Lomakeversio", "Blankettversion", "Template version"),
            DetailKey::Contact => ("Yhteyshenkilö", "Kontaktperson", "Contact person"),
        }
    }
}

/// Columns of the placement and students sheets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    /// Qualification code or name.
    Qualification,
    /// Orientation.
    Orientation,
    /// Graduation year (placement sheet).
    GraduationYear,
    /// All graduates of the row (placement sheet).
    Graduates,
    /// One of the eight status counts (placement sheet).
    Status(PlacementStatus),
    /// Start places (students sheet).
    StartPlaces,
    /// Applicants (students sheet).
    Applicants,
    /// First-choice applicants (students sheet).
    FirstChoice,
    /// New students (students sheet).
    NewStudents,
    /// Students on 20 September (students sheet).
    Students,
}

impl Col {
    /// The header in fi, sv, en.
    pub fn labels(self) -> Labels {
        match self {
            Col::Qualification => ("Tutkinto", "Examen", "Qualification"),
            Col::Orientation => ("Suuntautuminen", "Inriktning", "Orientation"),
            Col::GraduationYear => ("Valmistumisvuosi", "Examensår", "Graduation year"),
            Col::Graduates => ("Valmistuneet", "Utexaminerade", "Graduates"),
            Col::Status(s) => status_header(s),
            Col::StartPlaces => ("Aloituspaikat", "Nybörjarplatser", "Start places"),
            Col::Applicants => ("Hakijat", "Sökande", "Applicants"),
            Col::FirstChoice => ("Ensisijaiset hakijat", "Sökande i första hand", "First-choice applicants"),
            Col::NewStudents => ("Aloittaneet", "Nya studerande", "New students"),
            Col::Students => ("Opiskelijat 20.9.", "Studerande 20.9.", "Students on 20 Sep"),
        }
    }

    /// The columns a sheet must have, in the contract's order.
    pub fn of(sheet: SheetKind) -> Vec<Col> {
        match sheet {
            SheetKind::Details => Vec::new(),
            SheetKind::Placement => {
                let mut v = vec![Col::Qualification, Col::Orientation, Col::GraduationYear, Col::Graduates];
                v.extend(PlacementStatus::ALL.map(Col::Status));
                v
            }
            SheetKind::Students => vec![
                Col::Qualification,
                Col::Orientation,
                Col::StartPlaces,
                Col::Applicants,
                Col::FirstChoice,
                Col::NewStudents,
                Col::Students,
            ],
        }
    }

    /// Whether the column holds a count.
    pub fn is_count(self) -> bool {
        !matches!(self, Col::Qualification | Col::Orientation | Col::GraduationYear)
    }
}

fn status_header(s: PlacementStatus) -> Labels {
    match s {
        PlacementStatus::University => {
            ("Jatko-opinnot: yliopisto", "Fortsatta studier: universitet", "Further studies: university")
        }
        PlacementStatus::Uas => (
            "Jatko-opinnot: ammattikorkeakoulu",
            "Fortsatta studier: yrkeshögskola",
            "Further studies: university of applied sciences",
        ),
        PlacementStatus::OtherStudies => ("Jatko-opinnot: muu", "Fortsatta studier: annat", "Further studies: other"),
        PlacementStatus::EmployedInField => ("Työ alalla", "Arbete inom branschen", "Employed in the field"),
        PlacementStatus::EmployedOutsideField => {
            ("Työ alan ulkopuolella", "Arbete utanför branschen", "Employed outside the field")
        }
        PlacementStatus::Unemployed => ("Työtön", "Arbetslös", "Unemployed"),
        PlacementStatus::Other => ("Muu", "Annat", "Other"),
        PlacementStatus::Unknown => ("Ei tietoa", "Uppgift saknas", "Unknown"),
    }
}

/// Words that mark a totals row in the first columns.
pub const TOTAL_WORDS: [&str; 3] = ["yhteensä", "totalt", "total"];

/// Cell texts that mean "missing" (a finding, not zero).
pub const MISSING_MARKERS: [&str; 7] = ["-", "–", "..", "ei tietoa", "uppgift saknas", "n/a", "na"];
