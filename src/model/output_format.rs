//! The encoding of the published avatar files.

use serde::{Deserialize, Serialize};

/// The encoding of the published avatar files (`[avatars] format` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Lossy WebP via libwebp: the smallest files; every current browser shows it.
    #[default]
    Webp,
    /// Lossless PNG.
    Png,
    /// JPEG; transparency is flattened onto white.
    #[serde(alias = "jpg")]
    Jpeg,
}

impl OutputFormat {
    /// The file extension, without a dot: `"webp"`, `"png"` or `"jpg"`.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Webp => "webp",
            OutputFormat::Png => "png",
            OutputFormat::Jpeg => "jpg",
        }
    }

    /// The media type, for servers and `<source type=...>`.
    pub fn media_type(self) -> &'static str {
        match self {
            OutputFormat::Webp => "image/webp",
            OutputFormat::Png => "image/png",
            OutputFormat::Jpeg => "image/jpeg",
        }
    }
}
