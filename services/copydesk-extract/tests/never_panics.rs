//! "Extraction never panics", tested where the soup of `robustness.rs` does not go:
//! grammar-built pages whose attributes that extraction reads (src, srcset, href, content,
//! datetime, class, id, itemprop, rel, lang, charset, ...) and whose text hold arbitrary
//! Unicode, and byte or character mutations of real corpus pages.
//!
//! Case counts are small so CI stays fast; `COPYDESK_PROPTEST_CASES=5000` runs a long search.

mod common;

use std::io::Read;
use std::time::Duration;

use copydesk_extract::{Hints, Limits, extract_with};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn cases(ci: u32) -> u32 {
    std::env::var("COPYDESK_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(ci)
}

fn limits() -> Limits {
    Limits { time_budget: Duration::from_secs(5), ..Limits::default() }
}

/// Any result is fine here; a panic fails the case (proptest reports the input).
fn extract_any(bytes: &[u8], hints: &Hints) -> Result<(), TestCaseError> {
    if let Ok(x) = extract_with(bytes, hints, &limits()) {
        prop_assert!(!x.article.text.trim().is_empty(), "article with empty text");
    }
    Ok(())
}

/// Attribute values: arbitrary Unicode, and shapes that parsers read by position (descriptors,
/// offsets, language tags, dates) ending or filled with multi-byte characters.
fn value() -> impl Strategy<Value = String> {
    let any_char = any::<char>().prop_map(String::from);
    prop_oneof![
        "\\PC{0,24}",
        any::<String>().prop_map(|s| s.chars().take(24).collect()),
        (r"[a-z/:.]{0,12}", r"[0-9\.]{0,4}", any::<char>()).prop_map(|(u, n, c)| format!("{u} {n}{c}")),
        (r"[a-z/:.]{0,12}", "\\PC{0,3}", r"[a-z/:.]{0,12}", "\\PC{0,3}")
            .prop_map(|(a, d, b, e)| format!("{a} {d}, {b} {e}")),
        (
            r"[0-9٠-٩０-９]{4}",
            r"[-/.年]",
            r"[0-9٠-٩]{1,2}",
            r"[-/.月]",
            r"[0-9٠-٩]{1,2}",
            r"[T ]?",
            r"[0-9]{1,2}:[0-9]{2}"
        )
            .prop_map(|(y, s1, m, s2, d, t, hm)| format!("{y}{s1}{m}{s2}{d}{t}{hm}")),
        (r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}", r"[+-]", r"[0-9٠-٩߀-߉]{1,2}:?[0-9٠-٩]{0,2}")
            .prop_map(|(d, s, o)| format!("{d}{s}{o}")),
        (r"[a-zA-Z]{2,3}", "[-_]", "\\PC{0,5}").prop_map(|(l, s, r)| format!("{l}{s}{r}")),
        (r"https?://[a-z]{1,8}\.[a-z]{2,3}/", "\\PC{0,12}").prop_map(|(h, p)| format!("{h}{p}")),
        any_char,
    ]
}

/// Visible text: prose in several scripts, with the labels bylines and dates are found by.
fn text() -> impl Strategy<Value = String> {
    let label = prop_oneof![
        Just(""),
        Just("By "),
        Just("Von "),
        Just("Автор: "),
        Just("作者："),
        Just("记者 "),
        Just("Published "),
        Just("发布时间："),
        Just("Photo: "),
        Just("Updated: "),
    ];
    (label, "\\PC{0,60}", value()).prop_map(|(l, t, v)| format!("{l}{t} {v}"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

/// An element of the page grammar, rendered to HTML.
fn element() -> impl Strategy<Value = String> {
    let attr_names = prop_oneof![
        Just("class"),
        Just("id"),
        Just("itemprop"),
        Just("rel"),
        Just("lang"),
        Just("title"),
        Just("alt"),
        Just("role"),
        Just("datetime"),
        Just("href"),
        Just("src"),
        Just("srcset"),
        Just("data-srcset"),
        Just("data-src"),
        Just("sizes"),
        Just("style"),
        Just("width"),
        Just("height"),
        Just("content"),
        Just("property"),
        Just("name"),
    ];
    let attrs = prop::collection::vec((attr_names, value()), 0..4)
        .prop_map(|v: Vec<(&'static str, String)>| {
            v.into_iter().map(|(n, v)| format!(" {n}=\"{}\"", esc(&v))).collect::<String>()
        })
        .boxed();
    let tag = prop_oneof![
        Just("p"),
        Just("div"),
        Just("span"),
        Just("a"),
        Just("h1"),
        Just("h2"),
        Just("time"),
        Just("article"),
        Just("section"),
        Just("figure"),
        Just("figcaption"),
        Just("li"),
        Just("blockquote"),
        Just("address"),
        Just("header"),
        Just("footer"),
        Just("nav"),
    ]
    .boxed();
    let leaf = prop_oneof![
        (tag.clone(), attrs.clone(), text()).prop_map(|(t, a, x)| format!("<{t}{a}>{}</{t}>", esc(&x))),
        (attrs.clone(), value(), value(), value()).prop_map(|(a, s, ss, sz)| format!(
            "<img{a} src=\"{}\" srcset=\"{}\" sizes=\"{}\">",
            esc(&s),
            esc(&ss),
            esc(&sz)
        )),
        (value(), text()).prop_map(|(d, x)| format!("<time datetime=\"{}\">{}</time>", esc(&d), esc(&x))),
        (value(), value(), text()).prop_map(|(h, r, x)| format!(
            "<a href=\"{}\" rel=\"{}\">{}</a>",
            esc(&h),
            esc(&r),
            esc(&x)
        )),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        (tag.clone(), attrs.clone(), prop::collection::vec(inner, 1..6))
            .prop_map(|(t, a, kids)| format!("<{t}{a}>{}</{t}>", kids.concat()))
    })
}

/// `<head>` metadata: meta tags, links and JSON-LD, every value arbitrary.
fn head() -> impl Strategy<Value = String> {
    let meta_name = prop_oneof![
        Just("og:title"),
        Just("og:url"),
        Just("og:locale"),
        Just("og:site_name"),
        Just("article:published_time"),
        Just("article:modified_time"),
        Just("article:author"),
        Just("author"),
        Just("date"),
        Just("description"),
        Just("keywords"),
        Just("content-language"),
        Just("dc.language"),
        Just("twitter:creator"),
    ];
    let meta = prop_oneof![
        (meta_name.clone(), value()).prop_map(|(n, v)| format!("<meta property=\"{n}\" content=\"{}\">", esc(&v))),
        (meta_name, value()).prop_map(|(n, v)| format!("<meta name=\"{n}\" content=\"{}\">", esc(&v))),
        value().prop_map(|v| format!("<meta charset=\"{}\">", esc(&v))),
        value().prop_map(|v| format!("<meta http-equiv=\"Content-Type\" content=\"text/html; charset={}\">", esc(&v))),
        (value(), value()).prop_map(|(r, h)| format!("<link rel=\"{}\" href=\"{}\">", esc(&r), esc(&h))),
        value().prop_map(|h| format!("<link rel=\"canonical\" href=\"{}\">", esc(&h))),
        (value(), value(), value(), value()).prop_map(|(a, d, u, l)| {
            let ld = serde_json::json!({
                "@type": "NewsArticle", "author": {"@type": "Person", "name": a}, "datePublished": d,
                "url": u, "inLanguage": l, "headline": a, "keywords": [d, l],
            });
            format!("<script type=\"application/ld+json\">{ld}</script>")
        }),
    ];
    (value(), prop::collection::vec(meta, 0..6)).prop_map(|(t, m)| format!("<title>{}</title>{}", esc(&t), m.concat()))
}

fn page() -> impl Strategy<Value = String> {
    (value(), head(), prop::collection::vec(element(), 1..8)).prop_map(|(lang, head, body)| {
        format!("<!doctype html><html lang=\"{}\"><head>{head}</head><body>{}</body></html>", esc(&lang), body.concat())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(96), ..ProptestConfig::default() })]

    #[test]
    fn grammar_pages_with_unicode_attributes(html in page(), url in value()) {
        extract_any(html.as_bytes(), &Hints::default())?;
        // The same page with the URL hint set to an arbitrary string (a charset hint, a base).
        extract_any(html.as_bytes(), &Hints { url: Some(url), ..Hints::default() })?;
    }
}

/// Real pages, decompressed: one from every few files of each dev set.
fn corpus_pages() -> &'static [Vec<u8>] {
    static PAGES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    PAGES.get_or_init(|| {
        let dev = common::corpus().join("dev");
        let mut pages = Vec::new();
        for dir in ["trafilatura/html", "daniel/html", "chinese/original", "mediacloud/html", "wcxb/html"] {
            let mut files: Vec<_> =
                std::fs::read_dir(dev.join(dir)).expect("dev set").map(|e| e.unwrap().path()).collect();
            files.sort();
            for path in files.iter().step_by((files.len() / 6).max(1)).take(6) {
                let raw = std::fs::read(path).expect("corpus page");
                let mut html = Vec::new();
                if raw.starts_with(&[0x1f, 0x8b]) {
                    flate2::read::MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut html).expect("gunzip");
                } else {
                    html = raw;
                }
                pages.push(html);
            }
        }
        pages
    })
}

