//! A list of bare web addresses: a "Sources" or "Links" box that prints each
//! link's address as its text. The walk keeps a list of links when a line of
//! the article introduces it; a list whose every line is an address and
//! nothing more says nothing a reader reads, so it goes. One address on its
//! own line stays: an article may show the address it names.

use copydesk_proto::v1::{Block as PbBlock, block::Kind as PbKind};

/// Fewest bare addresses in a row that make a list.
const FEWEST: usize = 2;

/// Drops each run of `FEWEST` or more text blocks in a row that are bare
/// addresses.
pub(super) fn drop_address_lists(blocks: &mut Vec<PbBlock>) {
    let image = PbKind::Image as i32;
    let bare: Vec<bool> = blocks.iter().map(|b| b.kind != image && is_address(&b.text)).collect();
    let mut gone = vec![false; blocks.len()];
    let mut start = 0;
    while start < blocks.len() {
        let run = bare[start..].iter().take_while(|&&b| b).count();
        if run >= FEWEST {
            gone[start..start + run].fill(true);
        }
        start += run.max(1);
    }
    let mut index = 0;
    blocks.retain(|_| {
        index += 1;
        !gone[index - 1]
    });
}

/// Whether a line is one web address and nothing else.
fn is_address(text: &str) -> bool {
    let t = text.trim();
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www."))
        && t.len() > 8
        && !t.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_pages::{para, texts};

    #[test]
    fn a_list_of_addresses_goes_and_a_lone_one_stays() {
        let mut blocks = vec![
            para("The report is at https://example.org/report for anyone to read."),
            para("https://example.org/report"),
            para("Sources:"),
            para("https://example.com/a?utm_source=x"),
            para("www.example.net/b"),
        ];
        drop_address_lists(&mut blocks);
        assert_eq!(
            texts(&blocks),
            [
                "The report is at https://example.org/report for anyone to read.",
                "https://example.org/report",
                "Sources:"
            ]
        );
    }
}
