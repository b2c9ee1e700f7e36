//! Finds a page's charset and decodes it to UTF-8.
//!
//! Order of trust, as browsers do it: a byte-order mark, then the transport's
//! declaration (Content-Type), then `<meta>` in the first bytes, then
//! statistical sniffing (chardetng). A declaration that the bytes contradict
//! (e.g. "utf-8" over GBK bytes, common on old Chinese sites) loses to sniffing.

use std::cell::OnceCell;
use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8};
use regex::bytes::Regex;
use url::Url;

use crate::{Hints, Input};

mod twice;

/// Decoded text plus how the charset was chosen.
pub(crate) struct Decoded {
    pub(crate) text: String,
    pub(crate) encoding: &'static Encoding,
    /// "bom", "content-type", "meta", "sniffed" or "default".
    pub(crate) source: &'static str,
    /// Whether invalid byte sequences were replaced with U+FFFD.
    pub(crate) had_errors: bool,
}

/// How far into the document to look for `<meta charset>`; the HTML spec
/// says 1024 bytes, but real pages put long scripts first.
const PRESCAN_BYTES: usize = 8192;

/// Decodes a recognised input as extraction does: the wrapper's (else the
/// caller's) Content-Type, and the URL's top-level domain as a sniffing hint.
/// The input's bytes are taken: most pages are valid UTF-8 as they came, and
/// their bytes then become the text without a copy of the whole page.
pub(crate) fn for_input(input: &mut Input, hints: &Hints, fetched_url: Option<&Url>) -> Decoded {
    let content_type = input.content_type.as_deref().or(hints.content_type.as_deref());
    let tld = fetched_url.and_then(Url::host_str).and_then(|h| h.rsplit('.').next()).map(str::as_bytes);
    let decoded = match String::from_utf8(std::mem::take(&mut input.html)) {
        Ok(text) => match verdict(text.as_bytes(), || Some(text.as_str()), content_type, tld) {
            Verdict::AsIs(source) => Decoded { text, encoding: UTF_8, source, had_errors: false },
            Verdict::Converted(decoded) => decoded,
        },
        Err(invalid) => return decode(invalid.as_bytes(), content_type, tld),
    };
    read_back_twice(decoded)
}

pub(crate) fn decode(html: &[u8], content_type: Option<&str>, tld: Option<&[u8]>) -> Decoded {
    // Most pages are UTF-8 and several paths ask; validate once.
    let utf8 = OnceCell::new();
    let as_utf8 = || *utf8.get_or_init(|| std::str::from_utf8(html).ok());
    let decoded = match verdict(html, as_utf8, content_type, tld) {
        Verdict::AsIs(source) => valid_utf8(as_utf8().unwrap_or_default(), source),
        Verdict::Converted(decoded) => decoded,
    };
    read_back_twice(decoded)
}

/// UTF-8 text that went through UTF-8 twice, read back to its words: the
/// last step of both decoding paths.
fn read_back_twice(mut decoded: Decoded) -> Decoded {
    if decoded.encoding == UTF_8 {
        twice::repair(&mut decoded.text);
    }
    decoded
}

