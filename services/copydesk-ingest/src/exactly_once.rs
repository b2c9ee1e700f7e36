//! The exactly-once pipeline: each batch's outputs and input offsets are
//! committed in one Kafka transaction, so `read_committed` readers see every
//! input's record exactly once, across crashes, restarts and group changes.
//!
//! A failed batch is aborted and its partitions rewound to the batch start.
//! Messages of a partition revoked while their batch was being extracted are
//! dropped from it: their new owner processes them from the last commit.
//! An output the broker refuses as too large is replaced by a dead letter on
//! the next try, so one record can never wedge its partition.
//! The default transactional id is unique per process (see `--help`): a
//! crashed instance's open transaction is aborted by the broker after
//! `transaction.timeout.ms`, or fenced at once by a restart under the same id.
//! A transaction call that never returns stops the pipeline (`txn.rs`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use rdkafka::consumer::Consumer;
use rdkafka::producer::{FutureRecord, Producer};
use rdkafka::util::Timeout;
use rdkafka::{Message, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, warn};

use crate::config::IngestConfig;
use crate::delivery::{self, Refusal};
use crate::intake::{Intake, Taken};
use crate::metrics::Metrics;
use crate::metrics::lag::ConsumerMetrics;
use crate::order::Newest;
use crate::pool::ExtractPool;
use crate::record::Output;
use crate::txn::{CallError, TXN_TIMEOUT, Transactions};
use crate::{IngestError, process};

/// Inputs whose output the broker refused as too large, by partition and
/// offset, with how many times: their output is shrunk that many times on
/// the next try (`delivery::shrink`). Entries go once their batch commits.
type Refused = HashMap<(i32, i64), u8>;

fn size(t: &Taken) -> usize {
    t.message.payload().map_or(0, <[u8]>::len)
}

