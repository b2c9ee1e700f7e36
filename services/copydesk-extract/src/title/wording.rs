//! How two wordings of a headline compare: the same title restyled, most of
//! the words shared, one cut short or with numbers added, a heading read as
//! prose, shouted, garbled by a wrong encoding or with two lines run
//! together.

use std::sync::LazyLock;

use regex::Regex;

use crate::text;

/// A date written in figures ("12/19/2025", "19.12.2025", "2025-12-19").
static DATE: LazyLock<Regex> =
    LazyLock::new(|| crate::regexes::regex(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b").expect("valid regex"));

/// A heading that reads as a paragraph set in large type, not a headline:
/// longer than any headline ("Learn which home renovations have the best
/// ROI? Get expert tips on ... We'll help you learn everything ..."), or
/// three sentences or more ending in a full stop (news headlines run to two:
/// "Wild goats ruled this island for a century. Now, it's being reborn.").
/// Such an `<h1>` is only taken when the metadata names it.
pub(super) fn reads_as_prose(heading: &str) -> bool {
    let heading = heading.trim();
    let sentences = heading.split_inclusive(['.', '!', '?']).filter(|s| s.trim().chars().count() >= 12).count();
    heading.chars().count() > 200 || (heading.ends_with('.') && sentences >= 3)
}

/// Whether a heading is typed in capitals: four words or more and no
/// lower-case letter.
pub(super) fn shouted(heading: &str) -> bool {
    heading.split_whitespace().count() >= 4
        && heading.chars().any(char::is_uppercase)
        && !heading.chars().any(char::is_lowercase)
}

/// Whether `heading` is `title` with characters lost to a wrong encoding,
/// each shown as `?` or U+FFFD in place of one to three characters.
pub(super) fn garbled_copy(heading: &str, title: &str) -> bool {
    let lost = |c: char| matches!(c, '?' | '\u{fffd}');
    let inner = heading.trim_end_matches(lost);
    if !inner.contains(lost) || plain(heading) == plain(title) {
        return false;
    }
    let pattern: String =
        inner.split(lost).map(|piece| regex::escape(&piece.to_lowercase())).collect::<Vec<_>>().join(".{1,3}");
    crate::regexes::regex(&format!("^{pattern}.{{0,3}}$")).is_ok_and(|re| re.is_match(&title.to_lowercase()))
}

/// Whether `heading` runs two of `title`'s words together where the page set
/// them apart by style ("The Best Notion AlternativesTop Note-taking Tools"
/// for "Best Notion Alternatives: Top Note-taking Tools"): a word that the
/// title lacks but that splits before a capital into two words it has.
/// Words spelled with an inner capital ("eCommerce", "YouTube") are the
/// title's own words.
pub(super) fn glued_copy(heading: &str, title: &str) -> bool {
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    heading.split(|c: char| !c.is_alphanumeric()).any(|w| {
        !words.contains(&w.to_lowercase())
            && w.char_indices().any(|(i, c)| {
                c.is_uppercase()
                    && w[..i].chars().count() >= 3
                    && w[..i].chars().last().is_some_and(char::is_lowercase)
                    && words.contains(&w[..i].to_lowercase())
                    && words.contains(&w[i..].to_lowercase())
            })
    })
}

/// A title as typed, whatever the theme did to it: no spaces, lower case,
/// straight apostrophes, and a dash for the hyphens typed in its place
/// ("Problems--Simple Cells" is printed "Problems—Simple Cells").
pub(super) fn plain(t: &str) -> String {
    t.replace("--", "\u{2014}")
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' => '\'',
            '\u{2013}' => '\u{2014}',
            _ => c,
        })
        .collect()
}

/// Whether at least half the words of `heading` (of three letters or more,
/// or numbers) are also words of `other`.
pub(super) fn shares_most_words(heading: &str, other: &str) -> bool {
    // A date is one word, not three numbers: "Metasploit Wrap-Up 12/19/2025"
    // shares most of "Metasploit Weekly Wrap-Up".
    let words = |t: &str| -> Vec<String> {
        DATE.replace_all(&t.to_lowercase(), |c: &regex::Captures<'_>| c[0].replace(['/', '.', '-'], ""))
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3 || w.chars().all(|c| c.is_ascii_digit()))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (mine, theirs) = (words(heading), words(other));
    let shared = mine.iter().filter(|w| theirs.contains(w)).count();
    text::fold(heading).chars().count() >= 8 && !mine.is_empty() && shared * 2 >= mine.len()
}

/// The metadata with its first field replaced by a fuller one that begins
/// with it, when the first stops mid-sentence: a CMS cuts a long headline
/// field short ("... Find Solutions (Including") where og:title has it whole.
/// A field that merely lacks the site name ("Headline" beside "Headline |
/// Site") is not cut short.
pub(super) fn fuller_first(mut metadata: Vec<&str>) -> Vec<&str> {
    let Some(first) = metadata.first().copied() else { return metadata };
    let fuller = metadata.iter().position(|m| {
        m.strip_prefix(first).is_some_and(|rest| {
            let rest = rest.strip_prefix(' ').unwrap_or("");
            rest.chars().next().is_some_and(char::is_alphanumeric)
        })
    });
    if let Some(i) = fuller {
        metadata.swap(0, i);
    }
    metadata
}

/// The heading without a label set before the headline in the same text
/// ("Blog: Best Agencies of 2025"), when the metadata's title starts with
/// what follows the label and no metadata field has the label.
pub(super) fn without_label<'a>(heading: &'a str, metadata: &[&str]) -> std::borrow::Cow<'a, str> {
    if let Some((label, rest)) = heading.split_once(": ")
        && label.split_whitespace().count() <= 2
        && rest.split_whitespace().count() >= 3
    {
        let (whole, rest_folded) = (text::fold(heading), text::fold(rest));
        if metadata.iter().all(|m| !text::fold(m).contains(&whole))
            && metadata.iter().any(|m| text::fold(m).starts_with(&rest_folded))
        {
            return rest.trim().into();
        }
    }
    heading.into()
}

