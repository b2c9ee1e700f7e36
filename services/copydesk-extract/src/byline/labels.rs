//! The words that introduce a writer's name, one row per language, and the
//! matchers built from them in one place: "By", "Autorin:", "publié par",
//! "作者：". Adding a language is adding a row; every byline matcher sees it.

use std::sync::LazyLock;

use regex::Regex;

/// One language's byline labels. Words are lower case; a space in a phrase
/// matches any run of white space, and matching ignores case.
pub(crate) struct Labels {
    /// A preposition that puts the writer after it ("by", "von"). Common in
    /// prose too, so a label only where a line starts with it.
    pub(crate) by: &'static [&'static str],
    /// "by NAME" is safe without a colon in a metadata field; "von" and "di"
    /// begin surnames, "par" and "por" may too.
    pub(crate) by_without_colon: bool,
    /// Phrases that name the writer ("written by", "geschrieben von").
    pub(crate) by_phrases: &'static [&'static str],
    /// Phrases that name who put the page up, often the writer too
    /// ("posted by", "publié par"): a byline where a line starts with one,
    /// not a label alone on its line.
    pub(crate) posted_by: &'static [&'static str],
    /// The writer's role as a label ("Autorin", "author"), singular.
    pub(crate) writer: &'static [&'static str],
    /// The same, plural ("Autoren", "authors"): only a label alone on its line.
    pub(crate) writers: &'static [&'static str],
    /// A credit for the words ("Text", "Texte", "文"): needs a separator
    /// or a space after it, in every script.
    pub(crate) text: &'static [&'static str],
    /// The script writes no space between label and name ("作者张三"), so a
    /// writer label needs no separator.
    pub(crate) unspaced: bool,
    /// The path segment of the site's page that lists one writer's pieces
    /// ("/author/jane-doe/"): a link there names the writer.
    pub(crate) archive: &'static [&'static str],
    /// Words of a job title set beside a name ("Staff Writer", "Founder at
    /// X", "Auslandskorrespondentin"): stems, found anywhere in a line, so
    /// that compounds and inflected forms count; none may occur inside a name.
    pub(crate) roles: &'static [&'static str],
}

const NONE: &[&str] = &[];

const ROW: Labels = Labels {
    by: NONE,
    by_without_colon: false,
    by_phrases: NONE,
    posted_by: NONE,
    writer: NONE,
    writers: NONE,
    text: NONE,
    unspaced: false,
    archive: NONE,
    roles: NONE,
};

