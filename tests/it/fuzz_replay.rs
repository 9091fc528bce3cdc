//! The fuzz targets on stable Rust: every saved crash (`fuzz/regressions/<target>/`) and seed
//! (`fuzz/seeds/<target>/`) goes through the same bodies the cargo-fuzz targets run, and so do a
//! few thousand deterministic mutations of the seeds, so CI keeps what fuzzing found fixed.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/lib.rs"]
mod harness;

type Body = fn(&[u8]);

/// Each target with the mutations per seed [`mutated_seeds_pass`] runs (images are slow to
/// decode and encode in a debug build).
const TARGETS: &[(&str, Body, usize)] = &[
    ("front_matter", harness::front_matter, 40),
    ("identity", harness::identity, 400),
    ("url_guard", harness::url_guard, 400),
    ("image", harness::decode_image, 60),
    ("srcset", harness::srcset, 400),
    ("rewrite_html", harness::rewrite_html, 60),
];

/// Seeds that live elsewhere in the repository rather than as copies under `fuzz/seeds/`
/// (the README's fuzz command passes the same directory).
const SEED_DIRS: &[(&str, &str)] = &[("rewrite_html", "fixtures/rewrite")];

fn files(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = match SEED_DIRS
        .iter()
        .find(|(t, _)| kind == "seeds" && *t == target)
    {
        Some((_, dir)) => root.join(dir),
        None => root.join("fuzz").join(kind).join(target),
    };
    // Git keeps no empty directories: a target with no saved crash has no regressions folder.
    if kind == "regressions" && !dir.exists() {
        return Vec::new();
    }
    assert!(dir.is_dir(), "{} is missing", dir.display());
    // Recursive, as libFuzzer reads corpus directories.
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Runs `body`, turning a panic into a message naming the input.
fn check(body: Body, input: &[u8], name: &dyn std::fmt::Display) -> Result<(), String> {
    std::panic::catch_unwind(|| body(input)).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        format!("{name}: {message}")
    })
}

#[test]
fn saved_crashes_and_seeds_pass() {
    let mut failures = Vec::new();
    for &(target, body, _) in TARGETS {
        let seeds = files("seeds", target);
        assert!(!seeds.is_empty(), "no seeds for {target}");
        for (path, bytes) in files("regressions", target).into_iter().chain(seeds) {
            failures.extend(check(body, &bytes, &path.display()).err());
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// xorshift64*: reproducible mutations without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to the parsers under test.
const INTERESTING: &[&[u8]] = &[
    b"---\n",
    b"+++\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"&a ",
    b"*a",
    b": ",
    b"\n",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\0",
    b"@",
    b"..",
    b"/",
    b"\\",
    b"%2e",
    b"0x",
    b"0",
    b"[::ffff:",
    b"]",
    b"://",
    b"localhost",
    b"127.1",
    b"email: ",
    b"avatar: ",
    b"comments:\n  - ",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 if at < bytes.len() => {
                let end = (at + 1 + rng.below(8)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                let token = INTERESTING[rng.below(INTERESTING.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            3 if at < bytes.len() => {
                // Repeat a slice: long runs, deep nesting.
                let end = (at + 1 + rng.below(16)).min(bytes.len());
                let piece = bytes[at..end].repeat(1 + rng.below(64));
                bytes.splice(at..at, piece);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

#[test]
fn mutated_seeds_pass() {
    let mut failures = Vec::new();
    for &(target, body, mutations) in TARGETS {
        let started = std::time::Instant::now();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ target.len() as u64);
        for (path, seed) in files("seeds", target) {
            for round in 0..mutations {
                let input = mutate(&mut rng, &seed);
                let name = format!("{} mutation {round} ({:?})", path.display(), input);
                failures.extend(check(body, &input, &name).err());
            }
        }
        eprintln!("{target}: {:?}", started.elapsed());
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