pub(crate) async fn run(
    config: Arc<IngestConfig>,
    pool: ExtractPool,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> Result<(), IngestError> {
    let lag = ConsumerMetrics { metrics: metrics.clone(), topic: config.input_topic.as_str().into() };
    let intake = Intake::subscribe(&config, lag, None)?;
    let txns = Transactions::start(&config).await?;
    info!(message = "Ingest started.", topic = %config.input_topic, group = %config.group_id, delivery = "exactly-once", transactional_id = %txns.id());

    let mut refused = Refused::new();
    let newest = Newest::default();
    while let Some(batch) = next_batch(&intake, &config, &shutdown).await {
        let outputs = extract(&intake, &pool, &config, &batch, &refused).await;
        for t in &batch {
            metrics.finished(size(t));
        }
        // Only now, after the wait in which group changes were served, is it
        // known which of the batch's partitions are still ours.
        let (batch, outputs): (Vec<Taken>, Vec<Output>) =
            batch.into_iter().zip(outputs).filter(|(t, _)| intake.owns(t.message.partition(), t.epoch)).unzip();
        let result = transact(&intake, &txns, &metrics, &batch, outputs, &config, &newest).await;
        match result {
            Ok(()) => {
                for t in &batch {
                    refused.remove(&(t.message.partition(), t.message.offset()));
                }
            }
            Err(error) => {
                if let TxnError::Refused(ref which) = error {
                    for &i in which {
                        let m = &batch[i].message;
                        *refused.entry((m.partition(), m.offset())).or_default() += 1;
                    }
                }
                warn!(message = "Transaction failed; aborting and rewinding the batch.", %error, messages = batch.len());
                metrics.transaction(false);
                if let TxnError::Permanent(error) = error {
                    metrics.failed();
                    return Err(IngestError::Delivery(error));
                }
                let stuck = match error {
                    TxnError::Call(CallError::Stuck(what)) => what,
                    _ => match txns.call("abort_transaction", |p| p.abort_transaction(TXN_TIMEOUT)).await {
                        Ok(()) => {
                            rewind(&intake, &batch);
                            continue;
                        }
                        Err(CallError::Stuck(what)) => what,
                        // The producer is fenced or broken: stop, and let the
                        // supervisor restart us from the last committed offsets.
                        Err(CallError::Kafka(error)) => {
                            metrics.failed();
                            return Err(IngestError::Transaction(error));
                        }
                    },
                };
                // Clients that librdkafka left waiting on a departed
                // coordinator are not reused: exit, and let the supervisor
                // start us again with fresh ones from the last commit.
                metrics.transaction_abandoned();
                metrics.failed();
                // Closing these clients waits on the same coordinators and could
                // hang the exit; the process is ending, so they are left as they are.
                std::mem::forget(intake);
                std::mem::forget(txns);
                return Err(IngestError::Stalled(stuck.to_string()));
            }
        }
    }
    info!(message = "Ingest stopped.");
    Ok(())
}

/// Up to `transaction_messages` messages, waiting at most `transaction_ms`
/// after the first; `None` once shutdown is requested.
async fn next_batch(intake: &Intake, config: &IngestConfig, shutdown: &CancellationToken) -> Option<Vec<Taken>> {
    intake.hold(false);
    let (mut batch, mut bytes) = (Vec::new(), 0usize);
    // The first message waits as long as it takes; the rest only until the deadline.
    let first = tokio::select! {
        _ = shutdown.cancelled() => return None,
        m = intake.recv() => m,
    };
    let mut next = Some(first);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(config.transaction_ms);
    while let Some(received) = next.take() {
        match received {
            Ok(t) => {
                bytes += size(&t);
                intake.metrics().metrics.received(size(&t));
                batch.push(t);
            }
            Err(error) => {
                warn!(message = "Kafka consumer error.", %error);
                if batch.is_empty() {
                    // Nothing to commit: back off before polling again.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                break;
            }
        }
        if batch.len() >= config.transaction_messages || bytes >= config.max_in_flight_bytes {
            break;
        }
        next = tokio::select! {
            _ = tokio::time::sleep_until(deadline) => None,
            m = intake.recv() => Some(m),
        };
    }
    Some(batch)
}

/// Extracts the batch on the pool. Meanwhile the input stays paused but
/// polled, so a group change is served at once rather than after the batch.
async fn extract(
    intake: &Intake,
    pool: &ExtractPool,
    config: &IngestConfig,
    batch: &[Taken],
    refused: &Refused,
) -> Vec<Output> {
    intake.hold(true);
    let outputs = join_all(batch.iter().map(|t| {
        let m = &t.message;
        let times = refused.get(&(m.partition(), m.offset())).copied().unwrap_or(0);
        async move {
            let mut out = process::output_for(m, pool, config).await;
            for _ in 0..times {
                match delivery::shrink(&out, m, config) {
                    Some(smaller) => out = smaller,
                    None => break,
                }
            }
            out
        }
    }));
    tokio::pin!(outputs);
    loop {
        tokio::select! {
            biased;
            outputs = &mut outputs => return outputs,
            // Paused partitions hand out nothing; should a message slip
            // through, it is left to a rewind like any uncommitted one.
            m = intake.recv() => if let Ok(t) = m {
                straggler(intake, t);
            },
        }
    }
}

/// A message received while the batch was paused: seek its partition back
/// to it, so it is read again with the next batch.
fn straggler(intake: &Intake, t: Taken) {
    let m = &t.message;
    if let Err(error) =
        intake.consumer().seek(m.topic(), m.partition(), Offset::Offset(m.offset()), Duration::from_secs(10))
    {
        warn!(message = "Cannot seek back to a message received while paused.", %error, partition = m.partition());
    }
}

/// Runs one batch's transaction; on success, records what it committed.
async fn transact(
    intake: &Intake,
    txns: &Transactions,
    metrics: &Metrics,
    batch: &[Taken],
    outputs: Vec<Output>,
    config: &IngestConfig,
    newest: &Newest,
) -> Result<(), TxnError> {
    if batch.is_empty() {
        return Ok(());
    }
    txns.call("begin_transaction", |p| p.begin_transaction()).await?;
    let producer = txns.producer();
    // In offset order, so a later capture in the batch wins over an earlier one.
    let outputs: Vec<Output> =
        outputs.into_iter().zip(batch).map(|(out, t)| delivery::in_order(out, &t.message, config, newest)).collect();
    let mut deliveries = Vec::with_capacity(outputs.len());
    for out in &outputs {
        let mut record = FutureRecord::to(&out.topic).payload(&out.payload).headers(out.headers.clone());
        if let Some(key) = &out.key {
            record = record.key(key);
        }
        deliveries.push(producer.send(record, Timeout::After(TXN_TIMEOUT)).instrument(out.span.clone()));
    }
    let mut too_large = Vec::new();
    let mut failure = None;
    for (i, result) in join_all(deliveries).await.into_iter().enumerate() {
        if let Err((error, _)) = result {
            metrics.delivery_error();
            match delivery::refusal(&error, producer, &outputs[i].topic).await {
                Refusal::TooLarge => too_large.push(i),
                Refusal::Permanent => return Err(TxnError::Permanent(error)),
                Refusal::Transient => failure = Some(error),
            }
        }
    }
    if !too_large.is_empty() {
        return Err(TxnError::Refused(too_large));
    }
    if let Some(error) = failure {
        return Err(error.into());
    }
    let mut next: BTreeMap<(String, i32), i64> = BTreeMap::new();
    for t in batch {
        let m = &t.message;
        let entry = next.entry((m.topic().to_string(), m.partition())).or_insert(0);
        *entry = (*entry).max(m.offset() + 1);
    }
    let mut offsets = TopicPartitionList::new();
    for ((topic, partition), offset) in next {
        offsets.add_partition_offset(&topic, partition, Offset::Offset(offset))?;
    }
    let group = intake.consumer().group_metadata().ok_or(TxnError::NoGroup)?;
    let committed = offsets.count();
    txns.call("send_offsets_to_transaction", move |p| p.send_offsets_to_transaction(&offsets, &group, TXN_TIMEOUT))
        .await?;
    txns.call("commit_transaction", |p| p.commit_transaction(TXN_TIMEOUT)).await?;
    // Counted only now: outputs of an aborted batch were never visible.
    metrics.transaction(true);
    metrics.offsets_committed(committed);
    for (out, t) in outputs.iter().zip(batch) {
        metrics.delivered(out.dead_letter);
        metrics.processed(t.received.elapsed());
    }
    Ok(())
}

/// Why a batch's transaction failed.
#[derive(Debug, thiserror::Error)]
enum TxnError {
    #[error(transparent)]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error(transparent)]
    Call(#[from] CallError),
    #[error("the consumer has no group metadata yet")]
    NoGroup,
    #[error("the broker refused {} output(s) as too large; they become dead letters", .0.len())]
    Refused(Vec<usize>),
    #[error("delivery failed for good: {0}")]
    Permanent(rdkafka::error::KafkaError),
}

/// Seeks each partition of the batch back to the batch's first message, so
/// the aborted messages are processed again in the next transaction.
fn rewind(intake: &Intake, batch: &[Taken]) {
    let mut first: BTreeMap<(String, i32), i64> = BTreeMap::new();
    for t in batch {
        let m = &t.message;
        let entry = first.entry((m.topic().to_string(), m.partition())).or_insert(i64::MAX);
        *entry = (*entry).min(m.offset());
    }
    for ((topic, partition), offset) in first {
        if let Err(error) = intake.consumer().seek(&topic, partition, Offset::Offset(offset), Duration::from_secs(10)) {
            // A partition revoked meanwhile is re-read by its new owner.
            warn!(message = "Cannot rewind partition.", %error, topic, partition);
        }
    }
}
