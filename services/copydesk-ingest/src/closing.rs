//! The input consumer's close at the end of a run, bounded in time.
//!
//! Dropping a group consumer closes it: librdkafka revokes the assignment,
//! leaves the group, and rdkafka polls until the close is done. With every
//! broker gone that never happens (a fault-test loop saw a close wait for
//! 20 minutes after its broker was removed), so a SIGTERM during a broker
//! outage never ended the process, and the runtime's shutdown waited with it.
//! The close therefore runs on a thread of its own, and the pipeline waits
//! for it at most `CLOSE_WAIT`: long enough for a reachable group
//! coordinator to take the leave (so the group rebalances at once), short
//! enough to exit within a supervisor's grace. A close that does not finish
//! is left to end with the process; the group then notices the member's
//! absence at its session timeout, as after a crash.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use tracing::warn;

/// How long the end of a run waits for the consumer's close.
pub(crate) const CLOSE_WAIT: Duration = Duration::from_secs(10);

/// An `Arc` whose last holder's drop may block for ever; dropping this one
/// waits for that drop at most `wait`. Other holders keep it open, and the
/// last of them closes it.
pub(crate) struct Closing<T: Send + Sync + 'static> {
    inner: Option<Arc<T>>,
    wait: Duration,
    what: &'static str,
}

impl<T: Send + Sync + 'static> Closing<T> {
    pub(crate) fn new(inner: Arc<T>, wait: Duration, what: &'static str) -> Closing<T> {
        Closing { inner: Some(inner), wait, what }
    }

    pub(crate) fn arc(&self) -> &Arc<T> {
        self.inner.as_ref().expect("present until dropped")
    }
}

impl<T: Send + Sync + 'static> Deref for Closing<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.arc()
    }
}

impl<T: Send + Sync + 'static> Drop for Closing<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else { return };
        let (done, finished) = mpsc::channel::<()>();
        let spawned = std::thread::Builder::new().name("kafka-close".into()).spawn(move || {
            drop(inner);
            let _ = done.send(());
        });
        if let Err(error) = spawned {
            // The closure, and the value with it, was dropped on this thread.
            warn!(message = "No thread for a bounded close; closed in place.", what = self.what, %error);
            return;
        }
        if finished.recv_timeout(self.wait).is_err() {
            warn!(
                message = "Close did not finish in time (no broker answered); left to end with the process.",
                what = self.what,
                waited_ms = self.wait.as_millis() as u64,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Blocks its drop until released, as a consumer's close does while
    /// no broker answers.
    struct Stuck {
        release: std::sync::Mutex<mpsc::Receiver<()>>,
        dropped: Arc<AtomicBool>,
    }

    impl Drop for Stuck {
        fn drop(&mut self) {
            let _ = self.release.lock().map(|release| release.recv());
            self.dropped.store(true, Ordering::Release);
        }
    }

    #[test]
    fn a_close_that_hangs_is_left_behind_after_the_wait() {
        let (release, rx) = mpsc::channel();
        let dropped = Arc::new(AtomicBool::new(false));
        let closing = Closing::new(
            Arc::new(Stuck { release: rx.into(), dropped: dropped.clone() }),
            Duration::from_millis(50),
            "test",
        );
        drop(closing);
        // Reached although the close still hangs: the drop returned.
        assert!(!dropped.load(Ordering::Acquire), "the close is still running");
        release.send(()).expect("the close thread still waits");
    }

    #[test]
    fn a_quick_close_is_waited_for() {
        let (release, rx) = mpsc::channel();
        let dropped = Arc::new(AtomicBool::new(false));
        release.send(()).expect("queued");
        let closing = Closing::new(
            Arc::new(Stuck { release: rx.into(), dropped: dropped.clone() }),
            Duration::from_secs(60),
            "test",
        );
        drop(closing);
        assert!(dropped.load(Ordering::Acquire), "the drop waited for the close");
    }

    #[test]
    fn another_holder_keeps_it_open_and_closes_it_last() {
        let (release, rx) = mpsc::channel();
        let dropped = Arc::new(AtomicBool::new(false));
        release.send(()).expect("queued");
        let inner = Arc::new(Stuck { release: rx.into(), dropped: dropped.clone() });
        let other = inner.clone();
        drop(Closing::new(inner, Duration::from_secs(60), "test"));
        assert!(!dropped.load(Ordering::Acquire), "still held elsewhere");
        drop(other);
        assert!(dropped.load(Ordering::Acquire));
    }
}
