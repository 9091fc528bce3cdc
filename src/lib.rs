//! blog-avatars: a build step for static blogs that gathers commenters' avatars once and serves
//! them from the site itself.
//!
//! ```text
//! scan → identify → resolve (provider chain) → fetch (cache) → process (image) → publish → rewrite / render
//! ```

/// Resolve stage: provider URL builders, the `url`/`profile` command logic and identicons.
pub mod resolve;
