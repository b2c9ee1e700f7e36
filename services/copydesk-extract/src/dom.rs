//! Flattens the parsed DOM into text blocks (the parse itself is in `parse`).
//!
//! Every later stage works on the flat `Page` instead of walking the tree:
//! elements are numbered in document order (so "is a descendant of" is an
//! index range check) and text is gathered into blocks, one per run of inline
//! content. All walks are iterative, because a page may nest 100,000 tags.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

use crate::marks::{Marker, is_block, is_invisible};
pub(crate) use crate::parse::parse;
use crate::{Deadline, ExtractError, attrs::Lookup, text};

mod boiler;

/// Element facts the stages look at, inherited down the tree where it matters.
pub(crate) mod flag {
    /// Navigation, footers, share bars, ads: never body text.
    pub(crate) const BOILER: u16 = 1;
    pub(crate) const CAPTION: u16 = 1 << 1;
    pub(crate) const CREDIT: u16 = 1 << 2;
    pub(crate) const BYLINE: u16 = 1 << 3;
    pub(crate) const FIGURE: u16 = 1 << 4;
    pub(crate) const QUOTE: u16 = 1 << 5;
    pub(crate) const HEADER: u16 = 1 << 6;
    pub(crate) const LIST: u16 = 1 << 7;
    pub(crate) const LEAD: u16 = 1 << 8;
    pub(crate) const DATE: u16 = 1 << 9;
    /// The page's own mark for its main content: `<main>`, `role="main"`,
    /// `itemprop="articleBody"`.
    pub(crate) const MAIN: u16 = 1 << 10;
    /// Set beside `BOILER` when only class names or ids gave it: the
    /// weakest evidence, withdrawn when it would leave a page no prose.
    pub(crate) const NAMED: u16 = 1 << 11;
}

/// One element, in document order.
pub(crate) struct Elem {
    pub(crate) node: ego_tree::NodeId,
    pub(crate) parent: u32,
    /// One past the index of its last descendant.
    pub(crate) end: u32,
    pub(crate) tag: html5ever::LocalName,
    /// Own flags ORed with every ancestor's.
    pub(crate) flags: u16,
    /// Flags of this element alone.
    pub(crate) own: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Paragraph,
    Heading(u8),
    ListItem,
    Quote,
    Pre,
    Caption,
}

/// A run of inline text owned by its nearest block-level element.
pub(crate) struct Block {
    /// Index of the owning element in `Page::elems`.
    pub(crate) elem: u32,
    pub(crate) kind: Kind,
    pub(crate) text: String,
    pub(crate) chars: usize,
    /// Length with CJK characters counted thrice (see `text::weighted_len`).
    pub(crate) weight: usize,
    pub(crate) link_chars: usize,
    pub(crate) bold_chars: usize,
    pub(crate) time_chars: usize,
    pub(crate) flags: u16,
    /// Anchors in the block: absolute or raw href, and anchor text.
    pub(crate) links: Vec<(String, String)>,
    /// What its wording says, once asked (see `wording::Verdicts`).
    pub(crate) wording: crate::wording::Verdicts,
    /// The label it gives the line under it, once asked (see `zones::block_label_above`).
    pub(crate) label_above: std::cell::Cell<Option<crate::zones::Label>>,
    /// The number a reader sees before the first block of an ordered list's
    /// item (see `Numbering`); 0 for every other block.
    pub(crate) ordinal: u32,
}

pub(crate) enum Item {
    Text(Block),
    /// An `<img>` (or `<picture>`'s img); index into `Page::elems`.
    Image(u32),
}

pub(crate) struct Page {
    pub(crate) html: Html,
    pub(crate) elems: Vec<Elem>,
    pub(crate) items: Vec<Item>,
}

impl Page {
    pub(crate) fn element(&self, index: u32) -> Option<ElementRef<'_>> {
        self.html.tree.get(self.elems[index as usize].node).and_then(ElementRef::wrap)
    }

    pub(crate) fn contains(&self, ancestor: u32, index: u32) -> bool {
        ancestor <= index && index < self.elems[ancestor as usize].end
    }
}

