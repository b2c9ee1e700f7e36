//! Authors: from JSON-LD and meta tags, or from the visible byline, which is
//! then kept out of the body.

use std::collections::HashSet;
use std::sync::LazyLock;

use copydesk_proto::v1::Author;
use regex::Regex;

mod cjk;
mod labels;
mod marks;
mod names;
mod seams;

use crate::byline::labels::ROLE;
use crate::byline::names::{
    CREDIT, SPLIT, clean_name, credit_label, long_han_run, plausible_name, sentence, split_names, without_job_titles,
};
use crate::date_labels::{PUBLISHED, UPDATED};
use crate::dom::{Item, Page, flag};
use crate::meta::Meta;
use crate::text;
use labels::{BARE_LABEL, MARKED};

pub(crate) struct Byline {
    pub(crate) authors: Vec<Author>,
    /// Items (indices into `Page::items`) that are byline, not body.
    pub(crate) items: HashSet<usize>,
}

pub(crate) fn find(page: &Page, container: Option<u32>, meta: &Meta, host: Option<&str>) -> Byline {
    let mut byline = Byline { authors: Vec::new(), items: HashSet::new() };
    // The site or publisher put in an author field, or "Site Staff" beside
    // a name, is a fallback: a person named elsewhere is the better answer,
    // though a newsroom may well sign as itself.
    let host_name = host.and_then(|h| h.split('.').rev().skip(1).find(|p| p.len() >= 4 && *p != "www"));
    let publishers: Vec<String> = [
        meta.first(&["og:site_name", "application-name"]),
        meta.first(&["dc.publisher", "citation_publisher"]),
        meta.ld.publisher.as_deref(),
        host_name,
    ]
    .into_iter()
    .flatten()
    .map(text::fold)
    .filter(|p| p.chars().count() >= 3)
    .collect();
    let is_publisher = |a: &Author| {
        let name = text::fold(&a.name);
        publishers.iter().any(|p| name.contains(p.as_str()) || p.contains(name.as_str()))
    };
    let people = |authors: &[Author]| authors.iter().filter(|a| !is_publisher(a)).cloned().collect::<Vec<_>>();
    let visible = visible(page, container, &mut byline.items);
    let (metadata, other_field) = from_metadata(meta, &is_publisher);
    let cjk =
        if metadata.is_empty() && visible.is_empty() { crate::byline::cjk::cjk_credit_lines(page) } else { Vec::new() };
    let sources = [metadata, visible, other_field, cjk];
    byline.authors = sources
        .iter()
        .map(|source| people(source))
        .find(|found| !found.is_empty())
        .or_else(|| sources.into_iter().find(|found| !found.is_empty()))
        .unwrap_or_default();
    // A name over a paragraph about them ranks below every other source:
    // a site's own name in the author field is likelier the writer than a
    // person the article profiles.
    if byline.authors.is_empty() {
        byline.authors = crate::byline::marks::introduced(page, &mut byline.items);
    }
    if byline.authors.is_empty() {
        byline.authors = crate::byline::marks::boxed_name(page, &mut byline.items);
    }
    byline
}

/// Authors from JSON-LD, else from the first author field; and apart, when
/// that field names only the publisher, a later one that names someone else
/// (templates put the site in `author` and the writer in `dc.creator` or
/// `citation_author`), which ranks below a visible byline.
fn from_metadata(meta: &Meta, is_publisher: &dyn Fn(&Author) -> bool) -> (Vec<Author>, Vec<Author>) {
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
        const FIELDS: &[&str] = &[
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "parsely-author",
            "sailthru.author",
            "shareaholic:article_author_name",
            "article.author",
            "cxenseparse:author",
            "citation_author",
            "citation_authors",
        ];
        let raws = FIELDS
            .iter()
            .filter_map(|field| meta.first(&[field]))
            .chain(twitter_written_by(meta))
            .chain(meta.itemprops.get("author").and_then(|v| v.first()).map(String::as_str))
            .filter(|r| !r.starts_with("http") && !r.starts_with('@'));
        let mut named = raws.map(|raw| -> Vec<Author> {
            split_names(raw).into_iter().map(|name| Author { name, ..Default::default() }).collect()
        });
        authors = named.next().unwrap_or_default();
        if !authors.is_empty() && authors.iter().all(is_publisher) {
            let other = named.find(|n| n.iter().any(|a| !is_publisher(a))).unwrap_or_default();
            return (authors, other);
        }
    }
    (authors, Vec::new())
}

