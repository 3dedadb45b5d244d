//! The label catalogue of the charts and tables: every text a person reads, in fi, sv and en,
//! in one place. Each key must have all three languages (a tuple cannot miss one), and a test
//! checks that none is empty.

use crate::domain::Lang;

/// A text of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Title of the placement chart.
    PlacementTitle,
    /// Subtitle of the placement chart: `{gy}` graduation year, `{year}` survey year, `{n}` graduates.
    PlacementSubtitle,
    /// Title of the enrolment chart.
    EnrolmentTitle,
    /// Subtitle of the enrolment chart: `{from}`–`{to}`.
    EnrolmentSubtitle,
    /// Source line of the survey.
    SourceSurvey,
    /// Source line of Vipunen: `{date}` the dataset's date.
    SourceVipunen,
    /// The note on synthetic data.
    SyntheticNote,
    /// Legend of a suppressed segment: `{flag}` the symbol.
    Suppressed,
    /// The association as a whole.
    AllMembers,
    /// All providers in the country.
    National,
    /// Members together (short, for legends).
    Members,
    /// Students.
    Students,
    /// New students.
    NewStudents,
    /// Graduates.
    Graduates,
    /// Year (axis).
    Year,
    /// Persons (axis).
    Persons,
    /// A chart that shows only the largest members: `{shown}` of `{total}`.
    LargestShown,
}

/// All keys, for the completeness test.
pub const ALL_KEYS: [Key; 17] = [
    Key::PlacementTitle,
    Key::PlacementSubtitle,
    Key::EnrolmentTitle,
    Key::EnrolmentSubtitle,
    Key::SourceSurvey,
    Key::SourceVipunen,
    Key::SyntheticNote,
    Key::Suppressed,
    Key::AllMembers,
    Key::National,
    Key::Members,
    Key::Students,
    Key::NewStudents,
    Key::Graduates,
    Key::Year,
    Key::Persons,
    Key::LargestShown,
];

/// The text of a key in a language.
pub fn text(lang: Lang, key: Key) -> &'static str {
    let t = match key {
        Key::PlacementTitle => (
            "Mihin valmistuneet sijoittuvat",
            "Vart de utexaminerade går",
            "Where graduates go",
        ),
        Key::PlacementSubtitle => (
            "Vuonna {gy} valmistuneiden tilanne vuonna {year}, osuus valmistuneista (n = {n})",
            "Situationen år {year} för dem som utexaminerades år {gy}, andel av utexaminerade (n = {n})",
            "Status in {year} of those who graduated in {gy}, share of graduates (n = {n})",
        ),
        Key::EnrolmentTitle => (
            "Opiskelijat, aloittaneet ja valmistuneet",
            "Studerande, nya studerande och utexaminerade",
            "Students, new students and graduates",
        ),
        Key::EnrolmentSubtitle => (
            "Musiikin ja tanssin ammatilliset tutkinnot {from}–{to}: jäsenet ja koko maa",
            "Yrkesinriktade examina i musik och dans {from}–{to}: medlemmarna och hela landet",
            "Vocational qualifications in music and dance {from}–{to}: members and the whole country",
        ),
        Key::SourceSurvey => (
            "Lähde: Suomen konservatorioliiton jäsenkysely",
            "Källa: Finlands konservatorieförbunds medlemsenkät",
            "Source: Finnish Conservatory Association member survey",
        ),
        Key::SourceVipunen => (
            "Lähde: Vipunen, opetushallinnon tilastopalvelu ({date})",
            "Källa: Vipunen, utbildningsförvaltningens statistiktjänst ({date})",
            "Source: Vipunen, education statistics service ({date})",
        ),
        Key::SyntheticNote => (
            "HUOM: synteettinen esimerkkiaineisto, ei oikeita tilastoja",
            "OBS: syntetiskt exempeldata, inte verklig statistik",
            "NOTE: synthetic sample data, not real statistics",
        ),
        Key::Suppressed => (
            "Salattu ({flag})",
            "Skyddat ({flag})",
            "Suppressed ({flag})",
        ),
        Key::AllMembers => ("Kaikki jäsenet", "Alla medlemmar", "All members"),
        Key::National => ("Koko maa", "Hela landet", "Whole country"),
        Key::Members => ("Jäsenet", "Medlemmar", "Members"),
        Key::Students => ("Opiskelijat", "Studerande", "Students"),
        Key::NewStudents => ("Aloittaneet", "Nya studerande", "New students"),
        Key::Graduates => ("Valmistuneet", "Utexaminerade", "Graduates"),
        Key::Year => ("Vuosi", "År", "Year"),
        Key::Persons => ("Henkilöä", "Personer", "Persons"),
        Key::LargestShown => (
            "Kuvassa {shown} suurinta {total} jäsenestä; kaikki taulukossa",
            "Diagrammet visar de {shown} största av {total} medlemmar; alla finns i tabellen",
            "The {shown} largest of {total} members shown; all are in the table",
        ),
    };
    lang.pick(&t)
}

/// Formats a whole number the way the language writes it: `1 500` in fi and sv (no-break
/// space), `1,500` in en.
pub fn int(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match lang {
        Lang::Fi | Lang::Sv => '\u{a0}',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("−{out}") } else { out }
}

/// Formats a share as a whole percent: `45 %` in fi and sv, `45%` in en.
pub fn percent(lang: Lang, share: f64) -> String {
    let p = (share * 100.0).round() as i64;
    match lang {
        Lang::Fi | Lang::Sv => format!("{p}\u{a0}%"),
        Lang::En => format!("{p}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_every_language() {
        for k in ALL_KEYS {
            for l in Lang::ALL {
                assert!(!text(l, k).trim().is_empty(), "{k:?} has no {l:?} text");
            }
        }
    }

    #[test]
    fn finnish_number_formatting() {
        assert_eq!(int(Lang::Fi, 1500), "1\u{a0}500");
        assert_eq!(int(Lang::En, 1234567), "1,234,567");
        assert_eq!(int(Lang::Fi, 45), "45");
        assert_eq!(percent(Lang::Fi, 0.456), "46\u{a0}%");
        assert_eq!(percent(Lang::En, 0.456), "46%");
    }
}
