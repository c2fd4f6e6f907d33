//! Reference implementation (test oracle) of `SEMANTICS.md` §1–§7: keyword topics and
//! boolean query topics.
//!
//! Written from the contract alone, for readability rather than speed: matching tries every
//! span of the text, queries are read by a small recursive-descent parser and evaluated on
//! the syntax tree, JSON records are read by a small hand-written parser, and dates are
//! computed by counting days year by year. It uses no matching or parsing library.
//!
//! Choices taken where the contract is silent (see also the comments at each place):
//! - A keyword ending in several `*` loses only the last one: `foo**` is the prefix keyword
//!   `foo*` (a literal `*` followed by anything).
//! - A record object holding the same key twice (after decoding escapes, e.g. `"text"` and
//!   `"te\u0078t"`) is malformed, whatever the key. Objects nested inside ignored fields are
//!   not checked for duplicate keys.
//! - JSON is read exactly as RFC 8259's grammar: no nesting limit, and numbers out of the
//!   64-bit float range (`1e400`) are valid in ignored fields (as a `timestamp` they are out
//!   of range, so the record is malformed).
//! - A UTF-8 byte order mark at the start of the input is skipped; elsewhere it is data.
//! - Timestamp strings: the fraction after `.` needs at least one digit and may have any
//!   number of them (it is dropped); `,` is not a decimal separator; a fraction needs seconds;
//!   `-00:00` is accepted as UTC; a date-only string takes no zone; no surrounding spaces.
//! - Dates before 1582 use the proleptic Gregorian calendar.
//! - In the counts JSON, `keywords`, `by_source` and `by_time` are always present (possibly
//!   `{}`), and keywords with zero mentions are omitted.
//!
//! §7 queries, syntax:
//! - Tokens are separated by `char::is_whitespace`. `AND`, `OR`, `NOT`, `NEAR/…` are
//!   operators only as whole bare words in capitals; a quoted phrase is always a term.
//! - `NEAR/` must be followed by ASCII digits and optionally a lower-case `f`, nothing else
//!   (`NEAR/3x`, `NEAR/3F`, `NEAR/-1` are errors); leading zeros are allowed (`NEAR/007`);
//!   any number above 100, however long, is out of range.
//! - Field filters are the bare words starting `source:` or `lang:` in lower case
//!   (`Source:blog` is a term); the value is the rest of the word, taken literally (`*` and
//!   `:` included, no wildcard). `source:"blog"` is a filter with an empty value.
//! - A term made only of `*` and whitespace (`*`, `**`, `" * "`, `"  "`) is an error; `"a"*`
//!   is an error too (the `*` is a bare word of its own). A quoted phrase ending in `*` is a
//!   prefix term like any keyword (`"health car*"`).
//! - A `NEAR` operand may be any parenthesization of an `OR` of terms (`(a)`,
//!   `((a OR b) OR c)`); a field filter, `NOT`, `AND` or `NEAR` inside it is an error. Since
//!   `NOT` binds tighter, `NOT a NEAR/1 b` is an error (a bad left operand).
//! - `a NOT b` is two operands side by side (an error), not `a AND NOT b`.
//! - `NOT NOT a`: `a` is inside a `NOT`, so it is not a positive term.
//! - An empty or blank query is a missing operand.
//! - Errors are looked for in a fixed order (see `query_error`) and reported with a 1-based
//!   character column.
//!
//! §7 queries, meaning:
//! - A term is identified by its string as written without quotes: `health` and `"health"`
//!   are one term; `"health care"` and `"health  care"` are two (both credited as written,
//!   whitespace inside the quotes kept). A term is positive when at least one of its
//!   appearances lies outside every `NOT`; "written first" means its first appearance
//!   anywhere in the query (even inside a `NOT`).
//! - Only positive terms enter the leftmost-longest selection; occurrences of other terms
//!   neither count nor block. All occurrences of positive terms are mentions, including those
//!   of terms the match did not need (`a OR (b AND c)` on `a b` has 2 mentions) and those of
//!   `NEAR` terms far from each other.
//! - `NEAR` looks at every §3 occurrence of its terms (before any selection). The two
//!   occurrences need not be distinct: `a NEAR/0 a` holds on `a` (one occurrence overlaps
//!   itself); `a NEAR/0f a` needs two.
//! - Word counting ignores the topic's options; a word only partly inside the gap between
//!   the occurrences (a prefix match `insur` in `insurance`, a match inside a word without
//!   whole-word matching) does not count. A combining mark after a no-space-script
//!   character starts a word of its own; each Thai character that is a word character, marks
//!   included, is a word.
//! - `source:`/`lang:` values equal to `unknown` in any ASCII case match a record without the
//!   field, and also a record whose field is `unknown` in any ASCII case; `""` is a value of
//!   its own (matched by no filter). `lang:en` does not match `en-US`.
//! - `vetoed` is true whenever an `exclude` keyword occurs, whether or not the query holds.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

/// A topic of the dictionary (§1, §7): keywords or a query, and exclusions, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTopic {
    /// Unique topic name.
    pub name: String,
    /// Keywords as written (normalized internally, §1); empty for a query topic.
    pub keywords: Vec<String>,
    /// A §7 boolean query, for a query topic (then `keywords` is empty).
    pub query: Option<String>,
    /// Exclusion keywords as written; any occurrence vetoes the topic for the message.
    pub exclude: Vec<String>,
    /// Compare case-sensitively (default false).
    pub case_sensitive: bool,
    /// Impose word boundaries (default true).
    pub whole_word: bool,
}

/// One kept occurrence of a keyword in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefOccurrence {
    /// The keyword credited, as written in the dictionary.
    pub keyword: String,
    /// Byte offset of the start of the span in the original text.
    pub start: usize,
    /// Byte offset just past the end of the span in the original text.
    pub end: usize,
}

/// The outcome of one topic for one message (§4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTopicResult {
    /// An `exclude` keyword occurs: the topic scores zero.
    pub vetoed: bool,
    /// The message matches the topic (keyword topic: mentions >= 1; query topic: the query
    /// holds and the topic is not vetoed, possibly with 0 mentions, §7).
    pub matched: bool,
    /// Mention count (number of kept occurrences; 0 when vetoed).
    pub mentions: usize,
    /// Kept occurrences in text order (empty when vetoed).
    pub kept: Vec<RefOccurrence>,
}

