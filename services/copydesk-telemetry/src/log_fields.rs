//! What a log line shows of the spans it sits in: every field but the
//! OpenTelemetry attributes meant for export (`otel.*`, `messaging.*`).
//!
//! The messaging spans are in every log line's scope by default, so that a
//! line written while a message is worked carries the message's `trace_id`
//! and `span_id`. Their other dozen attributes would crowd each line, and
//! formatting them for every message costs throughput for nothing: the log
//! layer skips them before they are formatted.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{RecordFields, VisitOutput};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};

/// Whether a field is an export-only attribute, left off log lines.
fn for_export(field: &Field) -> bool {
    let name = field.name();
    name.starts_with("otel.") || name.starts_with("messaging.")
}

/// The log layer's field formatter (the text format): `tracing-subscriber`'s
/// default one, minus the export-only attributes.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogFields;

impl<'writer> FormatFields<'writer> for LogFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = Skip(DefaultVisitor::new(writer, true));
        fields.record(&mut visitor);
        visitor.0.finish()
    }
}

/// Passes every field but the export-only ones on to `V`, each through the
/// method of its own type, so that strings and errors print as they would.
struct Skip<V>(V);

impl<V: Visit> Visit for Skip<V> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if !for_export(field) {
            self.0.record_f64(field, value)
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if !for_export(field) {
            self.0.record_i64(field, value)
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if !for_export(field) {
            self.0.record_u64(field, value)
        }
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        if !for_export(field) {
            self.0.record_i128(field, value)
        }
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        if !for_export(field) {
            self.0.record_u128(field, value)
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if !for_export(field) {
            self.0.record_bool(field, value)
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if !for_export(field) {
            self.0.record_str(field, value)
        }
    }

    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        if !for_export(field) {
            self.0.record_bytes(field, value)
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if !for_export(field) {
            self.0.record_error(field, value)
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !for_export(field) {
            self.0.record_debug(field, value)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    /// Log output kept in memory.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;

        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    #[test]
    fn log_lines_show_ids_but_not_export_attributes() {
        let out = Buffer::default();
        let layer = tracing_subscriber::fmt::layer().fmt_fields(LogFields).with_ansi(false).with_writer(out.clone());
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let span = tracing::info_span!(
                "process",
                otel.kind = "consumer",
                messaging.system = "kafka",
                error.type = tracing::field::Empty,
                trace_id = tracing::field::Empty,
            );
            span.record("trace_id", tracing::field::display("4bf92f3577b34da6a3ce929d0e0e4736"));
            span.record("error.type", "empty");
            span.in_scope(|| tracing::warn!(message = "Delivery failed.", retry_in_ms = 100u64, reason = "x"));
        });
        let line = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(line.contains("process{trace_id=4bf92f3577b34da6a3ce929d0e0e4736 error.type=\"empty\"}"), "{line}");
        assert!(line.contains("Delivery failed. retry_in_ms=100 reason=\"x\""), "{line}");
        assert!(!line.contains("otel.") && !line.contains("messaging."), "{line}");
    }
}
