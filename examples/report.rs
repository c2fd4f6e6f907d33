//! Writes a dashboard report: one self-contained HTML page with, per topic, the headline
//! sentence ("125 messages about health insurance on social networks, blogs, forums and news
//! sites from 1 to 30 October 2026, including 53 tweets and 28 blog posts"), volume over time,
//! sources, share of voice, top keywords, and spikes with the keywords that drove them.
//!
//! ```text
//! cargo run --release --example report                    # the bundled sample → report.html
//! cargo run --release --example report -- --dict topics.toml --input posts.jsonl --last 30d --out month.html
//! cargo run --release --example report -- --counts counts.json --out report.html
//! ```
//!
//! The charts are SVG drawn by plotters; the page needs no network, no script and no font
//! download, so it opens from disk and can be mailed. Exit status: 0 when the report was
//! written, 1 when it cannot be written, 2 for bad flags, a bad dictionary, unreadable input or
//! counts.

#[path = "report/analysis.rs"]
mod analysis;
#[path = "report/charts.rs"]
mod charts;
#[path = "support/cli.rs"]
mod cli;
#[path = "support/numbers.rs"]
mod numbers;
#[path = "report/page.rs"]
mod page;
#[path = "support/record_flags.rs"]
mod record_flags;

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use topictally::{
    Classifier, Counts, Dictionary, ReadOptions, ReadSummary, StreamTally, TimeBucket, Timestamp,
};

use analysis::{Buckets, Last};
use cli::{fail, Failure};
use record_flags::RecordFlags;

const USAGE: &str = "\
usage: report [--dict FILE] [--input FILE]... [--counts FILE] [--last 30d] [--out FILE] [options]

Writes a self-contained HTML report of topic counts: headlines, volume over time, sources,
share of voice, top keywords and spikes. With no --dict, --input or --counts, reports on the
bundled sample dictionary and corpus.

  --dict FILE              topic dictionary, .toml or .json
  --input FILE             input file, repeatable; - is standard input
  --counts FILE            report on saved counts (count --format json) instead of reading
                           input; no --dict or --input then
  --last DURATION          only the window ending at the latest timestamp: 30d, 7d, 12h, 2w
                           (whole buckets: the last 7 days with --bucket day)
  --out FILE               the HTML file to write (default report.html)
  --bucket day|hour|month  time buckets (default day)
  --threads N              classifier threads (default: all cores)
  --input-format jsonl|csv record format (default jsonl; csv needs a header row)
  --text-field NAME        field holding the text (default text)
  --source-field NAME      field holding the source (default source)
  --timestamp-field NAME   field holding the timestamp (default timestamp)
  --lang-field NAME        field holding the language (default lang)
  --lossy                  replace invalid UTF-8 instead of counting the record as malformed
  --max-record-bytes N     longest record accepted (default 16777216)
  -h, --help               this help";

/// The most time buckets a report charts (about 11 years of days, or 5 years of hours).
const MAX_BUCKETS: i64 = 50_000;

/// What the flags ask for.
struct Args {
    dict: Option<PathBuf>,
    inputs: Vec<String>,
    counts: Option<PathBuf>,
    last: Option<Last>,
    out: PathBuf,
    bucket: TimeBucket,
    threads: Option<usize>,
    options: ReadOptions,
}

fn main() {
    cli::main("report", run);
}

/// The counts to report on, and what they are.
struct Gathered {
    counts: Counts,
    /// Topic names, in dictionary order (alphabetical for saved counts).
    order: Vec<String>,
    width: TimeBucket,
    /// With `--last`: the first and last bucket of the window.
    window: Option<(i64, i64)>,
    /// Whether the counts cover more than the window (saved counts with `--last`).
    restrict: bool,
    keywords_by_time: bool,
    latest: Option<Timestamp>,
    about: String,
}

