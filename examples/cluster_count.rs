//! `count` on timely dataflow: many workers, in one process or in many on many machines,
//! each count their share of the inputs, and worker 0 merges the counts and prints them.
//!
//! ```text
//! cargo run --release --features cluster --example cluster_count -- --dict d.toml --input big.jsonl -w 4
//! # two machines, each with the same hostfile (one host:port line per process):
//! cluster_count --dict d.toml --input a.jsonl --input b.jsonl --format json -w 8 -n 2 -h hosts -p 0
//! cluster_count --dict d.toml --input a.jsonl --input b.jsonl --format json -w 8 -n 2 -h hosts -p 1
//! ```
//!
//! With `--format json` the output is byte for byte that of `count --format json` on the same
//! inputs; malformed records are summarized on standard error with their file and line, as
//! `count` does. README, "Beyond one machine", tells how work is shared and what happens when
//! a process is lost. Exit status: 0 when every input was read, 1 when the output cannot be
//! written, 2 for bad flags, a bad dictionary or an unreadable input, 3 when the cluster
//! cannot start (a process did not connect in time) or a worker panicked; a process lost
//! mid-run makes the others panic (timely has no fault tolerance) with status 101, and no
//! counts are printed: rerun the job.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::ProcessBuilder;
use timely::communication::{AllocatorBuilder, Hooks, WorkerGuards};
use timely::dataflow::operators::{Exchange, Input, Inspect, Probe};
use timely::dataflow::InputHandle;
use timely::worker::Worker;
use timely::CommunicationConfig;
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
    Classifier, Counts, Dictionary, ErrorCounts, InputFormat, ReadOptions, StreamTally, TimeBucket,
    FIRST_LINES,
};

#[path = "cluster/shares.rs"]
mod shares;

const USAGE: &str = "\
usage: cluster_count [--dict FILE] [--input FILE]... [options] [-w N] [-n N -p I -h HOSTFILE]

Counts like the count example, on timely dataflow workers: every worker counts its share of
the inputs (whole files, or line-aligned byte ranges of fewer, larger files) and worker 0
merges the counts and prints them. Every process must be given the same flags (but -p) and
be able to read the same input files.

  --dict FILE              topic dictionary, .toml or .json
  --input FILE             input file, repeatable (standard input cannot be shared)
  --format table|json      output (default table); json is SEMANTICS.md §5's JSON
  --bucket day|hour|month  time buckets of by_time (default day)
  --input-format jsonl|csv record format (default jsonl; csv files are never cut)
  --text-field NAME        field holding the text (default text)
  --source-field NAME      field holding the source (default source)
  --timestamp-field NAME   field holding the timestamp (default timestamp)
  --lang-field NAME        field holding the language (default lang)
  --lossy                  replace invalid UTF-8 instead of counting the record as malformed
  --max-record-bytes N     longest record accepted (default 16777216)
  --help                   this help
timely's flags:
  -w N                     worker threads per process (default 1)
  -n N                     number of processes (default 1)
  -p I                     this process's index, 0 to N-1 (default 0)
  -h HOSTFILE              one host:port line per process, the same file for all
  -r                       report connection progress on standard error
  --connect-timeout S      how long processes wait for each other (default 60 seconds)";

/// What the flags ask for.
struct Args {
    dict: PathBuf,
    inputs: Vec<String>,
    json: bool,
    bucket: TimeBucket,
    options: ReadOptions,
    csv: bool,
    /// The flags for timely, as given.
    timely: Vec<String>,
    /// How long processes wait for each other to connect.
    connect_timeout: Duration,
}

/// What a worker sends to worker 0.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Partial {
    /// The worker's counts as §5's JSON. (Not `Counts` itself: timely encodes with bincode,
    /// which cannot decode the fields that JSON omits when empty.)
    counts: String,
    /// Malformed records per input read, with file line numbers.
    errors: Vec<InputErrors>,
    /// Why the worker could not read its share, if it could not.
    failure: Option<String>,
}

/// The malformed records a worker found in one input.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct InputErrors {
    input: usize,
    malformed: u64,
    /// The smallest line numbers (at most `FIRST_LINES`), with the reason.
    first: Vec<(u64, String)>,
}

impl InputErrors {
    fn merge(&mut self, other: &InputErrors) {
        self.malformed += other.malformed;
        self.first.extend(other.first.iter().cloned());
        self.first.sort_by_key(|&(line, _)| line);
        self.first.truncate(FIRST_LINES);
    }
}

/// What every worker needs, shared by the workers of a process.
struct Job {
    classifier: Classifier,
    options: ReadOptions,
    inputs: Vec<(String, u64)>,
    csv: bool,
}

