//! Empties scripts and styles and drops comments before the parse, with a byte scan.
//!
//! On news pages about two fifths of the bytes are script, style and comment
//! text that no reader sees and that extraction never reads (JSON-LD aside).
//! html5ever tokenizes all of it character by character and copies it into
//! text nodes; a `memchr` scan that cuts it out first makes the parse of a
//! large page several times cheaper. The tags themselves stay, so the tree
//! html5ever builds has the same elements in the same places.
//!
//! The scan follows the tokenizer's states just far enough to know where
//! each cut may start and end. It steps over attribute values (a `<script>`
//! inside one is not a tag), over the raw text of `<title>`, `<textarea>`,
//! `<noscript>` and kin, over doctype and bogus comments, and through the
//! escaped states a script enters with `<!--`. SVG and MathML islands,
//! which extraction does not read either, are cut whole. Where the
//! rules get subtle (a comment closed by `--!>`, anything unterminated) it
//! stops cutting and hands the rest over untouched: never wrong, only
//! sometimes not faster. A property test holds it to that against html5ever.
//!
//! Two more savings ride on the same scan. Attributes that extraction never
//! reads (event handlers, most `aria-*` and `data-*`, loading hints, a
//! `style` that cannot hide its element) are dropped from start tags: a
//! tenth of a page's markup, each one an atom and a string in the tree. And each run of whitespace that holds a line break,
//! in text outside `<pre>`, becomes one line break: the tokenizer stops at
//! every line break, and indentation between tags is most of the text a
//! page has. The property test reads trees with those attributes left out
//! and such runs folded, on both sides.
//!
//! Navigation menus, and a page's header and footer, are the cuts of markup
//! that later stages would have read: a `<nav>`, `<header>` or `<footer>`
//! whose content can reach nothing outside it and holds nothing extraction
//! reads is emptied (`nav.rs` says when). Extraction treats them as
//! boilerplate throughout, and a menu's tokens were a sixth of what the
//! parse read.
//!
//! Scripts, styles and links other than the canonical one go whole, tags
//! and all, once the document's mode is settled and where the text on
//! either side stays as it was: each was a node for the tree builder, and
//! together they were one tag in twenty (3% of instructions).

use std::borrow::Cow;

use memchr::{memchr, memchr2, memmem};
use nav::{End, Navs};
use scan::{end_tag, holds, is_space, script_end, tag_end};
pub(crate) use unread::{idle_style, unread_attribute};

mod nav;
mod scan;
mod unread;

/// Elements whose content the tokenizer reads as raw text up to their end
/// tag: nothing inside is markup, so nothing inside is cut either.
const RAW_TEXT: &[&[u8]] = &[b"title", b"textarea", b"noscript", b"xmp", b"iframe", b"noembed", b"noframes"];

/// SVG and MathML elements whose content follows HTML's rules.
const HTML_PORTS: &[&[u8]] = &[b"foreignobject", b"annotation-xml", b"mi", b"mo", b"mn", b"ms", b"mtext"];

/// HTML tags that end an SVG or MathML island where they appear in it.
const BREAKOUT: &[&[u8]] = &[
    b"b",
    b"big",
    b"blockquote",
    b"body",
    b"br",
    b"center",
    b"code",
    b"dd",
    b"div",
    b"dl",
    b"dt",
    b"em",
    b"embed",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"head",
    b"hr",
    b"i",
    b"img",
    b"li",
    b"listing",
    b"menu",
    b"meta",
    b"nobr",
    b"ol",
    b"p",
    b"pre",
    b"ruby",
    b"s",
    b"small",
    b"span",
    b"strong",
    b"strike",
    b"sub",
    b"sup",
    b"table",
    b"tt",
    b"u",
    b"ul",
    b"var",
];

