//! Authors: from JSON-LD and meta tags, or from the visible byline, which is
//! then kept out of the body.

use std::collections::HashSet;
use std::sync::LazyLock;

use copydesk_proto::v1::Author;
use regex::Regex;

use crate::dom::{Item, Page, flag};
use crate::meta::Meta;
use crate::text;

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
        r"(?i)^(?:(?:posted\s+by|written\s+by|submitted\s+by|geschrieben\s+von|verfasst\s+von|text\s+(?:und\s+fotos?\s+)?von|(?:gespeichert|erstellt|eingestellt|veröffentlicht)\s+von|publié\s+par|posté\s+par|escrito\s+por|publicado\s+por|pubblicato\s+da|text|texte|by|par|von|por|di|door|przez|autor(?:ka|in)?|auteure?|autore|author|автор|από)(?:\s*[:：/|]\s*|\s+)|(?:作者|记者|記者|文|撰文|本报记者|本報記者|通讯员|通訊員)\s*[:：/／|]?\s*)(\S.*)$",
    )
    .expect("valid regex")
});
static SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*(?:,|;|、|，|\band\b|\bund\b|\bet\b|\by\b|\bi\b|\bи\b|&|\|)\s*").expect("valid regex")
});

pub(crate) fn find(page: &Page, container: Option<u32>, meta: &Meta, host: Option<&str>) -> Byline {
    let mut byline = Byline { authors: Vec::new(), items: HashSet::new() };
    // The site or publisher put in an author field, or "Site Staff" beside
    // a name, is a fallback: a person named elsewhere is the better answer,
    // though a newsroom may well sign as itself.
    let host_name = host.and_then(|h| h.split('.').rev().skip(1).find(|p| p.len() >= 4 && *p != "www"));
    let publishers: Vec<String> =
        [meta.first(&["og:site_name", "application-name"]), meta.ld.publisher.as_deref(), host_name]
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
    let metadata = from_metadata(meta);
    let cjk =
        if metadata.is_empty() && visible.is_empty() { crate::byline_cjk::cjk_credit_lines(page) } else { Vec::new() };
    let sources = [metadata, visible, cjk];
    byline.authors = sources
        .iter()
        .map(|source| people(source))
        .find(|found| !found.is_empty())
        .or_else(|| sources.into_iter().find(|found| !found.is_empty()))
        .unwrap_or_default();
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
                "shareaholic:article_author_name",
                "article.author",
                "cxenseparse:author",
            ])
            .or_else(|| twitter_written_by(meta))
            .or_else(|| meta.itemprops.get("author").and_then(|v| v.first()).map(String::as_str));
        if let Some(raw) = raw.filter(|r| !r.starts_with("http") && !r.starts_with('@')) {
            authors = split_names(raw).into_iter().map(|name| Author { name, ..Default::default() }).collect();
        }
    }
    authors
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
        let text = b.text.trim();
        // "By" or "Autor" alone on its line: the name is the next line.
        if let Some((j, label)) = previous
            && BARE_LABEL.is_match(label.text.trim())
            && b.chars <= 60
        {
            let names: Vec<Author> =
                split_names(text).into_iter().map(|name| Author { name, ..Default::default() }).collect();
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
        if b.chars <= 60 && MARKED.is_match(text) {
            let names = byline_names(text);
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
        authors = crate::byline_marks::inline(page, Some(scope), used);
    }
    if authors.is_empty() {
        authors = crate::byline_marks::labelled(page, scope, used);
    }
    if authors.is_empty() {
        // A marked-up byline elsewhere on the page (a header above the body,
        // a "posted by" line under it).
        for (i, item) in page.items.iter().enumerate() {
            let Item::Text(b) = item else { continue };
            if b.flags & flag::BYLINE == 0 || b.flags & flag::BOILER != 0 || b.chars > 120 {
                continue;
            }
            let names = byline_names(b.text.trim());
            if !names.is_empty() {
                used.insert(i);
                authors.extend(names);
                break;
            }
        }
    }
    if authors.is_empty() {
        authors = crate::byline_marks::inline(page, None, used);
    }
    authors.dedup_by(|a, b| a.name == b.name);
    authors
}

