//! The ASCII words of a text, eight bytes at a time: how long a run of word characters is, and
//! a filter that tells, from the whole run, whether a pattern can begin where it starts.
//!
//! At 10,000 English keywords nearly every word begins some keyword, so the scan would walk
//! the trie from each one; most walks fail a few bytes in, after a chain of dependent reads,
//! on a mispredicted branch. A pattern beginning with an ASCII word character, though, can
//! only occur where the run of word characters in the text is the pattern's own first run
//! (or, for a pattern with no right boundary to check, where the run starts with it), so one
//! hashed lookup of the run turns away most words before the walk. At 100,000 keywords half
//! the words of English text are some pattern's first word, mostly of phrases only: those
//! are looked up again with the start of the next word, which turns most of them away too.
//! The lookups go to blocked Bloom filters: one read each, a few false passes in a thousand.
//!
//! A run that passes is then looked up by its key in a hash table of the stems, which gives
//! the trie's state after it (after its first eight bytes when it is longer): the walk
//! starts there, saving a read per byte (each waiting on the last), and a false pass of the
//! Bloom filter is turned away.

use crate::trie::{State, Trie};

/// A 64-bit word with the byte `b` in each lane.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const HIGH: u64 = lanes(0x80);

/// The high bit of each lane of `chunk` holding an ASCII letter, and of each holding an ASCII
/// word character (letter, digit, `_`). Each lane is tested on its own, on its low seven
/// bits, with additions that never carry into the next.
#[inline(always)]
fn word_lanes(chunk: u64) -> (u64, u64) {
    let low = chunk & !HIGH;
    let lower = low | lanes(0x20); // an ASCII letter as lowercase
    let letters = (lower + lanes(0x80 - b'a')) & !(lower + lanes(0x7F - b'z'));
    let digits = (low + lanes(0x80 - b'0')) & !(low + lanes(0x7F - b'9'));
    let underscore = !((low ^ lanes(b'_')) + lanes(0x7F));
    let ascii = !chunk & HIGH;
    (letters & ascii, (letters | digits | underscore) & ascii)
}

/// How many of the bytes of `chunk`, from the lowest, are ASCII word characters before the
/// first that is not (8 when all are).
#[inline]
pub(crate) fn ascii_word_run(chunk: u64) -> usize {
    ((!word_lanes(chunk).1 & HIGH).trailing_zeros() / 8) as usize
}

/// The run of ASCII word characters at the start of eight bytes of text.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// Its length, up to 8.
    len: usize,
    /// Its bytes, lowercased when `fold`, and zero past it.
    key: u64,
    /// The eight bytes, lowercased when `fold`.
    folded: u64,
    /// Whether the run ends at a byte that is not ASCII.
    non_ascii_after: bool,
}

impl Run {
    #[inline(always)]
    fn new(chunk: u64, fold: bool) -> Run {
        let (letters, word) = word_lanes(chunk);
        let ends = !word & HIGH;
        // The high bit of the byte that ends the run (none when all eight are in it).
        let end = ends & ends.wrapping_neg();
        let folded = if fold { chunk | (letters >> 2) } else { chunk };
        Run {
            len: (ends.trailing_zeros() / 8) as usize,
            key: folded & (end >> 7).wrapping_sub(1),
            folded,
            non_ascii_after: end & chunk != 0,
        }
    }
}

/// The bytes of the second word that a phrase's pair key holds: enough to turn away most
/// second words, few enough that short words and prefixes rarely need the walk instead.
const PAIR_BYTES: usize = 3;

