//! The one front door of every entry point (`extract`, `extract_with`, `extract_snapshot`,
//! `explain`, `decode_html`): the size limit, input recognition, and decoding with the
//! wrapper's or caller's Content-Type and the URL's charset hint. One path, so that no tool
//! shows a page differently from how extraction reads it.

use std::time::Instant;

use url::Url;

use crate::decode::{self, Decoded};
use crate::{Deadline, ExtractError, Hints, Input, Limits, urls};

/// How the bytes are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Sniff: crawler envelope, protobuf `Snapshot`, plain or gzipped HTML.
    Sniff,
    /// The caller knows the bytes are a protobuf `Snapshot`.
    Snapshot,
}

/// A page past the front door: recognised, decoded, with its clock running.
pub(crate) struct Opened {
    /// The recognised input; its `html` bytes are released once decoded (only `decoded` is read
    /// after this point, and a page's raw bytes are as large as its text).
    pub(crate) input: Input,
    /// The page URL: the wrapper's, else the caller's; http(s) only.
    pub(crate) fetched_url: Option<Url>,
    pub(crate) decoded: Decoded,
    pub(crate) started: Instant,
    pub(crate) deadline: Deadline,
}

/// Checks the size, recognises the input and decodes it, within `limits`.
pub(crate) fn open(bytes: &[u8], hints: &Hints, limits: &Limits, framing: Framing) -> Result<Opened, ExtractError> {
    let started = Instant::now();
    let deadline = Deadline::new(started, limits.time_budget);
    if bytes.len() > limits.max_input_bytes {
        return Err(ExtractError::TooLarge { bytes: bytes.len(), limit: limits.max_input_bytes });
    }
    let mut input = match framing {
        Framing::Sniff => Input::recognise(bytes, limits)?,
        Framing::Snapshot => Input::from_snapshot(bytes, limits)?,
    };
    let fetched_url = input.url.as_deref().or(hints.url.as_deref()).and_then(urls::parse_http);
    // Takes the bytes out of `input`: they become the text, or are freed once it is decoded.
    let decoded = decode::for_input(&mut input, hints, fetched_url.as_ref());
    Ok(Opened { input, fetched_url, decoded, started, deadline })
}

#[cfg(test)]
mod tests {
    use crate::{ExtractError, Hints, Limits, decode_html, explain_with, extract_with};

    #[test]
    fn every_entry_point_keeps_the_same_limits() {
        let page = format!("<article><p>{}</p></article>", "Some text of an article. ".repeat(20));
        let hints = Hints::default();
        let small = Limits { max_input_bytes: 100, ..Limits::default() };
        assert!(matches!(extract_with(page.as_bytes(), &hints, &small), Err(ExtractError::TooLarge { .. })));
        assert!(matches!(explain_with(page.as_bytes(), &hints, &small), Err(ExtractError::TooLarge { .. })));
        assert!(matches!(decode_html(page.as_bytes(), &hints, &small), Err(ExtractError::TooLarge { .. })));
        let few_nodes = Limits { max_nodes: 3, ..Limits::default() };
        assert!(matches!(extract_with(page.as_bytes(), &hints, &few_nodes), Err(ExtractError::TooManyNodes { .. })));
        assert!(matches!(explain_with(page.as_bytes(), &hints, &few_nodes), Err(ExtractError::TooManyNodes { .. })));
    }

    #[test]
    fn explain_decodes_with_the_callers_content_type_as_extraction_does() {
        // "Привет" in windows-1251, declared only by the caller's Content-Type.
        let mut page = b"<article><p>".to_vec();
        for _ in 0..30 {
            page.extend_from_slice(&[0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2, b' ']);
        }
        page.extend_from_slice(b"</p></article>");
        let hints = Hints { content_type: Some("text/html; charset=windows-1251".into()), ..Hints::default() };
        let shown = explain_with(&page, &hints, &Limits::default()).expect("explained");
        let text = extract_with(&page, &hints, &Limits::default()).expect("extracted").article.text;
        assert!(text.starts_with("Привет") && shown.contains("Привет"), "{shown}");
    }
}
