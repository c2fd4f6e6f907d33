//! Counting streams of records (JSON Lines or CSV) on all cores, with bounded memory, while
//! other threads take snapshots of the counts.
//!
//! The calling thread reads and cuts the input into records ([`Splitter`]); complete records
//! are gathered into batches, and each batch is parsed and classified by a rayon task into
//! the tally of the worker thread that runs it. Batches are recycled through a pool of fixed
//! size, so a reader faster than the classifiers waits instead of buffering. A batch is handed
//! out whenever the reader is about to wait for more input, so a slow stream (`tail -f`) is
//! counted as it arrives, and a snapshot is never behind what was read by more than the
//! batches being classified at that moment.

use std::cell::RefCell;
use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::classify::Classifier;
use crate::counts::{Counts, Tally, FIRST_LINES};
use crate::error::RecordError;
use crate::message::Message;
use crate::record::{parse_json_record, FieldNames, Record, RecordErrorKind};
use crate::split::{CsvColumns, InputFormat, RawRecord, Splitter};
use crate::timestamp::Timestamp;

/// The default record size limit: 16 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// A batch is handed to the classifiers at the latest when it holds this many bytes...
const BATCH_BYTES: usize = 1 << 20;
/// ...or this many records.
const BATCH_RECORDS: usize = 8192;

/// How records are read: their format, field names, decoding and size limit.
///
/// ```
/// use topictally::{FieldNames, InputFormat, ReadOptions};
///
/// let mut options = ReadOptions::new();
/// options
///     .format(InputFormat::Csv)
///     .fields(FieldNames { text: "content".into(), source: "platform".into(), ..FieldNames::default() })
///     .lossy_utf8(true)
///     .max_record_bytes(1 << 20);
/// ```
#[derive(Clone, Debug)]
pub struct ReadOptions {
    format: InputFormat,
    fields: FieldNames,
    lossy: bool,
    max_record_bytes: usize,
    buffer_capacity: usize,
    since: Option<Timestamp>,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            format: InputFormat::JsonLines,
            fields: FieldNames::default(),
            lossy: false,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            buffer_capacity: 256 << 10,
            since: None,
        }
    }
}

impl ReadOptions {
    /// The defaults: JSON Lines, fields `text`, `source`, `timestamp`, `lang`, strict UTF-8,
    /// records up to [`DEFAULT_MAX_RECORD_BYTES`].
    pub fn new() -> ReadOptions {
        ReadOptions::default()
    }

    /// The input format. Default: [`InputFormat::JsonLines`].
    pub fn format(&mut self, format: InputFormat) -> &mut ReadOptions {
        self.format = format;
        self
    }

    /// The names of the fields (JSON keys or CSV columns) holding the text, source,
    /// timestamp and language. Default: [`FieldNames::default`].
    pub fn fields(&mut self, fields: FieldNames) -> &mut ReadOptions {
        self.fields = fields;
        self
    }

    /// Whether invalid UTF-8 is replaced by U+FFFD instead of making the record malformed.
    /// Default: false.
    pub fn lossy_utf8(&mut self, yes: bool) -> &mut ReadOptions {
        self.lossy = yes;
        self
    }

    /// The longest record accepted, in bytes without its line end; a longer one is skipped
    /// without being buffered, and counted as malformed. At most `u32::MAX`.
    /// Default: [`DEFAULT_MAX_RECORD_BYTES`].
    pub fn max_record_bytes(&mut self, limit: usize) -> &mut ReadOptions {
        self.max_record_bytes = limit.min(u32::MAX as usize);
        self
    }

    /// Counts only the messages whose timestamp is at or after `since`; the others, and
    /// messages without a timestamp, are skipped: neither counted nor malformed (they appear
    /// in [`Progress::skipped`]). Default: `None`, every message counts.
    pub fn since(&mut self, since: Option<Timestamp>) -> &mut ReadOptions {
        self.since = since;
        self
    }

    /// The capacity of the read buffer. Tests set it tiny to exercise the boundaries.
    #[doc(hidden)]
    pub fn buffer_capacity(&mut self, bytes: usize) -> &mut ReadOptions {
        self.buffer_capacity = bytes.max(1);
        self
    }
}

/// How far a stream has been read and counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes read from the input.
    pub bytes: u64,
    /// Records (non-blank lines, or CSV records) read; each is counted either as a message or
    /// as malformed once classified.
    pub records: u64,
    /// Well-formed messages counted.
    pub messages: u64,
    /// Malformed records counted.
    pub malformed: u64,
    /// Well-formed records skipped by [`ReadOptions::since`].
    pub skipped: u64,
}

