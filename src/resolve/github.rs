//! GitHub avatars: `<base>/<user>.png?size=N`, which redirects to avatars.githubusercontent.com.

/// Default base URL (`[github] base_url`).
pub const DEFAULT_BASE_URL: &str = "https://github.com/";
/// Longest GitHub user name.
pub const MAX_LOGIN_LEN: usize = 39;

/// Whether `s` follows GitHub's rules for user names: 1–39 ASCII letters, digits and single
/// hyphens, neither starting nor ending with a hyphen.
pub fn is_valid_login(s: &str) -> bool {
    (1..=MAX_LOGIN_LEN).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

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
    fn logins() {
        let longest = "a".repeat(39);
        for ok in ["octocat", "a", "A-b-C", "user123", "0", longest.as_str()] {
            assert!(is_valid_login(ok), "{ok}");
        }
        let too_long = "a".repeat(40);
        for bad in [
            "",
            "-octo",
            "octo-",
            "oc--to",
            "octo_cat",
            "octo.cat",
            "octo cat",
            "@octocat",
            "ada@example.org",
            "octocät",
            too_long.as_str(),
        ] {
            assert!(!is_valid_login(bad), "{bad}");
        }
    }

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
