//! The furniture wording of each language, one row per language: buttons,
//! box openers, advertisement labels, pitches, rights notices and credit
//! words. Adding a language is adding a row; `wording` builds every matcher
//! from these rows in one place.

/// One language's furniture wording. Entries are lower case (matching ignores
/// case) and may be regex fragments where a word varies (`comments?`). A
/// space stands for the one space that separates words in a block's text,
/// whose white space is folded.
pub(crate) struct Wording {
    /// Whole short lines that are a button, a label or a share-bar entry.
    pub(crate) buttons: &'static [&'static str],
    /// How a short line that opens a related-links box, a share or follow
    /// bar, a tag list or an update stamp begins.
    pub(crate) openers: &'static [&'static str],
    /// Words that open an advertisement's label when a dash, colon or bar follows.
    pub(crate) ad_labels: &'static [&'static str],
    /// Phrases that make a short line a pitch to the reader or a disclaimer
    /// of the site, wherever they stand in it.
    pub(crate) pitches: &'static [&'static str],
    /// Rights notices.
    pub(crate) rights: &'static [&'static str],
    /// The word before the colon of a picture credit ("Photo: Jane Doe").
    pub(crate) credits: &'static [&'static str],
    /// Whole headings that open what follows an article: related posts,
    /// recommendations, the author's box.
    pub(crate) closers: &'static [&'static str],
    /// What follows a person's name to open an author's bio ("Jane Doe is a
    /// travel writer"), and the pronouns its later sentences use.
    pub(crate) bio_verbs: &'static [&'static str],
    pub(crate) pronouns: &'static [&'static str],
}

const NONE: &[&str] = &[];

const ROW: Wording = Wording {
    buttons: NONE,
    openers: NONE,
    ad_labels: NONE,
    pitches: NONE,
    rights: NONE,
    credits: NONE,
    closers: NONE,
    bio_verbs: NONE,
    pronouns: NONE,
};

