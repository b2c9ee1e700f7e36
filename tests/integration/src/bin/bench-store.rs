//! Benchmark (not a test) of the lookup store alone, on the dev corpus's
//! articles: bytes per article in the store file against their protobuf
//! size and a store of plain protobuf records (the earlier format), and the
//! CPU time of a GetArticle's read (FULL and BASIC) against the plain read.
//! No broker: the articles are applied as the materialiser applies them.
//!
//! `cargo run --release -p copydesk-integration --bin bench-store -- [ROUNDS]`

use copydesk_extract::Hints;
use copydesk_lookup::store::{Batch, Change, Part, Store};
use copydesk_proto::v1::Article;
use prost::Message;
use rayon::prelude::*;
use redb::{ReadableDatabase, TableDefinition};

/// The materialiser's default batch.
const BATCH: usize = 1000;
/// The earlier format's articles table: id -> the protobuf as read from Kafka.
const PLAIN: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("articles");

fn file_bytes(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The seconds of CPU this process has used (user + system).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(11) + ticks(12)) / 100.0
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

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(200, |a| a.parse().expect("a number"));
    let inputs = copydesk_integration::corpus_inputs();
    let mut articles: Vec<Article> = inputs
        .par_iter()
        .filter_map(|(_, bytes)| copydesk_extract::extract(bytes, &Hints::default()).ok())
        .map(|e| e.article)
        .filter(|a| !a.id.is_empty())
        .collect();
    articles.sort_by(|a, b| a.id.cmp(&b.id));
    articles.dedup_by(|a, b| a.id == b.id);
    let n = articles.len() as u64;
    let encoded: u64 = articles.iter().map(|a| a.encoded_len() as u64).sum();
    println!("bench-store: {n} dev corpus articles, protobuf {:.0} bytes/article", encoded as f64 / n as f64);

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
