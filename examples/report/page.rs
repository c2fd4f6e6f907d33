//! The HTML page: plain HTML and CSS around the SVG charts, with the numbers also in
//! `data-` attributes for programs (and tests) that read the page.

use std::fmt::Write as _;

use crate::analysis::{
    and_list, channel, long_label, source_phrase, Buckets, TopicReport, MIN_HISTORY, MIN_SD,
    SIGMAS, TRAILING,
};
use crate::charts::{self, hex, source_color, topic_color, Bar, Stack};
use crate::numbers::thousands;

/// Everything the page shows.
pub struct Report<'a> {
    pub buckets: &'a Buckets,
    /// Busiest first.
    pub topics: &'a [TopicReport],
    /// The period in the headlines: `in the past month`, `from 1 to 30 October 2026`.
    pub period: String,
    /// The buckets covered, for a title: `1–30 October 2026`.
    pub span: String,
    /// `--last`, as a phrase (`the past week`), and the window's start (RFC 3339).
    pub last: Option<(String, String)>,
    /// The latest timestamp seen, as people write it and as RFC 3339.
    pub latest: Option<(String, String)>,
    /// Messages read and messages about at least one topic, when known for the period.
    pub totals: Option<(u64, u64)>,
    pub malformed: u64,
    /// What was counted: `health.toml on sample.jsonl`.
    pub about: String,
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".to_string();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p >= 10.0 || p == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The sources of every topic together, most messages first: they pick the sources' colors.
fn all_sources(topics: &[TopicReport]) -> Vec<String> {
    let mut sum: std::collections::BTreeMap<&str, u64> = Default::default();
    for t in topics {
        for (s, n) in t.sources.iter().flatten() {
            *sum.entry(s).or_default() += n;
        }
    }
    let mut v: Vec<(&str, u64)> = sum.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(s, _)| s.to_string()).collect()
}

/// The headline sentence of a topic, as HTML.
fn headline(t: &TopicReport, period: &str, anchor: &str) -> String {
    let name = format!("<a href=\"#{anchor}\">{}</a>", esc(&t.name));
    let period = if period.is_empty() {
        String::new()
    } else {
        format!(" {}", esc(period))
    };
    if t.messages == 0 {
        return format!("No messages about {name}{period}.");
    }
    let mut s = format!(
        "<strong>{}</strong> about {name}",
        plural(t.messages, "message", "messages")
    );
    let known: Vec<&(String, u64)> = t
        .sources
        .iter()
        .flatten()
        .filter(|(label, _)| channel(label).is_some())
        .collect();
    let mut channels: Vec<String> = Vec::new();
    for (label, _) in &known {
        if let Some(c) = channel(label) {
            if !channels.iter().any(|x| x == c) {
                channels.push(c.to_string());
            }
        }
    }
    if !channels.is_empty() {
        let _ = write!(s, " on {}", and_list(&channels));
    }
    s.push_str(&period);
    match known.as_slice() {
        [] => {}
        [(label, n), ..] if *n == t.messages => {
            let phrase = source_phrase(label, *n);
            let noun = phrase.split_once(' ').map_or("", |(_, rest)| rest);
            let _ = write!(s, ", all of them {}", esc(noun));
        }
        largest => {
            let parts: Vec<String> = largest
                .iter()
                .take(2)
                .map(|(label, n)| format!("<strong>{}</strong>", esc(&source_phrase(label, *n))))
                .collect();
            let _ = write!(s, ", including {}", and_list(&parts));
        }
    }
    let _ = write!(s, ". {} in all.", plural(t.mentions, "mention", "mentions"));
    s
}

