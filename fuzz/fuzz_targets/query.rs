//! Any string as a topic's query: a dictionary or a typed query error, never a panic; a query
//! that parses classifies and explains messages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topictally::{Classifier, Dictionary, Message, TopicBuilder};

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    match Dictionary::builder()
        .topic(TopicBuilder::new("q").query(query))
        .build()
    {
        Ok(dictionary) => {
            let classifier = Classifier::new(&dictionary).expect("a parsed query compiles");
            let message = Message::new(query).with_source("blog").with_lang("en");
            let matches = classifier.classify(message).expect("short text");
            let why = classifier.explain(&message).expect("short text");
            assert_eq!(why.topics[0].matched, !matches.is_empty());
        }
        Err(e) => {
            let _ = (e.to_string(), e.query_caret());
        }
    }
});
