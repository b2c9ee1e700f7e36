//! Unit tests of the store: index upkeep on replace and delete, stable
//! pagination, offsets that commit with the data or not at all, and the
//! store emptied when its topic id changes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use copydesk_proto::v1::Article;

use super::*;

/// A store file in the temp folder, removed when dropped.
pub(crate) struct Temp {
    pub(crate) path: PathBuf,
}

impl Temp {
    pub(crate) fn new() -> Temp {
        Temp { path: std::env::temp_dir().join(format!("copydesk-store-{}.redb", uuid::Uuid::new_v4().simple())) }
    }

    pub(super) fn open(&self) -> Store {
        Store::open(&self.path, "articles").unwrap()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub(super) fn article(id: &str, site: &str, url: &str, canonical: &str) -> Article {
    Article {
        id: id.into(),
        site: site.into(),
        url: url.into(),
        canonical_url: canonical.into(),
        title: format!("title of {id}"),
        ..Default::default()
    }
}

pub(super) fn upsert(a: &Article) -> Change {
    Change::Upsert { id: a.id.clone(), article: Box::new(a.clone()) }
}

pub(super) fn batch(changes: Vec<Change>, offsets: &[(i32, i64)]) -> Batch {
    Batch { changes, offsets: offsets.iter().copied().collect(), traces: Vec::new() }
}

#[test]
fn replacing_an_article_moves_its_url_and_site_entries() {
    let t = Temp::new();
    let store = t.open();
    let v1 = article("a1", "old.example", "https://old.example/x", "https://old.example/x?c=1");
    store.apply(&batch(vec![upsert(&v1)], &[(0, 1)])).unwrap();
    assert_eq!(store.find_url("https://old.example/x").unwrap().unwrap().id, "a1");
    assert_eq!(store.find_url("https://old.example/x?c=1").unwrap().unwrap().id, "a1");

    let v2 = article("a1", "new.example", "https://new.example/x", "https://new.example/x");
    store.apply(&batch(vec![upsert(&v2)], &[(0, 2)])).unwrap();
    assert!(store.find_url("https://old.example/x").unwrap().is_none(), "stale URL entry left");
    assert!(store.find_url("https://old.example/x?c=1").unwrap().is_none(), "stale canonical entry left");
    assert_eq!(store.find_url("https://new.example/x").unwrap().unwrap().site, "new.example");
    assert!(store.list(Some("old.example"), None, 10).unwrap().articles.is_empty(), "stale site entry left");
    assert_eq!(store.list(Some("new.example"), None, 10).unwrap().articles.len(), 1);
    assert_eq!(store.len().unwrap(), 1);
}

#[test]
fn a_tombstone_removes_the_article_and_its_index_entries() {
    let t = Temp::new();
    let store = t.open();
    let a = article("a1", "s.example", "https://s.example/a", "https://s.example/a");
    let b = article("b2", "s.example", "https://s.example/b", "https://s.example/b");
    store.apply(&batch(vec![upsert(&a), upsert(&b)], &[(0, 2)])).unwrap();
    store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 3)])).unwrap();
    assert!(store.get("a1").unwrap().is_none());
    assert!(store.find_url("https://s.example/a").unwrap().is_none());
    let listed: Vec<String> =
        store.list(Some("s.example"), None, 10).unwrap().articles.into_iter().map(|a| a.id).collect();
    assert_eq!(listed, ["b2"]);
    // A tombstone for an article never seen changes nothing.
    store.apply(&batch(vec![Change::Delete { id: "zz".into() }], &[(0, 4)])).unwrap();
    assert_eq!(store.len().unwrap(), 1);
}

#[test]
fn a_url_another_article_took_over_is_kept_when_the_first_goes() {
    let t = Temp::new();
    let store = t.open();
    let first = article("a1", "s.example", "https://s.example/shared", "https://s.example/one");
    let second = article("b2", "s.example", "https://s.example/shared", "https://s.example/two");
    store.apply(&batch(vec![upsert(&first), upsert(&second)], &[(0, 2)])).unwrap();
    store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 3)])).unwrap();
    assert_eq!(store.find_url("https://s.example/shared").unwrap().unwrap().id, "b2");
}

#[test]
fn url_lookup_uses_the_normaliser_but_keeps_the_path_case() {
    let t = Temp::new();
    let store = t.open();
    let a = article("a1", "s.example", "https://S.Example:443/Path/?q=1&utm_source=x", "https://s.example/Path?q=1");
    store.apply(&batch(vec![upsert(&a)], &[(0, 1)])).unwrap();
    for url in
        ["https://s.example/Path?q=1", "HTTPS://s.example/Path/?q=1#comments", " https://s.example/Path?fbclid=z&q=1 "]
    {
        assert_eq!(store.find_url(url).unwrap().map(|a| a.id).as_deref(), Some("a1"), "{url}");
    }
    for url in ["https://s.example/path?q=1", "https://s.example/Path?q=2", "https://s.example/Path"] {
        assert!(store.find_url(url).unwrap().is_none(), "{url} is another page");
    }
}

