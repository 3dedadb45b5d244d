//! Stage 1, fetch: public statistics snapshots → tidy frames.
//!
//! In: `raw/public/<service>/<name>.json` with provenance sidecars, one per source of the
//! pipeline. Out: `stages/fetch/<source>.parquet`. Snapshots are verified against the sha256 in
//! their sidecar before use; `raw/` is only ever read.

use serde_json::json;

use super::{Stage, StageReport, persist};
use crate::config::{Config, SourceSpec};
use crate::sources::{self, Snapshot, SourceError};
use crate::Result;

/// Vipunen resources this stage knows how to decode.
pub const ENROLMENT_RESOURCE: &str = "amm_opiskelijat_ja_tutkinnot_vuosi_tutkinto";

/// Reads every source's snapshot and persists it as a frame.
pub fn run(config: &Config) -> Result<StageReport> {
    let mut report = StageReport::new(Stage::Fetch);
    let mut provenance = serde_json::Map::new();
    for (name, spec) in &config.pipeline.sources {
        let path = config.raw.join(spec.snapshot_path());
        let snapshot = Snapshot::load(&path)?;
        let mut df = match spec {
            SourceSpec::Vipunen { resource, .. } if resource == ENROLMENT_RESOURCE => {
                sources::vipunen::decode_enrolment(&path, &snapshot.bytes)?
            }
            SourceSpec::Vipunen { resource, .. } => {
                return Err(SourceError::Shape {
                    path,
                    message: format!("no decoder for Vipunen resource '{resource}' (known: {ENROLMENT_RESOURCE})"),
                }
                .into());
            }
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
            }),
        );
    }
    report.details.insert("sources".into(), provenance.into());
    Ok(report)
}
