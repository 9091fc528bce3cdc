//! blog-avatars: a build step for static blogs that gathers commenters' avatars once and serves
//! them from the site itself, so visitors' browsers never contact Gravatar or QQ.
//!
//! ```text
//! scan → identify → resolve (provider chain) → fetch (cache) → process (image) → publish → rewrite / render
//! ```
//!
//! - [`model`] holds the words every stage shares and imports none: identities validated once
//!   ([`model::Email`], [`model::GravatarHash`], ...), [`model::Provider`], formats, warnings;
//! - [`scan`] finds the site layout, reads front matter and comment data files, and yields raw
//!   mentions;
//! - [`identify`] validates and normalises them into identities;
//! - [`resolve`] builds provider URLs and runs the provider chain; [`net_guard`] keeps content
//!   URLs away from the build machine's own network;
//! - [`fetch`] downloads with bounded concurrency, retries, fail-fast and a persistent cache;
//! - [`process`] decodes untrusted images under limits and writes square avatars;
//! - [`publish`] writes content-addressed files and the data file;
//! - [`pipeline`] runs the whole build (and `rewrite`) and holds its concurrency;
//! - [`rewrite`] points already built HTML (any generator's output) at the local files;
//! - [`config`] is the one strict configuration; [`report`] prints results;
//! - `serve` (cargo feature `serve`) previews the site, rebuilds on change and takes avatar
//!   uploads.
//!
//! # The library API
//!
//! [`Site::open`] finds a site's configuration and layout, [`scan`] lists the identities its
//! content names, [`build`] runs the whole pipeline and [`rewrite`] points another generator's
//! built HTML at local avatars; both return a [`Report`], a value that the caller prints (the
//! library prints nothing; follow progress with an [`Observer`] in [`BuildOptions`]).
//!
//! ```no_run
//! use std::path::Path;
//! use blog_avatars::{BuildOptions, Site};
//!
//! let site = Site::open(Path::new("my-blog"), None)?;
//! println!("{} identities", blog_avatars::scan(&site).identities.len());
//! let options = BuildOptions { offline: true, jobs: Some(8), ..BuildOptions::default() };
//! let report = blog_avatars::build(&site, &options)?;
//! println!("{} avatar files, exit code {}", report.files.produced, report.exit_code(false));
//! # Ok::<(), blog_avatars::Error>(())
//! ```
//!
//! `examples/build_site.rs` builds the demo site this way.

pub mod cache;
pub mod check;
pub mod config;
pub mod error;
pub mod fetch;
pub mod files;
pub mod identify;
pub mod init;
pub mod model;
pub mod net_guard;
pub mod pipeline;
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
/// A loopback HTTP server for tests and benchmarks (cargo feature `testkit`, off by default).
#[cfg(any(test, feature = "testkit"))]
#[doc(hidden)]
pub mod testkit;

use std::path::Path;

pub use config::Config;
pub use error::{Error, Result};
pub use pipeline::{BuildOptions, Observer};
pub use scan::{ScanResult, SiteLayout};

/// The report of a [`build`] or [`rewrite`]: per identity what each provider answered, totals,
/// warnings; [`Report::write_human`] and [`Report::write_json`] print it,
/// [`Report::exit_code`] gives the contract's exit code.
pub type Report = report::BuildReport;

/// An opened site: its configuration and its layout, detected by the generator's own rules.
#[derive(Debug, Clone)]
pub struct Site {
    /// The configuration (`blog-avatars.toml`, or the defaults).
    pub config: Config,
    /// Where the content, the data file, the avatars and the output are.
    pub layout: SiteLayout,
}

impl Site {
    /// Opens the site in the folder `path`, with the config file `config_path` (else the site's
    /// `blog-avatars.toml`, else the defaults). See [`open_site`] for what is an error.
    pub fn open(path: &Path, config_path: Option<&Path>) -> Result<Site> {
        let (config, layout) = open_site(path, config_path)?;
        Ok(Site { config, layout })
    }
}

/// Builds `site`: scan, resolve every identity through the provider chain, publish the avatar
/// files and the data file, prune stale ones and (native layout) render the blog. A failure for
/// one avatar is in the report; `Err` is a failure of the whole build (config, layout, writes).
pub fn build(site: &Site, options: &BuildOptions) -> Result<Report> {
    pipeline::build(&site.layout, &site.config, options)
}

/// Rewrites the built HTML under `dir` (any generator's output) to point at avatars published
/// into `dir/avatars/`, with the config `config_path`, else `dir/blog-avatars.toml`, else
/// `./blog-avatars.toml`, else the defaults.
pub fn rewrite(dir: &Path, config_path: Option<&Path>, options: &BuildOptions) -> Result<Report> {
    pipeline::rewrite_dir::rewrite_site(dir, config_path, options)
}

/// Lists the identities that `site`'s content names, with where. No network, no writes.
pub fn scan(site: &Site) -> ScanResult {
    scan::scan(&site.layout, &site.config)
}

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
