//! Bylines that the block structure hides: an inline element marked as the
//! author inside a line of other facts, and labelled lines away from the top.

use copydesk_proto::v1::Author;

use crate::byline::byline_names;
use crate::byline::labels::{ARCHIVE, LABEL, LABELLED_LINE, MARKED, PHRASE_OPENING, PHRASED, plain_by};
use crate::byline::names::{plausible_name, split_names};
use crate::dom::{Item, Kind, Page, flag};
use crate::text;

/// Inline elements the page marks as its author (`<span class="author vcard">`,
/// `<a rel="author">`, `itemprop="author"`) inside a line that holds the date
/// or the section too, so the line's block carries no byline mark. Inside
/// `scope` when given, else anywhere outside boilerplate.
pub(crate) fn inline(page: &Page, scope: Option<u32>, used: &mut std::collections::HashSet<usize>) -> Vec<Author> {
    for (index, elem) in page.elems.iter().enumerate() {
        let index = index as u32;
        if elem.flags & flag::BYLINE == 0 || elem.flags & flag::BOILER != 0 || !is_inline(&elem.tag) {
            continue;
        }
        // Only the outermost marked element: "by <span class=author><a class=fn>X</a></span>".
        let parent = elem.parent;
        if parent != u32::MAX && page.elems[parent as usize].flags & flag::BYLINE != 0 {
            continue;
        }
        if scope.is_some_and(|s| !page.contains(s, index)) {
            continue;
        }
        let Some(el) = page.element(index) else { continue };
        let mut shown = String::new();
        for piece in el.text() {
            text::push_collapsed(&mut shown, piece);
            if shown.len() > 400 {
                break;
            }
        }
        let shown = shown.trim();
        if shown.is_empty() || shown.chars().count() > 80 {
            continue;
        }
        let seamed = crate::byline::seams::seamed(page, index, shown);
        let mut names = byline_names(seamed.as_deref().unwrap_or(shown));
        if names.is_empty() && handle(shown) {
            names.push(Author { name: shown.to_string(), ..Default::default() });
        }
        if names.is_empty() {
            continue;
        }
        // The short line holding the name is byline, not body.
        if let Some(line) = page.items.iter().position(|item| {
            matches!(item, Item::Text(b) if page.contains(b.elem, index) && b.chars <= 100 && b.text.contains(shown))
        }) {
            used.insert(line);
        }
        return names;
    }
    Vec::new()
}

/// A user name signing a post ("c1ph4", "jdoe_42"), which `plausible_name`
/// rejects for its digits: one token, more letters than digits, so dates
/// and counts are not names.
fn handle(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (3..=30).contains(&s.chars().count())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && letters > digits
        && digits > 0
        && letters >= 2
}

/// The writer named by a link to their page on the site ("/author/jane-doe/"),
/// the first such link in the page whose text reads as names: templates that
/// mark the byline no other way still link it to the writer's archive. Link
/// texts such as "View all posts" or "More from Jane Doe" are not names.
pub(crate) fn archive_link(page: &Page, used: &mut std::collections::HashSet<usize>) -> Vec<Author> {
    for (i, item) in page.items.iter().enumerate() {
        let Item::Text(b) = item else { continue };
        for (href, anchor) in &b.links {
            if !ARCHIVE.is_match(href) {
                continue;
            }
            let names: Vec<Author> = split_names(anchor)
                .into_iter()
                .filter(|n| cased_like_a_name(n))
                .map(|name| Author { name, ..Default::default() })
                .collect();
            if names.is_empty() {
                continue;
            }
            // A line that is little more than the link is the byline.
            if b.chars <= anchor.chars().count() + 8 {
                used.insert(i);
            }
            return names;
        }
    }
    Vec::new()
}

/// Capitals as a name has them: every word capitalised but short particles
/// inside ("Jasper den Hertog", "Max von Hippel"), or a one-word user name
/// in lower case ("jsteinhardt"). "View all posts", "Learn more" and
/// "Articles by Jane" fail.
fn cased_like_a_name(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    let lower = |w: &str| w.chars().next().is_some_and(char::is_lowercase);
    let particle = |i: usize, w: &str| i > 0 && i + 1 < words.len() && w.chars().count() <= 3 && !plain_by(w);
    words.len() == 1 || words.iter().enumerate().all(|(i, w)| !lower(w) || particle(i, w))
}