/// A filter on the runs of ASCII word characters where patterns can begin, from hashed keys,
/// where a key is the first (up to) eight bytes of a run, as the trie compares them.
///
/// For a pattern beginning with an ASCII word character, let its *stem* be its longest
/// prefix of ASCII word characters. Where the pattern occurs, the text's run from there is
/// the stem itself, unless the pattern is all stem and has a use with no right boundary
/// check (a prefix keyword `insur*`), in which case the run starts with the stem. A run that
/// ends at a byte that is not ASCII (which may fold to ASCII, or be a combining mark) always
/// passes, as does a run of eight bytes or more when its first eight match.
///
/// Most stems of a large English dictionary only begin phrases (`heart` of `heart attack`),
/// and the words they match are mostly followed by some other word (`heart of`). So a stem
/// has two bits: [`ALONE`], some pattern may occur with the run and nothing more of it;
/// [`CONTINUED`], some pattern goes on with a space and a word, or with ASCII punctuation
/// (`t-cell`). A run whose stem is only continued passes when the pair (its key, the first
/// [`PAIR_BYTES`] bytes of the next word, or the punctuation) is one of a pattern's, looked up
/// in a second filter. A stem followed in its pattern by a byte that is not ASCII needs no
/// key: the text has one there too, and such runs always pass.
#[derive(Clone, Debug)]
pub(crate) struct WordFilter {
    /// Per hashed stem key, two bits: [`ALONE`] and [`CONTINUED`].
    stems: Bloom,
    /// The stems of patterns that may be followed by more word characters (prefixes such as
    /// `insur*`), by their first `m` bytes for each `m` of `prefix_lengths`.
    prefixes: Bloom,
    /// A bit per hashed pair of a phrase-beginning stem's key and the next word's key.
    pairs: Bloom,
    /// The trie's state after each stem's key.
    after: StemStates,
    /// The stems in `prefixes` cut to the length of the shortest (see [`shortest`]).
    heads: Bloom,
    /// Bit `m` set: a pattern with a stem of `m` bytes (1 to 7) may be followed by more word
    /// characters, so runs longer than `m` are also looked up by their first `m` bytes.
    prefix_lengths: u8,
    /// Whether the trie holds lowercased patterns, so that runs are lowercased too.
    fold: bool,
}

/// A blocked Bloom filter: each key has two slots in one 64-bit word, so that a lookup is
/// one read; a slot is `WIDTH` bits, set as a key's kind says.
#[derive(Clone, Debug)]
struct Bloom {
    words: Vec<u64>,
    /// The shift that takes a hash to its word.
    shift: u32,
}

impl Bloom {
    /// A filter for `keys` keys with slots of `width` bits: sixteen slots per key, so that
    /// one lookup in a few hundred of a key that is not there still gets by.
    fn new(keys: usize, width: usize) -> Bloom {
        let slots = (keys * 16).next_power_of_two().clamp(1 << 12, 1 << 25);
        let words = slots * width / 64;
        Bloom {
            words: vec![0; words],
            shift: 64 - words.trailing_zeros(),
        }
    }

    /// The word of hash `h`, and the first bits of its two slots of `width` bits.
    #[inline(always)]
    fn place(&self, h: u64, width: u32) -> (usize, u32, u32) {
        let slots = 64 / width;
        let first = (h >> 20) as u32 % slots;
        let second = (h >> 28) as u32 % slots;
        ((h >> self.shift) as usize, first * width, second * width)
    }

    fn insert(&mut self, h: u64, width: u32, bits: u64) {
        let (word, first, second) = self.place(h, width);
        self.words[word] |= (bits << first) | (bits << second);
    }

    /// The bits of the slots of `h` set in both.
    #[inline(always)]
    fn get(&self, h: u64, width: u32) -> u64 {
        let (word, first, second) = self.place(h, width);
        let w = self.words[word];
        (w >> first) & (w >> second) & ((1 << width) - 1)
    }

    fn memory_usage(&self) -> usize {
        self.words.len() * 8
    }
}

/// How a pattern may begin at a run of ASCII word characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Begin {
    /// No pattern begins there.
    No,
    /// Walk the trie from the run's first byte.
    Walk,
    /// Walk the trie from this state, where the run's key leads (the whole run, or its first
    /// eight bytes): no pattern ends before.
    After(State),
}

/// The trie's state after each stem's key (its first eight bytes when it is longer), in a
/// hash table with linear probing (key 0, which no stem has, marks a free slot).
///
/// A walk from a word that passes the filter starts there: one read, where the walk from
/// the word's first byte makes one per byte, each waiting on the last. A word the Bloom
/// filter let by in error is turned away here.
#[derive(Clone, Debug)]
struct StemStates {
    /// The stem's key, with [`PREFIXED`] set when a pattern open at its end (`in*`) is a
    /// shorter stem, so that a walk must start from the first byte; and the state.
    slots: Vec<(u64, State)>,
    /// The shift that takes a hash to its first slot.
    shift: u32,
}

/// The bit of a [`StemStates`] key telling that a pattern open at its end is a shorter stem
/// (free in a key: its bytes are ASCII).
const PREFIXED: u64 = 1 << 63;

