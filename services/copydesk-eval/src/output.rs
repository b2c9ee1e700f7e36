//! Reading `copydesk extract --format jsonl` output into per-page predictions, keyed like score.py.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::EvalError;
use crate::pyjson::{author_entries, kind, str_or_empty, truthy};
use crate::pystr::strip;

/// What one output line claims about a page, reduced to the fields score.py reads.
///
/// A page without an output line scores as `Prediction::default()`, which is what score.py's
/// `pred.get(k, {})` amounts to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prediction {
    /// The body; absent, null or otherwise falsy in the JSON reads as "".
    pub text: String,
    /// The title; absent or null reads as "".
    pub title: String,
    /// Author names as given (strings, or the `name` of objects), not yet normalised or split.
    pub authors: Vec<String>,
    /// The value score.py takes the day from: `publishedLocal` (the publisher's own day) when it
    /// is truthy, else `publishedAt`; "" when that value is not a string (score.py's `day()`
    /// ignores non-strings, so a truthy non-string `publishedLocal` hides `publishedAt`).
    pub published: String,
}

/// The page key score.py derives from an output line's `source`: the path's last `/`-separated
/// component with `.gz`, `.html`, `.htm`, `.txt` each stripped once, in that order, so that
/// `a/x.html.gz` is `x` but `x.gz.html` stays `x.gz`.
#[must_use]
pub fn key_for_source(source: &str) -> String {
    let base = source.rsplit('/').next().unwrap_or(source);
    stem(base).to_owned()
}

/// score.py's `stem`: the suffix loop of `key_for_source` without taking the basename.
pub(crate) fn stem(name: &str) -> &str {
    let mut name = name;
    for suffix in [".gz", ".html", ".htm", ".txt"] {
        name = name.strip_suffix(suffix).unwrap_or(name);
    }
    name
}

/// Reads an output JSONL file: one JSON object per line, blank lines skipped, a later line for
/// the same page replacing an earlier one.
pub fn load_output_jsonl(path: &Path) -> Result<HashMap<String, Prediction>, EvalError> {
    let text = read_text(path)?;
    parse_output_jsonl(&text, path)
}

/// [`load_output_jsonl`] on text already in memory; `origin` only names it in errors.
pub fn parse_output_jsonl(text: &str, origin: &Path) -> Result<HashMap<String, Prediction>, EvalError> {
    let mut out = HashMap::new();
    for (index, raw) in universal_newlines(text).split('\n').enumerate() {
        let line_no = index + 1;
        let line = strip(raw);
        if line.is_empty() {
            continue;
        }
        let record = |message: String| EvalError::Record { path: origin.to_owned(), line: line_no, message };
        let value: Value = crate::pyjson::parse(line).map_err(|source| EvalError::Json {
            path: origin.to_owned(),
            line: line_no,
            source,
        })?;
        let Value::Object(obj) = &value else {
            return Err(record(format!("expected a JSON object, found {}", kind(&value))));
        };
        // `o.get("source") or o.get("input") or ""`: an empty source falls through to input.
        let source = match [obj.get("source"), obj.get("input")].into_iter().flatten().find(|v| truthy(v)) {
            None => "",
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(record(format!("source is {}, not a string", kind(other)))),
        };
        let prediction = Prediction {
            text: str_or_empty(obj.get("text"), "text").map_err(record)?,
            title: str_or_empty(obj.get("title"), "title").map_err(record)?,
            authors: author_entries(obj.get("authors"), "authors").map_err(record)?.unwrap_or_default(),
            // `o.get("publishedLocal") or o.get("publishedAt")`, then `day()` of a string only.
            published: match [obj.get("publishedLocal"), obj.get("publishedAt")]
                .into_iter()
                .flatten()
                .find(|v| truthy(v))
            {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            },
        };
        out.insert(key_for_source(source), prediction);
    }
    Ok(out)
}

/// Reads a UTF-8 file the way Python's text mode does (see [`universal_newlines`]).
pub(crate) fn read_text(path: &Path) -> Result<String, EvalError> {
    let text = fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
    Ok(universal_newlines(&text).into_owned())
}

/// Python's text-mode newline translation: `\r\n` and a lone `\r` both end a line.
fn universal_newlines(text: &str) -> Cow<'_, str> {
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n").into() } else { text.into() }
}
