//! The sample's Vipunen snapshots: the enrolment resource and the joint-application resource,
//! in the real resources' fields.

use serde_json::{Value, json};

use super::{Rng, split};
use crate::config::Config;
use crate::domain::{Lang, QualificationCode, Ytunnus};
use crate::survey::template::TemplateSpec;

/// Non-member providers of music and dance in the sample (synthetic names and ids).
fn other_providers() -> Vec<(String, String, Vec<QualificationCode>)> {
    let mut out = Vec::new();
    let mut n = 3_100_000u32;
    let names = ["Esimerkkiopisto Pohjoinen", "Esimerkkiopisto Itä", "Esimerkkiopisto Länsi", "Esimerkkitanssiopisto"];
    for (i, name) in names.iter().enumerate() {
        let yt = loop {
            n += 13;
            let seven = format!("{n:07}");
            if let Ok(c) = Ytunnus::check_digit(&seven) {
                break format!("{seven}-{c}");
            }
        };
        let quals = if i == 3 { vec![QualificationCode::DANCE] } else { vec![QualificationCode::MUSIC] };
        out.push((name.to_string(), yt, quals));
    }
    out
}

/// The Vipunen enrolment snapshot: members (by the provider id valid each year), other
/// providers, and rows of unrelated qualifications at multi-field providers.
pub fn vipunen_rows(config: &Config, returns: &[(String, TemplateSpec)], rng: &mut Rng) -> Vec<Value> {
    let updated = format!("{}-04-03", config.year + 1);
    let mut rows = Vec::new();
    let push = |rows: &mut Vec<Value>, year: i32, provider: &str, yt: &str, q: QualificationCode, kind: &str, new: u64, students: u64, grads: u64| {
        let name = config.catalogue.get(q).map(|x| x.names.0.clone()).unwrap_or_else(|| "Tieto puuttuu".into());
        let tyyppi = if q.as_string().starts_with("3212") || q.as_string().starts_with("3215") {
            "Ammatilliset perustutkinnot"
        } else {
            "Ammattitutkinnot"
        };
        rows.push(json!({
            "tilastovuosi": year, "suorituksenTyyppi": kind, "tutkintotyyppi": tyyppi, "tutkinto": name,
            "koulutuksenJarjestaja": provider, "hankintakoulutuksenJarjestaja": "Tieto puuttuu",
            "hankintakoulutusKyllaEi": false, "koodiTutkinto": q.as_string(), "koodiKoulutuksenJarjestaja": yt,
            "koodiHankintakoulutuksenJarjestaja": "-1", "uudetOpiskelijatLkm": new, "opiskelijatLkm": students,
            "tutkinnonSuorittaneetLkm": grads, "nettoopiskelijamaaraLkm": (students as f64 * 0.83 * 1e6).round() / 1e6,
            "tietojoukkoPaivitettyPvm": updated,
        }));
    };
    for year in config.pipeline.first_year..=config.year {
        for (id, spec) in returns {
            let m = config.registry.get(id).expect("returns come from the registry");
            let Some(yt) = m.ytunnus_in(year) else { continue };
            let provider = m.periods.iter().find(|p| p.covers(year)).map(|p| p.provider_name.clone()).unwrap_or_default();
            let mut quals: Vec<QualificationCode> = spec.placement.iter().map(|p| p.qualification).collect();
            quals.sort();
            quals.dedup();
            for q in quals {
                let base = if q == QualificationCode::MUSIC { rng.range(70, 120) } else { rng.range(18, 40) };
                let new = base / 3 + rng.range(0, 6);
                // In the surveyed years, Vipunen counts what the return reports, give or take
                // one late registration: the reconciliation check then has something to find.
                let reported: u64 = spec.placement.iter().filter(|p| p.qualification == q && p.graduation_year == year).map(|p| p.graduates).sum();
                let grads = if reported > 0 { reported + u64::from(rng.unit() < 0.2) } else { base / 4 + rng.range(0, 5) };
                push(&mut rows, year, &provider, yt.as_str(), q, "Koko tutkinto", new, base, grads);
                if rng.unit() < 0.3 {
                    push(&mut rows, year, &provider, yt.as_str(), q, "Tutkinnon osa/osia", rng.range(1, 3), rng.range(1, 4), 0);
                }
            }
            // Multi-field providers also teach other fields: filtered out by code in transform.
            if m.periods.iter().any(|p| p.provider_name.contains("koulutuskuntayhtymä") || p.provider_name.contains("Oy WinNova")) {
                let other = QualificationCode::parse("351107").expect("six digits");
                push(&mut rows, year, &provider, yt.as_str(), other, "Koko tutkinto", 120, 400, 95);
            }
        }
        for (name, yt, quals) in other_providers() {
            for q in quals {
                let base = if q == QualificationCode::MUSIC { rng.range(25, 60) } else { rng.range(10, 25) };
                push(&mut rows, year, &name, &yt, q, "Koko tutkinto", base / 3, base, base / 4);
            }
        }
    }
    rows
}


