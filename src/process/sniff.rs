//! Recognising what a download really is from its first bytes.
//!
//! Servers lie: a Gravatar mirror may answer an HTML error page with `200 OK`, a comment's avatar
//! URL may point at an SVG (which can carry scripts). Only the magic bytes decide.

use super::ProcessError;

/// An image format the stage decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// Portable Network Graphics.
    Png,
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// GIF (animated ones contribute their first frame).
    Gif,
    /// WebP, lossy or lossless (animated ones contribute their first frame).
    Webp,
}

impl SourceFormat {
    /// The `image` crate's name for this format.
    pub(super) fn image_format(self) -> image::ImageFormat {
        match self {
            SourceFormat::Png => image::ImageFormat::Png,
            SourceFormat::Jpeg => image::ImageFormat::Jpeg,
            SourceFormat::Gif => image::ImageFormat::Gif,
            SourceFormat::Webp => image::ImageFormat::WebP,
        }
    }
}

/// Identifies a decodable image by its magic bytes only; `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(SourceFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(SourceFormat::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(SourceFormat::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(SourceFormat::Webp)
    } else {
        None
    }
}

/// The error for bytes [`sniff`] rejected, naming what they appear to be.
pub(super) fn refusal(bytes: &[u8]) -> ProcessError {
    if let Some(format) = other_image_format(bytes) {
        return ProcessError::UnsupportedFormat { format };
    }
    ProcessError::NotAnImage {
        found: non_image_kind(bytes),
    }
}

/// Image formats we recognise but do not decode, with the article the message needs.
fn other_image_format(bytes: &[u8]) -> Option<&'static str> {
    let ftyp_brand = (bytes.len() >= 12 && &bytes[4..8] == b"ftyp").then(|| &bytes[8..12]);
    match ftyp_brand {
        Some(b"avif" | b"avis") => return Some("an AVIF"),
        Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc") => return Some("a HEIC"),
        _ => {}
    }
    if bytes.starts_with(b"BM") && bytes.len() >= 14 {
        Some("a BMP")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("a TIFF")
    } else if bytes.starts_with(&[0, 0, 1, 0]) && bytes.len() >= 6 {
        Some("an ICO")
    } else if bytes.starts_with(&[0xFF, 0x0A]) || bytes.starts_with(b"\0\0\0\x0cJXL ") {
        Some("a JPEG XL")
    } else {
        None
    }
}

/// A short name for non-image bytes; see `ProcessError::NotAnImage`.
fn non_image_kind(bytes: &[u8]) -> &'static str {
    if bytes.is_empty() {
        return "empty";
    }
    if bytes.starts_with(b"%PDF-") {
        return "pdf";
    }
    let text = leading_text(bytes);
    let lower = text.to_ascii_lowercase();
    if lower.starts_with('<') {
        // Markup: look at the first tags, past any XML declaration, doctype or comment.
        if lower.contains("<svg") {
            return "svg";
        }
        if lower.starts_with("<!doctype html")
            || ["<html", "<head", "<body", "<meta", "<title", "<script"]
                .iter()
                .any(|tag| lower.contains(tag))
        {
            return "html";
        }
        return "xml";
    }
    if lower.starts_with('{') || lower.starts_with('[') {
        return "json";
    }
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        return "text";
    }
    "unknown"
}

/// Up to 1 KiB of the input as text, without a UTF-8 BOM and leading whitespace; empty when the
/// bytes are not UTF-8 (a valid prefix cut mid-character still counts).
fn leading_text(bytes: &[u8]) -> &str {
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => "",
    };
    text.trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::fixture;

    #[test]
    fn sniffs_each_supported_format_from_real_files() {
        assert_eq!(sniff(&fixture("alpha.png")), Some(SourceFormat::Png));
        assert_eq!(sniff(&fixture("wide.jpg")), Some(SourceFormat::Jpeg));
        assert_eq!(sniff(&fixture("animated.gif")), Some(SourceFormat::Gif));
        assert_eq!(sniff(&fixture("small.webp")), Some(SourceFormat::Webp));
        assert_eq!(sniff(b"GIF87a\x01\0\x01\0"), Some(SourceFormat::Gif));
    }

    #[test]
    fn refuses_markup_by_name() {
        assert_eq!(sniff(&fixture("drawing.svg")), None);
        assert_eq!(non_image_kind(&fixture("drawing.svg")), "svg");
        assert_eq!(non_image_kind(&fixture("page.html")), "html");
        assert_eq!(
            non_image_kind(b"\xEF\xBB\xBF  <svg viewBox='0 0 1 1'/>"),
            "svg"
        );
        assert_eq!(non_image_kind(b"<HTML><BODY>hi</BODY></HTML>"), "html");
        assert_eq!(non_image_kind(b"<?xml version='1.0'?><feed/>"), "xml");
        let err = refusal(&fixture("page.html"));
        assert_eq!(err.to_string(), "this is an HTML page, not an image");
    }

    #[test]
    fn names_other_non_images() {
        assert_eq!(non_image_kind(b""), "empty");
        assert_eq!(non_image_kind(b"%PDF-1.7\n"), "pdf");
        assert_eq!(non_image_kind(b"{\"error\":\"not found\"}"), "json");
        assert_eq!(non_image_kind(b"Not Found\n"), "text");
        assert_eq!(non_image_kind(&[0x00, 0x9F, 0x92, 0x96, 0xFF]), "unknown");
        // A WebP needs its form type, not just a RIFF header (that could be a WAV file).
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), None);
    }

    #[test]
    fn recognises_unsupported_image_formats() {
        let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1";
        assert!(matches!(
            refusal(avif),
            ProcessError::UnsupportedFormat { format: "an AVIF" }
        ));
        let bmp = b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0";
        assert!(matches!(
            refusal(bmp),
            ProcessError::UnsupportedFormat { format: "a BMP" }
        ));
        assert!(matches!(
            refusal(b"II*\0\x08\0\0\0"),
            ProcessError::UnsupportedFormat { format: "a TIFF" }
        ));
    }
}