/// The people a byline line names: after its marker word ("By", "作者："), or the whole line.
pub(crate) fn byline_names(text: &str) -> Vec<Author> {
    // "Photograph by X, Agency" credits a picture, whoever it names.
    if CREDIT.is_match(text) {
        return Vec::new();
    }
    let names = match MARKED.captures(text) {
        // What follows the name on the same line ("am 24. Juli", "// 5 min",
        // "Illustration von Y") is date, tools or another credit.
        Some(c) => split_names(&cut_tail(&c[1])),
        None => split_names(text),
    };
    // "Philosophe, professeur à l'université de Bordeaux." is a biography,
    // not a list of names, unless a marker word says names follow.
    if !MARKED.is_match(text) && SPLIT.split(text).any(|part| part.split_whitespace().count() >= 3 && sentence(part)) {
        return Vec::new();
    }
    names.into_iter().map(|name| Author { name, ..Default::default() }).collect()
}

fn cut_tail(names: &str) -> String {
    let end = [TAIL.find(names), CREDIT_TAIL.find(names)].into_iter().flatten().map(|m| m.start()).min();
    names.get(..end.unwrap_or(names.len())).unwrap_or(names).to_string()
}

/// A date or tool strip after the name: lower-case connectives only, since
/// "Le Clerc" and "El Haddad" are names.
static TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+(?:am|on|le|el|il|op|om|dnia|den|um)\s+.*\d|\s*(?:@|//|•|·)|\s+[—–]\s|\s+\d").expect("valid regex")
});
/// Another credit after the writer's: "Text von A Illustration von B".
static CREDIT_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s+(?:illustrations?|fotos?|photos?|photographs?|bilder?|grafiken?|images?|videos?|kamera)\b")
        .expect("valid regex")
});
/// A byline's label alone on its line, the name on the next.
static BARE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:by|von|par|por|door|przez|autor(?:in|ka)?|auteure?|autore|author|written\s+by|text|texte|автор|作者)\s*[:：]?$")
        .expect("valid regex")
});

/// Ends like a sentence, not like a name ending in an initial ("Nicolas Gutierrez C.").
fn sentence(text: &str) -> bool {
    let text = text.trim().trim_end_matches(')').trim_end_matches('）');
    let last = text.split_whitespace().last().unwrap_or("");
    let initial =
        last.chars().count() == 2 && last.ends_with('.') && last.chars().next().is_some_and(char::is_uppercase);
    crate::text::ends_sentence(text) && !initial
}

fn same_parent(page: &Page, a: u32, b: u32) -> bool {
    let pa = page.elems[a as usize].parent;
    pa == page.elems[b as usize].parent || a == b || pa == b || page.elems[b as usize].parent == a
}

fn split_names(raw: &str) -> Vec<String> {
    SPLIT.split(raw.trim()).map(clean_name).filter(|n| plausible_name(n)).collect()
}

/// Full-width brackets become ASCII ones: "本·塔文纳（Ben Tavener）" → "本·塔文纳 (Ben Tavener)";
/// a label before the name ("Auteur : X") and quotes around it go.
fn clean_name(raw: &str) -> String {
    let s = raw.trim().replace('（', " (").replace('）', ")");
    let s = match LABELLED.captures(s.trim()) {
        Some(c) => c[1].to_string(),
        None => s,
    };
    let s = s
        .trim_start_matches(['-', '–', '—', ':', '：'])
        .trim_matches(['\'', '"', '“', '”', '‘', '’', '«', '»', '„'])
        .trim();
    // "Agency - jane@example.org": the address is contact detail, not name.
    let s = match s.split_once(" - ") {
        Some((head, tail)) if tail.contains('@') || tail.contains("[email") => head.trim(),
        _ => s,
    };
    // A user name standing in for a name: "jane.doe" → "jane doe".
    let s = if !s.contains(' ')
        && s.matches('.').count() >= 2
        && s.split('.').all(|p| p.chars().count() >= 2 && p.chars().all(char::is_alphabetic))
    {
        s.replace('.', " ")
    } else {
        s.to_string()
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A label glued to a name in a metadata field. Only unmistakable ones: a
/// bare "von" or "di" may begin a surname.
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:posted\s+|written\s+)?by\s+|(?:auteure?|autor(?:in)?|autore|author|verfasser|von|par|por)\s*[:：]\s*)(\S.*)$")
        .expect("valid regex")
});

