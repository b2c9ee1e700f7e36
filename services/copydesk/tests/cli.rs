//! The `copydesk` binary's offline subcommands (and the services' configuration checks), run as a user would run them.

use std::path::PathBuf;
use std::process::{Command, Output};

use copydesk_proto::v1::Article;
use prost::Message;

fn copydesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_copydesk")).args(args).output().expect("copydesk runs")
}

fn shared() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(dir.is_dir(), "shared/ is expected beside the checkout at {}", dir.display());
    dir
}

fn seed() -> String {
    shared().join("corpus/seed/bbc-zhongwen-world-69124999.snapshot").display().to_string()
}

#[test]
fn extract_json_prints_the_seed_article_with_its_source() {
    let out = copydesk(&["extract", "--format", "json", &seed()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["source"], seed());
    assert_eq!(json["fetchedAt"], "2024-06-17T09:13:01Z");
    assert_eq!(json["publishedAt"], "2024-06-17T08:53:01Z");
    assert_eq!(json["relatedLinks"].as_array().map(Vec::len), Some(3));
    assert!(json["wordCount"].as_u64().unwrap() >= 1500);
}

#[test]
fn bad_inputs_are_named_and_fail_the_run_after_the_good_ones() {
    let dir = tempdir("bad-inputs");
    std::fs::copy(seed(), dir.join("a-good.snapshot")).unwrap();
    std::fs::write(dir.join("b-empty.html"), b"").unwrap();
    std::fs::write(dir.join("c-binary.bin"), (0..4096u32).map(|i| (i * 7 % 256) as u8).collect::<Vec<_>>()).unwrap();
    std::fs::write(dir.join("d-truncated.html.gz"), [0x1f, 0x8b, 0x08, 0x00, 0x01]).unwrap();
    std::fs::copy(seed(), dir.join("e-good.snapshot")).unwrap();
    let missing = dir.join("no-such-file.html");
    let out = copydesk(&["extract", "--format", "jsonl", dir.to_str().unwrap(), missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "both good inputs are printed");
    let stderr = String::from_utf8(out.stderr).unwrap();
    for name in ["b-empty.html", "c-binary.bin", "d-truncated.html.gz", "no-such-file.html"] {
        assert!(stderr.contains(name), "stderr names {name}: {stderr}");
    }
    assert!(stderr.contains("4 input(s) failed"), "{stderr}");
}

#[test]
fn extract_proto_is_length_delimited_articles() {
    let out = copydesk(&["extract", "--format", "proto", &seed(), &seed()]);
    assert!(out.status.success());
    let mut buf = out.stdout.as_slice();
    let mut articles = Vec::new();
    while !buf.is_empty() {
        articles.push(Article::decode_length_delimited(&mut buf).unwrap());
    }
    assert_eq!(articles.len(), 2);
    assert_eq!(articles[0].url, "https://www.bbc.com/zhongwen/simp/world-69124999");
}

#[test]
fn url_hint_resolves_links_of_plain_html() {
    let dir = tempdir("url-hint");
    let page = dir.join("page.html");
    let para = "<p>".to_string() + &"A sentence of real article text. ".repeat(10) + "</p>";
    std::fs::write(&page, format!("<article>{para}{para}<img src=\"/pic.jpg\" width=600></article>")).unwrap();
    let out = copydesk(&["extract", "--url", "https://news.example.org/a/b.html", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["images"][0]["url"], "https://news.example.org/pic.jpg");
    assert_eq!(json["site"], "news.example.org");
}

/// `copydesk eval` scores its own output file; the reference scorer must
/// print the very same figures for that file.
#[test]
fn eval_agrees_with_the_reference_scorer() {
    let out_dir = tempdir("eval");
    let corpus = shared().join("corpus/dev");
    let out = copydesk(&[
        "eval",
        "--corpus",
        corpus.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--set",
        "chinese",
        "--set",
        "mediacloud",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    for set in ["chinese", "mediacloud"] {
        let script = Command::new("python3")
            .arg(shared().join("tools/score.py"))
            .args([set, corpus.join(set).to_str().unwrap(), out_dir.join(format!("{set}.jsonl")).to_str().unwrap()])
            .output()
            .expect("python3 is needed to cross-check the scorer");
        assert!(script.status.success(), "{}", String::from_utf8_lossy(&script.stderr));
        let reference = String::from_utf8(script.stdout).unwrap();
        let section = section(&printed, set);
        assert!(section.starts_with(&reference), "{set}: ours\n{section}\nreference\n{reference}");
        assert!(section.contains("ms_per_page_median") && section.contains("pages_per_second"));
    }
}

fn section<'a>(printed: &'a str, set: &str) -> &'a str {
    let start = printed.find(&format!("== {set} ")).expect("set section");
    let body = &printed[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body.find("\n== ").map_or(body, |end| &body[..end + 1])
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("copydesk-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn serve_reports_every_configuration_problem_at_once_before_binding() {
    let out = copydesk(&[
        "serve",
        "--articles-topic",
        "bad topic!",
        "--grpc-addr",
        "nowhere",
        "--metrics-addr",
        "nowhere",
        "--batch-records",
        "0",
        "-X",
        "group.id=mine",
    ]);
    assert_eq!(out.status.code(), Some(64), "EX_USAGE");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in ["articles-topic", "grpc-addr", "metrics-addr", "batch-records", "group.id"] {
        assert!(stderr.contains(needle), "{needle} missing from:\n{stderr}");
    }
}

#[test]
fn client_commands_take_the_shared_kafka_flags_and_refuse_bad_ones_before_connecting() {
    for (command, owned) in [("replay", "enable.idempotence=false"), ("lookup", "isolation.level=read_uncommitted")] {
        let mut args = vec![command, "--brokers", " ", "-X", "novalue", "-X", owned];
        if command == "lookup" {
            args.extend(["--id", "x"]);
        } else {
            args.push("/nonexistent");
        }
        let out = copydesk(&args);
        assert_eq!(out.status.code(), Some(64), "{command}: EX_USAGE");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let key = owned.split('=').next().unwrap();
        for needle in ["brokers: empty", "novalue", key] {
            assert!(stderr.contains(needle), "{command}: {needle} missing from:\n{stderr}");
        }
    }
}
