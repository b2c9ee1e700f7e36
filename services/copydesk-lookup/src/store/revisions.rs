//! An article's earlier revisions: each capture whose content (its
//! `content_hash`) differs from the capture before it. The newest revision
//! by capture time is the article itself, in the articles table; the ones
//! it replaced are kept here, as stored records, until the retention
//! (a count, and optionally an age) lets them go or a tombstone deletes
//! the article.
//!
//! Revisions are ordered by (capture time, content hash): a total order, so
//! reading the same records again, in any order, leaves the same history.

use std::ops::Bound;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use copydesk_proto::v1::Article;
use redb::{ReadableDatabase, ReadableTable, Table, TableDefinition};

use super::record::{self, Part};
use super::{ARTICLES, Reserved, Store, captured, pieces, tails};
use crate::LookupError;

/// (article id, capture time in ms, content hash) -> the revision's stored record.
pub(super) const REVISIONS: TableDefinition<'_, (&str, i64, &str), &[u8]> = TableDefinition::new("revisions");

pub(super) type Revisions<'t> = Table<'t, (&'static str, i64, &'static str), &'static [u8]>;

/// Where a revision stands in its article's history.
pub type Key = (i64, String);

/// How many revisions of an article are kept, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Revisions kept per article, the current one included (at least 1:
    /// 1 keeps no history).
    pub keep: usize,
    /// Earlier revisions captured longer ago than this are dropped; the
    /// current revision is the article and never expires.
    pub max_age: Option<Duration>,
}

/// Newsrooms track corrections over the life of a story: 20 revisions
/// cover the rewrites of a developing one, with no age limit.
pub const DEFAULT_KEEP: usize = 20;

impl Default for Retention {
    fn default() -> Retention {
        Retention { keep: DEFAULT_KEEP, max_age: None }
    }
}

impl Retention {
    /// Earlier revisions captured before this instant (ms since the epoch)
    /// have expired.
    pub(super) fn expired_before(&self) -> i64 {
        let Some(age) = self.max_age else { return i64::MIN };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let cutoff = now.saturating_sub(age);
        i64::try_from(cutoff.as_millis()).unwrap_or(i64::MAX)
    }
}

/// An article's place in the order of revisions.
pub(super) fn key_of(article: &Article) -> (i64, &str) {
    (captured(article), article.content_hash.as_str())
}

/// A bound on the table's keys.
type Edge<'a> = Bound<(&'a str, i64, &'a str)>;

/// Every key of article `id`.
fn range_of(id: &str) -> (Edge<'_>, Edge<'_>) {
    (Bound::Included((id, i64::MIN, "")), Bound::Included((id, i64::MAX, "")))
}

/// The keys of `id`'s earlier revisions, oldest first (few: at most the retention).
pub(super) fn history(
    revisions: &impl ReadableTable<(&'static str, i64, &'static str), &'static [u8]>,
    id: &str,
) -> Result<Vec<Key>, LookupError> {
    let mut keys = Vec::new();
    for entry in revisions.range::<(&str, i64, &str)>(range_of(id))? {
        let (key, _) = entry?;
        let (_, at, hash) = key.value();
        keys.push((at, hash.to_string()));
    }
    Ok(keys)
}

/// Keeps `stored` (a record of `article`, captured before the current
/// revision `current`) as an earlier revision, unless the revision just
/// before or just after it has the same content: then it is the same
/// revision captured again, or the same record read again. True when kept.
pub(super) fn add_older(
    revisions: &mut Revisions<'_>,
    id: &str,
    article: &Article,
    stored: &[u8],
    current: &Article,
) -> Result<bool, LookupError> {
    let (at, hash) = key_of(article);
    let keys = history(revisions, id)?;
    let i = keys.partition_point(|(t, h)| (*t, h.as_str()) <= (at, hash));
    let before = i.checked_sub(1).map(|i| keys[i].1.as_str());
    let after = keys.get(i).map_or(current.content_hash.as_str(), |(_, h)| h.as_str());
    if before == Some(hash) || after == hash {
        return Ok(false);
    }
    revisions.insert((id, at, hash), stored)?;
    Ok(true)
}

/// Keeps `stored`, the record of the revision `article` that a newer one replaces.
pub(super) fn add_replaced(
    revisions: &mut Revisions<'_>,
    id: &str,
    article: &Article,
    stored: &[u8],
) -> Result<(), LookupError> {
    let (at, hash) = key_of(article);
    revisions.insert((id, at, hash), stored)?;
    Ok(())
}

