//! Wording rules, in the languages we meet: lines that are page furniture by what they say.
//!
//! Markup does not always set apart a subscription pitch, a "follow us" line,
//! a disclaimer or a button label from the article around it; their wording
//! does, and it is the same on every site of a language. Each rule applies to
//! short blocks only: an article paragraph may use any of these words, but a
//! line that is nothing more than one of these phrases is not prose.

use std::sync::LazyLock;

use regex::Regex;

use crate::dom::Block;

static LEGAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)copyright|all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|droits\s+réservés|derechos\s+reservados
        |diritti\s+riservati|prawa\s+zastrzeżone|права\s+защищены|版权所有|版權所有|著作権|όλα\s+τα\s+δικαιώματα",
    )
    .expect("valid regex")
});

/// Copyright and rights notices: page furniture in every language. The sign
/// alone is enough, the words only in a short block (an article may discuss
/// copyright).
pub(crate) fn is_legal(block: &Block) -> bool {
    block.text.contains('©') || (block.chars < 200 && LEGAL.is_match(&block.text))
}

/// Whole lines that are a button, a label or a share-bar entry.
static JUNK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:share|share\ this|tweet|print|email|advertisement|advertising|ad|sponsored|read\ more|more|comments?
        |广告|廣告|分享|打印|返回顶部|返回首页|阅读更多|相关阅读|相关新闻|点击.*|skip\ to\ .*|werbung|anzeige
        |publicité|реклама|loading.*|subscribe.*|sign\ up.*|follow\ us.*|image|photo|video
        |(?:show|hide)\ (?:more|less|all|sources|comments|details)|\w+\ (?:ausblenden|einblenden)
        |(?:mehr|weniger|alle)\ anzeigen|(?:ver|mostrar)\ m[aá]s|voir\ plus|mostra\ (?:di\ )?più)$",
    )
    .expect("valid regex")
});

/// How short lines that open a related-links box, a share or follow bar, a
/// subscription pitch, a tag list or an advertisement begin.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:related\ (?:articles?|stories|posts|news|content|reading)|(?:read|see)\ (?:more|also|next|further)
        |you\ (?:may|might)\ also\ like|more\ (?:stories|on\ this)|share\ (?:this|on)|follow\ (?:us|the|our)
        |subscribe|never\ miss|sign\ up|listen\ to\ this|advertising\ disclosure|tags?\s*:|disclaimer
        |das\ könnte\ sie\ auch|mehr\ zum\ thema|weiterlesen|lesen\ sie\ auch|auch\ interessant
        |weitere\ (?:aktuelle\ )?(?:themen|artikel|beiträge|nachrichten)|top[-\ ]themen|abonnieren\ sie|folgen?\ sie\ uns
        |markiert\ mit|schlagwörter|den\ artikel\ .{0,30}teilen|entdecken\ sie
        |(?:notas|noticias|artículos)\ relacionad[oa]s|lea\ también|síguenos|suscríbete|escucha\ esta\ nota
        |(?:à\ )?lire\ aussi|voir\ aussi|articles?\ liés|suivez-nous|abonnez-vous|inscrivez-vous
        |veja\ também|leia\ também|leggi\ anche|ti\ potrebbe\ interessare
        |читайте\ также|также\ читайте|по\ теме|теги|zobacz\ (?:także|też)|czytaj\ (?:także|też)
        |相关(?:新闻|阅读|文章|报道)|相關(?:新聞|閱讀)|推荐阅读|延伸阅读
        |(?:anzeige|werbung|advertisement|advertorial|sponsored|publicidad|publicité|pubblicità|reklama|реклама)\s*[-–—:|]
        |(?:last\ )?updated?(?:\ on)?\s*:?\s*\d|aktualisiert\ (?:am\ )?\d|actualizado\ (?:el\ )?\d|mis\ à\ jour\ (?:le\ )?\d
        |(?:crédits?\ photos?|photo\ credits?|bildquellen?|image\ credits?)\s*:)",
    )
    .expect("valid regex")
});

