//! `copydesk extract`: one Article per input file, as JSON lines, JSON or protobuf.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use copydesk_extract::{Article, Hints};
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
    let hints = Hints { url: args.url.clone(), ..Hints::default() };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for entry in inputs::expand(&args.paths) {
        let path = match entry {
            Entry::File(p) => p,
            Entry::Unreadable(p, error) => {
                eprintln!("copydesk: {}: {error}", p.display());
                failed += 1;
                continue;
            }
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(error) => {
                eprintln!("copydesk: {}: cannot read: {error}", path.display());
                failed += 1;
                continue;
            }
        };
        match copydesk_extract::extract(&bytes, &hints) {
            Ok(extraction) => write(&mut out, args.format, &extraction.article, &path.display().to_string())
                .context("cannot write to stdout")?,
            Err(error) => {
                eprintln!("copydesk: {}: {error}", path.display());
                failed += 1;
            }
        }
    }
    out.flush().context("cannot write to stdout")?;
    if failed > 0 {
        eprintln!("copydesk: {failed} input(s) failed");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The article as proto3 JSON with the input path added as `source`.
pub(crate) fn to_json(article: &Article, source: &str) -> serde_json::Value {
    let mut json = serde_json::to_value(article).unwrap_or_default();
    if let Some(map) = json.as_object_mut() {
        map.insert("source".into(), source.into());
    }
    json
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
