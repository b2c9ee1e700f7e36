//! Benchmark (not a test): end-to-end ingest throughput and CPU per message
//! against offline extraction of the same pages, latency at half the maximum
//! rate, and the service's memory over a long backlog drain; or, as
//! `export` and `versions`, two ways of running the service compared in
//! interleaved passes (trace export off and on; another build of copydesk
//! and this one). Prints a report.
//!
//! ```text
//! bench-ingest [MESSAGES] [DRAIN_MINUTES] [ROUNDS] [RATE]
//! bench-ingest export [MESSAGES] [PAIRS]
//! bench-ingest versions BASE_BINARY [MESSAGES] [PAIRS]
//! ```
//! (`cargo run --release --workspace --bin bench-ingest -- ...` after building
//! the `copydesk` binary; `make bench-ingest`, `make bench-ingest-export` and
//! `make bench-ingest-versions BASE=...` do both). The service is the
//! workspace's release binary, or the one `COPYDESK_BIN` names.

mod compare;
mod pass;

use std::time::{Duration, Instant};

use copydesk_extract::{Hints, Limits};
use copydesk_ingest::Delivery;
use copydesk_integration::{IngestProcess, KafkaBroker, OutputWatcher, Topics, corpus_inputs, producer_config};
use rdkafka::producer::FutureProducer;

use pass::{APPEND_TIME, Arm, Progress, end_to_end, publish_backlog, publish_timed, replicate, rss_mb};

const WORKERS: usize = 2;

/// The same allocator as the `copydesk` binary, so that offline and end to
/// end extraction are compared like for like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Offline extraction of the same messages on the same number of threads:
/// docs/s, and this process's CPU ms per message over it (the pure cost of
/// extraction, beside which ingest's CPU per message shows what the rest of
/// the pipeline adds).
fn offline_pass(inputs: &[(String, Vec<u8>)]) -> (f64, f64) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(WORKERS).build().expect("pool");
    let limits = Limits::default();
    let cpu_before = copydesk_integration::cpu::seconds(std::process::id()).unwrap_or(0.0);
    let started = Instant::now();
    pool.install(|| {
        use rayon::prelude::*;
        inputs.par_iter().for_each(|(_, bytes)| {
            let _ = copydesk_extract::extract_with(bytes, &Hints::default(), &limits);
        });
    });
    let rate = inputs.len() as f64 / started.elapsed().as_secs_f64();
    let cpu_used = copydesk_integration::cpu::seconds(std::process::id()).unwrap_or(0.0) - cpu_before;
    (rate, 1000.0 * cpu_used / inputs.len() as f64)
}

fn percentile(sorted: &[i64], q: f64) -> i64 {
    sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str);
    if matches!(mode, Some("export" | "versions")) {
        return compare_main(&args).await;
    }
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
    let arm = Arm::current();
    end_to_end(&bootstrap, &producer, &pages, messages / 3, &arm).await;

    // 1. Throughput on a backlog, against offline extraction of the same
    // messages on the same number of threads. This machine's speed drifts by
    // a third within minutes (shared host), so rounds alternate offline and
    // end-to-end passes, each end-to-end pass is set against the mean of the
    // offline passes either side of it, and the median round is the figure.
    let (mut offline, mut offline_cpu) = (Vec::new(), Vec::new());
    if rounds > 0 {
        let (rate, cpu) = offline_pass(&inputs);
        offline.push(rate);
        offline_cpu.push(cpu);
    }
    let mut ratios = Vec::new();
    let mut e2e_rates = Vec::new();
    let mut e2e_cpu = Vec::new();
    for round in 1..=rounds {
        let pass = end_to_end(&bootstrap, &producer, &pages, messages, &arm).await;
        let (rate, cpu) = offline_pass(&inputs);
        offline.push(rate);
        offline_cpu.push(cpu);
        let around = (offline[round - 1] + offline[round]) / 2.0;
        let e2e = pass.docs_per_sec;
        ratios.push(e2e / around);
        e2e_rates.push(e2e);
        e2e_cpu.push(pass.cpu_ms_per_msg);
        println!(
            "round {round}: offline {:.0} / {:.0} docs/s ({WORKERS} threads, {:.2} CPU ms/msg), end to end {e2e:.0} docs/s from first to last output ({:.0} including start-up and final commit): {:.0}% of offline; ingest {:.2} CPU ms/msg; peak RSS {:.0} MB",
            offline[round - 1],
            offline[round],
            offline_cpu[round],
            pass.overall_per_sec,
            100.0 * e2e / around,
            pass.cpu_ms_per_msg,
            pass.peak_rss_mb
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
        println!(
            "CPU per message: ingest median {:.2} ms (rounds {}), offline extraction median {:.2} ms",
            median(&e2e_cpu),
            e2e_cpu.iter().map(|c| format!("{c:.2}")).collect::<Vec<_>>().join(", "),
            median(&offline_cpu)
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

/// `export [MESSAGES] [PAIRS]` and `versions BASE_BINARY [MESSAGES] [PAIRS]`.
async fn compare_main(args: &[String]) {
    let versions = args[1] == "versions";
    let base =
        versions.then(|| args.get(2).map(std::path::PathBuf::from).expect("versions BASE_BINARY [MESSAGES] [PAIRS]"));
    let rest = &args[if versions { 3 } else { 2 }..];
    let messages: usize = rest.first().and_then(|a| a.parse().ok()).unwrap_or(3000);
    let pairs: usize = rest.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let pages = corpus_inputs();
    let broker = KafkaBroker::start().await;
    let bootstrap = broker.bootstrap();
    let producer: FutureProducer = producer_config(&bootstrap).set("linger.ms", "20").create().expect("producer");
    // The broker's JIT warms up on an untimed pass first (see `main`).
    println!("warm-up: {} messages through the broker", messages / 2);
    end_to_end(&bootstrap, &producer, &pages, messages / 2, &Arm::current()).await;
    match base {
        Some(base) => compare::versions(&bootstrap, &producer, &pages, messages, pairs, base).await,
        None => compare::export(&bootstrap, &producer, &pages, messages, pairs).await,
    }
}
