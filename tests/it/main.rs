//! One integration test binary: each module covers a feature through the real `blog-avatars`
//! binary, on fixture sites copied into temporary directories.

mod action;
mod attacks;
mod avatar_hosts;
mod avatar_server;
mod build;
mod cache;
mod check;
#[cfg(unix)] // SIGKILL and exit signals
mod crash;
mod faults;
mod fuzz_replay;
mod generators;
#[cfg(unix)] // symlinks
mod hostile;
mod hugo_rewrite;
mod init;
mod layouts;
mod layouts_generators;
mod library;
mod messages;
#[cfg(target_os = "linux")] // unshare, ip
mod netns;
mod no_proxy;
mod outcomes;
mod package;
#[cfg(feature = "serve")]
mod preview_bound;
mod privacy;
mod private_paths;
mod proxy;
mod proxy_server;
mod readme;
mod realblogs;
mod render_limits;
mod rewrite;
mod rewrite_nobody;
mod scan;
mod scan_warnings;
#[cfg(feature = "serve")]
mod serve;
mod support;
#[cfg(unix)] // symlinks
mod symlinks;
mod theme_identities;
mod time_bounds;
#[cfg(feature = "serve")]
mod upload_privacy;
mod url;
mod warm;
