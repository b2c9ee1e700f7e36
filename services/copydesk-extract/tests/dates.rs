//! Publication dates, one small page each: which date on a page is the
//! article's, and which day it falls on for its publisher.

use chrono::{TimeZone, Utc};
use copydesk_extract::{Hints, extract};

mod common;

use common::HARBOUR_STORY as BODY;

fn published_with(html: &str, hints: &Hints) -> String {
    extract(html.as_bytes(), hints).map(|x| x.article.published_local).unwrap_or_else(|e| format!("error: {e}"))
}

fn published(html: &str) -> String {
    published_with(html, &Hints::default())
}

fn at_url(html: &str, url: &str) -> String {
    published_with(html, &Hints { url: Some(url.to_string()), ..Hints::default() })
}

#[test]
fn a_utc_instant_is_dated_on_the_publishers_day() {
    let page = format!(
        "<html><head><meta property=article:published_time content=2022-05-04T00:44:52Z></head>\
         <body><h1>Harbour plan</h1><div>{BODY}</div></body></html>"
    );
    // 00:44 UTC on the 4th is the evening of the 3rd in Brazil...
    assert_eq!(at_url(&page, "https://www.gazeta.com.br/x"), "2022-05-03T21:44:52-03:00");
    // ...and nothing can be said for a domain that names no country.
    assert_eq!(at_url(&page, "https://news.example.com/x"), "2022-05-04T00:44:52Z");
}

#[test]
fn a_labelled_line_far_from_the_headline_dates_the_page() {
    let cells: String = (0..12).map(|i| format!("<td><a href=/c{i}>栏目{i}</a></td>")).collect();
    let page = format!(
        "<html><body><table><tr><td><h1>港口计划引发争议</h1></td></tr><tr>{cells}</tr>\
         <tr><td>时间：2004年10月21日14:18 作者：郭励弘</td></tr>\
         <tr><td><div>{BODY}</div></td></tr></table></body></html>"
    );
    assert_eq!(published(&page), "2004-10-21T14:18:00");
}

#[test]
fn an_update_line_does_not_outrank_the_byline_date() {
    let page = format!(
        "<html><body><div class=meta>Par <a href=/a/x>Loïc Le Clerc</a> | 30 septembre 2018</div>\
         <h2>Harbour plan divides the town</h2><div><p><i>Article mis à jour le 7 janvier 2020.</i></p>{BODY}</div>\
         </body></html>"
    );
    assert_eq!(published(&page), "2018-09-30");
}

#[test]
fn an_update_line_is_the_last_resort() {
    let page = format!(
        "<html><body><h1>Harbour plan</h1><div>{BODY}</div>\
         <p><b>Aktualisiert am </b>17.01.2021.</p></body></html>"
    );
    assert_eq!(published(&page), "2021-01-17");
}

#[test]
fn a_date_in_the_headline_is_its_topic() {
    let page = format!(
        "<html><body><h3>Race winners of the weekend (2020/7/11-12), eighteen horses in all</h3>\
         <div>2020年07月12日 | Sales news</div><div>{BODY}</div></body></html>"
    );
    assert_eq!(published(&page), "2020-07-12");
}

#[test]
fn a_caption_dates_the_photo_not_the_article() {
    let caption = "A long caption about the photograph, which was taken on 3 March 2019 at the harbour, \
        where the ferries used to call before the quay was closed and the traffic moved to the bypass road.";
    let lead = "29.11.2022 – The town council has approved the harbour plan after a long debate that ran \
        into the night and left both sides unhappy with the outcome of the vote.";
    let first = "The harbour has divided the town for years: supporters say a new quay will bring the ferries \
        back, opponents fear the cost and the traffic, and every meeting since the spring has drawn a crowd.";
    // Without the caption the lead is the second long paragraph, where datelines are read.
    let page = format!(
        "<html><body><h1>Harbour plan</h1><div><figure><img src=/a.jpg><figcaption>{caption}</figcaption></figure>\
         <p>{first}</p><p>{lead}</p></div></body></html>"
    );
    assert_eq!(published(&page), "2022-11-29");
}

#[test]
fn a_two_digit_year_in_a_byline() {
    let page = format!(
        "<html><body><h1>Harbour plan</h1><div class=article-meta>Von: Björn Jahner | 31.10.23</div>\
         <div>{BODY}</div></body></html>"
    );
    assert_eq!(published(&page), "2023-10-31");
}

