//! The standfirst: the summary a page sets between its headline and its body.
//!
//! Templates often put it in its own box above the article's container (a
//! "lead", "intro" or "teaser" element beside the headline), so the subtree
//! that wins the content vote leaves it out, though readers read it as the
//! article's first paragraph. The page usually says which line it is: the
//! same words are its declared description (`og:description`,
//! `<meta name=description>`, JSON-LD). A line just above the container
//! that repeats the description, or one marked as a lead between the
//! headline and the container, is taken back into the body. The headline
//! itself is not: it is the article's title, a field of its own.

use crate::dom::{Block, Item, Kind, Page, flag};
use crate::text;

/// How many text blocks above the container are searched: the standfirst
/// sits by the headline, not across the page's navigation.
const REACH: usize = 40;

/// Folded chars a standfirst and description must share at least; shorter
/// descriptions ("News from Example") name the site, not the article.
/// Also the least weighted length of a standfirst.
const MIN_FOLDED: usize = 40;

/// The standfirst above `container`: the line that repeats the page's
/// description, or one marked as a lead between headline and body.
pub(crate) fn find<'p>(page: &'p Page, container: u32, description: &str) -> Option<&'p Block> {
    // Items are in document order, and the container's elements all come
    // after its own index: everything before the first item inside it is above it.
    let first_inside = page.items.iter().position(|item| match item {
        Item::Text(b) => page.contains(container, b.elem),
        Item::Image(e) => page.contains(container, *e),
    })?;
    let wanted = text::fold(description);
    let wanted = if wanted.chars().count() >= MIN_FOLDED { wanted } else { String::new() };
    let mut below_headline = true;
    for item in page.items[..first_inside].iter().rev().take(REACH) {
        let Item::Text(b) = item else { continue };
        if b.kind == Kind::Heading(1) {
            // Past the headline is the page's masthead: only a line that
            // repeats the description is trusted there.
            below_headline = false;
        }
        if !is_candidate(b) {
            continue;
        }
        let marked =
            below_headline && b.flags & flag::LEAD != 0 && b.flags & flag::LIST == 0 && text::ends_sentence(&b.text);
        if marked || (!wanted.is_empty() && repeats(&text::fold(&b.text), &wanted)) {
            return Some(b);
        }
    }
    None
}

fn is_candidate(b: &Block) -> bool {
    let furniture = flag::BOILER | flag::CAPTION | flag::CREDIT | flag::BYLINE;
    b.flags & furniture == 0
        && b.link_chars * 2 < b.chars
        && matches!(b.kind, Kind::Paragraph | Kind::Heading(2..=6))
        && text::weighted_len(&b.text) >= MIN_FOLDED
}

/// Whether the folded line and the folded description are the same text, one
/// of them cut short (descriptions are often truncated, leads sometimes run
/// on past what the description quotes).
fn repeats(line: &str, description: &str) -> bool {
    if line.len() < description.len() {
        line.chars().count() >= MIN_FOLDED && description.starts_with(line)
    } else {
        line.starts_with(description)
    }
}

#[cfg(test)]
mod tests {
    use super::repeats;

    #[test]
    fn a_line_repeats_a_description_cut_either_way() {
        let d = "thecouncilmetontuesdaytodiscussthebridgeandthetolls";
        assert!(repeats(d, d));
        assert!(repeats(&format!("{d}andtheferry"), d));
        assert!(repeats(&d[..45], d));
        assert!(!repeats(&d[..30], d));
        assert!(!repeats("somethingelseentirelythatisalsolongenoughtocount", d));
    }
}