fn main() {
    cli::main("cluster_count", run);
}

fn run() -> Result<(), Failure> {
    let args = parse_args(std::env::args().skip(1))?;
    let config = timely_config(&args.timely)?;
    // Everything that can be wrong with the flags, the dictionary or the inputs is found
    // before connecting, by every process alike: a process that quit now would leave the
    // others waiting for it.
    let dictionary = Dictionary::from_path(&args.dict).map_err(|e| fail(2, format!("{e:#}")))?;
    let classifier = Classifier::builder()
        .time_bucket(args.bucket)
        .build(&dictionary)
        .map_err(|e| fail(2, format!("{}: {e}", args.dict.display())))?;
    let mut inputs = Vec::new();
    for name in &args.inputs {
        let len = std::fs::File::open(name)
            .and_then(|f| f.metadata())
            .map_err(|e| fail(2, format!("{name}: cannot open: {e}")))?
            .len();
        inputs.push((name.clone(), len));
    }
    let job = Arc::new(Job {
        classifier,
        options: args.options.clone(),
        inputs,
        csv: args.csv,
    });
    let (json, bucket) = (args.json, args.bucket);
    let guards = start(config, args.connect_timeout, move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let received = Rc::new(RefCell::new(Vec::new()));
        let mut input = InputHandle::new();
        let probe = worker.dataflow::<u64, _, _>(|scope| {
            let sink = Rc::clone(&received);
            scope
                .input_from(&mut input)
                .container::<Vec<Partial>>()
                .exchange(|_| 0)
                .inspect(move |partial: &Partial| sink.borrow_mut().push(partial.clone()))
                .probe()
                .0
        });
        input.send(count_share(&job, index, peers));
        input.close();
        worker.step_while(|| !probe.done());
        let partials = received.take();
        (index == 0).then(|| merge_and_render(&job, partials, json, bucket))
    })?;
    let mut output = None;
    for (worker, result) in guards.join().into_iter().enumerate() {
        match result {
            Ok(Some(rendered)) => output = Some(rendered),
            Ok(None) => {}
            Err(e) => return Err(fail(3, format!("worker {worker} failed: {e}"))),
        }
    }
    let Some(rendered) = output else {
        return Ok(()); // not process 0: worker 0 prints
    };
    let (text, errors) = rendered?;
    eprint!("{errors}");
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| fail(1, format!("cannot write the counts: {e}")))
}

/// Counts the share of worker `index` of `peers`.
fn count_share(job: &Job, index: usize, peers: usize) -> Partial {
    let lengths: Vec<u64> = job.inputs.iter().map(|(_, len)| *len).collect();
    let mut counts = job.classifier.new_tally().counts();
    let mut errors: Vec<InputErrors> = Vec::new();
    for segment in shares::share(&lengths, peers, index, !job.csv) {
        let name = &job.inputs[segment.input].0;
        let result =
            shares::open(Path::new(name), lengths[segment.input], segment).and_then(|opened| {
                let Some(opened) = opened else {
                    return Ok(None);
                };
                let tally = StreamTally::new(&job.classifier, &job.options);
                let summary = tally.read(opened.reader)?;
                Ok(Some((tally.into_counts(), summary, opened.line_offset)))
            });
        let (mut part, summary, offset) = match result {
            Ok(Some(read)) => read,
            Ok(None) => continue,
            Err(e) => {
                return Partial {
                    counts: String::new(),
                    errors: Vec::new(),
                    failure: Some(format!("{name}: cannot read: {e}")),
                }
            }
        };
        // The read's line numbers are relative to the segment: make them the file's.
        let lines: Vec<(u64, String)> = summary
            .errors
            .iter()
            .map(|e| (e.line().unwrap_or(0) + offset, e.kind().to_string()))
            .collect();
        let mut fixed = ErrorCounts::default();
        for &(line, _) in &lines {
            fixed.add(Some(line));
        }
        fixed.malformed = part.errors.malformed;
        part.errors = fixed;
        counts.merge(&part);
        if summary.progress.malformed > 0 {
            let mine = InputErrors {
                input: segment.input,
                malformed: summary.progress.malformed,
                first: lines,
            };
            match errors.iter_mut().find(|e| e.input == segment.input) {
                Some(e) => e.merge(&mine),
                None => errors.push(mine),
            }
        }
    }
    Partial {
        counts: serde_json::to_string(&counts).unwrap_or_default(),
        errors,
        failure: None,
    }
}

