//! The lookup service's limits over the real broker: duplicate ids read
//! once, the response cap (BatchGet refused, List pages cut short), the
//! request cap, the watcher cap, load shed when calls are at their limit,
//! and the abuse storm (20 concurrent BatchGets of a 5 MB article's id
//! 1,000 times) with the service's peak memory measured while health and
//! GetArticle keep answering.

use std::time::Duration;

use copydesk_integration::{
    LookupProcess, StorePath, create_topic, lookup_config, publish_article, shared_broker, spawn_lookup_with,
    test_article, unique, wait_until,
};
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use copydesk_proto::v1::{
    Article, BatchGetArticlesRequest, GetArticleRequest, ListArticlesRequest, WatchArticlesRequest,
};
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const SERVING_WITHIN: Duration = Duration::from_secs(60);

/// The documented bound on `copydesk serve`'s peak RSS under the storm,
/// with the default limits (README, "Limits").
const STORM_RSS_BOUND: u64 = 512 << 20;

/// An article whose text is `bytes` long.
fn sized_article(id: &str, site: &str, bytes: usize) -> Article {
    Article { text: "lorem ipsum ".repeat(bytes / 12 + 1), ..test_article(id, site) }
}

/// A topic that takes records up to 8 MiB.
async fn roomy_topic(bootstrap: &str) -> String {
    let topic = unique("articles");
    create_topic(bootstrap, &topic, 1, &[("cleanup.policy", "compact"), ("max.message.bytes", "8388608")]).await;
    topic
}

