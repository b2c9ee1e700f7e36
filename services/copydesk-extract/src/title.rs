//! The headline: the page's `<h1>` when metadata agrees with it, else the
//! best metadata title with the site name cut off.

use std::sync::LazyLock;

use regex::Regex;

mod headings;

use crate::dom::{Item, Page};
use crate::meta::Meta;
use crate::text;

use headings::{flagged_h1s, h1s, heading_level, near_h1, near_headings};

pub(crate) fn choose(
    page: &Page,
    meta: &Meta,
    envelope: Option<&str>,
    container: Option<u32>,
    host: Option<&str>,
) -> String {
    let title = choose_raw(page, meta, envelope, container, host);
    // A date before the headline ("23.01.2022 - Headline") is a dateline.
    let title = match LEADING_DATE.find(&title) {
        Some(m) if title[m.end()..].chars().count() >= 8 => title[m.end()..].to_string(),
        _ => title,
    };
    // Trailing separators are what is left of a cut-off site name.
    title.trim().trim_end_matches(['-', '|', '–', '—', ':', '·', '_']).trim().to_string()
}

static LEADING_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2})\s*[-–—|:]\s*").expect("valid regex")
});

fn choose_raw(page: &Page, meta: &Meta, envelope: Option<&str>, container: Option<u32>, host: Option<&str>) -> String {
    let site_name = meta.first(&["og:site_name", "application-name"]).or(meta.ld.publisher.as_deref());
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

    let site = Site { name: site_name, host: host_label(host) };

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
                    text::fold(m) == text::fold(h) && strip_site_name(m, &[], &site).chars().count() < m.chars().count()
                })
            })
            .collect();
    }
    let lone_h1 = match headings.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    };
    // A second-level heading beside the body that the metadata names is the
    // headline on pages whose <h1> is the logo or a section label.
    headings.extend(near_headings(page, container, 2));
    // An <h1> that the metadata also names is the headline without the
    // site-name decorations that <title> and og:title tend to carry.
    // It must be most of that title: a site name in an <h1> is also
    // "contained" in every page title of the site.
    for h in &headings {
        let folded = text::fold(h);
        let n = folded.chars().count();
        if n >= 4 && metadata.iter().any(|m| text::fold(m).contains(&folded) && n * 2 >= text::fold(m).chars().count())
        {
            // Spans joined inside a heading leave stray spaces ("Kicker : Headline")
            // that the metadata, typed as one string, does not have; a heading
            // set in capitals or with curly apostrophes by the theme is the
            // same title as the metadata's plain string.
            return match metadata.iter().find(|m| plain(m) == plain(h)) {
                Some(m) => m.to_string(),
                None => h.clone(),
            };
        }
        // The metadata's "Headline - Site name", the <h1> reading "Headline":
        // the page shows where the headline ends.
        if n >= 8
            && metadata.iter().any(|m| {
                SEPARATORS.iter().any(|sep| m.rsplit_once(sep).is_some_and(|(head, _)| text::fold(head) == folded))
            })
        {
            return h.clone();
        }
        // "Headline | Blog name" in the <h1>, the metadata naming only "Headline".
        for sep in SEPARATORS {
            if let Some((head, tail)) = h.rsplit_once(sep)
                && tail.trim().chars().count() <= 30
                && metadata.iter().any(|m| text::fold(m) == text::fold(head) && !text::fold(head).is_empty())
            {
                return head.trim().to_string();
            }
        }
    }
    // The visible headline beside the body is what readers see as the
    // title; metadata titles are often rewritten for search and social.
    if let Some(h) = near_h1(page, container) {
        let folded = text::fold(&h);
        if folded.chars().count() >= 8 && site_folded.as_ref().is_none_or(|s| *s != folded) && !reads_as_prose(&h) {
            return h;
        }
    }
    if let Some(first) = metadata.first() {
        if let Some(head) = head_named_by_h1(page, first, &site) {
            return head;
        }
        // The page's one <h1>, even outside the article's zone, is the headline
        // readers see when it shares most of its words with the metadata's
        // title, which is often a rewrite for search ("Top 7 Kitchen Trends"
        // for "Top 7 Kitchen Trends from KBIS 2025"). One that shares few is
        // a logo, a section label or a call to action.
        let stripped = strip_site_name(first, metadata.get(1..).unwrap_or(&[]), &site);
        if let Some(h) = lone_h1.filter(|h| !site.named_by(h) && shares_most_words(h, &stripped)) {
            return h;
        }
        return stripped;
    }
    headings.into_iter().next().unwrap_or_default()
}

