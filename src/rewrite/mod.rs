//! Rewrite: replacing avatar URLs in already built HTML (any generator's output) with the local
//! files this tool published.
//!
//! `blog-avatars rewrite DIR` runs in two passes around the provider chain:
//!
//! 1. [`html_files`] lists the pages, [`collect_dir`] reads them in parallel and returns every
//!    distinct avatar URL ([`AvatarRef`]: whose avatar, at what pixel size);
//! 2. the caller resolves each distinct [`AvatarRef::identity`] once through the configured
//!    chain, publishes the files into `DIR/avatars/`, and answers lookups with [`pick`], which
//!    chooses the published file that covers the size the page asked for;
//! 3. [`rewrite_dir`] replaces each URL it has a file for and writes only the pages that changed.
//!
//! Recognition ([`recognize`]) keeps to the hosts and path shapes of the contract. Every byte of
//! a page outside the replaced URLs stays as it was (the `html` module explains how), and a page with no
//! avatar URL is not written at all.

mod dir;
mod html;
mod recognize;
mod size;
pub mod srcset;
mod widgets;

pub use dir::{RewriteReport, UnreplacedUrl, collect_dir, html_files, rewrite_dir};
pub use html::{PageRewrite, collect, collect_with, rewrite, rewrite_page, rewrite_page_with};
pub use recognize::{AvatarRef, AvatarTarget, GRAVATAR_HOSTS, Recognized, Recognizer, recognize};
pub use size::{DEFAULT_PX, Density, pick};

/// The signature of the function that maps an avatar used at a density to its local URL.
pub type Lookup<'a> = dyn Fn(&AvatarRef, Density) -> Option<String> + Sync + 'a;

/// Why one document cannot be processed. The directory functions turn it into a warning naming
/// the file, and leave that file untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    /// `lol_html` stopped: markup it cannot tokenise without guessing (strict mode), or a
    /// memory limit.
    #[error("cannot parse the HTML safely: {0}")]
    Html(String),
}

#[cfg(test)]
pub(crate) mod tests;
