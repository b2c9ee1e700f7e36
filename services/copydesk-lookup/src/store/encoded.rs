//! Reads that answer one article as its protobuf bytes (`record::encoded`)
//! rather than as a decoded `Article`: what GetArticle and LookupArticle
//! send, without decoding and encoding the article again. A record larger
//! than the caller's limit is not read at all, only sized, so a caller on
//! the read pool can leave the few large ones to a blocking thread.
//!
//! Reads by id answer from the hot articles (`hot`) when they can, and
//! offer them what they read.

use bytes::Bytes;
use redb::{ReadTransaction, ReadableDatabase};

use super::{ARTICLES, Part, Reserved, Store, pieces, record, tails, url_index, url_key};
use crate::LookupError;

/// What a read of one article's bytes found.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// No such article (or no article holds that URL).
    Absent,
    /// The article's protobuf bytes.
    Bytes(Bytes),
    /// Not read: its part decodes to this many bytes, over the limit asked.
    Larger(usize),
}

impl Store {
    /// Article `id` (only `part` of it) as its protobuf bytes: exactly what
    /// encoding the article of [`Store::get_part_within`] gives. `reserve`
    /// is told the bytes before anything is decompressed, as there; an
    /// article whose part is over `limit` bytes is left unread (`Larger`).
    pub fn get_encoded_within(
        &self,
        id: &str,
        part: Part,
        limit: usize,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Found, LookupError> {
        let began = self.hot.generation();
        if let Some(answer) = self.hot_encoded(id, part) {
            return within(answer, limit, reserve);
        }
        let txn = self.db.begin_read()?;
        let found = read(&txn, id, part, limit, reserve)?;
        if let Found::Bytes(answer) = &found {
            self.hot.offer(id, part, began, answer);
        }
        Ok(found)
    }

    /// Article `id` (only `part` of it) as its protobuf bytes if it is one
    /// of the hot articles: memory only, never a read of the file, so it
    /// may be asked from an async task.
    pub fn hot_encoded(&self, id: &str, part: Part) -> Option<Bytes> {
        self.hot.get(id, part)
    }

    /// Memory the hot articles' answers hold now.
    pub fn hot_bytes(&self) -> u64 {
        self.hot.weight()
    }

    /// Articles `ids` (only `part` of each) as their protobuf bytes, in the
    /// order asked and in one snapshot: what encoding the articles of
    /// [`Store::get_part_within`] gives, with `reserve` told as there. The
    /// hot articles are not asked: they may be newer than the snapshot.
    pub fn get_many_encoded_within(
        &self,
        ids: &[&str],
        part: Part,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Vec<Option<Vec<u8>>>, LookupError> {
        let found = self.load_within(ids, part, reserve)?;
        ids.iter().zip(found).map(|(id, stored)| stored.map(|s| record::encoded(id, &s, part)).transpose()).collect()
    }

    /// [`Store::get_encoded_within`] of the article [`Store::find_url_part`]
    /// finds by URL (or canonical URL), in one snapshot: the URL is always
    /// looked up in the file, the article answered from the hot articles
    /// when they are no newer than that snapshot.
    pub fn find_url_encoded_within(
        &self,
        url: &str,
        part: Part,
        limit: usize,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Found, LookupError> {
        let began = self.hot.generation();
        let txn = self.db.begin_read()?;
        let urls = txn.open_table(url_index::URL_OWNERS)?;
        let Some(id) = url_index::owner(&urls, &url_key(url))? else { return Ok(Found::Absent) };
        // The owner is the snapshot's; the hot answer is the snapshot's only
        // if no write was under way when it began and none began since.
        if let Some(answer) = self.hot_encoded(&id, part)
            && self.hot.unchanged_since(began)
        {
            return within(answer, limit, reserve);
        }
        let found = read(&txn, &id, part, limit, reserve)?;
        if let Found::Bytes(answer) = &found {
            self.hot.offer(&id, part, began, answer);
        }
        Ok(found)
    }
}

fn read(
    txn: &ReadTransaction,
    id: &str,
    part: Part,
    limit: usize,
    reserve: impl FnOnce(usize) -> Reserved,
) -> Result<Found, LookupError> {
    let (articles, pieces, tails) =
        (txn.open_table(ARTICLES)?, txn.open_table(pieces::PIECES)?, txn.open_table(tails::TAILS)?);
    let Some(stored) = pieces::load(&articles, &pieces, &tails, id, part)? else { return Ok(Found::Absent) };
    let len = record::decoded_len(&stored, part);
    if len > limit {
        return Ok(Found::Larger(len));
    }
    reserve(len)?;
    Ok(Found::Bytes(record::encoded(id, &stored, part)?.into()))
}

/// A hot article's answer, as a read of the file would give it.
fn within(answer: Bytes, limit: usize, reserve: impl FnOnce(usize) -> Reserved) -> Result<Found, LookupError> {
    if answer.len() > limit {
        return Ok(Found::Larger(answer.len()));
    }
    reserve(answer.len())?;
    Ok(Found::Bytes(answer))
}

#[cfg(test)]
mod tests {
    use copydesk_proto::v1::Article;
    use prost::Message;

    use super::super::tests::{Temp, article, batch, upsert};
    use super::*;
    use crate::store::Change;

    #[test]
    fn reads_by_id_and_url_give_the_encoded_article_or_its_size() {
        let t = Temp::new();
        let store = t.open();
        let mut a = article("a1", "s.example", "https://s.example/a", "https://s.example/a?c=1");
        a.text = "Words. ".repeat(100);
        store.apply(&batch(vec![upsert(&a)], &[(0, 1)])).unwrap();
        let any = usize::MAX;
        for part in [Part::Whole, Part::Head] {
            let decoded = store.get_part_within(&["a1"], part, |_| Ok(())).unwrap().pop().flatten().unwrap();
            let want = Found::Bytes(decoded.encode_to_vec().into());
            let mut told = None;
            let read = store.get_encoded_within("a1", part, any, |n| {
                told = Some(n);
                Ok(())
            });
            assert_eq!(read.unwrap(), want);
            assert_eq!(told, Some(decoded.encoded_len()), "reserved before reading");
            assert_eq!(store.find_url_encoded_within("HTTPS://s.example/a/", part, any, |_| Ok(())).unwrap(), want);
            let size = decoded.encoded_len();
            let over = store.get_encoded_within("a1", part, size - 1, |_| panic!("not reserved")).unwrap();
            assert_eq!(over, Found::Larger(size));
        }
        assert_eq!(store.get_encoded_within("nope", Part::Whole, any, |_| Ok(())).unwrap(), Found::Absent);
        let none = store.find_url_encoded_within("https://other.example/", Part::Whole, any, |_| Ok(()));
        assert_eq!(none.unwrap(), Found::Absent);
        let refused = store.get_encoded_within("a1", Part::Whole, any, |_| Err(LookupError::Overloaded("test")));
        assert!(matches!(refused, Err(LookupError::Overloaded("test"))));
        store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 2)])).unwrap();
        assert_eq!(store.get_encoded_within("a1", Part::Whole, any, |_| Ok(())).unwrap(), Found::Absent);
    }

    /// A batch is read in the order asked, absent ids as `None`, and the
    /// whole batch's bytes are reserved once, before any is decompressed.
    #[test]
    fn a_batch_of_ids_gives_each_article_encoded_in_order() {
        let t = Temp::new();
        let store = t.open();
        let mut a = article("a1", "s.example", "https://s.example/a", "");
        a.text = "Words. ".repeat(100);
        let b = article("b2", "s.example", "https://s.example/b", "");
        store.apply(&batch(vec![upsert(&a), upsert(&b)], &[(0, 2)])).unwrap();
        for part in [Part::Whole, Part::Head] {
            let ids = ["b2", "nope", "a1"];
            let want: Vec<_> = store
                .get_part_within(&ids, part, |_| Ok(()))
                .unwrap()
                .into_iter()
                .map(|found| found.map(|article| article.encode_to_vec()))
                .collect();
            let mut told = Vec::new();
            let got = store.get_many_encoded_within(&ids, part, |n| {
                told.push(n);
                Ok(())
            });
            assert_eq!(got.unwrap(), want);
            assert_eq!(told, [want.iter().flatten().map(Vec::len).sum::<usize>()], "one reservation for the batch");
        }
        let refused = store.get_many_encoded_within(&["a1"], Part::Whole, |_| Err(LookupError::Overloaded("test")));
        assert!(matches!(refused, Err(LookupError::Overloaded("test"))));
    }

    /// Reads by id are answered from the hot articles once read, and every
    /// write that changes the article is seen by the next read: a new
    /// capture, a deletion, the topic re-created.
    #[test]
    fn hot_answers_follow_every_write() {
        let t = Temp::new();
        let store = t.open();
        let read = |id: &str| match store.get_encoded_within(id, Part::Whole, usize::MAX, |_| Ok(())).unwrap() {
            Found::Bytes(bytes) => Some(Article::decode(bytes).unwrap()),
            _ => None,
        };
        let mut a = article("a1", "s.example", "https://s.example/a", "");
        a.text = "First words.".into();
        a.content_hash = "first".into();
        store.apply(&batch(vec![upsert(&a)], &[(0, 1)])).unwrap();
        assert_eq!(store.hot_encoded("a1", Part::Whole), None, "not read yet");
        assert_eq!(read("a1").unwrap().text, "First words.");
        assert!(store.hot_encoded("a1", Part::Whole).is_some(), "kept once read");
        assert!(store.hot_bytes() > 0);
        a.text = "Corrected words.".into();
        a.content_hash = "second".into();
        a.fetched_at = Some(copydesk_proto::Timestamp { seconds: 1_700_000_000, nanos: 0 });
        store.apply(&batch(vec![upsert(&a)], &[(0, 2)])).unwrap();
        assert_eq!(read("a1").unwrap().text, "Corrected words.");
        let by_url = |url: &str| match store.find_url_encoded_within(url, Part::Whole, usize::MAX, |_| Ok(())).unwrap()
        {
            Found::Bytes(bytes) => Some(Article::decode(bytes).unwrap()),
            _ => None,
        };
        assert_eq!(by_url("https://s.example/a").unwrap().text, "Corrected words.", "hot, by URL");
        // A newer capture elsewhere takes the URL over: the lookup follows
        // the index, not the article that is hot.
        let mut b = article("b1", "s.example", "https://s.example/a", "");
        b.fetched_at = Some(copydesk_proto::Timestamp { seconds: 1_800_000_000, nanos: 0 });
        store.apply(&batch(vec![upsert(&b)], &[(0, 3)])).unwrap();
        assert_eq!(by_url("https://s.example/a").unwrap().id, "b1");
        assert_eq!(by_url("https://s.example/a").unwrap().id, "b1", "and again, hot");
        store.apply(&batch(vec![Change::Delete { id: "b1".into() }], &[(0, 4)])).unwrap();
        assert_eq!(by_url("https://s.example/a").unwrap().id, "a1", "back to the earlier holder");
        assert!(!store.adopt_topic_id("00000000000000000000000000000001").unwrap(), "first topic id: adopted");
        assert_eq!(read("a1").unwrap().text, "Corrected words.");
        assert!(store.adopt_topic_id("00000000000000000000000000000002").unwrap(), "another topic: rebuilt");
        assert_eq!(read("a1"), None);
        store.apply(&batch(vec![upsert(&a)], &[(0, 1)])).unwrap();
        assert!(read("a1").is_some());
        store.apply(&batch(vec![Change::Delete { id: "a1".into() }], &[(0, 2)])).unwrap();
        assert_eq!(read("a1"), None);
        let off = Temp::new();
        let store = off.open().with_hot_bytes(0);
        store.apply(&batch(vec![upsert(&a)], &[(0, 1)])).unwrap();
        assert!(store.get_encoded_within("a1", Part::Whole, usize::MAX, |_| Ok(())).is_ok());
        assert_eq!(store.hot_encoded("a1", Part::Whole), None, "disabled");
    }

    /// Readers racing a writer never see an article go back to an earlier
    /// version, and once the writes stop every read gives the last one: a
    /// read that began before a write cannot leave its bytes hot after it.
    #[test]
    fn reads_racing_writes_never_keep_replaced_bytes() {
        let t = Temp::new();
        let store = t.open();
        let version = |n: i64| {
            let mut a = article("a1", "s.example", "https://s.example/a", "");
            a.text = format!("Version {n}.");
            a.content_hash = format!("v{n}");
            a.fetched_at = Some(copydesk_proto::Timestamp { seconds: 1_700_000_000 + n, nanos: 0 });
            a
        };
        let seen = |store: &Store| match store.get_encoded_within("a1", Part::Whole, usize::MAX, |_| Ok(())).unwrap() {
            Found::Bytes(bytes) => Article::decode(bytes).unwrap().content_hash[1..].parse::<i64>().unwrap(),
            _ => -1,
        };
        const LAST: i64 = 300;
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    let mut newest = -1;
                    while !done.load(std::sync::atomic::Ordering::Acquire) {
                        let now = seen(&store);
                        assert!(now >= newest, "read version {now} after {newest}");
                        newest = now;
                    }
                });
            }
            for n in 0..=LAST {
                store.apply(&batch(vec![upsert(&version(n))], &[(0, n + 1)])).unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::Release);
        });
        assert_eq!(seen(&store), LAST);
        assert_eq!(seen(&store), LAST, "and again, from the hot articles");
    }
}
