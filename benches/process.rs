//! Speed of the image stage on a typical avatar: a 512 px JPEG in, 40/80/160 px lossy WebP out.
//! Target: at most 6 ms per avatar on one core.
//!
//! `cargo bench --bench process` (set `BENCH_ITERS` to change the 200 iterations). Plain
//! `std::time` timing: the figure that matters is the mean, printed per stage.

use std::hint::black_box;
use std::time::{Duration, Instant};

use blog_avatars::model::OutputFormat;
use blog_avatars::process::{DecodeLimits, EncodeOptions, decode_square, process, render};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

const SIZES: [u32; 3] = [40, 80, 160];

fn main() {
    let iterations: u32 = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let jpeg = photo_like_jpeg(512);
    let limits = DecodeLimits::default();
    println!(
        "input: 512x512 JPEG, {} KB; sizes {SIZES:?}; {iterations} iterations",
        jpeg.len() / 1024
    );

    for format in [OutputFormat::Webp, OutputFormat::Png, OutputFormat::Jpeg] {
        let options = EncodeOptions {
            format,
            quality: 80,
        };
        let total = time(iterations, || {
            black_box(process(black_box(&jpeg), &SIZES, &options, &limits).unwrap());
        });
        println!(
            "process, {:<5} {:>7.3} ms per avatar",
            format.extension(),
            ms(total)
        );
    }

    // Where the WebP time goes.
    let decode = time(iterations, || {
        black_box(decode_square(black_box(&jpeg), &limits).unwrap());
    });
    println!("  decode + crop        {:>7.3} ms", ms(decode));
    let square = decode_square(&jpeg, &limits).unwrap();
    let options = EncodeOptions::default();
    for px in SIZES {
        let one = time(iterations, || {
            black_box(render(black_box(&square), px, &options).unwrap());
        });
        println!("  render {px:>3} px webp  {:>7.3} ms", ms(one));
    }
}

/// Mean time of one call over `iterations`, after a short warm-up.
fn time(iterations: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..iterations.min(10) {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed() / iterations.max(1)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A deterministic 512 px "photo": smooth shapes plus sensor-like noise, so the JPEG has as many
/// non-zero coefficients as a real portrait (a flat test card would decode unrealistically fast).
fn photo_like_jpeg(side: u32) -> Vec<u8> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 41) as f32 - 20.0
    };
    let image = RgbImage::from_fn(side, side, |x, y| {
        let (fx, fy) = (x as f32 / side as f32, y as f32 / side as f32);
        let face = ((fx - 0.5).powi(2) + (fy - 0.45).powi(2)).sqrt() < 0.28;
        let base = if face {
            [224.0, 172.0, 140.0]
        } else {
            [60.0 + 120.0 * fy, 90.0 + 60.0 * (fx * 9.0).sin(), 140.0]
        };
        image::Rgb(base.map(|c| (c + noise()).clamp(0.0, 255.0) as u8))
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(image.as_raw(), side, side, ExtendedColorType::Rgb8)
        .unwrap();
    out
}
