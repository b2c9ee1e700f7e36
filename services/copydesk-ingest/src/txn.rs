//! The exactly-once producer behind calls with a deadline of our own.
//!
//! librdkafka can block in a transaction call far past the timeout it is
//! given: `send_offsets_to_transaction` waits for ever when the group
//! coordinator it has cached is a broker that left the cluster (librdkafka
//! issues #5456 and #5511, open). Each call therefore runs on a thread of its
//! own and is given up on after `TXN_TIMEOUT` and a grace period. Then the
//! pipeline stops with `IngestError::Stalled` and the process exits non-zero:
//! replacing only the producer in process was tried, and the consumer, whose
//! coordinator had left too, then fetched nothing more. A restarted process
//! has fresh clients; the open transaction is aborted by the broker after
//! `transaction.timeout.ms`, or fenced at once under a stable
//! `--transactional-id`.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::error::KafkaResult;
use rdkafka::producer::{FutureProducer, Producer};
use tokio::sync::oneshot;
use tracing::error;

use crate::config::IngestConfig;
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

/// The transactional producer and the id it was initialised with.
pub(crate) struct Transactions {
    producer: Arc<FutureProducer>,
    id: String,
}

impl Transactions {
    /// A producer with a transactional id from `config`, initialised.
    pub(crate) async fn start(config: &IngestConfig) -> Result<Transactions, IngestError> {
        let id = config.transactional_id();
        let producer = Arc::new(kafka::producer(config, Some(&id))?);
        let txns = Transactions { producer, id };
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
    pub(crate) fn producer(&self) -> &FutureProducer {
        &self.producer
    }

    /// Runs `f` on a thread of its own and waits for it at most
    /// `TXN_TIMEOUT` and the grace period. A thread given up on stays
    /// blocked in librdkafka; it holds the abandoned producer until it returns.
    pub(crate) async fn call<T, F>(&self, what: &'static str, f: F) -> Result<T, CallError>
    where
        T: Send + 'static,
        F: FnOnce(&FutureProducer) -> KafkaResult<T> + Send + 'static,
    {
        let producer = self.producer.clone();
        let (done, result) = oneshot::channel();
        let spawned = std::thread::Builder::new().name(format!("txn-{what}")).spawn(move || {
            let _ = done.send(f(&producer));
        });
        if let Err(error) = spawned {
            error!(message = "Cannot start a thread for a transaction call.", %error, call = what);
            return Err(CallError::Stuck(what));
        }
        match tokio::time::timeout(TXN_TIMEOUT + GRACE, result).await {
            Ok(Ok(result)) => Ok(result?),
            // The thread ended without an answer: it panicked in `f`.
            Ok(Err(_)) | Err(_) => Err(CallError::Stuck(what)),
        }
    }
}
