//! A run of blocks the body already said: templates print a part of the
//! page twice or more (a carousel's slides cloned for its loop, a tab's
//! panel beside its accordion copy, the whole article again for print), and
//! when the copies sit in one box the container holds them all.
//!
//! The walk already says a long paragraph once when it comes back under
//! another parent; the copies' headings, list items and shorter lines get
//! through. A run of several blocks in a row, met again in the same order
//! and long enough not to be a pair of labels ("Pros", "Cons") or a table's
//! repeated cells, is a copy: the later one goes. A writer repeats a line,
//! seldom a passage of several.

use foldhash::{HashMap, HashMapExt};

use copydesk_proto::v1::{Block as PbBlock, block::Kind as PbKind};

use crate::text;

/// Fewest blocks in a row that make a copied run.
const FEWEST_BLOCKS: usize = 3;
/// Fewest chars of folded text in a copied run.
const FEWEST_CHARS: usize = 300;
/// Earlier places of one block's text that a later block is compared from:
/// a page of a thousand equal cells stays linear.
const PLACES: usize = 16;

/// Drops each later copy of a run of text blocks the body already holds.
pub(super) fn drop_repeats(blocks: &mut Vec<PbBlock>) {
    let image = PbKind::Image as i32;
    // The text blocks, by index into `blocks`, and their text. A template's
    // copy is its original's markup again, so the texts are compared as they
    // are; folding every block to compare them cost 3% of extraction.
    let at: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].kind != image).collect();
    let keys: Vec<&str> = at.iter().map(|&i| blocks[i].text.as_str()).collect();
    // Where each text was last seen, and before that (a chain through
    // `earlier`): no list of places per text to allocate.
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
    let mut earlier = vec![usize::MAX; keys.len()];
    let mut copy = vec![false; blocks.len()];
    let mut i = 0;
    while i < keys.len() {
        let mut best = 0;
        let mut place = if keys[i].trim().is_empty() { None } else { last.get(keys[i]).copied() };
        for _ in 0..PLACES {
            let Some(j) = place else { break };
            // The copy follows its original; it does not overlap it.
            let run = (0..).take_while(|&r| i + r < keys.len() && j + r < i && keys[j + r] == keys[i + r]).count();
            best = best.max(run);
            place = Some(earlier[j]).filter(|&e| e != usize::MAX);
        }
        let long = || keys[i..i + best].iter().map(|k| text::fold(k).chars().count()).sum::<usize>() >= FEWEST_CHARS;
        let step = if best >= FEWEST_BLOCKS && long() {
            for &k in &at[i..i + best] {
                copy[k] = true;
            }
            best
        } else {
            1
        };
        for k in i..i + step {
            if let Some(before) = last.insert(keys[k], k) {
                earlier[k] = before;
            }
        }
        i += step;
    }
    let mut index = 0;
    blocks.retain(|_| {
        index += 1;
        !copy[index - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_pages::{para, texts};

    #[test]
    fn a_run_said_again_is_said_once() {
        let long = |n: u32| {
            format!(
                "Reader {n} wrote that this podcast changed the way they think about sleep, training and their health."
            )
        };
        let mut blocks: Vec<PbBlock> = (0..4).map(|n| para(&long(n))).collect();
        blocks.insert(0, para("Intro"));
        blocks.extend((0..4).map(|n| para(&long(n))));
        blocks.push(para("Outro"));
        drop_repeats(&mut blocks);
        assert_eq!(texts(&blocks), ["Intro", &long(0), &long(1), &long(2), &long(3), "Outro"]);
    }

    #[test]
    fn short_labels_and_a_repeated_line_stay() {
        let line = "Warm up for ten minutes with easy jogging, then run drills and strides before the main set.";
        let mut blocks = vec![
            para("Pros"),
            para("Light"),
            para("Cons"),
            para(line),
            para("Pros"),
            para("Light"),
            para("Cons"),
            para("Interval day"),
            para(line),
        ];
        let before = blocks.clone();
        drop_repeats(&mut blocks);
        assert_eq!(blocks, before);
    }
}
