//! Records' first bytes ("rests", see `pieces`) packed many to a page.
//!
//! Why: a rest is 1 byte to nearly a page, and most records are all rest.
//! Kept under its id in the articles table, rests of random ids fill that
//! table's leaves to about two thirds (redb splits a full leaf in two
//! halves, and a 3 KB rest shares a page with nothing but small ones): on
//! the dev corpus's articles a third of the store's pages were that slack.
//! Packed into blobs of exactly a page's payload, in the articles table
//! there is only a reference.
//!
//! A blob is `[id len: u8][id][len: u16 LE][rest]...`, under a sequence
//! number in [`TAILS`]; [`LIVE`] has the bytes of its rests still in use.
//! The articles value of a packed rest is the count of pieces and a
//! reference `[0x00][0xFF][blob: u64][at: u16][len: u16]` (LE), which no
//! record starts with (a record's second byte is its format, 1 to 4).
//!
//! A write transaction's [`Packer`] holds its records' rests and packs
//! them when the batch ends, largest first, each into the first blob of
//! the batch with room (so a batch's blobs are near full). Blobs
//! are taken apart and their live rests packed again with the batch's
//! when half their bytes are dead, and so is the last blob while it has
//! room, so small batches fill it rather than each starting a blob.

use std::collections::{BTreeMap, BTreeSet};

use redb::{ReadableTable, Table, TableDefinition};

use super::pieces::{self, Articles, PAGE, Pieces};
use crate::LookupError;

/// Blob number -> rests packed together.
pub(super) const TAILS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("article_tails");
/// Blob number -> the bytes of its rests still referenced.
pub(super) const LIVE: TableDefinition<'_, u64, u32> = TableDefinition::new("article_tails_live");

/// A blob's bytes: with its 8-byte key, a leaf's 4-byte header and its
/// value's 4-byte end, one page exactly.
pub(super) const BLOB: usize = PAGE - 4 - 4 - 8;
/// A blob with fewer bytes free than this is not opened again for more.
const FULL_ENOUGH: usize = 64;
const MARK: [u8; 2] = [0x00, 0xFF];
const REF_LEN: usize = 2 + 8 + 2 + 2;

/// Where a packed rest is: its blob, and its bytes there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ref {
    pub(super) blob: u64,
    pub(super) at: usize,
    pub(super) len: usize,
}

impl Ref {
    /// The reference `rest` is (an articles value's bytes after the count).
    pub(super) fn parse(rest: &[u8]) -> Option<Ref> {
        if rest.len() != REF_LEN || rest[..2] != MARK {
            return None;
        }
        let blob = u64::from_le_bytes(rest[2..10].try_into().ok()?);
        let at = u16::from_le_bytes(rest[10..12].try_into().ok()?) as usize;
        let len = u16::from_le_bytes(rest[12..14].try_into().ok()?) as usize;
        Some(Ref { blob, at, len })
    }

    fn bytes(self) -> Vec<u8> {
        let mut out = MARK.to_vec();
        out.extend_from_slice(&self.blob.to_le_bytes());
        out.extend_from_slice(&(self.at as u16).to_le_bytes());
        out.extend_from_slice(&(self.len as u16).to_le_bytes());
        out
    }
}

/// The rest `r` points at; `None` when its blob or its bytes are missing.
pub(super) fn read(tails: &impl ReadableTable<u64, &'static [u8]>, r: Ref) -> Result<Option<Vec<u8>>, LookupError> {
    let Some(blob) = tails.get(r.blob)? else { return Ok(None) };
    Ok(blob.value().get(r.at..r.at + r.len).map(<[u8]>::to_vec))
}

/// The rests in `blob`: (id, where its bytes start, its bytes); stops at
/// the first entry that does not parse.
pub(super) fn entries(blob: &[u8]) -> Vec<(String, usize, &[u8])> {
    let (mut out, mut at) = (Vec::new(), 0);
    while let Some(&id_len) = blob.get(at) {
        let id_end = at + 1 + id_len as usize;
        let (Some(id), Some(len)) = (blob.get(at + 1..id_end), blob.get(id_end..id_end + 2)) else { break };
        let len = u16::from_le_bytes([len[0], len[1]]) as usize;
        let Some(rest) = blob.get(id_end + 2..id_end + 2 + len) else { break };
        out.push((String::from_utf8_lossy(id).into_owned(), id_end + 2, rest));
        at = id_end + 2 + len;
    }
    out
}

