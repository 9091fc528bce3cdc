//! Untrusted bytes → an upright, sRGB, centre-cropped square of RGBA pixels.
//!
//! Order matters for safety and speed: sniff, read only the header, check the dimensions and the
//! memory the decode would need, and only then decode. The square is cut before orientation and
//! colour conversion, so those run on the pixels we keep (a centred square stays centred under
//! any rotation or flip).

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, RgbaImage, metadata::Orientation};

use super::budget::{DecodeBudget, Reservation};
use super::{ProcessError, color, sniff};

/// Limits applied to untrusted images before and during decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest accepted width in pixels, as stored in the file (before EXIF rotation).
    pub max_width: u32,
    /// Largest accepted height in pixels, as stored in the file (before EXIF rotation).
    pub max_height: u32,
    /// Largest estimated peak memory for one decode, in bytes: the decoder's pixel buffer plus two
    /// RGBA copies of the square.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    /// 8192 × 8192 pixels and 256 MiB: any real avatar or phone photo, nothing pathological.
    fn default() -> Self {
        DecodeLimits {
            max_width: 8192,
            max_height: 8192,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// A decoded image, upright (EXIF orientation applied), in sRGB, centre-cropped to a square,
/// as 8-bit RGBA with straight (not premultiplied) alpha.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SquareImage {
    rgba: Vec<u8>,
    side: u32,
    source_size: (u32, u32),
    has_alpha: bool,
}

impl SquareImage {
    /// Builds a square from RGBA pixels made in memory (e.g. a generated default avatar),
    /// centre-cropping them if they are not square. Returns `None` for an empty image.
    pub fn from_rgba(image: RgbaImage) -> Option<SquareImage> {
        let source_size = image.dimensions();
        let square = crop_to_square(DynamicImage::ImageRgba8(image))?.into_rgba8();
        let has_alpha = square.pixels().any(|p| p.0[3] != u8::MAX);
        Some(SquareImage {
            side: square.width(),
            rgba: square.into_raw(),
            source_size,
            has_alpha,
        })
    }

    /// Side of the square in pixels: the smaller of the upright source's width and height.
    pub fn side(&self) -> u32 {
        self.side
    }

    /// Width and height of the upright source image before cropping.
    pub fn source_size(&self) -> (u32, u32) {
        self.source_size
    }

    /// True when some pixel is not fully opaque.
    pub fn has_alpha(&self) -> bool {
        self.has_alpha
    }

    /// The RGBA pixels, row by row, `side × side × 4` bytes.
    pub fn as_rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// The RGBA value at (`x`, `y`) of the square, or `None` outside it.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.side || y >= self.side {
            return None;
        }
        let at = (y as usize * self.side as usize + x as usize) * 4;
        self.rgba[at..at + 4].try_into().ok()
    }
}

/// Decodes an untrusted PNG, JPEG, GIF or WebP (first frame of an animation) into an upright,
/// sRGB, centre-cropped square, refusing anything else and anything over `limits` before
/// allocating for it. The decode's memory comes from the process-wide
/// [`DecodeBudget::global`]: it waits while other threads hold the budget.
pub fn decode_square(bytes: &[u8], limits: &DecodeLimits) -> Result<SquareImage, ProcessError> {
    decode_square_in(bytes, limits, DecodeBudget::global()).map(|(square, _reserved)| square)
}

