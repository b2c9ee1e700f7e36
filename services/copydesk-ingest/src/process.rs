//! One input message to one output record: extract on the pool, build the
//! article or dead letter, and deliver it (`delivery`).

use std::sync::Arc;
use std::time::Instant;

use rdkafka::Message;
use rdkafka::error::KafkaError;
use rdkafka::message::OwnedMessage;
use rdkafka::producer::FutureProducer;
use tracing::field::Empty;
use tracing::{Instrument, Span, info_span};

use crate::config::IngestConfig;
use crate::delivery;
use crate::metrics::Metrics;
use crate::order::Newest;
use crate::pool::ExtractPool;
use crate::record::{self, Output, Reason, Rejection};

/// The `receive` and `process` spans of one message, per the OpenTelemetry
/// messaging conventions, continuing the producer's trace from the
/// `traceparent` header. The consumer loop has already polled the message,
/// so receive starts here; `tracing` keeps a parent open while a child lives,
/// so it closes with process.
fn consumer_spans(msg: &OwnedMessage, config: &IngestConfig) -> Span {
    let topic = msg.topic();
    let size = msg.payload().map_or(0, <[u8]>::len);
    let receive = info_span!(
        "receive",
        otel.name = %format_args!("receive {topic}"),
        otel.kind = "client",
        messaging.system = "kafka",
        messaging.operation.name = "receive",
        messaging.operation.type = "receive",
        messaging.destination.name = %topic,
        messaging.destination.partition.id = %msg.partition(),
        messaging.kafka.offset = msg.offset(),
        messaging.consumer.group.name = %config.group_id,
        messaging.message.body.size = size,
    );
    copydesk_telemetry::continue_trace(&receive, record::traceparent_header(msg));
    let process = info_span!(
        parent: &receive,
        "process",
        otel.name = %format_args!("process {topic}"),
        otel.kind = "consumer",
        messaging.system = "kafka",
        messaging.operation.name = "process",
        messaging.operation.type = "process",
        messaging.destination.name = %topic,
        messaging.destination.partition.id = %msg.partition(),
        messaging.kafka.offset = msg.offset(),
        messaging.consumer.group.name = %config.group_id,
        error.type = Empty,
        trace_id = Empty,
        span_id = Empty,
    );
    if let Some(key) = msg.key().and_then(|k| std::str::from_utf8(k).ok()) {
        receive.record("messaging.kafka.message.key", key);
    }
    if !copydesk_telemetry::record_ids(&process) {
        // Export off: the log lines still carry the input's trace id.
        process.record("trace_id", record::trace_of(msg).trace_id_hex());
    }
    process
}

/// The `send` span (PRODUCER) of one output record, a child of `parent`.
pub(crate) fn send_span(parent: &Span, topic: &str, msg: &OwnedMessage) -> Span {
    let span = info_span!(
        parent: parent,
        "send",
        otel.name = %format_args!("send {topic}"),
        otel.kind = "producer",
        messaging.system = "kafka",
        messaging.operation.name = "send",
        messaging.operation.type = "send",
        messaging.destination.name = %topic,
        messaging.kafka.message.key = Empty,
        trace_id = Empty,
        span_id = Empty,
    );
    if let Some(key) = msg.key().and_then(|k| std::str::from_utf8(k).ok()) {
        span.record("messaging.kafka.message.key", key);
    }
    copydesk_telemetry::record_ids(&span);
    span
}

/// Turns a message into the record that represents it downstream, inside
/// the message's `process` span; the record carries its `send` span.
pub(crate) async fn output_for(msg: &OwnedMessage, pool: &ExtractPool, config: &IngestConfig) -> Output {
    let process = consumer_spans(msg, config);
    let payload = msg.payload().unwrap_or_default();
    let outcome = if payload.is_empty() {
        Err(Rejection::new(Reason::Empty, "message has no payload"))
    } else if payload.len() > config.max_message_bytes {
        Err(Rejection::new(
            Reason::TooLarge,
            format!("payload is {} bytes, over the limit of {}", payload.len(), config.max_message_bytes),
        ))
    } else {
        pool.extract(Arc::from(payload), record::hints(msg), record::is_declared_snapshot(msg))
            .instrument(process.clone())
            .await
    };
    match outcome {
        Ok(article) => {
            let span = send_span(&process, &config.articles_topic, msg);
            record::article(&config.articles_topic, article, msg, span)
        }
        Err(why) => {
            process.record("error.type", why.reason.as_str());
            let span = send_span(&process, &config.dead_letter_topic, msg);
            record::dead_letter(&config.dead_letter_topic, msg, &why, span)
        }
    }
}

/// What became of one message: where it was, its size, and whether its
/// output was delivered (an error here is permanent: the service stops).
pub(crate) struct Processed {
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    pub(crate) size: usize,
    pub(crate) delivered: Result<(), KafkaError>,
}

/// Processes one message end to end: its record is built inside the
/// message's `process` span and delivered inside its `send` span, so ops can
/// follow it. `received` is when the message came off the consumer: the
/// processing time counts from there.
pub(crate) async fn process(
    msg: OwnedMessage,
    received: Instant,
    pool: ExtractPool,
    producer: FutureProducer,
    config: Arc<IngestConfig>,
    metrics: Arc<Metrics>,
    newest: Arc<Newest>,
) -> Processed {
    let size = msg.payload().map_or(0, <[u8]>::len);
    let output = output_for(&msg, &pool, &config).await;
    let delivered = delivery::deliver(&producer, output, &msg, &config, &metrics, &newest).await;
    if delivered.is_ok() {
        metrics.processed(received.elapsed());
    }
    Processed { partition: msg.partition(), offset: msg.offset(), size, delivered }
}
