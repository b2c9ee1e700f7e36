//! Recognises what the bytes are: crawler envelope, protobuf `Snapshot`, or (gzipped) HTML.

use chrono::{DateTime, Utc};
use copydesk_proto::v1::Snapshot;
use prost::Message;

use crate::{ExtractError, Limits};

/// The accepted input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// `<!--epoch-ms-->`, `[title](url)`, `------`, then the HTML.
    Envelope,
    /// A protobuf `copydesk.v1.Snapshot`.
    Snapshot,
    /// Plain HTML, in any charset.
    Html,
}

impl InputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Envelope => "envelope",
            InputFormat::Snapshot => "snapshot",
            InputFormat::Html => "html",
        }
    }
}

/// A recognised input: the HTML bytes (still in their own charset) plus what
/// the wrapper said about them.
#[derive(Debug, Clone)]
pub struct Input {
    pub format: InputFormat,
    /// Whether the HTML arrived gzip-compressed.
    pub gzipped: bool,
    pub html: Vec<u8>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub content_type: Option<String>,
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

impl Input {
    /// Sniffs the format of `bytes`.
    pub fn recognise(bytes: &[u8], limits: &Limits) -> Result<Input, ExtractError> {
        let (bytes, gzipped) = maybe_gunzip(bytes, limits)?;
        let mut input = if let Some(input) = parse_envelope(&bytes)? {
            input
        } else if let Some(input) = parse_snapshot(&bytes, limits)? {
            input
        } else {
            Input::html(bytes.into_owned())
        };
        input.gzipped |= gzipped;
        if input.html.iter().all(u8::is_ascii_whitespace) {
            return Err(ExtractError::Empty);
        }
        if input.html.len() > limits.max_html_bytes {
            return Err(ExtractError::TooLarge { bytes: input.html.len(), limit: limits.max_html_bytes });
        }
        if looks_binary(&input.html) {
            return Err(ExtractError::NotHtml);
        }
        Ok(input)
    }

    /// Decodes a protobuf `Snapshot` (no sniffing: the caller knows it is one).
    pub fn from_snapshot(bytes: &[u8], limits: &Limits) -> Result<Input, ExtractError> {
        let snapshot = Snapshot::decode(bytes).map_err(|e| ExtractError::Snapshot(e.to_string()))?;
        let body = maybe_gunzip(&snapshot.body, limits)?;
        let mut input = Input::html(body.0.into_owned());
        input.format = InputFormat::Snapshot;
        input.gzipped = body.1;
        input.url = non_empty(snapshot.url);
        input.fetched_at = snapshot.fetched_at.and_then(|t| t.to_datetime());
        input.content_type = non_empty(snapshot.content_type);
        if let Some(charset) = non_empty(snapshot.charset) {
            input.content_type = Some(format!("text/html; charset={charset}"));
        }
        Ok(input)
    }

    fn html(html: Vec<u8>) -> Input {
        Input {
            format: InputFormat::Html,
            gzipped: false,
            html,
            url: None,
            title: None,
            fetched_at: None,
            content_type: None,
        }
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

fn maybe_gunzip<'a>(bytes: &'a [u8], limits: &Limits) -> Result<(std::borrow::Cow<'a, [u8]>, bool), ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    if !bytes.starts_with(GZIP_MAGIC) {
        return Ok((bytes.into(), false));
    }
    // Inflating one byte past the limit tells "too large" apart from
    // "exactly at the limit" without ever holding more than the limit in memory.
    let out = inflate(bytes, limits.max_html_bytes)?;
    if out.len() > limits.max_html_bytes {
        return Err(ExtractError::TooLarge { bytes: out.len(), limit: limits.max_html_bytes });
    }
    Ok((out.into(), true))
}

/// Inflates every gzip member of `gz`, one after another, into one buffer of
/// at most `limit` + 1 bytes. `Decompress` writes straight into the buffer's
/// spare capacity: `Read::read_to_end` on a decoder zero-filled all of it
/// first, a memset as large as the page (0.8% of `copydesk extract`'s
/// instructions over the five dev sets). zlib reads each member's header and
/// checks its CRC and length, as flate2's `MultiGzDecoder` did.
fn inflate(gz: &[u8], limit: usize) -> Result<Vec<u8>, ExtractError> {
    let cap = limit.saturating_add(1);
    let mut out = Vec::with_capacity(inflated_size_hint(gz).min(limit));
    let mut rest = gz;
    while !rest.is_empty() {
        let mut member = flate2::Decompress::new_gzip(15);
        loop {
            let (read, written) = (member.total_in(), out.len());
            let status = member
                .decompress_vec(rest, &mut out, flate2::FlushDecompress::None)
                .map_err(|e| ExtractError::Gzip(e.to_string()))?;
            rest = &rest[usize::try_from(member.total_in() - read).unwrap_or(rest.len()).min(rest.len())..];
            if status == flate2::Status::StreamEnd {
                break;
            }
            if member.total_in() != read || out.len() != written {
                continue;
            }
            // No progress with room to write: the stream was cut short.
            if out.len() < out.capacity() {
                return Err(ExtractError::Gzip("unexpected end of gzip stream".to_string()));
            }
            if out.len() >= cap {
                return Ok(out);
            }
            // Grown only when full and short of the end: a buffer sized from
            // the trailer fills up before zlib has read the trailer itself.
            // Doubling, never past the limit's one extra byte.
            out.reserve_exact(out.len().max(32 << 10).min(cap - out.len()));
        }
    }
    Ok(out)
}

/// How big the inflated page will be, so the buffer is allocated once: the
/// gzip trailer's ISIZE (size mod 2^32 of the last member) when it is
/// plausible, since deflate cannot expand more than ~1032:1; else a guess.
fn inflated_size_hint(gz: &[u8]) -> usize {
    let guess = gz.len().saturating_mul(4);
    let Some(trailer) = gz.len().checked_sub(4).map(|at| &gz[at..]) else { return guess };
    let size = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]) as usize;
    if size >= gz.len() / 2 && size <= gz.len().saturating_mul(1032) { size } else { guess }
}

