//! The survey reader on workbooks built here, in `.xlsx` and `.ods`, in Finnish, Swedish and
//! English: every real-world form on the contract's list, with the exact numbers read and the
//! exact findings (rule and cell).

use kooste::domain::{Lang, Orientation, QualificationCode};
use kooste::survey::{ReadContext, ReadOutcome, Severity, read_return_bytes};
use kooste::{Config, Overrides};

use crate::books::{Format2, Sheet, V, build, n, s, texts, zip_entry, zip_names};
use crate::util::repo;

const FORMATS: [Format2; 2] = [Format2::Xlsx, Format2::Ods];

fn config() -> Config {
    Config::load(&repo().join("pipelines/annual.toml"), Overrides::default()).unwrap()
}

fn read_with(c: &Config, bytes: &[u8]) -> ReadOutcome {
    let ctx = ReadContext {
        registry: &c.registry,
        catalogue: &c.catalogue,
        year: 2025,
        qualifications: &c.pipeline.publish_qualifications,
    };
    read_return_bytes("test.xlsx", bytes, &ctx)
}

fn read(bytes: &[u8]) -> ReadOutcome {
    read_with(&config(), bytes)
}

/// `(rule, sheet, cell)` of every finding.
fn found(o: &ReadOutcome) -> Vec<(&'static str, String, String)> {
    o.findings
        .iter()
        .map(|f| (f.rule.code(), f.sheet.clone().unwrap_or_default(), f.cell.clone().unwrap_or_default()))
        .collect()
}

fn at(rule: &'static str, sheet: &str, cell: &str) -> (&'static str, String, String) {
    (rule, sheet.to_owned(), cell.to_owned())
}

/// The contract's texts per language, written out here independently of kooste's own
/// contract module: sheet names, detail keys, placement and students headers.
struct Words {
    sheets: [&'static str; 3],
    keys: [&'static str; 5],
    placement: [&'static str; 12],
    students: [&'static str; 7],
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Fi => Words {
            sheets: ["Tiedot", "Sijoittuminen", "Opiskelijat"],
            keys: ["Oppilaitos", "Y-tunnus", "Tilastovuosi", "Lomakeversio", "Yhteyshenkilö"],
            placement: [
                "Tutkinto", "Suuntautuminen", "Valmistumisvuosi", "Valmistuneet", "Jatko-opinnot: yliopisto",
                "Jatko-opinnot: ammattikorkeakoulu", "Jatko-opinnot: muu", "Työ alalla", "Työ alan ulkopuolella",
                "Työtön", "Muu", "Ei tietoa",
            ],
            students: ["Tutkinto", "Suuntautuminen", "Aloituspaikat", "Hakijat", "Ensisijaiset hakijat", "Aloittaneet", "Opiskelijat 20.9."],
        },
        Lang::Sv => Words {
            sheets: ["Uppgifter", "Placering", "Studerande"],
            keys: ["Läroanstalt", "FO-nummer", "Statistikår", "Blankettversion", "Kontaktperson"],
            placement: [
                "Examen", "Inriktning", "Examensår", "Utexaminerade", "Fortsatta studier: universitet",
                "Fortsatta studier: yrkeshögskola", "Fortsatta studier: annat", "Arbete inom branschen",
                "Arbete utanför branschen", "Arbetslös", "Annat", "Uppgift saknas",
            ],
            students: ["Examen", "Inriktning", "Nybörjarplatser", "Sökande", "Sökande i första hand", "Nya studerande", "Studerande 20.9."],
        },
        Lang::En => Words {
            sheets: ["Details", "Placement", "Students"],
            keys: ["School", "Business ID", "Statistical year", "Template version", "Contact person"],
            placement: [
                "Qualification", "Orientation", "Graduation year", "Graduates", "Further studies: university",
                "Further studies: university of applied sciences", "Further studies: other", "Employed in the field",
                "Employed outside the field", "Unemployed", "Other", "Unknown",
            ],
            students: ["Qualification", "Orientation", "Start places", "Applicants", "First-choice applicants", "New students", "Students on 20 Sep"],
        },
    }
}

/// Orientation and qualification names per language (the vocabulary, independently).
fn classical(lang: Lang) -> &'static str {
    lang.pick(&("klassinen musiikki", "klassisk musik", "classical music"))
}
fn dance(lang: Lang) -> &'static str {
    lang.pick(&("tanssi", "dans", "dance"))
}
fn dance_qualification(lang: Lang) -> &'static str {
    lang.pick(&("Tanssialan perustutkinto", "Grundexamen i dans", "Vocational qualification in Dance"))
}

