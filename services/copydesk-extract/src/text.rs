//! Text helpers: whitespace folding, CJK-aware counting, hashing and ids.

use sha2::{Digest, Sha256};

/// Appends `src` to `dst` with runs of whitespace folded into one space (and
/// no space at the very start); returns how many chars were appended.
pub(crate) fn push_collapsed(dst: &mut String, src: &str) -> usize {
    let bytes = src.as_bytes();
    let mut added = 0;
    let mut space = dst.is_empty() || dst.ends_with(' ');
    // Runs of visible characters are copied as slices, and ASCII (most of
    // any page's bytes, markup-adjacent whitespace included) is classified
    // without decoding a char.
    let mut run: Option<usize> = None;
    let mut at = 0;
    while at < bytes.len() {
        // Most of any page's text is visible characters: counted a byte at a
        // time from a table, without decoding them.
        if VISIBLE[bytes[at] as usize] != SLOW {
            let start = at;
            while at < bytes.len() {
                let class = VISIBLE[bytes[at] as usize];
                if class != SLOW {
                    added += usize::from(class);
                    at += 1;
                } else if bytes[at] == b' ' && bytes.get(at + 1).is_some_and(|&b| VISIBLE[b as usize] != SLOW) {
                    // A lone space between visible characters is kept as it
                    // stands: the run goes on through it. Ended at every
                    // space, the run cost a copy and a push per word, most
                    // of this function's work on prose.
                    added += 1;
                    at += 1;
                } else {
                    break;
                }
            }
            run.get_or_insert(start);
            space = false;
            continue;
        }
        let (blank, len) = if bytes[at].is_ascii() {
            (matches!(bytes[at], b'\t'..=b'\r' | b' '), 1)
        } else {
            let Some(c) = src[at..].chars().next() else { break };
            // A soft hyphen only marks where a word may break; left in, it
            // splits the word for anyone matching or searching the text.
            if c == '\u{ad}' {
                if let Some(start) = run.take() {
                    dst.push_str(&src[start..at]);
                }
                at += c.len_utf8();
                continue;
            }
            (c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}', c.len_utf8())
        };
        if blank {
            if let Some(start) = run.take() {
                dst.push_str(&src[start..at]);
            }
            if !space {
                dst.push(' ');
                added += 1;
                space = true;
            }
        } else {
            run.get_or_insert(at);
            added += 1;
            space = false;
        }
        at += len;
    }
    if let Some(start) = run {
        dst.push_str(&src[start..]);
    }
    added
}

/// Marks a byte that needs the careful path of `push_collapsed`.
const SLOW: u8 = 2;

/// Per byte of UTF-8: 1 if it starts a character that is surely visible, 0
/// if it continues one, `SLOW` if it is whitespace, a control, or the lead
/// byte of a range that holds blank or dropped characters (U+0085, U+00A0,
/// the soft hyphen, U+1680, U+2000-U+205F, U+3000, U+FEFF).
static VISIBLE: [u8; 256] = {
    let mut table = [SLOW; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            0x21..=0x7f => 1,
            0x80..=0xbf => 0,
            0xc2 | 0xe1 | 0xe2 | 0xe3 | 0xef => SLOW,
            0xc0..=0xff => 1,
            _ => SLOW,
        };
        b += 1;
    }
    table
};

/// Han, kana and hangul: scripts written without spaces between words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0xac00..=0xd7af | 0x20000..=0x2ffff)
}

/// Han characters alone (Chinese, and kanji): the script of Chinese names.
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x2ffff)
}

/// One word per CJK character, otherwise whitespace-separated words.
pub(crate) fn word_count(text: &str) -> u32 {
    let mut count = 0u32;
    let mut in_word = false;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // Most of a body is ASCII, classified a byte at a time; the Unicode
        // tables below cost dozens of instructions a character.
        let b = bytes[at];
        if b.is_ascii() {
            // One look-up instead of the range tests: a word's letter or
            // digit, white space, or neither (punctuation leaves a word open).
            match ASCII_WORDS[usize::from(b)] {
                WORD => {
                    count += u32::from(!in_word);
                    in_word = true;
                }
                BLANK => in_word = false,
                _ => {}
            }
            at += 1;
            continue;
        }
        let Some(c) = text[at..].chars().next() else { break };
        at += c.len_utf8();
        if is_cjk(c) {
            count += 1;
            in_word = false;
        } else if c.is_whitespace() {
            in_word = false;
        } else if !in_word && (c.is_alphanumeric()) {
            count += 1;
            in_word = true;
        }
    }
    count
}

const WORD: u8 = 1;
const BLANK: u8 = 2;

/// `word_count`'s classes of ASCII bytes: letters and digits are `WORD`,
/// white space (the vertical tab too, as for `char`) `BLANK`, the rest 0.
static ASCII_WORDS: [u8; 128] = {
    let mut table = [0; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() {
            WORD
        } else if c.is_ascii_whitespace() || c == 0x0b {
            BLANK
        } else {
            0
        };
        b += 1;
    }
    table
};

/// A length that weighs a CJK character like a short word, so thresholds
/// mean the same in Chinese and in English.
pub(crate) fn weighted_len(text: &str) -> usize {
    // Every char counts one (std counts them many bytes at a time), and a
    // CJK char two more. Only three- and four-byte characters can be CJK
    // (lead bytes E3 to F0): a block of 32 bytes without one, which is all
    // of most Latin text, is passed over at a glance.
    const BLOCK: usize = 32;
    let bytes = text.as_bytes();
    let mut extra = 0;
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + BLOCK).min(bytes.len());
        let block = &bytes[at..end];
        if block.iter().copied().max().unwrap_or(0) >= 0xe3 {
            for (i, &b) in block.iter().enumerate() {
                // A byte from E3 to F0 always starts a character.
                if (0xe3..=0xf0).contains(&b) && text[at + i..].chars().next().is_some_and(is_cjk) {
                    extra += 2;
                }
            }
        }
        at = end;
    }
    text.chars().count() + extra
}

