//! The headline: the page's `<h1>` when metadata agrees with it, else the
//! best metadata title with the site name cut off.

use std::sync::LazyLock;

use regex::Regex;

mod headings;
mod site;
mod wording;

use crate::dom::{Item, Page};
use crate::meta::Meta;
use crate::text;

use headings::{flagged_h1s, h1s, heading_level, linked_title, near_h1, near_headings};
use site::{SEPARATORS, Site, host_label, strip_site_name, without_decoration};
use wording::{
    adds_only_numbers, fuller_first, garbled_copy, glued_copy, plain, reads_as_prose, shares_most_words, shouted,
    without_label,
};

pub(crate) fn choose(
    page: &Page,
    meta: &Meta,
    envelope: Option<&str>,
    container: Option<u32>,
    host: Option<&str>,
) -> String {
    let site_name = meta.first(&["og:site_name", "application-name"]).or(meta.ld.publisher.as_deref());
    let site = Site { name: site_name, host: host_label(host) };
    let title = choose_raw(page, meta, envelope, container, &site);
    // A date before the headline ("23.01.2022 - Headline") is a dateline.
    let title = match LEADING_DATE.find(&title) {
        Some(m) if title[m.end()..].chars().count() >= 8 => title[m.end()..].to_string(),
        _ => title,
    };
    let title = without_named_date(&title);
    // Trailing separators are what is left of a cut-off site name.
    let title = title.trim().trim_end_matches(['-', '|', '–', '—', ':', '·', '_']).trim();
    without_decoration(title, &site)
}

/// "Dec 18 2025 Preparing a transition": a day and a month's name with the
/// year before the headline, run into it without a separator, is a dateline
/// too. The year is what tells it from a headline about a day ("May 4 Is
/// Star Wars Day").
fn without_named_date(title: &str) -> String {
    let words: Vec<&str> = title.split_whitespace().collect();
    let number = |w: &str| w.trim_end_matches([',', '.']).parse::<u32>().ok();
    let day = |w: &str| number(w).is_some_and(|d| (1..=31).contains(&d));
    let year =
        |w: &str| w.trim_end_matches([',', '.']).len() == 4 && number(w).is_some_and(|y| (1990..=2100).contains(&y));
    let dated = words.len() > 3
        && year(words[2])
        && (crate::months::month(words[0]).is_some() && day(words[1])
            || day(words[0]) && crate::months::month(words[1]).is_some());
    if dated {
        let rest = words[3..].join(" ");
        if rest.chars().count() >= 8 {
            return rest;
        }
    }
    title.to_string()
}

static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?i)^\s*(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\s*$").expect("valid regex")
});

static LEADING_DATE: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"^\s*(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2})\s*[-–—|:]\s*").expect("valid regex")
});

