//! The CPU pool extraction runs on: a fixed set of threads beside the async
//! runtime, so parsing never blocks Kafka I/O and one slow page occupies one
//! thread for at most its time budget.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use copydesk_extract::{Article, ExtractError, Hints, Limits};
use tokio::sync::oneshot;

use crate::IngestError;
use crate::metrics::Metrics;
use crate::record::{Reason, Rejection};

#[derive(Clone)]
pub struct ExtractPool {
    pool: Arc<rayon::ThreadPool>,
    limits: Limits,
    metrics: Arc<Metrics>,
}

impl ExtractPool {
    pub fn new(threads: usize, limits: Limits, metrics: Arc<Metrics>) -> Result<ExtractPool, IngestError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("extract-{i}"))
            .build()
            .map_err(|e| IngestError::Pool(e.to_string()))?;
        Ok(ExtractPool { pool: Arc::new(pool), limits, metrics })
    }

    /// Extracts on the pool. `snapshot` says the payload was declared a
    /// protobuf `Snapshot`; otherwise the format is sniffed.
    pub async fn extract(&self, payload: Arc<[u8]>, hints: Hints, snapshot: bool) -> Result<Article, Rejection> {
        let (tx, rx) = oneshot::channel();
        let limits = self.limits.clone();
        let metrics = self.metrics.clone();
        self.pool.spawn(move || {
            // Timed on the worker, so the histogram shows extraction alone;
            // time spent queueing for a thread is in the processing duration.
            let started = Instant::now();
            // The library promises not to panic; if it ever does, the message
            // is dead-lettered instead of taking the service down.
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| run(&payload, &hints, &limits, snapshot)))
                .unwrap_or_else(|_| Err(Rejection::new(Reason::Panic, "extractor panicked")));
            metrics.extracted(started.elapsed());
            let _ = tx.send(result);
        });
        rx.await.unwrap_or_else(|_| Err(Rejection::new(Reason::Panic, "worker lost")))
    }
}

fn run(payload: &[u8], hints: &Hints, limits: &Limits, snapshot: bool) -> Result<Article, Rejection> {
    let rejected = |e: ExtractError| Rejection::new(reason_of(&e), e.to_string());
    // Declared snapshots are decoded as such: a wrong declaration is an error, not a guess.
    let result = if snapshot {
        copydesk_extract::extract_snapshot(payload, hints, limits)
    } else {
        copydesk_extract::extract_with(payload, hints, limits)
    };
    result.map(|x| x.article).map_err(rejected)
}

/// The dead-letter reason for an extraction error.
fn reason_of(error: &ExtractError) -> Reason {
    match error {
        ExtractError::Empty => Reason::Empty,
        ExtractError::TooLarge { .. } => Reason::TooLarge,
        ExtractError::Gzip(_) => Reason::Gzip,
        ExtractError::NotHtml => Reason::NotHtml,
        ExtractError::Envelope(_) => Reason::Envelope,
        ExtractError::Snapshot(_) => Reason::Snapshot,
        ExtractError::TooManyNodes { .. } => Reason::TooManyNodes,
        ExtractError::TooDeep { .. } => Reason::TooDeep,
        ExtractError::Timeout { .. } => Reason::Timeout,
        ExtractError::NoContent => Reason::NoContent,
        // A kind added to the library later is still a dead letter.
        _ => Reason::Other,
    }
}
