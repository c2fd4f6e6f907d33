//! The error types: [`DictionaryError`] for everything before classification,
//! [`RecordError`] for one malformed message.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::query::QueryError;
use crate::record::RecordErrorKind;

/// Which list of a topic a keyword belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeywordList {
    /// The topic's `keywords` (or, for a query topic, its query's terms).
    Keywords,
    /// The topic's `exclude` keywords.
    Exclude,
}

impl KeywordList {
    fn noun(self) -> &'static str {
        match self {
            KeywordList::Keywords => "keyword",
            KeywordList::Exclude => "exclude keyword",
        }
    }
}

/// What is wrong with a dictionary.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DictionaryErrorKind {
    /// The dictionary has no topics at all.
    NoTopics,
    /// A topic's name is empty or only whitespace (`topic` is its 1-based position).
    EmptyTopicName {
        /// 1-based position of the topic in the dictionary.
        topic: usize,
    },
    /// Two topics have the same name.
    DuplicateTopic {
        /// 1-based position of the first topic with this name.
        first: usize,
    },
    /// A topic gives neither keywords nor a query, or an empty keyword list.
    NoKeywords,
    /// A topic gives both keywords and a query (even an empty keyword list).
    KeywordsAndQuery,
    /// A topic's query does not parse.
    Query {
        /// What is wrong, and where in the query.
        error: QueryError,
    },
    /// A keyword is the empty string.
    EmptyKeyword {
        /// Which list of the topic.
        list: KeywordList,
        /// 1-based position in that list.
        index: usize,
    },
    /// A keyword is made only of whitespace and `*`, so there is nothing to match.
    InvalidKeyword {
        /// Which list of the topic.
        list: KeywordList,
        /// 1-based position in that list.
        index: usize,
        /// The keyword as written.
        keyword: String,
    },
    /// The same keyword string is written twice in one list of a topic.
    DuplicateKeyword {
        /// Which list of the topic.
        list: KeywordList,
        /// 1-based position of the repeat.
        index: usize,
        /// 1-based position of the first occurrence.
        first: usize,
        /// The keyword as written.
        keyword: String,
    },
    /// A keyword is longer than [`MAX_KEYWORD_BYTES`](crate::MAX_KEYWORD_BYTES).
    KeywordTooLong {
        /// Which list of the topic.
        list: KeywordList,
        /// 1-based position in that list.
        index: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// The dictionary has more than [`MAX_TOPICS`](crate::MAX_TOPICS) topics; the error is
    /// located at the first topic past the limit.
    TooManyTopics {
        /// How many topics the dictionary has.
        count: usize,
    },
    /// The topics' keywords, query terms and exclusions number more than
    /// [`MAX_KEYWORDS`](crate::MAX_KEYWORDS) in all.
    TooManyKeywords {
        /// 1-based position of the topic whose keywords cross the limit.
        topic: usize,
    },
    /// The file is not valid TOML or JSON, or does not have the dictionary's shape.
    Parse {
        /// The parser's explanation.
        message: String,
    },
    /// The file could not be read.
    Io {
        /// The operating system's explanation.
        message: String,
    },
    /// The file name ends in neither `.toml` nor `.json`.
    UnknownFormat,
    /// The automaton could not be built (too many or too long keywords).
    Automaton {
        /// The automaton builder's explanation.
        message: String,
    },
}

/// An error found while loading, building or compiling a dictionary.
///
/// The message puts the location first, as compilers do (with `{:#}`, a query error is
/// followed by the query and a caret under the problem):
/// `health.toml:12:5: topic "health": keyword 3 is empty`. Each part is also available on its
/// own through [`path`](DictionaryError::path), [`topic`](DictionaryError::topic),
/// [`line`](DictionaryError::line) and [`column`](DictionaryError::column).
#[derive(Debug)]
pub struct DictionaryError {
    // Boxed: a `Result` carrying it stays small on the success path.
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: DictionaryErrorKind,
    path: Option<PathBuf>,
    topic: Option<String>,
    position: Option<(usize, usize)>,
    source: Option<Box<dyn Error + Send + Sync>>,
}

impl DictionaryError {
    pub(crate) fn new(kind: DictionaryErrorKind) -> DictionaryError {
        DictionaryError {
            inner: Box::new(Inner {
                kind,
                path: None,
                topic: None,
                position: None,
                source: None,
            }),
        }
    }

    pub(crate) fn with_topic(mut self, topic: &str) -> DictionaryError {
        self.inner.topic = Some(topic.to_string());
        self
    }

    pub(crate) fn with_path(mut self, path: &Path) -> DictionaryError {
        self.inner.path = Some(path.to_path_buf());
        self
    }

