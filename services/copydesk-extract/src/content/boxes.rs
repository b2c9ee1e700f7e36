//! Boxes inside the article container: those that class names call furniture
//! but that hold its prose, and those a closing heading ("Related posts") labels.
//!
//! Editors embed parts of an article in boxes their tools name "widget" or
//! "promo" (a grid of plants, each with its paragraph). Such a box comes after
//! the article has begun and is mostly sentences, which a sidebar widget, a
//! teaser (its headline a link, its excerpt cut short) or a sign-up box never
//! is; readers' comments are prose too, so boxes named for comments keep
//! their mark.

use crate::dom::{Item, Kind, Page, flag};
use crate::text;
use crate::wording;

/// Least weighted prose a box must hold to be read as the article's.
const MIN_PROSE: usize = 300;
/// Least share of the box's text, in tenths, that must be prose.
const PROSE_TENTHS: usize = 7;

/// A paragraph of prose: long, a sentence, hardly linked.
fn is_prose(weight: usize, chars: usize, link_chars: usize, text: &str) -> bool {
    weight >= 100 && link_chars * 10 < chars && text::ends_sentence(text)
}

/// Clears the name-given boilerplate mark of the prose boxes inside `container`.
pub(super) fn unmark(page: &mut Page, container: u32) {
    let c = container as usize;
    let end = page.elems[c].end as usize;
    if !(c + 1..end).any(|i| page.elems[i].own & flag::NAMED != 0) {
        return;
    }
    let mut prose = vec![0usize; end - c];
    let mut all = vec![0usize; end - c];
    // The first prose of the article itself: a box before it is no part of it.
    let mut first: Option<usize> = None;
    for item in &page.items {
        let Item::Text(b) = item else { continue };
        if !page.contains(container, b.elem) {
            continue;
        }
        let at = b.elem as usize - c;
        all[at] += b.weight;
        // A linked headline or an excerpt cut short ("…") makes the box a
        // teaser of another page: its prose counts for nothing.
        let linked_headline = matches!(b.kind, Kind::Heading(_)) && b.link_chars * 2 > b.chars;
        if linked_headline || b.text.ends_with(['…']) || b.text.ends_with("...") {
            all[at] += 10 * MIN_PROSE;
        }
        if is_prose(b.weight, b.chars, b.link_chars, &b.text) {
            prose[at] += b.weight;
            if b.flags & flag::BOILER == 0 && first.is_none() {
                first = Some(b.elem as usize);
            }
        }
    }
    let Some(first) = first else { return };
    for i in (1..end - c).rev() {
        let parent = page.elems[c + i].parent as usize;
        prose[parent - c] += prose[i];
        all[parent - c] += all[i];
    }
    let boxes: Vec<u32> = (first + 1..end)
        .filter(|&i| {
            page.elems[i].own & flag::NAMED != 0
                && prose[i - c] >= MIN_PROSE
                && prose[i - c] * 10 >= all[i - c] * PROSE_TENTHS
                && !named_for_comments(page, i as u32)
        })
        .map(|i| i as u32)
        .collect();
    if !boxes.is_empty() {
        page.unmark_named(&boxes);
    }
}

/// Whether the element's class or id names readers' comments.
fn named_for_comments(page: &Page, index: u32) -> bool {
    let Some(el) = page.element(index) else { return false };
    let el = el.value();
    [el.attr("class"), el.attr("id")].into_iter().flatten().any(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("comment") || v.contains("disqus")
    })
}

/// The box a heading that closes the article labels, if `block` is one:
/// the heading's smallest ancestor within `container` that also holds the
/// text after it (a heading wrapped alone in a title box labels its
/// parent's content). `next` is the element of the next text block.
pub(super) fn closed_by(page: &Page, container: u32, block: &crate::dom::Block, next: Option<u32>) -> Option<u32> {
    if !wording::closes_article(block) {
        return None;
    }
    let mut at = page.elems[block.elem as usize].parent;
    while at != u32::MAX && at != container && next.is_none_or(|n| !page.contains(at, n)) {
        at = page.elems[at as usize].parent;
    }
    Some(if at == u32::MAX { container } else { at })
}
