//! `rewrite DIR`: point another generator's built HTML at local avatar files.
//!
//! Collect the avatar URLs of every page, resolve each distinct identity once through the same
//! chain and caches as `build`, publish into `DIR/avatars/`, then rewrite the pages (only the
//! avatar attribute values change; pages without avatars are not touched).
//!
//! Avatar URLs that name nobody (a Staticman theme's `gravatar.com/avatar/?d=identicon` for a
//! comment without an email) get the configured default avatar, made for a fixed seed that
//! identifies no one ([`ANONYMOUS_SEED`]) and published under the same content-addressed names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::images::Images;
use super::{BuildOptions, Sweep, data_entry, pixel_sizes, plan, resolve_identities};
use crate::config::{CONFIG_FILE_NAME, Config};
use crate::error::{Error, Result};
use crate::model::Identity;
use crate::process::EncodeOptions;
use crate::publish::{AvatarDir, DataEntry};
use crate::report::{BuildReport, FileTotals, IdentityReport, RewriteTotals};
use crate::rewrite::{AvatarTarget, Recognizer, collect_dir, html_files, pick, rewrite_dir};
use crate::scan::{FoundIdentity, ScanResult, SiteLayout};

/// The config and site root for a rewrite: `--config`, else `DIR/blog-avatars.toml`, else
/// `./blog-avatars.toml`, else the defaults; the root (for the cache and local uploads) is the
/// directory of the config file, or the current directory.
fn locate_config(dir: &Path, explicit: Option<&Path>) -> Result<(Config, PathBuf)> {
    let found = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => [dir.join(CONFIG_FILE_NAME), PathBuf::from(CONFIG_FILE_NAME)]
            .into_iter()
            .find(|path| path.is_file()),
    };
    let root = found
        .as_deref()
        .and_then(Path::parent)
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let config = match &found {
        Some(path) => Config::load(&root, Some(path))?,
        None => Config::default(),
    };
    Ok((config, root))
}

/// The identicon seed of the default avatar for URLs that name nobody: fixed, so every such URL
/// on every site shows the same picture, and about no one.
pub const ANONYMOUS_SEED: &str = "blog-avatars:anonymous";

/// The default avatar's source image for URLs that name nobody: `[avatars] default` (an
/// identicon for [`ANONYMOUS_SEED`], or the configured image, relative to `root`).
fn anonymous_image(config: &Config, root: &Path) -> Result<Vec<u8>> {
    let setting = config.avatars.default.trim();
    if setting == "identicon" {
        let px = config.largest_pixel_size();
        return Ok(crate::resolve::identicon::identicon_png(ANONYMOUS_SEED, px));
    }
    let path = root.join(setting);
    std::fs::read(&path).map_err(|e| Error::io(&path, e))
}

/// Publishes the default avatar for URLs that name nobody; `Err` is a message for the report.
fn publish_anonymous(
    config: &Config,
    root: &Path,
    avatars: &AvatarDir,
) -> Result<std::result::Result<DataEntry, String>> {
    let bytes = match anonymous_image(config, root) {
        Ok(bytes) => bytes,
        Err(error) => return Ok(Err(error.to_string())),
    };
    let encode = EncodeOptions {
        format: config.avatars.format,
        quality: config.avatars.quality,
    };
    let images = Images::new(pixel_sizes(config), encode, avatars, None);
    let published = images.publish(&bytes.into());
    images.finish()?;
    let published = match published {
        Ok(published) => published,
        Err(message) => return Ok(Err(format!("default avatar: {message}"))),
    };
    let decision = crate::resolve::chain::Decision {
        provider: Some(crate::model::Provider::Default),
        image: None,
        attempts: Vec::new(),
    };
    Ok(data_entry(config, &decision, Some(&published)).ok_or_else(|| "no sizes".to_owned()))
}

