//! What one provider attempt ended as: the one vocabulary the chain decides with, the report
//! prints, the JSON carries and `--strict` counts.
//!
//! The JSON form is `"outcome"` (one of [`Status::OUTCOMES`], the set the README documents for
//! `attempts[].outcome`) and, where there is more to say, `"detail"`. The strings live here
//! only: everything else matches on the variants.

use std::fmt;

use serde::Serialize;

use super::Provider;
use serde::ser::{SerializeStruct, Serializer};

/// How one provider answered for one identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// It had an image, and the image was used.
    Found,
    /// It has no avatar for this identity: an answer, not an error; the chain goes on.
    NoAvatar(NoAvatar),
    /// It needs something this identity does not have (e.g. a QQ number for a GitHub name).
    NotApplicable,
    /// Not consulted.
    Skipped(Skip),
    /// It failed; the chain went on. What `--strict` fails on.
    Error(AttemptError),
    /// `--dry-run`: what it would try (URLs or files), in order; nothing was contacted.
    ///
    /// The README documents `planned` among the outcomes (with `dry_run: true` the attempts
    /// list the planned URLs), so a dry run keeps its own word rather than borrowing one that
    /// claims an answer nobody gave.
    Planned(Vec<String>),
}

impl Status {
    /// Every `outcome` string, in declaration order (the README's list).
    pub const OUTCOMES: [&'static str; 6] = [
        "found",
        "no_avatar",
        "not_applicable",
        "skipped",
        "error",
        "planned",
    ];

    /// The `outcome` string of the JSON report and of `-v`.
    pub fn as_str(&self) -> &'static str {
        let index = match self {
            Self::Found => 0,
            Self::NoAvatar(_) => 1,
            Self::NotApplicable => 2,
            Self::Skipped(_) => 3,
            Self::Error(_) => 4,
            Self::Planned(_) => 5,
        };
        Self::OUTCOMES[index]
    }

    /// The `detail` of the JSON report: why, or what was planned; `None` where nothing more is
    /// said (`found`, `not_applicable`, an empty plan).
    pub fn detail(&self) -> Option<String> {
        match self {
            Self::Found | Self::NotApplicable => None,
            Self::NoAvatar(why) => Some(why.to_string()),
            Self::Skipped(why) => Some(why.to_string()),
            Self::Error(error) => Some(error.message.clone()),
            Self::Planned(steps) => (!steps.is_empty()).then(|| steps.join(", ")),
        }
    }

    /// The error, if this attempt failed with one.
    pub fn error(&self) -> Option<&AttemptError> {
        match self {
            Self::Error(error) => Some(error),
            _ => None,
        }
    }

    /// True for [`Status::Error`]: what `--strict` counts.
    pub fn is_error(&self) -> bool {
        self.error().is_some()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.detail() {
            Some(detail) => write!(f, "{}: {detail}", self.as_str()),
            None => f.write_str(self.as_str()),
        }
    }
}

/// `{"outcome": "...", "detail": "..."}` (`detail` left out when there is none): flattened into
/// each attempt of the report beside its `provider`.
impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let detail = self.detail();
        let mut state = serializer.serialize_struct("Status", 1 + usize::from(detail.is_some()))?;
        state.serialize_field("outcome", self.as_str())?;
        match &detail {
            Some(detail) => state.serialize_field("detail", detail)?,
            None => state.skip_field("detail")?,
        }
        state.end()
    }
}

/// Why a provider has no avatar for an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAvatar {
    /// The server answered 404 (Gravatar's `d=404`, GitHub's unknown user).
    NotFound,
    /// No uploaded file for any of the identity's names.
    NoUpload,
    /// QQ answered with its placeholder picture at every size.
    QqPlaceholder,
}

impl fmt::Display for NoAvatar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotFound => "not found (404)",
            Self::NoUpload => "no uploaded file",
            Self::QqPlaceholder => "only QQ's placeholder picture",
        })
    }
}

/// Why a provider was not consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `--offline`, and nothing in the cache for its URLs.
    Offline,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Offline => "offline and not cached",
        })
    }
}

