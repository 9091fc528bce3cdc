//! blog-avatars: a build step for static blogs that gathers commenters' avatars once and serves
//! them from the site itself, so visitors' browsers never contact Gravatar or QQ.
//!
//! ```text
//! scan → identify → resolve (provider chain) → fetch (cache) → process (image) → publish → rewrite / render
//! ```
//!
//! - [`scan`] finds the site layout, reads front matter and comment data files, and yields raw
//!   mentions;
//! - [`identify`] validates and normalises them into identities;
//! - [`resolve`] builds provider URLs and runs the provider chain; [`net_guard`] keeps content
//!   URLs away from the build machine's own network;
//! - [`fetch`] downloads with bounded concurrency, retries, fail-fast and a persistent cache;
//! - [`process`] decodes untrusted images under limits and writes square avatars;
//! - [`publish`] writes content-addressed files and the data file;
//! - [`build`] runs the whole pipeline and holds its concurrency;
//! - [`rewrite`] points already built HTML (any generator's output) at the local files;
//! - [`config`] is the one strict configuration; [`report`] prints results;
//! - `serve` (cargo feature `serve`) previews the site, rebuilds on change and takes avatar
//!   uploads.

pub mod build;
pub mod check;
pub mod config;
pub mod error;
pub mod fetch;
pub mod identify;
pub mod init;
pub mod net_guard;
pub mod process;
pub mod publish;
/// Native layout: renders the blog (posts, comments with local avatars) with tera templates.
pub mod render;
pub mod report;
pub mod resolve;
pub mod rewrite;
pub mod scan;
/// `blog-avatars serve`: the preview server with live reload and the avatar upload page.
#[cfg(feature = "serve")]
pub mod serve;
#[doc(hidden)]
pub mod testkit;

use std::path::Path;

pub use config::Config;
pub use error::{Error, Result};
pub use scan::{ScanResult, SiteLayout};

/// Loads the config for `site` (or `config_path`) and detects the site layout by each
/// generator's own rules (see [`scan::layout`]). A folder with no site, an ambiguous one, or
/// outputs inside the generator's publish folder is an error with exit code 2.
pub fn open_site(site: &Path, config_path: Option<&Path>) -> Result<(Config, SiteLayout)> {
    let metadata = std::fs::metadata(site).map_err(|e| Error::io(site, e))?;
    if !metadata.is_dir() {
        return Err(Error::io(
            site,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    let config = Config::load(site, config_path)?;
    // By the generator's own rules; no site (or two equally likely generators) stops here,
    // before anything is written.
    let layout = SiteLayout::open(site, &config.site)?;
    layout.check_outputs(&config.cache_dir(&layout.root))?;
    Ok((config, layout))
}

/// Scans a site for identities. No network.
pub fn scan_site(layout: &SiteLayout, config: &Config) -> ScanResult {
    scan::scan(layout, config)
}