/// What one [`StreamTally::read`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadSummary {
    /// Bytes, messages and malformed records of this input.
    pub progress: Progress,
    /// The malformed records with the smallest line numbers (at most
    /// [`FIRST_LINES`](crate::FIRST_LINES)), with the reason each is malformed.
    pub errors: Vec<RecordError>,
    /// Whether reading stopped early because of [`StreamTally::stop`].
    pub stopped: bool,
    /// The latest timestamp of a well-formed record of this input (skipped ones included).
    pub latest: Option<Timestamp>,
}

struct Counters {
    bytes: AtomicU64,
    records: AtomicU64,
    messages: AtomicU64,
    malformed: AtomicU64,
    skipped: AtomicU64,
    /// Unix seconds of the latest timestamp seen, `i64::MIN` for none.
    latest: AtomicI64,
}

impl Default for Counters {
    fn default() -> Counters {
        Counters {
            bytes: AtomicU64::new(0),
            records: AtomicU64::new(0),
            messages: AtomicU64::new(0),
            malformed: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            latest: AtomicI64::new(i64::MIN),
        }
    }
}

impl Counters {
    fn progress(&self) -> Progress {
        Progress {
            bytes: self.bytes.load(Ordering::Relaxed),
            records: self.records.load(Ordering::Relaxed),
            messages: self.messages.load(Ordering::Relaxed),
            malformed: self.malformed.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
        }
    }

    fn latest(&self) -> Option<Timestamp> {
        match self.latest.load(Ordering::Relaxed) {
            i64::MIN => None,
            secs => Timestamp::from_unix_seconds(secs),
        }
    }
}

/// A running tally over streams of records: read one or many inputs, endless ones included,
/// and take a snapshot of the counts at any time from any thread.
///
/// Memory is bounded by the size of the counts plus a fixed number of batches, whatever the
/// length of the streams. Malformed records are counted with their line numbers (per input),
/// and reading goes on.
///
/// ```
/// use topictally::{Classifier, Dictionary, ReadOptions, StreamTally, TopicBuilder};
///
/// let dictionary = Dictionary::builder().topic(TopicBuilder::new("flu").keyword("flu")).build()?;
/// let classifier = Classifier::new(&dictionary)?;
/// let input = "{\"text\": \"Flu season\", \"source\": \"news\"}\nnot json\n{\"text\": \"no\"}\n";
///
/// let tally = StreamTally::new(&classifier, &ReadOptions::new());
/// let summary = tally.read(input.as_bytes())?;
/// assert_eq!(summary.errors[0].line(), Some(2));
/// let counts = tally.snapshot();
/// assert_eq!((counts.total_messages, counts.errors.malformed), (2, 1));
/// assert_eq!(counts.topics["flu"].by_source["news"].messages, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StreamTally<'c> {
    classifier: &'c Classifier,
    options: ReadOptions,
    /// One tally per rayon worker thread; a task locks the one of the thread running it.
    slots: Vec<Mutex<Tally<'c>>>,
    stopped: AtomicBool,
    counters: Counters,
}

impl std::fmt::Debug for StreamTally<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamTally")
            .field("options", &self.options)
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

/// Complete records waiting to be classified, and their bytes.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    records: Vec<RawRecord>,
}

impl Batch {
    fn push(&mut self, raw: RawRecord, bytes: &[u8]) {
        let start = self.bytes.len();
        self.bytes
            .extend_from_slice(bytes.get(raw.range.clone()).unwrap_or_default());
        self.records.push(RawRecord {
            range: start..self.bytes.len(),
            ..raw
        });
    }

    fn is_full(&self) -> bool {
        self.bytes.len() >= BATCH_BYTES || self.records.len() >= BATCH_RECORDS
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.records.clear();
    }
}

/// A reader that hands out the pending batch before every read, which may block.
struct HandOutBeforeRead<'a, R> {
    inner: R,
    hand_out: &'a dyn Fn(),
    bytes: [&'a AtomicU64; 2],
}

