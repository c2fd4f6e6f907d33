//! How `cluster_count` shares its inputs among workers: whole files dealt round-robin, or
//! byte ranges cut at line boundaries.
//!
//! Standard library and `memchr` only, so that `tests/cluster.rs` can include it with
//! `#[path = "../examples/cluster/shares.rs"] mod shares;` and check the cuts without timely.
//!
//! - With at least as many files as workers (or CSV, whose quoted cells may hold line breaks,
//!   and whose header row is in the first line only), worker `w` of `W` reads files `w`,
//!   `w + W`, `w + 2W`, … whole.
//! - Otherwise the files, end to end, are cut into `W` byte ranges of nearly equal length, and
//!   worker `w` reads the `w`-th: one or several [`Segment`]s of files. A worker owns the
//!   records whose first byte falls in its range: it starts just after the first `\n` at or
//!   after `start - 1` (at 0 when `start` is 0) and stops at the first line that starts at or
//!   after `end`. Both ends are found by the same rule, so neighbouring ranges meet exactly and
//!   every line is read by exactly one worker.

#![allow(dead_code)]

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// A part of one input file that one worker reads: the records whose first byte is in
/// `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The input's index in the order given.
    pub input: usize,
    /// The first byte of the range.
    pub start: u64,
    /// Just past the last byte of the range.
    pub end: u64,
}

/// The segments worker `worker` of `workers` reads, for inputs of lengths `lengths`. Byte
/// ranges are cut only when `may_cut` (JSON Lines) and there are fewer files than workers.
pub fn share(lengths: &[u64], workers: usize, worker: usize, may_cut: bool) -> Vec<Segment> {
    let workers = workers.max(1);
    if !may_cut || lengths.len() >= workers {
        return lengths
            .iter()
            .enumerate()
            .filter(|&(i, _)| i % workers == worker)
            .map(|(input, &len)| Segment {
                input,
                start: 0,
                end: len,
            })
            .collect();
    }
    let total: u64 = lengths.iter().sum();
    let cut = |w: usize| (u128::from(total) * w as u128 / workers as u128) as u64;
    let (from, to) = (cut(worker), cut(worker + 1));
    let mut segments = Vec::new();
    let mut base = 0;
    for (input, &len) in lengths.iter().enumerate() {
        let (start, end) = (from.max(base), to.min(base + len));
        if start < end {
            segments.push(Segment {
                input,
                start: start - base,
                end: end - base,
            });
        }
        base += len;
    }
    segments
}

/// The first line start at or after `pos` in `file` of length `len`: `pos` itself when it is
/// 0 or follows a `\n`, `len` when there is none.
pub fn line_start_at_or_after<F: Read + Seek>(file: &mut F, len: u64, pos: u64) -> io::Result<u64> {
    if pos == 0 || pos >= len {
        return Ok(pos.min(len));
    }
    file.seek(SeekFrom::Start(pos - 1))?;
    let mut at = pos - 1;
    let mut buf = vec![0; 64 << 10];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(len);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok((at + i as u64 + 1).min(len));
        }
        at += n as u64;
    }
}

/// The number of `\n` in the first `limit` bytes of `reader`.
pub fn count_newlines<R: Read>(mut reader: R, limit: u64) -> io::Result<u64> {
    let mut left = limit;
    let mut newlines = 0;
    let mut buf = vec![0; 1 << 20];
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = reader.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        newlines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        left -= n as u64;
    }
    Ok(newlines)
}

/// A segment opened for reading.
pub struct Opened {
    /// The segment's records. A segment that does not start the file is preceded by one `\n`,
    /// a blank line: it keeps a byte order mark at the start of the segment data (as it is
    /// in the middle of a file), and makes the reader's line 2 the segment's first line.
    pub reader: io::Chain<io::Cursor<&'static [u8]>, io::Take<File>>,
    /// Add this to the reader's line numbers to get the file's.
    pub line_offset: u64,
    /// The byte range actually read, after cutting at line boundaries.
    pub bytes: std::ops::Range<u64>,
}

/// Opens `segment` of the file at `path`, of length `len`: `None` when no line starts in it.
pub fn open(path: &Path, len: u64, segment: Segment) -> io::Result<Option<Opened>> {
    let mut file = File::open(path)?;
    let begin = line_start_at_or_after(&mut file, len, segment.start)?;
    let finish = line_start_at_or_after(&mut file, len, segment.end)?;
    if begin >= finish {
        return Ok(None);
    }
    let (prefix, line_offset): (&'static [u8], u64) = if begin == 0 {
        (b"", 0)
    } else {
        file.seek(SeekFrom::Start(0))?;
        // The file's line of the segment's first byte is newlines + 1; the reader's is 2.
        (b"\n", count_newlines(&mut file, begin)? - 1)
    };
    file.seek(SeekFrom::Start(begin))?;
    Ok(Some(Opened {
        reader: io::Cursor::new(prefix).chain(file.take(finish - begin)),
        line_offset,
        bytes: begin..finish,
    }))
}
