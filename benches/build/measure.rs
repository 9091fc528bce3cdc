//! Running one tool: wall time, peak RSS (GNU time's "maximum resident set size") and the
//! requests the loopback server saw meanwhile.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use blog_avatars::testkit::TestServer;

use crate::server::Timeline;

/// GNU time, which reports the child's peak RSS in KiB with `%M`.
pub const GNU_TIME: &str = "/usr/bin/time";

/// What one run cost.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak resident set size of the process, in bytes.
    pub peak_rss: u64,
    /// User plus system CPU time of the process.
    pub cpu: Duration,
    /// From spawn to the first request, and from the last request's arrival to exit.
    pub edges: Option<(Duration, Duration)>,
    /// Request arrivals in seconds after spawn (only when tracing).
    pub arrivals: Vec<f64>,
    /// Requests the server received during the run.
    pub requests: u64,
    /// The tool's stdout.
    pub stdout: Vec<u8>,
}

/// Runs `command` to completion under GNU time; fails unless it exits 0.
pub fn run(
    command: Command,
    (server, timeline): (&TestServer, &Timeline),
    scratch: &Path,
) -> Result<Measured> {
    let rss_file = scratch.join("peak-rss.txt");
    let mut timed = Command::new(GNU_TIME);
    timed
        .arg("-f")
        .arg("%M %U %S")
        .arg("-o")
        .arg(&rss_file)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        timed.current_dir(dir);
    }
    // The loopback server is the only target: no proxy may intercept it.
    for proxy in [
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
    ] {
        timed.env_remove(proxy);
    }
    let before = server.request_count();
    timeline.reset();
    let started = Instant::now();
    let output = timed
        .output()
        .with_context(|| format!("run {:?}", command.get_program()))?;
    let ended = Instant::now();
    let wall = ended - started;
    let edges = timeline
        .span()
        .map(|(first, last)| (first - started, ended - last));
    let requests = server.request_count() - before;
    if !output.status.success() {
        bail!(
            "{:?} failed ({}):\n{}\n{}",
            command,
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let rss_text = std::fs::read_to_string(&rss_file).context("read GNU time's output")?;
    // The last line; earlier ones may be GNU time's notes about the exit status.
    let fields: Vec<&str> = rss_text
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let (kib, cpu) = match fields[..] {
        [rss, user, system] => (
            rss.parse::<u64>().ok(),
            user.parse::<f64>().ok().zip(system.parse::<f64>().ok()),
        ),
        _ => (None, None),
    };
    let (Some(kib), Some((user, system))) = (kib, cpu) else {
        bail!("unexpected GNU time output {rss_text:?}");
    };
    Ok(Measured {
        wall,
        peak_rss: kib * 1024,
        cpu: Duration::from_secs_f64(user + system),
        edges,
        arrivals: timeline.arrivals(started),
        requests,
        stdout: output.stdout,
    })
}
