//! Lowercase as the matcher folds text (SEMANTICS.md §2): which characters lowercase to
//! themselves, answered from tables built once per process where the general Unicode tables
//! would cost a binary search per character.

use std::sync::OnceLock;

use crate::boundary::is_unspaced;

/// Whether `c` certainly has no lowercase other than itself: the scripts without case that
/// dominate non-Latin text (Han, Kana, Thai, Hangul) and their punctuation, checked before
/// the general tables.
#[inline]
pub(crate) fn is_caseless(c: char) -> bool {
    is_unspaced(c)
        || matches!(c,
            '\u{2000}'..='\u{206F}'       // general punctuation
            | '\u{3000}'..='\u{303F}'     // CJK symbols and punctuation
            | '\u{AC00}'..='\u{D7A3}'     // Hangul syllables
            | '\u{FE30}'..='\u{FE4F}'     // CJK compatibility forms
            | '\u{FF00}'..='\u{FF20}'     // full-width punctuation and digits, before Ａ-Ｚ
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF65}'
            | '\u{1F000}'..='\u{1FAFF}' // emoji and other pictographs
        )
}

/// Whether `c` has no lowercase other than itself: exact in the Basic Multilingual Plane (a
/// bit per character, computed once per process), [`is_caseless`] before the general tables
/// elsewhere.
#[inline]
pub(crate) fn lowercases_to_itself(c: char) -> bool {
    match bmp_case().cased.get(c as usize / 64) {
        Some(&bits) => (bits >> (c as usize % 64)) & 1 == 0,
        None => is_caseless(c) || lowercase_is_itself(c),
    }
}

pub(crate) fn lowercase_is_itself(c: char) -> bool {
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

/// The characters of the Basic Multilingual Plane whose lowercase is not themselves (about
/// 1,400), computed once per process.
pub(crate) struct BmpCase {
    /// A bit per character (8 KiB).
    pub(crate) cased: [u64; 1024],
    /// Each of them with the first byte of its lowercase.
    pub(crate) first_bytes: Vec<(u16, u8)>,
}

pub(crate) fn bmp_case() -> &'static BmpCase {
    static CASE: OnceLock<BmpCase> = OnceLock::new();
    CASE.get_or_init(|| {
        let mut case = BmpCase {
            cased: [0; 1024],
            first_bytes: Vec::new(),
        };
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            if is_caseless(c) || lowercase_is_itself(c) {
                continue;
            }
            case.cased[c as usize / 64] |= 1 << (c as usize % 64);
            let mut buf = [0u8; 4];
            if let Some(lower) = c.to_lowercase().next() {
                let first = lower.encode_utf8(&mut buf).as_bytes()[0];
                case.first_bytes.push((c as u16, first));
            }
        }
        case
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_to_itself_agrees_with_to_lowercase() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(lowercases_to_itself(c), lowercase_is_itself(c), "{c:?}");
        }
    }

    #[test]
    fn caseless_characters_lowercase_to_themselves() {
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_caseless(c))
        {
            let mut lower = c.to_lowercase();
            assert_eq!((lower.next(), lower.next()), (Some(c), None), "{c:?}");
        }
    }
}
