//! Hostile input never stops the service or its partition: each bad message
//! becomes an article or a dead letter, and the good page after it still
//! comes through.

use std::io::Write;
use std::time::Duration;

use copydesk_ingest::Delivery;
use copydesk_integration::{OutputWatcher, Topics, assert_accounted, publish, shared_broker, spawn_app};

fn page(body: &str) -> Vec<u8> {
    format!("<html><body><article><p>{}</p>{body}</article></body></html>", "A sentence of real news text. ".repeat(30))
        .into_bytes()
}

fn bad_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&page("")).unwrap();
    let gz = gz.finish().unwrap();
    let mut inputs = vec![
        ("empty", Vec::new()),
        ("garbage", (0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()),
        ("truncated-gzip", gz[..gz.len() / 2].to_vec()),
        ("15mb-page", page(&"<p>Paragraph of a very long page.</p>".repeat(15 << 20 >> 5))),
        ("nested-100k", page(&"<div>".repeat(100_000))),
        ("nested-100k-b", page(&"<b>".repeat(100_000))),
        ("attribute-1mb", page(&format!("<div class=\"{}\">x</div>", "a".repeat(1 << 20)))),
        ("over-limit", vec![b'a'; copydesk_integration::MAX_MESSAGE_BYTES + 1024]),
    ];
    for charset in ["utf-8", "gbk", "big5", "shift_jis", "euc-kr", "windows-1251", "windows-1252"] {
        let mut bytes = format!("<meta charset={charset}><article><p>").into_bytes();
        bytes.extend((0..3000u32).map(|i| (i * 151 % 256) as u8));
        inputs.push((charset, bytes));
    }
    inputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_dead_lettered_and_the_partition_keeps_moving() {
    let broker = shared_broker().await;
    let bootstrap = broker.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
    let app = spawn_app(&bootstrap, &topics, Delivery::AtLeastOnce).await;

    // One key for all: every message lands in the same partition, so the
    // good page at the end proves that nothing before it blocked.
    let mut inputs: Vec<(String, Vec<u8>)> =
        bad_inputs().into_iter().map(|(_, b)| ("same-key".to_string(), b)).collect();
    inputs.push(("same-key".to_string(), page("<p>The good page after the bad ones.</p>")));
    let sources = publish(&bootstrap, &topics.input, &inputs).await;

    assert!(
        watcher.wait_for(sources.len(), Duration::from_secs(120)).await,
        "accounted {} of {}",
        watcher.sources().len(),
        sources.len()
    );
    assert!(app.is_running(), "the service stays up");
    let records = watcher.records();
    assert_accounted(&records, &sources);

    let by_source = |s: &str| records.iter().find(|r| r.source == s).expect("accounted");
    let last = by_source(sources.last().unwrap());
    assert_eq!(last.topic, topics.articles, "the good page is an article");
    let reasons: Vec<String> = sources[..sources.len() - 1]
        .iter()
        .map(|s| by_source(s))
        .filter(|r| r.topic == topics.dead_letters)
        .map(|r| r.headers["copydesk.errors.reason"].clone())
        .collect();
    for expected in ["empty", "not_html", "gzip", "too_large", "too_deep"] {
        assert!(reasons.iter().any(|r| r == expected), "no dead letter with reason {expected}: {reasons:?}");
    }
    app.stop().await.expect("clean shutdown");
}
