//! Headline heuristics, one small page each: which text is the article's title.

mod common;

use common::{HARBOUR_STORY as BODY, title_of};

fn title(head: &str, headline: &str) -> String {
    let html = format!("<html><head>{head}</head><body><article>{headline}<div>{BODY}</div></article></body></html>");
    title_of(&html)
}

#[test]
fn a_kicker_set_in_the_headline_is_not_the_title() {
    let h1 = "<h1> <span class=\"headline headline--topline\">Auftragshoch bei FACC</span> \
        <span class=\"headline headline--colon\">: </span> \
        <span class=\"headline headline--1\">Luftfahrtbranche hebt nach Corona ab - und FACC profitiert </span></h1>";
    assert_eq!(title("<title>FACC news</title>", h1), "Luftfahrtbranche hebt nach Corona ab - und FACC profitiert");
    let h1 = "<h1><span class=h1small>Initiative EnergieEffizienz</span> Kostenloser Stromcheck für Haushalte</h1>";
    assert_eq!(title("", h1), "Kostenloser Stromcheck für Haushalte");
}

#[test]
fn spaces_left_by_joined_spans_follow_the_metadata() {
    let h2 = "<h2><span><span>Nutzerbasierte Abrechnung</span> <span class=o-VisuallyHidden>: </span></span> \
        <span>Musik-Stars fordern neues Streaming-Modell</span></h2>";
    let head =
        "<meta property=og:title content=\"Nutzerbasierte Abrechnung: Musik-Stars fordern neues Streaming-Modell\">";
    assert_eq!(title(head, h2), "Nutzerbasierte Abrechnung: Musik-Stars fordern neues Streaming-Modell");
}

#[test]
fn a_blog_name_after_the_headline_in_the_h1_is_cut() {
    let head = "<meta property=og:title content=\"Was wir über uns nicht hören wollen\">";
    assert_eq!(
        title(head, "<h1>Was wir über uns nicht hören wollen | FASSETTE.NET</h1>"),
        "Was wir über uns nicht hören wollen"
    );
}

#[test]
fn the_printed_headline_of_a_second_article_node_confirms_the_h1() {
    let head = r#"<title>Brexit: Nervenkrieg geht in nächste Runde</title>
        <script type="application/ld+json">{"@type":"NewsArticle","headline":"Brexit: Nervenkrieg geht in nächste Runde"}</script>
        <script type="application/ld+json">{"@type":"NewsArticle","headline":"Der Nervenkrieg um den Brexit geht in die nächste Runde"}</script>"#;
    let html = format!(
        "<html><head>{head}</head><body><div class=top><h1>Der Nervenkrieg um den Brexit geht in die nächste Runde</h1></div>\
         <div><div><section><div>{BODY}</div></section></div></div></body></html>"
    );
    assert_eq!(title_of(&html), "Der Nervenkrieg um den Brexit geht in die nächste Runde");
}

#[test]
fn a_heading_whose_text_sits_in_a_div_is_still_the_headline() {
    let head = "<title>Brexit: Nervenkrieg geht in nächste Runde</title>";
    let h1 = "<header><h1 itemprop=headline><div>Der Nervenkrieg um den Brexit geht in die nächste Runde</div></h1></header>";
    assert_eq!(title(head, h1), "Der Nervenkrieg um den Brexit geht in die nächste Runde");
}

#[test]
fn a_headline_field_holding_the_site_name_gives_way_to_the_next() {
    let head = "<script type=application/ld+json>{\"@type\":\"NewsArticle\",\"headline\":\"Harbour News\"}</script>\
                <meta property=og:site_name content=\"Harbour News\">\
                <meta property=og:title content=\"Quay plan splits the town\">";
    assert_eq!(title(head, ""), "Quay plan splits the town");
}

#[test]
fn the_pages_one_h1_outside_the_article_is_the_title_when_the_metadata_rewrites_it() {
    let html = |h1: &str| {
        format!(
            "<html><head><title>Top 7 Kitchen Trends | Encore Realty</title></head><body>\
             <header><h1>{h1}</h1></header><main><article><div>{BODY}</div></article></main></body></html>"
        )
    };
    let title = |h1: &str| title_of(&html(h1));
    assert_eq!(title("Top 7 Kitchen Trends from KBIS 2025"), "Top 7 Kitchen Trends from KBIS 2025");
    // A logo or a section label in the only <h1> is not.
    assert_eq!(title("Encore Realty Blog"), "Top 7 Kitchen Trends");
}

