//! Benchmark (not a test) of the lookup store alone, on the dev corpus's
//! articles: bytes per article in the store file against their protobuf
//! size and a store of plain protobuf records (the earlier format), and the
//! CPU time of a GetArticle's read (FULL and BASIC) against the plain read.
//! No broker: the articles are applied as the materialiser applies them.
//! With `generated N`, N generated articles shaped like the corpus's
//! (bench-lookup's generator) instead: the store at scale, its write rate,
//! RSS, and the wall-clock latency of reads by id and by URL.
//!
//! `cargo run --release -p copydesk-integration --bin bench-store -- [ROUNDS | generated N]`

use copydesk_extract::Hints;
use copydesk_lookup::store::{Batch, Change, Part, Store};
use copydesk_proto::v1::Article;
use prost::Message;
use rayon::prelude::*;
use redb::{ReadableDatabase, TableDefinition};

/// bench-lookup's article generator; the benchmark uses part of it.
#[allow(dead_code)]
#[path = "bench-lookup/generate.rs"]
mod generate;

/// The materialiser's default batch.
const BATCH: usize = 1000;
/// The earlier format's articles table: id -> the protobuf as read from Kafka.
const PLAIN: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("articles");

fn file_bytes(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The seconds of CPU this process has used (user + system).
fn cpu_secs() -> f64 {
    copydesk_integration::cpu::own_seconds(std::process::id()).unwrap_or(f64::NAN)
}

/// CPU microseconds per call of `read` over every id, `rounds` times.
fn per_call(ids: &[String], rounds: usize, mut read: impl FnMut(&str)) -> f64 {
    // CPU time, not wall time: the machine is shared. Its ticks are 10 ms,
    // so the rounds should add up to seconds.
    let before = cpu_secs();
    for _ in 0..rounds {
        for id in ids {
            read(id);
        }
    }
    let calls = (ids.len() * rounds) as f64;
    (cpu_secs() - before) * 1e6 / calls
}

/// `VmRSS` and `VmHWM` (the peak) of this process, in MiB.
fn rss_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        let line = status.lines().find(|l| l.starts_with(key)).unwrap_or("");
        line.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
    };
    (kib("VmRSS:") / 1024, kib("VmHWM:") / 1024)
}

/// The topic's bytes estimated as the broker keeps them, for comparing the
/// store with: each article a Kafka record (v2: its framing varints, the
/// id as key, the value, the headers bench-lookup publishes with), records
/// in batches of up to 1 MB (librdkafka's `batch.size`; a 61-byte batch
/// header each), each batch's records LZ4 in independent 64 KiB blocks as
/// librdkafka's LZ4 frames are (the frame's own few bytes left out).
#[derive(Default)]
struct TopicEstimate {
    bytes: u64,
    batch: Vec<u8>,
    offset: u64,
}

impl TopicEstimate {
    fn add(&mut self, article: &Article) {
        let value = article.encode_to_vec();
        let source = format!("bench-snapshots/0/{}", self.offset);
        let headers: [(&str, &[u8]); 2] = [
            ("content-type", b"application/x-protobuf; messageType=copydesk.v1.Article"),
            ("copydesk-source", source.as_bytes()),
        ];
        let mut body = vec![0u8]; // attributes
        let zigzag = |n: i64| ((n << 1) ^ (n >> 63)) as u64;
        prost::encoding::encode_varint(0, &mut body); // timestamp delta
        prost::encoding::encode_varint(zigzag(self.offset as i64 % 1000), &mut body); // offset delta
        for field in [article.id.as_bytes(), value.as_slice()] {
            prost::encoding::encode_varint(zigzag(field.len() as i64), &mut body);
            body.extend_from_slice(field);
        }
        prost::encoding::encode_varint(zigzag(headers.len() as i64), &mut body);
        for (key, value) in headers {
            for field in [key.as_bytes(), value] {
                prost::encoding::encode_varint(zigzag(field.len() as i64), &mut body);
                body.extend_from_slice(field);
            }
        }
        if self.batch.len() + body.len() > 1_000_000 {
            self.flush();
        }
        prost::encoding::encode_varint(zigzag(body.len() as i64), &mut self.batch);
        self.batch.extend_from_slice(&body);
        self.offset += 1;
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let blocks: usize = self.batch.chunks(64 << 10).map(|b| lz4_flex::block::compress(b).len() + 4).sum();
            self.bytes += 61 + blocks as u64;
            self.batch.clear();
        }
    }

    fn total(mut self) -> u64 {
        self.flush();
        self.bytes
    }
}