/// The bytes an entry of `id` with a rest of `len` bytes takes in a blob,
/// when it can be packed at all.
fn entry_len(id: &str, len: usize) -> Option<usize> {
    let n = 1 + id.len() + 2 + len;
    (id.len() <= usize::from(u8::MAX) && n <= BLOB).then_some(n)
}

/// A record written in this transaction whose articles value waits for
/// [`Packer::flush`]: its count of pieces, and its bytes (the whole record,
/// or its rest alone when it comes from a blob taken apart), the first
/// `rest` of them its rest.
struct Pending {
    count: usize,
    rest: usize,
    bytes: Vec<u8>,
}

/// The records one write transaction wrote, their articles values held
/// back until [`Packer::flush`] packs their rests, and the packed rests
/// they replaced. Held back, not written inline first: a leaf that a
/// large inline value split would stay split, near empty, once the value
/// shrank to a reference.
#[derive(Default)]
pub(super) struct Packer {
    pending: BTreeMap<String, Pending>,
    freed: BTreeMap<u64, u32>,
}

impl Packer {
    /// Stores `record` as `id`'s current record: its pieces now, its first
    /// bytes when the batch is flushed.
    pub(super) fn put(
        &mut self,
        articles: &Articles<'_>,
        pieces: &mut Pieces<'_>,
        id: &str,
        record: &[u8],
    ) -> Result<(), LookupError> {
        self.release(articles, id)?;
        let (rest, count) = pieces::put_pieces(pieces, id, record)?;
        self.pending.insert(id.to_string(), Pending { count, rest, bytes: record.to_vec() });
        Ok(())
    }

    /// Removes `id`'s current record.
    pub(super) fn remove(
        &mut self,
        articles: &mut Articles<'_>,
        pieces: &mut Pieces<'_>,
        id: &str,
    ) -> Result<(), LookupError> {
        self.release(articles, id)?;
        self.pending.remove(id);
        pieces::remove(articles, pieces, id)
    }

    /// The whole record written for `id` in this transaction, if any: its
    /// articles value is not written yet.
    pub(super) fn written(&self, id: &str) -> Option<&[u8]> {
        self.pending.get(id).map(|p| p.bytes.as_slice())
    }

    /// Takes `id`'s inline value (an earlier format's) to be packed.
    pub(super) fn take_inline(&mut self, id: &str, value: &[u8]) {
        if let Some((count, rest)) = pieces::split(value).filter(|(_, rest)| Ref::parse(rest).is_none()) {
            self.pending.insert(id.to_string(), Pending { count, rest: rest.len(), bytes: rest.to_vec() });
        }
    }

    /// Called before `id`'s articles value is replaced or removed: a rest
    /// it packed is no longer live.
    fn release(&mut self, articles: &Articles<'_>, id: &str) -> Result<(), LookupError> {
        if self.pending.contains_key(id) {
            // Its stored value was released when first written here.
            return Ok(());
        }
        let packed = articles.get(id)?.and_then(|v| pieces::split(v.value()).and_then(|(_, rest)| Ref::parse(rest)));
        if let Some(r) = packed {
            *self.freed.entry(r.blob).or_default() += r.len as u32;
        }
        Ok(())
    }

