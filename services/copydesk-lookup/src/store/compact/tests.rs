//! Tests of compaction: the file given back shrinks and never grows, every
//! article (and its offsets) reads the same after it, through a reopen too,
//! and opening compacts only a file whose free share is over the bar.

use copydesk_proto::v1::Article;

use super::*;
use crate::store::tests::{Temp, article, batch, upsert};
use crate::store::{Change, Store};

/// Text of `words` words that deflate does not shrink to nothing: each
/// article's words differ (a small generator seeded by `seed`).
fn text(seed: u64, words: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = String::new();
    for _ in 0..words {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(&format!("w{:x} ", x % 50_000));
    }
    out
}

/// Article `i`, its body `words` words long.
fn numbered(i: u64, words: usize) -> Article {
    let id = format!("{:032x}", i.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let url = format!("https://site{}.example/{i}", i % 7);
    Article { text: text(i + 1, words), ..article(&id, &format!("site{}.example", i % 7), &url, "") }
}

/// A store of 600 articles, a third replaced by longer captures and a
/// sixth deleted: pages freed inside the file. The articles it holds.
fn churned(store: &Store) -> Vec<Article> {
    let mut held: Vec<Article> = (0..600).map(|i| numbered(i, 200 + (i as usize * 37) % 1500)).collect();
    for (n, chunk) in held.chunks(100).enumerate() {
        store.apply(&batch(chunk.iter().map(upsert).collect(), &[(0, 100 * n as i64 + 100)])).unwrap();
    }
    let mut changes = Vec::new();
    for (i, a) in held.iter_mut().enumerate() {
        if i % 3 == 0 {
            *a = Article { text: text(i as u64 + 9_000, 1_800), ..a.clone() };
            changes.push(upsert(a));
        } else if i % 6 == 1 {
            changes.push(Change::Delete { id: a.id.clone() });
        }
    }
    store.apply(&batch(changes, &[(0, 700)])).unwrap();
    held.into_iter().enumerate().filter(|(i, _)| i % 6 != 1).map(|(_, a)| a).collect()
}

fn assert_all_read(store: &Store, held: &[Article]) {
    assert_eq!(store.len().unwrap(), held.len() as u64);
    for a in held {
        assert_eq!(store.get(&a.id).unwrap().as_ref(), Some(a), "{}", a.id);
        assert_eq!(store.find_url(&a.url).unwrap().map(|f| f.id), Some(a.id.clone()));
    }
}

#[test]
fn compaction_shrinks_the_file_and_every_article_reads_the_same() {
    let t = Temp::new();
    let mut store = t.open();
    let held = churned(&store);
    let before = store.file_space().unwrap();
    assert!(before.free_bytes() > 0, "the churn left no free space: {before:?}");
    let (reported, after) = store.compact().unwrap();
    assert_eq!(reported, before);
    assert!(after.file_bytes < before.file_bytes, "{before:?} -> {after:?}");
    assert_eq!(after.file_bytes, std::fs::metadata(&t.path).unwrap().len());
    assert!(after.allocated_bytes <= before.allocated_bytes, "{before:?} -> {after:?}");
    assert_all_read(&store, &held);
    assert_eq!(store.offsets().unwrap().get(&0), Some(&700));
    // Written to again, and read again after a reopen.
    let next = numbered(10_000, 900);
    store.apply(&batch(vec![upsert(&next)], &[(0, 701)])).unwrap();
    drop(store);
    let store = t.open();
    let mut held = held;
    held.push(next);
    assert_all_read(&store, &held);
    assert_eq!(store.offsets().unwrap().get(&0), Some(&701));
}

#[test]
fn opening_compacts_only_a_file_whose_free_share_is_over_the_bar() {
    let t = Temp::new();
    let held = churned(&t.open());
    let before = std::fs::metadata(&t.path).unwrap().len();
    // Over no bar it would reach: left as it is.
    let store = Store::open_compacting(&t.path, "articles", 1 << 20, (1.0, u64::MAX)).unwrap();
    assert_eq!(std::fs::metadata(&t.path).unwrap().len(), before);
    drop(store);
    let store = Store::open_compacting(&t.path, "articles", 1 << 20, (0.0, 1)).unwrap();
    let after = store.file_space().unwrap();
    assert!(after.file_bytes < before, "{before} -> {after:?}");
    assert_all_read(&store, &held);
}

#[test]
fn a_compaction_is_worth_running_only_over_both_bars() {
    let space = FileSpace { file_bytes: 100 << 20, allocated_bytes: 70 << 20 };
    assert_eq!(space.free_bytes(), 30 << 20);
    assert!(space.worth_compacting(0.25, 16 << 20));
    assert!(!space.worth_compacting(0.35, 16 << 20), "under the share");
    assert!(!space.worth_compacting(0.25, 40 << 20), "under the bytes");
    let full = FileSpace { file_bytes: 1 << 20, allocated_bytes: 2 << 20 };
    assert_eq!(full.free_bytes(), 0);
    assert!(!full.worth_compacting(0.0, 1));
}
