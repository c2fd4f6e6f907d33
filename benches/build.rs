//! Dictionary compile time: `Classifier::new` against aho-corasick's builders, for the same
//! dictionaries as `benches/matching.rs`.
//!
//! ```text
//! cargo bench --bench build
//! cargo bench --bench build -- build/en-100k
//! ```
//!
//! The baselines get their patterns ready (the dictionary's normalized keywords and
//! exclusions, deduplicated: `support::Dict::patterns`); the library's time includes that
//! step, the per-pattern side tables and the copy of the dictionary it keeps.

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use topictally::Classifier;

use support::{Inputs, Options, Raw};

fn build(c: &mut Criterion) {
    let inputs = Inputs::load(&Options::from_env());
    for dict in &inputs.dictionaries {
        let mut group = c.benchmark_group(format!("build/{}", dict.name));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .sampling_mode(SamplingMode::Flat);
        group.bench_function("topictally", |b| {
            b.iter(|| Classifier::new(black_box(&dict.dictionary)).expect("bench dictionary"));
        });
        group.bench_function("raw_leftmost_longest", |b| {
            b.iter(|| Raw::leftmost(black_box(&dict.patterns)));
        });
        group.bench_function("raw_dfa_leftmost_longest", |b| {
            b.iter(|| Raw::leftmost_dfa(black_box(&dict.patterns)));
        });
        group.finish();
    }
}

criterion_group!(benches, build);
criterion_main!(benches);
