//! Benchmark (not a test) of the lookup service: a real broker, an articles
//! topic filled with generated articles, `copydesk serve` catching up from
//! it (rate, store bytes per article against the topic's, RSS), then ghz in
//! a process of its own against serve (GetArticle, LookupArticle, health
//! Check) and against a no-op tonic server of the same settings in the same
//! run (an empty Check, and a GetArticle answering the same articles'
//! bytes from memory, so that ghz decodes the same on both sides), at the
//! maximum rate and at 80% of each no-op's. Prints a report, with each
//! side's CPU per call, which the shared machine's load changes far less
//! than QPS. `BENCH_LOOKUP_CLIENT=lean` drives the runs with `grpc-load`
//! (this crate's lean generator, also a process of its own) instead of ghz.
//!
//! `cargo run --release -p copydesk-integration --bin bench-lookup -- [ARTICLES] [SECS] [ROUNDS]`
//! (after `cargo build --release --workspace --bin copydesk --bin grpc-load` and `scripts/go-tools.sh ghz`; `make bench-lookup` does all three).

mod fill;
mod generate;
mod ghz;
mod lean;
mod noop;
mod pin;
mod served;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use copydesk_integration::{KafkaBroker, LookupProcess, StorePath, create_topic, unique};
use copydesk_proto::v1::{GetArticleRequest, LookupArticleRequest};
use tokio_util::sync::CancellationToken;
use tonic_health::pb::HealthCheckRequest;

use crate::generate::{Generator, Rng, article_id};
use crate::ghz::Outcome;

/// ghz's shape of load: two HTTP/2 connections (as a pair of client
/// replicas would hold), 50 calls in flight over them.
const CONNECTIONS: u32 = 2;
const CONCURRENCY: u32 = 50;

/// Requests each data file holds, sent round robin.
const REQUESTS: usize = 1000;

const CHECK: &str = "grpc.health.v1.Health/Check";
const GET: &str = "copydesk.v1.ArticleService/GetArticle";
const LOOKUP: &str = "copydesk.v1.ArticleService/LookupArticle";

/// The utime + stime of a process, in seconds.
fn cpu_secs(pid: u32) -> f64 {
    copydesk_integration::cpu::own_seconds(pid).unwrap_or(f64::NAN)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The load average now, to say how busy the shared machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `REQUESTS` article numbers (of `n`) a data file asks for, the same in every run.
fn sample(name: &str, n: u64) -> Vec<u64> {
    let mut rng = Rng::new(0xBE7C_4000 ^ name.len() as u64);
    (0..REQUESTS).map(|_| rng.below(n as usize) as u64).collect()
}

/// Writes the `REQUESTS` requests `one` builds from [`sample`]'s article
/// numbers twice: a JSON array for ghz (the returned path) and the same
/// messages length-delimited beside it for `grpc-load`.
fn data_file<M: prost::Message>(
    dir: &Path,
    name: &str,
    n: u64,
    one: impl Fn(u64) -> (serde_json::Value, M),
) -> PathBuf {
    let (json, messages): (Vec<serde_json::Value>, Vec<M>) = sample(name, n).into_iter().map(one).unzip();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec(&json).expect("JSON")).expect("write a ghz data file");
    let bytes: Vec<u8> = messages.iter().flat_map(prost::Message::encode_length_delimited_to_vec).collect();
    std::fs::write(lean::requests_of(&path), bytes).expect("write a grpc-load data file");
    path
}

/// The load generator the runs use.
enum Client {
    Ghz(PathBuf),
    Lean(PathBuf),
}

impl Client {
    /// ghz unless `BENCH_LOOKUP_CLIENT=lean`; `None` (with a message) when it was not built.
    fn from_env() -> Option<Client> {
        match std::env::var("BENCH_LOOKUP_CLIENT").as_deref() {
            Ok("lean") => {
                let found = lean::find().map(Client::Lean);
                if found.is_none() {
                    eprintln!("bench-lookup: no grpc-load beside this binary; build it with `--bin grpc-load`");
                }
                found
            }
            Ok("ghz") | Err(_) => {
                let found = ghz::find().map(Client::Ghz);
                if found.is_none() {
                    eprintln!("bench-lookup: no ghz in {}; build it with scripts/go-tools.sh", ghz::go_bin().display());
                }
                found
            }
            Ok(other) => {
                eprintln!("bench-lookup: BENCH_LOOKUP_CLIENT={other}: want ghz or lean");
                None
            }
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Client::Ghz(_) => "ghz",
            Client::Lean(_) => "grpc-load",
        }
    }