/// Rewrites every HTML page under `dir`.
pub fn rewrite_site(
    dir: &Path,
    config_path: Option<&Path>,
    options: &BuildOptions,
) -> Result<BuildReport> {
    let started = Instant::now();
    // The operating system's own answer (no such folder, not a folder, permission denied).
    let metadata = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !metadata.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    let (mut config, root) = locate_config(dir, config_path)?;
    if let Some(jobs) = options.jobs {
        config.http.concurrency = jobs;
    }
    let cache_note = keep_cache_out_of(dir, &root, &mut config)?;
    let mut layout = SiteLayout::resolve(&root, &config.site);
    layout.avatar_dir = dir.join("avatars");
    if config.site.url_prefix.is_none() {
        layout.url_prefix = "/avatars/".to_owned();
    }
    let files = html_files(dir);
    let recognizer = Recognizer::new(&config.rewrite.gravatar_hosts);
    let (refs, mut warnings) = collect_dir(&files, &recognizer);
    warnings.extend(cache_note);
    let mut by_identity: BTreeMap<Identity, FoundIdentity> = BTreeMap::new();
    for avatar in &refs {
        let Some(identity) = avatar.identity() else {
            continue;
        };
        by_identity
            .entry(identity.clone())
            .or_insert_with(|| FoundIdentity {
                identity,
                raw: Vec::new(),
                sources: Vec::new(),
                linked: Default::default(),
            });
    }
    let identities: Vec<FoundIdentity> = by_identity.into_values().collect();
    if options.dry_run {
        let scan = ScanResult {
            layout,
            identities,
            warnings,
            files: files.len(),
        };
        return Ok(plan::dry_run(&scan, &config, started));
    }
    let avatars =
        AvatarDir::new(layout.avatar_dir.clone(), layout.url_prefix.clone()).confined_to(dir);
    avatars.ensure_confined()?;
    let resolved = resolve_identities(
        &identities,
        &layout,
        &config,
        &avatars,
        options,
        Sweep {
            flat_dirs: &[&layout.avatar_dir],
            deep_dir: None,
        },
        &mut warnings,
    )?;
    let mut entries: BTreeMap<&Identity, DataEntry> = BTreeMap::new();
    let mut reports = Vec::with_capacity(identities.len());
    for (
        found,
        super::Outcome {
            decision,
            published,
            warnings: chain_warnings,
        },
    ) in identities.iter().zip(resolved.outcomes)
    {
        warnings.extend(
            chain_warnings
                .into_iter()
                .map(|message| crate::model::Warning {
                    path: dir.display().to_string(),
                    line: None,
                    message,
                }),
        );
        if let Some(entry) = data_entry(&config, &decision, published.as_deref()) {
            entries.insert(&found.identity, entry);
        }
        reports.push(IdentityReport::new(found, &decision, published.as_deref()));
    }
    let anonymous = if refs.iter().any(|a| a.target == AvatarTarget::Anonymous) {
        match publish_anonymous(&config, &root, &avatars)? {
            Ok(entry) => Some(entry),
            Err(message) => {
                warnings.push(crate::model::Warning {
                    path: dir.display().to_string(),
                    line: None,
                    message: format!("avatar URLs that name nobody left as they were: {message}"),
                });
                None
            }
        }
    } else {
        None
    };
    let lookup = |avatar: &crate::rewrite::AvatarRef, density| {
        let entry = match avatar.identity() {
            Some(identity) => entries.get(&identity)?,
            None => anonymous.as_ref()?,
        };
        pick(&entry.sizes, avatar.px, density).map(str::to_owned)
    };
    let rewritten = rewrite_dir(&files, dir, &recognizer, &lookup)?;
    warnings.extend(rewritten.warnings.iter().cloned());
    let pruned = avatars.prune()?;
    drop(resolved.lock);
    let mut report = BuildReport::new(
        &layout,
        reports,
        warnings,
        FileTotals {
            produced: avatars.produced(),
            written: avatars.written(),
            pruned: pruned.len(),
            decoded: resolved.decoded,
            data_file_written: false,
            pages: 0,
        },
        resolved.fetch_stats,
        started.elapsed(),
    );
    report.network.hosts_given_up = resolved.hosts_given_up;
    report.rewrite = Some(RewriteTotals {
        files_scanned: rewritten.files_scanned,
        files_changed: rewritten.files_changed,
        urls_replaced: rewritten.urls_replaced,
        urls_unresolved: rewritten.urls_unresolved,
        urls_anonymous: rewritten.urls_anonymous,
        unreplaced: rewritten.unreplaced,
    });
    Ok(report)
}

/// Points the cache outside `dir`: everything under `dir` is published, and the cache index
/// lists Gravatar URLs (email hashes) and QQ numbers. A configured `[http] cache_dir` inside
/// `dir` is a usage error; the default one (beside the config, or in the current directory)
/// moves to the user's cache directory, with a note saying where.
fn keep_cache_out_of(
    dir: &Path,
    root: &Path,
    config: &mut Config,
) -> Result<Option<crate::model::Warning>> {
    use crate::scan::published::normalise;
    let published = normalise(dir);
    let cache = normalise(&config.cache_dir(root));
    if !cache.starts_with(&published) {
        return Ok(None);
    }
    if config.http.cache_dir.is_some() {
        return Err(Error::Usage(format!(
            "[http] cache_dir {} lies inside {}, which `rewrite` publishes; its index would list \
             email hashes and QQ numbers: set it to a folder outside {}",
            cache.display(),
            dir.display(),
            dir.display()
        )));
    }
    let elsewhere = user_cache_dir(&published).ok_or_else(|| {
        Error::Usage(format!(
            "the default cache would lie inside {} and no cache folder outside it is known \
             (set XDG_CACHE_HOME or HOME): set [http] cache_dir",
            dir.display()
        ))
    })?;
    let note = crate::model::Warning {
        path: dir.display().to_string(),
        line: None,
        message: format!(
            "the default cache {} would lie inside the published folder; using {} instead (set \
             [http] cache_dir to choose)",
            cache.display(),
            elsewhere.display()
        ),
    };
    config.http.cache_dir = Some(elsewhere);
    Ok(Some(note))
}

/// `$XDG_CACHE_HOME/blog-avatars/rewrite-<hash of dir>` (or under `~/.cache`): one cache per
/// rewritten folder, outside it.
fn user_cache_dir(published: &Path) -> Option<PathBuf> {
    use sha2::Digest;
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache"))
                .filter(|p| p.is_absolute())
        })?;
    let digest = sha2::Sha256::digest(published.as_os_str().as_encoded_bytes());
    let cache = base
        .join("blog-avatars")
        .join(format!("rewrite-{}", &hex::encode(digest)[..16]));
    // The user's cache folder may itself be inside `dir` (HOME=public): no way out then.
    (!crate::scan::published::normalise(&cache).starts_with(published)).then_some(cache)
}
