//! Counts over a batch or a stream (SEMANTICS.md §4–§5): [`Counts`], a commutative monoid
//! whose serde form is §5's JSON, and [`Tally`], which accumulates them message by message.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::classify::{Classifier, Matches};
use crate::error::RecordError;
use crate::message::Message;
use crate::timestamp::TimeBucket;

/// How many `first_lines` of malformed records are kept.
pub const FIRST_LINES: usize = 10;

/// The source label of a message that has none.
pub const UNKNOWN_SOURCE: &str = "unknown";

/// Counts over a batch or a stream of messages: SEMANTICS.md §4, serialized as §5's JSON.
///
/// `Counts` form a commutative monoid under [`merge`](Counts::merge), with
/// `Counts::default()` as identity: merging the counts of two disjoint parts of a stream gives
/// exactly the counts of the whole, in any order and grouping. Every map is a `BTreeMap`, and
/// fields are declared in alphabetical order, so the JSON has its keys sorted at every level.
///
/// ```
/// use topictally::{Classifier, Dictionary, Message, TopicBuilder};
///
/// let dictionary = Dictionary::builder()
///     .topic(TopicBuilder::new("flu").keywords(["flu", "influenza"]))
///     .build()?;
/// let classifier = Classifier::new(&dictionary)?;
/// let mut first = classifier.tally(&[Message::new("Flu season: flu shots").with_source("news")]);
/// let second = classifier.tally(&[Message::new("no match here")]);
/// first.merge(&second);
/// assert_eq!(first.total_messages, 2);
/// assert_eq!(first.topics["flu"].mentions, 2);
/// assert_eq!(first.topics["flu"].by_source["news"].messages, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Counts {
    /// Malformed records.
    pub errors: ErrorCounts,
    /// Well-formed messages that matched at least one topic.
    pub matched_messages: u64,
    /// Per topic, by name; every topic of the dictionary is present, even at zero.
    pub topics: BTreeMap<String, TopicCounts>,
    /// Well-formed messages.
    pub total_messages: u64,
}

/// The counts of one topic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TopicCounts {
    /// Matching messages and their mentions per source label (`unknown` for none).
    pub by_source: BTreeMap<String, Volume>,
    /// Matching messages and their mentions per UTC time bucket label.
    pub by_time: BTreeMap<String, Volume>,
    /// Mentions credited to each keyword, as written; keywords never credited are omitted.
    pub keywords: BTreeMap<String, u64>,
    /// Only when asked for ([`ClassifierBuilder::keywords_by_time`](crate::ClassifierBuilder::keywords_by_time)):
    /// per time bucket, the mentions credited to each keyword. Absent from the JSON when
    /// empty, so §5's JSON is unchanged unless it is asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keywords_by_time: BTreeMap<String, BTreeMap<String, u64>>,
    /// The sum of the mention counts of matching messages.
    pub mentions: u64,
    /// The number of matching messages.
    pub messages: u64,
}

/// Messages and mentions in one slice of the counts (a source, a time bucket).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// Mentions of the topic in those messages.
    pub mentions: u64,
    /// Matching messages.
    pub messages: u64,
}

/// The tally of malformed records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorCounts {
    /// The smallest [`FIRST_LINES`] line numbers of malformed records, ascending. Keeping the
    /// smallest (not the first seen) makes merging independent of order.
    pub first_lines: Vec<u64>,
    /// The number of malformed records.
    pub malformed: u64,
}

impl Volume {
    fn add(&mut self, other: Volume) {
        self.mentions += other.mentions;
        self.messages += other.messages;
    }
}

impl ErrorCounts {
    /// Counts one malformed record at `line` (1-based; `None` when it has no line).
    pub fn add(&mut self, line: Option<u64>) {
        self.malformed += 1;
        if let Some(line) = line {
            self.merge_lines(&[line]);
        }
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &ErrorCounts) {
        self.malformed += other.malformed;
        self.merge_lines(&other.first_lines);
    }

    fn merge_lines(&mut self, lines: &[u64]) {
        // The smallest N of a multiset union does not depend on how it was grouped.
        self.first_lines.extend_from_slice(lines);
        self.first_lines.sort_unstable();
        self.first_lines.truncate(FIRST_LINES);
    }
}

