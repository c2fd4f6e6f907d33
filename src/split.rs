//! Cutting an input stream into records with bounded memory, and parsing CSV records.
//!
//! A [`Splitter`] reads JSON Lines or CSV from any [`BufRead`] and hands out one raw record at
//! a time ([`RawRecord`]): its starting line number and its bytes, appended to a buffer the
//! caller owns. It never buffers more than the record size limit of one record: a longer
//! record is read on to its end without being kept, and reported as too long (SEMANTICS.md
//! §6). Turning the bytes into a [`Record`] is a separate step
//! ([`crate::record::parse_json_record`] or [`CsvColumns::parse`]), so that it can run in
//! parallel.
//!
//! # Input conventions
//!
//! - A UTF-8 byte order mark (`EF BB BF`) at the very start of the input is skipped (Excel
//!   writes one in front of "CSV UTF-8" files). Anywhere else it is part of the data.
//! - Line numbers are 1-based and count every `\n` of the input, including those of blank
//!   lines, of the CSV header and inside quoted CSV cells. A record's line number is the line
//!   it starts on.
//! - A record made only of spaces, tabs and `\r` (or nothing) is skipped, after the size
//!   check: not a record, not an error.
//!
//! # CSV
//!
//! CSV follows RFC 4180 with `,` as the separator: the first non-blank record is the header
//! (the column names, compared exactly with the [`FieldNames`]); a cell may be quoted with
//! `"`, and inside quotes `""` stands for one `"` and line breaks are part of the cell.
//! Records end at a `\n` outside quotes; one `\r` before it is dropped. A `"` that does not
//! start a cell is an ordinary character (`5" disk` is one cell). The header must name the
//! text column; the source, timestamp and language columns are optional. In a record:
//! - every record has exactly as many cells as the header has columns;
//! - an empty cell (nothing, or `""`) in the source, timestamp or language column means absent;
//!   an empty text cell is an empty text;
//! - a timestamp cell holds one of the string forms of [`Timestamp::parse`], or a bare
//!   integer (`-?[0-9]+`) of Unix seconds;
//! - a quoted cell must be followed by `,` or the end of the record (`"ab"c` is malformed);
//! - a quote left open runs to the end of the input, which is then one malformed record
//!   (or one too-long record) starting at the line of the quote's record.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead};
use std::ops::Range;

use memchr::{memchr, memchr2, memchr_iter};

use crate::record::{FieldNames, Record, RecordErrorKind};
use crate::timestamp::Timestamp;

/// The UTF-8 byte order mark.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
/// How many header columns an error message lists before `…`.
const MAX_LISTED_COLUMNS: usize = 20;

/// The format of an input stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// JSON Lines: one JSON object per line (SEMANTICS.md §6). Name: `jsonl`.
    JsonLines,
    /// CSV with a header row (see the module documentation). Name: `csv`.
    Csv,
}

impl InputFormat {
    /// Returns the name of the format: `jsonl` or `csv`.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::JsonLines => "jsonl",
            InputFormat::Csv => "csv",
        }
    }
}

impl fmt::Display for InputFormat {
    /// Writes the name: `jsonl` or `csv`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for InputFormat {
    type Err = ParseInputFormatError;

    /// Parses `jsonl` or `csv` (lower case, as printed by `Display`).
    fn from_str(s: &str) -> Result<InputFormat, ParseInputFormatError> {
        match s {
            "jsonl" => Ok(InputFormat::JsonLines),
            "csv" => Ok(InputFormat::Csv),
            _ => Err(ParseInputFormatError {
                input: s.chars().take(64).collect(),
            }),
        }
    }
}

/// The error of parsing an unknown [`InputFormat`] name.
///
/// Display: `unknown input format "xml": expected one of jsonl, csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseInputFormatError {
    input: String,
}

impl fmt::Display for ParseInputFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown input format {:?}: expected one of jsonl, csv",
            self.input
        )
    }
}

impl std::error::Error for ParseInputFormatError {}

/// One raw record cut from the input: its 1-based starting line number and either its bytes
/// (appended into a caller buffer) or the fact that it was too long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    /// The 1-based line number the record starts on.
    pub line: u64,
    /// Where the record's bytes are in the caller's buffer (without the final `\n`, and for
    /// CSV without a `\r` before it). Empty when the record is too long.
    pub range: Range<usize>,
    /// The record's full length in bytes (without its `\n`) when it exceeds the limit; its
    /// bytes were then skipped, not buffered.
    pub too_long: Option<u64>,
}

impl RawRecord {
    /// Returns the error of a too-long record, or `None` for a record within the limit.
    pub fn too_long_error(&self, limit: usize) -> Option<RecordErrorKind> {
        self.too_long.map(|len| RecordErrorKind::TooLong {
            len,
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        })
    }
}

/// Cuts a JSON Lines or CSV stream into records, buffering at most one record's limit.
///
/// Reads through the `BufRead`'s own buffer with `fill_buf`/`consume`, searching it with
/// `memchr`, so the only copy of a record is the one appended to the caller's buffer.
/// [`io::ErrorKind::Interrupted`] is retried; any other I/O error is returned, and the
/// splitter should not be used afterwards.
#[derive(Debug)]
pub struct Splitter<R: BufRead> {
    reader: R,
    format: InputFormat,
    max: usize,
    /// The line number of the next byte to read.
    next_line: u64,
    /// Whether the byte order mark check at the start of the input is done.
    bom_checked: bool,
    /// Bytes consumed while checking for a byte order mark that turned out to be data.
    pending: Vec<u8>,
    /// Whether the CSV header has been read (or the input found empty).
    header_read: bool,
    header: Option<Vec<String>>,
    /// The header's problem, repeated on every later call.
    header_error: Option<String>,
}

impl<R: BufRead> Splitter<R> {
    /// Creates a splitter over `reader` for `format`, with a record size limit of
    /// `max_record_bytes` (counting a record's bytes without its final `\n`).
    pub fn new(reader: R, format: InputFormat, max_record_bytes: usize) -> Splitter<R> {
        Splitter {
            reader,
            format,
            max: max_record_bytes,
            next_line: 1,
            bom_checked: false,
            pending: Vec::new(),
            header_read: false,
            header: None,
            header_error: None,
        }
    }

