//! Tests of records cut into pieces: any length back whole, a leaf's page
//! filled exactly, and through the store, every read of a cut record, no
//! piece left behind by a shorter capture, a tombstone or an older
//! capture, and damaged records refused, never a panic.

use copydesk_proto::Timestamp;
use copydesk_proto::v1::Article;
use prost::Message;
use redb::{ReadableDatabase, ReadableTableMetadata};

use super::*;
use crate::store::encoded::Found;
use crate::store::tails::TAILS;
use crate::store::tests::{Temp, article, batch, upsert};
use crate::store::{ARTICLES as STORE_ARTICLES, Change, Store};

fn temp_db() -> (redb::Database, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("copydesk-pieces-{}.redb", uuid::Uuid::new_v4().simple()));
    (redb::Database::create(&path).unwrap(), path)
}

const ARTICLES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("articles");

/// Bytes that differ along the record, so a misplaced piece shows.
fn record(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn records_of_any_length_come_back_whole_and_shorter_ones_leave_no_pieces() {
    let (db, path) = temp_db();
    let id = "0123456789abcdef0123456789abcdef";
    let piece = piece_len(id);
    for len in [1, 10, piece, piece + 1, 2 * piece, 2 * piece + 1, 5 * piece + 17, piece - 1, 3, 0] {
        let txn = db.begin_write().unwrap();
        {
            let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
            let tails = txn.open_table(TAILS).unwrap();
            put(&mut articles, &mut pieces, id, &record(len)).unwrap();
            put(&mut articles, &mut pieces, "other", &record(3 * piece)).unwrap();
            assert_eq!(load(&articles, &pieces, &tails, id, Part::Whole).unwrap().unwrap(), record(len), "{len} bytes");
            let (rest, count) = cut(id, len);
            assert_eq!(pieces.range::<(&str, u32)>(range_of(id)).unwrap().count(), count, "{len} bytes");
            assert!((1..=piece).contains(&rest) || len == 0, "{len} bytes: a rest of {rest}");
        }
        txn.commit().unwrap();
    }
    let txn = db.begin_write().unwrap();
    {
        let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
        let tails = txn.open_table(TAILS).unwrap();
        remove(&mut articles, &mut pieces, id).unwrap();
        assert!(load(&articles, &pieces, &tails, id, Part::Whole).unwrap().is_none());
        assert_eq!(pieces.len().unwrap(), 2, "only the other's pieces are left");
        assert_eq!(load(&articles, &pieces, &tails, "other", Part::Whole).unwrap().unwrap(), record(3 * piece));
    }
    txn.commit().unwrap();
    drop(db);
    let _ = std::fs::remove_file(path);
}

#[test]
fn each_piece_fills_one_page_exactly() {
    let (db, path) = temp_db();
    let txn = db.begin_write().unwrap();
    assert_eq!(txn.stats().unwrap().page_size(), PAGE, "redb's default page size");
    {
        let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
        for i in 0..50 {
            let id = format!("{:032x}", (i as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835));
            put(&mut articles, &mut pieces, &id, &record(3 * piece_len(&id) + 100)).unwrap();
        }
    }
    txn.commit().unwrap();
    let txn = db.begin_read().unwrap();
    let stats = txn.open_table(PIECES).unwrap().stats().unwrap();
    assert_eq!(stats.leaf_pages(), 150, "one leaf per piece");
    // A leaf's pairs and its overhead fill its page to the byte: one
    // byte more and each leaf would take two pages, one less and each
    // would have room left. (Branch pages have room left, which redb
    // counts as fragmented too, so that figure does not tell.)
    // Counted apart from `LEAF_OVERHEAD`, so a wrong constant shows: a
    // leaf's 4-byte header, and its one key's and one value's 4-byte ends.
    assert_eq!(stats.stored_bytes(), 150 * (PAGE - (4 + 4 + 4)) as u64);
    drop(txn);
    // The file's pages: a page a piece, and few more (branches, the rests,
    // redb's own trees); a piece one byte over would take two.
    let txn = db.begin_write().unwrap();
    let allocated = txn.stats().unwrap().allocated_pages();
    assert!((150..200).contains(&allocated), "{allocated} pages allocated");
    txn.abort().unwrap();
    drop(db);
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_missing_piece_is_an_error() {
    let (db, path) = temp_db();
    let id = "a1";
    let txn = db.begin_write().unwrap();
    {
        let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
        let tails = txn.open_table(TAILS).unwrap();
        put(&mut articles, &mut pieces, id, &record(3 * piece_len(id))).unwrap();
        pieces.remove((id, 0)).unwrap();
        assert!(matches!(load(&articles, &pieces, &tails, id, Part::Whole), Err(LookupError::CorruptRecord { .. })));
    }
    drop(txn);
    drop(db);
    let _ = std::fs::remove_file(path);
}

/// A capture of `id` at `seconds` whose text is `words` pseudo-random
/// words: deflate keeps them at about two bytes a word, so 2,000 of them
/// take several pieces.
fn capture(id: &str, seconds: i64, words: u64) -> Article {
    let text: Vec<String> =
        (0..words).map(|i| format!("{:x}", (i + seconds as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 44)).collect();
    let text = text.join(" ");
    Article {
        fetched_at: Some(Timestamp { seconds, nanos: 0 }),
        content_hash: format!("hash of {words} at {seconds}"),
        description: text.chars().take(300).collect(),
        text,
        ..article(id, "s.example", &format!("https://s.example/{id}"), "")
    }
}

/// How many pieces `id` has in `store`.
fn pieces_of(store: &Store, id: &str) -> usize {
    let txn = store.db.begin_read().unwrap();
    txn.open_table(PIECES).unwrap().range::<(&str, u32)>(range_of(id)).unwrap().count()
}

/// The stored record of `id`, put together.
fn stored(store: &Store, id: &str) -> Vec<u8> {
    let txn = store.db.begin_read().unwrap();
    let (articles, pieces) = (txn.open_table(STORE_ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
    let tails = txn.open_table(TAILS).unwrap();
    load(&articles, &pieces, &tails, id, Part::Whole).unwrap().unwrap()
}

#[test]
fn every_read_of_a_cut_record_gives_what_was_written() {
    let t = Temp::new();
    let store = t.open();
    let (long, short) = (capture("a1", 1_000, 6_000), capture("b2", 1_000, 10));
    store.apply(&batch(vec![upsert(&long), upsert(&short)], &[(0, 2)])).unwrap();
    assert!(pieces_of(&store, "a1") >= 3, "{} pieces", pieces_of(&store, "a1"));
    assert_eq!(pieces_of(&store, "b2"), 0);
    assert_eq!(stored(&store, "a1"), record::encode(&long));
    let head = |a: &Article| Article { text: String::new(), blocks: Vec::new(), ..a.clone() };
    for a in [&long, &short] {
        assert_eq!(store.get(&a.id).unwrap().as_ref(), Some(a));
        assert_eq!(store.find_url(&a.url).unwrap().as_ref(), Some(a));
        let heads = store.get_part_within(&[a.id.as_str()], Part::Head, |_| Ok(())).unwrap();
        assert_eq!(heads, vec![Some(head(a))]);
        let whole = store.get_encoded_within(&a.id, Part::Whole, usize::MAX, |_| Ok(())).unwrap();
        assert_eq!(whole, Found::Bytes(a.encode_to_vec().into()));
        let part = store.find_url_encoded_within(&a.url, Part::Head, usize::MAX, |_| Ok(())).unwrap();
        assert_eq!(part, Found::Bytes(head(a).encode_to_vec().into()));
    }
    let listed = store.list(Some("s.example"), None, 10).unwrap().articles;
    assert_eq!(listed, vec![long.clone(), short.clone()]);
    let keep = |a: &Article| a.description.len() > 100;
    let page = store.list_part(None, None, 10, (usize::MAX, Part::Head), Some(&keep), |_| Ok(())).unwrap();
    assert_eq!(page.articles, vec![head(&long)], "the short one's description is short");
    assert_eq!(store.revisions("a1").unwrap().unwrap(), vec![long.clone()]);
}

#[test]
fn a_head_read_takes_only_the_first_bytes_of_a_cut_record() {
    let t = Temp::new();
    let store = t.open();
    let long = capture("a1", 1_000, 6_000);
    store.apply(&batch(vec![upsert(&long)], &[(0, 1)])).unwrap();
    let txn = store.db.begin_read().unwrap();
    let (articles, pieces) = (txn.open_table(STORE_ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
    let tails = txn.open_table(TAILS).unwrap();
    let whole = load(&articles, &pieces, &tails, "a1", Part::Whole).unwrap().unwrap();
    let first = load(&articles, &pieces, &tails, "a1", Part::Head).unwrap().unwrap();
    assert!(first.len() < whole.len() - piece_len("a1"), "{} of {} bytes", first.len(), whole.len());
    assert!(whole.starts_with(&first));
    assert_eq!(record::decode("a1", &first, Part::Head).unwrap(), record::decode("a1", &whole, Part::Head).unwrap());
    assert_eq!(record::encoded("a1", &first, Part::Head).unwrap(), record::encoded("a1", &whole, Part::Head).unwrap());
}

#[test]
fn a_shorter_newer_capture_leaves_no_piece_of_the_longer_one() {
    let t = Temp::new();
    let store = t.open();
    let (long, other) = (capture("a1", 1_000, 6_000), capture("b2", 1_000, 6_000));
    store.apply(&batch(vec![upsert(&long), upsert(&other)], &[(0, 2)])).unwrap();
    let (before, others) = (pieces_of(&store, "a1"), pieces_of(&store, "b2"));
    let medium = capture("a1", 2_000, 2_500);
    store.apply(&batch(vec![upsert(&medium)], &[(0, 3)])).unwrap();
    let after = pieces_of(&store, "a1");
    assert!(0 < after && after < before, "{after} pieces after {before}");
    assert_eq!(stored(&store, "a1"), record::encode(&medium));
    let short = capture("a1", 3_000, 5);
    store.apply(&batch(vec![upsert(&short)], &[(0, 4)])).unwrap();
    assert_eq!(pieces_of(&store, "a1"), 0);
    assert_eq!(store.get("a1").unwrap().unwrap(), short);
    // The captures replaced are whole in the history; the neighbour is untouched.
    assert_eq!(store.revisions("a1").unwrap().unwrap(), vec![short, medium, long]);
    assert_eq!((pieces_of(&store, "b2"), store.get("b2").unwrap().unwrap()), (others, other));
}

#[test]
fn an_older_capture_leaves_the_current_pieces_and_a_tombstone_takes_them_all() {
    let t = Temp::new();
    let store = t.open();
    let (newer, other) = (capture("a1", 2_000, 6_000), capture("a10", 1_000, 6_000));
    store.apply(&batch(vec![upsert(&newer), upsert(&other)], &[(0, 2)])).unwrap();
    let pieces = pieces_of(&store, "a1");
    store.apply(&batch(vec![upsert(&capture("a1", 1_000, 5))], &[(0, 3)])).unwrap();
    assert_eq!(pieces_of(&store, "a1"), pieces);
    assert_eq!(store.get("a1").unwrap().unwrap(), newer);
    store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 4)])).unwrap();
    assert_eq!(pieces_of(&store, "a1"), 0);
    assert!(store.get("a1").unwrap().is_none());
    // An id that starts with the deleted one is another article.
    assert_eq!(store.get("a10").unwrap().unwrap(), other);
    // An upsert after the tombstone (a re-crawl) is stored whole again.
    let again = capture("a1", 3_000, 3_000);
    store.apply(&batch(vec![upsert(&again)], &[(0, 5)])).unwrap();
    assert_eq!(store.get("a1").unwrap().unwrap(), again);
}

/// Damages `a1`'s pieces in `store` with `damage`.
fn damage(store: &Store, damage: impl FnOnce(&mut Table<'_, (&'static str, u32), &'static [u8]>, u32)) {
    let txn = store.db.begin_write().unwrap();
    {
        let mut pieces = txn.open_table(PIECES).unwrap();
        let count = pieces.range::<(&str, u32)>(range_of("a1")).unwrap().count() as u32;
        damage(&mut pieces, count);
    }
    txn.commit().unwrap();
}

#[test]
fn a_missing_piece_is_an_error_and_the_article_can_still_be_replaced() {
    type Damage = fn(&mut Table<'_, (&'static str, u32), &'static [u8]>, u32);
    let cases: [(&str, Damage); 3] = [
        ("the first piece gone", |p, _| drop(p.remove(("a1", 0)).unwrap())),
        ("a middle piece gone", |p, _| drop(p.remove(("a1", 1)).unwrap())),
        ("the last piece gone", |p, n| drop(p.remove(("a1", n - 1)).unwrap())),
    ];
    for (what, how) in cases {
        let t = Temp::new();
        let store = t.open();
        let long = capture("a1", 1_000, 6_000);
        store.apply(&batch(vec![upsert(&long)], &[(0, 1)])).unwrap();
        damage(&store, how);
        let refused = |result: Result<(), LookupError>| {
            assert!(matches!(result, Err(LookupError::CorruptRecord { .. })), "{what}: {result:?}");
        };
        refused(store.get("a1").map(drop));
        refused(store.get_encoded_within("a1", Part::Whole, usize::MAX, |_| Ok(())).map(drop));
        refused(store.list(None, None, 10).map(drop));
        // A filter leaves it out; the batches go on past it.
        let keep = |_: &Article| true;
        let page = store.list_part(None, None, 10, (usize::MAX, Part::Head), Some(&keep), |_| Ok(()));
        assert!(page.is_ok(), "{what}");
        let newer = capture("a1", 2_000, 3_000);
        store.apply(&batch(vec![upsert(&newer)], &[(0, 2)])).unwrap();
        assert_eq!(store.get("a1").unwrap().unwrap(), newer, "{what}");
        assert_eq!(stored(&store, "a1"), record::encode(&newer), "{what}");
        damage(&store, how);
        store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 3)])).unwrap();
        assert_eq!((store.get("a1").unwrap(), pieces_of(&store, "a1")), (None, 0), "{what}");
    }
}