/// Worker 0: the merged counts as text, and the summary of malformed records.
fn merge_and_render(
    job: &Job,
    partials: Vec<Partial>,
    json: bool,
    bucket: TimeBucket,
) -> Result<(String, String), Failure> {
    let mut counts = job.classifier.new_tally().counts();
    let mut errors: Vec<InputErrors> = (0..job.inputs.len())
        .map(|input| InputErrors {
            input,
            ..InputErrors::default()
        })
        .collect();
    for partial in &partials {
        if let Some(failure) = &partial.failure {
            return Err(fail(2, failure.clone()));
        }
        let part: Counts = serde_json::from_str(&partial.counts)
            .map_err(|e| fail(3, format!("a worker's counts do not decode: {e}")))?;
        counts.merge(&part);
        for e in &partial.errors {
            errors[e.input].merge(e);
        }
    }
    let text = if json {
        counts.to_json_pretty()
    } else {
        table(&counts, job.classifier.dictionary(), bucket)
    };
    Ok((text, error_summary(&job.inputs, &errors, &counts)))
}

/// The malformed records per input, with their reasons, as `count` prints them.
fn error_summary(inputs: &[(String, u64)], errors: &[InputErrors], counts: &Counts) -> String {
    let mut s = String::new();
    if counts.errors.malformed == 0 {
        return s;
    }
    let n = counts.errors.malformed;
    let plural = if n == 1 { "" } else { "s" };
    let _ = writeln!(
        s,
        "cluster_count: {} malformed record{plural} skipped",
        thousands(n)
    );
    for ((name, _), e) in inputs.iter().zip(errors) {
        for (line, reason) in &e.first {
            let _ = writeln!(s, "  {name}:{line}: {reason}");
        }
        let shown = e.first.len() as u64;
        if e.malformed > shown {
            let _ = writeln!(s, "  {name}: … and {} more", thousands(e.malformed - shown));
        }
    }
    s
}

/// Starts the workers of this process as `config` says. For a cluster, the connections
/// between processes are made here rather than by timely, which reports its progress
/// connecting on standard output, where worker 0 prints the counts.
fn start<T, F>(
    config: timely::Config,
    connect_timeout: Duration,
    func: F,
) -> Result<WorkerGuards<T>, Failure>
where
    T: Send + 'static,
    F: Fn(&mut Worker) -> T + Send + Sync + 'static,
{
    let timely::Config {
        communication,
        worker,
    } = config;
    let CommunicationConfig::Cluster {
        threads,
        process,
        addresses,
        report,
        zerocopy,
    } = communication
    else {
        return timely::execute(
            timely::Config {
                communication,
                worker,
            },
            func,
        )
        .map_err(|e| fail(3, format!("cannot start the workers: {e}")));
    };
    let sockets = connect(&addresses, process, report, connect_timeout)?;
    let hooks = Hooks::default();
    let allocators = if zerocopy {
        ProcessBuilder::new_bytes_vector(threads, hooks.refill.clone(), hooks.spill.clone())
    } else {
        ProcessBuilder::new_typed_vector(threads, hooks.refill.clone(), hooks.spill.clone())
    };
    let (builders, guard) =
        initialize_networking_from_sockets(allocators, sockets, process, threads, hooks)
            .map_err(|e| fail(3, format!("cannot start the network threads: {e}")))?;
    let builders = builders.into_iter().map(AllocatorBuilder::Tcp).collect();
    timely::execute::execute_from(builders, Box::new(guard), worker, func)
        .map_err(|e| fail(3, format!("cannot start the workers: {e}")))
}

