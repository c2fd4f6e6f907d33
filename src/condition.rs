//! Whether a query topic matches a message (SEMANTICS.md §7), evaluated from the occurrences
//! the single scan found: terms are never searched again.

use crate::boundary::{is_unspaced, is_word_char};
use crate::message::Message;
use crate::query::{Expr, FieldName};

/// One occurrence of a topic's term (byte offsets in the text), before selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawOccurrence {
    pub(crate) topic: u32,
    pub(crate) term: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// The words of a text for `NEAR` distances: maximal runs of word characters, except that
/// each word character of a script written without spaces is a word of its own. Computed at
/// most once per message, and only when a `NEAR` is evaluated.
#[derive(Clone, Debug, Default)]
pub(crate) struct Words {
    /// `(start, end)` byte offsets, in text order.
    spans: Vec<(u32, u32)>,
    ready: bool,
}

impl Words {
    pub(crate) fn reset(&mut self) {
        self.spans.clear();
        self.ready = false;
    }

    fn of<'w>(&'w mut self, text: &str) -> &'w [(u32, u32)] {
        if !self.ready {
            self.ready = true;
            let mut current: Option<u32> = None;
            for (i, c) in text.char_indices() {
                let i = i as u32;
                let end = i + c.len_utf8() as u32;
                if !is_word_char(c) {
                    if let Some(start) = current.take() {
                        self.spans.push((start, i));
                    }
                } else if is_unspaced(c) {
                    if let Some(start) = current.take() {
                        self.spans.push((start, i));
                    }
                    self.spans.push((i, end));
                } else if current.is_none() {
                    current = Some(i);
                }
            }
            if let Some(start) = current {
                self.spans.push((start, text.len() as u32));
            }
        }
        &self.spans
    }

    /// The number of words that start at or after `from` and end at or before `to`.
    fn between(spans: &[(u32, u32)], from: u32, to: u32) -> usize {
        // Words are disjoint and in order, so both their starts and their ends are sorted.
        let first = spans.partition_point(|&(start, _)| start < from);
        let last = spans.partition_point(|&(_, end)| end <= to);
        last.saturating_sub(first)
    }
}

/// What an expression is evaluated against: one message, one topic's term occurrences.
pub(crate) struct Context<'a> {
    pub(crate) message: &'a Message<'a>,
    /// Sorted by start, then end descending.
    pub(crate) occurrences: &'a [RawOccurrence],
    /// The terms that occur, sorted, each once.
    pub(crate) present: &'a [u32],
    pub(crate) words: &'a mut Words,
}

impl Context<'_> {
    /// Evaluates `node`. Recursion follows the nesting of parentheses and `NOT`s, which the
    /// parser bounds; chains of one operator are flat.
    pub(crate) fn eval(&mut self, node: &Node) -> bool {
        match node {
            Node::AnyTerm(terms) => self
                .present
                .iter()
                .any(|t| terms.binary_search(&(*t as usize)).is_ok()),
            Node::Field { field, value } => {
                let actual = match field {
                    FieldName::Source => self.message.source,
                    FieldName::Lang => self.message.lang,
                };
                actual.unwrap_or("unknown").eq_ignore_ascii_case(value)
            }
            Node::Not(x) => !self.eval(x),
            Node::All(xs) => xs.iter().all(|x| self.eval(x)),
            Node::Any(xs) => xs.iter().any(|x| self.eval(x)),
            Node::Near {
                left,
                right,
                distance,
                ordered,
            } => self.near(left, right, *distance as usize, *ordered),
        }
    }

    fn near(&mut self, left: &[usize], right: &[usize], distance: usize, ordered: bool) -> bool {
        let of = |terms: &[usize], o: &RawOccurrence| terms.contains(&(o.term as usize));
        let occurrences = self.occurrences;
        if !occurrences.iter().any(|o| of(left, o)) || !occurrences.iter().any(|o| of(right, o)) {
            return false;
        }
        let words = self.words.of(self.message.text);
        let lefts = occurrences.iter().filter(|o| of(left, o));
        lefts.into_iter().any(|a| {
            occurrences.iter().filter(|o| of(right, o)).any(|b| {
                if a.end <= b.start {
                    Words::between(words, a.end, b.start) <= distance
                } else if ordered {
                    false
                } else if b.end <= a.start {
                    Words::between(words, b.end, a.start) <= distance
                } else {
                    true // overlapping occurrences are 0 words apart
                }
            })
        })
    }
}

