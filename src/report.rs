//! Results as values, and their forms for people and for machines, written to any `Write` (the
//! binary picks stdout for the report and stderr for warnings).

mod human;
mod identity;
mod scan;

pub use human::count;
pub use identity::{IdentityReport, StaleUrl};
pub use scan::{write_scan_human, write_scan_json};

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

use serde::Serialize;

use crate::fetch::FetchStats;
use crate::model::Provider;
use crate::model::Warning;
use crate::model::status::ErrorKind;
use crate::scan::layout::LayoutSummary;
use crate::scan::{LayoutKind, SiteLayout};

/// Files the build produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileTotals {
    /// Distinct avatar files this build uses.
    pub produced: usize,
    /// Files written because they were not there yet.
    pub written: usize,
    /// Stale files removed from the avatar directory.
    pub pruned: usize,
    /// Source images decoded and encoded (the rest came from the rendered cache).
    pub decoded: usize,
    /// Whether the data file changed.
    pub data_file_written: bool,
    /// Pages rendered (native layout).
    pub pages: usize,
}

/// Network and cache counters of a build.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NetworkTotals {
    /// Requests sent (retries included).
    pub requests: u64,
    /// Answers taken from the cache without a request.
    pub cache_fresh: u64,
    /// Conditional requests answered 304.
    pub not_modified: u64,
    /// URLs that failed (those in `not_sent` included).
    pub failures: u64,
    /// URLs not requested because their host had failed already this run (fail fast): failed
    /// URLs with no request behind them.
    pub not_sent: u64,
    /// Refreshes that failed and kept the last good image.
    pub stale: u64,
    /// Hosts given up on this run (fail fast).
    pub hosts_down: u64,
    /// Which hosts (`host:port`) were given up on: unreachable, or timing out again and again.
    pub hosts_given_up: Vec<String>,
    /// URLs not fetched, or cut on the wire, because `[http] deadline_s` passed.
    pub deadline_cut: u64,
    /// Identities with a provider cut short by the deadline.
    pub identities_cut_by_deadline: usize,
}

impl From<FetchStats> for NetworkTotals {
    fn from(stats: FetchStats) -> Self {
        Self {
            requests: stats.requests,
            cache_fresh: stats.cache_fresh + stats.offline_hits,
            not_modified: stats.not_modified,
            failures: stats.failures,
            not_sent: stats.skipped_host_down,
            stale: stats.stale,
            hosts_down: stats.hosts_down,
            hosts_given_up: Vec::new(),
            deadline_cut: stats.deadline_cut,
            identities_cut_by_deadline: 0,
        }
    }
}

/// The final report of `build` (and `rewrite`), printed on stdout.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// The layout built.
    pub layout: LayoutKind,
    /// The layout's file, reason and folders.
    pub site: LayoutSummary,
    /// Plan only: nothing fetched or written.
    pub dry_run: bool,
    /// Per identity, in scan order.
    pub identities: Vec<IdentityReport>,
    /// Identities per winning provider (`none` when nothing won).
    pub totals: BTreeMap<String, usize>,
    /// Identities that fell back because of an error.
    pub errors: usize,
    /// Problems with input files and content URLs.
    pub warnings: Vec<Warning>,
    /// Files.
    pub files: FileTotals,
    /// Network and cache.
    pub network: NetworkTotals,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// `rewrite` only: pages and URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<RewriteTotals>,
    /// Avatar URLs from content that are gone (404/410), whose last good copy was kept.
    pub stale_urls: Vec<StaleUrl>,
    /// Private paths (`[local] dir`, the cache, the data file) found inside what the generator
    /// publishes; each is also a warning. `--strict` fails on them.
    pub exposed: usize,
}

/// What `rewrite` did to the pages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RewriteTotals {
    /// HTML pages read.
    pub files_scanned: usize,
    /// Pages written because an avatar URL was replaced.
    pub files_changed: usize,
    /// Avatar URLs replaced.
    pub urls_replaced: usize,
    /// Avatar URLs recognised but left as they were (no avatar for them).
    pub urls_unresolved: usize,
    /// Of the URLs replaced, those that named nobody (empty or unfilled Gravatar hash, no QQ
    /// number): they got the local default avatar.
    pub urls_anonymous: usize,
    /// URLs on avatar hosts still in the pages (what `--strict` fails on), per page.
    pub unreplaced: Vec<crate::rewrite::UnreplacedUrl>,
}

impl BuildReport {
    /// Assembles the report and its totals.
    pub fn new(
        layout: &SiteLayout,
        identities: Vec<IdentityReport>,
        warnings: Vec<Warning>,
        files: FileTotals,
        network: FetchStats,
        elapsed: Duration,
    ) -> Self {
        let mut totals = BTreeMap::new();
        for identity in &identities {
            let key = identity.provider.map_or("none", Provider::as_str);
            *totals.entry(key.to_owned()).or_insert(0) += 1;
        }
        let stale_urls = identities.iter().filter_map(|i| i.gone.clone()).collect();
        let mut network = NetworkTotals::from(network);
        network.identities_cut_by_deadline = identities
            .iter()
            .filter(|i| {
                i.attempts.iter().any(|a| {
                    a.status
                        .error()
                        .is_some_and(|e| e.kind == ErrorKind::Deadline)
                })
            })
            .count();
        Self {
            layout: layout.kind,
            site: layout.summary(),
            dry_run: false,
            errors: identities.iter().filter(|i| i.error).count(),
            identities,
            totals,
            warnings,
            files,
            network,
            elapsed_ms: elapsed.as_millis().try_into().unwrap_or(u64::MAX),
            rewrite: None,
            stale_urls,
            exposed: 0,
        }
    }

