//! `copydesk revisions ID`: the lookup service's ListArticleRevisions, every
//! page followed, one JSON line (the proto3 JSON mapping) per revision on
//! stdout, newest first: how a newsroom reads the corrections of a story.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use copydesk_proto::v1::ListArticleRevisionsRequest;

use crate::cmd::client::ServerArgs;
use crate::cmd::list::View;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    client: ServerArgs,
    /// The article's id.
    id: String,
    /// How much of each revision: `basic` leaves the text and blocks out.
    #[arg(long, value_enum, default_value_t = View::Full)]
    view: View,
    /// Revisions asked per page (the service caps it).
    #[arg(long, default_value_t = 20)]
    page_size: i32,
    /// Give up on a page after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout_secs: u64,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.client.required()?;
    crate::cmd::runtime::tokio()?.block_on(revisions(&args))
}

async fn revisions(args: &Args) -> anyhow::Result<ExitCode> {
    let mut client = args.client.connect(Some(Duration::from_secs(args.timeout_secs))).await?;
    let mut request = ListArticleRevisionsRequest {
        id: args.id.clone(),
        page_size: args.page_size,
        view: args.view.proto().into(),
        ..Default::default()
    };
    let mut out = std::io::stdout().lock();
    loop {
        let page = match client.list_article_revisions(request.clone()).await {
            Ok(page) => page.into_inner(),
            // Absent is an answer, not a failure of the command: say so, exit 1.
            Err(status) if status.code() == tonic::Code::NotFound => {
                eprintln!("copydesk: {}", status.message());
                return Ok(ExitCode::FAILURE);
            }
            Err(s) => anyhow::bail!("the service answered {:?}: {}", s.code(), s.message()),
        };
        for revision in &page.revisions {
            let line = serde_json::to_string(revision).context("a revision as JSON")?;
            if let Err(e) = writeln!(out, "{line}") {
                // A reader that has seen enough (`| head`) is no failure.
                return if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(ExitCode::SUCCESS) } else { Err(e.into()) };
            }
        }
        if page.next_page_token.is_empty() {
            break;
        }
        request.page_token = page.next_page_token;
    }
    out.flush().or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e) })?;
    Ok(ExitCode::SUCCESS)
}