fn batch(ids: &[&str]) -> BatchGetArticlesRequest {
    BatchGetArticlesRequest { ids: ids.iter().map(|id| id.to_string()).collect(), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_requests_and_watchers_are_capped() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = roomy_topic(&bootstrap).await;
    for id in ["a1", "a2", "a3"] {
        publish_article(&bootstrap, &topic, &sized_article(id, "l.example", 1500)).await;
    }
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    config.limits.max_response_bytes = 4096;
    config.limits.max_request_bytes = 2048;
    config.limits.max_watchers = 1;
    let lookup = spawn_lookup_with(config).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let mut client = lookup.client().await;

    // Three a1 and an a2 would be over 4 KiB; each is read and answered once.
    let got = client.batch_get_articles(batch(&["a1", "a1", "a2", "a1", "nope", "nope"])).await.expect("deduped");
    let got = got.into_inner();
    assert_eq!(got.articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a1", "a2"]);
    assert_eq!(got.missing_ids, ["nope"]);
    let over = client.batch_get_articles(batch(&["a1", "a2", "a3"])).await.expect_err("over the response cap");
    assert_eq!(over.code(), Code::ResourceExhausted, "{over:?}");
    assert!(over.message().contains("ask for fewer"), "{over:?}");

    // A List page stops before the cap and says where to go on.
    let page = client
        .list_articles(ListArticlesRequest { page_size: 10, ..Default::default() })
        .await
        .expect("first page")
        .into_inner();
    assert_eq!(page.articles.len(), 2, "cut short by bytes, not by page size");
    let rest = client
        .list_articles(ListArticlesRequest { page_size: 10, page_token: page.next_page_token, ..Default::default() })
        .await
        .expect("second page")
        .into_inner();
    assert_eq!(rest.articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a3"]);
    assert!(rest.next_page_token.is_empty());

    let ids: Vec<String> = (0..300).map(|i| format!("id-{i:06}")).collect();
    let refused = client
        .batch_get_articles(BatchGetArticlesRequest { ids, ..Default::default() })
        .await
        .expect_err("request too large");
    assert_eq!(refused.code(), Code::OutOfRange, "{refused:?}");

    let watch = || WatchArticlesRequest::default();
    let first = client.watch_articles(watch()).await.expect("the first watcher");
    let second = client.watch_articles(watch()).await.expect_err("one watcher at most");
    assert_eq!(second.code(), Code::ResourceExhausted, "{second:?}");
    drop(first);
    // The slot frees once the server has seen the stream go.
    let freed = wait_until(Duration::from_secs(10), || {
        let mut client = client.clone();
        async move { client.watch_articles(watch()).await.is_ok() }
    })
    .await;
    assert!(freed, "the watcher's slot was never freed");
    client.get_article(GetArticleRequest { id: "a3".into(), ..Default::default() }).await.expect("still serving");
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_over_the_limit_are_shed_and_health_still_answers() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = roomy_topic(&bootstrap).await;
    publish_article(&bootstrap, &topic, &sized_article("m1", "m.example", 1 << 20)).await;
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    config.limits.max_concurrent_calls = 1;
    let lookup = spawn_lookup_with(config).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let client = lookup.client().await;

    // 20 calls at once, each holding its slot until its 1 MiB answer is sent.
    let calls = (0..20).map(|_| {
        let mut client = client.clone();
        tokio::spawn(async move { client.batch_get_articles(batch(&["m1"])).await.map(|r| r.into_inner()) })
    });
    let (mut ok, mut shed) = (0, 0);
    for call in calls.collect::<Vec<_>>() {
        match call.await.expect("the call's task") {
            Ok(response) => {
                assert_eq!(response.articles.len(), 1);
                ok += 1;
            }
            Err(status) if status.code() == Code::ResourceExhausted => {
                assert!(status.message().contains("concurrent calls"), "{status:?}");
                shed += 1;
            }
            Err(status) => panic!("neither served nor shed: {status:?}"),
        }
    }
    assert!(ok >= 1 && shed >= 1, "{ok} served, {shed} shed");
    // Health is not an ArticleService call: the limit never touches it.
    assert_eq!(lookup.health("").await, ServingStatus::Serving);
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_get_storm_keeps_memory_bounded() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = roomy_topic(&bootstrap).await;
    publish_article(&bootstrap, &topic, &sized_article("big", "big.example", 5 << 20)).await;
    publish_article(&bootstrap, &topic, &test_article("small", "big.example")).await;
    let store = StorePath::new();
    let lookup = LookupProcess::spawn(&bootstrap, &topic, store.path(), &[]);
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let baseline = lookup.memory("VmRSS");

    // Four connections, as a client pool would use.
    let clients: Vec<_> =
        (0..4).map(|_| ArticleServiceClient::new(lookup.channel()).max_decoding_message_size(64 << 20)).collect();
    let storm = async {
        let (mut ok, mut shed) = (0, 0);
        for _round in 0..3 {
            let calls = (0..20).map(|i| {
                let mut client = clients[i % clients.len()].clone();
                tokio::spawn(
                    async move { client.batch_get_articles(batch(&["big"; 1000])).await.map(|r| r.into_inner()) },
                )
            });
            for call in calls.collect::<Vec<_>>() {
                match call.await.expect("the call's task") {
                    Ok(response) => {
                        assert_eq!(response.articles.len(), 1, "the id is answered once");
                        ok += 1;
                    }
                    Err(status) if status.code() == Code::ResourceExhausted => shed += 1,
                    Err(status) => panic!("neither served nor shed: {status:?}"),
                }
            }
        }
        (ok, shed)
    };
    // Probes and small reads go on during the storm, and must all succeed.
    let (done_tx, done) = tokio::sync::watch::channel(false);
    let probes = {
        let mut health = HealthClient::new(lookup.channel());
        let mut client = ArticleServiceClient::new(lookup.channel());
        tokio::spawn(async move {
            let mut answered = 0;
            loop {
                let status = health.check(HealthCheckRequest { service: String::new() }).await.expect("health");
                assert_eq!(status.into_inner().status(), ServingStatus::Serving);
                client
                    .get_article(GetArticleRequest { id: "small".into(), ..Default::default() })
                    .await
                    .expect("GetArticle in the storm");
                answered += 1;
                if *done.borrow() {
                    break answered;
                }
            }
        })
    };
    let (ok, shed) = storm.await;
    done_tx.send_replace(true);
    let probed = probes.await.expect("probes answered throughout");
    let peak = lookup.memory("VmHWM");
    println!(
        "storm: {ok} BatchGets served, {shed} shed, {probed} health+Get probes answered; \
         RSS {} MiB before, peak {} MiB",
        baseline >> 20,
        peak >> 20
    );
    assert!(ok >= 1, "nothing served");
    assert!(probed >= 1, "no probe during the storm");
    assert!(peak < STORM_RSS_BOUND, "peak RSS {} MiB over the bound {} MiB", peak >> 20, STORM_RSS_BOUND >> 20);
}