/// The file's bytes on disk: redb grows its file sparsely, so its length
/// counts bytes never written.
fn disk_bytes(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).map_or(0, |m| m.blocks() * 512)
}

/// p50 and p99 of `samples`, in microseconds.
fn percentiles(mut samples: Vec<std::time::Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let at = |q: usize| samples[(samples.len() - 1) * q / 100].as_secs_f64() * 1e6;
    (at(50), at(99))
}

/// `n` generated articles applied in batches, with figures every tenth.
fn generated(n: u64) {
    use generate::{Generator, Rng, article_id};
    let generator = Generator::new(generate::corpus_articles());
    let dir = std::env::temp_dir().join(format!("bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let path = dir.join("store.redb");
    let mut store = Store::open(&path, "articles").expect("open the store");
    let (started, cpu_start) = (std::time::Instant::now(), cpu_secs());
    let (mut done, mut encoded, mut apply_secs) = (0u64, 0u64, 0.0);
    let mut topic = TopicEstimate::default();
    let report_every = (n / 10).max(BATCH as u64);
    while done < n {
        let upto = (done + BATCH as u64).min(n);
        let articles: Vec<Article> = (done..upto).into_par_iter().map(|i| generator.article(i)).collect();
        encoded += articles.iter().map(|a| a.encoded_len() as u64).sum::<u64>();
        articles.iter().for_each(|a| topic.add(a));
        let changes = articles.into_iter().map(|a| Change::Upsert { id: a.id.clone(), article: Box::new(a) }).collect();
        let batch = Batch { changes, offsets: [(0, upto as i64)].into_iter().collect(), traces: Vec::new() };
        let applying = std::time::Instant::now();
        store.apply(&batch).expect("apply");
        apply_secs += applying.elapsed().as_secs_f64();
        done = upto;
        if done % report_every == 0 || done == n {
            let (rss, peak) = rss_mib();
            println!(
                "{done} articles: protobuf {:.0} B/article; store file {:.0} B/article; applied {:.0} articles/s (store.apply alone {:.0}/s), {:.0} s, {:.1} CPU s; RSS {rss} MiB (peak {peak})",
                encoded as f64 / done as f64,
                file_bytes(&path) as f64 / done as f64,
                done as f64 / started.elapsed().as_secs_f64(),
                done as f64 / apply_secs,
                started.elapsed().as_secs_f64(),
                cpu_secs() - cpu_start,
            );
        }
    }
    println!("store space: {}", store.space().expect("stats"));
    let per = |bytes: u64| bytes as f64 / n as f64;
    let space = store.file_space().expect("the file's space");
    let before = (space.file_bytes, disk_bytes(&path));
    println!(
        "per article: topic (estimate: records, 1 MB batches, LZ4 64 KiB blocks) {:.0} B; store pages allocated {:.0} B, file {:.0} B, on disk {:.0} B",
        per(topic.total()),
        per(space.allocated_bytes),
        per(before.0),
        per(before.1)
    );
    let compacting = std::time::Instant::now();
    let (_, after) = store.compact().expect("compact");
    println!(
        "compacted in {:.1} s: file {:.0} B/article (was {:.0}), on disk {:.0} (was {:.0}), pages allocated {:.0}",
        compacting.elapsed().as_secs_f64(),
        per(after.file_bytes),
        per(before.0),
        per(disk_bytes(&path)),
        per(before.1),
        per(after.allocated_bytes)
    );
    // Reads of random articles, each timed: a cold file is the page cache's
    // (the store's own cache is 64 MiB), as in serve.
    let mut rng = Rng::new(7);
    let sample: Vec<u64> = (0..20_000).map(|_| rng.next() % n).collect();
    let urls: Vec<String> = sample.par_iter().map(|&i| generator.article(i).canonical_url).collect();
    let timed = |read: &dyn Fn(usize)| -> Vec<std::time::Duration> {
        (0..sample.len())
            .map(|k| {
                let t = std::time::Instant::now();
                read(k);
                t.elapsed()
            })
            .collect()
    };
    let get = percentiles(timed(&|k| {
        let id = article_id(sample[k]);
        assert!(store.get_part_within(&[&id], Part::Whole, |_| Ok(())).expect("get")[0].is_some(), "stored");
    }));
    let basic = percentiles(timed(&|k| {
        let id = article_id(sample[k]);
        store.get_part_within(&[&id], Part::Head, |_| Ok(())).expect("get");
    }));
    let lookup = percentiles(timed(&|k| {
        assert!(store.find_url(&urls[k]).expect("find").is_some(), "found by URL");
    }));
    let (rss, peak) = rss_mib();
    println!(
        "reads of {} random articles, wall clock in this process: Get FULL p50 {:.0} us p99 {:.0} us; Get BASIC p50 {:.0} us p99 {:.0} us; Lookup by URL p50 {:.0} us p99 {:.0} us; RSS {rss} MiB (peak {peak})",
        sample.len(),
        get.0,
        get.1,
        basic.0,
        basic.1,
        lookup.0,
        lookup.1
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("generated") {
        let n = std::env::args().nth(2).map_or(1_000_000, |a| a.parse().expect("a number"));
        return generated(n);
    }
    let rounds: usize = std::env::args().nth(1).map_or(200, |a| a.parse().expect("a number"));
    let inputs = copydesk_integration::corpus_inputs();
    let mut articles: Vec<Article> = inputs
        .par_iter()
        .filter_map(|(_, bytes)| copydesk_extract::extract(bytes, &Hints::default()).ok())
        .map(|e| e.article)
        .filter(|a| !a.id.is_empty())
        .collect();
    // In the corpus's order, as a replay publishes them: the topic's order,
    // which is not the ids' (hashes). Applied in id order, every B-tree leaf
    // split would leave a half-full page behind.
    let mut seen = std::collections::HashSet::new();
    articles.retain(|a| seen.insert(a.id.clone()));
    let n = articles.len() as u64;
    let encoded: u64 = articles.iter().map(|a| a.encoded_len() as u64).sum();
    println!("bench-store: {n} dev corpus articles, protobuf {:.0} bytes/article", encoded as f64 / n as f64);
    let mut sizes: Vec<usize> = articles.iter().map(|a| a.encoded_len()).collect();
    sizes.sort_unstable();
    let at = |q: usize| sizes[(sizes.len() - 1) * q / 100];
    println!("protobuf sizes: p10 {} p50 {} p90 {} p99 {} max {}", at(10), at(50), at(90), at(99), at(100));

    let dir = std::env::temp_dir().join(format!("bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let (new_path, plain_path) = (dir.join("store.redb"), dir.join("plain.redb"));

    let store = Store::open(&new_path, "articles").expect("open the store");
    for (i, chunk) in articles.chunks(BATCH).enumerate() {
        let changes = chunk.iter().map(|a| Change::Upsert { id: a.id.clone(), article: Box::new(a.clone()) }).collect();
        let offsets = [(0, ((i + 1) * BATCH) as i64)].into_iter().collect();
        store.apply(&Batch { changes, offsets, traces: Vec::new() }).expect("apply");
    }
    let plain = redb::Database::create(&plain_path).expect("plain store");
    for chunk in articles.chunks(BATCH) {
        let txn = plain.begin_write().expect("write");
        {
            let mut table = txn.open_table(PLAIN).expect("table");
            for a in chunk {
                table.insert(a.id.as_str(), a.encode_to_vec().as_slice()).expect("insert");
            }
        }
        txn.commit().expect("commit");
    }
    let (new_bytes, plain_bytes) = (file_bytes(&new_path), file_bytes(&plain_path));
    println!(
        "store file: {:.0} bytes/article ({:.2} MB); plain protobuf records alone (the earlier format's articles table): {:.0} bytes/article ({:.2} MB)",
        new_bytes as f64 / n as f64,
        new_bytes as f64 / 1e6,
        plain_bytes as f64 / n as f64,
        plain_bytes as f64 / 1e6
    );

    println!("store space: {}", store.space().expect("stats"));
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let full = per_call(&ids, rounds, |id| {
        store.get_part_within(&[id], Part::Whole, |_| Ok(())).expect("get");
    });
    let basic = per_call(&ids, rounds, |id| {
        store.get_part_within(&[id], Part::Head, |_| Ok(())).expect("get");
    });
    let txn = plain.begin_read().expect("read");
    let table = txn.open_table(PLAIN).expect("table");
    let plain_get = per_call(&ids, rounds, |id| {
        let bytes = table.get(id).expect("get").expect("stored");
        Article::decode(bytes.value()).expect("decode");
    });
    println!(
        "read one article, CPU per call over {rounds} rounds: FULL {full:.1} us, BASIC {basic:.1} us; plain protobuf record {plain_get:.1} us"
    );
    drop((table, txn, plain, store));
    let _ = std::fs::remove_dir_all(&dir);
}
