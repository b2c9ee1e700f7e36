//! What every long-running subcommand shares: logging, the async runtime and
//! the shutdown signal.

use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
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
