//! The lookup service over the real broker: what ingest publishes is served
//! (get, URL lookup, batch get, paged listing by site, watch), a restart
//! resumes from the stored offsets, tombstones delete, bad requests get the
//! right codes, health says NOT_SERVING until the topic has been read,
//! partitions added while running are read, and `/metrics` counts what was
//! applied and asked.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use copydesk_ingest::Delivery;
use copydesk_integration::{
    OutputWatcher, StorePath, Topics, add_partitions, corpus_inputs, create_topic, lookup_config, produce, publish,
    publish_article, publish_article_to, publish_tombstone, shared_broker, spawn_app, spawn_lookup, spawn_lookup_with,
    test_article, unique, wait_until,
};
use copydesk_proto::v1::{
    Article, BatchGetArticlesRequest, GetArticleRequest, ListArticlesRequest, LookupArticleRequest,
    WatchArticlesRequest,
};
use prost::Message;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

use crate::metrics::scrape;

const SERVING_WITHIN: Duration = Duration::from_secs(60);

/// Every article of a listing, page by page; panics on an article listed twice.
async fn list_all(
    client: &mut copydesk_proto::v1::article_service_client::ArticleServiceClient<tonic::transport::Channel>,
    site: &str,
    page_size: i32,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = client
            .list_articles(ListArticlesRequest {
                page_size,
                page_token: page_token.clone(),
                site: site.to_string(),
                ..Default::default()
            })
            .await
            .expect("list articles")
            .into_inner();
        assert!(page.articles.len() <= page_size as usize);
        ids.extend(page.articles.into_iter().map(|a| a.id));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an article was listed twice: {ids:?}");
    ids
}

