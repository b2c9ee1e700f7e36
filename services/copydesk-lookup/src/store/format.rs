//! The format of the stored records, checked when the store opens: a
//! store of an earlier version is brought to this one's in place; one of a
//! format this version does not know is emptied and rebuilt from the topic.

use std::ops::Bound;

use redb::{ReadableTable, WriteTransaction};
use tracing::warn;

use super::record::{self, Part};
use super::{ARTICLES, META, OFFSETS, SITES, TRACES, pieces, revisions, tails, url_index};
use crate::LookupError;

/// The `META` key of the stored records' format, and the format written
/// now: deflate records (`record`) cut into page-sized pieces (`pieces`),
/// their first bytes packed many to a page (`tails`).
/// A store without it holds the plain protobuf records of the first
/// versions, a store of [`LZ4`] LZ4 records: their articles are rewritten
/// when opened (their revisions are still read as they are), and so are
/// the [`WHOLE`] deflate records, each whole under its id, of format "3"
/// (the body deflated alone); the [`INLINE`] ones, cut but with their
/// first bytes under their ids, have those packed. Another format (a
/// later version's) cannot be read: the store is emptied and rebuilt from
/// the topic.
pub(super) const FORMAT_KEY: &str = "record_format";
pub(super) const FORMAT: &str = "5";
const LZ4: &str = "2";
const WHOLE: &str = "3";
pub(super) const INLINE: &str = "4";

/// Empties every table of articles, revisions, indexes, traces and offsets,
/// in `txn`: the store is then rebuilt from the topic's beginning.
pub(super) fn empty(txn: &WriteTransaction) -> Result<(), LookupError> {
    // Deleted and opened again empty: cheaper than removing each row.
    txn.delete_table(ARTICLES)?;
    txn.open_table(ARTICLES)?;
    txn.delete_table(pieces::PIECES)?;
    txn.open_table(pieces::PIECES)?;
    txn.delete_table(tails::TAILS)?;
    txn.open_table(tails::TAILS)?;
    txn.delete_table(tails::LIVE)?;
    txn.open_table(tails::LIVE)?;
    txn.delete_table(revisions::REVISIONS)?;
    txn.open_table(revisions::REVISIONS)?;
    txn.delete_table(url_index::URL_OWNERS)?;
    txn.open_table(url_index::URL_OWNERS)?;
    txn.delete_table(SITES)?;
    txn.open_table(SITES)?;
    txn.delete_table(OFFSETS)?;
    txn.open_table(OFFSETS)?;
    txn.delete_table(TRACES)?;
    txn.open_table(TRACES)?;
    Ok(())
}

/// What opening did to the stored records' format.
pub(super) enum Upgrade {
    Current,
    /// Records of an earlier format (plain protobuf, LZ4, whole, first
    /// bytes inline) rewritten (how many).
    Rewritten(u64),
    /// A format this version does not know: emptied, to be rebuilt.
    Emptied(String),
}

/// Brings the records to this version's format, in `txn`.
pub(super) fn upgrade_records(txn: &WriteTransaction) -> Result<Upgrade, LookupError> {
    let stored = txn.open_table(META)?.get(FORMAT_KEY)?.map(|v| v.value().to_string());
    let upgrade = match stored.as_deref() {
        Some(FORMAT) => return Ok(Upgrade::Current),
        None | Some(LZ4 | WHOLE) => {
            rewrite_earlier(txn)?;
            Upgrade::Rewritten(pack_inline(txn)?)
        }
        Some(INLINE) => Upgrade::Rewritten(pack_inline(txn)?),
        Some(other) => {
            empty(txn)?;
            Upgrade::Emptied(other.to_string())
        }
    };
    txn.open_table(META)?.insert(FORMAT_KEY, FORMAT)?;
    Ok(upgrade)
}

/// Rewrites the articles' records of earlier formats in this one, a chunk
/// of ids at a time (a table is not written while it is iterated). Every
/// earlier format kept each record whole under its id, with no pieces.
fn rewrite_earlier(txn: &WriteTransaction) -> Result<u64, LookupError> {
    let mut articles = txn.open_table(ARTICLES)?;
    let mut pieces = txn.open_table(pieces::PIECES)?;
    let (mut after, mut rewritten) = (None::<String>, 0);
    loop {
        let lower = after.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let mut chunk = Vec::new();
        for entry in articles.range::<&str>((lower, Bound::Unbounded))?.take(1024) {
            let (id, stored) = entry?;
            chunk.push((id.value().to_string(), stored.value().to_vec()));
        }
        let Some((last, _)) = chunk.last() else { return Ok(rewritten) };
        after = Some(last.clone());
        for (id, earlier) in chunk {
            if record::is_current(&earlier) {
                // Only cut: the record itself is of the format written now.
                pieces::put(&mut articles, &mut pieces, &id, &earlier)?;
                rewritten += 1;
                continue;
            }
            match record::decode(&id, &earlier, Part::Whole) {
                Ok(article) => {
                    pieces::put(&mut articles, &mut pieces, &id, &record::encode(&article))?;
                    rewritten += 1;
                }
                // Kept as it is (its bytes as a record without pieces): it
                // is served (as an error) as before.
                Err(error) => {
                    warn!(message = "A stored article does not decode; left as it is.", id, %error);
                    pieces::put(&mut articles, &mut pieces, &id, &earlier)?;
                }
            }
        }
    }
}

/// Packs the first bytes every article keeps inline (`tails`), a chunk of
/// ids at a time; how many articles were looked at (a few may stay
/// inline: see `tails`). Then the articles table, whose values shrank to
/// references in leaves that large values had split, is written again.
fn pack_inline(txn: &WriteTransaction) -> Result<u64, LookupError> {
    let mut articles = txn.open_table(ARTICLES)?;
    let (mut tails, mut live) = (txn.open_table(tails::TAILS)?, txn.open_table(tails::LIVE)?);
    let (mut after, mut seen) = (None::<String>, 0);
    loop {
        let lower = after.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let mut packer = tails::Packer::default();
        let mut last = None;
        for entry in articles.range::<&str>((lower, Bound::Unbounded))?.take(1024) {
            let (id, value) = entry?;
            packer.take_inline(id.value(), value.value());
            last = Some(id.value().to_string());
            seen += 1;
        }
        let Some(last) = last else { break };
        after = Some(last);
        packer.flush(&mut articles, &mut tails, &mut live)?;
    }
    let mut values = Vec::new();
    for entry in articles.iter()? {
        let (id, value) = entry?;
        values.push((id.value().to_string(), value.value().to_vec()));
    }
    // Emptied, not deleted: redb's `delete_table` queues every page of the
    // tree to be freed after the commit, pages this transaction wrote
    // included, which its own debug assertions refuse; removing the entries
    // frees those at once.
    articles.retain(|_, _| false)?;
    // Not in key order: redb splits a full leaf in halves, so keys written
    // in order would leave every leaf half full. Ids read backwards are in
    // no particular order of their own.
    values.sort_unstable_by(|a, b| a.0.bytes().rev().cmp(b.0.bytes().rev()));
    for (id, value) in values {
        articles.insert(id.as_str(), value.as_slice())?;
    }
    Ok(seen)
}

#[cfg(test)]
mod tests;
