//! The exactly-once producer behind calls with a deadline of our own.
//!
//! librdkafka can block in a transaction call far past the timeout it is
//! given: `send_offsets_to_transaction` waits for ever when the group
//! coordinator it has cached is a broker that left the cluster (librdkafka
//! issues #5456 and #5511, open). The calls therefore run on a thread of
//! their own, one after another, and a call is given up on after
//! `TXN_TIMEOUT` and a grace period. Then the
//! pipeline stops with `IngestError::Stalled` and the process exits non-zero:
//! replacing only the producer in process was tried, and the consumer, whose
//! coordinator had left too, then fetched nothing more. A restarted process
//! has fresh clients; the open transaction is aborted by the broker after
//! `transaction.timeout.ms`, or fenced at once under a stable
//! `--transactional-id`.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use rdkafka::error::KafkaResult;
use rdkafka::producer::Producer;
use tokio::sync::oneshot;
use tracing::error;

use crate::config::IngestConfig;
use crate::kafka::OutputProducer;
use crate::{IngestError, kafka};

/// What each transaction call is given. No longer than the producer's
/// `transaction.timeout.ms` (20 s, `kafka.rs`): by then the broker has
/// aborted the transaction anyway.
pub(crate) const TXN_TIMEOUT: Duration = Duration::from_secs(20);

/// Beyond its own timeout, how long a call may take before it is given up on.
const GRACE: Duration = Duration::from_secs(5);

/// Why a guarded call did not succeed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    #[error(transparent)]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("{0} did not return within {timeout:?}", timeout = TXN_TIMEOUT + GRACE)]
    Stuck(&'static str),
}

/// A call waiting for the transaction thread.
type Job = Box<dyn FnOnce() + Send>;

/// The transactional producer, the id it was initialised with, and the
/// thread its blocking transaction calls run on.
pub(crate) struct Transactions {
    producer: Arc<OutputProducer>,
    id: String,
    jobs: mpsc::Sender<Job>,
}

impl Transactions {
    /// A producer with a transactional id from `config`, initialised.
    pub(crate) async fn start(config: &IngestConfig) -> Result<Transactions, IngestError> {
        let id = config.transactional_id();
        let producer = Arc::new(kafka::producer(config, Some(&id))?);
        let jobs = spawn_worker()?;
        let txns = Transactions { producer, id, jobs };
        txns.call("init_transactions", |p| p.init_transactions(TXN_TIMEOUT)).await.map_err(|e| match e {
            CallError::Kafka(source) => IngestError::Transaction(source),
            stuck @ CallError::Stuck(_) => IngestError::Stalled(stuck.to_string()),
        })?;
        Ok(txns)
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// For sends, which have their own message timeout.
    pub(crate) fn producer(&self) -> &OutputProducer {
        &self.producer
    }

    /// Runs `f` on the transaction thread and waits for it at most
    /// `TXN_TIMEOUT` and the grace period. A call given up on leaves the
    /// thread blocked in librdkafka; the pipeline stops then, so no later
    /// call needs the thread.
    pub(crate) async fn call<T, F>(&self, what: &'static str, f: F) -> Result<T, CallError>
    where
        T: Send + 'static,
        F: FnOnce(&OutputProducer) -> KafkaResult<T> + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        // The job holds a handle of its own only while it runs, so the
        // producer is still closed here, on drop, and not by the thread.
        let producer = self.producer.clone();
        let job: Job = Box::new(move || {
            let _ = done.send(f(&producer));
        });
        if self.jobs.send(job).is_err() {
            // The thread is gone: an earlier call panicked in librdkafka.
            return Err(CallError::Stuck(what));
        }
        match tokio::time::timeout(TXN_TIMEOUT + GRACE, result).await {
            Ok(Ok(result)) => Ok(result?),
            // The job was dropped without an answer: it panicked.
            Ok(Err(_)) | Err(_) => Err(CallError::Stuck(what)),
        }
    }
}

/// The thread that makes the blocking transaction calls, in order. It ends
/// when `Transactions` is dropped, or never, if a call never returns.
fn spawn_worker() -> Result<mpsc::Sender<Job>, IngestError> {
    let (jobs, queue) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("txn-calls".into())
        .spawn(move || {
            for job in queue {
                job();
            }
        })
        .map_err(|error| {
            error!(message = "Cannot start the thread for transaction calls.", %error);
            IngestError::Stalled(format!("no thread for transaction calls: {error}"))
        })?;
    Ok(jobs)
}
