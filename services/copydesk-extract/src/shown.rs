//! The days a page shows its reader, and when the date written by the
//! headline outranks the one its metadata declares.
//!
//! Evergreen guides, company blogs and re-published stories keep the
//! CMS's first publication instant in their metadata and show the reader
//! another date: "Updated December 17, 2025", a revised edition's day, the
//! print issue's. The day the page dates itself by is the one it shows. A
//! declared day the page never shows anywhere is the CMS's record, not
//! the reader's date; when the page's own dateline shows another day, that
//! dateline is taken.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::dates::{self, Found};
use crate::dom::{self, Item};
use crate::zones::{self, Label};

/// Longest line searched for a shown date: longer ones are prose, whose
/// dates are its topic.
const SHOWN_LINE_CHARS: usize = 200;

/// Separators between the parts of a dateline ("Published May 3, 2024 |
/// Updated June 1, 2024"): each part is read for its own date.
const PARTS: &[char] = &['|', '·', '•', '—', '–', '\n'];

/// Every day written in a short line of the page, wherever it stands; but
/// for a dateline labelled as the publication, not a day labelled as an
/// update: the page says which date is which ("Published Apr 26, 2023"
/// over "Updated Aug 21, 2025"), and a declared publication on the update's
/// day is the CMS's record of the revision, not the date the reader is given.
fn days(page: &dom::Page, labelled: bool) -> HashSet<NaiveDate> {
    let mut days = HashSet::new();
    let mut above = Label::None;
    for item in &page.items {
        let Item::Text(b) = item else { continue };
        let label_line = std::mem::replace(&mut above, zones::block_label_above(b));
        if b.chars > SHOWN_LINE_CHARS || !b.text.bytes().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let shown = |part: &str, label_line| {
            (!labelled || zones::label_under(part, label_line) != Label::Updated)
                .then(|| dates::find_in_text(part).map(|f| f.local_day()))
                .flatten()
        };
        days.extend(shown(&b.text, label_line));
        if b.text.contains(PARTS) {
            days.extend(b.text.split(PARTS).filter_map(|part| shown(part, Label::None)));
        }
    }
    days
}

/// The days the page's short lines write, labelled or not.
pub(crate) fn written_days(page: &dom::Page) -> HashSet<NaiveDate> {
    days(page, false)
}

/// Whether the page shows the declared date's day: its own, or the day on
/// either side, which another time zone may give it; or with day and month
/// swapped, as an ambiguous "09.10.2024" is read one way and may mean the other.
fn is_shown(declared: Found, shown: &HashSet<NaiveDate>) -> bool {
    let day = declared.local_day();
    let swapped = (day.day() <= 12).then(|| NaiveDate::from_ymd_opt(day.year(), day.day(), day.month())).flatten();
    [day.pred_opt(), Some(day), day.succ_opt(), Some(declared.at.date_naive()), swapped]
        .into_iter()
        .flatten()
        .any(|d| shown.contains(&d))
}

/// Paragraphs of prose into the body an unlabelled dateline may stand: a
/// header inside the body's wrapper (headline, standfirst, byline, "7 min
/// read") is no paragraph, however many lines it takes.
const INTO_BODY: usize = 1;

/// Lines longer than this are paragraphs of prose.
const PARAGRAPH_CHARS: usize = 150;

/// Characters before a date read for its label: the words next to it, not a
/// byline's names and credits further left.
const LABEL_REACH: usize = 30;

