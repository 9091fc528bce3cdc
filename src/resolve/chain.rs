//! The provider chain: for one identity, try each provider in the configured order until one has
//! an avatar that decodes.
//!
//! Each provider answers "here is an image", "has none" (go on: not an error — Gravatar's
//! `d=404`, no uploaded file) or an error (timeout, 5xx, refused address, bytes that are not an
//! image): recorded, then the chain goes on. The generated default always has an image, so with
//! `default` in the chain every identity ends with an avatar.

use std::path::{Path, PathBuf};

use crate::config::{Config, ProviderName};
use crate::fetch::{Body, Fetched, Fetcher, Trust};
use crate::identify::Identity;
use crate::net_guard::{UrlPolicy, check_content_url};
use crate::scan::{FoundIdentity, SiteLayout};

use super::{github, gravatar, identicon, libravatar, local, qq};

/// How one provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// It had an image, and the image was used.
    Found,
    /// It has no avatar for this identity (an answer, not an error).
    NoAvatar(String),
    /// It needs something this identity does not have (e.g. QQ for a GitHub name).
    NotApplicable,
    /// Not consulted: offline and nothing cached.
    Skipped(String),
    /// It failed; the chain went on.
    Error(String),
}

/// One provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Which provider.
    pub provider: ProviderName,
    /// What it said.
    pub outcome: AttemptOutcome,
}

/// A source image the chain settled on, not yet processed.
#[derive(Debug, Clone)]
pub struct SourceImage {
    /// The encoded bytes (a cached download or an identicon is read or drawn only if used).
    pub bytes: Body,
    /// A refresh failed and these are the last good cached bytes.
    pub stale: Option<String>,
    /// The refresh failed because the avatar URL from content is gone (404/410): this URL. Not
    /// an error (the server answered), but the image can no longer be refreshed.
    pub gone: Option<String>,
    /// The URL the bytes were fetched from, if they were: an unusable body is handed back to
    /// the fetcher, which restores the last good one.
    pub fetched_from: Option<String>,
}

/// Decides whether a candidate image is usable (decodes under limits); the build processes it
/// here so that a broken image makes the chain go on to the next provider.
pub trait ImageCheck: Sync {
    /// `Err(message)` when the bytes are not a usable image.
    fn accept(&self, bytes: &Body) -> Result<(), String>;
}

/// Everything the chain needs that is the same for every identity of a run.
pub struct Chain<'a> {
    config: &'a Config,
    layout: &'a SiteLayout,
    fetcher: &'a Fetcher,
    untrusted: Trust,
    policy: UrlPolicy,
    need_px: u32,
    uploads: local::Uploads,
}

/// The chain's verdict for one identity.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The provider that won, if any (none only when `default` is not in the chain).
    pub provider: Option<ProviderName>,
    /// The image to publish.
    pub image: Option<SourceImage>,
    /// Every provider consulted, in order.
    pub attempts: Vec<Attempt>,
}

impl Decision {
    /// True when some provider failed with an error (what `--strict` reports), including a
    /// failed refresh that fell back to the last good cached image.
    pub fn had_error(&self) -> bool {
        self.attempts
            .iter()
            .any(|a| matches!(a.outcome, AttemptOutcome::Error(_)))
            || self
                .image
                .as_ref()
                .is_some_and(|i| i.stale.is_some() && i.gone.is_none())
    }
}

/// The keys an identity can be looked up by: its own value and those found beside it.
#[derive(Debug, Default)]
struct Keys<'i> {
    emails: Vec<&'i str>,
    hashes: Vec<&'i str>,
    qqs: Vec<&'i str>,
    githubs: Vec<&'i str>,
    urls: Vec<&'i str>,
    files: Vec<&'i str>,
}

impl<'i> Keys<'i> {
    /// Own identity first, then linked ones. A URL or file identity stands for that image only.
    fn of(found: &'i FoundIdentity) -> Self {
        let mut keys = Self::default();
        keys.add(&found.identity);
        if !matches!(found.identity, Identity::Url(_) | Identity::File(_)) {
            for linked in &found.linked {
                keys.add(linked);
            }
        }
        keys
    }