/// One edit of a page: bytes flipped or cut anywhere (splitting characters), or a character
/// inserted at a character boundary.
#[derive(Debug, Clone)]
enum Mutation {
    SetByte(prop::sample::Index, u8),
    Cut(prop::sample::Index, usize),
    Repeat(prop::sample::Index, usize),
    InsertChar(prop::sample::Index, char),
    InsertText(prop::sample::Index, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        (any::<prop::sample::Index>(), 1usize..400).prop_map(|(i, n)| Mutation::Cut(i, n)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Repeat(i, n)),
        (any::<prop::sample::Index>(), any::<char>()).prop_map(|(i, c)| Mutation::InsertChar(i, c)),
        (any::<prop::sample::Index>(), value()).prop_map(|(i, s)| Mutation::InsertText(i, s)),
    ]
}

fn apply(page: &mut Vec<u8>, m: &Mutation) {
    if page.is_empty() {
        return;
    }
    match m {
        Mutation::SetByte(i, b) => {
            let at = i.index(page.len());
            page[at] = *b;
        }
        Mutation::Cut(i, n) => {
            let at = i.index(page.len());
            let end = (at + n).min(page.len());
            page.drain(at..end);
        }
        Mutation::Repeat(i, n) => {
            let at = i.index(page.len());
            let end = (at + n).min(page.len());
            let copy = page[at..end].to_vec();
            page.splice(end..end, copy);
        }
        Mutation::InsertChar(i, c) => insert_at_char(page, i, &c.to_string()),
        Mutation::InsertText(i, s) => insert_at_char(page, i, s),
    }
}

