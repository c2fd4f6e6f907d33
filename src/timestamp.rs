//! Timestamps of records and the UTC time buckets of `by_time` (SEMANTICS.md §4, §6).
//!
//! A [`Timestamp`] is a whole number of seconds since the Unix epoch, always within the years
//! 0001 to 9999 (UTC). It is read either from a string ([`Timestamp::parse`]: `YYYY-MM-DD` or an
//! RFC 3339 / ISO 8601 date-time) or from a JSON number of Unix seconds
//! ([`Timestamp::from_json_number`]). A [`TimeBucket`] floors a timestamp to its UTC day, hour or
//! month and writes the bucket's label.
//!
//! The calendar arithmetic is Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (<https://howardhinnant.github.io/date_algorithms.html>) on the proleptic Gregorian calendar.

use std::fmt;

/// Seconds in one day.
const SECS_PER_DAY: i64 = 86_400;
/// Unix seconds of 0001-01-01T00:00:00Z.
const MIN_SECS: i64 = -62_135_596_800;
/// Unix seconds of 9999-12-31T23:59:59Z.
const MAX_SECS: i64 = 253_402_300_799;
/// The longest piece of a rejected input that an error message quotes, in characters.
const MAX_QUOTED_CHARS: usize = 64;

/// A point in time, whole seconds since the Unix epoch, UTC; always within years 0001..=9999.
///
/// The range is an invariant: every constructor checks it, so a `Timestamp` always has a
/// four-digit year when written as a date. Ordering is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest timestamp, 0001-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(MIN_SECS);
    /// The latest timestamp, 9999-12-31T23:59:59Z.
    pub const MAX: Timestamp = Timestamp(MAX_SECS);

    /// Returns the timestamp `secs` seconds after the Unix epoch, or `None` when that lies
    /// outside 0001-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z.
    pub fn from_unix_seconds(secs: i64) -> Option<Timestamp> {
        if (MIN_SECS..=MAX_SECS).contains(&secs) {
            Some(Timestamp(secs))
        } else {
            None
        }
    }

    /// Returns the number of seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Parses the string forms of a timestamp (SEMANTICS.md §6).
    ///
    /// Accepted, and nothing else (no surrounding whitespace, no lower-case `t` or `z`):
    /// - `YYYY-MM-DD`: midnight UTC of that date;
    /// - `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DDTHH:MM:SS.f` (one or more
    ///   fraction digits, which are ignored), with `T` or exactly one space between date and
    ///   time, followed by `Z`, an offset `+HH:MM` / `-HH:MM` (hours at most 23, minutes at most
    ///   59) or nothing (UTC).
    ///
    /// Every field has exactly the number of digits shown (4 for the year, 2 for the others).
    ///
    /// # Errors
    ///
    /// Returns an error when the string has another shape, when the date or time as written
    /// does not exist (year 0000, month 13, `2009-02-30`, hour 24, minute 60, second 60), when
    /// the offset is out of range, or when the time converted to UTC falls outside the years
    /// 0001..=9999.
    ///
    /// # Examples
    ///
    /// ```
    /// use topictally::Timestamp;
    ///
    /// let ts = Timestamp::parse("2009-02-13T23:31:30Z").unwrap();
    /// assert_eq!(ts.unix_seconds(), 1_234_567_890);
    /// assert_eq!(Timestamp::parse("2009-02-14 00:31:30+01:00"), Ok(ts));
    /// assert!(Timestamp::parse("2009-02-30").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Timestamp, TimestampError> {
        if let Some(ts) = parse_common(s) {
            return Ok(ts);
        }
        parse_str(s).map_err(|kind| TimestampError::new(s, true, kind))
    }

    /// Converts a JSON number of Unix seconds to a timestamp.
    ///
    /// The number is read as the nearest 64-bit float (serde_json's `float_roundtrip` makes
    /// this correctly rounded) and truncated toward zero: `1e3` is 1000, `1700000000.9` is
    /// 1700000000 and `-0.5` is 0. Integers are taken as they are (every integer within the
    /// range is exact as a float, so this agrees with the float reading).
    ///
    /// # Errors
    ///
    /// Returns an error when the truncated value lies outside the years 0001..=9999.
    pub fn from_json_number(n: &serde_json::Number) -> Result<Timestamp, TimestampError> {
        let secs = if let Some(i) = n.as_i64() {
            Some(i)
        } else if n.is_u64() {
            // Above i64::MAX, so far beyond the year 9999.
            None
        } else {
            n.as_f64().and_then(truncate_f64)
        };
        match secs.and_then(Timestamp::from_unix_seconds) {
            Some(ts) => Ok(ts),
            None => Err(TimestampError::new(
                &n.to_string(),
                false,
                TimestampErrorKind::OutOfRange,
            )),
        }
    }

    /// Parses a decimal integer of Unix seconds (an optional `-`, then ASCII digits), as found
    /// in a CSV cell. Returns `None` when `s` is not of that shape.
    pub(crate) fn parse_unix_seconds_text(s: &str) -> Option<Result<Timestamp, TimestampError>> {
        let digits = s.strip_prefix('-').unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let ts = s.parse::<i64>().ok().and_then(Timestamp::from_unix_seconds);
        Some(ts.ok_or_else(|| TimestampError::new(s, false, TimestampErrorKind::OutOfRange)))
    }
}

