//! Authors: from JSON-LD and meta tags, or from the visible byline, which is
//! then kept out of the body.

use std::collections::HashSet;
use std::sync::LazyLock;

use copydesk_proto::v1::Author;
use regex::Regex;

use crate::dom::{Item, Page, flag};
use crate::meta::Meta;

pub(crate) struct Byline {
    pub(crate) authors: Vec<Author>,
    /// Items (indices into `Page::items`) that are byline, not body.
    pub(crate) items: HashSet<usize>,
}

/// A role line under a name: "BBC记者 发自莫斯科", "Senior correspondent".
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)记者|記者|通讯员|通訊員|特约|特約|撰稿|编辑|編輯|reporter|correspondent|editor|journalist|staff writer|columnist|contributor|korrespondent|redakt|корреспондент|обозреватель|dziennikar|korespondent|periodista|corresponsal|journaliste|envoyé|giornalista|inviat|ανταποκριτ|δημοσιογράφ")
        .expect("valid regex")
});
/// A byline that names its author after a marker word.
static MARKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(?:by|par|von|por|di|door|przez|autor(?:ka)?|автор|από)(?:\s*[:：/|]\s*|\s+)|(?:作者|记者|記者|文|撰文|本报记者|本報記者|通讯员|通訊員)\s*[:：/／|]?\s*)(\S.*)$",
    )
    .expect("valid regex")
});
static SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*(?:,|;|、|，|\band\b|\bund\b|\bet\b|\by\b|\bi\b|\bи\b|&|/|\|)\s*").expect("valid regex")
});

pub(crate) fn find(page: &Page, container: Option<u32>, meta: &Meta) -> Byline {
    let mut byline = Byline { authors: Vec::new(), items: HashSet::new() };
    let visible = visible(page, container, &mut byline.items);
    byline.authors = from_metadata(meta);
    if byline.authors.is_empty() {
        byline.authors = visible;
    }
    byline
}

fn from_metadata(meta: &Meta) -> Vec<Author> {
    let mut authors: Vec<Author> = meta
        .ld
        .authors
        .iter()
        .filter(|(name, _)| plausible_name(name))
        .map(|(name, affiliation)| Author {
            name: clean_name(name),
            affiliation: affiliation.clone().unwrap_or_default(),
            ..Default::default()
        })
        .collect();
    if authors.is_empty() {
        let raw = meta
            .first(&[
                "author",
                "article:author",
                "dc.creator",
                "byl",
                "parsely-author",
                "sailthru.author",
                "twitter:creator",
            ])
            .or_else(|| meta.itemprops.get("author").and_then(|v| v.first()).map(String::as_str));
        if let Some(raw) = raw.filter(|r| !r.starts_with("http") && !r.starts_with('@')) {
            authors = split_names(raw).into_iter().map(|name| Author { name, ..Default::default() }).collect();
        }
    }
    authors
}

/// Visible bylines near the top of the article, or marked up as such.
fn visible(page: &Page, container: Option<u32>, used: &mut HashSet<usize>) -> Vec<Author> {
    let Some(container) = container else { return Vec::new() };
    // The byline often sits just outside the body container, beside the headline.
    let scope = match page.elems[container as usize].parent {
        u32::MAX => container,
        p => p,
    };
    let mut authors = Vec::new();
    let mut long_seen = 0;
    let mut previous: Option<(usize, &crate::dom::Block)> = None;
    for (i, item) in page.items.iter().enumerate() {
        let Item::Text(b) = item else { continue };
        if !page.contains(scope, b.elem) {
            continue;
        }
        if b.chars > 120 {
            // Past the first paragraphs, short lines are body or boilerplate.
            long_seen += 1;
            if long_seen > 2 {
                break;
            }
            previous = None;
            continue;
        }
        let text = b.text.trim();
        if b.flags & flag::BYLINE != 0 && b.flags & flag::BOILER == 0 {
            let names = match MARKED.captures(text) {
                Some(c) => split_names(&c[1]),
                None => split_names(text),
            };
            if !names.is_empty() {
                used.insert(i);
                authors.extend(names.into_iter().map(|name| Author { name, ..Default::default() }));
                previous = None;
                continue;
            }
        }
        if ROLE.is_match(text)
            && b.chars <= 40
            && let Some((j, name)) =
                previous.filter(|(_, p)| same_parent(page, p.elem, b.elem) && plausible_name(&p.text))
        {
            used.insert(j);
            used.insert(i);
            authors.push(Author { name: clean_name(&name.text), role: text.to_string(), ..Default::default() });
            previous = None;
            continue;
        }
        if let Some(c) = MARKED.captures(text).filter(|_| b.chars <= 60) {
            let names = split_names(&c[1]);
            if !names.is_empty() {
                used.insert(i);
                authors.extend(names.into_iter().map(|name| Author { name, ..Default::default() }));
                previous = None;
                continue;
            }
        }
        previous = Some((i, b));
    }
    authors.dedup_by(|a, b| a.name == b.name);
    authors
}

fn same_parent(page: &Page, a: u32, b: u32) -> bool {
    let pa = page.elems[a as usize].parent;
    pa == page.elems[b as usize].parent || a == b || pa == b || page.elems[b as usize].parent == a
}

fn split_names(raw: &str) -> Vec<String> {
    SPLIT.split(raw.trim()).map(clean_name).filter(|n| plausible_name(n)).collect()
}

/// Full-width brackets become ASCII ones: "本·塔文纳（Ben Tavener）" → "本·塔文纳 (Ben Tavener)".
fn clean_name(raw: &str) -> String {
    let s = raw.trim().replace('（', " (").replace('）', ")");
    let s = s.trim_start_matches(['-', '–', '—', ':', '：']).trim();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn plausible_name(name: &str) -> bool {
    let name = name.trim();
    let chars = name.chars().count();
    (2..=60).contains(&chars)
        && name.split_whitespace().count() <= 6
        && !name.chars().any(|c| c.is_ascii_digit() || c == '@' || c == '|')
        && !name.contains("http")
        && !crate::text::ends_sentence(name.trim_end_matches(')').trim_end_matches('）'))
        && name.chars().any(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(split_names("Ann Lee and Bo Chen"), vec!["Ann Lee", "Bo Chen"]);
        assert_eq!(clean_name("本·塔文纳（Ben Tavener）"), "本·塔文纳 (Ben Tavener)");
        assert!(!plausible_name("This is a sentence."));
        assert!(!plausible_name("2024-06-17"));
    }

    #[test]
    fn marked_bylines() {
        assert_eq!(&MARKED.captures("By Jane Doe").unwrap()[1], "Jane Doe");
        assert_eq!(&MARKED.captures("作者：张三").unwrap()[1], "张三");
        assert!(MARKED.captures("Byron Smith").is_none());
    }
}
