//! Cutting the site's name off a metadata title ("Headline | Site" →
//! "Headline"): what names the site, and where a title's parts divide.

use crate::text;

/// What names the site: its declared name, and the main label of its host
/// name folded ("omalleytunstall" for www.omalleytunstall.com).
pub(super) struct Site<'a> {
    pub(super) name: Option<&'a str>,
    pub(super) host: Option<String>,
}

impl Site<'_> {
    /// A title part that names the site: the declared name (either holding
    /// the other), or a part that spells out the host's label ("O'Malley
    /// Tunstall PLLC" on omalleytunstall.com, whatever og:site_name says).
    pub(super) fn named_by(&self, part: &str) -> bool {
        let part = text::fold(part);
        !part.is_empty()
            && (self.name.map(text::fold).is_some_and(|s| !s.is_empty() && (part.contains(&s) || s.contains(&part)))
                || self.host.as_ref().is_some_and(|h| part.contains(h.as_str())))
    }
}

/// The host's main label, folded, if long enough to be a name ("bbc" is too
/// short to find inside other words reliably).
pub(super) fn host_label(host: Option<&str>) -> Option<String> {
    let label = host?.split('.').rev().skip(1).find(|p| p.len() >= 4 && *p != "www")?;
    Some(text::fold(label)).filter(|l| l.chars().count() >= 5)
}

pub(super) const SEPARATORS: &[&str] =
    &[" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " « ", " » ", "_", "｜", " / "];

/// "Headline | Site" → "Headline": drops the part that is the site's name
/// when the page says what that is; otherwise keeps the longest part.
pub(super) fn strip_site_name(title: &str, others: &[&str], site: &Site<'_>) -> String {
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

/// The chosen headline without what trails it as decoration: the site's own
/// name after a separator ("Best UK Art Exhibitions 2025 – Artlyst", the
/// `<h1>` copying the document title), or a short phrase after a pipe, which
/// headlines do not use but titles do for a section, keywords or the site
/// ("Best Movers in NYC 2025 | Top 19 Companies", "Game Changer | Newegg.com").
pub(super) fn without_decoration(title: &str, site: &Site<'_>) -> String {
    let long_enough = |head: &str| text::fold(head).chars().count() >= 8 && head.split_whitespace().count() >= 2;
    for sep in SEPARATORS {
        if let Some((head, tail)) = title.rsplit_once(sep)
            && long_enough(head)
            && (site.name.is_some_and(|n| text::fold(n) == text::fold(tail))
                || site.host.as_ref().is_some_and(|h| text::fold(tail).contains(h.as_str())))
        {
            return without_decoration(head.trim(), site);
        }
    }
    match title.rsplit_once(" | ") {
        Some((head, tail)) if long_enough(head) && tail.split_whitespace().count() <= 4 => {
            without_decoration(head.trim(), site)
        }
        _ => title.to_string(),
    }
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

    #[test]
    fn short_tails_after_a_pipe_and_the_site_name_are_decoration() {
        let site = Site { name: Some("Artlyst"), host: None };
        assert_eq!(
            without_decoration("Critics’ Choice: Best UK Art Exhibitions 2025 – Artlyst", &site),
            "Critics’ Choice: Best UK Art Exhibitions 2025"
        );
        assert_eq!(
            without_decoration("Best Residential Movers in NYC 2025 | Top 19 Companies", &NO_SITE),
            "Best Residential Movers in NYC 2025"
        );
        assert_eq!(without_decoration("GAME CHANGER | Newegg.com", &NO_SITE), "GAME CHANGER");
        // A long phrase after the pipe is the headline's second half.
        let whole = "Top 10 Cameras of 2025 | The Best Mirrorless Cameras on the Market";
        assert_eq!(without_decoration(whole, &NO_SITE), whole);
        assert_eq!(without_decoration("Storm | Coast", &NO_SITE), "Storm | Coast", "too short a head");
    }
}
