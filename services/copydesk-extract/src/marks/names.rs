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
    "disclaimer",
    "cta",
    "calltoaction",
    "call-to-action",
];

/// `print` and `print-` before these, whole (`print-?(?:link|button|...)`).
const PRINT_ITEMS: &[&str] = &["link", "button", "btn", "icon", "tool", "tools"];

/// A form's state message: one of the first words, an optional `-` or `_`, one of the second, whole.
const FORM_STATES: (&[&str], &[&str]) =
    (&["form", "submit", "submission"], &["done", "fail", "failure", "success", "error", "sent", "thanks"]);

/// Every word, by its first two bytes: at each letter of the names, one
/// table look-up finds the few words that can start there, most often none.
/// Indexed by the first letter alone, each letter tried every word that
/// starts with it (up to a dozen), about 40 instructions a byte; with the
/// second byte too, a byte that starts no word costs a few. Measured over
/// 150 wcxb pages (2026-12-07, callgrind): 3,380 instructions a call before,
/// 2,150 after (class lists run long: utility-class pages have hundreds of bytes).
struct Index {
    /// For each (first letter, second byte), the range of `words` that start so.
    ranges: Vec<(u16, u16)>,
    words: Vec<(Word, u8, Edge)>,
}

type Word = Box<[u8]>;

/// The slot of `ranges` for a word starting with the lower-case letter
/// `first` and the byte `second`.
fn slot(first: u8, second: u8) -> usize {
    usize::from(first - b'a') * 256 + usize::from(second)
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
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
    let mut words: Vec<(Word, u8, Edge)> = words
        .chain(whole_boiler.into_iter().map(|w| (w, said::BOILER, Whole)))
        .map(|(w, bit, edge)| (w.into_bytes().into(), bit, edge))
        .collect();
    // Stable: words with the same first two bytes keep the order above.
    words.sort_by_key(|(w, _, _)| slot(w[0], w[1]));
    let mut ranges = vec![(0u16, 0u16); 26 * 256];
    for (i, (w, _, _)) in words.iter().enumerate() {
        let range = &mut ranges[slot(w[0], w[1])];
        if range.0 == range.1 {
            range.0 = i as u16;
        }
        range.1 = i as u16 + 1;
    }
    Index { ranges, words }
});

/// The bits of `said` that the words in `names` set.
pub(super) fn said_by_words(names: &str) -> u8 {
    let index = &*INDEX;
    let b = names.as_bytes();
    let mut bits = 0;
    // Every word has two bytes or more, so none starts at the last byte.
    for at in 0..b.len().saturating_sub(1) {
        if !b[at].is_ascii_lowercase() {
            continue;
        }
        let (from, to) = index.ranges[slot(b[at], b[at + 1])];
        if from == to {
            continue;
        }
        let starts_name = at == 0 || !b[at - 1].is_ascii_lowercase();
        let rest = &b[at..];
        for (word, bit, edge) in &index.words[usize::from(from)..usize::from(to)] {
            if bits & bit != 0 || !rest.starts_with(word) {
                continue;
            }
            let counts = match edge {
                Anywhere => true,
                Start => starts_name,
                Whole => starts_name && rest.get(word.len()).is_none_or(|c| !c.is_ascii_lowercase()),
            };
            if counts {
                bits |= bit;
            }
        }
    }
    bits
}

#[cfg(test)]
mod tests;
