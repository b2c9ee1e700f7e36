//! Checks that every role's configuration makes the same way: Kafka topic
//! names, the librdkafka options an operator passes through, and the
//! address of an endpoint that an empty setting turns off.
//!
//! Both report problems as text for the role's own error type, so that a
//! role can list every bad setting at once before it binds any socket.

use std::collections::BTreeMap;
use std::net::SocketAddr;

mod kafka;
pub mod rebootstrap;

pub use kafka::KafkaArgs;

/// Parses `args` (without the program name) into one command's flag struct,
/// as the binary would under the subcommand `name`: tests and harnesses build
/// configurations this way instead of each wrapping the struct in a parser.
pub fn parse_args<T, I>(name: &'static str, args: I) -> Result<T, clap::Error>
where
    T: clap::Args + clap::FromArgMatches,
    I: IntoIterator,
    I::Item: Into<std::ffi::OsString> + Clone,
{
    let command = T::augment_args(clap::Command::new(name).no_binary_name(true));
    let matches = command.try_get_matches_from(args)?;
    T::from_arg_matches(&matches)
}

/// Whether `topic` is a name Kafka accepts; the reason if not.
pub fn valid_topic(topic: &str) -> Result<(), &'static str> {
    if topic.is_empty() || topic.len() > 249 {
        return Err("must be 1 to 249 characters");
    }
    if topic == "." || topic == ".." {
        return Err("cannot be . or ..");
    }
    if !topic.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return Err("may contain only ASCII letters, digits, '.', '_' and '-'");
    }
    Ok(())
}

/// `KEY=VALUE` options as a map. Keys in `owned` carry the role's
/// guarantees and are refused; every malformed or refused option is
/// reported, not just the first.
pub fn pass_through(options: &[String], owned: &[&str]) -> Result<BTreeMap<String, String>, Vec<String>> {
    let mut map = BTreeMap::new();
    let mut errors = Vec::new();
    for option in options.iter().filter(|o| !o.trim().is_empty()) {
        match option.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                let k = k.trim();
                if owned.contains(&k) {
                    errors.push(format!("kafka-option {k}: set by copydesk itself; use the dedicated setting"));
                } else {
                    map.insert(k.to_string(), v.trim().to_string());
                }
            }
            _ => errors.push(format!("kafka-option {option:?}: expected KEY=VALUE")),
        }
    }
    if errors.is_empty() { Ok(map) } else { Err(errors) }
}

/// An `IP:PORT` setting where empty means "off" (e.g. the metrics endpoint).
/// `default_port` only makes the message's examples match the role's default.
pub fn optional_socket(value: &str, default_port: u16) -> Result<Option<SocketAddr>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| {
        format!("{value:?} is not IP:PORT (e.g. 0.0.0.0:{default_port}, [::]:{default_port}), nor empty to disable")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names() {
        assert!(valid_topic("articles.v1_zh-Hans").is_ok());
        for bad in ["", ".", "..", "a b", "ä", &"x".repeat(250)] {
            assert!(valid_topic(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn options_are_parsed_and_every_bad_one_reported() {
        let options: Vec<String> =
            ["security.protocol = SASL_SSL", "", "group.id=x", "novalue", "=v"].iter().map(|s| s.to_string()).collect();
        let errors = pass_through(&options, &["group.id"]).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("group.id"), "{errors:?}");
        let map = pass_through(&options[..2], &["group.id"]).unwrap();
        assert_eq!(map["security.protocol"], "SASL_SSL");
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn optional_sockets_are_ip_and_port_or_empty() {
        assert_eq!(optional_socket(" 0.0.0.0:9465 ", 9465).unwrap(), Some("0.0.0.0:9465".parse().unwrap()));
        assert_eq!(optional_socket("[::1]:9100", 9465).unwrap(), Some("[::1]:9100".parse().unwrap()));
        assert_eq!(optional_socket("  ", 9465).unwrap(), None);
        for bad in ["0.0.0.0", "localhost:9465", ":9465", "0.0.0.0:99999"] {
            let e = optional_socket(bad, 9465).unwrap_err();
            assert!(e.contains("0.0.0.0:9465") && e.contains(bad), "{e}");
        }
    }
}