    fn add(&mut self, identity: &'i Identity) {
        let push = |list: &mut Vec<&'i str>, value: &'i str| {
            if !list.contains(&value) {
                list.push(value);
            }
        };
        match identity {
            Identity::Email { address, qq } => {
                push(&mut self.emails, address);
                if let Some(qq) = qq {
                    push(&mut self.qqs, qq);
                }
            }
            Identity::Hash(hash) => push(&mut self.hashes, hash),
            Identity::Qq(qq) => push(&mut self.qqs, qq),
            Identity::Github(login) => push(&mut self.githubs, login),
            Identity::Url(url) => push(&mut self.urls, url),
            Identity::File(path) => push(&mut self.files, path),
        }
    }
}

/// What one provider produced for the chain loop.
enum Step {
    Image(SourceImage),
    Outcome(AttemptOutcome),
}

impl<'a> Chain<'a> {
    /// A chain for one run. `allow_ip` decides which resolved addresses content URLs may reach.
    pub fn new(config: &'a Config, layout: &'a SiteLayout, fetcher: &'a Fetcher) -> Self {
        let allow_private = config.url.allow_private;
        Self {
            config,
            layout,
            fetcher,
            // The scope names the rule, so an avatar cached under one is never served under the
            // other (see `Trust::Untrusted`).
            untrusted: Trust::untrusted_scoped(
                if allow_private { "private" } else { "public" },
                move |ip| allow_private || crate::net_guard::is_public_ip(ip),
            ),
            policy: UrlPolicy {
                allow_private,
                allow_hosts: config.url.allow_hosts.clone(),
            },
            need_px: config.largest_pixel_size(),
            uploads: local::Uploads::index(
                &crate::scan::published::local_dir(layout, &config.local),
                &layout.root,
            ),
        }
    }

    /// Runs the chain for one identity. Warnings about the content (refused URLs, missing files)
    /// go into `warnings` with the identity's first source.
    pub fn resolve(
        &self,
        found: &FoundIdentity,
        check: &dyn ImageCheck,
        warnings: &mut Vec<String>,
    ) -> Decision {
        let keys = Keys::of(found);
        let mut attempts = Vec::new();
        for &provider in &self.config.avatars.providers {
            let step = match provider {
                ProviderName::Local => self.local(found, &keys, warnings),
                ProviderName::Url => self.url(found, &keys, warnings),
                ProviderName::Gravatar => {
                    self.fetch_first(self.gravatar_urls(&keys), &Trust::Trusted)
                }
                ProviderName::Qq => self.qq(&keys),
                ProviderName::Libravatar => {
                    self.fetch_first(self.libravatar_urls(&keys), &Trust::Trusted)
                }
                ProviderName::Github => self.fetch_first(self.github_urls(&keys), &Trust::Trusted),
                ProviderName::Default => self.default(found),
            };
            let outcome = match step {
                Step::Image(image) => match check
                    .accept(&image.bytes)
                    .map(|()| image.clone())
                    .or_else(|message| self.last_good(provider, &image, message, check))
                {
                    Ok(image) => {
                        attempts.push(Attempt {
                            provider,
                            outcome: AttemptOutcome::Found,
                        });
                        return Decision {
                            provider: Some(provider),
                            image: Some(image),
                            attempts,
                        };
                    }
                    Err(message) => AttemptOutcome::Error(message),
                },
                Step::Outcome(outcome) => outcome,
            };
            attempts.push(Attempt { provider, outcome });
        }
        Decision {
            provider: None,
            image: None,
            attempts,
        }
    }

    /// For an unusable `image` (`message` says why) that was just downloaded over a good cached
    /// one: that last good one, restored by the fetcher and reported stale. Otherwise `message`.
    fn last_good(
        &self,
        provider: ProviderName,
        image: &SourceImage,
        message: String,
        check: &dyn ImageCheck,
    ) -> Result<SourceImage, String> {
        let Some(url) = &image.fetched_from else {
            return Err(message);
        };
        let trust = match provider {
            ProviderName::Url => &self.untrusted,
            _ => &Trust::Trusted,
        };
        match self.fetcher.reject(url, trust, &message) {
            Some(Fetched::Stale { body, error, .. }) if check.accept(&body).is_ok() => {
                Ok(SourceImage {
                    bytes: body,
                    stale: Some(error.to_string()),
                    gone: None,
                    fetched_from: None,
                })
            }
            _ => Err(message),
        }
    }

