//! The words that say what a short line's date is, one row per language:
//! "Published", "Aktualisiert am", "Member since", "发布时间". Adding a
//! language is adding a row; the label matchers `zones` reads are built
//! from these rows in one place.

use std::sync::LazyLock;

use regex::Regex;

/// One language's date labels, lower case; matching ignores case and wants
/// no letter of a Latin, Cyrillic or Greek word on either side.
pub(crate) struct DateLabels {
    /// The line dates the article's publication ("published", "发布").
    pub(crate) published: &'static [&'static str],
    /// A later revision ("updated", "mis à jour", "更新").
    pub(crate) updated: &'static [&'static str],
    /// The date of something other than the article: an account, a blog,
    /// a company ("member since", "gegründet", "注册").
    pub(crate) elsewhere: &'static [&'static str],
    /// A statement of the page's first publication, read anywhere on the
    /// page ("originally published on", "erstmals erschienen am").
    pub(crate) original: &'static [&'static str],
}

const NONE: &[&str] = &[];

const ROW: DateLabels = DateLabels { published: NONE, updated: NONE, elsewhere: NONE, original: NONE };

/// The rows, one per language.
pub(crate) const LANGUAGES: &[(&str, DateLabels)] = &[
    (
        "en",
        DateLabels {
            published: &["published", "posted", "submitted", "publication date", "date", "dated"],
            updated: &["update", "updated", "last modified"],
            elsewhere: &["joined", "member since", "registered", "established", "founded"],
            original: &["originally published", "first published", "originally posted", "first posted"],
        },
    ),
    (
        "de",
        DateLabels {
            published: &["veröffentlicht", "erschienen", "gespeichert", "datum"],
            updated: &["aktualisiert", "geändert"],
            elsewhere: &["mitglied seit", "registriert", "dabei seit", "gegründet"],
            original: &[
                "erstmals veröffentlicht",
                "ursprünglich veröffentlicht",
                "erstmals erschienen",
                "zuerst erschienen",
            ],
        },
    ),
    (
        "fr",
        DateLabels {
            published: &["publié", "publiée"],
            updated: &["mis à jour", "modifié"],
            elsewhere: &["inscrit", "membre depuis", "fondé", "fondée"],
            original: &["initialement publié", "initialement publiée", "publié initialement", "publiée initialement"],
        },
    ),
    (
        "es",
        DateLabels {
            published: &["publicado", "publicada", "fecha"],
            updated: &["actualizado"],
            elsewhere: &["miembro desde", "registrado", "fundado", "fundada"],
            original: &["publicado originalmente", "publicada originalmente", "publicado por primera vez"],
        },
    ),
    (
        "pt",
        DateLabels {
            published: &["publicação"],
            updated: &["atualizado"],
            original: &["publicado originalmente"],
            ..ROW
        },
    ),
    (
        "it",
        DateLabels {
            published: &["pubblicato", "data"],
            updated: &["aggiornato"],
            elsewhere: &["iscritto", "membro dal", "fondato"],
            original: &["pubblicato originariamente", "pubblicato per la prima volta"],
        },
    ),
    (
        "pl",
        DateLabels {
            published: &["opublikowano", "publikacja"],
            updated: &["zaktualizowano"],
            elsewhere: &["dołączył", "dołączyła", "zarejestrowany", "założony"],
            ..ROW
        },
    ),
    (
        "ru",
        DateLabels {
            published: &["опубликовано", "дата"],
            updated: &["обновлено"],
            elsewhere: &["зарегистрирован", "на сайте с", "основан", "основано"],
            ..ROW
        },
    ),
    (
        "ja",
        DateLabels {
            published: &["公開日", "投稿日", "掲載日", "配信日", "入力"], elsewhere: &["登録日"], ..ROW
        },
    ),
    (
        "ko",
        DateLabels {
            published: &["입력", "등록", "게시", "작성일"], updated: &["수정"], elsewhere: &["가입"], ..ROW
        },
    ),
    (
        "zh",
        DateLabels {
            published: &["发布", "發布", "發佈", "发表", "發表", "时间", "時間", "日期", "出版"],
            updated: &["更新", "修改"],
            elsewhere: &["建立于", "建立於", "注册", "註冊", "加入", "成立", "创建于", "創建於"],
            ..ROW
        },
    ),
];

/// One matcher over a field of every row: any of its words, standing apart
/// from the letters of alphabetic scripts (CJK labels run into their text).
fn matcher(field: fn(&DateLabels) -> &'static [&'static str]) -> Regex {
    let words: Vec<String> = LANGUAGES.iter().flat_map(|(_, row)| field(row)).map(|w| regex::escape(w)).collect();
    let apart = r"[^\p{Latin}\p{Cyrillic}\p{Greek}]";
    crate::regexes::regex(&format!("(?i)(?:^|{apart})(?:{})(?:$|{apart})", words.join("|"))).expect("valid regex")
}

pub(crate) static PUBLISHED: LazyLock<Regex> = LazyLock::new(|| matcher(|row| row.published));
pub(crate) static UPDATED: LazyLock<Regex> = LazyLock::new(|| matcher(|row| row.updated));
pub(crate) static ELSEWHERE: LazyLock<Regex> = LazyLock::new(|| matcher(|row| row.elsewhere));
pub(crate) static ORIGINAL: LazyLock<Regex> = LazyLock::new(|| matcher(|row| row.original));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_lower_case_and_named_once() {
        for (i, (code, row)) in LANGUAGES.iter().enumerate() {
            assert!(LANGUAGES[..i].iter().all(|(c, _)| c != code), "{code} twice");
            for w in row.published.iter().chain(row.updated).chain(row.elsewhere).chain(row.original) {
                assert_eq!(*w, w.to_lowercase(), "{code}: {w}");
            }
        }
    }

    #[test]
    fn labels_stand_apart_from_words_but_not_from_cjk_text() {
        assert!(PUBLISHED.is_match("Published: "));
        assert!(!PUBLISHED.is_match("Unpublished draft"));
        assert!(PUBLISHED.is_match("发布时间："));
        assert!(UPDATED.is_match("Mis à jour le "));
        assert!(ELSEWHERE.is_match("Member since "));
        assert!(!ELSEWHERE.is_match("Rejoined "));
        assert!(ORIGINAL.is_match("This article was originally published on "));
    }
}
