//! Assembles the `Article` from the stages, with its derived fields.

use copydesk_proto::{
    Timestamp,
    v1::{Article, Block as PbBlock, block::Kind as PbKind},
};
use url::Url;

use crate::front::Opened;
use crate::{
    Diagnostics, ExtractError, Extraction, Hints, Limits, byline, content, dom, fallback, lang, meta, published, text,
    title, urls,
};

/// Takes the decoded text out of `opened`: once parsed it is never read again, and freeing it
/// before the later stages lowers the peak memory of a large page by its size.
pub(crate) fn build(opened: &mut Opened, hints: &Hints, limits: &Limits) -> Result<Extraction, ExtractError> {
    let mut warnings = Vec::new();
    let Opened { input, fetched_url, decoded, deadline, .. } = opened;
    let fetched_at = input.fetched_at.or(hints.fetched_at);
    let html_bytes = decoded.text.len();

    if decoded.source == "sniffed" {
        warnings.push(format!("charset not declared or wrong; sniffed as {}", decoded.encoding.name()));
    }
    if decoded.had_errors {
        warnings.push(format!("invalid {} byte sequences replaced", decoded.encoding.name()));
    }
    let html = dom::parse(&std::mem::take(&mut decoded.text), deadline, limits.max_nodes)?;
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

    let mut container = content::choose_container(&mut page);
    let byline = byline::find(&page, container, &meta, base.and_then(Url::host_str));
    let title = title::choose(&page, &meta, input.title.as_deref(), container, base.and_then(Url::host_str));
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
    let mut text = body_text(&body);
    if text.trim().is_empty() {
        // No prose outside boilerplate: some layouts put the whole page, article included, in
        // a box whose class names a widget or a sidebar. Read it again without those marks.
        page.unmark_all_boiler();
        container = content::choose_container(&mut page);
        body = content::extract(&page, container, &title, declared_description, base, &byline.items);
        text = body_text(&body);
        if !text.trim().is_empty() {
            warnings.push("article body found only by ignoring boilerplate marks; it may hold furniture".into());
        }
    }
    if text.trim().is_empty() {
        // Still no body. A page that describes itself and declares itself an article, or whose
        // URL spells its title, keeps what is certain (title, dates, authors) with its own
        // description as the text; any other (a login wall, an empty shell, a bare listing) has
        // no article at all.
        let Some(evidence) = fallback::article_evidence(&meta, &title, base, declared_description) else {
            return Err(ExtractError::NoContent);
        };
        text = declared_description.trim().to_string();
        body.blocks = vec![PbBlock { kind: PbKind::Paragraph as i32, text: text.clone(), ..PbBlock::default() }];
        warnings.push(match evidence {
            fallback::Evidence::Declared => "no article body found; the text is the page's own description".into(),
            fallback::Evidence::SlugNamesTitle => {
                "no article body found and no article declared, but the URL spells the title; the text is the page's own description".into()
            }
        });
    }
    deadline.check()?;

    let description = if declared_description.is_empty() {
        body.lead.or(body.first_paragraph).unwrap_or_default()
    } else {
        declared_description.to_string()
    };

    let (published_at, modified_at) =
        published::published(&page, &meta, container, &title, fetched_at, base, &byline.items);
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
        html_bytes,
        dom_nodes,
        ..Default::default()
    };
    Ok(Extraction { article, diagnostics })
}

