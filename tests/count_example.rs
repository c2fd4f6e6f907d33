//! The `count` example run as a process: the no-argument run, JSON equal to the reference's
//! counts of the same bytes, standard input, snapshots, and exit statuses.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use topictally::Dictionary;

use crate::reference::{self, RefBucket};

fn count_binary() -> PathBuf {
    crate::support::example_binary("count")
}

fn data(name: &str) -> PathBuf {
    crate::support::sample_data(name)
}

fn count(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(count_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the count example");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("count example output")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn no_arguments_runs_the_bundled_sample() {
    let o = count(&[], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let dictionary = Dictionary::from_path(data("health_queries.toml")).unwrap();
    for topic in dictionary.topics() {
        assert!(
            out.contains(&format!("\n{}: ", topic.name())),
            "topic {} missing from\n{out}",
            topic.name()
        );
    }
    assert!(out.contains(" messages, "), "{out}");
    assert!(stderr(&o).contains("malformed record"), "{}", stderr(&o));
}

#[test]
fn json_equals_the_reference_on_the_sample() {
    let o = count(&["--format", "json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    let dictionary = Dictionary::from_path(data("health_queries.toml")).unwrap();
    let input = std::fs::read(data("sample.jsonl")).unwrap();
    let want = reference::count_jsonl(
        &crate::support::ref_topics(&dictionary),
        &input,
        RefBucket::Day,
        16 << 20,
        false,
    );
    assert_eq!(got, want);
    assert!(
        got["errors"]["malformed"].as_u64().unwrap() > 0,
        "the sample has malformed lines"
    );
}

#[test]
fn toml_and_json_dictionaries_count_alike() {
    let toml = count(
        &[
            "--dict",
            data("health.toml").to_str().unwrap(),
            "--input",
            data("sample.jsonl").to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    let json = count(
        &[
            "--dict",
            data("health.json").to_str().unwrap(),
            "--input",
            data("sample.jsonl").to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(toml.status.code(), Some(0));
    assert_eq!(stdout(&toml), stdout(&json));
}

#[test]
fn standard_input_and_hour_buckets() {
    let input = std::fs::read(data("sample.jsonl")).unwrap();
    let dict = data("health.toml");
    let o = count(
        &[
            "--dict",
            dict.to_str().unwrap(),
            "--input",
            "-",
            "--format",
            "json",
            "--bucket",
            "hour",
            "--threads",
            "2",
        ],
        Some(&input),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let dictionary = Dictionary::from_path(&dict).unwrap();
    let want = reference::count_jsonl(
        &crate::support::ref_topics(&dictionary),
        &input,
        RefBucket::Hour,
        16 << 20,
        false,
    );
    assert_eq!(got, want);
}

#[test]
fn snapshots_every_n_messages() {
    let dict = data("health.toml");
    let mut input = Vec::new();
    for i in 0..2000 {
        writeln!(
            input,
            "{{\"text\": \"health insurance premiums, day {i}\", \"source\": \"twitter\"}}"
        )
        .unwrap();
    }
    let o = count(
        &[
            "--dict",
            dict.to_str().unwrap(),
            "--input",
            "-",
            "--format",
            "json",
            "--every",
            "500",
        ],
        Some(&input),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(!lines.is_empty());
    let last = lines.last().unwrap();
    assert_eq!(last["total_messages"], 2000);
    let totals: Vec<u64> = lines
        .iter()
        .map(|l| l["total_messages"].as_u64().unwrap())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] <= w[1]),
        "snapshots only grow: {totals:?}"
    );
}

#[test]
fn bad_dictionary_exits_2_naming_file_and_problem() {
    let dir = std::env::temp_dir().join(format!("topictally-count-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dict = dir.join("bad.toml");
    std::fs::write(
        &dict,
        "[[topics]]\nname = \"x\"\nkeywords = [\"a\", \"\"]\n",
    )
    .unwrap();
    let o = count(
        &["--dict", dict.to_str().unwrap(), "--input", "-"],
        Some(b""),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}:3:18: topic \"x\": keyword 2 is empty",
            dict.display()
        )),
        "{err}"
    );
}

#[test]
fn unreadable_input_and_bad_flags_exit_2() {
    let o = count(
        &[
            "--dict",
            data("health.toml").to_str().unwrap(),
            "--input",
            "/no/such/file.jsonl",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("count: /no/such/file.jsonl: cannot open: "),
        "{}",
        stderr(&o)
    );
    for args in [
        &["--format", "xml"][..],
        &["--bucket", "week"],
        &["--every", "0"],
        &["--threads", "x"],
        &["--frobnicate"],
    ] {
        let o = count(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).starts_with("count: "),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// Sends SIGINT the way Ctrl-C does.
fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[test]
fn ctrl_c_on_an_idle_stream_prints_the_final_counts_and_exits_0() {
    use std::io::{BufRead, BufReader};
    let dict = data("health.toml");
    let mut child = Command::new(count_binary())
        .args([
            "--dict",
            dict.to_str().unwrap(),
            "--input",
            "-",
            "--format",
            "json",
            "--every",
            "50ms",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the count example");
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..3 {
        writeln!(
            stdin,
            "{{\"text\": \"health insurance premiums {i}\", \"source\": \"twitter\"}}"
        )
        .unwrap();
    }
    stdin.flush().unwrap();
    // The input stays open and idle, like `tail -f`: wait for a snapshot with all 3 messages.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no snapshot with 3 messages"
        );
        let line = lines.next().expect("a snapshot line").unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["total_messages"] == 3 {
            break;
        }
    }
    interrupt(child.id());
    // The final counts come last, on one line.
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(0));
    let last: serde_json::Value = serde_json::from_str(rest.last().expect("final counts")).unwrap();
    assert_eq!(last["total_messages"], 3);
    assert_eq!(last["topics"]["health insurance"]["messages"], 3);
}

#[test]
fn unwritable_output_exits_non_zero_with_a_message() {
    let mut child = Command::new(count_binary())
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the count example");
    // Close the reading end before anything is written: the write fails (EPIPE).
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("count: cannot write the counts: "), "{err}");
}

#[test]
fn full_disk_exits_non_zero_with_a_message() {
    // /dev/full accepts the open and fails every write with ENOSPC, as a full disk does.
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full on this system");
        return;
    };
    let output = Command::new(count_binary())
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("run the count example");
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("count: cannot write the counts: "), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
}
