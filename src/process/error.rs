//! Why an image could not be turned into avatars, worded for the blog owner who reads the report.
//!
//! The stage is pure, so these errors name no path or URL: the caller (fetch, publish) knows where
//! the bytes came from and wraps this error with it.

use std::error::Error as _;
use std::io;

use image::ImageError;

/// Why [`decode_square`](super::decode_square), [`render`](super::render) or
/// [`process`](super::process) refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// The bytes are not an image at all, whatever a `Content-Type` header claimed.
    /// `found` is a short name such as `"html"`, `"svg"`, `"json"`, `"empty"` or `"unknown"`.
    #[error("{}", not_an_image(found))]
    NotAnImage {
        /// Short name of what the bytes look like.
        found: &'static str,
    },
    /// A real image, but in a format the stage does not decode (AVIF, BMP, TIFF, ...).
    #[error("this is {format} image; only PNG, JPEG, GIF and WebP avatars are supported")]
    UnsupportedFormat {
        /// The format with its article, e.g. `"an AVIF"`.
        format: &'static str,
    },
    /// The header announces more pixels than the decode limits allow. Refused before any large
    /// allocation, so a decompression bomb costs nothing.
    #[error("the image claims to be {width}×{height} pixels, too large to decode safely")]
    TooLarge {
        /// Width from the image header.
        width: u32,
        /// Height from the image header.
        height: u32,
    },
    /// Decoding would need more memory than the whole decode budget of the process, so it
    /// could never start (refused rather than waiting forever).
    #[error(
        "the image ({width}×{height} pixels) needs {needed} bytes to decode, more than the \
         decode memory budget of {budget} bytes"
    )]
    OverBudget {
        /// Width from the image header.
        width: u32,
        /// Height from the image header.
        height: u32,
        /// Estimated peak bytes of the decode.
        needed: u64,
        /// The budget's capacity.
        budget: u64,
    },
    /// The file ends before the image data does, typically an interrupted download.
    #[error("the image file is cut short (an incomplete download?)")]
    Truncated,
    /// The file claims to be an image but its data is corrupt.
    #[error("the image is damaged and cannot be decoded: {0}")]
    Decode(String),
    /// The requested avatar size is 0 or above [`MAX_OUTPUT_PX`](super::MAX_OUTPUT_PX).
    #[error("avatar size {px} px is out of range (1 to {max} px)", max = super::MAX_OUTPUT_PX)]
    InvalidSize {
        /// The size asked for.
        px: u32,
    },
    /// The encoder quality is outside 1..=100.
    #[error("quality {quality} is out of range (1 to 100)")]
    InvalidQuality {
        /// The quality asked for.
        quality: u8,
    },
    /// The encoder failed (should not happen with valid sizes; reported rather than panicking).
    #[error("could not encode the avatar: {0}")]
    Encode(String),
}

/// The sentence a user reads for each `NotAnImage::found` name.
fn not_an_image(found: &str) -> String {
    let what = match found {
        "svg" => {
            return "this is an SVG drawing; vector images are not accepted as avatars \
                    (use PNG, JPEG, GIF or WebP)"
                .to_owned();
        }
        "html" => "an HTML page",
        "xml" => "an XML document",
        "json" => "JSON data",
        "pdf" => "a PDF document",
        "text" => "plain text",
        "empty" => "an empty file",
        _ => "data of an unknown kind",
    };
    format!("this is {what}, not an image")
}

impl ProcessError {
    /// Maps an `image` decoding error. `dimensions` are the header's, when already known, so a
    /// limit error can say how large the image claimed to be.
    pub(super) fn from_decoding(err: ImageError, dimensions: Option<(u32, u32)>) -> Self {
        if let ImageError::Limits(_) = err {
            let (width, height) = dimensions.unwrap_or((0, 0));
            return ProcessError::TooLarge { width, height };
        }
        if is_unexpected_eof(&err) {
            return ProcessError::Truncated;
        }
        ProcessError::Decode(err.to_string())
    }
}

/// True when an `UnexpectedEof` I/O error sits anywhere in the chain: decoders wrap it
/// differently, but it always means the input stopped early.
fn is_unexpected_eof(err: &ImageError) -> bool {
    if let ImageError::IoError(io) = err {
        return io.kind() == io::ErrorKind::UnexpectedEof;
    }
    let mut source = err.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::UnexpectedEof
        {
            return true;
        }
        source = cause.source();
    }
    false
}
