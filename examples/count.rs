//! Counts topic mentions in JSON Lines or CSV inputs, and prints the counts as a table an
//! analyst can quote or as the JSON of SEMANTICS.md §5.
//!
//! ```text
//! cargo run --release --example count                       # the bundled sample
//! cargo run --release --example count -- --dict topics.toml --input posts.jsonl --format json
//! tail -f firehose.jsonl | cargo run --release --example count -- --dict topics.toml --input - --every 10s
//! ```
//!
//! Exit status: 0 when every input was read (malformed records are counted and summarized
//! on standard error), 1 when the output cannot be written, 2 for bad flags, a bad
//! dictionary or an unreadable input.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/cli.rs"]
mod cli;
#[path = "support/numbers.rs"]
mod numbers;
#[path = "support/record_flags.rs"]
mod record_flags;
#[path = "support/table.rs"]
mod table;

use cli::{fail, Failure};
use record_flags::RecordFlags;

use numbers::thousands;
use table::table;
use topictally::{
    Classifier, Counts, Dictionary, Message, ReadOptions, ReadSummary, StreamTally, TimeBucket,
};

const USAGE: &str = "\
usage: count [--dict FILE] [--input FILE]... [options]

Counts messages and mentions per topic of a dictionary in JSON Lines or CSV records.
With no --dict and no --input, runs over the bundled sample dictionary and corpus.

  --dict FILE              topic dictionary, .toml or .json
  --input FILE             input file, repeatable; - is standard input
  --format table|json      output (default table); json is SEMANTICS.md §5's JSON
  --bucket day|hour|month  time buckets of by_time (default day)
  --threads N              classifier threads (default: all cores)
  --input-format jsonl|csv record format (default jsonl; csv needs a header row)
  --text-field NAME        field holding the text (default text)
  --source-field NAME      field holding the source (default source)
  --timestamp-field NAME   field holding the timestamp (default timestamp)
  --lang-field NAME        field holding the language (default lang)
  --lossy                  replace invalid UTF-8 instead of counting the record as malformed
  --max-record-bytes N     longest record accepted (default 16777216)
  --every N | --every 10s  print a snapshot of the counts as one JSON line every N messages
                           or every period (ms, s, m, h) while reading; the final counts follow
  --explain TEXT           read no input: say for every topic whether the message TEXT
                           matches it and why (with --explain-source S, --explain-lang L)
  -h, --help               this help";

/// What the flags ask for.
struct Args {
    dict: PathBuf,
    inputs: Vec<String>,
    json: bool,
    bucket: TimeBucket,
    threads: Option<usize>,
    options: ReadOptions,
    every: Option<Every>,
    explain: Option<(String, Option<String>, Option<String>)>,
}

#[derive(Clone, Copy)]
enum Every {
    Messages(u64),
    Period(Duration),
}

fn main() {
    cli::main("count", run);
}

fn run() -> Result<(), Failure> {
    let args = parse_args(std::env::args().skip(1))?;
    cli::start_threads(args.threads)?;
    let dictionary = Dictionary::from_path(&args.dict).map_err(|e| fail(2, format!("{e:#}")))?;
    let classifier = Classifier::builder()
        .time_bucket(args.bucket)
        .build(&dictionary)
        .map_err(|e| fail(2, format!("{}: {e}", args.dict.display())))?;
    if let Some((text, source, lang)) = &args.explain {
        let message = Message {
            text,
            source: source.as_deref(),
            timestamp: None,
            lang: lang.as_deref(),
        };
        let why = classifier
            .explain(&message)
            .map_err(|e| fail(2, e.to_string()))?;
        let mut out = io::stdout().lock();
        return write!(out, "{why}")
            .and_then(|()| out.flush())
            .map_err(|e| fail(1, format!("cannot write the explanation: {e}")));
    }
    // Open every input first, so that a typo fails before any work is done.
    let mut inputs = Vec::new();
    for name in &args.inputs {
        inputs.push((name.clone(), open(name)?));
    }
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let interrupted = Arc::clone(&interrupted);
        // Without a handler, Ctrl-C ends the process without the final counts.
        let _ = ctrlc::set_handler(move || interrupted.store(true, Ordering::SeqCst));
    }
    let tally = StreamTally::new(&classifier, &args.options);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let summaries = std::thread::scope(|scope| -> Result<Vec<(String, ReadSummary)>, Failure> {
        let reader = scope.spawn(|| -> Result<Vec<(String, ReadSummary)>, Failure> {
            let mut summaries = Vec::new();
            for (name, input) in inputs {
                let summary = tally
                    .read(input)
                    .map_err(|e| fail(2, format!("{name}: cannot read: {e}")))?;
                let stopped = summary.stopped;
                summaries.push((name, summary));
                if stopped {
                    break;
                }
            }
            Ok(summaries)
        });
        watch(&tally, &args, &interrupted, &reader, &mut out)?;
        match reader.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let summaries = summaries?;
    let counts = tally.snapshot();
    report_errors(&summaries, &counts);
    let text = if args.json {
        if args.every.is_some() {
            serde_json::to_string(&counts).unwrap_or_default()
        } else {
            counts.to_json_pretty()
        }
    } else {
        table(&counts, &dictionary, args.bucket)
    };
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| fail(1, format!("cannot write the counts: {e}")))
}