/// What decoding settles on.
enum Verdict {
    /// The bytes are valid UTF-8 and read as such; the charset's source.
    AsIs(&'static str),
    /// Text converted from another charset, or repaired.
    Converted(Decoded),
}

/// The decision of `decode`. `as_utf8` gives the bytes as text when they are valid UTF-8;
/// `AsIs` comes only after it said they are.
fn verdict<'a>(
    html: &'a [u8],
    as_utf8: impl Fn() -> Option<&'a str>,
    content_type: Option<&str>,
    tld: Option<&[u8]>,
) -> Verdict {
    if let Some((encoding, bom_len)) = Encoding::for_bom(html) {
        return Verdict::Converted(finish(&html[bom_len..], encoding, "bom"));
    }
    let declared = content_type
        .and_then(charset_param)
        .map(|e| (e, "content-type"))
        .or_else(|| meta_charset(&html[..html.len().min(PRESCAN_BYTES)]).map(|e| (e, "meta")));
    if let Some((encoding, source)) = declared {
        // UTF-16 cannot be declared from inside an ASCII-compatible document;
        // browsers read such pages as UTF-8 and so do we.
        let encoding = encoding.output_encoding();
        if let Some(repaired) = double_encoded(html, encoding, source) {
            return Verdict::Converted(repaired);
        }
        if encoding == UTF_8 && as_utf8().is_some() {
            // Valid UTF-8 has no errors, so the declaration stands.
            return Verdict::AsIs(source);
        }
        if encoding != UTF_8 {
            let decoded = finish(html, encoding, source);
            if !decoded.had_errors || !too_many_errors(&decoded.text) {
                return Verdict::Converted(decoded);
            }
        }
    }
    if as_utf8().is_some() {
        return Verdict::AsIs("default");
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    let sample = sniff_sample(html);
    detector.feed(sample, sample.len() == html.len());
    // chardetng panics on a label that is not lower-case ASCII without dots;
    // a URL with a non-special scheme keeps its host's case.
    let tld = tld.filter(|t| t.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-'));
    let guess = detector.guess(tld, chardetng::Utf8Detection::Allow);
    Verdict::Converted(finish(html, guess, "sniffed"))
}

/// The bytes worth showing the charset sniffer. It weighs every byte it is
/// fed, at hundreds of instructions each, yet only the non-ASCII text tells
/// charsets apart and sixteen kilobytes of it settle the question. So
/// the sample starts at the first non-ASCII byte (a character boundary in
/// every ASCII-compatible charset) and is capped; an all-ASCII page is fed
/// from the top, where an ISO-2022-JP escape would be.
fn sniff_sample(html: &[u8]) -> &[u8] {
    const SNIFF_BYTES: usize = 16 << 10;
    let start = html.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    &html[start..html.len().min(start + SNIFF_BYTES)]
}

/// A legacy CJK page that some tool once read as windows-1252 and saved as
/// UTF-8: valid UTF-8, but its non-ASCII text is long runs of Latin-1 signs
/// ("Ž¬³€±»") where the declared charset's two-byte characters were. Undoing
/// the detour gives the page back; a real UTF-8 page in a Latin script has
/// isolated accented letters, not runs, and stays as it is.
fn double_encoded(html: &[u8], declared: &'static Encoding, source: &'static str) -> Option<Decoded> {
    use encoding_rs::{BIG5, EUC_JP, EUC_KR, GB18030, GBK, ISO_8859_15, SHIFT_JIS, WINDOWS_1252};
    if ![GBK, GB18030, BIG5, SHIFT_JIS, EUC_JP, EUC_KR].contains(&declared) {
        return None;
    }
    let text = std::str::from_utf8(html).ok()?;
    let (mut latin, mut other, mut runs, mut in_run) = (0usize, 0usize, 0usize, false);
    for c in text.chars() {
        let non_ascii = !c.is_ascii();
        if non_ascii {
            // windows-1252 decodes every byte to U+0080..U+00FF or one of its 27 signs.
            if (c as u32) < 0x100 || !WINDOWS_1252.encode(c.encode_utf8(&mut [0; 4])).2 {
                latin += 1;
            } else {
                other += 1;
            }
            runs += usize::from(!in_run);
        }
        in_run = non_ascii;
    }
    if latin < 200 || latin < other * 20 || latin < runs * 4 {
        return None;
    }
    // The detour went through windows-1252 or ISO-8859-15. The latter has
    // "Ž", "€", "œ"... where the former has "´", "¤", "½"...: two-byte text
    // read as windows-1252 is bound to show some of those eight signs.
    let latin9 = !text.contains(['¤', '¦', '¨', '´', '¸', '¼', '½', '¾']);
    let single = if latin9 { ISO_8859_15 } else { WINDOWS_1252 };
    let decoded = finish(&single.encode(text).0, declared, source);
    (!decoded.had_errors || !too_many_errors(&decoded.text)).then_some(decoded)
}

fn finish(bytes: &[u8], encoding: &'static Encoding, source: &'static str) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding, source, had_errors }
}

/// What `finish` would give for text already known to be valid UTF-8, without validating it again.
fn valid_utf8(text: &str, source: &'static str) -> Decoded {
    Decoded { text: text.to_owned(), encoding: UTF_8, source, had_errors: false }
}

/// A declared charset is wrong when the bytes are full of errors under it;
/// a handful of bad bytes is just a sloppy page and keeps the declaration.
fn too_many_errors(text: &str) -> bool {
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    bad > 8 && bad * 200 > text.chars().count()
}