const STYLE: &str = r#"
:root {
  --ink: #1f2933; --muted: #5f6b7a; --faint: #8a94a1; --line: #e3e6ea;
  --bg: #f4f5f7; --card: #ffffff; --accent: #2f5d8a; --spike: #c23b3b;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Liberation Sans", "Noto Sans", system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
    "WenQuanYi Micro Hei", sans-serif;
}
main { max-width: 940px; margin: 0 auto; padding: 40px 20px 56px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.eyebrow { margin: 0; font-size: 12px; letter-spacing: .09em; text-transform: uppercase; color: var(--faint); }
h1 { margin: 4px 0 2px; font-size: 34px; line-height: 1.2; letter-spacing: -.015em; }
.sub { margin: 0; color: var(--muted); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 24px 0 4px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.stat b { display: block; font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
.stat span { font-size: 13px; color: var(--muted); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 22px 24px 24px; margin: 20px 0; }
h2 { margin: 0 0 2px; font-size: 20px; line-height: 1.3; }
h3 { margin: 22px 0 6px; font-size: 14px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; }
.lede { margin: 0 0 14px; font-size: 14px; color: var(--muted); }
figure { margin: 0; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 10px 0 0; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 3px; vertical-align: 0; }
.headlines { margin: 0; padding: 0; list-style: none; }
.headlines li { display: flex; gap: 12px; align-items: baseline; padding: 9px 0; border-top: 1px solid var(--line); }
.headlines li:first-child { border-top: 0; padding-top: 2px; }
.headlines .swatch { flex: none; transform: translateY(1px); }
.headlines strong { font-variant-numeric: tabular-nums; }
.spikes { margin: 0; padding: 0; list-style: none; }
.spikes li { padding: 10px 0 10px 14px; border-left: 3px solid var(--spike); margin: 8px 0; background: #fcf6f6; border-radius: 0 8px 8px 0; }
.spikes .when { font-weight: 600; }
.spikes .kw { display: inline-block; margin: 4px 6px 0 0; padding: 1px 8px; border-radius: 999px; background: #fff; border: 1px solid #ecd3d3; font-size: 13px; }
.note { font-size: 13px; color: var(--muted); margin: 12px 0 0; }
.topic h2 .swatch { width: 12px; height: 12px; }
.facts { margin: 0 0 6px; color: var(--muted); font-size: 14px; font-variant-numeric: tabular-nums; }
.spike-note { color: var(--spike); font-weight: 600; }
footer { margin-top: 28px; font-size: 13px; color: var(--faint); text-align: center; }
@media (max-width: 640px) { h1 { font-size: 26px; } section { padding: 16px; } }
@media print { body { background: #fff; } section { break-inside: avoid; border-color: #ccc; } }
"#;

/// The whole page.
pub fn render(r: &Report<'_>) -> Result<String, String> {
    let topics = r.topics;
    let mut h = String::with_capacity(256 << 10);
    let title = if r.span.is_empty() {
        "Topic report".to_string()
    } else {
        format!("Topic report · {}", r.span)
    };
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"topictally report\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>",
        esc(&title)
    );

    // The masthead.
    let first = r.buckets.labels.first().map(String::as_str).unwrap_or("");
    let last = r.buckets.labels.last().map(String::as_str).unwrap_or("");
    let mut attrs = format!(
        " data-bucket=\"{}\" data-first=\"{}\" data-last=\"{}\"",
        r.buckets.width,
        esc(first),
        esc(last)
    );
    if let Some((_, since)) = &r.last {
        let _ = write!(attrs, " data-since=\"{}\"", esc(since));
    }
    if let Some((_, latest)) = &r.latest {
        let _ = write!(attrs, " data-latest=\"{}\"", esc(latest));
    }
    if let Some((total, matched)) = r.totals {
        let _ = write!(
            attrs,
            " data-total-messages=\"{total}\" data-matched-messages=\"{matched}\""
        );
    }
    let mut sub = esc(&r.about);
    if let Some((phrase, _)) = &r.last {
        let _ = write!(sub, " · {}", esc(phrase));
    }
    let _ = write!(sub, " · counted by {} (UTC)", r.buckets.width);
    if let Some((latest, _)) = &r.latest {
        let _ = write!(sub, " · latest message {}", esc(latest));
    }
    let _ = writeln!(
        h,
        "<header id=\"masthead\"{attrs}>\n<p class=\"eyebrow\">topictally · media monitoring</p>\n\
         <h1>{}</h1>\n<p class=\"sub\">{sub}</p>",
        esc(&title)
    );
    let matches: u64 = topics.iter().map(|t| t.messages).sum();
    let spikes: usize = topics.iter().map(|t| t.spikes.len()).sum();
    h.push_str("<div class=\"stats\">\n");
    if let Some((total, matched)) = r.totals {
        let _ = writeln!(
            h,
            "<div class=\"stat\"><b>{}</b><span>messages read</span></div>\n\
             <div class=\"stat\"><b>{}</b><span>about at least one topic ({})</span></div>",
            thousands(total),
            thousands(matched),
            percent(matched, total)
        );
    }
    let _ = writeln!(
        h,
        "<div class=\"stat\"><b>{}</b><span>topic matches in {} topics</span></div>\n\
         <div class=\"stat\"><b>{spikes}</b><span>{}</span></div>\n</div>",
        thousands(matches),
        topics.len(),
        if spikes == 1 { "spike" } else { "spikes" }
    );
    if r.malformed > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} skipped.</p>",
            plural(r.malformed, "malformed record", "malformed records")
        );
    }
    h.push_str("</header>\n");

    // Headlines.
    h.push_str("<section id=\"headlines\">\n<h2>Headlines</h2>\n<p class=\"lede\">Messages and mentions per topic, busiest first, with the largest sources.</p>\n<ul class=\"headlines\">\n");
    for (i, t) in topics.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li class=\"headline\" data-topic=\"{}\" data-messages=\"{}\" data-mentions=\"{}\"><span class=\"swatch\" style=\"background:{}\"></span><span>{}</span></li>",
            esc(&t.name),
            t.messages,
            t.mentions,
            hex(topic_color(t.order)),
            headline(t, &r.period, &format!("topic-{}", i + 1))
        );
    }
    h.push_str("</ul>\n</section>\n");

    // Volume over time.
    let unit = r.buckets.width.to_string();
    let _ = writeln!(
        h,
        "<section id=\"volume\">\n<h2>Volume over time</h2>\n<p class=\"lede\">Messages per {unit} and topic{}. Circled points are spikes.</p>\n<figure data-chart=\"volume\">",
        if r.buckets.is_empty() { " (no message has a timestamp)" } else { "" }
    );
    h.push_str(&charts::volume_all(r.buckets, topics)?);
    h.push_str("</figure>\n<ul class=\"legend\">\n");
    for t in topics {
        let _ = writeln!(
            h,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
            hex(topic_color(t.order)),
            esc(&t.name)
        );
    }
    h.push_str("</ul>\n</section>\n");

    // Share of voice.
    h.push_str("<section id=\"share\">\n<h2>Share of voice</h2>\n<p class=\"lede\">Each topic's messages as a share of all topic matches (a message about two topics counts for both).</p>\n<figure data-chart=\"share\">\n");
    let rows: Vec<Bar> = topics
        .iter()
        .map(|t| Bar {
            label: t.name.clone(),
            value: if matches == 0 {
                0.0
            } else {
                t.messages as f64 / matches as f64
            },
            color: topic_color(t.order),
            note: format!(
                "{} · {}",
                percent(t.messages, matches),
                thousands(t.messages)
            ),
        })
        .collect();
    h.push_str(&charts::bars(&rows)?);
    h.push_str("</figure>\n</section>\n");

    // Sources.
    let sources = all_sources(topics);
    let sources_known = topics.iter().all(|t| t.sources.is_some());
    h.push_str("<section id=\"sources\">\n<h2>Where each topic is discussed</h2>\n");
    if sources_known {
        h.push_str("<p class=\"lede\">The split of each topic's messages by source.</p>\n<figure data-chart=\"sources\">\n");
        h.push_str(&charts::stacks(&source_stacks(topics, &sources, true))?);
        h.push_str("</figure>\n");
        h.push_str(&source_legend(&sources));
    } else {
        h.push_str("<p class=\"lede\">Not available: the saved counts have no sources per time bucket, so they cannot be restricted to the period.</p>\n");
    }
    h.push_str("</section>\n");

    // Spikes.
    spikes_section(&mut h, r);

    // One section per topic.
    for (i, t) in topics.iter().enumerate() {
        topic_section(&mut h, r, t, i, &sources)?;
    }

    let _ = writeln!(
        h,
        "<footer>Made by topictally's <code>report</code> example from {}. Counts are exact; charts drawn with plotters. The page needs no network.</footer>\n</main>\n</body>\n</html>",
        esc(&r.about)
    );
    Ok(h)
}

fn source_stacks(topics: &[TopicReport], sources: &[String], with_label: bool) -> Vec<Stack> {
    topics
        .iter()
        .map(|t| {
            let by: Vec<&(String, u64)> = t.sources.iter().flatten().collect();
            let segments = sources
                .iter()
                .enumerate()
                .filter_map(|(rank, s)| {
                    by.iter().find(|(label, _)| label == s).map(|(label, n)| {
                        (
                            *n as f64,
                            source_color(label, rank),
                            format!("{} {}", label, thousands(*n)),
                        )
                    })
                })
                .collect();
            Stack {
                label: if with_label {
                    t.name.clone()
                } else {
                    String::new()
                },
                segments,
                note: thousands(t.messages),
            }
        })
        .collect()
}

fn source_legend(sources: &[String]) -> String {
    let mut h = String::from("<ul class=\"legend\">\n");
    for (rank, s) in sources.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
            hex(source_color(s, rank)),
            esc(s)
        );
    }
    h.push_str("</ul>\n");
    h
}

