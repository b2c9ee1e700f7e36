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
        crate::regexes::regex(&format!(r"(?:作者|作\s者|撰文|文)\s*[:：/／]\s*{NAMES}")),
        crate::regexes::regex(&format!(r"(?:本报|本報|特约|特約)?(?:记者|記者)\s*[:：]?\s*{NAMES}")),
        crate::regexes::regex(&format!(r"{NAMES}\s*(?:/|／)\s*(?:摄|攝|文)")),
        crate::regexes::regex(&format!(r"{NAMES}\s+(?:发表于|發表於)")),
        crate::regexes::regex(&format!(r"(?:责任编辑|責任編輯|编辑|編輯)\s*[:：]\s*{NAMES}")),
    ]
    .map(|r| r.expect("valid regex"))
});

/// The index in `CJK_MARKERS` of the "记者 X" phrase.
const REPORTER: usize = 1;

/// Lines up to this many bytes (a dozen Han characters) are a credit of their own.
const SHORT_LINE: usize = 36;

/// Whether a "记者" credit (from `start`, the name at `name..end`) sets the
/// name apart from the text around it: by a space or colon before it, a
/// bracket around the credit, a slash or bracket after the name
/// ("〔記者鍾麗華／台北報導〕"), or a short line of its own.
fn set_apart(text: &str, start: usize, name: usize, end: usize) -> bool {
    const OPEN: &[char] = &['（', '(', '【', '[', '〔', '［', '〖'];
    const AFTER: &[char] = &['／', '/', '）', ')', '】', ']', '〕', '］', '〗', ' ', '\u{3000}'];
    text[start..name].ends_with(|c: char| c.is_whitespace() || c == ':' || c == '：')
        || text[..start].ends_with(OPEN)
        || text[end..].starts_with(AFTER)
        || text.trim().len() <= SHORT_LINE
}

/// Whether the text holds a character from U+4000 to U+9FFF, as every
/// marker does: a byte check that spares lines without one (every line of
/// a Russian page) five regex searches each.
fn may_credit(text: &str) -> bool {
    text.bytes().any(|b| (0xE4..=0xE9).contains(&b))
}

/// Words that follow the markers but are not names.
const NOT_NAMES: &[&str] =
    &["近日", "获悉", "获悉", "了解", "从", "日前", "今天", "昨天", "报道", "采访", "发自", "来源"];

pub(crate) fn cjk_credit_lines(page: &Page) -> Vec<Author> {
    let texts: Vec<&str> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(b) if b.chars <= 2000 && may_credit(&b.text) => Some(b.text.as_str()),
            _ => None,
        })
        .collect();
    for (rank, marker) in CJK_MARKERS.iter().enumerate() {
        for text in &texts {
            let Some(c) = marker.captures(text) else { continue };
            let (Some(whole), Some(name)) = (c.get(0), c.get(1)) else { continue };
            // `作者： size="20"`: an attribute that broken markup left in the text.
            if text[name.end()..].trim_start().starts_with('=') {
                continue;
            }
            // In running prose "记者" is the reporter being spoken to ("向记者介绍",
            // "给记者发来的资料"); a credit sets the name apart, or stands in
            // brackets or on a short line of its own.
            if rank == REPORTER && !set_apart(text, whole.start(), name.start(), name.end()) {
                continue;
            }
            let names: Vec<String> = c[1]
                .split(|ch: char| ch.is_whitespace() || ch == '、')
                .map(str::trim)
                .filter(|n| {
                    n.chars().count() >= 2
                        && !NOT_NAMES.iter().any(|w| n.starts_with(w))
                        && crate::byline::names::plausible_name(n)
                })
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
        for phrase in ["作者：王", "记者 王", "王/摄", "王 發表於", "責任編輯：王", "撰文/王", "本報特約"]
        {
            assert!(may_credit(phrase), "{phrase}");
        }
        assert!(!may_credit("Корреспондент: Иван Петров, 12:30 — ελληνικά ー カタカナ"));
    }

    #[test]
    fn a_reporter_spoken_to_is_not_credited() {
        // Where each phrase's credit starts, and its name's bounds, in bytes.
        let credit = |text: &str, marker: &str, name: &str| {
            let start = text.find(marker).unwrap();
            let at = start + marker.len() + text[start + marker.len()..].find(name).unwrap();
            set_apart(text, start, at, at + name.len())
        };
        assert!(credit("（记者 格桑边觉）记者近日从", "记者", "格桑边觉"));
        assert!(credit("据新华社拉萨电（记者格桑边觉）记者近日从有关部门获悉，当地旅游业发展迅速", "记者", "格桑边觉"));
        assert!(credit("〔記者鍾麗華／台北報導〕農曆春節年假長達九天，林務局管理的國家森林遊樂區", "記者", "鍾麗華"));
        assert!(credit("本报记者王小明", "本报记者", "王小明"));
        assert!(!credit("她还首度向本报记者自曝实验秘密，并称举报人的说法没有根据", "本报记者", "自曝实验"));
        assert!(!credit("|国际视频|国际图片|记者博客", "记者", "博客"));
        assert!(!credit("郑庆生通过电子邮件给记者发来的资料显示：2001年著名的运动医学杂志", "记者", "发来的资"));
    }
}
