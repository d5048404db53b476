//! Placeholder replaced by the redline benchmark.
fn main() {}
