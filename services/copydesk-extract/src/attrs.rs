//! Attribute lookup without interning, for the per-element hot loops.
//!
//! `scraper::node::Element::attr` turns the asked-for name into a `LocalName`
//! atom on every call: a hash, and for names outside html5ever's static set
//! (`data-testid`, `aria-label`...) a trip through string_cache's global,
//! mutex-guarded set that serialises threads. Elements carry a handful of
//! attributes, so comparing names as strings is cheaper and contends on nothing.

use std::ops::Deref;

use html5ever::ns;
use scraper::node::Element;

/// An element whose `attr` compares names as strings; everything else derefs
/// to the element, so code written against `Element` reads the same.
#[derive(Clone, Copy)]
pub(crate) struct Lookup<'a>(pub(crate) &'a Element);

impl<'a> Lookup<'a> {
    /// The same answer as `Element::attr`: an attribute with no namespace and
    /// no prefix whose local name is exactly `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&'a str> {
        self.0
            .attrs
            .iter()
            .find(|(q, _)| q.prefix.is_none() && q.ns == ns!() && &*q.local == name)
            .map(|(_, value)| &**value)
    }
}

impl Deref for Lookup<'_> {
    type Target = Element;

    fn deref(&self) -> &Element {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use scraper::{Html, Node};

    use super::*;

    #[test]
    fn answers_like_scraper() {
        let html = Html::parse_document(
            r##"<html lang="de" xml:lang="fr"><body><div ID="x" Class="a b" data-testid="t" aria-hidden="true"
            hidden style="display:none"><a href="/h" HREF="/dup">x</a><meta property="og:title" content="c">
            <svg xml:lang="en" xlink:href="#s" viewBox="0 0 1 1"><a xlink:href="#l" href="/svg">y</a></svg>
            <math definitionURL="u"></math><p data-e2e="" data-component=x>z</p></div></body></html>"##,
        );
        let names = [
            "lang",
            "xml:lang",
            "id",
            "ID",
            "class",
            "data-testid",
            "aria-hidden",
            "hidden",
            "style",
            "href",
            "HREF",
            "property",
            "content",
            "xlink:href",
            "viewBox",
            "viewbox",
            "definitionURL",
            "definitionurl",
            "data-e2e",
            "data-component",
            "rel",
            "",
        ];
        let mut checked = 0;
        for node in html.tree.nodes() {
            let Node::Element(el) = node.value() else { continue };
            for name in names {
                assert_eq!(Lookup(el).attr(name), el.attr(name), "<{}> {name}", el.name());
                checked += 1;
            }
            assert_eq!(Lookup(el).name(), el.name());
        }
        assert!(checked > 200);
    }
}
