//! One integration test binary: each module covers a feature through the real `blog-avatars`
//! binary, on fixture sites copied into temporary directories.

mod avatar_server;
mod build;
mod cache;
mod crash;
mod faults;
mod fuzz_replay;
mod hostile;
mod privacy;
mod scan;
mod support;
mod url;
