//! Article extraction: page bytes (+ URL and capture-time hints) in, an `Article` out.
//!
//! This crate is pure: no I/O, no async runtime, no Kafka or gRPC. It never
//! panics on any input and bounds the work it does per document (see
//! [`Limits`]), so the ingest pipeline can hand it anything a crawler sends.
//!
//! # Layout
//! - `front`: the one front door of every entry point (size limit, recognition, decoding).
//! - `input`: recognises the crawler envelope, a protobuf `Snapshot`, plain or gzipped HTML.
//! - `decode`: finds the charset (BOM, declarations, sniffing) and decodes to UTF-8.
//! - `parse`: parses HTML within the time budget; `marks`: what each element is (nav, caption, ...).
//! - `dom`: flattens the tree into text blocks.
//! - `meta`: JSON-LD, OpenGraph and `<meta>` metadata.
//! - `content`: picks the article body out of the blocks, with images and related links;
//!   `standfirst` adds the headline and lead above it, `wording` drops furniture by its wording.
//! - `byline`, `lang`: authors, language.
//! - `dates`, `months`, `relative`, `zones`, `published`, `shown`, `tz`, `date_labels`: publication dates
//!   (parsing, where on the page they sit, the choice, the day the page shows, and the publisher's day).
//! - `article`: assembles the `Article` and its derived fields (id, hash, word count).

mod article;
mod attrs;
mod byline;
mod content;
mod date_labels;
mod dates;
mod decode;
mod dom;
mod error;
mod fallback;
mod feeds;
mod figure;
mod front;
mod input;
mod jsonld;
mod lang;
mod marks;
mod meta;
mod months;
mod parse;
mod published;
mod regexes;
mod relative;
mod shown;
mod standfirst;
mod strip;
#[cfg(test)]
mod test_pages;
mod text;
mod title;
mod tz;
mod urls;
mod wording;
mod zones;

use std::time::{Duration, Instant};

use crate::front::Framing;

use chrono::{DateTime, Utc};
pub use copydesk_proto::v1::Article;

pub use crate::error::ExtractError;
pub use crate::input::{Input, InputFormat};

/// The version stamped into every `Article.extractor_version`.
pub const EXTRACTOR_VERSION: &str = concat!("copydesk-extract/", env!("CARGO_PKG_VERSION"));

/// What the caller knows about a page besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// The URL the page was fetched from; the envelope or snapshot may override it.
    pub url: Option<String>,
    /// When the page was captured; anchors relative dates ("20 minutes ago").
    pub fetched_at: Option<DateTime<Utc>>,
    /// A Content-Type header (`text/html; charset=gbk`), if one came with the bytes.
    pub content_type: Option<String>,
}

/// Per-document bounds. Exceeding one is an [`ExtractError`], never a hang.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted input, before decompression.
    pub max_input_bytes: usize,
    /// Largest accepted HTML, after decompression and envelope removal.
    pub max_html_bytes: usize,
    /// Largest DOM, in nodes.
    pub max_nodes: usize,
    /// Wall-clock budget for one document, parse included.
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        // 32 MiB covers the largest real news pages (inline images and
        // scripts push some past 10 MB) while keeping one document's memory
        // far below the service's budget.
        Limits {
            max_input_bytes: 32 << 20,
            max_html_bytes: 32 << 20,
            max_nodes: 2_000_000,
            time_budget: Duration::from_secs(5),
        }
    }
}

/// The result of a successful extraction.
#[derive(Debug, Clone)]
pub struct Extraction {
    pub article: Article,
    pub diagnostics: Diagnostics,
}

/// How the extraction went, for logs and metrics; not part of the article.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// How the input was recognised.
    pub format: Option<InputFormat>,
    /// The encoding used to decode the HTML, and where it came from.
    pub charset: &'static str,
    pub charset_source: &'static str,
    /// Size of the decoded HTML, in bytes.
    pub html_bytes: usize,
    /// Nodes in the parsed DOM.
    pub dom_nodes: usize,
    /// Time spent, end to end.
    pub elapsed: Duration,
}

/// Extracts an article from raw bytes in any accepted format, with default limits.
pub fn extract(bytes: &[u8], hints: &Hints) -> Result<Extraction, ExtractError> {
    extract_with(bytes, hints, &Limits::default())
}

/// Extracts an article from raw bytes in any accepted format.
pub fn extract_with(bytes: &[u8], hints: &Hints, limits: &Limits) -> Result<Extraction, ExtractError> {
    finish(front::open(bytes, hints, limits, Framing::Sniff)?, hints, limits)
}

/// Extracts from bytes the caller knows are a protobuf `Snapshot` (no sniffing).
pub fn extract_snapshot(bytes: &[u8], hints: &Hints, limits: &Limits) -> Result<Extraction, ExtractError> {
    finish(front::open(bytes, hints, limits, Framing::Snapshot)?, hints, limits)
}

fn finish(mut opened: front::Opened, hints: &Hints, limits: &Limits) -> Result<Extraction, ExtractError> {
    let mut extraction = article::build(&mut opened, hints, limits)?;
    extraction.diagnostics.format = Some(opened.input.format);
    extraction.diagnostics.elapsed = opened.started.elapsed();
    Ok(extraction)
}

/// A point in time after which work on a document stops with [`ExtractError::Timeout`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    fn new(start: Instant, budget: Duration) -> Self {
        Deadline { at: start + budget, budget }
    }

    /// Errors once the budget is spent; cheap enough to call every few hundred nodes.
    pub(crate) fn check(&self) -> Result<(), ExtractError> {
        if Instant::now() > self.at { Err(ExtractError::Timeout { budget: self.budget }) } else { Ok(()) }
    }
}

/// The page's HTML decoded to UTF-8 exactly as extraction decodes it, for
/// tools that need the text itself (the speed benchmark feeds it to another
/// extractor, so both parse the same characters).
pub fn decode_html(bytes: &[u8], hints: &Hints, limits: &Limits) -> Result<String, ExtractError> {
    Ok(front::open(bytes, hints, limits, Framing::Sniff)?.decoded.text)
}

/// A human-readable dump of how the page was segmented and scored, with default limits; for
/// developers tuning extraction, not a stable format.
pub fn explain(bytes: &[u8], hints: &Hints) -> Result<String, ExtractError> {
    explain_with(bytes, hints, &Limits::default())
}

/// [`explain`] within `limits`: the page goes through the same front door as [`extract_with`]
/// (size limit, recognition, decoding with the URL's charset hint, node and time limits), so
/// the segmentation shown is the one extraction makes.
pub fn explain_with(bytes: &[u8], hints: &Hints, limits: &Limits) -> Result<String, ExtractError> {
    let opened = front::open(bytes, hints, limits, Framing::Sniff)?;
    let html = dom::parse(&opened.decoded.text, &opened.deadline, limits.max_nodes)?;
    let mut page = dom::flatten(html, &opened.deadline)?;
    Ok(content::explain(&mut page))
}
