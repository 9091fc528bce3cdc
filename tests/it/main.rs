//! One integration test binary: each module covers a feature through the real `blog-avatars`
//! binary, on fixture sites copied into temporary directories.

mod avatar_server;
mod build;
mod cache;
mod generators;
mod hugo_rewrite;
mod rewrite;
mod scan;
#[cfg(feature = "serve")]
mod serve;
mod support;
mod url;
