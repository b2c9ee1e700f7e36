//! Month names in the languages news pages are written in, for dates such as
//! "16 juin 2024", "16 июня 2024" or "June 16, 2024".

use std::collections::HashMap;
use std::sync::LazyLock;

/// Each row lists the twelve months of one language (or one grammatical
/// case of it) in order; "" where the form equals another row's. Rows are
/// data, not rules: adding a language is adding a row.
const ROWS: &[[&str; 12]] = &[
    // English, long and short (with the "sept" variant kept below).
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    ["jan", "feb", "mar", "apr", "", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    // French (with and without accents).
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    ["", "fevrier", "", "", "", "", "", "aout", "", "", "", "decembre"],
    ["janv", "févr", "", "avr", "", "", "juil", "", "", "", "", "déc"],
    // German, long and short.
    ["januar", "februar", "märz", "", "", "juni", "juli", "", "", "oktober", "", "dezember"],
    ["jän", "", "mär", "", "", "", "", "", "", "okt", "", "dez"],
    ["jänner", "", "maerz", "", "", "", "", "", "", "", "", ""],
    ["", "", "mrz", "", "", "", "", "", "", "", "", ""],
    // Spanish.
    [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    ["ene", "", "", "abr", "", "", "", "ago", "setiembre", "", "", "dic"],
    // Italian.
    ["gennaio", "febbraio", "", "aprile", "maggio", "giugno", "luglio", "", "settembre", "ottobre", "", "dicembre"],
    ["gen", "", "", "", "mag", "giu", "lug", "", "set", "ott", "", ""],
    // Portuguese.
    ["janeiro", "fevereiro", "março", "", "maio", "junho", "julho", "", "setembro", "outubro", "novembro", "dezembro"],
    ["", "fev", "marco", "", "", "", "", "", "", "out", "", "dez"],
    // Dutch, Swedish, Danish, Norwegian.
    ["januari", "februari", "maart", "", "mei", "", "", "augustus", "", "", "", ""],
    ["", "", "", "", "maj", "", "", "augusti", "", "", "", ""],
    // Polish: nominative and genitive.
    [
        "styczeń",
        "luty",
        "marzec",
        "kwiecień",
        "",
        "czerwiec",
        "lipiec",
        "sierpień",
        "wrzesień",
        "październik",
        "listopad",
        "grudzień",
    ],
    [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ],
    // Russian: genitive, nominative and abbreviated.
    [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ],
    ["янв", "фев", "мар", "апр", "", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],
    // Ukrainian (genitive).
    [
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ],
    // Greek (genitive).
    [
        "ιανουαρίου",
        "φεβρουαρίου",
        "μαρτίου",
        "απριλίου",
        "μαΐου",
        "ιουνίου",
        "ιουλίου",
        "αυγούστου",
        "σεπτεμβρίου",
        "οκτωβρίου",
        "νοεμβρίου",
        "δεκεμβρίου",
    ],
    // Czech (genitive).
    [
        "ledna",
        "února",
        "března",
        "dubna",
        "května",
        "června",
        "července",
        "srpna",
        "září",
        "října",
        "listopadu",
        "prosince",
    ],
    // Romanian.
    [
        "ianuarie",
        "februarie",
        "martie",
        "aprilie",
        "",
        "iunie",
        "iulie",
        "",
        "septembrie",
        "octombrie",
        "noiembrie",
        "decembrie",
    ],
    // Hungarian.
    [
        "január",
        "február",
        "március",
        "április",
        "május",
        "június",
        "július",
        "augusztus",
        "szeptember",
        "október",
        "",
        "",
    ],
    // Finnish (partitive, as in "19. helmikuuta 2020").
    [
        "tammikuuta",
        "helmikuuta",
        "maaliskuuta",
        "huhtikuuta",
        "toukokuuta",
        "kesäkuuta",
        "heinäkuuta",
        "elokuuta",
        "syyskuuta",
        "lokakuuta",
        "marraskuuta",
        "joulukuuta",
    ],
    // Turkish.
    ["ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim", "kasım", "aralık"],
    // Indonesian and Malay.
    ["", "", "maret", "", "", "", "", "agustus", "", "", "", "desember"],
    // Arabic (the Egyptian and Levantine names), with the hamza-less spellings.
    ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
    ["", "", "", "ابريل", "", "", "", "اغسطس", "", "اكتوبر", "", ""],
];

static INDEX: LazyLock<HashMap<&'static str, u32>> = LazyLock::new(|| {
    let mut index = HashMap::new();
    for row in ROWS {
        for (i, name) in row.iter().enumerate() {
            if !name.is_empty() {
                index.entry(*name).or_insert(i as u32 + 1);
            }
        }
    }
    index.insert("sept", 9);
    index
});

/// Day names, long and short, one row per language: a byline that reads only
/// "Sat" or "Dec" is what is left of a date, not a writer.
const WEEKDAYS: &[[&str; 7]] = &[
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    ["", "tues", "", "thur", "", "", ""],
    ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"],
    ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
];

/// Whether a word is a month's or a weekday's name or abbreviation ("Dec.", "Sat").
pub(crate) fn calendar_word(word: &str) -> bool {
    let bare = word.trim_end_matches('.').to_lowercase();
    month(word).is_some() || (!bare.is_empty() && WEEKDAYS.iter().any(|row| row.contains(&bare.as_str())))
}

/// The month number of a name or abbreviation ("Sept.", "июня", "Gennaio").
pub(crate) fn month(name: &str) -> Option<u32> {
    let name = name.trim_end_matches('.');
    if name.is_empty() || name.len() > 40 {
        return None;
    }
    INDEX.get(name.to_lowercase().as_str()).copied()
}

#[cfg(test)]
mod tests {
    use super::month;

    #[test]
    fn names_in_many_languages() {
        assert_eq!(month("Sept."), Some(9));
        assert_eq!(month("Gennaio"), Some(1));
        assert_eq!(month("июня"), Some(6));
        assert_eq!(month("Июнь"), Some(6));
        assert_eq!(month("października"), Some(10));
        assert_eq!(month("helmikuuta"), Some(2));
        assert_eq!(month("Jänner"), Some(1));
        assert_eq!(month("május"), Some(5));
    }

    #[test]
    fn words_that_are_not_months() {
        assert_eq!(month("the"), None);
        assert_eq!(month(""), None);
        assert_eq!(month("Monday"), None);
        assert!(super::calendar_word("Sat"));
        assert!(super::calendar_word("Dec."));
        assert!(super::calendar_word("Mittwoch"));
        assert!(!super::calendar_word("Amanda"));
        assert!(!super::calendar_word(""));
    }

    #[test]
    fn every_row_has_its_months_in_order() {
        assert_eq!(month("december"), Some(12));
        assert_eq!(month("grudnia"), Some(12));
        assert_eq!(month("aralık"), Some(12));
        assert_eq!(month("ديسمبر"), Some(12));
    }
}
