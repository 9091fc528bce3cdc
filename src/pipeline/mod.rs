//! The pipeline: `build` is scan → resolve each identity through the chain → publish → data file → prune →
//! (native layout) render the blog.
//!
//! Concurrency lives here, in one place: the identities are resolved on a pool of
//! `[http] concurrency` threads, because the work is waiting on the network and Hugo shows what
//! tying that to the core count costs (6x slower) ([`resolve`]). Image decoding and encoding run
//! on a core-sized pool (`cpu`), so processing overlaps with downloading: the first resize
//! starts as soon as the first download ends.

mod cpu;
pub mod images;
mod observer;
mod plan;
pub mod resolve;
pub mod rewrite_dir;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::Result;
use crate::fetch::HttpSettings;
use crate::model::{Published, Warning};
use crate::publish::{AvatarDir, DataEntry, DataFile, SizeUrls};
use crate::report::{BuildReport, IdentityReport};
use crate::resolve::chain::{Chain, Decision};
use crate::scan::{FoundIdentity, LayoutKind, SiteLayout};
use images::Images;
pub use observer::Observer;
pub use resolve::{Resolved, Sweep, resolve_identities};

/// Run-time choices from the command line (the config holds the rest).
#[derive(Clone, Default)]
pub struct BuildOptions {
    /// No network: cache, local files and generated defaults only.
    pub offline: bool,
    /// Plan only: no network, no writes.
    pub dry_run: bool,
    /// `--jobs`: requests in flight at once, over `[http] concurrency` (`None`: the config's).
    pub jobs: Option<usize>,
    /// `--verify`: re-hash every published file and cached download instead of trusting the
    /// ones whose size and modification time are unchanged.
    pub verify: bool,
    /// Told of the build's progress (the library itself prints nothing); `None`: nobody asks.
    pub observer: Option<std::sync::Arc<dyn Observer>>,
}

impl std::fmt::Debug for BuildOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildOptions")
            .field("offline", &self.offline)
            .field("dry_run", &self.dry_run)
            .field("jobs", &self.jobs)
            .field("verify", &self.verify)
            .field("observer", &self.observer.as_ref().map(|_| "..."))
            .finish()
    }
}

impl BuildOptions {
    /// `config` with these options' overrides applied (`jobs`), copied only when they change it.
    pub fn configure<'a>(&self, config: &'a Config) -> std::borrow::Cow<'a, Config> {
        match self.jobs {
            Some(jobs) if jobs != config.http.concurrency => {
                let mut config = config.clone();
                config.http.concurrency = jobs;
                std::borrow::Cow::Owned(config)
            }
            _ => std::borrow::Cow::Borrowed(config),
        }
    }
}

/// Runs a whole build of an opened site: scan, resolve, publish, data file, prune, and (native
/// layout) render. `options.jobs` overrides `[http] concurrency`.
pub fn build(layout: &SiteLayout, config: &Config, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let config = &*options.configure(config);
    let scan = crate::scan_site(layout, config);
    // Checked before anything is written, and in a dry run too: a folder of uploads named by
    // email inside what the generator publishes is the one mistake this tool must not make.
    let exposed = crate::scan::published::exposure_warnings(layout, config);
    let notices = crate::scan::published::local_dir_notice(layout, &config.local)
        .into_iter()
        .chain(exposed.iter().cloned());
    if options.dry_run {
        let mut report = plan::dry_run(&scan, config, started);
        report.warnings.extend(notices);
        report.exposed = exposed.len();
        return Ok(report);
    }
    let mut warnings = scan.warnings.clone();
    warnings.extend(notices);
    // An absolute [site] avatar_dir is the owner's choice; otherwise nothing may be written or
    // pruned outside the site, whatever symlinks say.
    let confine = match &config.site.avatar_dir {
        Some(dir) if dir.is_absolute() => &layout.avatar_dir,
        _ => &layout.root,
    };
    let avatars = AvatarDir::new(layout.avatar_dir.clone(), layout.url_prefix.clone())
        .confined_to(confine)
        .with_manifest(&config.cache_dir(&layout.root), options.verify);
    avatars.ensure_confined()?;
    if !config
        .site
        .data_file
        .as_ref()
        .is_some_and(|f| f.is_absolute())
    {
        let site = crate::scan::published::normalise(&layout.root);
        crate::publish::ensure_within(&site, &layout.data_file)?;
    }
    let data_dir = layout.data_file.parent().unwrap_or(&layout.root);
    let resolved = resolve_identities(
        &scan.identities,
        layout,
        config,
        &avatars,
        options,
        Sweep {
            flat_dirs: &[&layout.avatar_dir, data_dir],
            deep_dir: layout.output_dir.as_deref(),
        },
        &mut warnings,
    )?;
    let mut data = DataFile::new();
    let mut identities = Vec::with_capacity(resolved.outcomes.len());
    for (
        found,
        Outcome {
            decision,
            published,
            warnings: chain_warnings,
        },
    ) in scan.identities.iter().zip(resolved.outcomes)
    {
        let first_source = found.sources.first();
        for message in chain_warnings {
            warnings.push(Warning {
                path: first_source.map_or_else(String::new, |s| s.path.to_string()),
                line: first_source.and_then(|s| s.line),
                message,
            });
        }
        if let Some(entry) = data_entry(config, &decision, published.as_deref()) {
            for raw in &found.raw {
                data.avatars
                    .entry(raw.clone())
                    .or_insert_with(|| entry.clone());
            }
        }
        identities.push(IdentityReport::new(found, &decision, published.as_deref()));
    }
    let data_written = data.write(&layout.data_file)?;

    let mut pages = 0;
    if layout.kind == LayoutKind::Native {
        let rendered = crate::render::render_site(layout, config, &data)?;
        pages = rendered.pages;
        for warning in rendered.warnings {
            // Bad front matter is reported by the scan already (with its line, where the
            // renderer may not know it); say it once.
            let said = warnings
                .iter()
                .any(|w| w.path == warning.path && w.message == warning.message);
            if !said {
                warnings.push(warning);
            }
        }
    }
    // Pruned only once the pages point at this run's files: a build killed at any moment leaves
    // no page naming a removed avatar.
    let pruned = avatars.prune()?;

    drop(resolved.lock);
    let mut report = BuildReport::new(
        layout,
        identities,
        warnings,
        crate::report::FileTotals {
            produced: avatars.produced(),
            written: avatars.written(),
            pruned: pruned.len(),
            decoded: resolved.decoded,
            data_file_written: data_written,
            pages,
        },
        resolved.fetch_stats,
        started.elapsed(),
    );
    report.network.hosts_given_up = resolved.hosts_given_up;
    report.exposed = exposed.len();
    Ok(report)
}

