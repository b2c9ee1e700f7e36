//! Relative times ("20 分钟前", "2 hours ago", "вчера, 14:30") resolved
//! against the capture time: a page only says how old it is, so without the
//! moment it was fetched there is no date at all.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use regex::Regex;

use crate::dates::Found;

/// Past this many characters a line is prose that happens to say "2 days
/// ago", not a timestamp.
const MAX_CHARS: usize = 40;

static AGO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)(?:
            (\d+)\s*(秒|分钟|分鐘|分|小时|小時|时|時間|天|日|周|週|星期)\s*前 |
            (\d+)\s*(초|분|시간|일)\s*전 |
            (\d+)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago |
            vor\s+(\d+)\s*(Sekunden?|Minuten?|Stunden?|Tag(?:en)?|Wochen?) |
            il\s+y\s+a\s+(\d+)\s*(secondes?|minutes?|heures?|jours?|semaines?) |
            hace\s+(\d+)\s*(segundos?|minutos?|horas?|d[ií]as?|semanas?) |
            (\d+)\s*(minut|godzin[ay]?|dni|dzień)\s+temu |
            (\d+)\s*(секунд\w*|минут\w*|час\w*|дн\w*|день|недел\w*)\s+назад
        )",
    )
    .expect("valid regex")
});

/// "Yesterday" and "today" words, with an optional clock time after them.
static DAY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[^\p{L}])(yesterday|today|gestern|heute|aujourd'hui|ayer|hoy|ieri|oggi|ontem|hoje|wczoraj|dzisiaj|dziś|вчера|сегодня|昨天|今天|昨日|今日|어제|오늘)(?:[^\p{L}\d]{1,6}(\d{1,2})[:.：](\d{2}))?",
    )
    .expect("valid regex")
});

/// "刚刚", "just now": published at the capture, give or take minutes.
fn just_now(s: &str) -> bool {
    let lower = s.to_lowercase();
    ["刚刚", "剛剛", "just now", "à l'instant", "gerade eben", "только что", "방금"].iter().any(|w| lower.contains(w))
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
        let back = if matches!(
            word.as_str(),
            "yesterday"
                | "gestern"
                | "hier"
                | "ayer"
                | "ieri"
                | "ontem"
                | "wczoraj"
                | "вчера"
                | "昨天"
                | "昨日"
                | "어제"
        ) {
            1
        } else {
            0
        };
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
    let c = AGO.captures(s)?;
    let (n, unit) = (1..c.len()).step_by(2).find_map(|i| Some((c.get(i)?.as_str(), c.get(i + 1)?.as_str())))?;
    let n: i64 = n.parse().ok()?;
    let unit = unit.to_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| unit.starts_with(p));
    let seconds = if starts(&["秒", "초", "sec", "seg", "секунд"]) {
        1
    } else if starts(&["分", "분", "min", "минут"]) {
        60
    } else if starts(&["小", "时", "時", "시", "h", "stund", "godzin", "час"]) {
        3600
    } else if starts(&["周", "週", "星", "week", "woche", "semaine", "semana", "недел"]) {
        7 * 86400
    } else {
        86400
    };
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
}
