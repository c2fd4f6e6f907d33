//! Why a message matches a topic or not: the terms found with their spans, the exclusion that
//! vetoed it, or the part of the query that was false.

use std::fmt;

use crate::classify::{Classifier, Matches};
use crate::condition::{chain, Context, Node, RawOccurrence, Words};
use crate::dictionary::{Condition, Topic};
use crate::error::RecordError;
use crate::message::Message;
use crate::query::{Expr, FieldName};

/// For one message, every topic's verdict and its reasons. `Display` prints it for a person.
///
/// ```
/// use topictally::{Classifier, Dictionary, Message, TopicBuilder};
///
/// let dictionary = Dictionary::builder()
///     .topic(TopicBuilder::new("healthcare").keywords(["healthcare", "health care"]).exclude("job*"))
///     .build()?;
/// let classifier = Classifier::new(&dictionary)?;
/// let why = classifier.explain(&Message::new("Healthcare jobs in Austin"))?;
/// assert!(!why.topics[0].matched);
/// assert_eq!(why.topics[0].vetoed_by[0].term, "job*");
/// println!("{why}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// One entry per topic, in dictionary order.
    pub topics: Vec<TopicExplanation>,
}

/// Why one topic matched a message or not.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicExplanation {
    /// The topic's name.
    pub name: String,
    /// Whether the message counts for the topic.
    pub matched: bool,
    /// The message's mention count for the topic (0 when it did not match).
    pub mentions: usize,
    /// Every occurrence of the topic's keywords or query terms, in text order.
    pub found: Vec<Found>,
    /// The occurrences of the topic's exclusions: any one vetoes the topic.
    pub vetoed_by: Vec<Found>,
    /// For a query topic, the query's parts with their truth values.
    pub query: Option<QueryPart>,
}

/// One occurrence of a keyword, query term or exclusion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The keyword or term as written.
    pub term: String,
    /// Byte offset of its start in the text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Whether it was kept as a mention.
    pub kept: bool,
}

/// A part of a query and whether it held for the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryPart {
    /// The part, written back as a query.
    pub text: String,
    /// Whether it held.
    pub holds: bool,
    /// Its operands (none for a term or a field filter).
    pub parts: Vec<QueryPart>,
}

impl Classifier {
    /// Explains, for every topic, whether `message` matches it and why. Meant for people
    /// debugging a dictionary: it scans and evaluates the message again in detail, so it is
    /// slower than [`classify`](Classifier::classify), whose verdicts it repeats.
    ///
    /// # Errors
    ///
    /// As [`classify`](Classifier::classify).
    pub fn explain(&self, message: &Message<'_>) -> Result<Explanation, RecordError> {
        let mut matches = Matches::new();
        self.classify_into(message, &mut matches)?;
        let topics = self.dictionary().topics();
        let mut terms: Vec<Vec<RawOccurrence>> = vec![Vec::new(); topics.len()];
        let mut excludes: Vec<Vec<RawOccurrence>> = vec![Vec::new(); topics.len()];
        self.matcher().scan(message.text, |u, start, end| {
            let list = if u.exclude { &mut excludes } else { &mut terms };
            list[u.topic as usize].push(RawOccurrence {
                topic: u.topic,
                term: u.item,
                start: start as u32,
                end: end as u32,
            });
        });
        let mut words = Words::default();
        let mut out = Vec::with_capacity(topics.len());
        for (t, topic) in topics.iter().enumerate() {
            let mut group = std::mem::take(&mut terms[t]);
            group.sort_unstable_by_key(|o| (o.start, u32::MAX - o.end, o.term));
            let hit = matches.get(t);
            let found = group
                .iter()
                .map(|o| Found {
                    term: topic.keywords()[o.term as usize].as_written().to_string(),
                    start: o.start as usize,
                    end: o.end as usize,
                    kept: hit.is_some_and(|h| {
                        h.occurrences.iter().any(|k| {
                            (k.keyword, k.start, k.end)
                                == (o.term as usize, o.start as usize, o.end as usize)
                        })
                    }),
                })
                .collect();
            let mut vetoes = std::mem::take(&mut excludes[t]);
            vetoes.sort_unstable_by_key(|o| (o.start, o.end, o.term));
            let vetoed_by = vetoes
                .iter()
                .map(|o| Found {
                    term: topic.exclude()[o.term as usize].as_written().to_string(),
                    start: o.start as usize,
                    end: o.end as usize,
                    kept: false,
                })
                .collect();
            let query = match topic.condition() {
                Condition::AnyTerm => None,
                Condition::Query { expr, .. } => {
                    words.reset();
                    let mut present: Vec<u32> = group.iter().map(|o| o.term).collect();
                    present.sort_unstable();
                    present.dedup();
                    let mut context = Context {
                        message,
                        occurrences: &group,
                        present: &present,
                        words: &mut words,
                    };
                    Some(trace(&mut context, expr, topic))
                }
            };
            out.push(TopicExplanation {
                name: topic.name().to_string(),
                matched: hit.is_some(),
                mentions: hit.map_or(0, |h| h.mentions),
                found,
                vetoed_by,
                query,
            });
        }
        Ok(Explanation { topics: out })
    }
}

