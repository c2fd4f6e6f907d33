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
            let k = join_keyword(first, second, star);
            if padded {
                format!(" {k}\n")
            } else {
                k
            }
        })
}

/// `first`, then `second` after its whitespace character, then `*` if `star`.
fn join_keyword(first: String, second: Option<(char, String)>, star: bool) -> String {
    let mut k = first;
    if let Some((space, w)) = second {
        k.push(space);
        k.push_str(&w);
    }
    if star {
        k.push('*');
    }
    k
}

fn keywords<K: Strategy<Value = String>>(
    keyword: K,
    max: usize,
) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(keyword, 1..=max).prop_map(|mut ks| {
        let mut seen = std::collections::HashSet::new();
        ks.retain(|k| seen.insert(k.clone()));
        ks
    })
}

pub fn topics() -> impl Strategy<Value = Vec<RefTopic>> {
    topics_of(keyword)
}

/// Up to three topics whose keywords and exclusions come from `keyword`.
fn topics_of<K: Strategy<Value = String> + 'static>(
    keyword: fn() -> K,
) -> impl Strategy<Value = Vec<RefTopic>> {
    prop::collection::vec(
        (
            keywords(keyword(), 4),
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

/// More characters for keywords made of longer words: Han outside U+4E00..U+9FFF and a symbol
/// inside the range the scan treats as Han, CJK punctuation, letters whose lowercase has
/// another UTF-8 length, `K` and `I` beside the Kelvin sign and `İ`, Katakana.
const MORE: &[char] = &[
    '㐀', '䷀', '豈', '医', '疗', '药', '，', '。', 'Ⱥ', 'ⱥ', 'ẞ', 'ß', 'Ω', 'ω', 'K', '\u{212A}',
    'k', 'I', 'İ', 'ı', 'カ', 'ก', 'a', '-',
];
/// Whitespace of one, two and three bytes.
const MORE_SPACES: &[char] = &[
    ' ', '\t', '\r', '\x0B', '\x0C', '\u{85}', '\u{a0}', '\u{1680}', '\u{2028}', '\u{3000}',
];

/// A word of five to eleven ASCII word characters (stems up to and past the eight bytes the
/// scan's word filter reads at once), of one to four (around the bytes of a second word it
/// reads), of seven to nine and a character of [`MORE`], or of one to three characters of
/// [`MORE`].
fn long_word() -> impl Strategy<Value = String> {
    const ASCII: &[char] = &['a', 'b', 'A', 'B', 'k', 'K', '1', '_'];
    prop_oneof![
        prop::collection::vec(prop::sample::select(ASCII), 5..12)
            .prop_map(|w| w.into_iter().collect::<String>()),
        prop::collection::vec(prop::sample::select(ASCII), 1..5)
            .prop_map(|w| w.into_iter().collect::<String>()),
        (
            prop::collection::vec(prop::sample::select(ASCII), 7..10),
            prop::sample::select(MORE)
        )
            .prop_map(|(w, c)| w.into_iter().chain([c]).collect::<String>()),
        prop::collection::vec(prop::sample::select(MORE), 1..4)
            .prop_map(|w| w.into_iter().collect::<String>()),
    ]
}

/// A keyword of one or two [`long_word`]s, or one of [`keyword`]'s.
fn long_keyword() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (
            long_word(),
            prop::option::of((prop::sample::select(MORE_SPACES), long_word())),
            any::<bool>(),
        )
            .prop_filter("not only punctuation", |(w, _, _)| w.chars().any(char::is_alphanumeric))
            .prop_map(|(first, second, star)| join_keyword(first, second, star)),
        1 => keyword(),
    ]
}

/// A text made mostly of the topics' own keywords, with the case of each character flipped
/// at random, between runs of other characters and whitespace: so that long keywords occur.
fn spliced_text(topics: &[RefTopic]) -> impl Strategy<Value = String> {
    let words: Vec<String> = topics
        .iter()
        .flat_map(|t| t.keywords.iter().chain(&t.exclude))
        .map(|k| k.trim().trim_end_matches('*').to_string())
        .collect();
    let mut filler: Vec<char> = CHARS
        .iter()
        .chain(MORE)
        .chain(MORE_SPACES)
        .copied()
        .collect();
    filler.push('x');
    let piece = prop_oneof![
        3 => (prop::sample::select(words), prop::collection::vec(any::<bool>(), 24)).prop_map(
            |(word, flips)| {
                word.chars()
                    .zip(flips.into_iter().cycle())
                    .flat_map(|(c, up)| {
                        let s: String = if up {
                            c.to_uppercase().collect()
                        } else {
                            c.to_lowercase().collect()
                        };
                        s.chars().collect::<Vec<_>>()
                    })
                    .collect::<String>()
            }
        ),
        2 => prop::collection::vec(prop::sample::select(filler), 1..4)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
    ];
    prop::collection::vec(piece, 1..7).prop_map(|pieces| pieces.concat())
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

    /// (1b) The same on texts made of long keywords and awkward characters.
    #[test]
    fn classify_equals_reference_on_long_keywords(
        (topics, texts) in topics_of(long_keyword)
            .prop_flat_map(|t| (Just(t.clone()), prop::collection::vec(spliced_text(&t), 1..4)))
    ) {
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
