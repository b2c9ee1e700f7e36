//! Exactly-once mode: a `read_committed` reader sees each input's record
//! exactly once, even when the ingest process is killed mid-transaction.

use std::collections::HashMap;
use std::time::Duration;

use copydesk_ingest::Delivery;
use copydesk_integration::{
    IngestProcess, OutputWatcher, Topics, assert_accounted, corpus_inputs, publish, shared_broker, unique,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_committed_sees_each_input_once_across_a_crash() {
    let broker = shared_broker().await;
    let bootstrap = broker.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let pages = corpus_inputs();
    let inputs: Vec<(String, Vec<u8>)> =
        (0..2).flat_map(|c| pages.iter().map(move |(k, v)| (format!("{c}-{k}"), v.clone()))).collect();
    let sources = publish(&bootstrap, &topics.input, &inputs).await;
    let watcher = OutputWatcher::start(&bootstrap, &topics, true).await;
    let mut args = topics.args(&bootstrap, Delivery::ExactlyOnce);
    // The same transactional id across the restart fences the dead
    // instance's open transaction at once.
    args.extend([
        "--transactional-id".to_string(),
        unique("txn"),
        "--transaction-messages".to_string(),
        "20".to_string(),
    ]);

    let mut first = IngestProcess::spawn(&args);
    assert!(watcher.wait_for(sources.len() / 5, Duration::from_secs(300)).await, "no progress before the crash");
    first.kill9();
    assert!(watcher.sources().len() < sources.len(), "the crash should come mid-stream");
    let mut second = IngestProcess::spawn(&args);
    assert!(
        watcher.wait_for(sources.len(), Duration::from_secs(300)).await,
        "accounted {} of {}",
        watcher.sources().len(),
        sources.len()
    );
    assert!(second.terminate(Duration::from_secs(30)));

    let records = watcher.records();
    assert_accounted(&records, &sources);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &records {
        *seen.entry(&r.source).or_default() += 1;
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "{} inputs seen more than once, e.g. {:?}", repeated.len(), repeated.first());
    assert_eq!(records.len(), sources.len());
}
