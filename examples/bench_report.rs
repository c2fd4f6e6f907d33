//! Measures topictally against raw aho-corasick and prints one markdown table: the figures
//! the README quotes, with the machine they were measured on (issue 5).
//!
//! ```text
//! cargo run --release --example bench_report                 # 8 MiB per corpus, 5+ runs
//! cargo run --release --example bench_report -- --quick      # 1 MiB per corpus, 3+ runs (CI)
//! cargo run --release --example bench_report -- --generated  # ignore ../shared/corpora
//! ```
//!
//! The inputs are those of the criterion benches (`benches/support/mod.rs`): the real
//! corpora and keyword lists of `../shared/corpora` when present, seeded generated ones
//! otherwise; the report says which. Every figure is the median of several runs, the
//! engines taking turns within each run so that a noisy neighbour hurts them alike, each
//! engine's timed pass right after an untimed pass of its own, so that it is timed with its
//! data in the caches as in a stream (`--cold` leaves that pass out). Before
//! anything is timed, the library's counts are checked against an independent recount
//! (`support::check`), and the baselines against each other.

#[path = "../benches/support/mod.rs"]
mod support;

use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use topictally::{Classifier, Matches};

use support::{synth, Inputs, Options, Raw};

const USAGE: &str = "\
usage: bench_report [--quick] [--generated] [--cold] [--runs N] [--slice-mb N]
                    [--only DICT[/CORPUS]] [--profile core|e2e|counts:DICT/CORPUS]

Prints one markdown table comparing topictally with raw aho-corasick (issue 5).
  --quick       1 MiB per corpus, 3 to 7 runs in 1 s per row (default: 8 MiB, 5 to 21
                runs, more while a row has taken under 4 s)
  --generated   use generated corpora and dictionaries even when ../shared/corpora exists
  --cold        time each engine's pass right after the other engines' passes, with no
                untimed pass of its own before it (its data partly out of the caches)
  --runs N      exactly N runs per figure (the median is reported)
  --slice-mb N  MiB of JSON Lines per corpus
  --only LABEL  only the rows whose label (`en-10k/blogs`) starts with LABEL
  --profile PATH:LABEL
                no table: run only the library's `core` or `e2e` path on one row
                (`core:en-100k/blogs`) for 10 seconds, for `perf record`; with --runs N,
                exactly N passes instead (for `valgrind --tool=callgrind`); `counts`
                counts the row's messages once, then times making their named counts
                (`Tally::counts`, what a snapshot costs)";

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_report: {e}");
        std::process::exit(1);
    }
}

/// How many times each figure is measured: at least `min` times, then more (up to `max`)
/// while the row has taken less than `budget`. The median is reported.
#[derive(Clone, Copy, Debug)]
struct Runs {
    min: usize,
    max: usize,
    budget: Duration,
}

impl Runs {
    fn more(&self, done: usize, elapsed: Duration) -> bool {
        done < self.min || (done < self.max && elapsed < self.budget)
    }
}

