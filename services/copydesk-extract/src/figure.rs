//! Images of the article body, with the captions and credits set around them.
//!
//! An image's "figure" is its `<figure>` if it has one, else the largest
//! ancestor that holds only this image and a little text: that is how
//! templates without `<figure>` still group a picture with its caption and
//! credit line. Text in the figure is caption or credit, never body; a
//! `<figure>` that sets a quotation (it holds a `<blockquote>`) is no
//! picture's figure, and its text stays the article's.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use copydesk_proto::v1::Image;
use regex::Regex;
use url::Url;

use crate::attrs::Lookup;
use crate::dom::{Block, Item, Kind, Page, flag};
use crate::urls;

pub(crate) struct Figures {
    images: HashMap<u32, Image>,
    consumed: HashSet<usize>,
}

/// Most text a figure may hold; more means we climbed into the article.
const MAX_FIGURE_CHARS: usize = 400;

/// Text a `<p>` around an image holds from which it reads as prose, not as
/// a picture with its caption line.
const INLINE_PROSE: usize = 120;

/// Text under a heading beside an image from which it reads as a section of
/// the article, not as a teaser card's line (those run to two hundred).
const SECTION_PROSE: usize = 280;

static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(
        r"(?ix)^\s*(?:(?:图像来源|圖像來源|图片来源|圖片來源|图片|圖片|图源|圖源|来源|來源|摄影|攝影|供图|供圖|写真|사진
        |photo(?:graph)?(?:\s+by)?|pictured?\s+by|image(?:\s+(?:source|by))?|credits?|source|foto(?:s|grafie)?|fotó
        |bild|quelle|φωτογραφία|фото|zdjęcie|copyright)\b|©|\(c\))\s*[:：，,/|]?\s*",
    )
    .expect("valid regex")
});
static AGENCY: LazyLock<Regex> = LazyLock::new(|| {
    crate::regexes::regex(r"(?i)^(?:getty(?:\s+images)?|reuters|afp|ap|epa|shutterstock|xinhua|新华社|新華社|中新社|anadolu|dpa|ansa|efe|pa(?:\s+media)?)(?:[/ ,].*)?$")
        .expect("valid regex")
});

impl Figures {
    pub(crate) fn find(page: &Page, container: u32, base: Option<&Url>) -> Figures {
        let n = page.elems.len();
        let mut chars = vec![0usize; n];
        let mut images = vec![0u32; n];
        let mut headings = vec![0u32; n];
        let mut titles = vec![0u32; n];
        let mut prose = vec![0usize; n];
        let mut linked = vec![0u32; n];
        for item in &page.items {
            match item {
                Item::Text(b) => {
                    chars[b.elem as usize] += b.chars;
                    if is_prose_paragraph(b) {
                        prose[b.elem as usize] += b.chars;
                    }
                    linked[b.elem as usize] += u32::from(b.link_chars * 2 > b.chars);
                    headings[b.elem as usize] += u32::from(is_numbered_heading(b));
                    titles[b.elem as usize] += u32::from(is_title(b));
                }
                Item::Image(e) => images[*e as usize] += 1,
            }
        }
        for i in (1..n).rev() {
            let p = page.elems[i].parent;
            if p != u32::MAX {
                chars[p as usize] += chars[i];
                images[p as usize] += images[i];
                headings[p as usize] += headings[i];
                titles[p as usize] += titles[i];
                prose[p as usize] += prose[i];
                linked[p as usize] += linked[i];
            }
        }
        let counts = Counts { chars, images, headings, titles, prose, linked };
        let mut figures = Figures { images: HashMap::new(), consumed: HashSet::new() };
        let image_items: Vec<(usize, u32)> = page
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Item::Image(e) if page.contains(container, *e) => Some((i, *e)),
                _ => None,
            })
            .collect();
        for (item_index, elem) in image_items {
            let Some(mut image) = image_of(page, elem, base) else { continue };
            let lead = lead_of(page, item_index, elem);
            let group = figure_of(page, elem, container, &counts, &lead);
            let (mut caption, mut credit) = (Vec::new(), Vec::new());
            // The figure's text sits right around the image in document order.
            let nearby = page.items.iter().enumerate().skip(item_index.saturating_sub(8)).take(24);
            for (i, item) in nearby {
                let Item::Text(b) = item else { continue };
                if !group.is_some_and(|g| page.contains(g, b.elem)) || figures.consumed.contains(&i) {
                    continue;
                }
                figures.consumed.insert(i);
                if let Some(m) = CREDIT.find(&b.text).filter(|m| m.end() < b.text.len()) {
                    credit.push(b.text[m.end()..].trim().to_string());
                } else if b.flags & flag::CREDIT != 0 || (AGENCY.is_match(b.text.trim()) && b.chars < 40) {
                    credit.push(b.text.trim().to_string());
                } else {
                    caption.push(b.text.trim().to_string());
                }
            }
            image.caption = caption.join(" ");
            image.credit = credit.join(", ");
            figures.images.insert(elem, image);
        }
        figures
    }

    pub(crate) fn image(&self, elem: u32) -> Option<Image> {
        self.images.get(&elem).cloned()
    }

    pub(crate) fn consumed(&self, item: usize) -> bool {
        self.consumed.contains(&item)
    }
}

