//! Picks the article body out of a flattened page, with its images and related links.
//!
//! Each text block votes for the elements above it: long, sentence-like text
//! with few links counts for, link lists and boilerplate count against. The
//! element with the highest sum is the article container (a maximum-weight
//! subtree), which needs no per-site rules and copes with bodies split over
//! many sibling `<div>`s. Inside it, blocks are kept or set aside one by one.

use std::collections::{HashMap, HashSet};

use copydesk_proto::v1::{Block as PbBlock, Image, Link, block::Kind as PbKind};
use url::Url;

use crate::dom::{Block, Item, Kind, Page, flag};
use crate::text;
use crate::wording::{self, is_legal};

mod addresses;
mod boxes;
mod closing;
mod explain;
mod kept;
mod labels;
mod repeats;
mod stamps;
mod tail;

pub(crate) use explain::explain;

/// What the content stage hands to the article assembly.
#[derive(Default)]
pub(crate) struct Body {
    pub(crate) blocks: Vec<PbBlock>,
    pub(crate) images: Vec<Image>,
    pub(crate) related: Vec<Link>,
    /// Element index of the chosen container, if any text was found.
    pub(crate) container: Option<u32>,
    /// The first paragraph, if it is set apart as a lead (bold or marked up so).
    pub(crate) lead: Option<String>,
    pub(crate) first_paragraph: Option<String>,
}

/// Blocks below this weighted length are not evidence of article text.
const MIN_EVIDENCE: usize = 60;

fn score(block: &Block) -> f64 {
    let weighted = block.weight as f64;
    let link_density = block.link_chars as f64 / block.chars.max(1) as f64;
    if block.flags & flag::BOILER != 0 || is_legal(block) {
        -0.5 * weighted
    } else if link_density > 0.5 {
        -weighted * link_density
    } else if block.flags & (flag::CAPTION | flag::CREDIT | flag::BYLINE | flag::HEADER) != 0 {
        0.0
    } else if weighted >= MIN_EVIDENCE as f64 {
        let sentence = if text::ends_sentence(&block.text) { 1.2 } else { 1.0 };
        // Paragraphs inside list items are teasers ("top stories" widgets);
        // article bodies do not put their paragraphs in lists.
        let teaser = if block.flags & flag::LIST != 0 && block.kind != Kind::ListItem { 0.3 } else { 1.0 };
        weighted * (1.0 - link_density) * sentence * teaser
    } else {
        -5.0
    }
}

/// The fallback when no block reads like article prose: a page of short
/// lines (a photo series, a fact sheet) or one whose whole layout carries a
/// widget's class name. Any text that is not a link list counts for.
fn relaxed_score(block: &Block) -> f64 {
    let link_density = block.link_chars as f64 / block.chars.max(1) as f64;
    if link_density > 0.5 {
        -(block.weight as f64) * link_density
    } else if block.flags & (flag::CAPTION | flag::CREDIT | flag::BYLINE) != 0 || is_legal(block) {
        0.0
    } else {
        block.weight as f64 * (1.0 - link_density)
    }
}

/// Chooses the element whose subtree has the most article-like text.
pub(crate) fn choose_container(page: &mut Page) -> Option<u32> {
    crate::feeds::mark_posts(page);
    if let Some(container) = voted(page) {
        boxes::unmark(page, container);
        return Some(boxes::reach_openings(page, container));
    }
    // No prose outside boxes that class names call furniture: here the names
    // mislead (a page builder calls every box a "widget", a table of
    // contents calls each section a "skip" target), and the tags and roles
    // that mark furniture are the only evidence left. A page of short lines
    // finds no prose either way, and keeps its marks for the relaxed vote.
    let cleared = page.unmark_named_boiler();
    if !cleared.is_empty() {
        if let Some(container) = best_subtree(page, score) {
            return Some(container);
        }
        page.remark_named_boiler(&cleared);
    }
    let container = best_subtree(page, relaxed_score)?;
    page.unmark_boiler_above(container);
    Some(container)
}

