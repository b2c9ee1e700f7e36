//! The choice of an article's publication date among its candidates:
//! JSON-LD, meta tags, microdata, a `<time>` or dated line near the
//! headline, and the URL.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use url::Url;

use crate::dom::{self, Item, Kind, flag};
use crate::zones::Label;
use crate::{byline, dates, meta, relative, shown, tz, zones};

use labelled::Reach;

/// Publication and modification times, from the most to the least explicit source.
pub(crate) fn published(
    page: &dom::Page,
    meta: &meta::Meta,
    container: Option<u32>,
    title: &str,
    fetched_at: Option<DateTime<Utc>>,
    base: Option<&Url>,
    byline_items: &HashSet<usize>,
) -> (Option<dates::Found>, Option<DateTime<Utc>>) {
    let parse = |s: &str| dates::parse(s, fetched_at);
    let explicit = meta
        .ld
        .date_published
        .as_deref()
        .and_then(parse)
        .or_else(|| {
            meta.first(&[
                "article:published_time",
                "og:published_time",
                "datepublished",
                "publishdate",
                "publish-date",
                "pubdate",
                "published",
                "publication_date",
                "date",
                "dc.date.issued",
                "dc.date",
                "dcterms.created",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
                "og:pubdate",
                "created",
            ])
            .and_then(parse)
        })
        .or_else(|| meta.itemprops.get("datepublished").and_then(|v| v.iter().find_map(|s| parse(s))))
        .or_else(|| publish_named(meta).find_map(parse));
    let modified = meta
        .ld
        .date_modified
        .as_deref()
        .and_then(parse)
        .or_else(|| {
            meta.first(&["article:modified_time", "og:updated_time", "datemodified", "last-modified"]).and_then(parse)
        })
        .map(|f| f.at);

    let (visible, updated, shown_day) = visible_date(page, container, title, fetched_at, byline_items);
    // The dateline the reader sees by the headline replaces a declared day
    // the page never shows.
    let explicit = explicit.map(|e| {
        shown::overrides(page, container, e, visible, modified)
            .or_else(|| shown::resaved(page, e, modified, visible.or(updated)))
            .unwrap_or(e)
    });
    // A line stating when the page first came out ("This article was
    // originally published on 26 Sep 2019 but has been updated") outranks the
    // dateline, which then shows a revision.
    let visible = labelled::original(page, fetched_at).or(visible);
    let found = match (explicit, visible) {
        // A date-only declaration refined by a visible time on the same day
        // ("20 分钟前" under <time datetime="2024-06-17">).
        (Some(e), Some(v)) if e.date_only && !v.date_only && e.local_day() == v.local_day() => Some(v),
        (Some(e), _) => Some(e),
        // The URL's day is the publication's; an "updated" line only bounds it.
        (None, v) => v
            .or_else(|| base.and_then(|u| dates::from_url(u.as_str())))
            .or(updated)
            .or_else(|| shown::lone_time(page, fetched_at))
            // With nothing else, a "Published" line in a sidebar or footer box
            // dates the page; teaser lists' lines are left out still.
            .or_else(|| labelled::labelled(page, container, fetched_at, Reach::Page).0)
            .or_else(|| fallback::labelled_month(page, container, fetched_at))
            .or_else(|| fallback::named_date(page, fetched_at)),
    };
    let url_day = base.and_then(|u| dates::from_url(u.as_str())).map(|f| f.local_day());
    let found = found.map(|f| tz::settle(f, shown_day, base.and_then(Url::host_str), url_day));
    (found, modified)
}

/// Values of meta tags whose own name says they hold the publication date
/// ("published-date", "w-published-date", "cXenseParse:publishtime"), in the
/// order of their names: CMSs coin such names by the hundred.
fn publish_named(meta: &meta::Meta) -> impl Iterator<Item = &str> {
    let mut keys: Vec<&String> = meta
        .tags
        .keys()
        .filter(|k| k.contains("publish") && (k.contains("date") || k.contains("time")))
        .filter(|k| !["modif", "updat", "expir", "edit"].iter().any(|w| k.contains(w)))
        .collect();
    keys.sort();
    keys.into_iter().flat_map(|k| meta.all(k))
}

/// A `<time>` element or a short dated line near the top of the article,
/// else a line labelled as the date; and apart, a date labelled "updated",
/// and the day that date's text shows the reader.
fn visible_date(
    page: &dom::Page,
    container: Option<u32>,
    title: &str,
    fetched_at: Option<DateTime<Utc>>,
    byline_items: &HashSet<usize>,
) -> (Option<dates::Found>, Option<dates::Found>, Option<NaiveDate>) {
    match time_element(page, container, title, fetched_at) {
        Some((f, written)) => (Some(f), None, written.and_then(written_day)),
        None => {
            let (found, updated) = dated_line(page, container, title, fetched_at);
            let found = found.or_else(|| byline_date(page, container, fetched_at, byline_items));
            (found, updated, found.and_then(written_day))
        }
    }
}