impl TopicCounts {
    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &TopicCounts) {
        self.messages += other.messages;
        self.mentions += other.mentions;
        for (keyword, n) in &other.keywords {
            *self.keywords.entry(keyword.clone()).or_default() += n;
        }
        for (source, v) in &other.by_source {
            self.by_source.entry(source.clone()).or_default().add(*v);
        }
        for (bucket, v) in &other.by_time {
            self.by_time.entry(bucket.clone()).or_default().add(*v);
        }
        for (bucket, keywords) in &other.keywords_by_time {
            let mine = self.keywords_by_time.entry(bucket.clone()).or_default();
            for (keyword, n) in keywords {
                *mine.entry(keyword.clone()).or_default() += n;
            }
        }
    }
}

impl Counts {
    /// Adds `other`'s counts to these. Topics present in either are present in the result.
    pub fn merge(&mut self, other: &Counts) {
        self.total_messages += other.total_messages;
        self.matched_messages += other.matched_messages;
        self.errors.merge(&other.errors);
        for (name, topic) in &other.topics {
            self.topics.entry(name.clone()).or_default().merge(topic);
        }
    }

    /// The counts of the topic named `name`.
    pub fn topic(&self, name: &str) -> Option<&TopicCounts> {
        self.topics.get(name)
    }

    /// The counts as §5's JSON, pretty-printed, keys sorted.
    pub fn to_json_pretty(&self) -> String {
        // Serializing maps of strings and integers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Accumulates [`Counts`] message by message, for one [`Classifier`].
///
/// Counting goes into dense arrays indexed by topic and keyword; names are attached only when
/// [`counts`](Tally::counts) is asked for, so adding a message whose source and time bucket
/// were seen before allocates nothing.
///
/// ```
/// use topictally::{Classifier, Dictionary, Message, TopicBuilder};
///
/// let dictionary = Dictionary::builder().topic(TopicBuilder::new("vaccines").keyword("vaccin*")).build()?;
/// let classifier = Classifier::new(&dictionary)?;
/// let mut tally = classifier.new_tally();
/// for text in ["Vaccines work", "vaccination drive", "nothing"] {
///     tally.add(&Message::new(text))?;
/// }
/// tally.add_malformed(Some(4));
/// let counts = tally.counts();
/// assert_eq!((counts.total_messages, counts.matched_messages), (3, 2));
/// assert_eq!(counts.errors.first_lines, [4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Tally<'c> {
    classifier: &'c Classifier,
    matches: Matches,
    total: u64,
    matched: u64,
    topics: Vec<TopicTally>,
    /// Mentions per keyword of every topic, at [`Classifier::keyword_offsets`].
    keywords: Vec<u64>,
    /// The sources seen: a source's id is its index in each topic's `by_source`.
    sources: Ids<String>,
    /// The time buckets seen, by their start in Unix seconds; likewise for `by_time`.
    buckets: Ids<i64>,
    errors: ErrorCounts,
}

#[derive(Clone, Debug, Default)]
struct TopicTally {
    messages: u64,
    mentions: u64,
    /// By source id.
    by_source: IdMap<usize, Volume>,
    /// By bucket id.
    by_time: IdMap<usize, Volume>,
    /// Mentions per (keyword, bucket id), when the classifier asks for them.
    keywords_by_time: IdMap<(usize, usize), u64>,
}

/// The labels of a tally's time buckets, each formatted once rather than once per topic, and
/// their order, so that a topic's buckets are sorted by number rather than by string.
struct Labels {
    /// The labels in order.
    sorted: Vec<String>,
    /// Each bucket id's place in `sorted`.
    rank: Vec<usize>,
}

impl Labels {
    fn new(starts: &[i64], bucket: TimeBucket) -> Labels {
        let mut sorted: Vec<(String, usize)> = starts
            .iter()
            .enumerate()
            .map(|(id, &start)| (bucket.label(start), id))
            .collect();
        sorted.sort_unstable();
        let mut rank = vec![0; sorted.len()];
        for (r, &(_, id)) in sorted.iter().enumerate() {
            rank[id] = r;
        }
        Labels {
            sorted: sorted.into_iter().map(|(label, _)| label).collect(),
            rank,
        }
    }

    fn label(&self, id: usize) -> &str {
        &self.sorted[self.rank[id]]
    }

