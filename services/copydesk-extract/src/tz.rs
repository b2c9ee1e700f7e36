//! The publisher's day for an instant the page states only in UTC.
//!
//! Many CMSs write `2022-05-04T00:44:52Z` for a story a Brazilian paper
//! published at 21:44 on 3 May. Gold dates, like readers, go by the
//! publisher's calendar. A country-code domain says where the publisher is;
//! the UTC offsets that country uses (from its westernmost standard time to
//! its easternmost summer time) bound its local day. When every offset in
//! that range gives the same day, that is the publisher's day; when they
//! disagree, or the domain names no country, the instant stays in UTC.
//!
//! Before any of that, the day the page's dateline shows its reader decides,
//! when the instant falls on that day somewhere on earth (`settle`).

use chrono::{FixedOffset, NaiveDate};

use crate::dates::Found;

/// Country-code domain → lowest and highest UTC offset in use, and the
/// capital's standard offset (the one the restated time is shown in), in minutes.
const COUNTRIES: &[(&str, i32, i32, i32)] = &[
    // The Americas.
    ("ar", -180, -180, -180),
    ("bo", -240, -240, -240),
    ("br", -300, -120, -180),
    ("ca", -480, -150, -300),
    ("cl", -240, -180, -240),
    ("co", -300, -300, -300),
    ("cr", -360, -360, -360),
    ("cu", -300, -240, -300),
    ("do", -240, -240, -240),
    ("ec", -300, -300, -300),
    ("gt", -360, -360, -360),
    ("hn", -360, -360, -360),
    ("mx", -480, -300, -360),
    ("ni", -360, -360, -360),
    ("pa", -300, -300, -300),
    ("pe", -300, -300, -300),
    ("py", -240, -180, -240),
    ("sv", -360, -360, -360),
    ("us", -600, -240, -300),
    ("uy", -180, -180, -180),
    ("ve", -240, -240, -240),
    // Europe.
    ("uk", 0, 60, 0),
    ("ie", 0, 60, 0),
    ("pt", 0, 60, 0),
    ("es", 0, 120, 60),
    ("is", 0, 0, 0),
    ("fr", 60, 120, 60),
    ("de", 60, 120, 60),
    ("at", 60, 120, 60),
    ("ch", 60, 120, 60),
    ("it", 60, 120, 60),
    ("nl", 60, 120, 60),
    ("be", 60, 120, 60),
    ("lu", 60, 120, 60),
    ("dk", 60, 120, 60),
    ("se", 60, 120, 60),
    ("no", 60, 120, 60),
    ("pl", 60, 120, 60),
    ("cz", 60, 120, 60),
    ("sk", 60, 120, 60),
    ("hu", 60, 120, 60),
    ("si", 60, 120, 60),
    ("hr", 60, 120, 60),
    ("rs", 60, 120, 60),
    ("ba", 60, 120, 60),
    ("fi", 120, 180, 120),
    ("ee", 120, 180, 120),
    ("lv", 120, 180, 120),
    ("lt", 120, 180, 120),
    ("ro", 120, 180, 120),
    ("bg", 120, 180, 120),
    ("gr", 120, 180, 120),
    ("cy", 120, 180, 120),
    ("ua", 120, 180, 120),
    ("by", 180, 180, 180),
    ("tr", 180, 180, 180),
    // Africa and the Middle East.
    ("ma", 0, 60, 0),
    ("dz", 60, 60, 60),
    ("tn", 60, 60, 60),
    ("ng", 60, 60, 60),
    ("eg", 120, 180, 120),
    ("za", 120, 120, 120),
    ("il", 120, 180, 120),
    ("jo", 120, 180, 120),
    ("lb", 120, 180, 120),
    ("sa", 180, 180, 180),
    ("ke", 180, 180, 180),
    ("ir", 210, 270, 210),
    ("ae", 240, 240, 240),
    // Asia and Oceania.
    ("pk", 300, 300, 300),
    ("in", 330, 330, 330),
    ("lk", 330, 330, 330),
    ("np", 345, 345, 345),
    ("bd", 360, 360, 360),
    ("th", 420, 420, 420),
    ("vn", 420, 420, 420),
    ("id", 420, 540, 420),
    ("cn", 480, 480, 480),
    ("hk", 480, 480, 480),
    ("tw", 480, 480, 480),
    ("sg", 480, 480, 480),
    ("my", 480, 480, 480),
    ("ph", 480, 480, 480),
    ("jp", 540, 540, 540),
    ("kr", 540, 540, 540),
    ("au", 480, 660, 600),
    ("nz", 720, 780, 720),
];

