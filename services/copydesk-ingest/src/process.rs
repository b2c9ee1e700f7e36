//! One input message to one output record: extract on the pool, build the
//! article or dead letter, and deliver it (`delivery`).

use std::sync::Arc;
use std::time::Instant;

use copydesk_telemetry::messaging::{self, Parent};
use rdkafka::Message;
use rdkafka::error::KafkaError;
use rdkafka::message::OwnedMessage;
use tracing::{Instrument, Span};

use crate::config::IngestConfig;
use crate::delivery;
use crate::kafka::OutputProducer;
use crate::metrics::Metrics;
use crate::order::Newest;
use crate::pool::ExtractPool;
use crate::record::{self, Output, Reason, Rejection};

/// The `receive` and `process` spans of one message (copydesk-telemetry's
/// messaging spans), continuing the producer's trace from the `traceparent`
/// header. The consumer loop has already polled the message, so receive
/// starts here; `tracing` keeps a parent open while a child lives, so it
/// closes with process. With export off and the spans not logged, both are
/// disabled and nothing here reads a header.
fn consumer_spans(msg: &OwnedMessage, config: &IngestConfig) -> Span {
    let message = messaging::Message {
        topic: msg.topic(),
        partition: Some(msg.partition()),
        offset: Some(msg.offset()),
        key: msg.key().and_then(|k| std::str::from_utf8(k).ok()),
        size: Some(msg.payload().map_or(0, <[u8]>::len)),
    };
    let receive = messaging::receive(&message, &config.group_id, None);
    if receive.is_disabled() {
        return receive;
    }
    copydesk_telemetry::continue_trace(&receive, record::traceparent_header(msg));
    let process = messaging::process(
        &messaging::Message { key: None, size: None, ..message },
        Some(&config.group_id),
        Parent::Local(&receive),
    );
    if !copydesk_telemetry::record_ids(&process) {
        // Export off but the spans logged: the log lines still carry the
        // input's trace id.
        process.record("trace_id", record::trace_of(msg).trace_id_hex());
    }
    process
}

/// The `send` span (PRODUCER) of one output record, a child of `parent`.
pub(crate) fn send_span(parent: &Span, topic: &str, msg: &OwnedMessage) -> Span {
    let key = msg.key().and_then(|k| std::str::from_utf8(k).ok());
    let span = messaging::send(&messaging::Message { topic, key, ..messaging::Message::default() }, Some(parent));
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
            messaging::failed(&process, why.reason.as_str());
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
    producer: OutputProducer,
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
