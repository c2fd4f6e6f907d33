//! The [`Classifier`]: one message in, the matching topics with their mentions out
//! (SEMANTICS.md §3–§4).

use crate::condition::{Context, RawOccurrence, Words};
use crate::dictionary::{Condition, Dictionary};
use crate::error::{DictionaryError, RecordError};
use crate::matcher::Matcher;
use crate::message::Message;
use crate::record::RecordErrorKind;
use crate::timestamp::TimeBucket;

/// Compiles a [`Dictionary`] and classifies messages against it.
///
/// All topics' keywords go into one automaton per case mode, and a message is scanned once
/// whatever the number of topics. A `Classifier` is `Send + Sync`: share one between threads.
///
/// ```
/// use topictally::{Classifier, Dictionary};
///
/// let dictionary = Dictionary::from_toml_str(r#"
///     [[topics]]
///     name = "health insurance"
///     keywords = ["health insurance", "insur*"]
/// "#)?;
/// let classifier = Classifier::new(&dictionary)?;
/// let matches = classifier.classify("Health  insurance: insurers raise premiums")?;
/// let hit = matches.get(0).expect("the topic matches");
/// assert_eq!(hit.mentions, 2);
/// assert_eq!(hit.occurrences[1].start, 19); // "insurers", credited to "insur*"
/// assert_eq!(dictionary.topics()[0].keywords()[hit.occurrences[1].keyword].as_written(), "insur*");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Classifier {
    dictionary: Dictionary,
    matcher: Matcher,
    bucket: TimeBucket,
    keywords_by_time: bool,
    /// Where each topic's keyword credits start in a flat array of all topics' keywords.
    keyword_offsets: Vec<usize>,
    /// The query topics that can match a message in which none of their terms occurs, in
    /// order: they are evaluated for every message.
    without_terms: Vec<usize>,
}

/// Configures a [`Classifier`].
#[derive(Clone, Debug, Default)]
pub struct ClassifierBuilder {
    bucket: TimeBucket,
    keywords_by_time: bool,
}

impl ClassifierBuilder {
    /// A builder with the defaults.
    pub fn new() -> ClassifierBuilder {
        ClassifierBuilder::default()
    }

    /// The width of the `by_time` buckets of counts. Default: [`TimeBucket::Day`].
    pub fn time_bucket(&mut self, bucket: TimeBucket) -> &mut ClassifierBuilder {
        self.bucket = bucket;
        self
    }

    /// Whether counts also break each topic's keyword mentions down by time bucket
    /// ([`TopicCounts::keywords_by_time`](crate::TopicCounts::keywords_by_time)), to tell
    /// which keywords drove a spike. Default: false, and the JSON is then exactly §5's.
    pub fn keywords_by_time(&mut self, yes: bool) -> &mut ClassifierBuilder {
        self.keywords_by_time = yes;
        self
    }

    /// Compiles `dictionary`.
    ///
    /// # Errors
    ///
    /// A [`DictionaryError`] of kind
    /// [`Automaton`](crate::DictionaryErrorKind::Automaton) when the automaton cannot be built.
    pub fn build(&self, dictionary: &Dictionary) -> Result<Classifier, DictionaryError> {
        let matcher = Matcher::new(dictionary)?;
        let mut keyword_offsets = Vec::with_capacity(dictionary.topics().len() + 1);
        let mut total = 0;
        for topic in dictionary.topics() {
            keyword_offsets.push(total);
            total += topic.keywords().len();
        }
        keyword_offsets.push(total);
        let without_terms = dictionary
            .topics()
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                matches!(
                    t.condition(),
                    Condition::Query {
                        without_terms: true,
                        ..
                    }
                )
            })
            .map(|(i, _)| i)
            .collect();
        Ok(Classifier {
            dictionary: dictionary.clone(),
            matcher,
            bucket: self.bucket,
            keywords_by_time: self.keywords_by_time,
            keyword_offsets,
            without_terms,
        })
    }
}

impl Classifier {
    /// Compiles `dictionary` with the default configuration.
    ///
    /// # Errors
    ///
    /// As [`ClassifierBuilder::build`].
    pub fn new(dictionary: &Dictionary) -> Result<Classifier, DictionaryError> {
        ClassifierBuilder::new().build(dictionary)
    }

    /// A builder to configure a classifier.
    pub fn builder() -> ClassifierBuilder {
        ClassifierBuilder::new()
    }

    /// The dictionary this classifier was compiled from.
    pub fn dictionary(&self) -> &Dictionary {
        &self.dictionary
    }

