//! How the article's own blocks are told and read: a section's title that
//! is a link against a teaser's headline, a list of links the article
//! announces or sets in its flow against a related-links box, an ordered
//! list's numbers, a drop cap set apart.
//!
//! A linked heading inside the article (a listicle's product names, a
//! guide's linked step titles) is told from a teaser's headline by where it
//! stands and what follows it.

use copydesk_proto::v1::Link;
use url::Url;

use crate::dom::{Block, Item, Kind, Page, flag};
use crate::{urls, wording};

use super::{in_list, score};

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

/// Whether a heading is numbered as an item of the article's list ("7. ATTN
/// Agency", "#3 Blue Moving"): a listicle's entry, whose name links to the
/// thing it reviews. Teasers' headlines are not numbered.
pub(super) fn is_numbered(text: &str) -> bool {
    // A number alone opens many a headline ("9 ideas for ..."): the mark of
    // an entry is the '#' before it or the stop after it.
    let (hash, rest) = match text.strip_prefix('#') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return false;
    }
    let rest = &rest[digits..];
    let (stop, rest) = match rest.strip_prefix(['.', ')', ':']) {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    (hash || stop) && rest.starts_with(' ') && rest.trim_start().chars().next().is_some_and(char::is_alphanumeric)
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

/// Whether `block` (at `index`) comes right after a sentence of prose
/// under the same parent: set in the article's flow, not in a box of its own.
pub(super) fn after_prose(page: &Page, index: usize, block: &Block) -> bool {
    let before = page.items[..index].iter().rev().find_map(|item| match item {
        Item::Text(b) => Some(b),
        Item::Image(_) => None,
    });
    before.is_some_and(|p| {
        p.kind == Kind::Paragraph
            && crate::text::ends_sentence(&p.text)
            && page.elems[p.elem as usize].parent == page.elems[block.elem as usize].parent
    })
}

/// Whether the list right after the prose paragraph `block` (at `index`),
/// of two items or more, stands in the article's flow: the article's prose or one of its headings
/// follows the list, so its links are the article's own (resources it
/// names, tools it compares), not a box of related links at its end.
pub(super) fn list_in_flow(page: &Page, container: u32, index: usize, block: &Block) -> bool {
    if block.kind != Kind::Paragraph || score(block) <= 0.0 {
        return false;
    }
    let mut texts = page.items[index + 1..].iter().filter_map(|item| match item {
        Item::Text(b) => Some(b),
        Item::Image(_) => None,
    });
    // Two items at least (a lone linked line set between paragraphs is a
    // "read more" insert), plain items (a list of headlines is teasers'),
    // beside the paragraph in its box (a list between two cards of a page
    // is not in either card's text).
    let parent = page.elems[block.elem as usize].parent;
    let item = |b: &Block| b.kind == Kind::ListItem && parent != u32::MAX && page.contains(parent, b.elem);
    if !texts.by_ref().take(2).all(|b| in_list(b) && item(b)) {
        return false;
    }
    texts.find(|b| !in_list(b)).is_some_and(|b| {
        page.contains(container, b.elem)
            && (score(b) > 0.0 || (matches!(b.kind, Kind::Heading(_)) && b.link_chars * 2 <= b.chars))
    })
}

/// Shortest paragraph, in chars, and fewest chars outside its links, of a
/// [`linked_sentence`].
const LINKED_SENTENCE_CHARS: usize = 60;
const OWN_CHARS: usize = 20;

/// A sentence of the article whose links take most of it ("Companies using
/// Amazon Lex are Nokia, Vonage, ..."; "To learn more, read our article
/// about how we test ..."): a paragraph of some length, of the author's own
/// words besides its links, that ends as a sentence does; or an item of a
/// list as long, with as many words of its own ("Flagship hotel: Rosewood
/// Mansion on Turtle Creek, Dallas"), which need not end as a sentence. A
/// box's line of links ("Related: A | B | C") and a related link's item
/// (a headline) are links and little else.
pub(super) fn linked_sentence(block: &Block) -> bool {
    let own = block.chars >= LINKED_SENTENCE_CHARS && block.chars.saturating_sub(block.link_chars) >= OWN_CHARS;
    match block.kind {
        Kind::Paragraph => own && block.flags & flag::LIST == 0 && crate::text::ends_sentence(&block.text),
        Kind::ListItem => own,
        _ => false,
    }
}

/// Fewest words of a line that announces the list under it.
const LINE_WORDS: usize = 5;
/// Fewest words of a heading that does, set in the article's flow right
/// after a sentence of its prose ("Top Expert Recommendations:"); a short
/// heading in a box of its own ("More on HBS:") labels links elsewhere.
const FLOW_HEADING_WORDS: usize = 3;

/// A sentence of the article that announces a list ("Many patches were sent
/// for review:"); not a box's label ("Read more:", "MÁS INFORMACIÓN:").
/// A heading may announce one too ("These are the top trends for 2025:",
/// over a list of links to the sections below) when it stands between the
/// article's prose (`in_span`): after the prose it heads a box of links to
/// other pages ("Learn more in our plumbing series:").
/// `in_flow`: the block comes right after a sentence of prose under the same parent.
pub(super) fn introduces_list(block: &Block, in_span: bool, in_flow: bool) -> bool {
    let heading = matches!(block.kind, Kind::Heading(_));
    (block.kind == Kind::Paragraph || (heading && in_span))
        && block.text.ends_with([':', '：'])
        && block.text.split_whitespace().count() >= if heading && in_flow { FLOW_HEADING_WORDS } else { LINE_WORDS }
        && block.flags & flag::BOILER == 0
        && !wording::is_furniture(block)
}

/// Longest block that can be a bare date, in chars.
const BARE_DATE: usize = 40;

/// Whether a short block is a date and nothing else ("Jan 13, 2025",
/// "13. März 2024", "1/1/2013"): a stamp the template sets beside the
/// byline or a card, never a line of the article. Every word is a number
/// (an ordinal's suffix allowed) or a month's or weekday's name, and the
/// date parser reads a date in it. A stamp with a label ("Posted on ...")
/// is left to the wording rules.
pub(super) fn is_bare_date(block: &Block) -> bool {
    if block.chars > BARE_DATE || !block.text.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let numeric = |w: &str| {
        let w = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == 'º');
        !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | '.'))
    };
    block.text.split_whitespace().all(|w| {
        let w = w.trim_matches(|c: char| matches!(c, ',' | '.' | ':' | '|' | '·' | '•' | '(' | ')'));
        w.is_empty() || numeric(w) || crate::months::calendar_word(w) || w.eq_ignore_ascii_case("de")
    }) && crate::dates::find_in_text(&block.text).is_some()
}

