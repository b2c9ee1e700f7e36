//! Where on a page an article's own date is written: the stretch from the
//! headline to the end of the body's wrapper, and lines whose label says
//! they hold the publication date; not teaser lists, comment threads or the
//! footer.

use crate::date_labels::{ELSEWHERE, PUBLISHED, UPDATED};
use crate::dom::{self, Item, Kind, flag};
use crate::text;

/// What a short line says its date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// "Published", "发布时间", "Veröffentlicht am", "Опубликовано"...
    Published,
    /// "Updated", "Aktualisiert am", "mis à jour", "更新"...: a later date
    /// than the publication, used only when nothing else dates the page.
    Updated,
    /// "Joined", "Member since", "建立于", "Registriert seit"...: the date of
    /// an account, a blog or a company, never the article's.
    Elsewhere,
    None,
}

/// Most elements a wrapper may open before the first line it holds.
const WRAPPER_REACH: u32 = 64;

/// Lines past this length are prose, whatever words they contain.
const LABELLED_CHARS: usize = 100;

/// The label of a short line, read from the words before its first digit
/// (a label precedes the date it names).
pub(crate) fn label(line: &str) -> Label {
    if line.chars().count() > LABELLED_CHARS {
        return Label::None;
    }
    let Some(digit) = line.find(|c: char| c.is_ascii_digit()) else { return Label::None };
    let head = &line[..digit];
    // "发布时间：2024-06-16 更新：2024-06-17": the first label is the one
    // naming the first date, which is the one the parser reads.
    if ELSEWHERE.is_match(head) {
        return Label::Elsewhere;
    }
    match (PUBLISHED.find(head), UPDATED.find(head)) {
        (Some(p), Some(u)) if u.start() > p.start() => Label::Published,
        (_, Some(_)) => Label::Updated,
        (Some(_), None) => Label::Published,
        (None, None) => Label::None,
    }
}

/// Longest label line that names the date on the line after it.
const LABEL_LINE_CHARS: usize = 30;

/// Longest line that takes its label from the line above it.
const LABELLED_DATE_CHARS: usize = 40;

/// The label a line without a date gives the short line after it:
/// "Last updated:" then "Dec 12, 2025", a "Published" heading over a date.
pub(crate) fn label_above(line: &str) -> Label {
    let line = line.trim();
    // A char takes at most four bytes: a longer line is surely too long,
    // found without counting a paragraph's chars.
    if line.is_empty()
        || line.len() > 4 * LABEL_LINE_CHARS
        || line.chars().count() > LABEL_LINE_CHARS
        || line.bytes().any(|c| c.is_ascii_digit())
    {
        return Label::None;
    }
    label(&format!("{line} 0"))
}

/// `label_above` of a block's text, worked out once per block: the date
/// rules walk the page's lines several times (the publication date, the
/// labelled dates, the days the page shows), each asking every line.
pub(crate) fn block_label_above(block: &dom::Block) -> Label {
    if let Some(label) = block.label_above.get() {
        return label;
    }
    let label = label_above(&block.text);
    block.label_above.set(Some(label));
    label
}

/// The label of a short dated line, else the one its label line gives it.
pub(crate) fn label_under(line: &str, above: Label) -> Label {
    match label(line) {
        Label::None if line.chars().count() <= LABELLED_DATE_CHARS => above,
        own => own,
    }
}

