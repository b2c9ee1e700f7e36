//! The input side both loops share: a group consumer that is polled all the
//! time, with flow control by pausing partitions rather than by not polling.
//!
//! librdkafka runs a group change through the consumer's queue: the revoke
//! and assign events wait there until the application polls. A loop that
//! stops polling while its window is full leaves the whole group waiting for
//! it. So the window pauses the assigned partitions instead (librdkafka then
//! drops what it prefetched and resumes from the last message handed out),
//! and polling goes on, which serves group changes at once.
//!
//! Each assignment of a partition gets a new epoch; a message carries the
//! epoch it was received under, so work begun before a revocation can be
//! told from work of the current owner.
//!
//! The consumer is closed when the intake drops, waiting at most
//! `closing::CLOSE_WAIT` (see `closing`): with every broker gone, its close
//! would never end.
//!
//! A wait on the queue never trusts its wake-up alone: rdkafka's stream is
//! woken when librdkafka's queue turns from empty to non-empty, and a wake-up
//! lost there leaves the consumer unpolled, a group change unserved and the
//! whole group waiting, until rdkafka's own safety wake-up at half of
//! `max.poll.interval.ms` (150 s). So `recv` polls the queue again after each
//! `POLL_TICK` of silence, and counts the times that found work no wake-up
//! announced (`copydesk_consumer_wakeups_missed_total`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures::FutureExt;

use copydesk_settings::rebootstrap::BrokerWatch;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::message::OwnedMessage;
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Message, TopicPartitionList};
use tracing::{info, warn};

use crate::IngestError;
use crate::closing::{CLOSE_WAIT, Closing};
use crate::config::IngestConfig;
use crate::kafka;
use crate::metrics::lag::ConsumerMetrics;
use crate::wake::FetchWaker;

/// How long `recv` waits for a wake-up before it polls the queue anyway.
const POLL_TICK: Duration = Duration::from_secs(1);

/// Called with the partitions revoked, before librdkafka lets them go.
pub(crate) type OnRevoke = Box<dyn Fn(&[i32]) + Send + Sync>;

/// Which partitions this consumer owns, under which epoch, and whether the
/// window holds them paused.
#[derive(Debug, Default)]
struct Ownership {
    epochs: HashMap<i32, u64>,
    next_epoch: u64,
    paused: bool,
    /// Group events served so far (assignments and revocations).
    served: u64,
}

/// Hears group changes, commits and statistics on the polling task.
pub(crate) struct IntakeContext {
    metrics: ConsumerMetrics,
    ownership: Arc<Mutex<Ownership>>,
    on_revoke: Option<OnRevoke>,
    brokers: Arc<BrokerWatch>,
}

fn lock(ownership: &Mutex<Ownership>) -> MutexGuard<'_, Ownership> {
    // Plain data: a panic elsewhere cannot leave it half-updated in a way
    // that matters more than stopping would.
    ownership.lock().unwrap_or_else(PoisonError::into_inner)
}

fn partitions(list: &TopicPartitionList) -> Vec<i32> {
    list.elements().iter().map(|e| e.partition()).collect()
}

impl ClientContext for IntakeContext {
    fn stats(&self, statistics: Statistics) {
        self.metrics.statistics(&statistics);
        self.brokers.observe(&statistics);
    }
}

impl ConsumerContext for IntakeContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(list) = rebalance {
            let revoked = partitions(list);
            info!(message = "Partitions revoked.", partitions = ?revoked);
            let mut ownership = lock(&self.ownership);
            for p in &revoked {
                ownership.epochs.remove(p);
            }
            drop(ownership);
            if let Some(on_revoke) = &self.on_revoke {
                on_revoke(&revoked);
            }
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        lock(&self.ownership).served += 1;
        if let Rebalance::Assign(list) = rebalance {
            let assigned = partitions(list);
            info!(message = "Partitions assigned.", partitions = ?assigned);
            let mut ownership = lock(&self.ownership);
            for p in &assigned {
                ownership.next_epoch += 1;
                let epoch = ownership.next_epoch;
                ownership.epochs.insert(*p, epoch);
            }
            // The pause is set either way: a partition assigned while the
            // window is full waits like the others, and librdkafka keeps an
            // application pause across a revocation, so a partition we paused,
            // lost and got back would otherwise never be fetched again.
            if !assigned.is_empty() {
                let result = if ownership.paused { consumer.pause(list) } else { consumer.resume(list) };
                if let Err(error) = result {
                    warn!(message = "Cannot set the pause of newly assigned partitions.", %error, pause = ownership.paused);
                }
            }
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        self.metrics.committed(&result, offsets);
    }
}

