//! The `blog-avatars` binary: parse the command line, run the library, map outcomes to exit codes.

mod cli;
mod error_text;
mod progress;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use blog_avatars::{Error, report};
use cli::{CacheAction, Cli, Command, CommonArgs, ReportFormat, ServeArgs, SiteArgs};
use error_text::{error_text, is_broken_pipe};

/// Exit code for bad usage or invalid config.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            if is_broken_pipe(&error) {
                // `blog-avatars scan | head` is not a failure.
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", error_text(&error));
            let code = error
                .downcast_ref::<Error>()
                .map_or(1, |e| e.exit_code() as u8);
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan { site, common } => scan(&site, &common),
        Command::Build { site, common } => build(&site, &common),
        Command::Rewrite { dir, common } => rewrite(&dir, &common),
        Command::Url(args) => url(&args),
        Command::Profile(args) => profile(&args),
        Command::Serve {
            site,
            port,
            bind,
            proxy,
            common,
        } => serve(&site, port, &bind, proxy.as_deref(), &common),
        Command::Cache { action } => cache(&action),
        Command::Init(args) => init(&args),
        Command::Check {
            dir,
            site,
            hosts_only,
            common,
        } => check(&dir, site.as_deref(), hosts_only, &common),
    }
}

/// `serve`: build, serve with live reload and the upload page, until SIGINT or SIGTERM.
#[cfg(feature = "serve")]
fn serve(
    site: &std::path::Path,
    port: u16,
    bind: &str,
    proxy: Option<&str>,
    common: &ServeArgs,
) -> anyhow::Result<u8> {
    let Ok(bind) = bind.parse::<std::net::IpAddr>() else {
        eprintln!("error: --bind: `{bind}` is not an IP address (e.g. 127.0.0.1, ::1 or 0.0.0.0)");
        return Ok(EXIT_USAGE);
    };
    if common.unused.dry_run {
        eprintln!("error: serve cannot --dry-run: it serves the files a build writes");
        return Ok(EXIT_USAGE);
    }
    let mut options = blog_avatars::serve::ServeOptions::new(site);
    match proxy
        .map(blog_avatars::serve::ProxyTarget::parse)
        .transpose()
    {
        Ok(target) => options.proxy = target,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(EXIT_USAGE);
        }
    }
    options.config_path = common.config.clone();
    options.bind = bind;
    options.port = port;
    options.build.jobs = common.jobs.map(usize::from);
    options.build.offline = common.offline;
    if !common.quiet {
        options.log = blog_avatars::serve::Log::to(|line| eprintln!("{line}"));
    }
    let format = common.format;
    let quiet = common.quiet;
    let result = blog_avatars::serve::run(options, |info| {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let _ = match format {
            ReportFormat::Json => writeln!(
                out,
                "{}",
                serde_json::json!({
                    "url": info.base_url(),
                    "upload_url": info.upload_url(),
                    "layout": info.layout.to_string(),
                    "first_build": info.first_build,
                })
            ),
            ReportFormat::Human if !quiet => write!(out, "{}", info.describe()),
            ReportFormat::Human => Ok(()),
        };
        let _ = out.flush();
    });
    match result {
        Ok(()) => Ok(0),
        Err(error) => {
            let code = u8::try_from(error.exit_code()).unwrap_or(1);
            eprintln!("error: {}", error_text(&anyhow::Error::from(error)));
            Ok(code)
        }
    }
}

/// `serve` in a binary built without the `serve` feature.
#[cfg(not(feature = "serve"))]
fn serve(
    _site: &std::path::Path,
    _port: u16,
    _bind: &str,
    _proxy: Option<&str>,
    _common: &ServeArgs,
) -> anyhow::Result<u8> {
    eprintln!(
        "error: this blog-avatars was built without the `serve` feature \
         (rebuild with `--features serve`)"
    );
    Ok(EXIT_USAGE)
}

fn build(site: &std::path::Path, common: &CommonArgs) -> anyhow::Result<u8> {
    run_pipeline(blog_avatars::pipeline::build_site, site, common)
}

fn rewrite(dir: &std::path::Path, common: &CommonArgs) -> anyhow::Result<u8> {
    run_pipeline(
        blog_avatars::pipeline::rewrite_dir::rewrite_site,
        dir,
        common,
    )
}

