//! How a current record lies in the file: cut into pieces that each fill
//! one of redb's pages exactly, and the rest (its first bytes) under the
//! article's id in the articles table.
//!
//! Why: redb gives a B-tree leaf a power-of-two number of pages, and a
//! record over a page takes a leaf of its own. A 5 KB record took 8 KiB;
//! whole records left about a third of the file as slack. A piece sized to
//! its page is alone in a leaf of exactly one page (two never fit
//! together, so redb never packs or merges them), and only the rest, under
//! a page, shares leaves with other articles' rests.
//!
//! A record is `[rest][piece 0][piece 1]...`: the rest is the record's
//! first `len - k * PIECE` bytes (1 to a piece's size), so that the
//! record's header stays in the articles table; the pieces follow in order
//! in [`PIECES`] under (id, index). Revisions keep whole records: they are
//! few next to the articles.

use std::ops::Bound;

use redb::{ReadableTable, Table, TableDefinition, Value};

use crate::LookupError;

/// (article id, piece index) -> a page-sized piece of its current record.
pub(super) const PIECES: TableDefinition<'_, (&str, u32), &[u8]> = TableDefinition::new("article_pieces");

/// The page size the store's file is made with: redb's default, which the
/// store never changes (a unit test checks it against the file's).
pub(super) const PAGE: usize = 4096;
/// A leaf's bytes beside its pairs: its header (type and entry count, 4),
/// and for one pair of variable-width key and value, their two end offsets.
const LEAF_OVERHEAD: usize = 4 + 2 * 4;

