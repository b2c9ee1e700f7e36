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
    let [head_len, head_lz4_len, body_len] = sizes(stored).ok_or_else(|| corrupt("unknown record format"))?;
    let rest = &stored[HEADER..];
    if head_lz4_len > rest.len() {
        return Err(corrupt("record cut short"));
    }
    let (head_lz4, body_lz4) = rest.split_at(head_lz4_len);
    let mut out = vec![0; head_len];
    let n = lz4_flex::block::decompress_into(head_lz4, &mut out).map_err(|e| corrupt(&e.to_string()))?;
    // Not decoded, but walked: a damaged head is an error, as `decode` makes it.
    let at = body_at(&out[..n]).filter(|_| n == head_len).ok_or_else(|| corrupt("the head is not a protobuf"))?;
    if part == Part::Head || body_len == 0 {
        return Ok(out);
    }
    let tail = out.split_off(at);
    out.resize(at + body_len, 0);
    let n = lz4_flex::block::decompress_into(body_lz4, &mut out[at..]).map_err(|e| corrupt(&e.to_string()))?;
    if n != body_len || body_at(&out[at..]) != Some(0) {
        return Err(corrupt("the body is not a protobuf of the body's fields"));
    }
    out.extend_from_slice(&tail);
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
mod tests {
    use copydesk_proto::Timestamp;
    use copydesk_proto::v1::{Author, Block, Image, Link, Provenance};

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

    /// Every field set, those numbered after the body's and the one
    /// declared out of order (24, between 10 and 11) too.
    fn every_field() -> Article {
        let at = |seconds| Some(Timestamp { seconds, nanos: 7 });
        Article {
            site_name: "Site".into(),
            language: "en".into(),
            description: "D".into(),
            authors: vec![Author { name: "A. Writer".into(), ..Author::default() }; 2],
            published_at: at(1_700_000_000),
            published_local: "2023-11-14T22:13:20+01:00".into(),
            modified_at: at(1_700_000_100),
            fetched_at: at(1_700_000_200),
            related_links: vec![Link { url: "https://x.example/r".into(), text: "R".into() }],
            section: "World".into(),
            tags: vec!["a".into(), "b".into()],
            word_count: 400,
            extractor_version: "1.2.3".into(),
            provenance: Some(Provenance { topic: "pages".into(), partition: 3, offset: 99 }),
            warnings: vec!["charset guessed".into()],
            ..article()
        }
    }

    /// What a call answered before: the decoded article, shaped, encoded by prost.
    fn as_served(a: &Article, part: Part) -> Vec<u8> {
        let mut a = a.clone();
        if part == Part::Head {
            a.text = String::new();
            a.blocks = Vec::new();
        }
        a.encode_to_vec()
    }

    #[test]
    fn encoded_bytes_are_what_encoding_the_decoded_article_gives() {
        let body_only = Article { text: "t".into(), blocks: vec![Block::default()], ..Article::default() };
        let no_body = Article { text: String::new(), blocks: Vec::new(), ..every_field() };
        let text_only = Article { blocks: Vec::new(), ..every_field() };
        let blocks_only = Article { text: String::new(), ..every_field() };
        for a in [article(), every_field(), Article::default(), body_only, no_body, text_only, blocks_only] {
            for part in [Part::Whole, Part::Head] {
                let stored = encode(&a);
                let served = decode("a1", &stored, part).unwrap().encode_to_vec();
                assert_eq!(served, as_served(&a, part), "{part:?}");
                assert_eq!(encoded("a1", &stored, part).unwrap(), served, "{part:?} of {a:?}");
                // A record of the earlier format: decoded and encoded as before.
                let plain = a.encode_to_vec();
                assert_eq!(encoded("a1", &plain, part).unwrap(), served, "{part:?}, plain");
            }
        }
    }

    #[test]
    fn damaged_records_are_not_served_as_bytes() {
        let stored = encode(&every_field());
        for cut in [3, HEADER, HEADER + 5, stored.len() - 1] {
            assert!(encoded("a1", &stored[..cut], Part::Whole).is_err(), "cut at {cut}");
        }
        let mut other = stored.clone();
        other[1] = 9;
        assert!(matches!(encoded("a1", &other, Part::Head), Err(LookupError::CorruptRecord { .. })));
        // Well-formed LZ4 of bytes that are not protobuf fields.
        let junk = [0xffu8; 40];
        let lz4 = lz4_flex::block::compress(&junk);
        let mut record = vec![MARK, FORMAT];
        for n in [junk.len(), lz4.len(), 0] {
            record.extend_from_slice(&(n as u32).to_le_bytes());
        }
        record.extend_from_slice(&lz4);
        assert!(matches!(encoded("a1", &record, Part::Head), Err(LookupError::CorruptRecord { .. })));
        assert!(decode("a1", &record, Part::Head).is_err(), "decoding refuses it too");
    }

    #[test]
    fn fields_are_walked_to_where_the_body_goes() {
        let head = Article { text: String::new(), blocks: Vec::new(), ..every_field() }.encode_to_vec();
        let at = body_at(&head).unwrap();
        assert!(at > 0 && at < head.len());
        // The field there is images (15): key (15 << 3) | 2.
        assert_eq!(head[at], (15 << 3) | 2);
        assert_eq!(body_at(&[]), Some(0));
        assert_eq!(body_at(&[0x08]), None, "a varint cut short");
        assert_eq!(body_at(&[0x0a, 0x05, 1]), None, "a length past the end");
        assert_eq!(body_at(&[0x0b]), None, "a group");
    }
}
