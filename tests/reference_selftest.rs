//! Self-tests of the reference implementation against the examples of SEMANTICS.md.

use crate::reference::*;
use serde_json::{json, Value};

fn topic(name: &str, keywords: &[&str], exclude: &[&str]) -> RefTopic {
    RefTopic {
        name: name.to_string(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        query: None,
        exclude: exclude.iter().map(|s| s.to_string()).collect(),
        case_sensitive: false,
        whole_word: true,
    }
}

/// Occurrences with default options (case-insensitive, whole word).
fn occ(keyword: &str, text: &str) -> Vec<(usize, usize)> {
    occurrences(keyword, false, true, text)
}

fn occ_strs<'a>(keyword: &str, text: &'a str) -> Vec<&'a str> {
    occ(keyword, text)
        .into_iter()
        .map(|(s, e)| &text[s..e])
        .collect()
}

fn message(text: &str, source: Option<&str>, timestamp: Option<i64>) -> RefMessage {
    RefMessage {
        text: text.to_string(),
        source: source.map(str::to_string),
        timestamp,
        lang: None,
    }
}

// ------------------------------------------------------------------------------------
// §1–§3 occurrences
// ------------------------------------------------------------------------------------

#[test]
fn whole_word_examples() {
    assert_eq!(occ("healthcare", "healthcare"), vec![(0, 10)]);
    assert_eq!(occ("healthcare", "#healthcare"), vec![(1, 11)]);
    assert_eq!(occ("healthcare", "healthcare's"), vec![(0, 10)]);
    assert_eq!(occ("healthcare", "(healthcare)"), vec![(1, 11)]);
    assert!(occ("healthcare", "healthcareReform").is_empty());
    assert!(occ("healthcare", "ehealthcare").is_empty());
    assert!(occ("healthcare", "health_care").is_empty());
    assert!(occ("care", "health_care").is_empty()); // `_` is a word character
    assert!(occ("healthcare", "healthcare2").is_empty());
    // A non-word keyword edge imposes nothing on that side.
    assert_eq!(occ("#healthcare", "x#healthcare"), vec![(1, 12)]);
    assert!(occ("#healthcare", "x#healthcareReform").is_empty());
    assert_eq!(occ("c++", "c++x"), vec![(0, 3)]);
    assert!(occ("c++", "abc++").is_empty());
    // Several occurrences, sorted.
    assert_eq!(
        occ("Care", "care, CARE and care"),
        vec![(0, 4), (6, 10), (15, 19)]
    );
}

#[test]
fn whole_word_off() {
    assert_eq!(
        occurrences("healthcare", false, false, "ehealthcareReform"),
        vec![(1, 11)]
    );
    assert_eq!(occurrences("aa", false, false, "aaa"), vec![(0, 2), (1, 3)]);
    assert!(occurrences("aa", false, true, "aaa").is_empty());
}

#[test]
fn combining_marks_are_word_characters() {
    let decomposed = "cafe\u{301}";
    assert!(occ("cafe", decomposed).is_empty());
    assert!(occ("cafe", "café").is_empty());
    assert_eq!(occ("cafe", "cafe."), vec![(0, 4)]);
    assert_eq!(occ("café", "Café!"), vec![(0, 5)]);
    // No NFC: precomposed keyword does not match decomposed text.
    assert!(occ("café", decomposed).is_empty());
}

#[test]
fn scripts_without_spaces() {
    assert_eq!(occ_strs("医疗", "医疗保险"), vec!["医疗"]);
    assert_eq!(occ_strs("保险", "医疗保险很贵"), vec!["保险"]);
    assert_eq!(occ_strs("iphone", "我爱iPhone手机"), vec!["iPhone"]);
    // Text beside the span in a no-space script lifts the boundary on that side only.
    assert_eq!(occ_strs("iphone", "我iPhone!"), vec!["iPhone"]);
    assert!(occ("iphone", "我iPhones").is_empty());
    assert!(occ("iphone", "xiPhone手机").is_empty());
    // Keyword edge in a no-space script: no boundary on that side, even beside Latin.
    assert_eq!(occ_strs("医疗", "a医疗b"), vec!["医疗"]);
    // Mixed keyword: Latin edge still bounded by Latin text.
    assert!(occ("医疗a", "医疗ab").is_empty());
    assert_eq!(occ_strs("医疗a", "x医疗a"), vec!["医疗a"]);
    // Hiragana, Katakana (incl. halfwidth), Thai.
    assert_eq!(occ_strs("です", "ですます"), vec!["です"]);
    assert_eq!(occ_strs("テレビ", "新しいテレビを"), vec!["テレビ"]);
    assert_eq!(occ_strs("ﾃﾚﾋﾞ", "abcﾃﾚﾋﾞxyz"), vec!["ﾃﾚﾋﾞ"]);
    assert_eq!(occ_strs("สวัสดี", "คำสวัสดีครับ"), vec!["สวัสดี"]);
    // Hangul is not a no-space script.
    assert!(occ("서울", "서울시").is_empty());
    // Extension B Han.
    assert_eq!(occ_strs("𠀀", "a𠀀b"), vec!["𠀀"]);
}

#[test]
fn lowercase_per_character() {
    // `i` does not occur in `İ` (lowercase is two characters, consumed whole).
    assert!(occ("i", "İ").is_empty());
    assert!(occurrences("i", false, false, "İ").is_empty());
    assert!(occ("istanbul", "İstanbul").is_empty());
    assert_eq!(occ("İstanbul", "İSTANBUL"), vec![(0, 9)]);
    assert_eq!(occ("İstanbul", "i\u{307}stanbul"), vec![(0, 10)]);
    assert_eq!(occ("i\u{307}", "İ"), vec![(0, 2)]);
    // Σ becomes σ (no final-sigma context rule), ß stays ß, ẞ becomes ß.
    assert_eq!(occ("σ", "Σ"), vec![(0, 2)]);
    assert_eq!(occ("ΟΔΟΣ", "οδοσ"), vec![(0, 8)]);
    assert!(occ("οδος", "ΟΔΟΣ").is_empty()); // ς is not σ
    assert!(occ("ss", "ß").is_empty());
    assert!(occ("straße", "STRASSE").is_empty());
    assert_eq!(occ("ß", "ẞ"), vec![(0, 3)]);
    // Case-sensitive topics compare characters as they are.
    assert!(occurrences("Apple", true, true, "apple").is_empty());
    assert_eq!(occurrences("Apple", true, true, "an Apple"), vec![(3, 8)]);
    assert!(occurrences("apple", true, true, "APPLE").is_empty());
}

#[test]
fn prefix_keywords() {
    assert_eq!(
        occ_strs("insur*", "insurance insurer insured insur"),
        vec!["insur", "insur", "insur", "insur"]
    );
    assert!(occ("insur*", "reinsurance").is_empty());
    assert_eq!(occ_strs("INSUR*", "Insurance"), vec!["Insur"]);
    // `for *` is the prefix keyword `for`.
    assert_eq!(
        occ_strs("for *", "fortune for format"),
        vec!["for", "for", "for"]
    );
    assert_eq!(occ_strs("  for   * ", "fortune"), vec!["for"]);
    assert!(occ("for *", "for sale x").len() == 1);
    // Only the last `*` is special: `a**` is the prefix keyword `a*`.
    assert_eq!(occ_strs("a**", "a*b a"), vec!["a*"]);
    // Not a prefix: a `*` in the middle is literal.
    assert_eq!(occ_strs("a*b", "a*b ab"), vec!["a*b"]);
    // Prefix keyword still needs the left boundary; the whole span is the keyword.
    assert_eq!(occ("health car*", "health\ncareers"), vec![(0, 10)]);
}

#[test]
fn spaces_match_whitespace_runs() {
    assert_eq!(occ_strs("health care", "health care"), vec!["health care"]);
    assert_eq!(
        occ_strs("health care", "health  care"),
        vec!["health  care"]
    );
    assert_eq!(
        occ_strs("health care", "health\ncare"),
        vec!["health\ncare"]
    );
    assert_eq!(
        occ_strs("health care", "health \t\r\n\u{a0}\u{3000}care"),
        vec!["health \t\r\n\u{a0}\u{3000}care"]
    );
    assert!(occ("health care", "healthcare").is_empty());
    assert!(occ("health care", "health-care").is_empty());
    assert!(occ("health care", "health _care").is_empty());
    // Keyword whitespace normalized at load.
    assert_eq!(
        occ_strs("  health \t\n care ", "Health Care"),
        vec!["Health Care"]
    );
    // Span starts and ends at non-whitespace.
    assert_eq!(occ("health care", "  health   care  "), vec![(2, 15)]);
}

