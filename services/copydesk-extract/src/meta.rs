//! Page metadata: `<title>`, `<meta>` (OpenGraph, Twitter, Dublin Core...),
//! `<link rel=canonical>`, microdata `itemprop`s and JSON-LD.

use std::collections::HashMap;

use scraper::{Html, Node};

use crate::{attrs::Lookup, jsonld, text};

#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub(crate) title_tag: Option<String>,
    /// `<meta name|property|itemprop=K content=V>`, keys lower-cased, in order.
    pub(crate) tags: HashMap<String, Vec<String>>,
    pub(crate) canonical: Option<String>,
    pub(crate) html_lang: Option<String>,
    pub(crate) ld: jsonld::LinkedData,
    /// `itemprop` values found on non-meta elements (`datePublished` on a `<time>`...).
    pub(crate) itemprops: HashMap<String, Vec<String>>,
}

impl Meta {
    /// The first non-empty value of any of `keys`, in the order given.
    pub(crate) fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().filter_map(|k| self.tags.get(*k)).flatten().map(|v| v.trim()).find(|v| !v.is_empty())
    }

    pub(crate) fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.tags.get(key).into_iter().flatten().map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

pub(crate) fn collect(html: &Html) -> Meta {
    let mut meta = Meta::default();
    // Arena order is document order for parsed HTML, and this is a flat loop:
    // no recursion however deep the page nests.
    for node in html.tree.nodes() {
        let Node::Element(el) = node.value() else { continue };
        let el = Lookup(el);
        match el.name() {
            "html" => {
                if meta.html_lang.is_none() {
                    meta.html_lang = el.attr("lang").or_else(|| el.attr("xml:lang")).map(str::to_string);
                }
            }
            "title" if meta.title_tag.is_none() => {
                let mut t = String::new();
                for child in node.children() {
                    if let Node::Text(x) = child.value() {
                        text::push_collapsed(&mut t, x);
                    }
                }
                let t = unescape(t.trim());
                if !t.is_empty() {
                    meta.title_tag = Some(t);
                }
            }
            "meta" => {
                let key = el.attr("property").or_else(|| el.attr("name")).or_else(|| el.attr("itemprop"));
                let value = el.attr("content");
                if let (Some(k), Some(v)) = (key, value) {
                    // Remix's meta descriptors can render a JSON-LD document as
                    // `<meta name="script:ld+json" content="{...}">`.
                    if k.trim().eq_ignore_ascii_case("script:ld+json") {
                        meta.ld.add_script(v);
                    }
                    meta.tags.entry(k.trim().to_ascii_lowercase()).or_default().push(unescape(v));
                }
                if let (Some(h), Some(v)) = (el.attr("http-equiv"), value) {
                    meta.tags.entry(h.trim().to_ascii_lowercase()).or_default().push(v.to_string());
                }
            }
            "link" => {
                let rel = el.attr("rel").unwrap_or("").to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "canonical") && meta.canonical.is_none() {
                    meta.canonical = el.attr("href").map(str::to_string);
                }
            }
            "script" => {
                let kind = el.attr("type").unwrap_or("").to_ascii_lowercase();
                if kind.contains("ld+json") {
                    let mut body = String::new();
                    for child in node.children() {
                        if let Node::Text(x) = child.value() {
                            body.push_str(x);
                        }
                    }
                    meta.ld.add_script(&body);
                }
            }
            _ => {
                if let Some(prop) = el.attr("itemprop") {
                    let value = el.attr("content").or_else(|| el.attr("datetime"));
                    if let Some(v) = value {
                        for p in prop.split_whitespace() {
                            meta.itemprops.entry(p.to_ascii_lowercase()).or_default().push(v.to_string());
                        }
                    }
                }
            }
        }
    }
    meta
}

/// CMSs often escape twice (`&amp;amp;`, `&amp;#038;`); the parser undoes one
/// level, this the other.
pub(crate) fn unescape(s: &str) -> String {
    if s.contains('&') { html_escape::decode_html_entities(s).into_owned() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_ld_in_a_meta_descriptor_is_read() {
        let html = scraper::Html::parse_document(
            r#"<html><head><meta name="script:ld+json" content='{"@type":"Article","headline":"H","datePublished":"2025-11-17T09:00:00-05:00"}'></head></html>"#,
        );
        let meta = super::collect(&html);
        assert_eq!(meta.ld.date_published.as_deref(), Some("2025-11-17T09:00:00-05:00"));
    }
}