fn details(lang: Lang, school: &str, ytunnus: &str, year: V) -> Sheet {
    let w = words(lang);
    (
        w.sheets[0].to_owned(),
        vec![
            vec![s(w.keys[0]), s(school)],
            vec![s(w.keys[1]), s(ytunnus)],
            vec![s(w.keys[2]), year],
            vec![s(w.keys[3]), n(1.0)],
            vec![s(w.keys[4]), s("Maija Meikäläinen")],
        ],
    )
}

fn oulu(lang: Lang) -> Sheet {
    details(lang, "Oulun konservatorio", "0187690-1", n(2025.0))
}

fn placement(lang: Lang, rows: Vec<Vec<V>>) -> Sheet {
    let w = words(lang);
    let mut all = vec![texts(&w.placement)];
    all.extend(rows);
    (w.sheets[1].to_owned(), all)
}

fn students(lang: Lang) -> Sheet {
    let w = words(lang);
    (
        w.sheets[2].to_owned(),
        vec![texts(&w.students), vec![n(321204.0), s(classical(lang)), n(12.0), n(40.0), n(20.0), n(12.0), n(38.0)]],
    )
}

/// A placement row: qualification, orientation, graduation year, graduates, eight statuses.
fn prow(q: V, o: &str, gy: V, g: V, statuses: [V; 8]) -> Vec<V> {
    let mut v = vec![q, s(o), gy, g];
    v.extend(statuses);
    v
}

fn nums(v: [f64; 8]) -> [V; 8] {
    v.map(n)
}

#[test]
fn a_clean_return_reads_exactly_in_every_language_and_format() {
    for format in FORMATS {
        for lang in Lang::ALL {
            let book = build(
                format,
                &[
                    oulu(lang),
                    placement(
                        lang,
                        vec![
                            prow(n(321204.0), classical(lang), n(2024.0), n(10.0), nums([1., 2., 1., 3., 1., 0., 1., 1.])),
                            prow(s(dance_qualification(lang)), dance(lang), n(2025.0), n(5.0), [n(0.), n(1.), V::E, n(4.), V::E, V::E, V::E, V::E]),
                        ],
                    ),
                    students(lang),
                ],
            );
            let o = read(&book);
            assert_eq!(found(&o), vec![], "{format:?} {lang:?}: {:#?}", o.findings);
            assert!(o.accepted());
            let r = o.survey.unwrap();
            assert_eq!(r.member_id, "oulu");
            assert_eq!(r.placement.len(), 2);
            assert_eq!(r.placement[0].statuses, [1, 2, 1, 3, 1, 0, 1, 1]);
            assert_eq!(r.placement[0].graduation_year, 2024);
            assert_eq!(r.placement[1].qualification, QualificationCode::DANCE);
            assert_eq!(r.placement[1].orientation, Orientation::Tanssi);
            assert_eq!(r.placement[1].statuses, [0, 1, 0, 4, 0, 0, 0, 0], "empty cells in a row with values are 0");
            assert_eq!((r.students[0].applicants, r.students[0].students), (40, 38));
        }
    }
}