/// Whether a block is a heading numbered as an item of a list ("3. Buy in
/// bulk", "12) ..."), unlinked: a linked one is a teaser's.
fn is_numbered_heading(b: &Block) -> bool {
    if !matches!(b.kind, Kind::Heading(_)) || b.link_chars * 2 > b.chars {
        return false;
    }
    let t = b.text.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits) && matches!(t.as_bytes().get(digits), Some(b'.' | b')' | b':'))
}

/// Least text of a paragraph of prose beside a picture, in chars.
const PROSE_BESIDE: usize = 150;

/// Whether a block is a paragraph of the article's prose: long, two
/// sentences or more, ending one, not marked as a caption.
fn is_prose_paragraph(b: &Block) -> bool {
    b.kind == Kind::Paragraph
        && b.chars >= PROSE_BESIDE
        && b.flags & (flag::CAPTION | flag::CREDIT) == 0
        && crate::text::ends_sentence(&b.text)
        && !b.text.trim_end().ends_with('…')
        && !b.text.trim_end().ends_with("...")
        && b.text.trim_end().trim_end_matches(['.', '!', '?']).contains(['.', '!', '?'])
}

/// Whether a block is a heading of its own, unlinked: a section's title.
fn is_title(b: &Block) -> bool {
    matches!(b.kind, Kind::Heading(_)) && b.link_chars * 2 <= b.chars
}

/// Per element, what its subtree holds: chars of text, images, numbered
/// headings, unlinked headings.
struct Counts {
    chars: Vec<usize>,
    images: Vec<u32>,
    headings: Vec<u32>,
    titles: Vec<u32>,
    prose: Vec<usize>,
    linked: Vec<u32>,
}

/// Least text of a line of the article's own that runs into a picture.
const LEAD_CHARS: usize = 60;

/// The elements owning the lines that run into an image set inline after
/// them, in their own block (`<p>text. <img></p>`): unlinked, 60 chars or
/// more, ending a sentence (not cut short with an ellipsis) or opening onto
/// the picture with a colon. A caption comes under its picture, or stands
/// apart from the text it illustrates; a line that the picture follows
/// inside the same paragraph is the article's prose, however short.
fn lead_of(page: &Page, item_index: usize, image: u32) -> Vec<u32> {
    let mut lead = Vec::new();
    for item in page.items[..item_index].iter().rev().take(8) {
        let b = match item {
            Item::Text(b) => b,
            Item::Image(_) => break,
        };
        let t = b.text.trim_end();
        if page.contains(b.elem, image)
            && matches!(b.kind, Kind::Paragraph | Kind::ListItem)
            && b.chars >= LEAD_CHARS
            && b.link_chars * 2 <= b.chars
            && b.flags & (flag::CAPTION | flag::CREDIT) == 0
            && !t.ends_with('…')
            && !t.ends_with("...")
            && (crate::text::ends_sentence(t) || t.ends_with([':', '：']))
        {
            lead.push(b.elem);
        }
    }
    lead
}

/// Whether a `<figure>` sets a quotation (a pull quote, a testimonial with
/// its speaker's portrait): its text is the article's, not a caption.
fn holds_quote(page: &Page, figure: u32) -> bool {
    let end = page.elems[figure as usize].end;
    page.elems[figure as usize + 1..end as usize].iter().any(|e| &*e.tag == "blockquote")
}