    pub(crate) fn with_position(mut self, position: Option<(usize, usize)>) -> DictionaryError {
        if position.is_some() {
            self.inner.position = position;
        }
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Error + Send + Sync + 'static,
    ) -> DictionaryError {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> &DictionaryErrorKind {
        &self.inner.kind
    }

    /// The file, when the dictionary was loaded from one.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The name of the topic at fault, when the error concerns one topic and it has a name.
    pub fn topic(&self) -> Option<&str> {
        self.inner.topic.as_deref()
    }

    /// The 1-based line in the file, when the format tells it.
    pub fn line(&self) -> Option<usize> {
        self.inner.position.map(|(line, _)| line)
    }

    /// For a query that does not parse: the query on one line and a caret under the
    /// problem on the next, to print after the message.
    pub fn query_caret(&self) -> Option<String> {
        match &self.inner.kind {
            DictionaryErrorKind::Query { error } => Some(error.caret()),
            _ => None,
        }
    }

    /// The 1-based column (in characters) in the file, when the format tells it.
    pub fn column(&self) -> Option<usize> {
        self.inner.position.map(|(_, column)| column)
    }
}

impl fmt::Display for DictionaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.inner.path {
            write!(f, "{}:", path.display())?;
            if let Some((line, column)) = self.inner.position {
                write!(f, "{line}:{column}:")?;
            }
            f.write_str(" ")?;
        } else if let Some((line, column)) = self.inner.position {
            write!(f, "{line}:{column}: ")?;
        }
        if let Some(topic) = &self.inner.topic {
            write!(f, "topic {topic:?}: ")?;
        }
        match &self.inner.kind {
            DictionaryErrorKind::NoTopics => f.write_str("the dictionary has no topics"),
            DictionaryErrorKind::EmptyTopicName { topic } => {
                write!(f, "topic {topic} has an empty name")
            }
            DictionaryErrorKind::DuplicateTopic { first } => {
                write!(f, "the name is already used by topic {first}")
            }
            DictionaryErrorKind::NoKeywords => {
                f.write_str("no keywords (give a non-empty \"keywords\" list or a \"query\")")
            }
            DictionaryErrorKind::KeywordsAndQuery => f.write_str(
                "both \"keywords\" and \"query\" are given: a topic has one or the other",
            ),
            DictionaryErrorKind::Query { error } => {
                write!(f, "query {error}")?;
                // `{:#}` adds the query and a caret under the problem, indented.
                if f.alternate() {
                    for line in error.caret().lines() {
                        write!(f, "\n    {line}")?;
                    }
                }
                Ok(())
            }
            DictionaryErrorKind::EmptyKeyword { list, index } => {
                write!(f, "{} {index} is empty", list.noun())
            }
            DictionaryErrorKind::InvalidKeyword {
                list,
                index,
                keyword,
            } => write!(
                f,
                "{} {index} ({keyword:?}) has nothing to match: it is only whitespace and \"*\"",
                list.noun()
            ),
            DictionaryErrorKind::DuplicateKeyword {
                list,
                index,
                first,
                keyword,
            } => write!(
                f,
                "{} {index} ({keyword:?}) repeats {} {first}",
                list.noun(),
                list.noun()
            ),
            DictionaryErrorKind::KeywordTooLong { list, index, len } => write!(
                f,
                "{} {index} is {len} bytes long, more than the limit of {} bytes",
                list.noun(),
                crate::MAX_KEYWORD_BYTES
            ),
            DictionaryErrorKind::TooManyTopics { count } => write!(
                f,
                "the dictionary has {count} topics, more than the limit of {}",
                crate::MAX_TOPICS
            ),
            DictionaryErrorKind::TooManyKeywords { topic } => write!(
                f,
                "with topic {topic}, the dictionary has more than the limit of {} keywords, \
                 query terms and exclusions in all",
                crate::MAX_KEYWORDS
            ),
            DictionaryErrorKind::Parse { message } => f.write_str(message),
            DictionaryErrorKind::Io { message } => {
                write!(f, "cannot read the dictionary: {message}")
            }
            DictionaryErrorKind::UnknownFormat => {
                f.write_str("unknown dictionary format: the file name must end in .toml or .json")
            }
            DictionaryErrorKind::Automaton { message } => {
                write!(f, "cannot compile the dictionary: {message}")
            }
        }
    }
}

impl Error for DictionaryError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn Error + 'static))
    }
}

/// One malformed record: its 1-based line number (when read from a stream) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordError {
    line: Option<u64>,
    kind: RecordErrorKind,
}

impl RecordError {
    pub(crate) fn new(line: Option<u64>, kind: RecordErrorKind) -> RecordError {
        RecordError { line, kind }
    }

    /// The 1-based line on which the record starts, when it came from a stream.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// What is wrong with the record.
    pub fn kind(&self) -> &RecordErrorKind {
        &self.kind
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl Error for RecordError {}
