//! Streams: sequential, parallel and streamed runs agree with each other and with the
//! reference's own reading of JSON Lines, whatever the thread count and chunking; and the
//! awkward inputs of real files.

use std::io::{self, Read};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::json;
use topictally::{
    Classifier, Dictionary, FieldNames, InputFormat, ReadOptions, RecordErrorKind, StreamTally,
    TopicBuilder,
};

use crate::prop::{bucket, message, topics};
use crate::reference::{self, RefBucket, RefMessage};
use crate::support::{classifier, lib_counts_json, lib_message};

/// Thread pools of 1, 2 and 8 threads, made once.
fn pools() -> &'static [rayon::ThreadPool] {
    static POOLS: OnceLock<Vec<rayon::ThreadPool>> = OnceLock::new();
    POOLS.get_or_init(|| {
        [1, 2, 8]
            .into_iter()
            .map(|n| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .expect("thread pool")
            })
            .collect()
    })
}

/// A line of input: a record, or something awkward.
#[derive(Clone, Debug)]
enum Line {
    Record(RefMessage, bool),
    Blank(&'static str),
    Garbage(Vec<u8>),
}

fn record_json(m: &RefMessage, timestamp_as_text: bool) -> String {
    let mut object = serde_json::Map::new();
    object.insert("id".into(), json!(7));
    object.insert("text".into(), json!(m.text));
    object.insert(
        "source".into(),
        m.source
            .as_ref()
            .map_or(serde_json::Value::Null, |s| json!(s)),
    );
    if let Some(t) = m.timestamp {
        let value = if timestamp_as_text {
            let hour = reference::bucket_label(t, RefBucket::Hour);
            json!(format!(
                "{hour}:{:02}:{:02}Z",
                t.rem_euclid(3600) / 60,
                t.rem_euclid(60)
            ))
        } else {
            json!(t)
        };
        object.insert("timestamp".into(), value);
    }
    if let Some(lang) = &m.lang {
        object.insert("lang".into(), json!(lang));
    }
    serde_json::Value::Object(object).to_string()
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        8 => (message(), any::<bool>()).prop_map(|(m, t)| Line::Record(m, t)),
        1 => prop::sample::select(vec!["", " ", "\t \r"]).prop_map(Line::Blank),
        1 => prop::sample::select(vec![
            b"not json".to_vec(),
            b"{\"text\": 5}".to_vec(),
            b"{\"source\": \"x\"}".to_vec(),
            b"[1, 2]".to_vec(),
            b"{\"text\": \"caf\xff\"}".to_vec(),
            b"{\"text\": \"a\", \"timestamp\": \"2009-02-30\"}".to_vec(),
            b"{\"text\": \"\\ud800\"}".to_vec(),
            b"{\"text\": \"a\", \"x\": \"\\ud800\"}".to_vec(),
            b"{\"text\": \"truncated".to_vec(),
        ]).prop_map(Line::Garbage),
    ]
}

fn render(lines: &[Line], crlf: bool, final_newline: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        match l {
            Line::Record(m, t) => out.extend_from_slice(record_json(m, *t).as_bytes()),
            Line::Blank(b) => out.extend_from_slice(b.as_bytes()),
            Line::Garbage(g) => out.extend_from_slice(g),
        }
        if i + 1 < lines.len() || final_newline {
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
    }
    out
}