/// A heading that reads as a paragraph set in large type, not a headline:
/// longer than any headline ("Learn which home renovations have the best
/// ROI? Get expert tips on ... We'll help you learn everything ..."), or
/// three sentences or more ending in a full stop (news headlines run to two:
/// "Wild goats ruled this island for a century. Now, it's being reborn.").
/// Such an `<h1>` is only taken when the metadata names it.
fn reads_as_prose(heading: &str) -> bool {
    let heading = heading.trim();
    let sentences = heading.split_inclusive(['.', '!', '?']).filter(|s| s.trim().chars().count() >= 12).count();
    heading.chars().count() > 200 || (heading.ends_with('.') && sentences >= 3)
}

/// A title as typed, whatever the theme did to it: no spaces, lower case,
/// straight apostrophes.
fn plain(t: &str) -> String {
    t.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .map(|c| if matches!(c, '\u{2019}' | '\u{2018}') { '\'' } else { c })
        .collect()
}

/// Whether at least half the words of `heading` (of three letters or more,
/// or numbers) are also words of `other`.
fn shares_most_words(heading: &str, other: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3 || w.chars().all(|c| c.is_ascii_digit()))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (mine, theirs) = (words(heading), words(other));
    let shared = mine.iter().filter(|w| theirs.contains(w)).count();
    text::fold(heading).chars().count() >= 8 && !mine.is_empty() && shared * 2 >= mine.len()
}

/// What names the site: its declared name, and the main label of its host
/// name folded ("omalleytunstall" for www.omalleytunstall.com).
struct Site<'a> {
    name: Option<&'a str>,
    host: Option<String>,
}

impl Site<'_> {
    /// A title part that names the site: the declared name (either holding
    /// the other), or a part that spells out the host's label ("O'Malley
    /// Tunstall PLLC" on omalleytunstall.com, whatever og:site_name says).
    fn named_by(&self, part: &str) -> bool {
        let part = text::fold(part);
        !part.is_empty()
            && (self.name.map(text::fold).is_some_and(|s| !s.is_empty() && (part.contains(&s) || s.contains(&part)))
                || self.host.as_ref().is_some_and(|h| part.contains(h.as_str())))
    }
}

/// The host's main label, folded, if long enough to be a name ("bbc" is too
/// short to find inside other words reliably).
fn host_label(host: Option<&str>) -> Option<String> {
    let label = host?.split('.').rev().skip(1).find(|p| p.len() >= 4 && *p != "www")?;
    Some(text::fold(label)).filter(|l| l.chars().count() >= 5)
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

const SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » ", "_", "｜", " / "];

/// "Headline | Site" → "Headline": drops the part that is the site's name
/// when the page says what that is; otherwise keeps the longest part.
fn strip_site_name(title: &str, others: &[&str], site: &Site<'_>) -> String {
    if others.iter().any(|o| text::fold(o) == text::fold(title)) && !SEPARATORS.iter().any(|s| title.contains(s)) {
        return title.to_string();
    }
    for sep in SEPARATORS {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            // The host's name after the last separator, or a tail that two
            // titles with different heads share ("… | Opinion" on both the
            // <title> and og:title): decoration, not headline.
            let shared = others.iter().any(|o| {
                o.rsplit_once(sep).is_some_and(|(h, t)| {
                    text::fold(t) == text::fold(tail) && text::fold(h) != text::fold(head) && !text::fold(h).is_empty()
                })
            });
            if (site.host.is_some() && site.named_by(tail) || shared) && text::fold(head).chars().count() >= 8 {
                return head.trim().to_string();
            }
        }
    }
    if let Some(site) = site.name.map(text::fold).filter(|s| !s.is_empty()) {
        for sep in SEPARATORS {
            if let Some((head, tail)) = title.rsplit_once(sep)
                && (text::fold(tail) == site
                    || text::fold(tail).contains(&site)
                    || site.contains(&text::fold(tail)) && !text::fold(tail).is_empty())
            {
                return head.trim().to_string();
            }
            if let Some((head, tail)) = title.split_once(sep)
                && text::fold(head) == site
            {
                return tail.trim().to_string();
            }
        }
        // The site name is known and not in the title: nothing to cut.
        return title.to_string();
    }
    // CJK titles glue the site name on without spaces: "标题-新华网".
    // Channel names can be stacked: "标题_新闻频道_央视网".
    if title.chars().filter(|c| is_cjk(*c)).count() * 2 > title.chars().count() {
        let mut rest = title.trim();
        while let Some((head, tail)) = rest.rsplit_once(['-', '—', '|', '_', '｜'])
            && (1..=10).contains(&tail.trim().chars().count())
            && head.trim().chars().count() > tail.trim().chars().count()
        {
            rest = head.trim();
        }
        // Too short a head to be the headline ("人名_百度百科"): the
        // whole is the page's name.
        return rest.to_string();
    }
    for sep in SEPARATORS {
        // An underscore between letters joins a name ("rustc_codegen_gcc"),
        // it does not separate one.
        if *sep == "_" && glued_underscore(title) {
            continue;
        }
        if title.contains(sep) {
            let parts: Vec<&str> = title.split(sep).map(str::trim).filter(|p| !p.is_empty()).collect();
            if parts.len() < 2 {
                continue;
            }
            let longest = parts.iter().max_by_key(|p| p.chars().count()).copied().unwrap_or(title);
            // Keep the whole when no part stands out (a title that merely contains a dash).
            if longest.chars().count() * 2 >= title.chars().count() || parts.len() > 2 {
                return longest.to_string();
            }
        }
    }
    title.to_string()
}

