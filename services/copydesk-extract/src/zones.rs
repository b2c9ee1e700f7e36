//! Where on a page an article's own date is written: the stretch from the
//! headline to the end of the body's wrapper, not teaser lists, comment
//! threads or the footer.

use crate::dom::{self, Item, Kind, flag};
use crate::text;

/// The elements where the article's own date is written: the body's parent,
/// widened back to the headline when that stands a little before it (dates
/// sit between headline and body as often as inside the body's wrapper).
pub(crate) fn date_window(page: &dom::Page, container: Option<u32>, title: &str) -> Option<std::ops::Range<u32>> {
    let c = container?;
    let scope = match page.elems[c as usize].parent {
        u32::MAX => c,
        p => p,
    };
    let end = page.elems[scope as usize].end;
    // Text lines above the body's wrapper, nearest first.
    let above: Vec<&dom::Block> = page
        .items
        .iter()
        .rev()
        .filter_map(|item| match item {
            Item::Text(b) if b.elem < scope => Some(b),
            _ => None,
        })
        .take(16)
        .collect();
    // The headline: an <h1>, or the line that is most of the title. Further
    // up than a few lines, an <h1> is the site's logo or another story.
    let title = text::fold(title);
    let headline = above.iter().position(|b| {
        let text = text::fold(&b.text);
        (b.kind == Kind::Heading(1) && b.flags & flag::BOILER == 0)
            || (text.chars().count() >= 4 && title.contains(&text) && text.chars().count() * 2 >= title.chars().count())
    });
    // Datelines sit just under the headline, or just over it as a kicker;
    // with no headline in sight, just over the body.
    let reach = match headline {
        // A kicker is part of the article; a sidebar or menu above is not.
        Some(h) => h + 1 + above[h + 1..].iter().take(2).take_while(|b| b.flags & flag::BOILER == 0).count(),
        None => 4,
    }
    .min(above.len());
    let start = reach.checked_sub(1).map_or(scope, |i| above[i].elem);
    Some(start..end)
}
