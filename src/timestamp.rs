//! STUB until the real module lands.
use std::fmt;
/// A point in time (stub).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);
/// Why a timestamp was rejected (stub).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampError;
impl fmt::Display for TimestampError { fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str("bad timestamp") } }
impl std::error::Error for TimestampError {}
impl Timestamp {
    /// stub
    pub fn from_unix_seconds(secs: i64) -> Option<Timestamp> { Some(Timestamp(secs)) }
    /// stub
    pub fn unix_seconds(self) -> i64 { self.0 }
    /// stub
    pub fn parse(_s: &str) -> Result<Timestamp, TimestampError> { Ok(Timestamp(0)) }
}
/// Bucket (stub).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimeBucket { /// day
 #[default] Day, /// hour
 Hour, /// month
 Month }
impl TimeBucket {
    /// stub
    pub fn start(self, ts: Timestamp) -> i64 { ts.0 - ts.0.rem_euclid(86400) }
    /// stub
    pub fn write_label(self, start: i64, out: &mut String) { out.push_str(&start.to_string()) }
    /// stub
    pub fn label(self, start: i64) -> String { let mut s = String::new(); self.write_label(start, &mut s); s }
}
