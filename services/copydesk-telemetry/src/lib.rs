//! What both roles need to be observed: the `/metrics` HTTP endpoint Prometheus
//! scrapes, the one trait that tells it what to write, and trace export
//! (OpenTelemetry, configured by `OTEL_*`) with the `traceparent` helpers, and
//! what log lines show of the spans they sit in.
//!
//! It knows nothing of any role's instruments: a role hands it something
//! that can write an OpenMetrics exposition, and owns its own registry.

mod context;
mod endpoint;
mod export;
mod histogram;
mod instruments;
mod log_fields;
pub mod messaging;
mod trace;
mod zipkin;

use std::fmt;
use std::net::SocketAddr;

use prometheus_client::registry::Registry;

pub use crate::context::{continue_trace, grpc_server_span, link_to, record_ids, remote_span, traceparent};
pub use crate::endpoint::{bind, serve};
pub use crate::export::span_counts;
pub use crate::histogram::DurationHistogram;
pub use crate::instruments::Instruments;
pub use crate::log_fields::LogFields;
pub use crate::trace::{ExporterKind, TraceGuard, exporter_from, layer as trace_layer};

/// Anything the endpoint can serve: it writes the whole exposition, `# EOF`
/// included, for each scrape. A role's metrics struct implements it by
/// encoding its registry.
pub trait Exposition: Send + Sync + 'static {
    fn write_to(&self, out: &mut String) -> fmt::Result;
}

impl Exposition for Registry {
    fn write_to(&self, out: &mut String) -> fmt::Result {
        prometheus_client::encoding::text::encode(out, self)
    }
}

/// Trace export asked for by `OTEL_*` but impossible as asked. Its own
/// type rather than a `TelemetryError` variant: the roles match that enum
/// exhaustively, and this error is only ever the binary's to report.
#[derive(Debug, thiserror::Error)]
#[error("trace export: {0}")]
pub struct TraceConfigError(pub String);

/// Why the endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("cannot serve metrics on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}