/// One message of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefMessage {
    /// Message text.
    pub text: String,
    /// Source label; `None` is counted under `unknown`.
    pub source: Option<String>,
    /// Unix seconds, UTC; must lie in years 0001–9999.
    pub timestamp: Option<i64>,
    /// Language (used only by §7's `lang:` filter).
    pub lang: Option<String>,
}

/// Size of the `by_time` buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefBucket {
    /// `YYYY-MM-DD`
    Day,
    /// `YYYY-MM-DDTHH`
    Hour,
    /// `YYYY-MM`
    Month,
}

// ---------------------------------------------------------------------------------------
// §1 keyword normalization, §2 comparison, §3 occurrences
// ---------------------------------------------------------------------------------------

/// A keyword after §1 normalization.
struct Keyword {
    /// Normalized characters (single spaces between words, lowercased unless case-sensitive).
    chars: Vec<char>,
    /// Written with a trailing `*`.
    prefix: bool,
}

/// The characters a text or keyword character compares as (§2).
fn fold_char(c: char, case_sensitive: bool) -> Vec<char> {
    if case_sensitive {
        vec![c]
    } else {
        c.to_lowercase().collect()
    }
}

/// §1: trim, collapse whitespace runs to one space, lowercase per character (unless
/// case-sensitive), then one trailing `*` marks a prefix keyword and is removed, and the
/// rest is trimmed again.
fn normalize_keyword(written: &str, case_sensitive: bool) -> Keyword {
    // `split_whitespace` splits on `char::is_whitespace` runs and drops leading/trailing ones.
    let collapsed: Vec<&str> = written.split_whitespace().collect();
    let collapsed = collapsed.join(" ");
    let mut lowered = String::new();
    for c in collapsed.chars() {
        lowered.extend(fold_char(c, case_sensitive));
    }
    let (body, prefix) = match lowered.strip_suffix('*') {
        Some(rest) => (rest.trim().to_string(), true),
        None => (lowered, false),
    };
    Keyword {
        chars: body.chars().collect(),
        prefix,
    }
}

/// Whether the text characters `span` equal the normalized keyword `kw` exactly (§2):
/// a keyword space consumes a non-empty run of whitespace text characters, any other
/// keyword character must be matched by the (folded) text characters, each text character
/// being consumed whole.
fn span_equals(span: &[char], kw: &[char], case_sensitive: bool) -> bool {
    match kw.first() {
        None => span.is_empty(),
        Some(' ') => {
            // Try every non-empty run of whitespace at the start of the span.
            let mut n = 1;
            while n <= span.len() && span[n - 1].is_whitespace() {
                if span_equals(&span[n..], &kw[1..], case_sensitive) {
                    return true;
                }
                n += 1;
            }
            false
        }
        Some(_) => {
            if span.is_empty() {
                return false;
            }
            let folded = fold_char(span[0], case_sensitive);
            kw.starts_with(&folded) && span_equals(&span[1..], &kw[folded.len()..], case_sensitive)
        }
    }
}

/// §3 word character (UTS #18 `\w`).
fn is_word_char(c: char) -> bool {
    regex_syntax::is_word_character(c)
}

/// §3 scripts written without spaces: Han, Hiragana, Katakana, Thai (ranges as listed).
fn is_no_space_script(c: char) -> bool {
    let u = c as u32;
    let ranges: [(u32, u32); 9] = [
        (0x3400, 0x4DBF),   // Han
        (0x4E00, 0x9FFF),   // Han
        (0xF900, 0xFAFF),   // Han
        (0x20000, 0x2FA1F), // Han
        (0x3040, 0x309F),   // Hiragana
        (0x30A0, 0x30FF),   // Katakana
        (0x31F0, 0x31FF),   // Katakana
        (0xFF66, 0xFF9F),   // Katakana
        (0x0E00, 0x0E7F),   // Thai
    ];
    ranges.iter().any(|&(lo, hi)| lo <= u && u <= hi)
}

/// §3 whole-word rule for one side of a span: `edge` is the keyword's character on that
/// side, `beside` the text character just outside the span on that side (if any).
fn side_ok(edge: char, beside: Option<char>) -> bool {
    if !is_word_char(edge) {
        return true; // a non-word keyword edge imposes nothing
    }
    if is_no_space_script(edge) {
        return true; // no boundary beside a no-space-script keyword edge
    }
    match beside {
        None => true,
        Some(b) => is_no_space_script(b) || !is_word_char(b),
    }
}

/// All occurrences of a normalized keyword, as sorted byte spans.
fn occurrences_of(
    kw: &Keyword,
    case_sensitive: bool,
    whole_word: bool,
    text: &str,
) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if kw.chars.is_empty() {
        return found;
    }
    let indexed: Vec<(usize, char)> = text.char_indices().collect();
    let chars: Vec<char> = indexed.iter().map(|&(_, c)| c).collect();
    let n = chars.len();
    let byte_offset = |i: usize| if i < n { indexed[i].0 } else { text.len() };
    let first = kw.chars[0];
    let last = kw.chars[kw.chars.len() - 1];
    for s in 0..n {
        let mut non_whitespace = 0;
        for e in (s + 1)..=n {
            // Every text character that is not whitespace is matched by at least one
            // keyword character (its lowercase is never empty), so a longer span cannot
            // match: stop there. (This only saves time.)
            if !chars[e - 1].is_whitespace() {
                non_whitespace += 1;
            }
            if non_whitespace > kw.chars.len() {
                break;
            }
            if !span_equals(&chars[s..e], &kw.chars, case_sensitive) {
                continue;
            }
            if whole_word {
                let before = if s > 0 { Some(chars[s - 1]) } else { None };
                let after = if e < n { Some(chars[e]) } else { None };
                if !side_ok(first, before) {
                    continue;
                }
                // A prefix keyword imposes nothing after the span.
                if !kw.prefix && !side_ok(last, after) {
                    continue;
                }
            }
            found.push((byte_offset(s), byte_offset(e)));
        }
    }
    found.sort();
    found
}

/// All occurrences (§3) of one keyword as written (normalization §1 applied inside), as
/// (start, end) byte spans, sorted.
pub fn occurrences(
    keyword_as_written: &str,
    case_sensitive: bool,
    whole_word: bool,
    text: &str,
) -> Vec<(usize, usize)> {
    let kw = normalize_keyword(keyword_as_written, case_sensitive);
    occurrences_of(&kw, case_sensitive, whole_word, text)
}

// ---------------------------------------------------------------------------------------
// §4 per message
// ---------------------------------------------------------------------------------------

