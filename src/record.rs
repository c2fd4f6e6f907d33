//! One input record (SEMANTICS.md §6) and the JSON Lines parser.
//!
//! A [`Record`] is the message text with its optional source, timestamp and language.
//! [`parse_json_record`] turns one JSON Lines line into a `Record`, or explains in a
//! [`RecordErrorKind`] why the line is malformed. The field names are configurable at run time
//! ([`FieldNames`]), so the parsers are hand-written, a byte scanner for the common case and a
//! serde `Visitor` over the JSON object for the rest, rather than a derived `Deserialize`.
//!
//! # How the JSON is read
//!
//! Two readers share the work. A hand-written scanner ([`parse_fast`]) reads the common
//! line in one pass: a JSON object whose keys have no escapes, whose configured fields hold
//! strings, `null` or (for the timestamp) a number, and whose other fields hold any valid JSON
//! nested not too deeply. It never decides that a line is malformed: whenever it meets anything
//! it is not sure about, valid or not, it gives up and the line goes to the serde_json reader
//! below, which stays the single source of truth for every error and its message. On the
//! shared corpora the fast path reads every line (its test asks for 99%); a differential test
//! (`fast::fast_path_tests`) holds it to the serde_json reader.
//!
//! serde_json validates strings strictly when they are read as strings: a lone surrogate escape
//! (`"\ud800"`) is an error. That is what §6 wants for `text`, `source` and `lang`, but fields
//! that are ignored may hold anything valid JSON allows, lone surrogates included, and serde_json
//! skips ignored values ([`serde::de::IgnoredAny`]) without decoding them. Ignored values are
//! skipped iteratively, without recursion, so however deeply they nest they cannot overflow the
//! stack; the configured fields are read one level deep.
//!
//! The serde_json reader makes one pass over a line the fast path declined, in the common
//! case. When serde_json itself rejects something (rather than the visitor rejecting a
//! field), the line is checked once more as plain JSON: if it is not valid JSON, that is the
//! error reported, with its column. If it is valid JSON, a second, slower pass reads the
//! configured fields as raw JSON text ([`serde_json::value::RawValue`]) and object keys as
//! bytes, so that it can tell exactly which field is at fault (a lone surrogate in `text`, a
//! timestamp number too large for a float) and accept lone surrogates in the keys and values
//! of ignored fields.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;

use crate::timestamp::{Timestamp, TimestampError};

mod fast;

use fast::parse_fast;

/// Names of the record fields (defaults: "text", "source", "timestamp", "lang").
///
/// In JSON Lines they are the keys of the object; in CSV the column names of the header.
/// Two roles may share a name (`--source-field lang`): that field then fills both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldNames {
    /// The field holding the message text (required). Default `text`.
    pub text: String,
    /// The field holding the source label (optional). Default `source`.
    pub source: String,
    /// The field holding the timestamp (optional). Default `timestamp`.
    pub timestamp: String,
    /// The field holding the language (optional). Default `lang`.
    pub lang: String,
}

impl Default for FieldNames {
    fn default() -> FieldNames {
        FieldNames {
            text: "text".to_owned(),
            source: "source".to_owned(),
            timestamp: "timestamp".to_owned(),
            lang: "lang".to_owned(),
        }
    }
}

impl FieldNames {
    /// Returns the roles (a bit set of `ROLE_*`) whose name is `key`.
    #[inline]
    pub(crate) fn roles_of(&self, key: &[u8]) -> u8 {
        // Length and first byte first: most keys differ from most names there, which spares
        // a call to `memcmp`.
        let is = |name: &String| {
            let name = name.as_bytes();
            name.len() == key.len() && name.first() == key.first() && name == key
        };
        let mut roles = 0;
        if is(&self.text) {
            roles |= ROLE_TEXT;
        }
        if is(&self.source) {
            roles |= ROLE_SOURCE;
        }
        if is(&self.timestamp) {
            roles |= ROLE_TIMESTAMP;
        }
        if is(&self.lang) {
            roles |= ROLE_LANG;
        }
        roles
    }

    /// Returns the configured name of the lowest role in `roles` (`text` if none).
    pub(crate) fn name_of(&self, roles: u8) -> &str {
        if roles & ROLE_TEXT != 0 {
            &self.text
        } else if roles & ROLE_SOURCE != 0 {
            &self.source
        } else if roles & ROLE_TIMESTAMP != 0 {
            &self.timestamp
        } else if roles & ROLE_LANG != 0 {
            &self.lang
        } else {
            &self.text
        }
    }
}

pub(crate) const ROLE_TEXT: u8 = 1;
pub(crate) const ROLE_SOURCE: u8 = 2;
pub(crate) const ROLE_TIMESTAMP: u8 = 4;
pub(crate) const ROLE_LANG: u8 = 8;

/// One parsed record. Strings borrow from the line where no unescaping was needed.
///
/// `source`, `timestamp` and `lang` are `None` when the field is absent or `null` (in CSV: an
/// empty cell). Grouping rules (`unknown` for a missing source, no `by_time` entry without a
/// timestamp) belong to the counting code, not here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The message text.
    pub text: Cow<'a, str>,
    /// The source label, exactly as given (`Twitter` and `twitter` differ, `""` is a label).
    pub source: Option<Cow<'a, str>>,
    /// The timestamp.
    pub timestamp: Option<Timestamp>,
    /// The language, exactly as given.
    pub lang: Option<Cow<'a, str>>,
}

