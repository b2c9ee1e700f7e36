//! Unit tests of revisions and of the record format: the newest capture
//! served, late and replayed captures, retention by count and age, deletion,
//! pages, and stores of the earlier format read or rebuilt.

use copydesk_proto::Timestamp;
use copydesk_proto::v1::Article;
use prost::Message;

use super::super::tests::{Temp, article, batch, upsert};
use super::*;
use crate::store::{Change, META, OFFSETS, pieces};

/// A capture of article `a1` at `seconds` whose body is `text`.
fn capture(seconds: i64, text: &str) -> Article {
    Article {
        fetched_at: Some(Timestamp { seconds, nanos: 0 }),
        text: text.into(),
        content_hash: format!("hash of {text}"),
        ..article("a1", "s.example", "https://s.example/1", "")
    }
}

/// (capture second, text) of every revision of `a1`, newest first.
fn history_of(store: &Store) -> Vec<(i64, String)> {
    let revisions = store.revisions("a1").unwrap().unwrap_or_default();
    revisions.into_iter().map(|a| (a.fetched_at.unwrap().seconds, a.text)).collect()
}

fn apply_all(store: &Store, captures: &[Article]) {
    store.apply(&batch(captures.iter().map(upsert).collect(), &[(0, 1)])).unwrap();
}

fn pairs(list: &[(i64, &str)]) -> Vec<(i64, String)> {
    list.iter().map(|(t, s)| (*t, s.to_string())).collect()
}

#[test]
fn the_newest_capture_is_served_and_every_changed_one_kept_newest_first() {
    let t = Temp::new();
    let store = t.open();
    apply_all(&store, &[capture(1_000, "first")]);
    apply_all(&store, &[capture(2_000, "corrected")]);
    assert_eq!(store.get("a1").unwrap().unwrap().text, "corrected");
    // A capture older than the served one, read late: kept, not served.
    apply_all(&store, &[capture(1_500, "between")]);
    assert_eq!(store.get("a1").unwrap().unwrap().text, "corrected");
    assert_eq!(history_of(&store), pairs(&[(2_000, "corrected"), (1_500, "between"), (1_000, "first")]));
    assert_eq!(store.len().unwrap(), 1);
    assert!(store.revisions("nope").unwrap().is_none());
}

#[test]
fn replays_and_unchanged_recaptures_add_no_revision() {
    let t = Temp::new();
    let store = t.open();
    let captures = [capture(1_000, "first"), capture(2_000, "second"), capture(3_000, "third")];
    apply_all(&store, &captures);
    let once = history_of(&store);
    // The whole topic read again, in order and out of it.
    apply_all(&store, &captures);
    apply_all(&store, &[captures[2].clone(), captures[0].clone(), captures[1].clone()]);
    assert_eq!(history_of(&store), once);
    // The same content captured again, later and in between: no revision;
    // the latest capture of the current content is what is served.
    apply_all(&store, &[capture(4_000, "third"), capture(1_200, "first"), capture(2_500, "second")]);
    assert_eq!(history_of(&store), pairs(&[(4_000, "third"), (2_000, "second"), (1_000, "first")]));
    // Reverting to earlier content is a change, so a revision.
    apply_all(&store, &[capture(5_000, "second")]);
    assert_eq!(history_of(&store).len(), 4);
    assert_eq!(store.get("a1").unwrap().unwrap().fetched_at.unwrap().seconds, 5_000);
}

#[test]
fn retention_keeps_the_newest_by_count_and_drops_expired_ones() {
    let t = Temp::new();
    let store = t.open().with_retention(Retention { keep: 3, max_age: None });
    for i in 1..=5 {
        apply_all(&store, &[capture(i * 1_000, &format!("v{i}"))]);
    }
    assert_eq!(history_of(&store), pairs(&[(5_000, "v5"), (4_000, "v4"), (3_000, "v3")]));
    // A late capture older than all kept ones is dropped at once.
    apply_all(&store, &[capture(500, "v0")]);
    assert_eq!(history_of(&store).len(), 3);

    // By age: hidden at once, removed when the article is next written; the
    // current revision never expires.
    let day = std::time::Duration::from_secs(86_400);
    let store = store.with_retention(Retention { keep: 20, max_age: Some(day) });
    assert_eq!(history_of(&store), pairs(&[(5_000, "v5")]));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    apply_all(&store, &[capture(now - 60, "fresh"), capture(now, "fresher")]);
    assert_eq!(history_of(&store), pairs(&[(now, "fresher"), (now - 60, "fresh")]));
    let txn = store.db.begin_read().unwrap();
    assert_eq!(history(&txn.open_table(REVISIONS).unwrap(), "a1").unwrap().len(), 1, "expired rows removed");
}

