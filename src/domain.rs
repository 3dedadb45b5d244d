//! Domain types, parsed once at the edge: business ids, qualification codes, orientations,
//! placement statuses and report languages.
//!
//! In: strings from workbooks, snapshots and configuration. Out: values that cannot be wrong
//! (a `Ytunnus` always has a valid check digit), so the stages after ingest never re-check them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A Finnish business id (Y-tunnus, `NNNNNNN-C`) whose check digit has been verified.
///
/// Providers are joined on this id, never on names, because names vary in case and form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ytunnus(String);

/// Why a string is not a valid Y-tunnus.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YtunnusError {
    /// Not seven digits, a hyphen and one digit.
    #[error("not of the form NNNNNNN-C")]
    Shape,
    /// The check digit does not match the seven digits.
    #[error("check digit does not match (expected {expected})")]
    CheckDigit {
        /// The check digit the seven digits call for.
        expected: char,
    },
    /// The seven digits give remainder 1, which no valid Y-tunnus has.
    #[error("no valid check digit exists for these digits")]
    Impossible,
}

impl Ytunnus {
    /// Parses `NNNNNNN-C`, tolerating surrounding whitespace and a leading zero dropped by a
    /// spreadsheet (`201252-3` is read as `0201252-3`).
    pub fn parse(s: &str) -> Result<Self, YtunnusError> {
        let s = s.trim();
        let (digits, check) = s.split_once('-').ok_or(YtunnusError::Shape)?;
        if !(6..=7).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || check.len() != 1
            || !check.as_bytes()[0].is_ascii_digit()
        {
            return Err(YtunnusError::Shape);
        }
        let digits = format!("{digits:0>7}");
        let expected = Self::check_digit(&digits)?;
        if check.as_bytes()[0] as char != expected {
            return Err(YtunnusError::CheckDigit { expected });
        }
        Ok(Self(format!("{digits}-{check}")))
    }

    /// The check digit for seven digits (weights 7 9 10 5 8 4 2, modulo 11).
    pub fn check_digit(seven: &str) -> Result<char, YtunnusError> {
        const W: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = seven.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
        match sum % 11 {
            0 => Ok('0'),
            1 => Err(YtunnusError::Impossible),
            r => Ok(char::from(b'0' + (11 - r) as u8)),
        }
    }

    /// The canonical text `NNNNNNN-C`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ytunnus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Ytunnus {
    type Error = YtunnusError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Ytunnus> for String {
    fn from(y: Ytunnus) -> Self {
        y.0
    }
}

/// A six-digit qualification code of the national classification (e.g. `321204`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QualificationCode(u32);

impl QualificationCode {
    /// Musiikkialan perustutkinto.
    pub const MUSIC: Self = Self(321204);
    /// Tanssialan perustutkinto.
    pub const DANCE: Self = Self(321501);
    /// Musiikkituotannon ammattitutkinto.
    pub const MUSIC_PRODUCTION: Self = Self(324201);

    /// Parses exactly six ASCII digits (surrounding whitespace and a trailing `.0` from a
    /// spreadsheet number are tolerated).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_suffix(".0").unwrap_or(s);
        (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(s.parse().expect("six digits")))
    }

    /// The code as text.
    pub fn as_string(&self) -> String {
        format!("{:06}", self.0)
    }
}

impl fmt::Display for QualificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl TryFrom<String> for QualificationCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| format!("'{s}' is not a six-digit qualification code"))
    }
}

impl From<QualificationCode> for String {
    fn from(q: QualificationCode) -> Self {
        q.as_string()
    }
}

/// A language the reports and messages are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl Lang {
    /// All languages, in the order the association publishes them.
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Picks the text of this language from a `(fi, sv, en)` triple.
    pub fn pick<'a>(self, t: &(&'a str, &'a str, &'a str)) -> &'a str {
        match self {
            Lang::Fi => t.0,
            Lang::Sv => t.1,
            Lang::En => t.2,
        }
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fi" => Ok(Lang::Fi),
            "sv" => Ok(Lang::Sv),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}' (expected fi, sv or en)")),
        }
    }
}

/// A study orientation (suuntautuminen) of a qualification: the contract's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    /// klassinen musiikki.
    Klassinen,
    /// rytmimusiikki (pop, jazz, rock, hip hop, DAW).
    Rytmi,
    /// kansanmusiikki.
    Kansan,
    /// kirkkomusiikki.
    Kirkko,
    /// musiikkiteatteri.
    Teatteri,
    /// musiikin tekeminen (composing, arranging, songwriting).
    Tekeminen,
    /// musiikkiteknologia.
    Teknologia,
    /// pianonviritys.
    Pianonviritys,
    /// tanssi.
    Tanssi,
    /// musiikkituotanto.
    Tuotanto,
}