    /// Tries URLs in order; the first image wins, the first error is kept if none does.
    fn fetch_first(&self, urls: impl IntoIterator<Item = String>, trust: &Trust) -> Step {
        let mut result = Step::Outcome(AttemptOutcome::NotApplicable);
        for url in urls {
            match self.fetcher.get(&url, trust) {
                Fetched::Found { body, .. } => {
                    return Step::Image(SourceImage {
                        bytes: body,
                        stale: None,
                        gone: None,
                        fetched_from: Some(url),
                    });
                }
                Fetched::Stale { body, error, .. } => {
                    let gone = matches!(
                        error,
                        crate::fetch::FetchError::Status {
                            status: 404 | 410,
                            ..
                        }
                    )
                    .then(|| url.clone());
                    return Step::Image(SourceImage {
                        bytes: body,
                        stale: Some(error.to_string()),
                        gone,
                        fetched_from: Some(url),
                    });
                }
                Fetched::Missing { .. } => {
                    if !matches!(result, Step::Outcome(AttemptOutcome::Error(_))) {
                        result = Step::Outcome(AttemptOutcome::NoAvatar("not found (404)".into()));
                    }
                }
                Fetched::Failed { error } => {
                    result = Step::Outcome(AttemptOutcome::Error(error.to_string()));
                }
                Fetched::Offline => {
                    if matches!(result, Step::Outcome(AttemptOutcome::NotApplicable)) {
                        result =
                            Step::Outcome(AttemptOutcome::Skipped("offline and not cached".into()));
                    }
                }
            }
        }
        result
    }

    fn local(&self, found: &FoundIdentity, keys: &Keys<'_>, warnings: &mut Vec<String>) -> Step {
        let mut names: Vec<&str> = Vec::new();
        names.extend(&keys.emails);
        names.extend(&keys.qqs);
        names.extend(&keys.githubs);
        if let Some(path) = self.uploads.find(&names) {
            return read_local(path);
        }
        for file in &keys.files {
            match local::find_site_file(self.layout, file) {
                Ok(path) => return read_local(&path),
                Err(problem) => {
                    // Only the identity that *is* the file warns, so one bad path warns once.
                    if matches!(&found.identity, Identity::File(own) if own == file) {
                        warnings.push(problem);
                    }
                }
            }
        }
        if names.is_empty() && keys.files.is_empty() {
            Step::Outcome(AttemptOutcome::NotApplicable)
        } else {
            Step::Outcome(AttemptOutcome::NoAvatar("no uploaded file".into()))
        }
    }

    fn url(&self, found: &FoundIdentity, keys: &Keys<'_>, warnings: &mut Vec<String>) -> Step {
        let mut allowed = Vec::new();
        let mut refusal = None;
        for url in &keys.urls {
            match check_content_url(url, &self.policy) {
                Ok(()) => allowed.push((*url).to_owned()),
                Err(refused) => {
                    let message = format!("avatar URL refused: {refused}");
                    // Only the identity that *is* the URL warns: the email beside it in the same
                    // comment tries the same URL, and one refused URL is one warning.
                    if matches!(&found.identity, Identity::Url(own) if own == url) {
                        warnings.push(message.clone());
                    }
                    refusal = Some(message);
                }
            }
        }
        match (allowed.is_empty(), refusal) {
            (true, Some(message)) => Step::Outcome(AttemptOutcome::Error(message)),
            _ => self.fetch_first(allowed, &self.untrusted),
        }
    }

    fn gravatar_hashes(&self, keys: &Keys<'_>, algo: gravatar::HashAlgo) -> Vec<String> {
        let mut hashes: Vec<String> = keys
            .emails
            .iter()
            .map(|email| gravatar::email_hash(email, algo))
            .collect();
        hashes.extend(keys.hashes.iter().map(|hash| (*hash).to_owned()));
        hashes
    }

    fn gravatar_urls(&self, keys: &Keys<'_>) -> Vec<String> {
        let settings = &self.config.gravatar;
        self.gravatar_hashes(keys, settings.hash)
            .into_iter()
            .map(|hash| {
                gravatar::probe_url(&settings.base_url, &hash, self.need_px, settings.rating)
            })
            .collect()
    }

    fn libravatar_urls(&self, keys: &Keys<'_>) -> Vec<String> {
        let settings = &self.config.libravatar;
        self.gravatar_hashes(keys, settings.hash)
            .into_iter()
            .map(|hash| libravatar::probe_url(&settings.base_url, &hash, self.need_px))
            .collect()
    }