/// Builds the flat page. The deadline is checked every few thousand nodes.
pub(crate) fn flatten(html: Html, deadline: &Deadline) -> Result<Page, ExtractError> {
    let mut elems: Vec<Elem> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    // (element index, owns a block, hidden) for every open element.
    let mut open: Vec<(u32, bool)> = Vec::new();
    let mut skip_depth = 0usize;
    let mut run = Run::default();
    let mut anchors: Vec<(String, String)> = Vec::new();
    let mut link_depth = 0usize;
    // Per open <a>: whether it counts as a link (see `long_anchor`).
    let mut anchor_kinds: Vec<bool> = Vec::new();
    let mut bold_depth = 0usize;
    let mut time_depth = 0usize;
    let mut seen = 0usize;
    let mut marker = Marker::default();
    let mut numbering = Numbering::default();

    for edge in html.tree.root().traverse() {
        seen += 1;
        if seen.is_multiple_of(4096) {
            deadline.check()?;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let tag = el.name();
                    if skip_depth > 0 || is_invisible(tag) {
                        skip_depth += 1;
                        continue;
                    }
                    let text = || ElementRef::wrap(node).map(|e| e.text().collect::<String>()).unwrap_or_default();
                    let (own, hidden) = marker.own_flags(el, tag, text);
                    if hidden {
                        skip_depth += 1;
                        continue;
                    }
                    let parent = open.last().map(|&(i, _)| i).unwrap_or(u32::MAX);
                    let inherited = if parent == u32::MAX { 0 } else { elems[parent as usize].flags };
                    let index = elems.len() as u32;
                    elems.push(Elem {
                        node: node.id(),
                        parent,
                        end: index + 1,
                        tag: el.name.local.clone(),
                        flags: own | inherited,
                        own,
                    });
                    let block = is_block(tag);
                    if block || tag == "br" || tag == "img" {
                        run.flush(&mut items, &elems, &open, &mut anchors, &mut numbering);
                    }
                    numbering.open(tag, Lookup(el), index, parent);
                    match tag {
                        "img" => items.push(Item::Image(index)),
                        "a" => {
                            let link = !long_anchor(node);
                            anchor_kinds.push(link);
                            if link {
                                link_depth += 1;
                                anchors.push((Lookup(el).attr("href").unwrap_or("").to_string(), String::new()));
                            }
                        }
                        "b" | "strong" => bold_depth += 1,
                        "time" => time_depth += 1,
                        _ => {}
                    }
                    open.push((index, block));
                }
                Node::Text(t) if skip_depth == 0 => {
                    let added = run.push(t);
                    if link_depth > 0 {
                        run.link_chars += added;
                        if let Some(a) = anchors.last_mut() {
                            text::push_collapsed(&mut a.1, t);
                        }
                    }
                    if bold_depth > 0 {
                        run.bold_chars += added;
                    }
                    if time_depth > 0 {
                        run.time_chars += added;
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                let Node::Element(el) = node.value() else { continue };
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                let Some((index, block)) = open.pop() else { continue };
                elems[index as usize].end = elems.len() as u32;
                match el.name() {
                    // The guard pops the anchor's kind whether or not it counted as a link.
                    "a" if anchor_kinds.pop().unwrap_or(true) => link_depth = link_depth.saturating_sub(1),
                    "b" | "strong" => bold_depth = bold_depth.saturating_sub(1),
                    "time" => time_depth = time_depth.saturating_sub(1),
                    _ => {}
                }
                if block {
                    open.push((index, block));
                    run.flush(&mut items, &elems, &open, &mut anchors, &mut numbering);
                    open.pop();
                }
                numbering.close(index);
            }
        }
    }
    run.flush(&mut items, &elems, &open, &mut anchors, &mut numbering);
    boiler::rescue_wrappers(&mut elems, &mut items);
    Ok(Page { html, elems, items })
}

/// Link text past this weighted length is not a link someone reads as one.
const LONG_ANCHOR: usize = 1500;

/// Whether an `<a>` wraps a whole article (old templates link the full text
/// to its own page): no menu entry or teaser card runs this long, so its
/// text is prose, not link text. Counting stops at the threshold, and
/// anchors do not nest, so this reads each text node at most once more.
fn long_anchor(node: ego_tree::NodeRef<'_, Node>) -> bool {
    let mut weight = 0;
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            weight += text::weighted_len(t);
            if weight >= LONG_ANCHOR {
                return true;
            }
        }
    }
    false
}

/// The numbers of ordered lists' items. A browser shows "1." before an
/// `<ol>`'s first item: it is part of the text a reader sees (a step, a
/// rank), so the first block of each item carries it.
#[derive(Default)]
struct Numbering {
    /// Each open `<ol>` and the number of its next item.
    lists: Vec<(u32, u32)>,
    /// The open item whose number no block has taken yet, and that number.
    pending: Option<(u32, u32)>,
}

