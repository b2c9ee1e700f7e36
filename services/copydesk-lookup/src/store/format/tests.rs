//! Tests of the upgrade on open: stores of every earlier format come out
//! cut into pieces and read the same, all in the transaction that marks the
//! new format (so a crash before its commit leaves the store as it was),
//! and a record that does not decode is left as it is.

use copydesk_proto::Timestamp;
use copydesk_proto::v1::Article;
use prost::Message;
use redb::{ReadableDatabase, ReadableTableMetadata};

use super::*;
use crate::store::tests::{Temp, article, batch, upsert};
use crate::store::{Store, record};

/// Article `i`: every seventh one long enough for several pieces.
fn numbered(i: u64) -> Article {
    let words = if i.is_multiple_of(7) { 3_000 } else { 40 };
    let text: Vec<String> =
        (0..words).map(|w| format!("{:x}", (w + i).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 44)).collect();
    Article {
        fetched_at: Some(Timestamp { seconds: 1_000, nanos: 0 }),
        text: text.join(" "),
        content_hash: format!("hash {i}"),
        ..article(&format!("{i:05}"), "s.example", &format!("https://s.example/{i}"), "")
    }
}

/// Rewrites `store`'s articles as a store of `format` (`None`: the first
/// versions, with no format key) held them: each whole under its id, as
/// `encode` makes it, and no pieces.
fn as_earlier(store: &Store, articles: &[Article], format: Option<&str>, encode: impl Fn(&Article) -> Vec<u8>) {
    let txn = store.db.begin_write().unwrap();
    {
        let mut table = txn.open_table(ARTICLES).unwrap();
        for a in articles {
            table.insert(a.id.as_str(), encode(a).as_slice()).unwrap();
        }
        txn.open_table(pieces::PIECES).unwrap().retain(|_, _| false).unwrap();
        txn.open_table(tails::TAILS).unwrap().retain(|_, _| false).unwrap();
        txn.open_table(tails::LIVE).unwrap().retain(|_, _| false).unwrap();
        let mut meta = txn.open_table(META).unwrap();
        match format {
            Some(format) => meta.insert(FORMAT_KEY, format).unwrap(),
            None => meta.remove(FORMAT_KEY).unwrap(),
        };
    }
    txn.commit().unwrap();
}

/// The store's format key, its articles' values as they lie under their
/// ids (their first bytes inline where packed), and its count of pieces.
fn raw(store: &Store) -> (Option<String>, Vec<Vec<u8>>, u64) {
    let txn = store.db.begin_read().unwrap();
    let format = txn.open_table(META).unwrap().get(FORMAT_KEY).unwrap().map(|v| v.value().to_string());
    let articles = txn.open_table(ARTICLES).unwrap();
    let ids: Vec<String> = articles.iter().unwrap().map(|e| e.unwrap().0.value().to_string()).collect();
    let values = ids.iter().map(|id| tails::unpacked(store, id).unwrap()).collect();
    (format, values, txn.open_table(pieces::PIECES).unwrap().len().unwrap())
}

#[test]
fn a_format_3_store_is_cut_in_the_one_transaction_that_marks_it() {
    let t = Temp::new();
    // More than one chunk of the rewrite (1,024 ids).
    let articles: Vec<Article> = (0..1_100).map(numbered).collect();
    {
        let store = t.open();
        store.apply(&batch(articles.iter().map(upsert).collect(), &[(0, 1_100)])).unwrap();
        as_earlier(&store, &articles, Some("3"), record::encode_alone);
        let before = raw(&store);
        // Rewritten, then not committed (a crash before the commit): as it was.
        let txn = store.db.begin_write().unwrap();
        assert!(matches!(upgrade_records(&txn).unwrap(), Upgrade::Rewritten(1_100)));
        txn.abort().unwrap();
        assert_eq!(raw(&store), before);
        assert_eq!(before.0.as_deref(), Some("3"));
        assert_eq!(before.2, 0, "no pieces");
    }
    let store = t.open();
    let (format, rests, pieces) = raw(&store);
    assert_eq!(format.as_deref(), Some(FORMAT));
    let rests: Vec<&[u8]> = rests.iter().map(|value| pieces::split(value).expect("a count").1).collect();
    assert!(rests.iter().all(|rest| record::is_current(rest) && rest.len() <= pieces::PAGE));
    let long = articles.iter().filter(|a| record::encode(a).len() > pieces::PAGE).count() as u64;
    assert!(long >= 100 && pieces >= long, "{pieces} pieces for {long} long articles");
    let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    let read: Vec<Article> = store.get_many(&ids).unwrap().into_iter().map(Option::unwrap).collect();
    assert!(read == articles, "every article reads as written");
    assert_eq!(store.offsets().unwrap()[&0], 1_100, "kept: nothing to read again");
    // Opened again: nothing left to rewrite.
    let txn = store.db.begin_write().unwrap();
    assert!(matches!(upgrade_records(&txn).unwrap(), Upgrade::Current));
}

#[test]
fn stores_of_every_earlier_format_come_out_cut_and_read_the_same() {
    type Encode = fn(&Article) -> Vec<u8>;
    let plain: Encode = |a| a.encode_to_vec();
    let formats: [(Option<&str>, Encode); 3] =
        [(None, plain), (Some("2"), record::encode_lz4), (Some("3"), record::encode_alone)];
    for (format, encode) in formats {
        let t = Temp::new();
        let articles: Vec<Article> = (0..15).map(numbered).collect();
        {
            let store = t.open();
            store.apply(&batch(articles.iter().map(upsert).collect(), &[(0, 15)])).unwrap();
            as_earlier(&store, &articles, format, encode);
            // One that does not decode: left as it is, an error when read.
            let txn = store.db.begin_write().unwrap();
            let mut damaged = vec![0u8, 2, 0];
            damaged.extend([0u8; 40]);
            txn.open_table(ARTICLES).unwrap().insert("bad", damaged.as_slice()).unwrap();
            txn.commit().unwrap();
        }
        let store = t.open();
        for a in &articles {
            assert_eq!(store.get(&a.id).unwrap().as_ref(), Some(a), "{format:?}");
            let txn = store.db.begin_read().unwrap();
            let (rests, pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(pieces::PIECES).unwrap());
            let tails = txn.open_table(tails::TAILS).unwrap();
            let whole = pieces::load(&rests, &pieces, &tails, &a.id, Part::Whole).unwrap().unwrap();
            assert_eq!(whole, record::encode(a), "{format:?}: rewritten in this format");
        }
        assert!(raw(&store).2 >= 3, "{format:?}: the long ones are cut");
        assert!(matches!(store.get("bad"), Err(LookupError::CorruptRecord { .. })), "{format:?}");
    }
}
