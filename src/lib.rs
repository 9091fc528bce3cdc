//! blog-avatars: a build step for static blogs that gathers commenters' avatars once and serves
//! them from the site itself.
//!
//! ```text
//! scan → identify → resolve (provider chain) → fetch (cache) → process (image) → publish → rewrite / render
//! ```

/// Guard for untrusted (content) URLs: scheme, credentials and non-public address checks.
pub mod net_guard;
/// Resolve stage: provider URL builders, the `url`/`profile` command logic and identicons.
pub mod resolve;
