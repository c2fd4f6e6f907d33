//! Every example of SEMANTICS.md §1–§4 as a named row, run against the library *and* the
//! reference (so the oracle is checked too), bare and padded with filler on both sides.

use crate::reference::RefBucket;
use crate::reference::RefTopic;
use crate::support::{classifier, lib_kept, ref_kept, topic, Kept};

struct Row {
    name: &'static str,
    topics: Vec<RefTopic>,
    text: &'static str,
    /// Per topic: the kept occurrences (keyword as written, start, end).
    expect: Vec<Vec<(&'static str, usize, usize)>>,
    /// Whether filler may be added around the text without changing the answer.
    pad: bool,
}

fn row(
    name: &'static str,
    keywords: &[&str],
    text: &'static str,
    expect: &[(&'static str, usize, usize)],
) -> Row {
    Row {
        name,
        topics: vec![topic("t", keywords, &[])],
        text,
        expect: vec![expect.to_vec()],
        pad: true,
    }
}

fn with(mut r: Row, f: impl FnOnce(&mut RefTopic)) -> Row {
    f(&mut r.topics[0]);
    r
}

fn rows() -> Vec<Row> {
    let mut rows = vec![
        // §3 whole words
        row(
            "hash_keyword_after_letter",
            &["#healthcare"],
            "x#healthcare",
            &[("#healthcare", 1, 12)],
        ),
        row(
            "keyword_after_hash",
            &["healthcare"],
            "#healthcare",
            &[("healthcare", 1, 11)],
        ),
        row(
            "keyword_before_apostrophe",
            &["healthcare"],
            "healthcare's",
            &[("healthcare", 0, 10)],
        ),
        row(
            "keyword_in_parens",
            &["healthcare"],
            "(healthcare)",
            &[("healthcare", 1, 11)],
        ),
        row(
            "not_before_letter",
            &["healthcare"],
            "healthcareReform",
            &[],
        ),
        row("not_after_letter", &["healthcare"], "ehealthcare", &[]),
        row("not_before_digit", &["flu"], "flu2 _flu flu_", &[]),
        row(
            "decomposed_accent_is_word",
            &["cafe"],
            "cafe\u{301} cafe",
            &[("cafe", 7, 11)],
        ),
        row(
            "trailing_symbol_keyword",
            &["a+"],
            "a+b ba+",
            &[("a+", 0, 2)],
        ),
        row(
            "hyphenated",
            &["2-faced"],
            "so 2-faced!",
            &[("2-faced", 3, 10)],
        ),
        // §3 scripts without spaces
        row("han_inside_han", &["医疗"], "医疗保险", &[("医疗", 0, 6)]),
        row(
            "latin_beside_han",
            &["iphone"],
            "我爱iPhone手机",
            &[("iphone", 6, 12)],
        ),
        row(
            "thai_inside_thai",
            &["สวัสดี"],
            "ครับสวัสดีครับ",
            &[("สวัสดี", 12, 30)],
        ),
        row(
            "katakana",
            &["テレビ"],
            "新しいテレビです",
            &[("テレビ", 9, 18)],
        ),
        row(
            "latin_beside_latin_still_bounded",
            &["phone"],
            "我iphone",
            &[],
        ),
        // §2 case folding, per character
        row("dotted_capital_i_is_two_chars", &["i"], "İ", &[]),
        row(
            "dotted_capital_i_keyword",
            &["İstanbul"],
            "İSTANBUL istanbul i\u{307}stanbul",
            &[("İstanbul", 0, 9), ("İstanbul", 19, 29)],
        ),
        row("capital_sigma", &["σοφια"], "ΣΟΦΙΑ", &[("σοφια", 0, 10)]),
        row(
            "no_final_sigma_rule",
            &["ΟΔΟΣ"],
            "οδος ΟΔΟΣ",
            &[("ΟΔΟΣ", 9, 17)],
        ),
        row(
            "sharp_s_stays",
            &["straße"],
            "STRAßE STRASSE",
            &[("straße", 0, 7)],
        ),
        row("ss_is_not_sharp_s", &["STRASSE"], "straße", &[]),
        row(
            "mixed_case_keyword",
            &["HealthCare"],
            "HEALTHCARE healthcare",
            &[("HealthCare", 0, 10), ("HealthCare", 11, 21)],
        ),
        // §2 whitespace
        row(
            "space_matches_run",
            &["health care"],
            "health  care",
            &[("health care", 0, 12)],
        ),
        row(
            "space_matches_newline",
            &["health care"],
            "health\ncare",
            &[("health care", 0, 11)],
        ),
        row(
            "space_matches_nbsp",
            &["health care"],
            "health\u{a0}care",
            &[("health care", 0, 12)],
        ),
        row(
            "space_needs_whitespace",
            &["health care"],
            "health-care healthcare",
            &[],
        ),
        row(
            "keyword_whitespace_normalized",
            &["  health \t care "],
            "health care",
            &[("  health \t care ", 0, 11)],
        ),
        // §1 prefixes: the span is the prefix itself (§3: a span that equals the keyword)
        row(
            "prefix_keyword",
            &["insur*"],
            "insurance insurer insured reinsurance",
            &[("insur*", 0, 5), ("insur*", 10, 15), ("insur*", 18, 23)],
        ),
        row(
            "prefix_with_space_before_star",
            &["for *"],
            "forever for fort",
            &[("for *", 0, 3), ("for *", 8, 11), ("for *", 12, 15)],
        ),
        row(
            "prefix_phrase",
            &["health insur*"],
            "Health Insurers",
            &[("health insur*", 0, 12)],
        ),
        row(
            "star_inside_is_literal",
            &["d*mn"],
            "d*mn damn",
            &[("d*mn", 0, 4)],
        ),
        // §4 selection and credit
        row(
            "leftmost_longest",
            &["health", "health care"],
            "health care reform",
            &[("health care", 0, 11)],
        ),
        row(
            "leftmost_wins_over_longer_later",
            &["care reform", "health care"],
            "health care reform",
            &[("health care", 0, 11)],
        ),
        row(
            "credit_first_of_same_span",
            &["Healthcare", "HEALTHCARE"],
            "healthcare",
            &[("Healthcare", 0, 10)],
        ),
        row(
            "prefix_and_literal_same_span",
            &["insur", "insur*"],
            "insur insurance",
            &[("insur", 0, 5), ("insur*", 6, 11)],
        ),
        row(
            "every_non_overlapping_occurrence",
            &["flu"],
            "flu, FLU and Flu.",
            &[("flu", 0, 3), ("flu", 5, 8), ("flu", 13, 16)],
        ),
    ];
    // §1 per-topic options
    rows.push(with(
        row("case_sensitive", &["ACA"], "aca ACA Aca", &[("ACA", 4, 7)]),
        |t| t.case_sensitive = true,
    ));
    rows.push(with(
        row(
            "case_sensitive_whitespace_still_folds",
            &["Mayo Clinic"],
            "Mayo\n\nClinic mayo clinic",
            &[("Mayo Clinic", 0, 12)],
        ),
        |t| t.case_sensitive = true,
    ));
    rows.push(with(
        row(
            "substring_when_not_whole_word",
            &["care"],
            "healthcare careful",
            &[("care", 6, 10), ("care", 11, 15)],
        ),
        |t| t.whole_word = false,
    ));
    rows.push(with(
        row(
            "prefix_when_not_whole_word",
            &["car*"],
            "healthcare",
            &[("car*", 6, 9)],
        ),
        |t| t.whole_word = false,
    ));
    // §4 exclusions
    rows.push(with(
        row(
            "excluded",
            &["healthcare"],
            "healthcare jobs in Austin",
            &[],
        ),
        |t| t.exclude = vec!["job*".into()],
    ));
    rows.push(with(
        row(
            "exclusion_absent",
            &["healthcare"],
            "healthcare reform",
            &[("healthcare", 0, 10)],
        ),
        |t| t.exclude = vec!["job*".into()],
    ));
    rows.push(with(
        row(
            "exclusion_is_whole_word_too",
            &["healthcare"],
            "healthcare nonjobs",
            &[("healthcare", 0, 10)],
        ),
        |t| t.exclude = vec!["job*".into()],
    ));
    // §4 topics are independent
    rows.push(Row {
        name: "topics_independent",
        topics: vec![
            topic("a", &["health"], &[]),
            topic("b", &["health care"], &["reform"]),
            topic("c", &["care"], &[]),
        ],
        text: "health care",
        expect: vec![
            vec![("health", 0, 6)],
            vec![("health care", 0, 11)],
            vec![("care", 7, 11)],
        ],
        pad: true,
    });
    rows.push(Row {
        name: "exclusion_vetoes_only_its_topic",
        topics: vec![
            topic("a", &["health"], &["jobs"]),
            topic("b", &["jobs"], &[]),
        ],
        text: "health jobs",
        expect: vec![vec![], vec![("jobs", 7, 11)]],
        pad: true,
    });
    // Where the scan's word filter reads a run of ASCII word characters and what follows it
    // (found by fuzzing and review: a stem of eight bytes or more before a non-ASCII byte).
    rows.extend([
        row(
            "ascii_stem_of_nine_bytes_then_accent",
            &["communiqué"],
            "Communiqué",
            &[("communiqué", 0, 11)],
        ),
        row(
            "ascii_stem_then_curly_apostrophe",
            &["McDonald’s"],
            "mcdonald’s",
            &[("McDonald’s", 0, 12)],
        ),
        row(
            "phrase_with_a_short_prefix_second_word",
            &["heart a*"],
            "heart attack, heart of",
            &[("heart a*", 0, 7)],
        ),
        row(
            "hyphenated_stem",
            &["t-cell"],
            "T-Cell t cell",
            &[("t-cell", 0, 6)],
        ),
        row(
            "short_stem_before_an_open_short_second_word",
            &["a", "a b*"],
            "A b, a.",
            &[("a b*", 0, 3), ("a", 5, 6)],
        ),
        row(
            "short_stem_shared_by_a_word_and_a_phrase",
            &["heart", "heart rate"],
            "Heart rate, heart. HEART RATE",
            &[
                ("heart rate", 0, 10),
                ("heart", 12, 17),
                ("heart rate", 19, 29),
            ],
        ),
    ]);
    // A short word that is a whole stem starts its walk after the stem; a shorter stem open
    // at its end (`car*`) must still be found inside it.
    rows.push(Row {
        name: "short_stem_with_a_shorter_open_prefix",
        topics: vec![
            topic("a", &["cares", "care"], &[]),
            topic("b", &["car*"], &[]),
            topic("c", &["ca*"], &[]),
        ],
        text: "Cares care carts",
        expect: vec![
            vec![("cares", 0, 5), ("care", 6, 10)],
            vec![("car*", 0, 3), ("car*", 6, 9), ("car*", 11, 14)],
            vec![("ca*", 0, 2), ("ca*", 6, 8), ("ca*", 11, 13)],
        ],
        pad: true,
    });
    rows
}

/// The same filler on each side for every padded row: whitespace-bounded, matching nothing.
const PAD_LEFT: &str = "zz. ";
const PAD_RIGHT: &str = " .zz";

fn expected(r: &Row, shift: usize) -> Kept {
    r.expect
        .iter()
        .map(|t| {
            t.iter()
                .map(|&(k, s, e)| (k.to_string(), s + shift, e + shift))
                .collect()
        })
        .collect()
}

#[test]
fn semantics_rows() {
    let mut failures = Vec::new();
    for r in rows() {
        let c = classifier(&r.topics, RefBucket::Day);
        let mut cases = vec![(r.text.to_string(), 0)];
        if r.pad {
            cases.push((format!("{PAD_LEFT}{}{PAD_RIGHT}", r.text), PAD_LEFT.len()));
        }
        for (text, shift) in cases {
            let want = expected(&r, shift);
            let lib = lib_kept(&c, &text);
            let reference = ref_kept(&r.topics, &text);
            if lib != want {
                failures.push(format!(
                    "{} (library) on {text:?}:\n  got  {lib:?}\n  want {want:?}",
                    r.name
                ));
            }
            if reference != want {
                failures.push(format!(
                    "{} (reference) on {text:?}:\n  got  {reference:?}\n  want {want:?}",
                    r.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn row_names_are_unique() {
    let mut names: Vec<_> = rows().iter().map(|r| r.name).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
}
