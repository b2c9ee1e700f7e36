//! What goes onto the output topics: article records and dead letters, with
//! their headers; and what an input message's headers tell the extractor.

use chrono::{DateTime, Utc};
use copydesk_extract::{Article, Hints};
use prost::Message as _;
use rdkafka::Message;
use rdkafka::message::{Header, Headers, OwnedHeaders, OwnedMessage};

use crate::trace::TraceParent;

pub use copydesk_proto::contract::{
    ARTICLE_CONTENT_TYPE, ARTICLE_SCHEMA, Reason, SNAPSHOT_CONTENT_TYPE, Stage, header,
};

/// One record to produce.
#[derive(Debug, Clone)]
pub struct Output {
    /// The `send` span (OpenTelemetry messaging, PRODUCER) whose context the
    /// record's `traceparent` names: deliveries run inside it, and it ends
    /// when the record is dropped after delivery.
    pub span: tracing::Span,
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: OwnedHeaders,
    /// Why, for a dead letter (for metrics and logs); `None` for an article.
    pub dead_letter: Option<Reason>,
    /// An article's capture time (ms since the epoch), so that an older
    /// capture is never published over a newer one (`order`).
    pub captured_ms: Option<i64>,
}

impl Output {
    /// The record's `traceparent` header: what a log line about this record
    /// carries to name its trace (the messaging spans are not in the logs by
    /// default, so their ids are not either).
    pub fn traceparent(&self) -> &str {
        self.headers
            .iter()
            .find(|h| h.key == header::TRACEPARENT)
            .and_then(|h| h.value)
            .and_then(|v| std::str::from_utf8(v).ok())
            .unwrap_or_default()
    }
}

/// Why an input could not become an article, for the dead-letter headers.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub reason: Reason,
    pub message: String,
}

impl Rejection {
    pub fn new(reason: Reason, message: impl Into<String>) -> Rejection {
        Rejection { reason, message: message.into() }
    }
}

fn header_str<'a>(msg: &'a OwnedMessage, name: &str) -> Option<&'a str> {
    let headers = msg.headers()?;
    headers
        .iter()
        .find(|h| h.key.eq_ignore_ascii_case(name))
        .and_then(|h| h.value)
        .and_then(|v| std::str::from_utf8(v).ok())
}

/// Hints from the input's headers: plain HTML travels with its URL, capture
/// time and Content-Type in headers.
pub fn hints(msg: &OwnedMessage) -> Hints {
    let url = ["url", "x-url", "copydesk-url", "content-location"]
        .iter()
        .find_map(|h| header_str(msg, h))
        .map(str::to_string);
    let fetched_at = ["fetched-at", "x-fetched-at", "copydesk-fetched-at"]
        .iter()
        .find_map(|h| header_str(msg, h))
        .and_then(parse_time)
        .or_else(|| msg.timestamp().to_millis().and_then(DateTime::from_timestamp_millis));
    let content_type = header_str(msg, "content-type").map(str::to_string);
    Hints { url, fetched_at, content_type }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| s.trim().parse::<i64>().ok().and_then(DateTime::from_timestamp_millis))
}

/// Whether the producer declared the payload a protobuf `Snapshot`.
pub fn is_declared_snapshot(msg: &OwnedMessage) -> bool {
    header_str(msg, "content-type").is_some_and(|c| c.contains("copydesk.v1.Snapshot"))
}

/// The `traceparent` header as sent, if any.
pub fn traceparent_header(msg: &OwnedMessage) -> Option<&str> {
    header_str(msg, header::TRACEPARENT)
}

/// The trace this message belongs to: its own `traceparent`, or a new one.
pub fn trace_of(msg: &OwnedMessage) -> TraceParent {
    traceparent_header(msg).and_then(TraceParent::parse).unwrap_or_else(TraceParent::new_root)
}

/// The `traceparent` to write on a record sent inside `span`: the span's own
/// context when traces are exported, else a new span id in the input's trace.
pub fn outgoing_traceparent(span: &tracing::Span, msg: &OwnedMessage) -> String {
    copydesk_telemetry::traceparent(span).unwrap_or_else(|| trace_of(msg).child().to_string())
}

fn source(msg: &OwnedMessage) -> String {
    format!("{}/{}/{}", msg.topic(), msg.partition(), msg.offset())
}

/// The article record: keyed by article id, so the compacted topic keeps the
/// latest version and a replay is a same-key republish.
pub fn article(topic: &str, mut article: Article, msg: &OwnedMessage, span: tracing::Span) -> Output {
    article.provenance = Some(copydesk_proto::v1::Provenance {
        topic: msg.topic().to_string(),
        partition: msg.partition(),
        offset: msg.offset(),
    });
    let headers = OwnedHeaders::new()
        .insert(Header { key: header::CONTENT_TYPE, value: Some(ARTICLE_CONTENT_TYPE) })
        .insert(Header { key: header::SCHEMA, value: Some(ARTICLE_SCHEMA) })
        .insert(Header { key: header::TRACEPARENT, value: Some(&outgoing_traceparent(&span, msg)) })
        .insert(Header { key: header::SOURCE, value: Some(&source(msg)) });
    let captured_ms = article.fetched_at.as_ref().map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000);
    Output {
        topic: topic.to_string(),
        key: Some(article.id.clone().into_bytes()),
        payload: article.encode_to_vec(),
        headers,
        dead_letter: None,
        captured_ms,
        span,
    }
}

/// The dead letter: the original key, payload and headers, plus why and where.
pub fn dead_letter(topic: &str, msg: &OwnedMessage, why: &Rejection, span: tracing::Span) -> Output {
    let mut headers = OwnedHeaders::new();
    if let Some(original) = msg.headers() {
        for h in original.iter().filter(|h| h.key != header::TRACEPARENT) {
            headers = headers.insert(Header { key: h.key, value: h.value });
        }
    }
    let message: String = why.message.chars().take(1000).collect();
    let headers = headers
        .insert(Header { key: header::ERROR_REASON, value: Some(why.reason.as_str()) })
        .insert(Header { key: header::ERROR_STAGE, value: Some(why.reason.stage().as_str()) })
        .insert(Header { key: header::ERROR_MESSAGE, value: Some(&message) })
        .insert(Header { key: header::ERROR_TOPIC, value: Some(msg.topic()) })
        .insert(Header { key: header::ERROR_PARTITION, value: Some(&msg.partition().to_string()) })
        .insert(Header { key: header::ERROR_OFFSET, value: Some(&msg.offset().to_string()) })
        .insert(Header { key: header::ERROR_TIMESTAMP, value: Some(&Utc::now().to_rfc3339()) })
        .insert(Header { key: header::ERROR_VERSION, value: Some(copydesk_extract::EXTRACTOR_VERSION) })
        .insert(Header { key: header::TRACEPARENT, value: Some(&outgoing_traceparent(&span, msg)) })
        .insert(Header { key: header::SOURCE, value: Some(&source(msg)) });
    Output {
        topic: topic.to_string(),
        key: msg.key().map(<[u8]>::to_vec),
        payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
        headers,
        dead_letter: Some(why.reason),
        captured_ms: None,
        span,
    }
}
