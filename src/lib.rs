//! Streaming topic matching with exact counts.
//!
//! topictally compiles topic dictionaries (lists of keywords, phrases and prefixes, with
//! exclusions) into one Aho-Corasick automaton, classifies messages against every topic in a
//! single scan, and counts per topic: messages, mentions, mentions per keyword, per source and
//! per time bucket. Counts merge exactly across threads, batches and machines.
//!
//! ```
//! use topictally::{Classifier, Dictionary, Message, Timestamp};
//!
//! let dictionary = Dictionary::from_toml_str(r##"
//!     [[topics]]
//!     name = "healthcare"
//!     keywords = ["healthcare", "health care", "#healthcare"]
//!     exclude = ["job*"]
//!
//!     [[topics]]
//!     name = "health insurance"
//!     keywords = ["health insurance", "insur*"]
//! "##)?;
//! let classifier = Classifier::new(&dictionary)?;
//!
//! let day = Timestamp::parse("2026-10-14")?;
//! let messages = [
//!     Message::new("Health care costs and health insurance premiums").with_source("blog").with_timestamp(day),
//!     Message::new("#healthcare reform: insurers respond").with_source("twitter").with_timestamp(day),
//!     Message::new("Healthcare jobs in Austin").with_source("twitter"),
//! ];
//! let counts = classifier.tally(&messages);
//!
//! let healthcare = &counts.topics["healthcare"];
//! assert_eq!(healthcare.messages, 2); // the job ad is excluded
//! assert_eq!(healthcare.by_source["blog"].messages, 1);
//! assert_eq!(counts.topics["health insurance"].keywords["insur*"], 1);
//! assert_eq!(counts.topics["health insurance"].by_time["2026-10-14"].mentions, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`Dictionary`]: the topics, loaded from TOML or JSON ([`Dictionary::from_path`]) or built
//!   in code ([`Dictionary::builder`], [`TopicBuilder`]), checked as SEMANTICS.md §1 demands.
//! - [`Classifier`]: the compiled dictionary. [`Classifier::classify`] tells which topics one
//!   [`Message`] matches and why ([`Matches`]: kept [`Occurrence`]s with their keyword and
//!   byte span); [`Classifier::tally`] counts a batch on all cores.
//! - [`Tally`]: counts message by message, for loops of your own.
//! - [`Counts`]: the result, a commutative monoid ([`Counts::merge`]) whose serde form is the
//!   JSON of SEMANTICS.md §5.
//!
//! # Matching semantics
//!
//! A keyword matches per-character Unicode lowercase text (unless its topic is
//! case-sensitive); a space in a keyword matches any run of whitespace; a trailing `*` makes
//! a prefix; keywords match whole words (Unicode word characters), except beside Han, Kana
//! and Thai characters, which impose no boundary. Per topic and message, the occurrences of
//! its keywords are selected leftmost-longest without overlap: their number is the topic's
//! mention count, and each is credited to the first keyword in dictionary order that
//! produced it. An exclusion that occurs vetoes the topic for that message. The full contract
//! is the project's SEMANTICS.md, summarized in the README.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod boundary;
mod classify;
mod condition;
mod counts;
mod dictionary;
mod error;
mod explain;
mod load;
mod matcher;
mod message;
mod normalize;
mod query;
mod record;
mod split;
mod stream;
mod timestamp;
mod trie;

pub use crate::classify::{Classifier, ClassifierBuilder, Matches, Occurrence, TopicMatch};
pub use crate::counts::{
    Counts, ErrorCounts, Tally, TopicCounts, Volume, FIRST_LINES, UNKNOWN_SOURCE,
};
pub use crate::dictionary::{
    Dictionary, DictionaryBuilder, Keyword, Topic, TopicBuilder, MAX_KEYWORD_BYTES,
};
pub use crate::error::{DictionaryError, DictionaryErrorKind, KeywordList, RecordError};
pub use crate::explain::{Explanation, Found, QueryPart, TopicExplanation};
pub use crate::message::Message;
pub use crate::query::{QueryError, QueryErrorKind};
pub use crate::record::{FieldNames, JsonType, RecordErrorKind};
pub use crate::split::{InputFormat, ParseInputFormatError};
pub use crate::stream::{
    Progress, ReadOptions, ReadSummary, StreamTally, DEFAULT_MAX_RECORD_BYTES,
};
pub use crate::timestamp::{
    ParseTimeBucketError, TimeBucket, Timestamp, TimestampError, TimestampErrorKind,
};

#[cfg(test)]
mod tests {
    fn assert_thread_safe<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}

    #[test]
    fn public_types_are_thread_safe() {
        assert_thread_safe::<crate::Classifier>();
        assert_thread_safe::<crate::Dictionary>();
        assert_thread_safe::<crate::Counts>();
        assert_thread_safe::<crate::Matches>();
    }
}
