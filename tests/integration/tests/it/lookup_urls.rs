//! The lookup service's URL index over the real broker: a URL is looked up
//! through the one normaliser (tracking parameters, case, port, trailing
//! slash), and a URL two articles share is found again when the article
//! that took it over is deleted, then gone when the last holder moves away.
//! And `copydesk lookup` without a server, on a topic written with
//! transactions (its last offset a commit marker), tombstones meaning deleted.

use std::time::Duration;

use copydesk_integration::{
    StorePath, binary, create_topic, publish_article, publish_tombstone, send, shared_broker, spawn_lookup,
    test_article, transactional_producer, unique, wait_until,
};
use copydesk_proto::Timestamp;
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use copydesk_proto::v1::{Article, LookupArticleRequest};
use prost::Message;
use rdkafka::producer::{FutureRecord, Producer};
use tonic::Code;
use tonic::transport::Channel;

const SERVING_WITHIN: Duration = Duration::from_secs(60);
const APPLIED_WITHIN: Duration = Duration::from_secs(30);

fn captured_at(id: &str, url: &str, seconds: i64) -> Article {
    Article {
        url: url.to_string(),
        canonical_url: String::new(),
        fetched_at: Some(Timestamp { seconds, nanos: 0 }),
        ..test_article(id, "urls.example")
    }
}

/// The id `url` finds, or the code it was answered with.
async fn owner(client: &ArticleServiceClient<Channel>, url: &str) -> Result<String, Code> {
    let request = LookupArticleRequest { url: url.to_string(), ..Default::default() };
    client.clone().lookup_article(request).await.map(|r| r.into_inner().id).map_err(|s| s.code())
}

async fn wait_owner(client: &ArticleServiceClient<Channel>, url: &str, expected: Result<&str, Code>) -> bool {
    let expected = expected.map(str::to_string);
    wait_until(APPLIED_WITHIN, || {
        let expected = expected.clone();
        async move { owner(client, url).await == expected }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_url_survives_the_deletion_of_the_article_that_took_it_over() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    let shared = "https://urls.example/live/story";
    publish_article(&bootstrap, &topic, &captured_at("first", shared, 1_000)).await;
    // The same page as a reader shared it: another case, a port, a slash, tracking.
    let tracked = "HTTPS://Urls.Example:443/live/story/?utm_source=newsletter&fbclid=x#top";
    publish_article(&bootstrap, &topic, &captured_at("second", tracked, 2_000)).await;

    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let client = lookup.client().await;
    for url in [shared, tracked, "https://urls.example/live/story?gclid=1&mc_cid=2"] {
        assert_eq!(owner(&client, url).await.as_deref(), Ok("second"), "{url}: the newer capture answers");
    }
    assert_eq!(owner(&client, "https://urls.example/Live/story").await, Err(Code::NotFound), "path case kept");

    publish_tombstone(&bootstrap, &topic, "second").await;
    assert!(wait_owner(&client, shared, Ok("first")).await, "the first holder was not found again");
    // The last holder moves to another URL: the shared one is then gone.
    publish_article(&bootstrap, &topic, &captured_at("first", "https://urls.example/moved", 3_000)).await;
    assert!(wait_owner(&client, shared, Err(Code::NotFound)).await, "a stale URL entry stayed");
    assert_eq!(owner(&client, "https://urls.example/moved/").await.as_deref(), Ok("first"));
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_topic_scan_ends_on_a_commit_marker_and_honours_tombstones() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    let (kept, gone) = (test_article("kept", "scan.example"), test_article("gone", "scan.example"));
    let producer = transactional_producer(&bootstrap, &unique("tx")).await;
    producer.begin_transaction().expect("begin");
    for article in [&kept, &gone] {
        send(&producer, &topic, Some(article.id.as_bytes()), &article.encode_to_vec(), &[]).await.expect("send");
    }
    let tombstone = FutureRecord::<str, [u8]>::to(&topic).key("gone");
    producer.send(tombstone, Duration::from_secs(30)).await.map_err(|(e, _)| e).expect("tombstone");
    producer.commit_transaction(Duration::from_secs(30)).expect("commit");

    // The last offset is the commit marker: no message reaches it.
    let scan = |args: Vec<String>| {
        let mut command = std::process::Command::new(binary());
        command.args(["lookup", "--brokers", &bootstrap, "--topic", &topic, "--timeout-secs", "40"]).args(args);
        tokio::task::spawn_blocking(move || command.output().expect("copydesk lookup runs"))
    };
    let tracked =
        format!("{}&utm_source=mail#top", kept.url.replace("https://scan.example", "HTTPS://Scan.Example:443"));
    for args in [vec!["--id".to_string(), "kept".to_string()], vec!["--url".to_string(), tracked]] {
        let out = scan(args.clone()).await.expect("the command's thread");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        assert_eq!(json["id"], "kept");
    }
    for args in [vec!["--id".to_string(), "gone".to_string()], vec!["--url".to_string(), gone.canonical_url.clone()]] {
        let out = scan(args.clone()).await.expect("the command's thread");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no article with that"), "{args:?}");
    }
}
