//! The at-least-once pipeline: fetch, extract, produce, and store an offset
//! only once it and every earlier offset of its partition are acknowledged.
//!
//! librdkafka commits what we store (every second, on revocation and at
//! close), so a crash at any point loses nothing: uncommitted messages are
//! read again and republished under the same key.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::{KafkaError, KafkaResult, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Message, TopicPartitionList};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::config::IngestConfig;
use crate::metrics::Metrics;
use crate::metrics::lag::ConsumerMetrics;
use crate::pool::ExtractPool;
use crate::tracker::OffsetTracker;
use crate::{IngestError, kafka, process};

/// Hears rebalances, commits and statistics on the consumer's poll thread.
struct RebalanceContext {
    tracker: Arc<Mutex<OffsetTracker>>,
    metrics: ConsumerMetrics,
}

impl ClientContext for RebalanceContext {
    fn stats(&self, statistics: Statistics) {
        self.metrics.statistics(&statistics);
    }
}

impl ConsumerContext for RebalanceContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(list) = rebalance {
            // Acks still in flight for these partitions must not be stored:
            // the partition's new owner resumes from the last commit.
            let partitions: Vec<i32> = list.elements().iter().map(|e| e.partition()).collect();
            info!(message = "Partitions revoked.", ?partitions);
            lock(&self.tracker).revoke(partitions);
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        self.metrics.committed(&result, offsets);
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(list) = rebalance {
            let partitions: Vec<i32> = list.elements().iter().map(|e| e.partition()).collect();
            info!(message = "Partitions assigned.", ?partitions);
        }
    }
}

fn lock(tracker: &Mutex<OffsetTracker>) -> std::sync::MutexGuard<'_, OffsetTracker> {
    // A poisoned lock only means another thread panicked mid-update of plain
    // data; the queues are still consistent enough to keep going.
    tracker.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) async fn run(
    config: Arc<IngestConfig>,
    pool: ExtractPool,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> Result<(), IngestError> {
    let tracker = Arc::new(Mutex::new(OffsetTracker::default()));
    let context = RebalanceContext {
        tracker: tracker.clone(),
        metrics: ConsumerMetrics { metrics: metrics.clone(), topic: config.input_topic.as_str().into() },
    };
    let consumer: StreamConsumer<RebalanceContext> = kafka::subscribed_consumer(&config, context)?;
    let producer: FutureProducer = kafka::producer(&config, None)?;
    info!(message = "Ingest started.", topic = %config.input_topic, group = %config.group_id, delivery = "at-least-once");

    let mut in_flight = FuturesUnordered::new();
    let mut bytes_in_flight = 0usize;
    let mut drain_deadline: Option<Instant> = None;
    loop {
        let room = in_flight.len() < config.max_in_flight && bytes_in_flight < config.max_in_flight_bytes;
        let stopping = drain_deadline.is_some();
        tokio::select! {
            // Completions first: acks free window room and move commits
            // forward before more work is taken on.
            biased;
            Some((partition, offset, size)) = in_flight.next() => {
                bytes_in_flight -= size;
                metrics.finished(size);
                let done = lock(&tracker).acknowledged(partition, offset);
                if let Some(done) = done
                    && let Err(error) = consumer.store_offset(&config.input_topic, partition, done)
                {
                    // Only happens when the partition was just revoked.
                    debug!(message = "Offset not stored.", %error, partition, offset = done);
                }
            }
            _ = shutdown.cancelled(), if !stopping => {
                info!(message = "Shutting down: no more fetches; finishing in-flight messages.", in_flight = in_flight.len());
                drain_deadline = Some(Instant::now() + config.shutdown_grace());
            }
            _ = tokio::time::sleep_until(drain_deadline.unwrap_or_else(Instant::now)), if stopping => {
                warn!(message = "Grace period over; leaving the rest uncommitted for the next run.", in_flight = in_flight.len());
                break;
            }
            received = consumer.recv(), if room && !stopping => match received {
                Ok(message) => {
                    let received = std::time::Instant::now();
                    let message = message.detach();
                    let size = message.payload().map_or(0, <[u8]>::len);
                    metrics.received(size);
                    lock(&tracker).received(message.partition(), message.offset());
                    bytes_in_flight += size;
                    in_flight.push(process::process(message, received, pool.clone(), producer.clone(), config.clone(), metrics.clone()));
                }
                Err(error) => {
                    // librdkafka reconnects by itself; this is for the logs,
                    // and the pause keeps a persistent error from spinning.
                    warn!(message = "Kafka consumer error.", %error);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            },
        }
        if drain_deadline.is_some() && in_flight.is_empty() {
            break;
        }
    }
    drop(in_flight);
    match consumer.commit_consumer_state(CommitMode::Sync) {
        Ok(()) => info!(message = "Offsets committed."),
        // Nothing stored since the last automatic commit: nothing to lose.
        Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => info!(message = "Offsets already committed."),
        Err(error) => warn!(message = "Final commit failed; the next run re-reads from the last one.", %error),
    }
    if let Err(error) = producer.flush(Duration::from_secs(10)) {
        warn!(message = "Producer flush incomplete.", %error);
    }
    info!(message = "Ingest stopped.", pending = lock(&tracker).pending());
    Ok(())
}
