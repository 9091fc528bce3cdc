//! The one provider enum: the links of the chain (`[avatars] providers`), the `url --provider`
//! choices and the `provider` of each data file entry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A provider of avatars. The lower-case names are the contract (config, CLI, data file).
///
/// The variant order is the default chain's order (and the sort order of reports).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Uploaded files in `[local] dir`, or an `avatar` path inside the site.
    Local,
    /// An explicit `avatar` URL from content.
    Url,
    /// Gravatar or a mirror, from an email address or hash.
    Gravatar,
    /// QQ avatars (qlogo), from a QQ number or a `<number>@qq.com` address.
    Qq,
    /// Libravatar, from an email address or hash.
    Libravatar,
    /// GitHub user avatars, from a user name.
    Github,
    /// The generated or configured default.
    Default,
}

impl Provider {
    /// Every provider, in the default chain's order.
    pub const ALL: [Provider; 7] = [
        Provider::Local,
        Provider::Url,
        Provider::Gravatar,
        Provider::Qq,
        Provider::Libravatar,
        Provider::Github,
        Provider::Default,
    ];

    /// The providers that turn an identity into a public URL of their own (what `url
    /// --provider` offers), in the order the CLI lists them.
    pub const WITH_URLS: [Provider; 4] = [
        Provider::Gravatar,
        Provider::Libravatar,
        Provider::Qq,
        Provider::Github,
    ];

    /// The name as written in the config, on the command line and in the data file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Url => "url",
            Self::Gravatar => "gravatar",
            Self::Qq => "qq",
            Self::Libravatar => "libravatar",
            Self::Github => "github",
            Self::Default => "default",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no provider's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {0:?}: expected local, url, gravatar, qq, libravatar, github or default")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// Any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for provider in Provider::ALL {
            assert_eq!(provider.as_str().parse::<Provider>(), Ok(provider));
            let json = serde_json::to_string(&provider).unwrap();
            assert_eq!(json, format!("\"{provider}\""));
            assert_eq!(serde_json::from_str::<Provider>(&json).unwrap(), provider);
        }
        assert_eq!("GitHub".parse::<Provider>(), Ok(Provider::Github));
        assert!("weibo".parse::<Provider>().is_err());
        assert!(
            Provider::WITH_URLS
                .iter()
                .all(|p| Provider::ALL.contains(p))
        );
    }
}
