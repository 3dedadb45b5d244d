//! Stage 1, fetch: public statistics → snapshots → tidy frames.
//!
//! In: the pipeline's sources; `raw/public/<service>/<name>.json` with provenance sidecars.
//! Out: new or refreshed snapshots in `raw/public/` (only new files: a snapshot is replaced
//! whole and atomically, never edited) and `stages/fetch/<source>.parquet`.
//!
//! Which snapshots are asked for: a missing one always (unless `--offline`, which fails
//! clearly); a present one only with `--refresh` or when older than `fetch.max_age_days`. Vipunen
//! data whose dataset date has not changed is not downloaded again. When the network cannot be
//! reached and a snapshot exists, the run warns and goes on with it. A failed or partial
//! download never replaces the last good snapshot: it is written only once complete and checked.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::{Stage, StageReport, persist};
use crate::config::{Config, SourceSpec};
use crate::sources::http::{Http, HttpSettings};
use crate::sources::{self, Provenance, Snapshot, SourceError, pxweb, vipunen};
use crate::{Error, Result};

/// The Vipunen resources with a dedicated decoder (others are decoded field by field).
pub use crate::sources::vipunen::{APPLICANTS_RESOURCE, ENROLMENT_RESOURCE};

/// Why a source is asked from its service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ask {
    /// No snapshot yet.
    Missing,
    /// `--refresh`.
    Refresh,
    /// Older than the configured maximum age.
    Stale,
}

/// What became of one source.
fn status(s: &str) -> serde_json::Value {
    json!(s)
}

