//! The one configuration struct, read from `blog-avatars.toml`.
//!
//! Strict on purpose: an unknown key is an error that names the key and the file, because a typo
//! in a CI config should fail loudly rather than silently fall back to a default. Precedence is
//! command line over file over the defaults below.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::process::OutputFormat;
use crate::resolve::gravatar::HashAlgo;
use crate::resolve::options::Rating;

/// Name of the optional config file inside the site directory.
pub const CONFIG_FILE_NAME: &str = "blog-avatars.toml";
/// Default Gravatar endpoint (a mirror such as Cravatar can be configured instead).
pub const DEFAULT_GRAVATAR_BASE: &str = "https://www.gravatar.com/avatar/";
/// Default QQ avatar endpoint.
pub const DEFAULT_QQ_BASE: &str = "https://q1.qlogo.cn/g";
/// Default Libravatar endpoint.
pub const DEFAULT_LIBRAVATAR_BASE: &str = "https://seccdn.libravatar.org/avatar/";
/// Default GitHub endpoint (`<base><user>.png`).
pub const DEFAULT_GITHUB_BASE: &str = "https://github.com/";
/// QQ's "no 640 px image" placeholder, by MD5 of its bytes.
pub const DEFAULT_QQ_PLACEHOLDER_MD5: &str = "acef72340ac0e914090bd35799f5594e";
/// Default CSS pixel sizes; each is produced at 1x and 2x.
pub const DEFAULT_SIZES: [u32; 2] = [40, 80];
/// Default encoder quality for lossy formats.
pub const DEFAULT_QUALITY: u8 = 80;
/// Default cache lifetime before revalidation: one week.
pub const DEFAULT_TTL_HOURS: u64 = 168;
/// Default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// Default per-request timeout in seconds.
pub const DEFAULT_TIMEOUT_S: u64 = 10;
/// Default number of retries after the first attempt.
pub const DEFAULT_RETRIES: u32 = 2;
/// Default cap on a downloaded body.
pub const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Default cap on following redirects.
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;
/// Largest front matter block that is parsed; bigger ones are skipped with a warning.
pub const DEFAULT_MAX_FRONT_MATTER_BYTES: u64 = 1024 * 1024;
/// Largest comment data file that is parsed; bigger ones are skipped with a warning.
pub const DEFAULT_MAX_DATA_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Largest CSS size accepted, so that the 2x file stays within Gravatar's 2048 px.
pub const MAX_CSS_SIZE: u32 = 1024;
/// Default lifetime of an unsaved upload preview of `serve`: one hour.
pub const DEFAULT_PREVIEW_TTL_MINUTES: u64 = 60;
/// Default cap on one avatar upload to `serve`: 5 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024;

/// Everything `blog-avatars.toml` can say. Every section and key is optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[site]`: layout and paths.
    pub site: SiteConfig,
    /// `[scan]`: extra field names.
    pub scan: ScanConfig,
    /// `[avatars]`: provider order, sizes, format.
    pub avatars: AvatarsConfig,
    /// `[local]`: uploaded avatars.
    pub local: LocalConfig,
    /// `[url]`: explicit avatar URLs from content.
    pub url: UrlConfig,
    /// `[gravatar]`.
    pub gravatar: GravatarConfig,
    /// `[qq]`.
    pub qq: QqConfig,
    /// `[libravatar]`.
    pub libravatar: LibravatarConfig,
    /// `[github]`.
    pub github: GithubConfig,
    /// `[http]`: network and cache.
    pub http: HttpConfig,
    /// `[serve]`: the preview server and its upload page.
    pub serve: ServeConfig,
}

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

/// A link of the provider chain.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ProviderName {
    /// Uploaded files in `[local] dir`, or an `avatar` path inside the site.
    Local,
    /// An explicit `avatar` URL from content.
    Url,
    /// Gravatar or a mirror.
    Gravatar,
    /// QQ avatars.
    Qq,
    /// Libravatar.
    Libravatar,
    /// GitHub user avatars.
    Github,
    /// The generated or configured default.
    Default,
}

