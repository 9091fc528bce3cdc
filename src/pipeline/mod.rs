//! The pipeline: `build` is scan → resolve each identity through the chain → publish → data file → prune →
//! (native layout) render the blog.
//!
//! Concurrency lives here, in one place: the identities are resolved on a pool of
//! `[http] concurrency` threads, because the work is waiting on the network and Hugo shows what
//! tying that to the core count costs (6x slower). Image decoding and encoding run on rayon's
//! core-sized pool (see [`images`]), so processing overlaps with downloading: the first resize
//! starts as soon as the first download ends.

pub mod images;
mod observer;
mod plan;
pub mod rewrite_dir;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::config::Config;
use crate::error::Result;
use crate::fetch::{Fetcher, HttpSettings};
use crate::process::EncodeOptions;
use crate::publish::{AvatarDir, DataEntry, DataFile, SizeUrls};
use crate::report::{BuildReport, IdentityReport};
use crate::resolve::chain::{Chain, Decision};
use crate::scan::{FoundIdentity, LayoutKind, SiteLayout, Warning};
use images::{Images, Published};
pub use observer::Observer;

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
                path: first_source.map_or_else(String::new, |s| s.path.clone()),
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

/// What resolving a set of identities produced.
pub struct Resolved {
    /// Per identity, in the order given: the chain's decision, the published files, and
    /// warnings about the identity's content.
    pub outcomes: Vec<Outcome>,
    /// Network and cache counters.
    pub fetch_stats: crate::fetch::FetchStats,
    /// Hosts given up on during the run (`host:port`).
    pub hosts_given_up: Vec<String>,
    /// Source images decoded (the rest came from the rendered cache).
    pub decoded: usize,
    /// The build lock on the cache: hold it until the outputs are complete.
    pub(crate) lock: Option<crate::cache::sweep::BuildLock>,
}

/// Where a killed build may have left temp files: directories swept flat, and one swept deep.
pub struct Sweep<'a> {
    /// Swept one level deep (the avatar directory, the data file's directory).
    pub flat_dirs: &'a [&'a Path],
    /// Swept recursively (the rendered output).
    pub deep_dir: Option<&'a Path>,
}

/// Resolves `identities` through the chain and publishes their images into `avatars`, using
/// and then saving the caches. Shared by `build` and `rewrite`.
pub fn resolve_identities(
    identities: &[FoundIdentity],
    layout: &SiteLayout,
    config: &Config,
    avatars: &AvatarDir,
    options: &BuildOptions,
    sweep_dirs: Sweep<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Resolved> {
    let cache_dir = config.cache_dir(&layout.root);
    let cache = match Cache::open(&cache_dir) {
        Ok((cache, warning)) => {
            if let Some(warning) = warning {
                warnings.push(Warning {
                    path: warning.path.display().to_string(),
                    line: None,
                    message: format!("cache ignored, starting cold: {}", warning.reason),
                });
            }
            Some(cache.verifying(options.verify))
        }
        Err(error) => {
            warnings.push(Warning {
                path: cache_dir.display().to_string(),
                line: None,
                message: format!("cache unusable, starting cold: {error}"),
            });
            None
        }
    };
    // Held to the end of the build; it also clears what killed builds left (see `sweep`).
    let lock = crate::cache::sweep::begin(
        &cache_dir,
        cache.as_ref(),
        sweep_dirs.flat_dirs,
        sweep_dirs.deep_dir,
    )
    .map(|(lock, _removed)| lock);
    let fetcher = Fetcher::new(http_settings(config), cache, options.offline);
    let images = Images::new(
        pixel_sizes(config),
        EncodeOptions {
            format: config.avatars.format,
            quality: config.avatars.quality,
        },
        avatars,
        Some(cache_dir.clone()),
    );
    let chain = Chain::new(config, layout, &fetcher);
    let observer = options.observer.as_deref();
    if let Some(observer) = observer {
        observer.resolving(identities.len());
    }
    let outcomes = resolve_all(
        identities,
        &chain,
        &images,
        config.http.concurrency,
        observer,
    );
    if let Some(observer) = observer {
        observer.resolved();
    }
    let decoded = images.decoded();
    images.finish()?;
    let hosts_given_up = fetcher.hosts_given_up();
    let fetch_stats = match fetcher.finish() {
        Ok(stats) => stats,
        Err(error) => {
            warnings.push(Warning {
                path: cache_dir.display().to_string(),
                line: None,
                message: format!("cache not saved: {error}"),
            });
            Default::default()
        }
    };
    Ok(Resolved {
        outcomes,
        fetch_stats,
        hosts_given_up,
        decoded,
        lock,
    })
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

/// Resolves every identity on `concurrency` threads; results in input order.
fn resolve_all(
    identities: &[FoundIdentity],
    chain: &Chain<'_>,
    images: &Images<'_>,
    concurrency: usize,
    observer: Option<&dyn Observer>,
) -> Vec<Outcome> {
    let total = identities.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; total]);
    // More workers than requests in flight: a worker busy with an upload or an identicon (no
    // network) must not leave a request slot idle; the fetcher's gate still caps requests.
    let threads = concurrency.saturating_mul(2).clamp(1, total.max(1));
    let order = Interleave::new(total);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let step = next.fetch_add(1, Ordering::Relaxed);
                    if step >= total {
                        break;
                    }
                    let index = order.at(step);
                    let found = &identities[index];
                    let outcome = resolve_one(found, chain, images);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(outcome);
                    if let Some(observer) = observer {
                        let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                        observer.identity_done(done, total);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(unreachable_outcome))
        .collect()
}

/// A fixed permutation of `0..total` that spreads neighbours apart: scan order groups identities
/// by kind, so uploads (no network) or QQ's large pictures would otherwise come in one block
/// and leave the network idle while the CPU catches up.
struct Interleave {
    total: usize,
    stride: usize,
}

impl Interleave {
    fn new(total: usize) -> Self {
        // A stride near total / golden ratio, coprime with total, visits every index once.
        let mut stride = ((total as f64 * 0.618_033_988_75) as usize).max(1);
        while gcd(stride, total.max(1)) != 1 {
            stride += 1;
        }
        Self { total, stride }
    }

    fn at(&self, step: usize) -> usize {
        ((step as u128 * self.stride as u128) % self.total.max(1) as u128) as usize
    }
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Every index is filled by exactly one worker; this only satisfies the type.
fn unreachable_outcome() -> Outcome {
    Outcome::default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_visits_every_index_once_and_spreads_neighbours() {
        for total in [0usize, 1, 2, 3, 10, 16, 97, 1000] {
            let order = Interleave::new(total);
            let mut seen: Vec<usize> = (0..total).map(|step| order.at(step)).collect();
            if total > 10 {
                // Consecutive steps land far apart.
                assert!(seen[0].abs_diff(seen[1]) > total / 4, "{total}: {seen:?}");
            }
            seen.sort_unstable();
            assert_eq!(seen, (0..total).collect::<Vec<_>>(), "{total}");
        }
    }
}
