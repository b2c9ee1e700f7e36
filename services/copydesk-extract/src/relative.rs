//! Relative times ("20 分钟前", "2 hours ago", "вчера, 14:30") resolved
//! against the capture time: a page only says how old it is, so without the
//! moment it was fetched there is no date at all. The words are one row per
//! language, built into the matchers in one place: adding a language is
//! adding a row.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use regex::Regex;

use crate::dates::Found;

/// Past this many characters a line is prose that happens to say "2 days
/// ago", not a timestamp.
const MAX_CHARS: usize = 40;

/// One language's words for how old a page is. Matching ignores case.
struct Words {
    /// "N units ago": what stands before the count ("vor", "il y a") and
    /// after the unit ("ago", "前"); a space matches any run of white space.
    before: &'static str,
    after: &'static str,
    /// Whether `after` stands apart from the unit ("2 hours ago", not
    /// "2 hoursago"); Chinese writes "20分钟前", Korean either way.
    after_apart: bool,
    /// The units as regex fragments (stems take `\w*`), for seconds,
    /// minutes, hours, days and weeks; "" where the row has none.
    units: [&'static str; 5],
    yesterday: &'static [&'static str],
    today: &'static [&'static str],
    /// "Just now": published at the capture, give or take minutes.
    just_now: &'static [&'static str],
}

const NONE: &[&str] = &[];

const ROW: Words =
    Words { before: "", after: "", after_apart: true, units: [""; 5], yesterday: NONE, today: NONE, just_now: NONE };

/// Seconds in each of `Words::units`.
const UNIT_SECONDS: [i64; 5] = [1, 60, 3600, 86400, 7 * 86400];

/// The rows, one per language ("zh" holds the Japanese forms too: 昨日,
/// 今日 and 時間 are shared). French "hier" is left out: in German it is
/// "here", which starts many short lines.
const LANGUAGES: &[(&str, Words)] = &[
    (
        "zh",
        Words {
            after: "前",
            after_apart: false,
            units: ["秒", "分钟|分鐘|分", "小时|小時|时|時間", "天|日", "周|週|星期"],
            yesterday: &["昨天", "昨日"],
            today: &["今天", "今日"],
            just_now: &["刚刚", "剛剛"],
            ..ROW
        },
    ),
    (
        "ko",
        Words {
            after: "전",
            after_apart: false,
            units: ["초", "분", "시간", "일", ""],
            yesterday: &["어제"],
            today: &["오늘"],
            just_now: &["방금"],
            ..ROW
        },
    ),
    (
        "en",
        Words {
            after: "ago",
            units: ["seconds?|secs?", "minutes?|mins?", "hours?|hrs?", "days?", "weeks?"],
            yesterday: &["yesterday"],
            today: &["today"],
            just_now: &["just now"],
            ..ROW
        },
    ),
    (
        "de",
        Words {
            before: "vor",
            units: ["Sekunden?", "Minuten?", "Stunden?", "Tag(?:en)?", "Wochen?"],
            yesterday: &["gestern"],
            today: &["heute"],
            just_now: &["gerade eben"],
            ..ROW
        },
    ),
    (
        "fr",
        Words {
            before: "il y a",
            units: ["secondes?", "minutes?", "heures?", "jours?", "semaines?"],
            today: &["aujourd'hui"],
            just_now: &["à l'instant"],
            ..ROW
        },
    ),
    (
        "es",
        Words {
            before: "hace",
            units: ["segundos?", "minutos?", "horas?", "d[ií]as?", "semanas?"],
            yesterday: &["ayer"],
            today: &["hoy"],
            ..ROW
        },
    ),
    ("it", Words { yesterday: &["ieri"], today: &["oggi"], ..ROW }),
    ("pt", Words { yesterday: &["ontem"], today: &["hoje"], ..ROW }),
    (
        "pl",
        Words {
            after: "temu",
            units: ["", "minut", "godzin[ay]?", "dni|dzień", ""],
            yesterday: &["wczoraj"],
            today: &["dzisiaj", "dziś"],
            ..ROW
        },
    ),
    (
        "ru",
        Words {
            after: "назад",
            units: [r"секунд\w*", r"минут\w*", r"час\w*", r"дн\w*|день", r"недел\w*"],
            yesterday: &["вчера"],
            today: &["сегодня"],
            just_now: &["только что"],
            ..ROW
        },
    ),
];