impl ProviderName {
    /// The name as written in the config and the data file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Url => "url",
            Self::Gravatar => "gravatar",
            Self::Qq => "qq",
            Self::Libravatar => "libravatar",
            Self::Github => "github",
            Self::Default => "default",
        }
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[avatars]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AvatarsConfig {
    /// The chain, in order.
    pub providers: Vec<ProviderName>,
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
            providers: vec![
                ProviderName::Local,
                ProviderName::Url,
                ProviderName::Gravatar,
                ProviderName::Qq,
                ProviderName::Libravatar,
                ProviderName::Github,
                ProviderName::Default,
            ],
            default: "identicon".to_owned(),
            sizes: DEFAULT_SIZES.to_vec(),
            format: OutputFormat::default(),
            quality: DEFAULT_QUALITY,
        }
    }
}

/// `[local]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LocalConfig {
    /// Directory of uploaded avatars named `<email>.<ext>`, `<qq>.<ext>` or `<github>.<ext>`.
    pub dir: PathBuf,
}

impl Default for LocalConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("avatars"),
        }
    }
}

/// `[url]`: policy for avatar URLs found in content, which is untrusted.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UrlConfig {
    /// Allow loopback and private addresses (off: content must not reach the build machine's network).
    pub allow_private: bool,
    /// When non-empty, only these hosts (`*.example.com` patterns allowed).
    pub allow_hosts: Vec<String>,
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

impl Config {
    /// Loads the config for `site`: `explicit` if given (it must exist), else
    /// `SITE/blog-avatars.toml` if present, else the defaults.
    pub fn load(site: &Path, explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let path = site.join(CONFIG_FILE_NAME);
                if !path.is_file() {
                    return Ok(Self::default());
                }
                path
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(&text, &path)
    }

