//! Navigation menus, page headers and footers, emptied before the parse when what they hold stays inside them.
//!
//! A `<nav>` is boilerplate to every later stage, and its menus are a sixth
//! of the markup a news page has once scripts are gone: emptying those that
//! may be saves 5% of extraction's instructions (callgrind, dev pages). So the pre-parse
//! scan cuts a menu's content, keeping its tags, when nothing in it could
//! reach the tree outside it and nothing in it is something extraction reads:
//! - no end tag that could close an element opened before the menu (every
//!   end tag must match an element opened inside it, mirroring the tree
//!   builder's implied ends);
//! - no formatting element (`<a>`, `<b>`, ...) left open or closed
//!   implicitly, which the tree builder would re-open after the menu; none
//!   open before it either, since one inside could then close or evict it;
//! - no tables, forms, selects, templates or frames, whose insertion modes
//!   reach past their element, and no menu inside a table;
//! - no headline, date, article or main-content mark, and no run of text
//!   long enough to be prose: a template that wraps the article in a
//!   `<nav>` keeps it.
//!
//! A page's `<footer>` and `<header>` (outside any `<article>` or `<main>`,
//! where they hold the article's byline, date and title) go by the same
//! rules, and a header also keeps any heading, which may be the title: 3%
//! fewer instructions again, with the same output on the dev pages but for
//! two wcxb bodies (one better, one worse) that weighed the links of a footer.
//!
//! Anything else stops the cut of that box, never the scan: the box is
//! then parsed as it is. The property test in `tests.rs` holds the cut to
//! that: the parsed page outside the boxes reads the same.

use super::scan::holds;

/// A text run inside a menu this long (in bytes, whitespace at its ends
/// aside) is prose, not a menu item's label.
const PROSE: usize = 120;

/// What the scan knows of the menu it is reading.
#[derive(Default)]
pub(super) struct Navs {
    /// Elements open inside the menu, the menu itself first.
    open: Vec<Open>,
    /// Where the menu's content starts in the scan's output.
    pub(super) mark: usize,
    /// Formatting elements, buttons and forms open outside any menu, by
    /// name, roughly: start tags less end tags, never below the truth. A
    /// start or end tag of their kind inside a menu may close or evict one,
    /// and a form inside one may not start while another is open.
    outside: Vec<(u64, usize)>,
    /// `<article>` and `<main>` elements open, roughly: start tags less end
    /// tags. A footer inside one holds the article's byline and date.
    articles: usize,
}

#[derive(Clone, Copy, PartialEq)]
struct Open {
    name: u64,
    kind: u16,
}

/// Kinds of element, as the tree builder treats them.
mod kind {
    pub(super) const FORMATTING: u16 = 1;
    /// HTML's "special" elements: a search for an open `<li>` stops at one.
    pub(super) const SPECIAL: u16 = 1 << 1;
    pub(super) const BOUNDARY: u16 = 1 << 2;
    pub(super) const HEADING: u16 = 1 << 3;
    pub(super) const UNSAFE: u16 = 1 << 4;
    pub(super) const VOID: u16 = 1 << 5;
    pub(super) const CLOSES_P: u16 = 1 << 6;
    pub(super) const ONCE: u16 = 1 << 7;
    /// A menu, page header or footer, whose content may be cut. (Sidebars
    /// were tried too, also outside articles only: 0.6% fewer instructions,
    /// but their dated teaser lists and link lists are evidence the date
    /// and body stages weigh, and a dev date was lost.)
    pub(super) const BOX: u16 = 1 << 8;
}

/// What an end tag did to the menu being read.
#[derive(PartialEq, Debug)]
pub(super) enum End {
    /// Not reading a menu, or the tag closed something inside it.
    Inside,
    /// The menu closed and what it held may be cut.
    Cut,
}

impl Navs {
    pub(super) fn reading(&self) -> bool {
        !self.open.is_empty()
    }

