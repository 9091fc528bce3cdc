//! Locally generated identicons: the `default` provider's image for identities with no avatar.
//!
//! A 5×5 grid mirrored left to right, one colour on a light grey background, with a margin, in
//! the manner of GitHub's identicons. Pattern and colour come from SHA-256 of a fixed
//! domain-separation prefix plus the seed, so the image reveals nothing about the seed (an
//! email hash or QQ number) beyond what any hash would, and the same seed always gives the same
//! bytes.

use image::{Rgb, RgbImage};
use sha2::{Digest, Sha256};

/// Prefix hashed before the seed, so these digests match no other use of the seed's hash.
const DOMAIN: &[u8] = b"blog-avatars identicon v1\0";
/// Cells per side.
const GRID: u32 = 5;
/// Background colour (GitHub's identicon grey).
const BACKGROUND: Rgb<u8> = Rgb([240, 240, 240]);
/// Fixed saturation and lightness: every hue then reads well on the grey background.
const SATURATION: f32 = 0.6;
const LIGHTNESS: f32 = 0.5;
/// Largest image generated; bigger requests are clamped (avatars are at most a few hundred px).
pub const MAX_PX: u32 = 4096;

/// The identicon for `seed` at `px` as a source image drawn only when used: its key (the
/// rendered cache's) is the SHA-256 of what it is drawn from, so a warm build that rendered it
/// before draws nothing.
pub fn source(seed: &str, px: u32) -> crate::fetch::Body {
    let px = px.clamp(1, MAX_PX);
    // Not a digest of the seed alone (that is what the picture is drawn from): the key names
    // this drawing, its size and this module's version of the drawing.
    let key: [u8; 32] = Sha256::new()
        .chain_update(b"blog-avatars identicon source v1\0")
        .chain_update(px.to_be_bytes())
        .chain_update(seed.as_bytes())
        .finalize()
        .into();
    let seed = seed.to_owned();
    crate::fetch::Body::generated(key, move || identicon(&seed, px))
}

/// A PNG identicon of `px`×`px` pixels (clamped to 1–[`MAX_PX`]) for `seed`: [`identicon`]
/// encoded.
pub fn identicon_png(seed: &str, px: u32) -> Vec<u8> {
    source(seed, px).to_vec()
}

/// The identicon of `px`×`px` pixels (clamped to 1–[`MAX_PX`]) for `seed`.
pub fn identicon(seed: &str, px: u32) -> RgbImage {
    let px = px.clamp(1, MAX_PX);
    let digest = Sha256::new()
        .chain_update(DOMAIN)
        .chain_update(seed.as_bytes())
        .finalize();
    let cells = pattern(&digest);
    let hue = f32::from(u16::from_be_bytes([digest[30], digest[31]]) % 360);
    let colour = hsl_to_rgb(hue, SATURATION, LIGHTNESS);

    // GitHub's proportions: a 35 px margin around 5 cells of 70 px, i.e. a twelfth of the side.
    let margin = px / 12;
    let inner = px - 2 * margin;
    RgbImage::from_fn(px, px, |x, y| {
        // Mirror the right half onto the left so the two sides are pixel-identical.
        let x = x.min(px - 1 - x);
        if x < margin || y < margin || y >= margin + inner {
            return BACKGROUND;
        }
        let col = (x - margin) * GRID / inner;
        let row = (y - margin) * GRID / inner;
        if cells[(row * 3 + col) as usize] {
            colour
        } else {
            BACKGROUND
        }
    })
}

/// The 15 cells of the left three columns (row-major, 3 per row). The first 15-bit chunk of the
/// digest with 4 to 11 cells set is used, so no identicon is (nearly) empty or (nearly) solid.
fn pattern(digest: &[u8]) -> [bool; 15] {
    let bit = |i: usize| digest[i / 8] >> (7 - i % 8) & 1 == 1;
    // Bytes 30–31 hold the hue: chunks stay within the first 240 bits.
    let chunks = (0..16).map(|c| std::array::from_fn(|i| bit(c * 15 + i)));
    let mut first = None;
    for cells in chunks {
        let set = cells.iter().filter(|b| **b).count();
        if (4..=11).contains(&set) {
            return cells;
        }
        first.get_or_insert(cells);
    }
    first.unwrap_or([true; 15])
}