    /// The width of the time buckets of the counts it makes.
    pub fn time_bucket(&self) -> TimeBucket {
        self.bucket
    }

    /// Whether its counts break keyword mentions down by time bucket.
    pub fn keywords_by_time(&self) -> bool {
        self.keywords_by_time
    }

    /// The heap memory of the compiled dictionary (automatons and side tables), in bytes.
    pub fn memory_usage(&self) -> usize {
        self.matcher.memory_usage()
    }

    pub(crate) fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    pub(crate) fn keyword_offsets(&self) -> &[usize] {
        &self.keyword_offsets
    }

    /// Classifies one message: which topics it matches, with their mentions.
    ///
    /// This allocates the result; to classify many messages, reuse one [`Matches`] with
    /// [`classify_into`](Classifier::classify_into), or count them with a
    /// [`Tally`](crate::Tally).
    ///
    /// # Errors
    ///
    /// A [`RecordError`] when the text is longer than `u32::MAX` bytes.
    pub fn classify<'m>(&self, message: impl Into<Message<'m>>) -> Result<Matches, RecordError> {
        let mut matches = Matches::new();
        self.classify_into(&message.into(), &mut matches)?;
        Ok(matches)
    }

    /// Classifies one message into `matches`, replacing what it held. Once `matches` has grown
    /// to fit the messages seen, this allocates nothing.
    ///
    /// # Errors
    ///
    /// A [`RecordError`] when the text is longer than `u32::MAX` bytes; `matches` is then
    /// empty.
    pub fn classify_into(
        &self,
        message: &Message<'_>,
        matches: &mut Matches,
    ) -> Result<(), RecordError> {
        matches.clear();
        let text = message.text;
        if u32::try_from(text.len()).is_err() {
            let kind = RecordErrorKind::TooLong {
                len: text.len() as u64,
                limit: u64::from(u32::MAX),
            };
            return Err(RecordError::new(None, kind));
        }
        let scratch = &mut matches.scratch;
        scratch.begin(self.dictionary.topics().len());
        let Scratch {
            raw,
            next,
            topics,
            touched,
            stamp,
            group,
            words,
            present,
        } = scratch;
        let stamp = *stamp;
        // Each topic's occurrences are chained in the order the scan finds them, which is
        // already the order of §4 but for longer before shorter at one start.
        self.matcher.scan(text, |u, start, end| {
            let slot = &mut topics[u.topic as usize];
            if u.exclude {
                slot.vetoed = stamp;
                return;
            }
            let at = raw.len() as u32;
            raw.push(RawOccurrence {
                topic: u.topic,
                term: u.item,
                start: start as u32,
                end: end as u32,
            });
            next.push(u32::MAX);
            if slot.seen == stamp {
                next[slot.last as usize] = at;
            } else {
                slot.seen = stamp;
                slot.first = at;
                touched.push(u.topic);
            }
            slot.last = at;
        });
        if raw.is_empty() && self.without_terms.is_empty() {
            return Ok(()); // most messages: nothing to select or evaluate
        }
        touched.sort_unstable();
        // Topics with occurrences, merged with the query topics that can match without any.
        let mut rest = &touched[..];
        let mut always = self.without_terms.iter().copied().peekable();
        loop {
            let topic = match (rest.first().map(|&t| t as usize), always.peek()) {
                (None, None) => break,
                (Some(g), Some(&a)) => g.min(a),
                (Some(g), None) => g,
                (None, Some(&a)) => a,
            };
            if always.peek() == Some(&topic) {
                always.next();
            }
            let slot = topics[topic];
            group.clear();
            if rest.first() == Some(&(topic as u32)) {
                rest = &rest[1..];
                let mut at = slot.first;
                while let Some(&o) = raw.get(at as usize) {
                    group.push(o);
                    at = next[at as usize];
                }
            }
            if slot.vetoed == stamp {
                continue;
            }
            let group = &group[..];
            debug_assert!(group.is_sorted_by_key(|o| (o.start, o.end, o.term)));
            let positive = match self.dictionary.topics()[topic].condition() {
                Condition::AnyTerm => None,
                Condition::Query { node, positive, .. } => {
                    present.clear();
                    present.extend(group.iter().map(|o| o.term));
                    present.sort_unstable();
                    present.dedup();
                    let mut context = Context {
                        message,
                        occurrences: group,
                        present,
                        words,
                    };
                    if !context.eval(node) {
                        continue;
                    }
                    Some(positive)
                }
            };
            // §4 and §7: the mentions are the positive terms' occurrences, selected
            // leftmost-longest: at each start, the longest, and of those the first term.
            let from = matches.occurrences.len();
            let mut end = 0;
            let mut counted = group
                .iter()
                .filter(|o| positive.is_none_or(|p| p.get(o.term as usize) == Some(&true)))
                .peekable();
            while let Some(&first) = counted.next() {
                let mut best = first;
                while let Some(o) = counted.next_if(|o| o.start == first.start) {
                    if o.end > best.end {
                        best = *o;
                    }
                }
                if best.start >= end {
                    matches.occurrences.push(Occurrence {
                        keyword: best.term as usize,
                        start: best.start as usize,
                        end: best.end as usize,
                    });
                    end = best.end;
                }
            }
            matches.hits.push(Hit {
                topic,
                occurrences: from..matches.occurrences.len(),
            });
        }
        Ok(())
    }
}

