//! Scanning at scale: 100,000 Staticman comment files and posts with large bodies.
//!
//! `cargo bench --bench scan` (set `SCAN_BENCH_FILES` for another count). Prints the time of a
//! cold-ish scan (files just written, so in the page cache) and the process's peak RSS, which
//! must not grow with post body sizes: only front matter is read.

use std::time::Instant;

use blog_avatars::{Config, SiteLayout, scan_site};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let files: usize = std::env::var("SCAN_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path();
    let posts = 200;
    let body = "Lorem ipsum dolor sit amet. ".repeat(40_000); // ~1 MiB per post body
    for post in 0..posts {
        let dir = site.join("content/posts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("post-{post}.md")),
            format!("---\ntitle: Post {post}\nemail: author{post}@example.org\n---\n{body}"),
        )
        .unwrap();
    }
    for i in 0..files {
        let dir = site.join(format!("data/comments/post-{}", i % posts));
        if i < posts {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let identity = i % (files / 4).max(1);
        std::fs::write(
            dir.join(format!("entry{i}.yml")),
            format!(
                "_id: {i}\nname: Person {identity}\nemail: person{identity}@example.org\n\
                 message: \"Comment number {i}, with some text to parse.\"\ndate: 1700000000\n"
            ),
        )
        .unwrap();
    }
    let before = peak_rss_kib();
    let config = Config::default();
    let layout = SiteLayout::resolve(site, &config.site);
    let started = Instant::now();
    let result = scan_site(&layout, &config);
    let elapsed = started.elapsed();
    println!(
        "scan: {} files ({} posts of ~1 MiB body, {files} comment files) → {} identities, \
         {} warnings in {:.2} s ({:.1} µs/file); peak RSS {} MiB (before scan {} MiB)",
        result.files,
        posts,
        result.identities.len(),
        result.warnings.len(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / result.files as f64,
        peak_rss_kib() / 1024,
        before / 1024
    );
}
