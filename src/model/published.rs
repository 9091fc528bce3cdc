//! What publishing one source image produced.

use std::collections::BTreeMap;

/// Published files of one source image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Pixel size → public URL.
    pub urls: BTreeMap<u32, String>,
    /// Some size was larger than the source.
    pub upscaled: bool,
}
