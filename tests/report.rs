//! The `report` example run as a process: the page is well-formed, self-contained, has every
//! topic's headline and charts, its headline numbers equal the library's counts (all of them,
//! `--last 7d`, saved counts), a planted spike is reported with its keywords, and the page
//! renders in headless Chromium when Chromium is installed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use topictally::{Classifier, Counts, Dictionary, ReadOptions, StreamTally, TimeBucket, Timestamp};

#[path = "../examples/support/synth.rs"]
mod synth;

// ---------------------------------------------------------------------------------------
// Running the examples
// ---------------------------------------------------------------------------------------

fn example(name: &str) -> PathBuf {
    crate::support::example_binary(name)
}

fn data(name: &str) -> PathBuf {
    crate::support::sample_data(name)
}

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("topictally-report-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(example("report"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run the report example")
}

/// Runs the report with `args` and `--out` in `dir`, and returns the page.
fn report(dir: &Scratch, out: &str, args: &[&str]) -> String {
    let path = dir.path(out);
    let mut all: Vec<&str> = args.to_vec();
    let path_str = path.to_str().expect("UTF-8 path");
    all.extend(["--out", path_str]);
    let o = run_in(&dir.0, &all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "report {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(&path).expect("the report was written")
}

// ---------------------------------------------------------------------------------------
// The library's counts of the same inputs
// ---------------------------------------------------------------------------------------

fn classifier(dict: &Path, keywords_by_time: bool) -> Classifier {
    let dictionary = Dictionary::from_path(dict).expect("dictionary");
    Classifier::builder()
        .keywords_by_time(keywords_by_time)
        .build(&dictionary)
        .expect("classifier")
}

fn library_counts(dict: &Path, input: &Path, since: Option<Timestamp>) -> Counts {
    let classifier = classifier(dict, false);
    let mut options = ReadOptions::new();
    options.since(since);
    let tally = StreamTally::new(&classifier, &options);
    tally
        .read(std::fs::File::open(input).expect("input"))
        .expect("read");
    tally.into_counts()
}

fn latest(dict: &Path, input: &Path) -> Timestamp {
    let classifier = classifier(dict, false);
    let tally = StreamTally::new(&classifier, &ReadOptions::new());
    tally
        .read(std::fs::File::open(input).expect("input"))
        .expect("read");
    tally.latest_timestamp().expect("a timestamp")
}

fn topic_names(dict: &Path) -> Vec<String> {
    Dictionary::from_path(dict)
        .expect("dictionary")
        .topics()
        .iter()
        .map(|t| t.name().to_string())
        .collect()
}

fn expected_headlines(counts: &Counts) -> BTreeMap<String, (u64, u64)> {
    counts
        .topics
        .iter()
        .map(|(name, t)| (name.clone(), (t.messages, t.mentions)))
        .collect()
}

// ---------------------------------------------------------------------------------------
// A small HTML reader: checks that tags balance and collects the elements
// ---------------------------------------------------------------------------------------

struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    parent: Option<usize>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Doc {
    elements: Vec<Element>,
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

fn decode(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .find(';')
            .filter(|&e| e <= 10)
            .ok_or_else(|| format!("a bare & in {s:?}"))?;
        let entity = &tail[1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown entity &{entity};"))?
            }
        };
        out.push(c);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses HTML as the report writes it: every non-void element closed, in order; attributes
/// unique and quoted or bare; entities known; `<style>` and `<script>` raw.
fn parse(html: &str) -> Result<Doc, String> {
    let mut elements: Vec<Element> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    let line = |at: usize| html[..at].matches('\n').count() + 1;
    while i < b.len() {
        if html[i..].starts_with("<!--") {
            let end = html[i..].find("-->").ok_or("unclosed comment")?;
            i += end + 3;
        } else if html[i..].starts_with("<!") {
            let end = html[i..].find('>').ok_or("unclosed declaration")?;
            i += end + 1;
        } else if html[i..].starts_with("</") {
            let end = html[i..].find('>').ok_or("unclosed end tag")?;
            let name = html[i + 2..i + end].trim().to_ascii_lowercase();
            let open = stack
                .pop()
                .ok_or_else(|| format!("line {}: </{name}> closes nothing", line(i)))?;
            if elements[open].name != name {
                return Err(format!(
                    "line {}: </{name}> closes <{}>",
                    line(i),
                    elements[open].name
                ));
            }
            i += end + 1;
        } else if b[i] == b'<' {
            let start = i;
            i += 1;
            let name_end = html[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
                .map_or(b.len(), |e| i + e);
            let name = html[i..name_end].to_ascii_lowercase();
            if name.is_empty() || !name.as_bytes()[0].is_ascii_alphabetic() {
                return Err(format!("line {}: a stray <", line(start)));
            }
            i = name_end;
            let mut attrs: Vec<(String, String)> = Vec::new();
            let self_closing;
            loop {
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if html[i..].starts_with("/>") {
                    self_closing = true;
                    i += 2;
                    break;
                }
                if html[i..].starts_with('>') {
                    self_closing = false;
                    i += 1;
                    break;
                }
                let key_end = html[i..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
                    .map(|e| i + e)
                    .ok_or("unclosed tag")?;
                let key = html[i..key_end].to_ascii_lowercase();
                if key.is_empty() {
                    return Err(format!("line {}: bad attribute in <{name}>", line(i)));
                }
                i = key_end;
                let mut value = String::new();
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    let quote = b[i];
                    if quote == b'"' || quote == b'\'' {
                        let end = html[i + 1..]
                            .find(quote as char)
                            .ok_or("unclosed attribute value")?;
                        value = decode(&html[i + 1..i + 1 + end])?;
                        i += end + 2;
                    } else {
                        let end = html[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .ok_or("unclosed tag")?;
                        value = decode(&html[i..i + end])?;
                        i += end;
                    }
                }
                if attrs.iter().any(|(k, _)| *k == key) {
                    return Err(format!("line {}: <{name}> repeats {key}", line(i)));
                }
                attrs.push((key, value));
            }
            let index = elements.len();
            elements.push(Element {
                name: name.clone(),
                attrs,
                parent: stack.last().copied(),
                text: String::new(),
            });
            if self_closing || VOID.contains(&name.as_str()) {
                continue;
            }
            if name == "style" || name == "script" {
                let end = html[i..]
                    .find(&format!("</{name}"))
                    .ok_or_else(|| format!("unclosed <{name}>"))?;
                i += end;
            }
            stack.push(index);
        } else {
            let end = html[i..].find('<').map_or(b.len(), |e| i + e);
            let text = decode(&html[i..end])?;
            match stack.last() {
                Some(&top) => elements[top].text.push_str(&text),
                None if text.trim().is_empty() => {}
                None => return Err(format!("line {}: text outside <html>", line(i))),
            }
            i = end;
        }
    }
    if let Some(&open) = stack.last() {
        return Err(format!("<{}> is never closed", elements[open].name));
    }
    let roots = elements.iter().filter(|e| e.parent.is_none()).count();
    if roots != 1 || elements[0].name != "html" {
        return Err("the document is not one <html> element".to_string());
    }
    Ok(Doc { elements })
}

impl Doc {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (usize, &'a Element)> + 'a {
        self.elements
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.name == name)
    }

    fn with_attr<'a>(&'a self, attr: &'a str) -> impl Iterator<Item = (usize, &'a Element)> + 'a {
        self.elements
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.attr(attr).is_some())
    }

    fn is_inside(&self, mut i: usize, ancestor: usize) -> bool {
        while let Some(p) = self.elements[i].parent {
            if p == ancestor {
                return true;
            }
            i = p;
        }
        false
    }

    /// The text of element `i` and everything inside it.
    fn text(&self, i: usize) -> String {
        let mut s = self.elements[i].text.clone();
        for (j, e) in self.elements.iter().enumerate() {
            if self.is_inside(j, i) {
                s.push_str(&e.text);
            }
        }
        s
    }

    fn masthead(&self) -> &Element {
        self.elements
            .iter()
            .find(|e| e.name == "header" && e.attr("id") == Some("masthead"))
            .expect("the masthead")
    }

    /// Per topic, the numbers of its headline; fails on a topic with two headlines.
    fn headlines(&self) -> BTreeMap<String, (u64, u64)> {
        let mut out = BTreeMap::new();
        for (_, e) in self.with_attr("data-messages") {
            if e.attr("class") != Some("headline") {
                continue;
            }
            let topic = e.attr("data-topic").expect("data-topic").to_string();
            let number = |a: &str| e.attr(a).and_then(|v| v.parse().ok()).expect(a);
            let numbers = (number("data-messages"), number("data-mentions"));
            assert!(
                out.insert(topic.clone(), numbers).is_none(),
                "two headlines for {topic}"
            );
        }
        out
    }

    /// The spikes listed: (topic, bucket label) → the driving keywords.
    fn spikes(&self) -> BTreeMap<(String, String), Vec<String>> {
        self.with_attr("data-spike")
            .map(|(_, e)| {
                let keywords: Vec<String> =
                    serde_json::from_str(e.attr("data-keywords").expect("data-keywords"))
                        .expect("data-keywords is a JSON list");
                (
                    (
                        e.attr("data-topic").expect("data-topic").to_string(),
                        e.attr("data-spike").expect("data-spike").to_string(),
                    ),
                    keywords,
                )
            })
            .collect()
    }
}

/// Checks what every report must be: well-formed, self-contained, one headline and a
/// section with its three charts per topic, the overview charts.
fn check_page(html: &str, topics: &[String]) -> Doc {
    check_charts(
        html,
        topics,
        &["volume", "sources", "keywords"],
        &["volume", "share", "sources"],
    )
}

/// [`check_page`] with the charts expected per topic and in the overview.
fn check_charts(html: &str, topics: &[String], per_topic: &[&str], overview: &[&str]) -> Doc {
    let doc = parse(html).unwrap_or_else(|e| panic!("the page is not well-formed: {e}"));
    for needle in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "src=",
    ] {
        assert!(
            !html.contains(needle),
            "the page must be self-contained: {needle} found"
        );
    }
    let headlines = doc.headlines();
    let names: Vec<&String> = headlines.keys().collect();
    let mut expected: Vec<&String> = topics.iter().collect();
    expected.sort();
    assert_eq!(names, expected, "one headline per topic");
    for (i, e) in doc.with_attr("data-messages") {
        if e.attr("class") == Some("headline") {
            let text = doc.text(i);
            let topic = e.attr("data-topic").unwrap();
            assert!(text.contains(topic), "{text:?} names {topic}");
        }
    }
    for topic in topics {
        let (section, _) = doc
            .all("section")
            .find(|(_, e)| e.attr("data-topic") == Some(topic.as_str()))
            .unwrap_or_else(|| panic!("no section for {topic}"));
        for &chart in per_topic {
            let (figure, _) = doc
                .all("figure")
                .find(|&(f, e)| e.attr("data-chart") == Some(chart) && doc.is_inside(f, section))
                .unwrap_or_else(|| panic!("{topic} has no {chart} chart"));
            assert!(
                doc.all("svg").any(|(s, _)| doc.is_inside(s, figure)),
                "{topic}'s {chart} chart has no SVG"
            );
        }
    }
    for &chart in overview {
        let (section, _) = doc
            .all("section")
            .find(|(_, e)| e.attr("id") == Some(chart))
            .unwrap_or_else(|| panic!("no {chart} section"));
        assert!(
            doc.all("svg").any(|(s, _)| doc.is_inside(s, section)),
            "the {chart} overview has no SVG"
        );
    }
    doc
}

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

