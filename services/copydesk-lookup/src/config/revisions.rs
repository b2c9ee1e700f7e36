//! How long the store keeps an article's earlier revisions (the captures
//! whose content changed): by count and, optionally, by age.

use std::time::Duration;

use crate::store::{DEFAULT_KEEP, Retention};

/// More than this many revisions per article is refused: a page of them
/// must stay a sensible response.
const MAX_KEEP: usize = 10_000;
/// A century: beyond it an age limit means nothing.
const MAX_AGE_DAYS: u64 = 36_500;

/// Revision retention of `copydesk serve` (flattened into [`crate::LookupConfig`]).
#[derive(Debug, Clone, clap::Args)]
pub struct Revisions {
    /// Revisions kept per article, the current one included: when a new one
    /// arrives beyond it, the oldest is dropped. 1 keeps no history.
    #[arg(long, env = "COPYDESK_REVISIONS_KEEP", default_value_t = DEFAULT_KEEP)]
    pub revisions_keep: usize,
    /// Earlier revisions captured more than this many days ago are dropped
    /// (the current revision never is); 0 sets no age limit.
    #[arg(long, env = "COPYDESK_REVISIONS_MAX_AGE_DAYS", default_value_t = 0)]
    pub revisions_max_age_days: u64,
}

impl Revisions {
    /// Every problem, for the configuration's combined report.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if !(1..=MAX_KEEP).contains(&self.revisions_keep) {
            errors.push(format!("revisions-keep: must be between 1 and {MAX_KEEP}"));
        }
        if self.revisions_max_age_days > MAX_AGE_DAYS {
            errors.push(format!("revisions-max-age-days: must be at most {MAX_AGE_DAYS} (0: no limit)"));
        }
        errors
    }

    /// The store's retention.
    pub fn retention(&self) -> Retention {
        let max_age =
            (self.revisions_max_age_days > 0).then(|| Duration::from_secs(self.revisions_max_age_days * 24 * 60 * 60));
        Retention { keep: self.revisions_keep, max_age }
    }
}

#[cfg(test)]
mod tests {
    use crate::LookupConfig;

    fn parse(args: &[&str]) -> LookupConfig {
        copydesk_settings::parse_args("serve", args).unwrap()
    }

    #[test]
    fn twenty_revisions_and_no_age_limit_by_default_and_bounds_checked() {
        let retention = parse(&[]).revisions.retention();
        assert_eq!((retention.keep, retention.max_age), (20, None));
        let c = parse(&["--revisions-keep", "3", "--revisions-max-age-days", "30"]);
        c.validate().unwrap();
        assert_eq!(c.revisions.retention().max_age, Some(std::time::Duration::from_secs(30 * 86_400)));
        let c = parse(&["--revisions-keep", "0", "--revisions-max-age-days", "40000"]);
        assert_eq!(c.revisions.problems().len(), 2);
        assert!(c.validate().is_err());
    }
}
