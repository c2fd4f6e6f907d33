//! Arbitrary small dictionaries and texts: the library's kept occurrences equal the plain
//! reference implementation's (tests/reference.rs), not only "no crash".
#![no_main]

use libfuzzer_sys::fuzz_target;
use topictally::{Classifier, Dictionary, TopicBuilder};

#[allow(dead_code)]
#[path = "../../tests/reference.rs"]
mod reference;

use reference::RefTopic;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    // Layout: up to 3 topics of up to 4 keywords, `|` between keywords, `;` between topics,
    // a newline, then the text. The first byte of a topic picks its options.
    let Some((dict, text)) = input.split_once('\n') else {
        return;
    };
    if text.chars().count() > 64 {
        return; // the reference is quadratic
    }
    let mut topics = Vec::new();
    for (i, spec) in dict.split(';').take(3).enumerate() {
        let mut chars = spec.chars();
        let flags = chars.next().map_or(0, |c| c as u32);
        let mut keywords: Vec<String> = Vec::new();
        for k in chars.as_str().split('|').take(4) {
            let valid = !k.is_empty() && !k.chars().all(|c| c == '*' || c.is_whitespace());
            if valid && k.len() <= 32 && !keywords.iter().any(|w| w == k) {
                keywords.push(k.to_string());
            }
        }
        if keywords.is_empty() {
            return;
        }
        let exclude = if flags & 4 != 0 {
            keywords.pop().into_iter().collect()
        } else {
            Vec::new()
        };
        if keywords.is_empty() {
            return;
        }
        topics.push(RefTopic {
            name: format!("t{i}"),
            keywords,
            exclude,
            case_sensitive: flags & 1 != 0,
            whole_word: flags & 2 == 0,
            query: None,
        });
    }
    let mut builder = Dictionary::builder();
    for t in &topics {
        let mut topic = TopicBuilder::new(&t.name);
        topic
            .keywords(&t.keywords)
            .case_sensitive(t.case_sensitive)
            .whole_word(t.whole_word);
        for x in &t.exclude {
            topic.exclude(x);
        }
        builder.topic(&topic);
    }
    let dictionary = builder.build().expect("valid by construction");
    let classifier = Classifier::new(&dictionary).expect("small dictionaries compile");
    let matches = classifier.classify(text).expect("short text");
    let want = reference::classify(&topics, text);
    for (i, r) in want.iter().enumerate() {
        let got: Vec<(String, usize, usize)> = matches
            .get(i)
            .map(|hit| {
                hit.occurrences
                    .iter()
                    .map(|o| (topics[i].keywords[o.keyword].clone(), o.start, o.end))
                    .collect()
            })
            .unwrap_or_default();
        let want: Vec<(String, usize, usize)> = r
            .kept
            .iter()
            .map(|o| (o.keyword.clone(), o.start, o.end))
            .collect();
        assert_eq!(got, want, "topics {topics:?} text {text:?}");
    }
});