/// The rows, one per language.
pub(crate) const LANGUAGES: &[(&str, Labels)] = &[
    (
        "en",
        Labels {
            by: &["by"],
            by_without_colon: true,
            by_phrases: &["written by", "authored by", "article by"],
            posted_by: &["posted by", "submitted by"],
            writer: &["author", "about the author"],
            writers: &["authors"],
            archive: &["author", "authors", "contributor", "contributors", "writer", "writers"],
            roles: &[
                "reporter",
                "correspondent",
                "editor",
                "journalist",
                "staff writer",
                "columnist",
                "contributor",
                "founder",
                "director",
                "manager",
                "expert",
                "specialist",
                "strategist",
                "consultant",
                "analyst",
                "attorney",
                "head of",
            ],
            ..ROW
        },
    ),
    (
        "de",
        Labels {
            by: &["von"],
            by_phrases: &["geschrieben von", "verfasst von", "text von", "text und foto von", "text und fotos von"],
            posted_by: &["gespeichert von", "erstellt von", "eingestellt von", "veröffentlicht von"],
            writer: &["autor", "autorin", "verfasser", "verfasserin"],
            writers: &["autoren", "autorinnen"],
            text: &["text"],
            archive: &["autor", "autorin", "autoren"],
            roles: &["korrespondent", "redakt", "gründer", "geschäftsführer"],
            ..ROW
        },
    ),
    (
        "fr",
        Labels {
            by: &["par"],
            posted_by: &["publié par", "posté par"],
            writer: &["auteur", "auteure"],
            writers: &["auteurs", "auteures"],
            text: &["texte"],
            archive: &["auteur", "auteurs"],
            roles: &["journaliste", "envoyé", "rédact", "fondat"],
            ..ROW
        },
    ),
    (
        "es",
        Labels {
            by: &["por"],
            by_phrases: &["escrito por"],
            posted_by: &["publicado por"],
            writer: &["autor"],
            archive: &["autor", "autores"],
            roles: &["periodista", "corresponsal", "redactor", "fundador"],
            ..ROW
        },
    ),
    (
        "pt",
        Labels {
            by: &["por"],
            by_phrases: &["escrito por"],
            posted_by: &["publicado por"],
            writer: &["autor"],
            archive: &["autor", "autores"],
            roles: &["jornalista", "repórter", "correspondente", "redator", "fundador"],
            ..ROW
        },
    ),
    (
        "it",
        Labels {
            by: &["di"],
            posted_by: &["pubblicato da"],
            writer: &["autore"],
            archive: &["autore", "autori"],
            roles: &["giornalista", "inviat", "redatt", "fondat"],
            ..ROW
        },
    ),
    ("nl", Labels { by: &["door"], roles: &["redacteur", "verslaggever"], ..ROW }),
    (
        "pl",
        Labels {
            by: &["przez"],
            writer: &["autor", "autorka"],
            archive: &["autor"],
            roles: &["dziennikar", "korespondent", "redaktor"],
            ..ROW
        },
    ),
    (
        "ru",
        Labels {
            writer: &["автор"], roles: &["корреспондент", "обозреватель", "журналист", "редактор"], ..ROW
        },
    ),
    ("el", Labels { by: &["από"], roles: &["ανταποκριτ", "δημοσιογράφ"], ..ROW }),
    (
        "zh",
        Labels {
            writer: &["作者", "作 者", "撰文", "记者", "記者", "本报记者", "本報記者", "通讯员", "通訊員"],
            text: &["文"],
            unspaced: true,
            roles: &["记者", "記者", "通讯员", "通訊員", "特约", "特約", "撰稿", "编辑", "編輯"],
            ..ROW
        },
    ),
];

/// Which columns a matcher takes.
#[derive(Clone, Copy)]
struct Columns {
    by: bool,
    posted_by: bool,
    writers: bool,
}

/// A word or phrase as a pattern: a space matches `space`.
fn pattern(word: &str, space: &str) -> String {
    word.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(space)
}

/// An alternation of words, longest first so that "text von" is tried before
/// "text" and "autorin" before "autor".
fn alternation<'a>(words: impl Iterator<Item = &'a str>, space: &str) -> String {
    let mut words: Vec<&str> = words.collect();
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    words.dedup();
    let words: Vec<String> = words.iter().map(|w| pattern(w, space)).collect();
    format!("(?:{})", words.join("|"))
}

/// The labels of the chosen columns, of rows of one kind of script or all.
fn labels(columns: Columns, unspaced: Option<bool>) -> String {
    let words =
        LANGUAGES.iter().map(|(_, row)| row).filter(move |row| unspaced.is_none_or(|u| row.unspaced == u)).flat_map(
            move |row| {
                let by = if columns.by { row.by } else { NONE };
                let posted_by = if columns.posted_by { row.posted_by } else { NONE };
                let writers = if columns.writers { row.writers } else { NONE };
                [row.by_phrases, row.writer, row.text, by, posted_by, writers].into_iter().flatten().copied()
            },
        );
    alternation(words, r"\s+")
}

fn build(pattern: &str) -> Regex {
    crate::regexes::regex(pattern).expect("byline label tables build valid regexes")
}

/// The labels of unspaced scripts: a writer label with an optional separator,
/// a text credit with a separator or a space.
fn unspaced_prefix() -> String {
    let rows = || LANGUAGES.iter().map(|(_, row)| row).filter(|row| row.unspaced);
    let writer = alternation(rows().flat_map(|row| row.writer.iter().copied()), r"\s");
    let text = alternation(rows().flat_map(|row| row.text.iter().copied()), r"\s");
    format!(r"{writer}\s*[:：/／|]?\s*|{text}(?:\s*[:：/／|]\s*|\s+)")
}

/// A visible byline that names its writer after a label: "By Jane Doe",
/// "Text und Fotos von X", "作者：张三". The name is group 1.
pub(crate) static MARKED: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        r"(?i)^(?:{}(?:\s*[:：/|]\s*|\s+)|{})(\S.*)$",
        labels(Columns { by: true, posted_by: true, writers: false }, Some(false)),
        unspaced_prefix()
    ))
});