#[test]
fn report_on_the_bundled_sample() {
    let dir = Scratch::new("sample");
    let o = run_in(&dir.0, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(dir.path("report.html")).expect("report.html");
    let (dict, input) = (data("health.toml"), data("sample.jsonl"));
    let topics = topic_names(&dict);
    let doc = check_page(&html, &topics);
    let counts = library_counts(&dict, &input, None);
    assert_eq!(doc.headlines(), expected_headlines(&counts));
    let masthead = doc.masthead();
    assert_eq!(
        masthead.attr("data-total-messages"),
        Some(counts.total_messages.to_string().as_str())
    );
    assert_eq!(
        masthead.attr("data-matched-messages"),
        Some(counts.matched_messages.to_string().as_str())
    );
    // The period is every day with data.
    let labels: Vec<&String> = counts
        .topics
        .values()
        .flat_map(|t| t.by_time.keys())
        .collect();
    assert_eq!(
        masthead.attr("data-first"),
        labels.iter().min().map(|s| s.as_str())
    );
    assert_eq!(
        masthead.attr("data-last"),
        labels.iter().max().map(|s| s.as_str())
    );
    // Every spike listed is above its threshold, within the period, of a known topic.
    for (_, e) in doc.with_attr("data-spike") {
        let number = |a: &str| -> f64 { e.attr(a).and_then(|v| v.parse().ok()).expect(a) };
        assert!(number("data-messages") > number("data-threshold"));
        let bucket = e.attr("data-spike").unwrap();
        assert!(
            Some(bucket) >= masthead.attr("data-first")
                && Some(bucket) <= masthead.attr("data-last")
        );
        assert!(topics
            .iter()
            .any(|t| Some(t.as_str()) == e.attr("data-topic")));
    }
}

#[test]
fn a_planted_spike_is_reported_with_its_keywords() {
    let dir = Scratch::new("spike");
    let corpus = dir.path("corpus.jsonl");
    let config = synth::CorpusConfig {
        messages: 6_000,
        seed: 11,
        days: 28,
        spike: Some(synth::Spike {
            day: 19,
            factor: 4.0,
            words: vec!["open enrollment".to_string(), "deductible".to_string()],
        }),
        ..synth::CorpusConfig::default()
    };
    let file = std::fs::File::create(&corpus).expect("create the corpus");
    synth::write_jsonl(std::io::BufWriter::new(file), &config).expect("write the corpus");
    let dict = data("health.toml");
    let html = report(
        &dir,
        "spike.html",
        &[
            "--dict",
            dict.to_str().unwrap(),
            "--input",
            corpus.to_str().unwrap(),
        ],
    );
    let doc = check_page(&html, &topic_names(&dict));
    assert_eq!(
        doc.headlines(),
        expected_headlines(&library_counts(&dict, &corpus, None))
    );
    let day = TimeBucket::Day.label(synth::DEFAULT_START_UNIX + 19 * 86_400);
    let spikes = doc.spikes();
    let keywords = spikes
        .get(&("health insurance".to_string(), day.clone()))
        .unwrap_or_else(|| panic!("no health insurance spike on {day}: {spikes:?}"));
    // The planted words, as the dictionary writes the keywords that match them.
    for planted in ["open enrollment", "deductible*"] {
        assert!(
            keywords.iter().any(|k| k == planted),
            "{planted} is not among the keywords that drove the spike: {keywords:?}"
        );
    }
    // No other day of the topic is a spike.
    let others: Vec<_> = spikes
        .keys()
        .filter(|(topic, bucket)| topic == "health insurance" && *bucket != day)
        .collect();
    assert!(others.is_empty(), "spurious spikes: {others:?}");
}

/// The start of the window of `--last 7d` on the sample: the 7 days ending on the day of the
/// latest timestamp.
fn seven_days(dict: &Path, input: &Path) -> Timestamp {
    let latest = latest(dict, input);
    Timestamp::from_unix_seconds(TimeBucket::Day.start(latest) - 6 * 86_400).expect("in range")
}

#[test]
fn last_7d_restricts_the_period() {
    let dir = Scratch::new("last");
    let (dict, input) = (data("health.toml"), data("sample.jsonl"));
    let html = report(&dir, "week.html", &["--last", "7d"]);
    let doc = check_page(&html, &topic_names(&dict));
    let since = seven_days(&dict, &input);
    let masthead = doc.masthead();
    let shown = masthead.attr("data-since").expect("data-since");
    assert_eq!(Timestamp::parse(shown), Ok(since));
    assert_eq!(
        masthead.attr("data-first"),
        Some(TimeBucket::Day.label(since.unix_seconds()).as_str())
    );
    let latest = latest(&dict, &input);
    assert_eq!(
        masthead.attr("data-last"),
        Some(
            TimeBucket::Day
                .label(TimeBucket::Day.start(latest))
                .as_str()
        )
    );
    let week = library_counts(&dict, &input, Some(since));
    let all = library_counts(&dict, &input, None);
    assert_eq!(doc.headlines(), expected_headlines(&week));
    assert_ne!(expected_headlines(&week), expected_headlines(&all));
    assert!(html.contains("in the past week"));
}

#[test]
fn saved_counts_give_the_same_headlines() {
    let dir = Scratch::new("counts");
    let (dict, input) = (data("health.toml"), data("sample.jsonl"));
    let topics = topic_names(&dict);
    let from_input = parse(&report(&dir, "input.html", &[])).expect("well-formed");

    // The §5 JSON of `count --format json` (no keywords_by_time).
    let o = Command::new(example("count"))
        .args(["--format", "json", "--dict"])
        .arg(&dict)
        .arg("--input")
        .arg(&input)
        .stdin(Stdio::null())
        .output()
        .expect("run the count example");
    assert_eq!(o.status.code(), Some(0));
    let plain = dir.path("counts.json");
    std::fs::write(&plain, &o.stdout).expect("write counts.json");
    let html = report(&dir, "plain.html", &["--counts", plain.to_str().unwrap()]);
    let doc = check_page(&html, &topics);
    assert_eq!(doc.headlines(), from_input.headlines());
    assert_eq!(
        doc.spikes().keys().collect::<Vec<_>>(),
        from_input.spikes().keys().collect::<Vec<_>>(),
        "the same spikes, without their keywords"
    );

    // The library's counts with keywords_by_time: the spikes' keywords too.
    let with_keywords = classifier(&dict, true);
    let tally = StreamTally::new(&with_keywords, &ReadOptions::new());
    tally
        .read(std::fs::File::open(&input).expect("input"))
        .expect("read");
    let full = dir.path("full.json");
    std::fs::write(&full, tally.into_counts().to_json_pretty()).expect("write full.json");
    let html = report(&dir, "full.html", &["--counts", full.to_str().unwrap()]);
    let doc = check_page(&html, &topics);
    assert_eq!(doc.headlines(), from_input.headlines());
    assert_eq!(doc.spikes(), from_input.spikes());

    // With --last, the buckets of the window are summed; saved counts have no sources per
    // bucket, so there is no source chart then.
    let html = report(
        &dir,
        "week.html",
        &["--counts", full.to_str().unwrap(), "--last", "7d"],
    );
    let doc = check_charts(
        &html,
        &topics,
        &["volume", "keywords"],
        &["volume", "share"],
    );
    assert!(!html.contains("data-chart=\"sources\""));
    let week = library_counts(&dict, &input, Some(seven_days(&dict, &input)));
    assert_eq!(doc.headlines(), expected_headlines(&week));
}

#[test]
fn bad_flags_and_unwritable_output() {
    let dir = Scratch::new("flags");
    let dict = data("health.toml");
    let status = |args: &[&str]| run_in(&dir.0, args).status.code();
    assert_eq!(status(&["--nope"]), Some(2));
    assert_eq!(status(&["--last", "7x"]), Some(2));
    assert_eq!(status(&["--last", "0d"]), Some(2));
    assert_eq!(
        status(&["--counts", "c.json", "--dict", dict.to_str().unwrap()]),
        Some(2)
    );
    assert_eq!(status(&["--counts", "no-such-counts.json"]), Some(2));
    assert_eq!(status(&["--dict", dict.to_str().unwrap()]), Some(2));
    assert_eq!(
        status(&[
            "--input",
            "no-such-input.jsonl",
            "--dict",
            dict.to_str().unwrap()
        ]),
        Some(2)
    );
    let unwritable = dir.path("no-such-dir/report.html");
    assert_eq!(status(&["--out", unwritable.to_str().unwrap()]), Some(1));
}

/// `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

#[test]
fn renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!("renders_in_headless_chromium: skipped, no chromium on the PATH");
        return;
    };
    let dir = Scratch::new("chromium");
    let html = report(&dir, "report.html", &[]);
    let page = dir.path("report.html");
    let profile = dir.path("profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    // Read the DOM while Chromium writes it: a full pipe would block it.
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut dom = Vec::new();
        let _ = stdout.read_to_end(&mut dom);
        dom
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = reader.join().expect("read the DOM");
    assert!(status.success(), "chromium failed: {status:?}");
    let dom = String::from_utf8_lossy(&dom);
    // The browser's DOM holds every headline with its numbers, and every chart.
    let rendered = parse(&dom).unwrap_or_else(|e| panic!("the dumped DOM does not parse: {e}"));
    let written = parse(&html).expect("well-formed");
    assert_eq!(rendered.headlines(), written.headlines());
    for topic in topic_names(&data("health.toml")) {
        assert!(
            rendered.headlines().contains_key(&topic),
            "{topic} not rendered"
        );
    }
    assert_eq!(rendered.all("svg").count(), written.all("svg").count());
    assert!(rendered.all("svg").count() > 0);
}
