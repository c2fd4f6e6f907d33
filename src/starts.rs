//! Where walks may start: tables, per character, beside the trie (SEMANTICS.md §3 says a
//! keyword may start at any character, and most characters begin none).
//!
//! - [`bmp_start`]: for each character of the Basic Multilingual Plane, whether the first byte
//!   of its folded form begins a pattern.
//! - [`three_byte_actions`]: for each character of three bytes (U+0800..=U+FFFF, Chinese text
//!   and its punctuation), what the scan does there, in one byte ([`Three`]).
//! - [`HanStarts`]: for a Han character, the trie state after it and a filter on the
//!   character that follows.

use crate::case::bmp_case;
use crate::trie::{State, Trie};

/// The number of characters U+4000..=U+9FFF (all with a UTF-8 lead byte of 0xE4..=0xE9).
pub(crate) const HAN_CHARS: usize = 0x6000;

/// The code point of the three-byte UTF-8 character `b0 b1 b2`.
#[inline(always)]
pub(crate) fn code3(b0: u8, b1: u8, b2: u8) -> usize {
    (usize::from(b0 & 0x0F) << 12) | (usize::from(b1 & 0x3F) << 6) | usize::from(b2 & 0x3F)
}

/// The first eight bytes of `bytes` (zeros past its end) as a little-endian number: what the
/// scan reads at a character of three bytes.
#[inline]
pub(crate) fn eight_bytes(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .rev()
        .fold(0, |w, &b| w << 8 | u64::from(b))
}

/// The position of `c` among U+4000..=U+9FFF.
#[inline]
pub(crate) fn han_index(c: char) -> Option<usize> {
    (c as usize).checked_sub(0x4000).filter(|&i| i < HAN_CHARS)
}

/// For each character of the Basic Multilingual Plane, a bit telling whether the first byte of
/// its folded form begins a pattern of `trie` (8 KiB), given the engine's ASCII table and
/// whether it folds case.
pub(crate) fn bmp_start(trie: &Trie, ascii: &[u8; 128], fold: bool) -> Vec<u64> {
    let mut starts = vec![0u64; 1024];
    for (b, &f) in ascii.iter().enumerate() {
        if trie.starts_with(f) {
            starts[b / 64] |= 1 << (b % 64);
        }
    }
    // From U+0080 on, the 64 characters of a word share the first byte of their UTF-8 form
    // (0xC0 | c >> 6 below U+0800, 0xE0 | c >> 12 above).
    for (w, word) in starts.iter_mut().enumerate().skip(2) {
        let c = (w * 64) as u32;
        let lead = if c < 0x800 {
            0xC0 | c >> 6
        } else {
            0xE0 | c >> 12
        };
        if trie.starts_with(lead as u8) {
            *word = !0;
        }
    }
    if fold {
        // Characters with a lowercase of their own begin with its first byte instead.
        for &(c, first) in bmp_case().first_bytes.iter().filter(|&&(c, _)| c >= 0x80) {
            let (w, bit) = (usize::from(c) / 64, 1u64 << (c % 64));
            if trie.starts_with(first) {
                starts[w] |= bit;
            } else {
                starts[w] &= !bit;
            }
        }
    }
    starts
}

/// What the scan does at a character of three bytes, U+0800..=U+FFFF: one byte each in the
/// table [`three_byte_actions`] makes, so that a run of Chinese text and its punctuation
/// takes one lookup and one well-predicted branch per character.
pub(crate) struct Three;

impl Three {
    /// No pattern begins here, and a word boundary may follow.
    pub(crate) const NONE: u8 = 0;
    /// No pattern begins here, and no word boundary may follow (a word character of a
    /// spaced script: Hangul, full-width letters). Equal to 1, as
    /// [`bmp_joins_words_bytes`](crate::boundary::bmp_joins_words_bytes) marks them.
    pub(crate) const JOINS: u8 = 1;
    /// Han, and every pattern beginning with it goes on with a Han character: ask the pair
    /// filter of [`HanStarts`].
    pub(crate) const HAN_PAIRED: u8 = 2;
    /// Han, and some pattern is the character alone or goes on with another: walk.
    pub(crate) const HAN_SOLO: u8 = 3;
    /// The first byte of the folded character may begin a pattern: fold it and look.
    pub(crate) const OTHER: u8 = 4;
}

/// The actions of the scan at each character of U+0800..=U+FFFF, from [`bmp_start`]: Han
/// characters are left at [`Three::NONE`] for [`HanStarts::new`] to mark.
pub(crate) fn three_byte_actions(bmp_start: &[u64]) -> Vec<u8> {
    let mut actions = crate::boundary::bmp_joins_words_bytes();
    for (w, &starts) in bmp_start.iter().enumerate().skip(0x800 / 64) {
        for bit in (0..64).filter(|bit| (starts >> bit) & 1 != 0) {
            if let Some(action) = actions.get_mut(w * 64 + bit - 0x800) {
                *action = Three::OTHER;
            }
        }
    }
    // Han is marked by its own table: a first byte it shares with a pattern says nothing.
    if let Some(han) = actions.get_mut(0x4000 - 0x800..0x4000 - 0x800 + HAN_CHARS) {
        han.fill(Three::NONE);
    }
    actions
}

