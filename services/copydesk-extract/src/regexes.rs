//! How the extractor builds its regexes: most with a small lazy-DFA cache, the word lists with a larger one.
//!
//! The regex crate gives each regex a lazy DFA whose cache grows, per
//! thread, up to the regex's `dfa_size_limit` (2 MiB by default) as inputs
//! reach states it has not built yet, and keeps it for the life of the
//! process. The word-list alternations grow theirs furthest. Over the five
//! dev sets in one `copydesk extract` (2026-12-06, three interleaved runs
//! each, user + sys time): the default peaked at 40.1-40.8 MB of RSS;
//! [`DFA_CACHE_BYTES`] at 512 KiB at 37.0-37.2 MB for about 2% more CPU;
//! 256 KiB at 35 MB for 13% more, as the caches filled and were cleared
//! over and over; 1 MiB changed neither. When a cache fills, the crate
//! clears it and goes on, or answers with another of its engines, so no
//! match ever changes, only its cost.

use regex::{Regex, RegexBuilder};

/// Each regex's lazy-DFA cache, per thread.
pub(crate) const DFA_CACHE_BYTES: usize = 512 << 10;

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
