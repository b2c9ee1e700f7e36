//! Date parsing in the forms news pages use, in many languages, plus relative
//! times ("20 分钟前", "2 hours ago") resolved against the capture time.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
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
}

impl Found {
    fn utc(at: DateTime<Utc>, date_only: bool) -> Found {
        Found { at, offset: Some(FixedOffset::east_opt(0).expect("zero offset")), date_only }
    }

    /// A wall-clock time (or day) as written, zone unknown.
    fn wall(at: NaiveDateTime, date_only: bool) -> Found {
        Found { at: Utc.from_utc_datetime(&at), offset: None, date_only }
    }

    /// The day in the publisher's own calendar: a story posted at 21:00 in
    /// Lima is dated that day there, though it is already tomorrow in UTC.
    pub(crate) fn local_day(&self) -> NaiveDate {
        match self.offset {
            Some(offset) => self.at.with_timezone(&offset).date_naive(),
            None => self.at.date_naive(),
        }
    }

    /// The date as the page stated it: RFC 3339 with the stated offset, a
    /// wall-clock time without one, or a bare day.
    pub(crate) fn local(&self) -> String {
        if self.date_only {
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
            })
        })
        .or_else(|| parse_epoch(s))
        .or_else(|| find_in_text(s))
        .or_else(|| relative(s, fetched_at?))?;
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
    Regex::new(
        r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?",
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
            let digits: String = offset.chars().filter(char::is_ascii_digit).collect();
            let minutes = digits[..2].parse::<i32>().ok()? * 60 + digits[2..].parse::<i32>().ok()?;
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let offset = FixedOffset::east_opt(sign * minutes * 60)?;
            let at = offset.from_local_datetime(&naive).single()?.with_timezone(&Utc);
            Found { at, offset: Some(offset), date_only: false }
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

const MONTHS: &[(&str, u32)] = &[
    // English, French, German, Spanish, Italian, Portuguese, Dutch (long and short forms).
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("janvier", 1),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    // Polish (nominative and genitive), Russian (genitive), Greek (genitive).
    ("stycznia", 1),
    ("lutego", 2),
    ("marca", 3),
    ("kwietnia", 4),
    ("maja", 5),
    ("czerwca", 6),
    ("lipca", 7),
    ("sierpnia", 8),
    ("września", 9),
    ("października", 10),
    ("listopada", 11),
    ("grudnia", 12),
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
    ("ιανουαρίου", 1),
    ("φεβρουαρίου", 2),
    ("μαρτίου", 3),
    ("απριλίου", 4),
    ("μαΐου", 5),
    ("ιουνίου", 6),
    ("ιουλίου", 7),
    ("αυγούστου", 8),
    ("σεπτεμβρίου", 9),
    ("οκτωβρίου", 10),
    ("νοεμβρίου", 11),
    ("δεκεμβρίου", 12),
    // German and Swedish short or odd forms.
    ("mär", 3),
    ("mrz", 3),
    ("okt", 10),
    ("dez", 12),
    ("maj", 5),
    ("augusti", 8),
    // Romanian.
    ("ianuarie", 1),
    ("februarie", 2),
    ("martie", 3),
    ("aprilie", 4),
    ("iunie", 6),
    ("iulie", 7),
    ("septembrie", 9),
    ("octombrie", 10),
    ("noiembrie", 11),
    ("decembrie", 12),
    // Indonesian and Malay.
    ("maret", 3),
    ("agustus", 8),
    ("desember", 12),
    // Turkish.
    ("ocak", 1),
    ("şubat", 2),
    ("mart", 3),
    ("nisan", 4),
    ("mayıs", 5),
    ("haziran", 6),
    ("temmuz", 7),
    ("ağustos", 8),
    ("eylül", 9),
    ("ekim", 10),
    ("kasım", 11),
    ("aralık", 12),
    // Czech (genitive) and Ukrainian (genitive).
    ("ledna", 1),
    ("února", 2),
    ("března", 3),
    ("dubna", 4),
    ("května", 5),
    ("června", 6),
    ("července", 7),
    ("srpna", 8),
    ("září", 9),
    ("října", 10),
    ("listopadu", 11),
    ("prosince", 12),
    ("січня", 1),
    ("лютого", 2),
    ("березня", 3),
    ("квітня", 4),
    ("травня", 5),
    ("червня", 6),
    ("липня", 7),
    ("серпня", 8),
    ("вересня", 9),
    ("жовтня", 10),
    ("листопада", 11),
    ("грудня", 12),
    // Arabic (the Egyptian and Levantine month names).
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("أبريل", 4),
    ("ابريل", 4),
    ("مايو", 5),
    ("يونيو", 6),
    ("يوليو", 7),
    ("أغسطس", 8),
    ("اغسطس", 8),
    ("سبتمبر", 9),
    ("أكتوبر", 10),
    ("اكتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
];

fn month(name: &str) -> Option<u32> {
    let name = name.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(m, _)| *m == name).map(|&(_, n)| n)
}

static CJK_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](?:\D{0,6}?(\d{1,2})[:：时](\d{2}))?")
        .expect("valid regex")
});
static KO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일").expect("valid regex"));
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2}))?(?:[^\d]|$)")
        .expect("valid regex")
});
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:\D{1,4}(\d{1,2})[:.](\d{2}))?(?:[^\d]|$)")
        .expect("valid regex")
});
static SLASHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?:\D{1,4}(\d{1,2}):(\d{2}))?(?:[^\d/]|$)")
        .expect("valid regex")
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\w])(\d{1,2})(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?(\p{L}{3,12})\.?,?\s+(?:de\s+)?(\d{4})")
        .expect("valid regex")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\w])(\p{L}{3,12})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})").expect("valid regex")
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
        if let Some(m) = month(&c[2])
            && let Some(date) = ymd(&c[3], &m.to_string(), &c[1])
        {
            return Some(with_time(date, None, None));
        }
    }
    for c in MONTH_DAY_YEAR.captures_iter(s) {
        if let Some(m) = month(&c[1])
            && let Some(date) = ymd(&c[3], &m.to_string(), &c[2])
        {
            return Some(with_time(date, None, None));
        }
    }
    None
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

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)(?:
            (\d+)\s*(秒|分钟|分鐘|分|小时|小時|时|時間|天|日|周|週|星期)\s*前 |
            (\d+)\s*(초|분|시간|일)\s*전 |
            (\d+)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago |
            vor\s+(\d+)\s*(Sekunden?|Minuten?|Stunden?|Tag(?:en)?|Wochen?) |
            il\s+y\s+a\s+(\d+)\s*(secondes?|minutes?|heures?|jours?|semaines?) |
            hace\s+(\d+)\s*(segundos?|minutos?|horas?|d[ií]as?|semanas?) |
            (\d+)\s*(секунд\w*|минут\w*|час\w*|дн\w*|день|недел\w*)\s+назад
        )",
    )
    .expect("valid regex")
});

