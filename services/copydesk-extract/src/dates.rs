//! Date parsing in the forms news pages use: machine formats (ISO 8601,
//! RFC 2822, epoch seconds) and human ones in many languages.

use std::sync::LazyLock;

use crate::months::month;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;

/// A parsed date; `date_only` when the source gave no time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    /// The instant. A time given without a zone is read as UTC: any other
    /// reading would be a guess, and `local` keeps it as written anyway.
    pub(crate) at: DateTime<Utc>,
    /// The UTC offset the source stated, if any ("+04:00", or "Z").
    pub(crate) offset: Option<FixedOffset>,
    pub(crate) date_only: bool,
    /// The day the page shows its reader, when it is not the instant's day
    /// in `offset`: the page gave the instant in UTC (or a zone its
    /// dateline does not follow) and its own day apart, so the day is known
    /// and the publisher's offset is not.
    pub(crate) shown: Option<NaiveDate>,
}

impl Found {
    pub(crate) fn utc(at: DateTime<Utc>, date_only: bool) -> Found {
        Found { at, offset: Some(FixedOffset::east_opt(0).expect("zero offset")), date_only, shown: None }
    }

    /// A wall-clock time (or day) as written, zone unknown.
    pub(crate) fn wall(at: NaiveDateTime, date_only: bool) -> Found {
        Found { at: Utc.from_utc_datetime(&at), offset: None, date_only, shown: None }
    }

    /// The day in the publisher's own calendar: a story posted at 21:00 in
    /// Lima is dated that day there, though it is already tomorrow in UTC.
    pub(crate) fn local_day(&self) -> NaiveDate {
        if let Some(day) = self.shown {
            return day;
        }
        match self.offset {
            Some(offset) => self.at.with_timezone(&offset).date_naive(),
            None => self.at.date_naive(),
        }
    }

    /// The date as the page stated it: RFC 3339 with the stated offset, a
    /// wall-clock time without one, or a bare day (also the shown day of an
    /// instant whose offset is unknown).
    pub(crate) fn local(&self) -> String {
        if self.date_only || self.shown.is_some() {
            return self.local_day().format("%Y-%m-%d").to_string();
        }
        match self.offset {
            Some(offset) if offset.local_minus_utc() == 0 => self.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Some(offset) => self.at.with_timezone(&offset).format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            None => self.at.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }
}

/// Parses a machine-readable date (ISO 8601, RFC 3339, RFC 2822) or, failing
/// that, a human one found anywhere in `s`.
pub(crate) fn parse(s: &str, fetched_at: Option<DateTime<Utc>>) -> Option<Found> {
    let s = s.trim();
    if s.is_empty() || s.len() > 2000 {
        return None;
    }
    let found = parse_iso(s)
        .or_else(|| {
            DateTime::parse_from_rfc2822(s).ok().map(|d| Found {
                at: d.with_timezone(&Utc),
                offset: Some(*d.offset()),
                date_only: false,
                shown: None,
            })
        })
        .or_else(|| parse_epoch(s))
        .or_else(|| find_in_text(s))
        .or_else(|| crate::relative::relative(s, fetched_at?))?;
    plausible(found, fetched_at).then_some(found)
}

/// Dates before the web or after the capture (plus a day of time-zone slack)
/// are template noise ("© 1996", countdowns), never a publication date.
pub(crate) fn plausible(found: Found, fetched_at: Option<DateTime<Utc>>) -> bool {
    let year = found.at.format("%Y").to_string().parse::<i32>().unwrap_or(0);
    let limit = fetched_at.unwrap_or_else(Utc::now) + Duration::days(1);
    year >= 1994 && found.at <= limit
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(
        r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{1,2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?",
    )
    .expect("valid regex")
});

fn parse_iso(s: &str) -> Option<Found> {
    let c = ISO.captures(s)?;
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(num(1)? as i32, num(2)?, num(3)?)?;
    let Some(hour) = num(4) else {
        return Some(Found::wall(date.and_time(NaiveTime::MIN), true));
    };
    let time = NaiveTime::from_hms_opt(hour, num(5)?, num(6).unwrap_or(0))?;
    let naive = NaiveDateTime::new(date, time);
    Some(match c.get(7).map(|m| m.as_str()) {
        None => Found::wall(naive, false),
        Some("Z" | "UTC" | "GMT") => Found::utc(Utc.from_utc_datetime(&naive), false),
        Some(offset) => {
            // `\d` also matches other scripts' digits ("+١٢:٣٤"): only four ASCII digits are an offset.
            let digits: String = offset.chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let minutes = digits[..2].parse::<i32>().ok()? * 60 + digits[2..].parse::<i32>().ok()?;
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let offset = FixedOffset::east_opt(sign * minutes * 60)?;
            let at = offset.from_local_datetime(&naive).single()?.with_timezone(&Utc);
            Found { at, offset: Some(offset), date_only: false, shown: None }
        }
    })
}

/// Unix seconds or milliseconds, as some CMSs put in meta tags.
fn parse_epoch(s: &str) -> Option<Found> {
    if !(10..=13).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    let at = if s.len() == 13 { DateTime::from_timestamp_millis(n)? } else { DateTime::from_timestamp(n, 0)? };
    Some(Found::utc(at, false))
}

static CJK_DATE: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](?:\D{0,6}?(\d{1,2})[:：时](\d{2}))?")
        .expect("valid regex")
});
static KO_DATE: LazyLock<Regex> =
    LazyLock::new(|| crate::regexes::regex(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일").expect("valid regex"));
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?:^|[^\d])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2}))?(?:[^\d]|$)")
        .expect("valid regex")
});
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?:^|[^\d])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:\D{1,4}(\d{1,2})[:.](\d{2}))?(?:[^\d]|$)")
        .expect("valid regex")
});
static SLASHED: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?:^|[^\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?:\D{1,4}(\d{1,2}):(\d{2}))?(?:[^\d/]|$)")
        .expect("valid regex")
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    // Hyphens stand for the spaces in a form some CMSs print ("04-ago-2021").
    crate::regexes::regex(
        r"(?i)(?:^|[^\w])(\d{1,2})(?:st|nd|rd|th|er|º)?\.?(?:\s+|-)(?:de\s+)?(\p{L}+)\.?,?(?:\s+|-)(?:de\s+)?(\d{4})",
    )
    .expect("valid regex")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?i)(?:^|[^\w])(\p{L}+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})").expect("valid regex")
});

