//! JSON-LD (`<script type="application/ld+json">`): the article's own metadata.

use std::collections::HashMap;

use serde_json::Value;

/// What we take from the article node of a page's JSON-LD.
#[derive(Debug, Default)]
pub(crate) struct LinkedData {
    pub(crate) headline: Option<String>,
    /// Headlines of other article nodes: a page may describe its story
    /// twice, once with the search headline and once with the printed one.
    pub(crate) other_headlines: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) date_published: Option<String>,
    pub(crate) date_modified: Option<String>,
    pub(crate) authors: Vec<(String, Option<String>)>,
    pub(crate) publisher: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) language: Option<String>,
    pub(crate) section: Option<String>,
    pub(crate) keywords: Vec<String>,
    /// Whether the node found had an article type (rather than a WebPage).
    pub(crate) is_article: bool,
}

const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNews",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "Report",
    "ScholarlyArticle",
    "TechArticle",
];

impl LinkedData {
    pub(crate) fn add_script(&mut self, body: &str) {
        // Sites often leave trailing commas, HTML comments or CDATA around the JSON.
        let body = body.trim().trim_start_matches("<!--").trim_end_matches("-->").trim();
        let body = body.trim_start_matches("//<![CDATA[").trim_end_matches("//]]>").trim();
        // Some CMSs put two objects in one script, or junk after the object:
        // every value that parses before the first error is kept.
        let values: Vec<Value> =
            serde_json::Deserializer::from_str(body).into_iter::<Value>().map_while(Result::ok).collect();
        for value in &values {
            self.add_value(value);
        }
    }

    fn add_value(&mut self, value: &Value) {
        let ids = named_nodes(value);
        let mut stack = vec![value];
        let mut budget = 10_000usize;
        while let Some(v) = stack.pop() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                break;
            }
            match v {
                Value::Array(items) => stack.extend(items.iter().rev()),
                Value::Object(map) => {
                    if let Some(graph) = map.get("@graph") {
                        stack.push(graph);
                    }
                    let types = type_names(map.get("@type"));
                    let article = types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str()));
                    let page = types.iter().any(|t| t == "WebPage");
                    if article && self.is_article {
                        let h = map.get("headline").and_then(string);
                        if let Some(h) = h.filter(|h| self.headline.as_ref() != Some(h)) {
                            self.other_headlines.push(h);
                        }
                    }
                    if article && !self.is_article {
                        self.take(map, &ids);
                        self.is_article = true;
                    } else if (page || article) && self.headline.is_none() && !self.is_article {
                        self.take(map, &ids);
                    }
                    if let Some(main) = map.get("mainEntity") {
                        stack.push(main);
                    }
                }
                _ => {}
            }
        }
    }

    fn take(&mut self, map: &serde_json::Map<String, Value>, ids: &HashMap<&str, &str>) {
        let s = |k: &str| map.get(k).and_then(string);
        self.headline = s("headline").or_else(|| s("name")).or(self.headline.take());
        self.description = s("description").or(self.description.take());
        self.date_published = s("datePublished").or_else(|| s("dateCreated")).or(self.date_published.take());
        self.date_modified = s("dateModified").or(self.date_modified.take());
        self.url = s("url")
            .or_else(|| map.get("mainEntityOfPage").and_then(|m| m.get("@id").and_then(string).or_else(|| string(m))))
            .or(self.url.take());
        self.language = s("inLanguage").or(self.language.take());
        self.section = map.get("articleSection").and_then(first_string).or(self.section.take());
        if let Some(p) = map.get("publisher") {
            self.publisher = p.get("name").and_then(string).or_else(|| string(p)).or(self.publisher.take());
        }
        if let Some(k) = map.get("keywords") {
            self.keywords = match k {
                Value::String(s) => s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect(),
                Value::Array(a) => a.iter().filter_map(string).collect(),
                _ => Vec::new(),
            };
        }
        if let Some(a) = map.get("author").or_else(|| map.get("creator")) {
            let authors = author_list(a, ids);
            if !authors.is_empty() {
                self.authors = authors;
            }
        }
    }
}

fn type_names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(crate::meta::unescape)
}

