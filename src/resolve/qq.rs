//! QQ avatars from qlogo: `<base_url>?b=qq&nk=<qq>&s=<size>`.
//!
//! qlogo serves only a few sizes (any other `s` is answered with HTTP 400), and for accounts
//! without a 640 px image it answers 640 with a fixed placeholder picture instead of a 404: the
//! chain compares the body's MD5 with the configured placeholder list and falls back to 140.

use crate::fetch::Body;

/// Default base URL (`[qq] base_url`).
pub const DEFAULT_BASE_URL: &str = "https://q1.qlogo.cn/g";
/// The sizes qlogo serves, ascending.
pub const SIZES: [u32; 4] = [40, 100, 140, 640];
/// MD5 of the picture qlogo sends for `s=640` when the account has no 640 px image.
pub const DEFAULT_PLACEHOLDER_MD5: &str = "acef72340ac0e914090bd35799f5594e";

/// The smallest qlogo size covering `needed_px`; 640 for anything larger than 140.
pub fn qq_size_for(needed_px: u32) -> u32 {
    SIZES.into_iter().find(|&s| s >= needed_px).unwrap_or(640)
}

/// The next smaller size to try when `size` is missing or a placeholder:
/// 640 → 140 → 100 → none.
pub fn fallback_size(size: u32) -> Option<u32> {
    match size {
        640 => Some(140),
        140 => Some(100),
        _ => None,
    }
}

/// `<base_url>?b=qq&nk=<qq>&s=<size>`; `size` should come from [`qq_size_for`] or
/// [`fallback_size`]. A base that already has a query string gets the parameters appended.
pub fn avatar_url(base_url: &str, qq: &str, size: u32) -> String {
    let separator = if base_url.contains('?') { '&' } else { '?' };
    format!("{base_url}{separator}b=qq&nk={qq}&s={size}")
}

/// Whether `body` is one of the placeholder pictures, by MD5 (the list's case and surrounding
/// spaces do not matter). A cached download's MD5 was recorded when it was stored, so a warm
/// build reads no picture to answer this.
pub fn is_placeholder(body: &Body, placeholder_md5s: &[String]) -> bool {
    let digest = hex::encode(body.md5());
    placeholder_md5s
        .iter()
        .any(|m| m.trim().eq_ignore_ascii_case(&digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_choice_covers_the_need() {
        let cases = [
            (1, 40),
            (40, 40),
            (41, 100),
            (80, 100),
            (100, 100),
            (101, 140),
        ];
        for (needed, size) in cases {
            assert_eq!(qq_size_for(needed), size, "{needed}");
        }
        for needed in [141, 160, 640, 641, 4000] {
            assert_eq!(qq_size_for(needed), 640, "{needed}");
        }
        // 48 would be answered with HTTP 400: never produced.
        assert!((0..5000).all(|n| SIZES.contains(&qq_size_for(n))));
    }

    #[test]
    fn fallback_chain() {
        assert_eq!(fallback_size(640), Some(140));
        assert_eq!(fallback_size(140), Some(100));
        assert_eq!(fallback_size(100), None);
        assert_eq!(fallback_size(40), None);
    }

    #[test]
    fn urls() {
        assert_eq!(
            avatar_url(DEFAULT_BASE_URL, "12345678", 100),
            "https://q1.qlogo.cn/g?b=qq&nk=12345678&s=100"
        );
        assert_eq!(
            avatar_url("http://127.0.0.1:9000/qq?token=t", "12345", 640),
            "http://127.0.0.1:9000/qq?token=t&b=qq&nk=12345&s=640"
        );
    }

    #[test]
    fn placeholder_detection_by_md5() {
        use md5::{Digest, Md5};
        let bytes = b"not really a png";
        let md5 = hex::encode(Md5::digest(bytes));
        let body = &Body::from(bytes.to_vec());
        assert!(is_placeholder(
            body,
            &[DEFAULT_PLACEHOLDER_MD5.into(), md5.to_uppercase()]
        ));
        assert!(!is_placeholder(body, &[DEFAULT_PLACEHOLDER_MD5.into()]));
        assert!(!is_placeholder(body, &[]));
    }
}
