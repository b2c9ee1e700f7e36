//! Wording rules, in the languages we meet: lines that are page furniture by what they say.
//!
//! Markup does not always set apart a subscription pitch, a "follow us" line,
//! a disclaimer or a button label from the article around it; their wording
//! does, and it is the same on every site of a language. Each rule applies to
//! short blocks only: an article paragraph may use any of these words, but a
//! line that is nothing more than one of these phrases is not prose. The
//! words themselves are rows of a table, one per language (`rows.rs`).

use std::cell::Cell;
use std::sync::LazyLock;

use regex::Regex;

use crate::dom::Block;

mod rows;

use rows::{LANGUAGES, Wording};

/// Every row's entries of one field as one alternation, each entry once.
fn any_of(field: fn(&Wording) -> &'static [&'static str]) -> String {
    let mut entries: Vec<&str> = Vec::new();
    for entry in LANGUAGES.iter().flat_map(|(_, row)| field(row)) {
        if !entries.contains(entry) {
            entries.push(entry);
        }
    }
    format!("(?:{})", entries.join("|"))
}

/// Matching ignores case; the rows' spaces stay literal, since a block's
/// white space is folded to single spaces.
fn matcher(pattern: &str) -> Regex {
    crate::regexes::regex(&format!("(?i){pattern}")).expect("the wording rows make a valid regex")
}

/// A matcher for text lower-cased first (see `lower`). The rows are lower
/// case, so their entries stay literals. Matched case-blind (`(?i)`), every
/// letter of them became a class, and the lazy DFA built its states at
/// thousands of instructions each. Their states also outgrew the small
/// cache (`regexes`), which then cleared and rebuilt them over and over.
/// On wcxb pages, lower-casing and the larger cache together took 3% off
/// extraction's instructions.
fn lowered_matcher(pattern: &str) -> Regex {
    crate::regexes::word_list_regex(pattern).expect("the wording rows make a valid regex")
}

/// The text as the lowered matchers read it. Unicode lower-casing, so
/// "ÉCRIRE", "Écrire" and "écrire" read alike, as case-blind matching had it.
fn lower(text: &str) -> std::borrow::Cow<'_, str> {
    // Most blocks are ASCII, where upper case is `A`-`Z` and lower-casing
    // it is all Unicode lower-casing does: tested a byte at a time, not a
    // char through the Unicode tables.
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_uppercase()) {
            text.to_ascii_lowercase().into()
        } else {
            text.into()
        };
    }
    if text.chars().any(char::is_uppercase) { text.to_lowercase().into() } else { text.into() }
}

static LEGAL: LazyLock<Regex> = LazyLock::new(|| lowered_matcher(&any_of(|row| row.rights)));

/// A block's wording verdicts, each worked out once: the container choice
/// scores every block on each of its passes, and the body and list rules
/// ask again, so the same regexes ran over the same text several times.
/// A block's text and length never change once it is made.
#[derive(Default)]
pub(crate) struct Verdicts(Cell<u8>);

impl Verdicts {
    const LEGAL_KNOWN: u8 = 1;
    const LEGAL: u8 = 2;
    const FURNITURE_KNOWN: u8 = 4;
    const FURNITURE: u8 = 8;

    fn get(&self, known: u8, yes: u8, work: impl FnOnce() -> bool) -> bool {
        let bits = self.0.get();
        if bits & known != 0 {
            return bits & yes != 0;
        }
        let verdict = work();
        self.0.set(bits | known | if verdict { yes } else { 0 });
        verdict
    }
}

/// Copyright and rights notices: page furniture in every language. The sign
/// alone is enough, the words only in a short block (an article may discuss
/// copyright).
pub(crate) fn is_legal(block: &Block) -> bool {
    block.wording.get(Verdicts::LEGAL_KNOWN, Verdicts::LEGAL, || {
        block.text.contains('©') || (block.chars < 200 && LEGAL.is_match(&lower(&block.text)))
    })
}

