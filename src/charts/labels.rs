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
    /// Source line of Statistics Finland: `{table}`.
    SourceStatfin,
    /// Legend of the primary suppression symbol: `{flag}`, `{max}` the largest hidden count.
    LegendPrimary,
    /// Legend of the secondary suppression symbol `..`.
    LegendSecondary,
    /// Alt text: the kind of a stacked bar chart.
    AltBars,
    /// Alt text: the kind of a line chart.
    AltLines,
    /// Title of the benchmark chart.
    BenchmarkTitle,
    /// Subtitle of the benchmark chart: `{gy}`, `{byear}`.
    BenchmarkSubtitle,
    /// The association's members (a series).
    Association,
    /// Field 02 nationally (a series).
    Field02,
    /// All fields nationally (a series).
    AllFields,
    /// Title of the applicants chart.
    ApplicantsTitle,
    /// Subtitle of the applicants chart: `{year}`.
    ApplicantsSubtitle,
    /// Title of the key-figures card: `{year}`.
    CardTitle,
    /// Subtitle of the key-figures card.
    CardSubtitle,
    /// After a share: of the whole country.
    ShareOfCountry,
    /// After a change: `{year}`.
    ChangeFrom,
    /// Title of the placement-by-orientation chart.
    OrientationTitle,
    /// Its subtitle: `{who}` (whom the figures cover), `{gy}`, `{year}`, `{n}`.
    OrientationSubtitle,
    /// Title of the students-by-field chart.
    FieldTitle,
    /// Its subtitle: `{from}`, `{to}`.
    FieldSubtitle,
    /// Title of the survey-coverage chart.
    CoverageTitle,
    /// Its subtitle: `{year}`.
    CoverageSubtitle,
    /// Graduates by the survey (a series).
    SurveyGraduates,
    /// Graduates by Vipunen (a series).
    VipunenGraduates,
    /// Title of the applicants reconciliation chart.
    ApplicantsCheckTitle,
    /// Its subtitle: `{year}`.
    ApplicantsCheckSubtitle,
}