/// A failed attempt: what kind of failure, and the message the report shows (it names the URL
/// or path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptError {
    /// What failed.
    pub kind: ErrorKind,
    /// The whole message, e.g. `https://host/x: HTTP status 503`.
    pub message: String,
}

impl AttemptError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for AttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AttemptError {}

/// The kinds of failure the report tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A request failed: timeout, refused connection, 5xx, TLS, a body that is no image.
    Network,
    /// Not sent: an earlier request to the same host failed this run (fail fast).
    HostDown,
    /// Not fetched or cut: the build's network deadline (`[http] deadline_s`) passed.
    Deadline,
    /// An avatar URL from content refused by `[url]` (private address, host not allowed).
    Refused,
    /// The bytes arrived but are not a usable image.
    Image,
    /// A local file (upload, configured default image, avatar output) could not be read or
    /// written.
    File,
}

/// One provider's answer; in the report, one entry of `attempts[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// Which provider.
    pub provider: Provider,
    /// What it said (`outcome` and `detail` in the JSON).
    #[serde(flatten)]
    pub status: Status,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(status: Status) -> String {
        serde_json::to_string(&status).unwrap()
    }

    /// The JSON of every variant, spelled out: a renamed variant or reworded reason breaks the
    /// report's contract and this test.
    #[test]
    fn each_status_serialises_to_its_documented_outcome() {
        let cases = [
            (Status::Found, r#"{"outcome":"found"}"#),
            (
                Status::NoAvatar(NoAvatar::NotFound),
                r#"{"outcome":"no_avatar","detail":"not found (404)"}"#,
            ),
            (
                Status::NoAvatar(NoAvatar::NoUpload),
                r#"{"outcome":"no_avatar","detail":"no uploaded file"}"#,
            ),
            (
                Status::NoAvatar(NoAvatar::QqPlaceholder),
                r#"{"outcome":"no_avatar","detail":"only QQ's placeholder picture"}"#,
            ),
            (Status::NotApplicable, r#"{"outcome":"not_applicable"}"#),
            (
                Status::Skipped(Skip::Offline),
                r#"{"outcome":"skipped","detail":"offline and not cached"}"#,
            ),
            (
                Status::Error(AttemptError::new(
                    ErrorKind::Network,
                    "http://127.0.0.1:1/a: HTTP status 503",
                )),
                r#"{"outcome":"error","detail":"http://127.0.0.1:1/a: HTTP status 503"}"#,
            ),
            (
                Status::Planned(vec!["http://a/1".into(), "http://a/2".into()]),
                r#"{"outcome":"planned","detail":"http://a/1, http://a/2"}"#,
            ),
            (Status::Planned(Vec::new()), r#"{"outcome":"planned"}"#),
        ];
        for (status, expected) in cases {
            assert_eq!(json(status.clone()), expected, "{status:?}");
            let value: serde_json::Value = serde_json::from_str(expected).unwrap();
            assert!(Status::OUTCOMES.contains(&value["outcome"].as_str().unwrap()));
        }
    }

    #[test]
    fn only_errors_are_errors() {
        let error = Status::Error(AttemptError::new(ErrorKind::Image, "broken"));
        assert!(error.is_error());
        assert_eq!(error.error().map(|e| e.kind), Some(ErrorKind::Image));
        for status in [
            Status::Found,
            Status::NoAvatar(NoAvatar::NotFound),
            Status::NotApplicable,
            Status::Skipped(Skip::Offline),
            Status::Planned(vec!["x".into()]),
        ] {
            assert!(!status.is_error(), "{status:?}");
        }
    }

    #[test]
    fn the_readme_documents_every_outcome() {
        let readme = include_str!("../../README.md");
        let line = readme
            .lines()
            .find(|l| l.starts_with("| `identities[]` |"))
            .expect("the README's report table");
        for outcome in Status::OUTCOMES {
            assert!(line.contains(&format!("`{outcome}`")), "{outcome}: {line}");
        }
    }
}