fn run() -> Result<(), Failure> {
    let args = parse_args(std::env::args().skip(1))?;
    cli::start_threads(args.threads)?;
    let gathered = match &args.counts {
        Some(path) => from_counts(path, &args)?,
        None => from_inputs(&args)?,
    };
    let width = gathered.width;
    let span = match gathered.window {
        Some(window) => Some(window),
        None => analysis::data_span(&gathered.counts, width).map_err(|e| fail(2, e))?,
    };
    let buckets = match span {
        Some((first, last)) => {
            let approx = (last - first) / analysis::approximate_seconds(width) + 1;
            if approx > MAX_BUCKETS {
                return Err(fail(
                    2,
                    format!(
                        "the period spans about {} {width}s, too many to chart (at most {}): use a wider --bucket or --last",
                        numbers::thousands(approx as u64),
                        numbers::thousands(MAX_BUCKETS as u64)
                    ),
                ));
            }
            Buckets::span(width, first, last)
        }
        None => Buckets::none(width),
    };
    let topics = analysis::topics(
        &gathered.counts,
        &gathered.order,
        &buckets,
        gathered.restrict,
        gathered.keywords_by_time,
    );
    let span = analysis::span_phrase(&buckets);
    let last = args
        .last
        .as_ref()
        .zip(gathered.window)
        .map(|(last, (first, _))| (last.phrase(), rfc3339(first)));
    let report = page::Report {
        buckets: &buckets,
        topics: &topics,
        period: match &last {
            Some((phrase, _)) => format!("in {phrase}"),
            None => span,
        },
        span: analysis::span_title(&buckets),
        last,
        latest: gathered
            .latest
            .map(|ts| (readable(ts), rfc3339(ts.unix_seconds()))),
        totals: (!gathered.restrict).then_some((
            gathered.counts.total_messages,
            gathered.counts.matched_messages,
        )),
        malformed: if gathered.restrict {
            0
        } else {
            gathered.counts.errors.malformed
        },
        about: gathered.about,
    };
    let html = page::render(&report).map_err(|e| fail(1, format!("cannot draw a chart: {e}")))?;
    std::fs::write(&args.out, html)
        .map_err(|e| fail(1, format!("{}: cannot write: {e}", args.out.display())))?;
    let spikes: usize = topics.iter().map(|t| t.spikes.len()).sum();
    eprintln!(
        "report: wrote {} ({} topics, {} {}{})",
        args.out.display(),
        topics.len(),
        spikes,
        if spikes == 1 { "spike" } else { "spikes" },
        match &report.last {
            Some((phrase, _)) => format!(", {phrase}"),
            None => String::new(),
        }
    );
    Ok(())
}

/// An input to read, maybe twice (`--last` finds the latest timestamp first).
enum Input {
    File(PathBuf),
    Stdin,
    /// Standard input, kept in memory to be read twice.
    Bytes(Arc<[u8]>),
}