#[test]
fn spans_are_byte_offsets() {
    let text = "é healthcare";
    assert_eq!(occ("healthcare", text), vec![(3, 13)]);
    assert_eq!(occ("É", "ÉÉ é"), vec![(5, 7)]);
}

// ------------------------------------------------------------------------------------
// §4 selection
// ------------------------------------------------------------------------------------

#[test]
fn leftmost_longest_and_credit() {
    let t = topic("health", &["health", "health care", "care"], &[]);
    let r = &classify(&[t], "health care costs, health and care")[0];
    assert!(!r.vetoed);
    let got: Vec<(&str, usize, usize)> = r
        .kept
        .iter()
        .map(|o| (o.keyword.as_str(), o.start, o.end))
        .collect();
    assert_eq!(
        got,
        vec![("health care", 0, 11), ("health", 19, 25), ("care", 30, 34)]
    );
    assert_eq!(r.mentions, 3);

    // Identical spans: first keyword in dictionary order is credited.
    let t = topic("hc", &["Healthcare", "HEALTHCARE", "health*"], &[]);
    let r = &classify(&[t], "healthcare")[0];
    assert_eq!(r.mentions, 1);
    assert_eq!(
        r.kept,
        vec![RefOccurrence {
            keyword: "Healthcare".into(),
            start: 0,
            end: 10
        }]
    );

    // Longer span wins even when its keyword comes later.
    let t = topic("hc", &["health*", "healthcare"], &[]);
    let r = &classify(&[t], "healthcare")[0];
    assert_eq!(
        r.kept,
        vec![RefOccurrence {
            keyword: "healthcare".into(),
            start: 0,
            end: 10
        }]
    );

    // Overlap with an earlier-starting one is dropped; a later start may be kept after it.
    let t = topic("x", &["a b", "b c", "c d"], &[]);
    let r = &classify(&[t], "a b c d")[0];
    let got: Vec<&str> = r.kept.iter().map(|o| o.keyword.as_str()).collect();
    assert_eq!(got, vec!["a b", "c d"]);
}

#[test]
fn exclusions_and_independent_topics() {
    let health = topic("health", &["healthcare", "insur*"], &["job*"]);
    let insurance = topic("insurance", &["insurance"], &[]);
    let topics = vec![health, insurance];
    let r = classify(&topics, "healthcare insurance jobs");
    assert_eq!(
        r[0],
        RefTopicResult {
            vetoed: true,
            matched: false,
            mentions: 0,
            kept: vec![]
        }
    );
    assert_eq!(r[1].mentions, 1);
    let r = classify(&topics, "healthcare insurance");
    assert_eq!(r[0].mentions, 2);
    assert_eq!(r[1].mentions, 1); // the same span counts for both topics
                                  // Exclusions follow the topic's options.
    let mut cs = topic("cs", &["apple"], &["Pie"]);
    cs.case_sensitive = true;
    assert!(!classify(&[cs.clone()], "apple pie")[0].vetoed);
    assert!(classify(&[cs], "apple Pie")[0].vetoed);
    let mut loose = topic("loose", &["apple"], &["pie"]);
    loose.whole_word = false;
    assert!(classify(&[loose], "apple pies")[0].vetoed);
    // An exclusion with no occurrence leaves the topic untouched; no keyword → 0 mentions.
    let r = classify(&[topic("t", &["x"], &["y"])], "nothing");
    assert_eq!(
        r[0],
        RefTopicResult {
            vetoed: false,
            matched: false,
            mentions: 0,
            kept: vec![]
        }
    );
}

// ------------------------------------------------------------------------------------
// §4–§5 counts
// ------------------------------------------------------------------------------------

#[test]
fn counts_json_shape() {
    let topics = vec![
        topic(
            "health",
            &["healthcare", "health care", "Healthcare"],
            &["job*"],
        ),
        topic("zzz", &["zzz"], &[]),
        topic("insurance", &["insur*"], &[]),
    ];
    let messages = vec![
        message(
            "Healthcare and health care",
            Some("Twitter"),
            Some(1_234_567_890),
        ),
        message(
            "healthcare insurance",
            Some("twitter"),
            Some(1_234_567_890 + 3600),
        ),
        message("healthcare jobs", Some("blog"), None),
        message("nothing here", Some("news"), Some(0)),
        message("insurers", None, None),
        message("healthcare", Some(""), Some(0)),
    ];
    let got = counts(&topics, &messages, RefBucket::Day);
    let expected = json!({
        "total_messages": 6,
        "matched_messages": 4,
        "topics": {
            "health": {
                "messages": 3,
                "mentions": 4,
                "keywords": {"healthcare": 3, "health care": 1},
                "by_source": {
                    "Twitter": {"messages": 1, "mentions": 2},
                    "twitter": {"messages": 1, "mentions": 1},
                    "": {"messages": 1, "mentions": 1}
                },
                "by_time": {
                    "2009-02-13": {"messages": 1, "mentions": 2},
                    "2009-02-14": {"messages": 1, "mentions": 1},
                    "1970-01-01": {"messages": 1, "mentions": 1}
                }
            },
            "insurance": {
                "messages": 2,
                "mentions": 2,
                "keywords": {"insur*": 2},
                "by_source": {
                    "twitter": {"messages": 1, "mentions": 1},
                    "unknown": {"messages": 1, "mentions": 1}
                },
                "by_time": {"2009-02-14": {"messages": 1, "mentions": 1}}
            },
            "zzz": {"messages": 0, "mentions": 0, "keywords": {}, "by_source": {}, "by_time": {}}
        },
        "errors": {"malformed": 0, "first_lines": []}
    });
    assert_eq!(got, expected);
    // Keys come out sorted.
    let keys: Vec<&String> = got["topics"].as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["health", "insurance", "zzz"]);

    let hours = counts(&topics, &messages, RefBucket::Hour);
    assert_eq!(
        hours["topics"]["health"]["by_time"],
        json!({
            "2009-02-13T23": {"messages": 1, "mentions": 2},
            "2009-02-14T00": {"messages": 1, "mentions": 1},
            "1970-01-01T00": {"messages": 1, "mentions": 1}
        })
    );
    let months = counts(&topics, &messages, RefBucket::Month);
    assert_eq!(
        months["topics"]["health"]["by_time"],
        json!({
            "2009-02": {"messages": 2, "mentions": 3},
            "1970-01": {"messages": 1, "mentions": 1}
        })
    );
    // Serialized keys are sorted at every level.
    let one = counts(
        &[topic("t", &["x"], &[])],
        &[message("x", None, Some(0))],
        RefBucket::Day,
    );
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        concat!(
            r#"{"errors":{"first_lines":[],"malformed":0},"matched_messages":1,"#,
            r#""topics":{"t":{"by_source":{"unknown":{"mentions":1,"messages":1}},"#,
            r#""by_time":{"1970-01-01":{"mentions":1,"messages":1}},"keywords":{"x":1},"#,
            r#""mentions":1,"messages":1}},"total_messages":1}"#
        )
    );
    // Empty batch: every topic still appears.
    let empty = counts(&topics, &[], RefBucket::Day);
    assert_eq!(empty["total_messages"], json!(0));
    assert_eq!(
        empty["topics"]["health"],
        json!({"messages": 0, "mentions": 0, "keywords": {}, "by_source": {}, "by_time": {}})
    );
}

#[test]
fn counts_are_a_monoid_on_concatenation() {
    // Sum of the counts of two halves equals the counts of the whole (checked on numbers).
    let topics = vec![topic("a", &["a", "b"], &[]), topic("b", &["b"], &["c"])];
    let all = vec![
        message("a b", Some("x"), Some(10)),
        message("b c", None, Some(100_000)),
        message("b", Some("x"), None),
        message("d", Some("y"), Some(5)),
    ];
    let whole = counts(&topics, &all, RefBucket::Day);
    let left = counts(&topics, &all[..2], RefBucket::Day);
    let right = counts(&topics, &all[2..], RefBucket::Day);
    fn add(a: &Value, b: &Value) -> Value {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                json!(x.as_u64().unwrap() + y.as_u64().unwrap())
            }
            (Value::Object(x), Value::Object(y)) => {
                let mut out = x.clone();
                for (k, v) in y {
                    let merged = match x.get(k) {
                        Some(w) => add(w, v),
                        None => v.clone(),
                    };
                    out.insert(k.clone(), merged);
                }
                Value::Object(out)
            }
            (Value::Array(x), Value::Array(y)) => {
                Value::Array(x.iter().chain(y).cloned().collect())
            }
            _ => panic!("shape mismatch"),
        }
    }
    assert_eq!(add(&left, &right), whole);
}

