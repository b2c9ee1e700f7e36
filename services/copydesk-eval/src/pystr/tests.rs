//! Python reference values for the character-level helpers.
//!
//! Every expected value below was printed by CPython 3.11 running score.py's own functions
//! on the same input; they are the oracle, not a restatement of the Rust code.

use super::*;

#[test]
fn cjk_tokens_split_per_character_but_keep_latin_runs_and_astral_ideographs() {
    let s = "日本語のテキストABC123漢字 한국어 텍스트 𠀀𠀁ab";
    assert_eq!(
        tokens(s, true),
        [
            "日",
            "本",
            "語",
            "の",
            "テ",
            "キ",
            "ス",
            "ト",
            "ABC123",
            "漢",
            "字",
            "한",
            "국",
            "어",
            "텍",
            "스",
            "트",
            "𠀀𠀁ab"
        ]
    );
    assert_eq!(tokens(s, false), ["日本語のテキストABC123漢字", "한국어", "텍스트", "𠀀𠀁ab"]);
    assert_eq!(tokens("コーヒー・ブレイク", true), ["コ", "ー", "ヒ", "ー", "ブ", "レ", "イ", "ク"]);
    assert!(tokens("", true).is_empty());
}

#[test]
fn word_characters_are_letters_and_numbers_not_marks() {
    let s = "naïve café e\u{301}te\u{301} don't x_y ½ ² ٣ ＡＢＣ１２３";
    assert_eq!(tokens(s, false), ["naïve", "café", "e", "te", "don", "t", "x_y", "½", "²", "٣", "ＡＢＣ１２３"]);
    // Vowel signs are marks (Mn/Mc), so Python cuts Devanagari words apart; Thai's are Lo/Mn.
    assert_eq!(tokens("हिन्दी ภาษาไทย", false), ["ह", "न", "द", "ภาษาไทย"]);
}

#[test]
fn norm_lowers_like_str_lower_including_final_sigma() {
    assert_eq!(norm("ΟΔΥΣΣΕΥΣ ΚΑΙ"), "οδυσσευς και");
    assert_eq!(norm("Σ"), "σ");
    assert_eq!(norm("ΑΣ.Β"), "ασ.β");
    assert_eq!(norm("ΑΣ'"), "ας'");
    assert_eq!(norm("'ΣΑ"), "'σα");
    assert_eq!(norm("İstanbul"), "i\u{307}stanbul");
    assert_eq!(norm("Straße ﬁne"), "straße fine");
    // NFKC composes Ω + ypogegrammeni before lowering, and the sigma after it is then final.
    assert_eq!(norm("\u{2028} Ω\u{345}Σ "), "ῳς");
}

#[test]
fn norm_folds_python_whitespace_including_information_separators() {
    assert_eq!(norm("ǅemal ＡＢＣ\u{a0}\u{3000}x\u{1c}y  "), "džemal abc x y");
    assert_eq!(norm(" \t\n"), "");
    assert!(is_space('\u{1f}') && !'\u{1f}'.is_whitespace());
    assert!(!is_space('\u{200b}') && !is_space('\u{180e}'));
    assert_eq!(split_whitespace("a\u{1d}b  c\u{85}").collect::<Vec<_>>(), ["a", "b", "c"]);
}

#[test]
fn day_takes_a_leading_iso_date_of_any_decimal_digits() {
    assert_eq!(day(" 2021-03-04T10:00Z"), "2021-03-04");
    assert_eq!(day("２０２１-０１-０２"), "２０２１-０１-０２");
    assert_eq!(day("٢٠٢١-٠١-٠٢x"), "٢٠٢١-٠١-٠٢");
    assert_eq!(day("\u{1c}2021-03-04"), "2021-03-04");
    assert_eq!(day("2021-3-04"), "");
    assert_eq!(day("2021/03/04"), "");
    assert_eq!(day("2021-03-0"), "");
}

#[test]
fn names_split_on_separators_and_whole_word_conjunctions() {
    assert_eq!(names(&["Anna Müller und Hans Groß"]), ["anna müller", "hans groß"]);
    assert_eq!(names(&["Band Und Sandy; Roe&Co , Smith and"]), ["band", "co", "roe", "sandy", "smith"]);
    assert_eq!(names(&["张三、李四", "Wang & Li"]), ["li", "wang", "张三", "李四"]);
    assert_eq!(names(&["Anderson andy and"]), ["anderson andy"]);
    assert_eq!(names(&["x\u{a0}and\u{a0}y"]), ["x", "y"]);
    assert_eq!(names(&["a_and_b", "und"]), ["a_and_b"]);
    assert_eq!(names(&["ÉMILE AND ÉVA, ÉMILE"]), ["émile", "éva"]);
    assert!(names::<&str>(&[]).is_empty());
}
