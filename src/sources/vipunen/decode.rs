//! The decoders: a snapshot's bytes → a tidy frame.

use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::schema::{APPLICANT_COUNTS, APPLICANT_FIELDS, ENROLMENT_FIELDS, check_fields};
use crate::sources::SourceError;

/// Decodes an applicants snapshot into one row per start year × provider (Y-tunnus) ×
/// qualification code: `year, provider_id, provider_name, qualification_code, options`
/// (application options, counted by `kooditHakukohde`, else by row) and the counts of
/// [`APPLICANT_COUNTS`], each summed over the rows — the options, start terms (`Syksy`,
/// `Kevät`), application rounds (`haku`), schools and sites of the provider. Applicants are
/// distinct persons *per option*: a person who applied to two options of one provider counts
/// twice in the sum. Rows with a missing code (`-1`) keep it as null; null counts read as 0.
/// Sorted by year, provider, qualification.
pub fn decode_applicants(path: &Path, bytes: &[u8]) -> Result<DataFrame, SourceError> {
    let shape = |message: String| SourceError::Shape { path: path.to_owned(), message };
    check_fields(bytes, &APPLICANT_FIELDS).map_err(shape)?;
    let rows: Vec<Map<String, Value>> =
        serde_json::from_slice(bytes).map_err(|e| shape(format!("not the expected Vipunen rows: {e}")))?;
    type Key = (i32, Option<String>, Option<String>);
    struct Sum {
        name: Option<String>,
        options: std::collections::BTreeSet<String>,
        counts: [i64; 6],
    }
    let mut sums: std::collections::BTreeMap<Key, Sum> = std::collections::BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let at = |field: &str, what: &str| shape(format!("row {}: {field} {what}", i + 1));
        let year = match row.get("koulutuksenAlkamisvuosi") {
            Some(Value::Number(n)) => n.as_i64().and_then(|y| i32::try_from(y).ok()),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| at("koulutuksenAlkamisvuosi", "is not a year"))?;
        let code = |f: &str| row.get(f).and_then(Value::as_str).filter(|c| *c != "-1" && !c.is_empty()).map(str::to_owned);
        let key = (year, code("kooditKoulutuksenJarjestaja"), code("kooditTutkintoHakukohde"));
        let sum = sums.entry(key).or_insert_with(|| Sum { name: None, options: Default::default(), counts: [0; 6] });
        if sum.name.is_none() {
            sum.name = row.get("koulutuksenJarjestaja").and_then(Value::as_str).filter(|n| *n != "Tieto puuttuu").map(str::to_owned);
        }
        sum.options.insert(code("kooditHakukohde").unwrap_or_else(|| format!("row {i}")));
        for (k, (field, _)) in APPLICANT_COUNTS.iter().enumerate() {
            let n = match row.get(*field) {
                None | Some(Value::Null) => 0,
                Some(v) => v.as_i64().filter(|n| *n >= 0).ok_or_else(|| at(field, &format!("is not a count: {v}")))?,
            };
            sum.counts[k] += n;
        }
    }
    let mut columns = vec![
        Column::new("year".into(), sums.keys().map(|k| k.0).collect::<Vec<_>>()),
        Column::new("provider_id".into(), sums.keys().map(|k| k.1.clone()).collect::<Vec<_>>()),
        Column::new("provider_name".into(), sums.values().map(|s| s.name.clone()).collect::<Vec<_>>()),
        Column::new("qualification_code".into(), sums.keys().map(|k| k.2.clone()).collect::<Vec<_>>()),
        Column::new("options".into(), sums.values().map(|s| s.options.len() as i64).collect::<Vec<_>>()),
    ];
    for (k, (_, name)) in APPLICANT_COUNTS.iter().enumerate() {
        columns.push(Column::new((*name).into(), sums.values().map(|s| s.counts[k]).collect::<Vec<_>>()));
    }
    DataFrame::new(sums.len(), columns).map_err(|e| shape(e.to_string()))
}