/// The container the vote and the climb settle on.
fn voted(page: &Page) -> Option<u32> {
    let (pos, neg) = vote(page, score);
    let sums: Vec<f64> = pos.iter().zip(&neg).map(|(p, n)| p + n).collect();
    Some(climb(page, best_of(page, &sums)?, &pos, &neg))
}

fn best_subtree(page: &Page, score: fn(&Block) -> f64) -> Option<u32> {
    best_of(page, &subtree_scores(page, score))
}

fn best_of(page: &Page, sums: &[f64]) -> Option<u32> {
    let mut best: Option<(u32, f64)> = None;
    for (i, &s) in sums.iter().enumerate() {
        // `>=` prefers the deepest of equally good elements: an ancestor
        // that adds nothing but zero-weight wrappers is not better.
        if s > 0.0 && best.is_none_or(|(_, b)| s >= b) {
            best = Some((i as u32, s));
        }
    }
    // A lone paragraph won: the article is that paragraph and whatever
    // short text sits beside it, so its parent is the container.
    best.map(|(i, _)| {
        let elem = &page.elems[i as usize];
        let leaf =
            matches!(&*elem.tag, "p" | "span" | "font" | "b" | "strong" | "em" | "i" | "li" | "blockquote" | "pre");
        if leaf && elem.parent != u32::MAX { elem.parent } else { i }
    })
}

/// Least share of the container's own prose a parent must add to be climbed to.
const CLIMB_GAIN: f64 = 0.25;
/// How much a parent's extra furniture counts against its extra prose.
const CLIMB_COST: f64 = 0.5;

/// Widens the winning container to its parent while the parent adds prose of
/// its own: an article split into sibling boxes (one card per product, one
/// section per heading) with link lists or furniture between them, which the
/// vote's full count of those blocks held at one box. Each step must add at
/// least a quarter of the prose already held, and the added prose must
/// outweigh half the added furniture, so a page's sidebar or teaser column
/// (little prose, many links) stops the climb.
fn climb(page: &Page, mut at: u32, pos: &[f64], neg: &[f64]) -> u32 {
    loop {
        let up = page.elems[at as usize].parent;
        if up == u32::MAX {
            return at;
        }
        let (u, a) = (up as usize, at as usize);
        let extra_pos = pos[u] - pos[a];
        let extra_neg = neg[u] - neg[a];
        if extra_pos > 0.0 && extra_pos >= CLIMB_GAIN * pos[a] && extra_pos + CLIMB_COST * extra_neg > 0.0 {
            at = up;
        } else {
            return at;
        }
    }
}

fn in_list(block: &Block) -> bool {
    block.kind == Kind::ListItem || block.flags & flag::LIST != 0
}

/// The blocks that vote, in document order. A list of links that a sentence
/// of the article announces is part of the article (see `kept::introduces_list`):
/// it does not count against it.
fn voters(page: &Page) -> impl Iterator<Item = &Block> {
    let mut introduced = false;
    page.items.iter().filter_map(|item| if let Item::Text(b) = item { Some(b) } else { None }).filter(move |b| {
        if introduced && kept::is_link_item(b) {
            return false;
        }
        if !in_list(b) {
            introduced = kept::introduces_list(b, false, false);
        }
        true
    })
}

/// Every element's totals of its blocks' positive and negative scores.
fn vote(page: &Page, score: fn(&Block) -> f64) -> (Vec<f64>, Vec<f64>) {
    let mut pos = vec![0f64; page.elems.len()];
    let mut neg = vec![0f64; page.elems.len()];
    for b in voters(page) {
        let s = score(b);
        let sums = if s > 0.0 { &mut pos } else { &mut neg };
        sums[b.elem as usize] += s;
    }
    fold_subtrees(page, &mut pos);
    fold_subtrees(page, &mut neg);
    (pos, neg)
}

/// Every element's total of its blocks' scores.
fn subtree_scores(page: &Page, score: fn(&Block) -> f64) -> Vec<f64> {
    let mut sums = vec![0f64; page.elems.len()];
    for b in voters(page) {
        sums[b.elem as usize] += score(b);
    }
    fold_subtrees(page, &mut sums);
    sums
}

