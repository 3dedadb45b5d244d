//! The member report's own texts in fi, sv and en (the public catalogue in
//! [`crate::charts::labels`] names the columns, codes and statuses).

use super::model::{Model, ReturnState};
use crate::domain::Lang;

fn t(lang: Lang, fi: &'static str, sv: &'static str, en: &'static str) -> &'static str {
    lang.pick(&(fi, sv, en))
}

/// The page's title.
pub fn title(m: &Model) -> String {
    match m.lang {
        Lang::Fi => format!("{}: jäsenraportti {}", m.name, m.year),
        Lang::Sv => format!("{}: medlemsrapport {}", m.name, m.year),
        Lang::En => format!("{}: member report {}", m.name, m.year),
    }
}

/// The confidentiality line on every page and sheet.
pub fn confidential(lang: Lang) -> &'static str {
    t(
        lang,
        "LUOTTAMUKSELLINEN: vain tälle jäsenelle. Sisältää oppilaitoksen omat salaamattomat luvut; muiden jäsenten luvut vain julkaistuina.",
        "KONFIDENTIELLT: endast för denna medlem. Innehåller skolans egna oskyddade siffror; andra medlemmars siffror bara som publicerade.",
        "CONFIDENTIAL: for this member only. Holds the school's own unsuppressed figures; other members' figures only as published.",
    )
}

/// The heading of the return's state.
pub fn state_heading(lang: Lang) -> &'static str {
    t(lang, "Palautus tällä kierroksella", "Svaret denna omgång", "Your return this round")
}

/// One line saying how the return fared.
pub fn state_line(m: &Model) -> String {
    let files = m.files.join(", ");
    let errors = m.findings.iter().filter(|f| f.is_error()).count();
    let warnings = m.findings.len() - errors;
    match (m.lang, m.state) {
        (Lang::Fi, ReturnState::Accepted) => format!("Hyväksytty ({files}): luvut ovat mukana julkaistuissa taulukoissa. Virheitä {errors}, varoituksia {warnings}."),
        (Lang::Sv, ReturnState::Accepted) => format!("Godkänt ({files}): siffrorna ingår i de publicerade tabellerna. Fel {errors}, varningar {warnings}."),
        (Lang::En, ReturnState::Accepted) => format!("Accepted ({files}): its figures are in the published tables. Errors {errors}, warnings {warnings}."),
        (Lang::Fi, ReturnState::Quarantined) => format!("Karanteenissa ({files}): palautuksen luvut on jätetty pois julkaistuista taulukoista ja tästä raportista. Korjatkaa alla luetellut {errors} virhettä ja lähettäkää palautus uudelleen (palautetyökirja: feedback/{}.xlsx).", m.member),
        (Lang::Sv, ReturnState::Quarantined) => format!("I karantän ({files}): svarets siffror har lämnats utanför de publicerade tabellerna och denna rapport. Rätta de {errors} fel som listas nedan och skicka svaret på nytt (återkopplingsarbetsbok: feedback/{}.xlsx).", m.member),
        (Lang::En, ReturnState::Quarantined) => format!("Quarantined ({files}): its figures are left out of the published tables and of this report. Fix the {errors} errors listed below and send the return again (feedback workbook: feedback/{}.xlsx).", m.member),
        (Lang::Fi, ReturnState::Missing) => "Palautusta ei ole saapunut: kyselyn lukuja ei ole tässä raportissa.".into(),
        (Lang::Sv, ReturnState::Missing) => "Inget svar har kommit: enkätens siffror saknas i denna rapport.".into(),
        (Lang::En, ReturnState::Missing) => "No return has arrived: the survey's figures are not in this report.".into(),
    }
}

/// "Error" or "Warning".
pub fn severity(lang: Lang, error: bool) -> &'static str {
    if error { t(lang, "Virhe", "Fel", "Error") } else { t(lang, "Varoitus", "Varning", "Warning") }
}

/// The first sheet's name.
pub fn about_sheet(lang: Lang) -> &'static str {
    t(lang, "Tietoja", "Om rapporten", "About")
}

/// A table's sheet name (at most 31 characters).
pub fn sheet_name(lang: Lang, id: &str) -> &'static str {
    match id {
        "classes" => t(lang, "Sijoittuminen", "Placering", "Placement"),
        "detail" => t(lang, "Sijoittuminen tarkasti", "Placering i detalj", "Placement in detail"),
        "enrolment" => t(lang, "Opiskelijat", "Studerande", "Students"),
        "intake" => t(lang, "Hakijat", "Sökande", "Applicants"),
        "reconciliation" => t(lang, "Vertailu Vipuseen", "Jämförelse med Vipunen", "Against Vipunen"),
        _ => t(lang, "Taulukko", "Tabell", "Table"),
    }
}

/// The findings' heading.
pub fn findings_heading(lang: Lang) -> &'static str {
    t(lang, "Havainnot tällä kierroksella", "Iakttagelser denna omgång", "Findings this round")
}

/// Said when the return has no findings.
pub fn no_findings(lang: Lang) -> &'static str {
    t(lang, "Palautuksesta ei löytynyt huomautettavaa.", "Inga anmärkningar om svaret.", "Nothing to remark on in the return.")
}

/// The findings table's headers.
pub fn findings_header(lang: Lang) -> Vec<String> {
    [t(lang, "Vakavuus", "Allvarlighet", "Severity"), t(lang, "Paikka", "Plats", "Where"), t(lang, "Mitä tehdä", "Vad göra", "What to do")].map(String::from).to_vec()
}

/// The heading over the reconciliation's explanations.
pub fn explain_heading(lang: Lang) -> &'static str {
    t(lang, "Mitä tarkistaa", "Vad ska kontrolleras", "What to check")
}

/// Said when every compared figure is within the tolerance.
pub fn all_within(lang: Lang) -> &'static str {
    t(lang, "Kaikki verratut luvut ovat toleranssin sisällä.", "Alla jämförda siffror ligger inom toleransen.", "Every compared figure is within the tolerance.")
}

/// Chart titles.
pub fn chart_title(lang: Lang, id: &str) -> &'static str {
    match id {
        "placement" => t(lang, "Valmistuneemme vuoden kuluttua: me, kaikki jäsenet ja koko maa", "Våra utexaminerade ett år senare: vi, alla medlemmar och hela landet", "Our graduates one year on: us, all members and the country"),
        "placement_own" => t(lang, "Valmistuneemme vuoden kuluttua", "Våra utexaminerade ett år senare", "Our graduates one year on"),
        "enrolment" => t(lang, "Opiskelijamme Vipusessa vuosittain", "Våra studerande i Vipunen per år", "Our students in Vipunen by year"),
        _ => t(lang, "Hakijoita aloituspaikkaa kohden: me ja kaikki jäsenet", "Sökande per nybörjarplats: vi och alla medlemmar", "Applicants per start place: us and all members"),
    }
}

/// The line under the title for what a page without survey figures lacks.
pub fn no_survey(lang: Lang) -> &'static str {
    t(lang, "Kyselyn lukuja ei ole, koska palautusta ei hyväksytty.", "Enkätens siffror saknas, eftersom svaret inte godkändes.", "No survey figures: the return was not accepted.")
}
