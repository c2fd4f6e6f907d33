//! The boolean query language of SEMANTICS.md §7: parsing a query into terms and an
//! expression tree, with errors that point at a 1-based character column.
//!
//! # Grammar
//!
//! ```text
//! query    = or
//! or       = and { "OR" and }              left-associative
//! and      = near { "AND" near }           left-associative
//! near     = unary [ NEAR unary ]          does not chain
//! unary    = "NOT" unary | primary
//! primary  = TERM | FIELD | "(" or ")"
//! NEAR     = "NEAR/" digits [ "f" ]        digits: 0 to 100
//! ```
//!
//! Tightest first: `NOT x`, `x NEAR/n y`, `x AND y`, `x OR y`, so `NOT a AND b` is
//! `(NOT a) AND b` and `a OR b AND c` is `a OR (b AND c)`.
//!
//! - A **bare word** is a run of characters other than whitespace (`char::is_whitespace`),
//!   `(`, `)` and `"`; a **phrase** is `"…"`, any characters but `"`. Both are terms, except
//!   that the bare words `AND`, `OR`, `NOT` (exactly, in capitals), `NEAR` and any bare word
//!   starting with `NEAR/` are operators, and a bare word starting with `source:` or `lang:`
//!   (exactly, in lower case) is a field filter. `and`, `Or`, `near/3`, `Source:blog`,
//!   `NEARBY` and `"source:blog"` are ordinary terms.
//! - A term's [`Term::written`] is the bare word, or the phrase without its quotes, exactly as
//!   written: the caller normalizes it like a keyword (§1), trailing `*` included.
//! - An operand of `NEAR` is a term, or a parenthesized `OR` of terms (parentheses may nest:
//!   `((a OR b) OR c)` is an `OR` of three terms).
//!
//! # Decisions where §7 is silent
//!
//! - `NEAR/n` takes ASCII digits, leading zeros allowed (`NEAR/007` is `NEAR/7`); only a lower
//!   case `f` marks the ordered form. `NEAR`, `NEAR/`, `NEAR/x`, `NEAR/3F` and `NEAR/-1` are
//!   [`QueryErrorKind::NearWithoutDistance`]; `NEAR/101` is
//!   [`QueryErrorKind::NearDistanceOutOfRange`].
//! - Field prefixes are case-sensitive: only `source:` and `lang:` make filters. The value is
//!   the rest of the bare word, kept as written (it cannot contain whitespace, parentheses or
//!   quotes; a `*` in it is literal). `source:"my blog"` is an empty `source:` followed by a
//!   phrase, hence [`QueryErrorKind::EmptyFieldValue`].
//! - A term made only of `*` and whitespace (`*`, `**`, `"* *"`) is
//!   [`QueryErrorKind::StarOnlyTerm`]; a phrase made only of whitespace is
//!   [`QueryErrorKind::EmptyPhrase`].
//! - Terms written identically (same string, bare or quoted: `flu` and `"flu"`) are one entry
//!   of [`Query::terms`]; `"health  care"` and `"health care"` are two. A term's column is that
//!   of the first character of its first occurrence (the opening `"` for a phrase).
//! - `()` is [`QueryErrorKind::EmptyParentheses`]. An operator with nothing on its left
//!   (`AND a`, `(OR a)`) is [`QueryErrorKind::MissingOperandBefore`], at the operator; one with
//!   nothing after it (`a AND`, `a AND )`, `a AND OR b`, `NOT`) is
//!   [`QueryErrorKind::MissingOperand`], also at the operator, so the caret sits under it.
//! - `a NOT b` is two operands side by side ([`QueryErrorKind::MissingOperator`], at `NOT`):
//!   write `a AND NOT b`. `NOT a NEAR/2 b` is `(NOT a) NEAR/2 b`, a bad `NEAR` operand: write
//!   `NOT (a NEAR/2 b)`. `(a NEAR/2 b) NEAR/3 c` is a bad operand too, while
//!   `a NEAR/2 b NEAR/3 c` is [`QueryErrorKind::NearChain`].
//! - In a `NEAR` side, a term listed twice (`(a OR a)`) is kept once.
//! - A term under two `NOT`s is still inside a `NOT`: `NOT NOT a` has no positive term, so it
//!   is [`QueryErrorKind::NoPositiveTerm`], like a query of field filters only.
//!
//! # Errors and limits
//!
//! Errors are found in phases, and the first phase that fails reports its leftmost problem:
//! the length ([`MAX_QUERY_BYTES`]) and emptiness of the query; then words and quotes; then
//! the balance of parentheses (an unclosed `(` is reported at the leftmost one never closed);
//! then the syntax, in reading order, including the nesting limit ([`MAX_QUERY_DEPTH`] levels
//! of parentheses and `NOT`); last, the query must have a positive term (column 1).
//!
//! The parser recurses only through `(` and `NOT`, after checking the nesting limit, so no
//! input can overflow the stack. `AND`/`OR` chains are built by loops, left-nested: a query of
//! [`MAX_QUERY_BYTES`] holds at most 2,000 of them (each costs at least five bytes, as in
//! ` OR a`), so an [`Expr`] tree is at most 2,000 + [`MAX_QUERY_DEPTH`] (for the `NOT`s) levels
//! deep, which a recursive evaluator must allow for.

use std::collections::HashMap;
use std::error::Error;
use std::fmt;

/// The longest query accepted, in bytes of UTF-8.
pub const MAX_QUERY_BYTES: usize = 10_000;

/// The deepest nesting accepted: open parentheses plus enclosing `NOT`s, counted together
/// (`NOT (NOT a)` is 3 levels deep at `a`).
pub const MAX_QUERY_DEPTH: usize = 256;

/// The largest distance of `NEAR/n`.
pub const MAX_NEAR_DISTANCE: u32 = 100;

/// A parsed query: its expression and its terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The expression; its [`Expr::Term`] and [`Expr::Near`] indexes point into `terms`.
    pub expr: Expr,
    /// The distinct terms, in order of first appearance in the query.
    pub terms: Vec<Term>,
}

/// A term of the query, as the analyst wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The bare word, or the phrase without its quotes, not normalized: the caller normalizes
    /// it like a keyword (SEMANTICS.md §1), so a trailing `*` makes it a prefix.
    pub written: String,
    /// Whether some occurrence of the term is inside no `NOT`: only positive terms make
    /// mentions.
    pub positive: bool,
    /// The 1-based character column of its first occurrence (of the opening `"` for a phrase).
    pub column: usize,
}

/// A query expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A term: an index into [`Query::terms`].
    Term(usize),
    /// A field filter, `source:VALUE` or `lang:VALUE`.
    Field {
        /// Which field of the record.
        field: FieldName,
        /// The value as written (comparing it ignoring ASCII case is the evaluator's job).
        value: String,
    },
    /// `NOT x`.
    Not(Box<Expr>),
    /// `x AND y`.
    And(Box<Expr>, Box<Expr>),
    /// `x OR y`.
    Or(Box<Expr>, Box<Expr>),
    /// `x NEAR/n y`, or `x NEAR/nf y` when `ordered`.
    Near {
        /// The left operand: indexes into [`Query::terms`], one for a term, several for a
        /// parenthesized `OR` of terms; never empty, no index twice.
        left: Vec<usize>,
        /// The right operand, like `left`.
        right: Vec<usize>,
        /// The largest number of words allowed between the two occurrences, 0 to
        /// [`MAX_NEAR_DISTANCE`].
        distance: u32,
        /// Whether the left occurrence must end at or before the right one starts (`NEAR/nf`).
        ordered: bool,
    },
}

/// The record field a filter tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldName {
    /// `source:VALUE`, tested against the record's `source`.
    Source,
    /// `lang:VALUE`, tested against the record's `lang`.
    Lang,
}

impl FieldName {
    /// The field's name as written in a query, without the colon: `source` or `lang`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::Source => "source",
            FieldName::Lang => "lang",
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a boolean query (SEMANTICS.md §7).
///
/// # Errors
///
/// Returns a [`QueryError`] naming what is wrong ([`QueryError::kind`]) and the 1-based
/// character column where ([`QueryError::column`]) when the query is empty, longer than
/// [`MAX_QUERY_BYTES`], nested deeper than [`MAX_QUERY_DEPTH`], does not follow the grammar
/// of SEMANTICS.md §7 (summarized in this module's documentation), or has no positive term.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    parse_inner(query).map_err(|(kind, column)| QueryError {
        kind,
        column,
        query: query.to_string(),
    })
}

