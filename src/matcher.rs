//! All topics' keywords compiled into one trie per case mode, walked in place over the text
//! from every position that can start a keyword (SEMANTICS.md §2–§3).
//!
//! A keyword shared by several topics, or written twice, is one pattern; a side table lists
//! its *uses*: which topic, which term or exclusion, and which word-boundary checks apply.
//!
//! The walk folds the text as it goes, so no normalized copy is made: an ASCII byte goes
//! through a table (lowercase, and every whitespace byte becomes a space), another character
//! is lowercased on the fly, and where the trie expects a space, a whole run of whitespace is
//! consumed. A pattern is reported only after a whole text character, so a keyword never ends
//! inside a character's lowercase expansion (`i` does not occur in `İ`). Positions that
//! cannot start a keyword are skipped with a table lookup: no pattern begins with that byte,
//! or every pattern that does needs a word boundary before it and the text has none. ASCII
//! words pass a filter on their whole run first ([`crate::words`]), and characters of three
//! bytes go through tables of their own ([`crate::starts`]).

use std::collections::HashMap;

use crate::boundary::{allows_boundary, edge_needs_boundary};
use crate::case::lowercases_to_itself;
use crate::dictionary::{Dictionary, Keyword};
use crate::error::{DictionaryError, DictionaryErrorKind};
use crate::starts::{bmp_start, code3, eight_bytes, three_byte_actions, HanStarts, Three};
use crate::trie::{State, Trie, TrieBuilder};
use crate::words::{ascii_word_run, Begin, WordFilter, WordFilterBuilder};

/// The most bytes of distinct normalized keywords one case mode may hold: the double array
/// addresses its slots with 31 bits, and a trie has at most one node per keyword byte.
const MAX_PATTERN_BYTES: usize = 1 << 30;

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
    /// Whether this is the pattern's last use.
    last: bool,
}

