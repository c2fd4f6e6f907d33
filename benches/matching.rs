//! Matching speed, with the raw aho-corasick baseline of issue 5 in the same groups.
//!
//! ```text
//! cargo bench --bench matching                      # everything (about 10 minutes)
//! cargo bench --bench matching -- core/en-10k/      # one dictionary
//! TOPICTALLY_BENCH_QUICK=1 cargo bench --bench matching      # 1 MiB slices
//! TOPICTALLY_BENCH_GENERATED=1 cargo bench --bench matching  # what a bare machine runs
//! ```
//!
//! Groups (inputs: `benches/support/mod.rs`):
//! * `core/<dict>/<corpus>`: messages already in memory, one thread, `classify_into` with one
//!   reused `Matches`; beside it the raw baselines over the same texts.
//! * `end_to_end/<dict>/<corpus>`: JSON Lines bytes in, counts out, with `StreamTally` in a
//!   1-thread rayon pool; beside it serde_json + `find_iter` per line.
//! * `threads`: `Classifier::tally` of the blog posts with the 10k English dictionary in a
//!   pool of 1..=N threads.
//!
//! Every library path is checked against an independent recount once, before it is timed
//! (`support::check`), and every baseline must find matches.

#[path = "support/mod.rs"]
mod support;

use std::cell::OnceCell;
use std::hint::black_box;
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode,
    Throughput,
};
use topictally::{Classifier, Matches};

use support::{Inputs, Options, Raw};

/// Few samples of whole passes: a pass over 8 MiB takes 0.05–1 s.
fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Flat);
}

fn matching(c: &mut Criterion) {
    let inputs = Inputs::load(&Options::from_env());
    let one_thread = support::one_thread_pool();
    for dict in &inputs.dictionaries {
        // Built on first use: a filtered run (`-- core/en-100/`) builds only what it times.
        let classifier: OnceCell<Classifier> = OnceCell::new();
        let classifier = || {
            classifier.get_or_init(|| Classifier::new(&dict.dictionary).expect("bench dictionary"))
        };
        for corpus in inputs.corpora_for(dict) {
            let label = format!("{}/{}", dict.name, corpus.name);
            let messages = corpus.messages();
            let checked = OnceCell::new();
            let check = || {
                checked.get_or_init(|| support::check(&label, classifier(), corpus, &messages));
            };

            let mut group = c.benchmark_group(format!("core/{label}"));
            configure(&mut group);
            group.throughput(Throughput::Bytes(corpus.text_bytes() as u64));
            group.bench_function("topictally", |b| {
                check();
                let classifier = classifier();
                let mut matches = Matches::new();
                b.iter(|| support::library_core(classifier, black_box(&messages), &mut matches));
            });
            // One automaton at a time: at 100k keywords a DFA takes hundreds of MB.
            {
                let raw = OnceCell::new();
                let raw = || {
                    raw.get_or_init(|| {
                        let ac = Raw::leftmost(&dict.patterns);
                        support::check_raw("leftmost", support::raw_count(&ac, &messages));
                        ac
                    })
                };
                group.bench_function("raw_leftmost_longest", |b| {
                    let ac = raw();
                    b.iter(|| support::raw_count(ac, black_box(&messages)));
                });
                group.bench_function("raw_lowercase_text", |b| {
                    let ac = raw();
                    b.iter(|| support::raw_count_lowercased(ac, black_box(&messages)));
                });
            }
            {
                let dfa = OnceCell::new();
                group.bench_function("raw_dfa_leftmost_longest", |b| {
                    let ac = dfa.get_or_init(|| {
                        let ac = Raw::leftmost_dfa(&dict.patterns);
                        support::check_raw("dfa", support::raw_count(&ac, &messages));
                        ac
                    });
                    b.iter(|| support::raw_count(ac, black_box(&messages)));
                });
            }
            {
                let dfa = OnceCell::new();
                group.bench_function("raw_dfa_overlapping", |b| {
                    let ac = dfa.get_or_init(|| {
                        let ac = Raw::overlapping_dfa(&dict.patterns);
                        let n = support::raw_count_overlapping(&ac, &messages);
                        support::check_raw("dfa overlapping", n);
                        ac
                    });
                    b.iter(|| support::raw_count_overlapping(ac, black_box(&messages)));
                });
            }
            group.finish();

            let mut group = c.benchmark_group(format!("end_to_end/{label}"));
            configure(&mut group);
            group.throughput(Throughput::Bytes(corpus.jsonl.len() as u64));
            group.bench_function("topictally", |b| {
                check();
                let classifier = classifier();
                b.iter(|| {
                    one_thread.install(|| {
                        support::library_end_to_end(classifier, black_box(&corpus.jsonl))
                    })
                });
            });
            let raw = OnceCell::new();
            group.bench_function("raw_serde_json_leftmost_longest", |b| {
                let ac = raw.get_or_init(|| {
                    let ac = Raw::leftmost(&dict.patterns);
                    support::check_raw("end to end", support::raw_end_to_end(&ac, &corpus.jsonl));
                    ac
                });
                b.iter(|| support::raw_end_to_end(ac, black_box(&corpus.jsonl)));
            });
            group.finish();
        }
    }

    threads(c, &inputs);
}

/// `Classifier::tally` in pools of 1..=N threads, over the blog posts with the 10k English
/// dictionary (the largest texts: the least per-message overhead).
fn threads(c: &mut Criterion, inputs: &Inputs) {
    let Some(dict) = inputs.dictionary("en-10k").or(inputs.dictionaries.first()) else {
        return;
    };
    let corpus = inputs.corpus("blogs");
    let messages = corpus.messages();
    let classifier = OnceCell::new();
    let expected = OnceCell::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("threads");
    configure(&mut group);
    group.throughput(Throughput::Bytes(corpus.text_bytes() as u64));
    for n in 1..=cores {
        let pool = support::pool(n);
        let verified = OnceCell::new();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            let classifier = classifier.get_or_init(|| {
                let classifier = Classifier::new(&dict.dictionary).expect("bench dictionary");
                let label = format!("threads/{}", dict.name);
                support::check(&label, &classifier, corpus, &messages);
                classifier
            });
            verified.get_or_init(|| {
                let one = expected.get_or_init(|| {
                    support::one_thread_pool().install(|| classifier.tally(&messages))
                });
                let counts = pool.install(|| classifier.tally(&messages));
                assert!(counts == *one, "{n} threads count differently from one");
            });
            b.iter(|| pool.install(|| classifier.tally(black_box(&messages))));
        });
    }
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