impl Record<'_> {
    /// Returns a copy that owns all its strings.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            text: Cow::Owned(self.text.into_owned()),
            source: self.source.map(|s| Cow::Owned(s.into_owned())),
            timestamp: self.timestamp,
            lang: self.lang.map(|s| Cow::Owned(s.into_owned())),
        }
    }
}

/// The type of a JSON value, for error messages ("found an array").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for JsonType {
    /// Writes the type with its article: `a number`, `an array`, `null`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::Null => "null",
            JsonType::Boolean => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        })
    }
}

/// Why one record is malformed (SEMANTICS.md §6).
///
/// Display explains the problem, lower case and without a trailing period, e.g.
/// `invalid UTF-8 at byte offset 17`, `field "text" is missing`,
/// `field "source" is not a string (found a number)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// The record is not valid UTF-8 (and lossy decoding was not asked for); `offset` is the
    /// 0-based byte offset of the first invalid byte within the record.
    InvalidUtf8 {
        /// 0-based byte offset of the first invalid byte.
        offset: usize,
    },
    /// The record is longer than the record size limit (its bytes without the `\n`).
    TooLong {
        /// The record's length in bytes.
        len: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The line is not valid JSON.
    InvalidJson {
        /// serde_json's 1-based column (in bytes) where the problem was found.
        column: usize,
        /// serde_json's description of the problem, e.g. ``expected `,` or `}` ``.
        message: String,
    },
    /// The line is valid JSON but not an object.
    NotAnObject {
        /// What it is instead.
        found: JsonType,
    },
    /// The text field is absent or `null`. (A CSV header without the text column is not a
    /// record error but an error of the whole input.)
    MissingField {
        /// The configured name of the field.
        field: String,
    },
    /// `text`, `source` or `lang` holds something other than a string.
    NotAString {
        /// The configured name of the field.
        field: String,
        /// What it holds instead.
        found: JsonType,
    },
    /// `text`, `source` or `lang` holds a lone UTF-16 surrogate escape (`"\ud800"`), which is
    /// valid JSON but not a Unicode string.
    LoneSurrogate {
        /// The configured name of the field.
        field: String,
    },
    /// The timestamp field holds neither a string nor a number (nor `null`).
    TimestampType {
        /// The configured name of the field.
        field: String,
        /// What it holds instead.
        found: JsonType,
    },
    /// The timestamp does not parse or is out of range.
    InvalidTimestamp {
        /// The configured name of the field.
        field: String,
        /// Why it was rejected.
        error: TimestampError,
    },
    /// A configured field appears more than once in the object.
    DuplicateField {
        /// The configured name of the field.
        field: String,
    },
    /// A CSV record has a different number of cells than the header.
    CellCount {
        /// The number of columns of the header.
        expected: usize,
        /// The number of cells of the record.
        found: usize,
    },
    /// A CSV record ends inside a quoted cell (only possible at the end of the input, where
    /// the record runs to).
    UnterminatedQuote,
    /// In a CSV record, something other than `,` or the end of the record follows the closing
    /// quote of a quoted cell (`"ab"c`).
    TextAfterQuote {
        /// 1-based number of the cell.
        cell: usize,
    },
}

impl fmt::Display for RecordErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordErrorKind::InvalidUtf8 { offset } => {
                write!(f, "invalid UTF-8 at byte offset {offset}")
            }
            RecordErrorKind::TooLong { len, limit } => {
                write!(f, "record of {len} bytes exceeds the limit of {limit} bytes")
            }
            RecordErrorKind::InvalidJson { column, message } => {
                write!(f, "invalid JSON at column {column}: {message}")
            }
            RecordErrorKind::NotAnObject { found } => {
                write!(f, "not a JSON object (found {found})")
            }
            RecordErrorKind::MissingField { field } => write!(f, "field {field:?} is missing"),
            RecordErrorKind::NotAString { field, found } => {
                write!(f, "field {field:?} is not a string (found {found})")
            }
            RecordErrorKind::LoneSurrogate { field } => {
                write!(f, "field {field:?} holds a lone surrogate escape")
            }
            RecordErrorKind::TimestampType { field, found } => write!(
                f,
                "field {field:?} is not a timestamp string or number (found {found})"
            ),
            RecordErrorKind::InvalidTimestamp { field, error } => {
                write!(f, "field {field:?}: {error}")
            }
            RecordErrorKind::DuplicateField { field } => {
                write!(f, "field {field:?} appears twice")
            }
            RecordErrorKind::CellCount { expected, found } => write!(
                f,
                "record has {found} cells but the header has {expected} columns"
            ),
            RecordErrorKind::UnterminatedQuote => {
                f.write_str("quoted cell is not closed before the end of the input")
            }
            RecordErrorKind::TextAfterQuote { cell } => write!(
                f,
                "cell {cell} has text after its closing quote (a quote inside a quoted cell is written \"\")"
            ),
        }
    }
}

