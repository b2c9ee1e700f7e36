//! What each element is, from its tag and attributes: the flags of `dom::flag`.
//!
//! Class names, ids, roles and ARIA attributes say what a box is meant to be
//! (navigation, caption, byline, lead); these are generic words templates use,
//! never one site's names.

use foldhash::HashMap;
use std::sync::LazyLock;

use html5ever::{local_name, ns};
use memchr::memmem;

use regex::Regex;

use crate::dom::flag;

mod names;

/// Tags whose content is never text a reader sees, or only as an aside:
/// ruby annotations (`<rt>`, `<rp>`) spell out the reading of the text
/// they sit over and would break its sentences apart.
pub(crate) fn is_invisible(tag: &str) -> bool {
    matches!(
        tag,
        "head"
            | "rt"
            | "rp"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "select"
            | "textarea"
            | "button"
            | "input"
            | "video"
            | "audio"
            | "map"
    )
}

pub(crate) fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "section"
            | "article"
            | "main"
            | "aside"
            | "nav"
            | "header"
            | "footer"
            | "figure"
            | "figcaption"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "form"
            | "address"
            | "details"
            | "summary"
            | "center"
            | "body"
            | "html"
            | "hr"
            | "tbody"
            | "thead"
            | "tfoot"
            | "fieldset"
            | "menu"
    )
}

/// A live blog's or live match's commentary ("live-match-comment",
/// "live_comments") is the article itself, not readers' comments: the names
/// are taken out before the boilerplate test.
static LIVE_COMMENTARY: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?:^|[^a-z])live[-_](?:[a-z]+[-_])?comments?(?:$|[^a-z])").expect("valid regex")
});

/// `hidden` alone names a hidden element; inside a longer name it may hide
/// only a part (Drupal's `field--label-hidden` hides the field's label).
fn hidden_class(names: &str) -> bool {
    names.split_ascii_whitespace().any(|t| matches!(t, "hidden" | "is-hidden" | "d-none"))
}

/// Whether an element's names (lower-cased) name a tooltip's bubble, not
/// the word it hangs on: `tooltiptext`, `tooltip-content`, a CSS module's
/// `Term_tooltip__x1`. A bare `tooltip` or `has-tooltip` is often the word
/// itself. Read once per distinct list of names, as the other name tests.
fn names_tooltip_bubble(names: &str) -> bool {
    holds(names, b"tooltip")
        && names.split_ascii_whitespace().any(|t| {
            ["tooltiptext", "tooltip-content", "tooltip__content", "tooltipbubble"].iter().any(|e| t.ends_with(e))
                || t.contains("_tooltip__")
        })
}

/// Whether `word` occurs in `names`. Names are short and read once per
/// distinct list: `memmem::find` built a searcher each time, at about 350
/// instructions a call, which checking each place of the first letter
/// avoids.
fn holds(names: &str, word: &[u8]) -> bool {
    let b = names.as_bytes();
    memchr::memchr_iter(word[0], b).any(|at| b[at..].starts_with(word))
}

