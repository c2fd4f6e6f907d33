//! Inputs, baselines and checks shared by the criterion benches (`benches/*.rs`) and the
//! report (`examples/bench_report.rs`), which include this file with `#[path]`.
//!
//! * [`Inputs::load`] reads every corpus and keyword list once: the real ones from
//!   `../shared/corpora/` beside the crate when present (never copied into the repository:
//!   several licenses forbid it), seeded generated ones otherwise, so that `cargo bench` runs
//!   on a bare machine. Each corpus is a fixed-size slice, so a timed pass is bounded.
//! * [`Raw`] is the baseline of issue 5: "the ten lines" a user could write with the
//!   `aho-corasick` crate, in its default and its best configurations.
//! * [`check`] recounts one corpus with an independent slow path and panics on any
//!   disagreement, so that a fast wrong answer cannot pass. It runs outside the timed loops.
//!
//! Everything is deterministic: the same files and seeds give the same inputs.

// Each includer uses a different part of this module.
#![allow(dead_code)]

#[path = "../../examples/support/synth.rs"]
pub mod synth;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::Deserialize;
use topictally::{
    Classifier, Counts, Dictionary, Matches, Message, ReadOptions, StreamTally, Timestamp,
    TopicBuilder, MAX_KEYWORD_BYTES,
};

use self::synth::Rng;

/// Where the shared corpora live, relative to the crate root.
pub const CORPORA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora");

/// The dictionary sizes of issue 5, in keywords (exclusions not counted).
pub const SIZES: [usize; 3] = [100, 10_000, 100_000];

/// One seed for everything generated or sampled here.
const SEED: u64 = 0x5EED_0005;

/// How much input to load.
#[derive(Clone, Debug)]
pub struct Options {
    /// Bytes of JSON Lines per corpus (cut at a line end); tweets take half from each of
    /// their two files.
    pub slice_bytes: usize,
    /// Ignore `../shared/corpora` and generate everything (what a bare machine gets).
    pub generated: bool,
    /// Dictionary sizes to build.
    pub sizes: Vec<usize>,
}

impl Options {
    /// 8 MiB per corpus: a pass takes 0.05–1 s at the speeds involved.
    pub fn full() -> Options {
        Options {
            slice_bytes: 8 << 20,
            generated: false,
            sizes: SIZES.to_vec(),
        }
    }

    /// 1 MiB per corpus, for CI-sized runs.
    pub fn quick() -> Options {
        Options {
            slice_bytes: 1 << 20,
            ..Options::full()
        }
    }

    /// For the criterion benches, which take no flags of their own:
    /// `TOPICTALLY_BENCH_QUICK=1` gives [`Options::quick`], `TOPICTALLY_BENCH_GENERATED=1`
    /// ignores the shared corpora.
    pub fn from_env() -> Options {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
        let mut options = if set("TOPICTALLY_BENCH_QUICK") {
            Options::quick()
        } else {
            Options::full()
        };
        options.generated = set("TOPICTALLY_BENCH_GENERATED");
        options
    }

    fn corpora_dir(&self) -> Option<PathBuf> {
        let dir = PathBuf::from(CORPORA_DIR);
        (!self.generated && dir.is_dir()).then_some(dir)
    }
}

/// The language of a corpus or dictionary: English dictionaries are measured on tweets and
/// blog posts, Chinese ones on Weibo posts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Corpora
// ---------------------------------------------------------------------------------------

/// One record of a corpus, parsed once, owned.
#[derive(Clone, Debug)]
pub struct Record {
    pub text: String,
    pub source: Option<String>,
    pub timestamp: Option<Timestamp>,
    pub lang: Option<String>,
}

/// A corpus slice, as raw JSON Lines bytes (end-to-end benches) and as parsed records
/// (matching-core benches, messages already in memory).
#[derive(Clone, Debug)]
pub struct Corpus {
    /// `tweets`, `blogs` or `weibo`.
    pub name: &'static str,
    pub lang: Lang,
    /// Where the bytes came from, for the report.
    pub origin: String,
    pub jsonl: Vec<u8>,
    pub records: Vec<Record>,
}

impl Corpus {
    /// The records as messages (text, source, timestamp, language).
    pub fn messages(&self) -> Vec<Message<'_>> {
        self.records
            .iter()
            .map(|r| {
                let mut m = Message::new(&r.text);
                if let Some(s) = &r.source {
                    m = m.with_source(s);
                }
                if let Some(t) = r.timestamp {
                    m = m.with_timestamp(t);
                }
                if let Some(l) = &r.lang {
                    m = m.with_lang(l);
                }
                m
            })
            .collect()
    }

    /// The bytes of all texts: the throughput unit of the matching core.
    pub fn text_bytes(&self) -> usize {
        self.records.iter().map(|r| r.text.len()).sum()
    }
}