/// The signature `build_site` and `rewrite_site` share: path, config, options.
type Pipeline = fn(
    &std::path::Path,
    Option<&std::path::Path>,
    &blog_avatars::pipeline::BuildOptions,
) -> blog_avatars::Result<blog_avatars::report::BuildReport>;

/// Runs `build` or `rewrite` with the common flags, prints the report, gives the exit code.
fn run_pipeline(
    pipeline: Pipeline,
    path: &std::path::Path,
    common: &CommonArgs,
) -> anyhow::Result<u8> {
    let options = blog_avatars::pipeline::BuildOptions {
        offline: common.offline,
        dry_run: common.dry_run,
        jobs: common.jobs.map(usize::from),
        verify: common.verify,
        observer: (!common.quiet && !common.no_progress).then(|| {
            std::sync::Arc::new(progress::Progress::default())
                as std::sync::Arc<dyn blog_avatars::pipeline::Observer>
        }),
    };
    let report = pipeline(path, common.config.as_deref(), &options)?;
    print_report(&report, common)?;
    Ok(report.exit_code(common.strict))
}

/// The final report on stdout, warnings on stderr (human format; JSON carries them inline).
fn print_report(report: &blog_avatars::report::BuildReport, common: &CommonArgs) -> io::Result<()> {
    // Buffered: stdout is line-buffered, and a report of thousands of identities would
    // otherwise cost a write per line.
    let mut out = io::BufWriter::new(io::stdout().lock());
    match common.format {
        ReportFormat::Json => report.write_json(&mut out)?,
        ReportFormat::Human => {
            if !common.quiet {
                let stderr = io::stderr();
                let mut err = stderr.lock();
                for warning in &report.warnings {
                    writeln!(err, "warning: {warning}")?;
                }
                // A --strict build that fails says which identities failed, and how.
                if common.verbose || (common.strict && report.errors > 0) {
                    report.write_human_verbose(&mut out)?;
                } else {
                    report.write_human(&mut out)?;
                }
            }
        }
    }
    out.flush()
}

fn cache(action: &CacheAction) -> anyhow::Result<u8> {
    use blog_avatars::cache::command as cache_command;
    let (site, common) = match action {
        CacheAction::Stats { site, common } | CacheAction::Clean { site, common, .. } => {
            (site, common)
        }
    };
    let (config, layout) = blog_avatars::open_site(site, common.config.as_deref())?;
    let dir = config.cache_dir(&layout.root);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match action {
        CacheAction::Stats { .. } => {
            let summary = cache_command::stats(&dir)?;
            match common.format {
                ReportFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &summary)?;
                    writeln!(out)?;
                }
                ReportFormat::Human if !common.quiet => summary.write_human(&mut out)?,
                ReportFormat::Human => {}
            }
        }
        CacheAction::Clean { older_than, .. } => {
            let older_than = match older_than.as_deref().map(humantime::parse_duration) {
                Some(Err(error)) => {
                    eprintln!("error: --older-than: {error} (use e.g. 30d, 12h, 90m)");
                    return Ok(EXIT_USAGE);
                }
                Some(Ok(duration)) => Some(duration),
                None => None,
            };
            let summary = cache_command::clean(&dir, older_than)?;
            match common.format {
                ReportFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &summary)?;
                    writeln!(out)?;
                }
                ReportFormat::Human if !common.quiet => writeln!(
                    out,
                    "removed {}, kept {}, freed {}",
                    report::count(summary.entries_removed as u64, "entry", "entries"),
                    summary.entries_kept,
                    report::count(summary.bytes_freed, "byte", "bytes")
                )?,
                ReportFormat::Human => {}
            }
        }
    }
    out.flush()?;
    Ok(0)
}

fn url(args: &cli::UrlArgs) -> anyhow::Result<u8> {
    use blog_avatars::resolve::lookup::{UrlRequest, url_for};
    let request = UrlRequest {
        identity: args.identity.clone(),
        provider: args.provider,
        size: args.size,
        default: args.default.clone(),
        force_default: args.force_default,
        rating: args.rating.clone(),
        extension: args.extension,
        http: args.http,
        hash: args.hash,
    };
    print_or_usage_error(url_for(&request))
}

