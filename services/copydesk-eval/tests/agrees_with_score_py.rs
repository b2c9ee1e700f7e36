//! Checks that this crate prints exactly what shared/tools/score.py prints for the same output.
//!
//! The outputs are made from the gold annotations themselves, cut, mangled and partly wrong,
//! so that every metric lands strictly between its extremes and a drift in any of them shows.
//! The four dev sets are scored as shipped; aeb and wcxb, which are not shipped, are scored on
//! small gold folders written here, full of the Unicode corner cases that Rust and Python see
//! differently unless the port is careful.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use copydesk_eval::{GoldRow, MetricValue, Report, Set, load_gold, load_output_jsonl, score};
use serde_json::{Value, json};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Runs the reference script; a missing python3 or script fails the test rather than skip it.
fn python_stdout(set: Set, gold_dir: &Path, output: &Path) -> String {
    let script = shared().join("tools/score.py");
    assert!(script.is_file(), "reference scorer not found at {}", script.display());
    let run = Command::new("python3")
        .arg(&script)
        .arg(set.name())
        .arg(gold_dir)
        .arg(output)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (needed to run {}): {e}", script.display()));
    assert!(run.status.success(), "score.py {set} failed: {}\n{}", run.status, String::from_utf8_lossy(&run.stderr));
    String::from_utf8(run.stdout).expect("score.py prints UTF-8")
}

fn rust_report(set: Set, gold_dir: &Path, output: &Path) -> Report {
    let gold = load_gold(set, gold_dir).expect("gold loads");
    let predictions = load_output_jsonl(output).expect("output loads");
    score(&gold, &predictions)
}

/// Scores with both implementations, demands identical text, and returns the report.
fn assert_agrees(set: Set, gold_dir: &Path, output: &Path) -> Report {
    let expected = python_stdout(set, gold_dir, output);
    let report = rust_report(set, gold_dir, output);
    assert_eq!(report.to_string(), expected, "{set}: Rust and score.py disagree");
    report
}

/// A metric strictly inside (0, 1) proves the synthetic output is neither all right nor all wrong.
fn assert_between(report: &Report, name: &str) {
    match report.get(name) {
        Some(MetricValue::Float(x)) => assert!(x > 0.0 && x < 1.0, "{name} = {x} is trivial"),
        other => panic!("{name} missing or not a ratio: {other:?}\n{report}"),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("agrees-{name}"));
    if dir.exists() {
        fs::remove_dir_all(&dir).expect("clear scratch dir");
    }
    fs::create_dir_all(&dir).expect("make scratch dir");
    dir
}

fn prefix(s: &str, num: usize, den: usize) -> String {
    let n = s.chars().count() * num / den;
    s.chars().take(n).collect()
}

fn suffix(s: &str, num: usize, den: usize) -> String {
    let n = s.chars().count() * num / den;
    s.chars().skip(n).collect()
}

/// A plausible but imperfect output line for a gold row, varied by the row's index.
fn synthetic_line(i: usize, row: &GoldRow) -> Value {
    let key = &row.key;
    let mut o = serde_json::Map::new();
    match i % 4 {
        0 => o.insert("source".into(), json!(format!("/crawl/pages/{key}.html.gz"))),
        1 => o.insert("input".into(), json!(format!("{key}.html"))),
        2 => {
            o.insert("source".into(), json!(""));
            o.insert("input".into(), json!(format!("some/dir/{key}.txt")))
        }
        _ => o.insert("source".into(), json!(key)),
    };
    let text = match &row.body {
        Some(body) => match i % 6 {
            0 => Some(body.clone()),
            1 => Some(prefix(body, 1, 2)),
            2 => Some(format!("{}\n\nShare this on Facebook. Subscribe now!", suffix(body, 1, 3))),
            3 => None,
            4 => Some(format!("Cookie notice. {}", prefix(body, 9, 10))),
            _ => Some(body.to_uppercase()),
        },
        None => {
            let with: Vec<&str> = row.with.iter().map(String::as_str).collect();
            let without: Vec<&str> = row.without.iter().map(String::as_str).collect();
            match i % 4 {
                0 => Some(with.join("\n\n").to_uppercase()),
                1 => Some(format!("{}\n{}", prefix(&with.join(" "), 1, 2), without.join(" "))),
                2 => Some(with.join("   \u{a0}").replace(' ', "\n \t")),
                _ => None,
            }
        }
    };
    if let Some(text) = text {
        o.insert("text".into(), json!(text));
    }
    match (&row.title, i % 3) {
        (Some(t), 0) => o.insert("title".into(), json!(format!("  {}\n", t.to_uppercase()))),
        (Some(t), 1) => o.insert("title".into(), json!(format!("Breaking: {t}"))),
        (_, 2) => o.insert("title".into(), Value::Null),
        _ => o.insert("title".into(), json!("Home")),
    };
    let authors = match (&row.authors, i % 5) {
        (Some(a), 0) => json!(a),
        (Some(a), 1) => json!(a.iter().map(|n| json!({ "name": n.to_uppercase() })).collect::<Vec<_>>()),
        (Some(a), 2) => json!(a.join(" and ")),
        (Some(_), 3) => json!(["Staff Reporter"]),
        (None, 0) => json!([]),
        _ => Value::Null,
    };
    o.insert("authors".into(), authors);
    let date = match (&row.date, i % 5) {
        (Some(d), 0) => json!(format!("{d}T08:00:00+02:00")),
        (Some(d), 1) => json!(format!("  {d}")),
        (Some(d), 2) => json!(d),
        (_, 3) => json!("2001-01-01T00:00:00Z"),
        _ => Value::Null,
    };
    o.insert("publishedAt".into(), date);
    // The publisher's own day (`publishedLocal`) wins over `publishedAt` when it is truthy, even
    // when it is wrong or not a string; a falsy one falls through to `publishedAt`.
    let local = match (&row.date, i % 7) {
        (Some(d), 1) => Some(json!(format!("{d}T01:30:00+02:00"))),
        (Some(_), 2) => Some(json!("")),
        (Some(_), 4) => Some(json!("1999-12-31T20:00:00-05:00")),
        (_, 5) => Some(json!(20200101)),
        (_, 6) => Some(Value::Null),
        _ => None,
    };
    if let Some(local) = local {
        o.insert("publishedLocal".into(), local);
    }
    Value::Object(o)
}