    /// The header of a CSV input (field names in order), read by the Splitter from the first
    /// record.
    ///
    /// `None` for JSON Lines, for an empty CSV input, and before the header was read (by
    /// [`Splitter::read_header`] or the first [`Splitter::next_record`]).
    #[cfg(test)]
    pub fn header(&self) -> Option<&[String]> {
        self.header.as_deref()
    }

    /// Reads the CSV header now if it has not been read yet, and returns it (`None` for JSON
    /// Lines or an empty input). Use it to build the [`CsvColumns`] before the first record.
    ///
    /// # Errors
    ///
    /// An I/O error of the reader, or [`io::ErrorKind::InvalidData`] when the header is longer
    /// than the record size limit, is not valid UTF-8, or ends inside a quoted cell. The same
    /// error is returned again by every later call.
    pub fn read_header(&mut self) -> io::Result<Option<&[String]>> {
        if self.format == InputFormat::Csv && !self.header_read {
            self.header_read = true;
            let mut bytes = Vec::new();
            match self.read_raw(&mut bytes)? {
                None => {}
                Some(raw) => match parse_header(&raw, &bytes, self.max) {
                    Ok(header) => self.header = Some(header),
                    Err(message) => self.header_error = Some(message),
                },
            }
        }
        if let Some(message) = &self.header_error {
            return Err(io::Error::new(io::ErrorKind::InvalidData, message.clone()));
        }
        Ok(self.header.as_deref())
    }

    /// Appends the next non-blank record's bytes to `buf`. Returns `Ok(None)` at the end of the
    /// input.
    ///
    /// At most `max_record_bytes` of one record are ever appended (and `buf` is not grown
    /// beyond that for it): an over-long record is skipped by reading on to its end without
    /// buffering it, and reported with `too_long = Some(len)` and an empty range. Blank
    /// records are skipped (after the size check). For CSV, the header is read first and is
    /// not returned as a record. `buf` is only appended to, never cleared.
    ///
    /// # Errors
    ///
    /// An I/O error of the reader; for CSV, also the header errors of
    /// [`Splitter::read_header`].
    pub fn next_record(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<RawRecord>> {
        if self.format == InputFormat::Csv {
            self.read_header()?;
        }
        self.read_raw(buf)
    }

    /// Skips a byte order mark at the start of the input. Bytes that began like one but were
    /// not one, and had to be consumed to find out, go to `pending`.
    fn skip_bom(&mut self) -> io::Result<()> {
        self.bom_checked = true;
        let mut matched = 0;
        while matched < BOM.len() {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            let want = BOM.get(matched..).unwrap_or(&[]);
            let n = chunk.iter().zip(want).take_while(|(a, b)| a == b).count();
            if n < want.len().min(chunk.len()) {
                // Not a byte order mark; this chunk's bytes stay in the reader.
                break;
            }
            self.reader.consume(n);
            matched += n;
        }
        if matched < BOM.len() {
            self.pending
                .extend_from_slice(BOM.get(..matched).unwrap_or(&[]));
        }
        Ok(())
    }

    /// Cuts the next non-blank record (the header too, for CSV).
    fn read_raw(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<RawRecord>> {
        if !self.bom_checked {
            self.skip_bom()?;
        }
        loop {
            let line = self.next_line;
            let mut cut = Cut::new(self.format, buf.len(), self.max);
            let mut ended = false;
            if !self.pending.is_empty() {
                // Never a line end or a quote: only a prefix of the byte order mark.
                let pending = std::mem::take(&mut self.pending);
                let step = cut.feed(&pending, buf);
                self.next_line += step.newlines;
                ended = step.ended;
            }
            while !ended {
                let chunk = match self.reader.fill_buf() {
                    Ok(chunk) => chunk,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if chunk.is_empty() {
                    break;
                }
                let step = cut.feed(chunk, buf);
                self.reader.consume(step.consumed);
                self.next_line += step.newlines;
                ended = step.ended;
            }
            if !ended && cut.len == 0 {
                return Ok(None);
            }
            if cut.over {
                return Ok(Some(RawRecord {
                    line,
                    range: cut.start..cut.start,
                    too_long: Some(cut.len),
                }));
            }
            let start = cut.start;
            let record = buf.get(start..).unwrap_or(&[]);
            if record.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r')) {
                buf.truncate(start);
                if ended {
                    continue;
                }
                return Ok(None);
            }
            if self.format == InputFormat::Csv
                && !cut.csv.in_quotes()
                && record.last() == Some(&b'\r')
            {
                buf.pop();
            }
            return Ok(Some(RawRecord {
                line,
                range: start..buf.len(),
                too_long: None,
            }));
        }
    }
}

/// The outcome of feeding one chunk to a [`Cut`].
struct Step {
    /// Bytes of the chunk used (the record's bytes plus its `\n` when it ended).
    consumed: usize,
    /// Whether the record's terminating `\n` was found.
    ended: bool,
    /// `\n` bytes consumed.
    newlines: u64,
}

/// The state of cutting one record.
struct Cut {
    format: InputFormat,
    csv: CsvScan,
    /// Where the record starts in the caller's buffer.
    start: usize,
    /// The largest length the caller's buffer may reach for this record.
    limit_len: usize,
    max: u64,
    /// The record's length so far, without its `\n`.
    len: u64,
    /// Whether the record is over the limit (its bytes are then dropped).
    over: bool,
}

impl Cut {
    fn new(format: InputFormat, start: usize, max: usize) -> Cut {
        Cut {
            format,
            csv: CsvScan::default(),
            start,
            limit_len: start.saturating_add(max),
            max: u64::try_from(max).unwrap_or(u64::MAX),
            len: 0,
            over: false,
        }
    }

    fn feed(&mut self, chunk: &[u8], buf: &mut Vec<u8>) -> Step {
        let (n, ended) = match self.format {
            InputFormat::JsonLines => match memchr(b'\n', chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            },
            InputFormat::Csv => self.csv.feed(chunk),
        };
        let part = chunk.get(..n).unwrap_or(chunk);
        let mut newlines = u64::from(ended);
        if self.format == InputFormat::Csv {
            // Line breaks inside quoted cells.
            newlines += memchr_iter(b'\n', part).count() as u64;
        }
        self.len += part.len() as u64;
        if !self.over {
            if self.len <= self.max {
                append_bounded(buf, part, self.limit_len);
            } else {
                self.over = true;
                buf.truncate(self.start);
            }
        }
        Step {
            consumed: n + usize::from(ended),
            ended,
            newlines,
        }
    }
}

/// Appends `data`, growing `buf` geometrically but never past `limit_len` (unless `data`
/// itself needs more, which the caller rules out).
fn append_bounded(buf: &mut Vec<u8>, data: &[u8], limit_len: usize) {
    let needed = buf.len() + data.len();
    if needed > buf.capacity() {
        let target = buf
            .capacity()
            .saturating_mul(2)
            .max(needed)
            .min(limit_len)
            .max(needed);
        buf.reserve_exact(target - buf.len());
    }
    buf.extend_from_slice(data);
}

/// Where a CSV scan is relative to quotes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Quote {
    /// Outside quotes.
    #[default]
    Outside,
    /// Inside a quoted cell.
    Inside,
    /// Just after a `"` inside a quoted cell: either the closing quote or the first half of
    /// `""`, depending on the next byte.
    Pending,
}

/// Finds the end of a CSV record across chunks: the first `\n` outside quotes. A `"` opens a
/// quoted cell only at the start of a cell (after a `,` or at the start of the record), as
/// [`for_each_cell`] reads it.
#[derive(Clone, Copy, Debug, Default)]
struct CsvScan {
    quote: Quote,
    /// The last byte of the record before the current chunk (`None` at the record's start).
    prev: Option<u8>,
}

impl CsvScan {
    fn in_quotes(&self) -> bool {
        self.quote == Quote::Inside
    }

