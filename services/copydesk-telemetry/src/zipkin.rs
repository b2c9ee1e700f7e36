//! Spans to Zipkin's own JSON (API v2) over plain HTTP, for the Zipkin server
//! in our stack. Our own, small: opentelemetry-zipkin is deprecated and sends
//! no service name, which Zipkin's UI and queries are organised by.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::SpanData;
use serde_json::{Map, json};

/// Where spans go when `OTEL_EXPORTER_ZIPKIN_ENDPOINT` is unset.
pub(crate) const DEFAULT_ENDPOINT: &str = "http://localhost:9411/api/v2/spans";

#[derive(Debug)]
pub(crate) struct ZipkinExporter {
    client: reqwest::Client,
    endpoint: reqwest::Url,
    service: String,
}

impl ZipkinExporter {
    pub(crate) fn new(endpoint: &str, service: String, timeout: Duration) -> Result<ZipkinExporter, String> {
        let endpoint = reqwest::Url::parse(endpoint).map_err(|e| format!("Zipkin endpoint {endpoint:?}: {e}"))?;
        let client = reqwest::Client::builder().timeout(timeout).build().map_err(|e| format!("HTTP client: {e}"))?;
        Ok(ZipkinExporter { client, endpoint, service })
    }

    pub(crate) async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans: Vec<serde_json::Value> = batch.iter().map(|s| to_zipkin(s, &self.service)).collect();
        let body = serde_json::to_vec(&spans).map_err(|e| OTelSdkError::InternalFailure(e.to_string()))?;
        let response = self
            .client
            .post(self.endpoint.clone())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| OTelSdkError::InternalFailure(e.to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(OTelSdkError::InternalFailure(format!("Zipkin answered {}", response.status())))
        }
    }
}

fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.as_str().to_string(),
        other => other.to_string(),
    }
}

/// One span in Zipkin's v2 model. Zipkin has no links: they become a
/// `links` tag of `traceid-spanid` pairs, so they can still be searched.
fn to_zipkin(span: &SpanData, service: &str) -> serde_json::Value {
    let mut tags = Map::new();
    for kv in &span.attributes {
        tags.insert(kv.key.as_str().to_string(), text(&kv.value).into());
    }
    if let Status::Error { description } = &span.status {
        tags.insert("error".into(), description.to_string().into());
    }
    if !span.links.is_empty() {
        let links: Vec<String> =
            span.links.iter().map(|l| format!("{}-{}", l.span_context.trace_id(), l.span_context.span_id())).collect();
        tags.insert("links".into(), links.join(",").into());
    }
    let start = micros(span.start_time);
    let mut out = json!({
        "traceId": span.span_context.trace_id().to_string(),
        "id": span.span_context.span_id().to_string(),
        "name": span.name,
        "timestamp": start,
        "duration": micros(span.end_time).saturating_sub(start).max(1),
        "localEndpoint": { "serviceName": service },
        "tags": tags,
    });
    let kind = match span.span_kind {
        SpanKind::Client => Some("CLIENT"),
        SpanKind::Server => Some("SERVER"),
        SpanKind::Producer => Some("PRODUCER"),
        SpanKind::Consumer => Some("CONSUMER"),
        SpanKind::Internal => None,
    };
    if let Some(kind) = kind {
        out["kind"] = kind.into();
    }
    if span.parent_span_id != opentelemetry::trace::SpanId::INVALID {
        out["parentId"] = span.parent_span_id.to_string().into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_in_zipkin_json() {
        use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
        use opentelemetry::{InstrumentationScope, KeyValue};
        let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        let span = SpanData {
            span_context: SpanContext::new(
                trace,
                SpanId::from_hex("00f067aa0ba902b7").unwrap(),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from_hex("0000000000000001").unwrap(),
            parent_span_is_remote: true,
            span_kind: SpanKind::Producer,
            name: "send articles".into(),
            start_time: UNIX_EPOCH + Duration::from_micros(10),
            end_time: UNIX_EPOCH + Duration::from_micros(25),
            attributes: vec![KeyValue::new("messaging.system", "kafka"), KeyValue::new("messaging.kafka.offset", 7)],
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status: Status::Unset,
            instrumentation_scope: InstrumentationScope::builder("t").build(),
        };
        let z = to_zipkin(&span, "copydesk-ingest");
        assert_eq!(z["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(z["id"], "00f067aa0ba902b7");
        assert_eq!(z["parentId"], "0000000000000001");
        assert_eq!(z["kind"], "PRODUCER");
        assert_eq!((z["timestamp"].as_u64(), z["duration"].as_u64()), (Some(10), Some(15)));
        assert_eq!(z["localEndpoint"]["serviceName"], "copydesk-ingest");
        assert_eq!(z["tags"]["messaging.kafka.offset"], "7");
    }
}
