//! Vipunen API snapshots (`/resources/{r}/data`: a JSON array of flat objects) decoded into the
//! enrolment frame: one row per year × provider × qualification × completion type.
//!
//! In: the snapshot bytes. Out: a frame with `year, provider_id, provider_name,
//! qualification_code, completion_type, new_students, students, graduates`.

use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;

use super::SourceError;

/// Fields the enrolment decoder needs; a snapshot whose rows lack one has drifted.
pub const ENROLMENT_FIELDS: [&str; 7] = [
    "tilastovuosi",
    "koodiTutkinto",
    "koodiKoulutuksenJarjestaja",
    "koulutuksenJarjestaja",
    "uudetOpiskelijatLkm",
    "opiskelijatLkm",
    "tutkinnonSuorittaneetLkm",
];

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

/// Checks that the first row carries every expected field: a renamed or dropped field is
/// schema drift and must stop the run with a message that says which.
fn check_fields(bytes: &[u8], fields: &[&str]) -> Result<(), String> {
    // Read just the first object: from the first `{`, one value, the rest left unread.
    let Some(pos) = bytes.iter().position(|b| *b == b'{') else { return Ok(()) };
    let mut de = serde_json::Deserializer::from_slice(&bytes[pos..]);
    let first: Option<serde_json::Map<String, serde_json::Value>> =
        Some(serde::Deserialize::deserialize(&mut de).map_err(|e| format!("first row is not a JSON object: {e}"))?);
    let Some(first) = first else { return Ok(()) };
    let missing: Vec<&str> = fields.iter().copied().filter(|f| !first.contains_key(*f)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "expected field(s) {} missing from the rows (the resource's schema changed?)",
            missing.join(", ")
        ))
    }
}
