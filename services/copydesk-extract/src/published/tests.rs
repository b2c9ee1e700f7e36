//! Unit tests of the publication-date choice: which date a page's metadata, headline zone,
//! labelled lines and `<time>` elements give, and which the rules refuse.

use crate::{Hints, extract};

use crate::test_pages::HARBOUR_STORY as BODY;

#[test]
fn the_date_beside_the_byline_is_read() {
    let filler: String = (0..20).map(|i| format!("<div class=widget>Donate {i}</div>")).collect();
    let page = format!(
        "<html><body><h1>Harbour plan divides the town</h1><div>By Jane Doe ● June 13, 2025 ● 6 min read</div>\
         {filler}<section><div>{BODY}</div></section></body></html>"
    );
    assert_eq!(published(&page), "2025-06-13");
    let page = format!(
        "<html><body><h1>Harbour plan divides the town</h1><section><div>{BODY}\
         <p>Written by Jane Doe</p><p>April 8, 2024</p></div></section></body></html>"
    );
    assert_eq!(published(&page), "2024-04-08");
    let page = format!(
        "<html><body><h1>Harbour plan divides the town</h1><section><div>{BODY}\
         <p>Written by Jane Doe</p><p>Updated April 8, 2024</p></div></section></body></html>"
    );
    assert_eq!(published(&page), "2024-04-08", "an update is the fallback, still");
}

#[test]
fn a_labelled_date_in_a_furniture_box_inside_the_article_is_read() {
    let page = format!(
        "<html><body><h1>Harbour plan</h1><article><div>{BODY}{BODY}\
         <div class=sidebar><h3>Published</h3><p>August 30, 2024</p></div></div></article>\
         <div class=sidebar><h3>Published</h3><p>May 1, 2019</p></div></body></html>"
    );
    assert_eq!(published(&page), "2024-08-30");
}

fn published(html: &str) -> String {
    extract(html.as_bytes(), &Hints::default()).map(|e| e.article.published_local).unwrap_or_default()
}

#[test]
fn the_dateline_between_headline_and_body_is_read() {
    let page = format!(
        "<html><body><aside><p>Older story</p><p>3 March 2019</p></aside>\
         <h1>Harbour plan divides the town</h1><p class=meta>17 June 2024</p>\
         <section><div>{BODY}</div></section></body></html>"
    );
    assert_eq!(published(&page), "2024-06-17");
}

#[test]
fn a_teaser_date_far_from_the_headline_is_not() {
    let filler: String = (0..20).map(|i| format!("<li><a href=/s{i}>Story {i}</a></li>")).collect();
    let page = format!(
        "<html><body><h1>Site</h1><p>3 March 2019</p><ul>{filler}</ul>\
         <section><div>{BODY}</div></section></body></html>"
    );
    assert_eq!(published(&page), "");
}

#[test]
fn a_dateline_opening_the_first_paragraph_is_read() {
    let page = format!(
        "<html><body><h1>Harbour plan</h1><div><p>29.11.2022 – {}</p>{BODY}</div></body></html>",
        "The town council has approved the harbour plan after a long debate that ran into the night and \
         left both sides unhappy with the outcome."
    );
    assert_eq!(published(&page), "2022-11-29");
}

#[test]
fn the_day_the_dateline_shows_is_the_publishers() {
    // The CMS gives the instant in UTC; the reader sees the evening before.
    let page = |shown: &str| {
        format!(
            "<html><head><meta property=article:published_time content=2025-12-19T02:41:41Z></head>\
             <body><h1>Harbour plan</h1><p class=meta>Posted on {shown}</p><div>{BODY}</div></body></html>"
        )
    };
    // The dateline's day is taken when the URL's date is that day too.
    let hints = Hints { url: Some("https://example.com/2025/12/18/harbour-plan/".into()), ..Hints::default() };
    let at = |html: &str| extract(html.as_bytes(), &hints).map(|e| e.article.published_local).unwrap_or_default();
    assert_eq!(at(&page("December 18, 2025")), "2025-12-18");
    assert_eq!(published(&page("December 19, 2025")), "2025-12-19T02:41:41Z");
    // Without it, the instant stated in UTC keeps its day.
    assert_eq!(published(&page("December 18, 2025")), "2025-12-19T02:41:41Z");
}

#[test]
fn a_label_line_over_a_date_line_labels_it() {
    let page = format!(
        "<html><body><h1>Harbour plan</h1><p>Last updated:</p><p>1 March 2024</p><div>{BODY}</div>             <p>Published</p><p>10 February 2024</p></body></html>"
    );
    assert_eq!(published(&page), "2024-02-10");
}

#[test]
fn the_stated_offset_is_kept() {
    let page = format!(
        "<html><head><meta property=article:published_time content=2022-05-07T20:06:23-05:00></head>\
         <body><h1>Harbour plan</h1><div>{BODY}</div></body></html>"
    );
    assert_eq!(published(&page), "2022-05-07T20:06:23-05:00");
}

#[test]
fn a_labelled_date_in_the_header_over_the_body_is_read_past_a_contents_list() {
    let contents: String = (0..20).map(|i| format!("<li><a href=#s{i}>Section {i}</a></li>")).collect();
    let page = format!(
        "<html><body><main><h1>Harbour plan divides the town</h1>\
         <div class=widget><p>Published on Oct 21, 2025 Updated on Mar 9, 2026</p></div>\
         <ul>{contents}</ul><section><div>{BODY}</div></section>\
         <div><h2>Related articles</h2><p>Published on Mar 11, 2026</p></div></main></body></html>"
    );
    assert_eq!(published(&page), "2025-10-21");
}

#[test]
fn a_published_line_in_a_sidebar_dates_a_page_nothing_else_dates() {
    let sidebar = "<div class=sidebar><h4>Published</h4><time datetime=2018-11-15T12:00:00Z>15 November 2018</time>\
        <h4>Reviewed</h4><time datetime=2020-10-08T12:00:00Z>8 October 2020</time></div>";
    let page = format!("<html><body><h1>Harbour plan</h1><article><div>{BODY}</div></article>{sidebar}</body></html>");
    assert_eq!(published(&page), "2018-11-15");
}

#[test]
fn a_stated_first_publication_outranks_the_dateline() {
    let note = "<p class=note>This article was originally published on 26 Sep 2019 at 4:12pm but has been \
        regularly updated to keep the information current.</p>";
    let page = format!(
        "<html><body><h1>Harbour plan divides the town</h1><p class=meta>By Jane Doe</p><p class=meta>30 Sep 2022</p>\
         <section><div>{BODY}{note}</div></section></body></html>"
    );
    assert_eq!(published(&page), "2019-09-26");
}

#[test]
fn a_long_pitch_above_the_dateline_is_not_the_articles_prose() {
    // A sign-up pitch in the site's header is a long line of boilerplate;
    // counted as one of the article's paragraphs, it hid the dateline set in
    // a furniture strip over the body, and the metadata's later day won.
    let pitch = "Sign up to receive a copy of the weekly letter, where the editors break down the \
                 week's stories, the reading list and the tools they use every day to do the work.";
    let page = format!(
        "<html><head><script type=\"application/ld+json\">{{\"@type\":\"Article\",\
         \"datePublished\":\"2025-06-12\",\"dateModified\":\"2025-06-10\"}}</script></head><body>\
         <form><p>{pitch}</p><input name=email></form>\
         <div class=share-tools><p>November 2, 2022</p></div><section><div>{BODY}</div></section></body></html>"
    );
    assert_eq!(published(&page), "2022-11-02");
}
