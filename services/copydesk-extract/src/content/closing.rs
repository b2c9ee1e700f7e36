//! What closes the body after the article: a list of teasers cut short, an
//! author's bio with its labels. Each is cut from the kept blocks, as long as
//! the article stays the larger part of the body.
//!
//! Each cut ends the body at a block; the cuts are read on the body as the
//! walk over the container left it, teasers first (they follow a bio when
//! both are there).

use copydesk_proto::v1::{Block as PbBlock, block::Kind as PbKind};

use crate::{text, wording};

/// Drops the closing teasers, then the closing bio, of the kept blocks.
///
/// Both rules read where a block stands and how it reads, not what the page
/// is, so on a page that is all teasers (a home page) or all short bios (a
/// staff page) they would cut nearly all of it. What closes an article is
/// its appendix: shorter than the article it follows. So a cut is made only
/// when the text before it is at least half of the body's text as it was
/// before any cut; past that point the "appendix" is most of the page, and
/// the page is not an article with furniture after it. The share is the
/// weakest reading of "shorter than the article": no guess at how long an
/// article or a bio runs, and it never leaves the body empty.
pub(super) fn drop_closing(blocks: &mut Vec<PbBlock>) {
    let total = text_chars(blocks);
    for cut_at in [teasers_from, bio_from] {
        if let Some(at) = cut_at(blocks)
            && text_chars(&blocks[..at]) * 2 >= total
            && total > 0
        {
            blocks.truncate(at);
        }
    }
    drop_closing_headings(blocks);
}

/// Drops the headings that end the body: a heading heads what follows it,
/// so one with nothing after it labels furniture the walk left out (a
/// "Related posts", "Tags" or "Share" box whose links were not kept). A body
/// of headings alone keeps them: they are all the text there is.
fn drop_closing_headings(blocks: &mut Vec<PbBlock>) {
    let heading = PbKind::Heading as i32;
    if !blocks.iter().any(|b| b.kind != heading && b.kind != PbKind::Image as i32) {
        return;
    }
    while blocks.last().is_some_and(|b| b.kind == heading) {
        blocks.pop();
    }
}

/// Chars of text the blocks put in the body (an image's caption is not).
fn text_chars(blocks: &[PbBlock]) -> usize {
    blocks.iter().filter(|b| b.kind != PbKind::Image as i32).map(|b| b.text.chars().count()).sum()
}

/// Longest line after an author's bio that can still be its box's furniture
/// (a "Related" label, social links), in chars.
const AFTER_BIO: usize = 200;
/// Most text after a bio, in chars, all its lines together.
const MAX_AFTER_BIO: usize = 4 * AFTER_BIO;
/// Longest label before a bio (the author's name, their job title), in chars.
const BIO_LABEL: usize = 60;

/// Where an author's bio that ends the article starts, with the labels above
/// it (the short lines after it go with it). The bio must stand in the
/// body's second half with nothing but short lines after it: an interview
/// that opens on who its subject is stays whole.
fn bio_from(blocks: &[PbBlock]) -> Option<usize> {
    let paragraph = PbKind::Paragraph as i32;
    // Only the second half is read: a bio in the first never counts, and
    // the regexes need not run over the whole article on every page.
    let half = blocks.len() / 2;
    let at = half + blocks[half..].iter().rposition(|b| b.kind == paragraph && wording::is_bio(&b.text))?;
    if at == 0 || blocks[at + 1..].iter().any(|b| b.text.chars().count() > AFTER_BIO) {
        return None;
    }
    // A bio's box has a few short lines after it (links, a label); more text
    // than that, however it is broken into lines, is the article going on
    // after a paragraph that only read like a bio ("Movavi is a recent
    // addition ... He has used it").
    if text_chars(&blocks[at + 1..]) > MAX_AFTER_BIO {
        return None;
    }
    let mut cut = at;
    while cut > 1 && at - cut < 3 {
        let label = &blocks[cut - 1];
        let short = label.kind != PbKind::Image as i32 && label.text.chars().count() <= BIO_LABEL;
        if !short || text::ends_sentence(&label.text) {
            break;
        }
        cut -= 1;
    }
    Some(cut)
}

/// Shortest teaser excerpt, in chars; longest line among closing teasers.
const EXCERPT: (usize, usize) = (60, 300);
/// Most blocks between two excerpts of one teaser list (headline, date, author).
const EXCERPT_GAP: usize = 4;