impl Input {
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, Failure> {
        match self {
            Input::File(path) => std::fs::File::open(path)
                .map(|f| Box::new(f) as Box<dyn Read + Send>)
                .map_err(|e| fail(2, format!("{name}: cannot open: {e}"))),
            Input::Stdin => Ok(Box::new(io::stdin())),
            Input::Bytes(bytes) => Ok(Box::new(io::Cursor::new(Arc::clone(bytes)))),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn from_inputs(args: &Args) -> Result<Gathered, Failure> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let dict = args
        .dict
        .clone()
        .unwrap_or_else(|| sample.join("health.toml"));
    let dictionary = Dictionary::from_path(&dict).map_err(|e| fail(2, format!("{e:#}")))?;
    let classifier = Classifier::builder()
        .time_bucket(args.bucket)
        .keywords_by_time(true)
        .build(&dictionary)
        .map_err(|e| fail(2, format!("{}: {e}", dict.display())))?;
    // Open every input first, so that a typo fails before any work is done.
    let mut inputs = Vec::new();
    for name in &args.inputs {
        let input = if name == "-" {
            Input::Stdin
        } else {
            let path = PathBuf::from(name);
            std::fs::File::open(&path).map_err(|e| fail(2, format!("{name}: cannot open: {e}")))?;
            Input::File(path)
        };
        inputs.push((name.clone(), input));
    }
    let mut options = args.options.clone();
    let mut window = None;
    let mut latest = None;
    if let Some(last) = &args.last {
        for (name, input) in &mut inputs {
            if matches!(input, Input::Stdin) {
                let mut bytes = Vec::new();
                io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| fail(2, format!("{name}: cannot read: {e}")))?;
                *input = Input::Bytes(bytes.into());
            }
        }
        // A first pass finds the latest timestamp: every record is skipped, none counted.
        let mut scan = args.options.clone();
        scan.since(Some(Timestamp::MAX));
        let tally = StreamTally::new(&classifier, &scan);
        for (name, input) in &inputs {
            tally
                .read(input.open(name)?)
                .map_err(|e| fail(2, format!("{name}: cannot read: {e}")))?;
        }
        let ts = tally
            .latest_timestamp()
            .ok_or_else(|| fail(2, "--last: no message has a timestamp"))?;
        let latest_bucket = args.bucket.start(ts);
        let first = last.window_start(args.bucket, latest_bucket);
        options.since(Timestamp::from_unix_seconds(first));
        window = Some((first, latest_bucket));
        latest = Some(ts);
    }
    let tally = StreamTally::new(&classifier, &options);
    let mut summaries = Vec::new();
    for (name, input) in &inputs {
        let summary = tally
            .read(input.open(name)?)
            .map_err(|e| fail(2, format!("{name}: cannot read: {e}")))?;
        summaries.push((name.clone(), summary));
    }
    if latest.is_none() {
        latest = tally.latest_timestamp();
    }
    let counts = tally.into_counts();
    report_errors(&summaries, &counts);
    let names: Vec<String> = inputs
        .iter()
        .map(|(name, _)| {
            if name == "-" {
                "standard input".to_string()
            } else {
                file_name(Path::new(name))
            }
        })
        .collect();
    Ok(Gathered {
        order: dictionary
            .topics()
            .iter()
            .map(|t| t.name().to_string())
            .collect(),
        counts,
        width: args.bucket,
        window,
        restrict: false,
        keywords_by_time: true,
        latest,
        about: format!("{} on {}", file_name(&dict), analysis::and_list(&names)),
    })
}

fn from_counts(path: &Path, args: &Args) -> Result<Gathered, Failure> {
    let name = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| fail(2, format!("{name}: cannot read: {e}")))?;
    let counts: Counts = serde_json::from_str(&text).map_err(|e| {
        fail(
            2,
            format!("{name}: not the counts JSON of `count --format json`: {e}"),
        )
    })?;
    // The bucket width is that of the labels.
    let mut width = None;
    for label in counts.topics.values().flat_map(|t| t.by_time.keys()) {
        let w = analysis::label_width(label)
            .filter(|&w| analysis::label_start(w, label).is_some())
            .ok_or_else(|| fail(2, format!("{name}: {label:?} is not a time bucket label")))?;
        if width.is_some_and(|seen| seen != w) {
            return Err(fail(2, format!("{name}: time buckets of different widths")));
        }
        width = Some(w);
    }
    let width = width.unwrap_or(args.bucket);
    let mut window = None;
    if let Some(last) = &args.last {
        let (_, latest_bucket) = analysis::data_span(&counts, width)
            .map_err(|e| fail(2, format!("{name}: {e}")))?
            .ok_or_else(|| fail(2, format!("--last: {name} has no time buckets")))?;
        window = Some((last.window_start(width, latest_bucket), latest_bucket));
    }
    Ok(Gathered {
        order: counts.topics.keys().cloned().collect(),
        keywords_by_time: counts
            .topics
            .values()
            .any(|t| !t.keywords_by_time.is_empty()),
        width,
        restrict: window.is_some(),
        window,
        latest: None,
        about: format!("saved counts {}", file_name(path)),
        counts,
    })
}

