//! The parts of a record: their compression (zstd frames; raw deflate of
//! the earlier formats is still read here, their LZ4 blocks in `record`),
//! and the article's text when it is its blocks' text, which is then not
//! stored but rebuilt on read.

use std::cell::RefCell;

use copydesk_proto::v1::Block;
use copydesk_proto::v1::block::Kind;
#[cfg(test)]
use flate2::{Compress, Compression, FlushCompress};
use flate2::{Decompress, FlushDecompress, Status};
use zstd::zstd_safe::{self, CCtx, CParameter, DCtx, ResetDirective};

use super::{skip, varint};

/// Between two blocks' texts in the article's text.
const SEPARATOR: &str = "\n\n";
/// `Article`'s `blocks` and `text` field numbers, and `Block`'s `kind` and `text`.
const BLOCKS_FIELD: u64 = 13;
const TEXT_FIELD: u64 = 14;
const BLOCK_KIND: u64 = 1;
const BLOCK_TEXT: u64 = 2;

thread_local! {
    // A (de)compression state allocates tens of KB or more (its window,
    // its tables): made once per thread and reset, not made per part.
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
    static COMPRESSOR: RefCell<CCtx<'static>> = RefCell::new(CCtx::create());
    static DECOMPRESSOR: RefCell<DCtx<'static>> = RefCell::new(DCtx::create());
}

/// Measured against deflate's default level (the earlier format) on the
/// dev corpus's articles, head and body apart, the head the body's
/// dictionary: level 3 (zstd's default) was 2% larger on the 473 shorter
/// articles of four sets, level 6 2% smaller there and 18% smaller over
/// all five sets (longer pages, where zstd's larger window tells), for
/// about deflate's time to compress; both decompress in less than half
/// deflate's time. Higher levels gain under 1% more for 1.6x the time to
/// write, which the materialiser's catch-up pays on every article.
const LEVEL: i32 = 6;

/// `bytes` as one zstd frame; `dictionary` (empty for none) is content the
/// frame may refer back to without holding it. The frame does not record
/// its size: the record's header does.
pub(super) fn compress(bytes: &[u8], dictionary: &[u8]) -> Vec<u8> {
    COMPRESSOR.with_borrow_mut(|cctx| {
        let mut settings = || -> zstd_safe::SafeResult {
            cctx.reset(ResetDirective::SessionAndParameters)?;
            cctx.set_parameter(CParameter::CompressionLevel(LEVEL))?;
            cctx.set_parameter(CParameter::ContentSizeFlag(false))?;
            // Copied in, so the context outlives it. zstd takes a buffer
            // without its dictionary magic number as raw content, and a
            // protobuf message never starts with that number's first byte
            // (0x37: wire type 7 does not exist).
            cctx.load_dictionary(dictionary)
        };
        settings()
            .unwrap_or_else(|code| unreachable!("zstd refused its settings: {}", zstd_safe::get_error_name(code)));
        let mut out = Vec::with_capacity(zstd_safe::compress_bound(bytes.len()));
        match cctx.compress2(&mut out, bytes) {
            Ok(_) => out,
            Err(code) => {
                unreachable!("zstd into a buffer of its bound cannot fail: {}", zstd_safe::get_error_name(code))
            }
        }
    })
}

/// Decompresses the zstd frame `bytes`, made with `dictionary` (empty for
/// none), into `out`; the bytes written. Never writes past `out` nor
/// allocates for the frame's sake: a frame that would is an error.
pub(super) fn decompress_into(bytes: &[u8], out: &mut [u8], dictionary: &[u8]) -> Result<usize, String> {
    DECOMPRESSOR.with_borrow_mut(|dctx| {
        let name = |code| zstd_safe::get_error_name(code).to_string();
        // One frame, and nothing after it: bytes past its end are not the
        // record's (it is damaged, or put together from more than was written).
        if zstd_safe::find_frame_compressed_size(bytes).map_err(name)? != bytes.len() {
            return Err("bytes follow a part's end".into());
        }
        dctx.reset(ResetDirective::SessionAndParameters).map_err(name)?;
        // The dictionary by reference, not loaded: loading copies it into a
        // dictionary object made and freed per part (a malloc of tens of
        // KB and a copy of the head on every GetArticle). Raw content is
        // told from a zstd dictionary by its magic number here as when
        // loaded, and the head, a protobuf, never starts with it.
        dctx.decompress_using_dict(out, bytes, dictionary).map_err(name)
    })
}

/// Raw deflate at the default level, as the earlier formats wrote their
/// parts (now only for tests that make such records). A `dictionary`
/// (empty for none) is text the part may refer back to without holding it.
#[cfg(test)]
pub(super) fn deflate(bytes: &[u8], dictionary: &[u8]) -> Vec<u8> {
    let mut deflater = Compress::new(Compression::default(), false);
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
