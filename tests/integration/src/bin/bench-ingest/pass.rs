//! One end-to-end pass of the ingest benchmark and what it needs: fresh
//! topics, a backlog published before the service starts, an ingest child
//! process (any build of copydesk, any environment) that drains it, and what
//! the pass cost: output rate, CPU time of the ingest process per message
//! over exactly the drain, and peak RSS.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use copydesk_ingest::Delivery;
use copydesk_integration::{IngestProcess, OutputWatcher, Topics, consumer_config};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::future_producer::OwnedDeliveryResult;
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};

use copydesk_integration::cpu;

/// Outputs are stamped by the broker as it appends them, the moment a reader
/// could first see them: rates and latencies are measured to there.
pub(crate) const APPEND_TIME: &[(&str, &str)] = &[("message.timestamp.type", "LogAppendTime")];

/// Messages built and published at a time for a backlog.
const BACKLOG_SLICE: usize = 2000;

/// Messages `range` of the corpus replicated: a long backlog is built and
/// published a slice at a time, never held whole (ten minutes of it is
/// tens of gigabytes).
pub(crate) fn replicate(pages: &[(String, Vec<u8>)], range: std::ops::Range<usize>) -> Vec<(String, Vec<u8>)> {
    range.map(|i| (format!("{i}-{}", pages[i % pages.len()].0), pages[i % pages.len()].1.clone())).collect()
}

pub(crate) fn rss_mb(pid: u32) -> Option<f64> {
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
pub(crate) async fn publish_timed(
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
pub(crate) async fn publish_backlog(
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
pub(crate) struct Progress {
    consumer: std::sync::Arc<rdkafka::consumer::BaseConsumer>,
    input: String,
}

impl Progress {
    pub(crate) fn new(bootstrap: &str, topics: &Topics) -> Progress {
        let consumer = consumer_config(bootstrap, &topics.group, false).create().expect("consumer");
        Progress { consumer: std::sync::Arc::new(consumer), input: topics.input.clone() }
    }

    /// Messages of the input topic the ingest group has committed.
    pub(crate) async fn committed(&self) -> i64 {
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

/// What runs the service in a pass: which `copydesk` binary, and the
/// environment it gets (a `None` value removes the variable).
#[derive(Debug, Clone)]
pub(crate) struct Arm {
    pub(crate) name: String,
    pub(crate) bin: PathBuf,
    pub(crate) env: Vec<(String, Option<String>)>,
}

impl Arm {
    /// The workspace's binary (or `COPYDESK_BIN`), trace export off.
    pub(crate) fn current() -> Arm {
        Arm::of("current", copydesk_integration::binary())
    }

    /// The binary at `bin`, trace export off: every `OTEL_*` variable that
    /// could turn it on is removed, whatever the bench's own environment.
    pub(crate) fn of(name: &str, bin: PathBuf) -> Arm {
        let env = ["OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
            .iter()
            .map(|k| (k.to_string(), None))
            .collect();
        Arm { name: name.into(), bin, env }
    }

    fn spawn(&self, args: &[String]) -> IngestProcess {
        let env: Vec<(&str, Option<&str>)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_deref())).collect();
        IngestProcess::spawn_with(Path::new(&self.bin), args, &env)
    }
}

/// What one end-to-end pass measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pass {
    /// Messages per second from the first output's timestamp to the last's.
    pub(crate) docs_per_sec: f64,
    /// Messages per second from the process's start to the last commit seen.
    pub(crate) overall_per_sec: f64,
    /// CPU (user + system) of the ingest process and its children, from its
    /// start to the moment its group had committed every message, per message.
    pub(crate) cpu_ms_per_msg: f64,
    pub(crate) peak_rss_mb: f64,
}

/// One end-to-end pass over `messages` of the replicated corpus on fresh
/// topics: the backlog is published first, then a fresh ingest process of
/// `arm` drains it. The CPU window is the process's whole life up to the
/// first poll that sees every message committed (polled every 250 ms); its
/// start-up (clients, group join) is in it, a few milliseconds of CPU.
pub(crate) async fn end_to_end(
    bootstrap: &str,
    producer: &FutureProducer,
    pages: &[(String, Vec<u8>)],
    messages: usize,
    arm: &Arm,
) -> Pass {
    // Progress is read from the group's committed offsets (one cheap request
    // a second), so the measurement itself takes no CPU from the service;
    // the rate comes from the output records' own timestamps, read once
    // everything is done.
    let topics = Topics::create_with(bootstrap, APPEND_TIME).await;
    let progress = Progress::new(bootstrap, &topics);
    publish_backlog(producer, &topics.input, pages, 0..messages).await;
    let started = Instant::now();
    let mut ingest = arm.spawn(&topics.args(bootstrap, Delivery::AtLeastOnce));
    let cpu_at_start = cpu::seconds(ingest.pid()).unwrap_or(0.0);
    let mut peak = 0f64;
    let mut polls = 0u32;
    while progress.committed().await < messages as i64 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        polls += 1;
        if polls.is_multiple_of(4) {
            peak = peak.max(rss_mb(ingest.pid()).unwrap_or(0.0));
        }
        assert!(ingest.is_running(), "{} ingest exited; its log: {:#?}", arm.name, ingest.log());
        assert!(started.elapsed() < Duration::from_secs(1800), "backlog not drained");
    }
    let cpu_used = cpu::seconds(ingest.pid()).expect("ingest still running") - cpu_at_start;
    let total = started.elapsed().as_secs_f64();
    drop(ingest);
    let watcher = OutputWatcher::start(bootstrap, &topics, false).await;
    assert!(watcher.wait_for(messages, Duration::from_secs(300)).await, "outputs readable");
    let stamps: Vec<i64> = watcher.records().iter().filter_map(|r| r.timestamp).collect();
    let span_ms = stamps.iter().max().unwrap_or(&0) - stamps.iter().min().unwrap_or(&0);
    let steady = (span_ms as f64 / 1000.0).max(1e-3);
    Pass {
        docs_per_sec: messages as f64 / steady,
        overall_per_sec: messages as f64 / total,
        cpu_ms_per_msg: 1000.0 * cpu_used / messages as f64,
        peak_rss_mb: peak,
    }
}
