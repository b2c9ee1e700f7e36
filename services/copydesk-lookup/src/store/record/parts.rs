//! The parts of a record: their compression (raw deflate; LZ4 blocks of
//! the earlier format are read in `record`), and the article's text when it
//! is its blocks' text, which is then not stored but rebuilt on read.

use std::cell::RefCell;

use copydesk_proto::v1::Block;
use copydesk_proto::v1::block::Kind;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::{skip, varint};

/// Between two blocks' texts in the article's text.
const SEPARATOR: &str = "\n\n";
/// `Article`'s `blocks` and `text` field numbers, and `Block`'s `kind` and `text`.
const BLOCKS_FIELD: u64 = 13;
const TEXT_FIELD: u64 = 14;
const BLOCK_KIND: u64 = 1;
const BLOCK_TEXT: u64 = 2;

thread_local! {
    // A deflate or inflate state allocates tens of KB (its window, its
    // tables): made once per thread and reset, not made per part read.
    static DEFLATER: RefCell<Compress> = RefCell::new(Compress::new(Compression::default(), false));
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// Raw deflate at the default level: reads pay for decompression alone,
/// and a higher level gains little on prose. A `dictionary` (empty for
/// none) is text the part may refer back to without holding it.
pub(super) fn deflate(bytes: &[u8], dictionary: &[u8]) -> Vec<u8> {
    DEFLATER.with_borrow_mut(|deflater| {
        deflater.reset();
        if !dictionary.is_empty() {
            deflater.set_dictionary(dictionary).expect("a dictionary is taken before any input");
        }
        let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16 + 64);
        loop {
            let read = deflater.total_in() as usize;
            match deflater.compress_vec(&bytes[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return out,
                // Out of room (incompressible bytes): more, and on.
                Ok(_) => out.reserve(out.capacity()),
                Err(e) => unreachable!("deflate into memory cannot fail: {e}"),
            }
        }
    })
}

/// Inflates raw deflate `bytes`, made with `dictionary` (empty for none),
/// into `out`; the bytes written.
pub(super) fn inflate_into(bytes: &[u8], out: &mut [u8], dictionary: &[u8]) -> Result<usize, String> {
    INFLATER.with_borrow_mut(|inflater| {
        inflater.reset(false);
        if !dictionary.is_empty() {
            inflater.set_dictionary(dictionary).map_err(|e| e.to_string())?;
        }
        match inflater.decompress(bytes, out, FlushDecompress::Finish) {
            // Bytes after the stream's end are not the record's: it is
            // damaged (or put together from more than was written).
            Ok(Status::StreamEnd) if inflater.total_in() as usize != bytes.len() => {
                Err("bytes follow a part's end".into())
            }
            Ok(Status::StreamEnd) => Ok(inflater.total_out() as usize),
            Ok(_) => Err("a part is cut short, or larger than its header says".into()),
            Err(e) => Err(e.to_string()),
        }
    })
}

/// The text extraction makes of an article's blocks: the text of every
/// block but images, paragraph-separated (`copydesk_extract`'s body text).
/// The store does not rely on it: [`is_blocks_text`] checks each article.
pub(super) fn blocks_text(blocks: &[Block]) -> String {
    let texts: Vec<&str> = blocks.iter().filter(|b| b.kind != Kind::Image as i32).map(|b| b.text.as_str()).collect();
    texts.join(SEPARATOR)
}

/// Whether `text` is exactly [`blocks_text`] of `blocks`.
pub(super) fn is_blocks_text(blocks: &[Block], text: &str) -> bool {
    let mut rest = text;
    for (i, block) in blocks.iter().filter(|b| b.kind != Kind::Image as i32).enumerate() {
        if i > 0 {
            let Some(after) = rest.strip_prefix(SEPARATOR) else { return false };
            rest = after;
        }
        let Some(after) = rest.strip_prefix(block.text.as_str()) else { return false };
        rest = after;
    }
    rest.is_empty()
}

/// [`blocks_text`] of the blocks in `body` (protobuf bytes of `blocks`
/// fields only), read without decoding them; `None` when they are not
/// well-formed.
pub(super) fn blocks_text_bytes(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut at, mut first) = (0, true);
    while at < body.len() {
        let key = varint(body, &mut at)?;
        let start = at;
        skip(body, key, &mut at)?;
        if key != (BLOCKS_FIELD << 3) | 2 {
            return None;
        }
        // The length prefix is walked again to find the block's own bytes.
        let mut inner = start;
        varint(body, &mut inner)?;
        let (kind, text) = block_fields(&body[inner..at])?;
        if kind == Kind::Image as u64 {
            continue;
        }
        if !first {
            out.extend_from_slice(SEPARATOR.as_bytes());
        }
        first = false;
        out.extend_from_slice(text);
    }
    Some(out)
}

/// A `Block`'s kind and text (the last of each, as protobuf reads them).
fn block_fields(block: &[u8]) -> Option<(u64, &[u8])> {
    let (mut kind, mut text, mut at) = (0, &block[..0], 0);
    while at < block.len() {
        let key = varint(block, &mut at)?;
        match (key >> 3, key & 7) {
            (BLOCK_KIND, 0) => kind = varint(block, &mut at)?,
            (BLOCK_TEXT, 2) => {
                let len = usize::try_from(varint(block, &mut at)?).ok()?;
                let end = at.checked_add(len).filter(|&end| end <= block.len())?;
                text = &block[at..end];
                at = end;
            }
            _ => skip(block, key, &mut at)?,
        }
    }
    Some((kind, text))
}

/// Appends `text` as `Article.text` (nothing when empty, as prost writes it).
pub(super) fn put_text_field(out: &mut Vec<u8>, text: &[u8]) {
    if text.is_empty() {
        return;
    }
    put_varint(out, (TEXT_FIELD << 3) | 2);
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text);
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}
