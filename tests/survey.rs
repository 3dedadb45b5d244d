//! The survey reader on workbooks built here: the real-world forms a return arrives in, with
//! the exact numbers read and the exact findings (rule and cell).

use kooste::domain::{Orientation, QualificationCode};
use kooste::survey::{ReadContext, ReadOutcome, Rule, read_return_bytes};
use kooste::{Config, Overrides};
use rust_xlsxwriter::Workbook;

use crate::util::repo;

/// A cell to write.
#[derive(Clone, Copy)]
enum V<'a> {
    S(&'a str),
    N(f64),
    E,
}
use V::{E, N, S};

/// Builds a workbook from sheets of rows, starting at A1.
fn book(sheets: &[(&str, Vec<Vec<V>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                match v {
                    S(s) => {
                        ws.write_string(r as u32, c as u16, *s).unwrap();
                    }
                    N(n) => {
                        ws.write_number(r as u32, c as u16, *n).unwrap();
                    }
                    E => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn config() -> Config {
    Config::load(&repo().join("pipelines/annual.toml"), Overrides::default()).unwrap()
}

fn read(bytes: &[u8]) -> ReadOutcome {
    let c = config();
    let ctx = ReadContext {
        registry: &c.registry,
        catalogue: &c.catalogue,
        year: 2025,
        qualifications: &c.pipeline.publish_qualifications,
    };
    read_return_bytes("test.xlsx", bytes, &ctx)
}

/// `(rule, sheet, cell)` of every finding.
fn found(o: &ReadOutcome) -> Vec<(&'static str, String, String)> {
    o.findings
        .iter()
        .map(|f| (f.rule.code(), f.sheet.clone().unwrap_or_default(), f.cell.clone().unwrap_or_default()))
        .collect()
}

fn details_fi(ytunnus: &str) -> (&'static str, Vec<Vec<V<'static>>>) {
    let y: &'static str = Box::leak(ytunnus.to_owned().into_boxed_str());
    (
        "Tiedot",
        vec![
            vec![S("Oppilaitos"), S("Oulun konservatorio")],
            vec![S("Y-tunnus"), S(y)],
            vec![S("Tilastovuosi"), N(2025.0)],
            vec![S("Lomakeversio"), N(1.0)],
            vec![S("Yhteyshenkilö"), S("Maija Meikäläinen")],
        ],
    )
}

fn students_fi() -> (&'static str, Vec<Vec<V<'static>>>) {
    (
        "Opiskelijat",
        vec![
            vec![S("Tutkinto"), S("Suuntautuminen"), S("Aloituspaikat"), S("Hakijat"), S("Ensisijaiset hakijat"), S("Aloittaneet"), S("Opiskelijat 20.9.")],
            vec![N(321204.0), S("klassinen musiikki"), N(12.0), N(40.0), N(20.0), N(12.0), N(38.0)],
        ],
    )
}

const PLACEMENT_FI: [&str; 12] = [
    "Tutkinto",
    "Suuntautuminen",
    "Valmistumisvuosi",
    "Valmistuneet",
    "Jatko-opinnot: yliopisto",
    "Jatko-opinnot: ammattikorkeakoulu",
    "Jatko-opinnot: muu",
    "Työ alalla",
    "Työ alan ulkopuolella",
    "Työtön",
    "Muu",
    "Ei tietoa",
];

fn placement_fi(rows: Vec<Vec<V<'static>>>) -> (&'static str, Vec<Vec<V<'static>>>) {
    let mut all = vec![PLACEMENT_FI.iter().map(|h| S(h)).collect()];
    all.extend(rows);
    ("Sijoittuminen", all)
}

#[test]
fn a_clean_return_reads_exactly() {
    let o = read(&book(&[
        details_fi("0187690-1"),
        placement_fi(vec![
            vec![N(321204.0), S("klassinen musiikki"), N(2024.0), N(10.0), N(1.0), N(2.0), N(1.0), N(3.0), N(1.0), N(0.0), N(1.0), N(1.0)],
            vec![S("Tanssialan perustutkinto"), S("tanssi"), N(2025.0), N(5.0), N(0.0), N(1.0), E, N(4.0), E, E, E, E],
        ]),
        students_fi(),
    ]));
    assert_eq!(found(&o), vec![], "{:#?}", o.findings);
    assert!(o.accepted());
    let s = o.survey.unwrap();
    assert_eq!(s.member_id, "oulu");
    assert_eq!(s.placement.len(), 2);
    assert_eq!(s.placement[0].statuses, [1, 2, 1, 3, 1, 0, 1, 1]);
    assert_eq!(s.placement[0].graduation_year, 2024);
    assert_eq!(s.placement[1].qualification, QualificationCode::DANCE);
    assert_eq!(s.placement[1].statuses, [0, 1, 0, 4, 0, 0, 0, 0], "empty cells in a row with values are 0");
    assert_eq!(s.students[0].applicants, 40);
    assert_eq!(s.students[0].students, 38);
}

#[test]
fn swedish_headers_title_rows_any_order_blank_row_and_a_totals_row() {
    let details = (
        "Uppgifter",
        vec![
            vec![S("Läroanstalt"), S("Yrkesakademin i Österbotten")],
            vec![S("FO-nummer"), S("0988182-8")],
            vec![S("Statistikår"), S("2025")],
        ],
    );
    let placement = (
        "Placering 2025",
        vec![
            vec![S("Placering av utexaminerade")],
            vec![],
            vec![
                S("Examensår"), S("Examen"), S("Inriktning"), S(" Utexaminerade "),
                S("Fortsatta studier: universitet"), S("Fortsatta studier: yrkeshögskola"), S("Fortsatta studier: annat"),
                S("Arbete inom\nbranschen"), S("Arbete utanför branschen"), S("Arbetslös"), S("Annat"), S("Uppgift saknas"),
            ],
            vec![],
            vec![N(2024.0), S("Grundexamen i musik"), S("klassisk musik"), N(8.0), N(1.0), N(1.0), N(1.0), N(2.0), N(1.0), N(1.0), N(0.0), N(1.0)],
            vec![N(2024.0), S("Grundexamen i dans"), S("dans"), S("1 2"), N(2.0), N(2.0), N(2.0), N(2.0), N(2.0), N(0.0), N(0.0), S("2,0")],
            vec![S("Totalt"), E, E, N(20.0), N(3.0), N(3.0), N(3.0), N(4.0), N(3.0), N(1.0), N(0.0), N(3.0)],
        ],
    );
    let students = (
        "Studerande",
        vec![
            vec![S("Examen"), S("Inriktning"), S("Nybörjarplatser"), S("Sökande"), S("Sökande i första hand"), S("Nya studerande"), S("Studerande 20.9.")],
            vec![S("321204"), S("Klassisk musik"), N(10.0), S("1\u{a0}234"), N(500.0), N(10.0), N(30.0)],
        ],
    );
    let o = read(&book(&[students, details, placement]));
    assert_eq!(found(&o), vec![], "{:#?}", o.findings);
    let s = o.survey.unwrap();
    assert_eq!(s.member_id, "yrkesakademin");
    assert_eq!(s.placement[1].graduates, 12, "'1 2' as text with a space");
    assert_eq!(s.placement[1].statuses[7], 2, "'2,0' as text with a decimal comma");
    assert_eq!(s.students[0].applicants, 1234, "no-break space as thousands separator");
}

#[test]
fn a_totals_row_that_does_not_add_up_is_named() {
    let o = read(&book(&[
        details_fi("0187690-1"),
        placement_fi(vec![
            vec![N(321204.0), S("klassinen musiikki"), N(2024.0), N(2.0), N(1.0), N(1.0), N(0.0), N(0.0), N(0.0), N(0.0), N(0.0), N(0.0)],
            vec![S("Yhteensä"), E, E, N(3.0), N(1.0), N(1.0), N(0.0), N(0.0), N(0.0), N(0.0), N(0.0), N(0.0)],
        ]),
        students_fi(),
    ]));
    assert_eq!(found(&o), vec![("totals_row_mismatch", "Sijoittuminen".into(), "D3".into())]);
    assert_eq!(o.findings[0].value.as_deref(), Some("3"));
    assert_eq!(o.findings[0].expected.as_deref(), Some("2"));
}

#[test]
fn a_header_over_two_merged_rows() {
    let placement = (
        "Sijoittuminen",
        vec![
            vec![S("Tutkinto"), S("Suuntautuminen"), S("Valmistumisvuosi"), S("Valmistuneet"), S("Jatko-opinnot"), E, E, S("Työ alalla"), S("Työ alan ulkopuolella"), S("Työtön"), S("Muu"), S("Ei tietoa")],
            vec![E, E, E, E, S("yliopisto"), S("amk"), S("muu"), E, E, E, E, E],
            vec![N(321204.0), S("rytmimusiikki"), N(2024.0), N(9.0), N(1.0), N(2.0), N(3.0), N(0.0), N(0.0), N(0.0), N(1.0), N(2.0)],
        ],
    );
    let o = read(&book(&[details_fi("0187690-1"), placement, students_fi()]));
    assert_eq!(found(&o), vec![], "{:#?}", o.findings);
    let row = &o.survey.unwrap().placement[0];
    assert_eq!(row.orientation, Orientation::Rytmi);
    assert_eq!(row.statuses, [1, 2, 3, 0, 0, 0, 1, 2], "'muu' under the band is other studies, 'Muu' alone is other");
}

#[test]
fn bad_cells_are_named_one_by_one_and_the_rest_still_read() {
    let o = read(&book(&[
        details_fi("0187690-1"),
        placement_fi(vec![
            vec![N(321204.0), S("klassinen musiikki"), N(2024.0), N(10.0), S("12,5"), N(2.0), N(1.0), N(3.0), N(1.0), N(0.0), N(1.0), S("..")],
            vec![N(321204.0), S("jazz"), N(2024.0), N(1.0), N(1.0), E, E, E, E, E, E, E],
            vec![N(321501.0), S("klassinen musiikki"), N(2024.0), N(1.0), N(1.0), E, E, E, E, E, E, E],
            vec![N(321204.0), S("kansanmusiikki"), N(2015.0), N(1.0), N(1.0), E, E, E, E, E, E, E],
            vec![N(321204.0), S("kirkkomusiikki"), S("31.12.2024"), N(1.0), N(1.0), E, E, E, E, E, E, E],
            vec![N(999999.0), S("kirkkomusiikki"), N(2024.0), N(1.0), N(1.0), E, E, E, E, E, E, E],
        ]),
        students_fi(),
    ]));
    assert_eq!(
        found(&o),
        vec![
            ("bad_count", "Sijoittuminen".into(), "E2".into()),
            ("missing_value", "Sijoittuminen".into(), "L2".into()),
            ("unknown_orientation", "Sijoittuminen".into(), "B3".into()),
            ("pair_not_allowed", "Sijoittuminen".into(), "B4".into()),
            ("year_out_of_range", "Sijoittuminen".into(), "C5".into()),
            ("date_as_year", "Sijoittuminen".into(), "C6".into()),
            ("unknown_qualification", "Sijoittuminen".into(), "A7".into()),
        ]
    );
    assert!(!o.accepted());
    let s = o.survey.unwrap();
    assert_eq!(s.placement.len(), 1, "only the row with a date as its year is usable");
    assert_eq!(s.placement[0].graduation_year, 2024);
}

#[test]
fn a_personal_identity_code_rejects_the_return_and_is_never_echoed() {
    let mut details = details_fi("0187690-1");
    details.1.push(vec![S("Huom"), S("oppilas 131052-308T siirtyi")]);
    let o = read(&book(&[details, placement_fi(vec![]), students_fi()]));
    assert_eq!(found(&o), vec![("hetu_present", "Tiedot".into(), "B6".into())]);
    assert!(!o.accepted());
    let json = serde_json::to_string(&o.findings).unwrap();
    assert!(!json.contains("131052"), "{json}");
    assert!(!json.contains("Maija"), "contact names never leave raw/");
}

#[test]
fn an_unknown_member_a_bad_check_digit_and_a_wrong_year() {
    let o = read(&book(&[details_fi("0187690-2"), placement_fi(vec![]), students_fi()]));
    assert_eq!(found(&o), vec![("bad_ytunnus", "Tiedot".into(), "B2".into())]);
    assert!(o.survey.is_none());
    let o = read(&book(&[details_fi("1234567-1"), placement_fi(vec![]), students_fi()]));
    assert_eq!(found(&o), vec![("unknown_member", "Tiedot".into(), "B2".into())]);
    let mut details = details_fi("0187690-1");
    details.1[2][1] = N(2024.0);
    let o = read(&book(&[details, placement_fi(vec![]), students_fi()]));
    assert_eq!(found(&o), vec![("wrong_year", "Tiedot".into(), "B3".into())]);
}

#[test]
fn not_a_spreadsheet_is_a_finding_not_a_crash() {
    for bytes in [&b"this is not a workbook"[..], &[0x50, 0x4b, 0x03, 0x04, 0, 0, 0][..], &[][..]] {
        let o = read(bytes);
        assert_eq!(o.findings.len(), 1);
        assert_eq!(o.findings[0].rule, Rule::UnreadableFile);
        assert!(!o.accepted());
    }
    let o = read(&book(&[("Muistiinpanot", vec![vec![S("ei mitään")]])]));
    let rules: Vec<_> = o.findings.iter().map(|f| f.rule.code()).collect();
    assert_eq!(rules, ["missing_sheet", "missing_sheet", "missing_sheet"]);
}

#[test]
fn duplicate_rows_and_an_unknown_column() {
    let mut placement = placement_fi(vec![
        vec![N(321204.0), S("klassinen musiikki"), N(2024.0), N(1.0), N(1.0), E, E, E, E, E, E, E],
        vec![N(321204.0), S("Klassinen musiikki"), N(2024.0), N(1.0), N(1.0), E, E, E, E, E, E, E],
    ]);
    placement.1[0].push(S("Huomautuksia"));
    let o = read(&book(&[details_fi("0187690-1"), placement, students_fi()]));
    assert_eq!(
        found(&o),
        vec![("unknown_header", "Sijoittuminen".into(), "M1".into()), ("duplicate_row", "Sijoittuminen".into(), "3".into())]
    );
    assert_eq!(o.findings[0].severity, kooste::survey::Severity::Warning);
}
