//! Boxes inside the article container, or opening it: those that class names
//! call furniture but that hold its prose, and those a closing heading
//! ("Related posts") labels.
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
/// The same for a box repeating, beside it, one that holds the article's prose.
const SIBLING_TENTHS: usize = 5;

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
    let named = |i: usize, tenths: usize| {
        page.elems[i].own & flag::NAMED != 0
            && prose[i - c] >= MIN_PROSE
            && prose[i - c] * 10 >= all[i - c] * tenths
            && !named_for_comments(page, i as u32)
    };
    let mut boxes: Vec<u32> = (first + 1..end).filter(|&i| named(i, PROSE_TENTHS)).map(|i| i as u32).collect();
    // A box set again beside one found to hold the article's prose, under
    // the same parent and the same class (the next product of a roundup,
    // the next step of a guide), is the article's too, when prose is still
    // most of it: its share of prices and pros-and-cons lines varies.
    let class = |i: usize| page.element(i as u32).and_then(|e| e.value().attr("class").map(str::to_string));
    let mut repeated = Vec::new();
    for i in first + 1..end {
        if boxes.contains(&(i as u32)) || !named(i, SIBLING_TENTHS) {
            continue;
        }
        let parent = page.elems[i].parent;
        let Some(own) = class(i) else { continue };
        if boxes
            .iter()
            .any(|&b| page.elems[b as usize].parent == parent && class(b as usize).as_deref() == Some(own.as_str()))
        {
            repeated.push(i as u32);
        }
    }
    boxes.extend(repeated);
    if !boxes.is_empty() {
        page.unmark_named(&boxes);
    }
}

/// Most boxes before the container that may be found to open the article.
const MAX_OPENINGS: usize = 3;

/// The container widened to the boxes named like furniture that open the
/// article (see `opening`): each one cleared, the vote runs again. A box the
/// new container does not reach (a headline's box whose one paragraph does
/// not outweigh its furniture) keeps its mark.
pub(super) fn reach_openings(page: &mut Page, mut container: u32) -> u32 {
    for _ in 0..MAX_OPENINGS {
        let Some(opening) = opening(page, container) else { break };
        page.unmark_named(&opening);
        let outer = opening[opening.len() - 1];
        match super::voted(page) {
            Some(wider) if page.contains(wider, outer) => {
                unmark(page, wider);
                container = wider;
            }
            _ => {
                page.remark_named_boiler(&opening);
                break;
            }
        }
    }
    container
}

/// A box before `container` that class names call furniture but that opens
/// the article (its lead paragraphs, a first section, key points): the
/// nearest prose before the container sits in it, it is mostly prose, and
/// the page's names are shown to mislead, since the container or one of its
/// ancestors carries a furniture name its prose cleared (a page builder that
/// calls each of the article's sections a "widget"). A box that tags or
/// roles call furniture (`<aside>`, `<nav>`) is left alone.
fn opening(page: &Page, container: u32) -> Option<Vec<u32>> {
    let mut at = container;
    while at != u32::MAX && page.elems[at as usize].own & (flag::NAMED | flag::BOILER) != flag::NAMED {
        at = page.elems[at as usize].parent;
    }
    if at == u32::MAX {
        return None;
    }
    let last = page
        .items
        .iter()
        .filter_map(|item| if let Item::Text(b) = item { Some(b) } else { None })
        .take_while(|b| !page.contains(container, b.elem))
        .filter(|b| is_prose(b.weight, b.chars, b.link_chars, &b.text))
        .last()?;
    if last.flags & flag::NAMED == 0 || last.flags & flag::BOILER == 0 {
        return None;
    }
    // The boxes named like furniture that the prose sits in, innermost first.
    let mut found = Vec::new();
    let mut up = last.elem;
    while up != u32::MAX && !page.contains(up, container) {
        let own = page.elems[up as usize].own;
        if own & flag::BOILER != 0 && own & flag::NAMED == 0 {
            return None;
        }
        if own & flag::NAMED != 0 && own & flag::BOILER != 0 {
            found.push(up);
        }
        up = page.elems[up as usize].parent;
    }
    let outer = *found.last()?;
    let (mut prose, mut all) = (0, 0);
    for item in &page.items {
        let Item::Text(b) = item else { continue };
        if !page.contains(outer, b.elem) {
            continue;
        }
        // Its links (a table of contents) are counted against it by the vote.
        all += b.weight.saturating_sub(b.weight * b.link_chars / b.chars.max(1));
        if matches!(b.kind, Kind::Heading(_)) && b.link_chars * 2 > b.chars || b.text.ends_with(['…']) {
            all += 10 * MIN_PROSE;
        }
        if is_prose(b.weight, b.chars, b.link_chars, &b.text) {
            prose += b.weight;
        }
    }
    (prose >= MIN_PROSE && prose * 10 >= all * PROSE_TENTHS && !named_for_comments(page, outer)).then_some(found)
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

#[cfg(test)]
mod tests {
    use crate::{Hints, extract};

    /// A page builder that calls every section of the article a "widget":
    /// the opening section is the article's, though the vote found the
    /// container in the longer section after it.
    #[test]
    fn an_opening_box_named_like_furniture_is_the_article() {
        let para = |topic: &str| {
            format!(
                "<p>The harbour board spent the evening on {topic}, and members argued for an hour before the vote late in the night.</p>"
            )
        };
        let opening: String =
            ["the budget", "the dredging plan", "the ferry timetable", "the new pier"].map(para).concat();
        let rest: String = (0..12).map(|i| para(&format!("item {i} of the agenda"))).collect();
        let page = format!(
            "<html><body><h1>Harbour board meets</h1><article>\
             <div class='builder-widget'>{opening}</div><div class='builder-widget'>{rest}</div>\
             </article></body></html>"
        );
        let text = extract(page.as_bytes(), &Hints::default()).map(|e| e.article.text).unwrap_or_default();
        assert!(text.contains("the dredging plan") && text.contains("item 11 of the agenda"), "{text}");
    }
}
