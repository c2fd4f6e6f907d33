//! The `cluster_count` example (feature `cluster`, on timely dataflow) run as real processes:
//! two processes on 127.0.0.1 with two workers each, and one process with four (and three)
//! workers, over a generated corpus split into several files, into fewer files than workers,
//! and kept as one large file. Each must print, byte for byte, the JSON of the sequential
//! `count` on the same inputs, and report malformed records at the same files and lines.
//!
//! `cargo test` does not build the example (it needs the feature), so the test builds it
//! itself, in the dev profile and in its own target directory (`target/cluster-test`): the
//! `cargo test` that runs this holds the lock of the usual one. Every child process is killed
//! after 60 seconds, so a hung cluster fails the test instead of hanging it.

use std::fs::File;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[path = "../examples/cluster/shares.rs"]
mod shares;
// Also a module of `report`, whose copy is private to it.
#[allow(clippy::duplicate_mod)]
#[path = "../examples/support/synth.rs"]
mod synth;

/// How long any child process may run.
const LIMIT: Duration = Duration::from_secs(60);

/// The `cluster_count` binary, built once for all tests of this module; `None` (with a note)
/// when cargo cannot be run.
fn cluster_binary() -> Option<&'static Path> {
    static BINARY: OnceLock<Option<PathBuf>> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            let target = manifest.join("target").join("cluster-test");
            let cargo = std::env::var_os("CARGO")
                .or_else(|| option_env!("CARGO").map(Into::into))
                .unwrap_or_else(|| "cargo".into());
            let started = Instant::now();
            let status = Command::new(&cargo)
                .args(["build", "--quiet", "--features", "cluster", "--example"])
                .arg("cluster_count")
                .arg("--manifest-path")
                .arg(manifest.join("Cargo.toml"))
                .env("CARGO_TARGET_DIR", &target)
                .stdin(Stdio::null())
                .status();
            match status {
                Err(e) => {
                    eprintln!(
                        "cluster: skipped: cannot run {} to build the example: {e}",
                        Path::new(&cargo).display()
                    );
                    None
                }
                Ok(status) => {
                    assert!(
                        status.success(),
                        "cargo build --features cluster --example cluster_count failed"
                    );
                    eprintln!(
                        "cluster: built cluster_count with the cluster feature in {:.1?}",
                        started.elapsed()
                    );
                    let bin = target
                        .join("debug")
                        .join("examples")
                        .join(format!("cluster_count{}", std::env::consts::EXE_SUFFIX));
                    assert!(bin.exists(), "{} is missing", bin.display());
                    Some(bin)
                }
            }
        })
        .as_deref()
}

fn count_binary() -> PathBuf {
    crate::support::example_binary("count")
}

/// A scratch directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("cluster-test")
        .join("runs")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A corpus with malformed lines, plus what cuts must not break: blank lines, CRLF line