/// Brings the snapshots up to date where needed, then decodes every one.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Fetch);
    let mut provenance = serde_json::Map::new();
    let mut outcomes = serde_json::Map::new();
    let asks: Vec<(&String, &SourceSpec, Ask)> = config
        .pipeline
        .sources
        .iter()
        .filter_map(|(name, spec)| ask(config, spec).map(|a| (name, spec, a)))
        .collect();
    if !asks.is_empty() {
        if config.offline {
            if let Some((name, spec, _)) = asks.iter().find(|(_, _, a)| *a == Ask::Missing) {
                return Err(SourceError::Response {
                    url: config.raw.join(spec.snapshot_path()).display().to_string(),
                    message: format!(
                        "source '{name}' has no snapshot and --offline forbids fetching it: run `kooste fetch` with network, or restore the file"
                    ),
                }
                .into());
            }
            for (name, _, _) in &asks {
                outcomes.insert((*name).clone(), status("offline: snapshot used as it is"));
            }
        } else {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Source(SourceError::Response { url: String::new(), message: format!("async runtime: {e}") }))?;
            let http = Http::new(http_settings(config)).map_err(SourceError::from)?;
            for (name, spec, why) in &asks {
                let path = config.raw.join(spec.snapshot_path());
                let stored = Snapshot::load(&path).ok().map(|s| s.provenance);
                tracing::info!(source = %name, reason = ?why, "Asking the service.");
                match runtime.block_on(update(&http, config, spec, &path, stored.as_ref())) {
                    Ok(done) => {
                        outcomes.insert((*name).clone(), status(done));
                    }
                    Err(e) if *why != Ask::Missing && is_offline(&e) => {
                        let when = stored.map(|p| p.fetched_at).unwrap_or_default();
                        tracing::warn!(source = %name, "The service cannot be reached ({e}); going on with the snapshot fetched {when}.");
                        outcomes.insert((*name).clone(), status("unreachable: snapshot used"));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    for (name, spec) in &config.pipeline.sources {
        let path = config.raw.join(spec.snapshot_path());
        let snapshot = Snapshot::load(&path)?;
        let mut df = match spec {
            SourceSpec::Vipunen { resource, .. } => decode_vipunen(resource, &path, &snapshot.bytes)?,
            SourceSpec::Pxweb { .. } => sources::pxweb::decode(&path, &snapshot.bytes)?.frame,
        };
        tracing::info!(source = %name, rows = df.height(), snapshot = %path.display(), "Snapshot read.");
        report.input(&path)?;
        report.input(&Snapshot::sidecar_path(&path))?;
        persist(config, &mut report, name, &mut df)?;
        let p = &snapshot.provenance;
        provenance.insert(
            name.clone(),
            json!({
                "url": p.url, "fetched_at": p.fetched_at, "dataset_updated": p.dataset_updated,
                "synthetic": p.synthetic, "rows": df.height(),
                "outcome": outcomes.get(name).cloned().unwrap_or_else(|| status("snapshot present")),
            }),
        );
    }
    report.details.insert("sources".into(), provenance.into());
    Ok(report)
}

/// Decodes a Vipunen snapshot with its resource's decoder (field by field for the others).
fn decode_vipunen(resource: &str, path: &Path, bytes: &[u8]) -> Result<polars::prelude::DataFrame, SourceError> {
    match resource {
        ENROLMENT_RESOURCE => vipunen::decode_enrolment(path, bytes),
        APPLICANTS_RESOURCE => vipunen::decode_applicants(path, bytes),
        _ => vipunen::decode_rows(path, bytes),
    }
}

/// Whether a source must be asked from its service, and why.
fn ask(config: &Config, spec: &SourceSpec) -> Option<Ask> {
    let path = config.raw.join(spec.snapshot_path());
    let Ok(snapshot) = Snapshot::load(&path) else { return Some(Ask::Missing) };
    if config.refresh {
        return Some(Ask::Refresh);
    }
    let max_age = config.pipeline.fetch.max_age_days?;
    let fetched = chrono::DateTime::parse_from_rfc3339(&snapshot.provenance.fetched_at).ok()?;
    let age = chrono::Utc::now().signed_duration_since(fetched);
    (age > chrono::Duration::days(i64::from(max_age))).then_some(Ask::Stale)
}

fn http_settings(config: &Config) -> HttpSettings {
    let f = &config.pipeline.fetch;
    HttpSettings {
        timeout: Duration::from_secs(f.timeout_secs),
        connect_timeout: Duration::from_secs(f.timeout_secs.min(10)),
        retries: f.retries,
        min_delay: Duration::from_millis(f.backoff_ms),
        max_delay: Duration::from_secs(60),
        caller_id: Some(f.caller_id.clone()),
    }
}

/// Whether an error means the service could not be used (no network, timed out, cut off, or
/// still overloaded or down after the retries) rather than a wrong answer from it.
fn is_offline(e: &SourceError) -> bool {
    matches!(e, SourceError::Http(h) if h.transient())
}

/// Asks a service for one source and stores the new snapshot. Returns what happened.
async fn update(http: &Http, config: &Config, spec: &SourceSpec, path: &Path, stored: Option<&Provenance>) -> Result<&'static str, SourceError> {
    let f = &config.pipeline.fetch;
    match spec {
        SourceSpec::Vipunen { resource, filter, sort } => {
            let base = url::Url::parse(&f.vipunen_url).expect("validated with the config");
            let fields: &[&str] = match resource.as_str() {
                ENROLMENT_RESOURCE => &vipunen::ENROLMENT_FIELDS,
                APPLICANTS_RESOURCE => &vipunen::APPLICANT_FIELDS,
                _ => &[],
            };
            let req = vipunen::Request {
                base: &base,
                resource,
                filter: filter.as_deref(),
                sort: sort.as_deref(),
                page_size: f.page_size,
                fields,
            };
            match vipunen::fetch(http, &req, stored).await? {
                vipunen::Fetched::Unchanged { dataset_updated } => {
                    tracing::info!(resource, dataset_updated, "Unchanged since the snapshot: not downloaded again.");
                    Ok("unchanged: snapshot kept")
                }
                vipunen::Fetched::New { bytes, provenance } => {
                    // Decoded before it replaces anything: a wrong type is schema drift.
                    decode_vipunen(resource, path, &bytes)?;
                    Snapshot::store(path, &bytes, provenance)?;
                    tracing::info!(resource, snapshot = %path.display(), "Snapshot stored.");
                    Ok("fetched")
                }
            }
        }
        SourceSpec::Pxweb { table, lang, select } => {
            let base = url::Url::parse(&f.pxweb_url).expect("validated with the config");
            let (bytes, provenance) = pxweb::fetch(http, &base, *lang, table, select).await?;
            Snapshot::store(path, &bytes, provenance)?;
            tracing::info!(table, snapshot = %path.display(), "Snapshot stored.");
            Ok("fetched")
        }
    }
}
