//! End-to-end build benchmark: `blog-avatars build` against the network floor and against Hugo
//! doing the same job with `resources.GetRemote` + `.Fill`, on one generated corpus served by a
//! loopback avatar service with a fixed latency.
//!
//! `bench/run` is the documented entry point (it builds release binaries and installs Hugo);
//! directly: `cargo bench --bench build -- --identities 1000 --latency-ms 100`. Every option
//! also reads an environment variable (`BENCH_POSTS`, `BENCH_COMMENTS`, `BENCH_IDENTITIES`,
//! `BENCH_LATENCY_MS`, `BENCH_CONCURRENCY`, `BENCH_LAYOUT`, `BENCH_HUGO`, `BENCH_PRESET`); see
//! `--help`. `--preset scale` is issue #16's corpus (a Hugo site, 200,000 comments by 20,000
//! commenters, one in ten with a Gravatar, no added latency, no Hugo run): it also times
//! `blog-avatars scan` on the same site and prints the warm build ÷ scan, the warm build's
//! requests, peak RSS cold / warm and CPU per commenter cold; `--preset scale-1m` is the same at
//! 1,000,000 comments by 100,000 commenters.
//! Not a test: nothing here runs in CI and no time is asserted, only that each tool did the job.

mod corpus;
mod hugo;
mod measure;
mod server;
mod summary;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use serde_json::Value;

use corpus::{Kind, Mix, Shape};
use measure::Measured;
use server::Pictures;
use summary::{print_run, scale_summary, summary};

/// Benchmark `blog-avatars build` against the network floor and Hugo.
#[derive(Parser, Debug)]
struct Args {
    /// A named corpus: `scale` (200,000 comments by 20,000 commenters, Hugo layout, 10 %
    /// Gravatar, 90 % default, no latency, no Hugo run, `scan` timed too) or `scale-1m`
    /// (1,000,000 by 100,000); other options still override its values (env BENCH_PRESET).
    #[arg(long)]
    preset: Option<String>,
    /// Posts (env BENCH_POSTS).
    #[arg(long)]
    posts: Option<usize>,
    /// Comments, spread over the posts (env BENCH_COMMENTS).
    #[arg(long)]
    comments: Option<usize>,
    /// Distinct commenters (env BENCH_IDENTITIES).
    #[arg(long)]
    identities: Option<usize>,
    /// Server latency per answer, in ms (env BENCH_LATENCY_MS).
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Our `[http] concurrency` (env BENCH_CONCURRENCY).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Our site layout: `native` or `hugo` (env BENCH_LAYOUT).
    #[arg(long)]
    layout: Option<String>,
    /// Hugo settings to run: `default`, `16`, both comma-separated, or `none` (env BENCH_HUGO).
    #[arg(long)]
    hugo: Option<String>,
    /// The binary to measure (default: this build's `blog-avatars`).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Write our cold build's request arrival times (seconds after spawn, one a line) here.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Keep the generated sites in this directory instead of a temp dir.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// `cargo bench` passes this; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// A setting from the command line, else the environment, else `default`.
fn setting<T: std::str::FromStr>(arg: Option<T>, env: &str, default: T) -> Result<T> {
    if let Some(value) = arg {
        return Ok(value);
    }
    match std::env::var(env) {
        Ok(text) => text
            .parse()
            .map_err(|_| anyhow::anyhow!("{env}={text:?} is not a valid value")),
        Err(_) => Ok(default),
    }
}

struct Settings {
    shape: Shape,
    /// Time `scan` too and print issue #16's figures.
    scale: bool,
    latency: Duration,
    concurrency: usize,
    layout: String,
    hugo: Vec<Option<u32>>,
    binary: PathBuf,
    trace: Option<PathBuf>,
}

/// Defaults a preset gives: (posts, comments, identities, latency ms, layout, hugo, mix).
type Preset = (
    usize,
    Option<usize>,
    usize,
    u64,
    &'static str,
    &'static str,
    Mix,
);

fn preset(name: &str) -> Result<Preset> {
    Ok(match name {
        "" | "default" => (100, None, 300, 100, "native", "default,16", Mix::Standard),
        "scale" => (
            2_000,
            Some(200_000),
            20_000,
            0,
            "hugo",
            "none",
            Mix::GravatarOrDefault,
        ),
        "scale-1m" => (
            10_000,
            Some(1_000_000),
            100_000,
            0,
            "hugo",
            "none",
            Mix::GravatarOrDefault,
        ),
        other => bail!("unknown preset {other:?}: want scale or scale-1m"),
    })
}

fn settings(args: Args) -> Result<(Settings, Option<PathBuf>)> {
    let preset_name = setting(args.preset, "BENCH_PRESET", String::new())?;
    let (posts, comments, identities, latency_ms, layout, hugo, mix) = preset(&preset_name)?;
    let identities = setting(args.identities, "BENCH_IDENTITIES", identities)?;
    let shape = Shape {
        posts: setting(args.posts, "BENCH_POSTS", posts)?.max(1),
        comments: setting(
            args.comments,
            "BENCH_COMMENTS",
            comments.unwrap_or(identities * 3),
        )?,
        identities: identities.max(1),
        mix,
    };
    let layout = setting(args.layout, "BENCH_LAYOUT", layout.to_owned())?;
    ensure!(
        matches!(layout.as_str(), "native" | "hugo"),
        "layout must be native or hugo, not {layout:?}"
    );
    let hugo_list = setting(args.hugo, "BENCH_HUGO", hugo.to_owned())?;
    let mut hugo = Vec::new();
    for item in hugo_list.split(',').map(str::trim) {
        match item {
            "none" | "" => {}
            "default" => hugo.push(None),
            n => hugo.push(Some(n.parse().with_context(|| {
                format!("Hugo setting {n:?}: want default, a multiplier or none")
            })?)),
        }
    }
    let binary = args
        .binary
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_blog-avatars")));
    let settings = Settings {
        shape,
        scale: preset_name.starts_with("scale"),
        latency: Duration::from_millis(setting(args.latency_ms, "BENCH_LATENCY_MS", latency_ms)?),
        concurrency: setting(args.concurrency, "BENCH_CONCURRENCY", 16)?.max(1),
        layout,
        hugo,
        binary,
        trace: args.trace,
    };
    Ok((settings, args.keep))
}

fn main() -> Result<()> {
    let (settings, keep) = settings(Args::parse())?;
    ensure!(
        Path::new(measure::GNU_TIME).exists(),
        "{} is missing (Debian package `time`)",
        measure::GNU_TIME
    );
    let temp = tempfile::tempdir()?;
    let root = keep.unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&root)?;
    let shape = settings.shape;

