//! The peer's whole process, for the whole-process speed and memory comparison with `copydesk extract`.
//!
//! `cargo run --release --example peer_runner -- FILES_OR_DIRS...` does for dom_smoothie what
//! `copydesk extract --format jsonl` does for us: read each file (directories walked, in name
//! order), gunzip it if it is gzipped, extract, and write one JSON line per page to a buffered
//! stdout. It decodes the page as UTF-8 with replacement, the cheapest decoding a runner can do
//! (ours sniffs and converts charsets), so the comparison favours the peer. Same global allocator
//! as the `copydesk` binary. Time both with `/usr/bin/time -v` (wall time and peak RSS).

use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut files = Vec::new();
    for arg in std::env::args_os().skip(1) {
        collect(Path::new(&arg), &mut files);
    }
    if files.is_empty() {
        eprintln!("usage: peer_runner FILES_OR_DIRS...");
        return ExitCode::FAILURE;
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for path in &files {
        match one(path) {
            Some(line) => {
                let written = serde_json::to_writer(&mut out, &line).map_err(io::Error::from);
                if written.and_then(|()| out.write_all(b"\n")).is_err() {
                    return ExitCode::FAILURE;
                }
            }
            None => failed += 1,
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    eprintln!("peer_runner: {} pages, {failed} without an article", files.len());
    ExitCode::SUCCESS
}

/// Every file under `path`, in name order.
fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(dir) = std::fs::read_dir(path) else { return };
        let mut entries: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for entry in entries {
            collect(&entry, files);
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    }
}

/// One page's article as a JSON object, or `None` if the file or the extraction failed.
fn one(path: &Path) -> Option<serde_json::Value> {
    let stored = std::fs::read(path).ok()?;
    let bytes = if stored.starts_with(&[0x1f, 0x8b]) {
        let mut page = Vec::new();
        flate2::read::GzDecoder::new(&stored[..]).read_to_end(&mut page).ok()?;
        page
    } else {
        stored
    };
    let text = String::from_utf8_lossy(&bytes);
    let cfg = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, ..Default::default() };
    let article = dom_smoothie::Readability::new(&*text, None, Some(cfg)).ok()?.parse().ok()?;
    Some(serde_json::json!({
        "title": article.title,
        "byline": article.byline,
        "published": article.published_time,
        "lang": article.lang,
        "excerpt": article.excerpt,
        "text": &*article.text_content,
        "source": path.display().to_string(),
    }))
}