#[test]
fn a_relative_time_counts_back_from_the_capture() {
    let page =
        format!("<html><body><h1>Harbour plan</h1><p class=date>вчера, 14:30</p><div>{BODY}</div></body></html>");
    let hints = Hints { fetched_at: Some(Utc.with_ymd_and_hms(2024, 6, 17, 9, 0, 0).unwrap()), ..Hints::default() };
    assert_eq!(published_with(&page, &hints), "2024-06-16T14:30:00");
    assert_eq!(published(&page), "", "without the capture time a relative date is no date");
}

#[test]
fn teaser_dates_far_above_the_body_are_not_the_articles() {
    let teasers: String = (1..=9)
        .map(|i| format!("<footer><p>0{i}. Juli 2020</p></footer><h3><a href=/t{i}>Teaser {i}</a></h3>"))
        .collect();
    let filler: String = (0..12).map(|i| format!("<p>Short line {i}</p>")).collect();
    let page = format!("<html><body><div>{teasers}{filler}<div>{BODY}</div></div></body></html>");
    assert_eq!(published(&page), "");
}

#[test]
fn a_wrappers_own_text_opens_the_window_only_when_the_wrapper_is_small() {
    // The byline's wrapper holds a badge first and its own text after it.
    let page = format!(
        "<html><body><div class=crumbs><div>CC</div>Accueil | Par Loïc Le Clerc | 30 septembre 2018</div>\
         <h2>Harbour plan divides the town</h2><section><div>{BODY}</div></section></body></html>"
    );
    assert_eq!(published(&page), "2018-09-30");
    // The page layout's own text near the body does not reach back to the
    // masthead's "today's date".
    let links: String = (0..70).map(|i| format!("<li><a href=/s{i}>Section {i}</a></li>")).collect();
    let page = format!(
        "<html><body><div id=layout><div class=top>Miércoles, 15 de Abril de 2020</div><ul>{links}</ul>\
         <section><div>{BODY}</div></section>Portada</div></body></html>"
    );
    assert_eq!(published(&page), "");
}

#[test]
fn the_date_an_account_or_blog_began_is_not_the_articles() {
    let page = format!(
        "<html><body><div class=profile><div>Blog: Harbour Watch</div><div>建立于:2004年10月6日</div></div>\
         <div><h2>港口计划</h2><div>harbourfan 发表于 2005-9-15 11:46:00</div>{BODY}</div></body></html>"
    );
    assert_eq!(published(&page), "2005-09-15T11:46:00");
}

#[test]
fn a_date_inside_a_sentence_of_the_body_is_its_topic() {
    let sentence =
        "The end of the consultation for most residents of the town is April 15, 2025, when the plan goes back.";
    assert!((101..=150).contains(&sentence.chars().count()));
    let page = format!(
        "<html><body><h1>Harbour plan divides the town</h1><div><h2>Key dates</h2><p>{sentence}</p>{BODY}</div>\
         <footer><p>Last reviewed</p><time datetime=2025-01-17>Jan. 17, 2025</time></footer></body></html>"
    );
    assert_eq!(published(&page), "2025-01-17");
}

#[test]
fn a_dateline_in_the_header_inside_the_bodys_wrapper_replaces_a_declared_day_never_shown() {
    // Headline, standfirst, writer and reading time share the body's wrapper:
    // lines of a header, not paragraphs, stand above the dateline.
    let page = format!(
        "<html><head><meta property=article:published_time content=2024-08-07T12:01:51Z></head><body>\
         <article><h1>Harbour plan divides the town</h1><h2>What the council decided, and why</h2>\
         <p>Jane Doe</p><p>Follow</p><p>7 min read · Dec 30, 2013</p>{BODY}</article></body></html>"
    );
    assert_eq!(published(&page), "2013-12-30");
}

#[test]
fn teaser_dates_below_the_body_leave_the_dateline_above_it() {
    // The dateline shares a tool strip with the share buttons; the teasers
    // stand in an aside after the body, in the same wrapper.
    let teasers: String =
        (11..=18).map(|d| format!("<p><a href=/t{d}>Teaser {d}</a></p><p>December {d}, 2025</p>")).collect();
    let page = format!(
        "<html><body><h1>Harbour plan divides the town</h1><div>\
         <div role=toolbar><p>November 2, 2022</p><a href=/share>Share</a></div>\
         <div>{BODY}</div><aside>{teasers}</aside></div></body></html>"
    );
    assert_eq!(published(&page), "2022-11-02");
}
