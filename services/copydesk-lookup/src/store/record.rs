//! How an article is kept in the store: its head (everything but the body)
//! and its body (`text` and `blocks`) as two LZ4 blocks behind a small
//! header. LZ4 because reads are the hot path: it decodes several GB/s,
//! and the record still shrinks to well under half its protobuf size.
//! The split lets a BASIC read decompress and decode the head alone.
//!
//! Layout (all integers little-endian u32):
//! `[0x00][FORMAT][head len][head LZ4 len][body len][head LZ4][body LZ4]`,
//! where each part is a protobuf `Article` (the body one holds only
//! `text` and `blocks`), so the whole article is the head with the body
//! merged into it. A protobuf `Article` never starts with 0x00 (field
//! number 0 does not exist), so a record of the earlier format, the
//! protobuf as read from Kafka, is told apart and still read.

use copydesk_proto::v1::Article;
use prost::Message;

use crate::LookupError;

/// The first byte of every record of this format.
const MARK: u8 = 0x00;
/// The format written here: head and body, each an LZ4 block.
const FORMAT: u8 = 1;
const HEADER: usize = 2 + 3 * 4;

/// How much of an article a read needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Everything but `text` and `blocks`.
    Head,
    Whole,
}

/// The stored form of `article`.
pub(crate) fn encode(article: &Article) -> Vec<u8> {
    let mut head = article.clone();
    let body = Article {
        text: std::mem::take(&mut head.text),
        blocks: std::mem::take(&mut head.blocks),
        ..Article::default()
    };
    let (head, body) = (head.encode_to_vec(), body.encode_to_vec());
    let (head_lz4, body_lz4) = (lz4_flex::block::compress(&head), lz4_flex::block::compress(&body));
    let mut out = Vec::with_capacity(HEADER + head_lz4.len() + body_lz4.len());
    out.extend_from_slice(&[MARK, FORMAT]);
    for n in [head.len(), head_lz4.len(), body.len()] {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    out.extend_from_slice(&head_lz4);
    out.extend_from_slice(&body_lz4);
    out
}

/// The header's three sizes, when `stored` is of this format.
fn sizes(stored: &[u8]) -> Option<[usize; 3]> {
    if stored.len() < HEADER || stored[0] != MARK || stored[1] != FORMAT {
        return None;
    }
    let at = |i: usize| {
        let start = 2 + 4 * i;
        u32::from_le_bytes(stored[start..start + 4].try_into().expect("four bytes")) as usize
    };
    Some([at(0), at(1), at(2)])
}

/// Whether `stored` is a record of the earlier format (the plain protobuf).
pub(crate) fn is_legacy(stored: &[u8]) -> bool {
    stored.first() != Some(&MARK)
}

/// The bytes `part` takes once decompressed: what a read holds in memory
/// while it decodes, known before anything is decompressed.
pub(crate) fn decoded_len(stored: &[u8], part: Part) -> usize {
    match (sizes(stored), part) {
        (Some([head, _, _]), Part::Head) => head,
        (Some([head, _, body]), Part::Whole) => head + body,
        (None, _) => stored.len(),
    }
}

/// The article (or its head) from its stored form, of either format.
pub(crate) fn decode(id: &str, stored: &[u8], part: Part) -> Result<Article, LookupError> {
    let corrupt = |reason: String| LookupError::CorruptRecord { id: id.to_string(), reason };
    if is_legacy(stored) {
        let mut article =
            Article::decode(stored).map_err(|source| LookupError::Corrupt { id: id.to_string(), source })?;
        if part == Part::Head {
            article.text = String::new();
            article.blocks = Vec::new();
        }
        return Ok(article);
    }
    let [head_len, head_lz4_len, body_len] = sizes(stored).ok_or_else(|| corrupt("unknown record format".into()))?;
    let rest = &stored[HEADER..];
    if head_lz4_len > rest.len() {
        return Err(corrupt("record cut short".into()));
    }
    let (head_lz4, body_lz4) = rest.split_at(head_lz4_len);
    let unpack = |block: &[u8], len: usize| {
        let bytes = lz4_flex::block::decompress(block, len).map_err(|e| corrupt(e.to_string()))?;
        if bytes.len() == len { Ok(bytes) } else { Err(corrupt("a part's size is not its header's".into())) }
    };
    let head = unpack(head_lz4, head_len)?;
    let mut article =
        Article::decode(head.as_slice()).map_err(|source| LookupError::Corrupt { id: id.to_string(), source })?;
    if part == Part::Whole {
        let body = unpack(body_lz4, body_len)?;
        // Merging sets `text` and `blocks`, the only fields the body holds.
        article.merge(body.as_slice()).map_err(|source| LookupError::Corrupt { id: id.to_string(), source })?;
    }
    Ok(article)
}

#[cfg(test)]
mod tests {
    use copydesk_proto::v1::{Block, Image};

    use super::*;

    fn article() -> Article {
        Article {
            id: "a1".into(),
            title: "A title".into(),
            text: "Some words. ".repeat(200),
            blocks: vec![Block { text: "Some words.".into(), ..Block::default() }; 20],
            images: vec![Image { url: "https://x.example/i.jpg".into(), ..Image::default() }],
            content_hash: "ab".into(),
            ..Article::default()
        }
    }

    #[test]
    fn round_trips_whole_and_head_and_compresses() {
        let a = article();
        let stored = encode(&a);
        assert!(stored.len() * 4 < a.encoded_len(), "{} of {}", stored.len(), a.encoded_len());
        assert_eq!(decode("a1", &stored, Part::Whole).unwrap(), a);
        let head = decode("a1", &stored, Part::Head).unwrap();
        assert_eq!(head, Article { text: String::new(), blocks: Vec::new(), ..a.clone() });
        assert_eq!(decoded_len(&stored, Part::Whole), a.encoded_len());
        assert!(decoded_len(&stored, Part::Head) < 200);
        assert!(!is_legacy(&stored));
    }

    #[test]
    fn the_earlier_plain_protobuf_is_still_read() {
        let a = article();
        let plain = a.encode_to_vec();
        assert!(is_legacy(&plain));
        assert_eq!(decode("a1", &plain, Part::Whole).unwrap(), a);
        assert!(decode("a1", &plain, Part::Head).unwrap().text.is_empty());
        assert_eq!(decoded_len(&plain, Part::Whole), plain.len());
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let stored = encode(&article());
        for cut in [3, HEADER, HEADER + 5, stored.len() - 1] {
            assert!(decode("a1", &stored[..cut], Part::Whole).is_err(), "cut at {cut}");
        }
        let mut other = stored.clone();
        other[1] = 9;
        assert!(matches!(decode("a1", &other, Part::Head), Err(LookupError::CorruptRecord { .. })));
    }
}
