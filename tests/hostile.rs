//! Issue 8's hostile records, one test per item, through the public streaming API: each
//! hostile record that breaks SEMANTICS.md §6 is counted as malformed with its exact line
//! number, one that §6 allows (in a field that is ignored) is counted as a message, the good
//! record on the next line is still counted, and nothing panics. Where the item exists in both formats, the
//! hostile record sits between good records in JSON Lines and in CSV.
//!
//! The 2 GiB inputs are made on the fly by [`Lazy`] and never held in memory. Reading one takes
//! about 0.1 s in the optimized `test` profile of `Cargo.toml`, and 2–3 s unoptimized.

use std::io::{self, Read};
use std::process::Command;

use topictally::{
    Classifier, Counts, Dictionary, InputFormat, ReadOptions, ReadSummary, RecordErrorKind,
    StreamTally, TopicBuilder,
};

/// One topic, `flu`, with the keyword `flu`.
fn flu() -> Classifier {
    let d = Dictionary::builder()
        .topic(TopicBuilder::new("flu").keyword("flu"))
        .build()
        .expect("valid dictionary");
    Classifier::new(&d).expect("compiles")
}

fn jsonl() -> ReadOptions {
    ReadOptions::new()
}

fn csv() -> ReadOptions {
    let mut options = ReadOptions::new();
    options.format(InputFormat::Csv);
    options
}

/// Reads `input` to its end with `options`: the final counts and the summary.
fn read(options: &ReadOptions, input: impl Read) -> (Counts, ReadSummary) {
    let c = flu();
    let tally = StreamTally::new(&c, options);
    let summary = tally.read(input).expect("no I/O error");
    assert!(!summary.stopped);
    (tally.snapshot(), summary)
}

/// Asserts the malformed records: their count, lines, and each reason (as `Display`s it,
/// checked by `reason`).
fn assert_malformed(
    counts: &Counts,
    summary: &ReadSummary,
    lines: &[u64],
    reason: impl Fn(u64, &RecordErrorKind) -> bool,
) {
    assert_eq!(counts.errors.malformed, lines.len() as u64, "{summary:?}");
    assert_eq!(counts.errors.first_lines, lines, "{summary:?}");
    assert_eq!(summary.progress.malformed, lines.len() as u64);
    let got: Vec<u64> = summary.errors.iter().filter_map(|e| e.line()).collect();
    assert_eq!(got, lines);
    for e in &summary.errors {
        let line = e.line().unwrap_or(0);
        assert!(
            reason(line, e.kind()),
            "line {line}: unexpected reason: {}",
            e.kind()
        );
    }
}

/// Asserts the well-formed messages: `total` of them, `flu` of which mention flu.
fn assert_messages(counts: &Counts, total: u64, flu: u64) {
    assert_eq!(counts.total_messages, total);
    assert_eq!(counts.matched_messages, flu);
    assert_eq!(counts.topics["flu"].messages, flu);
}

/// A JSON Lines record `levels` deep: its object is level 1, then `levels - 1` arrays in the
/// ignored field `x`.
fn nested(levels: usize) -> String {
    format!(
        r#"{{"text":"flu deep","x":{}0{}}}"#,
        "[".repeat(levels - 1),
        "]".repeat(levels - 1)
    )
}