/// A reader that returns at most a few bytes per call, to cut the input at random places.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(2_000))]

    /// (4, 5) Streamed counts equal the reference's reading of the same bytes, for 1, 2 and 8
    /// threads, any read chunking and buffer size, with malformed lines at the right numbers.
    #[test]
    fn stream_equals_reference(
        topics in topics(),
        lines in prop::collection::vec(line(), 0..16),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
        lossy in any::<bool>(),
        max in prop_oneof![Just(1usize << 20), 20usize..120],
        capacity in prop_oneof![1usize..64, Just(1 << 16)],
        sizes in prop::collection::vec(1usize..40, 1..5),
        pool in 0usize..3,
        bucket in bucket(),
    ) {
        let input = render(&lines, crlf, final_newline);
        let c = classifier(&topics, bucket);
        let mut options = ReadOptions::new();
        options.lossy_utf8(lossy).max_record_bytes(max).buffer_capacity(capacity);
        let counts = pools()[pool].install(|| {
            let tally = StreamTally::new(&c, &options);
            tally.read(Chunked { data: &input, sizes, next: 0 }).expect("reading memory cannot fail");
            tally.into_counts()
        });
        prop_assert_eq!(lib_counts_json(&counts), reference::count_jsonl(&topics, &input, bucket, max, lossy));
    }

    /// (4) A batch counted on 1, 2 or 8 threads gives the same counts.
    #[test]
    fn tally_is_independent_of_threads(topics in topics(), messages in prop::collection::vec(message(), 0..600), bucket in bucket()) {
        let c = classifier(&topics, bucket);
        let lib: Vec<_> = messages.iter().map(lib_message).collect();
        let results: Vec<_> = pools().iter().map(|p| p.install(|| c.tally(&lib))).collect();
        prop_assert_eq!(&results[0], &results[1]);
        prop_assert_eq!(&results[0], &results[2]);
        let mut sequential = c.new_tally();
        for m in &lib {
            sequential.add(m).expect("short texts");
        }
        prop_assert_eq!(&sequential.counts(), &results[0]);
    }
}

/// A batch large enough that each thread takes many runs of messages from the shared cursor
/// of `Classifier::tally` (the property test above stays below one run per thread).
#[test]
fn a_large_tally_is_independent_of_threads() {
    let d = Dictionary::builder()
        .topic(TopicBuilder::new("flu").keywords(["flu", "influenza*", "flu shot"]))
        .topic(TopicBuilder::new("医疗").keywords(["医疗", "医院"]))
        .build()
        .unwrap();
    let c = Classifier::new(&d).unwrap();
    let texts = [
        "Flu season: flu shots and influenza vaccines",
        "nothing to see",
        "医院的医疗费用",
        "the influencer had the flu",
    ];
    let sources = ["twitter", "blog", "news"];
    let messages: Vec<_> = (0..50_000u32)
        .map(|i| {
            let day = topictally::Timestamp::from_unix_seconds(
                1_700_000_000 + i64::from(i % 97) * 86_400,
            )
            .expect("a valid time");
            topictally::Message::new(texts[i as usize % texts.len()])
                .with_source(sources[i as usize % sources.len()])
                .with_timestamp(day)
        })
        .collect();
    let mut sequential = c.new_tally();
    for m in &messages {
        sequential.add(m).expect("short texts");
    }
    let expected = sequential.counts();
    assert_eq!(expected.total_messages, 50_000);
    for pool in pools() {
        assert_eq!(pool.install(|| c.tally(&messages)), expected);
    }
}

fn flu() -> Classifier {
    let d = Dictionary::builder()
        .topic(TopicBuilder::new("flu").keywords(["flu", "influenza"]))
        .build()
        .unwrap();
    Classifier::new(&d).unwrap()
}

fn read(
    c: &Classifier,
    options: &ReadOptions,
    input: &[u8],
) -> (topictally::Counts, topictally::ReadSummary) {
    let tally = StreamTally::new(c, options);
    let summary = tally.read(input).expect("reading memory cannot fail");
    (tally.snapshot(), summary)
}

#[test]
fn huge_line_under_small_limit_is_skipped_and_reading_goes_on() {
    let c = flu();
    let mut input = b"{\"text\": \"flu one\"}\n{\"text\": \"".to_vec();
    input.extend(std::iter::repeat_n(b'x', 20 << 20));
    input.extend_from_slice(b" flu\"}\n{\"text\": \"flu three\"}\n");
    let mut options = ReadOptions::new();
    options.max_record_bytes(1 << 20);
    let (counts, summary) = read(&c, &options, &input);
    assert_eq!(counts.total_messages, 2);
    assert_eq!(counts.topics["flu"].messages, 2);
    assert_eq!(
        (counts.errors.malformed, counts.errors.first_lines.clone()),
        (1, vec![2])
    );
    assert_eq!(summary.errors[0].line(), Some(2));
    assert!(
        matches!(summary.errors[0].kind(), RecordErrorKind::TooLong { limit, .. } if *limit == 1 << 20)
    );
    assert_eq!(summary.progress.bytes, input.len() as u64);
}

