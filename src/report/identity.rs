//! One identity's line in the build report: who, which provider won, and every attempt.

use serde::Serialize;

use crate::model::IdentityKind;
use crate::model::Provider;
use crate::model::Published;
use crate::model::status::Attempt;
use crate::resolve::chain::Decision;
use crate::scan::FoundIdentity;

/// What happened to one identity.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityReport {
    /// Kind.
    pub kind: IdentityKind,
    /// Normalised value.
    pub value: String,
    /// The provider that won (`null`: none had an avatar and `default` is not in the chain).
    pub provider: Option<Provider>,
    /// Every provider consulted, in order.
    pub attempts: Vec<Attempt>,
    /// Some output size is larger than the source image.
    pub upscaled: bool,
    /// A refresh failed and the last good cached image was used: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
    /// Some provider failed with an error (what `--strict` counts).
    pub error: bool,
    /// The identity's avatar URL is gone (404/410) and the last good copy was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gone: Option<StaleUrl>,
}

/// An avatar URL from content that answers 404/410 now; the last good copy is still used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleUrl {
    /// The URL.
    pub url: String,
    /// Where the content names it: `path:line` (or `path`), relative to the site.
    pub sources: Vec<String>,
}

impl IdentityReport {
    /// The report line of one resolved identity.
    pub fn new(found: &FoundIdentity, decision: &Decision, published: Option<&Published>) -> Self {
        Self {
            kind: found.identity.kind(),
            value: found.identity.value().to_owned(),
            provider: decision.provider,
            attempts: decision.attempts.clone(),
            upscaled: published.is_some_and(|p| p.upscaled),
            stale: decision.image.as_ref().and_then(|i| i.stale.clone()),
            error: decision.had_error(),
            gone: decision
                .image
                .as_ref()
                .and_then(|i| i.gone.clone())
                .map(|url| StaleUrl {
                    url,
                    sources: found.sources.iter().map(ToString::to_string).collect(),
                }),
        }
    }
}
