//! The format of the stored records, checked when the store opens: a
//! store of an earlier version is brought to this one's in place; one of a
//! format this version does not know is emptied and rebuilt from the topic.

use std::ops::Bound;

use redb::{ReadableTable, WriteTransaction};
use tracing::warn;

use super::record::{self, Part};
use super::{ARTICLES, META, OFFSETS, SITES, TRACES, pieces, revisions, url_index};
use crate::LookupError;

/// The `META` key of the stored records' format, and the format written
/// now: deflate records (`record`) cut into page-sized pieces (`pieces`).
/// A store without it holds the plain protobuf records of the first
/// versions, a store of [`LZ4`] LZ4 records: their articles are rewritten
/// when opened (their revisions are still read as they are), and so are
/// the [`WHOLE`] deflate records, each whole under its id, of format "3"
/// (the body deflated alone). Another format (a later version's) cannot be
/// read: the store is emptied and rebuilt from the topic.
pub(super) const FORMAT_KEY: &str = "record_format";
pub(super) const FORMAT: &str = "4";
const LZ4: &str = "2";
const WHOLE: &str = "3";

/// Empties every table of articles, revisions, indexes, traces and offsets,
/// in `txn`: the store is then rebuilt from the topic's beginning.
pub(super) fn empty(txn: &WriteTransaction) -> Result<(), LookupError> {
    // Deleted and opened again empty: cheaper than removing each row.
    txn.delete_table(ARTICLES)?;
    txn.open_table(ARTICLES)?;
    txn.delete_table(pieces::PIECES)?;
    txn.open_table(pieces::PIECES)?;
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
    /// Records of an earlier format (plain protobuf, LZ4, whole) rewritten (how many).
    Rewritten(u64),
    /// A format this version does not know: emptied, to be rebuilt.
    Emptied(String),
}

/// Brings the records to this version's format, in `txn`.
pub(super) fn upgrade_records(txn: &WriteTransaction) -> Result<Upgrade, LookupError> {
    let stored = txn.open_table(META)?.get(FORMAT_KEY)?.map(|v| v.value().to_string());
    let upgrade = match stored.as_deref() {
        Some(FORMAT) => return Ok(Upgrade::Current),
        None | Some(LZ4 | WHOLE) => Upgrade::Rewritten(rewrite_earlier(txn)?),
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

#[cfg(test)]
mod tests;
