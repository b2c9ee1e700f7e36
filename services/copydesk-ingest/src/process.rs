//! One input message to one output record: extract on the pool, build the
//! article or dead letter, and deliver it, retrying until Kafka acknowledges.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::Message;
use rdkafka::error::KafkaError;
use rdkafka::message::OwnedMessage;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use tracing::{Instrument, info_span, warn};

use crate::config::IngestConfig;
use crate::metrics::Metrics;
use crate::pool::ExtractPool;
use crate::record::{self, Output, Rejection};

/// Turns a message into the record that represents it downstream.
pub(crate) async fn output_for(msg: &OwnedMessage, pool: &ExtractPool, config: &IngestConfig) -> Output {
    let trace = record::trace_of(msg);
    let payload = msg.payload().unwrap_or_default();
    let outcome = if payload.is_empty() {
        Err(Rejection { reason: "empty", stage: "extract", message: "message has no payload".into() })
    } else if payload.len() > config.max_message_bytes {
        Err(Rejection {
            reason: "too_large",
            stage: "extract",
            message: format!("payload is {} bytes, over the limit of {}", payload.len(), config.max_message_bytes),
        })
    } else {
        pool.extract(Arc::from(payload), record::hints(msg), record::is_declared_snapshot(msg)).await
    };
    match outcome {
        Ok(article) => record::article(&config.articles_topic, article, msg, &trace),
        Err(why) => record::dead_letter(&config.dead_letter_topic, msg, &why, &trace),
    }
}

/// Processes one message end to end, with a span named after the OpenTelemetry
/// messaging conventions so ops can follow it. `received` is when the
/// message came off the consumer: the processing time counts from there.
pub(crate) async fn process(
    msg: OwnedMessage,
    received: Instant,
    pool: ExtractPool,
    producer: FutureProducer,
    config: Arc<IngestConfig>,
    metrics: Arc<Metrics>,
) -> (i32, i64, usize) {
    let trace = record::trace_of(&msg);
    let span = info_span!(
        "process",
        otel.name = %format!("process {}", msg.topic()),
        messaging.system = "kafka",
        messaging.operation.type = "process",
        messaging.destination.name = %msg.topic(),
        messaging.destination.partition.id = msg.partition(),
        messaging.kafka.offset = msg.offset(),
        messaging.consumer.group.name = %config.group_id,
        trace_id = %trace.trace_id_hex(),
    );
    let size = msg.payload().map_or(0, <[u8]>::len);
    async {
        let output = output_for(&msg, &pool, &config).await;
        deliver(&producer, output, &msg, &config, &metrics).await;
    }
    .instrument(span)
    .await;
    metrics.processed(received.elapsed());
    (msg.partition(), msg.offset(), size)
}

fn too_large(e: &KafkaError) -> bool {
    e.rdkafka_error_code() == Some(RDKafkaErrorCode::MessageSizeTooLarge)
}

/// Sends until acknowledged. An article Kafka refuses as too large becomes a
/// dead letter; a dead letter refused as too large loses its payload but
/// keeps its headers, so the record of the failure is never lost.
pub(crate) async fn deliver(
    producer: &FutureProducer,
    mut out: Output,
    msg: &OwnedMessage,
    config: &IngestConfig,
    metrics: &Metrics,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut record = FutureRecord::to(&out.topic).payload(&out.payload).headers(out.headers.clone());
        if let Some(key) = &out.key {
            record = record.key(key);
        }
        let error = match producer.send(record, Timeout::Never).await {
            Ok(_) => {
                metrics.delivered(out.dead_letter);
                return;
            }
            Err((error, _)) => error,
        };
        metrics.delivery_error();
        if too_large(&error) && out.dead_letter.is_none() {
            let why = Rejection { reason: "produce_too_large", stage: "produce", message: error.to_string() };
            out = record::dead_letter(&config.dead_letter_topic, msg, &why, &record::trace_of(msg));
        } else if too_large(&error) && !out.payload.is_empty() {
            warn!(message = "Dead letter too large for its topic; sending it without the payload.", %error);
            out.payload.clear();
        } else {
            warn!(message = "Delivery failed; retrying.", %error, topic = %out.topic, retry_in_ms = backoff.as_millis() as u64);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    }
}
