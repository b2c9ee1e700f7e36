//! Tests of packed first bytes: a full blob takes one page exactly, every
//! article reads back through replacements, deletions and small batches,
//! the blobs' accounts stay true and their pages full, and a store of
//! format 4 (first bytes inline) has them packed when opened.

use std::collections::BTreeMap;

use copydesk_proto::v1::Article;
use redb::{ReadableDatabase, ReadableTableMetadata};

use super::*;
use crate::store::format::{FORMAT, FORMAT_KEY, INLINE};
use crate::store::tests::{Temp, article, batch, upsert};
use crate::store::{ARTICLES, Change, META, Store, record};

/// Article `i` with a body of `words` words that deflate cannot shrink
/// much, so its record is about `2 * words` bytes.
fn numbered(i: u64, words: u64) -> Article {
    let text: Vec<String> =
        (0..words).map(|w| format!("{:x}", (w + 31 * i).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48)).collect();
    let id = format!("{:032x}", i.wrapping_mul(0x2545_F491_4F6C_DD1D));
    Article { text: text.join(" "), ..article(&id, "s.example", &format!("https://s.example/{i}"), "") }
}

/// Checks every reference against its blob and every blob's live bytes
/// against the references to it; the count of packed articles, and of blobs.
fn check(store: &Store) -> (usize, usize) {
    let txn = store.db.begin_read().unwrap();
    let (articles, blobs, live) =
        (txn.open_table(ARTICLES).unwrap(), txn.open_table(TAILS).unwrap(), txn.open_table(LIVE).unwrap());
    let mut referenced: BTreeMap<u64, u32> = BTreeMap::new();
    let mut packed = 0;
    for entry in articles.iter().unwrap() {
        let (id, value) = entry.unwrap();
        let Some(r) = Ref::parse(pieces::split(value.value()).unwrap().1) else { continue };
        let blob = blobs.get(r.blob).unwrap().expect("a referenced blob");
        let found = entries(blob.value()).into_iter().find(|(_, at, _)| *at == r.at).expect("an entry there");
        assert_eq!((found.0.as_str(), found.2.len()), (id.value(), r.len));
        *referenced.entry(r.blob).or_default() += r.len as u32;
        packed += 1;
    }
    let last = blobs.last().unwrap().map(|(k, _)| k.value());
    for entry in live.iter().unwrap() {
        let (blob, bytes) = entry.unwrap();
        assert_eq!(referenced.get(&blob.value()).copied().unwrap_or(0), bytes.value(), "blob {}", blob.value());
        if Some(blob.value()) != last {
            assert!(bytes.value() as usize >= BLOB / 2, "blob {} is {} bytes live", blob.value(), bytes.value());
        }
    }
    assert_eq!(live.len().unwrap(), blobs.len().unwrap());
    (packed, blobs.len().unwrap() as usize)
}

fn assert_all_read(store: &Store, held: &[Article]) {
    assert_eq!(store.len().unwrap(), held.len() as u64);
    for a in held {
        assert_eq!(store.get(&a.id).unwrap().as_ref(), Some(a), "{}", a.id);
    }
}

#[test]
fn a_full_blob_takes_one_page_exactly() {
    let path = std::env::temp_dir().join(format!("copydesk-tails-{}.redb", uuid::Uuid::new_v4().simple()));
    let db = redb::Database::create(&path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut blobs = txn.open_table(TAILS).unwrap();
        for k in 0..40u64 {
            blobs.insert(k, vec![k as u8; BLOB].as_slice()).unwrap();
        }
    }
    txn.commit().unwrap();
    let txn = db.begin_read().unwrap();
    let stats = txn.open_table(TAILS).unwrap().stats().unwrap();
    assert_eq!(stats.leaf_pages(), 40, "a leaf a blob");
    // Counted apart from `BLOB`: a leaf's header (4), its one value's end
    // (4), the fixed-width key (8).
    assert_eq!(stats.stored_bytes(), 40 * (PAGE - 4 - 4) as u64);
    drop((txn, db));
    let _ = std::fs::remove_file(path);
}

