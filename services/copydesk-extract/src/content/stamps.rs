//! A stamp at either end of the body: a short line that is a date with a
//! label or a name beside it ("Updated on July 9, 2025", "October 11, 2023
//! by Jane Doe", "Last updated: September 16th, 2023 at 09:27 am").
//!
//! The walk already drops a line that is a date and nothing else; templates
//! also set the date with its label or the writer's name in the body's first
//! lines, or its last, where it dates the page, not a fact of the article.
//! Inside the article a dated line is the article's own (a timeline, a list
//! of releases), so only the ends are read.

use copydesk_proto::v1::{Block as PbBlock, block::Kind as PbKind};

/// How many blocks at the body's start, and at its end, can be stamps.
const REACH: (usize, usize) = (5, 3);
/// Longest stamp, in chars.
const LONGEST: usize = 80;
/// Most words beside the date (a label, a name), and most chars they hold:
/// unspaced scripts write a whole clause as one word.
const BESIDE: (usize, usize) = (3, 30);
/// A body this short or shorter is left as it is.
const FEWEST: usize = 3;

/// Drops the stamps among the body's first and last blocks.
pub(super) fn drop_stamps(blocks: &mut Vec<PbBlock>) {
    let n = blocks.len();
    if n <= FEWEST {
        return;
    }
    let mut at = 0;
    blocks.retain(|b| {
        at += 1;
        let end = at <= REACH.0 || at > n.saturating_sub(REACH.1);
        !(end && b.kind == PbKind::Paragraph as i32 && is_stamp(&b.text))
    });
}

fn is_stamp(text: &str) -> bool {
    if text.chars().count() > LONGEST || !text.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let (mut words, mut chars) = (0, 0);
    for w in text.split_whitespace() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        let numeric = w.chars().any(|c| c.is_ascii_digit())
            && w.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | '.' | ':'));
        let clock = w.eq_ignore_ascii_case("am") || w.eq_ignore_ascii_case("pm");
        if !w.is_empty() && !numeric && !clock && !crate::months::calendar_word(w) {
            words += 1;
            chars += w.chars().count();
        }
    }
    words <= BESIDE.0 && chars <= BESIDE.1 && crate::dates::find_in_text(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_pages::para;

    const ARTICLE: &str = "The council voted on Tuesday to rebuild the old bridge over the river.";

    #[test]
    fn a_labelled_date_at_either_end_is_a_stamp() {
        let mut blocks = vec![
            para("Updated on July 9, 2025"),
            para(ARTICLE),
            para("The works start on March 3, 2026, the mayor said."),
            para(ARTICLE),
            para(ARTICLE),
            para(ARTICLE),
            para("October 11, 2023 by Jane Doe"),
        ];
        drop_stamps(&mut blocks);
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, [ARTICLE, "The works start on March 3, 2026, the mayor said.", ARTICLE, ARTICLE, ARTICLE]);
    }

    #[test]
    fn a_dated_line_inside_the_article_or_a_clause_is_not() {
        assert!(!is_stamp("2019年5月6日，国务院总理主持召开国务院常务会议，部署推进"));
        assert!(is_stamp("Last updated: September 16th, 2023 at 09:27 am"));
        assert!(!is_stamp("Week 1"));
    }
}