/// HSL (hue in degrees, saturation and lightness in 0–1) to 8-bit RGB.
fn hsl_to_rgb(hue: f32, saturation: f32, lightness: f32) -> Rgb<u8> {
    let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let h = hue / 60.0;
    let x = chroma * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = lightness - chroma / 2.0;
    let channel = |v: f32| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb([channel(r), channel(g), channel(b)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png: &[u8]) -> RgbImage {
        image::load_from_memory_with_format(png, image::ImageFormat::Png)
            .unwrap()
            .to_rgb8()
    }

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(
            identicon_png("ada@example.org", 80),
            identicon_png("ada@example.org", 80)
        );
    }

    #[test]
    fn dimensions_follow_the_request() {
        for px in [1, 7, 40, 80, 97, 160, 420] {
            let img = decode(&identicon_png("seed", px));
            assert_eq!(img.dimensions(), (px, px), "{px}");
        }
        assert_eq!(decode(&identicon_png("seed", 0)).dimensions(), (1, 1));
    }

    #[test]
    fn different_seeds_give_different_images() {
        let seeds = [
            "a",
            "b",
            "ada@example.org",
            "12345678",
            "octocat",
            "0bc83cb571cd1c50",
        ];
        let images: Vec<RgbImage> = seeds
            .iter()
            .map(|s| decode(&identicon_png(s, 60)))
            .collect();
        for i in 0..images.len() {
            for j in i + 1..images.len() {
                assert_ne!(images[i], images[j], "{} vs {}", seeds[i], seeds[j]);
            }
        }
    }

    #[test]
    fn symmetric_with_a_margin_and_two_colours() {
        for seed in ["x", "y", "z", "w"] {
            let img = decode(&identicon_png(seed, 97));
            let (w, h) = img.dimensions();
            for y in 0..h {
                for x in 0..w {
                    assert_eq!(
                        img.get_pixel(x, y),
                        img.get_pixel(w - 1 - x, y),
                        "{seed} {x},{y}"
                    );
                }
            }
            for i in 0..w {
                for (x, y) in [(i, 0), (0, i), (i, h - 1), (w - 1, i)] {
                    assert_eq!(*img.get_pixel(x, y), BACKGROUND, "{seed} edge {x},{y}");
                }
            }
            let mut colours: Vec<_> = img.pixels().copied().collect();
            colours.sort_by_key(|p| p.0);
            colours.dedup();
            assert_eq!(colours.len(), 2, "{seed}: background and one colour");
        }
    }

    #[test]
    fn the_seed_is_not_in_the_png() {
        let seed = "someone.unique@example.org";
        let png = identicon_png(seed, 40);
        assert!(!png.windows(seed.len()).any(|w| w == seed.as_bytes()));
    }

    #[test]
    fn pattern_is_never_empty_or_solid() {
        for n in 0..200 {
            let digest = Sha256::digest(format!("seed {n}"));
            let set = pattern(&digest).iter().filter(|&&b| b).count();
            assert!((4..=11).contains(&set), "seed {n}: {set} cells");
        }
    }

    #[test]
    fn hsl_conversion() {
        assert_eq!(hsl_to_rgb(0.0, 1.0, 0.5), Rgb([255, 0, 0]));
        assert_eq!(hsl_to_rgb(120.0, 1.0, 0.5), Rgb([0, 255, 0]));
        assert_eq!(hsl_to_rgb(240.0, 1.0, 0.5), Rgb([0, 0, 255]));
        assert_eq!(hsl_to_rgb(200.0, 0.0, 0.5), Rgb([128, 128, 128]));
    }
}
