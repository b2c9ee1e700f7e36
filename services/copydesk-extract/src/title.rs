//! The headline: the page's `<h1>` when metadata agrees with it, else the
//! best metadata title with the site name cut off.

use crate::dom::{Item, Kind, Page, flag};
use crate::meta::Meta;

pub(crate) fn choose(page: &Page, meta: &Meta, envelope: Option<&str>, container: Option<u32>) -> String {
    let metadata: Vec<&str> = [
        meta.ld.headline.as_deref(),
        meta.first(&["og:title", "twitter:title", "headline", "dc.title", "title"]),
        meta.title_tag.as_deref(),
        envelope,
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|t| !t.is_empty())
    .collect();

    let headings = h1s(page, container);
    // An <h1> that the metadata also names is the headline without the
    // site-name decorations that <title> and og:title tend to carry.
    for h in &headings {
        let folded = fold(h);
        if folded.chars().count() >= 4 && metadata.iter().any(|m| fold(m).contains(&folded)) {
            return h.clone();
        }
    }
    if let Some(first) = metadata.first() {
        return strip_site_name(first, metadata.get(1..).unwrap_or(&[]));
    }
    headings.into_iter().next().unwrap_or_default()
}

fn h1s(page: &Page, container: Option<u32>) -> Vec<String> {
    let mut found: Vec<(bool, String)> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(b) if b.kind == Kind::Heading(1) && b.flags & flag::BOILER == 0 && b.chars <= 300 => {
                let near = container.is_some_and(|c| {
                    let parent = page.elems[c as usize].parent;
                    page.contains(c, b.elem) || (parent != u32::MAX && page.contains(parent, b.elem))
                });
                Some((near, b.text.clone()))
            }
            _ => None,
        })
        .collect();
    found.sort_by_key(|(near, _)| !near);
    found.into_iter().map(|(_, t)| t).collect()
}

fn fold(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

const SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » ", "_", "｜", " / "];

/// "Headline | Site" → "Headline": the longest part, unless another title
/// source confirms the whole.
fn strip_site_name(title: &str, others: &[&str]) -> String {
    if others.iter().any(|o| fold(o) == fold(title)) && !SEPARATORS.iter().any(|s| title.contains(s)) {
        return title.to_string();
    }
    for sep in SEPARATORS {
        if title.contains(sep) {
            let parts: Vec<&str> = title.split(sep).map(str::trim).filter(|p| !p.is_empty()).collect();
            if parts.len() < 2 {
                continue;
            }
            let longest = parts.iter().max_by_key(|p| p.chars().count()).copied().unwrap_or(title);
            // Keep the whole when no part stands out (a title that merely contains a dash).
            if longest.chars().count() * 2 >= title.chars().count() || parts.len() > 2 {
                return longest.to_string();
            }
        }
    }
    title.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_cut() {
        assert_eq!(strip_site_name("Big storm hits coast | Example News", &[]), "Big storm hits coast");
        assert_eq!(strip_site_name("国务院召开常务会议_新闻频道_央视网", &[]), "国务院召开常务会议");
        assert_eq!(strip_site_name("Plain headline", &[]), "Plain headline");
    }
}