fn first_string(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(string),
        other => string(other),
    }
}

/// `@id` → `name` of every named node, for references such as Yoast's
/// `"author": {"@id": "...#/schema/person/..."}` into its `@graph`.
fn named_nodes(root: &Value) -> HashMap<&str, &str> {
    let mut ids = HashMap::new();
    let mut stack = vec![root];
    let mut budget = 10_000usize;
    while let Some(v) = stack.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                if let (Some(id), Some(name)) =
                    (map.get("@id").and_then(Value::as_str), map.get("name").and_then(Value::as_str))
                {
                    ids.insert(id, name);
                }
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    ids
}

/// `author` may be a string, a Person, an Organization, a reference, or a list of them.
fn author_list(v: &Value, ids: &HashMap<&str, &str>) -> Vec<(String, Option<String>)> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .filter_map(|a| match a {
            Value::String(s) => Some((s.trim().to_string(), None)),
            Value::Object(m) => {
                let name = m.get("name").and_then(string).or_else(|| {
                    let id = m.get("@id")?.as_str()?;
                    ids.get(id).map(|n| n.trim().to_string()).filter(|n| !n.is_empty())
                })?;
                let org = m.get("@type").and_then(Value::as_str) == Some("Organization");
                let affiliation =
                    m.get("affiliation").and_then(|x| x.get("name").and_then(string).or_else(|| string(x)));
                let _ = org;
                Some((name, affiliation))
            }
            _ => None,
        })
        .filter(|(n, _)| !n.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_in_graph_wins_over_webpage() {
        let mut ld = LinkedData::default();
        ld.add_script(
            r#"{"@context":"https://schema.org","@graph":[
            {"@type":"WebPage","name":"Site home","url":"https://e.com/"},
            {"@type":["NewsArticle"],"headline":"Real headline","datePublished":"2024-01-02T03:04:05Z",
             "author":[{"@type":"Person","name":"Ann Lee"},{"@type":"Person","name":"Bo Chen"}],
             "publisher":{"@type":"Organization","name":"Example News"}}]}"#,
        );
        assert_eq!(ld.headline.as_deref(), Some("Real headline"));
        assert_eq!(ld.authors.len(), 2);
        assert_eq!(ld.publisher.as_deref(), Some("Example News"));
        assert!(ld.is_article);
    }

    #[test]
    fn author_references_into_the_graph_are_resolved() {
        let mut ld = LinkedData::default();
        ld.add_script(
            r#"{"@graph":[{"@type":"Article","headline":"H","author":{"@id":"https://e.com/#/schema/person/1"}},
            {"@type":"Person","@id":"https://e.com/#/schema/person/1","name":"Floyd"}]}"#,
        );
        assert_eq!(ld.authors, vec![("Floyd".to_string(), None)]);
    }

    #[test]
    fn a_second_article_node_adds_its_headline() {
        let mut ld = LinkedData::default();
        ld.add_script(r#"{"@type":"NewsArticle","headline":"Brexit: war of nerves"}"#);
        ld.add_script(r#"{"@type":"NewsArticle","headline":"The war of nerves over Brexit goes on"}"#);
        assert_eq!(ld.headline.as_deref(), Some("Brexit: war of nerves"));
        assert_eq!(ld.other_headlines, vec!["The war of nerves over Brexit goes on".to_string()]);
    }

    #[test]
    fn objects_before_junk_are_read() {
        let mut ld = LinkedData::default();
        ld.add_script(r#"{"@type":"NewsArticle","datePublished":"2020-10-26T18:10:00+01:00"} }"#);
        assert_eq!(ld.date_published.as_deref(), Some("2020-10-26T18:10:00+01:00"));
        let mut ld = LinkedData::default();
        ld.add_script(r#"{"@type":"Organization","name":"X"} {"@type":"NewsArticle","headline":"H"}"#);
        assert_eq!(ld.headline.as_deref(), Some("H"));
    }

    #[test]
    fn garbage_is_ignored() {
        let mut ld = LinkedData::default();
        ld.add_script("{not json");
        ld.add_script(&"[".repeat(100_000));
        assert!(ld.headline.is_none());
    }
}
