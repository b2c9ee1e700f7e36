//! Scores extraction output against the annotated dev sets exactly as shared/tools/score.py does.
//!
//! The evaluation command must print the reference script's figures to the last digit, so
//! this crate ports the script's semantics rather than its intent: Python's Unicode character
//! classes, truthiness, dict ordering, float summation order and `{:.4f}` rounding included.
//!
//! ```no_run
//! use std::path::Path;
//! use copydesk_eval::{Set, load_gold, load_output_jsonl, score};
//!
//! let set: Set = "daniel".parse()?;
//! let gold = load_gold(set, Path::new("../shared/corpus/dev/daniel"))?;
//! let predictions = load_output_jsonl(Path::new("out.jsonl"))?;
//! print!("{}", score(&gold, &predictions));
//! # Ok::<(), copydesk_eval::EvalError>(())
//! ```

mod error;
mod gold;
mod metrics;
mod output;
mod pyjson;
pub mod pystr;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

pub use error::EvalError;
pub use gold::{Gold, GoldRow, load_gold};
pub use metrics::{BodyScores, Metric, MetricValue, Report, body_scores, score};
pub use output::{Prediction, key_for_source, load_output_jsonl, parse_output_jsonl};

/// The gold sets that score.py knows, named as on its command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Set {
    Aeb,
    Chinese,
    Daniel,
    Mediacloud,
    Trafilatura,
    Wcxb,
}

impl Set {
    /// Every set, in alphabetical order.
    pub const ALL: [Set; 6] = [Set::Aeb, Set::Chinese, Set::Daniel, Set::Mediacloud, Set::Trafilatura, Set::Wcxb];

    /// The name score.py takes as its first argument.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Set::Aeb => "aeb",
            Set::Chinese => "chinese",
            Set::Daniel => "daniel",
            Set::Mediacloud => "mediacloud",
            Set::Trafilatura => "trafilatura",
            Set::Wcxb => "wcxb",
        }
    }

    /// Whether body text is tokenised one CJK character per token for this set.
    #[must_use]
    pub fn cjk_tokens(self) -> bool {
        matches!(self, Set::Daniel | Set::Chinese)
    }
}

impl fmt::Display for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Set {
    type Err = EvalError;

    /// Exact, case-sensitive names, as score.py compares them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Set::ALL.into_iter().find(|set| set.name() == s).ok_or_else(|| EvalError::UnknownSet(s.to_owned()))
    }
}
