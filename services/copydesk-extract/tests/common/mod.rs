//! Helpers shared by the extraction tests: where the corpus is, a stable
//! text rendering of an `Article` for golden files, and small-page helpers.

#![allow(dead_code, unreachable_pub)]

use std::fmt::Write;
use std::path::PathBuf;

use copydesk_extract::{Article, Hints, extract};

/// The extracted body text of an HTML page.
pub fn body(html: &str) -> String {
    extract(html.as_bytes(), &Hints::default()).map(|x| x.article.text).unwrap_or_else(|e| format!("error: {e}"))
}

/// Asserts that a page's body text holds every `kept` text and none of the
/// `dropped` ones, showing the whole body when it does not.
pub fn assert_body(html: &str, kept: &[&str], dropped: &[&str]) {
    let text = body(html);
    for k in kept {
        assert!(text.contains(k), "{k:?} is missing from the body:\n{text}");
    }
    for d in dropped {
        assert!(!text.contains(d), "{d:?} is kept in the body:\n{text}");
    }
}

/// The extracted title of an HTML page.
pub fn title_of(html: &str) -> String {
    extract(html.as_bytes(), &Hints::default()).map(|x| x.article.title).unwrap_or_else(|e| format!("error: {e}"))
}

/// A paragraph of plain prose, long enough to count as article text.
pub fn prose(topic: &str) -> String {
    format!(
        "<p>The council met on Tuesday to discuss {topic}. Members heard from residents, who asked for a clear \
         plan and a budget before the spring, and the chair promised an answer within a month.</p>"
    )
}

/// Two paragraphs of a local news story: enough article text for a small
/// page whose headline, dates or byline a test is about.
pub const HARBOUR_STORY: &str = "<p>The council met on Tuesday evening to debate the plan for the harbour, which has divided \
    the town for years and drawn crowds to every meeting since the spring.</p>\
    <p>Supporters say the new quay will bring ferries back; opponents fear the cost and the traffic, and \
    several spoke at length before the vote was finally called late in the night.</p>";

/// `shared/corpus` beside the checkout, as on developer machines and in CI.
pub fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(dir.is_dir(), "the annotated corpus is expected at {}; tests need it", dir.display());
    dir
}

fn cut(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out.replace('\n', "⏎")
}

fn time(t: &Option<copydesk_proto::Timestamp>) -> String {
    t.and_then(|t| t.to_datetime()).map(|d| d.to_rfc3339()).unwrap_or_default()
}

/// Everything a reviewer needs to see change: metadata in full, each block's
/// opening, and the hash of the whole text (so any body change shows).
pub fn render(a: &Article) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "title: {}", a.title);
    let _ = writeln!(o, "url: {}\ncanonical: {}\nsite: {} ({})", a.url, a.canonical_url, a.site, a.site_name);
    let _ = writeln!(o, "language: {}", a.language);
    for au in &a.authors {
        let _ = writeln!(o, "author: {} | role: {} | affiliation: {}", au.name, au.role, au.affiliation);
    }
    let _ = writeln!(
        o,
        "published: {} (as stated: {})\nmodified: {}\nfetched: {}",
        time(&a.published_at),
        a.published_local,
        time(&a.modified_at),
        time(&a.fetched_at)
    );
    let _ = writeln!(o, "description: {}", cut(&a.description, 160));
    let _ = writeln!(o, "section: {}\ntags: {}", a.section, a.tags.join(", "));
    let _ = writeln!(o, "words: {}\nhash: {}", a.word_count, a.content_hash);
    for w in &a.warnings {
        let _ = writeln!(o, "warning: {w}");
    }
    let _ = writeln!(o, "blocks:");
    for b in &a.blocks {
        let kind = match b.kind() {
            copydesk_proto::v1::block::Kind::Paragraph => "P".to_string(),
            copydesk_proto::v1::block::Kind::Heading => format!("H{}", b.level),
            copydesk_proto::v1::block::Kind::Quote => "Q".into(),
            copydesk_proto::v1::block::Kind::ListItem => "LI".into(),
            copydesk_proto::v1::block::Kind::Image => format!("IMG #{}", b.image_index),
            copydesk_proto::v1::block::Kind::Preformatted => "PRE".into(),
            copydesk_proto::v1::block::Kind::Unspecified => "?".into(),
        };
        let _ = writeln!(o, "  {kind} {}", cut(&b.text, 90));
    }
    for (i, im) in a.images.iter().enumerate() {
        let _ = writeln!(
            o,
            "image #{i}: {} | best: {} | {}x{} | alt: {} | caption: {} | credit: {}",
            im.url,
            im.best_url,
            im.width,
            im.height,
            cut(&im.alt, 60),
            cut(&im.caption, 80),
            im.credit
        );
    }
    for l in &a.related_links {
        let _ = writeln!(o, "related: {} | {}", l.url, cut(&l.text, 80));
    }
    o
}
