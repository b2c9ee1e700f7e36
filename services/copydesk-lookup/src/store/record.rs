//! How an article is kept in the store: its head (everything but the body)
//! and its body as two compressed parts behind a small header, so that a
//! read reserves memory before decompressing and a BASIC read decompresses
//! the head alone.
//!
//! Layout of the format written now (integers little-endian u32):
//! `[0x00][4][flags][head len][head packed len][body len][whole len][head][body]`,
//! each part a zstd frame of a protobuf `Article`; the body part holds
//! `blocks`, and `text` too unless flag [`TEXT_FROM_BLOCKS`] says the text
//! is the blocks' (see `parts`): then it is rebuilt on read, not stored.
//! The body is compressed with the head's bytes as its dictionary: a
//! title, a description or a caption that the text repeats is not stored
//! twice, and a read of the whole article has the head decompressed already.
//! zstd, not deflate (format 3, the same layout with raw deflate parts,
//! still read): on the dev corpus's articles 14% fewer bytes, and a whole
//! article decompresses in 20 us instead of 43 (most of a GetArticle's
//! server time went to inflating). Format 2, deflate with the body
//! deflated alone, is still read too.
//!
//! Format 1, `[0x00][1][head len][head LZ4 len][body len][head LZ4][body LZ4]`
//! with `text` always in the body, is still read (revisions written by
//! the previous version keep it). A protobuf `Article` never starts with
//! 0x00 (field number 0 does not exist), so a record of the earliest
//! format, the protobuf as read from Kafka, is told apart and still read.

use std::ops::Range;

use copydesk_proto::v1::Article;
use prost::Message;

use crate::LookupError;

mod parts;

/// The first byte of every compressed record.
const MARK: u8 = 0x00;
/// The earlier format: head and body, each an LZ4 block; read only.
const FORMAT_LZ4: u8 = 1;
/// The earlier deflate format: head and body each deflated alone; read only.
const FORMAT_ALONE: u8 = 2;
/// The earlier deflate format with the head as the body's dictionary; read only.
const FORMAT_DEFLATE: u8 = 3;
/// The format written: head and body zstd frames, the body with the head
/// as its dictionary; the text may be the blocks'.
const FORMAT: u8 = 4;
const HEADER_LZ4: usize = 2 + 3 * 4;
const HEADER: usize = 3 + 4 * 4;
/// Flag: the body part holds no `text`: it is the blocks' text, rebuilt on read.
const TEXT_FROM_BLOCKS: u8 = 1;

/// How much of an article a read needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Everything but `text` and `blocks`.
    Head,
    Whole,
}

/// The stored form of `article`.
pub(crate) fn encode(article: &Article) -> Vec<u8> {
    encode_with(article, FORMAT, parts::compress)
}

#[cfg(test)]
/// `article` stored in an earlier deflate format, [`FORMAT_DEFLATE`] or
/// [`FORMAT_ALONE`], as earlier versions wrote it.
fn encode_as(article: &Article, format: u8) -> Vec<u8> {
    encode_with(article, format, parts::deflate)
}

