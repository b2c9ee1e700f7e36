//! Dates for a page nothing else dates: a labelled line that names only a
//! month ("Last Updated: June 2022"), and a short element whose own name
//! says it holds the date (`<span id="paperdate">2022年02月13日</span>`).
//! Both are weaker than any dateline, so they are read last.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use regex::Regex;

use super::AFTER_BODY;
use crate::dates::{self, Found};
use crate::dom::{self, Item, flag};
use crate::months::month;
use crate::shown;
use crate::zones::{self, Label};

/// Longest line read for a labelled month.
const MONTH_LINE_CHARS: usize = 60;

/// Longest text of an element named as a date that is read as one.
const NAMED_DATE_CHARS: usize = 40;

static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| crate::regexes::regex(r"(?:^|[^\w])(\p{L}+)\.?,?\s+(\d{4})(?:[^\d]|$)").expect("valid regex"));

/// The first day of the month a labelled line names with its year and no
/// day ("Last Updated: June 2022", "Publicado: marzo de 2021" reads no
/// "de"), in the article or just past it: the day is the month's first,
/// as catalogues and annotators write a month as a date.
pub(super) fn labelled_month(
    page: &dom::Page,
    container: Option<u32>,
    fetched_at: Option<DateTime<Utc>>,
) -> Option<Found> {
    let end = container.map_or(u32::MAX, |c| page.elems[c as usize].end);
    let mut after = 0;
    for item in &page.items {
        let Item::Text(b) = item else { continue };
        if b.elem >= end {
            after += 1;
            if after > AFTER_BODY {
                break;
            }
        }
        if b.flags & (flag::LIST | flag::CAPTION) != 0
            || b.chars > MONTH_LINE_CHARS
            || !b.text.bytes().any(|c| c.is_ascii_digit())
        {
            continue;
        }
        if !matches!(zones::label(&b.text), Label::Published | Label::Updated) || dates::find_in_text(&b.text).is_some()
        {
            continue;
        }
        let found = MONTH_YEAR.captures_iter(&b.text).find_map(|c| {
            let m = (3..=12).contains(&c[1].chars().count()).then(|| month(&c[1])).flatten()?;
            let day = NaiveDate::from_ymd_opt(c[2].parse().ok()?, m, 1)?;
            Some(Found::wall(day.and_time(NaiveTime::MIN), true))
        });
        if let Some(f) = found.filter(|f| dates::plausible(*f, fetched_at)) {
            return Some(f);
        }
    }
    None
}

/// The date of the first element whose id or class names a date
/// ("paperdate", "post-date", "newsDate") and whose whole text is short
/// and holds one: templates that print the date apart from the headline
/// name its box so. A name that dates several boxes with different days is
/// a teaser list's, whatever the template calls it.
pub(super) fn named_date(page: &dom::Page, fetched_at: Option<DateTime<Utc>>) -> Option<Found> {
    let named: Vec<(&str, Found)> = page
        .elems
        .iter()
        .filter(|elem| elem.flags & (flag::LIST | flag::CAPTION) == 0)
        .filter_map(|elem| {
            let el = page.html.tree.get(elem.node).and_then(scraper::ElementRef::wrap)?;
            let name = ["id", "class"]
                .into_iter()
                .filter_map(|a| el.value().attr(a))
                .find(|v| v.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"date")))?;
            // A named box may hold a whole article ("post-date-wrap"): its
            // text is gathered only as far as a date's length.
            let mut text = String::new();
            for piece in el.text() {
                text.push_str(piece);
                if text.len() > NAMED_DATE_CHARS * 4 {
                    return None;
                }
            }
            let text = text.trim();
            if text.chars().count() > NAMED_DATE_CHARS {
                return None;
            }
            let found = dates::find_in_text(text).filter(|f| dates::plausible(*f, fetched_at))?;
            Some((name, found))
        })
        .collect();
    named.iter().find_map(|&(name, found)| {
        let one_day = named.iter().filter(|(n, _)| *n == name).all(|(_, f)| f.local_day() == found.local_day());
        one_day.then_some(found)
    })
}

static NUMERIC_DAY: LazyLock<Regex> =
    LazyLock::new(|| crate::regexes::regex(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$").expect("valid regex"));

/// The day a numeric date that reads both ways ("02-12-2025": 2 December or
/// February 12) means, when the page writes one of the two readings
/// elsewhere ("December 02, 2025" in a list of recent posts) and not the
/// other. Only a text that is that date and nothing else is read.
pub(super) fn either_way(page: &dom::Page, text: &str) -> Option<Found> {
    let c = NUMERIC_DAY.captures(text)?;
    let (a, b, y): (u32, u32, i32) = (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    if a == b {
        return None;
    }
    let day_first = NaiveDate::from_ymd_opt(y, b, a)?;
    let month_first = NaiveDate::from_ymd_opt(y, a, b)?;
    // One walk over the page's lines answers for both readings.
    let written = shown::written_days(page);
    let day = match (written.contains(&day_first), written.contains(&month_first)) {
        (true, false) => day_first,
        (false, true) => month_first,
        _ => return None,
    };
    Some(Found::wall(day.and_time(NaiveTime::MIN), true))
}

#[cfg(test)]
mod tests {
    use crate::test_pages::HARBOUR_STORY as BODY;
    use crate::{Hints, extract};

    fn published(body: &str) -> String {
        let page = format!("<html><body><h1>Harbour plan divides the town</h1>{body}</body></html>");
        extract(page.as_bytes(), &Hints::default()).map(|e| e.article.published_local).unwrap_or_default()
    }

    #[test]
    fn a_labelled_month_dates_an_undated_page_by_its_first_day() {
        assert_eq!(published(&format!("<div>{BODY}</div><div><b>Last Updated: </b>June 2022</div>")), "2022-06-01");
        assert_eq!(published(&format!("<div>{BODY}</div><div>June 2022</div>")), "", "unlabelled");
    }

    #[test]
    fn an_element_named_as_the_date_dates_an_undated_page() {
        let body = format!("<div class=top><span id=paperdate>2022年02月13日</span></div><div>{BODY}</div>");
        assert_eq!(published(&body), "2022-02-13");
        let teasers = format!(
            "<div>{BODY}</div><nav><span class=teaser-date>1 July 2020</span><span class=teaser-date>18 March 2020</span></nav>"
        );
        assert_eq!(published(&teasers), "", "a teaser list's dates");
    }

    #[test]
    fn a_date_that_reads_both_ways_takes_the_reading_the_page_shows() {
        let body = format!("<p><time datetime=02-12-2025>02-12-2025</time></p><div>{BODY}</div>");
        let recent = "<aside><h3>Recent posts</h3><p>December 02, 2025</p></aside>";
        assert_eq!(published(&format!("{body}{recent}")), "2025-12-02");
        assert_eq!(published(&body), "", "neither reading shown");
    }
}
