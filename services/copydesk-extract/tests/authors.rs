//! Author heuristics, one small page each: who the article names as its writer.

use copydesk_extract::{Hints, extract};

fn article(html: &str) -> copydesk_extract::Article {
    extract(html.as_bytes(), &Hints::default()).map(|x| x.article).expect("the page has an article")
}

fn authors(html: &str) -> Vec<String> {
    article(html).authors.into_iter().map(|a| a.name).collect()
}

const BODY: &str = "<p>The council met on Tuesday evening to debate the plan for the harbour, which has divided \
    the town for years and drawn crowds to every meeting since the spring.</p>\
    <p>Supporters say the new quay will bring ferries back; opponents fear the cost and the traffic, and \
    several spoke at length before the vote was finally called late in the night.</p>\
    <p>The mayor said a decision would be taken before the summer, after a last round of consultation \
    with the harbour master and the fishermen who still work from the old pier.</p>";

fn page(head: &str, before: &str, after: &str) -> String {
    format!(
        "<html><head>{head}</head><body><article><header><h1>Harbour plan divides the town</h1>{before}</header>\
         <div class=entry-content>{BODY}</div>{after}</article></body></html>"
    )
}

#[test]
fn an_author_element_inside_a_date_line_is_read_and_the_line_leaves_the_body() {
    let html = page(
        "",
        "<div class=entry-meta><span class=posted-on><time datetime=2019-12-22>22. Dezember 2019</time></span> \
         <span class=\"byline author\">von <a class=\"fn n\" href=/author/pa>Peter Addor</a></span></div>",
        "",
    );
    assert_eq!(authors(&html), vec!["Peter Addor"]);
    assert!(!article(&html).text.contains("Peter Addor"));
}

#[test]
fn a_label_marked_as_author_is_skipped_for_the_name_after_it() {
    let html = page(
        "",
        "<div class=entry-meta><span class=\"meta-prep meta-prep-author\">Posted </span>\
         <time>11. April 2018</time> <span class=meta-sep> by </span>\
         <span class=\"author vcard\"><a class=\"url fn n\" href=/author/w>Walter von Aachen</a></span></div>",
        "",
    );
    assert_eq!(authors(&html), vec!["Walter von Aachen"]);
}

#[test]
fn a_user_name_with_digits_marked_rel_author_is_a_name() {
    let html = page(
        "",
        "<div class=post-header>22. Januar 2020 @ 18:13 // Autor: <a href=/author/c1ph4 rel=author>c1ph4</a> \
         // Lesezeit: 1 Minute</div>",
        "",
    );
    assert_eq!(authors(&html), vec!["c1ph4"]);
}

#[test]
fn a_name_ending_in_an_initial_is_not_a_sentence() {
    let html = page(
        r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour plan divides the town",
        "author":[{"@type":"Person","name":"Nicolas Gutierrez C."}]}</script>"#,
        "",
        "",
    );
    assert_eq!(authors(&html), vec!["Nicolas Gutierrez C."]);
}

#[test]
fn a_label_on_its_own_line_is_followed_by_the_name() {
    let html =
        page("", "<div class=names><p class=label><strong>By</strong></p><p class=full-name>Todd Bates</p></div>", "");
    assert_eq!(authors(&html), vec!["Todd Bates"]);
}

#[test]
fn a_labelled_author_line_after_the_body_is_read() {
    let html = page("", "", "<p><strong>Autorin: Uta Staschewski, Projektleiterin der HSS in Tunesien.</strong></p>");
    assert_eq!(authors(&html), vec!["Uta Staschewski"]);
}

#[test]
fn an_author_heading_after_the_body_labels_the_name_under_it() {
    let html = page("", "", "<div class=meta><h4>Autor</h4><p><a href=/profil/nh>Nikolai Huke</a>, </p></div>");
    assert_eq!(authors(&html), vec!["Nikolai Huke"]);
}

#[test]
fn a_dated_posted_by_line_names_only_the_writer() {
    let html = page(
        "",
        "<div class=postdata><span class=category>Posted by Konstantin</span> \
        <span class=date>21.10.2019</span></div>",
        "",
    );
    assert_eq!(authors(&html), vec!["Konstantin"]);
}

#[test]
fn a_picture_credit_in_a_credit_box_is_not_a_writer() {
    let html = page(
        "",
        "<div class=contributors--author>By <span>Michael Hingston</span></div>",
        "<div class=credit-byline>Photograph by Ed Marshall, Redonda Restoration Programme</div>",
    );
    assert_eq!(authors(&html), vec!["Michael Hingston"]);
}

