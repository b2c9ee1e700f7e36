//! Assembles the `Article` from the stages, with its derived fields.

use chrono::{DateTime, Utc};
use copydesk_proto::{
    Timestamp,
    v1::{Article, block::Kind as PbKind},
};
use url::Url;

use crate::dom::{Item, Kind, flag};
use crate::{
    Deadline, Diagnostics, ExtractError, Extraction, Hints, Input, Limits, byline, content, dates, decode, dom, lang,
    meta, text, title, urls,
};

pub(crate) fn build(
    input: &Input,
    hints: &Hints,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Extraction, ExtractError> {
    let mut warnings = Vec::new();
    let fetched_url = input.url.as_deref().or(hints.url.as_deref()).and_then(urls::parse_http);
    let fetched_at = input.fetched_at.or(hints.fetched_at);

    let decoded = decode::for_input(input, hints, fetched_url.as_ref());
    if decoded.source == "sniffed" {
        warnings.push(format!("charset not declared or wrong; sniffed as {}", decoded.encoding.name()));
    }
    if decoded.had_errors {
        warnings.push(format!("invalid {} byte sequences replaced", decoded.encoding.name()));
    }
    let html = dom::parse(&decoded.text, deadline, limits.max_nodes)?;
    let dom_nodes = html.tree.nodes().count();
    let meta = meta::collect(&html);
    let mut page = dom::flatten(html, deadline)?;
    deadline.check()?;

    let canonical = [meta.canonical.as_deref(), meta.first(&["og:url"]), meta.ld.url.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|c| urls::resolve(fetched_url.as_ref(), c).and_then(|u| urls::parse_http(&u)))
        .or_else(|| fetched_url.clone());
    let base = canonical.as_ref().or(fetched_url.as_ref());

    let container = content::choose_container(&mut page);
    let byline = byline::find(&page, container, &meta, base.and_then(Url::host_str));
    let title = title::choose(&page, &meta, input.title.as_deref(), container);
    let declared_description = meta
        .first(&["og:description", "description", "twitter:description", "dc.description"])
        .or(meta.ld.description.as_deref())
        .unwrap_or_default();
    let mut body = content::extract(&page, container, &title, declared_description, base, &byline.items);
    // A page whose only text under the headline is its byline ("By Jane Doe
    // — March 11") is still a page about something: keep the line as text.
    let only_headings = body.blocks.iter().all(|b| b.kind == PbKind::Image as i32 || b.kind == PbKind::Heading as i32);
    if only_headings && !byline.items.is_empty() {
        body = content::extract(&page, container, &title, declared_description, base, &Default::default());
    }
    let text = body
        .blocks
        .iter()
        .filter(|b| b.kind != PbKind::Image as i32)
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    if text.trim().is_empty() {
        return Err(ExtractError::NoContent);
    }
    deadline.check()?;

    let description = if declared_description.is_empty() {
        body.lead.or(body.first_paragraph).unwrap_or_default()
    } else {
        declared_description.to_string()
    };

    let (published_at, modified_at) = published(&page, &meta, container, &title, fetched_at, base);
    let declared: Vec<&str> = [
        meta.html_lang.as_deref(),
        meta.first(&["content-language", "og:locale", "language", "dc.language"]),
        meta.ld.language.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let language = lang::detect(&declared, &text);
    let site = canonical.as_ref().and_then(Url::host_str).unwrap_or_default().to_string();
    let site_name = meta
        .first(&["og:site_name", "application-name"])
        .map(str::to_string)
        .or_else(|| meta.ld.publisher.clone())
        .unwrap_or_default();
    let section = meta
        .first(&["article:section", "section", "category"])
        .map(str::to_string)
        .or_else(|| meta.ld.section.clone())
        .unwrap_or_default();
    let mut tags: Vec<String> = meta.all("article:tag").map(str::to_string).collect();
    if tags.is_empty() {
        tags = meta.ld.keywords.clone();
    }
    if tags.is_empty()
        && let Some(k) = meta.first(&["news_keywords", "keywords"])
    {
        tags = k.split([',', ';', '，']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
    }
    tags.truncate(50);

    let canonical_str = canonical.as_ref().map(Url::to_string).unwrap_or_default();
    if canonical_str.is_empty() {
        warnings.push("no URL known; id derived from the content".to_string());
    }
    let content_hash = text::content_hash(&text);
    let id = text::article_id(if canonical_str.is_empty() { &content_hash } else { &canonical_str });
    let article = Article {
        id,
        url: fetched_url.as_ref().map(Url::to_string).unwrap_or_else(|| canonical_str.clone()),
        canonical_url: canonical_str,
        site,
        site_name,
        language,
        title,
        description,
        authors: byline.authors,
        published_at: published_at.map(|f| Timestamp::from(f.at)),
        published_local: published_at.map(|f| f.local()).unwrap_or_default(),
        modified_at: modified_at.map(Timestamp::from),
        fetched_at: fetched_at.map(Timestamp::from),
        blocks: body.blocks,
        word_count: text::word_count(&text),
        content_hash,
        text,
        images: body.images,
        related_links: body.related,
        section,
        tags,
        extractor_version: crate::EXTRACTOR_VERSION.to_string(),
        provenance: None,
        warnings,
    };
    let diagnostics = Diagnostics {
        charset: decoded.encoding.name(),
        charset_source: decoded.source,
        html_bytes: decoded.text.len(),
        dom_nodes,
        ..Default::default()
    };
    Ok(Extraction { article, diagnostics })
}

/// Publication and modification times, from the most to the least explicit source.
fn published(
    page: &dom::Page,
    meta: &meta::Meta,
    container: Option<u32>,
    title: &str,
    fetched_at: Option<DateTime<Utc>>,
    base: Option<&Url>,
) -> (Option<dates::Found>, Option<DateTime<Utc>>) {
    let parse = |s: &str| dates::parse(s, fetched_at);
    let explicit = meta
        .ld
        .date_published
        .as_deref()
        .and_then(parse)
        .or_else(|| {
            meta.first(&[
                "article:published_time",
                "og:published_time",
                "datepublished",
                "publishdate",
                "publish-date",
                "pubdate",
                "publication_date",
                "date",
                "dc.date.issued",
                "dc.date",
                "dcterms.created",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
                "og:pubdate",
                "created",
            ])
            .and_then(parse)
        })
        .or_else(|| meta.itemprops.get("datepublished").and_then(|v| v.iter().find_map(|s| parse(s))));
    let modified = meta
        .ld
        .date_modified
        .as_deref()
        .and_then(parse)
        .or_else(|| {
            meta.first(&["article:modified_time", "og:updated_time", "datemodified", "last-modified"]).and_then(parse)
        })
        .map(|f| f.at);

    let visible = visible_date(page, container, title, fetched_at);
    let found = match (explicit, visible) {
        // A date-only declaration refined by a visible time on the same day
        // ("20 分钟前" under <time datetime="2024-06-17">).
        (Some(e), Some(v)) if e.date_only && !v.date_only && e.local_day() == v.local_day() => Some(v),
        (Some(e), _) => Some(e),
        (None, v) => v.or_else(|| base.and_then(|u| dates::from_url(u.as_str()))),
    };
    (found, modified)
}

/// The elements where the article's own date is written: the body's parent,
/// widened back to the headline when that stands a little before it (dates
/// sit between headline and body as often as inside the body's wrapper).
fn date_window(page: &dom::Page, container: Option<u32>, title: &str) -> Option<std::ops::Range<u32>> {
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
        Some(h) => h + 1 + above[h + 1..].iter().take(2).take_while(|b| b.flags & flag::BOILER == 0).count(),
        None => 4,
    }
    .min(above.len());
    let start = reach.checked_sub(1).map_or(scope, |i| above[i].elem);
    Some(start..end)
}

/// A `<time>` element or a short dated line near the top of the article.
fn visible_date(
    page: &dom::Page,
    container: Option<u32>,
    title: &str,
    fetched_at: Option<DateTime<Utc>>,
) -> Option<dates::Found> {
    let window = date_window(page, container, title);
    let in_window = |index: u32| window.as_ref().is_none_or(|w| w.contains(&index));
    let mut long_seen = 0;
    for (index, elem) in page.elems.iter().enumerate() {
        if &*elem.tag != "time" || elem.flags & flag::BOILER != 0 {
            continue;
        }
        // A <time> elsewhere on the page dates a teaser or a comment, not
        // this article, unless it says it is the publication date.
        let in_scope = in_window(index as u32);
        let Some(el) = page.html.tree.get(elem.node).and_then(scraper::ElementRef::wrap) else { continue };
        let declared = el.value().attr("pubdate").is_some()
            || el.value().attr("itemprop").is_some_and(|p| p.eq_ignore_ascii_case("datePublished"));
        if !in_scope && !declared {
            continue;
        }
        let shown: String = el.text().collect();
        let machine = el.value().attr("datetime").and_then(|d| dates::parse(d, fetched_at));
        let relative = fetched_at.and_then(|f| dates::relative(shown.trim(), f));
        match (machine, relative) {
            (Some(m), Some(r)) if m.date_only && m.local_day() == r.local_day() => return Some(r),
            (Some(m), _) => return Some(m),
            (None, Some(r)) => return Some(r),
            (None, None) => {
                if let Some(f) = dates::parse(&shown, fetched_at) {
                    return Some(f);
                }
            }
        }
    }
    for item in &page.items {
        let Item::Text(b) = item else { continue };
        // Above the body, the dateline often sits in a "meta" or "tools" strip
        // that is boilerplate for the text but is exactly where the date is.
        if !in_window(b.elem) || (b.flags & flag::BOILER != 0 && long_seen > 0) {
            continue;
        }
        if b.chars > 150 {
            long_seen += 1;
            if long_seen > 3 {
                break;
            }
            // A dateline opening one of the first paragraphs: "29.11.2022 – Berlin
            // hat ...", "By Jane Doe 27.1.2022 - ...".
            if long_seen <= 2 {
                let head: String = b.text.chars().take(48).collect();
                if let Some(f) = dates::find_in_text(&head).filter(|f| dates::plausible(*f, fetched_at)) {
                    return Some(f);
                }
            }
            continue;
        }
        let found = dates::find_in_text(&b.text).or_else(|| fetched_at.and_then(|f| dates::relative(&b.text, f)));
        if let Some(f) = found.filter(|f| dates::plausible(*f, fetched_at)) {
            return Some(f);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::{Hints, extract};

    const BODY: &str = "<p>The council met on Tuesday evening to debate the plan for the harbour, which has divided \
        the town for years and drawn crowds to every meeting since the spring.</p>\
        <p>Supporters say the new quay will bring ferries back; opponents fear the cost and the traffic, and \
        several spoke at length before the vote was finally called late in the night.</p>";

    fn published(html: &str) -> String {
        extract(html.as_bytes(), &Hints::default()).map(|e| e.article.published_local).unwrap_or_default()
    }

    #[test]
    fn the_dateline_between_headline_and_body_is_read() {
        let page = format!(
            "<html><body><aside><p>Older story</p><p>3 March 2019</p></aside>\
             <h1>Harbour plan divides the town</h1><p class=meta>17 June 2024</p>\
             <section><div>{BODY}</div></section></body></html>"
        );
        assert_eq!(published(&page), "2024-06-17");
    }

    #[test]
    fn a_teaser_date_far_from_the_headline_is_not() {
        let filler: String = (0..20).map(|i| format!("<li><a href=/s{i}>Story {i}</a></li>")).collect();
        let page = format!(
            "<html><body><h1>Site</h1><p>3 March 2019</p><ul>{filler}</ul>\
             <section><div>{BODY}</div></section></body></html>"
        );
        assert_eq!(published(&page), "");
    }

    #[test]
    fn a_dateline_opening_the_first_paragraph_is_read() {
        let page = format!(
            "<html><body><h1>Harbour plan</h1><div><p>29.11.2022 – {}</p>{BODY}</div></body></html>",
            "The town council has approved the harbour plan after a long debate that ran into the night and \
             left both sides unhappy with the outcome."
        );
        assert_eq!(published(&page), "2022-11-29");
    }

    #[test]
    fn a_page_of_only_a_byline_is_not_empty() {
        let page = "<html><body><header class=post-header><div class=page-title><h1>Loft</h1></div>\
            <div class=post-meta>By <a class=author href=/author/cw>Christopher Wood</a> &mdash; \
            <time datetime=2020-03-11>March 11, 2020</time></div></header>\
            <div class=post-body><p class=attachment><a href=/loft.jpg><img src=/loft.jpg></a></p></div></body></html>";
        let article = extract(page.as_bytes(), &Hints::default()).map(|e| e.article);
        assert_eq!(article.map(|a| a.text).unwrap_or_default(), "Loft\n\nBy Christopher Wood — March 11, 2020");
    }

    #[test]
    fn the_stated_offset_is_kept() {
        let page = format!(
            "<html><head><meta property=article:published_time content=2022-05-07T20:06:23-05:00></head>\
             <body><h1>Harbour plan</h1><div>{BODY}</div></body></html>"
        );
        assert_eq!(published(&page), "2022-05-07T20:06:23-05:00");
    }
}
