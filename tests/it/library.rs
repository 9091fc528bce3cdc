//! The library API (`Site`, `build`, `scan`, `BuildOptions`, `Observer`, `Report`), through the
//! functions of `examples/build_site.rs` itself, so the example cannot rot unnoticed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use blog_avatars::{BuildOptions, Observer, Site};

use crate::support::copy_site;

#[path = "../../examples/build_site.rs"]
#[allow(dead_code)] // its `main`
mod example;

#[test]
fn the_example_builds_a_copy_of_the_demo_site_through_the_library() {
    let (temp, clean) = copy_site("demo-site");
    let site = temp.path().join("copy");
    example::copy_site(&clean, &site).unwrap();
    let scanned = blog_avatars::scan(&Site::open(&site, None).unwrap());
    assert!(!scanned.identities.is_empty());

    let report = example::build_offline(&site).unwrap();
    assert_eq!(report.identities.len(), scanned.identities.len());
    assert_eq!(report.exit_code(true), 0, "{:?}", report.warnings);
    // What the report counts is on disk: the avatar files, the data file, the rendered pages.
    let avatars = std::fs::read_dir(site.join("public/avatars"))
        .unwrap()
        .count();
    assert_eq!(avatars, report.files.produced);
    assert!(report.files.produced > 0 && report.files.pages > 0);
    let data = std::fs::read_to_string(site.join("data/avatars.json")).unwrap();
    assert!(data.contains("/avatars/"), "{data}");
    assert!(site.join("public/index.html").is_file());

    let line = example::summary(&report);
    assert!(
        line.starts_with(&format!("{} identities (", report.identities.len())),
        "{line}"
    );
    assert!(
        line.contains(&format!("{} avatar files", report.files.produced)),
        "{line}"
    );
    assert!(!line.contains('\n'), "{line}");
}

/// Counts what the build tells it.
#[derive(Default)]
struct Counter {
    total: AtomicUsize,
    done_calls: AtomicUsize,
    highest_done: AtomicUsize,
    resolved: AtomicUsize,
}

impl Observer for Counter {
    fn resolving(&self, total: usize) {
        self.total.store(total, Ordering::SeqCst);
    }

    fn identity_done(&self, done: usize, total: usize) {
        assert_eq!(total, self.total.load(Ordering::SeqCst));
        self.done_calls.fetch_add(1, Ordering::SeqCst);
        self.highest_done.fetch_max(done, Ordering::SeqCst);
    }

    fn resolved(&self) {
        self.resolved.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_library_build_tells_its_observer_of_every_identity() {
    let (_temp, site) = copy_site("demo-site");
    let site = Site::open(&site, None).unwrap();
    let counter = Arc::new(Counter::default());
    let options = BuildOptions {
        offline: true,
        jobs: Some(3),
        observer: Some(counter.clone()),
        ..BuildOptions::default()
    };
    let report = blog_avatars::build(&site, &options).unwrap();
    let identities = report.identities.len();
    assert!(identities > 1);
    assert_eq!(counter.total.load(Ordering::SeqCst), identities);
    assert_eq!(counter.done_calls.load(Ordering::SeqCst), identities);
    assert_eq!(counter.highest_done.load(Ordering::SeqCst), identities);
    assert_eq!(counter.resolved.load(Ordering::SeqCst), 1);
}