#[test]
fn the_publisher_in_the_author_field_gives_way_to_the_creator_field() {
    let head = "<meta name=dc.publisher content=\"Harbour Press, Harbour Journals\">\
                <meta name=author content=\"Harbour Press, Harbour Journals\"><meta name=dc.creator content=\"Jane Doe\">";
    assert_eq!(authors(&page(head, "", "")), ["Jane Doe"]);
    // A visible byline still ranks above the other field.
    assert_eq!(authors(&page(head, "<p class=byline>By Ann Lee</p>", "")), ["Ann Lee"]);
}

const CJK_BODY: &str = "<p>农历春节年假长达九天，林务局管理的国家森林游乐区，除阿里山外，其余游乐区都将照常开放，预计将吸引大批游客前往踏青赏景，\
    管理单位提醒民众提早规划行程，注意山区天气变化，并遵守园区各项规定。</p>\
    <p>林务局表示，今年各游乐区都加强了步道与设施的维护，也增加了服务人力，希望让游客在假期中玩得安心又愉快，同时保护好森林资源。</p>";

#[test]
fn a_reporter_spoken_to_in_the_text_is_not_its_author() {
    let html = format!(
        "<html><body><h1>春节游乐区照常开放</h1><div>{CJK_BODY}<p>一位游客向记者介绍，她每年春节都会上山，\
         今年也已经订好了住宿，打算带着全家一起去看日出，享受难得的假期时光。</p></div></body></html>"
    );
    assert!(authors(&html).is_empty(), "{:?}", authors(&html));
    let credited = format!(
        "<html><body><h1>春节游乐区照常开放</h1><div><p>〔记者钟丽华／台北报导〕{}</p>{CJK_BODY}</div></body></html>",
        "农历春节年假长达九天，林务局管理的国家森林游乐区都将照常开放，欢迎民众前往。"
    );
    assert_eq!(authors(&credited), ["钟丽华"]);
}

#[test]
fn an_affiliation_after_the_name_is_not_a_second_author() {
    let html = format!(
        "<html><body><h1>物流配送研究</h1><div><p>作者: 赵  培：北京物资学院，北京</p>{CJK_BODY}</div></body></html>"
    );
    assert_eq!(authors(&html), ["赵培"]);
}

#[test]
fn a_link_to_the_writer_page_names_the_writer_when_nothing_else_does() {
    let html = page(
        "",
        "<div class=post-meta><img src=/avatar.jpg alt=''>\
         <a href=https://example.org/blog/author/jane-doe/>Jane Doe</a></div>",
        "<div class=more><a href=/author/jane-doe/>View all posts</a></div>",
    );
    assert_eq!(authors(&html), vec!["Jane Doe"]);
    assert!(!article(&html).text.contains("Jane Doe"));
    // Link texts that are not names, and links to other kinds of pages, name nobody.
    let html = page(
        "",
        "<p><a href=/author/jane-doe/>View all posts</a> <a href=/author/jane-doe/>Articles by Jane</a> \
         <a href=/tag/jane/>Jane Doe</a></p>",
        "",
    );
    assert!(authors(&html).is_empty(), "{:?}", authors(&html));
}

#[test]
fn a_labelled_name_in_a_box_after_the_article_is_read() {
    let html = page("", "", "")
        .replace("</article>", "</article><div class=meta-box><h3>Author</h3><p>Lisa D. Ellis</p></div>");
    assert_eq!(authors(&html), vec!["Lisa D. Ellis"]);
    // Inside boilerplate the same box names nobody.
    let html = page("", "", "").replace("</article>", "</article><nav><h3>Author</h3><p>Lisa D. Ellis</p></nav>");
    assert!(authors(&html).is_empty(), "{:?}", authors(&html));
}

#[test]
fn a_by_line_under_a_headline_above_the_body_wrapper_is_read() {
    // The meta strip sits beside the <h1>, outside the wrapper of the body,
    // and its classes read like furniture.
    let html = format!(
        "<html><body><div class=page><header class=article__header><h1>Harbour plan divides the town</h1>\
         <div class=article__meta><p class=link-faded><time>Mar 24, 2025</time></p>\
         <p class=link-faded>By Amy Wilhelm</p><a href=#comments>0 comments</a></div></header>\
         <section><div class=article-template><div class=rte>{BODY}</div></div></section></div></body></html>"
    );
    assert_eq!(authors(&html), vec!["Amy Wilhelm"]);
    assert!(!article(&html).text.contains("Amy Wilhelm"));
}