/// A parse failure before it is tied to its query: the kind and the 1-based column.
type Failure = (QueryErrorKind, usize);

/// The phases of [`parse`], failing with a kind and a column.
fn parse_inner(query: &str) -> Result<Query, Failure> {
    if query.len() > MAX_QUERY_BYTES {
        return Err((
            QueryErrorKind::TooLong {
                len: query.len(),
                limit: MAX_QUERY_BYTES,
            },
            1,
        ));
    }
    if query.trim().is_empty() {
        return Err((QueryErrorKind::Empty, 1));
    }
    let tokens = lex(query)?;
    check_parentheses(&tokens)?;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        terms: Vec::new(),
        term_index: HashMap::new(),
        depth: 0,
        not_depth: 0,
    };
    let (expr, _) = parser.parse_or(Expecting::Start)?;
    if let Some(token) = parser.peek() {
        return Err(match token.kind {
            TokenKind::Close => (QueryErrorKind::UnexpectedClosingParenthesis, token.column),
            _ => (QueryErrorKind::MissingOperator, token.column),
        });
    }
    if !parser.terms.iter().any(|term| term.positive) {
        return Err((QueryErrorKind::NoPositiveTerm, 1));
    }
    Ok(Query {
        expr,
        terms: parser.terms,
    })
}

/// A lexical unit of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TokenKind {
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `AND`.
    And,
    /// `OR`.
    Or,
    /// `NOT`.
    Not,
    /// `NEAR/n` or `NEAR/nf`.
    Near {
        /// `n`.
        distance: u32,
        /// Whether the `f` suffix is present.
        ordered: bool,
    },
    /// A bare word or a phrase (without its quotes).
    Term(String),
    /// `source:VALUE` or `lang:VALUE`.
    Field {
        /// Which field.
        field: FieldName,
        /// The value, non-empty.
        value: String,
    },
}

/// A token and the 1-based column of its first character.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    /// What it is.
    kind: TokenKind,
    /// Where it starts.
    column: usize,
}

/// Whether `c` ends a bare word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

/// Whether a term is made only of `*` and whitespace, so it would match nothing (§1).
fn is_star_only(term: &str) -> bool {
    term.chars().all(|c| c == '*' || c.is_whitespace())
}

/// Splits a query into tokens, reporting the leftmost lexical error.
fn lex(query: &str) -> Result<Vec<Token>, Failure> {
    let mut tokens = Vec::new();
    // Columns are 1-based: the character yielded by `chars.next()` is at `column`.
    let mut chars = query.chars().peekable();
    let mut column = 0;
    while let Some(c) = chars.next() {
        column += 1;
        let start = column;
        let kind = match c {
            c if c.is_whitespace() => continue,
            '(' => TokenKind::Open,
            ')' => TokenKind::Close,
            '"' => {
                let mut phrase = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    column += 1;
                    if c == '"' {
                        closed = true;
                        break;
                    }
                    phrase.push(c);
                }
                if !closed {
                    return Err((QueryErrorKind::UnclosedQuote, start));
                }
                if phrase.trim().is_empty() {
                    return Err((QueryErrorKind::EmptyPhrase, start));
                }
                if is_star_only(&phrase) {
                    return Err((QueryErrorKind::StarOnlyTerm, start));
                }
                TokenKind::Term(phrase)
            }
            c => {
                let mut word = String::from(c);
                while let Some(&c) = chars.peek() {
                    if is_delimiter(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                    column += 1;
                }
                bare_word(word).map_err(|kind| (kind, start))?
            }
        };
        tokens.push(Token {
            kind,
            column: start,
        });
    }
    Ok(tokens)
}

/// Classifies a bare word: operator, field filter or term.
fn bare_word(word: String) -> Result<TokenKind, QueryErrorKind> {
    match word.as_str() {
        "AND" => return Ok(TokenKind::And),
        "OR" => return Ok(TokenKind::Or),
        "NOT" => return Ok(TokenKind::Not),
        "NEAR" => return Err(QueryErrorKind::NearWithoutDistance),
        _ => {}
    }
    if let Some(rest) = word.strip_prefix("NEAR/") {
        return near(rest);
    }
    for field in [FieldName::Source, FieldName::Lang] {
        let value = word
            .strip_prefix(field.as_str())
            .and_then(|rest| rest.strip_prefix(':'));
        if let Some(value) = value {
            if value.is_empty() {
                return Err(QueryErrorKind::EmptyFieldValue {
                    field: field.as_str(),
                });
            }
            return Ok(TokenKind::Field {
                field,
                value: value.to_string(),
            });
        }
    }
    if is_star_only(&word) {
        return Err(QueryErrorKind::StarOnlyTerm);
    }
    Ok(TokenKind::Term(word))
}

/// Reads what follows `NEAR/`: a whole number, then an optional `f`.
fn near(rest: &str) -> Result<TokenKind, QueryErrorKind> {
    let (digits, ordered) = match rest.strip_suffix('f') {
        Some(digits) => (digits, true),
        None => (rest, false),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryErrorKind::NearWithoutDistance);
    }
    // Leading zeros are allowed, so the number is read after them: at most three digits
    // remain for a distance in range, which a `u32` holds.
    let significant = digits.trim_start_matches('0');
    let distance = if significant.len() > 3 {
        None
    } else if significant.is_empty() {
        Some(0)
    } else {
        significant.parse::<u32>().ok()
    };
    match distance {
        Some(distance) if distance <= MAX_NEAR_DISTANCE => {
            Ok(TokenKind::Near { distance, ordered })
        }
        _ => Err(QueryErrorKind::NearDistanceOutOfRange {
            distance: digits.to_string(),
        }),
    }
}

/// Checks that parentheses balance: reports the first `)` without a `(`, else the leftmost
/// `(` never closed.
fn check_parentheses(tokens: &[Token]) -> Result<(), Failure> {
    let mut open: Vec<usize> = Vec::new();
    for token in tokens {
        if token.kind == TokenKind::Open {
            open.push(token.column);
        } else if token.kind == TokenKind::Close && open.pop().is_none() {
            return Err((QueryErrorKind::UnexpectedClosingParenthesis, token.column));
        }
    }
    match open.first() {
        Some(&column) => Err((QueryErrorKind::UnclosedParenthesis, column)),
        None => Ok(()),
    }
}

/// What came just before an operand the parser now expects, to say why it is missing.
#[derive(Clone, Copy, Debug)]
enum Expecting {
    /// The start of the query.
    Start,
    /// An opening parenthesis, at this column.
    AfterOpen(usize),
    /// An operator, with its name and column.
    AfterOperator(&'static str, usize),
}

/// A recursive-descent parser over the tokens of a query whose parentheses balance.
struct Parser<'t> {
    /// All tokens.
    tokens: &'t [Token],
    /// The next token to read.
    pos: usize,
    /// The distinct terms seen so far, in order of first appearance.
    terms: Vec<Term>,
    /// Each term's index in `terms`, by written string.
    term_index: HashMap<String, usize>,
    /// Open parentheses plus enclosing `NOT`s at the current position.
    depth: usize,
    /// Enclosing `NOT`s at the current position.
    not_depth: usize,
}

