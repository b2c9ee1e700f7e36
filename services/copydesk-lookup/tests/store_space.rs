//! A measurement, not a test (ignored; it asserts no figure): the store's
//! bytes per article on real articles, against their records' bytes and
//! an LZ4 estimate of the topic's, and the wall time of GetArticle's read
//! of one (whole and head), for comparing store formats. It uses the
//! store's public API only, so the same file runs on an earlier version.
//!
//! `COPYDESK_ARTICLES_PB=articles.pb cargo test --release -p copydesk-lookup --test store_space -- --ignored --nocapture`
//! with length-delimited `Article`s (`copydesk extract --format proto`);
//! `COPYDESK_COPIES` (default 40) copies of each, under other ids, make
//! the store large enough for redb's layout to show.

use std::time::{Duration, Instant};

use copydesk_lookup::store::{Batch, Change, Found, Part, Store};
use copydesk_proto::v1::Article;
use prost::Message;

/// The materialiser's default batch.
const BATCH: usize = 1000;

/// The articles of the file, each once.
fn articles(path: &str) -> Vec<Article> {
    let bytes = std::fs::read(path).expect("the articles file");
    let mut rest = bytes.as_slice();
    let mut out = Vec::new();
    while !rest.is_empty() {
        out.push(Article::decode_length_delimited(&mut rest).expect("a length-delimited Article"));
    }
    out.retain(|a| !a.text.is_empty());
    out
}

/// A 32-hex-digit id like ingest's, different for each `i`.
fn id_of(i: u64) -> String {
    let mix = |x: u64| (x ^ (x >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!("{:016x}{:016x}", mix(i.wrapping_add(1)), mix(mix(i.wrapping_add(7))))
}

/// An LZ4 estimate of the topic's bytes: the protobufs compressed in
/// batches of up to 1 MB, as the producer batches them (keys, headers and
/// the batches' own framing not counted).
fn topic_estimate(articles: &[Article]) -> usize {
    let (mut total, mut batch) = (0, Vec::new());
    for a in articles {
        a.encode_length_delimited(&mut batch).expect("into a Vec");
        if batch.len() >= 1_000_000 {
            total += lz4_flex::block::compress(&batch).len();
            batch.clear();
        }
    }
    total + lz4_flex::block::compress(&batch).len()
}

/// The median and mean of `samples`, in microseconds.
fn summary(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let mean = samples.iter().sum::<Duration>().as_secs_f64() / samples.len() as f64;
    (samples[samples.len() / 2].as_secs_f64() * 1e6, mean * 1e6)
}

#[test]
#[ignore = "a measurement: needs COPYDESK_ARTICLES_PB"]
fn store_bytes_per_article() {
    let Ok(path) = std::env::var("COPYDESK_ARTICLES_PB") else {
        eprintln!("COPYDESK_ARTICLES_PB is not set: nothing measured");
        return;
    };
    let copies: u64 = std::env::var("COPYDESK_COPIES").ok().and_then(|c| c.parse().ok()).unwrap_or(40);
    let corpus = articles(&path);
    let protobuf: usize = corpus.iter().map(Message::encoded_len).sum();
    let n = corpus.len() as f64;
    eprintln!(
        "{} articles: protobuf {:.0} bytes each, topic (LZ4 estimate) {:.0}",
        corpus.len(),
        protobuf as f64 / n,
        topic_estimate(&corpus) as f64 / n
    );

    let file = std::env::temp_dir().join(format!("copydesk-store-space-{}.redb", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let mut store = Store::open(&file, "articles").expect("a store");
    let mut ids = Vec::new();
    let mut offset = 0;
    // Copy after copy, so that a batch holds different articles.
    let all = (0..copies).flat_map(|copy| corpus.iter().enumerate().map(move |(i, a)| (copy, i, a)));
    let all: Vec<(u64, usize, &Article)> = all.collect();
    for chunk in all.chunks(BATCH) {
        let mut changes = Vec::with_capacity(chunk.len());
        for &(copy, i, a) in chunk {
            let id = id_of(copy * corpus.len() as u64 + i as u64);
            let url = format!("{}#copy{copy}", a.url);
            let article = Article { id: id.clone(), url, canonical_url: String::new(), ..a.clone() };
            ids.push(id.clone());
            changes.push(Change::Upsert { id, article: Box::new(article) });
        }
        offset += chunk.len() as i64;
        let batch = Batch { changes, offsets: [(0, offset)].into_iter().collect(), traces: Vec::new() };
        store.apply(&batch).expect("a batch");
    }
    let stored = ids.len() as f64;
    let file_bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
    // redb grows its file sparsely: what was never written takes no blocks.
    let disk_bytes = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(&file).map_or(0, |m| m.blocks() * 512)
    };
    eprintln!(
        "{} articles stored: file {:.0} bytes each, {:.0} on disk",
        ids.len(),
        file_bytes as f64 / stored,
        disk_bytes as f64 / stored
    );
    eprintln!("{}", store.space().expect("the store's space"));
    let (before, after) = store.compact().expect("a compaction");
    eprintln!(
        "pages allocated {:.0} bytes each; compacted: file {:.0} bytes each (was {:.0})",
        before.allocated_bytes as f64 / stored,
        after.file_bytes as f64 / stored,
        before.file_bytes as f64 / stored
    );

    // Every article read whole and as its head, five rounds, one call a sample.
    for part in [Part::Whole, Part::Head] {
        let mut samples = Vec::with_capacity(ids.len() * 5);
        for _ in 0..5 {
            for id in &ids {
                let start = Instant::now();
                let found = store.get_encoded_within(id, part, usize::MAX, |_| Ok(())).expect("a read");
                samples.push(start.elapsed());
                assert!(matches!(found, Found::Bytes(_)));
            }
        }
        let (median, mean) = summary(samples);
        eprintln!("get_encoded {part:?}: median {median:.1} us, mean {mean:.1} us");
    }
    drop(store);
    let _ = std::fs::remove_file(&file);
}
