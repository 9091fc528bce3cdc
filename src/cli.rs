//! The command line. Doc comments here are the `--help` text.

use std::path::PathBuf;

use blog_avatars::model::{HashAlgo, Provider};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Fetch commenters' avatars once at build time and serve them from your own site.
#[derive(Debug, Parser)]
#[command(name = "blog-avatars", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command of the product contract.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find identities, fetch and resize their avatars into the site, write the data file.
    Build {
        /// The site directory.
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Options shared by the site commands.
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Replace avatar URLs in already built HTML (any generator's output) with local files.
    #[command(mut_arg("config", |arg| arg.help(
        "Config file (default: DIR/blog-avatars.toml, else ./blog-avatars.toml; optional)"
    )))]
    Rewrite {
        /// The directory of built HTML.
        dir: PathBuf,
        /// Options shared by the site commands.
        #[command(flatten)]
        common: CommonArgs,
    },
    /// List the identities found and where; no network.
    Scan {
        /// The site directory.
        #[arg(default_value = ".")]
        site: PathBuf,
        /// The config and how to print.
        #[command(flatten)]
        common: SiteArgs,
    },
    /// Print the provider URL for one email, Gravatar hash or QQ number.
    Url(UrlArgs),
    /// Print the Gravatar profile URL of an email.
    Profile(ProfileArgs),
    /// Serve a local preview with the avatar upload page.
    Serve {
        /// The site directory.
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Port to listen on.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on (loopback unless you ask otherwise).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Pass the pages of the generator's own dev server at URL through (`hugo server`,
        /// `zola serve`, `jekyll serve`, `hexo server`; loopback only), adding the upload page
        /// and the build overlay.
        #[arg(long, value_name = "URL")]
        proxy: Option<String>,
        /// The flags of the builds it runs.
        #[command(flatten)]
        common: ServeArgs,
    },
    /// Set a site up: a commented config, the generator's avatar template piece, .gitignore lines.
    Init(InitArgs),
    /// Privacy audit of built output: avatar-host URLs and the site's identifiers (exit 3 if any).
    Check {
        /// The built folder to audit (e.g. `public`).
        dir: PathBuf,
        /// The site whose identities are searched for (default: the current folder).
        #[arg(long, value_name = "SITE")]
        site: Option<PathBuf>,
        /// Only look for avatar-host URLs; search for no identity (no site needed).
        #[arg(long, conflicts_with = "site")]
        hosts_only: bool,
        /// The config and how to print.
        #[command(flatten)]
        common: SiteArgs,
    },
    /// Inspect or empty the download cache.
    Cache {
        /// What to do with the cache.
        #[command(subcommand)]
        action: CacheAction,
    },
}

/// `cache` sub-commands.
#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Entries, bytes, oldest and newest, hits and misses of the last run.
    Stats {
        /// The site directory.
        #[arg(default_value = ".")]
        site: PathBuf,
        /// The config and how to print.
        #[command(flatten)]
        common: SiteArgs,
    },
    /// Remove cached downloads.
    Clean {
        /// The site directory.
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Only remove entries older than this, e.g. `30d`, `12h`, `90m`.
        #[arg(long, value_name = "DURATION")]
        older_than: Option<String>,
        /// The config and how to print.
        #[command(flatten)]
        common: SiteArgs,
    },
}

/// How the final report is printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ReportFormat {
    /// Lines for people.
    #[default]
    Human,
    /// One JSON document for machines.
    Json,
}

/// Flags shared by the commands that work on a site.
#[derive(Debug, Clone, Default, Args)]
pub struct CommonArgs {
    /// Config file (default: SITE/blog-avatars.toml, optional).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// No network: cache, local files and generated defaults only.
    #[arg(long)]
    pub offline: bool,
    /// Exit 3 if any identity fell back because of an error.
    #[arg(long)]
    pub strict: bool,
    /// Concurrent downloads (overrides [http] concurrency).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Format of the final report on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// No progress bar or progress lines.
    #[arg(long)]
    pub no_progress: bool,
    /// Plan only: write nothing, no network.
    #[arg(long)]
    pub dry_run: bool,
    /// Every identity that did not get its own avatar, with each provider's answer.
    #[arg(long, short)]
    pub verbose: bool,
    /// Re-hash every published avatar and cached download, instead of trusting those whose
    /// size and modification time are unchanged since the last build.
    #[arg(long)]
    pub verify: bool,
}

/// Flags of `scan` and `cache`, which read the site and print: no network, nothing to plan.
#[derive(Debug, Clone, Default, Args)]
pub struct SiteArgs {
    /// Config file (default: SITE/blog-avatars.toml, optional).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Format of the output on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Accepted for scripts that pass the same flags to every command; no network here anyway.
    #[arg(long, hide = true)]
    pub offline: bool,
    /// Accepted and unused, like `--offline` (still checked: `--jobs 0` is bad usage everywhere).
    #[arg(long, value_name = "N", hide = true, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Common flags that do nothing here.
    #[command(flatten)]
    pub unused: UnusedArgs,
}

