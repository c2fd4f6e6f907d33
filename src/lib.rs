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
//! - [`StreamTally`]: counts JSON Lines or CSV records read from any `io::Read`, on all
//!   cores, with bounded memory; snapshots at any time from any thread ([`ReadOptions`]
//!   configures formats, field names, decoding and limits).
//! - [`Tally`]: counts message by message, for loops of your own.
//! - [`Classifier::explain`]: why a message matches each topic or not ([`Explanation`]).
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
//!
//! A topic can instead be a boolean query (`(healthcare OR "health care") AND NOT job*`,
//! with `NEAR/n` and `source:`/`lang:` filters), whose terms go into the same automaton.
//!
//! # Example: streaming
//!
//! ```
//! use topictally::{Classifier, Dictionary, ReadOptions, StreamTally, TopicBuilder};
//!
//! let dictionary = Dictionary::builder()
//!     .topic(TopicBuilder::new("aca debate").query(r#"(obamacare OR "affordable care act") AND source:blog"#))
//!     .build()?;
//! let classifier = Classifier::new(&dictionary)?;
//! let tally = StreamTally::new(&classifier, &ReadOptions::new());
//! let input = concat!(
//!     "{\"text\": \"Obamacare, again\", \"source\": \"blog\", \"timestamp\": \"2026-10-14T09:00:00Z\"}\n",
//!     "{\"text\": \"Obamacare!\", \"source\": \"twitter\"}\n",
//! );
//! let summary = tally.read(input.as_bytes())?; // any `io::Read`: a file, stdin, a socket
//! assert_eq!(summary.progress.messages, 2);
//! let counts = tally.snapshot(); // callable from another thread while `read` runs
//! assert_eq!(counts.topics["aca debate"].by_time["2026-10-14"].messages, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Design
//!
//! **One automaton, walked in place.** The normalized keywords and query terms of all topics
//! (one set per case mode) form a byte trie laid out as a double array (node `n`'s child by
//! byte `b` is the slot `base[n] + b` if that slot's `check` is `n`), depth first so that a
//! walk stays near its path in memory. A walk carries the current node's `base`, read with its
//! `check` from the same 8-byte slot, so each step is one dependent read whatever the
//! dictionary size. A keyword shared by topics is one pattern with a run of *uses* (topic, term
//! or exclusion, boundary checks), as daachorse attaches values to patterns; the trie's value
//! for a pattern is where its uses start, so a match reaches them with no lookup in between
//! (or, for a pattern with one use when topic and item numbers fit, the use itself, packed
//! into 30 bits: that saved a cache miss per match at 100,000 keywords, about 4%),
//! plus a bit telling that every use needs a word boundary after it, so that a walk passes
//! over such a pattern inside a longer word (`cat` in `cats`) without reading its uses.
//! The text is never copied: the walk folds it as it reads (an ASCII table for case and
//! whitespace, per-character lowercase otherwise, a whitespace run where the trie expects a
//! space), and reports a pattern only after a whole text character, which is exactly
//! SEMANTICS.md's "span of whole characters".
//!
//! **Start only where a keyword can start.** Whole-word matching means most positions cannot
//! start a keyword. The scan reads each byte through a table indexed by the byte and by
//! whether the previous character allows a word boundary, and walks only where a pattern
//! begins with that byte and the boundary rule allows it. At the start of an ASCII word it
//! first measures the run of word characters, eight bytes at a time (each byte tested in its
//! own lane of a 64-bit word, so the end of a word costs no mispredicted branch), and looks
//! the run up in a filter of hashed *stems*, the patterns' longest prefixes of ASCII word
//! characters: a pattern can only occur where the run is its stem, or starts with it for a
//! prefix keyword. At 10,000 English keywords nearly every word begins some keyword, yet
//! only about one word of a blog post in four has a stem for its run (counted with an
//! instrumented scan); the others are passed over whole. At 100,000 keywords half the words
//! are stems, mostly of phrases only (`heart` of `heart attack`, met in `heart of`), so a stem
//! has two bits, *alone* and *continued*, and a run whose stem is only continued passes when
//! the pair of its key and the first three bytes of the next word (or the punctuation after
//! it, for `t-cell`) is a pattern's, in a second filter. A stem followed in its pattern by a
//! byte that is not ASCII needs no key: such a run always passes. The filters are blocked
//! Bloom filters, two slots per key in one 64-bit word, so a lookup is one read and lets
//! through a few words in a thousand; the few prefix stems (looked up once per prefix
//! length) have their own, in front of which a third filter holds their first bytes (as many
//! as the shortest has): asked with no branch on the run's length, it turns away nearly every
//! run with one read, where the loop over prefix lengths (none to four turns on each word,
//! depending on its length) had a mispredicted exit on many words. That won 1.06x–1.09x at
//! 100,000 English keywords, 1.12x at 10,000 and 1.14x at 100. With both, the walks on blog posts at 100,000 keywords fell by a
//! third, and those that find nothing from a third of them to an eighth (counted, like the
//! shares of words above, with counters added to the scan for the purpose and not kept;
//! `bench_report --profile core:en-100k/blogs` is the run to add them to). A run that passes
//! is then looked up by its key in an exact hash table of the stems (2 MiB at 100,000
//! keywords), which gives the trie state after the key: the walk starts there instead of
//! making one dependent read per byte of the word, a false pass of the Bloom filter is turned
//! away, and a stem inside which a shorter prefix keyword may end (`car*` in `cares`) is
//! flagged to be walked from its first byte. The scan then goes
//! from one ASCII word to the next in a loop of its own, over tables of separators and of
//! word starts, one word ahead: it finds the next word and reads its bits in the stem filter
//! before it branches on this word's bits and walks, so that the next read (a cache miss at
//! 100,000 keywords, where the branch on its answer is a coin toss) is under way meanwhile.
//! That won 1.09x–1.11x at 100,000 English keywords (no change at 100 or 10,000). The first
//! step of a walk from ASCII comes from a 128-entry table.
//!
//! Han, Kana and Thai impose no boundary, so in Chinese text every character is a start. A
//! run of three-byte characters (Han, its punctuation, and the ASCII between them where no
//! pattern starts) has a loop of its own. For each character it reads eight bytes (the
//! character, the next lead byte and the character after) and looks the character up in a
//! byte table of U+0800–U+FFFF (60 KiB per automaton): pass over it (noting whether a word
//! boundary may follow), fold it and look, walk (a Han character that is a pattern alone, or
//! goes on with something else than Han), or walk if a filter lets the pair of it and the
//! next character through. That filter is a bit per hashed pair of the first two characters
//! of the patterns that begin with two Han characters, keyed on their six bytes as read,
//! about 32 bits per pair. At 10,000 keywords two Han characters in three begin a keyword,
//! so a branch on the table's answer is a coin toss (callgrind counted one mispredicted
//! branch per Han character); the filter is read for every character whatever the table
//! says, the two answers are combined without branching, and the loop's one branch is taken
//! only where the table says walk or look, or the pair passes. That won 1.44x at 10,000 keywords and 1.19x at 100,000, and
//! the larger filter (it had eight bits per pair) 1.15x and 1.24x more; at 100 keywords it is
//! even (A/B runs of `bench_report --profile`). A walk that passes starts from a table of
//! the trie state after each Han character. Earlier, one lookup per character with one
//! branch had replaced a branch on Han or not and a call per punctuation mark (15% of the
//! time at 100 Chinese keywords). Whether a character's folded
//! form may begin a pattern comes from an 8 KiB bitmap per automaton of the Basic
//! Multilingual Plane, built from a once-per-process table of the cased characters; whether
//! a character is a word character, from another (regex-syntax's binary search had been a
//! fifth of the scan on Weibo posts). The walk is inlined into the scan, and knows whether
//! the characters beside a pattern allow a word boundary before it asks. The scan finds each
//! topic's occurrences by start, and at one start shorter before longer, so they are chained
//! per topic as they come (no sort) and selected per topic (veto, leftmost-longest, credits);
//! queries are evaluated from the same occurrences, never by rescanning.
//!
//! **Where the time goes** (`perf`, callgrind): at 10,000 English keywords, the walks that
//! pass the stem filter (the latency of each step's read and the mispredicted branch where a
//! walk ends) and the filter itself. At 100,000, most walks that pass find a pattern (opinion
//! words, common medical terms). On tweets there, `perf` (10 s of `bench_report --profile
//! core:en-100k/tweets` on the code as it stands) puts two thirds of the samples in
//! the scan, a tenth in selecting each topic's mentions, a twentieth in reporting uses and
//! another in the phrase-pair check; inside the scan, an eighth on the stem filter's read
//! (still, with the read one word ahead), a twelfth on the stem table's, an eighth on the
//! trie's reads in walks and a sixteenth on reading a found pattern's value: the scan waits
//! on memory. In throwaway builds of the scan (counts not checked, before the one-word-ahead
//! probe), the scan alone, with no filter and no walk, ran at about 620 MB/s there; with the
//! filter and no walk, about 290 MB/s, most of the difference being the branches on the
//! filter's answers, which no ordering of the lookups removed (items 14 and 16 below). On
//! Chinese posts at 10,000 keywords, callgrind counts 30% fewer mispredicted branches since
//! the three-byte loop lost its branch on the action, with 7% more instructions and twice
//! the first-level cache misses (the larger pair filter), and its cost model (which prices a
//! mispredicted branch at 15 instructions) estimates the new loop 5% dearer, while the time
//! went down by 1.65x: that model underprices this machine's mispredicted branches.
//!
//! **Tried and lost.** (1) Normalizing each message into a buffer with an offset map, then an
//! overlapping `aho-corasick` search: correct and simple, but the copy, the map and the
//! overlapping search (which reports every in-word substring match of short keywords, later
//! discarded by the boundary checks) made it several times slower than raw `aho-corasick` on
//! the same bytes. (2) A trie with sorted edge lists: fast to build, but its edge searches
//! cost cache misses at 100,000 keywords, where the double array is about three times
//! faster. (3) Laying the double array out by plain first-fit: its build time grew
//! quadratically (a minute for 100,000 keywords); a list of free slots, each dropped after
//! sixteen failed tries, keeps it near linear. (4) Laying it out breadth first, wholly or for
//! the first three levels, so that the hot shallow nodes share cache lines: no measurable
//! change. (5) An `aho-corasick` search for the patterns' first characters, jumping from one to
//! the next in Chinese text: the first characters of even 100 keywords are among the most
//! common (一, 人, 公), so it filtered little and cost more per candidate. (6) Passing over the
//! gaps between words in a tight loop of their own, and packing each occurrence's sort order
//! into one key (128 bits, or 64 bits with an order-independent selection): more
//! instructions, not fewer (a loop going from word to word, once the filter had made words
//! cheap, did win). (7) Shrinking the Chinese first-character table to 16- or 8-bit indices into a list
//! of states (48 or 24 KiB instead of 192 KiB), or putting a 3 KiB bitmap in front of it:
//! within the noise, so the table's reads are not what limits small Chinese dictionaries.
//! (8) Fewer, larger pieces for rayon's `fold` in [`Classifier::tally`]: no change in
//! scaling (one tally per thread, fed from a shared cursor, is what helped). (9) Sending
//! every Han character to the pair filter when many characters begin a keyword, without
//! asking its first-character byte, but still branching on the filter's answer and on the
//! character's: slower at both 100 and 10,000 Chinese keywords (one branch on both answers
//! combined is what won, above). (10) A
//! stem filter of eight bits per stem instead of sixteen: it fits the cache better at
//! 100,000 keywords but lets more words by; no better there, worse at 10,000. (11) A hash
//! table from each stem to the trie state after it, consulted for every word: a cache miss
//! on the table replaced the misses on the trie (no change at 10,000 or 100,000 keywords).
//! Consulted only for the words that pass the Bloom filter, as it is now, it won 11% at
//! 100,000 keywords. (12) Keeping the value of a
//! pattern that ends at a leaf in the leaf's own slot, so that a match needs no read of the
//! value table: fewer cache misses in callgrind's model, no faster in time. (13) Placing a
//! node's children just after it when there is room, so that the chains of single children
//! (most of a long keyword) share cache lines: 6% fewer simulated misses on the trie, no
//! measurable change. (14) Gathering sixteen words, then making their filter lookups
//! together so that the cache misses overlap, then walking: 11–24% more instructions, and
//! 5–17% slower. (15) Keeping in the stem table the value of a stem that no pattern goes on
//! from with a space or punctuation, so that such a word is reported with no walk: no
//! faster. (16) Looking up a phrase's pair along with the stem for every word, without
//! branches: 16% more instructions, slower. (17) A table of the state after each pair of
//! Han characters that begin a pattern: 3% less estimated cost in callgrind, no change in
//! time. (18) The
//! loop over three-byte characters in a function of its own, so that its variables stay in
//! registers: no change. (19) Reading the next word's first slot of the stem table along with
//! its filter bits, ahead like them (slot 0 when the bits turn the word away, chosen without a
//! branch): 5% slower at 100,000 English keywords. (20) Passing over the gap between two words
//! eight bytes at a time, as the words are: no change. (21) Keeping, in a tally, each topic's
//! volume since the source or time bucket last changed, and adding it to the topic's maps only
//! then: no change end to end (blog posts change bucket every other message). The git history holds each version that was committed; `cargo run
//! --release --example bench_report` measures any of them.
//!
//! **Reading records.** A hand-written scanner reads the common JSON Lines record in one
//! pass: it finds string ends eight bytes at a time, compares keys with the configured field
//! names as integers (names of up to seven bytes) and borrows strings without escapes. It
//! never decides that a record is malformed; anything it is unsure of goes to a serde_json
//! reader, which decides every error and its message. Timestamps of the shape
//! `YYYY-MM-DDTHH:MM:SSZ` are read in one go, others by the general grammar; UTF-8 is checked
//! with simdutf8's vector code. Even so, reading dominates on Weibo posts, whose lines are
//! four times their text (callgrind, 10,000 keywords: reading 47% of the end-to-end
//! instructions, classifying and counting 30%, cutting the stream into records and batches
//! the rest).
//!
//! **Counting** goes into per-thread tallies ([`Tally`]): dense arrays by topic and keyword,
//! and by-source and by-time maps keyed by small ids given to each source and time bucket
//! once per message. They become name-keyed [`Counts`] only when asked, so counting a message
//! allocates nothing once its source and time bucket have been seen; that conversion formats
//! each time bucket's label once and converts topics in parallel, because with many topics
//! and days it had been a serial seventh of a two-thread [`Classifier::tally`]. That method
//! gives each thread one tally, which takes runs of a few messages from a shared cursor until
//! none are left: the threads finish together and only as many tallies as threads are merged
//! (rayon's `fold` had made sixteen on two threads, and left one thread idle for a seventh of
//! the time). Streams are cut into batches of complete records, classified on rayon's pool
//! into per-thread tallies; a batch is handed out before every read that may block, so
//! endless streams are counted as they arrive.
//!
//! # Crate features
//!
//! None by default. The `cluster_count` example (counting on timely dataflow, see the README)
//! needs the `cluster` feature, which only examples use.

#![forbid(unsafe_code)]
// Input must never make the library panic: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod boundary;
mod case;
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
mod starts;
mod stream;
mod timestamp;
mod trie;
mod words;

pub use crate::classify::{Classifier, ClassifierBuilder, Matches, Occurrence, TopicMatch};
pub use crate::counts::{
    Counts, ErrorCounts, Tally, TopicCounts, Volume, FIRST_LINES, UNKNOWN_SOURCE,
};
pub use crate::dictionary::{
    Dictionary, DictionaryBuilder, Keyword, Topic, TopicBuilder, MAX_KEYWORDS, MAX_KEYWORD_BYTES,
    MAX_TOPICS,
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