/// A query compiled for evaluation: chains of one operator become one node, and the terms
/// of an `OR` are one sorted set, checked against the few terms that occur.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// Any of these terms (sorted) occurs.
    AnyTerm(Vec<usize>),
    Field {
        field: FieldName,
        value: String,
    },
    Not(Box<Node>),
    All(Vec<Node>),
    Any(Vec<Node>),
    Near {
        left: Vec<usize>,
        right: Vec<usize>,
        distance: u32,
        ordered: bool,
    },
}

impl Node {
    /// Compiles `expr`.
    pub(crate) fn compile(expr: &Expr) -> Node {
        match expr {
            Expr::Term(t) => Node::AnyTerm(vec![*t]),
            Expr::Field { field, value } => Node::Field {
                field: *field,
                value: value.clone(),
            },
            Expr::Not(x) => Node::Not(Box::new(Node::compile(x))),
            Expr::Near {
                left,
                right,
                distance,
                ordered,
            } => Node::Near {
                left: left.clone(),
                right: right.clone(),
                distance: *distance,
                ordered: *ordered,
            },
            Expr::And(..) => {
                let mut operands = Vec::new();
                chain(expr, &mut operands);
                Node::All(operands.into_iter().map(Node::compile).collect())
            }
            Expr::Or(..) => {
                let mut operands = Vec::new();
                chain(expr, &mut operands);
                let mut terms = Vec::new();
                let mut others = Vec::new();
                for x in operands {
                    match Node::compile(x) {
                        Node::AnyTerm(ts) => terms.extend(ts),
                        other => others.push(other),
                    }
                }
                terms.sort_unstable();
                terms.dedup();
                if !terms.is_empty() {
                    others.insert(0, Node::AnyTerm(terms));
                }
                if others.len() == 1 {
                    others.pop().unwrap_or(Node::Any(Vec::new()))
                } else {
                    Node::Any(others)
                }
            }
        }
    }
}

/// The operands of a chain of the same operator as `expr` (`a OR b OR c`), left to right.
/// Parsing nests chains down their left side, which is walked without recursion.
pub(crate) fn chain<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    let same = |x: &Expr| std::mem::discriminant(x) == std::mem::discriminant(expr);
    let mut rights = Vec::new();
    let mut node = expr;
    while let Expr::And(a, b) | Expr::Or(a, b) = node {
        rights.push(&**b);
        if !same(a) {
            out.push(&**a);
            break;
        }
        node = a;
    }
    for b in rights.into_iter().rev() {
        if same(b) {
            chain(b, out);
        } else {
            out.push(b);
        }
    }
}

/// Whether `expr` can hold for a message in which none of its terms occurs (a field filter
/// or a `NOT`): such a topic is evaluated for every message, not only where its terms occur.
pub(crate) fn can_hold_without_terms(expr: &Expr) -> bool {
    match expr {
        Expr::Term(_) | Expr::Near { .. } => false,
        Expr::Field { .. } | Expr::Not(_) => true,
        Expr::And(a, b) => can_hold_without_terms(a) && can_hold_without_terms(b),
        Expr::Or(a, b) => can_hold_without_terms(a) || can_hold_without_terms(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_mixed_scripts() {
        let mut w = Words::default();
        let text = "health-care 医疗 ok_go é";
        let spans: Vec<&str> = w
            .of(text)
            .iter()
            .map(|&(s, e)| &text[s as usize..e as usize])
            .collect();
        assert_eq!(spans, ["health", "care", "医", "疗", "ok_go", "é"]);
    }

    #[test]
    fn words_between() {
        let mut w = Words::default();
        let spans = w.of("a b c d").to_vec();
        assert_eq!(Words::between(&spans, 1, 6), 2); // b, c between a and d
        assert_eq!(Words::between(&spans, 1, 2), 0);
        assert_eq!(Words::between(&spans, 3, 3), 0);
    }
}
