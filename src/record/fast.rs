//! The fast path of the JSON Lines reader: a hand-written scanner for the common line.
//!
//! See [`parse_fast`] for what it reads and the rule it keeps (it never decides an error);
//! everything it declines goes to the serde_json reader in the parent module.

use std::borrow::Cow;

use super::{
    FieldNames, FieldValue, Filled, Record, ROLE_LANG, ROLE_SOURCE, ROLE_TEXT, ROLE_TIMESTAMP,
};

/// Deepest nesting of arrays and objects inside an ignored value that [`parse_fast`] follows;
/// deeper values are left to serde_json (which has no limit there).
const FAST_MAX_DEPTH: u32 = 64;

// `Scanner::skip_value` keeps one bit per open container in a `u64`.
const _: () = assert!(FAST_MAX_DEPTH <= u64::BITS);

/// The fast path: reads a well-formed line of the common shape without serde_json.
///
/// # Why it exists
///
/// Going through serde's `Visitor` machinery costs about as much as matching the text: key
/// seeds, value seeds, generic string scanning and the error plumbing of the two passes. This
/// hand-written scanner makes one pass over the bytes, finds string ends a word at a time,
/// compares keys with the configured names as bytes and borrows strings without escapes.
///
/// # The rule: the fast path never decides an error
///
/// It returns `Some(record)` only for a line it has checked completely: one JSON object (with
/// RFC 8259 whitespace around and inside it, and only whitespace after it) whose keys have no
/// escapes, whose configured fields hold strings (escapes decoded, surrogate pairs joined),
/// `null` or, for the timestamp, a number, each at most once, with a valid timestamp and a
/// text; and whose ignored values are valid JSON (checked to the byte, as serde_json does,
/// lone surrogate escapes allowed) nested at most [`FAST_MAX_DEPTH`] deep. Anything else,
/// malformed or merely unusual (an escaped key, a lone surrogate in a configured field, a
/// configured field that is an array, `1e400`), returns `None`, and [`parse_serde`](super::parse_serde)
/// reads the line again and decides, so every error and its message comes from one place.
/// Values are converted by the same code in both paths ([`Filled::assign`], with numbers read
/// by serde_json); only a string for a single string role, which needs no conversion, is
/// stored directly.
pub(super) fn parse_fast<'a>(line: &'a str, fields: &FieldNames) -> Option<Record<'a>> {
    let mut scan = Scanner { line, pos: 0 };
    let names = ShortNames::new(fields);
    let mut filled = Filled::default();
    let mut seen = 0u8;
    scan.skip_ws();
    scan.eat(b'{')?;
    loop {
        // `{}` has no text anyway, so the empty object needs no case of its own.
        scan.eat_after_ws(b'"')?;
        let roles = match scan.short_key(&names) {
            Some(roles) => roles,
            None => fields.roles_of(scan.plain_key()?),
        };
        scan.eat_after_ws(b':')?;
        scan.skip_ws();
        if roles == 0 {
            scan.skip_value()?;
        } else {
            if seen & roles != 0 {
                return None;
            }
            seen |= roles;
            let string_slot = match roles {
                ROLE_TEXT => Some(&mut filled.text),
                ROLE_SOURCE => Some(&mut filled.source),
                ROLE_LANG => Some(&mut filled.lang),
                _ => None,
            };
            match string_slot {
                // The common case, a string for one string role, needs no conversion.
                Some(slot) if scan.peek() == Some(b'"') => {
                    scan.pos += 1;
                    *slot = Some(scan.string()?);
                }
                _ => {
                    let value = scan.field_value()?;
                    filled.assign(fields, roles, value).ok()?;
                }
            }
        }
        scan.skip_ws();
        match scan.next_byte()? {
            b',' => {}
            b'}' => break,
            _ => return None,
        }
    }
    scan.skip_ws();
    if scan.pos != line.len() {
        return None;
    }
    filled.finish()
}

/// The configured names of at most seven bytes as codes ([`ShortNames::code`]), so that
/// [`Scanner::short_key`] compares a short key with all of them without `memcmp`.
struct ShortNames {
    /// Codes in the order of [`ShortNames::ROLES`]; `u64::MAX`, which no key of at most seven
    /// bytes has, for a longer name.
    codes: [u64; 4],
}

impl ShortNames {
    const ROLES: [u8; 4] = [ROLE_TEXT, ROLE_SOURCE, ROLE_TIMESTAMP, ROLE_LANG];

    fn new(fields: &FieldNames) -> ShortNames {
        let code = |name: &String| {
            if name.len() >= 8 {
                return u64::MAX;
            }
            let word = name
                .bytes()
                .enumerate()
                .fold(0, |word, (i, b)| word | (u64::from(b) << (8 * i)));
            ShortNames::code(word, name.len())
        };
        ShortNames {
            codes: [
                code(&fields.text),
                code(&fields.source),
                code(&fields.timestamp),
                code(&fields.lang),
            ],
        }
    }

    /// The first `len` bytes of `word` (`len < 8`, the first byte in the low byte), with
    /// `len` in the high byte: equal codes mean equal byte strings.
    #[inline(always)]
    fn code(word: u64, len: usize) -> u64 {
        (word & ((1 << (8 * len)) - 1)) | ((len as u64) << 56)
    }

