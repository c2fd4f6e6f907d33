//! The counts as a table an analyst can read: shared by the `count` and `cluster_count`
//! examples (included with `#[path]`), so that both print the same table. The including
//! example also includes `support/numbers.rs` as `mod numbers`.

use std::fmt::Write as _;

use topictally::{Counts, Dictionary, TimeBucket, TopicCounts, Volume};

use crate::numbers::thousands;

/// The counts as a table that reads like the dashboard sentence.
pub fn table(counts: &Counts, dictionary: &Dictionary, bucket: TimeBucket) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} messages, {} about at least one topic{}",
        thousands(counts.total_messages),
        thousands(counts.matched_messages),
        match counts.errors.malformed {
            0 => String::new(),
            n => format!(", {} malformed records skipped", thousands(n)),
        }
    );
    // Busiest topics first, then dictionary order.
    let mut topics: Vec<(usize, &str, &TopicCounts)> = dictionary
        .topics()
        .iter()
        .enumerate()
        .filter_map(|(i, t)| counts.topics.get(t.name()).map(|c| (i, t.name(), c)))
        .collect();
    topics.sort_by(|a, b| b.2.messages.cmp(&a.2.messages).then(a.0.cmp(&b.0)));
    let unit = match bucket {
        TimeBucket::Hour => "hours",
        TimeBucket::Month => "months",
        _ => "days",
    };
    for (_, name, c) in topics {
        let _ = writeln!(s);
        let span = match (c.by_time.keys().next(), c.by_time.keys().next_back()) {
            (Some(first), Some(last)) if first != last => format!(", {first} to {last}"),
            (Some(first), _) => format!(", {first}"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "{name}: {} messages, {} mentions{span}",
            thousands(c.messages),
            thousands(c.mentions)
        );
        if c.messages == 0 {
            continue;
        }
        let by_source = top(c.by_source.iter().map(|(k, v)| (k.as_str(), v.messages)), 6);
        let _ = writeln!(s, "  by source     {}", by_source);
        let busiest = top(
            c.by_time
                .iter()
                .map(|(k, v): (&String, &Volume)| (k.as_str(), v.messages)),
            3,
        );
        if !busiest.is_empty() {
            let _ = writeln!(s, "  busiest {unit:<6}{busiest}");
        }
        let keywords = top(c.keywords.iter().map(|(k, &n)| (k.as_str(), n)), 5);
        if !keywords.is_empty() {
            let _ = writeln!(s, "  top keywords  {keywords}");
        }
    }
    s.truncate(s.trim_end().len());
    s
}

/// The `n` largest entries, largest first, as `name 1,234 · other 567`.
fn top<'a>(entries: impl Iterator<Item = (&'a str, u64)>, n: usize) -> String {
    let mut entries: Vec<_> = entries.filter(|&(_, v)| v > 0).collect();
    entries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let more = entries.len().saturating_sub(n);
    let mut parts: Vec<String> = entries
        .into_iter()
        .take(n)
        .map(|(k, v)| format!("{} {}", if k.is_empty() { "\"\"" } else { k }, thousands(v)))
        .collect();
    if more > 0 {
        parts.push(format!("(+{more} more)"));
    }
    parts.join(" · ")
}
