//! Body-text heuristics, one small page each: what the article text must and must not hold.

mod common;

use common::{assert_body, body, prose, title_of};

fn sidebar() -> String {
    "<aside><ul><li><a href=/a>Other story one</a></li><li><a href=/b>Other story two</a></li></ul></aside>".into()
}

#[test]
fn a_header_that_holds_the_article_is_not_a_page_header() {
    let html = format!(
        "<html><body>{}<header><h1>Bridge plans</h1>{}{}{}</header></body></html>",
        sidebar(),
        prose("the bridge"),
        prose("the tolls"),
        prose("the ferry")
    );
    assert_body(&html, &["discuss the bridge", "discuss the ferry"], &[]);
}

#[test]
fn hidden_inside_a_longer_class_name_does_not_hide_the_text() {
    let html = format!(
        "<html><body>{}<div class=\"field field--label-hidden\">{}</div>\
         <div class=\"field field--label-hidden\">{}</div><div class=\"hidden\">{}</div></body></html>",
        sidebar(),
        prose("the bridge"),
        prose("the tolls"),
        prose("a secret")
    );
    assert_body(&html, &["discuss the bridge", "discuss the tolls"], &["a secret"]);
}

#[test]
fn a_layout_box_named_like_a_sidebar_around_the_main_content_is_kept() {
    let html = format!(
        "<html><body><div class=\"post-wrap has-sidebar-right\"><div itemprop=\"articleBody\">{}</div>\
         <div class=\"widget\"><p>Short widget text here.</p></div></div></body></html>",
        prose("the bridge"),
    );
    assert_body(&html, &["discuss the bridge"], &[]);
}

#[test]
fn copyright_notices_are_not_the_article() {
    let legal = "<div class=\"bottom\"><p>© 2012 Example News Agency. All material on this site is protected; \
                 reproduction in whole or in part without the written consent of the editors is forbidden, \
                 and the editors are not responsible for the content of reader comments or of linked sites, \
                 nor for the opinions of columnists, which are their own and do not reflect ours.</p>\
                 <p>Copyright Example News Agency, all rights reserved.</p></div>";
    let html = format!("<html><body><div class=\"story\">{}</div>{legal}</body></html>", prose("the bridge"));
    assert_body(&html, &["discuss the bridge"], &["Example News Agency"]);
}

#[test]
fn an_article_printed_twice_by_the_template_is_kept_once() {
    let article = format!("{}{}", prose("the bridge"), prose("the tolls"));
    let html = format!(
        "<html><body><div class=\"box\"><div class=\"a\">{article}</div><div class=\"b\">{article}</div></div></body></html>"
    );
    let text = body(&html);
    assert_eq!(text.matches("discuss the bridge").count(), 1, "{text}");
    assert!(text.contains("discuss the tolls"), "{text}");
}