    /// Returns how many bytes of `chunk` belong to the record, and whether a `\n` ending it
    /// follows them.
    fn feed(&mut self, chunk: &[u8]) -> (usize, bool) {
        let mut i = 0;
        loop {
            let rest = chunk.get(i..).unwrap_or(&[]);
            match self.quote {
                Quote::Inside => match memchr(b'"', rest) {
                    Some(j) => {
                        i += j + 1;
                        self.quote = Quote::Pending;
                    }
                    None => break,
                },
                Quote::Pending => match rest.first() {
                    None => break,
                    Some(b'"') => {
                        i += 1;
                        self.quote = Quote::Inside;
                    }
                    Some(_) => self.quote = Quote::Outside,
                },
                Quote::Outside => match memchr2(b'\n', b'"', rest) {
                    None => break,
                    Some(j) => {
                        let p = i + j;
                        if chunk.get(p) == Some(&b'\n') {
                            self.prev = None;
                            return (p, true);
                        }
                        let before = match p.checked_sub(1) {
                            Some(q) => chunk.get(q).copied(),
                            None => self.prev,
                        };
                        if matches!(before, None | Some(b',')) {
                            self.quote = Quote::Inside;
                        }
                        i = p + 1;
                    }
                },
            }
        }
        if let Some(&last) = chunk.last() {
            self.prev = Some(last);
        }
        (chunk.len(), false)
    }
}

/// Splits one CSV record into cells, calling `f(index, cell)` for each; returns the number of
/// cells. Quoted cells without `""` and unquoted cells borrow from `s`.
fn for_each_cell<'a>(
    s: &'a str,
    mut f: impl FnMut(usize, Cow<'a, str>),
) -> Result<usize, RecordErrorKind> {
    let b = s.as_bytes();
    let mut pos = 0;
    let mut index = 0;
    loop {
        if b.get(pos) == Some(&b'"') {
            let start = pos + 1;
            let mut i = start;
            let mut escaped = false;
            let close = loop {
                match memchr(b'"', b.get(i..).unwrap_or(&[])) {
                    None => return Err(RecordErrorKind::UnterminatedQuote),
                    Some(j) => {
                        let q = i + j;
                        if b.get(q + 1) == Some(&b'"') {
                            escaped = true;
                            i = q + 2;
                        } else {
                            break q;
                        }
                    }
                }
            };
            // `start` and `close` are next to ASCII quotes, so they are char boundaries.
            let inner = s.get(start..close).unwrap_or("");
            let cell = if escaped {
                Cow::Owned(inner.replace("\"\"", "\""))
            } else {
                Cow::Borrowed(inner)
            };
            f(index, cell);
            index += 1;
            pos = close + 1;
            match b.get(pos) {
                None => return Ok(index),
                Some(b',') => pos += 1,
                Some(_) => return Err(RecordErrorKind::TextAfterQuote { cell: index }),
            }
        } else {
            let rest = s.get(pos..).unwrap_or("");
            match memchr(b',', rest.as_bytes()) {
                None => {
                    f(index, Cow::Borrowed(rest));
                    return Ok(index + 1);
                }
                Some(j) => {
                    f(index, Cow::Borrowed(rest.get(..j).unwrap_or("")));
                    index += 1;
                    pos += j + 1;
                }
            }
        }
    }
}

/// Parses the header record into column names, or explains why it cannot be one.
fn parse_header(raw: &RawRecord, bytes: &[u8], max: usize) -> Result<Vec<String>, String> {
    let line = raw.line;
    if let Some(len) = raw.too_long {
        return Err(format!(
            "the CSV header (line {line}) of {len} bytes exceeds the record size limit of {max} bytes"
        ));
    }
    let bytes = bytes.get(raw.range.clone()).unwrap_or(&[]);
    let s = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the CSV header (line {line}) is not valid UTF-8 at byte offset {}",
            e.valid_up_to()
        )
    })?;
    let mut names = Vec::new();
    for_each_cell(s, |_, cell| names.push(cell.into_owned()))
        .map_err(|kind| format!("the CSV header (line {line}) is malformed: {kind}"))?;
    Ok(names)
}

/// Where the configured fields are in a CSV header: the mapping from cells to a [`Record`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvColumns {
    columns: usize,
    text: usize,
    source: Option<usize>,
    timestamp: Option<usize>,
    lang: Option<usize>,
    timestamp_name: String,
}

/// A header that cannot be mapped.
enum ColumnProblem {
    Missing(String),
    Duplicate(String, usize),
}

impl CsvColumns {
    /// Finds the configured columns in `header`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidData`] when the header has no text column (the message names
    /// the missing column and lists the header), or when a configured column appears more than
    /// once.
    pub fn new(header: &[String], fields: &FieldNames) -> io::Result<CsvColumns> {
        CsvColumns::locate(header, fields).map_err(|problem| {
            let message = match problem {
                ColumnProblem::Missing(name) => format!(
                    "the CSV header has no column {name:?} for the text (columns: {})",
                    list_columns(header)
                ),
                ColumnProblem::Duplicate(name, count) => {
                    format!("column {name:?} appears {count} times in the CSV header")
                }
            };
            io::Error::new(io::ErrorKind::InvalidData, message)
        })
    }