/// The crawler envelope: `<!--1718615581000-->\n[title](url)\n------\n<html>`.
fn parse_envelope(bytes: &[u8]) -> Result<Option<Input>, ExtractError> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let rest = &bytes[start..];
    let Some(after_open) = rest.strip_prefix(b"<!--") else { return Ok(None) };
    let digits = after_open.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || !after_open[digits..].starts_with(b"-->") {
        return Ok(None);
    }
    let millis: i64 = std::str::from_utf8(&after_open[..digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(ExtractError::Envelope("capture time is not a number"))?;
    let fetched_at =
        DateTime::from_timestamp_millis(millis).ok_or(ExtractError::Envelope("capture time out of range"))?;
    let mut lines = LineCursor { bytes: &after_open[digits + 3..] };
    lines.next_line(); // The rest of the comment line.
    let mut link = lines.next_line();
    while link.is_some_and(|l| l.trim_ascii().is_empty()) {
        link = lines.next_line();
    }
    let link = link.ok_or(ExtractError::Envelope("missing title line"))?;
    let (title, url) = parse_markdown_link(link).ok_or(ExtractError::Envelope("title line is not [title](url)"))?;
    let separator = lines.next_line().ok_or(ExtractError::Envelope("missing separator line"))?;
    let separator = separator.trim_ascii();
    if separator.len() < 3 || !separator.iter().all(|&b| b == b'-') {
        return Err(ExtractError::Envelope("missing ------ separator"));
    }
    let mut input = Input::html(lines.bytes.to_vec());
    input.format = InputFormat::Envelope;
    input.url = non_empty(url);
    input.title = non_empty(title);
    input.fetched_at = Some(fetched_at);
    Ok(Some(input))
}

/// Splits `[title](url)`; the title may itself contain brackets, so the split is
/// at the last `](`.
fn parse_markdown_link(line: &[u8]) -> Option<(String, String)> {
    let line = String::from_utf8_lossy(line.trim_ascii()).into_owned();
    let inner = line.strip_prefix('[')?.strip_suffix(')')?;
    let split = inner.rfind("](")?;
    let title = inner[..split].trim().to_string();
    let url = inner[split + 2..].trim().to_string();
    Some((title, url))
}

struct LineCursor<'a> {
    bytes: &'a [u8],
}

