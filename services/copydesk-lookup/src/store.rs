//! The embedded store (redb, one file): articles by id (their current
//! revision, compressed: `record`, cut to redb's pages: `pieces`), their
//! earlier revisions (`revisions`),
//! the URL and site indexes, and the next offset to read per partition of
//! the articles topic.
//!
//! A batch of records and the offsets just past them are written in one
//! write transaction, so the file always describes a prefix of each
//! partition: after a crash or restart the materialiser resumes exactly
//! where the last committed batch ended, and never has to re-read from 0.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use copydesk_proto::v1::Article;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use tracing::{info, warn};

pub use self::compact::FileSpace;
pub use self::encoded::Found;
use self::format::{Upgrade, empty, upgrade_records};
pub use self::record::Part;
use self::revisions::Revisions;
pub use self::revisions::{DEFAULT_KEEP, Key, Retention, RevisionPage};
use crate::LookupError;
pub use crate::url_key::url_key;

mod compact;
mod encoded;
mod format;
mod hot;
mod listing;
mod pieces;
mod reads;
mod record;
mod revisions;
mod space;
mod tails;
mod url_index;

/// Article id -> its current revision, as a `record` (compressed; encoded
/// once when written, so that serving never re-encodes): its first bytes
/// (or where `tails` packed them), the rest in [`pieces::PIECES`].
const ARTICLES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("articles");
/// (site, article id), so one site's articles are a contiguous range in id order.
const SITES: TableDefinition<'_, (&str, &str), ()> = TableDefinition::new("sites");
/// Partition -> the next offset to read.
const OFFSETS: TableDefinition<'_, i32, i64> = TableDefinition::new("offsets");
/// Article id → the `traceparent` its record carried (the trace link).
const TRACES: TableDefinition<'_, &str, &str> = TableDefinition::new("traces");
/// Facts about the store itself: which topic it materialises, the URL
/// normaliser its URL index was built with.
const META: TableDefinition<'_, &str, &str> = TableDefinition::new("meta");
/// The `META` key of the articles topic's Kafka topic id (32 hex digits).
const TOPIC_ID: &str = "topic_id";

/// One record's effect on the store.
#[derive(Debug, Clone)]
pub enum Change {
    /// A capture of an article (the record's key is `id`).
    Upsert { id: String, article: Box<Article> },
    /// A tombstone: the article is gone.
    Delete { id: String },
}

/// Changes in topic order, and for each partition the offset just past the
/// last record they came from (records that changed nothing count too).
#[derive(Debug, Default)]
pub struct Batch {
    pub changes: Vec<Change>,
    pub offsets: BTreeMap<i32, i64>,
    /// The `traceparent` each upserted article was published with, by id:
    /// the link from a stored article back to the trace that produced it.
    pub traces: Vec<(String, String)>,
}

/// One page of a listing, in key order.
#[derive(Debug)]
pub struct Page {
    pub articles: Vec<Article>,
    /// The id of the last article, when more may follow.
    pub next_after: Option<String>,
}

/// The store's own cache unless configured: enough for the hot pages of the
/// indexes; article reads beyond it come from the kernel's page cache.
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;

/// The hot articles' budget unless configured (`hot`): some thousands of
/// ordinary articles' answers.
pub const DEFAULT_HOT_BYTES: usize = 64 << 20;

/// The materialised articles topic.
pub struct Store {
    db: Database,
    path: PathBuf,
    retention: Retention,
    hot: hot::Hot,
}

impl Store {
    /// Opens (or creates) the store for `topic`. A store written for another
    /// topic is refused: its offsets would mean nothing there.
    pub fn open(path: &Path, topic: &str) -> Result<Store, LookupError> {
        Store::open_with_cache(path, topic, DEFAULT_CACHE_BYTES)
    }

    /// As `open`, with at most `cache_bytes` of the file cached in memory.
    /// A file with much free space is compacted first (`compact`).
    pub fn open_with_cache(path: &Path, topic: &str, cache_bytes: usize) -> Result<Store, LookupError> {
        Store::open_compacting(path, topic, cache_bytes, (compact::MIN_FREE_SHARE, compact::MIN_FREE_BYTES))
    }

