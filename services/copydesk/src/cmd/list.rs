//! `copydesk list`: the lookup service's ListArticles, every page followed,
//! one JSON line (the proto3 JSON mapping) per article on stdout, in the
//! service's stable id order.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use chrono::DateTime;
use copydesk_proto::Timestamp;
use copydesk_proto::v1::{ArticleView, ListArticlesRequest};

use crate::cmd::client::ServerArgs;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    client: ServerArgs,
    /// Only articles of this site (host).
    #[arg(long)]
    site: Option<String>,
    /// Only articles in this language: a BCP 47 tag, which also takes its
    /// subtags (`en` takes `en-GB`).
    #[arg(long)]
    language: Option<String>,
    /// Only articles published at or after this instant (RFC 3339, e.g. 2026-12-01T00:00:00Z).
    #[arg(long, value_parser = instant)]
    published_after: Option<Timestamp>,
    /// Only articles published before this instant (RFC 3339). With either
    /// bound, articles without a publication time are left out.
    #[arg(long, value_parser = instant)]
    published_before: Option<Timestamp>,
    /// How much of each article: `basic` leaves the text and blocks out.
    #[arg(long, value_enum, default_value_t = View::Full)]
    view: View,
    /// Articles asked per page (the service caps it).
    #[arg(long, default_value_t = 100)]
    page_size: i32,
    /// Stop after this many articles; all when unset.
    #[arg(long)]
    limit: Option<u64>,
    /// Give up on a page after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout_secs: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum View {
    Basic,
    Full,
}

impl View {
    pub(crate) fn proto(self) -> ArticleView {
        match self {
            View::Basic => ArticleView::Basic,
            View::Full => ArticleView::Full,
        }
    }
}

fn instant(text: &str) -> Result<Timestamp, String> {
    let at = DateTime::parse_from_rfc3339(text).map_err(|e| format!("not an RFC 3339 instant ({e})"))?;
    Ok(Timestamp { seconds: at.timestamp(), nanos: at.timestamp_subsec_nanos() as i32 })
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.client.required()?;
    crate::cmd::runtime::tokio()?.block_on(list(&args))
}

async fn list(args: &Args) -> anyhow::Result<ExitCode> {
    let mut client = args.client.connect(Some(Duration::from_secs(args.timeout_secs))).await?;
    let mut request = ListArticlesRequest {
        page_size: args.page_size,
        site: args.site.clone().unwrap_or_default(),
        language: args.language.clone().unwrap_or_default(),
        published_after: args.published_after,
        published_before: args.published_before,
        view: args.view.proto().into(),
        ..Default::default()
    };
    let mut out = std::io::stdout().lock();
    let mut left = args.limit.unwrap_or(u64::MAX);
    while left > 0 {
        let page = client.list_articles(request.clone()).await;
        let page = page.map_err(|s| anyhow::anyhow!("the service answered {:?}: {}", s.code(), s.message()))?;
        let page = page.into_inner();
        for article in page.articles.iter().take(usize::try_from(left).unwrap_or(usize::MAX)) {
            let line = serde_json::to_string(article).context("an article as JSON")?;
            if let Err(e) = writeln!(out, "{line}") {
                // A reader that has seen enough (`| head`) is no failure.
                return if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(ExitCode::SUCCESS) } else { Err(e.into()) };
            }
            left -= 1;
        }
        if page.next_page_token.is_empty() {
            break;
        }
        request.page_token = page.next_page_token;
    }
    out.flush().or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e) })?;
    Ok(ExitCode::SUCCESS)
}
