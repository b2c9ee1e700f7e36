//! When the output topics refuse or lack something: an article too large for
//! its topic becomes a dead letter in both delivery modes (the partition moves
//! on), a topic deleted under a running service stops it with the error
//! instead of retrying forever, and a start against topics that do not fit
//! the settings is refused with every mismatch listed.

use std::time::Duration;

use copydesk_ingest::{App, Delivery, IngestError};
use copydesk_integration::{
    OutputWatcher, Topics, assert_accounted, client_config, config, create_topic, publish, shared_broker,
    spawn_app_args, unique,
};
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;

/// The output topics' limit in these tests, and `--max-message-bytes`.
const SMALL: usize = 1 << 20;

/// Ingest flags for `topics` with `--max-message-bytes` set to `limit`.
fn args_with_limit(topics: &Topics, bootstrap: &str, delivery: Delivery, limit: usize) -> Vec<String> {
    let mut args = topics.args(bootstrap, delivery);
    let at = args.iter().position(|a| a == "--max-message-bytes").expect("the harness sets the limit") + 1;
    args[at] = limit.to_string();
    args
}

/// A page of `bytes` of letters that do not repeat (lz4 cannot shrink them),
/// as paragraphs of an article: its `Article` holds the text twice (blocks and
/// plain text), so it is about twice the page.
fn incompressible_page(bytes: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut html =
        String::from("<html><head><title>A very long report</title></head><body><article><h1>A very long report</h1>");
    while html.len() < bytes {
        html.push_str("<p>");
        for _ in 0..120 {
            let len = 3 + (state >> 60) as usize % 7;
            for _ in 0..len {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                html.push(char::from(b'a' + (state >> 59) as u8 % 26));
            }
            html.push(' ');
        }
        html.push_str(".</p>");
    }
    html.push_str("</article></body></html>");
    html.into_bytes()
}

fn good_page() -> Vec<u8> {
    format!(
        "<html><body><article><h1>After the big one</h1><p>{}</p></article></body></html>",
        "Plain news text. ".repeat(60)
    )
    .into_bytes()
}

async fn a_too_large_article_becomes_a_dead_letter(delivery: Delivery) {
    let bootstrap = shared_broker().await.bootstrap();
    let topics = Topics::create_with(&bootstrap, &[("max.message.bytes", &SMALL.to_string())]).await;
    let exactly_once = delivery == Delivery::ExactlyOnce;
    let watcher = OutputWatcher::start(&bootstrap, &topics, exactly_once).await;
    let app = spawn_app_args(&args_with_limit(&topics, &bootstrap, delivery, SMALL)).await;

    // One key: the same partition, so the good page proves it moved on.
    let inputs = vec![("k".to_string(), incompressible_page(SMALL * 3 / 4)), ("k".to_string(), good_page())];
    let sources = publish(&bootstrap, &topics.input, &inputs).await;
    assert!(
        watcher.wait_for(sources.len(), Duration::from_secs(120)).await,
        "accounted {} of {}: the partition is wedged",
        watcher.sources().len(),
        sources.len()
    );
    let records = watcher.records();
    assert_accounted(&records, &sources);
    let big = records.iter().find(|r| r.source == sources[0]).expect("accounted");
    assert_eq!(big.topic, topics.dead_letters, "the refused article is a dead letter");
    assert_eq!(big.headers["copydesk.errors.reason"], "produce_too_large");
    assert_eq!(big.headers["copydesk.errors.stage"], "produce");
    assert_eq!(big.payload.len(), inputs[0].1.len(), "the dead letter keeps the input");
    let good = records.iter().find(|r| r.source == sources[1]).expect("accounted");
    assert_eq!(good.topic, topics.articles);
    if exactly_once {
        assert_eq!(records.len(), sources.len(), "exactly-once: each input once");
    }
    assert!(app.is_running(), "the service stays up");
    app.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_large_article_becomes_a_dead_letter_at_least_once() {
    a_too_large_article_becomes_a_dead_letter(Delivery::AtLeastOnce).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_large_article_becomes_a_dead_letter_exactly_once() {
    a_too_large_article_becomes_a_dead_letter(Delivery::ExactlyOnce).await;
}

async fn delete_topic(bootstrap: &str, topic: &str) {
    let admin: AdminClient<DefaultClientContext> = client_config(bootstrap).create().expect("admin client");
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin.delete_topics(&[topic], &options).await.expect("delete topics");
    for result in results {
        result.expect("topic deleted");
    }
}

async fn a_deleted_dead_letter_topic_stops_the_service(delivery: Delivery) {
    let bootstrap = shared_broker().await.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let mut args = topics.args(&bootstrap, delivery);
    // librdkafka waits this long before it calls a topic gone (default 30 s).
    args.extend(["-X".to_string(), "topic.metadata.propagation.max.ms=3000".to_string()]);
    let app = spawn_app_args(&args).await;
    let metrics = app.metrics.clone();
    delete_topic(&bootstrap, &topics.dead_letters).await;
    // An empty payload can only become a dead letter.
    publish(&bootstrap, &topics.input, &[("k".to_string(), Vec::new())]).await;

    let ended = app.ended(Duration::from_secs(120)).await.expect("the service stops by itself, not retrying forever");
    let error = ended.expect_err("it stops with an error, so the process exits non-zero");
    assert!(matches!(error, IngestError::Delivery(_)), "{error}");
    let exposition = metrics.encode();
    assert!(exposition.contains("copydesk_delivery_failures_permanent_total 1"), "{exposition}");
    assert!(exposition.contains("copydesk_pipeline_running 0"), "{exposition}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_dead_letter_topic_stops_the_service_at_least_once() {
    a_deleted_dead_letter_topic_stops_the_service(Delivery::AtLeastOnce).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_dead_letter_topic_stops_the_service_exactly_once() {
    a_deleted_dead_letter_topic_stops_the_service(Delivery::ExactlyOnce).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_against_topics_that_do_not_fit_lists_every_mismatch() {
    let bootstrap = shared_broker().await.bootstrap();
    let topics = Topics {
        input: unique("snapshots"),
        articles: unique("articles"),
        dead_letters: unique("dead-letters"),
        group: unique("ingest"),
    };
    create_topic(&bootstrap, &topics.input, 1, &[]).await;
    create_topic(&bootstrap, &topics.articles, 1, &[("cleanup.policy", "compact"), ("max.message.bytes", "1048576")])
        .await;
    // No dead-letter topic, and the harness asks for 32 MiB messages.
    let Err(error) = App::build(config(&topics.args(&bootstrap, Delivery::AtLeastOnce))).await else {
        panic!("the start must be refused")
    };
    let IngestError::Topics(problems) = &error else { panic!("a topics error, not {error}") };
    assert_eq!(problems.len(), 2, "{error}");
    assert!(problems[0].contains(&topics.articles) && problems[0].contains("max.message.bytes=1048576"), "{error}");
    assert!(problems[1].contains(&topics.dead_letters) && problems[1].contains("does not exist"), "{error}");
}