/// Where a member's school is, for the applicant rows: municipality, its code, region.
fn place(member: &str) -> (&'static str, &'static str, &'static str) {
    match member {
        "live" => ("Espoo", "049", "Uusimaa"),
        "gradia" => ("Jyväskylä", "179", "Keski-Suomi"),
        "helsinki" | "popjazz" => ("Helsinki", "091", "Uusimaa"),
        "joensuu" => ("Joensuu", "167", "Pohjois-Karjala"),
        "kao" => ("Kajaani", "205", "Kainuu"),
        "keskipohjanmaa" => ("Kokkola", "272", "Keski-Pohjanmaa"),
        "kuopio" => ("Kuopio", "297", "Pohjois-Savo"),
        "kymi" => ("Kotka", "285", "Kymenlaakso"),
        "lahti" => ("Lahti", "398", "Päijät-Häme"),
        "oulu" => ("Oulu", "564", "Pohjois-Pohjanmaa"),
        "palmgren" => ("Pori", "609", "Satakunta"),
        "lappia" => ("Kemi", "240", "Lappi"),
        "tampere" => ("Tampere", "837", "Pirkanmaa"),
        "turku" => ("Turku", "853", "Varsinais-Suomi"),
        "yrkesakademin" => ("Vaasa", "905", "Pohjanmaa"),
        _ => ("Tieto puuttuu", "-1", "Tieto puuttuu"),
    }
}

/// One application option's figures in a start year: start places, applicants, first-choice
/// applicants, selected, accepted, enrolled.
type Intake = [u64; 6];

/// One row of `perusopetuksen_jalkeinen_koulutus_hakeneet_ja_paikan_vastaanottaneet` (one
/// application option × start year and term × application round × provider × school × site).
struct OptionRow<'a> {
    year: i32,
    term: &'a str,
    round: &'a str,
    provider: &'a str,
    ytunnus: &'a str,
    school: &'a str,
    school_code: String,
    site: String,
    member: &'a str,
    lang: Lang,
    qualification: (String, String),
    option: String,
    oid: String,
    n: Intake,
}

impl OptionRow<'_> {
    fn json(&self) -> Value {
        let (kunta, kunta_code, maakunta) = place(self.member);
        let (q, name) = &self.qualification;
        let (level2, field3) = match q.as_str() {
            "321501" => ("Ammatillinen perustutkinto", "Tanssi"),
            "324201" => ("Ammattitutkinto", "Audiovisuaalinen viestintä ja media"),
            _ => ("Ammatillinen perustutkinto", "Musiikki"),
        };
        // Joint application (hakutapa 01) in the spring, continuous application (03) after it.
        let hakutapa = if self.round.starts_with("Jatkuva") { "Jatkuva haku" } else { "Yhteishaku" };
        let [places, applicants, first, selected, accepted, enrolled] = self.n;
        json!({
            "koulutuksenAlkamisvuosi": self.year, "koulutuksenAlkamiskausi": self.term, "haku": self.round,
            "hakukohde": self.option, "hakutapa": hakutapa, "koulutusasteTaso1": "Ammatillinen koulutus",
            "koulutusasteTaso2": level2, "koulutusalaTaso1": "Humanistiset ja taidealat", "koulutusalaTaso2": "Taiteet",
            "koulutusalaTaso3": field3, "tutkintoHakukohde": name,
            "koulutuksenKieli": if self.lang == Lang::Sv { "ruotsi" } else { "suomi" },
            "maakuntaHakukohde": maakunta, "kuntaHakukohde": kunta, "koulutuksenJarjestaja": self.provider,
            "oppilaitos": self.school, "toimipiste": self.site, "kooditTutkintoHakukohde": q,
            "kooditKuntaHakukohde": kunta_code, "kooditKoulutuksenJarjestaja": self.ytunnus,
            "kooditOppilaitos": self.school_code, "kooditHakukohde": self.oid,
            "aloituspaikatLkm": places, "kaikkiHakijatLkm": applicants, "ensisijaisetHakijatLkm": first,
            "valitutLkm": selected, "paikanVastaanottaneetLkm": accepted, "aloittaneetLkm": enrolled,
        })
    }
}