/// The day of a date as the page writes it for its reader: with no zone, so
/// in the publisher's own calendar. A relative time ("3 hours ago") is
/// reckoned from the capture in UTC and says nothing of that calendar.
fn written_day(f: dates::Found) -> Option<NaiveDate> {
    f.offset.is_none().then(|| f.local_day())
}

/// A `<time>` in the date window, or one anywhere that says it is the
/// publication date; with the date its text shows, if any.
fn time_element(
    page: &dom::Page,
    container: Option<u32>,
    title: &str,
    fetched_at: Option<DateTime<Utc>>,
) -> Option<(dates::Found, Option<dates::Found>)> {
    let window = zones::date_window(page, container, title);
    let in_window = |index: u32| window.as_ref().is_none_or(|w| w.contains(&index));
    for (index, elem) in page.elems.iter().enumerate() {
        if &*elem.tag != "time" || elem.flags & flag::BOILER != 0 {
            continue;
        }
        // A <time> elsewhere on the page dates a teaser or a comment, not
        // this article, unless it says it is the publication date.
        let in_scope = in_window(index as u32);
        let Some(el) = page.html.tree.get(elem.node).and_then(scraper::ElementRef::wrap) else { continue };
        let declared = el.value().attr("pubdate").is_some()
            || el.value().attr("itemprop").is_some_and(|p| p.eq_ignore_ascii_case("datePublished"));
        if !in_scope && !declared {
            continue;
        }
        let shown: String = el.text().collect();
        let machine = el.value().attr("datetime").and_then(|d| dates::parse(d, fetched_at));
        let relative = fetched_at.and_then(|f| relative::relative(shown.trim(), f));
        let written = dates::find_in_text(&shown);
        match (machine, relative) {
            (Some(m), Some(r)) if m.date_only && m.local_day() == r.local_day() => return Some((r, written)),
            (Some(m), _) => return Some((m, written)),
            (None, Some(r)) => return Some((r, written)),
            (None, None) => {
                if let Some(f) = dates::parse(&shown, fetched_at).or_else(|| fallback::either_way(page, &shown)) {
                    return Some((f, written));
                }
            }
        }
    }
    None
}

/// A short dated line in the date window, or a dateline opening one of the
/// first paragraphs; failing those, a labelled line elsewhere.
fn dated_line(
    page: &dom::Page,
    container: Option<u32>,
    title: &str,
    fetched_at: Option<DateTime<Utc>>,
) -> (Option<dates::Found>, Option<dates::Found>) {
    let window = zones::date_window(page, container, title);
    let in_window = |index: u32| window.as_ref().is_none_or(|w| w.contains(&index));
    let mut long_seen = 0;
    let mut updated = None;
    // Where the body starts, in text lines.
    let body_line = container
        .and_then(|c| page.items.iter().position(|item| matches!(item, Item::Text(b) if page.contains(c, b.elem))));
    // Dated boilerplate lines by the handful above the body are a teaser list's.
    let teasers = page
        .items
        .iter()
        .enumerate()
        // Below the body they date other stories, and the dateline above
        // the body is still the article's.
        .filter(|&(line, _)| body_line.is_none_or(|first| line < first))
        .filter(|(_, item)| match item {
            Item::Text(b) => {
                b.flags & flag::BOILER != 0
                    && b.chars <= 40
                    && in_window(b.elem)
                    && b.text.bytes().any(|c| c.is_ascii_digit())
                    && dates::find_in_text(&b.text).is_some()
            }
            Item::Image(_) => false,
        })
        .take(TEASERS)
        .count()
        >= TEASERS;
    let mut above = Label::None;
    for (line, item) in page.items.iter().enumerate() {
        let Item::Text(b) = item else { continue };
        let label_line = std::mem::replace(&mut above, zones::block_label_above(b));
        if !in_window(b.elem) {
            continue;
        }
        // Above the body, the dateline often sits in a "meta" or "tools" strip
        // that is boilerplate for the text but is exactly where the date is;
        // further up, boilerplate is a teaser list with dates of its own.
        let near_body = body_line.is_none_or(|first| line + NEAR_BODY >= first);
        if b.flags & flag::BOILER != 0 && (long_seen > 0 || !near_body || teasers) {
            continue;
        }
        // A caption dates the photo, and a long heading is a title whose
        // date is its topic ("Winners of 11-12 July").
        if b.kind == Kind::Caption || b.flags & flag::FIGURE != 0 {
            continue;
        }
        if matches!(b.kind, Kind::Heading(_)) && b.chars > 30 {
            continue;
        }
        if b.chars > 150 {
            // A long boilerplate line above the body is a pitch or a notice
            // ("Sign up to receive ..."), not one of the article's paragraphs.
            if b.flags & flag::BOILER != 0 {
                continue;
            }
            long_seen += 1;
            if long_seen > 3 {
                break;
            }
            // A dateline opening one of the first paragraphs: "29.11.2022 – Berlin
            // hat ...", "By Jane Doe 27.1.2022 - ...".
            if long_seen <= 2 {
                let head: String = b.text.chars().take(DATELINE_HEAD).collect();
                if let Some(f) = dates::find_in_text(&head).filter(|f| dates::plausible(*f, fetched_at)) {
                    return (Some(f), None);
                }
            }
            continue;
        }
        // A longer line is a sentence of the body, whose dates are its topic
        // ("The tax season ends April 15, 2025."), unless one opens it.
        let head: String = b.text.chars().take(DATELINE_HEAD).collect();
        let text = if b.chars > PROSE_CHARS { head.as_str() } else { &b.text };
        let Some(f) = line_date(text, fetched_at) else { continue };
        match zones::label_under(&b.text, label_line) {
            Label::Updated => updated = updated.or(Some(f)),
            Label::Elsewhere => {}
            Label::Published | Label::None => return (Some(f), None),
        }
    }
    let (dated, dated_update) = labelled::labelled(page, container, fetched_at, Reach::Article);
    (dated, updated.or(dated_update))
}

