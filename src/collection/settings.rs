//! `[collection]` in the pipeline file: the round's deadline and the corrected returns that
//! replace older ones.
//!
//! ```toml
//! [collection]
//! deadline = 2026-02-15
//! replaces = { "oulu-korjattu.xlsx" = "oulu.xlsx" }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The survey round's settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectionSettings {
    /// The day the returns are due (a TOML date, `2026-02-15`, or the same as a string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
    /// Corrected returns: newer file name → the older file name it replaces (both in the
    /// year's survey folder). The older file is listed as replaced and not read.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub replaces: BTreeMap<String, String>,
}

/// A deadline day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline(pub chrono::NaiveDate);

impl Serialize for Deadline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%Y-%m-%d").to_string())
    }
}

impl<'de> Deserialize<'de> for Deadline {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // toml::Value takes both a TOML date and a string (as in a run record's JSON).
        let text = match toml::Value::deserialize(d)? {
            toml::Value::Datetime(t) => t.to_string(),
            toml::Value::String(s) => s,
            other => return Err(serde::de::Error::custom(format!("deadline must be a date like 2026-02-15, not {other}"))),
        };
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(Deadline)
            .map_err(|_| serde::de::Error::custom(format!("deadline '{text}' is not a date like 2026-02-15")))
    }
}

/// A return set aside because a newer file replaces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replaced {
    /// The replaced (older) file, not read.
    pub file: String,
    /// The file that replaces it.
    pub by: String,
    /// sha256 of the replaced file's bytes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
}

impl CollectionSettings {
    /// Checks the settings; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        for (new, old) in &self.replaces {
            for name in [new, old] {
                if name.is_empty() || name.contains(['/', '\\']) {
                    return Err(format!("collection.replaces: '{name}' must be a file name in the survey folder, without a folder"));
                }
            }
            if new == old {
                return Err(format!("collection.replaces: '{new}' cannot replace itself"));
            }
        }
        Ok(())
    }

    /// Splits the year's return files into those to read and those replaced by a newer file
    /// that is there. A replacement that has not arrived replaces nothing (the older file is
    /// read); a replaced file that is not there is only logged.
    pub fn apply(&self, paths: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<(PathBuf, Replaced)>) {
        let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let present: Vec<String> = paths.iter().map(|p| name(p)).collect();
        for (new, old) in &self.replaces {
            if !present.contains(new) {
                tracing::warn!(replacement = %new, replaced = %old, "collection.replaces: the replacement is not in the survey folder; the older file is read.");
            } else if !present.contains(old) {
                tracing::info!(replacement = %new, replaced = %old, "collection.replaces: the replaced file is not in the survey folder.");
            }
        }
        let mut keep = Vec::new();
        let mut replaced = Vec::new();
        for p in paths {
            let file = name(&p);
            match self.replaces.iter().find(|(new, old)| **old == file && present.contains(*new)) {
                Some((new, _)) => {
                    let sha256 = crate::files::sha256_file(&p).unwrap_or_default();
                    replaced.push((p, Replaced { file, by: new.clone(), sha256 }));
                }
                None => keep.push(p),
            }
        }
        (keep, replaced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_is_a_toml_date_or_a_string() {
        let a: CollectionSettings = toml::from_str("deadline = 2026-02-15").unwrap();
        let b: CollectionSettings = toml::from_str("deadline = \"2026-02-15\"").unwrap();
        assert_eq!(a.deadline, Some(Deadline(chrono::NaiveDate::from_ymd_opt(2026, 2, 15).unwrap())));
        assert_eq!(a, b);
        assert!(toml::from_str::<CollectionSettings>("deadline = \"15.2.2026\"").is_err());
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"deadline":"2026-02-15"}"#);
    }

    #[test]
    fn only_a_replacement_that_is_there_sets_a_file_aside() {
        let s: CollectionSettings = toml::from_str("replaces = { \"b.xlsx\" = \"a.xlsx\", \"d.xlsx\" = \"c.xlsx\" }").unwrap();
        let (keep, replaced) = s.apply(vec!["x/a.xlsx".into(), "x/b.xlsx".into(), "x/c.xlsx".into()]);
        assert_eq!(keep, vec![PathBuf::from("x/b.xlsx"), PathBuf::from("x/c.xlsx")]);
        assert_eq!(replaced.len(), 1);
        assert_eq!((replaced[0].1.file.as_str(), replaced[0].1.by.as_str()), ("a.xlsx", "b.xlsx"));
        assert!(CollectionSettings { replaces: [("a.xlsx".into(), "a.xlsx".into())].into(), ..Default::default() }.validate().is_err());
    }
}