#[test]
fn a_tombstone_deletes_the_article_and_its_history() {
    let t = Temp::new();
    let store = t.open();
    apply_all(&store, &[capture(1_000, "first"), capture(2_000, "second")]);
    let other = Article { id: "b2".into(), ..capture(1_000, "first") };
    apply_all(&store, &[other.clone(), Article { id: "b2".into(), ..capture(2_000, "second") }]);
    store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 2)])).unwrap();
    assert!(store.revisions("a1").unwrap().is_none());
    assert_eq!(store.revisions("b2").unwrap().unwrap().len(), 2, "another article's history stays");
    apply_all(&store, &[capture(3_000, "again")]);
    assert_eq!(history_of(&store), pairs(&[(3_000, "again")]));
}

#[test]
fn revisions_page_newest_first_with_the_body_only_when_asked() {
    let t = Temp::new();
    let store = t.open();
    for i in 1..=5 {
        apply_all(&store, &[capture(i * 1_000, &format!("v{i}"))]);
    }
    let (mut seen, mut before) = (Vec::new(), None::<Key>);
    loop {
        let from = before.as_ref().map(|(at, hash)| (*at, hash.as_str()));
        let page = store.revisions_within("a1", from, 2, usize::MAX, Part::Head, |_| Ok(())).unwrap().unwrap();
        assert!(page.revisions.len() <= 2);
        assert!(page.revisions.iter().all(|a| a.text.is_empty() && !a.content_hash.is_empty()));
        seen.extend(page.revisions.iter().map(|a| a.fetched_at.unwrap().seconds));
        match page.next_before {
            Some(key) => before = Some(key),
            None => break,
        }
    }
    assert_eq!(seen, [5_000, 4_000, 3_000, 2_000, 1_000]);
    // A byte budget ends the page early, one revision at least.
    let page = store.revisions_within("a1", None, 5, 1, Part::Whole, |_| Ok(())).unwrap().unwrap();
    assert_eq!((page.revisions.len(), page.revisions[0].text.as_str()), (1, "v5"));
    assert!(page.next_before.is_some());
}

#[test]
fn a_store_of_the_plain_protobuf_format_is_rewritten_when_opened() {
    let t = Temp::new();
    let a = capture(1_000, "old body");
    {
        let store = t.open();
        apply_all(&store, std::slice::from_ref(&a));
        // As the previous version wrote it: the record as read, no format key.
        let txn = store.db.begin_write().unwrap();
        txn.open_table(ARTICLES).unwrap().insert("a1", a.encode_to_vec().as_slice()).unwrap();
        txn.open_table(META).unwrap().remove("record_format").unwrap();
        txn.commit().unwrap();
    }
    let store = t.open();
    assert_eq!(store.get("a1").unwrap().unwrap(), a);
    let value = tails::unpacked(&store, "a1").unwrap();
    assert!(!record::is_legacy(pieces::split(&value).unwrap().1), "rewritten compressed");
    assert_eq!(store.offsets().unwrap()[&0], 1, "kept: nothing to read again");
}