/// The page without script and style text (JSON-LD kept) and without comments.
pub(crate) fn strip(src: &str) -> Cow<'_, str> {
    let b = src.as_bytes();
    let mut out = String::new();
    // `src[kept..]` is not yet copied to `out`; `at` is where the scan goes on.
    let (mut kept, mut at) = (0, 0);
    // Elements open inside SVG and MathML islands, as spans of `src` naming
    // them: there `<script>` and `<style>` hold markup, not raw text.
    let mut foreign: Vec<(usize, usize)> = Vec::new();
    // Where the outermost island's content starts. Extraction never reads
    // inside SVG or MathML, so a whole island is cut when it closes.
    let mut island: Option<usize> = None;
    // Whitespace is folded up to the first `<pre>` or `<listing>`, whose
    // text keeps its line breaks (and drops a first one, which folding could shift).
    let mut fold = true;
    // Where the last `<pre>` or `<listing>` start tag ended: a line break
    // right there is dropped by the tree builder, so a comment right there
    // stays, or the break after it would move up and be dropped.
    let mut pre_start = None;
    // Unread attributes of the tag being scanned, as spans to cut.
    let mut unread: Vec<(usize, usize)> = Vec::new();
    // `<table>` start tags less end tags: a rough count, never below the truth.
    let mut tables = 0usize;
    // The menu being read, whose content is cut at its end if it may be.
    let mut navs = Navs::default();
    // Whether a start tag other than `<html>` came before: until one does,
    // a tag decides the document's mode (a doctype after it is ignored) or
    // opens the head (whitespace before it is dropped, after it kept), so
    // none is dropped.
    let mut started = false;
    let cut = |out: &mut String, kept: &mut usize, from: usize, to: usize| {
        out.push_str(&src[*kept..from]);
        *kept = to;
    };
    while let Some(off) = memchr(b'<', &b[at..]) {
        let lt = at + off;
        if foreign.is_empty() {
            if fold {
                fold_breaks(src, at, lt, &mut out, &mut kept);
            }
            navs.text(&b[at..lt]);
        }
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            let body = lt + 4;
            // `<!-->` and `<!--->` are whole (empty) comments; leave them be.
            if b[body..].starts_with(b">") || b[body..].starts_with(b"->") {
                at = body;
                continue;
            }
            let Some(len) = memmem::find(&b[body..], b"-->") else { break };
            if memmem::find(&b[body..body + len], b"--!>").is_some() {
                break;
            }
            let end = body + len + 3;
            // Comments in an island go with it (cuts must not overlap). In a
            // table, a comment next to text may keep two runs apart: the tree
            // builder moves a run out of the table unless it is all
            // whitespace, and joined the two would move as one.
            let parts_text = tables > 0 && (b[..lt].last() != Some(&b'>') || b.get(end) != Some(&b'<'));
            if foreign.is_empty() && !joins_markup(&b[..lt]) && pre_start != Some(lt) && !parts_text {
                cut(&mut out, &mut kept, lt, end);
            }
            at = end;
            continue;
        }
        match rest.first() {
            Some(b'!') if !foreign.is_empty() && rest.starts_with(b"![CDATA[") => {
                let Some(len) = memmem::find(&rest[8..], b"]]>") else { break };
                at = lt + 1 + 8 + len + 3;
                continue;
            }
            // Doctype, bogus comments and `</ x>`: everything up to the next `>`.
            Some(b'!' | b'?') => {
                let Some(gt) = memchr(b'>', rest) else { break };
                at = lt + 1 + gt + 1;
                continue;
            }
            Some(b'/') if !rest.get(1).is_some_and(u8::is_ascii_alphabetic) => {
                let Some(gt) = memchr(b'>', rest) else { break };
                at = lt + 1 + gt + 1;
                continue;
            }
            Some(b'/') => {
                let name = &rest[1..];
                let name =
                    &name[..name.iter().position(|&c| is_space(c) || c == b'/' || c == b'>').unwrap_or(name.len())];
                let Some((end, _)) = tag_end(b, lt + 2, |_, _, _| {}) else { break };
                at = end;
                if foreign.is_empty() {
                    if name.eq_ignore_ascii_case(b"table") {
                        tables = tables.saturating_sub(1);
                    }
                    if navs.end(name) == End::Cut {
                        out.truncate(navs.mark);
                        kept = lt;
                    }
                }
                if !foreign.is_empty() {
                    // An end tag closes the element it names and all opened
                    // inside it. One naming no element of the island may
                    // close an HTML element around it, or be ignored: which,
                    // only the tree builder knows.
                    let Some(open) = foreign.iter().rposition(|&(s, e)| b[s..e].eq_ignore_ascii_case(name)) else {
                        break;
                    };
                    foreign.truncate(open);
                    if foreign.is_empty()
                        && let Some(start) = island.take()
                    {
                        cut(&mut out, &mut kept, start, lt);
                    }
                }
                continue;
            }
            Some(c) if c.is_ascii_alphabetic() => {}
            _ => {
                at = lt + 1;
                continue;
            }
        }
        let name_end = lt + 1 + rest.iter().position(|&c| is_space(c) || c == b'/' || c == b'>').unwrap_or(rest.len());
        let name = &b[lt + 1..name_end];
        let in_html = foreign.is_empty();
        unread.clear();
        // Whether an attribute marks what extraction reads; asked only in and of boxes.
        let ask = in_html && (navs.reading() || nav::may_box(name));
        let mut telling = false;
        // The tag's `style` attributes, and the span of the first if it may
        // go: only the first of a name counts, so an idle one is cut only
        // when no other follows to take its place.
        let (mut styles, mut idle) = (0, None);
        let Some((open_end, closed)) = tag_end(b, name_end, |from, name, to| {
            if ask {
                telling |= nav::telling(&b[from..name], &b[name..to]);
            }
            // Not after a `/`: cutting `<svg/data-x>` to `<svg/>` would close
            // it. Nor before a name that starts with `=`: it would become the
            // value of the attribute before.
            let next = || b[to..].iter().find(|&&c| !is_space(c));
            let may_cut = || in_html && b[from - 1] != b'/' && next() != Some(&b'=');
            if b[from..name].eq_ignore_ascii_case(b"style") {
                styles += 1;
                if styles == 1 && idle_style(&b[from..name], &b[name..to]) && may_cut() {
                    idle = Some((from, to));
                }
            } else if unread_attribute(&b[from..name]) && may_cut() {
                unread.push((from, to));
            }
        }) else {
            break;
        };
        if let (1, Some(span)) = (styles, idle) {
            let at = unread.partition_point(|&(from, _)| from < span.0);
            unread.insert(at, span);
        }
        at = open_end;
        let is = |n: &[u8]| name.eq_ignore_ascii_case(n);
        // Where this tag will start in `out`, should the element be dropped.
        let tag_out = out.len() + (lt - kept);
        // Dropping an element joins the text on either side of it, which
        // must stay text, and in a table must stay one run or two alike
        // (see comments above); after `<pre>` a line break would move.
        let droppable = |end: usize| {
            started
                && in_html
                && !joins_markup(&b[..lt])
                && pre_start != Some(lt)
                && !(tables > 0 && (b[..lt].last() != Some(&b'>') || b.get(end) != Some(&b'<')))
        };
        for &(from, to) in &unread {
            cut(&mut out, &mut kept, from, to);
        }
        if in_html && navs.start(name, telling, tables) {
            out.push_str(&src[kept..open_end]);
            kept = open_end;
            navs.mark = out.len();
        }
        if !foreign.is_empty() {
            // An HTML tag ends the island, unless it sits where SVG lets
            // HTML in (`<foreignObject>`): again the tree builder's call.
            if BREAKOUT.iter().chain(HTML_PORTS).any(|n| is(n)) {
                break;
            }
            if closed {
                continue;
            }
            foreign.push((lt + 1, name_end));
            if let Some(raw) = RAW_TEXT.iter().chain(&[&b"script"[..], b"style", b"desc"]).find(|r| is(r)) {
                // Markup in SVG, raw text or HTML where SVG lets HTML in
                // (`<title>`, `<desc>`): the readings agree only when there
                // is no `<` inside.
                let Some(close) = end_tag(b, open_end, raw) else { break };
                if memchr(b'<', &b[open_end..close]).is_some() {
                    break;
                }
                at = close;
            }
        } else if is(b"script") || is(b"style") {
            let script = is(b"script");
            let close = if script { script_end(b, open_end) } else { end_tag(b, open_end, b"style") };
            let Some(close) = close else { break };
            // A script's JSON-LD is read. The type may spell its `+` as a
            // character reference (`ld&#x2B;json`): any reference beside
            // "json" keeps the text.
            let keep = script && {
                let tag = b[lt..open_end].to_ascii_lowercase();
                memmem::find(&tag, b"ld+json").is_some()
                    || (memmem::find(&tag, b"json").is_some() && memchr(b'&', &tag).is_some())
            };
            match whole_end(b, close).filter(|&end| !keep && droppable(end)) {
                Some(end) => {
                    Dropped { src, out: &mut out, kept: &mut kept, lt, tag_out }.apply(end);
                    // The menu scan saw the start tag; it sees the end tag here.
                    navs.end(name);
                    at = end;
                }
                None => {
                    if !keep && close > open_end {
                        cut(&mut out, &mut kept, open_end, close);
                    }
                    at = close;
                }
            }
        } else if is(b"link") && droppable(open_end) && !names_read_link(&b[lt..open_end]) {
            // Void: nothing for the menu scan to close.
            Dropped { src, out: &mut out, kept: &mut kept, lt, tag_out }.apply(open_end);
        } else if let Some(raw) = RAW_TEXT.iter().find(|r| is(r)) {
            let Some(close) = end_tag(b, open_end, raw) else { break };
            at = close;
        } else if (is(b"svg") || is(b"math")) && !closed {
            foreign.push((lt + 1, name_end));
            island = Some(open_end);
        } else if is(b"plaintext") {
            break;
        } else if is(b"frameset") {
            // A `<frameset>` after the body's first text is ignored, and one
            // before it replaces the body: cutting an island's text could
            // turn the one into the other. Pages with frames are left whole.
            return Cow::Borrowed(src);
        } else if is(b"table") {
            tables += 1;
        } else if is(b"pre") || is(b"listing") {
            fold = false;
            pre_start = Some(open_end);
        }
        started |= !is(b"html");
    }
    // Where the scan stopped early, a `<frameset>` in what it left may still
    // replace the body if no text came before it, which a cut could arrange.
    let frames = memchr::memchr_iter(b'<', &b[at.min(b.len())..])
        .any(|i| b.get(at + i + 1..at + i + 9).is_some_and(|n| n.eq_ignore_ascii_case(b"frameset")));
    if kept == 0 || frames {
        return Cow::Borrowed(src);
    }
    out.push_str(&src[kept..]);
    Cow::Owned(out)
}

