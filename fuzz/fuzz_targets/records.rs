//! Arbitrary bytes as JSON Lines and as CSV, through the streaming reader with a tiny buffer
//! and size limit: no panic, and every record is either a message or malformed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topictally::{Classifier, Dictionary, InputFormat, ReadOptions, StreamTally, TopicBuilder};

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
});
