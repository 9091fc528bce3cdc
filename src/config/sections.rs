//! The sections of `blog-avatars.toml`, one struct each, with their defaults.

use std::path::PathBuf;

use serde::Deserialize;

use super::*;

/// Default for `[http] deadline_s`: five minutes of network for the whole build.
pub const DEFAULT_DEADLINE_S: u64 = 300;
use crate::model::{HashAlgo, OutputFormat, Provider, Rating};

/// Which static site generator the site is laid out for.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LayoutChoice {
    /// Detect from the files present.
    #[default]
    Auto,
    /// Zola.
    Zola,
    /// Hugo.
    Hugo,
    /// Jekyll.
    Jekyll,
    /// Hexo.
    Hexo,
    /// blog-avatars renders the blog itself.
    Native,
}

/// `[site]`: every path the layout implies can be overridden here (relative to the site).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Layout, or `auto`.
    pub layout: LayoutChoice,
    /// Directories whose Markdown files are posts.
    pub post_dirs: Option<Vec<PathBuf>>,
    /// Directory of comment data files.
    pub comment_dir: Option<PathBuf>,
    /// Where avatar files are written.
    pub avatar_dir: Option<PathBuf>,
    /// URL prefix under which the avatar directory is published.
    pub url_prefix: Option<String>,
    /// Where the data file for templates is written.
    pub data_file: Option<PathBuf>,
    /// Native layout: where the rendered blog goes.
    pub output_dir: Option<PathBuf>,
    /// Native layout: the site's own templates.
    pub template_dir: Option<PathBuf>,
    /// Native layout: the blog's title.
    pub title: Option<String>,
}

/// `[scan]`: field names added to the built-in ones (matched case-insensitively).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ScanConfig {
    /// Extra names of email fields.
    pub email_fields: Vec<String>,
    /// Extra names of Gravatar hash fields.
    pub hash_fields: Vec<String>,
    /// Extra names of QQ number fields.
    pub qq_fields: Vec<String>,
    /// Extra names of GitHub user name fields.
    pub github_fields: Vec<String>,
    /// Extra names of avatar URL / path fields.
    pub avatar_fields: Vec<String>,
    /// Front matter blocks larger than this are skipped with a warning.
    pub max_front_matter_bytes: u64,
    /// Comment data files larger than this are skipped with a warning.
    pub max_data_file_bytes: u64,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self {
            email_fields: Vec::new(),
            hash_fields: Vec::new(),
            qq_fields: Vec::new(),
            github_fields: Vec::new(),
            avatar_fields: Vec::new(),
            max_front_matter_bytes: DEFAULT_MAX_FRONT_MATTER_BYTES,
            max_data_file_bytes: DEFAULT_MAX_DATA_FILE_BYTES,
        }
    }
}

/// `[avatars]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AvatarsConfig {
    /// The chain, in order.
    pub providers: Vec<Provider>,
    /// `identicon`, or a path (relative to the site) of an image used for everyone.
    pub default: String,
    /// CSS pixel sizes; each gets a 1x and a 2x file.
    pub sizes: Vec<u32>,
    /// Output format.
    pub format: OutputFormat,
    /// Encoder quality, 1–100.
    pub quality: u8,
}

impl Default for AvatarsConfig {
    fn default() -> Self {
        Self {
            providers: Provider::ALL.to_vec(),
            default: "identicon".to_owned(),
            sizes: DEFAULT_SIZES.to_vec(),
            format: OutputFormat::default(),
            quality: DEFAULT_QUALITY,
        }
    }
}

/// `[local]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LocalConfig {
    /// Directory of uploaded avatars named `<email>.<ext>`, `<qq>.<ext>` or `<github>.<ext>`.
    /// Unset: `_avatars` at the site root, which no generator publishes (or the old default
    /// `avatars/` while it still holds files, with a warning).
    pub dir: Option<PathBuf>,
}

/// `[url]`: policy for avatar URLs found in content, which is untrusted.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UrlConfig {
    /// Allow loopback and private addresses (off: content must not reach the build machine's network).
    pub allow_private: bool,
    /// When non-empty, only these hosts (`*.example.com` patterns allowed).
    pub allow_hosts: Vec<String>,
    /// `[url.headers."host"]`: request headers sent to that host and its subdomains, added to
    /// (and overriding) the built-in [`DEFAULT_HOST_HEADERS`]; an empty value removes a header.
    pub headers: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

/// Request headers some avatar hosts need: Weibo's image CDN answers 403 without a Weibo
/// `Referer`.
pub const DEFAULT_HOST_HEADERS: &[(&str, &str, &str)] =
    &[("sinaimg.cn", "Referer", "https://weibo.com/")];