fn figure_of(page: &Page, elem: u32, container: u32, counts: &Counts, lead: &[u32]) -> Option<u32> {
    let Counts { chars, images, headings, titles, prose, linked } = counts;
    let mut at = elem;
    let mut best = None;
    for _ in 0..12 {
        let parent = page.elems[at as usize].parent;
        if parent == u32::MAX || parent == container || !page.contains(container, parent) {
            break;
        }
        if &*page.elems[parent as usize].tag == "figure" {
            return if holds_quote(page, parent) { None } else { Some(parent) };
        }
        // A paragraph whose line of prose runs into the picture holds the
        // article's text, not the picture's caption.
        if lead.iter().any(|&e| page.contains(parent, e)) {
            break;
        }
        if images[parent as usize] > 1 || chars[parent as usize] > MAX_FIGURE_CHARS {
            break;
        }
        // A box under a numbered heading is an item of the article's list
        // (a tip, a step: heading, photo, paragraph), not a picture with its
        // caption: captions are not numbered. Other headings are left out:
        // a feature grid's cards (icon, heading, a line) read the same way,
        // and they are as often furniture as article.
        if headings[parent as usize] > 0 {
            break;
        }
        // A heading over a paragraph of prose beside the picture is a
        // section of the article laid out in two columns: captions have no
        // heading of their own, and a teaser card's line under its heading is short.
        if titles[parent as usize] > 0 && chars[parent as usize] >= SECTION_PROSE {
            break;
        }
        // A paragraph of prose beside the picture (two sentences or more,
        // not marked as a caption) is the article's text laid out with it,
        // unless a link beside it (a teaser's headline) makes the box a
        // card of another page.
        if prose[parent as usize] > 0 && linked[parent as usize] == 0 {
            break;
        }
        // An image set inline in a paragraph of prose illustrates it; the
        // paragraph's text is the article's, not a caption.
        if &*page.elems[parent as usize].tag == "p" && chars[parent as usize] >= INLINE_PROSE {
            break;
        }
        best = Some(parent);
        at = parent;
    }
    best
}

/// The `Image` of an `<img>`: absolute URLs only, lazy-loading attributes honoured.
fn image_of(page: &Page, elem: u32, base: Option<&Url>) -> Option<Image> {
    let el = page.element(elem)?;
    let attr = |k: &str| Lookup(el.value()).attr(k).map(str::trim).filter(|v| !v.is_empty());
    let src = ["data-src", "data-original", "data-lazy-src", "src"]
        .iter()
        .filter_map(|k| attr(k))
        .find_map(|v| urls::resolve(base, v));
    let srcset = attr("srcset").or_else(|| attr("data-srcset"));
    let best = srcset.and_then(urls::best_srcset).and_then(|u| urls::resolve(base, u));
    let url = src.clone().or_else(|| best.clone())?;
    let dim = |k: &str| attr(k).and_then(|v| v.trim_end_matches("px").parse::<u32>().ok()).unwrap_or(0);
    let (width, height) = (dim("width"), dim("height"));
    // Spacers and tracking pixels are not pictures.
    if (width > 0 && width < 50) || (height > 0 && height < 50) {
        return None;
    }
    Some(Image {
        url,
        best_url: best.unwrap_or_default(),
        width,
        height,
        alt: attr("alt").unwrap_or("").to_string(),
        caption: String::new(),
        credit: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use crate::test_pages::HARBOUR_STORY;
    use crate::{Hints, extract};

    fn article(inner: &str) -> copydesk_proto::v1::Article {
        let page = format!(
            "<html><body><h1>Harbour plan divides the town</h1><article>{HARBOUR_STORY}{inner}{HARBOUR_STORY}</article></body></html>"
        );
        extract(page.as_bytes(), &Hints::default()).expect("extracted").article
    }

    const PICTURE: &str = "<img src='https://example.org/quay.jpg' width='800' height='600'>";

    /// A box of a picture and a paragraph of two sentences is the article
    /// laid out beside its picture: the paragraph is body, not caption.
    #[test]
    fn prose_beside_a_picture_is_the_articles_text() {
        let prose = "The old quay was built in 1880 to serve the fishing fleet, and it has stood \
            through every storm since. Engineers say its stones can carry the new ferry terminal.";
        let a = article(&format!("<div class='item'>{PICTURE}<p>{prose}</p></div>"));
        assert!(a.text.contains("Engineers say its stones"), "{}", a.text);
        // A caption line stays the picture's.
        let a = article(&format!("<div class='item'>{PICTURE}<p>The old quay at dawn.</p></div>"));
        assert!(!a.text.contains("quay at dawn") && a.images[0].caption == "The old quay at dawn.", "{}", a.text);
    }

    /// A card with a linked headline beside its excerpt teases another page.
    #[test]
    fn a_teaser_cards_excerpt_is_not_body() {
        let card = format!(
            "<div class='card'>{PICTURE}<p><a href='/other'>Ferry returns to the harbour</a></p>\
             <p>The first ferry in twenty years docked on Monday morning. Crowds lined the quay to watch it arrive.</p></div>"
        );
        let a = article(&card);
        assert!(!a.text.contains("Crowds lined the quay"), "{}", a.text);
    }
}
