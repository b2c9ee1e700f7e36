//! The one URL normaliser of the lookup service: the form under which an
//! article's URL and canonical URL are indexed, and under which
//! `LookupArticle` looks a URL up. Both sides call [`url_key`], so a link a
//! reader shares (with tracking parameters, another case of host, a default
//! port, a trailing slash) finds the article the crawler stored.

/// Bumped whenever [`url_key`] changes what it returns, so that a store
/// indexed by an older version rebuilds its URL index on open.
pub const URL_KEY_VERSION: &str = "2";

/// Query parameters that only say where a reader came from; they never name
/// another page. Compared without case. `utm_*` is matched by prefix.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "ocid",
    "cmpid",
];

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING.contains(&name.as_str())
}

/// The key of `url`: parsed and re-serialised (scheme and host lowercased,
/// a default port dropped, an empty path made `/`, percent-encoding made
/// uniform), without the fragment (it never reaches the server), without
/// tracking parameters (the others keep their order and spelling), and
/// without a trailing slash on a path longer than `/`. The case of the path
/// and of the other parameters is kept: servers may tell them apart.
/// A string that does not parse as an absolute URL is used as given, trimmed.
pub fn url_key(url: &str) -> String {
    let url = url.trim();
    let Ok(mut parsed) = url::Url::parse(url) else { return url.to_string() };
    parsed.set_fragment(None);
    if let Some(query) = parsed.query() {
        // Kept as written (not decoded and re-encoded), only filtered.
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| !is_tracking(pair.split('=').next().unwrap_or_default()))
            .collect();
        let kept = kept.join("&");
        parsed.set_query((!kept.is_empty()).then_some(kept.as_str()));
    }
    let path = parsed.path();
    if path.len() > 1 && path.ends_with('/') && !parsed.cannot_be_a_base() {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/".to_string() } else { trimmed.to_string() };
        parsed.set_path(&trimmed);
    }
    parsed.into()
}

#[cfg(test)]
mod tests {
    use super::url_key;

    #[test]
    fn variants_of_one_page_share_a_key() {
        let key = url_key("https://news.example/world/story-1?id=7");
        for variant in [
            "https://news.example/world/story-1?id=7",
            "HTTPS://NEWS.Example:443/world/story-1?id=7",
            "https://news.example/world/story-1/?id=7",
            "https://news.example/world/story-1?id=7#comments",
            "https://news.example/world/story-1?utm_source=x&id=7&utm_medium=social",
            "https://news.example/world/story-1?id=7&fbclid=abc&gclid=def&mc_cid=1&mc_eid=2",
            "https://news.example/world/story-1?UTM_Campaign=y&id=7&&",
            "  https://news.example/world/story-1?id=7  ",
        ] {
            assert_eq!(url_key(variant), key, "{variant}");
        }
        assert_eq!(url_key("http://news.example:80"), "http://news.example/");
        assert_eq!(url_key("https://news.example/a?utm_source=x"), "https://news.example/a");
        assert_eq!(url_key("https://news.example//"), "https://news.example/");
    }

    #[test]
    fn what_may_name_another_page_is_kept() {
        let key = url_key("https://news.example/Story?id=7");
        for other in [
            "https://news.example/story?id=7",
            "https://news.example/Story?id=8",
            "https://news.example/Story?ID=7",
            "http://news.example/Story?id=7",
            "https://news.example:8443/Story?id=7",
            "https://www.news.example/Story?id=7",
        ] {
            assert_ne!(url_key(other), key, "{other}");
        }
        // Parameters keep their order and encoding.
        assert_eq!(url_key("https://n.example/s?b=2&a=%20x+y"), "https://n.example/s?b=2&a=%20x+y");
        // Not a URL: used as given.
        assert_eq!(url_key(" not a url "), "not a url");
    }
}
