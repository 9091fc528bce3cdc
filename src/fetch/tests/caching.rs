//! The persistent cache across runs.