impl Orientation {
    /// Every orientation, in the contract's order.
    pub const ALL: [Orientation; 10] = [
        Orientation::Klassinen,
        Orientation::Rytmi,
        Orientation::Kansan,
        Orientation::Kirkko,
        Orientation::Teatteri,
        Orientation::Tekeminen,
        Orientation::Teknologia,
        Orientation::Pianonviritys,
        Orientation::Tanssi,
        Orientation::Tuotanto,
    ];

    /// The stable code used in tables (`klassinen`, `rytmi`, …).
    pub fn code(self) -> &'static str {
        match self {
            Orientation::Klassinen => "klassinen",
            Orientation::Rytmi => "rytmi",
            Orientation::Kansan => "kansan",
            Orientation::Kirkko => "kirkko",
            Orientation::Teatteri => "teatteri",
            Orientation::Tekeminen => "tekeminen",
            Orientation::Teknologia => "teknologia",
            Orientation::Pianonviritys => "pianonviritys",
            Orientation::Tanssi => "tanssi",
            Orientation::Tuotanto => "tuotanto",
        }
    }

    /// The label in fi, sv and en.
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Orientation::Klassinen => ("klassinen musiikki", "klassisk musik", "classical music"),
            Orientation::Rytmi => ("rytmimusiikki", "rytmisk musik", "rhythm music"),
            Orientation::Kansan => ("kansanmusiikki", "folkmusik", "folk music"),
            Orientation::Kirkko => ("kirkkomusiikki", "kyrkomusik", "church music"),
            Orientation::Teatteri => ("musiikkiteatteri", "musikteater", "musical theatre"),
            Orientation::Tekeminen => ("musiikin tekeminen", "musikskapande", "music making"),
            Orientation::Teknologia => ("musiikkiteknologia", "musikteknologi", "music technology"),
            Orientation::Pianonviritys => ("pianonviritys", "pianostämning", "piano tuning"),
            Orientation::Tanssi => ("tanssi", "dans", "dance"),
            Orientation::Tuotanto => ("musiikkituotanto", "musikproduktion", "music production"),
        }
    }

    /// The one qualification this orientation belongs to (the contract's allowed pairs).
    pub fn qualification(self) -> QualificationCode {
        match self {
            Orientation::Tanssi => QualificationCode::DANCE,
            Orientation::Tuotanto => QualificationCode::MUSIC_PRODUCTION,
            _ => QualificationCode::MUSIC,
        }
    }

    /// Finds an orientation by its code or its label in any language, folded by [`fold`].
    pub fn from_text(s: &str) -> Option<Self> {
        let f = fold(s);
        // Labels may carry the contract's explanation in brackets: "rytmimusiikki (pop, jazz…)".
        let head = fold(s.split('(').next().unwrap_or(s));
        Self::ALL.into_iter().find(|o| {
            let (fi, sv, en) = o.labels();
            [o.code(), fi, sv, en].iter().any(|t| {
                let t = fold(t);
                t == f || t == head
            })
        })
    }
}

/// Where a graduate is at follow-up: the eight status columns of the placement sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementStatus {
    /// Further studies at a university (incl. the University of the Arts).
    University,
    /// Further studies at a university of applied sciences.
    Uas,
    /// Other further studies.
    OtherStudies,
    /// Employed in the field.
    EmployedInField,
    /// Employed outside the field.
    EmployedOutsideField,
    /// Unemployed.
    Unemployed,
    /// Other (service, parental leave…).
    Other,
    /// Not known.
    Unknown,
}

impl PlacementStatus {
    /// The eight statuses in the contract's column order.
    pub const ALL: [PlacementStatus; 8] = [
        PlacementStatus::University,
        PlacementStatus::Uas,
        PlacementStatus::OtherStudies,
        PlacementStatus::EmployedInField,
        PlacementStatus::EmployedOutsideField,
        PlacementStatus::Unemployed,
        PlacementStatus::Other,
        PlacementStatus::Unknown,
    ];

