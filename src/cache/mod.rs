//! The cache: everything a build keeps between runs, and the `cache` commands.
//!
//! - [`downloads`]: the persistent download cache (`index.json` plus content-addressed blobs),
//!   shared by concurrent builds;
//! - `index`: its on-disk format;
//! - [`rendered`]: resized avatars kept by source and settings, so an unchanged image is never
//!   decoded again;
//! - [`manifest`]: size and modification time of the published avatar files a build checked,
//!   so the next one re-hashes only what changed;
//! - `sweep`: the build lock and the removal of what killed builds left;
//! - [`command`]: `cache stats` and `cache clean`.
//!
//! Every file the crate writes goes through [`crate::files::write_atomic`].

pub mod command;
pub mod downloads;
mod error;
pub(crate) mod index;
pub mod manifest;
pub mod rendered;
mod stamp;
pub(crate) mod sweep;

pub use downloads::{Cache, CacheStats, CleanReport};
pub use error::{CacheError, CacheWarning};
pub use index::LastRun;