    /// Packs the records' rests into blobs, with the live rests of the
    /// blobs taken apart, writes their articles values, and updates what
    /// each blob has live.
    pub(super) fn flush(
        mut self,
        articles: &mut Articles<'_>,
        tails: &mut Table<'_, u64, &'static [u8]>,
        live: &mut Table<'_, u64, u32>,
    ) -> Result<(), LookupError> {
        let mut reopen = BTreeSet::new();
        for (blob, freed) in std::mem::take(&mut self.freed) {
            let Some(now) = live.get(blob)?.map(|v| v.value()) else { continue };
            let left = now.saturating_sub(freed);
            live.insert(blob, left)?;
            if (left as usize) < BLOB / 2 {
                reopen.insert(blob);
            }
        }
        if self.pending.is_empty() && reopen.is_empty() {
            return Ok(());
        }
        if let Some((blob, bytes)) = tails.last()?
            && bytes.value().len() + FULL_ENOUGH < BLOB
        {
            reopen.insert(blob.value());
        }
        for blob in reopen {
            let Some(bytes) = tails.remove(blob)?.map(|b| b.value().to_vec()) else { continue };
            live.remove(blob)?;
            for (id, at, rest) in entries(&bytes) {
                if self.pending.contains_key(&id) {
                    continue;
                }
                let Some(count) = packed_at(articles, &id, Ref { blob, at, len: rest.len() })? else { continue };
                self.pending.insert(id, Pending { count, rest: rest.len(), bytes: rest.to_vec() });
            }
        }
        pack(articles, tails, live, self.pending)
    }
}

/// A rest placed in a new blob: whose, its count of pieces, where its
/// bytes start in the blob, and their length.
struct Member {
    id: String,
    count: usize,
    at: usize,
    len: usize,
}

/// The count of `id`'s pieces when its value is the reference `r`.
fn packed_at(articles: &Articles<'_>, id: &str, r: Ref) -> Result<Option<usize>, LookupError> {
    let Some(value) = articles.get(id)? else { return Ok(None) };
    Ok(pieces::split(value.value()).filter(|(_, rest)| Ref::parse(rest) == Some(r)).map(|(count, _)| count))
}

/// Packs the rests of `pending` (largest first, each into the first new
/// blob with room) into blobs numbered after the last, and writes their
/// articles values; a rest that fits no blob stays inline.
fn pack(
    articles: &mut Articles<'_>,
    tails: &mut Table<'_, u64, &'static [u8]>,
    live: &mut Table<'_, u64, u32>,
    pending: BTreeMap<String, Pending>,
) -> Result<(), LookupError> {
    let mut items = Vec::new();
    for (id, p) in pending {
        let rest = &p.bytes[..p.rest];
        match entry_len(&id, rest.len()) {
            Some(n) => items.push((n, id, p)),
            None => {
                articles.insert(id.as_str(), pieces::joined(p.count, rest).as_slice())?;
            }
        }
    }
    items.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut blobs: Vec<(Vec<u8>, Vec<Member>)> = Vec::new();
    for (n, id, p) in items {
        let k = match blobs.iter().position(|(bytes, _)| bytes.len() + n <= BLOB) {
            Some(k) => k,
            None => {
                blobs.push((Vec::with_capacity(BLOB), Vec::new()));
                blobs.len() - 1
            }
        };
        let (bytes, members) = &mut blobs[k];
        bytes.push(id.len() as u8);
        bytes.extend_from_slice(id.as_bytes());
        bytes.extend_from_slice(&(p.rest as u16).to_le_bytes());
        members.push(Member { id, count: p.count, at: bytes.len(), len: p.rest });
        bytes.extend_from_slice(&p.bytes[..p.rest]);
    }
    let first = tails.last()?.map_or(1, |(k, _)| k.value() + 1);
    for (blob, (bytes, members)) in (first..).zip(blobs) {
        tails.insert(blob, bytes.as_slice())?;
        live.insert(blob, members.iter().map(|m| m.len as u32).sum::<u32>())?;
        for m in members {
            let reference = Ref { blob, at: m.at, len: m.len }.bytes();
            articles.insert(m.id.as_str(), pieces::joined(m.count, &reference).as_slice())?;
        }
    }
    Ok(())
}

/// `id`'s articles value in `store` with its first bytes inline (as an
/// earlier format kept them), for tests that look at them.
#[cfg(test)]
pub(super) fn unpacked(store: &super::Store, id: &str) -> Option<Vec<u8>> {
    use redb::ReadableDatabase;
    let txn = store.db.begin_read().unwrap();
    let value = txn.open_table(super::ARTICLES).unwrap().get(id).unwrap()?.value().to_vec();
    let (count, rest) = pieces::split(&value).unwrap();
    let Some(packed) = Ref::parse(rest) else { return Some(value) };
    Some(pieces::joined(count, &read(&txn.open_table(TAILS).unwrap(), packed).unwrap().unwrap()))
}

#[cfg(test)]
mod tests;
