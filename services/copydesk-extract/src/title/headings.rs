//! The page's headings as title candidates: the `<h1>`s (those beside the
//! body first), the headings of a level beside the body, and the heading
//! text without a kicker set before the headline.

use std::sync::LazyLock;

use regex::Regex;

use crate::dom::{Block, Item, Kind, Page, flag};
use crate::text;

/// The first `<h1>` inside the container or its parent, if any.
pub(super) fn near_h1(page: &Page, container: Option<u32>) -> Option<String> {
    near_headings(page, container, 1).next()
}

/// Headings of `level` inside the container or its parent.
pub(super) fn near_headings(page: &Page, container: Option<u32>, level: u8) -> impl Iterator<Item = String> + '_ {
    near_blocks(page, container, level).map(|b| without_kicker(page, b.elem).unwrap_or_else(|| b.text.clone()))
}

fn near_blocks(page: &Page, container: Option<u32>, level: u8) -> impl Iterator<Item = &Block> + '_ {
    let scope = container.map(|c| match page.elems[c as usize].parent {
        u32::MAX => c,
        p => p,
    });
    page.items.iter().filter_map(move |item| match item {
        Item::Text(b)
            if heading_level(page, b) == Some(level)
                && b.flags & flag::BOILER == 0
                && b.chars <= 300
                && scope.is_some_and(|s| page.contains(s, b.elem)) =>
        {
            Some(b)
        }
        _ => None,
    })
}

/// The text of a link inside the page's first `<h1>` when it is one
/// of `titles` and the heading says more after it: a link aggregator sets
/// the story's link in the headline with the source's name and a count of
/// comments after it ("Grads Find Degrees No Longer Guarantee Jobs
/// (latimes.com) 87").
pub(super) fn linked_title(page: &Page, titles: &[String]) -> Option<String> {
    let b = page.items.iter().find_map(|item| match item {
        Item::Text(b) if heading_level(page, b) == Some(1) && b.flags & flag::BOILER == 0 && b.chars <= 300 => Some(b),
        _ => None,
    })?;
    let whole = text::fold(&b.text);
    let heading = page.element(b.elem)?;
    heading.descendants().filter_map(scraper::ElementRef::wrap).filter(|e| e.value().name() == "a").find_map(|a| {
        let mut linked = String::new();
        for t in a.text() {
            text::push_collapsed(&mut linked, t);
        }
        let folded = text::fold(&linked);
        (folded.chars().count() >= 8
            && whole.len() > folded.len()
            && whole.starts_with(&folded)
            && titles.iter().any(|t| text::fold(t) == folded))
        .then(|| linked.trim().to_string())
    })
}

/// The heading level of a block, also when a `<div>` inside the heading
/// owns the text (`<h1><div>Headline</div></h1>`).
pub(super) fn heading_level(page: &Page, b: &crate::dom::Block) -> Option<u8> {
    if let Kind::Heading(n) = b.kind {
        return Some(n);
    }
    let mut at = b.elem;
    for _ in 0..2 {
        at = page.elems.get(at as usize)?.parent;
        let tag = &*page.elems.get(at as usize)?.tag;
        if let Some(n) = tag.strip_prefix('h').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=6).contains(n)) {
            return Some(n);
        }
    }
    None
}

/// Classes of a kicker (overline, "Dachzeile") set in the headline element
/// before the headline itself.
static KICKER: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?i)kicker|topline|overline|dachzeile|roofline|eyebrow|supertitle|overtitle|pretitle|spitzmarke|small|(?:^|[^a-z0-9])h[4-6](?:$|[^a-z0-9])")
        .expect("valid regex")
});

/// The heading's text without a leading kicker element: `<h1><span
/// class="topline">Orders up</span><span>: </span>Airline shares rise</h1>`
/// is headlined "Airline shares rise".
fn without_kicker(page: &Page, elem: u32) -> Option<String> {
    let el = page.element(elem)?;
    let mut children = el.children().filter(|c| match c.value() {
        scraper::Node::Text(t) => !t.trim().is_empty(),
        scraper::Node::Element(_) => true,
        _ => false,
    });
    let first = scraper::ElementRef::wrap(children.next()?)?;
    let class = first.value().attr("class").unwrap_or("");
    if first.value().name() != "small" && !KICKER.is_match(class) {
        return None;
    }
    let mut rest = String::new();
    for child in children {
        match child.value() {
            scraper::Node::Text(t) => {
                text::push_collapsed(&mut rest, t);
            }
            _ => {
                for t in scraper::ElementRef::wrap(child).into_iter().flat_map(|e| e.text()) {
                    text::push_collapsed(&mut rest, t);
                }
            }
        }
    }
    let rest = rest.trim().trim_start_matches([':', '-', '–', '—', '|', '·']).trim();
    (text::fold(rest).chars().count() >= 8).then(|| rest.to_string())
}

/// The distinct texts of `<h1>`s flagged as furniture, in page order.
pub(super) fn flagged_h1s(page: &Page) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for item in &page.items {
        if let Item::Text(b) = item
            && heading_level(page, b) == Some(1)
            && b.flags & flag::BOILER != 0
            && b.chars <= 300
        {
            let t = without_kicker(page, b.elem).unwrap_or_else(|| b.text.clone());
            if !found.contains(&t) {
                found.push(t);
            }
        }
    }
    found
}

pub(super) fn h1s(page: &Page, container: Option<u32>) -> Vec<String> {
    let mut found: Vec<(bool, String)> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(b) if heading_level(page, b) == Some(1) && b.flags & flag::BOILER == 0 && b.chars <= 300 => {
                let near = container.is_some_and(|c| {
                    let parent = page.elems[c as usize].parent;
                    page.contains(c, b.elem) || (parent != u32::MAX && page.contains(parent, b.elem))
                });
                Some((near, without_kicker(page, b.elem).unwrap_or_else(|| b.text.clone())))
            }
            _ => None,
        })
        .collect();
    found.sort_by_key(|(near, _)| !near);
    found.into_iter().map(|(_, t)| t).collect()
}
