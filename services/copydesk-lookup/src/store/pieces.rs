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
//! first `len - k * PIECE` bytes (1 to a piece's size), so that every
//! piece is full (the header may lie in piece 0); the pieces follow in order
//! in [`PIECES`] under (id, index). The articles value is the count of
//! pieces (a protobuf varint, one byte below 128) and the rest: a record without
//! pieces is read without looking in [`PIECES`], and a
//! missing piece is told from the count. When a batch ends, the rest
//! goes into a blob shared with other records' rests (`tails`) and the
//! articles value keeps the count and a reference to it. Revisions keep whole records:
//! they are few next to the articles. A read of the head stops at the
//! head's end.

use std::ops::Bound;

use redb::{ReadableTable, Table, TableDefinition, Value};

use super::record::{self, Part};
use super::tails;
use crate::LookupError;

/// (article id, piece index) -> a page-sized piece of its current record.
pub(super) const PIECES: TableDefinition<'_, (&str, u32), &[u8]> = TableDefinition::new("article_pieces");

/// The page size the store's file is made with: redb's default, which the
/// store never changes (a unit test checks it against the file's).
pub(super) const PAGE: usize = 4096;
/// A leaf's bytes beside its pairs: its header (type and entry count, 4),
/// and for one pair of variable-width key and value, their two end offsets.
const LEAF_OVERHEAD: usize = 4 + 2 * 4;

pub(super) type Articles<'t> = Table<'t, &'static str, &'static [u8]>;
pub(super) type Pieces<'t> = Table<'t, (&'static str, u32), &'static [u8]>;

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

/// The bounds of a range of piece keys.
type KeyRange<'a> = (Bound<(&'a str, u32)>, Bound<(&'a str, u32)>);

/// Every piece key of `id`.
fn range_of(id: &str) -> KeyRange<'_> {
    (Bound::Included((id, 0)), Bound::Included((id, u32::MAX)))
}

/// An articles value: the count of the record's pieces (a protobuf varint)
/// and the rest, its first bytes; `None` when the count is not readable.
pub(super) fn split(value: &[u8]) -> Option<(usize, &[u8])> {
    let mut rest = value;
    let count = prost::encoding::decode_varint(&mut rest).ok()?;
    Some((usize::try_from(count).ok()?, rest))
}

/// The articles value of a record cut into `count` pieces and `rest`.
pub(super) fn joined(count: usize, rest: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(rest.len() + 3);
    prost::encoding::encode_varint(count as u64, &mut value);
    value.extend_from_slice(rest);
    value
}

/// The current record of `id`, put together; `None` when there is none.
/// For [`Part::Head`] only the first bytes that hold the header and the
/// head are read (a BASIC read or a filter does not copy the body's pieces);
/// the bytes are then what [`record::decode`] and [`record::encoded`] need
/// for the head, and nothing else may be read from them.
pub(super) fn load(
    articles: &impl ReadableTable<&'static str, &'static [u8]>,
    pieces: &impl ReadableTable<(&'static str, u32), &'static [u8]>,
    tails: &impl ReadableTable<u64, &'static [u8]>,
    id: &str,
    part: Part,
) -> Result<Option<Vec<u8>>, LookupError> {
    let corrupt = |reason: String| LookupError::CorruptRecord { id: id.to_string(), reason };
    let Some(value) = articles.get(id)? else { return Ok(None) };
    let (count, rest) = split(value.value()).ok_or_else(|| corrupt("its count of pieces is not readable".into()))?;
    let mut record = match tails::Ref::parse(rest) {
        Some(packed) => {
            tails::read(tails, packed)?.ok_or_else(|| corrupt("its packed first bytes are missing".into()))?
        }
        None => rest.to_vec(),
    };
    let enough = |record: &[u8]| part == Part::Head && record::needed(record, part).is_some_and(|n| record.len() >= n);
    // The count tells a record that is all rest: no look past it.
    if count == 0 || enough(&record) {
        return Ok(Some(record));
    }
    // Within reason: a damaged count must not ask for all memory.
    record.reserve(count.saturating_mul(piece_len(id)).min(64 << 20));
    let last = u32::try_from(count - 1).map_err(|_| corrupt("too many pieces".into()))?;
    let mut read = 0;
    for entry in pieces.range::<(&str, u32)>((Bound::Included((id, 0)), Bound::Included((id, last))))? {
        let (key, piece) = entry?;
        if key.value().1 as usize != read {
            break;
        }
        record.extend_from_slice(piece.value());
        read += 1;
        if enough(&record) {
            return Ok(Some(record));
        }
    }
    if read != count {
        return Err(corrupt(format!("its piece {read} of {count} is missing")));
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
    let (rest, count) = put_pieces(pieces, id, record)?;
    articles.insert(id, joined(count, &record[..rest]).as_slice())?;
    Ok(())
}

/// Stores the pieces of `record` as `id`'s, in place of any before them,
/// and leaves its articles value to the caller: the rest's length (the
/// record's first bytes) and the count of pieces it is to hold.
pub(super) fn put_pieces(pieces: &mut Pieces<'_>, id: &str, record: &[u8]) -> Result<(usize, usize), LookupError> {
    let (rest, count) = cut(id, record.len());
    for (index, piece) in record[rest..].chunks(piece_len(id)).enumerate() {
        pieces.insert((id, index as u32), piece)?;
    }
    // An earlier, longer record's last pieces go.
    let stale = (Bound::Included((id, count as u32)), range_of(id).1);
    pieces.retain_in::<(&str, u32), _>(stale, |_, _| false)?;
    Ok((rest, count))
}

/// Removes `id`'s current record.
pub(super) fn remove(articles: &mut Articles<'_>, pieces: &mut Pieces<'_>, id: &str) -> Result<(), LookupError> {
    articles.remove(id)?;
    pieces.retain_in::<(&str, u32), _>(range_of(id), |_, _| false)?;
    Ok(())
}

#[cfg(test)]
mod tests;
