//! Where tags, raw text and scripts end: the byte-level steps of the pre-parse scan.

use memchr::{memchr, memchr2, memchr2_iter, memmem};

/// HTML's whitespace between attributes.
pub(super) const fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Whether `hay` (a tag, an attribute's value) holds the non-empty `word`
/// in any case: only the places of its first letter, in either case, are
/// compared, and no lower-cased copy is made.
pub(super) fn holds(hay: &[u8], word: &[u8]) -> bool {
    let first = word[0];
    memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), hay)
        .any(|at| hay.get(at..at + word.len()).is_some_and(|w| w.eq_ignore_ascii_case(word)))
}

/// The bytes that end an attribute's name: whitespace, `/`, `>` and `=`,
/// looked up rather than compared, since every name's every byte is.
const ENDS_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = is_space(i as u8) || matches!(i as u8, b'/' | b'>' | b'=');
        i += 1;
    }
    table
};

/// Where a tag whose name ends at `at` ends: just past its `>`, with quoted
/// attribute values (which may hold `>` and `<`) stepped over; and whether
/// it closes itself (`/>`, not a slash that ends an unquoted value). Each
/// attribute met is told to `attribute` as (start, end of name, end).
pub(super) fn tag_end(
    b: &[u8],
    mut at: usize,
    mut attribute: impl FnMut(usize, usize, usize),
) -> Option<(usize, bool)> {
    loop {
        // Before an attribute name: whitespace and stray slashes.
        let mut slash = false;
        while at < b.len() && (is_space(b[at]) || b[at] == b'/') {
            slash = b[at] == b'/';
            at += 1;
        }
        let start = at;
        match b.get(at)? {
            b'>' => return Some((at + 1, slash)),
            _ => at += 1, // the name's first character, whatever it is (even `=`)
        }
        at += b[at..].iter().position(|&c| ENDS_NAME[usize::from(c)]).unwrap_or(b.len() - at);
        let name_end = at;
        while at < b.len() && is_space(b[at]) {
            at += 1;
        }
        if b.get(at) != Some(&b'=') {
            attribute(start, name_end, name_end);
            continue;
        }
        at += 1;
        while at < b.len() && is_space(b[at]) {
            at += 1;
        }
        match *b.get(at)? {
            q @ (b'"' | b'\'') => at += 1 + memchr(q, &b[at + 1..])? + 1,
            b'>' => {
                attribute(start, name_end, at);
                return Some((at + 1, false));
            }
            _ => {
                while at < b.len() && !is_space(b[at]) && b[at] != b'>' {
                    at += 1;
                }
            }
        }
        attribute(start, name_end, at);
    }
}

/// Where the first `</name` that closes a raw-text element starts (the name
/// in any case, then whitespace, `/` or `>`), searching from `from`.
pub(super) fn end_tag(b: &[u8], mut from: usize, name: &[u8]) -> Option<usize> {
    loop {
        let lt = from + memmem::find(&b[from..], b"</")?;
        let after = lt + 2 + name.len();
        if b.get(lt + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name))
            && b.get(after).is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return Some(lt);
        }
        from = lt + 2;
    }
}

/// Where a script's content ends, searching from `from`: the `<` of its
/// `</script`. Inside `<!--` a script may hold a whole `<script>...</script>`
/// (the tokenizer's "escaped" and "double escaped" states), whose end tag
/// does not end the outer script.
pub(super) fn script_end(b: &[u8], mut at: usize) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let tag = |i: usize, close: bool| {
        let name = i + 1 + usize::from(close);
        b.get(name..name + 6).is_some_and(|n| n.eq_ignore_ascii_case(b"script"))
            && b.get(name + 6).is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
    };
    let mut state = State::Data;
    loop {
        let i = at + memchr2(b'<', b'-', &b[at..])?;
        at = i + 1;
        if b[i] == b'-' {
            if state != State::Data && b[i..].starts_with(b"-->") {
                state = State::Data;
                at = i + 3;
            }
            continue;
        }
        let close = b.get(i + 1) == Some(&b'/');
        match state {
            State::Data if b[i..].starts_with(b"<!--") => {
                state = State::Escaped;
                // The dashes of `<!--` may end it at once (`<!-->`).
                at = i + 2;
            }
            State::Data | State::Escaped if close && tag(i, true) => return Some(i),
            State::Escaped if !close && tag(i, false) => state = State::DoubleEscaped,
            State::DoubleEscaped if close && tag(i, true) => state = State::Escaped,
            _ => {}
        }
    }
}
