//! The hot articles: the encoded answers of recently read articles, kept in
//! memory up to a byte budget, so that the articles a newsroom's readers
//! ask for again and again (today's front pages) are answered without a
//! read transaction, a decompression or a hop to the read pool.
//!
//! An entry is what [`Store::get_encoded_within`](super::Store) read, for
//! one article id and one part. Writes evict the ids they change after they
//! commit. A read that raced a write must not put back the bytes the write
//! replaced, so a read remembers the write generation it started under and
//! its bytes are kept only if no write finished since; the check and the
//! insertion happen under the lock that writes take to bump the generation
//! and evict, so an eviction always comes after any insertion it must undo.

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
    /// Writes finished so far, bumped under the lock.
    generation: Mutex<u64>,
}

/// The write generation a read started under.
#[derive(Debug, Clone, Copy)]
pub(super) struct Generation(u64);

impl Hot {
    pub(super) fn new(budget: usize) -> Hot {
        // quick_cache sizes its table by an item estimate up front; ordinary
        // answers are a few KB, and a wrong guess only costs a resize. The
        // estimate is capped so that a huge budget allocates nothing until
        // answers fill it.
        let items = (budget / 4096).clamp(16, MOST_ITEMS_AT_START);
        let cache = (budget > 0).then(|| Cache::with_weighter(items, budget as u64, Weight));
        Hot { cache, largest: budget / LARGEST_SHARE, generation: Mutex::new(0) }
    }

    pub(super) fn get(&self, id: &str, part: Part) -> Option<Bytes> {
        self.cache.as_ref()?.get(&Asked { id, head: part == Part::Head })
    }

    /// Taken before a read's transaction begins.
    pub(super) fn generation(&self) -> Generation {
        Generation(*self.generation.lock())
    }

    /// Whether no write finished since `began`.
    pub(super) fn unchanged_since(&self, began: Generation) -> bool {
        *self.generation.lock() == began.0
    }

    /// Keeps a read's answer, unless a write finished since `began`.
    pub(super) fn offer(&self, id: &str, part: Part, began: Generation, answer: &Bytes) {
        let Some(cache) = &self.cache else { return };
        if answer.len() > self.largest {
            return;
        }
        let generation = self.generation.lock();
        if *generation == began.0 {
            cache.insert(Key { id: id.to_string(), head: part == Part::Head }, answer.clone());
        }
    }

    /// After a write that changed `ids` committed.
    pub(super) fn evict<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut generation = self.generation.lock();
        *generation += 1;
        let Some(cache) = &self.cache else { return };
        for id in ids {
            for head in [false, true] {
                cache.remove(&Asked { id, head });
            }
        }
    }

    /// After a write that may have changed any article.
    pub(super) fn clear(&self) {
        let mut generation = self.generation.lock();
        *generation += 1;
        if let Some(cache) = &self.cache {
            cache.clear();
        }
    }

    /// Bytes held now, as the budget counts them.
    pub(super) fn weight(&self) -> u64 {
        self.cache.as_ref().map_or(0, Cache::weight)
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
        hot.evict(["a"]);
        assert_eq!((hot.get("a", Part::Whole), hot.get("a", Part::Head)), (None, None));
        assert_eq!(hot.get("b", Part::Whole), Some(bytes("whole b")), "other ids stay");
        hot.clear();
        assert_eq!(hot.get("b", Part::Whole), None);
        assert_eq!(hot.weight(), 0);
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let hot = Hot::new(1 << 20);
        let began = hot.generation();
        // A write to another article finished while the read ran: what the
        // read saw may predate it, so it is dropped, whatever its id.
        hot.evict(["other"]);
        hot.offer("a", Part::Whole, began, &bytes("maybe stale"));
        assert_eq!(hot.get("a", Part::Whole), None);
        assert!(!hot.unchanged_since(began));
        assert!(hot.unchanged_since(hot.generation()));
        hot.clear();
        hot.offer("a", Part::Whole, began, &bytes("maybe stale"));
        assert_eq!(hot.get("a", Part::Whole), None);
        let now = hot.generation();
        hot.offer("a", Part::Whole, now, &bytes("fresh"));
        assert_eq!(hot.get("a", Part::Whole), Some(bytes("fresh")));
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