#[test]
fn crlf_blank_lines_and_null_fields() {
    let c = flu();
    let input = b"{\"text\": \"flu\", \"source\": null, \"timestamp\": null, \"lang\": null}\r\n\r\n  \n{\"text\": \"Flu\", \"source\": \"news\"}\r\n";
    let (counts, _) = read(&c, &ReadOptions::new(), input);
    assert_eq!(counts.total_messages, 2);
    let flu = &counts.topics["flu"];
    assert_eq!(flu.by_source["unknown"].messages, 1);
    assert_eq!(flu.by_source["news"].messages, 1);
    assert!(flu.by_time.is_empty());
    assert_eq!(counts.errors.malformed, 0);
}

#[test]
fn invalid_utf8_with_and_without_lossy() {
    let c = flu();
    let input = b"{\"text\": \"flu \xff\xfe\"}\n{\"text\": \"flu\"}\n";
    let (strict, summary) = read(&c, &ReadOptions::new(), input);
    assert_eq!((strict.total_messages, strict.errors.malformed), (1, 1));
    assert_eq!(
        summary.errors[0].kind(),
        &RecordErrorKind::InvalidUtf8 { offset: 14 }
    );
    let mut options = ReadOptions::new();
    options.lossy_utf8(true);
    let (lossy, _) = read(&c, &options, input);
    assert_eq!((lossy.total_messages, lossy.errors.malformed), (2, 0));
    assert_eq!(lossy.topics["flu"].mentions, 2);
}

#[test]
fn json_field_mapping() {
    let c = flu();
    let input = b"{\"content\": \"flu\", \"platform\": \"blog\", \"created_at\": \"2026-10-14T23:30:00-02:00\", \"text\": \"ignored\"}\n{\"text\": \"flu\"}\n";
    let mut options = ReadOptions::new();
    options.fields(FieldNames {
        text: "content".into(),
        source: "platform".into(),
        timestamp: "created_at".into(),
        lang: "language".into(),
    });
    let (counts, summary) = read(&c, &options, input);
    assert_eq!(counts.total_messages, 1);
    assert_eq!(counts.topics["flu"].by_source["blog"].messages, 1);
    assert_eq!(
        counts.topics["flu"].by_time["2026-10-15"].messages, 1,
        "converted to UTC"
    );
    assert_eq!(summary.errors[0].line(), Some(2), "no content field");
}

#[test]
fn csv_with_header_quotes_and_mapping() {
    let c = flu();
    let input = "id,content,platform,created_at\n1,\"Flu, again\",twitter,2026-10-14\n2,\"two\nlines of flu\",blog,\n3,\"say \"\"influenza\"\"\",,2026-10-15T10:00:00Z\n4,too,few\n5,\"unterminated flu,x,2026-10-14\n";
    let mut options = ReadOptions::new();
    options.format(InputFormat::Csv).fields(FieldNames {
        text: "content".into(),
        source: "platform".into(),
        timestamp: "created_at".into(),
        ..FieldNames::default()
    });
    let (counts, summary) = read(&c, &options, input.as_bytes());
    assert_eq!(counts.total_messages, 3);
    let flu = &counts.topics["flu"];
    assert_eq!(flu.messages, 3);
    assert_eq!(flu.by_source["twitter"].messages, 1);
    assert_eq!(flu.by_source["blog"].messages, 1);
    assert_eq!(
        flu.by_source["unknown"].messages, 1,
        "an empty cell is no source"
    );
    assert_eq!(flu.by_time.len(), 2);
    let lines: Vec<_> = summary.errors.iter().map(|e| e.line()).collect();
    assert_eq!(lines, [Some(6), Some(7)], "{:?}", summary.errors);
}

