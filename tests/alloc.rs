//! Classifying an ASCII message with reused buffers allocates nothing, and neither does
//! counting it once its source and time bucket have been seen.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use topictally::{Classifier, Dictionary, Matches, Message, Timestamp, TopicBuilder};

/// The system allocator, counting the allocations of each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// const-initialized thread-local `Cell`, which never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn classifier() -> Classifier {
    let d = Dictionary::builder()
        .topic(
            TopicBuilder::new("healthcare")
                .keywords(["healthcare", "health care", "#healthcare"])
                .exclude("job*"),
        )
        .topic(TopicBuilder::new("insurance").keywords(["health insurance", "insur*", "premium*"]))
        .topic(
            TopicBuilder::new("agencies")
                .keywords(["CDC", "FDA"])
                .case_sensitive(true),
        )
        .build()
        .unwrap();
    Classifier::new(&d).unwrap()
}

const TEXTS: &[&str] = &[
    "Health care costs rise as insurers raise PREMIUMS; the CDC and FDA weigh in #healthcare",
    "Healthcare jobs in Austin: apply now",
    "nothing to see here",
    "health\t\n  insurance, health insurance and   more health care",
];

#[test]
fn classifying_ascii_allocates_nothing_once_warm() {
    let c = classifier();
    let mut matches = Matches::new();
    for text in TEXTS {
        c.classify_into(&Message::new(text), &mut matches).unwrap();
    }
    let before = allocations();
    let mut found = 0;
    for _ in 0..200 {
        for text in TEXTS {
            c.classify_into(&Message::new(text), &mut matches).unwrap();
            found += matches.len();
        }
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(found, 200 * 5, "the texts match 3, 0, 0 and 2 topics");
    // The counter does see allocations: a fresh result has to grow its buffers.
    let before = allocations();
    c.classify(TEXTS[0]).unwrap();
    assert!(allocations() > before);
}

#[test]
fn counting_seen_sources_and_buckets_allocates_nothing() {
    let c = classifier();
    let mut tally = c.new_tally();
    let day = Timestamp::parse("2026-10-14T10:00:00Z").unwrap();
    let messages: Vec<_> = TEXTS
        .iter()
        .map(|t| Message::new(t).with_source("twitter").with_timestamp(day))
        .collect();
    for m in &messages {
        tally.add(m).unwrap();
    }
    let before = allocations();
    for _ in 0..200 {
        for m in &messages {
            tally.add(m).unwrap();
        }
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(
        tally.counts().topics["insurance"].by_source["twitter"].messages,
        402
    );
}