/// Joint-application rows in the real resource's fields: per member, one application option
/// per qualification and orientation of its return, in every year from `first_year`; each
/// option in the spring joint application and, for some, in the continuous application after
/// it and in a spring start; a second school for some members. In the statistical year the
/// options of a qualification add up to the return's start places and first-choice applicants,
/// and to its applicants within a few per cent (the reconciliation then finds nothing beyond
/// the tolerance); enrolled are the return's new students. Other providers have options too.
pub fn applicant_rows(config: &Config, returns: &[(String, TemplateSpec)], rng: &mut Rng) -> Vec<Value> {
    let mut rows = Vec::new();
    let spring = |y: i32| format!("Yhteishaku ammatilliseen ja lukioon, kevät {y}");
    let continuous = |y: i32| format!("Jatkuva haku ammatilliseen koulutukseen {y}");
    for (i, (id, spec)) in returns.iter().enumerate() {
        let m = config.registry.get(id).expect("returns come from the registry");
        let school_code = format!("{:05}", 10_000 + 173 * i);
        for year in config.pipeline.first_year..=config.year {
            let Some(yt) = m.ytunnus_in(year) else { continue };
            let provider = m.periods.iter().find(|p| p.covers(year)).map(|p| p.provider_name.clone()).unwrap_or_default();
            for (k, s) in spec.students.iter().enumerate() {
                let q = s.qualification.as_string();
                let name = config.catalogue.get(s.qualification).map(|x| x.names.0.clone()).unwrap_or_else(|| "Tieto puuttuu".into());
                let orientation = s.orientation.labels().0;
                let figures: [u64; 4] = if year == config.year {
                    // Vipunen counts distinct persons per option: a few per cent off the return.
                    let off = (s.applicants as f64 * 0.05 * (rng.unit() - 0.5)).round() as i64;
                    [s.start_places, s.applicants.saturating_add_signed(off), s.first_choice, s.new_students]
                } else {
                    let places = rng.range(6, 24);
                    let applicants = places * rng.range(2, 6);
                    [places, applicants, applicants / 2, places - rng.range(0, 2)]
                };
                // The rounds and terms of this option: weights of the figures in each.
                let mut parts: Vec<(&str, String, f64)> = vec![("Syksy", spring(year), 1.0)];
                if (i + k) % 3 == 0 {
                    parts.push(("Syksy", continuous(year), 0.2));
                }
                if (i + k) % 5 == 1 {
                    parts.push(("Kevät", continuous(year), 0.1));
                }
                let weights: Vec<f64> = parts.iter().map(|p| p.2).collect();
                let split_of: Vec<Vec<u64>> = figures.iter().map(|n| split(*n, &weights)).collect();
                // A second school of the provider teaches the last option of some members.
                let second = i % 5 == 0 && k + 1 == spec.students.len() && k > 0;
                let (school, code) = if second { (format!("{} (toinen koulu)", m.name), format!("{:05}", 10_000 + 173 * i + 1)) } else { (m.name.clone(), school_code.clone()) };
                for (r, (term, round, _)) in parts.iter().enumerate() {
                    let [places, applicants, first, enrolled] = [0, 1, 2, 3].map(|f| split_of[f][r]);
                    let accepted = (enrolled + rng.range(0, 2)).min(applicants.max(enrolled));
                    let selected = (accepted + rng.range(0, 2)).min(applicants.max(accepted));
                    rows.push(
                        OptionRow {
                            year,
                            term,
                            round,
                            provider: &provider,
                            ytunnus: yt.as_str(),
                            school: &school,
                            school_code: code.clone(),
                            site: format!("{school}, {}", place(id).0),
                            member: id,
                            lang: m.lang,
                            qualification: (q.clone(), name.clone()),
                            option: format!("{name}, {orientation}"),
                            oid: format!("1.2.246.562.20.{:011}", 17_000_000 + 1_000 * i as u64 + 10 * k as u64 + (year - 2000) as u64 * 100_000),
                            n: [places, applicants, first, selected, accepted, enrolled],
                        }
                        .json(),
                    );
                }
            }
        }
    }
    for (j, (name, yt, quals)) in other_providers().into_iter().enumerate() {
        for year in config.pipeline.first_year..=config.year {
            for q in &quals {
                let qname = config.catalogue.get(*q).map(|x| x.names.0.clone()).unwrap_or_else(|| "Tieto puuttuu".into());
                let places = rng.range(8, 20);
                let applicants = places * rng.range(1, 4);
                let enrolled = places.min(applicants);
                rows.push(
                    OptionRow {
                        year,
                        term: "Syksy",
                        round: &spring(year),
                        provider: &name,
                        ytunnus: &yt,
                        school: &name,
                        school_code: format!("{:05}", 30_000 + 7 * j),
                        site: name.clone(),
                        member: "",
                        lang: Lang::Fi,
                        qualification: (q.as_string(), qname.clone()),
                        option: qname,
                        oid: format!("1.2.246.562.20.{:011}", 27_000_000 + 1_000 * j as u64 + (year - 2000) as u64 * 100_000),
                        n: [places, applicants, applicants / 2, enrolled, enrolled, enrolled],
                    }
                    .json(),
                );
            }
        }
    }
    rows
}
