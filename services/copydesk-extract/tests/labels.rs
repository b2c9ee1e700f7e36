//! The label over links the body leaves out: a table of contents' heading
//! goes with its links, the label of a list of other pages stays.

mod common;

use common::{assert_body, prose};

#[test]
fn a_table_of_contents_label_goes_with_its_links() {
    let html = format!(
        "<html><body><article><h1>Bridge plans</h1>{}<div><p>Table of contents</p><ul>\
         <li><a href=#cost>The cost</a></li><li><a href=#route>The route</a></li></ul></div>\
         <h2 id=cost>The cost</h2>{}<h2 id=route>The route</h2>{}</article></body></html>",
        prose("the bridge"),
        prose("the tolls"),
        prose("the road"),
    );
    assert_body(&html, &["discuss the tolls", "The route"], &["Table of contents"]);
}

#[test]
fn the_label_of_links_to_other_pages_stays() {
    let html = format!(
        "<html><body><article><h1>Bridge plans</h1>{}<div><p>Further reading</p><ul>\
         <li><a href=/ferry>The ferry</a></li><li><a href=/tunnel>The tunnel</a></li></ul></div>\
         {}</article></body></html>",
        prose("the bridge"),
        prose("the tolls"),
    );
    assert_body(&html, &["Further reading", "discuss the tolls"], &[]);
}
