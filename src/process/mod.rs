//! The image stage: untrusted bytes in, square avatar files out.
//!
//! ```text
//! bytes ─ sniff ─ header & limits ─ decode (1st frame) ─ centre square ─ sRGB ─ EXIF upright
//!       ─ for each size: Lanczos3 resize ─ encode (WebP / PNG / JPEG, no metadata)
//! ```
//!
//! Pure and synchronous: no file system, no network, no global state. Callers decide where the
//! bytes come from and where the files go, and run many images in parallel on rayon; each call
//! uses one core.
use crate::model::OutputFormat;

mod budget;
mod color;
mod decode;
mod error;
mod render;
mod sniff;
#[cfg(test)]
mod tests;

pub use budget::{DEFAULT_DECODE_BUDGET, DecodeBudget, Reservation};
pub use decode::{DecodeLimits, SquareImage, decode_square, decode_square_in};
pub use error::ProcessError;
pub use render::render;
pub use sniff::{SourceFormat, sniff};

/// Largest avatar side [`render`] produces, in pixels. Far above any avatar's 2x size; it only
/// stops a mistyped size from allocating gigabytes.
pub const MAX_OUTPUT_PX: u32 = 4096;

/// How avatars are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncodeOptions {
    /// Output file format.
    pub format: OutputFormat,
    /// Lossy quality, 1..=100 (WebP and JPEG; ignored for PNG).
    pub quality: u8,
}

impl Default for EncodeOptions {
    /// Lossy WebP at quality 80, the contract's defaults (the config's).
    fn default() -> Self {
        EncodeOptions {
            format: OutputFormat::default(),
            quality: crate::config::DEFAULT_QUALITY,
        }
    }
}

/// One encoded avatar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    /// Width and height of the encoded image in pixels.
    pub px: u32,
    /// The encoded file, ready to be written.
    pub bytes: Vec<u8>,
    /// True when `px` is larger than the source square, so the avatar was enlarged (and may look
    /// soft).
    pub upscaled: bool,
}

/// Decodes `bytes` once and renders one avatar per distinct size in `pixel_sizes`, in the order
/// given (repeats are skipped). Sizes and quality are checked before any decoding. Memory comes
/// from the process-wide [`DecodeBudget::global`], held until the last size is encoded.
pub fn process(
    bytes: &[u8],
    pixel_sizes: &[u32],
    options: &EncodeOptions,
    limits: &DecodeLimits,
) -> Result<Vec<Rendition>, ProcessError> {
    process_in(bytes, pixel_sizes, options, limits, DecodeBudget::global())
}

/// [`process`] drawing on `budget`.
pub fn process_in(
    bytes: &[u8],
    pixel_sizes: &[u32],
    options: &EncodeOptions,
    limits: &DecodeLimits,
    budget: &DecodeBudget,
) -> Result<Vec<Rendition>, ProcessError> {
    let sizes = checked_sizes(pixel_sizes, options)?;
    let (image, _reserved) = decode_square_in(bytes, limits, budget)?;
    sizes
        .into_iter()
        .map(|px| render(&image, px, options))
        .collect()
}

/// [`process`] for a square made in memory (a generated identicon): nothing to decode. The
/// renditions equal those of [`process`] given the same pixels encoded losslessly. No decode
/// budget is drawn on: the caller made the pixels, so it has already paid for them.
pub fn process_square(
    image: &SquareImage,
    pixel_sizes: &[u32],
    options: &EncodeOptions,
) -> Result<Vec<Rendition>, ProcessError> {
    checked_sizes(pixel_sizes, options)?
        .into_iter()
        .map(|px| render(image, px, options))
        .collect()
}

/// The distinct sizes of `pixel_sizes` in order, after checking them and the quality (before
/// any pixel work).
fn checked_sizes(pixel_sizes: &[u32], options: &EncodeOptions) -> Result<Vec<u32>, ProcessError> {
    let mut sizes: Vec<u32> = Vec::with_capacity(pixel_sizes.len());
    for &px in pixel_sizes {
        render::check_size(px)?;
        if !sizes.contains(&px) {
            sizes.push(px);
        }
    }
    render::check_quality(options.quality)?;
    Ok(sizes)
}

/// Reads a committed test image from `fixtures/images/`.
#[cfg(test)]
fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/images")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
