//! The run lock: one run at a time writes a year's outputs.
//!
//! In: `output/<year>/.kooste.lock` (created with `create_new`, holding the owner's pid, start
//! time and command). Out: a guard that removes the file when the run ends, however it ends
//! short of being killed. A lock whose process is gone (a run killed with SIGKILL, a crash, a
//! reboot) is stale: it is cleared with a warning and the new run goes on.

use std::io::Write;
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

/// Holds the lock until dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// Whether a process is running (Linux: `/proc/<pid>`; elsewhere assumed running).
fn alive(pid: u32) -> bool {
    if Path::new("/proc/self").exists() { Path::new(&format!("/proc/{pid}")).exists() } else { true }
}

impl Lock {
    /// The lock file of an output folder.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(".kooste.lock")
    }

    /// Takes the lock of `dir` (created if needed), clearing a stale one.
    pub fn acquire(dir: &Path, command: &[String]) -> Result<Lock, LockError> {
        std::fs::create_dir_all(dir).map_err(|source| FileError::Io { path: dir.to_owned(), source })?;
        let path = Self::path(dir);
        let me = Owner { pid: std::process::id(), host: host(), started_at: crate::record::now(), command: command.to_vec() };
        for _ in 0..2 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let text = serde_json::to_vec_pretty(&me).expect("plain data");
                    f.write_all(&text).and_then(|_| f.sync_all()).map_err(|source| FileError::Io { path: path.clone(), source })?;
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner: Option<Owner> = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok());
                    match owner {
                        Some(o) if o.host != me.host || alive(o.pid) => {
                            return Err(LockError::Held { pid: o.pid, host: o.host, started_at: o.started_at, dir: dir.to_owned(), lock: path });
                        }
                        Some(o) => {
                            tracing::warn!(pid = o.pid, started_at = %o.started_at, "Cleared a stale lock: that run is no longer running.");
                        }
                        None => tracing::warn!(lock = %path.display(), "Cleared an unreadable lock file."),
                    }
                    std::fs::remove_file(&path).map_err(|source| FileError::Io { path: path.clone(), source })?;
                }
                Err(source) => return Err(FileError::Io { path, source }.into()),
            }
        }
        let o: Owner = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(me);
        Err(LockError::Held { pid: o.pid, host: o.host, started_at: o.started_at, dir: dir.to_owned(), lock: path })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
