//! Wakes librdkafka's fetchers after the window resumes the input.
//!
//! librdkafka (2.12) handles a resume on its main thread and does not tell
//! the broker threads, which fetch. A broker thread whose partitions are all
//! paused sleeps until I/O, an operation for it, or its 1 s idle timeout, so
//! the resumed partitions were fetched again 0-1 s later (0.5 s on average)
//! while the window ran dry: `bench-ingest` on a quiet machine did half the
//! documents per second of the code before the window existed (336 against
//! 722). A request to a broker wakes its thread, and the thread then sees the
//! resumed partitions, so after a resume each leader of an assigned
//! partition gets one small request (a watermark query) from this consumer.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rdkafka::TopicPartitionList;
use rdkafka::consumer::{Consumer, ConsumerContext, StreamConsumer};
use tracing::debug;

/// Beyond this the broker thread has woken by itself anyway.
const TIMEOUT: Duration = Duration::from_secs(1);

/// At most one wake-up runs at a time: a resume that finds one running is
/// served by it, since its requests come after that resume.
#[derive(Debug, Default)]
pub(crate) struct FetchWaker {
    running: Arc<AtomicBool>,
}

impl FetchWaker {
    /// Sends one request to each broker leading a partition of `resumed`, on
    /// a blocking thread (the client calls block). Needs a tokio runtime;
    /// without one it does nothing, and the fetchers wake by themselves.
    pub(crate) fn wake<C: ConsumerContext + 'static>(
        &self,
        consumer: &Arc<StreamConsumer<C>>,
        resumed: &TopicPartitionList,
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        if resumed.count() == 0 || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let consumer = consumer.clone();
        let running = self.running.clone();
        let resumed = resumed.clone();
        runtime.spawn_blocking(move || {
            for (topic, partition) in one_partition_per_leader(consumer.as_ref(), &resumed) {
                if let Err(error) = consumer.fetch_watermarks(&topic, partition, TIMEOUT) {
                    debug!(message = "Fetcher wake-up request failed.", %error, topic, partition);
                }
            }
            running.store(false, Ordering::Release);
        });
    }
}

/// For each broker leading some partition of `list`, one such partition.
/// Without metadata, every partition: one request too many costs less than
/// a fetcher left asleep.
fn one_partition_per_leader<C: ConsumerContext>(
    consumer: &StreamConsumer<C>,
    list: &TopicPartitionList,
) -> Vec<(String, i32)> {
    let mut by_topic: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for element in list.elements() {
        by_topic.entry(element.topic().to_string()).or_default().push(element.partition());
    }
    let mut chosen = BTreeMap::new();
    let mut unknown = Vec::new();
    for (topic, partitions) in by_topic {
        let leaders: BTreeMap<i32, i32> = match consumer.fetch_metadata(Some(&topic), TIMEOUT) {
            Ok(metadata) => {
                metadata.topics().iter().flat_map(|t| t.partitions().iter().map(|p| (p.id(), p.leader()))).collect()
            }
            Err(error) => {
                debug!(message = "No metadata for the fetcher wake-up.", %error, topic);
                BTreeMap::new()
            }
        };
        for partition in partitions {
            match leaders.get(&partition) {
                Some(&leader) if leader >= 0 => {
                    chosen.entry(leader).or_insert_with(|| (topic.clone(), partition));
                }
                _ => unknown.push((topic.clone(), partition)),
            }
        }
    }
    chosen.into_values().chain(unknown).collect()
}
