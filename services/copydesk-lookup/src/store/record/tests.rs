//! Unit tests of the record formats: round trips, the earlier formats still
//! read, damaged records refused, and bytes served as prost encodes them.

use copydesk_proto::Timestamp;
use copydesk_proto::v1::block::Kind;
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

/// Asserts that `read` refuses `stored` cut short anywhere, and with an
/// unknown format byte, as the record reads must whatever they return.
fn refuses_damage<T>(stored: &[u8], read: impl Fn(&[u8], Part) -> Result<T, LookupError>) {
    for cut in [3, HEADER, HEADER + 5, stored.len() - 1] {
        assert!(read(&stored[..cut], Part::Whole).is_err(), "cut at {cut}");
    }
    // Bytes after the body's end.
    let mut longer = stored.to_vec();
    longer.extend_from_slice(&[0, 1, 2]);
    assert!(read(&longer, Part::Whole).is_err(), "bytes after the end");
    let mut other = stored.to_vec();
    other[1] = 9;
    assert!(matches!(read(&other, Part::Head), Err(LookupError::CorruptRecord { .. })));
}

#[test]
fn damaged_records_are_errors_not_panics() {
    refuses_damage(&encode(&article()), |bytes, part| decode("a1", bytes, part));
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
    let derived = blocks_article();
    for a in [article(), every_field(), Article::default(), body_only, no_body, text_only, blocks_only, derived] {
        for part in [Part::Whole, Part::Head] {
            let stored = encode(&a);
            assert!(is_current(&stored));
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
    refuses_damage(&encode(&every_field()), |bytes, part| encoded("a1", bytes, part));
    // Well-formed LZ4 of bytes that are not protobuf fields.
    let junk = [0xffu8; 40];
    let lz4 = lz4_flex::block::compress(&junk);
    let mut record = vec![MARK, FORMAT_LZ4];
    for n in [junk.len(), lz4.len(), 0] {
        record.extend_from_slice(&(n as u32).to_le_bytes());
    }
    record.extend_from_slice(&lz4);
    assert!(matches!(encoded("a1", &record, Part::Head), Err(LookupError::CorruptRecord { .. })));
    assert!(decode("a1", &record, Part::Head).is_err(), "decoding refuses it too");
    // A well-formed part whose size is not the header's.
    let mut short = encode(&every_field());
    short[3] = short[3].wrapping_add(1);
    assert!(matches!(encoded("a1", &short, Part::Head), Err(LookupError::CorruptRecord { .. })));
    assert!(matches!(decode("a1", &short, Part::Head), Err(LookupError::CorruptRecord { .. })));
    // A body said to hold the blocks' text whose blocks are not protobuf.
    let a = blocks_article();
    let mut stored = encode(&a);
    let body = parts::compress(&[0x6a, 0x03, 0xff, 0xff, 0xff], &[]);
    let head_end = HEADER + u32::from_le_bytes(stored[7..11].try_into().unwrap()) as usize;
    stored.truncate(head_end);
    stored[11..15].copy_from_slice(&5u32.to_le_bytes());
    stored.extend_from_slice(&body);
    assert!(encoded("a1", &stored, Part::Whole).is_err());
    assert!(decode("a1", &stored, Part::Whole).is_err());
}

/// An article as extraction makes them: the text is the blocks' text.
fn blocks_article() -> Article {
    let block = |kind: Kind, text: &str| Block { kind: kind as i32, text: text.into(), ..Block::default() };
    let blocks = vec![
        block(Kind::Heading, "A heading"),
        block(Kind::Paragraph, "First paragraph, with words."),
        block(Kind::Image, ""),
        block(Kind::Paragraph, ""),
        block(Kind::Quote, "Zitat: »Wörter« 引用"),
    ];
    Article { text: parts::blocks_text(&blocks), blocks, ..every_field() }
}

#[test]
fn the_blocks_text_is_rebuilt_not_stored() {
    let a = blocks_article();
    assert_eq!(a.text, "A heading\n\nFirst paragraph, with words.\n\n\n\nZitat: »Wörter« 引用");
    let stored = encode(&a);
    assert_eq!(stored[2], TEXT_FROM_BLOCKS);
    assert_eq!(decode("a1", &stored, Part::Whole).unwrap(), a);
    assert_eq!(decoded_len(&stored, Part::Whole), a.encoded_len());
    // A text that is not the blocks' is kept as it is.
    for text in ["A heading", "A heading\n\nFirst paragraph, with words.\n\n\n\nZitat: »Wörter« 引用 ", ""] {
        let other = Article { text: text.into(), ..a.clone() };
        let stored = encode(&other);
        assert_eq!(stored[2], 0, "{text:?}");
        assert_eq!(decode("a1", &stored, Part::Whole).unwrap(), other);
    }
    // No blocks but images: the text is empty, and rebuilt empty.
    let images =
        Article { text: String::new(), blocks: vec![Block { kind: Kind::Image as i32, ..Block::default() }], ..a };
    assert_eq!(encode(&images)[2], TEXT_FROM_BLOCKS);
    assert_eq!(decode("a1", &encode(&images), Part::Whole).unwrap(), images);
}

/// Every sample article, written in an earlier format by `write`, reads
/// back whole and as served in each part, sized before it is decompressed.
fn reads_back_as_written(write: fn(&Article) -> Vec<u8>) {
    for a in [article(), every_field(), blocks_article(), Article::default()] {
        let stored = write(&a);
        assert!(!is_legacy(&stored) && !is_current(&stored));
        assert_eq!(decode("a1", &stored, Part::Whole).unwrap(), a);
        assert_eq!(decoded_len(&stored, Part::Whole), a.encoded_len());
        for part in [Part::Whole, Part::Head] {
            assert_eq!(encoded("a1", &stored, part).unwrap(), as_served(&a, part), "{part:?}");
        }
    }
}

#[test]
fn records_of_the_lz4_format_are_still_read() {
    reads_back_as_written(encode_lz4);
    let stored = encode_lz4(&article());
    for cut in [3, HEADER_LZ4, HEADER_LZ4 + 5, stored.len() - 1] {
        assert!(decode("a1", &stored[..cut], Part::Whole).is_err(), "cut at {cut}");
    }
}

#[test]
fn records_of_the_deflate_format_without_a_dictionary_are_still_read() {
    reads_back_as_written(encode_alone);
}

#[test]
fn records_of_the_deflate_format_with_the_head_as_dictionary_are_still_read() {
    reads_back_as_written(encode_deflate);
    refuses_damage(&encode_deflate(&every_field()), |bytes, part| decode("a1", bytes, part));
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

#[test]
fn parts_round_trip_one_after_another_incompressible_ones_too() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let prose = "Some words, and some more words. ".repeat(300).into_bytes();
    // The per-thread state is reset between parts: each one reads alone.
    type Pack = fn(&[u8], &[u8]) -> Vec<u8>;
    type Unpack = fn(&[u8], &mut [u8], &[u8]) -> Result<usize, String>;
    let kinds: [(Pack, Unpack); 2] = [(parts::compress, parts::decompress_into), (parts::deflate, parts::inflate_into)];
    for (pack, unpack) in kinds {
        for part in [&noise[..], &prose[..], &[][..], &noise[..10]] {
            for dictionary in [&[][..], &prose[..50]] {
                let packed = pack(part, dictionary);
                let mut out = vec![0; part.len()];
                assert_eq!(unpack(&packed, &mut out, dictionary), Ok(part.len()));
                assert_eq!(out, part);
                let mut short = vec![0; part.len().saturating_sub(1)];
                if !part.is_empty() {
                    assert!(unpack(&packed, &mut short, dictionary).is_err(), "a part larger than its room");
                }
                let mut longer = packed.clone();
                longer.extend_from_slice(&packed);
                let mut room = vec![0; 2 * part.len() + 1];
                assert!(unpack(&longer, &mut room, dictionary).is_err(), "bytes after the part's end");
            }
        }
        assert!(pack(&prose, &[]).len() * 10 < prose.len());
        // What the dictionary holds is not stored again.
        let (alone, after) = (pack(&prose[..200], &[]), pack(&prose[..200], &prose[..200]));
        // (zstd's frame header, a dozen bytes, is most of what is left.)
        assert!(after.len() * 2 < alone.len(), "{} against {}", after.len(), alone.len());
        let mut out = vec![0; 200];
        assert!(unpack(&after, &mut out, &[]).is_err() || out != prose[..200], "it needs its dictionary");
    }
}

#[test]
fn the_body_is_read_with_the_head_it_was_deflated_with_and_the_format_says_so() {
    // A head whose words the text repeats: the body refers back to them.
    let words: Vec<String> =
        (0..400u64).map(|i| format!("{:x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40)).collect();
    let description = words.join(" ");
    let a = Article { description: description.clone(), text: format!("{description} {description}"), ..article() };
    let (with, alone) = (encode(&a), encode_alone(&a));
    assert!(with.len() + description.len() / 4 < alone.len(), "{} against {} bytes", with.len(), alone.len());
    assert_eq!(decode("a1", &with, Part::Whole).unwrap(), a);
    assert_eq!(encoded("a1", &with, Part::Whole).unwrap(), a.encode_to_vec());
    // The same bytes said to be of the format without a dictionary do not
    // read, nor with another head in front.
    let mut unversioned = with.clone();
    unversioned[1] = FORMAT_ALONE;
    assert!(decode("a1", &unversioned, Part::Whole).is_err_and(|e| matches!(e, LookupError::CorruptRecord { .. })));
    let other = encode(&Article { description: description.replace('a', "b"), ..a.clone() });
    let body = |r: &[u8]| r[HEADER + u32::from_le_bytes(r[7..11].try_into().unwrap()) as usize..].to_vec();
    let mut swapped = other[..other.len() - body(&other).len()].to_vec();
    swapped.extend_from_slice(&body(&with));
    swapped[11..15].copy_from_slice(&with[11..15]);
    swapped[15..19].copy_from_slice(&with[15..19]);
    assert!(
        decode("a1", &swapped, Part::Whole).map_or(true, |b| b.text != a.text),
        "another head is not its dictionary"
    );
}

#[test]
fn a_head_larger_than_the_deflate_window_is_still_the_body_dictionary() {
    // Deflate looks back 32 KiB at most: only the head's last bytes serve.
    let words: Vec<String> =
        (0..12_000u64).map(|i| format!("{:x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 36)).collect();
    let description = words.join(" ");
    assert!(description.len() > 64 << 10);
    let text = format!("{} {}", &description[..1000], &description[description.len() - 1000..]);
    let a = Article { description, text, ..every_field() };
    let stored = encode(&a);
    assert_eq!(decode("a1", &stored, Part::Whole).unwrap(), a);
    assert_eq!(encoded("a1", &stored, Part::Whole).unwrap(), a.encode_to_vec());
}

#[test]
fn a_head_read_needs_only_the_header_and_the_head() {
    let earlier = [encode_deflate(&every_field()), encode_alone(&every_field()), encode_lz4(&every_field())];
    for stored in [encode(&every_field())].into_iter().chain(earlier) {
        let n = needed(&stored, Part::Head).unwrap();
        assert!(n < stored.len(), "{n} of {}", stored.len());
        let first = &stored[..n];
        assert_eq!(decode("a1", first, Part::Head).unwrap(), decode("a1", &stored, Part::Head).unwrap());
        assert_eq!(encoded("a1", first, Part::Head).unwrap(), as_served(&every_field(), Part::Head));
        assert_eq!(decoded_len(first, Part::Head), decoded_len(&stored, Part::Head));
        assert!(decode("a1", &stored[..n - 1], Part::Head).is_err(), "one byte short");
        // Too few bytes to tell, or a whole read: all of it.
        assert_eq!(needed(&stored[..5], Part::Head), None);
        assert_eq!(needed(&stored, Part::Whole), None);
    }
    assert_eq!(needed(&every_field().encode_to_vec(), Part::Head), None, "a plain record");
}