/// A phrase as a pattern: its words escaped, a space matching any run of
/// white space.
fn phrase(words: &str) -> String {
    words.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+")
}

/// The "N units ago" matcher of every row, and for each row the capture
/// group of its count and of each unit it has, with the unit's seconds.
struct Ago {
    regex: Regex,
    rows: Vec<(usize, Vec<(usize, i64)>)>,
}

static AGO: LazyLock<Ago> = LazyLock::new(|| {
    let mut branches = Vec::new();
    let mut rows = Vec::new();
    let mut group = 0;
    for (_, row) in LANGUAGES.iter().filter(|(_, row)| row.units.iter().any(|u| !u.is_empty())) {
        group += 1;
        let count = group;
        let mut units = Vec::new();
        let mut alternatives = Vec::new();
        for (unit, seconds) in row.units.iter().zip(UNIT_SECONDS).filter(|(u, _)| !u.is_empty()) {
            group += 1;
            units.push((group, seconds));
            alternatives.push(format!("({unit})"));
        }
        let before = if row.before.is_empty() { String::new() } else { format!(r"{}\s+", phrase(row.before)) };
        let gap = if row.after_apart { r"\s+" } else { r"\s*" };
        let after = if row.after.is_empty() { String::new() } else { format!("{gap}{}", phrase(row.after)) };
        branches.push(format!(r"{before}(\d+)\s*(?:{}){after}", alternatives.join("|")));
        rows.push((count, units));
    }
    let regex = crate::regexes::regex(&format!("(?i)(?:{})", branches.join("|")))
        .expect("relative time rows build a valid regex");
    Ago { regex, rows }
});

/// "Yesterday" and "today" words, with an optional clock time after them.
static DAY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<String> =
        LANGUAGES.iter().flat_map(|(_, row)| row.yesterday.iter().chain(row.today)).map(|w| regex::escape(w)).collect();
    crate::regexes::regex(&format!(
        r"(?i)(?:^|[^\p{{L}}])({})(?:[^\p{{L}}\d]{{1,6}}(\d{{1,2}})[:.：](\d{{2}}))?",
        words.join("|")
    ))
    .expect("relative time rows build a valid regex")
});

fn is_yesterday(word: &str) -> bool {
    LANGUAGES.iter().any(|(_, row)| row.yesterday.contains(&word))
}

/// "刚刚", "just now": published at the capture, give or take minutes.
fn just_now(s: &str) -> bool {
    let lower = s.to_lowercase();
    LANGUAGES.iter().flat_map(|(_, row)| row.just_now).any(|w| lower.contains(w))
}

