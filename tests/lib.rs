//! The integration tests, built as one binary. `reference` is a plain implementation of
//! SEMANTICS.md that shares no code with `src/`; the other modules hold the library to it.

mod alloc;
mod corpora;
mod count_example;
mod counts;
mod errors;
mod hostile;
mod prop;
mod queries;
mod reference;
mod reference_selftest;
mod report;
mod semantics;
mod stream;
mod support;

// Needs cargo: builds the `cluster_count` example with the `cluster` feature.
mod cluster;