    /// As `open_with_cache`, compacting when the free share of the file and
    /// its free bytes are at least `compact_at`'s.
    fn open_compacting(
        path: &Path,
        topic: &str,
        cache_bytes: usize,
        compact_at: (f64, u64),
    ) -> Result<Store, LookupError> {
        let open_error = |source: redb::Error| LookupError::StoreOpen { path: path.to_path_buf(), source };
        let db = redb::Builder::new().set_cache_size(cache_bytes).create(path).map_err(|e| open_error(e.into()))?;
        let txn = db.begin_write()?;
        {
            // Every table exists from the start, so readers never meet a missing one.
            txn.open_table(ARTICLES)?;
            txn.open_table(pieces::PIECES)?;
            txn.open_table(tails::TAILS)?;
            txn.open_table(tails::LIVE)?;
            txn.open_table(revisions::REVISIONS)?;
            txn.open_table(url_index::URL_OWNERS)?;
            txn.open_table(SITES)?;
            txn.open_table(OFFSETS)?;
            let mut meta = txn.open_table(META)?;
            let stored = meta.get("topic")?.map(|v| v.value().to_string());
            match stored {
                None => {
                    meta.insert("topic", topic)?;
                }
                Some(stored) if stored != topic => {
                    return Err(LookupError::OtherTopic {
                        path: path.to_path_buf(),
                        stored,
                        configured: topic.to_string(),
                    });
                }
                Some(_) => {}
            }
        }
        match upgrade_records(&txn)? {
            Upgrade::Current => {}
            Upgrade::Rewritten(n) => {
                info!(message = "Records rewritten in this version's format.", path = %path.display(), records = n)
            }
            Upgrade::Emptied(format) => {
                warn!(message = "The store's records are of an unknown format; rebuilding it from the topic.", path = %path.display(), format)
            }
        }
        if url_index::rebuild_if_stale(&txn)? {
            info!(message = "URL index built for this version's URL normaliser.", path = %path.display());
        }
        txn.commit()?;
        let mut db = db;
        compact::compact_if_worth(&mut db, path, compact_at.0, compact_at.1)?;
        Ok(Store {
            db,
            path: path.to_path_buf(),
            retention: Retention::default(),
            hot: hot::Hot::new(DEFAULT_HOT_BYTES),
        })
    }

    /// The store, keeping earlier revisions as `retention` says from now on.
    pub fn with_retention(mut self, retention: Retention) -> Store {
        self.retention = retention;
        self
    }

    /// The store, keeping at most `budget` bytes of hot articles' answers
    /// in memory (0: none).
    pub fn with_hot_bytes(mut self, budget: usize) -> Store {
        self.hot = hot::Hot::new(budget);
        self
    }

    /// Checks the store against the topic's Kafka topic id. A store that has
    /// none yet takes `id`. A store written for another id (the topic was
    /// deleted and created again) is emptied in the same transaction: its
    /// articles and offsets belong to a topic that no longer exists, and it is
    /// rebuilt from the new topic's beginning. True when it was emptied.
    pub fn adopt_topic_id(&self, id: &str) -> Result<bool, LookupError> {
        let txn = self.db.begin_write()?;
        let stored = txn.open_table(META)?.get(TOPIC_ID)?.map(|v| v.value().to_string());
        let rebuild = stored.as_deref().is_some_and(|stored| stored != id);
        if stored.as_deref() == Some(id) {
            return Ok(false);
        }
        if rebuild {
            empty(&txn)?;
        }
        txn.open_table(META)?.insert(TOPIC_ID, id)?;
        let write = if rebuild { self.hot.write_all() } else { self.hot.write([]) };
        txn.commit()?;
        drop(write);
        Ok(rebuild)
    }