/// The messy return of the contract's list: title rows, a blank row under the header, headers
/// in another order with extra spaces and line breaks, numbers as text, a date where a year
/// belongs, a formula's cached value, an extra column, an extra sheet, sheets renamed and in
/// another order, and a correct totals row.
fn messy(lang: Lang) -> Vec<Sheet> {
    let w = words(lang);
    let p = &w.placement;
    let header = vec![
        s(p[2]), s(&format!(" {} ", p[0])), s(p[1]), s(&format!("{}\n", p[3])), s(p[4]), s(p[5]), s(p[6]),
        s(&p[7].replace(' ', "\n")), s(p[8]), s(p[9]), s(p[10]), s(&p[11].to_uppercase()), s("Lisätietoja"),
    ];
    let place = (
        format!("{} 2025", w.sheets[1]),
        vec![
            vec![s("Sijoittuminen / Placering / Placement 2025")],
            vec![],
            header,
            vec![],
            vec![n(2024.0), n(321204.0), s(classical(lang)), n(8.0), n(1.0), n(1.0), n(1.0), n(2.0), n(1.0), n(1.0), n(0.0), n(1.0), s("ok")],
            vec![
                V::D(2024, 12, 31), s(dance_qualification(lang)), s(dance(lang)), s("1 2"), s("2"), s("2\u{a0}"), n(2.0),
                V::F("=1+1", 2.0), n(2.0), n(0.0), V::E, s("2,0"), V::E,
            ],
            vec![s(lang.pick(&("Yhteensä", "Totalt", "Total"))), V::E, V::E, n(20.0), n(3.0), n(3.0), n(3.0), n(4.0), n(3.0), n(1.0), n(0.0), n(3.0)],
        ],
    );
    let mut det = oulu(lang);
    det.0 = format!("{} ", det.0.to_uppercase());
    let notes = ("Muistiinpanot".to_owned(), vec![vec![s("Tämä välilehti ei kuulu lomakkeeseen")]]);
    vec![students(lang), notes, place, det]
}

#[test]
fn a_messy_return_reads_exactly_in_every_language_and_format() {
    for format in FORMATS {
        for lang in Lang::ALL {
            let o = read(&build(format, &messy(lang)));
            let sheet = format!("{} 2025", words(lang).sheets[1]);
            assert_eq!(
                found(&o),
                vec![at("unknown_header", &sheet, "M3"), at("date_as_year", &sheet, "A6")],
                "{format:?} {lang:?}: {:#?}",
                o.findings
            );
            assert!(o.findings.iter().all(|f| f.severity == Severity::Warning));
            assert!(o.accepted(), "warnings do not quarantine");
            let r = o.survey.unwrap();
            assert_eq!(r.placement.len(), 2);
            assert_eq!(r.placement[0].statuses, [1, 1, 1, 2, 1, 1, 0, 1]);
            let dance = &r.placement[1];
            assert_eq!((dance.graduation_year, dance.graduates), (2024, 12), "'1 2' is twelve; the date's year is taken");
            assert_eq!(dance.statuses, [2, 2, 2, 2, 2, 0, 0, 2], "text numbers, a formula's cached value, '2,0'");
        }
    }
}

#[test]
fn a_totals_row_that_does_not_add_up_is_named() {
    for format in FORMATS {
        let o = read(&build(
            format,
            &[
                oulu(Lang::Fi),
                placement(
                    Lang::Fi,
                    vec![
                        prow(n(321204.0), "klassinen musiikki", n(2024.0), n(2.0), nums([1., 1., 0., 0., 0., 0., 0., 0.])),
                        prow(s("Yhteensä"), "", V::E, n(3.0), nums([1., 1., 0., 0., 0., 0., 0., 0.])),
                    ],
                ),
                students(Lang::Fi),
            ],
        ));
        assert_eq!(found(&o), vec![at("totals_row_mismatch", "Sijoittuminen", "D3")], "{format:?}");
        assert_eq!((o.findings[0].value.as_deref(), o.findings[0].expected.as_deref()), (Some("3"), Some("2")));
    }
}

#[test]
fn a_header_over_two_merged_rows() {
    for format in FORMATS {
        let place = (
            "Sijoittuminen".to_owned(),
            vec![
                texts(&["Tutkinto", "Suuntautuminen", "Valmistumisvuosi", "Valmistuneet", "Jatko-opinnot", "", "", "Työ alalla", "Työ alan ulkopuolella", "Työtön", "Muu", "Ei tietoa"]),
                texts(&["", "", "", "", "yliopisto", "amk", "muu", "", "", "", "", ""]),
                prow(n(321204.0), "rytmimusiikki", n(2024.0), n(9.0), nums([1., 2., 3., 0., 0., 0., 1., 2.])),
            ],
        );
        let o = read(&build(format, &[oulu(Lang::Fi), place, students(Lang::Fi)]));
        assert_eq!(found(&o), vec![], "{format:?}: {:#?}", o.findings);
        let row = &o.survey.unwrap().placement[0];
        assert_eq!(row.orientation, Orientation::Rytmi);
        assert_eq!(row.statuses, [1, 2, 3, 0, 0, 0, 1, 2], "'muu' under the band is other studies, 'Muu' alone is other");
    }
}

