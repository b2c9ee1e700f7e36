//! The embedded store (redb, one file): articles by id, the URL and site
//! indexes, and the next offset to read per partition of the articles topic.
//!
//! A batch of records and the offsets just past them are written in one
//! write transaction, so the file always describes a prefix of each
//! partition: after a crash or restart the materialiser resumes exactly
//! where the last committed batch ended, and never has to re-read from 0.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};

use copydesk_proto::v1::Article;
use prost::Message;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use tracing::{info, warn};

use crate::LookupError;
use crate::list_filter::SCAN_BUDGET;
pub use crate::url_key::url_key;

mod url_index;

/// Article id -> the record's value as read from Kafka (protobuf `Article`).
/// Stored as received so that serving never re-encodes what ingest wrote.
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
    /// The latest version of an article (the record's key is `id`), decoded
    /// for the indexes and watchers, and as read, for storing.
    Upsert { id: String, article: Box<Article>, bytes: Vec<u8> },
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

/// The materialised articles topic.
pub struct Store {
    db: Database,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store for `topic`. A store written for another
    /// topic is refused: its offsets would mean nothing there.
    pub fn open(path: &Path, topic: &str) -> Result<Store, LookupError> {
        Store::open_with_cache(path, topic, DEFAULT_CACHE_BYTES)
    }

    /// As `open`, with at most `cache_bytes` of the file cached in memory.
    pub fn open_with_cache(path: &Path, topic: &str, cache_bytes: usize) -> Result<Store, LookupError> {
        let open_error = |source: redb::Error| LookupError::StoreOpen { path: path.to_path_buf(), source };
        let db = redb::Builder::new().set_cache_size(cache_bytes).create(path).map_err(|e| open_error(e.into()))?;
        let txn = db.begin_write()?;
        {
            // Every table exists from the start, so readers never meet a missing one.
            txn.open_table(ARTICLES)?;
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
        if url_index::rebuild_if_stale(&txn)? {
            info!(message = "URL index built for this version's URL normaliser.", path = %path.display());
        }
        txn.commit()?;
        Ok(Store { db, path: path.to_path_buf() })
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
            // Deleted and opened again empty: cheaper than removing each row.
            txn.delete_table(ARTICLES)?;
            txn.open_table(ARTICLES)?;
            txn.delete_table(url_index::URL_OWNERS)?;
            txn.open_table(url_index::URL_OWNERS)?;
            txn.delete_table(SITES)?;
            txn.open_table(SITES)?;
            txn.delete_table(OFFSETS)?;
            txn.open_table(OFFSETS)?;
            txn.delete_table(TRACES)?;
            txn.open_table(TRACES)?;
        }
        txn.open_table(META)?.insert(TOPIC_ID, id)?;
        txn.commit()?;
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
            let mut urls = txn.open_table(url_index::URL_OWNERS)?;
            let mut seq = url_index::Sequence::load(&txn)?;
            let mut sites = txn.open_table(SITES)?;
            let mut offsets = txn.open_table(OFFSETS)?;
            let mut traces = txn.open_table(TRACES)?;
            let mut kept_newer = Vec::new();
            for change in &batch.changes {
                // An older capture read after a newer one (a replay, or two
                // captures finishing out of order) never replaces it.
                if let Change::Upsert { id, article, .. } = change {
                    let stored = articles.get(id.as_str())?.map(|v| Article::decode(v.value()));
                    if let Some(Ok(stored)) = stored
                        && captured(&stored) > captured(article)
                    {
                        kept_newer.push(id.as_str());
                        continue;
                    }
                }
                // A new version's trace replaces the old one's, or none is left.
                let id = match change {
                    Change::Upsert { id, .. } | Change::Delete { id } => id,
                };
                traces.remove(id.as_str())?;
                let (id, replaced) = match change {
                    Change::Upsert { id, bytes, .. } => (id, articles.insert(id.as_str(), bytes.as_slice())?),
                    Change::Delete { id } => (id, articles.remove(id.as_str())?),
                };
                // The old version's index entries go first; the new version's
                // are then added, so entries both share survive.
                if let Some(old) = replaced.map(|v| Article::decode(v.value())) {
                    match old {
                        Ok(old) => {
                            url_index::remove(&mut urls, id, &old)?;
                            sites.remove((old.site.as_str(), id.as_str()))?;
                        }
                        Err(error) => {
                            warn!(message = "A stored article does not decode; its index entries stay.", id, %error)
                        }
                    }
                }
                if let Change::Upsert { id, article, .. } = change {
                    url_index::add(&mut urls, &mut seq, id, article)?;
                    sites.insert((article.site.as_str(), id.as_str()), ())?;
                }
            }
            for (id, traceparent) in batch.traces.iter().filter(|(id, _)| !kept_newer.contains(&id.as_str())) {
                traces.insert(id.as_str(), traceparent.as_str())?;
            }
            for (&partition, &next) in &batch.offsets {
                offsets.insert(partition, next)?;
            }
            seq.save(&txn)?;
        }
        txn.commit()?;
        Ok(())
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