/// A relative time in a short line, counted back from `fetched_at`.
pub(crate) fn relative(s: &str, fetched_at: DateTime<Utc>) -> Option<Found> {
    if s.chars().count() > MAX_CHARS {
        return None;
    }
    if let Some(found) = ago(s, fetched_at) {
        return Some(found);
    }
    if let Some(c) = DAY_WORD.captures(s) {
        let word = c[1].to_lowercase();
        // "Heuteufel" is no "heute", and "USA Today" is a masthead: a day
        // word counts when a clock time follows it or it is all the line says.
        let cjk = word.chars().all(|ch| !ch.is_ascii() && !('\u{400}'..='\u{4ff}').contains(&ch));
        let glued = s[c.get(1)?.end()..].chars().next().is_some_and(char::is_alphabetic);
        let alone =
            s.chars().filter(|ch| ch.is_alphabetic()).count() == word.chars().filter(|ch| ch.is_alphabetic()).count();
        if (glued && !cjk) || (c.get(2).is_none() && !alone) {
            return just_now(s).then(|| Found::utc(fetched_at, false));
        }
        let back = if is_yesterday(&word) { 1 } else { 0 };
        let day = (fetched_at - Duration::days(back)).date_naive();
        let time = c
            .get(2)
            .zip(c.get(3))
            .and_then(|(h, m)| NaiveTime::from_hms_opt(h.as_str().parse().ok()?, m.as_str().parse().ok()?, 0));
        return Some(Found::wall(day.and_time(time.unwrap_or(NaiveTime::MIN)), time.is_none()));
    }
    just_now(s).then(|| Found::utc(fetched_at, false))
}

fn ago(s: &str, fetched_at: DateTime<Utc>) -> Option<Found> {
    let c = AGO.regex.captures(s)?;
    let (count, units) = AGO.rows.iter().find(|(count, _)| c.get(*count).is_some())?;
    let seconds = units.iter().find(|(group, _)| c.get(*group).is_some())?.1;
    let n: i64 = c[*count].parse().ok()?;
    let at = fetched_at - Duration::seconds(n.checked_mul(seconds)?);
    Some(Found::utc(at, seconds >= 86400))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(s: &str) -> String {
        relative(s, Utc.with_ymd_and_hms(2024, 6, 17, 9, 13, 1).unwrap()).map(|f| f.local()).unwrap_or_default()
    }

    #[test]
    fn counted_back_from_the_capture() {
        assert_eq!(at("20 分钟前"), "2024-06-17T08:53:01Z");
        assert_eq!(at("2 hours ago"), "2024-06-17T07:13:01Z");
        assert_eq!(at("vor 3 Tagen"), "2024-06-14");
        assert_eq!(at("3 시간 전"), "2024-06-17T06:13:01Z");
        assert_eq!(at("5 минут назад"), "2024-06-17T09:08:01Z");
        assert_eq!(at("2 godziny temu"), "2024-06-17T07:13:01Z");
        assert_eq!(at("il y a 2 semaines"), "2024-06-03");
        assert_eq!(at("hace 3 días"), "2024-06-14");
        assert_eq!(at("3小時前"), "2024-06-17T06:13:01Z");
    }

    #[test]
    fn every_unit_has_its_own_length() {
        // A unit's seconds come from its column, not from how its word begins:
        // "Sekunden" once counted as days.
        assert_eq!(at("vor 30 Sekunden"), "2024-06-17T09:12:31Z");
        assert_eq!(at("vor 2 Wochen"), "2024-06-03");
        assert_eq!(at("1 week ago"), "2024-06-10");
    }

    #[test]
    fn yesterday_and_today_words() {
        assert_eq!(at("вчера, 14:30"), "2024-06-16T14:30:00");
        assert_eq!(at("Yesterday"), "2024-06-16");
        assert_eq!(at("昨天 08:05"), "2024-06-16T08:05:00");
        assert_eq!(at("Heute, 07:45 Uhr"), "2024-06-17T07:45:00");
        assert_eq!(at("刚刚"), "2024-06-17T09:13:01Z");
    }

    #[test]
    fn prose_and_other_words_are_not_times() {
        assert_eq!(at("Hieronymus"), "");
        assert_eq!(at("The council met two days ago to debate the plan for the harbour"), "");
        assert_eq!(at("Heuteufel"), "");
        assert_eq!(at("USA TODAY"), "");
        assert_eq!(at("Hier finden Sie mehr"), "");
    }

    #[test]
    fn every_row_is_named_once() {
        for (i, (code, _)) in LANGUAGES.iter().enumerate() {
            assert!(LANGUAGES[..i].iter().all(|(c, _)| c != code), "{code} twice");
        }
    }
}