/// Whether some `_` of the title has a Latin letter or digit on both sides.
fn glued_underscore(title: &str) -> bool {
    let chars: Vec<char> = title.chars().collect();
    chars.windows(3).any(|w| w[1] == '_' && w[0].is_ascii_alphanumeric() && w[2].is_ascii_alphanumeric())
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}')
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
    }

    const NO_SITE: Site<'static> = Site { name: None, host: None };

    #[test]
    fn host_names_and_shared_tails_are_cut() {
        let site = Site { name: Some("O Malley Tunstall PC"), host: host_label(Some("www.omalleytunstall.com")) };
        assert_eq!(strip_site_name("Hurt at a gym | O'Malley Tunstall PLLC", &[], &site), "Hurt at a gym");
        assert_eq!(
            strip_site_name(
                "How meditation rewires brains | Opinion",
                &["The impact of meditation | Opinion"],
                &NO_SITE
            ),
            "How meditation rewires brains"
        );
        // The same tail on the same head is one title twice, not decoration.
        assert_eq!(strip_site_name("Storm | Coast", &["Storm | Coast"], &NO_SITE), "Storm | Coast");
        assert_eq!(host_label(Some("www.bbc.co.uk")), None, "too short a label to look for");
    }

    #[test]
    fn the_metadata_spells_a_heading_the_theme_restyled() {
        assert_eq!(plain("WHY CHEAP SEO DOESN’T WORK"), plain("Why cheap SEO doesn't  work"));
        assert_ne!(plain("Keeping It Clean ?>"), plain("Keeping It Clean"));
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
    fn a_heading_must_share_most_of_its_words() {
        assert!(shares_most_words(
            "Top 7 Innovative Kitchen Appliance Trends from KBIS & IBS 2025",
            "Top 7 Innovative Kitchen Appliance Trends"
        ));
        assert!(!shares_most_words("Open Menu Close Menu", "A brief intro to git"));
        assert!(!shares_most_words("Саратов-Times", "Солдат умер от менингита"));
    }

    #[test]
    fn site_names_are_cut() {
        assert_eq!(strip_site_name("Big storm hits coast | Example News", &[], &NO_SITE), "Big storm hits coast");
        assert_eq!(strip_site_name("国务院召开常务会议_新闻频道_央视网", &[], &NO_SITE), "国务院召开常务会议");
        assert_eq!(strip_site_name("Plain headline", &[], &NO_SITE), "Plain headline");
        assert_eq!(
            strip_site_name("rustc_codegen_gcc: Progress Report #39", &[], &NO_SITE),
            "rustc_codegen_gcc: Progress Report #39"
        );
        assert_eq!(
            strip_site_name("武汉的声音：有英勇的你，才有英雄的城！-新华网", &[], &NO_SITE),
            "武汉的声音：有英勇的你，才有英雄的城！"
        );
        assert_eq!(strip_site_name("新冠-疫苗", &[], &NO_SITE), "新冠-疫苗");
        assert_eq!(strip_site_name("蔡健雅_百度百科", &[], &NO_SITE), "蔡健雅_百度百科");
        assert_eq!(
            strip_site_name(
                "Haubenfahrzeuge - Teil 49 – Büssing-NAG | Oldtimer Blatt",
                &[],
                &Site { name: Some("Oldtimer Blatt"), host: None }
            ),
            "Haubenfahrzeuge - Teil 49 – Büssing-NAG"
        );
        assert_eq!(
            strip_site_name(
                "Luftfahrt hebt ab - und FACC profitiert",
                &[],
                &Site { name: Some("News Site"), host: None }
            ),
            "Luftfahrt hebt ab - und FACC profitiert"
        );
    }
}
