//! One integration test binary: each module covers a feature through the real `blog-avatars`
//! binary, on fixture sites copied into temporary directories.

mod avatar_server;
mod build;
mod cache;
#[cfg(unix)] // SIGKILL and exit signals
mod crash;
mod faults;
mod fuzz_replay;
mod generators;
#[cfg(unix)] // symlinks
mod hostile;
mod hugo_rewrite;
mod privacy;
mod rewrite;
mod scan;
mod scan_warnings;
#[cfg(feature = "serve")]
mod serve;
mod support;
mod theme_identities;
mod url;
