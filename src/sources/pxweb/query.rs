//! A table's metadata and the queries built from it: variables and values named in the
//! pipeline (by code, the start of a code, or a label) resolved to the codes of this version of
//! the table.

use std::collections::BTreeMap;

use serde::Deserialize;

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

/// The variable a `select` key names: the one whose code is the key, else the only one whose
/// code starts with it. None or several is an error naming the key and the variables found.
pub fn variable<'m>(meta: &'m Metadata, key: &str) -> Result<&'m Variable, String> {
    if let Some(v) = meta.variables.iter().find(|v| v.code == key) {
        return Ok(v);
    }
    let found: Vec<&Variable> = meta.variables.iter().filter(|v| v.code.starts_with(key)).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => {
            let codes: Vec<&str> = meta.variables.iter().map(|v| v.code.as_str()).collect();
            Err(format!("no variable whose code starts with '{key}' (the table has: {})", codes.join(", ")))
        }
        many => {
            let codes: Vec<&str> = many.iter().map(|v| v.code.as_str()).collect();
            Err(format!("'{key}' names several variables ({}): give more of the code", codes.join(", ")))
        }
    }
}

/// The one value of a variable that a selection entry means. An entry is one or more
/// alternatives separated by `|` (`"S|SSS|Yhteensä"`), each a value code, a code's tail after a
/// prefix (`02` finds `KA_02`), or a label (case and surrounding spaces ignored); an exact code
/// is taken before a tail, a tail before a label. The alternatives must together find exactly
/// one value: none, or several, is an error naming the variable and the values found.
pub fn value<'m>(var: &'m Variable, entry: &str) -> Result<&'m str, String> {
    let label = |i: usize| var.value_texts.get(i).map(String::as_str).unwrap_or("");
    let mut found: Vec<usize> = Vec::new();
    for alt in entry.split('|').map(str::trim).filter(|a| !a.is_empty()) {
        let exact: Vec<usize> = (0..var.values.len()).filter(|i| var.values[*i] == alt).collect();
        let tail: Vec<usize> = (0..var.values.len()).filter(|i| var.values[*i].ends_with(&format!("_{alt}"))).collect();
        let wanted = alt.to_lowercase();
        let by_label: Vec<usize> = (0..var.values.len()).filter(|i| label(*i).trim().to_lowercase() == wanted).collect();
        let tier = [exact, tail, by_label].into_iter().find(|t| !t.is_empty()).unwrap_or_default();
        for i in tier {
            if !found.contains(&i) {
                found.push(i);
            }
        }
    }
    let shown = |is: &mut dyn Iterator<Item = usize>| is.map(|i| format!("{} '{}'", var.values[i], label(i))).collect::<Vec<_>>().join(", ");
    match found.as_slice() {
        [one] => Ok(var.values[*one].as_str()),
        [] => Err(format!(
            "variable {} has no value '{entry}' (values: {}{})",
            var.code,
            shown(&mut (0..var.values.len()).take(12)),
            if var.values.len() > 12 { ", …" } else { "" }
        )),
        many => Err(format!(
            "variable {}: '{entry}' matches {} values where one is meant ({}): name one",
            var.code,
            many.len(),
            shown(&mut many.iter().copied())
        )),
    }
}

/// Builds the queries for a selection: `select` maps a variable code (or the start of one) to
/// the values wanted, each resolved by [`value`] (`*` = all). Variables not named are left out
/// where the table allows elimination (the service then sums them over all their values), else
/// taken whole. A selection over `max_cells` is split along the time variable (or the longest
/// one) into several queries.
pub fn queries(meta: &Metadata, select: &BTreeMap<String, Vec<String>>, max_cells: u64) -> Result<Vec<serde_json::Value>, String> {
    let mut chosen: Vec<(String, Vec<String>, bool)> = Vec::new();
    for (prefix, wanted) in select {
        let var = variable(meta, prefix)?;
        if chosen.iter().any(|(c, _, _)| *c == var.code) {
            return Err(format!("variable {} is selected twice (by '{prefix}' and another key)", var.code));
        }
        let values = if wanted.iter().any(|w| w == "*") {
            var.values.clone()
        } else {
            let mut values: Vec<String> = Vec::with_capacity(wanted.len());
            for w in wanted {
                let v = value(var, w)?.to_owned();
                if values.contains(&v) {
                    return Err(format!("variable {}: '{w}' is value {v} again", var.code));
                }
                values.push(v);
            }
            values
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