fn spike_method(unit: &str) -> String {
    format!(
        "A spike is a {unit} whose messages exceed the mean of the {TRAILING} {unit}s before it by \
         more than {SIGMAS} standard deviations (of those {TRAILING} {unit}s, counted as at least \
         {MIN_SD} message so that a flat history does not make one message a spike). A {unit} \
         without messages counts as zero; a {unit} with fewer than {MIN_HISTORY} {unit}s before \
         it in the period is never a spike. The keywords that drove a spike are those whose \
         mentions in it rose most above their own mean over the same {TRAILING} {unit}s.",
    )
}

fn spikes_section(h: &mut String, r: &Report<'_>) {
    let unit = r.buckets.width.to_string();
    let mut all: Vec<(&TopicReport, &crate::analysis::SpikeReport)> = r
        .topics
        .iter()
        .flat_map(|t| t.spikes.iter().map(move |s| (t, s)))
        .collect();
    all.sort_by(|a, b| {
        a.1.index
            .cmp(&b.1.index)
            .then(b.1.messages.cmp(&a.1.messages))
    });
    h.push_str("<section id=\"spikes\">\n<h2>Spikes</h2>\n");
    if all.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"lede\">No spikes: no topic's volume in a {unit} exceeded its trailing mean by more than {SIGMAS} standard deviations.</p>"
        );
    } else {
        h.push_str("<p class=\"lede\">Unusual bursts of messages, in time order, with the keywords that drove them.</p>\n<ol class=\"spikes\">\n");
        for (t, s) in all {
            let drivers: Vec<&str> = s
                .drivers
                .iter()
                .flatten()
                .map(|d| d.keyword.as_str())
                .collect();
            let json = serde_json::to_string(&drivers).unwrap_or_default();
            let _ = write!(
                h,
                "<li data-spike=\"{}\" data-topic=\"{}\" data-messages=\"{}\" data-mean=\"{:.2}\" data-sd=\"{:.2}\" data-threshold=\"{:.2}\" data-keywords=\"{}\">",
                esc(&s.label),
                esc(&t.name),
                s.messages,
                s.mean,
                s.sd,
                s.threshold,
                esc(&json)
            );
            let _ = write!(
                h,
                "<span class=\"swatch\" style=\"background:{}\"></span><span class=\"when\">{}</span> · <b>{}</b>: {}, against {:.1} on average over the {} before (threshold {:.1}).",
                hex(topic_color(t.order)),
                esc(&long_label(r.buckets.width, r.buckets.starts[s.index])),
                esc(&t.name),
                plural(s.messages, "message", "messages"),
                s.mean,
                plural(TRAILING.min(s.index) as u64, &unit, &format!("{unit}s")),
                s.threshold
            );
            match &s.drivers {
                None => h.push_str("<br><span class=\"note\">Driving keywords unknown: the saved counts have no <code>keywords_by_time</code>.</span>"),
                Some(d) if d.is_empty() => {}
                Some(d) => {
                    h.push_str("<br>Driven by ");
                    for d in d {
                        let _ = write!(
                            h,
                            "<span class=\"kw\">{} <b>{}</b> <span title=\"trailing mean\">(usually {:.1})</span></span>",
                            esc(&d.keyword),
                            thousands(d.mentions),
                            d.mean
                        );
                    }
                }
            }
            h.push_str("</li>\n");
        }
        h.push_str("</ol>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"note\" id=\"method\">{}</p>\n</section>",
        esc(&spike_method(&unit))
    );
}