/// All keys, for the completeness test.
pub const ALL_KEYS: [Key; 43] = [
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
    Key::SourceStatfin,
    Key::LegendPrimary,
    Key::LegendSecondary,
    Key::AltBars,
    Key::AltLines,
    Key::BenchmarkTitle,
    Key::BenchmarkSubtitle,
    Key::Association,
    Key::Field02,
    Key::AllFields,
    Key::ApplicantsTitle,
    Key::ApplicantsSubtitle,
    Key::CardTitle,
    Key::CardSubtitle,
    Key::ShareOfCountry,
    Key::ChangeFrom,
    Key::OrientationTitle,
    Key::OrientationSubtitle,
    Key::FieldTitle,
    Key::FieldSubtitle,
    Key::CoverageTitle,
    Key::CoverageSubtitle,
    Key::SurveyGraduates,
    Key::VipunenGraduates,
    Key::ApplicantsCheckTitle,
    Key::ApplicantsCheckSubtitle,
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
        Key::SourceStatfin => (
            "Lähde: Tilastokeskus, {table}",
            "Källa: Statistikcentralen, {table}",
            "Source: Statistics Finland, {table}",
        ),
        Key::LegendPrimary => (
            "{flag} = 1–{max} henkilöä: salattu, jotta ketään ei voi tunnistaa",
            "{flag} = 1–{max} personer: skyddat så att ingen kan identifieras",
            "{flag} = 1–{max} persons: suppressed so that nobody can be identified",
        ),
        Key::LegendSecondary => (
            ".. = salattu, jotta salattua lukua ei voi päätellä summista",
            ".. = skyddat så att ett skyddat tal inte kan räknas fram ur summorna",
            ".. = suppressed so that a suppressed figure cannot be worked out from the totals",
        ),
        Key::BenchmarkTitle => ("Tilanne vuosi valmistumisen jälkeen", "Situationen ett år efter examen", "One year after graduation"),
        Key::BenchmarkSubtitle => (
            "Vuonna {gy} valmistuneet: jäsenet ja koko maa ({byear}), osuus niistä, joiden tilanne tiedetään",
            "Utexaminerade år {gy}: medlemmarna och hela landet ({byear}), andel av dem vars situation är känd",
            "Graduates of {gy}: members and the whole country ({byear}), share of those whose status is known",
        ),
        Key::Association => ("Konservatorioliiton jäsenet", "Konservatorieförbundets medlemmar", "Association members"),
        Key::Field02 => ("Humanistiset ja taidealat, koko maa", "Humanistiska och konstområden, hela landet", "Humanities and arts, whole country"),
        Key::AllFields => ("Kaikki alat, koko maa", "Alla områden, hela landet", "All fields, whole country"),
        Key::ApplicantsTitle => ("Hakijoita aloituspaikkaa kohden", "Sökande per nybörjarplats", "Applicants per start place"),
        Key::ApplicantsSubtitle => (
            "Jäsenkysely {year}, kaikki tutkinnot: hakijat jaettuna aloituspaikoilla",
            "Medlemsenkäten {year}, alla examina: sökande delat med nybörjarplatser",
            "Member survey {year}, all qualifications: applicants divided by start places",
        ),
        Key::CardTitle => ("Konservatoriot lukuina {year}", "Konservatorierna i siffror {year}", "Conservatories in figures {year}"),
        Key::CardSubtitle => (
            "Suomen konservatorioliiton jäsenet: musiikin ja tanssin ammatillinen koulutus",
            "Finlands konservatorieförbunds medlemmar: yrkesutbildning i musik och dans",
            "Members of the Finnish Conservatory Association: vocational education in music and dance",
        ),
        Key::ShareOfCountry => ("koko maasta", "av hela landet", "of the whole country"),
        Key::ChangeFrom => ("vuodesta {year}", "från {year}", "from {year}"),
        Key::OrientationTitle => ("Sijoittuminen suuntautumisittain", "Placering per inriktning", "Where graduates go, by orientation"),
        Key::OrientationSubtitle => (
            "{who}: vuonna {gy} valmistuneiden tilanne vuonna {year}, osuus valmistuneista (n = {n})",
            "{who}: situationen år {year} för dem som utexaminerades år {gy}, andel av utexaminerade (n = {n})",
            "{who}: status in {year} of those who graduated in {gy}, share of graduates (n = {n})",
        ),
        Key::FieldTitle => ("Opiskelijat aloittain", "Studerande per område", "Students by field"),
        Key::FieldSubtitle => (
            "Musiikin ja tanssin ammatilliset tutkinnot {from}–{to}: jäsenet ja koko maa",
            "Yrkesinriktade examina i musik och dans {from}–{to}: medlemmarna och hela landet",
            "Vocational qualifications in music and dance {from}–{to}: members and the whole country",
        ),
        Key::CoverageTitle => ("Kyselyn kattavuus", "Enkätens täckning", "Survey coverage"),
        Key::CoverageSubtitle => (
            "Valmistuneet {year}: jäsenkyselyn luku ja Vipusen luku jäsenittäin",
            "Utexaminerade {year}: medlemsenkätens antal och Vipunens antal per medlem",
            "Graduates {year}: the member survey's count and Vipunen's, by member",
        ),
        Key::SurveyGraduates => ("Jäsenkysely", "Medlemsenkät", "Member survey"),
        Key::VipunenGraduates => ("Vipunen", "Vipunen", "Vipunen"),
        Key::ApplicantsCheckTitle => ("Hakijat: jäsenkysely ja Vipunen", "Sökande: medlemsenkät och Vipunen", "Applicants: member survey and Vipunen"),
        Key::ApplicantsCheckSubtitle => (
            "Koulutus alkaa {year}: hakijat jäsenittäin, kaikki tutkinnot, yhteishaku ja jatkuva haku",
            "Utbildningen börjar {year}: sökande per medlem, alla examina, gemensam och kontinuerlig ansökan",
            "Starting in {year}: applicants by member, all qualifications, joint and continuous application",
        ),
        Key::AltBars => ("Vaakasuora 100 %:n pinottu pylväskuvio", "Liggande staplat stapeldiagram (100 %)", "Horizontal 100% stacked bar chart"),
        Key::AltLines => ("Viivakuvio", "Linjediagram", "Line chart"),
        Key::LargestShown => (
            "Kuvassa {shown} suurinta {total} jäsenestä; kaikki taulukossa",
            "Diagrammet visar de {shown} största av {total} medlemmar; alla finns i tabellen",
            "The {shown} largest of {total} members shown; all are in the table",
        ),
    };
    lang.pick(&t)
}

