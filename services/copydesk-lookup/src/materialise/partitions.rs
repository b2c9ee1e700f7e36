//! Partitions added to the articles topic while the service runs: a periodic
//! metadata check finds them and they are assigned beside those already read.
//!
//! With manual assignment librdkafka never learns of new partitions by
//! itself (only a group subscription would rebalance onto them), so a replica
//! that never restarted would never read what ingest writes to them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::{Offset, TopicPartitionList};
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::Reader;
use crate::blocking;
use crate::store::Store;

/// The partitions being read, and when to look for more.
pub(super) struct Growth {
    topic: String,
    assigned: BTreeSet<i32>,
    ticks: Interval,
}

impl Growth {
    /// The first check is one period after start: the start itself has just
    /// read the topic's metadata.
    pub(super) fn new(topic: &str, assigned: impl IntoIterator<Item = i32>, every: Duration) -> Growth {
        let mut ticks = tokio::time::interval_at(Instant::now() + every, every);
        // A check held up by a slow broker is not followed by a burst of them.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Growth { topic: topic.to_string(), assigned: assigned.into_iter().collect(), ticks }
    }

    /// Resolves when the next check is due; cancel-safe.
    pub(super) async fn due(&mut self) {
        self.ticks.tick().await;
    }

    /// Assigns the partitions the topic has gained since the last check.
    /// Failures are logged and left to the next tick: the partitions already
    /// assigned keep being read whatever happens here.
    pub(super) async fn check(&mut self, consumer: &Arc<Reader>, store: &Store, stop: &CancellationToken) {
        let (c, topic) = (consumer.clone(), self.topic.clone());
        let fetch = blocking("metadata", move || -> Result<Option<Vec<i32>>, KafkaError> {
            let metadata = c.fetch_metadata(Some(&topic), Duration::from_secs(10))?;
            let found = metadata.topics().iter().find(|t| t.name() == topic && t.error().is_none());
            Ok(found.map(|t| t.partitions().iter().map(|p| p.id()).collect()))
        });
        // An unreachable broker may hold the call for its whole timeout;
        // shutdown does not wait for it.
        let found = tokio::select! {
            _ = stop.cancelled() => return,
            found = fetch => found,
        };
        let found = match found {
            Ok(Ok(Some(found))) => found,
            Ok(Ok(None)) => {
                warn!(message = "The articles topic is missing from metadata; checking its partitions again later.", topic = %self.topic);
                return;
            }
            Ok(Err(error)) => {
                warn!(message = "Cannot read the articles topic's partitions; checking again later.", %error);
                return;
            }
            Err(error) => {
                warn!(message = "Cannot read the articles topic's partitions; checking again later.", %error);
                return;
            }
        };
        let new = added(&self.assigned, &found);
        if new.is_empty() {
            return;
        }
        let stored = match store.offsets() {
            Ok(stored) => stored,
            Err(error) => {
                warn!(message = "Cannot read the stored offsets of new partitions; checking again later.", %error);
                return;
            }
        };
        let starts = start_offsets(&new, &stored);
        let mut assignment = TopicPartitionList::new();
        for &(p, offset) in &starts {
            if let Err(error) = assignment.add_partition_offset(&self.topic, p, offset) {
                warn!(message = "Cannot assign new partitions; checking again later.", partition = p, %error);
                return;
            }
        }
        // Incremental, so the partitions already read keep their positions
        // and fetched messages; a plain assign would restart them all.
        if let Err(error) = consumer.incremental_assign(&assignment) {
            warn!(message = "Cannot assign new partitions; checking again later.", %error);
            return;
        }
        let before = self.assigned.len();
        self.assigned.extend(new.iter().copied());
        let resumed = starts.iter().filter(|(_, o)| matches!(o, Offset::Offset(_))).count();
        info!(
            message = "The articles topic has new partitions; reading them.",
            topic = %self.topic,
            added = new.len(),
            before,
            partitions = self.assigned.len(),
            resumed
        );
    }
}

/// The partitions in `found` not yet assigned, in order. Kafka never takes
/// partitions away, so one missing from `found` (a stale metadata answer)
/// is no reason to stop reading it.
pub(super) fn added(assigned: &BTreeSet<i32>, found: &[i32]) -> Vec<i32> {
    let new: BTreeSet<i32> = found.iter().copied().filter(|p| !assigned.contains(p)).collect();
    new.into_iter().collect()
}

/// Where each new partition starts: its stored offset if the store has one
/// (it was read by an earlier run), else its beginning.
pub(super) fn start_offsets(new: &[i32], stored: &BTreeMap<i32, i64>) -> Vec<(i32, Offset)> {
    new.iter().map(|&p| (p, stored.get(&p).map_or(Offset::Beginning, |&o| Offset::Offset(o)))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_partitions_not_yet_assigned_are_added() {
        let assigned = BTreeSet::from([0]);
        assert_eq!(added(&assigned, &[0]), Vec::<i32>::new());
        assert_eq!(added(&assigned, &[2, 0, 1]), [1, 2]);
        assert_eq!(added(&BTreeSet::from([0, 1, 2]), &[1, 0, 2]), Vec::<i32>::new());
    }

    #[test]
    fn a_partition_missing_from_metadata_is_not_dropped_or_readded() {
        let assigned = BTreeSet::from([0, 1, 2]);
        assert_eq!(added(&assigned, &[0]), Vec::<i32>::new());
        assert_eq!(added(&assigned, &[0, 3, 3]), [3]);
        assert_eq!(added(&BTreeSet::new(), &[]), Vec::<i32>::new());
    }

    #[test]
    fn new_partitions_resume_where_the_store_left_them_else_from_the_start() {
        let stored = BTreeMap::from([(0, 40), (2, 7)]);
        assert_eq!(start_offsets(&[1, 2], &stored), [(1, Offset::Beginning), (2, Offset::Offset(7))]);
        assert_eq!(start_offsets(&[], &stored), []);
    }
}