/// What resolving one identity produced.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The chain's decision: the winner and every attempt.
    pub decision: Decision,
    /// The published files of the winning image (none if no provider had one).
    pub published: Option<std::sync::Arc<Published>>,
    /// Warnings about the identity's content (refused URLs, missing files).
    pub warnings: Vec<String>,
}

fn resolve_one(found: &FoundIdentity, chain: &Chain<'_>, images: &Images<'_>) -> Outcome {
    let mut warnings = Vec::new();
    let mut decision = chain.resolve(found, images, &mut warnings);
    // The chain accepted the image through `images`, so this is a memo hit.
    let published = decision
        .image
        .as_ref()
        .and_then(|image| images.publish(&image.bytes).ok());
    // Published: the source bytes are no longer needed, and keeping them for every identity
    // until the report would hold every downloaded picture in memory at once.
    if let Some(image) = decision.image.as_mut() {
        image.bytes = crate::fetch::Body::default();
    }
    Outcome {
        decision,
        published,
        warnings,
    }
}

/// The data file entry of a resolved identity (none if no provider had an avatar).
pub fn data_entry(
    config: &Config,
    decision: &Decision,
    published: Option<&Published>,
) -> Option<DataEntry> {
    let (provider, published) = (decision.provider?, published?);
    let sizes = config
        .css_sizes()
        .into_iter()
        .filter_map(|css| {
            let x1 = published.urls.get(&css)?.clone();
            let x2 = published.urls.get(&(css * 2))?.clone();
            Some((css.to_string(), SizeUrls { x1, x2 }))
        })
        .collect::<BTreeMap<_, _>>();
    Some(DataEntry { provider, sizes })
}

/// Every pixel size the outputs need: each CSS size at 1x and 2x, ascending.
pub fn pixel_sizes(config: &Config) -> Vec<u32> {
    let mut sizes: Vec<u32> = config
        .css_sizes()
        .into_iter()
        .flat_map(|css| [css, css * 2])
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// `[http]` → the fetcher's settings.
pub fn http_settings(config: &Config) -> HttpSettings {
    let http = &config.http;
    let timeout = Duration::from_secs(http.timeout_s);
    HttpSettings {
        timeout,
        connect_timeout: timeout.min(HttpSettings::default().connect_timeout),
        max_bytes: http.max_bytes,
        concurrency: http.concurrency,
        per_host: http.per_host,
        retries: http.retries,
        max_redirects: http.max_redirects,
        ttl: Duration::from_secs(http.ttl_hours.saturating_mul(3600)),
        images_only: true,
        host_headers: config
            .url
            .host_headers()
            .into_iter()
            .map(|(host, headers)| crate::fetch::HostHeaders { host, headers })
            .collect(),
        deadline: (http.deadline_s > 0).then(|| Duration::from_secs(http.deadline_s)),
        ..HttpSettings::default()
    }
}

/// Opens `site` (with `config_path`, else the site's `blog-avatars.toml`) and builds it.
pub fn build_site(
    site: &Path,
    config_path: Option<&Path>,
    options: &BuildOptions,
) -> Result<BuildReport> {
    let (config, layout) = crate::open_site(site, config_path)?;
    build(&layout, &config, options)
}
