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
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Registry};

/// The log level when `COPYDESK_LOG` is not set.
const DEFAULT_FILTER: &str = "info";

/// The log layer's filter from `COPYDESK_LOG`, with html5ever kept quiet
/// unless it is named: it logs every recovered HTML error at warn level,
/// which costs real throughput.
fn log_filter(asked: Option<&str>) -> String {
    let mut filter = asked.unwrap_or(DEFAULT_FILTER).to_string();
    if !filter.contains("html5ever") {
        filter.push_str(",html5ever=error");
    }
    filter
}

/// The log filter plus the messaging spans (`copydesk_trace`, three per
/// message) at info whatever the level, unless `COPYDESK_LOG` names them
/// (`copydesk_trace=off` drops them): a line logged while a message is
/// worked then carries its `trace_id` and `span_id`, export on or off.
/// They cost the log layer little: it formats only their ids and the
/// fields that are not export attributes (see `copydesk_telemetry::LogFields`).
fn with_message_spans(filter: &str) -> String {
    let target = copydesk_telemetry::messaging::TARGET;
    if filter.contains(target) { filter.to_string() } else { format!("{filter},{target}=info") }
}

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
    let asked = log_filter(std::env::var("COPYDESK_LOG").ok().as_deref());
    // The `log` cap comes from the filter without the messaging spans: they
    // are no reason to let libraries' info records be built under `warn`.
    let log_level = log_max_level(&EnvFilter::new(&asked));
    let filter = EnvFilter::new(with_message_spans(&asked));
    // Spans are exported at info level whatever the log level: quiet logs
    // must not mean no traces, and the messaging spans the log layer leaves
    // out are recorded here. Libraries' own spans stay out.
    let targets = Targets::new().with_default(Level::INFO).with_target("html5ever", Level::ERROR);
    let otel = otel.map(|layer| layer.with_filter(targets));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let registry = tracing_subscriber::registry().with(otel);
    let installed = if std::env::var("COPYDESK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        registry.with(fmt.json().flatten_event(true).with_filter(filter)).try_init()
    } else {
        registry.with(fmt.fmt_fields(copydesk_telemetry::LogFields).with_filter(filter)).try_init()
    };
    if installed.is_ok() {
        // `try_init` caps the `log` facade (html5ever, rdkafka) at the
        // subscriber's max level hint, and with the export layer added that
        // hint is TRACE. html5ever then builds a debug string of every token
        // it parses (`format_args!` evaluates its arguments before the
        // logger can say no): export cut ingest to a quarter of its
        // throughput. Only the log layer wants library log records, so its
        // filter sets the cap.
        log::set_max_level(log_level);
    }
    installed.is_ok()
}

/// The most verbose `log` record the log layer's filter can let through.
fn log_max_level(filter: &EnvFilter) -> log::LevelFilter {
    let hint = <EnvFilter as tracing_subscriber::Layer<Registry>>::max_level_hint(filter);
    match hint.map(LevelFilter::into_level) {
        Some(None) => log::LevelFilter::Off,
        Some(Some(Level::ERROR)) => log::LevelFilter::Error,
        Some(Some(Level::WARN)) => log::LevelFilter::Warn,
        Some(Some(Level::INFO)) => log::LevelFilter::Info,
        Some(Some(Level::DEBUG)) => log::LevelFilter::Debug,
        Some(Some(Level::TRACE)) | None => log::LevelFilter::Trace,
    }
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

#[cfg(test)]
mod tests {
    use tracing_subscriber::EnvFilter;

    use super::{log_filter, log_max_level, with_message_spans};

    #[test]
    fn log_records_are_capped_at_the_log_filter() {
        let cap = |f: &str| log_max_level(&EnvFilter::new(log_filter(Some(f))));
        assert_eq!(cap("warn,copydesk_ingest=info"), log::LevelFilter::Info);
        assert_eq!(cap("warn"), log::LevelFilter::Warn);
        assert_eq!(cap("info,rdkafka=debug"), log::LevelFilter::Debug);
    }

    #[test]
    fn messaging_spans_are_logged_unless_named() {
        assert_eq!(log_filter(None), "info,html5ever=error");
        assert_eq!(log_filter(Some("debug,html5ever=warn")), "debug,html5ever=warn");
        assert_eq!(with_message_spans("warn,html5ever=error"), "warn,html5ever=error,copydesk_trace=info");
        assert_eq!(with_message_spans("info,copydesk_trace=off"), "info,copydesk_trace=off");
        // Under `warn`, the spans do not raise the cap of library records.
        let cap = |f: &str| log_max_level(&EnvFilter::new(log_filter(Some(f))));
        assert_eq!(cap("warn"), log::LevelFilter::Warn);
        let spans = EnvFilter::new(with_message_spans(&log_filter(Some("warn"))));
        assert_eq!(log_max_level(&spans), log::LevelFilter::Info);
    }
}