/// (1) Deeply nested JSON. SEMANTICS.md §6 lets a field that is ignored hold anything valid
/// JSON allows, so a record nested a million levels deep (2 MB of brackets) in an ignored field
/// is a message like any other: the parser skips it iteratively, without a stack overflow (the
/// record size limit bounds the work). Where nesting breaks the record it is malformed at its
/// line: a configured field holding an array, brackets never closed, a line that is an array.
/// CSV has no nesting.
#[test]
fn deeply_nested_json_is_read_without_overflow_or_malformed_where_it_breaks_the_record() {
    let million = 1_000_000;
    let input = [
        r#"{"text":"flu first"}"#.to_owned(),
        nested(129),
        nested(million),
        r#"{"text":"flu after a million"}"#.to_owned(),
        format!(
            r#"{{"text":{}{}}}"#,
            "[".repeat(million),
            "]".repeat(million)
        ),
        format!(r#"{{"text":"flu","x":{}}}"#, "[".repeat(million)),
        "[".repeat(million),
        r#"{"text":"flu last"}"#.to_owned(),
    ]
    .join("\n");
    let (counts, summary) = read(&jsonl(), input.as_bytes());
    assert_malformed(&counts, &summary, &[5, 6, 7], |line, kind| match line {
        5 => kind.to_string() == "field \"text\" is not a string (found an array)",
        6 => kind.to_string() == "invalid JSON at column 1000019: expected value",
        7 => kind.to_string() == "not a JSON object (found an array)",
        _ => false,
    });
    assert_messages(&counts, 5, 5);
}

/// (2) Numbers out of range. As a timestamp, a number whose second is not in the years
/// 0001–9999 is an invalid timestamp, even if it is a finite float (`-1e30`), and so is one
/// that overflows a 64-bit float (`1e400`). In a field that is ignored, any number the JSON
/// grammar allows is accepted (§6), however large. In CSV, the timestamp cell is the only
/// place numbers are read.
#[test]
fn numbers_out_of_range_are_malformed_as_timestamps() {
    let input = [
        r#"{"text":"flu 1"}"#,
        r#"{"text":"flu","timestamp":1e400}"#,
        r#"{"text":"flu 3","timestamp":1234567890}"#,
        r#"{"text":"flu","timestamp":99999999999999999999999}"#,
        r#"{"text":"flu","timestamp":-1e30}"#,
        r#"{"text":"flu 6","x":123456789012345678901234567890,"y":1e-400}"#,
        r#"{"text":"flu 7","x":1e400}"#,
        r#"{"text":"flu 8","x":{"y":[1,-1e999]}}"#,
        r#"{"text":"flu 9"}"#,
    ]
    .join("\n");
    let (counts, summary) = read(&jsonl(), input.as_bytes());
    assert_malformed(&counts, &summary, &[2, 4, 5], |_, kind| {
        matches!(kind, RecordErrorKind::InvalidTimestamp { .. })
            && kind.to_string().starts_with("field \"timestamp\": ")
    });
    assert_messages(&counts, 6, 6);
    assert_eq!(counts.topics["flu"].by_time["2009-02-13"].messages, 1);

    let input = "text,timestamp\nflu 2,1234567890\nflu,99999999999999999999999\nflu 4,\n\
        flu,-1e30\nflu 6,-86400\n";
    let (counts, summary) = read(&csv(), input.as_bytes());
    assert_malformed(&counts, &summary, &[3, 5], |_, kind| {
        matches!(kind, RecordErrorKind::InvalidTimestamp { .. })
    });
    assert_messages(&counts, 3, 3);
}

/// (3) Lone surrogates in `\u` escapes: in `text`, `source` and `lang` (and the timestamp)
/// the record is malformed, lossy decoding or not (it replaces invalid UTF-8 bytes; an escape
/// is ASCII). In a field that is ignored they are accepted: SEMANTICS.md §6 says ignored fields
/// may hold anything valid JSON allows, and serde_json also skips them there without
/// complaint (it rejects them only when it decodes the string). CSV has no escapes; its
/// nearest equivalent, a surrogate encoded in UTF-8 (`ED A0 80`), is invalid UTF-8.
#[test]
fn lone_surrogate_escapes_are_malformed_in_read_fields_only() {
    let input = [
        r#"{"text":"flu 1"}"#,
        r#"{"text":"flu \ud800"}"#,
        r#"{"text":"flu \udc00"}"#,
        r#"{"text":"flu \ud800\u0041"}"#,
        r#"{"text":"flu","source":"\ud800"}"#,
        r#"{"text":"flu","lang":"\udfff"}"#,
        r#"{"text":"flu","timestamp":"\ud800"}"#,
        r#"{"text":"flu 8","x":"\ud800","y":["\udc00",{"\ud800\u0041":"\udbff"}],"\ud800":1}"#,
        r#"{"text":"flu 9 \ud83d\ude00"}"#,
    ]
    .join("\n");
    let fields = ["text", "text", "text", "source", "lang", "timestamp"];
    for lossy in [false, true] {
        let mut options = jsonl();
        options.lossy_utf8(lossy);
        let (counts, summary) = read(&options, input.as_bytes());
        assert_malformed(&counts, &summary, &[2, 3, 4, 5, 6, 7], |line, kind| {
            *kind
                == RecordErrorKind::LoneSurrogate {
                    field: fields[line as usize - 2].into(),
                }
        });
        assert_messages(&counts, 3, 3);
    }

    let input = b"text,source\nflu 2,x\nflu \xed\xa0\x80,x\nflu 4,\xed\xb0\x80\nflu 5,x\n";
    let (counts, summary) = read(&csv(), &input[..]);
    assert_malformed(&counts, &summary, &[3, 4], |_, kind| {
        matches!(kind, RecordErrorKind::InvalidUtf8 { .. })
    });
    assert_messages(&counts, 2, 2);
    let mut options = csv();
    options.lossy_utf8(true);
    let (counts, _) = read(&options, &input[..]);
    assert_eq!(counts.errors.malformed, 0);
    assert_messages(&counts, 4, 4);
}

/// (4) NUL bytes. In JSON Lines a raw NUL inside a string is a control character, and outside
/// one it is no JSON at all: both malformed. The escape `\u0000` is valid JSON: accepted, the
/// text then holds a NUL (not a word character, so `flu` next to it is a whole word). In CSV
/// a NUL is an ordinary byte of its cell: accepted, in a quoted cell or not.
#[test]
fn nul_bytes() {
    let input = b"{\"text\":\"flu 1\"}\n\
        {\"text\":\"flu\0\"}\n\
        {\"text\":\"flu 3\\u0000\"}\n\
        {\"text\":\"flu\"}\0\n\
        \0\n\
        {\"text\":\"\\u0000flu\\u0000\",\"x\":\"\\u0000\"}\n";
    let (counts, summary) = read(&jsonl(), &input[..]);
    let control = "invalid JSON at column 12: control character (\\u0000-\\u001F) found while \
        parsing a string";
    assert_malformed(&counts, &summary, &[2, 4, 5], |line, kind| match line {
        2 => kind.to_string() == control,
        4 => kind.to_string() == "invalid JSON at column 15: trailing characters",
        5 => kind.to_string() == "invalid JSON at column 1: expected value",
        _ => false,
    });
    assert_messages(&counts, 3, 3);
    assert_eq!(counts.topics["flu"].mentions, 3);

    let input = b"text,source\nflu 2,x\nflu\0,\0\n\"flu\0\n\0\",x\n\0,x\nflu 7,x\n";
    let (counts, summary) = read(&csv(), &input[..]);
    assert_malformed(&counts, &summary, &[], |_, _| false);
    assert_messages(&counts, 5, 4);
    assert_eq!(counts.topics["flu"].by_source["\0"].messages, 1);
}

/// An input of `prefix`, `filler` bytes `a`, then `suffix`, made as it is read: nothing but
/// the caller's buffer ever holds it.
struct Lazy {
    prefix: &'static [u8],
    filler: u64,
    suffix: &'static [u8],
    /// Bytes handed out so far.
    at: u64,
}

impl Lazy {
    fn new(prefix: &'static [u8], filler: u64, suffix: &'static [u8]) -> Lazy {
        Lazy {
            prefix,
            filler,
            suffix,
            at: 0,
        }
    }

    fn len(&self) -> u64 {
        self.prefix.len() as u64 + self.filler + self.suffix.len() as u64
    }
}

impl Read for Lazy {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let prefix = self.prefix.len() as u64;
        let n = if self.at < prefix {
            let rest = &self.prefix[self.at as usize..];
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            n
        } else if self.at < prefix + self.filler {
            let n = (prefix + self.filler - self.at).min(buf.len() as u64) as usize;
            buf[..n].fill(b'a');
            n
        } else {
            let rest = &self.suffix[(self.at - prefix - self.filler) as usize..];
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            n
        };
        self.at += n as u64;
        Ok(n)
    }
}