/// The rows, one per language.
pub(crate) const LANGUAGES: &[(&str, Wording)] = &[
    (
        "en",
        Wording {
            buttons: &[
                "share",
                "share this",
                r"why trust us\??",
                "tweet",
                "print",
                "email",
                "advertisement",
                "advertising",
                "ad",
                "sponsored",
                "read more",
                "more",
                // With the count a template adds ("Comments (10)").
                r"comments?(?: \(\d+\))?",
                "skip to .*",
                "loading.*",
                "subscribe.*",
                "sign up.*",
                "follow us.*",
                "image",
                "photo",
                "video",
                "(?:show|hide) (?:more|less|all|sources|comments|details|caption)",
                "(?:link )?copied!?",
                "copy link",
                "share (?:this )?article",
                "download now",
                "summari[sz]e (?:this article )?with(?: ai)?",
                "article continues (?:below|after (?:this )?advertisement)",
                // The reading time and view count a template sets by the byline.
                r"\d+ min(?:ute)?s?\.? read",
                r"(?:reading|read) time(?:\s*:.*)?",
                r"\d[\d.,]*k? views?",
                // A table of contents' label: its links lead into the page, or
                // a script fills them in.
                r"(?:table of contents?|contents)(?: show| hide|\[hide\]\[show\])?",
                "in this (?:article|post)",
                "on this page",
                r"jump to(?: .*)?",
            ],
            openers: &[
                "related (?:articles?|stories|posts|news|content|reading)",
                "(?:read|see) (?:more|also|next|further)",
                "you (?:may|might) also like",
                "more (?:stories|on this)",
                "share (?:this|on)",
                "follow (?:us|the|our)",
                "subscribe",
                "never miss",
                "sign up",
                "listen to this",
                "advertising disclosure",
                r"tags?\s*:",
                "disclaimer",
                r"(?:last )?updated?(?: on)?\s*:?\s*\d",
                r"(?:last )?(?:published|reviewed)(?: on)?\s*:?\s*(?:[a-z]{3,9}\.? )?\d",
                r"(?:photo credits?|image credits?)\s*:",
            ],
            ad_labels: &["advertisement", "advertorial", "sponsored"],
            pitches: &[
                r"please (?:subscribe|log\s*in|sign\s*in|register)",
                "already a (?:subscriber|member)",
                "(?:first-time|new) subscribers",
                "to (?:view|read|continue reading|access) (?:the full|this|the rest)",
                "(?:our|free|daily|weekly) newsletter",
                r"stay up[\s-]to[\s-]date (?:on|with)",
                "get e-?mail updates",
                r"follow (?:\S+\s+){0,3}on (?:twitter|facebook|instagram|linkedin|tiktok|youtube)",
                "submit your (?:letter|story|tip|news)",
                "not logged in",
                "(?:log|sign) in to (?:comment|reply|post)",
                "(?:is|are) not responsible for (?:the )?(?:opinions|content|views|comments)",
                "does not (?:offer|provide|give) (?:medical|legal|financial) advice",
                "(?:opinions|views) expressed (?:in|here|by)",
                "your submission has been received",
                "something went wrong while submitting",
                "thanks? (?:you )?for (?:signing up|subscribing)",
                "sign up (?:now|today|below|here)",
                "get started today",
                "start (?:your|a) free trial",
                "book a (?:free )?demo",
                "learn more about our (?:editorial|services)",
                "subscribe to our",
                "by subscribing",
                // An affiliate disclosure set above or below the article.
                "(?:we|may) earn (?:us )?(?:a |an )?(?:small )?(?:affiliate )?commissions?",
                // What a form or a closed thread says around the article.
                // No `\b` in a pitch: a Unicode word boundary stops the lazy
                // DFA at the first non-ASCII character, and the whole list
                // then ran on the slow engine (extraction took 1.4x as long).
                r"^by (?:signing up|submitting|clicking|registering)\W.* (?:you|i) (?:agree|consent|confirm|certify)",
                "comments are closed",
                "press enter or click to view image",
            ],
            rights: &["copyright", "all rights reserved"],
            credits: &["photo", "photos", "credit"],
            closers: &[
                "related (?:articles?|stories|posts|blog posts|news|content|reading|reads|publications|topics)",
                "recommended (?:reading|posts|stories|articles|for you)",
                "more (?:from|by) .{1,40}",
                "more (?:stories|articles|posts)",
                "(?:recent|latest|popular|featured|similar) (?:posts|articles|stories)",
                "you (?:may|might) also (?:like|enjoy)",
                "about the author",
                "keep reading",
                "read next",
                "article sources",
                "citations",
            ],
            bio_verbs: &["(?:is|was|serves as) (?:a|an|the)"],
            pronouns: &["he", "she", "his", "her", "they", "their"],
        },
    ),
    (
        "de",
        Wording {
            buttons: &[
                "werbung",
                "anzeige",
                r"\w+ (?:ausblenden|einblenden)",
                "(?:mehr|weniger|alle) anzeigen",
                r"lesezeit(?:\s*:.*)?",
                r"\d+ min(?:uten)?\.? lesezeit",
                "inhaltsverzeichnis",
            ],
            openers: &[
                "das könnte sie auch",
                "mehr zum thema",
                "weiterlesen",
                "lesen sie auch",
                "auch interessant",
                "weitere (?:aktuelle )?(?:themen|artikel|beiträge|nachrichten)",
                "top(?:-| )themen",
                "abonnieren sie",
                "folgen? sie uns",
                "markiert mit",
                "schlagwörter",
                "den artikel .{0,30}teilen",
                "entdecken sie",
                r"aktualisiert (?:am )?\d",
                r"bildquellen?\s*:",
            ],
            ad_labels: &["anzeige", "werbung"],
            pitches: &[
                "abonnieren sie",
                "jetzt abonnieren",
                "nicht eingeloggt",
                "loggen sie sich",
                "e-paper",
                "(?:unser(?:en)?|zum) newsletter",
                "folgen sie uns",
            ],
            rights: &["alle rechte vorbehalten"],
            credits: &["foto", "bild"],
            closers: &["das könnte sie auch interessieren", "mehr zum thema", "über den autor", "über die autorin"],
            ..ROW
        },
    ),
    (
        "fr",
        Wording {
            buttons: &[
                "publicité",
                "voir plus",
                r"temps de lecture(?:\s*:.*)?",
                r"\d+ min(?:utes)?\.? de lecture",
                "sommaire",
                "table des matières",
            ],
            openers: &[
                "(?:à )?lire aussi",
                "voir aussi",
                "articles? liés",
                "suivez-nous",
                "abonnez-vous",
                "inscrivez-vous",
                r"mis à jour (?:le )?\d",
                r"crédits? photos?\s*:",
            ],
            ad_labels: &["publicité"],
            pitches: &[
                "abonnez-vous",
                "inscrivez-vous",
                "(?:notre|la) newsletter",
                "suivez-nous",
                "les opinions exprimées",
                "n['’]engagent que",
            ],
            rights: &["droits réservés"],
            credits: &["crédit photo"],
            closers: &["(?:à )?lire aussi", "articles? liés", "sur le même sujet", "à propos de l['’]auteur"],
            ..ROW
        },
    ),
    (
        "es",
        Wording {
            buttons: &[
                "(?:ver|mostrar) m[aá]s",
                r"tiempo de lectura(?:\s*:.*)?",
                r"\d+ min(?:utos)?\.? de lectura",
                "tabla de contenidos?",
            ],
            openers: &[
                "(?:notas|noticias|artículos) relacionad[oa]s",
                "lea también",
                "síguenos",
                "suscríbete",
                "escucha esta nota",
                r"actualizado (?:el )?\d",
            ],
            ad_labels: &["publicidad"],
            pitches: &[
                "suscr[ií]bete",
                "s[ií]guenos",
                r"[uú]nete\s",
                "canal de (?:youtube|telegram|whatsapp)",
                "(?:nuestro|nuestra) (?:newsletter|bolet[ií]n)",
            ],
            rights: &["derechos reservados"],
            credits: &["foto", "fotos", "imagen"],
            closers: &["(?:notas|noticias|artículos) relacionad[oa]s", "sobre el autor", "te puede interesar"],
            ..ROW
        },
    ),
    ("pt", Wording { openers: &["veja também", "leia também"], pitches: &["inscreva-se", "siga-nos"], ..ROW }),
    (
        "it",
        Wording {
            buttons: &["mostra (?:di )?più", "indice dei contenuti"],
            openers: &["leggi anche", "ti potrebbe interessare"],
            ad_labels: &["pubblicità"],
            pitches: &["iscriviti alla", "seguici su"],
            rights: &["diritti riservati"],
            ..ROW
        },
    ),
    (
        "pl",
        Wording {
            buttons: &["spis treści", r"komentarze(?: \(\d+\))?"],
            openers: &["zobacz (?:także|też)", "czytaj (?:także|też)"],
            ad_labels: &["reklama"],
            pitches: &["zapisz się na", "obserwuj nas"],
            rights: &["prawa zastrzeżone"],
            ..ROW
        },
    ),
    (
        "ru",
        Wording {
            buttons: &["реклама", "содержание", "оглавление"],
            openers: &["читайте также", "также читайте", "по теме", "теги"],
            ad_labels: &["реклама"],
            pitches: &["подпишитесь", "подписывайтесь"],
            rights: &["права защищены"],
            credits: &["фото"],
            closers: NONE,
            ..ROW
        },
    ),
    ("el", Wording { rights: &["όλα τα δικαιώματα"], credits: &["φωτο"], ..ROW }),
    (
        "zh",
        Wording {
            buttons: &[
                "广告",
                "廣告",
                "目录",
                "目錄",
                "分享",
                "打印",
                "返回顶部",
                "返回首页",
                "阅读更多",
                "相关阅读",
                "相关新闻",
                "点击.*",
            ],
            openers: &["相关(?:新闻|阅读|文章|报道)", "相關(?:新聞|閱讀)", "推荐阅读", "延伸阅读"],
            pitches: &["扫码关注", "关注我们", "微信公众号", "扫描二维码"],
            rights: &["版权所有", "版權所有"],
            ..ROW
        },
    ),
    ("ja", Wording { rights: &["著作権"], ..ROW }),
];