/// Whether any `exclude` keyword of the topic occurs in the text (§4 veto).
fn is_vetoed(topic: &RefTopic, text: &str) -> bool {
    topic
        .exclude
        .iter()
        .any(|x| !occurrences(x, topic.case_sensitive, topic.whole_word, text).is_empty())
}

/// §4 selection: `all` holds (start, end, credit rank) for every occurrence, where the rank
/// orders the candidates for credit (lower is credited first on identical spans) and
/// `names[rank]` is the string credited. Sort by start ascending, end descending, then rank;
/// keep an occurrence when it starts at or after the end of the last kept one.
fn select_leftmost_longest(
    mut all: Vec<(usize, usize, usize)>,
    names: &[String],
) -> Vec<RefOccurrence> {
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut kept: Vec<RefOccurrence> = Vec::new();
    for (s, e, i) in all {
        let free = match kept.last() {
            None => true,
            Some(prev) => s >= prev.end,
        };
        if free {
            kept.push(RefOccurrence {
                keyword: names[i].clone(),
                start: s,
                end: e,
            });
        }
    }
    kept
}

/// The result of a topic that does not match the message.
fn no_match(vetoed: bool) -> RefTopicResult {
    RefTopicResult {
        vetoed,
        matched: false,
        mentions: 0,
        kept: Vec::new(),
    }
}

/// §4 for a keyword topic.
fn classify_keyword_topic(topic: &RefTopic, text: &str) -> RefTopicResult {
    if is_vetoed(topic, text) {
        return no_match(true);
    }
    // (start, end, index of the keyword in dictionary order)
    let mut all: Vec<(usize, usize, usize)> = Vec::new();
    for (i, kw) in topic.keywords.iter().enumerate() {
        for (s, e) in occurrences(kw, topic.case_sensitive, topic.whole_word, text) {
            all.push((s, e, i));
        }
    }
    let kept = select_leftmost_longest(all, &topic.keywords);
    RefTopicResult {
        vetoed: false,
        matched: !kept.is_empty(),
        mentions: kept.len(),
        kept,
    }
}

/// §7 for a query topic (the query must be valid: panics otherwise).
fn classify_query_topic(topic: &RefTopic, query: &str, message: &RefMessage) -> RefTopicResult {
    assert!(
        topic.keywords.is_empty(),
        "topic {:?} has both keywords and a query",
        topic.name
    );
    let parsed = match parse_query(query) {
        Ok(parsed) => parsed,
        Err((kind, column)) => panic!(
            "topic {:?}: invalid query {query:?}: {kind:?} at column {column}",
            topic.name
        ),
    };
    let text = &message.text;
    let vetoed = is_vetoed(topic, text);
    // Every term's occurrences, computed once (term index = order of first appearance).
    let term_occurrences: Vec<Vec<(usize, usize)>> = parsed
        .terms
        .iter()
        .map(|t| occurrences(&t.written, topic.case_sensitive, topic.whole_word, text))
        .collect();
    let context = EvalContext {
        message,
        term_occurrences: &term_occurrences,
        words: text_words(text),
    };
    if vetoed || !holds(&parsed.expr, &context) {
        return no_match(vetoed);
    }
    // Mentions: occurrences of the positive terms; on identical spans the term written
    // first in the query (smallest index) is credited.
    let mut all: Vec<(usize, usize, usize)> = Vec::new();
    for (i, term) in parsed.terms.iter().enumerate() {
        if term.positive {
            for &(s, e) in &term_occurrences[i] {
                all.push((s, e, i));
            }
        }
    }
    let names: Vec<String> = parsed.terms.iter().map(|t| t.written.clone()).collect();
    let kept = select_leftmost_longest(all, &names);
    RefTopicResult {
        vetoed: false,
        matched: true,
        mentions: kept.len(),
        kept,
    }
}

fn classify_topic(topic: &RefTopic, message: &RefMessage) -> RefTopicResult {
    match &topic.query {
        None => classify_keyword_topic(topic, &message.text),
        Some(query) => classify_query_topic(topic, query, message),
    }
}

/// §2–§4 and §7 for one message (its text, source and lang): one result per topic, in
/// dictionary order. Query topics must hold valid queries (panics otherwise).
pub fn classify_message(topics: &[RefTopic], message: &RefMessage) -> Vec<RefTopicResult> {
    topics.iter().map(|t| classify_topic(t, message)).collect()
}

/// `classify_message` for a message with this text and no source, timestamp or lang.
pub fn classify(topics: &[RefTopic], text: &str) -> Vec<RefTopicResult> {
    let message = RefMessage {
        text: text.to_string(),
        source: None,
        timestamp: None,
        lang: None,
    };
    classify_message(topics, &message)
}

// ---------------------------------------------------------------------------------------
// §7 queries: syntax
// ---------------------------------------------------------------------------------------

/// Why a query does not parse (§7). Each comes with the 1-based character column of the
/// offending place (see `query_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefQueryError {
    /// A `(` without its `)`, or a `)` without its `(`.
    UnbalancedParenthesis,
    /// A `"` without its closing `"`.
    UnbalancedQuote,
    /// An empty phrase, or a term made only of `*` (and, in a phrase, whitespace).
    EmptyTerm,
    /// An operator without its operand, `()`, or an empty query.
    MissingOperand,
    /// Two operands side by side with no operator between them.
    SideBySide,
    /// A `NEAR` operand that is not a term or a parenthesized `OR` of terms.
    BadNearOperand,
    /// A bare `NEAR`, or `NEAR/` not followed by a number (and an optional `f`).
    BadNear,
    /// `NEAR/n` with n above 100.
    NearOutOfRange,
    /// `x NEAR/n y NEAR/m z`.
    NearChain,
    /// `source:` or `lang:` with nothing after the colon.
    EmptyFieldValue,
    /// No term outside every `NOT`.
    NoPositiveTerm,
}

/// A record field a filter tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldName {
    Source,
    Lang,
}

/// One token of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Near {
        max: usize,
        ordered: bool,
    },
    /// A term as written, without quotes.
    Term(String),
    Field(FieldName, String),
}

/// A token and the 1-based character column where it starts.
struct Token {
    tok: Tok,
    column: usize,
}

type QueryResult<T> = Result<T, (RefQueryError, usize)>;

/// A term made only of whitespace and `*` normalizes to nothing (§1's keyword rule).
fn is_empty_term(written: &str) -> bool {
    written.chars().all(|c| c.is_whitespace() || c == '*')
}