/// The body's text blocks, one paragraph per block.
fn body_text(body: &content::Body) -> String {
    body.blocks
        .iter()
        .filter(|b| b.kind != PbKind::Image as i32)
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use crate::{Hints, extract};

    #[test]
    fn an_article_inside_a_box_named_like_furniture_is_still_read() {
        // A real page (dev corpus) whose page builder names the article's box a "widget" and
        // wraps the contact form and teasers beside it the same way.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/dev/wcxb/html/0296.html.gz");
        let bytes = std::fs::read(path).expect("the dev corpus beside the checkout");
        let article = extract(&bytes, &Hints::default()).expect("an article").article;
        assert!(article.text.contains("If someone is not careful at the gym"), "{}", article.text);
        // Boxes that tags call furniture are believed longer: the article is read by
        // ignoring them only when nothing else is left, with a warning.
        let p = "<p>The council met on Tuesday to discuss the bridge, and residents asked for a clear plan.</p>";
        let page = format!("<html><body><div><aside>{p}</aside><aside>{p}{p}</aside></div></body></html>");
        let article = extract(page.as_bytes(), &Hints::default()).expect("an article").article;
        assert!(article.text.contains("discuss the bridge"), "{}", article.text);
        assert!(article.warnings.iter().any(|w| w.contains("ignoring boilerplate")), "{:?}", article.warnings);
    }

    #[test]
    fn a_declared_article_without_a_body_keeps_its_description() {
        let page = "<html><head><title>Budget</title><meta property=og:type content=article>\
            <meta property=og:description content=\"The council agreed a budget.\"></head><body></body></html>";
        let article = extract(page.as_bytes(), &Hints::default()).expect("an article").article;
        assert_eq!(article.text, "The council agreed a budget.");
        assert_eq!(article.title, "Budget");
        assert!(article.warnings.iter().any(|w| w.contains("description")), "{:?}", article.warnings);
    }

    #[test]
    fn a_page_without_an_article_is_no_content() {
        // An empty shell, and a login wall that describes the site but is no article.
        let shell = "<html><head><title>My games</title></head><body><div id=app></div></body></html>";
        let wall = "<html><head><title>Sign in</title><meta property=og:type content=website>\
            <meta name=description content=\"News from everywhere.\"></head><body><form><input name=user></form></body></html>";
        for page in [shell, wall] {
            let kind = extract(page.as_bytes(), &Hints::default()).map(|_| "article").unwrap_or_else(|e| e.kind());
            assert_eq!(kind, "no_content", "{page}");
        }
    }

    #[test]
    fn a_script_built_page_whose_url_spells_its_title_keeps_its_description() {
        let description = "Another year has passed, and my tastes in games keep changing: here are the ten I \
            played for the first time this year and loved most.";
        let page = format!(
            "<html><head><title>2025 in Review: My favorite new-to-me games</title>\
            <meta property=og:type content=website><meta name=description content=\"{description}\">\
            <meta property=og:url content=https://example.com/list/366833/2025-in-review-my-favorite-new-to-me-games>\
            </head><body><div id=app></div></body></html>"
        );
        let article = extract(page.as_bytes(), &Hints::default()).expect("an article").article;
        assert_eq!(article.title, "2025 in Review: My favorite new-to-me games");
        assert_eq!(article.text, description);
        assert!(article.warnings.iter().any(|w| w.contains("URL spells the title")), "{:?}", article.warnings);
        // The same page at a URL that does not name it is a shell.
        let elsewhere = page.replace("2025-in-review-my-favorite-new-to-me-games", "app");
        let kind = extract(elsewhere.as_bytes(), &Hints::default()).map(|_| "article").unwrap_or_else(|e| e.kind());
        assert_eq!(kind, "no_content");
    }

    #[test]
    fn a_login_wall_at_an_article_url_is_no_content() {
        // The wall's own title names nothing the slug spells.
        let wall = "<html><head><title>Sign in to keep reading</title><meta property=og:type content=website>\
            <meta name=description content=\"Subscribe for unlimited access to our award-winning journalism, \
            newsletters, puzzles and the archive, on every device, from one dollar a week.\"></head>\
            <body><form><input name=user></form></body></html>";
        let hints = Hints {
            url: Some("https://example.com/2025/12/harbour-plan-divides-the-town".into()),
            ..Default::default()
        };
        let kind = extract(wall.as_bytes(), &hints).map(|_| "article").unwrap_or_else(|e| e.kind());
        assert_eq!(kind, "no_content");
    }

    #[test]
    fn a_page_of_only_a_byline_is_not_empty() {
        let page = "<html><body><header class=post-header><div class=page-title><h1>Loft</h1></div>\
            <div class=post-meta>By <a class=author href=/author/cw>Christopher Wood</a> &mdash; \
            <time datetime=2020-03-11>March 11, 2020</time></div></header>\
            <div class=post-body><p class=attachment><a href=/loft.jpg><img src=/loft.jpg></a></p></div></body></html>";
        let article = extract(page.as_bytes(), &Hints::default()).map(|e| e.article).unwrap_or_default();
        // The headline is the title's, not the body's.
        assert_eq!(article.title, "Loft");
        assert_eq!(article.text, "By Christopher Wood — March 11, 2020");
    }
}