/// The date of a short line, the two-digit-year forms included ("31.10.23"),
/// which only a line that short is trusted with.
fn line_date(text: &str, fetched_at: Option<DateTime<Utc>>) -> Option<dates::Found> {
    dates::find_in_text(text)
        .or_else(|| fetched_at.and_then(|f| relative::relative(text, f)))
        .or_else(|| (text.chars().count() <= SHORT_YEAR_LINE).then(|| dates::short_year(text, fetched_at)).flatten())
        .filter(|f| dates::plausible(*f, fetched_at))
}

/// Lines longer than this are prose: only a date opening them dates the article.
const PROSE_CHARS: usize = 100;

/// The characters of a prose line a dateline opening it stands in.
const DATELINE_HEAD: usize = 48;

/// How many lines above the body a boilerplate strip may stand and still
/// hold the article's dateline.
const NEAR_BODY: usize = 12;

/// Dated boilerplate lines in the window from which on they are teasers'.
const TEASERS: usize = 3;

/// Longest line whose two-digit year is read as a year.
const SHORT_YEAR_LINE: usize = 40;

/// Lines past the body that can still be its own ("Submitted by X on ...").
const AFTER_BODY: usize = 8;

/// Longest line beside a byline that is read as the byline's date.
const BESIDE_BYLINE_CHARS: usize = 40;

/// The date on the writer's line or on a short line just under or over it
/// ("By Jane Doe ● June 13, 2025"; "Written by Jane Doe" over "April 8,
/// 2024"), up to just past the body: pages that set their dateline apart
/// from the headline, or at the end of the article, keep it with the byline.
fn byline_date(
    page: &dom::Page,
    container: Option<u32>,
    fetched_at: Option<DateTime<Utc>>,
    byline_items: &HashSet<usize>,
) -> Option<dates::Found> {
    let end = container.map_or(u32::MAX, |c| page.elems[c as usize].end);
    let lines: Vec<(usize, &dom::Block)> = page
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Item::Text(b) => Some((i, b)),
            Item::Image(_) => None,
        })
        .collect();
    let dated = |b: &dom::Block, limit: usize| -> Option<dates::Found> {
        if b.flags & (flag::LIST | flag::CAPTION) != 0 || b.chars > limit || !b.text.bytes().any(|c| c.is_ascii_digit())
        {
            return None;
        }
        match zones::label(&b.text) {
            Label::Published | Label::None => line_date(&b.text, fetched_at),
            Label::Updated | Label::Elsewhere => None,
        }
    };
    let mut after = 0;
    for (at, &(i, b)) in lines.iter().enumerate() {
        if b.elem >= end {
            after += 1;
            if after > AFTER_BODY {
                break;
            }
        }
        let is_byline = byline_items.contains(&i)
            || (b.flags & flag::BOILER == 0
                && b.chars <= LABELLED_BYLINE_CHARS
                && (b.flags & flag::BYLINE != 0 || byline::is_marked(&b.text)));
        if !is_byline {
            continue;
        }
        let beside = [at + 1, at.wrapping_sub(1)].into_iter().filter_map(|j| lines.get(j)).map(|&(_, n)| n);
        if let Some(f) = dated(b, LABELLED_BYLINE_CHARS)
            .or_else(|| beside.filter(|n| n.flags & flag::BOILER == 0).find_map(|n| dated(n, BESIDE_BYLINE_CHARS)))
        {
            return Some(f);
        }
    }
    None
}

/// Longest byline line whose own date is read.
const LABELLED_BYLINE_CHARS: usize = 100;

mod fallback;
mod labelled;
#[cfg(test)]
mod tests;