#[derive(Deserialize)]
struct JsonRecord {
    text: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

fn parse_records(jsonl: &[u8]) -> Vec<Record> {
    jsonl
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .map(|line| {
            let r: JsonRecord = serde_json::from_slice(line).expect("corpus lines are records");
            Record {
                text: r.text,
                source: r.source,
                timestamp: r
                    .timestamp
                    .map(|t| Timestamp::parse(&t).expect("corpus timestamps are valid")),
                lang: r.lang,
            }
        })
        .collect()
}

/// The first `limit` bytes of `path`, cut after the last complete line.
fn read_prefix(path: &Path, limit: usize) -> Option<Vec<u8>> {
    let file = File::open(path).ok()?;
    let mut bytes = Vec::with_capacity(limit);
    file.take(limit as u64).read_to_end(&mut bytes).ok()?;
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes.truncate(end);
    (!bytes.is_empty()).then_some(bytes)
}

/// Reads the parts of a real corpus (`(file, share of the slice)`), or `None` when one is
/// missing.
fn real_corpus(dir: Option<&Path>, parts: &[(&str, usize)]) -> Option<(Vec<u8>, String)> {
    let dir = dir?;
    let mut jsonl = Vec::new();
    let mut origin = Vec::new();
    for &(file, bytes) in parts {
        let part = read_prefix(&dir.join(file), bytes)?;
        origin.push(format!(
            "first {:.1} MB of `{file}`",
            part.len() as f64 / 1e6
        ));
        jsonl.extend_from_slice(&part);
    }
    Some((jsonl, origin.join(" + ")))
}

/// Seeded generated messages of one source (`twitter`, `blog`, `weibo`), about `bytes` of
/// JSON Lines, made by examples/support/synth.rs (which mixes sources: the others are
/// dropped).
fn generated_corpus(source: &str, bytes: usize) -> Vec<u8> {
    let marker = format!("\"source\":\"{source}\"");
    let mut out = Vec::with_capacity(bytes + 4096);
    let mut seed = SEED;
    while out.len() < bytes {
        let config = synth::CorpusConfig {
            messages: 20_000,
            seed,
            non_english: if source == "weibo" { 1.0 } else { 0.0 },
            ..synth::CorpusConfig::default()
        };
        seed += 1;
        for line in synth::corpus(&config).split_inclusive(|&b| b == b'\n') {
            if out.len() >= bytes {
                break;
            }
            if line.windows(marker.len()).any(|w| w == marker.as_bytes()) {
                out.extend_from_slice(line);
            }
        }
    }
    out
}

fn load_corpus(
    options: &Options,
    name: &'static str,
    lang: Lang,
    source: &str,
    parts: &[(&str, usize)],
) -> Corpus {
    let dir = options.corpora_dir();
    let (jsonl, origin) = real_corpus(dir.as_deref(), parts).unwrap_or_else(|| {
        let jsonl = generated_corpus(source, options.slice_bytes);
        let origin = format!(
            "generated: {:.1} MB of synth.rs `{source}` messages (seed {SEED:#x})",
            jsonl.len() as f64 / 1e6
        );
        (jsonl, origin)
    });
    let records = parse_records(&jsonl);
    Corpus {
        name,
        lang,
        origin,
        jsonl,
        records,
    }
}

// ---------------------------------------------------------------------------------------
// Dictionaries
// ---------------------------------------------------------------------------------------

/// A dictionary of one size and language, and the patterns of its raw baseline.
#[derive(Clone, Debug)]
pub struct Dict {
    /// `en-100`, `zh-10k`, ...
    pub name: String,
    pub lang: Lang,
    pub origin: String,
    pub dictionary: Dictionary,
    /// Keywords, exclusions not counted.
    pub keywords: usize,
    pub exclusions: usize,
    pub topics: usize,
    /// The distinct normalized (lowercased, whitespace-collapsed, `*` removed) forms of all
    /// keywords and exclusions: what the raw baseline searches for. Exclusions are in, so
    /// that both automatons hold the same strings.
    pub patterns: Vec<String>,
}

impl Dict {
    fn new(name: String, lang: Lang, origin: String, dictionary: Dictionary) -> Dict {
        let mut seen = HashSet::new();
        let mut patterns = Vec::new();
        let (mut keywords, mut exclusions) = (0, 0);
        for topic in dictionary.topics() {
            keywords += topic.keywords().len();
            exclusions += topic.exclude().len();
            for k in topic.keywords().iter().chain(topic.exclude()) {
                if seen.insert(k.normalized()) {
                    patterns.push(k.normalized().to_string());
                }
            }
        }
        Dict {
            name,
            lang,
            origin,
            topics: dictionary.topics().len(),
            dictionary,
            keywords,
            exclusions,
            patterns,
        }
    }
}

/// The same dictionary with every keyword topic written as a query: the OR of its keywords,
/// each a quoted phrase (a trailing `*` stays a prefix). Topics whose query would pass the
/// query length limit, or whose keywords hold a `"`, keep their keywords. Returns the new
/// dictionary and the number of topics converted.
pub fn as_or_queries(
    dictionary: &Dictionary,
) -> Result<(Dictionary, usize), topictally::DictionaryError> {
    let mut builder = Dictionary::builder();
    let mut converted = 0;
    for topic in dictionary.topics() {
        let mut t = TopicBuilder::new(topic.name());
        t.case_sensitive(topic.case_sensitive())
            .whole_word(topic.whole_word());
        for x in topic.exclude() {
            t.exclude(x.as_written());
        }
        let words: Vec<&str> = topic.keywords().iter().map(|k| k.as_written()).collect();
        let query = words
            .iter()
            .map(|w| format!("\"{}\"", w.trim()))
            .collect::<Vec<_>>()
            .join(" OR ");
        if topic.query().is_none() && query.len() < 9_000 && !words.iter().any(|w| w.contains('"'))
        {
            t.query(&query);
            converted += 1;
        } else if let Some(q) = topic.query() {
            t.query(q);
        } else {
            t.keywords(&words);
        }
        builder.topic(&t);
    }
    Ok((builder.build()?, converted))
}

/// `100`, `10k`, `100k`.
pub fn size_label(n: usize) -> String {
    if n >= 1000 && n % 1000 == 0 {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// A keyword's identity within a topic's list: case folded and whitespace collapsed, `*`
/// kept. The library accepts two spellings that normalize alike (SEMANTICS.md §1), but they
/// would only add duplicate patterns, so lists here hold one of each.
fn key(k: &str) -> String {
    k.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads one keyword list, keeping the entries a dictionary accepts.
///
/// The lists are one entry per line, duplicates removed, but a few entries still cannot be
/// dictionary keywords as they are, so each line is trimmed and skipped when it is then
/// empty or made only of whitespace and `*` (SEMANTICS.md §1 rejects those), longer than
/// [`MAX_KEYWORD_BYTES`], or holds a control character; entries that fold to the same key as
/// an earlier one (`Gutt`, `gutt`) are skipped too, so that `n` keywords are `n` distinct
/// patterns. The four opinion words with `*` stay as written: `d*mn`, `f**k` and `sh*t`
/// are literals (only a trailing `*` is special), and `bull****` is the prefix keyword
/// `bull***`, which still matches the censored spelling `bull****` it stands for.
fn read_list(dir: &Path, file: &str, seen: &mut HashSet<String>) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("keywords").join(file)).ok()?;
    let company = file.starts_with("sp500");
    let list: Vec<String> = text
        .lines()
        .map(|w| if company { company_name(w) } else { w.trim() })
        .filter(|w| !w.chars().all(|c| c == '*' || c.is_whitespace()))
        .filter(|w| w.len() <= MAX_KEYWORD_BYTES && !w.chars().any(char::is_control))
        .filter(|w| seen.insert(key(w)))
        .map(str::to_string)
        .collect();
    (!list.is_empty()).then_some(list)
}

/// A company as a user writes it: `Apple Inc.` → `Apple`, `Alphabet Inc. (Class A)` →
/// `Alphabet`, `Merck & Co.` → `Merck` (the listed names, legal suffixes and all, hardly
/// ever occur in messages).
fn company_name(listed: &str) -> &str {
    const SUFFIXES: &[&str] = &[
        " Inc.",
        " Inc",
        ",",
        " Corporation",
        " Corp.",
        " Corp",
        " plc",
        " & Co.",
        " Co.",
        " Company",
        " Incorporated",
        " Ltd.",
    ];
    let mut name = listed.trim();
    if let Some(i) = name.find(" (") {
        name = name[..i].trim_end();
    }
    while let Some(s) = SUFFIXES
        .iter()
        .find(|s| name.len() > s.len() && name.ends_with(*s))
    {
        name = name[..name.len() - s.len()].trim_end();
    }
    name
}

fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// The lists of one language interleaved, one entry from each in turn: a 100-keyword
/// dictionary gets a third of each list, a 10,000-keyword English one all of the smaller
/// lists and the rest from the largest. The English lists are alphabetical, so they are
/// shuffled (seeded) first; the Chinese (THUOCL) lists are ranked by frequency and stay in
/// that order, the way users pick the common words of their domain first. Also returns
/// where the entries came from.
fn language_pool(dir: Option<&Path>, lang: Lang) -> Option<(Vec<String>, String)> {
    let dir = dir?;
    let files: &[&str] = match lang {
        // The two opinion files are one list (positive and negative words).
        Lang::En => &[
            "sp500_companies.txt",
            "opinion_positive_en.txt+opinion_negative_en.txt",
            "medical_terms_en.txt",
        ],
        Lang::Zh => &[
            "thuocl_medical_zh.txt",
            "thuocl_finance_zh.txt",
            "thuocl_food_zh.txt",
        ],
    };
    let mut seen = HashSet::new();
    let mut rng = Rng::new(SEED);
    let mut lists = Vec::new();
    let mut used = Vec::new();
    for group in files {
        let mut list = Vec::new();
        for file in group.split('+') {
            if let Some(l) = read_list(dir, file, &mut seen) {
                list.extend(l);
                used.push(format!("`{file}`"));
            }
        }
        if lang == Lang::En {
            shuffle(&mut list, &mut rng);
        }
        lists.push(list.into_iter());
    }
    let mut pool = Vec::new();
    loop {
        let before = pool.len();
        for list in &mut lists {
            pool.extend(list.next());
        }
        if pool.len() == before {
            break;
        }
    }
    (!pool.is_empty()).then(|| (pool, used.join(", ")))
}

/// Builds a dictionary of `n` keywords over topics "the way users write them": topics of
/// 5–200 keywords (5–25 below 1,000 keywords, so that even 100 keywords make several
/// topics), about 20% phrases, about 10% prefix keywords `word*` (English only: beside Han
/// characters no boundary applies, so a trailing `*` would change nothing), and 1–3
/// exclusions on a quarter of the topics.
///
/// Keywords are taken from `entries` in order; a phrase joins the entry with a random word
/// of the pool (with a space in English; by concatenation in Chinese, which writes compounds
/// without spaces). Such phrases rarely occur in text, like most entries of a large
/// dictionary: they load the automaton. When `entries` runs out (the Chinese lists hold
/// 31,553 words), further keywords are compounds of two random pool words. An exclusion is a
/// random pool word, or one of the topic's keywords followed by a pool word (`aspirin
/// recall`).
fn build_dictionary(entries: &[String], n: usize, lang: Lang, seed: u64) -> Dictionary {
    let mut rng = Rng::new(seed);
    let sep = if lang == Lang::En { " " } else { "" };
    let max_topic = if n < 1000 { 25 } else { 200 };
    let mut next = entries.iter();
    let mut builder = Dictionary::builder();
    let mut remaining = n;
    let mut topic_no = 0;
    while remaining > 0 {
        topic_no += 1;
        let mut size = rng.range(5, max_topic) as usize;
        if size > remaining || remaining - size < 5 {
            size = remaining;
        }
        remaining -= size;
        let mut seen = HashSet::new();
        let mut list: Vec<String> = Vec::with_capacity(size);
        while list.len() < size {
            let base = match next.next() {
                Some(e) => e.clone(),
                None => format!("{}{sep}{}", rng.pick(entries), rng.pick(entries)),
            };
            let r = rng.unit();
            let single = !base.contains([' ', '*']);
            let keyword = if r < 0.2 && single {
                format!("{base}{sep}{}", rng.pick(entries))
            } else if r < 0.3
                && lang == Lang::En
                && single
                && base.chars().count() >= 4
                && base.chars().all(char::is_alphanumeric)
            {
                format!("{base}*")
            } else {
                base
            };
            if seen.insert(key(&keyword)) {
                list.push(keyword);
            }
        }
        let mut topic = TopicBuilder::new(&format!("t{topic_no:05} {}", list[0]));
        topic.keywords(&list);
        if rng.chance(0.25) {
            let mut excluded = HashSet::new();
            for _ in 0..rng.range(1, 3) {
                let x = if rng.chance(0.5) {
                    rng.pick(entries).clone()
                } else {
                    let k = rng.pick(&list).trim_end_matches('*');
                    format!("{k}{sep}{}", rng.pick(entries))
                };
                if excluded.insert(key(&x)) {
                    topic.exclude(&x);
                }
            }
        }
        builder.topic(&topic);
    }
    builder.build().expect("bench dictionaries are valid")
}

/// Chinese words for a generated dictionary: pieces of 2–4 Han characters of the (generated)
/// Weibo texts, so that the dictionary matches them a little.
fn harvest_han_words(corpus: &Corpus) -> Vec<String> {
    let mut rng = Rng::new(SEED);
    let mut seen = HashSet::new();
    let mut words = Vec::new();
    for r in &corpus.records {
        let chars: Vec<char> = r.text.chars().collect();
        for run in chars.split(|c| !matches!(*c as u32, 0x4E00..=0x9FFF)) {
            let mut i = 0;
            while i + 2 <= run.len() {
                let len = (rng.range(2, 4) as usize).min(run.len() - i);
                let w: String = run[i..i + len].iter().collect();
                if seen.insert(w.clone()) {
                    words.push(w);
                }
                i += len;
            }
        }
    }
    shuffle(&mut words, &mut rng);
    words
}

fn load_dictionaries(options: &Options, weibo: &Corpus) -> Vec<Dict> {
    let dir = options.corpora_dir();
    let mut dicts = Vec::new();
    for lang in [Lang::En, Lang::Zh] {
        let pool = language_pool(dir.as_deref(), lang);
        for &n in &options.sizes {
            let name = format!("{}-{}", lang.code(), size_label(n));
            let seed = SEED ^ n as u64;
            let (dictionary, origin) = match (&pool, lang) {
                (Some((entries, files)), _) => {
                    let compounds = n.saturating_sub(entries.len());
                    let how = match lang {
                        Lang::En => "seeded sample",
                        Lang::Zh => "most frequent first",
                    };
                    let mut origin = format!("{files}, {how}");
                    if compounds > 0 {
                        origin.push_str(&format!(" + {compounds} compounds of listed words"));
                    }
                    (build_dictionary(entries, n, lang, seed), origin)
                }
                (None, Lang::En) => {
                    let toml = synth::dictionary_toml(n, seed, &[]);
                    let dictionary =
                        Dictionary::from_toml_str(&toml).expect("generated dictionaries are valid");
                    (
                        dictionary,
                        format!("generated: synth.rs `dictionary_toml` (seed {seed:#x})"),
                    )
                }
                (None, Lang::Zh) => {
                    let words = harvest_han_words(weibo);
                    let origin = format!(
                        "generated: {} Han words of the Weibo corpus + compounds (seed {seed:#x})",
                        words.len()
                    );
                    (build_dictionary(&words, n, lang, seed), origin)
                }
            };
            dicts.push(Dict::new(name, lang, origin, dictionary));
        }
    }
    dicts
}

/// Every corpus and dictionary of a run.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub corpora: Vec<Corpus>,
    pub dictionaries: Vec<Dict>,
}

impl Inputs {
    pub fn load(options: &Options) -> Inputs {
        let s = options.slice_bytes;
        let tweets = load_corpus(
            options,
            "tweets",
            Lang::En,
            "twitter",
            &[
                ("tweeteval.jsonl", s / 2),
                ("health_news_tweets.jsonl", s - s / 2),
            ],
        );
        let blogs = load_corpus(
            options,
            "blogs",
            Lang::En,
            "blog",
            &[("blog_authorship.jsonl", s)],
        );
        let weibo = load_corpus(
            options,
            "weibo",
            Lang::Zh,
            "weibo",
            &[("weibo_ced.jsonl", s)],
        );
        let dictionaries = load_dictionaries(options, &weibo);
        Inputs {
            corpora: vec![tweets, blogs, weibo],
            dictionaries,
        }
    }

