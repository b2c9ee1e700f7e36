//! The seed message's acceptance points, asserted one by one.

mod common;

use copydesk_extract::{Hints, extract};
use copydesk_proto::v1::block::Kind;

#[test]
fn seed_message_extracts_as_specified() {
    let path = common::corpus().join("seed/bbc-zhongwen-world-69124999.snapshot");
    let a = extract(&std::fs::read(path).unwrap(), &Hints::default()).unwrap().article;
    let json = serde_json::to_value(&a).unwrap();

    assert_eq!(a.url, "https://www.bbc.com/zhongwen/simp/world-69124999");
    assert_eq!(a.title, "俄罗斯将与朝鲜建立“非常深厚的关系”，为何被视为普京挑衅西方之举");
    assert_eq!(json["fetchedAt"], "2024-06-17T09:13:01Z");
    assert_eq!(json["publishedAt"], "2024-06-17T08:53:01Z");
    assert_eq!(a.language, "zh-Hans");

    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert!(a.authors[0].name.starts_with("本·塔文纳") && a.authors[0].name.contains("Ben Tavener"));
    assert_eq!(a.authors[0].role, "BBC记者 发自莫斯科");

    assert_eq!(a.description, "几个月以来，一直在关注俄罗斯的人都知道，普京总统将前往朝鲜。");
    let paragraphs: Vec<&str> =
        a.blocks.iter().filter(|b| b.kind() == Kind::Paragraph).map(|b| b.text.as_str()).collect();
    assert_eq!(paragraphs.len(), 36);
    assert_eq!(paragraphs[0], "几个月以来，一直在关注俄罗斯的人都知道，普京总统将前往朝鲜。");
    assert!(paragraphs[35].ends_with("看我的。”"));
    assert_eq!(a.text.split("\n\n").count(), 36);
    for banned in ["图像来源", "广告", "从黑瞎子岛", "中、俄缺席乌克兰和平峰会", "G7动用俄罗斯冻结资产"]
    {
        assert!(!a.text.contains(banned), "body contains {banned}");
    }

    assert_eq!(a.images.len(), 4);
    assert!(a.images.iter().all(|i| i.url.starts_with("https://") && !i.alt.is_empty()));
    let credits: Vec<&str> = a.images.iter().map(|i| i.credit.as_str()).collect();
    assert_eq!(credits, ["Reuters", "Reuters", "Reuters", "AFP"]);
    assert_eq!(a.images.iter().filter(|i| !i.caption.is_empty()).count(), 3);
    assert_eq!(a.images[1].caption, "俄罗斯入侵乌克兰后在国际上日益孤立。");

    let related: Vec<(&str, &str)> = a.related_links.iter().map(|l| (l.url.as_str(), l.text.as_str())).collect();
    assert_eq!(related.len(), 3);
    assert_eq!(related[0].0, "https://www.bbc.com/zhongwen/simp/world-69075754");
    assert!(related[2].1.starts_with("G7动用俄罗斯冻结资产利息援助乌克兰500亿"));
    assert!(json["relatedLinks"].is_array());

    assert!(a.word_count >= 1500, "word count {}", a.word_count);
    assert_eq!(a.id.len(), 32);
}
