//! One test per dictionary error: its kind, and the message an analyst reads.

use std::path::PathBuf;

use topictally::{Dictionary, DictionaryError, DictionaryErrorKind, KeywordList, TopicBuilder};

fn toml_err(text: &str) -> DictionaryError {
    Dictionary::from_toml_str(text).expect_err("the dictionary is invalid")
}

fn json_err(text: &str) -> DictionaryError {
    Dictionary::from_json_str(text).expect_err("the dictionary is invalid")
}

/// Writes `text` to a fresh file named `name` and loads it.
fn file_err(name: &str, text: &str) -> (DictionaryError, PathBuf) {
    let dir = std::env::temp_dir().join(format!("topictally-errors-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    let err = Dictionary::from_path(&path).expect_err("the dictionary is invalid");
    (err, path)
}

#[test]
fn empty_keyword_names_file_line_column_topic() {
    let (err, path) = file_err(
        "health.toml",
        "# health topics\n[[topics]]\nname = \"health\"\nkeywords = [\"healthcare\", \"health care\",\n    \"\"]\n",
    );
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::EmptyKeyword {
            list: KeywordList::Keywords,
            index: 3
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}:5:5: topic \"health\": keyword 3 is empty",
            path.display()
        )
    );
    assert_eq!(
        (err.line(), err.column(), err.topic()),
        (Some(5), Some(5), Some("health"))
    );
    assert_eq!(err.path(), Some(path.as_path()));
}

#[test]
fn empty_exclude_keyword() {
    let err =
        toml_err("[[topics]]\nname = \"h\"\nkeywords = [\"a\"]\nexclude = [\"jobs\", \"\"]\n");
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::EmptyKeyword {
            list: KeywordList::Exclude,
            index: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "4:20: topic \"h\": exclude keyword 2 is empty"
    );
}

#[test]
fn keyword_of_only_whitespace_and_stars() {
    for bad in ["*", " * ", "**", "\t", " *\n* "] {
        let err = Dictionary::builder()
            .topic(TopicBuilder::new("t").keyword("ok").keyword(bad))
            .build()
            .unwrap_err();
        assert_eq!(
            err.kind(),
            &DictionaryErrorKind::InvalidKeyword {
                list: KeywordList::Keywords,
                index: 2,
                keyword: bad.to_string()
            }
        );
        assert_eq!(
            err.to_string(),
            format!("topic \"t\": keyword 2 ({bad:?}) has nothing to match: it is only whitespace and \"*\"")
        );
    }
}

#[test]
fn duplicate_keyword_json_table_shape() {
    let err = json_err("{\"topics\": {\n  \"health\": {\"keywords\": [\"a\", \"b\", \"a\"]}\n}}");
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::DuplicateKeyword {
            list: KeywordList::Keywords,
            index: 3,
            first: 1,
            keyword: "a".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "2:37: topic \"health\": keyword 3 (\"a\") repeats keyword 1"
    );
}

#[test]
fn keywords_that_normalize_alike_are_allowed() {
    let d = Dictionary::from_toml_str("[[topics]]\nname = \"h\"\nkeywords = [\"Healthcare\", \"HEALTHCARE\", \"health  care\", \"health care\"]\n")
        .expect("differently written keywords are allowed");
    assert_eq!(d.topics()[0].keywords().len(), 4);
}

#[test]
fn keyword_too_long() {
    let long = "x".repeat(topictally::MAX_KEYWORD_BYTES + 1);
    let err = Dictionary::builder()
        .topic(TopicBuilder::new("t").keyword(&long))
        .build()
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::KeywordTooLong {
            list: KeywordList::Keywords,
            index: 1,
            len: long.len()
        }
    );
    assert_eq!(
        err.to_string(),
        "topic \"t\": keyword 1 is 1025 bytes long, more than the limit of 1024 bytes"
    );
}

#[test]
fn empty_topic_name() {
    let err = toml_err("[[topics]]\nname = \"a\"\nkeywords = [\"a\"]\n\n[[topics]]\nname = \" \"\nkeywords = [\"b\"]\n");
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::EmptyTopicName { topic: 2 }
    );
    assert_eq!(err.to_string(), "5:1: topic 2 has an empty name");
    assert_eq!(err.topic(), None);
}

