//! SEMANTICS.md §1–§2 in one place: keyword normalization, and text normalization with a map
//! from normalized offsets back to the original bytes.
//!
//! Text is normalized the same way in both case modes: every maximal run of whitespace
//! becomes one space, and in the folded mode every character is replaced by its per-character
//! lowercase. Because a normalized keyword never starts or ends with a space and holds only
//! single spaces, a keyword occurs in the original text (§3, before boundary checks) exactly
//! when it occurs in the normalized text at offsets that begin original characters.

/// Marks a normalized offset that does not begin an original character (the second character
/// of a lowercase expansion such as `İ` → `i̇`).
pub(crate) const NOT_A_BOUNDARY: u32 = u32::MAX;

/// Normalizes a keyword as written: trims it, collapses internal whitespace runs to one space,
/// lowercases it per character unless `case_sensitive`, and splits off one trailing `*`.
///
/// Returns the normalized keyword and whether it is a prefix keyword, or `None` when nothing
/// is left to match (the keyword is only whitespace and `*`).
pub(crate) fn normalize_keyword(written: &str, case_sensitive: bool) -> Option<(String, bool)> {
    let trimmed = written.trim();
    let (body, prefix) = match trimmed.strip_suffix('*') {
        Some(body) => (body.trim(), true),
        None => (trimmed, false),
    };
    if body.chars().all(|c| c == '*' || c.is_whitespace()) {
        return None;
    }
    let mut out = String::with_capacity(body.len());
    let mut in_space = false;
    for c in body.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if case_sensitive {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    Some((out, prefix))
}

/// A normalized text and the way back to the original offsets. Reused across messages.
#[derive(Clone, Debug, Default)]
pub(crate) struct NormalizedText {
    bytes: Vec<u8>,
    /// `map[i]` is the original offset of normalized offset `i` (or [`NOT_A_BOUNDARY`]), for
    /// `i` in `0..=bytes.len()`. Empty when the normalization kept every offset in place.
    map: Vec<u32>,
    identity: bool,
}

impl NormalizedText {
    /// The normalized bytes (valid UTF-8).
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The original offset of normalized offset `i`, or `None` when `i` does not begin an
    /// original character.
    #[inline]
    pub(crate) fn original(&self, i: usize) -> Option<usize> {
        if self.identity {
            return Some(i);
        }
        match self.map.get(i) {
            Some(&o) if o != NOT_A_BOUNDARY => Some(o as usize),
            _ => None,
        }
    }

    /// Normalizes `text` (whose length must fit in a `u32`), folding case when `fold`.
    pub(crate) fn normalize(&mut self, text: &str, fold: bool) {
        self.bytes.clear();
        self.map.clear();
        self.identity = true;
        if text.is_ascii() {
            self.normalize_ascii(text.as_bytes(), fold);
        } else {
            self.normalize_unicode(text, fold);
        }
    }

    fn normalize_ascii(&mut self, text: &[u8], fold: bool) {
        let mut in_space = false;
        for (i, &b) in text.iter().enumerate() {
            // The ASCII characters for which `char::is_whitespace` holds.
            if matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') {
                if in_space {
                    if self.identity {
                        self.start_map();
                    }
                    continue;
                }
                in_space = true;
                self.push(b' ', i);
            } else {
                in_space = false;
                self.push(if fold { b.to_ascii_lowercase() } else { b }, i);
            }
        }
        self.finish(text.len());
    }

    fn normalize_unicode(&mut self, text: &str, fold: bool) {
        self.start_map();
        let mut in_space = false;
        let mut buf = [0u8; 4];
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if !in_space {
                    self.push(b' ', i);
                }
                in_space = true;
                continue;
            }
            in_space = false;
            if !fold || c.is_ascii() {
                let c = if fold { c.to_ascii_lowercase() } else { c };
                for (k, &b) in c.encode_utf8(&mut buf).as_bytes().iter().enumerate() {
                    self.push_mapped(b, if k == 0 { i as u32 } else { NOT_A_BOUNDARY });
                }
                continue;
            }
            let mut first = true;
            for lower in c.to_lowercase() {
                for &b in lower.encode_utf8(&mut buf).as_bytes() {
                    self.push_mapped(b, if first { i as u32 } else { NOT_A_BOUNDARY });
                    first = false;
                }
            }
        }
        self.finish(text.len());
    }

    /// Switches from the implicit identity map to an explicit one.
    fn start_map(&mut self) {
        self.identity = false;
        self.map.extend(0..self.bytes.len() as u32);
    }

    #[inline]
    fn push(&mut self, b: u8, original: usize) {
        self.bytes.push(b);
        if !self.identity {
            self.map.push(original as u32);
        }
    }

    #[inline]
    fn push_mapped(&mut self, b: u8, original: u32) {
        self.bytes.push(b);
        self.map.push(original);
    }

    fn finish(&mut self, len: usize) {
        if !self.identity {
            self.map.push(len as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str, fold: bool) -> (String, Vec<Option<usize>>) {
        let mut n = NormalizedText::default();
        n.normalize(text, fold);
        let s = String::from_utf8(n.bytes().to_vec()).unwrap();
        let map = (0..=n.bytes().len()).map(|i| n.original(i)).collect();
        (s, map)
    }

    #[test]
    fn keywords() {
        assert_eq!(
            normalize_keyword("  Health \n Care ", false),
            Some(("health care".into(), false))
        );
        assert_eq!(
            normalize_keyword("insur*", false),
            Some(("insur".into(), true))
        );
        assert_eq!(
            normalize_keyword("for *", false),
            Some(("for".into(), true))
        );
        assert_eq!(
            normalize_keyword("bull****", false),
            Some(("bull***".into(), true))
        );
        assert_eq!(
            normalize_keyword("d*mn", false),
            Some(("d*mn".into(), false))
        );
        assert_eq!(
            normalize_keyword("İ", false),
            Some(("i\u{307}".into(), false))
        );
        assert_eq!(normalize_keyword("ΣΑ", false), Some(("σα".into(), false)));
        assert_eq!(normalize_keyword("ACA", true), Some(("ACA".into(), false)));
        assert_eq!(normalize_keyword(" * ", false), None);
        assert_eq!(normalize_keyword("**", false), None);
        assert_eq!(normalize_keyword("\u{a0}", false), None);
    }

    #[test]
    fn ascii_identity() {
        let (s, map) = norm("Health Care", true);
        assert_eq!(s, "health care");
        assert_eq!(map, (0..=11).map(Some).collect::<Vec<_>>());
    }

    #[test]
    fn whitespace_runs() {
        let (s, map) = norm("a \t\nb", false);
        assert_eq!(s, "a b");
        assert_eq!(map, vec![Some(0), Some(1), Some(4), Some(5)]);
    }

    #[test]
    fn lowercase_expansion() {
        let (s, map) = norm("xİy", true);
        assert_eq!(s, "xi\u{307}y");
        // x, i, U+0307 (2 bytes), y, end
        assert_eq!(map, vec![Some(0), Some(1), None, None, Some(3), Some(4)]);
    }

    #[test]
    fn unicode_whitespace() {
        let (s, map) = norm("a\u{a0}\u{3000}b", true);
        assert_eq!(s, "a b");
        assert_eq!(map, vec![Some(0), Some(1), Some(6), Some(7)]);
    }
}