impl<'t> Parser<'t> {
    /// The next token, if any.
    fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.pos)
    }

    /// Enters one level of nesting at `column`, refusing to go past [`MAX_QUERY_DEPTH`].
    fn enter(&mut self, column: usize) -> Result<(), Failure> {
        if self.depth >= MAX_QUERY_DEPTH {
            return Err((
                QueryErrorKind::TooDeep {
                    limit: MAX_QUERY_DEPTH,
                },
                column,
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Records an occurrence of a term, returning its index in `terms`.
    fn term(&mut self, written: &str, column: usize) -> usize {
        let positive = self.not_depth == 0;
        if let Some(&index) = self.term_index.get(written) {
            if let Some(term) = self.terms.get_mut(index) {
                term.positive |= positive;
            }
            return index;
        }
        let index = self.terms.len();
        self.terms.push(Term {
            written: written.to_string(),
            positive,
            column,
        });
        self.term_index.insert(written.to_string(), index);
        index
    }

    /// `or = and { "OR" and }`; returns the expression and the column where it starts.
    fn parse_or(&mut self, expecting: Expecting) -> Result<(Expr, usize), Failure> {
        let (mut expr, start) = self.parse_and(expecting)?;
        while let Some(&Token {
            kind: TokenKind::Or,
            column,
        }) = self.peek()
        {
            self.pos += 1;
            let (right, _) = self.parse_and(Expecting::AfterOperator("OR", column))?;
            expr = Expr::Or(Box::new(expr), Box::new(right));
        }
        Ok((expr, start))
    }

    /// `and = near { "AND" near }`.
    fn parse_and(&mut self, expecting: Expecting) -> Result<(Expr, usize), Failure> {
        let (mut expr, start) = self.parse_near(expecting)?;
        while let Some(&Token {
            kind: TokenKind::And,
            column,
        }) = self.peek()
        {
            self.pos += 1;
            let (right, _) = self.parse_near(Expecting::AfterOperator("AND", column))?;
            expr = Expr::And(Box::new(expr), Box::new(right));
        }
        Ok((expr, start))
    }

    /// `near = unary [ NEAR unary ]`, both operands terms or parenthesized `OR`s of terms.
    fn parse_near(&mut self, expecting: Expecting) -> Result<(Expr, usize), Failure> {
        let (left, start) = self.parse_unary(expecting)?;
        let Some(&Token {
            kind: TokenKind::Near { distance, ordered },
            column,
        }) = self.peek()
        else {
            return Ok((left, start));
        };
        // The left operand is checked before the right one is read, so the leftmost
        // problem is the one reported.
        let left = near_side(&left).ok_or((QueryErrorKind::BadNearOperand, start))?;
        self.pos += 1;
        let (right, right_start) = self.parse_unary(Expecting::AfterOperator("NEAR", column))?;
        let right = near_side(&right).ok_or((QueryErrorKind::BadNearOperand, right_start))?;
        if let Some(&Token {
            kind: TokenKind::Near { .. },
            column,
        }) = self.peek()
        {
            return Err((QueryErrorKind::NearChain, column));
        }
        Ok((
            Expr::Near {
                left,
                right,
                distance,
                ordered,
            },
            start,
        ))
    }

    /// `unary = "NOT" unary | primary`, `primary = TERM | FIELD | "(" or ")"`.
    fn parse_unary(&mut self, expecting: Expecting) -> Result<(Expr, usize), Failure> {
        let Some(token) = self.peek() else {
            return Err(missing_operand(expecting, None));
        };
        let column = token.column;
        match &token.kind {
            TokenKind::Term(written) => {
                let index = self.term(written, column);
                self.pos += 1;
                Ok((Expr::Term(index), column))
            }
            TokenKind::Field { field, value } => {
                let expr = Expr::Field {
                    field: *field,
                    value: value.clone(),
                };
                self.pos += 1;
                Ok((expr, column))
            }
            TokenKind::Not => {
                self.enter(column)?;
                self.pos += 1;
                self.not_depth += 1;
                let (operand, _) = self.parse_unary(Expecting::AfterOperator("NOT", column))?;
                self.not_depth -= 1;
                self.depth -= 1;
                Ok((Expr::Not(Box::new(operand)), column))
            }
            TokenKind::Open => {
                self.enter(column)?;
                self.pos += 1;
                if let Some(TokenKind::Close) = self.peek().map(|t| &t.kind) {
                    return Err((QueryErrorKind::EmptyParentheses, column));
                }
                let (inner, _) = self.parse_or(Expecting::AfterOpen(column))?;
                match self.peek() {
                    Some(Token {
                        kind: TokenKind::Close,
                        ..
                    }) => self.pos += 1,
                    // The expression stopped before something that is not an operator:
                    // another operand.
                    Some(next) => return Err((QueryErrorKind::MissingOperator, next.column)),
                    None => return Err((QueryErrorKind::UnclosedParenthesis, column)),
                }
                self.depth -= 1;
                Ok((inner, column))
            }
            TokenKind::Close | TokenKind::And | TokenKind::Or | TokenKind::Near { .. } => {
                Err(missing_operand(expecting, Some(token)))
            }
        }
    }
}

/// The error for an operand expected where `found` (or the end of the query) is.
fn missing_operand(expecting: Expecting, found: Option<&Token>) -> Failure {
    let open = match expecting {
        Expecting::AfterOperator(operator, column) => {
            return (QueryErrorKind::MissingOperand { operator }, column)
        }
        Expecting::AfterOpen(column) => Some(column),
        Expecting::Start => None,
    };
    let Some(token) = found else {
        // Unreachable: the query is not empty, and parentheses balance.
        return match open {
            Some(column) => (QueryErrorKind::UnclosedParenthesis, column),
            None => (QueryErrorKind::Empty, 1),
        };
    };
    let before = |operator| {
        (
            QueryErrorKind::MissingOperandBefore { operator },
            token.column,
        )
    };
    match (&token.kind, open) {
        (TokenKind::And, _) => before("AND"),
        (TokenKind::Or, _) => before("OR"),
        (TokenKind::Near { .. }, _) => before("NEAR"),
        (_, Some(column)) => (QueryErrorKind::EmptyParentheses, column),
        (_, None) => (QueryErrorKind::UnexpectedClosingParenthesis, token.column),
    }
}

/// The term indexes of a `NEAR` operand, in order and without repeats, or `None` when the
/// expression is not a term or an `OR` of terms.
fn near_side(expr: &Expr) -> Option<Vec<usize>> {
    let mut side = Vec::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        match expr {
            Expr::Term(index) => {
                if !side.contains(index) {
                    side.push(*index);
                }
            }
            Expr::Or(left, right) => {
                stack.push(right);
                stack.push(left);
            }
            _ => return None,
        }
    }
    Some(side)
}

impl Query {
    /// The query in a canonical form: terms bare when that reads back as the same term,
    /// quoted otherwise; one space around each binary operator; every `AND`, `OR` and `NEAR`
    /// group in parentheses, except the whole query and a run of one operator
    /// (`a OR b OR c`, left-nested as parsed), so the grouping that precedence implies is
    /// visible: `a OR b AND c` renders as `a OR (b AND c)`, `NOT a AND b` as `NOT a AND b`.
    ///
    /// For a query returned by [`parse`], parsing the result gives back the same
    /// [`Query::expr`] and the same terms (columns aside), unless the parentheses it adds take
    /// it past [`MAX_QUERY_DEPTH`] or [`MAX_QUERY_BYTES`]. A hand-built query with a term
    /// index out of range renders that term as `<term N?>`.
    // The library may not re-export `Query`; the tests and explanations use this regardless.
    #[allow(dead_code)]
    pub fn render(&self) -> String {
        let mut out = String::new();
        // An explicit stack, so that long `AND`/`OR` chains cannot exhaust the call stack.
        let mut stack = vec![Piece::Expr(&self.expr, Slot::Top)];
        while let Some(piece) = stack.pop() {
            let (expr, slot) = match piece {
                Piece::Text(text) => {
                    out.push_str(text);
                    continue;
                }
                Piece::Expr(expr, slot) => (expr, slot),
            };
            let wrap = match expr {
                Expr::Term(_) | Expr::Field { .. } | Expr::Not(_) => false,
                Expr::And(..) => !matches!(slot, Slot::Top | Slot::AndLeft),
                Expr::Or(..) => !matches!(slot, Slot::Top | Slot::OrLeft),
                Expr::Near { .. } => !matches!(slot, Slot::Top),
            };
            if wrap {
                out.push('(');
                stack.push(Piece::Text(")"));
            }
            match expr {
                Expr::Term(index) => self.render_term(&mut out, *index),
                Expr::Field { field, value } => {
                    out.push_str(field.as_str());
                    out.push(':');
                    out.push_str(value);
                }
                Expr::Not(operand) => {
                    out.push_str("NOT ");
                    stack.push(Piece::Expr(operand, Slot::Operand));
                }
                Expr::And(left, right) => {
                    stack.push(Piece::Expr(right, Slot::Operand));
                    stack.push(Piece::Text(" AND "));
                    stack.push(Piece::Expr(left, Slot::AndLeft));
                }
                Expr::Or(left, right) => {
                    stack.push(Piece::Expr(right, Slot::Operand));
                    stack.push(Piece::Text(" OR "));
                    stack.push(Piece::Expr(left, Slot::OrLeft));
                }
                Expr::Near {
                    left,
                    right,
                    distance,
                    ordered,
                } => {
                    self.render_near_side(&mut out, left);
                    out.push_str(" NEAR/");
                    out.push_str(&distance.to_string());
                    if *ordered {
                        out.push('f');
                    }
                    out.push(' ');
                    self.render_near_side(&mut out, right);
                }
            }
        }
        out
    }

    /// Appends term `index`, bare if that reads back as the same term, else quoted.
    fn render_term(&self, out: &mut String, index: usize) {
        match self.terms.get(index) {
            Some(term) if reads_as_bare_term(&term.written) => out.push_str(&term.written),
            Some(term) => {
                out.push('"');
                out.push_str(&term.written);
                out.push('"');
            }
            None => {
                out.push_str("<term ");
                out.push_str(&index.to_string());
                out.push_str("?>");
            }
        }
    }

    /// Appends a `NEAR` operand: one term, or a parenthesized `OR` of terms.
    fn render_near_side(&self, out: &mut String, side: &[usize]) {
        if let [index] = side {
            self.render_term(out, *index);
            return;
        }
        out.push('(');
        for (i, index) in side.iter().enumerate() {
            if i > 0 {
                out.push_str(" OR ");
            }
            self.render_term(out, *index);
        }
        out.push(')');
    }
}

/// Whether `written`, unquoted, lexes back as a term with that same text.
fn reads_as_bare_term(written: &str) -> bool {
    !written.is_empty()
        && !written.chars().any(is_delimiter)
        && !matches!(written, "AND" | "OR" | "NOT" | "NEAR")
        && !written.starts_with("NEAR/")
        && !written.starts_with("source:")
        && !written.starts_with("lang:")
        && !is_star_only(written)
}

/// A unit of work of [`Query::render`].
enum Piece<'a> {
    /// Text to append.
    Text(&'static str),
    /// An expression to render, and where it stands.
    Expr(&'a Expr, Slot),
}

/// Where an expression stands in its parent, which decides whether it needs parentheses.
#[derive(Clone, Copy)]
enum Slot {
    /// The whole query.
    Top,
    /// The left operand of an `AND`: an `AND` there continues the run.
    AndLeft,
    /// The left operand of an `OR`: an `OR` there continues the run.
    OrLeft,
    /// Any other operand.
    Operand,
}

/// A query that does not parse: what is wrong, and the 1-based character column where.
///
/// Display gives `column 5: unbalanced parenthesis: this ( is never closed`, without the
/// query; [`QueryError::caret`] shows the query with a caret under the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// What is wrong.
    kind: QueryErrorKind,
    /// The 1-based character column.
    column: usize,
    /// The whole query.
    query: String,
}

impl QueryError {
    /// What is wrong.
    pub fn kind(&self) -> &QueryErrorKind {
        &self.kind
    }

    /// The 1-based column where the problem is, counted in characters (not bytes) of the
    /// query. It is 1 for problems of the whole query ([`QueryErrorKind::Empty`],
    /// [`QueryErrorKind::TooLong`], [`QueryErrorKind::NoPositiveTerm`]).
    pub fn column(&self) -> usize {
        self.column
    }

    /// The query, as given to the parser.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The query on one line, then a caret under the column on the next, without a final
    /// newline:
    ///
    /// ```text
    /// (flu OR cold
    /// ^
    /// ```
    ///
    /// Whitespace (tabs, newlines) and control characters of the query are shown as spaces,
    /// so the query stays on one line and each of its characters is one character of that
    /// line: the caret is preceded by `column - 1` characters. Under a wide (East Asian)
    /// character the caret line has an ideographic space (U+3000), which is wide too, so the
    /// caret also lines up in a terminal.
    pub fn caret(&self) -> String {
        let mut line = String::with_capacity(self.query.len());
        let mut under = String::new();
        for (i, c) in self.query.chars().enumerate() {
            let shown = if c.is_whitespace() || c.is_control() {
                ' '
            } else {
                c
            };
            line.push(shown);
            if i + 1 < self.column {
                under.push(if is_wide(shown) { '\u{3000}' } else { ' ' });
            }
        }
        // A column just past the end of the query still gets its caret.
        let shown = self.query.chars().count();
        for _ in shown + 1..self.column {
            under.push(' ');
        }
        under.push('^');
        line.push('\n');
        line.push_str(&under);
        line
    }
}

/// Whether `c` is usually shown two cells wide in a terminal (East Asian wide and fullwidth
/// characters, and common emoji). An approximation: no dependency, no full table.
fn is_wide(c: char) -> bool {
    matches!(
        c,
        '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{303E}'
            | '\u{3041}'..='\u{33FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{A000}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FE30}'..='\u{FE4F}'
            | '\u{FF00}'..='\u{FF60}'
            | '\u{FFE0}'..='\u{FFE6}'
            | '\u{1F300}'..='\u{1F64F}'
            | '\u{1F900}'..='\u{1F9FF}'
            | '\u{20000}'..='\u{2FFFD}'
            | '\u{30000}'..='\u{3FFFD}'
    )
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.kind)
    }
}