impl fmt::Display for Timestamp {
    /// Writes the timestamp in RFC 3339 form, `YYYY-MM-DDTHH:MM:SSZ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.0.div_euclid(SECS_PER_DAY));
        let secs = self.0.rem_euclid(SECS_PER_DAY);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;

    /// Same as [`Timestamp::parse`].
    fn from_str(s: &str) -> Result<Timestamp, TimestampError> {
        Timestamp::parse(s)
    }
}

/// Truncates a float toward zero, or `None` when it is not finite or beyond the range.
fn truncate_f64(f: f64) -> Option<i64> {
    let t = f.trunc();
    // Both bounds are exact as floats (|x| < 2^53), so the comparison is exact and the cast
    // below cannot saturate.
    if t.is_finite() && t >= MIN_SECS as f64 && t <= MAX_SECS as f64 {
        Some(t as i64)
    } else {
        None
    }
}

/// Why a timestamp was rejected.
///
/// Display names the input and the problem, lower case and without a trailing period, e.g.
/// `invalid timestamp "2009-02-30": 2009-02-30 is not a valid date: February 2009 has 28 days`
/// or `invalid timestamp "2009-02-13T24:00": hour 24 is out of range (00-23)`. Long inputs are
/// shortened in the message; [`TimestampError::kind`] gives the details as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampError {
    /// The rejected input (a string, or a JSON number written out), shortened to
    /// `MAX_QUOTED_CHARS` characters plus `…`.
    input: String,
    /// Whether the input was a string (quoted in the message) rather than a number.
    quoted: bool,
    kind: TimestampErrorKind,
}

impl TimestampError {
    fn new(input: &str, quoted: bool, kind: TimestampErrorKind) -> TimestampError {
        TimestampError {
            input: shorten(input),
            quoted,
            kind,
        }
    }

    /// The error for a number of Unix seconds (written as `text`) outside the range.
    pub(crate) fn number_out_of_range(text: &str) -> TimestampError {
        TimestampError::new(text, false, TimestampErrorKind::OutOfRange)
    }

    /// Returns what was wrong.
    pub fn kind(&self) -> &TimestampErrorKind {
        &self.kind
    }

    /// Returns the rejected input: the string, or the JSON number as text. Inputs longer than
    /// 64 characters are cut there and end with `…`.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quoted {
            write!(f, "invalid timestamp {:?}: ", self.input)?;
        } else {
            write!(f, "invalid timestamp {}: ", self.input)?;
        }
        match &self.kind {
            TimestampErrorKind::Syntax {
                position,
                expected,
                found,
            } => {
                write!(f, "expected {expected} at character {position}, found ")?;
                match found {
                    Some(c) => write!(f, "{:?}", c.to_string()),
                    None => f.write_str("the end"),
                }
            }
            TimestampErrorKind::Digits {
                field,
                position,
                digits,
            } => write!(
                f,
                "the {field} at character {position} must have exactly {digits} digits"
            ),
            TimestampErrorKind::FieldOutOfRange {
                field,
                value,
                min,
                max,
            } => {
                if *field == "year" {
                    write!(f, "year {value:04} is out of range ({min:04}-{max:04})")
                } else {
                    write!(f, "{field} {value:02} is out of range ({min:02}-{max:02})")
                }
            }
            TimestampErrorKind::NoSuchDay {
                year,
                month,
                day,
                days_in_month,
            } => write!(
                f,
                "{year:04}-{month:02}-{day:02} is not a valid date: {} {year} has {days_in_month} days",
                month_name(*month)
            ),
            TimestampErrorKind::OutOfRange => {
                if self.quoted {
                    f.write_str("converted to UTC it falls outside the years 0001-9999")
                } else {
                    write!(
                        f,
                        "Unix seconds must be from {MIN_SECS} to {MAX_SECS} (years 0001-9999)"
                    )
                }
            }
        }
    }
}

impl std::error::Error for TimestampError {}

/// What was wrong with a rejected timestamp (see [`TimestampError`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampErrorKind {
    /// The string does not have the shape of a timestamp: at `position` (1-based, in
    /// characters) it holds `found` (`None` at the end of the string) instead of `expected`.
    Syntax {
        /// 1-based character position of the problem.
        position: usize,
        /// What the parser expected there, in words.
        expected: &'static str,
        /// The character found there, or `None` at the end of the string.
        found: Option<char>,
    },
    /// A numeric field (starting at `position`, 1-based) has more digits than allowed.
    Digits {
        /// The field: `year`, `month`, `day`, `hour`, `minute`, `second`, `offset hour` or
        /// `offset minute`.
        field: &'static str,
        /// 1-based character position where the field starts.
        position: usize,
        /// The number of digits the field must have.
        digits: usize,
    },
    /// A field is outside its range (year 0000, month 13, hour 24, second 60, …).
    FieldOutOfRange {
        /// The field, named as in [`TimestampErrorKind::Digits`].
        field: &'static str,
        /// The value written.
        value: u32,
        /// The smallest allowed value.
        min: u32,
        /// The largest allowed value.
        max: u32,
    },
    /// The day does not exist in that month (`2009-02-30`, `2023-04-31`).
    NoSuchDay {
        /// The year written.
        year: u32,
        /// The month written (1–12).
        month: u32,
        /// The day written.
        day: u32,
        /// How many days that month has in that year.
        days_in_month: u32,
    },
    /// The time, converted to UTC (or the number of Unix seconds), lies outside the years
    /// 0001..=9999.
    OutOfRange,
}

