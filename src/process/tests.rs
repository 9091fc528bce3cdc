//! Rendering and the whole stage, checked by decoding what it wrote.

use image::{DynamicImage, ImageFormat, RgbaImage};

use super::*;

fn opts(format: OutputFormat) -> EncodeOptions {
    EncodeOptions {
        format,
        quality: 80,
    }
}

const FORMATS: [OutputFormat; 3] = [OutputFormat::Webp, OutputFormat::Png, OutputFormat::Jpeg];

fn square(name: &str) -> SquareImage {
    decode_square(&fixture(name), &DecodeLimits::default()).unwrap()
}

/// Decodes an output file, checking it is in the format asked for.
fn reopen(bytes: &[u8], format: OutputFormat) -> RgbaImage {
    let expected = match format {
        OutputFormat::Webp => ImageFormat::WebP,
        OutputFormat::Png => ImageFormat::Png,
        OutputFormat::Jpeg => ImageFormat::Jpeg,
    };
    assert_eq!(image::guess_format(bytes).unwrap(), expected);
    image::load_from_memory(bytes).unwrap().into_rgba8()
}

#[test]
fn outputs_have_the_requested_size_in_every_format() {
    let bytes = fixture("wide.jpg");
    for format in FORMATS {
        let sizes = [1, 17, 40, 64, 80, 160];
        let renditions = process(&bytes, &sizes, &opts(format), &DecodeLimits::default()).unwrap();
        assert_eq!(renditions.len(), sizes.len());
        for (rendition, px) in renditions.iter().zip(sizes) {
            assert_eq!(rendition.px, px);
            let out = reopen(&rendition.bytes, format);
            assert_eq!(out.dimensions(), (px, px), "{format:?}");
        }
    }
}

#[test]
fn process_skips_repeated_sizes_and_keeps_order() {
    let out = process(
        &fixture("alpha.png"),
        &[80, 40, 80, 20, 40],
        &EncodeOptions::default(),
        &DecodeLimits::default(),
    )
    .unwrap();
    assert_eq!(out.iter().map(|r| r.px).collect::<Vec<_>>(), [80, 40, 20]);
}

#[test]
fn transparency_is_kept_in_png_and_webp() {
    let image = square("alpha.png");
    for format in [OutputFormat::Png, OutputFormat::Webp] {
        let out = reopen(&render(&image, 96, &opts(format)).unwrap().bytes, format);
        assert_eq!(
            out.get_pixel(0, 0).0[3],
            0,
            "{format:?} corner must stay transparent"
        );
        let centre = out.get_pixel(48, 48).0;
        assert_eq!(centre[3], 255, "{format:?}");
        assert!(
            centre[0] > 220 && centre[1] < 40 && centre[2] < 40,
            "{format:?} {centre:?}"
        );
    }
}

#[test]
fn transparency_is_flattened_onto_white_in_jpeg() {
    let out = reopen(
        &render(&square("alpha.png"), 96, &opts(OutputFormat::Jpeg))
            .unwrap()
            .bytes,
        OutputFormat::Jpeg,
    );
    let corner = out.get_pixel(2, 2).0;
    assert!(
        corner[..3].iter().all(|&c| c > 245),
        "corner should be white: {corner:?}"
    );
    let centre = out.get_pixel(48, 48).0;
    assert!(
        centre[0] > 220 && centre[1] < 40 && centre[2] < 40,
        "{centre:?}"
    );
}

#[test]
fn resizing_does_not_darken_transparent_edges() {
    // Downscaling blends the red square's edge with transparent black; without premultiplied
    // alpha, the half-transparent edge pixels would come out dark red.
    let out = reopen(
        &render(&square("alpha.png"), 21, &opts(OutputFormat::Png))
            .unwrap()
            .bytes,
        OutputFormat::Png,
    );
    let edges: Vec<_> = out
        .pixels()
        .filter(|p| (30..220).contains(&p.0[3]))
        .collect();
    assert!(!edges.is_empty(), "expected half-transparent edge pixels");
    for p in edges {
        assert!(
            p.0[0] > 235 && p.0[1] < 20 && p.0[2] < 20,
            "dark fringe: {:?}",
            p.0
        );
    }
}