/// Whether `full` is `short` with only numbers added, and perhaps one short
/// word beside them ("Best Travel Insurance for Seniors in 2025" for "Best
/// Travel Insurance for Seniors"; "8 Recent Trends" for "Recent Trends").
pub(super) fn adds_only_numbers(full: &str, short: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
    };
    let (mut extra, short_words) = (words(full), words(short));
    if !text::fold(full).contains(&text::fold(short)) || short_words.len() < 3 {
        return false;
    }
    for w in &short_words {
        if let Some(i) = extra.iter().position(|e| e == w) {
            extra.remove(i);
        }
    }
    let numbers = extra.iter().filter(|w| w.chars().all(|c| c.is_ascii_digit())).count();
    // An issue number in brackets ("Der historische Purzelbaum (2021/5)")
    // files the piece; it is no part of the headline.
    let bracketed = full.contains(['(', '[']) && !short.contains(['(', '[']);
    numbers >= 1 && !bracketed && extra.len() <= numbers + 1 && extra.iter().all(|w| w.chars().count() <= 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_spells_a_heading_the_theme_restyled() {
        assert_eq!(plain("WHY CHEAP SEO DOESN’T WORK"), plain("Why cheap SEO doesn't  work"));
        assert_ne!(plain("Keeping It Clean ?>"), plain("Keeping It Clean"));
        assert_eq!(plain("Solving Problems—Simple Cells Can Do It"), plain("Solving Problems--Simple Cells Can Do It"));
        assert_ne!(plain("Best Bread Machines – My Favorites!"), plain("Best Bread Machines - My Favorites!"));
    }

    #[test]
    fn a_heading_must_share_most_of_its_words() {
        assert!(shares_most_words(
            "Top 7 Innovative Kitchen Appliance Trends from KBIS & IBS 2025",
            "Top 7 Innovative Kitchen Appliance Trends"
        ));
        assert!(!shares_most_words("Open Menu Close Menu", "A brief intro to git"));
        // A date is one word, not three numbers the other lacks.
        assert!(shares_most_words("Metasploit Wrap-Up 12/19/2025", "Metasploit Weekly Wrap-Up"));
        assert!(!shares_most_words("Саратов-Times", "Солдат умер от менингита"));
    }

    #[test]
    fn a_heading_less_a_count_or_a_year_is_cut_short() {
        assert!(adds_only_numbers("8 Recent Trends in Photography", "Recent Trends in Photography"));
        assert!(adds_only_numbers("Best Travel Insurance for Seniors in 2025", "Best Travel Insurance for Seniors"));
        assert!(!adds_only_numbers(
            "Best Camping Hammocks of 2026, Tested & Reviewed",
            "Best Camping Hammocks of 2026"
        ));
        assert!(!adds_only_numbers("Der historische Purzelbaum (2021/5)", "Der historische Purzelbaum"));
        assert!(!adds_only_numbers("Best Tools 2025", "Best Tools 2025"));
    }

    #[test]
    fn a_field_cut_mid_sentence_gives_way_to_the_whole() {
        let cut = "Fix It Friday: We Help 4 Readers Find Solutions (Including";
        let whole = "Fix It Friday: We Help 4 Readers Find Solutions (Including One Trick) - Emily Henderson";
        assert_eq!(fuller_first(vec![cut, whole]), vec![whole, cut]);
        // Lacking only the site's name is not being cut short.
        let bare = "Fix It Friday";
        assert_eq!(fuller_first(vec![bare, "Fix It Friday - Emily Henderson"])[0], bare);
    }

    #[test]
    fn a_label_before_the_headline_is_dropped_when_the_metadata_lacks_it() {
        let meta = ["Best Social Media Agencies in 2025 | Silverback"];
        assert_eq!(
            without_label("Blog: Best Social Media Agencies in 2025", &meta),
            "Best Social Media Agencies in 2025"
        );
        assert_eq!(without_label("Yoga: Body, Breath, & Mind Series", &meta), "Yoga: Body, Breath, & Mind Series");
        let meta = ["Blog: Best Social Media Agencies in 2025"];
        assert_eq!(
            without_label("Blog: Best Social Media Agencies in 2025", &meta),
            "Blog: Best Social Media Agencies in 2025"
        );
    }

    #[test]
    fn capitals_and_lost_characters_are_the_theme_and_the_encoding() {
        assert!(shouted("BEST DRIP COFFEE MAKER IN 2026"));
        assert!(!shouted("NASA LAUNCH"), "too short to tell an acronym from shouting");
        assert!(!shouted("Best Drip Coffee Maker"));
        let title = "What Are The Basics Of Event Planning: Beginner's Guide";
        assert!(garbled_copy("What Are The Basics Of Event Planning? Beginner? Guide", title));
        assert!(!garbled_copy("What Are The Basics? A Guide", title));
        assert!(!garbled_copy("Is it safe?", "Is it safe?"), "a real question mark loses nothing");
        let title = "Best Notion Alternatives: Top Note-taking Tools in 2026";
        assert!(glued_copy("The Best Notion AlternativesTop Note-taking Tools & Todo List Managers", title));
        assert!(!glued_copy("Shaping eCommerce: 10 Benefits", "Machine Learning in eCommerce: 10 Benefits"));
        assert!(!glued_copy("The Best Notion Alternatives", title));
    }
}
