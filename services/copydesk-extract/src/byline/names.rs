//! What is and is not a person's name in a byline, and how a name is
//! cleaned: split lists, labels and quotes cut, spaced-out Chinese joined.

use std::sync::LazyLock;

use regex::Regex;

use crate::byline::labels::{LABELLED, ROLE};
use crate::text;

pub(crate) static SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"\s*(?:,|;|、|，|\band\b|\bund\b|\bet\b|\by\b|\bi\b|\bи\b|&|\|)\s*").expect("valid regex")
});

/// Ends like a sentence, not like a name ending in an initial ("Nicolas Gutierrez C.").
pub(crate) fn sentence(text: &str) -> bool {
    let text = text.trim().trim_end_matches(')').trim_end_matches('）');
    let last = text.split_whitespace().last().unwrap_or("");
    let initial =
        last.chars().count() == 2 && last.ends_with('.') && last.chars().next().is_some_and(char::is_uppercase);
    crate::text::ends_sentence(text) && !initial
}

pub(crate) fn split_names(raw: &str) -> Vec<String> {
    SPLIT.split(raw.trim()).map(clean_name).filter(|n| plausible_name(n)).collect()
}

/// "Jane Doe, Home and Digital Security Expert": a job title after a comma
/// is one field, "and"s and all ("Head of Marketing and Community
/// Development"); split into names, its words ("Home") would pass for a
/// writer. Not when every field is a role: then there is no name to keep.
pub(crate) fn without_job_titles(raw: &str) -> std::borrow::Cow<'_, str> {
    const SEPARATORS: [char; 3] = [',', ';', '|'];
    if !raw.contains(SEPARATORS) {
        return raw.into();
    }
    let names: Vec<&str> = raw.split(SEPARATORS).filter(|f| !ROLE.is_match(f)).collect();
    if names.is_empty() { raw.into() } else { names.join(",").into() }
}

/// A label of several words that ends in a plain "by" ("Fact-checked by",
/// "Reviewed by:"): it names no one, and whom it introduces did not write.
pub(crate) fn credit_label(name: &str) -> bool {
    let mut words = name.trim_end_matches([':', '：']).split_whitespace();
    words.next_back().is_some_and(crate::byline::labels::plain_by) && words.next().is_some()
}

/// Full-width brackets become ASCII ones: "本·塔文纳（Ben Tavener）" → "本·塔文纳 (Ben Tavener)";
/// a label before the name ("Auteur : X") and quotes around it go.
pub(crate) fn clean_name(raw: &str) -> String {
    let s = raw.trim().replace('（', " (").replace('）', ")");
    let s = match LABELLED.captures(s.trim()) {
        Some(c) => c[1].to_string(),
        None => s,
    };
    let s = s
        .trim_start_matches(['-', '–', '—', ':', '：'])
        .trim_matches(['\'', '"', '“', '”', '‘', '’', '«', '»', '„'])
        .trim();
    // "Agency - jane@example.org": the address is contact detail, not name.
    let s = match s.split_once(" - ") {
        Some((head, tail)) if tail.contains('@') || tail.contains("[email") => head.trim(),
        _ => s,
    };
    // "About Melissa Norris": an author box's heading over the name.
    let s = match s.strip_prefix("About ").or_else(|| s.strip_prefix("Über ")) {
        Some(rest)
            if (2..=4).contains(&rest.split_whitespace().count())
                && rest.split_whitespace().all(|w| w.starts_with(char::is_uppercase)) =>
        {
            rest.trim()
        }
        _ => s,
    };
    // A user name standing in for a name: "jane.doe" → "jane doe".
    let s = if !s.contains(' ')
        && s.matches('.').count() >= 2
        && s.split('.').all(|p| p.chars().count() >= 2 && p.chars().all(char::is_alphabetic))
    {
        s.replace('.', " ")
    } else {
        s.to_string()
    };
    // "赵  培": a two-character name spaced out to line up with three-character ones.
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() > 1 && parts.iter().all(|p| p.chars().count() == 1 && p.chars().all(text::is_han)) {
        return parts.concat();
    }
    parts.join(" ")
}

/// Lines that are only a byline's label, or a CMS placeholder, not a name.
static LABEL_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(
        r"(?i)^(?:(?:posted|published|written|submitted)(?:\s+(?:by|on|in))?|by|von|par|por|(?:artikel|beitrag|text)\s+von|über\s+(?:den|die)\s+autor(?:in)?|about\s+the\s+author|à\s+propos\s+de\s+l'auteur|no\s+author|unknown|admin\w*|\w*admin|author|autor|auteur|eingetragen\s+bei\b.*|filed\s+under\b.*)\s*[:：]?$",
    )
    .expect("valid regex")
});