/// A label alone on its line, the name on the next, prepositions included.
pub(crate) static BARE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(r"(?i)^{}\s*[:：]?$", labels(Columns { by: true, posted_by: false, writers: true }, None)))
});

/// A label alone on its line where a preposition alone is too common in prose
/// to trust ("by" ending a line of text). Spaced scripts only: unspaced
/// credit lines have their own reader (`cjk.rs`).
pub(crate) static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(r"(?i)^{}\s*[:：]?$", labels(Columns { by: false, posted_by: false, writers: true }, Some(false))))
});

/// A line that starts with a writer's label and a colon: "Autorin: X".
/// Spaced scripts only, as `LABEL`. The name is group 1.
pub(crate) static LABELLED_LINE: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        r"(?i)^{}\s*[:：]\s*(\S.*)$",
        labels(Columns { by: false, posted_by: false, writers: false }, Some(false))
    ))
});

/// A line that opens with a phrase naming its writer or poster, "Written
/// by X", "Posted by X", "publié par X": unlike a bare "By", which opens
/// sentences too ("By 2030, ..."), safe on any line of the page. Spaced
/// scripts only. The name is group 1.
pub(crate) static PHRASED: LazyLock<Regex> = LazyLock::new(|| {
    let rows = || LANGUAGES.iter().map(|(_, row)| row).filter(|row| !row.unspaced);
    let phrases =
        alternation(rows().flat_map(|row| [row.by_phrases, row.posted_by].into_iter().flatten()).copied(), r"\s+");
    build(&format!(r"(?i)^{phrases}(?:\s*[:：]\s*|\s+)(\S.*)$"))
});

/// Whether a line's text, as the block holds it, may open with one of
/// `PHRASED`'s phrases once its elements' seams are spaced (words may run
/// together there): the cheap test before the seams are looked for.
pub(crate) static PHRASE_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    let rows = || LANGUAGES.iter().map(|(_, row)| row).filter(|row| !row.unspaced);
    let phrases =
        alternation(rows().flat_map(|row| [row.by_phrases, row.posted_by].into_iter().flatten()).copied(), r"\s*");
    build(&format!(r"(?i)^\s*{phrases}"))
});

/// A label glued to a name in a metadata field: "By X", "Auteur : X". A
/// preposition needs a colon unless its row says it never begins a name.
/// The name is group 1.
pub(crate) static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    let rows = || LANGUAGES.iter().map(|(_, row)| row);
    let spaced = alternation(
        rows()
            .flat_map(|row| {
                [row.by_phrases, row.posted_by, if row.by_without_colon { row.by } else { NONE }].into_iter().flatten()
            })
            .copied(),
        r"\s+",
    );
    build(&format!(
        r"(?i)^(?:{spaced}\s+|{}\s*[:：]\s*)(\S.*)$",
        labels(Columns { by: true, posted_by: false, writers: false }, None)
    ))
});

/// A job title beside a name, in any row's language: "BBC记者 发自莫斯科",
/// "Senior correspondent", "Founder at Oakywood".
pub(crate) static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    let roles = alternation(LANGUAGES.iter().flat_map(|(_, row)| row.roles.iter().copied()), r"\s+");
    build(&format!("(?i){roles}"))
});

/// Whether a word is a preposition that puts the writer after it and never
/// begins a surname ("by"; not "von" or "di", which its row marks as such).
pub(crate) fn plain_by(word: &str) -> bool {
    LANGUAGES.iter().any(|(_, row)| row.by_without_colon && row.by.iter().any(|b| b.eq_ignore_ascii_case(word)))
}