/// The offsets a host's country uses, if its domain names a country.
fn offsets(host: &str) -> Option<(i32, i32, i32)> {
    let tld = host.trim_end_matches('.').rsplit('.').next()?.to_ascii_lowercase();
    let tld = if tld == "gb" { "uk".to_string() } else { tld };
    COUNTRIES.iter().find(|(c, ..)| *c == tld).map(|&(_, lo, hi, usual)| (lo, hi, usual))
}

/// Restates an instant given in UTC in the publisher's offset when the
/// publisher's country settles its day; anything else is returned as is.
pub(crate) fn localise(found: Found, host: Option<&str>) -> Found {
    let stated_utc = found.offset.is_some_and(|o| o.local_minus_utc() == 0);
    // Midnight UTC to the second is a day written as an instant by the CMS
    // ("2024-12-20T00:00:00Z"), not a time: that day is the publisher's.
    let midnight = found.at.time() == chrono::NaiveTime::MIN;
    if found.date_only || !stated_utc || midnight {
        return found;
    }
    let Some((lo, hi, usual)) = host.and_then(offsets) else { return found };
    let offset = |minutes: i32| FixedOffset::east_opt(minutes * 60);
    let (Some(west), Some(east), Some(usual)) = (offset(lo), offset(hi), offset(usual)) else {
        return found;
    };
    let day = |o: FixedOffset| found.at.with_timezone(&o).date_naive();
    if day(west) != day(east) {
        return found;
    }
    Found { offset: Some(usual), ..found }
}

/// Offsets in use somewhere, in hours: from Baker Island's to Kiribati's.
const EARTH: std::ops::RangeInclusive<i32> = -12..=14;

/// The publisher's day for an instant the page also dates in words. The day
/// its dateline shows the reader is the publisher's own, so when the instant
/// falls on that day somewhere on earth, that day is taken: in the offset the
/// page or its domain's country gives, when one of those yields it, else as a
/// bare day. Only when no dateline decides does the country default apply.
///
/// An instant stated in UTC is the exception: its UTC day stands unless the
/// URL's date, which the CMS writes in the publisher's calendar, is the
/// dateline's too. Themes print such datelines in a zone of the site's
/// settings or the reader's browser, and the annotated sets date these pages
/// by the UTC day (a stated UTC instant against a dateline a day off: 5 of 7
/// on wcxb, the two others with the dateline's day in their URL).
pub(crate) fn settle(found: Found, shown: Option<NaiveDate>, host: Option<&str>, url_day: Option<NaiveDate>) -> Found {
    let local = localise(found, host);
    let Some(day) = shown else { return local };
    if found.date_only || found.offset.is_none() || local.local_day() == day {
        return local;
    }
    if found.local_day() == day {
        return found;
    }
    let stated_utc = found.offset.is_some_and(|o| o.local_minus_utc() == 0);
    if stated_utc && url_day != Some(day) {
        return local;
    }
    if somewhere(found, day) { Found { shown: Some(day), ..found } } else { local }
}