/// A picture credit, not a writer.
pub(crate) static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(
        r"(?i)^(?:photo(?:graph)?s?|pictures?|images?|fotos?|bild(?:er)?|video)\s*(?:by|von|de|par|por|:)",
    )
    .expect("valid regex")
});

pub(crate) fn plausible_name(name: &str) -> bool {
    let name = name.trim();
    let chars = name.chars().count();
    (2..=60).contains(&chars)
        && name.split_whitespace().count() <= 6
        && !name.chars().any(|c| c.is_ascii_digit() || c == '@' || c == '|')
        && !name.contains("http")
        && !name.contains("[at]")
        && !LABEL_ONLY.is_match(name)
        && !CREDIT.is_match(name)
        && !sentence(name)
        // "Published:", "Datum:": a label whose value was cut off.
        && !name.ends_with([':', '：'])
        && name.chars().any(char::is_alphabetic)
        && !long_han_run(name)
        // "Dec", "Sat": a date's remains in the author's place.
        && (name.contains(char::is_whitespace) || !crate::months::calendar_word(name))
        // "责任编辑", "记者": a role whose name was left empty.
        && !(name.chars().all(text::is_han) && ROLE.is_match(name))
}

/// Chinese names are two to four characters; a longer run without the
/// middle dot of a transcribed foreign name is a phrase or a sentence.
pub(crate) fn long_han_run(name: &str) -> bool {
    name.split(|c: char| !text::is_han(c)).any(|run| run.chars().count() > 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(split_names("Ann Lee and Bo Chen"), vec!["Ann Lee", "Bo Chen"]);
        assert_eq!(clean_name("本·塔文纳（Ben Tavener）"), "本·塔文纳 (Ben Tavener)");
        assert!(!plausible_name("This is a sentence."));
        assert!(!plausible_name("2024-06-17"));
        assert_eq!(clean_name("Auteur : Anna Kubišta"), "Anna Kubišta");
        assert_eq!(clean_name("'Luana Patriolino"), "Luana Patriolino");
        assert_eq!(clean_name("edilson.la.rosa"), "edilson la rosa");
        assert_eq!(clean_name("Dr. Jane Doe"), "Dr. Jane Doe");
        assert_eq!(clean_name("Di Maria"), "Di Maria");
        assert_eq!(clean_name("By Jane Doe"), "Jane Doe");
        assert_eq!(clean_name("About Melissa Norris"), "Melissa Norris");
        assert_eq!(clean_name("About Us"), "About Us", "a name of one word is not cut out of a menu's entry");
        assert_eq!(split_names("AFP/The Local"), vec!["AFP/The Local"]);
        for label in [
            "Published by",
            "Artikel von:",
            "Über den Autor",
            "No author",
            "wordpressadmin",
            "Eingetragen bei: Politics",
        ] {
            assert!(!plausible_name(label), "{label}");
        }
        assert!(!plausible_name("jane[at]example.org"));
        assert!(!plausible_name("首先欢迎你来到新华网接受我们的采访"));
        assert!(plausible_name("阿沛·阿旺晋美"));
        assert_eq!(clean_name("赵  培"), "赵培");
        assert_eq!(clean_name("伊琳 李清芬"), "伊琳 李清芬");
        assert!(!plausible_name("Photograph by Ed Marshall"));
        assert_eq!(clean_name("AFP - desk@example.org"), "AFP");
        assert_eq!(clean_name("example.org"), "example.org");
        for date_word in ["Dec", "Sat", "Apr."] {
            assert!(!plausible_name(date_word), "{date_word}");
        }
        assert!(plausible_name("Amanda"));
        assert!(credit_label("Fact-checked by") && credit_label("Reviewed by:") && !credit_label("By"));
        assert_eq!(split_names(&without_job_titles("Paul Frew, Home and Digital Security Expert")), vec!["Paul Frew"]);
        assert_eq!(
            split_names(&without_job_titles("Jane Doe, Head of Marketing and Community Development")),
            vec!["Jane Doe"]
        );
        assert_eq!(split_names(&without_job_titles("Ann Lee, Bo Chen | Guest Columnists")), vec!["Ann Lee", "Bo Chen"]);
        assert_eq!(without_job_titles("Staff Writer"), "Staff Writer");
    }
}