/// Finds the first human-written date in a line of text.
pub(crate) fn find_in_text(s: &str) -> Option<Found> {
    // Every pattern below wants a four-digit year; most lines near a headline
    // (menus, kickers, names) have none, and a scan is far cheaper than the regexes.
    if !has_four_digits(s) {
        return None;
    }
    let ymd = |y: &str, m: &str, d: &str| NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let with_time = |date: NaiveDate, h: Option<regex::Match<'_>>, m: Option<regex::Match<'_>>| {
        let time =
            h.zip(m).and_then(|(h, m)| NaiveTime::from_hms_opt(h.as_str().parse().ok()?, m.as_str().parse().ok()?, 0));
        Found::wall(date.and_time(time.unwrap_or(NaiveTime::MIN)), time.is_none())
    };
    if let Some(c) = CJK_DATE.captures(s).or_else(|| KO_DATE.captures(s))
        && let Some(date) = ymd(&c[1], &c[2], &c[3])
    {
        return Some(with_time(date, c.get(4), c.get(5)));
    }
    if let Some(c) = NUMERIC.captures(s)
        && let Some(date) = ymd(&c[1], &c[2], &c[3])
    {
        return Some(with_time(date, c.get(4), c.get(5)));
    }
    if let Some(c) = DMY.captures(s)
        && let Some(date) = ymd(&c[3], &c[2], &c[1])
    {
        return Some(with_time(date, c.get(4), c.get(5)));
    }
    // 22/11/2020 is a day first, 11/22/2020 a month first; 03/11/2020 could
    // be either, and a wrong date is worse than none.
    if let Some(c) = SLASHED.captures(s) {
        let (a, b): (u32, u32) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
        let date = match (a > 12, b > 12) {
            (true, false) => ymd(&c[3], &c[2], &c[1]),
            (false, true) => ymd(&c[3], &c[1], &c[2]),
            _ => None,
        };
        if let Some(date) = date {
            return Some(with_time(date, c.get(4), c.get(5)));
        }
    }
    for c in DAY_MONTH_YEAR.captures_iter(s) {
        if let Some(m) = month_word(&c[2])
            && let Some(date) = ymd(&c[3], &m.to_string(), &c[1])
        {
            return Some(with_time(date, None, None));
        }
    }
    for c in MONTH_DAY_YEAR.captures_iter(s) {
        if let Some(m) = month_word(&c[1]).or_else(|| glued_month(&c[1]))
            && let Some(date) = ymd(&c[3], &m.to_string(), &c[2])
        {
            return Some(with_time(date, None, None));
        }
    }
    None
}

