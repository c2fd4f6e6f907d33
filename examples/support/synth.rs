//! Seeded synthetic corpora and dictionaries for topictally's examples, benches and tests.
//!
//! Standard library only, and no `crate::` paths: include it with
//! `#[path = "../examples/support/synth.rs"] mod synth;` (or `"support/synth.rs"` from an
//! example). Everything is deterministic for a given seed, on every platform.
//!
//! * [`write_jsonl`] writes a corpus of JSON Lines records (SEMANTICS.md §6): `id`, `text`,
//!   `source` (`twitter`, `blog`, `forum`, `news`, `weibo`), `timestamp` (RFC 3339, `Z`) and
//!   `lang` (`en`, `zh`), optionally with a planted burst ([`Spike`]) and a share of malformed
//!   lines.
//! * [`dictionary_toml`] writes a large dictionary in the `[[topics]]` TOML form.
//!
//! The English text is random words from a built-in vocabulary (a few hundred common
//! words plus healthcare terms, so that `examples/data/health.toml` matches part of it); it
//! reads like word salad, but has realistic lengths per source, punctuation, hashtags,
//! @mentions, URLs, emoji and the odd non-ASCII character.

#![allow(dead_code)]

use std::collections::HashSet;
use std::io::{self, Write};

// ---------------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------------

/// A small, fast, seeded PRNG: SplitMix64 (Steele, Lea & Flood 2014). Every seed, 0
/// included, gives a full-period stream. Not for cryptography.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose stream depends only on `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `0..n`, without modulo bias (Lemire's method).
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0): empty range");
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// A uniform number in `lo..=hi` (`lo <= hi`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(),
        }
    }

    /// A uniform float in `[0, 1)`, with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (false for `p <= 0` or NaN, true for `p >= 1`).
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen element.
    ///
    /// # Panics
    /// If `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

/// 2026-10-01T00:00:00Z, the default start of a generated corpus (the sample's month).
pub const DEFAULT_START_UNIX: i64 = 1_790_812_800;

/// What [`write_jsonl`] writes.
#[derive(Clone, Debug)]
pub struct CorpusConfig {
    /// Number of lines written, malformed ones included.
    pub messages: usize,
    /// The seed: the same configuration and seed always give the same bytes.
    pub seed: u64,
    /// Unix time (seconds, UTC) of the start of day 0.
    pub start_unix: i64,
    /// Number of days the timestamps spread over (at least 1).
    pub days: u32,
    /// Share (0..=1) of messages in Chinese (`"lang": "zh"`, source `weibo`).
    pub non_english: f64,
    /// Share (0..=1) of malformed lines (SEMANTICS.md §6: not JSON, no string `text`,
    /// invalid timestamp, truncated record, non-string `source`, lone surrogate).
    pub malformed: f64,
    /// A planted burst, if any.
    pub spike: Option<Spike>,
}

/// A planted burst: day `day` (0-based, `< days`) gets `factor` times the volume of an
/// ordinary day, and the extra messages (a share `(factor - 1) / factor` of that day's
/// English messages) each contain one of `words`. The total stays `messages`: the other
/// days get a little less. A `factor` below 1 makes a dip instead.
#[derive(Clone, Debug)]
pub struct Spike {
    pub day: u32,
    pub factor: f64,
    pub words: Vec<String>,
}

impl Default for CorpusConfig {
    fn default() -> CorpusConfig {
        CorpusConfig {
            messages: 10_000,
            seed: 42,
            start_unix: DEFAULT_START_UNIX,
            days: 30,
            non_english: 0.05,
            malformed: 0.0,
            spike: None,
        }
    }
}