/// Adds every element's sum into its parent's. Children come after their
/// parents in document order, so one backward pass folds every subtree into its root.
fn fold_subtrees(page: &Page, sums: &mut [f64]) {
    for i in (1..sums.len()).rev() {
        let parent = page.elems[i].parent;
        if parent != u32::MAX {
            sums[parent as usize] += sums[i];
        }
    }
}

/// Whether a block inside the container is body text. `linked_ok`: a
/// heading between the article's prose may be a link (see `prose_span`).
fn is_body(block: &Block, linked_ok: bool) -> bool {
    if block.flags & (flag::BOILER | flag::BYLINE | flag::CAPTION | flag::CREDIT) != 0 || is_legal(block) {
        return false;
    }
    if block.link_chars * 2 > block.chars && !linked_ok {
        return false;
    }
    if block.time_chars * 2 > block.chars && block.chars < 80 {
        return false;
    }
    if (block.flags & flag::DATE != 0 && block.chars < 80) || kept::is_bare_date(block) {
        return false;
    }
    !wording::is_furniture(block)
}

pub(crate) fn extract(
    page: &Page,
    container: Option<u32>,
    title: &str,
    description: &str,
    base: Option<&Url>,
    skip: &HashSet<usize>,
) -> Body {
    let mut body = Body::default();
    let Some(container) = container else { return body };
    body.container = Some(container);
    let figures = crate::figure::Figures::find(page, container, base);
    let span = kept::prose_span(page, container);
    // Templates repeat the article (a print copy, a mobile copy): a long
    // paragraph met again in another part of the page is said once. Within
    // one parent a repeat is the author's own.
    let mut said: HashMap<&str, u32> = HashMap::new();
    let mut introduced = false;
    // A heading that closed the article ("Related posts"), its level and its
    // box: what follows it in that box, up to a heading as high, is not the
    // article. Leaving the box (a recommendations box set into the article)
    // reopens it.
    let mut closed: Option<(u8, u32)> = None;
    let mut label = labels::Label::default();
    // Each kept block's element, in step with `body.blocks` (a label taken
    // back is popped from both).
    let mut elems: Vec<u32> = Vec::new();
    for (index, item) in page.items.iter().enumerate() {
        if skip.contains(&index) {
            continue;
        }
        match item {
            Item::Image(elem) if closed.is_none() && page.contains(container, *elem) => {
                if let Some(image) = figures.image(*elem) {
                    label.kept(None, &mut body.blocks);
                    elems.truncate(body.blocks.len());
                    body.blocks.push(PbBlock {
                        kind: PbKind::Image as i32,
                        image_index: body.images.len() as u32,
                        ..Default::default()
                    });
                    body.images.push(image);
                    elems.push(*elem);
                }
            }
            Item::Text(block) if page.contains(container, block.elem) => {
                if figures.consumed(index) {
                    continue;
                }
                if closed.is_some_and(|(_, outer)| !page.contains(outer, block.elem)) {
                    closed = None;
                }
                let mut inner_heading = false;
                if let Kind::Heading(level) = block.kind {
                    let next = page.items[index + 1..].iter().find_map(|item| match item {
                        Item::Text(b) => Some(b),
                        Item::Image(_) => None,
                    });
                    let linked = block.link_chars * 2 > block.chars;
                    inner_heading = linked
                        && span.is_some_and(|(first, last)| first < index && index < last)
                        && (kept::is_numbered(&block.text)
                            || next.is_some_and(|b| kept::heads_prose(page, container, block, b)));
                    // Only once the article has begun: a heading above it
                    // closes nothing.
                    if let Some(outer) = body
                        .first_paragraph
                        .as_ref()
                        .and_then(|_| boxes::closed_by(page, container, block, next.map(|b| b.elem)))
                    {
                        closed = Some((level, outer));
                    } else if !linked && closed.is_some_and(|(l, _)| level <= l) {
                        // A linked headline is the next teaser's, not a
                        // section of the article coming back.
                        closed = None;
                    }
                }
                if closed.is_some() {
                    if block.kind == Kind::ListItem && block.link_chars * 2 > block.chars {
                        kept::related_links(block, base, &mut body.related);
                    }
                    continue;
                }
                // The links a sentence of the article announces ("These
                // patches were merged:") are its text, not related links.
                if introduced && kept::is_link_item(block) {
                    label.kept(None, &mut body.blocks);
                    elems.truncate(body.blocks.len());
                    body.blocks.push(PbBlock {
                        kind: PbKind::ListItem as i32,
                        text: kept::shown(block),
                        level: 0,
                        image_index: 0,
                    });
                    elems.push(block.elem);
                    continue;
                }
                let in_span = span.is_some_and(|(first, last)| first < index && index < last);
                let own_words = in_span && kept::linked_sentence(block);
                if block.kind == Kind::ListItem && block.link_chars * 2 > block.chars && !own_words {
                    kept::related_links(block, base, &mut body.related);
                    label.left_out(page, block);
                    continue;
                }
                if !is_body(block, inner_heading || own_words) {
                    if block.link_chars * 2 > block.chars {
                        label.left_out(page, block);
                    }
                    continue;
                }
                let parent = page.elems[block.elem as usize].parent;
                let long = block.kind == Kind::Paragraph && block.weight >= 100;
                if long && *said.entry(block.text.as_str()).or_insert(parent) != parent {
                    continue;
                }
                let (kind, level) = match block.kind {
                    Kind::Heading(l) => (PbKind::Heading, l as u32),
                    Kind::ListItem => (PbKind::ListItem, 0),
                    Kind::Quote => (PbKind::Quote, 0),
                    Kind::Pre => (PbKind::Preformatted, 0),
                    Kind::Paragraph | Kind::Caption => (PbKind::Paragraph, 0),
                };
                if kind == PbKind::Paragraph && body.first_paragraph.is_none() {
                    body.first_paragraph = Some(block.text.clone());
                    let bold = block.bold_chars * 10 >= block.chars * 9;
                    if bold || block.flags & flag::LEAD != 0 {
                        body.lead = Some(block.text.clone());
                    }
                }
                // A drop cap set in its own box ("T" + "he council...") is the
                // first letter of the paragraph after it.
                if let Some(last) = body.blocks.last_mut()
                    && kept::is_drop_cap(&last.text)
                    && block.text.starts_with(char::is_lowercase)
                {
                    last.text.push_str(&block.text);
                    last.kind = kind as i32;
                    label = labels::Label::default();
                    continue;
                }
                introduced = if in_list(block) {
                    introduced
                } else {
                    let in_flow = matches!(block.kind, Kind::Heading(_)) && kept::after_prose(page, index, block);
                    kept::introduces_list(block, in_span, in_flow) || kept::list_in_flow(page, container, index, block)
                };
                label.kept(Some(block), &mut body.blocks);
                elems.truncate(body.blocks.len());
                body.blocks.push(PbBlock { kind: kind as i32, text: kept::shown(block), level, image_index: 0 });
                elems.push(block.elem);
            }
            _ => {}
        }
    }
    label.settle(&mut body.blocks);
    elems.truncate(body.blocks.len());
    tail::drop_after_core(page, container, &mut body.blocks, &mut elems, &mut body.images);
    repeats::drop_repeats(&mut body.blocks);
    addresses::drop_address_lists(&mut body.blocks);
    closing::drop_closing(&mut body.blocks);
    // The headline is the article's title, a field of its own: a body that
    // opens by repeating it (a template printing it inside the article's
    // box) starts after it, unless it is all the box holds.
    let folded_title = text::fold(title);
    if body.blocks.len() > 1
        && body.blocks[0].kind == PbKind::Heading as i32
        && text::fold(&body.blocks[0].text) == folded_title
    {
        body.blocks.remove(0);
    }
    if let Some(lead) = crate::standfirst::find(page, container, description) {
        let (kind, level) = match lead.kind {
            Kind::Heading(l) => (PbKind::Heading, u32::from(l)),
            _ => (PbKind::Paragraph, 0),
        };
        if kind == PbKind::Paragraph {
            body.lead = Some(lead.text.clone());
            body.first_paragraph = Some(lead.text.clone());
        }
        body.blocks.insert(0, PbBlock { kind: kind as i32, text: lead.text.clone(), level, image_index: 0 });
    }
    stamps::drop_stamps(&mut body.blocks);
    body
}