impl std::error::Error for RecordErrorKind {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordErrorKind::InvalidTimestamp { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Parses one JSON Lines record (the line without its `\n`; the caller has already checked
/// size and blankness). With `lossy`, invalid UTF-8 is replaced (U+FFFD) instead of being an
/// error.
///
/// Rules (SEMANTICS.md §6): the line must be one JSON object, with only whitespace after it.
/// The text field must be a string; `source` and `lang` strings or absent; the timestamp a
/// string ([`Timestamp::parse`]), a number of Unix seconds ([`Timestamp::from_json_number`]) or
/// absent. `null` counts as absent. A configured field that appears twice makes the record
/// malformed; other fields are ignored, whatever valid JSON they hold. Strings without escapes
/// borrow from `line`; a lossily decoded line gives a record that owns its strings.
///
/// # Errors
///
/// Returns the reason the record is malformed; see [`RecordErrorKind`].
pub fn parse_json_record<'a>(
    line: &'a [u8],
    fields: &FieldNames,
    lossy: bool,
) -> Result<Record<'a>, RecordErrorKind> {
    match str_from_utf8(line) {
        Ok(s) => parse_json_str(s, fields),
        Err(e) if !lossy => Err(RecordErrorKind::InvalidUtf8 {
            offset: e.valid_up_to(),
        }),
        Err(_) => {
            let owned = String::from_utf8_lossy(line).into_owned();
            parse_json_str(&owned, fields).map(Record::into_owned)
        }
    }
}

/// [`std::str::from_utf8`], with the valid case checked by simdutf8's vector code.
///
/// std's check costs about four instructions a byte on Chinese text, which made it a quarter
/// of the end-to-end time on Weibo posts; simdutf8 checks 16 or 32 bytes at a time with vector
/// instructions. Its fastest check only says whether the bytes are valid, so an invalid
/// record, the rare case, is checked again by std to find where it goes wrong.
pub(crate) fn str_from_utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// Parses one JSON Lines record that is already a `&str`; see [`parse_json_record`].
///
/// # Errors
///
/// Returns the reason the record is malformed; see [`RecordErrorKind`].
pub fn parse_json_str<'a>(
    line: &'a str,
    fields: &FieldNames,
) -> Result<Record<'a>, RecordErrorKind> {
    match parse_fast(line, fields) {
        Some(record) => Ok(record),
        None => parse_serde(line, fields),
    }
}

/// Parses a line with serde_json: the single source of truth for every error, and the
/// fallback for whatever [`parse_fast`] declines.
fn parse_serde<'a>(line: &'a str, fields: &FieldNames) -> Result<Record<'a>, RecordErrorKind> {
    match parse_pass(line, fields, false) {
        Ok(record) => Ok(record),
        Err(Failure::Record(kind)) => Err(kind),
        Err(Failure::Json(_)) => {
            // serde_json rejected something. Either the line is not valid JSON (report that),
            // or a configured field holds valid JSON that serde_json will not decode as a
            // string or number (a lone surrogate, 1e400), or an object key holds a lone
            // surrogate. The raw pass tells these apart.
            if let Err(e) = serde_json::from_str::<IgnoredAny>(line) {
                return Err(json_error(&e));
            }
            match parse_pass(line, fields, true) {
                Ok(record) => Ok(record),
                Err(Failure::Record(kind)) => Err(kind),
                Err(Failure::Json(e)) => Err(json_error(&e)),
            }
        }
    }
}

/// How one pass over a line failed.
enum Failure {
    /// The visitor rejected the record.
    Record(RecordErrorKind),
    /// serde_json rejected the input.
    Json(serde_json::Error),
}

fn json_error(e: &serde_json::Error) -> RecordErrorKind {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    RecordErrorKind::InvalidJson {
        column: e.column(),
        message,
    }
}

/// One pass over the line; `raw` selects the slow, exact mode (see the module docs).
fn parse_pass<'a>(line: &'a str, fields: &FieldNames, raw: bool) -> Result<Record<'a>, Failure> {
    let mut rejected = None;
    let mut de = serde_json::Deserializer::from_str(line);
    let result = de
        .deserialize_any(RecordVisitor {
            fields,
            raw,
            rejected: &mut rejected,
        })
        .and_then(|record| de.end().map(|()| record));
    match (result, rejected) {
        (_, Some(kind)) => Err(Failure::Record(kind)),
        (Ok(record), None) => Ok(record),
        (Err(e), None) => Err(Failure::Json(e)),
    }
}

/// Visits the top-level value of a line. A semantic rejection is stored in `rejected` and
/// signalled to serde_json with a placeholder error, which stops the parse at once.
struct RecordVisitor<'f, 'r> {
    fields: &'f FieldNames,
    raw: bool,
    rejected: &'r mut Option<RecordErrorKind>,
}

impl RecordVisitor<'_, '_> {
    fn reject<E: de::Error>(self, kind: RecordErrorKind) -> E {
        *self.rejected = Some(kind);
        E::custom("record rejected")
    }
}

impl<'de> Visitor<'de> for RecordVisitor<'_, '_> {
    type Value = Record<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record<'de>, A::Error> {
        let fields = self.fields;
        let mut filled = Filled::default();
        let mut seen = 0u8;
        while let Some(roles) = map.next_key_seed(KeySeed {
            fields,
            raw: self.raw,
        })? {
            if roles == 0 {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if seen & roles != 0 {
                let field = fields.name_of(seen & roles).to_owned();
                return Err(self.reject(RecordErrorKind::DuplicateField { field }));
            }
            seen |= roles;
            let value = if self.raw {
                let raw: &'de RawValue = map.next_value()?;
                decode_raw(raw.get())
            } else {
                map.next_value_seed(ValueSeed)?
            };
            if let Err(kind) = filled.assign(fields, roles, value) {
                return Err(self.reject(kind));
            }
        }
        match filled.finish() {
            Some(record) => Ok(record),
            None => {
                let field = fields.text.clone();
                Err(self.reject(RecordErrorKind::MissingField { field }))
            }
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Record<'de>, A::Error> {
        Err(self.reject(RecordErrorKind::NotAnObject {
            found: JsonType::Array,
        }))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Record<'de>, E> {
        Err(self.reject(RecordErrorKind::NotAnObject {
            found: JsonType::String,
        }))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Record<'de>, E> {
        Err(self.reject(RecordErrorKind::NotAnObject {
            found: JsonType::Boolean,
        }))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Record<'de>, E> {
        Err(self.reject(RecordErrorKind::NotAnObject {
            found: JsonType::Number,
        }))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Record<'de>, E> {
        Err(self.reject(RecordErrorKind::NotAnObject {
            found: JsonType::Number,
        }))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Record<'de>, E> {
        Err(self.reject(RecordErrorKind::NotAnObject {
            found: JsonType::Number,
        }))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Record<'de>, E> {
        Err(self.reject(RecordErrorKind::NotAnObject {
            found: JsonType::Null,
        }))
    }
}

/// The configured fields of one record read so far, by either reader.
#[derive(Default)]
struct Filled<'a> {
    text: Option<Cow<'a, str>>,
    source: Option<Cow<'a, str>>,
    timestamp: Option<Timestamp>,
    lang: Option<Cow<'a, str>>,
}