    let started = Instant::now();
    let pictures = Arc::new(Pictures::generate(&shape));
    let (server, timeline) = server::start(
        &shape,
        pictures.clone(),
        settings.latency,
        settings.trace.is_some(),
    );
    let service = (&server, &*timeline);
    let origin = server.url("");
    let ours = root.join("ours");
    write_our_site(&ours, &settings, &origin, &pictures)?;
    println!(
        "corpus: {} posts, {} comments, {} identities ({}), server latency {} ms, \
         our concurrency {}, {} layout; generated in {:.1} s",
        shape.posts,
        shape.comments,
        shape.identities,
        mix(&shape),
        settings.latency.as_millis(),
        settings.concurrency,
        settings.layout,
        started.elapsed().as_secs_f64()
    );

    let scan = if settings.scale {
        let mut command = Command::new(&settings.binary);
        command.arg("scan").arg(&ours).arg("--no-progress");
        let scan = measure::run(command, service, &root)?;
        print_run("blog-avatars scan", &scan);
        Some(scan)
    } else {
        None
    };

    let mut command = Command::new(&settings.binary);
    command
        .arg("build")
        .arg(&ours)
        .args(["--format", "json", "--no-progress"]);
    let cold = measure::run(clone_command(&command), service, &root)?;
    check_our_report(&cold, &shape, false).context("cold build")?;
    if let Some(path) = &settings.trace {
        let lines: String = cold.arrivals.iter().map(|t| format!("{t:.6}\n")).collect();
        std::fs::write(path, lines).with_context(|| format!("write {}", path.display()))?;
    }
    print_run("blog-avatars cold", &cold);
    let warm = measure::run(command, service, &root)?;
    check_our_report(&warm, &shape, true).context("warm build")?;
    print_run("blog-avatars warm", &warm);