/// Lines that are only a byline's label, or a CMS placeholder, not a name.
static LABEL_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(?:posted|published|written|submitted)(?:\s+(?:by|on|in))?|by|von|par|por|(?:artikel|beitrag|text)\s+von|über\s+(?:den|die)\s+autor(?:in)?|about\s+the\s+author|à\s+propos\s+de\s+l'auteur|no\s+author|unknown|admin\w*|\w*admin|author|autor|auteur|eingetragen\s+bei\b.*|filed\s+under\b.*)\s*[:：]?$",
    )
    .expect("valid regex")
});

/// A picture credit, not a writer.
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:photo(?:graph)?s?|pictures?|images?|fotos?|bild(?:er)?|video)\s*(?:by|von|de|par|por|:)")
        .expect("valid regex")
});

pub(crate) fn plausible_name(name: &str) -> bool {
    let name = name.trim();
    let chars = name.chars().count();
    (2..=60).contains(&chars)
        && name.split_whitespace().count() <= 6
        && !name.chars().any(|c| c.is_ascii_digit() || c == '@' || c == '|')
        && !name.contains("http")
        && !name.contains("[at]")
        && !LABEL_ONLY.is_match(name)
        && !CREDIT.is_match(name)
        && !sentence(name)
        // "Published:", "Datum:": a label whose value was cut off.
        && !name.ends_with([':', '：'])
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
        assert_eq!(clean_name("Auteur : Anna Kubišta"), "Anna Kubišta");
        assert_eq!(clean_name("'Luana Patriolino"), "Luana Patriolino");
        assert_eq!(clean_name("edilson.la.rosa"), "edilson la rosa");
        assert_eq!(clean_name("Dr. Jane Doe"), "Dr. Jane Doe");
        assert_eq!(clean_name("Di Maria"), "Di Maria");
        assert_eq!(clean_name("By Jane Doe"), "Jane Doe");
        assert_eq!(split_names("AFP/The Local"), vec!["AFP/The Local"]);
        for label in [
            "Published by",
            "Artikel von:",
            "Über den Autor",
            "No author",
            "wordpressadmin",
            "Eingetragen bei: Politics",
        ] {
            assert!(!plausible_name(label), "{label}");
        }
        assert!(!plausible_name("jane[at]example.org"));
        assert!(!plausible_name("Photograph by Ed Marshall"));
        assert_eq!(clean_name("AFP - desk@example.org"), "AFP");
        assert_eq!(clean_name("example.org"), "example.org");
    }

    #[test]
    fn what_follows_the_name_is_cut() {
        let names = |t: &str| byline_names(t).into_iter().map(|a| a.name).collect::<Vec<_>>();
        assert_eq!(names("Posted by Konstantin 21.10.2019"), vec!["Konstantin"]);
        assert_eq!(names("By Christopher Wood — March 11, 2020"), vec!["Christopher Wood"]);
        assert_eq!(names("Gespeichert von rasos am 24. Juli 2017 - 18:55"), vec!["rasos"]);
        assert_eq!(names("Von R. R. am 07.08.2013"), vec!["R. R."]);
        assert_eq!(names("Par Loïc Le Clerc le 30 septembre 2018"), vec!["Loïc Le Clerc"]);
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
        assert!(MARKED.captures("Byron Smith").is_none());
    }
}