impl<'a> LineCursor<'a> {
    fn next_line(&mut self) -> Option<&'a [u8]> {
        if self.bytes.is_empty() {
            return None;
        }
        let end = self.bytes.iter().position(|&b| b == b'\n').unwrap_or(self.bytes.len());
        let line = &self.bytes[..end];
        self.bytes = self.bytes.get(end + 1..).unwrap_or(&[]);
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

/// A protobuf `Snapshot` starts with field 1 (url, length-delimited) or 2 or 3;
/// HTML never starts with those bytes, so a cheap check guards the decode.
fn parse_snapshot(bytes: &[u8], limits: &Limits) -> Result<Option<Input>, ExtractError> {
    if !matches!(bytes.first(), Some(0x0a | 0x12 | 0x1a)) {
        return Ok(None);
    }
    let Ok(snapshot) = Snapshot::decode(bytes) else { return Ok(None) };
    if snapshot.body.is_empty() || !(snapshot.url.is_empty() || snapshot.url.starts_with("http")) {
        return Ok(None);
    }
    Input::from_snapshot(bytes, limits).map(Some)
}

/// Text in any charset has few C0 controls; UTF-16 has many NULs but a BOM
/// (or a declaration we cannot honour anyway), so it is allowed through the BOM.
fn looks_binary(html: &[u8]) -> bool {
    if html.starts_with(&[0xff, 0xfe]) || html.starts_with(&[0xfe, 0xff]) {
        return false;
    }
    let head = &html[..html.len().min(4096)];
    let controls = head.iter().filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b) && b != 0x1b).count();
    controls * 20 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_gives_url_title_and_capture_time() {
        let raw = b"<!--1718615581000-->\n[A [b] title](https://example.com/a)\n------\n\n<p>x</p>";
        let input = Input::recognise(raw, &Limits::default()).unwrap();
        assert_eq!(input.format, InputFormat::Envelope);
        assert_eq!(input.title.as_deref(), Some("A [b] title"));
        assert_eq!(input.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(input.fetched_at.unwrap().to_rfc3339(), "2024-06-17T09:13:01+00:00");
        assert_eq!(input.html, b"\n<p>x</p>");
    }

    #[test]
    fn broken_envelope_is_an_error() {
        let raw = b"<!--1718615581000-->\nno link here\n------\n<p>x</p>";
        assert!(matches!(Input::recognise(raw, &Limits::default()), Err(ExtractError::Envelope(_))));
    }

    #[test]
    fn snapshot_is_sniffed() {
        let snapshot = Snapshot {
            url: "https://example.com/".into(),
            body: b"<p>hello</p>".to_vec(),
            content_type: "text/html; charset=utf-8".into(),
            ..Default::default()
        };
        let input = Input::recognise(&snapshot.encode_to_vec(), &Limits::default()).unwrap();
        assert_eq!(input.format, InputFormat::Snapshot);
        assert_eq!(input.html, b"<p>hello</p>");
    }

    #[test]
    fn gzip_bombs_and_truncation_are_errors() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&vec![b'a'; 2 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        let small = Limits { max_html_bytes: 1 << 20, ..Limits::default() };
        assert!(matches!(Input::recognise(&gz, &small), Err(ExtractError::TooLarge { .. })));
        assert!(matches!(Input::recognise(&gz[..gz.len() / 2], &Limits::default()), Err(ExtractError::Gzip(_))));
    }

    /// `inflate` reads what flate2's `MultiGzDecoder` read, and refuses what it refused:
    /// several members, a cut-off stream, a broken trailer, trailing bytes.
    #[test]
    fn inflates_as_the_multi_member_decoder_did() {
        use std::io::{Read, Write};
        let gz = |text: &[u8]| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(text).unwrap();
            enc.finish().unwrap()
        };
        let one = gz(&b"<p>one member</p>".repeat(5000));
        let two = [gz(b"<p>first</p>"), gz(b"<p>second</p>")].concat();
        let mut bad_crc = one.clone();
        let at = bad_crc.len() - 6;
        bad_crc[at] ^= 1;
        let cases: Vec<Vec<u8>> = vec![
            one.clone(),
            two.clone(),
            [&one[..], b"\n"].concat(),
            [&one[..], &[0u8; 8]].concat(),
            one[..one.len() - 3].to_vec(),
            one[..12].to_vec(),
            two[..two.len() - 1].to_vec(),
            bad_crc,
            gz(b""),
        ];
        // A one-member page fills the buffer its trailer sized, and no more.
        let page = inflate(&one, 1 << 20).unwrap();
        assert_eq!(page.capacity(), page.len());
        for case in cases {
            let mut old = Vec::new();
            let old = flate2::bufread::MultiGzDecoder::new(&case[..]).read_to_end(&mut old).map(|_| old);
            let new = inflate(&case, 1 << 20);
            assert_eq!(old.ok(), new.ok(), "{} bytes", case.len());
        }
    }

    #[test]
    fn binary_is_rejected() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(matches!(Input::recognise(&bytes, &Limits::default()), Err(ExtractError::NotHtml)));
    }
}