// ------------------------------------------------------------------------------------
// §6 timestamps and buckets
// ------------------------------------------------------------------------------------

fn ts(s: &str) -> Option<i64> {
    parse_timestamp(&json!(s))
}

#[test]
fn timestamp_numbers() {
    assert_eq!(parse_timestamp(&json!(1_234_567_890)), Some(1_234_567_890));
    assert_eq!(
        parse_timestamp(&serde_json::from_str("1e3").unwrap()),
        Some(1000)
    );
    assert_eq!(
        parse_timestamp(&json!(1_700_000_000.9)),
        Some(1_700_000_000)
    );
    assert_eq!(parse_timestamp(&json!(-0.5)), Some(0));
    assert_eq!(parse_timestamp(&json!(-1.5)), Some(-1));
    assert_eq!(parse_timestamp(&json!(0)), Some(0));
    assert_eq!(
        parse_timestamp(&json!(-62_135_596_800i64)),
        Some(-62_135_596_800)
    );
    assert_eq!(
        parse_timestamp(&json!(-62_135_596_800.9)),
        Some(-62_135_596_800)
    );
    assert_eq!(parse_timestamp(&json!(-62_135_596_801i64)), None);
    assert_eq!(
        parse_timestamp(&json!(253_402_300_799i64)),
        Some(253_402_300_799)
    );
    assert_eq!(
        parse_timestamp(&json!(253_402_300_799.5)),
        Some(253_402_300_799)
    );
    assert_eq!(parse_timestamp(&json!(253_402_300_800i64)), None);
    assert_eq!(parse_timestamp(&json!(u64::MAX)), None);
    assert_eq!(parse_timestamp(&json!(true)), None);
    assert_eq!(parse_timestamp(&json!([1])), None);
    assert_eq!(parse_timestamp(&json!({"a": 1})), None);
    assert_eq!(parse_timestamp(&Value::Null), None);
}

#[test]
fn timestamp_strings_valid() {
    assert_eq!(ts("2009-02-13"), Some(1_234_483_200));
    assert_eq!(ts("1970-01-01"), Some(0));
    assert_eq!(ts("2009-02-13T23:31:30Z"), Some(1_234_567_890));
    assert_eq!(ts("2009-02-13 23:31:30Z"), Some(1_234_567_890));
    assert_eq!(ts("2009-02-13T23:31:30"), Some(1_234_567_890));
    assert_eq!(ts("2009-02-13T23:31Z"), Some(1_234_567_860));
    assert_eq!(ts("2009-02-13T23:31"), Some(1_234_567_860));
    assert_eq!(ts("2009-02-13T23:31:30.999Z"), Some(1_234_567_890));
    assert_eq!(ts("2009-02-13T23:31:30.1"), Some(1_234_567_890));
    assert_eq!(
        ts("2009-02-13T23:31:30.123456789123+00:00"),
        Some(1_234_567_890)
    );
    assert_eq!(ts("2009-02-14T01:31:30+02:00"), Some(1_234_567_890));
    assert_eq!(ts("2009-02-13T18:01:30-05:30"), Some(1_234_567_890));
    assert_eq!(ts("2009-02-13T23:31:30-00:00"), Some(1_234_567_890));
    assert_eq!(
        ts("2009-02-14T23:31:30+23:59"),
        Some(1_234_567_890 + 86_400 - 23 * 3600 - 59 * 60)
    );
    assert_eq!(ts("2000-02-29"), Some(951_782_400));
    assert_eq!(ts("2008-02-29"), Some(1_204_243_200));
    assert_eq!(ts("0001-01-01"), Some(-62_135_596_800));
    assert_eq!(ts("9999-12-31T23:59:59Z"), Some(253_402_300_799));
    assert_eq!(ts("1969-12-31T23:59:59Z"), Some(-1));
}

#[test]
fn timestamp_strings_invalid() {
    for bad in [
        "2009-02-30",
        "2009-02-29",
        "1900-02-29",
        "2009-04-31",
        "2009-13-01",
        "2009-00-01",
        "2009-01-00",
        "0000-01-01",
        "10000-01-01",
        "2009-02-13T24:00:00Z",
        "2009-02-13T24:00",
        "2009-02-13T23:60Z",
        "2009-02-13T23:59:60Z",
        "2009-02-13T23:31:30+24:00",
        "2009-02-13T23:31:30+23:60",
        "2009-02-13t23:31:30Z",
        "2009-02-13T23:31:30z",
        "2009-02-13T23:31:30.Z",
        "2009-02-13T23:31.5Z",
        "2009-02-13T23:31:30,5Z",
        "2009-02-13  23:31:30",
        "2009-02-13\t23:31:30",
        "2009-02-13_23:31:30",
        " 2009-02-13",
        "2009-02-13 ",
        "2009-02-13T23:31:30Z ",
        "2009-2-13",
        "09-02-13",
        "2009/02/13",
        "20090213",
        "2009-02-13T23",
        "2009-02-13T",
        "2009-02-13T2:31",
        "2009-02-13T23:31:3",
        "2009-02-13Z",
        "2009-02-13+01:00",
        "2009-02-13T23:31:30+0200",
        "2009-02-13T23:31:30+02",
        "2009-02-13T23:31:30+2:00",
        "2009-02-13T23:31:30 +02:00",
        "2009-02-13T23:31:30ZZ",
        "2009-02-13T23:31:30Z+01:00",
        "2009-02-13T23:31:30\u{2212}02:00",
        "+2009-02-13",
        "-2009-02-13",
        "２００９-02-13",
        "1234567890",
        "",
        "abc",
    ] {
        assert_eq!(ts(bad), None, "{bad:?} should not parse");
    }
}

#[test]
fn timestamp_offsets_cross_boundaries() {
    let label = |s: &str, b: RefBucket| bucket_label(ts(s).unwrap(), b);
    assert_eq!(
        label("2009-12-31T23:30:00-01:00", RefBucket::Hour),
        "2010-01-01T00"
    );
    assert_eq!(
        label("2009-12-31T23:30:00-01:00", RefBucket::Day),
        "2010-01-01"
    );
    assert_eq!(
        label("2009-12-31T23:30:00-01:00", RefBucket::Month),
        "2010-01"
    );
    assert_eq!(
        label("2010-01-01T00:30:00+01:00", RefBucket::Hour),
        "2009-12-31T23"
    );
    assert_eq!(
        label("2010-01-01T00:30:00+01:00", RefBucket::Month),
        "2009-12"
    );
    assert_eq!(
        label("2009-02-28T23:00:00-02:00", RefBucket::Day),
        "2009-03-01"
    );
    assert_eq!(
        label("2008-02-28T23:00:00-02:00", RefBucket::Day),
        "2008-02-29"
    );
    assert_eq!(
        label("2009-03-01T00:59:59+01:00", RefBucket::Hour),
        "2009-02-28T23"
    );
    // The UTC result must exist too.
    assert_eq!(ts("0001-01-01T00:30:00+01:00"), None);
    assert_eq!(ts("0001-01-01T00:59:59+01:00"), None);
    assert_eq!(ts("0001-01-01T01:00:00+01:00"), Some(-62_135_596_800));
    assert_eq!(
        ts("0001-01-01T00:00:00-01:00"),
        Some(-62_135_596_800 + 3600)
    );
    assert_eq!(ts("9999-12-31T23:30:00-01:00"), None);
    assert_eq!(
        ts("9999-12-31T23:30:00+01:00"),
        Some(253_402_300_799 - 3599 - 1800)
    );
}

#[test]
fn bucket_labels() {
    assert_eq!(bucket_label(0, RefBucket::Day), "1970-01-01");
    assert_eq!(bucket_label(0, RefBucket::Hour), "1970-01-01T00");
    assert_eq!(bucket_label(0, RefBucket::Month), "1970-01");
    assert_eq!(bucket_label(-1, RefBucket::Hour), "1969-12-31T23");
    assert_eq!(
        bucket_label(1_234_567_890, RefBucket::Hour),
        "2009-02-13T23"
    );
    assert_eq!(bucket_label(951_782_400, RefBucket::Day), "2000-02-29");
    assert_eq!(
        bucket_label(-62_135_596_800, RefBucket::Hour),
        "0001-01-01T00"
    );
    assert_eq!(
        bucket_label(253_402_300_799, RefBucket::Hour),
        "9999-12-31T23"
    );
    assert_eq!(bucket_label(253_402_300_799, RefBucket::Month), "9999-12");
}