/// Drops `id`'s earlier revisions beyond the retention's count and age.
pub(super) fn prune(revisions: &mut Revisions<'_>, id: &str, retention: &Retention) -> Result<(), LookupError> {
    let keys = history(revisions, id)?;
    let excess = keys.len().saturating_sub(retention.keep.saturating_sub(1));
    let expired = retention.expired_before();
    for (i, (at, hash)) in keys.iter().enumerate() {
        if i < excess || *at < expired {
            revisions.remove((id, *at, hash.as_str()))?;
        }
    }
    Ok(())
}

/// Drops every earlier revision of `id` (the article was deleted).
pub(super) fn remove_all(revisions: &mut Revisions<'_>, id: &str) -> Result<(), LookupError> {
    for (at, hash) in history(revisions, id)? {
        revisions.remove((id, at, hash.as_str()))?;
    }
    Ok(())
}

/// Up to `limit` of `id`'s earlier revisions before `before` (all when
/// `None`), newest first, leaving out the expired ones.
pub(super) fn newest_first(
    revisions: &impl ReadableTable<(&'static str, i64, &'static str), &'static [u8]>,
    id: &str,
    before: Option<(i64, &str)>,
    limit: usize,
    retention: &Retention,
) -> Result<Vec<(Key, Vec<u8>)>, LookupError> {
    let expired = retention.expired_before();
    let upper = match before {
        Some((at, hash)) => Bound::Excluded((id, at, hash)),
        None => range_of(id).1,
    };
    let mut out = Vec::new();
    for entry in revisions.range::<(&str, i64, &str)>((range_of(id).0, upper))?.rev() {
        if out.len() == limit {
            break;
        }
        let (key, stored) = entry?;
        let (_, at, hash) = key.value();
        // Older ones are older still: the rest have expired too.
        if at < expired {
            break;
        }
        out.push(((at, hash.to_string()), stored.value().to_vec()));
    }
    Ok(out)
}

/// One page of an article's revisions, newest first.
#[derive(Debug)]
pub struct RevisionPage {
    pub revisions: Vec<Article>,
    /// Where the page ended, when more may follow: the next page is the
    /// revisions before it.
    pub next_before: Option<Key>,
}

impl Store {
    /// Up to `limit` revisions of article `id` before `before` (from the
    /// newest, the article itself, when `None`), newest first; the page ends
    /// early before its decoded bytes pass `max_bytes` (one revision at
    /// least), and `reserve` is told them first. `None` when there is no
    /// such article.
    pub fn revisions_within(
        &self,
        id: &str,
        before: Option<(i64, &str)>,
        limit: usize,
        max_bytes: usize,
        part: Part,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Option<RevisionPage>, LookupError> {
        let txn = self.db.begin_read()?;
        let (articles, pieces, tails) =
            (txn.open_table(ARTICLES)?, txn.open_table(pieces::PIECES)?, txn.open_table(tails::TAILS)?);
        // The current revision is served too: read as much of it as `part` needs.
        let Some(current) = pieces::load(&articles, &pieces, &tails, id, part)? else { return Ok(None) };
        let (at, hash) = {
            let head = record::decode(id, &current, Part::Head)?;
            let (at, hash) = key_of(&head);
            (at, hash.to_string())
        };
        let mut found = Vec::with_capacity(limit.min(64) + 1);
        if before.is_none_or(|before| (at, hash.as_str()) < before) {
            found.push(((at, hash), current));
        }
        let history = txn.open_table(REVISIONS)?;
        // One more than asked tells whether another page follows.
        let wanted = (limit + 1).saturating_sub(found.len());
        found.extend(newest_first(&history, id, before, wanted, &self.retention)?);
        let mut more = found.len() > limit;
        found.truncate(limit);
        let (mut total, mut kept) = (0, 0);
        for (_, stored) in &found {
            let size = record::decoded_len(stored, part);
            if kept > 0 && total + size > max_bytes {
                more = true;
                break;
            }
            total += size;
            kept += 1;
        }
        found.truncate(kept);
        reserve(total)?;
        let next_before = if more { found.last().map(|(key, _)| key.clone()) } else { None };
        let revisions = found.iter().map(|(_, stored)| record::decode(id, stored, part)).collect::<Result<_, _>>()?;
        Ok(Some(RevisionPage { revisions, next_before }))
    }

    /// All revisions of `id`, newest first (tests and tools).
    pub fn revisions(&self, id: &str) -> Result<Option<Vec<Article>>, LookupError> {
        let page = self.revisions_within(id, None, usize::MAX - 1, usize::MAX, Part::Whole, |_| Ok(()))?;
        Ok(page.map(|p| p.revisions))
    }
}

#[cfg(test)]
mod tests;
