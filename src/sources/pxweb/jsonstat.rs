//! json-stat2 responses decoded into a long frame.
//!
//! In: the response bytes. Out: one row per cell, a code column and a `<dim>_label` column per
//! dimension (named by the dimension ids the table declares: they change between table
//! versions, so nothing downstream hard-codes them) and `value` (null where the table has
//! a missing value). The row-major order of json-stat2 is kept: last dimension fastest.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;

use crate::sources::SourceError;

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