#[test]
fn a_url_is_found_again_when_the_article_that_took_it_over_goes_or_moves() {
    let t = Temp::new();
    let store = t.open();
    let at = |seconds| Some(copydesk_proto::Timestamp { seconds, nanos: 0 });
    let shared = "https://s.example/shared";
    let first = Article { fetched_at: at(1_000), ..article("a1", "s.example", shared, "") };
    let second = Article { fetched_at: at(2_000), ..article("b2", "s.example", &format!("{shared}/"), "") };
    store.apply(&batch(vec![upsert(&first), upsert(&second)], &[(0, 2)])).unwrap();
    assert_eq!(store.find_url(shared).unwrap().unwrap().id, "b2", "the newer capture answers");
    // The newer one moves to another URL: the first holds the shared one again.
    let moved = Article { fetched_at: at(3_000), ..article("b2", "s.example", "https://s.example/moved", "") };
    store.apply(&batch(vec![upsert(&moved)], &[(0, 3)])).unwrap();
    assert_eq!(store.find_url(shared).unwrap().unwrap().id, "a1");
    // It takes the URL over again, and is then deleted.
    let back = Article { fetched_at: at(4_000), ..article("b2", "s.example", shared, "") };
    store.apply(&batch(vec![upsert(&back)], &[(0, 4)])).unwrap();
    assert_eq!(store.find_url(shared).unwrap().unwrap().id, "b2");
    store.apply(&batch(vec![Change::Delete { id: "b2".into() }], &[(0, 5)])).unwrap();
    assert_eq!(store.find_url(shared).unwrap().unwrap().id, "a1");
    store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 6)])).unwrap();
    assert!(store.find_url(shared).unwrap().is_none());
}

#[test]
fn a_store_indexed_by_an_older_normaliser_is_indexed_again_on_open() {
    let t = Temp::new();
    {
        let store = t.open();
        let a = article("a1", "s.example", "https://s.example/a/?utm_source=x", "");
        store.apply(&batch(vec![upsert(&a)], &[(0, 1)])).unwrap();
        // As a store of the previous version would be: no version, no entries.
        let txn = store.db.begin_write().unwrap();
        txn.delete_table(url_index::URL_OWNERS).unwrap();
        txn.open_table(META).unwrap().remove("url_key_version").unwrap();
        txn.commit().unwrap();
    }
    let store = t.open();
    assert_eq!(store.find_url("https://s.example/a").unwrap().unwrap().id, "a1");
}

#[test]
fn pages_cover_every_article_once_in_a_stable_order() {
    let t = Temp::new();
    let store = t.open();
    let mut changes = Vec::new();
    for i in 0..57 {
        let site = if i % 3 == 0 { "three.example" } else { "other.example" };
        changes.push(upsert(&article(&format!("{i:04x}"), site, &format!("https://{site}/{i}"), "")));
    }
    store.apply(&batch(changes, &[(0, 57)])).unwrap();
    for (site, expected) in [(None, 57), (Some("three.example"), 19), (Some("other.example"), 38)] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = store.list(site, after.as_deref(), 7).unwrap();
            assert!(page.articles.len() <= 7);
            seen.extend(page.articles.into_iter().map(|a| a.id));
            match page.next_after {
                Some(last) => after = Some(last),
                None => break,
            }
        }
        assert_eq!(seen.len(), expected, "{site:?}");
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), expected, "{site:?}: an article was listed twice");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{site:?}: not in id order");
        // The same listing again gives the same first page.
        let again: Vec<String> = store.list(site, None, 7).unwrap().articles.into_iter().map(|a| a.id).collect();
        assert_eq!(again, seen[..7]);
    }
    // An exact last page says no more follow.
    assert!(store.list(Some("three.example"), None, 19).unwrap().next_after.is_none());
    assert!(store.list(Some("nobody.example"), None, 5).unwrap().articles.is_empty());
}

#[test]
fn offsets_persist_with_the_data_across_reopening() {
    let t = Temp::new();
    {
        let store = t.open();
        assert!(store.offsets().unwrap().is_empty());
        let a = article("a1", "s.example", "https://s.example/a", "");
        store.apply(&batch(vec![upsert(&a)], &[(0, 10), (2, 5)])).unwrap();
        store.apply(&batch(vec![], &[(2, 7)])).unwrap();
    }
    let store = t.open();
    assert_eq!(store.offsets().unwrap(), BTreeMap::from([(0, 10), (2, 7)]));
    assert_eq!(store.get("a1").unwrap().unwrap().title, "title of a1");
}