/// While the inputs are read: the progress line, the snapshots, Ctrl-C.
fn watch<T>(
    tally: &StreamTally<'_>,
    args: &Args,
    interrupted: &AtomicBool,
    reader: &std::thread::ScopedJoinHandle<'_, T>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let start = Instant::now();
    let show_progress = io::stderr().is_terminal();
    let mut next_progress = start;
    let (mut next_count, mut next_time) = match args.every {
        Some(Every::Messages(n)) => (Some(n), None),
        Some(Every::Period(d)) => (None, Some(start + d)),
        None => (None, None),
    };
    while !reader.is_finished() {
        std::thread::sleep(Duration::from_millis(20));
        let now = Instant::now();
        let progress = tally.progress();
        if interrupted.load(Ordering::SeqCst) {
            tally.stop();
            // Wait until what was read is counted: the reader may be blocked on an idle input.
            while !reader.is_finished() && !tally.is_settled() {
                std::thread::sleep(Duration::from_millis(5));
            }
            if !reader.is_finished() {
                clear_progress(show_progress);
                let counts = tally.snapshot();
                let text = if args.json || args.every.is_some() {
                    serde_json::to_string(&counts).unwrap_or_default()
                } else {
                    table(&counts, tally_dictionary(tally), args.bucket)
                };
                writeln!(out, "{text}")
                    .and_then(|()| out.flush())
                    .map_err(|e| fail(1, format!("cannot write the counts: {e}")))?;
                std::process::exit(0);
            }
            break;
        }
        let due = next_count.is_some_and(|n| progress.messages >= n)
            || next_time.is_some_and(|t| now >= t);
        if due {
            clear_progress(show_progress);
            let line = serde_json::to_string(&tally.snapshot()).unwrap_or_default();
            writeln!(out, "{line}")
                .and_then(|()| out.flush())
                .map_err(|e| fail(1, format!("cannot write a snapshot: {e}")))?;
            if let (Some(n), Some(Every::Messages(step))) = (next_count.as_mut(), args.every) {
                while *n <= progress.messages {
                    *n += step;
                }
            }
            if let (Some(t), Some(Every::Period(period))) = (next_time.as_mut(), args.every) {
                while *t <= now {
                    *t += period;
                }
            }
        }
        if show_progress && now >= next_progress {
            let secs = now.duration_since(start).as_secs_f64().max(1e-9);
            eprint!(
                "\r{:.1} MB read, {} messages, {:.1} MB/s   ",
                progress.bytes as f64 / 1e6,
                thousands(progress.messages),
                progress.bytes as f64 / 1e6 / secs
            );
            next_progress = now + Duration::from_millis(250);
        }
    }
    clear_progress(show_progress);
    Ok(())
}

fn tally_dictionary<'c>(tally: &StreamTally<'c>) -> &'c Dictionary {
    tally.classifier().dictionary()
}