/// Writes the synthetic output for a gold set: some pages left out, some written twice (the
/// later line wins), blank lines and pages the gold does not know mixed in.
fn write_output(dir: &Path, gold_rows: &[GoldRow]) -> PathBuf {
    let mut lines = vec![json!({"source": "/crawl/pages/not-in-gold.html.gz", "text": "x"}).to_string()];
    for (i, row) in gold_rows.iter().enumerate() {
        if i % 7 == 3 {
            continue;
        }
        if i % 11 == 5 {
            lines.push(json!({"source": format!("{}.htm", row.key), "text": "stale"}).to_string());
            lines.push("  ".to_owned());
        }
        lines.push(synthetic_line(i, row).to_string());
    }
    let path = dir.join("output.jsonl");
    fs::write(&path, lines.join("\r\n") + "\n").expect("write output");
    path
}

fn check_dev_set(set: Set, metrics: &[&str]) {
    let gold_dir = shared().join("corpus/dev").join(set.name());
    assert!(gold_dir.is_dir(), "dev set not found at {}", gold_dir.display());
    let gold = load_gold(set, &gold_dir).expect("gold loads");
    let output = write_output(&scratch(set.name()), &gold.rows);
    let report = assert_agrees(set, &gold_dir, &output);
    match report.get("missing_outputs") {
        Some(MetricValue::Int(n)) => assert!(n > 0, "every page has output"),
        other => panic!("missing_outputs: {other:?}"),
    }
    for name in metrics {
        assert_between(&report, name);
    }
}

#[test]
fn daniel_agrees() {
    check_dev_set(Set::Daniel, &["body_precision", "body_recall", "body_f1", "body_f1_Greek"]);
}

#[test]
fn chinese_agrees() {
    check_dev_set(Set::Chinese, &["body_f1", "date_precision", "author_accuracy"]);
}

#[test]
fn mediacloud_agrees() {
    check_dev_set(Set::Mediacloud, &["date_accuracy", "date_precision"]);
}

#[test]
fn trafilatura_agrees() {
    check_dev_set(Set::Trafilatura, &["snippet_f1", "date_accuracy", "author_accuracy", "title_accuracy"]);
}

#[test]
fn handmade_aeb_agrees() {
    let dir = scratch("aeb");
    // Keys out of sorted order and one repeated: rows must follow the file, the last value win.
    let gold = r#"{
        "zeta": {"articleBody": "Ο ΟΔΥΣΣΕΥΣ ΚΑΙ ο σκύλος του ΑΡΓΟΣ περίμεναν στην Ιθάκη για χρόνια"},
        "alpha": {"articleBody": null},
        "mid": {"articleBody": ""},
        "zeta": {"articleBody": "The dog Argos waited twenty years for Odysseus to come home"},
        "short": {"articleBody": "two words"},
        "cjk": {"articleBody": "日本語のテキストABC123漢字 한국어 텍스트"}
    }"#;
    fs::write(dir.join("ground-truth.json"), gold).expect("write gold");
    let output = dir.join("out.jsonl");
    let lines = [
        r#"{"source": "x/zeta.html.gz", "text": "The dog Argos waited twenty years, then died"}"#,
        r#"{"source": "alpha.txt", "text": "anything at all"}"#,
        r#"{"source": "mid.html", "text": ""}"#,
        r#"{"source": "short.gz", "text": "two words"}"#,
        r#"{"source": "cjk", "text": "日本語のテキスト ABC123漢字"}"#,
    ];
    fs::write(&output, lines.join("\n")).expect("write output");
    let report = assert_agrees(Set::Aeb, &dir, &output);
    assert_between(&report, "body_f1");
}