/// Inserts `s` at a character boundary (where the bytes are UTF-8), so the page stays text.
fn insert_at_char(page: &mut Vec<u8>, i: &prop::sample::Index, s: &str) {
    let mut at = i.index(page.len());
    while at < page.len() && (page[at] & 0xc0) == 0x80 {
        at += 1;
    }
    page.splice(at..at, s.bytes());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn mutated_corpus_pages(which in any::<prop::sample::Index>(), edits in prop::collection::vec(mutation(), 1..12)) {
        let pages = corpus_pages();
        let mut page = pages[which.index(pages.len())].clone();
        for m in &edits {
            apply(&mut page, m);
        }
        extract_any(&page, &Hints::default())?;
    }
}

/// Inputs that panicked before they were fixed, at the level of a whole page.
#[test]
fn pages_that_once_panicked() {
    let article = "<p>".to_string() + &"A sentence of real article text. ".repeat(12) + "</p>";
    let pages = [
        // A srcset descriptor ending in a Cyrillic "х" (issue 13).
        format!("<article>{article}<img src=/a.jpg srcset=\"/a.jpg 1x, /b.jpg 2\u{445}\"></article>"),
        // A region subtag of four bytes but fewer characters.
        format!("<html lang=\"en-\u{e9}ab\"><article>{article}</article></html>"),
        // An offset written in non-ASCII digits, which `\d` matches.
        format!(
            "<article><time datetime=\"2024-06-17T10:00+\u{661}\u{662}:\u{663}\u{664}\">x</time>{article}</article>"
        ),
    ];
    for page in pages {
        let x = extract_with(page.as_bytes(), &Hints::default(), &limits());
        assert!(x.is_ok_and(|x| x.article.text.contains("real article text")), "{page}");
    }
}