/// The month a whole word of 3 to 12 letters names. The patterns take any
/// run of letters and leave the length to this check: a counted repeat of a
/// Unicode class (`\p{L}{3,12}`) compiles to twelve copies of the class's
/// automaton, about 1 MB of heap for each of the three patterns.
fn month_word(word: &str) -> Option<u32> {
    (3..=12).contains(&word.chars().count()).then(|| month(word)).flatten()
}

/// The month a capitalised word ends in when inline elements ran together
/// without a space ("Mental HealthDECEMBER 22, 2022"): the part from the last
/// step from a lower-case letter to a capital.
fn glued_month(word: &str) -> Option<u32> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let step = chars.windows(2).rposition(|w| w[0].1.is_lowercase() && w[1].1.is_uppercase())?;
    month_word(&word[chars[step + 1].0..])
}

/// Whether four digits stand in a row, as `\d{4}` would match them (any
/// script's decimal digits; `is_numeric` is a superset, fine for a filter).
fn has_four_digits(s: &str) -> bool {
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric()) { run + 1 } else { 0 };
        if run == 4 {
            return true;
        }
    }
    false
}

static SHORT_NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?:^|[^\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?:[^\d.]|$)").expect("valid regex")
});
static SHORT_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?:^|[^\w])(\d{1,2})\.?\s+(\p{L}+)\.?\s+(\d{2})(?:[^\d]|$)").expect("valid regex")
});

/// A day with a two-digit year ("31.10.23", "14 Gennaio 20"). Only for a
/// line that is little more than a date: in prose, "14 March 20" is as
/// likely a count as a year.
pub(crate) fn short_year(s: &str, fetched_at: Option<DateTime<Utc>>) -> Option<Found> {
    let (d, m, y) = if let Some(c) = SHORT_NUMERIC.captures(s) {
        (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse::<i32>().ok()?)
    } else {
        let c = SHORT_NAMED.captures(s)?;
        (c[1].parse().ok()?, month_word(&c[2])?, c[3].parse::<i32>().ok()?)
    };
    // The century that does not put the date in the future.
    let now = fetched_at.unwrap_or_else(Utc::now).date_naive();
    let year = if 2000 + y <= now.year() { 2000 + y } else { 1900 + y };
    let date = NaiveDate::from_ymd_opt(year, m, d)?;
    Some(Found::wall(date.and_time(NaiveTime::MIN), true))
}

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")
        .expect("valid regex")
});

static URL_NAMED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?i)/((?:19|20)\d{2})/([a-z]+)/(0?[1-9]|[12]\d|3[01])(?:/|$)").expect("valid regex")
});

