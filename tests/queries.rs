//! Boolean queries (SEMANTICS.md §7): every example and error as a named row, and property
//! tests against the reference's own parser and evaluator.

use proptest::prelude::*;
use proptest::test_runner::Config;
use topictally::{
    Classifier, Dictionary, DictionaryErrorKind, Message, QueryErrorKind, TopicBuilder,
};

use crate::reference::{self, RefMessage, RefQueryError, RefTopic};
use crate::support::dictionary;

fn query_topic(query: &str) -> RefTopic {
    RefTopic {
        name: "q".into(),
        keywords: Vec::new(),
        exclude: Vec::new(),
        case_sensitive: false,
        whole_word: true,
        query: Some(query.into()),
    }
}

fn msg(text: &str, source: Option<&str>, lang: Option<&str>) -> RefMessage {
    RefMessage {
        text: text.into(),
        source: source.map(str::to_string),
        timestamp: None,
        lang: lang.map(str::to_string),
    }
}

/// Per topic: (matched, kept occurrences as (term, start, end)).
type Verdicts = Vec<(bool, Vec<(String, usize, usize)>)>;

fn lib_verdicts(c: &Classifier, m: &RefMessage) -> Verdicts {
    let message = Message {
        text: &m.text,
        source: m.source.as_deref(),
        timestamp: None,
        lang: m.lang.as_deref(),
    };
    let matches = c.classify(message).unwrap();
    let topics = c.dictionary().topics();
    (0..topics.len())
        .map(|t| match matches.get(t) {
            None => (false, Vec::new()),
            Some(hit) => (
                true,
                hit.occurrences
                    .iter()
                    .map(|o| {
                        (
                            topics[t].keywords()[o.keyword].as_written().to_string(),
                            o.start,
                            o.end,
                        )
                    })
                    .collect(),
            ),
        })
        .collect()
}

fn ref_verdicts(topics: &[RefTopic], m: &RefMessage) -> Verdicts {
    reference::classify_message(topics, m)
        .into_iter()
        .map(|r| {
            (
                r.matched,
                r.kept
                    .into_iter()
                    .map(|o| (o.keyword, o.start, o.end))
                    .collect(),
            )
        })
        .collect()
}

struct Row {
    name: &'static str,
    query: &'static str,
    message: RefMessage,
    matched: bool,
    kept: &'static [(&'static str, usize, usize)],
}

