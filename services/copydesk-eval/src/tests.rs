//! Crate-level checks against values printed by score.py's own code under CPython 3.11.

use std::collections::HashMap;
use std::path::Path;

use crate::gold::replace_tags;
use crate::pyjson::{OrderedObject, parse};
use crate::{EvalError, MetricValue, Prediction, Set, body_scores, key_for_source};
use crate::{parse_output_jsonl, score};

#[test]
fn keys_strip_each_suffix_once_in_loop_order() {
    let cases = [
        ("/a/b/x.html.gz", "x"),
        ("x.gz.html", "x.gz"),
        ("x.txt.gz", "x"),
        ("x.htm.html", "x"),
        ("x.html.htm", "x.html"),
        ("C:\\dir\\x.html", "C:\\dir\\x"),
        ("dir/", ""),
        ("", ""),
    ];
    for (source, key) in cases {
        assert_eq!(key_for_source(source), key, "{source:?}");
    }
}

fn scores(pairs: &[(&str, &str)], cjk: bool) -> (f64, f64, f64, u64) {
    let s = body_scores(pairs.iter().copied(), cjk);
    (s.precision, s.recall, s.f1, s.pages_below_0_8)
}

#[test]
fn body_scores_match_the_reference_edge_cases() {
    assert_eq!(scores(&[("", "")], false), (0.0, 0.0, 0.0, 1));
    assert_eq!(scores(&[("a b", "a b")], false), (1.0, 1.0, 1.0, 0));
    assert_eq!(scores(&[("a b c d e", "")], false), (0.0, 0.0, 0.0, 1));
    let mixed = [("a b c d e f", "a b c d x"), ("", "x y"), ("one two three", "one two three four")];
    let sixth = 0.166_666_666_666_666_66;
    assert_eq!(scores(&mixed, false), (sixth, sixth, sixth, 3));
    let zh = [("今天天气很好我们去公园", "今天天气很好")];
    assert_eq!(scores(&zh, true), (1.0, 0.375, 0.545_454_545_454_545_4, 1));
    assert_eq!(scores(&zh, false), (0.0, 0.0, 0.0, 1));
}

#[test]
fn floats_print_with_pythons_half_even_rounding() {
    let cases = [
        (0.03125, "0.0312"),
        (0.15625, "0.1562"),
        (0.84375, "0.8438"),
        (0.96875, "0.9688"),
        (0.40625, "0.4062"),
        (0.00005, "0.0001"),
        (0.99995, "1.0000"),
        (2.0 / 3.0, "0.6667"),
        (0.0, "0.0000"),
    ];
    for (x, printed) in cases {
        assert_eq!(MetricValue::Float(x).to_string(), printed, "{x}");
    }
    assert_eq!(MetricValue::Int(161).to_string(), "161");
}

const OUTPUT: &str = concat!(
    "{\"source\": \"/p/a.html.gz\", \"text\": \"first\"}\r\n",
    "{\"source\": \"\", \"input\": \"b.txt\", \"title\": null, \"publishedAt\": 5,",
    " \"authors\": [{\"name\": \"X\"}, \"Y\", null, {\"nom\": \"Z\"}]}\r",
    "   \n",
    "{\"input\": \"a.htm\", \"text\": \"second\", \"authors\": \"A and B\",",
    " \"publishedAt\": \"2020-01-01\"}\n",
    "{\"source\": null, \"text\": false, \"title\": \"Infinity NaN\", \"publishedAt\": NaN}\n",
);

#[test]
fn output_lines_are_read_with_pythons_loose_typing() {
    let got = parse_output_jsonl(OUTPUT, Path::new("out.jsonl")).expect("parses");
    let a = Prediction {
        text: "second".into(),
        authors: vec!["A and B".into()],
        published: "2020-01-01".into(),
        ..Prediction::default()
    };
    let b = Prediction { authors: vec!["X".into(), "Y".into(), String::new(), String::new()], ..Prediction::default() };
    let nameless = Prediction { title: "Infinity NaN".into(), ..Prediction::default() };
    let expected = HashMap::from([("a".to_owned(), a), ("b".to_owned(), b), (String::new(), nameless)]);
    assert_eq!(got, expected);
}

#[test]
fn output_errors_name_the_line_python_would_fail_on() {
    let origin = Path::new("out.jsonl");
    let err = |text: &str| parse_output_jsonl(text, origin).expect_err("rejected");
    assert!(matches!(err("{}\n\nnot json\n"), EvalError::Json { line: 3, .. }));
    assert!(matches!(err("{}\r[1, 2]"), EvalError::Record { line: 2, .. }));
    assert!(matches!(err("{\"source\": 7}"), EvalError::Record { line: 1, .. }));
    assert!(matches!(err("{\"title\": 3}"), EvalError::Record { line: 1, .. }));
    assert!(matches!(err("{\"text\": NaN}"), EvalError::Record { line: 1, .. }));
    let shown = err("{}\n{\"title\": [1]}").to_string();
    assert_eq!(shown, "out.jsonl:2: title is a list, not a string");
}

#[test]
fn objects_keep_file_order_and_the_last_duplicate_value() {
    let OrderedObject(entries) = parse(r#"{"b": 1, "a": NaN, "b": 3}"#).expect("parses");
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["b", "a"]);
    assert_eq!(entries[0].1, 3);
    let plain: serde_json::Value = parse(r#"{"a": 1, "a": 2}"#).expect("parses");
    assert_eq!(plain["a"], 2);
}

#[test]
fn tags_are_replaced_like_the_reference_regex() {
    assert_eq!(replace_tags("<p>a</p><>b<c"), "\na\n<>b<c");
    assert_eq!(replace_tags("x<a<b>y"), "x\ny");
    assert_eq!(replace_tags("<\n>z"), "\nz");
    assert_eq!(replace_tags("<<>>"), "\n>");
}

#[test]
fn sets_parse_by_their_exact_command_line_names() {
    for set in Set::ALL {
        assert_eq!(set.to_string().parse::<Set>().expect("round trip"), set);
    }
    assert!(matches!("Daniel".parse::<Set>(), Err(EvalError::UnknownSet(s)) if s == "Daniel"));
}

#[test]
fn an_empty_gold_set_prints_only_its_counts() {
    let gold = crate::Gold { set: Set::Aeb, rows: Vec::new() };
    assert_eq!(score(&gold, &HashMap::new()).to_string(), "pages 0\nmissing_outputs 0\n");
}

#[test]
fn the_day_comes_from_published_local_when_it_is_truthy() {
    let text = concat!(
        "{\"source\": \"a\", \"publishedAt\": \"2020-01-01T23:00:00Z\", \"publishedLocal\": \"2020-01-02T01:00:00+02:00\"}\n",
        "{\"source\": \"b\", \"publishedAt\": \"2020-01-01\", \"publishedLocal\": \"\"}\n",
        "{\"source\": \"c\", \"publishedAt\": \"2020-01-01\", \"publishedLocal\": 7}\n",
        "{\"source\": \"d\", \"publishedAt\": \"2020-01-01\", \"publishedLocal\": null}\n",
    );
    let got = parse_output_jsonl(text, Path::new("out.jsonl")).expect("parses");
    let day = |k: &str| got[k].published.clone();
    assert_eq!(day("a"), "2020-01-02T01:00:00+02:00");
    assert_eq!(day("b"), "2020-01-01");
    // `7 or "2020-01-01"` is 7, and score.py's `day(7)` is "": the page has no date.
    assert_eq!(day("c"), "");
    assert_eq!(day("d"), "2020-01-01");
}