    let mut hugo_results = Vec::new();
    if !settings.hugo.is_empty() {
        let version = hugo::version().context("hugo is not installed (bench/run installs it)")?;
        println!("{version}");
        let site = root.join("hugo");
        hugo::write_site(&site, &shape, &origin, &pictures)?;
        for &multiplier in &settings.hugo {
            let run = hugo::HugoRun {
                site: site.clone(),
                cache_dir: root.join("hugo-cache"),
                multiplier,
            };
            let name = match multiplier {
                Some(m) => format!("hugo {m}x workers"),
                None => "hugo default workers".to_owned(),
            };
            run.make_cold()?;
            let hugo_cold = measure::run(run.command(), service, &root)?;
            check_hugo_output(&site, &shape).with_context(|| format!("{name} cold"))?;
            print_run(&format!("{name} cold"), &hugo_cold);
            let hugo_warm = measure::run(run.command(), service, &root)?;
            print_run(&format!("{name} warm"), &hugo_warm);
            hugo_results.push((name, hugo_cold, hugo_warm));
        }
    }
    summary(&settings, &cold, &warm, &hugo_results);
    if let Some(scan) = &scan {
        scale_summary(&settings.shape, scan, &cold, &warm);
    }
    drop(server);
    Ok(())
}

fn clone_command(command: &Command) -> Command {
    let mut copy = Command::new(command.get_program());
    copy.args(command.get_args());
    copy
}

fn write_our_site(
    site: &Path,
    settings: &Settings,
    origin: &str,
    pictures: &Pictures,
) -> Result<()> {
    corpus::write_posts_and_comments(site, &settings.shape, origin)?;
    corpus::write_uploads(&site.join("avatars"), &settings.shape, |i| {
        pictures.upload.picture(i)
    })?;
    std::fs::write(
        site.join("blog-avatars.toml"),
        corpus::our_config(origin, settings.concurrency),
    )?;
    if settings.layout == "hugo" {
        std::fs::write(
            site.join("hugo.toml"),
            "baseURL = \"https://blog.example.org/\"\n",
        )?;
    }
    Ok(())
}

fn mix(shape: &Shape) -> String {
    [
        (Kind::Gravatar, "Gravatar"),
        (Kind::GravatarThenQq, "Gravatar 404 then QQ"),
        (Kind::QqOnly, "QQ only"),
        (Kind::Upload, "uploads"),
        (Kind::Url, "URLs"),
        (Kind::Default, "defaults"),
    ]
    .iter()
    .map(|&(kind, name)| format!("{} {name}", shape.count(kind)))
    .collect::<Vec<_>>()
    .join(", ")
}

/// Our report must show every identity resolved by the provider its kind implies, no errors,
/// and, when warm, no request.
fn check_our_report(run: &Measured, shape: &Shape, warm: bool) -> Result<()> {
    let report: Value = serde_json::from_slice(&run.stdout).context("parse our JSON report")?;
    let expected = [
        ("gravatar", shape.count(Kind::Gravatar)),
        (
            "qq",
            shape.count(Kind::GravatarThenQq) + shape.count(Kind::QqOnly),
        ),
        ("local", shape.count(Kind::Upload)),
        ("url", shape.count(Kind::Url)),
        ("default", shape.count(Kind::Default)),
    ];
    for (provider, count) in expected {
        let got = report["totals"][provider].as_u64().unwrap_or(0);
        ensure!(
            got == count as u64,
            "{provider}: {got} identities, expected {count}; totals {}",
            report["totals"]
        );
    }
    ensure!(report["errors"] == 0, "errors: {}", report["errors"]);
    if warm {
        ensure!(
            run.requests == 0,
            "warm build made {} requests",
            run.requests
        );
    }
    let reported = report["network"]["requests"].as_u64().unwrap_or(0);
    ensure!(
        reported == run.requests,
        "report says {reported} requests, the server saw {}",
        run.requests
    );
    Ok(())
}

/// Hugo must have written every post with one avatar per comment.
fn check_hugo_output(site: &Path, shape: &Shape) -> Result<()> {
    let mut images = 0;
    for k in 0..shape.posts {
        let page = site.join(format!("public/posts/post-{k}/index.html"));
        let html =
            std::fs::read_to_string(&page).with_context(|| format!("read {}", page.display()))?;
        images += html.matches("<img ").count();
    }
    if images != shape.comments {
        bail!(
            "Hugo wrote {images} avatars for {} comments",
            shape.comments
        );
    }
    Ok(())
}