#[test]
fn handmade_wcxb_agrees() {
    let dir = scratch("wcxb");
    let truth = dir.join("ground-truth");
    fs::create_dir_all(&truth).expect("make gold dir");
    let pages = [
        (
            "p1.json",
            json!({
            "main_content": "ΟΔΥΣΣΕΥΣ ΚΑΙ Ο ΣΚΥΛΟΣ ΤΟΥ περίμεναν στην Ιθάκη",
            "title": "ΟΔΥΣΣΕΥΣ", "author": "Anna Müller und Hans Groß",
            "publish_date": "2021-03-04", "with": ["ΣΚΥΛΟΣ ΤΟΥ"], "without": ["Share"]}),
        ),
        (
            "p2.html.json",
            json!({
            "main_content": "日本語のテキストABC123漢字 한국어 텍스트 𠀀𠀁ab",
            "title": "ＦＵＬＬＷＩＤＴＨ  Title", "author": ["張三、李四", {"name": "Wang & Li"}],
            "publish_date": "２０２１-０１-０２", "with": ["ＡＢＣ１２３"]}),
        ),
        (
            "p3.json",
            json!({
            "main_content": null, "title": null, "author": "", "publish_date": 12345,
            "with": "ab", "without": []}),
        ),
        (
            "p4.json",
            json!({
            "main_content": "", "title": "İstanbul ǅemal", "author": {"name": "X"},
            "publish_date": "  2019-12-31T23:00:00Z", "with": [null, "x"]}),
        ),
        (
            "p5.json",
            json!({
            "main_content": "word\u{1c}sep cafe\u{301} e\u{301}te\u{301} naïve_snake ½ ²",
            "title": "Ａ\u{1f}Ｂ", "author": "Smith, J.; Doe and Roe & Co, Band Und Sandy",
            "publish_date": "2020-02-30"}),
        ),
    ];
    for (name, g) in pages {
        let doc = json!({ "ground_truth": g }).to_string();
        fs::write(truth.join(name), doc).expect("write gold page");
    }
    let output = dir.join("out.jsonl");
    let lines = [
        r#"{"source": "p1.html", "text": "ΟΔΥΣΣΕΥΣ ΚΑΙ Ο ΣΚΥΛΟΣ ΤΟΥ περίμεναν. Share", "title": "οδυσσευς",
           "authors": ["Hans Gross", "ANNA MÜLLER"], "publishedAt": "2021-03-04"}"#,
        r#"{"source": "p2", "text": "日本語のテキスト abc123 漢字", "title": "fullwidth-title",
           "authors": "李四、張三, wang, li", "publishedAt": "2021-01-02"}"#,
        r#"{"source": "p3", "text": "a b", "publishedAt": 20200101}"#,
        r#"{"source": "p4", "text": "X", "title": "i̇stanbul ǆemal", "authors": ["name"],
           "publishedAt": "2020-01-01T01:00:00Z", "publishedLocal": "2019-12-31T20:00:00-05:00"}"#,
        r#"{"input": "p5.htm", "text": "WORD\u001cSEP café ete naïve_snake", "title": "a b",
           "authors": [{"name": "roe"}, {"name": "smith"}, "j.", "doe", "co", "band", "sandy"]}"#,
    ];
    fs::write(&output, lines.map(|l| l.replace('\n', " ")).join("\n")).expect("write output");
    let report = assert_agrees(Set::Wcxb, &dir, &output);
    for name in ["body_f1", "snippet_f1", "date_accuracy", "author_accuracy", "title_accuracy"] {
        assert_between(&report, name);
    }
}

/// Every page dated twice, on two different days: `publishedAt` on a wrong UTC day, and
/// `publishedLocal` on the publisher's (gold) day. score.py takes the local day, so the port
/// must too: nearly all pages right, where reading `publishedAt` would make all of them wrong.
#[test]
fn the_publishers_own_day_wins_when_the_two_days_differ() {
    let set = Set::Mediacloud;
    let gold_dir = shared().join("corpus/dev").join(set.name());
    let gold = load_gold(set, &gold_dir).expect("gold loads");
    let lines: Vec<String> = gold
        .rows
        .iter()
        .filter_map(|row| {
            let d = row.date.as_deref()?;
            let utc = if d.starts_with("1999-12-31") { "2000-01-01T02:00:00Z" } else { "1999-12-31T23:30:00Z" };
            let line = json!({"source": format!("{}.html.gz", row.key), "publishedAt": utc,
                              "publishedLocal": format!("{d}T01:30:00+02:00")});
            Some(line.to_string())
        })
        .collect();
    assert!(lines.len() > 50, "mediacloud has dated pages");
    let dir = scratch("published-local");
    let output = dir.join("out.jsonl");
    fs::write(&output, lines.join("\n")).expect("write output");
    let report = assert_agrees(set, &gold_dir, &output);
    // A few gold dates have no day score.py can read; every other page is right.
    match report.get("date_accuracy") {
        Some(MetricValue::Float(x)) => assert!(x > 0.95, "{report}"),
        other => panic!("date_accuracy: {other:?}"),
    }
}
