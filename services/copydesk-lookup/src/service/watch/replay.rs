//! The changes a resuming watcher missed, read again from the articles topic:
//! from its token's offsets up to where the store stood when it asked, with a
//! consumer of its own (assigned partitions, no group, nothing committed).
//!
//! The store keeps only each article's latest state, not a log of changes;
//! the topic is that log. Reading it again is what lets a token outlive a
//! restart of the service and be honoured by any replica: every replica
//! reads the same topic, so the offsets mean the same everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::OwnedSemaphorePermit;
use tracing::warn;

use super::Event;
use crate::admission::Admission;
use crate::materialise::{Reader, change_of, consumer_config, reader};
use crate::{LookupConfig, LookupError, blocking};

/// How long the question for a partition's first offset may take.
const KAFKA_TIMEOUT: Duration = Duration::from_secs(10);

/// A replay in progress: the partitions still short of their end.
pub(crate) struct Replay {
    consumer: Arc<Reader>,
    /// The replay's admission slot, freed with it.
    _slot: OwnedSemaphorePermit,
    /// Partition -> the store's next offset when the watcher asked: where
    /// the replay ends and the live changes take over.
    upto: BTreeMap<i32, i64>,
    open: BTreeSet<i32>,
}

impl Replay {
    /// Starts reading every partition where `from` is short of `upto` (a
    /// partition `from` does not name starts at 0). `None` when there is
    /// nothing to read. A partition whose first offset has passed `from`
    /// (retention, or records deleted) cannot be replayed: `ResumeExpired`.
    pub(crate) async fn start(
        admission: &Admission,
        config: &LookupConfig,
        from: &BTreeMap<i32, i64>,
        upto: &BTreeMap<i32, i64>,
    ) -> Result<Option<Replay>, LookupError> {
        let wanted: BTreeMap<i32, i64> = upto
            .iter()
            .map(|(&p, &end)| (p, from.get(&p).copied().unwrap_or(0), end))
            .filter(|&(_, start, end)| start < end)
            .map(|(p, start, _)| (p, start))
            .collect();
        if wanted.is_empty() {
            return Ok(None);
        }
        let slot = admission.replay()?;
        let mut client = consumer_config(config);
        // About two fetches queued ahead at most (librdkafka's default is 64 MiB
        // whatever the fetch size); `--max-watch-replays` bounds how many.
        client.set("queued.max.messages.kbytes", (config.max_message_bytes / 1024 * 2).max(16 << 10).to_string());
        let consumer = reader(&client, config, "replay consumer")?;
        let topic = config.articles_topic.clone();
        let (c, t, w) = (consumer.clone(), topic.clone(), wanted.clone());
        // The first offset each partition still has, asked off the async workers.
        let firsts = blocking("watermarks", move || -> Result<Vec<(i32, i64)>, KafkaError> {
            w.keys().map(|&p| Ok((p, c.fetch_watermarks(&t, p, KAFKA_TIMEOUT)?.0))).collect()
        })
        .await?
        .map_err(|source| LookupError::Kafka { topic: topic.clone(), source })?;
        for (p, first) in firsts {
            if wanted[&p] < first {
                return Err(LookupError::ResumeExpired(format!(
                    "partition {p} of the articles topic now starts at offset {first}, past the token's {}",
                    wanted[&p]
                )));
            }
        }
        let mut assignment = TopicPartitionList::new();
        for (&p, &start) in &wanted {
            assignment
                .add_partition_offset(&topic, p, Offset::Offset(start))
                .map_err(|source| LookupError::Kafka { topic: topic.clone(), source })?;
        }
        consumer.assign(&assignment).map_err(|source| LookupError::Kafka { topic: topic.clone(), source })?;
        Ok(Some(Replay { consumer, _slot: slot, upto: upto.clone(), open: wanted.into_keys().collect() }))
    }

    /// The next change before the end, in offset order per partition; `None`
    /// once every partition has reached its end. Records that are not
    /// articles are passed over, as the materialiser passes them over.
    pub(crate) async fn next(&mut self) -> Option<Event> {
        while !self.open.is_empty() {
            let message = match self.consumer.recv().await {
                Ok(message) => message,
                // The end of what the broker has: the end asked for lies before it
                // (the store had read that far), or only markers followed.
                Err(KafkaError::PartitionEOF(p)) => {
                    self.open.remove(&p);
                    continue;
                }
                Err(error) => {
                    // librdkafka retries by itself; the watcher hanging up ends this.
                    warn!(message = "Error replaying the articles topic for a watcher.", %error);
                    continue;
                }
            };
            let (p, offset) = (message.partition(), message.offset());
            let end = self.upto.get(&p).copied().unwrap_or(0);
            if !self.open.contains(&p) || offset >= end {
                self.open.remove(&p);
                continue;
            }
            if offset + 1 >= end {
                self.open.remove(&p);
            }
            if let Ok(change) = change_of(&message) {
                return Some(Event::of(p, offset, change));
            }
        }
        None
    }
}
