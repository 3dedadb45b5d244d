//! Reminders for the members whose return is missing, quarantined or sent twice: one short
//! message each (`<member>.md`, plain text that is also Markdown, ready to paste into an
//! e-mail) in the member's language — what is missing or what to fix (the findings with their
//! cells), the deadline, and the feedback workbook or template to attach. No personal data:
//! the school's name, its files and the findings only (the contact person stays in `raw/`).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::domain::Lang;
use crate::survey::{Finding, Rule};

use super::{MemberRound, Round, State};

/// At most this many findings of each kind are listed; the feedback workbook has them all.
const MAX_LISTED: usize = 20;

fn t(lang: Lang, fi: &'static str, sv: &'static str, en: &'static str) -> &'static str {
    lang.pick(&(fi, sv, en))
}

/// The deadline as the language writes a date, or "as soon as possible".
fn due(round: &Round, lang: Lang) -> String {
    match &round.deadline {
        Some(d) => {
            let date = match lang {
                Lang::Fi | Lang::Sv => d.date.0.format("%-d.%-m.%Y").to_string(),
                Lang::En => d.date.0.format("%-d %B %Y").to_string(),
            };
            format!("{} {date}", t(lang, "viimeistään", "senast", "by"))
        }
        None => t(lang, "mahdollisimman pian", "så snart som möjligt", "as soon as possible").to_owned(),
    }
}

/// `- Sijoittuminen!E2:L2 / D2: the message` (the file when the finding has no cell).
fn finding_line(f: &Finding, lang: Lang) -> String {
    let place = match (&f.sheet, &f.cell) {
        (Some(s), Some(c)) => format!("{s}!{c}"),
        (Some(s), None) => s.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => f.file.clone(),
    };
    format!("- {place}: {}\n", f.message(lang))
}

fn list(out: &mut String, findings: &[&Finding], lang: Lang) {
    for f in findings.iter().take(MAX_LISTED) {
        out.push_str(&finding_line(f, lang));
    }
    if findings.len() > MAX_LISTED {
        let n = findings.len() - MAX_LISTED;
        let _ = writeln!(out, "- {}", match lang {
            Lang::Fi => format!("… ja {n} muuta (kaikki palautetyökirjassa)"),
            Lang::Sv => format!("… och {n} till (alla i återkopplingsarbetsboken)"),
            Lang::En => format!("… and {n} more (all in the feedback workbook)"),
        });
    }
}

/// The message to one member, or `None` when its return is accepted.
pub fn message(round: &Round, m: &MemberRound) -> Option<String> {
    if m.state.included() {
        return None;
    }
    let lang = m.lang;
    let year = round.year;
    let due = due(round, lang);
    let files: Vec<&str> = m.files.iter().map(|f| f.file.as_str()).collect();
    let feedback: Vec<&str> = m.files.iter().map(|f| f.feedback.as_str()).collect();
    let mut out = String::new();
    let subject = match (m.state, lang) {
        (State::Missing, Lang::Fi) => format!("Jäsenkysely {year}: vastaus puuttuu ({})", m.name),
        (State::Missing, Lang::Sv) => format!("Medlemsenkäten {year}: svaret saknas ({})", m.name),
        (State::Missing, Lang::En) => format!("Member survey {year}: your return is missing ({})", m.name),
        (State::Duplicate, Lang::Fi) => format!("Jäsenkysely {year}: useita vastauksia ({})", m.name),
        (State::Duplicate, Lang::Sv) => format!("Medlemsenkäten {year}: flera svar ({})", m.name),
        (State::Duplicate, Lang::En) => format!("Member survey {year}: several returns ({})", m.name),
        (_, Lang::Fi) => format!("Jäsenkysely {year}: vastaus on korjattava ({})", m.name),
        (_, Lang::Sv) => format!("Medlemsenkäten {year}: svaret behöver rättas ({})", m.name),
        (_, Lang::En) => format!("Member survey {year}: your return needs correcting ({})", m.name),
    };
    let _ = writeln!(out, "{}: {subject}\n", t(lang, "Aihe", "Ämne", "Subject"));
    let _ = writeln!(out, "{}\n", t(lang, "Hei,", "Hej,", "Hello,"));
    let errors: Vec<&Finding> = m.findings.iter().filter(|f| f.is_error() && f.rule != Rule::DuplicateReturn).collect();
    let warnings: Vec<&Finding> = m.findings.iter().filter(|f| !f.is_error()).collect();
    match m.state {
        State::Missing => {
            let template = format!("{}-{year}.xlsx", m.member);
            let _ = writeln!(out, "{}\n", match lang {
                Lang::Fi => format!("emme ole vielä saaneet vastaustanne Suomen konservatorioliiton jäsenkyselyyn {year}. Liitteenä on valmiiksi täytetty lomake {template}. Palauttakaa täytetty lomake {due}."),
                Lang::Sv => format!("vi har ännu inte fått ert svar på Finlands konservatorieförbunds medlemsenkät {year}. Bifogad finns en förifylld blankett, {template}. Skicka den ifyllda blanketten {due}."),
                Lang::En => format!("we have not yet received your return to the Finnish Conservatory Association's member survey {year}. Attached is your pre-filled form, {template}. Please send the completed form {due}."),
            });
        }
        State::Duplicate => {
            let _ = writeln!(out, "{}\n", match lang {
                Lang::Fi => format!("olemme saaneet teiltä useita vastauksia jäsenkyselyyn {year} ({}). Emme voi ottaa niistä mitään mukaan tilastoon, ennen kuin tiedämme, mikä on voimassa. Kertokaa, mikä vastauksista on voimassa, tai lähettäkää yksi korjattu vastaus {due}.", files.join(", ")),
                Lang::Sv => format!("vi har fått flera svar från er på medlemsenkäten {year} ({}). Vi kan inte ta med något av dem i statistiken förrän vi vet vilket som gäller. Meddela vilket svar som gäller, eller skicka ett enda rättat svar, {due}.", files.join(", ")),
                Lang::En => format!("we have received several returns from you to the member survey {year} ({}). None of them can be included in the statistics until we know which one stands. Please tell us which return stands, or send one corrected return, {due}.", files.join(", ")),
            });
        }
        _ => {
            let _ = writeln!(out, "{}\n", match lang {
                Lang::Fi => format!("kiitos vastauksestanne Suomen konservatorioliiton jäsenkyselyyn {year} (tiedosto {}). Emme voi vielä ottaa sitä mukaan tilastoon, koska siinä on virheitä, jotka on korjattava:", files.join(", ")),
                Lang::Sv => format!("tack för ert svar på Finlands konservatorieförbunds medlemsenkät {year} (fil {}). Vi kan ännu inte ta med det i statistiken, eftersom det innehåller fel som behöver rättas:", files.join(", ")),
                Lang::En => format!("thank you for your return to the Finnish Conservatory Association's member survey {year} (file {}). We cannot include it in the statistics yet, because it has errors to correct:", files.join(", ")),
            });
        }
    }
    if !errors.is_empty() {
        if m.state == State::Duplicate {
            let _ = writeln!(out, "{}", t(lang, "Korjattavaa vastauksissa:", "Att rätta i svaren:", "To correct in the returns:"));
        }
        list(&mut out, &errors, lang);
        out.push('\n');
    }
    if !warnings.is_empty() && m.state != State::Missing {
        let _ = writeln!(out, "{}", t(lang, "Tarkistakaa myös nämä (ne eivät estä hyväksymistä):", "Kontrollera också följande (de hindrar inte att svaret godkänns):", "Please also check these (they do not stop the return being accepted):"));
        list(&mut out, &warnings, lang);
        out.push('\n');
    }
    // A workbook that could not be read has no cells to mark: its feedback lists what to fix.
    let cells = m.findings.iter().any(|f| f.cell.is_some());
    if m.state != State::Missing && !cells {
        let _ = writeln!(out, "{}\n", match lang {
            Lang::Fi => format!("Liitteenä on palautetyökirja {}, jossa korjattavat asiat on lueteltu. Lähettäkää korjattu vastaus {due}.", feedback.join(", ")),
            Lang::Sv => format!("Bifogad finns återkopplingsarbetsboken {}, som listar det som behöver rättas. Skicka det rättade svaret {due}.", feedback.join(", ")),
            Lang::En => format!("Attached is the feedback workbook {}, which lists what to correct. Please send the corrected return {due}.", feedback.join(", ")),
        });
    } else if m.state != State::Missing {
        let _ = writeln!(out, "{}\n", match lang {
            Lang::Fi => format!("Liitteenä on palautetyökirja {}: jokainen korjattava solu on siinä merkitty punaisella ja varustettu selityksellä. Lähettäkää korjattu vastaus {due}.", feedback.join(", ")),
            Lang::Sv => format!("Bifogad finns återkopplingsarbetsboken {}: varje cell som behöver rättas är markerad med rött och har en förklaring. Skicka det rättade svaret {due}.", feedback.join(", ")),
            Lang::En => format!("Attached is the feedback workbook {}: every cell to correct is marked in red with an explanation. Please send the corrected return {due}.", feedback.join(", ")),
        });
    }
    let _ = writeln!(out, "{}", t(lang, "Ystävällisin terveisin", "Med vänliga hälsningar", "Kind regards"));
    let _ = writeln!(out, "{}", t(lang, "Suomen konservatorioliitto", "Finlands konservatorieförbund", "Finnish Conservatory Association"));
    Some(out)
}

/// Writes `<member>.md` into `dir` for every member whose return is missing, quarantined or
/// sent twice. Returns the paths, with the attachment each needs (feedback workbooks under
/// `output/<year>/feedback/`, or the template from `kooste template --all`).
pub fn write(config: &Config, round: &Round, dir: &Path) -> crate::Result<Vec<(PathBuf, Vec<String>)>> {
    let mut written = Vec::new();
    for m in &round.members {
        let Some(text) = message(round, m) else { continue };
        let path = dir.join(format!("{}.md", m.member));
        crate::files::write_bytes(&path, text.as_bytes())?;
        let attach = if m.state == State::Missing {
            vec![format!("{}-{}.xlsx", m.member, round.year)]
        } else {
            m.files.iter().map(|f| config.year_dir().join("feedback").join(&f.feedback).display().to_string()).collect()
        };
        written.push((path, attach));
    }
    Ok(written)
}