/// "20 分钟前" and its kin in other languages, counted back from the capture time.
pub(crate) fn relative(s: &str, fetched_at: DateTime<Utc>) -> Option<Found> {
    if s.chars().count() > 40 {
        return None;
    }
    let c = RELATIVE.captures(s)?;
    let (n, unit) = (1..c.len()).step_by(2).find_map(|i| Some((c.get(i)?.as_str(), c.get(i + 1)?.as_str())))?;
    let n: i64 = n.parse().ok()?;
    let unit = unit.to_lowercase();
    let seconds = if unit.starts_with(['秒', '초'])
        || unit.starts_with("sec")
        || unit.starts_with("seg")
        || unit.starts_with("секунд")
    {
        1
    } else if unit.starts_with(['分', '분']) || unit.starts_with("min") || unit.starts_with("минут") {
        60
    } else if unit.starts_with(['小', '时', '時', '시'])
        || unit.starts_with('h')
        || unit.starts_with("stund")
        || unit.starts_with("heure")
        || unit.starts_with("час")
    {
        3600
    } else if unit.starts_with(['周', '週', '星'])
        || unit.starts_with("week")
        || unit.starts_with("woche")
        || unit.starts_with("semaine")
        || unit.starts_with("semana")
        || unit.starts_with("недел")
    {
        7 * 86400
    } else {
        86400
    };
    let at = fetched_at - Duration::seconds(n.checked_mul(seconds)?);
    Some(Found::utc(at, seconds >= 86400))
}

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)").expect("valid regex")
});

/// A date in the URL path (`/2024/06/17/`, `/20240617/`).
pub(crate) fn from_url(url: &str) -> Option<Found> {
    let c = URL_DATE.captures(url)?;
    let date = NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)?;
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
    fn relative_times_count_back_from_capture() {
        assert_eq!(at("20 分钟前"), "2024-06-17T08:53:01+00:00");
        assert_eq!(at("2 hours ago"), "2024-06-17T07:13:01+00:00");
        assert_eq!(at("vor 3 Tagen"), "2024-06-14T09:13:01+00:00");
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
    }
}