    fn locate(header: &[String], fields: &FieldNames) -> Result<CsvColumns, ColumnProblem> {
        let find = |name: &str| -> Result<Option<usize>, ColumnProblem> {
            let mut found = header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.as_str() == name);
            let first = found.next().map(|(i, _)| i);
            let more = found.count();
            if more > 0 {
                return Err(ColumnProblem::Duplicate(name.to_owned(), more + 1));
            }
            Ok(first)
        };
        let text =
            find(&fields.text)?.ok_or_else(|| ColumnProblem::Missing(fields.text.clone()))?;
        Ok(CsvColumns {
            columns: header.len(),
            text,
            source: find(&fields.source)?,
            timestamp: find(&fields.timestamp)?,
            lang: find(&fields.lang)?,
            timestamp_name: fields.timestamp.clone(),
        })
    }

    /// Parses one CSV record's bytes (a [`RawRecord`]'s range) into a [`Record`]. With
    /// `lossy`, invalid UTF-8 is replaced (U+FFFD) instead of being an error, and the record
    /// owns its strings.
    ///
    /// # Errors
    ///
    /// Returns the reason the record is malformed: invalid UTF-8, a cell count different from
    /// the header's, an unterminated quote, text after a closing quote, or a timestamp cell
    /// that does not parse.
    pub fn parse<'a>(&self, bytes: &'a [u8], lossy: bool) -> Result<Record<'a>, RecordErrorKind> {
        match crate::record::str_from_utf8(bytes) {
            Ok(s) => self.parse_str(s),
            Err(e) if !lossy => Err(RecordErrorKind::InvalidUtf8 {
                offset: e.valid_up_to(),
            }),
            Err(_) => {
                let owned = String::from_utf8_lossy(bytes).into_owned();
                self.parse_str(&owned).map(Record::into_owned)
            }
        }
    }

    /// Parses one CSV record that is already a `&str`; see [`CsvColumns::parse`].
    ///
    /// # Errors
    ///
    /// As [`CsvColumns::parse`], except for invalid UTF-8.
    pub fn parse_str<'a>(&self, s: &'a str) -> Result<Record<'a>, RecordErrorKind> {
        let mut text = None;
        let mut source = None;
        let mut timestamp = None;
        let mut lang = None;
        let found = for_each_cell(s, |i, cell| {
            if i == self.text {
                text = Some(cell.clone());
            }
            if Some(i) == self.source {
                source = Some(cell.clone());
            }
            if Some(i) == self.timestamp {
                timestamp = Some(cell.clone());
            }
            if Some(i) == self.lang {
                lang = Some(cell);
            }
        })?;
        if found != self.columns {
            return Err(RecordErrorKind::CellCount {
                expected: self.columns,
                found,
            });
        }
        let non_empty = |cell: Option<Cow<'a, str>>| cell.filter(|c| !c.is_empty());
        let timestamp = match non_empty(timestamp) {
            None => None,
            Some(cell) => {
                let parsed = Timestamp::parse_unix_seconds_text(&cell)
                    .unwrap_or_else(|| Timestamp::parse(&cell));
                match parsed {
                    Ok(ts) => Some(ts),
                    Err(error) => {
                        return Err(RecordErrorKind::InvalidTimestamp {
                            field: self.timestamp_name.clone(),
                            error,
                        })
                    }
                }
            }
        };
        Ok(Record {
            // Always found when the cell count matches; an empty text otherwise can't happen.
            text: text.unwrap_or(Cow::Borrowed("")),
            source: non_empty(source),
            timestamp,
            lang: non_empty(lang),
        })
    }
}

