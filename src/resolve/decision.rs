//! What the chain hands back: each provider's [`Attempt`], the [`Decision`] for one identity,
//! and the [`ImageCheck`] it asks whether a candidate image is usable.

use std::sync::Arc;

use crate::model::Provider;
use crate::model::status::{Attempt, ErrorKind};

/// A source image the chain settled on, not yet processed.
#[derive(Debug, Clone)]
pub struct SourceImage {
    /// The encoded bytes (a cached download or an identicon is read or drawn only if used).
    pub bytes: crate::fetch::Body,
    /// A refresh failed and these are the last good cached bytes.
    pub stale: Option<String>,
    /// The refresh failed because the avatar URL from content is gone (404/410): this URL. Not
    /// an error (the server answered), but the image can no longer be refreshed.
    pub gone: Option<String>,
    /// The URL the bytes were fetched from, if they were: an unusable body is handed back to
    /// the fetcher, which restores the last good one.
    pub fetched_from: Option<String>,
}

/// Why a candidate image was not used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ImageRejected {
    /// The bytes do not make an avatar (not an image, too large, damaged, ...).
    #[error(transparent)]
    Image(Arc<crate::process::ProcessError>),
    /// The image is fine, but its files could not be written.
    #[error(transparent)]
    Write(Arc<crate::error::Error>),
    /// The source could not be read back (a cached download damaged or gone since it was
    /// stored): the next build downloads it again.
    #[error("{0}")]
    Source(String),
}

impl ImageRejected {
    /// The kind of attempt error this makes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Image(_) => ErrorKind::Image,
            Self::Write(_) | Self::Source(_) => ErrorKind::File,
        }
    }
}

/// Decides whether a candidate image is usable (decodes under limits); the build processes it
/// here so that a broken image makes the chain go on to the next provider.
pub trait ImageCheck: Sync {
    /// `Err` when the bytes are not a usable image (or cannot be published).
    fn accept(&self, bytes: &crate::fetch::Body) -> Result<(), ImageRejected>;
}

/// The chain's verdict for one identity.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// The provider that won, if any (none only when `default` is not in the chain).
    pub provider: Option<Provider>,
    /// The image to publish.
    pub image: Option<SourceImage>,
    /// Every provider consulted, in order.
    pub attempts: Vec<Attempt>,
}

impl Decision {
    /// True when some provider failed with an error (what `--strict` reports), including a
    /// failed refresh that fell back to the last good cached image.
    pub fn had_error(&self) -> bool {
        self.attempts.iter().any(|a| a.status.is_error())
            || self
                .image
                .as_ref()
                .is_some_and(|i| i.stale.is_some() && i.gone.is_none())
    }
}
