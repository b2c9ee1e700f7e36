//! The metrics of score.py (body shingles, snippets, date, author, title) and its printout.
//!
//! Arithmetic follows the script operation by operation, because the figures are compared to
//! four decimals and a reordered sum can move the last digit: sums run left to right in row
//! order (Python 3.11's plain `sum`, not 3.12's compensated one), and fractions are
//! normalised per page before precision and recall are taken from them.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use crate::Set;
use crate::gold::{Gold, GoldRow};
use crate::output::Prediction;
use crate::pystr::{day, names, norm, tokens};

/// Shingle length of the Scrapinghub article-extraction-benchmark body metric.
const SHINGLE: usize = 4;

/// A page scores below this F1 counts towards `body_pages_below_0.8`.
const LOW_F1: f64 = 0.8;

/// One printed figure: counts print as integers, ratios with four decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricValue {
    Int(u64),
    Float(f64),
}

impl fmt::Display for MetricValue {
    /// `{:.4}` on f64 rounds the exact binary value half-to-even, as Python's `{:.4f}` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricValue::Int(n) => write!(f, "{n}"),
            MetricValue::Float(x) => write!(f, "{x:.4}"),
        }
    }
}

/// A named figure, e.g. `body_f1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub value: MetricValue,
}

/// Every figure score.py prints for a set, in its order; `Display` is its exact stdout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub metrics: Vec<Metric>,
}

impl Report {
    /// The value of the named figure, if the set has it.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<MetricValue> {
        self.metrics.iter().find(|m| m.name == name).map(|m| m.value)
    }

    fn push(&mut self, name: impl Into<String>, value: MetricValue) {
        self.metrics.push(Metric { name: name.into(), value });
    }

    fn int(&mut self, name: &str, n: u64) {
        self.push(name, MetricValue::Int(n));
    }

    fn float(&mut self, name: impl Into<String>, x: f64) {
        self.push(name, MetricValue::Float(x));
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.metrics {
            writeln!(f, "{} {}", m.name, m.value)?;
        }
        Ok(())
    }
}

/// Corpus-level body figures: P and R are means over pages, F1 is their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub pages_below_0_8: u64,
}

/// score.py's `body_scores` over `(gold body, predicted body)` pairs.
pub fn body_scores<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, cjk: bool) -> BodyScores {
    let (mut precs, mut recs) = (Vec::new(), Vec::new());
    let mut low = 0;
    for (gold, pred) in pairs {
        let (tp, fp, fn_) = page_prf(gold, pred, cjk);
        let (pr, rc) =
            if fp == 0.0 && fn_ == 0.0 && tp > 0.0 { (1.0, 1.0) } else { (ratio(tp, tp + fp), ratio(tp, tp + fn_)) };
        // A page with nothing predicted has no precision to average, nothing expected no recall.
        if tp + fp > 0.0 {
            precs.push(pr);
        }
        if tp + fn_ > 0.0 {
            recs.push(rc);
        }
        if harmonic(pr, rc) < LOW_F1 {
            low += 1;
        }
    }
    let (precision, recall) = (mean(&precs), mean(&recs));
    BodyScores { precision, recall, f1: harmonic(precision, recall), pages_below_0_8: low }
}

/// `x / total if total else 0.0`; the script's extra `tp == 0 and fp == 0` guard is the same
/// test once the counts are non-negative.
fn ratio(x: f64, total: f64) -> f64 {
    if total != 0.0 { x / total } else { 0.0 }
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r != 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.iter().fold(0.0, |acc, x| acc + x) / xs.len() as f64
}

/// Shingle TP/FP/FN of one page as fractions of their sum (all zero for two empty texts).
fn page_prf(gold: &str, pred: &str, cjk: bool) -> (f64, f64, f64) {
    let (gold_tokens, pred_tokens) = (tokens(gold, cjk), tokens(pred, cjk));
    let (g, p) = (shingles(&gold_tokens), shingles(&pred_tokens));
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (k, &gc) in &g {
        let pc = p.get(k).copied().unwrap_or(0);
        tp += gc.min(pc);
        fn_ += gc.saturating_sub(pc);
    }
    for (k, &pc) in &p {
        fp += pc.saturating_sub(g.get(k).copied().unwrap_or(0));
    }
    let sum = tp + fp + fn_;
    if sum == 0 {
        return (0.0, 0.0, 0.0);
    }
    let s = sum as f64;
    (tp as f64 / s, fp as f64 / s, fn_ as f64 / s)
}

/// A multiset of 4-token windows; a text shorter than that is one shingle of all its tokens.
fn shingles<'t, 'a>(toks: &'t [&'a str]) -> HashMap<&'t [&'a str], u64> {
    let mut counts = HashMap::new();
    if toks.is_empty() {
        return counts;
    }
    if toks.len() < SHINGLE {
        counts.insert(toks, 1);
        return counts;
    }
    for window in toks.windows(SHINGLE) {
        *counts.entry(window).or_insert(0) += 1;
    }
    counts
}

