//! The article's language as a BCP 47 tag: declared if the page says, else detected.

use std::sync::LazyLock;

use whatlang::Lang;

/// Characters written differently in simplified and traditional Chinese;
/// frequent enough that a few paragraphs always contain several.
const SIMPLIFIED: &str = "这们说时会为发来对国过现后还没动经长门问间关头东车书话种从实进样学体开几乐观万与专业两个么义习乡买亲产们仅从众优传伤华处备复头夺将尽层岁带应张录总战无显机杂权条杀极构标样欢气灭热爱现电画时钱点见计认让论证识话该说请调谁负责质过这还进远选钟铁阶际难题风飞马鱼鸟龙";
const TRADITIONAL: &str = "這們說時會為發來對國過現後還沒動經長門問間關頭東車書話種從實進樣學體開幾樂觀萬與專業兩個麼義習鄉買親產僅眾優傳傷華處備復奪將盡層歲帶應張錄總戰無顯機雜權條殺極構標歡氣滅熱愛電畫錢點見計認讓論證識該請調誰負責質這還進遠選鐘鐵階際難題風飛馬魚鳥龍";

/// Picks the language: `<html lang>`/meta/JSON-LD when present and sane,
/// otherwise statistical detection on the body text.
pub(crate) fn detect(declared: &[&str], body: &str) -> String {
    let declared = declared.iter().find_map(|d| normalise_tag(d));
    // Detection only ever overrules a declared language on a long text that
    // clearly disagrees (or gives a declared "zh" its script). Most pages
    // declare the language they are written in, and a glance confirms it
    // (`confirms`): detection was 5% of extraction's cycles.
    if let Some(d) = &declared
        && d != "zh"
    {
        let long = body.chars().nth(400).is_some();
        if !long || confirms(body, d) {
            return d.clone();
        }
    }
    let detected = detect_text(body, SAMPLE);
    match (declared, detected) {
        // A declared Chinese tag without script gets the script the text uses.
        (Some(d), Some(t)) if d == "zh" && t.starts_with("zh") => t,
        // Templates often keep "en" on pages in other languages; trust the
        // text when it is long enough to be sure and clearly disagrees.
        (Some(d), Some(t)) if primary(&d) != primary(&t) && body.chars().count() > 400 => t,
        (Some(d), _) => d,
        (None, Some(t)) => t,
        (None, None) => String::new(),
    }
}

fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// Canonical casing, Chinese regions mapped to scripts (`zh-CN` → `zh-Hans`).
fn normalise_tag(raw: &str) -> Option<String> {
    let raw = raw.trim().replace('_', "-");
    let mut parts = raw.split('-').filter(|p| !p.is_empty());
    let lang = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let rest: Vec<String> = parts
        .map(|p| match p.len() {
            2 => p.to_ascii_uppercase(),
            // A script subtag ("Hant") is four ASCII letters; four bytes of anything else
            // may hold a character that slicing at byte 1 would split.
            4 if p.is_ascii() => p[..1].to_ascii_uppercase() + &p[1..].to_ascii_lowercase(),
            _ => p.to_ascii_lowercase(),
        })
        .collect();
    if lang == "zh" {
        let script = match rest.first().map(String::as_str) {
            Some("Hans" | "CN" | "SG" | "MY") => "-Hans",
            Some("Hant" | "TW" | "HK" | "MO") => "-Hant",
            _ => "",
        };
        return Some(format!("zh{script}"));
    }
    Some(std::iter::once(lang).chain(rest).collect::<Vec<_>>().join("-"))
}

/// A thousand characters are plenty for detection and keep long pages cheap.
const SAMPLE: usize = 1000;

/// Enough characters to confirm a declared language. With half of the 300
/// first used, every dev page gets the same language, for a fifth less of
/// detection's work: each character costs a lookup per candidate's alphabet.
const GLANCE: usize = 150;

/// The language of `chars` characters of the body. They come from the
/// middle: the top of a body is where bilingual abstracts, English
/// standfirsts and datelines sit.
fn detect_text(body: &str, chars: usize) -> Option<String> {
    let sample = middle(body, chars);
    let info = whatlang::detect(sample)?;
    if info.lang() == Lang::Cmn {
        return Some(chinese_script(sample).to_string());
    }
    if !info.is_reliable() && sample.chars().count() < 200 {
        return None;
    }
    code(info.lang()).map(str::to_string)
}

