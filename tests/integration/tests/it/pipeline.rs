//! End to end over the real broker: the seed and every dev page in, each one
//! out as an article under its id or as a dead letter with its reason.

use std::time::Duration;

use copydesk_ingest::Delivery;
use copydesk_integration::{OutputWatcher, Topics, assert_accounted, corpus_inputs, publish, shared_broker, spawn_app};
use copydesk_proto::v1::Article;
use prost::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_page_becomes_an_article_or_a_dead_letter() {
    let broker = shared_broker().await;
    let bootstrap = broker.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let inputs = corpus_inputs();
    let sources = publish(&bootstrap, &topics.input, &inputs).await;
    let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
    let app = spawn_app(&bootstrap, &topics, Delivery::AtLeastOnce).await;

    assert!(
        watcher.wait_for(sources.len(), Duration::from_secs(240)).await,
        "only {} of {} accounted",
        watcher.sources().len(),
        sources.len()
    );
    let stats = app.metrics.snapshot();
    app.stop().await.expect("clean shutdown");

    let records = watcher.records();
    assert_accounted(&records, &sources);
    let articles: Vec<_> = records.iter().filter(|r| r.topic == topics.articles).collect();
    let dead: Vec<_> = records.iter().filter(|r| r.topic == topics.dead_letters).collect();
    // Count in = articles + dead letters (no replays happened in this run).
    assert_eq!(articles.len() + dead.len(), sources.len(), "stats: {stats:?}");
    assert!(articles.len() * 10 >= sources.len() * 9, "too few articles: {} of {}", articles.len(), sources.len());

    for r in &articles {
        let article = Article::decode(r.payload.as_slice()).expect("articles are protobuf Articles");
        assert_eq!(r.key.as_deref(), Some(article.id.as_bytes()), "keyed by article id");
        assert!(!article.text.is_empty());
        assert_eq!(r.headers["content-type"], "application/x-protobuf; messageType=copydesk.v1.Article");
        assert!(r.headers["traceparent"].starts_with("00-"));
        let provenance = article.provenance.expect("provenance");
        assert_eq!(format!("{}/{}/{}", provenance.topic, provenance.partition, provenance.offset), r.source);
    }
    for r in &dead {
        for h in ["copydesk.errors.reason", "copydesk.errors.stage", "copydesk.errors.topic", "copydesk.errors.offset"]
        {
            assert!(r.headers.contains_key(h), "dead letter without {h}");
        }
        assert!(!r.payload.is_empty(), "the original payload is kept");
    }
    let seed = articles
        .iter()
        .map(|r| Article::decode(r.payload.as_slice()).unwrap())
        .find(|a| a.url == "https://www.bbc.com/zhongwen/simp/world-69124999")
        .expect("the seed's article");
    assert_eq!(seed.authors.len(), 1);
    eprintln!("corpus: {} inputs, {} articles, {} dead letters", sources.len(), articles.len(), dead.len());
}
