//! Which published file replaces an avatar URL: the smallest one that is at least as large as
//! the pixel size the page asked the service for.

use std::collections::BTreeMap;

use crate::publish::SizeUrls;

/// Gravatar's size when a URL names none (Libravatar and GitHub answer similarly); the page was
/// built around that picture, so it is what the local file must cover.
pub const DEFAULT_PX: u32 = 80;

/// The pixel density an avatar URL is used at: `src` and `1x` (or `w`) srcset candidates are
/// [`Density::X1`], candidates above `1x` are [`Density::X2`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Density {
    /// Shown at its CSS size.
    X1,
    /// A high-density candidate.
    X2,
}

impl Density {
    /// The density of a srcset `x` descriptor value (`1`, `1.5`, `2`, ...).
    pub fn from_x(x: f64) -> Self {
        if x > 1.0 { Self::X2 } else { Self::X1 }
    }
}

/// The URL of the file that replaces an avatar of `px` pixels (`None`: [`DEFAULT_PX`]): among
/// every configured CSS size's 1x file (CSS size pixels) and 2x file (twice that), the smallest
/// one covering `px`; on a tie, the file of the requested density (`s=80` with sizes 40 and 80
/// is the 80 1x file in a `src`, the 40 2x file in a `2x` candidate). When nothing is large
/// enough, the largest file. `None` only when `sizes` has no numeric key.
pub fn pick(sizes: &BTreeMap<String, SizeUrls>, px: Option<u32>, density: Density) -> Option<&str> {
    let wanted = px.unwrap_or(DEFAULT_PX);
    // (pixels, tie rank, url): a lower rank wins a tie.
    let mut files: Vec<(u64, u8, &str)> = Vec::with_capacity(sizes.len() * 2);
    for (css, urls) in sizes {
        let Ok(css) = css.trim().parse::<u64>() else {
            continue;
        };
        let (rank_1x, rank_2x) = match density {
            Density::X1 => (0, 1),
            Density::X2 => (1, 0),
        };
        files.push((css, rank_1x, urls.x1.as_str()));
        files.push((css * 2, rank_2x, urls.x2.as_str()));
    }
    files.sort_unstable();
    files
        .iter()
        .find(|(pixels, _, _)| *pixels >= u64::from(wanted))
        // The largest CSS size's 2x file is always the single largest file.
        .or_else(|| files.last())
        .map(|(_, _, url)| *url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(css: &[u32]) -> BTreeMap<String, SizeUrls> {
        css.iter()
            .map(|c| {
                let urls = SizeUrls {
                    x1: format!("/avatars/{c}-1x.webp"),
                    x2: format!("/avatars/{c}-2x.webp"),
                };
                (c.to_string(), urls)
            })
            .collect()
    }

    #[test]
    fn smallest_file_covering_the_request() {
        let s = sizes(&[40, 80]);
        let one = |px, density| pick(&s, px, density).unwrap();
        assert_eq!(one(Some(80), Density::X1), "/avatars/80-1x.webp");
        assert_eq!(one(Some(160), Density::X1), "/avatars/80-2x.webp");
        assert_eq!(one(None, Density::X1), "/avatars/80-1x.webp");
        assert_eq!(one(Some(40), Density::X1), "/avatars/40-1x.webp");
        assert_eq!(one(Some(20), Density::X1), "/avatars/40-1x.webp");
        assert_eq!(one(Some(41), Density::X1), "/avatars/80-1x.webp");
        assert_eq!(one(Some(41), Density::X2), "/avatars/40-2x.webp");
        assert_eq!(one(Some(100), Density::X1), "/avatars/80-2x.webp");
        // Nothing large enough: the largest file, whatever the density.
        assert_eq!(one(Some(640), Density::X1), "/avatars/80-2x.webp");
        assert_eq!(one(Some(640), Density::X2), "/avatars/80-2x.webp");
    }

    #[test]
    fn a_2x_candidate_gets_the_2x_file_of_half_its_pixels() {
        let s = sizes(&[40, 80]);
        assert_eq!(pick(&s, Some(80), Density::X2), Some("/avatars/40-2x.webp"));
        assert_eq!(
            pick(&s, Some(160), Density::X2),
            Some("/avatars/80-2x.webp")
        );
        assert_eq!(pick(&s, None, Density::X2), Some("/avatars/40-2x.webp"));
    }

    #[test]
    fn sizes_compare_as_numbers_not_strings() {
        // "100" sorts before "40" as a string.
        let s = sizes(&[40, 100]);
        assert_eq!(pick(&s, Some(40), Density::X1), Some("/avatars/40-1x.webp"));
        assert_eq!(
            pick(&s, Some(90), Density::X1),
            Some("/avatars/100-1x.webp")
        );
        assert_eq!(
            pick(&s, Some(200), Density::X1),
            Some("/avatars/100-2x.webp")
        );
    }

    #[test]
    fn no_usable_sizes() {
        assert_eq!(pick(&BTreeMap::new(), Some(40), Density::X1), None);
        let mut odd = sizes(&[]);
        odd.insert(
            "large".into(),
            SizeUrls {
                x1: "a".into(),
                x2: "b".into(),
            },
        );
        assert_eq!(pick(&odd, Some(40), Density::X1), None);
    }

    #[test]
    fn density_of_x_descriptors() {
        assert_eq!(Density::from_x(1.0), Density::X1);
        assert_eq!(Density::from_x(0.5), Density::X1);
        assert_eq!(Density::from_x(1.5), Density::X2);
        assert_eq!(Density::from_x(3.0), Density::X2);
    }
}