/// Howard Hinnant's days-from-civil, an independent formula to cross-check the day counting.
fn hinnant_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[test]
fn calendar_cross_check() {
    // Round trip label -> timestamp -> label over sampled days of the whole range, and
    // agreement with an independent formula.
    let mut day = -719_162i64; // 0001-01-01
    let last = 2_932_896i64; // 9999-12-31
    while day <= last {
        let t = day * 86_400 + 7 * 3600;
        let label = bucket_label(t, RefBucket::Day);
        let parsed = ts(&label).unwrap();
        assert_eq!(parsed, day * 86_400, "{label}");
        let (y, m, d) = (
            label[0..4].parse::<i64>().unwrap(),
            label[5..7].parse::<i64>().unwrap(),
            label[8..10].parse::<i64>().unwrap(),
        );
        assert_eq!(hinnant_days(y, m, d), day, "{label}");
        assert_eq!(bucket_label(t, RefBucket::Hour), format!("{label}T07"));
        assert_eq!(bucket_label(t, RefBucket::Month), label[0..7].to_string());
        day += 997;
    }
    assert_eq!(bucket_label(last * 86_400, RefBucket::Day), "9999-12-31");
}

// ------------------------------------------------------------------------------------
// §6 records
// ------------------------------------------------------------------------------------

fn hc() -> Vec<RefTopic> {
    vec![topic("hc", &["healthcare"], &[])]
}

fn run(input: &[u8]) -> Value {
    count_jsonl(&hc(), input, RefBucket::Day, 16 * 1024 * 1024, false)
}

#[test]
fn jsonl_records() {
    let mut input: Vec<u8> = Vec::new();
    let lines: Vec<&[u8]> = vec![
        br#"{"text":"healthcare news","source":"blog","timestamp":"2009-02-13T23:31:30Z"}"#, // 1 ok
        b"",                                                                        // 2 blank
        b"   \t\r",                                                                 // 3 blank
        b"not json",                                                                // 4 bad
        br#"{"text":"\ud800 healthcare"}"#, // 5 bad: lone surrogate in text
        br#"{"text":"healthcare","x":"\ud800","y":["\udc00",{"z":"\udbff"}]}"#, // 6 ok: ignored fields
        br#"{"text":"healthcare","source":null,"timestamp":null,"lang":null}"#, // 7 ok
        br#"{"text":5}"#,                                                       // 8 bad
        br#"{"source":"x"}"#,                                                   // 9 bad
        br#"{"text":"a","source":5}"#,                                          // 10 bad
        br#"[{"text":"a"}]"#,                                                   // 11 bad
        br#"{"text":"a","timestamp":"2009-02-30"}"#,                            // 12 bad
        br#"{"text":"a","text":"b"}"#,    // 13 bad: duplicate key
        b"{\"text\":\"health\xffcare\"}", // 14 bad utf-8
        b"{\"text\":\"healthcare\",\"timestamp\":1e3}\r", // 15 ok
        br#"{"text":null}"#,              // 16 bad
        br#"{"te\u0078t":"\ud83d\ude00 healthcare","lang":"en","source":"forum"}"#, // 17 ok
        br#"{"text":"a","lang":"\udc00"}"#, // 18 bad
        br#"{"text":"a","source":"\ud800\u0041"}"#, // 19 bad
        br#"{"text":"a","timestamp":true}"#, // 20 bad
        br#"{"text":"a","timestamp":"\ud800"}"#, // 21 bad
        br#"  {"text":"healthcare","timestamp":-0.5}  "#, // 22 ok
        br#"{"text":"a","timestamp":1e400}"#, // 23 bad
        br#"{"text":"a","other":1e400}"#, // 24 ok (valid JSON)
        br#"{"text":"a"} x"#,             // 25 bad
        br#"{"text":"healthcare"}"#,      // 26 ok, no final newline
    ];
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            input.push(b'\n');
        }
        input.extend_from_slice(line);
    }
    let got = run(&input);
    assert_eq!(got["errors"]["malformed"], json!(16));
    assert_eq!(
        got["errors"]["first_lines"],
        json!([4, 5, 8, 9, 10, 11, 12, 13, 14, 16])
    );
    assert_eq!(got["total_messages"], json!(8));
    assert_eq!(got["matched_messages"], json!(7)); // all but line 24
    assert_eq!(
        got["topics"]["hc"],
        json!({
            "messages": 7,
            "mentions": 7,
            "keywords": {"healthcare": 7},
            "by_source": {
                "blog": {"messages": 1, "mentions": 1},
                "forum": {"messages": 1, "mentions": 1},
                "unknown": {"messages": 5, "mentions": 5}
            },
            "by_time": {
                "2009-02-13": {"messages": 1, "mentions": 1},
                "1970-01-01": {"messages": 2, "mentions": 2}
            }
        })
    );

    // With a final newline the result is the same (the empty piece after it is blank).
    let mut with_newline = input.clone();
    with_newline.push(b'\n');
    assert_eq!(run(&with_newline), got);

    // Lossy decoding turns line 14 into a message (health\u{FFFD}care: no mention).
    let lossy = count_jsonl(&hc(), &input, RefBucket::Day, 16 * 1024 * 1024, true);
    assert_eq!(lossy["errors"]["malformed"], json!(15));
    assert_eq!(lossy["total_messages"], json!(9));
    assert_eq!(lossy["topics"], got["topics"]);
    // Lossy: a replacement character inside an ignored field or text is fine.
    let lossy_hit = count_jsonl(
        &hc(),
        b"{\"text\":\"\xc3healthcare\"}",
        RefBucket::Day,
        100,
        true,
    );
    assert_eq!(lossy_hit["topics"]["hc"]["mentions"], json!(1));
}

