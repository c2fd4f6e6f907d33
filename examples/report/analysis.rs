//! The numbers of the report: the time buckets of the period, per topic its series, sources,
//! keywords and spikes, and the words of its headline sentence.

use std::collections::{BTreeMap, HashMap};

use topictally::{Counts, TimeBucket, Timestamp, TopicCounts, UNKNOWN_SOURCE};

use crate::numbers::thousands;

/// A spike needs the volume of a bucket to exceed the mean of at most this many buckets before
/// it...
pub const TRAILING: usize = 7;
/// ...and at least this many of them (the first buckets of the period are never spikes)...
pub const MIN_HISTORY: usize = 3;
/// ...by more than this many standard deviations...
pub const SIGMAS: f64 = 3.0;
/// ...where the standard deviation counts as at least this many messages, so that a flat
/// history (0, 0, 0) does not make a single message a spike.
pub const MIN_SD: f64 = 1.0;
/// How many keywords are named as the drivers of a spike.
pub const DRIVERS: usize = 5;

/// The consecutive time buckets of the period, missing ones included.
pub struct Buckets {
    pub width: TimeBucket,
    pub starts: Vec<i64>,
    pub labels: Vec<String>,
    index: HashMap<String, usize>,
}

impl Buckets {
    /// Every bucket from the one starting at `first` to the one starting at `last`.
    pub fn span(width: TimeBucket, first: i64, last: i64) -> Buckets {
        let mut starts = Vec::new();
        let mut start = first;
        while start <= last {
            starts.push(start);
            start = next_start(width, start);
        }
        let labels: Vec<String> = starts.iter().map(|&s| width.label(s)).collect();
        let index = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i))
            .collect();
        Buckets {
            width,
            starts,
            labels,
            index,
        }
    }

    /// No buckets (no message had a timestamp).
    pub fn none(width: TimeBucket) -> Buckets {
        Buckets {
            width,
            starts: Vec::new(),
            labels: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The position of the bucket labelled `label`, if it is in the period.
    pub fn position(&self, label: &str) -> Option<usize> {
        self.index.get(label).copied()
    }
}

/// The width of a bucket in seconds (a month counts as 28 days: an upper bound of the count).
pub fn approximate_seconds(width: TimeBucket) -> i64 {
    match width {
        TimeBucket::Hour => 3600,
        TimeBucket::Month => 28 * 86_400,
        _ => 86_400,
    }
}

/// The start of the bucket after the one starting at `start`.
pub fn next_start(width: TimeBucket, start: i64) -> i64 {
    match width {
        TimeBucket::Hour => start + 3600,
        TimeBucket::Month => bucket_start(width, start + 31 * 86_400),
        _ => start + 86_400,
    }
}

/// The start of the bucket before the one starting at `start`.
pub fn previous_start(width: TimeBucket, start: i64) -> i64 {
    match width {
        TimeBucket::Hour => start - 3600,
        TimeBucket::Month => bucket_start(width, start - 86_400),
        _ => start - 86_400,
    }
}

fn bucket_start(width: TimeBucket, secs: i64) -> i64 {
    let clamped = secs.clamp(Timestamp::MIN.unix_seconds(), Timestamp::MAX.unix_seconds());
    Timestamp::from_unix_seconds(clamped).map_or(secs, |ts| width.start(ts))
}

/// The width of buckets labelled like `label` (`YYYY-MM-DD`, `YYYY-MM-DDTHH` or `YYYY-MM`).
pub fn label_width(label: &str) -> Option<TimeBucket> {
    match label.len() {
        10 => Some(TimeBucket::Day),
        13 => Some(TimeBucket::Hour),
        7 => Some(TimeBucket::Month),
        _ => None,
    }
}

/// The start of the bucket labelled `label`, when it is a label of `width`.
pub fn label_start(width: TimeBucket, label: &str) -> Option<i64> {
    let text = match width {
        TimeBucket::Hour => format!("{label}:00Z"),
        TimeBucket::Month => format!("{label}-01"),
        _ => label.to_string(),
    };
    let ts = Timestamp::parse(&text).ok()?;
    let start = width.start(ts);
    (width.label(start) == label).then_some(start)
}

/// `--last`: a duration in hours, days or weeks.
#[derive(Clone, Debug)]
pub struct Last {
    pub amount: u32,
    pub unit: char,
}

impl Last {
    /// Parses `12h`, `7d`, `30d`, `2w`.
    pub fn parse(s: &str) -> Result<Last, String> {
        let err = || format!("--last takes a duration like 30d, 7d, 12h or 2w, not {s:?}");
        let unit = s.chars().last().ok_or_else(err)?;
        if !matches!(unit, 'h' | 'd' | 'w') {
            return Err(err());
        }
        let amount: u32 = s[..s.len() - 1].parse().map_err(|_| err())?;
        if amount == 0 || amount > 100_000 {
            return Err(err());
        }
        Ok(Last { amount, unit })
    }

    pub fn hours(&self) -> u64 {
        u64::from(self.amount)
            * match self.unit {
                'h' => 1,
                'd' => 24,
                _ => 24 * 7,
            }
    }

    /// How many buckets of `width` the window covers: the duration in buckets, rounded up
    /// (to the nearest month for months), at least one.
    pub fn buckets(&self, width: TimeBucket) -> usize {
        let hours = self.hours();
        let n = match width {
            TimeBucket::Hour => hours,
            TimeBucket::Month => ((hours as f64 / 24.0 / 30.44).round()) as u64,
            _ => hours.div_ceil(24),
        };
        n.max(1) as usize
    }

    /// The start of the window: the bucket `buckets(width) - 1` buckets before the bucket
    /// starting at `latest_bucket`.
    pub fn window_start(&self, width: TimeBucket, latest_bucket: i64) -> i64 {
        let mut start = latest_bucket;
        for _ in 1..self.buckets(width) {
            start = previous_start(width, start);
        }
        start.max(bucket_start(width, Timestamp::MIN.unix_seconds()))
    }

    /// `the past month`, `the past 12 hours`.
    pub fn phrase(&self) -> String {
        let n = self.amount;
        let what = match (self.unit, n) {
            ('h', 1) => "hour".to_string(),
            ('h', 24) | ('d', 1) => "day".to_string(),
            ('h', 168) | ('d', 7) | ('w', 1) => "week".to_string(),
            ('d', 30 | 31) => "month".to_string(),
            ('d', 365 | 366) | ('w', 52) => "year".to_string(),
            ('h', _) => format!("{n} hours"),
            ('d', _) if n % 7 == 0 => format!("{} weeks", n / 7),
            ('d', _) => format!("{n} days"),
            (_, _) => format!("{n} weeks"),
        };
        format!("the past {what}")
    }
}

/// One spike of a topic.
pub struct SpikeReport {
    /// Position of the bucket in the period.
    pub index: usize,
    pub label: String,
    pub messages: u64,
    /// Mean and standard deviation (before the floor) of the trailing buckets.
    pub mean: f64,
    pub sd: f64,
    pub threshold: f64,
    /// The keywords whose mentions rose most, when `keywords_by_time` was counted.
    pub drivers: Option<Vec<Driver>>,
}

/// A keyword that drove a spike: its mentions in the spike bucket and on average in the
/// trailing buckets.
pub struct Driver {
    pub keyword: String,
    pub mentions: u64,
    pub mean: f64,
}

/// What the report says about one topic.
pub struct TopicReport {
    pub name: String,
    /// Position in the dictionary (or in the saved counts): it picks the topic's color.
    pub order: usize,
    pub messages: u64,
    pub mentions: u64,
    /// Messages per source label, most first; `None` when unknown (saved counts restricted
    /// with `--last`: they have no sources per bucket).
    pub sources: Option<Vec<(String, u64)>>,
    /// Mentions per keyword, most first; `None` when unknown (as for sources, unless the
    /// saved counts have `keywords_by_time`).
    pub keywords: Option<Vec<(String, u64)>>,
    /// Messages per bucket of the period.
    pub series: Vec<u64>,
    /// Per bucket, the trailing mean and the spike threshold, where there is enough history.
    pub bands: Vec<Option<(f64, f64)>>,
    pub spikes: Vec<SpikeReport>,
}

/// Builds the report of every topic of `counts`, in `order` (names), over `buckets`.
/// `keywords_by_time` tells whether the counts have that breakdown (it names the keywords that
/// drove a spike).
///
/// With `restrict` (saved counts and `--last`), the counts are of a longer period: messages,
/// mentions and keywords are summed over the buckets of the period, and sources are unknown.
pub fn topics(
    counts: &Counts,
    order: &[String],
    buckets: &Buckets,
    restrict: bool,
    keywords_by_time: bool,
) -> Vec<TopicReport> {
    let mut out: Vec<TopicReport> = order
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            counts
                .topics
                .get(name)
                .map(|c| topic(name, i, c, buckets, restrict, keywords_by_time))
        })
        .collect();
    // Busiest first, then in dictionary order.
    out.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.order.cmp(&b.order)));
    out
}

