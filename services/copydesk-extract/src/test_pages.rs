//! Small pages' text, and body blocks, shared by the unit tests of several rules.

use copydesk_proto::v1::{Block as PbBlock, block::Kind as PbKind};

/// A paragraph of the body, as the rules over its blocks see one.
pub(crate) fn para(text: &str) -> PbBlock {
    PbBlock { kind: PbKind::Paragraph as i32, text: text.into(), ..PbBlock::default() }
}

/// The texts of the body's blocks, in order.
pub(crate) fn texts(blocks: &[PbBlock]) -> Vec<&str> {
    blocks.iter().map(|b| b.text.as_str()).collect()
}

/// Two paragraphs of a local news story: enough article text for a small
/// page whose headline, dates or byline a test is about. (The integration
/// tests keep the same story in `tests/common`.)
pub(crate) const HARBOUR_STORY: &str = "<p>The council met on Tuesday evening to debate the plan for the harbour, which has divided \
    the town for years and drawn crowds to every meeting since the spring.</p>\
    <p>Supporters say the new quay will bring ferries back; opponents fear the cost and the traffic, and \
    several spoke at length before the vote was finally called late in the night.</p>";

/// The body text extracted from a page whose headline is the harbour
/// story's and whose `<article>` holds `inner`.
pub(crate) fn article_body(inner: &str) -> String {
    let page = format!("<html><body><h1>Harbour plan divides the town</h1><article>{inner}</article></body></html>");
    crate::extract(page.as_bytes(), &crate::Hints::default()).map(|e| e.article.text).unwrap_or_default()
}