impl CorpusConfig {
    /// Checks the numbers; [`write_jsonl`] calls it first.
    pub fn validate(&self) -> Result<(), String> {
        if self.days == 0 {
            return Err("days must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&self.non_english) {
            return Err(format!(
                "non_english share {} is not between 0 and 1",
                self.non_english
            ));
        }
        if !(0.0..=1.0).contains(&self.malformed) {
            return Err(format!(
                "malformed share {} is not between 0 and 1",
                self.malformed
            ));
        }
        let end = i128::from(self.start_unix) + i128::from(self.days) * 86_400;
        if self.start_unix < -62_135_596_800 || end > 253_402_300_800 {
            return Err("timestamps must stay within the years 0001..9999".into());
        }
        if let Some(s) = &self.spike {
            if s.day >= self.days {
                return Err(format!("spike day {} is outside 0..{}", s.day, self.days));
            }
            if !s.factor.is_finite() || s.factor < 0.0 {
                return Err(format!(
                    "spike factor {} must be a finite number >= 0",
                    s.factor
                ));
            }
            if s.factor > 1.0 && s.words.iter().all(|w| w.trim().is_empty()) {
                return Err("spike words must not be empty".into());
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------

/// Frequent function words.
const FUNCTION: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "to", "of", "in", "on", "for", "with", "at", "by",
    "from", "about", "as", "is", "are", "was", "were", "be", "been", "it", "this", "that", "these",
    "those", "I", "you", "he", "she", "we", "they", "my", "your", "our", "their", "not", "no",
    "so", "just", "very", "really", "all", "some", "more", "most", "what", "when", "why", "how",
    "who", "if", "then", "than", "there", "here", "now", "today", "still", "also", "again", "can",
    "could", "will", "would", "should", "have", "has", "had", "do", "does", "did", "get", "got",
    "make", "made", "go", "going", "know", "think", "need", "want", "like", "see", "say", "said",
    "one", "two", "three", "new", "good", "bad", "big", "small", "last", "next", "first", "every",
    "much", "many", "any", "over", "after", "before", "into", "out", "up", "down", "only", "even",
    "too", "back", "never", "always",
];

/// Ordinary content words (none of them is a keyword of examples/data/health.toml).
const CONTENT: &[&str] = &[
    "time",
    "year",
    "day",
    "week",
    "month",
    "people",
    "family",
    "friend",
    "friends",
    "kid",
    "kids",
    "mom",
    "dad",
    "work",
    "home",
    "school",
    "city",
    "town",
    "street",
    "car",
    "bus",
    "train",
    "phone",
    "app",
    "email",
    "coffee",
    "tea",
    "lunch",
    "dinner",
    "breakfast",
    "food",
    "pizza",
    "bread",
    "soup",
    "rain",
    "weather",
    "sun",
    "snow",
    "morning",
    "night",
    "evening",
    "weekend",
    "game",
    "team",
    "season",
    "music",
    "movie",
    "book",
    "news",
    "money",
    "price",
    "cost",
    "bill",
    "rent",
    "plan",
    "story",
    "question",
    "answer",
    "problem",
    "idea",
    "life",
    "health",
    "house",
    "room",
    "office",
    "store",
    "market",
    "garden",
    "dog",
    "cat",
    "road",
    "river",
    "park",
    "trip",
    "holiday",
    "party",
    "birthday",
    "photo",
    "video",
    "post",
    "thread",
    "link",
    "update",
    "report",
    "study",
    "data",
    "system",
    "service",
    "company",
    "business",
    "meeting",
    "project",
    "deadline",
    "budget",
    "tax",
    "policy",
    "law",
    "vote",
    "election",
    "government",
    "state",
    "country",
    "world",
    "local",
    "national",
    "public",
    "private",
    "free",
    "cheap",
    "expensive",
    "long",
    "short",
    "late",
    "early",
    "fast",
    "slow",
    "happy",
    "sad",
    "tired",
    "busy",
    "hard",
    "easy",
    "great",
    "nice",
    "funny",
    "weird",
    "crazy",
    "sure",
    "true",
    "real",
    "better",
    "worse",
    "best",
    "worst",
    "open",
    "close",
    "start",
    "stop",
    "wait",
    "call",
    "read",
    "write",
    "watch",
    "play",
    "run",
    "walk",
    "drive",
    "buy",
    "sell",
    "pay",
    "save",
    "spend",
    "find",
    "lose",
    "win",
    "try",
    "help",
    "ask",
    "tell",
    "feel",
    "love",
    "hope",
    "miss",
    "remember",
    "forget",
    "check",
    "share",
    "learn",
    "teach",
    "change",
    "move",
    "stay",
    "leave",
    "come",
    "bring",
    "keep",
    "let",
    "put",
    "take",
    "give",
    "use",
    "show",
    "turn",
    "hold",
    "live",
    "grow",
    "build",
    "fix",
    "break",
    "sleep",
    "eat",
    "drink",
    "cook",
    "clean",
    "laugh",
    "cry",
    "window",
    "door",
    "table",
    "chair",
    "kitchen",
    "bed",
    "shoes",
    "jacket",
    "umbrella",
    "traffic",
    "airport",
    "flight",
    "hotel",
    "beach",
    "mountain",
    "lake",
    "forest",
    "bike",
    "run",
    "gym",
    "yoga",
    "football",
    "baseball",
    "basketball",
    "soccer",
    "concert",
    "album",
    "song",
    "show",
    "series",
    "episode",
    "podcast",
    "article",
    "headline",
    "reporter",
    "mayor",
    "council",
    "senator",
    "court",
    "judge",
    "police",
    "fire",
    "storm",
    "power",
    "internet",
    "wifi",
    "laptop",
    "screen",
    "battery",
    "charger",
    "password",
    "account",
    "website",
    "software",
    "update",
    "bug",
    "release",
    "launch",
    "startup",
    "investor",
    "stock",
    "bank",
    "loan",
    "salary",
    "bonus",
    "inflation",
    "economy",
    "energy",
    "oil",
    "gas",
    "solar",
    "climate",
    "farm",
    "apple",
    "pumpkin",
    "cake",
    "cookie",
    "sandwich",
    "salad",
    "cheese",
    "chocolate",
    "candy",
    "halloween",
    "october",
    "autumn",
    "winter",
    "summer",
    "spring",
    "monday",
    "friday",
    "saturday",
    "sunday",
    "minute",
    "hour",
    "ticket",
    "line",
    "queue",
    "letter",
    "form",
    "paperwork",
    "neighbor",
    "teacher",
    "student",
    "manager",
    "customer",
    "driver",
    "artist",
    "writer",
    "chef",
    "baby",
    "grandma",
    "grandpa",
    "brother",
    "sister",
    "wedding",
    "garage",
    "fence",
    "bridge",
    "tunnel",
    "museum",
    "library",
    "café",
    "naïve",
    "résumé",
];

/// Healthcare terms: most are keywords (or contain keywords) of examples/data/health.toml;
/// a few are its whole-word traps (`ehealthcare`, `healthcareReform`, `reinsurance`,
/// `biopharma`) or vetoes (`hospitality`).
const HEALTH: &[&str] = &[
    "healthcare",
    "health care",
    "health insurance",
    "insurance",
    "insurer",
    "insurers",
    "premiums",
    "premium",
    "deductible",
    "copay",
    "open enrollment",
    "out-of-pocket",
    "hospital",
    "hospitals",
    "nurse",
    "nurses",
    "ICU",
    "emergency room",
    "urgent care",
    "doctor",
    "doctors",
    "physician",
    "GP",
    "surgeon",
    "pharmacy",
    "pharmacist",
    "pharma",
    "drug prices",
    "prescription drugs",
    "insulin",
    "generic drugs",
    "Mayo Clinic",
    "vaccine",
    "vaccines",
    "flu shot",
    "booster",
    "mental health",
    "anxiety",
    "therapy",
    "therapist",
    "burnout",
    "Medicare",
    "Medicaid",
    "Obamacare",
    "CDC",
    "FDA",
    "WHO",
    "public health",
    "clinic",
    "patients",
    "symptoms",
    "treatment",
    "appointment",
    "#healthcare",
    "#mentalhealth",
    "@mayoclinic",
    "HealthCare.gov",
    "healthcare's",
    "health system",
    "ehealthcare",
    "healthcareReform",
    "reinsurance",
    "biopharma",
    "hospitality",
];

const HASHTAGS: &[&str] = &[
    "#news",
    "#monday",
    "#weekend",
    "#tbt",
    "#food",
    "#coffee",
    "#travel",
    "#music",
    "#tech",
    "#politics",
    "#sports",
    "#fall",
    "#halloween",
    "#running",
    "#books",
    "#art",
    "#health",
    "#healthcare",
    "#insurance",
    "#nurses",
    "#pharma",
    "#vaccines",
    "#mentalhealth",
    "#OpenEnrollment",
    "#ACA",
    "#MayoClinic",
];

const HANDLES: &[&str] = &[
    "@user",
    "@citydesk",
    "@dr_lena_ortiz",
    "@mayoclinic",
    "@HHSGov",
    "@AcmeMobile",
    "@localnews",
    "@nurse_jo",
    "@techcrunchy",
    "@weatherbot",
    "@coffee_club",
    "@pharmawatch",
];

const EMOJI: &[&str] = &[
    "😂",
    "🙏",
    "🔥",
    "❤️",
    "👍",
    "😅",
    "🎉",
    "💉",
    "🏥",
    "😷",
    "🍂",
    "☕",
    "👩‍⚕️",
];

const CITIES: &[&str] = &[
    "Austin",
    "Denver",
    "Boston",
    "Phoenix",
    "Seattle",
    "Atlanta",
    "Chicago",
    "Portland",
    "Round Rock",
    "Columbus",
    "Nashville",
    "San Diego",
];

/// Common Chinese words, and a few Weibo conventions.
const ZH: &[&str] = &[
    "今天", "我们", "你们", "他们", "一个", "没有", "什么", "时候", "觉得", "真的", "可以", "还是",
    "已经", "现在", "朋友", "工作", "生活", "大家", "喜欢", "天气", "晚上", "早上", "孩子", "妈妈",
    "爸爸", "学校", "公司", "手机", "吃饭", "睡觉", "周末", "电影", "音乐", "城市", "北京", "上海",
    "新闻", "视频", "照片", "开心", "难过", "希望", "知道", "问题", "事情", "时间", "地方", "东西",
    "因为", "所以", "但是", "如果", "这个", "那个", "很多", "一起", "分享", "转发", "评论", "微博",
    "加油", "谢谢", "排队", "下班", "上班", "回家", "地铁", "咖啡", "火锅", "下雨", "太阳", "好像",
    "终于", "其实", "一直", "还有", "不要",
];

/// Chinese healthcare words (the `医疗` topic of examples/data/health.toml), and a veto.
const ZH_HEALTH: &[&str] = &[
    "医院",
    "医生",
    "医保",
    "医疗",
    "看病难",
    "看病贵",
    "挂号",
    "药价",
    "疫苗",
    "住院",
    "门诊",
    "护士",
    "医改",
    "医疗保险",
    "体检",
    "感冒",
    "发烧",
    "招聘",
];

const ZH_PUNCT: &[&str] = &["，", "，", "，", "。", "。", "！", "？", "、", "……"];
const ZH_EXTRA: &[&str] = &[
    "[哈哈]",
    "[泪]",
    "[赞]",
    "[怒]",
    "[心]",
    "iPhone",
    "App",
    "WiFi",
    "//@用户:",
];

/// Hour-of-day weights (UTC) of the daily rhythm: quiet nights, busy days and evenings.
const NBSP: &[u8] = "\u{a0}".as_bytes();

const HOUR_WEIGHTS: [u32; 24] = [
    3, 2, 1, 1, 1, 2, 4, 7, 9, 9, 10, 10, 10, 9, 9, 9, 9, 9, 10, 11, 11, 9, 7, 5,
];

// ---------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------

/// Writes the corpus as JSON Lines (fields `id`, `text`, `source`, `timestamp` RFC 3339 `Z`,
/// `lang`; malformed lines excepted) and returns the number of lines written, which is
/// `config.messages`. Output is buffered internally in 64 KiB chunks, so `out` may be
/// unbuffered. Lines come in timestamp order. Ids are the 1-based line numbers.
///
/// Lengths in bytes of `text`: twitter 40–280, blog 300–3,000, forum 150–1,500,
/// news 80–400, weibo 30–420 (a spike word longer than about 30 bytes may push a message
/// over its bound).
///
/// An invalid configuration (see [`CorpusConfig::validate`]) is an `InvalidInput` error.
pub fn write_jsonl<W: Write>(out: W, config: &CorpusConfig) -> io::Result<u64> {
    write_jsonl_counted(out, config).map(|written| written.lines)
}

/// What [`write_jsonl_counted`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Lines written, malformed ones included (`config.messages`).
    pub lines: u64,
    /// Of those, the malformed lines.
    pub malformed: u64,
}

/// [`write_jsonl`], also saying how many of the lines are malformed.
pub fn write_jsonl_counted<W: Write>(out: W, config: &CorpusConfig) -> io::Result<Written> {
    config
        .validate()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut out = out;
    let mut g = Gen::new(config);
    let days = u64::from(config.days);
    let total = config.messages as u64;

    // Day weights: 1 for an ordinary day, `factor` for the spike day.
    let (spike_day, factor) = match &config.spike {
        Some(s) => (Some(u64::from(s.day)), s.factor),
        None => (None, 1.0),
    };
    let weight_sum = days as f64 - 1.0 + if spike_day.is_some() { factor } else { 1.0 };
    let mut hour_cum = [0u32; 25];
    for h in 0..24 {
        hour_cum[h + 1] = hour_cum[h] + HOUR_WEIGHTS[h];
    }

    let mut line_no: u64 = 0;
    let mut cum_weight = 0.0f64;
    let mut allotted: u64 = 0;
    for d in 0..days {
        cum_weight += if Some(d) == spike_day { factor } else { 1.0 };
        // Cumulative rounding: the day counts add up to exactly `total`.
        let upto = if d + 1 == days {
            total
        } else if weight_sum > 0.0 {
            (((total as f64) * cum_weight / weight_sum).round() as u64).min(total)
        } else {
            0
        };
        let count = upto.saturating_sub(allotted);
        allotted += count;
        let extra_p = if Some(d) == spike_day && factor > 1.0 {
            (factor - 1.0) / factor
        } else {
            0.0
        };
        let day_start = config.start_unix + (d as i64) * 86_400;
        for k in 0..count {
            // Stratified sampling of the daily rhythm: times never go backwards.
            let q = (k as f64 + g.rng.unit()) / count as f64;
            let ts = day_start + i64::from(second_of_day(q, &hour_cum));
            line_no += 1;
            g.message(line_no, ts, extra_p);
            if g.buf.len() >= 60 * 1024 {
                out.write_all(&g.buf)?;
                g.buf.clear();
            }
        }
    }
    out.write_all(&g.buf)?;
    out.flush()?;
    Ok(Written {
        lines: line_no,
        malformed: g.malformed_lines,
    })
}

/// The whole corpus in memory (convenient for tests and benches).
pub fn corpus(config: &CorpusConfig) -> Vec<u8> {
    let mut v = Vec::with_capacity(config.messages.saturating_mul(400).min(1 << 30));
    write_jsonl(&mut v, config).expect("invalid CorpusConfig");
    v
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time in the years 0001..9999.
pub fn format_timestamp(unix: i64) -> String {
    let mut b = [0u8; 20];
    write_rfc3339(&mut b, unix);
    String::from_utf8(b.to_vec()).expect("ASCII")
}

fn second_of_day(q: f64, hour_cum: &[u32; 25]) -> u32 {
    let target = q * f64::from(hour_cum[24]);
    let mut h = 0;
    while h < 23 && f64::from(hour_cum[h + 1]) <= target {
        h += 1;
    }
    let frac = (target - f64::from(hour_cum[h])) / f64::from(HOUR_WEIGHTS[h]);
    let s = (frac * 3600.0) as u32;
    h as u32 * 3600 + s.min(3599)
}

fn write_rfc3339(b: &mut [u8; 20], unix: i64) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    let put2 = |b: &mut [u8; 20], at: usize, v: u32| {
        b[at] = b'0' + (v / 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    };
    put2(b, 0, y / 100);
    put2(b, 2, y % 100);
    b[4] = b'-';
    put2(b, 5, m);
    b[7] = b'-';
    put2(b, 8, d);
    b[10] = b'T';
    put2(b, 11, secs / 3600);
    b[13] = b':';
    put2(b, 14, secs / 60 % 60);
    b[16] = b':';
    put2(b, 17, secs % 60);
    b[19] = b'Z';
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Appends `s` as the inside of a JSON string (no quotes).
fn json_escape_into(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Bytes that need an escape: control characters, `"` and `\`.
    const NEEDS: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 0x20 {
            t[i] = true;
            i += 1;
        }
        t[b'"' as usize] = true;
        t[b'\\' as usize] = true;
        t
    };
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        if !NEEDS[c as usize] {
            continue;
        }
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => b"",
        };
        out.extend_from_slice(&s[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 15) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Twitter,
    Blog,
    Forum,
    News,
    Weibo,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Twitter => "twitter",
            Source::Blog => "blog",
            Source::Forum => "forum",
            Source::News => "news",
            Source::Weibo => "weibo",
        }
    }
    /// (min, max) text length in bytes.
    fn bounds(self) -> (usize, usize) {
        match self {
            Source::Twitter => (40, 280),
            Source::Blog => (300, 3000),
            Source::Forum => (150, 1500),
            Source::News => (80, 400),
            Source::Weibo => (30, 420),
        }
    }
}

struct Gen<'c> {
    rng: Rng,
    config: &'c CorpusConfig,
    spike_words: Vec<&'c str>,
    /// Output buffer (whole lines).
    buf: Vec<u8>,
    /// The text being built.
    text: Vec<u8>,
    /// Scratch line for truncated records.
    line: Vec<u8>,
    /// Chance of a non-breaking space between two words in the current message.
    nbsp: f64,
    /// Malformed lines written so far.
    malformed_lines: u64,
}

impl<'c> Gen<'c> {
    fn new(config: &'c CorpusConfig) -> Gen<'c> {
        let spike_words = config
            .spike
            .as_ref()
            .map(|s| {
                s.words
                    .iter()
                    .map(|w| w.trim())
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Gen {
            rng: Rng::new(config.seed),
            config,
            spike_words,
            buf: Vec::with_capacity(64 * 1024 + 8 * 1024),
            text: Vec::with_capacity(4096),
            line: Vec::with_capacity(4096),
            nbsp: 0.0,
            malformed_lines: 0,
        }
    }

    fn message(&mut self, line_no: u64, ts: i64, extra_p: f64) {
        if self.rng.chance(self.config.malformed) {
            self.malformed(line_no, ts);
            return;
        }
        let spike = extra_p > 0.0 && !self.spike_words.is_empty() && self.rng.chance(extra_p);
        let source = if !spike && self.rng.chance(self.config.non_english) {
            Source::Weibo
        } else {
            match self.rng.below(100) {
                0..=44 => Source::Twitter,
                45..=64 => Source::Blog,
                65..=79 => Source::Forum,
                _ => Source::News,
            }
        };
        let forced = if spike {
            Some(*self.rng.pick(&self.spike_words))
        } else {
            None
        };
        self.make_text(source, forced);
        let lang = if source == Source::Weibo { "zh" } else { "en" };
        write_record(
            &mut self.buf,
            line_no,
            &self.text,
            Some(source.label()),
            Some(ts),
            lang,
        );
    }

    fn malformed(&mut self, line_no: u64, ts: i64) {
        self.malformed_lines += 1;
        let mut id = [0u8; 20];
        let id = itoa(&mut id, line_no);
        let mut tsb = [0u8; 20];
        write_rfc3339(&mut tsb, ts);
        let b = &mut self.buf;
        match self.rng.below(7) {
            0 => {
                // Not JSON at all: a log line that leaked into the feed.
                b.extend_from_slice(&tsb[..19]);
                b.extend_from_slice(b" WARN feed poller: upstream returned 502, retrying (line ");
                b.extend_from_slice(id);
                b.extend_from_slice(b")\n");
            }
            1 => {
                // An object without `text`.
                b.extend_from_slice(b"{\"id\":\"");
                b.extend_from_slice(id);
                b.extend_from_slice(b"\",\"body\":\"the message is in the wrong field\",\"source\":\"twitter\",\"timestamp\":\"");
                b.extend_from_slice(&tsb);
                b.extend_from_slice(b"\",\"lang\":\"en\"}\n");
            }
            2 => {
                // `text` that is not a string.
                b.extend_from_slice(b"{\"id\":\"");
                b.extend_from_slice(id);
                b.extend_from_slice(b"\",\"text\":42,\"source\":\"forum\",\"timestamp\":\"");
                b.extend_from_slice(&tsb);
                b.extend_from_slice(b"\",\"lang\":\"en\"}\n");
            }
            3 => {
                // A timestamp that does not exist.
                const BAD: &[&str] = &[
                    "2026-02-30",
                    "2026-02-30T10:00:00Z",
                    "2026-13-01T00:00:00Z",
                    "2026-10-05T24:00:00Z",
                    "2026-10-05T12:60:00Z",
                    "2026-10-05T23:59:60Z",
                    "2026-10-05T10:00:00+24:00",
                    "yesterday",
                    "2026/10/05 10:00",
                ];
                let bad = one(&mut self.rng, BAD);
                b.extend_from_slice(b"{\"id\":\"");
                b.extend_from_slice(id);
                b.extend_from_slice(b"\",\"text\":\"The clinic is closed for staff training today.\",\"source\":\"blog\",\"timestamp\":\"");
                b.extend_from_slice(bad.as_bytes());
                b.extend_from_slice(b"\",\"lang\":\"en\"}\n");
            }
            4 => {
                // A record cut off mid-line (at a character boundary, so still UTF-8).
                self.make_text(Source::Twitter, None);
                let mut line = std::mem::take(&mut self.line);
                line.clear();
                write_record(
                    &mut line,
                    line_no,
                    &self.text,
                    Some("twitter"),
                    Some(ts),
                    "en",
                );
                let len = line.len() - 1; // without '\n'
                let mut cut = 1 + self.rng.below(len as u64 - 2) as usize;
                while line[cut] & 0xC0 == 0x80 {
                    cut -= 1;
                }
                let b = &mut self.buf;
                b.extend_from_slice(&line[..cut]);
                b.push(b'\n');
                self.line = line;
            }
            5 => {
                // A `source` that is not a string.
                b.extend_from_slice(b"{\"id\":\"");
                b.extend_from_slice(id);
                b.extend_from_slice(
                    b"\",\"text\":\"numbers are not sources\",\"source\":7,\"timestamp\":\"",
                );
                b.extend_from_slice(&tsb);
                b.extend_from_slice(b"\",\"lang\":\"en\"}\n");
            }
            _ => {
                // A lone surrogate escape in `text`.
                b.extend_from_slice(b"{\"id\":\"");
                b.extend_from_slice(id);
                b.extend_from_slice(b"\",\"text\":\"half an emoji \\ud83d here\",\"source\":\"twitter\",\"timestamp\":\"");
                b.extend_from_slice(&tsb);
                b.extend_from_slice(b"\",\"lang\":\"en\"}\n");
            }
        }
    }

    // ---- text ----------------------------------------------------------------------

    fn make_text(&mut self, source: Source, forced: Option<&'c str>) {
        self.text.clear();
        // One message in twenty has the odd U+00A0 between words (pasted text).
        self.nbsp = if self.rng.chance(0.05) { 0.03 } else { 0.0 };
        let (min, max) = source.bounds();
        match source {
            Source::Twitter => self.tweet(min, max, forced),
            Source::Blog => self.blog(min, max, forced),
            Source::Forum => self.forum(min, max, forced),
            Source::News => self.news(min, max, forced),
            Source::Weibo => self.weibo(min, max),
        }
        debug_assert!(std::str::from_utf8(&self.text).is_ok());
    }

    /// Share of healthcare words in a message: most messages have none, some are about it.
    fn health_share(&mut self) -> f64 {
        if self.rng.chance(0.25) {
            0.06
        } else {
            0.0005
        }
    }

    fn word(&mut self, health: f64) -> &'static str {
        let r = self.rng.unit();
        if r < health {
            one(&mut self.rng, HEALTH)
        } else if r < health + 0.45 {
            one(&mut self.rng, FUNCTION)
        } else {
            one(&mut self.rng, CONTENT)
        }
    }

    /// Appends `w` (with a separating space unless at the start or after a newline) if the
    /// text stays within `limit` bytes, keeping `reserve` bytes free.
    fn push(&mut self, w: &str, limit: usize, reserve: usize) -> bool {
        let sep = self.sep();
        if self.text.len() + sep + w.len() + reserve > limit {
            return false;
        }
        if sep == 1 {
            self.text.push(b' ');
        }
        self.text.extend_from_slice(w.as_bytes());
        true
    }

    /// 1 when the next word needs a space before it: not at the start, nor after a
    /// newline or a non-breaking space.
    fn sep(&self) -> usize {
        match self.text.last() {
            None | Some(b'\n') => 0,
            _ if self.text.ends_with(NBSP) => 0,
            _ => 1,
        }
    }

    fn capitalize_at(&mut self, at: usize) {
        if let Some(c) = self.text.get_mut(at) {
            c.make_ascii_uppercase();
        }
    }

    /// Makes sure a spike word that did not find its place yet is in the text.
    fn ensure_forced(&mut self, forced: Option<&str>, max: usize) {
        let Some(f) = forced else { return };
        if self.push(f, max, 0) {
            return;
        }
        // No room: cut the text (at a character boundary) to make some.
        let mut keep = max.saturating_sub(f.len() + 1).min(self.text.len());
        while keep > 0 && self.text[keep] & 0xC0 == 0x80 {
            keep -= 1;
        }
        self.text.truncate(keep);
        if !self.text.is_empty() && self.sep() == 1 {
            self.text.push(b' ');
        }
        self.text.extend_from_slice(f.as_bytes());
    }

    /// One sentence of 4–18 words; false when the limit stopped it early.
    fn sentence(
        &mut self,
        limit: usize,
        health: f64,
        forced: &mut Option<&'c str>,
        question: bool,
    ) -> bool {
        let n = self.rng.range(4, 18) as usize;
        let forced_at = self.rng.below(4) as usize;
        let shout = self.rng.chance(0.02);
        let quote_at = if self.rng.chance(0.05) {
            Some(self.rng.below(n as u64) as usize)
        } else {
            None
        };
        let sentence_start = self.text.len();
        let forced_before = *forced;
        let mut first = true;
        for i in 0..n {
            let placing = forced.is_some() && i == forced_at.min(n - 1);
            let w = match *forced {
                Some(f) if placing => f,
                _ => self.word(health),
            };
            let start = self.text.len() + self.sep();
            let ok = if quote_at == Some(i) {
                let q = format!("\"{w}\"");
                self.push(&q, limit, 1)
            } else {
                self.push(w, limit, 1)
            };
            if !ok {
                if i < 3 {
                    // Out of room for a real sentence: take the fragment back.
                    self.text.truncate(sentence_start);
                    *forced = forced_before;
                    return false;
                }
                break;
            }
            if placing {
                *forced = None;
            }
            if first {
                self.capitalize_at(start + usize::from(quote_at == Some(i)));
                first = false;
            } else if shout {
                self.text[start..].make_ascii_uppercase();
            } else if i + 1 < n && self.rng.chance(0.08) && self.text.len() + 2 <= limit {
                self.text.push(b',');
            }
            if i + 1 < n
                && self.nbsp > 0.0
                && self.rng.chance(self.nbsp)
                && self.text.len() + 3 <= limit
            {
                // A non-breaking space between two words now and then.
                self.text.extend_from_slice(NBSP);
            }
        }
        if first {
            return false;
        }
        if self.text.ends_with(NBSP) {
            self.text.truncate(self.text.len() - NBSP.len());
        }
        if matches!(self.text.last(), Some(b',')) {
            self.text.pop();
        }
        let end = if question {
            b'?'
        } else {
            match self.rng.below(10) {
                0 => b'!',
                1 => b'?',
                _ => b'.',
            }
        };
        self.text.push(end);
        true
    }

    /// Ordinary words until the text is at least `min` bytes (never past `max`).
    fn pad(&mut self, min: usize, max: usize) {
        while self.text.len() < min {
            let w = one(&mut self.rng, CONTENT);
            if !self.push(w, max, 0) && !self.push("ok", max, 0) {
                break;
            }
        }
    }

    fn title(&mut self, words: usize, limit: usize, health: f64, forced: &mut Option<&'c str>) {
        let forced_at = self.rng.below(words as u64) as usize;
        for i in 0..words {
            let placing = forced.is_some() && i == forced_at;
            let w = match *forced {
                Some(f) if placing => f,
                _ => self.word(health * 2.0),
            };
            let start = self.text.len() + self.sep();
            if !self.push(w, limit, 0) {
                break;
            }
            if placing {
                *forced = None;
            }
            if i == 0 || w.len() > 3 {
                self.capitalize_at(start);
            }
        }
    }

    fn tweet(&mut self, min: usize, max: usize, forced: Option<&'c str>) {
        let health = self.health_share();
        if forced.is_none() && self.rng.chance(0.005) {
            // Job-posting spam: what `exclude = ["job*", "hiring"]` is for.
            let city = one(&mut self.rng, CITIES);
            let n = self.rng.range(100, 999);
            let s = format!(
                "Hiring: healthcare jobs in {city}. RNs, CNAs, front desk. Apply now: https://jobs.example.com/{n} #hiring #healthcare"
            );
            self.text.extend_from_slice(s.as_bytes());
            return;
        }
        let target = self.rng.range(min as u64, max as u64) as usize;
        if self.rng.chance(0.15) {
            let h = one(&mut self.rng, HANDLES);
            self.push(h, max, 0);
        }
        let mut forced = forced;
        while self.text.len() < target {
            if !self.sentence(target, health, &mut forced, false) {
                break;
            }
        }
        self.ensure_forced(forced, max);
        if self.rng.chance(0.15) {
            let e = one(&mut self.rng, EMOJI);
            self.push(e, max, 0);
        }
        if self.rng.chance(0.3) {
            for _ in 0..self.rng.range(1, 3) {
                let t = one(&mut self.rng, HASHTAGS);
                self.push(t, max, 0);
            }
        }
        if self.rng.chance(0.2) {
            let mut url = *b"https://t.co/0000000000";
            const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            for c in url[13..].iter_mut() {
                *c = ALNUM[self.rng.below(ALNUM.len() as u64) as usize];
            }
            let url = std::str::from_utf8(&url).expect("ASCII").to_owned();
            self.push(&url, max, 0);
        }
        self.pad(min, max);
        if self.rng.chance(0.01) {
            self.text.make_ascii_uppercase();
        }
    }

    fn blog(&mut self, min: usize, max: usize, forced: Option<&'c str>) {
        let health = self.health_share();
        let u = self.rng.unit();
        let target = min + ((u * u) * (max - min) as f64) as usize;
        let words = self.rng.range(3, 7) as usize;
        self.title(words, max, health, &mut None);
        self.text.extend_from_slice(b"\n\n");
        let mut forced = forced;
        'paras: while self.text.len() < target {
            if !self.text.ends_with(b"\n\n") {
                if self.text.len() + 2 >= target {
                    break;
                }
                self.text.extend_from_slice(b"\n\n");
            }
            for _ in 0..self.rng.range(2, 6) {
                if !self.sentence(target, health, &mut forced, false) {
                    break 'paras;
                }
                if self.text.len() >= target {
                    break 'paras;
                }
            }
        }
        while self.text.ends_with(b"\n") {
            self.text.pop();
        }
        self.ensure_forced(forced, max);
        self.pad(min, max);
    }

    fn forum(&mut self, min: usize, max: usize, forced: Option<&'c str>) {
        let health = self.health_share();
        let u = self.rng.unit();
        let target = min + ((u * u) * (max - min) as f64) as usize;
        let mut forced = forced;
        self.sentence(max, health, &mut forced, true);
        self.text.extend_from_slice(b"\n\n");
        while self.text.len() < target {
            let q = self.rng.chance(0.3);
            if !self.sentence(target, health, &mut None, q) {
                break;
            }
        }
        if self.rng.chance(0.3) {
            self.push("Thanks in advance!", max, 0);
        }
        while self.text.ends_with(b"\n") {
            self.text.pop();
        }
        self.ensure_forced(forced, max);
        self.pad(min, max);
    }

    fn news(&mut self, min: usize, max: usize, forced: Option<&'c str>) {
        let health = self.health_share();
        let target = self.rng.range(min as u64, max as u64) as usize;
        let words = self.rng.range(5, 10) as usize;
        let mut forced = forced;
        self.title(words, 120, health, &mut forced);
        self.text.extend_from_slice(b"\n\n");
        let mut n = 0;
        while self.text.len() < target && n < 3 {
            if !self.sentence(target, health, &mut None, false) {
                break;
            }
            n += 1;
        }
        while self.text.ends_with(b"\n") {
            self.text.pop();
        }
        self.ensure_forced(forced, max);
        self.pad(min, max);
    }

    fn weibo(&mut self, min: usize, max: usize) {
        let health = if self.rng.chance(0.3) { 0.15 } else { 0.01 };
        let target = self.rng.range(min as u64, max as u64) as usize;
        while self.text.len() < target {
            let r = self.rng.unit();
            let w = if r < health {
                one(&mut self.rng, ZH_HEALTH)
            } else if r < health + 0.12 {
                one(&mut self.rng, ZH_PUNCT)
            } else if r < health + 0.14 {
                one(&mut self.rng, ZH_EXTRA)
            } else {
                one(&mut self.rng, ZH)
            };
            if self.text.len() + w.len() + 3 > max {
                break;
            }
            self.text.extend_from_slice(w.as_bytes());
        }
        while self.text.len() < min {
            let w = one(&mut self.rng, ZH);
            if self.text.len() + w.len() > max {
                break;
            }
            self.text.extend_from_slice(w.as_bytes());
        }
        if self.text.len() + 3 <= max {
            self.text.extend_from_slice("。".as_bytes());
        }
    }
}

/// A uniformly chosen word of a word list.
fn one(rng: &mut Rng, items: &[&'static str]) -> &'static str {
    items[rng.below(items.len() as u64) as usize]
}

fn itoa(buf: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

fn write_record(
    out: &mut Vec<u8>,
    id: u64,
    text: &[u8],
    source: Option<&str>,
    ts: Option<i64>,
    lang: &str,
) {
    let mut idb = [0u8; 20];
    out.extend_from_slice(b"{\"id\":\"");
    out.extend_from_slice(itoa(&mut idb, id));
    out.extend_from_slice(b"\",\"text\":\"");
    json_escape_into(out, text);
    out.push(b'"');
    if let Some(s) = source {
        out.extend_from_slice(b",\"source\":\"");
        json_escape_into(out, s.as_bytes());
        out.push(b'"');
    }
    if let Some(t) = ts {
        let mut b = [0u8; 20];
        write_rfc3339(&mut b, t);
        out.extend_from_slice(b",\"timestamp\":\"");
        out.extend_from_slice(&b);
        out.push(b'"');
    }
    out.extend_from_slice(b",\"lang\":\"");
    json_escape_into(out, lang.as_bytes());
    out.extend_from_slice(b"\"}\n");
}

// ---------------------------------------------------------------------------------------
// Dictionary
// ---------------------------------------------------------------------------------------

/// A generated dictionary of `keywords` keywords (exactly, when `keywords >= 5`; exclusions
/// not counted) over topics of 5–200 keywords each, as TOML in the `[[topics]]` form:
/// about 20% phrases (two or three words), about 10% prefix keywords (`word*`), and
/// exclusions on about 5% of the topics. No keyword is empty or only `*`/whitespace, and
/// none occurs twice within a topic's list (nor do two that normalize alike).
///
/// Words come from `vocabulary` (entries are trimmed and their whitespace collapsed; empty
/// entries, entries containing `*` and entries with control characters are skipped), or,
/// when it is empty, from built-in syllable words (`kalomi`, `dertosa`, …) mixed with 5%
/// healthcare words of the built-in corpus vocabulary, so that generated dictionaries match
/// generated corpora a little (mostly their healthcare-flavoured messages).
pub fn dictionary_toml(keywords: usize, seed: u64, vocabulary: &[String]) -> String {
    let mut rng = Rng::new(seed ^ 0xD1C7_10A4_u64.rotate_left(32));
    let pool: Vec<String> = vocabulary
        .iter()
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|v| !v.is_empty() && !v.contains('*') && !v.chars().any(char::is_control))
        .collect();
    // Built-in healthcare words of the corpus vocabulary (not its everyday words, which
    // would make nearly every generated message match some topic).
    // `WHO` goes too: in a case-insensitive topic it would match every "who".
    let english: Vec<&str> = HEALTH
        .iter()
        .copied()
        .filter(|w| !w.contains(' ') && !FUNCTION.iter().any(|f| f.eq_ignore_ascii_case(w)))
        .collect();

    // Syllable words that happen to be everyday corpus words (`made`, `store`) are redrawn.
    let everyday: HashSet<&str> = FUNCTION.iter().chain(CONTENT.iter()).copied().collect();
    let word = |rng: &mut Rng| -> String {
        if !pool.is_empty() {
            rng.pick(&pool).clone()
        } else if rng.chance(0.05) {
            rng.pick(&english).to_string()
        } else {
            loop {
                let w = syllable_word(rng);
                if !everyday.contains(w.as_str()) {
                    break w;
                }
            }
        }
    };

    let mut out = String::with_capacity(keywords * 16 + 256);
    out.push_str(&format!(
        "# Synthetic topictally dictionary: {keywords} keywords, seed {seed}.\n# Generated by examples/support/synth.rs (dictionary_toml); do not edit.\n"
    ));
    let mut remaining = keywords;
    let mut topic_no = 0usize;
    let mut fallback = 0u64;
    while remaining > 0 {
        topic_no += 1;
        let mut size = rng.range(5, 200) as usize;
        if size > remaining {
            size = remaining;
        } else if remaining - size < 5 {
            size = if remaining <= 200 {
                remaining
            } else {
                remaining - 5
            };
        }
        remaining -= size;

        let mut seen: HashSet<String> = HashSet::with_capacity(size * 2);
        let mut list: Vec<String> = Vec::with_capacity(size);
        while list.len() < size {
            let mut kw = String::new();
            for attempt in 0..24 {
                let r = rng.unit();
                let candidate = if attempt == 23 {
                    // Small vocabularies run out of combinations: fall back to fresh words.
                    fallback += 1;
                    format!("{}{}", syllable_word(&mut rng), fallback)
                } else if r < 0.2 {
                    let n = rng.range(2, 3);
                    let mut p = word(&mut rng);
                    for _ in 1..n {
                        p.push(' ');
                        p.push_str(&word(&mut rng));
                    }
                    p
                } else if r < 0.3 {
                    let mut p = word(&mut rng);
                    p.push('*');
                    p
                } else {
                    word(&mut rng)
                };
                if seen.insert(normalize_key(&candidate)) {
                    kw = candidate;
                    break;
                }
            }
            if kw.is_empty() {
                continue;
            }
            list.push(kw);
        }

        let name = format!("t{:05} {}", topic_no, word(&mut rng));
        out.push_str("\n[[topics]]\nname = ");
        toml_string(&mut out, &name);
        out.push_str("\nkeywords = [");
        toml_list(&mut out, &list);
        out.push_str("]\n");
        if rng.chance(0.05) {
            let mut ex_seen = HashSet::new();
            let mut ex = Vec::new();
            for _ in 0..rng.range(1, 3) {
                let mut w = word(&mut rng);
                if rng.chance(0.3) {
                    w.push('*');
                }
                if ex_seen.insert(normalize_key(&w)) {
                    ex.push(w);
                }
            }
            out.push_str("exclude = [");
            toml_list(&mut out, &ex);
            out.push_str("]\n");
        }
    }
    out
}

/// Lowercased, whitespace-collapsed form, with the prefix marker kept apart.
fn normalize_key(k: &str) -> String {
    let (body, prefix) = match k.trim_end().strip_suffix('*') {
        Some(b) => (b, true),
        None => (k, false),
    };
    let mut s: String = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(char::to_lowercase)
        .collect();
    if prefix {
        s.push('*');
    }
    s
}

fn syllable_word(rng: &mut Rng) -> String {
    const C: &[&str] = &[
        "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st",
        "tr", "ch", "sh",
    ];
    const V: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou"];
    let n = rng.range(2, 4);
    let mut w = String::new();
    for _ in 0..n {
        w.push_str(one(rng, C));
        w.push_str(one(rng, V));
    }
    if rng.chance(0.3) {
        w.push_str(one(rng, &["n", "r", "s", "l", "x"]));
    }
    w
}

fn toml_list(out: &mut String, items: &[String]) {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i % 8 == 0 { ",\n    " } else { ", " });
        }
        toml_string(out, it);
    }
}

/// A TOML basic string, escaped.
fn toml_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