/// A "By Jane Doe" line among the few just under the headline, when the
/// headline stands above the article's container: templates put the byline
/// in a meta strip beside the `<h1>`, outside the body's wrapper, and often
/// mark that strip up like furniture.
pub(crate) fn under_headline(page: &Page, container: u32, used: &mut std::collections::HashSet<usize>) -> Vec<Author> {
    let before = |elem: u32| elem < container && !page.contains(elem, container);
    let Some(headline) = page
        .items
        .iter()
        .rposition(|item| matches!(item, Item::Text(b) if b.kind == Kind::Heading(1) && before(b.elem)))
    else {
        return Vec::new();
    };
    for (i, item) in page.items.iter().enumerate().skip(headline + 1).take(UNDER_HEADLINE) {
        let Item::Text(b) = item else { continue };
        // A standfirst may come between; body text ends the search.
        if !before(b.elem) || b.chars > STANDFIRST_CHARS {
            break;
        }
        if b.chars > 100 {
            continue;
        }
        if let Some(names) = line_names(page, b, &MARKED) {
            used.insert(i);
            return names;
        }
    }
    Vec::new()
}

/// The writers a line names when, read with its elements' seams spaced,
/// it opens as `opening` says: none for a caption's line.
fn line_names(page: &Page, b: &crate::dom::Block, opening: &regex::Regex) -> Option<Vec<Author>> {
    if b.flags & flag::CAPTION != 0 {
        return None;
    }
    let seamed = crate::byline::seams::seamed(page, b.elem, &b.text);
    let line = seamed.as_deref().unwrap_or(b.text.trim());
    let names = if opening.is_match(line) { byline_names(line) } else { Vec::new() };
    (!names.is_empty()).then_some(names)
}

/// How many items under the headline may hold its byline: a kicker, a date
/// and a comment count come first on some templates.
const UNDER_HEADLINE: usize = 4;

/// Longest line under the headline that is still its standfirst, not body.
const STANDFIRST_CHARS: usize = 300;

fn is_inline(tag: &str) -> bool {
    matches!(tag, "span" | "a" | "address" | "b" | "strong" | "em" | "i" | "small" | "cite" | "font" | "label")
}

/// "Autor: X" or "Text: X" on a line of its own anywhere in the article's
/// wrapper (often at its end), or a label alone on a line with the name on
/// the next ("Autor" / "Nikolai Huke"). A box the template marks as
/// furniture counts only inside the article's own container.
pub(crate) fn labelled(
    page: &Page,
    scope: u32,
    container: u32,
    used: &mut std::collections::HashSet<usize>,
) -> Vec<Author> {
    let mut label: Option<usize> = None;
    for (i, item) in page.items.iter().enumerate() {
        let Item::Text(b) = item else { continue };
        let furniture = b.flags & flag::BOILER != 0 && !page.contains(container, b.elem);
        if !page.contains(scope, b.elem) || furniture {
            continue;
        }
        let line = b.text.trim();
        if let Some(j) = label.take()
            && b.chars <= 60
        {
            let names: Vec<Author> = line
                .split([',', ';'])
                .map(str::trim)
                .filter(|n| plausible_name(n))
                .map(|n| Author { name: n.to_string(), ..Default::default() })
                .collect();
            if !names.is_empty() {
                used.extend([j, i]);
                return names;
            }
        }
        if b.chars > 100 {
            continue;
        }
        if LABEL.is_match(line) {
            label = Some(i);
            continue;
        }
        if let Some(c) = LABELLED_LINE.captures(line) {
            let names = byline_names(&format!("von {}", &c[1]));
            if !names.is_empty() {
                used.insert(i);
                return names;
            }
        }
    }
    Vec::new()
}

/// A "Written by Jane Doe" or "Posted by Jane" line anywhere on the page but
/// in furniture outside the article's container: an author box after the
/// article, a post's footer line. The phrase is not prose's way to open a
/// line, as a bare "By" is.
pub(crate) fn phrased(page: &Page, container: u32, used: &mut std::collections::HashSet<usize>) -> Vec<Author> {
    for (i, item) in page.items.iter().enumerate() {
        let Item::Text(b) = item else { continue };
        if b.chars > PHRASED_CHARS
            || (b.flags & flag::BOILER != 0 && !page.contains(container, b.elem))
            || !PHRASE_OPENING.is_match(&b.text)
        {
            continue;
        }
        if let Some(names) = line_names(page, b, &PHRASED) {
            used.insert(i);
            return names;
        }
    }
    Vec::new()
}

/// Longest line read as a phrased byline: the name, a date and a time.
const PHRASED_CHARS: usize = 80;