    /// The stable code used in tables.
    pub fn code(self) -> &'static str {
        match self {
            PlacementStatus::University => "university",
            PlacementStatus::Uas => "uas",
            PlacementStatus::OtherStudies => "other_studies",
            PlacementStatus::EmployedInField => "employed_in_field",
            PlacementStatus::EmployedOutsideField => "employed_outside_field",
            PlacementStatus::Unemployed => "unemployed",
            PlacementStatus::Other => "other",
            PlacementStatus::Unknown => "unknown",
        }
    }

    /// A short label for charts and tables, in fi, sv and en.
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            PlacementStatus::University => ("Yliopisto", "Universitet", "University"),
            PlacementStatus::Uas => ("Ammattikorkeakoulu", "Yrkeshögskola", "Univ. of applied sciences"),
            PlacementStatus::OtherStudies => ("Muut opinnot", "Andra studier", "Other studies"),
            PlacementStatus::EmployedInField => ("Työ alalla", "Arbete inom branschen", "Employed in the field"),
            PlacementStatus::EmployedOutsideField => {
                ("Työ alan ulkopuolella", "Arbete utanför branschen", "Employed outside the field")
            }
            PlacementStatus::Unemployed => ("Työtön", "Arbetslös", "Unemployed"),
            PlacementStatus::Other => ("Muu", "Annat", "Other"),
            PlacementStatus::Unknown => ("Ei tietoa", "Uppgift saknas", "Unknown"),
        }
    }
}

/// The classes of the member-level placement table: coarse enough that a school's 10–50
/// graduates a year can be published without hiding most of its row (eight statuses of a
/// small school are nearly all 1–4). The association's own table keeps the eight statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementClass {
    /// Further studies of any kind: `university`, `uas`, `other_studies`.
    Studies,
    /// Employed in or outside the field.
    Employed,
    /// Unemployed, service, parental leave and other.
    Other,
    /// Not known.
    Unknown,
}

impl PlacementClass {
    /// The four classes in publishing order.
    pub const ALL: [PlacementClass; 4] = [PlacementClass::Studies, PlacementClass::Employed, PlacementClass::Other, PlacementClass::Unknown];

    /// The class a status falls in.
    pub fn of(status: PlacementStatus) -> Self {
        match status {
            PlacementStatus::University | PlacementStatus::Uas | PlacementStatus::OtherStudies => PlacementClass::Studies,
            PlacementStatus::EmployedInField | PlacementStatus::EmployedOutsideField => PlacementClass::Employed,
            PlacementStatus::Unemployed | PlacementStatus::Other => PlacementClass::Other,
            PlacementStatus::Unknown => PlacementClass::Unknown,
        }
    }

    /// The stable code used in tables.
    pub fn code(self) -> &'static str {
        match self {
            PlacementClass::Studies => "studies",
            PlacementClass::Employed => "employed",
            PlacementClass::Other => "other",
            PlacementClass::Unknown => "unknown",
        }
    }

    /// A short label for charts and tables, in fi, sv and en.
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            PlacementClass::Studies => ("Jatko-opinnot", "Fortsatta studier", "Further studies"),
            PlacementClass::Employed => ("Työssä", "I arbete", "Employed"),
            PlacementClass::Other => ("Työtön tai muu", "Arbetslös eller annat", "Unemployed or other"),
            PlacementClass::Unknown => ("Ei tietoa", "Uppgift saknas", "Unknown"),
        }
    }
}

/// Folds text for matching headers and vocabulary: lower case, punctuation and whitespace
/// collapsed to single spaces, trimmed. `" Jatko-opinnot:\nyliopisto "` → `"jatko opinnot yliopisto"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ytunnus_check_digits_of_the_registry() {
        for y in ["0201375-3", "0208201-1", "0201252-3", "0204843-8", "2962876-6", "0988182-8"] {
            assert_eq!(Ytunnus::parse(y).unwrap().as_str(), y);
        }
        assert_eq!(Ytunnus::parse("0201252-4"), Err(YtunnusError::CheckDigit { expected: '3' }));
        assert_eq!(Ytunnus::parse("201252-3").unwrap().as_str(), "0201252-3");
        assert_eq!(Ytunnus::parse("0201252"), Err(YtunnusError::Shape));
    }

    #[test]
    fn orientation_from_any_language_and_contract_label() {
        assert_eq!(Orientation::from_text("Klassisk musik"), Some(Orientation::Klassinen));
        assert_eq!(Orientation::from_text(" rhythm music "), Some(Orientation::Rytmi));
        assert_eq!(
            Orientation::from_text("rytmimusiikki (pop, jazz, rock, hip hop, DAW)"),
            Some(Orientation::Rytmi)
        );
        assert_eq!(Orientation::from_text("tuotanto"), Some(Orientation::Tuotanto));
        assert_eq!(Orientation::from_text("jazz"), None);
    }

    #[test]
    fn fold_collapses_punctuation_and_case() {
        assert_eq!(fold(" Jatko-opinnot:\nYliopisto "), "jatko opinnot yliopisto");
        assert_eq!(fold("Opiskelijat 20.9."), "opiskelijat 20 9");
    }
}