type Articles<'t> = Table<'t, &'static str, &'static [u8]>;
type Pieces<'t> = Table<'t, (&'static str, u32), &'static [u8]>;

/// The bytes of each of `id`'s pieces: what with its key fills a leaf's page.
pub(super) fn piece_len(id: &str) -> usize {
    let key = <(&str, u32) as Value>::as_bytes(&(id, 0));
    PAGE.saturating_sub(LEAF_OVERHEAD + key.len()).max(1)
}

/// How `record` of `id` is cut: the rest's length, and the pieces' count.
fn cut(id: &str, len: usize) -> (usize, usize) {
    let piece = piece_len(id);
    let pieces = len.saturating_sub(1) / piece;
    (len - pieces * piece, pieces)
}

/// Every piece key of `id`.
fn range_of(id: &str) -> (Bound<(&str, u32)>, Bound<(&str, u32)>) {
    (Bound::Included((id, 0)), Bound::Included((id, u32::MAX)))
}

/// The current record of `id`, put together; `None` when there is none.
pub(super) fn load(
    articles: &impl ReadableTable<&'static str, &'static [u8]>,
    pieces: &impl ReadableTable<(&'static str, u32), &'static [u8]>,
    id: &str,
) -> Result<Option<Vec<u8>>, LookupError> {
    let Some(rest) = articles.get(id)? else { return Ok(None) };
    let rest = rest.value();
    // A rest shorter than a piece may still have pieces after it: only a
    // record that is all rest (most small ones) needs no look past it, and
    // the range read that tells is one B-tree descent.
    let mut record = Vec::with_capacity(rest.len() + piece_len(id));
    record.extend_from_slice(rest);
    for (index, entry) in pieces.range::<(&str, u32)>(range_of(id))?.enumerate() {
        let (key, piece) = entry?;
        if key.value().1 as usize != index {
            return Err(LookupError::CorruptRecord { id: id.to_string(), reason: "a piece of it is missing".into() });
        }
        record.extend_from_slice(piece.value());
    }
    Ok(Some(record))
}

/// Stores `record` as `id`'s current record, in place of any before it.
pub(super) fn put(
    articles: &mut Articles<'_>,
    pieces: &mut Pieces<'_>,
    id: &str,
    record: &[u8],
) -> Result<(), LookupError> {
    let (rest, count) = cut(id, record.len());
    articles.insert(id, &record[..rest])?;
    for (index, piece) in record[rest..].chunks(piece_len(id)).enumerate() {
        pieces.insert((id, index as u32), piece)?;
    }
    // An earlier, longer record's last pieces go.
    let stale = (Bound::Included((id, count as u32)), range_of(id).1);
    pieces.retain_in::<(&str, u32), _>(stale, |_, _| false)?;
    Ok(())
}

/// Removes `id`'s current record.
pub(super) fn remove(articles: &mut Articles<'_>, pieces: &mut Pieces<'_>, id: &str) -> Result<(), LookupError> {
    articles.remove(id)?;
    pieces.retain_in::<(&str, u32), _>(range_of(id), |_, _| false)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use redb::{ReadableDatabase, ReadableTableMetadata};

    use super::*;

    fn temp_db() -> (redb::Database, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("copydesk-pieces-{}.redb", uuid::Uuid::new_v4().simple()));
        (redb::Database::create(&path).unwrap(), path)
    }

    const ARTICLES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("articles");

    /// Bytes that differ along the record, so a misplaced piece shows.
    fn record(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    #[test]
    fn records_of_any_length_come_back_whole_and_shorter_ones_leave_no_pieces() {
        let (db, path) = temp_db();
        let id = "0123456789abcdef0123456789abcdef";
        let piece = piece_len(id);
        for len in [1, 10, piece, piece + 1, 2 * piece, 2 * piece + 1, 5 * piece + 17, piece - 1, 3, 0] {
            let txn = db.begin_write().unwrap();
            {
                let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
                put(&mut articles, &mut pieces, id, &record(len)).unwrap();
                put(&mut articles, &mut pieces, "other", &record(3 * piece)).unwrap();
                assert_eq!(load(&articles, &pieces, id).unwrap().unwrap(), record(len), "{len} bytes");
                let (rest, count) = cut(id, len);
                assert_eq!(pieces.range::<(&str, u32)>(range_of(id)).unwrap().count(), count, "{len} bytes");
                assert!((1..=piece).contains(&rest) || len == 0, "{len} bytes: a rest of {rest}");
            }
            txn.commit().unwrap();
        }
        let txn = db.begin_write().unwrap();
        {
            let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
            remove(&mut articles, &mut pieces, id).unwrap();
            assert!(load(&articles, &pieces, id).unwrap().is_none());
            assert_eq!(pieces.len().unwrap(), 2, "only the other's pieces are left");
            assert_eq!(load(&articles, &pieces, "other").unwrap().unwrap(), record(3 * piece));
        }
        txn.commit().unwrap();
        drop(db);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn each_piece_fills_one_page_exactly() {
        let (db, path) = temp_db();
        let txn = db.begin_write().unwrap();
        assert_eq!(txn.stats().unwrap().page_size(), PAGE, "redb's default page size");
        {
            let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
            for i in 0..50 {
                let id = format!("{:032x}", (i as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835));
                put(&mut articles, &mut pieces, &id, &record(3 * piece_len(&id) + 100)).unwrap();
            }
        }
        txn.commit().unwrap();
        let txn = db.begin_read().unwrap();
        let stats = txn.open_table(PIECES).unwrap().stats().unwrap();
        assert_eq!(stats.leaf_pages(), 150, "one leaf per piece");
        assert_eq!(stats.fragmented_bytes(), 0, "no leaf has room left");
        drop(txn);
        drop(db);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_missing_piece_is_an_error() {
        let (db, path) = temp_db();
        let id = "a1";
        let txn = db.begin_write().unwrap();
        {
            let (mut articles, mut pieces) = (txn.open_table(ARTICLES).unwrap(), txn.open_table(PIECES).unwrap());
            put(&mut articles, &mut pieces, id, &record(3 * piece_len(id))).unwrap();
            pieces.remove((id, 0)).unwrap();
            assert!(matches!(load(&articles, &pieces, id), Err(LookupError::CorruptRecord { .. })));
        }
        drop(txn);
        drop(db);
        let _ = std::fs::remove_file(path);
    }
}