    /// A start tag outside islands of SVG or MathML. `tables` is the scan's
    /// rough count of open tables; `telling` says an attribute marks content
    /// extraction reads (`itemprop`, `datetime`, `role="main"`). True when a
    /// menu starts whose content may be cut: the scan then sets `mark`.
    pub(super) fn start(&mut self, name: &[u8], telling: bool, tables: usize) -> bool {
        if !self.reading() && is_article(name) {
            self.articles += 1;
        }
        // Outside a menu only `<nav>` and the short names below matter.
        if !self.reading() && name.len() > 6 {
            return false;
        }
        if !self.reading() {
            // Most tags outside a box are none of the few that matter here:
            // they are told by their kind alone, without the name's hash.
            let mut buf = [0u8; 6];
            let lower = &mut buf[..name.len()];
            lower.copy_from_slice(name);
            lower.make_ascii_lowercase();
            let kind = kind_of(lower);
            if kind & (kind::FORMATTING | kind::ONCE | kind::BOX) == 0 && *lower != *b"form" {
                return false;
            }
            let here = Open { name: hash(lower), kind };
            if here.reaches() {
                match self.outside.iter_mut().find(|(name, _)| *name == here.name) {
                    Some((_, open)) => *open += 1,
                    None => self.outside.push((here.name, 1)),
                }
            } else if here.kind & kind::BOX != 0
                && (here.name == NAV || self.articles == 0)
                && self.outside.iter().all(|&(_, open)| open == 0)
                && tables == 0
                && !telling
            {
                self.open.push(here);
                return true;
            }
            return false;
        }
        let here = Open::of(name);
        // A page header's heading may be the article's title.
        let title = here.kind & kind::HEADING != 0 && self.open[0].name == HEADER;
        if telling || title || here.kind & kind::UNSAFE != 0 {
            self.give_up();
            return false;
        }
        // Start tags that close an open element first, as the tree builder does.
        if here.kind & kind::CLOSES_P != 0
            && let Some(at) = self.find(|o| o.name == P, |o| o.kind & kind::BOUNDARY != 0)
        {
            self.pop_to(at);
        }
        let top = self.open.last().copied();
        let option_open = top.is_some_and(|o| o.name == OPTION);
        let heading_open = top.is_some_and(|o| o.kind & kind::HEADING != 0);
        if here.name == LI {
            self.close_item(&[LI]);
        } else if here.name == DD || here.name == DT {
            self.close_item(&[DD, DT]);
        } else if ((here.name == OPTION || here.name == OPTGROUP) && option_open)
            || (here.kind & kind::HEADING != 0 && heading_open)
        {
            self.pop_to(self.open.len() - 1);
        } else if here.kind & kind::ONCE != 0 && self.open.iter().any(|o| o.name == here.name) {
            // A second open `<a>`, `<nobr>` or `<button>` makes the tree
            // builder close the first out of turn.
            self.give_up();
        }
        if self.reading() && here.kind & kind::VOID == 0 {
            self.open.push(here);
        }
        false
    }

    /// An end tag outside islands.
    pub(super) fn end(&mut self, name: &[u8]) -> End {
        if !self.reading() && is_article(name) {
            self.articles = self.articles.saturating_sub(1);
        }
        if !self.reading() && name.len() > 6 {
            return End::Inside;
        }
        let target = Open::of(name);
        if !self.reading() {
            if let Some((_, open)) = self.outside.iter_mut().find(|(name, _)| *name == target.name) {
                *open = open.saturating_sub(1);
            }
            return End::Inside;
        }
        let Some(at) = self.find(|o| o.name == target.name, |_| false) else {
            self.give_up();
            return End::Inside;
        };
        // A formatting element closed with others open inside it goes
        // through the adoption agency, which may move what is inside.
        if target.kind & kind::FORMATTING != 0 && at + 1 != self.open.len() {
            self.give_up();
            return End::Inside;
        }
        if at > 0 {
            self.pop_to(at);
            return End::Inside;
        }
        let left_open = self.open.iter().any(Open::lingers);
        self.give_up();
        if left_open { End::Inside } else { End::Cut }
    }