/// React's id for a streamed segment: `S:` and a number.
fn is_streamed_segment(id: &str) -> bool {
    id.strip_prefix("S:").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// What class names and ids say, as found by `names::said_by_words`.
mod said {
    pub(super) const CAPTION: u8 = 1;
    pub(super) const CREDIT: u8 = 2;
    pub(super) const BYLINE: u8 = 4;
    pub(super) const BOILER: u8 = 8;
    pub(super) const LEAD: u8 = 16;
    pub(super) const DATE: u8 = 32;
    pub(super) const TOOLTIP: u8 = 64;
}

/// Computes elements' own flags for one page. Templates repeat the same
/// class lists on every item of a list, so what the name tests say is
/// remembered per distinct attribute value (a class list, an id): a hash
/// lookup instead of a scan for most elements. The keys are the page's own class names,
/// hashed once per element: a fast hash, since nothing is gained by
/// resisting hash flooding in a map that lives for one page and is bounded by
/// its elements.
#[derive(Default)]
pub(crate) struct Marker {
    said: HashMap<String, u8>,
    names: String,
    style: Vec<u8>,
}

impl Marker {
    /// Own flags of an element, from its tag and what its attributes say it
    /// is; and whether the element hides itself.
    /// `text` gives the element's own text; it is read only for a heading
    /// with an id, to tell an anchor from a name (see `is_slug_of`).
    pub(crate) fn own_flags(
        &mut self,
        el: &scraper::node::Element,
        tag: &str,
        text: impl FnOnce() -> String,
    ) -> (u16, bool) {
        let mut flags = 0;
        match tag {
            "nav" | "footer" | "aside" | "form" | "menu" | "dialog" => flags |= flag::BOILER,
            "header" => flags |= flag::HEADER,
            "figure" | "picture" => flags |= flag::FIGURE,
            "figcaption" => flags |= flag::CAPTION,
            "blockquote" | "q" => flags |= flag::QUOTE,
            "ul" | "ol" => flags |= flag::LIST,
            "time" => flags |= flag::DATE,
            "main" => flags |= flag::MAIN,
            _ => {}
        }
        let mut attrs = Attrs::of(el);
        // A heading's id is most often its anchor, its own words made a slug
        // ('h-how-to-use-social-shopping', 'what-share-of-adults-...'): it
        // names the section the heading opens, not what the box is, and its
        // words ('social', 'share', 'related') say nothing of furniture.
        if matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
            && let Some(id) = attrs.names[1]
            && is_slug_of(id, &text())
        {
            attrs.names[1] = None;
        }
        // React's streamed server rendering sends a page's late parts in a
        // hidden `<div id="S:0">` that a script moves into place on load: the
        // reader sees it, so the attribute does not hide it.
        let streamed = attrs.hidden && attrs.names[1].is_some_and(is_streamed_segment);
        let mut hidden = attrs.hidden && !streamed;
        // A tooltip's bubble shows on hover only: a glossary's definition
        // set inside the sentence that uses the word is not the sentence.
        hidden |= attrs.role == Some("tooltip");
        if let Some(style) = attrs.style {
            // Lower-cased and without spaces, in a buffer the page's elements share.
            self.style.clear();
            self.style.extend(style.bytes().filter(|&b| b != b' ').map(|b| b.to_ascii_lowercase()));
            hidden |= memmem::find(&self.style, b"display:none").is_some()
                || memmem::find(&self.style, b"visibility:hidden").is_some();
        }
        // A collapsed accordion's panel, named by the button that opens it:
        // the reader opens it (an article's steps or answers, one per panel).
        // A panel also kept from the screen reader stays hidden.
        if attrs.role == Some("region") && attrs.labelled {
            hidden = false;
        }
        hidden |= attrs.aria_hidden == Some("true");
        if let Some(role) = attrs.role
            && matches!(
                role,
                "navigation"
                    | "banner"
                    | "contentinfo"
                    | "complementary"
                    | "search"
                    | "menu"
                    | "menubar"
                    | "toolbar"
                    | "dialog"
                    | "alertdialog"
            )
        {
            flags |= flag::BOILER;
        }
        if attrs.role == Some("main") || attrs.names[2].is_some_and(|p| p.eq_ignore_ascii_case("articleBody")) {
            flags |= flag::MAIN;
        }
        // Each name is read on its own: every test of `what_names_say` reads
        // within one space-separated name, so the list says what its names
        // say together, and a class list repeated beside a unique id is
        // still read once.
        let mut named = false;
        let mut said = 0;
        for v in attrs.names.iter().flatten() {
            named = true;
            self.names.clear();
            self.names.push_str(v);
            self.names.make_ascii_lowercase();
            self.names.push(' ');
            said |= match self.said.get(self.names.as_str()) {
                Some(&said) => said,
                None => {
                    let said = what_names_say(&self.names);
                    self.said.insert(self.names.clone(), said);
                    said
                }
            };
        }
        if named {
            let structural = matches!(tag, "html" | "body" | "main" | "article");
            if said & said::CAPTION != 0 {
                flags |= flag::CAPTION;
            } else if said & said::CREDIT != 0 {
                flags |= flag::CREDIT;
            } else if !structural && said & said::BYLINE != 0 {
                flags |= flag::BYLINE;
            } else if !structural && said & said::BOILER != 0 && flags & flag::BOILER == 0 {
                flags |= flag::BOILER | flag::NAMED;
            }
            if !structural && said & said::LEAD != 0 {
                flags |= flag::LEAD;
            }
            hidden |= said & said::TOOLTIP != 0;
            if !structural && said & said::DATE != 0 {
                flags |= flag::DATE;
            }
        }
        if let Some(label) = attrs.aria_label
            && (label.contains("广告") || label.contains("廣告") || label.to_ascii_lowercase().contains("advert"))
        {
            flags = (flags | flag::BOILER) & !flag::NAMED;
        }
        (flags, hidden)
    }
}

/// Whether `id` spells the words of `text` as a slug: two of its words
/// or more, and half of them at least, are words of the text ('h-why-use-
/// social-shopping' of 'Why Use Social Shopping?'). Single letters and
/// numbers are left out ('h-', '9-'). A name that says what the heading is
/// ('comments-title' over '59 Comments on ...') shares one word at most.
fn is_slug_of(id: &str, text: &str) -> bool {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let (mut parts, mut found) = (0, 0);
    for part in id.split(|c: char| !c.is_ascii_alphanumeric()) {
        if part.len() < 2 || part.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        parts += 1;
        found += usize::from(words.iter().any(|w| w.eq_ignore_ascii_case(part)));
    }
    found >= 2 && found * 2 >= parts
}

/// What a page's names (lower-cased, space-separated) say.
fn what_names_say(names: &str) -> u8 {
    let mut said = names::said_by_words(names);
    if holds(names, b"live") {
        said &= !said::BOILER;
        said |= names::said_by_words(&LIVE_COMMENTARY.replace_all(names, " ")) & said::BOILER;
    }
    if hidden_class(names) {
        said |= said::BOILER;
    }
    if names_tooltip_bubble(names) {
        said |= said::TOOLTIP;
    }
    said
}

/// The attributes `own_flags` reads, found in one pass over the element's
/// attributes instead of one search per name.
struct Attrs<'a> {
    hidden: bool,
    aria_hidden: Option<&'a str>,
    aria_label: Option<&'a str>,
    style: Option<&'a str>,
    role: Option<&'a str>,
    /// Has `aria-labelledby`: another element (a panel's button) names it.
    labelled: bool,
    /// class, id, itemprop, rel, data-testid, data-component, data-e2e: in
    /// this order they make up the names the regexes read.
    names: [Option<&'a str>; 7],
}

impl<'a> Attrs<'a> {
    fn of(el: &'a scraper::node::Element) -> Attrs<'a> {
        let mut a = Attrs {
            hidden: false,
            aria_hidden: None,
            aria_label: None,
            style: None,
            role: None,
            labelled: false,
            names: [None; 7],
        };
        for (name, value) in &el.attrs {
            // As `Lookup::attr`: HTML attributes only, no namespace or prefix.
            if name.prefix.is_some() || name.ns != ns!() {
                continue;
            }
            let value: &'a str = value;
            // Names in html5ever's static set compare as atoms (one integer
            // each); the rest are read as text.
            let local = &name.local;
            if *local == local_name!("class") {
                a.names[0] = Some(value);
            } else if *local == local_name!("id") {
                a.names[1] = Some(value);
            } else if *local == local_name!("style") {
                a.style = Some(value);
            } else if *local == local_name!("role") {
                a.role = Some(value);
            } else if *local == local_name!("itemprop") {
                a.names[2] = Some(value);
            } else if *local == local_name!("rel") {
                a.names[3] = Some(value);
            } else if *local == local_name!("hidden") {
                a.hidden = true;
            } else if *local == local_name!("aria-hidden") {
                a.aria_hidden = Some(value);
            } else if *local == local_name!("aria-label") {
                a.aria_label = Some(value);
            } else {
                match &**local {
                    "aria-labelledby" => a.labelled = true,
                    "data-testid" => a.names[4] = Some(value),
                    "data-component" => a.names[5] = Some(value),
                    "data-e2e" => a.names[6] = Some(value),
                    _ => {}
                }
            }
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::{is_slug_of, names_tooltip_bubble};

    #[test]
    fn a_heading_id_that_spells_its_words_is_an_anchor() {
        assert!(is_slug_of("h-why-use-social-shopping", "Why Use Social Shopping?"));
        assert!(is_slug_of("what-share-of-adolescents-report", "What share of adolescents report receiving care?"));
        assert!(is_slug_of("h-9-babbel-germanys-most-popular-app-now", "ᐊ 9 ᐅ Babbel – Germany’s Most Popular App"));
        assert!(!is_slug_of("comments-title", "59 Comments on “Starship Troopers”"));
        assert!(!is_slug_of("bylineArticleTools", "How we reviewed this article"));
        assert!(!is_slug_of("related", "Related"));
    }

    #[test]
    fn a_tooltip_bubble_is_named_apart_from_its_word() {
        assert!(names_tooltip_bubble("term_tooltip__8vniw"));
        assert!(names_tooltip_bubble("absolute invisible tooltiptext"));
        assert!(names_tooltip_bubble("wpd-tooltip-content"));
        assert!(!names_tooltip_bubble("tooltip"));
        assert!(!names_tooltip_bubble("has_twitter has-tooltip"));
        assert!(!names_tooltip_bubble("entry-content"));
    }
}
