//! STUB until the real module lands.
use std::fmt;
/// Why a record is malformed (stub).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// Invalid UTF-8.
    InvalidUtf8 {
        /// offset
        offset: usize,
    },
    /// Too long.
    TooLong {
        /// len
        len: u64,
        /// limit
        limit: u64,
    },
}
impl fmt::Display for RecordErrorKind { fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{self:?}") } }
