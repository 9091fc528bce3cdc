//! The ground floor: the words every stage shares, validated once.
//!
//! Nothing here imports from a stage (`scan`, `resolve`, `fetch`, `process`, `pipeline`,
//! `report`, `serve`); every stage imports from here.
//!
//! - Identities are validated types ([`Email`], [`GravatarHash`], [`QqNumber`], [`GithubLogin`],
//!   [`AvatarUrl`], [`SitePath`]): `parse` is each one's only validator and the only way to make
//!   one; [`is_hex_digest`] is the crate's one hex check. [`Identity`] is what the stages pass on.
//! - [`Provider`] is the one provider enum: the `[avatars] providers` chain, `url --provider`
//!   (the [`Provider::WITH_URLS`] subset) and the data file's `provider`.
//! - [`HashAlgo`], [`Rating`], [`OutputFormat`]: settings the config names; [`Source`],
//!   [`Warning`], [`Published`]: what the stages record.
//! - `layering_tests` keeps this module free of stages, and the early stages free of later ones.

mod identities;
#[macro_use]
mod identity;
#[cfg(test)]
mod layering_tests;
mod location;
mod output_format;
mod provider;
mod provider_options;
mod published;
mod source;
pub mod status;

pub use identities::{Identity, IdentityKind};
pub use identity::{
    Email, GithubLogin, GravatarHash, InvalidEmail, InvalidGithubLogin, InvalidGravatarHash,
    InvalidQqNumber, MAX_GITHUB_LOGIN_LEN, QqNumber, is_hex_digest, shorten,
};
pub use location::{AvatarUrl, InvalidAvatarUrl, InvalidSitePath, SitePath};
pub use output_format::OutputFormat;
pub use provider::{Provider, UnknownProvider};
pub use provider_options::{HashAlgo, Rating, UnknownValue};
pub use published::Published;
pub use source::{Source, Warning};