#[test]
fn bad_cells_are_named_one_by_one_and_the_rest_still_read() {
    for format in FORMATS {
        let ones = [n(1.), V::E, V::E, V::E, V::E, V::E, V::E, V::E];
        let o = read(&build(
            format,
            &[
                oulu(Lang::Fi),
                placement(
                    Lang::Fi,
                    vec![
                        prow(n(321204.0), "klassinen musiikki", n(2024.0), n(10.0), [s("12,5"), n(2.), n(1.), n(3.), n(1.), n(0.), n(1.), s("..")]),
                        prow(n(321204.0), "jazz", n(2024.0), n(1.0), ones.clone()),
                        prow(n(321501.0), "klassinen musiikki", n(2024.0), n(1.0), ones.clone()),
                        prow(n(321204.0), "kansanmusiikki", n(2015.0), n(1.0), ones.clone()),
                        prow(n(321204.0), "kirkkomusiikki", s("31.12.2024"), n(1.0), ones.clone()),
                        prow(n(999999.0), "kirkkomusiikki", n(2024.0), n(1.0), ones.clone()),
                        prow(n(321204.0), "musiikkiteatteri", n(2024.0), V::X("=1/0", "#DIV/0!"), ones.clone()),
                        prow(n(321204.0), "pianonviritys", n(2024.0), n(-2.0), ones.clone()),
                    ],
                ),
                students(Lang::Fi),
            ],
        ));
        let sh = "Sijoittuminen";
        assert_eq!(
            found(&o),
            vec![
                at("bad_count", sh, "E2"),
                at("missing_value", sh, "L2"),
                at("unknown_orientation", sh, "B3"),
                at("pair_not_allowed", sh, "B4"),
                at("year_out_of_range", sh, "C5"),
                at("date_as_year", sh, "C6"),
                at("unknown_qualification", sh, "A7"),
                at("error_cell", sh, "D8"),
                at("bad_count", sh, "D9"),
            ],
            "{format:?}"
        );
        assert!(!o.accepted());
        assert_eq!(o.findings[7].value.as_deref(), Some("#DIV/0!"));
        let r = o.survey.unwrap();
        assert_eq!(r.placement.len(), 1, "only the row with a date as its year is usable");
        assert_eq!(r.placement[0].graduation_year, 2024);
    }
}

#[test]
fn a_personal_identity_code_rejects_the_return_and_is_never_echoed() {
    for format in FORMATS {
        let mut det = oulu(Lang::Fi);
        det.1.push(vec![s("Huom"), s("oppilas 131052-308T siirtyi")]);
        let book = build(format, &[det, placement(Lang::Fi, vec![prow(n(321204.0), "rytmimusiikki", n(2024.0), n(1.0), nums([1., 0., 0., 0., 0., 0., 0., 0.]))]), students(Lang::Fi)]);
        let o = read(&book);
        assert_eq!(found(&o), vec![at("hetu_present", "Tiedot", "B6")], "{format:?}");
        assert!(!o.accepted());
        let json = serde_json::to_string(&o.findings).unwrap();
        assert!(!json.contains("131052"), "{json}");
        assert!(!json.contains("Maija"), "contact names never leave raw/");
    }
}

#[test]
fn a_personal_identity_code_in_a_count_cell_is_not_echoed_by_any_rule() {
    let book = build(
        Format2::Xlsx,
        &[oulu(Lang::Fi), placement(Lang::Fi, vec![prow(n(321204.0), "131052-308T", n(2024.0), s("131052-308T"), nums([1., 0., 0., 0., 0., 0., 0., 0.]))]), students(Lang::Fi)],
    );
    let o = read(&book);
    let rules: Vec<&str> = o.findings.iter().map(|f| f.rule.code()).collect();
    assert!(rules.contains(&"hetu_present") && rules.contains(&"bad_count") && rules.contains(&"unknown_orientation"), "{rules:?}");
    let json = serde_json::to_string(&o.findings).unwrap();
    assert!(!json.contains("131052"), "{json}");
    assert!(json.contains("(removed: personal data)"));
}

