//! Public sources: the snapshot format they are stored in under `raw/public/`, and the decoders
//! that turn a snapshot's raw response bytes into a tidy frame.
//!
//! A snapshot is the response body exactly as the service sent it (`<name>.json`) plus a
//! provenance sidecar (`<name>.provenance.json`: URL, query, time, sha256, dataset date). The
//! fetch stage reads snapshots only through [`Snapshot::load`], which checks the sidecar's sha256
//! against the bytes, so an edited or truncated snapshot is caught before it is used.

pub mod http;
pub mod pxweb;
pub mod vipunen;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::files::{self, FileError};

/// Why a snapshot could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The snapshot is not there.
    #[error("snapshot {path} is missing (run `kooste fetch` with network, or restore it)")]
    Missing {
        /// Where it was expected.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error(transparent)]
    File(#[from] FileError),
    /// The sidecar is missing or not valid JSON.
    #[error("provenance {path}: {message}")]
    Provenance {
        /// The sidecar file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The bytes do not match the sha256 recorded when they were fetched.
    #[error("snapshot {path} does not match its provenance: sha256 {actual}, recorded {recorded}")]
    Tampered {
        /// The snapshot.
        path: PathBuf,
        /// sha256 of the bytes on disk.
        actual: String,
        /// sha256 in the sidecar.
        recorded: String,
    },
    /// A request failed for good (after retries).
    #[error(transparent)]
    Http(#[from] http::HttpError),
    /// A service answered, but not with what was expected (schema drift, unknown table,
    /// rows that do not add up).
    #[error("{url}: {message}")]
    Response {
        /// The URL asked.
        url: String,
        /// What changed or is wrong.
        message: String,
    },
    /// The response does not have the shape the decoder expects (schema drift).
    #[error("snapshot {path}: {message}")]
    Shape {
        /// The snapshot.
        path: PathBuf,
        /// What changed or is wrong.
        message: String,
    },
}

/// Where a snapshot came from: written beside it when it is fetched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The service (`vipunen`, `statfin`).
    pub service: String,
    /// The URL asked.
    pub url: String,
    /// HTTP method.
    pub method: String,
    /// Query string or POST body sent.
    #[serde(default)]
    pub query: Option<String>,
    /// HTTP status of the response.
    pub status: u16,
    /// When it was fetched (RFC 3339, UTC).
    pub fetched_at: String,
    /// sha256 of the snapshot bytes.
    pub sha256: String,
    /// Rows (Vipunen) or values (PxWeb) in the snapshot.
    pub rows: u64,
    /// The dataset's own updated date (`tietojoukkoPaivitettyPvm`, json-stat `updated`).
    #[serde(default)]
    pub dataset_updated: Option<String>,
    /// True when the snapshot is synthetic sample data, not a real response.
    #[serde(default)]
    pub synthetic: bool,
    /// Anything a reader should know.
    #[serde(default)]
    pub note: Option<String>,
}

/// A snapshot loaded from disk with its verified provenance.
#[derive(Debug)]
pub struct Snapshot {
    /// The snapshot file.
    pub path: PathBuf,
    /// Its raw bytes.
    pub bytes: Vec<u8>,
    /// Its sidecar.
    pub provenance: Provenance,
}

impl Snapshot {
    /// The sidecar path of a snapshot: `x.json` → `x.provenance.json`.
    pub fn sidecar_path(path: &Path) -> PathBuf {
        path.with_extension("provenance.json")
    }

    /// Reads only a snapshot's provenance sidecar (for its dates), without its bytes.
    pub fn load_provenance(path: &Path) -> Result<Provenance, SourceError> {
        let sidecar = Self::sidecar_path(path);
        let text = std::fs::read(&sidecar).map_err(|e| SourceError::Provenance { path: sidecar.clone(), message: e.to_string() })?;
        serde_json::from_slice(&text).map_err(|e| SourceError::Provenance { path: sidecar, message: e.to_string() })
    }

    /// Loads a snapshot and checks its bytes against the sidecar's sha256.
    pub fn load(path: &Path) -> Result<Self, SourceError> {
        if !path.is_file() {
            return Err(SourceError::Missing { path: path.to_owned() });
        }
        let bytes = files::read(path)?;
        let sidecar = Self::sidecar_path(path);
        let prov_err = |message: String| SourceError::Provenance { path: sidecar.clone(), message };
        let text = std::fs::read(&sidecar).map_err(|e| prov_err(e.to_string()))?;
        let provenance: Provenance = serde_json::from_slice(&text).map_err(|e| prov_err(e.to_string()))?;
        let actual = files::sha256_hex(&bytes);
        if actual != provenance.sha256 {
            return Err(SourceError::Tampered { path: path.to_owned(), actual, recorded: provenance.sha256 });
        }
        Ok(Self { path: path.to_owned(), bytes, provenance })
    }

    /// Writes a snapshot and its sidecar atomically (bytes first, so a sidecar never points at
    /// bytes that are not there). The sidecar's sha256 and row count are filled in here.
    pub fn store(path: &Path, bytes: &[u8], mut provenance: Provenance) -> Result<Self, SourceError> {
        provenance.sha256 = files::sha256_hex(bytes);
        files::write_bytes(path, bytes)?;
        files::write_json(&Self::sidecar_path(path), &provenance)?;
        Ok(Self { path: path.to_owned(), bytes: bytes.to_vec(), provenance })
    }
}