    fn run(&self, run: &ghz::Run<'_>) -> Outcome {
        match self {
            Client::Ghz(program) => ghz::run(program, run),
            Client::Lean(program) => lean::run(program, run),
        }
    }
}

struct Target<'a> {
    name: &'a str,
    addr: SocketAddr,
    pid: u32,
    call: &'a str,
    data: &'a Path,
    /// serve's metrics endpoint and the method's label, to read the calls'
    /// time inside serve; `None` for the no-op.
    served: Option<(SocketAddr, &'a str)>,
}

fn load(client: &Client, target: &Target<'_>, secs: u32, rps: Option<u32>) -> Outcome {
    let before = cpu_secs(target.pid);
    let pinned = pin::from_env();
    let run = ghz::Run {
        cpus: pinned.as_ref().map(|p| p.client.as_str()),
        addr: target.addr,
        call: target.call,
        data_file: target.data,
        connections: CONNECTIONS,
        concurrency: CONCURRENCY,
        secs,
        rps,
    };
    let served_before = target.served.map(|(addr, method)| served::scrape(addr, method));
    let mut outcome = client.run(&run);
    outcome.server_cpu_s = cpu_secs(target.pid) - before;
    if let (Some((addr, method)), Some(before)) = (target.served, served_before) {
        outcome.served_p99_ms = served::scrape(addr, method).quantile_since(&before, 0.99);
    }
    let rate = rps.map_or("max".to_string(), |r| format!("{r}/s"));
    println!("  {:<28} {rate:>7}: {outcome}   [load {}]", target.name, load_average());
    outcome
}