/// Whether the dateline's first line stands above the body or before its
/// second paragraph, or is labelled as the publication anywhere before the body's
/// end; never when labelled as an update. An unlabelled date first shown
/// further down, or past a short body, is a teaser's or a comment's. When
/// placed, whether it is labelled as the publication above the body.
fn placed(page: &dom::Page, container: Option<u32>, dateline: Found) -> Option<bool> {
    let day = dateline.local_day();
    let mut body_lines = 0;
    for item in &page.items {
        let Item::Text(b) = item else { continue };
        if container.is_some_and(|c| page.contains(c, b.elem)) && b.chars > PARAGRAPH_CHARS {
            body_lines += 1;
        }
        if container.is_some_and(|c| b.elem >= page.elems[c as usize].end) {
            return None;
        }
        if b.chars > SHOWN_LINE_CHARS || !b.text.bytes().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some(at) = b.text.split(PARTS).find(|part| dates::find_in_text(part).is_some_and(|f| f.local_day() == day))
        else {
            continue;
        };
        let digit = at.find(|c: char| c.is_ascii_digit()).unwrap_or(at.len());
        let head: String = at[..digit].chars().rev().take(LABEL_REACH).collect::<Vec<_>>().into_iter().rev().collect();
        return match zones::label(&format!("{head}0")) {
            // The header's label says which date is which; one further down
            // labels a table's or a box's figures ("Data as of ...").
            Label::Published => Some(body_lines <= INTO_BODY),
            Label::None => (body_lines <= INTO_BODY).then_some(false),
            Label::Updated | Label::Elsewhere => None,
        };
    }
    None
}

/// The date written by the headline in place of the declared one, when the
/// page never shows the declared day and the dateline is days away from it.
pub(crate) fn overrides(
    page: &dom::Page,
    container: Option<u32>,
    declared: Found,
    dateline: Option<Found>,
    modified: Option<DateTime<Utc>>,
) -> Option<Found> {
    let dateline = dateline?;
    let apart = (dateline.local_day() - declared.local_day()).num_days().abs() > 1;
    // A dateline on the declared revision's day is the "updated" line, and
    // the publication stays the declared one.
    let revision = modified.is_some_and(|m| (dateline.local_day() - m.date_naive()).num_days().abs() <= 1);
    if !apart || revision {
        return None;
    }
    let labelled = placed(page, container, dateline)?;
    (!is_shown(declared, &days(page, labelled))).then_some(dateline)
}

/// The date the page shows by its headline, labelled as an update or not,
/// in place of a declared publication no earlier than the declared
/// modification and shown nowhere on the page: such metadata records one
/// save of the page, the CMS's re-publication, and the day the reader is
/// shown is the page's date. A declared day the page shows stays.
pub(crate) fn resaved(
    page: &dom::Page,
    declared: Found,
    modified: Option<DateTime<Utc>>,
    shown: Option<Found>,
) -> Option<Found> {
    let shown = shown?;
    // An instant the shown day is the local day of somewhere is settled
    // by its time zone (`tz::settle`), not replaced.
    let zoned = declared.offset.is_some() && crate::tz::somewhere(declared, shown.local_day());
    if modified.is_none_or(|m| declared.at < m) || shown.local_day() == declared.local_day() || zoned {
        return None;
    }
    let days = days(page, false);
    (!days.contains(&declared.local_day()) && !days.contains(&declared.at.date_naive())).then_some(shown)
}

/// The date of the page's `<time>` elements when they all give one day,
/// wherever they stand: a page with one machine date, however often it is
/// written (a forum thread's head and its first post), has no teaser or
/// comment dates to confuse it with, so that one dates the article. Times
/// that disagree say nothing alone, and an empty one says nothing.
pub(crate) fn lone_time(page: &dom::Page, fetched_at: Option<DateTime<Utc>>) -> Option<Found> {
    let mut agreed: Option<Found> = None;
    for elem in page.elems.iter().filter(|e| &*e.tag == "time") {
        let Some(el) = page.html.tree.get(elem.node).and_then(scraper::ElementRef::wrap) else { continue };
        let shown: String = el.text().collect();
        let Some(f) = el
            .value()
            .attr("datetime")
            .and_then(|d| dates::parse(d, fetched_at))
            .or_else(|| dates::parse(&shown, fetched_at))
        else {
            continue;
        };
        match agreed {
            Some(a) if a.local_day() != f.local_day() => return None,
            Some(_) => {}
            None => agreed = Some(f),
        }
    }
    agreed
}

#[cfg(test)]
mod tests {
    use crate::{Hints, extract};

    use crate::test_pages::HARBOUR_STORY as BODY;

    fn published(head: &str, body: &str) -> String {
        let page = format!("<html><head>{head}</head><body><h1>Harbour plan divides the town</h1>{body}</body></html>");
        extract(page.as_bytes(), &Hints::default()).map(|e| e.article.published_local).unwrap_or_default()
    }

