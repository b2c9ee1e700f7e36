//! One input message to one output record: extract on the pool, build the
//! article or dead letter, and deliver it (`delivery`).

use std::sync::Arc;
use std::time::Instant;

use rdkafka::Message;
use rdkafka::error::KafkaError;
use rdkafka::message::OwnedMessage;
use rdkafka::producer::FutureProducer;
use tracing::{Instrument, info_span};

use crate::config::IngestConfig;
use crate::delivery;
use crate::metrics::Metrics;
use crate::order::Newest;
use crate::pool::ExtractPool;
use crate::record::{self, Output, Reason, Rejection};

/// Turns a message into the record that represents it downstream.
pub(crate) async fn output_for(msg: &OwnedMessage, pool: &ExtractPool, config: &IngestConfig) -> Output {
    let trace = record::trace_of(msg);
    let payload = msg.payload().unwrap_or_default();
    let outcome = if payload.is_empty() {
        Err(Rejection::new(Reason::Empty, "message has no payload"))
    } else if payload.len() > config.max_message_bytes {
        Err(Rejection::new(
            Reason::TooLarge,
            format!("payload is {} bytes, over the limit of {}", payload.len(), config.max_message_bytes),
        ))
    } else {
        pool.extract(Arc::from(payload), record::hints(msg), record::is_declared_snapshot(msg)).await
    };
    match outcome {
        Ok(article) => record::article(&config.articles_topic, article, msg, &trace),
        Err(why) => record::dead_letter(&config.dead_letter_topic, msg, &why, &trace),
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
    newest: Arc<Newest>,
) -> Processed {
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
    let delivered = async {
        let output = output_for(&msg, &pool, &config).await;
        delivery::deliver(&producer, output, &msg, &config, &metrics, &newest).await
    }
    .instrument(span)
    .await;
    if delivered.is_ok() {
        metrics.processed(received.elapsed());
    }
    Processed { partition: msg.partition(), offset: msg.offset(), size, delivered }
}