/// Shortens `s` to `MAX_QUOTED_CHARS` characters, marking a cut with `…`.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => {
            let mut out = String::with_capacity(cut + 3);
            out.push_str(s.get(..cut).unwrap_or(""));
            out.push('…');
            out
        }
        None => s.to_owned(),
    }
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("month")
}

/// Whether `year` is a leap year of the Gregorian calendar.
fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days of `month` (1–12) in `year`.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of the given proleptic Gregorian date (Hinnant's `days_from_civil`).
/// `month` is 1–12 and `day` 1–31; any year works.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = i64::from((month + 9) % 12); // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of `days` since 1970-01-01 (Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]

    // Both values are small and non-negative, so the conversions cannot fail.
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A cursor over the ASCII grammar of §6.
struct Cursor<'s> {
    s: &'s str,
    pos: usize,
}

impl<'s> Cursor<'s> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    /// 1-based character position of byte offset `at`.
    fn char_position(&self, at: usize) -> usize {
        self.s.get(..at).map_or(at, |p| p.chars().count()) + 1
    }

    fn syntax(&self, expected: &'static str) -> TimestampErrorKind {
        TimestampErrorKind::Syntax {
            position: self.char_position(self.pos),
            expected,
            found: self.s.get(self.pos..).and_then(|rest| rest.chars().next()),
        }
    }

    /// Consumes `byte` or fails with "expected `expected`".
    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), TimestampErrorKind> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(expected))
        }
    }

    /// Reads a field of exactly `n` ASCII digits (not followed by another digit).
    fn digits(
        &mut self,
        n: usize,
        field: &'static str,
        expected: &'static str,
    ) -> Result<u32, TimestampErrorKind> {
        let start = self.pos;
        let mut value = 0u32;
        for _ in 0..n {
            match self.peek() {
                Some(b) if b.is_ascii_digit() => {
                    value = value * 10 + u32::from(b - b'0');
                    self.pos += 1;
                }
                _ => return Err(self.syntax(expected)),
            }
        }
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Err(TimestampErrorKind::Digits {
                field,
                position: self.char_position(start),
                digits: n,
            });
        }
        Ok(value)
    }
}

fn check_range(
    field: &'static str,
    value: u32,
    min: u32,
    max: u32,
) -> Result<(), TimestampErrorKind> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(TimestampErrorKind::FieldOutOfRange {
            field,
            value,
            min,
            max,
        })
    }
}

/// The shape most records use, `YYYY-MM-DDTHH:MM:SSZ`, read in one go; `None` for anything
/// else, a field out of range included, which [`parse_str`] then reads and explains.
///
/// The general parser spends most of its time on what this shape does not need (optional
/// parts, offsets, the error to report at each step): on Weibo posts it was a tenth of the
/// end-to-end time.
fn parse_common(s: &str) -> Option<Timestamp> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', n0, n1, b':', s0, s1, b'Z'] =
        s.as_bytes()
    else {
        return None;
    };
    let digit = |b: u8| {
        let d = b.wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let two = |tens, ones| Some(digit(tens)? * 10 + digit(ones)?);
    let year = i64::from(two(y0, y1)? * 100 + two(y2, y3)?);
    let (month, day) = (two(m0, m1)?, two(d0, d1)?);
    let (hour, minute, second) = (two(h0, h1)?, two(n0, n1)?, two(s0, s1)?);
    let valid = year >= 1
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour <= 23
        && minute <= 59
        && second <= 59;
    if !valid {
        return None;
    }
    let time = i64::from(hour * 3600 + minute * 60 + second);
    Timestamp::from_unix_seconds(days_from_civil(year, month, day) * SECS_PER_DAY + time)
}