fn topic(
    name: &str,
    order: usize,
    c: &TopicCounts,
    buckets: &Buckets,
    restrict: bool,
    has_kbt: bool,
) -> TopicReport {
    let mut series = vec![0u64; buckets.len()];
    let mut mentions_in = 0;
    for (label, v) in &c.by_time {
        if let Some(i) = buckets.position(label) {
            series[i] += v.messages;
            mentions_in += v.mentions;
        }
    }
    // Mentions per keyword per bucket of the period, when counted.
    let mut per_bucket: Vec<BTreeMap<&str, u64>> = vec![BTreeMap::new(); buckets.len()];
    for (label, keywords) in &c.keywords_by_time {
        if let Some(i) = buckets.position(label) {
            for (k, &n) in keywords {
                *per_bucket[i].entry(k.as_str()).or_default() += n;
            }
        }
    }
    let (messages, mentions, sources, keywords) = if restrict {
        let keywords = has_kbt.then(|| {
            let mut sum: BTreeMap<&str, u64> = BTreeMap::new();
            for bucket in &per_bucket {
                for (&k, &n) in bucket {
                    *sum.entry(k).or_default() += n;
                }
            }
            most_first(sum.into_iter().map(|(k, n)| (k.to_string(), n)))
        });
        (series.iter().sum(), mentions_in, None, keywords)
    } else {
        let sources = most_first(c.by_source.iter().map(|(s, v)| (s.clone(), v.messages)));
        let keywords = most_first(c.keywords.iter().map(|(k, &n)| (k.clone(), n)));
        (c.messages, c.mentions, Some(sources), Some(keywords))
    };
    let (bands, mut spikes) = spikes(&series, buckets);
    for s in &mut spikes {
        s.drivers = has_kbt.then(|| drivers(&per_bucket, s.index));
    }
    TopicReport {
        name: name.to_string(),
        order,
        messages,
        mentions,
        sources,
        keywords,
        series,
        bands,
        spikes,
    }
}