/// A link in a list, not inside furniture.
pub(super) fn is_link_item(block: &Block) -> bool {
    in_list(block) && block.link_chars * 2 > block.chars && block.flags & flag::BOILER == 0
}

/// Adds a left-out block's links to the article's related links, each URL once.
pub(super) fn related_links(block: &Block, base: Option<&Url>, out: &mut Vec<Link>) {
    for (href, anchor) in &block.links {
        let Some(url) = urls::resolve(base, href) else { continue };
        if out.iter().any(|l| l.url == url) {
            continue;
        }
        out.push(Link { url, text: anchor.trim().to_string() });
    }
}

#[cfg(test)]
mod tests {
    use crate::test_pages::HARBOUR_STORY;

    use crate::test_pages::article_body as body;

    #[test]
    fn a_numbered_linked_heading_between_the_prose_is_a_listicle_entry() {
        let entry = |n: u32, name: &str| {
            format!(
                "<h2><a href='https://{name}.example/'>{n}. {name} Moving</a></h2><p>Rating: 4.{n} of 5</p>\
                 <p>{name} Moving packs and carries for families across the city, and its crews have \
                 moved thousands of flats since the firm opened its doors in the old harbour district.</p>"
            )
        };
        let text = body(&format!("{HARBOUR_STORY}{}{}{HARBOUR_STORY}", entry(1, "Metro"), entry(2, "Blue")));
        assert!(text.contains("1. Metro Moving") && text.contains("2. Blue Moving"), "{text}");
        assert!(super::is_numbered("#3 Liberty Moving") && super::is_numbered("10) Leica SL2-S"));
        assert!(!super::is_numbered("2025 in review") && !super::is_numbered("3.5 stars"));
        assert!(!super::is_numbered("9 Idioten, die Schätze zerstört haben"));
    }

    #[test]
    fn a_sentence_mostly_of_links_between_the_prose_is_the_articles() {
        let sentence = "<p>Boats using the new berths are <a href='/a'>the Harbour Queen</a>, \
                        <a href='/b'>the Silver Gull</a> and <a href='/c'>the Morning Star</a>.</p>";
        let links = "<p><a href='/d'>Harbour fees rise again this spring</a> | <a href='/e'>Ferry timetable</a></p>";
        let text = body(&format!("{HARBOUR_STORY}{sentence}{links}{HARBOUR_STORY}"));
        assert!(text.contains("Boats using the new berths are the Harbour Queen"), "{text}");
        assert!(!text.contains("Ferry timetable"), "{text}");
        // So is an item of a list with words of its own beside its link; a
        // list of headlines is not.
        let items = "<h2>Harbour notes</h2><ul><li>Oldest berth still in use: <a href='/f'>the North Quay, built for the herring fleet in 1887</a></li>\
                     <li><a href='/g'>Harbour fees rise again this spring as the council counts the cost</a></li></ul>";
        let text = body(&format!("{HARBOUR_STORY}{items}{HARBOUR_STORY}"));
        assert!(text.contains("Oldest berth still in use: the North Quay"), "{text}");
        assert!(!text.contains("Harbour fees rise"), "{text}");
    }

    #[test]
    fn a_heading_that_announces_a_list_of_links_between_the_prose_keeps_it() {
        let list = |head: &str| {
            format!(
                "<h3>{head}</h3><ul><li><a href='#quay'>A new quay for the ferries</a></li>\
                 <li><a href='#marina'>A marina for small boats</a></li></ul>"
            )
        };
        let text = body(&format!("{HARBOUR_STORY}{}{HARBOUR_STORY}", list("These are the plans the council weighed:")));
        assert!(text.contains("A new quay for the ferries") && text.contains("A marina for small boats"), "{text}");
        // After the article's prose, such a heading opens a box of links.
        let text = body(&format!("{HARBOUR_STORY}{}", list("Read more in our series on the harbour:")));
        assert!(!text.contains("A new quay for the ferries"), "{text}");
    }

    #[test]
    fn a_bare_date_in_the_body_is_a_stamp_not_a_line() {
        for stamp in ["Jan 13, 2025", "Dienstag, 2. November 2021", "31.10.2023", "13 de marzo de 2024"] {
            let text = body(&format!("<div>{stamp}</div>{HARBOUR_STORY}"));
            assert!(!text.contains(stamp) && text.contains("The council met"), "{stamp}: {text}");
        }
        // A line that says something besides its date stays.
        let text = body(&format!("{HARBOUR_STORY}<p>The vote was held on 13 January 2025.</p>"));
        assert!(text.contains("The vote was held on 13 January 2025."), "{text}");
    }
}
