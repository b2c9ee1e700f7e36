//! Registration that hands the instrument back, so a role's metrics struct
//! keeps its own handle in one statement per series.
//!
//! A `prometheus_client` instrument is a handle on shared atomics: the
//! registry keeps one clone to encode for a scrape, the role keeps the
//! other to record into. Both roles used to spell that out as "make it,
//! register a clone, keep it" for every series.

use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Metric, Registry, Unit};

/// Registers instruments and returns them for recording.
pub trait Instruments {
    /// Registers `metric` as `name` and returns the handle to record into.
    fn instrument<M: Metric + Clone>(&mut self, name: &str, help: &str, metric: M) -> M;

    /// As [`Instruments::instrument`], with a unit the exposition appends to
    /// the name (`_seconds`, `_bytes`).
    fn instrument_in<M: Metric + Clone>(&mut self, name: &str, help: &str, unit: Unit, metric: M) -> M;

    /// The `build` info series, under the same name in every role, so one
    /// query finds every running version.
    fn build_info(&mut self);
}

impl Instruments for Registry {
    fn instrument<M: Metric + Clone>(&mut self, name: &str, help: &str, metric: M) -> M {
        self.register(name, help, metric.clone());
        metric
    }

    fn instrument_in<M: Metric + Clone>(&mut self, name: &str, help: &str, unit: Unit, metric: M) -> M {
        self.register_with_unit(name, help, unit, metric.clone());
        metric
    }

    fn build_info(&mut self) {
        self.register("build", "The running copydesk.", Info::new([("version", env!("CARGO_PKG_VERSION"))]));
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::metrics::counter::Counter;
    use prometheus_client::metrics::gauge::Gauge;

    use super::*;
    use crate::Exposition;

    #[test]
    fn the_returned_handle_records_into_the_registered_series() {
        let mut registry = Registry::with_prefix("t");
        let calls = registry.instrument("calls", "Calls.", Counter::<u64>::default());
        let held = registry.instrument_in("held", "Bytes held.", Unit::Bytes, Gauge::<i64>::default());
        registry.build_info();
        calls.inc_by(3);
        held.set(42);
        let mut out = String::new();
        registry.write_to(&mut out).unwrap();
        assert!(out.contains("t_calls_total 3"), "{out}");
        assert!(out.contains("t_held_bytes 42"), "{out}");
        assert!(out.contains(&format!("t_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"))), "{out}");
    }
}
