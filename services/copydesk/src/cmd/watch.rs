//! `copydesk watch`: the lookup service's WatchArticleEvents, one JSON line
//! (the proto3 JSON mapping) per event on stdout: `upserted` articles,
//! `deletedId`s and the `caughtUp` marker, each with its `resumeToken`.
//!
//! The latest token is kept: `--resume TOKEN` starts after it, `--state-file`
//! keeps it in a file across runs, and when the service goes away or drops a
//! watcher that fell behind, the command watches again from it by itself.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use copydesk_proto::v1::{ArticleEvent, WatchArticlesRequest};

use crate::cmd::client::{ServerArgs, is_transient};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    client: ServerArgs,
    /// Only articles of this site (host); deletions come whatever the site.
    #[arg(long)]
    site: Option<String>,
    /// Start with the articles already stored (without tokens), then the changes.
    #[arg(long)]
    include_existing: bool,
    /// Start after the event that carried this token (an event's `resumeToken`).
    #[arg(long, env = "COPYDESK_WATCH_RESUME")]
    resume: Option<String>,
    /// Keep the latest token in this file: read at start when --resume is
    /// not given, rewritten after each event, so that a watch started again
    /// goes on where the last one stopped.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Exit after printing this many events (the caught-up marker counts);
    /// watch until stopped when unset.
    #[arg(long)]
    max_events: Option<u64>,
}

/// Longest wait between two attempts to watch again.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.client.required()?;
    let token = match (&args.resume, &args.state_file) {
        (Some(token), _) => token.trim().to_string(),
        (None, Some(path)) => read_state(path)?,
        (None, None) => String::new(),
    };
    crate::cmd::runtime::tokio()?.block_on(watch(&args, token))
}

async fn watch(args: &Args, mut token: String) -> anyhow::Result<ExitCode> {
    let mut left = args.max_events.unwrap_or(u64::MAX);
    let mut out = std::io::stdout().lock();
    let mut backoff = Duration::from_millis(500);
    // A service never reached is an error; one that went away is waited for.
    let mut reached = false;
    while left > 0 {
        let request = WatchArticlesRequest {
            // A listing interrupted before its first token is started over.
            include_existing: args.include_existing && token.is_empty(),
            site: args.site.clone().unwrap_or_default(),
            resume_token: token.clone(),
        };
        let mut client = match args.client.connect(None).await {
            Ok(client) => client,
            Err(error) if reached => {
                eprintln!("copydesk: {error:#}; trying again in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
            Err(error) => return Err(error),
        };
        reached = true;
        let mut stream = match client.watch_article_events(request).await {
            Ok(stream) => stream.into_inner(),
            Err(status) if is_transient(&status) => {
                eprintln!("copydesk: {}; watching again in {backoff:?}", status.message());
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
            Err(status) => bail!("the service refused the watch, {:?}: {}", status.code(), status.message()),
        };
        while left > 0 {
            let event = match stream.message().await {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(status) if is_transient(&status) => {
                    eprintln!("copydesk: {}; watching again from the last token", status.message());
                    break;
                }
                Err(status) => bail!("the watch ended, {:?}: {}", status.code(), status.message()),
            };
            backoff = Duration::from_millis(500);
            if !print(&mut out, &event)? {
                return Ok(ExitCode::SUCCESS);
            }
            left -= 1;
            if !event.resume_token.is_empty() {
                token = event.resume_token;
                if let Some(path) = &args.state_file {
                    write_state(path, &token)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One event as a JSON line; false when stdout's reader has gone (`| head`).
fn print(out: &mut impl std::io::Write, event: &ArticleEvent) -> anyhow::Result<bool> {
    let line = serde_json::to_string(event).context("an event as JSON")?;
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn read_state(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_string()),
        // No file yet: the first run starts live (or with the existing articles).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Replaces the file whole (a rename), so that a crash never leaves half a token.
fn write_state(path: &Path, token: &str) -> anyhow::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    std::fs::write(&partial, format!("{token}\n")).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_keeps_the_latest_token() {
        let path = std::env::temp_dir().join(format!("copydesk-watch-state-{}", std::process::id()));
        assert_eq!(read_state(&path).unwrap(), "", "no file yet");
        write_state(&path, "abc").unwrap();
        write_state(&path, "def").unwrap();
        assert_eq!(read_state(&path).unwrap(), "def");
        let _ = std::fs::remove_file(&path);
    }
}