/// The meaning of one bare word (a run of characters other than whitespace, `(`, `)`, `"`).
fn bare_word(word: &str, column: usize) -> QueryResult<Tok> {
    match word {
        "AND" => return Ok(Tok::And),
        "OR" => return Ok(Tok::Or),
        "NOT" => return Ok(Tok::Not),
        "NEAR" => return Err((RefQueryError::BadNear, column)),
        _ => {}
    }
    if let Some(rest) = word.strip_prefix("NEAR/") {
        // Decision: `NEAR/` must be followed by ASCII digits and an optional lower-case `f`,
        // and nothing else (`NEAR/`, `NEAR/x`, `NEAR/3x`, `NEAR/3F` are errors).
        let (digits, ordered) = match rest.strip_suffix('f') {
            Some(d) => (d, true),
            None => (rest, false),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err((RefQueryError::BadNear, column));
        }
        // Leading zeros are allowed (`NEAR/007` is `NEAR/7`); compare without overflowing.
        let significant = digits.trim_start_matches('0');
        if significant.len() > 3 {
            return Err((RefQueryError::NearOutOfRange, column));
        }
        let max: usize = if significant.is_empty() {
            0
        } else {
            significant.parse().expect("at most three digits")
        };
        if max > 100 {
            return Err((RefQueryError::NearOutOfRange, column));
        }
        return Ok(Tok::Near { max, ordered });
    }
    // Decision: field names are lower case (`Source:blog` is a term).
    for (prefix, field) in [("source:", FieldName::Source), ("lang:", FieldName::Lang)] {
        if let Some(value) = word.strip_prefix(prefix) {
            if value.is_empty() {
                return Err((RefQueryError::EmptyFieldValue, column));
            }
            return Ok(Tok::Field(field, value.to_string()));
        }
    }
    if is_empty_term(word) {
        return Err((RefQueryError::EmptyTerm, column));
    }
    Ok(Tok::Term(word.to_string()))
}

/// Splits a query into tokens; the first lexical error (leftmost) is returned.
fn tokenize(query: &str) -> QueryResult<Vec<Token>> {
    let chars: Vec<char> = query.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token {
                tok: Tok::LParen,
                column,
            });
            i += 1;
        } else if c == ')' {
            tokens.push(Token {
                tok: Tok::RParen,
                column,
            });
            i += 1;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += 1;
            }
            if j == chars.len() {
                return Err((RefQueryError::UnbalancedQuote, column));
            }
            let phrase: String = chars[i + 1..j].iter().collect();
            // Decision: a phrase is never an operator or a field filter, and like any
            // keyword a trailing `*` makes it a prefix (`"health car*"`).
            if is_empty_term(&phrase) {
                return Err((RefQueryError::EmptyTerm, column));
            }
            tokens.push(Token {
                tok: Tok::Term(phrase),
                column,
            });
            i = j + 1;
        } else {
            let mut j = i;
            while j < chars.len()
                && !chars[j].is_whitespace()
                && chars[j] != '('
                && chars[j] != ')'
                && chars[j] != '"'
            {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            tokens.push(Token {
                tok: bare_word(&word, column)?,
                column,
            });
            i = j;
        }
    }
    Ok(tokens)
}

/// A parsed query expression; terms are indices into `ParsedQuery::terms`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Term(usize),
    Field(FieldName, String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Near {
        left: Vec<usize>,
        right: Vec<usize>,
        max: usize,
        ordered: bool,
    },
}

/// One distinct term of a query (the same string written twice is one term).
#[derive(Debug, Clone, PartialEq, Eq)]
struct QueryTerm {
    /// As written, without quotes.
    written: String,
    /// Written at least once outside every `NOT`.
    positive: bool,
}

#[derive(Debug)]
struct ParsedQuery {
    /// In order of first appearance in the query.
    terms: Vec<QueryTerm>,
    expr: Expr,
}