/// Whole lines that are a button, a label or a share-bar entry.
static JUNK: LazyLock<Regex> = LazyLock::new(|| lowered_matcher(&format!("^{}$", any_of(|row| row.buttons))));

/// How short lines that open a related-links box, a share or follow bar, a
/// subscription pitch, a tag list or an advertisement begin.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    lowered_matcher(&format!("^(?:{}|{}\\s*[-–—:|])", any_of(|row| row.openers), any_of(|row| row.ad_labels)))
});

/// Phrases that make a short line a pitch to the reader (subscribe, log in,
/// follow us, join our channel) or a disclaimer of the site, wherever they
/// stand in it.
static PITCH: LazyLock<Regex> = LazyLock::new(|| lowered_matcher(&any_of(|row| row.pitches)));

/// The word before the colon of a picture credit that ends a caption set in
/// the text ("The square at dawn. Photo: Jane Doe").
static CREDIT_WORD: LazyLock<Regex> = LazyLock::new(|| matcher(&format!(r"\b{}\s*$", any_of(|row| row.credits))));

/// Longest credit after the colon, in chars: a name or an agency.
const CREDIT_TAIL: usize = 40;

/// Whether a short line ends on a picture credit: the tail after its last
/// colon is a name (no sentence punctuation) and a credit word precedes it.
/// String scans first, so the regex runs on the few lines that can match.
fn ends_on_credit(text: &str) -> bool {
    let Some(colon) = text.rfind(':') else { return false };
    let tail = &text[colon + 1..];
    !tail.trim().is_empty()
        && tail.chars().count() <= CREDIT_TAIL
        && !tail.contains(['.', '!', '?'])
        && CREDIT_WORD.is_match(&text[..colon])
}

/// Whole headings that close an article: what follows them is related
/// posts, recommendations or the author's box, not the article.
static CLOSERS: LazyLock<Regex> = LazyLock::new(|| matcher(&format!("^{}$", any_of(|row| row.closers))));

/// Whether a heading closes the article (see `CLOSERS`); decorations around
/// the words ("🔥 Recommended Posts", "Related:") do not count.
pub(crate) fn closes_article(block: &Block) -> bool {
    block.chars <= 60 && CLOSERS.is_match(block.text.trim_matches(|c: char| !c.is_alphanumeric()))
}

/// A paragraph that opens on a person's name and says who they are: the
/// name (one to three capitalised words, "About the author:" before it
/// allowed), a bio verb, and a pronoun later on.
static BIO: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    // A nickname may stand in brackets between the names ("Robert (Bob) Lee").
    let name = r"(?-i:\p{Lu})[\w.'’-]+(?: \(?(?-i:\p{Lu})[\w.'’-]+\)?){0,2}";
    let opening = format!(r"^\(?(?:{}:?\s*)?{name},? {} ", any_of(|row| row.closers), any_of(|row| row.bio_verbs));
    (matcher(&opening), matcher(&format!(r"\b{}\b", any_of(|row| row.pronouns))))
});

/// Shortest and longest author's bio, in chars.
const BIO_CHARS: (usize, usize) = (80, 800);

/// Whether a paragraph reads as an author's bio (see `BIO`).
pub(crate) fn is_bio(text: &str) -> bool {
    let chars = text.chars().count();
    (BIO_CHARS.0..=BIO_CHARS.1).contains(&chars) && BIO.0.is_match(text) && BIO.1.is_match(text)
}

/// Longest block a pitch or disclaimer rule looks at, in chars.
const SHORT: usize = 300;

/// Whether the block's wording makes it furniture rather than article text.
pub(crate) fn is_furniture(block: &Block) -> bool {
    block.wording.get(Verdicts::FURNITURE_KNOWN, Verdicts::FURNITURE, || furniture(block))
}

