//! The ingest pipeline: snapshots topic in, articles or dead letters out.
//!
//! # Layout
//! - `config`: the role's settings (flags and `COPYDESK_*` env) and their validation.
//! - `kafka`: client configurations that carry the delivery guarantees.
//! - `topics`: topic creation, and the start-up check of the topics against the settings.
//! - `at_least_once` / `exactly_once`: the two pipeline loops.
//! - `intake`: the input consumer, always polled, with flow control by pausing partitions;
//!   `wake`: the fetchers woken after a resume, which librdkafka leaves asleep up to 1 s.
//! - `process`: one message to one delivered record; `delivery`: what a failed delivery means.
//! - `order`: newer captures win over older ones under the same article key.
//! - `pool`: the extraction threads.
//! - `record`: article and dead-letter records and their headers. `trace`: `traceparent`.
//! - `tracker`: which offsets are contiguously done and may be committed.
//! - `metrics`: the Prometheus instruments, the `/metrics` endpoint, consumer lag.

mod at_least_once;
mod closing;
pub mod config;
mod delivery;
mod error;
mod exactly_once;
mod intake;
mod kafka;
pub mod metrics;
mod order;
mod pool;
mod process;
pub mod record;
mod topics;
pub mod trace;
mod tracker;
mod txn;
mod wake;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use copydesk_extract::Limits;
use tokio::net::TcpListener;
use tokio::task::JoinError;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

pub use crate::config::{Delivery, IngestConfig};
pub use crate::error::IngestError;
pub use crate::metrics::{Metrics, Snapshot};
pub use crate::pool::ExtractPool;

/// A configured, validated ingest service, ready to run.
pub struct App {
    config: Arc<IngestConfig>,
    pool: ExtractPool,
    metrics: Arc<Metrics>,
    /// The bound metrics socket, served from `run`; `None` when disabled.
    metrics_listener: Option<TcpListener>,
}

impl App {
    /// Validates the configuration (every problem at once), creates the
    /// output topics if asked, and starts the extraction threads.
    pub async fn build(config: IngestConfig) -> Result<App, IngestError> {
        config.validate()?;
        // Bound first: a taken port fails the start before Kafka is touched.
        let metrics_listener = match config.metrics_socket().map_err(|e| IngestError::Config(vec![e]))? {
            Some(addr) => Some(metrics::endpoint::bind(addr).await?),
            None => None,
        };
        if config.create_topics {
            topics::ensure(&config).await?;
        }
        topics::check(&config).await?;
        let limits = Limits {
            max_input_bytes: config.max_message_bytes,
            max_html_bytes: config.max_message_bytes,
            time_budget: Duration::from_millis(config.extract_budget_ms),
            ..Limits::default()
        };
        let metrics = Arc::new(Metrics::new());
        let pool = ExtractPool::new(config.workers(), limits, metrics.clone())?;
        Ok(App { config: Arc::new(config), pool, metrics, metrics_listener })
    }

    /// The pipeline's instruments, shared with the running pipeline.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Where `/metrics` is served (the actual port when 0 was asked for).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Runs until `shutdown` is cancelled, then drains within the grace period.
    ///
    /// The pipeline and the metrics endpoint are supervised as named tasks:
    /// if either ends, the other is stopped too and the first one's outcome
    /// is returned. The endpoint stops last, so a drain can be watched.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), IngestError> {
        let App { config, pool, metrics, metrics_listener } = self;
        let pipeline_stop = shutdown.child_token();
        let mut pipeline_task = {
            let (metrics, stop) = (metrics.clone(), pipeline_stop.clone());
            tokio::spawn(async move {
                metrics.running(true);
                let result = match config.delivery {
                    Delivery::AtLeastOnce => at_least_once::run(config, pool, metrics.clone(), stop).await,
                    Delivery::ExactlyOnce => exactly_once::run(config, pool, metrics.clone(), stop).await,
                };
                metrics.running(false);
                result
            })
        };
        let Some(listener) = metrics_listener else { return outcome(PIPELINE, pipeline_task.await) };
        if let Ok(addr) = listener.local_addr() {
            info!(message = "Serving metrics.", %addr, path = "/metrics");
        }
        let endpoint_stop = CancellationToken::new();
        let mut endpoint_task = tokio::spawn({
            let stop = endpoint_stop.clone();
            async move {
                metrics::endpoint::serve(listener, metrics, stop).await;
                Ok(())
            }
        });
        tokio::select! {
            finished = &mut pipeline_task => {
                endpoint_stop.cancel();
                let endpoint = outcome(ENDPOINT, endpoint_task.await);
                outcome(PIPELINE, finished).and(endpoint)
            }
            finished = &mut endpoint_task => {
                // Only a panic ends the endpoint early; the pipeline drains
                // and commits as on shutdown, and the process exits with the error.
                error!(message = "The metrics endpoint stopped; stopping the pipeline.");
                let endpoint = outcome(ENDPOINT, finished);
                pipeline_stop.cancel();
                outcome(PIPELINE, pipeline_task.await).and(endpoint)
            }
        }
    }
}

const PIPELINE: &str = "pipeline";
const ENDPOINT: &str = "metrics endpoint";

/// A supervised task's result, with a panic turned into an error naming the task.
fn outcome(task: &'static str, joined: Result<Result<(), IngestError>, JoinError>) -> Result<(), IngestError> {
    match joined {
        Ok(result) => result,
        Err(join) => {
            error!(message = "Task panicked.", task, error = %join);
            Err(IngestError::Panicked { task, reason: join.to_string() })
        }
    }
}