    /// The corpora a dictionary is measured on: those of its language.
    pub fn corpora_for(&self, dict: &Dict) -> impl Iterator<Item = &Corpus> + '_ {
        let lang = dict.lang;
        self.corpora.iter().filter(move |c| c.lang == lang)
    }

    pub fn corpus(&self, name: &str) -> &Corpus {
        self.corpora
            .iter()
            .find(|c| c.name == name)
            .expect("known corpus")
    }

    pub fn dictionary(&self, name: &str) -> Option<&Dict> {
        self.dictionaries.iter().find(|d| d.name == name)
    }
}

// ---------------------------------------------------------------------------------------
// What is timed
// ---------------------------------------------------------------------------------------

/// The matching core: every message classified with one reused [`Matches`]. Returns the
/// total mentions, so that nothing can be optimized away.
pub fn library_core(
    classifier: &Classifier,
    messages: &[Message<'_>],
    matches: &mut Matches,
) -> u64 {
    let mut mentions = 0;
    for message in messages {
        classifier
            .classify_into(message, matches)
            .expect("bench messages are classifiable");
        mentions += matches.iter().map(|m| m.mentions as u64).sum::<u64>();
    }
    mentions
}

/// End to end: JSON Lines bytes in, counts out, on the threads of the current rayon pool
/// (the benches install a 1-thread pool).
pub fn library_end_to_end(classifier: &Classifier, jsonl: &[u8]) -> Counts {
    let tally = StreamTally::new(classifier, &ReadOptions::new());
    tally.read(jsonl).expect("reading a slice cannot fail");
    tally.into_counts()
}

/// The raw aho-corasick baselines over one dictionary's [`Dict::patterns`].
///
/// The patterns are lowercased; the texts are searched as they are, because that is what
/// the ten lines do (`ascii_case_insensitive` would turn off aho-corasick's prefilter, and
/// still not fold non-ASCII case): they undercount capitalized mentions and know nothing of
/// whole words, topics or exclusions. [`raw_count_lowercased`] shows the cost of lowercasing
/// each text first.
pub struct Raw;

impl Raw {
    /// The baseline of issue 5: `LeftmostLongest`, default automaton kind (a contiguous NFA
    /// above a hundred or so patterns).
    pub fn leftmost(patterns: &[String]) -> AhoCorasick {
        Raw::build(patterns, MatchKind::LeftmostLongest, None)
    }

    /// The same with an explicit DFA.
    pub fn leftmost_dfa(patterns: &[String]) -> AhoCorasick {
        Raw::build(
            patterns,
            MatchKind::LeftmostLongest,
            Some(AhoCorasickKind::DFA),
        )
    }

    /// Standard semantics with an explicit DFA, for [`raw_count_overlapping`] (every
    /// occurrence of every pattern, which is what whole-word checks need).
    pub fn overlapping_dfa(patterns: &[String]) -> AhoCorasick {
        Raw::build(patterns, MatchKind::Standard, Some(AhoCorasickKind::DFA))
    }

    /// `LeftmostLongest` as a contiguous NFA: the memory yardstick of issue 5.
    pub fn contiguous_nfa(patterns: &[String]) -> AhoCorasick {
        Raw::build(
            patterns,
            MatchKind::LeftmostLongest,
            Some(AhoCorasickKind::ContiguousNFA),
        )
    }

    pub fn build(
        patterns: &[String],
        kind: MatchKind,
        automaton: Option<AhoCorasickKind>,
    ) -> AhoCorasick {
        AhoCorasick::builder()
            .match_kind(kind)
            .kind(automaton)
            .build(patterns)
            .expect("bench patterns build")
    }
}

/// The ten lines: one `find_iter` per message, counting matches.
pub fn raw_count(ac: &AhoCorasick, messages: &[Message<'_>]) -> u64 {
    messages
        .iter()
        .map(|m| ac.find_iter(m.text).count() as u64)
        .sum()
}

/// The ten lines on `text.to_lowercase()`, which is what catching `Aspirin` with
/// lowercased keywords takes.
pub fn raw_count_lowercased(ac: &AhoCorasick, messages: &[Message<'_>]) -> u64 {
    messages
        .iter()
        .map(|m| ac.find_iter(&m.text.to_lowercase()).count() as u64)
        .sum()
}

/// One `find_overlapping_iter` per message (needs `MatchKind::Standard`).
pub fn raw_count_overlapping(ac: &AhoCorasick, messages: &[Message<'_>]) -> u64 {
    messages
        .iter()
        .map(|m| ac.find_overlapping_iter(m.text).count() as u64)
        .sum()
}

#[derive(Deserialize)]
struct TextOnly<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// The ten lines end to end: parse each JSON line with serde_json, then `find_iter`.
pub fn raw_end_to_end(ac: &AhoCorasick, jsonl: &[u8]) -> u64 {
    let mut n = 0;
    for line in jsonl.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        let record: TextOnly<'_> = serde_json::from_slice(line).expect("corpus lines are records");
        n += ac.find_iter(&*record.text).count() as u64;
    }
    n
}

// ---------------------------------------------------------------------------------------
// Checks, outside the timed loops
// ---------------------------------------------------------------------------------------

/// Per topic: matching messages, mentions, mentions per keyword as written.
type Expected = BTreeMap<String, (u64, u64, BTreeMap<String, u64>)>;

/// An independent recount of SEMANTICS.md §2–§4, for case-insensitive whole-word topics
/// (all bench dictionaries are). It shares nothing with the library's matcher but keyword
/// normalization (`Keyword::normalized`, part of the dictionary's contract): its own text
/// normalization and offset map, a standard-semantics overlapping aho-corasick search (every
/// occurrence of every pattern), its own boundary checks, veto and leftmost-longest walk.
/// Slow but plain.
struct Oracle<'d> {
    dictionary: &'d Dictionary,
    automaton: AhoCorasick,
    /// Per pattern, its uses.
    uses: Vec<Vec<OracleUse>>,
}

/// One use of a pattern: (topic, keyword index, exclusion?, needs left check, needs right
/// check).
type OracleUse = (usize, usize, bool, bool, bool);

/// Han, Hiragana, Katakana and Thai (SEMANTICS.md §3): no word boundary beside them.
fn no_boundary_script(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F
        | 0x3040..=0x309F | 0x30A0..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F
        | 0x0E00..=0x0E7F)
}

fn edge_checked(c: Option<char>) -> bool {
    c.is_some_and(|c| regex_syntax::is_word_character(c) && !no_boundary_script(c))
}

impl<'d> Oracle<'d> {
    fn new(dictionary: &'d Dictionary) -> Oracle<'d> {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut patterns: Vec<&str> = Vec::new();
        let mut uses: Vec<Vec<_>> = Vec::new();
        for (t, topic) in dictionary.topics().iter().enumerate() {
            assert!(!topic.case_sensitive() && topic.whole_word());
            let lists = [(topic.keywords(), false), (topic.exclude(), true)];
            for (list, exclude) in lists {
                for (i, k) in list.iter().enumerate() {
                    let p = k.normalized();
                    let id = *ids.entry(p).or_insert_with(|| {
                        patterns.push(p);
                        uses.push(Vec::new());
                        patterns.len() - 1
                    });
                    let left = edge_checked(p.chars().next());
                    let right = !k.is_prefix() && edge_checked(p.chars().next_back());
                    uses[id].push((t, i, exclude, left, right));
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("oracle automaton");
        Oracle {
            dictionary,
            automaton,
            uses,
        }
    }

    fn count(&self, messages: &[Message<'_>]) -> (u64, Expected) {
        const NONE: usize = usize::MAX;
        let topics = self.dictionary.topics();
        let mut per_topic = vec![(0u64, 0u64, vec![0u64; 0]); topics.len()];
        for (t, topic) in topics.iter().enumerate() {
            per_topic[t].2 = vec![0; topic.keywords().len()];
        }
        let mut matched_messages = 0;
        let (mut norm, mut map) = (String::new(), Vec::new());
        let mut found: Vec<(usize, usize, std::cmp::Reverse<usize>, usize)> = Vec::new();
        let mut vetoed = HashSet::new();
        for message in messages {
            let text = message.text;
            // §2: per-character lowercase, whitespace runs to one space; map[i] is the
            // original offset of normalized offset i, NONE inside an expansion.
            norm.clear();
            map.clear();
            let mut in_space = false;
            for (i, c) in text.char_indices() {
                if c.is_whitespace() {
                    if !in_space {
                        norm.push(' ');
                        map.push(i);
                    }
                    in_space = true;
                    continue;
                }
                in_space = false;
                let from = norm.len();
                norm.extend(c.to_lowercase());
                map.push(i);
                map.resize(map.len() + norm.len() - from - 1, NONE);
            }
            map.push(text.len());
            found.clear();
            vetoed.clear();
            for m in self.automaton.find_overlapping_iter(&norm) {
                let (start, end) = (map[m.start()], map[m.end()]);
                if start == NONE || end == NONE {
                    continue;
                }
                let before = text[..start].chars().next_back();
                let after = text[end..].chars().next();
                let left_ok = !edge_checked(before);
                let right_ok = !edge_checked(after);
                for &(t, i, exclude, left, right) in &self.uses[m.pattern().as_usize()] {
                    if (left && !left_ok) || (right && !right_ok) {
                        continue;
                    }
                    if exclude {
                        vetoed.insert(t);
                    } else {
                        found.push((t, start, std::cmp::Reverse(end), i));
                    }
                }
            }
            // §4: per topic, leftmost-longest without overlap, credit to the first keyword.
            found.sort_unstable();
            let mut any = false;
            let mut last: Option<(usize, usize)> = None; // (topic, end of last kept)
            let mut counted_topic = NONE;
            for &(t, start, std::cmp::Reverse(end), i) in &found {
                if vetoed.contains(&t) {
                    continue;
                }
                if let Some((lt, lend)) = last {
                    if lt == t && start < lend {
                        continue;
                    }
                }
                last = Some((t, end));
                let entry = &mut per_topic[t];
                if counted_topic != t {
                    entry.0 += 1;
                    counted_topic = t;
                }
                entry.1 += 1;
                entry.2[i] += 1;
                any = true;
            }
            matched_messages += u64::from(any);
        }
        let expected = topics
            .iter()
            .zip(per_topic)
            .map(|(topic, (messages, mentions, credits))| {
                let keywords = topic
                    .keywords()
                    .iter()
                    .zip(credits)
                    .filter(|(_, n)| *n > 0)
                    .map(|(k, n)| (k.as_written().to_string(), n))
                    .collect();
                (topic.name().to_string(), (messages, mentions, keywords))
            })
            .collect();
        (matched_messages, expected)
    }
}

/// What a check found, for the report.
#[derive(Clone, Copy, Debug)]
pub struct Checked {
    pub messages: u64,
    pub matched_messages: u64,
    pub mentions: u64,
}

/// Checks the library on one corpus before it is timed, and panics on any disagreement:
///
/// 1. the independent recount ([`Oracle`]) equals `Classifier::tally`, per topic (messages,
///    mentions, credits per keyword) and in matched messages;
/// 2. the timed core path ([`library_core`]) finds the same total mentions, and
///    `classify` (allocating, one message at a time) agrees with it;
/// 3. the timed end-to-end path ([`library_end_to_end`], in a 1-thread pool) gives exactly
///    the counts of `tally` over the same records (sources and time buckets included).
///
/// Also panics when nothing matches at all: a bench that matches nothing measures nothing.
pub fn check(
    what: &str,
    classifier: &Classifier,
    corpus: &Corpus,
    messages: &[Message<'_>],
) -> Checked {
    let counts = classifier.tally(messages);
    let (matched, expected) = Oracle::new(classifier.dictionary()).count(messages);
    assert_eq!(counts.total_messages, messages.len() as u64, "{what}");
    for (name, (m, n, keywords)) in &expected {
        let got = &counts.topics[name];
        assert_eq!(
            (got.messages, got.mentions, &got.keywords),
            (*m, *n, keywords),
            "topic {name:?} ({what}): library (messages, mentions, keywords) differ from the recount"
        );
    }
    assert_eq!(
        counts.matched_messages, matched,
        "matched messages ({what})"
    );
    let mentions: u64 = counts.topics.values().map(|t| t.mentions).sum();
    assert!(
        mentions > 0,
        "nothing matched ({what}): the bench would measure nothing"
    );

    let core = library_core(classifier, messages, &mut Matches::new());
    assert_eq!(core, mentions, "classify_into total mentions ({what})");
    let one_by_one: u64 = messages
        .iter()
        .map(|m| {
            let matches = classifier.classify(*m).expect("classifiable");
            matches.iter().map(|t| t.mentions as u64).sum::<u64>()
        })
        .sum();
    assert_eq!(one_by_one, mentions, "classify total mentions ({what})");

    let pool = one_thread_pool();
    let streamed = pool.install(|| library_end_to_end(classifier, &corpus.jsonl));
    assert!(
        streamed == counts,
        "StreamTally counts differ from tally over the same records ({what})"
    );
    Checked {
        messages: counts.total_messages,
        matched_messages: counts.matched_messages,
        mentions,
    }
}

/// Checks one raw baseline count: non-zero (the patterns do occur), so that a fast
/// baseline that finds nothing cannot pass either.
pub fn check_raw(what: &str, count: u64) -> u64 {
    assert!(count > 0, "raw baseline {what} found no match");
    count
}

/// A rayon pool of `n` threads.
pub fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("thread pool")
}

/// The single-thread pool of the one-core measurements.
pub fn one_thread_pool() -> rayon::ThreadPool {
    pool(1)
}