    fn github_urls(&self, keys: &Keys<'_>) -> Vec<String> {
        let base = &self.config.github.base_url;
        keys.githubs
            .iter()
            .map(|login| github::avatar_url(base, login, Some(self.need_px)))
            .collect()
    }

    fn qq_urls(&self, keys: &Keys<'_>) -> Vec<String> {
        let size = qq::qq_size_for(self.need_px);
        keys.qqs
            .iter()
            .map(|number| qq::avatar_url(&self.config.qq.base_url, number, size))
            .collect()
    }

    /// What the chain would try for `found`, provider by provider, without any I/O beyond
    /// listing uploads: URLs, local files, the default (for `--dry-run`).
    pub fn plan(&self, found: &FoundIdentity) -> Vec<(ProviderName, Vec<String>)> {
        let keys = Keys::of(found);
        self.config
            .avatars
            .providers
            .iter()
            .map(|&provider| {
                let steps = match provider {
                    ProviderName::Local => {
                        let mut names: Vec<&str> = Vec::new();
                        names.extend(&keys.emails);
                        names.extend(&keys.qqs);
                        names.extend(&keys.githubs);
                        let mut steps: Vec<String> = self
                            .uploads
                            .find(&names)
                            .map(|p| p.display().to_string())
                            .into_iter()
                            .collect();
                        steps.extend(keys.files.iter().map(|f| (*f).to_owned()));
                        steps
                    }
                    ProviderName::Url => keys
                        .urls
                        .iter()
                        .map(|url| match check_content_url(url, &self.policy) {
                            Ok(()) => (*url).to_owned(),
                            Err(refused) => format!("{url} (refused: {refused})"),
                        })
                        .collect(),
                    ProviderName::Gravatar => self.gravatar_urls(&keys),
                    ProviderName::Qq => self.qq_urls(&keys),
                    ProviderName::Libravatar => self.libravatar_urls(&keys),
                    ProviderName::Github => self.github_urls(&keys),
                    ProviderName::Default => vec![self.config.avatars.default.clone()],
                };
                (provider, steps)
            })
            .collect()
    }

    fn qq(&self, keys: &Keys<'_>) -> Step {
        let settings = &self.config.qq;
        let mut result = Step::Outcome(AttemptOutcome::NotApplicable);
        for number in &keys.qqs {
            let mut size = Some(qq::qq_size_for(self.need_px));
            while let Some(current) = size {
                let url = qq::avatar_url(&settings.base_url, number, current);
                match self.fetch_first([url], &Trust::Trusted) {
                    // qlogo answers a missing 640 px picture with a placeholder image.
                    Step::Image(image)
                        if qq::is_placeholder(&image.bytes, &settings.placeholder_md5) =>
                    {
                        size = qq::fallback_size(current);
                        result = Step::Outcome(AttemptOutcome::NoAvatar(
                            "only QQ's placeholder picture".into(),
                        ));
                    }
                    Step::Image(image) => return Step::Image(image),
                    Step::Outcome(outcome) => {
                        result = Step::Outcome(outcome);
                        size = None;
                    }
                }
            }
        }
        result
    }

    fn default(&self, found: &FoundIdentity) -> Step {
        let setting = self.config.avatars.default.trim();
        if setting == "identicon" {
            return Step::Image(SourceImage {
                bytes: identicon::source(found.identity.value(), self.need_px),
                stale: None,
                gone: None,
                fetched_from: None,
            });
        }
        let path = site_path(self.layout, Path::new(setting));
        match std::fs::read(&path) {
            Ok(bytes) => Step::Image(SourceImage {
                bytes: bytes.into(),
                stale: None,
                gone: None,
                fetched_from: None,
            }),
            Err(error) => Step::Outcome(AttemptOutcome::Error(format!(
                "default image {}: {error}",
                path.display()
            ))),
        }
    }
}

/// A config path: relative to the site unless absolute (the config is trusted).
fn site_path(layout: &SiteLayout, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        layout.root.join(path)
    }
}

fn read_local(path: &Path) -> Step {
    match std::fs::read(path) {
        Ok(bytes) => Step::Image(SourceImage {
            bytes: bytes.into(),
            stale: None,
            gone: None,
            fetched_from: None,
        }),
        Err(error) => Step::Outcome(AttemptOutcome::Error(format!(
            "{}: {error}",
            path.display()
        ))),
    }
}
