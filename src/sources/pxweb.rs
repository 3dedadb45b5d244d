//! Statistics Finland PxWeb snapshots (json-stat2 responses) decoded into a long frame.
//!
//! In: the response bytes. Out: one row per cell, a code column and a `<dim>_label` column per
//! dimension (named by the dimension ids the table declares: they change between table
//! versions, so nothing downstream hard-codes them) and `value` (null where the table has
//! a missing value). The row-major order of json-stat2 is kept: last dimension fastest.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;

use super::SourceError;

#[derive(Deserialize)]
struct Dataset {
    id: Vec<String>,
    size: Vec<usize>,
    dimension: BTreeMap<String, Dimension>,
    value: Values,
    #[serde(default)]
    updated: Option<String>,
}

#[derive(Deserialize)]
struct Dimension {
    category: Category,
}

#[derive(Deserialize)]
struct Category {
    index: Index,
    #[serde(default)]
    label: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Index {
    Map(BTreeMap<String, usize>),
    List(Vec<String>),
}

/// json-stat2 allows the values as an array or as a sparse object keyed by position.
#[derive(Deserialize)]
#[serde(untagged)]
enum Values {
    Dense(Vec<Option<f64>>),
    Sparse(BTreeMap<String, Option<f64>>),
}

/// The decoded table and its own updated stamp.
#[derive(Debug)]
pub struct Table {
    /// One row per cell.
    pub frame: DataFrame,
    /// json-stat `updated`.
    pub updated: Option<String>,
}

/// One dataset, or the parts of a query that was split under the service's cell limit.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMore {
    One(Box<Dataset>),
    More(Vec<Dataset>),
}

/// Decodes a json-stat2 dataset (or a JSON array of them, the parts of a split query) into a
/// long frame.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Table, SourceError> {
    let shape = |message: String| SourceError::Shape { path: path.to_owned(), message };
    let parts = match serde_json::from_slice(bytes).map_err(|e| shape(format!("not a json-stat2 dataset: {e}")))? {
        OneOrMore::One(ds) => vec![*ds],
        OneOrMore::More(v) => v,
    };
    let mut tables = parts.into_iter().map(|ds| decode_one(path, ds)).collect::<Result<Vec<_>, _>>()?;
    let updated = tables.iter().filter_map(|t| t.updated.clone()).max();
    let mut frame = tables.pop().map(|t| t.frame).ok_or_else(|| shape("an empty list of datasets".into()))?;
    for t in tables.into_iter().rev() {
        let mut f = t.frame;
        f.vstack_mut(&frame).map_err(|e| shape(format!("parts do not match: {e}")))?;
        frame = f;
    }
    Ok(Table { frame, updated })
}

fn decode_one(path: &Path, ds: Dataset) -> Result<Table, SourceError> {
    let shape = |message: String| SourceError::Shape { path: path.to_owned(), message };
    if ds.id.len() != ds.size.len() {
        return Err(shape(format!("{} dimension ids but {} sizes", ds.id.len(), ds.size.len())));
    }
    let total: usize = ds.size.iter().product();
    let values: Vec<Option<f64>> = match ds.value {
        Values::Dense(v) => v,
        Values::Sparse(m) => {
            let mut v = vec![None; total];
            for (k, x) in m {
                let i: usize = k.parse().map_err(|_| shape(format!("value key '{k}' is not a position")))?;
                *v.get_mut(i).ok_or_else(|| shape(format!("value position {i} beyond {total} cells")))? = x;
            }
            v
        }
    };
    if values.len() != total {
        return Err(shape(format!("{} values for {} cells (truncated?)", values.len(), total)));
    }
    // Category codes of each dimension, in index order.
    let mut codes: Vec<Vec<String>> = Vec::with_capacity(ds.id.len());
    for (id, size) in ds.id.iter().zip(&ds.size) {
        let dim = ds.dimension.get(id).ok_or_else(|| shape(format!("dimension '{id}' is declared but absent")))?;
        let mut ordered = match &dim.category.index {
            Index::List(l) => l.clone(),
            Index::Map(m) => {
                let mut v: Vec<(&String, &usize)> = m.iter().collect();
                v.sort_by_key(|(_, i)| **i);
                v.into_iter().map(|(c, _)| c.clone()).collect()
            }
        };
        if ordered.is_empty() && *size == 1 {
            ordered = dim.category.label.keys().cloned().collect();
        }
        if ordered.len() != *size {
            return Err(shape(format!("dimension '{id}' has {} categories, size says {size}", ordered.len())));
        }
        codes.push(ordered);
    }
    let mut columns: Vec<Column> = Vec::with_capacity(2 * codes.len() + 1);
    for (d, id) in ds.id.iter().enumerate() {
        // Repeat each category `inner` times, the whole block `outer` times: row-major.
        let inner: usize = ds.size[d + 1..].iter().product();
        let labels = &ds.dimension[id].category.label;
        let mut code_col = Vec::with_capacity(total);
        let mut label_col = Vec::with_capacity(total);
        for i in 0..total {
            let c = &codes[d][(i / inner) % ds.size[d]];
            code_col.push(c.as_str());
            label_col.push(labels.get(c).map(String::as_str).unwrap_or(c.as_str()));
        }
        columns.push(Column::new(id.as_str().into(), code_col));
        columns.push(Column::new(format!("{id}_label").into(), label_col));
    }
    columns.push(Column::new("value".into(), values));
    let frame = DataFrame::new(total, columns).map_err(|e| shape(e.to_string()))?;
    Ok(Table { frame, updated: ds.updated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_last_dimension_fastest() {
        let json = br#"{"id":["a","b"],"size":[2,3],
            "dimension":{"a":{"category":{"index":{"x":0,"y":1},"label":{"x":"X","y":"Y"}}},
                         "b":{"category":{"index":["1","2","3"]}}},
            "value":[1,2,3,4,null,6],"updated":"2026-05-28"}"#;
        let t = decode(Path::new("t.json"), json).unwrap();
        let df = t.frame;
        assert_eq!(df.height(), 6);
        let a: Vec<_> = df.column("a").unwrap().str().unwrap().iter().flatten().collect();
        let b: Vec<_> = df.column("b").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(a, ["x", "x", "x", "y", "y", "y"]);
        assert_eq!(b, ["1", "2", "3", "1", "2", "3"]);
        let v: Vec<_> = df.column("value").unwrap().f64().unwrap().iter().collect();
        assert_eq!(v, [Some(1.0), Some(2.0), Some(3.0), Some(4.0), None, Some(6.0)]);
        assert_eq!(df.column("a_label").unwrap().str().unwrap().get(3), Some("Y"));
        assert_eq!(t.updated.as_deref(), Some("2026-05-28"));
    }

    #[test]
    fn truncated_values_are_an_error() {
        let json = br#"{"id":["a"],"size":[2],"dimension":{"a":{"category":{"index":["p","q"]}}},"value":[1]}"#;
        let e = decode(Path::new("t.json"), json).unwrap_err().to_string();
        assert!(e.contains("1 values for 2 cells"), "{e}");
    }
}

/// The service's own limits (`GET …/{lang}/?config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PxConfig {
    /// Most values in one response.
    pub max_values: u64,
    /// Most cells in one query.
    #[serde(default)]
    pub max_cells: Option<u64>,
    /// Calls allowed per time window.
    pub max_calls: u64,
    /// The window, in seconds.
    pub time_window: u64,
}