#[test]
fn a_carousel_cloned_for_its_loop_is_read_once() {
    // The slides are list items, so the walk's own repeat rule (long
    // paragraphs under another parent) lets the clones through.
    let quotes = [
        "This newsletter is the one I open first every month, and I learn something new and useful from each issue.",
        "Clear, practical and grounded in research: exactly what I hoped for when I signed up for it last spring.",
        "I have changed how I sleep and train because of what I read here, and I feel much better for it every day.",
        "Every issue is worth the wait: short, careful and honest about what the studies do and do not show.",
    ];
    let slides: String = quotes.iter().map(|q| format!("<li>{q}</li>")).collect();
    let html = format!(
        "<html><body><div class=\"story\">{}{}<ul class=\"track\">{slides}{slides}</ul></div></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    let text = body(&html);
    for q in quotes {
        assert_eq!(text.matches(q).count(), 1, "{text}");
    }
    assert!(text.contains("discuss the tolls"), "{text}");
}

#[test]
fn a_list_of_bare_addresses_is_not_the_article() {
    // Printed as text, one address a line: the walk keeps them as lines.
    let html = format!(
        "<html><body><div class=\"story\">{}{}<p>Article sources:</p>\
         <p>https://example.com/reports/2024-bridge-survey<br>https://example.org/tolls?utm_source=news</p>\
         </div></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    assert_body(&html, &["discuss the tolls"], &["https://example.com/reports", "https://example.org/tolls"]);
}

#[test]
fn a_paragraph_the_author_repeats_is_kept_twice() {
    let html = format!(
        "<html><body><div class=\"story\">{}{}{}</div></body></html>",
        prose("the bridge"),
        prose("the tolls"),
        prose("the bridge")
    );
    assert_eq!(body(&html).matches("discuss the bridge").count(), 2);
}

#[test]
fn a_page_of_short_lines_still_has_a_body() {
    let html = "<html><body><nav><a href=/>Home</a> <a href=/x>About</a></nav><div class=\"entry\">\
                <h3>Cameras</h3><p>Widelux F7.</p><p>Pentax Z-1.</p><h3>Film</h3><p>Fuji 400.</p></div>\
                </body></html>";
    assert_body(html, &["Pentax Z-1.", "Fuji 400."], &["About"]);
}

#[test]
fn a_page_wrapped_in_a_navigation_class_still_has_a_body() {
    let html = "<html><body><div class=\"nav\"><div class=\"title\">Pandas move in together</div>\
                <div class=\"text\">成都大熊猫繁育研究基地的12只大熊猫幼仔近日告别母亲开始群体生活。2011年，中国共成功繁育了21只大熊猫。</div>\
                </div></body></html>";
    assert_body(html, &["大熊猫幼仔"], &[]);
}

#[test]
fn an_article_split_over_boxes_each_named_like_a_widget_is_read() {
    // A page builder calls every box a widget: no prose is left outside
    // such names, so they are not believed; a <nav> still is.
    let box_of = |topic: &str| format!("<div class=\"builder-widget widget-text\">{}</div>", prose(topic));
    let html = format!(
        "<html><body><nav><a href=/>Home</a> <a href=/x>About us</a></nav><div class=entry>{}{}{}</div></body></html>",
        box_of("the bridge"),
        box_of("the tolls"),
        box_of("the ferry")
    );
    assert_body(&html, &["discuss the bridge", "discuss the ferry"], &["About us"]);
    // Where prose stands outside them, a widget is furniture as before.
    let html =
        format!("<html><body><div class=entry>{}</div>{}</body></html>", prose("the bridge"), box_of("the gala"));
    assert_body(&html, &["discuss the bridge"], &["the gala"]);
}

#[test]
fn a_segment_react_streams_in_a_hidden_box_is_read() {
    let html = format!(
        "<html><body><div>Loading...</div><template id=\"B:0\"></template>\
         <div hidden id=\"S:0\"><article>{}{}</article></div><div hidden id=\"menu\">{}</div></body></html>",
        prose("the bridge"),
        prose("the tolls"),
        prose("a secret")
    );
    assert_body(&html, &["discuss the bridge", "discuss the tolls"], &["a secret"]);
}

#[test]
fn a_list_of_links_a_sentence_announces_is_part_of_the_article() {
    let links = |n: usize| {
        (0..n).map(|i| format!("<li><a href=/p{i}>libfoo: fix the parser for case {i}</a></li>")).collect::<String>()
    };
    let html = format!(
        "<html><body><article>{}<p>Many patches were sent for review this month:</p><ul>{}</ul>{}\
         <p>Read more:</p><ul><li><a href=/x>Another story about the harbour</a></li></ul></article></body></html>",
        prose("the bridge"),
        links(12),
        prose("the tolls")
    );
    assert_body(
        &html,
        &["libfoo: fix the parser for case 0", "case 11", "discuss the bridge", "discuss the tolls"],
        &["Another story"],
    );
}

#[test]
fn an_article_split_into_boxes_between_link_lists_is_read_whole() {
    // One card per product, each followed by a long list of shop links: the
    // lists outweigh any two cards together, yet the cards are one article.
    let links = (0..20).map(|i| format!("<li><a href=/s{i}>Another shop that sells it, number {i}</a></li>"));
    let links: String = links.collect();
    let card = |topic: &str| format!("<div class=card>{}{}</div>", prose(topic), prose(topic));
    let html = format!(
        "<html><body>{}<div class=list>{}<ul>{links}</ul>{}<ul>{links}</ul>{}</div></body></html>",
        sidebar(),
        card("the kettle"),
        card("the toaster"),
        card("the blender")
    );
    assert_body(&html, &["the kettle", "the toaster", "the blender"], &["Other story", "Another shop"]);
}

/// One reader comment: a stamped line and a paragraph, alike for every comment.
fn comment(who: &str, said: &str) -> String {
    format!(
        "<div class=\"op\"><div>~{who} [2012-01-24 19:23]</div><p>{said} I have read this twice and I still think \
         the council is wrong about all of it, as it was wrong last year and the year before that.</p><p>reply</p></div>"
    )
}

#[test]
fn reader_comments_are_not_the_article() {
    let comments: String = ["ann", "bob", "cy", "dee"].iter().map(|w| comment(w, "Nonsense.")).collect();
    let html = format!(
        "<html><body><div class=\"story\"><h1>Bridge</h1>{}</div><div class=\"ops\">{comments}</div></body></html>",
        prose("the bridge")
    );
    assert_body(&html, &["discuss the bridge"], &["Nonsense"]);
}

#[test]
fn a_dated_article_among_dated_teasers_is_kept() {
    let teaser = |t: &str| format!("<div class=\"box\"><p>5 May 2022 05:30</p><p>{t} in brief.</p></div>");
    let html = format!(
        "<html><body><div class=\"box\"><p>6 May 2022 05:30</p>{}{}{}</div>{}{}{}</body></html>",
        prose("the bridge"),
        prose("the tolls"),
        prose("the ferry"),
        teaser("Roads"),
        teaser("Rail"),
        teaser("Weather")
    );
    assert_body(&html, &["discuss the bridge", "discuss the ferry"], &[]);
}

#[test]
fn an_article_wrapped_in_one_link_is_prose() {
    let sentence = "The council met on Tuesday to discuss the bridge, and residents asked for a plan. ";
    let html = format!(
        "<html><body><ul><li><a href=/a>Home</a></li><li><a href=/b>News</a></li></ul>\
         <div class=\"intro\"><a href=\"/story\">{}<br><br>{}</a></div></body></html>",
        sentence.repeat(10),
        sentence.repeat(10)
    );
    assert_body(&html, &["discuss the bridge"], &[]);
}

#[test]
fn related_links_headings_and_follow_lines_are_not_the_article() {
    let html = format!(
        "<html><body><div class=\"story\">{}{}<h3>Mehr zum Thema</h3><p>Lesen Sie auch:</p>\
         <p>NOTAS RELACIONADAS</p><p>Follow us on Twitter and Facebook for more.</p></div></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    let text = body(&html);
    assert!(text.contains("discuss the tolls"), "{text}");
    for line in ["Mehr zum Thema", "Lesen Sie auch", "NOTAS", "Follow us"] {
        assert!(!text.contains(line), "{line} in {text}");
    }
}

#[test]
fn ruby_readings_stay_out_of_the_text() {
    let para = "<p><ruby>子<rt>こ</rt></ruby>どもへの<ruby>虐待<rp>(</rp><rt>ぎゃくたい</rt><rp>)</rp></ruby>\
                をなくすための法律ができて、親が子どもを教育するために、体罰をしてはいけないと決まりました。</p>";
    let html = format!("<html><body><article>{}</article></body></html>", para.repeat(3));
    assert_body(&html, &["子どもへの虐待をなくすための法律"], &[]);
}

#[test]
fn a_standfirst_above_the_body_that_repeats_the_description_opens_the_text() {
    let lead = "Residents asked for a clear plan for the old bridge, and the council promised one within a month.";
    // Link lists around the lead keep its box out of the article's container.
    let links = "<ul><li><a href=/a>Other news of the region today</a></li></ul>".repeat(8);
    let html = format!(
        "<html><head><meta name=\"description\" content=\"{lead}\"></head><body><div class=\"top\">\
         <h1>Bridge plans</h1><p>{lead}</p><p>Weather: sunny and mild across the region today.</p>{links}</div>\
         <div class=\"story\">{}{}</div></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    let text = body(&html);
    assert!(text.starts_with(lead), "{text}");
    assert!(!text.contains("Weather"), "{text}");
}

#[test]
fn a_drop_cap_in_its_own_box_joins_its_paragraph() {
    let html = format!(
        "<html><body><div class=\"story\"><div class=\"cap\">T</div><p>he council met on Tuesday to discuss \
         the bridge, and residents asked for a clear plan and a budget before the spring.</p>{}</div></body></html>",
        prose("the tolls")
    );
    let text = body(&html);
    assert!(text.starts_with("The council met on Tuesday"), "{text}");
}

#[test]
fn the_headline_opening_the_article_is_its_title_not_its_text() {
    let html = format!(
        "<html><head><title>Bridge plans approved</title></head><body><article><h1>Bridge plans approved</h1>\
         {}<h2>Bridge plans approved</h2>{}</article></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    assert_eq!(title_of(&html), "Bridge plans approved");
    let text = body(&html);
    assert!(text.starts_with("The council met on Tuesday to discuss the bridge"), "{text}");
    // Further down, the same words are a section of the article.
    assert_eq!(text.matches("Bridge plans approved").count(), 1, "{text}");
}

#[test]
fn a_marked_intro_below_the_headline_above_the_body_opens_the_text() {
    let intro = "Residents asked for a clear plan for the old bridge, and the council promised one within a month.";
    let html = format!(
        "<html><head><title>Bridge plans approved</title></head><body><nav><h1>Example News</h1></nav>\
         <header><h1>Bridge plans approved</h1><div class=\"article-intro\">{intro}</div></header>\
         <div class=\"story\">{}{}</div></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    let text = body(&html);
    assert!(text.starts_with(intro), "{text}");
    assert!(!text.contains("Bridge plans approved"), "{text}");
    assert!(!text.contains("Example News"), "{text}");
}

#[test]
fn an_image_inline_in_a_paragraph_of_prose_leaves_the_paragraph_in_the_text() {
    let html = format!(
        "<html><body><div class=\"story\">{}<p><img src=\"https://example.com/bridge.jpg\" width=\"600\" height=\"400\">The old \
         bridge, closed since the flood, will reopen to walkers in May while engineers finish the deck \
         and the railings, the council said.</p>\
         {}</div></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    assert_body(&html, &["will reopen to walkers in May"], &[]);
}

#[test]
fn a_headline_printed_above_and_in_the_article_is_left_to_the_title() {
    let html = format!(
        "<html><head><title>Bridge plans approved</title></head><body><header><h1>Bridge plans approved</h1></header>\
         <article><h1>Bridge plans approved</h1>{}{}</article></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    assert_eq!(body(&html).matches("Bridge plans approved").count(), 0, "{}", body(&html));
}

#[test]
fn live_commentary_is_the_article_but_reader_comments_are_not() {
    let entry = |minute: u32, topic: &str| {
        format!(
            "<div class=\"live-match-comment\"><div class=\"live-match-comment-time\">{minute}'</div>\
             <div class=\"live-match-comment-body\">{}</div></div>",
            prose(topic)
        )
    };
    let html = format!(
        "<html><body>{}<div class=\"live-match-comments\">{}{}{}</div>\
         <div class=\"comments\"><div class=\"comment\">{}</div></div></body></html>",
        sidebar(),
        entry(90, "the final whistle"),
        entry(75, "the equaliser"),
        entry(60, "the opening goal"),
        prose("a reader's grudge"),
    );
    assert_body(&html, &["discuss the final whistle", "discuss the opening goal"], &["a reader's grudge"]);
}

#[test]
fn a_forms_success_and_failure_messages_are_not_the_article() {
    let html = format!(
        "<html><body><article>{}{}<div class=\"w-form\"><form><p>Get our letter</p></form>\
         <div class=\"w-form-done\"><div>Thank you, we have it and will write back to you within a day or two.</div></div>\
         <div class=\"form-error\"><div>Oops, that did not go through; please try once more in a minute.</div></div>\
         </div></article></body></html>",
        prose("the bridge"),
        prose("the tolls")
    );
    assert_body(&html, &["discuss the bridge", "discuss the tolls"], &["write back", "once more"]);
}

#[test]
fn a_box_named_like_a_widget_that_holds_the_articles_prose_is_kept() {
    let card = |topic: &str| {
        format!("<div class=\"ck-widget grid\"><h6>{topic}</h6>{}{}</div>", prose(topic), prose("the budget"))
    };
    let html = format!(
        "<html><body>{}<article>{}{}{}{}</article></body></html>",
        sidebar(),
        prose("the bridge"),
        card("the tolls"),
        card("the ferry"),
        card("the pier")
    );
    assert_body(&html, &["discuss the tolls", "discuss the pier"], &[]);
}

/// A roundup's products, each in a box named like a widget: one whose specs,
/// pros and cons and prices outweigh a little more of its prose is the same
/// kind of box as its neighbours that hold the article's prose, and as much
/// the article's.
#[test]
fn a_box_repeating_a_widget_that_holds_the_articles_prose_is_kept() {
    let specs = "<ul><li>Processor: a fast six-core chip</li><li>Graphics: a midrange card</li>\
                 <li>Memory: sixteen gigabytes</li><li>Storage: one terabyte drive</li>\
                 <li>Display: fifteen inches, matte</li><li>Battery life: about four hours</li></ul>";
    let extras = "<p>Pros</p><p>Stylish chassis</p><p>Great performance</p><p>Cons</p><p>Dull, muddy screen</p>\
                  <p>Loud when gaming</p><p>Poor webcam</p><p>Buy now for $949.00</p>";
    let product = |name: &str, topic: &str, lists: &str| {
        format!(
            "<div class=\"c-product-widget\"><div>{name}</div>{lists}{}{}</div>",
            prose(topic),
            prose(&format!("{topic} again"))
        )
    };
    let html = format!(
        "<html><body>{}<article>{}{}{}{}</article></body></html>",
        sidebar(),
        prose("the bridge"),
        product("Laptop one", "the tolls", ""),
        product("Laptop two", "the ferry", &format!("{specs}{extras}")),
        product("Laptop three", "the pier", "")
    );
    assert_body(
        &html,
        &["discuss the tolls", "discuss the ferry", "Battery life: about four hours", "discuss the pier"],
        &[],
    );
}

/// A short heading ending in a colon, set in the article's flow right after
/// a sentence of its prose, announces the article's own list of linked
/// picks; the same words heading a box of links of their own do not.
#[test]
fn a_short_heading_in_the_flow_announces_the_articles_linked_list() {
    let picks = "<ul><li><h2><a href=https://shop.example/a>Fluke 117</a></h2></li>\
                 <li><h2><a href=https://shop.example/b>Klein Tools MM400</a></h2></li></ul>";
    let html = format!(
        "<html><body>{}<article>{}<h3>1. Multimeter</h3>{}<h4>Top Expert Recommendations:</h4>{picks}{}</article></body></html>",
        sidebar(),
        prose("the bridge"),
        prose("the meters"),
        prose("the tolls")
    );
    assert_body(&html, &["discuss the meters", "Fluke 117", "Klein Tools MM400", "discuss the tolls"], &[]);
    let html = format!(
        "<html><body>{}<article>{}{}<div class=links><h4>More on meters:</h4>{picks}</div>{}</article></body></html>",
        sidebar(),
        prose("the bridge"),
        prose("the meters"),
        prose("the tolls")
    );
    assert_body(&html, &["discuss the meters", "discuss the tolls"], &["Fluke 117"]);
}

#[test]
fn what_follows_a_related_posts_heading_is_not_the_article() {
    let html = format!(
        "<html><body><article><h2>The plan</h2>{}{}<h3>Related posts</h3>{}<h2>The vote</h2>{}</article></body></html>",
        prose("the bridge"),
        prose("the tolls"),
        prose("last year's ferry"),
        prose("the pier")
    );
    assert_body(&html, &["discuss the bridge", "discuss the pier"], &["last year's ferry"]);
}

/// A listicle's section titles that link to each product are the article's
/// headings; a list of teaser headlines set into the article is not.
#[test]
fn linked_section_headings_are_kept_and_teaser_headlines_are_not() {
    let teasers = "<ul><li><a href=/t1><h3>Another story from the desk</h3></a></li>\
                   <li><a href=/t2><h3>Yet another story from the desk</h3></a></li></ul>";
    let html = format!(
        "<html><body><article>{}<h2><a href=https://tool.example/>Tool One</a></h2>{}{teasers}{}\
         <h2><a href=https://other.example/>Tool Two</a></h2>{}</article></body></html>",
        prose("the list"),
        prose("the first tool"),
        prose("the price"),
        prose("the second tool")
    );
    assert_body(&html, &["Tool One", "Tool Two", "discuss the second tool"], &["Another story", "Yet another"]);
}

/// A list of links between two paragraphs of the article is its text (the
/// resources it names); one linked line set between them is a "read more".
#[test]
fn a_list_of_links_in_the_flow_of_the_article_is_kept() {
    let html = format!(
        "<html><body><article>{}<ul><li><a href=/a>The first guide</a></li><li><a href=/b>The second guide</a></li></ul>\
         {}<ul><li><a href=/c>Read the latest news about the bridge</a></li></ul>{}</article></body></html>",
        prose("the guides"),
        prose("the tolls"),
        prose("the ferry")
    );
    assert_body(&html, &["The first guide", "The second guide", "discuss the ferry"], &["latest news"]);
}

/// A call-to-action box set into the article ("inline-cta", "cta__box") is
/// the publisher's pitch, not the article; a wrapper so named around the
/// article itself is not furniture.
#[test]
fn a_call_to_action_box_in_the_article_is_dropped() {
    let pitch = "<div class=\"container inline-cta\"><div class=\"cta-text\"><h3>Thinking of selling your business?</h3>\
                 <p>Get a free, tailored valuation and readiness assessment from our team. Sell when you are ready, \
                 not a minute before.</p></div><a class=\"btn\" href=/valuation>Get started</a></div>";
    let html = format!(
        "<html><body><div class=\"page has-cta\"><article>{}{}{pitch}{}</article></div></body></html>",
        prose("the bridge"),
        prose("the tolls"),
        prose("the ferry")
    );
    assert_body(&html, &["discuss the bridge", "discuss the ferry"], &["selling your business", "tailored valuation"]);
}

/// A heading's id made from its own words ("h-how-to-share-your-social-posts")
/// is its anchor: the words "share" and "social" in it do not make the
/// heading furniture. An id that names the heading's role still counts (and
/// closes the article there).
#[test]
fn a_heading_whose_id_is_its_own_words_is_kept() {
    let html = format!(
        "<html><body><article>{}<h2 id=\"h-how-to-share-your-social-posts\">How to share your social posts</h2>{}\
         <h2 id=\"related-posts-title\">More from the harbour desk</h2>{}</article></body></html>",
        prose("the bridge"),
        prose("the tolls"),
        prose("the ferry")
    );
    assert_body(&html, &["How to share your social posts", "discuss the tolls"], &["More from the harbour desk"]);
}