#[test]
fn a_store_of_lz4_records_is_rewritten_when_opened_and_its_history_still_read() {
    let t = Temp::new();
    let (old, new) = (capture(1_000, "old body"), capture(2_000, "new body"));
    {
        let store = t.open();
        apply_all(&store, &[old.clone(), new.clone()]);
        // As the previous version wrote them: LZ4 records, format "2".
        let txn = store.db.begin_write().unwrap();
        txn.open_table(ARTICLES).unwrap().insert("a1", record::encode_lz4(&new).as_slice()).unwrap();
        let key = ("a1", 1_000_000i64, old.content_hash.as_str());
        txn.open_table(REVISIONS).unwrap().insert(key, record::encode_lz4(&old).as_slice()).unwrap();
        txn.open_table(META).unwrap().insert("record_format", "2").unwrap();
        txn.commit().unwrap();
    }
    let store = t.open();
    assert_eq!(store.revisions("a1").unwrap().unwrap(), [new.clone(), old]);
    let txn = store.db.begin_read().unwrap();
    let value = tails::unpacked(&store, "a1").unwrap();
    assert!(record::is_current(pieces::split(&value).unwrap().1), "rewritten in this format");
    assert_eq!(txn.open_table(META).unwrap().get("record_format").unwrap().unwrap().value(), "5");
    assert_eq!(store.offsets().unwrap()[&0], 1, "kept: nothing to read again");
}

#[test]
fn a_store_of_whole_records_has_them_rewritten_and_cut_into_pieces_when_opened() {
    let t = Temp::new();
    // Words that deflate leaves at several pages.
    let words: Vec<String> =
        (0..4000u64).map(|i| format!("{:x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40)).collect();
    let a = capture(1_000, &words.join(" "));
    let whole = record::encode_alone(&a);
    assert!(whole.len() > 2 * pieces::PAGE, "{} bytes", whole.len());
    {
        let store = t.open();
        apply_all(&store, std::slice::from_ref(&a));
        // As the previous version wrote it: the record whole under its id,
        // its body deflated alone, format "3".
        let txn = store.db.begin_write().unwrap();
        txn.open_table(ARTICLES).unwrap().insert("a1", whole.as_slice()).unwrap();
        txn.open_table(pieces::PIECES).unwrap().retain(|_, _| false).unwrap();
        txn.open_table(META).unwrap().insert("record_format", "3").unwrap();
        txn.commit().unwrap();
    }
    let store = t.open();
    assert_eq!(store.get("a1").unwrap().unwrap(), a);
    let txn = store.db.begin_read().unwrap();
    let value = tails::unpacked(&store, "a1").unwrap();
    let (count, rest) = pieces::split(&value).unwrap();
    assert!(count >= 2 && record::is_current(rest), "rewritten in this format");
    assert!(rest.len() < pieces::PAGE && record::encode(&a).starts_with(rest), "its first {} bytes", rest.len());
    assert!(redb::ReadableTableMetadata::len(&txn.open_table(pieces::PIECES).unwrap()).unwrap() >= 2);
    assert_eq!(txn.open_table(META).unwrap().get("record_format").unwrap().unwrap().value(), "5");
    assert_eq!(store.offsets().unwrap()[&0], 1, "kept: nothing to read again");
}

#[test]
fn a_store_of_an_unknown_format_is_emptied_to_be_rebuilt() {
    let t = Temp::new();
    {
        let store = t.open();
        apply_all(&store, &[capture(1_000, "first"), capture(2_000, "second")]);
        let txn = store.db.begin_write().unwrap();
        txn.open_table(META).unwrap().insert("record_format", "99").unwrap();
        txn.commit().unwrap();
    }
    let store = t.open();
    assert!(store.is_empty().unwrap());
    assert!(store.offsets().unwrap().is_empty(), "read again from the beginning");
    let txn = store.db.begin_read().unwrap();
    assert_eq!(redb::ReadableTableMetadata::len(&txn.open_table(OFFSETS).unwrap()).unwrap(), 0);
    assert!(history(&txn.open_table(REVISIONS).unwrap(), "a1").unwrap().is_empty());
}

#[test]
fn another_topic_id_empties_the_history_too() {
    let t = Temp::new();
    let store = t.open();
    store.adopt_topic_id("00000000000000000000000000000001").unwrap();
    apply_all(&store, &[capture(1_000, "first"), capture(2_000, "second")]);
    assert!(store.adopt_topic_id("00000000000000000000000000000002").unwrap());
    let txn = store.db.begin_read().unwrap();
    assert!(history(&txn.open_table(REVISIONS).unwrap(), "a1").unwrap().is_empty());
}
