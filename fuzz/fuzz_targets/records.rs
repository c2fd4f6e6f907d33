//! Arbitrary bytes as JSON Lines and as CSV, through the streaming reader with a tiny buffer
//! and size limit: no panic, and every record is either a message or malformed. Each line also
//! goes to the JSON Lines parser's fast path and serde path separately: whenever the fast path
//! reads a record, the serde path reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topictally::{
    Classifier, Dictionary, FieldNames, InputFormat, ReadOptions, StreamTally, TopicBuilder,
};

fuzz_target!(|data: &[u8]| {
    let dictionary = Dictionary::builder()
        .topic(TopicBuilder::new("t").keywords(["a", "b*"]))
        .build()
        .expect("valid");
    let classifier = Classifier::new(&dictionary).expect("compiles");
    for format in [InputFormat::JsonLines, InputFormat::Csv] {
        for lossy in [false, true] {
            let mut options = ReadOptions::new();
            options
                .format(format)
                .lossy_utf8(lossy)
                .max_record_bytes(64)
                .buffer_capacity(7);
            let tally = StreamTally::new(&classifier, &options);
            if tally.read(data).is_ok() {
                let p = tally.progress();
                assert_eq!(p.records, p.messages + p.malformed + p.skipped);
                let counts = tally.snapshot();
                assert_eq!(counts.total_messages, p.messages);
                assert_eq!(counts.errors.malformed, p.malformed);
            }
        }
    }
    let field_names = [
        FieldNames::default(),
        // One field in two roles, and a one-letter name.
        FieldNames {
            source: "lang".into(),
            text: "t".into(),
            ..FieldNames::default()
        },
    ];
    for line in data.split(|&b| b == b'\n') {
        if let Ok(line) = std::str::from_utf8(line) {
            for fields in &field_names {
                fields.check_fast_path(line);
            }
        }
    }
});
