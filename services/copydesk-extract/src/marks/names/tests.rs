//! The word scan against the regex set it replaced, kept here as the definition.

use std::sync::LazyLock;

use proptest::strategy::Strategy;
use regex::RegexSet;

use super::super::said;
use super::said_by_words;

/// The patterns the scan replaced, in the order of `said`'s bits.
const NAME_PATTERNS: [&str; 6] = [
    r"caption|wp-caption-text|img-?desc|image-?desc|legend",
    r"credit|copyright|photographer|image-?source|img-?source",
    r"byline|author|writer|reporter|contributor|journalist",
    r"(?x)(?:^|[^a-z])(?:nav|navbar|navigation|menu|menubar|footer|sidebar|side-bar|share|sharing|
        social|socials|comment|comments|disqus|advert\w*|ads?|adv|sponsor\w*|promo\w*|banner|breadcrumbs?|
        related|recommend\w*|newsletter|subscribe|subscription|signup|popup|modal|cookie\w*|consent|
        paywall|widget|toolbar|pagination|pager|print-?(?:link|button|btn|icon|tools?)|no-?print|d-print-none|
        hidden-print|outbrain|taboola|trending|most-?popular|
        mostread|tags?|taglist|author-?bio|masthead|skip|sr-only|visually-?hidden|rating|
        login|register|more-?stories|read-?more|also-?read|jump-?link|disclaimer|cta|call-?to-?action|
        (?:form|submit|submission)[-_]?(?:done|fail|failure|success|error|sent|thanks))(?:$|[^a-z])",
    r"(?:^|[^a-z])(?:lead|standfirst|summary|intro|dek|deck|subhead|excerpt|teaser)(?:$|[^a-z])",
    r"(?:^|[^a-z])(?:date|time|timestamp|published|dateline|pubdate|posted)",
];

static SET: LazyLock<RegexSet> = LazyLock::new(|| RegexSet::new(NAME_PATTERNS).unwrap());

fn said_by_regexes(names: &str) -> u8 {
    let bits = [said::CAPTION, said::CREDIT, said::BYLINE, said::BOILER, said::LEAD, said::DATE];
    SET.matches(names).iter().fold(0, |said, i| said | bits[i])
}

#[test]
fn reads_names_as_the_regexes_did() {
    for names in [
        "nav ",
        "main-nav post ",
        "navx",
        "x time",
        "update",
        "intro-text",
        "introduction",
        "advertising2",
        "print-tools print_link",
        "form_success formdone submit-failx",
        "wp-caption-text ",
        "tagsx tags",
        "é-nav-é",
        "post-author byline",
        "affiliate-disclaimer disclaimerx",
        "inline-cta cta__box ctabox",
        "call-to-action calltoaction",
        "",
    ] {
        assert_eq!(said_by_words(names), said_by_regexes(names), "{names:?}");
    }
    assert_eq!(said_by_words("site-nav "), said::BOILER);
    assert_eq!(said_by_words("cmp-richtext--disclaimer"), said::BOILER);
    assert_eq!(said_by_words("post-date lead "), said::DATE | said::LEAD);
}

/// Pieces that make words, near-words and the characters around them.
fn names() -> impl Strategy<Value = String> {
    let pieces = vec![
        "nav",
        "ad",
        "ads",
        "adv",
        "advert",
        "date",
        "time",
        "lead",
        "intro",
        "share",
        "tag",
        "tags",
        "promo",
        "print",
        "link",
        "tools",
        "form",
        "submit",
        "submission",
        "done",
        "fail",
        "failure",
        "byline",
        "credit",
        "caption",
        "img",
        "desc",
        "image",
        "source",
        "read",
        "more",
        "also",
        "jump",
        "no",
        "most",
        "popular",
        "visually",
        "hidden",
        "author",
        "bio",
        "side",
        "bar",
        "sr",
        "only",
        "d",
        "none",
        "comment",
        "cookie",
        "dek",
        "deck",
        "x",
        "s",
        "2",
        "_",
        "-",
        " ",
        "é",
        "中",
        "A",
        "\t",
    ];
    proptest::collection::vec(proptest::sample::select(pieces), 0..10).prop_map(|p| p.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

    #[test]
    fn agrees_with_the_regexes(names in names()) {
        proptest::prop_assert_eq!(said_by_words(&names), said_by_regexes(&names), "{:?}", names);
    }

    #[test]
    fn agrees_with_the_regexes_on_any_text(names in "(?s).{0,24}") {
        proptest::prop_assert_eq!(said_by_words(&names), said_by_regexes(&names), "{:?}", names);
    }
}