#[test]
fn member_identification_findings() {
    let rows = || placement(Lang::Fi, vec![prow(n(321204.0), "rytmimusiikki", n(2024.0), n(1.0), nums([1., 0., 0., 0., 0., 0., 0., 0.]))]);
    let check = |det: Sheet, expected: Vec<(&'static str, String, String)>| {
        let o = read(&build(Format2::Xlsx, &[det, rows(), students(Lang::Fi)]));
        assert_eq!(found(&o), expected);
        o
    };
    let o = check(details(Lang::Fi, "Oulun konservatorio", "0187690-2", n(2025.)), vec![at("bad_ytunnus", "Tiedot", "B2")]);
    assert!(o.survey.is_none());
    // In one language: the expected id, not an English explanation.
    assert_eq!(o.findings[0].message(Lang::Fi), "Y-tunnus '0187690-2' ei ole kelvollinen: odotettiin muotoa 0187690-1.");
    assert_eq!(o.findings[0].message(Lang::Sv), "FO-numret '0187690-2' är inte giltigt: formen 0187690-1 väntades.");
    check(details(Lang::Fi, "Oulun konservatorio", "1234567-1", n(2025.)), vec![at("unknown_member", "Tiedot", "B2")]);
    check(details(Lang::Fi, "Oulun konservatorio", "0187690-1", n(2024.)), vec![at("wrong_year", "Tiedot", "B3")]);
    let o = check(details(Lang::Fi, "Oulun musiikkiopisto", "0187690-1", n(2025.)), vec![at("name_mismatch", "Tiedot", "B1")]);
    assert!(o.accepted(), "a name that differs is a warning: the Y-tunnus identifies the member");
    // The registry's provider name is an accepted alias; a Y-tunnus typed without its
    // leading zero (a spreadsheet number format ate it) is still the member's.
    check(details(Lang::Fi, "Oulun kaupunki", "187690-1", n(2025.)), vec![]);
    // Turku: the old provider id is not Turku's in 2025.
    check(details(Lang::Fi, "Turun konservatorio", "0204843-8", n(2025.)), vec![at("unknown_member", "Tiedot", "B2")]);
    check(details(Lang::Fi, "Turun konservatorio", "2962876-6", n(2025.)), vec![]);
}

#[test]
fn unreadable_files_are_findings_not_crashes() {
    let good = build(Format2::Xlsx, &[oulu(Lang::Fi), placement(Lang::Fi, vec![]), students(Lang::Fi)]);
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0u8; 600]);
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    encrypted.extend(vec![0u8; 600]);
    for (bytes, says) in [
        (b"this is not a workbook".to_vec(), ""),
        (vec![], ""),
        (good[..good.len() / 2].to_vec(), ""),
        (encrypted, "password"),
    ] {
        let o = read(&bytes);
        assert_eq!(found(&o).iter().map(|f| f.0).collect::<Vec<_>>(), ["unreadable_file"]);
        assert!(o.findings[0].value.as_deref().unwrap_or("").contains(says), "{:?}", o.findings[0].value);
        assert!(!o.accepted());
    }
    let o = read(&build(Format2::Ods, &[("Muistiinpanot".into(), vec![vec![s("ei mitään")]])]));
    assert_eq!(found(&o).iter().map(|f| f.0).collect::<Vec<_>>(), ["missing_sheet", "missing_sheet", "missing_sheet"]);
}

#[test]
fn duplicate_rows_an_unknown_column_and_an_empty_table() {
    let one = || nums([1., 0., 0., 0., 0., 0., 0., 0.]);
    let mut place = placement(
        Lang::Fi,
        vec![
            prow(n(321204.0), "klassinen musiikki", n(2024.0), n(1.0), one()),
            prow(s("Musiikkialan perustutkinto"), "Klassinen musiikki", n(2024.0), n(1.0), one()),
        ],
    );
    place.1[0].push(s("Huomautuksia"));
    let o = read(&build(Format2::Xlsx, &[oulu(Lang::Fi), place, students(Lang::Fi)]));
    assert_eq!(found(&o), vec![at("unknown_header", "Sijoittuminen", "M1"), at("duplicate_row", "Sijoittuminen", "3")]);
    assert_eq!(o.findings[0].severity, Severity::Warning);
    let o = read(&build(Format2::Ods, &[oulu(Lang::Fi), placement(Lang::Fi, vec![]), students(Lang::Fi)]));
    assert_eq!(found(&o), vec![at("no_rows", "Sijoittuminen", "2")]);
    assert!(o.accepted(), "an empty table is a warning");
}

