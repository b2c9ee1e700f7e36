//! The filters of `ListArticles` beyond the site: language and a
//! published-time range. They are checked on each decoded article, so a
//! filtered listing scans; [`SCAN_BUDGET`] bounds what one page examines.

use copydesk_proto::Timestamp;
use copydesk_proto::v1::{Article, ListArticlesRequest};

use crate::LookupError;

/// At most this many articles (or 20 per asked result, if more) are examined
/// for one filtered page; a page that runs out of budget comes back short
/// (possibly empty) with a token to go on from where it stopped.
pub(crate) const SCAN_BUDGET: usize = 5_000;

/// What an article must match, besides the site.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Filter {
    /// Lowercase BCP 47 tag.
    language: Option<String>,
    after: Option<(i64, i32)>,
    before: Option<(i64, i32)>,
}

fn instant(field: &str, t: Option<&Timestamp>) -> Result<Option<(i64, i32)>, LookupError> {
    match t {
        None => Ok(None),
        Some(t) if (0..1_000_000_000).contains(&t.nanos) => Ok(Some((t.seconds, t.nanos))),
        Some(_) => Err(LookupError::InvalidArgument(format!("{field}: nanos out of range"))),
    }
}

impl Filter {
    /// The request's filters, checked.
    pub(crate) fn of(request: &ListArticlesRequest) -> Result<Filter, LookupError> {
        let language = request.language.trim();
        if !language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(LookupError::InvalidArgument("language: a BCP 47 tag (letters, digits, '-')".into()));
        }
        let after = instant("published_after", request.published_after.as_ref())?;
        let before = instant("published_before", request.published_before.as_ref())?;
        if let (Some(a), Some(b)) = (after, before)
            && a >= b
        {
            return Err(LookupError::InvalidArgument("published_after: must be before published_before".into()));
        }
        Ok(Filter { language: (!language.is_empty()).then(|| language.to_ascii_lowercase()), after, before })
    }

    pub(crate) fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    pub(crate) fn keeps(&self, article: &Article) -> bool {
        if let Some(wanted) = &self.language {
            let language = article.language.to_ascii_lowercase();
            let subtag = language.strip_prefix(wanted.as_str()).is_some_and(|rest| rest.starts_with('-'));
            if language != *wanted && !subtag {
                return false;
            }
        }
        if self.after.is_some() || self.before.is_some() {
            let Some(published) = article.published_at.as_ref().map(|t| (t.seconds, t.nanos)) else { return false };
            if self.after.is_some_and(|a| published < a) || self.before.is_some_and(|b| published >= b) {
                return false;
            }
        }
        true
    }

    /// The filter as page tokens name it: a token from another filter is refused.
    pub(crate) fn token_key(&self, site: Option<&str>) -> Option<String> {
        if self.is_empty() {
            // As before these filters existed, so earlier tokens stay valid.
            return site.map(str::to_string);
        }
        let at = |t: Option<(i64, i32)>| t.map(|(s, n)| format!("{s}.{n:09}")).unwrap_or_default();
        let language = self.language.as_deref().unwrap_or_default();
        Some(format!("{}\x1f{language}\x1f{}\x1f{}", site.unwrap_or_default(), at(self.after), at(self.before)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(language: &str, after: Option<i64>, before: Option<i64>) -> ListArticlesRequest {
        let at = |s: Option<i64>| s.map(|seconds| Timestamp { seconds, nanos: 0 });
        ListArticlesRequest {
            language: language.into(),
            published_after: at(after),
            published_before: at(before),
            ..Default::default()
        }
    }

    fn article(language: &str, published: Option<i64>) -> Article {
        Article {
            language: language.into(),
            published_at: published.map(|seconds| Timestamp { seconds, nanos: 0 }),
            ..Default::default()
        }
    }

    #[test]
    fn language_takes_subtags_and_ignores_case() {
        let en = Filter::of(&request("EN", None, None)).unwrap();
        for kept in ["en", "en-GB", "EN-us"] {
            assert!(en.keeps(&article(kept, None)), "{kept}");
        }
        for left in ["eng", "fr", ""] {
            assert!(!en.keeps(&article(left, None)), "{left}");
        }
        let gb = Filter::of(&request("en-gb", None, None)).unwrap();
        assert!(gb.keeps(&article("en-GB", None)) && !gb.keeps(&article("en", None)));
        assert!(Filter::of(&request("en;drop", None, None)).is_err());
    }

    #[test]
    fn the_time_range_is_half_open_and_needs_a_publication_time() {
        let range = Filter::of(&request("", Some(100), Some(200))).unwrap();
        assert!(range.keeps(&article("en", Some(100))));
        assert!(range.keeps(&article("en", Some(199))));
        assert!(!range.keeps(&article("en", Some(200))));
        assert!(!range.keeps(&article("en", Some(99))));
        assert!(!range.keeps(&article("en", None)));
        assert!(Filter::of(&request("", Some(200), Some(200))).is_err());
        assert!(Filter::of(&request("", None, None)).unwrap().keeps(&article("", None)));
    }

    #[test]
    fn tokens_name_the_filters() {
        let none = Filter::default();
        assert_eq!(none.token_key(Some("s.example")).as_deref(), Some("s.example"));
        let en = Filter::of(&request("en", None, None)).unwrap();
        let fr = Filter::of(&request("fr", None, None)).unwrap();
        assert_ne!(en.token_key(Some("s.example")), fr.token_key(Some("s.example")));
        assert_ne!(en.token_key(None), none.token_key(None));
    }
}