/// Yoast's `twitter:label1 = "Written by"` / `twitter:data1 = NAME` pairs.
fn twitter_written_by(meta: &Meta) -> Option<&str> {
    (1..=4).find_map(|i| {
        let label = meta.first(&[&format!("twitter:label{i}")])?.to_lowercase();
        let written =
            ["written by", "verfasst von", "geschrieben von", "écrit par", "escrito por", "autor", "author", "auteur"];
        if written.iter().any(|w| label.contains(w)) { meta.first(&[&format!("twitter:data{i}")]) } else { None }
    })
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
        let seamed = seams::seamed(page, b.elem, &b.text);
        let text = seamed.as_deref().unwrap_or(b.text.trim());
        // "By" or "Autor" alone on its line: the name is the next line.
        if let Some((j, label)) = previous
            && BARE_LABEL.is_match(label.text.trim())
            && b.chars <= 60
        {
            let names: Vec<Author> = split_names(&without_job_titles(text))
                .into_iter()
                .map(|name| Author { name, ..Default::default() })
                .collect();
            if !names.is_empty() {
                used.extend([j, i]);
                authors.extend(names);
                previous = None;
                continue;
            }
        }
        if b.flags & flag::BYLINE != 0 && b.flags & flag::BOILER == 0 {
            let names = byline_names(text);
            if !names.is_empty() {
                used.insert(i);
                authors.extend(names);
                previous = None;
                continue;
            }
        }
        // A job title under a name is plain text; a menu's entries ("Content
        // Marketer", "SEO Specialist") are links.
        if ROLE.is_match(text)
            && b.chars <= 40
            && b.link_chars * 2 < b.chars
            && let Some((j, name)) =
                previous.filter(|(_, p)| same_parent(page, p.elem, b.elem) && plausible_name(&p.text))
        {
            used.insert(j);
            used.insert(i);
            authors.push(Author { name: clean_name(&name.text), role: text.to_string(), ..Default::default() });
            previous = None;
            continue;
        }
        // "March 15, 2022 · 3 min read · By Jane Doe": the byline is one
        // field of a strip of facts.
        let field = if MARKED.is_match(text) {
            (b.chars <= 60).then_some(text)
        } else if b.chars <= 80 {
            text.split(FIELD_SEPARATORS).skip(1).map(str::trim).find(|f| MARKED.is_match(f))
        } else {
            None
        };
        if let Some(field) = field {
            let names = byline_names(field);
            if !names.is_empty() {
                used.insert(i);
                authors.extend(names);
                previous = None;
                continue;
            }
        }
        previous = Some((i, b));
    }
    if authors.is_empty() {
        authors = crate::byline::marks::inline(page, Some(scope), used);
    }
    if authors.is_empty() {
        authors = crate::byline::marks::labelled(page, scope, container, used);
    }
    if authors.is_empty() {
        // A marked-up byline elsewhere on the page (a header above the body,
        // a "posted by" line under it).
        for (i, item) in page.items.iter().enumerate() {
            let Item::Text(b) = item else { continue };
            if b.flags & flag::BYLINE == 0 || b.flags & flag::BOILER != 0 || b.chars > 120 {
                continue;
            }
            let seamed = seams::seamed(page, b.elem, &b.text);
            let names = byline_names(seamed.as_deref().unwrap_or(b.text.trim()));
            if !names.is_empty() {
                used.insert(i);
                authors.extend(names);
                break;
            }
        }
    }
    if authors.is_empty() {
        authors = crate::byline::marks::inline(page, None, used);
    }
    if authors.is_empty() {
        authors = crate::byline::marks::archive_link(page, used);
    }
    if authors.is_empty() {
        // "Autor: X" or a label line and a name line in an author box
        // anywhere outside boilerplate: element 0 is the root, so its
        // range is the whole page.
        authors = crate::byline::marks::labelled(page, 0, container, used);
    }
    if authors.is_empty() {
        authors = crate::byline::marks::under_headline(page, container, used);
    }
    if authors.is_empty() {
        authors = crate::byline::marks::phrased(page, container, used);
    }
    // "Jane Doe · Fact-checked by · John Roe": a label of another credit
    // ending in "by" closes the writers; those after it checked or edited.
    if let Some(i) = authors.iter().skip(1).position(|a| credit_label(&a.name)) {
        authors.truncate(i + 1);
    }
    authors.dedup_by(|a, b| a.name == b.name);
    authors
}

/// What divides the fields of a strip of facts under a headline.
const FIELD_SEPARATORS: [char; 4] = ['·', '|', '•', '●'];

/// Whether a line opens with a writer's label ("By Jane Doe", "Written by X", "作者：张三").
pub(crate) fn is_marked(text: &str) -> bool {
    MARKED.is_match(text.trim())
}

