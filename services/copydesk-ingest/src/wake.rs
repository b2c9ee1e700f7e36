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
//!
//! A wake-up holds the consumer only weakly, and the intake stops it before
//! closing the consumer: a wake-up still running when the pipeline ended
//! once held the last reference, so the consumer's close (which waits on the
//! group coordinator) ran on a blocking thread after the brokers were gone,
//! and the runtime's shutdown waited on it for ever.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use rdkafka::TopicPartitionList;
use rdkafka::consumer::{Consumer, ConsumerContext, StreamConsumer};
use tracing::debug;

/// Beyond this the broker thread has woken by itself anyway.
const TIMEOUT: Duration = Duration::from_secs(1);

/// At most one wake-up runs at a time: a resume that finds one running is
/// served by it, since its requests come after that resume.
#[derive(Debug, Default)]
pub(crate) struct FetchWaker {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    running: AtomicBool,
    stopped: AtomicBool,
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
        let state = &self.state;
        if resumed.count() == 0 || state.stopped.load(Ordering::Acquire) || state.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let consumer: Weak<StreamConsumer<C>> = Arc::downgrade(consumer);
        let state = state.clone();
        let partitions: Vec<(String, i32)> =
            resumed.elements().iter().map(|e| (e.topic().to_string(), e.partition())).collect();
        runtime.spawn_blocking(move || {
            for (topic, partition) in partitions {
                if state.stopped.load(Ordering::Acquire) {
                    break;
                }
                let Some(consumer) = consumer.upgrade() else { break };
                if let Err(error) = consumer.fetch_watermarks(&topic, partition, TIMEOUT) {
                    debug!(message = "Fetcher wake-up request failed.", %error, topic, partition);
                }
            }
            state.running.store(false, Ordering::Release);
        });
    }

    /// Lets no new wake-up start, and waits at most `within` for the one
    /// running to end (it ends within one request's `TIMEOUT`). Returns
    /// whether none is running now. Blocks the calling thread.
    pub(crate) fn stop(&self, within: Duration) -> bool {
        self.state.stopped.store(true, Ordering::Release);
        let deadline = Instant::now() + within;
        while self.state.running.load(Ordering::Acquire) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_waker_starts_no_wake_up_and_reports_an_idle_one() {
        let waker = FetchWaker::default();
        assert!(waker.stop(Duration::ZERO), "nothing was running");
        assert!(waker.state.stopped.load(Ordering::Acquire));
    }

    #[test]
    fn stop_waits_for_a_running_wake_up_then_gives_up_at_the_deadline() {
        let waker = FetchWaker::default();
        waker.state.running.store(true, Ordering::Release);
        assert!(!waker.stop(Duration::from_millis(20)), "a wake-up that does not end is reported");
        let state = waker.state.clone();
        let ender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            state.running.store(false, Ordering::Release);
        });
        assert!(waker.stop(Duration::from_secs(30)), "the wake-up's end is seen");
        ender.join().expect("ender thread");
    }
}
