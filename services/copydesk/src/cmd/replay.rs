//! `copydesk replay`: publishes snapshot files to the snapshots topic, the
//! backfill tool; every input format `extract` accepts is sent as it is.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use copydesk_settings::KafkaArgs;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use indicatif::{ProgressBar, ProgressStyle};
use rdkafka::ClientConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::util::Timeout;

use copydesk_ingest::trace::TraceParent;
use copydesk_telemetry::messaging::{self, Message};
use tracing::Instrument;

use crate::cmd::runtime;
use crate::inputs::{self, Entry};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    kafka: KafkaArgs,
    /// Topic to publish to.
    #[arg(long, env = "COPYDESK_INPUT_TOPIC", default_value = "snapshots")]
    topic: String,
    /// Files larger than this are reported and skipped.
    #[arg(long, env = "COPYDESK_MAX_MESSAGE_BYTES", default_value_t = 32 << 20)]
    max_message_bytes: usize,
    /// Send each file this many times (for load tests; keys stay per file).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Files or directories (walked recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    runtime::init_logging();
    runtime::tokio()?.block_on(replay(args))
}

async fn replay(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(refused) = runtime::refuse(&args.kafka.problems(&["enable.idempotence"])) {
        return Ok(refused);
    }
    let mut config = ClientConfig::new();
    config
        .set("enable.idempotence", "true")
        .set("message.max.bytes", (args.max_message_bytes + (1 << 20)).to_string())
        .set("linger.ms", "20")
        .set("compression.type", "lz4");
    args.kafka.apply(&mut config);
    let producer: FutureProducer = config.create().context("cannot create the Kafka producer")?;

    let files: Vec<Entry> = inputs::expand(&args.paths);
    let total = (files.len() * args.repeat.max(1)) as u64;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} files [{elapsed_precise}] {per_sec} eta {eta} {msg}")
            .expect("valid template"),
    );
    let started = Instant::now();
    let (mut sent, mut failed, mut bytes) = (0u64, 0u64, 0u64);
    let mut in_flight = FuturesUnordered::new();
    for round in 0..args.repeat.max(1) {
        for entry in &files {
            let path = match entry {
                Entry::File(p) => p,
                Entry::Unreadable(p, error) => {
                    bar.suspend(|| eprintln!("copydesk: {}: {error}", p.display()));
                    failed += u64::from(round == 0);
                    continue;
                }
            };
            let payload = match std::fs::read(path) {
                Ok(b) if b.len() <= args.max_message_bytes => b,
                Ok(b) => {
                    bar.suspend(|| {
                        eprintln!("copydesk: {}: {} bytes, over --max-message-bytes", path.display(), b.len())
                    });
                    failed += 1;
                    bar.inc(1);
                    continue;
                }
                Err(error) => {
                    bar.suspend(|| eprintln!("copydesk: {}: cannot read: {error}", path.display()));
                    failed += 1;
                    bar.inc(1);
                    continue;
                }
            };
            // Bound memory: at most this many files wait for delivery.
            while in_flight.len() >= 512 {
                if let Some(ok) = in_flight.next().await {
                    count(ok, &mut sent, &mut failed, &bar);
                }
            }
            bytes += payload.len() as u64;
            in_flight.push(send(producer.clone(), args.topic.clone(), path.clone(), payload));
        }
    }
    while let Some(ok) = in_flight.next().await {
        count(ok, &mut sent, &mut failed, &bar);
    }
    producer.flush(Duration::from_secs(30)).context("flush")?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "copydesk: replayed {sent} message(s), {:.1} MB, in {secs:.1} s ({:.0}/s); {failed} failed",
        bytes as f64 / 1e6,
        sent as f64 / secs.max(1e-9)
    );
    Ok(if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn count(ok: bool, sent: &mut u64, failed: &mut u64, bar: &ProgressBar) {
    if ok {
        *sent += 1
    } else {
        *failed += 1
    }
    bar.inc(1);
}

/// Sends one page as a crawler would: each page starts its own trace, with a
/// `send` span (OpenTelemetry messaging, PRODUCER) whose context goes in the
/// `traceparent` header for ingest to continue.
async fn send(producer: FutureProducer, topic: String, path: PathBuf, payload: Vec<u8>) -> bool {
    // The file name keys the message: replays of one file land in one
    // partition, in order.
    let key = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let source = path.display().to_string();
    let message = Message { topic: &topic, key: Some(&key), size: Some(payload.len()), ..Message::default() };
    let span = messaging::send(&message, None);
    span.record("copydesk.source.path", source.as_str());
    let traceparent = match copydesk_telemetry::traceparent(&span) {
        Some(tp) => {
            copydesk_telemetry::record_ids(&span);
            tp
        }
        None => {
            // Export off: the page still starts a trace of its own.
            let tp = TraceParent::new_root();
            span.record("trace_id", tp.trace_id_hex());
            tp.to_string()
        }
    };
    let mut headers = OwnedHeaders::new()
        .insert(Header { key: "copydesk-source-path", value: Some(&source) })
        .insert(Header { key: copydesk_ingest::record::header::TRACEPARENT, value: Some(&traceparent) });
    if path.extension().is_some_and(|e| e == "pb" || e == "binpb") {
        headers =
            headers.insert(Header { key: "content-type", value: Some(copydesk_ingest::record::SNAPSHOT_CONTENT_TYPE) });
    }
    let record = FutureRecord::to(&topic).key(&key).payload(&payload).headers(headers);
    match producer.send(record, Timeout::After(Duration::from_secs(120))).instrument(span.clone()).await {
        Ok(delivery) => {
            messaging::sent(&span, delivery.partition, delivery.offset);
            true
        }
        Err((error, _)) => {
            messaging::failed(&span, "not_delivered");
            eprintln!("copydesk: {source}: not delivered: {error}");
            false
        }
    }
}
