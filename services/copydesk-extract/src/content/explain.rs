//! `copydesk explain`'s view of a page: every block with its flags and score, and the container chosen.

use crate::dom::{Item, Page};

use super::{choose_container, score, subtree_scores};

/// A line per block (flags, score, text) and the chosen container: the
/// first thing to read when a page extracts badly (`copydesk explain FILE`).
pub(crate) fn explain(page: &mut Page) -> String {
    use std::fmt::Write;
    let container = choose_container(page);
    let page = &*page;
    let mut out = String::new();
    let _ = writeln!(out, "container: {:?}", container.map(|c| (&*page.elems[c as usize].tag, c)));
    let sums = subtree_scores(page, score);
    let mut top: Vec<(usize, f64)> = sums.iter().copied().enumerate().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (i, s) in top.into_iter().take(5) {
        let _ = writeln!(out, "  top e{i} {} sum {s:.1}", &*page.elems[i].tag);
    }
    for item in &page.items {
        match item {
            Item::Text(b) => {
                let inside = container.is_some_and(|c| page.contains(c, b.elem));
                let text: String = b.text.chars().take(70).collect();
                let _ = writeln!(
                    out,
                    "{} e{:<5} {:<4} f{:04x} s{:>7.1} l{}/{} {:?} {}",
                    if inside { '*' } else { ' ' },
                    b.elem,
                    &*page.elems[b.elem as usize].tag,
                    b.flags,
                    score(b),
                    b.link_chars,
                    b.chars,
                    b.kind,
                    text
                );
            }
            Item::Image(e) => {
                let _ = writeln!(out, "  e{e:<5} img");
            }
        }
    }
    out
}