struct Args {
    options: Options,
    runs: Runs,
    /// Whether each timed pass follows an untimed pass of the same engine.
    warm: bool,
    only: Option<String>,
    profile: Option<(String, String)>,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut options = Options::full();
    let mut runs = None;
    let mut slice = None;
    let mut only = None;
    let mut profile = None;
    let mut warm = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                options = Options {
                    generated: options.generated,
                    ..Options::quick()
                }
            }
            "--generated" => options.generated = true,
            "--cold" => warm = false,
            "--only" => only = Some(args.next().ok_or("--only needs a label")?),
            "--profile" => {
                let arg = args
                    .next()
                    .ok_or("--profile needs core:LABEL, e2e:LABEL or counts:LABEL")?;
                match arg.split_once(':') {
                    Some((path @ ("core" | "e2e" | "counts"), label)) => {
                        profile = Some((path.to_string(), label.to_string()))
                    }
                    _ => {
                        return Err(format!(
                            "--profile {arg:?}: expected core:, e2e: or counts:LABEL"
                        )
                        .into())
                    }
                }
            }
            "--runs" => runs = Some(args.next().ok_or("--runs needs a number")?.parse()?),
            "--slice-mb" => {
                slice = Some(
                    args.next()
                        .ok_or("--slice-mb needs a number")?
                        .parse::<usize>()?,
                )
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}").into()),
        }
    }
    let quick = options.slice_bytes == Options::quick().slice_bytes;
    if let Some(mb) = slice {
        options.slice_bytes = mb << 20;
    }
    let runs = match runs {
        Some(0) => return Err("--runs must be at least 1".into()),
        Some(n) => Runs {
            min: n,
            max: n,
            budget: Duration::ZERO,
        },
        None if quick => Runs {
            min: 3,
            max: 7,
            budget: Duration::from_secs(1),
        },
        None => Runs {
            min: 5,
            max: 21,
            budget: Duration::from_secs(4),
        },
    };
    Ok(Args {
        options,
        runs,
        warm,
        only,
        profile,
    })
}

/// Runs one library path over one row for 10 seconds, or exactly `passes` times, after
/// checking it: a target for `perf record` or callgrind with nothing else in the profile but
/// loading.
fn profile_one(
    options: &Options,
    path: &str,
    label: &str,
    passes: Option<usize>,
) -> Result<(), Box<dyn Error>> {
    let (dict_name, corpus_name) = label
        .split_once('/')
        .ok_or("--profile: the label is DICT/CORPUS, e.g. en-10k/blogs")?;
    let inputs = Inputs::load(options);
    let dict = inputs
        .dictionary(dict_name)
        .ok_or_else(|| format!("no dictionary {dict_name}"))?;
    let corpus = inputs
        .corpora
        .iter()
        .find(|c| c.name == corpus_name)
        .ok_or_else(|| format!("no corpus {corpus_name}"))?;
    let classifier = Classifier::new(&dict.dictionary)?;
    let messages = corpus.messages();
    support::check(label, &classifier, corpus, &messages);
    let one_thread = support::one_thread_pool();
    let mut matches = Matches::new();
    // For `counts`: the messages counted once; each pass makes their named counts.
    let mut tally = classifier.new_tally();
    if path == "counts" {
        for message in &messages {
            tally.add(message)?;
        }
    }
    let start = Instant::now();
    let mut done = 0u32;
    while match passes {
        Some(n) => (done as usize) < n,
        None => start.elapsed() < Duration::from_secs(10),
    } {
        match path {
            "core" => {
                black_box(support::library_core(&classifier, &messages, &mut matches));
            }
            "e2e" => {
                let e2e = || support::library_end_to_end(&classifier, &corpus.jsonl);
                black_box(one_thread.install(e2e));
            }
            _ => {
                black_box(one_thread.install(|| tally.counts()));
            }
        }
        done += 1;
    }
    let per_pass = start.elapsed() / done;
    let rate = |bytes| fmt_rate(mbps(bytes, per_pass));
    match path {
        "core" => println!(
            "core {label}: {done} passes, {} MB/s",
            rate(corpus.text_bytes())
        ),
        "e2e" => println!(
            "e2e {label}: {done} passes, {} MB/s",
            rate(corpus.jsonl.len())
        ),
        _ => {
            let counts = tally.counts();
            let by_time: usize = counts.topics.values().map(|t| t.by_time.len()).sum();
            let keywords: usize = counts.topics.values().map(|t| t.keywords.len()).sum();
            println!(
                "counts {label}: {done} passes, {:.1} ms per snapshot of {} topics \
                 ({by_time} entries by time bucket, {keywords} by keyword), dropped after",
                per_pass.as_secs_f64() * 1e3,
                counts.topics.len(),
            );
        }
    }
    Ok(())
}