/// Where walks start in Chinese text, which could start one at every character: for each
/// character of U+4000..=U+9FFF the state after it, and a filter on the character after it.
///
/// With a few thousand keywords most Han characters begin one, and a walk that fails on the
/// next character costs a chain of dependent reads and a mispredicted branch; the filter
/// (a bit per hashed pair of first and second characters, about 32 bits per pair) turns most
/// of those away with one read. The scan asks it at every character of three bytes, with no
/// branch on the character's action ([`HanStarts::may_begin`]): whether a character begins a
/// pattern is as unpredictable as a coin at 10,000 keywords, whether it begins one with the
/// character after it is not.
#[derive(Clone, Debug, Default)]
pub(crate) struct HanStarts {
    /// The state after each character, or the root when no pattern begins with it (empty
    /// when none begins with any).
    first: Vec<State>,
    /// A bit per hashed pair of first and second characters of a pattern, both Han.
    pairs: Vec<u64>,
    /// The shift that takes a pair's hash to its bit in `pairs`.
    shift: u32,
}

impl HanStarts {
    /// The tables for `patterns` in `trie`; marks in `actions` (made by
    /// [`three_byte_actions`]) the Han characters that begin patterns.
    pub(crate) fn new(patterns: &[String], trie: &Trie, actions: &mut [u8]) -> HanStarts {
        let mut han = HanStarts::default();
        let mut pairs = Vec::new();
        for pattern in patterns {
            let mut chars = pattern.chars();
            let Some((c, i)) = chars.next().and_then(|c| Some((c, han_index(c)?))) else {
                continue;
            };
            if han.first.is_empty() {
                han.first = vec![trie.start(); HAN_CHARS];
            }
            let mut state = Some(trie.start());
            for &b in c.encode_utf8(&mut [0; 4]).as_bytes() {
                state = state.and_then(|s| trie.step(s, b));
            }
            if let (Some(state), Some(slot)) = (state, han.first.get_mut(i)) {
                *slot = state;
            }
            let action = match chars.next().and_then(han_index) {
                Some(_) => {
                    pairs.push(eight_bytes(pattern.as_bytes()));
                    Three::HAN_PAIRED
                }
                None => Three::HAN_SOLO,
            };
            if let Some(slot) = actions.get_mut(c as usize - 0x800) {
                *slot = (*slot).max(action); // one alone makes the character solo
            }
        }
        if han.first.is_empty() {
            return han;
        }
        pairs.sort_unstable();
        pairs.dedup();
        // About 32 bits per pair: one in 32 pairs of the text not in the set gets by.
        let bits = (pairs.len() * 32)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 24);
        han.shift = 64 - bits.trailing_zeros();
        han.pairs = vec![0; bits / 64];
        for window in pairs {
            let h = han.pair_bit(window);
            han.pairs[h / 64] |= 1 << (h % 64);
        }
        han
    }

    /// The bit of the pair of characters of three bytes each that begins `window` (read as
    /// little-endian bytes; what follows them does not count).
    #[inline(always)]
    fn pair_bit(&self, window: u64) -> usize {
        let key = window & 0xFFFF_FFFF_FFFF;
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The state after the Han character `c` (U+4000..=U+9FFF), if patterns begin with it.
    #[inline(always)]
    pub(crate) fn first(&self, c: usize) -> Option<State> {
        self.first.get(c.wrapping_sub(0x4000)).copied()
    }

    /// Whether the scan looks further at a character of three bytes with the action `action`,
    /// given `window`, the eight bytes of the text from the character on: for
    /// [`Three::HAN_PAIRED`], when the pair filter lets the character and the one after it
    /// through; for [`Three::HAN_SOLO`] and [`Three::OTHER`], always. Computed without a
    /// branch, so that the scan has one, and it is seldom taken.
    #[inline(always)]
    pub(crate) fn may_begin(&self, action: u8, window: u64) -> bool {
        let h = self.pair_bit(window);
        let word = self.pairs.get(h / 64).copied().unwrap_or(0);
        let pair = (word >> (h % 64)) & 1 != 0;
        (action >= Three::HAN_SOLO) | ((action == Three::HAN_PAIRED) & pair)
    }

    /// Heap memory in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.first.len() * std::mem::size_of::<State>() + self.pairs.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trie::TrieBuilder;

    #[test]
    fn bmp_start_agrees_with_folding_each_character() {
        // First characters whose folded forms begin with bytes shared by other characters:
        // `k` (the Kelvin sign folds to it), `ω` (the Ohm sign), `ａ`, Hangul, Han, Thai.
        let patterns = ["k", "ω", "ａ", "한", "医", "ก", "ǆ", "i̇x"];
        for fold in [true, false] {
            let mut builder = TrieBuilder::new();
            for (i, p) in patterns.iter().enumerate() {
                builder.add(p.as_bytes(), i as u32);
            }
            let trie = builder.build();
            let mut ascii = [0u8; 128];
            for (b, slot) in ascii.iter_mut().enumerate() {
                *slot = if fold {
                    (b as u8).to_ascii_lowercase()
                } else {
                    b as u8
                };
            }
            let starts = bmp_start(&trie, &ascii, fold);
            for c in (0x80..0x1_0000).filter_map(char::from_u32) {
                let folded: String = if fold {
                    c.to_lowercase().collect()
                } else {
                    c.to_string()
                };
                let expected = trie.starts_with(folded.as_bytes()[0]);
                let bit = (starts[c as usize / 64] >> (c as usize % 64)) & 1 != 0;
                assert_eq!(bit, expected, "{c:?}, fold {fold}");
            }
        }
    }

    /// The tables of a folding engine with `patterns`: [`bmp_start`], the actions of
    /// three-byte characters, and the Han starts.
    fn folded_tables(patterns: &[&str]) -> (Vec<u64>, Vec<u8>, HanStarts) {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        let mut builder = TrieBuilder::new();
        for (i, p) in patterns.iter().enumerate() {
            builder.add(p.as_bytes(), i as u32);
        }
        let trie = builder.build();
        let ascii = std::array::from_fn(|b| (b as u8).to_ascii_lowercase());
        let starts = bmp_start(&trie, &ascii, true);
        let mut actions = three_byte_actions(&starts);
        let han = HanStarts::new(&patterns, &trie, &mut actions);
        (starts, actions, han)
    }

    #[test]
    fn three_byte_actions_follow_their_definitions() {
        // Han alone and in pairs, Hangul and Thai (their lead bytes start other characters
        // too), a full-width letter, and an ASCII pattern.
        let (starts, actions, han) =
            folded_tables(&["医疗", "医", "疗法", "한국", "ก", "ａb", "flu"]);
        for c in (0x800..0x1_0000u32).filter_map(char::from_u32) {
            let action = actions[c as usize - 0x800];
            let expected = if han_index(c).is_some() {
                match c {
                    '医' => Three::HAN_SOLO,
                    '疗' => Three::HAN_PAIRED,
                    _ => Three::NONE,
                }
            } else if (starts[c as usize / 64] >> (c as usize % 64)) & 1 != 0 {
                Three::OTHER
            } else if !crate::boundary::allows_boundary(Some(c)) {
                Three::JOINS
            } else {
                Three::NONE
            };
            assert_eq!(action, expected, "{c:?}");
        }
        assert!(han.first('医' as usize).is_some());
        assert_eq!(actions['한' as usize - 0x800], Three::OTHER);
        assert_eq!(actions['，' as usize - 0x800], Three::OTHER); // shares its lead with `ａ`
        assert_eq!(actions['。' as usize - 0x800], Three::NONE);
        assert_eq!(actions['ᄀ' as usize - 0x800], Three::JOINS);
    }

    #[test]
    fn may_begin_lets_every_pair_of_a_pattern_through() {
        // Pairs, one alone, a pair at the end of the text and a pair followed by ASCII; the
        // filter may let others through, never turn these away.
        let (_, actions, han) = folded_tables(&["医疗", "医", "疗法", "保险费", "降血压"]);
        for text in ["医疗", "疗法x", "保险费用", "降血压。", "医"] {
            let c = code3(text.as_bytes()[0], text.as_bytes()[1], text.as_bytes()[2]);
            let action = actions[c - 0x800];
            assert!(
                han.may_begin(action, eight_bytes(text.as_bytes())),
                "{text}"
            );
            assert!(han.first(c).is_some(), "{text}");
        }
        // A character no pattern begins with is never let through, whatever follows it.
        for text in ["法医疗", "费用", "压"] {
            let c = code3(text.as_bytes()[0], text.as_bytes()[1], text.as_bytes()[2]);
            let action = actions[c - 0x800];
            assert_eq!(action, Three::NONE, "{text}");
            assert!(
                !han.may_begin(action, eight_bytes(text.as_bytes())),
                "{text}"
            );
        }
        assert_eq!(eight_bytes(b"abc"), 0x63_62_61);
        assert_eq!(eight_bytes(b"abcdefghij"), u64::from_le_bytes(*b"abcdefgh"));
    }
}