/// [`decode_square`] drawing on `budget`; the reservation is returned so that the caller can
/// hold it while it still works on the square (resizing, encoding).
pub fn decode_square_in<'b>(
    bytes: &[u8],
    limits: &DecodeLimits,
    budget: &'b DecodeBudget,
) -> Result<(SquareImage, Reservation<'b>), ProcessError> {
    let format = sniff::sniff(bytes).ok_or_else(|| sniff::refusal(bytes))?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    // Width and height are checked below, so the error can say what the header claimed; until
    // then the decoder only gets the allocation cap (which covers its header parsing).
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits.clone());
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| ProcessError::from_decoding(e, None))?;

    let (width, height) = decoder.dimensions();
    let too_large = ProcessError::TooLarge { width, height };
    if width > limits.max_width || height > limits.max_height {
        return Err(too_large);
    }
    if width == 0 || height == 0 {
        return Err(ProcessError::Decode("the image has no pixels".into()));
    }
    let side = u64::from(width.min(height));
    let peak = decoder.total_bytes().saturating_add(side * side * 4 * 2);
    if peak > limits.max_alloc {
        return Err(too_large);
    }
    // Nothing large is allocated before this: the header alone told the peak.
    let reserved = budget.reserve(peak, (width, height))?;
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    decoder
        .set_limits(image_limits)
        .map_err(|e| ProcessError::from_decoding(e, Some((width, height))))?;

    // Broken metadata is not a reason to reject an otherwise good avatar.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let color = decoder.color_type();
    let image = DynamicImage::from_decoder(decoder)
        .map_err(|e| ProcessError::from_decoding(e, Some((width, height))))?;

    let square = crop_to_square(image)
        .ok_or_else(|| ProcessError::Decode("the image has no pixels".into()))?;
    let mut rgba = square.into_rgba8();
    if let Some(icc) = icc {
        let grey = matches!(color.channel_count(), 1 | 2);
        color::to_srgb(&mut rgba, &icc, grey);
    }
    let has_alpha = color.has_alpha() && rgba.pixels().any(|p| p.0[3] != u8::MAX);
    let rgba = upright(rgba, orientation);

    let source_size = match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    };
    let square = SquareImage {
        side: rgba.width(),
        rgba: rgba.into_raw(),
        source_size,
        has_alpha,
    };
    Ok((square, reserved))
}

/// The centred square of `image` (itself when already square); `None` when it has no pixels.
fn crop_to_square(image: DynamicImage) -> Option<DynamicImage> {
    let (width, height) = (image.width(), image.height());
    let side = width.min(height);
    if side == 0 {
        return None;
    }
    if width == height {
        return Some(image);
    }
    Some(image.crop_imm((width - side) / 2, (height - side) / 2, side, side))
}

