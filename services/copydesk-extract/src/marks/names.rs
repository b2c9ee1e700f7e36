//! What class names and ids say an element is, by the generic words templates use.
//!
//! Each word sets one bit of `said`, and is found as a regex would find
//! `word`, `(?:^|[^a-z])word` or `(?:^|[^a-z])word(?:$|[^a-z])`. One regex
//! set over the lists did this before: its lazy DFA met new states on most of
//! a page's distinct class lists, so most calls built some, about 6,200
//! instructions a call. A scan that tries, at each letter, only the words
//! that start with it takes about 2,400 and builds nothing: marking elements
//! costs half the instructions, extraction 4% fewer (2026-12-06, callgrind
//! over 118 dev pages). The tests hold the scan to the regexes it replaced.

use std::sync::LazyLock;

use super::said;

/// Where a word must stand to count.
#[derive(Clone, Copy)]
enum Edge {
    /// Anywhere, inside a longer name too ("wp-caption-text").
    Anywhere,
    /// At the start of a name, or after anything but `a`-`z` ("post-date").
    Start,
    /// As a whole name, or between characters other than `a`-`z` ("nav", "top-nav-2").
    Whole,
}

use Edge::{Anywhere, Start, Whole};

/// Each word, its bit and its edges. Words ending in `*` stand for any
/// continuation ("advert", "advertising"), so only their start is checked;
/// `-?` spellings are listed both ways.
const WORDS: &[(&str, u8, Edge)] = &[
    ("caption", said::CAPTION, Anywhere),
    ("imgdesc", said::CAPTION, Anywhere),
    ("img-desc", said::CAPTION, Anywhere),
    ("imagedesc", said::CAPTION, Anywhere),
    ("image-desc", said::CAPTION, Anywhere),
    ("legend", said::CAPTION, Anywhere),
    ("credit", said::CREDIT, Anywhere),
    ("copyright", said::CREDIT, Anywhere),
    ("photographer", said::CREDIT, Anywhere),
    ("imagesource", said::CREDIT, Anywhere),
    ("image-source", said::CREDIT, Anywhere),
    ("imgsource", said::CREDIT, Anywhere),
    ("img-source", said::CREDIT, Anywhere),
    ("byline", said::BYLINE, Anywhere),
    ("author", said::BYLINE, Anywhere),
    ("writer", said::BYLINE, Anywhere),
    ("reporter", said::BYLINE, Anywhere),
    ("contributor", said::BYLINE, Anywhere),
    ("journalist", said::BYLINE, Anywhere),
    ("lead", said::LEAD, Whole),
    ("standfirst", said::LEAD, Whole),
    ("summary", said::LEAD, Whole),
    ("intro", said::LEAD, Whole),
    ("dek", said::LEAD, Whole),
    ("deck", said::LEAD, Whole),
    ("subhead", said::LEAD, Whole),
    ("excerpt", said::LEAD, Whole),
    ("teaser", said::LEAD, Whole),
    ("date", said::DATE, Start),
    ("time", said::DATE, Start),
    ("published", said::DATE, Start),
    ("pubdate", said::DATE, Start),
    ("posted", said::DATE, Start),
    ("advert", said::BOILER, Start),
    ("sponsor", said::BOILER, Start),
    ("promo", said::BOILER, Start),
    ("recommend", said::BOILER, Start),
    ("cookie", said::BOILER, Start),
];

/// Boilerplate words that count only whole.
const BOILER: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "menubar",
    "footer",
    "sidebar",
    "side-bar",
    "share",
    "sharing",
    "social",
    "socials",
    "comment",
    "comments",
    "disqus",
    "ad",
    "ads",
    "adv",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "related",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "popup",
    "modal",
    "consent",
    "paywall",
    "widget",
    "toolbar",
    "pagination",
    "pager",
    "noprint",
    "no-print",
    "d-print-none",
    "hidden-print",
    "outbrain",
    "taboola",
    "trending",
    "mostpopular",
    "most-popular",
    "mostread",
    "tag",
    "tags",
    "taglist",
    "authorbio",
    "author-bio",
    "masthead",
    "skip",
    "sr-only",
    "visuallyhidden",
    "visually-hidden",
    "rating",
    "login",
    "register",
    "morestories",
    "more-stories",
    "readmore",
    "read-more",
    "alsoread",
    "also-read",
    "jumplink",
    "jump-link",
];

/// `print` and `print-` before these, whole (`print-?(?:link|button|...)`).
const PRINT_ITEMS: &[&str] = &["link", "button", "btn", "icon", "tool", "tools"];

/// A form's state message: one of the first words, an optional `-` or `_`, one of the second, whole.
const FORM_STATES: (&[&str], &[&str]) =
    (&["form", "submit", "submission"], &["done", "fail", "failure", "success", "error", "sent", "thanks"]);

/// Every word, by its first letter: those that count anywhere, and those
/// that must start after anything but `a`-`z` (whole or not).
struct Index {
    anywhere: [Vec<(Word, u8)>; 26],
    at_start: [Vec<(Word, u8, Edge)>; 26],
}

type Word = Box<[u8]>;

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut index = Index { anywhere: Default::default(), at_start: Default::default() };
    let mut whole_boiler: Vec<String> = BOILER.iter().map(|w| w.to_string()).collect();
    for sep in ["", "-"] {
        whole_boiler.extend(PRINT_ITEMS.iter().map(|w| format!("print{sep}{w}")));
    }
    for first in FORM_STATES.0 {
        for sep in ["", "-", "_"] {
            whole_boiler.extend(FORM_STATES.1.iter().map(|w| format!("{first}{sep}{w}")));
        }
    }
    let words = WORDS.iter().map(|&(w, bit, edge)| (w.to_string(), bit, edge));
    for (word, bit, edge) in words.chain(whole_boiler.into_iter().map(|w| (w, said::BOILER, Whole))) {
        let letter = usize::from(word.as_bytes()[0] - b'a');
        let word: Word = word.into_bytes().into();
        match edge {
            Anywhere => index.anywhere[letter].push((word, bit)),
            Start | Whole => index.at_start[letter].push((word, bit, edge)),
        }
    }
    index
});

/// The bits of `said` that the words in `names` set.
pub(super) fn said_by_words(names: &str) -> u8 {
    let index = &*INDEX;
    let b = names.as_bytes();
    let mut bits = 0;
    for at in 0..b.len() {
        if !b[at].is_ascii_lowercase() {
            continue;
        }
        let rest = &b[at..];
        let letter = usize::from(b[at] - b'a');
        // The second letter first: it settles most tries without a call to `memcmp`.
        for (word, bit) in &index.anywhere[letter] {
            if bits & bit == 0 && rest.get(1) == word.get(1) && rest.starts_with(word) {
                bits |= bit;
            }
        }
        if at > 0 && b[at - 1].is_ascii_lowercase() {
            continue;
        }
        for (word, bit, edge) in &index.at_start[letter] {
            if bits & bit == 0 && rest.get(1) == word.get(1) && rest.starts_with(word) {
                let whole = rest.get(word.len()).is_none_or(|c| !c.is_ascii_lowercase());
                if whole || matches!(edge, Start) {
                    bits |= bit;
                }
            }
        }
    }
    bits
}

#[cfg(test)]
mod tests;