impl StemStates {
    /// The table of `stems` (their keys), with `prefixes` (sorted) the keys of the patterns
    /// open at their end that are all stem.
    fn new(stems: &[u64], prefixes: &[u64], trie: &Trie) -> StemStates {
        let len = (stems.len() + stems.len() / 3).next_power_of_two().max(16);
        let mut table = StemStates {
            slots: vec![(0, State::default()); len],
            shift: 64 - len.trailing_zeros(),
        };
        for &key in stems {
            let bytes = key.to_le_bytes();
            let stem = bytes.iter().take_while(|&&b| b != 0).count();
            let state = bytes[..stem]
                .iter()
                .try_fold(trie.start(), |s, &b| trie.step(s, b));
            let Some(state) = state else {
                continue; // not reached: a stem is the start of a pattern in the trie
            };
            let prefixed = (1..stem).any(|m| prefixes.binary_search(&(key & mask(m))).is_ok());
            let mut at = (hash(key) >> table.shift) as usize;
            while table.slots[at].0 != 0 {
                at = (at + 1) % len;
            }
            table.slots[at] = (key | if prefixed { PREFIXED } else { 0 }, state);
        }
        table
    }

    /// The state after the stem keyed `key`, if it is one, and whether a pattern open at
    /// its end is a shorter stem.
    #[inline(always)]
    fn get(&self, key: u64) -> Option<(State, bool)> {
        let mut at = (hash(key) >> self.shift) as usize;
        loop {
            let &(k, state) = self.slots.get(at)?;
            if k & !PREFIXED == key {
                return Some((state, k & PREFIXED != 0));
            }
            if k == 0 {
                return None;
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
    }

    fn memory_usage(&self) -> usize {
        self.slots.len() * std::mem::size_of::<(u64, State)>()
    }
}

/// The length of the shortest stem among `prefix_lengths` (see
/// [`WordFilter::prefix_lengths`]), 8 when there is none.
#[inline(always)]
fn shortest(prefix_lengths: u8) -> usize {
    prefix_lengths.trailing_zeros() as usize
}

/// A hash of a key of up to eight bytes.
#[inline(always)]
fn hash(key: u64) -> u64 {
    key.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A hash of a pair of keys.
#[inline(always)]
fn pair_hash(first: u64, second: u64) -> u64 {
    (hash(first).rotate_left(29) ^ second).wrapping_mul(0xD6E8_FEB8_6659_FD93)
}

/// Collects the stems of the patterns.
pub(crate) struct WordFilterBuilder {
    alone: Vec<u64>,
    continued: Vec<u64>,
    prefixes: Vec<u64>,
    pairs: Vec<(u64, u64)>,
    prefix_lengths: u8,
}

/// The number of ASCII word characters `bytes` begins with.
fn word_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .count()
}

/// The key of the first (up to) eight bytes of `bytes`, as a run of the text is keyed.
fn key_of(bytes: &[u8]) -> u64 {
    let mut key = [0u8; 8];
    let len = bytes.len().min(8);
    key[..len].copy_from_slice(&bytes[..len]);
    u64::from_le_bytes(key)
}

/// The low `n` bytes of a word (all of them from 8 on).
#[inline(always)]
fn mask(n: usize) -> u64 {
    if n >= 8 {
        !0
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// The eight bytes of `bytes` from `i` on as a little-endian word, NUL past the end (which
/// ends a run like the end does).
#[inline(always)]
fn chunk_at(bytes: &[u8], i: usize) -> u64 {
    match bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        Some(&chunk) => u64::from_le_bytes(chunk),
        None => {
            let rest = bytes.get(i..).unwrap_or_default();
            let mut chunk = [0u8; 8];
            chunk[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(chunk)
        }
    }
}

impl WordFilterBuilder {
    pub(crate) fn new() -> WordFilterBuilder {
        WordFilterBuilder {
            alone: Vec::new(),
            continued: Vec::new(),
            prefixes: Vec::new(),
            pairs: Vec::new(),
            prefix_lengths: 0,
        }
    }

    /// Adds a pattern (its bytes as the trie holds them); `open_ended` when some use of it
    /// has no right boundary to check.
    pub(crate) fn add(&mut self, pattern: &[u8], open_ended: bool) {
        let stem = word_len(pattern);
        if stem == 0 {
            return;
        }
        let key = key_of(&pattern[..stem]);
        match pattern[stem..].split_first() {
            Some((b' ', after)) => {
                // A phrase: where it occurs, the next word's run is the second stem, or
                // starts with it when the pattern ends there with no right boundary to check.
                let second = word_len(after);
                let exact = after.len() > second || !open_ended;
                if second >= PAIR_BYTES || (second > 0 && exact) {
                    self.continued.push(key);
                    self.pairs
                        .push((key, key_of(&after[..second.min(PAIR_BYTES)])));
                    return;
                }
            }
            // Other ASCII (`t-cell`, `o'brien`) stands in the text as it is.
            Some((&c, _)) if c < 0x80 => {
                self.continued.push(key);
                self.pairs.push((key, u64::from(c)));
                return;
            }
            // The text has a byte that is not ASCII there too (ASCII folds to ASCII), and
            // such runs always pass: when they are shorter than eight bytes, which is all
            // the filter reads of a run.
            Some(_) if stem < 8 => return,
            _ => {}
        }
        if open_ended && stem == pattern.len() && stem < 8 {
            self.prefixes.push(key);
            self.prefix_lengths |= 1 << stem;
        }
        self.alone.push(key);
    }

    /// The filter, with the states `trie` (which holds the same patterns) reaches after each
    /// stem.
    pub(crate) fn build(mut self, fold: bool, trie: &Trie) -> WordFilter {
        let mut stems: Vec<u64> = self.alone.iter().chain(&self.continued).copied().collect();
        stems.sort_unstable();
        stems.dedup();
        self.pairs.sort_unstable();
        self.pairs.dedup();
        self.prefixes.sort_unstable();
        self.prefixes.dedup();
        let head = shortest(self.prefix_lengths);
        let mut filter = WordFilter {
            after: StemStates::new(&stems, &self.prefixes, trie),
            stems: Bloom::new(stems.len(), 2),
            prefixes: Bloom::new(self.prefixes.len(), 1),
            heads: Bloom::new(self.prefixes.len(), 1),
            pairs: Bloom::new(self.pairs.len(), 1),
            prefix_lengths: self.prefix_lengths,
            fold,
        };
        for (keys, bits) in [(&self.alone, ALONE), (&self.continued, CONTINUED)] {
            for &key in keys {
                filter.stems.insert(hash(key), 2, bits);
            }
        }
        for &key in &self.prefixes {
            filter.prefixes.insert(hash(key), 1, 1);
            filter.heads.insert(hash(key & mask(head)), 1, 1);
        }
        for &(first, second) in &self.pairs {
            filter.pairs.insert(pair_hash(first, second), 1, 1);
        }
        filter
    }
}

/// The bits of a stem in [`WordFilter::stems`]: a pattern may occur with the run alone;
const ALONE: u64 = 1;
/// a pattern continues after the run with a space and a word, or ASCII punctuation.
const CONTINUED: u64 = 2;

/// A run of ASCII word characters and the stem filter's bits for it, read before any branch
/// on them: the scan probes the next word before it walks from this one, so that the read
/// (often a cache miss at 100,000 keywords) is under way during the walk.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Probe {
    run: Run,
    bits: u64,
}

impl Probe {
    /// The length of the run, up to 8.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.run.len
    }
}

impl WordFilter {
    /// The run of ASCII word characters starting at byte `i` of `bytes` (which is one), with
    /// its bits in the stem filter.
    #[inline(always)]
    pub(crate) fn probe(&self, bytes: &[u8], i: usize) -> Probe {
        let run = Run::new(chunk_at(bytes, i), self.fold);
        Probe {
            run,
            bits: self.stems.get(hash(run.key), 2),
        }
    }

    /// How a pattern may begin at the run `probe` of `bytes`, which starts at byte `i`.
    #[inline(always)]
    pub(crate) fn begin(&self, bytes: &[u8], i: usize, probe: Probe) -> Begin {
        let Probe {
            run:
                Run {
                    len: run,
                    key,
                    folded: chunk,
                    non_ascii_after,
                },
            bits,
        } = probe;
        if non_ascii_after {
            return Begin::Walk;
        }
        let begins = bits & ALONE != 0
            || (bits & CONTINUED != 0 && self.pair_may_begin(bytes, i + run, key));
        if begins {
            match self.after.get(key) {
                Some((state, false)) => return Begin::After(state),
                Some((_, true)) => return Begin::Walk,
                None => {} // a false pass of the Bloom filter
            }
        }
        if self.may_be_prefixed(chunk, run) {
            Begin::Walk
        } else {
            Begin::No
        }
    }

    /// Whether a pattern open at its end (`insur*`) may end inside the run of `run` bytes at
    /// the start of `chunk` (folded).
    #[inline(always)]
    fn may_be_prefixed(&self, chunk: u64, run: usize) -> bool {
        // First, with one lookup and no branch on the run's length (which would be a coin
        // toss), whether the run is longer than the shortest open stem and begins like one.
        let head = shortest(self.prefix_lengths);
        let head_passes = self.heads.get(hash(chunk & mask(head)), 1) != 0;
        if !((run > head) & head_passes) {
            return false;
        }
        let mut lengths = u32::from(self.prefix_lengths) & ((1 << run) - 1);
        while lengths != 0 {
            let m = lengths.trailing_zeros() as usize;
            if self.prefixes.get(hash(chunk & mask(m)), 1) != 0 {
                return true;
            }
            lengths &= lengths - 1;
        }
        false
    }

    /// Whether a phrase may begin with the run keyed `key`, from what follows it: `j` is where
    /// the run's first eight bytes end. Kept out of the scan's loop, and marked cold so that
    /// the loop's code is laid out for the words the first lookup decides (a third of the
    /// words get here at 100,000 English keywords, yet without the mark alternating runs of the
    /// scan were a few percent slower).
    #[cold]
    #[inline(never)]
    fn pair_may_begin(&self, bytes: &[u8], mut j: usize, key: u64) -> bool {
        // Past the rest of a long run; a non-ASCII byte may continue it.
        j += word_len(bytes.get(j..).unwrap_or_default());
        // The whitespace between the words of a phrase; non-ASCII may be whitespace, or fold
        // to what a pattern holds.
        let end = j;
        while bytes
            .get(j)
            .is_some_and(|&b| b.is_ascii() && char::from(b).is_whitespace())
        {
            j += 1;
        }
        match bytes.get(j) {
            None => return false,
            Some(&b) if b >= 0x80 => return true,
            // ASCII punctuation right after the run.
            Some(&b) if j == end => return self.has_pair(key, u64::from(b)),
            Some(_) => {}
        }
        let second = Run::new(chunk_at(bytes, j), self.fold);
        if second.len == 0 {
            return false; // a phrase whose second word is no ASCII word is alone
        }
        if second.len < PAIR_BYTES && second.non_ascii_after {
            return true;
        }
        self.has_pair(key, second.folded & mask(second.len.min(PAIR_BYTES)))
    }

    #[inline(always)]
    fn has_pair(&self, first: u64, second: u64) -> bool {
        self.pairs.get(pair_hash(first, second), 1) != 0
    }

    /// Heap memory in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.stems.memory_usage()
            + self.prefixes.memory_usage()
            + self.heads.memory_usage()
            + self.pairs.memory_usage()
            + self.after.memory_usage()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl WordFilter {
        /// The scan's two steps for the run at byte `i`: its length, and how a pattern may
        /// begin there.
        fn check(&self, bytes: &[u8], i: usize) -> (usize, Begin) {
            let probe = self.probe(bytes, i);
            (probe.len(), self.begin(bytes, i, probe))
        }
    }

    #[test]
    fn ascii_word_run_agrees_with_a_byte_loop() {
        let reference = |bytes: &[u8; 8]| {
            bytes
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
                .count()
        };
        // Every byte value at every position of a run of word characters, and after each.
        let mut cases = Vec::new();
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut bytes = *b"aZ_09zA_";
                bytes[at] = b;
                cases.push(bytes);
                let mut bytes = [b; 8];
                bytes[at] = b'a';
                cases.push(bytes);
            }
        }
        // And pseudo-random ones, weighted towards the edges of the ranges.
        let edges = b"/09:@AZ[`az{_^\x7f\x80\xff \xc1\xda\xdf";
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..100_000 {
            let mut bytes = [0u8; 8];
            for b in &mut bytes {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *b = edges[(seed % edges.len() as u64) as usize];
            }
            cases.push(bytes);
        }
        for bytes in cases {
            assert_eq!(
                ascii_word_run(u64::from_le_bytes(bytes)),
                reference(&bytes),
                "{bytes:?}"
            );
            let len = reference(&bytes);
            for fold in [false, true] {
                let run = Run::new(u64::from_le_bytes(bytes), fold);
                let mut key = [0u8; 8];
                for (k, &b) in key.iter_mut().zip(&bytes[..len]) {
                    *k = if fold { b.to_ascii_lowercase() } else { b };
                }
                assert_eq!(run.len, len, "{bytes:?}");
                assert_eq!(run.key, u64::from_le_bytes(key), "{bytes:?} {fold}");
                assert_eq!(run.folded & mask(len), run.key, "{bytes:?} {fold}");
                assert_eq!(
                    run.non_ascii_after,
                    bytes.get(len).is_some_and(|&b| b >= 0x80),
                    "{bytes:?}"
                );
            }
        }
    }

