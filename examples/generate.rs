//! Writes a seeded synthetic corpus (JSON Lines) or dictionary (TOML) to stdout.
//!
//! ```text
//! cargo run --release --example generate -- --messages 1000000 --seed 7 > corpus.jsonl
//! cargo run --release --example generate -- --spike-day 12 --spike-factor 5 \
//!     --spike-words "health insurance,open enrollment" | head
//! cargo run --release --example generate -- --dictionary 10000 > dictionary.toml
//! ```
//!
//! Standard library only; the generator itself is `examples/support/synth.rs`.

#[path = "support/synth.rs"]
mod synth;

use std::error::Error;
use std::io::{self, Write};

const USAGE: &str = "\
generate: write a seeded synthetic corpus (JSON Lines) or dictionary (TOML) to stdout

USAGE:
    generate [OPTIONS]

CORPUS OPTIONS:
    --messages N         lines to write, malformed ones included        [default: 10000]
    --seed N             random seed; same seed, same output            [default: 42]
    --start YYYY-MM-DD   first day of the timestamps (UTC)              [default: 2026-10-01]
    --days N             days the timestamps spread over                [default: 30]
    --zh SHARE           share of Chinese (weibo) messages, 0..1        [default: 0.05]
    --malformed SHARE    share of malformed lines, 0..1                 [default: 0]
    --spike-day D        plant a burst on day D (0-based, < days)
    --spike-factor F     that day gets F times an ordinary day's volume [default: 5]
    --spike-words LIST   comma-separated words the extra messages contain
                                                [default: health insurance,open enrollment]

DICTIONARY OPTIONS:
    --dictionary N       write a TOML dictionary of N keywords instead of a corpus
    --vocabulary FILE    draw its keywords from FILE (one entry per line) instead of
                         built-in syllable words
    --seed N             as above

    -h, --help           print this help

Options take their value as the next argument or after '=' (--seed=7).
Lines are {\"id\",\"text\",\"source\",\"timestamp\",\"lang\"} records in timestamp order.
";

fn main() {
    if let Err(e) = run() {
        eprintln!("generate: {e}");
        std::process::exit(2)
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string()
                .map_err(|a| format!("argument {a:?} is not valid UTF-8 (try --help)"))
        })
        .collect::<Result<Vec<String>, String>>()?;
    let opts = match parse_args(args.into_iter())? {
        Some(opts) => opts,
        None => {
            // --help
            return quiet_pipe(io::stdout().lock().write_all(USAGE.as_bytes()));
        }
    };
    let stdout = io::stdout().lock();
    match opts.dictionary {
        Some(n) => {
            let vocabulary = match &opts.vocabulary {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read vocabulary {path}: {e}"))?
                    .lines()
                    .map(str::to_owned)
                    .collect(),
                None => Vec::new(),
            };
            let toml = synth::dictionary_toml(n, opts.config.seed, &vocabulary);
            let mut out = stdout;
            quiet_pipe(out.write_all(toml.as_bytes()).and_then(|()| out.flush()))
        }
        None => quiet_pipe(synth::write_jsonl(stdout, &opts.config).map(|_| ())),
    }
}

/// A closed stdout (`generate | head`) is a normal way to stop: end quietly, status 0.
fn quiet_pipe(r: io::Result<()>) -> Result<(), Box<dyn Error>> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write output: {e}").into()),
        Ok(()) => Ok(()),
    }
}

struct Options {
    config: synth::CorpusConfig,
    dictionary: Option<usize>,
    vocabulary: Option<String>,
}