    /// The contract's exit code: 3 with `--strict` when an identity failed for an error, or
    /// `rewrite` left avatar URLs in the pages.
    pub fn exit_code(&self, strict: bool) -> u8 {
        let unreplaced = self
            .rewrite
            .as_ref()
            .is_some_and(|r| !r.unreplaced.is_empty());
        if strict && (self.errors > 0 || unreplaced || self.exposed > 0) {
            3
        } else {
            0
        }
    }

    /// Writes the report for people.
    pub fn write_human(&self, out: &mut impl Write) -> io::Result<()> {
        let totals: Vec<String> = self
            .totals
            .iter()
            .map(|(provider, count)| format!("{provider} {count}"))
            .collect();
        let verb = if self.dry_run { "planned" } else { "resolved" };
        writeln!(
            out,
            "{} {verb} ({} layout) in {:.2} s: {}",
            count(self.identities.len() as u64, "identity", "identities"),
            self.layout,
            self.elapsed_ms as f64 / 1000.0,
            if totals.is_empty() {
                "nothing to do".to_owned()
            } else {
                totals.join(", ")
            }
        )?;
        writeln!(out, "layout: {}", self.site)?;
        if let Some(rewrite) = &self.rewrite {
            writeln!(
                out,
                "pages: {} read, {} rewritten; {} replaced, {} left as they were",
                rewrite.files_scanned,
                rewrite.files_changed,
                count(rewrite.urls_replaced as u64, "avatar URL", "avatar URLs"),
                rewrite.unreplaced.iter().map(|u| u.count).sum::<usize>()
            )?;
            if rewrite.urls_anonymous > 0 {
                writeln!(
                    out,
                    "{} named nobody (empty or unfilled hash): replaced with the default avatar",
                    count(rewrite.urls_anonymous as u64, "avatar URL", "avatar URLs")
                )?;
            }
            if !rewrite.unreplaced.is_empty() {
                let total: usize = rewrite.unreplaced.iter().map(|u| u.count).sum();
                writeln!(
                    out,
                    "{} could not be replaced; visitors' browsers still fetch them (exit code 3 \
                     with --strict):",
                    count(total as u64, "avatar URL", "avatar URLs")
                )?;
                for left in &rewrite.unreplaced {
                    writeln!(out, "  {}: {} ({}x)", left.path, left.url, left.count)?;
                }
            }
        }
        if !self.dry_run {
            writeln!(
                out,
                "files: {} in use, {} written, {} pruned; {} processed; {} rendered",
                self.files.produced,
                self.files.written,
                self.files.pruned,
                count(self.files.decoded as u64, "image", "images"),
                count(self.files.pages as u64, "page", "pages")
            )?;
            self.write_network(out)?;
            self.write_cut_short(out)?;
            self.write_groups(out)?;
        }
        if !self.stale_urls.is_empty() {
            writeln!(
                out,
                "{} gone stale (kept the last good copy):",
                count(
                    self.stale_urls.len() as u64,
                    "avatar URL has",
                    "avatar URLs have"
                )
            )?;
            for stale in &self.stale_urls {
                if stale.sources.is_empty() {
                    writeln!(out, "  {}", stale.url)?;
                } else {
                    writeln!(out, "  {} ({})", stale.url, stale.sources.join(", "))?;
                }
            }
        }
        if self.errors > 0 {
            writeln!(
                out,
                "{} fell back because of an error (exit code 3 with --strict; -v for details)",
                count(self.errors as u64, "identity", "identities")
            )?;
        }
        if self.exposed > 0 {
            writeln!(
                out,
                "{} inside what the generator publishes (exit code 3 with --strict)",
                count(
                    self.exposed as u64,
                    "private path lies",
                    "private paths lie"
                )
            )?;
        }
        if !self.warnings.is_empty() {
            writeln!(
                out,
                "{} (on stderr)",
                count(self.warnings.len() as u64, "warning", "warnings")
            )?;
        }
        Ok(())
    }

    /// The line naming what the time bounds cut short, if anything.
    fn write_cut_short(&self, out: &mut impl Write) -> io::Result<()> {
        let network = &self.network;
        if network.deadline_cut > 0 {
            writeln!(
                out,
                "cut short: the network deadline ([http] deadline_s) passed; {} not fetched or \
                 cut, {} affected",
                count(network.deadline_cut, "URL", "URLs"),
                count(
                    network.identities_cut_by_deadline as u64,
                    "identity",
                    "identities"
                )
            )?;
        }
        if !network.hosts_given_up.is_empty() {
            writeln!(
                out,
                "cut short: hosts given up for the rest of the build: {}",
                network.hosts_given_up.join(", ")
            )?;
        }
        Ok(())
    }

    /// Writes the report as one JSON document.
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests;