const TWO_GIB: u64 = 2 << 30;

/// The process's resident memory now and at its peak, in bytes (Linux only).
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Reads `input` and checks that memory did not grow by anything near its size: the peak
/// resident memory stays below what it was before plus 1 GiB (tests running beside this one
/// use far less), and that all of it was read. Returns the counts and the summary.
fn read_unbuffered(options: &ReadOptions, input: Lazy) -> (Counts, ReadSummary) {
    let len = input.len();
    let before = memory();
    assert!(before.is_some() || !cfg!(target_os = "linux"));
    let (counts, summary) = read(options, input);
    if let (Some((rss, peak_before)), Some((_, peak))) = (before, memory()) {
        assert!(
            peak <= peak_before.max(rss + (1 << 30)),
            "peak memory grew from {peak_before} to {peak} bytes (resident before: {rss})"
        );
    }
    assert_eq!(summary.progress.bytes, len);
    (counts, summary)
}

/// (5) A single line of 2 GiB without a newline, then the end of the input: one too-long
/// record at line 1 (size is checked before anything else, so the reason is its length, not
/// that it ends mid-record), read to its end without being buffered.
#[test]
fn single_2_gib_line_without_newline_is_one_malformed_record() {
    let input = Lazy::new(br#"{"text":"flu "#, TWO_GIB, b"");
    let len = input.len();
    let (counts, summary) = read_unbuffered(&jsonl(), input);
    assert_malformed(&counts, &summary, &[1], |_, kind| {
        *kind
            == RecordErrorKind::TooLong {
                len,
                limit: 16 << 20,
            }
            && kind.to_string() == "record of 2147483661 bytes exceeds the limit of 16777216 bytes"
    });
    assert_messages(&counts, 0, 0);
}

/// (5) The same 2 GiB line, then a newline and a good record, which is counted at line 2.
/// In CSV, the same line is a quoted cell that is never closed: it swallows what follows
/// (see [`csv_unterminated_quote_swallows_the_rest_of_the_input`]), and over the size limit
/// the reason is its length.
#[test]
fn single_2_gib_line_then_a_good_record_on_line_2() {
    let input = Lazy::new(br#"{"text":"flu "#, TWO_GIB, b"\"}\n{\"text\":\"flu\"}\n");
    let (counts, summary) = read_unbuffered(&jsonl(), input);
    assert_malformed(
        &counts,
        &summary,
        &[1],
        |_, kind| matches!(kind, RecordErrorKind::TooLong { len, .. } if *len == TWO_GIB + 15),
    );
    assert_messages(&counts, 1, 1);

    let input = Lazy::new(b"text\nflu\n\"flu ", TWO_GIB, b"\nflu\n");
    let (counts, summary) = read_unbuffered(&csv(), input);
    assert_malformed(
        &counts,
        &summary,
        &[3],
        |_, kind| matches!(kind, RecordErrorKind::TooLong { len, .. } if *len == TWO_GIB + 10),
    );
    assert_messages(&counts, 1, 1);
}

/// (6) A file that ends mid-record: the truncated record is malformed at its line, the good
/// records before it count. A last good record without a final newline counts.
#[test]
fn file_ending_mid_record() {
    let input = "{\"text\":\"flu 1\"}\n\n{\"text\":\"flu 3\"}\n{\"text\":\"abc";
    let (counts, summary) = read(&jsonl(), input.as_bytes());
    assert_malformed(&counts, &summary, &[4], |_, kind| {
        kind.to_string() == "invalid JSON at column 12: EOF while parsing a string"
    });
    assert_messages(&counts, 2, 2);
    for input in [
        "{\"text\":\"flu\"}\n{\"text\":\"flu\"}",
        "{\"text\":\"flu\"}\n{\"text\":\"flu\"}\r",
    ] {
        let (counts, _) = read(&jsonl(), input.as_bytes());
        assert_eq!(counts.errors.malformed, 0);
        assert_messages(&counts, 2, 2);
    }

    let (counts, summary) = read(&csv(), &b"text,source\nflu 2,x\nflu 3,"[..]);
    assert_eq!(counts.errors.malformed, 0, "{summary:?}");
    assert_messages(&counts, 2, 2);
    let (counts, summary) = read(&csv(), &b"text,source\nflu 2,x\nflu 3"[..]);
    assert_malformed(&counts, &summary, &[3], |_, kind| {
        kind.to_string() == "record has 1 cells but the header has 2 columns"
    });
    assert_messages(&counts, 1, 1);
}

/// (7) A CSV quote that is never closed: the quoted cell runs to the end of the input, so the
/// lines after the quote, good ones included, are inside the one malformed record, at the line
/// where its record (and the quote) starts; the good records before it count. Reading does
/// not keep more than the size limit of it: with a small limit the same record is too long,
/// with its full length.
#[test]
fn csv_unterminated_quote_swallows_the_rest_of_the_input() {
    let input = "text,source\nflu 2,x\nflu 3,x\n\"flu 4, unterminated,x\nflu 5,x\nflu 6,x\n";
    let (counts, summary) = read(&csv(), input.as_bytes());
    assert_malformed(&counts, &summary, &[4], |_, kind| {
        *kind == RecordErrorKind::UnterminatedQuote
            && kind.to_string() == "quoted cell is not closed before the end of the input"
    });
    // Lines 5 and 6 are in the unterminated cell: not counted, neither as messages nor as
    // malformed records of their own.
    assert_messages(&counts, 2, 2);
    assert_eq!(summary.progress.records, 3);

    // The quote may open on a later line of a record; the line is still the record's.
    let input = "text,source\nflu 2,x\n\"flu\n3\",\"x\nflu 4,x\n";
    let (counts, summary) = read(&csv(), input.as_bytes());
    assert_malformed(&counts, &summary, &[3], |_, kind| {
        *kind == RecordErrorKind::UnterminatedQuote
    });
    assert_messages(&counts, 1, 1);

    let filler = "flu,x\n".repeat(10_000);
    let input = format!("text,source\nflu 2,x\n\"{filler}");
    let mut options = csv();
    options.max_record_bytes(1024);
    let (counts, summary) = read(&options, input.as_bytes());
    assert_malformed(&counts, &summary, &[3], |_, kind| {
        *kind
            == RecordErrorKind::TooLong {
                len: filler.len() as u64 + 1,
                limit: 1024,
            }
    });
    assert_messages(&counts, 1, 1);
}

/// The `count` example on one hostile JSON Lines file: exit status 0, the good records
/// counted, and each malformed record named `file:line: reason` on standard error.
#[test]
fn count_example_reports_each_hostile_record() {
    let dir = std::env::temp_dir().join(format!("topictally-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let dict = dir.join("flu.toml");
    std::fs::write(&dict, "[[topics]]\nname = \"flu\"\nkeywords = [\"flu\"]\n").expect("write");
    let mut input = Vec::new();
    for line in [
        r#"{"text":"flu 1"}"#.as_bytes(),
        format!(r#"{{"text":{}{}}}"#, "[".repeat(200), "]".repeat(200)).as_bytes(),
        r#"{"text":"flu","timestamp":1e400}"#.as_bytes(),
        r#"{"text":"flu \ud800"}"#.as_bytes(),
        b"{\"text\":\"flu\0\"}",
        br#"{"text":"flu 6 \u0000","x":"\ud800"}"#,
        &[b'x'; 2000],
        b"{\"text\":\"caf\xe9 flu\"}",
        r#"{"text":"flu 9"}"#.as_bytes(),
    ] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    input.extend_from_slice(br#"{"text":"flu"#);
    let file = dir.join("hostile.jsonl");
    std::fs::write(&file, &input).expect("write");
    let (dict_arg, file_arg) = (dict.to_str().expect("UTF-8"), file.to_str().expect("UTF-8"));
    let o = Command::new(crate::support::example_binary("count"))
        .args(["--dict", dict_arg, "--input", file_arg, "--format", "json"])
        .args(["--max-record-bytes", "1024", "--threads", "2"])
        .output()
        .expect("run the count example");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let counts: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    assert_eq!(counts["total_messages"], 3);
    assert_eq!(counts["topics"]["flu"]["messages"], 3);
    assert_eq!(
        counts["errors"],
        serde_json::json!({"malformed": 7, "first_lines": [2, 3, 4, 5, 7, 8, 10]})
    );
    assert!(stderr.contains("7 malformed records skipped"), "{stderr}");
    for (line, reason) in [
        (2, "field \"text\" is not a string (found an array)"),
        (3, "field \"timestamp\": "),
        (4, "field \"text\" holds a lone surrogate escape"),
        (5, "invalid JSON at column 12: control character"),
        (7, "record of 2000 bytes exceeds the limit of 1024 bytes"),
        (8, "invalid UTF-8 at byte offset 12"),
        (10, "invalid JSON at column 12: EOF while parsing a string"),
    ] {
        let want = format!("  {file_arg}:{line}: {reason}");
        assert!(stderr.contains(&want), "{want:?} missing from\n{stderr}");
    }
}