    /// A run of text between tags inside the menu.
    pub(super) fn text(&mut self, text: &[u8]) {
        if self.reading() && text.len() >= PROSE && text.trim_ascii().len() >= PROSE {
            self.give_up();
        }
    }

    /// Stops reading this menu: it is parsed as it is.
    fn give_up(&mut self) {
        self.open.clear();
    }

    /// The innermost open element inside the menu that `is` picks, looking
    /// no further out than the first that `stop` picks.
    fn find(&self, is: impl Fn(&Open) -> bool, stop: impl Fn(&Open) -> bool) -> Option<usize> {
        for (at, open) in self.open.iter().enumerate().rev() {
            if is(open) {
                return Some(at);
            }
            if stop(open) {
                return None;
            }
        }
        None
    }

    /// `<li>`, `<dd>` and `<dt>` close an open item of their list, unless a
    /// special element other than `<address>`, `<div>` or `<p>` comes first.
    fn close_item(&mut self, names: &[u64]) {
        if let Some(at) = self
            .find(|o| names.contains(&o.name), |o| o.kind & kind::SPECIAL != 0 && ![ADDRESS, DIV, P].contains(&o.name))
        {
            self.pop_to(at);
        }
    }

    /// Closes `open[at]` and everything inside it. A formatting element
    /// closed that way stays on the tree builder's list of elements to
    /// re-open, which would reach past the menu.
    fn pop_to(&mut self, at: usize) {
        if at == 0 || self.open[at + 1..].iter().any(Open::lingers) {
            return self.give_up();
        }
        self.open.truncate(at);
    }
}

impl Open {
    /// The element a tag names, its name folded to lower case.
    fn of(name: &[u8]) -> Self {
        // Every name the tables know is short: a longer one is only hashed.
        let mut buf = [0u8; 12];
        if name.len() > buf.len() {
            return Open { name: hash(&name.to_ascii_lowercase()), kind: 0 };
        }
        let lower = &mut buf[..name.len()];
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        let lower = &*lower;
        Open { name: hash(lower), kind: kind_of(lower) }
    }
}

/// FNV-1a: names are short, and one page's menus hold a few hundred tags.
const fn hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < name.len() {
        h = (h ^ name[i] as u64).wrapping_mul(0x100_0000_01b3);
        i += 1;
    }
    h
}

/// Whether a start tag may open a box whose content is cut: the names of
/// `kind::BOX`, compared without the table's hashing, since every start
/// tag of a page asks (the table's way cost 1.5% of extraction).
pub(super) fn may_box(name: &[u8]) -> bool {
    match name.len() {
        3 => name.eq_ignore_ascii_case(b"nav"),
        6 => name.eq_ignore_ascii_case(b"header") || name.eq_ignore_ascii_case(b"footer"),
        _ => false,
    }
}

/// Whether a tag names an `<article>` or `<main>`.
fn is_article(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"article") || name.eq_ignore_ascii_case(b"main")
}

const NAV: u64 = hash(b"nav");
const HEADER: u64 = hash(b"header");
const FORM: u64 = hash(b"form");
const P: u64 = hash(b"p");
const LI: u64 = hash(b"li");
const DD: u64 = hash(b"dd");
const DT: u64 = hash(b"dt");
const OPTION: u64 = hash(b"option");
const OPTGROUP: u64 = hash(b"optgroup");
const ADDRESS: u64 = hash(b"address");
const DIV: u64 = hash(b"div");

impl Open {
    /// Whether one open before a menu could be reached from inside it.
    fn reaches(&self) -> bool {
        self.kind & (kind::FORMATTING | kind::ONCE) != 0 || self.name == FORM
    }

    /// Whether closing it other than by its own end tag leaves something
    /// behind that reaches past the menu: a formatting element stays on the
    /// list of those to re-open, a form stays the form new controls join.
    fn lingers(&self) -> bool {
        self.kind & kind::FORMATTING != 0 || self.name == FORM
    }
}