/// Folds each run of whitespace holding a line break in the text
/// `src[from..to]` into one `\n`, appending to `out` as `cut` does.
fn fold_breaks(src: &str, from: usize, to: usize, out: &mut String, kept: &mut usize) {
    let b = src.as_bytes();
    let mut at = from;
    while let Some(off) = memchr2(b'\n', b'\r', &b[at..to]) {
        let (mut start, mut end) = (at + off, at + off + 1);
        while start > at && is_space(b[start - 1]) {
            start -= 1;
        }
        while end < to && is_space(b[end]) {
            end += 1;
        }
        if end - start > 1 {
            out.push_str(&src[*kept..start]);
            out.push('\n');
            *kept = end;
        }
        at = end;
    }
}

/// Where the end tag starting at `close` (`</script ...>`, `</style>`)
/// ends, when it is a plain one the scan can step over.
fn whole_end(b: &[u8], close: usize) -> Option<usize> {
    let (end, _) = tag_end(b, close + 2, |_, _, _| {})?;
    // An end tag with attributes is rare and odd: leave it to the tokenizer.
    b[close + 2..end].iter().all(|&c| c.is_ascii_alphabetic() || is_space(c) || c == b'>').then_some(end)
}

/// An element to be dropped whole, its tags and its text, from the output
/// being built: cuts inside its start tag (unread attributes) may already
/// have copied part of that tag. Scripts, styles and links are dropped so:
/// extraction reads none of them (JSON-LD and canonical links aside), and
/// each was a node, an atom and a string for the tree builder, one tag in
/// twenty on the dev pages.
struct Dropped<'a> {
    src: &'a str,
    out: &'a mut String,
    kept: &'a mut usize,
    /// Where the tag starts in `src`, and where it starts in `out`.
    lt: usize,
    tag_out: usize,
}

impl Dropped<'_> {
    /// Drops from the tag's start up to `end` in `src`.
    fn apply(&mut self, end: usize) {
        if *self.kept <= self.lt {
            self.out.push_str(&self.src[*self.kept..self.lt]);
        } else {
            self.out.truncate(self.tag_out);
        }
        *self.kept = end;
    }
}

/// Whether a `<link>` tag is one extraction reads: the canonical URL, or
/// microdata. Other links (styles, icons, preloads, alternates) go.
fn names_read_link(tag: &[u8]) -> bool {
    holds(tag, b"canonical") || holds(tag, b"itemprop")
}

/// Whether the text before a comment could join the text after it into
/// something else once the comment is gone: `<` and `p` into a tag, or
/// `&am` and `p;` into a character reference.
fn joins_markup(before: &[u8]) -> bool {
    let word = before.iter().rev().take(40).take_while(|c| c.is_ascii_alphanumeric() || **c == b'#').count();
    matches!(before.len().checked_sub(word + 1).map(|i| before[i]), Some(b'<' | b'&'))
}

#[cfg(test)]
mod tests;
