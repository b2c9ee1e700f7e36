//! The URL index: every article that holds a URL (or canonical URL) under
//! its normalised key, not only the last one written. Two pages may share a
//! URL (a syndicated story, a canonical pointing at a section); when the
//! article that took a URL over is deleted or moves to another URL, the
//! article that held it before is found again, rather than nothing.
//!
//! A lookup answers the holder captured last; between equal capture times,
//! the one indexed last (a sequence kept in the store's meta table).

use std::ops::Bound;

use copydesk_proto::v1::Article;
use redb::{ReadableTable, Table, TableDefinition, WriteTransaction};

use super::{ARTICLES, META, captured, pieces, tails};
use crate::LookupError;
use crate::url_key::{URL_KEY_VERSION, url_key};

/// (URL key, article id) -> (capture time in ms, indexing sequence).
pub(super) const URL_OWNERS: TableDefinition<'_, (&str, &str), (i64, u64)> = TableDefinition::new("url_owners");
/// The index of stores written before version 2: URL key -> last id only.
const LEGACY_URLS: TableDefinition<'_, &str, &str> = TableDefinition::new("urls");
/// Meta keys: the [`URL_KEY_VERSION`] the index was built with, and the sequence.
const VERSION_KEY: &str = "url_key_version";
const SEQ_KEY: &str = "url_seq";

type Owners<'t> = Table<'t, (&'static str, &'static str), (i64, u64)>;

/// The URL and canonical URL under their index keys, each once.
pub(super) fn keys(article: &Article) -> Vec<String> {
    let mut keys: Vec<String> =
        [&article.url, &article.canonical_url].into_iter().filter(|u| !u.is_empty()).map(|u| url_key(u)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The indexing sequence during a write transaction; [`Sequence::save`]
/// stores where it ended in that same transaction.
pub(super) struct Sequence(u64);

impl Sequence {
    pub(super) fn load(txn: &WriteTransaction) -> Result<Sequence, LookupError> {
        let meta = txn.open_table(META)?;
        let next = meta.get(SEQ_KEY)?.and_then(|v| v.value().parse().ok()).unwrap_or(0);
        Ok(Sequence(next))
    }

    fn next(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }

    pub(super) fn save(self, txn: &WriteTransaction) -> Result<(), LookupError> {
        txn.open_table(META)?.insert(SEQ_KEY, self.0.to_string().as_str())?;
        Ok(())
    }
}

/// Adds `article`'s URL entries under `id`.
pub(super) fn add(owners: &mut Owners<'_>, seq: &mut Sequence, id: &str, article: &Article) -> Result<(), LookupError> {
    let at = captured(article);
    for key in keys(article) {
        owners.insert((key.as_str(), id), (at, seq.next()))?;
    }
    Ok(())
}

/// Removes `article`'s URL entries under `id`; other holders keep theirs.
pub(super) fn remove(owners: &mut Owners<'_>, id: &str, article: &Article) -> Result<(), LookupError> {
    for key in keys(article) {
        owners.remove((key.as_str(), id))?;
    }
    Ok(())
}

/// The id answering `key`: its holder captured last, then indexed last.
pub(super) fn owner(
    owners: &impl ReadableTable<(&'static str, &'static str), (i64, u64)>,
    key: &str,
) -> Result<Option<String>, LookupError> {
    let mut best: Option<((i64, u64), String)> = None;
    for entry in owners.range::<(&str, &str)>((Bound::Included((key, "")), Bound::Unbounded))? {
        let (k, v) = entry?;
        let (entry_key, id) = k.value();
        if entry_key != key {
            break;
        }
        let rank = v.value();
        if best.as_ref().is_none_or(|(b, _)| rank > *b) {
            best = Some((rank, id.to_string()));
        }
    }
    Ok(best.map(|(_, id)| id))
}

/// Builds the index again from the stored articles when it was built by
/// another version of the normaliser (or is the legacy one-owner index), so
/// an upgrade never leaves URLs under keys that lookups no longer make.
pub(super) fn rebuild_if_stale(txn: &WriteTransaction) -> Result<bool, LookupError> {
    {
        let meta = txn.open_table(META)?;
        if meta.get(VERSION_KEY)?.is_some_and(|v| v.value() == URL_KEY_VERSION) {
            return Ok(false);
        }
    }
    txn.delete_table(LEGACY_URLS)?;
    txn.delete_table(URL_OWNERS)?;
    let mut seq = Sequence(0);
    {
        let (articles, pieces, tails) =
            (txn.open_table(ARTICLES)?, txn.open_table(pieces::PIECES)?, txn.open_table(tails::TAILS)?);
        let mut owners = txn.open_table(URL_OWNERS)?;
        for entry in articles.iter()? {
            let id = entry?.0.value().to_string();
            // An article that does not decode is served as stored but cannot be indexed.
            let stored = match pieces::load(&articles, &pieces, &tails, &id, super::Part::Head) {
                Ok(stored) => stored.unwrap_or_default(),
                // Missing a piece: not indexed, as a record that does not decode.
                Err(LookupError::CorruptRecord { .. }) => continue,
                Err(error) => return Err(error),
            };
            if let Ok(article) = super::record::decode(&id, &stored, super::Part::Head) {
                add(&mut owners, &mut seq, &id, &article)?;
            }
        }
    }
    seq.save(txn)?;
    txn.open_table(META)?.insert(VERSION_KEY, URL_KEY_VERSION)?;
    Ok(true)
}