/// The median of the durations.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The time of a pass of `f`; when `warm`, right after an untimed one, so that the caches
/// hold what `f` uses (as they do in a stream, and as criterion measures after its warm-up),
/// not what the engine timed before it left there (up to 312 MB of DFA at 100,000 keywords).
fn pass_time<T>(warm: bool, mut f: impl FnMut() -> T) -> Duration {
    if warm {
        black_box(f());
    }
    time(f).0
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = black_box(f());
    (start.elapsed(), out)
}

/// MB (10^6 bytes) per second.
fn mbps(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / 1e6 / t.as_secs_f64()
}

fn fmt_rate(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn fmt_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.2}M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.0}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

fn ms(t: Duration) -> String {
    let ms = t.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms:.1}")
    }
}

fn mb(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

fn progress(what: &str) {
    eprintln!("bench_report: {what}");
}

/// One row of the table.
struct Row {
    dict: String,
    /// How many times each of its figures was measured.
    runs: usize,
    corpus: &'static str,
    text_bytes: usize,
    jsonl_bytes: usize,
    messages: usize,
    mentions: u64,
    raw_matches: u64,
    core: Duration,
    raw: Duration,
    raw_lowercase: Duration,
    raw_dfa: Duration,
    raw_dfa_overlapping: Duration,
    end_to_end: Duration,
    build: Duration,
    raw_build: Duration,
    memory: usize,
    raw_memory: usize,
}

fn run() -> Result<(), Box<dyn Error>> {
    let Args {
        options,
        runs,
        warm,
        only,
        profile,
    } = parse_args()?;
    if let Some((path, label)) = profile {
        // `--runs N` (no time budget) asks for exactly N passes.
        let passes = (runs.budget == Duration::ZERO).then_some(runs.min);
        return profile_one(&options, &path, &label, passes);
    }
    let wanted = |label: &str| match only.as_deref() {
        None => true,
        Some(o) => label.starts_with(o) || o.starts_with(label),
    };
    let started = SystemTime::now();
    let command = {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut c = "cargo run --release --example bench_report".to_string();
        if !args.is_empty() {
            c.push_str(" -- ");
            c.push_str(&args.join(" "));
        }
        c
    };
    let load_before = load_average();
    progress("loading inputs");
    let inputs = Inputs::load(&options);
    let one_thread = support::one_thread_pool();
    let mut rows = Vec::new();
    let mut dfa_notes = Vec::new();

    for dict in inputs.dictionaries.iter().filter(|d| wanted(&d.name)) {
        progress(&format!("{}: building", dict.name));
        let mut builds = Vec::new();
        let mut raw_builds = Vec::new();
        let mut classifier = None;
        let start = Instant::now();
        while runs.more(builds.len(), start.elapsed()) {
            let (t, c) = time(|| Classifier::new(&dict.dictionary).expect("bench dictionary"));
            builds.push(t);
            classifier = Some(c);
            raw_builds.push(time(|| Raw::leftmost(&dict.patterns)).0);
        }
        let classifier = classifier.expect("runs >= 1");
        let raw = Raw::leftmost(&dict.patterns);
        let raw_memory = Raw::contiguous_nfa(&dict.patterns).memory_usage();
        let (dfa_build, dfa) = time(|| Raw::leftmost_dfa(&dict.patterns));
        let overlapping = Raw::overlapping_dfa(&dict.patterns);
        dfa_notes.push(format!(
            "{} {:.0} ms / {:.0} MB",
            dict.name,
            dfa_build.as_secs_f64() * 1e3,
            dfa.memory_usage() as f64 / 1e6
        ));

        for corpus in inputs.corpora_for(dict) {
            let label = format!("{}/{}", dict.name, corpus.name);
            if !wanted(&label) {
                continue;
            }
            progress(&format!("{label}: checking"));
            let messages = corpus.messages();
            let checked = support::check(&label, &classifier, corpus, &messages);
            let raw_matches = support::check_raw(&label, support::raw_count(&raw, &messages));
            let dfa_matches = support::raw_count(&dfa, &messages);
            assert_eq!(dfa_matches, raw_matches, "{label}: DFA and NFA disagree");
            let all = support::raw_count_overlapping(&overlapping, &messages);
            assert!(
                all >= raw_matches,
                "{label}: overlapping search found fewer matches"
            );
            support::check_raw(&label, support::raw_count_lowercased(&raw, &messages));

            progress(&format!("{label}: timing"));
            let mut t: [Vec<Duration>; 6] = Default::default();
            let mut matches = Matches::new();
            let start = Instant::now();
            while runs.more(t[0].len(), start.elapsed()) {
                let mut core = || support::library_core(&classifier, &messages, &mut matches);
                t[0].push(pass_time(warm, &mut core));
                t[1].push(pass_time(warm, || support::raw_count(&raw, &messages)));
                t[2].push(pass_time(warm, || {
                    support::raw_count_lowercased(&raw, &messages)
                }));
                t[3].push(pass_time(warm, || support::raw_count(&dfa, &messages)));
                t[4].push(pass_time(warm, || {
                    support::raw_count_overlapping(&overlapping, &messages)
                }));
                let e2e = || support::library_end_to_end(&classifier, &corpus.jsonl);
                t[5].push(pass_time(warm, || one_thread.install(e2e)));
            }
            let measured = t[0].len();
            let [core, raw_t, lc, dfa_t, ov, e2e] = t.map(median);
            rows.push(Row {
                dict: dict.name.clone(),
                runs: measured,
                corpus: corpus.name,
                text_bytes: corpus.text_bytes(),
                jsonl_bytes: corpus.jsonl.len(),
                messages: messages.len(),
                mentions: checked.mentions,
                raw_matches,
                core,
                raw: raw_t,
                raw_lowercase: lc,
                raw_dfa: dfa_t,
                raw_dfa_overlapping: ov,
                end_to_end: e2e,
                build: median(builds.clone()),
                raw_build: median(raw_builds.clone()),
                memory: classifier.memory_usage(),
                raw_memory,
            });
        }
    }

    // Thread scaling: Classifier::tally of the blog posts with the 10k English dictionary.
    progress("threads");
    let threads_dict = inputs.dictionary("en-10k").or(inputs.dictionaries.first());
    let threads_line = match threads_dict.filter(|_| wanted("threads")) {
        Some(dict) => {
            let corpus = inputs.corpus("blogs");
            let messages = corpus.messages();
            let classifier = Classifier::new(&dict.dictionary)?;
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let counts: Vec<usize> = if cores >= 2 { vec![1, 2] } else { vec![1] };
            let pools: Vec<_> = counts.iter().map(|&n| support::pool(n)).collect();
            let expected = pools[0].install(|| classifier.tally(&messages));
            let mut times = vec![Vec::new(); pools.len()];
            let start = Instant::now();
            while runs.more(times[0].len(), start.elapsed()) {
                for (i, pool) in pools.iter().enumerate() {
                    let (t, counts) = time(|| pool.install(|| classifier.tally(&messages)));
                    assert!(counts == expected, "{} threads count differently", i + 1);
                    times[i].push(t);
                }
            }
            let rates: Vec<f64> = times
                .into_iter()
                .map(|t| mbps(corpus.text_bytes(), median(t)))
                .collect();
            let mut line = format!(
                "Threads (`Classifier::tally`, {} × {}): 1 thread {} MB/s",
                dict.name,
                corpus.name,
                fmt_rate(rates[0])
            );
            if let Some(two) = rates.get(1) {
                let _ = write!(
                    line,
                    ", 2 threads {} MB/s: **{:.2}x** (target ≥ 1.8x)",
                    fmt_rate(*two),
                    two / rates[0]
                );
            } else {
                line.push_str(" (one core: no scaling measured)");
            }
            line
        }
        None => "Threads: not measured".to_string(),
    };

    // Queries: the same terms as OR-queries instead of keyword lists (issue 6: ≤ 1.3x).
    progress("queries");
    let queries_line = match threads_dict.filter(|_| wanted("queries")) {
        Some(dict) => {
            let corpus = inputs.corpus("blogs");
            let messages = corpus.messages();
            let (as_queries, converted) = support::as_or_queries(&dict.dictionary)?;
            let keywords = Classifier::new(&dict.dictionary)?;
            let queries = Classifier::new(&as_queries)?;
            let mut matches = topictally::Matches::new();
            let expected = support::library_core(&keywords, &messages, &mut matches);
            let got = support::library_core(&queries, &messages, &mut matches);
            assert_eq!(
                got, expected,
                "the OR-queries must find the keywords' mentions"
            );
            let mut times = [Vec::new(), Vec::new()];
            let start = Instant::now();
            while runs.more(times[0].len(), start.elapsed()) {
                for (i, c) in [&keywords, &queries].into_iter().enumerate() {
                    let (t, n) = time(|| support::library_core(c, &messages, &mut matches));
                    assert_eq!(n, expected);
                    times[i].push(t);
                }
            }
            let [k, q] = times.map(median);
            format!(
                "Queries (`{}` × {}, {converted} topics as OR-queries of the same terms): keywords {} MB/s, queries {} MB/s: **{:.2}x** the time (target ≤ 1.3x)",
                dict.name,
                corpus.name,
                fmt_rate(mbps(corpus.text_bytes(), k)),
                fmt_rate(mbps(corpus.text_bytes(), q)),
                q.as_secs_f64() / k.as_secs_f64()
            )
        }
        None => "Queries: not measured".to_string(),
    };
    let threads_line = format!("{threads_line}.\n\n{queries_line}");

    let load = format!("{load_before} at the start, {} at the end", load_average());
    let context = Context {
        options: &options,
        runs,
        warm,
        command: &command,
        load: &load,
        started,
    };
    print_report(&inputs, &context, &rows, &threads_line, &dfa_notes);
    Ok(())
}

/// The spread of `f` over the rows of a dictionary size (`-100`, `-10k`), as `lo–hi`.
fn spread(rows: &[Row], size: &str, f: impl Fn(&Row) -> f64) -> Option<(f64, f64)> {
    rows.iter()
        .filter(|r| r.dict.ends_with(size))
        .map(f)
        .fold(None, |acc, x| match acc {
            None => Some((x, x)),
            Some((lo, hi)) => Some((f64::min(lo, x), f64::max(hi, x))),
        })
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**not met**"
    }
}

