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
        r"(?i)^(?:(?:posted\s+by|written\s+by|geschrieben\s+von|verfasst\s+von|publié\s+par|escrito\s+por|text|texte|by|par|von|por|di|door|przez|autor(?:ka|in)?|auteure?|autore|author|автор|από)(?:\s*[:：/|]\s*|\s+)|(?:作者|记者|記者|文|撰文|本报记者|本報記者|通讯员|通訊員)\s*[:：/／|]?\s*)(\S.*)$",
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
    let cjk = if metadata.is_empty() && visible.is_empty() { cjk_credit_lines(page) } else { Vec::new() };
    let sources = [metadata, visible, cjk];
    byline.authors = sources
        .iter()
        .map(|source| people(source))
        .find(|found| !found.is_empty())
        .or_else(|| sources.into_iter().find(|found| !found.is_empty()))
        .unwrap_or_default();
    byline
}

/// Chinese pages credit people in set phrases anywhere on the page, often
/// at the end: "作者：X", "（记者 X）", "X/摄", "X 发表于", "责任编辑：X".
/// Ordered by how surely the phrase names the writer.
static CJK_MARKERS: LazyLock<[Regex; 5]> = LazyLock::new(|| {
    const NAMES: &str = r"((?:[\p{Han}·]{2,4}|[A-Za-z][A-Za-z0-9_]{2,19})(?:(?:\s+|、)[\p{Han}·]{2,4})*)";
    [
        Regex::new(&format!(r"(?:作者|作\s者|撰文|文)\s*[:：/／]\s*{NAMES}")),
        Regex::new(&format!(r"(?:本报|本報|特约|特約)?(?:记者|記者)\s*[:：]?\s*{NAMES}")),
        Regex::new(&format!(r"{NAMES}\s*(?:/|／)\s*(?:摄|攝|文)")),
        Regex::new(&format!(r"{NAMES}\s+(?:发表于|發表於)")),
        Regex::new(&format!(r"(?:责任编辑|責任編輯|编辑|編輯)\s*[:：]\s*{NAMES}")),
    ]
    .map(|r| r.expect("valid regex"))
});

/// Words that follow the markers but are not names.
const NOT_NAMES: &[&str] =
    &["近日", "获悉", "获悉", "了解", "从", "日前", "今天", "昨天", "报道", "采访", "发自", "来源"];

fn cjk_credit_lines(page: &Page) -> Vec<Author> {
    let texts: Vec<&str> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(b) if b.chars <= 2000 => Some(b.text.as_str()),
            _ => None,
        })
        .collect();
    for marker in CJK_MARKERS.iter() {
        for text in &texts {
            let Some(c) = marker.captures(text) else { continue };
            let names: Vec<String> = c[1]
                .split(|ch: char| ch.is_whitespace() || ch == '、')
                .map(str::trim)
                .filter(|n| n.chars().count() >= 2 && !NOT_NAMES.iter().any(|w| n.starts_with(w)))
                .enumerate()
                // A second name is two or three characters; four-character
                // words after a name are headings ("最新动态"), not people.
                .filter(|(i, n)| *i == 0 || n.chars().count() <= 3)
                .map(|(_, n)| n.to_string())
                .collect();
            if !names.is_empty() {
                return names.into_iter().map(|name| Author { name, ..Default::default() }).collect();
            }
        }
    }
    Vec::new()
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
    authors.dedup_by(|a, b| a.name == b.name);
    authors
}

/// The people a byline line names: after its marker word ("By", "作者："), or the whole line.
fn byline_names(text: &str) -> Vec<Author> {
    let names = match MARKED.captures(text) {
        Some(c) => split_names(&c[1]),
        None => split_names(text),
    };
    names.into_iter().map(|name| Author { name, ..Default::default() }).collect()
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
        r"(?i)^(?:(?:posted|published|written|submitted)\s+by|(?:artikel|beitrag|text)\s+von|über\s+(?:den|die)\s+autor(?:in)?|about\s+the\s+author|à\s+propos\s+de\s+l'auteur|no\s+author|unknown|admin\w*|\w*admin|author|autor|auteur|eingetragen\s+bei\b.*|filed\s+under\b.*)\s*[:：]?$",
    )
    .expect("valid regex")
});

/// A picture credit, not a writer.
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:photo(?:graph)?s?|pictures?|images?|fotos?|bild(?:er)?|video)\s*(?:by|von|de|par|por|:)")
        .expect("valid regex")
});

fn plausible_name(name: &str) -> bool {
    let name = name.trim();
    let chars = name.chars().count();
    (2..=60).contains(&chars)
        && name.split_whitespace().count() <= 6
        && !name.chars().any(|c| c.is_ascii_digit() || c == '@' || c == '|')
        && !name.contains("http")
        && !name.contains("[at]")
        && !LABEL_ONLY.is_match(name)
        && !CREDIT.is_match(name)
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
    fn marked_bylines() {
        assert_eq!(&MARKED.captures("By Jane Doe").unwrap()[1], "Jane Doe");
        assert_eq!(&MARKED.captures("作者：张三").unwrap()[1], "张三");
        assert!(MARKED.captures("Byron Smith").is_none());
    }

    #[test]
    fn chinese_credit_phrases() {
        let names =
            |t: &str| CJK_MARKERS.iter().find_map(|m| m.captures(t).map(|c| c[1].to_string())).unwrap_or_default();
        assert_eq!(names("据新华社拉萨电（记者 格桑边觉）记者近日从"), "格桑边觉");
        assert_eq!(names("来源：巴彦淖尔日报 编辑：苏亮"), "苏亮");
        assert_eq!(names("蔡雪婧/摄 人物画像"), "蔡雪婧");
        assert_eq!(names("ggjjzhzz 发表于 2005-9-15"), "ggjjzhzz");
    }
}