fn list_columns(header: &[String]) -> String {
    let mut out = header
        .iter()
        .take(MAX_LISTED_COLUMNS)
        .map(|h| format!("{h:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if header.len() > MAX_LISTED_COLUMNS {
        out.push_str(&format!(" and {} more", header.len() - MAX_LISTED_COLUMNS));
    }
    out
}

/// Parses one CSV record's bytes into a Record using the header and FieldNames.
///
/// A convenience over [`CsvColumns`], which finds the columns once for a whole input (prefer
/// it for streams). The rules are those of the module documentation: an empty cell for
/// source/lang/timestamp is absent, a timestamp cell holds a string form of
/// [`Timestamp::parse`] or a bare integer of Unix seconds, and a wrong number of cells or an
/// unterminated quote makes the record malformed.
///
/// # Errors
///
/// Returns the reason the record is malformed (see [`CsvColumns::parse`]); a header without
/// the text column gives [`RecordErrorKind::MissingField`], a configured column that appears
/// twice in the header [`RecordErrorKind::DuplicateField`].
#[cfg(test)]
pub fn parse_csv_record<'a>(
    bytes: &'a [u8],
    header: &[String],
    fields: &FieldNames,
    lossy: bool,
) -> Result<Record<'a>, RecordErrorKind> {
    let columns = CsvColumns::locate(header, fields).map_err(|problem| match problem {
        ColumnProblem::Missing(field) => RecordErrorKind::MissingField { field },
        ColumnProblem::Duplicate(field, _) => RecordErrorKind::DuplicateField { field },
    })?;
    columns.parse(bytes, lossy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Read};

    /// Everything a splitter produces, as comparable data.
    #[derive(Debug, PartialEq, Eq)]
    enum Item {
        Record(u64, Vec<u8>),
        TooLong(u64, u64),
    }

    fn split_with<R: BufRead>(
        reader: R,
        format: InputFormat,
        max: usize,
    ) -> io::Result<(Vec<Item>, Option<Vec<String>>)> {
        let mut s = Splitter::new(reader, format, max);
        let mut items = Vec::new();
        let mut buf = Vec::new();
        while let Some(raw) = s.next_record(&mut buf)? {
            match raw.too_long {
                Some(len) => {
                    assert!(raw.range.is_empty());
                    items.push(Item::TooLong(raw.line, len));
                }
                None => items.push(Item::Record(raw.line, buf[raw.range].to_vec())),
            }
            buf.clear();
        }
        // End of input is sticky.
        assert!(s.next_record(&mut buf)?.is_none());
        Ok((items, s.header().map(<[String]>::to_vec)))
    }

    /// Splits `input` with every BufReader capacity from 1 to 16 and a large one, checks they
    /// all agree, and returns the result.
    fn split(input: &[u8], format: InputFormat, max: usize) -> (Vec<Item>, Option<Vec<String>>) {
        let expected = split_with(BufReader::with_capacity(1 << 16, input), format, max).unwrap();
        for cap in 1..=16 {
            let got = split_with(BufReader::with_capacity(cap, input), format, max).unwrap();
            assert_eq!(got, expected, "capacity {cap}");
        }
        // A plain slice is a BufRead too.
        assert_eq!(split_with(input, format, max).unwrap(), expected);
        expected
    }

    fn rec(line: u64, bytes: &str) -> Item {
        Item::Record(line, bytes.as_bytes().to_vec())
    }

    fn jsonl(input: &str, max: usize) -> Vec<Item> {
        split(input.as_bytes(), InputFormat::JsonLines, max).0
    }

    #[test]
    fn test_jsonl_lines_and_line_numbers() {
        assert_eq!(jsonl("", 100), vec![]);
        assert_eq!(jsonl("\n\n", 100), vec![]);
        assert_eq!(jsonl("a", 100), vec![rec(1, "a")]);
        assert_eq!(jsonl("a\n", 100), vec![rec(1, "a")]);
        assert_eq!(jsonl("a\nb", 100), vec![rec(1, "a"), rec(2, "b")]);
        assert_eq!(
            jsonl("\n  \t\r\na\n\r\n\nb\r\n \n", 100),
            vec![rec(3, "a"), rec(6, "b\r")]
        );
        assert_eq!(jsonl("a\r\nb\r\n", 100), vec![rec(1, "a\r"), rec(2, "b\r")]);
        assert_eq!(jsonl(" x \n", 100), vec![rec(1, " x ")]);
        // Other whitespace is not blank.
        assert_eq!(
            jsonl("\u{b}\n\u{c}\n", 100),
            vec![rec(1, "\u{b}"), rec(2, "\u{c}")]
        );
        assert_eq!(jsonl("\u{a0}", 100), vec![rec(1, "\u{a0}")]);
        // A final blank line without a newline.
        assert_eq!(jsonl("a\n  ", 100), vec![rec(1, "a")]);
    }

    #[test]
    fn test_jsonl_size_limit() {
        assert_eq!(
            jsonl("12345\n123456\n1234567\nx", 6),
            vec![
                rec(1, "12345"),
                rec(2, "123456"),
                Item::TooLong(3, 7),
                rec(4, "x")
            ]
        );
        // The limit counts the \r but not the \n, and is checked before blankness.
        assert_eq!(
            jsonl("123456\r\n       \nab", 6),
            vec![Item::TooLong(1, 7), Item::TooLong(2, 7), rec(3, "ab")]
        );
        assert_eq!(jsonl("\n\nabc", 0), vec![Item::TooLong(3, 3)]);
        assert_eq!(jsonl("abcdefgh", 3), vec![Item::TooLong(1, 8)]);
    }

    #[test]
    fn test_appends_to_the_callers_buffer() {
        let mut s = Splitter::new(&b"ab\ncd\n"[..], InputFormat::JsonLines, 10);
        let mut buf = b"xyz".to_vec();
        let r1 = s.next_record(&mut buf).unwrap().unwrap();
        let r2 = s.next_record(&mut buf).unwrap().unwrap();
        assert_eq!(&buf[r1.range.clone()], b"ab");
        assert_eq!(&buf[r2.range.clone()], b"cd");
        assert_eq!(buf, b"xyzabcd");
        assert_eq!((r1.line, r2.line), (1, 2));
        assert!(s.next_record(&mut buf).unwrap().is_none());
        assert_eq!(r1.too_long_error(10), None);
    }

    /// A reader of `len` bytes of `byte`, then `tail`, without holding them in memory.
    fn big(byte: u8, len: u64, tail: &'static [u8]) -> impl Read {
        io::repeat(byte).take(len).chain(tail)
    }

    #[test]
    fn test_huge_line_is_skipped_with_bounded_memory() {
        const MIB: usize = 1 << 20;
        let long = 20 * MIB as u64;
        let input = big(b'a', long, b"\n{\"text\":\"after\"}\n");
        let mut s = Splitter::new(BufReader::new(input), InputFormat::JsonLines, MIB);
        let mut buf = Vec::new();
        let raw = s.next_record(&mut buf).unwrap().unwrap();
        assert_eq!(raw.line, 1);
        assert_eq!(raw.too_long, Some(long));
        assert!(buf.is_empty());
        assert!(buf.capacity() <= MIB, "capacity {}", buf.capacity());
        assert_eq!(
            raw.too_long_error(MIB).unwrap().to_string(),
            "record of 20971520 bytes exceeds the limit of 1048576 bytes"
        );
        let raw = s.next_record(&mut buf).unwrap().unwrap();
        assert_eq!(
            (raw.line, &buf[raw.range]),
            (2, &b"{\"text\":\"after\"}"[..])
        );
        assert!(s.next_record(&mut buf).unwrap().is_none());
        assert!(buf.capacity() <= MIB);

        // Just at the limit: buffered, and the buffer is no larger than the record needs.
        let input = big(b'b', MIB as u64, b"\n");
        let mut s = Splitter::new(
            BufReader::with_capacity(1000, input),
            InputFormat::JsonLines,
            MIB,
        );
        let mut buf = Vec::new();
        let raw = s.next_record(&mut buf).unwrap().unwrap();
        assert_eq!(raw.range, 0..MIB);
        assert_eq!(buf.capacity(), MIB);

        // Same for a huge quoted CSV cell spanning lines.
        let input = io::Cursor::new(b"text\n\"".to_vec()).chain(big(b'\n', long, b"\"\nok\n"));
        let mut s = Splitter::new(BufReader::new(input), InputFormat::Csv, MIB);
        let mut buf = Vec::new();
        let raw = s.next_record(&mut buf).unwrap().unwrap();
        assert_eq!((raw.line, raw.too_long), (2, Some(long + 2)));
        assert!(buf.capacity() <= MIB);
        let raw = s.next_record(&mut buf).unwrap().unwrap();
        assert_eq!((raw.line, &buf[raw.range]), (long + 3, &b"ok"[..]));
    }

    #[test]
    fn test_byte_order_mark() {
        assert_eq!(jsonl("\u{feff}a\nb", 100), vec![rec(1, "a"), rec(2, "b")]);
        // Only at the start of the input.
        assert_eq!(
            jsonl("a\n\u{feff}b", 100),
            vec![rec(1, "a"), rec(2, "\u{feff}b")]
        );
        // Prefixes of a mark are data.
        for input in [
            &b"\xef"[..],
            b"\xefx\n",
            b"\xef\xbb",
            b"\xef\xbbx",
            b"\xef\xbb\n",
            b"\xef\n",
            b"\xbb\xbf",
        ] {
            let items = split(input, InputFormat::JsonLines, 100).0;
            let first_line = input.split(|&b| b == b'\n').next().unwrap();
            assert_eq!(
                items,
                vec![Item::Record(1, first_line.to_vec())],
                "{input:?}"
            );
        }
        assert_eq!(
            split(b"\xef\xbb\xbf", InputFormat::JsonLines, 100).0,
            vec![]
        );
        let (items, header) = split(
            "\u{feff}text,source\r\nhi,x\r\n".as_bytes(),
            InputFormat::Csv,
            100,
        );
        assert_eq!(header, Some(vec!["text".to_owned(), "source".to_owned()]));
        assert_eq!(items, vec![rec(2, "hi,x")]);
    }

    fn csv(input: &str, max: usize) -> (Vec<Item>, Option<Vec<String>>) {
        split(input.as_bytes(), InputFormat::Csv, max)
    }

    fn header(names: &[&str]) -> Option<Vec<String>> {
        Some(names.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn test_csv_splitting() {
        assert_eq!(csv("", 100), (vec![], None));
        assert_eq!(csv("\n \n", 100), (vec![], None));
        assert_eq!(csv("text", 100), (vec![], header(&["text"])));
        assert_eq!(
            csv(
                "\ntext,source\r\n\r\nhi,blog\r\n\"a\nb\",x\n  \nlast,y",
                100
            ),
            (
                vec![rec(4, "hi,blog"), rec(5, "\"a\nb\",x"), rec(8, "last,y")],
                header(&["text", "source"])
            )
        );
        // Quoted line breaks, CRLF inside quotes, escaped quotes, commas in quotes.
        assert_eq!(
            csv(
                "text\n\"a\r\nb\"\r\n\"say \"\"hi\"\"\nthere\"\n\"x,y\"\n",
                100
            )
            .0,
            vec![
                rec(2, "\"a\r\nb\""),
                rec(4, "\"say \"\"hi\"\"\nthere\""),
                rec(6, "\"x,y\"")
            ]
        );
        // A quote inside an unquoted cell does not open a quoted region.
        assert_eq!(
            csv("text,n\n5\" disk,1\nb\"x,\"2\n3\"\nc,d\n", 100).0,
            vec![rec(2, "5\" disk,1"), rec(3, "b\"x,\"2\n3\""), rec(5, "c,d")]
        );
        // Header cells are unquoted and unescaped.
        assert_eq!(
            csv("\"te\"\"xt\",\"a,b\",\"\"\n", 100).1,
            header(&["te\"xt", "a,b", ""])
        );
        // A quoted blank record is not blank.
        assert_eq!(csv("text\n\" \"\n", 100).0, vec![rec(2, "\" \"")]);
        // Only one \r is dropped, and only at the record's end.
        assert_eq!(csv("text\na\r\r\n", 100).0, vec![rec(2, "a\r")]);
        assert_eq!(csv("text\na\r", 100).0, vec![rec(2, "a")]);
    }

    #[test]
    fn test_csv_unterminated_quote_runs_to_the_end() {
        let (items, _) = csv("text,n\nok,1\n\"open,2\nmore,3\n\nend", 100);
        assert_eq!(
            items,
            vec![rec(2, "ok,1"), rec(3, "\"open,2\nmore,3\n\nend")]
        );
        let (items, _) = csv("text,n\n\"open,2\nmore,3\n", 100);
        assert_eq!(items, vec![rec(2, "\"open,2\nmore,3\n")]);
        let (items, _) = csv("text\n\"open,2\nmore,3\n", 5);
        assert_eq!(items, vec![Item::TooLong(2, 15)]);
        // And parses as malformed.
        let h = header(&["text", "n"]).unwrap();
        assert_eq!(
            parse_csv_record(b"\"open,2\nmore,3\n", &h, &FieldNames::default(), false),
            Err(RecordErrorKind::UnterminatedQuote)
        );
    }

    #[test]
    fn test_csv_size_limit() {
        let (items, _) = csv("text\n1234\n12345\n\"1\n\"\n\"1\n\n4\"\nz", 4);
        assert_eq!(
            items,
            vec![
                rec(2, "1234"),
                Item::TooLong(3, 5),
                rec(4, "\"1\n\""),
                Item::TooLong(6, 6),
                rec(9, "z")
            ]
        );
    }

    #[test]
    fn test_csv_header_errors() {
        let err = |input: &[u8], max: usize| {
            let mut s = Splitter::new(input, InputFormat::Csv, max);
            let mut buf = Vec::new();
            let e = s.next_record(&mut buf).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
            // Sticky.
            let again = s.next_record(&mut buf).unwrap_err();
            assert_eq!(again.to_string(), e.to_string());
            e.to_string()
        };
        assert_eq!(
            err(b"\ntext,source,timestamp\na,b,c\n", 10),
            "the CSV header (line 2) of 21 bytes exceeds the record size limit of 10 bytes"
        );
        assert_eq!(
            err(b"te\xffxt\n", 100),
            "the CSV header (line 1) is not valid UTF-8 at byte offset 2"
        );
        assert_eq!(
            err(b"\"text\n", 100),
            "the CSV header (line 1) is malformed: quoted cell is not closed before the end of the input"
        );
        assert_eq!(
            err(b"\"text\"x\n", 100),
            "the CSV header (line 1) is malformed: cell 1 has text after its closing quote (a quote inside a quoted cell is written \"\")"
        );
    }

    #[test]
    fn test_csv_header_for_jsonl_and_read_header() {
        let mut s = Splitter::new(&b"{}\n"[..], InputFormat::JsonLines, 10);
        assert!(s.read_header().unwrap().is_none());
        assert!(s.header().is_none());
        let mut s = Splitter::new(&b"a,text\n1,2\n"[..], InputFormat::Csv, 10);
        assert!(s.header().is_none());
        let h = s.read_header().unwrap().unwrap().to_vec();
        assert_eq!(h, vec!["a", "text"]);
        let columns = CsvColumns::new(&h, &FieldNames::default()).unwrap();
        let mut buf = Vec::new();
        let raw = s.next_record(&mut buf).unwrap().unwrap();
        assert_eq!(raw.line, 2);
        let r = columns.parse(&buf[raw.range], false).unwrap();
        assert_eq!(r.text, "2");
        assert_eq!(s.header().unwrap(), &h[..]);
    }

    #[test]
    fn test_csv_columns_errors() {
        let h = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let e = CsvColumns::new(&h(&["id", "content"]), &FieldNames::default()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            e.to_string(),
            "the CSV header has no column \"text\" for the text (columns: \"id\", \"content\")"
        );
        let e =
            CsvColumns::new(&h(&["text", "source", "text"]), &FieldNames::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column \"text\" appears 2 times in the CSV header"
        );
        let e = CsvColumns::new(&h(&["text", "lang", "lang"]), &FieldNames::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column \"lang\" appears 2 times in the CSV header"
        );
        // Columns with other names may repeat.
        assert!(CsvColumns::new(&h(&["x", "text", "x"]), &FieldNames::default()).is_ok());
        let many: Vec<String> = (0..30).map(|i| format!("c{i}")).collect();
        let e = CsvColumns::new(&many, &FieldNames::default()).unwrap_err();
        assert!(e.to_string().ends_with("\"c19\" and 10 more)"), "{e}");
        // The free function reports the same as record errors.
        assert_eq!(
            parse_csv_record(b"a", &h(&["content"]), &FieldNames::default(), false),
            Err(RecordErrorKind::MissingField {
                field: "text".into()
            })
        );
        assert_eq!(
            parse_csv_record(b"a,b", &h(&["text", "text"]), &FieldNames::default(), false),
            Err(RecordErrorKind::DuplicateField {
                field: "text".into()
            })
        );
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn csv_rec<'a>(bytes: &'a str, header: &[&str]) -> Result<Record<'a>, RecordErrorKind> {
        parse_csv_record(
            bytes.as_bytes(),
            &names(header),
            &FieldNames::default(),
            false,
        )
    }

    #[test]
    fn test_csv_records() {
        let h = ["id", "text", "source", "timestamp", "lang"];
        let r = csv_rec("1,hello,blog,2009-02-13T23:31:30Z,en", &h).unwrap();
        assert_eq!(r.text, "hello");
        assert!(matches!(r.text, Cow::Borrowed(_)));
        assert_eq!(r.source.as_deref(), Some("blog"));
        assert_eq!(r.timestamp, Timestamp::from_unix_seconds(1_234_567_890));
        assert_eq!(r.lang.as_deref(), Some("en"));

        // Empty cells are absent, except the text, which is empty.
        let r = csv_rec("1,,,\"\",", &h).unwrap();
        assert_eq!(r.text, "");
        assert_eq!((r.source, r.timestamp, r.lang), (None, None, None));

        // Quoting.
        let r = csv_rec(
            "1,\"say \"\"hi\"\", then\nbye\",\"blog\",1234567890,\"\"",
            &h,
        )
        .unwrap();
        assert_eq!(r.text, "say \"hi\", then\nbye");
        assert!(matches!(r.text, Cow::Owned(_)));
        assert!(matches!(r.source, Some(Cow::Borrowed("blog"))));
        assert_eq!(r.timestamp, Timestamp::from_unix_seconds(1_234_567_890));
        assert_eq!(r.lang, None);
        let r = csv_rec("1,5\" disk,  blog ,-86400,x", &h).unwrap();
        assert_eq!(r.text, "5\" disk");
        assert_eq!(r.source.as_deref(), Some("  blog "));
        assert_eq!(r.timestamp, Timestamp::from_unix_seconds(-86_400));

        // Only the text column.
        let r = csv_rec("a b", &["text"]).unwrap();
        assert_eq!(
            (r.text.as_ref(), r.source, r.timestamp, r.lang),
            ("a b", None, None, None)
        );
        let r = csv_rec("", &["text"]).unwrap();
        assert_eq!(r.text, "");
    }

    #[test]
    fn test_csv_malformed_records() {
        let h = ["text", "source", "timestamp"];
        assert_eq!(
            csv_rec("a,b", &h),
            Err(RecordErrorKind::CellCount {
                expected: 3,
                found: 2
            })
        );
        assert_eq!(
            csv_rec("a,b,,", &h).unwrap_err().to_string(),
            "record has 4 cells but the header has 3 columns"
        );
        assert_eq!(
            csv_rec("\"a,b,c", &h),
            Err(RecordErrorKind::UnterminatedQuote)
        );
        assert_eq!(
            csv_rec("a,\"b\"\"", &h),
            Err(RecordErrorKind::UnterminatedQuote)
        );
        assert_eq!(
            csv_rec("a,\"b\"c,d", &h),
            Err(RecordErrorKind::TextAfterQuote { cell: 2 })
        );
        assert_eq!(
            csv_rec("a,\"b\" ,d", &h),
            Err(RecordErrorKind::TextAfterQuote { cell: 2 })
        );
        let e = csv_rec("a,b,2009-02-30", &h).unwrap_err();
        assert_eq!(
            e.to_string(),
            "field \"timestamp\": invalid timestamp \"2009-02-30\": 2009-02-30 is not a valid date: February 2009 has 28 days"
        );
        for bad in [
            "1e3",
            "1.5",
            "+5",
            "99999999999999999999",
            "253402300800",
            " 5",
            "yesterday",
        ] {
            assert!(
                matches!(
                    csv_rec(&format!("a,b,{bad}"), &h),
                    Err(RecordErrorKind::InvalidTimestamp { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            parse_csv_record(b"caf\xe9,b,", &names(&h), &FieldNames::default(), false),
            Err(RecordErrorKind::InvalidUtf8 { offset: 3 })
        );
        let r = parse_csv_record(b"caf\xe9,b,", &names(&h), &FieldNames::default(), true).unwrap();
        assert_eq!(r.text, "caf\u{fffd}");
        assert_eq!(r.source.as_deref(), Some("b"));
    }

    #[test]
    fn test_csv_configured_names_and_shared_columns() {
        let fields = FieldNames {
            text: "body".into(),
            source: "lang".into(),
            ..FieldNames::default()
        };
        let h = names(&["text", "body", "lang"]);
        let r = parse_csv_record(b"x,y,en", &h, &fields, false).unwrap();
        assert_eq!(r.text, "y");
        assert_eq!(r.source.as_deref(), Some("en"));
        assert_eq!(r.lang.as_deref(), Some("en"));
        let fields = FieldNames {
            timestamp: "when".into(),
            ..FieldNames::default()
        };
        let e = parse_csv_record(b"x,nope", &names(&["text", "when"]), &fields, false).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("field \"when\": invalid timestamp \"nope\""),
            "{e}"
        );
    }

    /// The splitter and the cell parser agree: splitting a CSV document made of records
    /// written by a reference writer gives back those records.
    #[test]
    fn test_csv_round_trip_through_splitter() {
        let cells = [
            "",
            "a",
            "a,b",
            "say \"hi\"",
            "line\nbreak",
            "cr\r\nlf",
            "\"",
            "\"\"",
            " ",
            "x\"y",
            "é😀",
        ];
        let quote = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
        let mut doc = String::from("text,source,lang\r\n");
        let mut expected = Vec::new();
        for (i, a) in cells.iter().enumerate() {
            for b in &cells {
                let c = cells[(i * 7 + b.len()) % cells.len()];
                // Unquoted where that is unambiguous.
                let plain = |s: &str| !s.is_empty() && !s.contains([',', '\n', '\r', '"']);
                let cell = |s: &str| if plain(s) { s.to_owned() } else { quote(s) };
                doc.push_str(&format!("{},{},{}\r\n", cell(a), cell(b), cell(c)));
                expected.push((a.to_string(), b.to_string(), c.to_string()));
            }
        }
        let (items, header) = split(doc.as_bytes(), InputFormat::Csv, 1000);
        let header = header.unwrap();
        let columns = CsvColumns::new(&header, &FieldNames::default()).unwrap();
        assert_eq!(items.len(), expected.len());
        let mut line = 2;
        for (item, (a, b, c)) in items.iter().zip(&expected) {
            let Item::Record(l, bytes) = item else {
                panic!("{item:?}")
            };
            assert_eq!(*l, line);
            line += 1 + bytes.iter().filter(|&&x| x == b'\n').count() as u64;
            let r = columns.parse(bytes, false).unwrap();
            assert_eq!(&r.text, a);
            assert_eq!(r.source.as_deref().unwrap_or(""), b);
            assert_eq!(r.lang.as_deref().unwrap_or(""), c);
        }
    }

    #[test]
    fn test_types_are_thread_safe() {
        fn assert_all<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
        assert_all::<Record<'static>>();
        assert_all::<RecordErrorKind>();
        assert_all::<FieldNames>();
        assert_all::<RawRecord>();
        assert_all::<CsvColumns>();
        assert_all::<InputFormat>();
        assert_all::<Splitter<&[u8]>>();
        assert_all::<crate::timestamp::TimestampError>();
        assert_all::<crate::timestamp::TimeBucket>();
        assert_all::<Timestamp>();
    }

    #[test]
    fn test_input_format_names() {
        assert_eq!("jsonl".parse::<InputFormat>(), Ok(InputFormat::JsonLines));
        assert_eq!("csv".parse::<InputFormat>(), Ok(InputFormat::Csv));
        for f in [InputFormat::JsonLines, InputFormat::Csv] {
            assert_eq!(f.to_string().parse::<InputFormat>(), Ok(f));
        }
        assert_eq!(
            "xml".parse::<InputFormat>().unwrap_err().to_string(),
            "unknown input format \"xml\": expected one of jsonl, csv"
        );
    }

    /// A reader that fails with `Interrupted` every other call, then behaves.
    struct Flaky<'a> {
        data: &'a [u8],
        flip: bool,
    }

    impl Read for Flaky<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.flip = !self.flip;
            if self.flip {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "again"));
            }
            self.data.read(out)
        }
    }

    #[test]
    fn test_interrupted_reads_are_retried_and_errors_returned() {
        let data = b"a\n\nb\n";
        let got = split_with(
            BufReader::with_capacity(2, Flaky { data, flip: false }),
            InputFormat::JsonLines,
            10,
        )
        .unwrap();
        assert_eq!(got.0, vec![rec(1, "a"), rec(3, "b")]);

        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let mut s = Splitter::new(BufReader::new(Broken), InputFormat::JsonLines, 10);
        assert_eq!(
            s.next_record(&mut Vec::new()).unwrap_err().to_string(),
            "disk on fire"
        );
    }

    /// Small deterministic generator for the consistency test below.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn test_random_inputs_agree_across_capacities() {
        let alphabet = [
            b'a', b'"', b',', b'\n', b'\r', b' ', b'\t', 0xef, 0xbb, 0xbf,
        ];
        let mut rng = Lcg(7);
        for _ in 0..300 {
            let len = (rng.next() % 40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            let max = (rng.next() % 12) as usize;
            for format in [InputFormat::JsonLines, InputFormat::Csv] {
                let expected =
                    split_with(BufReader::with_capacity(1 << 12, &input[..]), format, max);
                for cap in 1..=16 {
                    let got = split_with(BufReader::with_capacity(cap, &input[..]), format, max);
                    match (&expected, &got) {
                        (Ok(a), Ok(b)) => assert_eq!(a, b, "{input:?} cap {cap}"),
                        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                        _ => panic!("{input:?} cap {cap}: {expected:?} vs {got:?}"),
                    }
                }
                // Line numbers never exceed the input's line count, and records are never
                // blank or over the limit.
                if let Ok((items, _)) = &expected {
                    let lines = 1 + input.iter().filter(|&&b| b == b'\n').count() as u64;
                    for item in items {
                        match item {
                            Item::Record(line, bytes) => {
                                assert!(*line <= lines);
                                assert!(bytes.len() <= max);
                                assert!(!bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')));
                                if format == InputFormat::JsonLines {
                                    assert!(!bytes.contains(&b'\n'));
                                }
                                let _ = parse_csv_record(
                                    bytes,
                                    &names(&["text"]),
                                    &FieldNames::default(),
                                    false,
                                );
                            }
                            Item::TooLong(line, len) => {
                                assert!(*line <= lines);
                                assert!(*len > max as u64);
                            }
                        }
                    }
                }
            }
        }
    }
}