impl Error for QueryError {}

/// What is wrong with a query.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryErrorKind {
    /// The query is empty or only whitespace.
    Empty,
    /// The query is longer than 10,000 bytes (`MAX_QUERY_BYTES`).
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit, `MAX_QUERY_BYTES`.
        limit: usize,
    },
    /// Parentheses and `NOT`s nest deeper than 256 levels (`MAX_QUERY_DEPTH`); the column is
    /// that of the first `(` or `NOT` past the limit.
    TooDeep {
        /// The limit, `MAX_QUERY_DEPTH`.
        limit: usize,
    },
    /// A `(` is never closed; the column is that of the leftmost such `(`.
    UnclosedParenthesis,
    /// A `)` closes nothing.
    UnexpectedClosingParenthesis,
    /// `()`, with nothing inside; the column is that of the `(`.
    EmptyParentheses,
    /// A `"` is never closed; the column is that of the opening `"`.
    UnclosedQuote,
    /// A phrase is empty or only whitespace (`""`, `" "`).
    EmptyPhrase,
    /// A term is made only of `*` (and whitespace, in a phrase), so it matches nothing.
    StarOnlyTerm,
    /// An operator has no operand after it (`a AND`, `a AND )`, `NOT`); the column is the
    /// operator's.
    MissingOperand {
        /// `AND`, `OR`, `NOT` or `NEAR`.
        operator: &'static str,
    },
    /// A binary operator has no operand before it (`AND a`, `(OR a)`); the column is the
    /// operator's.
    MissingOperandBefore {
        /// `AND`, `OR` or `NEAR`.
        operator: &'static str,
    },
    /// Two operands side by side with no operator between them (`flu cold`, `a NOT b`); the
    /// column is that of the second.
    MissingOperator,
    /// A `NEAR` operand is not a term or a parenthesized `OR` of terms (`NOT a`, `(a AND b)`,
    /// a field filter); the column is where that operand starts.
    BadNearOperand,
    /// `NEAR` without a distance, or with something other than a whole number after the slash
    /// (`NEAR`, `NEAR/`, `NEAR/x`, `NEAR/3F`).
    NearWithoutDistance,
    /// `NEAR/n` with n above 100 (`MAX_NEAR_DISTANCE`).
    NearDistanceOutOfRange {
        /// The digits as written.
        distance: String,
    },
    /// `a NEAR/2 b NEAR/3 c`; the column is the second `NEAR`'s.
    NearChain,
    /// `source:` or `lang:` with nothing after the colon.
    EmptyFieldValue {
        /// `source` or `lang`.
        field: &'static str,
    },
    /// Every term is inside a `NOT`, or there is no term at all (only field filters), so the
    /// query could never make a mention; the column is 1.
    NoPositiveTerm,
}