/// One row of `amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto`. A missing key reads like null.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnrolmentRow {
    tilastovuosi: i32,
    koodi_tutkinto: Option<String>,
    koodi_koulutuksen_jarjestaja: Option<String>,
    koulutuksen_jarjestaja: Option<String>,
    suorituksen_tyyppi: Option<String>,
    uudet_opiskelijat_lkm: Option<i64>,
    opiskelijat_lkm: Option<i64>,
    tutkinnon_suorittaneet_lkm: Option<i64>,
}

/// Decodes an enrolment snapshot. `-1` codes and `Tieto puuttuu` names become null.
pub fn decode_enrolment(path: &Path, bytes: &[u8]) -> Result<DataFrame, SourceError> {
    let shape = |message: String| SourceError::Shape { path: path.to_owned(), message };
    check_fields(bytes, &ENROLMENT_FIELDS).map_err(shape)?;
    let rows: Vec<EnrolmentRow> =
        serde_json::from_slice(bytes).map_err(|e| shape(format!("not the expected Vipunen rows: {e}")))?;
    let code = |s: &Option<String>| s.as_deref().filter(|c| *c != "-1" && !c.is_empty()).map(str::to_owned);
    let name = |s: &Option<String>| s.as_deref().filter(|c| *c != "Tieto puuttuu").map(str::to_owned);
    let df = df!(
        "year" => rows.iter().map(|r| r.tilastovuosi).collect::<Vec<_>>(),
        "provider_id" => rows.iter().map(|r| code(&r.koodi_koulutuksen_jarjestaja)).collect::<Vec<_>>(),
        "provider_name" => rows.iter().map(|r| name(&r.koulutuksen_jarjestaja)).collect::<Vec<_>>(),
        "qualification_code" => rows.iter().map(|r| code(&r.koodi_tutkinto)).collect::<Vec<_>>(),
        "completion_type" => rows.iter().map(|r| name(&r.suorituksen_tyyppi)).collect::<Vec<_>>(),
        "new_students" => rows.iter().map(|r| r.uudet_opiskelijat_lkm).collect::<Vec<_>>(),
        "students" => rows.iter().map(|r| r.opiskelijat_lkm).collect::<Vec<_>>(),
        "graduates" => rows.iter().map(|r| r.tutkinnon_suorittaneet_lkm).collect::<Vec<_>>(),
    )
    .map_err(|e| shape(e.to_string()))?;
    Ok(df)
}