/// The patterns of one case mode, their trie and the tables of the walk.
#[derive(Clone, Debug)]
struct Engine {
    fold: bool,
    trie: Trie,
    /// How each ASCII byte is compared: lowercased when folding; whitespace as a space.
    ascii: [u8; 128],
    /// For each first byte of a pattern: whether every use of every pattern starting with it
    /// needs a word boundary before it.
    needs_left: [bool; 256],
    /// What the scan does at a text byte (see [`SKIP`] and the others), after a character
    /// that allows a word boundary (`[0]`) or one that does not (`[1]`).
    start: [[u8; 256]; 2],
    /// The state after the first byte of a walk that starts at an ASCII byte (where the scan
    /// walks at all).
    first_step: [State; 128],
    /// The ASCII word characters where, after a word character, no pattern can start.
    inside_word: [bool; 256],
    /// Whether that is every ASCII word character, so that the rest of a word can be passed
    /// over eight bytes at a time.
    whole_words: bool,
    /// The ASCII characters that are not word characters and where no pattern starts, after
    /// a word or not: what separates words in the scan's loop over ASCII words.
    separator: [bool; 256],
    /// The ASCII word characters where a pattern may start after a character that allows a
    /// word boundary.
    word_start: [bool; 256],
    /// Turns away most words where no pattern begins.
    words: WordFilter,
    /// For each character of the Basic Multilingual Plane, a bit telling whether the first
    /// byte of its folded form begins a pattern (8 KiB): two-byte characters (accented
    /// Latin, Greek, Cyrillic) are turned away without folding them; `three` is built from it.
    bmp_start: Vec<u64>,
    /// What the scan does at each character of three bytes, U+0800..=U+FFFF (60 KiB): see
    /// [`Three`].
    three: Vec<u8>,
    /// Where walks start in Chinese text.
    han: HanStarts,
    /// The uses of each pattern in turn, its last one marked (but for the patterns whose
    /// only use is packed into their value).
    uses: Vec<Use>,
    /// How uses are packed into values (a packing that fits every use of the engine).
    packing: UsePacking,
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
            last: false,
        });
    }

    fn build(self, fold: bool) -> Option<Engine> {
        if self.patterns.is_empty() {
            return None;
        }
        let mut trie = TrieBuilder::new();
        let mut needs_left = [true; 256];
        let mut uses: Vec<Use> = Vec::new();
        let mut words = WordFilterBuilder::new();
        let packing = UsePacking::new(self.uses.iter().flatten());
        for (pattern, pattern_uses) in self.patterns.iter().zip(self.uses) {
            words.add(
                pattern.as_bytes(),
                pattern_uses.iter().any(|u| !u.check_right),
            );
            // The trie holds where the pattern's uses start, so that a walk reaches them with
            // one read (and one cache miss) less than through a pattern number, and whether
            // every use needs a word boundary after it, so that a walk passes over the
            // pattern inside a longer word without reading its uses.
            // A pattern's only use is in the value itself when it fits, saving that read.
            let packed = match pattern_uses[..] {
                [u] => packing.map(|p| p.pack(u)),
                _ => None,
            };
            let mut value = packed.unwrap_or(uses.len() as u32);
            if pattern_uses.iter().all(|u| u.check_right) {
                value |= RIGHT_BOUNDARY;
            }
            trie.add(pattern.as_bytes(), value);
            if let Some(&first) = pattern.as_bytes().first() {
                needs_left[first as usize] &= pattern_uses.iter().all(|u| u.check_left);
            }
            if packed.is_none() {
                uses.extend(pattern_uses);
                if let Some(u) = uses.last_mut() {
                    u.last = true;
                }
            }
        }
        let mut ascii = [0u8; 128];
        for (b, slot) in ascii.iter_mut().enumerate() {
            let b = b as u8;
            *slot = match b {
                // The ASCII characters for which `char::is_whitespace` holds.
                b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' => b' ',
                _ if fold => b.to_ascii_lowercase(),
                _ => b,
            };
        }
        let trie = trie.build();
        let mut start = [[SKIP; 256]; 2];
        for after_word in [false, true] {
            for (b, action) in start[after_word as usize].iter_mut().enumerate() {
                *action = match b {
                    0..=0x7F => {
                        let f = ascii[b];
                        match (trie.starts_with(f), needs_left[f as usize]) {
                            (true, needs_left) if !(needs_left && after_word) => WALK,
                            _ => SKIP,
                        }
                    }
                    0x80..=0xBF => SKIP, // inside a character: never reached
                    0xE0..=0xEF => THREE,
                    _ => NON_ASCII,
                };
            }
        }
        let mut inside_word = [false; 256];
        for (b, skip) in inside_word.iter_mut().enumerate() {
            *skip = b < 0x80 && ASCII_WORD[b] && start[1][b] == SKIP;
        }
        let separator = std::array::from_fn(|b| {
            b < 0x80 && !ASCII_WORD[b] && start[0][b] == SKIP && start[1][b] == SKIP
        });
        let word_start = std::array::from_fn(|b| b < 0x80 && ASCII_WORD[b] && start[0][b] == WALK);
        let first_step =
            std::array::from_fn(|b| trie.step(trie.start(), ascii[b]).unwrap_or(trie.start()));
        let bmp_start = bmp_start(&trie, &ascii, fold);
        let mut three = three_byte_actions(&bmp_start);
        let han = HanStarts::new(&self.patterns, &trie, &mut three);
        let words = words.build(fold, &trie);
        Some(Engine {
            fold,
            first_step,
            trie,
            ascii,
            needs_left,
            start,
            inside_word,
            whole_words: (0..128).all(|b| inside_word[b] == ASCII_WORD[b]),
            separator,
            word_start,
            words,
            bmp_start,
            three,
            han,
            uses,
            packing: packing.unwrap_or(UsePacking { item_bits: 0 }),
        })
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
        for engine in [&folded, &exact] {
            let bytes: usize = engine.patterns.iter().map(String::len).sum();
            let uses: usize = engine.uses.iter().map(Vec::len).sum();
            let message = if bytes > MAX_PATTERN_BYTES {
                format!(
                    "the distinct keywords of one case mode hold {bytes} bytes, more than the \
                     limit of {MAX_PATTERN_BYTES}"
                )
            } else if uses >= PACKED as usize {
                format!(
                    "the topics of one case mode hold {uses} keywords and exclusions, more \
                     than the limit of {}",
                    PACKED - 1
                )
            } else {
                continue;
            };
            return Err(DictionaryError::new(DictionaryErrorKind::Automaton {
                message,
            }));
        }
        let engines = [folded.build(true), exact.build(false)];
        Ok(Matcher {
            engines: engines.into_iter().flatten().collect(),
        })
    }

    /// Calls `found` with every occurrence (§3) of every use, as byte offsets into `text`.
    pub(crate) fn scan(&self, text: &str, mut found: impl FnMut(Use, usize, usize)) {
        for engine in &self.engines {
            engine.scan(text, &mut found);
        }
    }

    /// The heap memory used by the tries and their side tables, in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.engines
            .iter()
            .map(|e| {
                e.trie.memory_usage()
                    + e.han.memory_usage()
                    + e.bmp_start.len() * 8
                    + e.three.len()
                    + e.words.memory_usage()
                    + e.uses.len() * std::mem::size_of::<Use>()
            })
            .sum()
    }
}

