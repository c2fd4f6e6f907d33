//! The ASCII words of a text, eight bytes at a time: how long a run of word characters is, and
//! a filter that tells, from the whole run, whether a pattern can begin where it starts.
//!
//! At 10,000 English keywords nearly every word begins some keyword, so the scan would walk
//! the trie from each one; most walks fail a few bytes in, after a chain of dependent reads,
//! on a mispredicted branch. A pattern beginning with an ASCII word character, though, can
//! only occur where the run of word characters in the text is the pattern's own first run
//! (or, for a pattern with no right boundary to check, where the run starts with it), so one
//! hashed lookup of the run turns away most words before the walk.

/// A 64-bit word with the byte `b` in each lane.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const HIGH: u64 = lanes(0x80);

/// The high bit of each lane of `chunk` holding a byte in `lo..=hi` (both below 0x80): each
/// lane is tested on its own, with additions that never carry into the next.
#[inline(always)]
fn in_range(chunk: u64, lo: u8, hi: u8) -> u64 {
    let low = chunk & !HIGH; // seven bits per lane
    (low + lanes(0x80 - lo)) & !(low + lanes(0x7F - hi)) & !chunk & HIGH
}

/// The high bit of each lane of `chunk` holding an ASCII word character (letter, digit, `_`).
#[inline(always)]
fn word_lanes(chunk: u64) -> u64 {
    let lower = chunk | lanes(0x20); // an ASCII letter as lowercase; non-ASCII stays so
    let x = (chunk & !HIGH) ^ lanes(b'_');
    let underscore = !((x + lanes(0x7F)) | x) & !chunk & HIGH;
    in_range(lower, b'a', b'z') | in_range(chunk, b'0', b'9') | underscore
}

/// How many of the bytes of `chunk`, from the lowest, are ASCII word characters before the
/// first that is not (8 when all are).
#[inline]
pub(crate) fn ascii_word_run(chunk: u64) -> usize {
    ((!word_lanes(chunk) & HIGH).trailing_zeros() / 8) as usize
}

/// A filter on the runs of ASCII word characters where patterns can begin: a bit per hashed
/// key, where a key is the first (up to) eight bytes of a run, as the trie compares them.
///
/// For a pattern beginning with an ASCII word character, let its *stem* be its longest
/// prefix of ASCII word characters. Where the pattern occurs, the text's run from there is
/// the stem itself, unless the pattern is all stem and has a use with no right boundary
/// check (a prefix keyword `insur*`), in which case the run starts with the stem. A run that
/// ends at a byte that is not ASCII (which may fold to ASCII, or be a combining mark) always
/// passes, as does a run of eight bytes or more when its first eight match.
#[derive(Clone, Debug)]
pub(crate) struct WordFilter {
    bits: Vec<u64>,
    /// The shift that takes a key's hash to its bit.
    shift: u32,
    /// Bit `m` set: a pattern with a stem of `m` bytes (1 to 7) may be followed by more word
    /// characters, so runs longer than `m` are also looked up by their first `m` bytes.
    prefix_lengths: u8,
    /// Whether the trie holds lowercased patterns, so that runs are lowercased too.
    fold: bool,
}

/// Collects the stems of the patterns.
pub(crate) struct WordFilterBuilder {
    keys: Vec<u64>,
    prefix_lengths: u8,
}

impl WordFilterBuilder {
    pub(crate) fn new() -> WordFilterBuilder {
        WordFilterBuilder {
            keys: Vec::new(),
            prefix_lengths: 0,
        }
    }

    /// Adds a pattern (its bytes as the trie holds them); `open_ended` when some use of it
    /// has no right boundary to check.
    pub(crate) fn add(&mut self, pattern: &[u8], open_ended: bool) {
        let stem = pattern
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
            .count();
        if stem == 0 {
            return;
        }
        let len = stem.min(8);
        let mut key = [0u8; 8];
        key[..len].copy_from_slice(&pattern[..len]);
        self.keys.push(u64::from_le_bytes(key));
        if open_ended && stem == pattern.len() && stem < 8 {
            self.prefix_lengths |= 1 << stem;
        }
    }

    pub(crate) fn build(mut self, fold: bool) -> WordFilter {
        self.keys.sort_unstable();
        self.keys.dedup();
        // Sixteen bits per key: one run in sixteen that begins no pattern still gets by.
        let bits = (self.keys.len() * 16)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 24);
        let mut filter = WordFilter {
            bits: vec![0; bits / 64],
            shift: 64 - bits.trailing_zeros(),
            prefix_lengths: self.prefix_lengths,
            fold,
        };
        for &key in &self.keys {
            let h = filter.hash(key);
            filter.bits[h / 64] |= 1 << (h % 64);
        }
        filter
    }
}

impl WordFilter {
    #[inline(always)]
    fn hash(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline(always)]
    fn has(&self, key: u64) -> bool {
        let h = self.hash(key);
        (self.bits[h / 64] >> (h % 64)) & 1 != 0
    }

    /// For the run of ASCII word characters starting at byte `i` of `bytes` (which is one):
    /// its length up to 8, and whether a pattern may begin at `i`.
    #[inline(always)]
    pub(crate) fn check(&self, bytes: &[u8], i: usize) -> (usize, bool) {
        let chunk = match bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
            Some(&chunk) => u64::from_le_bytes(chunk),
            None => {
                // Near the end: the missing bytes read as NUL, which ends a run like the end.
                let rest = bytes.get(i..).unwrap_or_default();
                let mut chunk = [0u8; 8];
                chunk[..rest.len()].copy_from_slice(rest);
                u64::from_le_bytes(chunk)
            }
        };
        let words = word_lanes(chunk);
        let run = ((!words & HIGH).trailing_zeros() / 8) as usize;
        if run < 8 && (chunk >> (8 * run)) & 0x80 != 0 {
            return (run, true);
        }
        let chunk = if self.fold {
            chunk | (in_range(chunk, b'A', b'Z') >> 2)
        } else {
            chunk
        };
        let mask = |n: usize| if n >= 8 { !0 } else { (1u64 << (8 * n)) - 1 };
        if self.has(chunk & mask(run)) {
            return (run, true);
        }
        let mut lengths = u32::from(self.prefix_lengths) & ((1 << run) - 1);
        while lengths != 0 {
            let m = lengths.trailing_zeros() as usize;
            if self.has(chunk & mask(m)) {
                return (run, true);
            }
            lengths &= lengths - 1;
        }
        (run, false)
    }

    /// Heap memory in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.bits.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        }
    }

    fn filter(patterns: &[(&str, bool)], fold: bool) -> WordFilter {
        let mut builder = WordFilterBuilder::new();
        for &(p, open) in patterns {
            builder.add(p.as_bytes(), open);
        }
        builder.build(fold)
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
            ],
            true,
        );
        for text in [
            "health insurance",
            "Health\tcare",
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
            assert!(f.check(text.as_bytes(), 0).1, "{text:?}");
        }
        assert_eq!(f.check(b"insurers", 0).0, 8);
        assert_eq!(f.check(b"flu shot", 0).0, 3);
    }

    #[test]
    fn runs_that_begin_no_pattern_are_turned_away() {
        let f = filter(&[("flu", false), ("insur", true)], true);
        // A hash may let one by; these few do not with this seed and size.
        for text in ["fl", "flue", "influenza", "insu", "in", "the", "fluids"] {
            assert!(!f.check(text.as_bytes(), 0).1, "{text:?}");
        }
        let exact = filter(&[("flu", false)], false);
        assert!(!exact.check(b"FLU", 0).1);
        assert!(exact.check(b"flu", 0).1);
    }
}
