//! GitHub avatars: `<base>/<user>.png?size=N`, which redirects to avatars.githubusercontent.com.

/// Default base URL (`[github] base_url`).
pub const DEFAULT_BASE_URL: &str = "https://github.com/";

/// `<base_url>/<login>.png`, with `?size=N` when a size is given; `base_url` may end with a
/// slash or not.
pub fn avatar_url(base_url: &str, login: &str, size: Option<u32>) -> String {
    let mut url = format!("{}/{login}.png", base_url.trim_end_matches('/'));
    if let Some(size) = size {
        url.push_str(&format!("?size={size}"));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_and_without_a_trailing_slash() {
        assert_eq!(
            avatar_url(DEFAULT_BASE_URL, "octocat", Some(80)),
            "https://github.com/octocat.png?size=80"
        );
        assert_eq!(
            avatar_url("http://127.0.0.1:8000", "octocat", Some(160)),
            "http://127.0.0.1:8000/octocat.png?size=160"
        );
        assert_eq!(
            avatar_url(DEFAULT_BASE_URL, "octocat", None),
            "https://github.com/octocat.png"
        );
    }
}
