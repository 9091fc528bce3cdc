//! The URLs each provider would try for an identity, and the `--dry-run` plan built from them.

use crate::model::Provider;
use crate::model::status::Status;
use crate::net_guard::check_content_url;
use crate::scan::FoundIdentity;

use super::super::{github, gravatar, libravatar, qq};
use super::Chain;
use super::keys::Keys;
use crate::model::status::Attempt;

impl Chain<'_> {
    fn gravatar_hashes(&self, keys: &Keys<'_>, algo: crate::model::HashAlgo) -> Vec<String> {
        let mut hashes: Vec<String> = keys
            .emails
            .iter()
            .map(|email| gravatar::email_hash(email, algo))
            .collect();
        hashes.extend(keys.hashes.iter().map(|hash| (*hash).to_owned()));
        hashes
    }

    pub(super) fn gravatar_urls(&self, keys: &Keys<'_>) -> Vec<String> {
        let settings = &self.config.gravatar;
        self.gravatar_hashes(keys, settings.hash)
            .into_iter()
            .map(|hash| {
                gravatar::probe_url(&settings.base_url, &hash, self.need_px, settings.rating)
            })
            .collect()
    }

    pub(super) fn libravatar_urls(&self, keys: &Keys<'_>) -> Vec<String> {
        let settings = &self.config.libravatar;
        self.gravatar_hashes(keys, settings.hash)
            .into_iter()
            .map(|hash| libravatar::probe_url(&settings.base_url, &hash, self.need_px))
            .collect()
    }

    pub(super) fn github_urls(&self, keys: &Keys<'_>) -> Vec<String> {
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
    /// listing uploads: URLs, local files, the default (for `--dry-run`). A provider with
    /// nothing to try for this identity is [`Status::NotApplicable`], as in a real build.
    pub fn plan(&self, found: &FoundIdentity) -> Vec<Attempt> {
        let keys = Keys::of(found);
        self.config
            .avatars
            .providers
            .iter()
            .map(|&provider| {
                let steps = match provider {
                    Provider::Local => {
                        let mut steps: Vec<String> = self
                            .uploads
                            .find(&keys.upload_names())
                            .map(|p| p.display().to_string())
                            .into_iter()
                            .collect();
                        steps.extend(keys.files.iter().map(|f| (*f).to_owned()));
                        steps
                    }
                    Provider::Url => keys
                        .urls
                        .iter()
                        .map(|url| match check_content_url(url, &self.policy) {
                            Ok(()) => (*url).to_owned(),
                            Err(refused) => format!("{url} (refused: {refused})"),
                        })
                        .collect(),
                    Provider::Gravatar => self.gravatar_urls(&keys),
                    Provider::Qq => self.qq_urls(&keys),
                    Provider::Libravatar => self.libravatar_urls(&keys),
                    Provider::Github => self.github_urls(&keys),
                    Provider::Default => vec![self.config.avatars.default.clone()],
                };
                let status = if steps.is_empty() {
                    Status::NotApplicable
                } else {
                    Status::Planned(steps)
                };
                Attempt { provider, status }
            })
            .collect()
    }
}
