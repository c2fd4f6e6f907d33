//! The character classes of SEMANTICS.md §3: word characters and scripts written without
//! spaces.

use std::sync::OnceLock;

/// Whether `c` is a word character as UTS #18 defines `\w` (Alphabetic, Mark,
/// Decimal_Number, Connector_Punctuation, Join_Control).
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else if let Some(&word) = bmp_word_chars().get(c as usize / 64) {
        (word >> (c as usize % 64)) & 1 != 0
    } else {
        regex_syntax::is_word_character(c)
    }
}

/// [`regex_syntax::is_word_character`] of every character of the Basic Multilingual Plane, a
/// bit each (8 KiB), computed once per process on first use.
///
/// regex-syntax answers with a binary search over its Unicode tables, which took a fifth of
/// the scan's time on Weibo posts: their punctuation (`，`, `。`, `！`) is neither ASCII nor
/// Han, so each mark asks whether a boundary may follow it.
fn bmp_word_chars() -> &'static [u64; 1024] {
    static WORD_CHARS: OnceLock<[u64; 1024]> = OnceLock::new();
    WORD_CHARS.get_or_init(|| {
        let mut words = [0u64; 1024];
        for (i, word) in (0u32..).zip(words.iter_mut()) {
            for bit in 0..64 {
                if char::from_u32(i * 64 + bit).is_some_and(regex_syntax::is_word_character) {
                    *word |= 1 << bit;
                }
            }
        }
        words
    })
}

/// For each character of U+0800..=U+FFFF, 1 when no word boundary may follow it (a word
/// character of a spaced script) and 0 otherwise: a fresh copy of a table computed once per
/// process (60 KiB), for the matcher's table of three-byte characters.
pub(crate) fn bmp_joins_words_bytes() -> Vec<u8> {
    static JOINS: OnceLock<Vec<u8>> = OnceLock::new();
    JOINS
        .get_or_init(|| {
            (0x800..0x1_0000u32)
                .map(|c| char::from_u32(c).is_some_and(|c| !allows_boundary(Some(c))) as u8)
                .collect()
        })
        .clone()
}

/// Whether `c` belongs to a script written without spaces (Han, Hiragana, Katakana, Thai),
/// beside which no word boundary is imposed.
#[inline]
pub(crate) fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0E7F}'          // Thai
        | '\u{3040}'..='\u{309F}'        // Hiragana
        | '\u{30A0}'..='\u{30FF}'        // Katakana
        | '\u{31F0}'..='\u{31FF}'        // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'        // Han, extension A
        | '\u{4E00}'..='\u{9FFF}'        // Han, unified ideographs
        | '\u{F900}'..='\u{FAFF}'        // Han, compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'        // half-width Katakana
        | '\u{20000}'..='\u{2FA1F}' // Han, supplementary planes
    )
}

/// Whether a keyword edge character `edge` demands a boundary: a word character that is not
/// of an unspaced script.
#[inline]
pub(crate) fn edge_needs_boundary(edge: char) -> bool {
    is_word_char(edge) && !is_unspaced(edge)
}

/// Whether the text character `beside` a span (on the side of an edge that needs a boundary)
/// lets the span stand as a whole word there.
#[inline]
pub(crate) fn allows_boundary(beside: Option<char>) -> bool {
    match beside {
        None => true,
        Some(c) if c.is_ascii() => !is_word_char(c),
        Some(c) => !is_word_char(c) || is_unspaced(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_characters() {
        for c in [
            'a', 'Z', '0', '_', 'é', '\u{301}', '医', 'ก', '٣', '\u{200D}',
        ] {
            assert!(is_word_char(c), "{c:?}");
        }
        for c in [' ', '#', '-', '\'', '(', '😀', '\u{a0}', '*'] {
            assert!(!is_word_char(c), "{c:?}");
        }
    }

    #[test]
    fn the_bmp_table_agrees_with_regex_syntax() {
        for c in (0..=0xFFFF).filter_map(char::from_u32) {
            let expected = if c.is_ascii() {
                c.is_ascii_alphanumeric() || c == '_'
            } else {
                regex_syntax::is_word_character(c)
            };
            assert_eq!(is_word_char(c), expected, "{c:?}");
        }
        assert!(is_word_char('\u{20000}'));
        assert!(!is_word_char('\u{1F600}'));
    }

    #[test]
    fn unspaced_scripts() {
        for c in [
            '医',
            '㐀',
            '豈',
            'あ',
            'カ',
            'ㇰ',
            'ｦ',
            'ก',
            '\u{20000}',
            '\u{2FA1F}',
        ] {
            assert!(is_unspaced(c), "{c:?}");
        }
        for c in ['a', '한', 'é', '\u{2FA20}', '。'] {
            assert!(!is_unspaced(c), "{c:?}");
        }
    }

    #[test]
    fn boundaries() {
        assert!(edge_needs_boundary('h'));
        assert!(!edge_needs_boundary('#'));
        assert!(!edge_needs_boundary('医'));
        assert!(allows_boundary(None));
        assert!(allows_boundary(Some('#')));
        assert!(allows_boundary(Some('爱')));
        assert!(!allows_boundary(Some('e')));
    }
}