/// Decodes the rows of any Vipunen resource into a frame: one column per field (in name
/// order), typed by their values (whole numbers, decimals, booleans, else text;
/// a missing key reads like null). For resources without a dedicated decoder.
pub fn decode_rows(path: &Path, bytes: &[u8]) -> Result<DataFrame, SourceError> {
    let shape = |message: String| SourceError::Shape { path: path.to_owned(), message };
    let rows: Vec<Map<String, Value>> =
        serde_json::from_slice(bytes).map_err(|e| shape(format!("not a JSON array of flat rows: {e}")))?;
    let mut names: Vec<&str> = Vec::new();
    for row in &rows {
        for k in row.keys() {
            if !names.contains(&k.as_str()) {
                names.push(k);
            }
        }
    }
    let columns = names
        .iter()
        .map(|name| {
            let values: Vec<Option<&Value>> = rows.iter().map(|r| r.get(*name).filter(|v| !v.is_null())).collect();
            let all = |f: fn(&Value) -> bool| values.iter().flatten().all(|v| f(v));
            let col = if all(Value::is_i64) {
                Column::new((*name).into(), values.iter().map(|v| v.and_then(Value::as_i64)).collect::<Vec<_>>())
            } else if all(Value::is_number) {
                Column::new((*name).into(), values.iter().map(|v| v.and_then(Value::as_f64)).collect::<Vec<_>>())
            } else if all(Value::is_boolean) {
                Column::new((*name).into(), values.iter().map(|v| v.and_then(Value::as_bool)).collect::<Vec<_>>())
            } else {
                let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
                Column::new((*name).into(), values.iter().map(|v| v.map(text)).collect::<Vec<_>>())
            };
            col
        })
        .collect();
    DataFrame::new(rows.len(), columns).map_err(|e| shape(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_resource_decodes_field_by_field() {
        let json = br#"[{"tilastovuosi": 2025, "koodiTutkinto": "321204", "hakijatLkm": 40, "osuus": 0.5, "ok": true},
                        {"tilastovuosi": 2024, "koodiTutkinto": "321501", "osuus": 1, "uusi": "x"}]"#;
        let df = decode_rows(Path::new("r.json"), json).unwrap();
        let names: Vec<&str> = df.get_column_names().into_iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["hakijatLkm", "koodiTutkinto", "ok", "osuus", "tilastovuosi", "uusi"]);
        assert_eq!(df.column("tilastovuosi").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("koodiTutkinto").unwrap().dtype(), &DataType::String, "codes stay text");
        assert_eq!(df.column("osuus").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.column("hakijatLkm").unwrap().i64().unwrap().get(1), None, "a missing key reads like null");
        assert!(decode_rows(Path::new("r.json"), b"{\"not\": \"rows\"}").is_err());
    }

    #[test]
    fn applicants_are_summed_over_options_terms_rounds_and_schools() {
        let row = |yt: &str, q: &str, year: serde_json::Value, term: &str, haku: &str, school: &str, oid: &str, n: [i64; 6]| {
            serde_json::json!({
                "koulutuksenAlkamisvuosi": year, "koulutuksenAlkamiskausi": term, "haku": haku, "kooditOppilaitos": school,
                "koulutuksenJarjestaja": "Oulun kaupunki", "kooditKoulutuksenJarjestaja": yt, "kooditTutkintoHakukohde": q,
                "kooditHakukohde": oid, "aloituspaikatLkm": n[0], "kaikkiHakijatLkm": n[1], "ensisijaisetHakijatLkm": n[2],
                "valitutLkm": n[3], "paikanVastaanottaneetLkm": n[4], "aloittaneetLkm": n[5],
            })
        };
        let rows = serde_json::json!([
            row("0187690-1", "321204", 2025.into(), "Syksy", "Yhteishaku", "01234", "a", [12, 40, 20, 14, 12, 11]),
            row("0187690-1", "321204", 2025.into(), "Syksy", "Jatkuva haku", "01234", "a", [2, 6, 6, 2, 2, 2]),
            row("0187690-1", "321204", "2025".into(), "Kevät", "Jatkuva haku", "01299", "b", [8, 25, 10, 9, 8, 8]),
            row("0187690-1", "321501", 2025.into(), "Syksy", "Yhteishaku", "01234", "c", [10, 0, 0, 0, 0, 0]),
            row("0187690-1", "321204", 2024.into(), "Syksy", "Yhteishaku", "01234", "d", [20, 50, 25, 21, 20, 19]),
        ]);
        let df = decode_applicants(Path::new("a.json"), &serde_json::to_vec(&rows).unwrap()).unwrap();
        assert_eq!(df.height(), 3, "2024 music, 2025 music, 2025 dance");
        let i64s = |c: &str| df.column(c).unwrap().i64().unwrap().iter().map(|v| v.unwrap()).collect::<Vec<_>>();
        assert_eq!(df.column("year").unwrap().i32().unwrap().iter().flatten().collect::<Vec<_>>(), [2024, 2025, 2025]);
        assert_eq!(i64s("options"), [1, 2, 1]);
        assert_eq!(i64s("start_places"), [20, 22, 10]);
        assert_eq!(i64s("applicants"), [50, 71, 0]);
        assert_eq!(i64s("first_choice_applicants"), [25, 36, 0]);
        assert_eq!(i64s("selected"), [21, 25, 0]);
        assert_eq!(i64s("accepted"), [20, 22, 0]);
        assert_eq!(i64s("enrolled"), [19, 21, 0]);
        // The old invented shape is schema drift, named.
        let old = br#"[{"tilastovuosi": 2025, "koodiTutkinto": "321204", "hakijatLkm": 40}]"#;
        let e = decode_applicants(Path::new("a.json"), old).unwrap_err().to_string();
        assert!(e.contains("koulutuksenAlkamisvuosi, kooditTutkintoHakukohde"), "{e}");
    }
}