#[test]
fn an_author_label_in_a_furniture_box_inside_the_article_is_read() {
    let html = format!(
        "<html><body><h1>Harbour plan divides the town</h1><article><div>{BODY}{BODY}\
         <div class=sidebar><h3>Author</h3><p>Lisa D. Ellis</p></div></div></article>\
         <div class=sidebar><h3>Author</h3><p>Someone Else</p></div></body></html>"
    );
    assert_eq!(authors(&html), vec!["Lisa D. Ellis"]);
}

#[test]
fn a_by_line_under_the_headline_and_its_standfirst_is_read() {
    let html = format!(
        "<html><body><div class=page><header><div class=kicker>Adventure Time</div>\
         <h1>Harbour plan divides the town</h1><div class=dek>Despite what you may have heard, there has never \
         been a better time to take the ferry across the bay.</div><p>By Daniel Renfrow April 12, 2024</p></header>\
         <section><div class=post><div class=rte>{BODY}</div></div></section></div></body></html>"
    );
    assert_eq!(authors(&html), vec!["Daniel Renfrow"]);
}

#[test]
fn a_job_title_in_its_own_element_glued_to_the_name_is_cut_off() {
    let html = page(
        "",
        "<div class=article__author><span class=article__author__name>Mateusz Haberny</span>\
         <span class=article__author__position>Founder at Oakywood</span></div>",
        "",
    );
    assert_eq!(authors(&html), vec!["Mateusz Haberny"]);
}

#[test]
fn a_label_glued_to_the_name_by_markup_still_marks_it() {
    let html = page("", "<div class=meta><span class=x>By</span><span>Daryl Austin</span></div>", "");
    assert_eq!(authors(&html), vec!["Daryl Austin"]);
}

#[test]
fn an_element_classed_as_the_job_title_is_not_part_of_the_name() {
    let html = page(
        "",
        "<div class=author-line><span class=author-label>Written By:</span> \
         <span class=author-name><a href=/author/celeste-longacre>Celeste Longacre</a></span> \
         <span class=author-title>Gardener &amp; Astrologer</span></div>",
        "",
    );
    assert_eq!(authors(&html), vec!["Celeste Longacre"]);
}

#[test]
fn a_written_by_line_in_a_box_after_the_body_names_the_writer() {
    let html = page(
        "",
        "",
        "<div class=about><img src=/jr.jpg alt=\"\"><p>Written by Jane Roe</p>\
         <h5>More from Jane Roe</h5></div>",
    );
    assert_eq!(authors(&html), vec!["Jane Roe"]);
}

#[test]
fn a_posted_by_line_ends_its_name_before_the_time() {
    let html = page("", "", "<p class=signature>Posted by David at December 16, 2025 11:15 AM</p>");
    assert_eq!(authors(&html), vec!["David"]);
}

#[test]
fn a_name_over_a_paragraph_about_them_is_the_writer() {
    let html = page(
        "",
        "",
        "<div class=box><img src=/jg.jpg alt=\"\"><p>Julia Gralberg</p>\
         <p>Julia is a freelance travel writer and the editor of a hotel guide, who has covered harbours \
         and islands for twenty years.</p></div>",
    );
    assert_eq!(authors(&html), vec!["Julia Gralberg"]);
}

#[test]
fn people_an_article_profiles_are_not_its_writers() {
    let html = page(
        "",
        "",
        "<p>Jack Butcher</p><p>Jack Butcher is a conceptual artist who plays with digital scarcity and has \
         shown his work in many galleries.</p><p>Tyler Hobbs</p><p>Tyler Hobbs is a generative artist \
         whose work explores the interplay of structure and randomness.</p>",
    );
    assert!(authors(&html).is_empty());
}

#[test]
fn a_name_in_an_author_box_inside_a_widget_is_the_writer() {
    let html = page(
        "",
        "",
        "<div class=widget><div class=author-box><img src=/jr.jpg alt=\"\">\
         <h4 class=author-box__name>Jane Roe</h4></div></div>",
    );
    assert_eq!(authors(&html), vec!["Jane Roe"]);
}

#[test]
fn commenters_marked_as_authors_are_not_the_writer() {
    let html = page(
        "",
        "",
        "<div class=widget><ol class=comment-list><li><p class=comment-author>Jane Roe</p>\
         <p>Great piece, thanks.</p></li></ol></div>",
    );
    assert!(authors(&html).is_empty());
}

#[test]
fn a_byline_among_the_fields_of_a_strip_of_facts_is_read() {
    let html = page("", "<p>March 15, 2022 · 3 min read · By Jane Doe</p>", "");
    assert_eq!(authors(&html), vec!["Jane Doe"]);
    let html = page("", "<p>Ciclismo | Por: Juan Diego | Actualizado el: 19 abril 2022</p>", "");
    assert_eq!(authors(&html), vec!["Juan Diego"]);
}
