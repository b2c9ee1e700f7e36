//! `copydesk eval`: extraction quality and speed on annotated page sets.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Folder holding the sets (trafilatura/, daniel/, chinese/, mediacloud/).
    #[arg(long, default_value = "../shared/corpus/dev")]
    corpus: PathBuf,
}

pub(crate) fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not wired yet")
}