#[test]
fn a_filled_template_reads_back_with_no_findings() {
    use kooste::survey::template;
    let config = config();
    let spec = template::template_for(&config, 2025, Some("yrkesakademin"), None).unwrap();
    assert_eq!(spec.lang, Lang::Sv, "Yrkesakademin gets Swedish");
    assert_eq!(spec.ytunnus.as_deref(), Some("0988182-8"));
    assert!(!spec.hints.is_empty(), "last year's Vipunen graduates as a hint");
    let blank = template::write(&spec).unwrap();
    let o = read(&blank);
    assert_eq!(found(&o), vec![at("no_rows", "Placering", "2"), at("no_rows", "Studerande", "2")]);

    // What the workbook offers the school: lists, whole numbers, input messages.
    let names = zip_names(&blank);
    assert!(names.iter().any(|n| n == "xl/worksheets/sheet4.xml"), "the lists sheet");
    let place = zip_entry(&blank, "xl/worksheets/sheet2.xml");
    assert!(place.contains(r#"type="list""#) && place.contains("Listor"), "drop-downs point at the lists sheet");
    assert!(place.contains(r#"type="whole""#) && place.contains(r#"operator="greaterThanOrEqual""#), "counts are whole numbers ≥ 0");
    assert!(place.contains("<formula1>2020</formula1><formula2>2025</formula2>"), "graduation years 2020–2025");
    assert!(place.contains("promptTitle") || place.contains("prompt="), "input messages");
    let workbook = zip_entry(&blank, "xl/workbook.xml");
    assert!(workbook.contains(r#"state="hidden""#), "the lists sheet is hidden");

    // Filled in (as a school would, with values from the lists), it reads back exactly.
    let mut filled = spec.clone();
    filled.placement = vec![kooste::survey::PlacementRow {
        row: 0,
        qualification: QualificationCode::MUSIC,
        orientation: Orientation::Kansan,
        graduation_year: 2024,
        graduates: 7,
        statuses: [1, 1, 1, 1, 1, 1, 0, 1],
    }];
    filled.students = vec![kooste::survey::StudentRow {
        row: 0,
        qualification: QualificationCode::DANCE,
        orientation: Orientation::Tanssi,
        start_places: 8,
        applicants: 30,
        first_choice: 12,
        new_students: 8,
        students: 25,
    }];
    filled.contact = Some("Anna Andersson".into());
    let o = read(&template::write(&filled).unwrap());
    assert_eq!(found(&o), vec![]);
    let r = o.survey.unwrap();
    assert_eq!(r.member_id, "yrkesakademin");
    assert_eq!(r.placement[0].row, 2);
    assert_eq!((r.placement[0].orientation, r.placement[0].statuses), (Orientation::Kansan, [1, 1, 1, 1, 1, 1, 0, 1]));
    assert_eq!((r.students[0].qualification, r.students[0].students), (QualificationCode::DANCE, 25));
}

#[test]
fn the_feedback_workbook_marks_the_cells_in_the_schools_language() {
    use calamine::{Data, Reader, open_workbook_auto_from_rs};
    let config = config();
    let mut det = details(Lang::Sv, "Yrkesakademin i Österbotten", "0988182-8", n(2025.));
    det.1.push(vec![s("Obs"), s("elev 131052-308T")]);
    let book = build(
        Format2::Xlsx,
        &[det, placement(Lang::Sv, vec![prow(n(321204.0), "klassisk musik", n(2024.0), n(5.0), nums([1., 1., 1., 1., 0., 0., 0., 0.]))]), students(Lang::Sv)],
    );
    let o = read_with(&config, &book);
    assert_eq!(found(&o), vec![at("hetu_present", "Uppgifter", "B6"), at("sum_mismatch", "Placering", "E2:L2 / D2")]);
    let fb = kooste::survey::feedback::write(&book, &o, Some("Yrkesakademin i Österbotten"), 2025, Lang::Sv).unwrap();
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(fb.clone())).unwrap();
    assert_eq!(wb.sheet_names(), ["Respons", "Uppgifter", "Placering", "Studerande"]);
    let summary = wb.worksheet_range("Respons").unwrap();
    let text: Vec<String> = summary.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(text.iter().any(|t| t.starts_with("Inte godkänt")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("Summan av placeringskolumnerna är '4'")), "{text:?}");
    let details = wb.worksheet_range("Uppgifter").unwrap();
    assert_eq!(details.get_value((5, 1)), Some(&Data::String("[borttaget]".into())), "the hetu is not copied");
    assert_eq!(details.get_value((4, 1)), Some(&Data::String("[borttaget]".into())), "nor the contact person");
    let place = wb.worksheet_range("Placering").unwrap();
    assert_eq!(place.get_value((1, 3)), Some(&Data::Float(5.0)), "the school's own figures");
    let everything = zip_names(&fb).iter().filter(|n| n.ends_with(".xml")).map(|n| zip_entry(&fb, n)).collect::<String>();
    assert!(!everything.contains("131052") && !everything.contains("Maija"), "no personal data anywhere in the package");
    let notes = zip_names(&fb).into_iter().filter(|n| n.starts_with("xl/comments")).map(|n| zip_entry(&fb, &n)).collect::<String>();
    assert!(notes.contains("fel (sum_mismatch): Summan av placeringskolumnerna"), "the note on the cells: {notes}");
}

/// Property: whatever bytes arrive, the reader returns findings and never panics; a count cell
/// replaced by any non-numeric text is reported at exactly that cell.
#[test]
fn random_and_mutated_workbooks_never_panic() {
    let config = config();
    let mut rng = kooste::sample::Rng::new(42);
    let good = build(
        Format2::Xlsx,
        &[oulu(Lang::Fi), placement(Lang::Fi, vec![prow(n(321204.0), "rytmimusiikki", n(2024.0), n(8.0), nums([1., 1., 1., 1., 1., 1., 1., 1.]))]), students(Lang::Fi)],
    );
    for i in 0..200 {
        let len = rng.range(0, 4096) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let o = read_with(&config, &bytes);
        assert!(!o.findings.is_empty() && !o.accepted(), "random bytes #{i}");
        // Flip a few bytes of a real workbook: any outcome but a panic.
        let mut mutated = good.clone();
        for _ in 0..rng.range(1, 8) {
            let at = rng.range(0, mutated.len() as u64 - 1) as usize;
            mutated[at] = rng.next_u64() as u8;
        }
        let _ = read_with(&config, &mutated);
        if i % 2 == 0 {
            mutated.truncate(rng.range(0, mutated.len() as u64) as usize);
            let _ = read_with(&config, &mutated);
        }
    }
    const LETTERS: &[u8] = b"abcxyz !?*#%&-_.,;:'\"/\\()[]{}";
    for i in 0..200 {
        let col = rng.range(3, 11) as usize;
        let len = rng.range(1, 12) as usize;
        let mut junk: String = (0..len).map(|_| LETTERS[rng.range(0, LETTERS.len() as u64 - 1) as usize] as char).collect();
        if junk.trim().is_empty() || junk.trim().trim_end_matches(['.', ',']).is_empty() {
            junk = format!("x{junk}");
        }
        let mut row = prow(n(321204.0), "rytmimusiikki", n(2024.0), n(8.0), nums([1., 1., 1., 1., 1., 1., 1., 1.]));
        row[col] = s(&junk);
        let format = if i % 2 == 0 { Format2::Xlsx } else { Format2::Ods };
        let o = read_with(&config, &build(format, &[oulu(Lang::Fi), placement(Lang::Fi, vec![row]), students(Lang::Fi)]));
        let cell = format!("{}2", (b'A' + col as u8) as char);
        assert!(
            o.findings.iter().any(|f| f.is_error() && f.cell.as_deref() == Some(cell.as_str())),
            "{junk:?} in {cell}: {:?}",
            found(&o)
        );
    }
}