async fn articles_topic(bootstrap: &str) -> String {
    let topic = unique("articles");
    create_topic(bootstrap, &topic, 3, &[("cleanup.policy", "compact")]).await;
    topic
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_what_ingest_publishes() {
    let broker = shared_broker().await;
    let bootstrap = broker.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let corpus = corpus_inputs();
    // The seed first in the corpus; it is kept back to arrive while watched.
    let (seed, pages) = (corpus[0].clone(), corpus[1..6].to_vec());
    let sources = publish(&bootstrap, &topics.input, &pages).await;
    let watcher = OutputWatcher::start(&bootstrap, &topics, true).await;
    let ingest = spawn_app(&bootstrap, &topics, Delivery::ExactlyOnce).await;
    assert!(watcher.wait_for(sources.len(), Duration::from_secs(120)).await, "ingest did not account for the pages");
    let published: BTreeMap<String, Article> = watcher
        .records()
        .iter()
        .filter(|r| r.topic == topics.articles)
        .map(|r| Article::decode(r.payload.as_slice()).expect("an article"))
        .map(|a| (a.id.clone(), a))
        .collect();
    assert!(published.len() >= 2, "too few articles to test with: {}", published.len());

    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topics.articles, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    assert_eq!(lookup.health("copydesk.v1.ArticleService").await, ServingStatus::Serving);
    let mut client = lookup.client().await;

    for (id, article) in &published {
        let got = client
            .get_article(GetArticleRequest { id: id.clone(), ..Default::default() })
            .await
            .expect("get article")
            .into_inner();
        assert_eq!(&got, article, "served as published");
        let by_url = client
            .lookup_article(LookupArticleRequest { url: article.url.clone(), ..Default::default() })
            .await
            .expect("by url");
        assert_eq!(&by_url.into_inner().id, id);
        let canonical = LookupArticleRequest { url: format!("{}#top", article.canonical_url), ..Default::default() };
        assert_eq!(&client.lookup_article(canonical).await.expect("by canonical url").into_inner().id, id);
    }

    let ids: Vec<String> = published.keys().cloned().collect();
    let batch = client
        .batch_get_articles(BatchGetArticlesRequest {
            ids: vec![ids[0].clone(), "no-such-id".into(), ids[1].clone()],
            ..Default::default()
        })
        .await
        .expect("batch get")
        .into_inner();
    assert_eq!(batch.articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), [ids[0].as_str(), ids[1].as_str()]);
    assert_eq!(batch.missing_ids, ["no-such-id"]);

    assert_eq!(list_all(&mut client, "", 2).await, ids, "the unfiltered listing is every article in id order");
    let mut by_site: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in published.values() {
        by_site.entry(a.site.as_str()).or_default().push(a.id.clone());
    }
    for (site, expected) in &by_site {
        assert_eq!(&list_all(&mut client, site, 1).await, expected, "site {site}");
    }

    // A watcher gets the stored articles, then the seed as ingest publishes it.
    let mut stream = client
        .watch_articles(WatchArticlesRequest { include_existing: true, ..Default::default() })
        .await
        .expect("watch")
        .into_inner();
    let mut existing = BTreeSet::new();
    while existing.len() < published.len() {
        let article = tokio::time::timeout(Duration::from_secs(30), stream.message()).await.expect("in time");
        existing.insert(article.expect("stream ok").expect("stream open").id);
    }
    assert_eq!(existing, published.keys().cloned().collect());
    publish(&bootstrap, &topics.input, &[seed]).await;
    let seed_url = "https://www.bbc.com/zhongwen/simp/world-69124999";
    let live = loop {
        let article = tokio::time::timeout(Duration::from_secs(120), stream.message()).await.expect("seed in time");
        let article = article.expect("stream ok").expect("stream open");
        if article.url == seed_url {
            break article;
        }
    };
    let looked_up = client
        .lookup_article(LookupArticleRequest { url: seed_url.into(), ..Default::default() })
        .await
        .expect("seed by url");
    assert_eq!(looked_up.into_inner(), live);

    ingest.stop().await.expect("ingest stops cleanly");
    // An open watch stream does not hold the shutdown up: it is ended.
    lookup.stop().await.expect("lookup stops cleanly");
    match tokio::time::timeout(Duration::from_secs(10), stream.message()).await.expect("the stream ends") {
        Ok(None) => {}
        Err(status) => assert_eq!(status.code(), Code::Unavailable, "{status:?}"),
        Ok(Some(article)) => panic!("an article after shutdown: {}", article.id),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_from_the_stored_offsets() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = articles_topic(&bootstrap).await;
    for i in 0..6 {
        publish_article(&bootstrap, &topic, &test_article(&format!("a{i}"), "one.example")).await;
    }
    let store = StorePath::new();
    let first = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(first.wait_serving(SERVING_WITHIN).await, "never SERVING");
    assert_eq!(first.metrics.snapshot().applied(), 6);
    let mut client = first.client().await;
    client.get_article(GetArticleRequest { id: "a3".into(), ..Default::default() }).await.expect("a3");
    // What Prometheus would see: every record produced was applied, and the
    // one Get was counted (health checks are not ArticleService calls).
    let scraped = scrape(first.metrics_addr).await;
    assert_eq!(scraped.sum("copydesk_lookup_records_applied_total"), 6.0);
    assert_eq!(scraped.value("copydesk_lookup_records_applied_total{kind=\"article\"}"), 6.0);
    assert_eq!(scraped.sum("copydesk_lookup_records_skipped_total"), 0.0);
    assert_eq!(scraped.value("copydesk_lookup_requests_total{method=\"Get\",code=\"OK\"}"), 1.0);
    assert_eq!(scraped.sum("copydesk_lookup_requests_total"), 1.0);
    assert_eq!(scraped.value("copydesk_lookup_store_articles"), 6.0);
    assert_eq!(scraped.value("copydesk_lookup_ready"), 1.0);
    first.stop().await.expect("clean stop");

    // While it is down: two new articles and a new version of a0.
    publish_article(&bootstrap, &topic, &test_article("b1", "two.example")).await;
    publish_article(&bootstrap, &topic, &test_article("b2", "two.example")).await;
    let a0 = Article { title: "A new title".into(), ..test_article("a0", "one.example") };
    publish_article(&bootstrap, &topic, &a0).await;

    let second = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(second.wait_serving(SERVING_WITHIN).await, "never SERVING after the restart");
    let stats = second.metrics.snapshot();
    assert_eq!(stats.applied(), 3, "read only what was new, not from offset 0: {stats:?}");
    let scraped = scrape(second.metrics_addr).await;
    assert_eq!(scraped.sum("copydesk_lookup_records_applied_total"), 3.0, "counted by this process");
    assert_eq!(scraped.value("copydesk_lookup_store_articles"), 8.0, "a0 replaced, b1 and b2 added");
    let mut client = second.client().await;
    assert_eq!(list_all(&mut client, "", 4).await.len(), 8);
    assert_eq!(list_all(&mut client, "two.example", 10).await, ["b1", "b2"]);
    let got =
        client.get_article(GetArticleRequest { id: "a0".into(), ..Default::default() }).await.expect("a0").into_inner();
    assert_eq!(got.title, "A new title");
    second.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tombstone_deletes_the_article_and_its_urls() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = articles_topic(&bootstrap).await;
    let (gone, kept) = (test_article("gone", "s.example"), test_article("kept", "s.example"));
    publish_article(&bootstrap, &topic, &gone).await;
    publish_article(&bootstrap, &topic, &kept).await;
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let mut client = lookup.client().await;
    client
        .get_article(GetArticleRequest { id: "gone".into(), ..Default::default() })
        .await
        .expect("present before the tombstone");

    publish_tombstone(&bootstrap, &topic, "gone").await;
    let deleted = wait_until(Duration::from_secs(30), || {
        let mut client = client.clone();
        async move {
            client
                .get_article(GetArticleRequest { id: "gone".into(), ..Default::default() })
                .await
                .is_err_and(|s| s.code() == Code::NotFound)
        }
    })
    .await;
    assert!(deleted, "the tombstone was not applied");
    for url in [&gone.url, &gone.canonical_url] {
        let status = client
            .lookup_article(LookupArticleRequest { url: url.clone(), ..Default::default() })
            .await
            .expect_err("URL gone");
        assert_eq!(status.code(), Code::NotFound, "{url}");
    }
    let batch = client
        .batch_get_articles(BatchGetArticlesRequest { ids: vec!["gone".into(), "kept".into()], ..Default::default() })
        .await
        .expect("batch")
        .into_inner();
    assert_eq!(batch.missing_ids, ["gone"]);
    assert_eq!(list_all(&mut client, "s.example", 10).await, ["kept"]);
    client
        .lookup_article(LookupArticleRequest { url: kept.url.clone(), ..Default::default() })
        .await
        .expect("the other article stays");
    assert_eq!(lookup.metrics.snapshot().tombstones_applied, 1);
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_and_bad_records_get_the_right_answers() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = articles_topic(&bootstrap).await;
    publish_article(&bootstrap, &topic, &test_article("a1", "a.example")).await;
    publish_article(&bootstrap, &topic, &test_article("b1", "b.example")).await;
    produce(&bootstrap, &topic, Some(b"junk"), b"\xff\xff not protobuf", &[]).await;
    let wrong_id = test_article("other", "a.example").encode_to_vec();
    produce(&bootstrap, &topic, Some(b"mismatch"), &wrong_id, &[]).await;
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    assert_eq!(lookup.metrics.snapshot().skipped, 2, "undecodable and mis-keyed records are counted and skipped");
    let mut client = lookup.client().await;

    let code = |r: Result<tonic::Response<Article>, tonic::Status>| r.expect_err("an error").code();
    assert_eq!(
        code(client.get_article(GetArticleRequest { id: " ".into(), ..Default::default() }).await),
        Code::InvalidArgument
    );
    assert_eq!(
        code(client.get_article(GetArticleRequest { id: "junk".into(), ..Default::default() }).await),
        Code::NotFound
    );
    assert_eq!(
        code(client.lookup_article(LookupArticleRequest { url: String::new(), ..Default::default() }).await),
        Code::InvalidArgument
    );
    let nowhere = LookupArticleRequest { url: "https://nowhere.example/".into(), ..Default::default() };
    assert_eq!(code(client.lookup_article(nowhere).await), Code::NotFound);

    for ids in [vec![], vec![String::new()], vec!["a1".to_string(); copydesk_lookup::MAX_BATCH_IDS + 1]] {
        let status = client
            .batch_get_articles(BatchGetArticlesRequest { ids, ..Default::default() })
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
    }

    let list = |page_size: i32, page_token: &str, site: &str| ListArticlesRequest {
        page_size,
        page_token: page_token.to_string(),
        site: site.to_string(),
        ..Default::default()
    };
    let first = client.list_articles(list(1, "", "a.example")).await.expect("first page").into_inner();
    assert_eq!(first.articles.len(), 1);
    let status = client.list_articles(list(1, "garbage!", "")).await.expect_err("bad token");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(client.list_articles(list(-1, "", "")).await.expect_err("negative").code(), Code::InvalidArgument);
    // An a.example token does not page a b.example listing, nor an unfiltered one.
    let all = client.list_articles(list(1, "", "")).await.expect("first page of all").into_inner();
    assert!(!all.next_page_token.is_empty());
    let foreign = client.list_articles(list(1, &all.next_page_token, "b.example")).await.expect_err("foreign token");
    assert_eq!(foreign.code(), Code::InvalidArgument);
    assert!(lookup.is_running(), "bad input never stops the service");
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lookup_command_asks_the_service() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = articles_topic(&bootstrap).await;
    let article = test_article("a1", "a.example");
    publish_article(&bootstrap, &topic, &article).await;
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");

    for args in [["--id", "a1"], ["--url", article.url.as_str()]] {
        let out = lookup.lookup_command(&args).await;
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        assert_eq!(json["id"], "a1");
        assert_eq!(json["canonicalUrl"], article.canonical_url.as_str());
    }
    let out = lookup.lookup_command(&["--id", "nope"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no article with id nope"));
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_lists_the_services_in_both_versions() {
    use tonic_reflection::pb::{v1, v1alpha};
    let bootstrap = shared_broker().await.bootstrap();
    let topic = articles_topic(&bootstrap).await;
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    let expected = ["copydesk.v1.ArticleService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"];

    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(String::new())),
    };
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(lookup.channel().await);
    let mut responses =
        client.server_reflection_info(tokio_stream::iter([request])).await.expect("reflection v1").into_inner();
    let response = responses.message().await.expect("a response").expect("one message");
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) = response.message_response
    else {
        panic!("not a service list: {response:?}")
    };
    let names: BTreeSet<String> = list.service.into_iter().map(|s| s.name).collect();
    for name in expected {
        assert!(names.contains(name), "{name} missing from {names:?}");
    }

    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
            "copydesk.v1.ArticleService".into(),
        )),
    };
    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(lookup.channel().await);
    let mut responses =
        client.server_reflection_info(tokio_stream::iter([request])).await.expect("reflection v1alpha").into_inner();
    let response = responses.message().await.expect("a response").expect("one message");
    assert!(
        matches!(
            response.message_response,
            Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(ref f))
                if !f.file_descriptor_proto.is_empty()
        ),
        "no descriptor for ArticleService: {response:?}"
    );
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_serving_until_the_topic_has_been_read() {
    let bootstrap = shared_broker().await.bootstrap();
    // The service starts before the topic exists, as it may before ingest creates it.
    let topic = unique("articles");
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert_eq!(lookup.health("").await, ServingStatus::NotServing);
    let mut client = lookup.client().await;
    let status =
        client.get_article(GetArticleRequest { id: "a1".into(), ..Default::default() }).await.expect_err("not ready");
    assert_eq!(status.code(), Code::Unavailable);

    create_topic(&bootstrap, &topic, 2, &[("cleanup.policy", "compact")]).await;
    publish_article(&bootstrap, &topic, &test_article("a1", "a.example")).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING once the topic exists");
    // The topic's end may have been read before a1 was appended: then it
    // arrives just after readiness.
    let served = wait_until(Duration::from_secs(30), || {
        let mut client = client.clone();
        async move { client.get_article(GetArticleRequest { id: "a1".into(), ..Default::default() }).await.is_ok() }
    })
    .await;
    assert!(served, "a1 never served");
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_added_while_running_are_read() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    publish_article(&bootstrap, &topic, &test_article("p0", "a.example")).await;
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    config.partition_check_secs = 1;
    let lookup = spawn_lookup_with(config).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let mut client = lookup.client().await;
    client
        .get_article(GetArticleRequest { id: "p0".into(), ..Default::default() })
        .await
        .expect("p0 read before the scale-out");

    add_partitions(&bootstrap, &topic, 3).await;
    let (partition, _) = publish_article_to(&bootstrap, &topic, 2, &test_article("p2", "b.example")).await;
    assert_eq!(partition, 2);
    let served = wait_until(Duration::from_secs(30), || {
        let mut client = client.clone();
        async move { client.get_article(GetArticleRequest { id: "p2".into(), ..Default::default() }).await.is_ok() }
    })
    .await;
    assert!(served, "an article on an added partition was never served");
    // The partition already read goes on being read, and readiness stays.
    publish_article_to(&bootstrap, &topic, 0, &test_article("p0b", "a.example")).await;
    let served = wait_until(Duration::from_secs(30), || {
        let mut client = client.clone();
        async move { client.get_article(GetArticleRequest { id: "p0b".into(), ..Default::default() }).await.is_ok() }
    })
    .await;
    assert!(served, "p0b never served after the scale-out");
    assert_eq!(lookup.health("").await, ServingStatus::Serving);
    lookup.stop().await.expect("clean stop");
}