/// A message taken off the input, with its partition's epoch and the moment
/// it was received (processing time counts from there).
pub(crate) struct Taken {
    pub(crate) message: OwnedMessage,
    pub(crate) epoch: u64,
    pub(crate) received: Instant,
}

/// The subscribed input consumer.
pub(crate) struct Intake {
    consumer: Closing<StreamConsumer<IntakeContext>>,
    ownership: Arc<Mutex<Ownership>>,
    waker: FetchWaker,
}

impl Drop for Intake {
    fn drop(&mut self) {
        // A wake-up must not be left holding the consumer: its drop would
        // then close it unbounded, after the run (see `wake`).
        if !self.waker.stop(Duration::from_secs(3)) {
            warn!(message = "A fetcher wake-up is still running at the end of the run.");
        }
    }
}

impl Intake {
    /// Creates the consumer and subscribes to the input topic.
    pub(crate) fn subscribe(
        config: &IngestConfig,
        metrics: ConsumerMetrics,
        on_revoke: Option<OnRevoke>,
    ) -> Result<Intake, IngestError> {
        let ownership = Arc::new(Mutex::new(Ownership::default()));
        let brokers = BrokerWatch::new(&config.kafka.brokers);
        let context = IntakeContext { metrics, ownership: ownership.clone(), on_revoke, brokers: brokers.clone() };
        let consumer = kafka::subscribed_consumer(config, context, &brokers)?;
        let consumer = Closing::new(Arc::new(consumer), CLOSE_WAIT, "input consumer");
        Ok(Intake { consumer, ownership, waker: FetchWaker::default() })
    }

    /// The next message, serving group changes on the way. Cancel-safe.
    pub(crate) async fn recv(&self) -> Result<Taken, KafkaError> {
        let message = loop {
            if let Ok(received) = tokio::time::timeout(POLL_TICK, self.consumer.recv()).await {
                break received?.detach();
            }
            // A silent second: poll once more. A message or a group event
            // found now was waiting without a wake-up (or, rarely, arrived
            // in this very instant).
            let served = lock(&self.ownership).served;
            let found = self.consumer.recv().now_or_never();
            if found.is_some() || lock(&self.ownership).served != served {
                warn!(message = "The input consumer held work that no wake-up announced; served it on the poll tick.");
                self.metrics().metrics.wakeup_missed();
            }
            if let Some(received) = found {
                break received?.detach();
            }
        };
        let received = Instant::now();
        // Epoch 0 is never current: a message of a partition no longer owned
        // (it raced its revocation) is then dropped by the epoch checks.
        let epoch = lock(&self.ownership).epochs.get(&message.partition()).copied().unwrap_or(0);
        Ok(Taken { message, epoch, received })
    }

    /// Whether `partition` is still owned under `epoch`.
    pub(crate) fn owns(&self, partition: i32, epoch: u64) -> bool {
        lock(&self.ownership).epochs.get(&partition) == Some(&epoch)
    }

    /// Pauses every assigned partition when the window is `full`, and
    /// resumes them once it is `low` again. A pause drops what librdkafka
    /// prefetched (it is fetched again on resume), so the gap between the two
    /// marks keeps that from happening once per message. A resume also wakes
    /// the fetchers (see `wake`).
    pub(crate) fn flow(&self, full: bool, low: bool) {
        let paused = lock(&self.ownership).paused;
        if !paused && full {
            self.hold(true);
        } else if paused && low {
            self.hold(false);
        }
    }

    /// Pauses (`true`) or resumes every assigned partition; cheap when that
    /// is already so.
    pub(crate) fn hold(&self, pause: bool) {
        let mut ownership = lock(&self.ownership);
        if ownership.paused == pause {
            return;
        }
        let assignment = match self.consumer.assignment() {
            Ok(assignment) => assignment,
            Err(error) => {
                warn!(message = "Cannot read the assignment for flow control.", %error);
                return;
            }
        };
        let result = if pause { self.consumer.pause(&assignment) } else { self.consumer.resume(&assignment) };
        match result {
            Ok(()) => {
                ownership.paused = pause;
                if !pause {
                    self.waker.wake(self.consumer.arc(), &assignment);
                }
            }
            Err(error) => warn!(message = "Cannot pause or resume the input.", %error, pause),
        }
    }

    /// The consumer itself, for commits, seeks and group metadata.
    pub(crate) fn consumer(&self) -> &StreamConsumer<IntakeContext> {
        &self.consumer
    }

    /// Lag and commit metrics.
    pub(crate) fn metrics(&self) -> &ConsumerMetrics {
        &self.consumer.context().metrics
    }
}
