//! What every long-running subcommand shares: logging, the async runtime,
//! the shutdown signal and how a service's end becomes an exit status.

use std::fmt::Display;
use std::process::ExitCode;

use copydesk_telemetry::{TraceConfigError, TraceGuard};
use opentelemetry_sdk::trace::SdkTracer;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinError;
use tokio_util::sync::CancellationToken;
use tracing::Level;
use tracing::{error, info, warn};
use tracing_opentelemetry::OpenTelemetryLayer;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Registry};

/// html5ever reports every HTML error it recovers from; real pages are full of them.
const DEFAULT_FILTER: &str = "info,html5ever=error";

/// Logs to stderr, filtered by `COPYDESK_LOG` (e.g. `info,copydesk_ingest=debug`);
/// `COPYDESK_LOG_FORMAT=json` gives one JSON object per event for log shippers.
/// Later calls do nothing: `main` sets logging up first, with trace export.
pub(crate) fn init_logging() {
    let _ = install(None);
}

/// Logging as above, plus trace export when the `OTEL_*` variables ask for
/// it (see copydesk-telemetry). The guard flushes the spans when dropped.
/// `role` is the default service name.
pub(crate) fn init_tracing(role: &str) -> Result<Option<TraceGuard>, TraceConfigError> {
    let layer = copydesk_telemetry::trace_layer::<Registry>(role)?;
    let (otel, guard) = layer.map_or((None, None), |(l, g)| (Some(l), Some(g)));
    install(otel);
    Ok(guard)
}

fn install(otel: Option<OpenTelemetryLayer<Registry, SdkTracer>>) -> bool {
    let filter = match std::env::var("COPYDESK_LOG") {
        // html5ever stays quiet unless asked for by name: at warn level it
        // logs every recovered HTML error, which costs real throughput.
        Ok(f) if f.contains("html5ever") => EnvFilter::new(f),
        Ok(f) => EnvFilter::new(format!("{f},html5ever=error")),
        Err(_) => EnvFilter::new(DEFAULT_FILTER),
    };
    // Spans are exported at info level whatever the log level: quiet logs
    // must not mean no traces. Libraries' own spans stay out.
    let targets = Targets::new().with_default(Level::INFO).with_target("html5ever", Level::ERROR);
    let otel = otel.map(|layer| layer.with_filter(targets));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let registry = tracing_subscriber::registry().with(otel);
    let installed = if std::env::var("COPYDESK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        registry.with(fmt.json().flatten_event(true).with_filter(filter)).try_init()
    } else {
        registry.with(fmt.with_filter(filter)).try_init()
    };
    installed.is_ok()
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

/// A client command's flags refused before any client is created, worded
/// like the services' own configuration errors.
pub(crate) fn refuse(problems: &[String]) -> Option<ExitCode> {
    (!problems.is_empty()).then(|| usage_error(format!("invalid configuration:\n  {}", problems.join("\n  "))))
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
