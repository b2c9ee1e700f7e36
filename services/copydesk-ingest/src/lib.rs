//! The ingest pipeline: snapshots topic in, articles or dead letters out.
//!
//! # Layout
//! - `config`: the role's settings (flags and `COPYDESK_*` env) and their validation.
//! - `kafka`: client configurations that carry the delivery guarantees; topic creation.
//! - `at_least_once` / `exactly_once`: the two pipeline loops.
//! - `process`: one message to one delivered record. `pool`: the extraction threads.
//! - `record`: article and dead-letter records and their headers. `trace`: `traceparent`.
//! - `tracker`: which offsets are contiguously done and may be committed.

mod at_least_once;
pub mod config;
mod error;
mod exactly_once;
mod kafka;
mod pool;
mod process;
pub mod record;
pub mod stats;
pub mod trace;
mod tracker;

use std::sync::Arc;
use std::time::Duration;

use copydesk_extract::Limits;
use tokio_util::sync::CancellationToken;

pub use crate::config::{Delivery, IngestConfig};
pub use crate::error::IngestError;
pub use crate::pool::ExtractPool;
pub use crate::stats::Stats;

/// A configured, validated ingest service, ready to run.
pub struct App {
    config: Arc<IngestConfig>,
    pool: ExtractPool,
    stats: Arc<Stats>,
}

impl App {
    /// Validates the configuration (every problem at once), creates the
    /// output topics if asked, and starts the extraction threads.
    pub async fn build(config: IngestConfig) -> Result<App, IngestError> {
        config.validate()?;
        if config.create_topics {
            kafka::ensure_topics(&config).await?;
        }
        let limits = Limits {
            max_input_bytes: config.max_message_bytes,
            max_html_bytes: config.max_message_bytes,
            time_budget: Duration::from_millis(config.extract_budget_ms),
            ..Limits::default()
        };
        let pool = ExtractPool::new(config.workers(), limits)?;
        Ok(App { config: Arc::new(config), pool, stats: Arc::default() })
    }

    /// Progress counters, shared with the running pipeline.
    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    /// Runs until `shutdown` is cancelled, then drains within the grace period.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), IngestError> {
        match self.config.delivery {
            Delivery::AtLeastOnce => at_least_once::run(self.config, self.pool, self.stats, shutdown).await,
            Delivery::ExactlyOnce => exactly_once::run(self.config, self.pool, self.stats, shutdown).await,
        }
    }
}