/// A writer's name alone on a line and, further down, a paragraph about them
/// that opens with that name or its first word and a verb ("Julia Gralberg"
/// ... "Julia Gralberg is a freelance travel writer", "Elliot is a sales
/// executive"): the author box of a template that marks it no other way.
/// The name line is a plain paragraph, unlinked, outside furniture; the
/// biography anywhere, since boxes named `author-bio` are furniture. Only
/// when the page introduces one person so.
pub(crate) fn introduced(page: &Page, used: &mut std::collections::HashSet<usize>) -> Vec<Author> {
    let texts = || {
        page.items.iter().enumerate().filter_map(|(i, item)| match item {
            Item::Text(b) => Some((i, b)),
            _ => None,
        })
    };
    // An article profiling people introduces several; an author box one.
    let mut found: Option<(usize, &str)> = None;
    for (i, b) in texts() {
        // A heading, a list's entry, a table's cell or a link names a
        // product, a section or a menu's page as often as a person.
        let cell = matches!(&*page.elems[b.elem as usize].tag, "td" | "th");
        if b.chars > 40
            || b.kind != Kind::Paragraph
            || cell
            || b.link_chars * 2 >= b.chars
            || b.flags & flag::BOILER != 0
        {
            continue;
        }
        let Some(name) = lone_name(&b.text) else { continue };
        let first = name.split_whitespace().next().unwrap_or(name);
        let introduces = |text: &str| {
            [name, first].iter().any(|head| {
                text.strip_prefix(head)
                    .and_then(|rest| rest.strip_prefix(' '))
                    .and_then(|rest| rest.split_whitespace().next())
                    .is_some_and(|verb| BIO_VERBS.contains(&verb))
            })
        };
        if texts().skip_while(|&(j, _)| j <= i).any(|(_, p)| p.chars >= BIO_CHARS && introduces(p.text.trim())) {
            if found.as_ref().is_some_and(|(_, n)| *n != name) {
                return Vec::new();
            }
            found.get_or_insert((i, name));
        }
    }
    let Some((i, name)) = found else { return Vec::new() };
    used.insert(i);
    vec![Author { name: name.to_string(), ..Default::default() }]
}

/// The verbs that open a biography after the person's name.
const BIO_VERBS: &[&str] = &[
    "is", "was", "has", "writes", "covers", "joined", "works", "lives", "leads", "holds", "ist", "schreibt", "est",
    "es", "é", "è",
];

/// Shortest paragraph read as a biography.
const BIO_CHARS: usize = 80;

/// A name alone on a line the template marks as the author's
/// (`<h4 class=author-box__name>`), in furniture too: author boxes sit in
/// widgets and sidebars. Only when every such line names the same person:
/// related posts' cards and comment threads name many.
pub(crate) fn boxed_name(page: &Page, used: &mut std::collections::HashSet<usize>) -> Vec<Author> {
    let mut found: Option<(usize, &str)> = None;
    for (i, item) in page.items.iter().enumerate() {
        let Item::Text(b) = item else { continue };
        if b.flags & flag::BYLINE == 0 || b.chars > 40 || !matches!(b.kind, Kind::Paragraph | Kind::Heading(2..)) {
            continue;
        }
        let Some(name) = lone_name(&b.text) else { continue };
        if crate::byline::labels::ROLE.is_match(name) || in_comments(page, b.elem) {
            continue;
        }
        if found.is_some_and(|(_, n)| n != name) {
            return Vec::new();
        }
        found.get_or_insert((i, name));
    }
    let Some((i, name)) = found else { return Vec::new() };
    used.insert(i);
    vec![Author { name: name.to_string(), ..Default::default() }]
}

/// Whether an element sits in a comment thread: a comment's author is marked
/// as one too.
fn in_comments(page: &Page, mut elem: u32) -> bool {
    while elem != u32::MAX {
        if let Some(el) = page.element(elem)
            && [el.value().attr("class"), el.value().id()]
                .into_iter()
                .flatten()
                .any(|v| v.to_ascii_lowercase().contains("comment"))
        {
            return true;
        }
        elem = page.elems[elem as usize].parent;
    }
    false
}

/// A line that is a person's name and nothing else: two to four words,
/// each capitalised, that read as a name.
fn lone_name(text: &str) -> Option<&str> {
    let name = text.trim();
    let words = name.split_whitespace().count();
    let capitalised = name.split_whitespace().all(|w| w.starts_with(char::is_uppercase));
    ((2..=4).contains(&words) && capitalised && plausible_name(name)).then_some(name)
}