    const DECLARED: &str = "<meta property=article:published_time content=2019-08-11T10:00:00Z>\
        <meta property=article:modified_time content=2025-11-21T10:00:00Z>";

    #[test]
    fn the_dateline_replaces_a_declared_day_the_page_never_shows() {
        let got = published(DECLARED, &format!("<p class=meta>March 20, 2023</p><div>{BODY}</div>"));
        assert_eq!(got, "2023-03-20");
    }

    #[test]
    fn a_declared_day_the_page_shows_stays() {
        let body = format!("<p class=meta>March 20, 2023</p><div>{BODY}<p>First printed 11 August 2019</p></div>");
        assert_eq!(published(DECLARED, &body), "2019-08-11T10:00:00Z");
    }

    #[test]
    fn an_update_line_does_not_replace_the_publication() {
        let labelled = format!("<p class=meta>Last updated: March 20, 2023</p><div>{BODY}</div>");
        assert_eq!(published(DECLARED, &labelled), "2019-08-11T10:00:00Z");
        // Unlabelled, but on the declared revision's day.
        let revision = format!("<p class=meta>November 21, 2025</p><div>{BODY}</div>");
        assert_eq!(published(DECLARED, &revision), "2019-08-11T10:00:00Z");
    }

    #[test]
    fn a_declared_day_the_page_labels_its_update_gives_way_to_the_labelled_publication() {
        let head = "<meta property=article:published_time content=2025-08-21T10:00:00Z>";
        let update = "<p class=meta>Updated Aug 21, 2025</p>";
        let labelled = format!("<p class=meta>Published Apr 26, 2023</p>{update}<div>{BODY}</div>");
        assert_eq!(published(head, &labelled), "2023-04-26");
        // Unlabelled, the dateline does not say which date is which.
        let unlabelled = format!("<p class=meta>Apr 26, 2023</p>{update}<div>{BODY}</div>");
        assert_eq!(published(head, &unlabelled), "2025-08-21T10:00:00Z");
        // A label inside the body dates a table or a box, not the article.
        let inside = format!("{update}<div>{BODY}<p>Figures published Apr 26, 2023</p></div>");
        assert_eq!(published(head, &inside), "2025-08-21T10:00:00Z");
    }

    #[test]
    fn a_declaration_of_one_save_gives_way_to_the_shown_day_unless_the_page_shows_it() {
        let head = "<meta property=article:published_time content=2025-06-17T10:00:00Z>\
            <meta property=article:modified_time content=2025-06-17T10:00:00Z>";
        let shown = format!("<p class=meta>Updated Dec 18, 2025</p><div>{BODY}</div>");
        assert_eq!(published(head, &shown), "2025-12-18");
        let both = format!("<p class=meta>Updated Dec 18, 2025</p><div>{BODY}<p>First printed June 17, 2025</p></div>");
        assert_eq!(published(head, &both), "2025-06-17T10:00:00Z");
        // A modification after the publication: two dates, and the update is not the publication.
        let later = "<meta property=article:published_time content=2025-06-17T10:00:00Z>\
            <meta property=article:modified_time content=2025-12-18T10:00:00Z>";
        assert_eq!(published(later, &shown), "2025-06-17T10:00:00Z");
    }

    #[test]
    fn a_date_below_the_body_is_no_dateline() {
        let body = format!("<div>{BODY}</div><aside><p>Related story</p><p>March 20, 2023</p></aside>");
        assert_eq!(published(DECLARED, &body), "2019-08-11T10:00:00Z");
    }

    #[test]
    fn a_lone_time_element_dates_an_otherwise_undated_page() {
        let body = format!("<div>{BODY}</div><footer><time datetime=2025-12-17>17 Dec 2025</time></footer>");
        assert_eq!(published("", &body), "2025-12-17");
        let two = format!(
            "<div>{BODY}</div><footer><time datetime=2025-12-17>a</time><time datetime=2025-12-18>b</time></footer>"
        );
        assert_eq!(published("", &two), "");
    }
}
