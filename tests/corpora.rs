//! The library against the reference on slices of the real corpora in `../shared/corpora`,
//! with the bundled query dictionary. Skips when the corpora are absent (a user's machine).

use std::io::BufRead;
use std::path::Path;

use topictally::{Classifier, Dictionary, ReadOptions, StreamTally};

use crate::reference::{self, RefBucket};

/// The first `lines` lines of `path`, or `None` when the file is absent.
fn head(path: &Path, lines: usize) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut out = Vec::new();
    for line in std::io::BufReader::new(file).split(b'\n').take(lines) {
        out.extend(line.ok()?);
        out.push(b'\n');
    }
    Some(out)
}

#[test]
fn real_corpora_slices_count_as_the_reference_does() {
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let files = [
        "tweeteval.jsonl",
        "health_news_tweets.jsonl",
        "blog_authorship.jsonl",
        "weibo_ced.jsonl",
        "stackexchange_forum.jsonl",
        "huffpost_news.jsonl",
        "abc_news_headlines.jsonl",
    ];
    let dict = crate::support::sample_data("health_queries.toml");
    let dictionary = Dictionary::from_path(&dict).unwrap();
    let classifier = Classifier::new(&dictionary).unwrap();
    let topics = crate::support::ref_topics(&dictionary);
    let mut checked = 0;
    for name in files {
        let Some(input) = head(&corpora.join(name), 300) else {
            eprintln!("note: {name} is not in ../shared/corpora: skipped");
            continue;
        };
        let tally = StreamTally::new(&classifier, &ReadOptions::new());
        tally.read(&input[..]).unwrap();
        let lib = crate::support::lib_counts_json(&tally.snapshot());
        let want = reference::count_jsonl(&topics, &input, RefBucket::Day, 16 << 20, false);
        assert_eq!(lib, want, "{name}");
        assert!(lib["total_messages"].as_u64().unwrap() > 0, "{name}");
        checked += 1;
    }
    if checked == 0 {
        eprintln!(
            "note: no corpus found under {}: nothing compared",
            corpora.display()
        );
    }
}