#[test]
fn missing_topic_name() {
    let err = json_err("{\"topics\": [{\"keywords\": [\"a\"]}]}");
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::EmptyTopicName { topic: 1 }
    );
    assert_eq!(err.to_string(), "1:13: topic 1 has an empty name");
}

#[test]
fn duplicate_topic_name() {
    let err = toml_err("[[topics]]\nname = \"flu\"\nkeywords = [\"flu\"]\n[[topics]]\nname = \"flu\"\nkeywords = [\"influenza\"]\n");
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::DuplicateTopic { first: 1 }
    );
    assert_eq!(
        err.to_string(),
        "4:1: topic \"flu\": the name is already used by topic 1"
    );
}

#[test]
fn topic_without_keywords() {
    for text in [
        "[[topics]]\nname = \"flu\"\n",
        "[[topics]]\nname = \"flu\"\nkeywords = []\n",
    ] {
        let err = toml_err(text);
        assert_eq!(err.kind(), &DictionaryErrorKind::NoKeywords);
        assert_eq!(
            err.to_string(),
            "1:1: topic \"flu\": no keywords (give a non-empty \"keywords\" list or a \"query\")"
        );
    }
}

#[test]
fn dictionary_without_topics() {
    let err = json_err("{\"topics\": []}");
    assert_eq!(err.kind(), &DictionaryErrorKind::NoTopics);
    assert_eq!(err.to_string(), "the dictionary has no topics");
    let err = Dictionary::builder().build().unwrap_err();
    assert_eq!(err.kind(), &DictionaryErrorKind::NoTopics);
}

#[test]
fn toml_syntax_error() {
    let err = toml_err("[[topics]]\nname = \"flu\nkeywords = [\"flu\"]\n");
    assert!(
        matches!(err.kind(), DictionaryErrorKind::Parse { .. }),
        "{:?}",
        err.kind()
    );
    assert_eq!(err.line(), Some(2));
    assert!(err.to_string().starts_with("2:"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn json_syntax_error() {
    let err = json_err("{\"topics\": [\n  {\"name\": \"flu\", \"keywords\": [\"flu\",]}\n]}");
    assert!(
        matches!(err.kind(), DictionaryErrorKind::Parse { .. }),
        "{:?}",
        err.kind()
    );
    assert_eq!(err.line(), Some(2));
    assert_eq!(err.to_string(), "2:38: trailing comma");
}

#[test]
fn unknown_field_is_an_error() {
    let err = toml_err("[[topics]]\nname = \"x\"\nkeyword = [\"a\"]\n");
    assert_eq!(
        err.to_string(),
        "3:1: unknown field `keyword`, expected one of `name`, `keywords`, `query`, `exclude`, `case_sensitive`, `whole_word`"
    );
}

#[test]
fn wrong_type() {
    let err = json_err("{\"topics\": [{\"name\": \"x\", \"keywords\": [1]}]}");
    assert_eq!(
        err.to_string(),
        "1:40: invalid type: integer `1`, expected a string"
    );
    let err = toml_err("[[topics]]\nname = \"x\"\nkeywords = \"flu\"\n");
    assert!(matches!(err.kind(), DictionaryErrorKind::Parse { .. }));
    assert_eq!(err.line(), Some(3), "{err}");
}

#[test]
fn name_in_table_shape() {
    let err = toml_err("[topics.flu]\nname = \"flu\"\nkeywords = [\"flu\"]\n");
    assert_eq!(
        err.to_string(),
        "2:8: a topic in a table of topics is named by its key: remove \"name\""
    );
}

#[test]
fn unreadable_file() {
    let path = std::env::temp_dir().join("topictally-no-such-dir/none.toml");
    let err = Dictionary::from_path(&path).unwrap_err();
    assert!(matches!(err.kind(), DictionaryErrorKind::Io { .. }));
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot read the dictionary: ", path.display())),
        "{err}"
    );
}

#[test]
fn unknown_format() {
    let (err, path) = file_err("topics.yaml", "topics: []\n");
    assert_eq!(err.kind(), &DictionaryErrorKind::UnknownFormat);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: unknown dictionary format: the file name must end in .toml or .json",
            path.display()
        )
    );
}