/// One kept occurrence of a topic's keyword in a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Occurrence {
    /// The keyword's position in the topic's [`keywords`](crate::Topic::keywords).
    pub keyword: usize,
    /// Byte offset of the start of the occurrence in the original text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
}

/// A topic that matched a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopicMatch<'m> {
    /// The topic's position in the dictionary's [`topics`](crate::Dictionary::topics).
    pub topic: usize,
    /// The message's mention count for the topic (the number of kept occurrences).
    pub mentions: usize,
    /// The kept occurrences, leftmost-longest and non-overlapping, in text order.
    pub occurrences: &'m [Occurrence],
}

#[derive(Clone, Debug)]
struct Hit {
    topic: usize,
    occurrences: std::ops::Range<usize>,
}

/// Buffers reused from one message to the next.
#[derive(Clone, Debug, Default)]
struct Scratch {
    /// The occurrences of terms, in the order the scan found them.
    raw: Vec<RawOccurrence>,
    /// For each of `raw`, the next occurrence of the same topic (`u32::MAX`: none).
    next: Vec<u32>,
    /// Per topic, valid where it holds the current `stamp`.
    topics: Vec<TopicScratch>,
    /// The topics with occurrences in the current message.
    touched: Vec<u32>,
    /// Tells the current message's entries of `topics` from older ones.
    stamp: u32,
    /// The occurrences of the topic being evaluated, in order.
    group: Vec<RawOccurrence>,
    /// The words of the current message, for `NEAR`.
    words: Words,
    /// The terms that occur in the current message, for the query being evaluated.
    present: Vec<u32>,
}

/// What one message has shown of one topic so far.
#[derive(Clone, Copy, Debug, Default)]
struct TopicScratch {
    /// The stamp of the last message in which an exclusion of the topic occurred.
    vetoed: u32,
    /// The stamp of the last message in which a term of the topic occurred.
    seen: u32,
    /// The first and last of those occurrences in `raw`.
    first: u32,
    last: u32,
}

impl Scratch {
    fn begin(&mut self, topics: usize) {
        self.raw.clear();
        self.next.clear();
        self.touched.clear();
        self.words.reset();
        if self.topics.len() != topics {
            self.topics.clear();
            self.topics.resize(topics, TopicScratch::default());
            self.stamp = 0;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.topics.fill(TopicScratch::default());
            self.stamp = 1;
        }
    }
}

/// The topics one message matched, in dictionary order, with their kept occurrences.
///
/// It also holds the scratch buffers of classification, so reusing one `Matches` for many
/// messages (with [`Classifier::classify_into`]) allocates nothing once it has grown.
#[derive(Clone, Debug, Default)]
pub struct Matches {
    hits: Vec<Hit>,
    occurrences: Vec<Occurrence>,
    scratch: Scratch,
}

impl Matches {
    /// An empty result, ready to be filled by [`Classifier::classify_into`].
    pub fn new() -> Matches {
        Matches::default()
    }

    fn clear(&mut self) {
        self.hits.clear();
        self.occurrences.clear();
    }

    /// The number of topics matched.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    /// Whether no topic matched.
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    /// The matched topics, in dictionary order.
    pub fn iter(&self) -> impl Iterator<Item = TopicMatch<'_>> + '_ {
        self.hits.iter().map(move |h| self.topic_match(h))
    }

    /// The match of the topic at position `topic`, if it matched.
    pub fn get(&self, topic: usize) -> Option<TopicMatch<'_>> {
        let i = self.hits.binary_search_by_key(&topic, |h| h.topic).ok()?;
        Some(self.topic_match(&self.hits[i]))
    }

    fn topic_match(&self, hit: &Hit) -> TopicMatch<'_> {
        let occurrences = &self.occurrences[hit.occurrences.clone()];
        TopicMatch {
            topic: hit.topic,
            mentions: occurrences.len(),
            occurrences,
        }
    }
}