#[test]
fn output_is_byte_identical_for_identical_input() {
    let bytes = fixture("rotated.jpg");
    for format in FORMATS {
        let a = process(&bytes, &[40, 80], &opts(format), &DecodeLimits::default()).unwrap();
        let b = process(&bytes, &[40, 80], &opts(format), &DecodeLimits::default()).unwrap();
        assert_eq!(a, b, "{format:?}");
    }
    let image = square("alpha.png");
    let once = render(&image, 33, &EncodeOptions::default()).unwrap();
    assert_eq!(once, render(&image, 33, &EncodeOptions::default()).unwrap());
}

#[test]
fn quality_changes_lossy_output() {
    let image = square("rotated.jpg");
    for format in [OutputFormat::Webp, OutputFormat::Jpeg] {
        let low = render(&image, 64, &EncodeOptions { format, quality: 5 }).unwrap();
        let high = render(
            &image,
            64,
            &EncodeOptions {
                format,
                quality: 100,
            },
        )
        .unwrap();
        assert!(low.bytes.len() < high.bytes.len(), "{format:?}");
    }
}

#[test]
fn flags_upscaled_renditions() {
    let image = square("small.webp"); // 40×40
    let flags: Vec<_> = [20, 40, 41, 160]
        .iter()
        .map(|&px| {
            render(&image, px, &EncodeOptions::default())
                .unwrap()
                .upscaled
        })
        .collect();
    assert_eq!(flags, [false, false, true, true]);
}

#[test]
fn strips_all_metadata() {
    // rotated.jpg carries EXIF; the P3 PNG below carries an ICC profile.
    let icc = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let mut tagged = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut tagged);
    image::ImageEncoder::set_icc_profile(&mut encoder, icc).unwrap();
    let rgba = DynamicImage::new_rgba8(8, 8).into_bytes();
    image::ImageEncoder::write_image(encoder, &rgba, 8, 8, image::ExtendedColorType::Rgba8)
        .unwrap();
    for source in [fixture("rotated.jpg"), tagged] {
        for format in FORMATS {
            let out = process(&source, &[16], &opts(format), &DecodeLimits::default()).unwrap();
            let bytes = &out[0].bytes;
            for marker in [
                &b"Exif"[..],
                b"EXIF",
                b"ICCP",
                b"iCCP",
                b"ICC_PROFILE",
                b"XMP",
                b"tEXt",
            ] {
                assert!(
                    !bytes.windows(marker.len()).any(|w| w == marker),
                    "{format:?} output contains {}",
                    String::from_utf8_lossy(marker)
                );
            }
        }
    }
}

#[test]
fn rejects_bad_sizes_and_quality_before_decoding() {
    let html = fixture("page.html");
    let limits = DecodeLimits::default();
    let default = EncodeOptions::default();
    assert!(matches!(
        process(&html, &[40, 0], &default, &limits),
        Err(ProcessError::InvalidSize { px: 0 })
    ));
    assert!(matches!(
        process(&html, &[MAX_OUTPUT_PX + 1], &default, &limits),
        Err(ProcessError::InvalidSize { .. })
    ));
    let zero = EncodeOptions {
        quality: 0,
        ..default
    };
    assert!(matches!(
        process(&html, &[40], &zero, &limits),
        Err(ProcessError::InvalidQuality { quality: 0 })
    ));
    assert!(matches!(
        render(
            &square("alpha.png"),
            40,
            &EncodeOptions {
                quality: 101,
                ..default
            }
        ),
        Err(ProcessError::InvalidQuality { quality: 101 })
    ));
    assert!(matches!(
        process(&html, &[40], &default, &limits),
        Err(ProcessError::NotAnImage { found: "html" })
    ));
}

#[test]
fn output_format_names_and_extensions() {
    let parse = |s: &str| serde_json::from_str::<OutputFormat>(s).unwrap();
    assert_eq!(parse("\"webp\""), OutputFormat::Webp);
    assert_eq!(parse("\"png\""), OutputFormat::Png);
    assert_eq!(parse("\"jpeg\""), OutputFormat::Jpeg);
    assert_eq!(parse("\"jpg\""), OutputFormat::Jpeg);
    assert!(serde_json::from_str::<OutputFormat>("\"gif\"").is_err());
    assert_eq!(
        serde_json::to_string(&OutputFormat::Jpeg).unwrap(),
        "\"jpeg\""
    );
    let extensions = FORMATS.map(OutputFormat::extension);
    assert_eq!(extensions, ["webp", "png", "jpg"]);
}
