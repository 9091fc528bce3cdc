//! Converting pixels described by an embedded ICC profile to sRGB, with `moxcms` (the colour
//! engine the `image` crate itself uses).
//!
//! Avatars are shown by browsers that assume sRGB for untagged images, and our outputs carry no
//! profile (all metadata is stripped), so a Display P3 or Adobe RGB photo must be converted or it
//! looks washed out.

use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

/// Converts `rgba` (8-bit RGBA, alpha untouched) from the colour space described by `icc` to sRGB.
///
/// Best effort by design: an avatar with an unreadable, CMYK-only or otherwise unusable profile
/// is still a usable avatar, so such profiles are ignored and the pixels are taken as sRGB.
/// `grey_source` says the decoder produced grey pixels (expanded to R = G = B), which only a
/// grey profile describes; an RGB profile applies only to colour pixels.
/// Returns whether a conversion was applied.
pub(super) fn to_srgb(rgba: &mut [u8], icc: &[u8], grey_source: bool) -> bool {
    let Ok(profile) = ColorProfile::new_from_slice(icc) else {
        return false;
    };
    let srgb = ColorProfile::new_srgb();
    let options = TransformOptions::default();
    match profile.color_space {
        DataColorSpace::Rgb if !grey_source => {
            if is_srgb(&profile, &srgb) {
                return false;
            }
            let Ok(transform) =
                profile.create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgba, options)
            else {
                return false;
            };
            let source = rgba.to_vec();
            transform.transform(&source, rgba).is_ok()
        }
        DataColorSpace::Gray if grey_source => {
            // The image was expanded to RGBA with R = G = B = grey; feed the grey channel through
            // the profile's tone curve.
            let Ok(transform) =
                profile.create_transform_8bit(Layout::GrayAlpha, &srgb, Layout::Rgba, options)
            else {
                return false;
            };
            let grey: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[3]]).collect();
            transform.transform(&grey, rgba).is_ok()
        }
        // A CMYK profile on a JPEG the decoder already turned into RGB, or a profile that does not
        // match the pixels, cannot be applied.
        _ => false,
    }
}

/// True when an RGB profile has sRGB's primaries and tone curves, so converting would only cost
/// time. Most camera and phone photos embed exactly that.
fn is_srgb(profile: &ColorProfile, srgb: &ColorProfile) -> bool {
    const TOLERANCE: f64 = 0.002;
    let close = |a: &moxcms::Xyzd, b: &moxcms::Xyzd| {
        (a.x - b.x).abs() < TOLERANCE
            && (a.y - b.y).abs() < TOLERANCE
            && (a.z - b.z).abs() < TOLERANCE
    };
    let same_primaries = close(&profile.red_colorant, &srgb.red_colorant)
        && close(&profile.green_colorant, &srgb.green_colorant)
        && close(&profile.blue_colorant, &srgb.blue_colorant);
    if !same_primaries || profile.lut_a_to_b_perceptual.is_some() {
        return false;
    }
    // Compare the tone curves where it matters: a few sample points.
    let Ok(transform) =
        profile.create_transform_8bit(Layout::Rgb, srgb, Layout::Rgb, TransformOptions::default())
    else {
        return false;
    };
    let probe: Vec<u8> = [0u8, 16, 64, 128, 192, 240, 255]
        .iter()
        .flat_map(|&v| [v, v, v])
        .collect();
    let mut out = vec![0u8; probe.len()];
    transform.transform(&probe, &mut out).is_ok()
        && probe.iter().zip(&out).all(|(a, b)| a.abs_diff(*b) <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_p3_pixels_become_more_saturated_srgb() {
        let icc = ColorProfile::new_display_p3().encode().unwrap();
        // A muted P3 red is a more saturated colour than the same numbers in sRGB.
        let mut px = vec![200, 100, 100, 255, 128, 128, 128, 77];
        assert!(to_srgb(&mut px, &icc, false));
        assert!(px[0] > 205, "red should rise: {px:?}");
        assert!(px[1] < 100 && px[2] < 100, "green/blue should fall: {px:?}");
        assert_eq!(px[3], 255, "alpha untouched");
        // Neutral grey stays neutral.
        assert!(
            px[4].abs_diff(128) <= 1 && px[5].abs_diff(px[4]) <= 1,
            "{px:?}"
        );
        assert_eq!(px[7], 77, "alpha untouched");
    }

    #[test]
    fn srgb_and_broken_profiles_leave_pixels_alone() {
        let icc = ColorProfile::new_srgb().encode().unwrap();
        let mut px = vec![200, 100, 100, 255];
        assert!(!to_srgb(&mut px, &icc, false));
        assert_eq!(px, [200, 100, 100, 255]);
        assert!(!to_srgb(&mut px, b"not a profile at all", false));
        assert!(!to_srgb(&mut px, &icc[..icc.len() / 3], false));
        assert_eq!(px, [200, 100, 100, 255]);
    }

    #[test]
    fn a_profile_that_does_not_match_the_pixels_is_ignored() {
        // An RGB profile cannot describe grey pixels: leave them as decoded.
        let icc = ColorProfile::new_display_p3().encode().unwrap();
        let mut px = vec![90, 90, 90, 255];
        assert!(!to_srgb(&mut px, &icc, true));
        assert_eq!(px, [90, 90, 90, 255]);
    }
}
