//! blog-avatars: a build step for static blogs that gathers commenters' avatars once and serves
//! them from the site itself.
//!
//! ```text
//! scan → identify → resolve (provider chain) → fetch (cache) → process (image) → publish → rewrite / render
//! ```

/// The image stage: sniff, decode under limits, orient, square-crop, resize and encode avatars.
pub mod process;
