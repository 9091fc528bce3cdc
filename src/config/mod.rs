//! The one configuration struct, read from `blog-avatars.toml`.
//!
//! Strict on purpose: an unknown key is an error that names the key and the file, because a typo
//! in a CI config should fail loudly rather than silently fall back to a default. Precedence is
//! command line over file over the defaults below.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::ConfigError;

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
    /// `[rewrite]`: extra avatar hosts `rewrite DIR` recognises.
    pub rewrite: RewriteConfig,
}

mod sections;
#[cfg(test)]
mod tests;

pub use sections::*;

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
            if !crate::model::is_hex_digest(md5, crate::model::HashAlgo::Md5) {
                return Err(format!(
                    "[qq] placeholder_md5: `{md5}` is not 32 hex digits"
                ));
            }
        }
        self.url.validate_headers()?;
        for host in &self.rewrite.gravatar_hosts {
            let bare = host.trim().trim_start_matches("*.");
            if bare.is_empty() || bare.starts_with('/') || bare.contains(char::is_whitespace) {
                return Err(format!(
                    "[rewrite] gravatar_hosts: `{host}` is not `host/path-prefix/` (e.g. `avatar.example.cn/avatar/`)"
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