fn charset_param(content_type: &str) -> Option<&'static Encoding> {
    let lower = content_type.to_ascii_lowercase();
    let at = lower.find("charset=")?;
    let value = lower[at + 8..].trim_start_matches(['"', '\'']);
    let end = value.find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace()).unwrap_or(value.len());
    Encoding::for_label(&value.as_bytes()[..end])
}

fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        crate::regexes::bytes_regex(r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#)
            .expect("valid regex")
    });
    META.captures_iter(head).find_map(|c| c.get(1).and_then(|m| Encoding::for_label(m.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_declaration_is_honoured() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=\"gb2312\"><p>中文新闻报道</p>");
        let d = decode(&gbk, None, None);
        assert_eq!(d.encoding.name(), "GBK");
        assert_eq!(d.source, "meta");
        assert!(d.text.contains("中文新闻报道"));
    }

    #[test]
    fn http_equiv_and_content_type_forms() {
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">";
        assert_eq!(decode(page, None, None).encoding.name(), "windows-1251");
        assert_eq!(decode(b"<p>x</p>", Some("text/html; charset=\"Shift_JIS\""), None).encoding.name(), "Shift_JIS");
    }

    #[test]
    fn wrong_utf8_label_over_gbk_bytes_is_sniffed() {
        let text = "<meta charset=utf-8><p>".to_string() + &"北京时间今天上午，国务院新闻办公室举行发布会。".repeat(20);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let d = decode(&gbk, None, Some(b"cn"));
        assert_eq!(d.source, "sniffed");
        assert!(d.text.contains("国务院新闻办公室"), "{}", &d.text[..80]);
    }

    #[test]
    fn undeclared_big5_and_shift_jis_are_sniffed() {
        let zh = "<p>".to_string() + &"臺灣總統府今日發表聲明，說明國際局勢。".repeat(20);
        let (big5, _, _) = encoding_rs::BIG5.encode(&zh);
        assert_eq!(decode(&big5, None, None).encoding.name(), "Big5");
        let ja = "<p>".to_string() + &"東京都は本日、新しい政策を発表しました。".repeat(20);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&ja);
        assert_eq!(decode(&sjis, None, None).encoding.name(), "Shift_JIS");
    }

    #[test]
    fn gbk_saved_as_utf8_via_windows_1252_is_repaired() {
        let text = "<p>".to_string() + &"意大利游轮运营商首席执行官认定船长人为失误导致游轮搁浅。".repeat(10);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let (mangled, _, _) = encoding_rs::WINDOWS_1252.decode(&gbk);
        let page = format!("<meta charset=\"GBK\">{mangled}");
        assert!(decode(page.as_bytes(), None, None).text.contains("首席执行官"));
        let (mangled, _, _) = encoding_rs::ISO_8859_15.decode(&gbk);
        let page = format!("<meta charset=\"GBK\">{mangled}");
        assert!(decode(page.as_bytes(), None, None).text.contains("游轮运营商"));
        // Accented letters in a Latin script are no such detour.
        let french = "<p>".to_string() + &"Le député a été élu à Orléans. ".repeat(40);
        assert!(double_encoded(french.as_bytes(), encoding_rs::GBK, "meta").is_none());
    }

    #[test]
    fn sniffing_samples_the_text_past_a_long_ascii_head() {
        // 200 KB of markup first: the sample must start where the text does.
        let text = "<p>".to_string() + &"x".repeat(200_000) + &"臺灣總統府今日發表聲明，說明國際局勢。".repeat(4000);
        let (big5, _, _) = encoding_rs::BIG5.encode(&text);
        assert!(sniff_sample(&big5).len() < big5.len() / 2);
        let d = decode(&big5, None, None);
        assert_eq!((d.encoding.name(), d.source), ("Big5", "sniffed"));
        assert!(d.text.ends_with("說明國際局勢。"));
    }

    #[test]
    fn a_top_level_label_chardetng_would_reject_is_ignored() {
        let page = "<p>北京时间今天上午举行发布会。".repeat(20);
        let (gbk, _, _) = encoding_rs::GBK.encode(&page);
        for tld in [&b"CN"[..], b"co.uk", "中国".as_bytes(), b"cn"] {
            assert_eq!(decode(&gbk, None, Some(tld)).source, "sniffed");
        }
    }

    #[test]
    fn bom_wins() {
        let d = decode(b"\xEF\xBB\xBF<meta charset=gbk><p>x</p>", None, None);
        assert_eq!((d.encoding.name(), d.source), ("UTF-8", "bom"));
    }
}
