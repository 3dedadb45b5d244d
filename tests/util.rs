//! The test harness: a per-test work folder holding a copy of the pipeline definition and of
//! the bundled `raw/` sample, and a wrapper that runs the real `kooste` binary in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kooste::{Config, Overrides};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary work folder: `pipelines/`, `raw/` (a copy of the bundled sample) and `output/`.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A work folder with the pipeline and a copy of the bundled sample.
    pub fn with_sample() -> Self {
        let w = Self::empty();
        copy_dir(&repo().join("raw"), &w.path().join("raw"));
        w
    }

    /// A work folder with the pipeline only (no raw data).
    pub fn empty() -> Self {
        let dir = tempfile::Builder::new().prefix("kooste-test-").tempdir().expect("temp dir");
        copy_dir(&repo().join("pipelines"), &dir.path().join("pipelines"));
        Self { dir }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the folder.
    pub fn join(&self, p: &str) -> PathBuf {
        self.path().join(p)
    }

    /// The configuration a plain `kooste run` in this folder would use.
    pub fn config(&self) -> Config {
        Config::load(&self.join("pipelines/annual.toml"), Overrides::default()).expect("valid pipeline")
    }

    /// Runs `kooste <args>` in the folder.
    pub fn kooste(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kooste"))
            .args(args)
            .current_dir(self.path())
            .env("KOOSTE_LOG", "warn")
            .output()
            .expect("kooste runs")
    }

    /// Runs `kooste <args>` and expects the given exit code, showing all output if not.
    pub fn kooste_expect(&self, args: &[&str], code: i32) -> Output {
        let out = self.kooste(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "kooste {args:?} in {}\n--- stdout\n{}\n--- stderr\n{}",
            self.path().display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Reads a CSV output into rows of strings (header first).
    pub fn csv(&self, p: &str) -> Vec<Vec<String>> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(self.join(p)).expect("csv exists");
        rdr.records().map(|r| r.expect("csv row").iter().map(str::to_owned).collect()).collect()
    }
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// sha256 of every file under a folder, by relative path.
pub fn hashes(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("under base").display().to_string();
                out.insert(rel, kooste::files::sha256_file(&p).expect("hash"));
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}
