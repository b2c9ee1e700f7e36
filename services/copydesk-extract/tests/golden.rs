//! Golden tests: the seed message and a spread of dev-corpus pages, rendered
//! and compared with `tests/golden/*.txt`. `UPDATE_EXPECT=1` rewrites them.

mod common;

use std::path::{Path, PathBuf};

use copydesk_extract::{Hints, extract};

/// Pages per dev set, spread evenly over each set's sorted file list so that
/// languages and charsets (GBK, windows-1251, ...) are all represented.
const PER_SET: usize = 6;

fn cases() -> Vec<(String, PathBuf)> {
    let corpus = common::corpus();
    let mut cases = vec![("seed-bbc-zhongwen".to_string(), corpus.join("seed/bbc-zhongwen-world-69124999.snapshot"))];
    for (set, dir) in [("trafilatura", "html"), ("daniel", "html"), ("chinese", "original"), ("mediacloud", "html")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("dev").join(set).join(dir))
            .expect("dev set folder")
            .map(|e| e.expect("dir entry").path())
            .collect();
        files.sort();
        let step = (files.len() / PER_SET).max(1);
        for path in files.into_iter().step_by(step).take(PER_SET) {
            let stem = name_of(&path);
            cases.push((format!("{set}-{stem}"), path));
        }
    }
    // Spreading by position misses some scripts; name them so that Cyrillic
    // (windows-1251 and UTF-8) and Polish pages are always covered.
    for extra in ["20111128_www.argumenti.ru_", "20111121_www.we-dwoje.pl_"] {
        let dir = corpus.join("dev/daniel/html");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("daniel folder")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(extra)))
            .collect();
        found.sort();
        // A promise the corpus no longer keeps fails the test instead of shrinking it.
        let path = found
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("promised golden page {extra}* is missing from {}", dir.display()));
        cases.push((format!("daniel-{}", name_of(&path)), path));
    }
    cases
}

fn name_of(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("page");
    let name = name.trim_end_matches(".gz").trim_end_matches(".html");
    name.chars().take(60).collect()
}

#[test]
fn golden_pages() {
    let cases = cases();
    assert!(cases.len() >= 21, "expected at least 20 dev pages and the seed, found {}", cases.len());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (name, path) in cases {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rendered = match extract(&bytes, &Hints::default()) {
            Ok(x) => common::render(&x.article),
            Err(e) => format!("error: {e}\n"),
        };
        expect_test::expect_file![dir.join(format!("{name}.txt"))].assert_eq(&rendered);
    }
}
