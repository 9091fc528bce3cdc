//! What must never be published: every identifier of the site's identities, and the redacted
//! form a report may print instead (CI logs are often public).

use crate::model::HashAlgo;
use crate::model::Identity;
use crate::resolve::gravatar::email_hash;
use crate::scan::FoundIdentity;

/// What kind of identifier a [`Secret`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// An email address, as written or normalised.
    Email,
    /// The MD5 hex of an email (Gravatar's hash), any letter case.
    EmailMd5,
    /// The SHA-256 hex of an email, any letter case.
    EmailSha256,
    /// A Gravatar hash the site itself stores (no email known).
    Hash,
    /// A QQ number, matched only as a whole word.
    Qq,
}

/// One identifier to look for, lower-cased (the search ignores ASCII case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// What it is.
    pub kind: SecretKind,
    /// The bytes searched for, ASCII lower case.
    pub needle: String,
    /// The redacted form a report prints.
    pub shown: String,
    /// Only a match with no letter, digit or `_` on either side counts (QQ numbers: a bare
    /// digit run of 5 to 11 digits is common in any page, inside hashes, ids and timestamps).
    pub whole_word: bool,
}

/// Every identifier of `identities` worth looking for: emails as written and normalised, their
/// MD5 and SHA-256, stored hashes, QQ numbers (also those of `digits@qq.com` addresses).
/// GitHub logins, URLs and files are public by nature and not searched.
pub fn secrets_of(identities: &[FoundIdentity]) -> Vec<Secret> {
    let mut secrets = Vec::new();
    let mut push = |kind, needle: &str, shown: String, whole_word| {
        let needle = needle.trim().to_ascii_lowercase();
        if !needle.is_empty() && !secrets.iter().any(|s: &Secret| s.needle == needle) {
            secrets.push(Secret {
                kind,
                needle,
                shown,
                whole_word,
            });
        }
    };
    for found in identities {
        match &found.identity {
            Identity::Email { address, qq } => {
                let shown = redact_email(address);
                push(SecretKind::Email, address, shown.clone(), false);
                for raw in &found.raw {
                    let raw = raw.trim();
                    let raw = raw
                        .get(..7)
                        .filter(|p| p.eq_ignore_ascii_case("mailto:"))
                        .map_or(raw, |_| &raw[7..]);
                    push(SecretKind::Email, raw, shown.clone(), false);
                }
                push(
                    SecretKind::EmailMd5,
                    &email_hash(address, HashAlgo::Md5),
                    format!("md5 of {shown}"),
                    false,
                );
                push(
                    SecretKind::EmailSha256,
                    &email_hash(address, HashAlgo::Sha256),
                    format!("sha256 of {shown}"),
                    false,
                );
                if let Some(qq) = qq {
                    push(SecretKind::Qq, qq, redact_qq(qq), true);
                }
            }
            Identity::Hash(hash) => push(SecretKind::Hash, hash, redact_hash(hash), false),
            Identity::Qq(number) => push(SecretKind::Qq, number, redact_qq(number), true),
            Identity::Github(_) | Identity::Url(_) | Identity::File(_) => {}
        }
    }
    // Longest first: where an email and its QQ number overlap, the email is named.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.needle.len()));
    secrets
}

/// `ada@example.org` → `ad***@example.org`: enough to tell commenters apart, not to mail them.
pub fn redact_email(address: &str) -> String {
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let keep = if local.chars().count() > 2 { 2 } else { 1 };
    let start: String = local.chars().take(keep).collect();
    format!("{start}***@{domain}")
}

/// `17450856` → `17***56`.
pub fn redact_qq(number: &str) -> String {
    let len = number.len();
    let tail = &number[len.saturating_sub(2)..];
    format!("QQ {}***{tail}", &number[..2.min(len)])
}

/// A stored hash: its first four digits.
pub fn redact_hash(hash: &str) -> String {
    format!("hash {}***", &hash[..4.min(hash.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactions_keep_little() {
        assert_eq!(redact_email("ada@example.org"), "ad***@example.org");
        assert_eq!(redact_email("x@example.org"), "x***@example.org");
        assert_eq!(redact_qq("17450856"), "QQ 17***56");
        assert_eq!(
            redact_hash("0bc83cb571cd1c50ba6f3e8a78ef1346"),
            "hash 0bc8***"
        );
    }
}
