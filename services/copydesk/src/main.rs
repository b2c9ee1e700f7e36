//! The `copydesk` binary: parses the command line and hands off to a subcommand.

mod cmd;
mod inputs;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Extraction allocates and frees a DOM per page; mimalloc does that markedly
/// faster than the system allocator and without contention between workers.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Streaming ingest of newsroom crawler snapshots into normalised articles.
#[derive(Parser)]
#[command(name = "copydesk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Consume snapshots from Kafka and publish articles (the ingest service).
    Ingest(copydesk_ingest::IngestConfig),
    /// Publish snapshot files and directories to the snapshots topic (backfill).
    Replay(cmd::replay::Args),
    /// Serve articles over gRPC from the articles topic, materialised into an embedded store.
    Serve(copydesk_lookup::LookupConfig),
    /// Find an article by id or URL: ask the lookup service, or scan the articles topic.
    Lookup(cmd::lookup::Args),
    /// List articles from the lookup service, every page, one JSON line each.
    List(cmd::list::Args),
    /// Follow the lookup service's changes (stored, deleted), one JSON line each, resumable.
    Watch(cmd::watch::Args),
    /// An article's revisions from the lookup service, newest first, one JSON line each.
    Revisions(cmd::revisions::Args),
    /// Extract articles from snapshot or HTML files, offline.
    Extract(cmd::extract::Args),
    /// Score extraction on annotated page sets, with timings.
    Eval(cmd::eval::Args),
    /// Show how a page was segmented and scored (for tuning extraction).
    #[command(hide = true)]
    Explain {
        /// The page to explain.
        path: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The services and replay take part in traces; the offline commands
    // log as before. The guard lives until the command returns, then
    // flushes the spans still queued.
    let role = match cli.command {
        Command::Ingest(_) => Some("copydesk-ingest"),
        Command::Replay(_) => Some("copydesk-replay"),
        Command::Serve(_) => Some("copydesk-serve"),
        _ => None,
    };
    let _trace = match role.map(cmd::runtime::init_tracing).transpose() {
        Ok(guard) => guard.flatten(),
        Err(error) => return cmd::runtime::usage_error(error),
    };
    let result = match cli.command {
        Command::Ingest(config) => cmd::ingest::run(config),
        Command::Replay(args) => cmd::replay::run(args),
        Command::Serve(config) => cmd::serve::run(config),
        Command::Lookup(args) => cmd::lookup::run(args),
        Command::List(args) => cmd::list::run(args),
        Command::Watch(args) => cmd::watch::run(args),
        Command::Revisions(args) => cmd::revisions::run(args),
        Command::Extract(args) => cmd::extract::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Explain { path } => cmd::explain(&path),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("copydesk: {error:#}");
            ExitCode::FAILURE
        }
    }
}
