//! The label over a page's table of contents ("Table of contents", "In this
//! article", "Jump to:"): the walk leaves the contents' links out, and the
//! label goes with them.
//!
//! The walk keeps a short line and only then meets the links under it, so
//! the label is watched for after it is kept and taken back before the next
//! block is kept (or when the walk ends), once enough of its links were left
//! out to show what it labels. Only links into the page itself count: the
//! label of a list of other pages ("Further reading:", "References") is read
//! as the article's text as often as not, with or without its links.

use copydesk_proto::v1::Block as PbBlock;

use crate::dom::{Block, Kind, Page};
use crate::text;

/// Longest label, in chars.
const LONGEST: usize = 60;
/// Links left out under a label before it is read as theirs: a heading over
/// one link heads a section of the article; a table of contents runs on.
const LINKS: usize = 2;

/// The last kept block while it may be a label, and how many links it heads
/// that were left out.
#[derive(Default)]
pub(super) struct Label<'p> {
    block: Option<&'p Block>,
    links: usize,
}

impl<'p> Label<'p> {
    /// Settles the watched label, then watches `kept`, the block just kept.
    pub(super) fn kept(&mut self, kept: Option<&'p Block>, blocks: &mut Vec<PbBlock>) {
        self.settle(blocks);
        self.block = kept.filter(|b| is_label(b));
    }

    /// A block of links the walk left out: it counts for the label when its
    /// links all lead into the page and it sits beside the label, under the
    /// label's parent; else the label heads something else.
    pub(super) fn left_out(&mut self, page: &Page, links: &Block) {
        let Some(label) = self.block else { return };
        let parent = page.elems[label.elem as usize].parent;
        let in_page = !links.links.is_empty() && links.links.iter().all(|(href, _)| href.starts_with('#'));
        if in_page && parent != u32::MAX && page.contains(parent, links.elem) {
            self.links += 1;
        } else {
            self.block = None;
            self.links = 0;
        }
    }

    /// Takes the watched label back out of the body (still its last block)
    /// once enough of its links were left out.
    pub(super) fn settle(&mut self, blocks: &mut Vec<PbBlock>) {
        if self.block.take().is_some() && self.links >= LINKS {
            blocks.pop();
        }
        self.links = 0;
    }
}

/// Whether a kept block reads as a label: a heading or a short line that
/// ends no sentence.
fn is_label(block: &Block) -> bool {
    matches!(block.kind, Kind::Heading(_) | Kind::Paragraph)
        && block.chars <= LONGEST
        && !text::ends_sentence(&block.text)
}
