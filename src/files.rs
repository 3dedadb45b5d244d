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
/// then renamed over `path`. Readers see the old file or the new one, never a part. A file that
/// already holds exactly these bytes is left as it is (no write, no fsync): a rerun after a
/// one-cell edit rewrites only the outputs that changed.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), FileError> {
    let mut bytes = Vec::new();
    write(&mut bytes).map_err(io_err(path))?;
    if unchanged(path, &bytes) {
        remember(path, &bytes);
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kooste-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    tmp.as_file_mut().write_all(&bytes).map_err(io_err(path))?;
    tmp.as_file().sync_all().map_err(io_err(path))?;
    readable(tmp.as_file(), path)?;
    tmp.persist(path).map_err(|e| FileError::Io { path: path.to_owned(), source: e.error })?;
    remember(path, &bytes);
    Ok(())
}

/// Whether `path` is a regular file holding exactly `bytes` (its size is checked first).
fn unchanged(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => std::fs::read(path).is_ok_and(|old| old == bytes),
        _ => false,
    }
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

/// The sha256 of a file, as lower-case hex. A file this process wrote (or hashed) and that
/// still has the size and mtime it had then is not read again: a run records each output's
/// hash once, from the bytes it wrote, however many records name the file.
pub fn sha256_file(path: &Path) -> Result<String, FileError> {
    let before = stat(path);
    if let Some(sha) = before.and_then(|s| memo().lock().ok()?.get(path).filter(|m| m.0 == s).map(|m| m.1.clone())) {
        return Ok(sha);
    }
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    let sha = sha256_hex(&bytes);
    if let (Some(s), Ok(mut memo)) = (before, memo().lock()) {
        memo.insert(path.to_owned(), (s, sha.clone()));
    }
    Ok(sha)
}

/// A file's size and modification time (ns since the epoch), the engine's fast pre-check.
pub fn stat(path: &Path) -> Option<(u64, u64)> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos() as u64;
    Some((m.len(), mtime))
}

type Memo = std::collections::HashMap<PathBuf, ((u64, u64), String)>;

/// The hashes this process knows: path → (size and mtime when hashed, sha256).
fn memo() -> &'static std::sync::Mutex<Memo> {
    static MEMO: std::sync::OnceLock<std::sync::Mutex<Memo>> = std::sync::OnceLock::new();
    MEMO.get_or_init(Default::default)
}

/// Records the hash of bytes just written to (or found in) `path`. A file left as it was and
/// whose hash is known for its size and mtime is not hashed again.
fn remember(path: &Path, bytes: &[u8]) {
    let Some(s) = stat(path) else { return };
    if memo().lock().is_ok_and(|m| m.get(path).is_some_and(|m| m.0 == s)) {
        return;
    }
    let sha = sha256_hex(bytes);
    if let Ok(mut memo) = memo().lock() {
        memo.insert(path.to_owned(), (s, sha));
    }
}

/// Tells the memo a hash the engine recorded for this size and mtime (its fast pre-check
/// found the file as recorded), so the run does not hash the file again.
pub fn trust(path: &Path, size_mtime: (u64, u64), sha256: &str) {
    if let Ok(mut memo) = memo().lock() {
        memo.insert(path.to_owned(), (size_mtime, sha256.to_owned()));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_same_bytes_leave_the_file_alone_and_new_bytes_replace_it() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_bytes(&path, b"x;1\n").unwrap();
        let ino = std::fs::metadata(&path).unwrap().ino();
        write_bytes(&path, b"x;1\n").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), ino, "not rewritten");
        // Same size, other bytes: replaced (renamed over, so a new inode).
        write_bytes(&path, b"x;2\n").unwrap();
        assert_ne!(std::fs::metadata(&path).unwrap().ino(), ino);
        assert_eq!(std::fs::read(&path).unwrap(), b"x;2\n");
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_hash_is_taken_from_the_memo_only_while_the_file_is_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.txt");
        write_bytes(&path, b"first").unwrap();
        assert_eq!(sha256_file(&path).unwrap(), sha256_hex(b"first"));
        // A hash the engine recorded for this size and mtime is believed…
        let s = stat(&path).unwrap();
        trust(&path, s, "recorded");
        assert_eq!(sha256_file(&path).unwrap(), "recorded");
        // …until the file changes behind the run's back (same size, a later mtime).
        std::thread::sleep(std::time::Duration::from_millis(5));
        std::fs::write(&path, b"other").unwrap();
        assert_ne!(stat(&path).unwrap(), s);
        assert_eq!(sha256_file(&path).unwrap(), sha256_hex(b"other"));
        // A rewrite through write_bytes records the new bytes' hash.
        write_bytes(&path, b"third!").unwrap();
        assert_eq!(sha256_file(&path).unwrap(), sha256_hex(b"third!"));
    }
}
