//! Bridges between the reference's plain types and the library's, so that tests can run one
//! case through both. Nothing here matches or counts: it only converts.

use topictally::{Classifier, Dictionary, Message, TimeBucket, Timestamp, TopicBuilder};

use crate::reference::{RefBucket, RefMessage, RefOccurrence, RefTopic};

/// A topic for tests: name, keywords, exclusions, options.
pub fn topic(name: &str, keywords: &[&str], exclude: &[&str]) -> RefTopic {
    RefTopic {
        name: name.to_string(),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        exclude: exclude.iter().map(|k| k.to_string()).collect(),
        case_sensitive: false,
        whole_word: true,
        query: None,
    }
}

/// The library's dictionary for the same topics.
pub fn dictionary(topics: &[RefTopic]) -> Dictionary {
    let mut builder = Dictionary::builder();
    for t in topics {
        let mut topic = TopicBuilder::new(&t.name);
        match &t.query {
            Some(query) => topic.query(query),
            None => topic.keywords(&t.keywords),
        };
        topic
            .case_sensitive(t.case_sensitive)
            .whole_word(t.whole_word);
        for x in &t.exclude {
            topic.exclude(x);
        }
        builder.topic(&topic);
    }
    builder.build().expect("test dictionaries are valid")
}

/// A classifier over `topics`, with `bucket`.
pub fn classifier(topics: &[RefTopic], bucket: RefBucket) -> Classifier {
    Classifier::builder()
        .time_bucket(lib_bucket(bucket))
        .build(&dictionary(topics))
        .expect("test dictionaries compile")
}

pub fn lib_bucket(bucket: RefBucket) -> TimeBucket {
    match bucket {
        RefBucket::Day => TimeBucket::Day,
        RefBucket::Hour => TimeBucket::Hour,
        RefBucket::Month => TimeBucket::Month,
    }
}

/// Per topic, the kept occurrences as (keyword as written, start, end): what both
/// implementations are compared on (the mention count is their number).
pub type Kept = Vec<Vec<(String, usize, usize)>>;

/// The library's answer for one text.
pub fn lib_kept(classifier: &Classifier, text: &str) -> Kept {
    let matches = classifier.classify(text).expect("test texts are short");
    let topics = classifier.dictionary().topics();
    let mut out = vec![Vec::new(); topics.len()];
    for hit in matches.iter() {
        assert_eq!(hit.mentions, hit.occurrences.len());
        out[hit.topic] = hit
            .occurrences
            .iter()
            .map(|o| {
                (
                    topics[hit.topic].keywords()[o.keyword]
                        .as_written()
                        .to_string(),
                    o.start,
                    o.end,
                )
            })
            .collect();
    }
    out
}

/// The reference's answer for one text.
pub fn ref_kept(topics: &[RefTopic], text: &str) -> Kept {
    crate::reference::classify(topics, text)
        .into_iter()
        .map(|r| {
            assert_eq!(r.mentions, r.kept.len());
            r.kept
                .into_iter()
                .map(
                    |RefOccurrence {
                         keyword,
                         start,
                         end,
                     }| (keyword, start, end),
                )
                .collect()
        })
        .collect()
}

/// The library's message for a reference message.
pub fn lib_message(m: &RefMessage) -> Message<'_> {
    Message {
        text: &m.text,
        source: m.source.as_deref(),
        timestamp: m
            .timestamp
            .map(|t| Timestamp::from_unix_seconds(t).expect("test times are in range")),
        lang: m.lang.as_deref(),
    }
}

/// The library's counts as a JSON value, through its serde form.
pub fn lib_counts_json(counts: &topictally::Counts) -> serde_json::Value {
    serde_json::to_value(counts).expect("counts serialize")
}

/// An example binary that `cargo test` builds beside this test binary.
pub fn example_binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target profile directory");
    let bin = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo test`, which builds the examples",
        bin.display()
    );
    bin
}

/// A file of the bundled sample data.
pub fn sample_data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(name)
}

/// The reference's view of a dictionary: keyword topics with their keywords, query topics
/// with their query.
pub fn ref_topics(dictionary: &topictally::Dictionary) -> Vec<RefTopic> {
    dictionary
        .topics()
        .iter()
        .map(|t| RefTopic {
            name: t.name().to_string(),
            keywords: match t.query() {
                Some(_) => Vec::new(),
                None => t
                    .keywords()
                    .iter()
                    .map(|k| k.as_written().to_string())
                    .collect(),
            },
            exclude: t
                .exclude()
                .iter()
                .map(|k| k.as_written().to_string())
                .collect(),
            case_sensitive: t.case_sensitive(),
            whole_word: t.whole_word(),
            query: t.query().map(str::to_string),
        })
        .collect()
}
