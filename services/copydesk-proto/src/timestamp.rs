//! `google.protobuf.Timestamp` with the canonical proto3 JSON form (`...Z`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

/// A point in time: seconds and nanoseconds since the Unix epoch, UTC.
///
/// Wire-compatible with `google.protobuf.Timestamp`; serialises to RFC 3339 in
/// UTC with a `Z` suffix and only as many fractional digits as needed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

impl Timestamp {
    /// The timestamp of a UTC date-time.
    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos() as i32 }
    }

    /// The UTC date-time, if the value is in chrono's range and well-formed.
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        let nanos = u32::try_from(self.nanos).ok()?;
        DateTime::from_timestamp(self.seconds, nanos)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp::from_datetime(t)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let t = self.to_datetime().ok_or_else(|| serde::ser::Error::custom("timestamp out of range"))?;
        serializer.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        let t = DateTime::parse_from_rfc3339(&s).map_err(D::Error::custom)?;
        Ok(Timestamp::from_datetime(t.with_timezone(&Utc)))
    }
}
