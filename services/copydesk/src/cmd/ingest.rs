//! `copydesk ingest`: the streaming service, snapshots in, articles out.

use std::process::ExitCode;

use anyhow::Context;
use copydesk_ingest::{App, IngestConfig, IngestError};
use tracing::{error, info};

use crate::cmd::runtime;

/// Exit status for bad configuration (`EX_USAGE`), so orchestrators can tell
/// it from a crash.
const EX_USAGE: u8 = 64;

pub(crate) fn run(config: IngestConfig) -> anyhow::Result<ExitCode> {
    runtime::init_logging();
    // Configuration is checked before any client or socket exists.
    if let Err(e) = config.validate() {
        eprintln!("copydesk: {e}");
        return Ok(ExitCode::from(EX_USAGE));
    }
    runtime::tokio()?.block_on(async {
        let shutdown = runtime::shutdown_signal()?;
        let app = App::build(config).await.context("cannot start ingest")?;
        let metrics = app.metrics();
        let supervised = tokio::spawn(app.run(shutdown));
        let result = supervised.await;
        let s = metrics.snapshot();
        info!(message = "Totals.", consumed = s.consumed, articles = s.articles, dead_letters = s.dead_letters);
        match result {
            Ok(Ok(())) => Ok(ExitCode::SUCCESS),
            Ok(Err(e @ IngestError::Config(_))) => {
                eprintln!("copydesk: {e}");
                Ok(ExitCode::from(EX_USAGE))
            }
            Ok(Err(e)) => {
                error!(message = "Pipeline stopped.", error = %e);
                Ok(ExitCode::FAILURE)
            }
            Err(join) => {
                error!(message = "Pipeline task crashed.", error = %join);
                Ok(ExitCode::FAILURE)
            }
        }
    })
}