fn profile(args: &cli::ProfileArgs) -> anyhow::Result<u8> {
    print_or_usage_error(blog_avatars::resolve::lookup::profile_for(
        &args.email,
        args.format.as_deref(),
        args.http,
    ))
}

/// Prints a URL, or the reason it cannot be built as a usage error (exit 2).
fn print_or_usage_error(
    result: Result<String, blog_avatars::resolve::lookup::LookupError>,
) -> anyhow::Result<u8> {
    match result {
        Ok(url) => {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            writeln!(out, "{url}")?;
            out.flush()?;
            Ok(0)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(EXIT_USAGE)
        }
    }
}

fn scan(site: &std::path::Path, common: &SiteArgs) -> anyhow::Result<u8> {
    let (config, layout) = blog_avatars::open_site(site, common.config.as_deref())?;
    let result = blog_avatars::scan_site(&layout, &config);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match common.format {
        ReportFormat::Json => report::write_scan_json(&result, &mut out)?,
        ReportFormat::Human => {
            report::write_scan_human(&result, &mut out)?;
            if !common.quiet {
                let stderr = io::stderr();
                let mut err = stderr.lock();
                for warning in &result.warnings {
                    writeln!(err, "warning: {warning}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(0)
}

/// `init`: set the site up for its generator, print what was written and what to run next.
fn init(args: &cli::InitArgs) -> anyhow::Result<u8> {
    use blog_avatars::config::LayoutChoice;
    let options = blog_avatars::init::InitOptions {
        force: args.force,
        dry_run: args.dry_run,
        layout: args.layout.map(|layout| match layout {
            cli::InitLayout::Zola => LayoutChoice::Zola,
            cli::InitLayout::Hugo => LayoutChoice::Hugo,
            cli::InitLayout::Jekyll => LayoutChoice::Jekyll,
            cli::InitLayout::Hexo => LayoutChoice::Hexo,
            cli::InitLayout::Native => LayoutChoice::Native,
        }),
    };
    let report = blog_avatars::init::init(&args.site, &options)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ReportFormat::Human => report.write_human(&mut out)?,
    }
    out.flush()?;
    Ok(0)
}

/// `check`: audits a built folder; exit 3 when anything is found. Identities come from the site
/// (`--site`, else the current folder); without a site it stops (exit 2) unless `--hosts-only`.
fn check(
    dir: &std::path::Path,
    site: Option<&std::path::Path>,
    hosts_only: bool,
    common: &SiteArgs,
) -> anyhow::Result<u8> {
    use blog_avatars::check::{Audit, check_dir, secrets_of};
    use blog_avatars::rewrite::Recognizer;
    let audit = if hosts_only {
        let hosts = match &common.config {
            Some(path) => blog_avatars::Config::load(dir, Some(path))?
                .rewrite
                .gravatar_hosts
                .clone(),
            None => Vec::new(),
        };
        Audit::new(Recognizer::new(&hosts), Vec::new())
    } else {
        let site_dir = site.unwrap_or(std::path::Path::new("."));
        let (config, layout) = match blog_avatars::open_site(site_dir, common.config.as_deref()) {
            Ok(opened) => opened,
            Err(error) if site.is_none() => {
                eprintln!(
                    "error: check: no site in the current folder to take identities from \
                     ({}); pass --site SITE, or --hosts-only to look for avatar hosts only",
                    error_text(&anyhow::Error::from(error))
                );
                return Ok(EXIT_USAGE);
            }
            Err(error) => return Err(error.into()),
        };
        let scan = blog_avatars::scan_site(&layout, &config);
        Audit::new(
            Recognizer::new(&config.rewrite.gravatar_hosts),
            secrets_of(&scan.identities),
        )
    };
    let report = check_dir(dir, &audit)?;
    // Buffered: stdout is line-buffered, and a report of thousands of identities would
    // otherwise cost a write per line.
    let mut out = io::BufWriter::new(io::stdout().lock());
    match common.format {
        ReportFormat::Json => report.write_json(&mut out)?,
        ReportFormat::Human if !common.quiet => {
            report.write_human(&dir.display().to_string(), &mut out)?;
        }
        ReportFormat::Human => {}
    }
    out.flush()?;
    Ok(report.exit_code())
}