/// Every column of the published tables, for the completeness test.
pub const COLUMNS: [&str; 40] = [
    "year", "member_id", "qualification_code", "orientation", "graduation_year", "status", "class", "count", "share", "lag",
    "coverage", "graduates", "new_students", "students", "source", "start_places", "applicants", "first_choice_applicants",
    "applicants_per_place", "field", "measure", "national", "members", "members_share", "benchmark_year", "field02_share",
    "all_fields_share", "vipunen_start_places", "vipunen_applicants", "vipunen_first_choice_applicants", "vipunen_accepted",
    "vipunen_enrolled", "survey_start_places", "survey_applicants", "survey_first_choice_applicants",
    "survey_new_students", "start_places_ratio", "applicants_ratio", "first_choice_ratio", "flagged",
];

/// A column's header in a language (the code itself for a column not in the catalogue, which
/// the completeness test forbids).
pub fn column(lang: Lang, c: &str) -> &'static str {
    let t = match c {
        "year" => ("Tilastovuosi", "Statistikår", "Statistical year"),
        "member_id" => ("Jäsen", "Medlem", "Member"),
        "qualification_code" => ("Tutkinto", "Examen", "Qualification"),
        "orientation" => ("Suuntautuminen", "Inriktning", "Orientation"),
        "graduation_year" => ("Valmistumisvuosi", "Examensår", "Graduation year"),
        "status" | "class" => ("Tilanne", "Situation", "Status"),
        "count" => ("Lukumäärä", "Antal", "Count"),
        "share" => ("Osuus, %", "Andel, %", "Share, %"),
        "lag" => ("Seuranta-aika, vuotta", "Uppföljningstid, år", "Follow-up, years"),
        "coverage" => ("Tilanne tiedossa, %", "Situationen känd, %", "Status known, %"),
        "graduates" => ("Valmistuneet", "Utexaminerade", "Graduates"),
        "new_students" => ("Aloittaneet", "Nya studerande", "New students"),
        "students" => ("Opiskelijat", "Studerande", "Students"),
        "source" => ("Lähde", "Källa", "Source"),
        "start_places" => ("Aloituspaikat", "Nybörjarplatser", "Start places"),
        "applicants" => ("Hakijat", "Sökande", "Applicants"),
        "first_choice_applicants" => ("Ensisijaiset hakijat", "Sökande i första hand", "First-choice applicants"),
        "applicants_per_place" => ("Hakijoita aloituspaikkaa kohden", "Sökande per nybörjarplats", "Applicants per start place"),
        "field" => ("Ala", "Område", "Field"),
        "measure" => ("Tieto", "Uppgift", "Measure"),
        "national" => ("Koko maa", "Hela landet", "Whole country"),
        "members" => ("Jäsenet", "Medlemmarna", "Members"),
        "members_share" => ("Jäsenten osuus, %", "Medlemmarnas andel, %", "Members' share, %"),
        "benchmark_year" => ("Vertailuvuosi", "Jämförelseår", "Benchmark year"),
        "field02_share" => ("Humanistiset ja taidealat koko maassa, %", "Humanistiska och konstområden i hela landet, %", "Humanities and arts nationally, %"),
        "all_fields_share" => ("Kaikki alat koko maassa, %", "Alla områden i hela landet, %", "All fields nationally, %"),
        "vipunen_start_places" => ("Aloituspaikat, Vipunen", "Nybörjarplatser, Vipunen", "Start places, Vipunen"),
        "vipunen_applicants" => ("Hakijat, Vipunen", "Sökande, Vipunen", "Applicants, Vipunen"),
        "vipunen_first_choice_applicants" => ("Ensisijaiset hakijat, Vipunen", "Sökande i första hand, Vipunen", "First-choice applicants, Vipunen"),
        "vipunen_accepted" => ("Paikan vastaanottaneet, Vipunen", "Tog emot platsen, Vipunen", "Accepted the place, Vipunen"),
        "vipunen_enrolled" => ("Aloittaneet, Vipunen", "Började, Vipunen", "Enrolled, Vipunen"),
        "survey_start_places" => ("Aloituspaikat, jäsenkysely", "Nybörjarplatser, medlemsenkät", "Start places, member survey"),
        "survey_applicants" => ("Hakijat, jäsenkysely", "Sökande, medlemsenkät", "Applicants, member survey"),
        "survey_first_choice_applicants" => (
            "Ensisijaiset hakijat, jäsenkysely",
            "Sökande i första hand, medlemsenkät",
            "First-choice applicants, member survey",
        ),
        "survey_new_students" => ("Aloittaneet, jäsenkysely", "Nya studerande, medlemsenkät", "New students, member survey"),
        "start_places_ratio" => ("Aloituspaikat: kysely / Vipunen", "Nybörjarplatser: enkät / Vipunen", "Start places: survey / Vipunen"),
        "applicants_ratio" => ("Hakijat: kysely / Vipunen", "Sökande: enkät / Vipunen", "Applicants: survey / Vipunen"),
        "first_choice_ratio" => ("Ensisijaiset: kysely / Vipunen", "I första hand: enkät / Vipunen", "First choice: survey / Vipunen"),
        "flagged" => ("Ero yli toleranssin", "Skillnad över toleransen", "Beyond the tolerance"),
        _ => return "",
    };
    lang.pick(&t)
}