/// Recursive descent over the tokens:
/// ```text
/// or    := and ("OR" and)*
/// and   := near ("AND" near)*
/// near  := unary (NEAR unary)?        -- a second NEAR is an error
/// unary := "NOT" unary | primary
/// primary := term | field | "(" or ")"
/// ```
struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Column just past the end of the query (where a missing final operand is reported).
    end_column: usize,
    terms: Vec<QueryTerm>,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn column(&self) -> usize {
        match self.tokens.get(self.pos) {
            Some(t) => t.column,
            None => self.end_column,
        }
    }

    /// Whether the next token begins an operand.
    fn at_operand_start(&self) -> bool {
        matches!(
            self.peek(),
            Some(Tok::Term(_) | Tok::Field(..) | Tok::LParen | Tok::Not)
        )
    }

    fn term_index(&mut self, written: &str) -> usize {
        match self.terms.iter().position(|t| t.written == written) {
            Some(i) => i,
            None => {
                self.terms.push(QueryTerm {
                    written: written.to_string(),
                    positive: false,
                });
                self.terms.len() - 1
            }
        }
    }

    fn or_expr(&mut self) -> QueryResult<Expr> {
        let mut left = self.and_expr()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let right = self.and_expr()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> QueryResult<Expr> {
        let mut left = self.near_expr()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            let right = self.near_expr()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn near_expr(&mut self) -> QueryResult<Expr> {
        let left_column = self.column();
        let left = self.unary()?;
        let (max, ordered) = match self.peek() {
            Some(&Tok::Near { max, ordered }) => (max, ordered),
            _ => return Ok(left),
        };
        let left = near_operand(&left).ok_or((RefQueryError::BadNearOperand, left_column))?;
        self.pos += 1;
        let right_column = self.column();
        let right = self.unary()?;
        let right = near_operand(&right).ok_or((RefQueryError::BadNearOperand, right_column))?;
        if let Some(Tok::Near { .. }) = self.peek() {
            return Err((RefQueryError::NearChain, self.column()));
        }
        Ok(Expr::Near {
            left,
            right,
            max,
            ordered,
        })
    }

    fn unary(&mut self) -> QueryResult<Expr> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            let inner = self.unary()?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> QueryResult<Expr> {
        let column = self.column();
        let tok = self.peek().cloned();
        match tok {
            Some(Tok::Term(written)) => {
                self.pos += 1;
                Ok(Expr::Term(self.term_index(&written)))
            }
            Some(Tok::Field(field, value)) => {
                self.pos += 1;
                Ok(Expr::Field(field, value))
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let inner = self.or_expr()?;
                match self.peek() {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    // Parentheses are balanced (checked before), so what stops the inner
                    // expression here is an operand placed beside it.
                    _ => Err((RefQueryError::SideBySide, self.column())),
                }
            }
            // An operator, `)` or the end of the query where an operand belongs.
            _ => Err((RefQueryError::MissingOperand, column)),
        }
    }
}

/// The terms of a `NEAR` operand: a term, or a parenthesized `OR` of terms. Decision: any
/// parenthesization of an `OR` of terms will do (`(a)`, `((a OR b) OR c)`); a field filter,
/// `NOT`, `AND` or `NEAR` inside makes it invalid.
fn near_operand(e: &Expr) -> Option<Vec<usize>> {
    match e {
        Expr::Term(i) => Some(vec![*i]),
        Expr::Or(l, r) => {
            let mut terms = near_operand(l)?;
            terms.extend(near_operand(r)?);
            Some(terms)
        }
        _ => None,
    }
}

/// Marks the terms written outside every `NOT` as positive.
fn mark_positive(e: &Expr, inside_not: bool, terms: &mut [QueryTerm]) {
    match e {
        Expr::Term(i) => {
            if !inside_not {
                terms[*i].positive = true;
            }
        }
        Expr::Field(..) => {}
        Expr::Not(inner) => mark_positive(inner, true, terms),
        Expr::And(l, r) | Expr::Or(l, r) => {
            mark_positive(l, inside_not, terms);
            mark_positive(r, inside_not, terms);
        }
        Expr::Near { left, right, .. } => {
            if !inside_not {
                for &i in left.iter().chain(right) {
                    terms[i].positive = true;
                }
            }
        }
    }
}

/// Parses a query. Errors are looked for in this order, the first found being reported:
/// lexical errors left to right (quotes, empty terms, `NEAR` spelling and range, empty field
/// values); then parentheses (a `)` without `(`, else the leftmost unclosed `(`); then the
/// grammar, left to right; then the positive-term rule (reported at column 1).
fn parse_query(query: &str) -> QueryResult<ParsedQuery> {
    let tokens = tokenize(query)?;
    let mut open: Vec<usize> = Vec::new();
    for t in &tokens {
        match t.tok {
            Tok::LParen => open.push(t.column),
            Tok::RParen if open.pop().is_none() => {
                return Err((RefQueryError::UnbalancedParenthesis, t.column));
            }
            _ => {}
        }
    }
    if let Some(&column) = open.first() {
        return Err((RefQueryError::UnbalancedParenthesis, column));
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        end_column: query.chars().count() + 1,
        terms: Vec::new(),
    };
    let expr = parser.or_expr()?;
    if parser.pos < parser.tokens.len() {
        // Balanced parentheses, and AND/OR/NEAR would have been taken: what is left starts
        // another operand.
        debug_assert!(parser.at_operand_start());
        return Err((RefQueryError::SideBySide, parser.column()));
    }
    let mut terms = parser.terms;
    mark_positive(&expr, false, &mut terms);
    if !terms.iter().any(|t| t.positive) {
        return Err((RefQueryError::NoPositiveTerm, 1));
    }
    Ok(ParsedQuery { terms, expr })
}

/// The first error of a query (§7) with its 1-based character column, or None when valid.
/// Columns: a token's error is reported at its first character (an unclosed `"` or `(` at
/// itself); a missing operand at the token found instead (one past the end of the query
/// when it ends); two operands side by side at the second; a bad `NEAR` operand at its first
/// token; `NEAR` chaining at the second `NEAR`; no positive term at column 1.
pub fn query_error(query: &str) -> Option<(RefQueryError, usize)> {
    parse_query(query).err()
}

/// Whether a query parses (§7).
pub fn query_is_valid(query: &str) -> bool {
    query_error(query).is_none()
}

// ---------------------------------------------------------------------------------------
// §7 queries: meaning
// ---------------------------------------------------------------------------------------

/// §7 words of a text, as byte spans in order: maximal runs of word characters (§3), except
/// that each word character of a script written without spaces is a word of its own.
fn text_words(text: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut run_start: Option<usize> = None; // start of the current run of (spaced) word chars
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if is_word_char(c) && !is_no_space_script(c) {
            if run_start.is_none() {
                run_start = Some(i);
            }
            continue;
        }
        // c ends any current run.
        if let Some(s) = run_start.take() {
            words.push((s, i));
        }
        if is_word_char(c) {
            words.push((i, end)); // a no-space-script word character: a word by itself
        }
    }
    if let Some(s) = run_start {
        words.push((s, text.len()));
    }
    words
}

/// §7 distance in words between two occurrences (byte spans), and whether `a` ends at or
/// before `b` starts.
fn word_distance(a: (usize, usize), b: (usize, usize), words: &[(usize, usize)]) -> usize {
    let count_between = |gap_start: usize, gap_end: usize| {
        words
            .iter()
            .filter(|&&(ws, we)| ws >= gap_start && we <= gap_end)
            .count()
    };
    if a.1 <= b.0 {
        count_between(a.1, b.0)
    } else if b.1 <= a.0 {
        count_between(b.1, a.0)
    } else {
        0 // the occurrences overlap
    }
}

struct EvalContext<'a> {
    message: &'a RefMessage,
    /// Occurrences of each term of the query, by term index.
    term_occurrences: &'a [Vec<(usize, usize)>],
    words: Vec<(usize, usize)>,
}

fn field_holds(field: FieldName, value: &str, message: &RefMessage) -> bool {
    let actual = match field {
        FieldName::Source => &message.source,
        FieldName::Lang => &message.lang,
    };
    match actual {
        Some(actual) => actual.eq_ignore_ascii_case(value),
        // Decision: `unknown` in any ASCII case matches a record without the field.
        None => value.eq_ignore_ascii_case("unknown"),
    }
}

fn holds(e: &Expr, cx: &EvalContext) -> bool {
    match e {
        Expr::Term(i) => !cx.term_occurrences[*i].is_empty(),
        Expr::Field(field, value) => field_holds(*field, value, cx.message),
        Expr::Not(inner) => !holds(inner, cx),
        Expr::And(l, r) => holds(l, cx) && holds(r, cx),
        Expr::Or(l, r) => holds(l, cx) || holds(r, cx),
        Expr::Near {
            left,
            right,
            max,
            ordered,
        } => {
            let left_occurrences = left.iter().flat_map(|&i| cx.term_occurrences[i].iter());
            for &a in left_occurrences {
                for &i in right {
                    for &b in &cx.term_occurrences[i] {
                        if *ordered && a.1 > b.0 {
                            continue; // NEAR/nf: a must end at or before b starts
                        }
                        if word_distance(a, b, &cx.words) <= *max {
                            return true;
                        }
                    }
                }
            }
            false
        }
    }
}