/// The grammar of §6; see [`Timestamp::parse`].
fn parse_str(s: &str) -> Result<Timestamp, TimestampErrorKind> {
    let mut c = Cursor { s, pos: 0 };
    let year = c.digits(4, "year", "a 4-digit year")?;
    check_range("year", year, 1, 9999)?;
    c.expect(b'-', "\"-\" after the year")?;
    let month = c.digits(2, "month", "a 2-digit month")?;
    check_range("month", month, 1, 12)?;
    c.expect(b'-', "\"-\" after the month")?;
    let day = c.digits(2, "day", "a 2-digit day")?;
    let dim = days_in_month(i64::from(year), month);
    if day == 0 || day > dim {
        return Err(TimestampErrorKind::NoSuchDay {
            year,
            month,
            day,
            days_in_month: dim,
        });
    }
    let days = days_from_civil(i64::from(year), month, day);
    if c.peek().is_none() {
        return Ok(Timestamp(days * SECS_PER_DAY));
    }

    match c.peek() {
        Some(b'T' | b' ') => c.pos += 1,
        _ => return Err(c.syntax("\"T\" or a space after the date")),
    }
    let hour = c.digits(2, "hour", "a 2-digit hour")?;
    check_range("hour", hour, 0, 23)?;
    c.expect(b':', "\":\" after the hour")?;
    let minute = c.digits(2, "minute", "a 2-digit minute")?;
    check_range("minute", minute, 0, 59)?;
    let mut second = 0;
    let has_seconds = c.peek() == Some(b':');
    if has_seconds {
        c.pos += 1;
        second = c.digits(2, "second", "a 2-digit second")?;
        check_range("second", second, 0, 59)?;
        if c.peek() == Some(b'.') {
            c.pos += 1;
            if !c.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(c.syntax("a digit of the fraction of a second"));
            }
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.pos += 1;
            }
        }
    }

    let offset_secs = match c.peek() {
        None => 0,
        Some(b'Z') => {
            c.pos += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.pos += 1;
            let oh = c.digits(2, "offset hour", "a 2-digit offset hour")?;
            check_range("offset hour", oh, 0, 23)?;
            c.expect(b':', "\":\" in the offset")?;
            let om = c.digits(2, "offset minute", "a 2-digit offset minute")?;
            check_range("offset minute", om, 0, 59)?;
            let secs = i64::from(oh) * 3600 + i64::from(om) * 60;
            if sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        Some(_) => {
            return Err(c.syntax(if has_seconds {
                "\"Z\", an offset like \"+01:00\" or the end"
            } else {
                "\":\", \"Z\", an offset like \"+01:00\" or the end"
            }))
        }
    };
    if c.peek().is_some() {
        return Err(c.syntax("the end of the timestamp"));
    }

    let local =
        days * SECS_PER_DAY + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    Timestamp::from_unix_seconds(local - offset_secs).ok_or(TimestampErrorKind::OutOfRange)
}

/// The width of the UTC time buckets of `by_time` (SEMANTICS.md §4): day (the default), hour or
/// month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimeBucket {
    /// One bucket per UTC day, labelled `YYYY-MM-DD`.
    #[default]
    Day,
    /// One bucket per UTC hour, labelled `YYYY-MM-DDTHH`.
    Hour,
    /// One bucket per UTC calendar month, labelled `YYYY-MM`.
    Month,
}

impl TimeBucket {
    /// Returns the Unix seconds of the start of the bucket holding `ts` (floor to the UTC day,
    /// hour or month).
    ///
    /// # Examples
    ///
    /// ```
    /// use topictally::{TimeBucket, Timestamp};
    ///
    /// let ts = Timestamp::parse("2009-02-14T00:31:30+01:00").unwrap();
    /// let day = TimeBucket::Day.start(ts);
    /// assert_eq!(TimeBucket::Day.label(day), "2009-02-13");
    /// let month = TimeBucket::Month.start(ts);
    /// assert_eq!(TimeBucket::Month.label(month), "2009-02");
    /// ```
    pub fn start(self, ts: Timestamp) -> i64 {
        let secs = ts.unix_seconds();
        match self {
            TimeBucket::Day => secs - secs.rem_euclid(SECS_PER_DAY),
            TimeBucket::Hour => secs - secs.rem_euclid(3600),
            TimeBucket::Month => {
                let (year, month, _) = civil_from_days(secs.div_euclid(SECS_PER_DAY));
                days_from_civil(year, month, 1) * SECS_PER_DAY
            }
        }
    }

    /// Appends the label of the bucket starting at `start` to `out`: `YYYY-MM-DD` for a day,
    /// `YYYY-MM-DDTHH` for an hour, `YYYY-MM` for a month.
    ///
    /// `start` should be a value returned by [`TimeBucket::start`]; for any other value the
    /// label is that of the day, hour or month holding `start` (and never a panic).
    pub fn write_label(self, start: i64, out: &mut String) {
        use std::fmt::Write as _;
        let (year, month, day) = civil_from_days(start.div_euclid(SECS_PER_DAY));
        // Writing to a String cannot fail.
        let _ = match self {
            TimeBucket::Day => write!(out, "{year:04}-{month:02}-{day:02}"),
            TimeBucket::Hour => write!(
                out,
                "{year:04}-{month:02}-{day:02}T{:02}",
                start.rem_euclid(SECS_PER_DAY) / 3600
            ),
            TimeBucket::Month => write!(out, "{year:04}-{month:02}"),
        };
    }

    /// Returns the label of the bucket starting at `start` (see [`TimeBucket::write_label`]).
    pub fn label(self, start: i64) -> String {
        let mut out = String::with_capacity(13);
        self.write_label(start, &mut out);
        out
    }

    /// Returns the name of the bucket width: `day`, `hour` or `month`.
    pub fn name(self) -> &'static str {
        match self {
            TimeBucket::Day => "day",
            TimeBucket::Hour => "hour",
            TimeBucket::Month => "month",
        }
    }
}

impl fmt::Display for TimeBucket {
    /// Writes the name: `day`, `hour` or `month`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for TimeBucket {
    type Err = ParseTimeBucketError;

    /// Parses `day`, `hour` or `month` (lower case, as printed by `Display`).
    fn from_str(s: &str) -> Result<TimeBucket, ParseTimeBucketError> {
        match s {
            "day" => Ok(TimeBucket::Day),
            "hour" => Ok(TimeBucket::Hour),
            "month" => Ok(TimeBucket::Month),
            _ => Err(ParseTimeBucketError { input: shorten(s) }),
        }
    }
}

