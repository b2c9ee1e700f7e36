//! Wording rules: pitches, disclaimers, labels and in-text captions are not article text.

mod common;

use common::{body, prose};

/// The page's body text with `lines` set as paragraphs after two of prose.
fn with_lines(lines: &[&str]) -> String {
    let extra: String = lines.iter().map(|l| format!("<p>{l}</p>")).collect();
    body(&format!(
        "<html><body><div class=\"story\">{}{}{extra}</div></body></html>",
        prose("the bridge"),
        prose("the tolls")
    ))
}

#[test]
fn subscription_and_login_pitches_are_dropped() {
    let lines = [
        "To view the full story, please subscribe to The Daily Example.",
        "If you are seeing this message but you are already a subscriber, you can log in here.",
        "Sie sind aktuell nicht eingeloggt.",
        "Abonnieren Sie unsere Newsletter und wir liefern die Nachrichten in Ihre Mailbox.",
        "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
    ];
    let text = with_lines(&lines);
    assert!(text.contains("discuss the tolls"), "{text}");
    for line in lines {
        assert!(!text.contains(&line[..12]), "{line} in {text}");
    }
}

#[test]
fn follow_lines_disclaimers_and_ad_labels_are_dropped() {
    let lines = [
        "Follow The Example Times on Twitter and Instagram @example, or send us a message.",
        "Example News is not responsible for the opinions presented by contributors.",
        "Les opinions exprimées dans les blogs n'engagent que leurs auteurs.",
        "ANZEIGE - Heute mal ausgehen? Wie wäre es mit:",
        "Aktualisiert am 17.01.2021.",
        "Quellen ausblenden",
        "Crédits photos : Agence Exemple",
    ];
    let text = with_lines(&lines);
    assert!(text.contains("discuss the tolls"), "{text}");
    for line in lines {
        assert!(!text.contains(&line[..12]), "{line} in {text}");
    }
}

#[test]
fn a_caption_ending_on_its_credit_is_dropped_but_prose_mentioning_photos_stays() {
    let kept = "The photo: a record of the bridge as it stood before the flood, which the council will print.";
    let text = with_lines(&["The bridge at dawn, seen from the north bank. Foto: Jane Doe", kept]);
    assert!(!text.contains("Jane Doe"), "{text}");
    assert!(text.contains("a record of the bridge"), "{text}");
}

#[test]
fn a_long_paragraph_using_pitch_words_is_kept() {
    let long = "The paper said its readers could subscribe to a weekly newsletter, but the council, which \
                had asked residents to follow the debate on Twitter and in the hall, said it was not \
                responsible for the content of the messages and would meet again on Thursday to decide what \
                to do with the bridge, the tolls and the ferry, whatever the opinions expressed in the hall.";
    let text = with_lines(&[long]);
    assert!(text.contains("weekly newsletter"), "{text}");
}

#[test]
fn reading_times_and_view_counts_are_dropped() {
    let lines =
        ["6 min read", "Reading Time: 11 minutes", "1,693 views", "Lesezeit: 3 Minuten", "Temps de lecture : 4 min"];
    let text = with_lines(&lines);
    assert!(text.contains("discuss the tolls"), "{text}");
    for line in lines {
        assert!(!text.contains(line), "{line} in {text}");
    }
}

#[test]
fn a_table_of_contents_label_is_dropped_even_with_no_links_under_it() {
    // A script fills the contents in; the page as fetched holds the label alone.
    let lines = ["Table of Contents", "In this article:", "Inhaltsverzeichnis", "Sommaire", "Оглавление"];
    let text = with_lines(&lines);
    assert!(text.contains("discuss the tolls"), "{text}");
    for line in lines {
        assert!(!text.contains(line), "{line} in {text}");
    }
    assert!(with_lines(&["Content"]).contains("Content"));
}

#[test]
fn a_widget_s_own_words_are_dropped() {
    let lines = [
        "Show Caption",
        "Link copied!",
        "Share Article",
        "Summarize this article with:",
        "Article Continues Below",
        "Press enter or click to view image in full size",
    ];
    let text = with_lines(&lines);
    assert!(text.contains("discuss the tolls"), "{text}");
    for line in lines {
        assert!(!text.contains(line), "{line} in {text}");
    }
}

#[test]
fn a_comment_count_tab_is_dropped() {
    let lines = ["Comments (10)", "Komentarze (3)"];
    let text = with_lines(&lines);
    assert!(text.contains("discuss the tolls"), "{text}");
    for line in lines {
        assert!(!text.contains(line), "{line} in {text}");
    }
}