/// Hex SHA-256 of the text with whitespace folded, so formatting-only
/// changes upstream do not look like new content.
pub(crate) fn content_hash(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    push_collapsed(&mut folded, text);
    hex(&Sha256::digest(folded.trim().as_bytes()))
}

/// A stable article id: the first 16 bytes of SHA-256 over the canonical URL.
pub(crate) fn article_id(canonical_url: &str) -> String {
    hex(&Sha256::digest(canonical_url.as_bytes())[..16])
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Sentence-ending punctuation in the scripts we meet.
pub(crate) fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['.', '!', '?', '。', '！', '？', '"', '”', '」', '』', '…', ';', ')', '）'])
}

/// Letters and digits only, lowercased: for comparing titles and names
/// whatever their punctuation, spacing or case.
pub(crate) fn fold(s: &str) -> String {
    // Titles are compared folded many times over; most of their bytes are
    // ASCII, which is classified and lower-cased a byte at a time instead of
    // through the Unicode tables.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        out.extend(
            rest.as_bytes()[..ascii]
                .iter()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        rest = &rest[ascii..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    use super::*;

    #[test]
    fn collapse_and_count() {
        let mut s = String::new();
        assert_eq!(push_collapsed(&mut s, "  a \n\t b  "), 4);
        assert_eq!(s, "a b ");
        assert_eq!(word_count("普京 visited Pyongyang, 朝鲜。"), 6);
        assert_eq!(weighted_len("普京 visited 朝鲜。\u{20000}"), 25);
    }

    #[test]
    fn soft_hyphens_are_dropped() {
        let mut s = String::new();
        assert_eq!(push_collapsed(&mut s, "Quaran\u{ad}täne \u{ad} end\u{ad}"), 14);
        assert_eq!(s, "Quarantäne end");
    }

    /// What `push_collapsed` must do, one char at a time.
    fn collapsed_slowly(prefix: &str, src: &str) -> (String, usize) {
        let mut out = prefix.to_string();
        let mut added = 0;
        for c in src.chars() {
            let blank = c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}';
            if c == '\u{ad}' {
                continue;
            }
            if !blank {
                out.push(c);
                added += 1;
            } else if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
                added += 1;
            }
        }
        (out, added)
    }

    #[test]
    fn collapse_matches_char_by_char_whitespace() {
        let src = "a\u{b}b\u{a0}c\u{3000}d\u{200b}\u{feff}e\u{85}f\u{1680}g中\r\n文 \u{2029} ";
        let (expected, count) = collapsed_slowly("", src);
        let mut s = String::new();
        assert_eq!(push_collapsed(&mut s, src), count);
        assert_eq!(s, expected);
    }

    proptest::proptest! {
        /// The ASCII fast path of `fold` agrees with folding char by char.
        #[test]
        fn fold_agrees_with_chars(src in "(?s).{0,40}") {
            let expected: String = src.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
            proptest::prop_assert_eq!(fold(&src), expected);
        }

        /// The ASCII fast path of `word_count` agrees with counting char by
        /// char (a vertical tab is white space to `char`, not to `u8`).
        #[test]
        fn word_count_agrees_with_chars(src in "(?s)[a-z0-9 \\x0b\\t\\n.,'’é中\\u{a0}\\u{3000}-]{0,40}|(?s).{0,40}") {
            let (mut expected, mut in_word) = (0, false);
            for c in src.chars() {
                if is_cjk(c) {
                    (expected, in_word) = (expected + 1, false);
                } else if c.is_whitespace() {
                    in_word = false;
                } else if !in_word && c.is_alphanumeric() {
                    (expected, in_word) = (expected + 1, true);
                }
            }
            proptest::prop_assert_eq!(word_count(&src), expected);
        }

        #[test]
        fn weighted_len_agrees_with_chars(src in "(?s).{0,40}") {
            let expected: usize = src.chars().map(|c| if is_cjk(c) { 3 } else { 1 }).sum();
            proptest::prop_assert_eq!(weighted_len(&src), expected);
        }

        /// The byte-table fast path agrees with the char-by-char rule on any
        /// text, the blank and dropped characters of every script included.
        #[test]
        fn collapse_agrees_with_the_slow_rule(
            prefix in "[a ]{0,2}",
            src in proptest::collection::vec(proptest::prop_oneof![
                proptest::char::any(),
                proptest::sample::select(vec![' ', '\n', '\u{85}', '\u{a0}', '\u{ad}', '\u{1680}', '\u{2003}',
                    '\u{200b}', '\u{2028}', '\u{202f}', '\u{205f}', '\u{3000}', '\u{3001}', '\u{feff}', 'é', '中']),
            ], 0..40).prop_map(|cs| cs.into_iter().collect::<String>()),
        ) {
            let (expected, count) = collapsed_slowly(&prefix, &src);
            let mut s = prefix.clone();
            proptest::prop_assert_eq!(push_collapsed(&mut s, &src), count);
            proptest::prop_assert_eq!(s, expected);
        }
    }

    #[test]
    fn ids_are_stable_hex() {
        assert_eq!(article_id("https://example.com/").len(), 32);
        assert_eq!(content_hash("a  b\n"), content_hash("a b"));
    }
}
