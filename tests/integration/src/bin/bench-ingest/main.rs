//! Benchmark (not a test): end-to-end ingest throughput against offline
//! extraction of the same pages, latency at half the maximum rate, and the
//! service's memory over a long backlog drain. Prints a report.
//!
//! `cargo run --release -p copydesk-integration --bin bench-ingest -- [MESSAGES] [DRAIN_MINUTES] [ROUNDS] [RATE]`
//! (after `cargo build --release -p copydesk`; `make bench-ingest` does both).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use copydesk_extract::{Hints, Limits};
use copydesk_ingest::Delivery;
use copydesk_integration::{
    IngestProcess, KafkaBroker, OutputWatcher, Topics, consumer_config, corpus_inputs, producer_config,
};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::future_producer::OwnedDeliveryResult;
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};

const WORKERS: usize = 2;

/// The same allocator as the `copydesk` binary, so that offline and end to
/// end extraction are compared like for like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Outputs are stamped by the broker as it appends them, the moment a reader
/// could first see them: rates and latencies are measured to there.
const APPEND_TIME: &[(&str, &str)] = &[("message.timestamp.type", "LogAppendTime")];

/// Messages built and published at a time for a backlog.
const BACKLOG_SLICE: usize = 2000;

/// Messages `range` of the corpus replicated: a long backlog is built and
/// published a slice at a time, never held whole (ten minutes of it is
/// tens of gigabytes).
fn replicate(pages: &[(String, Vec<u8>)], range: std::ops::Range<usize>) -> Vec<(String, Vec<u8>)> {
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

/// Sends not yet acknowledged that a backlog publish keeps at most: enough
/// to keep the broker busy, few enough that the producer's queue never
/// holds more than a few hundred megabytes of pages.
const PUBLISH_WINDOW: usize = 4096;

/// Publishes `inputs`, at `rate` per second or as fast as the broker takes
/// them; returns `topic/partition/offset` → send time (ms). Each record is
/// handed to the producer's queue at once (`send_result`), so sends overlap
/// within `PUBLISH_WINDOW`; a full queue waits for the oldest delivery.
async fn publish_timed(
    producer: &FutureProducer,
    topic: &str,
    inputs: &[(String, Vec<u8>)],
    rate: Option<f64>,
) -> HashMap<String, i64> {
    let mut sent = HashMap::new();
    let started = Instant::now();
    let mut pending: VecDeque<(i64, DeliveryFuture)> = VecDeque::new();
    let mut settle = |(ts, delivery): (i64, Result<OwnedDeliveryResult, _>)| {
        let d = delivery.expect("delivery reported").map_err(|(e, _)| e).expect("input delivered");
        sent.insert(format!("{topic}/{}/{}", d.partition, d.offset), ts);
    };
    for (i, (key, payload)) in inputs.iter().enumerate() {
        if let Some(rate) = rate {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let now = chrono::Utc::now().timestamp_millis();
        let mut record = FutureRecord::to(topic).key(key.as_bytes()).payload(payload.as_slice()).timestamp(now);
        loop {
            match producer.send_result(record) {
                Ok(delivery) => {
                    pending.push_back((now, delivery));
                    break;
                }
                Err((e, back)) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull) => {
                    record = back;
                    match pending.pop_front() {
                        Some((ts, delivery)) => settle((ts, delivery.await)),
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
                Err((e, _)) => panic!("cannot publish to {topic}: {e}"),
            }
        }
        while pending.len() > PUBLISH_WINDOW {
            let (ts, delivery) = pending.pop_front().expect("pending send");
            settle((ts, delivery.await));
        }
    }
    for (ts, delivery) in pending {
        settle((ts, delivery.await));
    }
    sent
}

/// Publishes messages `range` of the replicated corpus a slice at a time
/// (the whole of a long backlog would not fit in memory); prints the rate.
async fn publish_backlog(
    producer: &FutureProducer,
    topic: &str,
    pages: &[(String, Vec<u8>)],
    range: std::ops::Range<usize>,
) {
    let started = Instant::now();
    let (mut at, mut bytes) = (range.start, 0usize);
    while at < range.end {
        let slice = replicate(pages, at..(at + BACKLOG_SLICE).min(range.end));
        bytes += slice.iter().map(|(_, p)| p.len()).sum::<usize>();
        publish_timed(producer, topic, &slice, None).await;
        at += slice.len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  published {} messages ({:.0} MB) in {secs:.1} s: {:.0} msgs/s, {:.0} MB/s",
        range.len(),
        bytes as f64 / 1e6,
        range.len() as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
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

/// One end-to-end pass over `inputs` on fresh topics: the backlog is
/// published first, then a fresh ingest process drains it. Returns docs/s
/// from the first output's timestamp to the last's, docs/s including
/// start-up and final commit, and the peak RSS seen (MB).
async fn end_to_end(
    bootstrap: &str,
    producer: &FutureProducer,
    pages: &[(String, Vec<u8>)],
    messages: usize,
) -> (f64, f64, f64) {
    // Progress is read from the group's committed offsets (one cheap request
    // a second), so the measurement itself takes no CPU from the service;
    // the rate comes from the output records' own timestamps, read once
    // everything is done.
    let topics = Topics::create_with(bootstrap, APPEND_TIME).await;
    let progress = Progress::new(bootstrap, &topics);
    publish_backlog(producer, &topics.input, pages, 0..messages).await;
    let started = Instant::now();
    let ingest = IngestProcess::spawn(&topics.args(bootstrap, Delivery::AtLeastOnce));
    let mut peak = 0f64;
    while progress.committed().await < messages as i64 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        peak = peak.max(rss_mb(ingest.pid()).unwrap_or(0.0));
        assert!(started.elapsed() < Duration::from_secs(1800), "backlog not drained");
    }
    let total = started.elapsed().as_secs_f64();
    drop(ingest);
    let watcher = OutputWatcher::start(bootstrap, &topics, false).await;
    assert!(watcher.wait_for(messages, Duration::from_secs(300)).await, "outputs readable");
    let stamps: Vec<i64> = watcher.records().iter().filter_map(|r| r.timestamp).collect();
    let span_ms = stamps.iter().max().unwrap_or(&0) - stamps.iter().min().unwrap_or(&0);
    let steady = (span_ms as f64 / 1000.0).max(1e-3);
    (messages as f64 / steady, messages as f64 / total, peak)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let messages: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let drain_minutes: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10.0);
    let rounds: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(5);
    // A fixed rate for the latency phase, instead of half the measured one;
    // with zero rounds it is the only way to give one.
    let fixed_rate: Option<f64> = args.get(4).and_then(|a| a.parse().ok());

    let pages = corpus_inputs();
    let inputs = replicate(&pages, 0..messages);
    let broker = KafkaBroker::start().await;
    let bootstrap = broker.bootstrap();
    // Lingering lets the producer fill batches of many pages: fewer, larger
    // requests, and less of the broker's CPU per page.
    let producer: FutureProducer = producer_config(&bootstrap).set("linger.ms", "20").create().expect("producer");

    // 0. Warm-up. A fresh JVM spends most of its first minute compiling its
    // produce and fetch paths (C2 took two thirds of the broker's CPU during a
    // cold measured run), which a long-running broker has long done. One
    // untimed pass over a third of the backlog gets the broker there.
    println!("warm-up: {} messages through the broker", messages / 3);
    end_to_end(&bootstrap, &producer, &pages, messages / 3).await;

    // 1. Throughput on a backlog, against offline extraction of the same
    // messages on the same number of threads. This machine's speed drifts by
    // a third within minutes (shared host), so rounds alternate offline and
    // end-to-end passes, each end-to-end pass is set against the mean of the
    // offline passes either side of it, and the median round is the figure.
    let mut offline = if rounds > 0 { vec![offline_docs_per_sec(&inputs)] } else { Vec::new() };
    let mut ratios = Vec::new();
    let mut e2e_rates = Vec::new();
    for round in 1..=rounds {
        let (e2e, overall, peak) = end_to_end(&bootstrap, &producer, &pages, messages).await;
        offline.push(offline_docs_per_sec(&inputs));
        let around = (offline[round - 1] + offline[round]) / 2.0;
        ratios.push(e2e / around);
        e2e_rates.push(e2e);
        println!(
            "round {round}: offline {:.0} / {:.0} docs/s ({WORKERS} threads), end to end {e2e:.0} docs/s from first to last output ({overall:.0} including start-up and final commit): {:.0}% of offline; peak RSS {peak:.0} MB",
            offline[round - 1],
            offline[round],
            100.0 * e2e / around
        );
    }
    let e2e = if e2e_rates.is_empty() { fixed_rate.unwrap_or(500.0) * 2.0 } else { median(&e2e_rates) };
    if rounds > 0 {
        println!(
            "throughput over {rounds} rounds of {messages} messages: median {:.0}% of offline (rounds {}); end to end median {e2e:.0} docs/s, offline median {:.0} docs/s",
            100.0 * median(&ratios),
            ratios.iter().map(|r| format!("{:.0}%", 100.0 * r)).collect::<Vec<_>>().join(", "),
            median(&offline)
        );
    }

    // 2. Latency at half the maximum rate: from the moment the input is handed
    // to the producer to the moment the broker appends its output. Outputs
    // are read after the run, so reading costs no CPU during it.
    let topics = Topics::create_with(&bootstrap, APPEND_TIME).await;
    let progress = Progress::new(&bootstrap, &topics);
    let ingest = IngestProcess::spawn(&topics.args(&bootstrap, Delivery::AtLeastOnce));
    let warm = replicate(&pages, 0..20);
    let warm_sent = publish_timed(&producer, &topics.input, &warm, None).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while progress.committed().await < warm_sent.len() as i64 {
        assert!(Instant::now() < deadline, "warm-up");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The service and the broker under test have been running for a while:
    // the first `WARM_SECONDS` at the rate are not counted. They warm the
    // service's process (lazily built regex caches, allocator arenas, fetch
    // sessions) and the broker's JIT for this traffic, one small produce
    // request per page: over its first 20 s here the broker's JVM took 60-90%
    // of a core, then 20-35%, on the two cores it shares with the service.
    const WARM_SECONDS: f64 = 30.0;
    let rate = fixed_rate.unwrap_or(e2e / 2.0);
    let seconds = 30.0;
    let load = replicate(&pages, 0..(rate * (WARM_SECONDS + seconds)) as usize);
    // A crawler that sends each page as it has it, without lingering to batch.
    let prompt: FutureProducer = producer_config(&bootstrap).set("linger.ms", "0").create().expect("producer");
    let sent = publish_timed(&prompt, &topics.input, &load, Some(rate)).await;
    let deadline = Instant::now() + Duration::from_secs(300);
    while progress.committed().await < (warm_sent.len() + sent.len()) as i64 {
        assert!(Instant::now() < deadline, "latency run drained");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(ingest);
    let watcher = OutputWatcher::start(&bootstrap, &topics, false).await;
    assert!(watcher.wait_for(warm_sent.len() + sent.len(), Duration::from_secs(120)).await, "outputs readable");
    // (send time, latency) of every input, for the overall figures and for
    // a look at how they move over the run.
    let mut timed: Vec<(i64, i64)> = watcher
        .records()
        .iter()
        .filter_map(|r| {
            let sent_at = *sent.get(&r.source)?;
            Some((sent_at, r.timestamp? - sent_at))
        })
        .collect();
    timed.sort_unstable();
    let warm_until = timed.first().map_or(0, |t| t.0) + (WARM_SECONDS * 1000.0) as i64;
    timed.retain(|t| t.0 >= warm_until);
    let first = timed.first().map_or(0, |t| t.0);
    for window in timed.chunk_by(|a, b| (a.0 - first) / 5000 == (b.0 - first) / 5000) {
        let mut l: Vec<i64> = window.iter().map(|t| t.1).collect();
        l.sort_unstable();
        println!(
            "  from {:>3} s: {} messages, p50 {} ms, p99 {} ms, max {} ms",
            (window[0].0 - first) / 1000,
            l.len(),
            percentile(&l, 0.5),
            percentile(&l, 0.99),
            l.last().copied().unwrap_or(0)
        );
    }
    let mut latencies: Vec<i64> = timed.iter().map(|t| t.1).collect();
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

    // 3. Memory over a long backlog drain. The whole backlog is published
    // before the service starts, so that nothing competes with it for the
    // cores while it drains; it is sized to outlast the period. The pages
    // go as crawlers send them (most gzipped), a slice at a time.
    if drain_minutes > 0.0 {
        let n = (e2e * 60.0 * drain_minutes * 1.2) as usize;
        let topics = Topics::create_with(&bootstrap, APPEND_TIME).await;
        let progress = Progress::new(&bootstrap, &topics);
        println!("drain: publishing a backlog of {n} messages");
        publish_backlog(&producer, &topics.input, &pages, 0..n).await;
        let ingest = IngestProcess::spawn(&topics.args(&bootstrap, Delivery::AtLeastOnce));
        let started = Instant::now();
        let mut samples = Vec::new();
        let mut next_report = Duration::from_secs(60);
        let mut done = 0;
        let period = Duration::from_secs_f64(drain_minutes * 60.0);
        while done < n as i64 && started.elapsed() < period {
            tokio::time::sleep(Duration::from_secs(1)).await;
            done = progress.committed().await;
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
        let minutes = started.elapsed().as_secs_f64() / 60.0;
        let max = samples.iter().copied().fold(0.0, f64::max);
        let tail = &samples[samples.len() / 2..];
        let tail_mean = tail.iter().sum::<f64>() / tail.len().max(1) as f64;
        let head = &samples[..samples.len() / 2];
        let head_mean = head.iter().sum::<f64>() / head.len().max(1) as f64;
        println!(
            "drain: {done} of {n} messages in {minutes:.1} min ({:.0} docs/s, backlog never empty: {}): RSS max {max:.0} MB, mean first half {head_mean:.0} MB, second half {tail_mean:.0} MB",
            done as f64 / (minutes * 60.0),
            done < n as i64
        );
    }
}