/// A link to a writer's own page on the site: the path has one of the
/// rows' archive segments followed by the writer's slug, and nothing after
/// it ("/author/jane-doe/", not "/author/jane-doe/page/2" or "/authors/").
pub(crate) static ARCHIVE: LazyLock<Regex> = LazyLock::new(|| {
    let segments = alternation(LANGUAGES.iter().flat_map(|(_, row)| row.archive.iter().copied()), "-");
    build(&format!(r"(?i)^[^?#]*/{segments}/[^/?#]+/?(?:[?#]|$)"))
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_a_writer_page() {
        assert!(ARCHIVE.is_match("https://example.com/blog/author/jane-doe/"));
        assert!(ARCHIVE.is_match("/magazine/contributor/a._j._neal"));
        assert!(ARCHIVE.is_match("/autoren/hans-muster?ref=byline"));
        assert!(!ARCHIVE.is_match("/authors/"));
        assert!(!ARCHIVE.is_match("/author/jane-doe/page/2"));
        assert!(!ARCHIVE.is_match("/authority/report"));
        assert!(!ARCHIVE.is_match("/search?q=/author/jane"));
    }

    fn name(re: &Regex, line: &str) -> Option<String> {
        re.captures(line).map(|c| c[1].to_string())
    }

    #[test]
    fn every_language_marks_a_byline() {
        assert_eq!(name(&MARKED, "By Jane Doe").as_deref(), Some("Jane Doe"));
        assert_eq!(name(&MARKED, "Text und Fotos von Hans Muster").as_deref(), Some("Hans Muster"));
        assert_eq!(name(&MARKED, "Autorin: Eva Roth").as_deref(), Some("Eva Roth"));
        assert_eq!(name(&MARKED, "publié par Loïc Le Clerc").as_deref(), Some("Loïc Le Clerc"));
        assert_eq!(name(&MARKED, "Автор: Иван Петров").as_deref(), Some("Иван Петров"));
        assert_eq!(name(&MARKED, "作者：张三").as_deref(), Some("张三"));
        assert_eq!(name(&MARKED, "本报记者 李四").as_deref(), Some("李四"));
        assert_eq!(name(&MARKED, "文 官嘉盈").as_deref(), Some("官嘉盈"));
        assert!(MARKED.captures("文章处理费").is_none());
        assert!(MARKED.captures("Byron Smith").is_none());
        assert_eq!(name(&MARKED, "About the author: Tom").as_deref(), Some("Tom"));
        assert_eq!(name(&MARKED, "Authored by Jane Doe").as_deref(), Some("Jane Doe"));
        assert_eq!(name(&MARKED, "Article by Matias Heikkilä").as_deref(), Some("Matias Heikkilä"));
    }

    #[test]
    fn labels_alone_on_their_line() {
        for line in
            ["By", "von:", "Autorinnen", "Auteurs :", "written by", "Article by", "About the author", "автор", "作者："]
        {
            assert!(BARE_LABEL.is_match(line), "{line}");
        }
        assert!(LABEL.is_match("Authors:"));
        assert!(!LABEL.is_match("by"), "a preposition alone is prose");
        assert!(!BARE_LABEL.is_match("By the way"));
    }

    #[test]
    fn labelled_lines_and_fields() {
        assert_eq!(name(&LABELLED_LINE, "Verfasserin: Anna Berg").as_deref(), Some("Anna Berg"));
        assert!(LABELLED_LINE.captures("von: Anna Berg").is_none(), "a preposition needs the marked line");
        assert_eq!(name(&LABELLED, "Posted by Jane").as_deref(), Some("Jane"));
        assert_eq!(name(&LABELLED, "Auteure : Marie Curie").as_deref(), Some("Marie Curie"));
        assert!(LABELLED.captures("Von Trier").is_none(), "\"von\" begins surnames");
        assert!(LABELLED.captures("Di Maria").is_none(), "\"di\" begins surnames");
        assert_eq!(name(&PHRASED, "Written by Cassidy Horton").as_deref(), Some("Cassidy Horton"));
        assert_eq!(name(&PHRASED, "Posted by: David").as_deref(), Some("David"));
        assert!(PHRASED.captures("By 2030, most cars").is_none(), "a bare preposition opens prose");
        assert!(PHRASED.captures("Rewritten by hand").is_none());
    }

    #[test]
    fn job_titles_in_every_row() {
        for role in ["Staff Writer", "Founder at Oakywood", "Auslandskorrespondentin", "rédactrice en chef", "BBC记者"]
        {
            assert!(ROLE.is_match(role), "{role}");
        }
        for name in ["Jane Doe", "Mateusz Haberny", "Peter Addor"] {
            assert!(!ROLE.is_match(name), "{name}");
        }
    }
}
