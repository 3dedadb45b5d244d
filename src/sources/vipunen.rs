//! Vipunen API snapshots (`/resources/{r}/data`: a JSON array of flat objects) decoded into the
//! enrolment frame: one row per year × provider × qualification × completion type.
//!
//! In: the snapshot bytes. Out: a frame with `year, provider_id, provider_name,
//! qualification_code, completion_type, new_students, students, graduates`.

use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};
use tracing_indicatif::span_ext::IndicatifSpanExt;
use url::Url;

use super::http::Http;
use super::{Provenance, SourceError};

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

/// What a Vipunen download needs to know.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// API base, e.g. `https://api.vipunen.fi/api`.
    pub base: &'a Url,
    /// Resource name.
    pub resource: &'a str,
    /// RSQL filter.
    pub filter: Option<&'a str>,
    /// Sort, e.g. `+tilastovuosi,+koodiKoulutuksenJarjestaja` (a stable order for paging).
    pub sort: Option<&'a str>,
    /// Rows per page.
    pub page_size: usize,
    /// Fields the rows must have (schema drift check); empty for no check.
    pub fields: &'a [&'a str],
}

/// More rows than any resource of the service holds: a count above it is a broken answer.
const MAX_ROWS: u64 = 10_000_000;

impl Request<'_> {
    /// The filter and sort as recorded in provenance.
    fn query(&self) -> Option<String> {
        let q = [self.filter.map(|f| format!("filter={f}")), self.sort.map(|s| format!("sort=({s})"))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("&");
        (!q.is_empty()).then_some(q)
    }

    fn url(&self, tail: &str, query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut().expect("an http base URL").pop_if_empty().extend(["resources", self.resource]).extend(tail.split('/').filter(|s| !s.is_empty()));
        {
            let mut q = url.query_pairs_mut();
            if let Some(f) = self.filter {
                q.append_pair("filter", f);
            }
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        url
    }
}

/// The result of asking Vipunen for a resource.
#[derive(Debug)]
pub enum Fetched {
    /// The dataset's updated date equals the stored snapshot's: nothing was downloaded.
    Unchanged {
        /// The dataset's updated date.
        dataset_updated: String,
    },
    /// A new snapshot: the rows as one JSON array, and their provenance.
    New {
        /// The rows, as one JSON array (the pages joined).
        bytes: Vec<u8>,
        /// Where they came from.
        provenance: Provenance,
    },
}

fn vipunen_err(url: &Url, message: String) -> SourceError {
    SourceError::Response { url: url.to_string(), message }
}

/// Downloads a resource: the first row's dataset date (skip when unchanged), the row count,
/// then the pages, checking that the rows received equal the count (once more from the start
/// if the data was reloaded meanwhile). Extra fields are a warning; missing ones an error.
pub async fn fetch(http: &Http, req: &Request<'_>, stored: Option<&Provenance>) -> Result<Fetched, SourceError> {
    let probe_url = req.url("data", &[("limit", "1".into())]);
    let probe: Vec<Map<String, Value>> = json(&probe_url, &http.get(&probe_url).await?.body)?;
    let dataset_updated = probe.first().and_then(|r| r.get("tietojoukkoPaivitettyPvm")).and_then(Value::as_str).map(str::to_owned);
    if let Some(first) = probe.first() {
        check_schema(&probe_url, first, req.fields)?;
    }
    // Unchanged only when the same request (URL, filter, sort) gave the stored rows.
    let same_request = stored.is_some_and(|p| p.url == req.url("data", &[]).as_str() && p.query == req.query());
    if let (Some(now), Some(then)) = (&dataset_updated, stored.and_then(|p| p.dataset_updated.as_deref()))
        && now == then
        && same_request
    {
        return Ok(Fetched::Unchanged { dataset_updated: now.clone() });
    }
    let mut last_mismatch = String::new();
    for attempt in 0..2 {
        let count_url = req.url("data/count", &[]);
        let count: u64 = json(&count_url, &http.get(&count_url).await?.body)?;
        if count > MAX_ROWS {
            return Err(vipunen_err(&count_url, format!("an implausible row count {count} (more than {MAX_ROWS})")));
        }
        let pages = count.div_ceil(req.page_size as u64).max(1);
        let span = tracing::info_span!("pages", resource = req.resource);
        span.pb_set_length(pages);
        span.pb_set_message(req.resource);
        let _enter = span.enter();
        let mut rows: Vec<Value> = Vec::new();
        for k in 0..pages {
            let mut query = vec![("offset", (k * req.page_size as u64).to_string()), ("limit", req.page_size.to_string())];
            if let Some(s) = req.sort {
                query.insert(0, ("sort", format!("({s})")));
            }
            let page_url = req.url("data", &query);
            let page: Vec<Value> = json(&page_url, &http.get(&page_url).await?.body)?;
            tracing::debug!(page = k + 1, pages, rows = page.len(), "Page received.");
            rows.extend(page);
            span.pb_inc(1);
        }
        if rows.len() as u64 == count {
            let bytes = serde_json::to_vec(&rows).expect("JSON values serialise");
            let provenance = Provenance {
                service: "vipunen".into(),
                url: req.url("data", &[]).to_string(),
                method: "GET".into(),
                query: req.query(),
                status: 200,
                fetched_at: crate::record::now(),
                sha256: String::new(),
                rows: count,
                dataset_updated,
                synthetic: false,
                note: Some(format!("{pages} page(s) of {} rows joined into one array", req.page_size)),
            };
            return Ok(Fetched::New { bytes, provenance });
        }
        last_mismatch = format!("{} rows received but the count said {count}", rows.len());
        if attempt == 0 {
            tracing::warn!(resource = req.resource, "{last_mismatch}: the data was reloaded meanwhile? Fetching again.");
        }
    }
    Err(vipunen_err(&req.url("data", &[]), format!("{last_mismatch}, twice: giving up (the last good snapshot is kept)")))
}

fn json<T: serde::de::DeserializeOwned>(url: &Url, body: &[u8]) -> Result<T, SourceError> {
    serde_json::from_slice(body).map_err(|e| vipunen_err(url, format!("unexpected response ({e}): {}", super::http::first_line(body))))
}

/// Compares a row's fields with the expected ones: a missing field is an error that names it,
/// an extra field a warning.
fn check_schema(url: &Url, row: &Map<String, Value>, fields: &[&str]) -> Result<(), SourceError> {
    if fields.is_empty() {
        return Ok(());
    }
    let missing: Vec<&str> = fields.iter().copied().filter(|f| !row.contains_key(*f)).collect();
    if !missing.is_empty() {
        let present: Vec<&str> = row.keys().map(String::as_str).filter(|k| !KNOWN_FIELDS.contains(k)).collect();
        return Err(vipunen_err(
            url,
            format!(
                "schema changed: expected field(s) {} missing{}",
                missing.join(", "),
                if present.is_empty() { String::new() } else { format!("; new field(s): {}", present.join(", ")) }
            ),
        ));
    }
    let extra: Vec<&str> = row.keys().map(String::as_str).filter(|k| !KNOWN_FIELDS.contains(k)).collect();
    if !extra.is_empty() {
        tracing::warn!(url = %url, "New field(s) in the rows, ignored: {}.", extra.join(", "));
    }
    Ok(())
}

/// Every field of the enrolment resource as documented (more than the decoder needs).
const KNOWN_FIELDS: [&str; 15] = [
    "tilastovuosi",
    "suorituksenTyyppi",
    "tutkintotyyppi",
    "tutkinto",
    "koulutuksenJarjestaja",
    "hankintakoulutuksenJarjestaja",
    "hankintakoulutusKyllaEi",
    "koodiTutkinto",
    "koodiKoulutuksenJarjestaja",
    "koodiHankintakoulutuksenJarjestaja",
    "uudetOpiskelijatLkm",
    "opiskelijatLkm",
    "tutkinnonSuorittaneetLkm",
    "nettoopiskelijamaaraLkm",
    "tietojoukkoPaivitettyPvm",
];

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
}
