//! The character classes of SEMANTICS.md §3: word characters and scripts written without
//! spaces.

/// Whether `c` is a word character as UTS #18 defines `\w` (Alphabetic, Mark,
/// Decimal_Number, Connector_Punctuation, Join_Control).
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        regex_syntax::is_word_character(c)
    }
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