#[test]
fn csv_without_text_column_is_an_input_error() {
    let c = flu();
    let mut options = ReadOptions::new();
    options.format(InputFormat::Csv);
    let tally = StreamTally::new(&c, &options);
    let err = tally.read(&b"id,body\n1,flu\n"[..]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("\"text\""), "{err}");
}

/// A reader fed line by line from another thread, like `tail -f`: it blocks when idle.
struct Fed(mpsc::Receiver<Vec<u8>>, Vec<u8>);

impl Read for Fed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.1.is_empty() {
            match self.0.recv() {
                Ok(data) => self.1 = data,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.1.len());
        buf[..n].copy_from_slice(&self.1[..n]);
        self.1.drain(..n);
        Ok(n)
    }
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn snapshots_while_an_endless_stream_is_idle_then_stop() {
    let c = flu();
    let tally = StreamTally::new(&c, &ReadOptions::new());
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        let reader = s.spawn(|| tally.read(Fed(rx, Vec::new())));
        tx.send(b"{\"text\": \"flu\"}\n{\"text\": \"no\"}\n".to_vec())
            .unwrap();
        // The reader is now blocked waiting for more: what it read must be counted anyway.
        wait_until("two messages are counted", || {
            tally.progress().messages == 2
        });
        let snapshot = tally.snapshot();
        assert_eq!(
            (snapshot.total_messages, snapshot.topics["flu"].messages),
            (2, 1)
        );
        assert!(tally.is_settled());
        tx.send(b"{\"text\": \"influenza\"}\n{\"text\": \"flu again\"}\n".to_vec())
            .unwrap();
        wait_until("four messages are counted", || {
            tally.progress().messages == 4
        });
        // Stopped while blocked: the read ends at the end of its input (or of its record).
        tally.stop();
        drop(tx);
        reader.join().unwrap().unwrap();
    });
    // Later reads return at once.
    let summary = tally
        .read(&b"{\"text\": \"flu after stop\"}\n"[..])
        .unwrap();
    assert!(summary.stopped);
    assert_eq!(summary.progress.messages, 0);
    let counts = tally.into_counts();
    assert_eq!(counts.total_messages, 4);
    assert_eq!(counts.topics["flu"].messages, 3);
}

#[test]
fn tally_reader_matches_stream_tally() {
    let c = flu();
    let input = b"{\"text\": \"flu\"}\nbad\n{\"text\": \"influenza flu\"}\n";
    let counts = c.tally_reader(&input[..]).unwrap();
    assert_eq!(
        (counts.total_messages, counts.errors.first_lines.clone()),
        (2, vec![2])
    );
    assert_eq!(counts.topics["flu"].mentions, 3);
}

#[test]
fn since_skips_older_and_undated_messages_and_latest_is_reported() {
    let c = flu();
    let input = b"{\"text\": \"flu\", \"timestamp\": \"2026-10-01\"}\n{\"text\": \"flu\", \"timestamp\": \"2026-10-20T12:00:00Z\"}\n{\"text\": \"flu\"}\n{\"text\": \"flu\", \"timestamp\": \"2026-10-30T08:00:00Z\"}\nbad\n";
    let (all, summary) = read(&c, &ReadOptions::new(), input);
    assert_eq!(all.total_messages, 4);
    assert_eq!(
        summary.latest,
        Some(topictally::Timestamp::parse("2026-10-30T08:00:00Z").unwrap())
    );
    let mut options = ReadOptions::new();
    options.since(Some(
        topictally::Timestamp::parse("2026-10-20T12:00:00Z").unwrap(),
    ));
    let tally = StreamTally::new(&c, &options);
    let summary = tally.read(&input[..]).unwrap();
    let recent = tally.snapshot();
    assert_eq!((recent.total_messages, recent.errors.malformed), (2, 1));
    assert_eq!((summary.progress.skipped, summary.progress.records), (2, 5));
    assert!(tally.is_settled());
}