impl Engine {
    fn scan(&self, text: &str, found: &mut impl FnMut(Use, usize, usize)) {
        let bytes = text.as_bytes();
        let mut i = 0;
        // Whether the previous character forbids a word boundary before this one.
        let mut after_word = false;
        while let Some(&b) = bytes.get(i) {
            match self.start[after_word as usize][b as usize] {
                SKIP => {
                    after_word = b < 0x80 && ASCII_WORD[b as usize];
                    i += 1;
                    if after_word {
                        i = self.skip_word(bytes, i);
                    }
                }
                WALK if ASCII_WORD[b as usize & 0x7F] => {
                    // ASCII words and the separators between them, in a loop of their own.
                    let mut b = b;
                    let mut probe = self.words.probe(bytes, i);
                    loop {
                        // Where the next word begins, and its probe of the stem filter, before
                        // this word's answer is used: the filter's read for the next word is
                        // under way while this one is walked.
                        let run = probe.len();
                        let mut j = if self.whole_words && run < 8 {
                            i + run
                        } else {
                            self.skip_word(bytes, i + 1)
                        };
                        let word_end = j;
                        while bytes.get(j).is_some_and(|&s| self.separator[s as usize]) {
                            j += 1;
                        }
                        let next = match bytes.get(j) {
                            Some(&n) if j > word_end && self.word_start[n as usize] => {
                                Some((n, self.words.probe(bytes, j)))
                            }
                            _ => None,
                        };
                        // A word where a pattern may begin: ask the filter about the whole
                        // run, then walk from its first byte or from where its key leads.
                        match self.words.begin(bytes, i, probe) {
                            Begin::No => {}
                            Begin::Walk => {
                                let first = self.first_step[b as usize & 0x7F];
                                self.walk(text, i, !after_word, first, i + 1, found);
                            }
                            Begin::After(state) => {
                                self.walk(text, i, !after_word, state, i + run, found);
                            }
                        }
                        i = j;
                        match next {
                            Some((n, p)) => {
                                after_word = false;
                                (b, probe) = (n, p);
                            }
                            None => {
                                after_word = j == word_end;
                                break;
                            }
                        }
                    }
                }
                WALK => {
                    let first = self.first_step[b as usize & 0x7F];
                    self.walk(text, i, !after_word, first, i + 1, found);
                    after_word = false;
                    i += 1;
                }
                THREE => {
                    // A run of three-byte characters (Chinese text and its punctuation), in a
                    // loop of its own: for each, one read of eight bytes, two lookups (its
                    // action and the pair filter) and one branch, seldom taken.
                    loop {
                        // Eight bytes from the character on (zeros past the end): the
                        // character, the next lead byte, and the character after.
                        let rest = bytes.get(i..).unwrap_or_default();
                        let window = match rest.first_chunk::<8>() {
                            Some(&w) => u64::from_le_bytes(w),
                            None if rest.len() >= 3 => eight_bytes(rest),
                            None => break,
                        };
                        let [b0, b1, b2, next, ..] = window.to_le_bytes();
                        let c = code3(b0, b1, b2);
                        let action = self.three.get(c.wrapping_sub(0x800)).copied();
                        let action = action.unwrap_or(Three::OTHER);
                        let before = after_word;
                        after_word = action == Three::JOINS;
                        // One branch, seldom taken: most Han characters begin no pattern with
                        // the character after them.
                        if self.han.may_begin(action, window) {
                            if action == Three::OTHER {
                                let c = char::from_u32(c as u32).unwrap_or('\u{FFFD}');
                                after_word = self.at_char(text, i, c, before, found);
                            } else if let Some(first) = self.han.first(c) {
                                self.walk(text, i, !before, first, i + 3, found);
                            }
                        }
                        i += 3;
                        if (0xE0..=0xEF).contains(&next) {
                            continue;
                        }
                        // ASCII where no pattern starts (brackets, digits, spaces between
                        // Chinese): pass over it here rather than leave the loop.
                        let mut next = next;
                        while i < bytes.len()
                            && next < 0x80
                            && self.start[after_word as usize][next as usize] == SKIP
                        {
                            after_word = ASCII_WORD[next as usize];
                            i += 1;
                            match bytes.get(i) {
                                Some(&b) => next = b,
                                None => break,
                            }
                        }
                        if !(0xE0..=0xEF).contains(&next) || i >= bytes.len() {
                            break;
                        }
                    }
                }
                _ => {
                    let c = char_at(text, i);
                    after_word = self.at_char(text, i, c, after_word, found);
                    i += c.len_utf8();
                }
            }
        }
    }