impl<'a> Filled<'a> {
    /// Stores one configured field's value in every role it plays.
    fn assign(
        &mut self,
        fields: &FieldNames,
        roles: u8,
        mut value: FieldValue<'a>,
    ) -> Result<(), RecordErrorKind> {
        // Order matters only for which error is reported when one field plays several roles.
        let mut unfilled = roles;
        for (role, slot) in [
            (ROLE_TEXT, &mut self.text),
            (ROLE_SOURCE, &mut self.source),
            (ROLE_LANG, &mut self.lang),
        ] {
            if roles & role != 0 {
                unfilled &= !role;
                // The last role takes the value; the others (rare) get a copy. A timestamp
                // role keeps its bit in `unfilled`, so the value is still there for it below.
                let value = if unfilled == 0 {
                    std::mem::replace(&mut value, FieldValue::Null)
                } else {
                    value.clone()
                };
                *slot = string_value(fields.name_of(role), value)?;
            }
        }
        if roles & ROLE_TIMESTAMP != 0 {
            self.timestamp = timestamp_value(&fields.timestamp, &value)?;
        }
        Ok(())
    }

    /// The record, or `None` if it has no text.
    fn finish(self) -> Option<Record<'a>> {
        Some(Record {
            text: self.text?,
            source: self.source,
            timestamp: self.timestamp,
            lang: self.lang,
        })
    }
}

fn string_value<'de>(
    field: &str,
    value: FieldValue<'de>,
) -> Result<Option<Cow<'de, str>>, RecordErrorKind> {
    match value {
        FieldValue::Str(s) => Ok(Some(s)),
        FieldValue::Null => Ok(None),
        FieldValue::LoneSurrogate => Err(RecordErrorKind::LoneSurrogate {
            field: field.to_owned(),
        }),
        other => Err(RecordErrorKind::NotAString {
            field: field.to_owned(),
            found: other.json_type(),
        }),
    }
}

fn timestamp_value(
    field: &str,
    value: &FieldValue<'_>,
) -> Result<Option<Timestamp>, RecordErrorKind> {
    let invalid = |error| RecordErrorKind::InvalidTimestamp {
        field: field.to_owned(),
        error,
    };
    match value {
        FieldValue::Str(s) => Timestamp::parse(s).map(Some).map_err(invalid),
        FieldValue::Number(n) => Timestamp::from_json_number(n).map(Some).map_err(invalid),
        // Beyond the range of a float, so far beyond the years 0001..=9999.
        FieldValue::HugeNumber(text) => Err(invalid(TimestampError::number_out_of_range(text))),
        FieldValue::Null => Ok(None),
        FieldValue::LoneSurrogate => Err(RecordErrorKind::LoneSurrogate {
            field: field.to_owned(),
        }),
        other => Err(RecordErrorKind::TimestampType {
            field: field.to_owned(),
            found: other.json_type(),
        }),
    }
}

/// The value of a configured field, as far as the parser cares.
#[derive(Clone, Debug)]
enum FieldValue<'de> {
    Str(Cow<'de, str>),
    /// A string with a lone surrogate escape (raw pass only).
    LoneSurrogate,
    Number(serde_json::Number),
    /// A number serde_json cannot hold (beyond ±1.8e308; raw pass only).
    HugeNumber(&'de str),
    Null,
    Bool,
    Array,
    Object,
}

impl FieldValue<'_> {
    fn json_type(&self) -> JsonType {
        match self {
            FieldValue::Str(_) | FieldValue::LoneSurrogate => JsonType::String,
            FieldValue::Number(_) | FieldValue::HugeNumber(_) => JsonType::Number,
            FieldValue::Null => JsonType::Null,
            FieldValue::Bool => JsonType::Boolean,
            FieldValue::Array => JsonType::Array,
            FieldValue::Object => JsonType::Object,
        }
    }
}

/// Decodes the raw JSON text of a configured field's value (raw pass). The text is known to
/// be valid JSON, so the first byte gives its type.
fn decode_raw(raw: &str) -> FieldValue<'_> {
    match raw.as_bytes().first() {
        Some(b'"') => {
            let mut de = serde_json::Deserializer::from_str(raw);
            match de.deserialize_str(ValueVisitor) {
                Ok(value) => value,
                // The only way valid JSON fails to decode as a string.
                Err(_) => FieldValue::LoneSurrogate,
            }
        }
        Some(b'n') => FieldValue::Null,
        Some(b't' | b'f') => FieldValue::Bool,
        Some(b'[') => FieldValue::Array,
        Some(b'{') => FieldValue::Object,
        _ => match serde_json::from_str::<serde_json::Number>(raw) {
            Ok(n) => FieldValue::Number(n),
            Err(_) => FieldValue::HugeNumber(raw),
        },
    }
}