#[test]
fn a_paragraph_set_as_an_h1_is_not_the_headline() {
    let head = "<title>The Best Harbour Projects of 2023 | Example</title>";
    let h1 = "<h1>Learn which harbour projects repaid their cost? Get expert tips on how to judge a quay. \
        We'll help you learn everything you need to know about the value of your town's next project.</h1>";
    assert_eq!(title(head, h1), "The Best Harbour Projects of 2023");
    // Headlines of two sentences are still headlines.
    let h1 = "<h1>Tutoring was supposed to save the harbour. The results? 'Sobering'</h1>";
    assert_eq!(title(head, h1), "Tutoring was supposed to save the harbour. The results? 'Sobering'");
    let h1 = "<h1>Wild goats ruled this harbour for a century. Now, it's being reborn.</h1>";
    assert_eq!(title(head, h1), "Wild goats ruled this harbour for a century. Now, it's being reborn.");
}

#[test]
fn the_link_to_the_story_in_an_aggregators_h1_is_the_title() {
    let head = "<meta property=og:title content=\"Harbour plan splits the town council - Harbour News\">\
                <meta property=og:site_name content=\"Harbour News\">";
    let h1 = "<h1><span><a href=/story/1>Harbour plan splits the town council</a> \
              <span><a href=https://example.org/harbour>(example.org)</a></span></span> 87</h1>";
    assert_eq!(title(head, h1), "Harbour plan splits the town council");
}

#[test]
fn h1s_heading_the_sections_of_the_body_are_not_the_title() {
    let head = "<meta property=og:title content=\"Small adventures with small harbours\">";
    let html = format!(
        "<html><head>{head}</head><body><article><h3>Small adventures with small harbours</h3><div>\
         <h1>Small is the new large</h1>{BODY}<h1>What is a small harbour?</h1>{BODY}\
         <h1>How to get started</h1>{BODY}</div></article></body></html>"
    );
    assert_eq!(title_of(&html), "Small adventures with small harbours");
}

#[test]
fn an_h1_that_runs_two_lines_together_gives_way_to_the_metadata() {
    let head = "<meta property=og:title content=\"Best Harbour Towns: Top Quays and Piers in 2026\">";
    let h1 = "<h1>The Best Harbour Towns<span class=block>Top Quays and Piers of the Coast</span></h1>";
    assert_eq!(title(head, h1), "Best Harbour Towns: Top Quays and Piers in 2026");
}

#[test]
fn a_date_in_the_pages_one_h1_is_one_word_of_it() {
    let html = "<html><head><title>Harbour Weekly Wrap-Up</title></head><body>\
         <header><h1>Harbour Wrap-Up 12/19/2025</h1></header><main><article><div>{BODY}</div></article></main></body></html>"
        .replace("{BODY}", BODY);
    assert_eq!(title_of(&html), "Harbour Wrap-Up 12/19/2025");
}

#[test]
fn an_em_dash_the_theme_printed_for_two_hyphens_follows_the_metadata() {
    let head = "<meta property=og:title content=\"Quays Are Not Required--Simple Piers Can Do It\">";
    assert_eq!(
        title(head, "<h1>Quays Are Not Required—Simple Piers Can Do It</h1>"),
        "Quays Are Not Required--Simple Piers Can Do It"
    );
}

#[test]
fn the_pages_one_h1_that_runs_two_lines_together_gives_way_to_the_metadata() {
    let html = format!(
        "<html><head><title>Best Harbour Towns: Top Quays and Piers in 2026</title></head><body>\
         <header><h1>The Best Harbour Towns<span class=block>Top Quays and Piers of the Coast</span></h1></header>\
         <main><article><div>{BODY}</div></article></main></body></html>"
    );
    assert_eq!(title_of(&html), "Best Harbour Towns: Top Quays and Piers in 2026");
}