fn arg(n: usize, default: u64) -> u64 {
    std::env::args().nth(n).map_or(default, |a| a.parse().expect("a number"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (articles, secs, rounds) = (arg(1, 100_000), arg(2, 10) as u32, arg(3, 2));
    let Some(client) = Client::from_env() else { std::process::exit(2) };
    println!(
        "bench-lookup: {articles} articles, {secs} s per load run, {rounds} rounds, load by {}; load average {}",
        client.name(),
        load_average()
    );

    let generator = Generator::new(generate::corpus_articles());
    let mut corpus_sizes: Vec<usize> = generator.shapes().iter().map(prost::Message::encoded_len).collect();
    corpus_sizes.sort_unstable();
    println!("corpus: {} articles, median {} bytes encoded", corpus_sizes.len(), corpus_sizes[corpus_sizes.len() / 2]);

    let broker = KafkaBroker::start().await;
    let bootstrap = broker.bootstrap();
    let topic = unique("bench-articles");
    // As `copydesk ingest --create-topics` makes it: 6 partitions, compacted.
    create_topic(&bootstrap, &topic, 6, &[("cleanup.policy", "compact")]).await;
    let mut filled = fill::publish(&bootstrap, &topic, &generator, articles).await;
    filled.sizes.sort_unstable();
    let log_bytes = fill::topic_log_bytes(&broker, &topic);
    println!(
        "topic: {articles} articles published in {:.1} s ({:.0}/s); encoded median {} bytes, mean {:.0}; on the broker's disk {:.1} MB = {:.0} bytes/article (lz4)",
        filled.secs,
        articles as f64 / filled.secs,
        filled.sizes[filled.sizes.len() / 2],
        filled.value_bytes as f64 / articles as f64,
        log_bytes as f64 / 1e6,
        log_bytes as f64 / articles as f64
    );

    let store = StorePath::new();
    let started = Instant::now();
    let serve = LookupProcess::spawn(&bootstrap, &topic, store.path(), &[]);
    assert!(serve.wait_serving(Duration::from_secs(3600)).await, "serve did not catch up within an hour");
    let catch_up = started.elapsed().as_secs_f64();
    let store_meta = std::fs::metadata(store.path()).expect("the store file");
    let store_disk = {
        use std::os::unix::fs::MetadataExt;
        store_meta.blocks() * 512
    };
    println!(
        "serve: caught up in {catch_up:.1} s = {:.0} articles/s (process start included); store file {:.1} MB = {:.0} bytes/article ({:.0} on disk), {:.2}x the topic's; RSS {:.0} MiB (peak {:.0} MiB)",
        articles as f64 / catch_up,
        store_meta.len() as f64 / 1e6,
        store_meta.len() as f64 / articles as f64,
        store_disk as f64 / articles as f64,
        store_meta.len() as f64 / log_bytes as f64,
        serve.memory("VmRSS") as f64 / (1 << 20) as f64,
        serve.memory("VmHWM") as f64 / (1 << 20) as f64
    );

    // Pinned after the catch-up, which is measured as serve runs anywhere.
    if let Some(pinned) = pin::from_env() {
        pin::process(serve.pid(), &pinned.server);
        pin::process(std::process::id(), &pinned.server);
        println!("pinned: serve and the no-op on CPUs {}, ghz on CPUs {}", pinned.server, pinned.client);
    }
    let dir = std::env::temp_dir().join(unique("bench-lookup"));
    std::fs::create_dir_all(&dir).expect("a data folder");
    let check_data = data_file(&dir, "check", 1, |_| {
        (serde_json::json!({ "service": "" }), HealthCheckRequest { service: String::new() })
    });
    let get_data = data_file(&dir, "get", articles, |i| {
        (serde_json::json!({ "id": article_id(i) }), GetArticleRequest { id: article_id(i), ..Default::default() })
    });
    let lookup_data = data_file(&dir, "lookup", articles, |i| {
        let url = generator.article(i).url;
        (serde_json::json!({ "url": url }), LookupArticleRequest { url, ..Default::default() })
    });
    // The no-op's GetArticle answers the same articles, encoded as the topic holds them.
    let noop_articles = sample("get", articles)
        .into_iter()
        .map(|i| (article_id(i), prost::Message::encode_to_vec(&generator.article(i))))
        .collect();
    let stop = CancellationToken::new();
    let noop_addr = noop::spawn(stop.clone(), noop_articles);
    let me = std::process::id();
    let noop =
        Target { name: "no-op Health/Check", addr: noop_addr, pid: me, call: CHECK, data: &check_data, served: None };
    let noop_get =
        Target { name: "no-op GetArticle (bytes)", addr: noop_addr, pid: me, call: GET, data: &get_data, served: None };
    let (addr, pid, metrics) = (serve.addr, serve.pid(), serve.metrics_addr);
    let get =
        Target { name: "serve GetArticle", addr, pid, call: GET, data: &get_data, served: Some((metrics, "Get")) };
    let lookup = Target {
        name: "serve LookupArticle",
        addr,
        pid,
        call: LOOKUP,
        data: &lookup_data,
        served: Some((metrics, "Lookup")),
    };
    let check = Target { name: "serve Health/Check", addr, pid, call: CHECK, data: &check_data, served: None };

    println!("load at the maximum rate, sides interleaved ({CONNECTIONS} connections, {CONCURRENCY} in flight):");
    let (mut noop_max, mut get_max, mut lookup_max, mut check_max) = (vec![], vec![], vec![], vec![]);
    let mut noop_get_max = vec![];
    for _ in 0..rounds {
        noop_max.push(load(&client, &noop, secs, None));
        noop_get_max.push(load(&client, &noop_get, secs, None));
        get_max.push(load(&client, &get, secs, None));
        check_max.push(load(&client, &check, secs, None));
        lookup_max.push(load(&client, &lookup, secs, None));
    }
    let rps = |o: &[Outcome]| median(&o.iter().map(|o| o.rps).collect::<Vec<_>>());
    let target_rate = (0.8 * rps(&noop_max)).round() as u32;
    println!("load at 80% of the no-op's maximum ({target_rate}/s):");
    let (mut noop_80, mut get_80, mut lookup_80) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        noop_80.push(load(&client, &noop, secs, Some(target_rate)));
        get_80.push(load(&client, &get, secs, Some(target_rate)));
        lookup_80.push(load(&client, &lookup, secs, Some(target_rate)));
    }
    let article_rate = (0.8 * rps(&noop_get_max)).round() as u32;
    println!("load at 80% of the no-op GetArticle's maximum ({article_rate}/s):");
    let (mut noop_get_80, mut get_80_article) = (vec![], vec![]);
    for _ in 0..rounds {
        noop_get_80.push(load(&client, &noop_get, secs, Some(article_rate)));
        get_80_article.push(load(&client, &get, secs, Some(article_rate)));
    }
    let p99 = |o: &[Outcome]| median(&o.iter().map(|o| o.p99_ms).collect::<Vec<_>>());
    let p50 = |o: &[Outcome]| median(&o.iter().map(|o| o.p50_ms).collect::<Vec<_>>());
    println!("summary (medians over {rounds} rounds):");
    println!(
        "  max rate: no-op {:.0} QPS (p99 {:.2} ms); GetArticle {:.0} QPS = {:.0}% of the no-op (target >= 80%), p50 {:.2} ms, p99 {:.2} ms; LookupArticle {:.0} QPS, p99 {:.2} ms; serve's Health/Check {:.0} QPS, p99 {:.2} ms",
        rps(&noop_max),
        p99(&noop_max),
        rps(&get_max),
        100.0 * rps(&get_max) / rps(&noop_max),
        p50(&get_max),
        p99(&get_max),
        rps(&lookup_max),
        p99(&lookup_max),
        rps(&check_max),
        p99(&check_max)
    );
    println!(
        "  at {target_rate}/s: no-op p99 {:.2} ms; GetArticle p99 {:.2} ms (target <= 5 ms), reached {:.0}/s; LookupArticle p99 {:.2} ms, reached {:.0}/s",
        p99(&noop_80),
        p99(&get_80),
        rps(&get_80),
        p99(&lookup_80),
        rps(&lookup_80)
    );
    println!(
        "  max rate against the no-op GetArticle (same bytes, {:.0} QPS, p99 {:.2} ms): GetArticle {:.0}% of it (target >= 80%); at {article_rate}/s: no-op p99 {:.2} ms, GetArticle p99 {:.2} ms (target <= 5 ms; inside serve <= {:.2} ms), reached {:.0}/s",
        rps(&noop_get_max),
        p99(&noop_get_max),
        100.0 * rps(&get_max) / rps(&noop_get_max),
        p99(&noop_get_80),
        p99(&get_80_article),
        median(&get_80_article.iter().map(|o| o.served_p99_ms).collect::<Vec<_>>()),
        rps(&get_80_article)
    );
    // Per call, at the maximum rate: what load changes least.
    let us = |o: &[Outcome], cpu: fn(&Outcome) -> f64| {
        median(&o.iter().map(|o| 1e6 * cpu(o) / o.count.max(1) as f64).collect::<Vec<_>>())
    };
    let server: fn(&Outcome) -> f64 = |o| o.server_cpu_s;
    let client_cpu: fn(&Outcome) -> f64 = |o| o.client_cpu_s;
    for (name, o) in [
        ("no-op Check", &noop_max),
        ("no-op GetArticle", &noop_get_max),
        ("serve GetArticle", &get_max),
        ("serve LookupArticle", &lookup_max),
        ("serve Check", &check_max),
    ] {
        println!(
            "  CPU per call, {name:<20} server {:>6.1} us, {} {:>6.1} us",
            us(o, server),
            client.name(),
            us(o, client_cpu)
        );
    }
    println!(
        "  serve after the load: RSS {:.0} MiB (peak {:.0} MiB); load average {}",
        serve.memory("VmRSS") as f64 / (1 << 20) as f64,
        serve.memory("VmHWM") as f64 / (1 << 20) as f64,
        load_average()
    );
    stop.cancel();
    drop(serve);
    let _ = std::fs::remove_dir_all(&dir);
}