/// `article` stored in `format`, each part compressed by `pack` (given
/// the part and its dictionary).
fn encode_with(article: &Article, format: u8, pack: fn(&[u8], &[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut head = article.clone();
    let text_from_blocks = parts::is_blocks_text(&head.blocks, &head.text);
    let body = Article {
        text: if text_from_blocks { String::new() } else { std::mem::take(&mut head.text) },
        blocks: std::mem::take(&mut head.blocks),
        ..Article::default()
    };
    head.text = String::new();
    let (head, body) = (head.encode_to_vec(), body.encode_to_vec());
    let dictionary: &[u8] = if has_dictionary(format) { &head } else { &[] };
    let (head_z, body_z) = (pack(&head, &[]), pack(&body, dictionary));
    let mut out = Vec::with_capacity(HEADER + head_z.len() + body_z.len());
    out.extend_from_slice(&[MARK, format, if text_from_blocks { TEXT_FROM_BLOCKS } else { 0 }]);
    for n in [head.len(), head_z.len(), body.len(), article.encoded_len()] {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    out.extend_from_slice(&head_z);
    out.extend_from_slice(&body_z);
    out
}

/// Whether the body of a record of `format` has the head as its dictionary.
fn has_dictionary(format: u8) -> bool {
    matches!(format, FORMAT_DEFLATE | FORMAT)
}

/// Where a compressed record's parts are, and their sizes decompressed.
struct Layout {
    format: u8,
    text_from_blocks: bool,
    head_len: usize,
    head: Range<usize>,
    body_len: usize,
    body: Range<usize>,
    /// The whole article's protobuf size: the head, the body and a rebuilt text.
    whole_len: usize,
}

/// The layout of `stored`, when it is a record of a compressed format
/// whose parts lie within it.
fn layout(stored: &[u8]) -> Option<Layout> {
    let (format, flags, header) = match stored {
        [MARK, FORMAT_LZ4, ..] => (FORMAT_LZ4, 0, HEADER_LZ4),
        [MARK, format @ (FORMAT_ALONE | FORMAT_DEFLATE | FORMAT), flags, ..] => (*format, *flags, HEADER),
        _ => return None,
    };
    let lz4 = format == FORMAT_LZ4;
    let sizes = stored.get(header - 4 * if lz4 { 3 } else { 4 }..header)?;
    let at = |i: usize| u32::from_le_bytes(sizes[4 * i..4 * i + 4].try_into().expect("four bytes")) as usize;
    let (head_len, head_z, body_len) = (at(0), at(1), at(2));
    let whole_len = if lz4 { head_len + body_len } else { at(3) };
    let head_end = header.checked_add(head_z).filter(|&end| end <= stored.len())?;
    Some(Layout {
        format,
        text_from_blocks: flags & TEXT_FROM_BLOCKS != 0,
        head_len,
        head: header..head_end,
        body_len,
        body: head_end..stored.len(),
        whole_len,
    })
}

impl Layout {
    /// Decompresses one part into `out`, which must come out exactly full.
    fn unpack(&self, stored: &[u8], part: &Range<usize>, out: &mut [u8]) -> Result<(), String> {
        self.unpack_with(stored, part, out, &[])
    }

    /// Decompresses the body into `out` (exactly full), given the head's
    /// bytes: the body's dictionary in the format written now.
    fn unpack_body(&self, stored: &[u8], head: &[u8], out: &mut [u8]) -> Result<(), String> {
        let dictionary = if has_dictionary(self.format) { head } else { &[] };
        self.unpack_with(stored, &self.body, out, dictionary)
    }

    fn unpack_with(&self, stored: &[u8], part: &Range<usize>, out: &mut [u8], dictionary: &[u8]) -> Result<(), String> {
        let n = match self.format {
            FORMAT_LZ4 => lz4_flex::block::decompress_into(&stored[part.clone()], out).map_err(|e| e.to_string())?,
            FORMAT => parts::decompress_into(&stored[part.clone()], out, dictionary)?,
            _ => parts::inflate_into(&stored[part.clone()], out, dictionary)?,
        };
        if n == out.len() { Ok(()) } else { Err("a part's size is not its header's".into()) }
    }
}

/// Whether `stored` is a record of the earliest format (the plain protobuf).
pub(crate) fn is_legacy(stored: &[u8]) -> bool {
    stored.first() != Some(&MARK)
}

/// Whether `stored` is of the format written now (else it is rewritten on upgrade).
pub(crate) fn is_current(stored: &[u8]) -> bool {
    matches!(stored, [MARK, FORMAT, ..])
}

/// How many of a record's first bytes a read of `part` needs, when the
/// first bytes in `prefix` tell: a head's read needs the header and the
/// head's part, not the body's. `None`: the whole record (a whole read, a
/// record of the earliest format, or a prefix too short to hold the header).
pub(crate) fn needed(prefix: &[u8], part: Part) -> Option<usize> {
    if part == Part::Whole {
        return None;
    }
    // The head's compressed size is the second size in either header.
    let (header, head_z_at) = match prefix {
        [MARK, FORMAT_LZ4, ..] => (HEADER_LZ4, 2 + 4),
        [MARK, FORMAT_ALONE | FORMAT_DEFLATE | FORMAT, ..] => (HEADER, 3 + 4),
        _ => return None,
    };
    let head_z = u32::from_le_bytes(prefix.get(head_z_at..head_z_at + 4)?.try_into().expect("four bytes"));
    header.checked_add(head_z as usize)
}

/// The bytes `part` takes once decompressed: what a read holds in memory
/// while it decodes, known before anything is decompressed.
pub(crate) fn decoded_len(stored: &[u8], part: Part) -> usize {
    match (layout(stored), part) {
        (Some(layout), Part::Head) => layout.head_len,
        (Some(layout), Part::Whole) => layout.whole_len,
        (None, _) => stored.len(),
    }
}

/// The article (or its head) from its stored form, of any format.
pub(crate) fn decode(id: &str, stored: &[u8], part: Part) -> Result<Article, LookupError> {
    let corrupt = |reason: String| LookupError::CorruptRecord { id: id.to_string(), reason };
    let undecodable = |source| LookupError::Corrupt { id: id.to_string(), source };
    if is_legacy(stored) {
        let mut article = Article::decode(stored).map_err(undecodable)?;
        if part == Part::Head {
            article.text = String::new();
            article.blocks = Vec::new();
        }
        return Ok(article);
    }
    let layout = layout(stored).ok_or_else(|| corrupt("unknown record format, or cut short".into()))?;
    let mut head = vec![0; layout.head_len];
    layout.unpack(stored, &layout.head, &mut head).map_err(corrupt)?;
    let mut article = Article::decode(head.as_slice()).map_err(undecodable)?;
    if part == Part::Whole {
        let mut body = vec![0; layout.body_len];
        layout.unpack_body(stored, &head, &mut body).map_err(corrupt)?;
        // Merging sets `text` and `blocks`, the only fields the body holds.
        article.merge(body.as_slice()).map_err(undecodable)?;
        if layout.text_from_blocks {
            article.text = parts::blocks_text(&article.blocks);
        }
    }
    Ok(article)
}

/// The first field number of the body (`blocks` = 13, `text` = 14): the
/// head holds fields below it and above `text`, never these two.
const BODY_FIELD: u64 = 13;

/// The article (or its head) as its protobuf bytes: byte for byte what
/// prost gives when it encodes the article [`decode`] returns, read
/// without decoding it. prost writes fields in field-number order, so the
/// head's bytes are that of the head, and the whole article is the head's
/// bytes with the body's put in where field 13 falls.
pub(crate) fn encoded(id: &str, stored: &[u8], part: Part) -> Result<Vec<u8>, LookupError> {
    if is_legacy(stored) {
        // A record as read from Kafka may hold unknown fields or another
        // field order: decoding and encoding it is what was served before.
        return Ok(decode(id, stored, part)?.encode_to_vec());
    }
    let corrupt = |reason: &str| LookupError::CorruptRecord { id: id.to_string(), reason: reason.to_string() };
    let layout = layout(stored).ok_or_else(|| corrupt("unknown record format, or cut short"))?;
    let mut out = vec![0; layout.head_len];
    layout.unpack(stored, &layout.head, &mut out).map_err(|e| corrupt(&e))?;
    // Not decoded, but walked: a damaged head is an error, as `decode` makes it.
    let at = body_at(&out).ok_or_else(|| corrupt("the head is not a protobuf"))?;
    if part == Part::Head || layout.whole_len == layout.head_len {
        return Ok(out);
    }
    // The body goes where field 13 falls: its dictionary, the head, is
    // then in two places, and is copied whole first (a few hundred bytes).
    let head = if has_dictionary(layout.format) { out.clone() } else { Vec::new() };
    let tail = out.split_off(at);
    out.reserve_exact(layout.whole_len.saturating_sub(at));
    out.resize(at + layout.body_len, 0);
    layout.unpack_body(stored, &head, &mut out[at..]).map_err(|e| corrupt(&e))?;
    if body_at(&out[at..]) != Some(0) {
        return Err(corrupt("the body is not a protobuf of the body's fields"));
    }
    if layout.text_from_blocks {
        // `text` (14) follows `blocks` (13), as prost writes them.
        let text = parts::blocks_text_bytes(&out[at..]).ok_or_else(|| corrupt("the blocks are not protobuf"))?;
        parts::put_text_field(&mut out, &text);
    }
    out.extend_from_slice(&tail);
    if out.len() != layout.whole_len {
        return Err(corrupt("the article's size is not its header's"));
    }
    Ok(out)
}

/// Where in `message` (protobuf bytes) the first field numbered
/// [`BODY_FIELD`] or above starts (its length when none does); `None` when
/// the bytes are not a sequence of well-formed fields.
fn body_at(message: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at < message.len() {
        let start = at;
        let key = varint(message, &mut at)?;
        if key >> 3 >= BODY_FIELD {
            // The rest is checked too: a field of the head after the body's.
            let mut rest = at;
            skip(message, key, &mut rest)?;
            while rest < message.len() {
                let key = varint(message, &mut rest)?;
                skip(message, key, &mut rest)?;
            }
            return Some(start);
        }
        skip(message, key, &mut at)?;
    }
    Some(message.len())
}

/// Moves `at` past the value of a field with this `key`.
fn skip(message: &[u8], key: u64, at: &mut usize) -> Option<()> {
    let len = match key & 7 {
        0 => {
            varint(message, at)?;
            0
        }
        1 => 8,
        2 => usize::try_from(varint(message, at)?).ok()?,
        5 => 4,
        // Groups (3, 4) are not in proto3; anything else is not protobuf.
        _ => return None,
    };
    *at = at.checked_add(len).filter(|&end| end <= message.len())?;
    Some(())
}

fn varint(message: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *message.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
/// The record of `article` as the first deflate version wrote it: the
/// body deflated alone.
pub(super) fn encode_alone(article: &Article) -> Vec<u8> {
    encode_as(article, FORMAT_ALONE)
}

#[cfg(test)]
/// The record of `article` as the previous version wrote it: deflate, the
/// head the body's dictionary.
pub(super) fn encode_deflate(article: &Article) -> Vec<u8> {
    encode_as(article, FORMAT_DEFLATE)
}

#[cfg(test)]
/// The record of `article` as an earlier version wrote it: LZ4 parts,
/// the text in the body.
pub(super) fn encode_lz4(article: &Article) -> Vec<u8> {
    let mut head = article.clone();
    let body = Article {
        text: std::mem::take(&mut head.text),
        blocks: std::mem::take(&mut head.blocks),
        ..Article::default()
    };
    let (head, body) = (head.encode_to_vec(), body.encode_to_vec());
    let (head_lz4, body_lz4) = (lz4_flex::block::compress(&head), lz4_flex::block::compress(&body));
    let mut out = vec![MARK, FORMAT_LZ4];
    for n in [head.len(), head_lz4.len(), body.len()] {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    out.extend_from_slice(&head_lz4);
    out.extend_from_slice(&body_lz4);
    out
}

#[cfg(test)]
mod tests;