// ---------------------------------------------------------------------------------------
// Dates (proleptic Gregorian, UTC)
// ---------------------------------------------------------------------------------------

const SECONDS_PER_DAY: i64 = 86_400;
/// 0001-01-01T00:00:00Z
const MIN_UNIX: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z
const MAX_UNIX: i64 = 253_402_300_799;

fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_year(y: i64) -> i64 {
    if is_leap_year(y) {
        366
    } else {
        365
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            if is_leap_year(y) {
                29
            } else {
                28
            }
        }
        _ => 0,
    }
}

/// Days since 1970-01-01 of a valid date (counted year by year).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let mut days = 0;
    if y >= 1970 {
        for yy in 1970..y {
            days += days_in_year(yy);
        }
    } else {
        for yy in y..1970 {
            days -= days_in_year(yy);
        }
    }
    for mm in 1..m {
        days += days_in_month(y, mm);
    }
    days + d - 1
}

/// The date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let mut y = 1970;
    let mut rem = days;
    while rem < 0 {
        y -= 1;
        rem += days_in_year(y);
    }
    while rem >= days_in_year(y) {
        rem -= days_in_year(y);
        y += 1;
    }
    let mut m = 1;
    while rem >= days_in_month(y, m) {
        rem -= days_in_month(y, m);
        m += 1;
    }
    (y, m, rem + 1)
}

/// The bucket label of §6 (`YYYY-MM-DD`, `YYYY-MM-DDTHH`, `YYYY-MM`) for a UTC Unix time.
/// Panics unless the time lies in years 0001–9999.
pub fn bucket_label(unix_seconds: i64, bucket: RefBucket) -> String {
    assert!(
        (MIN_UNIX..=MAX_UNIX).contains(&unix_seconds),
        "timestamp {unix_seconds} outside years 0001-9999"
    );
    let days = unix_seconds.div_euclid(SECONDS_PER_DAY);
    let hour = unix_seconds.rem_euclid(SECONDS_PER_DAY) / 3600;
    let (y, m, d) = civil_from_days(days);
    match bucket {
        RefBucket::Day => format!("{y:04}-{m:02}-{d:02}"),
        RefBucket::Hour => format!("{y:04}-{m:02}-{d:02}T{hour:02}"),
        RefBucket::Month => format!("{y:04}-{m:02}"),
    }
}

// ---------------------------------------------------------------------------------------
// §6 timestamps
// ---------------------------------------------------------------------------------------

/// A timestamp number: the correctly rounded f64, truncated toward zero, in range.
fn timestamp_from_f64(x: f64) -> Option<i64> {
    if !x.is_finite() {
        return None;
    }
    let t = x.trunc();
    // MIN_UNIX and MAX_UNIX are exactly representable as f64.
    if t < MIN_UNIX as f64 || t > MAX_UNIX as f64 {
        return None;
    }
    Some(t as i64)
}

/// The value of a run of ASCII digits (None if empty or any byte is not a digit).
fn ascii_number(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || !bytes.iter().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0, |acc, b| acc * 10 + i64::from(b - b'0')),
    )
}

