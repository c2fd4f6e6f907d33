//! A soak test of the `count` example: streams tens of millions of generated messages
//! through its standard input with `--every` snapshots, samples its memory all along, and
//! checks that the memory stays flat and that the final counts add up. Not run in CI.
//!
//! ```text
//! cargo build --release --example count --example soak
//! cargo run --release --example soak                       # 30 million messages, --every 10s
//! cargo run --release --example soak -- --messages 1000000 --every 2s --threads 2
//! ```
//!
//! It runs the real `count` binary (`target/release/examples/count`, next to this one) as a
//! child process: `count --input - --format json --every 10s`, plus `--dict` and `--threads`
//! when given. A writer thread feeds the child's standard input with the corpus of
//! `examples/support/synth.rs` (what `generate` writes), in 100 slices of 1% of the messages,
//! each with its own seed and each spread over the same 30 days: the counts (topics, sources,
//! daily buckets, keywords) stop growing after the first slices, and from then on only the
//! numbers in them change. One line in 1,000 is malformed, so the error path runs too (the
//! counts keep only the first 10 line numbers of malformed records).
//!
//! The child's `VmRSS` (resident memory) and `VmHWM` (its peak) are read from
//! `/proc/<pid>/status` (Linux only; elsewhere the soak still runs, without memory figures)
//! every second, at every snapshot, and when the writer has handed 10%, 20%, … 100% of the
//! messages to the pipe. Progress goes to standard error; a markdown summary to standard
//! output, ending with the verdict: "flat" when the resident memory at 100% of the input
//! exceeds the one at 50% by less than 5% or by less than 1 MiB (a leak of a single byte
//! per message would add 14 MiB over the second half of 30 million).
//!
//! The soak does not rebuild `count`: build both with the first command above, so that the
//! binary it runs is the current one.
//!
//! Exit status: 0 when the memory is flat and the final counts add up (well-formed messages
//! plus malformed records equal the lines written, and the malformed ones are exactly those
//! written malformed); 1 when they do not, or when `count` fails or stops reading; 2 for
//! bad flags or a missing `count` binary.

#[path = "support/numbers.rs"]
mod numbers;
#[path = "support/synth.rs"]
mod synth;

use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use numbers::thousands;

const USAGE: &str = "\
usage: soak [--messages N] [--every 10s] [--dictionary FILE] [--threads N]

Streams generated JSON Lines through the count example's standard input, samples its
memory and checks that it stays flat and that the final counts add up.
Build first: cargo build --release --example count --example soak

  --messages N        lines to stream, one in 1,000 malformed   (default 30000000)
  --every N|PERIOD    count's --every: snapshot every N messages or period (default 10s)
  --dictionary FILE   count's --dict (default: count's bundled health_queries.toml)
  --threads N         count's --threads (default: count's default, all cores)
  -h, --help          this help";

/// Share of malformed lines in the generated input.
const MALFORMED: f64 = 0.001;
/// The writer sends the input in this many slices, each spread over the same days.
const SLICES: u64 = 100;
/// Seed of the first slice; slice `i` uses `SEED + i`.
const SEED: u64 = 42;
/// Memory is "flat" when it grows by less than this share from 50% to 100% of the input…
const FLAT_SHARE: f64 = 0.05;
/// …or by less than this many KiB.
const FLAT_KIB: u64 = 1024;

struct Args {
    messages: u64,
    every: String,
    dictionary: Option<PathBuf>,
    threads: Option<usize>,
}

/// Resident memory of the child, from `/proc/<pid>/status`, in KiB.
#[derive(Clone, Copy, Debug, Default)]
struct Mem {
    rss_kib: u64,
    hwm_kib: u64,
}

/// The memory when the writer had handed a given share of the input to the pipe.
#[derive(Clone, Copy)]
struct Mark {
    percent: u64,
    messages: u64,
    elapsed: Duration,
    mem: Option<Mem>,
}

/// What the writer thread sent.
struct Sent {
    written: synth::Written,
    marks: Vec<Mark>,
}

/// The part of a snapshot (SEMANTICS.md §5's JSON) that the soak checks.
#[derive(Deserialize)]
struct Snapshot {
    total_messages: u64,
    matched_messages: u64,
    errors: Errors,
}

#[derive(Deserialize)]
struct Errors {
    malformed: u64,
    first_lines: Vec<u64>,
}

fn main() {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("soak: {message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let count = match count_binary() {
        Ok(path) => path,
        Err(message) => {
            eprintln!("soak: {message}");
            std::process::exit(2);
        }
    };
    match soak(&args, &count) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(message) => {
            eprintln!("soak: {message}");
            std::process::exit(1);
        }
    }
}