/// Issue 5's targets against the rows, one line each.
fn targets(rows: &[Row]) -> String {
    let mut out = String::from("Targets of issue 5 (one core, medians of this run):\n");
    let core = |r: &Row| mbps(r.text_bytes, r.core);
    for (size, target) in [("-100", 1.0), ("-10k", 2.0), ("-100k", 2.0)] {
        if let Some((lo, hi)) = spread(rows, size, |r| r.raw.as_secs_f64() / r.core.as_secs_f64()) {
            let _ = writeln!(
                out,
                "- core/raw at {}: {lo:.2}–{hi:.2}x, target ≥ {target}x: {}",
                &size[1..],
                verdict(lo >= target)
            );
        }
    }
    for size in ["-100", "-10k", "-100k"] {
        let en: Vec<f64> = rows
            .iter()
            .filter(|r| r.dict.starts_with("en") && r.dict.ends_with(size))
            .map(core)
            .collect();
        let zh = rows
            .iter()
            .find(|r| r.dict.starts_with("zh") && r.dict.ends_with(size))
            .map(core);
        if let (Some(zh), false) = (zh, en.is_empty()) {
            let en = en.iter().sum::<f64>() / en.len() as f64;
            let _ = writeln!(
                out,
                "- Weibo/English core MB/s at {}: {:.2}x, target ≥ 0.5x: {}",
                &size[1..],
                zh / en,
                verdict(zh / en >= 0.5)
            );
        }
    }
    if let Some((lo, hi)) = spread(rows, "", |r| {
        r.core.as_secs_f64() / r.end_to_end.as_secs_f64()
    }) {
        let _ = writeln!(
            out,
            "- end-to-end/core (time ratio): {lo:.2}–{hi:.2}x, target ≥ 0.6x: {}",
            verdict(lo >= 0.6)
        );
    }
    if let Some((lo, hi)) = spread(rows, "", |r| mbps(r.jsonl_bytes, r.end_to_end) / core(r)) {
        let _ = writeln!(
            out,
            "- end-to-end/core (JSON Lines MB/s over text MB/s): {lo:.2}–{hi:.2}x, target ≥ 0.6x: {}",
            verdict(lo >= 0.6)
        );
    }
    for size in ["-100", "-10k", "-100k"] {
        if let Some((_, hi)) = spread(rows, size, |r| {
            r.build.as_secs_f64() / r.raw_build.as_secs_f64()
        }) {
            let _ = writeln!(
                out,
                "- build time lib/raw at {}: up to {hi:.2}x, target ≤ 1.5x: {}",
                &size[1..],
                verdict(hi <= 1.5)
            );
        }
    }
    if let Some((_, hi)) = spread(rows, "-100k", |r| r.memory as f64 / r.raw_memory as f64) {
        let _ = writeln!(
            out,
            "- memory lib/contiguous NFA at 100k: up to {hi:.2}x, target ≤ 2x: {}",
            verdict(hi <= 2.0)
        );
    }
    out
}

