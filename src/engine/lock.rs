//! The run lock: one run at a time writes a year's outputs.
//!
//! In: `output/<year>/.kooste.lock`, locked with the operating system's advisory file lock and
//! holding the owner's pid, host, start time and command. Out: a guard; the lock is released
//! when the run ends, however it ends (the kernel releases it when a killed process goes). A
//! run that finds an owner written in the file but no lock held knows that run died: the
//! stale lock is cleared with a warning and the new run goes on.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::files::FileError;

/// Who holds the lock.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Owner {
    /// Process id.
    pub pid: u32,
    /// Host name (a lock from another host is never taken as stale).
    pub host: String,
    /// When the run started.
    pub started_at: String,
    /// Its command line.
    pub command: Vec<String>,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another run holds it.
    #[error(
        "another kooste run (pid {pid} on {host}, started {started_at}) is writing {dir}; wait for it to finish, \
         or remove {lock} if that process is not running"
    )]
    Held {
        /// Its pid.
        pid: u32,
        /// Its host.
        host: String,
        /// When it started.
        started_at: String,
        /// The output folder.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// The lock file could not be written or read.
    #[error(transparent)]
    Io(#[from] FileError),
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// Holds the lock until dropped (or until the process ends, however it ends).
#[derive(Debug)]
pub struct Lock {
    file: std::fs::File,
}

impl Lock {
    /// The lock file of an output folder.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(".kooste.lock")
    }

    /// Takes the lock of `dir` (created if needed). The lock is the operating system's
    /// advisory lock on the file, released when the process ends even by `kill -9`; the file
    /// only tells who holds it. An owner left in it by a run that ended without clearing it is
    /// reported as a stale lock, cleared.
    pub fn acquire(dir: &Path, command: &[String]) -> Result<Lock, LockError> {
        std::fs::create_dir_all(dir).map_err(|source| FileError::Io { path: dir.to_owned(), source })?;
        let path = Self::path(dir);
        let io = |source| FileError::Io { path: path.clone(), source };
        let mut file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        let owner = |file: &mut std::fs::File| -> Option<Owner> {
            let mut text = String::new();
            file.seek(SeekFrom::Start(0)).ok()?;
            file.read_to_string(&mut text).ok()?;
            serde_json::from_str(&text).ok()
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let o = owner(&mut file);
                return Err(LockError::Held {
                    pid: o.as_ref().map(|o| o.pid).unwrap_or(0),
                    host: o.as_ref().map(|o| o.host.clone()).unwrap_or_default(),
                    started_at: o.map(|o| o.started_at).unwrap_or_default(),
                    dir: dir.to_owned(),
                    lock: path,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e).into()),
        }
        if let Some(o) = owner(&mut file) {
            tracing::warn!(pid = o.pid, started_at = %o.started_at, "Cleared a stale lock: that run ended without finishing.");
        }
        let me = Owner { pid: std::process::id(), host: host(), started_at: crate::record::now(), command: command.to_vec() };
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&serde_json::to_vec_pretty(&me).expect("plain data")).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(Lock { file })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // A finished run leaves no owner behind; closing the file releases the lock.
        let _ = self.file.set_len(0);
    }
}
