//! Builds a site through the library API and prints a one-line summary.
//!
//! ```text
//! cargo run --example build_site              # a copy of fixtures/demo-site
//! cargo run --example build_site -- MY-BLOG   # a copy of MY-BLOG
//! ```
//!
//! The site is copied into a temporary folder first, so the original is never written to, and
//! built offline (cache, local uploads and generated identicons only).
//! `tests/it/library.rs` runs this file's functions, so the example is checked by `cargo test`.

use std::path::{Path, PathBuf};

use blog_avatars::{BuildOptions, Report, Site};

fn main() -> anyhow::Result<()> {
    let source = std::env::args_os().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo-site"),
        PathBuf::from,
    );
    let temp = tempfile::tempdir()?;
    let site = temp.path().join("site");
    copy_site(&source, &site)?;
    let report = build_offline(&site)?;
    println!("{}", summary(&report));
    std::process::exit(report.exit_code(false).into());
}

/// Copies the site folder `from` to `to` (files and folders; symlinks are skipped).
pub fn copy_site(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry?;
        let target = to.join(entry.path().strip_prefix(from)?);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Opens and builds `site` without the network, through the library API.
pub fn build_offline(site: &Path) -> blog_avatars::Result<Report> {
    let site = Site::open(site, None)?;
    let options = BuildOptions {
        offline: true,
        ..BuildOptions::default()
    };
    blog_avatars::build(&site, &options)
}

/// One line: identities, the winning providers, files and pages.
pub fn summary(report: &Report) -> String {
    let providers: Vec<String> = report
        .totals
        .iter()
        .map(|(provider, count)| format!("{provider} {count}"))
        .collect();
    format!(
        "{} identities ({}), {} avatar files, {} pages, {} warnings ({} layout)",
        report.identities.len(),
        providers.join(", "),
        report.files.produced,
        report.files.pages,
        report.warnings.len(),
        report.layout
    )
}
