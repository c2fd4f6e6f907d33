//! Dictionaries: topics, their keywords, builders, and the checks of SEMANTICS.md §1.

use std::collections::HashMap;

use crate::condition::{can_hold_without_terms, Node};
use crate::error::{DictionaryError, DictionaryErrorKind, KeywordList};
use crate::normalize::normalize_keyword;
use crate::query::Expr;

/// The longest keyword accepted, in bytes. Longer keywords are almost certainly a mistake
/// (a pasted paragraph) and would bloat the automaton.
pub const MAX_KEYWORD_BYTES: usize = 1024;

/// A keyword as written in the dictionary, and its normalized form (SEMANTICS.md §1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyword {
    written: String,
    normalized: String,
    prefix: bool,
}

impl Keyword {
    /// The keyword exactly as written in the dictionary; counts are credited under this name.
    pub fn as_written(&self) -> &str {
        &self.written
    }

    /// The normalized keyword: trimmed, whitespace runs collapsed to one space, lowercased
    /// unless the topic is case-sensitive, and without its trailing `*`.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Whether the keyword ended in `*`, so that it matches any word it begins.
    pub fn is_prefix(&self) -> bool {
        self.prefix
    }
}

/// When a topic matches a message, given the occurrences of its terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Condition {
    /// A keyword list: the topic matches when any of its terms occurs. All terms are
    /// positive.
    AnyTerm,
    /// A boolean query over the terms (§7).
    Query {
        /// The query as written.
        text: String,
        /// Its expression; `Expr::Term(i)` is the topic's term `i`.
        expr: Expr,
        /// The expression compiled for evaluation.
        node: Node,
        /// Whether term `i` is positive (not inside any `NOT`): only positive terms make
        /// mentions.
        positive: Vec<bool>,
        /// Whether the query can hold where none of its terms occurs.
        without_terms: bool,
    },
}

/// One topic of a dictionary: a name, what it matches, and its options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    name: String,
    terms: Vec<Keyword>,
    condition: Condition,
    exclude: Vec<Keyword>,
    case_sensitive: bool,
    whole_word: bool,
}

impl Topic {
    /// The topic's name, unique in its dictionary.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The keywords whose occurrences are the topic's mentions, in dictionary order; for a
    /// query topic, the query's terms in order of first appearance (mentions come only from
    /// its [positive](Topic::is_positive) terms).
    pub fn keywords(&self) -> &[Keyword] {
        &self.terms
    }

    /// The boolean query, as written, for a topic defined by one.
    pub fn query(&self) -> Option<&str> {
        match &self.condition {
            Condition::AnyTerm => None,
            Condition::Query { text, .. } => Some(text),
        }
    }

    /// Whether keyword (or query term) `i` makes mentions: every keyword of a keyword list
    /// does; a query term does unless all its appearances are inside a `NOT`.
    pub fn is_positive(&self, i: usize) -> bool {
        match &self.condition {
            Condition::AnyTerm => i < self.terms.len(),
            Condition::Query { positive, .. } => positive.get(i).copied().unwrap_or(false),
        }
    }

    /// The keywords whose occurrence vetoes the topic for a message.
    pub fn exclude(&self) -> &[Keyword] {
        &self.exclude
    }

    /// Whether keywords are compared with the text without case folding (default false).
    pub fn case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    /// Whether keywords match only as whole words (default true).
    pub fn whole_word(&self) -> bool {
        self.whole_word
    }

    pub(crate) fn condition(&self) -> &Condition {
        &self.condition
    }
}

/// An ordered list of topics, checked and normalized, ready to compile into a
/// [`Classifier`](crate::Classifier).
///
/// Load one from a file with [`Dictionary::from_path`], from text with
/// [`Dictionary::from_toml_str`] or [`Dictionary::from_json_str`], or build one in code:
///
/// ```
/// use topictally::{Dictionary, TopicBuilder};
///
/// let dictionary = Dictionary::builder()
///     .topic(TopicBuilder::new("health insurance").keyword("health insurance").keyword("insur*"))
///     .topic(TopicBuilder::new("hospitals").keyword("hospital*").exclude("hospitality"))
///     .build()?;
/// assert_eq!(dictionary.topics().len(), 2);
/// assert!(dictionary.topics()[0].keywords()[1].is_prefix());
/// # Ok::<(), topictally::DictionaryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dictionary {
    topics: Vec<Topic>,
}