impl fmt::Display for QueryErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryErrorKind::Empty => f.write_str("the query is empty: write at least one term"),
            QueryErrorKind::TooLong { len, limit } => write!(
                f,
                "the query is {len} bytes long: at most {limit} bytes are allowed"
            ),
            QueryErrorKind::TooDeep { limit } => write!(
                f,
                "the query nests too deeply: at most {limit} levels of parentheses and NOT"
            ),
            QueryErrorKind::UnclosedParenthesis => {
                f.write_str("unbalanced parenthesis: this ( is never closed")
            }
            QueryErrorKind::UnexpectedClosingParenthesis => {
                f.write_str("unbalanced parenthesis: this ) has no matching (")
            }
            QueryErrorKind::EmptyParentheses => {
                f.write_str("empty parentheses: put a term or an expression between ( and )")
            }
            QueryErrorKind::UnclosedQuote => {
                f.write_str("unbalanced quote: this \" is never closed")
            }
            QueryErrorKind::EmptyPhrase => {
                f.write_str("empty phrase: put words between the quotes or remove them")
            }
            QueryErrorKind::StarOnlyTerm => f.write_str(
                "a term made only of * matches nothing: write a word before the *, as in insur*",
            ),
            QueryErrorKind::MissingOperand { operator } => {
                write!(f, "missing operand after {operator}")
            }
            QueryErrorKind::MissingOperandBefore { operator } => {
                write!(f, "missing operand before {operator}")
            }
            QueryErrorKind::MissingOperator => f.write_str(
                "two operands side by side with no operator between them: add AND or OR",
            ),
            QueryErrorKind::BadNearOperand => {
                f.write_str("a NEAR operand must be a term or a parenthesized OR of terms")
            }
            QueryErrorKind::NearWithoutDistance => f.write_str(
                "NEAR needs a distance: write NEAR/n or NEAR/nf with n a whole number \
                 from 0 to 100, as in NEAR/3",
            ),
            QueryErrorKind::NearDistanceOutOfRange { distance } => write!(
                f,
                "NEAR/{distance} is out of range: the distance is at most {MAX_NEAR_DISTANCE}"
            ),
            QueryErrorKind::NearChain => {
                f.write_str("NEAR does not chain: use parentheses and AND")
            }
            QueryErrorKind::EmptyFieldValue { field } => {
                let example = if *field == "lang" { "en" } else { "blog" };
                write!(f, "{field}: needs a value, as in {field}:{example}")
            }
            QueryErrorKind::NoPositiveTerm => f.write_str(
                "the query has no positive term: at least one term must be outside every NOT",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Expr::Term(i)`.
    fn t(i: usize) -> Expr {
        Expr::Term(i)
    }

    /// `NOT x`.
    fn not(x: Expr) -> Expr {
        Expr::Not(Box::new(x))
    }

    /// `x AND y`.
    fn and(x: Expr, y: Expr) -> Expr {
        Expr::And(Box::new(x), Box::new(y))
    }

    /// `x OR y`.
    fn or(x: Expr, y: Expr) -> Expr {
        Expr::Or(Box::new(x), Box::new(y))
    }

    /// `left NEAR/distance right`, `f` when ordered.
    fn near(left: &[usize], right: &[usize], distance: u32, ordered: bool) -> Expr {
        Expr::Near {
            left: left.to_vec(),
            right: right.to_vec(),
            distance,
            ordered,
        }
    }

    /// A field filter.
    fn field(field: FieldName, value: &str) -> Expr {
        Expr::Field {
            field,
            value: value.to_string(),
        }
    }

    /// A term entry.
    fn term(written: &str, positive: bool, column: usize) -> Term {
        Term {
            written: written.to_string(),
            positive,
            column,
        }
    }

    /// Parses a query that must parse, and checks the invariants of its result.
    fn ok(query: &str) -> Query {
        match parse(query) {
            Ok(parsed) => {
                check_invariants(query, &parsed);
                parsed
            }
            Err(err) => panic!("{query:?} should parse, got {err} ({:?})", err.kind()),
        }
    }

    /// Parses a query that must not parse.
    fn err(query: &str) -> QueryError {
        match parse(query) {
            Ok(parsed) => panic!("{query:?} should not parse, got {parsed:?}"),
            Err(err) => err,
        }
    }

    /// Every expression node, without recursion.
    fn nodes(expr: &Expr) -> Vec<(&Expr, usize)> {
        let mut out = Vec::new();
        let mut stack = vec![(expr, 0)];
        while let Some((expr, nots)) = stack.pop() {
            out.push((expr, nots));
            match expr {
                Expr::Not(x) => stack.push((x, nots + 1)),
                Expr::And(x, y) | Expr::Or(x, y) => {
                    stack.push((x, nots));
                    stack.push((y, nots));
                }
                Expr::Term(_) | Expr::Field { .. } | Expr::Near { .. } => {}
            }
        }
        out
    }

    /// The terms without their columns, which a rendering does not keep.
    fn written(query: &Query) -> Vec<(String, bool)> {
        query
            .terms
            .iter()
            .map(|term| (term.written.clone(), term.positive))
            .collect()
    }

    /// What must hold of every parsed query: indexes in range, every term used, positivity
    /// as the tree says, a positive term, columns in range, and a rendering that parses back
    /// to the same expression and terms.
    fn check_invariants(text: &str, query: &Query) {
        let chars = text.chars().count();
        let mut used = vec![false; query.terms.len()];
        let mut positive = vec![false; query.terms.len()];
        for (expr, nots) in nodes(&query.expr) {
            let indexes: Vec<usize> = match expr {
                Expr::Term(i) => vec![*i],
                Expr::Near { left, right, .. } => {
                    assert!(!left.is_empty() && !right.is_empty(), "{text:?}");
                    for side in [left, right] {
                        let mut sorted = side.clone();
                        sorted.sort_unstable();
                        sorted.dedup();
                        assert_eq!(sorted.len(), side.len(), "repeat in a NEAR side: {text:?}");
                    }
                    left.iter().chain(right).copied().collect()
                }
                Expr::Field { value, .. } => {
                    assert!(!value.is_empty(), "{text:?}");
                    vec![]
                }
                _ => vec![],
            };
            for i in indexes {
                assert!(i < query.terms.len(), "index {i} out of range: {text:?}");
                used[i] = true;
                positive[i] |= nots == 0;
            }
        }
        assert!(used.iter().all(|&u| u), "unused term: {text:?}");
        for (term, positive) in query.terms.iter().zip(&positive) {
            assert_eq!(
                term.positive, *positive,
                "positivity of {term:?} in {text:?}"
            );
            assert!(term.column >= 1 && term.column <= chars, "{text:?}");
            assert!(!is_star_only(&term.written), "{text:?}");
        }
        let columns: Vec<usize> = query.terms.iter().map(|term| term.column).collect();
        assert!(
            columns.windows(2).all(|w| w[0] < w[1]),
            "terms out of order: {text:?}"
        );
        assert!(query.terms.iter().any(|term| term.positive), "{text:?}");
        let rendered = query.render();
        match parse(&rendered) {
            Ok(again) => {
                assert_eq!(again.expr, query.expr, "{text:?} rendered as {rendered:?}");
                assert_eq!(written(&again), written(query), "{text:?} as {rendered:?}");
                assert_eq!(again.render(), rendered, "render is not a fixed point");
            }
            Err(err) => panic!("{text:?} rendered as {rendered:?}, which fails: {err}"),
        }
    }

    // ---- the examples of SEMANTICS.md §7 ----

    #[test]
    fn example_healthcare() {
        let q = ok(r#"(healthcare OR "health care" OR #healthcare) AND NOT job*"#);
        assert_eq!(q.expr, and(or(or(t(0), t(1)), t(2)), not(t(3))));
        assert_eq!(
            q.terms,
            [
                term("healthcare", true, 2),
                term("health care", true, 16),
                term("#healthcare", true, 33),
                term("job*", false, 54),
            ]
        );
        assert_eq!(
            q.render(),
            r#"(healthcare OR "health care" OR #healthcare) AND NOT job*"#
        );
    }

    #[test]
    fn example_health_insurance() {
        let q = ok(r#""health insurance" OR (insur* NEAR/3 (health OR medical))"#);
        assert_eq!(q.expr, or(t(0), near(&[1], &[2, 3], 3, false)));
        assert_eq!(
            q.terms,
            [
                term("health insurance", true, 1),
                term("insur*", true, 24),
                term("health", true, 39),
                term("medical", true, 49),
            ]
        );
        assert_eq!(
            q.render(),
            r#""health insurance" OR (insur* NEAR/3 (health OR medical))"#
        );
    }

    #[test]
    fn example_obamacare() {
        let q = ok("obamacare AND (source:blog OR source:forum)");
        assert_eq!(
            q.expr,
            and(
                t(0),
                or(
                    field(FieldName::Source, "blog"),
                    field(FieldName::Source, "forum")
                )
            )
        );
        assert_eq!(q.terms, [term("obamacare", true, 1)]);
    }

    #[test]
    fn example_vaccine() {
        let q = ok("vaccine OR (source:news AND NOT spam)");
        assert_eq!(
            q.expr,
            or(t(0), and(field(FieldName::Source, "news"), not(t(1))))
        );
        assert_eq!(q.terms, [term("vaccine", true, 1), term("spam", false, 33)]);
        assert_eq!(q.render(), "vaccine OR (source:news AND NOT spam)");
    }

    // ---- precedence, associativity, operators ----

    #[test]
    fn precedence() {
        let cases: &[(&str, Expr, &str)] = &[
            ("a OR b AND c", or(t(0), and(t(1), t(2))), "a OR (b AND c)"),
            ("a AND b OR c", or(and(t(0), t(1)), t(2)), "(a AND b) OR c"),
            ("NOT a AND b", and(not(t(0)), t(1)), "NOT a AND b"),
            (
                "b AND NOT a OR c",
                or(and(t(0), not(t(1))), t(2)),
                "(b AND NOT a) OR c",
            ),
            (
                "a NEAR/2 b AND c",
                and(near(&[0], &[1], 2, false), t(2)),
                "(a NEAR/2 b) AND c",
            ),
            (
                "c OR a NEAR/2f b",
                or(t(0), near(&[1], &[2], 2, true)),
                "c OR (a NEAR/2f b)",
            ),
            (
                "(a OR b) AND c",
                and(or(t(0), t(1)), t(2)),
                "(a OR b) AND c",
            ),
            (
                "b AND NOT (a OR c)",
                and(t(0), not(or(t(1), t(2)))),
                "b AND NOT (a OR c)",
            ),
            (
                "b AND NOT NOT a",
                and(t(0), not(not(t(1)))),
                "b AND NOT NOT a",
            ),
            ("((a))", t(0), "a"),
        ];
        for (query, expr, rendered) in cases {
            let q = ok(query);
            assert_eq!(&q.expr, expr, "{query}");
            assert_eq!(q.render(), *rendered, "{query}");
        }
    }

    #[test]
    fn associativity() {
        assert_eq!(ok("a AND b AND c").expr, and(and(t(0), t(1)), t(2)));
        assert_eq!(ok("a OR b OR c").expr, or(or(t(0), t(1)), t(2)));
        assert_eq!(ok("a OR b OR c").render(), "a OR b OR c");
        assert_eq!(ok("a OR (b OR c)").expr, or(t(0), or(t(1), t(2))));
        assert_eq!(ok("a OR (b OR c)").render(), "a OR (b OR c)");
        assert_eq!(ok("(a AND b) AND c").render(), "a AND b AND c");
    }

    #[test]
    fn lowercase_operators_are_terms() {
        let q = ok("and OR or OR not OR near OR Near/3 OR near/3 OR Or OR NEARBY OR ANDROID");
        let words: Vec<&str> = q.terms.iter().map(|t| t.written.as_str()).collect();
        assert_eq!(
            words,
            ["and", "or", "not", "near", "Near/3", "near/3", "Or", "NEARBY", "ANDROID"]
        );
        assert!(q.terms.iter().all(|t| t.positive));
        // Quoted operators are terms too, and render quoted.
        let q = ok(r#""AND" OR "NOT" OR "NEAR/3" OR "source:blog" OR "lang:en""#);
        assert_eq!(q.terms.len(), 5);
        assert_eq!(
            q.render(),
            r#""AND" OR "NOT" OR "NEAR/3" OR "source:blog" OR "lang:en""#
        );
        // Operators need no spaces around parentheses and quotes.
        assert_eq!(ok(r#"(a)AND"b"OR(c)"#).expr, or(and(t(0), t(1)), t(2)));
    }

    #[test]
    fn near_forms() {
        assert_eq!(ok("a NEAR/0 b").expr, near(&[0], &[1], 0, false));
        assert_eq!(ok("a NEAR/100f b").expr, near(&[0], &[1], 100, true));
        assert_eq!(ok("a NEAR/007 b").expr, near(&[0], &[1], 7, false));
        assert_eq!(ok("a NEAR/000 b").expr, near(&[0], &[1], 0, false));
        assert_eq!(ok("a NEAR/0100f b").expr, near(&[0], &[1], 100, true));
        assert_eq!(ok("(a) NEAR/2 b").expr, near(&[0], &[1], 2, false));
        let q = ok(r#"((a OR "b c") OR d*) NEAR/1 (a OR a)"#);
        assert_eq!(q.expr, near(&[0, 1, 2], &[0], 1, false));
        assert_eq!(q.render(), r#"(a OR "b c" OR d*) NEAR/1 a"#);
        // A term on both sides, and a NEAR under NOT.
        let q = ok("x AND NOT (a NEAR/2 b)");
        assert_eq!(q.expr, and(t(0), not(near(&[1], &[2], 2, false))));
        assert_eq!(
            q.terms,
            [
                term("x", true, 1),
                term("a", false, 12),
                term("b", false, 21)
            ]
        );
    }

    #[test]
    fn fields() {
        let q = ok("x AND lang:EN AND source:My-Blog*");
        assert_eq!(
            q.expr,
            and(
                and(t(0), field(FieldName::Lang, "EN")),
                field(FieldName::Source, "My-Blog*")
            )
        );
        assert_eq!(q.render(), "x AND lang:EN AND source:My-Blog*");
        // Only the lowercase prefixes make filters; quoted, a filter is a term.
        let q = ok(r#"Source:blog OR LANG:en OR "source:blog" OR sources:x OR source::"#);
        assert_eq!(q.terms.len(), 4);
        assert_eq!(
            q.expr,
            or(
                or(or(or(t(0), t(1)), t(2)), t(3)),
                field(FieldName::Source, ":")
            )
        );
        assert_eq!(FieldName::Lang.to_string(), "lang");
    }

    #[test]
    fn repeated_terms_are_one_entry() {
        let q = ok(r#"flu OR "flu" OR (cold AND NOT flu) OR "health  care" OR "health care""#);
        assert_eq!(
            q.terms,
            [
                term("flu", true, 1),
                term("cold", true, 18),
                term("health  care", true, 39),
                term("health care", true, 57),
            ]
        );
        assert_eq!(
            q.expr,
            or(or(or(or(t(0), t(0)), and(t(1), not(t(0)))), t(2)), t(3))
        );
        // Positive through a later occurrence.
        let q = ok("NOT cold AND x OR cold");
        assert_eq!(q.terms, [term("cold", true, 5), term("x", true, 14)]);
        let q = ok("x AND NOT cold AND NOT cold");
        assert_eq!(q.terms, [term("x", true, 1), term("cold", false, 11)]);
    }

    #[test]
    fn phrases_keep_their_text() {
        let q = ok("\"  health\tcare* \" OR é OR 医疗");
        assert_eq!(
            q.terms,
            [
                term("  health\tcare* ", true, 1),
                term("é", true, 22),
                term("医疗", true, 27),
            ]
        );
        // A phrase may hold parentheses, newlines and operators.
        let q = ok("\"a (b) OR\nc\"");
        assert_eq!(q.terms, [term("a (b) OR\nc", true, 1)]);
        assert_eq!(q.render(), "\"a (b) OR\nc\"");
        // Whitespace of any kind separates words.
        assert_eq!(
            ok("a\u{3000}OR\u{a0}b\nAND\tc").expr,
            or(t(0), and(t(1), t(2)))
        );
        // A trailing star is kept for the caller; `for *` is a phrase with a star in it.
        assert_eq!(ok("\"for *\"").terms, [term("for *", true, 1)]);
    }

    // ---- errors ----

    #[test]
    fn errors_with_kind_column_and_message() {
        use QueryErrorKind as K;
        let cases: Vec<(&str, K, usize, &str)> =
            vec![
            ("", K::Empty, 1, "the query is empty: write at least one term"),
            (" \t\n ", K::Empty, 1, "the query is empty: write at least one term"),
            (
                "(flu OR cold",
                K::UnclosedParenthesis,
                1,
                "unbalanced parenthesis: this ( is never closed",
            ),
            ("flu OR (cold AND (x)", K::UnclosedParenthesis, 8, ""),
            ("((flu OR (cold)", K::UnclosedParenthesis, 1, ""),
            (
                "flu)",
                K::UnexpectedClosingParenthesis,
                4,
                "unbalanced parenthesis: this ) has no matching (",
            ),
            ("(a) OR b) OR (c", K::UnexpectedClosingParenthesis, 9, ""),
            (
                "()",
                K::EmptyParentheses,
                1,
                "empty parentheses: put a term or an expression between ( and )",
            ),
            ("flu AND ( )", K::EmptyParentheses, 9, ""),
            (
                "flu OR \"cold",
                K::UnclosedQuote,
                8,
                "unbalanced quote: this \" is never closed",
            ),
            ("(a OR \"b)\" OR \"c)", K::UnclosedQuote, 15, ""),
            (
                "\"\"",
                K::EmptyPhrase,
                1,
                "empty phrase: put words between the quotes or remove them",
            ),
            ("a OR \" \t\"", K::EmptyPhrase, 6, ""),
            (
                "*",
                K::StarOnlyTerm,
                1,
                "a term made only of * matches nothing: write a word before the *, as in insur*",
            ),
            ("a OR **", K::StarOnlyTerm, 6, ""),
            ("a OR \"*\"", K::StarOnlyTerm, 6, ""),
            ("a OR \" * *\"", K::StarOnlyTerm, 6, ""),
            (
                "flu AND",
                K::MissingOperand { operator: "AND" },
                5,
                "missing operand after AND",
            ),
            ("flu AND OR cold", K::MissingOperand { operator: "AND" }, 5, ""),
            ("flu AND AND cold", K::MissingOperand { operator: "AND" }, 5, ""),
            (
                "(flu OR) AND b",
                K::MissingOperand { operator: "OR" },
                6,
                "missing operand after OR",
            ),
            (
                "a AND NOT",
                K::MissingOperand { operator: "NOT" },
                7,
                "missing operand after NOT",
            ),
            ("NOT AND a", K::MissingOperand { operator: "NOT" }, 1, ""),
            (
                "a NEAR/3",
                K::MissingOperand { operator: "NEAR" },
                3,
                "missing operand after NEAR",
            ),
            ("(a NEAR/3) OR b", K::MissingOperand { operator: "NEAR" }, 4, ""),
            (
                "AND flu",
                K::MissingOperandBefore { operator: "AND" },
                1,
                "missing operand before AND",
            ),
            (
                "a AND (OR flu)",
                K::MissingOperandBefore { operator: "OR" },
                8,
                "missing operand before OR",
            ),
            (
                "NEAR/2 a",
                K::MissingOperandBefore { operator: "NEAR" },
                1,
                "missing operand before NEAR",
            ),
            (
                "flu cold",
                K::MissingOperator,
                5,
                "two operands side by side with no operator between them: add AND or OR",
            ),
            ("flu (cold)", K::MissingOperator, 5, ""),
            ("\"a\" b", K::MissingOperator, 5, ""),
            ("\"a\"\"b\"", K::MissingOperator, 4, ""),
            ("a NOT b", K::MissingOperator, 3, ""),
            ("(a b) OR c", K::MissingOperator, 4, ""),
            ("a source:blog", K::MissingOperator, 3, ""),
            ("flu and cold", K::MissingOperator, 5, ""),
            ("é OR 医 cold", K::MissingOperator, 8, ""),
            ("a NEAR/2 b c", K::MissingOperator, 12, ""),
            (
                "NOT a NEAR/2 b",
                K::BadNearOperand,
                1,
                "a NEAR operand must be a term or a parenthesized OR of terms",
            ),
            ("(a AND b) NEAR/2 c", K::BadNearOperand, 1, ""),
            ("a NEAR/2 source:blog", K::BadNearOperand, 10, ""),
            ("a NEAR/2 NOT b", K::BadNearOperand, 10, ""),
            ("a NEAR/2 (b OR NOT c)", K::BadNearOperand, 10, ""),
            ("(a NEAR/2 b) NEAR/3 c", K::BadNearOperand, 1, ""),
            ("NOT a NEAR/2", K::BadNearOperand, 1, ""),
            (
                "a NEAR b",
                K::NearWithoutDistance,
                3,
                "NEAR needs a distance: write NEAR/n or NEAR/nf with n a whole number from 0 to \
                 100, as in NEAR/3",
            ),
            ("a NEAR/ b", K::NearWithoutDistance, 3, ""),
            ("a NEAR/x b", K::NearWithoutDistance, 3, ""),
            ("a NEAR/3F b", K::NearWithoutDistance, 3, ""),
            ("a NEAR/f b", K::NearWithoutDistance, 3, ""),
            ("a NEAR/3ff b", K::NearWithoutDistance, 3, ""),
            ("a NEAR/-1 b", K::NearWithoutDistance, 3, ""),
            ("a NEAR/٣ b", K::NearWithoutDistance, 3, ""),
            ("a NEAR/3 b /c", K::MissingOperator, 12, ""),
            (
                "a NEAR/101 b",
                K::NearDistanceOutOfRange {
                    distance: "101".to_string(),
                },
                3,
                "NEAR/101 is out of range: the distance is at most 100",
            ),
            (
                "a NEAR/99999999999999999999f b",
                K::NearDistanceOutOfRange {
                    distance: "99999999999999999999".to_string(),
                },
                3,
                "NEAR/99999999999999999999 is out of range: the distance is at most 100",
            ),
            (
                "a NEAR/0101 b",
                K::NearDistanceOutOfRange {
                    distance: "0101".to_string(),
                },
                3,
                "",
            ),
            (
                "a NEAR/2 b NEAR/3 c",
                K::NearChain,
                12,
                "NEAR does not chain: use parentheses and AND",
            ),
            (
                "a AND source:",
                K::EmptyFieldValue { field: "source" },
                7,
                "source: needs a value, as in source:blog",
            ),
            (
                "a AND lang:",
                K::EmptyFieldValue { field: "lang" },
                7,
                "lang: needs a value, as in lang:en",
            ),
            ("a AND source:\"blog\"", K::EmptyFieldValue { field: "source" }, 7, ""),
            (
                "NOT flu",
                K::NoPositiveTerm,
                1,
                "the query has no positive term: at least one term must be outside every NOT",
            ),
            ("NOT NOT flu", K::NoPositiveTerm, 1, ""),
            ("source:blog", K::NoPositiveTerm, 1, ""),
            ("source:news AND NOT (spam OR ads)", K::NoPositiveTerm, 1, ""),
            // Phases: words and quotes first, then parentheses, then syntax.
            ("a b \"", K::UnclosedQuote, 5, ""),
            ("(a b", K::UnclosedParenthesis, 1, ""),
            ("a b NEAR", K::NearWithoutDistance, 5, ""),
        ];
        for (query, kind, column, message) in cases {
            let e = err(query);
            assert_eq!(e.kind(), &kind, "{query:?}: {e}");
            assert_eq!(e.column(), column, "{query:?}: {e}");
            assert_eq!(e.query(), query);
            assert_eq!(e.to_string(), format!("column {column}: {kind}"));
            if !message.is_empty() {
                assert_eq!(kind.to_string(), message, "{query:?}");
            }
        }
    }

    #[test]
    fn display_has_column_and_no_caret() {
        let e = err("(flu OR cold");
        assert_eq!(
            e.to_string(),
            "column 1: unbalanced parenthesis: this ( is never closed"
        );
        let e = err("flu OR (cold");
        assert_eq!(
            e.to_string(),
            "column 8: unbalanced parenthesis: this ( is never closed"
        );
        let boxed: Box<dyn Error> = Box::new(e);
        assert!(boxed.source().is_none());
    }

    #[test]
    fn caret() {
        assert_eq!(err("(flu OR cold").caret(), "(flu OR cold\n^");
        assert_eq!(err("flu cold").caret(), "flu cold\n    ^");
        // A tab, a multi-byte letter and a newline before the column: one character each,
        // shown as itself or as a space.
        let e = err("\té\nx (flu");
        assert_eq!(e.column(), 6);
        assert_eq!(e.caret(), " é x (flu\n     ^");
        // A wide character gets a wide space under it.
        let e = err("\t医疗 OR (flu");
        assert_eq!(e.column(), 8);
        assert_eq!(e.caret(), " 医疗 OR (flu\n \u{3000}\u{3000}    ^");
        // Control characters are not printed raw.
        let e = err("\u{1b}[31m OR");
        assert_eq!(e.caret(), " [31m OR\n      ^");
        assert_eq!(err("").caret(), "\n^");
    }

    #[test]
    fn length_limit() {
        let at_limit = format!("a OR {}", "b".repeat(MAX_QUERY_BYTES - 5));
        assert_eq!(at_limit.len(), MAX_QUERY_BYTES);
        ok(&at_limit);
        let over = format!("{at_limit}c");
        let e = err(&over);
        assert_eq!(
            e.kind(),
            &QueryErrorKind::TooLong {
                len: MAX_QUERY_BYTES + 1,
                limit: MAX_QUERY_BYTES
            }
        );
        assert_eq!(e.column(), 1);
        assert_eq!(
            e.to_string(),
            "column 1: the query is 10001 bytes long: at most 10000 bytes are allowed"
        );
        // Bytes, not characters: 5,001 two-byte characters are too long.
        let e = err(&"é".repeat(5_001));
        assert_eq!(
            e.kind(),
            &QueryErrorKind::TooLong {
                len: 10_002,
                limit: 10_000
            }
        );
        // Huge inputs fail fast, however deep they would nest.
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(matches!(err(&deep).kind(), QueryErrorKind::TooLong { .. }));
        let nots = format!("{}a", "NOT ".repeat(100_000));
        assert!(matches!(err(&nots).kind(), QueryErrorKind::TooLong { .. }));
    }

    #[test]
    fn depth_limit() {
        let too_deep = QueryErrorKind::TooDeep {
            limit: MAX_QUERY_DEPTH,
        };
        let parens = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(ok(&parens(MAX_QUERY_DEPTH)).expr, t(0));
        let e = err(&parens(MAX_QUERY_DEPTH + 1));
        assert_eq!((e.kind(), e.column()), (&too_deep, MAX_QUERY_DEPTH + 1));
        assert_eq!(
            e.to_string(),
            "column 257: the query nests too deeply: at most 256 levels of parentheses and NOT"
        );
        // As deep as the length limit allows: an error, not a stack overflow.
        let e = err(&parens(4_999));
        assert_eq!((e.kind(), e.column()), (&too_deep, MAX_QUERY_DEPTH + 1));

        let nots = |n: usize| format!("b AND {}a", "NOT ".repeat(n));
        ok(&nots(MAX_QUERY_DEPTH));
        let e = err(&nots(MAX_QUERY_DEPTH + 1));
        assert_eq!((e.kind(), e.column()), (&too_deep, 7 + 4 * MAX_QUERY_DEPTH));
        assert_eq!(err(&nots(2_490)).kind(), &too_deep);
        let e = err(&format!("{}a", "NOT(".repeat(2_499)));
        assert_eq!(e.kind(), &QueryErrorKind::UnclosedParenthesis);
        let e = err(&format!("{}a{}", "NOT(".repeat(1_900), ")".repeat(1_900)));
        assert_eq!((e.kind(), e.column()), (&too_deep, 4 * 128 + 1));

        // Parentheses and NOT count together.
        let mixed = |n: usize| format!("b AND {}a{}", "NOT (".repeat(n), ")".repeat(n));
        ok(&mixed(MAX_QUERY_DEPTH / 2));
        assert_eq!(err(&mixed(MAX_QUERY_DEPTH / 2 + 1)).kind(), &too_deep);
    }

    #[test]
    fn long_chains_do_not_recurse() {
        // The longest possible chain of operators: each costs five bytes.
        let mut query = String::from("a");
        while query.len() + 5 <= MAX_QUERY_BYTES {
            query.push_str(" OR a");
        }
        let q = ok(&query);
        assert_eq!(q.terms.len(), 1);
        assert_eq!(q.render(), query);
        let mut query = String::from("a");
        let mut i = 0;
        while query.len() + 12 <= MAX_QUERY_BYTES {
            query.push_str(&format!(" AND NOT b{i}"));
            i += 1;
        }
        let q = ok(&query);
        assert_eq!(q.render(), query);
        let mut copy = q.clone();
        assert_eq!(copy, q);
        copy.terms.clear();
        assert_ne!(copy, q);
    }

    #[test]
    fn render_of_hand_built_query_does_not_panic() {
        let q = Query {
            expr: or(t(3), near(&[], &[7, 0], 1, true)),
            terms: vec![term("", true, 1)],
        };
        assert_eq!(q.render(), r#"<term 3?> OR (() NEAR/1f (<term 7?> OR ""))"#);
    }

    // ---- no input panics ----

    /// A small deterministic generator (SplitMix64).
    struct Rng(u64);

    impl Rng {
        /// The next 64 random bits.
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// A number below `n`.
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// One item of `items`.
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    /// Checks what must hold of any result, error or not.
    fn check_any(query: &str) -> bool {
        match parse(query) {
            Ok(parsed) => {
                check_invariants(query, &parsed);
                true
            }
            Err(e) => {
                let chars = query.chars().count();
                assert!(
                    e.column() >= 1 && e.column() <= chars.max(1),
                    "{query:?}: {e}"
                );
                assert!(e
                    .to_string()
                    .starts_with(&format!("column {}: ", e.column())));
                let caret = e.caret();
                let lines: Vec<&str> = caret.split('\n').collect();
                assert_eq!(lines.len(), 2, "{query:?}");
                assert_eq!(lines[0].chars().count(), chars);
                assert_eq!(lines[1].chars().count(), e.column(), "{query:?}");
                assert!(lines[1].ends_with('^'));
                false
            }
        }
    }

    #[test]
    fn random_strings_never_panic() {
        const ALPHABET: &[&str] = &[
            "(", ")", "\"", "*", "AND", "OR", "NOT", "NEAR/", "NEAR/3", "NEAR/3f", "source:",
            "lang:", "a", "b", "é", "医", " ", " ", " ", "\t",
        ];
        let mut rng = Rng(0x05EE_D0F7_071C_7A11);
        let mut parsed = 0;
        for _ in 0..200_000 {
            let len = rng.below(25);
            let query: String = (0..len).map(|_| rng.pick(ALPHABET)).collect();
            parsed += usize::from(check_any(&query));
        }
        eprintln!("{parsed} of 200000 random strings parsed");
        assert!(parsed > 1_000, "only {parsed} random queries parsed");
    }

    /// A random query that follows the grammar, more or less: `slack` in 1,000 is the chance
    /// of each mistake.
    fn random_query(rng: &mut Rng, depth: usize, out: &mut String) {
        const TERMS: &[&str] = &[
            "a",
            "b",
            "é",
            "医疗",
            "insur*",
            "\"health care\"",
            "\"a\"",
            "\"AND\"",
            "and",
            "source:blog",
            "lang:en",
            "Source:x",
            "#tag",
            "\"( x )\"",
        ];
        let space = |rng: &mut Rng, out: &mut String| {
            out.push_str(rng.pick(&[" ", " ", "  ", "\t", "\n"]));
        };
        match if depth > 6 { 0 } else { rng.below(7) } {
            0 | 1 => out.push_str(rng.pick(TERMS)),
            2 => {
                out.push_str("NOT ");
                random_query(rng, depth + 1, out);
            }
            3 => {
                out.push('(');
                random_query(rng, depth + 1, out);
                out.push(')');
            }
            4 => {
                let side = |rng: &mut Rng, out: &mut String| {
                    if rng.below(2) == 0 {
                        out.push_str(rng.pick(TERMS));
                    } else {
                        out.push_str(&format!("({} OR {})", rng.pick(TERMS), rng.pick(TERMS)));
                    }
                };
                side(rng, out);
                space(rng, out);
                out.push_str(rng.pick(&["NEAR/0", "NEAR/3", "NEAR/12f", "NEAR/100", "NEAR/003f"]));
                space(rng, out);
                side(rng, out);
            }
            _ => {
                random_query(rng, depth + 1, out);
                space(rng, out);
                out.push_str(rng.pick(&["AND", "OR"]));
                space(rng, out);
                random_query(rng, depth + 1, out);
            }
        }
    }

    #[test]
    fn random_grammatical_queries_round_trip() {
        let mut rng = Rng(42);
        let mut parsed = 0;
        for _ in 0..50_000 {
            let mut query = String::new();
            random_query(&mut rng, 0, &mut query);
            parsed += usize::from(check_any(&query));
        }
        eprintln!("{parsed} of 50000 grammatical queries parsed");
        assert!(parsed > 25_000, "only {parsed} grammatical queries parsed");
    }
}
