//! Statistics Finland PxWeb API v1: the service's limits, a table's metadata and the queries
//! resolved from it (`query`), the download, and json-stat2 responses decoded into a long frame
//! (`jsonstat`).

mod jsonstat;
mod query;

pub use jsonstat::{Table, decode};
pub use query::{Metadata, Variable, queries, value, variable};

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SourceError;

/// The service's own limits (`GET …/{lang}/?config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PxConfig {
    /// Most values in one response.
    pub max_values: u64,
    /// Most cells in one query.
    #[serde(default)]
    pub max_cells: Option<u64>,
    /// Calls allowed per time window.
    pub max_calls: u64,
    /// The window, in seconds.
    pub time_window: u64,
}

impl PxConfig {
    /// The limit to keep: the stricter (fewer calls per second) of the service's and the
    /// documented 30 calls per 10 s.
    pub fn throttle(&self) -> (usize, std::time::Duration) {
        let (documented_calls, documented_window) = (30u64, 10u64);
        if self.max_calls * documented_window <= documented_calls * self.time_window.max(1) {
            (self.max_calls as usize, std::time::Duration::from_secs(self.time_window.max(1)))
        } else {
            (documented_calls as usize, std::time::Duration::from_secs(documented_window))
        }
    }

    /// Most cells a query may ask for.
    pub fn cells(&self) -> u64 {
        self.max_cells.unwrap_or(self.max_values).min(self.max_values)
    }
}

/// Downloads a table: the service's limits, the metadata (codes are resolved from it on every
/// run), then one query per part. One part is stored verbatim; several as a JSON array of
/// json-stat2 datasets, which [`decode`] reads as one table.
pub async fn fetch(
    http: &super::http::Http,
    base: &url::Url,
    lang: crate::domain::Lang,
    table: &str,
    select: &BTreeMap<String, Vec<String>>,
) -> Result<(Vec<u8>, super::Provenance), SourceError> {
    let root = base.as_str().trim_end_matches('/');
    let response = |url: &url::Url, message: String| SourceError::Response { url: url.to_string(), message };
    let parse = |u: String| url::Url::parse(&u).map_err(|e| SourceError::Response { url: u.clone(), message: e.to_string() });
    let config_url = parse(format!("{root}/{}/?config", lang.code()))?;
    let table_url = parse(format!("{root}/{}/StatFin/{table}.px", lang.code()))?;
    let px: PxConfig = serde_json::from_slice(&http.get(&config_url).await?.body)
        .map_err(|e| response(&config_url, format!("not the PxWeb config ({e})")))?;
    let (calls, window) = px.throttle();
    if let Some(host) = base.host_str() {
        http.limit(host, calls, window);
    }
    let meta: Metadata = match http.get(&table_url).await {
        Ok(reply) => serde_json::from_slice(&reply.body).map_err(|e| response(&table_url, format!("not table metadata ({e})")))?,
        Err(super::http::HttpError::Status { status: status @ (400 | 404), first_line, .. }) => {
            return Err(response(
                &table_url,
                format!("table '{table}' is not there (HTTP {status}: {first_line}); its id may have changed (since June 2026 ids are short, e.g. opiskt/14rw)"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let queries = queries(&meta, select, px.cells()).map_err(|m| response(&table_url, format!("schema changed: {m}")))?;
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for q in &queries {
        parts.push(http.post_json(&table_url, q).await?.body);
    }
    let bytes = if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        let values: Vec<serde_json::Value> = parts
            .iter()
            .map(|p| serde_json::from_slice(p).map_err(|e| response(&table_url, format!("not json-stat2 ({e})"))))
            .collect::<Result<_, _>>()?;
        serde_json::to_vec(&values).expect("JSON values serialise")
    };
    let table_data = decode(std::path::Path::new(table_url.as_str()), &bytes)?;
    let provenance = super::Provenance {
        service: "statfin".into(),
        url: table_url.to_string(),
        method: "POST".into(),
        query: Some(serde_json::to_string(&queries).expect("JSON")),
        status: 200,
        fetched_at: crate::record::now(),
        sha256: String::new(),
        rows: table_data.frame.height() as u64,
        dataset_updated: table_data.updated,
        synthetic: false,
        note: Some(format!("{} ({} quer{})", meta.title, queries.len(), if queries.len() == 1 { "y" } else { "ies" })),
    };
    Ok((bytes, provenance))
}

