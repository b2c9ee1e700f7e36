//! Benchmark (not a test): end-to-end ingest throughput against offline
//! extraction of the same pages, latency at half the maximum rate, and the
//! service's memory over a long backlog drain. Prints a report.
//!
//! `cargo run --release -p copydesk-integration --bin bench-ingest -- [MESSAGES] [DRAIN_MINUTES]`
//! (after `cargo build --release -p copydesk`; `make bench-ingest` does both).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use copydesk_extract::{Hints, Limits};
use copydesk_ingest::Delivery;
use copydesk_integration::{
    IngestProcess, KafkaBroker, OutputWatcher, Topics, consumer_config, corpus_inputs, producer_config,
};
use rdkafka::producer::{FutureProducer, FutureRecord};

const WORKERS: usize = 2;

/// The same allocator as the `copydesk` binary, so that offline and end to
/// end extraction are compared like for like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Messages built and published at a time for the drain's backlog.
const BACKLOG_SLICE: usize = 2000;

/// How far ahead of the service the drain's backlog is kept, in messages.
const BACKLOG_AHEAD: usize = 20_000;

fn replicate(n: usize) -> Vec<(String, Vec<u8>)> {
    replicate_range(&corpus_inputs(), 0..n)
}

/// Messages `range` of the replicated corpus: a long backlog is built and
/// published a slice at a time, never held whole (ten minutes of it is
/// tens of gigabytes).
fn replicate_range(pages: &[(String, Vec<u8>)], range: std::ops::Range<usize>) -> Vec<(String, Vec<u8>)> {
    range.map(|i| (format!("{i}-{}", pages[i % pages.len()].0), pages[i % pages.len()].1.clone())).collect()
}

