//! Resolving: every identity through the provider chain, its image published, on the network
//! pool.
//!
//! Two pools, one per kind of work. The identities are resolved on a rayon pool of
//! `2 × [http] concurrency` threads (`resolve_all`), because the work is waiting on the
//! network and Hugo shows what tying that to the core count costs (6x slower). Image decoding
//! and encoding run on the core-sized CPU pool (`pipeline::cpu`), so processing overlaps with
//! downloading: the first resize starts as soon as the first download ends.
//!
//! This pool replaced a hand-built one (`AtomicUsize` + `Mutex<Vec<Option<_>>>` over scoped
//! threads); the two were measured side by side with `bench/run` (BENCHMARKS.md, "The network
//! pool": no difference when the machine was quiet, two unexplained slow runs under heavy load).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::images::Images;
use super::observer::Observer;
use super::{BuildOptions, Outcome};
use crate::cache::Cache;
use crate::config::Config;
use crate::error::Result;
use crate::fetch::Fetcher;
use crate::model::Warning;
use crate::process::EncodeOptions;
use crate::publish::AvatarDir;
use crate::resolve::chain::Chain;
use crate::scan::{FoundIdentity, SiteLayout};

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
    let fetcher = Fetcher::new(super::http_settings(config), cache, options.offline);
    let images = Images::new(
        super::pixel_sizes(config),
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

/// Resolves every identity on a pool of `2 × concurrency` threads; results in input order.
///
/// More threads than requests in flight: a thread busy with an upload or an identicon (no
/// network), or waiting for the CPU pool, must not leave a request slot idle; the fetcher's gate
/// still caps requests at `concurrency`. A rayon pool of its own, sized by the setting and not by
/// the cores, because its threads spend their time waiting on sockets.
fn resolve_all(
    identities: &[FoundIdentity],
    chain: &Chain<'_>,
    images: &Images<'_>,
    concurrency: usize,
    observer: Option<&dyn Observer>,
) -> Vec<Outcome> {
    let total = identities.len();
    let threads = concurrency.saturating_mul(2).clamp(1, total.max(1));
    // Failing to start threads is as fatal here as `std::thread::spawn` failing was.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("blog-avatars-net-{i}"))
        .build()
        .expect("cannot start the network threads");
    let done = AtomicUsize::new(0);
    let order = Interleave::new(total);
    let mut by_step: Vec<(usize, Outcome)> = Vec::with_capacity(total);
    pool.install(|| {
        (0..total)
            .into_par_iter()
            .map(|step| {
                let index = order.at(step);
                let outcome = super::resolve_one(&identities[index], chain, images);
                if let Some(observer) = observer {
                    let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                    observer.identity_done(done, total);
                }
                (index, outcome)
            })
            .collect_into_vec(&mut by_step);
    });
    // `order` is a permutation: sorting by index puts every outcome back in input order.
    by_step.sort_unstable_by_key(|(index, _)| *index);
    by_step.into_iter().map(|(_, outcome)| outcome).collect()
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