fn furniture(block: &Block) -> bool {
    if block.chars > SHORT {
        return false;
    }
    let text = block.text.as_str();
    let lowered = lower(text);
    if block.chars < 40 && JUNK.is_match(lowered.trim_end_matches([':', '：', '.', '…'])) {
        return true;
    }
    if block.chars <= 80 && FURNITURE.is_match(lowered.trim_start_matches(|c: char| !c.is_alphanumeric())) {
        return true;
    }
    PITCH.is_match(&lowered) || (block.chars <= 200 && ends_on_credit(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pitch list runs on nearly every short block. A Unicode `\b` in
    /// any entry sends the whole alternation to the regex crate's slowest
    /// engine on text with a non-ASCII character (an entry with one made
    /// extraction 1.4x as slow).
    #[test]
    fn no_pitch_entry_needs_a_word_boundary() {
        for (code, row) in LANGUAGES {
            for entry in row.pitches {
                assert!(!entry.contains("\\b") && !entry.contains("\\B"), "{code}: {entry}");
            }
        }
    }

    #[test]
    fn every_row_is_lower_case_and_named_once() {
        for (i, (code, row)) in LANGUAGES.iter().enumerate() {
            assert!(LANGUAGES[..i].iter().all(|(c, _)| c != code), "{code} twice");
            let fields = [
                row.buttons,
                row.openers,
                row.ad_labels,
                row.pitches,
                row.rights,
                row.credits,
                row.closers,
                row.bio_verbs,
                row.pronouns,
            ];
            for entry in fields.iter().flat_map(|f| f.iter()) {
                // Upper case only as a regex escape (`\S`).
                let unescaped =
                    entry.split('\\').enumerate().flat_map(|(i, part)| part.chars().skip(usize::from(i > 0)));
                assert!(unescaped.clone().all(|c| !c.is_uppercase()), "{code}: {entry}");
            }
        }
    }

    /// The lowered matchers find every literal entry whatever its case, as
    /// the case-blind regexes did.
    #[test]
    fn lowered_matchers_ignore_case() {
        let literal = |e: &&&str| !e.contains(|c: char| "\\.*+?()[]{}|^$".contains(c));
        let cased = |e: &str| {
            [
                e.to_uppercase(),
                e.chars()
                    .enumerate()
                    .map(|(i, c)| if i == 0 { c.to_uppercase().next().unwrap_or(c) } else { c })
                    .collect(),
            ]
        };
        for (code, row) in LANGUAGES {
            for (entries, matcher) in
                [(row.buttons, &*JUNK), (row.openers, &*FURNITURE), (row.pitches, &*PITCH), (row.rights, &*LEGAL)]
            {
                for entry in entries.iter().filter(literal) {
                    for text in cased(entry) {
                        assert!(matcher.is_match(&lower(&text)), "{code}: {text}");
                    }
                }
            }
        }
    }

    #[test]
    fn each_matcher_reads_its_own_field() {
        assert!(JUNK.is_match(&lower("Share this")) && !JUNK.is_match(&lower("Share this story with a friend")));
        assert!(
            FURNITURE.is_match(&lower("Lesen Sie auch: Die Brücke")) && FURNITURE.is_match(&lower("Anzeige – Reisen"))
        );
        assert!(!FURNITURE.is_match(&lower("Die Anzeige der Stadt")));
        assert!(
            FURNITURE.is_match(&lower("Published on: February 14, 2025"))
                && !FURNITURE.is_match(&lower("Published in 1998, it sold"))
        );
        assert!(PITCH.is_match(&lower("Pour ne rien manquer, abonnez-vous à notre newsletter")));
        assert!(
            LEGAL.is_match(&lower("Όλα τα δικαιώματα διατηρούνται"))
                && !LEGAL.is_match(&lower("All rights to the bridge"))
        );
        assert!(ends_on_credit("The square at dawn. Фото: Иван Петров") && !ends_on_credit("Photographer: Jane Doe"));
        let bio = "Jane Doe is a travel writer based in Lisbon. Her work has appeared in many magazines.";
        assert!(is_bio(bio) && is_bio(&format!("About the author: {bio}")));
        assert!(is_bio("Robert (Bob) Lee is a chef in Lyon, where he has cooked for thirty years in the old town."));
        assert!(!is_bio("The council is a body of nine members elected every four years by the whole town."));
    }
}
