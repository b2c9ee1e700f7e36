//! The at-least-once pipeline: fetch, extract, produce, and store an offset
//! only once it and every earlier offset of its partition are acknowledged.
//!
//! librdkafka commits what we store (every second, on revocation and at
//! close), so a crash at any point loses nothing: uncommitted messages are
//! read again and republished under the same key.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rdkafka::Message;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::Producer;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::config::IngestConfig;
use crate::intake::Intake;
use crate::metrics::Metrics;
use crate::metrics::lag::ConsumerMetrics;
use crate::order::Newest;
use crate::pool::ExtractPool;
use crate::tracker::OffsetTracker;
use crate::{IngestError, kafka, process};

/// How many received offsets may wait behind an unfinished one, as a multiple
/// of the in-flight window: a message stuck in retries holds its partition's
/// commits back, and the tracker's queues must not grow without bound.
const TRACKED_PER_WINDOW: usize = 4;

fn lock(tracker: &Mutex<OffsetTracker>) -> MutexGuard<'_, OffsetTracker> {
    // A poisoned lock only means another thread panicked mid-update of plain
    // data; the queues are still consistent enough to keep going.
    tracker.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) async fn run(
    config: Arc<IngestConfig>,
    pool: ExtractPool,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> Result<(), IngestError> {
    let tracker = Arc::new(Mutex::new(OffsetTracker::default()));
    let forget = tracker.clone();
    // Acks still in flight for revoked partitions must not be stored: the
    // partition's new owner resumes from the last commit.
    let on_revoke = Box::new(move |partitions: &[i32]| lock(&forget).revoke(partitions.iter().copied()));
    let lag = ConsumerMetrics { metrics: metrics.clone(), topic: config.input_topic.as_str().into() };
    let intake = Intake::subscribe(&config, lag, Some(on_revoke))?;
    let consumer = intake.consumer();
    let producer = kafka::producer(&config, None)?;
    info!(message = "Ingest started.", topic = %config.input_topic, group = %config.group_id, delivery = "at-least-once");

    let newest = Arc::new(Newest::default());
    let mut in_flight = FuturesUnordered::new();
    let mut bytes_in_flight = 0usize;
    let mut drain_deadline: Option<Instant> = None;
    let mut failure = None;
    let tracked_cap = config.max_in_flight * TRACKED_PER_WINDOW;
    loop {
        let tracked = lock(&tracker).tracked();
        let full = in_flight.len() >= config.max_in_flight
            || bytes_in_flight >= config.max_in_flight_bytes
            || tracked >= tracked_cap;
        let low = in_flight.len() <= config.max_in_flight / 2
            && bytes_in_flight <= config.max_in_flight_bytes / 2
            && tracked <= tracked_cap / 2;
        let stopping = drain_deadline.is_some();
        // A full window pauses the partitions; polling goes on regardless,
        // so a group change never waits for the window.
        intake.flow(full, low);
        tokio::select! {
            // Completions first: acks free window room and move commits
            // forward before more work is taken on.
            biased;
            Some(processed) = in_flight.next() => {
                let process::Processed { partition, offset, size, delivered } = processed;
                bytes_in_flight -= size;
                metrics.finished(size);
                if let Err(error) = delivered {
                    // Nothing is stored past this offset, so nothing is lost:
                    // a restart (once the cause is mended) re-reads from here.
                    metrics.failed();
                    failure = Some(error);
                    break;
                }
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
            received = intake.recv(), if !stopping => match received {
                // A message may still arrive just after the pause (it was
                // handed out before): taking it overfills the window by one.
                Ok(taken) => {
                    let message = taken.message;
                    let size = message.payload().map_or(0, <[u8]>::len);
                    metrics.received(size);
                    lock(&tracker).received(message.partition(), message.offset());
                    bytes_in_flight += size;
                    in_flight.push(process::process(message, taken.received, pool.clone(), producer.clone(), config.clone(), metrics.clone(), newest.clone()));
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
    match failure {
        Some(error) => Err(IngestError::Delivery(error)),
        None => Ok(()),
    }
}
