//! Vipunen API snapshots (`/resources/{r}/data`: a JSON array of flat objects) decoded into
//! tidy frames (`decode`), and the paged download of a resource (here).
//!
//! - Enrolment (`amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto`): one row per year × provider ×
//!   qualification × completion type: `year, provider_id, provider_name, qualification_code,
//!   completion_type, new_students, students, graduates`.
//! - Applicants (`perusopetuksen_jalkeinen_koulutus_hakeneet_ja_paikan_vastaanottaneet`, see
//!   [`decode_applicants`]): one row per start year × provider × qualification, summed over the
//!   resource's application options, terms, rounds, schools and sites.

mod decode;
mod schema;

pub use decode::{decode_applicants, decode_enrolment, decode_rows};
pub use schema::{APPLICANTS_RESOURCE, APPLICANT_COUNTS, APPLICANT_FIELDS, ENROLMENT_FIELDS, ENROLMENT_RESOURCE};

use serde_json::{Map, Value};
use tracing_indicatif::span_ext::IndicatifSpanExt;
use url::Url;

use super::http::Http;
use super::{Provenance, SourceError};
use schema::known_fields;

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
        check_schema(&probe_url, first, req.fields, known_fields(req.resource))?;
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
fn check_schema(url: &Url, row: &Map<String, Value>, fields: &[&str], known: Option<&[&str]>) -> Result<(), SourceError> {
    if fields.is_empty() {
        return Ok(());
    }
    let known = known.unwrap_or(fields);
    let missing: Vec<&str> = fields.iter().copied().filter(|f| !row.contains_key(*f)).collect();
    if !missing.is_empty() {
        let present: Vec<&str> = row.keys().map(String::as_str).filter(|k| !known.contains(k)).collect();
        return Err(vipunen_err(
            url,
            format!(
                "schema changed: expected field(s) {} missing{}",
                missing.join(", "),
                if present.is_empty() { String::new() } else { format!("; new field(s): {}", present.join(", ")) }
            ),
        ));
    }
    let extra: Vec<&str> = row.keys().map(String::as_str).filter(|k| !known.contains(k)).collect();
    if !extra.is_empty() {
        tracing::warn!(url = %url, "New field(s) in the rows, ignored: {}.", extra.join(", "));
    }
    Ok(())
}

