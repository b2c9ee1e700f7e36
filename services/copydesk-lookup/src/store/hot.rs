//! The hot articles: the encoded answers of recently read articles, kept in
//! memory up to a byte budget, so that the articles a newsroom's readers
//! ask for again and again (today's front pages) are answered without a
//! read transaction, a decompression or a hop to the read pool.
//!
//! An entry is what [`Store::get_encoded_within`](super::Store) read, for
//! one article id and one part. A write announces itself before it commits:
//! the ids it changes are evicted then, and until it ends no read keeps its
//! answer, so from the commit on every read of those ids goes to the file
//! and sees the new bytes. (Evicting only after the commit left a window in
//! which one read of the file saw the new version and the next, answered
//! from memory, the old one.) A read remembers the write generation it
//! started under and keeps its bytes only if no write was under way then
//! and none began since; the check and the insertion happen under the lock
//! that writes take, so an eviction always comes after any insertion it
//! must undo.

use bytes::Bytes;
use parking_lot::Mutex;
use quick_cache::sync::Cache;
use quick_cache::{Equivalent, Weighter};

use super::Part;

/// Entries past this share of the budget are not kept: one large page must
/// not push out hundreds of ordinary ones.
const LARGEST_SHARE: usize = 64;

/// The most entries the cache's table is sized for at start.
const MOST_ITEMS_AT_START: usize = 1 << 16;

/// Bookkeeping bytes counted per entry beside its key and answer.
const OVERHEAD: u64 = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    id: String,
    head: bool,
}

/// The borrowed form of [`Key`]: a lookup allocates nothing. Its hash is the
/// same as the owned key's (fields hashed in the same order, `str` as `String`).
#[derive(Hash)]
struct Asked<'a> {
    id: &'a str,
    head: bool,
}

impl Equivalent<Key> for Asked<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.head == key.head && self.id == key.id
    }
}

#[derive(Clone)]
struct Weight;

impl Weighter<Key, Bytes> for Weight {
    fn weight(&self, key: &Key, answer: &Bytes) -> u64 {
        (key.id.len() + answer.len()) as u64 + OVERHEAD
    }
}

/// The hot articles of one store; empty and inert with a budget of 0.
pub(super) struct Hot {
    cache: Option<Cache<Key, Bytes, Weight>>,
    largest: usize,
    writes: Mutex<Writes>,
}

/// Writes begun and finished so far, and those under way.
#[derive(Debug, Default)]
struct Writes {
    /// Bumped when a write begins and when it finishes.
    generation: u64,
    under_way: u32,
}

impl Writes {
    fn now(&self) -> Generation {
        Generation { generation: self.generation, quiet: self.under_way == 0 }
    }
}

/// The write generation a read started under.
#[derive(Debug, Clone, Copy)]
pub(super) struct Generation {
    generation: u64,
    /// No write was under way: what the read sees is the last write's.
    quiet: bool,
}

/// A write under way, from before its commit until the token is dropped.
#[must_use = "the write is under way until the token is dropped after the commit"]
pub(super) struct Write<'a> {
    hot: &'a Hot,
}

impl Hot {
    pub(super) fn new(budget: usize) -> Hot {
        // quick_cache sizes its table by an item estimate up front; ordinary
        // answers are a few KB, and a wrong guess only costs a resize. The
        // estimate is capped so that a huge budget allocates nothing until
        // answers fill it.
        let items = (budget / 4096).clamp(16, MOST_ITEMS_AT_START);
        let cache = (budget > 0).then(|| Cache::with_weighter(items, budget as u64, Weight));
        Hot { cache, largest: budget / LARGEST_SHARE, writes: Mutex::new(Writes::default()) }
    }

    pub(super) fn get(&self, id: &str, part: Part) -> Option<Bytes> {
        self.cache.as_ref()?.get(&Asked { id, head: part == Part::Head })
    }

    /// Taken before a read's transaction begins.
    pub(super) fn generation(&self) -> Generation {
        self.writes.lock().now()
    }

    /// Whether no write was under way at `began` and none began since: the
    /// hot answers are those of the snapshot a read began after `began`.
    pub(super) fn unchanged_since(&self, began: Generation) -> bool {
        began.quiet && self.writes.lock().generation == began.generation
    }

    /// Keeps a read's answer, unless a write began or finished since `began`.
    pub(super) fn offer(&self, id: &str, part: Part, began: Generation, answer: &Bytes) {
        let Some(cache) = &self.cache else { return };
        if answer.len() > self.largest {
            return;
        }
        let writes = self.writes.lock();
        if began.quiet && writes.generation == began.generation {
            cache.insert(Key { id: id.to_string(), head: part == Part::Head }, answer.clone());
        }
    }