/// Where a closing list of teasers starts: two excerpts or more cut short
/// ("…"), each within a few blocks of the last, in the body's second half,
/// and nothing long from the first of them on. A teaser of another page
/// stops mid-sentence; the article's own paragraphs do not.
fn teasers_from(blocks: &[PbBlock]) -> Option<usize> {
    let cut_short = |b: &PbBlock| {
        let t = b.text.trim_end();
        (t.ends_with('…') || t.ends_with("...")) && t.chars().count() >= EXCERPT.0
    };
    let excerpts: Vec<usize> = (0..blocks.len()).filter(|&i| cut_short(&blocks[i])).collect();
    let mut j = excerpts.len().checked_sub(1)?;
    while j > 0 && excerpts[j] - excerpts[j - 1] <= EXCERPT_GAP {
        j -= 1;
    }
    let first = excerpts[j];
    let closing = excerpts.len() - j >= 2 && first >= blocks.len() / 2;
    (closing && blocks[first..].iter().all(|b| b.text.chars().count() <= EXCERPT.1)).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_pages::{para, texts};

    const ARTICLE: &str = "The council voted on Tuesday to rebuild the old bridge over the river, \
        after two years of debate over its cost and the route of the new road that will cross it.";
    const BIO: &str = "Jane Doe is a travel writer based in Lisbon. Her work has appeared in many magazines.";
    const TEASER: &str = "The mayor said the works on the harbour would start in spring, although the budget…";

    #[test]
    fn a_bio_or_teasers_after_the_article_are_cut() {
        let mut blocks = vec![para(ARTICLE), para(ARTICLE), para(ARTICLE), para("About the author"), para(BIO)];
        drop_closing(&mut blocks);
        assert_eq!(texts(&blocks), [ARTICLE; 3]);
        let mut blocks = vec![para(ARTICLE), para(ARTICLE), para(TEASER), para(TEASER)];
        drop_closing(&mut blocks);
        assert_eq!(texts(&blocks), [ARTICLE; 2]);
    }

    #[test]
    fn a_paragraph_that_reads_like_a_bio_with_the_article_going_on_after_it_is_kept() {
        // A product introduced like a person, then more of the article in short lines.
        let intro = "Movavi is a recent addition to our roundup, suggested by a reader. He has used it for a year.";
        let more = "The interface is clean and friendly, and it gets even better";
        let mut blocks = vec![para(ARTICLE); 22];
        blocks.push(para(intro));
        blocks.extend((0..16).map(|_| para(more)));
        drop_closing(&mut blocks);
        assert_eq!(blocks.len(), 39);
        // A bio with a box's short lines after it is still cut.
        let mut blocks =
            vec![para(ARTICLE), para(ARTICLE), para(ARTICLE), para(BIO), para("Twitter"), para("View all posts")];
        drop_closing(&mut blocks);
        assert_eq!(texts(&blocks), [ARTICLE; 3]);
    }

    #[test]
    fn a_body_that_is_mostly_bios_or_teasers_is_kept() {
        // A home page of teasers: the list starts in the second half of the
        // blocks, but the headlines before it are a fraction of its text.
        let mut teasers = vec![para("Latest news"), para("Today")];
        teasers.extend([para(TEASER), para(TEASER), para(TEASER)]);
        let before = texts(&teasers).join("|");
        drop_closing(&mut teasers);
        assert_eq!(texts(&teasers).join("|"), before);
        // A staff page: short names, then one bio after another.
        let mut bios = vec![para("Our team"), para("Editors"), para(BIO)];
        drop_closing(&mut bios);
        assert_eq!(texts(&bios), ["Our team", "Editors", BIO]);
    }

    #[test]
    fn headings_that_end_the_body_are_dropped_unless_they_are_all_of_it() {
        let heading = |t: &str| PbBlock { kind: PbKind::Heading as i32, text: t.into(), ..PbBlock::default() };
        let mut blocks = vec![heading("Bridge"), para(ARTICLE), heading("Related posts"), heading("Tags")];
        drop_closing(&mut blocks);
        assert_eq!(texts(&blocks), ["Bridge", ARTICLE]);
        let mut blocks = vec![heading("Chapter one"), heading("Chapter two")];
        drop_closing(&mut blocks);
        assert_eq!(texts(&blocks), ["Chapter one", "Chapter two"]);
    }
}