/// Phrases that make a short line a pitch to the reader (subscribe, log in,
/// follow us, join our channel) or a disclaimer of the site, wherever they
/// stand in it.
static PITCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)please\s+(?:subscribe|log\s*in|sign\s*in|register)|already\s+a\s+(?:subscriber|member)
        |(?:first-time|new)\s+subscribers|to\s+(?:view|read|continue\s+reading|access)\s+(?:the\s+full|this|the\s+rest)
        |(?:our|free|daily|weekly)\s+newsletter|stay\s+up[\s-]to[\s-]date\s+(?:on|with)|get\s+e-?mail\s+updates
        |follow\s+(?:\S+\s+){0,3}on\s+(?:twitter|facebook|instagram|linkedin|tiktok|youtube)
        |submit\s+your\s+(?:letter|story|tip|news)|not\s+logged\s+in|(?:log|sign)\s+in\s+to\s+(?:comment|reply|post)
        |(?:is|are)\s+not\s+responsible\s+for\s+(?:the\s+)?(?:opinions|content|views|comments)
        |does\s+not\s+(?:offer|provide|give)\s+(?:medical|legal|financial)\s+advice|(?:opinions|views)\s+expressed\s+(?:in|here|by)
        |abonnieren\s+sie|jetzt\s+abonnieren|nicht\s+eingeloggt|loggen\s+sie\s+sich|e-paper|(?:unser(?:en)?|zum)\s+newsletter
        |folgen\s+sie\s+uns|suscr[ií]bete|s[ií]guenos|[uú]nete\s|canal\s+de\s+(?:youtube|telegram|whatsapp)
        |(?:nuestro|nuestra)\s+(?:newsletter|bolet[ií]n)|abonnez-vous|inscrivez-vous|(?:notre|la)\s+newsletter|suivez-nous
        |les\s+opinions\s+exprimées|n['’]engagent\s+que|iscriviti\s+alla|seguici\s+su|inscreva-se|siga-nos
        |zapisz\s+się\s+na|obserwuj\s+nas|подпишитесь|подписывайтесь|扫码关注|关注我们|微信公众号|扫描二维码",
    )
    .expect("valid regex")
});

/// The word before the colon of a picture credit that ends a caption set in
/// the text ("The square at dawn. Photo: Jane Doe").
static CREDIT_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:foto|fotos|photo|photos|imagen|bild|crédit\s+photo|credit|φωτο|фото)\s*$")
        .expect("valid regex")
});

/// Longest credit after the colon, in chars: a name or an agency.
const CREDIT_TAIL: usize = 40;

/// Whether a short line ends on a picture credit: the tail after its last
/// colon is a name (no sentence punctuation) and a credit word precedes it.
/// String scans first, so the regex runs on the few lines that can match.
fn ends_on_credit(text: &str) -> bool {
    let Some(colon) = text.rfind(':') else { return false };
    let tail = &text[colon + 1..];
    !tail.trim().is_empty()
        && tail.chars().count() <= CREDIT_TAIL
        && !tail.contains(['.', '!', '?'])
        && CREDIT_WORD.is_match(&text[..colon])
}

/// Longest block a pitch or disclaimer rule looks at, in chars.
const SHORT: usize = 300;

/// Whether the block's wording makes it furniture rather than article text.
pub(crate) fn is_furniture(block: &Block) -> bool {
    let text = block.text.as_str();
    if block.chars < 40 && JUNK.is_match(text.trim_end_matches([':', '：', '.', '…'])) {
        return true;
    }
    if block.chars <= 80 && FURNITURE.is_match(text.trim_start_matches(|c: char| !c.is_alphanumeric())) {
        return true;
    }
    block.chars <= SHORT && (PITCH.is_match(text) || (block.chars <= 200 && ends_on_credit(text)))
}
