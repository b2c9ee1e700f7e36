//! What every long-running subcommand shares: logging, the async runtime,
//! the shutdown signal and how a service's end becomes an exit status.

use std::fmt::Display;
use std::process::ExitCode;

use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinError;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};
use tracing_subscriber::EnvFilter;

/// html5ever reports every HTML error it recovers from; real pages are full of them.
const DEFAULT_FILTER: &str = "info,html5ever=error";

/// Logs to stderr, filtered by `COPYDESK_LOG` (e.g. `info,copydesk_ingest=debug`);
/// `COPYDESK_LOG_FORMAT=json` gives one JSON object per event for log shippers.
pub(crate) fn init_logging() {
    let filter = match std::env::var("COPYDESK_LOG") {
        // html5ever stays quiet unless asked for by name: at warn level it
        // logs every recovered HTML error, which costs real throughput.
        Ok(f) if f.contains("html5ever") => EnvFilter::new(f),
        Ok(f) => EnvFilter::new(format!("{f},html5ever=error")),
        Err(_) => EnvFilter::new(DEFAULT_FILTER),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if std::env::var("COPYDESK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

pub(crate) fn tokio() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Cancelled on the first SIGTERM or SIGINT; a second one exits at once.
pub(crate) fn shutdown_signal() -> anyhow::Result<CancellationToken> {
    let token = CancellationToken::new();
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let trigger = token.clone();
    tokio::spawn(async move {
        tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
        info!(message = "Shutdown requested; draining. Signal again to exit at once.");
        trigger.cancel();
        tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
        warn!(message = "Second signal; exiting now.");
        std::process::exit(130);
    });
    Ok(token)
}

/// Exit status for bad configuration (`EX_USAGE`), so orchestrators can tell
/// it from a crash.
const EX_USAGE: u8 = 64;

/// A configuration refused before anything started: every problem on stderr.
pub(crate) fn usage_error(problems: impl Display) -> ExitCode {
    eprintln!("copydesk: {problems}");
    ExitCode::from(EX_USAGE)
}

/// The exit status for how a service's supervised run ended: success, a
/// configuration refused at build time (`EX_USAGE`), or a failure logged as
/// `stopped` or, if the task panicked, `crashed`.
pub(crate) fn exit_status<E: Display>(
    result: Result<Result<(), E>, JoinError>,
    is_config: impl Fn(&E) -> bool,
    stopped: &str,
    crashed: &str,
) -> ExitCode {
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) if is_config(&e) => usage_error(e),
        Ok(Err(e)) => {
            error!(message = stopped, error = %e);
            ExitCode::FAILURE
        }
        Err(join) => {
            error!(message = crashed, error = %join);
            ExitCode::FAILURE
        }
    }
}