/// Flags of `serve`: those of the builds it runs and how to print its address.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Config file (default: SITE/blog-avatars.toml, optional).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// No network: cache, local files and generated defaults only.
    #[arg(long)]
    pub offline: bool,
    /// Concurrent downloads (overrides [http] concurrency).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Format of the start-up message on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Common flags that do nothing here.
    #[command(flatten)]
    pub unused: UnusedArgs,
}

/// Common flags (see the contract) that mean nothing for a command: still accepted, so a script
/// that passes the same flags to every command keeps working, but hidden from its `--help`.
#[derive(Debug, Clone, Default, Args)]
pub struct UnusedArgs {
    /// `--strict`: only `build` and `rewrite` resolve identities.
    #[arg(long, hide = true)]
    pub strict: bool,
    /// `--dry-run`: only `build` and `rewrite` write avatars (`serve` refuses it).
    #[arg(long, hide = true)]
    pub dry_run: bool,
    /// `--no-progress`: only `build` and `rewrite` show progress.
    #[arg(long, hide = true)]
    pub no_progress: bool,
}

/// `url --provider`: the providers with a URL of their own ([`Provider::WITH_URLS`]), parsed
/// into the one [`Provider`] enum.
fn url_provider() -> impl TypedValueParser<Value = Provider> {
    let choices = Provider::WITH_URLS.map(|provider| {
        let help = match provider {
            Provider::Gravatar => "Gravatar",
            Provider::Libravatar => "Libravatar",
            Provider::Qq => "QQ",
            Provider::Github => "GitHub",
            Provider::Local | Provider::Url | Provider::Default => provider.as_str(),
        };
        PossibleValue::new(provider.as_str()).help(help)
    });
    PossibleValuesParser::new(choices).map(|name| {
        name.parse::<Provider>()
            .expect("every choice is a provider's name")
    })
}

/// `url --hash`: how Gravatar and Libravatar hash an email, as [`HashAlgo`].
fn hash_algo() -> impl TypedValueParser<Value = HashAlgo> {
    let choices = [
        PossibleValue::new("md5").help("MD5"),
        PossibleValue::new("sha256").help("SHA-256"),
    ];
    PossibleValuesParser::new(choices).map(|name| {
        name.parse::<HashAlgo>()
            .expect("every choice is a hash algorithm")
    })
}

/// `url` flags.
#[derive(Debug, Clone, Args)]
pub struct UrlArgs {
    /// An email, a 32/64-hex Gravatar hash, a QQ number, or (with --provider github) a user name.
    pub identity: String,
    /// Image size in pixels (1–2048).
    #[arg(long)]
    pub size: Option<u32>,
    /// Default image: 404, mm, mp, identicon, monsterid, wavatar, retro, robohash, blank, or a URL.
    #[arg(long)]
    pub default: Option<String>,
    /// Always show the default image.
    #[arg(long)]
    pub force_default: bool,
    /// Highest rating: g, pg, r or x.
    #[arg(long)]
    pub rating: Option<String>,
    /// Add `.jpg` after the hash.
    #[arg(long)]
    pub extension: bool,
    /// Use http instead of https.
    #[arg(long)]
    pub http: bool,
    /// Hash algorithm.
    #[arg(long, value_parser = hash_algo(), default_value = "md5")]
    pub hash: HashAlgo,
    /// Provider (default: Gravatar for emails and hashes, QQ for QQ numbers).
    #[arg(long, value_parser = url_provider())]
    pub provider: Option<Provider>,
}

/// `profile` flags.
#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// The email address (or its hash).
    pub email: String,
    /// Profile data format (default: the HTML profile page).
    #[arg(long, value_parser = ["json", "xml", "php", "vcf", "qr"])]
    pub format: Option<String>,
    /// Use http instead of https.
    #[arg(long)]
    pub http: bool,
}

/// `init` flags.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The site directory.
    #[arg(default_value = ".")]
    pub site: PathBuf,
    /// Replace files that exist (otherwise they are left alone).
    #[arg(long)]
    pub force: bool,
    /// List what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The generator, instead of detecting it.
    #[arg(long, value_enum)]
    pub layout: Option<InitLayout>,
    /// Format of the output on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
}

/// Layouts `init --layout` can force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitLayout {
    /// Zola.
    Zola,
    /// Hugo.
    Hugo,
    /// Jekyll.
    Jekyll,
    /// Hexo.
    Hexo,
    /// blog-avatars renders the blog itself.
    Native,
}