fn clear_progress(show: bool) {
    if show {
        eprint!("\r{:60}\r", "");
    }
}

fn open(name: &str) -> Result<Box<dyn Read + Send>, Failure> {
    if name == "-" {
        return Ok(Box::new(io::stdin()));
    }
    std::fs::File::open(name)
        .map(|f| Box::new(f) as Box<dyn Read + Send>)
        .map_err(|e| fail(2, format!("{name}: cannot open: {e}")))
}

/// Summarizes malformed records on standard error, per input, with their reasons.
fn report_errors(summaries: &[(String, ReadSummary)], counts: &Counts) {
    if counts.errors.malformed == 0 {
        return;
    }
    eprintln!(
        "count: {} malformed record{} skipped",
        thousands(counts.errors.malformed),
        if counts.errors.malformed == 1 {
            ""
        } else {
            "s"
        }
    );
    for (name, summary) in summaries {
        for e in &summary.errors {
            eprintln!("  {name}:{}: {}", e.line().unwrap_or(0), e.kind());
        }
        let shown = summary.errors.len() as u64;
        if summary.progress.malformed > shown {
            eprintln!(
                "  {name}: … and {} more",
                thousands(summary.progress.malformed - shown)
            );
        }
    }
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, Failure> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let mut dict = None;
    let mut inputs = Vec::new();
    let mut json = false;
    let mut bucket = TimeBucket::Day;
    let mut threads = None;
    let mut records = RecordFlags::default();
    let mut every = None;
    let (mut explain, mut explain_source, mut explain_lang) = (None, None, None);
    let bad = cli::usage_error(USAGE);
    while let Some(flag) = argv.next() {
        let mut value = |flag: &str| {
            argv.next()
                .ok_or_else(|| bad(format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "-h" | "--help" => cli::help(USAGE),
            "--dict" => dict = Some(PathBuf::from(value(&flag)?)),
            "--input" => inputs.push(value(&flag)?),
            "--format" => json = cli::json_format(&value(&flag)?).map_err(bad)?,
            "--bucket" => bucket = cli::bucket(&value(&flag)?).map_err(bad)?,
            "--threads" => threads = Some(cli::threads(&value(&flag)?).map_err(bad)?),
            name if record_flags::NAMES.contains(&name) => {
                records.take(name, || value(name), bad)?;
            }
            "--every" => every = Some(parse_every(&value(&flag)?).map_err(bad)?),
            "--explain" => explain = Some(value(&flag)?),
            "--explain-source" => explain_source = Some(value(&flag)?),
            "--explain-lang" => explain_lang = Some(value(&flag)?),
            other => return Err(bad(format!("unknown flag {other:?}"))),
        }
    }
    let options = records.options();
    if explain.is_none() && (explain_source.is_some() || explain_lang.is_some()) {
        return Err(bad(
            "--explain-source and --explain-lang go with --explain".to_string()
        ));
    }
    if dict.is_none() && inputs.is_empty() && explain.is_none() {
        inputs.push(sample.join("sample.jsonl").display().to_string());
    }
    if inputs.is_empty() && explain.is_none() {
        return Err(bad(
            "no --input given (use - for standard input)".to_string()
        ));
    }
    Ok(Args {
        dict: dict.unwrap_or_else(|| sample.join("health_queries.toml")),
        inputs,
        json,
        bucket,
        threads,
        options,
        every,
        explain: explain.map(|text| (text, explain_source, explain_lang)),
    })
}

/// `--every 1000` (messages) or `--every 10s` (a period: ms, s, m, h).
fn parse_every(v: &str) -> Result<Every, String> {
    let err =
        || format!("--every takes a number of messages or a period like 10s, 500ms, 5m, not {v:?}");
    if let Ok(n) = v.parse::<u64>() {
        return if n == 0 {
            Err(err())
        } else {
            Ok(Every::Messages(n))
        };
    }
    let split = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .ok_or_else(err)?;
    let (number, unit) = v.split_at(split);
    let number: f64 = number.parse().map_err(|_| err())?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return Err(err()),
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        return Err(err());
    }
    Ok(Every::Period(Duration::from_secs_f64(seconds)))
}