#[test]
fn both_shapes_and_formats_load_alike() {
    let list = Dictionary::from_toml_str(
        "[[topics]]\nname = \"b\"\nkeywords = [\"x\", \"y*\"]\nexclude = [\"z\"]\ncase_sensitive = true\n\n[[topics]]\nname = \"a\"\nkeywords = [\"w\"]\nwhole_word = false\n",
    )
    .unwrap();
    let table = Dictionary::from_toml_str(
        "[topics.b]\nkeywords = [\"x\", \"y*\"]\nexclude = [\"z\"]\ncase_sensitive = true\n\n[topics.a]\nkeywords = [\"w\"]\nwhole_word = false\n",
    )
    .unwrap();
    let json_list = Dictionary::from_json_str(
        r#"{"topics": [{"name": "b", "keywords": ["x", "y*"], "exclude": ["z"], "case_sensitive": true}, {"name": "a", "keywords": ["w"], "whole_word": false}]}"#,
    )
    .unwrap();
    let json_table = Dictionary::from_json_str(
        r#"{"topics": {"b": {"keywords": ["x", "y*"], "exclude": ["z"], "case_sensitive": true}, "a": {"keywords": ["w"], "whole_word": false}}}"#,
    )
    .unwrap();
    let built = Dictionary::builder()
        .topic(
            TopicBuilder::new("b")
                .keywords(["x", "y*"])
                .exclude("z")
                .case_sensitive(true),
        )
        .topic(TopicBuilder::new("a").keyword("w").whole_word(false))
        .build()
        .unwrap();
    assert_eq!(list, built);
    assert_eq!(table, built);
    assert_eq!(json_list, built);
    assert_eq!(json_table, built);
    assert_eq!(built.topics()[0].name(), "b", "file order is kept");
}

#[test]
fn too_many_topics() {
    let mut builder = Dictionary::builder();
    for i in 0..=topictally::MAX_TOPICS {
        builder.topic(TopicBuilder::new(&format!("t{i}")).keyword("k"));
    }
    let err = builder.build().unwrap_err();
    assert_eq!(
        err.kind(),
        &DictionaryErrorKind::TooManyTopics {
            count: topictally::MAX_TOPICS + 1
        }
    );
    assert_eq!(
        err.to_string(),
        "the dictionary has 1000001 topics, more than the limit of 1000000"
    );
    // At the limit, the topics are accepted.
    let mut builder = Dictionary::builder();
    for i in 0..topictally::MAX_TOPICS {
        builder.topic(TopicBuilder::new(&format!("t{i}")).keyword("k"));
    }
    assert_eq!(
        builder.build().map(|d| d.topics().len()).ok(),
        Some(topictally::MAX_TOPICS)
    );
}

#[test]
fn too_many_keywords_counts_every_list_and_query() {
    // Exactly at the limit: a keyword list, a query's terms and an exclusion, over three topics.
    let half = topictally::MAX_KEYWORDS / 2;
    let many: Vec<String> = (0..half).map(|i| format!("k{i}")).collect();
    let mut at_limit = Dictionary::builder();
    at_limit
        .topic(TopicBuilder::new("a").keywords(&many[..half - 3]))
        .topic(TopicBuilder::new("b").query("x OR y"))
        .topic(TopicBuilder::new("c").keywords(&many).exclude("z"));
    let too_many = at_limit
        .clone()
        .topic(TopicBuilder::new("d").keyword("one more"))
        .build()
        .unwrap_err();
    assert_eq!(
        too_many.kind(),
        &DictionaryErrorKind::TooManyKeywords { topic: 4 }
    );
    assert_eq!(
        too_many.to_string(),
        "topic \"d\": with topic 4, the dictionary has more than the limit of 10000000 keywords, \
         query terms and exclusions in all"
    );
    let accepted = at_limit.build().expect("exactly at the limit");
    let total: usize = accepted
        .topics()
        .iter()
        .map(|t| t.keywords().len() + t.exclude().len())
        .sum();
    assert_eq!(total, topictally::MAX_KEYWORDS);
}
