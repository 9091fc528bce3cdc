//! The keys an identity can be looked up by: its own value and those found beside it in the
//! same record (an email's QQ number, the GitHub name in the same comment).

use crate::model::Identity;
use crate::scan::FoundIdentity;

/// The keys an identity can be looked up by: its own value and those found beside it.
#[derive(Debug, Default)]
pub(super) struct Keys<'i> {
    pub(super) emails: Vec<&'i str>,
    pub(super) hashes: Vec<&'i str>,
    pub(super) qqs: Vec<&'i str>,
    pub(super) githubs: Vec<&'i str>,
    pub(super) urls: Vec<&'i str>,
    pub(super) files: Vec<&'i str>,
}

impl<'i> Keys<'i> {
    /// Own identity first, then linked ones. A URL or file identity stands for that image only.
    pub(super) fn of(found: &'i FoundIdentity) -> Self {
        let mut keys = Self::default();
        keys.add(&found.identity);
        if !matches!(found.identity, Identity::Url(_) | Identity::File(_)) {
            for linked in &found.linked {
                keys.add(linked);
            }
        }
        keys
    }

    /// The names an upload may be filed under: emails, QQ numbers, GitHub names.
    pub(super) fn upload_names(&self) -> Vec<&'i str> {
        let mut names: Vec<&str> = Vec::new();
        names.extend(&self.emails);
        names.extend(&self.qqs);
        names.extend(&self.githubs);
        names
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
