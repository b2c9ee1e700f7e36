//! `copydesk eval`: extraction quality and speed on the annotated dev sets.
//!
//! For each set it extracts every page in-process (timing each extraction),
//! writes the articles as JSON lines exactly as `copydesk extract` prints
//! them (`publishedLocal`, the publisher's own day, is what the scorer reads
//! when present), scores that file with `copydesk-eval` (a port of the reference
//! scorer, so the figures equal `score.py`'s on the same file) and adds the
//! timings.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use copydesk_eval::Set;
use copydesk_extract::Hints;

use crate::cmd::extract::{guarded, to_json};
use crate::inputs::{self, Entry};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Folder holding the sets (trafilatura/, daniel/, chinese/, mediacloud/, wcxb/).
    #[arg(long, default_value = "../shared/corpus/dev")]
    corpus: PathBuf,
    /// Where to write each set's `SET.jsonl` (the output that was scored).
    #[arg(long, default_value = ".eval")]
    out: PathBuf,
    /// Only these sets (default: every set found in the corpus folder).
    #[arg(long = "set")]
    sets: Vec<Set>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let sets: Vec<Set> = if args.sets.is_empty() {
        Set::ALL.into_iter().filter(|s| args.corpus.join(s.name()).is_dir()).collect()
    } else {
        args.sets.clone()
    };
    if sets.is_empty() {
        anyhow::bail!("no annotated sets found under {}", args.corpus.display());
    }
    for set in sets {
        let gold_dir = args.corpus.join(set.name());
        let output = args.out.join(format!("{}.jsonl", set.name()));
        let timings = extract_set(&pages_dir(&gold_dir), &output)?;
        let gold = copydesk_eval::load_gold(set, &gold_dir)?;
        let predictions = copydesk_eval::load_output_jsonl(&output)?;
        let report = copydesk_eval::score(&gold, &predictions);
        println!("== {} ({})", set.name(), output.display());
        print!("{report}");
        println!("{}", timings.summary());
    }
    Ok(ExitCode::SUCCESS)
}

/// The folder with the pages: `html/` in most sets, `original/` in chinese.
fn pages_dir(gold_dir: &Path) -> PathBuf {
    ["html", "original"].iter().map(|d| gold_dir.join(d)).find(|d| d.is_dir()).unwrap_or_else(|| gold_dir.join("html"))
}

struct Timings {
    per_page: Vec<Duration>,
    failed: usize,
}

impl Timings {
    fn summary(&self) -> String {
        let mut sorted = self.per_page.clone();
        sorted.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pick = |q: f64| sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
        let total: Duration = sorted.iter().sum();
        let rate = if total.is_zero() { 0.0 } else { sorted.len() as f64 / total.as_secs_f64() };
        format!(
            "extract_failures {}\nms_per_page_median {:.3}\nms_per_page_p95 {:.3}\npages_per_second {:.1}",
            self.failed,
            ms(pick(0.5)),
            ms(pick(0.95)),
            rate
        )
    }
}

fn extract_set(pages: &Path, output: &Path) -> anyhow::Result<Timings> {
    let file = fs::File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let mut out = BufWriter::new(file);
    let mut timings = Timings { per_page: Vec::new(), failed: 0 };
    for entry in inputs::expand(&[pages.to_path_buf()]) {
        let Entry::File(path) = entry else {
            timings.failed += 1;
            continue;
        };
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let started = Instant::now();
        let result = guarded(|| copydesk_extract::extract(&bytes, &Hints::default()));
        timings.per_page.push(started.elapsed());
        match result {
            Ok(extraction) => {
                serde_json::to_writer(&mut out, &to_json(&extraction.article, &path.display().to_string()))?;
                out.write_all(b"\n")?;
            }
            Err(error) => {
                eprintln!("copydesk: {}: {error}", path.display());
                timings.failed += 1;
            }
        }
    }
    out.flush()?;
    Ok(timings)
}
