//! Generated articles for the lookup benchmark: each one shaped like a dev
//! corpus article picked at random (its blocks, images, links, authors), with
//! new words in every text, so that sizes vary as the corpus's do and the
//! text compresses like prose rather than like copies of a few hundred pages.

use copydesk_extract::Hints;
use copydesk_proto::v1::Article;

/// A small, fast, seeded generator: the same seed gives the same articles.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// xorshift64*: plenty for picking words, no dependency.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The dev corpus's articles, the shapes new articles take, and their words.
pub(crate) struct Generator {
    shapes: Vec<Article>,
    /// Every word of every corpus text, in order: runs of it read like prose.
    words: Vec<String>,
}

/// The corpus pages that extract to an article with text.
pub(crate) fn corpus_articles() -> Vec<Article> {
    copydesk_integration::corpus_inputs()
        .iter()
        .filter_map(|(_, bytes)| copydesk_extract::extract(bytes, &Hints::default()).ok())
        .map(|e| e.article)
        .filter(|a| !a.text.is_empty())
        .collect()
}

/// A 32-hex-digit id like ingest's (a digest), different for each `i`.
pub(crate) fn article_id(i: u64) -> String {
    let mut rng = Rng::new(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xC0FF_EE00);
    format!("{:016x}{:016x}", rng.next(), rng.next())
}

impl Generator {
    pub(crate) fn new(shapes: Vec<Article>) -> Generator {
        let words = shapes.iter().flat_map(|a| a.text.split_whitespace().map(str::to_string)).collect();
        Generator { shapes, words }
    }

    pub(crate) fn shapes(&self) -> &[Article] {
        &self.shapes
    }

    /// Up to `bytes` of text (at least one word): runs of 4 to 20 corpus
    /// words from random places, so local word order is real but no page is
    /// repeated, and sizes stay those of the corpus article copied.
    fn prose(&self, rng: &mut Rng, bytes: usize) -> String {
        let mut out = String::with_capacity(bytes + 16);
        loop {
            let start = rng.below(self.words.len());
            let run = 4 + rng.below(17);
            for word in (start..start + run).map(|k| &self.words[k % self.words.len()]) {
                if !out.is_empty() && out.len() + 1 + word.len() > bytes {
                    return out;
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }

    /// Article number `i`: a random corpus article's shape, new id, URL,
    /// capture time, title and texts.
    pub(crate) fn article(&self, i: u64) -> Article {
        let mut rng = Rng::new(i.wrapping_add(1).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let mut article = self.shapes[rng.below(self.shapes.len())].clone();
        let id = article_id(i);
        let site = if article.site.is_empty() { "news.example".to_string() } else { article.site.clone() };
        article.canonical_url = format!("https://{site}/bench/{i}/{}", &id[..12]);
        article.url = format!("{}?utm_source=feed", article.canonical_url);
        article.id = id;
        article.title = self.prose(&mut rng, article.title.len().clamp(20, 200));
        if !article.description.is_empty() {
            article.description = self.prose(&mut rng, article.description.len());
        }
        for block in &mut article.blocks {
            if !block.text.is_empty() {
                block.text = self.prose(&mut rng, block.text.len());
            }
        }
        for image in &mut article.images {
            if !image.caption.is_empty() {
                image.caption = self.prose(&mut rng, image.caption.len());
            }
        }
        let texts: Vec<&str> = article.blocks.iter().map(|b| b.text.as_str()).filter(|t| !t.is_empty()).collect();
        article.text = if texts.is_empty() { self.prose(&mut rng, article.text.len()) } else { texts.join("\n\n") };
        article.word_count = article.text.split_whitespace().count() as u32;
        if let Some(fetched) = article.fetched_at.as_mut() {
            fetched.seconds += i as i64;
        }
        article.content_hash = format!("{:016x}{:016x}", rng.next(), rng.next());
        article
    }
}
