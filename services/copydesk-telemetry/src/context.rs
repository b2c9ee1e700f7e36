//! W3C `traceparent` in and out of `tracing` spans: what the roles use to
//! continue a trace from a Kafka header or a gRPC request, to link a span to
//! another trace, and to put ids on log lines. Every helper is a no-op when
//! export is off (the spans then carry no OpenTelemetry context).

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{SpanContext, TraceContextExt};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// One header, as the propagator wants to read it.
struct One<'a>(&'a str);

impl Extractor for One<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        (key == "traceparent").then_some(self.0)
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent"]
    }
}

/// The remote span a `traceparent` value names, if it is well formed.
pub fn remote_span(traceparent: &str) -> Option<SpanContext> {
    let cx = TraceContextPropagator::new().extract(&One(traceparent));
    let span = cx.span().span_context().clone();
    span.is_valid().then_some(span)
}

/// Makes `span` a child of the remote span `traceparent` names. Call it
/// before the span is first entered.
pub fn continue_trace(span: &Span, traceparent: Option<&str>) {
    if span.is_disabled() {
        return;
    }
    let Some(remote) = traceparent.and_then(remote_span) else { return };
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
}

/// Links `span` to the remote span `traceparent` names (another trace,
/// such as the one that produced a stored article).
pub fn link_to(span: &Span, traceparent: &str) {
    if span.is_disabled() {
        return;
    }
    if let Some(remote) = remote_span(traceparent) {
        span.add_link(remote);
    }
}

fn exported(span: &Span) -> Option<SpanContext> {
    if span.is_disabled() {
        return None;
    }
    let cx = span.context();
    let sc = cx.span().span_context().clone();
    sc.is_valid().then_some(sc)
}

/// The `traceparent` naming `span`, to put on what it sends; `None` when
/// the span is not exported.
pub fn traceparent(span: &Span) -> Option<String> {
    exported(span)
        .map(|sc| format!("00-{}-{}-{:02x}", sc.trace_id(), sc.span_id(), if sc.is_sampled() { 1 } else { 0 }))
}

/// Records `span`'s trace and span ids in its `trace_id` and `span_id`
/// fields (declared `Empty`), so every log line inside it carries them.
/// Returns whether it could (export on).
pub fn record_ids(span: &Span) -> bool {
    match exported(span) {
        Some(sc) => {
            span.record("trace_id", tracing::field::display(sc.trace_id()));
            span.record("span_id", tracing::field::display(sc.span_id()));
            true
        }
        None => false,
    }
}

/// A server span for one gRPC call, named and attributed per the
/// OpenTelemetry RPC conventions, continuing the caller's `traceparent`.
/// Made for tonic's `Server::trace_fn`.
pub fn grpc_server_span<B>(request: &hyper::Request<B>) -> Span {
    let path = request.uri().path().trim_start_matches('/');
    let (service, method) = path.split_once('/').unwrap_or((path, ""));
    let span = tracing::info_span!(
        "grpc",
        otel.name = %path,
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty,
    );
    let incoming = request.headers().get("traceparent").and_then(|v| v.to_str().ok());
    continue_trace(&span, incoming);
    record_ids(&span);
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_traceparent() {
        let sc = remote_span("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        assert_eq!(sc.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(sc.span_id().to_string(), "00f067aa0ba902b7");
        assert!(sc.is_sampled() && sc.is_remote());
        assert!(remote_span("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
        assert!(remote_span("nonsense").is_none());
    }

    #[test]
    fn helpers_are_no_ops_without_export() {
        let span = tracing::info_span!("t", trace_id = tracing::field::Empty, span_id = tracing::field::Empty);
        continue_trace(&span, Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assert_eq!(traceparent(&span), None);
        assert!(!record_ids(&span));
    }
}
