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

#[cfg(test)]
mod tests {
    use crate::{Hints, Limits, explain_with};

    /// The view names the chosen container and stars the blocks inside it
    /// only: what tuning reads to see why a line was kept or dropped.
    #[test]
    fn stars_the_blocks_of_the_chosen_container() {
        let prose = "A sentence of the article that runs on long enough to count as prose. ".repeat(4);
        let page = format!(
            "<html><body><nav><a href='/a'>Home</a> <a href='/b'>World</a></nav>\
             <article><p>{prose}</p><p>{prose}</p></article><div>Contact us</div></body></html>"
        );
        let shown = explain_with(page.as_bytes(), &Hints::default(), &Limits::default()).expect("explained");
        assert!(shown.starts_with("container: Some((\"article\""), "{shown}");
        let line =
            |needle: &str| shown.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}: {shown}"));
        assert!(line("A sentence of the article").starts_with('*'), "{shown}");
        assert!(!line("Contact us").starts_with('*'), "{shown}");
    }
}
