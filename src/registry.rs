//! The member registry and the qualification catalogue: who the members are, which provider id
//! (Y-tunnus) stood for each member in which year, and the names of the qualifications.
//!
//! In: `pipelines/members.csv` and `pipelines/qualifications.csv`. Out: lookups by Y-tunnus and
//! year, used by ingest (to identify a return) and transform (to join public data to members).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::{Lang, QualificationCode, Ytunnus};

/// Why the registry or catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The file could not be read or is not CSV.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV reader said.
        source: csv::Error,
    },
    /// A row has a value that does not parse.
    #[error("{path}, line {line}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Two rows that cannot both hold (a Y-tunnus standing for two members in one year, a
    /// member listed twice for one year): its figures would be counted twice.
    #[error("{path}, lines {first} and {second}: {message}")]
    Conflict {
        /// The file.
        path: PathBuf,
        /// The earlier line.
        first: u64,
        /// The later line.
        second: u64,
        /// What the two lines say that cannot both be true.
        message: String,
    },
    /// The registry has no member.
    #[error("{path} lists no member (a header only): every return would be quarantined")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// The years a period covers, as text (`2020–`, `–2019`, `all years`).
fn years(p: &ProviderPeriod) -> String {
    match (p.valid_from, p.valid_to) {
        (None, None) => "all years".into(),
        (Some(f), None) => format!("{f}–"),
        (None, Some(t)) => format!("–{t}"),
        (Some(f), Some(t)) if f == t => f.to_string(),
        (Some(f), Some(t)) => format!("{f}–{t}"),
    }
}

/// Whether two periods share a year.
fn overlap(a: &ProviderPeriod, b: &ProviderPeriod) -> bool {
    let (a0, a1) = (a.valid_from.unwrap_or(i32::MIN), a.valid_to.unwrap_or(i32::MAX));
    let (b0, b1) = (b.valid_from.unwrap_or(i32::MIN), b.valid_to.unwrap_or(i32::MAX));
    a0 <= b1 && b0 <= a1
}

/// One period during which a provider id stood for a member school.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderPeriod {
    /// The provider's business id.
    pub ytunnus: Ytunnus,
    /// The provider's name.
    pub provider_name: String,
    /// First statistical year (inclusive), `None` = always.
    pub valid_from: Option<i32>,
    /// Last statistical year (inclusive), `None` = still valid.
    pub valid_to: Option<i32>,
}

impl ProviderPeriod {
    /// Whether this provider id stood for the member in `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.valid_from.is_none_or(|f| year >= f) && self.valid_to.is_none_or(|t| year <= t)
    }
}

/// A member school with its provider ids over time.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Short stable id (`helsinki`, `turku`…), used in file names and tables.
    pub id: String,
    /// Name in Finnish (or the school's own language) as registered.
    pub name: String,
    /// The language the school is written to in.
    pub lang: Lang,
    /// Provider ids with validity years.
    pub periods: Vec<ProviderPeriod>,
}

impl Member {
    /// The provider id valid in `year`, if any.
    pub fn ytunnus_in(&self, year: i32) -> Option<&Ytunnus> {
        self.periods.iter().find(|p| p.covers(year)).map(|p| &p.ytunnus)
    }
}

#[derive(Deserialize)]
struct MemberRow {
    member_id: String,
    name_fi: String,
    #[serde(default)]
    provider_name: String,
    y_tunnus: String,
    #[serde(default)]
    valid_from: Option<i32>,
    #[serde(default)]
    valid_to: Option<i32>,
    #[serde(default)]
    lang: Option<String>,
}

/// The member registry.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    members: Vec<Member>,
    /// Index of each member id in `members` (look-ups per table cell must not scan).
    by_id: std::collections::HashMap<String, usize>,
}

