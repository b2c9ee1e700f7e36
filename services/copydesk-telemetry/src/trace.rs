//! Trace export configured by the standard `OTEL_*` variables: which exporter
//! (`OTEL_TRACES_EXPORTER`: otlp, zipkin or none), where to
//! (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_ZIPKIN_ENDPOINT`), the
//! sampler (`OTEL_TRACES_SAMPLER`) and the resource (`OTEL_SERVICE_NAME`,
//! `OTEL_RESOURCE_ATTRIBUTES`). Off when none of them asks for it.
//! `OTEL_EXPORTER_ZIPKIN_ENDPOINT` and `_TIMEOUT` (ms) are read for Zipkin.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetryLayer;
use tracing_subscriber::registry::LookupSpan;

use crate::TraceConfigError;
use crate::export::{Exporter, Queue};

/// Which exporter the environment asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterKind {
    Otlp,
    Zipkin,
}

/// Reads the exporter choice. Unset means off, unless an OTLP endpoint is
/// set (that alone says where spans should go); `OTEL_SDK_DISABLED=true`
/// turns everything off. An unknown value is a configuration error.
pub fn exporter_from(get: impl Fn(&str) -> Option<String>) -> Result<Option<ExporterKind>, TraceConfigError> {
    if get("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    let endpoint_set = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
        .iter()
        .any(|k| get(k).is_some_and(|v| !v.trim().is_empty()));
    match get("OTEL_TRACES_EXPORTER").as_deref().map(str::trim) {
        None | Some("") if endpoint_set => Ok(Some(ExporterKind::Otlp)),
        None | Some("") | Some("none") => Ok(None),
        Some("otlp") => Ok(Some(ExporterKind::Otlp)),
        Some("zipkin") => Ok(Some(ExporterKind::Zipkin)),
        Some(other) => Err(TraceConfigError(format!("OTEL_TRACES_EXPORTER={other:?}: expected otlp, zipkin or none"))),
    }
}

/// Keeps the export running; dropping it flushes what is queued (bounded
/// by a timeout) and stops the export thread.
#[derive(Debug)]
pub struct TraceGuard {
    provider: SdkTracerProvider,
}

impl Drop for TraceGuard {
    fn drop(&mut self) {
        let _ = self.provider.shutdown();
    }
}

/// The layer that turns `tracing` spans into exported OpenTelemetry spans,
/// or `None` when export is off. `role` names the service when neither
/// `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` does.
#[allow(clippy::type_complexity)]
pub fn layer<S>(role: &str) -> Result<Option<(OpenTelemetryLayer<S, SdkTracer>, TraceGuard)>, TraceConfigError>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    let Some(kind) = exporter_from(|k| std::env::var(k).ok())? else { return Ok(None) };
    let mut resource = Resource::builder().build();
    let named = resource
        .get(&opentelemetry::Key::from_static_str("service.name"))
        .is_some_and(|v| !matches!(&v, Value::String(s) if s.as_str().starts_with("unknown_service")));
    if !named {
        resource = Resource::builder().with_service_name(role.to_string()).build();
    }
    let service = resource
        .get(&opentelemetry::Key::from_static_str("service.name"))
        .map_or_else(|| role.to_string(), |v| v.as_str().into_owned());
    let zipkin_endpoint = std::env::var("OTEL_EXPORTER_ZIPKIN_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| crate::zipkin::DEFAULT_ENDPOINT.to_string());
    let timeout = std::env::var("OTEL_EXPORTER_ZIPKIN_TIMEOUT")
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis);
    let make = move || -> Result<Exporter, String> {
        match kind {
            ExporterKind::Otlp => opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .build()
                .map(Exporter::Otlp)
                .map_err(|e| format!("OTLP exporter: {e}")),
            ExporterKind::Zipkin => {
                crate::zipkin::ZipkinExporter::new(&zipkin_endpoint, service, timeout).map(Exporter::Zipkin)
            }
        }
    };
    let queue = Queue::start(make, resource.clone()).map_err(TraceConfigError)?;
    // The sampler comes from OTEL_TRACES_SAMPLER (and _ARG): the SDK's
    // default configuration reads them.
    let provider = SdkTracerProvider::builder().with_span_processor(queue).with_resource(resource).build();
    let tracer = provider.tracer_with_scope(
        opentelemetry::InstrumentationScope::builder("copydesk")
            .with_version(env!("CARGO_PKG_VERSION"))
            .with_attributes([KeyValue::new("copydesk.role", role.to_string())])
            .build(),
    );
    // Only what the spans' own fields say is exported. The layer's defaults
    // add work on every span and every poll of an instrumented future, for
    // attributes nothing reads: code location (always messaging.rs) and
    // target (always copydesk_trace), busy/idle times (an `Instant::now` per
    // enter and exit), and attaching the OpenTelemetry context on each enter
    // (nothing here reads `Context::current`; parents and links go through
    // the spans themselves). Measured by `make bench-ingest-export`.
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_level(false)
        .with_threads(false)
        .with_location(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_context_activation(false);
    Ok(Some((layer, TraceGuard { provider })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn off_unless_asked_for() {
        assert_eq!(exporter_from(env(&[])).unwrap(), None);
        assert_eq!(exporter_from(env(&[("OTEL_TRACES_EXPORTER", "none")])).unwrap(), None);
        assert_eq!(
            exporter_from(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317")])).unwrap(),
            Some(ExporterKind::Otlp)
        );
        assert_eq!(exporter_from(env(&[("OTEL_TRACES_EXPORTER", "zipkin")])).unwrap(), Some(ExporterKind::Zipkin));
        let disabled = [("OTEL_TRACES_EXPORTER", "otlp"), ("OTEL_SDK_DISABLED", "true")];
        assert_eq!(exporter_from(env(&disabled)).unwrap(), None);
    }

    #[test]
    fn unknown_exporter_is_refused() {
        let error = exporter_from(env(&[("OTEL_TRACES_EXPORTER", "jaeger")])).unwrap_err();
        assert!(error.to_string().contains("jaeger"), "{error}");
    }
}