/// The people a byline line names: after its marker word ("By", "作者："), or the whole line.
pub(crate) fn byline_names(text: &str) -> Vec<Author> {
    // "Photograph by X, Agency" credits a picture, whoever it names.
    if CREDIT.is_match(text) {
        return Vec::new();
    }
    let raw = match MARKED.captures(text).or_else(|| after_kind(text).and_then(|rest| MARKED.captures(rest))) {
        // What follows the name on the same line ("am 24. Juli", "// 5 min",
        // "Illustration von Y") is date, tools or another credit.
        Some(c) => cut_tail(&c[1]),
        None => before_date(text).unwrap_or(text).to_string(),
    };
    // "记者注意到，在长达一万八千多字的报告中，...": a sentence about the reporter.
    if SPLIT.split(&raw).any(long_han_run) {
        return Vec::new();
    }
    let mut names = split_names(&without_job_titles(&raw));
    // "Jane Doe and John Roe | Guest Columnists": a role beside the names.
    if names.iter().any(|n| !ROLE.is_match(n)) {
        names.retain(|n| !ROLE.is_match(n));
    }
    // "Philosophe, professeur à l'université de Bordeaux." is a biography,
    // not a list of names, unless a marker word says names follow.
    if !MARKED.is_match(text) && SPLIT.split(text).any(|part| part.split_whitespace().count() >= 3 && sentence(part)) {
        return Vec::new();
    }
    names.into_iter().map(|name| Author { name, ..Default::default() }).collect()
}

/// "Guide by Will Judd": the kind of piece before a lower-case "by" that
/// never begins a surname; the byline proper starts at the "by".
fn after_kind(text: &str) -> Option<&str> {
    let (at, _) = text
        .split_whitespace()
        .scan(0, |from, word| {
            let at = text[*from..].find(word).map_or(*from, |i| *from + i);
            *from = at + word.len();
            Some((at, word))
        })
        .skip(1)
        .find(|(_, word)| word.starts_with(char::is_lowercase) && crate::byline::labels::plain_by(word))?;
    // "Cover photo by X" credits a picture.
    let head = text.get(..at).unwrap_or("").trim_end();
    let credit = head.rsplit(char::is_whitespace).next().is_some_and(|w| CREDIT_TAIL.is_match(&format!(" {w}")));
    (!credit).then(|| text.get(at..)).flatten()
}

/// The name before a date in a line that holds no label, as an element
/// marked as the byline does: "Dakota Hebert July 3, 2025". Only words
/// capitalised as a name's, none a date's label ("Last updated July 3").
fn before_date(line: &str) -> Option<&str> {
    let head = line.get(..line.find(|c: char| c.is_ascii_digit())?)?.trim_end();
    let (name, month) = head.rsplit_once(char::is_whitespace)?;
    let name = name.trim_end();
    let capitalised = name.split_whitespace().all(|w| w.starts_with(char::is_uppercase));
    let labelled = [&*UPDATED, &*PUBLISHED].iter().any(|r| r.is_match(name));
    (crate::months::month(month).is_some() && capitalised && !labelled && !name.is_empty()).then_some(name)
}

fn cut_tail(names: &str) -> String {
    // "Angela Kaye Carpenter Updated on February 16, 2026": a date's label ends the name.
    // A date label counts after a space only: in unspaced scripts its match
    // takes the character before it, which may end the name.
    let date_label = [&*UPDATED, &*PUBLISHED]
        .into_iter()
        .filter_map(|r| r.find(names))
        .filter(|m| m.start() > 0 && m.as_str().starts_with(char::is_whitespace));
    let end = [&*TAIL, &*CREDIT_TAIL, &*NEXT_FIELD]
        .into_iter()
        .filter_map(|r| r.find(names))
        .chain(date_label)
        .map(|m| m.start())
        .min();
    let kept = names.get(..end.unwrap_or(names.len())).unwrap_or(names).trim_end();
    // "Daniel Renfrow April 12, 2024": the month opens the date that was cut.
    if end.is_some()
        && let Some((head, last)) = kept.rsplit_once(char::is_whitespace)
        && crate::months::month(last).is_some()
    {
        return head.trim_end().to_string();
    }
    kept.to_string()
}

/// Another field after the names: an affiliation after a full-width colon
/// ("赵 培：北京物资学院"), or a new label ("马春健 稿源：", "Jane Doe, Datum: 12.3.").
static NEXT_FIELD: LazyLock<Regex> =
    LazyLock::new(|| crate::regexes::regex(r"\s+\p{Han}{2,6}\s*[:：]|\s*[,|]\s*\p{L}+\s*:|：").expect("valid regex"));