impl Dictionary {
    /// A builder for a dictionary written in code.
    pub fn builder() -> DictionaryBuilder {
        DictionaryBuilder::new()
    }

    /// The topics, in dictionary order. A topic is named by its position here in
    /// [`TopicMatch::topic`](crate::TopicMatch::topic).
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// The topic named `name`.
    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.name == name)
    }
}

/// Builds a [`Dictionary`] in code; [`build`](DictionaryBuilder::build) checks every rule of
/// SEMANTICS.md §1.
#[derive(Clone, Debug, Default)]
pub struct DictionaryBuilder {
    topics: Vec<TopicBuilder>,
}

impl DictionaryBuilder {
    /// An empty builder.
    pub fn new() -> DictionaryBuilder {
        DictionaryBuilder::default()
    }

    /// Adds a topic after those already added.
    pub fn topic(&mut self, topic: &TopicBuilder) -> &mut DictionaryBuilder {
        self.topics.push(topic.clone());
        self
    }

    /// Checks and normalizes the topics.
    ///
    /// # Errors
    ///
    /// A [`DictionaryError`] naming the topic when: there are no topics, a name is empty or
    /// used twice, a topic has no keywords, a keyword is empty, only whitespace and `*`, longer
    /// than [`MAX_KEYWORD_BYTES`], or written twice in the same list.
    pub fn build(&self) -> Result<Dictionary, DictionaryError> {
        self.build_located(&|_| None)
    }

    /// [`build`](DictionaryBuilder::build), with the loader's way of telling where in its file a
    /// part of the dictionary was written.
    pub(crate) fn build_located(
        &self,
        locate: &dyn Fn(Site) -> Option<(usize, usize)>,
    ) -> Result<Dictionary, DictionaryError> {
        if self.topics.is_empty() {
            return Err(DictionaryError::new(DictionaryErrorKind::NoTopics));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut topics = Vec::with_capacity(self.topics.len());
        for (t, builder) in self.topics.iter().enumerate() {
            let fail = |kind, site| {
                let mut err = DictionaryError::new(kind).with_position(locate(site));
                if !builder.name.trim().is_empty() {
                    err = err.with_topic(&builder.name);
                }
                err
            };
            if builder.name.trim().is_empty() {
                return Err(fail(
                    DictionaryErrorKind::EmptyTopicName { topic: t + 1 },
                    Site::Topic(t),
                ));
            }
            if let Some(&first) = seen.get(builder.name.as_str()) {
                return Err(fail(
                    DictionaryErrorKind::DuplicateTopic { first: first + 1 },
                    Site::Topic(t),
                ));
            }
            seen.insert(&builder.name, t);
            let (written, condition) = match (&builder.keywords, &builder.query) {
                (Some(_), Some(_)) => {
                    return Err(fail(DictionaryErrorKind::KeywordsAndQuery, Site::Topic(t)))
                }
                (None, None) => return Err(fail(DictionaryErrorKind::NoKeywords, Site::Topic(t))),
                (Some(keywords), None) if keywords.is_empty() => {
                    return Err(fail(DictionaryErrorKind::NoKeywords, Site::Topic(t)))
                }
                (Some(keywords), None) => (keywords.clone(), Condition::AnyTerm),
                (None, Some(text)) => {
                    let query = crate::query::parse(text).map_err(|error| {
                        fail(DictionaryErrorKind::Query { error }, Site::Query(t))
                    })?;
                    let written = query
                        .terms
                        .iter()
                        .map(|term| term.written.clone())
                        .collect();
                    let positive = query.terms.iter().map(|term| term.positive).collect();
                    let without_terms = can_hold_without_terms(&query.expr);
                    let condition = Condition::Query {
                        text: text.clone(),
                        node: Node::compile(&query.expr),
                        expr: query.expr,
                        positive,
                        without_terms,
                    };
                    (written, condition)
                }
            };
            let lists = [
                (KeywordList::Keywords, &written),
                (KeywordList::Exclude, &builder.exclude),
            ];
            let is_query = matches!(condition, Condition::Query { .. });
            let mut checked: [Vec<Keyword>; 2] = [Vec::new(), Vec::new()];
            for (slot, (list, written)) in lists.into_iter().enumerate() {
                checked[slot] = check_keywords(list, written, builder.case_sensitive).map_err(
                    |(kind, index)| {
                        // A query's terms are located by the query itself.
                        let site = if is_query && list == KeywordList::Keywords {
                            Site::Query(t)
                        } else {
                            Site::Keyword(t, list, index)
                        };
                        fail(kind, site)
                    },
                )?;
            }
            let [terms, exclude] = checked;
            topics.push(Topic {
                name: builder.name.clone(),
                terms,
                condition,
                exclude,
                case_sensitive: builder.case_sensitive,
                whole_word: builder.whole_word,
            });
        }
        Ok(Dictionary { topics })
    }
}

/// A part of a dictionary that an error can point at (0-based positions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Site {
    /// The whole topic.
    Topic(usize),
    /// A keyword: topic, list, position in the list.
    Keyword(usize, KeywordList, usize),
    /// A topic's query.
    Query(usize),
}

