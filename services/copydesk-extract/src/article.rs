//! Assembles the `Article` from the stages, with its derived fields.

use chrono::{DateTime, Utc};
use copydesk_proto::{
    Timestamp,
    v1::{Article, block::Kind as PbKind},
};
use url::Url;

use crate::dom::{Item, flag};
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
    let content_type = input.content_type.as_deref().or(hints.content_type.as_deref());
    let tld = fetched_url.as_ref().and_then(|u| u.host_str()).and_then(|h| h.rsplit('.').next()).map(str::as_bytes);

    let decoded = decode::decode(&input.html, content_type, tld);
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
    let byline = byline::find(&page, container, &meta);
    let title = title::choose(&page, &meta, input.title.as_deref(), container);
    let body = content::extract(&page, container, &title, base, &byline.items);
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

    let description = meta
        .first(&["og:description", "description", "twitter:description", "dc.description"])
        .map(str::to_string)
        .or_else(|| meta.ld.description.clone())
        .or(body.lead)
        .or(body.first_paragraph)
        .unwrap_or_default();

    let (published_at, modified_at) = published(&page, &meta, container, fetched_at, base);
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
        published_at: published_at.map(Timestamp::from),
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
    fetched_at: Option<DateTime<Utc>>,
    base: Option<&Url>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
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

    let visible = visible_date(page, container, fetched_at);
    let found = match (explicit, visible) {
        // A date-only declaration refined by a visible time on the same day
        // ("20 分钟前" under <time datetime="2024-06-17">).
        (Some(e), Some(v)) if e.date_only && !v.date_only && e.at.date_naive() == v.at.date_naive() => Some(v),
        (Some(e), _) => Some(e),
        (None, v) => v.or_else(|| base.and_then(|u| dates::from_url(u.as_str()))),
    };
    (found.map(|f| f.at), modified)
}

/// A `<time>` element or a short dated line near the top of the article.
fn visible_date(page: &dom::Page, container: Option<u32>, fetched_at: Option<DateTime<Utc>>) -> Option<dates::Found> {
    let scope = container.map(|c| match page.elems[c as usize].parent {
        u32::MAX => c,
        p => p,
    });
    let mut long_seen = 0;
    for (index, elem) in page.elems.iter().enumerate() {
        if &*elem.tag != "time" || elem.flags & flag::BOILER != 0 {
            continue;
        }
        // A <time> elsewhere on the page dates a teaser or a comment, not
        // this article, unless it says it is the publication date.
        let in_scope = scope.is_none_or(|s| page.contains(s, index as u32));
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
            (Some(m), Some(r)) if m.date_only && m.at.date_naive() == r.at.date_naive() => return Some(r),
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
        if scope.is_some_and(|s| !page.contains(s, b.elem)) || b.flags & flag::BOILER != 0 {
            continue;
        }
        if b.chars > 150 {
            long_seen += 1;
            if long_seen > 3 {
                break;
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