/// A date in the URL path (`/2024/06/17/`, `/20240617/`, `/2023/october/03/`).
pub(crate) fn from_url(url: &str) -> Option<Found> {
    let (y, m, d) = if let Some(c) = URL_DATE.captures(url) {
        (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
    } else {
        let c = URL_NAMED_DATE.captures(url)?;
        (c[1].parse().ok()?, month_word(&c[2])?, c[3].parse().ok()?)
    };
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(Found::wall(date.and_time(NaiveTime::MIN), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> String {
        parse(s, Some(Utc.with_ymd_and_hms(2024, 6, 17, 9, 13, 1).unwrap()))
            .map(|f| f.at.to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn machine_dates() {
        assert_eq!(at("2024-06-17T10:00:00+02:00"), "2024-06-17T08:00:00+00:00");
        assert_eq!(at("2024-06-17"), "2024-06-17T00:00:00+00:00");
        assert_eq!(at("Mon, 17 Jun 2024 08:00:00 GMT"), "2024-06-17T08:00:00+00:00");
    }

    #[test]
    fn human_dates_in_many_languages() {
        assert_eq!(at("发布时间：2024年6月16日 14:30"), "2024-06-16T14:30:00+00:00");
        assert_eq!(at("Published June 16, 2024"), "2024-06-16T00:00:00+00:00");
        assert_eq!(at("16 juin 2024"), "2024-06-16T00:00:00+00:00");
        assert_eq!(at("16. Juni 2024"), "2024-06-16T00:00:00+00:00");
        assert_eq!(at("16 de junio de 2024"), "2024-06-16T00:00:00+00:00");
        assert_eq!(at("16 июня 2024"), "2024-06-16T00:00:00+00:00");
        assert_eq!(at("16.06.2024 12:00"), "2024-06-16T12:00:00+00:00");
        assert_eq!(at("22/11/2020 - 04:30 - Fonte: Agência"), "2020-11-22T04:30:00+00:00");
        assert_eq!(at("Posted 11/22/2020"), "2020-11-22T00:00:00+00:00");
        assert_eq!(parse("03/11/2020", None), None, "day and month cannot be told apart");
        assert_eq!(at("duminică, 20 septembrie 2020"), "2020-09-20T00:00:00+00:00");
        assert_eq!(at("25 ديسمبر 2020 | 2:01 ص"), "2020-12-25T00:00:00+00:00");
        assert_eq!(at("26 Okt 2018"), "2018-10-26T00:00:00+00:00");
        assert_eq!(at("Mental HealthDECEMBER 22, 2022Updated: JANUARY 02, 2026"), "2022-12-22T00:00:00+00:00");
        assert_eq!(at("SupermarketSALE 3, 2024"), "", "the glued word must end in a month");
    }

    #[test]
    fn a_named_month_between_hyphens() {
        assert_eq!(at("By: Jane Doe on 04-ago-2021 5:11:10"), "2021-08-04T00:00:00+00:00");
        assert_eq!(at("15-Jan-2024"), "2024-01-15T00:00:00+00:00");
        assert_eq!(at("Covid-19-era 2021"), "", "the word between must be a month");
    }

    #[test]
    fn the_year_filter_lets_every_script_through() {
        assert!(has_four_digits("le 16 juin 2024"));
        assert!(has_four_digits("２０２４年６月１６日"));
        assert!(has_four_digits("١٦ يونيو ٢٠٢٤"));
        assert!(!has_four_digits("16 juin, 12:30, 3 min"));
    }

    #[test]
    fn the_local_form_keeps_what_the_page_stated() {
        let local = |s: &str| parse(s, None).map(|f| (f.local(), f.local_day().to_string()));
        let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        // 01:06 UTC on the 8th, but the 7th in Lima, where it was published.
        assert_eq!(local("2022-05-07T20:06:23-05:00"), pair("2022-05-07T20:06:23-05:00", "2022-05-07"));
        assert_eq!(local("2020-06-03T03:01+0400"), pair("2020-06-03T03:01:00+04:00", "2020-06-03"));
        assert_eq!(local("2020-12-01 02:00:00"), pair("2020-12-01T02:00:00", "2020-12-01"));
        assert_eq!(local("2020-12-05T23:15:00Z"), pair("2020-12-05T23:15:00Z", "2020-12-05"));
        assert_eq!(local("Tue, 03 Jun 2008 11:05:30 +0200"), pair("2008-06-03T11:05:30+02:00", "2008-06-03"));
        assert_eq!(local("2019-12-10"), pair("2019-12-10", "2019-12-10"));
    }

    #[test]
    fn two_digit_years() {
        let short =
            |s: &str| short_year(s, Some(Utc.with_ymd_and_hms(2024, 6, 17, 9, 0, 0).unwrap())).map(|f| f.local());
        assert_eq!(short("Von: Björn Jahner | 31.10.23").as_deref(), Some("2023-10-31"));
        assert_eq!(short("( Pescasseroli, 14 Gennaio 20 )").as_deref(), Some("2020-01-14"));
        assert_eq!(short("12.05.98").as_deref(), Some("1998-05-12"));
        assert_eq!(short("1.2.3.4"), None);
        assert_eq!(short("14 people 20"), None);
    }

    #[test]
    fn single_digit_seconds() {
        assert_eq!(at("2020-12-05T23:15:0Z"), "2020-12-05T23:15:00+00:00");
    }

    #[test]
    fn implausible_dates_are_dropped() {
        assert_eq!(at("2031-01-01"), "");
        assert_eq!(at("1970-01-01"), "");
    }

    #[test]
    fn url_dates() {
        assert_eq!(
            from_url("https://e.com/2024/06/17/story").map(|f| f.at.to_rfc3339()),
            Some("2024-06-17T00:00:00+00:00".into())
        );
        assert_eq!(from_url("https://e.com/news/20240617-x"), from_url("https://e.com/2024/06/17/"));
        assert_eq!(from_url("https://e.com/news/12345678"), None);
        assert_eq!(from_url("https://e.com/blog/2023/october/03/wine"), from_url("https://e.com/2023/10/03/"));
        assert_eq!(from_url("https://e.com/2023/topics/03/"), None);
    }
}
