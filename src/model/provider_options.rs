//! Options that Gravatar-style providers share: how an email is hashed and the audience rating.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A keyword that is not one of an option's values; the message lists the accepted ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownValue {
    /// A rating other than g, pg, r or x.
    #[error("invalid rating {0:?}: expected g, pg, r or x")]
    Rating(String),
    /// A hash algorithm other than md5 or sha256.
    #[error("invalid hash algorithm {0:?}: expected md5 or sha256")]
    HashAlgo(String),
}

/// How an email address is turned into a Gravatar hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgo {
    /// MD5, 32 hex digits: what every Gravatar client has always used.
    #[default]
    Md5,
    /// SHA-256, 64 hex digits: accepted by Gravatar and Libravatar.
    Sha256,
}

impl FromStr for HashAlgo {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "md5" => Ok(HashAlgo::Md5),
            "sha256" | "sha-256" => Ok(HashAlgo::Sha256),
            _ => Err(UnknownValue::HashAlgo(s.to_string())),
        }
    }
}

impl fmt::Display for HashAlgo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HashAlgo::Md5 => "md5",
            HashAlgo::Sha256 => "sha256",
        })
    }
}

/// Gravatar's audience ratings; a rating asks for images rated at most that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    /// Suitable for any audience.
    G,
    /// May contain rude gestures, mild violence.
    Pg,
    /// May contain harsh profanity, intense violence, nudity.
    R,
    /// May contain hardcore sexual imagery.
    X,
}

impl Rating {
    /// The URL parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::G => "g",
            Rating::Pg => "pg",
            Rating::R => "r",
            Rating::X => "x",
        }
    }
}

impl FromStr for Rating {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "g" => Ok(Rating::G),
            "pg" => Ok(Rating::Pg),
            "r" => Ok(Rating::R),
            "x" => Ok(Rating::X),
            _ => Err(UnknownValue::Rating(s.to_string())),
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