impl<R: Read> Read for HandOutBeforeRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (self.hand_out)();
        let n = self.inner.read(buf)?;
        for counter in self.bytes {
            counter.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl<'c> StreamTally<'c> {
    /// An empty running tally for `classifier`, reading records as `options` says.
    pub fn new(classifier: &'c Classifier, options: &ReadOptions) -> StreamTally<'c> {
        let slots = (0..rayon::current_num_threads().max(1))
            .map(|_| Mutex::new(classifier.new_tally()))
            .collect();
        StreamTally {
            classifier,
            options: options.clone(),
            slots,
            stopped: AtomicBool::new(false),
            counters: Counters::default(),
        }
    }

    /// Reads `reader` to its end (or until [`stop`](StreamTally::stop)), counting every
    /// record. Line numbers in errors are those of this input, from 1.
    ///
    /// # Errors
    ///
    /// Only I/O errors of the reader, and for CSV a header that cannot be read or has no
    /// text column. What was read before the error stays counted. Malformed records are not
    /// errors: they are counted, and listed in the summary.
    pub fn read<R: Read>(&self, reader: R) -> io::Result<ReadSummary> {
        let depth = 2 * rayon::current_num_threads() + 2;
        let (free_tx, free_rx) = mpsc::channel();
        for _ in 0..depth {
            let _ = free_tx.send(Batch::default());
        }
        let local = Counters::default();
        let errors = Mutex::new(Vec::new());
        let mut stopped = false;
        let result = rayon::in_place_scope(|scope| -> io::Result<()> {
            let pending = RefCell::new(Batch::default());
            let columns: RefCell<Option<CsvColumns>> = RefCell::new(None);
            let columns_ref = &columns;
            let (local, errors, free_tx, free_rx) = (&local, &errors, &free_tx, &free_rx);
            let hand_out = || {
                if pending.borrow().records.is_empty() {
                    return;
                }
                let fresh = next_free(free_rx);
                let batch = pending.replace(fresh);
                let columns = columns_ref.borrow().clone();
                scope.spawn(move |_| {
                    let mut batch = batch;
                    self.classify_batch(&batch, columns.as_ref(), local, errors);
                    batch.clear();
                    let _ = free_tx.send(batch);
                });
            };
            let reader = HandOutBeforeRead {
                inner: reader,
                hand_out: &hand_out,
                bytes: [&self.counters.bytes, &local.bytes],
            };
            let buffered = BufReader::with_capacity(self.options.buffer_capacity, reader);
            let mut splitter =
                Splitter::new(buffered, self.options.format, self.options.max_record_bytes);
            if self.options.format == InputFormat::Csv {
                if let Some(header) = splitter.read_header()? {
                    *columns.borrow_mut() = Some(CsvColumns::new(header, &self.options.fields)?);
                }
            }
            let mut record = Vec::new();
            loop {
                if self.stopped.load(Ordering::Relaxed) {
                    stopped = true;
                    break;
                }
                record.clear();
                let Some(raw) = splitter.next_record(&mut record)? else {
                    break;
                };
                for counters in [&self.counters, local] {
                    counters.records.fetch_add(1, Ordering::Relaxed);
                }
                let full = {
                    let mut batch = pending.borrow_mut();
                    batch.push(raw, &record);
                    batch.is_full()
                };
                if full {
                    hand_out();
                }
            }
            hand_out();
            Ok(())
        });
        result?;
        Ok(ReadSummary {
            progress: local.progress(),
            errors: errors.into_inner().unwrap_or_else(PoisonError::into_inner),
            stopped,
            latest: local.latest(),
        })
    }

    /// Parses and counts the records of one batch into the tally of the current thread.
    fn classify_batch(
        &self,
        batch: &Batch,
        columns: Option<&CsvColumns>,
        local: &Counters,
        errors: &Mutex<Vec<RecordError>>,
    ) {
        let slot = rayon::current_thread_index().unwrap_or(0) % self.slots.len();
        let mut tally = self.slots[slot]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (mut messages, mut malformed, mut skipped) = (0, 0, 0);
        let mut latest = i64::MIN;
        for raw in &batch.records {
            let result = match raw.too_long_error(self.options.max_record_bytes) {
                Some(kind) => Err(kind),
                None => self.parse(
                    batch.bytes.get(raw.range.clone()).unwrap_or_default(),
                    columns,
                ),
            };
            let result = result.and_then(|record| {
                if let Some(ts) = record.timestamp {
                    latest = latest.max(ts.unix_seconds());
                }
                if let Some(since) = self.options.since {
                    if record.timestamp.is_none_or(|ts| ts < since) {
                        return Ok(false);
                    }
                }
                let message = Message {
                    text: &record.text,
                    source: record.source.as_deref(),
                    timestamp: record.timestamp,
                    lang: record.lang.as_deref(),
                };
                tally
                    .add(&message)
                    .map(|()| true)
                    .map_err(|e| e.kind().clone())
            });
            match result {
                Ok(true) => messages += 1,
                Ok(false) => skipped += 1,
                Err(kind) => {
                    malformed += 1;
                    tally.add_malformed(Some(raw.line));
                    keep_smallest(errors, RecordError::new(Some(raw.line), kind));
                }
            }
        }
        drop(tally);
        for counters in [&self.counters, local] {
            counters.messages.fetch_add(messages, Ordering::Relaxed);
            counters.malformed.fetch_add(malformed, Ordering::Relaxed);
            counters.skipped.fetch_add(skipped, Ordering::Relaxed);
            counters.latest.fetch_max(latest, Ordering::Relaxed);
        }
    }

    fn parse<'b>(
        &self,
        bytes: &'b [u8],
        columns: Option<&CsvColumns>,
    ) -> Result<Record<'b>, RecordErrorKind> {
        match columns {
            Some(columns) => columns.parse(bytes, self.options.lossy),
            None => parse_json_record(bytes, &self.options.fields, self.options.lossy),
        }
    }

    /// The classifier this tally counts for.
    pub fn classifier(&self) -> &'c Classifier {
        self.classifier
    }

    /// Asks every [`read`](StreamTally::read) under way to stop after the record it is at;
    /// later reads return at once. The counts of what was read stay available.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Whether every record read so far has been counted (none is waiting in a batch or being
    /// classified). After [`stop`](StreamTally::stop), a settled tally's snapshot holds
    /// everything that was read.
    pub fn is_settled(&self) -> bool {
        let p = self.progress();
        p.records == p.messages + p.malformed + p.skipped
    }

    /// The latest timestamp of a well-formed record read so far, over all inputs.
    pub fn latest_timestamp(&self) -> Option<Timestamp> {
        self.counters.latest()
    }

    /// How much has been read and counted so far, over all inputs.
    pub fn progress(&self) -> Progress {
        self.counters.progress()
    }

    /// The counts so far. Each batch of records is either wholly in the snapshot or not at
    /// all, so a snapshot is always the exact count of a set of records.
    pub fn snapshot(&self) -> Counts {
        let mut total = self.classifier.new_tally();
        for slot in &self.slots {
            total.merge(&slot.lock().unwrap_or_else(PoisonError::into_inner));
        }
        total.counts()
    }

    /// The final counts.
    pub fn into_counts(self) -> Counts {
        // The threads' tallies are merged into the first rather than into a new one: with one
        // thread, nothing is copied.
        let classifier = self.classifier;
        let mut slots = self
            .slots
            .into_iter()
            .map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner));
        let mut total = slots.next().unwrap_or_else(|| classifier.new_tally());
        for slot in slots {
            total.merge(&slot);
        }
        total.counts()
    }
}

