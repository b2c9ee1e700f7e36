//! Whether a page with no body text still holds an article: what tells a
//! news page whose text did not come through (a script-built page, a paywall)
//! from a page with no article at all (an empty shell, a login or bot wall,
//! a bare listing), which is `no_content`.

use url::Url;

use crate::meta::Meta;

/// Why a page without a body still counts as an article, for its warning.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// It says so: JSON-LD `Article` types or `og:type=article`.
    Declared,
    /// Its URL's slug spells its title, as an article's does, and not a
    /// listing's, a login page's or a wall's.
    SlugNamesTitle,
}

/// The evidence that a page without a body is an article, when it describes
/// itself: with no description there is nothing certain to keep as text.
pub(crate) fn article_evidence(meta: &Meta, title: &str, url: Option<&Url>, description: &str) -> Option<Evidence> {
    if description.trim().is_empty() {
        return None;
    }
    let declared = meta.ld.is_article || meta.first(&["og:type"]).is_some_and(|t| t.trim() == "article");
    if declared {
        return Some(Evidence::Declared);
    }
    // A site's tagline ("News from everywhere.") describes every page of the
    // site; a summary of one piece is a few sentences long.
    let words = description.split_whitespace().count();
    (words >= MIN_SUMMARY_WORDS && url.is_some_and(|u| slug_names_title(u, title))).then_some(Evidence::SlugNamesTitle)
}

/// The fewest words of a description that summarises one piece.
const MIN_SUMMARY_WORDS: usize = 15;

/// The fewest title words a slug must spell: one or two are shared by chance
/// ("/news/world", "Sign in" at "/sign-in").
const MIN_SHARED_WORDS: usize = 3;

/// Whether some path segment of `url`, split at hyphens and underscores,
/// spells at least three words of the title, most of the segment's words.
fn slug_names_title(url: &Url, title: &str) -> bool {
    let title_words = words(title);
    url.path_segments().into_iter().flatten().any(|segment| {
        let segment = segment.rsplit_once('.').map_or(segment, |(stem, _)| stem);
        let slug = words(&segment.replace(['-', '_', '+'], " "));
        let shared = slug.iter().filter(|w| title_words.contains(w)).count();
        shared >= MIN_SHARED_WORDS && shared * 2 >= slug.len()
    })
}

/// Lower-cased words of letters or digits, of two characters or more.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str) -> Url {
        Url::parse(u).expect("a valid URL")
    }

    #[test]
    fn a_slug_that_spells_the_title_names_an_article() {
        let title = "2025 in Review: My favorite new-to-me games";
        assert!(slug_names_title(
            &url("https://example.com/list/366833/2025-in-review-my-favorite-new-to-me-games"),
            title
        ));
        assert!(slug_names_title(
            &url("https://example.com/2025/harbour_plan_divides_town.html"),
            "Harbour plan divides town"
        ));
        assert!(!slug_names_title(&url("https://example.com/sign-in?next=/news"), "Sign in"));
        assert!(!slug_names_title(&url("https://example.com/news/world/"), "World news: the latest headlines"));
        // A slug of many words that shares only a few with the title names another page.
        assert!(!slug_names_title(
            &url("https://example.com/best-games-news-reviews-previews-guides-deals-every-platform"),
            "Best games news"
        ));
    }
}
