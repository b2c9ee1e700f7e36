//! UTF-8 text that went through UTF-8 twice: some tool read a page's UTF-8
//! bytes as Latin-1 or windows-1252 and wrote each byte back as a character,
//! so "you’re" became "youâ\u{80}\u{99}re" or "youâ€™re". The page is valid
//! UTF-8 and declares it, and browsers show the garble; the words are still
//! there, one character per byte, and reading those bytes as UTF-8 again
//! gives them back.
//!
//! Repaired run by run, not page by page: templates mix such text (pasted
//! from a tool that garbled it) with text that is fine, and a run of "byte
//! characters" that is not valid UTF-8 ("Â" alone, "Ã©" in a French word
//! that means it) stays as it is.

/// Least number of garbled sequences that marks a page: one is a typo, a
/// page that went through the detour shows it on every apostrophe.
const MIN_SIGNS: usize = 8;

/// Repairs the text if it is full of such sequences.
pub(super) fn repair(text: &mut String) {
    if signs(text.as_bytes()) < MIN_SIGNS {
        return;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some((at, lead)) = rest.char_indices().find(|&(_, c)| ('\u{c2}'..='\u{f4}').contains(&c)) {
        out.push_str(&rest[..at]);
        let after = &rest[at + lead.len_utf8()..];
        let need = match lead as u32 {
            0xc2..=0xdf => 1,
            0xe0..=0xef => 2,
            _ => 3,
        };
        let mut bytes = [lead as u8, 0, 0, 0];
        let (mut len, mut taken) = (1, 0);
        for c in after.chars().take(need) {
            match byte_of(c) {
                Some(b) if (0x80..0xc0).contains(&b) => {
                    bytes[len] = b;
                    len += 1;
                    taken += c.len_utf8();
                }
                _ => break,
            }
        }
        match std::str::from_utf8(&bytes[..len]) {
            Ok(s) if len == need + 1 => {
                out.push_str(s);
                rest = &after[taken..];
            }
            _ => {
                out.push(lead);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    *text = out;
}

/// How many sequences read as a UTF-8 sequence shown byte by byte: a C1
/// control (U+0080..U+009F, which no text uses; bytes C2 80..C2 9F) or
/// "â€" (C3 A2 E2 82 AC, the windows-1252 reading of E2 80, which opens
/// every curly quote and dash). A scan of the bytes, with no decoding.
fn signs(bytes: &[u8]) -> usize {
    memchr::memchr2_iter(0xc2, 0xc3, bytes)
        .filter(|&i| match bytes[i] {
            0xc2 => bytes.get(i + 1).is_some_and(|b| (0x80..0xa0).contains(b)),
            _ => bytes[i..].starts_with(&[0xc3, 0xa2, 0xe2, 0x82, 0xac]),
        })
        .count()
}

/// The byte a character stands for when a byte was read as Latin-1 or
/// windows-1252, if it does.
fn byte_of(c: char) -> Option<u8> {
    if (c as u32) < 0x100 {
        return Some(c as u8);
    }
    let mut buf = [0; 4];
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    (!unmappable && bytes.len() == 1).then(|| bytes[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> String {
        let mut t = text.to_string();
        repair(&mut t);
        t
    }

    #[test]
    fn text_read_twice_through_latin1_or_windows_1252_is_repaired() {
        let latin1 = "Itâ\u{80}\u{99}s here â\u{80}\u{94} now. ".repeat(5);
        assert_eq!(repaired(&latin1), "It’s here — now. ".repeat(5));
        let cp1252 = "Itâ€™s here â€” now. ".repeat(5);
        assert_eq!(repaired(&cp1252), "It’s here — now. ".repeat(5));
    }

    #[test]
    fn sound_text_and_a_lone_sign_are_left_alone() {
        let french = "Le café coûte 2 €, l’été. ".repeat(10);
        assert_eq!(repaired(&french), french);
        // Two garbled apostrophes are not a garbled page.
        let few = "Itâ€™s fine, itâ€™s Ã© here.";
        assert_eq!(repaired(few), few);
        // A garbled page keeps its sound characters and an invalid run.
        let mixed = format!("{}Â alone, “quoted”, café.", "donâ€™t ".repeat(8));
        assert_eq!(repaired(&mixed), format!("{}Â alone, “quoted”, café.", "don’t ".repeat(8)));
    }
}