/// A date or tool strip after the name: lower-case connectives only, since
/// "Le Clerc" and "El Haddad" are names.
static TAIL: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"\s+(?:am|at|on|le|el|il|op|om|dnia|den|um)\s+.*\d|\s*(?:@|//|•|·|●)|\s+[-—–]\s|\s+\d")
        .expect("valid regex")
});
/// Another credit after the writer's: "Text von A Illustration von B".
static CREDIT_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(
        r"(?i)\s+(?:illustrations?|fotos?|photos?|photographs?|bilder?|grafiken?|images?|videos?|kamera)\b",
    )
    .expect("valid regex")
});
fn same_parent(page: &Page, a: u32, b: u32) -> bool {
    let pa = page.elems[a as usize].parent;
    pa == page.elems[b as usize].parent || a == b || pa == b || page.elems[b as usize].parent == a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_follows_the_name_is_cut() {
        let names = |t: &str| byline_names(t).into_iter().map(|a| a.name).collect::<Vec<_>>();
        assert_eq!(names("Posted by Konstantin 21.10.2019"), vec!["Konstantin"]);
        assert_eq!(names("By Christopher Wood — March 11, 2020"), vec!["Christopher Wood"]);
        assert_eq!(names("By Eliz - Product Marketer"), vec!["Eliz"]);
        assert_eq!(names("By Jean-Pierre Roux"), vec!["Jean-Pierre Roux"]);
        assert_eq!(names("Gespeichert von rasos am 24. Juli 2017 - 18:55"), vec!["rasos"]);
        assert_eq!(names("Von R. R. am 07.08.2013"), vec!["R. R."]);
        assert_eq!(names("Par Loïc Le Clerc le 30 septembre 2018"), vec!["Loïc Le Clerc"]);
        assert_eq!(names("By Daniel Renfrow April 12, 2024"), vec!["Daniel Renfrow"]);
        assert_eq!(names("By Jane Doe Dec. 3, 2024"), vec!["Jane Doe"]);
        assert_eq!(names("By Angela Kaye Carpenter Updated on February 16, 2026"), vec!["Angela Kaye Carpenter"]);
        assert_eq!(names("Guide by Will Judd"), vec!["Will Judd"]);
        assert!(!names("Cover photo by Ed Marshall").contains(&"Ed Marshall".to_string()), "a picture credit");
        assert_eq!(names("by Meaghan Weeden ● December 5, 2025"), vec!["Meaghan Weeden"]);
        assert_eq!(names("Dakota Hebert July 3, 2025"), vec!["Dakota Hebert"]);
        assert!(names("Last updated July 3, 2025").is_empty());
        assert_eq!(
            names("Manoj Jain and Jagpreet Chhatwal | Guest Columnists"),
            vec!["Manoj Jain", "Jagpreet Chhatwal"]
        );
        assert_eq!(names("By Staff Writer"), vec!["Staff Writer"], "a role alone is all the line gives");
        assert_eq!(names("Text von Christian Seiler Illustration von Markus Roost"), vec!["Christian Seiler"]);
        assert!(names("Photograph by Ed Marshall, Redonda Restoration Programme").is_empty());
        assert!(names("Philosophe, Professeur de philosophie politique à l’Université Bordeaux Montaigne.").is_empty());
        assert!(names("Published: 28 Apr, 2020 CET.").is_empty());
        assert!(names("Posted").is_empty());
        assert!(plausible_name("Nicolas Gutierrez C."));
    }

    #[test]
    fn marked_bylines() {
        assert_eq!(&MARKED.captures("By Jane Doe").unwrap()[1], "Jane Doe");
        assert_eq!(&MARKED.captures("作者：张三").unwrap()[1], "张三");
        assert!(MARKED.captures("文章处理费").is_none());
        assert_eq!(&MARKED.captures("文 官嘉盈").unwrap()[1], "官嘉盈");
        assert!(!plausible_name("责任编辑"));
        assert_eq!(cut_tail("赵 培：北京物资学院，北京"), "赵 培");
        assert_eq!(cut_tail("马春健 稿源： 中共庆阳市委网"), "马春健");
        assert_eq!(cut_tail("Gàbor Muniér, Datum: 12.3.2020"), "Gàbor Muniér");
        assert_eq!(cut_tail("Jane Doe: Staff Reporter"), "Jane Doe: Staff Reporter");
        assert!(MARKED.captures("Byron Smith").is_none());
    }
}
