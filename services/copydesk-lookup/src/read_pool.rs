//! A fixed pool of threads for the short store reads of GetArticle and
//! LookupArticle, so that redb and decompression never run on the async
//! workers, which then only move bytes between connections.
//!
//! Fixed, not tokio's blocking pool: a burst of calls would grow that pool
//! to a thread per call in flight, all contending for the same few cores;
//! here the reads queue for as many threads as there are cores. The queue
//! needs no bound of its own: admission's limit on calls at once bounds
//! it. A read whose call has gone (its deadline passed, or the client
//! cancelled) before a thread took it is skipped, not done for nobody.
//! Long reads (large articles, BatchGet, List) stay on tokio's blocking
//! pool, so they never hold these threads.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::LookupError;

type Job = Box<dyn FnOnce() + Send>;

/// Handle to the pool; its threads end when the last handle is dropped.
#[derive(Clone)]
pub(crate) struct ReadPool {
    jobs: Sender<Job>,
}

impl ReadPool {
    /// A pool of `threads` threads (at least one).
    pub(crate) fn new(threads: usize) -> std::io::Result<ReadPool> {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new().name(format!("store-read-{i}")).spawn(move || work(&queue))?;
        }
        Ok(ReadPool { jobs })
    }

    /// A pool with a thread per core the process may use.
    pub(crate) fn per_core() -> std::io::Result<ReadPool> {
        ReadPool::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// Runs `f` on a pool thread and awaits its result; a panic in it
    /// becomes an error naming `task`, as `crate::blocking` makes it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        task: &'static str,
        f: impl FnOnce() -> Result<T, LookupError> + Send + 'static,
    ) -> Result<T, LookupError> {
        let (tx, rx) = oneshot::channel();
        let job = Box::new(move || {
            // The call was dropped while queued: nobody would read the answer.
            if tx.is_closed() {
                return;
            }
            let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(f)));
        });
        let stopped = || LookupError::Panicked { task, reason: "the read pool has stopped".into() };
        self.jobs.send(job).map_err(|_| stopped())?;
        match rx.await {
            Ok(Ok(answer)) => answer,
            Ok(Err(panic)) => Err(LookupError::Panicked { task, reason: panic_message(panic.as_ref()) }),
            // Only a skipped job drops its sender, and then no one awaits.
            Err(_) => Err(stopped()),
        }
    }
}

/// One pool thread: jobs until every handle is gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held while waiting: the other threads wait on it
        // instead of on the channel, and the next job goes to one of them.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => (*s).to_string(),
        (_, Some(s)) => s.clone(),
        _ => "a panic without a message".into(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn runs_reads_off_the_async_thread_and_survives_a_panic() {
        let pool = ReadPool::new(2).unwrap();
        let caller = std::thread::current().id();
        let ran_on = pool.run("test", move || Ok(std::thread::current().id())).await.unwrap();
        assert_ne!(ran_on, caller);
        let name = pool.run("test", || Ok(std::thread::current().name().map(str::to_string))).await.unwrap();
        assert!(name.unwrap().starts_with("store-read-"));
        let panicked = pool.run::<()>("test read", || panic!("boom")).await.unwrap_err();
        assert!(matches!(&panicked, LookupError::Panicked { task: "test read", reason } if reason == "boom"));
        let refused = pool.run::<()>("test", || Err(LookupError::NotReady)).await.unwrap_err();
        assert!(matches!(refused, LookupError::NotReady));
        // Both threads still work after the panic.
        let answers = in_turn(&pool, 8).await;
        assert_eq!(answers, (0..8).collect::<Vec<_>>());
    }

    async fn in_turn(pool: &ReadPool, n: usize) -> Vec<usize> {
        let calls: Vec<_> = (0..n).map(|i| pool.run("test", move || Ok(i))).collect();
        let mut out = Vec::new();
        for call in calls {
            out.push(call.await.unwrap());
        }
        out
    }

    /// A read whose caller has gone while it waited for a thread is not done.
    #[tokio::test]
    async fn skips_a_read_whose_call_has_gone() {
        let pool = ReadPool::new(1).unwrap();
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = oneshot::channel();
        // The one thread is busy until released.
        let held = pool.clone();
        let busy = tokio::spawn(async move {
            held.run("test", move || {
                let _ = started_tx.send(());
                hold.recv().ok();
                Ok(())
            })
            .await
        });
        started.await.unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let counted = done.clone();
        let queued = pool.run("test", move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        // As a deadline does: the call's future is dropped while queued.
        assert!(tokio::time::timeout(Duration::from_millis(1), queued).await.is_err());
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        // A read queued after it runs, so the skipped one was passed.
        pool.run("test", || Ok(())).await.unwrap();
        assert_eq!(done.load(Ordering::SeqCst), 0);
    }
}