fn choose_raw(page: &Page, meta: &Meta, envelope: Option<&str>, container: Option<u32>, site: &Site<'_>) -> String {
    let site_name = site.name;
    let metadata: Vec<&str> = [
        meta.ld.headline.as_deref(),
        meta.first(&["og:title", "twitter:title", "headline", "dc.title", "title"]),
        meta.title_tag.as_deref(),
        envelope,
    ]
    .into_iter()
    .flatten()
    .chain(meta.ld.other_headlines.iter().map(String::as_str))
    .chain(meta.all("twitter:title"))
    .map(str::trim)
    .filter(|t| !t.is_empty())
    .collect();
    // A headline field holding only the site's name names no article, unless
    // every field does (a site whose name field repeats the headline).
    let site_folded = site_name.map(text::fold);
    let is_site = |t: &&str| site_folded.as_ref().is_some_and(|s| *s == text::fold(t));
    let metadata =
        if metadata.iter().all(is_site) { metadata } else { metadata.into_iter().filter(|t| !is_site(t)).collect() };

    let metadata = fuller_first(metadata);

    let mut headings = h1s(page, container);
    // Themes wrap the headline in blocks whose class names read as furniture
    // ("elementor-widget", "inner-banner", "hero-banner"), which flags the
    // <h1> too. With no other <h1> on the page, a flagged one still is the
    // headline when the metadata bears it out (below); not one that repeats
    // the document's title, site name and all: that is a copy for screen
    // readers ("Headline | Section | Site").
    if headings.is_empty() {
        headings = flagged_h1s(page)
            .into_iter()
            .filter(|h| {
                !metadata.iter().any(|m| {
                    text::fold(m) == text::fold(h) && strip_site_name(m, &[], site).chars().count() < m.chars().count()
                })
            })
            .collect();
    }
    // An <h1> that is a bare domain name ("davidbau.com") is the site's
    // logo, and the document title that starts with it names the site
    // first ("davidbau.com Vibe Coding").
    let mut metadata = metadata;
    if let Some(i) = headings.iter().position(|h| DOMAIN.is_match(h)) {
        let logo = headings.remove(i);
        for m in &mut metadata {
            if let Some(rest) =
                m.strip_prefix(logo.as_str()).filter(|r| r.starts_with(' ') && r.trim().chars().count() >= 4)
            {
                *m = rest.trim();
            }
        }
    }
    let lone_h1 = match headings.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    };
    // A second-level heading beside the body that the metadata names is the
    // headline on pages whose <h1> is the logo or a section label.
    let n_h1 = headings.len();
    headings.extend(near_headings(page, container, 2));
    // Each metadata title folded once: the loops below compare every
    // heading with every title.
    let folded_meta: Vec<String> = metadata.iter().map(|m| text::fold(m)).collect();
    // A headline broken by <br> reaches here as two headings.
    for pair in headings[..n_h1].windows(2) {
        let joined = text::fold(&format!("{} {}", pair[0], pair[1]));
        if let Some(i) = folded_meta.iter().position(|m| *m == joined) {
            return metadata[i].to_string();
        }
    }
    // An <h1> that the metadata also names is the headline without the
    // site-name decorations that <title> and og:title tend to carry.
    // It must be most of that title: a site name in an <h1> is also
    // "contained" in every page title of the site.
    for (hi, h) in headings.iter().enumerate() {
        let h = &without_label(h, &metadata);
        let folded = text::fold(h);
        let n = folded.chars().count();
        // A second-level heading must be the whole of a metadata title less
        // the site's name: one that is only its start ("What is social
        // commerce?" in "What is Social Commerce - A guided introduction") is
        // the first section's heading. An issue number in brackets after
        // the title files the piece ("(2021/5)"): the heading may lack it.
        let whole = |m: &&str| {
            let bare = strip_site_name(m, &[], site);
            let unfiled = bare.trim_end().strip_suffix(')').and_then(|b| b.rsplit_once(" (")).map(|(head, _)| head);
            hi < n_h1 || text::fold(&bare) == folded || unfiled.is_some_and(|u| text::fold(u) == folded)
        };
        if n >= 4
            && metadata
                .iter()
                .zip(&folded_meta)
                .any(|(m, fm)| fm.contains(folded.as_str()) && n * 2 >= fm.chars().count() && whole(m))
        {
            // "Recent Trends in Photography" in the <h1>, "8 Recent Trends in
            // Photography - Site" in the metadata: the heading dropped the
            // count or the year that the full headline carries.
            for (i, m) in metadata.iter().enumerate() {
                let others: Vec<&str> = metadata.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, o)| *o).collect();
                let full = strip_site_name(m, &others, site);
                if adds_only_numbers(&full, h) {
                    return full;
                }
            }
            // Spans joined inside a heading leave stray spaces ("Kicker : Headline")
            // that the metadata, typed as one string, does not have; a heading
            // set in capitals or with curly apostrophes by the theme is the
            // same title as the metadata's plain string.
            return match metadata.iter().find(|m| plain(m) == plain(h)) {
                Some(m) => m.to_string(),
                None => h.to_string(),
            };
        }
        // The metadata's "Headline - Site name", the <h1> reading "Headline":
        // the page shows where the headline ends.
        if n >= 8
            && metadata.iter().any(|m| {
                whole(m)
                    && SEPARATORS
                        .iter()
                        .any(|sep| m.rsplit_once(sep).is_some_and(|(head, _)| text::fold(head) == folded))
            })
        {
            return h.to_string();
        }
        // "Headline | Blog name" in the <h1>, the metadata naming only "Headline".
        for sep in SEPARATORS {
            if let Some((head, tail)) = h.rsplit_once(sep)
                && tail.trim().chars().count() <= 30
                && let folded_head = text::fold(head)
                && !folded_head.is_empty()
                && folded_meta.contains(&folded_head)
            {
                return head.trim().to_string();
            }
        }
    }
    // The metadata's titles less the site's name, for the story's link in an
    // aggregator's <h1> (`linked_title`).
    let titles: Vec<String> = metadata
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let others: Vec<&str> = metadata.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, o)| *o).collect();
            strip_site_name(m, &others, site)
        })
        .collect();
    if let Some(linked) = linked_title(page, &titles) {
        return linked;
    }
    // <h1>s set as the body's section headings ("What is a SLM?", "How to
    // get started", ...: blog editors offer "Heading 1" for them) are not the
    // headline: with three or more beside the body, the first only heads the
    // first section.
    let sectioned = near_headings(page, container, 1).nth(2).is_some();
    // The visible headline beside the body is what readers see as the
    // title; metadata titles are often rewritten for search and social.
    if let Some(h) = near_h1(page, container).filter(|_| !sectioned) {
        let folded = text::fold(&h);
        // One typed in capitals is a display line the theme shouts; the
        // metadata has the headline as written ("BEST DRIP COFFEE MAKER IN
        // 2026" for "Best Drip Coffee Maker 2026"). One whose characters the
        // page's encoding lost ("Planning? Beginner? Guide") is the
        // metadata's "Planning: Beginner's Guide"; so is one whose text runs
        // together words that the style sheet sets on two lines
        // ("AlternativesTop Tools" for "Alternatives: Top Tools").
        if let Some(first) = metadata.first() {
            let written = strip_site_name(first, metadata.get(1..).unwrap_or(&[]), site);
            if shouted(&h) && shares_most_words(&h, &written) || garbled_copy(&h, &written) || glued_copy(&h, &written)
            {
                return written;
            }
        }
        if folded.chars().count() >= 8
            && site_folded.as_ref().is_none_or(|s| *s != folded)
            && !reads_as_prose(&h)
            && !DOMAIN.is_match(&h)
        {
            return h;
        }
    }
    if let Some(first) = metadata.first() {
        if let Some(head) = head_named_by_h1(page, first, site) {
            return head;
        }
        // The page's one <h1>, even outside the article's zone, is the headline
        // readers see when it shares most of its words with the metadata's
        // title, which is often a rewrite for search ("Top 7 Kitchen Trends"
        // for "Top 7 Kitchen Trends from KBIS 2025"). One that shares few is
        // a logo, a section label or a call to action.
        let stripped = strip_site_name(first, metadata.get(1..).unwrap_or(&[]), site);
        // One that holds the host's name ("Austin Hardware Catalog" on
        // austinhardware.com) is still the headline when it shares most
        // words. One of five words or more that shares few is a headline of
        // its own ("Everything You Need to Know About Online Classes" for
        // "Online Class: Definition, Best Platforms in 2025"), which labels
        // and logos are too short to be.
        if lone_h1.as_deref().is_some_and(|h| glued_copy(h, &stripped)) {
            return stripped;
        }
        if let Some(h) = lone_h1.clone().filter(|h| {
            let logo = site.named_by(h);
            shares_most_words(h, &stripped) && (!logo || h.split_whitespace().count() >= 3)
                || !logo && h.split_whitespace().count() >= 5 && !reads_as_prose(h)
        }) {
            return h;
        }
        return stripped;
    }
    headings.into_iter().next().unwrap_or_default()
}

