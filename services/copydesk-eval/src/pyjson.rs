//! What score.py's loosely typed handling of `json.load` results means for a typed Rust value.
//!
//! score.py relies on Python truthiness (`x or ""`, `if g.get("date")`) and iterates whatever
//! it is given; these helpers give the same answer for every JSON shape, and report the shapes
//! on which Python would raise instead of guessing a result for them.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// Python's `bool(x)` for a value from `json.loads`.
#[must_use]
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The string behind `x or ""` where `x` then goes to `re`/`unicodedata` (which only take
/// `str`): falsy values read as "", other non-strings are a Python `TypeError`.
pub(crate) fn str_or_empty(v: Option<&Value>, what: &str) -> Result<String, String> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) if truthy(v) => Err(format!("{what} is {}, not a string", kind(v))),
        _ => Ok(String::new()),
    }
}

/// `for x in v` over a truthy value: a string yields its characters and an object its keys.
pub(crate) fn iterate(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    match v {
        Value::Array(items) => Ok(items.clone()),
        Value::String(s) => Ok(s.chars().map(|c| Value::String(c.to_string())).collect()),
        Value::Object(o) => Ok(o.keys().cloned().map(Value::String).collect()),
        other => Err(format!("{what} is {}, which is not iterable", kind(other))),
    }
}

/// The raw name strings that score.py's `names(v)` normalises and splits, or `None` when `v`
/// is falsy (so that gold rows can tell "no author annotated" from "annotated but blank").
pub(crate) fn author_entries(v: Option<&Value>, what: &str) -> Result<Option<Vec<String>>, String> {
    let Some(v) = v.filter(|v| truthy(v)) else {
        return Ok(None);
    };
    if let Value::String(s) = v {
        return Ok(Some(vec![s.clone()]));
    }
    let mut out = Vec::new();
    for item in iterate(v, what)? {
        let name = match &item {
            Value::Object(o) => str_or_empty(o.get("name"), &format!("{what} name"))?,
            other => str_or_empty(Some(other), &format!("{what} entry"))?,
        };
        out.push(name);
    }
    Ok(Some(out))
}

/// A JSON value's Python type name, for error messages.
#[must_use]
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A top-level JSON object in file order, as a Python `dict` keeps it.
///
/// score.py walks `gt.values()` to build its rows, and the row order fixes the order in which
/// per-page floats are summed; `serde_json::Map` sorts keys unless the crate-wide
/// `preserve_order` feature is on, which would change every other crate's maps too.
#[derive(Debug, Default)]
pub(crate) struct OrderedObject(pub(crate) Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = OrderedObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedObject, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            // A repeated key keeps its first position but takes the last value, as in a dict.
            match position.get(&key) {
                Some(&i) => entries[i].1 = value,
                None => {
                    position.insert(key.clone(), entries.len());
                    entries.push((key, value));
                }
            }
        }
        Ok(OrderedObject(entries))
    }
}

/// `json.loads`, which unlike strict JSON also takes the bare literals `NaN`, `Infinity` and
/// `-Infinity` (the mediacloud gold has `"date": NaN`).
///
/// Each such literal becomes the number 1 before serde_json sees it: score.py only ever asks
/// a non-string whether it is truthy (all three are) or hands it to a function that raises,
/// and 1 answers both the same way. Line numbers in errors are unchanged.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_str(&replace_nonfinite(text))
}

fn replace_nonfinite(text: &str) -> std::borrow::Cow<'_, str> {
    const LITERALS: [&str; 3] = ["NaN", "Infinity", "-Infinity"];
    if !text.contains("NaN") && !text.contains("Infinity") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text;
    while let Some(ch) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
        } else if let Some(lit) = LITERALS.iter().find(|lit| rest.starts_with(**lit)) {
            out.push('1');
            rest = &rest[lit.len()..];
            continue;
        } else if ch == '"' {
            in_string = true;
        }
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out.into()
}
