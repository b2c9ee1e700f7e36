//! A byline's text with the seams between its elements kept. A block's text
//! runs its inline elements together as a browser would lay them out inline,
//! but templates set the name, the job title and the date in elements of
//! their own and place them apart with style sheets:
//! `<span>Mateusz Haberny</span><span>Founder at Oakywood</span>` reads
//! "Mateusz HabernyFounder at Oakywood" in the block. Here a bar marks such a
//! seam, which the byline's name splitting already cuts at.

use ego_tree::iter::Edge;
use scraper::Node;

use crate::dom::Page;
use crate::marks::{is_block, is_invisible};
use crate::text;

/// The mark put at a seam: `SPLIT` cuts a name list at it, and no name holds it.
const SEAM: &str = " | ";

/// Most elements under a byline's block that are walked for seams.
const MAX_ELEMENTS: u32 = 64;

/// The text of element `elem`'s run of inline content that reads `shown`
/// (a block's text, or an inline element's), with a seam marked where two
/// elements' texts meet without a space and the second opens a new word
/// ("HabernyFounder", "ZeldmanNovember", "ByDaryl").
/// `None` when there is no such seam, or when the run cannot be matched to
/// `shown` (a hidden element inside it): callers then keep `shown`.
pub(crate) fn seamed(page: &Page, elem: u32, shown: &str) -> Option<String> {
    // A byline is a line or two: a wrapper holding more is not walked again.
    if page.elems[elem as usize].end - elem > MAX_ELEMENTS {
        return None;
    }
    let root = page.html.tree.get(page.elems[elem as usize].node)?;
    // Runs of (text, id of the element holding it), cut where flattening cuts
    // blocks: at a nested block element, a line break or an image.
    let mut runs: Vec<Vec<(&str, ego_tree::NodeId, bool)>> = vec![Vec::new()];
    let mut skip = 0usize;
    // Depth inside an element that holds a job title, 0 outside.
    let mut title = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) if node.id() != root.id() => {
                    let tag = el.name();
                    if title > 0 || el.attr("class").is_some_and(job_title_class) {
                        title += 1;
                    }
                    if skip > 0 {
                        skip += 1;
                    } else if is_invisible(tag) || is_block(tag) {
                        skip = 1;
                        if is_block(tag) {
                            runs.push(Vec::new());
                        }
                    } else if tag == "br" || tag == "img" {
                        runs.push(Vec::new());
                    }
                }
                Node::Text(t) if skip == 0 => {
                    let parent = node.parent().map_or(root.id(), |p| p.id());
                    if let Some(run) = runs.last_mut() {
                        run.push((&**t, parent, title > 0));
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if matches!(node.value(), Node::Element(_)) && node.id() != root.id() {
                    title = title.saturating_sub(1);
                }
                if let Node::Element(el) = node.value()
                    && node.id() != root.id()
                    && skip > 0
                {
                    skip -= 1;
                    if skip == 0 && is_block(el.name()) {
                        runs.push(Vec::new());
                    }
                }
            }
        }
    }
    let shown = shown.trim();
    let run = runs.iter().find(|run| {
        let mut plain = String::new();
        for (t, _, _) in run.iter() {
            text::push_collapsed(&mut plain, t);
        }
        plain.trim() == shown
    })?;
    let mut out = String::new();
    let mut seams = 0;
    let mut last: Option<ego_tree::NodeId> = None;
    for &(t, parent, job_title) in run {
        if job_title && !t.trim().is_empty() {
            if !out.trim_end().ends_with('|') {
                out.truncate(out.trim_end().len());
                out.push_str(SEAM);
            }
            seams += 1;
            last = None;
            continue;
        }
        if t.trim().is_empty() {
            text::push_collapsed(&mut out, t);
            continue;
        }
        if last.is_some_and(|before| before != parent) && glued(&out, t) {
            out.truncate(out.trim_end().len());
            out.push_str(SEAM);
            seams += 1;
        }
        text::push_collapsed(&mut out, t);
        last = Some(parent);
    }
    let out = out.trim().trim_matches('|').trim();
    // A line that is all job title keeps its text: a title line under a name.
    (seams > 0 && !out.is_empty()).then(|| out.to_string())
}

/// Class names that mark a job title beside a byline's name: a name ending
/// in "position" or "job-title", a "-role", or an author's or expert's "title".
fn job_title_class(class: &str) -> bool {
    class.split_ascii_whitespace().map(str::to_ascii_lowercase).any(|name| {
        let ends = |suffixes: &[&str]| suffixes.iter().any(|s| name.ends_with(s));
        ends(&["position", "jobtitle", "job-title", "job_title", "-role", "_role"])
            || (name.ends_with("title") && ["author", "expert", "byline"].iter().any(|w| name.contains(w)))
    })
}

/// Two texts that meet without a space, the second opening a word with a
/// capital or a digit after a letter or digit: a seam no reader sees as one word.
fn glued(before: &str, next: &str) -> bool {
    let end = before.chars().next_back();
    let start = next.chars().next();
    end.is_some_and(char::is_alphanumeric) && start.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}
