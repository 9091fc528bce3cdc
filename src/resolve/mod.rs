//! Resolve: for each identity, the provider URLs to try and the locally generated fallback.
//!
//! One file per provider builds that provider's URLs (pure functions, no network I/O);
//! [`lookup`](crate::resolve::lookup) is the logic of the `url` and `profile` commands and
//! [`identicon`](crate::resolve::identicon) draws the `default` provider's image.

pub mod chain;
pub mod decision;
pub mod github;
pub mod gravatar;
pub mod identicon;
pub mod libravatar;
pub mod local;
pub mod lookup;
pub mod options;
pub mod qq;