    /// The Kafka topic id the store was written from, once known.
    pub fn topic_id(&self) -> Result<Option<String>, LookupError> {
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(META)?.get(TOPIC_ID)?.map(|v| v.value().to_string()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies a batch and its offsets in one transaction: all or nothing.
    pub fn apply(&self, batch: &Batch) -> Result<(), LookupError> {
        let txn = self.db.begin_write()?;
        {
            let mut articles = txn.open_table(ARTICLES)?;
            let mut pieces = txn.open_table(pieces::PIECES)?;
            let (mut tails, mut live) = (txn.open_table(tails::TAILS)?, txn.open_table(tails::LIVE)?);
            let mut packer = tails::Packer::default();
            let mut urls = txn.open_table(url_index::URL_OWNERS)?;
            let mut seq = url_index::Sequence::load(&txn)?;
            let mut sites = txn.open_table(SITES)?;
            let mut offsets = txn.open_table(OFFSETS)?;
            let mut traces = txn.open_table(TRACES)?;
            let mut history = txn.open_table(revisions::REVISIONS)?;
            let mut kept_newer = Vec::new();
            for change in &batch.changes {
                let id = match change {
                    Change::Upsert { id, .. } | Change::Delete { id } => id.as_str(),
                };
                let stored = match packer.written(id) {
                    Some(written) => Ok(Some(written.to_vec())),
                    None => pieces::load(&articles, &pieces, &tails, id, Part::Whole),
                };
                let stored = match stored {
                    // Replaced or removed whole, as a record that does not
                    // decode is: a damaged record never stops the batches.
                    Err(LookupError::CorruptRecord { reason, .. }) => {
                        warn!(message = "A stored article is missing a piece; the change replaces it.", id, %reason);
                        None
                    }
                    stored => stored?,
                };
                match change {
                    Change::Upsert { article, .. } => {
                        let record = record::encode(article);
                        if !self.place(&mut history, id, article, &record, stored.as_deref())? {
                            kept_newer.push(id);
                            continue;
                        }
                        packer.put(&articles, &mut pieces, id, &record)?;
                    }
                    Change::Delete { .. } => {
                        revisions::remove_all(&mut history, id)?;
                        packer.remove(&mut articles, &mut pieces, id)?;
                    }
                }
                // A new version's trace replaces the old one's, or none is left.
                traces.remove(id)?;
                // The old version's index entries go first; the new version's
                // are then added, so entries both share survive.
                if let Some(old) = stored.map(|stored| record::decode(id, &stored, Part::Head)) {
                    match old {
                        Ok(old) => {
                            url_index::remove(&mut urls, id, &old)?;
                            sites.remove((old.site.as_str(), id))?;
                        }
                        Err(error) => {
                            warn!(message = "A stored article does not decode; its index entries stay.", id, %error)
                        }
                    }
                }
                if let Change::Upsert { article, .. } = change {
                    url_index::add(&mut urls, &mut seq, id, article)?;
                    sites.insert((article.site.as_str(), id), ())?;
                }
            }
            for (id, traceparent) in batch.traces.iter().filter(|(id, _)| !kept_newer.contains(&id.as_str())) {
                traces.insert(id.as_str(), traceparent.as_str())?;
            }
            packer.flush(&mut articles, &mut tails, &mut live)?;
            for (&partition, &next) in &batch.offsets {
                offsets.insert(partition, next)?;
            }
            seq.save(&txn)?;
        }
        let write = self.hot.write(batch.changes.iter().map(|change| match change {
            Change::Upsert { id, .. } | Change::Delete { id } => id.as_str(),
        }));
        txn.commit()?;
        drop(write);
        Ok(())
    }

    /// Whether an upserted `article` (stored as `record`) becomes the
    /// article, its current revision. The revision it replaces is kept in
    /// the history when their contents differ; a capture older than the
    /// current one goes into the history instead (unless its content is a
    /// neighbour's there), so a late or replayed record never replaces a
    /// newer one.
    fn place(
        &self,
        history: &mut Revisions<'_>,
        id: &str,
        article: &Article,
        record: &[u8],
        stored: Option<&[u8]>,
    ) -> Result<bool, LookupError> {
        let Some(stored) = stored else { return Ok(true) };
        let current = match record::decode(id, stored, Part::Head) {
            Ok(current) => current,
            Err(error) => {
                warn!(message = "A stored article does not decode; the new capture replaces it.", id, %error);
                return Ok(true);
            }
        };
        let (new, old) = (revisions::key_of(article), revisions::key_of(&current));
        if new.1 == old.1 {
            // The same content captured again: no new revision; the latest
            // capture of it is what is served.
            return Ok(new.0 >= old.0);
        }
        if new < old {
            if revisions::add_older(history, id, article, record, &current)? {
                revisions::prune(history, id, &self.retention)?;
            }
            return Ok(false);
        }
        revisions::add_replaced(history, id, &current, stored)?;
        revisions::prune(history, id, &self.retention)?;
        Ok(true)
    }

    /// The next offset to read for every partition read so far.
    pub fn offsets(&self) -> Result<BTreeMap<i32, i64>, LookupError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(OFFSETS)?;
        let mut out = BTreeMap::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            out.insert(k.value(), v.value());
        }
        Ok(out)
    }

    /// How many articles are stored.
    pub fn len(&self) -> Result<u64, LookupError> {
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(ARTICLES)?.len()?)
    }

    pub fn is_empty(&self) -> Result<bool, LookupError> {
        Ok(self.len()? == 0)
    }

    /// The `traceparent` of the record that stored article `id`, if it had one.
    pub fn trace_of(&self, id: &str) -> Result<Option<String>, LookupError> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(TRACES) {
            Ok(t) => t,
            // A store written before trace links existed has no such table.
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(table.get(id)?.map(|v| v.value().to_string()))
    }
}

/// What a reservation answers: go on, or refuse the read with this error.
pub type Reserved = Result<(), LookupError>;

/// Articles in the order their ids were asked, `None` where absent.
pub type Articles = Result<Vec<Option<Article>>, LookupError>;

#[cfg(test)]
pub(crate) mod tests;

/// When an article's page was captured, in ms since the epoch (0 when unknown).
fn captured(article: &Article) -> i64 {
    article.fetched_at.as_ref().map_or(0, |t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
}