/// §6 string timestamp: `YYYY-MM-DD`, or `YYYY-MM-DD(T| )HH:MM[:SS[.f]]` followed by `Z`,
/// `±HH:MM` or nothing.
fn timestamp_from_str(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = ascii_number(&b[0..4])?;
    let month = ascii_number(&b[5..7])?;
    let day = ascii_number(&b[8..10])?;
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let midnight = days_from_civil(year, month, day) * SECONDS_PER_DAY;
    if b.len() == 10 {
        return in_range(midnight);
    }
    if b[10] != b'T' && b[10] != b' ' {
        return None;
    }
    let rest = &b[11..];
    // HH:MM
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour = ascii_number(&rest[0..2])?;
    let minute = ascii_number(&rest[3..5])?;
    let mut i = 5;
    let mut second = 0;
    // [:SS[.f]]
    if rest.get(i) == Some(&b':') {
        if rest.len() < i + 3 {
            return None;
        }
        second = ascii_number(&rest[i + 1..i + 3])?;
        i += 3;
        if rest.get(i) == Some(&b'.') {
            i += 1;
            let digits_start = i;
            while i < rest.len() && rest[i].is_ascii_digit() {
                i += 1;
            }
            if i == digits_start {
                return None;
            }
            // The fraction is dropped: buckets are at least an hour wide and the written
            // time is non-negative, so flooring the seconds loses nothing.
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Zone: nothing (UTC), `Z`, or `±HH:MM`.
    let zone = &rest[i..];
    let offset_seconds = match zone {
        [] => 0,
        [b'Z'] => 0,
        [sign, h1, h2, b':', m1, m2] if *sign == b'+' || *sign == b'-' => {
            let oh = ascii_number(&[*h1, *h2])?;
            let om = ascii_number(&[*m1, *m2])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let magnitude = oh * 3600 + om * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    let local = midnight + hour * 3600 + minute * 60 + second;
    // Local time = UTC + offset.
    in_range(local - offset_seconds)
}

fn in_range(unix: i64) -> Option<i64> {
    if (MIN_UNIX..=MAX_UNIX).contains(&unix) {
        Some(unix)
    } else {
        None
    }
}

/// §6 timestamp rules, for one JSON value of a `timestamp` field (not null): Some(unix
/// seconds UTC) or None when it does not parse / is out of range. (`null` gives None too;
/// the caller treats it as absent beforehand.)
pub fn parse_timestamp(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => timestamp_from_f64(n.as_f64()?),
        Value::String(s) => timestamp_from_str(s),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// §4–§5 aggregation
// ---------------------------------------------------------------------------------------

#[derive(Default)]
struct TopicTotals {
    messages: u64,
    mentions: u64,
    keywords: BTreeMap<String, u64>,
    /// label -> (messages, mentions)
    by_source: BTreeMap<String, (u64, u64)>,
    /// label -> (messages, mentions)
    by_time: BTreeMap<String, (u64, u64)>,
}

/// A JSON object with its keys inserted in sorted order (so the output is sorted whether or
/// not serde_json's `preserve_order` feature is on).
fn sorted_object(mut entries: Vec<(String, Value)>) -> Value {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Map::new();
    for (key, value) in entries {
        out.insert(key, value);
    }
    Value::Object(out)
}

/// `{"mentions": .., "messages": ..}`
fn messages_mentions(messages: u64, mentions: u64) -> Value {
    sorted_object(vec![
        ("messages".to_string(), json!(messages)),
        ("mentions".to_string(), json!(mentions)),
    ])
}

fn pair_map(map: &BTreeMap<String, (u64, u64)>) -> Value {
    sorted_object(
        map.iter()
            .map(|(label, &(messages, mentions))| {
                (label.clone(), messages_mentions(messages, mentions))
            })
            .collect(),
    )
}

/// Counts of the well-formed `messages`, with the given malformed-record errors, as §5's JSON.
fn render_counts(
    topics: &[RefTopic],
    messages: &[RefMessage],
    bucket: RefBucket,
    malformed: u64,
    first_lines: &[u64],
) -> Value {
    let mut totals: Vec<TopicTotals> = topics.iter().map(|_| TopicTotals::default()).collect();
    let mut matched_messages: u64 = 0;
    for message in messages {
        let results = classify_message(topics, message);
        let mut matched_any = false;
        for (result, total) in results.iter().zip(totals.iter_mut()) {
            if !result.matched {
                continue; // vetoed, or no occurrence / query does not hold (mentions may be 0
                          // for a query topic that matched)
            }
            matched_any = true;
            let mentions = result.mentions as u64;
            total.messages += 1;
            total.mentions += mentions;
            for occ in &result.kept {
                *total.keywords.entry(occ.keyword.clone()).or_insert(0) += 1;
            }
            let source = message
                .source
                .clone()
                .unwrap_or_else(|| "unknown".to_string());
            let entry = total.by_source.entry(source).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += mentions;
            if let Some(ts) = message.timestamp {
                let entry = total
                    .by_time
                    .entry(bucket_label(ts, bucket))
                    .or_insert((0, 0));
                entry.0 += 1;
                entry.1 += mentions;
            }
        }
        if matched_any {
            matched_messages += 1;
        }
    }
    let mut topic_entries = Vec::new();
    for (topic, total) in topics.iter().zip(&totals) {
        let keywords = sorted_object(
            total
                .keywords
                .iter()
                .map(|(kw, &n)| (kw.clone(), json!(n)))
                .collect(),
        );
        let body = sorted_object(vec![
            ("messages".to_string(), json!(total.messages)),
            ("mentions".to_string(), json!(total.mentions)),
            ("keywords".to_string(), keywords),
            ("by_source".to_string(), pair_map(&total.by_source)),
            ("by_time".to_string(), pair_map(&total.by_time)),
        ]);
        topic_entries.push((topic.name.clone(), body));
    }
    let errors = sorted_object(vec![
        ("malformed".to_string(), json!(malformed)),
        ("first_lines".to_string(), json!(first_lines)),
    ]);
    sorted_object(vec![
        ("total_messages".to_string(), json!(messages.len() as u64)),
        ("matched_messages".to_string(), json!(matched_messages)),
        ("topics".to_string(), sorted_object(topic_entries)),
        ("errors".to_string(), errors),
    ])
}

/// §4 aggregates over a batch, rendered as §5's JSON value (errors: malformed 0, first_lines []).
pub fn counts(topics: &[RefTopic], messages: &[RefMessage], bucket: RefBucket) -> Value {
    render_counts(topics, messages, bucket, 0, &[])
}

// ---------------------------------------------------------------------------------------
// §6 records: a small strict JSON reader (RFC 8259)
// ---------------------------------------------------------------------------------------

/// A decoded JSON string as Unicode code points; a lone surrogate escape stays as its
/// surrogate value (0xD800–0xDFFF), which no `char` can hold.
type CodePoints = Vec<u32>;

fn code_points_to_string(cps: &[u32]) -> Option<String> {
    cps.iter().map(|&u| char::from_u32(u)).collect()
}

/// The value of one member of the record object, as far as §6 cares.
enum Field {
    Null,
    Bool,
    /// The number as written (valid JSON number syntax).
    Number(String),
    Str(CodePoints),
    /// An array or an object (contents checked for validity, then dropped).
    Container,
}

struct JsonReader {
    chars: Vec<char>,
    pos: usize,
}

impl JsonReader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn expect(&mut self, c: char) -> Option<()> {
        if self.next() == Some(c) {
            Some(())
        } else {
            None
        }
    }

    /// JSON whitespace: space, tab, line feed, carriage return.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + self.next()?.to_digit(16)?;
        }
        Some(v)
    }

    /// A string, at its opening quote.
    fn string(&mut self) -> Option<CodePoints> {
        self.expect('"')?;
        let mut out = Vec::new();
        loop {
            match self.next()? {
                '"' => return Some(out),
                '\\' => match self.next()? {
                    '"' => out.push('"' as u32),
                    '\\' => out.push('\\' as u32),
                    '/' => out.push('/' as u32),
                    'b' => out.push(0x08),
                    'f' => out.push(0x0C),
                    'n' => out.push(0x0A),
                    'r' => out.push(0x0D),
                    't' => out.push(0x09),
                    'u' => {
                        let unit = self.hex4()?;
                        if (0xD800..=0xDBFF).contains(&unit) {
                            // A high surrogate pairs with an immediately following low one.
                            let save = self.pos;
                            let low = if self.next() == Some('\\') && self.next() == Some('u') {
                                self.hex4()
                            } else {
                                None
                            };
                            match low {
                                Some(low) if (0xDC00..=0xDFFF).contains(&low) => {
                                    out.push(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                                }
                                _ => {
                                    // Lone: keep it, and read what follows normally.
                                    self.pos = save;
                                    out.push(unit);
                                }
                            }
                        } else {
                            out.push(unit); // may be a lone low surrogate
                        }
                    }
                    _ => return None,
                },
                c if (c as u32) < 0x20 => return None, // control characters must be escaped
                c => out.push(c as u32),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some('0'..='9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    fn number(&mut self) -> Option<String> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        match self.peek() {
            Some('0') => self.pos += 1,
            Some('1'..='9') => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some('.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(self.chars[start..self.pos].iter().collect())
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        for c in word.chars() {
            self.expect(c)?;
        }
        Some(())
    }

    /// A scalar (string, number, true, false, null).
    fn scalar(&mut self) -> Option<Field> {
        match self.peek()? {
            '"' => Some(Field::Str(self.string()?)),
            '-' | '0'..='9' => Some(Field::Number(self.number()?)),
            't' => self.literal("true").map(|_| Field::Bool),
            'f' => self.literal("false").map(|_| Field::Bool),
            'n' => self.literal("null").map(|_| Field::Null),
            _ => None,
        }
    }

    /// `"key" :` inside an object.
    fn member_key(&mut self) -> Option<CodePoints> {
        self.skip_ws();
        let key = self.string()?;
        self.skip_ws();
        self.expect(':')?;
        Some(key)
    }

    /// Any value (after optional whitespace).
    fn value(&mut self) -> Option<Field> {
        self.skip_ws();
        match self.peek()? {
            '[' | '{' => {
                self.skip_container()?;
                Some(Field::Container)
            }
            _ => self.scalar(),
        }
    }

    /// An array or object, at its opening bracket, checked and skipped. Walked with an
    /// explicit stack, so nesting depth is unlimited.
    fn skip_container(&mut self) -> Option<()> {
        let mut open: Vec<char> = Vec::new(); // '[' or '{' for each open container
        loop {
            // Expecting a value here.
            self.skip_ws();
            match self.peek()? {
                '[' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(']') {
                        self.pos += 1;
                    } else {
                        open.push('[');
                        continue; // expect the first element
                    }
                }
                '{' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some('}') {
                        self.pos += 1;
                    } else {
                        open.push('{');
                        self.member_key()?;
                        continue; // expect the first member's value
                    }
                }
                _ => {
                    self.scalar()?;
                }
            }
            // A value has just ended: close containers, or move on to the next element.
            loop {
                let Some(&top) = open.last() else {
                    return Some(()); // the outermost container is closed
                };
                self.skip_ws();
                match self.next()? {
                    ',' => {
                        if top == '{' {
                            self.member_key()?;
                        }
                        break; // expect the next value
                    }
                    ']' if top == '[' => {
                        open.pop();
                    }
                    '}' if top == '{' => {
                        open.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// A whole document that must be one object: its members in order, keys decoded.
    fn object_document(&mut self) -> Option<Vec<(CodePoints, Field)>> {
        let mut members = Vec::new();
        self.skip_ws();
        self.expect('{')?;
        self.skip_ws();
        if self.peek() == Some('}') {
            self.pos += 1;
        } else {
            loop {
                let key = self.member_key()?;
                let value = self.value()?;
                members.push((key, value));
                self.skip_ws();
                match self.next()? {
                    ',' => continue,
                    '}' => break,
                    _ => return None,
                }
            }
        }
        self.skip_ws();
        if self.pos != self.chars.len() {
            return None; // trailing content
        }
        Some(members)
    }
}

/// An optional string field (`source`, `lang`): Ok(None) when absent or null, Err when
/// malformed (not a string, or holding a lone surrogate).
fn optional_string(field: Option<&Field>) -> Result<Option<String>, ()> {
    match field {
        None | Some(Field::Null) => Ok(None),
        Some(Field::Str(cps)) => code_points_to_string(cps).map(Some).ok_or(()),
        Some(_) => Err(()),
    }
}

/// One line (already decoded) as a message, or None when malformed.
fn parse_record(line: &str) -> Option<RefMessage> {
    let mut reader = JsonReader {
        chars: line.chars().collect(),
        pos: 0,
    };
    let members = reader.object_document()?;
    // Decision: an object holding the same key twice is malformed (the record would be
    // ambiguous). Keys are compared after decoding escapes.
    for i in 0..members.len() {
        for j in (i + 1)..members.len() {
            if members[i].0 == members[j].0 {
                return None;
            }
        }
    }
    let get = |name: &str| -> Option<&Field> {
        let wanted: CodePoints = name.chars().map(|c| c as u32).collect();
        members.iter().find(|(k, _)| *k == wanted).map(|(_, v)| v)
    };
    let text = match get("text") {
        Some(Field::Str(cps)) => code_points_to_string(cps)?,
        _ => return None, // absent, null, not a string
    };
    let source = optional_string(get("source")).ok()?;
    let lang = optional_string(get("lang")).ok()?;
    let timestamp = match get("timestamp") {
        None | Some(Field::Null) => None,
        Some(Field::Number(written)) => {
            // Rust's float parsing is correctly rounded, like serde_json's `float_roundtrip`;
            // out-of-range literals become infinite and are rejected.
            let x: f64 = written.parse().ok()?;
            Some(timestamp_from_f64(x)?)
        }
        Some(Field::Str(cps)) => Some(timestamp_from_str(&code_points_to_string(cps)?)?),
        Some(Field::Bool | Field::Container) => return None,
    };
    Some(RefMessage {
        text,
        source,
        timestamp,
        lang,
    })
}

/// §6: read JSON Lines bytes (whole input in memory) and return §5's JSON, including errors.
pub fn count_jsonl(
    topics: &[RefTopic],
    input: &[u8],
    bucket: RefBucket,
    max_record_bytes: usize,
    lossy: bool,
) -> Value {
    let mut messages = Vec::new();
    let mut malformed: u64 = 0;
    let mut first_lines: Vec<u64> = Vec::new();
    // A UTF-8 byte order mark at the very start of the input is not part of the first record
    // (the README's decision: files saved by Windows tools start with one).
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    // Splitting on `\n`: a final line without `\n` is a line; the empty piece after a final
    // `\n` is a blank line and so skipped.
    for (index, line) in input.split(|&b| b == b'\n').enumerate() {
        let line_number = index as u64 + 1;
        let record = if line.len() > max_record_bytes {
            None
        } else if line.iter().all(|&b| b == b' ' || b == b'\t' || b == b'\r') {
            continue; // blank: not a message, not an error
        } else if lossy {
            parse_record(&String::from_utf8_lossy(line))
        } else {
            match std::str::from_utf8(line) {
                Ok(s) => parse_record(s),
                Err(_) => None,
            }
        };
        match record {
            Some(message) => messages.push(message),
            None => {
                malformed += 1;
                if first_lines.len() < 10 {
                    first_lines.push(line_number);
                }
            }
        }
    }
    render_counts(topics, &messages, bucket, malformed, &first_lines)
}