/// Whether a glance at the body confirms the declared language: detection
/// among it and its commonest rivals, not every language of its script.
/// Detection compares each candidate's 300 commonest trigrams with the
/// text's, a fixed cost per language whatever the text's length (37
/// profiles for the Latin script). A text in a rarer language loses the
/// glance to one of the rivals or to no one, and gets the full detection.
fn confirms(body: &str, declared: &str) -> bool {
    let Some(lang) = Lang::all().iter().copied().find(|&l| code(l) == Some(primary(declared))) else {
        return false;
    };
    let mut list = RIVALS.to_vec();
    list.push(lang);
    whatlang::Detector::with_allowlist(list).detect_lang(middle(body, GLANCE)) == Some(lang)
}

/// The rivals a declared language is checked against: the commonest
/// languages of the Latin script, and every language of the other scripts
/// that several share (Cyrillic, Arabic, Devanagari, Hebrew), whose lists
/// are short anyway.
const RIVALS: &[Lang] = &[
    Lang::Eng,
    Lang::Spa,
    Lang::Por,
    Lang::Fra,
    Lang::Deu,
    Lang::Ita,
    Lang::Nld,
    Lang::Pol,
    Lang::Tur,
    Lang::Ind,
    Lang::Ron,
    Lang::Vie,
    Lang::Rus,
    Lang::Ukr,
    Lang::Srp,
    Lang::Bel,
    Lang::Bul,
    Lang::Mkd,
    Lang::Ara,
    Lang::Urd,
    Lang::Pes,
    Lang::Hin,
    Lang::Mar,
    Lang::Nep,
    Lang::Heb,
    Lang::Yid,
];

/// `chars` characters from the middle of the body.
fn middle(body: &str, chars: usize) -> &str {
    let mut start = body.len().saturating_sub(chars * 3) / 2;
    while !body.is_char_boundary(start) {
        start -= 1;
    }
    let rest = &body[start..];
    &rest[..rest.char_indices().nth(chars).map_or(rest.len(), |(at, _)| at)]
}

/// The BCP 47 primary tag of a language detection can name.
fn code(lang: Lang) -> Option<&'static str> {
    let code = match lang {
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Epo => "eo",
        Lang::Ben => "bn",
        _ => return None,
    };
    Some(code)
}

fn chinese_script(text: &str) -> &'static str {
    // Sorted once, so each character is a binary search instead of a scan of the string.
    static SETS: LazyLock<[Vec<char>; 2]> = LazyLock::new(|| {
        [SIMPLIFIED, TRADITIONAL].map(|s| {
            let mut set: Vec<char> = s.chars().collect();
            set.sort_unstable();
            set
        })
    });
    let [simplified_set, traditional_set] = &*SETS;
    let (mut simplified, mut traditional) = (0usize, 0usize);
    for c in text.chars() {
        if simplified_set.binary_search(&c).is_ok() {
            simplified += 1;
        } else if traditional_set.binary_search(&c).is_ok() {
            traditional += 1;
        }
    }
    if traditional > simplified { "zh-Hant" } else { "zh-Hans" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_scripts() {
        assert_eq!(detect(&[], "俄罗斯将与朝鲜建立非常深厚的关系，这是为什么呢？普京说他们会来。"), "zh-Hans");
        assert_eq!(detect(&[], "俄羅斯將與朝鮮建立非常深厚的關係，這是為什麼呢？普京說他們會來。"), "zh-Hant");
        assert_eq!(detect(&["zh-TW"], ""), "zh-Hant");
    }

    #[test]
    fn a_glance_confirms_the_declared_language_and_only_it() {
        let english = "The council met on Tuesday to discuss the new budget for the schools, and the members \
                       agreed that the funds would be spent on teachers and books before the end of the year. ";
        let spanish = "El consejo se reunió el martes para discutir el nuevo presupuesto de las escuelas, y los \
                       miembros acordaron que los fondos se gastarían en maestros y libros antes de fin de año. ";
        let catalan = "El consell es va reunir dimarts per parlar del nou pressupost de les escoles, i els membres \
                       van acordar que els diners es gastarien en mestres i llibres abans de final d'any. ";
        assert!(confirms(&english.repeat(3), "en-GB"));
        assert!(!confirms(&spanish.repeat(3), "en"));
        // A language outside the rivals is confirmed against them.
        assert!(confirms(&catalan.repeat(3), "ca"));
        // A template's "en" on a long Spanish text is overruled by the full detection.
        assert_eq!(detect(&["en"], &spanish.repeat(3)), "es");
        assert_eq!(detect(&["es"], &spanish.repeat(3)), "es");
    }

    #[test]
    fn declared_tags_are_normalised() {
        assert_eq!(detect(&["EN_us"], ""), "en-US");
        assert_eq!(detect(&["pt-br"], "texto curto"), "pt-BR");
        assert_eq!(detect(&["not a tag!"], ""), "");
    }
}