#[test]
fn a_stray_piece_past_the_count_is_not_read_and_goes_with_the_next_write() {
    let t = Temp::new();
    let store = t.open();
    let long = capture("a1", 1_000, 6_000);
    store.apply(&batch(vec![upsert(&long)], &[(0, 1)])).unwrap();
    let count = pieces_of(&store, "a1");
    damage(&store, |p, n| drop(p.insert(("a1", n), &[7u8; 100][..]).unwrap()));
    assert_eq!(store.get("a1").unwrap().unwrap(), long, "the record is what was written");
    let shorter = capture("a1", 2_000, 3_000);
    store.apply(&batch(vec![upsert(&shorter)], &[(0, 2)])).unwrap();
    assert!(pieces_of(&store, "a1") < count);
    assert_eq!(stored(&store, "a1"), record::encode(&shorter));
    // An articles value whose count does not read is refused.
    let txn = store.db.begin_write().unwrap();
    txn.open_table(STORE_ARTICLES).unwrap().insert("a1", &[0xffu8; 8][..]).unwrap();
    txn.commit().unwrap();
    assert!(matches!(store.get("a1"), Err(LookupError::CorruptRecord { .. })));
}

#[test]
fn the_count_of_pieces_reads_back_as_written() {
    for count in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 21] {
        let value = joined(count, b"rest");
        assert_eq!(split(&value), Some((count, &b"rest"[..])), "{count}");
    }
    assert_eq!(joined(5, b"").len(), 1, "one byte below 128");
    assert_eq!(split(&[0x80, 0x80]), None, "cut short");
}