/// Applies the EXIF orientation so the square is shown as the photographer saw it.
fn upright(rgba: RgbaImage, orientation: Orientation) -> RgbaImage {
    if orientation == Orientation::NoTransforms {
        return rgba;
    }
    let mut image = DynamicImage::ImageRgba8(rgba);
    image.apply_orientation(orientation);
    image.into_rgba8()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::fixture;

    fn decode(name: &str) -> Result<SquareImage, ProcessError> {
        decode_square(&fixture(name), &DecodeLimits::default())
    }

    /// Colour check with room for JPEG's rounding.
    fn near(actual: [u8; 4], expected: [u8; 3]) -> bool {
        actual[..3]
            .iter()
            .zip(expected)
            .all(|(a, e)| a.abs_diff(e) <= 12)
            && actual[3] == 255
    }

    #[test]
    fn refuses_markup_whatever_it_claims_to_be() {
        assert!(matches!(
            decode("page.html"),
            Err(ProcessError::NotAnImage { found: "html" })
        ));
        assert!(matches!(
            decode("drawing.svg"),
            Err(ProcessError::NotAnImage { found: "svg" })
        ));
    }

    #[test]
    fn refuses_decompression_bombs_from_the_header() {
        // Decoding either would need gigabytes; the test passing at all shows nothing was
        // allocated for the claimed size.
        assert!(matches!(
            decode("bomb.png"),
            Err(ProcessError::TooLarge {
                width: 100_000,
                height: 100_000
            })
        ));
        assert!(matches!(
            decode("bomb.jpg"),
            Err(ProcessError::TooLarge {
                width: 65_535,
                height: 65_535
            })
        ));
    }

    #[test]
    fn honours_custom_limits() {
        let narrow = DecodeLimits {
            max_width: 64,
            ..DecodeLimits::default()
        };
        assert!(matches!(
            decode_square(&fixture("wide.jpg"), &narrow),
            Err(ProcessError::TooLarge {
                width: 96,
                height: 64
            })
        ));
        let stingy = DecodeLimits {
            max_alloc: 10_000,
            ..DecodeLimits::default()
        };
        assert!(matches!(
            decode_square(&fixture("wide.jpg"), &stingy),
            Err(ProcessError::TooLarge {
                width: 96,
                height: 64
            })
        ));
    }

    #[test]
    fn reports_truncated_and_corrupt_files() {
        assert!(matches!(
            decode("truncated.png"),
            Err(ProcessError::Truncated)
        ));
        let mut garbage = b"\x89PNG\r\n\x1a\n".to_vec();
        garbage.extend_from_slice(&[0x5A; 64]);
        let err = decode_square(&garbage, &DecodeLimits::default()).unwrap_err();
        assert!(matches!(err, ProcessError::Decode(_)), "{err:?}");
    }

    #[test]
    fn applies_exif_orientation() {
        // Stored 64×32 red|blue with Orientation 6: upright it is 32×64, red above blue.
        let square = decode("rotated.jpg").unwrap();
        assert_eq!(square.source_size(), (32, 64));
        assert_eq!(square.side(), 32);
        assert!(
            near(square.pixel(16, 3).unwrap(), [255, 0, 0]),
            "top must be red"
        );
        assert!(
            near(square.pixel(16, 28).unwrap(), [0, 0, 255]),
            "bottom must be blue"
        );
    }

    #[test]
    fn crops_the_centre_of_non_square_sources() {
        // 96×64: blue 16 px bands left and right of a green middle.
        let square = decode("wide.jpg").unwrap();
        assert_eq!(square.source_size(), (96, 64));
        assert_eq!(square.side(), 64);
        for (x, y) in [(0, 0), (0, 63), (63, 0), (63, 63), (32, 32)] {
            assert!(
                near(square.pixel(x, y).unwrap(), [0, 255, 0]),
                "({x},{y}) not green"
            );
        }
        assert!(!square.has_alpha());
    }

    #[test]
    fn takes_the_first_frame_of_animations() {
        let gif = decode("animated.gif").unwrap();
        assert_eq!(gif.pixel(5, 5), Some([255, 0, 0, 255]));
        let webp = decode("animated.webp").unwrap();
        assert_eq!(webp.pixel(5, 5), Some([0, 255, 0, 255]));
    }

    #[test]
    fn keeps_transparency() {
        let png = decode("alpha.png").unwrap();
        assert!(png.has_alpha());
        assert_eq!(png.pixel(0, 0).unwrap()[3], 0);
        assert_eq!(png.pixel(24, 24), Some([255, 0, 0, 255]));
        let webp = decode("small.webp").unwrap();
        assert!(webp.has_alpha());
        assert_eq!(webp.pixel(20, 20), Some([255, 255, 0, 255]));
    }

    #[test]
    fn converts_embedded_icc_profiles_to_srgb() {
        let icc = moxcms::ColorProfile::new_display_p3().encode().unwrap();
        let mut bytes = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut bytes);
        image::ImageEncoder::set_icc_profile(&mut encoder, icc).unwrap();
        let pixels = [200u8, 100, 100].repeat(4);
        image::ImageEncoder::write_image(encoder, &pixels, 2, 2, image::ExtendedColorType::Rgb8)
            .unwrap();
        let [r, g, b, a] = decode_square(&bytes, &DecodeLimits::default())
            .unwrap()
            .pixel(1, 1)
            .unwrap();
        assert!(r > 205 && g < 100 && b < 100 && a == 255, "{:?}", [r, g, b]);
    }

    #[test]
    fn squares_in_memory_images() {
        let image = RgbaImage::from_fn(30, 10, |x, _| {
            image::Rgba(if (10..20).contains(&x) {
                [9, 9, 9, 255]
            } else {
                [0, 0, 0, 0]
            })
        });
        let square = SquareImage::from_rgba(image).unwrap();
        assert_eq!((square.side(), square.source_size()), (10, (30, 10)));
        assert_eq!(square.pixel(0, 0), Some([9, 9, 9, 255]));
        assert_eq!(square.pixel(10, 0), None);
        assert!(
            !square.has_alpha(),
            "only the cropped-away sides were transparent"
        );
        assert!(SquareImage::from_rgba(RgbaImage::new(0, 5)).is_none());
    }
}