/// Checks and normalizes one list of keywords; on error, returns the kind and the 0-based
/// position of the keyword at fault.
fn check_keywords(
    list: KeywordList,
    written: &[String],
    case_sensitive: bool,
) -> Result<Vec<Keyword>, (DictionaryErrorKind, usize)> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(written.len());
    for (i, w) in written.iter().enumerate() {
        let index = i + 1;
        if w.is_empty() {
            return Err((DictionaryErrorKind::EmptyKeyword { list, index }, i));
        }
        if w.len() > MAX_KEYWORD_BYTES {
            let len = w.len();
            return Err((DictionaryErrorKind::KeywordTooLong { list, index, len }, i));
        }
        if let Some(&first) = seen.get(w.as_str()) {
            let (first, keyword) = (first + 1, w.clone());
            let kind = DictionaryErrorKind::DuplicateKeyword {
                list,
                index,
                first,
                keyword,
            };
            return Err((kind, i));
        }
        seen.insert(w, i);
        let Some((normalized, prefix)) = normalize_keyword(w, case_sensitive) else {
            let keyword = w.clone();
            return Err((
                DictionaryErrorKind::InvalidKeyword {
                    list,
                    index,
                    keyword,
                },
                i,
            ));
        };
        out.push(Keyword {
            written: w.clone(),
            normalized,
            prefix,
        });
    }
    Ok(out)
}

/// Builds one topic of a [`DictionaryBuilder`].
///
/// ```
/// use topictally::TopicBuilder;
///
/// let mut topic = TopicBuilder::new("pharma");
/// topic.keywords(["pharma*", "drug prices"]).exclude("pharmacy jobs").whole_word(true);
/// ```
#[derive(Clone, Debug)]
pub struct TopicBuilder {
    name: String,
    keywords: Option<Vec<String>>,
    query: Option<String>,
    exclude: Vec<String>,
    case_sensitive: bool,
    whole_word: bool,
}

impl TopicBuilder {
    /// A topic named `name`, with no keywords or query yet, case-insensitive and whole-word.
    pub fn new(name: &str) -> TopicBuilder {
        TopicBuilder {
            name: name.to_string(),
            keywords: None,
            query: None,
            exclude: Vec::new(),
            case_sensitive: false,
            whole_word: true,
        }
    }

    /// Adds a keyword (a trailing `*` makes it a prefix keyword).
    pub fn keyword(&mut self, keyword: &str) -> &mut TopicBuilder {
        self.keywords
            .get_or_insert_with(Vec::new)
            .push(keyword.to_string());
        self
    }

    /// Adds several keywords, in order.
    pub fn keywords<I, S>(&mut self, keywords: I) -> &mut TopicBuilder
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let list = self.keywords.get_or_insert_with(Vec::new);
        list.extend(keywords.into_iter().map(|k| k.as_ref().to_string()));
        self
    }

    /// Defines the topic by a boolean query (SEMANTICS.md §7) instead of keywords:
    /// `(healthcare OR "health care") AND NOT job*`. A topic has one or the other.
    pub fn query(&mut self, query: &str) -> &mut TopicBuilder {
        self.query = Some(query.to_string());
        self
    }

    /// Adds an exclusion: a message in which it occurs does not count for this topic.
    pub fn exclude(&mut self, keyword: &str) -> &mut TopicBuilder {
        self.exclude.push(keyword.to_string());
        self
    }

    /// Whether keywords are compared without case folding. Default: false.
    pub fn case_sensitive(&mut self, yes: bool) -> &mut TopicBuilder {
        self.case_sensitive = yes;
        self
    }

    /// Whether keywords only match whole words (SEMANTICS.md §3). Default: true.
    pub fn whole_word(&mut self, yes: bool) -> &mut TopicBuilder {
        self.whole_word = yes;
        self
    }
}