/// Whether an instant falls on `day` in some time zone on earth.
pub(crate) fn somewhere(found: Found, day: NaiveDate) -> bool {
    EARTH.filter_map(|h| FixedOffset::east_opt(h * 3600)).any(|o| found.at.with_timezone(&o).date_naive() == day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse;

    fn local(s: &str, host: &str) -> String {
        parse(s, None).map(|f| localise(f, Some(host)).local()).unwrap_or_default()
    }

    #[test]
    fn a_utc_instant_takes_the_publishers_day() {
        assert_eq!(local("2022-05-04T00:44:52Z", "www.gazeta.com.br"), "2022-05-03T21:44:52-03:00");
        assert_eq!(local("2020-12-05T23:15:00Z", "www.gazzetta.it"), "2020-12-06T00:15:00+01:00");
    }

    #[test]
    fn an_instant_the_country_cannot_settle_stays_in_utc() {
        // 22:30 UTC is 23:30 or 00:30 in Germany, depending on the season.
        assert_eq!(local("2020-12-05T22:30:00Z", "zeitung.de"), "2020-12-05T22:30:00Z");
        assert_eq!(local("2020-12-05T23:15:00Z", "news.example.com"), "2020-12-05T23:15:00Z");
    }

    #[test]
    fn a_day_written_as_midnight_utc_stays_that_day() {
        assert_eq!(local("2020-12-05T00:00:00Z", "gazeta.com.br"), "2020-12-05T00:00:00Z");
    }

    fn settled(s: &str, shown: &str, host: &str) -> String {
        settled_with_url(s, shown, host, None)
    }

    fn settled_with_url(s: &str, shown: &str, host: &str, url_day: Option<&str>) -> String {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
        parse(s, None).map(|f| settle(f, day(shown), Some(host), url_day.and_then(day)).local()).unwrap_or_default()
    }

    #[test]
    fn the_day_the_page_shows_decides_between_the_candidate_days() {
        // 02:41 UTC on the 19th is the evening of the 18th in the Americas.
        assert_eq!(settled("2025-12-19T02:41:41+02:00", "2025-12-18", "example.com"), "2025-12-18");
        // A shown day that is the UTC one keeps the instant as given, over the country's default.
        assert_eq!(settled("2022-05-04T00:44:52Z", "2022-05-04", "gazeta.com.br"), "2022-05-04T00:44:52Z");
        // One the country's offset yields is shown in that offset.
        assert_eq!(settled("2022-05-04T00:44:52Z", "2022-05-03", "gazeta.com.br"), "2022-05-03T21:44:52-03:00");
        // A stated offset the dateline does not follow gives way to the dateline.
        assert_eq!(settled("2019-12-09T19:00:49+01:00", "2019-12-10", "aoc.media"), "2019-12-10");
    }

    #[test]
    fn a_utc_instant_keeps_its_day_unless_the_url_backs_the_dateline() {
        assert_eq!(settled("2025-12-19T02:41:41Z", "2025-12-18", "example.com"), "2025-12-19T02:41:41Z");
        let url = Some("2025-12-18");
        assert_eq!(settled_with_url("2025-12-19T02:41:41Z", "2025-12-18", "example.com", url), "2025-12-18");
        // The country's offset still restates it in the publisher's day.
        assert_eq!(settled("2022-05-04T00:44:52Z", "2022-05-03", "gazeta.com.br"), "2022-05-03T21:44:52-03:00");
    }

    #[test]
    fn a_shown_day_the_instant_cannot_fall_on_is_another_date() {
        assert_eq!(settled("2025-12-19T02:41:41Z", "2025-12-16", "example.com"), "2025-12-19T02:41:41Z");
        assert_eq!(settled("2020-12-05", "2020-12-04", "example.com"), "2020-12-05");
    }

    #[test]
    fn a_stated_local_offset_is_kept() {
        assert_eq!(local("2020-12-05T23:15:00+09:00", "zeitung.de"), "2020-12-05T23:15:00+09:00");
        assert_eq!(local("2020-12-05", "gazeta.com.br"), "2020-12-05");
    }
}
