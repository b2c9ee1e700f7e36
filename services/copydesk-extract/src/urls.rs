//! URL resolution and safety: only absolute http(s) URLs leave the extractor.

use url::Url;

/// Resolves `href` against `base`; `None` for `javascript:`, `data:` and every
/// other scheme a reader could not follow safely, and for garbage.
pub(crate) fn resolve(base: Option<&Url>, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Parses an absolute http(s) URL.
pub(crate) fn parse_http(s: &str) -> Option<Url> {
    let url = Url::parse(s.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then_some(url)
}

/// The widest candidate of a `srcset` (by `w`, else by `x` density).
pub(crate) fn best_srcset(srcset: &str) -> Option<&str> {
    let mut best: Option<(&str, f64)> = None;
    // Candidates are comma-separated, but URLs may contain commas too (image
    // CDNs do this); a comma only separates when followed by whitespace or
    // when the next token starts a new URL, so split on ", " first.
    for candidate in srcset.split(", ").flat_map(|c| c.split(",\n")) {
        let mut parts = candidate.split_whitespace();
        let Some(url) = parts.next() else { continue };
        let weight = parts
            .next()
            .and_then(|d| {
                // Split off the unit by character, not by byte: a descriptor
                // may end in any character ("2х" with a Cyrillic х).
                if let Some(n) = d.strip_suffix('w') {
                    n.parse::<f64>().ok()
                } else {
                    d.strip_suffix('x').and_then(|n| n.parse::<f64>().ok()).map(|n| n * 1000.0)
                }
            })
            .unwrap_or(1.0);
        if best.is_none_or(|(_, w)| weight > w) {
            best = Some((url.trim_end_matches(','), weight));
        }
    }
    best.map(|(u, _)| u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_schemes_are_dropped() {
        let base = Url::parse("https://example.com/news/a.html").ok();
        assert_eq!(resolve(base.as_ref(), "/b?x=1").as_deref(), Some("https://example.com/b?x=1"));
        assert_eq!(resolve(base.as_ref(), "javascript:alert(1)"), None);
        assert_eq!(resolve(base.as_ref(), "data:image/png;base64,AAAA"), None);
        assert_eq!(resolve(None, "relative/path"), None);
    }

    #[test]
    fn a_descriptor_ending_in_a_non_ascii_character_is_ignored() {
        // Cyrillic "х" is two bytes; splitting off its last byte panicked.
        assert_eq!(best_srcset("a.jpg 2\u{445}, b.jpg 300w"), Some("b.jpg"));
        assert_eq!(best_srcset("a.jpg 2\u{445}"), Some("a.jpg"));
        assert_eq!(best_srcset("a.jpg \u{445}"), Some("a.jpg"));
    }

    #[test]
    fn widest_srcset_candidate() {
        assert_eq!(best_srcset("a.jpg 240w, b.jpg 800w, c.jpg 480w"), Some("b.jpg"));
        assert_eq!(best_srcset("a.jpg 1x, b.jpg 2x"), Some("b.jpg"));
        assert_eq!(
            best_srcset("https://cdn/x.jpg,w_100 100w, https://cdn/y.jpg,w_900 900w"),
            Some("https://cdn/y.jpg,w_900")
        );
    }
}