/// Entries with a positive count, most first, then by name.
fn most_first(entries: impl Iterator<Item = (String, u64)>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = entries.filter(|&(_, n)| n > 0).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The trailing window of bucket `i`: the at most [`TRAILING`] buckets before it.
fn trailing(i: usize) -> std::ops::Range<usize> {
    i.saturating_sub(TRAILING)..i
}

fn mean_sd(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The bands (trailing mean, threshold) and the spikes of a series.
fn spikes(series: &[u64], buckets: &Buckets) -> (Vec<Option<(f64, f64)>>, Vec<SpikeReport>) {
    let mut bands = Vec::with_capacity(series.len());
    let mut spikes = Vec::new();
    for (i, &x) in series.iter().enumerate() {
        let window = trailing(i);
        if window.len() < MIN_HISTORY {
            bands.push(None);
            continue;
        }
        let (mean, sd) = mean_sd(series[window].iter().map(|&v| v as f64));
        let threshold = mean + SIGMAS * sd.max(MIN_SD);
        bands.push(Some((mean, threshold)));
        if x as f64 > threshold {
            spikes.push(SpikeReport {
                index: i,
                label: buckets.labels[i].clone(),
                messages: x,
                mean,
                sd,
                threshold,
                drivers: None,
            });
        }
    }
    (bands, spikes)
}

/// The keywords whose mentions in bucket `i` rose most above their trailing mean.
fn drivers(per_bucket: &[BTreeMap<&str, u64>], i: usize) -> Vec<Driver> {
    let window = trailing(i);
    let mut drivers: Vec<Driver> = per_bucket[i]
        .iter()
        .map(|(&keyword, &mentions)| {
            let before: u64 = per_bucket[window.clone()]
                .iter()
                .map(|b| b.get(keyword).copied().unwrap_or(0))
                .sum();
            Driver {
                keyword: keyword.to_string(),
                mentions,
                mean: before as f64 / window.len().max(1) as f64,
            }
        })
        .filter(|d| d.mentions as f64 > d.mean)
        .collect();
    drivers.sort_by(|a, b| {
        (b.mentions as f64 - b.mean)
            .total_cmp(&(a.mentions as f64 - a.mean))
            .then_with(|| a.keyword.cmp(&b.keyword))
    });
    drivers.truncate(DRIVERS);
    drivers
}

/// The first and last bucket with data in any topic, as starts.
pub fn data_span(counts: &Counts, width: TimeBucket) -> Result<Option<(i64, i64)>, String> {
    let mut span: Option<(i64, i64)> = None;
    for c in counts.topics.values() {
        for label in c.by_time.keys() {
            let start = label_start(width, label)
                .ok_or_else(|| format!("{label:?} is not a {width} bucket label"))?;
            span = Some(match span {
                Some((a, b)) => (a.min(start), b.max(start)),
                None => (start, start),
            });
        }
    }
    Ok(span)
}

// ---------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// (year, month 1-12, day, hour) of a bucket start.
fn civil(start: i64) -> (i64, usize, u32, u32) {
    let label = TimeBucket::Hour.label(start);
    let year = label[0..4].parse().unwrap_or(0);
    let month = label[5..7].parse().unwrap_or(1);
    let day = label[8..10].parse().unwrap_or(1);
    let hour = label[11..13].parse().unwrap_or(0);
    (year, month, day, hour)
}

/// A bucket as people write it: `14 October 2026`, `14 October 2026, 09:00 UTC`, `October 2026`.
pub fn long_label(width: TimeBucket, start: i64) -> String {
    let (y, m, d, h) = civil(start);
    let month = MONTHS[m - 1];
    match width {
        TimeBucket::Hour => format!("{d} {month} {y}, {h:02}:00 UTC"),
        TimeBucket::Month => format!("{month} {y}"),
        _ => format!("{d} {month} {y}"),
    }
}

/// A bucket on a chart axis: `14 Oct`, `14 Oct 09h`, `Oct 2026`.
pub fn short_label(width: TimeBucket, start: i64) -> String {
    let (y, m, d, h) = civil(start);
    let month = &MONTHS[m - 1][..3];
    match width {
        TimeBucket::Hour => format!("{d} {month} {h:02}h"),
        TimeBucket::Month => format!("{month} {y}"),
        _ => format!("{d} {month}"),
    }
}

/// The period of a span of buckets, as a phrase: `from 1 to 30 October 2026`,
/// `on 14 October 2026`, `in October 2026`.
pub fn span_phrase(buckets: &Buckets) -> String {
    let (Some(&first), Some(&last)) = (buckets.starts.first(), buckets.starts.last()) else {
        return String::new();
    };
    let width = buckets.width;
    let ((y1, m1, d1, _), (y2, m2, d2, _)) = (civil(first), civil(last));
    match width {
        TimeBucket::Month if first == last => format!("in {}", long_label(width, first)),
        TimeBucket::Month if y1 == y2 => {
            format!("from {} to {} {y2}", MONTHS[m1 - 1], MONTHS[m2 - 1])
        }
        TimeBucket::Hour if first == last => format!("on {}", long_label(width, first)),
        TimeBucket::Hour => {
            let (start, end) = hour_span(first, last);
            match end.strip_prefix(&format!("{d1} {} {y1} ", MONTHS[m1 - 1])) {
                Some(hour) => {
                    let from = &start[start.len() - 5..];
                    format!("on {d1} {} {y1} from {from} to {hour} UTC", MONTHS[m1 - 1])
                }
                None => format!("from {start} to {end} UTC"),
            }
        }
        TimeBucket::Month => format!(
            "from {} to {}",
            long_label(width, first),
            long_label(width, last)
        ),
        _ if first == last => format!("on {}", long_label(width, first)),
        _ if (y1, m1) == (y2, m2) => format!("from {d1} to {d2} {} {y2}", MONTHS[m2 - 1]),
        _ if y1 == y2 => format!(
            "from {d1} {} to {d2} {} {y2}",
            MONTHS[m1 - 1],
            MONTHS[m2 - 1]
        ),
        _ => format!(
            "from {} to {}",
            long_label(width, first),
            long_label(width, last)
        ),
    }
}

/// The period of a span of buckets, for a title: `1–30 October 2026`, `14 October 2026`,
/// `28 September – 30 October 2026`, `October 2025 – March 2026`.
pub fn span_title(buckets: &Buckets) -> String {
    let (Some(&first), Some(&last)) = (buckets.starts.first(), buckets.starts.last()) else {
        return String::new();
    };
    let width = buckets.width;
    let ((y1, m1, d1, _), (y2, m2, d2, _)) = (civil(first), civil(last));
    let (month1, month2) = (MONTHS[m1 - 1], MONTHS[m2 - 1]);
    match width {
        _ if first == last => long_label(width, first),
        TimeBucket::Month if y1 == y2 => format!("{month1} – {month2} {y2}"),
        TimeBucket::Month => format!("{month1} {y1} – {month2} {y2}"),
        TimeBucket::Hour => {
            let (start, end) = hour_span(first, last);
            match end.strip_prefix(&format!("{d1} {month1} {y1} ")) {
                Some(hour) => format!("{start}–{hour} UTC"),
                None => format!("{start} – {end} UTC"),
            }
        }
        _ if (y1, m1) == (y2, m2) => format!("{d1}–{d2} {month2} {y2}"),
        _ if y1 == y2 => format!("{d1} {month1} – {d2} {month2} {y2}"),
        _ => format!("{d1} {month1} {y1} – {d2} {month2} {y2}"),
    }
}

/// The start of the hour bucket `first` and the end of the hour bucket `last`, as
/// `14 October 2026 09:00` and `14 October 2026 18:00`; an end at midnight is `24:00` of the
/// day before.
fn hour_span(first: i64, last: i64) -> (String, String) {
    let (y1, m1, d1, h1) = civil(first);
    let (y2, m2, d2, h2) = civil(last);
    let start = format!("{d1} {} {y1} {h1:02}:00", MONTHS[m1 - 1]);
    let end = format!("{d2} {} {y2} {:02}:00", MONTHS[m2 - 1], h2 + 1);
    (start, end)
}

/// `n` things of a source, for the headline: `53 tweets`, `1 blog post`, `12 from mastodon`.
pub fn source_phrase(label: &str, n: u64) -> String {
    let one = n == 1;
    let noun =
        |singular: &str| format!("{} {singular}{}", thousands(n), if one { "" } else { "s" });
    match label.to_lowercase().as_str() {
        "twitter" | "x" => noun("tweet"),
        "blog" | "blogs" => noun("blog post"),
        "forum" | "forums" => noun("forum post"),
        "news" => noun("news article"),
        "weibo" => noun("Weibo post"),
        _ if label == UNKNOWN_SOURCE => format!("{} without a source", thousands(n)),
        _ => format!("{} from {label}", thousands(n)),
    }
}

/// Where a source's messages were published, for the headline: `social networks`, `blogs`.
pub fn channel(label: &str) -> Option<&'static str> {
    Some(match label.to_lowercase().as_str() {
        "twitter" | "x" | "weibo" | "facebook" | "instagram" | "tiktok" | "mastodon"
        | "bluesky" | "threads" | "linkedin" | "youtube" | "reddit" | "vk" | "social" => {
            "social networks"
        }
        "blog" | "blogs" => "blogs",
        "forum" | "forums" => "forums",
        "news" => "news sites",
        _ if label == UNKNOWN_SOURCE => return None,
        _ => "other sites",
    })
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
