//! `copydesk ingest`: the streaming service, snapshots in, articles out.

use std::process::ExitCode;

use anyhow::Context;
use copydesk_ingest::{App, IngestConfig, IngestError};
use tracing::info;

use crate::cmd::runtime;

pub(crate) fn run(config: IngestConfig) -> anyhow::Result<ExitCode> {
    runtime::init_logging();
    // Configuration is checked before any client or socket exists.
    if let Err(e) = config.validate() {
        return Ok(runtime::usage_error(e));
    }
    runtime::tokio()?.block_on(async {
        let shutdown = runtime::shutdown_signal()?;
        let app = App::build(config).await.context("cannot start ingest")?;
        let metrics = app.metrics();
        let supervised = tokio::spawn(app.run(shutdown));
        let result = supervised.await;
        let s = metrics.snapshot();
        info!(message = "Totals.", consumed = s.consumed, articles = s.articles, dead_letters = s.dead_letters);
        Ok(runtime::exit_status(
            result,
            |e| matches!(e, IngestError::Config(_)),
            "Pipeline stopped.",
            "Pipeline task crashed.",
        ))
    })
}