    /// The filter of `patterns`, and the trie it was built with.
    fn filter_and_trie(patterns: &[(&str, bool)], fold: bool) -> (WordFilter, Trie) {
        let mut builder = WordFilterBuilder::new();
        let mut trie = crate::trie::TrieBuilder::new();
        for (id, &(p, open)) in (0..).zip(patterns) {
            builder.add(p.as_bytes(), open);
            trie.add(p.as_bytes(), id);
        }
        let trie = trie.build();
        (builder.build(fold, &trie), trie)
    }

    fn filter(patterns: &[(&str, bool)], fold: bool) -> WordFilter {
        filter_and_trie(patterns, fold).0
    }

    #[test]
    fn passing_runs_start_their_walk_after_their_key() {
        let patterns = [
            ("flu", false),
            ("flu shot", false),
            ("car", true),
            ("cares", false),
            ("inflammation", false),
        ];
        let (f, trie) = filter_and_trie(&patterns, true);
        let after = |s: &str| {
            s.bytes()
                .try_fold(trie.start(), |state, b| trie.step(state, b))
                .map(Begin::After)
        };
        assert_eq!(Some(f.check(b"FLU, and", 0).1), after("flu"));
        assert_eq!(Some(f.check(b"flu shot", 0).1), after("flu"));
        // `car*` may end inside `cares`: the walk starts from the first byte.
        assert_eq!(f.check(b"cares", 0).1, Begin::Walk);
        assert_eq!(f.check(b"carts", 0).1, Begin::Walk);
        assert_eq!(Some(f.check(b"car", 0).1), after("car"));
        assert_eq!(f.check(b"flux", 0).1, Begin::No);
        // A longer run starts after its first eight bytes.
        assert_eq!(Some(f.check(b"Inflammations", 0).1), after("inflamma"));
    }