#[test]
fn a_failed_batch_leaves_neither_data_nor_offsets() {
    let t = Temp::new();
    let store = t.open();
    store.apply(&batch(vec![upsert(&article("a1", "s", "https://s/a", ""))], &[(0, 1)])).unwrap();
    // A batch is written as `apply` writes it (articles and offsets in one
    // transaction); one that stops before its commit, as a crash would stop
    // it, must leave no trace of either.
    let txn = store.db.begin_write().unwrap();
    {
        let mut articles = txn.open_table(ARTICLES).unwrap();
        articles.insert("b2", b"partial".as_slice()).unwrap();
        let mut offsets = txn.open_table(OFFSETS).unwrap();
        offsets.insert(0, 99).unwrap();
    }
    txn.abort().unwrap();
    assert!(store.get("b2").unwrap().is_none());
    assert_eq!(store.offsets().unwrap(), BTreeMap::from([(0, 1)]));
}

#[test]
fn a_store_of_another_topic_is_refused() {
    let t = Temp::new();
    drop(t.open());
    assert!(matches!(Store::open(&t.path, "other"), Err(LookupError::OtherTopic { .. })));
}

#[test]
fn an_older_capture_read_after_a_newer_one_does_not_replace_it() {
    let t = Temp::new();
    let store = t.open();
    let at = |seconds| Some(copydesk_proto::Timestamp { seconds, nanos: 0 });
    let newer = Article { fetched_at: at(2_000), title: "newer".into(), ..article("a1", "s", "https://s/1", "") };
    let older = Article { fetched_at: at(1_000), title: "older".into(), ..article("a1", "s", "https://s/1", "") };
    store.apply(&batch(vec![upsert(&newer)], &[(0, 1)])).unwrap();
    store.apply(&batch(vec![upsert(&older)], &[(0, 2)])).unwrap();
    assert_eq!(store.get("a1").unwrap().unwrap().title, "newer");
    assert_eq!(store.offsets().unwrap()[&0], 2, "the older record is still read past");
    let newest = Article { fetched_at: at(3_000), title: "newest".into(), ..article("a1", "s", "https://s/1", "") };
    store.apply(&batch(vec![upsert(&newest)], &[(0, 3)])).unwrap();
    assert_eq!(store.get("a1").unwrap().unwrap().title, "newest");
}

#[test]
fn a_filtered_listing_pages_through_only_what_it_keeps() {
    let t = Temp::new();
    let store = t.open();
    let changes = (0..30)
        .map(|i| {
            let language = if i % 3 == 0 { "fr" } else { "en" };
            upsert(&Article {
                language: language.into(),
                ..article(&format!("{i:04}"), "s", &format!("https://s/{i}"), "")
            })
        })
        .collect();
    store.apply(&batch(changes, &[(0, 30)])).unwrap();
    let french = |a: &Article| a.language == "fr";
    let (mut seen, mut after) = (Vec::new(), None::<String>);
    loop {
        let page = store.list_within(None, after.as_deref(), 4, usize::MAX, Some(&french), |_| Ok(())).unwrap();
        assert!(page.articles.iter().all(french));
        seen.extend(page.articles.into_iter().map(|a| a.id));
        match page.next_after {
            Some(last) => after = Some(last),
            None => break,
        }
    }
    let expected: Vec<String> = (0..30).filter(|i| i % 3 == 0).map(|i| format!("{i:04}")).collect();
    assert_eq!(seen, expected);
}

#[test]
fn another_topic_id_empties_the_store_and_the_same_one_keeps_it() {
    let temp = Temp::new();
    let store = temp.open();
    let a = article("a", "s.example", "https://s.example/a", "");
    store.apply(&batch(vec![upsert(&a)], &[(0, 1)])).unwrap();
    // A store that knew no id yet takes the first one it is told, as is.
    assert!(!store.adopt_topic_id("0001").unwrap());
    assert!(!store.adopt_topic_id("0001").unwrap());
    assert_eq!((store.len().unwrap(), store.topic_id().unwrap().as_deref()), (1, Some("0001")));
    // Another id: articles, indexes and offsets go, the new id stays.
    assert!(store.adopt_topic_id("0002").unwrap());
    assert_eq!(store.len().unwrap(), 0);
    assert!(store.offsets().unwrap().is_empty());
    assert!(store.find_url("https://s.example/a").unwrap().is_none());
    assert!(store.list(Some("s.example"), None, 10).unwrap().articles.is_empty());
    drop(store);
    assert_eq!(temp.open().topic_id().unwrap().as_deref(), Some("0002"));
}
