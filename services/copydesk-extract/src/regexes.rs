//! How the extractor builds its regexes: most with a small lazy-DFA cache, the word lists with a larger one.
//!
//! The regex crate gives each regex a lazy DFA whose cache grows, per
//! thread, up to the regex's `dfa_size_limit` (2 MiB by default) as inputs
//! reach states it has not built yet, and keeps it for the life of the
//! process. When a cache fills, the crate clears it and goes on, or answers
//! with another of its engines, so no match ever changes, only its cost.
//!
//! Only the furniture word lists need more than a small cache: with every
//! regex at 256 KiB they were cleared over and over (13% more CPU over the
//! five dev sets). Measured 2026-12-07 over the five dev sets in one
//! `copydesk extract`: word lists at 1 MiB and the rest at 256 KiB execute
//! 0.1% more instructions than the rest at 512 KiB, for about 1.2 MB less
//! peak RSS (38.6-39.1 MB against 39.8-40.3 MB).

use regex::{Regex, RegexBuilder};

/// Each regex's lazy-DFA cache, per thread.
pub(crate) const DFA_CACHE_BYTES: usize = 256 << 10;

pub(crate) fn regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).dfa_size_limit(DFA_CACHE_BYTES).build()
}

/// Each word-list regex's lazy-DFA cache, per thread. The furniture lists'
/// automata fit in 1 MiB (2 and 8 MiB built no fewer states over the wcxb
/// pages); in the small cache they were cleared and rebuilt every few
/// pages. Four regexes have it, for under 1 MB more peak RSS.
pub(crate) const WORD_LIST_DFA_CACHE_BYTES: usize = 1 << 20;

/// A regex for one of the wording rows' large alternations (see
/// [`WORD_LIST_DFA_CACHE_BYTES`]).
pub(crate) fn word_list_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).dfa_size_limit(WORD_LIST_DFA_CACHE_BYTES).build()
}

/// A regex over bytes (markup whose encoding is not known yet).
pub(crate) fn bytes_regex(pattern: &str) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern).dfa_size_limit(DFA_CACHE_BYTES).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_as_the_crate_does_with_the_smaller_cache() {
        let words = regex(r"(?i)\b(?:by|von|par)\s+\p{Lu}\p{L}+").unwrap();
        let text = "Story von Jana Novák, photos par Émile";
        let found: Vec<&str> = words.find_iter(text).map(|m| m.as_str()).collect();
        assert_eq!(found, ["von Jana", "par Émile"]);
        assert!(regex("(").is_err(), "a bad pattern is still an error");
        assert!(bytes_regex(r"(?i-u)charset=([a-z0-9-]+)").unwrap().is_match(b"CHARSET=utf-8"));
    }
}