/// Runs the soak and prints the summary; `Ok(false)` when a check failed.
fn soak(args: &Args, count: &Path) -> Result<bool, String> {
    let mut command = Command::new(count);
    command.args(["--input", "-", "--format", "json", "--every", &args.every]);
    if let Some(dictionary) = &args.dictionary {
        command.arg("--dict").arg(dictionary);
    }
    if let Some(threads) = args.threads {
        command.args(["--threads", &threads.to_string()]);
    }
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", count.display()))?;
    let pid = child.id();
    let (stdin, stdout, stderr) =
        match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
            (Some(i), Some(o), Some(e)) => (i, o, e),
            _ => return Err("cannot reach the pipes of count".to_string()),
        };
    if memory(std::process::id()).is_none() {
        eprintln!("soak: memory sampling is unavailable here (it reads Linux's /proc/<pid>/status); running without it");
    }
    eprintln!(
        "soak: streaming {} messages into {} (pid {pid}) with --every {}",
        thousands(args.messages),
        count.display(),
        args.every
    );

    // The child's standard error, forwarded line by line.
    let forward = std::thread::spawn(move || {
        let mut forwarded = 0u64;
        for line in BufReader::new(stderr).lines() {
            match line {
                Ok(line) => eprintln!("  count| {line}"),
                Err(_) => break,
            }
            forwarded += 1;
        }
        forwarded
    });
    // The child's standard output (one JSON line per snapshot, then the final counts).
    let (lines_tx, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let stop = line.is_err();
            if lines_tx.send(line).is_err() || stop {
                break;
            }
        }
    });
    let messages_sent = Arc::new(AtomicU64::new(0));
    let bytes_sent = Arc::new(AtomicU64::new(0));
    let writer = {
        let (messages_sent, bytes_sent) = (Arc::clone(&messages_sent), Arc::clone(&bytes_sent));
        let total = args.messages;
        std::thread::spawn(move || {
            write_input(stdin, total, pid, start, &messages_sent, bytes_sent)
        })
    };

    // Read the snapshots; sample the memory at each one and every second.
    let mut outputs = 0u64;
    let mut last: Option<String> = None;
    let mut read_so_far = 0u64;
    let mut problems = Vec::new();
    let mut peak: Option<Mem> = None;
    loop {
        // A sample at every line of count, and at least once a second.
        let received = lines.recv_timeout(Duration::from_secs(1));
        let mem = memory(pid);
        if let Some(m) = mem {
            let p = peak.get_or_insert(m);
            p.rss_kib = p.rss_kib.max(m.rss_kib);
            p.hwm_kib = p.hwm_kib.max(m.hwm_kib);
        }
        match received {
            Ok(Ok(line)) => {
                outputs += 1;
                match serde_json::from_str::<Snapshot>(&line) {
                    Ok(s) => {
                        let read = s.total_messages + s.errors.malformed;
                        if read < read_so_far {
                            problems.push(format!(
                                "a snapshot counts {} messages read, fewer than the {} of the one before",
                                thousands(read),
                                thousands(read_so_far)
                            ));
                        }
                        read_so_far = read;
                        let secs = start.elapsed().as_secs_f64();
                        eprintln!(
                            "soak: {:5.1}% read by count, {:>11} messages, {:6.0} s, {:5.0} MB/s sent{}",
                            100.0 * read as f64 / args.messages.max(1) as f64,
                            thousands(read),
                            secs,
                            bytes_sent.load(Ordering::Relaxed) as f64 / 1e6 / secs.max(1e-9),
                            match (mem, peak) {
                                (Some(m), Some(p)) => format!(
                                    ", VmRSS {}, peak so far {}",
                                    mib(m.rss_kib),
                                    mib(p.hwm_kib)
                                ),
                                _ => String::new(),
                            }
                        );
                    }
                    Err(e) => problems.push(format!(
                        "count wrote a line that is not a snapshot ({e}): {}",
                        line.chars().take(120).collect::<String>()
                    )),
                }
                last = Some(line);
            }
            Ok(Err(e)) => {
                problems.push(format!("cannot read the output of count: {e}"));
                break;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let sent = writer
        .join()
        .unwrap_or_else(|_| Err("the writer thread panicked".to_string()));
    let status = wait(&mut child);
    let elapsed = start.elapsed();
    let _ = reader.join();
    let forwarded = forward.join().unwrap_or(0);

    let status = status?;
    if !status.success() {
        if let Err(e) = &sent {
            eprintln!("soak: {e}");
        }
        let see = if forwarded > 0 {
            "; its messages are above, prefixed with \"count|\""
        } else {
            ""
        };
        return Err(format!("count failed ({status}){see}"));
    }
    let sent = sent?;
    for mem in sent.marks.iter().filter_map(|m| m.mem) {
        let p = peak.get_or_insert(mem);
        p.hwm_kib = p.hwm_kib.max(mem.hwm_kib);
    }
    let summary = Summary {
        args,
        sent: &sent,
        bytes: bytes_sent.load(Ordering::Relaxed),
        elapsed,
        snapshots: outputs.saturating_sub(1),
        peak,
        last: last.as_deref(),
        problems,
    };
    let ok = summary.print();
    io::stdout()
        .flush()
        .map_err(|e| format!("cannot write the summary: {e}"))?;
    Ok(ok)
}

/// The writer thread: the generated corpus, in slices, into the child's standard input.
fn write_input(
    stdin: ChildStdin,
    total: u64,
    pid: u32,
    start: Instant,
    messages_sent: &AtomicU64,
    bytes_sent: Arc<AtomicU64>,
) -> Result<Sent, String> {
    let mut out = Counting {
        inner: stdin,
        bytes: bytes_sent,
    };
    let mut written = synth::Written::default();
    let mut marks = Vec::new();
    for slice in 0..SLICES {
        let messages = total * (slice + 1) / SLICES - total * slice / SLICES;
        if messages > 0 {
            let config = synth::CorpusConfig {
                messages: messages as usize,
                seed: SEED + slice,
                malformed: MALFORMED,
                ..synth::CorpusConfig::default()
            };
            let w = synth::write_jsonl_counted(&mut out, &config).map_err(|e| {
                let why = if e.kind() == io::ErrorKind::BrokenPipe {
                    "it closed its standard input".to_string()
                } else {
                    e.to_string()
                };
                format!(
                    "count stopped reading (after at least {} of {} messages): {why}",
                    thousands(written.lines),
                    thousands(total)
                )
            })?;
            written.lines += w.lines;
            written.malformed += w.malformed;
            messages_sent.store(written.lines, Ordering::Relaxed);
        }
        let percent = slice + 1;
        if percent % 10 == 0 {
            marks.push(Mark {
                percent,
                messages: written.lines,
                elapsed: start.elapsed(),
                mem: memory(pid),
            });
        }
    }
    // Dropping the pipe ends count's input: it prints the final counts and exits.
    drop(out);
    Ok(Sent { written, marks })
}

/// A writer that counts the bytes through it.
struct Counting<W> {
    inner: W,
    bytes: Arc<AtomicU64>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn wait(child: &mut Child) -> Result<ExitStatus, String> {
    child
        .wait()
        .map_err(|e| format!("cannot wait for count: {e}"))
}

struct Summary<'a> {
    args: &'a Args,
    sent: &'a Sent,
    bytes: u64,
    elapsed: Duration,
    snapshots: u64,
    peak: Option<Mem>,
    last: Option<&'a str>,
    problems: Vec<String>,
}

impl Summary<'_> {
    /// Prints the markdown summary; false when a check failed.
    fn print(mut self) -> bool {
        let written = self.sent.written;
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut command = format!(
            "cargo run --release --example soak -- --messages {} --every {}",
            self.args.messages, self.args.every
        );
        if let Some(d) = &self.args.dictionary {
            command.push_str(&format!(" --dictionary {}", d.display()));
        }
        if let Some(t) = self.args.threads {
            command.push_str(&format!(" --threads {t}"));
        }
        // The last line is the final counts.
        let last: Option<Snapshot> = self.last.and_then(|l| serde_json::from_str(l).ok());
        match &last {
            None => {
                self.problems
                    .push("count printed no final counts".to_string());
            }
            Some(f) => {
                if f.total_messages + f.errors.malformed != written.lines {
                    self.problems.push(format!(
                        "count read {} well-formed and {} malformed messages, not the {} written",
                        thousands(f.total_messages),
                        thousands(f.errors.malformed),
                        thousands(written.lines)
                    ));
                }
                if f.errors.malformed != written.malformed {
                    self.problems.push(format!(
                        "count found {} malformed records, not the {} written",
                        thousands(f.errors.malformed),
                        thousands(written.malformed)
                    ));
                }
                if f.errors.first_lines.len() > 10 {
                    self.problems.push(format!(
                        "the counts keep {} line numbers of malformed records, more than 10",
                        f.errors.first_lines.len()
                    ));
                }
            }
        }

        println!(
            "## Soak: {} messages through `count`\n",
            thousands(written.lines)
        );
        println!("Command: `{command}`\n");
        println!("| | |\n|---|---|");
        println!("| machine | {} |", machine());
        println!(
            "| messages written | {} ({} malformed) |",
            thousands(written.lines),
            thousands(written.malformed)
        );
        println!("| bytes written | {:.2} GB |", self.bytes as f64 / 1e9);
        println!("| elapsed | {:.1} s |", secs);
        println!(
            "| throughput | {:.0} MB/s, {} messages/s |",
            self.bytes as f64 / 1e6 / secs,
            thousands((written.lines as f64 / secs) as u64)
        );
        println!(
            "| snapshots (`--every {}`) | {} |",
            self.args.every, self.snapshots
        );
        if let Some(f) = &last {
            println!(
                "| final counts | {} well-formed messages ({} matched) + {} malformed |",
                thousands(f.total_messages),
                thousands(f.matched_messages),
                thousands(f.errors.malformed)
            );
        }
        match self.peak {
            Some(p) => println!("| peak RSS (VmHWM) | {} |", mib(p.hwm_kib)),
            None => println!("| peak RSS (VmHWM) | unavailable (no /proc) |"),
        }

        println!("\nMemory of `count` when the writer had sent a share of the input:\n");
        println!("| input | messages | elapsed | VmRSS | VmHWM |\n|--:|--:|--:|--:|--:|");
        for m in &self.sent.marks {
            let (rss, hwm) = match m.mem {
                Some(mem) => (mib(mem.rss_kib), mib(mem.hwm_kib)),
                None => ("–".to_string(), "–".to_string()),
            };
            println!(
                "| {}% | {} | {:.1} s | {rss} | {hwm} |",
                m.percent,
                thousands(m.messages),
                m.elapsed.as_secs_f64()
            );
        }

        let at = |percent| {
            self.sent
                .marks
                .iter()
                .find(|m| m.percent == percent)
                .and_then(|m| m.mem)
        };
        println!();
        match (at(50), at(100)) {
            (Some(half), Some(full)) => {
                let growth = full.rss_kib as i64 - half.rss_kib as i64;
                let share = growth as f64 / half.rss_kib.max(1) as f64;
                let flat = share < FLAT_SHARE || growth < FLAT_KIB as i64;
                println!(
                    "RSS growth from 50% to 100% of the input: {:+} KiB ({:+.1}%): **{}** \
                     (flat: less than {:.0}% or less than {} MiB).",
                    growth,
                    100.0 * share,
                    if flat { "flat" } else { "growing" },
                    100.0 * FLAT_SHARE,
                    FLAT_KIB / 1024
                );
                if !flat {
                    self.problems
                        .push("the memory of count grew in the second half".to_string());
                }
            }
            _ => println!("RSS growth: unknown (no memory samples)."),
        }
        if self.problems.is_empty() {
            println!("\nChecks passed: the final counts add up to the lines written.");
            true
        } else {
            println!("\nChecks failed:\n");
            for p in &self.problems {
                println!("- {p}");
            }
            false
        }
    }
}

/// `VmRSS` and `VmHWM` of a process, from Linux's `/proc`; `None` elsewhere or once it ended.
fn memory(pid: u32) -> Option<Mem> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    };
    Some(Mem {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

/// The number of CPUs and, on Linux, their model.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        });
    match model {
        Some(model) => format!("{cpus} CPUs, {model}"),
        None => format!("{cpus} CPUs"),
    }
}

/// The `count` example binary, next to this one.
fn count_binary() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let dir = me
        .parent()
        .ok_or_else(|| format!("{} has no directory", me.display()))?;
    let count = dir.join(format!("count{}", std::env::consts::EXE_SUFFIX));
    if !count.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build --release --example count` first",
            count.display()
        ));
    }
    Ok(count)
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        messages: 30_000_000,
        every: "10s".to_string(),
        dictionary: None,
        threads: None,
    };
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--messages" => {
                let v = value()?;
                args.messages = v
                    .replace('_', "")
                    .parse()
                    .ok()
                    .filter(|&n: &u64| n > 0)
                    .ok_or_else(|| format!("--messages takes a positive number, not {v:?}"))?;
            }
            "--every" => args.every = value()?,
            "--dictionary" => args.dictionary = Some(PathBuf::from(value()?)),
            "--threads" => {
                let v = value()?;
                args.threads = Some(
                    v.parse()
                        .ok()
                        .filter(|&n: &usize| n > 0)
                        .ok_or_else(|| format!("--threads takes a positive number, not {v:?}"))?,
                );
            }
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    Ok(args)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