/// `Ok(None)` means `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut config = synth::CorpusConfig::default();
    let mut dictionary = None;
    let mut vocabulary = None;
    let mut spike_day: Option<u32> = None;
    let mut spike_factor: Option<f64> = None;
    let mut spike_words: Option<Vec<String>> = None;
    let mut corpus_only: Vec<&'static str> = Vec::new();

    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let known: &'static str = match flag.as_str() {
            "--messages" => "--messages",
            "--seed" => "--seed",
            "--start" => "--start",
            "--days" => "--days",
            "--zh" => "--zh",
            "--malformed" => "--malformed",
            "--spike-day" => "--spike-day",
            "--spike-factor" => "--spike-factor",
            "--spike-words" => "--spike-words",
            "--dictionary" => "--dictionary",
            "--vocabulary" => "--vocabulary",
            _ if flag.starts_with('-') => {
                return Err(format!("unknown option {flag} (try --help)"));
            }
            _ => return Err(format!("unexpected argument {arg:?} (try --help)")),
        };
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("{known} needs a value (try --help)"))?,
        };
        match known {
            "--messages" => {
                config.messages = parse_num(known, &value)?;
                corpus_only.push(known);
            }
            "--seed" => config.seed = parse_num(known, &value)?,
            "--start" => {
                config.start_unix = parse_date(&value)
                    .ok_or_else(|| format!("--start: {value:?} is not a date YYYY-MM-DD"))?;
                corpus_only.push(known);
            }
            "--days" => {
                config.days = parse_num(known, &value)?;
                if config.days == 0 {
                    return Err("--days must be at least 1".into());
                }
                corpus_only.push(known);
            }
            "--zh" => {
                config.non_english = parse_share(known, &value)?;
                corpus_only.push(known);
            }
            "--malformed" => {
                config.malformed = parse_share(known, &value)?;
                corpus_only.push(known);
            }
            "--spike-day" => {
                spike_day = Some(parse_num(known, &value)?);
                corpus_only.push(known);
            }
            "--spike-factor" => {
                let f: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("--spike-factor: {value:?} is not a number"))?;
                if !f.is_finite() || f < 0.0 {
                    return Err(format!("--spike-factor must be a number >= 0, not {value}"));
                }
                spike_factor = Some(f);
                corpus_only.push(known);
            }
            "--spike-words" => {
                let words: Vec<String> = value
                    .split(',')
                    .map(|w| w.trim().to_owned())
                    .filter(|w| !w.is_empty())
                    .collect();
                if words.is_empty() {
                    return Err("--spike-words needs at least one word".into());
                }
                spike_words = Some(words);
                corpus_only.push(known);
            }
            "--dictionary" => dictionary = Some(parse_num(known, &value)?),
            "--vocabulary" => vocabulary = Some(value),
            _ => unreachable!(),
        }
    }

    if dictionary.is_some() {
        if let Some(flag) = corpus_only.first() {
            return Err(format!(
                "{flag} is a corpus option; it cannot go with --dictionary"
            ));
        }
    } else if vocabulary.is_some() {
        return Err("--vocabulary needs --dictionary N".into());
    }
    match spike_day {
        Some(day) => {
            if day >= config.days {
                return Err(format!(
                    "--spike-day {day} is outside the {} days (0..{})",
                    config.days, config.days
                ));
            }
            config.spike = Some(synth::Spike {
                day,
                factor: spike_factor.unwrap_or(5.0),
                words: spike_words.unwrap_or_else(|| {
                    vec!["health insurance".to_owned(), "open enrollment".to_owned()]
                }),
            });
        }
        None if spike_factor.is_some() || spike_words.is_some() => {
            return Err("--spike-factor and --spike-words need --spike-day".into());
        }
        None => {}
    }
    config.validate()?;
    Ok(Some(Options {
        config,
        dictionary,
        vocabulary,
    }))
}

fn parse_num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    let v = value.trim().replace('_', "");
    v.parse()
        .map_err(|_| format!("{flag}: {value:?} is not a whole number in range"))
}

fn parse_share(flag: &str, value: &str) -> Result<f64, String> {
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a number"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!("{flag} is a share between 0 and 1, not {value}"));
    }
    Ok(v)
}

/// `YYYY-MM-DD` to the Unix time of its midnight UTC.
fn parse_date(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &b[r];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if y < 1 || d < 1 || d > month_len {
        return None;
    }
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}