/// ends, a byte order mark in the middle of the file (data there, hence malformed), a record
/// without a final line end.
fn corpus() -> Vec<u8> {
    let config = synth::CorpusConfig {
        messages: 6_000,
        seed: 7,
        malformed: 0.03,
        ..synth::CorpusConfig::default()
    };
    let generated = synth::corpus(&config);
    let mut out = Vec::with_capacity(generated.len() + 1024);
    for (i, line) in generated.split_inclusive(|&b| b == b'\n').enumerate() {
        match i % 997 {
            100 => out.extend_from_slice(b"\n\n"),
            200 => out.extend_from_slice(b"\xEF\xBB\xBF"),
            _ => {}
        }
        if i % 1201 == 300 && line.ends_with(b"\n") {
            out.extend_from_slice(&line[..line.len() - 1]);
            out.extend_from_slice(b"\r\n");
        } else {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"{\"text\": \"health insurance, last line, no line end\"}");
    out
}

/// Writes `corpus` as `parts` files of uneven sizes, cut at line ends.
fn write_parts(dir: &Path, corpus: &[u8], parts: usize) -> Vec<String> {
    let lines: Vec<&[u8]> = corpus.split_inclusive(|&b| b == b'\n').collect();
    let mut names = Vec::new();
    let mut at = 0;
    for part in 0..parts {
        // Part k gets a share proportional to k + 1.
        let weight_before: usize = (1..=part).sum();
        let total_weight: usize = (1..=parts).sum();
        let end = if part + 1 == parts {
            lines.len()
        } else {
            lines.len() * (weight_before + part + 1) / total_weight
        };
        let name = dir.join(format!("part-{part}.jsonl"));
        let mut file = File::create(&name).expect("create a part");
        for line in &lines[at..end] {
            file.write_all(line).expect("write a part");
        }
        names.push(name.display().to_string());
        at = end;
    }
    names
}

/// Runs `children` to their end, killing all of them after [`LIMIT`].
fn wait_all(mut children: Vec<(String, Child)>) -> Vec<(String, std::process::ExitStatus)> {
    let deadline = Instant::now() + LIMIT;
    let mut statuses: Vec<Option<std::process::ExitStatus>> =
        children.iter().map(|_| None).collect();
    while statuses.iter().any(Option::is_none) {
        for (i, (_, child)) in children.iter_mut().enumerate() {
            if statuses[i].is_none() {
                statuses[i] = child.try_wait().expect("wait for a child");
            }
        }
        if Instant::now() >= deadline {
            for (_, child) in &mut children {
                let _ = child.kill();
                let _ = child.wait();
            }
            let names: Vec<&str> = children.iter().map(|(n, _)| n.as_str()).collect();
            panic!("{names:?} did not finish within {LIMIT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    children
        .into_iter()
        .zip(statuses)
        .map(|((name, _), status)| (name, status.expect("finished")))
        .collect()
}

/// Starts `program` with `args`, its standard output and error going to files in `dir`.
fn spawn(dir: &Path, label: &str, program: &Path, args: &[String]) -> (String, Child) {
    let out = File::create(dir.join(format!("{label}.out"))).expect("stdout file");
    let err = File::create(dir.join(format!("{label}.err"))).expect("stderr file");
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    (label.to_string(), child)
}

fn read(dir: &Path, name: &str) -> String {
    String::from_utf8(std::fs::read(dir.join(name)).expect("read an output")).expect("UTF-8")
}

/// Two distinct free ports on 127.0.0.1: both are bound before either is released, so the
/// two processes of a run are never given the same one.
fn free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("local address").port();
    (port(&a), port(&b))
}

/// Runs `count --format json` and every cluster layout on `inputs`, and compares.
fn compare(name: &str, inputs: &[String]) {
    let Some(cluster) = cluster_binary() else {
        return;
    };
    let dir = scratch(name);
    let dict = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/health_queries.toml");
    let mut common = vec![
        "--dict".to_string(),
        dict.display().to_string(),
        "--format".to_string(),
        "json".to_string(),
    ];
    for input in inputs {
        common.push("--input".to_string());
        common.push(input.clone());
    }

    let sequential = spawn(&dir, "count", &count_binary(), &common);
    for (label, status) in wait_all(vec![sequential]) {
        assert!(
            status.success(),
            "{label}: {status}\n{}",
            read(&dir, "count.err")
        );
    }
    let want = read(&dir, "count.out");
    let want_errors = read(&dir, "count.err").replacen("count: ", "cluster_count: ", 1);
    assert!(want.contains("\"malformed\": "), "{want}");
    assert!(
        want_errors.contains("malformed records skipped"),
        "the corpus has malformed lines: {want_errors}"
    );

    let hostfile = dir.join("hosts");
    let (first, second) = free_ports();
    std::fs::write(
        &hostfile,
        format!("127.0.0.1:{first}\n127.0.0.1:{second}\n"),
    )
    .expect("write the hostfile");
    let with = |extra: &[&str]| -> Vec<String> {
        let mut args = common.clone();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let hosts = hostfile.display().to_string();
    let runs: Vec<(&str, Vec<Vec<String>>)> = vec![
        (
            "two processes, two workers each",
            vec![
                with(&["-w", "2", "-n", "2", "-p", "0", "-h", &hosts]),
                with(&["-w", "2", "-n", "2", "-p", "1", "-h", &hosts]),
            ],
        ),
        ("one process, four workers", vec![with(&["-w", "4"])]),
        ("one process, three workers", vec![with(&["-w", "3"])]),
    ];
    for (run, processes) in runs {
        let children = processes
            .iter()
            .enumerate()
            .map(|(p, args)| spawn(&dir, &format!("cluster-{p}"), cluster, args))
            .collect();
        for (label, status) in wait_all(children) {
            assert!(
                status.success(),
                "{name}, {run}: {label}: {status}\n{}",
                read(&dir, &format!("{label}.err"))
            );
        }
        let got = read(&dir, "cluster-0.out");
        assert!(
            got == want,
            "{name}, {run}: the JSON differs from count's\n--- count\n{want}\n--- cluster_count\n{got}"
        );
        assert_eq!(
            read(&dir, "cluster-0.err"),
            want_errors,
            "{name}, {run}: malformed records reported differently"
        );
        for p in 1..processes.len() {
            assert_eq!(
                read(&dir, &format!("cluster-{p}.out")),
                "",
                "{name}, {run}: process {p}"
            );
        }
    }
}

#[test]
fn many_files_count_as_count_does() {
    let dir = scratch("many-files-input");
    let inputs = write_parts(&dir, &corpus(), 7);
    compare("many-files", &inputs);
}

#[test]
fn fewer_files_than_workers_count_as_count_does() {
    let dir = scratch("few-files-input");
    let inputs = write_parts(&dir, &corpus(), 2);
    compare("few-files", &inputs);
}

#[test]
fn one_large_file_counts_as_count_does() {
    let dir = scratch("one-file-input");
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, corpus()).expect("write the corpus");
    compare("one-file", &[path.display().to_string()]);
}

/// Every line of every file is read by exactly one worker, whatever the number of workers,
/// and the line numbers of the segments are the file's.
#[test]
fn shares_cut_at_line_boundaries() {
    use std::io::Read;
    let dir = scratch("shares");
    let mut corpus = corpus();
    corpus.truncate(200_000);
    let names = write_parts(&dir, &corpus, 3);
    // And a file of one long line, and an empty one.
    let long = dir.join("long.jsonl");
    std::fs::write(&long, vec![b'x'; 50_000]).unwrap();
    let empty = dir.join("empty.jsonl");
    std::fs::write(&empty, b"").unwrap();
    let mut files: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
    files.push(long);
    files.push(empty);
    let contents: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let lengths: Vec<u64> = contents.iter().map(|c| c.len() as u64).collect();
    for workers in [1, 2, 4, 5, 6, 7, 16, 64, 1000] {
        let mut rebuilt: Vec<Vec<u8>> = contents.iter().map(|_| Vec::new()).collect();
        for worker in 0..workers {
            for segment in shares::share(&lengths, workers, worker, true) {
                let Some(mut opened) =
                    shares::open(&files[segment.input], lengths[segment.input], segment)
                        .expect("open a segment")
                else {
                    continue;
                };
                let mut bytes = Vec::new();
                opened.reader.read_to_end(&mut bytes).unwrap();
                let file = &contents[segment.input];
                let begin = opened.bytes.start as usize;
                assert_eq!(
                    rebuilt[segment.input].len(),
                    begin,
                    "{workers} workers: a gap or overlap"
                );
                if begin == 0 {
                    assert_eq!(opened.line_offset, 0);
                } else {
                    assert_eq!(bytes[0], b'\n', "a cut segment starts with a blank line");
                    bytes.remove(0);
                    assert_eq!(file[begin - 1], b'\n', "cut after a line end");
                    let line = file[..begin].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                    // The reader's line 2 is the segment's first line.
                    assert_eq!(opened.line_offset + 2, line);
                }
                rebuilt[segment.input].extend_from_slice(&bytes);
            }
        }
        assert_eq!(rebuilt, contents, "{workers} workers");
    }
    // CSV files are never cut.
    let csv = shares::share(&lengths, 16, 3, false);
    assert_eq!(
        csv,
        [shares::Segment {
            input: 3,
            start: 0,
            end: lengths[3]
        }]
    );
}
