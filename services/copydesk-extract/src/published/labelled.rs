//! Lines that say what their date is: "Published" over a date, "Veröffentlicht
//! am ...", "发布时间：...", and a statement of the page's first publication
//! ("This article was originally published on 26 Sep 2019 ...").

use chrono::{DateTime, Utc};

use super::{AFTER_BODY, line_date};
use crate::date_labels::ORIGINAL;
use crate::dates;
use crate::dom::{self, Item, flag};
use crate::zones::{self, Label};

/// Where a labelled line is looked for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    /// Before the body's end or just after it, outside boxes the template
    /// marks as furniture but for those in the article or its header.
    Article,
    /// Anywhere on the page, furniture boxes (a sidebar's "Published" over
    /// the date, a footer's) included: only when nothing else dates it.
    Page,
}

/// A line labelled as the publication date ("发布时间：...", "Veröffentlicht
/// am ...") within reach, outside navigation and teaser lists: tables and
/// old templates put it far from the headline. An "updated" line is the
/// fallback.
pub(super) fn labelled(
    page: &dom::Page,
    container: Option<u32>,
    fetched_at: Option<DateTime<Utc>>,
    reach: Reach,
) -> (Option<dates::Found>, Option<dates::Found>) {
    let end = container.map_or(u32::MAX, |c| page.elems[c as usize].end);
    let mut after = 0;
    let mut updated = None;
    let mut above = Label::None;
    for item in &page.items {
        let Item::Text(b) = item else { continue };
        let label_line = std::mem::replace(&mut above, zones::block_label_above(b));
        if b.elem >= end && reach == Reach::Article {
            after += 1;
            if after > AFTER_BODY {
                break;
            }
        }
        // A box the template marks as furniture ("content-item", "meta")
        // inside the article's own container still dates the article when
        // it says so; elsewhere such boxes are teasers', but for the
        // header over the body in the page's <main>, which only its class
        // names mark ("meta", "byline"): no teaser list stands there.
        let header =
            b.flags & (flag::NAMED | flag::MAIN) == flag::NAMED | flag::MAIN && container.is_some_and(|c| b.elem < c);
        let furniture = b.flags & flag::BOILER != 0 && container.is_none_or(|c| !page.contains(c, b.elem)) && !header;
        if (furniture && reach == Reach::Article) || b.flags & (flag::LIST | flag::CAPTION) != 0 || b.chars > 100 {
            continue;
        }
        // Byte check before the regexes: a date needs a digit.
        if !b.text.bytes().any(|c| c.is_ascii_digit()) {
            continue;
        }
        match zones::label_under(&b.text, label_line) {
            Label::None | Label::Elsewhere => {}
            Label::Published => {
                if let Some(f) = line_date(&b.text, fetched_at) {
                    return (Some(f), None);
                }
            }
            Label::Updated => updated = updated.or_else(|| line_date(&b.text, fetched_at)),
        }
    }
    (None, updated)
}

/// Longest line read for a statement of the first publication: a note of a
/// sentence or two, under or over the body.
const ORIGINAL_LINE_CHARS: usize = 250;

/// Characters after the statement's words in which its date stands.
const ORIGINAL_REACH: usize = 40;

/// The date a line gives as the page's first publication, wherever it
/// stands: the page says outright that its dateline shows a later revision.
pub(super) fn original(page: &dom::Page, fetched_at: Option<DateTime<Utc>>) -> Option<dates::Found> {
    page.items.iter().find_map(|item| {
        let Item::Text(b) = item else { return None };
        if b.chars > ORIGINAL_LINE_CHARS || !b.text.bytes().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let at = ORIGINAL.find(&b.text)?;
        let rest: String = b.text[at.end()..].chars().take(ORIGINAL_REACH).collect();
        dates::find_in_text(&rest).filter(|f| dates::plausible(*f, fetched_at))
    })
}
