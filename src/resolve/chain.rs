//! The provider chain: for one identity, try each provider in the configured order until one has
//! an avatar that decodes.
//!
//! Each provider answers "here is an image", "has none" (go on: not an error — Gravatar's
//! `d=404`, no uploaded file) or an error (timeout, 5xx, refused address, bytes that are not an
//! image): recorded, then the chain goes on. The generated default always has an image, so with
//! `default` in the chain every identity ends with an avatar.

mod keys;
mod plan;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::fetch::{FetchError, Fetched, Fetcher, Trust};
use crate::model::Identity;
use crate::model::Provider;
use crate::model::status::{Attempt, AttemptError, ErrorKind, NoAvatar, Skip, Status};
use crate::net_guard::{UrlPolicy, check_content_url};
use crate::scan::{FoundIdentity, SiteLayout};

pub use super::decision::{Decision, ImageCheck, ImageRejected, SourceImage};
use super::{identicon, local, qq};
use keys::Keys;

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

/// What one provider produced for the chain loop.
enum Step {
    Image(SourceImage),
    Outcome(Status),
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
                Provider::Local => self.local(found, &keys, warnings),
                Provider::Url => self.url(found, &keys, warnings),
                Provider::Gravatar => self.fetch_first(self.gravatar_urls(&keys), &Trust::Trusted),
                Provider::Qq => self.qq(&keys),
                Provider::Libravatar => {
                    self.fetch_first(self.libravatar_urls(&keys), &Trust::Trusted)
                }
                Provider::Github => self.fetch_first(self.github_urls(&keys), &Trust::Trusted),
                Provider::Default => self.default(found),
            };
            let status = match step {
                Step::Image(image) => match check
                    .accept(&image.bytes)
                    .map(|()| image.clone())
                    .or_else(|rejected| self.last_good(provider, &image, rejected, check))
                {
                    Ok(image) => {
                        attempts.push(Attempt {
                            provider,
                            status: Status::Found,
                        });
                        return Decision {
                            provider: Some(provider),
                            image: Some(image),
                            attempts,
                        };
                    }
                    Err(rejected) => {
                        Status::Error(AttemptError::new(rejected.kind(), rejected.to_string()))
                    }
                },
                Step::Outcome(status) => status,
            };
            attempts.push(Attempt { provider, status });
        }
        Decision {
            provider: None,
            image: None,
            attempts,
        }
    }

    /// For an unusable `image` (`rejected` says why) that was just downloaded over a good
    /// cached one: that last good one, restored by the fetcher and reported stale. Otherwise
    /// `rejected`.
    fn last_good(
        &self,
        provider: Provider,
        image: &SourceImage,
        rejected: ImageRejected,
        check: &dyn ImageCheck,
    ) -> Result<SourceImage, ImageRejected> {
        let Some(url) = &image.fetched_from else {
            return Err(rejected);
        };
        let trust = match provider {
            Provider::Url => &self.untrusted,
            _ => &Trust::Trusted,
        };
        match self.fetcher.reject(url, trust, &rejected.to_string()) {
            Some(Fetched::Stale { body, error, .. }) if check.accept(&body).is_ok() => {
                Ok(SourceImage {
                    bytes: body,
                    stale: Some(error.to_string()),
                    gone: None,
                    fetched_from: None,
                })
            }
            _ => Err(rejected),
        }
    }

    /// Tries URLs in order; the first image wins, the first error is kept if none does.
    fn fetch_first(&self, urls: impl IntoIterator<Item = String>, trust: &Trust) -> Step {
        let mut result = Step::Outcome(Status::NotApplicable);
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
                        FetchError::Status {
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
                    if !matches!(result, Step::Outcome(Status::Error(_))) {
                        result = Step::Outcome(Status::NoAvatar(NoAvatar::NotFound));
                    }
                }
                Fetched::Failed { error } => {
                    result = Step::Outcome(Status::Error(attempt_error(&error)));
                }
                Fetched::Offline => {
                    if matches!(result, Step::Outcome(Status::NotApplicable)) {
                        result = Step::Outcome(Status::Skipped(Skip::Offline));
                    }
                }
            }
        }
        result
    }

    fn local(&self, found: &FoundIdentity, keys: &Keys<'_>, warnings: &mut Vec<String>) -> Step {
        let names = keys.upload_names();
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
            Step::Outcome(Status::NotApplicable)
        } else {
            Step::Outcome(Status::NoAvatar(NoAvatar::NoUpload))
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
            (true, Some(message)) => Step::Outcome(Status::Error(AttemptError::new(
                ErrorKind::Refused,
                message,
            ))),
            _ => self.fetch_first(allowed, &self.untrusted),
        }
    }

    fn qq(&self, keys: &Keys<'_>) -> Step {
        let settings = &self.config.qq;
        let mut result = Step::Outcome(Status::NotApplicable);
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
                        result = Step::Outcome(Status::NoAvatar(NoAvatar::QqPlaceholder));
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
            Err(error) => Step::Outcome(Status::Error(AttemptError::new(
                ErrorKind::File,
                format!("default image {}: {error}", path.display()),
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
        Err(error) => Step::Outcome(Status::Error(AttemptError::new(
            ErrorKind::File,
            format!("{}: {error}", path.display()),
        ))),
    }
}

/// A failed request as an attempt error: its message, and the kinds the report tells apart.
fn attempt_error(error: &FetchError) -> AttemptError {
    let kind = match error {
        FetchError::HostDown { .. } => ErrorKind::HostDown,
        FetchError::Deadline { .. } => ErrorKind::Deadline,
        _ => ErrorKind::Network,
    };
    AttemptError::new(kind, error.to_string())
}
