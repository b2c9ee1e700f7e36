//! Boxes set after the article's core: a sign-up or sales pitch, an author's
//! card, a list of sources, a "more from us" panel that the container holds
//! beside the article.
//!
//! The article's own text sits together: one element (its core) holds nearly
//! all of the body's text. What the container adds after the core's last
//! block, in a box of its own (a `<div>`, `<section>`, `<aside>` beside the
//! core or one of its wrappers), is the page's furniture, whatever it says
//! and in any language. A paragraph or heading set straight beside the core
//! (an article whose closing lines the editor left outside its wrapper) is
//! not a box and stays; so does everything when no element holds that much
//! of the text (an article split over sibling sections).

use std::collections::HashMap;

use copydesk_proto::v1::{Block as PbBlock, Image, block::Kind as PbKind};

use crate::dom::Page;

/// Least share of the body's text, in tenths, the core holds.
const CORE_TENTHS: usize = 8;

/// Elements that make a box of their own after the core.
fn is_box(tag: &str) -> bool {
    matches!(tag, "div" | "section" | "aside" | "footer" | "header" | "nav" | "form" | "article" | "details" | "main")
}

/// Drops the blocks (text and pictures) that stand after the core of the
/// article in boxes of their own, and the dropped pictures' images. `elems`
/// is each block's element, in step with `blocks`; `container` holds them all.
pub(super) fn drop_after_core(
    page: &Page,
    container: u32,
    blocks: &mut Vec<PbBlock>,
    elems: &mut Vec<u32>,
    images: &mut Vec<Image>,
) {
    debug_assert_eq!(blocks.len(), elems.len());
    let Some(core) = core(page, container, blocks, elems) else { return };
    let Some(last) = elems.iter().rposition(|&e| page.contains(core, e)) else { return };
    let after_core = |i: usize| {
        let e = elems[i];
        i > last
            && !page.contains(core, e)
            && box_after(page, core, e).is_some_and(|b| is_box(&page.elems[b as usize].tag))
    };
    let drop: Vec<bool> = (0..blocks.len()).map(after_core).collect();
    if !drop.contains(&true) {
        return;
    }
    let image = PbKind::Image as i32;
    let mut kept_images = vec![false; images.len()];
    let mut at = 0;
    blocks.retain(|b| {
        at += 1;
        if b.kind == image && !drop[at - 1] {
            kept_images[b.image_index as usize] = true;
        }
        !drop[at - 1]
    });
    let mut at = 0;
    elems.retain(|_| {
        at += 1;
        !drop[at - 1]
    });
    // The images left are numbered again, in their order.
    let mut number = vec![0u32; images.len()];
    let mut next = 0;
    for (n, &kept) in number.iter_mut().zip(&kept_images) {
        *n = next;
        next += u32::from(kept);
    }
    for b in blocks.iter_mut().filter(|b| b.kind == image) {
        b.image_index = number[b.image_index as usize];
    }
    let mut at = 0;
    images.retain(|_| {
        at += 1;
        kept_images[at - 1]
    });
}

/// The deepest element inside `container` that holds at least eight tenths
/// of the blocks' text, if it is not the container itself. Those elements
/// nest (two apart cannot both hold most of it), and a descendant comes after
/// its ancestors in document order, so the deepest has the highest index.
fn core(page: &Page, container: u32, blocks: &[PbBlock], elems: &[u32]) -> Option<u32> {
    let mut held: HashMap<u32, usize> = HashMap::new();
    let mut total = 0;
    for (b, &e) in blocks.iter().zip(elems) {
        if b.kind == PbKind::Image as i32 {
            continue;
        }
        let chars = b.text.chars().count();
        total += chars;
        let mut at = e;
        while at != u32::MAX && page.contains(container, at) {
            *held.entry(at).or_default() += chars;
            if at == container {
                break;
            }
            at = page.elems[at as usize].parent;
        }
    }
    let core = held.into_iter().filter(|&(_, c)| total > 0 && c * 10 >= total * CORE_TENTHS).map(|(e, _)| e).max()?;
    (core != container).then_some(core)
}

/// The box that holds `elem` beside the core: the child, on `elem`'s path,
/// of the nearest element that holds both.
fn box_after(page: &Page, core: u32, elem: u32) -> Option<u32> {
    let mut below = None;
    let mut at = elem;
    while at != u32::MAX {
        if page.contains(at, core) {
            return below;
        }
        below = Some(at);
        at = page.elems[at as usize].parent;
    }
    None
}

#[cfg(test)]
mod tests {
    use copydesk_proto::v1::block::Kind as PbKind;

    use crate::{Hints, extract};

    use crate::test_pages::article_body as body;

    /// A story's paragraphs, one per topic.
    fn story(topics: &[&str]) -> String {
        topics
            .iter()
            .map(|t| {
                format!(
                    "<p>The harbour board spent the evening on {t}, and members argued for an hour \
                     before the vote was called late in the night.</p>"
                )
            })
            .collect()
    }

    const TOPICS: [&str; 6] =
        ["the budget", "the dredging plan", "the ferry timetable", "the new pier", "the fish market", "the lighthouse"];

    const PITCH: &str = "<div class='box'><h3>Need a hand with your own harbour?</h3>\
        <p>Our engineers have planned docks on three continents. Call us today for a free quote.</p></div>";

    #[test]
    fn a_box_after_the_articles_core_is_left_out() {
        let text = body(&format!("<div class='story'>{}</div>{PITCH}", story(&TOPICS)));
        assert!(text.contains("the lighthouse") && !text.contains("free quote"), "{text}");
    }

    /// A picture in such a box goes with it, and the article's pictures
    /// keep their numbers in order.
    #[test]
    fn a_picture_in_the_box_goes_with_it() {
        let picture = |name: &str| format!("<img src='https://example.org/{name}.jpg' width='800' height='600'>");
        let page = format!(
            "<html><body><h1>Harbour plan divides the town</h1><article><div class='story'>{}{}{}</div>\
             <div class='box'>{}<p>Our engineers have planned docks on three continents. Call us today.</p></div>\
             </article></body></html>",
            picture("quay"),
            story(&TOPICS),
            picture("pier"),
            picture("logo")
        );
        let article = extract(page.as_bytes(), &Hints::default()).expect("extracted").article;
        let urls: Vec<&str> = article.images.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(urls, ["https://example.org/quay.jpg", "https://example.org/pier.jpg"], "{}", article.text);
        let numbers: Vec<u32> =
            article.blocks.iter().filter(|b| b.kind == PbKind::Image as i32).map(|b| b.image_index).collect();
        assert_eq!(numbers, [0, 1]);
    }

    #[test]
    fn lines_set_beside_the_core_and_split_articles_stay() {
        // The editor's closing line outside the story's wrapper is no box.
        let text = body(&format!(
            "<div class='story'>{}</div><p>Thanks for reading, and see you at the next meeting of the board.</p>",
            story(&TOPICS)
        ));
        assert!(text.contains("see you at the next meeting"), "{text}");
        // A story in two boxes of like size has no core to stand after.
        let text = body(&format!("<div>{}</div><div>{}</div>{PITCH}", story(&TOPICS[..3]), story(&TOPICS[3..])));
        assert!(text.contains("the lighthouse") && text.contains("free quote"), "{text}");
    }
}
