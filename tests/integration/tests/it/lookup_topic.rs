//! The store knows its topic by Kafka's topic id: a topic deleted and
//! created again under the same name is a new topic, and the store is
//! rebuilt from it, with health NOT_SERVING until it has caught up; the same
//! holds for a store opened after the topic was replaced while it was down.

use std::time::Duration;

use copydesk_integration::{
    LookupApp, StorePath, create_topic, delete_topic, lookup_config, publish_article, shared_broker, spawn_lookup_with,
    test_article, unique, wait_until,
};
use copydesk_proto::v1::GetArticleRequest;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

const SERVING_WITHIN: Duration = Duration::from_secs(60);
const COMPACT: [(&str, &str); 1] = [("cleanup.policy", "compact")];

/// The status code GetArticle answers for `id` (OK when found).
async fn get_code(lookup: &LookupApp, id: &str) -> Code {
    match lookup.client().await.get_article(GetArticleRequest { id: id.into(), ..Default::default() }).await {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

/// Waits until `id` is served.
async fn wait_served(lookup: &LookupApp, id: &str) -> bool {
    wait_until(Duration::from_secs(30), || async { get_code(lookup, id).await == Code::Ok }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recreated_topic_rebuilds_the_store() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &COMPACT).await;
    for id in ["old1", "old2"] {
        publish_article(&bootstrap, &topic, &test_article(id, "a.example")).await;
    }
    let store = StorePath::new();
    let config = || {
        let mut config = lookup_config(&bootstrap, &topic, store.path());
        config.partition_check_secs = 1;
        config
    };
    let lookup = spawn_lookup_with(config()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    assert!(wait_served(&lookup, "old2").await, "old2 never served");

    // While running: deleted, the service stops serving; created again, the
    // old topic's articles are gone and the new one's are served.
    delete_topic(&bootstrap, &topic).await;
    let withdrawn =
        wait_until(Duration::from_secs(30), || async { lookup.health("").await == ServingStatus::NotServing }).await;
    assert!(withdrawn, "still SERVING after the topic was deleted");
    assert_eq!(get_code(&lookup, "old1").await, Code::Unavailable, "answers from a deleted topic");
    create_topic(&bootstrap, &topic, 1, &COMPACT).await;
    publish_article(&bootstrap, &topic, &test_article("new1", "b.example")).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING again on the new topic");
    assert!(wait_served(&lookup, "new1").await, "new1 never served");
    assert_eq!(get_code(&lookup, "old1").await, Code::NotFound, "the old topic's article survived");
    assert_eq!(get_code(&lookup, "old2").await, Code::NotFound, "the old topic's article survived");
    lookup.stop().await.expect("clean stop");

    // While stopped: the store opened again finds another topic id and is rebuilt.
    delete_topic(&bootstrap, &topic).await;
    create_topic(&bootstrap, &topic, 1, &COMPACT).await;
    publish_article(&bootstrap, &topic, &test_article("newer1", "c.example")).await;
    let lookup = spawn_lookup_with(config()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING after the restart");
    assert!(wait_served(&lookup, "newer1").await, "newer1 never served");
    assert_eq!(get_code(&lookup, "new1").await, Code::NotFound, "the replaced topic's article survived a restart");
    let gauge = lookup.metrics.encode();
    assert!(gauge.lines().any(|l| l == "copydesk_lookup_store_articles 1"), "store not emptied:\n{gauge}");
    lookup.stop().await.expect("clean stop");
}
