//! `copydesk extract`: one Article per input file, as JSON lines, JSON or protobuf.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use copydesk_extract::{Article, ExtractError, Extraction, Hints};
use prost::Message;

use crate::inputs::{self, Entry};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// The page URL, for inputs that do not carry one (plain HTML).
    #[arg(long)]
    url: Option<String>,
    /// Files or directories (walked recursively) to extract.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// One JSON object per line (proto3 JSON mapping, plus `source`).
    Jsonl,
    /// Pretty-printed JSON objects.
    Json,
    /// Length-delimited protobuf `copydesk.v1.Article` messages.
    Proto,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    purge_freed_memory_soon();
    let hints = Hints { url: args.url.clone(), ..Hints::default() };
    let stdout = io::stdout();
    // An article is about 24 KB of JSON on the dev pages: the default 8 KiB buffer
    // made about four writes per page.
    let mut out = BufWriter::with_capacity(64 << 10, stdout.lock());
    let failed = extract_all(&args.paths, args.format, &mut out, &mut io::stderr().lock(), |bytes| {
        copydesk_extract::extract(bytes, &hints)
    })?;
    if failed > 0 {
        eprintln!("copydesk: {failed} input(s) failed");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// mimalloc keeps freed pages for a while before it returns them to the
/// system (`purge_delay`, 1 s in v3), so the DOMs of many pages stayed
/// resident together: peak RSS over the 702 wcxb pages was 50 MB. Returning
/// them at once (0 ms) costs CPU, as each page faults its memory in again,
/// but less than the margin it buys: over the five dev sets in one process
/// (2026-12-07, quiet machine, interleaved rounds beside dom_smoothie's
/// runner), 0 ms peaked at 38.0-38.3 MiB in nine runs for 1.7% more user +
/// sys time than 10 ms (0.781 of the peer's time against 0.768), while 10 ms
/// peaked at 40.1-41.3 MiB, over the 40 MB goal, and 3 ms at 38.8-39.7 MiB.
/// Only this one-page-after-another command sets it; the services keep the
/// default, which suits several workers. One of the two places the
/// workspace lets `unsafe` in: a foreign call with a plain integer.
#[allow(unsafe_code)]
fn purge_freed_memory_soon() {
    // mimalloc's own variable, when set, is the operator's choice.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // `mi_option_purge_delay` in mimalloc.h (v2 and v3), which the sys
    // crate does not name.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one integer option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

/// Extracts every input with `extract`, writing articles to `out` and naming each input that
/// fails (unreadable, rejected, or panicking inside the extractor) on `err`; returns how many
/// failed. One bad page never ends the run: the next file is read all the same.
fn extract_all(
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
    err: &mut impl Write,
    extract: impl Fn(&[u8]) -> Result<Extraction, ExtractError>,
) -> anyhow::Result<usize> {
    let mut failed = 0usize;
    for entry in inputs::expand(paths) {
        let path = match entry {
            Entry::File(p) => p,
            Entry::Unreadable(p, error) => {
                let _ = writeln!(err, "copydesk: {}: {error}", p.display());
                failed += 1;
                continue;
            }
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(error) => {
                let _ = writeln!(err, "copydesk: {}: cannot read: {error}", path.display());
                failed += 1;
                continue;
            }
        };
        match guarded(|| extract(&bytes)) {
            Ok(extraction) => write(out, format, &extraction.article, &path.display().to_string())
                .context("cannot write to stdout")?,
            Err(error) => {
                let _ = writeln!(err, "copydesk: {}: {error}", path.display());
                failed += 1;
            }
        }
    }
    out.flush().context("cannot write to stdout")?;
    Ok(failed)
}

/// Why one input gave no article.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The extractor rejected the page with a typed error.
    Rejected(ExtractError),
    /// The extractor panicked: a bug, reported with the page rather than ending the run.
    Panicked(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Rejected(error) => write!(f, "{error}"),
            Failure::Panicked(message) => write!(f, "extraction panicked (a bug; please report the page): {message}"),
        }
    }
}

/// Runs one extraction, turning a panic into a [`Failure`]. The extractor owns no state that
/// outlives the call, so nothing it could leave half-updated is seen again after a panic.
pub(crate) fn guarded<T>(extract: impl FnOnce() -> Result<T, ExtractError>) -> Result<T, Failure> {
    match panic::catch_unwind(AssertUnwindSafe(extract)) {
        Ok(result) => result.map_err(Failure::Rejected),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_string());
            Err(Failure::Panicked(message))
        }
    }
}

/// The article as proto3 JSON with the input path added as `source`.
/// Written straight out: a `serde_json::Value` built first cost a tree of
/// maps per article, about 2% of `copydesk extract`'s instructions.
#[derive(serde::Serialize)]
pub(crate) struct Line<'a> {
    #[serde(flatten)]
    article: &'a Article,
    source: &'a str,
}

pub(crate) fn to_json<'a>(article: &'a Article, source: &'a str) -> Line<'a> {
    Line { article, source }
}

fn write(out: &mut impl Write, format: Format, article: &Article, source: &str) -> io::Result<()> {
    match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, &to_json(article, source))?;
            out.write_all(b"\n")
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &to_json(article, source))?;
            out.write_all(b"\n")
        }
        Format::Proto => out.write_all(&article.encode_length_delimited_to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside the extractor (injected here: no known page panics it any more) is
    /// reported with the page's name, and the files after it are still extracted.
    #[test]
    fn a_panicking_page_is_named_and_the_run_goes_on() {
        let dir = std::env::temp_dir().join(format!("copydesk-extract-guard-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let page = |words: &str| format!("<article><p>{}</p></article>", words.repeat(40));
        std::fs::write(dir.join("a-good.html"), page("Good text here. ")).unwrap();
        std::fs::write(dir.join("b-panics.html"), page("PANIC in this page. ")).unwrap();
        std::fs::write(dir.join("c-good.html"), page("More good text. ")).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let failed = extract_all(std::slice::from_ref(&dir), Format::Jsonl, &mut out, &mut err, |bytes| {
            if bytes.windows(5).any(|w| w == b"PANIC") {
                panic!("injected failure");
            }
            copydesk_extract::extract(bytes, &Hints::default())
        })
        .unwrap();
        assert_eq!(failed, 1);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(out.contains("c-good.html"), "the page after the panic is extracted: {out}");
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("b-panics.html") && err.contains("panicked") && err.contains("injected failure"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