    /// Walks from the character `c` at byte `i` if a pattern can start there, and returns
    /// whether it forbids a word boundary after it.
    #[inline]
    fn at_char(
        &self,
        text: &str,
        i: usize,
        c: char,
        after_word: bool,
        found: &mut impl FnMut(Use, usize, usize),
    ) -> bool {
        let b = text.as_bytes().get(i).copied().unwrap_or(0);
        if self.may_start(c, b) {
            let first = self.first_folded_byte(c, b);
            if !(after_word && self.needs_left[first as usize]) {
                self.walk(text, i, !after_word, self.trie.start(), i, found);
            }
        }
        !allows_boundary(Some(c))
    }

    /// The position after the ASCII word characters from `i` on where no pattern can start
    /// (inside a word, most of them): the rest of a word is passed over in a tight loop.
    #[inline]
    fn skip_word(&self, bytes: &[u8], mut i: usize) -> usize {
        if self.whole_words {
            // Eight bytes at a time: no data-dependent branch at the end of a word.
            while let Some(&chunk) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
                let run = ascii_word_run(u64::from_le_bytes(chunk));
                i += run;
                if run < 8 {
                    return i;
                }
            }
        }
        while bytes.get(i).is_some_and(|&b| self.inside_word[b as usize]) {
            i += 1;
        }
        i
    }

    /// Whether the first byte of the folded form of `c`, whose first byte in the text is `b`,
    /// begins a pattern.
    #[inline]
    fn may_start(&self, c: char, b: u8) -> bool {
        match self.bmp_start.get(c as usize / 64) {
            Some(&bits) => (bits >> (c as usize % 64)) & 1 != 0,
            None => self.trie.starts_with(self.first_folded_byte(c, b)),
        }
    }

    /// The first byte of the folded form of `c`, whose first byte in the text is `b`.
    #[inline]
    fn first_folded_byte(&self, c: char, b: u8) -> u8 {
        if !self.fold || lowercases_to_itself(c) {
            return b;
        }
        let mut buf = [0u8; 4];
        match c.to_lowercase().next() {
            Some(lower) => lower.encode_utf8(&mut buf).as_bytes()[0],
            None => b,
        }
    }

    /// Follows the trie from `state`, where the text from `start` to `p` has led, reporting
    /// every pattern that occurs at `start`; `left_ok` tells whether the character before
    /// `start` allows a word boundary (the scan knows).
    #[inline(always)]
    fn walk(
        &self,
        text: &str,
        start: usize,
        left_ok: bool,
        mut state: State,
        mut p: usize,
        found: &mut impl FnMut(Use, usize, usize),
    ) {
        debug_assert_eq!(left_ok, allows_boundary(before(text, start)));
        let bytes = text.as_bytes();
        let trie = &self.trie;
        loop {
            // A whole text character has been consumed: patterns may end here.
            let next = bytes.get(p).copied();
            if let Some(value) = trie.output(state) {
                // Whether the next character allows a word boundary, when it is ASCII.
                let right_ok = match next {
                    None => Some(true),
                    Some(b) if b < 0x80 => Some(!ASCII_WORD[b as usize]),
                    Some(_) => None,
                };
                if !(value & RIGHT_BOUNDARY != 0 && right_ok == Some(false)) {
                    let first_use = value & !RIGHT_BOUNDARY;
                    self.report(text, first_use, start, p, left_ok, right_ok, found);
                }
            }
            let Some(b) = next else {
                return;
            };
            if b < 0x80 {
                let f = self.ascii[b as usize];
                let Some(next) = trie.step(state, f) else {
                    return;
                };
                state = next;
                if f == b' ' {
                    p = skip_whitespace(text, p);
                    continue; // no keyword ends with a space
                }
                p += 1;
            } else if (0xE4..=0xE9).contains(&b) {
                // U+4000..=U+9FFF (Han, almost all): no case, no whitespace, three bytes.
                for &cb in bytes.get(p..p + 3).unwrap_or_default() {
                    let Some(next) = trie.step(state, cb) else {
                        return;
                    };
                    state = next;
                }
                p += 3;
            } else {
                let c = char_at(text, p);
                if c.is_whitespace() {
                    let Some(next) = trie.step(state, b' ') else {
                        return;
                    };
                    state = next;
                    p = skip_whitespace(text, p);
                    continue;
                }
                let mut buf = [0u8; 4];
                if self.fold && !lowercases_to_itself(c) {
                    for lower in c.to_lowercase() {
                        for &lb in lower.encode_utf8(&mut buf).as_bytes() {
                            let Some(next) = trie.step(state, lb) else {
                                return;
                            };
                            state = next;
                        }
                    }
                } else {
                    for &cb in c.encode_utf8(&mut buf).as_bytes() {
                        let Some(next) = trie.step(state, cb) else {
                            return;
                        };
                        state = next;
                    }
                }
                p += c.len_utf8();
            }
        }
    }

    /// Reports the uses of the pattern whose first use is `uses[first]`, at `start..end`;
    /// `left_ok` and `right_ok` tell whether the characters beside it allow a word boundary
    /// (`right_ok` is worked out here if the walk did not know).
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        text: &str,
        first: u32,
        start: usize,
        end: usize,
        left_ok: bool,
        mut right_ok: Option<bool>,
        found: &mut impl FnMut(Use, usize, usize),
    ) {
        let mut offer = |u: Use| {
            let whole = (left_ok || !u.check_left)
                && (!u.check_right
                    || *right_ok.get_or_insert_with(|| allows_boundary(after(text, end))));
            if whole {
                found(u, start, end);
            }
        };
        if first & PACKED != 0 {
            offer(self.packing.unpack(first));
            return;
        }
        for &u in self.uses.get(first as usize..).unwrap_or_default() {
            offer(u);
            if u.last {
                break;
            }
        }
    }
}