#[test]
fn jsonl_first_lines_are_the_first_ten() {
    let mut input = String::new();
    for i in 1..=25 {
        if i % 2 == 0 {
            input.push_str("{\"text\":\"healthcare\"}\n");
        } else {
            input.push_str("oops\n");
        }
    }
    let got = run(input.as_bytes());
    assert_eq!(got["errors"]["malformed"], json!(13));
    assert_eq!(
        got["errors"]["first_lines"],
        json!([1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
    );
    assert_eq!(got["total_messages"], json!(12));
    // An empty input.
    let empty = run(b"");
    assert_eq!(empty["total_messages"], json!(0));
    assert_eq!(empty["errors"], json!({"malformed": 0, "first_lines": []}));
}

#[test]
fn jsonl_size_limit() {
    let line = br#"{"text":"healthcare"}"#; // 21 bytes
    assert_eq!(line.len(), 21);
    let at = |limit: usize, input: &[u8]| count_jsonl(&hc(), input, RefBucket::Day, limit, false);
    assert_eq!(at(21, line)["total_messages"], json!(1));
    assert_eq!(at(20, line)["errors"]["malformed"], json!(1));
    // The `\n` does not count, a `\r` does.
    let mut with_lf = line.to_vec();
    with_lf.push(b'\n');
    assert_eq!(at(21, &with_lf)["total_messages"], json!(1));
    let mut with_crlf = line.to_vec();
    with_crlf.extend_from_slice(b"\r\n");
    assert_eq!(at(21, &with_crlf)["errors"]["first_lines"], json!([1]));
    assert_eq!(at(22, &with_crlf)["total_messages"], json!(1));
    // Checked before the blank-line rule.
    assert_eq!(
        at(3, b"    \n  \n{}")["errors"],
        json!({"malformed": 2, "first_lines": [1, 3]})
    );
    // Checked before UTF-8 validity (still one error, not two).
    assert_eq!(at(2, b"\xff\xff\xff")["errors"]["malformed"], json!(1));
    // Limit 0: only empty lines pass.
    assert_eq!(
        at(0, b"\n\n ")["errors"],
        json!({"malformed": 1, "first_lines": [3]})
    );
}

/// For documents without lone surrogates and within serde_json's limits, the hand-written
/// reader accepts exactly what serde_json accepts.
#[test]
fn json_reader_agrees_with_serde_json() {
    let values = [
        "1",
        "-1",
        "0",
        "-0",
        "01",
        "1.",
        ".5",
        "1.5",
        "-",
        "+1",
        "1e",
        "1E+2",
        "1e-2",
        "1.5e3",
        "0e0",
        "-01",
        "1.e3",
        "0x10",
        "Infinity",
        "NaN",
        "true",
        "false",
        "null",
        "tru",
        "nul",
        "True",
        "\"\"",
        "\"a\\\"b\"",
        "\"\\/\\b\\f\\n\\r\\t\\\\\"",
        "\"\\q\"",
        "\"\\u00zz\"",
        "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\u{1}\"",
        "\"\t\"",
        "\"\u{7f}\"",
        "\"é\"",
        "\"\\U00e9\"",
        "\"\\u00E9\"",
        "[]",
        "{}",
        "[1,2]",
        "[1 2]",
        "[1,]",
        "[,1]",
        "[",
        "]",
        "{\"a\":1}",
        "{\"a\" 1}",
        "{1:2}",
        "{\"a\":1,}",
        "{\"a\":}",
        "{\"a\"}",
        "{,}",
        "[[],{}]",
        "[[[[[[1]]]]]]",
        "{\"a\":{\"b\":[{}]}}",
        "{\"a\":1,\"a\":2}",
        " [ 1 , { \"x\" : null } ] ",
        "[\"a\"\"b\"]",
        "{\"a\":1 \"b\":2}",
        "[1]]",
        "{\"a\":1}}",
        "[}",
        "{]",
        "[\r1\t\r]",
        "'a'",
        "\"a",
        "[\"\\\"]",
        "\u{a0}1",
    ];
    for v in values {
        let line = format!("{{\"text\":\"a\",\"other\":{v}}}");
        let serde_ok = serde_json::from_str::<Value>(&line).is_ok();
        let ours = count_jsonl(&[], line.as_bytes(), RefBucket::Day, usize::MAX, false);
        let ours_ok = ours["total_messages"] == json!(1);
        assert_eq!(ours_ok, serde_ok, "{line}");
    }
    for doc in [
        "{\"text\":\"a\"}",
        " {\"text\":\"a\"} ",
        "{\"text\":\"a\"}{}",
        "{\"text\":\"a\"},",
        "{\"text\":\"a\"",
        "{\"text\":\"a\",}",
        "{'text':'a'}",
        "{\"text\" : \"a\" }",
        "{\"text\":\"a\"}\r",
        "\r{\"text\":\"a\"}",
        "\t{\"text\":\"a\"}",
    ] {
        let serde_ok = serde_json::from_str::<Value>(doc).is_ok();
        let ours = count_jsonl(&[], doc.as_bytes(), RefBucket::Day, usize::MAX, false);
        assert_eq!(ours["total_messages"] == json!(1), serde_ok, "{doc:?}");
    }
    // A byte order mark opens no record: skipped at the start of the input, data elsewhere.
    let bom = count_jsonl(
        &[],
        "\u{feff}{\"text\":\"a\"}".as_bytes(),
        RefBucket::Day,
        usize::MAX,
        false,
    );
    assert_eq!(bom["total_messages"], json!(1));
    let bom = count_jsonl(
        &[],
        "{\"text\":\"a\"}\n\u{feff}{\"text\":\"a\"}".as_bytes(),
        RefBucket::Day,
        usize::MAX,
        false,
    );
    assert_eq!(bom["errors"]["first_lines"], json!([2]));
    // Beyond serde_json: very deep nesting in an ignored field is valid JSON.
    let deep = format!(
        "{{\"text\":\"a\",\"x\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let ours = count_jsonl(&[], deep.as_bytes(), RefBucket::Day, usize::MAX, false);
    assert_eq!(ours["total_messages"], json!(1));
    let unbalanced = format!(
        "{{\"text\":\"a\",\"x\":{}{}}}",
        "[".repeat(100),
        "]".repeat(99)
    );
    let ours = count_jsonl(
        &[],
        unbalanced.as_bytes(),
        RefBucket::Day,
        usize::MAX,
        false,
    );
    assert_eq!(ours["errors"]["malformed"], json!(1));
}

#[test]
fn jsonl_numbers_match_serde_rounding() {
    // Timestamps from numbers: our reading equals serde_json's float_roundtrip reading.
    for n in [
        "1234567890",
        "1234567890.5",
        "-1234567890.99999999999",
        "1e9",
        "1.7e9",
        "17e8",
        "1699999999.99999999999999",
        "253402300799.9999999",
        "253402300800",
        "-62135596800.0001",
        "-62135596801",
        "0.0000001",
        "-0",
        "-0.999999999999999999",
    ] {
        let value: Value = serde_json::from_str(n).unwrap();
        let expected = parse_timestamp(&value);
        let line = format!("{{\"text\":\"healthcare\",\"timestamp\":{n}}}");
        let got = run(line.as_bytes());
        match expected {
            Some(t) => {
                let label = bucket_label(t, RefBucket::Day);
                assert_eq!(
                    got["topics"]["hc"]["by_time"][&label]["messages"],
                    json!(1),
                    "{n}"
                );
            }
            None => assert_eq!(got["errors"]["malformed"], json!(1), "{n}"),
        }
    }
}

// ------------------------------------------------------------------------------------
// §7 boolean queries
// ------------------------------------------------------------------------------------

fn qtopic(name: &str, query: &str, exclude: &[&str]) -> RefTopic {
    RefTopic {
        name: name.to_string(),
        keywords: Vec::new(),
        query: Some(query.to_string()),
        exclude: exclude.iter().map(|s| s.to_string()).collect(),
        case_sensitive: false,
        whole_word: true,
    }
}

fn full_message(text: &str, source: Option<&str>, lang: Option<&str>) -> RefMessage {
    RefMessage {
        text: text.to_string(),
        source: source.map(str::to_string),
        timestamp: None,
        lang: lang.map(str::to_string),
    }
}

/// The result of one query topic on a message with this text, source and lang.
fn q_on(query: &str, text: &str, source: Option<&str>, lang: Option<&str>) -> RefTopicResult {
    assert!(query_is_valid(query), "{query}");
    let r = classify_message(
        &[qtopic("q", query, &[])],
        &full_message(text, source, lang),
    );
    r.into_iter().next().unwrap()
}

/// The result of one query topic on a text without source or lang.
fn q(query: &str, text: &str) -> RefTopicResult {
    q_on(query, text, None, None)
}

/// (credited term, matched text) of the kept occurrences.
fn kept<'a>(r: &RefTopicResult, text: &'a str) -> Vec<(String, &'a str)> {
    r.kept
        .iter()
        .map(|o| (o.keyword.clone(), &text[o.start..o.end]))
        .collect()
}

fn holds(query: &str, text: &str) -> bool {
    q(query, text).matched
}

#[test]
fn keyword_topics_matched_flag() {
    let t = topic("t", &["a"], &["z"]);
    let r = classify(std::slice::from_ref(&t), "a a");
    assert!(r[0].matched && r[0].mentions == 2);
    assert!(!classify(std::slice::from_ref(&t), "b")[0].matched);
    let vetoed = &classify(&[t], "a z")[0];
    assert!(vetoed.vetoed && !vetoed.matched);
}

#[test]
fn query_example_healthcare_not_jobs() {
    let query = r#"(healthcare OR "health care" OR #healthcare) AND NOT job*"#;
    let text = "Healthcare costs rise";
    let r = q(query, text);
    assert!(r.matched && !r.vetoed);
    assert_eq!(
        kept(&r, text),
        vec![("healthcare".to_string(), "Healthcare")]
    );
    let text = "health  care and #healthcare";
    let r = q(query, text);
    assert_eq!(r.mentions, 2);
    assert_eq!(
        kept(&r, text),
        vec![
            ("health care".to_string(), "health  care"),
            ("#healthcare".to_string(), "#healthcare")
        ]
    );
    // `NOT job*` makes the query fail: not matched, 0 mentions, but not vetoed (no exclude).
    let r = q(query, "healthcare jobs");
    assert_eq!(
        r,
        RefTopicResult {
            vetoed: false,
            matched: false,
            mentions: 0,
            kept: vec![]
        }
    );
    assert!(!holds(query, "HealthCare Jobbers")); // prefix job* matches Jobbers
    assert!(holds(query, "healthcare ejobs")); // job* needs the left boundary
    assert!(!holds(query, "health insurance"));
}

#[test]
fn query_example_insurance_near() {
    let query = r#""health insurance" OR (insur* NEAR/3 (health OR medical))"#;
    let text = "insurance for medical bills";
    let r = q(query, text);
    assert!(r.matched);
    assert_eq!(
        kept(&r, text),
        vec![
            ("insur*".to_string(), "insur"),
            ("medical".to_string(), "medical")
        ]
    );
    // Six words between: too far.
    assert!(!holds(query, "insurance is not what we need for medical"));
    // Three words between (`we`, `need`, `for`): at most 3.
    assert!(holds(query, "insurance: we need for medical"));
    assert!(!holds(query, "insurance: so we need for medical"));
    // Either order.
    assert!(holds(query, "medical insurers"));
    // The phrase wins leftmost-longest over its own words.
    let text = "Health Insurance now";
    let r = q(query, text);
    assert_eq!(
        kept(&r, text),
        vec![("health insurance".to_string(), "Health Insurance")]
    );
    // All occurrences of positive terms count, not only the near pair.
    let text = "health insurer, and far far far far away medical";
    let r = q(query, text);
    assert_eq!(r.mentions, 3);
    assert!(!holds(query, "reinsurance for health"));
}

#[test]
fn query_example_source_filter() {
    let query = "obamacare AND (source:blog OR source:forum)";
    let text = "Obamacare again";
    assert!(q_on(query, text, Some("blog"), None).matched);
    assert!(q_on(query, text, Some("Forum"), None).matched);
    assert!(q_on(query, text, Some("FORUM"), Some("en")).matched);
    assert!(!q_on(query, text, Some("news"), None).matched);
    assert!(!q_on(query, text, None, None).matched);
    assert!(!q_on(query, "nothing", Some("blog"), None).matched);
    let r = q_on(query, text, Some("blog"), None);
    assert_eq!(kept(&r, text), vec![("obamacare".to_string(), "Obamacare")]);
    // The literal text `source:blog`, quoted, is a term.
    assert!(holds(r#""source:blog""#, "see source:blog here"));
    assert!(!q_on(r#""source:blog""#, "see here", Some("blog"), None).matched);
}

#[test]
fn query_matching_with_zero_mentions() {
    let query = "vaccine OR (source:news AND NOT spam)";
    let r = q_on(query, "flu season", Some("news"), None);
    assert_eq!(
        r,
        RefTopicResult {
            vetoed: false,
            matched: true,
            mentions: 0,
            kept: vec![]
        }
    );
    assert!(!q_on(query, "spam flu", Some("news"), None).matched);
    assert!(!q_on(query, "flu", Some("blog"), None).matched);
    assert!(!q(query, "flu").matched);
    // Through `vaccine`: `spam` is not a positive term, so it is never a mention.
    let text = "vaccine spam";
    let r = q_on(query, text, Some("news"), None);
    assert_eq!(kept(&r, text), vec![("vaccine".to_string(), "vaccine")]);
    let r = q_on(query, "vaccine", Some("blog"), None);
    assert_eq!(r.mentions, 1);
}

#[test]
fn query_not_and_exclude_veto() {
    let r = q("health AND NOT job*", "health jobs");
    assert!(!r.matched && !r.vetoed && r.mentions == 0);
    assert!(q("health AND NOT job*", "health").matched);
    // `exclude` applies to query topics too, and sets `vetoed`.
    let t = qtopic("t", "health OR source:news", &["spam"]);
    let r = &classify_message(
        std::slice::from_ref(&t),
        &full_message("health spam", None, None),
    )[0];
    assert!(r.vetoed && !r.matched && r.mentions == 0 && r.kept.is_empty());
    let r = &classify_message(
        std::slice::from_ref(&t),
        &full_message("spam", Some("news"), None),
    )[0];
    assert!(r.vetoed && !r.matched);
    let r = &classify_message(&[t], &full_message("ok", Some("news"), None))[0];
    assert!(!r.vetoed && r.matched && r.mentions == 0);
    // The topic's options apply to terms (and exclusions).
    let mut cs = qtopic("cs", "Apple AND NOT Pie", &[]);
    cs.case_sensitive = true;
    assert!(classify(&[cs.clone()], "Apple pie")[0].matched);
    assert!(!classify(&[cs.clone()], "Apple Pie")[0].matched);
    assert!(!classify(&[cs], "apple")[0].matched);
    let mut loose = qtopic("loose", "care AND NOT pie", &[]);
    loose.whole_word = false;
    assert!(classify(&[loose.clone()], "healthcare")[0].matched);
    assert!(!classify(&[loose], "healthcare pies")[0].matched);
    // NOT NOT: the inner term is inside a NOT, so it is not positive (never credited).
    let text = "x y";
    let r = q("x AND NOT NOT y", text);
    assert_eq!(kept(&r, text), vec![("x".to_string(), "x")]);
    assert!(!holds("x AND NOT NOT y", "x"));
}

#[test]
fn query_lang_filter() {
    let query = "health AND lang:en";
    assert!(q_on(query, "health", None, Some("en")).matched);
    assert!(q_on(query, "health", None, Some("EN")).matched);
    assert!(!q_on(query, "health", None, Some("en-US")).matched);
    assert!(!q_on(query, "health", None, None).matched);
    assert!(!q_on(query, "health", None, Some("")).matched);
    // `unknown` matches a record without a lang (in any ASCII case), and a lang written
    // `unknown`.
    assert!(q_on("health AND lang:unknown", "health", None, None).matched);
    assert!(q_on("health AND lang:UNKNOWN", "health", None, None).matched);
    assert!(q_on("health AND lang:unknown", "health", None, Some("Unknown")).matched);
    assert!(!q_on("health AND lang:unknown", "health", None, Some("en")).matched);
    assert!(!q_on("health AND lang:unknown", "health", None, Some("")).matched);
    assert!(q_on("health AND NOT lang:en", "health", None, None).matched);
    // The source does not stand in for the lang, nor the other way round.
    assert!(!q_on("health AND lang:en", "health", Some("en"), None).matched);
    assert!(!q_on("health AND source:en", "health", None, Some("en")).matched);
    assert!(q_on("health AND source:unknown", "health", None, Some("en")).matched);
}

#[test]
fn query_field_value_case() {
    let query = "x AND source:Blog";
    assert!(q_on(query, "x", Some("blog"), None).matched);
    assert!(q_on(query, "x", Some("BLOG"), None).matched);
    assert!(!q_on(query, "x", Some("blogs"), None).matched);
    assert!(!q_on(query, "x", Some(""), None).matched);
    // Only ASCII case is ignored.
    assert!(!q_on("x AND source:Ü", "x", Some("ü"), None).matched);
    assert!(q_on("x AND source:Ü", "x", Some("Ü"), None).matched);
    // `*` in a value is literal.
    assert!(!q_on("x AND source:blog*", "x", Some("blogger"), None).matched);
    assert!(q_on("x AND source:blog*", "x", Some("BLOG*"), None).matched);
    // Field names are lower case: `Source:blog` is a term.
    assert!(!q_on("x AND Source:blog", "x", Some("blog"), None).matched);
    assert!(q_on("x AND Source:blog", "x Source:blog", None, None).matched);
}

#[test]
fn lower_case_operator_words_are_terms() {
    let query = "and OR or OR not OR near";
    let text = "this and that";
    let r = q(query, text);
    assert_eq!(kept(&r, text), vec![("and".to_string(), "and")]);
    assert!(holds(query, "Not now"));
    assert!(holds(query, "NEAR here"));
    assert!(!holds(query, "nothing"));
    assert!(holds("cats AND not", "cats do not"));
    assert!(holds("near/3", "stop near/3 now"));
    assert!(holds("Near/3", "stop near/3 now"));
    assert!(holds("And", "salt and pepper"));
    // Lower-case words between terms are more terms side by side: an error.
    assert!(!query_is_valid("health and care"));
    assert!(!query_is_valid("health or care"));
    // Quoted operators are terms.
    assert!(holds(r#""AND" OR "NEAR/3""#, "rock and roll"));
    assert!(holds(r#""NOT""#, "not"));
    // Words merely starting like operators are terms.
    assert!(holds("ANDROID OR NOTE OR ORACLE OR NEARBY", "nearby"));
}

#[test]
fn near_word_distances() {
    // Words strictly between the two occurrences.
    assert!(holds("a NEAR/2 d", "a b c d"));
    assert!(!holds("a NEAR/1 d", "a b c d"));
    assert!(holds("d NEAR/2 a", "a b c d")); // unordered
    assert!(holds("a NEAR/0 b", "a b"));
    assert!(holds("a NEAR/0 b", "a, (b)")); // punctuation is not a word
    assert!(holds("a NEAR/0 b", "a-b"));
    assert!(!holds("a NEAR/0 b", "a x b"));
    assert!(holds("a NEAR/1 b", "a 42 b")); // numbers are words
    assert!(holds("a NEAR/1 b", "a x_y b")); // `_` joins a word
    assert!(!holds("a NEAR/1 b", "a x y b"));
    // Ordered.
    assert!(!holds("b NEAR/0f a", "a b"));
    assert!(holds("a NEAR/0f b", "a b"));
    assert!(holds("b NEAR/0 a", "a b"));
    assert!(holds("a NEAR/1f b", "b a x b")); // another occurrence of b after a
    assert!(!holds("a NEAR/5f b", "b x a"));
    // Phrases spanning several words: counted from their ends.
    assert!(holds(
        r#""health care" NEAR/1 plan"#,
        "health care for plan"
    ));
    assert!(!holds(
        r#""health care" NEAR/0 plan"#,
        "health care for plan"
    ));
    assert!(holds(
        r#""health care" NEAR/1 plan"#,
        "plan for health\ncare"
    ));
    assert!(holds(r#""a b" NEAR/0 "c d""#, "a b c d"));
    // Overlapping occurrences are 0 apart, but never in order.
    assert!(holds(r#""health care" NEAR/0 care"#, "health care"));
    assert!(holds(r#"care NEAR/0 "health care""#, "health care"));
    assert!(!holds(r#""health care" NEAR/0f care"#, "health care"));
    assert!(!holds(r#"health NEAR/0f "health care""#, "health care"));
    // The same term on both sides: one occurrence overlaps itself.
    assert!(holds("a NEAR/0 a", "a"));
    assert!(!holds("a NEAR/0f a", "a"));
    assert!(holds("a NEAR/0f a", "a a"));
    assert!(!holds("a NEAR/0f a", "a b a"));
    // A prefix occurrence ends inside its word: that word is not in the gap.
    assert!(holds("insur* NEAR/0 health", "insurance health"));
    assert!(holds("health NEAR/0f insur*", "health insurers"));
    // Without whole-word matching, a word that is only partly in the gap does not count.
    let mut loose = qtopic("loose", "care NEAR/0f plan", &[]);
    loose.whole_word = false;
    assert!(classify(&[loose.clone()], "healthcareplan")[0].matched);
    assert!(classify(&[loose.clone()], "careXplan")[0].matched);
    assert!(!classify(&[loose], "care X plan")[0].matched);
    // An OR operand: an occurrence of any of its terms.
    assert!(holds("x NEAR/1 (y OR z)", "x q z"));
    assert!(!holds("x NEAR/1 (y OR z)", "x q q y"));
    assert!(holds("(w OR x) NEAR/1f (y OR z)", "z x q y"));
    // The largest n.
    let hundred = format!("a {}b", "w ".repeat(100));
    assert!(holds("a NEAR/100 b", &hundred));
    assert!(!holds("a NEAR/99 b", &hundred));
    let hundred_one = format!("a {}b", "w ".repeat(101));
    assert!(!holds("a NEAR/100 b", &hundred_one));
}

#[test]
fn near_in_scripts_without_spaces() {
    // Each Han character is a word of its own: 费用 is two words.
    assert!(!holds("医疗 NEAR/1 保险", "医疗费用保险"));
    assert!(holds("医疗 NEAR/2 保险", "医疗费用保险"));
    assert!(holds("医疗 NEAR/0 保险", "医疗保险"));
    assert!(holds("保险 NEAR/0 医疗", "医疗保险"));
    assert!(!holds("保险 NEAR/0f 医疗", "医疗保险"));
    assert!(holds("医疗 NEAR/0f 保险", "医疗保险"));
    // Latin among Han: the Latin run is one word, each Han character another.
    assert!(holds("iphone NEAR/1 手机", "我爱iPhone新手机"));
    assert!(!holds("iphone NEAR/0 手机", "我爱iPhone新手机"));
    assert!(holds("医 NEAR/1 险", "医abc险"));
    assert!(!holds("医 NEAR/1 险", "医abc费险"));
    // Kana.
    assert!(!holds("テレビ NEAR/3 を", "テレビとラジオを")); // と ラ ジ オ: 4 words
    assert!(holds("テレビ NEAR/4 を", "テレビとラジオを"));
    // Thai: every word character, marks included, is a word.
    assert!(!holds("สวัสดี NEAR/2 ครับ", "สวัสดีจ้ะครับ"));
    assert!(holds("สวัสดี NEAR/3 ครับ", "สวัสดีจ้ะครับ"));
    // Hangul is written with spaces: one word.
    assert!(holds("a NEAR/1 b", "a 서울시 b"));
}

#[test]
fn query_credit_and_mentions() {
    // Identical spans: the term written first in the query is credited.
    let text = "health";
    assert_eq!(
        kept(&q("Health OR health", text), text),
        vec![("Health".to_string(), "health")]
    );
    assert_eq!(
        kept(&q("health OR Health", text), text),
        vec![("health".to_string(), "health")]
    );
    assert_eq!(
        kept(&q(r#""HEALTH" OR health*"#, text), text),
        vec![("HEALTH".to_string(), "health")]
    );
    // Credited as written, without quotes (whitespace inside the quotes kept as written).
    let text = "health  care insurance";
    assert_eq!(
        kept(&q(r#""health   care" OR "insur*""#, text), text),
        vec![
            ("health   care".to_string(), "health  care"),
            ("insur*".to_string(), "insur")
        ]
    );
    // A term written twice is one term; quoted and bare alike.
    let text = "health care health";
    let r = q(r#"health AND (health OR care) AND "health""#, text);
    assert_eq!(
        kept(&r, text),
        vec![
            ("health".to_string(), "health"),
            ("care".to_string(), "care"),
            ("health".to_string(), "health")
        ]
    );
    // Positive terms that the match did not need still count.
    let text = "a b";
    assert_eq!(q("a OR (b AND c)", text).mentions, 2);
    // Longest wins over earlier-written.
    let text = "healthcare";
    assert_eq!(
        kept(&q("health* OR healthcare", text), text),
        vec![("healthcare".to_string(), "healthcare")]
    );
    // A term written first inside NOT and later outside it is positive, and its first
    // appearance decides the credit.
    let text = "vax";
    let r = q("(x AND NOT Vax) OR vax OR Vax", text);
    assert_eq!(kept(&r, text), vec![("Vax".to_string(), "vax")]);
    // Terms of a NEAR are positive; a NOT of a NEAR is not.
    let text = "a b c";
    assert_eq!(q("a NEAR/1 c", text).mentions, 2);
    assert_eq!(q("b AND NOT (a NEAR/0 x)", text).mentions, 1);
}

#[test]
fn query_precedence() {
    // NOT binds tighter than AND, AND tighter than OR.
    assert!(holds("a OR b AND c", "a"));
    assert!(!holds("(a OR b) AND c", "a"));
    assert!(holds("NOT x AND a", "a"));
    assert!(!holds("NOT x AND a", "a x"));
    assert!(holds("a AND NOT b OR c", "a b c"));
    assert!(!holds("a AND NOT (b OR c)", "a c"));
    // NEAR binds tighter than AND and OR.
    assert!(holds("a NEAR/0 b OR c", "c"));
    assert!(holds("z AND a NEAR/0 b", "a b z"));
    assert!(!holds("z AND a NEAR/0 b", "a x b z"));
    // Left-associative.
    assert!(holds("a AND b OR c AND d", "c d"));
    assert!(holds("a OR b OR c", "c"));
    assert!(!holds("a AND b AND c", "a c"));
}

#[test]
fn query_validity() {
    use RefQueryError::*;
    let err = |query: &str| query_error(query);
    for valid in [
        "a",
        "a*",
        "insur**",
        "\"a b\"",
        "\"for *\"",
        "a AND b",
        "a OR b AND NOT c",
        "(a)",
        "((a OR b))",
        "NOT NOT a AND b",
        "a NEAR/0 b",
        "a NEAR/100 b",
        "a NEAR/007f b",
        "a NEAR/3 (b OR c)",
        "(a OR b) NEAR/3f (c OR \"d e\")",
        "(a) NEAR/3 ((b OR c) OR d)",
        "(a NEAR/1 b) AND (c NEAR/2 d)",
        "a NEAR/1 b AND c NEAR/2 d",
        "a AND source:x",
        "a AND lang:en AND source:a:b",
        "vaccine OR (source:news AND NOT spam)",
        "\"source:blog\"",
        "Source:",
        "near OR and OR or OR not",
        "#healthcare OR c++ OR don't",
        " \t a \n",
        "a AND(b)",
        "医疗 NEAR/1 保险",
        r#"(healthcare OR "health care" OR #healthcare) AND NOT job*"#,
        r#""health insurance" OR (insur* NEAR/3 (health OR medical))"#,
        "obamacare AND (source:blog OR source:forum)",
    ] {
        assert_eq!(err(valid), None, "{valid}");
        assert!(query_is_valid(valid), "{valid}");
    }
    let cases: Vec<(&str, RefQueryError, usize)> = vec![
        // Parentheses.
        ("(a", UnbalancedParenthesis, 1),
        ("a)", UnbalancedParenthesis, 2),
        ("((a) OR b", UnbalancedParenthesis, 1),
        ("(a))", UnbalancedParenthesis, 4),
        (")a(", UnbalancedParenthesis, 1),
        // Quotes.
        ("\"a", UnbalancedQuote, 1),
        ("a OR \"b c", UnbalancedQuote, 6),
        ("\"a\" \"", UnbalancedQuote, 5),
        // Empty terms.
        ("\"\"", EmptyTerm, 1),
        ("a OR \"  \"", EmptyTerm, 6),
        ("*", EmptyTerm, 1),
        ("a OR **", EmptyTerm, 6),
        ("a OR \" * \"", EmptyTerm, 6),
        // Missing operands.
        ("", MissingOperand, 1),
        ("   ", MissingOperand, 4),
        ("a AND", MissingOperand, 6),
        ("AND a", MissingOperand, 1),
        ("a OR OR b", MissingOperand, 6),
        ("NOT", MissingOperand, 4),
        ("a AND NOT", MissingOperand, 10),
        ("()", MissingOperand, 2),
        ("a OR ()", MissingOperand, 7),
        ("a NEAR/3", MissingOperand, 9),
        ("NEAR/3 a", MissingOperand, 1),
        ("(a AND) OR b", MissingOperand, 7),
        // Side by side.
        ("a b", SideBySide, 3),
        ("a \"b\"", SideBySide, 3),
        ("\"a\"b", SideBySide, 4),
        ("a (b)", SideBySide, 3),
        ("(a) (b)", SideBySide, 5),
        ("a NOT b", SideBySide, 3),
        ("a source:x", SideBySide, 3),
        ("(a b)", SideBySide, 4),
        ("a NEAR/2 b c", SideBySide, 12),
        ("health and care", SideBySide, 8),
        ("\"a\"*", EmptyTerm, 4), // `*` after a phrase is a term of its own
        // NEAR operands.
        ("(a AND b) NEAR/2 c", BadNearOperand, 1),
        ("a NEAR/2 (b AND c)", BadNearOperand, 10),
        ("NOT a NEAR/2 b", BadNearOperand, 1),
        ("b AND a NEAR/2 NOT c", BadNearOperand, 16),
        ("a NEAR/2 source:x", BadNearOperand, 10),
        ("(a OR source:x) NEAR/2 b", BadNearOperand, 1),
        ("(a NEAR/1 b) NEAR/2 c", BadNearOperand, 1),
        ("a NEAR/2 (b OR NOT c)", BadNearOperand, 10),
        // NEAR spelling.
        ("a NEAR b", BadNear, 3),
        ("a NEAR/ b", BadNear, 3),
        ("a NEAR/x b", BadNear, 3),
        ("a NEAR/3x b", BadNear, 3),
        ("a NEAR/3F b", BadNear, 3),
        ("a NEAR/-1 b", BadNear, 3),
        ("a NEAR/f b", BadNear, 3),
        ("a NEAR/3ff b", BadNear, 3),
        ("a NEAR/ 3 b", BadNear, 3),
        // NEAR range.
        ("a NEAR/101 b", NearOutOfRange, 3),
        ("a NEAR/1000f b", NearOutOfRange, 3),
        ("a NEAR/99999999999999999999999 b", NearOutOfRange, 3),
        // NEAR chaining.
        ("a NEAR/1 b NEAR/2 c", NearChain, 12),
        ("a NEAR/1 (b OR c) NEAR/2f d", NearChain, 19),
        // Field filters.
        ("a AND source:", EmptyFieldValue, 7),
        ("a AND lang:", EmptyFieldValue, 7),
        ("a AND source:\"blog\"", EmptyFieldValue, 7),
        ("a AND source:(x)", EmptyFieldValue, 7),
        // No positive term.
        ("NOT a", NoPositiveTerm, 1),
        ("source:blog", NoPositiveTerm, 1),
        ("source:blog AND NOT spam", NoPositiveTerm, 1),
        ("NOT NOT a", NoPositiveTerm, 1),
        ("NOT (a NEAR/1 b)", NoPositiveTerm, 1),
        ("NOT a OR NOT b", NoPositiveTerm, 1),
        // Columns count characters, not bytes.
        ("医疗 保险", SideBySide, 4),
        ("é AND (", UnbalancedParenthesis, 7),
    ];
    for (query, kind, column) in cases {
        assert_eq!(err(query), Some((kind, column)), "{query:?}");
        assert!(!query_is_valid(query), "{query:?}");
    }
}

#[test]
fn counts_with_a_query_topic() {
    let topics = vec![
        qtopic("vax", "vaccine OR (source:news AND NOT spam)", &[]),
        topic("kw", &["vaccine"], &[]),
    ];
    let messages = vec![
        message("flu season", Some("news"), Some(0)), // vax: 0 mentions
        message("vaccine vaccine", Some("blog"), Some(86_400)), // vax 2, kw 2
        message("spam", Some("news"), Some(0)),       // nothing
        message("nothing", None, None),               // nothing
        message("quiet", Some("news"), None),         // vax: 0 mentions, no time
    ];
    let got = counts(&topics, &messages, RefBucket::Day);
    let expected = json!({
        "total_messages": 5,
        "matched_messages": 3,
        "topics": {
            "vax": {
                "messages": 3,
                "mentions": 2,
                "keywords": {"vaccine": 2},
                "by_source": {
                    "news": {"messages": 2, "mentions": 0},
                    "blog": {"messages": 1, "mentions": 2}
                },
                "by_time": {
                    "1970-01-01": {"messages": 1, "mentions": 0},
                    "1970-01-02": {"messages": 1, "mentions": 2}
                }
            },
            "kw": {
                "messages": 1,
                "mentions": 2,
                "keywords": {"vaccine": 2},
                "by_source": {"blog": {"messages": 1, "mentions": 2}},
                "by_time": {"1970-01-02": {"messages": 1, "mentions": 2}}
            }
        },
        "errors": {"malformed": 0, "first_lines": []}
    });
    assert_eq!(got, expected);

    // The same through JSON Lines, with `lang` read from the records.
    let topics = vec![qtopic("en", "x OR lang:en", &["veto"])];
    let input = concat!(
        r#"{"text":"hello","lang":"EN","source":"forum","timestamp":"2020-05-01T10:00:00Z"}"#,
        "\n",
        r#"{"text":"x x","timestamp":"2020-05-01"}"#,
        "\n",
        r#"{"text":"veto","lang":"en"}"#,
        "\n",
        r#"{"text":"hello","lang":"fr"}"#,
        "\n",
        r#"{"text":"hello","lang":5}"#,
        "\n",
    );
    let got = count_jsonl(&topics, input.as_bytes(), RefBucket::Month, 1 << 20, false);
    assert_eq!(
        got,
        json!({
            "total_messages": 4,
            "matched_messages": 2,
            "topics": {
                "en": {
                    "messages": 2,
                    "mentions": 2,
                    "keywords": {"x": 2},
                    "by_source": {
                        "forum": {"messages": 1, "mentions": 0},
                        "unknown": {"messages": 1, "mentions": 2}
                    },
                    "by_time": {"2020-05": {"messages": 2, "mentions": 2}}
                }
            },
            "errors": {"malformed": 1, "first_lines": [5]}
        })
    );
    // A 0-mention match alone: entries exist with mentions 0, and no keyword entry.
    let only = count_jsonl(
        &topics,
        br#"{"text":"hello","lang":"en","timestamp":0}"#,
        RefBucket::Day,
        1 << 20,
        false,
    );
    assert_eq!(
        only["topics"]["en"],
        json!({
            "messages": 1,
            "mentions": 0,
            "keywords": {},
            "by_source": {"unknown": {"messages": 1, "mentions": 0}},
            "by_time": {"1970-01-01": {"messages": 1, "mentions": 0}}
        })
    );
    assert_eq!(only["matched_messages"], json!(1));
}

#[test]
fn text_words_follow_the_definition() {
    // Cross-check of the NEAR word count through queries whose distance is the whole gap.
    let cases = [
        ("a b", 0),
        ("a x b", 1),
        ("a x\ny\tz b", 3),
        ("a 1.5 b", 2),         // `.` splits
        ("a café b", 1),        // precomposed
        ("a cafe\u{301} b", 1), // combining mark joins the word
        ("a \u{301} b", 1),     // a lone mark is a word character
        ("a 医疗 b", 2),
        ("a 医x疗 b", 3),
        ("a ¿? b", 0),
        ("a ๏ b", 0), // Thai punctuation is not a word character
    ];
    for (text, distance) in cases {
        let at = format!("a NEAR/{distance} b");
        assert!(holds(&at, text), "{text:?} {distance}");
        if distance > 0 {
            let below = format!("a NEAR/{} b", distance - 1);
            assert!(!holds(&below, text), "{text:?} {distance}");
        }
    }
}
