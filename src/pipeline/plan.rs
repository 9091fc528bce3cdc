//! `build --dry-run`: what the chain would try for each identity. No network, no writes.
//!
//! Each provider's attempt is `planned` (its URLs or files as the detail) or `not_applicable`:
//! the README documents `planned` among the outcomes for exactly this, so a plan never claims
//! an answer (`found`, `no_avatar`) that no provider gave.

use std::time::Instant;

use crate::config::Config;
use crate::fetch::{Fetcher, HttpSettings};
use crate::report::{BuildReport, FileTotals, IdentityReport};
use crate::resolve::chain::Chain;
use crate::scan::ScanResult;

/// The plan as a report: each identity with, per provider, the URLs or files it would try.
pub fn dry_run(scan: &ScanResult, config: &Config, started: Instant) -> BuildReport {
    // An offline fetcher without a cache: it cannot reach the network even by mistake.
    let fetcher = Fetcher::new(HttpSettings::default(), None, true);
    let chain = Chain::new(config, &scan.layout, &fetcher);
    let identities = scan
        .identities
        .iter()
        .map(|found| IdentityReport {
            kind: found.identity.kind(),
            value: found.identity.value().to_owned(),
            provider: None,
            attempts: chain.plan(found),
            upscaled: false,
            stale: None,
            error: false,
            gone: None,
        })
        .collect();
    let mut report = BuildReport::new(
        &scan.layout,
        identities,
        scan.warnings.clone(),
        FileTotals::default(),
        Default::default(),
        started.elapsed(),
    );
    report.dry_run = true;
    report.totals.clear();
    report
}
