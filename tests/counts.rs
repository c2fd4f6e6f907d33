//! The counts type: §5's JSON shape, its round trip, the error tally's order independence, and
//! the optional keyword-by-time breakdown.

use topictally::{Classifier, Counts, Dictionary, ErrorCounts, Message, Timestamp, TopicBuilder};

fn dictionary() -> Dictionary {
    Dictionary::builder()
        .topic(TopicBuilder::new("flu").keywords(["flu", "influenza"]))
        .topic(
            TopicBuilder::new("agencies")
                .keywords(["CDC"])
                .case_sensitive(true),
        )
        .topic(TopicBuilder::new("never").keyword("zzzz"))
        .build()
        .unwrap()
}

fn messages() -> Vec<Message<'static>> {
    let day = |d: &str| Timestamp::parse(d).unwrap();
    vec![
        Message::new("flu and influenza")
            .with_source("twitter")
            .with_timestamp(day("2026-10-01T10:00:00Z")),
        Message::new("CDC: flu season")
            .with_source("news")
            .with_timestamp(day("2026-10-02")),
        Message::new("Flu flu").with_source("Twitter"),
        Message::new("cdc is lowercase").with_source(""),
        Message::new("influenza").with_timestamp(day("2026-10-02T23:59:59+02:00")),
    ]
}

#[test]
fn json_has_every_topic_and_sorted_keys() {
    let c = Classifier::new(&dictionary()).unwrap();
    let counts = c.tally(&messages());
    let json = serde_json::to_string(&counts).unwrap();
    // Keys in the order they appear must be sorted at every level of each object.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    fn check_sorted(v: &serde_json::Value, text: &str) {
        if let serde_json::Value::Object(map) = v {
            // serde_json's Map keeps them sorted; check the text order instead.
            let mut last = 0;
            let keys: Vec<&String> = map.keys().collect();
            for k in &keys {
                let quoted = format!("\"{k}\":");
                let at = text[last..].find(&quoted).map(|i| i + last);
                assert!(at.is_some(), "key {k} out of order in {text}");
                last = at.unwrap();
            }
            for child in map.values() {
                check_sorted(child, text);
            }
        }
    }
    check_sorted(&value, &json);
    assert_eq!(value["topics"]["never"]["messages"], 0);
    assert_eq!(value["topics"]["never"]["keywords"], serde_json::json!({}));
    assert_eq!(value["total_messages"], 5);
    assert_eq!(value["matched_messages"], 4);
    let flu = &value["topics"]["flu"];
    assert_eq!(
        flu["by_source"]["Twitter"]["mentions"], 2,
        "labels kept as given"
    );
    assert_eq!(flu["by_source"]["unknown"]["messages"], 1);
    assert_eq!(
        flu["by_time"]["2026-10-02"]["messages"], 2,
        "23:59:59+02:00 is 21:59:59Z"
    );
    assert!(
        flu.get("keywords_by_time").is_none(),
        "§5's JSON unless asked for"
    );
    assert_eq!(
        value["topics"]["agencies"]["by_source"]["news"]["messages"],
        1
    );
}

#[test]
fn serde_round_trip() {
    let c = Classifier::new(&dictionary()).unwrap();
    let mut counts = c.tally(&messages());
    counts.errors.add(Some(7));
    let back: Counts =
        serde_json::from_str(&serde_json::to_string_pretty(&counts).unwrap()).unwrap();
    assert_eq!(back, counts);
}

#[test]
fn first_lines_keep_the_smallest_in_any_order() {
    let lines: Vec<u64> = (1..=40).map(|i| (i * 37) % 101).collect();
    let mut forward = ErrorCounts::default();
    for &l in &lines {
        forward.add(Some(l));
    }
    let mut halves = [ErrorCounts::default(), ErrorCounts::default()];
    for (i, &l) in lines.iter().rev().enumerate() {
        halves[i % 2].add(Some(l));
    }
    let mut merged = halves[1].clone();
    merged.merge(&halves[0]);
    let mut want = lines.clone();
    want.sort_unstable();
    want.truncate(10);
    assert_eq!(forward.first_lines, want);
    assert_eq!(merged, forward);
    assert_eq!(forward.malformed, 40);
}

#[test]
fn keywords_by_time_when_asked() {
    let c = Classifier::builder()
        .keywords_by_time(true)
        .build(&dictionary())
        .unwrap();
    let all = messages();
    let counts = c.tally(&all);
    let flu = &counts.topics["flu"];
    assert_eq!(flu.keywords_by_time["2026-10-01"]["flu"], 1);
    assert_eq!(flu.keywords_by_time["2026-10-01"]["influenza"], 1);
    assert_eq!(flu.keywords_by_time["2026-10-02"]["influenza"], 1);
    // Per bucket, the credits add up to the bucket's mentions.
    for (bucket, keywords) in &flu.keywords_by_time {
        assert_eq!(keywords.values().sum::<u64>(), flu.by_time[bucket].mentions);
    }
    let (a, b) = all.split_at(2);
    let mut merged = c.tally(b);
    merged.merge(&c.tally(a));
    assert_eq!(merged, counts);
    let json = serde_json::to_value(&counts).unwrap();
    assert!(json["topics"]["flu"]["keywords_by_time"].is_object());
}