/// Offline extraction of the same messages on the same number of threads.
fn offline_docs_per_sec(inputs: &[(String, Vec<u8>)]) -> f64 {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(WORKERS).build().expect("pool");
    let limits = Limits::default();
    let started = Instant::now();
    pool.install(|| {
        use rayon::prelude::*;
        inputs.par_iter().for_each(|(_, bytes)| {
            let _ = copydesk_extract::extract_with(bytes, &Hints::default(), &limits);
        });
    });
    inputs.len() as f64 / started.elapsed().as_secs_f64()
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Publishes as fast as the broker takes it; returns source → send time (ms).
async fn publish_timed(
    producer: &FutureProducer,
    topic: &str,
    inputs: &[(String, Vec<u8>)],
    rate: Option<f64>,
) -> HashMap<String, i64> {
    let mut sent = HashMap::new();
    let started = Instant::now();
    let mut pending = Vec::new();
    for (i, (key, payload)) in inputs.iter().enumerate() {
        if let Some(rate) = rate {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let now = chrono::Utc::now().timestamp_millis();
        let record = FutureRecord::to(topic).key(key.as_bytes()).payload(payload.as_slice()).timestamp(now);
        pending.push((now, producer.send(record, Duration::from_secs(60))));
        if pending.len() >= 256 || rate.is_some() {
            for (ts, f) in pending.drain(..) {
                let d = f.await.expect("input delivered");
                sent.insert(format!("{topic}/{}/{}", d.partition, d.offset), ts);
            }
        }
    }
    for (ts, f) in pending {
        let d = f.await.expect("input delivered");
        sent.insert(format!("{topic}/{}/{}", d.partition, d.offset), ts);
    }
    sent
}

/// Reads how far the ingest group has committed, through one client kept
/// for the whole phase (a client a second would cost the broker CPU the
/// measurement is about).
struct Progress {
    consumer: std::sync::Arc<rdkafka::consumer::BaseConsumer>,
    input: String,
}

impl Progress {
    fn new(bootstrap: &str, topics: &Topics) -> Progress {
        let consumer = consumer_config(bootstrap, &topics.group, false).create().expect("consumer");
        Progress { consumer: std::sync::Arc::new(consumer), input: topics.input.clone() }
    }

    /// Messages of the input topic the ingest group has committed.
    async fn committed(&self) -> i64 {
        use rdkafka::consumer::Consumer;
        let (consumer, input) = (self.consumer.clone(), self.input.clone());
        tokio::task::spawn_blocking(move || {
            let mut list = rdkafka::TopicPartitionList::new();
            for p in 0..3 {
                list.add_partition(&input, p);
            }
            let committed = consumer.committed_offsets(list, Duration::from_secs(10)).ok();
            committed
                .as_ref()
                .map(|l| l.elements().iter().filter_map(|e| e.offset().to_raw()).filter(|o| *o > 0).sum())
                .unwrap_or(0)
        })
        .await
        .unwrap_or(0)
    }
}

fn percentile(sorted: &[i64], q: f64) -> i64 {
    sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let messages: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let drain_minutes: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10.0);

    let inputs = replicate(messages);
    // This machine's speed drifts by a third within minutes (shared host), so
    // offline extraction is measured right before and right after the
    // end-to-end run and the ratio is taken against their mean.
    let offline_before = offline_docs_per_sec(&inputs);
    println!("offline extraction, {WORKERS} threads: {offline_before:.0} docs/s over {messages} messages");

    let broker = KafkaBroker::start().await;
    let bootstrap = broker.bootstrap();
    let producer: FutureProducer = producer_config(&bootstrap).set("linger.ms", "5").create().expect("producer");

    // 0. Warm-up. A fresh JVM spends most of its first minute compiling its
    // produce and fetch paths (C2 took two thirds of the broker's CPU during a
    // cold measured run), which a long-running broker has long done. One
    // untimed pass over a third of the backlog gets the broker there.
    let topics = Topics::create(&bootstrap).await;
    let progress = Progress::new(&bootstrap, &topics);
    let warm = &inputs[..messages / 3];
    publish_timed(&producer, &topics.input, warm, None).await;
    let ingest = IngestProcess::spawn(&topics.args(&bootstrap, Delivery::AtLeastOnce));
    let deadline = Instant::now() + Duration::from_secs(900);
    while progress.committed().await < warm.len() as i64 {
        assert!(Instant::now() < deadline, "warm-up drained");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    drop(ingest);
    println!("warm-up: {} messages through the broker", warm.len());

    // 1. Throughput on a backlog. Progress is read from the group's committed
    // offsets (one cheap request a second), so the measurement itself takes
    // no CPU from the service; the rate comes from the output records' own
    // timestamps, read once everything is done.
    let topics = Topics::create(&bootstrap).await;
    let progress = Progress::new(&bootstrap, &topics);
    publish_timed(&producer, &topics.input, &inputs, None).await;
    let started = Instant::now();
    let ingest = IngestProcess::spawn(&topics.args(&bootstrap, Delivery::AtLeastOnce));
    let mut peak = 0f64;
    while progress.committed().await < messages as i64 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        peak = peak.max(rss_mb(ingest.pid()).unwrap_or(0.0));
        assert!(started.elapsed() < Duration::from_secs(1800), "backlog not drained");
    }
    let total = started.elapsed().as_secs_f64();
    drop(ingest);
    let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
    assert!(watcher.wait_for(messages, Duration::from_secs(300)).await, "outputs readable");
    let stamps: Vec<i64> = watcher.records().iter().filter_map(|r| r.timestamp).collect();
    let span_ms = stamps.iter().max().unwrap_or(&0) - stamps.iter().min().unwrap_or(&0);
    let steady = (span_ms as f64 / 1000.0).max(1e-3);
    let e2e = messages as f64 / steady;
    drop(watcher);
    let offline_after = offline_docs_per_sec(&inputs);
    let offline = (offline_before + offline_after) / 2.0;
    println!("offline extraction again, after the end-to-end run: {offline_after:.0} docs/s; mean {offline:.0} docs/s");
    println!(
        "end to end, {WORKERS} workers: {e2e:.0} docs/s from first to last output ({:.0} docs/s including start-up and commit, {total:.1} s); {:.0}% of offline; peak RSS {peak:.0} MB",
        messages as f64 / total,
        100.0 * e2e / offline
    );

    // 2. Latency at half the maximum rate: each output's timestamp minus its
    // input's; outputs are read after the run, so reading costs no CPU during it.
    let topics = Topics::create(&bootstrap).await;
    let progress = Progress::new(&bootstrap, &topics);
    let ingest = IngestProcess::spawn(&topics.args(&bootstrap, Delivery::AtLeastOnce));
    let warm = replicate(20);
    let warm_sent = publish_timed(&producer, &topics.input, &warm, None).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while progress.committed().await < warm_sent.len() as i64 {
        assert!(Instant::now() < deadline, "warm-up");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let rate = e2e / 2.0;
    let seconds = 30.0;
    let load = replicate((rate * seconds) as usize);
    let sent = publish_timed(&producer, &topics.input, &load, Some(rate)).await;
    let deadline = Instant::now() + Duration::from_secs(300);
    while progress.committed().await < (warm_sent.len() + sent.len()) as i64 {
        assert!(Instant::now() < deadline, "latency run drained");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(ingest);
    let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
    assert!(watcher.wait_for(warm_sent.len() + sent.len(), Duration::from_secs(120)).await, "outputs readable");
    let mut latencies: Vec<i64> =
        watcher.records().iter().filter_map(|r| Some(r.timestamp? - sent.get(&r.source)?)).collect();
    latencies.sort_unstable();
    println!(
        "latency at {rate:.0} docs/s for {seconds:.0} s ({} messages): p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0)
    );
    drop(watcher);

    // 3. Memory over a long backlog drain.
    if drain_minutes > 0.0 {
        let n = (e2e * 60.0 * drain_minutes) as usize;
        let topics = Topics::create(&bootstrap).await;
        let progress = Progress::new(&bootstrap, &topics);
        // Ten minutes of backlog is tens of gigabytes: it is published ahead
        // of the service a slice at a time, never less than `BACKLOG_AHEAD`
        // messages ahead, so the service never runs dry and the harness never
        // holds it all.
        let pages = corpus_inputs();
        let mut published = 0;
        while published < n.min(BACKLOG_AHEAD) {
            let slice = replicate_range(&pages, published..(published + BACKLOG_SLICE).min(n));
            publish_timed(&producer, &topics.input, &slice, None).await;
            published += slice.len();
        }
        let ingest = IngestProcess::spawn(&topics.args(&bootstrap, Delivery::AtLeastOnce));
        let started = Instant::now();
        let mut samples = Vec::new();
        let mut next_report = Duration::from_secs(60);
        let mut done = 0;
        // The backlog is sized for the whole period; the watch ends with it
        // either way, since memory over time is what this phase measures.
        let period = Duration::from_secs_f64(drain_minutes * 60.0);
        while done < n as i64 && started.elapsed() < period {
            done = progress.committed().await;
            if published < n && published as i64 - done < BACKLOG_AHEAD as i64 {
                let slice = replicate_range(&pages, published..(published + BACKLOG_SLICE).min(n));
                publish_timed(&producer, &topics.input, &slice, None).await;
                published += slice.len();
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            let rss = rss_mb(ingest.pid()).unwrap_or(0.0);
            samples.push(rss);
            if started.elapsed() >= next_report {
                println!(
                    "  drain {:>4.1} min: {done} of {n} done, RSS {rss:.0} MB",
                    started.elapsed().as_secs_f64() / 60.0
                );
                next_report += Duration::from_secs(60);
            }
        }
        let max = samples.iter().copied().fold(0.0, f64::max);
        let tail = &samples[samples.len() / 2..];
        let tail_mean = tail.iter().sum::<f64>() / tail.len().max(1) as f64;
        let head = &samples[..samples.len() / 2];
        let head_mean = head.iter().sum::<f64>() / head.len().max(1) as f64;
        println!(
            "drain: {done} of {n} messages ({published} published) in {:.1} min: RSS max {max:.0} MB, mean first half {head_mean:.0} MB, second half {tail_mean:.0} MB",
            started.elapsed().as_secs_f64() / 60.0
        );
    }
}