impl Registry {
    /// Reads a registry CSV: `member_id,name_fi,y_tunnus` at least; optional `provider_name`,
    /// `valid_from`, `valid_to` (years, inclusive) and `lang`. A member with several provider
    /// ids has one row per id.
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        let csv_err = |source| RegistryError::Csv { path: path.to_owned(), source };
        let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path).map_err(csv_err)?;
        let mut members: Vec<Member> = Vec::new();
        // Every period with its line and member, to check the registry as a whole.
        let mut seen: Vec<(u64, String, String, ProviderPeriod)> = Vec::new();
        for (i, row) in rdr.deserialize::<MemberRow>().enumerate() {
            let line = i as u64 + 2;
            let row_err = |message: String| RegistryError::Row { path: path.to_owned(), line, message };
            let row = row.map_err(csv_err)?;
            let ytunnus = Ytunnus::parse(&row.y_tunnus)
                .map_err(|e| row_err(format!("y_tunnus '{}': {e}", row.y_tunnus)))?;
            let lang = match row.lang.as_deref().filter(|s| !s.is_empty()) {
                Some(l) => l.parse().map_err(row_err)?,
                None => Lang::Fi,
            };
            let period = ProviderPeriod {
                ytunnus,
                provider_name: row.provider_name,
                valid_from: row.valid_from,
                valid_to: row.valid_to,
            };
            if row.member_id.is_empty() {
                return Err(row_err("member_id is empty".into()));
            }
            if let (Some(f), Some(t)) = (period.valid_from, period.valid_to)
                && f > t
            {
                return Err(row_err(format!("valid_from {f} is after valid_to {t}")));
            }
            for (first, id, name, p) in &seen {
                let conflict = |message: String| RegistryError::Conflict { path: path.to_owned(), first: *first, second: line, message };
                if *id == row.member_id && *name != row.name_fi {
                    return Err(conflict(format!("member id {id} is given to two schools, {name} and {}", row.name_fi)));
                }
                if !overlap(p, &period) {
                    continue;
                }
                if p.ytunnus == period.ytunnus && *id != row.member_id {
                    return Err(conflict(format!(
                        "Y-tunnus {} stands for two members in overlapping years, {id} ({}) and {} ({}): their figures would be counted twice",
                        period.ytunnus,
                        years(p),
                        row.member_id,
                        years(&period)
                    )));
                }
                if *id == row.member_id {
                    return Err(conflict(format!(
                        "member {id} is listed twice for overlapping years ({} with {}, {} with {}): its figures would be counted twice",
                        years(p),
                        p.ytunnus,
                        years(&period),
                        period.ytunnus
                    )));
                }
            }
            seen.push((line, row.member_id.clone(), row.name_fi.clone(), period.clone()));
            match members.iter_mut().find(|m| m.id == row.member_id) {
                Some(m) => m.periods.push(period),
                None => members.push(Member { id: row.member_id, name: row.name_fi, lang, periods: vec![period] }),
            }
        }
        if members.is_empty() {
            return Err(RegistryError::Empty { path: path.to_owned() });
        }
        Ok(Self::from_members(members))
    }

    /// Builds a registry from members (for tests and generators).
    pub fn from_members(members: Vec<Member>) -> Self {
        let by_id = members.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
        Self { members, by_id }
    }

    /// All members in registry order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// A member by id.
    pub fn get(&self, id: &str) -> Option<&Member> {
        self.by_id.get(id).map(|i| &self.members[*i])
    }

    /// The member whose provider id was `ytunnus` in `year`.
    pub fn member_for(&self, ytunnus: &Ytunnus, year: i32) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.periods.iter().any(|p| &p.ytunnus == ytunnus && p.covers(year)))
    }

    /// The member that ever had provider id `ytunnus`, with the years it was valid.
    pub fn member_any_year(&self, ytunnus: &Ytunnus) -> Option<(&Member, &ProviderPeriod)> {
        self.members
            .iter()
            .find_map(|m| m.periods.iter().find(|p| &p.ytunnus == ytunnus).map(|p| (m, p)))
    }

    /// `(member_id, ytunnus, valid_from, valid_to)` for every period: the join table of transform.
    pub fn periods(&self) -> impl Iterator<Item = (&Member, &ProviderPeriod)> {
        self.members.iter().flat_map(|m| m.periods.iter().map(move |p| (m, p)))
    }
}

/// A qualification of the catalogue with its names.
#[derive(Clone, Debug, PartialEq)]
pub struct Qualification {
    /// The code.
    pub code: QualificationCode,
    /// Names in fi, sv, en.
    pub names: (String, String, String),
    /// `music` or `dance`.
    pub field: String,
}

impl Qualification {
    /// The name in one language.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fi => &self.names.0,
            Lang::Sv => &self.names.1,
            Lang::En => &self.names.2,
        }
    }
}

#[derive(Deserialize)]
struct QualificationRow {
    code: String,
    name_fi: String,
    name_sv: String,
    name_en: String,
    field: String,
}

/// The qualification catalogue (`code,name_fi,name_sv,name_en,field`).
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    items: BTreeMap<QualificationCode, Qualification>,
}

impl Catalogue {
    /// Reads the catalogue CSV.
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        let csv_err = |source| RegistryError::Csv { path: path.to_owned(), source };
        let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path).map_err(csv_err)?;
        let mut items = BTreeMap::new();
        for (i, row) in rdr.deserialize::<QualificationRow>().enumerate() {
            let row = row.map_err(csv_err)?;
            let code = QualificationCode::parse(&row.code).ok_or_else(|| RegistryError::Row {
                path: path.to_owned(),
                line: i as u64 + 2,
                message: format!("'{}' is not a six-digit qualification code", row.code),
            })?;
            items.insert(
                code,
                Qualification { code, names: (row.name_fi, row.name_sv, row.name_en), field: row.field },
            );
        }
        Ok(Self { items })
    }

    /// A qualification by code.
    pub fn get(&self, code: QualificationCode) -> Option<&Qualification> {
        self.items.get(&code)
    }

    /// Finds a qualification by its code or its name in any language (folded).
    pub fn find(&self, text: &str) -> Option<&Qualification> {
        if let Some(code) = QualificationCode::parse(text) {
            return self.items.get(&code);
        }
        let f = crate::domain::fold(text);
        // "321204 Musiikkialan perustutkinto": a code followed by its name.
        if let Some(code) = text.split_whitespace().next().and_then(QualificationCode::parse) {
            return self.items.get(&code);
        }
        self.items.values().find(|q| {
            [&q.names.0, &q.names.1, &q.names.2].iter().any(|n| crate::domain::fold(n) == f)
        })
    }
}