/// The elements where the article's own date is written: the body's parent,
/// widened back to the headline when that stands a little before it (dates
/// sit between headline and body as often as inside the body's wrapper).
pub(crate) fn date_window(page: &dom::Page, container: Option<u32>, title: &str) -> Option<std::ops::Range<u32>> {
    let c = container?;
    let scope = match page.elems[c as usize].parent {
        u32::MAX => c,
        p => p,
    };
    let end = page.elems[scope as usize].end;
    // Text lines above the body's wrapper, nearest first.
    let above: Vec<&dom::Block> = page
        .items
        .iter()
        .rev()
        .filter_map(|item| match item {
            Item::Text(b) if b.elem < scope => Some(b),
            _ => None,
        })
        .take(16)
        .collect();
    // The headline: an <h1>, or the line that is most of the title. Further
    // up than a few lines, an <h1> is the site's logo or another story.
    let title = text::fold(title);
    let headline = above.iter().position(|b| {
        let text = text::fold(&b.text);
        (b.kind == Kind::Heading(1) && b.flags & flag::BOILER == 0)
            || (text.chars().count() >= 4 && title.contains(&text) && text.chars().count() * 2 >= title.chars().count())
    });
    // Datelines sit just under the headline, or just over it as a kicker;
    // with no headline in sight, just over the body.
    let reach = match headline {
        // A kicker is part of the article; a sidebar or menu above is not.
        Some(h) => {
            // A headline that class names flag as furniture ("elementor-widget")
            // says nothing of the lines above it by theirs.
            let flagged = above[h].flags & flag::BOILER != 0;
            h + 1 + above[h + 1..].iter().take(2).take_while(|b| flagged || b.flags & flag::BOILER == 0).count()
        }
        None => 4,
    }
    .min(above.len());
    let nearest = reach.checked_sub(1).map_or(scope, |i| above[i].elem);
    // Lines come in text order, not element order: a wrapper's own text may
    // follow a child's ("<div><span>CC</span> Par X | 30 septembre 2018</div>"),
    // so a small wrapper around the first line taken opens the window. A
    // large one is the page's layout, whose top holds "today's date".
    let start = above[..reach]
        .iter()
        .map(|b| b.elem)
        .filter(|&e| page.contains(e, nearest) && nearest - e <= WRAPPER_REACH)
        .min()
        .unwrap_or(nearest)
        .min(nearest);
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::{Item, Label, label};

    #[test]
    fn labels_in_many_languages() {
        assert_eq!(label("时间：2004年10月21日14:18 作者：郭励弘"), Label::Published);
        assert_eq!(label("Gespeichert von rasos am 24. Juli 2017 - 18:55"), Label::Published);
        assert_eq!(label("Опубликовано: 12.03.2021"), Label::Published);
        assert_eq!(label("Article mis à jour le 7 janvier 2020."), Label::Updated);
        assert_eq!(label("Aktualisiert am 17.01.2021."), Label::Updated);
        assert_eq!(label("Published 3 May 2022, updated 4 May"), Label::Published);
    }

    #[test]
    fn dates_of_other_things() {
        assert_eq!(label("建立于:2004年10月6日"), Label::Elsewhere);
        assert_eq!(label("Joined: March 2015"), Label::Elsewhere);
        assert_eq!(label("Mitglied seit 12.03.2011"), Label::Elsewhere);
        assert_eq!(label("Зарегистрирован: 12.03.2011"), Label::Elsewhere);
        // Only the words before the date count.
        assert_eq!(label("发表于 2005-9-15 11:46:00 注册用户可评论"), Label::Published);
    }

    #[test]
    fn a_label_line_names_the_date_under_it() {
        use super::{label_above, label_under};
        assert_eq!(label_under("Dec 12, 2025", label_above("Last updated:")), Label::Updated);
        assert_eq!(label_under("Feb 2, 2023", label_above("Published")), Label::Published);
        assert_eq!(label_above("Published 3 May 2022"), Label::None, "a dated line names its own date");
        assert_eq!(label_above("Read more about the people who published it"), Label::None);
        assert_eq!(label_under("Updated 4 May 2022", label_above("Published")), Label::Updated);
    }

    #[test]
    fn unlabelled_and_long_lines() {
        assert_eq!(label("Von: Björn Jahner | 31.10.23"), Label::None);
        assert_eq!(label("Updated"), Label::None);
        assert_eq!(label(&format!("Published {} 2020", "x".repeat(120))), Label::None);
        // "Candidate" holds "date" but not as a word.
        assert_eq!(label("Candidates 2020"), Label::None);
        assert_eq!(label("Datenschutz 2020"), Label::None);
    }

    /// A date over share buttons over an `<h1>` that a theme's class names
    /// flag as furniture: the buttons are no sidebar between the two, and
    /// the date is inside the window.
    #[test]
    fn a_flagged_headline_does_not_shut_out_the_lines_above_it() {
        use std::time::{Duration, Instant};
        let html = "<html><body><div><p>Menu</p></div><div><span>December 3, 2025</span></div>\
            <div class=share-bar><a href=/f>Share on Facebook</a></div>\
            <div class=elementor-widget><h1>How to Choose the Best eBike</h1></div>\
            <div><div id=body><p>Finding the right bike for the ride to work.</p></div></div></body></html>";
        let deadline = crate::Deadline::new(Instant::now(), Duration::from_secs(60));
        let page = crate::dom::flatten(crate::dom::parse(html, &deadline, 100_000).unwrap(), &deadline).unwrap();
        let body = (0..page.elems.len() as u32)
            .find(|&i| page.element(i).is_some_and(|e| e.value().id() == Some("body")))
            .expect("the body's element");
        let dated = page
            .items
            .iter()
            .find_map(|item| match item {
                Item::Text(b) if b.text.contains("December") => Some(b.elem),
                _ => None,
            })
            .expect("the dated line");
        let window = super::date_window(&page, Some(body), "How to Choose the Best eBike").expect("a window");
        assert!(window.contains(&dated), "{window:?} misses {dated}");
    }
}
