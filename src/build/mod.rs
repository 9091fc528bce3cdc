//! `build`: scan → resolve each identity through the chain → publish → data file → prune →
//! (native layout) render the blog.
//!
//! Concurrency lives here, in one place: the identities are resolved on a pool of
//! `[http] concurrency` threads, because the work is waiting on the network and Hugo shows what
//! tying that to the core count costs (6x slower). Image decoding and encoding run on rayon's
//! core-sized pool (see [`images`]), so processing overlaps with downloading: the first resize
//! starts as soon as the first download ends.

pub mod cache_command;
pub mod images;
mod plan;
mod sweep;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::config::{Config, ProviderName};
use crate::error::Result;
use crate::fetch::{Cache, Fetcher, HttpSettings};
use crate::process::EncodeOptions;
use crate::publish::{AvatarDir, DataEntry, DataFile, SizeUrls};
use crate::report::{BuildReport, IdentityReport, Progress};
use crate::resolve::chain::{Chain, Decision};
use crate::scan::{FoundIdentity, LayoutKind, ScanResult, SiteLayout, Warning};
use images::{Images, Published};

/// Run-time choices from the command line (the config holds the rest).
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// No network: cache, local files and generated defaults only.
    pub offline: bool,
    /// Plan only: no network, no writes.
    pub dry_run: bool,
    /// Show progress on stderr.
    pub progress: bool,
}

/// Runs a whole build of an opened site.
pub fn build(layout: &SiteLayout, config: &Config, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let scan = crate::scan_site(layout, config);
    if options.dry_run {
        return Ok(plan::dry_run(&scan, config, started));
    }
    let cache_dir = config.cache_dir(&layout.root);
    let mut warnings = scan.warnings.clone();
    let cache = match Cache::open(&cache_dir) {
        Ok((cache, warning)) => {
            if let Some(warning) = warning {
                warnings.push(Warning {
                    path: warning.path.display().to_string(),
                    line: None,
                    message: format!("cache ignored, starting cold: {}", warning.reason),
                });
            }
            Some(cache)
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
    let data_dir = layout.data_file.parent().unwrap_or(&layout.root);
    let _build_lock = sweep::begin(
        &cache_dir,
        cache.as_ref(),
        &[&layout.avatar_dir, data_dir],
        layout.output_dir.as_deref(),
    );
    let fetcher = Fetcher::new(http_settings(config), cache, options.offline);
    let avatars = AvatarDir::new(layout.avatar_dir.clone(), layout.url_prefix.clone());
    let images = Images::new(
        pixel_sizes(config),
        EncodeOptions {
            format: config.avatars.format,
            quality: config.avatars.quality,
        },
        &avatars,
        Some(cache_dir.clone()),
    );
    let chain = Chain::new(config, layout, &fetcher);
    let progress = Progress::start(scan.identities.len(), options.progress);
    let outcomes = resolve_all(&scan, &chain, &images, config.http.concurrency, &progress);
    progress.finish();

    let mut data = DataFile::new();
    let mut identities = Vec::with_capacity(outcomes.len());
    for (found, (decision, published, chain_warnings)) in scan.identities.iter().zip(outcomes) {
        let first_source = found.sources.first();
        for message in chain_warnings {
            warnings.push(Warning {
                path: first_source.map_or_else(String::new, |s| s.path.clone()),
                line: first_source.and_then(|s| s.line),
                message,
            });
        }
        if let (Some(provider), Some(published)) = (decision.provider, &published) {
            let entry = data_entry(config, provider, published);
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
            // Bad front matter is reported by the scan already; say it once.
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
    }
    // Pruned only once the pages point at this run's files: a build killed at any moment leaves
    // no page naming a removed avatar.
    let pruned = avatars.prune()?;
    let decoded = images.decoded();
    images.finish()?;
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
    Ok(BuildReport::new(
        layout,
        identities,
        warnings,
        crate::report::FileTotals {
            produced: avatars.produced(),
            written: avatars.written(),
            pruned: pruned.len(),
            decoded,
            data_file_written: data_written,
            pages,
        },
        fetch_stats,
        started.elapsed(),
    ))
}

type Outcome = (Decision, Option<std::sync::Arc<Published>>, Vec<String>);

/// Resolves every identity on `concurrency` threads; results in scan order.
fn resolve_all(
    scan: &ScanResult,
    chain: &Chain<'_>,
    images: &Images<'_>,
    concurrency: usize,
    progress: &Progress,
) -> Vec<Outcome> {
    let total = scan.identities.len();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; total]);
    let threads = concurrency.clamp(1, total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(found) = scan.identities.get(index) else {
                        break;
                    };
                    let outcome = resolve_one(found, chain, images);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(outcome);
                    progress.tick();
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

/// Every index is filled by exactly one worker; this only satisfies the type.
fn unreachable_outcome() -> Outcome {
    (
        Decision {
            provider: None,
            image: None,
            attempts: Vec::new(),
        },
        None,
        Vec::new(),
    )
}

fn resolve_one(found: &FoundIdentity, chain: &Chain<'_>, images: &Images<'_>) -> Outcome {
    let mut warnings = Vec::new();
    let decision = chain.resolve(found, images, &mut warnings);
    // The chain accepted the image through `images`, so this is a memo hit.
    let published = decision
        .image
        .as_ref()
        .and_then(|image| images.publish(&image.bytes).ok());
    (decision, published, warnings)
}

fn data_entry(config: &Config, provider: ProviderName, published: &Published) -> DataEntry {
    let sizes = config
        .css_sizes()
        .into_iter()
        .filter_map(|css| {
            let x1 = published.urls.get(&css)?.clone();
            let x2 = published.urls.get(&(css * 2))?.clone();
            Some((css.to_string(), SizeUrls { x1, x2 }))
        })
        .collect::<BTreeMap<_, _>>();
    DataEntry { provider, sizes }
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
        ..HttpSettings::default()
    }
}

/// Opens `site`, applies command-line overrides and builds it.
pub fn build_site(
    site: &Path,
    config_path: Option<&Path>,
    jobs: Option<usize>,
    options: &BuildOptions,
) -> Result<BuildReport> {
    let (mut config, layout) = crate::open_site(site, config_path)?;
    if let Some(jobs) = jobs {
        config.http.concurrency = jobs;
    }
    build(&layout, &config, options)
}
