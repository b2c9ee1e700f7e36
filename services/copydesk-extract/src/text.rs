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

/// Han, kana and hangul: scripts written without spaces between words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0xac00..=0xd7af | 0x20000..=0x2ffff)
}

/// One word per CJK character, otherwise whitespace-separated words.
pub(crate) fn word_count(text: &str) -> u32 {
    let mut count = 0u32;
    let mut in_word = false;
    for c in text.chars() {
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

/// A length that weighs a CJK character like a short word, so thresholds
/// mean the same in Chinese and in English.
pub(crate) fn weighted_len(text: &str) -> usize {
    text.chars().map(|c| if is_cjk(c) { 3 } else { 1 }).sum()
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
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_and_count() {
        let mut s = String::new();
        assert_eq!(push_collapsed(&mut s, "  a \n\t b  "), 4);
        assert_eq!(s, "a b ");
        assert_eq!(word_count("普京 visited Pyongyang, 朝鲜。"), 6);
    }

    #[test]
    fn soft_hyphens_are_dropped() {
        let mut s = String::new();
        assert_eq!(push_collapsed(&mut s, "Quaran\u{ad}täne \u{ad} end\u{ad}"), 14);
        assert_eq!(s, "Quarantäne end");
    }

    #[test]
    fn collapse_matches_char_by_char_whitespace() {
        let src = "a\u{b}b\u{a0}c\u{3000}d\u{200b}\u{feff}e\u{85}f\u{1680}g中\r\n文 \u{2029} ";
        let mut expected = String::new();
        for c in src.chars() {
            let blank = c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}';
            if !blank {
                expected.push(c);
            } else if !expected.is_empty() && !expected.ends_with(' ') {
                expected.push(' ');
            }
        }
        let mut s = String::new();
        assert_eq!(push_collapsed(&mut s, src), expected.chars().count());
        assert_eq!(s, expected);
    }

    #[test]
    fn ids_are_stable_hex() {
        assert_eq!(article_id("https://example.com/").len(), 32);
        assert_eq!(content_hash("a  b\n"), content_hash("a b"));
    }
}