/// Evaluates every part of `expr`; a chain of one operator (`a OR b OR c`) is one part.
fn trace(context: &mut Context<'_>, expr: &Expr, topic: &Topic) -> QueryPart {
    let holds = context.eval(&Node::compile(expr));
    let parts = match expr {
        Expr::Not(x) => vec![trace(context, x, topic)],
        Expr::And(..) | Expr::Or(..) => {
            let mut operands = Vec::new();
            chain(expr, &mut operands);
            operands
                .into_iter()
                .map(|x| trace(context, x, topic))
                .collect()
        }
        Expr::Term(_) | Expr::Field { .. } | Expr::Near { .. } => Vec::new(),
    };
    QueryPart {
        text: render(expr, topic),
        holds,
        parts,
    }
}

/// Writes `expr` back as a query, with the topic's terms as written.
fn render(expr: &Expr, topic: &Topic) -> String {
    let term = |i: usize| {
        let written = topic.keywords().get(i).map_or("?", |k| k.as_written());
        if written
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')'))
            || matches!(written, "AND" | "OR" | "NOT")
            || written.starts_with("NEAR")
            || written.starts_with("source:")
            || written.starts_with("lang:")
        {
            format!("\"{written}\"")
        } else {
            written.to_string()
        }
    };
    let side = |terms: &[usize]| match terms {
        [one] => term(*one),
        many => format!(
            "({})",
            many.iter()
                .map(|&t| term(t))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
    };
    // Operands of the same operator need no parentheses: `a OR b OR c`.
    let group = |e: &Expr| match e {
        Expr::And(..) | Expr::Or(..)
            if std::mem::discriminant(e) != std::mem::discriminant(expr) =>
        {
            format!("({})", render(e, topic))
        }
        _ => render(e, topic),
    };
    match expr {
        Expr::Term(i) => term(*i),
        Expr::Field { field, value } => match field {
            FieldName::Source => format!("source:{value}"),
            FieldName::Lang => format!("lang:{value}"),
        },
        Expr::Not(x) => match &**x {
            Expr::And(..) | Expr::Or(..) => format!("NOT ({})", render(x, topic)),
            _ => format!("NOT {}", render(x, topic)),
        },
        Expr::And(a, b) => format!("{} AND {}", group(a), group(b)),
        Expr::Or(a, b) => format!("{} OR {}", group(a), group(b)),
        Expr::Near {
            left,
            right,
            distance,
            ordered,
        } => format!(
            "{} NEAR/{distance}{} {}",
            side(left),
            if *ordered { "f" } else { "" },
            side(right)
        ),
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.topics {
            write!(f, "{}: ", t.name)?;
            if t.matched {
                let s = if t.mentions == 1 { "" } else { "s" };
                writeln!(f, "matches, {} mention{s}", t.mentions)?;
            } else {
                // Would it have matched but for an exclusion?
                let would = match &t.query {
                    Some(q) => q.holds,
                    None => !t.found.is_empty(),
                };
                match (t.vetoed_by.first(), would, &t.query) {
                    (Some(v), true, _) => writeln!(
                        f,
                        "no match: vetoed by the exclusion {:?} at {}..{}",
                        v.term, v.start, v.end
                    )?,
                    (_, _, Some(_)) => writeln!(f, "no match: the query is false")?,
                    _ => writeln!(f, "no match: none of its keywords occurs")?,
                }
            }
            for o in &t.found {
                let note = if o.kept { "kept" } else { "not kept" };
                writeln!(f, "  found {:?} at {}..{} ({note})", o.term, o.start, o.end)?;
            }
            if let Some(q) = &t.query {
                write_part(f, q, 1)?;
            }
        }
        Ok(())
    }
}

fn write_part(f: &mut fmt::Formatter<'_>, part: &QueryPart, depth: usize) -> fmt::Result {
    let verdict = if part.holds { "true " } else { "false" };
    writeln!(
        f,
        "{:indent$}{verdict}  {}",
        "",
        part.text,
        indent = 2 * depth
    )?;
    for p in &part.parts {
        write_part(f, p, depth + 1)?;
    }
    Ok(())
}