impl PxConfig {
    /// The limit to keep: the stricter (fewer calls per second) of the service's and the
    /// documented 30 calls per 10 s.
    pub fn throttle(&self) -> (usize, std::time::Duration) {
        let (documented_calls, documented_window) = (30u64, 10u64);
        if self.max_calls * documented_window <= documented_calls * self.time_window.max(1) {
            (self.max_calls as usize, std::time::Duration::from_secs(self.time_window.max(1)))
        } else {
            (documented_calls as usize, std::time::Duration::from_secs(documented_window))
        }
    }

    /// Most cells a query may ask for.
    pub fn cells(&self) -> u64 {
        self.max_cells.unwrap_or(self.max_values).min(self.max_values)
    }
}

/// A variable of a table's metadata.
#[derive(Clone, Debug, Deserialize)]
pub struct Variable {
    /// Variable code (changes between table versions: never hard-coded).
    pub code: String,
    /// Its label.
    #[serde(default)]
    pub text: String,
    /// Value codes.
    pub values: Vec<String>,
    /// Value labels.
    #[serde(default, rename = "valueTexts")]
    pub value_texts: Vec<String>,
    /// Whether the variable may be left out of a query (summed over).
    #[serde(default)]
    pub elimination: bool,
    /// Whether it is the time variable.
    #[serde(default)]
    pub time: bool,
}

/// A table's metadata (`GET` the table URL).
#[derive(Clone, Debug, Deserialize)]
pub struct Metadata {
    /// Table title.
    #[serde(default)]
    pub title: String,
    /// Its variables.
    pub variables: Vec<Variable>,
}