    /// Announces a write that changes `ids`, before its transaction
    /// commits; it ends when the token is dropped.
    pub(super) fn write<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Write<'_> {
        let mut writes = self.writes.lock();
        writes.generation += 1;
        writes.under_way += 1;
        if let Some(cache) = &self.cache {
            for id in ids {
                for head in [false, true] {
                    cache.remove(&Asked { id, head });
                }
            }
        }
        Write { hot: self }
    }

    /// Announces a write that may change any article.
    pub(super) fn write_all(&self) -> Write<'_> {
        let write = self.write([]);
        if let Some(cache) = &self.cache {
            cache.clear();
        }
        write
    }

    /// Bytes held now, as the budget counts them.
    pub(super) fn weight(&self) -> u64 {
        self.cache.as_ref().map_or(0, Cache::weight)
    }
}

/// The write ends when its token goes, committed or failed.
impl Drop for Write<'_> {
    fn drop(&mut self) {
        let mut writes = self.hot.writes.lock();
        writes.generation += 1;
        writes.under_way -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn keeps_answers_by_id_and_part_until_a_write_evicts_them() {
        let hot = Hot::new(1 << 20);
        let began = hot.generation();
        hot.offer("a", Part::Whole, began, &bytes("whole a"));
        hot.offer("a", Part::Head, began, &bytes("head a"));
        hot.offer("b", Part::Whole, began, &bytes("whole b"));
        assert_eq!(hot.get("a", Part::Whole), Some(bytes("whole a")));
        assert_eq!(hot.get("a", Part::Head), Some(bytes("head a")));
        drop(hot.write(["a"]));
        assert_eq!((hot.get("a", Part::Whole), hot.get("a", Part::Head)), (None, None));
        assert_eq!(hot.get("b", Part::Whole), Some(bytes("whole b")), "other ids stay");
        drop(hot.write_all());
        assert_eq!(hot.get("b", Part::Whole), None);
        assert_eq!(hot.weight(), 0);
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let hot = Hot::new(1 << 20);
        let began = hot.generation();
        // A write to another article finished while the read ran: what the
        // read saw may predate it, so it is dropped, whatever its id.
        drop(hot.write(["other"]));
        hot.offer("a", Part::Whole, began, &bytes("maybe stale"));
        assert_eq!(hot.get("a", Part::Whole), None);
        assert!(!hot.unchanged_since(began));
        assert!(hot.unchanged_since(hot.generation()));
        drop(hot.write_all());
        hot.offer("a", Part::Whole, began, &bytes("maybe stale"));
        assert_eq!(hot.get("a", Part::Whole), None);
        let now = hot.generation();
        hot.offer("a", Part::Whole, now, &bytes("fresh"));
        assert_eq!(hot.get("a", Part::Whole), Some(bytes("fresh")));
    }

    #[test]
    fn nothing_is_kept_or_left_while_a_write_is_under_way() {
        let hot = Hot::new(1 << 20);
        let before = hot.generation();
        hot.offer("a", Part::Whole, before, &bytes("old"));
        let write = hot.write(["a"]);
        // From the announcement on, the old answer is gone: once the write
        // commits, a read of the file sees the new bytes, and the next read
        // must not be answered the old ones from memory.
        assert_eq!(hot.get("a", Part::Whole), None);
        // Read before the write was announced, offered after.
        hot.offer("a", Part::Whole, before, &bytes("old"));
        // Read while the write is under way: before or after its commit.
        let during = hot.generation();
        hot.offer("a", Part::Whole, during, &bytes("old or new"));
        assert_eq!(hot.get("a", Part::Whole), None);
        assert!(!hot.unchanged_since(before) && !hot.unchanged_since(during));
        drop(write);
        hot.offer("a", Part::Whole, during, &bytes("old or new"));
        assert_eq!(hot.get("a", Part::Whole), None, "began during the write");
        let after = hot.generation();
        hot.offer("a", Part::Whole, after, &bytes("new"));
        assert_eq!(hot.get("a", Part::Whole), Some(bytes("new")));
        assert!(hot.unchanged_since(after));
    }

    #[test]
    fn stays_within_its_budget_and_skips_large_answers() {
        let hot = Hot::new(64 << 10);
        let large = Bytes::from(vec![b'x'; (64 << 10) / LARGEST_SHARE + 1]);
        hot.offer("large", Part::Whole, hot.generation(), &large);
        assert_eq!(hot.get("large", Part::Whole), None);
        let page = Bytes::from(vec![b'y'; 900]);
        for i in 0..1000 {
            hot.offer(&format!("id{i}"), Part::Whole, hot.generation(), &page);
        }
        assert!(hot.weight() <= 64 << 10, "{} bytes held", hot.weight());
        assert!(hot.weight() > 32 << 10, "{} bytes held", hot.weight());
        // A budget far beyond memory allocates nothing up front.
        let huge = Hot::new(usize::MAX / 2);
        huge.offer("a", Part::Whole, huge.generation(), &page);
        assert_eq!(huge.get("a", Part::Whole), Some(page.clone()));
        let off = Hot::new(0);
        off.offer("a", Part::Whole, off.generation(), &page);
        assert_eq!(off.get("a", Part::Whole), None);
    }
}
