//! Loading the gold annotations of each set into rows, in the order score.py builds them.

use std::fs;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::output::{read_text, stem};
use crate::pyjson::{OrderedObject, author_entries, iterate, kind, str_or_empty, truthy};
use crate::pystr::{split_whitespace, strip};
use crate::{EvalError, Set};

/// One annotated page. Each `Option` is `Some` exactly when score.py's test for that metric
/// (`body is not None`, or the truthiness of `date`, `authors`, `title`) admits the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoldRow {
    /// The page key that output lines are matched on.
    pub key: String,
    /// The reference body.
    pub body: Option<String>,
    /// The page language (daniel only), for the per-language body F1.
    pub lang: Option<String>,
    /// Snippets that must be in the body, as annotated (not yet normalised).
    pub with: Vec<String>,
    /// Snippets that must not be in the body.
    pub without: Vec<String>,
    /// The value `day()` is taken of; "" stands for an annotated value that is not a string.
    pub date: Option<String>,
    /// Author names as annotated, not yet normalised or split.
    pub authors: Option<Vec<String>>,
    /// The annotated title.
    pub title: Option<String>,
}

/// A loaded gold set: its rows in score.py's order, which fixes the float summation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gold {
    pub set: Set,
    pub rows: Vec<GoldRow>,
}

/// Loads the gold annotations of `set` from its folder, as score.py's `main` does.
pub fn load_gold(set: Set, gold_dir: &Path) -> Result<Gold, EvalError> {
    let rows = match set {
        Set::Aeb => load_aeb(gold_dir)?,
        Set::Daniel => load_daniel(gold_dir)?,
        Set::Chinese => load_chinese(gold_dir)?,
        Set::Mediacloud => load_mediacloud(gold_dir)?,
        Set::Trafilatura => load_trafilatura(gold_dir)?,
        Set::Wcxb => load_wcxb(gold_dir)?,
    };
    Ok(Gold { set, rows })
}

fn load_aeb(dir: &Path) -> Result<Vec<GoldRow>, EvalError> {
    let path = dir.join("ground-truth.json");
    let gt: OrderedObject = read_json(&path)?;
    let bad = |m: String| EvalError::gold(&path, m);
    let mut rows = Vec::new();
    for (key, v) in gt.0 {
        let body = as_object(&v, &key)
            .and_then(|o| required(o, "articleBody", &key))
            .and_then(|b| body_value(b, &key))
            .map_err(bad)?;
        rows.push(GoldRow { key, body, ..GoldRow::default() });
    }
    Ok(rows)
}

fn load_daniel(dir: &Path) -> Result<Vec<GoldRow>, EvalError> {
    let lg_path = dir.join("doc_lg.json");
    let lg: Value = read_json(&lg_path)?;
    let Value::Object(lg) = lg else {
        return Err(EvalError::gold(&lg_path, "expected a JSON object"));
    };
    let mut rows = Vec::new();
    for file in sorted_names(&dir.join("reference"))? {
        let key = stem(&file).to_owned();
        let reference = read_text(&dir.join("reference").join(&file))?;
        // `lg.get(k, lg.get(f, "?"))`: a key that is present wins even if its value is null.
        let lang = match lg.get(&key).or_else(|| lg.get(&file)) {
            None => "?".to_owned(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                let msg = format!("{key}: language is {}, not a string", kind(other));
                return Err(EvalError::gold(&lg_path, msg));
            }
        };
        rows.push(GoldRow { key, body: Some(replace_tags(&reference)), lang: Some(lang), ..GoldRow::default() });
    }
    Ok(rows)
}

fn load_chinese(dir: &Path) -> Result<Vec<GoldRow>, EvalError> {
    let mut rows = Vec::new();
    for file in sorted_names(&dir.join("cleaned"))? {
        let read =
            |sub: &str| -> Result<String, EvalError> { Ok(strip(&read_text(&dir.join(sub).join(&file))?).to_owned()) };
        let (author, date) = (read("author")?, read("date")?);
        let authors: Vec<String> = split_whitespace(&author).map(str::to_owned).collect();
        // `d[:10]` counts code points, and an empty result is as falsy as "UNKNOWN".
        let day: String = date.chars().take(10).collect();
        rows.push(GoldRow {
            key: stem(&file).to_owned(),
            body: Some(read("cleaned")?),
            authors: (author != "UNKNOWN" && !authors.is_empty()).then_some(authors),
            date: (date != "UNKNOWN" && !day.is_empty()).then_some(day),
            ..GoldRow::default()
        });
    }
    Ok(rows)
}