#[test]
fn packed_first_bytes_read_back_through_replacements_and_deletions() {
    let t = Temp::new();
    let store = t.open();
    // Records of 100 bytes to several pages: most all first bytes.
    let mut held: Vec<Article> = (0..300).map(|i| numbered(i, 20 + (i * 53) % 2_500)).collect();
    for (n, chunk) in held.chunks(100).enumerate() {
        store.apply(&batch(chunk.iter().map(upsert).collect(), &[(0, 100 * n as i64 + 100)])).unwrap();
    }
    let (packed, blobs) = check(&store);
    assert!(packed >= 290, "{packed} of 300 packed");
    let bytes: usize = held.iter().map(|a| (record::encode(a).len() % 4_040) + 36).sum();
    // Packed at least nine tenths full (one rest to a blob would be 300).
    assert!(blobs <= bytes * 10 / (9 * BLOB) + 4, "{blobs} blobs for about {bytes} bytes");
    assert_all_read(&store, &held);
    // Every other one replaced by another size, every fifth deleted, a
    // batch at a time: blobs emptied, taken apart and packed again.
    for round in 0..3u64 {
        let mut changes = Vec::new();
        for (i, a) in held.iter_mut().enumerate().filter(|(i, _)| (i + round as usize).is_multiple_of(2)) {
            *a = Article { text: numbered(1_000 * round + i as u64, 10 + (i as u64 * 97) % 1_800).text, ..a.clone() };
            changes.push(upsert(a));
        }
        store.apply(&batch(changes, &[(0, 400 + round as i64)])).unwrap();
        check(&store);
        assert_all_read(&store, &held);
    }
    let gone: Vec<Change> = held.iter().step_by(5).map(|a| Change::Delete { id: a.id.clone() }).collect();
    store.apply(&batch(gone, &[(0, 500)])).unwrap();
    let held: Vec<Article> = held.into_iter().enumerate().filter(|(i, _)| i % 5 != 0).map(|(_, a)| a).collect();
    check(&store);
    assert_all_read(&store, &held);
}

#[test]
fn batches_of_one_fill_the_last_blob_rather_than_each_starting_one() {
    let t = Temp::new();
    let store = t.open();
    let held: Vec<Article> = (0..60).map(|i| numbered(i, 150)).collect();
    for (n, a) in held.iter().enumerate() {
        store.apply(&batch(vec![upsert(a)], &[(0, n as i64 + 1)])).unwrap();
    }
    let (packed, blobs) = check(&store);
    assert_eq!(packed, 60);
    let bytes: usize = held.iter().map(|a| record::encode(a).len() + 36).sum();
    assert!(blobs <= bytes / BLOB + 2, "{blobs} blobs for {bytes} bytes");
    assert_all_read(&store, &held);
}

#[test]
fn a_store_with_first_bytes_inline_has_them_packed_when_opened() {
    let t = Temp::new();
    let held: Vec<Article> = (0..200).map(|i| numbered(i, 30 + (i * 71) % 3_000)).collect();
    {
        let store = t.open();
        store.apply(&batch(held.iter().map(upsert).collect(), &[(0, 200)])).unwrap();
        // As format 4 kept them: inline, no blobs.
        let inline: Vec<(String, Vec<u8>)> =
            held.iter().map(|a| (a.id.clone(), unpacked(&store, &a.id).unwrap())).collect();
        let txn = store.db.begin_write().unwrap();
        {
            let mut articles = txn.open_table(ARTICLES).unwrap();
            for (id, value) in &inline {
                articles.insert(id.as_str(), value.as_slice()).unwrap();
            }
            txn.open_table(TAILS).unwrap().retain(|_, _| false).unwrap();
            txn.open_table(LIVE).unwrap().retain(|_, _| false).unwrap();
            txn.open_table(META).unwrap().insert(FORMAT_KEY, INLINE).unwrap();
        }
        txn.commit().unwrap();
        assert_eq!(check(&store), (0, 0));
    }
    let store = t.open();
    let (packed, _) = check(&store);
    assert!(packed >= 190, "{packed} of 200 packed");
    assert_all_read(&store, &held);
    let txn = store.db.begin_read().unwrap();
    assert_eq!(txn.open_table(META).unwrap().get(FORMAT_KEY).unwrap().unwrap().value(), FORMAT);
}
