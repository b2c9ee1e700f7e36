//! Revisions over the real broker: two captures of one page with different
//! content are two revisions, the newest served (even when it was published
//! first); the same records read again add none; a tombstone deletes the
//! article with its history. `copydesk revisions` prints the history; a
//! retention of two revisions keeps the newest two of three captures.

use std::time::Duration;

use copydesk_integration::{
    StorePath, client_command, create_topic, lookup_config, publish_article, publish_tombstone, shared_broker,
    spawn_lookup, spawn_lookup_with, test_article, unique, wait_until,
};
use copydesk_proto::Timestamp;
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use copydesk_proto::v1::{Article, ArticleView, GetArticleRequest, ListArticleRevisionsRequest};
use tonic::Code;
use tonic::transport::Channel;

const SERVING_WITHIN: Duration = Duration::from_secs(60);
const APPLIED_WITHIN: Duration = Duration::from_secs(30);

/// A capture of the page of article `r1` at `seconds`, with body `text`.
fn capture(seconds: i64, text: &str, hash: &str) -> Article {
    Article {
        fetched_at: Some(Timestamp { seconds, nanos: 0 }),
        text: text.into(),
        content_hash: hash.into(),
        ..test_article("r1", "news.example")
    }
}

/// (capture second, content hash) of every revision of `id`, page by page.
async fn revisions(client: &ArticleServiceClient<Channel>, id: &str) -> Result<Vec<(i64, String)>, tonic::Status> {
    let (mut out, mut page_token) = (Vec::new(), String::new());
    loop {
        let request = ListArticleRevisionsRequest {
            id: id.into(),
            page_size: 1,
            page_token: page_token.clone(),
            view: ArticleView::Basic as i32,
        };
        let page = client.clone().list_article_revisions(request).await?.into_inner();
        for revision in page.revisions {
            assert!(revision.text.is_empty(), "BASIC leaves the body out");
            out.push((revision.fetched_at.map_or(0, |t| t.seconds), revision.content_hash));
        }
        if page.next_page_token.is_empty() {
            return Ok(out);
        }
        page_token = page.next_page_token;
    }
}

async fn get(client: &ArticleServiceClient<Channel>, id: &str) -> Result<Article, tonic::Status> {
    Ok(client.clone().get_article(GetArticleRequest { id: id.into(), ..Default::default() }).await?.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_captures_are_revisions_replays_add_none_and_a_tombstone_ends_the_history() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    let first = capture(1_000, "The first version.", "h1");
    let corrected = capture(2_000, "The corrected version.", "h2");
    // The newer capture published first: capture time decides, not order.
    publish_article(&bootstrap, &topic, &corrected).await;
    publish_article(&bootstrap, &topic, &first).await;
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let client = lookup.client().await;

    assert_eq!(get(&client, "r1").await.expect("r1").text, "The corrected version.");
    let both = vec![(2_000, "h2".to_string()), (1_000, "h1".to_string())];
    assert_eq!(revisions(&client, "r1").await.expect("revisions"), both);
    // The client command: every page followed, one JSON line per revision, newest first.
    let listed = client_command("revisions", lookup.addr, &["r1", "--page-size", "1", "--view", "basic"]).await;
    assert!(listed.status.success(), "{listed:?}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let hashes: Vec<&str> = lines.iter().map(|v| v["contentHash"].as_str().unwrap_or("")).collect();
    assert_eq!(hashes, ["h2", "h1"]);
    assert!(lines.iter().all(|v| v["text"].as_str().unwrap_or("").is_empty()), "BASIC leaves the body out: {lines:?}");
    let absent = client_command("revisions", lookup.addr, &["no-such-article"]).await;
    assert_eq!(absent.status.code(), Some(1), "{absent:?}");
    assert!(String::from_utf8_lossy(&absent.stderr).contains("no-such-article"), "{absent:?}");

    // The same records again (a replay), then a marker: once the marker is
    // served, the replay before it has been applied.
    publish_article(&bootstrap, &topic, &first).await;
    publish_article(&bootstrap, &topic, &corrected).await;
    publish_article(&bootstrap, &topic, &test_article("marker", "news.example")).await;
    assert!(wait_until(APPLIED_WITHIN, || async { get(&client, "marker").await.is_ok() }).await, "marker never served");
    assert_eq!(revisions(&client, "r1").await.expect("revisions"), both, "a replay added a revision");
    assert_eq!(get(&client, "r1").await.expect("r1").content_hash, "h2");

    publish_tombstone(&bootstrap, &topic, "r1").await;
    let deleted = || async { get(&client, "r1").await.is_err_and(|s| s.code() == Code::NotFound) };
    assert!(wait_until(APPLIED_WITHIN, deleted).await, "r1 never deleted");
    let gone = revisions(&client, "r1").await.expect_err("a deleted article has no revisions");
    assert_eq!(gone.code(), Code::NotFound);
    let other = revisions(&client, "marker").await.expect("marker's revisions");
    assert_eq!(other.len(), 1);
    lookup.stop().await.expect("clean stop");
}

/// `--revisions-keep 2` end to end: of three captures with different
/// content, the newest two are kept and the newest is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retention_of_two_keeps_the_newest_two_of_three_captures() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    for (seconds, text, hash) in [(1_000, "First.", "k1"), (2_000, "Second.", "k2"), (3_000, "Third.", "k3")] {
        publish_article(&bootstrap, &topic, &capture(seconds, text, hash)).await;
    }
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    config.revisions.revisions_keep = 2;
    let lookup = spawn_lookup_with(config).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let client = lookup.client().await;
    assert_eq!(get(&client, "r1").await.expect("r1").text, "Third.");
    let kept = vec![(3_000, "k3".to_string()), (2_000, "k2".to_string())];
    assert_eq!(revisions(&client, "r1").await.expect("revisions"), kept);
    lookup.stop().await.expect("clean stop");
}