/// One TCP connection to every other process, by timely's protocol: process `p` listens at
/// its address, connects to processes `0..p` and sends each its index (a big-endian `u64`),
/// and accepts processes `p+1..` and reads theirs. Gives up after `timeout`.
fn connect(
    addresses: &[String],
    process: usize,
    report: bool,
    timeout: Duration,
) -> Result<Vec<Option<TcpStream>>, Failure> {
    let deadline = Instant::now() + timeout;
    let here = &addresses[process];
    let listener = TcpListener::bind(here.trim())
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| {
            fail(
                3,
                format!("process {process}: cannot listen at {here}: {e}"),
            )
        })?;
    let mut sockets: Vec<Option<TcpStream>> = (0..addresses.len()).map(|_| None).collect();
    for (index, address) in addresses.iter().enumerate().take(process) {
        let mut stream = loop {
            match TcpStream::connect(address.trim()) {
                Ok(stream) => break stream,
                Err(e) if Instant::now() >= deadline => {
                    return Err(fail(
                        3,
                        format!("cannot reach process {index} at {address} in {timeout:?}: {e}"),
                    ))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        stream
            .set_nodelay(true)
            .and_then(|()| stream.write_all(&(process as u64).to_be_bytes()))
            .map_err(|e| fail(3, format!("cannot greet process {index} at {address}: {e}")))?;
        if report {
            eprintln!("cluster_count: process {process}: connected to process {index}");
        }
        sockets[index] = Some(stream);
    }
    while sockets[process + 1..].iter().any(Option::is_none) {
        match listener.accept() {
            Ok((mut stream, peer)) => {
                let mut index = [0; 8];
                stream
                    .set_nonblocking(false)
                    .and_then(|()| stream.set_nodelay(true))
                    .and_then(|()| stream.read_exact(&mut index))
                    .map_err(|e| fail(3, format!("cannot hear from {peer}: {e}")))?;
                let index = u64::from_be_bytes(index) as usize;
                if index <= process || index >= addresses.len() || sockets[index].is_some() {
                    return Err(fail(3, format!("{peer} says it is process {index}")));
                }
                if report {
                    eprintln!("cluster_count: process {process}: process {index} connected");
                }
                sockets[index] = Some(stream);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    let missing: Vec<String> = (process + 1..addresses.len())
                        .filter(|&i| sockets[i].is_none())
                        .map(|i| i.to_string())
                        .collect();
                    return Err(fail(
                        3,
                        format!(
                            "process {process}: processes {} did not connect in {timeout:?}",
                            missing.join(", ")
                        ),
                    ));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(fail(3, format!("cannot accept at {here}: {e}"))),
        }
    }
    Ok(sockets)
}

/// timely's configuration from its own flags; they are checked here, so that a typo is a
/// usage error rather than something timely ignores.
fn timely_config(flags: &[String]) -> Result<timely::Config, Failure> {
    let bad = cli::usage_error(USAGE);
    let config = timely::Config::from_args(flags.iter().cloned()).map_err(bad)?;
    if let timely::CommunicationConfig::Cluster {
        process, addresses, ..
    } = &config.communication
    {
        if *process >= addresses.len() {
            return Err(bad(format!(
                "-p {process}: process indices go from 0 to {} with -n {}",
                addresses.len() - 1,
                addresses.len()
            )));
        }
    }
    Ok(config)
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, Failure> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let mut dict = None;
    let mut inputs = Vec::new();
    let mut json = false;
    let mut bucket = TimeBucket::Day;
    let mut records = RecordFlags::default();
    let mut timely = Vec::new();
    let mut connect_timeout = Duration::from_secs(60);
    let bad = cli::usage_error(USAGE);
    while let Some(flag) = argv.next() {
        let mut value = |flag: &str| {
            argv.next()
                .ok_or_else(|| bad(format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--help" => cli::help(USAGE),
            "--dict" => dict = Some(PathBuf::from(value(&flag)?)),
            "--input" => {
                let name = value(&flag)?;
                if name == "-" {
                    return Err(bad(
                        "standard input cannot be shared among workers: give files".to_string(),
                    ));
                }
                inputs.push(name);
            }
            "--format" => json = cli::json_format(&value(&flag)?).map_err(bad)?,
            "--bucket" => bucket = cli::bucket(&value(&flag)?).map_err(bad)?,
            name if record_flags::NAMES.contains(&name) => {
                records.take(name, || value(name), bad)?;
            }
            "--connect-timeout" => {
                let v = value(&flag)?;
                connect_timeout = v
                    .parse()
                    .ok()
                    .filter(|&s: &u64| s > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| bad(format!("--connect-timeout takes seconds, not {v:?}")))?;
            }
            // timely's flags, with their values, go to timely.
            "-w" | "-n" | "-p" | "-h" | "--threads" | "--processes" | "--process"
            | "--hostfile" => {
                let v = value(&flag)?;
                timely.push(flag);
                timely.push(v);
            }
            "-r" | "--report" | "-z" | "--zerocopy" => timely.push(flag),
            other if other.starts_with('-') && other.len() > 2 && !other.starts_with("--") => {
                // -w4, -p1: a short timely flag with its value attached.
                if !matches!(&other[..2], "-w" | "-n" | "-p" | "-h") {
                    return Err(bad(format!("unknown flag {other:?}")));
                }
                timely.push(flag);
            }
            other => return Err(bad(format!("unknown flag {other:?}"))),
        }
    }
    let options = records.options();
    let csv = records.format() == InputFormat::Csv;
    if dict.is_none() && inputs.is_empty() {
        inputs.push(sample.join("sample.jsonl").display().to_string());
    }
    if inputs.is_empty() {
        return Err(bad("no --input given".to_string()));
    }
    Ok(Args {
        dict: dict.unwrap_or_else(|| sample.join("health_queries.toml")),
        inputs,
        json,
        bucket,
        options,
        csv,
        timely,
        connect_timeout,
    })
}