fn topic_section(
    h: &mut String,
    r: &Report<'_>,
    t: &TopicReport,
    i: usize,
    sources: &[String],
) -> Result<(), String> {
    let matches: u64 = r.topics.iter().map(|t| t.messages).sum();
    let unit = r.buckets.width.to_string();
    let _ = writeln!(
        h,
        "<section class=\"topic\" id=\"topic-{}\" data-topic=\"{}\">\n<h2><span class=\"swatch\" style=\"background:{}\"></span>{}</h2>\n<p class=\"facts\">{} · {} · {} share of voice</p>",
        i + 1,
        esc(&t.name),
        hex(topic_color(t.order)),
        esc(&t.name),
        plural(t.messages, "message", "messages"),
        plural(t.mentions, "mention", "mentions"),
        percent(t.messages, matches)
    );
    let _ = writeln!(
        h,
        "<h3>Messages per {unit}</h3>\n<figure data-chart=\"volume\">\n{}</figure>",
        charts::volume_one(r.buckets, t)?
    );
    let mut note = String::from(
        "The shaded band is the normal range, from the trailing mean to the spike threshold.",
    );
    if !t.spikes.is_empty() {
        let days: Vec<String> = t
            .spikes
            .iter()
            .map(|s| {
                format!(
                    "{} ({})",
                    long_label(r.buckets.width, r.buckets.starts[s.index]),
                    thousands(s.messages)
                )
            })
            .collect();
        note = format!(
            "<span class=\"spike-note\">{} {}.</span> {note}",
            if days.len() == 1 {
                "Spike on"
            } else {
                "Spikes on"
            },
            esc(&and_list(&days))
        );
    }
    let _ = writeln!(h, "<p class=\"note\">{note}</p>");
    h.push_str("<h3>Sources</h3>\n");
    match &t.sources {
        Some(_) => {
            let _ = writeln!(
                h,
                "<figure data-chart=\"sources\">\n{}</figure>",
                charts::stacks(&source_stacks(std::slice::from_ref(t), sources, false))?
            );
            let mut legend = String::from("<ul class=\"legend\">\n");
            for (label, n) in t.sources.iter().flatten() {
                let rank = sources.iter().position(|s| s == label).unwrap_or(0);
                let _ = writeln!(
                    legend,
                    "<li><span class=\"swatch\" style=\"background:{}\"></span>{} · {}</li>",
                    hex(source_color(label, rank)),
                    esc(&source_phrase(label, *n)),
                    percent(*n, t.messages)
                );
            }
            legend.push_str("</ul>\n");
            h.push_str(&legend);
        }
        None => h.push_str("<p class=\"note\">Not available for a period of saved counts.</p>\n"),
    }
    h.push_str("<h3>Top keywords</h3>\n");
    match &t.keywords {
        Some(keywords) => {
            let shown: Vec<Bar> = keywords
                .iter()
                .take(10)
                .map(|(k, n)| Bar {
                    label: k.clone(),
                    value: *n as f64,
                    color: topic_color(t.order),
                    note: thousands(*n),
                })
                .collect();
            let _ = writeln!(
                h,
                "<figure data-chart=\"keywords\">\n{}</figure>",
                charts::bars(&shown)?
            );
            if keywords.len() > 10 {
                let _ = writeln!(h, "<p class=\"note\">and {} more keywords.</p>", keywords.len() - 10);
            }
        }
        None => h.push_str("<p class=\"note\">Not available: the saved counts have no <code>keywords_by_time</code>, so keywords cannot be restricted to the period.</p>\n"),
    }
    h.push_str("</section>\n");
    Ok(())
}
