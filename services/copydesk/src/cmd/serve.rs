//! `copydesk serve`: the lookup service, the articles topic materialised
//! into an embedded store and served over gRPC.

use std::process::ExitCode;

use anyhow::Context;
use copydesk_lookup::{App, LookupConfig, LookupError};
use tracing::info;

use crate::cmd::runtime;

pub(crate) fn run(config: LookupConfig) -> anyhow::Result<ExitCode> {
    runtime::init_logging();
    // Configuration is checked before the store is opened or a port bound.
    if let Err(e) = config.validate() {
        return Ok(runtime::usage_error(e));
    }
    runtime::tokio()?.block_on(async {
        let shutdown = runtime::shutdown_signal()?;
        let app = App::build(config).await.context("cannot start the lookup service")?;
        let metrics = app.metrics();
        let result = tokio::spawn(app.run(shutdown)).await;
        let s = metrics.snapshot();
        info!(
            message = "Totals.",
            records = s.applied(),
            articles = s.articles_applied,
            tombstones = s.tombstones_applied,
            skipped = s.skipped
        );
        Ok(runtime::exit_status(
            result,
            |e| matches!(e, LookupError::Config(_)),
            "The lookup service stopped.",
            "The lookup service crashed.",
        ))
    })
}
