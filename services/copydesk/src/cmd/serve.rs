//! `copydesk serve`: the lookup service, the articles topic materialised
//! into an embedded store and served over gRPC.

use std::process::ExitCode;

use anyhow::Context;
use copydesk_lookup::{App, LookupConfig, LookupError};
use tracing::{error, info};

use crate::cmd::runtime;

/// Exit status for bad configuration (`EX_USAGE`), as for `copydesk ingest`.
const EX_USAGE: u8 = 64;

pub(crate) fn run(config: LookupConfig) -> anyhow::Result<ExitCode> {
    runtime::init_logging();
    // Configuration is checked before the store is opened or a port bound.
    if let Err(e) = config.validate() {
        eprintln!("copydesk: {e}");
        return Ok(ExitCode::from(EX_USAGE));
    }
    runtime::tokio()?.block_on(async {
        let shutdown = runtime::shutdown_signal()?;
        let app = App::build(config).await.context("cannot start the lookup service")?;
        let stats = app.stats();
        let result = tokio::spawn(app.run(shutdown)).await;
        let s = stats.snapshot();
        info!(
            message = "Totals.",
            records = s.records_applied,
            upserts = s.upserts,
            deletes = s.deletes,
            invalid = s.invalid
        );
        match result {
            Ok(Ok(())) => Ok(ExitCode::SUCCESS),
            Ok(Err(e @ LookupError::Config(_))) => {
                eprintln!("copydesk: {e}");
                Ok(ExitCode::from(EX_USAGE))
            }
            Ok(Err(e)) => {
                error!(message = "The lookup service stopped.", error = %e);
                Ok(ExitCode::FAILURE)
            }
            Err(join) => {
                error!(message = "The lookup service crashed.", error = %join);
                Ok(ExitCode::FAILURE)
            }
        }
    })
}
