//! One automaton per case mode over the distinct normalized keywords of all topics, and the
//! scan that turns its matches into occurrences (SEMANTICS.md §3).
//!
//! A keyword shared by several topics, or written twice, is one pattern; a side table lists
//! its *uses*: which topic, which term or exclusion, and which word-boundary checks apply.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::boundary::{allows_boundary, edge_needs_boundary};
use crate::dictionary::{Dictionary, Keyword};
use crate::error::{DictionaryError, DictionaryErrorKind};
use crate::normalize::NormalizedText;

/// One use of a pattern by a topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Use {
    /// The topic's position in the dictionary.
    pub(crate) topic: u32,
    /// The position of the keyword in the topic's terms or exclusions.
    pub(crate) item: u32,
    /// Whether the keyword is an exclusion.
    pub(crate) exclude: bool,
    /// Whether the character before an occurrence must not be a word character.
    check_left: bool,
    /// Whether the character after an occurrence must not be a word character.
    check_right: bool,
}

/// The patterns of one case mode and their automaton.
#[derive(Clone, Debug)]
struct Engine {
    fold: bool,
    automaton: AhoCorasick,
    /// The uses of pattern `p` are `uses[starts[p]..starts[p + 1]]`.
    starts: Vec<u32>,
    uses: Vec<Use>,
}

/// All topics' keywords, compiled.
#[derive(Clone, Debug)]
pub(crate) struct Matcher {
    engines: Vec<Engine>,
}

/// Collects the patterns of one case mode.
#[derive(Default)]
struct EngineBuilder {
    ids: HashMap<String, usize>,
    patterns: Vec<String>,
    uses: Vec<Vec<Use>>,
}

impl EngineBuilder {
    fn add(
        &mut self,
        keyword: &Keyword,
        topic: usize,
        item: usize,
        exclude: bool,
        whole_word: bool,
    ) {
        let normalized = keyword.normalized();
        let id = match self.ids.get(normalized) {
            Some(&id) => id,
            None => {
                let id = self.patterns.len();
                self.ids.insert(normalized.to_string(), id);
                self.patterns.push(normalized.to_string());
                self.uses.push(Vec::new());
                id
            }
        };
        let first = normalized.chars().next();
        let last = normalized.chars().next_back();
        self.uses[id].push(Use {
            topic: topic as u32,
            item: item as u32,
            exclude,
            check_left: whole_word && first.is_some_and(edge_needs_boundary),
            check_right: whole_word
                && !keyword.is_prefix()
                && last.is_some_and(edge_needs_boundary),
        });
    }

    fn build(self, fold: bool) -> Result<Option<Engine>, DictionaryError> {
        if self.patterns.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&self.patterns)
            .map_err(|e| {
                let message = e.to_string();
                DictionaryError::new(DictionaryErrorKind::Automaton { message }).with_source(e)
            })?;
        let mut starts = Vec::with_capacity(self.uses.len() + 1);
        let mut uses = Vec::new();
        for pattern_uses in self.uses {
            starts.push(uses.len() as u32);
            uses.extend(pattern_uses);
        }
        starts.push(uses.len() as u32);
        Ok(Some(Engine {
            fold,
            automaton,
            starts,
            uses,
        }))
    }
}

impl Matcher {
    /// Compiles every keyword and exclusion of every topic.
    pub(crate) fn new(dictionary: &Dictionary) -> Result<Matcher, DictionaryError> {
        let mut folded = EngineBuilder::default();
        let mut exact = EngineBuilder::default();
        for (t, topic) in dictionary.topics().iter().enumerate() {
            let engine = if topic.case_sensitive() {
                &mut exact
            } else {
                &mut folded
            };
            let whole_word = topic.whole_word();
            for (i, keyword) in topic.keywords().iter().enumerate() {
                engine.add(keyword, t, i, false, whole_word);
            }
            for (i, keyword) in topic.exclude().iter().enumerate() {
                engine.add(keyword, t, i, true, whole_word);
            }
        }
        let engines = [folded.build(true)?, exact.build(false)?];
        Ok(Matcher {
            engines: engines.into_iter().flatten().collect(),
        })
    }

    /// Calls `found` with every occurrence (§3) of every use, as byte offsets into `text`,
    /// whose length must fit in a `u32`.
    pub(crate) fn scan(
        &self,
        text: &str,
        normalized: &mut NormalizedText,
        mut found: impl FnMut(Use, usize, usize),
    ) {
        for engine in &self.engines {
            normalized.normalize(text, engine.fold);
            for m in engine.automaton.find_overlapping_iter(normalized.bytes()) {
                // A match inside a character's lowercase expansion is not a span of whole
                // characters of the text.
                let (Some(start), Some(end)) =
                    (normalized.original(m.start()), normalized.original(m.end()))
                else {
                    continue;
                };
                let p = m.pattern().as_usize();
                let uses = &engine.uses[engine.starts[p] as usize..engine.starts[p + 1] as usize];
                let mut left_ok = None;
                let mut right_ok = None;
                for &u in uses {
                    if u.check_left
                        && !*left_ok.get_or_insert_with(|| allows_boundary(before(text, start)))
                    {
                        continue;
                    }
                    if u.check_right
                        && !*right_ok.get_or_insert_with(|| allows_boundary(after(text, end)))
                    {
                        continue;
                    }
                    found(u, start, end);
                }
            }
        }
    }

    /// The heap memory used by the automatons and their side tables, in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.engines
            .iter()
            .map(|e| {
                e.automaton.memory_usage()
                    + e.starts.len() * std::mem::size_of::<u32>()
                    + e.uses.len() * std::mem::size_of::<Use>()
            })
            .sum()
    }
}

/// The character of `text` just before byte `i`, if any.
#[inline]
fn before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

/// The character of `text` starting at byte `i`, if any.
#[inline]
fn after(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}