/// The bit of a pattern's value in the trie telling that every use of it needs a word
/// boundary after it; the other bits are where its uses start in [`Engine::uses`], or with
/// [`PACKED`], its only use.
const RIGHT_BOUNDARY: u32 = 1 << 31;
/// The bit of a pattern's value telling that the 30 bits below are its only use, packed.
const PACKED: u32 = 1 << 30;

/// How a use is packed into 30 bits of a pattern's value, when the dictionary's topic and
/// item numbers are small enough: topic, item, then three flags (exclusion, left and right
/// boundary checks).
#[derive(Clone, Copy, Debug)]
struct UsePacking {
    item_bits: u32,
}

impl UsePacking {
    /// The packing for these uses, if their topics and items fit.
    fn new<'a>(uses: impl Iterator<Item = &'a Use>) -> Option<UsePacking> {
        let (topics, items) = uses.fold((0, 0), |(t, i), u| (t | u.topic, i | u.item));
        let bits = |n: u32| u32::BITS - n.leading_zeros();
        (bits(topics) + bits(items) + 3 <= 30).then_some(UsePacking {
            item_bits: bits(items),
        })
    }

    fn pack(self, u: Use) -> u32 {
        PACKED
            | (u.topic << self.item_bits | u.item) << 3
            | (u.exclude as u32) << 2
            | (u.check_left as u32) << 1
            | u.check_right as u32
    }

    #[inline]
    fn unpack(self, value: u32) -> Use {
        let fields = value & (PACKED - 1);
        Use {
            topic: fields >> (3 + self.item_bits),
            item: (fields >> 3) & ((1 << self.item_bits) - 1),
            exclude: fields & 4 != 0,
            check_left: fields & 2 != 0,
            check_right: fields & 1 != 0,
            last: true,
        }
    }
}