    /// Parses and validates config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|error| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: error.to_string().trim_end().to_owned(),
        })?;
        config.validate().map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(config)
    }

    /// Checks the values serde cannot: ranges, duplicates, URLs.
    pub fn validate(&self) -> Result<(), String> {
        let avatars = &self.avatars;
        if avatars.sizes.is_empty() {
            return Err("[avatars] sizes must list at least one size".into());
        }
        if let Some(bad) = avatars
            .sizes
            .iter()
            .find(|&&size| size == 0 || size > MAX_CSS_SIZE)
        {
            return Err(format!(
                "[avatars] sizes: {bad} is out of range (1 to {MAX_CSS_SIZE} CSS pixels)"
            ));
        }
        if !(1..=100).contains(&avatars.quality) {
            return Err(format!(
                "[avatars] quality: {} is out of range (1 to 100)",
                avatars.quality
            ));
        }
        if avatars.providers.is_empty() {
            return Err("[avatars] providers must name at least one provider".into());
        }
        for (index, provider) in avatars.providers.iter().enumerate() {
            if avatars.providers[..index].contains(provider) {
                return Err(format!("[avatars] providers: `{provider}` is listed twice"));
            }
        }
        if avatars.default.trim().is_empty() {
            return Err("[avatars] default must be `identicon` or a path to an image".into());
        }
        for (key, base) in [
            ("[gravatar] base_url", &self.gravatar.base_url),
            ("[qq] base_url", &self.qq.base_url),
            ("[libravatar] base_url", &self.libravatar.base_url),
            ("[github] base_url", &self.github.base_url),
        ] {
            match url::Url::parse(base) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => {}
                _ => return Err(format!("{key}: `{base}` is not an http(s) URL")),
            }
        }
        for md5 in &self.qq.placeholder_md5 {
            if md5.len() != 32 || !md5.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "[qq] placeholder_md5: `{md5}` is not 32 hex digits"
                ));
            }
        }
        let http = &self.http;
        if http.concurrency == 0 {
            return Err("[http] concurrency must be at least 1".into());
        }
        if http.per_host == Some(0) {
            return Err("[http] per_host must be at least 1".into());
        }
        if http.timeout_s == 0 {
            return Err("[http] timeout_s must be at least 1".into());
        }
        if http.max_bytes == 0 {
            return Err("[http] max_bytes must be at least 1".into());
        }
        if self.serve.preview_ttl_minutes == 0 {
            return Err("[serve] preview_ttl_minutes must be at least 1".into());
        }
        if self.serve.max_upload_bytes == 0 {
            return Err("[serve] max_upload_bytes must be at least 1".into());
        }
        Ok(())
    }

    /// The CSS sizes, sorted and without duplicates.
    pub fn css_sizes(&self) -> Vec<u32> {
        let mut sizes = self.avatars.sizes.clone();
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }

    /// The largest pixel size any output needs (the largest 2x size).
    pub fn largest_pixel_size(&self) -> u32 {
        self.css_sizes().last().copied().unwrap_or(DEFAULT_SIZES[1]) * 2
    }

    /// The cache directory for `site`.
    pub fn cache_dir(&self, site: &Path) -> PathBuf {
        match &self.http.cache_dir {
            Some(dir) if dir.is_absolute() => dir.clone(),
            Some(dir) => site.join(dir),
            None => site.join(".blog-avatars-cache"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("site/blog-avatars.toml"))
    }

    #[test]
    fn empty_file_gives_the_contract_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.avatars.sizes, vec![40, 80]);
        assert_eq!(config.avatars.providers.len(), 7);
        assert_eq!(config.avatars.providers[0], ProviderName::Local);
        assert_eq!(config.http.concurrency, 16);
        assert_eq!(config.http.ttl_hours, 168);
        assert_eq!(config.largest_pixel_size(), 160);
    }

    #[test]
    fn unknown_key_names_key_and_file() {
        let error = parse("[avatars]\nsizes = [40]\nsise = 3\n").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("sise"), "{message}");
        assert!(message.contains("site/blog-avatars.toml"), "{message}");
    }

    #[test]
    fn unknown_section_is_refused() {
        let message = parse("[gravtar]\nbase_url = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("gravtar"), "{message}");
    }

    #[test]
    fn values_out_of_range_are_refused() {
        for (text, needle) in [
            ("[avatars]\nsizes = []", "at least one size"),
            ("[avatars]\nsizes = [0]", "out of range"),
            ("[avatars]\nsizes = [2000]", "out of range"),
            ("[avatars]\nquality = 0", "quality"),
            ("[avatars]\nproviders = [\"qq\", \"qq\"]", "twice"),
            ("[avatars]\nproviders = [\"gravatr\"]", "gravatr"),
            ("[gravatar]\nbase_url = \"ftp://x/\"", "base_url"),
            ("[gravatar]\nhash = \"sha1\"", "sha1"),
            ("[qq]\nplaceholder_md5 = [\"xyz\"]", "placeholder_md5"),
            ("[http]\nconcurrency = 0", "concurrency"),
            ("[serve]\npreview_ttl_minutes = 0", "preview_ttl_minutes"),
            ("[serve]\nmax_upload = 1", "max_upload"),
        ] {
            let message = parse(text).unwrap_err().to_string();
            assert!(message.contains(needle), "{text}: {message}");
        }
    }

    #[test]
    fn a_mirror_and_sha256_are_accepted() {
        let config =
            parse("[gravatar]\nbase_url = \"https://cravatar.cn/avatar/\"\nhash = \"sha256\"\n")
                .unwrap();
        assert_eq!(config.gravatar.base_url, "https://cravatar.cn/avatar/");
        assert_eq!(config.gravatar.hash, HashAlgo::Sha256);
    }

    #[test]
    fn committed_example_parses_and_differs_from_nothing_unexpected() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("blog-avatars.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let config = Config::parse(&text, &path).unwrap();
        // The example spells out the defaults, so parsing it must give them back.
        let mut expected = Config::default();
        expected.gravatar.rating = Some(Rating::G);
        expected.http.cache_dir = Some(PathBuf::from(".blog-avatars-cache"));
        expected.site.title = Some("My blog".into());
        assert_eq!(config.avatars, expected.avatars);
        assert_eq!(config.http, expected.http);
        assert_eq!(config.gravatar, expected.gravatar);
        assert_eq!(config.qq, expected.qq);
        assert_eq!(config.serve, expected.serve);
        // Every section of the struct appears in the example, uncommented or as a comment.
        for section in [
            "[site]",
            "[scan]",
            "[avatars]",
            "[local]",
            "[url]",
            "[gravatar]",
            "[qq]",
            "[libravatar]",
            "[github]",
            "[http]",
            "[serve]",
        ] {
            assert!(text.contains(section), "example lacks {section}");
        }
    }
}