/// Builds the queries for a selection: `select` maps a variable code *prefix* to the values
/// wanted, by code or label (`*` = all). Variables not named are left out where the table
/// allows elimination, else taken whole. A selection over `max_cells` is split along the time
/// variable (or the longest one) into several queries.
pub fn queries(meta: &Metadata, select: &BTreeMap<String, Vec<String>>, max_cells: u64) -> Result<Vec<serde_json::Value>, String> {
    let mut chosen: Vec<(String, Vec<String>, bool)> = Vec::new();
    for (prefix, wanted) in select {
        let var = meta
            .variables
            .iter()
            .find(|v| v.code == *prefix || v.code.starts_with(prefix.as_str()))
            .ok_or_else(|| {
                let codes: Vec<&str> = meta.variables.iter().map(|v| v.code.as_str()).collect();
                format!("no variable whose code starts with '{prefix}' (the table has: {})", codes.join(", "))
            })?;
        let values = if wanted.iter().any(|w| w == "*") {
            var.values.clone()
        } else {
            wanted
                .iter()
                .map(|w| {
                    let by_code = var.values.iter().find(|c| *c == w || c.ends_with(&format!("_{w}")));
                    let by_label = var.value_texts.iter().position(|t| t.eq_ignore_ascii_case(w)).map(|i| &var.values[i]);
                    by_code.or(by_label).cloned().ok_or_else(|| {
                        let shown: Vec<String> = var.values.iter().zip(&var.value_texts).take(12).map(|(c, t)| format!("{c} {t}")).collect();
                        format!("variable {} has no value '{w}' (values: {}…)", var.code, shown.join(", "))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        chosen.push((var.code.clone(), values, var.time));
    }
    for v in &meta.variables {
        if !v.elimination && !chosen.iter().any(|(c, _, _)| *c == v.code) {
            chosen.push((v.code.clone(), v.values.clone(), v.time));
        }
    }
    let cells: u64 = chosen.iter().map(|(_, v, _)| v.len() as u64).product();
    // Split along the time variable (or the longest) so every query stays under the limit.
    let split = chosen
        .iter()
        .position(|(_, _, t)| *t)
        .or_else(|| (0..chosen.len()).max_by_key(|i| chosen[*i].1.len()))
        .unwrap_or(0);
    let chunk = if cells <= max_cells || chosen.is_empty() {
        usize::MAX
    } else {
        let per_value = cells / chosen[split].1.len().max(1) as u64;
        if per_value > max_cells {
            return Err(format!("{cells} cells even one {} at a time exceed the service's limit of {max_cells}", chosen[split].0));
        }
        (max_cells / per_value.max(1)) as usize
    };
    let parts: Vec<Vec<String>> = if chosen.is_empty() { vec![Vec::new()] } else { chosen[split].1.chunks(chunk.max(1)).map(<[String]>::to_vec).collect() };
    Ok(parts
        .into_iter()
        .map(|part| {
            let query: Vec<serde_json::Value> = chosen
                .iter()
                .enumerate()
                .map(|(i, (code, values, _))| {
                    let values = if i == split { &part } else { values };
                    serde_json::json!({"code": code, "selection": {"filter": "item", "values": values}})
                })
                .collect();
            serde_json::json!({"query": query, "response": {"format": "json-stat2"}})
        })
        .collect())
}

/// Downloads a table: the service's limits, the metadata (codes are resolved from it on every
/// run), then one query per part. One part is stored verbatim; several as a JSON array of
/// json-stat2 datasets, which [`decode`] reads as one table.
pub async fn fetch(
    http: &super::http::Http,
    base: &url::Url,
    lang: crate::domain::Lang,
    table: &str,
    select: &BTreeMap<String, Vec<String>>,
) -> Result<(Vec<u8>, super::Provenance), SourceError> {
    let root = base.as_str().trim_end_matches('/');
    let response = |url: &url::Url, message: String| SourceError::Response { url: url.to_string(), message };
    let parse = |u: String| url::Url::parse(&u).map_err(|e| SourceError::Response { url: u.clone(), message: e.to_string() });
    let config_url = parse(format!("{root}/{}/?config", lang.code()))?;
    let table_url = parse(format!("{root}/{}/StatFin/{table}.px", lang.code()))?;
    let px: PxConfig = serde_json::from_slice(&http.get(&config_url).await?.body)
        .map_err(|e| response(&config_url, format!("not the PxWeb config ({e})")))?;
    let (calls, window) = px.throttle();
    if let Some(host) = base.host_str() {
        http.limit(host, calls, window);
    }
    let meta: Metadata = match http.get(&table_url).await {
        Ok(reply) => serde_json::from_slice(&reply.body).map_err(|e| response(&table_url, format!("not table metadata ({e})")))?,
        Err(super::http::HttpError::Status { status: status @ (400 | 404), first_line, .. }) => {
            return Err(response(
                &table_url,
                format!("table '{table}' is not there (HTTP {status}: {first_line}); its id may have changed (since June 2026 ids are short, e.g. opiskt/14rw)"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let queries = queries(&meta, select, px.cells()).map_err(|m| response(&table_url, format!("schema changed: {m}")))?;
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for q in &queries {
        parts.push(http.post_json(&table_url, q).await?.body);
    }
    let bytes = if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        let values: Vec<serde_json::Value> = parts
            .iter()
            .map(|p| serde_json::from_slice(p).map_err(|e| response(&table_url, format!("not json-stat2 ({e})"))))
            .collect::<Result<_, _>>()?;
        serde_json::to_vec(&values).expect("JSON values serialise")
    };
    let table_data = decode(std::path::Path::new(table_url.as_str()), &bytes)?;
    let provenance = super::Provenance {
        service: "statfin".into(),
        url: table_url.to_string(),
        method: "POST".into(),
        query: Some(serde_json::to_string(&queries).expect("JSON")),
        status: 200,
        fetched_at: crate::record::now(),
        sha256: String::new(),
        rows: table_data.frame.height() as u64,
        dataset_updated: table_data.updated,
        synthetic: false,
        note: Some(format!("{} ({} quer{})", meta.title, queries.len(), if queries.len() == 1 { "y" } else { "ies" })),
    };
    Ok((bytes, provenance))
}