/// A free batch from the pool, waiting for one when all are being classified. A rayon worker
/// (when `read` is called inside a pool) helps with the pending work meanwhile.
fn next_free(free: &Receiver<Batch>) -> Batch {
    loop {
        match free.try_recv() {
            Ok(batch) => return batch,
            Err(TryRecvError::Disconnected) => return Batch::default(),
            Err(TryRecvError::Empty) => {}
        }
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => continue,
            Some(rayon::Yield::Idle) => match free.recv_timeout(Duration::from_millis(1)) {
                Ok(batch) => return batch,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Batch::default(),
            },
            None => return free.recv().unwrap_or_default(),
        }
    }
}

/// Keeps the [`FIRST_LINES`] errors with the smallest line numbers.
fn keep_smallest(errors: &Mutex<Vec<RecordError>>, error: RecordError) {
    let mut errors = errors.lock().unwrap_or_else(PoisonError::into_inner);
    if errors.len() == FIRST_LINES
        && errors
            .last()
            .is_some_and(|last| last.line() <= error.line())
    {
        return;
    }
    let at = errors.partition_point(|e| e.line() <= error.line());
    errors.insert(at, error);
    errors.truncate(FIRST_LINES);
}

impl Classifier {
    /// Counts JSON Lines records read from `reader` on all cores, with the default
    /// [`ReadOptions`]. See [`StreamTally`] for other formats, several inputs, snapshots and
    /// error details.
    ///
    /// # Errors
    ///
    /// Only I/O errors of the reader; malformed records are counted in the result.
    pub fn tally_reader<R: Read>(&self, reader: R) -> io::Result<Counts> {
        let tally = StreamTally::new(self, &ReadOptions::default());
        tally.read(reader)?;
        Ok(tally.into_counts())
    }
}