    #[test]
    fn runs_that_begin_a_pattern_pass() {
        let f = filter(
            &[
                ("health insurance", false),
                ("flu", false),
                ("insur", true),
                ("vaccinations", false),
                ("c++", false),
                ("t-cell", false),
                ("sézary", false),
                ("heart of gold", false),
                ("heart of", true),
                ("communiqué", false),
            ],
            true,
        );
        for text in [
            "Communiqué",
            "communiqu\u{301}",
            "health insurance",
            "Health\t\n INSURANCE",
            "health\u{A0}care", // maybe whitespace: the walk decides
            "health insurers",
            "T-Cell",
            "t-",
            "Sézary",
            "s\u{301}",
            "heart of gold",
            "heart of",
            "heart often",
            "FLU.",
            "flu",
            "insurers",
            "insur",
            "Vaccinations!",
            "vaccinatiox",
            "c++",
            "flu\u{301}",
            "flu\u{212A}",
        ] {
            assert!(f.check(text.as_bytes(), 0).1 != Begin::No, "{text:?}");
        }
        assert_eq!(f.check(b"insurers", 0).0, 8);
        assert_eq!(f.check(b"flu shot", 0).0, 3);
    }

    #[test]
    fn runs_that_begin_no_pattern_are_turned_away() {
        let f = filter(
            &[
                ("flu", false),
                ("insur", true),
                ("health insurance", false),
                ("t-cell", false),
                ("sézary", false),
                ("heart of gold", false),
            ],
            true,
        );
        // A hash may let one by; these few do not with this seed and size.
        for text in [
            "fl",
            "flue",
            "influenza",
            "insu",
            "in",
            "the",
            "fluids",
            "health",
            "health care",
            "health.",
            "health  ",
            "health-insurance",
            "t cell",
            "t",
            "t.",
            "s",
            "s ",
            "heart often",
            "heart",
        ] {
            assert_eq!(f.check(text.as_bytes(), 0).1, Begin::No, "{text:?}");
        }
        let exact = filter(&[("flu", false)], false);
        assert_eq!(exact.check(b"FLU", 0).1, Begin::No);
        assert_ne!(exact.check(b"flu", 0).1, Begin::No);
    }
}
