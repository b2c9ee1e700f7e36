//! Hidden text: what the reader can open is the article's, what is only hidden is not.

mod common;

use common::{assert_body, prose};

fn sidebar() -> String {
    "<aside><ul><li><a href=/a>Other story one</a></li><li><a href=/b>Other story two</a></li></ul></aside>".into()
}

/// One accordion step: a button and the panel it opens, collapsed.
fn step(title: &str, panel_attrs: &str, topic: &str) -> String {
    format!(
        "<div><a role=button aria-controls=p-{title} id=h-{title}>{title}</a>\
         <div id=p-{title} {panel_attrs}>{}</div></div>",
        prose(topic)
    )
}

#[test]
fn a_collapsed_accordion_panel_is_read() {
    let html = format!(
        "<html><body>{}<article><h1>Solar steps</h1>{}{}{}</article></body></html>",
        sidebar(),
        prose("the roof"),
        step("one", "role=region aria-labelledby=h-one style=\"display: none;\"", "the permits"),
        step("two", "role=region aria-labelledby=h-two hidden", "the wiring"),
    );
    assert_body(&html, &["discuss the roof", "discuss the permits", "discuss the wiring"], &[]);
}

#[test]
fn a_panel_kept_from_screen_readers_stays_hidden() {
    let html = format!(
        "<html><body>{}<article><h1>Solar steps</h1>{}{}{}</article></body></html>",
        sidebar(),
        prose("the roof"),
        prose("the meter"),
        step("one", "role=region aria-labelledby=h-one aria-hidden=true", "a secret"),
    );
    assert_body(&html, &["discuss the roof", "discuss the meter"], &["a secret"]);
}

#[test]
fn hidden_text_no_button_opens_stays_hidden() {
    let html = format!(
        "<html><body>{}<article><h1>Solar steps</h1>{}{}{}</article></body></html>",
        sidebar(),
        prose("the roof"),
        prose("the meter"),
        step("one", "style=display:none", "a secret"),
    );
    assert_body(&html, &["discuss the roof", "discuss the meter"], &["a secret"]);
}