// The tables behind `kind_of`, from HTML's tree construction rules:
// FORMATTING, the elements kept on the list of formatting elements;
// SPECIAL, the "special" elements that may sit in a menu being cut;
// BOUNDARY, those that bound "button scope", where an open `<p>` is looked
// for; ONCE, those of which only one may be open; VOID, those without
// content; CLOSES_P, start tags that close an open `<p>` first; and UNSAFE,
// start tags that stop the cut: their insertion modes or markers reach past
// their element, or they hold what extraction reads.
/// What the tree builder makes of an element, by its lower-case name: one
/// `match`, since a menu's every tag asks.
fn kind_of(name: &[u8]) -> u16 {
    match name {
        b"a" => kind::FORMATTING | kind::ONCE,
        b"b" => kind::FORMATTING,
        b"i" => kind::FORMATTING,
        b"p" => kind::SPECIAL | kind::CLOSES_P,
        b"s" => kind::FORMATTING,
        b"u" => kind::FORMATTING,
        b"br" => kind::VOID,
        b"dd" => kind::SPECIAL | kind::CLOSES_P,
        b"dl" => kind::SPECIAL | kind::CLOSES_P,
        b"dt" => kind::SPECIAL | kind::CLOSES_P,
        b"em" => kind::FORMATTING,
        b"h1" => kind::SPECIAL | kind::HEADING | kind::UNSAFE | kind::CLOSES_P,
        b"h2" => kind::SPECIAL | kind::HEADING | kind::CLOSES_P,
        b"h3" => kind::SPECIAL | kind::HEADING | kind::CLOSES_P,
        b"h4" => kind::SPECIAL | kind::HEADING | kind::CLOSES_P,
        b"h5" => kind::SPECIAL | kind::HEADING | kind::CLOSES_P,
        b"h6" => kind::SPECIAL | kind::HEADING | kind::CLOSES_P,
        b"hr" => kind::VOID | kind::CLOSES_P,
        b"li" => kind::SPECIAL | kind::CLOSES_P,
        b"ol" => kind::SPECIAL | kind::CLOSES_P,
        b"rb" => kind::UNSAFE,
        b"rp" => kind::UNSAFE,
        b"rt" => kind::UNSAFE,
        b"td" => kind::BOUNDARY | kind::UNSAFE,
        b"th" => kind::BOUNDARY | kind::UNSAFE,
        b"tr" => kind::UNSAFE,
        b"tt" => kind::FORMATTING,
        b"ul" => kind::SPECIAL | kind::CLOSES_P,
        b"big" => kind::FORMATTING,
        b"col" => kind::UNSAFE | kind::VOID,
        b"dir" => kind::SPECIAL | kind::CLOSES_P,
        b"div" => kind::SPECIAL | kind::CLOSES_P,
        b"img" => kind::VOID,
        b"nav" => kind::SPECIAL | kind::CLOSES_P | kind::BOX,
        b"pre" => kind::UNSAFE | kind::CLOSES_P,
        b"rtc" => kind::UNSAFE,
        b"wbr" => kind::VOID,
        // SVG and MathML islands close themselves, or end the scan's cuts.
        b"svg" | b"math" => kind::VOID,
        b"xmp" => kind::CLOSES_P,
        b"area" => kind::SPECIAL | kind::VOID,
        b"base" => kind::VOID,
        b"body" => kind::UNSAFE,
        b"code" => kind::FORMATTING,
        b"font" => kind::FORMATTING,
        b"form" => kind::CLOSES_P,
        b"head" => kind::UNSAFE,
        b"html" => kind::BOUNDARY | kind::UNSAFE,
        b"link" => kind::VOID,
        b"main" => kind::SPECIAL | kind::UNSAFE | kind::CLOSES_P,
        b"menu" => kind::SPECIAL | kind::CLOSES_P,
        b"meta" => kind::VOID,
        b"nobr" => kind::FORMATTING | kind::ONCE,
        b"ruby" => kind::UNSAFE,
        b"time" => kind::UNSAFE,
        b"aside" => kind::SPECIAL | kind::CLOSES_P,
        b"embed" => kind::VOID,
        b"frame" => kind::UNSAFE,
        b"image" => kind::UNSAFE,
        b"input" => kind::VOID,
        b"param" => kind::VOID,
        b"small" => kind::FORMATTING,
        b"table" => kind::BOUNDARY | kind::UNSAFE | kind::CLOSES_P,
        b"tbody" => kind::UNSAFE,
        b"tfoot" => kind::UNSAFE,
        b"thead" => kind::UNSAFE,
        b"title" => kind::UNSAFE,
        b"track" => kind::VOID,
        b"applet" => kind::BOUNDARY | kind::UNSAFE,
        b"button" => kind::SPECIAL | kind::BOUNDARY | kind::ONCE,
        b"center" => kind::SPECIAL | kind::CLOSES_P,
        b"dialog" => kind::CLOSES_P,
        b"figure" => kind::SPECIAL | kind::CLOSES_P,
        b"footer" => kind::SPECIAL | kind::CLOSES_P | kind::BOX,
        b"header" => kind::SPECIAL | kind::CLOSES_P | kind::BOX,
        b"hgroup" => kind::SPECIAL | kind::CLOSES_P,
        b"keygen" => kind::VOID,
        b"object" => kind::BOUNDARY | kind::UNSAFE,
        b"search" => kind::SPECIAL | kind::CLOSES_P,
        b"select" => kind::UNSAFE,
        b"source" => kind::VOID,
        b"strike" => kind::FORMATTING,
        b"strong" => kind::FORMATTING,
        b"address" => kind::SPECIAL | kind::CLOSES_P,
        b"article" => kind::SPECIAL | kind::UNSAFE | kind::CLOSES_P,
        b"bgsound" => kind::VOID,
        b"caption" => kind::BOUNDARY | kind::UNSAFE,
        b"details" => kind::SPECIAL | kind::CLOSES_P,
        b"isindex" => kind::UNSAFE,
        b"listing" => kind::UNSAFE | kind::CLOSES_P,
        b"marquee" => kind::BOUNDARY | kind::UNSAFE,
        b"section" => kind::SPECIAL | kind::CLOSES_P,
        b"summary" => kind::SPECIAL | kind::CLOSES_P,
        b"basefont" => kind::VOID,
        b"colgroup" => kind::UNSAFE,
        b"fieldset" => kind::SPECIAL | kind::CLOSES_P,
        b"frameset" => kind::UNSAFE,
        b"menuitem" => kind::UNSAFE,
        b"template" => kind::BOUNDARY | kind::UNSAFE,
        b"textarea" => kind::UNSAFE,
        b"plaintext" => kind::UNSAFE | kind::CLOSES_P,
        b"blockquote" => kind::SPECIAL | kind::CLOSES_P,
        b"figcaption" => kind::SPECIAL | kind::CLOSES_P,
        _ => 0,
    }
}

/// Whether an attribute (name, then `=value` or nothing) marks content that
/// extraction reads: microdata, a machine date, the page's main region,
/// JSON-LD.
pub(super) fn telling(name: &[u8], value: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"itemprop")
        || name.eq_ignore_ascii_case(b"datetime")
        || (name.eq_ignore_ascii_case(b"type") && holds(value, b"ld+json"))
        || (name.eq_ignore_ascii_case(b"role") && holds(value, b"main"))
}

#[cfg(test)]
mod tests {
    use super::{kind, kind_of, may_box};

    #[test]
    fn the_quick_box_test_agrees_with_the_table() {
        for name in
            ["nav", "NAV", "header", "Footer", "aside", "div", "section", "main", "article", "a", "navs", "head"]
        {
            let table = kind_of(name.to_ascii_lowercase().as_bytes()) & kind::BOX != 0;
            assert_eq!(may_box(name.as_bytes()), table, "{name}");
        }
    }
}
