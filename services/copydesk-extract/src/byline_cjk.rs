//! Chinese credit phrases ("作者：X", "（记者 X）", "X/摄"): where Chinese
//! pages name their writers when no byline or metadata does.

use std::sync::LazyLock;

use copydesk_proto::v1::Author;
use regex::Regex;

use crate::dom::{Item, Page};

/// Chinese pages credit people in set phrases anywhere on the page, often
/// at the end: "作者：X", "（记者 X）", "X/摄", "X 发表于", "责任编辑：X".
/// Ordered by how surely the phrase names the writer.
static CJK_MARKERS: LazyLock<[Regex; 5]> = LazyLock::new(|| {
    const NAMES: &str = r"((?:[\p{Han}·]{2,4}|[A-Za-z][A-Za-z0-9_]{2,19})(?:(?:\s+|、)[\p{Han}·]{2,4})*)";
    [
        Regex::new(&format!(r"(?:作者|作\s者|撰文|文)\s*[:：/／]\s*{NAMES}")),
        Regex::new(&format!(r"(?:本报|本報|特约|特約)?(?:记者|記者)\s*[:：]?\s*{NAMES}")),
        Regex::new(&format!(r"{NAMES}\s*(?:/|／)\s*(?:摄|攝|文)")),
        Regex::new(&format!(r"{NAMES}\s+(?:发表于|發表於)")),
        Regex::new(&format!(r"(?:责任编辑|責任編輯|编辑|編輯)\s*[:：]\s*{NAMES}")),
    ]
    .map(|r| r.expect("valid regex"))
});

/// Words that follow the markers but are not names.
const NOT_NAMES: &[&str] =
    &["近日", "获悉", "获悉", "了解", "从", "日前", "今天", "昨天", "报道", "采访", "发自", "来源"];

pub(crate) fn cjk_credit_lines(page: &Page) -> Vec<Author> {
    let texts: Vec<&str> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(b) if b.chars <= 2000 => Some(b.text.as_str()),
            _ => None,
        })
        .collect();
    for marker in CJK_MARKERS.iter() {
        for text in &texts {
            let Some(c) = marker.captures(text) else { continue };
            let names: Vec<String> = c[1]
                .split(|ch: char| ch.is_whitespace() || ch == '、')
                .map(str::trim)
                .filter(|n| n.chars().count() >= 2 && !NOT_NAMES.iter().any(|w| n.starts_with(w)))
                .enumerate()
                // A second name is two or three characters; four-character
                // words after a name are headings ("最新动态"), not people.
                .filter(|(i, n)| *i == 0 || n.chars().count() <= 3)
                .map(|(_, n)| n.to_string())
                .collect();
            if !names.is_empty() {
                return names.into_iter().map(|name| Author { name, ..Default::default() }).collect();
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_credit_phrases() {
        let names =
            |t: &str| CJK_MARKERS.iter().find_map(|m| m.captures(t).map(|c| c[1].to_string())).unwrap_or_default();
        assert_eq!(names("据新华社拉萨电（记者 格桑边觉）记者近日从"), "格桑边觉");
        assert_eq!(names("来源：巴彦淖尔日报 编辑：苏亮"), "苏亮");
        assert_eq!(names("蔡雪婧/摄 人物画像"), "蔡雪婧");
        assert_eq!(names("ggjjzhzz 发表于 2005-9-15"), "ggjjzhzz");
    }
}