fn rows() -> Vec<Row> {
    let q1 = r#"(healthcare OR "health care" OR #healthcare) AND NOT job*"#;
    let q2 = r#""health insurance" OR (insur* NEAR/3 (health OR medical))"#;
    let q3 = "obamacare AND (source:blog OR source:forum)";
    let r = |name, query, text: &str, source, matched, kept| Row {
        name,
        query,
        message: msg(text, source, None),
        matched,
        kept,
    };
    vec![
        r(
            "example1_matches",
            q1,
            "Health  care costs #healthcare",
            None,
            true,
            &[("health care", 0, 12), ("#healthcare", 19, 30)],
        ),
        r("example1_not_jobs", q1, "healthcare jobs", None, false, &[]),
        r(
            "example2_phrase",
            q2,
            "health insurance rates",
            None,
            true,
            &[("health insurance", 0, 16)],
        ),
        r(
            "example2_near",
            q2,
            "insurers cover medical bills",
            None,
            true,
            &[("insur*", 0, 5), ("medical", 15, 22)],
        ),
        r(
            "example2_too_far",
            q2,
            "insurance is one of the many health topics",
            None,
            false,
            &[],
        ),
        r(
            "example3_blog",
            q3,
            "Obamacare again",
            Some("blog"),
            true,
            &[("obamacare", 0, 9)],
        ),
        r(
            "example3_field_case",
            q3,
            "Obamacare again",
            Some("FORUM"),
            true,
            &[("obamacare", 0, 9)],
        ),
        r(
            "example3_twitter",
            q3,
            "Obamacare again",
            Some("twitter"),
            false,
            &[],
        ),
        r(
            "zero_mention_match",
            "vaccine OR (source:news AND NOT spam)",
            "rates rise",
            Some("news"),
            true,
            &[],
        ),
        r(
            "zero_mention_vetoed_by_not",
            "vaccine OR (source:news AND NOT spam)",
            "spam rates",
            Some("news"),
            false,
            &[],
        ),
        r(
            "unknown_source",
            "flu AND source:unknown",
            "flu",
            None,
            true,
            &[("flu", 0, 3)],
        ),
        r(
            "lowercase_operators_are_terms",
            "flu AND and",
            "flu and cold",
            None,
            true,
            &[("flu", 0, 3), ("and", 4, 7)],
        ),
        r(
            "near_zero_adjacent",
            "health NEAR/0 care",
            "care health",
            None,
            true,
            &[("health", 5, 11), ("care", 0, 4)],
        ),
        r(
            "near_ordered",
            "health NEAR/0f care",
            "care health",
            None,
            false,
            &[],
        ),
        r(
            "near_counts_words_between",
            "a NEAR/2 d",
            "a b c d",
            None,
            true,
            &[("a", 0, 1), ("d", 6, 7)],
        ),
        r(
            "near_one_too_few",
            "a NEAR/1 d",
            "a b c d",
            None,
            false,
            &[],
        ),
        r(
            "near_unspaced_chars_are_words",
            "医疗 NEAR/1 保险",
            "医疗费用保险",
            None,
            false,
            &[],
        ),
        r(
            "near_unspaced_within",
            "医疗 NEAR/2 保险",
            "医疗费用保险",
            None,
            true,
            &[("医疗", 0, 6), ("保险", 12, 18)],
        ),
        r(
            "not_term_is_no_mention",
            "flu AND NOT cold",
            "flu",
            None,
            true,
            &[("flu", 0, 3)],
        ),
        r(
            "first_written_term_credited",
            "Flu OR flu",
            "FLU",
            None,
            true,
            &[("Flu", 0, 3)],
        ),
    ]
}