    /// [`FieldNames::roles_of`] for the key made of the first `len` bytes of `word`
    /// (`len < 8`).
    #[inline(always)]
    fn roles_of(&self, word: u64, len: usize) -> u8 {
        let key = ShortNames::code(word, len);
        let mut roles = 0;
        for (&code, role) in self.codes.iter().zip(ShortNames::ROLES) {
            roles |= u8::from(code == key) * role;
        }
        roles
    }
}

/// A cursor over one line for [`parse_fast`]. Every method returns `None` for anything it is
/// not sure about; `pos` only ever lands on a char boundary after an ASCII byte it has read,
/// except on the way to returning `None`.
#[derive(Clone, Copy)]
struct Scanner<'a> {
    line: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn rest(&self) -> &'a [u8] {
        self.line.as_bytes().get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.pos).copied()
    }

    fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next_byte()? == want).then_some(())
    }

    /// Skips whitespace, then reads `want`. The common case, `want` at once, is tested first.
    #[inline(always)]
    fn eat_after_ws(&mut self, want: u8) -> Option<()> {
        if self.peek() == Some(want) {
            self.pos += 1;
            return Some(());
        }
        self.skip_ws();
        self.eat(want)
    }

    /// Skips JSON whitespace (RFC 8259: space, tab, line feed, carriage return).
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Moves past the plain run of string content at `pos` and the byte that ends it (`"`, `\`
    /// or a control character), and returns that byte; `None` at the end of the line.
    #[inline(always)]
    fn past_string_stop(&mut self) -> Option<u8> {
        let at = string_stop(self.line.as_bytes(), self.pos)?;
        self.pos = at + 1;
        self.line.as_bytes().get(at).copied()
    }

    /// Reads a key of at most seven bytes without escapes, after its opening quote, and
    /// returns its roles; `None`, having read nothing, for any other key.
    #[inline(always)]
    fn short_key(&mut self, names: &ShortNames) -> Option<u8> {
        let word = self.line.as_bytes().get(self.pos..self.pos + 8)?;
        let word = u64::from_le_bytes(word.try_into().ok()?);
        let len = stop_bits(word).trailing_zeros() as usize / 8;
        if len >= 8 || self.line.as_bytes().get(self.pos + len) != Some(&b'"') {
            return None;
        }
        self.pos += len + 1;
        Some(names.roles_of(word, len))
    }

    /// Reads an object key after its opening quote, as bytes; `None` if it has an escape.
    #[inline(always)]
    fn plain_key(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        match self.past_string_stop()? {
            b'"' => self.line.as_bytes().get(start..self.pos - 1),
            _ => None,
        }
    }

    /// Reads a configured field's value: a string, a number or `null`.
    fn field_value(&mut self) -> Option<FieldValue<'a>> {
        match self.next_byte()? {
            b'"' => self.string().map(FieldValue::Str),
            b'n' => self.literal(b"ull").map(|()| FieldValue::Null),
            b'-' | b'0'..=b'9' => {
                self.pos -= 1;
                // The same conversion as serde_json's, which gives `Number` for any number it
                // reads; it fails only beyond the range of a float (the serde path reports that).
                let number = serde_json::from_str(self.number()?).ok()?;
                Some(FieldValue::Number(number))
            }
            _ => None,
        }
    }

    /// Reads a string after its opening quote, decoding escapes; `None` for a control
    /// character, an invalid escape or a lone surrogate.
    #[inline(always)]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos;
        let end = string_stop(self.line.as_bytes(), start)?;
        let run = self.line.get(start..end)?;
        self.pos = end + 1;
        match self.line.as_bytes().get(self.pos - 1)? {
            b'"' => Some(Cow::Borrowed(run)),
            b'\\' => {
                let (out, pos) = self.escaped_string(run)?;
                self.pos = pos;
                Some(Cow::Owned(out))
            }
            _ => None,
        }
    }

    /// The rest of [`Scanner::string`] from its first escape, after the backslash; `run` is
    /// what came before. Returns the string and the position after it.
    ///
    /// This and [`Scanner::skip_escaped_string`], the uncommon cases, work on a copy of the
    /// scanner, so that the caller's scanner never has its address taken and can stay in
    /// registers.
    #[inline(never)]
    fn escaped_string(mut self, mut run: &'a str) -> Option<(String, usize)> {
        let mut out = String::with_capacity(2 * run.len() + 16);
        loop {
            out.push_str(run);
            out.push(self.escape()?);
            let start = self.pos;
            let end = string_stop(self.line.as_bytes(), start)?;
            run = self.line.get(start..end)?;
            self.pos = end + 1;
            match self.line.as_bytes().get(self.pos - 1)? {
                b'"' => {
                    out.push_str(run);
                    return Some((out, self.pos));
                }
                b'\\' => {}
                _ => return None,
            }
        }
    }

    /// Decodes one escape after its backslash; a surrogate pair takes two `\u` escapes.
    fn escape(&mut self) -> Option<char> {
        let c = match self.next_byte()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => match self.hex4()? {
                high @ 0xD800..=0xDBFF => {
                    self.eat(b'\\')?;
                    self.eat(b'u')?;
                    let low = self.hex4()?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                }
                // A lone low surrogate is no char, so `from_u32` declines it.
                code => char::from_u32(code)?,
            },
            _ => return None,
        };
        Some(c)
    }

    /// Reads the four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.rest().get(..4)?;
        let mut code = 0;
        for &d in digits {
            code = code * 16 + char::from(d).to_digit(16)?;
        }
        self.pos += 4;
        Some(code)
    }

    /// Skips a string after its opening quote, checking its escapes (any `\u` escape will do,
    /// as in an ignored value).
    #[inline(always)]
    fn skip_string(&mut self) -> Option<()> {
        match self.past_string_stop()? {
            b'"' => Some(()),
            b'\\' => {
                self.pos = self.skip_escaped_string()?;
                Some(())
            }
            _ => None,
        }
    }

    /// The rest of [`Scanner::skip_string`] from its first escape, after the backslash.
    /// Returns the position after the string.
    #[inline(never)]
    fn skip_escaped_string(mut self) -> Option<usize> {
        loop {
            match self.next_byte()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    self.hex4()?;
                }
                _ => return None,
            }
            match self.past_string_stop()? {
                b'"' => return Some(self.pos),
                b'\\' => {}
                _ => return None,
            }
        }
    }

    /// Reads the rest of a literal whose first byte was read.
    fn literal(&mut self, rest: &[u8]) -> Option<()> {
        if !self.rest().starts_with(rest) {
            return None;
        }
        self.pos += rest.len();
        Some(())
    }

    /// Reads a number as RFC 8259 writes it and returns its text.
    #[inline(always)]
    fn number(&mut self) -> Option<&'a str> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next_byte()? {
            // A digit after a leading zero is not consumed, so the caller rejects it.
            b'0' => {}
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        self.line.get(start..self.pos)
    }

    /// Skips ASCII digits and returns how many.
    fn digits(&mut self) -> usize {
        let n = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.pos += n;
        n
    }

    /// Skips an ignored value of any type, checking it is valid JSON. Nesting is followed
    /// without recursion: bit `i` of `objects` tells whether the container `i` levels up is an
    /// object (else an array).
    fn skip_value(&mut self) -> Option<()> {
        let mut objects = 0u64;
        let mut depth = 0;
        loop {
            // A value starts here.
            self.skip_ws();
            match self.next_byte()? {
                b'"' => self.skip_string()?,
                b'-' | b'0'..=b'9' => {
                    self.pos -= 1;
                    self.number()?;
                }
                b't' => self.literal(b"rue")?,
                b'f' => self.literal(b"alse")?,
                b'n' => self.literal(b"ull")?,
                open @ (b'[' | b'{') => {
                    let object = open == b'{';
                    self.skip_ws();
                    if self.peek() == Some(if object { b'}' } else { b']' }) {
                        // Empty: a complete value.
                        self.pos += 1;
                    } else {
                        if depth == FAST_MAX_DEPTH {
                            return None;
                        }
                        depth += 1;
                        objects = (objects << 1) | u64::from(object);
                        if object {
                            self.skip_member_key()?;
                        }
                        continue;
                    }
                }
                _ => return None,
            }
            // A value is complete: close the containers it completes, then go on to the next
            // element or member, if any.
            loop {
                if depth == 0 {
                    return Some(());
                }
                self.skip_ws();
                let object = objects & 1 != 0;
                match self.next_byte()? {
                    b',' => {
                        if object {
                            self.skip_ws();
                            self.skip_member_key()?;
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                objects >>= 1;
                depth -= 1;
            }
        }
    }

    /// Skips `"key"` and the `:` after it, in an ignored object.
    #[inline(always)]
    fn skip_member_key(&mut self) -> Option<()> {
        self.eat(b'"')?;
        self.skip_string()?;
        self.eat_after_ws(b':')
    }
}

/// Returns the position of the first `"`, `\` or control character (below U+0020) in `line`
/// at or after `start`: the end of the plain run of string content there. `None` if there is
/// none.
///
/// Keys and most values end within a few words, which word-sized tests cover ([`stop_bits`]);
/// the end of the line is read as its last word ([`tail_stop`]), longer runs go to
/// [`long_string_stop`].
#[inline(always)]
fn string_stop(line: &[u8], start: usize) -> Option<usize> {
    let rest = line.get(start..)?;
    let first_stop = |words: &[u8]| {
        for (i, word) in words.chunks_exact(8).enumerate() {
            let bits = stop_bits(u64::from_le_bytes(word.try_into().ok()?));
            if bits != 0 {
                return Some(Some(start + 8 * i + bits.trailing_zeros() as usize / 8));
            }
        }
        Some(None)
    };
    match rest.first_chunk::<32>() {
        // The common case: at least four words left in the line.
        Some(words) => first_stop(words)?.or_else(|| long_string_stop(line, start + 32)),
        None => {
            let whole = rest.len() / 8 * 8;
            first_stop(rest.get(..whole)?)?.or_else(|| tail_stop(line, start + whole))
        }
    }
}

/// [`string_stop`] from `at`, fewer than eight bytes before the end of `line`.
#[inline(never)]
fn tail_stop(line: &[u8], at: usize) -> Option<usize> {
    let stops = |&b: &u8| (b == b'"') | (b == b'\\') | (b < 0x20);
    let Some(last) = line.last_chunk::<8>() else {
        // A line shorter than a word.
        return line.get(at..)?.iter().position(stops).map(|i| at + i);
    };
    // The last word of the line, with the bytes before `at` made harmless (0xFF is none of
    // the stops and borrows nothing in `stop_bits`).
    let left = line.len().checked_sub(at).filter(|&left| left > 0)?;
    let before = 8usize.checked_sub(left)?;
    let word = u64::from_le_bytes(*last) | ((1u64 << (8 * before)) - 1);
    let bits = stop_bits(word);
    (bits != 0).then(|| line.len() - 8 + bits.trailing_zeros() as usize / 8)
}

/// [`string_stop`] from `from` on, for a long run: `memchr` (vector instructions) finds the
/// first `"` or `\`, then a check for control characters that the compiler vectorizes.
#[inline(never)]
fn long_string_stop(line: &[u8], from: usize) -> Option<usize> {
    let rest = line.get(from..)?;
    let end = memchr::memchr2(b'"', b'\\', rest).map_or(line.len(), |i| from + i);
    let run = line.get(from..end)?;
    if run.iter().fold(false, |any, &b| any | (b < 0x20)) {
        return run.iter().position(|&b| b < 0x20).map(|i| from + i);
    }
    (end < line.len()).then_some(end)
}

/// Marks the bytes of `word` (eight bytes, the first in the low byte) that are `"`, `\` or a
/// control character, with the high bit of the byte.
///
/// The classic SWAR test: the high bit of `(x - 0x01…) & !x` is set for a zero byte of `x`,
/// and for `(x - 0x20…) & !x` for a byte below 0x20. A borrow can also mark a byte above a
/// marked one, never below, so the lowest marked byte, the only one used, is exact.
fn stop_bits(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x;
    (zero_in(quote) | zero_in(backslash) | (word.wrapping_sub(ONES * 0x20) & !word)) & HIGH
}

/// A hook for the `records` fuzz target, whose method is compiled only there (`cargo fuzz`
/// builds with `--cfg fuzzing`): the fast path against the serde path, as in
/// `fast_path_tests`.
mod fuzzing {
    #[cfg(fuzzing)]
    impl super::FieldNames {
        /// Panics if the fast path reads `line` and the serde path does not read it the same.
        #[doc(hidden)]
        pub fn check_fast_path(&self, line: &str) {
            if let Some(fast) = super::parse_fast(line, self) {
                assert_eq!(crate::record::parse_serde(line, self), Ok(fast), "{line:?}");
            }
        }
    }
}

/// The fast path against the serde path: whenever [`parse_fast`] returns a record, the serde
/// path must return the same record (and borrow the same strings).
#[cfg(test)]
mod fast_path_tests {
    use std::cell::Cell;
    use std::path::Path;

    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    use super::*;
    use crate::record::{parse_json_str, parse_serde};

    /// Field name configurations to test under: the default, one field in two roles (both
    /// ways round), other names, a non-ASCII and an empty name.
    fn field_names(which: usize) -> FieldNames {
        let default = FieldNames::default();
        match which {
            0 => default,
            1 => FieldNames {
                source: "lang".into(),
                ..default
            },
            2 => FieldNames {
                timestamp: "text".into(),
                ..default
            },
            3 => FieldNames {
                text: "content".into(),
                source: "network".into(),
                timestamp: "created_at".into(),
                lang: "language".into(),
            },
            4 => FieldNames {
                text: "tëxt".into(),
                lang: "".into(),
                ..default
            },
            _ => FieldNames {
                text: "source".into(),
                source: "text".into(),
                timestamp: "lang".into(),
                lang: "timestamp".into(),
            },
        }
    }
    const FIELD_NAME_CONFIGS: usize = 6;

    fn is_borrowed(s: Option<&Cow<'_, str>>) -> bool {
        matches!(s, Some(Cow::Borrowed(_)))
    }

    /// Runs both paths on `line`. Returns (fast path answered, serde path accepted), or the
    /// difference.
    fn compare(line: &str, fields: &FieldNames) -> Result<(bool, bool), String> {
        let slow = parse_serde(line, fields);
        match parse_fast(line, fields) {
            None => Ok((false, slow.is_ok())),
            Some(fast) => {
                let Ok(slow) = slow else {
                    return Err(format!("{line:?}: fast {fast:?}, serde {slow:?}"));
                };
                if fast != slow {
                    return Err(format!("{line:?}: fast {fast:?}, serde {slow:?}"));
                }
                let borrowed = |r: &Record<'_>| {
                    [
                        is_borrowed(Some(&r.text)),
                        is_borrowed(r.source.as_ref()),
                        is_borrowed(r.lang.as_ref()),
                    ]
                };
                if borrowed(&fast) != borrowed(&slow) {
                    return Err(format!("{line:?}: borrowing differs: {fast:?}, {slow:?}"));
                }
                Ok((true, true))
            }
        }
    }

    fn concat(parts: Vec<&str>) -> String {
        parts.concat()
    }

    const NOT_JSON_SPACES: &[&str] = &["\u{a0}", "\u{b}", "\u{c}", "\u{feff}", "\u{3000}", "\u{0}"];

    /// JSON whitespace, mostly none, sometimes something JSON does not count as whitespace.
    fn ws() -> impl Strategy<Value = String> {
        prop_oneof![
            200 => Just(String::new()),
            100 => prop::collection::vec(prop::sample::select(&[" ", "\t", "\n", "\r"][..]), 1..4)
                .prop_map(concat),
            1 => prop::sample::select(NOT_JSON_SPACES).prop_map(String::from),
        ]
    }

    /// Pieces of string content (between the quotes): valid ones...
    const STRING_PIECES: &[&str] = &[
        "a",
        "Tougher Vaccine Law In Calif. Clears First Hurdle",
        "http://khne.ws/1GQdDro",
        " ",
        "é",
        "医疗保险",
        "😀",
        "\u{7f}",
        "\\n",
        "\\\"",
        "\\\\",
        "\\/",
        "\\b",
        "\\f",
        "\\r",
        "\\t",
        "\\u00e9",
        "\\u00E9",
        "\\u0000",
        "\\u001f",
        "\\u005a",
        "\\uffff",
        "\\ud83d\\ude00",
        "\\uD83D\\uDE00",
        "\\udbff\\udfff",
        "2015-04-09T20:37:18Z",
        "2009-02-13",
        "2009-02-14 00:31:30+01:00",
        "0123456789abcdef0123456789abcdef",
    ];
    /// ... and pieces that are invalid JSON or lone surrogates.
    const BAD_STRING_PIECES: &[&str] = &[
        "\\ud800",
        "\\udc00",
        "\\ud800\\u0041",
        "\\ud800x",
        "\\ud83d\\ud83d",
        "\\udfff\\ud800",
        "\\ud800\\",
        "\\ud800\\u",
        "\\u12",
        "\\u12g4",
        "\\x",
        "\\U0041",
        "\\",
        "\t",
        "\n",
        "\u{1}",
        "\u{1f}",
        "\"",
        "2009-02-30",
        "yesterday",
    ];

    fn string_lit() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            60 => prop::sample::select(STRING_PIECES),
            1 => prop::sample::select(BAD_STRING_PIECES),
        ];
        prop::collection::vec(piece, 0..6).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
    }

    const NUMBERS: &[&str] = &[
        "0",
        "-0",
        "-0.0",
        "1",
        "-1",
        "1234567890",
        "1234567890.99",
        "1e3",
        "1E+3",
        "1e-3",
        "-0.5",
        "0.1",
        "2.5e-3",
        "1.0e+10",
        "1e400",
        "-1e400",
        "1e-400",
        "4.9e-324",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "253402300799",
        "253402300799.999",
        "253402300800",
        "-62135596800",
        "-62135596800.5",
        "-62135596801",
        "9007199254740993",
        "1e20",
    ];
    const BAD_NUMBERS: &[&str] = &[
        "01",
        "00",
        "-01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "1E-",
        "0x10",
        "1.5.2",
        "--1",
        "-.5",
        "1.e3",
        "NaN",
        "Infinity",
        "-Infinity",
        "1_000",
    ];

    const INTEGER_PARTS: &[&str] = &["0", "7", "12", "1234567890123", "99999999999999999999"];

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            20 => prop::sample::select(NUMBERS).prop_map(String::from),
            1 => prop::sample::select(BAD_NUMBERS).prop_map(String::from),
            3 => any::<i64>().prop_map(|n| n.to_string()),
            3 => (-3e11f64..3e11).prop_map(|x| x.to_string()),
            2 => any::<f64>().prop_map(|x| format!("{x:e}")),
            // Built from the grammar: sign, integer part, fraction, exponent.
            3 => (
                any::<bool>(),
                prop::sample::select(INTEGER_PARTS),
                prop::option::of(prop::sample::select(&["5", "000", "123456789"][..])),
                prop::option::of((
                    prop::sample::select(&["e", "E"][..]),
                    prop::sample::select(&["", "+", "-"][..]),
                    prop::sample::select(&["0", "2", "08", "308", "309", "400"][..]),
                )),
            )
                .prop_map(|(minus, int, frac, exp)| {
                    let mut s = String::new();
                    if minus {
                        s.push('-');
                    }
                    s.push_str(int);
                    if let Some(frac) = frac {
                        s.push('.');
                        s.push_str(frac);
                    }
                    if let Some((e, sign, digits)) = exp {
                        s.push_str(e);
                        s.push_str(sign);
                        s.push_str(digits);
                    }
                    s
                }),
        ]
    }

    fn literal() -> impl Strategy<Value = String> {
        prop_oneof![
            30 => prop::sample::select(&["true", "false", "null"][..]).prop_map(String::from),
            1 => prop::sample::select(&["tru", "nul", "True", "NULL", "nulll", "f"][..])
                .prop_map(String::from),
        ]
    }

    const ESCAPED_KEYS: &[&str] = &["te\\u0078t", "\\u0074ext", "\\ud800", "sou\\rce", "la\\ng"];

    /// Object keys, quoted: configured names (under some configuration), near misses,
    /// escaped spellings and lone surrogates.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => prop::sample::select(
                &[
                    "text", "source", "timestamp", "lang", "content", "network", "created_at",
                    "language", "tëxt", "", "id", "account", "x", "Text", "text ", "t",
                ][..]
            )
            .prop_map(|k| format!("\"{k}\"")),
            1 => prop::sample::select(ESCAPED_KEYS).prop_map(|k| format!("\"{k}\"")),
            1 => string_lit(),
        ]
    }

    /// Any JSON-ish value, nested a few levels.
    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![string_lit(), number(), literal()];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec((ws(), inner.clone(), ws()), 0..4).prop_map(|items| {
                    let items: Vec<String> =
                        items.into_iter().map(|(a, v, b)| a + &v + &b).collect();
                    format!("[{}]", items.join(","))
                }),
                prop::collection::vec((ws(), key(), ws(), ws(), inner, ws()), 0..4).prop_map(
                    |members| {
                        let members: Vec<String> = members
                            .into_iter()
                            .map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"))
                            .collect();
                        format!("{{{}}}", members.join(","))
                    }
                ),
                ws().prop_map(|w| format!("[{w}]")),
                ws().prop_map(|w| format!("{{{w}}}")),
            ]
        })
    }

    /// Arrays and objects nested around the depth where the fast path gives up, balanced or
    /// not.
    fn deep() -> impl Strategy<Value = String> {
        (50..80usize, any::<bool>(), prop::bool::weighted(0.9)).prop_map(
            |(depth, objects, balanced)| {
                let (open, close) = if objects {
                    ("{\"a\":", "}")
                } else {
                    ("[", "]")
                };
                let close_count = if balanced { depth } else { depth - 1 };
                format!("{}1{}", open.repeat(depth), close.repeat(close_count))
            },
        )
    }

    /// The value of a member: any value, weighted towards what configured fields hold.
    fn member_value() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => string_lit(),
            2 => number(),
            1 => Just("null".to_owned()),
            3 => value(),
            1 => deep(),
        ]
    }

    /// `"key": value`, with whitespace (or not) around each part.
    fn member(
        key: impl Strategy<Value = String>,
        value: impl Strategy<Value = String>,
    ) -> impl Strategy<Value = String> {
        (ws(), key, ws(), ws(), value, ws())
            .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"))
    }

    const IGNORED_KEYS: &[&str] = &["id", "account", "x", "Text", "text ", "t", "kind", "tags"];
    const AFTER_THE_OBJECT: &[&str] = &[" x", "{}", ",", "}", "\u{0}", "\"", "0"];

    /// A line from the grammar: an object of random members, or (more often) an object shaped
    /// like the corpora's records (text, timestamp, perhaps source and lang, an id and extra
    /// fields, shuffled), or rarely some other value; with whitespace around it and perhaps
    /// something after it.
    fn line(fields: &FieldNames) -> impl Strategy<Value = String> {
        let random_object =
            prop::collection::vec(member(key(), member_value()), 0..7).prop_map(|m| m.join(","));
        let text = prop_oneof![9 => string_lit(), 1 => member_value()];
        let timestamp = prop_oneof![
            6 => prop::sample::select(
                &[
                    "\"2015-04-09T20:37:18Z\"",
                    "\"2009-02-13\"",
                    "\"2012-09-11T03:34:22Z\"",
                    "\"2009-02-14 00:31:30+01:00\"",
                    "\"2009-02-13T23:31\"",
                    "\"2009-02-13T23:31:30.25-08:00\"",
                    "\"2009-02-13T23:31:30\\u005a\"",
                    "null",
                ][..]
            )
            .prop_map(String::from),
            3 => (-62_135_596_800i64..=253_402_300_799).prop_map(|n| n.to_string()),
            2 => (-6.2e10f64..2.5e11).prop_map(|x| x.to_string()),
            1 => number(),
            1 => string_lit(),
        ];
        let extra_key = prop_oneof![
            3 => prop::sample::select(IGNORED_KEYS).prop_map(|k| format!("\"{k}\"")),
            1 => key(),
        ];
        let quoted = |name: &str| format!("\"{name}\"");
        let (text_key, source_key) = (quoted(&fields.text), quoted(&fields.source));
        let (timestamp_key, lang_key) = (quoted(&fields.timestamp), quoted(&fields.lang));
        let record = (
            member(Just(text_key.clone()), text),
            member(Just(timestamp_key.clone()), timestamp),
            prop::option::of(prop::sample::select(
                &["\"twitter\"", "\"blog\"", "\"\"", "null"][..],
            )),
            prop::option::of(prop::sample::select(&["\"en\"", "\"zh\"", "null"][..])),
            prop::collection::vec(member(extra_key, member_value()), 0..3),
            any::<u64>(),
        )
            .prop_map(move |(text, timestamp, source, lang, extra, mut order)| {
                // A name that plays two roles is written once (a duplicate is tested by the
                // random objects and the mutations).
                let mut parts = vec![text, r#""id":"586266658731388929""#.to_owned()];
                if timestamp_key != text_key {
                    parts.push(timestamp);
                }
                if ![&text_key, &timestamp_key].contains(&&source_key) {
                    parts.extend(source.map(|s| format!("{source_key}:{s}")));
                }
                if ![&text_key, &timestamp_key, &source_key].contains(&&lang_key) {
                    parts.extend(lang.map(|l| format!("{lang_key}:{l}")));
                }
                parts.extend(extra);
                // A cheap deterministic shuffle.
                for i in (1..parts.len()).rev() {
                    let n = i as u64 + 1;
                    parts.swap(i, (order % n) as usize);
                    order /= n;
                }
                parts.join(",")
            });
        let object = prop_oneof![1 => random_object, 4 => record].prop_map(|m| format!("{{{m}}}"));
        let after = prop_oneof![
            30 => Just(String::new()),
            1 => prop::sample::select(AFTER_THE_OBJECT).prop_map(String::from),
        ];
        prop_oneof![
            20 => (ws(), object, ws(), after).prop_map(|(a, o, b, c)| a + &o + &b + &c),
            1 => value(),
        ]
    }

    /// Characters that mutations insert: structure, escapes, digits, whitespace, control and
    /// non-ASCII characters.
    const MUTATION_CHARS: &[char] = &[
        '"', '\\', '{', '}', '[', ']', ',', ':', '0', '1', '-', '+', '.', 'e', 'E', 'u', 'd', '8',
        'n', 't', 'f', ' ', '\t', '\n', '\r', '\u{0}', '\u{1f}', '\u{7f}', 'é', '医', '😀',
        '\u{feff}',
    ];

    /// Applies edits to the characters of `line`: delete, insert, replace, swap with the next,
    /// or replace a structural character (`{}[],:`) with another one.
    fn mutate(line: &str, edits: &[(usize, u8, char)]) -> String {
        const STRUCTURAL: &[char] = &['{', '}', '[', ']', ',', ':'];
        let mut chars: Vec<char> = line.chars().collect();
        for &(at, op, c) in edits {
            if chars.is_empty() {
                chars.push(c);
                continue;
            }
            let i = at % chars.len();
            match op {
                0 => {
                    chars.remove(i);
                }
                1 => chars.insert(i, c),
                2 => chars[i] = c,
                3 => {
                    let structural: Vec<usize> = (0..chars.len())
                        .filter(|&j| STRUCTURAL.contains(&chars[j]))
                        .collect();
                    if !structural.is_empty() {
                        let j = structural[at / 7 % structural.len()];
                        chars[j] = STRUCTURAL[at % STRUCTURAL.len()];
                    }
                }
                _ => {
                    if i + 1 < chars.len() {
                        chars.swap(i, i + 1);
                    }
                }
            }
        }
        chars.into_iter().collect()
    }

    fn mutated_line(fields: &FieldNames) -> impl Strategy<Value = String> {
        let edits = prop::collection::vec(
            (any::<usize>(), 0..5u8, prop::sample::select(MUTATION_CHARS)),
            1..4,
        );
        prop_oneof![
            1 => line(fields),
            1 => (line(fields), edits).prop_map(|(line, edits)| mutate(&line, &edits)),
        ]
    }

    #[test]
    fn test_fast_path_agrees_with_serde_path_on_generated_lines() {
        let cases = 20_000;
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let valid = Cell::new(0u32);
        let handled = Cell::new(0u32);
        let lines = (0..FIELD_NAME_CONFIGS)
            .prop_flat_map(|which| (mutated_line(&field_names(which)), Just(which)));
        let result = runner.run(&lines, |(line, which)| {
            let fields = field_names(which);
            let (fast, ok) = compare(&line, &fields).map_err(TestCaseError::fail)?;
            valid.set(valid.get() + u32::from(ok));
            handled.set(handled.get() + u32::from(fast));
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        let (valid, handled) = (valid.get(), handled.get());
        eprintln!(
            "fast path: {cases} generated lines, {valid} valid records, {handled} read by the \
             fast path ({:.1}% of the valid ones)",
            100.0 * f64::from(handled) / f64::from(valid.max(1))
        );
        // The grammar makes unusual lines on purpose (escaped keys, deep nesting, lone
        // surrogates in ignored keys), but the common shapes are most of the valid ones.
        assert!(handled * 2 > valid, "{handled} of {valid}");
    }

    /// The skipping of ignored values on its own: generated values, mutated or not, in an
    /// ignored field. The fast path must read every valid one that is not mutated (they nest
    /// only a few levels deep) and agree with the serde path on all.
    #[test]
    fn test_fast_path_skips_exactly_the_valid_json() {
        let cases = 10_000;
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let edits = prop::collection::vec(
            (any::<usize>(), 0..5u8, prop::sample::select(MUTATION_CHARS)),
            0..3,
        );
        let valid = Cell::new(0u32);
        let result = runner.run(&(value(), edits), |(value, edits)| {
            let line = format!(r#"{{"text":"a","x":{}}}"#, mutate(&value, &edits));
            let fields = FieldNames::default();
            let (fast, ok) = compare(&line, &fields).map_err(TestCaseError::fail)?;
            if edits.is_empty() {
                prop_assert_eq!(fast, ok, "{}", line);
            }
            valid.set(valid.get() + u32::from(ok));
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        eprintln!("fast path: {cases} generated values, {} valid", valid.get());
    }

    #[test]
    fn test_fast_path_reads_the_common_shapes() {
        let fields = FieldNames::default();
        for line in [
            r#"{"id":"586266658731388929","text":"Tougher Vaccine Law In Calif. Clears First Hurdle http://khne.ws/1GQdDro","source":"twitter","timestamp":"2015-04-09T20:37:18Z","lang":"en","account":"KaiserHealthNews"}"#,
            r#"{"id":"yBmepBtUB","text":"人间惨剧：今天下午约14点，宁波妇儿医院","source":"weibo","timestamp":"2012-09-11T03:34:22Z","lang":"zh","kind":"original"}"#,
            r#"{"id":"blog:1","text":"an \"Old Testament\" city\n\nCaf\u00e9 \ud83d\ude00 a\/b \\ \t\r\b\f","source":"blog","timestamp":"2004-05-14T00:00:00Z","lang":"en","age":15,"tags":["a",{"b":[1,-2.5e-3,true,false,null]}],"x":"\ud800"}"#,
            " { \"text\" : \"a\" , \"source\" : null , \"timestamp\" : 1234567890.99 , \"lang\" : null }\r\t ",
            r#"{"text":"a","timestamp":-0}"#,
            r#"{"text":"a","timestamp":1e3,"big":1e400,"huge":123456789012345678901234567890}"#,
            r#"{"text":"","x":{},"y":[],"z":[[],{}],"w":{"text":1,"text":2}}"#,
        ] {
            let fast = parse_fast(line, &fields);
            assert!(fast.is_some(), "{line}");
            assert_eq!(compare(line, &fields), Ok((true, true)), "{line}");
        }
        let r = parse_fast(r#"{"text":"plain","source":"s"}"#, &fields).unwrap();
        assert!(matches!(r.text, Cow::Borrowed(_)));
        assert!(matches!(r.source, Some(Cow::Borrowed(_))));
        let r = parse_fast(r#"{"text":"a\u00e9\ud83d\ude00\n"}"#, &fields).unwrap();
        assert_eq!(r.text, "aé😀\n");
        assert!(matches!(r.text, Cow::Owned(_)));
    }

    #[test]
    fn test_fast_path_leaves_the_unusual_to_serde() {
        let fields = FieldNames::default();
        let nested = |depth: usize| {
            format!(
                r#"{{"text":"a","x":{}1{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        let at_limit = nested(FAST_MAX_DEPTH as usize);
        assert!(parse_fast(&at_limit, &fields).is_some());
        // Valid records the fast path declines.
        for line in [
            r#"{"te\u0078t":"a"}"#.to_owned(),
            r#"{"\ud800":1,"text":"a"}"#.to_owned(),
            nested(FAST_MAX_DEPTH as usize + 1),
        ] {
            assert_eq!(parse_fast(&line, &fields), None, "{line}");
            assert!(parse_json_str(&line, &fields).is_ok(), "{line}");
        }
        // Malformed records: the fast path never decides an error.
        for line in [
            "",
            "{}",
            "[]",
            r#"{"text":null}"#,
            r#"{"text":"a","text":"a"}"#,
            r#"{"text":"\ud800"}"#,
            r#"{"text":"\udc00"}"#,
            r#"{"text":"\ud800\u0041"}"#,
            r#"{"text":1}"#,
            r#"{"text":"a","timestamp":"2009-02-30"}"#,
            r#"{"text":"a","timestamp":1e20}"#,
            r#"{"text":"a","timestamp":1e400}"#,
            r#"{"text":"a","timestamp":true}"#,
            r#"{"text":"a","x":01}"#,
            r#"{"text":"a","x":1.}"#,
            r#"{"text":"a","x":[1,]}"#,
            r#"{"text":"a","x":"\u12"}"#,
            "{\"text\":\"tab\tinside\"}",
            r#"{"text":"a"} x"#,
            r#"{"text":"a",}"#,
        ] {
            assert_eq!(parse_fast(line, &fields), None, "{line}");
            assert!(parse_json_str(line, &fields).is_err(), "{line}");
        }
    }

    #[test]
    fn test_string_stop() {
        let naive = |line: &[u8], start: usize| {
            let rest = line.get(start..)?;
            let stop = |&b: &u8| b == b'"' || b == b'\\' || b < 0x20;
            rest.iter().position(stop).map(|i| start + i)
        };
        // Bytes next to the stops and to the bytes the word tests subtract, so that a borrow
        // across bytes would show.
        const BYTES: &[u8] = &[
            b'a',
            b'"',
            b'\\',
            0,
            0x1f,
            0x20,
            0x21,
            b'#',
            b'#' ^ 1,
            0x5d,
            0x5b,
            0x7f,
            0x80,
            0xff,
            0xe4,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..80 {
            for _ in 0..60 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly plain bytes, so that runs are long enough to need words.
                        if seed % 4 == 0 {
                            BYTES[(seed >> 8) as usize % BYTES.len()]
                        } else {
                            b'a' + (seed >> 16) as u8 % 26
                        }
                    })
                    .collect();
                for start in 0..=len + 1 {
                    assert_eq!(
                        string_stop(&line, start),
                        naive(&line, start),
                        "{line:?} from {start}"
                    );
                }
            }
        }
    }

    /// Every line of the real corpora (`../shared/corpora/*.jsonl`; skipped when absent):
    /// both paths agree, and the fast path reads more than 99% of each corpus.
    #[test]
    fn test_fast_path_on_the_corpora() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("note: {} is absent: skipped", dir.display());
            return;
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        paths.sort();
        let fields = FieldNames::default();
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            let (mut lines, mut valid, mut handled) = (0u64, 0u64, 0u64);
            for line in data.split(|&b| b == b'\n') {
                if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                    continue;
                }
                lines += 1;
                let Ok(line) = std::str::from_utf8(line) else {
                    continue;
                };
                let (fast, ok) = compare(line, &fields).unwrap();
                valid += u64::from(ok);
                handled += u64::from(fast);
            }
            eprintln!(
                "{}: {lines} lines, {valid} valid, {handled} read by the fast path",
                path.display()
            );
            assert!(handled * 100 > lines * 99, "{}", path.display());
        }
    }
}