impl Numbering {
    fn open(&mut self, tag: &str, el: Lookup<'_>, index: u32, parent: u32) {
        match tag {
            "ol" => {
                let start = el.attr("start").and_then(|s| s.trim().parse().ok()).unwrap_or(1);
                self.lists.push((index, start));
            }
            "li" => match self.lists.last_mut() {
                Some((list, next)) if *list == parent => {
                    self.pending = Some((index, *next));
                    *next += 1;
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn close(&mut self, index: u32) {
        if self.lists.last().is_some_and(|&(list, _)| list == index) {
            self.lists.pop();
        }
        if self.pending.is_some_and(|(item, _)| item == index) {
            self.pending = None;
        }
    }

    /// The number for a block owned by `owner`, if it is the item's first.
    /// Elements are numbered in document order and the item is open, so
    /// every element from the item's index on is inside it.
    fn take(&mut self, owner: u32) -> u32 {
        match self.pending {
            Some((item, n)) if owner >= item => {
                self.pending = None;
                n
            }
            _ => 0,
        }
    }
}

/// Inline text being gathered for the current block.
#[derive(Default)]
struct Run {
    text: String,
    link_chars: usize,
    bold_chars: usize,
    time_chars: usize,
}

impl Run {
    /// Empties the run but keeps its buffer, which the next block reuses.
    fn reset(&mut self) {
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        *self = Run { text, ..Run::default() };
    }

    /// Appends collapsed text; returns how many visible chars it added.
    fn push(&mut self, t: &str) -> usize {
        text::push_collapsed(&mut self.text, t)
    }

    fn flush(
        &mut self,
        items: &mut Vec<Item>,
        elems: &[Elem],
        open: &[(u32, bool)],
        anchors: &mut Vec<(String, String)>,
        numbering: &mut Numbering,
    ) {
        let trimmed = self.text.trim();
        if trimmed.is_empty() {
            self.reset();
            anchors.retain(|a| a.1.is_empty());
            return;
        }
        let owner = open.iter().rev().find(|&&(_, block)| block).map(|&(i, _)| i).unwrap_or(0);
        let elem = &elems[owner as usize];
        let kind = match &*elem.tag {
            "h1" => Kind::Heading(1),
            "h2" => Kind::Heading(2),
            "h3" => Kind::Heading(3),
            "h4" => Kind::Heading(4),
            "h5" => Kind::Heading(5),
            "h6" => Kind::Heading(6),
            "li" | "dd" | "dt" => Kind::ListItem,
            "pre" => Kind::Pre,
            "figcaption" | "caption" => Kind::Caption,
            _ if elem.flags & flag::QUOTE != 0 => Kind::Quote,
            _ => Kind::Paragraph,
        };
        let text = trimmed.to_string();
        let chars = text.chars().count();
        let links = anchors.drain(..).filter(|a| !a.1.trim().is_empty()).collect();
        items.push(Item::Text(Block {
            elem: owner,
            kind,
            chars,
            weight: text::weighted_len(&text),
            link_chars: self.link_chars.min(chars),
            bold_chars: self.bold_chars.min(chars),
            time_chars: self.time_chars.min(chars),
            flags: elem.flags,
            text,
            links,
            wording: Default::default(),
            label_above: Default::default(),
            ordinal: numbering.take(owner),
        }));
        self.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::Item;

    /// An `<ol>`'s items carry their numbers (from `start`), on their first
    /// block only; a `<ul>`'s items carry none.
    #[test]
    fn ordered_items_are_numbered() {
        use std::time::{Duration, Instant};
        let html = "<html><body><ol start=3><li><p>Preheat.</p><p>Then wait.</p></li><li>Bake.</li></ol>\
            <ul><li>Salt</li></ul></body></html>";
        let deadline = crate::Deadline::new(Instant::now(), Duration::from_secs(60));
        let page = super::flatten(super::parse(html, &deadline, 100_000).unwrap(), &deadline).unwrap();
        let numbers: Vec<(&str, u32)> = page
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Text(b) => Some((b.text.as_str(), b.ordinal)),
                Item::Image(_) => None,
            })
            .collect();
        assert_eq!(numbers, [("Preheat.", 3), ("Then wait.", 0), ("Bake.", 4), ("Salt", 0)]);
    }
}