    pub fn get(&self, id: &str) -> Result<Option<Article>, LookupError> {
        Ok(self.get_many(&[id])?.pop().flatten())
    }

    /// Several articles read in one snapshot, in the order asked.
    pub fn get_many(&self, ids: &[&str]) -> Result<Vec<Option<Article>>, LookupError> {
        self.get_many_within(ids, |_| Ok(()))
    }

    /// [`Store::get_many`], with `reserve` told the stored bytes of what was
    /// found before anything is decoded, so that a caller can refuse (or
    /// budget) a large answer before it takes memory.
    pub fn get_many_within(&self, ids: &[&str], reserve: impl FnOnce(usize) -> Reserved) -> Articles {
        let txn = self.db.begin_read()?;
        let articles = txn.open_table(ARTICLES)?;
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.push(articles.get(*id)?);
        }
        reserve(found.iter().flatten().map(|bytes| bytes.value().len()).sum())?;
        ids.iter().zip(found).map(|(id, bytes)| bytes.map(|b| decode(id, b.value())).transpose()).collect()
    }

    /// The article whose URL or canonical URL is `url` (after [`url_key`]).
    pub fn find_url(&self, url: &str) -> Result<Option<Article>, LookupError> {
        self.find_url_within(url, |_| Ok(()))
    }

    /// [`Store::find_url`], reserving as [`Store::get_many_within`] does.
    pub fn find_url_within(
        &self,
        url: &str,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Option<Article>, LookupError> {
        let txn = self.db.begin_read()?;
        let urls = txn.open_table(url_index::URL_OWNERS)?;
        let Some(id) = url_index::owner(&urls, &url_key(url))? else { return Ok(None) };
        Ok(self.get_many_within(&[&id], reserve)?.pop().flatten())
    }

    /// Up to `limit` articles after the id `after`, in id order, of one site
    /// or of all. The order is the keys', so it is stable across calls and an
    /// article present throughout a listing is returned exactly once.
    pub fn list(&self, site: Option<&str>, after: Option<&str>, limit: usize) -> Result<Page, LookupError> {
        self.list_within(site, after, limit, usize::MAX, None, |_| Ok(()))
    }

    /// [`Store::list`], with the page also ended before its stored bytes
    /// pass `max_bytes` (one article at least, so a listing always moves on),
    /// only articles `keep` accepts (at most [`SCAN_BUDGET`] or 20 per asked
    /// result examined: a page out of budget is short, and goes on after the
    /// last one examined), and `reserve` told the page's bytes before the
    /// page is decoded.
    pub fn list_within(
        &self,
        site: Option<&str>,
        after: Option<&str>,
        limit: usize,
        max_bytes: usize,
        keep: Option<&(dyn Fn(&Article) -> bool + Send + Sync)>,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Page, LookupError> {
        let txn = self.db.begin_read()?;
        let articles = txn.open_table(ARTICLES)?;
        let candidates: Box<dyn Iterator<Item = Result<String, LookupError>>> = match site {
            None => {
                let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
                let range = articles.range::<&str>((lower, Bound::Unbounded))?;
                Box::new(range.map(|entry| Ok(entry?.0.value().to_string())))
            }
            Some(site) => {
                let sites = txn.open_table(SITES)?;
                let lower = match after {
                    Some(after) => Bound::Excluded((site, after)),
                    None => Bound::Included((site, "")),
                };
                let range = sites.range::<(&str, &str)>((lower, Bound::Unbounded))?;
                let site = site.to_string();
                Box::new(
                    range
                        .map(move |entry| {
                            let (key, _) = entry?;
                            let (entry_site, id) = key.value();
                            Ok((entry_site == site).then(|| id.to_string()))
                        })
                        .take_while(|id: &Result<Option<String>, LookupError>| !matches!(id, Ok(None)))
                        .map(|id| id.map(Option::unwrap_or_default)),
                )
            }
        };
        // One more than asked tells whether another page follows.
        let mut ids: Vec<String> = Vec::with_capacity(limit.min(MAX_PREALLOCATED) + 1);
        let budget = if keep.is_some() { SCAN_BUDGET.max(limit.saturating_mul(20)) } else { usize::MAX };
        let (mut examined, mut resume) = (0, None);
        for id in candidates {
            if ids.len() > limit {
                break;
            }
            let id = id?;
            if let Some(keep) = keep {
                if examined == budget {
                    break;
                }
                examined += 1;
                let kept = match articles.get(id.as_str())? {
                    Some(bytes) => decode(&id, bytes.value()).is_ok_and(|a| keep(&a)),
                    None => false,
                };
                if !kept {
                    resume = Some(id);
                    continue;
                }
                resume = None;
            }
            ids.push(id);
        }
        // Only a scan that ran out of budget after a left-out article resumes there.
        if examined < budget {
            resume = None;
        }
        let mut more = ids.len() > limit;
        ids.truncate(limit);
        // Indexes and articles change in the same transactions, so an
        // indexed id is always stored in this snapshot.
        let mut stored = Vec::with_capacity(ids.len());
        let (mut total, mut cut) = (0, None);
        for (i, id) in ids.iter().enumerate() {
            let Some(bytes) = articles.get(id.as_str())? else { continue };
            let size = bytes.value().len();
            if i > 0 && total + size > max_bytes {
                cut = Some(i);
                break;
            }
            total += size;
            stored.push((i, bytes));
        }
        reserve(total)?;
        let page =
            stored.into_iter().map(|(i, bytes)| decode(&ids[i], bytes.value())).collect::<Result<Vec<_>, _>>()?;
        if let Some(cut) = cut {
            ids.truncate(cut);
            more = true;
        }
        let next_after = match (more, resume) {
            (true, _) => ids.pop(),
            (false, Some(resume)) => Some(resume),
            (false, None) if examined == budget => ids.pop(),
            (false, None) => None,
        };
        Ok(Page { articles: page, next_after })
    }
}

/// Listings reserve room for at most this many ids up front.
const MAX_PREALLOCATED: usize = 1024;

/// What a reservation answers: go on, or refuse the read with this error.
pub type Reserved = Result<(), LookupError>;

/// Articles in the order their ids were asked, `None` where absent.
pub type Articles = Result<Vec<Option<Article>>, LookupError>;

fn decode(id: &str, bytes: &[u8]) -> Result<Article, LookupError> {
    Article::decode(bytes).map_err(|source| LookupError::Corrupt { id: id.to_string(), source })
}

#[cfg(test)]
mod tests;

/// When an article's page was captured, in ms since the epoch (0 when unknown).
fn captured(article: &Article) -> i64 {
    article.fetched_at.as_ref().map_or(0, |t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
}
