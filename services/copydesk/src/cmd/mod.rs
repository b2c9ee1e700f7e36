//! One module per subcommand.

pub(crate) mod client;
pub(crate) mod eval;
pub(crate) mod extract;
pub(crate) mod ingest;
pub(crate) mod list;
pub(crate) mod lookup;
pub(crate) mod replay;
pub(crate) mod revisions;
pub(crate) mod runtime;
pub(crate) mod serve;
pub(crate) mod watch;

/// `copydesk explain FILE`: the extractor's segmentation of one page.
pub(crate) fn explain(path: &std::path::Path) -> anyhow::Result<std::process::ExitCode> {
    use anyhow::Context;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let dump = copydesk_extract::explain(&bytes, &copydesk_extract::Hints::default())
        .with_context(|| format!("{}", path.display()))?;
    print!("{dump}");
    Ok(std::process::ExitCode::SUCCESS)
}
