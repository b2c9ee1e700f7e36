//! Reader comments and news feeds: runs of look-alike posts, each stamped with a date and time.
//!
//! Comment sections rarely say so in a class name a script can read
//! (`opOpinia`, a bare `<table>` per comment), yet they all share a shape:
//! sibling boxes with the same tag and class, each holding a short line with
//! a date and a time of day and some text beside it. An article is one such
//! box at most, so three or more alike siblings are posts, not the article.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::dom::{Item, Kind, Page};

/// A time of day next to a year or a numeric date ("11:02 17-January-2012",
/// "[2012-01-24 19:23]", "04.01.12 15:41:43", "2012年1月5日 10:20").
/// The word boundaries are ASCII ones: a Unicode `\b` is beyond the regex
/// crate's fast engines once the text holds a non-ASCII letter, and a Greek
/// or Russian comment thread then cost more than the rest of the page.
static STAMP: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(
        r"(?x)(?:(?-u:\b)(?:19|20)\d\d(?-u:\b)|(?-u:\b)\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?-u:\b)|\d\s*[年月日])
        .{0,40}?(?-u:\b)\d{1,2}:\d{2}(?-u:\b)
        |(?-u:\b)\d{1,2}:\d{2}(?-u:\b).{0,40}?(?:(?-u:\b)(?:19|20)\d\d(?-u:\b)|(?-u:\b)\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?-u:\b)|\d\s*[年月日])",
    )
    .expect("valid regex")
});

/// Longest line taken for a post's stamp (author, date, time, a counter).
const STAMP_CHARS: usize = 80;
/// Alike stamped siblings that make a list of posts.
const MIN_POSTS: usize = 3;

/// Whether the text holds a digit, `:` and two digits, which every stamp
/// does: a byte check that spares most blocks the regex.
fn has_clock(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| {
        i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1..i + 3).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    })
}

/// Marks every post of every list of posts as boilerplate.
pub(crate) fn mark_posts(page: &mut Page) {
    let n = page.elems.len();
    let mut stamps = vec![0u32; n];
    let mut blocks = vec![0u32; n];
    let mut weight = vec![0usize; n];
    let mut headlines = vec![0u32; n];
    for item in &page.items {
        if let Item::Text(b) = item {
            blocks[b.elem as usize] += 1;
            weight[b.elem as usize] += b.weight;
            headlines[b.elem as usize] += u32::from(b.kind == Kind::Heading(1));
            if b.chars <= STAMP_CHARS && has_clock(&b.text) && STAMP.is_match(&b.text) {
                stamps[b.elem as usize] += 1;
            }
        }
    }
    for i in (1..n).rev() {
        let p = page.elems[i].parent;
        if p != u32::MAX {
            stamps[p as usize] += stamps[i];
            blocks[p as usize] += blocks[i];
            weight[p as usize] += weight[i];
            headlines[p as usize] += headlines[i];
        }
    }
    // A post: one or two stamps and something besides them, but no
    // headline (articles loaded one after another by an endless scroll are
    // articles). Group the posts by parent and by tag and class, so that an
    // article box among dated teasers of another make is not counted.
    let mut groups: HashMap<(u32, String), Vec<u32>> = HashMap::new();
    for i in 1..n {
        if !(1..=2).contains(&stamps[i]) || blocks[i] <= stamps[i] || headlines[i] > 0 {
            continue;
        }
        let Some(el) = page.element(i as u32) else { continue };
        let signature = format!("{} {}", el.value().name(), el.value().attr("class").unwrap_or(""));
        groups.entry((page.elems[i].parent, signature)).or_default().push(i as u32);
    }
    // A box holding most of the group's text is the article among dated
    // teasers (or the first of an endless scroll of articles): kept.
    let mut posts = Vec::new();
    for group in groups.into_values().filter(|g| g.len() >= MIN_POSTS) {
        let total: usize = group.iter().map(|&i| weight[i as usize]).sum();
        posts.extend(group.into_iter().filter(|&i| weight[i as usize] * 2 < total));
    }
    if !posts.is_empty() {
        page.mark_boiler(&posts);
    }
}

#[cfg(test)]
mod tests {
    use super::{STAMP, has_clock};

    #[test]
    fn the_byte_check_passes_every_stamp() {
        for stamp in
            ["11:02 17-January-2012", "[2012-01-24 19:23]", "04.01.12 15:41:43", "2012年1月5日 10:20", "9:05 2011"]
        {
            assert!(STAMP.is_match(stamp), "{stamp}");
            assert!(has_clock(stamp), "{stamp}");
        }
        for text in ["Posted in 2012", "ratio 3:1", "12:3", ":45"] {
            assert!(!has_clock(text), "{text}");
        }
    }
}