static NO_OUTPUT: Prediction =
    Prediction { text: String::new(), title: String::new(), authors: Vec::new(), published: String::new() };

/// The predictions, looked up the way score.py's `pred.get(k, {})` does.
struct Outputs<'a>(&'a HashMap<String, Prediction>);

impl Outputs<'_> {
    fn of(&self, row: &GoldRow) -> &Prediction {
        self.0.get(&row.key).unwrap_or(&NO_OUTPUT)
    }
}

/// Scores predictions (keyed as [`crate::key_for_source`] keys them) against a gold set.
#[must_use]
pub fn score(gold: &Gold, predictions: &HashMap<String, Prediction>) -> Report {
    let rows = &gold.rows;
    let out = Outputs(predictions);
    let mut report = Report::default();
    report.int("pages", rows.len() as u64);
    let missing = rows.iter().filter(|r| !predictions.contains_key(&r.key));
    report.int("missing_outputs", missing.count() as u64);
    body_metrics(&mut report, gold, &out);
    snippet_metric(&mut report, rows, &out);
    date_metrics(&mut report, rows, &out);
    author_metric(&mut report, rows, &out);
    title_metric(&mut report, rows, &out);
    report
}

fn body_metrics(report: &mut Report, gold: &Gold, out: &Outputs<'_>) {
    let rows: Vec<(&GoldRow, &str)> = gold.rows.iter().filter_map(|r| r.body.as_deref().map(|b| (r, b))).collect();
    if rows.is_empty() {
        return;
    }
    let pairs = rows.iter().map(|&(r, b)| (b, out.of(r).text.as_str()));
    let all = body_scores(pairs, gold.set.cjk_tokens());
    report.float("body_precision", all.precision);
    report.float("body_recall", all.recall);
    report.float("body_f1", all.f1);
    report.int("body_pages_below_0.8", all.pages_below_0_8);
    if gold.set != Set::Daniel {
        return;
    }
    fn lang(row: &GoldRow) -> &str {
        row.lang.as_deref().unwrap_or("?")
    }
    let langs: BTreeSet<&str> = rows.iter().map(|&(r, _)| lang(r)).collect();
    for l in langs {
        let pairs = rows.iter().filter(|&&(r, _)| lang(r) == l).map(|&(r, b)| (b, out.of(r).text.as_str()));
        report.float(format!("body_f1_{l}"), body_scores(pairs, true).f1);
    }
}

/// Snippets are counted over the whole set (micro-averaged), unlike the per-page body metric.
fn snippet_metric(report: &mut Report, rows: &[GoldRow], out: &Outputs<'_>) {
    let rows: Vec<&GoldRow> = rows.iter().filter(|r| !r.with.is_empty() || !r.without.is_empty()).collect();
    if rows.is_empty() {
        return;
    }
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for row in rows {
        let text = norm(&out.of(row).text);
        for s in &row.with {
            if text.contains(&norm(s)) {
                tp += 1;
            } else {
                fn_ += 1;
            }
        }
        for s in &row.without {
            if text.contains(&norm(s)) {
                fp += 1;
            }
        }
    }
    let p = ratio(tp as f64, (tp + fp) as f64);
    let r = ratio(tp as f64, (tp + fn_) as f64);
    report.float("snippet_f1", harmonic(p, r));
}

/// A page with no recognisable date counts against accuracy but not against precision.
fn date_metrics(report: &mut Report, rows: &[GoldRow], out: &Outputs<'_>) {
    let rows: Vec<(&GoldRow, &str)> = rows.iter().filter_map(|r| r.date.as_deref().map(|d| (r, d))).collect();
    if rows.is_empty() {
        return;
    }
    let (mut hit, mut wrong) = (0u64, 0u64);
    for &(row, gold_date) in &rows {
        let d = day(&out.of(row).published);
        if d.is_empty() {
            continue;
        }
        if d == day(gold_date) {
            hit += 1;
        } else {
            wrong += 1;
        }
    }
    report.float("date_accuracy", hit as f64 / rows.len() as f64);
    report.float("date_precision", ratio(hit as f64, (hit + wrong) as f64));
}

fn author_metric(report: &mut Report, rows: &[GoldRow], out: &Outputs<'_>) {
    let rows: Vec<(&GoldRow, &[String])> = rows.iter().filter_map(|r| r.authors.as_deref().map(|a| (r, a))).collect();
    if rows.is_empty() {
        return;
    }
    let ok = rows.iter().filter(|&&(r, a)| names(&out.of(r).authors) == names(a)).count();
    report.float("author_accuracy", ok as f64 / rows.len() as f64);
}

fn title_metric(report: &mut Report, rows: &[GoldRow], out: &Outputs<'_>) {
    let rows: Vec<(&GoldRow, &str)> = rows.iter().filter_map(|r| r.title.as_deref().map(|t| (r, t))).collect();
    if rows.is_empty() {
        return;
    }
    let ok = rows.iter().filter(|&&(r, t)| norm(&out.of(r).title) == norm(t)).count();
    report.float("title_accuracy", ok as f64 / rows.len() as f64);
}
