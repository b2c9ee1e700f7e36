//! How the article's own blocks are told and read: a section's title that
//! is a link against a teaser's headline, an ordered list's numbers, a drop
//! cap set apart.
//!
//! A linked heading inside the article (a listicle's product names, a
//! guide's linked step titles) is told from a teaser's headline by where it
//! stands and what follows it.

use crate::dom::{Block, Item, Page, flag};

use super::score;

/// The items of the container's first and last prose (blocks that vote for
/// it). A heading between them over more prose heads a section of the
/// article even when it is a link (a listicle's product names, a guide's
/// linked step titles); before or after them, a linked heading is a teaser's.
pub(super) fn prose_span(page: &Page, container: u32) -> Option<(usize, usize)> {
    let mut prose = page.items.iter().enumerate().filter_map(|(i, item)| match item {
        Item::Text(b) if page.contains(container, b.elem) && score(b) > 0.0 => Some(i),
        _ => None,
    });
    let first = prose.next()?;
    Some((first, prose.last().unwrap_or(first)))
}

/// Whether `next`, the block after the linked heading `heading`, is the
/// article's prose under it, in the heading's own section (its parent or
/// grandparent holds both). A teaser's headline sits in a list of teasers,
/// or alone in its box, and its excerpt or its own title is cut short ("…");
/// a date or byline line between a headline and its excerpt is not prose.
pub(super) fn heads_prose(page: &Page, container: u32, heading: &Block, next: &Block) -> bool {
    let cut = |t: &str| t.ends_with(['…']) || t.ends_with("...");
    let parent = page.elems[heading.elem as usize].parent;
    let section = if parent == u32::MAX { parent } else { page.elems[parent as usize].parent };
    heading.flags & flag::LIST == 0
        && !cut(&heading.text)
        && section != u32::MAX
        && page.contains(section, next.elem)
        && page.contains(container, next.elem)
        && score(next) > 0.0
        && !cut(&next.text)
}

/// The block's text as a reader sees it: an ordered list's item with its
/// number, unless the text already opens with one ("1. Preheat").
pub(super) fn shown(block: &Block) -> String {
    if block.ordinal == 0 || block.text.starts_with(|c: char| c.is_ascii_digit()) {
        block.text.clone()
    } else {
        format!("{}. {}", block.ordinal, block.text)
    }
}

/// One capital letter alone: a paragraph's initial set apart for display.
pub(super) fn is_drop_cap(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.next().is_none()
}