/// "Headline | Office name" where some `<h1>` of the page, even one outside
/// the article's zone, reads "Headline": the page itself shows where the
/// headline ends. Not when that part names the site (a logo in an `<h1>`).
fn head_named_by_h1(page: &Page, title: &str, site: &Site<'_>) -> Option<String> {
    let headings: Vec<String> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(b) if heading_level(page, b) == Some(1) && b.chars <= 300 => Some(text::fold(&b.text)),
            _ => None,
        })
        .collect();
    SEPARATORS.iter().find_map(|sep| {
        let (head, _) = title.rsplit_once(sep)?;
        let folded = text::fold(head);
        (folded.chars().count() >= 8 && !site.named_by(head) && headings.contains(&folded))
            .then(|| head.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_datelines_are_cut() {
        fn cut(t: &str) -> &str {
            LEADING_DATE.find(t).map_or(t, |m| &t[m.end()..])
        }
        assert_eq!(cut("23.01.2022 - Wierer darf jubeln"), "Wierer darf jubeln");
        assert_eq!(cut("2024-06-17 | Storm hits coast"), "Storm hits coast");
        assert_eq!(cut("1984 - the novel at 40"), "1984 - the novel at 40");
        assert_eq!(without_named_date("Dec 18 2025 Preparing a transition"), "Preparing a transition");
        assert_eq!(without_named_date("May 4 Is Star Wars Day"), "May 4 Is Star Wars Day");
    }

    fn title_of(head: &str, body: &str) -> String {
        let para = "<p>Go has the usual mechanisms for control flow, and a few more that this article explains at \
            length with examples for each of them, from the simplest case to the hardest one.</p>";
        let html = format!("<html><head>{head}</head><body>{body}<article>{}</article></body></html>", para.repeat(3));
        crate::extract(html.as_bytes(), &crate::Hints::default()).map(|e| e.article.title).unwrap_or_default()
    }

    #[test]
    fn an_h1_that_is_the_metadata_title_before_its_site_name_is_the_headline() {
        let head = "<title>Defer, Panic, and Recover - The Go Programming Language</title>";
        let body = "<header><h1 class=small><a href=/blog/>The Go Blog</a></h1></header>\
            <h1>Defer, Panic, and Recover</h1>";
        assert_eq!(title_of(head, body), "Defer, Panic, and Recover");
        let head = "<title>BEST DRIP COFFEE MAKERS</title><meta property=og:title content='Best Drip Coffee Makers'>";
        assert_eq!(title_of(head, "<h1>BEST DRIP COFFEE MAKERS</h1>"), "Best Drip Coffee Makers");
    }

    #[test]
    fn an_h1_in_a_block_named_like_furniture_is_the_headline_the_metadata_bears_out() {
        let head = "<title>Top 11 SEO Strategies for 2025 | Lucca</title>";
        let body = "<div class=inner-banner><h1>11 SEO Strategies for 2025 to Boost Rankings</h1></div>";
        assert_eq!(title_of(head, body), "11 SEO Strategies for 2025 to Boost Rankings");
        // One sharing few of the metadata's words is a logo or a label.
        let body = "<div class=inner-banner><h1>Our marketing blog</h1></div>";
        assert_eq!(title_of(head, body), "Top 11 SEO Strategies for 2025");
        // A copy of the document's whole title for screen readers is not the headline.
        let head = "<title>Help babies sleep through the night | Patient Education | Children's Hospital</title>\
            <meta property=og:title content='Help babies sleep through the night'>\
            <meta property=og:site_name content=\"Children's Hospital\">";
        let body = "<div class=sr-only><h1>Help babies sleep through the night | Patient Education | \
            Children's Hospital</h1></div>";
        assert_eq!(title_of(head, body), "Help babies sleep through the night");
    }

    #[test]
    fn a_lone_h1_of_a_headline_s_length_is_the_headline_whatever_the_metadata_says() {
        let head = "<title>Online Class: Definition, Best Platforms in 2025 | Shorelight</title>";
        let body = "<div class=topper><h1>Everything You Need to Know About Online Classes</h1></div>";
        assert_eq!(title_of(head, body), "Everything You Need to Know About Online Classes");
        // A short one that shares nothing is a label.
        let body = "<div class=topper><h1>Our BLOG</h1></div>";
        assert_eq!(title_of(head, body), "Online Class: Definition, Best Platforms in 2025");
    }

    #[test]
    fn a_domain_name_in_an_h1_is_the_logo_and_an_h1_broken_by_br_is_one() {
        assert_eq!(title_of("<title>davidbau.com Vibe Coding</title>", "<h1>davidbau.com</h1>"), "Vibe Coding");
        let head = "<meta property=og:title content='Real Estate Investing for Beginners Real Estate 101'>";
        let body = "<h1>Real Estate Investing for Beginners <br>Real Estate 101</h1>";
        assert_eq!(title_of(head, body), "Real Estate Investing for Beginners Real Estate 101");
    }
}
