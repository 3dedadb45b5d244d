//! File plumbing shared by the stages: atomic writes (temp file + rename, so a crash never
//! leaves a half-written output), sha256 of inputs and outputs, and Parquet persistence of the
//! frames one stage hands to the next.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::{Digest, Sha256};

/// An I/O failure with the path it happened on.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading, writing or renaming failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Polars could not write or read a frame.
    #[error("{path}: {source}")]
    Frame {
        /// The file.
        path: PathBuf,
        /// What polars said.
        source: PolarsError,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io { path: path.to_owned(), source }
}

/// Temporary files are private (0600); what kooste writes is for others to read (0644).
fn readable(file: &std::fs::File, path: &Path) -> Result<(), FileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(io_err(path))?;
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
}

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is
/// then renamed over `path`. Readers see the old file or the new one, never a part.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), FileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kooste-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    {
        let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buf).map_err(io_err(path))?;
        buf.flush().map_err(io_err(path))?;
    }
    tmp.as_file().sync_all().map_err(io_err(path))?;
    readable(tmp.as_file(), path)?;
    tmp.persist(path).map_err(|e| FileError::Io { path: path.to_owned(), source: e.error })?;
    Ok(())
}

/// Writes a cache file atomically (temporary file + rename) but without fsync: losing it to a
/// power cut costs a recomputation, not a result.
pub fn write_cache(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut tmp = tempfile::Builder::new().prefix(".kooste-").suffix(".tmp").tempfile_in(dir).map_err(io_err(dir))?;
    tmp.as_file_mut().write_all(bytes).map_err(io_err(path))?;
    readable(tmp.as_file(), path)?;
    tmp.persist(path).map_err(|e| FileError::Io { path: path.to_owned(), source: e.error })?;
    Ok(())
}

/// Writes bytes atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_atomic(path, |w| w.write_all(bytes))
}

/// Writes a value as pretty JSON, atomically, with a final newline.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// The sha256 of a file, as lower-case hex.
pub fn sha256_file(path: &Path) -> Result<String, FileError> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    Ok(sha256_hex(&bytes))
}

/// The sha256 of bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Persists a frame as Parquet, atomically.
///
/// The file's `ARROW:schema` is the frame's schema at polars' oldest compatibility level: text
/// as `large_string`, not the `string_view` polars writes by default, which pyarrow before 15
/// (and R arrow builds of that age) cannot open. The pages are the same either way (Parquet
/// `BYTE_ARRAY`/`STRING`); polars reads the file back as `String`.
pub fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<(), FileError> {
    let schema = df.schema().to_arrow(CompatLevel::oldest());
    let arrow = polars_parquet::arrow::write::schema_to_metadata_key(&schema);
    let metadata = KeyValueMetadata::from_static(vec![(arrow.key, arrow.value.unwrap_or_default())]);
    write_frame(path, |w| {
        ParquetWriter::new(w).with_statistics(StatisticsOptions::empty()).with_key_value_metadata(Some(metadata)).finish(df).map(|_| ())
    })
}

/// Runs a polars writer inside [`write_atomic`]; a polars failure leaves no file behind.
fn write_frame(path: &Path, write: impl FnOnce(&mut dyn Write) -> PolarsResult<()>) -> Result<(), FileError> {
    let mut failure = None;
    let written = write_atomic(path, |w| {
        write(w).map_err(|e| {
            failure = Some(e);
            std::io::Error::other("frame writer failed")
        })
    });
    match failure {
        Some(source) => Err(FileError::Frame { path: path.to_owned(), source }),
        None => written,
    }
}

/// Reads a persisted frame.
pub fn read_parquet(path: &Path) -> Result<DataFrame, FileError> {
    let file = std::fs::File::open(path).map_err(io_err(path))?;
    ParquetReader::new(file).finish().map_err(|source| FileError::Frame { path: path.to_owned(), source })
}

/// Writes a frame as UTF-8 CSV with a header, atomically.
pub fn write_csv(path: &Path, df: &mut DataFrame) -> Result<(), FileError> {
    write_frame(path, |w| CsvWriter::new(w).include_header(true).finish(df))
}

/// A new workbook whose document properties carry a fixed date, so the same content always
/// gives the same bytes (rust_xlsxwriter stamps the current time by default).
pub fn workbook() -> rust_xlsxwriter::Workbook {
    let mut book = rust_xlsxwriter::Workbook::new();
    let fixed = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).expect("a valid date");
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&fixed).set_author("kooste"));
    book
}

/// Reads a whole file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(io_err(path))
}

/// Removes the temporary files a killed run left under `dir` (`.kooste-*.tmp`), so nothing
/// half-written stays beside the outputs. Call only while holding the run lock.
pub fn sweep_temp(dir: &Path) -> usize {
    let mut removed = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    for e in entries.filter_map(|e| e.ok()) {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            removed += sweep_temp(&p);
        } else if name.starts_with(".kooste-") && name.ends_with(".tmp") && std::fs::remove_file(&p).is_ok() {
            removed += 1;
        }
    }
    removed
}
