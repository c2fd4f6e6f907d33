//! Keyword normalization (SEMANTICS.md §1–§2).
//!
//! A normalized keyword never starts or ends with a space and holds only single spaces, so the
//! matcher can compare it with the text by folding the text as it walks: every run of
//! whitespace in the text stands for one space, and (unless case-sensitive) every character
//! for its per-character lowercase.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