    /// A map by label of `(bucket id, value)` pairs.
    fn sorted<V>(&self, entries: impl Iterator<Item = (usize, V)>) -> BTreeMap<String, V> {
        let mut ranked: Vec<(usize, V)> = entries.map(|(id, v)| (self.rank[id], v)).collect();
        ranked.sort_unstable_by_key(|&(r, _)| r);
        // Already in order: the map is built without comparing strings but once per entry.
        ranked
            .into_iter()
            .map(|(r, v)| (self.sorted[r].clone(), v))
            .collect()
    }
}

/// A map keyed by ids, hashed with [`IdHasher`].
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A multiply-rotate hash (as in rustc's FxHash) for small integer keys made here, never by
/// the input: one multiplication per word instead of SipHash's rounds, on every mention.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// Dense ids for the keys seen (sources, time buckets), in order of first sight. A stream's
/// messages mostly repeat the key of the message before, which is checked first.
#[derive(Clone, Debug)]
struct Ids<K> {
    keys: Vec<K>,
    ids: HashMap<K, usize>,
    last: usize,
}

impl<K> Default for Ids<K> {
    fn default() -> Ids<K> {
        Ids {
            keys: Vec::new(),
            ids: HashMap::new(),
            last: 0,
        }
    }
}

impl<K: Hash + Eq + Clone> Ids<K> {
    /// The id of `key`, given one if it is new.
    fn id<Q>(&mut self, key: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if self.keys.get(self.last).is_some_and(|k| k.borrow() == key) {
            return self.last;
        }
        let id = match self.ids.get(key) {
            Some(&id) => id,
            None => {
                let id = self.keys.len();
                self.keys.push(key.to_owned());
                self.ids.insert(key.to_owned(), id);
                id
            }
        };
        self.last = id;
        id
    }

    /// For each of `other`'s ids, the id of the same key here.
    fn translate(&mut self, other: &Ids<K>) -> Vec<usize> {
        other.keys.iter().map(|k| self.id(k.borrow())).collect()
    }
}

impl Classifier {
    /// An empty [`Tally`] for this classifier.
    pub fn new_tally(&self) -> Tally<'_> {
        Tally {
            classifier: self,
            matches: Matches::new(),
            total: 0,
            matched: 0,
            topics: vec![TopicTally::default(); self.dictionary().topics().len()],
            keywords: vec![0; self.keyword_offsets().last().copied().unwrap_or(0)],
            sources: Ids::default(),
            buckets: Ids::default(),
            errors: ErrorCounts::default(),
        }
    }

    /// Counts a batch of messages on all threads of the current rayon pool.
    ///
    /// The result does not depend on the number of threads or how the batch is split.
    pub fn tally(&self, messages: &[Message<'_>]) -> Counts {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        // One tally per thread, each taking small runs of messages from a shared cursor until
        // none are left: the threads finish together, and there are only as many tallies to
        // merge as threads (rayon's fold would make one per piece of its splitting).
        let threads = rayon::current_num_threads().max(1);
        let run = (messages.len() / (threads * 256)).clamp(1, 64);
        let cursor = AtomicUsize::new(0);
        (0..threads)
            .into_par_iter()
            .map(|_| {
                let mut tally = self.new_tally();
                loop {
                    let start = cursor.fetch_add(run, Ordering::Relaxed);
                    let Some(batch) = messages.get(start..messages.len().min(start + run)) else {
                        break;
                    };
                    if batch.is_empty() {
                        break;
                    }
                    for message in batch {
                        if tally.add(message).is_err() {
                            tally.add_malformed(None);
                        }
                    }
                }
                tally
            })
            .reduce_with(|mut a, b| {
                a.merge(&b);
                a
            })
            .unwrap_or_else(|| self.new_tally())
            .counts()
    }
}

impl<'c> Tally<'c> {
    /// The classifier this tally counts for.
    pub fn classifier(&self) -> &'c Classifier {
        self.classifier
    }

    /// Classifies and counts one message.
    ///
    /// # Errors
    ///
    /// When the message cannot be classified (its text is over `u32::MAX` bytes). Nothing is
    /// counted then: count it with [`add_malformed`](Tally::add_malformed) if it should be.
    pub fn add(&mut self, message: &Message<'_>) -> Result<(), RecordError> {
        self.classifier.classify_into(message, &mut self.matches)?;
        self.total += 1;
        if self.matches.is_empty() {
            return Ok(());
        }
        self.matched += 1;
        let source = self.sources.id(message.source.unwrap_or(UNKNOWN_SOURCE));
        let bucket = message
            .timestamp
            .map(|ts| self.buckets.id(&self.classifier.time_bucket().start(ts)));
        let offsets = self.classifier.keyword_offsets();
        for hit in self.matches.iter() {
            let volume = Volume {
                messages: 1,
                mentions: hit.mentions as u64,
            };
            let topic = &mut self.topics[hit.topic];
            topic.messages += 1;
            topic.mentions += volume.mentions;
            topic.by_source.entry(source).or_default().add(volume);
            if let Some(bucket) = bucket {
                topic.by_time.entry(bucket).or_default().add(volume);
            }
            for o in hit.occurrences {
                self.keywords[offsets[hit.topic] + o.keyword] += 1;
            }
            if let (true, Some(bucket)) = (self.classifier.keywords_by_time(), bucket) {
                for o in hit.occurrences {
                    *topic
                        .keywords_by_time
                        .entry((o.keyword, bucket))
                        .or_default() += 1;
                }
            }
        }
        Ok(())
    }

    /// Counts one malformed record, at its 1-based `line` when it has one.
    pub fn add_malformed(&mut self, line: Option<u64>) {
        self.errors.add(line);
    }

    /// Adds `other`'s counts (made by the same classifier) to these.
    pub fn merge(&mut self, other: &Tally<'_>) {
        self.total += other.total;
        self.matched += other.matched;
        self.errors.merge(&other.errors);
        let sources = self.sources.translate(&other.sources);
        let buckets = self.buckets.translate(&other.buckets);
        for (mine, theirs) in self.topics.iter_mut().zip(&other.topics) {
            mine.messages += theirs.messages;
            mine.mentions += theirs.mentions;
            for (&id, v) in &theirs.by_source {
                mine.by_source.entry(sources[id]).or_default().add(*v);
            }
            for (&id, v) in &theirs.by_time {
                mine.by_time.entry(buckets[id]).or_default().add(*v);
            }
            for (&(k, b), n) in &theirs.keywords_by_time {
                *mine.keywords_by_time.entry((k, buckets[b])).or_default() += n;
            }
        }
        for (mine, theirs) in self.keywords.iter_mut().zip(&other.keywords) {
            *mine += theirs;
        }
    }

    /// The number of well-formed messages counted so far.
    pub fn total_messages(&self) -> u64 {
        self.total
    }

    /// The counts so far, with names: a snapshot; the tally can go on counting.
    ///
    /// Topics are converted on the threads of the current rayon pool: with many topics and
    /// time buckets this is tens of thousands of names, which would otherwise be the serial
    /// tail of [`Classifier::tally`]. As with any rayon call, do not hold a lock that the
    /// pool's jobs also take while calling this: a worker waiting here may run those jobs.
    pub fn counts(&self) -> Counts {
        use rayon::prelude::*;
        let dictionary = self.classifier.dictionary();
        let bucket = self.classifier.time_bucket();
        let labels = Labels::new(&self.buckets.keys, bucket);
        let topics = dictionary
            .topics()
            .par_iter()
            .enumerate()
            .map(|(t, topic)| (topic.name().to_string(), self.topic_counts(t, &labels)))
            .collect();
        Counts {
            errors: self.errors.clone(),
            matched_messages: self.matched,
            topics,
            total_messages: self.total,
        }
    }

    /// The counts of topic `t`, with names.
    fn topic_counts(&self, t: usize, labels: &Labels) -> TopicCounts {
        let topic = &self.classifier.dictionary().topics()[t];
        let tally = &self.topics[t];
        let offsets = self.classifier.keyword_offsets();
        let keywords = topic
            .keywords()
            .iter()
            .zip(&self.keywords[offsets[t]..offsets[t + 1]])
            .filter(|(_, &n)| n > 0)
            .map(|(k, &n)| (k.as_written().to_string(), n))
            .collect();
        let by_source = tally
            .by_source
            .iter()
            .map(|(&id, v)| (self.sources.keys[id].clone(), *v))
            .collect();
        let by_time = labels.sorted(tally.by_time.iter().map(|(&id, v)| (id, *v)));
        let mut keywords_by_time: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (&(k, b), &n) in &tally.keywords_by_time {
            let written = topic.keywords()[k].as_written().to_string();
            keywords_by_time
                .entry(labels.label(b).to_string())
                .or_default()
                .insert(written, n);
        }
        TopicCounts {
            by_source,
            by_time,
            keywords,
            keywords_by_time,
            mentions: tally.mentions,
            messages: tally.messages,
        }
    }
}