/// The error of parsing an unknown [`TimeBucket`] name.
///
/// Display: `unknown time bucket "week": expected one of day, hour, month`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseTimeBucketError {
    input: String,
}

impl fmt::Display for ParseTimeBucketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown time bucket {:?}: expected one of day, hour, month",
            self.input
        )
    }
}

impl std::error::Error for ParseTimeBucketError {}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The shortcut for `YYYY-MM-DDTHH:MM:SSZ` agrees with the general parser wherever it
        /// answers, and answers for every valid timestamp of that shape. Fields range a little
        /// beyond their limits, and one byte may become a non-digit, so that both paths see
        /// invalid input.
        #[test]
        fn test_common_shape_agrees_with_the_grammar(
            fields in (0u32..=9999, 0u32..=13, 0u32..=32, 0u32..=24, 0u32..=60, 0u32..=60),
            separators in proptest::sample::select(vec!["--T::Z", "-- ::Z", "--T:-Z", "--T::z"]),
            corrupt in proptest::option::weighted(0.2, (0usize..20, b'/'..=b':')),
        ) {
            let (year, month, day, hour, minute, second) = fields;
            let sep: Vec<char> = separators.chars().collect();
            let mut s = format!(
                "{year:04}{}{month:02}{}{day:02}{}{hour:02}{}{minute:02}{}{second:02}{}",
                sep[0], sep[1], sep[2], sep[3], sep[4], sep[5]
            );
            if let Some((at, b)) = corrupt {
                s.replace_range(at..at + 1, &char::from(b).to_string());
            }
            let general = parse_str(&s).ok();
            let shape = s.len() == 20
                && s.bytes().enumerate().all(|(i, b)| match i {
                    4 | 7 => b == b'-',
                    10 => b == b'T',
                    13 | 16 => b == b':',
                    19 => b == b'Z',
                    _ => b.is_ascii_digit(),
                });
            match parse_common(&s) {
                Some(ts) => prop_assert_eq!(Some(ts), general, "{}", s),
                None => prop_assert!(
                    general.is_none() || !shape,
                    "{} is valid but the shortcut declined it", s
                ),
            }
        }
    }

    fn ts(s: &str) -> i64 {
        match Timestamp::parse(s) {
            Ok(t) => t.unix_seconds(),
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn err(s: &str) -> TimestampError {
        match Timestamp::parse(s) {
            Ok(t) => panic!("{s:?} should not parse, got {t}"),
            Err(e) => e,
        }
    }

    fn num(json: &str) -> Result<i64, String> {
        let n: serde_json::Number = serde_json::from_str(json).expect("test number");
        Timestamp::from_json_number(&n)
            .map(Timestamp::unix_seconds)
            .map_err(|e| e.to_string())
    }

    /// A naive day count for cross-checking Hinnant's algorithms.
    fn naive_days(year: i64, month: u32, day: u32) -> i64 {
        let mut days = 0i64;
        if year >= 1970 {
            for y in 1970..year {
                days += if is_leap_year(y) { 366 } else { 365 };
            }
        } else {
            for y in year..1970 {
                days -= if is_leap_year(y) { 366 } else { 365 };
            }
        }
        for m in 1..month {
            days += i64::from(days_in_month(year, m));
        }
        days + i64::from(day) - 1
    }

    #[test]
    fn test_civil_round_trip_every_day_of_the_range() {
        let first = days_from_civil(1, 1, 1);
        let last = days_from_civil(9999, 12, 31);
        assert_eq!(first * SECS_PER_DAY, MIN_SECS);
        assert_eq!(last * SECS_PER_DAY + SECS_PER_DAY - 1, MAX_SECS);
        let mut expected = (1i64, 1u32, 1u32);
        for d in first..=last {
            let got = civil_from_days(d);
            assert_eq!(got, expected, "day {d}");
            assert_eq!(days_from_civil(got.0, got.1, got.2), d);
            // advance expected by one day
            let (y, m, dd) = expected;
            expected = if dd < days_in_month(y, m) {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn test_days_from_civil_matches_naive_count() {
        for &(y, m, d) in &[
            (1970, 1, 1),
            (1969, 12, 31),
            (2000, 2, 29),
            (1900, 3, 1),
            (1600, 2, 29),
            (1, 1, 1),
            (9999, 12, 31),
            (2024, 7, 15),
        ] {
            assert_eq!(days_from_civil(y, m, d), naive_days(y, m, d), "{y}-{m}-{d}");
        }
    }

    #[test]
    fn test_unix_seconds_range() {
        assert_eq!(
            Timestamp::from_unix_seconds(0).map(Timestamp::unix_seconds),
            Some(0)
        );
        assert!(Timestamp::from_unix_seconds(MIN_SECS).is_some());
        assert!(Timestamp::from_unix_seconds(MAX_SECS).is_some());
        assert!(Timestamp::from_unix_seconds(MIN_SECS - 1).is_none());
        assert!(Timestamp::from_unix_seconds(MAX_SECS + 1).is_none());
        assert!(Timestamp::from_unix_seconds(i64::MIN).is_none());
        assert!(Timestamp::from_unix_seconds(i64::MAX).is_none());
        assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn test_parse_dates() {
        assert_eq!(ts("1970-01-01"), 0);
        assert_eq!(ts("2009-02-13"), 1_234_483_200);
        assert_eq!(ts("2000-02-29"), 951_782_400);
        assert_eq!(ts("2024-02-29"), 1_709_164_800);
        assert_eq!(ts("0001-01-01"), MIN_SECS);
        assert_eq!(ts("9999-12-31"), MAX_SECS - 86_399);
        assert_eq!(ts("1969-12-31"), -86_400);
    }

    #[test]
    fn test_parse_date_times() {
        assert_eq!(ts("2009-02-13T23:31:30Z"), 1_234_567_890);
        assert_eq!(ts("2009-02-13T23:31:30"), 1_234_567_890);
        assert_eq!(ts("2009-02-13 23:31:30"), 1_234_567_890);
        assert_eq!(ts("2009-02-13 23:31:30Z"), 1_234_567_890);
        assert_eq!(ts("2009-02-13T23:31"), 1_234_567_860);
        assert_eq!(ts("2009-02-13T23:31Z"), 1_234_567_860);
        assert_eq!(ts("2009-02-13T23:31+00:00"), 1_234_567_860);
        assert_eq!(ts("2009-02-13T23:31:30.999999999Z"), 1_234_567_890);
        assert_eq!(ts("2009-02-13T23:31:30.5"), 1_234_567_890);
        assert_eq!(ts("2009-02-14T00:31:30+01:00"), 1_234_567_890);
        assert_eq!(ts("2009-02-13T18:01:30-05:30"), 1_234_567_890);
        assert_eq!(ts("2009-02-13T23:31:30-00:00"), 1_234_567_890);
        assert_eq!(ts("2009-02-13T23:31:30.1+23:59"), 1_234_567_890 - 86_340);
        assert_eq!(ts("2009-02-13T00:00:00-23:59"), 1_234_483_200 + 86_340);
        assert_eq!(ts("0001-01-01T00:00:00Z"), MIN_SECS);
        assert_eq!(ts("9999-12-31T23:59:59Z"), MAX_SECS);
        assert_eq!(ts("0001-01-01T00:30-00:30"), MIN_SECS + 3600);
        assert_eq!(ts("9999-12-31T23:30:00+01:00"), MAX_SECS - 3599 - 1800);
        assert_eq!(ts("2000-02-29T12:00:00Z"), 951_825_600);
    }

    #[test]
    fn test_parse_rejects_nonexistent_dates_and_times() {
        for bad in [
            "2009-02-30",
            "2009-02-29",
            "1900-02-29",
            "2023-04-31",
            "2023-01-32",
            "2023-01-00",
            "2023-00-10",
            "2023-13-10",
            "0000-01-01",
            "2009-02-13T24:00:00Z",
            "2009-02-13T24:00",
            "2009-02-13T23:60:00Z",
            "2009-02-13T23:59:60Z",
            "2009-02-13T23:59:59+24:00",
            "2009-02-13T23:59:59+01:60",
        ] {
            let e = err(bad);
            assert!(
                matches!(
                    e.kind(),
                    TimestampErrorKind::FieldOutOfRange { .. }
                        | TimestampErrorKind::NoSuchDay { .. }
                ),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn test_parse_rejects_utc_result_outside_range() {
        for bad in [
            "0001-01-01T00:00:00+00:01",
            "0001-01-01T00:30+01:00",
            "9999-12-31T23:59:59-00:01",
            "9999-12-31T23:00-01:00",
        ] {
            assert_eq!(err(bad).kind(), &TimestampErrorKind::OutOfRange, "{bad}");
        }
    }

    #[test]
    fn test_parse_rejects_other_shapes() {
        for bad in [
            "",
            " ",
            "2009",
            "2009-02",
            "2009-2-13",
            "2009-02-3",
            "09-02-13",
            "12009-02-13",
            "2009-002-13",
            "2009-02-130",
            "2009/02/13",
            "20090213",
            " 2009-02-13",
            "2009-02-13 ",
            "2009-02-13\n",
            "2009-02-13T",
            "2009-02-13t10:00",
            "2009-02-13  10:00",
            "2009-02-13\t10:00",
            "2009-02-13T10",
            "2009-02-13T10:",
            "2009-02-13T1:00",
            "2009-02-13T10:0",
            "2009-02-13T10:000",
            "2009-02-13T10:00:",
            "2009-02-13T10:00:0",
            "2009-02-13T10:00:000",
            "2009-02-13T10:00:00.",
            "2009-02-13T10:00:00.Z",
            "2009-02-13T10:00.5",
            "2009-02-13T10:00:00z",
            "2009-02-13T10:00:00 Z",
            "2009-02-13T10:00:00ZZ",
            "2009-02-13T10:00:00+01",
            "2009-02-13T10:00:00+0100",
            "2009-02-13T10:00:00+1:00",
            "2009-02-13T10:00:00+01:0",
            "2009-02-13T10:00:00+01:000",
            "2009-02-13T10:00:00+01:00Z",
            "2009-02-13T10:00:00 +01:00",
            "2009-02-13T10:00:00UTC",
            "2009-02-13T10:00:00.5x",
            "2009-02-13Z",
            "2009-02-13+01:00",
            "２００９-02-13",
            "2009-02-13T10:00:00é",
            "-2009-02-13",
            "+2009-02-13",
        ] {
            let e = err(bad);
            assert!(
                matches!(
                    e.kind(),
                    TimestampErrorKind::Syntax { .. } | TimestampErrorKind::Digits { .. }
                ),
                "{bad:?}: {e:?}"
            );
        }
    }

    #[test]
    fn test_error_messages() {
        assert_eq!(
            err("2009-02-30").to_string(),
            "invalid timestamp \"2009-02-30\": 2009-02-30 is not a valid date: February 2009 has 28 days"
        );
        assert_eq!(
            err("2009-02-13T24:00").to_string(),
            "invalid timestamp \"2009-02-13T24:00\": hour 24 is out of range (00-23)"
        );
        assert_eq!(
            err("0000-01-01").to_string(),
            "invalid timestamp \"0000-01-01\": year 0000 is out of range (0001-9999)"
        );
        assert_eq!(
            err("2009-02-13T10:00:60").to_string(),
            "invalid timestamp \"2009-02-13T10:00:60\": second 60 is out of range (00-59)"
        );
        assert_eq!(
            err("2009-02-13x").to_string(),
            "invalid timestamp \"2009-02-13x\": expected \"T\" or a space after the date at character 11, found \"x\""
        );
        assert_eq!(
            err("2009-02-13T10").to_string(),
            "invalid timestamp \"2009-02-13T10\": expected \":\" after the hour at character 14, found the end"
        );
        assert_eq!(
            err("12009-02-13").to_string(),
            "invalid timestamp \"12009-02-13\": the year at character 1 must have exactly 4 digits"
        );
        assert_eq!(
            err("é2009").to_string(),
            "invalid timestamp \"é2009\": expected a 4-digit year at character 1, found \"é\""
        );
        assert_eq!(
            err("2009-02-13 10:00:00 x").to_string(),
            "invalid timestamp \"2009-02-13 10:00:00 x\": expected \"Z\", an offset like \"+01:00\" or the end at character 20, found \" \""
        );
        assert_eq!(
            err("9999-12-31T23:00-01:00").to_string(),
            "invalid timestamp \"9999-12-31T23:00-01:00\": converted to UTC it falls outside the years 0001-9999"
        );
        let long = "x".repeat(1000);
        let e = err(&long);
        assert_eq!(e.input().chars().count(), 65);
        assert!(e.input().ends_with('…'));
        assert!(e.to_string().len() < 200);
        // Messages are lower case at the start and have no trailing period.
        assert!(!e.to_string().ends_with('.'));
    }

    #[test]
    fn test_json_numbers() {
        assert_eq!(num("0"), Ok(0));
        assert_eq!(num("1234567890"), Ok(1_234_567_890));
        assert_eq!(num("-86400"), Ok(-86_400));
        assert_eq!(num("1e3"), Ok(1000));
        assert_eq!(num("1E3"), Ok(1000));
        assert_eq!(num("1700000000.9"), Ok(1_700_000_000));
        assert_eq!(num("-0.5"), Ok(0));
        assert_eq!(num("-1.5"), Ok(-1));
        assert_eq!(num("0.0"), Ok(0));
        assert_eq!(num("-0"), Ok(0));
        assert_eq!(num("1.7e9"), Ok(1_700_000_000));
        assert_eq!(num("1e-300"), Ok(0));
        assert_eq!(num("-62135596800"), Ok(MIN_SECS));
        assert_eq!(num("253402300799"), Ok(MAX_SECS));
        assert_eq!(num("253402300799.99"), Ok(MAX_SECS));
        assert_eq!(num("-62135596800.99"), Ok(MIN_SECS));
        assert!(num("253402300800").is_err());
        assert!(num("-62135596801").is_err());
        assert!(num("2.534023008e11").is_err());
        assert!(num("18446744073709551615").is_err());
        assert!(num("-9223372036854775808").is_err());
        assert!(num("1e300").is_err());
        assert!(num("-1e300").is_err());
        assert_eq!(
            num("1e20"),
            Err("invalid timestamp 1e+20: Unix seconds must be from \
                 -62135596800 to 253402300799 (years 0001-9999)"
                .to_owned())
        );
    }

    #[test]
    fn test_unix_seconds_text() {
        let p =
            |s: &str| Timestamp::parse_unix_seconds_text(s).map(|r| r.map(Timestamp::unix_seconds));
        assert_eq!(p("0"), Some(Ok(0)));
        assert_eq!(p("1234567890"), Some(Ok(1_234_567_890)));
        assert_eq!(p("-5"), Some(Ok(-5)));
        assert_eq!(p("2009"), Some(Ok(2009)));
        assert!(matches!(p("99999999999999999999999"), Some(Err(_))));
        assert!(matches!(p("253402300800"), Some(Err(_))));
        assert_eq!(p(""), None);
        assert_eq!(p("-"), None);
        assert_eq!(p("+5"), None);
        assert_eq!(p("1.5"), None);
        assert_eq!(p("2009-02-13"), None);
    }

    #[test]
    fn test_bucket_starts_and_labels() {
        let t = Timestamp::parse("2009-02-13T23:31:30Z").unwrap();
        assert_eq!(TimeBucket::Day.start(t), ts("2009-02-13"));
        assert_eq!(TimeBucket::Hour.start(t), ts("2009-02-13T23:00"));
        assert_eq!(TimeBucket::Month.start(t), ts("2009-02-01"));
        assert_eq!(
            TimeBucket::Day.label(TimeBucket::Day.start(t)),
            "2009-02-13"
        );
        assert_eq!(
            TimeBucket::Hour.label(TimeBucket::Hour.start(t)),
            "2009-02-13T23"
        );
        assert_eq!(
            TimeBucket::Month.label(TimeBucket::Month.start(t)),
            "2009-02"
        );

        // Before the epoch the floor goes down, not toward zero.
        let t = Timestamp::parse("1969-12-31T23:59:59Z").unwrap();
        assert_eq!(
            TimeBucket::Day.label(TimeBucket::Day.start(t)),
            "1969-12-31"
        );
        assert_eq!(
            TimeBucket::Hour.label(TimeBucket::Hour.start(t)),
            "1969-12-31T23"
        );
        assert_eq!(
            TimeBucket::Month.label(TimeBucket::Month.start(t)),
            "1969-12"
        );

        // Offsets move the bucket to the UTC day.
        let t = Timestamp::parse("2009-02-14T00:31:30+01:00").unwrap();
        assert_eq!(
            TimeBucket::Day.label(TimeBucket::Day.start(t)),
            "2009-02-13"
        );

        // The extremes.
        for (bucket, min, max) in [
            (TimeBucket::Day, "0001-01-01", "9999-12-31"),
            (TimeBucket::Hour, "0001-01-01T00", "9999-12-31T23"),
            (TimeBucket::Month, "0001-01", "9999-12"),
        ] {
            assert_eq!(bucket.label(bucket.start(Timestamp::MIN)), min);
            assert_eq!(bucket.label(bucket.start(Timestamp::MAX)), max);
            let mut out = String::from("x");
            bucket.write_label(bucket.start(Timestamp::MAX), &mut out);
            assert_eq!(out, format!("x{max}"));
        }
        // Odd starts never panic.
        for start in [i64::MIN, i64::MAX, -1, 1] {
            for bucket in [TimeBucket::Day, TimeBucket::Hour, TimeBucket::Month] {
                let _ = bucket.label(start);
            }
        }
    }

    #[test]
    fn test_month_bucket_every_month() {
        for year in [1, 1969, 1970, 2000, 2023, 2024, 9999] {
            for month in 1..=12u32 {
                let first = days_from_civil(year, month, 1) * SECS_PER_DAY;
                let dim = i64::from(days_in_month(year, month));
                let last = first + dim * SECS_PER_DAY - 1;
                for secs in [first, first + 1, last] {
                    let t = Timestamp::from_unix_seconds(secs).unwrap();
                    assert_eq!(TimeBucket::Month.start(t), first);
                    assert_eq!(
                        TimeBucket::Month.label(first),
                        format!("{year:04}-{month:02}")
                    );
                }
            }
        }
    }

    #[test]
    fn test_time_bucket_names() {
        assert_eq!("day".parse::<TimeBucket>(), Ok(TimeBucket::Day));
        assert_eq!("hour".parse::<TimeBucket>(), Ok(TimeBucket::Hour));
        assert_eq!("month".parse::<TimeBucket>(), Ok(TimeBucket::Month));
        assert_eq!(TimeBucket::default(), TimeBucket::Day);
        for b in [TimeBucket::Day, TimeBucket::Hour, TimeBucket::Month] {
            assert_eq!(b.to_string().parse::<TimeBucket>(), Ok(b));
        }
        let e = "week".parse::<TimeBucket>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown time bucket \"week\": expected one of day, hour, month"
        );
        assert!("Day".parse::<TimeBucket>().is_err());
    }

    #[test]
    fn test_display_round_trips() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2009-02-13T23:31:30Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(ts(s), ts(&Timestamp::parse(s).unwrap().to_string()));
            assert_eq!(Timestamp::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(
            "2009-02-13"
                .parse::<Timestamp>()
                .map(Timestamp::unix_seconds),
            Ok(1_234_483_200)
        );
    }

    #[test]
    fn test_parse_never_panics_on_odd_input() {
        let pieces = [
            "2009", "-", "02", "13", "T", " ", ":", "Z", "+", ".", "5", "é", "\u{0}", "9",
        ];
        // Every string of up to 4 pieces.
        let mut stack: Vec<(String, usize)> = vec![(String::new(), 0)];
        while let Some((s, depth)) = stack.pop() {
            let _ = Timestamp::parse(&s);
            if depth < 4 {
                for p in pieces {
                    stack.push((format!("{s}{p}"), depth + 1));
                }
            }
        }
        // Every single-character change of a full timestamp.
        let base = "2009-02-13T23:31:30.25+01:00";
        for (i, _) in base.char_indices() {
            for c in ['0', '9', '-', ':', 'T', 'Z', '+', '.', ' ', 'é', '\u{0}'] {
                let mut s = String::from(base.get(..i).unwrap());
                s.push(c);
                s.push_str(base.get(i + 1..).unwrap());
                let _ = Timestamp::parse(&s);
                let _ = Timestamp::parse(base.get(..i).unwrap());
            }
        }
    }
}