impl UrlConfig {
    /// The headers to send per host: the built-in ones with `[url.headers]` applied. Hosts are
    /// lower case without a trailing dot; headers with an empty value are dropped.
    pub fn host_headers(&self) -> Vec<(String, Vec<(String, String)>)> {
        let mut merged: std::collections::BTreeMap<String, Vec<(String, String)>> =
            Default::default();
        let own = self.headers.iter().flat_map(|(host, headers)| {
            headers
                .iter()
                .map(move |(name, value)| (host.as_str(), name.as_str(), value.as_str()))
        });
        for (host, name, value) in DEFAULT_HOST_HEADERS.iter().copied().chain(own) {
            let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
            let headers = merged.entry(host).or_default();
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        merged
            .into_iter()
            .map(|(host, headers)| {
                let headers = headers.into_iter().filter(|(_, v)| !v.is_empty()).collect();
                (host, headers)
            })
            .collect()
    }

    /// Checks `[url.headers]`: host names and header names and values HTTP accepts.
    pub fn validate_headers(&self) -> Result<(), String> {
        for (host, headers) in &self.headers {
            let bare = host.trim().trim_end_matches('.');
            if bare.is_empty() || bare.contains(['/', ':', '*', ' ']) {
                return Err(format!(
                    "[url.headers] `{host}` is not a host name (write `example.com`: it also matches its subdomains)"
                ));
            }
            for (name, value) in headers {
                if ureq::http::HeaderName::from_bytes(name.trim().as_bytes()).is_err() {
                    return Err(format!(
                        "[url.headers.\"{host}\"] `{name}` is not an HTTP header name"
                    ));
                }
                if ureq::http::HeaderValue::from_str(value.trim()).is_err() {
                    return Err(format!(
                        "[url.headers.\"{host}\"] {name}: the value is not a valid HTTP header value"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `[rewrite]`: what `rewrite DIR` recognises in built HTML.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RewriteConfig {
    /// More Gravatar-compatible hosts, as `host/path-prefix/` (`avatar.example.cn/avatar/`,
    /// `*.example.cn/gravatar/`; a bare host means `host/avatar/`), added to the built-in ones.
    pub gravatar_hosts: Vec<String>,
}

/// `[gravatar]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GravatarConfig {
    /// Endpoint; a mirror or a company proxy works too.
    pub base_url: String,
    /// Hash algorithm; a mirror that knows only MD5 needs `md5`.
    pub hash: HashAlgo,
    /// Highest rating to accept.
    pub rating: Option<Rating>,
}

impl Default for GravatarConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_GRAVATAR_BASE.to_owned(),
            hash: HashAlgo::Md5,
            rating: None,
        }
    }
}

/// `[qq]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct QqConfig {
    /// Endpoint.
    pub base_url: String,
    /// MD5s of placeholder images that mean "no picture at this size".
    pub placeholder_md5: Vec<String>,
}

impl Default for QqConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_QQ_BASE.to_owned(),
            placeholder_md5: vec![DEFAULT_QQ_PLACEHOLDER_MD5.to_owned()],
        }
    }
}

/// `[libravatar]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LibravatarConfig {
    /// Endpoint.
    pub base_url: String,
    /// Hash algorithm.
    pub hash: HashAlgo,
}

impl Default for LibravatarConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_LIBRAVATAR_BASE.to_owned(),
            hash: HashAlgo::Md5,
        }
    }
}

/// `[github]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GithubConfig {
    /// Endpoint (`<base><user>.png?size=N`).
    pub base_url: String,
}

impl Default for GithubConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_GITHUB_BASE.to_owned(),
        }
    }
}

/// `[http]`: downloads and the cache.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Cache directory (default `SITE/.blog-avatars-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Hours before a cached answer is revalidated.
    pub ttl_hours: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Optional limit of requests in flight to one host.
    pub per_host: Option<usize>,
    /// Per-request timeout in seconds.
    pub timeout_s: u64,
    /// Retries after the first attempt, for timeouts, 429 and 5xx.
    pub retries: u32,
    /// Largest accepted body in bytes.
    pub max_bytes: u64,
    /// Redirects followed at most.
    pub max_redirects: u32,
    /// Seconds the whole build may spend on the network; then no request starts and those on
    /// the wire are cut, and the report says what was cut short. 0: no limit.
    pub deadline_s: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            cache_dir: None,
            ttl_hours: DEFAULT_TTL_HOURS,
            concurrency: DEFAULT_CONCURRENCY,
            per_host: None,
            timeout_s: DEFAULT_TIMEOUT_S,
            retries: DEFAULT_RETRIES,
            max_bytes: DEFAULT_MAX_BYTES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            deadline_s: DEFAULT_DEADLINE_S,
        }
    }
}

/// `[serve]`: the preview server's upload page.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// Minutes an unsaved upload preview is kept before the sweeper deletes it.
    pub preview_ttl_minutes: u64,
    /// Largest accepted upload in bytes.
    pub max_upload_bytes: u64,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            preview_ttl_minutes: DEFAULT_PREVIEW_TTL_MINUTES,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
        }
    }
}
