//! The one home of the messaging spans (`send`, `receive`, `process`),
//! named and attributed per the OpenTelemetry messaging conventions, for
//! replay, ingest and serve alike.
//!
//! They are made under their own target, [`TARGET`], so that what records
//! them is chosen per layer: the export layer takes them when export is on;
//! the log layer takes them by default, so that log lines carry a message's
//! trace and span ids, and formats only those ids and the fields that are not
//! export attributes ([`crate::LogFields`]). With export off and
//! `COPYDESK_LOG=...,copydesk_trace=off`, no layer wants them, so `tracing`
//! caches the callsites as disabled and a span costs one relaxed load: no
//! slab slot, no field formatting, no header parsing (the helpers below and in
//! `context` return early on a disabled span).

use tracing::Span;
use tracing::field::Empty;

/// The target of every messaging span: what the log filter keeps at info
/// whatever its level, so that log lines inside a message's spans carry its
/// trace and span ids, unless `COPYDESK_LOG` names it (`copydesk_trace=off`).
pub const TARGET: &str = "copydesk_trace";

/// A messaging span: the attributes every operation has, then `$extra`.
/// A macro because `tracing` wants each span's field names written out.
macro_rules! messaging_span {
    ($parent:expr, $operation:literal, $kind:literal, $topic:expr, $($extra:tt)*) => {
        tracing::info_span!(
            target: TARGET,
            parent: $parent,
            $operation,
            otel.name = %format_args!("{} {}", $operation, $topic),
            otel.kind = $kind,
            messaging.system = "kafka",
            messaging.operation.name = $operation,
            messaging.operation.type = $operation,
            messaging.destination.name = %$topic,
            messaging.destination.partition.id = Empty,
            messaging.kafka.offset = Empty,
            messaging.kafka.message.key = Empty,
            $($extra)*
        )
    };
}

/// What the spans say of one Kafka message. Fields not known yet (a send's
/// partition and offset) are recorded later with [`sent`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Message<'a> {
    pub topic: &'a str,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub key: Option<&'a str>,
    pub size: Option<usize>,
}

impl Message<'_> {
    /// Records the optional attributes that are known; the span macros
    /// declare them `Empty`, so an unknown one is simply not exported.
    fn record_on(&self, span: &Span) {
        if let Some(partition) = self.partition {
            span.record("messaging.destination.partition.id", tracing::field::display(partition));
        }
        if let Some(offset) = self.offset {
            span.record("messaging.kafka.offset", offset);
        }
        if let Some(key) = self.key {
            span.record("messaging.kafka.message.key", key);
        }
        if let Some(size) = self.size {
            span.record("messaging.message.body.size", size);
        }
    }
}

/// The PRODUCER span of sending `message`: a new trace when `parent` is
/// `None` (a crawler, or replay standing in for one), else its child.
pub fn send(message: &Message<'_>, parent: Option<&Span>) -> Span {
    let span = messaging_span!(
        parent.and_then(Span::id),
        "send",
        "producer",
        message.topic,
        messaging.message.body.size = Empty,
        copydesk.source.path = Empty,
        error.type = Empty,
        trace_id = Empty,
        span_id = Empty,
    );
    if !span.is_disabled() {
        message.record_on(&span);
    }
    span
}

/// The CLIENT span of receiving `message` in consumer group `group`,
/// continuing the producer's trace from its `traceparent`.
pub fn receive(message: &Message<'_>, group: &str, traceparent: Option<&str>) -> Span {
    let span = messaging_span!(
        None,
        "receive",
        "client",
        message.topic,
        messaging.message.body.size = Empty,
        messaging.consumer.group.name = %group,
    );
    if !span.is_disabled() {
        message.record_on(&span);
        crate::continue_trace(&span, traceparent);
    }
    span
}

/// Where a `process` span sits in its trace.
#[derive(Debug, Clone, Copy)]
pub enum Parent<'a> {
    /// Under the `receive` span of the same process (ingest).
    Local(&'a Span),
    /// Under the span a record's `traceparent` names (serve storing an
    /// article that ingest sent).
    Remote(Option<&'a str>),
}

/// The CONSUMER span of processing `message`. `group` is the consumer
/// group, when there is one.
pub fn process(message: &Message<'_>, group: Option<&str>, parent: Parent<'_>) -> Span {
    let local = match parent {
        Parent::Local(span) => span.id(),
        Parent::Remote(_) => None,
    };
    let span = messaging_span!(
        local,
        "process",
        "consumer",
        message.topic,
        messaging.consumer.group.name = Empty,
        error.type = Empty,
        trace_id = Empty,
        span_id = Empty,
    );
    if !span.is_disabled() {
        message.record_on(&span);
        if let Some(group) = group {
            span.record("messaging.consumer.group.name", group);
        }
        if let Parent::Remote(traceparent) = parent {
            crate::continue_trace(&span, traceparent);
        }
    }
    span
}

/// Records where a sent message landed.
pub fn sent(span: &Span, partition: i32, offset: i64) {
    span.record("messaging.destination.partition.id", tracing::field::display(partition));
    span.record("messaging.kafka.offset", offset);
}

/// Records why a message failed (the conventions' `error.type`).
pub fn failed(span: &Span, error_type: &str) {
    span.record("error.type", error_type);
}
