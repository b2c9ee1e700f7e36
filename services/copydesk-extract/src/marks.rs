//! What each element is, from its tag and attributes: the flags of `dom::flag`.
//!
//! Class names, ids, roles and ARIA attributes say what a box is meant to be
//! (navigation, caption, byline, lead); these are generic words templates use,
//! never one site's names.

use std::sync::LazyLock;

use regex::Regex;

use crate::attrs::Lookup;
use crate::dom::flag;

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

static BOILER_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)(?:^|[^a-z])(?:nav|navbar|navigation|menu|menubar|footer|sidebar|side-bar|share|sharing|
        social|socials|comment|comments|disqus|advert\w*|ads?|adv|sponsor\w*|promo\w*|banner|breadcrumbs?|
        related|recommend\w*|newsletter|subscribe|subscription|signup|popup|modal|cookie\w*|consent|
        paywall|widget|toolbar|pagination|pager|print-?(?:link|button|btn|icon|tools?)|no-?print|d-print-none|hidden-print|outbrain|taboola|trending|most-?popular|
        mostread|tags?|taglist|author-?bio|masthead|skip|sr-only|visually-?hidden|rating|
        login|register|more-?stories|read-?more|also-?read|jump-?link)(?:$|[^a-z])",
    )
    .expect("valid regex")
});

static CAPTION_NAMES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"caption|wp-caption-text|img-?desc|image-?desc|legend").expect("valid regex"));
static CREDIT_NAMES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"credit|copyright|photographer|image-?source|img-?source").expect("valid regex"));
static BYLINE_NAMES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"byline|author|writer|reporter|contributor|journalist").expect("valid regex"));
static LEAD_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^a-z])(?:lead|standfirst|summary|intro|dek|deck|subhead|excerpt|teaser)(?:$|[^a-z])")
        .expect("valid regex")
});
static DATE_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^a-z])(?:date|time|timestamp|published|dateline|pubdate|posted)").expect("valid regex")
});

/// `hidden` alone names a hidden element; inside a longer name it may hide
/// only a part (Drupal's `field--label-hidden` hides the field's label).
fn hidden_class(names: &str) -> bool {
    names.split_ascii_whitespace().any(|t| matches!(t, "hidden" | "is-hidden" | "d-none"))
}

/// Own flags of an element, from its tag and what its attributes say it is.
pub(crate) fn own_flags(el: &scraper::node::Element, tag: &str) -> (u16, bool) {
    let el = Lookup(el);
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
    let mut hidden = el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true");
    if let Some(style) = el.attr("style") {
        let style = style.to_ascii_lowercase().replace(' ', "");
        hidden |= style.contains("display:none") || style.contains("visibility:hidden");
    }
    if let Some(role) = el.attr("role")
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
    if el.attr("role") == Some("main") || el.attr("itemprop").is_some_and(|p| p.eq_ignore_ascii_case("articleBody")) {
        flags |= flag::MAIN;
    }
    let mut names = String::new();
    for key in ["class", "id", "itemprop", "rel", "data-testid", "data-component", "data-e2e"] {
        if let Some(v) = el.attr(key) {
            names.reserve(v.len() + 1);
            let start = names.len();
            names.push_str(v);
            names[start..].make_ascii_lowercase();
            names.push(' ');
        }
    }
    let structural = matches!(tag, "html" | "body" | "main" | "article");
    if !names.is_empty() {
        if CAPTION_NAMES.is_match(&names) {
            flags |= flag::CAPTION;
        } else if CREDIT_NAMES.is_match(&names) {
            flags |= flag::CREDIT;
        } else if BYLINE_NAMES.is_match(&names) && !structural {
            flags |= flag::BYLINE;
        } else if !structural && (BOILER_NAMES.is_match(&names) || hidden_class(&names)) {
            flags |= flag::BOILER;
        }
        if LEAD_NAMES.is_match(&names) && !structural {
            flags |= flag::LEAD;
        }
        if DATE_NAMES.is_match(&names) && !structural {
            flags |= flag::DATE;
        }
    }
    if let Some(label) = el.attr("aria-label")
        && (label.contains("广告") || label.contains("廣告") || label.to_ascii_lowercase().contains("advert"))
    {
        flags |= flag::BOILER;
    }
    (flags, hidden)
}
