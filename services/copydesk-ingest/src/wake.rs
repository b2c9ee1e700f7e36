//! Wakes librdkafka's fetchers after the window resumes the input.
//!
//! librdkafka (2.12) handles a resume on its main thread and does not tell
//! the broker threads, which fetch. A broker thread whose partitions are all
//! paused sleeps until I/O, an operation for it, or its 1 s idle timeout, so
//! the resumed partitions were fetched again 0-1 s later (0.5 s on average)
//! while the window ran dry: `bench-ingest` on a quiet machine did half the
//! documents per second of the code before the window existed (336 against
//! 722). A request to a broker wakes its thread, and the thread then sees the
//! resumed partitions, so after a resume each resumed partition gets one
//! small request (a watermark query) to its leader from this consumer.
//!
//! Asking the metadata first, to send one request per leader instead of one
//! per partition, was tried: a metadata call naming the topic left the
//! consumer's destroy waiting for ever on a broker thread that never ended
//! (the exactly-once tests' graceful exits hung).

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
    /// Sends one request for each partition of `resumed` to its leader, on
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
        let partitions: Vec<(String, i32)> =
            resumed.elements().iter().map(|e| (e.topic().to_string(), e.partition())).collect();
        runtime.spawn_blocking(move || {
            for (topic, partition) in partitions {
                if let Err(error) = consumer.fetch_watermarks(&topic, partition, TIMEOUT) {
                    debug!(message = "Fetcher wake-up request failed.", %error, topic, partition);
                }
            }
            running.store(false, Ordering::Release);
        });
    }
}
