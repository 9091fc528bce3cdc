//! The neutral placeholder: a grey head-and-shoulders on a light ground, drawn here so that no
//! identity the build never saw falls back to a third-party URL.

use std::io::Cursor;
use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage};

use crate::error::{Error, Result};

/// Side in pixels: sharp at 80 CSS pixels on a 2x screen.
const SIDE: u32 = 160;

/// The placeholder as PNG bytes (the same bytes every time).
pub fn png() -> Result<Vec<u8>> {
    let ground = Rgb([229, 231, 235]);
    let figure = Rgb([156, 163, 175]);
    let image = RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let (x, y) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let head = (x - 80.0).powi(2) + (y - 62.0).powi(2) <= 30.0_f64.powi(2);
        let shoulders = ((x - 80.0) / 56.0).powi(2) + ((y - 160.0) / 54.0).powi(2) <= 1.0;
        if head || shoulders { figure } else { ground }
    });
    let mut bytes = Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, ImageFormat::Png)
        .map_err(|e| Error::io(Path::new(super::PLACEHOLDER_NAME), std::io::Error::other(e)))?;
    Ok(bytes.into_inner())
}