/// Scan actions, per text byte: no pattern can start here;
const SKIP: u8 = 0;
/// an ASCII character where patterns can start: walk from it;
const WALK: u8 = 1;
/// a character of two or four bytes starts here: fold it and look;
const NON_ASCII: u8 = 3;
/// a character of three bytes (U+0800..=U+FFFF) starts here.
const THREE: u8 = 4;

/// The ASCII word characters: letters, digits, `_`.
const ASCII_WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// The character starting at byte `i` of `text` (a character boundary).
#[inline]
fn char_at(text: &str, i: usize) -> char {
    text.get(i..)
        .and_then(|s| s.chars().next())
        .unwrap_or('\u{FFFD}')
}

/// The position after the run of whitespace starting at byte `i`.
#[inline]
fn skip_whitespace(text: &str, i: usize) -> usize {
    let rest = text.get(i..).unwrap_or_default();
    match rest.char_indices().find(|&(_, c)| !c.is_whitespace()) {
        Some((j, _)) => i + j,
        None => text.len(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn use_of(topic: u32, item: u32, flags: u32) -> Use {
        Use {
            topic,
            item,
            exclude: flags & 4 != 0,
            check_left: flags & 2 != 0,
            check_right: flags & 1 != 0,
            last: true,
        }
    }

    #[test]
    fn packed_uses_unpack_to_themselves() {
        let uses: Vec<Use> = (0..8)
            .flat_map(|flags| {
                [
                    use_of(0, 0, flags),
                    use_of(971, 200, flags),
                    use_of(5, 0, flags),
                ]
            })
            .collect();
        let packing = UsePacking::new(uses.iter()).expect("972 topics of 201 items fit");
        for &u in &uses {
            let value = packing.pack(u);
            assert!(value & PACKED != 0 && value & RIGHT_BOUNDARY == 0, "{u:?}");
            assert_eq!(packing.unpack(value), u);
        }
        // 2^14 topics of 2^14 items leave no room for the flags.
        let big = [use_of(1 << 13, 1 << 13, 0)];
        assert!(UsePacking::new(big.iter()).is_none());
        let fits = [use_of((1 << 13) - 1, (1 << 14) - 1, 7)];
        let packing = UsePacking::new(fits.iter()).expect("27 bits");
        assert_eq!(packing.unpack(packing.pack(fits[0])), fits[0]);
    }
}