#[test]
fn query_rows() {
    let mut failures = Vec::new();
    for row in rows() {
        let topics = vec![query_topic(row.query)];
        let c = Classifier::new(&dictionary(&topics)).unwrap();
        let mut want_kept: Vec<_> = row
            .kept
            .iter()
            .map(|&(k, s, e)| (k.to_string(), s, e))
            .collect();
        want_kept.sort_by_key(|o| o.1);
        let want = vec![(row.matched, want_kept)];
        let lib = lib_verdicts(&c, &row.message);
        let refr = ref_verdicts(&topics, &row.message);
        if lib != want {
            failures.push(format!(
                "{} (library): got {lib:?}, want {want:?}",
                row.name
            ));
        }
        if refr != want {
            failures.push(format!(
                "{} (reference): got {refr:?}, want {want:?}",
                row.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn query_error(query: &str) -> (QueryErrorKind, usize, String) {
    let err = Dictionary::builder()
        .topic(TopicBuilder::new("t").query(query))
        .build()
        .unwrap_err();
    match err.kind() {
        DictionaryErrorKind::Query { error } => {
            (error.kind().clone(), error.column(), err.to_string())
        }
        other => panic!("{query:?}: not a query error: {other:?}"),
    }
}

#[test]
fn every_error_of_section_7() {
    use QueryErrorKind as K;
    /// A query, a test of the library's error kind, its column, the reference's kind.
    type Case = (
        &'static str,
        fn(&QueryErrorKind) -> bool,
        usize,
        RefQueryError,
    );
    let cases: &[Case] = &[
        (
            "(flu OR cold",
            |k| matches!(k, K::UnclosedParenthesis),
            1,
            RefQueryError::UnbalancedParenthesis,
        ),
        (
            "flu) OR cold",
            |k| matches!(k, K::UnexpectedClosingParenthesis),
            4,
            RefQueryError::UnbalancedParenthesis,
        ),
        (
            "\"health care",
            |k| matches!(k, K::UnclosedQuote),
            1,
            RefQueryError::UnbalancedQuote,
        ),
        (
            "flu OR \"\"",
            |k| matches!(k, K::EmptyPhrase),
            8,
            RefQueryError::EmptyTerm,
        ),
        (
            "flu OR *",
            |k| matches!(k, K::StarOnlyTerm),
            8,
            RefQueryError::EmptyTerm,
        ),
        (
            "flu AND",
            |k| matches!(k, K::MissingOperand { .. }),
            5,
            RefQueryError::MissingOperand,
        ),
        (
            "flu cold",
            |k| matches!(k, K::MissingOperator),
            5,
            RefQueryError::SideBySide,
        ),
        (
            "(a AND b) NEAR/2 c",
            |k| matches!(k, K::BadNearOperand),
            1,
            RefQueryError::BadNearOperand,
        ),
        (
            "a NEAR b",
            |k| matches!(k, K::NearWithoutDistance),
            3,
            RefQueryError::BadNear,
        ),
        (
            "a NEAR/ b",
            |k| matches!(k, K::NearWithoutDistance),
            3,
            RefQueryError::BadNear,
        ),
        (
            "a NEAR/101 b",
            |k| matches!(k, K::NearDistanceOutOfRange { .. }),
            3,
            RefQueryError::NearOutOfRange,
        ),
        (
            "a NEAR/1 b NEAR/2 c",
            |k| matches!(k, K::NearChain),
            12,
            RefQueryError::NearChain,
        ),
        (
            "flu AND source:",
            |k| matches!(k, K::EmptyFieldValue { .. }),
            9,
            RefQueryError::EmptyFieldValue,
        ),
        (
            "NOT flu",
            |k| matches!(k, K::NoPositiveTerm),
            1,
            RefQueryError::NoPositiveTerm,
        ),
        (
            "source:blog",
            |k| matches!(k, K::NoPositiveTerm),
            1,
            RefQueryError::NoPositiveTerm,
        ),
    ];
    for &(query, kind, column, ref_kind) in cases {
        let (got, got_column, message) = query_error(query);
        assert!(kind(&got), "{query:?}: {got:?}");
        assert_eq!(got_column, column, "{query:?}: {message}");
        assert!(
            message.starts_with(&format!("topic \"t\": query column {column}: ")),
            "{message}"
        );
        assert_eq!(
            reference::query_error(query).map(|e| e.0),
            Some(ref_kind),
            "{query:?} (reference)"
        );
    }
}

#[test]
fn query_error_in_a_file_names_file_line_and_caret() {
    let dir = std::env::temp_dir().join(format!("topictally-queries-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("q.toml");
    std::fs::write(
        &path,
        "[[topics]]\nname = \"flu\"\nquery = \"(flu OR influenza\"\n",
    )
    .unwrap();
    let err = Dictionary::from_path(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3:9: topic \"flu\": query column 1: unbalanced parenthesis: this ( is never closed",
            path.display()
        )
    );
    assert_eq!(err.query_caret().unwrap(), "(flu OR influenza\n^");
    assert_eq!(
        format!("{err:#}"),
        format!("{err}\n    (flu OR influenza\n    ^")
    );
}

#[test]
fn keywords_and_query_together_is_an_error() {
    let err =
        Dictionary::from_toml_str("[[topics]]\nname = \"x\"\nkeywords = []\nquery = \"flu\"\n")
            .unwrap_err();
    assert_eq!(err.kind(), &DictionaryErrorKind::KeywordsAndQuery);
    assert_eq!(
        err.to_string(),
        "1:1: topic \"x\": both \"keywords\" and \"query\" are given: a topic has one or the other"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for query in [
        "(".repeat(100_000) + "a" + &")".repeat(100_000),
        "NOT ".repeat(100_000) + "a",
    ] {
        let (kind, _, _) = query_error(&query[..query.len().min(9_000)]);
        assert!(
            matches!(
                kind,
                QueryErrorKind::TooDeep { .. } | QueryErrorKind::UnclosedParenthesis
            ),
            "{kind:?}"
        );
        let (kind, _, _) = query_error(&query);
        assert!(matches!(kind, QueryErrorKind::TooLong { .. }), "{kind:?}");
    }
    let chain = vec!["a"; 1_600].join(" AND ");
    let d = Dictionary::builder()
        .topic(TopicBuilder::new("t").query(&chain))
        .build()
        .unwrap();
    let c = Classifier::new(&d).unwrap();
    assert_eq!(c.classify("a").unwrap().len(), 1);
}

#[test]
fn sample_query_dictionary_loads_and_explains() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/health_queries.toml");
    let d = Dictionary::from_path(&path).unwrap();
    assert!(d.topics().iter().any(|t| t.query().is_some()));
    let c = Classifier::new(&d).unwrap();
    let why = c
        .explain(&Message::new("Healthcare jobs: hiring nurses"))
        .unwrap();
    let text = why.to_string();
    assert!(text.contains("healthcare: no match"), "{text}");
}

// --- properties ---

const TERMS: &[&str] = &["a", "b", "ab", "b*", "\"a b\"", "医", "疗", "A"];
const FILTERS: &[&str] = &["source:blog", "source:unknown", "lang:en", "lang:ZH"];

/// A random expression, written out as a query string.
fn expr(depth: u32) -> BoxedStrategy<String> {
    let term = prop::sample::select(TERMS).prop_map(str::to_string);
    let leaf =
        prop_oneof![4 => term.clone(), 1 => prop::sample::select(FILTERS).prop_map(str::to_string)];
    if depth == 0 {
        return leaf.boxed();
    }
    let sub = expr(depth - 1);
    let near_side = prop_oneof![
        term.clone(),
        prop::collection::vec(term.clone(), 2..3).prop_map(|ts| format!("({})", ts.join(" OR "))),
    ];
    prop_oneof![
        3 => leaf,
        1 => sub.clone().prop_map(|x| format!("NOT ({x})")),
        2 => (sub.clone(), sub.clone()).prop_map(|(a, b)| format!("({a}) AND ({b})")),
        2 => (sub.clone(), sub).prop_map(|(a, b)| format!("({a}) OR ({b})")),
        2 => (near_side.clone(), 0u32..4, any::<bool>(), near_side)
            .prop_map(|(a, n, f, b)| format!("{a} NEAR/{n}{} {b}", if f { "f" } else { "" })),
    ]
    .boxed()
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "ab", "A", "c", "医", "疗", "-", "a b"]),
        0..8,
    )
    .prop_map(|ws| ws.join(" "))
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_global_rejects: cases * 10,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(10_000))]

    /// Random valid queries on random messages: the same verdicts, mentions and credits as
    /// the reference.
    #[test]
    fn queries_equal_reference(
        query in expr(3),
        exclude in prop::option::of(prop::sample::select(vec!["c", "疗"])),
        case_sensitive in prop::bool::weighted(0.2),
        texts in prop::collection::vec(text(), 1..4),
        source in prop::option::of(prop::sample::select(vec!["blog", "BLOG", "news"])),
        lang in prop::option::of(prop::sample::select(vec!["en", "zh"])),
    ) {
        prop_assume!(reference::query_is_valid(&query));
        let mut topic = query_topic(&query);
        topic.exclude = exclude.into_iter().map(str::to_string).collect();
        topic.case_sensitive = case_sensitive;
        let topics = vec![topic, crate::support::topic("plain", &["a", "b"], &[])];
        let c = Classifier::new(&dictionary(&topics)).unwrap();
        for t in &texts {
            let m = msg(t, source, lang);
            prop_assert_eq!(lib_verdicts(&c, &m), ref_verdicts(&topics, &m), "query {:?} text {:?}", query, t);
        }
    }

    /// Counts over a batch with query topics equal the reference's (0-mention matches
    /// included in messages, by_source and by_time).
    #[test]
    fn query_counts_equal_reference(
        query in expr(2),
        messages in prop::collection::vec((text(), prop::option::of(prop::sample::select(vec!["blog", "news"])), prop::option::of(0i64..400_000)), 0..8),
    ) {
        prop_assume!(reference::query_is_valid(&query));
        let topics = vec![query_topic(&query), crate::support::topic("plain", &["a", "b*"], &["c"])];
        let c = Classifier::new(&dictionary(&topics)).unwrap();
        let messages: Vec<RefMessage> = messages
            .into_iter()
            .map(|(text, source, t)| RefMessage { text, source: source.map(str::to_string), timestamp: t, lang: None })
            .collect();
        let lib: Vec<_> = messages.iter().map(crate::support::lib_message).collect();
        let counts = crate::support::lib_counts_json(&c.tally(&lib));
        prop_assert_eq!(counts, reference::counts(&topics, &messages, reference::RefBucket::Day));
    }

    /// Any string: the parser returns Ok or a typed error, never panics, and agrees with the
    /// reference on whether the query is valid.
    #[test]
    fn parser_never_panics_and_agrees_on_validity(
        parts in prop::collection::vec(prop::sample::select(vec![
            "(", ")", "\"", "*", "AND", "OR", "NOT", "NEAR", "NEAR/", "NEAR/3", "NEAR/3f", "NEAR/101",
            "source:", "source:blog", "lang:en", "a", "b*", "é", "医", " ", " ", "\t",
        ]), 0..14),
    ) {
        let query: String = parts.concat();
        let lib = Dictionary::builder().topic(TopicBuilder::new("t").query(&query)).build();
        let lib_ok = match &lib {
            Ok(_) => true,
            Err(e) => {
                prop_assert!(matches!(e.kind(), DictionaryErrorKind::Query { .. }), "{:?}", e.kind());
                false
            }
        };
        prop_assert_eq!(lib_ok, reference::query_is_valid(&query), "query {:?}: {:?}", query, lib.err().map(|e| e.to_string()));
    }
}

#[test]
fn explanation_lists_parts_with_truth_values() {
    let d = Dictionary::builder()
        .topic(
            TopicBuilder::new("q")
                .query("a AND (b OR c OR d) AND NOT x")
                .exclude("veto"),
        )
        .topic(TopicBuilder::new("k").keywords(["a", "c"]).exclude("veto"))
        .build()
        .unwrap();
    let c = Classifier::new(&d).unwrap();
    let why = c.explain(&Message::new("a c")).unwrap();
    let q = &why.topics[0];
    assert!(q.matched);
    assert_eq!(q.mentions, 2);
    let root = q.query.as_ref().unwrap();
    assert_eq!(root.text, "a AND (b OR c OR d) AND NOT x");
    let parts: Vec<(&str, bool)> = root
        .parts
        .iter()
        .map(|p| (p.text.as_str(), p.holds))
        .collect();
    assert_eq!(parts, [("a", true), ("b OR c OR d", true), ("NOT x", true)]);
    let or: Vec<bool> = root.parts[1].parts.iter().map(|p| p.holds).collect();
    assert_eq!(or, [false, true, false]);
    let vetoed = c.explain(&Message::new("a c veto")).unwrap();
    assert!(!vetoed.topics[1].matched);
    assert_eq!(vetoed.topics[1].vetoed_by[0].term, "veto");
    assert!(
        vetoed
            .to_string()
            .contains("k: no match: vetoed by the exclusion \"veto\" at 4..8"),
        "{vetoed}"
    );
    let none = c.explain(&Message::new("b")).unwrap().to_string();
    assert!(none.contains("q: no match: the query is false"), "{none}");
    assert!(
        none.contains("k: no match: none of its keywords occurs"),
        "{none}"
    );
}
