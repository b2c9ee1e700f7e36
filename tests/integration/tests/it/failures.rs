//! Nothing is lost across failures: kill -9 of the ingest process, a second
//! instance joining and dying mid-stream, and a broker restart.

use std::time::Duration;

use copydesk_ingest::Delivery;
use copydesk_integration::{
    IngestProcess, KafkaBroker, OutputWatcher, Topics, assert_accounted, corpus_inputs, publish, shared_broker,
    spawn_app,
};

/// The corpus repeated under distinct keys: enough messages that there is
/// a "mid-stream" to interrupt.
fn stream(copies: usize) -> Vec<(String, Vec<u8>)> {
    let pages = corpus_inputs();
    (0..copies).flat_map(|c| pages.iter().map(move |(k, v)| (format!("{c}-{k}"), v.clone()))).collect()
}

const DRAIN: Duration = Duration::from_secs(300);

/// A backlog on the shared broker, ready for ingest processes to drain.
struct Backlog {
    sources: Vec<String>,
    watcher: OutputWatcher,
    args: Vec<String>,
}

async fn backlog() -> Backlog {
    let bootstrap = shared_broker().await.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let sources = publish(&bootstrap, &topics.input, &stream(2)).await;
    let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
    let args = topics.args(&bootstrap, Delivery::AtLeastOnce);
    Backlog { sources, watcher, args }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_then_restart_loses_nothing() {
    let Backlog { sources, watcher, args } = backlog().await;

    let mut first = IngestProcess::spawn(&args);
    assert!(watcher.wait_for(sources.len() / 5, DRAIN).await, "no progress before the crash");
    first.kill9();
    let at_crash = watcher.sources().len();
    assert!(at_crash < sources.len(), "the crash should come mid-stream");

    let mut second = IngestProcess::spawn(&args);
    assert!(watcher.wait_for(sources.len(), DRAIN).await, "accounted {} of {}", watcher.sources().len(), sources.len());
    assert!(second.terminate(Duration::from_secs(30)), "graceful exit on SIGTERM");
    let records = watcher.records();
    assert_accounted(&records, &sources);
    eprintln!("kill -9: {} inputs, {} outputs ({} accounted at the crash)", sources.len(), records.len(), at_crash);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_joins_and_dies_mid_stream_and_nothing_is_lost() {
    let Backlog { sources, watcher, args } = backlog().await;

    let mut first = IngestProcess::spawn(&args);
    assert!(watcher.wait_for(sources.len() / 6, DRAIN).await, "no progress");
    // The group rebalances to give the newcomer partitions...
    let mut second = IngestProcess::spawn(&args);
    let joined_at = watcher.sources().len();
    assert!(watcher.wait_for(joined_at + sources.len() / 6, DRAIN).await, "no progress after the join");
    // ...which it takes to its grave; they must move back and be finished.
    second.kill9();
    assert!(watcher.sources().len() < sources.len(), "the death should come mid-stream");
    assert!(watcher.wait_for(sources.len(), DRAIN).await, "accounted {} of {}", watcher.sources().len(), sources.len());
    assert!(first.terminate(Duration::from_secs(30)));
    assert_accounted(&watcher.records(), &sources);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_rides_out_a_broker_restart() {
    let broker = KafkaBroker::start().await;
    let bootstrap = broker.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let sources = publish(&bootstrap, &topics.input, &stream(2)).await;
    let app = spawn_app(&bootstrap, &topics, Delivery::AtLeastOnce).await;
    {
        let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
        assert!(watcher.wait_for(sources.len() / 5, DRAIN).await, "no progress before the restart");
    }
    broker.stop().await;
    broker.start_again().await;
    let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
    assert!(watcher.wait_for(sources.len(), DRAIN).await, "accounted {} of {}", watcher.sources().len(), sources.len());
    assert!(app.is_running(), "recovered by itself");
    app.stop().await.expect("clean shutdown");
    assert_accounted(&watcher.records(), &sources);
}
