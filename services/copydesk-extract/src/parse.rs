//! Parses HTML within the time budget, after cutting what no reader sees.
//!
//! html5ever is fed in slices so the deadline is checked while it works, and
//! pathological nesting or size is refused before it costs quadratic time.

use html5ever::tendril::{StrTendril, TendrilSink};
use scraper::{Html, HtmlTreeSink};

use crate::{Deadline, ExtractError};

/// Deepest nesting of block containers a real page has is in the low
/// hundreds; html5ever's tree builder scans the open-element stack for each
/// new container, so pathological depth would cost quadratic time.
pub(crate) const MAX_DEPTH: usize = 4096;

/// Parses in slices so that the deadline is checked while html5ever works.
pub(crate) fn parse(source: &str, deadline: &Deadline, max_nodes: usize) -> Result<Html, ExtractError> {
    // Small slices bound how far one slice can overrun the deadline.
    const SLICE: usize = 16 << 10;
    let stripped = crate::strip::strip(source);
    let source: &str = &stripped;
    let markup = survey(source.as_bytes());
    if markup.depth > MAX_DEPTH {
        return Err(ExtractError::TooDeep { depth: markup.depth, limit: MAX_DEPTH });
    }
    // The node arena sized up front: grown by doubling, it copied every node
    // made so far at each step, a tenth of the tree builder's work. A page
    // has at most one element per `<` and one text node before each `<`
    // that text precedes (indentation included), plus a few implied elements.
    let mut document = Html::new_document();
    let estimate = (markup.tags + markup.texts + 8).min(max_nodes);
    document.tree = ego_tree::Tree::with_capacity(scraper::Node::Document, estimate + 1);
    let mut parser = html5ever::driver::parse_document(HtmlTreeSink::new(document), Default::default());
    let mut rest = source;
    while !rest.is_empty() {
        let mut cut = rest.len().min(SLICE);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        parser.process(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        deadline.check()?;
    }
    let html = parser.finish();
    let nodes = html.tree.nodes().count();
    if nodes > max_nodes {
        return Err(ExtractError::TooManyNodes { nodes, limit: max_nodes });
    }
    Ok(html)
}

/// What one byte scan of the markup says before the parse.
struct Markup {
    /// The deepest run of unclosed container tags (`<div>`, `<section>`,
    /// ...). Containers are never closed implicitly by a sibling, so
    /// counting opens and closes is a fair estimate.
    depth: usize,
    /// How many `<` the page holds.
    tags: usize,
    /// How many `<` follow something other than `>`: an upper bound on the
    /// text nodes between tags.
    texts: usize,
}

fn survey(html: &[u8]) -> Markup {
    /// Whether a lower-cased tag name is a container's. One `match` (a
    /// switch on the length, then a comparison or two) instead of a
    /// case-blind comparison with each of the names: this runs at every `<`
    /// of the page, and the list cost a tenth of a page's own instructions.
    fn is_container(name: &[u8]) -> bool {
        matches!(
            name,
            b"div"
                | b"section"
                | b"article"
                | b"aside"
                | b"blockquote"
                | b"ul"
                | b"ol"
                | b"dl"
                | b"fieldset"
                | b"figure"
                | b"header"
                | b"footer"
                | b"main"
                | b"nav"
                | b"center"
                | b"details"
                | b"menu"
        )
    }
    let (mut depth, mut deepest, mut tags, mut texts) = (0usize, 0usize, 0usize, 0usize);
    let mut at = 0;
    while let Some(off) = memchr::memchr(b'<', &html[at..]) {
        at += off + 1;
        tags += 1;
        texts += usize::from(at >= 2 && html[at - 2] != b'>');
        let closing = html.get(at) == Some(&b'/');
        let start = at + usize::from(closing);
        // The longest container name has ten letters: a longer name is none.
        let mut lower = [0u8; 11];
        let mut len = 0;
        while len < lower.len() && html.get(start + len).is_some_and(u8::is_ascii_alphanumeric) {
            lower[len] = html[start + len].to_ascii_lowercase();
            len += 1;
        }
        if !is_container(&lower[..len]) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    Markup { depth: deepest, tags, texts }
}