fn load_mediacloud(dir: &Path) -> Result<Vec<GoldRow>, EvalError> {
    let path = dir.join("eval_mediacloud_2020.json");
    let gt: OrderedObject = read_json(&path)?;
    let mut rows = Vec::new();
    for (url, v) in &gt.0 {
        let row = as_object(v, url).and_then(|o| {
            Ok(GoldRow { key: file_key(o, url)?, date: date_value(required(o, "date", url)?), ..GoldRow::default() })
        });
        rows.push(row.map_err(|m| EvalError::gold(&path, m))?);
    }
    Ok(rows)
}

fn load_trafilatura(dir: &Path) -> Result<Vec<GoldRow>, EvalError> {
    let path = dir.join("evaldata-sample.json");
    let gt: OrderedObject = read_json(&path)?;
    let mut rows = Vec::new();
    for (name, v) in &gt.0 {
        let row = as_object(v, name).and_then(|o| {
            Ok(GoldRow {
                key: file_key(o, name)?,
                with: snippets(o.get("with"), name)?,
                without: snippets(o.get("without"), name)?,
                authors: author_entries(o.get("author"), &format!("{name}: author"))?,
                date: o.get("date").and_then(date_value),
                title: title_value(o.get("title"), name)?,
                ..GoldRow::default()
            })
        });
        rows.push(row.map_err(|m| EvalError::gold(&path, m))?);
    }
    Ok(rows)
}

fn load_wcxb(dir: &Path) -> Result<Vec<GoldRow>, EvalError> {
    let mut rows = Vec::new();
    for file in sorted_names(&dir.join("ground-truth"))? {
        let path = dir.join("ground-truth").join(&file);
        let doc: Value = read_json(&path)?;
        let row =
            as_object(&doc, &file).and_then(|o| as_object(required(o, "ground_truth", &file)?, &file)).and_then(|g| {
                Ok(GoldRow {
                    key: stem(&file.replace(".json", "")).to_owned(),
                    body: match g.get("main_content") {
                        Some(b) => body_value(b, &file)?,
                        None => None,
                    },
                    with: snippets(g.get("with"), &file)?,
                    without: snippets(g.get("without"), &file)?,
                    authors: author_entries(g.get("author"), &format!("{file}: author"))?,
                    date: g.get("publish_date").and_then(date_value),
                    title: title_value(g.get("title"), &file)?,
                    ..GoldRow::default()
                })
            });
        rows.push(row.map_err(|m| EvalError::gold(&path, m))?);
    }
    Ok(rows)
}

type Object = serde_json::Map<String, Value>;

fn as_object<'a>(v: &'a Value, what: &str) -> Result<&'a Object, String> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(format!("{what}: expected an object, found {}", kind(other))),
    }
}

fn required<'a>(o: &'a Object, field: &str, what: &str) -> Result<&'a Value, String> {
    o.get(field).ok_or_else(|| format!("{what}: no {field:?}"))
}

fn file_key(o: &Object, what: &str) -> Result<String, String> {
    match required(o, "file", what)? {
        Value::String(s) => Ok(stem(s).to_owned()),
        other => Err(format!("{what}: file is {}, not a string", kind(other))),
    }
}

/// A body that is null is "no body"; any other value goes through `text or ""`.
fn body_value(v: &Value, what: &str) -> Result<Option<String>, String> {
    if v.is_null() {
        return Ok(None);
    }
    str_or_empty(Some(v), &format!("{what}: body")).map(Some)
}

/// A truthy date that is not a string is still a dated row, whose `day()` is "".
fn date_value(v: &Value) -> Option<String> {
    truthy(v).then(|| v.as_str().unwrap_or_default().to_owned())
}

fn title_value(v: Option<&Value>, what: &str) -> Result<Option<String>, String> {
    match v {
        Some(v) if truthy(v) => str_or_empty(Some(v), &format!("{what}: title")).map(Some),
        _ => Ok(None),
    }
}

/// `v.get("with") or []`, each element then read through `norm(s)`'s `s or ""`.
fn snippets(v: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    let Some(v) = v.filter(|v| truthy(v)) else {
        return Ok(Vec::new());
    };
    let what = format!("{what}: snippet");
    iterate(v, &what)?.iter().map(|item| str_or_empty(Some(item), &what)).collect()
}

/// `re.sub(r"<[^>]+>", "\n", text)`: `<` up to the next `>`, at least one character between.
pub(crate) fn replace_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) if close > 0 => {
                out.push('\n');
                rest = &after[close + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `sorted(os.listdir(dir))`: every entry, in code point order.
fn sorted_names(dir: &Path) -> Result<Vec<String>, EvalError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| EvalError::io(dir, e))? {
        let entry = entry.map_err(|e| EvalError::io(dir, e))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|raw| EvalError::gold(dir, format!("file name {raw:?} is not UTF-8")))?;
        names.push(name);
    }
    names.sort_unstable();
    Ok(names)
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, EvalError> {
    let text = read_text(path)?;
    crate::pyjson::parse(&text).map_err(|source| EvalError::Json { path: path.to_owned(), line: source.line(), source })
}