/// `/proc/loadavg`'s first three fields.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let model = field("model name").unwrap_or_else(|| "unknown CPU".into());
    let cache = field("cache size")
        .map(|c| format!(", {c} cache"))
        .unwrap_or_default();
    let logical = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let kb: f64 = m.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!(", {:.0} GB RAM", kb / 1024.0 / 1024.0))
        })
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| format!(", Linux {}", k.trim()))
        .unwrap_or_default();
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or("rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc: unknown".into(), |v| v.trim().to_string());
    format!(
        "{model}{cache}, {logical} logical CPUs ({available} available to this process){memory}{kernel}; {rustc}, release profile"
    )
}

/// How the run was made.
struct Context<'a> {
    options: &'a Options,
    runs: Runs,
    warm: bool,
    command: &'a str,
    load: &'a str,
    started: SystemTime,
}

fn print_report(
    inputs: &Inputs,
    context: &Context<'_>,
    rows: &[Row],
    threads_line: &str,
    dfa_notes: &[String],
) {
    let &Context {
        options,
        runs,
        warm,
        command,
        load,
        started,
    } = context;
    let now = started
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let minutes = started.elapsed().map_or(0.0, |d| d.as_secs_f64() / 60.0);
    let mut out = String::new();
    let _ = writeln!(out, "## topictally vs raw aho-corasick\n");
    let _ = writeln!(out, "- Machine: {}", machine());
    let _ = writeln!(
        out,
        "- Date: {} ({minutes:.1} min); load average {load} (other processes share these cores)",
        synth::format_timestamp(now)
    );
    let fewest = rows.iter().map(|r| r.runs).min().unwrap_or(runs.min);
    let most = rows.iter().map(|r| r.runs).max().unwrap_or(runs.min);
    let measured = if fewest == most {
        format!("{fewest} runs")
    } else {
        format!(
            "{fewest}–{most} runs (by row: at least {}, more while a row has taken under {} s)",
            runs.min,
            runs.budget.as_secs()
        )
    };
    let _ = writeln!(
        out,
        "- Command: `{command}`: topictally {} as built from the working tree; {} MiB of JSON Lines per corpus; each figure is the median of {measured}, the engines taking turns within each run, {}; one thread unless said",
        env!("CARGO_PKG_VERSION"),
        options.slice_bytes >> 20,
        if warm {
            "each timed pass right after an untimed pass of the same engine (warm caches)"
        } else {
            "each timed pass right after the other engines' (`--cold`: no untimed pass)"
        }
    );
    let _ = writeln!(out, "- Corpora:");
    for c in &inputs.corpora {
        let _ = writeln!(
            out,
            "  - {}: {} ({} messages)",
            c.name,
            c.origin,
            c.records.len()
        );
    }
    let _ = writeln!(
        out,
        "- Dictionaries (keywords / exclusions / topics / distinct patterns):"
    );
    for d in &inputs.dictionaries {
        let _ = writeln!(
            out,
            "  - {}: {} / {} / {} / {}; {}",
            d.name,
            d.keywords,
            d.exclusions,
            d.topics,
            d.patterns.len(),
            d.origin
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| dict | corpus | text MB | msgs | mentions | raw matches | core MB/s | core msg/s | raw MB/s | raw+lc MB/s | best raw MB/s | core/raw | core/best | e2e MB/s | e2e/core | build ms lib / raw | memory MB lib / raw |"
    );
    let _ = writeln!(
        out,
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    );
    for r in rows {
        let core = mbps(r.text_bytes, r.core);
        let raw = mbps(r.text_bytes, r.raw);
        let dfa = mbps(r.text_bytes, r.raw_dfa);
        let overlapping = mbps(r.text_bytes, r.raw_dfa_overlapping);
        let (best, which) = if dfa >= overlapping {
            (dfa, "LL")
        } else {
            (overlapping, "ov")
        };
        let e2e = mbps(r.jsonl_bytes, r.end_to_end);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | **{}** | {} | {} | {} | {} {} | **{:.2}** | {:.2} | {} | {:.2} | {} / {} | {} / {} |",
            r.dict,
            r.corpus,
            mb(r.text_bytes),
            fmt_count(r.messages as f64),
            fmt_count(r.mentions as f64),
            fmt_count(r.raw_matches as f64),
            fmt_rate(core),
            fmt_count(r.messages as f64 / r.core.as_secs_f64()),
            fmt_rate(raw),
            fmt_rate(mbps(r.text_bytes, r.raw_lowercase)),
            fmt_rate(best),
            which,
            core / raw,
            core / best,
            fmt_rate(e2e),
            r.core.as_secs_f64() / r.end_to_end.as_secs_f64(),
            ms(r.build),
            ms(r.raw_build),
            mb(r.memory),
            mb(r.raw_memory),
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{threads_line}.");
    let _ = writeln!(out);
    out.push_str(&targets(rows));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Columns: MB = 10^6 bytes. *core*: `classify_into` with one reused `Matches` over the texts already in memory, full semantics (Unicode case folding, whole words, per-topic selection, exclusions); MB/s of text. *mentions*: the library's total, checked against an independent recount before timing. *raw*: the keywords' normalized forms (and exclusions), deduplicated, in `AhoCorasick::builder().match_kind(LeftmostLongest)` (default kind: a contiguous NFA past a few patterns), one `find_iter(text)` per message counting matches, texts as they are (the ten lines: case-sensitive on the text side, no word boundaries, no topics). *raw+lc*: the same on `text.to_lowercase()`. *best raw*: the faster of an explicit DFA (`LL`: leftmost-longest `find_iter`; `ov`: standard semantics `find_overlapping_iter`). *e2e*: JSON Lines bytes in, counts out, `StreamTally` in a 1-thread rayon pool; MB/s of JSON Lines; *e2e/core* = core time / e2e time on the same texts (parsing, batching and counting overhead; the MB/s ratio would flatter e2e by the JSON around the texts). *build*: `Classifier::new` vs the raw `LeftmostLongest` build (patterns given ready). *memory*: `Classifier::memory_usage()` vs `AhoCorasick::memory_usage()` of a `ContiguousNFA`. Raw DFA build time / memory: {}.",
        dfa_notes.join(", ")
    );
    print!("{out}");
}
