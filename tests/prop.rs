//! Property tests: the library against the reference on a small alphabet that makes
//! collisions common, and the monoid laws of counts.

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::reference::{self, RefBucket, RefMessage, RefTopic};
use crate::support::{classifier, lib_counts_json, lib_kept, lib_message, ref_kept};

/// Characters keywords and texts are made of (besides whitespace): both cases, digits,
/// symbols that are not word characters, multi-character lowercase (`İ`), Greek sigma,
/// `ß`, a combining mark, Han, Thai, an emoji, and three-byte characters that fold to
/// another first byte (the Kelvin sign to `k`, a full-width `Ａ`) or are words without being
/// unspaced (Hangul).
const CHARS: &[char] = &[
    'a', 'b', 'A', 'B', '_', '1', '#', '-', '*', 'İ', 'i', 'Σ', 'σ', 'ß', '\u{301}', '医', '疗',
    'ก', '😀', 'k', '\u{212A}', 'Ａ', 'ａ', '한',
];
const SPACES: &[char] = &[' ', '\n', '\t', '\u{a0}', '\u{3000}'];

fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![8 => prop::sample::select(CHARS), 2 => prop::sample::select(SPACES)]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..24).prop_map(|cs| cs.into_iter().collect())
}

/// A valid keyword: one or two runs of non-space characters (not only `*`), optionally
/// separated and surrounded by whitespace, optionally ending in `*`.
fn keyword() -> impl Strategy<Value = String> {
    let word = prop::collection::vec(prop::sample::select(CHARS), 1..4)
        .prop_filter("not only stars", |w| w.iter().any(|&c| c != '*'))
        .prop_map(|w| w.into_iter().collect::<String>());
    (
        word.clone(),
        prop::option::of((prop::sample::select(SPACES), word)),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(first, second, star, padded)| {
            let mut k = first;
            if let Some((space, w)) = second {
                k.push(space);
                k.push_str(&w);
            }
            if star {
                k.push('*');
            }
            if padded {
                k = format!(" {k}\n");
            }
            k
        })
}

fn keywords(max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(keyword(), 1..=max).prop_map(|mut ks| {
        let mut seen = std::collections::HashSet::new();
        ks.retain(|k| seen.insert(k.clone()));
        ks
    })
}

pub fn topics() -> impl Strategy<Value = Vec<RefTopic>> {
    prop::collection::vec(
        (
            keywords(4),
            prop::collection::vec(keyword(), 0..2),
            any::<bool>(),
            prop::bool::weighted(0.8),
        ),
        1..4,
    )
    .prop_map(|ts| {
        ts.into_iter()
            .enumerate()
            .map(|(i, (keywords, mut exclude, case_sensitive, whole_word))| {
                exclude.dedup();
                RefTopic {
                    name: format!("topic {i}"),
                    keywords,
                    exclude,
                    case_sensitive,
                    whole_word,
                    query: None,
                }
            })
            .collect()
    })
}

/// Unix seconds from year 0001 to 9999.
const MIN_TIME: i64 = -62_135_596_800;
const MAX_TIME: i64 = 253_402_300_799;

pub fn message() -> impl Strategy<Value = RefMessage> {
    (
        text(),
        prop::option::of(prop::sample::select(vec![
            "twitter", "Twitter", "", "blog", "unknown",
        ])),
        prop::option::of(prop_oneof![
            MIN_TIME..=MAX_TIME,
            1_700_000_000i64..1_700_400_000
        ]),
        prop::option::of(prop::sample::select(vec!["en", "zh"])),
    )
        .prop_map(|(text, source, timestamp, lang)| RefMessage {
            text,
            source: source.map(str::to_string),
            timestamp,
            lang: lang.map(str::to_string),
        })
}

pub fn bucket() -> impl Strategy<Value = RefBucket> {
    prop::sample::select(vec![RefBucket::Day, RefBucket::Hour, RefBucket::Month])
}

fn config() -> Config {
    Config {
        cases: 10_000,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (1) Per message: the same kept occurrences, credits and spans as the reference.
    #[test]
    fn classify_equals_reference(topics in topics(), texts in prop::collection::vec(text(), 1..4)) {
        let c = classifier(&topics, RefBucket::Day);
        for text in &texts {
            prop_assert_eq!(lib_kept(&c, text), ref_kept(&topics, text), "text {:?}", text);
        }
    }

    /// (2) Over a batch: the same §5 JSON as the reference's counts.
    #[test]
    fn tally_equals_reference(topics in topics(), messages in prop::collection::vec(message(), 0..12), bucket in bucket()) {
        let c = classifier(&topics, bucket);
        let lib: Vec<_> = messages.iter().map(lib_message).collect();
        let counts = c.tally(&lib);
        prop_assert_eq!(lib_counts_json(&counts), reference::counts(&topics, &messages, bucket));
    }

    /// (3) Merging the counts of any split, in either order, gives the counts of the whole.
    #[test]
    fn merge_of_split_equals_whole(topics in topics(), messages in prop::collection::vec(message(), 0..12), cut in any::<prop::sample::Index>(), bucket in bucket()) {
        let c = classifier(&topics, bucket);
        let lib: Vec<_> = messages.iter().map(lib_message).collect();
        let whole = c.tally(&lib);
        let (a, b) = lib.split_at(cut.index(lib.len() + 1));
        let (ca, cb) = (c.tally(a), c.tally(b));
        let mut ab = ca.clone();
        ab.merge(&cb);
        let mut ba = cb.clone();
        ba.merge(&ca);
        prop_assert_eq!(&ab, &whole);
        prop_assert_eq!(&ba, &whole);
    }
}
