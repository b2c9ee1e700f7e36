//! Text set around an image: a caption leaves the body, a section laid out beside a picture stays.

mod common;

use common::{assert_body, prose};

fn sidebar() -> String {
    "<aside><ul><li><a href=/a>Other story one</a></li><li><a href=/b>Other story two</a></li></ul></aside>".into()
}

/// A row of two columns: a heading with its paragraph, and a picture.
fn row(heading: &str, text: &str) -> String {
    format!(
        "<div class=row><div class=col><h3>{heading}</h3><p>{text}</p></div>\
         <div class=col><p><img src=https://example.com/{}.png alt=\"{heading}\"></p></div></div>",
        heading.len()
    )
}

#[test]
fn a_section_beside_its_picture_is_body() {
    let long = "A framework gives a program a stable structure and libraries of code that can be used again, \
                so that developers spend less time on plumbing and more on the product itself. Teams that \
                share one framework also read each other's code more easily, and new members learn faster.";
    let html = format!(
        "<html><body>{}<article><h1>Frameworks</h1>{}{}{}</article></body></html>",
        sidebar(),
        prose("the budget"),
        row("Easier maintenance", long),
        prose("the tolls"),
    );
    assert_body(&html, &["discuss the budget", "Easier maintenance", "libraries of code", "discuss the tolls"], &[]);
}

#[test]
fn a_short_line_under_a_heading_beside_a_picture_is_not_body() {
    let html = format!(
        "<html><body>{}<article><h1>Frameworks</h1>{}{}{}</article></body></html>",
        sidebar(),
        prose("the budget"),
        row("Our newest guide", "How to pick a framework, in ten steps."),
        prose("the tolls"),
    );
    assert_body(&html, &["discuss the budget", "discuss the tolls"], &["ten steps"]);
}

#[test]
fn a_caption_beside_its_picture_is_not_body() {
    let html = format!(
        "<html><body>{}<article><h1>Frameworks</h1>{}<div><img src=https://example.com/a.png>\
         <div>The old bridge at dawn, seen from the north bank.</div></div>{}</article></body></html>",
        sidebar(),
        prose("the budget"),
        prose("the tolls"),
    );
    assert_body(&html, &["discuss the budget", "discuss the tolls"], &["north bank"]);
}

#[test]
fn a_line_of_prose_running_into_an_inline_picture_is_body() {
    // A short paragraph whose picture is set inline after its text: the
    // line is the article's, not the picture's caption.
    let html = format!(
        "<html><body>{}<article><h1>Frameworks</h1>{}<p><span>Tracking how the build performs is vital to \
         refining the setup. A few tools make a difference: <img src=https://example.com/a.png width=200 \
         height=180></span></p>{}</article></body></html>",
        sidebar(),
        prose("the budget"),
        prose("the tolls"),
    );
    assert_body(&html, &["discuss the budget", "A few tools make a difference:", "discuss the tolls"], &[]);
    // A caption under its picture in the same paragraph stays the picture's.
    let html = format!(
        "<html><body>{}<article><h1>Frameworks</h1>{}<p><img src=https://example.com/a.png width=200 \
         height=180><br>The old bridge at dawn, seen from the north bank of the river.</p>{}</article></body></html>",
        sidebar(),
        prose("the budget"),
        prose("the tolls"),
    );
    assert_body(&html, &["discuss the budget", "discuss the tolls"], &["north bank"]);
}

#[test]
fn a_quotation_set_as_a_figure_with_a_portrait_is_body() {
    // A testimonial: a `<figure>` holding a blockquote and its speaker's
    // portrait. The quotation is the article's, not the portrait's caption.
    let html = format!(
        "<html><body>{}<article><h1>Frameworks</h1>{}<figure><blockquote>Our website is a critical part of \
         how we reach customers, and the framework lets us add what we need quickly.</blockquote>\
         <figcaption><img src=https://example.com/face.png width=120 height=120>Jane Roe, head of marketing\
         </figcaption></figure>{}</article></body></html>",
        sidebar(),
        prose("the budget"),
        prose("the tolls"),
    );
    assert_body(&html, &["discuss the budget", "critical part of how we reach", "discuss the tolls"], &[]);
}
