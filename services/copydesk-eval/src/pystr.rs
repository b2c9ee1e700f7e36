//! Python 3 `str` and `re` character classes, re-implemented so that score.py's figures reproduce.
//!
//! Rust's own notions differ from Python's at the edges (`char::is_whitespace` has no
//! U+001C..U+001F, `char::is_alphanumeric` counts Other_Alphabetic marks, regex `\w` counts
//! marks and joiners), so every predicate here is written from Python's definition instead.

use unicode_general_category::{GeneralCategory as Gc, get_general_category};
use unicode_normalization::UnicodeNormalization;

/// Python's `\w` on `str`: `ch.isalnum() or ch == "_"`.
///
/// CPython's `isalnum` is `isalpha` (L*) or `isdecimal`/`isdigit`/`isnumeric` (N*, plus the
/// Unihan numerals, which are all Lo anyway); checked against CPython 3.11 over every code point.
#[must_use]
pub fn is_word(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphanumeric() || ch == '_';
    }
    matches!(
        get_general_category(ch),
        Gc::UppercaseLetter
            | Gc::LowercaseLetter
            | Gc::TitlecaseLetter
            | Gc::ModifierLetter
            | Gc::OtherLetter
            | Gc::DecimalNumber
            | Gc::LetterNumber
            | Gc::OtherNumber
    )
}

/// Python's `str.isspace()`, which is also `re`'s `\s` and what `strip()`/`split()` drop:
/// bidi class WS, B or S, or category Zs. Unlike `char::is_whitespace` it includes the
/// information separators U+001C..U+001F.
#[must_use]
pub fn is_space(ch: char) -> bool {
    matches!(
        ch,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `\d` on `str`: any Unicode decimal digit (category Nd), not only ASCII.
#[must_use]
pub fn is_decimal(ch: char) -> bool {
    ch.is_ascii_digit() || (!ch.is_ascii() && get_general_category(ch) == Gc::DecimalNumber)
}

/// `str.strip()` with no argument.
#[must_use]
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `str.split()` with no argument: runs of Python whitespace separate, empty fields vanish.
pub fn split_whitespace(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_space).filter(|part| !part.is_empty())
}

/// score.py's `norm`: NFKC, `str.lower()`, whitespace runs to one space, strip.
///
/// `str::to_lowercase` is the right lowering: like `str.lower()` it applies the full
/// (multi-character) mappings and the Final_Sigma rule with the same Cased/Case_Ignorable test.
#[must_use]
pub fn norm(s: &str) -> String {
    let lowered = s.nfkc().collect::<String>().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut in_space = false;
    for ch in lowered.chars() {
        if is_space(ch) {
            in_space = true;
            continue;
        }
        // A run is only emitted once something follows it, which is what the final strip() does.
        if in_space && !out.is_empty() {
            out.push(' ');
        }
        in_space = false;
        out.push(ch);
    }
    out
}

/// The `CJK` class of score.py; astral ideographs (Extension B and later) are deliberately
/// outside it there, so they stay inside Latin-style tokens here too.
#[must_use]
pub fn is_cjk(ch: char) -> bool {
    matches!(
        ch,
        '\u{3040}'..='\u{30ff}'
            | '\u{3400}'..='\u{4dbf}'
            | '\u{4e00}'..='\u{9fff}'
            | '\u{f900}'..='\u{faff}'
            | '\u{ac00}'..='\u{d7af}'
    )
}

/// score.py's `tokens`: `re.findall(r"\w+")`, then with `cjk` every CJK character becomes its
/// own token and the non-CJK stretches between them stay whole.
#[must_use]
pub fn tokens(text: &str, cjk: bool) -> Vec<&str> {
    let mut out = Vec::new();
    for word in words(text) {
        if !cjk || !word.chars().any(is_cjk) {
            out.push(word);
            continue;
        }
        let mut rest_start = 0;
        for (at, ch) in word.char_indices() {
            if is_cjk(ch) {
                if rest_start < at {
                    out.push(&word[rest_start..at]);
                }
                let end = at + ch.len_utf8();
                out.push(&word[at..end]);
                rest_start = end;
            }
        }
        if rest_start < word.len() {
            out.push(&word[rest_start..]);
        }
    }
    out
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|ch: char| !is_word(ch)).filter(|w| !w.is_empty())
}

/// score.py's `day`: the leading `\d{4}-\d{2}-\d{2}` of the stripped string, or "".
#[must_use]
pub fn day(value: &str) -> &str {
    let s = strip(value);
    let mut end = 0;
    for (i, ch) in s.chars().enumerate() {
        let ok = if i == 4 || i == 7 { ch == '-' } else { is_decimal(ch) };
        if !ok {
            return "";
        }
        end += ch.len_utf8();
        if i == 9 {
            return &s[..end];
        }
    }
    ""
}

/// score.py's `names` on already-extracted raw name strings: each is normalised and split on
/// `\s*(?:;|,|\band\b|\bund\b|&|、)\s*`; the answer is the sorted set of non-empty parts.
#[must_use]
pub fn names<S: AsRef<str>>(raw: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in raw {
        let normalised = norm(name.as_ref());
        out.extend(split_names(&normalised).into_iter().map(str::to_owned));
    }
    // Python sorts str by code point, which is exactly UTF-8 byte order.
    out.sort_unstable();
    out.dedup();
    out
}

/// `re.split` with the separator pattern; empty parts are dropped as names() drops them.
fn split_names(s: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(s.len(), |&(b, _)| b);
    let mut parts = Vec::new();
    let mut piece = 0;
    let mut i = 0;
    while i < chars.len() {
        match separator_end(&chars, i) {
            Some(end) => {
                parts.push(&s[byte_at(piece)..byte_at(i)]);
                piece = end;
                i = end;
            }
            None => i += 1,
        }
    }
    parts.push(&s[byte_at(piece)..]);
    parts.retain(|p| !p.is_empty());
    parts
}

/// End (char index) of a separator match starting at `start`, if one starts there.
///
/// The leading `\s*` never needs to backtrack: every alternative begins with a non-space
/// character, so only the end of the maximal space run can start one.
fn separator_end(chars: &[(usize, char)], start: usize) -> Option<usize> {
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let skip_spaces = |mut i: usize| {
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        i
    };
    // Python's \b: a word character on exactly one side, the string edges counting as non-word.
    let boundary = |i: usize| {
        let before = i > 0 && at(i - 1).is_some_and(is_word);
        before != at(i).is_some_and(is_word)
    };
    let j = skip_spaces(start);
    let word_at = |w: &str| {
        let n = w.chars().count();
        w.chars().enumerate().all(|(k, c)| at(j + k) == Some(c)) && boundary(j) && boundary(j + n)
    };
    let after = match at(j)? {
        ';' | ',' | '&' | '、' => j + 1,
        'a' if word_at("and") => j + 3,
        'u' if word_at("und") => j + 3,
        _ => return None,
    };
    Some(skip_spaces(after))
}

#[cfg(test)]
mod tests;