/// The name of a published table (a sheet name: at most 31 characters).
pub fn table(lang: Lang, t: &str) -> &'static str {
    let t = match t {
        "placement" => ("Sijoittuminen", "Placering", "Placement"),
        "placement_by_member" => ("Sijoittuminen jäsenittäin", "Placering per medlem", "Placement by member"),
        "enrolment" => ("Opiskelijat", "Studerande", "Enrolment"),
        "key_figures" => ("Tunnusluvut", "Nyckeltal", "Key figures"),
        "placement_benchmark" => ("Vertailu koko maahan", "Jämförelse med hela landet", "National benchmark"),
        "applicants" => ("Hakijat, kysely ja Vipunen", "Sökande, enkät och Vipunen", "Applicants, survey and Vipunen"),
        _ => ("Taulukko", "Tabell", "Table"),
    };
    lang.pick(&t)
}

/// A code in a published table as people read it (`None`: not a code of this catalogue; the
/// caller knows members, qualifications, orientations and statuses from their own types).
pub fn code(lang: Lang, c: &str) -> Option<&'static str> {
    let t = match c {
        "all" => ("Kaikki", "Alla", "All"),
        "other_orientations" => ("Muut suuntautumiset", "Övriga inriktningar", "Other orientations"),
        "national" => ("Koko maa", "Hela landet", "Whole country"),
        "non_members" => ("Muut järjestäjät", "Övriga anordnare", "Other providers"),
        "vipunen" => ("Vipunen", "Vipunen", "Vipunen"),
        "survey" => ("Jäsenkysely", "Medlemsenkät", "Member survey"),
        "music" => ("Musiikki", "Musik", "Music"),
        "dance" => ("Tanssi", "Dans", "Dance"),
        "providers" => ("Koulutuksen järjestäjät", "Utbildningsanordnare", "Education providers"),
        "new_students" => ("Aloittaneet", "Nya studerande", "New students"),
        "students" => ("Opiskelijat", "Studerande", "Students"),
        "graduates" => ("Valmistuneet", "Utexaminerade", "Graduates"),
        "employed" => ("Työlliset", "Sysselsatta", "Employed"),
        "unemployed" => ("Työttömät", "Arbetslösa", "Unemployed"),
        "true" => ("Kyllä", "Ja", "Yes"),
        "false" => ("Ei", "Nej", "No"),
        _ => return None,
    };
    Some(lang.pick(&t))
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
    // An en dash for minus: the embedded Noto Sans has no U+2212.
    if n < 0 { format!("–{out}") } else { out }
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
    fn every_published_column_and_table_has_every_language() {
        for c in COLUMNS {
            for l in Lang::ALL {
                assert!(!column(l, c).trim().is_empty(), "column {c} has no {l:?} header");
            }
        }
        for t in ["placement", "placement_by_member", "enrolment", "key_figures", "placement_benchmark", "applicants"] {
            for l in Lang::ALL {
                assert!(table(l, t) != table(l, "?") && table(l, t).chars().count() <= 31, "table {t} in {l:?}");
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