/// Reads an object key and returns its roles. The fast pass reads it as a string (serde_json
/// rejects a lone surrogate there); the raw pass as bytes (WTF-8, which accepts it and can
/// never equal a configured name).
struct KeySeed<'f> {
    fields: &'f FieldNames,
    raw: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = u8;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<u8, D::Error> {
        if self.raw {
            deserializer.deserialize_bytes(self)
        } else {
            deserializer.deserialize_str(self)
        }
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = u8;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<u8, E> {
        Ok(self.fields.roles_of(key.as_bytes()))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<u8, E> {
        Ok(self.fields.roles_of(key))
    }
}

/// Reads a configured field's value in the fast pass.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = FieldValue<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<FieldValue<'de>, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = FieldValue<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Str(Cow::Owned(s)))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Number(n.into()))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<FieldValue<'de>, E> {
        // serde_json never produces a non-finite float, so `from_f64` always succeeds.
        Ok(serde_json::Number::from_f64(n).map_or(FieldValue::HugeNumber(""), FieldValue::Number))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Bool)
    }

    fn visit_unit<E: de::Error>(self) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<FieldValue<'de>, E> {
        Ok(FieldValue::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FieldValue<'de>, A::Error> {
        // Skip the elements without building them; nesting is skipped iteratively.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldValue<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::TimestampErrorKind;

    fn parse(line: &str) -> Result<Record<'_>, RecordErrorKind> {
        parse_json_record(line.as_bytes(), &FieldNames::default(), false)
    }

    fn ok(line: &str) -> Record<'_> {
        match parse(line) {
            Ok(r) => r,
            Err(e) => panic!("{line:?} should parse: {e}"),
        }
    }

    fn bad(line: &str) -> RecordErrorKind {
        match parse(line) {
            Ok(r) => panic!("{line:?} should be malformed, got {r:?}"),
            Err(e) => e,
        }
    }

    fn secs(s: &str) -> Option<Timestamp> {
        Some(Timestamp::parse(s).unwrap())
    }

    #[test]
    fn test_minimal_and_full_records() {
        let r = ok(r#"{"text":"hello"}"#);
        assert_eq!(r.text, "hello");
        assert_eq!((r.source, r.timestamp, r.lang), (None, None, None));

        let r = ok(
            r#"{"text":"Obamacare news","source":"blog","timestamp":"2009-02-13T23:31:30Z","lang":"en","id":17}"#,
        );
        assert_eq!(r.text, "Obamacare news");
        assert_eq!(r.source.as_deref(), Some("blog"));
        assert_eq!(r.timestamp, secs("2009-02-13T23:31:30Z"));
        assert_eq!(r.lang.as_deref(), Some("en"));

        // Whitespace around and inside the object, CRLF leftovers.
        let r = ok(" \t{ \"text\" : \"a\" , \"source\" : \"\" }\r");
        assert_eq!(r.text, "a");
        assert_eq!(r.source.as_deref(), Some(""));
        // Key order does not matter.
        let r = ok(r#"{"lang":"de","timestamp":0,"text":"x"}"#);
        assert_eq!(r.timestamp, Timestamp::from_unix_seconds(0));
    }

    #[test]
    fn test_borrowing() {
        let r = ok(r#"{"text":"plain","source":"blog"}"#);
        assert!(matches!(r.text, Cow::Borrowed(_)));
        assert!(matches!(r.source, Some(Cow::Borrowed(_))));
        let r = ok(r#"{"text":"line\nbreak \u00e9 \ud83d\ude00 \"q\""}"#);
        assert!(matches!(r.text, Cow::Owned(_)));
        assert_eq!(r.text, "line\nbreak é 😀 \"q\"");
    }

    #[test]
    fn test_null_counts_as_absent() {
        let r = ok(r#"{"text":"a","source":null,"timestamp":null,"lang":null}"#);
        assert_eq!((r.source, r.timestamp, r.lang), (None, None, None));
        assert_eq!(
            bad(r#"{"text":null}"#),
            RecordErrorKind::MissingField {
                field: "text".into()
            }
        );
    }

    #[test]
    fn test_missing_and_wrong_types() {
        assert_eq!(bad(r#"{}"#).to_string(), "field \"text\" is missing");
        assert_eq!(
            bad(r#"{"Text":"a"}"#).to_string(),
            "field \"text\" is missing"
        );
        for (line, found) in [
            (r#"{"text":1}"#, JsonType::Number),
            (r#"{"text":-1.5e3}"#, JsonType::Number),
            (r#"{"text":true}"#, JsonType::Boolean),
            (r#"{"text":["a"]}"#, JsonType::Array),
            (r#"{"text":{"a":"b"}}"#, JsonType::Object),
            (r#"{"text":1e400}"#, JsonType::Number),
        ] {
            assert_eq!(
                bad(line),
                RecordErrorKind::NotAString {
                    field: "text".into(),
                    found
                },
                "{line}"
            );
        }
        assert_eq!(
            bad(r#"{"text":"a","source":7}"#).to_string(),
            "field \"source\" is not a string (found a number)"
        );
        assert_eq!(
            bad(r#"{"text":"a","lang":["en"]}"#).to_string(),
            "field \"lang\" is not a string (found an array)"
        );
        assert_eq!(
            bad(r#"{"text":"a","timestamp":true}"#).to_string(),
            "field \"timestamp\" is not a timestamp string or number (found a boolean)"
        );
        assert_eq!(
            bad(r#"{"text":"a","timestamp":{}}"#),
            RecordErrorKind::TimestampType {
                field: "timestamp".into(),
                found: JsonType::Object
            }
        );
    }

    #[test]
    fn test_not_an_object() {
        for (line, found) in [
            ("[]", JsonType::Array),
            (r#"[{"text":"a"}]"#, JsonType::Array),
            (r#""text""#, JsonType::String),
            ("12", JsonType::Number),
            ("-1.5", JsonType::Number),
            ("true", JsonType::Boolean),
            ("null", JsonType::Null),
        ] {
            assert_eq!(bad(line), RecordErrorKind::NotAnObject { found }, "{line}");
        }
        assert_eq!(
            bad("[1,2]").to_string(),
            "not a JSON object (found an array)"
        );
    }

    #[test]
    fn test_invalid_json() {
        for line in [
            "",
            "{",
            r#"{"text":"a""#,
            r#"{"text":"a",}"#,
            r#"{"text" "a"}"#,
            r#"{text:"a"}"#,
            r#"{'text':'a'}"#,
            r#"{"text":"a"} x"#,
            r#"{"text":"a"}{"text":"b"}"#,
            r#"{"text":"a","x":01}"#,
            r#"{"text":"a","x":NaN}"#,
            r#"{"text":"a","x":"\x"}"#,
            r#"{"text":"a","x":"tab	inside"}"#,
            "{\"text\":\"nul\u{0}\"}",
            r#"{"text":"a","x":[1,]}"#,
            r#"{"text":"a","x":tru}"#,
            r#"{"text":"\u12"}"#,
            "\u{feff}{\"text\":\"a\"}",
        ] {
            assert!(
                matches!(bad(line), RecordErrorKind::InvalidJson { .. }),
                "{line:?}: {:?}",
                bad(line)
            );
        }
        assert_eq!(
            bad(r#"{"text":"a"} x"#).to_string(),
            "invalid JSON at column 14: trailing characters"
        );
        assert_eq!(
            bad(r#"{"text":"a","#).to_string(),
            "invalid JSON at column 12: EOF while parsing an object"
        );
    }

    mod utf8 {
        use proptest::prelude::*;

        use crate::record::str_from_utf8;

        proptest! {
            /// The vector check agrees with std's, error position included, on bytes that are
            /// mostly UTF-8 (ASCII, Chinese, emoji) with a stray byte here and there.
            #[test]
            fn test_str_from_utf8_agrees_with_std(
                parts in prop::collection::vec(prop_oneof![
                    4 => "[a-z \"]{1,40}".prop_map(String::into_bytes),
                    4 => "[\u{4e00}-\u{9fff}]{1,30}".prop_map(String::into_bytes),
                    1 => "[\u{1f600}-\u{1f64f}]{1,3}".prop_map(String::into_bytes),
                    1 => prop::collection::vec(any::<u8>(), 1..3),
                ], 0..12),
            ) {
                let bytes = parts.concat();
                let std = std::str::from_utf8(&bytes).map_err(|e| e.valid_up_to());
                prop_assert_eq!(str_from_utf8(&bytes).map_err(|e| e.valid_up_to()), std);
            }
        }
    }

    #[test]
    fn test_invalid_utf8() {
        let line = b"{\"text\":\"caf\xe9\"}";
        assert_eq!(
            parse_json_record(line, &FieldNames::default(), false),
            Err(RecordErrorKind::InvalidUtf8 { offset: 12 })
        );
        assert_eq!(
            RecordErrorKind::InvalidUtf8 { offset: 12 }.to_string(),
            "invalid UTF-8 at byte offset 12"
        );
        let r = parse_json_record(line, &FieldNames::default(), true).unwrap();
        assert_eq!(r.text, "caf\u{fffd}");
        assert!(matches!(r.text, Cow::Owned(_)));
        // Lossy decoding of a line that is valid anyway still borrows.
        let r = parse_json_record(br#"{"text":"ok"}"#, &FieldNames::default(), true).unwrap();
        assert!(matches!(r.text, Cow::Borrowed(_)));
        // Lossy, and still malformed for another reason.
        assert_eq!(
            parse_json_record(b"[\"\xff\"]", &FieldNames::default(), true),
            Err(RecordErrorKind::NotAnObject {
                found: JsonType::Array
            })
        );
        // Invalid UTF-8 in an ignored field is still invalid UTF-8.
        assert_eq!(
            parse_json_record(
                b"{\"text\":\"a\",\"x\":\"\xc3\"}",
                &FieldNames::default(),
                false
            ),
            Err(RecordErrorKind::InvalidUtf8 { offset: 17 })
        );
    }

    #[test]
    fn test_lossy_record_outlives_nothing_borrowed() {
        // The lossy record owns its strings, so it is Record<'static> in effect.
        fn owned() -> Record<'static> {
            let line = b"{\"text\":\"\xff\"}".to_vec();
            parse_json_record(&line, &FieldNames::default(), true)
                .unwrap()
                .into_owned()
        }
        assert_eq!(owned().text, "\u{fffd}");
    }

    #[test]
    fn test_lone_surrogates() {
        for (line, field) in [
            (r#"{"text":"\ud800"}"#, "text"),
            (r#"{"text":"a\udc00b"}"#, "text"),
            (r#"{"text":"\ud800\u0041"}"#, "text"),
            (r#"{"text":"\ud800x"}"#, "text"),
            (r#"{"text":"a","source":"\udfff"}"#, "source"),
            (r#"{"lang":"\ud83d","text":"a"}"#, "lang"),
            (r#"{"x":"\ud800","text":"ok","source":"\ud800"}"#, "source"),
            (r#"{"text":"a","timestamp":"\ud800"}"#, "timestamp"),
        ] {
            assert_eq!(
                bad(line),
                RecordErrorKind::LoneSurrogate {
                    field: field.into()
                },
                "{line}"
            );
        }
        assert_eq!(
            bad(r#"{"text":"\ud800"}"#).to_string(),
            "field \"text\" holds a lone surrogate escape"
        );
        // A proper pair is fine.
        assert_eq!(ok(r#"{"text":"\ud83d\ude00"}"#).text, "😀");
    }

    #[test]
    fn test_ignored_fields_may_hold_any_valid_json() {
        for line in [
            r#"{"text":"a","x":"\ud800"}"#,
            r#"{"x":"\udc00\ud800","text":"a"}"#,
            r#"{"text":"a","x":["\ud800",{"\ud800":"\udfff"}]}"#,
            r#"{"\ud800":1,"text":"a"}"#,
            r#"{"text":"a","\ud800":"\ud800"}"#,
            r#"{"text":"a","x":1e400}"#,
            r#"{"text":"a","x":-1e400,"y":123456789012345678901234567890}"#,
            r#"{"text":"a","x":{"text":1,"text":2}}"#,
            r#"{"text":"a","x":null,"y":true,"z":[],"w":{}}"#,
            r#"{"text":"a","Text":1,"TEXT":[]}"#,
        ] {
            assert_eq!(ok(line).text, "a", "{line}");
        }
        // A lone-surrogate key in an ignored field plus a real problem elsewhere.
        assert_eq!(
            bad(r#"{"\ud800":1,"text":"a","source":2}"#),
            RecordErrorKind::NotAString {
                field: "source".into(),
                found: JsonType::Number
            }
        );
        assert_eq!(
            bad(r#"{"\ud800":1}"#),
            RecordErrorKind::MissingField {
                field: "text".into()
            }
        );
    }

    #[test]
    fn test_deep_nesting_does_not_overflow() {
        let depth = 100_000;
        // Balanced, in an ignored field: valid JSON, skipped without recursion.
        let line = format!(
            r#"{{"text":"a","x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(ok(&line).text, "a");
        // Unbalanced: an error, not a crash.
        let line = format!(r#"{{"text":"a","x":{}}}"#, "[".repeat(depth));
        assert!(matches!(bad(&line), RecordErrorKind::InvalidJson { .. }));
        // In a configured field.
        let line = format!(r#"{{"text":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
        assert_eq!(
            bad(&line),
            RecordErrorKind::NotAString {
                field: "text".into(),
                found: JsonType::Array
            }
        );
        let line = format!(r#"{{"text":{}}}"#, "[{\"a\":".repeat(depth));
        assert!(matches!(bad(&line), RecordErrorKind::InvalidJson { .. }));
        // At the top level.
        let line = "[".repeat(depth);
        assert_eq!(
            bad(&line),
            RecordErrorKind::NotAnObject {
                found: JsonType::Array
            }
        );
        let line = "{\"x\":".repeat(depth);
        assert!(matches!(bad(&line), RecordErrorKind::InvalidJson { .. }));
    }

    #[test]
    fn test_duplicate_fields() {
        assert_eq!(
            bad(r#"{"text":"a","text":"b"}"#).to_string(),
            "field \"text\" appears twice"
        );
        assert_eq!(
            bad(r#"{"text":"a","source":null,"source":"b"}"#),
            RecordErrorKind::DuplicateField {
                field: "source".into()
            }
        );
        // Escapes in keys are decoded before comparing.
        assert_eq!(
            bad(r#"{"text":"a","te\u0078t":"b"}"#),
            RecordErrorKind::DuplicateField {
                field: "text".into()
            }
        );
        assert_eq!(ok(r#"{"te\u0078t":"b"}"#).text, "b");
        // Duplicate ignored keys are fine.
        assert_eq!(ok(r#"{"x":1,"x":2,"text":"a"}"#).text, "a");
    }

    #[test]
    fn test_timestamps() {
        let at = |line: &str| ok(line).timestamp;
        assert_eq!(
            at(r#"{"text":"a","timestamp":1234567890}"#),
            secs("2009-02-13T23:31:30Z")
        );
        assert_eq!(
            at(r#"{"text":"a","timestamp":1234567890.99}"#),
            secs("2009-02-13T23:31:30Z")
        );
        assert_eq!(
            at(r#"{"text":"a","timestamp":1e3}"#),
            Timestamp::from_unix_seconds(1000)
        );
        assert_eq!(
            at(r#"{"text":"a","timestamp":-0.5}"#),
            Timestamp::from_unix_seconds(0)
        );
        assert_eq!(
            at(r#"{"text":"a","timestamp":-86400}"#),
            Timestamp::from_unix_seconds(-86400)
        );
        assert_eq!(
            at(r#"{"text":"a","timestamp":"2009-02-13"}"#),
            secs("2009-02-13")
        );
        assert_eq!(
            at(r#"{"text":"a","timestamp":"2009-02-14 00:31:30+01:00"}"#),
            secs("2009-02-13T23:31:30Z")
        );
        // Escapes are decoded before parsing.
        assert_eq!(
            at(r#"{"text":"a","timestamp":"2009-02-13T23:31:30\u005a"}"#),
            secs("2009-02-13T23:31:30Z")
        );

        let e = bad(r#"{"text":"a","timestamp":"2009-02-30"}"#);
        assert_eq!(
            e.to_string(),
            "field \"timestamp\": invalid timestamp \"2009-02-30\": 2009-02-30 is not a valid date: February 2009 has 28 days"
        );
        match &e {
            RecordErrorKind::InvalidTimestamp { field, error } => {
                assert_eq!(field, "timestamp");
                assert!(matches!(error.kind(), TimestampErrorKind::NoSuchDay { .. }));
            }
            other => panic!("{other:?}"),
        }
        for line in [
            r#"{"text":"a","timestamp":""}"#,
            r#"{"text":"a","timestamp":"1234567890"}"#,
            r#"{"text":"a","timestamp":"yesterday"}"#,
            r#"{"text":"a","timestamp":1e20}"#,
            r#"{"text":"a","timestamp":-1e20}"#,
            r#"{"text":"a","timestamp":253402300800}"#,
            r#"{"text":"a","timestamp":18446744073709551615}"#,
            r#"{"text":"a","timestamp":1e400}"#,
            r#"{"text":"a","timestamp":-1e400}"#,
        ] {
            assert!(
                matches!(bad(line), RecordErrorKind::InvalidTimestamp { .. }),
                "{line}: {:?}",
                bad(line)
            );
        }
    }

    #[test]
    fn test_configured_field_names() {
        let fields = FieldNames {
            text: "content".into(),
            source: "network".into(),
            timestamp: "created_at".into(),
            lang: "language".into(),
        };
        let p = |line: &'static str| parse_json_record(line.as_bytes(), &fields, false);
        let r =
            p(r#"{"content":"hi","network":"x","created_at":0,"language":"en","text":5}"#).unwrap();
        assert_eq!(r.text, "hi");
        assert_eq!(r.source.as_deref(), Some("x"));
        assert_eq!(r.lang.as_deref(), Some("en"));
        assert_eq!(r.timestamp, Timestamp::from_unix_seconds(0));
        // `text` is now an ignored field, so a record with only `text` lacks its text field.
        assert_eq!(
            p(r#"{"text":"hi"}"#).unwrap_err().to_string(),
            "field \"content\" is missing"
        );
        assert_eq!(
            p(r#"{"content":"hi","network":1}"#)
                .unwrap_err()
                .to_string(),
            "field \"network\" is not a string (found a number)"
        );
        assert_eq!(
            p(r#"{"content":"hi","timestamp":"nonsense","source":1}"#)
                .unwrap()
                .text,
            "hi"
        );
    }

    #[test]
    fn test_one_field_in_two_roles() {
        let fields = FieldNames {
            source: "lang".into(),
            ..FieldNames::default()
        };
        let r = parse_json_record(br#"{"text":"a","lang":"en"}"#, &fields, false).unwrap();
        assert_eq!(r.source.as_deref(), Some("en"));
        assert_eq!(r.lang.as_deref(), Some("en"));
        assert_eq!(
            parse_json_record(br#"{"text":"a","lang":"en","lang":"de"}"#, &fields, false),
            Err(RecordErrorKind::DuplicateField {
                field: "lang".into()
            })
        );
        let fields = FieldNames {
            timestamp: "text".into(),
            ..FieldNames::default()
        };
        let r = parse_json_record(br#"{"text":"2009-02-13"}"#, &fields, false).unwrap();
        assert_eq!(r.text, "2009-02-13");
        assert_eq!(r.timestamp, secs("2009-02-13"));
    }

    #[test]
    fn test_error_display_is_lower_case_without_period() {
        let errors = [
            bad("[]"),
            bad("{"),
            bad("{}"),
            bad(r#"{"text":1}"#),
            bad(r#"{"text":"\ud800"}"#),
            bad(r#"{"text":"a","text":"a"}"#),
            bad(r#"{"text":"a","timestamp":[]}"#),
            bad(r#"{"text":"a","timestamp":"x"}"#),
            RecordErrorKind::TooLong {
                len: 20_971_520,
                limit: 1_048_576,
            },
            RecordErrorKind::InvalidUtf8 { offset: 1 },
            RecordErrorKind::CellCount {
                expected: 3,
                found: 2,
            },
            RecordErrorKind::UnterminatedQuote,
            RecordErrorKind::TextAfterQuote { cell: 2 },
        ];
        for e in errors {
            let s = e.to_string();
            assert!(!s.ends_with('.'), "{s}");
            assert!(!s.starts_with(|c: char| c.is_ascii_uppercase()), "{s}");
        }
        assert_eq!(
            RecordErrorKind::TooLong {
                len: 20_971_520,
                limit: 1_048_576
            }
            .to_string(),
            "record of 20971520 bytes exceeds the limit of 1048576 bytes"
        );
    }

    #[test]
    fn test_never_panics_on_mutated_lines() {
        let base = br#"{"text":"a\u00e9\ud83d\ude00","source":"s","timestamp":"2009-02-13T23:31:30Z","lang":null,"x":[1,{"y":"\ud800"}]}"#;
        let fields = FieldNames::default();
        for i in 0..base.len() {
            let mut line = base.to_vec();
            line.truncate(i);
            let _ = parse_json_record(&line, &fields, false);
            for b in [
                b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b'0', 0xff, b'u',
            ] {
                let mut line = base.to_vec();
                if let Some(slot) = line.get_mut(i) {
                    *slot = b;
                }
                let _ = parse_json_record(&line, &fields, false);
                let _ = parse_json_record(&line, &fields, true);
            }
        }
    }
}
