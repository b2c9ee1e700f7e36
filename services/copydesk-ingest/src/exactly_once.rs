//! The exactly-once pipeline: each batch's outputs and input offsets are
//! committed in one Kafka transaction, so `read_committed` readers see every
//! input's record exactly once, across crashes and restarts.
//!
//! A failed batch is aborted and its partitions rewound to the batch start;
//! a crashed instance's open transaction is fenced when an instance with the
//! same transactional id starts, or expires after `transaction.timeout.ms`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::OwnedMessage;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::util::Timeout;
use rdkafka::{Message, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::IngestConfig;
use crate::metrics::Metrics;
use crate::metrics::lag::ConsumerMetrics;
use crate::pool::ExtractPool;
use crate::{IngestError, kafka, process};

const TXN_TIMEOUT: Duration = Duration::from_secs(30);

/// The input consumer; its context reports lag and commits to the metrics.
type Input = StreamConsumer<ConsumerMetrics>;

/// A batch's messages, each with the moment it was received.
type Batch = Vec<(OwnedMessage, Instant)>;

fn size(m: &OwnedMessage) -> usize {
    m.payload().map_or(0, <[u8]>::len)
}

pub(crate) async fn run(
    config: Arc<IngestConfig>,
    pool: ExtractPool,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> Result<(), IngestError> {
    let transactional_id = config.transactional_id.clone().unwrap_or_else(|| {
        // Stable per host and group, so a restarted instance fences its
        // predecessor's open transaction at once instead of waiting it out.
        let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        format!("copydesk-{}-{}", config.group_id, host.trim())
    });
    let context = ConsumerMetrics { metrics: metrics.clone(), topic: config.input_topic.as_str().into() };
    let consumer: Input = kafka::subscribed_consumer(&config, context)?;
    let producer: FutureProducer = kafka::producer(&config, Some(&transactional_id))?;
    blocking(|| producer.init_transactions(TXN_TIMEOUT)).map_err(IngestError::Transaction)?;
    info!(message = "Ingest started.", topic = %config.input_topic, group = %config.group_id, delivery = "exactly-once", %transactional_id);

    while let Some(batch) = next_batch(&consumer, &config, &shutdown).await {
        let result = transact(&consumer, &producer, &pool, &config, &metrics, &batch).await;
        for (m, _) in &batch {
            metrics.finished(size(m));
        }
        if let Err(error) = result {
            warn!(message = "Transaction failed; aborting and rewinding the batch.", %error, messages = batch.len());
            metrics.transaction(false);
            if let Err(error) = blocking(|| producer.abort_transaction(TXN_TIMEOUT)) {
                // The producer is fenced or broken: stop, and let the
                // supervisor restart us from the last committed offsets.
                return Err(IngestError::Transaction(error));
            }
            rewind(&consumer, &batch);
        }
    }
    info!(message = "Ingest stopped.");
    Ok(())
}

/// Up to `transaction_messages` messages, waiting at most `transaction_ms`
/// after the first; `None` once shutdown is requested.
async fn next_batch(consumer: &Input, config: &IngestConfig, shutdown: &CancellationToken) -> Option<Batch> {
    let metrics = &consumer.context().metrics;
    let mut batch = Vec::new();
    let mut bytes = 0usize;
    let first = tokio::select! {
        _ = shutdown.cancelled() => return None,
        m = consumer.recv() => m,
    };
    match first {
        Ok(m) => {
            let m = m.detach();
            bytes += size(&m);
            metrics.received(size(&m));
            batch.push((m, Instant::now()));
        }
        Err(error) => {
            warn!(message = "Kafka consumer error.", %error);
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Some(batch);
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_millis(config.transaction_ms);
    while batch.len() < config.transaction_messages && bytes < config.max_in_flight_bytes {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break,
            m = consumer.recv() => match m {
                Ok(m) => {
                    let m = m.detach();
                    bytes += size(&m);
                    metrics.received(size(&m));
                    batch.push((m, Instant::now()));
                }
                Err(error) => {
                    warn!(message = "Kafka consumer error.", %error);
                    break;
                }
            },
        }
    }
    Some(batch)
}

/// Runs one batch's transaction; on success, records what it committed.
async fn transact(
    consumer: &Input,
    producer: &FutureProducer,
    pool: &ExtractPool,
    config: &IngestConfig,
    metrics: &Metrics,
    batch: &[(OwnedMessage, Instant)],
) -> Result<(), TxnError> {
    if batch.is_empty() {
        return Ok(());
    }
    let outputs = join_all(batch.iter().map(|(m, _)| process::output_for(m, pool, config))).await;
    blocking(|| producer.begin_transaction())?;
    let mut deliveries = Vec::with_capacity(outputs.len());
    for out in &outputs {
        let mut record = FutureRecord::to(&out.topic).payload(&out.payload).headers(out.headers.clone());
        if let Some(key) = &out.key {
            record = record.key(key);
        }
        deliveries.push(producer.send(record, Timeout::After(TXN_TIMEOUT)));
    }
    for result in join_all(deliveries).await {
        if let Err((error, _)) = result {
            metrics.delivery_error();
            return Err(error.into());
        }
    }
    let mut next: BTreeMap<(String, i32), i64> = BTreeMap::new();
    for (m, _) in batch {
        let entry = next.entry((m.topic().to_string(), m.partition())).or_insert(0);
        *entry = (*entry).max(m.offset() + 1);
    }
    let mut offsets = TopicPartitionList::new();
    for ((topic, partition), offset) in next {
        offsets.add_partition_offset(&topic, partition, Offset::Offset(offset))?;
    }
    let group = consumer.group_metadata().ok_or(TxnError::NoGroup)?;
    blocking(|| producer.send_offsets_to_transaction(&offsets, &group, TXN_TIMEOUT))?;
    blocking(|| producer.commit_transaction(TXN_TIMEOUT))?;
    // Counted only now: outputs of an aborted batch were never visible.
    metrics.transaction(true);
    metrics.offsets_committed(offsets.count());
    for (out, (_, received)) in outputs.iter().zip(batch) {
        metrics.delivered(out.dead_letter);
        metrics.processed(received.elapsed());
    }
    Ok(())
}

/// Why a batch's transaction failed.
#[derive(Debug, thiserror::Error)]
enum TxnError {
    #[error(transparent)]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("the consumer has no group metadata yet")]
    NoGroup,
}

/// Seeks each partition of the batch back to the batch's first message, so
/// the aborted messages are processed again in the next transaction.
fn rewind(consumer: &Input, batch: &[(OwnedMessage, Instant)]) {
    let mut first: BTreeMap<(String, i32), i64> = BTreeMap::new();
    for (m, _) in batch {
        let entry = first.entry((m.topic().to_string(), m.partition())).or_insert(i64::MAX);
        *entry = (*entry).min(m.offset());
    }
    for ((topic, partition), offset) in first {
        if let Err(error) = consumer.seek(&topic, partition, Offset::Offset(offset), Duration::from_secs(10)) {
            // A partition revoked meanwhile is re-read by its new owner.
            warn!(message = "Cannot rewind partition.", %error, topic, partition);
        }
    }
}

/// Transaction calls block until the coordinator answers; keep them off the
/// async worker's hot path.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}