/// Summarizes malformed records on standard error, per input, with their reasons.
fn report_errors(summaries: &[(String, ReadSummary)], counts: &Counts) {
    if counts.errors.malformed == 0 {
        return;
    }
    let n = counts.errors.malformed;
    eprintln!(
        "report: {} malformed record{} skipped",
        numbers::thousands(n),
        if n == 1 { "" } else { "s" }
    );
    for (name, summary) in summaries {
        for e in summary.errors.iter().take(3) {
            eprintln!("  {name}:{}: {}", e.line().unwrap_or(0), e.kind());
        }
        let shown = summary.errors.len().min(3) as u64;
        if summary.progress.malformed > shown {
            eprintln!(
                "  {name}: … and {} more",
                numbers::thousands(summary.progress.malformed - shown)
            );
        }
    }
}

/// `2026-10-30T18:52:07Z`.
fn rfc3339(secs: i64) -> String {
    let day = secs - secs.rem_euclid(86_400);
    let s = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        TimeBucket::Day.label(day),
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// `30 October 2026, 18:52 UTC`.
fn readable(ts: Timestamp) -> String {
    let secs = ts.unix_seconds();
    let day = secs - secs.rem_euclid(86_400);
    let s = secs.rem_euclid(86_400);
    format!(
        "{}, {:02}:{:02} UTC",
        analysis::long_label(TimeBucket::Day, day),
        s / 3600,
        s % 3600 / 60
    )
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, Failure> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let mut dict = None;
    let mut inputs = Vec::new();
    let mut counts = None;
    let mut last = None;
    let mut out = PathBuf::from("report.html");
    let mut bucket = None;
    let mut threads = None;
    let mut records = RecordFlags::default();
    let mut reading_flag = None;
    let bad = cli::usage_error(USAGE);
    while let Some(flag) = argv.next() {
        let mut value = |flag: &str| {
            argv.next()
                .ok_or_else(|| bad(format!("{flag} needs a value")))
        };
        if (matches!(flag.as_str(), "--dict" | "--input")
            || record_flags::NAMES.contains(&flag.as_str()))
            && reading_flag.is_none()
        {
            reading_flag = Some(flag.clone());
        }
        match flag.as_str() {
            "-h" | "--help" => cli::help(USAGE),
            "--dict" => dict = Some(PathBuf::from(value(&flag)?)),
            "--input" => inputs.push(value(&flag)?),
            "--counts" => counts = Some(PathBuf::from(value(&flag)?)),
            "--last" => last = Some(Last::parse(&value(&flag)?).map_err(bad)?),
            "--out" => out = PathBuf::from(value(&flag)?),
            "--bucket" => bucket = Some(cli::bucket(&value(&flag)?).map_err(bad)?),
            "--threads" => threads = Some(cli::threads(&value(&flag)?).map_err(bad)?),
            name if record_flags::NAMES.contains(&name) => {
                records.take(name, || value(name), bad)?;
            }
            other => return Err(bad(format!("unknown flag {other:?}"))),
        }
    }
    let options = records.options();
    if counts.is_some() {
        if let Some(flag) = &reading_flag {
            return Err(bad(format!(
                "{flag} reads input: it does not go with --counts, which reports on saved counts"
            )));
        }
        if bucket.is_some() {
            return Err(bad(
                "--bucket does not go with --counts: the saved counts have their buckets"
                    .to_string(),
            ));
        }
    } else if dict.is_none() && inputs.is_empty() {
        inputs.push(sample.join("sample.jsonl").display().to_string());
    } else if inputs.is_empty() {
        return Err(bad(
            "no --input given (use - for standard input)".to_string()
        ));
    }
    Ok(Args {
        dict,
        inputs,
        counts,
        last,
        out,
        bucket: bucket.unwrap_or_default(),
        threads,
        options,
    })
}
