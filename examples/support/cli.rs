//! The command-line pieces shared by the examples `count`, `report` and `cluster_count`
//! (included with `#[path]`): the failure type and its exit status, usage errors, `--help`,
//! and the values of `--format`, `--bucket` and `--threads`.
//!
//! Exit status: 2 for bad flags or input (a usage error is followed by the usage), 1 when the
//! output cannot be written; `cluster_count` adds 3 for a cluster that cannot start.

use topictally::TimeBucket;

/// A failure, with the exit status it deserves.
pub struct Failure {
    pub status: i32,
    pub message: String,
}

pub fn fail(status: i32, message: impl Into<String>) -> Failure {
    Failure {
        status,
        message: message.into(),
    }
}

/// Runs the example `name`: on a failure, prints `name: message` (if there is a message) on
/// standard error and exits with the failure's status.
pub fn main(name: &str, run: impl FnOnce() -> Result<(), Failure>) {
    match run() {
        Ok(()) => {}
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("{name}: {}", f.message);
            }
            std::process::exit(f.status);
        }
    }
}

/// What turns a problem with the flags into a failure: status 2, the problem, then `usage`.
pub fn usage_error(usage: &'static str) -> impl Fn(String) -> Failure + Copy {
    move |m| fail(2, format!("{m}\n{usage}"))
}

/// `--help`: prints `usage` on standard output and exits with status 0.
pub fn help(usage: &str) -> ! {
    println!("{usage}");
    std::process::exit(0);
}

/// The value of `--format`: `json` (true) or `table` (false).
#[allow(dead_code)] // `report` has no --format
pub fn json_format(v: &str) -> Result<bool, String> {
    match v {
        "json" => Ok(true),
        "table" => Ok(false),
        other => Err(format!("--format takes table or json, not {other:?}")),
    }
}

/// The value of `--bucket`: `day`, `hour` or `month`.
pub fn bucket(v: &str) -> Result<TimeBucket, String> {
    v.parse().map_err(|e| format!("--bucket: {e}"))
}

/// The value of `--threads`: a positive number.
#[allow(dead_code)] // `cluster_count`'s --threads is timely's
pub fn threads(v: &str) -> Result<usize, String> {
    v.parse()
        .ok()
        .filter(|&n: &usize| n > 0)
        .ok_or_else(|| format!("--threads takes a positive number, not {v:?}"))
}

/// Makes the classifier use `threads` threads, if given (all cores otherwise).
#[allow(dead_code)] // `cluster_count`'s --threads is timely's
pub fn start_threads(threads: Option<usize>) -> Result<(), Failure> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| fail(2, format!("cannot start {n} threads: {e}")))?;
    }
    Ok(())
}
