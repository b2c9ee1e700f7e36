//! Watch resume tokens: how far a watcher got in the articles topic (the next
//! offset per partition), for which incarnation of the topic (its Kafka topic
//! id) and when. Opaque to clients: base64 of a versioned text, so that a
//! token from another service or an edited one is refused, not misread.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::LookupError;

/// The format's tag; a later format gets another and old tokens stay readable.
const VERSION: &str = "w1";

/// Partitions a token may name: far more than any articles topic has.
const MAX_PARTITIONS: usize = 10_000;

/// A decoded token.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Position {
    /// The articles topic's Kafka topic id when issued; empty from a broker without ids.
    pub(crate) topic_id: String,
    /// When the token was issued, in seconds since the epoch.
    pub(crate) issued: u64,
    /// Partition -> the next offset to send. A partition not named starts at 0:
    /// it was added to the topic after the token was issued.
    pub(crate) next: BTreeMap<i32, i64>,
}

impl Position {
    pub(crate) fn encode(&self) -> String {
        let next: Vec<String> = self.next.iter().map(|(p, o)| format!("{p}:{o}")).collect();
        URL_SAFE_NO_PAD.encode(format!("{VERSION}\0{}\0{}\0{}", self.topic_id, self.issued, next.join(",")))
    }

    pub(crate) fn decode(token: &str) -> Result<Position, LookupError> {
        let invalid = || LookupError::InvalidArgument("resume_token: not a token this service issued".into());
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split('\0');
        let (Some(VERSION), Some(topic_id), Some(issued), Some(next), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if !topic_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let issued = issued.parse().map_err(|_| invalid())?;
        let mut offsets = BTreeMap::new();
        for pair in next.split(',').filter(|pair| !pair.is_empty()) {
            let (p, o) = pair.split_once(':').ok_or_else(invalid)?;
            let (p, o): (i32, i64) = (p.parse().map_err(|_| invalid())?, o.parse().map_err(|_| invalid())?);
            if p < 0 || o < 0 || offsets.insert(p, o).is_some() || offsets.len() > MAX_PARTITIONS {
                return Err(invalid());
            }
        }
        Ok(Position { topic_id: topic_id.to_string(), issued, next: offsets })
    }
}

/// Now, in seconds since the epoch.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position() -> Position {
        Position {
            topic_id: "0af3".into(),
            issued: 1_764_900_000,
            next: BTreeMap::from([(0, 12), (1, 0), (7, 90_000_000_000)]),
        }
    }

    #[test]
    fn tokens_round_trip() {
        assert_eq!(Position::decode(&position().encode()).unwrap(), position());
        let empty = Position { topic_id: String::new(), issued: 0, next: BTreeMap::new() };
        assert_eq!(Position::decode(&empty.encode()).unwrap(), empty);
    }

    #[test]
    fn tokens_not_issued_here_are_refused() {
        // `|` stands for the NUL separator.
        let forged = |text: &str| URL_SAFE_NO_PAD.encode(text.replace('|', "\0"));
        for bad in [
            "not base64!".to_string(),
            String::new(),
            forged("w2||1|0:1"),
            forged("w1||1"),
            forged("w1|zz|1|0:1"),
            forged("w1||soon|0:1"),
            forged("w1||1|0:1,0:2"),
            forged("w1||1|-1:1"),
            forged("w1||1|0:-1"),
            forged("w1||1|0"),
            forged("w1||1|0:1|more"),
        ] {
            assert!(matches!(Position::decode(&bad), Err(LookupError::InvalidArgument(_))), "{bad:?}");
        }
    }
}
